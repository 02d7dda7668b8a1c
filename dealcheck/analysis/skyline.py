"""Best deals and the Pareto frontier by dynamic programming on the elimination tree: exact, and no solver.

In: the problem (:class:`~dealcheck.solver.base.Constraints`: domains, red lines, fixed codes), a
:class:`~dealcheck.analysis.objectives.Scorer` and ``keep`` (the number of best deals wanted). Out: a short list
of deals that holds the exact Pareto frontier (each point with its lexicographically smallest deal) and the
``keep`` best deals by every objective of :mod:`dealcheck.analysis.objectives`; or ``None`` when the structure is
too wide for the budget (then a solver answers).

Why a short list is enough. Call a deal ``y`` *weakly better* than ``x`` when every party with demands gets at
least as much in ``y`` (met units) and ``y`` differs in some party's score or has smaller codes. Every objective
is monotone in the scores, the total breaks its ties and the codes break the rest, so a weakly better deal ranks
strictly above. Hence a deal among the ``keep`` best has fewer than ``keep`` weakly better deals, and a frontier
point's smallest deal has none: the deals with fewer than ``keep`` weakly better ones (the ``keep``-skyline) hold
every answer, and the analyses rank them exactly as they rank a full listing (``frontier_from_list``,
``best_from_list``).

How it is computed without listing. Bucket elimination, as the count does (:mod:`dealcheck.solver.counting`: the
same factors, auxiliary variables for conditions too wide to tabulate, the same greedy order), but a table row
holds, instead of a count, candidate partial deals of the variables already summed out, each with its vector of met
units and its lexicographic rank (each term's code times the number of packages of the terms after it, so the ranks
of disjoint parts add up). Demands are factors that add their weight to their party's coordinate. Two candidates in
one row agree on everything the rest of the problem reads, so swapping one for the other changes nothing else: a
candidate with ``keep`` weakly better ones in its row is dropped. Independent parts combine the same way (their
candidate sets add, Minkowski-style, then are pruned), so ``total`` costs ``keep`` candidates per row and the
frontier objectives the frontier of each row.

Rejected: a max-sum DP per objective (``total`` is a sum, but ``maximin``, ``nash`` and ``kalai`` are not, and the
kalai ideal is itself a frontier question); listing the zone (1.3e20 deals on the 48-term benchmark).
"""

from __future__ import annotations

import itertools
import math
import operator
from collections import defaultdict
from collections.abc import Mapping, Sequence, Sized
from typing import Any

from dealcheck.analysis.objectives import Scorer
from dealcheck.rules import ir
from dealcheck.solver import classes as _classes
from dealcheck.solver import counting
from dealcheck.solver.base import Constraints, Deadline
from dealcheck.solver.counting import Guard, Stopped

__all__ = ["MAX_ROWS", "MAX_WORK", "skyline"]

#: The largest table (rows of one bucket, estimated before anything is built) the dynamic programming takes on.
MAX_ROWS = 1 << 15
#: The most candidate combinations it makes before it gives up and leaves the question to a solver (deterministic,
#: about a second of work).
MAX_WORK = 1_500_000
#: A term read by some rule with more values than this is not tabulated here (the solver answers).
MAX_VALUES = 4096

Codes = tuple[int, ...]
Vector = tuple[int, ...]
#: (met units per weighted party, lexicographic rank, trace of the values summed out, rank of the values of the
#: grouped terms: the suggestion a candidate belongs to in repair, else 0)
Cand = tuple[Vector, int, Any, int]
Table = dict[tuple[int, ...], list[Cand]]
DPFactor = tuple[tuple[int, ...], Table]


class _GiveUp(Exception):
    pass


class _Work:
    __slots__ = ("deadline", "done", "limit")

    def __init__(self, deadline: Deadline | None, limit: int) -> None:
        self.deadline = deadline
        self.done = 0
        self.limit = limit

    def add(self, n: int) -> None:
        self.done += n
        if self.done > self.limit:
            raise _GiveUp
        if self.deadline is not None and self.deadline.expired():
            raise _GiveUp


def skyline(
    problem: Constraints,
    scorer: Scorer,
    keep: int = 1,
    deadline: Deadline | None = None,
    *,
    costs: Mapping[int, Mapping[int, int]] | None = None,
    grouped: Sequence[int] = (),
    total_only: bool = False,
    max_rows: int = MAX_ROWS,
    max_work: int = MAX_WORK,
) -> list[Codes] | None:
    """Every deal with fewer than ``keep`` weakly better deals (see the module docstring), smallest codes first;
    ``[]`` when there is no deal; ``None`` when the problem is too wide for ``max_rows``/``max_work`` or the
    ``deadline`` passed (nothing is wrong then: a solver answers instead).

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms:
    ...   ceasefire: {options: [none, energy, full], ordered: true}
    ...   minerals: bool
    ... parties:
    ...   us:
    ...     demands:
    ...       truce: {rule: ceasefire >= "energy", weight: 2, assumption: toy}
    ...       minerals: {rule: minerals, assumption: toy}
    ...   russia:
    ...     red_lines:
    ...       no_full: {rule: ceasefire != "full", assumption: toy}
    ...     demands:
    ...       no_minerals: {rule: not minerals, assumption: toy}
    ... ''')
    >>> skyline(Constraints.from_scenario(s), Scorer(s.parties))
    [(1, 0), (1, 1)]

    For repair, ``costs`` gives per term the distance each code costs (a first coordinate, ``-distance``, joins
    the vector) and the deals are ranked per *suggestion*: deals with the same codes on the ``grouped`` terms are one
    suggestion, and a candidate is dropped when a weakly better one in its row is the same suggestion, or when
    weakly better ones make up ``keep`` other suggestions (:func:`_prune`). The result then holds the best deal of
    each of the ``keep`` nearest suggestions (by distance, then total score, then codes).

    With ``total_only`` the parties' scores are one coordinate, the total score in units of the least common
    multiple of their totals (exact Python integers, never a solver's): the result then holds the ``keep`` best
    deals by ``total`` (not the frontier), and each row keeps ``keep`` candidates, however many parties there are.
    """
    keep = max(1, keep)
    work = _Work(deadline, max_work)
    fixed = problem.merged_fixed()
    if fixed is None:
        return []
    domains: list[Sequence[int]] = [
        d if c is None else range(c, c + 1) for d, c in zip(problem.domains, fixed, strict=True)
    ]
    if any(len(d) == 0 for d in domains):
        return []
    n = len(domains)
    demands = [
        (k, w, d.expr)
        for k, i in enumerate(scorer.weighted)
        for w, d in zip(scorer.weights[i], scorer.parties[i].demands, strict=True)
    ]
    read: set[int] = set()
    for c in problem.constraints:
        read |= ir.term_indices(c)
    for _, _, e in demands:
        read |= ir.term_indices(e)
    wide = [t for t in read if len(domains[t]) > MAX_VALUES]
    if wide:
        if costs is not None and any(t in costs for t in wide):
            return None  # a distance tells every value apart
        classes = _classes.value_classes(
            domains, [*problem.constraints, *(e for _, _, e in demands)], min_values=MAX_VALUES + 1
        )
        for t in wide:
            if t not in classes:
                return None
            # Every rule treats a class's values alike, so only the rank tells them apart: the ``keep`` smallest of
            # each class are all any answer uses (a salary of 0..10**9 with three thresholds: four values).
            domains[t] = [v for lo, hi in classes[t] for v in range(lo, min(hi, lo + keep - 1) + 1)]
            if len(domains[t]) > MAX_VALUES:
                return None
    read |= set(costs or ())
    for t in range(n):
        if t not in read:
            # Only the rank tells this term's values apart: the ``keep`` smallest are all any answer uses.
            domains[t] = domains[t][:keep]
        elif len(domains[t]) > MAX_VALUES:
            return None
    # The lexicographic rank of a deal: codes in mixed radix, the first term most significant.
    radix = [0] * n
    step = 1
    for t in range(n - 1, -1, -1):
        radix[t] = step
        step *= (problem.domains[t].stop - problem.domains[t].start) if fixed[t] is None else 1
    starts = [d.start if c is None else c for d, c in zip(problem.domains, fixed, strict=True)]
    if _too_wide(domains, problem.constraints, [e for _, _, e in demands], max_rows):
        return None
    try:
        model = counting._Model.build(domains, problem.constraints, None, Guard(None, 1 << 20))
    except Stopped:
        return None
    if model.empty:
        return []
    first = 0 if costs is None else 1  # the distance's coordinate comes first
    width = first + (min(1, len(scorer.weighted)) if total_only else len(scorer.weighted))
    common = math.lcm(*(scorer.totals[i] for i in scorer.weighted)) if total_only else 1
    zero = (0,) * width
    # The demand factors' scopes first, and the width estimated on scopes and row counts alone: a problem too wide
    # gives up before any candidate table is built (measured: 512 tight terms, 60 ms of tables built to be dropped).
    wanted: list[tuple[tuple[int, ...], Vector, Any]] = []  # (scope, gain, test of a row; None: the aux is 1)
    for k, w, expr in demands:
        if w == 0:
            continue
        if total_only:  # the total score, in units of ``common``
            gain = tuple(w * (common // scorer.totals[scorer.weighted[k]]) if j == first else 0 for j in range(width))
        else:
            gain = tuple(w if j == first + k else 0 for j in range(width))
        scope = tuple(sorted(ir.term_indices(expr)))
        if not scope:
            if counting._bool_fn(expr)([]):
                wanted.append(((), gain, None))
            continue
        if math.prod(len(model.domains[v]) for v in scope) > counting.TABLE_LIMIT:
            try:
                aux = model.define(expr)  # names the demand's pieces; ``aux`` is 1 exactly when it is met
            except Stopped:
                return None
            wanted.append(((aux,), gain, None))
            continue
        wanted.append((scope, gain, counting._bool_fn(expr)))
    sizes = model.sizes
    shapes: list[tuple[tuple[int, ...], Sized]] = [(scope, table) for scope, table in model.factors]
    shapes += [(scope, range(math.prod(sizes[v] for v in scope))) for scope, _, _ in wanted]
    shapes += [((t,), model.domains[t]) for t in range(n)]
    if counting.largest_table(shapes, sizes) > max_rows:  # type: ignore[arg-type]
        return None
    factors: list[DPFactor] = [(scope, {row: [(zero, 0, None, 0)] for row in table}) for scope, table in model.factors]
    for scope, gain, holds in wanted:
        if not scope:
            factors.append(((), {(): [(gain, 0, None, 0)]}))
        elif holds is None:
            factors.append((scope, {(v,): [(gain if v == 1 else zero, 0, None, 0)] for v in model.domains[scope[0]]}))
        else:
            env = [0] * n
            table: Table = {}
            for row in itertools.product(*(model.domains[v] for v in scope)):
                for v, x in zip(scope, row, strict=True):
                    env[v] = x
                table[row] = [(gain if holds(env) else zero, 0, None, 0)]
            factors.append((scope, table))
    # Every term takes part (a term no rule reads still has values to rank), with its domain as a unary factor.
    for t in range(n):
        cost = (costs or {}).get(t)
        if cost is None:
            factors.append(((t,), {(v,): [(zero, 0, None, 0)] for v in model.domains[t]}))
        else:
            factors.append(((t,), {(v,): [((-cost.get(v, 0),) + zero[1:], 0, None, 0)] for v in model.domains[t]}))
    lex = {t: (radix[t], starts[t], t in grouped) for t in range(n)}
    try:
        final = _eliminate(factors, sizes, lex, _Prune(keep, bool(grouped), work), work, zero)
    except _GiveUp:
        return None
    deals = []
    for _, _, trace, _ in final:
        codes = [0] * len(model.domains)
        _unwind(trace, codes)
        deals.append(tuple(codes[:n]))
    return sorted(deals)


def _too_wide(
    domains: Sequence[Sequence[int]], constraints: Sequence[ir.BoolExpr], demands: Sequence[ir.BoolExpr], max_rows: int
) -> bool:
    """Whether the largest table is past ``max_rows`` even before the rule tables are built: the same estimate
    (:func:`~dealcheck.solver.counting.largest_table`) on each factor's scope with every row of its terms' domains
    counted. That is an upper bound of the estimate on the built tables (which hold only the rows where a rule
    holds), equal to it on every scenario measured (the greedy order's joins are bounded by domain sizes, not rows):
    a tight 512-term scenario gives up here in ~10 ms instead of ~80 ms after building every table. ``False``
    (build and look) when a rule is too wide to tabulate: the build names its pieces and the estimate differs."""
    sizes = {v: len(d) for v, d in enumerate(domains)}
    shapes: list[tuple[tuple[int, ...], range]] = []
    factors: list[ir.BoolExpr] = list(demands)
    stack = list(constraints)
    while stack:  # the build takes a required conjunction's parts one by one
        c = stack.pop()
        if isinstance(c, ir.Logic) and c.op is ir.Connective.AND:
            stack += c.operands
        else:
            factors.append(c)
    for c in factors:
        scope = tuple(sorted(ir.term_indices(c)))
        rows = math.prod(sizes[v] for v in scope)
        if rows > counting.TABLE_LIMIT:
            return False
        if scope:
            shapes.append((scope, range(rows)))
    shapes += [((t,), range(n)) for t, n in sizes.items()]
    return counting.largest_table(shapes, sizes) > max_rows  # type: ignore[arg-type]


def _unwind(trace: Any, codes: list[int]) -> None:
    stack = [trace]
    while stack:
        node = stack.pop()
        if node is None:
            continue
        if len(node) == 3:
            codes[node[0]] = node[1]
            stack.append(node[2])
        else:
            stack.extend(node)


_ge = operator.ge


class _Prune:
    """Which candidates of one row to keep: fewer than ``keep`` weakly better ones; with ``grouped``, no weakly
    better one of the same suggestion and fewer than ``keep`` other suggestions among the weakly better ones.

    Counting only the kept candidates is enough (they are visited weakly better first): a dropped candidate's
    witnesses are weakly better than everything it beats, and with suggestions a witness of the same suggestion as
    a dropped one is of the same suggestion as what that one beat, or else one of ``keep`` other suggestions."""

    __slots__ = ("grouped", "keep", "work")

    def __init__(self, keep: int, grouped: bool, work: _Work) -> None:
        self.keep = keep
        self.grouped = grouped
        self.work = work

    def __call__(self, cands: list[Cand]) -> list[Cand]:
        if len(cands) <= 1:
            return cands
        cands.sort(key=lambda c: (-sum(c[0]), c[1]))
        keep = self.keep
        kept: list[Cand] = []
        # Each candidate is compared with at most every kept one: counted as work (every 256 candidates), so a row
        # whose frontier grows large gives up (the solver answers) rather than running on.
        if not self.grouped:
            for n, c in enumerate(cands):
                if n & 255 == 255:
                    self.work.add(256 * len(kept))
                v = c[0]
                better = 0
                for k in kept:
                    if all(map(_ge, k[0], v)):
                        better += 1
                        if better >= keep:
                            break
                if better < keep:
                    kept.append(c)
            return kept
        for n, c in enumerate(cands):
            if n & 255 == 255:
                self.work.add(256 * len(kept))
            v, g = c[0], c[3]
            others: set[int] = set()
            for k in kept:
                if all(map(_ge, k[0], v)):
                    if k[3] == g:
                        break
                    others.add(k[3])
                    if len(others) >= keep:
                        break
            else:
                kept.append(c)
        return kept


def _combine(a: list[Cand], b: list[Cand], prune: _Prune, work: _Work) -> list[Cand]:
    work.add(len(a) * len(b))
    if len(a) == 1 and len(b) == 1:
        (va, la, ta, ga), (vb, lb, tb, gb) = a[0], b[0]
        return [(tuple(map(operator.add, va, vb)), la + lb, _pair(ta, tb), ga + gb)]
    out = [
        (tuple(map(operator.add, va, vb)), la + lb, _pair(ta, tb), ga + gb)
        for va, la, ta, ga in a
        for vb, lb, tb, gb in b
    ]
    return prune(out)


def _pair(a: Any, b: Any) -> Any:
    if a is None:
        return b
    if b is None:
        return a
    return (a, b)


def _join(f: DPFactor, g: DPFactor, prune: _Prune, work: _Work) -> DPFactor:
    (sa, ta), (sb, tb) = f, g
    in_a = set(sa)
    shared = [v for v in sb if v in in_a]
    key_a = counting._getter([sa.index(v) for v in shared])
    key_b = counting._getter([sb.index(v) for v in shared])
    extra = [j for j, v in enumerate(sb) if v not in in_a]
    rest_b = counting._getter(extra)
    index: dict[tuple[int, ...], list[tuple[tuple[int, ...], list[Cand]]]] = defaultdict(list)
    for row, cs in tb.items():
        index[key_b(row)].append((rest_b(row), cs))
    out: Table = {}
    for row, cs in ta.items():
        for rest, ds in index.get(key_a(row), ()):
            out[row + rest] = _combine(cs, ds, prune, work)
    return (sa + tuple(sb[j] for j in extra), out)


def _sum_out(f: DPFactor, var: int, lex: Mapping[int, tuple[int, int, bool]], prune: _Prune, work: _Work) -> DPFactor:
    scope, table = f
    k = scope.index(var)
    rest = counting._getter([i for i in range(len(scope)) if i != k])
    radix, start, in_group = lex.get(var, (0, 0, False))
    term = var in lex
    grouped: dict[tuple[int, ...], list[Cand]] = defaultdict(list)
    for row, cs in table.items():
        x = row[k]
        add = (x - start) * radix
        into = grouped[rest(row)]
        if term:
            group = add if in_group else 0
            into.extend((v, rank + add, (var, x, trace), g + group) for v, rank, trace, g in cs)
        else:
            into.extend(cs)  # an auxiliary variable is a function of the terms: nothing to record
    work.add(len(table))
    return (scope[:k] + scope[k + 1 :], {r: prune(cs) for r, cs in grouped.items()})


def _eliminate(
    factors: list[DPFactor],
    sizes: Mapping[int, int],
    lex: Mapping[int, tuple[int, int, bool]],
    prune: _Prune,
    work: _Work,
    zero: Vector,
) -> list[Cand]:
    """Every variable summed out, greedy smallest-table first (as :func:`dealcheck.solver.counting._eliminate`);
    the candidates of the whole problem."""
    import heapq

    result: list[Cand] = [(zero, 0, None, 0)]
    constants: list[list[Cand]] = []
    live: dict[int, DPFactor] = {}
    uses: dict[int, set[int]] = defaultdict(set)
    next_id = 0

    def put(f: DPFactor) -> None:
        nonlocal next_id
        if not f[0]:
            constants.append(f[1].get((), []))
            return
        live[next_id] = f
        for v in f[0]:
            uses[v].add(next_id)
        next_id += 1

    for f in factors:
        if not f[1]:
            return []
        put(f)

    def weight(v: int) -> int:
        union = {u for k in uses[v] for u in live[k][0]}
        return math.prod(sizes[u] for u in union) // sizes[v]

    weights = {v: weight(v) for v in uses}
    heap = [(w, v) for v, w in weights.items()]
    heapq.heapify(heap)
    while heap:
        w, var = heapq.heappop(heap)
        if weights.get(var) != w:
            continue
        del weights[var]
        bucket = []
        for k in uses.pop(var):
            f = live.pop(k)
            bucket.append(f)
            for u in f[0]:
                if u != var:
                    uses[u].discard(k)
        bucket.sort(key=lambda f: len(f[1]))
        product = bucket[0]
        for f in bucket[1:]:
            product = _join(product, f, prune, work)
            if not product[1]:
                return []
        put(_sum_out(product, var, lex, prune, work))
        for u in {u for f in bucket for u in f[0] if u != var}:
            if uses[u]:
                weights[u] = weight(u)
                heapq.heappush(heap, (weights[u], u))
            else:
                del uses[u]
                weights.pop(u, None)
    if any(not c for c in constants):
        return []
    # Independent parts: their candidate sets add up (every pair), pruned after each part.
    for cs in sorted(constants, key=len):
        result = _combine(result, cs, prune, work)
    return result
