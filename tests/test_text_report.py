"""The check report reads at a glance: summary table first, plain words, one score notation, wrapped, -q."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from dealcheck.cli import cli

BUNDLED = str(Path(__file__).resolve().parent.parent / "scenarios" / "ukraine-ceasefire-2025.yaml")


def run(*args: str, columns: str = "100") -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), env={"COLUMNS": columns, "NO_COLOR": "1"}, catch_exceptions=False)
    return result.exit_code, result.stdout


def test_first_screen_answers_who_blocks_what():
    code, out = run(BUNDLED)
    assert code == 1
    first = out.splitlines()[:24]
    assert first[1] == "12 packages checked: 1 deal, 8 can become deals, 3 no deal"
    assert first[3].split()[:4] == ["package", "verdict", "who", "blocks"]
    at = next(k for k, line in enumerate(first) if line.strip().startswith("us_full_ceasefire"))
    row = " ".join(first[at : at + 2])  # the reason may sit under the row when the terminal is narrow
    assert "NO DEAL POSSIBLE" in row and "Russia (Putin)" in row and 'ceasefire is not "full"' in row


def test_every_line_fits_the_width_and_no_code_syntax_by_default():
    for columns in ("80", "120"):
        _, out = run(BUNDLED, columns=columns)
        lines = out.splitlines()[1:]  # the first line holds the file's path, as long as the path
        assert max(len(line) for line in lines) <= int(columns), max(lines, key=len)
    _, out = run(BUNDLED)
    assert " != " not in out and " implies " not in out and ' == "' not in out
    assert 'if peacekeepers is "coalition" then ceasefire is not "none"' in " ".join(out.split())  # may wrap


def test_quiet_is_the_summary_only():
    _, quiet = run(BUNDLED, "-q")
    _, full = run(BUNDLED)
    assert full.startswith(quiet.rstrip("\n"))
    assert "== " not in quiet and "Scores:" not in quiet and len(quiet.splitlines()) >= 4 + 12


def test_one_score_notation_explained_once():
    _, out = run(BUNDLED)
    assert out.count("Scores: ") == 1
    assert "score 25%..100% (2/8..8/8)" in out
    assert "0.29" not in out and "1.00" not in out


def test_details_list_only_parties_with_something_to_say():
    _, out = run(BUNDLED, "-p", "mediator_settlement")
    assert "every party accepts: United States (Trump administration)" in out
    assert "  Russia (Putin)  " not in out
    _, everyone = run(BUNDLED, "-p", "mediator_settlement", "--all-parties")
    assert "  Russia (Putin)" in everyone and "accepts" in everyone


def test_verbose_shows_the_code_form():
    _, out = run(BUNDLED, "-p", "us_full_ceasefire", "--verbose")
    assert 'rule: ceasefire != "full"' in out


def test_markdown_has_the_same_order():
    _, md = run(BUNDLED, "--format", "markdown")
    assert md.index("| package | verdict | who blocks | on what |") < md.index("## us_full_ceasefire")
    assert 'ceasefire is not "full"' in md


def test_hostile_titles_are_inert(tmp_path):
    p = tmp_path / "evil.yaml"
    p.write_text(
        'dealcheck: 1\ntitle: "evil\\u202e title"\nterms: {x: [a, b]}\nparties:\n  p:\n    name: "P\\x1b[31m"\n'
        '    red_lines: {r: {rule: x == "a", assumption: t}}\npackages:\n  k: {terms: {x: b}}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, [str(p)], catch_exceptions=False)
    assert "\x1b" not in result.stdout and "\u202e" not in result.stdout
