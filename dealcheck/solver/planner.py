"""Counting deals within a time and memory budget: a plan per independent part, never one algorithm for all.

In: the terms' domains, the conditions every deal meets (checked rules, :mod:`dealcheck.rules.ir`), optionally some
fixed codes, and a :class:`Budget`. Out: a :class:`CountResult`: the number of deals, exact or between two proven
bounds, per part the method that counted it, and (on request, when exact) how many deals give each term each value,
as runs of values with the same count, so an integer range of 10**9 values costs a few runs.

The plan, per connected part of the constraint graph (parts never meet, so their counts multiply):

1. *Value classes.* A wide integer term that the rules only compare with constants is counted per class of values
   the rules treat alike, with the class's size as weight (:mod:`dealcheck.solver.classes`).
   *Linear* counting when a part with a wide term is tied only by comparisons of two terms (``x > y``,
   ``x + y <= c``) forming a forest: piecewise polynomials over the ranges, exact at any width
   (:mod:`dealcheck.solver.linear`).
2. *Elimination* (:mod:`dealcheck.solver.counting`) when the largest table of the elimination order, estimated
   before anything is built (:func:`~dealcheck.solver.counting.largest_table`), fits the row budget: exact at any
   count, time linear in the tables.
3. *Conditioning* otherwise, when fixing a few terms (a cutset, chosen greedily by degree) brings the largest table
   within budget and the number of their combinations times that table stays within budget too: one elimination
   per combination.
4. *Enumeration* otherwise (dense graphs: every term coupled to every other): python-constraint2 lists the part's
   solutions one by one, in constant memory, until the deadline (without one: up to :data:`ENUMERATION_LIMIT`).
5. *Bounds* when that stops too: the solutions listed so far are a lower bound; the count of a relaxation (the
   part's conditions that fit the budget, the rest dropped) is an upper bound.

The time limit is checked inside every loop; a stop is never a wrong number: the part's count becomes
"between L and U" and the result says what stopped it.

Rejected: one global method (elimination is exponential in the induced width, enumeration linear in the count:
each is hopeless where the other shines), and an exact #SAT counter on a CNF encoding (pyganak; measured in
docs/performance.md: it needs the integer terms encoded as bits and does not beat this on our shapes).
"""

from __future__ import annotations

import itertools
import math
import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence

import attrs

from dealcheck import interrupt
from dealcheck.rules import ir
from dealcheck.rules.syntax import Connective
from dealcheck.solver import classes as _classes
from dealcheck.solver import counting
from dealcheck.solver import linear as _linear
from dealcheck.solver.base import MAX_LISTED_VALUES, Deadline, command_end, current_memory_limit
from dealcheck.solver.counting import Guard, Stopped

__all__ = [
    "DEFAULT_MEMORY_LIMIT",
    "ENUMERATION_LIMIT",
    "METHODS",
    "Budget",
    "CountResult",
    "PartCount",
    "Run",
    "count",
]

#: The memory the counting tables may take by default (``--memory-limit``), in bytes.
DEFAULT_MEMORY_LIMIT = 2 << 30
#: Bytes one stored table row costs in CPython (a tuple of small ints, its dict slot and count), measured.
ROW_BYTES = 200
#: Solutions an enumeration lists before it gives up and reports bounds, when no deadline is set (a clock, when one
#: is, is the only stop).
ENUMERATION_LIMIT = 2_000_000
#: The most combinations of cutset values conditioning tries.
MAX_CONDITIONING = 1 << 12
#: Tables up to this many rows eliminate in milliseconds: no other method is tried first.
QUICK_TABLE = 1 << 16
#: A part with an unclassed term wider than this (and a product of ranges over QUICK_TABLE) is counted linearly
#: when its shape allows (:mod:`dealcheck.solver.linear`).
LINEAR_MIN_VALUES = 64
#: The most solutions an enumerated part keeps for its caller (:attr:`PartCount.solutions`).
KEEP_LISTING = 20_000
#: About how long elimination spends per row of its largest table (seconds, CPython dict joins; measured).
ROW_SECONDS = 2e-6

#: The ``method`` names a part can report.
METHODS = ("free", "linear", "elimination", "conditioning", "enumeration", "bounds")

Progress = Callable[[str], None]
#: ``(lo, hi, n)``: every code from lo to hi (included) is taken by exactly n solutions.
Run = tuple[int, int, int]


@attrs.frozen
class Budget:
    """What a count may spend: ``deadline`` (a ``time.monotonic()`` value, ``None`` for none) and ``memory``
    (bytes for tables).

    >>> Budget(memory=200 * 10_000).max_rows
    10000
    """

    #: By default the limits of the enclosing :func:`dealcheck.solver.base.command_limits` (a command's
    #: ``--time-limit`` and ``--memory-limit``), else none and :data:`DEFAULT_MEMORY_LIMIT`.
    deadline: float | None = attrs.field(factory=command_end)
    memory: int = attrs.field(factory=lambda: current_memory_limit() or DEFAULT_MEMORY_LIMIT)

    @property
    def max_rows(self) -> int:
        return max(1, self.memory // ROW_BYTES)

    @classmethod
    def within(cls, time_limit: float | None, memory: int | None = None) -> Budget:
        """A budget ending ``time_limit`` seconds from now."""
        return cls(
            Deadline(time_limit).end, current_memory_limit() or DEFAULT_MEMORY_LIMIT if memory is None else memory
        )

    def expired(self) -> bool:
        """Past the deadline, or interrupted (Ctrl-C, :mod:`dealcheck.interrupt`)."""
        return (self.deadline is not None and time.monotonic() >= self.deadline) or interrupt.interrupted()


@attrs.frozen
class PartCount:
    """One independent part: its terms, how it was counted, and its count between ``low`` and ``high``."""

    terms: tuple[int, ...]
    method: str
    low: int
    high: int
    #: What stopped an inexact part: ``"time limit"``, ``"memory limit"`` or ``"enumeration limit"``.
    stopped: str | None = None
    #: An enumerated part with at most :data:`KEEP_LISTING` solutions keeps them (codes of ``terms``, in the order
    #: listed), so a caller that ranks a small zone need not list it again.
    solutions: tuple[tuple[int, ...], ...] | None = attrs.field(default=None, eq=False, repr=False)

    @property
    def exact(self) -> bool:
        return self.low == self.high


@attrs.frozen
class CountResult:
    """The deal count between ``low`` and ``high`` (equal when exact), its parts, and optionally per term the runs
    of codes with their counts (``None`` unless asked for and exact, or when the counts vary value by value)."""

    low: int
    high: int
    parts: tuple[PartCount, ...]
    per_value: tuple[tuple[Run, ...], ...] | None = None
    #: Per term, the sorted disjoint intervals of codes some solution takes (asked for with ``per_value`` and
    #: exact). Given even where ``per_value`` is not: a linear part's counts per value vary value by value (``x``
    #: in ``x > y`` is in ``x - lo`` solutions), which runs of one count cannot hold. ``None`` for a term of a linear
    #: part that could not be summed last (its count is exact, its split unknown).
    support: tuple[tuple[tuple[int, int], ...] | None, ...] | None = None

    @property
    def exact(self) -> bool:
        return self.low == self.high

    @property
    def stopped(self) -> str | None:
        """What stopped the first inexact part, if any."""
        return next((p.stopped for p in self.parts if not p.exact), None)

    @property
    def methods(self) -> tuple[str, ...]:
        return tuple(sorted({p.method for p in self.parts}))


def count(
    domains: Sequence[Sequence[int]],
    constraints: Sequence[ir.BoolExpr],
    fixed: Mapping[int, int] | None = None,
    *,
    budget: Budget | None = None,
    per_value: bool = False,
    progress: Progress | None = None,
) -> CountResult:
    """The number of assignments (one code per domain) under which every constraint holds, within ``budget``.

    >>> from dealcheck.rules.ir import Compare, CmpOp, Const, Var
    >>> r = count([range(3), range(3)], [Compare(CmpOp.LT, Var(0), Var(1))], per_value=True)
    >>> r.low, r.exact, [p.method for p in r.parts], r.per_value[0]
    (3, True, ['elimination'], ((0, 0, 2), (1, 1, 1), (2, 2, 0)))
    >>> wide = count([range(10**9)], [Compare(CmpOp.GE, Var(0), Const(110))], per_value=True)
    >>> wide.low, wide.per_value[0]
    (999999890, ((0, 109, 0), (110, 999999999, 1)))
    """
    budget = budget or Budget()
    say = progress or (lambda _: None)
    n = len(domains)
    doms: list[Sequence[int]] = list(domains)
    for t, code in (fixed or {}).items():
        doms[t] = range(code, code + 1) if code in doms[t] else range(0)
    if any(len(d) == 0 for d in doms):
        return _nothing(doms, per_value)
    conds = _conjuncts(constraints)
    if conds is None:
        return _nothing(doms, per_value)

    classes = _classes.value_classes(doms, conds, _classes.CLASS_MIN_VALUES)
    # The domain each term is counted on (a class's lowest value stands for the class) and each class's weight.
    reps: list[tuple[int, ...]] = []
    weights: dict[int, dict[int, int]] = {}
    for t, d in enumerate(doms):
        if t in classes:
            reps.append(tuple(lo for lo, _ in classes[t]))
            weights[t] = {lo: hi - lo + 1 for lo, hi in classes[t]}
        else:
            # A tuple costs about 16 bytes a value; wider than the listing limit, the part needs another method.
            listable = len(d) <= MAX_LISTED_VALUES and len(d) * 16 <= budget.memory
            reps.append(tuple(d) if listable else ())
    parts = _parts(n, conds)
    read = {t for terms, _ in parts for t in terms}
    too_wide = [t for t in read if not reps[t]]

    results: list[PartCount] = []
    marginals: dict[int, dict[int, int]] = {}
    pieces: dict[int, list[_linear.Piece]] = {}  # per term of a linear part, its solutions per value
    unsplit: set[int] = set()
    for k, (terms, part_conds) in enumerate(parts):
        say(f"counting part {k + 1} of {len(parts)}")
        if _linear_fits(terms, doms, classes):
            say("counting by linear pieces")
            try:
                counted = _linear.count_linear(
                    doms, terms, part_conds, marginals=per_value, check_time=Guard(budget.deadline, 1).check_time
                )
            except Stopped as e:
                high = math.prod(len(doms[t]) for t in terms)
                results.append(PartCount(terms, "bounds", 0, high, e.reason))
                continue
            if counted is not None:
                found, found_pieces = counted
                results.append(PartCount(terms, "linear", found, found))
                pieces.update(found_pieces or {})
                # A term that could not be summed last: the count is exact, its per-value split is not known.
                unsplit.update(t for t in terms if t not in (found_pieces or {}))
                if found == 0:
                    break
                continue
        if any(t in too_wide for t in terms):  # a term too wide to hold even its values: bounds only
            high = math.prod(len(doms[t]) for t in terms)
            results.append(PartCount(terms, "bounds", 0, high, "memory limit"))
            continue
        part, split = _count_part(terms, part_conds, reps, weights, budget, per_value, say)
        results.append(part)
        if split is not None:
            marginals.update(split)
        if part.high == 0:
            break
    free = [t for t in range(n) if t not in read]
    free_product = math.prod(len(doms[t]) for t in free)
    if free:
        results.insert(0, PartCount(tuple(free), "free", free_product, free_product))
    low = math.prod(p.low for p in results) if all(p.high for p in results) else 0
    high = math.prod(p.high for p in results)
    if any(p.high == 0 for p in results):
        low = high = 0
    out_parts = tuple(results)
    if not per_value or low != high:
        return CountResult(low, high, out_parts)
    if low == 0:
        return CountResult(0, 0, out_parts, tuple(((d[0], d[-1], 0),) for d in _int_ranges(doms)), ((),) * n)
    runs: list[tuple[Run, ...]] = []
    varying = False
    by_term = {t: p for p in results for t in p.terms}
    for t, d in enumerate(doms):
        part = by_term[t]
        rest = low // part.low
        if t in unsplit:
            varying = True
            runs.append(())
            continue
        if t in pieces:
            if all(len(poly) <= 1 for _, _, poly in pieces[t]):
                runs.append(_merge([(lo, hi, int(poly[0]) * rest if poly else 0) for lo, hi, poly in pieces[t]]))
            else:
                varying = True
                runs.append(())
            continue
        if part.method == "free":
            runs.append(_merge([(d[0], d[-1], low // len(d))]) if isinstance(d, range) else _merge_values(d, low))
            continue
        by_value = marginals[t]
        if t in classes:
            runs.append(_merge([(lo, hi, by_value.get(lo, 0) * rest // (hi - lo + 1)) for lo, hi in classes[t]]))
        else:
            runs.append(_merge([(v, v, by_value.get(v, 0) * rest) for v in d]))
    support: list[tuple[tuple[int, int], ...] | None] = [
        None
        if t in unsplit
        else tuple(_linear.positive_intervals(pieces[t]))
        if t in pieces
        else tuple((lo, hi) for lo, hi, c in runs[t] if c > 0)
        for t in range(n)
    ]
    return CountResult(low, high, out_parts, None if varying else tuple(runs), tuple(support))


def _linear_fits(terms: Sequence[int], doms: Sequence[Sequence[int]], classes: Mapping[int, object]) -> bool:
    """Whether linear counting is worth trying on a part: some term is wide and not classed, so the tables of the
    other methods would be large (small parts keep their methods: they are exact and quick there)."""
    wide = any(t not in classes and len(doms[t]) > LINEAR_MIN_VALUES for t in terms)
    return wide and math.prod(len(doms[t]) for t in terms) > QUICK_TABLE


# --- parts --------------------------------------------------------------------------------------------------


def _conjuncts(constraints: Sequence[ir.BoolExpr]) -> list[ir.BoolExpr] | None:
    """The top-level conjuncts, constants settled; ``None`` when one is false."""
    out: list[ir.BoolExpr] = []
    stack = list(reversed(constraints))
    while stack:
        c = stack.pop()
        match c:
            case ir.Logic(op=Connective.AND, operands=xs):
                stack += reversed(xs)
            case ir.Truth(value=True):
                pass
            case ir.Truth(value=False):
                return None
            case _:
                if not ir.term_indices(c):
                    if not counting._bool_fn(c)([]):
                        return None
                    continue
                out.append(c)
    return out


def _parts(n: int, conds: Sequence[ir.BoolExpr]) -> list[tuple[tuple[int, ...], list[ir.BoolExpr]]]:
    """Connected parts of the terms through the conditions, in order of first term."""
    parent = list(range(n))

    def find(v: int) -> int:
        while parent[v] != v:
            parent[v] = parent[parent[v]]
            v = parent[v]
        return v

    scopes = [sorted(ir.term_indices(c)) for c in conds]
    for scope in scopes:
        for v in scope[1:]:
            parent[find(v)] = find(scope[0])
    by_root: dict[int, tuple[set[int], list[ir.BoolExpr]]] = {}
    for c, scope in zip(conds, scopes, strict=True):
        terms, cs = by_root.setdefault(find(scope[0]), (set(), []))
        terms.update(scope)
        cs.append(c)
    return sorted(((tuple(sorted(ts)), cs) for ts, cs in by_root.values()), key=lambda p: p[0][0])


# --- one part -----------------------------------------------------------------------------------------------


def _count_part(
    terms: tuple[int, ...],
    conds: list[ir.BoolExpr],
    reps: list[tuple[int, ...]],
    weights: Mapping[int, Mapping[int, int]],
    budget: Budget,
    per_value: bool,
    say: Progress,
) -> tuple[PartCount, dict[int, dict[int, int]] | None]:
    """One part's count (and, when exact and asked for, its per-value split on the counted domains)."""
    guard = Guard(budget.deadline, budget.max_rows)
    full = _weighted_product(terms, reps, weights)
    inside = set(terms)
    # Terms of other parts are read by none of these conditions: one placeholder value each keeps them out.
    reps = [r if t in inside else (0,) for t, r in enumerate(reps)]
    try:
        guard.check_time()
        model = counting._Model.build(reps, conds, None, Guard(budget.deadline, min(budget.max_rows, 1 << 22)))
    except Stopped as e:
        if e.reason == "time limit":
            return PartCount(terms, "bounds", 0, full, e.reason), None
        model = None
    if model is not None and model.empty:
        return PartCount(terms, "elimination", 0, 0), None
    factors: list[counting.Factor] = []
    if model is not None:
        factors = list(model.factors) + [
            ((t,), {(v,): c for v, c in w.items()}) for t, w in weights.items() if t in inside
        ]
        sizes = model.sizes
        plan: list[int] = []  # the estimate's elimination order, which the elimination then follows
        largest = counting.largest_table(factors, sizes, plan)
        if largest > QUICK_TABLE:
            # Big tables take seconds; a dense part often has few solutions. List them first, for no longer than
            # the elimination would take, and eliminate only if the listing does not finish by then.
            say("counting by enumeration")
            found, split, stopped, listing = _enumerate(
                terms,
                conds,
                reps,
                weights,
                budget,
                per_value,
                say,
                seconds=min(largest, 4 * budget.max_rows) * ROW_SECONDS,
            )
            if stopped is None:
                return PartCount(terms, "enumeration", found, found, solutions=listing), split
            if budget.expired():
                return _bounded(terms, factors, sizes, budget, found, full, "time limit"), None
        if largest <= budget.max_rows:
            say("counting by elimination")
            try:
                return _eliminate(terms, factors, sizes, guard, per_value, "elimination", plan)
            except Stopped as e:  # out of time: bounds; out of rows (the estimate is a bound): the next method
                if e.reason == "time limit":
                    return _bounded(terms, factors, sizes, budget, 0, full, e.reason), None
        cut = _cutset(factors, sizes, budget.max_rows)
        if cut is not None:
            say(f"counting by conditioning on {len(cut)} terms")
            try:
                # The cutset keeps each combination's tables within 4x the row budget (see _cutset).
                return _condition(terms, factors, sizes, cut, Guard(budget.deadline, 4 * budget.max_rows), per_value)
            except Stopped as e:
                if e.reason == "time limit":
                    return _bounded(terms, factors, sizes, budget, 0, full, e.reason), None
    say("counting by enumeration")
    found, split, stopped, listing = _enumerate(terms, conds, reps, weights, budget, per_value, say)
    if stopped is None:
        return PartCount(terms, "enumeration", found, found, solutions=listing), split
    if model is None:
        return PartCount(terms, "bounds", found, full, stopped), None
    return _bounded(terms, factors, model.sizes, budget, found, full, stopped), None


def _weighted_product(
    terms: Sequence[int], reps: Sequence[Sequence[int]], weights: Mapping[int, Mapping[int, int]]
) -> int:
    return math.prod(sum(weights[t].values()) if t in weights else len(reps[t]) for t in terms)


def _constants(factors: list[counting.Factor]) -> tuple[int, list[counting.Factor]]:
    k = 1
    rest = []
    for f in factors:
        if f[0]:
            rest.append(f)
        else:
            k *= f[1].get((), 0)
    return k, rest


def _eliminate(
    terms: tuple[int, ...],
    factors: list[counting.Factor],
    sizes: Mapping[int, int],
    guard: Guard,
    per_value: bool,
    method: str,
    plan: Sequence[int] = (),
) -> tuple[PartCount, dict[int, dict[int, int]] | None]:
    k, factors = _constants(factors)
    if k == 0:
        return PartCount(terms, method, 0, 0), None
    if not per_value:
        n = k * counting._eliminate(factors, sizes, guard, plan)
        return PartCount(terms, method, n, n), None
    n, split = counting._eliminate_marginals(factors, sizes, guard, plan)
    n *= k
    return PartCount(terms, method, n, n), {t: {v: c * k for v, c in split.get(t, {}).items()} for t in terms}


def _cutset(factors: list[counting.Factor], sizes: Mapping[int, int], max_rows: int) -> list[int] | None:
    """A few variables whose fixing brings the elimination within ``max_rows`` rows per table and per combination;
    ``None`` when no such cutset is found (greedy by degree)."""
    degree: dict[int, set[int]] = defaultdict(set)
    for scope, _ in factors:
        for v in scope:
            degree[v].update(scope)
    cut: list[int] = []
    combos = 1
    remaining = list(factors)
    while True:
        candidates = sorted(degree, key=lambda v: (-len(degree[v] - set(cut)), v))
        pick = next((v for v in candidates if v not in cut), None)
        if pick is None:
            return None
        combos *= sizes[pick]
        if combos > MAX_CONDITIONING:
            return None
        cut.append(pick)
        remaining = [(tuple(u for u in s if u not in cut), t) for s, t in factors]  # scopes only matter here
        remaining = [(s, t) for s, t in remaining if s]
        if counting.largest_table(remaining, sizes) * combos <= max_rows * 4:
            return cut


def _condition(
    terms: tuple[int, ...],
    factors: list[counting.Factor],
    sizes: Mapping[int, int],
    cut: list[int],
    guard: Guard,
    per_value: bool,
) -> tuple[PartCount, dict[int, dict[int, int]] | None]:
    domains = {v: sorted({row[s.index(v)] for s, t in factors if v in s for row in t}) for v in cut}
    total = 0
    split: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    for values in itertools.product(*(domains[v] for v in cut)):
        guard.check_time()
        assignment = dict(zip(cut, values, strict=True))
        restricted = counting.restrict(factors, assignment)
        if restricted is None:
            continue
        part, sub = _eliminate(terms, restricted, sizes, guard, per_value, "conditioning")
        if part.low == 0:
            continue
        total += part.low
        if per_value:
            assert sub is not None
            for v, x in assignment.items():
                split[v][x] += part.low
            for t, counts in sub.items():
                if t in assignment:
                    continue
                for value, c in counts.items():
                    split[t][value] += c
    out = {t: dict(split[t]) for t in terms} if per_value else None
    return PartCount(terms, "conditioning", total, total), out


def _enumerate(
    terms: tuple[int, ...],
    conds: list[ir.BoolExpr],
    reps: list[tuple[int, ...]],
    weights: Mapping[int, Mapping[int, int]],
    budget: Budget,
    per_value: bool,
    say: Progress,
    seconds: float | None = None,
) -> tuple[int, dict[int, dict[int, int]] | None, str | None, tuple[tuple[int, ...], ...] | None]:
    """The part's solutions listed by python-constraint2: (weighted count, per-value split, what stopped it, the
    solutions themselves when there are at most :data:`KEEP_LISTING` and no value classes), for at most
    ``seconds`` when given (then ``"time limit"`` may mean only that this try ran out)."""
    from dealcheck.solver import pyconstraint
    from dealcheck.solver.base import Constraints

    domains = tuple(reps)
    # One python-constraint constraint per set of terms (their conditions joined): half the calls on pairwise rules.
    by_scope: dict[frozenset[int], list[ir.BoolExpr]] = {}
    for c in conds:
        by_scope.setdefault(ir.term_indices(c), []).append(c)
    joined = tuple(cs[0] if len(cs) == 1 else ir.Logic(Connective.AND, tuple(cs)) for cs in by_scope.values())
    problem = Constraints(domains, joined)  # type: ignore[arg-type]  # tuples of codes serve as ranges here
    remaining = None if budget.deadline is None else max(0.0, budget.deadline - time.monotonic())
    if seconds is not None:
        remaining = seconds if remaining is None else min(seconds, remaining)
    split: dict[int, dict[int, int]] = {t: defaultdict(int) for t in terms} if per_value else {}
    weighted = [t for t in terms if t in weights]
    found = listed = 0
    # Without a deadline, a fixed number of solutions keeps a count from running for hours; with one, the deadline
    # alone stops the listing (a run given ten minutes should not stop after two million deals, in seconds).
    cap = ENUMERATION_LIMIT if budget.deadline is None else None
    end = None if remaining is None else time.monotonic() + remaining
    kept: list[tuple[int, ...]] | None = None if weighted else []
    stream = pyconstraint.iterate_solutions(problem, limit=None if cap is None else cap + 1, time_limit=remaining)
    for solution in stream:
        listed += 1
        if cap is not None and listed > cap:
            return found, None, "enumeration limit", None
        if kept is not None:
            kept.append(tuple(solution[t] for t in terms))
            if len(kept) > KEEP_LISTING:
                kept = None
        w = 1
        for t in weighted:
            w *= weights[t][solution[t]]
        found += w
        if per_value:
            for t in terms:
                split[t][solution[t]] += w
        if listed % 65536 == 0:
            say(f"counting by enumeration: {listed:,} deals so far")
    # A listing stopped early (time limit, Ctrl-C) is never read as every solution; one that ended past this try's
    # end is handed to the next method as before (the method a part reports should not hang on the machine's load).
    if not stream.complete or (end is not None and time.monotonic() >= end):
        return found, None, "time limit", None
    listing = None if kept is None else tuple(kept)
    return found, ({t: dict(c) for t, c in split.items()} if per_value else None), None, listing


def _bounded(
    terms: tuple[int, ...],
    factors: list[counting.Factor],
    sizes: Mapping[int, int],
    budget: Budget,
    low: int,
    full: int,
    reason: str,
) -> PartCount:
    """A part the budget stopped: ``low`` solutions proven; the upper bound counts a relaxation that fits."""
    high = full
    if not budget.expired():
        # Unary factors (class weights among them) never widen the plan and must stay: a class counts its weight.
        kept = [f for f in factors if len(f[0]) <= 1]
        # Tightest factors first (fewest rows for their scope), each kept only if the plan still fits: dropping
        # a condition can only add solutions, so the relaxation's count bounds the part's from above.
        by_tightness = sorted(factors, key=lambda f: len(f[1]) / max(1, math.prod(sizes[v] for v in f[0])))
        limit = max(1024, budget.max_rows // 8)
        for f in by_tightness:
            if len(f[0]) <= 1:
                continue
            if counting.largest_table([*kept, f], sizes) <= limit:
                kept.append(f)
        # Auxiliary variables of dropped definitions are summed over all their values: still a relaxation, but
        # their whole domains multiply in; a term's values are always counted once.
        try:
            k, rest = _constants(kept)
            relaxed = k * counting._eliminate(rest, sizes, Guard(budget.deadline, budget.max_rows))
            read = {v for s, _ in kept for v in s}
            relaxed *= math.prod(sizes[t] for t in terms if t not in read)
            high = min(high, relaxed)
        except Stopped:
            pass
    return PartCount(terms, "bounds", low, max(low, high), reason)


# --- per-value runs -----------------------------------------------------------------------------------------


def _merge(runs: Sequence[Run]) -> tuple[Run, ...]:
    """Adjacent runs with the same count, merged."""
    out: list[Run] = []
    for lo, hi, n in runs:
        if out and out[-1][2] == n and out[-1][1] + 1 == lo:
            out[-1] = (out[-1][0], hi, n)
        else:
            out.append((lo, hi, n))
    return tuple(out)


def _merge_values(values: Sequence[int], total: int) -> tuple[Run, ...]:
    each = total // len(values)
    return _merge([(v, v, each) for v in values])


def _int_ranges(doms: Sequence[Sequence[int]]) -> list[Sequence[int]]:
    return [d if len(d) else range(1) for d in doms]


def _nothing(doms: Sequence[Sequence[int]], per_value: bool) -> CountResult:
    runs = tuple(((d[0], d[-1], 0),) for d in _int_ranges(doms)) if per_value else None
    return CountResult(0, 0, (), runs)
