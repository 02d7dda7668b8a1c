"""How likely each finding is, given how firm each reading is: ``dealcheck sweep``.

In: a scenario whose rules may carry ``confidence`` (and red lines ``soft_if_wrong``) and whose demands may carry a
weight ``range`` (see :mod:`dealcheck.uncertainty`); a sample count and a seed. Out: a :class:`SweepReport`:

- per package of the scenario, the probability it is a deal and that each party accepts it. For a full package
  this is **exact**: the rules are independent, so it is the product of (1 - confidence) over the red lines the
  package breaks (0 if it breaks a certain one). A partial package's chance that some completion is a deal is
  exact too while few red lines are uncertain (below);
- the probability that any deal exists, and per term the probability that each option occurs in some deal:
  **exact** when at most :data:`EXACT_RED_LINES` red lines are uncertain (whether a deal exists depends only on
  which red lines hold: every one of the 2**k patterns is weighed by its probability, with a subset-sum transform
  over the packages' patterns of broken red lines), else Monte Carlo;
- per term the probability that each option occurs in the best deal, and the distribution of the best deal under
  each objective (total, maximin, nash): **Monte Carlo** over ``samples`` draws (each draw: every uncertain rule
  holds with its confidence, every ranged weight uniform in its range), with 95% Wilson intervals.

Engine: every full package is checked once with the numpy batch checker (:func:`check_many`); a draw is then a few
array operations over the packages that break no certain red line, so a sample costs well under a millisecond on
the bundled scenario. Scenarios with more than :data:`TABLE_LIMIT` packages go to the per-draw engine
(:mod:`dealcheck.analysis.sweep_solve`): one CP-SAT model re-solved per draw, Monte Carlo for everything but full
packages, best deals by every objective.

Determinism: draws come in blocks of :data:`BLOCK` samples; block ``b`` uses ``numpy.random.default_rng([seed,
b])``, and blocks' counts (integers) are summed, so the answer is byte-identical for any split of the blocks over
workers (:mod:`dealcheck.analysis.executors`). Scores of sampled weights are compared in float64, values within
:data:`TIE` (relative) counting as tied; ties are broken as explore breaks them: for maximin and nash by the larger
total, then the first package in term order (options in their declared order).

Deadline: the sampling stops between blocks; the report then holds the samples of the blocks completed in order
(``samples_done < samples``) and exits 4.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from dealcheck.errors import UsageError
from dealcheck.results import EXIT_FAILED, EXIT_LIMIT, EXIT_OK, Report
from dealcheck.uncertainty import EXACT_RED_LINES, TABLE_LIMIT  # defined there so the loader can read them

if TYPE_CHECKING:
    import numpy as np

    from dealcheck.model import Scenario

__all__ = [
    "BLOCK",
    "EXACT_RED_LINES",
    "OBJECTIVES",
    "TABLE_LIMIT",
    "BestDeal",
    "Estimate",
    "OptionOdds",
    "PackageOdds",
    "SweepReport",
    "deal_probability",
    "sweep",
]

#: Samples per seeded block: the unit of work and of determinism (never change it within a schema version).
BLOCK = 250
OBJECTIVES: tuple[str, ...] = ("total", "maximin", "nash")
_Z95 = 1.959963984540054


@attrs.frozen
class Estimate:
    """A probability: exact (``low == high == value``), or a Monte Carlo estimate with its 95% Wilson interval."""

    value: float
    exact: bool
    low: float
    high: float
    fraction: Fraction | None = None  # the exact value, where known
    hits: int | None = None  # Monte Carlo: samples where it happened, of ``samples``
    samples: int | None = None

    @classmethod
    def of_fraction(cls, p: Fraction) -> Estimate:
        v = float(p)
        return cls(v, True, v, v, p)

    @classmethod
    def of_counts(cls, hits: int, n: int) -> Estimate:
        low, high = wilson(hits, n)
        return cls(hits / n if n else math.nan, False, low, high, None, hits, n)


def wilson(hits: int, n: int, z: float = _Z95) -> tuple[float, float]:
    """The Wilson score interval of a binomial proportion (sound at 0 and 1, unlike the normal approximation).

    >>> [round(x, 4) for x in wilson(0, 100)], [round(x, 4) for x in wilson(50, 100)]
    ([0.0, 0.037], [0.4038, 0.5962])
    """
    if n == 0:
        return 0.0, 1.0
    p = hits / n
    d = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / d
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return max(0.0, centre - half), min(1.0, centre + half)


@attrs.frozen
class PackageOdds:
    id: str
    title: str | None
    complete: bool
    deal: Estimate  # full: is a deal; partial: some completion is a deal
    acceptable: tuple[tuple[str, Estimate], ...]  # full packages only: per party


@attrs.frozen
class OptionOdds:
    term: str
    option: Any
    in_some_deal: Estimate
    in_best_deal: Estimate  # under the objective "total"


@attrs.frozen
class BestDeal:
    values: Mapping[str, Any]
    probability: Estimate


@attrs.frozen
class SweepReport(Report):
    """The answer of :func:`sweep`; ``samples_done < samples`` when the deadline stopped the sampling."""

    scenario: str
    path: str
    variant: str | None
    samples: int
    samples_done: int
    seed: int
    uncertain_red_lines: tuple[str, ...]
    uncertain_demands: tuple[str, ...]
    ranged_weights: tuple[str, ...]
    any_deal: Estimate
    packages: tuple[PackageOdds, ...]
    options: tuple[OptionOdds, ...]
    best: tuple[tuple[str, tuple[BestDeal, ...], Estimate], ...]  # objective, top best deals, P(no deal)
    workers: str = "local"
    top: int = 5
    engine: str = "table"  # or "solve": one CP-SAT model re-solved per draw (dealcheck.analysis.sweep_solve)
    #: Draws whose best deals were ranked on rounded weights (the per-draw engine, past the frontier it enumerates):
    #: a near-tie there may rank either way, so the answer is not exact and the exit code says so (4).
    rounded: int = 0

    @property
    def stopped(self) -> bool:
        return self.samples_done < self.samples

    @property
    def exit_code(self) -> int:
        if self.stopped or self.rounded:
            return EXIT_LIMIT
        return EXIT_OK if self.any_deal.value > 0 else EXIT_FAILED


# --- the table: every full package, checked once --------------------------------------------------------------


@attrs.frozen(eq=False)
class _Table:
    """The packages that break no certain red line (candidates for a deal in some draw), with what a draw needs.

    ``codes[t]`` the candidates' codes of term ``t`` (row order = term order, last term fastest); ``masks`` the
    bit pattern of uncertain red lines each breaks; ``held`` (rows x columns, float64) whether each scored column
    holds: every demand, then every soft_if_wrong red line (a demand of weight 1 when the red line does not hold).
    """

    scenario: Scenario
    size: int  # full packages in the scenario's space
    codes: list[np.ndarray]
    masks: np.ndarray  # int64
    uncertain: tuple[Any, ...]  # uncertain red lines (Rule), bit i = uncertain[i]
    columns: tuple[Any, ...]  # scored columns' rules
    soft: tuple[bool, ...]  # column is a soft_if_wrong red line
    party_of: np.ndarray  # column -> party index
    held: np.ndarray
    radix: tuple[int, ...]
    patterns: dict[int, Any] = attrs.field(factory=dict)  # active red-line bits -> _Pattern, filled as drawn


def _space(scenario: Scenario) -> int:
    return math.prod(t.size for t in scenario.terms)


_TABLES: dict[str, _Table] = {}  # by the digest of the scenario's pickle: equal scenarios share one table


def _table(scenario: Scenario) -> _Table:
    import hashlib
    import pickle

    key = hashlib.sha256(pickle.dumps(scenario)).hexdigest()
    hit = _TABLES.get(key)
    if hit is not None:
        return hit
    table = _build_table(scenario)
    if len(_TABLES) >= 4:
        _TABLES.clear()
    _TABLES[key] = table
    return table


def _build_table(scenario: Scenario) -> _Table:
    import numpy as np

    size = _space(scenario)
    if size > TABLE_LIMIT:
        raise UsageError(
            f"sweep checks every full package once, and this scenario has {size:,} (the limit is {TABLE_LIMIT:,})",
            "the per-draw engine (engine='solve') answers it by re-solving one CP-SAT model per draw",
        )
    sizes = [t.size for t in scenario.terms]
    grids = np.indices(sizes, dtype=np.int16 if max(sizes, default=1) > 120 else np.int8).reshape(len(sizes), -1)
    lows = [t.domain.codes[0] for t in scenario.terms]
    columns = {t.name: (grids[i] + lows[i]) if lows[i] else grids[i] for i, t in enumerate(scenario.terms)}
    verdict = scenario.check_many(columns)
    uncertain = tuple(r for r in scenario.red_lines() if r.confidence is not None)
    if len(uncertain) > 62:
        raise UsageError(f"sweep handles at most 62 uncertain red lines, found {len(uncertain)}")
    certain_ok = np.ones(size, dtype=bool)
    for r in scenario.red_lines():
        if r.confidence is None:
            certain_ok &= verdict.rules[r.ref]
    rows = np.flatnonzero(certain_ok)
    masks = np.zeros(len(rows), dtype=np.int64)
    for bit, r in enumerate(uncertain):
        masks |= (~verdict.rules[r.ref][rows]).astype(np.int64) << bit
    scored = [(d, False) for d in (d for p in scenario.parties for d in p.demands)]
    scored += [(r, True) for r in uncertain if r.soft_if_wrong]
    party_index = {p.id: i for i, p in enumerate(scenario.parties)}
    held = np.zeros((len(rows), len(scored)), dtype=np.float64)
    for j, (r, _) in enumerate(scored):
        held[:, j] = verdict.rules[r.ref][rows]
    return _Table(
        scenario,
        size,
        [columns[t.name][rows] for t in scenario.terms],
        masks,
        uncertain,
        tuple(r for r, _ in scored),
        tuple(s for _, s in scored),
        np.array([party_index[r.party] for r, _ in scored], dtype=np.int64),
        held,
        tuple(sizes),
    )


# --- exact answers ----------------------------------------------------------------------------------------------


def _pattern_weights(uncertain: Sequence[Any]) -> list[Fraction]:
    """P(exactly the red lines of bit pattern S do NOT hold), for every S (exact)."""
    weights = [Fraction(1)]
    for r in uncertain:
        c = r.confidence
        weights = [w * c for w in weights] + [w * (1 - c) for w in weights]
    return weights


def _exists_probability(masks: np.ndarray, k: int, weights: Sequence[Fraction]) -> Fraction:
    """P(some row's broken uncertain red lines all fail to hold) = sum over patterns S of P(S) [some mask within S]."""
    import numpy as np

    present = np.zeros(1 << k, dtype=bool)
    present[np.unique(masks)] = True
    for bit in range(k):  # subset-sum (zeta) transform: present[S] = any row mask within S
        step = 1 << bit
        view = present.reshape(-1, 2 * step)
        view[:, step:] |= view[:, :step]
    return sum((w for w, ok in zip(weights, present.tolist(), strict=True) if ok), Fraction(0))


# --- sampling -------------------------------------------------------------------------------------------------


@attrs.frozen
class _Draws:
    """What varies between draws, as arrays (confidences as floats: only the sampling uses them)."""

    red_conf: np.ndarray  # per uncertain red line
    col_conf: np.ndarray  # per scored column: its confidence (1.0 for certain demands); soft red lines: see below
    col_soft: np.ndarray  # bool: column is a soft red line (present when its red line does NOT hold)
    col_red_bit: np.ndarray  # soft red line columns: their bit; others -1
    col_lo: np.ndarray
    col_hi: np.ndarray


def _draws(table: _Table) -> _Draws:
    import numpy as np

    bit_of = {r.ref: i for i, r in enumerate(table.uncertain)}
    conf, lo, hi, bits = [], [], [], []
    for r, soft in zip(table.columns, table.soft, strict=True):
        conf.append(1.0 if soft or r.confidence is None else float(r.confidence))
        bits.append(bit_of[r.ref] if soft else -1)
        low, high = r.weight_range if (r.weight_range is not None and not soft) else (r.weight, r.weight)
        lo.append(float(low) if not soft else 1.0)
        hi.append(float(high) if not soft else 1.0)
    return _Draws(
        np.array([float(r.confidence) for r in table.uncertain], dtype=np.float64),
        np.array(conf, dtype=np.float64),
        np.array(table.soft, dtype=bool),
        np.array(bits, dtype=np.int64),
        np.array(lo, dtype=np.float64),
        np.array(hi, dtype=np.float64),
    )


@attrs.frozen
class BlockCounts:
    """Integer counts of one or more blocks; summing them is the merge (order-free, hence deterministic)."""

    samples: int
    any_deal: int
    package_deal: tuple[int, ...]  # partial packages (in sweep order): some completion is a deal
    in_some: tuple[int, ...]  # per (term, option), flattened
    in_best: tuple[int, ...]  # objective total
    best: tuple[tuple[tuple[int, int], ...], ...]  # per objective: (candidate row, count), sorted by row
    no_deal: int
    #: Draws the per-draw engine could rank only on rounded weights (see dealcheck.analysis.sweep_solve); the table
    #: engine ranks every draw in float64 as documented, so 0 there.
    rounded: int = 0

    def __add__(self, other: BlockCounts) -> BlockCounts:
        def merge(a: tuple[tuple[int, int], ...], b: tuple[tuple[int, int], ...]) -> tuple[tuple[int, int], ...]:
            out = dict(a)
            for row, n in b:
                out[row] = out.get(row, 0) + n
            return tuple(sorted(out.items()))

        return BlockCounts(
            self.samples + other.samples,
            self.any_deal + other.any_deal,
            tuple(map(sum, zip(self.package_deal, other.package_deal, strict=True))),
            tuple(map(sum, zip(self.in_some, other.in_some, strict=True))),
            tuple(map(sum, zip(self.in_best, other.in_best, strict=True))),
            tuple(merge(a, b) for a, b in zip(self.best, other.best, strict=True)),
            self.no_deal + other.no_deal,
            self.rounded + other.rounded,
        )


def run_blocks(
    scenario: Scenario,
    seed: int,
    blocks: Sequence[int],
    partial: Sequence[Sequence[int | None]],
    samples: int,
    engine: str | None = None,
    deadline: float | None = None,
) -> BlockCounts:
    """The counts of the given blocks (block ``b`` holds samples ``b*BLOCK .. min(samples, (b+1)*BLOCK) - 1``);
    ``partial`` the codes of the partial packages whose chance of a deal completion is sampled. The per-draw engine
    (``engine="solve"``) stops between draws at ``deadline`` (``time.monotonic()``); the table engine's blocks are
    short enough to finish."""
    import numpy as np

    if _engine(scenario, engine) == "solve":
        from dealcheck.analysis.sweep_solve import run_solve_blocks

        return run_solve_blocks(scenario, seed, blocks, partial, samples, deadline)

    table = _table(scenario)
    partial_rows = [_partial_rows(table, codes) for codes in partial]
    draws = _draws(table)
    n_parties = len(scenario.parties)
    offsets = np.cumsum([0] + [t.size for t in scenario.terms])
    lows = [t.domain.codes[0] for t in scenario.terms]
    flat_codes = [table.codes[t] - lows[t] + offsets[t] for t in range(len(scenario.terms))]
    n_opts = int(offsets[-1])
    in_some = np.zeros(n_opts, dtype=np.int64)
    in_best = np.zeros(n_opts, dtype=np.int64)
    best: list[dict[int, int]] = [{} for _ in OBJECTIVES]
    package_deal = [0] * len(partial_rows)
    any_deal = no_deal = done = 0
    k = len(table.uncertain)
    for b in blocks:
        count = min(BLOCK, samples - b * BLOCK)
        if count <= 0:
            continue
        rng = np.random.default_rng([seed, b])
        red_hold = rng.random((count, k)) < draws.red_conf
        col_keep = rng.random((count, len(draws.col_conf))) < draws.col_conf
        weights = draws.col_lo + (draws.col_hi - draws.col_lo) * rng.random((count, len(draws.col_lo)))
        bits = (red_hold.astype(np.int64) << np.arange(k, dtype=np.int64)).sum(axis=1) if k else np.zeros(count, int)
        for i in range(count):
            active = int(bits[i])
            pattern = _pattern(table, active, partial_rows, flat_codes, n_opts)
            done += 1
            for j, hit in enumerate(pattern.partial):
                package_deal[j] += hit
            if pattern.rows is None:
                no_deal += 1
                continue
            any_deal += 1
            in_some += pattern.options
            # Weights of this draw: absent demands weigh 0; a soft red line counts only when its red line fails.
            w = np.where(col_keep[i], weights[i], 0.0)
            if draws.col_soft.any():
                soft_on = draws.col_soft & (((active >> np.maximum(draws.col_red_bit, 0)) & 1) == 0)
                w = np.where(draws.col_soft, np.where(soft_on, 1.0, 0.0), w)
            # Parties x rows, so each objective reduces over a few long contiguous rows. A party's score takes few
            # values over the rows (one per distinct pattern of its own columns): computed once each, then taken.
            scores = np.ones((n_parties, len(pattern.rows)))
            for p, cols, distinct, index in pattern.parties:
                wp = w[cols]
                total = wp.sum()
                if total > 0:
                    scores[p] = ((distinct @ wp) / total).take(index)
            summed = np.add.reduce(scores, axis=0)
            objectives = (summed, np.minimum.reduce(scores, axis=0), np.multiply.reduce(scores, axis=0))
            for o, value in enumerate(objectives):
                row = int(pattern.rows[_best(value, None if o == 0 else summed)])
                best[o][row] = best[o].get(row, 0) + 1
                if o == 0:
                    for t in range(len(flat_codes)):
                        in_best[flat_codes[t][row]] += 1
    return BlockCounts(
        done,
        any_deal,
        tuple(package_deal),
        tuple(in_some.tolist()),
        tuple(in_best.tolist()),
        tuple(tuple(sorted(d.items())) for d in best),
        no_deal,
    )


def _packed(held: np.ndarray) -> np.ndarray:
    """Rows of at most 62 0/1 columns as one int64 each: np.unique on them is a 1-D sort, not a row sort."""
    import numpy as np

    out = np.zeros(len(held), dtype=np.int64)
    for j in range(held.shape[1]):
        out |= held[:, j].astype(np.int64) << j
    return out


#: Rows compared at once by :func:`_undominated`, and the most rows it keeps to compare later rows against.
_CHUNK = 256
_FRONT = 2048


def _undominated(held: np.ndarray) -> np.ndarray:
    """Positions of the rows no earlier row dominates (meets every scored column it meets).

    Every objective rises with every party's score and every score with every met column (weights are never
    negative), so a dominated row never beats the earlier row that dominates it, and ties go to the earlier row:
    dropping it changes no best deal. What is left is a few hundred rows where thousands met something.

    Dominance is transitive, so "no earlier row dominates it" is "no earlier *kept* row does": rows are compared a
    chunk at a time against the kept rows and against the chunk's earlier rows, as array operations. The kept rows
    compared against stop growing at :data:`_FRONT` (later rows are still dropped when one of those dominates
    them): dropping fewer rows is always safe, and where few rows are dominated the full comparison is quadratic."""
    import numpy as np

    bits = held.astype(bool)
    words = max(1, -(-bits.shape[1] // 62))
    packed = np.zeros((len(bits), words), dtype=np.int64)
    for j in range(bits.shape[1]):
        packed[:, j // 62] |= bits[:, j].astype(np.int64) << (j % 62)
    kept: list[np.ndarray] = []
    front = np.zeros((0, words), dtype=np.int64)
    for a in range(0, len(packed), _CHUNK):
        chunk = packed[a : a + _CHUNK]
        # within[i, j]: row j of the chunk meets every column row i meets
        within = ((chunk[:, None, :] & ~chunk[None, :, :]) == 0).all(axis=2)
        earlier = np.tri(len(chunk), k=-1, dtype=bool)
        dominated = (within & earlier).any(axis=1)
        if len(front):
            dominated |= ((chunk[:, None, :] & ~front[None, :, :]) == 0).all(axis=2).any(axis=1)
        keep = np.flatnonzero(~dominated)
        kept.append(keep + a)
        if len(front) < _FRONT:
            front = np.vstack([front, chunk[keep][: _FRONT - len(front)]])
    return np.concatenate(kept) if kept else np.zeros(0, dtype=np.int64)


@attrs.frozen(eq=False)
class _Pattern:
    """What one pattern of holding red lines decides, whatever the weights: the deal rows (one per distinct vector
    of scored columns, the first in package order), their scored columns, the options in some deal, and whether
    each partial package has a deal completion."""

    rows: np.ndarray | None  # None: no deal
    parties: tuple[tuple[int, np.ndarray, np.ndarray, np.ndarray], ...]  # party, its columns, distinct bits, row index
    options: np.ndarray  # int64 0/1 per flattened option
    partial: tuple[int, ...]


def _pattern(
    table: _Table, active: int, partial_rows: Sequence[np.ndarray], flat_codes: Sequence[np.ndarray], n_opts: int
) -> _Pattern:
    import numpy as np

    hit = table.patterns.get(active)
    if hit is not None:
        return hit  # type: ignore[no-any-return]
    deal = (table.masks & active) == 0
    rows = np.flatnonzero(deal)
    partial = tuple(int(len(p) > 0 and bool(deal[p].any())) for p in partial_rows)
    options = np.zeros(n_opts, dtype=np.int64)
    if not len(rows):
        out = _Pattern(None, (), options, partial)
    else:
        for codes in flat_codes:
            options[codes[rows]] = 1
        held = table.held[rows]
        if held.shape[1]:
            # Packages with the same scored columns score alike under every draw: keep the first of each.
            if held.shape[1] <= 62:
                _, first = np.unique(_packed(held), return_index=True)
            else:
                _, first = np.unique(held, axis=0, return_index=True)
            first.sort()
            rows, held = rows[first], held[first]
            keep = _undominated(held)
            rows, held = rows[keep], held[keep]
        else:
            rows, held = rows[:1], held[:1]
        parties = []
        for p in range(len(table.scenario.parties)):
            cols = np.flatnonzero(table.party_of == p)
            if not len(cols):
                continue  # no demands: the score is 1 in every draw
            own = held[:, cols]
            if len(cols) <= 62:  # packed into one int64 per row: a 1-D unique, not a row sort
                _, first, index = np.unique(_packed(own), return_index=True, return_inverse=True)
                bits = own[first]
            else:
                bits, index = np.unique(own, axis=0, return_inverse=True)
            parties.append((p, cols, bits, np.asarray(index).reshape(-1)))
        out = _Pattern(rows, tuple(parties), options, partial)
    if len(table.patterns) >= 4096:  # bounded memory: a sweep over many uncertain red lines rebuilds some
        table.patterns.clear()
    table.patterns[active] = out
    return out


#: Objective values this close (relative) count as equal: float64 sums and products of the same fractions in another
#: order differ in the last bits, and ties must go the way explore breaks them.
TIE = 1e-12


def _best(value: np.ndarray, total: np.ndarray | None) -> int:
    """The index of the best row: the largest value, among near-equals the largest total (maximin and nash, as
    explore ranks them), then the first row (rows ascend in package order: the lexicographically smallest)."""
    import numpy as np

    top = value.max()
    near = np.flatnonzero(value >= top - TIE * max(1.0, abs(top)))
    if len(near) == 1 or total is None:
        return int(near[0])
    t = total[near]
    best_total = t.max()
    return int(near[np.flatnonzero(t >= best_total - TIE * max(1.0, abs(best_total)))[0]])


# --- the analysis -------------------------------------------------------------------------------------------


def _partial_rows(table: _Table, fixed: Sequence[int | None]) -> np.ndarray:
    """The candidate rows that complete a partial package."""
    import numpy as np

    keep = np.ones(len(table.masks), dtype=bool)
    for t, code in enumerate(fixed):
        if code is not None:
            keep &= table.codes[t] == code
    return np.flatnonzero(keep)


def _full_odds(scenario: Scenario, values: Mapping[str, Any]) -> tuple[Fraction, list[tuple[str, Fraction]]]:
    """A full package's exact P(deal) and, per party, P(it accepts): products over the red lines it breaks."""
    outcome = scenario.check(values)
    broken = {f"{v.party}.{b}" for v in outcome.parties for b in v.broken}
    per_party = []
    overall = Fraction(1)
    for party in scenario.parties:
        prob = Fraction(1)
        for r in party.red_lines:
            if r.ref in broken:
                prob *= (1 - r.confidence) if r.confidence is not None else 0
        per_party.append((party.id, prob))
        overall *= prob
    return overall, per_party


def deal_probability(scenario: Scenario, package: Mapping[str, Any]) -> Fraction:
    """The exact probability that ``package`` (term -> value, as a scenario's ``packages:`` entry) is a deal, under
    the scenario's confidences (the red lines hold independently).

    A full package: the product of ``1 - confidence`` over the uncertain red lines it breaks (0 when it breaks a
    certain one), no sampling and no solver. A partial package (some terms open): the probability that some
    completion is a deal, weighing each of the ``2**k`` patterns of the ``k`` uncertain red lines over the sweep's
    table of packages; a :class:`~dealcheck.errors.UsageError` beyond :data:`EXACT_RED_LINES` uncertain red lines or
    :data:`TABLE_LIMIT` packages (Monte Carlo is ``dealcheck sweep``'s answer there).

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {nato: [member, neutral], troops: [yes, no]}
    ... parties:
    ...   russia: {red_lines: {no_nato: {rule: nato != "member", assumption: toy, confidence: 0.75}}}
    ...   ukraine: {red_lines: {nato: {rule: nato == "member" or troops == "yes", assumption: toy, confidence: 0.5}}}
    ... ''')
    >>> deal_probability(s, {"nato": "member", "troops": "no"}), deal_probability(s, {"troops": "no"})
    (Fraction(1, 4), Fraction(5, 8))
    """
    codes = scenario.encode(dict(package))
    if all(c is not None for c in codes):
        return _full_odds(scenario, package)[0]
    table = _table(scenario)
    k = len(table.uncertain)
    if k > EXACT_RED_LINES:
        raise UsageError(
            f"the exact probability of a partial package weighs every pattern of the uncertain red lines: at most "
            f"{EXACT_RED_LINES} of them, found {k}",
            "claim it of a full package, or estimate it with dealcheck sweep",
        )
    rows = _partial_rows(table, codes)
    if not len(rows):
        return Fraction(0)
    return _exists_probability(table.masks[rows], k, _pattern_weights(table.uncertain))


#: The objectives the per-draw engine ranks by: all of them.
SOLVED_OBJECTIVES: tuple[str, ...] = OBJECTIVES
ENGINES: tuple[str, ...] = ("table", "solve")


def _engine(scenario: Scenario, engine: str | None) -> str:
    if engine is None:
        return "table" if _space(scenario) <= TABLE_LIMIT else "solve"
    if engine not in ENGINES:
        raise UsageError(f"unknown sweep engine {engine!r}", "the engines are " + ", ".join(ENGINES))
    return engine


def _codes_of(table: _Table | None, row: int, lows: Sequence[int], sizes: Sequence[int]) -> tuple[int, ...]:
    """A best deal's codes from its count key: a table row, or (per-draw engine) its rank in term order."""
    if table is not None:
        return tuple(int(c[row]) for c in table.codes)
    from dealcheck.analysis.sweep_solve import decode_key

    return decode_key(row, lows, sizes)


def sweep(
    scenario: Scenario,
    *,
    samples: int = 10_000,
    seed: int = 0,
    top: int = 5,
    time_limit: float | None = None,
    executor: Any = None,
    progress: Callable[[str], None] | None = None,
    engine: str | None = None,
) -> SweepReport:
    """The probability of each finding under the scenario's confidences and weight ranges (module docstring).

    ``executor``: ``None`` (this process), an int (that many local processes), a ``concurrent.futures.Executor``
    or a Dask ``Client`` or ``dask://HOST:PORT``; the answer is the same bytes whichever runs it.

    ``engine``: ``"table"`` (every package checked once, then array operations per draw), ``"solve"`` (one CP-SAT
    model re-solved per draw: :mod:`dealcheck.analysis.sweep_solve`; Monte Carlo for everything but full
    packages), or ``None``: the table up to :data:`TABLE_LIMIT` packages, else solving.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {nato: [member, neutral]}
    ... parties:
    ...   russia: {red_lines: {no_nato: {rule: nato != "member", assumption: toy, confidence: 0.75}}}
    ...   ukraine: {red_lines: {nato: {rule: nato == "member", assumption: toy, confidence: 0.5}}}
    ... packages: {join: {terms: {nato: member}}}
    ... ''')
    >>> r = sweep(s, samples=1000)
    >>> r.any_deal.fraction, r.packages[0].deal.fraction   # 1 - 0.75 * 0.5, and 1 - 0.75
    (Fraction(5, 8), Fraction(1, 4))
    """
    from dealcheck.analysis.executors import run_sweep_blocks

    if samples < 1:
        raise UsageError("--samples must be at least 1")
    start = time.monotonic()
    engine = _engine(scenario, engine)
    table = _table(scenario) if engine == "table" else None
    uncertain = tuple(r for r in scenario.red_lines() if r.confidence is not None)
    k = len(uncertain)
    terms = scenario.terms

    # Packages: exact products for full ones; partial ones exact by patterns when k is small.
    weights = _pattern_weights(uncertain) if k <= EXACT_RED_LINES and table is not None else None
    packages: list[PackageOdds | None] = []
    partial: list[tuple[int, Any]] = []
    for p in scenario.packages:
        codes = scenario.encode(p.values)
        if all(c is not None for c in codes):
            overall, per_party = _full_odds(scenario, p.values)
            packages.append(
                PackageOdds(
                    p.id,
                    p.title,
                    True,
                    Estimate.of_fraction(overall),
                    tuple((party, Estimate.of_fraction(prob)) for party, prob in per_party),
                )
            )
        else:
            partial.append((len(packages), codes))
            packages.append(None)
    partial_rows = [_partial_rows(table, codes) for _, codes in partial] if table is not None else []
    partial_codes = [tuple(codes) for _, codes in partial]

    exact_any = exact_options = None
    if weights is not None and table is not None:
        exact_any = _exists_probability(table.masks, k, weights)
        exact_options = []
        for t, term in enumerate(terms):
            for code in sorted(term.domain.codes):
                rows = table.masks[table.codes[t] == code]
                exact_options.append(_exists_probability(rows, k, weights) if len(rows) else Fraction(0))
        for (slot, _), rows in zip(partial, partial_rows, strict=True):
            p = scenario.packages[slot]
            prob = _exists_probability(table.masks[rows], k, weights) if len(rows) else Fraction(0)
            packages[slot] = PackageOdds(p.id, p.title, False, Estimate.of_fraction(prob), ())

    deadline = None if time_limit is None else start + time_limit
    counts, workers = run_sweep_blocks(scenario, seed, samples, partial_codes, executor, deadline, progress, engine)
    n = counts.samples

    if exact_any is None:
        any_deal = Estimate.of_counts(counts.any_deal, n)
        for (slot, _), hits in zip(partial, counts.package_deal, strict=True):
            p = scenario.packages[slot]
            packages[slot] = PackageOdds(p.id, p.title, False, Estimate.of_counts(hits, n), ())
    else:
        any_deal = Estimate.of_fraction(exact_any)
    options = []
    i = 0
    for term in terms:
        for code in sorted(term.domain.codes):
            some = (
                Estimate.of_fraction(exact_options[i])
                if exact_options is not None
                else Estimate.of_counts(counts.in_some[i], n)
            )
            options.append(OptionOdds(term.name, term.decode(code), some, Estimate.of_counts(counts.in_best[i], n)))
            i += 1
    best = []
    lows, sizes = [min(t.domain.codes) for t in terms], [t.size for t in terms]
    for o, objective in enumerate(OBJECTIVES):
        if table is None and objective not in SOLVED_OBJECTIVES:
            continue
        ranked = sorted(counts.best[o], key=lambda rc: (-rc[1], rc[0]))[:top]
        deals = tuple(
            BestDeal(
                {t.name: t.decode(c) for t, c in zip(terms, _codes_of(table, row, lows, sizes), strict=True)},
                Estimate.of_counts(hits, n),
            )
            for row, hits in ranked
        )
        best.append((objective, deals, Estimate.of_counts(counts.no_deal, n)))
    return SweepReport(
        scenario.title,
        scenario.path,
        scenario.variant_name,
        samples,
        n,
        seed,
        tuple(r.ref for r in uncertain),
        tuple(d.ref for p in scenario.parties for d in p.demands if d.confidence is not None),
        tuple(d.ref for p in scenario.parties for d in p.demands if d.weight_range is not None),
        any_deal,
        tuple(p for p in packages if p is not None),
        tuple(options),
        tuple(best),
        workers,
        top,
        engine,
        counts.rounded,
    )
