"""The counting planner (dealcheck.solver.planner) against brute force: every method it can pick gives the exact
count and per-value runs, and a count a budget stops is always between true bounds."""

from __future__ import annotations

import itertools
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_counting import bool_exprs, brute, int_exprs, problems

from dealcheck.rules import ir
from dealcheck.rules.syntax import ArithOp, CmpOp, Connective
from dealcheck.solver import planner
from dealcheck.solver.classes import value_classes
from dealcheck.solver.planner import ROW_BYTES, Budget, count

evaluator = pytest.importorskip("dealcheck.rules.evaluator")

Problem = tuple[list[range], list[ir.BoolExpr], dict[int, int]]


def expand(runs: tuple[tuple[int, int, int], ...]) -> dict[int, int]:
    return {v: n for lo, hi, n in runs for v in range(lo, hi + 1)}


def check_against_brute(problem: Problem, budget: Budget) -> planner.CountResult:
    doms, rules, fixed = problem
    solutions = brute(doms, rules, fixed)
    result = count(doms, rules, fixed, budget=budget, per_value=True)
    assert result.low <= len(solutions) <= result.high
    if result.exact:
        assert result.per_value is not None
        for t, dom in enumerate(doms):
            got = expand(result.per_value[t])
            if t in fixed and fixed[t] not in dom:
                assert sum(got.values()) == 0
                continue
            values = [fixed[t]] if t in fixed else list(dom)
            assert {v: got.get(v, 0) for v in values} == {v: sum(1 for s in solutions if s[t] == v) for v in values}
    return result


@settings(max_examples=200, deadline=None)
@given(problems(), st.sampled_from([1, 4, 16, 10**6]))
def test_every_method_equals_brute_force(problem: Problem, rows: int) -> None:
    """Row budgets from 1 (nothing tabulates: conditioning, enumeration) to plenty (elimination)."""
    check_against_brute(problem, Budget(memory=rows * ROW_BYTES))


@settings(max_examples=100, deadline=None)
@given(problems())
def test_an_expired_deadline_gives_true_bounds(problem: Problem) -> None:
    doms, rules, fixed = problem
    result = count(doms, rules, fixed, budget=Budget(deadline=time.monotonic() - 1), per_value=True)
    n = len(brute(doms, rules, fixed))
    assert result.low <= n <= result.high
    assert result.exact or result.stopped in ("time limit", "memory limit", "enumeration limit")


# --- wide integer ranges: value classes ------------------------------------------------------------------------


@st.composite
def wide_problems(draw: st.DrawFn) -> Problem:
    """One integer term of 64..300 values (classed) next to two small ones, rules with constants across its range."""
    lo = draw(st.sampled_from([0, -150, 7]))
    wide = range(lo, lo + draw(st.integers(64, 300)))
    doms = [wide, range(3), range(-1, 2)]
    var = st.builds(ir.Var, st.just(0))
    const = st.builds(ir.Const, st.integers(lo - 20, lo + 320))
    unary = st.one_of(
        st.builds(ir.Compare, st.sampled_from(list(CmpOp)), var, const),
        st.builds(
            ir.Compare,
            st.sampled_from(list(CmpOp)),
            st.builds(ir.Arith, st.just(ArithOp.MUL), var, st.builds(ir.Const, st.integers(-3, 3))),
            const,
        ),
        st.builds(
            ir.Compare,
            st.sampled_from(list(CmpOp)),
            st.builds(ir.Abs, st.builds(ir.Arith, st.just(ArithOp.SUB), var, const)),
            const,
        ),
        st.builds(
            ir.Compare, st.sampled_from(list(CmpOp)), st.builds(ir.MinMax, st.booleans(), st.tuples(var, const)), const
        ),
        st.builds(ir.InSet, var, st.frozensets(st.integers(lo - 5, lo + 305), max_size=3)),
    )
    small = bool_exprs(3, depth=0).filter(lambda e: 0 not in ir.term_indices(e))
    mixed = st.builds(
        ir.Logic,
        st.sampled_from(list(Connective)),
        st.lists(st.one_of(unary, small), min_size=1, max_size=3).map(tuple),
    )
    counted = st.builds(
        ir.Compare,
        st.sampled_from(list(CmpOp)),
        st.builds(ir.Count, st.lists(st.one_of(unary, small), min_size=1, max_size=3).map(tuple)),
        int_exprs(3).filter(lambda e: 0 not in ir.term_indices(e)),
    )
    rules = draw(st.lists(st.one_of(unary, mixed, counted, small), max_size=4))
    fixed = draw(st.dictionaries(st.integers(1, 2), st.integers(-1, 2), max_size=1))
    return doms, rules, fixed


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(wide_problems(), st.sampled_from([1, 10**6]))
def test_value_classes_count_exactly(problem: Problem, rows: int) -> None:
    check_against_brute(problem, Budget(memory=rows * ROW_BYTES))


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(wide_problems())
def test_every_rule_is_constant_on_every_class(problem: Problem) -> None:
    doms, rules, _ = problem
    for t, classes in value_classes(doms, rules).items():
        for lo, hi in classes:
            for rest in itertools.product(*doms[1:]):
                truths = {tuple(evaluator.evaluate(r, (v, *rest)) for r in rules) for v in range(lo, hi + 1)}
                assert len(truths) == 1, (t, lo, hi)


def test_a_salary_range_of_a_million_values_is_four_classes() -> None:
    """The issue's case: thresholds at three constants, whatever the width."""
    salary = ir.Var(0)
    rules = [
        ir.Compare(CmpOp.GE, salary, ir.Const(110)),
        ir.Compare(CmpOp.LE, salary, ir.Const(160)),
        ir.Logic(Connective.OR, (ir.Not(ir.IsTrue(1)), ir.Compare(CmpOp.LE, salary, ir.Const(150)))),
    ]
    assert value_classes([range(10**6), range(2)], rules) == {0: [(0, 109), (110, 150), (151, 160), (161, 999999)]}
    result = count([range(10**6), range(2)], rules, per_value=True)
    assert (result.low, result.exact) == (51 + 41, True)
    assert result.per_value is not None
    assert result.per_value[0] == ((0, 109, 0), (110, 150, 2), (151, 160, 1), (161, 999999, 0))


def test_range_of_ten_to_the_twelve() -> None:
    rules = [ir.Compare(CmpOp.GT, ir.Var(0), ir.Const(10**12 - 5))]
    assert count([range(10**12)], rules).low == 4


# --- dense graphs: the planner does not build tables of 10**k rows ------------------------------------------------


def dense(k: int, size: int = 10) -> tuple[list[range], list[ir.BoolExpr]]:
    """Every pair of k terms coupled: they differ, and by other than their distance (k queens on a k x size board)."""
    rules: list[ir.BoolExpr] = []
    for i, j in itertools.combinations(range(k), 2):
        diff = ir.Abs(ir.Arith(ArithOp.SUB, ir.Var(i), ir.Var(j)))
        rules.append(ir.Compare(CmpOp.NE, ir.Var(i), ir.Var(j)))
        rules.append(ir.Compare(CmpOp.NE, diff, ir.Const(j - i)))
    return [range(1, size + 1)] * k, rules


def test_dense_family_is_enumerated_not_eliminated() -> None:
    doms, rules = dense(8, 8)
    result = count(doms, rules, budget=Budget(memory=64 << 20), per_value=True)
    assert (result.low, result.exact, [p.method for p in result.parts]) == (92, True, ["enumeration"])
    assert result.per_value is not None and sum(n * (hi - lo + 1) for lo, hi, n in result.per_value[0]) == 92


def test_a_time_limit_stops_a_dense_count_with_bounds() -> None:
    doms, rules = dense(14, 14)
    start = time.monotonic()
    result = count(doms, rules, budget=Budget.within(0.5, 64 << 20))
    assert time.monotonic() - start < 5
    assert not result.exact and result.stopped == "time limit"
    assert 0 <= result.low <= 365_596 <= result.high  # 14 queens
