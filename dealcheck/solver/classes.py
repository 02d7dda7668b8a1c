"""Value classes of wide integer terms: the intervals of values that every rule treats alike.

In: the terms' domains and checked conditions (:mod:`dealcheck.rules.ir`). Out: for each integer term whose every
use can be split this way, its domain cut into intervals such that every condition has the same truth for every
value of an interval (the other terms held fixed). Counting then works on one representative per interval (its
lowest value) weighted by the interval's length: a salary range ``0..999999`` with thresholds at 3 constants is 4
classes, whatever its width.

Which uses split: a term can be classed when every sub-expression that reads it and no other term is a condition
(``salary >= 110``, ``abs(salary - 150) <= 10``, ``salary in [1, 5]``, ``count(salary > 3, ...)`` compared with
anything) or a number that is constant on pieces. Such a sub-expression is a piecewise affine function of the
term (``+ - *`` by constants, ``abs``, ``min``/``max``, ``count`` of conditions): on each piece an affine value
``a*x + b`` changes sign at most once, so its comparisons change truth only at the piece ends and around that
root, and those points are where classes start. A term read in arithmetic together with another term
(``x > y``, ``x + y <= 100``) is not classed: its values are kept one by one.

Rejected: sampling or bisecting each condition over the range (a condition that flips and flips back between two
samples would be missed), and symbolic interval arithmetic over whole rules (the piecewise form is exact and as
simple).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import assert_never, cast

from dealcheck.rules import ir
from dealcheck.rules.evaluator import children
from dealcheck.rules.ir import ArithOp

__all__ = ["CLASS_MIN_VALUES", "value_classes"]

#: Integer domains at least this wide are split into classes (narrower ones are counted value by value).
CLASS_MIN_VALUES = 64

#: A class split this fine is no gain: keep the values.
_MAX_CLASSES = 4096

Piece = tuple[int, int, int, int]  # lo, hi, a, b: the value is a*x + b for x in lo..hi


class _NotClassable(Exception):
    pass


def value_classes(
    domains: Sequence[Sequence[int]], constraints: Sequence[ir.BoolExpr], min_values: int = CLASS_MIN_VALUES
) -> dict[int, list[tuple[int, int]]]:
    """For each term that can be classed (see the module docstring), its domain as sorted disjoint intervals
    ``(lo, hi)`` covering it, on each of which every condition has one truth.

    Only ``range`` domains of at least ``min_values`` values are considered; a term gets classes only when they are
    fewer than its values.

    >>> from dealcheck.rules.ir import Compare, CmpOp, Const, Var
    >>> value_classes([range(0, 10**6)], [Compare(CmpOp.GE, Var(0), Const(110)), Compare(CmpOp.LE, Var(0), Const(160))])
    {0: [(0, 109), (110, 160), (161, 999999)]}
    """
    candidates = {
        i for i, d in enumerate(domains) if isinstance(d, range) and d.step == 1 and len(d) >= max(2, min_values)
    }
    starts: dict[int, set[int]] = {i: set() for i in candidates}
    atoms: dict[int, list[ir.Expr]] = {i: [] for i in candidates}
    for c in constraints:
        _visit(c, candidates, starts, atoms, domains)
    out: dict[int, list[tuple[int, int]]] = {}
    for i in sorted(candidates):
        d = domains[i]
        lo, hi = d[0], d[-1]
        cuts = sorted(s for s in starts[i] if lo < s <= hi)
        if len(cuts) + 1 >= min(len(d), _MAX_CLASSES):
            continue
        bounds = [lo, *cuts, hi + 1]
        fine = [(a, b - 1) for a, b in itertools.pairwise(bounds)]
        out[i] = _coarsen(fine, atoms[i])
    return out


def _coarsen(fine: list[tuple[int, int]], atoms: list[ir.Expr]) -> list[tuple[int, int]]:
    """Neighbouring classes on which every atom has the same value, merged (each atom is constant on each)."""
    from dealcheck.rules.evaluator import evaluate, evaluate_int

    def signature(x: int) -> tuple[object, ...]:
        env = _env(x)
        return tuple(
            evaluate_int(a, env)
            if isinstance(a, ir.Const | ir.Var | ir.Arith | ir.Abs | ir.MinMax | ir.Count)
            else evaluate(a, env)
            for a in atoms
        )

    out: list[tuple[int, int]] = []
    last: tuple[object, ...] | None = None
    for lo, hi in fine:
        sig = signature(lo)
        if out and sig == last:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
        last = sig
    return out


def _visit(
    node: ir.Expr,
    candidates: set[int],
    starts: dict[int, set[int]],
    atoms: dict[int, list[ir.Expr]],
    domains: Sequence[Sequence[int]],
) -> None:
    """Record the class starts ``node`` needs; drop a candidate whose use cannot be split."""
    read = ir.term_indices(node)
    if not read & candidates:
        return
    if len(read) == 1:
        (i,) = read
        d = domains[i]
        try:
            if isinstance(node, ir.Const | ir.Var | ir.Arith | ir.Abs | ir.MinMax | ir.Count):
                pieces = _pieces(node, d[0], d[-1])
                if any(a != 0 for _, _, a, _ in pieces):
                    raise _NotClassable  # a number that varies with the term, combined with something else
                starts[i].update(lo for lo, _, _, _ in pieces)
            else:
                starts[i].update(_cuts(node, d[0], d[-1]))
            atoms[i].append(node)
        except _NotClassable:
            candidates.discard(i)
        return
    for child in children(node):
        _visit(child, candidates, starts, atoms, domains)


def _cuts(cond: ir.BoolExpr, lo: int, hi: int) -> set[int]:
    """Values of the one term ``cond`` reads at which its truth may change (it may change only there)."""
    match cond:
        case ir.Truth():
            return set()
        case ir.IsTrue():
            return {lo + 1, lo + 2}
        case ir.Compare(left=a, right=b):
            diff = _combine(_pieces(a, lo, hi), _pieces(b, lo, hi), lambda p, q: p - q)
            return _sign_cuts(diff)
        case ir.InSet(arg=a, values=values):
            out: set[int] = set()
            for v in values:
                out |= _sign_cuts([(p_lo, p_hi, pa, pb - v) for p_lo, p_hi, pa, pb in _pieces(a, lo, hi)])
            if len(out) > 2 * _MAX_CLASSES:
                raise _NotClassable
            return out
        case ir.Not(arg=x):
            return _cuts(x, lo, hi)
        case ir.Logic(operands=xs):
            return set().union(*(_cuts(x, lo, hi) for x in xs))
        case ir.Implies(premise=p, conclusion=c):
            return _cuts(p, lo, hi) | _cuts(c, lo, hi)
        case _:
            assert_never(cond)


def _sign_cuts(pieces: list[Piece]) -> set[int]:
    """Piece starts, and around each piece's root the values where ``a*x + b`` leaves 0, < 0 or > 0."""
    out: set[int] = set()
    for lo, hi, a, b in pieces:
        out.add(lo)
        out.add(hi + 1)
        if a != 0:
            root = -b // a  # floor of the root; the sign is constant below, at, and above [root, root + 1]
            out.update((root, root + 1, root + 2))
    return out


def _pieces(expr: ir.IntExpr, lo: int, hi: int) -> list[Piece]:
    """``expr`` (reading one term, or none) as a piecewise affine function of that term over ``lo..hi``."""
    match expr:
        case ir.Const(value=c):
            return [(lo, hi, 0, c)]
        case ir.Var():
            return [(lo, hi, 1, 0)]
        case ir.Arith(op=op, left=a, right=b):
            pa, pb = _pieces(a, lo, hi), _pieces(b, lo, hi)
            match op:
                case ArithOp.ADD:
                    return _combine(pa, pb, lambda p, q: p + q)
                case ArithOp.SUB:
                    return _combine(pa, pb, lambda p, q: p - q)
                case ArithOp.MUL:
                    return _multiply(pa, pb)
            raise _NotClassable
        case ir.Abs(arg=inner):
            out: list[Piece] = []
            for p_lo, p_hi, ka, kb in _split_at_roots(_pieces(inner, lo, hi)):
                neg = ka * p_lo + kb < 0 or ka * p_hi + kb < 0
                out.append((p_lo, p_hi, -ka, -kb) if neg else (p_lo, p_hi, ka, kb))
            return out
        case ir.MinMax(is_max=is_max, args=args):
            acc = _pieces(args[0], lo, hi)
            for x in args[1:]:
                acc = _pick(acc, _pieces(x, lo, hi), is_max)
            return acc
        case ir.Count(conditions=conds):
            cuts = set().union(*(_cuts(c, lo, hi) for c in conds))
            from dealcheck.rules.evaluator import evaluate_int  # the meaning of the node, at one value per piece

            bounds = sorted({lo, *(c for c in cuts if lo < c <= hi), hi + 1})
            if len(bounds) > 2 * _MAX_CLASSES:
                raise _NotClassable
            steps: list[Piece] = []
            for start, stop in itertools.pairwise(bounds):
                value = evaluate_int(expr, _env(start))
                assert value is not None
                steps.append((start, stop - 1, 0, value))
            return steps
        case _:
            assert_never(expr)


def _env(value: int) -> Sequence[int | None]:
    """Codes for the evaluator where every index reads ``value``: the expressions here read one term."""
    return cast("Sequence[int | None]", _Env(value))


class _Env:
    """Codes for the evaluator: every index reads ``value`` (the expression reads one term)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __getitem__(self, index: int) -> int:
        return self.value

    def __len__(self) -> int:  # pragma: no cover - the evaluator indexes only
        return 1 << 30


def _refine(p: list[Piece], q: list[Piece]) -> list[tuple[int, int, int, int, int, int]]:
    """Both piece lists on their common refinement: ``(lo, hi, a1, b1, a2, b2)``."""
    out = []
    i = j = 0
    while i < len(p) and j < len(q):
        lo = max(p[i][0], q[j][0])
        hi = min(p[i][1], q[j][1])
        out.append((lo, hi, p[i][2], p[i][3], q[j][2], q[j][3]))
        if p[i][1] == hi:
            i += 1
        if q[j][1] == hi:
            j += 1
    if len(out) > 4 * _MAX_CLASSES:
        raise _NotClassable
    return out


def _combine(p: list[Piece], q: list[Piece], f) -> list[Piece]:  # type: ignore[no-untyped-def]
    return [(lo, hi, f(a1, a2), f(b1, b2)) for lo, hi, a1, b1, a2, b2 in _refine(p, q)]


def _multiply(p: list[Piece], q: list[Piece]) -> list[Piece]:
    out = []
    for lo, hi, a1, b1, a2, b2 in _refine(p, q):
        if a1 != 0 and a2 != 0:
            raise _NotClassable  # a square: not affine
        out.append((lo, hi, a1 * b2 + a2 * b1, b1 * b2))
    return out


def _split_at_roots(pieces: list[Piece]) -> list[Piece]:
    """Each piece cut where ``a*x + b`` changes sign, so the sign is constant on every piece returned."""
    out: list[Piece] = []
    for lo, hi, a, b in pieces:
        if a == 0:
            out.append((lo, hi, a, b))
            continue
        root = -b // a
        for c in sorted({root, root + 1}):
            if lo < c <= hi:
                out.append((lo, c - 1, a, b))
                lo = c
        out.append((lo, hi, a, b))
    return out


def _pick(p: list[Piece], q: list[Piece], is_max: bool) -> list[Piece]:
    out: list[Piece] = []
    for lo, hi, a1, b1, a2, b2 in _refine(p, q):
        # Where the difference keeps one sign, one side wins throughout.
        for s_lo, s_hi, da, db in _split_at_roots([(lo, hi, a1 - a2, b1 - b2)]):
            first_bigger = da * s_lo + db > 0 or da * s_hi + db > 0
            take_first = first_bigger if is_max else not first_bigger
            out.append((s_lo, s_hi, a1, b1) if take_first else (s_lo, s_hi, a2, b2))
    return out
