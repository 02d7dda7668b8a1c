"""Exact counting (dealcheck.solver.counting) against brute-force enumeration with the evaluator."""

from __future__ import annotations

import functools
import itertools
import math
import random

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.rules import evaluator, ir
from dealcheck.rules.syntax import ArithOp, CmpOp, Connective
from dealcheck.solver import counting
from dealcheck.solver.counting import count_per_value, count_solutions

# --- random checked rules over small domains ----------------------------------------------------------------


@st.composite
def domains(draw: st.DrawFn) -> list[range]:
    n = draw(st.integers(1, 5))
    out = []
    for _ in range(n):
        lo = draw(st.sampled_from([0, 0, 0, -2, 1]))
        out.append(range(lo, lo + draw(st.integers(1, 4))))
    return out


@functools.cache  # building strategies is costly: one per size, not one per example
def int_exprs(n: int) -> st.SearchStrategy[ir.IntExpr]:
    leaves = st.one_of(st.builds(ir.Const, st.integers(-3, 3)), st.builds(ir.Var, st.integers(0, n - 1)))

    def extend(inner: st.SearchStrategy[ir.IntExpr]) -> st.SearchStrategy[ir.IntExpr]:
        return st.one_of(
            st.builds(ir.Arith, st.sampled_from([ArithOp.ADD, ArithOp.SUB]), inner, inner),
            st.builds(ir.Arith, st.just(ArithOp.MUL), inner, st.builds(ir.Const, st.integers(-2, 3))),
            st.builds(ir.Abs, inner),
            st.builds(ir.MinMax, st.booleans(), st.lists(inner, min_size=1, max_size=3).map(tuple)),
            st.builds(ir.Count, st.lists(bool_exprs(n, depth=0), min_size=1, max_size=4).map(tuple)),
        )

    return st.recursive(leaves, extend, max_leaves=4)


@functools.cache
def bool_exprs(n: int, depth: int = 2) -> st.SearchStrategy[ir.BoolExpr]:
    var = st.builds(ir.Var, st.integers(0, n - 1))
    atoms = st.one_of(
        st.builds(ir.Truth, st.booleans()),
        st.builds(ir.Compare, st.sampled_from(list(CmpOp)), var, st.builds(ir.Const, st.integers(-2, 4))),
        st.builds(ir.Compare, st.sampled_from(list(CmpOp)), var, var),
        st.builds(ir.InSet, var, st.frozensets(st.integers(-2, 4), max_size=3)),
        st.builds(ir.IsTrue, st.integers(0, n - 1)),
    )
    if depth == 0:
        return atoms
    inner = bool_exprs(n, depth - 1)
    return st.one_of(
        atoms,
        st.builds(ir.Compare, st.sampled_from(list(CmpOp)), int_exprs(n), int_exprs(n)),
        st.builds(ir.Not, inner),
        st.builds(ir.Logic, st.sampled_from(list(Connective)), st.lists(inner, min_size=1, max_size=4).map(tuple)),
        st.builds(ir.Implies, inner, inner),
    )


@st.composite
def problems(draw: st.DrawFn) -> tuple[list[range], list[ir.BoolExpr], dict[int, int]]:
    doms = draw(domains())
    rules = draw(st.lists(bool_exprs(len(doms)), max_size=4))
    fixed = draw(st.dictionaries(st.integers(0, len(doms) - 1), st.integers(-2, 4), max_size=2))
    return doms, rules, fixed


def brute(doms: list[range], rules: list[ir.BoolExpr], fixed: dict[int, int]) -> list[tuple[int, ...]]:
    """Every solution, by enumeration and the evaluator (the meaning every backend must agree with)."""
    return [
        codes
        for codes in itertools.product(*doms)
        if all(codes[t] == v for t, v in fixed.items()) and all(evaluator.evaluate(r, codes) for r in rules)
    ]


# --- properties -----------------------------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(problems())
def test_count_equals_brute_force(problem: tuple[list[range], list[ir.BoolExpr], dict[int, int]]) -> None:
    doms, rules, fixed = problem
    assert count_solutions(doms, rules, fixed) == len(brute(doms, rules, fixed))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(problems())
def test_count_with_rules_cut_into_pieces(problem: tuple[list[range], list[ir.BoolExpr], dict[int, int]]) -> None:
    """With a tiny table limit every rule goes through the auxiliary-variable decomposition."""
    doms, rules, fixed = problem
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(counting, "TABLE_LIMIT", 2)
        assert count_solutions(doms, rules, fixed) == len(brute(doms, rules, fixed))


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(problems())
def test_count_per_value_equals_brute_force(problem: tuple[list[range], list[ir.BoolExpr], dict[int, int]]) -> None:
    doms, rules, fixed = problem
    solutions = brute(doms, rules, fixed)
    per_value = count_per_value(doms, rules, fixed)
    for t, dom in enumerate(doms):
        values = [fixed[t]] if t in fixed and fixed[t] in dom else ([] if t in fixed else list(dom))
        expected = {v: sum(1 for s in solutions if s[t] == v) for v in values}
        if t in fixed and fixed[t] not in dom:
            assert sum(per_value[t].values()) == 0
        else:
            assert per_value[t] == expected


@settings(max_examples=150, deadline=None)
@given(st.data())
def test_row_predicates_equal_the_evaluator(data: st.DataObject) -> None:
    """A rule table's predicate reads each row where its terms stand (``at``: term -> position), with the common
    leaves read directly; on every row of its terms' product it says what the evaluator says on the full codes."""
    doms = data.draw(domains())
    cond = data.draw(bool_exprs(len(doms)))
    scope = tuple(sorted(ir.term_indices(cond)))
    holds = counting._bool_fn(cond, {v: k for k, v in enumerate(scope)})
    value = counting._value_fn(cond, {v: k for k, v in enumerate(scope)})
    for row in itertools.product(*(doms[v] for v in scope)):
        codes = [d[0] for d in doms]
        for v, x in zip(scope, row, strict=True):
            codes[v] = x
        expected = bool(evaluator.evaluate(cond, codes))
        assert bool(holds(row)) == expected
        assert value(row) == int(expected)


@st.composite
def nested_factors(draw: st.DrawFn) -> tuple[counting.Factor, counting.Factor, dict[int, int]]:
    """Two factors, the second's variables all among the first's (in any order), with big multiplicities."""
    n = draw(st.integers(1, 4))
    sizes = {v: draw(st.integers(1, 3)) for v in range(n)}
    outer = tuple(draw(st.permutations(range(n))))
    inner = tuple(draw(st.permutations(draw(st.lists(st.sampled_from(outer), unique=True, max_size=n)))))
    count = st.integers(1, 2**70)

    def table(scope: tuple[int, ...]) -> counting.Table:
        rows = list(itertools.product(*(range(sizes[v]) for v in scope)))
        return {r: draw(count) for r in rows if draw(st.booleans())}

    return (outer, table(outer)), (inner, table(inner)), sizes


@settings(max_examples=150, deadline=None)
@given(nested_factors(), st.booleans())
def test_join_of_nested_scopes(factors: tuple[counting.Factor, counting.Factor, dict[int, int]], swap: bool) -> None:
    """The lookup join (one scope inside the other, either side) is the product, row by row, exactly."""
    a, b, sizes = factors
    if swap:
        a, b = b, a
    scope, table = counting._join(a, b)
    assert sorted(scope) == sorted(set(a[0]) | set(b[0]))
    expected = {}
    for row in itertools.product(*(range(sizes[v]) for v in scope)):
        at = dict(zip(scope, row, strict=True))
        x = a[1].get(tuple(at[v] for v in a[0]), 0) * b[1].get(tuple(at[v] for v in b[0]), 0)
        if x:
            expected[row] = x
    assert table == expected


@settings(max_examples=150, deadline=None)
@given(problems(), st.randoms(use_true_random=False), st.booleans())
def test_any_elimination_plan_counts_exactly(
    problem: tuple[list[range], list[ir.BoolExpr], dict[int, int]], rng: random.Random, big_tables: bool
) -> None:
    """The count and the per-value counts follow a given plan (the size estimate's order; here any order, or a
    part of one, the rest greedy) and stay exact; with ``big_tables`` every join takes the path that reads the
    clock per row (the one large tables take)."""
    doms, rules, fixed = problem
    model = counting._Model.build(doms, rules, fixed)
    if model.empty:
        return
    variables = list(range(len(model.domains)))
    rng.shuffle(variables)
    plan = variables[: rng.randint(0, len(variables))]
    solutions = brute(doms, rules, fixed)
    with pytest.MonkeyPatch.context() as mp:
        if big_tables:
            mp.setattr(counting, "_CLOCK_EVERY", 1)
        factors = [f for f in model.factors if f[0]]
        free = model.free_product() * math.prod(f[1].get((), 0) for f in model.factors if not f[0])
        assert free * counting._eliminate(factors, model.sizes, plan=plan) == len(solutions)
        total, marginals = counting._eliminate_marginals(factors, model.sizes, plan=plan)
    assert free * total == len(solutions)
    if solutions and factors:
        for v in {v for scope, _ in factors for v in scope if v < len(doms)}:
            expected = {x: sum(1 for s in solutions if s[v] == x) for x in model.domains[v]}
            assert {x: free * marginals[v].get(x, 0) for x in model.domains[v]} == expected


# --- sizes listing could never reach --------------------------------------------------------------------------


def test_huge_count_is_exact() -> None:
    """40 independent booleans with one 'a or b' rule: 3/4 of 2**40, exactly."""
    rule = ir.Logic(Connective.OR, (ir.IsTrue(0), ir.IsTrue(1)))
    assert count_solutions([range(2)] * 40, [rule]) == 3 * 2**38


def test_beyond_int64() -> None:
    rules = [ir.Compare(CmpOp.NE, ir.Var(i), ir.Var(i + 1)) for i in range(0, 99, 2)]
    assert count_solutions([range(6)] * 100, rules) == 30**50  # far past 2**63


def test_chain_of_rules_over_many_terms() -> None:
    """A chain x0 <= x1 <= ... <= x59 over 0..3: non-decreasing sequences, C(63, 3); elimination is linear."""
    rules = [ir.Compare(CmpOp.LE, ir.Var(i), ir.Var(i + 1)) for i in range(59)]
    assert count_solutions([range(4)] * 60, rules) == math.comb(63, 3)


def test_wide_rule_is_cut_into_pieces() -> None:
    """'at least 15 of 30 booleans' reads 2**30 rows: too many to tabulate, counted through auxiliaries."""
    rule = ir.Compare(CmpOp.GE, ir.Count(tuple(ir.IsTrue(i) for i in range(30))), ir.Const(15))
    assert count_solutions([range(2)] * 30, [rule]) == sum(math.comb(30, k) for k in range(15, 31))


def test_fixed_values_are_respected() -> None:
    rule = ir.Compare(CmpOp.LT, ir.Var(0), ir.Var(1))
    assert count_solutions([range(4), range(4), range(5)], [rule], fixed={1: 2}) == 2 * 5
    assert count_solutions([range(4), range(4), range(5)], [rule], fixed={2: 9}) == 0  # outside the domain


def test_contradiction_counts_zero() -> None:
    assert count_solutions([range(3)] * 40, [ir.Truth(False)]) == 0
    per_value = count_per_value([range(2)], [ir.Compare(CmpOp.GT, ir.Var(0), ir.Const(5))])
    assert per_value == [{0: 0, 1: 0}]
