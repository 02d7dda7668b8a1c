"""check_many on narrow code columns: int8 codes are used as they are, and widened where a rule's arithmetic needs it."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.model import Party, Rule, RuleKind, Scenario
from dealcheck.rules.ir import Arith, ArithOp, CmpOp, Compare, Const, Count, IsTrue, Var
from dealcheck.rules.terms import BoolDomain, IntDomain, Term
from dealcheck.testing.strategies import codes, scenarios


def _scenario() -> Scenario:
    terms = (Term("a", 0, IntDomain(0, 100)), Term("b", 1, IntDomain(-100, 100)), Term("f", 2, BoolDomain()))
    rules = (
        # 100 * 100 and 100 + 100 overflow int8: these must be computed wider.
        Rule(
            "p",
            "prod",
            RuleKind.RED_LINE,
            "a * b <= 5000",
            Compare(CmpOp.LE, Arith(ArithOp.MUL, Var(0), Var(1)), Const(5000)),
            assumption="x",
        ),
        Rule(
            "p",
            "sum",
            RuleKind.RED_LINE,
            "a + b >= 150",
            Compare(CmpOp.GE, Arith(ArithOp.ADD, Var(0), Var(1)), Const(150)),
            assumption="x",
        ),
    )
    demands = tuple(
        Rule("p", f"d{k}", RuleKind.DEMAND, "f", IsTrue(2), weight=100, assumption="x") for k in range(3)
    ) + (
        Rule(
            "p",
            "count",
            RuleKind.DEMAND,
            "count",
            Compare(CmpOp.GE, Count((IsTrue(2), IsTrue(2))), Const(2)),
            weight=90,
            assumption="x",
        ),
    )
    return Scenario("Widths", terms, (Party("p", "P", rules, demands),))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 100), st.integers(-100, 100), st.booleans()), min_size=1, max_size=40))
def test_int8_columns_give_the_answers_of_check(rows: list[tuple[int, int, bool]]) -> None:
    s = _scenario()
    columns = {
        "a": np.array([r[0] for r in rows], dtype=np.int8),
        "b": np.array([r[1] for r in rows], dtype=np.int8),
        "f": np.array([r[2] for r in rows], dtype=np.int8),
    }
    batch = s.check_many(columns)
    for k, (a, b, f) in enumerate(rows):
        v = s.check({"a": a, "b": b, "f": f})
        assert batch.deal[k] == v.deal
        assert batch.rules["p.prod"][k] == (a * b <= 5000)
        assert batch.rules["p.sum"][k] == (a + b >= 150)
        assert batch.score["p"][k] == v.parties[0].score  # total weight 390 does not fit int8
    assert columns["a"].dtype == np.int8  # the caller's columns are left as they were


@settings(max_examples=25, deadline=None)
@given(st.data())
def test_generated_scenarios_on_int8_and_int64_agree(data: st.DataObject) -> None:
    s = data.draw(scenarios())
    rows = data.draw(st.lists(codes(s), min_size=1, max_size=10))
    for dtype in (np.int8, np.int64):
        columns = {t.name: np.array([r[t.index] for r in rows], dtype=dtype) for t in s.terms}
        batch = s.check_many(columns)
        for k, row in enumerate(rows):
            assert bool(batch.deal[k]) == s.check(s.decode(row)).deal
