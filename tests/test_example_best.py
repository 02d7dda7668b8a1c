"""Example deals are labelled as examples; --example best shows the best-scoring completion (issue 10 item 5)."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from dealcheck import load_scenario
from dealcheck.analysis.examples import best_completion
from dealcheck.cli import cli

BUNDLED = str(Path(__file__).resolve().parents[1] / "scenarios" / "ukraine-ceasefire-2025.yaml")


def test_the_first_completion_is_labelled_as_no_recommendation() -> None:
    out = CliRunner().invoke(cli, ["check", BUNDLED, "-p", "energy_truce"]).output
    assert "example completion (the first in option order, not a recommendation):" in out
    md = CliRunner().invoke(cli, ["check", BUNDLED, "-p", "energy_truce", "--format", "markdown"]).output
    assert "Example deal (the first in option order, not a recommendation):" in md


def test_example_best_is_the_best_total_completion() -> None:
    s = load_scenario(BUNDLED)
    best = best_completion(s, s.package("energy_truce").values)
    assert best is not None and s.check(best).deal
    # No deal completing the truce scores higher in total than the one shown (explore agrees).
    assert best == dict(s.explore(package="energy_truce", top=1).best[0].values)
    result = CliRunner().invoke(cli, ["check", BUNDLED, "-p", "energy_truce", "--example", "best", "--format", "json"])
    (verdict,) = json.loads(result.output)["packages"]
    assert verdict["example_kind"] == "best" and verdict["example"] == best
    assert best_completion(s, s.package("us_full_ceasefire").values) is None


def test_no_party_is_shown_incompatible_with_itself() -> None:
    out = CliRunner().invoke(cli, ["conflicts", BUNDLED, "-p", "european_peacekeepers"]).output
    grid = out.split("Compatibility")[1].split("all together")[0]
    assert "  russia   -       no       no" in grid
    assert "alone with the given package: russia no, ukraine yes, europe yes" in grid
