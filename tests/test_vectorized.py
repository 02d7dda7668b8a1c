"""Batch checking (Scenario.check_many) gives, row by row, what Scenario.check gives one package at a time."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.errors import UsageError
from dealcheck.model import Scenario
from dealcheck.solver import vectorized
from dealcheck.testing.strategies import codes, scenarios


@st.composite
def batches(draw: st.DrawFn) -> tuple[Scenario, list[tuple[int, ...]]]:
    scenario = draw(scenarios(max_terms=4, max_parties=3, max_rules=3))
    rows = draw(st.lists(codes(scenario), min_size=1, max_size=12))
    return scenario, rows


def assert_same_as_check(scenario: Scenario, rows: list[tuple[int, ...]], batch: vectorized.BatchVerdict) -> None:
    assert batch.size == len(rows)
    assert list(batch.rules) == [r.ref for r in scenario.rules()]
    for i, row in enumerate(rows):
        verdict = scenario.check(scenario.decode(row))
        assert bool(batch.deal[i]) == verdict.deal
        for party in verdict.parties:
            assert bool(batch.acceptable[party.party][i]) == party.acceptable
            assert float(batch.score[party.party][i]) == pytest.approx(party.score)
            for outcome in party.red_lines + party.demands:
                assert bool(batch.rules[outcome.ref][i]) == (outcome.status.value == "held")


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(batches())
def test_check_many_on_values_equals_check(batch: tuple[Scenario, list[tuple[int, ...]]]) -> None:
    scenario, rows = batch
    columns = {t.name: [scenario.decode(row)[t.name] for row in rows] for t in scenario.terms}
    assert_same_as_check(scenario, rows, scenario.check_many(columns))


@settings(max_examples=40, deadline=None)
@given(batches())
def test_check_many_on_codes_and_by_lookup_equals_check(batch: tuple[Scenario, list[tuple[int, ...]]]) -> None:
    """Numpy arrays of codes; with LOOKUP_NODES below every rule, every rule is looked up in its table."""
    scenario, rows = batch
    columns = {t.name: np.array([row[t.index] for row in rows], dtype=np.int64) for t in scenario.terms}
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(vectorized, "LOOKUP_NODES", -1)
        assert_same_as_check(scenario, rows, scenario.check_many(columns))
    assert_same_as_check(scenario, rows, scenario.check_many(columns))


TOY = """
dealcheck: 1
title: Toy
terms:
  ceasefire: {options: [none, energy, full], ordered: true}
  minerals: bool
  aid: {range: [0, 10]}
parties:
  russia:
    red_lines:
      no_full: {rule: ceasefire != "full", assumption: toy}
  us:
    demands:
      minerals: {rule: minerals and aid <= 5, weight: 2, assumption: toy}
"""


def toy() -> Scenario:
    from dealcheck import load_scenario

    return load_scenario(TOY)


def test_a_million_packages() -> None:
    rng = np.random.default_rng(0)
    n = 1_000_000
    columns = {"ceasefire": rng.integers(0, 3, n), "minerals": rng.integers(0, 2, n), "aid": rng.integers(0, 11, n)}
    batch = toy().check_many(columns)
    assert batch.deal.tolist() == (columns["ceasefire"] != 2).tolist()
    expected = (columns["minerals"] == 1) & (columns["aid"] <= 5)
    assert (batch.rules["us.minerals"] == expected).all()


def test_bad_columns_are_usage_errors() -> None:
    s = toy()
    with pytest.raises(UsageError, match="missing: aid"):
        s.check_many({"ceasefire": ["none"], "minerals": [True]})
    with pytest.raises(UsageError, match=r"unknown term .ceasfire."):
        s.check_many({"ceasefire": ["none"], "minerals": [True], "aid": [1], "ceasfire": ["none"]})
    with pytest.raises(UsageError, match="'partial' is not an option of ceasefire"):
        s.check_many({"ceasefire": ["none", "partial"], "minerals": [True, False], "aid": [1, 2]})
    with pytest.raises(UsageError, match="outside the domain of aid"):
        s.check_many({"ceasefire": ["none"], "minerals": [True], "aid": np.array([11])})
    with pytest.raises(UsageError, match="different lengths"):
        s.check_many({"ceasefire": ["none"], "minerals": [True, False], "aid": [1]})


def test_full_check_imports_neither_numpy_nor_ortools() -> None:
    code = textwrap.dedent(
        f"""
        import sys
        import dealcheck
        s = dealcheck.load_scenario({TOY!r})
        assert s.check({{"ceasefire": "full", "minerals": True, "aid": 3}}).deal is False
        heavy = sorted(m for m in ("numpy", "ortools", "constraint") if m in sys.modules)
        print(",".join(heavy))
        """
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_wide_integers_use_int64() -> None:
    """Values beyond int16 (here aid * 2 up to 100000) are computed in int64, not wrapped around."""
    from dealcheck.model import Party, Rule, RuleKind, Term
    from dealcheck.rules.ir import Arith, ArithOp, CmpOp, Compare, Const, Var
    from dealcheck.rules.terms import IntDomain

    rule = Compare(CmpOp.GE, Arith(ArithOp.MUL, Var(0), Const(2)), Const(60000))
    s = Scenario(
        "Wide",
        (Term("aid", 0, IntDomain(0, 50000)),),
        (Party("p", "P", red_lines=(Rule("p", "r", RuleKind.RED_LINE, "aid * 2 >= 60000", rule, assumption="x"),)),),
    )
    aid = np.array([0, 29999, 30000, 50000])
    assert s.check_many({"aid": aid}).deal.tolist() == [False, False, True, True]


def test_negative_codes_are_outside_the_domain() -> None:
    s = toy()
    with pytest.raises(UsageError, match="row 1: code -1 is outside the domain of ceasefire"):
        s.check_many({"ceasefire": np.array([0, -1]), "minerals": np.array([0, 1]), "aid": np.array([1, 2])})
