"""The best deal by total score without the frontier (issue 14, fast repeated solves): one maximise of the scaled
total, then the smallest deal reaching it, on one model whose scratch copies are cloned, not rebuilt. Held to an
independent brute force and to the frontier walk it replaces, on generated scenarios; plus the dynamic
programming's wide demands (a wrong best deal before) and the model copy's independence."""

from __future__ import annotations

from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_objectives import ref_deals, ref_scores, weighted_scenarios

import dealcheck.analysis.explore as explore_module
from dealcheck import load_scenario
from dealcheck.analysis.explore import best_deals, explore
from dealcheck.analysis.objectives import Scorer
from dealcheck.analysis.skyline import skyline
from dealcheck.model import Scenario
from dealcheck.rules.evaluator import evaluate_int
from dealcheck.rules.ir import CmpOp, Compare, Const, Var
from dealcheck.solver.base import Constraints, Deadline, SolveStatus
from dealcheck.solver.cpsat import CpsatModel, CpsatSession


def ref_best_total(scenario: Scenario) -> tuple[int, ...] | None:
    given_codes = scenario.encode(dict(scenario.packages[0].values)) if scenario.packages else ()
    deals = ref_deals(scenario, {i: c for i, c in enumerate(given_codes) if c is not None})
    return min(deals, key=lambda d: (-sum(ref_scores(scenario, d), Fraction(0)), d), default=None)


def searched(scenario: Scenario, monkeypatch: pytest.MonkeyPatch, *, walk: bool) -> list[tuple[int, ...]]:
    """best_deals(top=1) and explore(top=1, no frontier) by search (no listing, no dynamic programming); with
    ``walk`` the scaled total is refused, as past 52 bits, so the frontier walk answers."""
    with monkeypatch.context() as m:
        m.setattr(explore_module, "DYNAMIC_PROGRAMMING", False)
        m.setattr(explore_module, "LIST_PACKAGES", 0)
        m.setattr(explore_module, "SMALL_ZONE", 0)
        if walk:
            m.setattr(Scorer, "total_expr", lambda self: None)
        package = scenario.packages[0] if scenario.packages else None
        alone = best_deals(scenario, top=1, package=package)
        report = explore(scenario, top=1, pareto_limit=0, package=package)
    assert report.complete and report.ranking == ("search" if alone else report.ranking)
    assert [b.values for b in report.best] == [b.values for b in alone]
    return [scenario.encode(dict(b.values)) for b in alone]


@pytest.mark.slow
@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)
@given(scenario=weighted_scenarios())
def test_direct_total_gives_the_frontier_walks_deal(scenario: Scenario, monkeypatch: pytest.MonkeyPatch) -> None:
    expected = ref_best_total(scenario)
    direct = searched(scenario, monkeypatch, walk=False)
    assert direct == ([] if expected is None else [expected])
    assert searched(scenario, monkeypatch, walk=True) == direct


@settings(max_examples=50, deadline=None)
@given(scenario=weighted_scenarios(), data=st.data())
def test_scaled_total_is_the_expressions_value(scenario: Scenario, data: st.DataObject) -> None:
    scorer = Scorer(scenario.parties)
    expr = scorer.total_expr()
    if expr is None:
        return
    codes = tuple(data.draw(st.sampled_from(list(t.domain.codes))) for t in scenario.terms)
    assert scorer.scaled_total(codes) == evaluate_int(expr, codes)
    unweighted = sum(1 for i, _ in enumerate(scenario.parties) if i not in scorer.weighted)  # each scores 1 always
    assert Fraction(scorer.scaled_total(codes), scorer.total_scale() or 1) + unweighted == sum(
        ref_scores(scenario, codes)
    )


def test_direct_total_on_a_toy(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_scenario(WIDE)
    assert searched(s, monkeypatch, walk=False) == searched(s, monkeypatch, walk=True) == [(0, 5, 2, 9, 9)]


def test_scaled_total_refused_past_52_bits() -> None:
    from test_objectives import prime_totals_yaml

    assert Scorer(load_scenario(prime_totals_yaml(12)).parties).total_expr() is None  # 12 primes near 7600: 155 bits
    assert Scorer(load_scenario(prime_totals_yaml(2)).parties).total_expr() is not None


WIDE = """
dealcheck: 1
title: Wide demand
terms:
  a: {range: [0, 9]}
  b: {range: [0, 9]}
  c: {range: [0, 9]}
  d: {range: [0, 9]}
  e: {range: [0, 9]}
parties:
  p:
    red_lines:
      low: {rule: a + b <= 5, assumption: toy}
    demands:
      big: {rule: a + b + c + d + e >= 25, weight: 3, assumption: toy}
      small: {rule: c <= 2, assumption: toy}
"""


def test_dynamic_programming_keeps_a_wide_demands_definition() -> None:
    # A demand over 10**5 rows is split into named pieces; their defining tables were left out of the dynamic
    # programming, so the pieces were free and the demand counted as met anywhere: best (0,0,0,0,0), wrongly.
    s = load_scenario(WIDE)
    expected = (0, 5, 2, 9, 9)  # big (a + b = 5, c = 2, d = e = 9) and small (c <= 2): the smallest such
    short = skyline(Constraints.from_scenario(s), Scorer(s.parties), 1, Deadline(None), total_only=True)
    assert short is None or min(short, key=lambda d: (-sum(ref_scores(s, d)), d)) == expected
    assert s.encode(dict(best_deals(s)[0].values)) == expected
    assert s.encode(dict(explore(s, top=1).best[0].values)) == expected


def test_model_copy_is_independent() -> None:
    m = CpsatModel((range(4), range(4)))
    low = m.literal(Compare(CmpOp.LT, Var(0), Const(2)))
    copy = m.copy()
    copy.require(Compare(CmpOp.EQ, Var(1), Const(3)))
    assert copy.literal(Compare(CmpOp.LT, Var(0), Const(2))) is low  # compiled once, valid in the copy
    assert copy.solve(assumptions=[low.Not()]).solution == (2, 3)
    assert m.solve(assumptions=[low.Not()]).solution == (2, 0)  # nothing posted on the copy reached the original
    copy.literal(Compare(CmpOp.GT, Var(1), Const(0)))
    assert Compare(CmpOp.GT, Var(1), Const(0)) not in m._literals


def test_session_scratch_models_are_copies() -> None:
    p = Constraints((range(3), range(3)), (Compare(CmpOp.NE, Var(0), Var(1)),))
    s = CpsatSession(p)
    assert s.lexmin().solution == (0, 1)  # the session's model, now with its smallest-first strategy
    first = s.lexmin([Compare(CmpOp.GE, Var(0), Const(1))])
    assert first.status is SolveStatus.SAT and first.solution == (1, 0)
    assert s.maximise(Var(1), [Compare(CmpOp.EQ, Var(0), Const(2))]).solution == (2, 1)
    assert s._scratch is not None and s._scratch[0].model is not s.model.model  # type: ignore[union-attr]
    assert not s._scratch[0]._smallest_first
