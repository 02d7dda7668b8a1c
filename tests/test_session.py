"""Every session answers every question like brute force: find, lexmin, maximise, minimise, count, enumerate, and
solve under assumptions with cores, several questions on one session (the CP-SAT model is reused), on every backend.
"""

from __future__ import annotations

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.rules.evaluator import evaluate, evaluate_int
from dealcheck.rules.ir import Arith, ArithOp, BoolExpr, CmpOp, Compare, Const, IntExpr, Var, weighted_count
from dealcheck.solver.base import BACKENDS, Constraints, Deadline, SolutionCount, SolveStatus
from dealcheck.solver.session import Capability, Session, open_session
from dealcheck.testing.strategies import codes, rules, scenarios


def _solutions(constraints: Constraints, conditions: list[BoolExpr]) -> list[tuple[int, ...]]:
    domains = constraints.free_domains()
    assert domains is not None
    every = (*constraints.constraints, *conditions)
    return [p for p in itertools.product(*domains) if all(evaluate(c, p) for c in every)]


@st.composite
def _questions(draw: st.DrawFn) -> tuple[Constraints, list[BoolExpr], IntExpr]:
    scenario = draw(scenarios(max_terms=3, max_parties=2, max_rules=2, max_depth=2, max_options=3, max_int_width=4))
    fixed = draw(codes(scenario, partial=True))
    conditions = draw(st.lists(rules(scenario, max_depth=1), max_size=2))
    parts = draw(st.lists(st.tuples(st.integers(1, 3), rules(scenario, max_depth=1)), min_size=1, max_size=3))
    objective: IntExpr = weighted_count(parts)
    if draw(st.booleans()):
        objective = Arith(ArithOp.SUB, objective, Var(0))
    return Constraints.from_scenario(scenario, fixed=fixed), conditions, objective


def _value(objective: IntExpr, solution: tuple[int, ...] | None) -> int | None:
    return None if solution is None else evaluate_int(objective, solution)


@pytest.mark.slow
@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=30, deadline=None)
@given(_questions(), st.integers(0, 3))
def test_one_session_answers_every_question_like_brute_force(backend, question, limit):
    constraints, conditions, objective = question
    expected = _solutions(constraints, conditions)
    s = open_session(backend, constraints, Deadline(None))
    assert isinstance(s, Session)

    found = s.find(conditions)
    assert found.status is (SolveStatus.SAT if expected else SolveStatus.UNSAT)
    assert found.solution is None or found.solution in expected
    assert s.lexmin(conditions).solution == (min(expected) if expected else None)
    assert s.count(conditions) == SolutionCount(len(expected), exact=True)
    listing = s.solutions(conditions)
    got = list(listing)
    assert sorted(got) == expected and listing.complete
    listing = s.solutions(conditions, limit=limit)
    assert len(list(listing)) == min(limit, len(expected))
    assert listing.complete == (len(expected) <= limit)

    best = s.maximise(objective, conditions)
    least = s.minimise(objective, conditions)
    values = [evaluate_int(objective, p) for p in expected]
    if not expected:
        assert best.status is least.status is SolveStatus.UNSAT
        return
    assert best.status is least.status is SolveStatus.SAT
    assert _value(objective, best.solution) == max(values) and best.solution in expected
    assert _value(objective, least.solution) == min(values) and least.solution in expected
    # The ranking pattern: the smallest solution at the maximum, asked right after it (CP-SAT reuses the model).
    at = Compare(CmpOp.EQ, objective, Const(max(values)))
    assert s.lexmin([*conditions, at]).solution == min(
        p for p, v in zip(expected, values, strict=True) if v == max(values)
    )
    # The session still answers plain questions afterwards.
    assert s.find().status is (SolveStatus.SAT if _solutions(constraints, []) else SolveStatus.UNSAT)


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=40, deadline=None)
@given(_questions(), st.data())
def test_a_core_is_among_the_assumptions_and_cannot_hold(backend, question, data):
    constraints, soft, _ = question
    s = open_session(backend, constraints)
    ids = [s.soft(e) for e in soft]
    assumed = data.draw(st.lists(st.sampled_from(ids), unique=True)) if ids else []
    answer = s.solve(assume=assumed)
    expected = _solutions(constraints, [soft[ids.index(i)] for i in assumed])
    if expected:
        assert answer.status is SolveStatus.SAT and answer.solution in expected
    else:
        assert answer.status is SolveStatus.UNSAT
        assert set(answer.core) <= set(assumed)
        assert not _solutions(constraints, [soft[ids.index(i)] for i in answer.core])


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=30, deadline=None)
@given(_questions(), st.lists(st.integers(1, 3), min_size=3, max_size=3))
def test_fewest_dropped_breaks_the_least_weight(backend, question, weights):
    constraints, soft, _ = question
    s = open_session(backend, constraints)
    pairs = [(s.soft(e), w) for e, w in zip(soft, weights, strict=False)]
    every = _solutions(constraints, [])
    answer = s.fewest_dropped(pairs)
    if not every:
        assert answer.status is SolveStatus.UNSAT
        return

    def broken(p: tuple[int, ...]) -> int:
        return sum(w for e, (_, w) in zip(soft, pairs, strict=False) if not evaluate(e, p))

    assert answer.status is SolveStatus.SAT
    assert broken(answer.solution) == min(broken(p) for p in every)


@st.composite
def _wanting(draw: st.DrawFn) -> tuple[Constraints, list[BoolExpr], list[BoolExpr]]:
    scenario = draw(scenarios(max_terms=3, max_parties=2, max_rules=2, max_depth=2, max_options=3, max_int_width=4))
    fixed = draw(codes(scenario, partial=True))
    conditions = draw(st.lists(rules(scenario, max_depth=1), max_size=1))
    wanted = draw(st.lists(rules(scenario, max_depth=1), max_size=3))
    return Constraints.from_scenario(scenario, fixed=fixed), conditions, wanted


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=30, deadline=None)
@given(_wanting())
def test_find_most_meets_the_conditions_and_one_wanted_like_brute_force(backend, question):
    constraints, conditions, wanted = question
    expected = [p for p in _solutions(constraints, conditions) if any(evaluate(w, p) for w in wanted)]
    got = open_session(backend, constraints).find_most(conditions, wanted)
    assert got.status is (SolveStatus.SAT if expected else SolveStatus.UNSAT)
    assert got.solution is None or got.solution in expected


@pytest.mark.parametrize("backend", BACKENDS)
def test_past_the_deadline_every_answer_is_unknown_never_wrong(backend):
    c = Constraints((range(3), range(3)), (Compare(CmpOp.LT, Var(0), Var(1)),))
    s = open_session(backend, c, Deadline(0))
    assert s.find().status is SolveStatus.UNKNOWN
    assert s.find_most([], [Compare(CmpOp.EQ, Var(0), Const(1))]).status is SolveStatus.UNKNOWN
    assert s.lexmin().status is SolveStatus.UNKNOWN
    assert s.maximise(Var(0)).status is SolveStatus.UNKNOWN
    assert s.solve(assume=[s.soft(Compare(CmpOp.EQ, Var(0), Const(5)))]).status is SolveStatus.UNKNOWN
    assert not s.count().exact
    listing = s.solutions()
    list(listing)
    assert listing.complete is False


def test_capabilities_say_which_answers_are_native():
    c = Constraints((range(2),))
    assert Capability.CORES in open_session("cpsat", c).native
    assert open_session("brute", c).native == Capability.NONE
    assert open_session("constraint", c).backend == "constraint"


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_enumeration_streams_and_the_caller_may_stop(backend):
    s = open_session(backend, Constraints((range(10),) * 6))  # a million solutions
    listing = s.solutions()
    first = [next(listing) for _ in range(3)]
    assert len(set(first)) == 3 and listing.complete is None
