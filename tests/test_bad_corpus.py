"""The bad-input corpus: every malformed file gives exit 2, its coded diagnostic at its position, and nothing else.

``tests/bad/MANIFEST.tsv`` lists each file with the code and ``line:col`` it must report (a file may report more
problems; the listed one must be among them). Inputs too big to commit (a very large file, 100 000 nested
parentheses or ``not``\\ s) are generated here. A few files also run in a real subprocess under a memory limit and a
timeout, so "no hang, bounded memory" is measured rather than assumed.
"""

from __future__ import annotations

import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from dealcheck.cli import cli

HERE = Path(__file__).parent
BAD = HERE / "bad"
GOOD = HERE / "good"


def _manifest() -> list[tuple[str, str, str, str]]:
    rows = []
    for line in (BAD / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            name, code, pos, note = line.split("\t")
            rows.append((name, code, pos, note))
    return rows


MANIFEST = _manifest()


def run_cli(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_the_corpus_is_complete() -> None:
    listed = {name for name, *_ in MANIFEST}
    on_disk = {p.name for p in BAD.iterdir() if p.name != "MANIFEST.tsv"}
    assert listed == on_disk, "every file in tests/bad/ needs a manifest line, and every line a file"
    assert len(listed) >= 50


@pytest.mark.parametrize(("name", "code", "pos"), [(n, c, p) for n, c, p, _ in MANIFEST], ids=[n for n, *_ in MANIFEST])
def test_bad_file(name: str, code: str, pos: str) -> None:
    path = str(BAD / name)
    status, out, err = run_cli(path)
    assert status == 2, err
    assert f"{path}:{pos}: error[{code}]" in err, err
    assert "Traceback" not in err + out
    assert "internal error" not in err
    assert out == ""  # results go to stdout; an invalid file has none


@pytest.mark.parametrize("name", [n for n, *_ in MANIFEST if n.startswith(("inject_", "tag_python"))])
def test_nothing_is_executed(name: str, tmp_path: Path) -> None:
    # The committed files aim at /tmp/pwned; a copy aimed at a fresh path shows nothing ran even if /tmp/pwned
    # already exists for some unrelated reason.
    marker = tmp_path / "pwned"
    text = (BAD / name).read_text(encoding="utf-8").replace("/tmp/pwned", str(marker))
    copy = tmp_path / name
    copy.write_text(text, encoding="utf-8")
    status, _, err = run_cli(str(copy))
    assert status == 2
    assert "Traceback" not in err
    assert not marker.exists()


def test_good_files_load() -> None:
    for path in sorted(GOOD.glob("*.yaml")):
        status, out, err = run_cli("validate", str(path))
        assert status == 0, f"{path}: {err}"


def test_yaml_11_traps_stay_strings() -> None:
    from dealcheck.loader import load_scenario_file

    scenario = load_scenario_file(str(GOOD / "yaml11_traps.yaml"))
    assert scenario.term("nato").domain.options == (
        "no",
        "yes",
        "on",
        "off",
        "1:20x",
        "010",
        "1:20",
        "~x",
        "0x1F",
        "1e3",
        ".inf",
    )
    assert scenario.package("truce").values["nato"] == "no"


def test_bom_is_accepted() -> None:
    status, out, err = run_cli("validate", str(GOOD / "bom.yaml"))
    assert status == 0, err


# --- generated at test time ------------------------------------------------------------------------------------

BASE = (GOOD / "yaml11_traps.yaml").read_text(encoding="utf-8").split("expect:")[0]


def _with_rule(expr: str) -> str:
    return BASE.replace('rule: ceasefire != "full"', "rule: " + expr)


@pytest.mark.parametrize(
    ("label", "expr"),
    [
        ("parens", "(" * 100_000 + "minerals_deal" + ")" * 100_000),
        ("nots", "not " * 100_000 + "minerals_deal"),
        ("unbalanced", "(" * 100_000 + "minerals_deal"),
        ("long_or", " or ".join(["minerals_deal"] * 30_000)),
    ],
)
def test_huge_rules_are_limits_not_crashes(label: str, expr: str, tmp_path: Path) -> None:
    path = tmp_path / f"{label}.yaml"
    path.write_text(_with_rule(expr), encoding="utf-8")
    status, out, err = run_cli(str(path))
    assert status == 2, err[:2000]
    assert "Traceback" not in err and "internal error" not in err
    assert any(f"error[{code}]" in err for code in ("DC502", "DC503", "DC204")), err[:2000]
    assert f"{path}:15:" in err  # the rule's line


def test_very_large_file(tmp_path: Path) -> None:
    path = tmp_path / "large.yaml"
    with path.open("w", encoding="utf-8") as f:
        f.write(BASE)
        f.write("# " + "x" * 1000 + "\n")
        chunk = ("# " + "y" * 98 + "\n") * 10_000  # 1 MB
        for _ in range(3):  # past the loader's 2 MiB cap
            f.write(chunk)
    status, out, err = run_cli(str(path))
    assert status == 2
    assert "error[DC501]" in err
    assert "Traceback" not in err


def test_missing_file(tmp_path: Path) -> None:
    path = str(tmp_path / "nowhere.yaml")
    status, out, err = run_cli(path)
    assert status == 2
    assert "error[DC100]" in err and "nowhere.yaml" in err
    assert "Traceback" not in err


def test_directory_as_file(tmp_path: Path) -> None:
    status, out, err = run_cli(str(tmp_path))
    assert status == 2
    assert "error[DC100]" in err
    assert "Traceback" not in err


def test_stdin_bad_input_names_stdin() -> None:
    status, out, err = run_cli("-", input=(BAD / "rule_unknown_term.yaml").read_bytes())
    assert status == 2
    assert "<stdin>:15:15: error[DC301]" in err


def test_stdin_binary_garbage() -> None:
    status, out, err = run_cli("-", input=b"\xff\xfe\x00garbage\x00")
    assert status == 2
    assert "error[DC100]" in err
    assert "Traceback" not in err


# --- real processes: no hang, bounded memory ------------------------------------------------------------------

MEMORY_LIMIT = 1 << 30  # 1 GiB of address space: the billion-laughs bomb expanded would need far more


def _limit_memory() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


@pytest.mark.slow
@pytest.mark.parametrize(
    "name",
    [
        "billion_laughs.yaml",
        "deep_nesting_1000.yaml",
        "tag_python_apply.yaml",
        "literal_5000_digits.yaml",
        "nul_byte.yaml",
    ],
)
def test_subprocess_bounded(name: str) -> None:
    code, pos = next((c, p) for n, c, p, _ in MANIFEST if n == name)
    path = str(BAD / name)
    proc = subprocess.run(
        [sys.executable, "-m", "dealcheck", path],
        capture_output=True,
        timeout=60,
        preexec_fn=_limit_memory,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
    )
    err = proc.stderr.decode("utf-8", "replace")
    assert proc.returncode == 2, err
    assert f"{path}:{pos}: error[{code}]" in err
    assert "Traceback" not in err
