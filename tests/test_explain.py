"""Explanations (MUS, MARCO, MCS) on every backend, held to brute force over all subsets of the soft constraints.

The reference enumerates every solution of the hard constraints once and records which soft constraints hold in it;
a set of soft constraints can hold together exactly when some solution keeps all of them. Minimal unsatisfiable
subsets and cheapest correction sets follow by looking at every subset.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcheck.model import Scenario
from dealcheck.rules.ir import BoolExpr, CmpOp, Compare, Const, Not, Var
from dealcheck.solver.base import BACKENDS, Constraints, Deadline
from dealcheck.solver.compiled import compile_rules
from dealcheck.solver.explain import MAP_BACKEND, Explainer, Interrupted, OutOfTime, ordered
from dealcheck.solver.session import open_session
from dealcheck.testing.strategies import scenarios

small_scenarios = scenarios(max_terms=3, max_parties=3, max_rules=3, max_depth=1, max_options=3, max_int_width=3)
fast = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])


class Reference:
    """Which sets of ``soft`` can hold together with ``hard``, by trying every assignment."""

    def __init__(self, domains: list[range], hard: list[BoolExpr], soft: list[BoolExpr], fixed=None) -> None:
        self.n = len(soft)
        check_hard = compile_rules(tuple(hard))
        check_soft = compile_rules(tuple(soft))
        ranges = [
            d if fixed is None or fixed[i] is None else range(fixed[i], fixed[i] + 1) for i, d in enumerate(domains)
        ]
        self.kept = {
            frozenset(i for i, t in enumerate(check_soft(p)) if t)
            for p in itertools.product(*ranges)
            if all(check_hard(p))
        }

    def feasible(self, subset) -> bool:
        s = frozenset(subset)
        return any(s <= k for k in self.kept)

    def muses(self) -> list[tuple[int, ...]]:
        return [
            s
            for size in range(self.n + 1)
            for s in itertools.combinations(range(self.n), size)
            if not self.feasible(s) and all(self.feasible(set(s) - {c}) for c in s)
        ]

    def corrections(self, costs) -> list[tuple[int, ...]]:
        everyone = set(range(self.n))
        options = [
            d
            for size in range(self.n + 1)
            for d in itertools.combinations(range(self.n), size)
            if self.feasible(everyone - set(d))
        ]
        if not options:
            return []
        best = min(sum(costs[i] for i in d) for d in options)
        return ordered(d for d in options if sum(costs[i] for i in d) == best)


def _parts(scenario: Scenario, hard_count: int) -> tuple[list[range], list[BoolExpr], list[BoolExpr]]:
    """The scenario's terms, its first ``hard_count`` red lines as hard constraints and the rest as soft ones."""
    exprs = [r.expr for r in scenario.red_lines()]
    return [t.domain.codes for t in scenario.terms], exprs[:hard_count], exprs[hard_count:]


def _explainer(backend: str, domains, hard, soft, fixed=None) -> Explainer:
    return Explainer(open_session(backend, Constraints(tuple(domains), tuple(hard), fixed)), soft)


@pytest.mark.parametrize("backend", BACKENDS)
@fast
@given(small_scenarios, st.integers(0, 1), st.booleans())
def test_marco_finds_every_mus_and_each_is_unsatisfiable_and_minimal(backend, scenario, hard_count, use_package):
    domains, hard, soft = _parts(scenario, hard_count)
    fixed = scenario.encode(scenario.packages[0].values) if use_package and scenario.packages else None
    ref = Reference(domains, hard, soft, fixed)
    found, complete = _explainer(backend, domains, hard, soft, fixed).muses()
    assert complete
    for s in found:
        assert not ref.feasible(s)
        assert all(ref.feasible(set(s) - {c}) for c in s)
    assert found == ref.muses()


@pytest.mark.parametrize("backend", [b for b in BACKENDS if b != MAP_BACKEND])
@fast
@given(small_scenarios, st.integers(0, 1))
def test_the_map_on_cp_sat_gives_every_backend_the_same_muses(backend, scenario, hard_count):
    """MARCO's map always runs on CP-SAT (MAP_BACKEND; explain.py says why): explaining on another backend must
    still find the same minimal conflicts as explaining on CP-SAT, and verify each on its own backend."""
    domains, hard, soft = _parts(scenario, hard_count)
    mine, complete = _explainer(backend, domains, hard, soft).muses()
    theirs, also = _explainer(MAP_BACKEND, domains, hard, soft).muses()
    assert complete and also
    assert mine == theirs


@pytest.mark.parametrize("backend", BACKENDS)
@fast
@given(small_scenarios, st.integers(1, 2))
def test_a_limit_gives_that_many_muses_and_says_whether_there_are_more(backend, scenario, limit):
    domains, hard, soft = _parts(scenario, 0)
    every = Reference(domains, hard, soft).muses()
    found, complete = _explainer(backend, domains, hard, soft).muses(limit)
    assert set(found) <= set(every)
    assert len(found) == min(limit, len(every))
    assert complete == (len(every) <= limit)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("method", ["deletion", "quickxplain"])
@fast
@given(small_scenarios)
def test_one_mus_by_either_method_is_a_verified_mus(backend, method, scenario):
    domains, hard, soft = _parts(scenario, 0)
    ref = Reference(domains, hard, soft)
    mus = _explainer(backend, domains, hard, soft).mus(method=method)
    if ref.feasible(range(len(soft))):
        assert mus is None
    else:
        assert mus in ref.muses()


@pytest.mark.parametrize("backend", BACKENDS)
@fast
@given(small_scenarios, st.lists(st.integers(1, 3), min_size=9, max_size=9), st.integers(0, 1))
def test_cheapest_corrections_are_every_minimum_cost_mcs(backend, scenario, cost_pool, hard_count):
    domains, hard, soft = _parts(scenario, hard_count)
    costs = cost_pool[: len(soft)]
    ref = Reference(domains, hard, soft)
    found, complete = _explainer(backend, domains, hard, soft).cheapest_corrections(costs)
    assert complete
    assert ordered(d for d, _ in found) == ref.corrections(costs)
    check = compile_rules(tuple(soft))
    for dropped, solution in found:
        assert {i for i, t in enumerate(check(solution)) if not t} == set(dropped)


@pytest.mark.parametrize("backend", BACKENDS)
def test_minimal_subsets_of_rules_that_entail_a_finding(backend):
    # "x <= 1" follows from {x < 1}, and from {x != 2, x != 3} together: the MUSes of the rules with "not finding" hard.
    rules = [
        Compare(CmpOp.LT, Var(0), Const(1)),
        Compare(CmpOp.NE, Var(0), Const(2)),
        Compare(CmpOp.NE, Var(0), Const(3)),
    ]
    finding = Compare(CmpOp.LE, Var(0), Const(1))
    found, complete = _explainer(backend, [range(4)], [Not(finding)], rules).muses()
    assert (found, complete) == ([(0,), (1, 2)], True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_past_the_deadline_nothing_is_claimed(backend):
    rules = [Compare(CmpOp.LT, Var(0), Const(1)), Compare(CmpOp.GT, Var(0), Const(1))]
    e = Explainer(open_session(backend, Constraints((range(3),)), Deadline(0)), rules)
    with pytest.raises(Interrupted) as stopped:
        e.muses()
    assert stopped.value.found == []
    with pytest.raises(OutOfTime):
        e.mus()
    with pytest.raises(Interrupted):
        e.cheapest_corrections()


@pytest.mark.parametrize("backend", BACKENDS)
def test_hard_constraints_alone_infeasible_give_the_empty_mus(backend):
    e = _explainer(backend, [range(2)], [Compare(CmpOp.GT, Var(0), Const(5))], [Compare(CmpOp.EQ, Var(0), Const(0))])
    assert e.muses() == ([()], True)
    assert e.cheapest_corrections() == ([], True)
