"""`dealcheck init` writes a starter that passes validate and test; mistyped commands get a did-you-mean."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from dealcheck.cli import main


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    out, err = capsys.readouterr()
    return int(e.value.code or 0), out, err


def test_init_writes_a_starter_that_validates_and_tests(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    code, _, err = run_cli(capsys, "init", "my-talks")
    assert code == 0 and "wrote my-talks.yaml" in err
    text = (tmp_path / "my-talks.yaml").read_text()
    assert "# yaml-language-server: $schema=" in text and "title: My talks" in text
    assert run_cli(capsys, "validate", "my-talks.yaml")[0] == 0
    code, out, _ = run_cli(capsys, "test", "my-talks.yaml")
    assert code == 0 and out.splitlines()[-1] == "3 passed, 0 failed"
    assert run_cli(capsys, "my-talks.yaml")[0] in (0, 1)


def test_init_default_name_and_no_overwrite(tmp_path: Path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert run_cli(capsys, "init")[0] == 0
    assert os.path.exists("scenario.yaml")
    code, _, err = run_cli(capsys, "init")
    assert code == 2 and "exists already" in err and "--force" in err
    assert run_cli(capsys, "init", "--force")[0] == 0


@pytest.mark.parametrize(("typo", "meant"), [("exlpore", "explore"), ("chek", "check"), ("valdate", "validate")])
def test_mistyped_command_suggests(capsys, typo, meant):
    code, _, err = run_cli(capsys, typo, "x.yaml")
    assert code == 2 and f"did you mean '{meant}'?" in err
