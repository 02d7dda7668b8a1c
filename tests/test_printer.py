"""The printer: checked trees back to rule text that reads back to the same tree."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.rules import ir
from dealcheck.rules.checker import compile_rule
from dealcheck.rules.ir import ArithOp, CmpOp, Connective
from dealcheck.rules.printer import format_expr
from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term

TERMS = [
    Term("ceasefire", 0, OptionsDomain(("none", "energy", "full"), ordered=True)),
    Term("nato", 1, OptionsDomain(("member", "open_door", "neutral"))),
    Term("alliance", 2, OptionsDomain(("member", "open_door", "neutral"))),
    Term("minerals", 3, BoolDomain()),
    Term("aid", 4, IntDomain(0, 60)),
    Term("troops", 5, IntDomain(-5, 5)),
    Term("quoted", 6, OptionsDomain(('say "hi"', "back\\slash", "it's", "two words", ""))),
]
CEASEFIRE, NATO, ALLIANCE, MINERALS, AID, TROOPS, QUOTED = range(7)
OPTION_TERMS = [CEASEFIRE, NATO, ALLIANCE, QUOTED]


def read_back(text: str) -> ir.BoolExpr:
    expr, problems = compile_rule(text, TERMS)
    assert problems == [], (text, problems)
    assert expr is not None
    return expr


@pytest.mark.parametrize(
    ("text", "printed"),
    [
        ('ceasefire == "full"', None),
        ('"energy" <= ceasefire', None),
        ("nato not in ['member', 'neutral']", 'nato not in ["member", "neutral"]'),
        ("not (nato in ['member'])", 'nato not in ["member"]'),
        ("nato == alliance", None),
        ("minerals == false", "not minerals"),
        ("minerals == (aid > 3)", "count(minerals) == count(aid > 3)"),
        ("(minerals and aid > 1) and troops < 0", None),
        ("minerals and (aid > 1 or troops < 0)", None),
        ("minerals or aid > 1 and troops < 0", None),
        ("(minerals implies aid > 1) implies troops < 0", None),
        ("minerals implies aid > 1 implies troops < 0", None),
        ("not not minerals", None),
        ("-aid < -3", None),
        ("- -aid > 0", None),
        ("-(aid + troops) * 2 >= troops - (aid - 1)", None),
        ("aid * -3 + -2 * troops != 7", None),
        ("count(minerals, not minerals, aid in [-2, 1, 3]) == abs(troops) + max(aid, 1) - min(troops)", None),
        (
            "quoted in ['say \"hi\"', 'back\\\\slash', \"it's\", '']",
            'quoted in [\'say "hi"\', "back\\\\slash", "it\'s", ""]',
        ),
        ("true", None),
        ("false or minerals", None),
    ],
)
def test_prints_minimal_text_that_reads_back(text: str, printed: str | None) -> None:
    expr = read_back(text)
    out = format_expr(expr, TERMS)
    assert out == (printed if printed is not None else text)
    assert read_back(out) == expr


def test_values_outside_the_domain_are_refused() -> None:
    with pytest.raises(ValueError, match="not the code of an option"):
        format_expr(ir.Compare(CmpOp.EQ, ir.Var(NATO), ir.Const(7)), TERMS)
    with pytest.raises(ValueError, match="out of range"):
        format_expr(ir.IsTrue(99), TERMS)


# --- a small local strategy for checked trees ----------------------------------------------------------------------
# Only trees the checker itself would produce: no arithmetic, comparison or min/max over constants alone (those it
# folds), no `not` over a constant, conditions compared only through count(...).

_consts = st.integers(-20, 20).map(ir.Const)


def _option_conditions() -> st.SearchStrategy[ir.BoolExpr]:
    def for_term(index: int) -> st.SearchStrategy[ir.BoolExpr]:
        domain = TERMS[index].domain
        assert isinstance(domain, OptionsDomain)
        ops = list(CmpOp) if domain.ordered else [CmpOp.EQ, CmpOp.NE]
        code = st.integers(0, len(domain.options) - 1).map(ir.Const)
        var = st.just(ir.Var(index))
        return st.one_of(
            st.builds(ir.Compare, st.sampled_from(ops), var, code),
            st.builds(ir.Compare, st.sampled_from(ops), code, var),
            st.builds(ir.InSet, var, st.frozensets(st.integers(0, len(domain.options) - 1))),
        )

    same_options = st.builds(
        ir.Compare,
        st.sampled_from([CmpOp.EQ, CmpOp.NE]),
        st.sampled_from([ir.Var(NATO), ir.Var(ALLIANCE)]),
        st.sampled_from([ir.Var(NATO), ir.Var(ALLIANCE)]),
    )
    return st.one_of(*(for_term(i) for i in OPTION_TERMS), same_options)


_simple_conditions = st.one_of(st.just(ir.IsTrue(MINERALS)), st.builds(ir.Truth, st.booleans()), _option_conditions())


def _extend_ints(inner: st.SearchStrategy[ir.IntExpr]) -> st.SearchStrategy[ir.IntExpr]:
    any_int = st.one_of(inner, _consts)
    return st.one_of(
        st.builds(ir.Arith, st.sampled_from([ArithOp.ADD, ArithOp.SUB]), inner, any_int),
        st.builds(ir.Arith, st.sampled_from([ArithOp.ADD, ArithOp.SUB]), _consts, inner),
        st.builds(ir.Arith, st.just(ArithOp.MUL), inner, _consts),
        st.builds(ir.Arith, st.just(ArithOp.MUL), _consts, inner),
        st.builds(ir.Abs, inner),
        st.builds(
            lambda is_max, x, rest: ir.MinMax(is_max, (x, *rest)), st.booleans(), inner, st.lists(any_int, max_size=2)
        ),
    )


# Integer expressions that are not constant (the checker folds constant ones); count(...) here holds simple
# conditions, and compound conditions get counted in _extend_conditions.
_ints = st.recursive(
    st.one_of(
        st.sampled_from([ir.Var(AID), ir.Var(TROOPS)]),
        st.lists(_simple_conditions, min_size=1, max_size=3).map(lambda cs: ir.Count(tuple(cs))),
    ),
    _extend_ints,
    max_leaves=4,
)


def _extend_conditions(inner: st.SearchStrategy[ir.BoolExpr]) -> st.SearchStrategy[ir.BoolExpr]:
    cmp_ops = st.sampled_from(list(CmpOp))
    return st.one_of(
        st.builds(ir.Compare, cmp_ops, _ints, st.one_of(_ints, _consts)),
        st.builds(ir.Compare, cmp_ops, _consts, _ints),
        st.builds(ir.InSet, _ints, st.frozensets(st.integers(-10, 10), max_size=4)),
        st.builds(ir.Not, inner.filter(lambda e: not isinstance(e, ir.Truth))),
        st.builds(ir.Logic, st.sampled_from(list(Connective)), st.lists(inner, min_size=2, max_size=3).map(tuple)),
        st.builds(ir.Implies, inner, inner),
        st.builds(  # conditions compared with each other, as the checker lowers them
            lambda op, a, b: ir.Compare(op, ir.Count((a,)), ir.Count((b,))),
            st.sampled_from([CmpOp.EQ, CmpOp.NE]),
            inner,
            inner,
        ),
        st.builds(
            lambda cs, k: ir.Compare(CmpOp.GE, ir.Count(tuple(cs)), k), st.lists(inner, min_size=1, max_size=3), _consts
        ),
    )


#: Well-typed checked trees over TERMS, only ones the checker itself produces (nothing it would fold: no arithmetic,
#: comparison or min/max over constants alone, no `not` over a constant). Shrinks towards a single boolean term.
checked_trees = st.recursive(_simple_conditions, _extend_conditions, max_leaves=8)


@pytest.mark.slow
@settings(max_examples=300, deadline=None)
@given(checked_trees)
def test_round_trip(expr: ir.BoolExpr) -> None:
    text = format_expr(expr, TERMS)
    again = read_back(text)
    assert again == expr, text
    assert format_expr(again, TERMS) == text


@settings(max_examples=200, deadline=None)
@given(checked_trees)
def test_printed_text_has_no_needless_parentheses(expr: ir.BoolExpr) -> None:
    # Dropping any one pair of parentheses changes the meaning or breaks the rule.
    text = format_expr(expr, TERMS)
    opens: list[tuple[int, bool]] = []
    pairs = []
    i = 0
    while i < len(text):
        c = text[i]
        if c in "\"'":  # skip a string, escapes and all
            i += 1
            while text[i] != c:
                i += 2 if text[i] == "\\" else 1
        elif c == "(":
            opens.append((i, text[:i].endswith(("count", "abs", "min", "max"))))
        elif c == ")":
            start, is_call = opens.pop()
            if not is_call:
                pairs.append((start, i))
        i += 1
    for start, end in pairs:
        dropped = text[:start] + " " + text[start + 1 : end] + " " + text[end + 1 :]
        again, problems = compile_rule(dropped, TERMS)
        assert problems or again != expr, (text, dropped)
