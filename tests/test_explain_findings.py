"""dealcheck explain: every reported set entails its finding and is minimal, the lists are complete, and the labels
say what the sets say; checked against brute force on random small scenarios, and pinned on the bundled one."""

from __future__ import annotations

import itertools
import json
from collections.abc import Sequence
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from dealcheck import load_scenario
from dealcheck.analysis.explain import Finding, FindingKind, explain, max_disjoint
from dealcheck.model import Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK
from dealcheck.rules.evaluator import evaluate
from dealcheck.testing.strategies import scenarios

ROOT = Path(__file__).resolve().parents[1]
BUNDLED = ROOT / "scenarios" / "ukraine-ceasefire-2025.yaml"
GOLDEN = ROOT / "tests" / "golden"

small_scenarios = scenarios(
    max_terms=3, max_parties=3, max_rules=3, max_depth=1, max_options=3, max_int_width=3, max_packages=2
)


def _packages(scenario: Scenario) -> list[tuple[int, ...]]:
    return list(itertools.product(*(t.domain.codes for t in scenario.terms)))


def _holds(finding: Finding, scenario: Scenario, codes: tuple[int, ...]) -> bool:
    """Whether ``codes`` (a complete package) is a counterexample-free point for the finding: False when it
    contradicts the finding (a deal with the forced term elsewhere, a deal with the excluded option, ...)."""
    if finding.kind in (FindingKind.FORCED, FindingKind.EXCLUDED):
        term = scenario.term(finding.term)
        value = codes[term.index] == term.encode(finding.option)
        return value if finding.kind == FindingKind.FORCED else not value
    return False  # no_deal / blocked: any deal at all contradicts it


def _within(finding: Finding, scenario: Scenario, codes: tuple[int, ...]) -> bool:
    if finding.package is None:
        return True
    given = scenario.encode(scenario.package(finding.package).values)
    return all(g is None or g == c for g, c in zip(given, codes, strict=True))


def _entails(scenario: Scenario, finding: Finding, refs: Sequence[str]) -> bool:
    """By brute force: every package that keeps ``refs`` (within the finding's package) agrees with the finding."""
    exprs = [scenario.rule(r).expr for r in refs]
    return all(
        _holds(finding, scenario, codes)
        for codes in _packages(scenario)
        if _within(finding, scenario, codes) and all(evaluate(e, codes) for e in exprs)
    )


def _minimal_sets(scenario: Scenario, finding: Finding) -> set[frozenset[str]]:
    red = [r.ref for r in scenario.red_lines()]
    entailing = [
        frozenset(s)
        for n in range(len(red) + 1)
        for s in itertools.combinations(red, n)
        if _entails(scenario, finding, s)
    ]
    return {s for s in entailing if not any(o < s for o in entailing)}


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios)
def test_explain_matches_brute_force(scenario: Scenario) -> None:
    report = explain(scenario, limit=None)
    assert report == explain(scenario, limit=None, backend="brute")  # the same sets on another backend
    assert report.complete and report.exit_code == EXIT_OK
    for f in report.findings:
        got = {frozenset(r.ref for r in s) for s in f.sets}
        if f.kind == FindingKind.BROKEN:
            # The package's own values break the red line: it is its own (one-member) explanation.
            (ref,) = {r.ref for s in f.sets for r in s}
            given = scenario.encode(scenario.package(f.package).values)
            rule = scenario.rule(ref)
            assert all(not evaluate(rule.expr, codes) for codes in _packages(scenario) if _within(f, scenario, codes))
            assert given is not None
            continue
        assert got == _minimal_sets(scenario, f), f.statement
        # Hinges exactly on the red lines in every set; independent = most pairwise-disjoint sets.
        common = frozenset.intersection(*got) if got else frozenset()
        assert {r.ref for r in f.hinges_on or ()} == set(common)
        assert f.independent == max_disjoint(list(got))
        if common:
            assert f.label.startswith("hinges on")
        elif f.independent >= 2:
            assert f.label == f"rests on {f.independent} independent readings"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_scenarios)
def test_findings_are_those_of_explore_and_check(scenario: Scenario) -> None:
    """Forced terms, excluded options and blocked packages are exactly what brute force finds."""
    red = [r.expr for r in scenario.red_lines()]
    deals = [c for c in _packages(scenario) if all(evaluate(e, c) for e in red)]
    report = explain(scenario, limit=1)
    kinds = {(f.kind, f.package, f.term, f.option) for f in report.findings}
    assert ((FindingKind.NO_DEAL, None, None, None) in kinds) == (not deals)
    if deals:
        for t in scenario.terms:
            seen = {c[t.index] for c in deals}
            if len(seen) == 1:
                assert (FindingKind.FORCED, None, t.name, t.decode(next(iter(seen)))) in kinds
            else:
                for code in t.domain.codes:
                    assert ((FindingKind.EXCLUDED, None, t.name, t.decode(code)) in kinds) == (code not in seen)
    for p in scenario.packages:
        given = scenario.encode(p.values)
        inside = [d for d in deals if all(g is None or g == c for g, c in zip(given, d, strict=True))]
        assert ((FindingKind.BLOCKED, p.id, None, None) in kinds) == (not inside)


def test_a_limit_says_the_list_is_cut_and_exits_4() -> None:
    s = load_scenario(
        """
dealcheck: 1
title: Toy
terms:
  ceasefire: {options: [none, energy, full], ordered: true}
  troops: bool
parties:
  russia:
    red_lines:
      no_full: {rule: ceasefire != "full", assumption: toy}
      no_troops: {rule: not troops, assumption: toy}
  europe:
    red_lines:
      troops_after: {rule: troops implies ceasefire == "full", assumption: toy}
"""
    )
    full = explain(s)
    (forced,) = [f for f in full.findings if f.kind == FindingKind.FORCED]
    assert forced.label == "rests on 2 independent readings" and forced.hinges_on == ()
    cut = explain(s, limit=1)
    (forced,) = [f for f in cut.findings if f.kind == FindingKind.FORCED]
    assert not forced.complete and len(forced.sets) == 1 and cut.exit_code == EXIT_LIMIT


# --- the bundled scenario ---------------------------------------------------------------------------------------


def test_bundled_findings_and_labels() -> None:
    s = load_scenario(BUNDLED)
    labels = {f.statement: f.label for f in explain(s).findings}
    assert labels["peacekeepers=none in every deal"].startswith("hinges on Russia (Putin)'s reading of")
    # Under the old reading of Europe's condition, the peacekeepers are ruled out twice, independently.
    v = explain(s.variant("peacekeepers_need_full_ceasefire"))
    (peace,) = [f for f in v.findings if f.statement == "peacekeepers=none in every deal"]
    assert peace.label == "rests on 2 independent readings"
    assert [[r.ref for r in x] for x in peace.sets] == [
        ["russia.no_peacekeepers"],
        ["russia.no_full_ceasefire", "europe.peacekeepers_after_agreement"],
    ]


def test_cli_explain_golden_outputs(monkeypatch) -> None:
    from dealcheck.cli import cli

    monkeypatch.chdir(ROOT)
    for fmt, ext in (("text", "txt"), ("markdown", "md"), ("json", "json")):
        result = CliRunner().invoke(cli, ["explain", "scenarios/ukraine-ceasefire-2025.yaml", "--format", fmt])
        assert result.exit_code == 0, result.output
        golden = (GOLDEN / f"ukraine-explain.{ext}").read_text(encoding="utf-8")
        assert result.output == golden, f"regenerate tests/golden/ukraine-explain.{ext} if the change is intended"
    data = json.loads((GOLDEN / "ukraine-explain.json").read_text(encoding="utf-8"))
    assert data["schema"] == "dealcheck.explain/1"


def test_a_time_limit_stops_honestly_with_exit_4() -> None:
    s = load_scenario(BUNDLED)
    r = explain(s, time_limit=1e-9)
    assert r.timed_out and r.exit_code == EXIT_LIMIT and not r.complete
    assert r.not_reached and r.not_reached[-1] == "package mediator_settlement"
    from dealcheck.report import render

    assert "the time limit stopped the analysis before" in render(r, "text")
    assert json.loads(render(r, "json"))["not_reached"] == list(r.not_reached)


def test_explore_why_and_scenario_explain(monkeypatch) -> None:
    from dealcheck.cli import cli

    monkeypatch.chdir(ROOT)
    result = CliRunner().invoke(cli, ["explore", str(BUNDLED.relative_to(ROOT)), "--top", "0", "--why"])
    assert result.exit_code == 0
    assert "ZONE OF AGREEMENT" in result.output and "peacekeepers=none in every deal" in result.output
    bad = CliRunner().invoke(cli, ["explore", str(BUNDLED.relative_to(ROOT)), "--why", "--format", "json"])
    assert bad.exit_code == 2
    s = load_scenario(BUNDLED)
    r = s.explain(packages=["european_peacekeepers", {"ceasefire": "full"}])
    assert [f.statement for f in r.findings if f.package] == [
        "package european_peacekeepers cannot become a deal",
        "package european_peacekeepers breaks russia.no_peacekeepers in every completion",
        "package given cannot become a deal",
        "package given breaks russia.no_full_ceasefire in every completion",
    ]


def test_the_robustness_labels_the_bundled_doc_states() -> None:
    """docs/ukraine-ceasefire-2025.md, "How robust each finding is": every label it states."""
    s = load_scenario(BUNDLED)

    def labels(scenario: Scenario, packages: list | None = None) -> dict[str, str]:
        return {f.statement: f.label for f in scenario.explain(packages=packages).findings}

    russia = "hinges on Russia (Putin)'s reading of "
    base = labels(s)
    assert (
        base["ceasefire=full is in no deal"] == russia + '"rejected a full 30-day ceasefire" (russia.no_full_ceasefire)'
    )
    assert base["package us_full_ceasefire cannot become a deal"] == base["ceasefire=full is in no deal"]
    assert (
        base["package mediator_full_ceasefire_guarantees cannot become a deal"] == base["ceasefire=full is in no deal"]
    )
    assert base["ukraine_nato=outside in every deal"].startswith(
        russia + '"strenuously opposed to Ukraine joining NATO"'
    )
    assert base["peacekeepers=none in every deal"].startswith(russia + '"hosting foreign peacekeeping forces"')
    assert base["package european_peacekeepers cannot become a deal"] == base["peacekeepers=none in every deal"]
    assert base["occupied_territory=returned is in no deal"].startswith(russia + '"officially taking back territory')
    assert all(label.startswith("hinges on Russia") for label in base.values())
    settlement = labels(s, [{"phase": "settlement", "security_guarantees": "none"}])
    assert settlement["package given cannot become a deal"].startswith(
        'hinges on Ukraine (Zelensky)\'s reading of "are an essential component of any peace deal"'
    )
    full = labels(s.variant("peacekeepers_need_full_ceasefire"))
    assert full["peacekeepers=none in every deal"] == "rests on 2 independent readings"
    saceur = labels(s.variant("senators_veto_saceur_plan"))
    assert saceur["saceur=american in every deal"].startswith(
        'hinges on Republican senators\' reading of "drawn rare Republican resistance"'
    )
    kallas = labels(s.variant("europe_vetoes_kallas_plan"))
    assert kallas["european_aid=kallas_43bn is in no deal"].startswith(
        'hinges on European governments\' reading of "falter amid pushback from European leaders"'
    )
    hard = labels(s.variant("us_hard_line"))
    assert hard["package mediator_settlement cannot become a deal"] == "rests on 2 independent readings"
