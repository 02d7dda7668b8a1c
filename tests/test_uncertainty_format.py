"""Uncertainty in the scenario format: confidence (+ reason), soft_if_wrong, weight ranges; errors at file:line:col,
validate's DC720 warning, and scenarios without these keys meaning what they always did."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from dealcheck import load_scenario
from dealcheck.cli import cli
from dealcheck.errors import ScenarioError

BASE = """\
dealcheck: 1
title: Toy
terms: {{nato: [member, neutral]}}
parties:
  russia:
    red_lines:
      no_nato: {{rule: nato != "member", assumption: toy{red}}}
    demands:
      d: {{rule: nato == "neutral", assumption: toy{demand}}}
"""


def _load(red: str = "", demand: str = "", top: str = "") -> object:
    return load_scenario(top + BASE.format(red=red, demand=demand))


def test_fields_are_read_exactly() -> None:
    s = _load(
        ", confidence: 0.7, confidence_reason: signals, soft_if_wrong: true",
        ", confidence: 2/3, weight: {value: 2, range: [1, 3.5]}",
    )
    red, demand = s.rules()
    assert (red.confidence, red.confidence_reason, red.soft_if_wrong) == (Fraction(7, 10), "signals", True)
    assert (demand.confidence, demand.weight, demand.weight_range) == (Fraction(2, 3), 2, (1, Fraction(7, 2)))


def test_without_the_keys_nothing_changes() -> None:
    s = _load()
    assert all(r.confidence is None and not r.soft_if_wrong and r.weight_range is None for r in s.rules())
    assert s.confidence_reason is None


@pytest.mark.parametrize(
    ("red", "demand", "expected"),
    [
        (", confidence: 1.5", "", "7:70: error[DC111]: the confidence of red line russia.no_nato must be above 0"),
        (", confidence: '0.7'", "", "7:70: error[DC111]: the confidence of red line russia.no_nato must be a number"),
        (", soft_if_wrong: true", "", "7:58: error[DC111]: red line russia.no_nato is soft_if_wrong but has no"),
        ("", ", soft_if_wrong: true", "9:53: error[DC107]: unknown key 'soft_if_wrong' in demand russia.d"),
        (
            "",
            ", weight: {value: 4, range: [1, 3]}",
            "9:69: error[DC111]: the value of the weight of demand russia.d (4)",
        ),
        ("", ", weight: {value: 2, range: [3, 1]}", "9:79: error[DC111]: the range of the weight of demand russia.d"),
        ("", ", weight: {value: 2}", "9:61: error[DC109]: missing required key 'range' in the weight of demand"),
        ("", ", confidence_reason: x", "9:53: error[DC111]: demand russia.d gives a confidence_reason but no"),
    ],
)
def test_errors_have_positions_and_hints(red: str, demand: str, expected: str) -> None:
    with pytest.raises(ScenarioError) as e:
        _load(red, demand)
    assert expected in e.value.render()
    assert "= hint:" in e.value.render() or "DC109" in expected


def test_validate_warns_on_a_confidence_without_a_reason(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BASE.format(red=", confidence: 0.7", demand=""))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0
    assert f"{path}:7:7: warning[DC720]: russia.no_nato has a confidence (0.7) but no reason for it" in result.output
    path.write_text("confidence_reason: one article\n" + BASE.format(red=", confidence: 0.7", demand=""))
    result = CliRunner().invoke(cli, ["validate", str(path)])
    assert result.exit_code == 0 and "DC720" not in result.output
