"""Weight sensitivity (dealcheck.analysis.sensitivity): every reported breakpoint is re-solved by an independent brute
force at the breakpoint, just before it and just past it, on random small scenarios with decimal weights and
reservation values (which move with the weights), and "no change" is sampled far out each way."""

from __future__ import annotations

import itertools
import json
import math
import os
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcheck import load_scenario
from dealcheck.analysis.objectives import OBJECTIVES
from dealcheck.analysis.sensitivity import Change, sensitivity
from dealcheck.cli import cli
from dealcheck.model import Party, Rule, RuleKind, Scenario, reservation_rule
from dealcheck.report import render
from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.ir import CmpOp, Compare, Const, Var
from dealcheck.testing import strategies

# --- an independent reference: every package, the evaluator, Fractions ------------------------------------------


def ref_best(scenario: Scenario, objective: str) -> tuple[int, ...] | None:
    red = [r.expr for r in scenario.red_lines()]
    deals = [
        c for c in itertools.product(*(t.domain.codes for t in scenario.terms)) if all(evaluate(e, c) for e in red)
    ]
    if not deals:
        return None
    scores = {}
    for deal in deals:
        row = []
        for p in scenario.parties:
            total = p.total_weight
            met = sum((Fraction(d.weight) for d in p.demands if evaluate(d.expr, deal)), Fraction(0))
            row.append(Fraction(1) if total == 0 else met / total)
        scores[deal] = tuple(row)
    d = tuple(Fraction(p.accepts_at or 0) for p in scenario.parties)
    h = tuple(max(scores[x][i] for x in deals) for i in range(len(scenario.parties)))

    def value(s: tuple[Fraction, ...]) -> Fraction:
        gains = [a - b for a, b in zip(s, d, strict=True)]
        match objective:
            case "total":
                return sum(s, Fraction(0))
            case "maximin":
                return min(gains, default=Fraction(1))
            case "nash":
                return math.prod(gains, start=Fraction(1))
        return min((g / (hi - lo) for g, hi, lo in zip(gains, h, d, strict=True) if hi != lo), default=Fraction(1))

    return min(deals, key=lambda x: (-value(scores[x]), -sum(scores[x]), x))


def reweighted(scenario: Scenario, party: str, demand: str, weight: Fraction) -> Scenario:
    """``scenario`` with one demand's weight changed, and that party's reservation value rebuilt on it."""
    parties = []
    for p in scenario.parties:
        if p.id == party:
            demands = tuple(attrs.evolve(d, weight=weight) if d.id == demand else d for d in p.demands)
            p = attrs.evolve(p, demands=demands)
            if p.accepts_at is not None:
                kept = tuple(r for r in p.red_lines if r.id != "accepts_at")
                rule = reservation_rule(p, p.accepts_at, text="r", assumption="g")
                p = attrs.evolve(p, red_lines=(*kept, rule))
        parties.append(p)
    return attrs.evolve(scenario, parties=tuple(parties))


@st.composite
def weighted_scenarios(draw: st.DrawFn) -> Scenario:
    """Small contested scenarios with decimal weights and, for some parties, a reservation value."""
    terms = draw(strategies.terms(max_terms=3, max_options=3, max_int_width=2).filter(lambda ts: len(ts) >= 2))
    weights: st.SearchStrategy[int | Fraction] = st.sampled_from(
        [1, 2, 3, Fraction(1, 4), Fraction(3, 10), Fraction(7, 8)]
    )

    def wish() -> Compare:
        t = draw(st.sampled_from(terms))
        return Compare(CmpOp.EQ, Var(t.index), Const(draw(st.sampled_from(list(t.domain.codes)))))

    parties = []
    for p in range(draw(st.integers(2, 3))):
        pid = f"p{p}"
        demands = tuple(
            Rule(pid, f"d{k}", RuleKind.DEMAND, "<d>", wish(), weight=draw(weights), assumption="g")
            for k in range(draw(st.integers(0, 3)))
        )
        red: tuple[Rule, ...] = tuple(
            Rule(pid, f"r{k}", RuleKind.RED_LINE, "<r>", draw(strategies.rules(terms, max_depth=1)), assumption="g")
            for k in range(draw(st.sampled_from([0, 0, 1])))
        )
        accepts = draw(st.sampled_from([None, None, None, Fraction(1, 4), Fraction(1, 2)]))
        party = Party(pid, f"Party {p}", red_lines=red, demands=demands, accepts_at=accepts)
        if accepts is not None:
            party = attrs.evolve(party, red_lines=red + (reservation_rule(party, accepts, text="r", assumption="g"),))
        parties.append(party)
    return Scenario("Weighted", terms, tuple(parties), path="<generated>")


TINY = Fraction(1, 10**9)


def check_change(
    best: tuple[int, ...] | None, w0: Fraction, change: Change, best_at: Callable[[Fraction], object]
) -> None:
    """Re-solve at the breakpoint, just before it and just past it (or far out each way when there is none)."""
    up = change.direction == "up"
    if change.at is None:  # sampled: far out, and close to w0
        for u in (w0 * 3 + 7, w0 + TINY) if up else (w0 / 1000, w0 - TINY):
            assert best_at(u) == best, (change.direction, u)
        return
    t = change.at
    assert (t > w0 if up else t < w0) or (t == w0 and not change.inclusive)
    before = t - TINY if up else t + TINY
    if (before > w0) if up else (before < w0):
        assert best_at(before) == best, ("before", change)
        assert best_at((w0 + t) / 2) == best, ("between", change)
    if change.inclusive:
        assert best_at(t) == change.codes, ("at", change)
    else:
        if t != w0:
            assert best_at(t) == best, ("at, not inclusive", change)
        after = t + TINY if up else t - TINY
        assert best_at(after) == change.codes, ("after", change)


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(weighted_scenarios(), st.sampled_from(OBJECTIVES))
def test_breakpoints_match_brute_force(scenario: Scenario, objective: str) -> None:
    report = sensitivity(scenario, objectives=[objective], backend="brute")
    best = ref_best(scenario, objective)
    if best is None:
        assert not report.deals and not report.objectives
        return
    (result,) = report.objectives
    assert result.codes == best
    for w in result.weights:
        for change in (w.up, w.down):
            assert change is not None
            check_change(
                best,
                w.weight,
                change,
                lambda u, w=w: ref_best(reweighted(scenario, w.party, w.name, u), objective),  # type: ignore[misc]
            )


def test_a_tie_at_the_weight_itself_changes_with_any_move() -> None:
    s = load_scenario(
        """
dealcheck: 1
title: Tie
terms: {x: [a, b]}
parties:
  p:
    demands:
      wants_a: {rule: x == "a", assumption: toy}
      wants_b: {rule: x == "b", assumption: toy}
"""
    )
    (total,) = sensitivity(s, objectives=["total"], backend="brute").objectives
    a, b = total.weights
    assert a.up is not None and a.down is not None and b.up is not None and b.down is not None
    assert (a.down.at, a.down.inclusive, b.up.at, b.up.inclusive) == (Fraction(1), False, Fraction(1), False)
    assert b.up.values == {"x": "b"} and a.up.at is None and b.down.at is None


UTILITY = """
dealcheck: 1
title: Utility
terms:
  price: [low, mid, high]
  delivery: {{options: [slow, fast], ordered: true}}
parties:
  buyer:
    utility:
      weights: {{price: {w_price}, delivery: {w_delivery}}}
      values:
        price: {{low: {v_low}, mid: {v_mid}, high: 0.1}}
        delivery: {{slow: 0.2, fast: {v_fast}}}
      normalise: {normalise}
      assumption: toy
{accepts}
  seller:
    demands:
      high: {{rule: price == "high", weight: {w_high}, assumption: toy}}
      slow: {{rule: delivery == "slow", assumption: toy}}
"""


def _text(x: Fraction) -> str:
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.fixed_dictionaries(
        {
            "w_price": st.sampled_from(["0.25", "0.5", "1", "0.3"]),
            "w_delivery": st.sampled_from(["0.25", "0.5", "0.7"]),
            "v_low": st.sampled_from(["0.8", "0.5", "0.4"]),
            "v_mid": st.sampled_from(["0.5", "0.6", "0"]),
            "v_fast": st.sampled_from(["0.6", "1", "0.3"]),
            "normalise": st.sampled_from(["none", "per_issue"]),
            "accepts": st.sampled_from(["", "    accepts_at: 0.3", "    accepts_at: 0.5"]),
            "w_high": st.sampled_from(["1", "2", "0.5"]),
        }
    ),
    st.sampled_from(OBJECTIVES),
)
def test_utility_weights_and_normalisation_match_brute_force(fields: dict[str, str], objective: str) -> None:
    """A utility issue's weight moves all its options' demands and the party's total together; the other
    ``normalise:`` choice is re-loaded from the file's text and solved by brute force."""
    scenario = load_scenario(UTILITY.format(**fields))
    best = ref_best(scenario, objective)
    report = sensitivity(scenario, objectives=[objective], backend="brute")
    if best is None:
        assert not report.deals
        return
    (result,) = report.objectives
    assert result.codes == best
    field = {"buyer.utility.price": "w_price", "buyer.utility.delivery": "w_delivery", "seller.high": "w_high"}
    for w in result.weights:
        if w.ref not in field:
            continue

        def best_at(u: Fraction, name: str = field[w.ref]) -> object:
            return ref_best(load_scenario(UTILITY.format(**{**fields, name: _text(u)})), objective)

        for change in (w.up, w.down):
            assert change is not None
            check_change(best, w.weight, change, best_at)
    (effect,) = report.normalisation
    other = "per_issue" if fields["normalise"] == "none" else "none"
    assert (effect.current, effect.alternative) == (fields["normalise"], other)
    flipped = ref_best(load_scenario(UTILITY.format(**{**fields, "normalise": other})), objective)
    ((name, codes, _, changed),) = effect.best
    assert (name, codes, changed) == (objective, flipped, flipped != best)


# --- the bundled scenario: golden outputs, the CLI, the time limit ---------------------------------------------

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "scenarios" / "ukraine-ceasefire-2025.yaml"
GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.slow
def test_bundled_scenario_golden_outputs() -> None:
    """Every objective, every format; regenerate with DEALCHECK_UPDATE_GOLDEN=1 after an intended change.
    (Each breakpoint here was re-solved with explore at it and 1e-6 each side when it was written: 61 of 61.)"""
    report = sensitivity(load_scenario(BUNDLED))
    assert report.exit_code == 0 and report.patterns == 24
    for ext, fmt in (("txt", "text"), ("md", "markdown"), ("json", "json")):
        shown = render(report, fmt).replace(str(BUNDLED), "scenarios/ukraine-ceasefire-2025.yaml")
        path = GOLDEN / f"ukraine-sensitivity.{ext}"
        if os.environ.get("DEALCHECK_UPDATE_GOLDEN"):
            path.write_text(shown, encoding="utf-8")
        assert shown == path.read_text(encoding="utf-8"), f"regenerate {path.name} if the change is intended"
    data = json.loads(render(report, "json"))
    assert data["schema"] == "dealcheck.sensitivity/1" and data["complete"]
    total = data["objectives"][0]
    four = next(w for w in total["weights"] if w["ref"] == "russia.four_regions")
    assert four["up"] == {
        "changes": True,
        "at": "7/6",
        "at_decimal": 7 / 6,
        "inclusive": False,
        "deal": {**total["deal"], "occupied_territory": "four_regions"},
        "objective": four["up"]["objective"],
    }
    assert four["down"] == {"changes": False}


def test_time_limit_gives_an_honest_partial_answer_and_exit_4(monkeypatch: pytest.MonkeyPatch) -> None:
    """Stopped after the patterns: every weight is named as not reached, none is guessed."""
    import dealcheck.analysis.sensitivity as module

    stop = {"now": False}

    class Clock(module.Deadline):
        def expired(self) -> bool:
            return stop["now"] or super().expired()

    found = module.maximal_patterns

    def patterns_then_stop(*args: Any) -> Any:
        out = found(*args)
        stop["now"] = True
        return out

    monkeypatch.setattr(module, "Deadline", Clock)
    monkeypatch.setattr(module, "maximal_patterns", patterns_then_stop)
    s = load_scenario(
        UTILITY.format(
            **dict.fromkeys(("w_price", "w_delivery", "v_low", "v_mid", "v_fast"), "0.5"),
            normalise="none",
            accepts="",
            w_high="1",
        )
    )
    r = sensitivity(s, objectives=["total"], backend="brute")
    assert r.exit_code == 4 and r.timed_out
    assert r.not_reached == (
        "total: buyer.utility.price",
        "total: buyer.utility.delivery",
        "total: seller.high",
        "total: seller.slow",
    )
    assert all(w.up is None and w.down is None for w in r.objectives[0].weights)
    text = render(r, "text")
    assert "The time limit stopped the analysis before: total:" in text and "not reached (the time limit)" in text
    assert json.loads(render(r, "json"))["objectives"][0]["weights"][0]["up"] is None


def test_cli_exit_codes_and_formats(tmp_path: Path) -> None:
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        UTILITY.format(
            **dict.fromkeys(("w_price", "w_delivery", "v_low", "v_mid", "v_fast"), "0.5"),
            normalise="per_issue",
            accepts="",
            w_high="2",
        )
    )
    runner = CliRunner()
    result = runner.invoke(cli, ["sensitivity", str(scenario), "--objective", "total", "--backend", "brute"])
    assert result.exit_code == 0, result.output
    assert "buyer (normalise: per_issue; with none instead):" in result.output
    result = runner.invoke(cli, ["sensitivity", str(scenario), "--format", "json", "--time-limit", "0.000001"])
    assert result.exit_code == 4
    data = json.loads(result.output)
    assert data["timed_out"] and not data["complete"] and data["not_reached"]
    result = runner.invoke(cli, ["sensitivity", str(scenario), "--objective", "nash", "--format", "html"])
    assert result.exit_code == 0 and '<section id="sensitivity-section">' in result.output
    result = runner.invoke(cli, ["sensitivity", str(scenario), "--objective", "fairest"])
    assert result.exit_code == 2


def test_no_deal_is_said_and_the_report_is_a_report() -> None:
    s = load_scenario(
        """
dealcheck: 1
title: None
terms: {x: [a, b]}
parties:
  p:
    red_lines: {never: {rule: x == "a" and x == "b", assumption: toy}}
    demands: {d: {rule: x == "a", assumption: toy}}
"""
    )
    r = s.sensitivity()
    assert r.exit_code == 0 and not r.deals and r.objectives == ()
    assert "No deal: there is no best deal to move." in r.render("text")
    assert r.to_dict()["schema"] == "dealcheck.sensitivity/1" and r.to_dict()["deals"] is False
