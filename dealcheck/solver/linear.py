"""Exact counts of integer terms tied by linear comparisons (``x > y``, ``a + b <= c``, ``d - e > 100``,
``x + y + z <= 10**9``), at any width: piecewise polynomials instead of tables over values.

In: a part's domains and conditions (:mod:`dealcheck.rules.ir`). Out: the number of solutions and, per term, how
many solutions give it each value, as a piecewise polynomial (``(lo, hi, coefficients)``), or ``None`` when the part
does not have the shape below (the planner then tries its other methods).

The shape: every condition reads one term (any condition: its truth is cut into intervals, as value classes are)
or is a comparison ``k1*x1 + k2*x2 + ... + c  op  0`` (``op`` any of ``< <= > >= == !=``), and the terms can be
removed one at a time, each tied at that point to one other term (by any number of comparisons of the two) or to
one comparison of more terms, with coefficient 1 or -1 there (a forest; the last term of a comparison may have any
coefficient). Removing ``x`` tied to one term ``y`` sums ``x``'s weight over the values the comparisons leave it for
each ``y``: between a largest lower bound and a smallest upper bound, each affine in ``y``, minus the points ``!=``
excludes; cut ``y``'s range where any two of those functions cross and, on each cut, the sum is a polynomial in
``y`` (Faulhaber's sums of powers composed with the affine bounds). Removing ``x`` from a comparison of more terms
is dynamic programming over the partial sums: the comparison is a piecewise function ``g`` of its value, and
``r -> sum(w(x) * g(x + r))`` (a convolution of piecewise polynomials) is the same kind of function of the rest of
the sum, until one term is left and it becomes that term's weight. The last term's weight, summed, is the count;
a term's marginal is the same elimination with that term removed last.

``x > y`` over ``0..10**9`` is the polynomial ``y -> 10**9 - y`` summed once, never a table of ``10**18`` rows;
``x + y + z <= 10**9`` is two convolutions.

Rejected: a table per pair of classes (``x > y`` has no classes: every value of ``y`` is its own threshold for
``x``), Barvinok's general lattice-point counting (exact for any polytope, but a large machinery for the shapes
negotiations have), and sampling (not exact).
"""

from __future__ import annotations

import functools
import itertools
import math
from collections.abc import Callable, Sequence
from fractions import Fraction

from dealcheck.rules import ir
from dealcheck.rules.ir import ArithOp, CmpOp

__all__ = ["Piece", "count_linear", "positive_intervals"]

#: ``(lo, hi, coefficients)``: for each integer ``v`` in ``lo..hi`` the value is ``sum(c * v**k)``.
Piece = tuple[int, int, tuple[Fraction, ...]]
Poly = tuple[Fraction, ...]
#: ``(u, v)``: the affine function ``y -> u*y + v``.
Affine = tuple[int, int]

#: More pieces than this in one weight, or conditions cut into more intervals, and the shape is not worth it.
MAX_PIECES = 4096

#: The most symbolic sums one removal may take (each tens of microseconds).
MAX_SUMS = 1 << 15

_ZERO: Poly = ()


class _NotLinear(Exception):
    pass


# --- polynomials (coefficients from the constant up, exact) ----------------------------------------------------


def _trim(p: Sequence[Fraction]) -> Poly:
    out = list(p)
    while out and out[-1] == 0:
        out.pop()
    return tuple(out)


def _add(p: Poly, q: Poly) -> Poly:
    n = max(len(p), len(q))
    return _trim([(p[i] if i < len(p) else 0) + (q[i] if i < len(q) else 0) for i in range(n)])  # type: ignore[misc]


def _scale(p: Poly, k: Fraction | int) -> Poly:
    return _trim([c * k for c in p])


def _mul(p: Poly, q: Poly) -> Poly:
    if not p or not q:
        return _ZERO
    out = [Fraction(0)] * (len(p) + len(q) - 1)
    for i, a in enumerate(p):
        if a:
            for j, b in enumerate(q):
                out[i + j] += a * b
    return _trim(out)


def _compose(p: Poly, f: Affine) -> Poly:
    """``y -> p(u*y + v)``."""
    u, v = f
    out: Poly = _ZERO
    power: Poly = (Fraction(1),)
    inner: Poly = _trim([Fraction(v), Fraction(u)])
    for c in p:
        out = _add(out, _scale(power, c))
        power = _mul(power, inner)
    return out


def _at(p: Poly, x: Fraction | int) -> Fraction:
    out = Fraction(0)
    for c in reversed(p):
        out = out * x + c
    return out


def _const(c: Fraction | int) -> Poly:
    return _trim([Fraction(c)])


@functools.cache
def _power_sum(k: int) -> Poly:
    """``F_k`` with ``F_k(n) - F_k(n - 1) = n**k`` and ``F_k(0) = 0**k``: so ``sum(x**k for x in a..b)`` is
    ``F_k(b) - F_k(a - 1)`` for all integers ``a <= b + 1`` (the identity is one of polynomials)."""
    # Interpolate through n = 0..k+1 (degree k + 1), Lagrange form, exact.
    xs = list(range(k + 2))
    ys = list(itertools.accumulate(x**k if x or k else 1 for x in xs))
    out: Poly = _ZERO
    for i, xi in enumerate(xs):
        basis: Poly = (Fraction(1),)
        denom = Fraction(1)
        for j, xj in enumerate(xs):
            if j != i:
                basis = _mul(basis, (Fraction(-xj), Fraction(1)))
                denom *= xi - xj
        out = _add(out, _scale(basis, Fraction(ys[i]) / denom))
    return out


def _sum_between(p: Poly, low: Affine, high: Affine) -> Poly:
    """``y -> sum(p(x) for x in low(y)..high(y))``, for the ``y`` where ``low(y) <= high(y) + 1``."""
    out: Poly = _ZERO
    below = (low[0], low[1] - 1)
    for k, c in enumerate(p):
        if c:
            f = _power_sum(k)
            out = _add(out, _scale(_add(_compose(f, high), _scale(_compose(f, below), -1)), c))
    return out


def _sum_piece(p: Poly, lo: int, hi: int) -> Fraction:
    return _at(_sum_between(p, (0, lo), (0, hi)), 0)


# --- reading the conditions -----------------------------------------------------------------------------------


def _affine_expr(expr: ir.Expr) -> tuple[dict[int, int], int]:
    """``expr`` as ``({term: coefficient}, constant)``; :class:`_NotLinear` when it is not affine."""
    match expr:
        case ir.Const(value=c):
            return {}, c
        case ir.Var(index=i):
            return {i: 1}, 0
        case ir.Arith(op=op, left=a, right=b):
            la, ca = _affine_expr(a)
            lb, cb = _affine_expr(b)
            if op is ArithOp.ADD or op is ArithOp.SUB:
                s = 1 if op is ArithOp.ADD else -1
                out = dict(la)
                for t, k in lb.items():
                    out[t] = out.get(t, 0) + s * k
                return {t: k for t, k in out.items() if k}, ca + s * cb
            if op is ArithOp.MUL:
                if not la:
                    return {t: ca * k for t, k in lb.items() if ca * k}, ca * cb
                if not lb:
                    return {t: cb * k for t, k in la.items() if cb * k}, ca * cb
    raise _NotLinear


_FLIP = {CmpOp.LT: CmpOp.GE, CmpOp.LE: CmpOp.GT, CmpOp.GT: CmpOp.LE, CmpOp.GE: CmpOp.LT, CmpOp.EQ: CmpOp.NE}
_FLIP[CmpOp.NE] = CmpOp.EQ


def _comparison(cond: ir.BoolExpr) -> tuple[dict[int, int], int, CmpOp]:
    """``cond`` as ``sum(k * x) + c  op  0``."""
    negate = False
    while isinstance(cond, ir.Not):
        negate, cond = not negate, cond.arg
    if not isinstance(cond, ir.Compare):
        raise _NotLinear
    la, ca = _affine_expr(cond.left)
    lb, cb = _affine_expr(cond.right)
    out = dict(la)
    for t, k in lb.items():
        out[t] = out.get(t, 0) - k
    return {t: k for t, k in out.items() if k}, ca - cb, _FLIP[cond.op] if negate else cond.op


def _truth_pieces(cond: ir.BoolExpr, term: int, lo: int, hi: int) -> list[Piece]:
    """A condition reading only ``term``, as pieces of weight 1 where it holds and 0 where not."""
    from dealcheck.rules.evaluator import evaluate
    from dealcheck.solver import classes

    try:
        cuts = classes._cuts(cond, lo, hi)
    except classes._NotClassable as e:
        raise _NotLinear from e
    bounds = sorted({lo, hi + 1, *(c for c in cuts if lo < c <= hi)})
    if len(bounds) > MAX_PIECES:
        raise _NotLinear
    out: list[Piece] = []
    for start, stop in itertools.pairwise(bounds):
        holds = evaluate(cond, classes._env(start))
        out.append((start, stop - 1, (Fraction(1),) if holds else _ZERO))
    return _merge(out)


# --- piecewise functions --------------------------------------------------------------------------------------


def _merge(pieces: Sequence[Piece]) -> list[Piece]:
    out: list[Piece] = []
    for lo, hi, p in pieces:
        if out and out[-1][2] == p and out[-1][1] + 1 == lo:
            out[-1] = (out[-1][0], hi, p)
        else:
            out.append((lo, hi, p))
    return out


def _times(f: Sequence[Piece], g: Sequence[Piece]) -> list[Piece]:
    """The product of two piecewise functions over the same range."""
    out: list[Piece] = []
    i = j = 0
    while i < len(f) and j < len(g):
        lo = max(f[i][0], g[j][0])
        hi = min(f[i][1], g[j][1])
        if lo <= hi:
            out.append((lo, hi, _mul(f[i][2], g[j][2])))
        if f[i][1] == hi:
            i += 1
        if g[j][1] == hi:
            j += 1
    if len(out) > MAX_PIECES:
        raise _NotLinear
    return _merge(out)


def _total(f: Sequence[Piece]) -> Fraction:
    return sum((_sum_piece(p, lo, hi) for lo, hi, p in f if p), Fraction(0))


# --- elimination ----------------------------------------------------------------------------------------------

#: One comparison between the term being removed (coefficient ``s``, 1 or -1) and its neighbour ``y``
#: (coefficient ``b``): ``s*x + b*y + c  op  0``.
_Edge = tuple[int, int, int, CmpOp]


def _bounds_on_x(edges: Sequence[_Edge]) -> tuple[list[Affine], list[Affine], list[Affine]]:
    """Each comparison as lower bounds, upper bounds and excluded points of ``x``, affine in ``y``."""
    lows: list[Affine] = []
    highs: list[Affine] = []
    holes: list[Affine] = []
    for s, b, c, op in edges:
        # s*x + b*y + c op 0  <=>  x op' e(y), e(y) = -(b*y + c) / s = -s*(b*y + c) (s is 1 or -1)
        e: Affine = (-s * b, -s * c)
        if s < 0:
            op = {CmpOp.LT: CmpOp.GT, CmpOp.LE: CmpOp.GE, CmpOp.GT: CmpOp.LT, CmpOp.GE: CmpOp.LE}.get(op, op)
        match op:
            case CmpOp.LT:
                highs.append((e[0], e[1] - 1))
            case CmpOp.LE:
                highs.append(e)
            case CmpOp.GT:
                lows.append((e[0], e[1] + 1))
            case CmpOp.GE:
                lows.append(e)
            case CmpOp.EQ:
                lows.append(e)
                highs.append(e)
            case CmpOp.NE:
                holes.append(e)
    return lows, highs, holes


#: A comparison of more terms reduced to the removed term ``x`` and its neighbour ``y``: ``g(s*x + k*y + c)``.
_PairForm = tuple[int, int, int, list[Piece]]


def _eliminate(
    weight: Sequence[Piece], edges: Sequence[_Edge], ylo: int, yhi: int, form: _PairForm | None = None
) -> list[Piece]:
    """``y -> sum(weight(x) * g(s*x + k*y + c) for x where every edge holds)`` over ``ylo..yhi``, as pieces
    (``g`` is 1 without ``form``)."""
    lows, highs, holes = _bounds_on_x(edges)
    holes = list(dict.fromkeys(holes))  # x != y written twice excludes one value
    pieces = [(lo, hi, p) for lo, hi, p in weight if p]
    if not pieces:
        return [(ylo, yhi, _ZERO)]
    xlo, xhi = pieces[0][0], pieces[-1][1]
    lows.append((0, xlo))
    highs.append((0, xhi))
    # The form's pieces, each with the bounds it puts on x (affine in y; none without a form).
    parts: list[tuple[Poly, Affine | None, Affine | None]] = [((Fraction(1),), None, None)]
    s, k, c = 1, 0, 0
    if form is not None:
        s, k, c, g = form
        parts = []
        for g_lo, g_hi, q in g:
            if q:  # g_lo <= s*x + k*y + c <= g_hi
                if s == 1:
                    parts.append((q, (-k, g_lo - c), (-k, g_hi - c)))
                else:
                    parts.append((q, (k, c - g_hi), (k, c - g_lo)))
    functions = set(lows) | set(highs) | set(holes)
    for _, a, b in parts:
        if a is not None and b is not None:
            functions |= {a, b}
    for lo, hi, _ in pieces:
        functions |= {(0, lo), (0, hi), (0, lo - 1), (0, hi + 1)}
    cuts = {ylo, yhi + 1}
    # Where two functions cross, the order of the bounds changes: a cut at the crossing, isolating it.
    # Only functions of different slopes cross: pairs across slope groups, counted before any is tried.
    by_slope: dict[int, list[Affine]] = {}
    for f in sorted(functions):
        by_slope.setdefault(f[0], []).append(f)
    groups = list(by_slope.values())
    if sum(len(a) * len(b) for a, b in itertools.combinations(groups, 2)) > 4 * MAX_PIECES:
        raise _NotLinear
    for group_a, group_b in itertools.combinations(groups, 2):
        for f, g2 in itertools.product(group_a, group_b):
            root = Fraction(g2[1] - f[1], f[0] - g2[0])
            r = root.numerator // root.denominator
            cuts.update((r, r + 1))
    if len(cuts) > 4 * MAX_PIECES or len(parts) * len(pieces) > MAX_PIECES:
        raise _NotLinear
    bounds = sorted(x for x in cuts if ylo <= x <= yhi + 1)
    if len(bounds) * len(pieces) * len(parts) > MAX_SUMS:
        raise _NotLinear  # a sum per region and piece: too many to be quicker than the planner's other methods
    out: list[Piece] = []
    for start, stop in itertools.pairwise(bounds):
        out.append((start, stop - 1, _region(pieces, parts, (s, k, c), lows, highs, holes, start, stop - 1)))
    return _merge(out)


def _sum_product_y(p: Poly, q: Poly, s: int, r: Affine, low: Affine, high: Affine) -> Poly:
    """``y -> sum(p(x) * q(s*x + r(y)) for x in low(y)..high(y))``, for the ``y`` where ``low(y) <= high(y) + 1``."""
    terms: dict[tuple[int, int], Fraction] = {}  # (power of x, power of r) -> coefficient
    for j, qj in enumerate(q):
        if not qj:
            continue
        for a in range(j + 1):
            k = qj * math.comb(j, a) * s**a
            for i, pi in enumerate(p):
                if pi:
                    key = (i + a, j - a)
                    terms[key] = terms.get(key, Fraction(0)) + pi * k
    below = (low[0], low[1] - 1)
    out: Poly = _ZERO
    for (m, b), k in terms.items():
        if k:
            f = _power_sum(m)
            summed = _add(_compose(f, high), _scale(_compose(f, below), -1))
            power = _compose((Fraction(0),) * b + (Fraction(1),), r)
            out = _add(out, _scale(_mul(summed, power), k))
    return out


def _region(
    pieces: Sequence[Piece],
    parts: Sequence[tuple[Poly, Affine | None, Affine | None]],
    form: tuple[int, int, int],
    lows: list[Affine],
    highs: list[Affine],
    holes: list[Affine],
    ya: int,
    yb: int,
) -> Poly:
    """The sum on ``ya..yb``, where no two bound functions cross (so one order of them holds throughout)."""

    def at(f: Affine, y: int) -> int:
        return f[0] * y + f[1]

    s, k, c = form
    r: Affine = (k, c)
    y0 = yb  # a crossing may fall on ya (it starts the region), never inside: read at the end
    low = max(lows, key=lambda f: (at(f, y0), f))
    high = min(highs, key=lambda f: (at(f, y0), f))
    if at(low, y0) > at(high, y0):
        return _ZERO
    single = ya == yb
    out: Poly = _ZERO
    for lo, hi, p in pieces:
        for q, g_low, g_high in parts:
            a = max([(0, lo), low] + ([g_low] if g_low else []), key=lambda f: (at(f, y0), f))
            b = min([(0, hi), high] + ([g_high] if g_high else []), key=lambda f: (at(f, y0), f))
            if at(a, y0) > at(b, y0):
                continue
            summed = _sum_product_y(p, q, s, r, a, b)
            out = _add(out, _const(_at(summed, y0)) if single else summed)
            seen: set[int] = set()
            for h in holes:
                v = at(h, y0)
                if at(a, y0) <= v <= at(b, y0) and (not single or v not in seen):
                    seen.add(v)
                    if single:
                        out = _add(out, _const(-_at(p, v) * _at(q, s * v + k * y0 + c)))
                    else:
                        inner: Affine = (s * h[0] + k, s * h[1] + c)
                        out = _add(out, _scale(_mul(_compose(p, h), _compose(q, inner)), -1))
    return out


# --- the part -------------------------------------------------------------------------------------------------


def count_linear(
    domains: Sequence[Sequence[int]],
    terms: Sequence[int],
    conditions: Sequence[ir.BoolExpr],
    *,
    marginals: bool = False,
    check_time: Callable[[], None] = lambda: None,
) -> tuple[int, dict[int, list[Piece]] | None] | None:
    """The number of solutions of ``conditions`` over ``terms`` (each a ``range`` in ``domains``), and with
    ``marginals`` per term the solutions per value as pieces (a term that cannot be summed last, tied by a
    coefficient other than 1 and -1 or in a pair with a sum, is left out; ``None`` when none can); ``None`` when the
    part does not have the shape of the module docstring.

    >>> from dealcheck.rules.ir import Compare, CmpOp, Var
    >>> n, m = count_linear([range(10**9), range(10**9)], [0, 1], [Compare(CmpOp.GT, Var(0), Var(1))], marginals=True)
    >>> n == 10**9 * (10**9 - 1) // 2, m[0][-1], positive_intervals(m[0])
    (True, (2, 999999999, (Fraction(0, 1), Fraction(1, 1))), [(1, 999999999)])
    """
    for t in terms:
        d = domains[t]
        if not isinstance(d, range) or d.step != 1 or not len(d):
            return None
    try:
        return _count(domains, terms, conditions, marginals, check_time)
    except _NotLinear:
        return None


def _count(
    domains: Sequence[Sequence[int]],
    terms: Sequence[int],
    conditions: Sequence[ir.BoolExpr],
    marginals: bool,
    check_time: Callable[[], None],
) -> tuple[int, dict[int, list[Piece]] | None]:
    span = {t: (domains[t][0], domains[t][-1]) for t in terms}
    unary: dict[int, list[Piece]] = {t: [(span[t][0], span[t][1], (Fraction(1),))] for t in terms}
    edges: dict[tuple[int, int], list[tuple[int, int, int, CmpOp]]] = {}  # (x, y) -> [(kx, ky, c, op)]
    sums: list[_Form] = []  # comparisons of three terms or more
    for cond in conditions:
        read = sorted(ir.term_indices(cond))
        if len(read) == 1:
            (t,) = read
            unary[t] = _times(unary[t], _truth_pieces(cond, t, *span[t]))
            continue
        coefficients, c, op = _comparison(cond)
        if len(coefficients) < 2:
            raise _NotLinear  # terms that cancel out: not worth a special case
        if len(coefficients) > 2:
            low, high = _form_bounds(coefficients, c, span)
            sums.append((coefficients, c, _sign_pieces(op, low, high)))
            continue
        (x, kx), (y, ky) = sorted(coefficients.items())
        edges.setdefault((x, y), []).append((kx, ky, c, op))

    def edges_of(x: int, y: int) -> list[_Edge]:
        key = (min(x, y), max(x, y))
        return [(kx, ky, c, op) if key[0] == x else (ky, kx, c, op) for kx, ky, c, op in edges.get(key, [])]

    def run(root: int) -> tuple[Fraction, dict[int, list[Piece]]]:
        """Every term removed leaf first, ``root`` last: the count, and the weights of the terms left last."""
        weight = {t: list(p) for t, p in unary.items()}
        neighbours: dict[int, set[int]] = {t: set() for t in terms}
        for x, y in edges:
            neighbours[x].add(y)
            neighbours[y].add(x)
        forms: dict[int, _Form] = dict(enumerate(sums))
        pair_forms: dict[tuple[int, int], list[_Form]] = {}
        in_forms: dict[int, set[int]] = {t: {k for k, f in forms.items() if t in f[0]} for t in terms}
        left = set(terms)
        total = Fraction(1)
        done: dict[int, list[Piece]] = {}

        def removable(t: int) -> bool:
            if len(neighbours[t]) + len(in_forms[t]) > 1:
                return False
            if neighbours[t]:
                (y,) = neighbours[t]
                pair = (min(t, y), max(t, y))
                return all(abs(kx) == 1 for kx, _, _, _ in edges_of(t, y)) and all(
                    abs(f[0][t]) == 1 for f in pair_forms.get(pair, [])
                )
            if in_forms[t]:
                (k,) = in_forms[t]
                return abs(forms[k][0][t]) == 1
            return True

        while left:
            check_time()
            leaf = next((t for t in sorted(left) if t != root and removable(t)), None)
            if leaf is None:
                if all(not neighbours[t] and not in_forms[t] for t in left):
                    for t in sorted(left):  # each the last of its tree
                        done[t] = weight[t]
                        total *= _total(weight[t])
                    return total, done
                raise _NotLinear  # a cycle, or a term tied only with coefficients other than 1 and -1
            left.discard(leaf)
            if neighbours[leaf]:
                (y,) = neighbours[leaf]
                pair = (min(leaf, y), max(leaf, y))
                tied = pair_forms.pop(pair, [])
                if len(tied) > 1:
                    raise _NotLinear  # two sums over the same two terms: a product of two such factors
                form = None
                if tied:
                    coefficients, c, pieces = tied[0]
                    form = (coefficients[leaf], coefficients[y], c, pieces)
                summed = _eliminate(weight[leaf], edges_of(leaf, y), *span[y], form)
                weight[y] = _times(weight[y], summed)
                neighbours[y].discard(leaf)
                neighbours[leaf].clear()
            elif in_forms[leaf]:
                (k,) = in_forms[leaf]
                coefficients, c, pieces = forms.pop(k)
                in_forms[leaf].clear()
                rest = {t: a for t, a in coefficients.items() if t != leaf}
                low, high = _form_bounds(rest, c, span)
                summed = _convolve(weight[leaf], pieces, coefficients[leaf], low, high)
                if len(rest) == 1:
                    ((z, a),) = rest.items()
                    weight[z] = _times(weight[z], _on_term(summed, a, c, *span[z]))
                    in_forms[z].discard(k)
                elif len(rest) == 2:
                    # Two terms left: the sum ties them as a pair (with their comparisons, if any).
                    u, v = sorted(rest)
                    pair_forms.setdefault((u, v), []).append((rest, c, summed))
                    in_forms[u].discard(k)
                    in_forms[v].discard(k)
                    neighbours[u].add(v)
                    neighbours[v].add(u)
                else:
                    forms[k] = (rest, c, summed)
            else:
                done[leaf] = weight[leaf]
                total *= _total(weight[leaf])
        return total, done

    # Any term may be summed last; one tied only by coefficients other than 1 and -1 must be.
    total: Fraction | None = None
    for root in terms:
        try:
            total, _ = run(root)
            break
        except _NotLinear:
            continue
    if total is None:
        raise _NotLinear
    n = int(total)
    assert n == total, total
    if not marginals:
        return n, None
    out: dict[int, list[Piece]] = {}
    for t in terms:
        # The count with t summed last: t's weight then is its marginal, times the other trees' counts.
        try:
            total_t, done_t = run(t)
        except _NotLinear:
            continue  # t cannot be summed last: its marginal is left out (the others stand)
        root_weight = done_t[t]
        within = _total(root_weight)
        other = total_t / within if within else Fraction(0)
        out[t] = _merge([(lo, hi, _scale(p, other)) for lo, hi, p in root_weight])
    return n, out or None


# --- sums of three terms or more: dynamic programming over the partial sums ------------------------------------

#: ``(coefficients, constant, pieces)``: a factor that is a piecewise function of ``sum(k * x) + constant``.
_Form = tuple[dict[int, int], int, list[Piece]]


def _form_bounds(coefficients: dict[int, int], c: int, span: dict[int, tuple[int, int]]) -> tuple[int, int]:
    low = c + sum(min(k * span[t][0], k * span[t][1]) for t, k in coefficients.items())
    high = c + sum(max(k * span[t][0], k * span[t][1]) for t, k in coefficients.items())
    return low, high


def _sign_pieces(op: CmpOp, low: int, high: int) -> list[Piece]:
    """``[v op 0]`` for ``v`` in ``low..high``, as pieces of weight 1 and 0."""
    one: Poly = (Fraction(1),)
    cuts = sorted({low, high + 1, *(c for c in (-1, 0, 1, 2) if low < c <= high)})
    out: list[Piece] = []
    for a, b in itertools.pairwise(cuts):
        holds = {CmpOp.LT: a < 0, CmpOp.LE: a <= 0, CmpOp.GT: a > 0, CmpOp.GE: a >= 0}.get(op)
        if holds is None:
            holds = (a == 0 and b - 1 == 0) if op is CmpOp.EQ else not (a == 0 and b - 1 == 0)
        out.append((a, b - 1, one if holds else _ZERO))
    return _merge(out)


def _sum_product(p: Poly, q: Poly, s: int, low: Affine, high: Affine) -> Poly:
    """``r -> sum(p(x) * q(s*x + r) for x in low(r)..high(r))``, for the ``r`` where ``low(r) <= high(r) + 1``."""
    return _sum_product_y(p, q, s, (1, 0), low, high)  # r is the variable itself


def _convolve(weight: Sequence[Piece], g: Sequence[Piece], s: int, low: int, high: int) -> list[Piece]:
    """``r -> sum(weight(x) * g(s*x + r) for x)`` over ``low..high`` (``s`` is 1 or -1), as pieces."""
    if len(weight) * len(g) > MAX_PIECES:
        raise _NotLinear  # each pair of pieces contributes a few pieces of its own
    starts: dict[int, Poly] = {}  # r -> polynomial added from r on (a sweep over the contributions)
    for lo, hi, p in weight:
        if not p:
            continue
        for g_lo, g_hi, q in g:
            if not q:
                continue
            # x in lo..hi and g_lo <= s*x + r <= g_hi: x between a(r) and b(r), both of slope -s.
            a: Affine = (-1, g_lo) if s == 1 else (1, -g_hi)
            b: Affine = (-1, g_hi) if s == 1 else (1, -g_lo)
            cuts = {low, high + 1}
            for f in (a, b):
                for v in (lo, hi):
                    root = (v - f[1]) * f[0]  # f(r) = v (the slope is 1 or -1)
                    cuts.update((root, root + 1))
            bounds = sorted(c for c in cuts if low <= c <= high + 1)
            for start, stop in itertools.pairwise(bounds):
                r = stop - 1  # no crossing inside start..stop-1 but possibly at start: read at the end
                x_lo = max((0, lo), a, key=lambda f: f[0] * r + f[1])
                x_hi = min((0, hi), b, key=lambda f: f[0] * r + f[1])
                if x_lo[0] * r + x_lo[1] > x_hi[0] * r + x_hi[1]:
                    continue
                poly = _sum_product(p, q, s, x_lo, x_hi)
                starts[start] = _add(starts.get(start, _ZERO), poly)
                starts[stop] = _add(starts.get(stop, _ZERO), _scale(poly, -1))
    if len(starts) > 4 * MAX_PIECES:
        raise _NotLinear
    out: list[Piece] = []
    running: Poly = _ZERO
    points = sorted({low, high + 1, *starts})
    for start, stop in itertools.pairwise(points):
        running = _add(running, starts.get(start, _ZERO))
        out.append((start, stop - 1, running))
    return _merge(out)


def _on_term(g: Sequence[Piece], a: int, c: int, lo: int, hi: int) -> list[Piece]:
    """``z -> g(a*z + c)`` over ``lo..hi`` (any ``a`` other than 0: it is read at integers only)."""
    out: list[Piece] = []
    for g_lo, g_hi, q in g:
        # g_lo <= a*z + c <= g_hi
        if a > 0:
            z_lo, z_hi = -((c - g_lo) // a), (g_hi - c) // a
        else:
            z_lo, z_hi = -((c - g_hi) // a), (g_lo - c) // a
        z_lo, z_hi = max(z_lo, lo), min(z_hi, hi)
        if z_lo <= z_hi:
            out.append((z_lo, z_hi, _compose(q, (a, c))))
    out.sort()
    filled: list[Piece] = []
    at = lo
    for z_lo, z_hi, q in out:
        if z_lo > at:
            filled.append((at, z_lo - 1, _ZERO))
        filled.append((z_lo, z_hi, q))
        at = z_hi + 1
    if at <= hi:
        filled.append((at, hi, _ZERO))
    return _merge(filled)


# --- where a marginal is positive -----------------------------------------------------------------------------


def _derivative(p: Poly) -> Poly:
    return _trim([c * k for k, c in enumerate(p)][1:])


def _rem(p: Poly, q: Poly) -> Poly:
    """The remainder of ``p`` divided by ``q`` (``q`` not zero)."""
    r = list(p)
    while r and len(r) >= len(q):
        k = r[-1] / q[-1]
        shift = len(r) - len(q)
        for i, c in enumerate(q):
            r[shift + i] -= k * c
        r = list(_trim(r))
    return _trim(r)


def _sturm(p: Poly) -> list[Poly]:
    seq = [p, _derivative(p)]
    while seq[-1] and len(seq[-1]) > 1:
        r = _rem(seq[-2], seq[-1])
        if not r:
            break
        seq.append(_scale(r, -1))
    return [q for q in seq if q]


def _changes(seq: Sequence[Poly], x: Fraction) -> int:
    signs = [s for s in (_at(q, x) for q in seq) if s]
    return sum(1 for a, b in itertools.pairwise(signs) if (a < 0) != (b < 0))


def _root_floors(p: Poly, lo: int, hi: int) -> set[int]:
    """Integers ``k`` such that every real root of ``p`` in ``[lo, hi]`` has its floor within ``k - 1..k + 1``."""
    if len(p) <= 1:
        return set()
    seq = _sturm(p)

    def point(m: int) -> Fraction:
        for d in (2, 3, 5, 7, 11):  # a point between m and m + 1 that is no root (p has finitely many)
            x = m + Fraction(1, d)
            if _at(p, x):
                return x
        raise AssertionError("a polynomial with five roots in one unit interval")  # pragma: no cover

    out: set[int] = set()
    stack = [(lo - 1, hi)]
    while stack:
        a, b = stack.pop()
        if _changes(seq, point(a)) == _changes(seq, point(b)):
            continue  # no root between a + 1/d and b + 1/d'
        if b - a <= 1:
            out.update((a, b))
            continue
        m = (a + b) // 2
        stack += [(a, m), (m, b)]
    return out


def positive_intervals(pieces: Sequence[Piece]) -> list[tuple[int, int]]:
    """Where a piecewise function that is at least 0 on every integer is above 0, as sorted disjoint intervals.

    An integer zero of a polynomial that is nowhere negative on the integers is a piece end or lies within one of
    a real critical point (a local minimum over the integers has one within a unit on either side), so the zeros
    are found among those candidates and the rest is positive.

    >>> positive_intervals([(0, 4, ()), (5, 10, (Fraction(-5), Fraction(1)))])
    [(6, 10)]
    """
    out: list[tuple[int, int]] = []

    def add(lo: int, hi: int) -> None:
        if out and out[-1][1] + 1 == lo:
            out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))

    for lo, hi, p in pieces:
        if not p:
            continue
        if len(p) == 1:
            if p[0] > 0:
                add(lo, hi)
            continue
        candidates = {lo, hi}
        for k in _root_floors(_derivative(p), lo, hi):
            candidates.update(range(k - 1, k + 3))
        zeros = sorted(v for v in candidates if lo <= v <= hi and _at(p, v) == 0)
        at = lo
        for z in zeros:
            if z > at:
                add(at, z - 1)
            at = z + 1
        if at <= hi:
            add(at, hi)
    return out
