"""Every ``dealcheck`` command quoted in README.md and docs/*.md runs, and prints what the docs show.

Two kinds of example are found in fenced code blocks:

- a ``$ dealcheck ...`` line: the lines after it (up to the next ``$`` line or the end of the block) are its output,
  compared exactly (stdout, then stderr, as a terminal shows them; trailing spaces ignored). A line ``...`` in the
  shown output stands for any number of lines (output that starts with ``...`` is an excerpt: its end may be cut
  too), and a line ending in ``...`` for a longer line that starts the same. With no output shown, the command must still run: exit 0, 1 or 4;
- a line starting ``dealcheck `` in a ``sh`` block (README's command list, ``# comments`` allowed): it must run
  (exit 0, 1 or 4). ``FILE`` means the bundled scenario, ``offers.csv`` a few of its full packages, ``DIR`` the source texts (``shared/sources`` beside
  the repository; skipped where they are not).

Commands run in a scratch folder that links the repository's ``scenarios/``, ``tests/`` and ``docs/``, so ``-o``
writes nowhere that matters. After changing an output on purpose, rewrite the shown outputs with
``DEALCHECK_UPDATE_DOCS=1 pytest tests/test_docs_examples.py`` and read the diff.
"""

from __future__ import annotations

import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from dealcheck.cli import cli

pytestmark = pytest.mark.slow  # every example runs a whole command

ROOT = Path(__file__).resolve().parent.parent
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
BUNDLED = "scenarios/ukraine-ceasefire-2025.yaml"
# shared/ lies beside the repository (CI) or beside the worktrees' folder (development).
SOURCES = next((p / "shared" / "sources" for p in ROOT.parents[:2] if (p / "shared" / "sources").is_dir()), None)
UPDATE = bool(os.environ.get("DEALCHECK_UPDATE_DOCS"))
_FENCE = re.compile(r"^(\s*)```(\S*)\s*$")


class Example:
    def __init__(self, doc: Path, line: int, command: str, shown: list[str] | None) -> None:
        self.doc, self.line, self.command, self.shown = doc, line, command, shown

    @property
    def id(self) -> str:
        return f"{self.doc.name}:{self.line}"


def find_examples(doc: Path) -> list[Example]:
    """The examples of one document, in order; ``shown`` is ``None`` for a command without output."""
    examples: list[Example] = []
    lang: str | None = None
    current: Example | None = None
    for number, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
        fence = _FENCE.match(line)
        if fence:
            lang = fence.group(2) if lang is None else None
            current = None
            continue
        if lang is None:
            continue
        if line.startswith("$ "):
            current = None
            if line[2:].startswith("dealcheck "):
                current = Example(doc, number, line[2:], [])
                examples.append(current)
        elif current is not None:
            assert current.shown is not None
            current.shown.append(line)
        elif lang == "sh" and line.startswith("dealcheck "):
            examples.append(Example(doc, number, line.split("  #")[0].split(" #")[0].strip(), None))
    return examples


EXAMPLES = [e for doc in DOCS for e in find_examples(doc)]


def run(example: Example, cwd: Path) -> tuple[int, list[str]]:
    words = shlex.split(example.command)[1:]
    if "DIR" in words and SOURCES is None:
        pytest.skip(f"the source texts ({SOURCES}) are not here")
    if any(w.endswith(".parquet") for w in words):
        pytest.importorskip("pyarrow", reason="Parquet examples need the .[parquet] extra")
    if "offers.csv" in words:  # the README's batch example: one row per package of the bundled scenario
        _write_offers(cwd / "offers.csv")
    words = [BUNDLED if w == "FILE" else str(SOURCES) if w == "DIR" else w for w in words]
    old = Path.cwd()
    os.chdir(cwd)
    try:
        result = CliRunner().invoke(cli, words, env={"COLUMNS": "120", "NO_COLOR": "1"}, catch_exceptions=False)
    finally:
        os.chdir(old)
    out = result.stdout + (result.stderr or "")
    return result.exit_code, [line.rstrip() for line in out.splitlines()]


def _write_offers(path: Path) -> None:
    import dealcheck

    scenario = dealcheck.load_scenario(ROOT / BUNDLED)
    rows = [",".join(t.name for t in scenario.terms)]
    for k in range(3):
        rows.append(",".join(str(t.decode(k % t.size)).lower() for t in scenario.terms))
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")


def matches(shown: list[str], got: list[str]) -> bool:
    """``shown`` equals ``got``, where a ``...`` line in ``shown`` stands for any number of lines."""
    if not shown:
        return not got
    if shown[0].strip() == "...":
        return any(matches(shown[1:], got[i:]) for i in range(len(got) + 1))
    return bool(got) and _line_matches(shown[0].rstrip(), got[0]) and matches(shown[1:], got[1:])


def _line_matches(shown: str, got: str) -> bool:
    """Equal, or ``shown`` ends in ``...`` and ``got`` goes on from what comes before (a long line cut short)."""
    if shown.endswith("...") and not got.endswith("..."):
        return got.startswith(shown[:-3]) and len(got) > len(shown) - 3
    return shown == got


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    cwd = tmp_path_factory.mktemp("docs")
    for name in ("scenarios", "tests", "docs"):
        (cwd / name).symlink_to(ROOT / name)
    return cwd


def test_docs_have_examples():
    assert len(EXAMPLES) >= 20
    assert any(e.doc.name == "README.md" for e in EXAMPLES)


@pytest.mark.parametrize("example", EXAMPLES, ids=[e.id for e in EXAMPLES])
def test_example_runs_and_prints_what_the_docs_show(example: Example, scratch: Path):
    code, got = run(example, scratch)
    assert code in (0, 1, 4), f"{example.id}: `{example.command}` exited {code}:\n" + "\n".join(got)
    if example.shown is None or (not example.shown and not UPDATE):
        return
    shown = example.shown
    if shown and shown[0].strip() == "...":  # an excerpt: what follows it may be cut short too
        shown = [*shown, "..."]
    if matches(shown, got):
        return
    if UPDATE and not any(line.strip() == "..." for line in example.shown):
        _rewrite(example, got)
        return
    pytest.fail(
        f"{example.id}: the output of `{example.command}` differs from the docs.\n"
        f"--- shown\n{chr(10).join(example.shown)}\n--- printed\n"
        + "\n".join(got)
        + "\n(DEALCHECK_UPDATE_DOCS=1 rewrites it)"
    )


def _rewrite(example: Example, got: list[str]) -> None:
    lines = example.doc.read_text(encoding="utf-8").split("\n")
    start = example.line  # the line after the command (0-based index = 1-based number)
    end = start + len(example.shown or [])
    lines[start:end] = got
    example.doc.write_text("\n".join(lines), encoding="utf-8")
