"""The three-valued evaluator and the compiled checker: Kleene logic, intervals, depth, and agreement."""

from __future__ import annotations

import itertools
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.rules.evaluator import bounds, evaluate, evaluate_int
from dealcheck.rules.ir import (
    Abs,
    Arith,
    ArithOp,
    CmpOp,
    Compare,
    Connective,
    Const,
    Count,
    Implies,
    InSet,
    IsTrue,
    Logic,
    MinMax,
    Not,
    Truth,
    Var,
)
from dealcheck.solver.compiled import compile_rule, compile_rules, rule_source
from dealcheck.testing.strategies import codes, rules, scenarios

AND, OR = Connective.AND, Connective.OR
T, F, OPEN = IsTrue(0), IsTrue(1), IsTrue(2)
KNOWN = (1, 0, None)  # term 0 true, term 1 false, term 2 open


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        (Logic(AND, (F, OPEN)), False),
        (Logic(AND, (T, OPEN)), None),
        (Logic(OR, (T, OPEN)), True),
        (Logic(OR, (F, OPEN)), None),
        (Implies(F, OPEN), True),
        (Implies(OPEN, T), True),
        (Implies(T, OPEN), None),
        (Implies(OPEN, F), None),
        (Implies(T, F), False),
        (Not(OPEN), None),
        (Not(F), True),
        (Logic(AND, (T, Not(F))), True),
    ],
)
def test_kleene_logic(expr, expected):
    assert evaluate(expr, KNOWN) is expected


def test_count_is_an_interval_of_surely_and_possibly_true():
    c = Count((T, F, OPEN, OPEN))
    assert bounds(c, KNOWN) == (1, 3)
    assert evaluate(Compare(CmpOp.GE, c, Const(1)), KNOWN) is True
    assert evaluate(Compare(CmpOp.GT, c, Const(3)), KNOWN) is False
    assert evaluate(Compare(CmpOp.EQ, c, Const(2)), KNOWN) is None
    assert evaluate(InSet(c, frozenset({1, 2, 3})), KNOWN) is True
    assert evaluate(InSet(c, frozenset({0, 4})), KNOWN) is False


def test_intervals_use_domains_of_open_terms_and_are_unknown_without_them():
    rule = Compare(CmpOp.GT, Arith(ArithOp.ADD, Var(0), Const(2)), Const(1))
    assert evaluate(rule, [None], domains=[(0, 5)]) is True
    assert evaluate(rule, [None]) is None
    assert evaluate(rule, [None], domains=[(-3, 5)]) is None
    assert bounds(Arith(ArithOp.MUL, Const(-2), Var(0)), [None], [(-1, 3)]) == (-6, 2)
    assert bounds(Abs(Var(0)), [None], [(-4, 2)]) == (0, 4)
    assert bounds(MinMax(False, (Var(0), Const(1))), [None], [(-4, 2)]) == (-4, 1)
    assert bounds(MinMax(True, (Var(0), Const(1))), [None], [(-4, 2)]) == (1, 2)


def test_evaluate_int_on_a_full_package():
    e = Arith(ArithOp.SUB, Abs(Arith(ArithOp.MUL, Var(0), Const(3))), MinMax(True, (Var(1), Const(2))))
    assert evaluate_int(e, [-2, 7]) == 6 - 7
    assert evaluate_int(e, [-2, None]) is None
    assert evaluate_int(Count((Truth(True), IsTrue(0))), [1]) == 2


def test_deep_rules_need_no_recursion():
    depth = 400  # far deeper than the parser allows (100)
    expr = IsTrue(0)
    for _ in range(depth):
        expr = Not(expr)
    assert evaluate(expr, [1]) is True
    assert compile_rules((expr,))((1,)) == (True,)
    num = Var(0)
    for k in range(depth):
        num = Arith(ArithOp.ADD, num, Const(k % 3))
    assert evaluate_int(num, [5]) == 5 + sum(k % 3 for k in range(depth))
    assert compile_rules((Compare(CmpOp.EQ, num, Const(5 + sum(k % 3 for k in range(depth)))),))((5,)) == (True,)


def test_generated_source_holds_only_indices_ints_and_operators():
    rule = Logic(
        OR, (InSet(Var(2), frozenset({0, 3})), Compare(CmpOp.LE, Count((IsTrue(1), Not(IsTrue(0)))), Const(-1)))
    )
    source = rule_source([rule, Truth(False)])
    assert re.fullmatch(r"[\sa-zFT_0-9\[\](){},+\-*<>=!:]*", source), source
    assert set(re.findall(r"[A-Za-z_]+", source)) <= {
        "def",
        "check_all",
        "v",
        "return",
        "in",
        "or",
        "and",
        "not",
        "abs",
        "min",
        "max",
        "False",
        "True",
    }
    assert compile_rules((rule, Truth(False)))((1, 1, 3)) == (True, False)
    assert compile_rule(rule, [0, 1, 2])(0, 0, 1) is False


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(st.data())
def test_three_valued_evaluation_never_contradicts_a_completion(data):
    scenario = data.draw(scenarios(max_terms=3, max_parties=1, max_rules=0))
    rule = data.draw(rules(scenario, max_depth=3))
    partial = data.draw(codes(scenario, partial=True))
    domains = [(t.domain.codes.start, t.domain.codes.stop - 1) for t in scenario.terms]
    verdicts = {evaluate(rule, partial), evaluate(rule, partial, domains)}
    open_domains = [t.domain.codes if c is None else (c,) for t, c in zip(scenario.terms, partial, strict=True)]
    truths = {evaluate(rule, full) for full in itertools.product(*open_domains)}
    assert None not in truths  # a full package always decides a rule
    for v in verdicts - {None}:
        assert truths == {v}
    if len(truths) == 2:
        assert verdicts == {None}


@pytest.mark.slow
@settings(max_examples=80, deadline=None)
@given(st.data())
def test_compiled_checker_agrees_with_the_evaluator_on_full_packages(data):
    scenario = data.draw(scenarios(max_terms=4, max_depth=3))
    exprs = tuple(r.expr for r in scenario.rules())
    check = compile_rules(exprs)
    for _ in range(3):
        full = data.draw(codes(scenario))
        assert check(full) == tuple(evaluate(e, full) for e in exprs)
