"""repair: suggestions are deals at minimal distance, in the documented order (checked by brute force on generated
scenarios with every backend), and the bundled scenario's repairs."""

from __future__ import annotations

import itertools
import json
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcheck.analysis.repair import repair
from dealcheck.errors import UsageError
from dealcheck.model import Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK
from dealcheck.rules.evaluator import evaluate
from dealcheck.testing import strategies

BUNDLED = Path(__file__).resolve().parent.parent / "scenarios" / "ukraine-ceasefire-2025.yaml"


def total_score(scenario: Scenario, deal: tuple[int, ...]) -> Fraction:
    out = Fraction(0)
    for p in scenario.parties:
        total = sum(d.weight for d in p.demands)
        met = sum(d.weight for d in p.demands if evaluate(d.expr, deal))
        out += Fraction(1) if total == 0 else Fraction(met, total)
    return out


def reference(
    scenario: Scenario, codes: tuple[int | None, ...], keep: set[int], top: int
) -> list[tuple[int, tuple[int, ...]]]:
    """(distance, deal) of the top suggestions: group deals by the proposal's terms, best filling, documented order."""
    red = [r.expr for r in scenario.red_lines()]
    domains = [range(codes[t.index], codes[t.index] + 1) if t.index in keep else t.domain.codes for t in scenario.terms]
    groups: dict[tuple[int | None, ...], tuple[int, Fraction, tuple[int, ...]]] = {}
    for deal in itertools.product(*domains):
        if not all(evaluate(e, deal) for e in red):
            continue
        key = tuple(d if c is not None else None for d, c in zip(deal, codes, strict=True))
        distance = sum(
            t.change_cost for t, c, d in zip(scenario.terms, codes, deal, strict=True) if c is not None and c != d
        )
        best = groups.get(key)
        candidate = (distance, -total_score(scenario, deal), deal)
        if best is None or candidate < best:
            groups[key] = candidate
    ranked = sorted(groups.values())[:top]
    return [(d, deal) for d, _, deal in ranked]


@st.composite
def proposals(draw: st.DrawFn) -> tuple[Scenario, tuple[int | None, ...], set[int], int]:
    scenario = draw(strategies.scenarios(max_terms=4, max_parties=3, max_rules=2))
    # Per-term change costs, so the distance is weighted.
    scenario = attrs.evolve(
        scenario, terms=tuple(attrs.evolve(t, change_cost=draw(st.integers(1, 3))) for t in scenario.terms)
    )
    codes = draw(strategies.codes(scenario, partial=True))
    keep = {i for i, c in enumerate(codes) if c is not None and draw(st.booleans())} if draw(st.booleans()) else set()
    return scenario, codes, keep, draw(st.integers(1, 4))


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proposals())
def test_suggestions_are_the_nearest_deals_in_order(
    case: tuple[Scenario, tuple[int | None, ...], set[int], int],
) -> None:
    scenario, codes, keep, top = case
    want = reference(scenario, codes, keep, top)
    values = scenario.decode(codes)
    keep_names = [scenario.terms[i].name for i in sorted(keep)]
    for backend in ("cpsat", "constraint", "brute"):
        r = repair(scenario, values, keep=keep_names, top=top, backend=backend)
        got = [(s.distance, tuple(scenario.encode(s.values))) for s in r.suggestions]
        assert got == want, backend
        for s in r.suggestions:
            deal = tuple(scenario.encode(s.values))
            assert all(evaluate(x.expr, deal) for x in scenario.red_lines())
            assert s.distance == sum(c.cost for c in s.changes)
            assert {c.term for c in s.filled} == {
                t.name for t, c in zip(scenario.terms, codes, strict=True) if c is None
            }
            assert not {c.term for c in s.changes} & set(keep_names)
        assert r.exit_code == EXIT_OK


def test_us_full_ceasefire_needs_one_change(bundled: Scenario) -> None:
    r = repair(bundled, bundled.package("mediator_full_ceasefire_guarantees"), top=3)
    assert r.broken == ("russia.no_full_ceasefire",) and not r.deal
    first = r.suggestions[0]
    assert first.distance == 1
    assert [(c.term, c.old, c.new) for c in first.changes] == [("ceasefire", "full", "energy_and_black_sea")]
    russia = next(p for p in first.parties if p.party == "russia")
    assert russia.kept == ("no_full_ceasefire",)
    ukraine = next(p for p in first.parties if p.party == "ukraine")
    assert ukraine.lost == ("full_ceasefire",)
    assert [s.distance for s in r.suggestions] == [1, 1, 1]
    # At equal distance, the repair leaving the parties better off comes first: Black Sea, then energy, then none.
    assert [s.changes[0].new for s in r.suggestions] == ["energy_and_black_sea", "energy", "none"]


def test_keep_can_rule_out_every_deal(bundled: Scenario) -> None:
    r = repair(bundled, bundled.package("us_full_ceasefire"), keep=["ceasefire"])
    assert r.suggestions == () and r.exit_code == EXIT_OK


def test_a_deal_needs_no_change(bundled: Scenario) -> None:
    r = repair(bundled, bundled.package("mediator_settlement"), top=1)
    assert r.deal and r.suggestions[0].changes == () and r.suggestions[0].distance == 0


def test_variant_makes_the_settlement_need_a_change(bundled: Scenario) -> None:
    r = repair(bundled.variant("before_softening"), bundled.package("mediator_settlement"), top=1)
    assert r.broken == ("russia.no_eu_accession",)
    assert [(c.term, c.new) for c in r.suggestions[0].changes] == [("eu_accession", "blocked")]


def test_keep_an_open_term_is_a_usage_error(bundled: Scenario) -> None:
    with pytest.raises(UsageError, match="open"):
        repair(bundled, {"ceasefire": "full"}, keep=["peacekeepers"])


def test_time_limit_exits_4(bundled: Scenario) -> None:
    r = repair(bundled, bundled.package("us_full_ceasefire"), backend="brute", time_limit=1e-9)
    assert not r.complete and r.exit_code == EXIT_LIMIT


def test_cli_json_and_exit_codes() -> None:
    from dealcheck.cli import cli

    runner = CliRunner()
    result = runner.invoke(
        cli,
        [
            "repair",
            str(BUNDLED),
            "-p",
            "european_peacekeepers",
            "--set",
            "ceasefire=full",
            "--format",
            "json",
            "--top",
            "1",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["schema"] == "dealcheck.repair/1"
    assert data["broken"] == ["russia.no_full_ceasefire", "russia.no_peacekeepers"]
    assert data["suggestions"][0]["distance"] == 2
    assert runner.invoke(cli, ["repair", str(BUNDLED)]).exit_code == 2
    assert runner.invoke(cli, ["repair", str(BUNDLED), "-p", "nope"]).exit_code == 2
    text = runner.invoke(cli, ["repair", str(BUNDLED), "-p", "us_full_ceasefire", "--top", "1", "--format", "markdown"])
    assert text.exit_code == 0 and "ceasefire: full -> energy_and_black_sea" in text.output
