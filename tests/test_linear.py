"""Linear counting (issue 9 item 3): comparisons of two integer terms counted exactly at any width, held equal to
brute force on small ranges that take the same code path."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.cli import cli
from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.ir import Arith, ArithOp, BoolExpr, CmpOp, Compare, Const, Not, Var
from dealcheck.solver import linear, planner


def _brute(domains: list[range], conds: list[BoolExpr]) -> tuple[int, list[dict[int, int]]]:
    total = 0
    per: list[dict[int, int]] = [{} for _ in domains]
    for codes in itertools.product(*domains):
        if all(evaluate(c, codes) for c in conds):
            total += 1
            for i, v in enumerate(codes):
                per[i][v] = per[i].get(v, 0) + 1
    return total, per


def _value(pieces: list[linear.Piece], v: int) -> int:
    (p,) = [p for lo, hi, p in pieces if lo <= v <= hi]
    out = linear._at(p, v)
    assert out.denominator == 1
    return int(out)


def _sum(terms: list[tuple[int, int]]) -> Arith:
    parts = [Arith(ArithOp.MUL, Const(k), Var(t)) for k, t in terms]
    out = parts[0]
    for p in parts[1:]:
        out = Arith(ArithOp.ADD, out, p)
    assert isinstance(out, Arith)
    return out


@st.composite
def _problems(draw: st.DrawFn) -> tuple[list[range], list[BoolExpr], bool]:
    """A forest of 2-4 terms over small ranges (negatives too): comparisons of two terms (coefficient 1 or -1 on
    one side) or of three, and conditions on one term."""
    n = draw(st.integers(2, 4))
    domains = []
    for _ in range(n):
        lo = draw(st.integers(-4, 3))
        domains.append(range(lo, lo + draw(st.integers(1, 8))))
    conds: list[BoolExpr] = []
    sure = True  # whether the shape is always one linear counting takes
    i = 1
    while i < n:
        j = draw(st.integers(0, i - 1))
        if i + 1 < n and draw(st.booleans()):
            # A sum of three terms: i and i + 1 (coefficient 1 or -1) with an earlier term j (any coefficient).
            ks = [(draw(st.sampled_from([1, -1])), i), (draw(st.sampled_from([1, -1])), i + 1)]
            ks.append((draw(st.sampled_from([1, -1, 2, -3])), j))
            cond: BoolExpr = Compare(draw(st.sampled_from(list(CmpOp))), _sum(ks), Const(draw(st.integers(-6, 8))))
            conds.append(Not(cond) if draw(st.booleans()) else cond)
            if draw(st.booleans()):
                # i and i + 1 also compared directly (x > y and x + y + z <= c): removable only once j is gone.
                direct = _sum([(draw(st.sampled_from([1, -1])), i), (draw(st.sampled_from([1, -1])), i + 1)])
                conds.append(Compare(draw(st.sampled_from(list(CmpOp))), direct, Const(draw(st.integers(-4, 4)))))
                sure = False
            i += 2
            continue
        for _ in range(draw(st.integers(1, 2))):
            a = draw(st.sampled_from([1, -1]))
            b = draw(st.sampled_from([1, -1, 2, -2]))
            cond = Compare(draw(st.sampled_from(list(CmpOp))), _sum([(a, i), (b, j)]), Const(draw(st.integers(-6, 8))))
            conds.append(Not(cond) if draw(st.booleans()) else cond)
        i += 1
    for _ in range(draw(st.integers(0, 3))):
        t = draw(st.integers(0, n - 1))
        conds.append(Compare(draw(st.sampled_from(list(CmpOp))), Var(t), Const(draw(st.integers(-5, 10)))))
    return domains, conds, sure


@settings(max_examples=60, deadline=None)
@given(_problems())
def test_linear_counts_and_marginals_equal_brute_force(problem: tuple[list[range], list[BoolExpr], bool]) -> None:
    domains, conds, sure = problem
    got = linear.count_linear(domains, list(range(len(domains))), conds, marginals=True)
    if got is None:
        assert not sure  # every other problem drawn is a forest with a unit coefficient on one side
        return
    want, per = _brute(domains, conds)
    count, marginals = got
    assert count == want
    if marginals is None:
        return  # no term can be summed last: the count stands alone
    for t, d in enumerate(domains):
        if t not in marginals:
            continue  # t cannot be summed last (tied by coefficient 2, or in a pair with a sum)
        assert [_value(marginals[t], v) for v in d] == [per[t].get(v, 0) for v in d]
        support = [v for lo, hi in linear.positive_intervals(marginals[t]) for v in range(lo, hi + 1)]
        assert support == sorted(per[t])


@pytest.mark.usefixtures("small_ranges_linear")
@settings(max_examples=30, deadline=None)
@given(problem=_problems())
def test_the_planner_counts_linear_parts_like_brute_force(problem: tuple[list[range], list[BoolExpr], bool]) -> None:
    domains, conds, _ = problem
    result = planner.count(domains, conds, per_value=True)
    want, per = _brute(domains, conds)
    assert result.exact and result.low == want
    if result.support is None:
        assert result.per_value is None  # a term that cannot be summed last: the count without its split
        return
    for t, d in enumerate(domains):
        support = result.support[t]
        if support is None:
            assert result.per_value is None  # t could not be summed last: its split is unknown, the rest stands
            continue
        assert [v for lo, hi in support for v in range(lo, hi + 1)] == sorted(per[t])
        if result.per_value is not None:
            counts = {v: n for lo, hi, n in result.per_value[t] for v in range(lo, hi + 1)}
            assert [counts.get(v, 0) for v in d] == [per[t].get(v, 0) for v in d]


@pytest.fixture(scope="module")
def small_ranges_linear():  # type: ignore[no-untyped-def]
    """Small ranges take the linear path (it is tried only on wide parts by default)."""
    saved = planner.LINEAR_MIN_VALUES, planner.QUICK_TABLE
    planner.LINEAR_MIN_VALUES, planner.QUICK_TABLE = 0, 0
    yield
    planner.LINEAR_MIN_VALUES, planner.QUICK_TABLE = saved


def test_x_above_y_is_exact_at_any_width() -> None:
    for width in (3000, 10**9 + 1):
        r = planner.count([range(width), range(width)], [Compare(CmpOp.GT, Var(0), Var(1))], per_value=True)
        assert r.exact and r.low == width * (width - 1) // 2
        assert [p.method for p in r.parts] == ["linear"]
        assert r.support == (((1, width - 1),), ((0, width - 2),))
        assert r.per_value is None  # x = v is in v deals: no runs of one count


def test_a_pair_tied_directly_and_by_a_sum_is_exact() -> None:
    """x > y and x + y + z <= 5000, x in 0..2999, y and z in 0..10**9: exact (z summed out into the pair first)."""
    conds = [Compare(CmpOp.GT, Var(0), Var(1)), Compare(CmpOp.LE, _sum([(1, 0), (1, 1), (1, 2)]), Const(5000))]
    r = planner.count([range(3000), range(10**9 + 1), range(10**9 + 1)], conds, per_value=True)
    want = sum((5001 - x - y) for x in range(3000) for y in range(min(x, 5001 - x)))
    assert r.exact and r.low == want and [p.method for p in r.parts] == ["linear"]
    # x and y are split exactly; z (summed first in every order that works) is not.
    assert r.support == (((1, 2999),), ((0, 2499),), None) and r.per_value is None  # y < x, x + y <= 5000


def test_a_sum_of_three_wide_terms_is_exact() -> None:
    n = 10**9
    total = _sum([(1, 0), (1, 1), (1, 2)])
    r = planner.count([range(n + 1)] * 3, [Compare(CmpOp.LE, total, Const(n))], per_value=True)
    assert r.exact and r.low == math.comb(n + 3, 3) and [p.method for p in r.parts] == ["linear"]
    assert r.support == (((0, n),),) * 3


SIX = """\
dealcheck: 1
title: six wide amounts
terms:
  a: {range: [0, 1000000000]}
  b: {range: [0, 1000000000]}
  c: {range: [0, 1000000000]}
  d: {range: [0, 1000000000]}
  e: {range: [0, 1000000000]}
  f: {range: [0, 1000000000]}
parties:
  buyer:
    red_lines:
      budget: {rule: a + b <= 1200000000, assumption: x}
      cheap_c: {rule: c <= 700000000, assumption: x}
      gap: {rule: d - e > 100000000, assumption: x}
    demands:
      low_a: {rule: a <= 300000000, weight: 2, assumption: x}
  seller:
    red_lines:
      floor_a: {rule: a >= 200000000, assumption: x}
      order: {rule: c > b, assumption: x}
      f_cap: {rule: f >= 5000 and f <= 900000000, assumption: x}
    demands:
      high_d: {rule: d >= 800000000, weight: 3, assumption: x}
"""


def _six_count() -> int:
    """The same count by hand: f alone; d - e > 10**8 alone; a, b, c a chain (a in 2e8..1e9, b <= 1.2e9 - a,
    c in b+1..7e8)."""
    n = 10**9
    f = 900000000 - 5000 + 1
    de = (n - 10**8) * (n - 10**8 + 1) // 2  # e in 0..9e8-1 leaves d in e+1e8+1..1e9: 9e8 - e values
    abc = 0

    # c > b, c <= 7e8: for each b in 0..699999999 there are 7e8 - b values of c; b <= 1.2e9 - a always holds for
    # b < 7e8 when a <= 5e8, and for larger a only b <= 1.2e9 - a.
    def c_count(b_hi: int) -> int:  # sum over b in 0..b_hi of (7e8 - b)
        return (b_hi + 1) * 700000000 - b_hi * (b_hi + 1) // 2

    for a_lo, a_hi in ((200000000, 500000000),):
        abc += (a_hi - a_lo + 1) * c_count(699999999)
    # a in 500000001..1e9: b <= 1.2e9 - a (< 7e8)
    lo, hi = 500000001, 1000000000
    # sum over a of c_count(1.2e9 - a) = sum over m = 1.2e9 - a in 2e8..699999999 of c_count(m)
    m_lo, m_hi = 1200000000 - hi, 1200000000 - lo

    def s1(x: int) -> int:  # sum_{m=0}^{x} (m + 1)
        return (x + 1) * (x + 2) // 2

    def s2(x: int) -> int:  # sum_{m=0}^{x} m (m + 1) / 2
        return x * (x + 1) * (x + 2) // 6

    abc += 700000000 * (s1(m_hi) - s1(m_lo - 1)) - (s2(m_hi) - s2(m_lo - 1))
    return f * de * abc


def test_six_wide_terms_with_sums_and_differences(tmp_path: Path) -> None:
    """The issue's benchmark row: exact count (checked against a closed form) and intervals, exit 0."""
    path = tmp_path / "six.yaml"
    path.write_text(SIX)
    result = CliRunner().invoke(cli, ["explore", str(path), "--format", "json", "--top", "1", "--pareto-limit", "1"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["deals"]["exact"] and data["deals"]["count"] == _six_count()
    # a, b, c and d, e are counted linearly; f alone by its value classes.
    assert [p["method"] for p in data["deals"]["parts"]] == ["linear", "linear", "elimination"]
    zones = {z["term"]: z for z in data["terms"]}
    assert zones["a"]["options"] == [[200000000, 1000000000]]
    assert zones["b"]["options"] == [[0, 699999999]]
    assert zones["c"]["options"] == [[1, 700000000]] and zones["c"]["excluded"] == [[0, 0], [700000001, 1000000000]]
    assert zones["d"]["options"] == [[100000001, 1000000000]]
    assert zones["e"]["options"] == [[0, 899999999]]
    assert zones["f"]["options"] == [[5000, 900000000]]
