"""The rule checker: types, lowering, folding, and every DC3xx problem with its position and hint."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.errors import CODES, TextRange
from dealcheck.rules import ir
from dealcheck.rules.checker import MAX_VALUE, check_rule, compile_rule
from dealcheck.rules.ir import ArithOp, CmpOp, Connective
from dealcheck.rules.parser import parse_rule
from dealcheck.rules.printer import format_expr
from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term

TERMS = [
    Term("ceasefire", 0, OptionsDomain(("none", "energy", "full"), ordered=True)),
    Term("nato", 1, OptionsDomain(("member", "open_door", "neutral"))),
    Term("alliance", 2, OptionsDomain(("member", "open_door", "neutral"))),
    Term("minerals", 3, BoolDomain()),
    Term("aid", 4, IntDomain(0, 60)),
    Term("troops", 5, IntDomain(-5, 5)),
]
BY_NAME = {t.name: t for t in TERMS}
CEASEFIRE, NATO, ALLIANCE, MINERALS, AID, TROOPS = range(6)


def ok(text: str) -> ir.BoolExpr:
    expr, problems = compile_rule(text, BY_NAME)
    assert problems == [], problems
    assert expr is not None
    return expr


def bad(text: str) -> list[tuple[str, int, int]]:
    expr, problems = compile_rule(text, BY_NAME)
    assert expr is None and problems
    assert all(p.code in CODES for p in problems)
    return [(p.code, p.where.start, p.where.end) for p in problems]


def only(text: str):
    expr, problems = compile_rule(text, BY_NAME)
    assert expr is None and len(problems) == 1, problems
    return problems[0]


# --- lowering ---------------------------------------------------------------------------------------------------


def test_options_become_codes() -> None:
    assert ok('ceasefire == "full"') == ir.Compare(CmpOp.EQ, ir.Var(CEASEFIRE), ir.Const(2))
    assert ok('"energy" <= ceasefire') == ir.Compare(CmpOp.LE, ir.Const(1), ir.Var(CEASEFIRE))
    assert ok("nato != 'member'") == ir.Compare(CmpOp.NE, ir.Var(NATO), ir.Const(0))
    assert ok('nato in ["neutral", "member"]') == ir.InSet(ir.Var(NATO), frozenset({0, 2}))
    assert ok('nato not in ["neutral"]') == ir.Not(ir.InSet(ir.Var(NATO), frozenset({2})))
    assert ok("nato == alliance") == ir.Compare(CmpOp.EQ, ir.Var(NATO), ir.Var(ALLIANCE))


def test_positions_survive_lowering() -> None:
    expr = ok('aid > 3 and ceasefire == "full"')
    assert expr.where == TextRange(0, 31)
    assert expr.operands[1].right.where == TextRange(25, 31)
    assert expr.operands[0].left.where == TextRange(0, 3)


def test_booleans_are_conditions() -> None:
    assert ok("minerals") == ir.IsTrue(MINERALS)
    assert ok("minerals == true") == ir.IsTrue(MINERALS)
    assert ok("true == minerals") == ir.IsTrue(MINERALS)
    assert ok("minerals == false") == ir.Not(ir.IsTrue(MINERALS))
    assert ok("minerals != false") == ir.IsTrue(MINERALS)
    assert ok("minerals in [false]") == ir.Not(ir.IsTrue(MINERALS))
    assert ok("minerals not in [true]") == ir.Not(ir.IsTrue(MINERALS))
    assert ok("count(minerals, aid > 3) >= 1") == ir.Compare(
        CmpOp.GE,
        ir.Count((ir.IsTrue(MINERALS), ir.Compare(CmpOp.GT, ir.Var(AID), ir.Const(3)))),
        ir.Const(1),
    )


def test_condition_equality_reads_each_side_once() -> None:
    a = ir.IsTrue(MINERALS)
    b = ir.Compare(CmpOp.GT, ir.Var(AID), ir.Const(3))
    assert ok("minerals == (aid > 3)") == ir.Compare(CmpOp.EQ, ir.Count((a,)), ir.Count((b,)))
    assert ok("minerals != (aid > 3)") == ir.Compare(CmpOp.NE, ir.Count((a,)), ir.Count((b,)))
    # Nested equivalences stay linear in size.
    text = "minerals"
    for _ in range(60):
        text = f"({text}) == minerals"
    assert len(repr(ok(text))) < 10_000


def test_arithmetic_and_unary_minus() -> None:
    assert ok("-aid < -3") == ir.Compare(CmpOp.LT, ir.Arith(ArithOp.SUB, ir.Const(0), ir.Var(AID)), ir.Const(-3))
    assert ok("2 * aid + troops * -3 >= 10") == ir.Compare(
        CmpOp.GE,
        ir.Arith(
            ArithOp.ADD,
            ir.Arith(ArithOp.MUL, ir.Const(2), ir.Var(AID)),
            ir.Arith(ArithOp.MUL, ir.Var(TROOPS), ir.Const(-3)),
        ),
        ir.Const(10),
    )
    assert ok("aid * (2 + 3) > 1") == ir.Compare(CmpOp.GT, ir.Arith(ArithOp.MUL, ir.Var(AID), ir.Const(5)), ir.Const(1))
    assert ok("abs(troops) > max(aid, 2) - min(troops)") == ir.Compare(
        CmpOp.GT,
        ir.Abs(ir.Var(TROOPS)),
        ir.Arith(ArithOp.SUB, ir.MinMax(True, (ir.Var(AID), ir.Const(2))), ir.MinMax(False, (ir.Var(TROOPS),))),
    )
    assert ok("aid in [1, 2 + 3, -4]") == ir.InSet(ir.Var(AID), frozenset({1, 5, -4}))


def test_constants_fold() -> None:
    assert ok("3 < 4") == ir.Truth(True)
    assert ok("not true") == ir.Truth(False)
    assert ok("abs(-3) * 2 + max(1, 7) - min(4, 2) == 11") == ir.Truth(True)
    assert ok("2 in [1, 2]") == ir.Truth(True)
    assert ok("2 not in [1, 2]") == ir.Truth(False)
    assert ok("true == false") == ir.Truth(False)
    assert ok("aid > -(-(3))") == ir.Compare(CmpOp.GT, ir.Var(AID), ir.Const(3))
    # Only trivial folds: a constant operand of `and` stays, so the tree says what the rule says.
    assert ok("minerals and true") == ir.Logic(Connective.AND, (ir.IsTrue(MINERALS), ir.Truth(True)))


def test_logic_and_implies() -> None:
    assert ok("minerals implies not (aid > 3 or troops < 0)") == ir.Implies(
        ir.IsTrue(MINERALS),
        ir.Not(
            ir.Logic(
                Connective.OR,
                (
                    ir.Compare(CmpOp.GT, ir.Var(AID), ir.Const(3)),
                    ir.Compare(CmpOp.LT, ir.Var(TROOPS), ir.Const(0)),
                ),
            )
        ),
    )


def test_terms_as_a_sequence() -> None:
    assert compile_rule("minerals", TERMS)[0] == ir.IsTrue(MINERALS)


def test_check_rule_takes_a_parsed_tree() -> None:
    tree, _ = parse_rule("aid >= 10")
    assert check_rule(tree, BY_NAME) == (ir.Compare(CmpOp.GE, ir.Var(AID), ir.Const(10)), [])


# --- problems ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "code", "start", "end", "hint"),
    [
        ('sanction == "x"', "DC301", 0, 8, "the terms are aid, alliance, ceasefire, minerals, nato, troops"),
        ("ceasfire > 1", "DC301", 0, 8, "did you mean 'ceasefire'?"),
        ("Minerals", "DC301", 0, 8, "did you mean 'minerals'?"),
        ("True", "DC301", 0, 4, "write `true` in lowercase"),
        ("minerals and Aid > 1", "DC301", 13, 16, "did you mean 'aid'?"),
        ('nato == "neutrl"', "DC302", 8, 16, "did you mean 'neutral'?"),
        ('nato == "Neutral"', "DC302", 8, 17, "did you mean 'neutral'?"),
        ('nato in ["member", "zzz"]', "DC302", 19, 24, "the options of nato are member, open_door, neutral"),
        ("nato == 3", "DC303", 0, 9, "the options of nato are member, open_door, neutral"),
        ('aid == "x"', "DC303", 0, 10, None),
        ('"a" == "b"', "DC303", 0, 10, None),
        ("ceasefire == nato", "DC303", 0, 17, None),
        ("aid", "DC303", 0, 3, None),
        ("aid + 1", "DC303", 0, 7, None),
        ("ceasefire", "DC303", 0, 9, 'compare it with one of its options: ceasefire == "none"'),
        ('"full"', "DC303", 0, 6, None),
        ("minerals + 1 > 1", "DC303", 0, 8, "count(...) reads conditions as 0 or 1"),
        ("minerals < 3", "DC303", 0, 12, None),
        ("minerals > false", "DC303", 0, 16, None),
        ("not aid", "DC303", 4, 7, None),
        ("aid > 1 and troops", "DC303", 12, 18, None),
        ("count(aid) > 0", "DC303", 6, 9, None),
        ("aid in [troops]", "DC303", 8, 14, None),
        ('aid in ["x"]', "DC303", 8, 11, None),
        ('"x" in ["x"]', "DC303", 0, 3, None),
        ('nato < "neutral"', "DC304", 0, 16, "declare the term with ordered: true"),
        ("nato >= alliance", "DC304", 0, 16, "declare the term with ordered: true"),
        ("aid * troops > 1", "DC305", 0, 12, None),
        ("count() > 1", "DC306", 0, 7, None),
        ("abs(aid, troops) > 1", "DC306", 0, 16, None),
        ("abs() > 1", "DC306", 0, 5, None),
        ("min() > 1", "DC306", 0, 5, None),
        ("max() < 1", "DC306", 0, 5, None),
        ("aid * 1000000000000000 * 10000 > 1", "DC504", 0, 30, None),
        ("1000000000000000 * 1000000000000000 > 1", "DC504", 0, 35, None),
        ("-1000000000000000 * 1000000000000000 * 1000000000000000 < 1", "DC504", 0, 36, None),
    ],
)
def test_type_problems(text: str, code: str, start: int, end: int, hint: str | None) -> None:
    p = only(text)
    assert (p.code, p.where.start, p.where.end) == (code, start, end), p
    if hint is not None:
        assert p.hint == hint


def test_every_problem_is_reported_at_once() -> None:
    assert bad('sanction == "x" and nato == "zzz" or aid * troops > 1 or count() > 1') == [
        ("DC301", 0, 8),
        ("DC302", 28, 33),
        ("DC305", 37, 49),
        ("DC306", 57, 64),
    ]


def test_syntax_problems_pass_through() -> None:
    assert bad("aid = 3") == [("DC202", 4, 5)]


def test_no_sub_expression_exceeds_the_value_limit() -> None:
    # 60 * 10**15 * 76 < 2**62 < 60 * 10**15 * 77
    assert ok("aid * 1000000000000000 * 76 > 0") is not None
    assert bad("aid * 1000000000000000 * 77 > 0") == [("DC504", 0, 27)]
    assert bad("abs(troops * -1000000000000000) * 1000000000000000 > 0") == [("DC504", 0, 50)]
    value = 1000000000000000 * 4611
    assert value <= MAX_VALUE < value + 1000000000000000
    assert ok("1000000000000000 * 4611 > aid") == ir.Compare(CmpOp.GT, ir.Const(value), ir.Var(AID))


def test_injection_strings_are_problems() -> None:
    for text in ["__import__('os').system('rm -rf /')", "ceasefire.__class__", "x[0]", "lambda: 1", "open('f')"]:
        expr, problems = compile_rule(text, BY_NAME)
        assert expr is None and problems


_PIECES = st.sampled_from(
    list("019 ()[],+-*<>=!\"'.")
    + [
        "and ",
        "or ",
        "not ",
        "in ",
        "implies ",
        "true",
        "false",
        "count(",
        "abs(",
        "min(",
        "max(",
        "aid",
        "troops",
        "minerals",
        "nato",
        "ceasefire",
        "alliance",
        '"full"',
        '"member"',
        "==",
        "!=",
        "<=",
        " ",
        "99999999999999999",
        "1000000000000000",
        "True",
        "nto",
    ]
)


@pytest.mark.slow
@settings(max_examples=500, deadline=None)
@given(st.lists(_PIECES, max_size=30).map("".join))
def test_any_text_gives_a_tree_or_problems_never_an_exception(text: str) -> None:
    expr, problems = compile_rule(text, BY_NAME)
    assert (expr is None) == bool(problems)
    for p in problems:
        assert p.code in CODES
        assert 0 <= p.where.start <= p.where.end <= len(text)
    if expr is not None:  # what the checker accepts, the printer writes back to the same tree
        assert compile_rule(format_expr(expr, TERMS), BY_NAME)[0] == expr
