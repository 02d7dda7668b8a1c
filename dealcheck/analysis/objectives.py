"""Party scores and the solution concepts, exact: welfare, egalitarian, Nash and Kalai-Smorodinsky points.

In: the parties (their demands, weights and reservation values) and deals as code tuples. Out: exact
:class:`~fractions.Fraction` scores and objective values, the Pareto frontier, and the best deals by an objective,
found either from a list of deals or by asking a :class:`~dealcheck.analysis.search.Search` small questions.

Definitions (scores are exact; no float decides anything):

- a party's *score* on a deal is the weight of its demands the deal meets over its total demand weight (1 for a
  party with no demands). Weights may be decimals (``0.25``), so each party counts in its own *units*: the least
  common multiple of the denominators of *its own* weights (1 for integer weights), and a score is
  ``met units / total units``. Nothing ever multiplies the parties' totals together or takes their common
  denominator: that is what made ``nash`` and ``maximin`` blow up on large or prime totals (issue 9);
- a party's *disagreement point* ``d`` is its reservation value (``accepts_at``) when it declares one, else 0, the
  score it gets from no agreement; its *ideal* ``h`` is the best score it gets in any deal (of the coalition, among
  the completions of the given package);
- ``total`` (welfare): the sum of the scores;
- ``maximin`` (egalitarian): the smallest gain ``score - d`` (with no reservation values: the smallest score);
- ``nash``: the product of the gains ``score - d`` (with no reservation values: the product of the scores);
- ``kalai`` (Kalai-Smorodinsky): the largest equal fraction of every party's possible gain, i.e. the smallest
  ``(score - d) / (h - d)``; a party whose ideal equals its disagreement point gets the same in every deal and is
  left out (it cannot be made better or worse off). This is the textbook definition (Kalai and Smorodinsky 1975:
  the frontier point on the line from ``d`` to ``h``, in its discrete form the point that maximises the smallest
  normalised gain), with the ideal over the *deals*: the parties' own red lines limit what they can hope for.
  Genius's ``getKalaiSmorodinsky`` instead takes the frontier point with the smallest sum of pairwise utility
  differences, without disagreement point or ideal, and NegMAS 0.16's ``ks_points`` the point with the smallest
  spread ``max - min`` of normalised gains, with the ideal over all outcomes: both are approximations of the
  same idea that agree with this one on continuous frontiers; docs/interop.md compares them on the Genius domains;
- ranking (every objective, every backend): the objective, larger first; then the total score, larger first (a party
  held at its disagreement point in every deal makes ``maximin`` and ``nash`` 0 everywhere; the total still tells
  the deals apart); then the lexicographically smallest codes in term order. So "the top K" is one list.

Why the Pareto frontier carries the search: each objective is monotone in the scores and the total breaks its ties,
so the best deal is on the frontier (a deal dominating it would score at least as well and have a larger total).
The frontier is found one point at a time by maximising a weighted sum of the parties' met units with small
positive integer coefficients (about ``1 / total`` of each party, so points arrive roughly in total order) over the
deals that no point found so far weakly dominates; such a maximum is Pareto-optimal whatever the coefficients. The
``k``-th best deal is the best deal on the frontier of the deals left after removing the ``k - 1`` before it, so the
frontier is kept up to date as deals are removed (only the region the removed deal dominated alone can add points).
Every question posted to a solver is therefore a per-party sum of that party's own weights or that weighted sum:
never a product, never a sum scaled by a common denominator past 52 bits. The one exception is the best deal by
``total`` alone (:func:`best_total_by_search`): when the parties' totals have a common multiple ``L`` with
``L * parties`` within 52 bits, ``sum (L / T_p) * met_p`` is maximised directly (one solve, not a walk along the
frontier); past that the walk answers.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction

import attrs

from dealcheck.analysis.search import Search, balanced_sum, differs, weighted_count
from dealcheck.errors import UsageError
from dealcheck.expectations import claims
from dealcheck.model import Party
from dealcheck.rules.ir import Arith, ArithOp, BoolExpr, CmpOp, Compare, Connective, Const, IntExpr, Logic, Truth

__all__ = [
    "OBJECTIVES",
    "PartyScore",
    "Reference",
    "Scorer",
    "best_by_search",
    "best_from_list",
    "best_total_by_search",
    "frontier_by_search",
    "frontier_from_list",
    "objective_value",
    "rank_key",
]

#: ``--objective`` choices; the first is the default. Defined with the ``expect:`` schema, which the loader reads
#: (a ``best:`` claim names one of them) without importing the analyses.
OBJECTIVES: tuple[str, ...] = claims.OBJECTIVES

Codes = tuple[int, ...]
Vector = tuple[int, ...]
Progress = Callable[[str], None]

#: The discovery coefficients (about ``max total / total`` per party) are capped so that the weighted sum stays
#: far inside CP-SAT's 64-bit integers; past the cap they fall back to 1, which finds the same points.
_DISCOVERY_LIMIT = 1 << 52


def check_objective(objective: str) -> None:
    if objective not in OBJECTIVES:
        raise UsageError(f"unknown objective {objective!r}", "the objectives are " + ", ".join(OBJECTIVES))


@attrs.frozen
class PartyScore:
    """What one deal gives one party: ``met`` of its ``total`` demand weight, both in the party's units
    (the least common multiple of the denominators of its weights: 1 when the weights are integers).

    >>> PartyScore("us", "United States", 13, 20).score
    Fraction(13, 20)
    """

    party: str
    name: str
    met: int
    total: int
    met_demands: tuple[str, ...] = ()

    @property
    def score(self) -> Fraction:
        return Fraction(1) if self.total == 0 else Fraction(self.met, self.total)


def party_unit(party: Party) -> int:
    """The least common multiple of the denominators of ``party``'s demand weights (1 for integer weights).

    >>> from dealcheck.model import Rule, RuleKind
    >>> from dealcheck.rules.ir import IsTrue
    >>> d = lambda w: Rule("p", str(w), RuleKind.DEMAND, "a", IsTrue(0), weight=w, assumption="toy")
    >>> party_unit(Party("p", "P", demands=(d(Fraction(1, 4)), d(Fraction(3, 10)), d(2))))
    20
    """
    return party.unit


@attrs.frozen
class Reference:
    """Per party (in the scorer's order): the disagreement point and the ideal score over the deals."""

    disagreement: tuple[Fraction, ...]
    ideal: tuple[Fraction, ...]


def objective_value(objective: str, scores: Sequence[Fraction], reference: Reference) -> Fraction:
    """The objective of a deal whose parties score ``scores``, exactly.

    >>> r = Reference((Fraction(0), Fraction(1, 2)), (Fraction(1), Fraction(1)))
    >>> s = (Fraction(3, 4), Fraction(3, 4))
    >>> [str(objective_value(o, s, r)) for o in OBJECTIVES]
    ['3/2', '1/4', '3/16', '1/2']
    """
    gains = [s - d for s, d in zip(scores, reference.disagreement, strict=True)]
    match objective:
        case "total":
            return sum(scores, Fraction(0))
        case "maximin":
            return min(gains, default=Fraction(1))
        case "nash":
            return math.prod(gains, start=Fraction(1))
        case "kalai":
            ratios = [
                g / (h - d) for g, h, d in zip(gains, reference.ideal, reference.disagreement, strict=True) if h != d
            ]
            return min(ratios, default=Fraction(1))
    raise AssertionError(objective)  # callers check the name first


def rank_key(
    objective: str, scores: Sequence[Fraction], reference: Reference, codes: Codes
) -> tuple[Fraction, Fraction, Codes]:
    """Sort key, best first: objective (larger first), total score (larger first), codes (smaller first)."""
    return (-objective_value(objective, scores, reference), -sum(scores, Fraction(0)), codes)


class Scorer:
    """The parties' demands compiled once: their met units on a deal, the frontier coordinates, and the integer
    expressions the frontier search posts (each party's met units; a weighted sum of them).

    >>> from dealcheck.model import Rule, RuleKind
    >>> from dealcheck.rules.ir import IsTrue
    >>> us = Party("us", "US", demands=(Rule("us", "a", RuleKind.DEMAND, "a", IsTrue(0), weight=2, assumption="toy"),))
    >>> eu = Party("eu", "EU", demands=(Rule("eu", "b", RuleKind.DEMAND, "b", IsTrue(1), weight=Fraction(1, 2), assumption="toy"),))
    >>> scorer = Scorer([us, eu])
    >>> scorer.vector((1, 0)), [str(s.score) for s in scorer.scores((1, 1))], scorer.totals
    ((2, 0), ['1', '1'], (2, 1))
    """

    def __init__(self, parties: Sequence[Party], objective: str = "total") -> None:
        from dealcheck.solver.compiled import compile_rules

        check_objective(objective)
        self.parties = tuple(parties)
        self.objective = objective
        self._check = compile_rules(tuple(d.expr for p in self.parties for d in p.demands))
        units = [party_unit(p) for p in self.parties]
        #: Per party, its demand weights in its own units (integers).
        self.weights = tuple(
            tuple(int(Fraction(d.weight) * u) for d in p.demands) for p, u in zip(self.parties, units, strict=True)
        )
        # A utility's issue weight counts once in the total, not each option's share (dealcheck.utility).
        self.totals = tuple(p.units(p.total_weight) for p in self.parties)
        #: Indices (in ``parties``) of the parties with demands: the frontier's coordinates.
        self.weighted = tuple(i for i, t in enumerate(self.totals) if t > 0)
        self.met_exprs = tuple(
            weighted_count([(w, d.expr) for w, d in zip(self.weights[i], self.parties[i].demands, strict=True)])
            for i in self.weighted
        )
        self.disagreement = tuple(Fraction(p.accepts_at or 0) for p in self.parties)
        # c_p ~ R / T_p: the weighted sum W approximates R * total score to about 1 / 1024 (R = 1024 * the largest
        # total), so points arrive nearly best total first and the bound of best_total_by_search is tight. Coarser
        # coefficients when that would leave 52 bits; 1 for all when even that would (the same points, any order).
        biggest = max((self.totals[i] for i in self.weighted), default=1)
        coefficients = [1] * len(self.weighted)
        for r in (biggest * 1024, biggest):
            trial = [max(1, round(Fraction(r, self.totals[i]))) for i in self.weighted]
            if sum(c * self.totals[i] for c, i in zip(trial, self.weighted, strict=True)) <= _DISCOVERY_LIMIT:
                coefficients = trial
                break
        self.coefficients = tuple(coefficients)

    # --- scores of one deal ----------------------------------------------------------------------------------

    def scores(self, codes: Codes) -> tuple[PartyScore, ...]:
        truth = iter(self._check(codes))
        out = []
        for p, weights, total in zip(self.parties, self.weights, self.totals, strict=True):
            met = [(d, w) for d, w in zip(p.demands, weights, strict=True) if next(truth)]
            out.append(PartyScore(p.id, p.name, sum(w for _, w in met), total, tuple(d.id for d, _ in met)))
        return tuple(out)

    def vector(self, codes: Codes) -> Vector:
        """Met units of each party with demands: the coordinates of the Pareto frontier."""
        scores = self.scores(codes)
        return tuple(scores[i].met for i in self.weighted)

    def fractions(self, vector: Vector) -> tuple[Fraction, ...]:
        """Every party's score (1 for parties without demands) from a frontier vector."""
        out = [Fraction(1)] * len(self.parties)
        for i, met in zip(self.weighted, vector, strict=True):
            out[i] = Fraction(met, self.totals[i])
        return tuple(out)

    def total(self, vector: Vector) -> Fraction:
        return sum(self.fractions(vector), Fraction(0))

    def reference(self, vectors: Iterable[Vector]) -> Reference:
        """Disagreement points, and ideals as the best score of each party over ``vectors`` (the frontier)."""
        ideal = [Fraction(1)] * len(self.parties)
        listed = list(vectors)
        for k, i in enumerate(self.weighted):
            ideal[i] = Fraction(max((v[k] for v in listed), default=0), self.totals[i])
        return Reference(self.disagreement, tuple(ideal))

    def value(self, scores: Sequence[PartyScore], reference: Reference, objective: str | None = None) -> Fraction:
        return objective_value(objective or self.objective, [s.score for s in scores], reference)

    # --- what the frontier search posts ----------------------------------------------------------------------

    def discovery_expr(self) -> IntExpr:
        """A positive integer combination of the parties' met units: its maximum over any set of deals is
        Pareto-optimal in that set."""
        return balanced_sum(
            [
                e if c == 1 else Arith(ArithOp.MUL, Const(c), e)
                for c, e in zip(self.coefficients, self.met_exprs, strict=True)
            ]
        )

    def total_scale(self) -> int | None:
        """The common multiple ``L`` of the parties' totals that :meth:`total_expr` scales by (``None`` past 52 bits,
        or when no party has demands)."""
        if not self.weighted:
            return None
        common = math.lcm(*(self.totals[i] for i in self.weighted))
        return None if common * len(self.weighted) > _DISCOVERY_LIMIT else common

    def scaled_total(self, codes: Codes) -> int:
        """:meth:`total_expr`'s value on a deal, from the compiled demands (no walk of the expression)."""
        common = self.total_scale()
        assert common is not None
        return sum(common // self.totals[i] * met for i, met in zip(self.weighted, self.vector(codes), strict=True))

    def total_expr(self) -> IntExpr | None:
        """The total score times the least common multiple ``L`` of the parties' totals, as an integer expression
        (``sum (L / T_p) * met_p``, exact); ``None`` when its largest value would pass :data:`_DISCOVERY_LIMIT`
        (prime or huge totals: issue 9), where only the frontier walk of :func:`best_total_by_search` is safe."""
        common = self.total_scale()
        if common is None:
            return None
        return balanced_sum(
            [
                e if common == self.totals[i] else Arith(ArithOp.MUL, Const(common // self.totals[i]), e)
                for i, e in zip(self.weighted, self.met_exprs, strict=True)
            ]
        )

    def not_weakly_dominated(self, vector: Vector) -> BoolExpr:
        """Some party with demands gets more than in ``vector``."""
        better = tuple(Compare(CmpOp.GT, e, Const(m)) for e, m in zip(self.met_exprs, vector, strict=True))
        return Logic(Connective.OR, better) if better else Truth(False)

    def at(self, vector: Vector) -> tuple[BoolExpr, ...]:
        """Every party with demands gets exactly its coordinate of ``vector``."""
        return tuple(Compare(CmpOp.EQ, e, Const(m)) for e, m in zip(self.met_exprs, vector, strict=True))


def _dominates(w: Vector, v: Vector) -> bool:
    return w != v and all(a >= b for a, b in zip(w, v, strict=True))


def frontier_from_list(listed: Iterable[Codes], scorer: Scorer) -> dict[Vector, Codes]:
    """The frontier of the listed deals: each non-dominated vector with its lexicographically smallest deal."""
    example: dict[Vector, Codes] = {}
    for deal in listed:
        v = scorer.vector(deal)
        if v not in example or deal < example[v]:
            example[v] = deal
    # Sorted by the first coordinate, descending: a vector is dominated only by one before it or equal in it.
    vectors = sorted(example, reverse=True)
    kept: list[Vector] = []
    for v in vectors:
        if not any(_dominates(w, v) for w in kept):
            kept.append(v)
    return {v: example[v] for v in kept}


def frontier_by_search(
    search: Search,
    scorer: Scorer,
    extra: Sequence[BoolExpr] = (),
    known: Iterable[Vector] = (),
    *,
    limit: int | None = None,
    found: dict[Vector, Codes] | None = None,
    say: Progress | None = None,
    enough: Callable[[Mapping[Vector, Codes], int], bool] | None = None,
) -> tuple[dict[Vector, Codes], bool]:
    """The frontier points of the deals meeting ``extra`` that no vector in ``known`` weakly dominates, each with
    its lexicographically smallest deal; and whether that is all of them (``limit`` may stop it, and so may
    ``enough(found, w)``, asked with the largest discovery value ``w`` left before each further point).

    ``found`` is filled in place, so a time limit (:class:`~dealcheck.analysis.search.LimitReached`) keeps what
    was proven.
    """
    out = {} if found is None else found
    outside = [scorer.not_weakly_dominated(v) for v in known]
    if not scorer.weighted:  # every deal gives every party 1: one point, if there is a deal
        deal = search.lexmin(*extra, *outside)
        if deal is not None:
            out[()] = deal
        return out, True
    objective = scorer.discovery_expr()
    while True:
        if limit is not None and len(out) >= limit:
            return out, search.find(*extra, *outside) is None
        if say is not None:
            say(f"Pareto point {len(out) + 1}")
        value = search.maximum(objective, *extra, *outside)
        if value is None:
            return out, True
        if enough is not None and enough(out, value):
            return out, False
        deal = search.lexmin(Compare(CmpOp.EQ, objective, Const(value)), *extra, *outside)
        assert deal is not None, "the backend found the maximum but no deal reaching it"
        v = scorer.vector(deal)
        out[v] = deal
        outside.append(scorer.not_weakly_dominated(v))


def best_total_by_search(search: Search, scorer: Scorer, extra: Sequence[BoolExpr] = ()) -> Codes | None:
    """The best deal by total score meeting ``extra`` (ties: smallest codes), without the whole frontier.

    Points arrive in decreasing order of the discovery sum ``W = sum c_p * met_p``; the total of any point is
    ``sum met_p / T_p <= W * max_p 1 / (c_p T_p)``, so once that bound, for the largest ``W`` left, falls below the
    best total found, no point still to come can beat or tie it.

    When the scaled total fits (:meth:`Scorer.total_expr`: the parties' totals have a common multiple within 52
    bits, which is every scenario but ones with huge or many prime totals) there is no walk: its maximum, then the
    smallest deal reaching it, two questions on one model (measured: 512 tight terms, the walk took three frontier
    points, six solves and four model builds).
    """
    direct = scorer.total_expr()
    if direct is not None:
        top = search.argmax(direct, *extra)
        if top is None:
            return None
        deal = search.lexmin(Compare(CmpOp.EQ, direct, Const(scorer.scaled_total(top))), *extra)
        assert deal is not None, "the backend found the maximum but no deal reaching it"
        return deal
    scale = max(
        (Fraction(1, c * scorer.totals[i]) for c, i in zip(scorer.coefficients, scorer.weighted, strict=True)),
        default=Fraction(0),
    )
    reference = scorer.reference(())

    def enough(points: Mapping[Vector, Codes], w: int) -> bool:
        return bool(points) and max(scorer.total(v) for v in points) > scale * w

    points, _ = frontier_by_search(search, scorer, extra, enough=enough)
    if not points:
        return None
    best = min(points, key=lambda v: rank_key("total", scorer.fractions(v), reference, points[v]))
    return points[best]


def best_from_list(
    listed: Sequence[Codes], scorer: Scorer, objective: str, top: int, reference: Reference
) -> list[Codes]:
    """The ``top`` best of the listed deals (see the module docstring for the ranking)."""
    keyed = sorted(listed, key=lambda d: rank_key(objective, [s.score for s in scorer.scores(d)], reference, d))
    return keyed[:top]


def best_by_search(
    search: Search,
    scorer: Scorer,
    objective: str,
    top: int,
    frontier: Mapping[Vector, Codes],
    reference: Reference,
    extra: Sequence[BoolExpr] = (),
    out: list[Codes] | None = None,
    say: Progress | None = None,
) -> list[Codes]:
    """The ``top`` best deals meeting ``extra`` in rank order, given their complete ``frontier``.

    The best deal is the best frontier point's smallest deal; it is then excluded, and the frontier of the deals
    left is completed by searching only where no remaining point weakly dominates (the region the removed deal
    dominated alone). ``out`` is filled in place so a time limit keeps what was proven.
    """
    picked = [] if out is None else out
    points = dict(frontier)
    excluded: list[BoolExpr] = []
    while len(picked) < top and points:
        if say is not None:
            say(f"best deal {len(picked) + 1} of {top}")
        v = min(points, key=lambda v: rank_key(objective, scorer.fractions(v), reference, points[v]))
        deal = points.pop(v)
        picked.append(deal)
        if len(picked) == top:
            break
        excluded.append(differs(deal))
        frontier_by_search(search, scorer, (*extra, *excluded), tuple(points), found=points)
    return picked
