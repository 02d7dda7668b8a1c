"""The command line: exit codes, formats, golden output, errors without tracebacks.

Golden files live in tests/golden/; regenerate them with ``DEALCHECK_UPDATE_GOLDEN=1 pytest tests/test_cli.py``
and review the diff like code.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from click.testing import CliRunner

from dealcheck.cli import cli

GOLDEN = Path(__file__).parent / "golden"

TOY = """\
dealcheck: 1
title: Toy talks
sources:
  note: {title: A note}
terms:
  ceasefire:
    options: [none, energy, full]
    ordered: true
  nato: [member, neutral]
  minerals_deal: bool
  aid_bn: {range: [0, 60], unit: USD bn}
parties:
  russia:
    name: Russia
    red_lines:
      no_full:
        rule: ceasefire != "full"
        source: note
        quote: rejected a full ceasefire
      no_nato:
        rule: nato != "member"
        assumption: stated often
  ukraine:
    name: Ukraine
    red_lines:
      some_truce:
        rule: ceasefire >= "energy"
        assumption: a truce of some kind
    demands:
      aid:
        rule: aid_bn >= 40
        weight: 3
        assumption: aid matters
      minerals:
        rule: not minerals_deal
        assumption: toy
packages:
  full:
    title: Full ceasefire
    terms: {ceasefire: full, nato: neutral, minerals_deal: true, aid_bn: 43}
  truce:
    title: Energy truce
    terms: {ceasefire: energy, nato: neutral, minerals_deal: false, aid_bn: 40}
  open_truce:
    title: A truce, details open
    terms: {minerals_deal: true}
"""


@pytest.fixture
def toy(tmp_path: Path) -> str:
    p = tmp_path / "toy.yaml"
    p.write_text(TOY, encoding="utf-8")
    return str(p)


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def golden(name: str, text: str, toy_path: str) -> None:
    text = text.replace(toy_path, "toy.yaml")
    path = GOLDEN / name
    if os.environ.get("DEALCHECK_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


def test_default_command_is_check(toy: str) -> None:
    assert run(toy) == run("check", toy)


def test_text_report_golden(toy: str) -> None:
    code, out, err = run(toy, "--color", "never")
    assert code == 1  # the full ceasefire breaks Russia's red line
    assert err == ""
    golden("toy-check.txt", out, toy)


def test_markdown_report_golden(toy: str) -> None:
    code, out, _ = run(toy, "--format", "markdown")
    assert code == 1
    golden("toy-check.md", out, toy)


def test_json_report_fields(toy: str) -> None:
    code, out, _ = run(toy, "--format", "json")
    assert code == 1
    doc = json.loads(out)
    assert doc["schema"] == "dealcheck.check/1"
    full, truce, open_truce = doc["packages"]
    assert (full["id"], full["deal"], full["complete"]) == ("full", False, True)
    assert full["parties"]["russia"]["broken"] == ["no_full"]
    assert full["parties"]["russia"]["acceptable"] is False
    assert full["parties"]["ukraine"]["met"] == ["aid"]
    assert full["parties"]["ukraine"]["score"] == 0.75
    assert truce["deal"] is True and truce["parties"]["ukraine"]["score"] == 1.0
    assert open_truce["complete"] is False and open_truce["deal"] is False
    assert open_truce["deal_possible"] is True
    assert open_truce["forced"] == {"ceasefire": "energy", "nato": "neutral"}
    assert open_truce["example"]["minerals_deal"] is True
    statuses = {r["id"]: r["status"] for r in open_truce["parties"]["russia"]["red_lines"]}
    assert statuses == {"no_full": "open", "no_nato": "open"}
    assert doc["summary"] == {"checked": 3, "deals": 1, "deal_possible": 1, "exit_code": 1}
    golden("toy-check.json", out, toy)


def test_json_is_deterministic(toy: str) -> None:
    assert run(toy, "--format", "json") == run(toy, "--format", "json")


def test_exit_0_when_every_package_is_a_deal(toy: str) -> None:
    code, out, _ = run(toy, "-p", "truce", "-p", "open_truce")
    assert code == 0
    assert "DEAL" in out and "CAN BECOME A DEAL" in out


def test_set_builds_an_adhoc_package(toy: str) -> None:
    code, out, _ = run(toy, "--set", "ceasefire=full", "--format", "json")
    doc = json.loads(out)
    (pkg,) = doc["packages"]
    assert pkg["id"] is None and pkg["values"] == {"ceasefire": "full"}
    assert pkg["deal_possible"] is False and code == 1


def test_set_overrides_one_package(toy: str) -> None:
    code, out, _ = run(toy, "-p", "full", "--set", "ceasefire=energy", "--format", "json")
    assert code == 0
    assert json.loads(out)["packages"][0]["values"]["ceasefire"] == "energy"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--set", "ceasfire=full"], "did you mean 'ceasefire'?"),
        (["--set", "ceasefire=ful"], "the options of ceasefire are none, energy, full"),
        (["--set", "minerals_deal=yes"], "write minerals_deal=true or minerals_deal=false"),
        (["--set", "aid_bn=lots"], "aid_bn is an integer from 0 to 60"),
        (["--set", "aid_bn=99"], "outside the range"),
        (["--set", "nonsense"], "--set expects term=value"),
        (["-p", "fulll"], "did you mean 'full'?"),
        (["--variant", "nope"], "unknown variant 'nope'"),
    ],
)
def test_usage_errors_exit_2_with_a_hint(toy: str, args: list[str], message: str) -> None:
    code, out, err = run(toy, *args)
    assert code == 2 and out == ""
    assert message in err and "Traceback" not in err


def test_misspelt_term_in_rule_gives_position_and_hint(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(TOY.replace('rule: nato != "member"', 'rule: natto != "member"'), encoding="utf-8")
    code, out, err = run(str(bad))
    assert code == 2 and out == ""
    line = TOY.splitlines().index('        rule: nato != "member"') + 1
    assert f"{bad}:{line}:15: error[DC301]" in err
    assert "did you mean 'nato'?" in err
    assert "^^^^^" in err and "Traceback" not in err


def test_validate(toy: str) -> None:
    code, out, _ = run("validate", toy)
    assert code == 0 and "valid (4 terms, 2 parties, 5 rules, 3 packages)" in out


def test_stdin(toy: str) -> None:
    code, out, _ = run("-", "--format", "json", input=Path(toy).read_text())
    assert code == 1 and json.loads(out)["file"] == "<stdin>"


def test_output_file(toy: str, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, out, _ = run(toy, "--format", "json", "-o", str(target))
    assert code == 1 and out == ""
    assert json.loads(target.read_text())["schema"] == "dealcheck.check/1"


def test_color_always_and_never(toy: str) -> None:
    assert "\x1b[" in run(toy, "--color", "always")[1]
    assert "\x1b[" not in run(toy, "--color", "never")[1]


def test_version() -> None:
    code, out, _ = run("--version")
    assert code == 0 and out.startswith("dealcheck ")


def test_missing_file_is_exit_2() -> None:
    code, out, err = run("does-not-exist.yaml")
    assert code == 2 and "DC100" in err and "Traceback" not in err


@pytest.mark.parametrize(
    ("command", "scenario"),
    [
        (["conflicts", "-p", "us_full_ceasefire"], "ukraine-ceasefire-2025.yaml"),
        # explain by brute force lists the bundled scenario's 884,736 packages per question (13 s): the example
        (["explain", "-p", "full_ceasefire"], "example.yaml"),
    ],
)
def test_conflicts_and_explain_take_every_backend(command: list[str], scenario: str, bundled_path: Path):
    answers = {}
    for backend in ("cpsat", "constraint", "brute"):
        code, out, _ = run(*command, str(bundled_path.parent / scenario), "--backend", backend, "--format", "json")
        doc = json.loads(out)
        doc.pop("engine", None)
        answers[backend] = (code, doc)
    assert answers["cpsat"] == answers["constraint"] == answers["brute"]
