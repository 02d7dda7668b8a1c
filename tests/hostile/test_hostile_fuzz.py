"""Fuzzing the command line with hostile files, escapes, arguments and stdin (issue 15).

Whatever comes in: the exit code is one of 0, 1, 2, 4 (130 needs a signal), no traceback and no internal error,
no raw control character on stdout or stderr, and every input file is byte-for-byte unchanged. In process through
click's runner, so a hundred runs take seconds; the subprocess-only states (closed streams, limits, signals) are in
``test_hostile_io.py``. ``DEALCHECK_FUZZ_EXAMPLES`` raises the budget, as in ``tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcheck.cli import cli

EXAMPLES = int(os.environ.get("DEALCHECK_FUZZ_EXAMPLES", "60"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.function_scoped_fixture],
)

TOY = (Path(__file__).parent.parent / "data" / "toy.deal.yaml").read_text(encoding="utf-8")
RAW = {chr(c) for c in range(0x20) if chr(c) not in "\n\t"} | {chr(c) for c in range(0x7F, 0xA0)}
RAW |= set("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")

# Escapes a YAML double-quoted string turns into control characters, and raw characters a file may hold.
ESCAPES = [r"\e[31m", r"\e]0;x\a", r"\n", r"\0", r"\x9b", r"\N", r"\L", r"\u202e", r"\t", r"\r", r"\\", "`", "<b>", "|"]
RAW_TEXT = ["\u202e", "\u2028", "\x85", "\t", "\x1b", "\x00", "\r", "é", "\ud800"]

COMMANDS = [
    ["check"],
    ["check", "--format", "json"],
    ["check", "--format", "markdown"],
    ["check", "--format", "html"],
    ["explore", "--format", "html", "--backend", "brute"],
    ["check", "-p", "truce"],
    ["check", "--set", "nato=neutral"],
    ["validate"],
    ["validate", "--format", "json"],
    ["explore", "--backend", "brute"],
    ["explore", "--format", "markdown", "--backend", "brute"],
    ["conflicts"],
    ["repair", "-p", "full", "--backend", "brute"],
    ["compare", "--backend", "brute"],
    ["test"],
]


def _inject(text: str, where: int, what: str, quoted: bool) -> str:
    """``what`` inside a double-quoted title, option, party name, assumption or package title of the toy file, or
    raw at a line start."""
    if quoted:
        return [
            lambda t: t.replace("title: Toy talks", f'title: "Toy{what}"\n# talks', 1),
            lambda t: t.replace("nato: [member, neutral]", f'nato: [member, neutral, "odd{what}"]', 1),
            lambda t: t.replace("  russia:\n", f'  russia:\n    name: "R{what}"\n', 1),
            lambda t: t.replace("assumption: toy example", f'assumption: "toy{what}"', 1),
            lambda t: t.replace("  truce: {terms:", f'  truce: {{title: "T{what}", terms:', 1),
        ][where % 5](text)
    lines = text.splitlines(keepends=True)
    line = where % len(lines)
    lines[line] = what + lines[line]
    return "".join(lines)


def _check_run(args: list[str], files: dict[Path, bytes], stdin: bytes | None = None) -> None:
    result = CliRunner().invoke(cli, args, input=stdin, catch_exceptions=True)
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code in (0, 1, 2, 4), (result.exit_code, result.stderr)
    for stream in (result.stdout, result.stderr):
        assert "Traceback" not in stream and "internal error" not in stream, stream
        bad = {f"U+{ord(c):04X}" for c in stream if c in RAW or 0xD800 <= ord(c) <= 0xDFFF}
        assert not bad, (bad, args, stream[:2000])
    for path, before in files.items():
        assert path.read_bytes() == before, f"{path} changed"


@FUZZ
@given(
    st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(ESCAPES + RAW_TEXT), st.booleans()), max_size=4),
    st.sampled_from(COMMANDS),
)
def test_escapes_in_a_scenario(edits: list[tuple[int, str, bool]], command: list[str]) -> None:
    text = TOY
    for where, what, quoted in edits:
        if quoted and what in RAW_TEXT:
            continue  # raw characters go in raw
        text = _inject(text, where, what, quoted)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "s.yaml")
        data = text.encode("utf-8", "surrogatepass")
        path.write_bytes(data)
        _check_run([*command[:1], str(path), *command[1:]], {path: data})


@FUZZ
@given(st.binary(max_size=400), st.sampled_from(COMMANDS), st.booleans())
def test_random_bytes_as_file_or_stdin(data: bytes, command: list[str], stdin: bool) -> None:
    if stdin and command[0] != "test":
        _check_run([*command[:1], "-", *command[1:]], {}, stdin=data)
        return
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "s.yaml")
        path.write_bytes(data)
        _check_run([*command[:1], str(path), *command[1:]], {path: data})


ARGUMENTS = st.sampled_from(
    ["--variant", "-p", "--set", "--time-limit", "--format", "-o", "--parties", "--limit", "--top", "--keep"]
)
VALUES = st.sampled_from(
    ["", "nan", "inf", "-1", "0", "1_0", "\u0661", "nato=", "=x", "nato=neutral", "\x1b[31m", "a\nb", "base", "json"]
) | st.text(max_size=8)


@FUZZ
@given(st.sampled_from(COMMANDS), st.lists(st.tuples(ARGUMENTS, VALUES), max_size=3))
def test_hostile_arguments(command: list[str], options: list[tuple[str, str]]) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder, "s.yaml")
        data = TOY.encode("utf-8")
        path.write_bytes(data)
        args = [*command[:1], str(path), *command[1:]]
        for name, value in options:
            if "\x00" in value:
                continue  # argv cannot hold a NUL byte; only an in-process runner could pass one
            if name == "-o":
                value = str(path) if value == "base" else os.path.join(folder, "out", value) if value else value
            args += [name, value]
        _check_run(args, {path: data})
