"""``validate`` over several files, directories and globs; honest quote counts; plurals."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dealcheck.cli import cli

ROOT = Path(__file__).resolve().parent.parent


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_directories_and_globs(monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run("validate", "scenarios/", "tests/data/*.yaml", "scenarios/example.yaml")
    assert code == 0
    lines = out.splitlines()
    assert lines[-1] == "3 files: 3 valid, 0 invalid"  # example.yaml named twice is checked once
    assert lines[0].startswith("scenarios/example.yaml: valid (")


def test_one_invalid_file_exits_2_and_the_others_are_still_checked(monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, err = run("validate", "scenarios/example.yaml", "tests/bad/rule_unknown_term.yaml")
    assert code == 2
    assert "error[DC301]" in err and out.splitlines()[-1] == "2 files: 1 valid, 1 invalid"


def test_json_for_several_files(monkeypatch):
    monkeypatch.chdir(ROOT)
    code, out, _ = run("validate", "scenarios/", "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "dealcheck.validate-files/1" and doc["valid"] is True
    assert [f["file"] for f in doc["files"]] == ["scenarios/example.yaml", "scenarios/ukraine-ceasefire-2025.yaml"]
    _, one, _ = run("validate", "scenarios/example.yaml", "--format", "json")
    assert json.loads(one)["schema"] == "dealcheck.validate/1"


def test_sources_without_files_are_not_claimed_as_verified(tmp_path):
    p = tmp_path / "s.yaml"
    p.write_text(
        "dealcheck: 1\ntitle: t\nsources: {memo: {title: A memo}}\nterms: {x: [a, b]}\nparties:\n"
        '  p:\n    red_lines: {r: {rule: x == "a", source: memo, quote: "only a"}}\n',
        encoding="utf-8",
    )
    code, out, _ = run("validate", str(p), "--sources", str(tmp_path))
    assert code == 0
    assert "0 quotes verified, 1 not checked (their sources have no file:)" in out
    assert "1 term, 1 party, 1 rule, 0 packages" in out
