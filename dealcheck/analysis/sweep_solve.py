"""The sweep's per-draw engine: one CP-SAT model re-solved per draw, for scenarios too large for the table engine.

In: a scenario (any number of packages), a seed, blocks of draws (the same draws, from the same generator calls, as
the table engine of :mod:`dealcheck.analysis.sweep`). Out: the same :class:`~dealcheck.analysis.sweep.BlockCounts`,
with each best deal keyed by its package's rank in term order (codes as a mixed-radix number) instead of a table row.

Per draw, on one :class:`~dealcheck.solver.resolve.Resolver` (the model built once; the certain red lines imposed,
the uncertain ones behind selectors, assumed when the draw says they hold):

- does a deal exist: one solve under the holding red lines (and, per partial package, one with its codes assumed),
  once per pattern of holding red lines (the answer depends on nothing else), fewer when other patterns answer it
  (:func:`_exists`);
- per term, which options occur in some deal: found once per distinct pattern of holding red lines (each solution
  found marks all its options; one more solve per option not yet seen, none for what other patterns answer) and kept
  for later draws with the pattern;
- the best deal by ``total`` and by ``maximin``: the draw's weights written into the model, one optimisation, then
  the lexicographically smallest deal at the optimum (the tie-break every engine uses). Scores are the parties'
  weighted counts over their total weight, as in the table engine; posted as integers: every party's score times
  the least common multiple of the fractions' denominators when it fits in :data:`EXACT_SCALE` (always, without
  ranged weights: the ranking is then exact), else rounded to ``1 / EXACT_SCALE`` of a party's total (ranged
  weights drawn as floats; deals whose totals differ by less than that may rank either way);
- the best deal by ``nash`` (the product of the scores): each party's score an integer on its own scale (its
  weights over its total times the least common multiple of their denominators), their product CP-SAT's integer
  multiplication, maximised, then fixed while the total is maximised, then both fixed for the smallest deal. Exact
  when the product of the parties' scales is at most :data:`NASH_SCALE` (always without ranged weights on small
  integer weights), else each party's shares rounded to ``NASH_SCALE ** (1 / parties)``.

The best deals by every objective come from the pattern's frontier
(:meth:`~dealcheck.solver.resolve.Resolver.frontier`, enumerated on the pattern's first draw) when it is known (at
most :data:`~dealcheck.solver.resolve.FRONTIER_CAP` points): ranked in exact fractions (:func:`_exact_weights`,
nothing rounded), the tie-break one cached descent per core; no optimisation. The solving above is for patterns
whose frontier is larger; a draw it could only rank on rounded weights first enumerates the frontier further (up to
:data:`~dealcheck.solver.resolve.EXACT_FRONTIER_CAP` points), and only past that is it ranked rounded: the report
counts those draws (``rounded``) and exits 4, so a rounded ranking is never passed off as exact.

A deadline stops the draws between two of them; the counts then hold the draws done.
"""

from __future__ import annotations

import math
import time
from collections.abc import Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from dealcheck import interrupt
from dealcheck.rules.ir import BoolExpr, Truth

if TYPE_CHECKING:
    from dealcheck.analysis.sweep import BlockCounts
    from dealcheck.model import Scenario
    from dealcheck.solver.resolve import Resolver

__all__ = ["EXACT_SCALE", "NASH_SCALE", "OBJECTIVES", "run_solve_blocks"]

#: The per-draw engine ranks by these objectives (as the table engine).
OBJECTIVES: tuple[str, ...] = ("total", "maximin", "nash")
#: The largest common scale of the parties' scores posted as integers (``maximin`` posts ``min * (scale * parties +
#: 1) + total``, which must stay within 62 bits).
EXACT_SCALE = 1 << 26
#: The largest product of the parties' own scales for ``nash`` (each party's score an integer on its own scale,
#: multiplied by CP-SAT). Below 10**12: two different products then differ by more than the table engine's
#: :data:`~dealcheck.analysis.sweep.TIE`, so both engines see the same ties.
NASH_SCALE = 10**11


@attrs.frozen(eq=False)
class _Shape:
    """What a draw needs of the scenario, in the table engine's order (see ``sweep._Table``)."""

    uncertain: tuple[Any, ...]
    columns: tuple[Any, ...]
    soft: tuple[bool, ...]
    party_of: tuple[int, ...]


def shape(scenario: Scenario) -> _Shape:
    uncertain = tuple(r for r in scenario.red_lines() if r.confidence is not None)
    scored = [(d, False) for p in scenario.parties for d in p.demands]
    scored += [(r, True) for r in uncertain if r.soft_if_wrong]
    index = {p.id: i for i, p in enumerate(scenario.parties)}
    return _Shape(
        uncertain,
        tuple(r for r, _ in scored),
        tuple(s for _, s in scored),
        tuple(index[r.party] for r, _ in scored),
    )


_RESOLVERS: dict[int, Resolver] = {}  # by id of the scenario: one model per scenario and process


def _resolver(scenario: Scenario, s: _Shape) -> Resolver:
    from dealcheck.solver.base import Constraints, Deadline
    from dealcheck.solver.resolve import Resolver

    hit = _RESOLVERS.get(id(scenario))
    if hit is not None and hit.owner is scenario:
        return hit
    certain = [r for r in scenario.red_lines() if r.confidence is None]
    groups: list[list[BoolExpr]] = [[] for _ in scenario.parties]
    for r, p in zip(s.columns, s.party_of, strict=True):
        groups[p].append(r.expr)
    for g in groups:
        g.append(Truth(True))  # a party whose draw weighs nothing scores 1: this column carries that constant
    constraints = Constraints.from_scenario(scenario, certain)
    resolver = Resolver(constraints, [r.expr for r in s.uncertain], groups, Deadline(None))
    resolver.owner = scenario
    _RESOLVERS.clear()
    _RESOLVERS[id(scenario)] = resolver
    return resolver


def _integer_weights(
    weights: Sequence[Fraction], party_of: Sequence[int], parties: int
) -> tuple[list[list[int]], bool]:
    """Per party, its columns' integer coefficients then the constant column's: scores on one common scale.

    Exact (``True``) when the common denominator of every ``weight / party total`` fits :data:`EXACT_SCALE`."""
    totals = [Fraction(0)] * parties
    for w, p in zip(weights, party_of, strict=True):
        totals[p] += w
    shares = [w / totals[p] if totals[p] else Fraction(0) for w, p in zip(weights, party_of, strict=True)]
    scale = 1
    for f in shares:
        scale = math.lcm(scale, f.denominator)
        if scale > EXACT_SCALE:
            break
    exact = scale <= EXACT_SCALE
    if not exact:
        scale = EXACT_SCALE
    out: list[list[int]] = [[] for _ in range(parties)]
    for f, p in zip(shares, party_of, strict=True):
        out[p].append(int(f * scale) if exact else round(f * scale))
    for p in range(parties):
        out[p].append(0 if totals[p] else scale)
    return out, exact


def _nash_weights(weights: Sequence[Fraction], party_of: Sequence[int], parties: int) -> tuple[list[list[int]], bool]:
    """Per party, its columns' integer coefficients then the constant column's, each party on its own scale (the
    least common multiple of its ``weight / party total`` denominators), so the product of the parties' integer
    scores is the product of their scores times a constant.

    Exact (``True``) when the product of the scales is at most :data:`NASH_SCALE`; else each party's scale is
    ``NASH_SCALE ** (1 / parties)`` and its shares rounded to it.

    >>> _nash_weights([Fraction(1), Fraction(2), Fraction(3)], [0, 0, 1], 2)
    ([[1, 2, 0], [1, 0]], True)
    """
    totals = [Fraction(0)] * parties
    for w, p in zip(weights, party_of, strict=True):
        totals[p] += w
    shares: list[list[Fraction]] = [[] for _ in range(parties)]
    for w, p in zip(weights, party_of, strict=True):
        shares[p].append(w / totals[p] if totals[p] else Fraction(0))
    scales = []
    for p in range(parties):
        scale = 1
        for f in shares[p]:
            scale = math.lcm(scale, f.denominator)
            if scale > NASH_SCALE:
                break
        scales.append(scale)
    exact = math.prod(scales) <= NASH_SCALE
    if not exact:
        scales = [int(NASH_SCALE ** (1 / parties))] * parties
    out = [
        [int(f * scale) if exact else round(f * scale) for f in shares[p]] + [0 if totals[p] else scale]
        for p, scale in enumerate(scales)
    ]
    return out, exact


def _exact_weights(weights: Sequence[Fraction], party_of: Sequence[int], parties: int) -> list[list[int]]:
    """Per party, its weights times the least common multiple of their denominators (exact integers, however
    large: ranged weights are floats, with power-of-two denominators), then the constant column: 1 for a party
    whose weights are all 0 (it scores 1), else 0. What a frontier ranks by (Python integers, no 64-bit limit).

    >>> _exact_weights([Fraction(1, 2), Fraction(3, 4), Fraction(0)], [0, 0, 1], 2)
    [[2, 3, 0], [0, 1]]
    """
    per: list[list[Fraction]] = [[] for _ in range(parties)]
    for w, p in zip(weights, party_of, strict=True):
        per[p].append(w)
    out = []
    for ws in per:
        scale = math.lcm(*(w.denominator for w in ws)) if ws else 1
        ints = [int(w * scale) for w in ws]
        out.append([*ints, 0 if any(ints) else 1])
    return out


def _key(codes: Sequence[int], lows: Sequence[int], sizes: Sequence[int]) -> int:
    """A package's rank in term order (last term fastest): the best-deal counts' key."""
    key = 0
    for c, lo, n in zip(codes, lows, sizes, strict=True):
        key = key * n + (c - lo)
    return key


def decode_key(key: int, lows: Sequence[int], sizes: Sequence[int]) -> tuple[int, ...]:
    out = []
    for lo, n in zip(reversed(lows), reversed(sizes), strict=True):
        key, r = divmod(key, n)
        out.append(r + lo)
    return tuple(reversed(out))


def run_solve_blocks(
    scenario: Scenario,
    seed: int,
    blocks: Sequence[int],
    partial: Sequence[Sequence[int | None]],
    samples: int,
    deadline: float | None = None,
) -> BlockCounts:
    """The counts of ``blocks`` by per-draw solving (module docstring); ``deadline`` (``time.monotonic()``) stops
    between draws."""
    import numpy as np

    from dealcheck.analysis.sweep import BLOCK, BlockCounts
    from dealcheck.analysis.sweep import OBJECTIVES as ALL
    from dealcheck.solver.resolve import EXACT_FRONTIER_CAP, UNKNOWN

    s = shape(scenario)
    terms = scenario.terms
    lows = [min(t.domain.codes) for t in terms]
    sizes = [t.size for t in terms]
    offsets = np.cumsum([0, *sizes])
    n_opts = int(offsets[-1])
    n_parties = len(scenario.parties)
    k = len(s.uncertain)
    red_conf = np.array([float(r.confidence) for r in s.uncertain], dtype=np.float64)
    col_conf = np.array(
        [
            1.0 if soft or r.confidence is None else float(r.confidence)
            for r, soft in zip(s.columns, s.soft, strict=True)
        ],
        dtype=np.float64,
    )
    fixed_w: list[Fraction | None] = []
    lo, hi = [], []
    for r, soft in zip(s.columns, s.soft, strict=True):
        ranged = r.weight_range is not None and not soft
        a, b = r.weight_range if ranged else ((1, 1) if soft else (r.weight, r.weight))
        lo.append(float(a))
        hi.append(float(b))
        fixed_w.append(None if ranged else Fraction(1 if soft else r.weight))
    col_lo, col_hi = np.array(lo, dtype=np.float64), np.array(hi, dtype=np.float64)
    bit_of = {r.ref: i for i, r in enumerate(s.uncertain)}
    soft_bit = [bit_of[r.ref] if soft else -1 for r, soft in zip(s.columns, s.soft, strict=True)]

    solver = _resolver(scenario, s)
    solved: dict[Any, Any] = solver.memo  # ("best", pattern, weights) -> the best deals
    # Per pattern of holding red lines (bits): the options in some deal; and whether each partial package has a
    # deal completion, and a deal (None: no deal). Each depends on the pattern only.
    options_of: dict[int, Any] = solved.setdefault("options", {})
    exists: dict[int, Any] = solved.setdefault(("exists", tuple(map(tuple, partial))), {})
    in_some = np.zeros(n_opts, dtype=np.int64)
    in_best = np.zeros(n_opts, dtype=np.int64)
    best: list[dict[int, int]] = [{} for _ in ALL]
    package_deal = [0] * len(partial)
    any_deal = no_deal = done = rounded = 0
    fixed_partial = [{t: c for t, c in enumerate(codes) if c is not None} for codes in partial]

    def settled(answer: Any) -> Any:
        if answer is UNKNOWN:
            raise _OutOfTime
        return answer

    try:
        for b in blocks:
            count = min(BLOCK, samples - b * BLOCK)
            if count <= 0:
                continue
            rng = np.random.default_rng([seed, b])
            red_hold = rng.random((count, k)) < red_conf
            col_keep = rng.random((count, len(col_conf))) < col_conf
            drawn = col_lo + (col_hi - col_lo) * rng.random((count, len(col_lo)))
            for i in range(count):
                if (deadline is not None and time.monotonic() >= deadline) or interrupt.interrupted():
                    raise _OutOfTime  # Ctrl-C too: draws answered from the memo would otherwise run on
                holding = [j for j in range(k) if red_hold[i, j]]
                active = sum(1 << j for j in holding)
                # Whether a deal (and a completion of each partial package) exists depends on the pattern only:
                # solved on its first draw, looked up after.
                found = exists.get(active)
                if found is None:
                    found = exists[active] = _exists(solver, holding, active, exists, fixed_partial, settled)
                hits, first = found
                if first is None:
                    for j, h in enumerate(hits):
                        package_deal[j] += h
                    no_deal += 1
                    done += 1
                    continue
                options = options_of.get(active)
                if options is None:
                    options = _options(solver, holding, active, first, options_of, offsets, lows, settled)
                    options_of[active] = options
                    # Once per pattern (up to FRONTIER_CAP optimisations): the best deals of every draw under it then
                    # come from the frontier, ranked exactly whatever the weights, without optimisations.
                    solver.frontier(holding)
                weights: list[Fraction] = []
                for j in range(len(s.columns)):
                    if soft_bit[j] >= 0:
                        on = not (active >> soft_bit[j]) & 1
                        weights.append(Fraction(1) if on else Fraction(0))
                    elif not col_keep[i, j]:
                        weights.append(Fraction(0))
                    else:
                        fixed = fixed_w[j]
                        weights.append(fixed if fixed is not None else Fraction(float(drawn[i, j])))
                integer, integer_exact = _integer_weights(weights, s.party_of, n_parties)
                # A draw that repeats an earlier one (same holding red lines, same integer weights: common without
                # ranged weights) has the same best deals: looked up, not solved again.
                exact = _exact_weights(weights, s.party_of, n_parties)
                memo_key = ("best", active, tuple(map(tuple, exact)))
                answer = solved.get(memo_key)
                if answer is None:
                    nash, nash_exact = _nash_weights(weights, s.party_of, n_parties)
                    # CP-SAT would rank this draw on rounded weights: the frontier, ranked in exact fractions,
                    # answers instead wherever it can be enumerated.
                    inexact = not (integer_exact and nash_exact) and not solver.frontier(holding, EXACT_FRONTIER_CAP)
                    picks = [settled(solver.best(holding, integer, o, exact)) for o in OBJECTIVES[:2]]
                    picks.append(settled(solver.nash(holding, nash, integer, exact)))
                    answer = (picks, inexact)
                    if len(solved) >= 65_536:
                        solved.clear()
                        solved["options"], solved["exists", tuple(map(tuple, partial))] = options_of, exists
                    solved[memo_key] = answer
                picks, inexact = answer
                rounded += inexact
                for j, h in enumerate(hits):
                    package_deal[j] += h
                done += 1
                any_deal += 1
                in_some += options
                for o, codes in enumerate(picks):
                    key = _key(codes, lows, sizes)
                    best[o][key] = best[o].get(key, 0) + 1
                    if OBJECTIVES[o] == "total":
                        for t, c in enumerate(codes):
                            in_best[int(offsets[t]) + c - lows[t]] += 1
    except _OutOfTime:
        pass
    return BlockCounts(
        done,
        any_deal,
        tuple(package_deal),
        tuple(in_some.tolist()),
        tuple(in_best.tolist()),
        tuple(tuple(sorted(d.items())) for d in best),
        no_deal,
        rounded,
    )


class _OutOfTime(Exception):
    pass


def _exists(
    solver: Resolver,
    holding: Sequence[int],
    active: int,
    known: dict[int, Any],
    fixed_partial: Sequence[dict[int, int]],
    settled: Any,
) -> tuple[list[bool], Any]:
    """Whether each partial package has a deal completion under ``holding``, and a deal (``None``: none).

    Other patterns answer what they can without a solve: one holding every red line this one holds (``other &
    active == active``) has fewer deals, each a deal here; one holding only red lines this one holds has more, so
    what it lacks this one lacks."""
    more = [v for other, v in known.items() if other & active == active]  # patterns with fewer deals
    fewer = [v for other, v in known.items() if other & active == other]  # patterns with more deals
    hits = []
    for j, f in enumerate(fixed_partial):
        if any(h[j] for h, _ in more):
            hits.append(True)
        elif any(not h[j] for h, _ in fewer):
            hits.append(False)
        else:
            hits.append(settled(solver.find(holding, f)) is not None)
    first = next((deal for _, deal in more if deal is not None), None)
    if first is None and not any(deal is None for _, deal in fewer):
        first = settled(solver.find(holding))
    return hits, first


def _options(
    solver: Resolver,
    holding: Sequence[int],
    active: int,
    first: Sequence[int],
    known: dict[int, Any],
    offsets: Any,
    lows: Sequence[int],
    settled: Any,
) -> Any:
    """0/1 per flattened option: whether some deal under ``holding`` takes it. The options of other patterns
    answer what they can, as in :func:`_exists`: a pattern holding every red line this one holds has fewer deals
    (its options occur here), one holding only some of them has more (options it lacks occur in no deal here)."""
    import numpy as np

    seen = np.zeros(int(offsets[-1]), dtype=np.int64)
    possible = np.ones(int(offsets[-1]), dtype=np.int64)
    for other, options in known.items():
        if other & active == active:
            seen |= options
        if other & active == other:
            possible &= options

    def mark(codes: Sequence[int]) -> None:
        for t, c in enumerate(codes):
            seen[int(offsets[t]) + c - lows[t]] = 1

    mark(first)
    asked = False
    while True:
        unseen = [
            (t, lows[t] + j)
            for t in range(len(lows))
            for j in range(int(offsets[t + 1] - offsets[t]))
            if possible[int(offsets[t]) + j] and not seen[int(offsets[t]) + j]
        ]
        if not unseen:
            if asked:
                solver.rebuild()
            return seen
        asked = True
        found = settled(solver.some_of(holding, unseen))
        if found is None:
            solver.rebuild()  # the disjunctions asked here would slow every later solve of the model
            return seen
        mark(found)
