"""How far one weight can move before the best deal changes, and what the normalisation choice does, exactly.

In: a :class:`~dealcheck.model.Scenario`. Out: a :class:`SensitivityReport`: for the best deal under each objective
(:data:`~dealcheck.analysis.objectives.OBJECTIVES`), per weight (each demand's, and each utility issue's) the
smallest increase and the smallest decrease that change which deal is best, with the deal it changes to; and, for
each party with a utility profile, the best deals under the other ``normalise:`` choice.

Why this is exact without one solve per trial weight. A deal's scores depend only on *which demands it meets* (its
pattern). When one weight ``w`` of party ``p`` moves to ``u``, party ``p``'s score on a pattern ``P`` is

    s_p(u) = (m_P + b_P * u) / (T + u)

(``m_P``: the other met weight of ``p``; ``T``: ``p``'s other total; ``b_P``: 1 if ``P`` meets the demand, 0 if not;
for a utility issue, the value of the option ``P`` takes), and every other party's score is constant. Multiplied by
``T + u > 0``, each objective of each pattern is built from a few functions *linear* in ``u`` (the gain
``(s_p - d_p)(T + u)``, the total, the others' smallest gain or product of gains times ``T + u``, for ``kalai`` the
party's possible gain ``(h_p - d_p)(T + u)``, a maximum of lines), so two patterns can swap order only where two of
those lines cross. Those crossings, found with :class:`~fractions.Fraction`, cut ``u``'s range into pieces on which
the order of every pattern against the current best is fixed; the best deal is then tested (exactly, with
:func:`~dealcheck.analysis.objectives.objective_value`) once per crossing and once inside each piece. A reservation
value (``accepts_at``) of party ``p`` moves with ``u`` too: where a pattern's score crosses it is one more crossing.

Only a few patterns matter: a deal whose met demands are a strict subset of another deal's is beaten by it for every
positive weight (every score at least as high, the total strictly higher, and every objective is monotone in the
scores), so the candidates are the *maximal* patterns, each with its smallest deal (the documented tie-break). They
are found by search: the deal meeting the most demands among those meeting some demand outside every pattern found
so far, then its smallest deal; one pair of solves per pattern (24 patterns on the bundled scenario). A
reservation value depends on the weights, so the red line ``accepts_at`` is left out of that search and applied to
each pattern exactly (a superset of a pattern that keeps it keeps it too, so maximal patterns still suffice).

A weight that moves to exactly ``t`` is a number a scenario can hold (a fraction; ``7/3`` is not a finite decimal, and
the report says so by printing it as a fraction): "from ``t``" means the best deal differs at ``t`` itself; "beyond
``t``" means it is the same at ``t`` and differs at every weight past ``t`` however close (ties at ``t`` are broken by
the total and the codes, as everywhere). Weights stay positive: a demand of weight 0 is no demand.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction

import attrs

from dealcheck.analysis.objectives import OBJECTIVES, Reference, check_objective, objective_value
from dealcheck.analysis.search import LimitReached, Search, weighted_count
from dealcheck.model import Party, Rule, Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK, Report
from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.ir import CmpOp, Compare, Connective, Const, IsTrue, Logic, Not, Var
from dealcheck.rules.terms import Value
from dealcheck.solver.base import Constraints, Deadline

__all__ = ["Change", "NormalisationEffect", "ObjectiveSensitivity", "SensitivityReport", "WeightChange", "sensitivity"]

Codes = tuple[int, ...]
Line = tuple[Fraction, Fraction]  # a + b * u
Key = tuple[Fraction, Fraction, Codes]
ZERO = Fraction(0)
ONE = Fraction(1)


@attrs.frozen
class Change:
    """The smallest move of one weight in one direction that changes the best deal.

    ``at`` is ``None`` when no move of this weight alone (in this direction, keeping it positive) changes it.
    ``inclusive``: the best deal differs at ``at`` itself (else only beyond it). ``codes``/``values``: the deal it
    changes to (``None`` when no deal is left: a reservation value moved with the weight); ``objective`` its value
    there (at ``at``, or just beyond it).
    """

    direction: str
    at: Fraction | None = None
    inclusive: bool = False
    codes: Codes | None = None
    values: Mapping[str, Value] | None = None
    objective: Fraction | None = None

    @property
    def changes(self) -> bool:
        return self.at is not None


@attrs.frozen
class WeightChange:
    """One weight (a demand's, or a utility issue's) and how far it moves each way before the best deal changes.

    ``up``/``down`` are ``None`` when the time limit stopped the analysis before this weight.
    """

    party: str
    party_name: str
    name: str  # the demand id, or the utility issue's term
    kind: str  # "demand" or "utility"
    weight: Fraction
    up: Change | None
    down: Change | None

    @property
    def ref(self) -> str:
        return f"{self.party}.{self.name}" if self.kind == "demand" else f"{self.party}.utility.{self.name}"


@attrs.frozen
class ObjectiveSensitivity:
    """The best deal under one objective, and every weight's room before it changes."""

    objective: str
    codes: Codes
    values: Mapping[str, Value]
    value: Fraction
    scores: tuple[tuple[str, Fraction | None], ...]  # per party: its score (None: no demands)
    weights: tuple[WeightChange, ...]


@attrs.frozen
class NormalisationEffect:
    """The best deal under each objective if one party's utility profile used the other ``normalise:`` choice."""

    party: str
    party_name: str
    current: str
    alternative: str
    #: Per objective: (objective, the best deal's codes or None, its values, whether it differs from the current).
    best: tuple[tuple[str, Codes | None, Mapping[str, Value] | None, bool], ...]


@attrs.frozen(hash=False)
class SensitivityReport(Report):
    """The answer of ``dealcheck sensitivity`` (``render(fmt)`` and ``to_dict()`` as every report). ``deals`` is false when the scenario has no deal (nothing to vary).

    ``not_reached`` names what the time limit left out (``"the demand patterns"``, ``"total: us.x"``, ...).
    """

    scenario: str
    path: str
    variant: str | None
    parties: Mapping[str, str]
    terms: tuple[str, ...]
    deals: bool
    patterns: int
    objectives: tuple[ObjectiveSensitivity, ...]
    normalisation: tuple[NormalisationEffect, ...]
    timed_out: bool = False
    not_reached: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.timed_out

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.complete else EXIT_LIMIT


# --- the patterns ---------------------------------------------------------------------------------------------


def _reservation(party: Party, rule: Rule) -> bool:
    return party.accepts_at is not None and rule.id == "accepts_at"


def maximal_patterns(scenario: Scenario, search: Search) -> list[tuple[frozenset[int], Codes]]:
    """The maximal sets of demands (indices into the scenario's demands, party by party) met together by a deal,
    each with its lexicographically smallest deal; the search must leave reservation values out."""
    demands = [d for p in scenario.parties for d in p.demands]
    if not demands:
        deal = search.lexmin()
        return [] if deal is None else [(frozenset(), deal)]
    count = weighted_count([(1, d.expr) for d in demands])
    found: list[tuple[frozenset[int], Codes]] = []
    outside: list[Logic] = []
    while True:
        best = search.maximum(count, *outside)
        if best is None:
            return found
        deal = search.lexmin(Compare(CmpOp.EQ, count, Const(best)), *outside)
        assert deal is not None, "the backend found the maximum but no deal reaching it"
        met = frozenset(i for i, d in enumerate(demands) if evaluate(d.expr, deal))
        # The most demands among deals meeting one outside every pattern so far: no deal meets a strict superset
        # (it would count more), so this pattern is maximal, and its smallest deal is the smallest meeting all of it.
        smallest = search.lexmin(*(demands[i].expr for i in sorted(met)))
        assert smallest is not None
        found.append((met, smallest))
        rest = tuple(d.expr for i, d in enumerate(demands) if i not in met)
        if not rest:
            return found
        outside.append(Logic(Connective.OR, rest))


# --- one weight moving: the knob -----------------------------------------------------------------------------


@attrs.frozen
class _Knob:
    """Weight ``w0`` of party ``p``: per pattern, ``b`` (what the weight multiplies in the party's met weight)."""

    party: int
    name: str
    kind: str
    w0: Fraction
    b: tuple[Fraction, ...]


class _Model:
    """The maximal patterns with every party's met weight on each, and the exact ranking at any one weight."""

    def __init__(
        self,
        parties: Sequence[Party],
        patterns: Sequence[tuple[frozenset[int], Codes]],
        weights: Sequence[Fraction],
        owner: Sequence[int],
        totals: Sequence[Fraction],
    ) -> None:
        self.parties = tuple(parties)
        self.patterns = list(patterns)
        self.weights = list(weights)
        self.owner = list(owner)
        self.totals = list(totals)
        n = len(self.parties)
        self.met = [[ZERO] * n for _ in self.patterns]
        for k, (met, _) in enumerate(self.patterns):
            for i in met:
                self.met[k][self.owner[i]] += self.weights[i]
        self.d = tuple(Fraction(p.accepts_at or 0) for p in self.parties)
        self.accepts = tuple(None if p.accepts_at is None else Fraction(p.accepts_at) for p in self.parties)
        self.base = [[self._plain(k, q) for q in range(n)] for k in range(len(self.patterns))]

    def _plain(self, k: int, q: int) -> Fraction:
        return ONE if self.totals[q] == 0 else self.met[k][q] / self.totals[q]

    # the scores at one value u of a knob (knob None: the weights as they are)

    def scores(self, k: int, knob: _Knob | None, u: Fraction) -> list[Fraction]:
        out = list(self.base[k])
        if knob is not None:
            p = knob.party
            t = self.totals[p] - knob.w0 + u
            out[p] = ONE if t == 0 else (self.met[k][p] - knob.w0 * knob.b[k] + knob.b[k] * u) / t
        return out

    def feasible(self, scores: Sequence[Fraction]) -> bool:
        return all(a is None or s >= a for s, a in zip(scores, self.accepts, strict=True))

    def ranking_at(self, knob: _Knob | None, u: Fraction) -> tuple[list[list[Fraction] | None], Reference]:
        """Per pattern its scores (``None`` if a reservation value rules it out), and the reference point."""
        table: list[list[Fraction] | None] = []
        for k in range(len(self.patterns)):
            s = self.scores(k, knob, u)
            table.append(s if self.feasible(s) else None)
        ideal = [ONE] * len(self.parties)
        for q in range(len(self.parties)):
            if self.totals[q] != 0 or (knob is not None and knob.party == q):
                ideal[q] = max((s[q] for s in table if s is not None), default=ZERO)
        return table, Reference(self.d, tuple(ideal))

    def key(self, objective: str, k: int, scores: Sequence[Fraction], reference: Reference) -> Key:
        return (
            -objective_value(objective, scores, reference),
            -sum(scores, ZERO),
            self.patterns[k][1],
        )

    def best(self, objective: str, knob: _Knob | None, u: Fraction, among: Sequence[int] | None = None) -> int | None:
        table, reference = self.ranking_at(knob, u)
        keyed = [
            (self.key(objective, k, s, reference), k)
            for k, s in enumerate(table)
            if s is not None and (among is None or k in among)
        ]
        return min(keyed)[1] if keyed else None


def _root(x: Line, y: Line) -> Fraction | None:
    """Where lines ``x`` and ``y`` cross (``None`` when parallel)."""
    if x[1] == y[1]:
        return None
    return (y[0] - x[0]) / (x[1] - y[1])


def _scale(c: Fraction, x: Line) -> Line:
    return (c * x[0], c * x[1])


class _Scan:
    """One knob and one objective: the first weight, each way, at which the best deal changes."""

    def __init__(self, model: _Model, knob: _Knob, objective: str) -> None:
        self.model = model
        self.knob = knob
        self.objective = objective
        p = knob.party
        self.p = p
        self.T = model.totals[p] - knob.w0
        self.dp = model.d[p]
        n = len(model.patterns)
        #: Per pattern: ``(m + b u)`` (the party's met weight as a line).
        self.lines: list[Line] = [(model.met[k][p] - knob.w0 * knob.b[k], knob.b[k]) for k in range(n)]
        # Breakpoints of the context (which patterns keep every reservation value; the party's ideal line).
        points: set[Fraction] = set()
        a = model.accepts[p]
        if a is not None:
            for m_b in self.lines:
                r = _root(m_b, (a * self.T, a))
                if r is not None:
                    points.add(r)
        if objective == "kalai":
            distinct = sorted(set(self.lines))
            if a is None:
                # The patterns kept never change (only p's reservation value could move): the ideal is the envelope
                # of the kept patterns' best line per slope. (A pattern another party's reservation value rules
                # out has no say in anyone's ideal.)
                kept = {self.lines[k] for k in range(n) if model.feasible(model.scores(k, knob, knob.w0))}
                distinct = sorted(kept)
                top: dict[Fraction, Fraction] = {}
                for m, b in distinct:
                    top[b] = max(top.get(b, m), m)
                distinct = sorted((m, b) for b, m in top.items())
            for i, x in enumerate(distinct):
                for y in distinct[i + 1 :]:
                    r = _root(x, y)
                    if r is not None:
                        points.add(r)
        self.global_points = points
        # Per pattern, what the other parties contribute (constant: only party p's score moves).
        self.others = [q for q in range(len(model.parties)) if q != p]
        self.others_total: list[Fraction] = []
        self.others_product: list[Fraction] = []
        self.others_lowest: list[Fraction | None] = []
        for k in range(n):
            gains = [model.base[k][q] - model.d[q] for q in self.others]
            product = ONE
            for g in gains:
                product *= g
            self.others_total.append(sum((model.base[k][q] for q in self.others), ZERO))
            self.others_product.append(product)
            self.others_lowest.append(min(gains, default=None))
        self._atom_cache: dict[tuple[int, Fraction], list[Line]] = {}
        self._possible_cache: dict[Fraction, Line] = {}

    # exact evaluation at a point

    def keys_at(self, u: Fraction) -> tuple[list[Key | None], Reference]:
        table, reference = self.model.ranking_at(self.knob, u)
        keys: list[Key | None] = [
            None if s is None else self.model.key(self.objective, k, s, reference) for k, s in enumerate(table)
        ]
        return keys, reference

    # the lines whose crossings can reorder pattern k against pattern j (both multiplied by T + u)

    def _atoms(self, k: int, u: Fraction, reference: Reference) -> list[Line]:
        """Lines (in ``u``, times ``T + u``) whose crossings are the only places pattern ``k``'s objective and total
        can cross another's on the piece around ``u`` (``reference`` is the context there)."""
        cached = self._atom_cache.get((k, u))
        if cached is not None:
            return cached
        m, b = self.lines[k]
        gain: Line = (m - self.dp * self.T, b - self.dp)
        atoms: list[Line] = [(self.others_total[k] * self.T + m, self.others_total[k] + b)]
        match self.objective:
            case "nash":
                atoms.append(_scale(self.others_product[k], gain))
            case "maximin":
                atoms.append(gain)
                lowest = self.others_lowest[k]
                if lowest is not None:
                    atoms.append(_scale(lowest, (self.T, ONE)))
            case "kalai":
                possible = self._possible(u)
                if possible != (ZERO, ZERO):
                    atoms.append(gain)
                    plain = self.model.base[k]
                    ratios = [
                        (plain[q] - self.model.d[q]) / (reference.ideal[q] - self.model.d[q])
                        for q in self.others
                        if reference.ideal[q] != self.model.d[q]
                    ]
                    if ratios:
                        atoms.append(_scale(min(ratios), possible))
        self._atom_cache[(k, u)] = atoms
        return atoms

    def _possible(self, u: Fraction) -> Line:
        """The party's possible gain ``(h_p - d_p)(T + u)`` on the piece around ``u``: its best line among the
        patterns kept at ``u``, less the disagreement point."""
        if u not in self._possible_cache:
            kept = [j for j in range(len(self.lines)) if self._kept(j, u)]
            top = max((self.lines[j] for j in kept), key=lambda x: x[0] + x[1] * u, default=(ZERO, ZERO))
            self._possible_cache[u] = (top[0] - self.dp * self.T, top[1] - self.dp)
        return self._possible_cache[u]

    def _kept(self, j: int, u: Fraction) -> bool:
        return self.model.feasible(self.model.scores(j, self.knob, u))

    def first_change(self, best: int, direction: str) -> Change:
        """The first weight past ``w0`` in ``direction`` at which pattern ``best`` stops being the best."""
        if self.objective != "kalai":
            return self._first_change_by_pairs(best, direction)
        w0 = self.knob.w0
        up = direction == "up"
        inside = sorted(x for x in self.global_points if (x > w0 if up else ZERO < x < w0))
        bounds = [w0, *inside] if up else [ZERO, *inside, w0]
        pieces: list[tuple[Fraction, Fraction | None]] = (
            list(zip(bounds, [*bounds[1:], None], strict=True)) if up else list(itertools.pairwise(bounds))
        )
        samples = {piece: _inside(*piece) for piece in pieces}
        cache: dict[Fraction, tuple[list[Key | None], Reference]] = {}

        def at(u: Fraction) -> tuple[list[Key | None], Reference]:
            if u not in cache:
                cache[u] = self.keys_at(u)
            return cache[u]

        # Every point where some pattern may cross the best one: the context's breakpoints, then per piece the
        # crossings of each pattern's lines with the best's.
        crossings: dict[int, set[Fraction]] = {}
        for k in range(len(self.lines)):
            pts = set(inside)
            for piece, sample in samples.items():
                keys, reference = at(sample)
                if k != best and keys[k] is None:
                    continue
                atoms = self._atoms(k, sample, reference) + self._atoms(best, sample, reference)
                for i, line in enumerate(atoms):
                    for other in atoms[i + 1 :]:
                        r = _root(line, other)
                        if r is not None and _within(r, piece):
                            pts.add(r)
            crossings[k] = pts
        everything = sorted(set().union(*crossings.values()) | set(inside), reverse=not up)

        def beaten(u: Fraction) -> list[int]:
            keys, _ = at(u)
            kb = keys[best]
            return [k for k, key in enumerate(keys) if key is not None and (kb is None or (k != best and key < kb))]

        # Walk the points and the open stretches between them, nearest first; the first where anything beats the
        # best (or the best loses a reservation value) is the answer.
        walk: list[tuple[Fraction, bool]] = []  # (where, inclusive); the sample of an open stretch is computed
        previous = w0
        for x in everything:
            walk.append((previous, False))
            walk.append((x, True))
            previous = x
        walk.append((previous, False))
        for i, (x, inclusive) in enumerate(walk):
            if inclusive:
                u = x
            else:
                nxt = walk[i + 1][0] if i + 1 < len(walk) else None
                if nxt is None:
                    u = x + 1 if up else x / 2
                else:
                    u = (x + nxt) / 2
            if not up and u <= 0:
                continue
            hit = beaten(u)
            if hit or at(u)[0][best] is None:
                if not inclusive and len(hit) > 1:
                    u = self._just_past(x, u, hit)
                keys, _ = at(u)
                new = min(((key, k) for k in hit if (key := keys[k]) is not None), default=None)
                if new is None:
                    return Change(direction, x, inclusive)
                return Change(direction, x, inclusive, self.model.patterns[new[1]][1], None, -new[0][0])
        return Change(direction)

    def _first_change_by_pairs(self, best: int, direction: str) -> Change:
        """:meth:`first_change` for ``total``, ``maximin`` and ``nash``, whose value on a pattern depends on that
        pattern alone (no ideal point): each pattern is walked against the best one only, over its own crossings
        and the two patterns' reservation crossings, instead of re-ranking every pattern at every crossing of any
        (which costs the square of the patterns with reservation values). Same answer, fewer evaluations."""
        w0 = self.knob.w0
        up = direction == "up"
        model = self.model
        reference = Reference(model.d, tuple(ONE for _ in model.parties))  # no ideal in these objectives
        a = model.accepts[self.p]

        def ahead(x: Fraction) -> bool:
            return x > w0 if up else ZERO < x < w0

        def crossing(k: int) -> Fraction | None:
            return None if a is None else _root(self.lines[k], (a * self.T, a))

        def state(k: int, u: Fraction) -> tuple[bool, Key | None]:
            scores = model.scores(k, self.knob, u)
            return model.feasible(scores), model.key(self.objective, k, scores, reference)

        def beats(k: int, u: Fraction) -> bool:
            kept_b, key_b = state(best, u)
            if not kept_b:
                return True
            if k == best:
                return False
            kept_k, key_k = state(k, u)
            return kept_k and key_k is not None and key_b is not None and key_k < key_b

        everywhere: set[Fraction] = set()
        found: tuple[tuple[Fraction, int], Fraction, bool] | None = None  # (order key, where, inclusive)
        for k in range(len(self.lines)):
            points = {x for x in (crossing(k), crossing(best)) if x is not None and ahead(x)}
            atoms = self._atoms(k, w0, reference) + self._atoms(best, w0, reference)
            for n, line in enumerate(atoms):
                for other in atoms[n + 1 :]:
                    r = _root(line, other)
                    if r is not None and ahead(r):
                        points.add(r)
            everywhere |= points
            ordered = sorted(points, reverse=not up)
            walk = [(w0, False)]
            for x in ordered:
                walk += [(x, True), (x, False)]
            for i, (x, inclusive) in enumerate(walk):
                order = (x if up else -x, 0 if inclusive else 1)
                if found is not None and order >= found[0]:
                    break
                if inclusive:
                    u = x
                else:
                    nxt = walk[i + 1][0] if i + 1 < len(walk) else None
                    u = (x + nxt) / 2 if nxt is not None else (x + 1 if up else x / 2)
                if beats(k, u):
                    found = (order, x, inclusive)
                    break
        if found is None:
            return Change(direction)
        _, t, inclusive = found
        if inclusive:
            u = t
        else:
            beyond = sorted((x for x in everywhere if (x > t if up else x < t)), reverse=not up)
            u = (t + beyond[0]) / 2 if beyond else (t + 1 if up else t / 2)
        keys, _ = self.keys_at(u)
        hit = [k for k, key in enumerate(keys) if key is not None and k != best and beats(k, u)]
        if not inclusive and len(hit) > 1:
            u = self._just_past(t, u, hit)
            keys, _ = self.keys_at(u)
        new = min(((keys[k], k) for k in hit if keys[k] is not None), default=None)
        if new is None:
            return Change(direction, t, inclusive)
        key = new[0]
        assert key is not None
        return Change(direction, t, inclusive, model.patterns[new[1]][1], None, -key[0])

    def _just_past(self, x: Fraction, sample: Fraction, hit: Sequence[int]) -> Fraction:
        """A weight between ``x`` and ``sample`` with no crossing among the patterns ``hit`` between it and ``x``:
        where their order is the order they have just past ``x``."""
        _, reference = self.keys_at(sample)
        nearest = sample
        for i, k in enumerate(hit):
            for j in hit[i + 1 :]:
                atoms = self._atoms(k, sample, reference) + self._atoms(j, sample, reference)
                for a, y in enumerate(atoms):
                    for z in atoms[a + 1 :]:
                        r = _root(y, z)
                        if r is not None and min(x, nearest) < r < max(x, nearest):
                            nearest = r
        return (x + nearest) / 2


def _inside(lo: Fraction, hi: Fraction | None) -> Fraction:
    return lo + 1 if hi is None else (lo + hi) / 2


def _within(r: Fraction, piece: tuple[Fraction, Fraction | None]) -> bool:
    lo, hi = piece
    return r > lo and (hi is None or r < hi)


# --- the analysis ---------------------------------------------------------------------------------------------


def _option_code(rule: Rule) -> int | None:
    """The code a utility's compiled demand ``term == option`` asks for (see :func:`dealcheck.utility.option_condition`)."""
    expr = rule.expr
    if isinstance(expr, Compare) and isinstance(expr.right, Const) and isinstance(expr.left, Var):
        return expr.right.value
    if isinstance(expr, IsTrue):
        return 1
    if isinstance(expr, Not) and isinstance(expr.arg, IsTrue):
        return 0
    return None


def _knobs(scenario: Scenario, patterns: Sequence[tuple[frozenset[int], Codes]]) -> list[_Knob]:
    """Every weight that can move: each plain demand's, and each utility issue's (all its options' demands)."""
    knobs: list[_Knob] = []
    index = 0
    for q, party in enumerate(scenario.parties):
        first = index
        index += len(party.demands)
        for j, d in enumerate(party.demands, first):
            if not d.graded:
                b = tuple(ONE if j in met else ZERO for met, _ in patterns)
                knobs.append(_Knob(q, d.id, "demand", Fraction(d.weight), b))
        if party.utility is None:
            continue
        for issue in party.utility.issues:
            if issue.weight == 0:
                continue
            term = scenario.term(issue.term)
            mine = [j for j, d in enumerate(party.demands, first) if d.graded and d.terms == frozenset({term.index})]
            b = tuple(
                sum(
                    (Fraction(scenario.parties[q].demands[j - first].weight) / issue.weight for j in mine if j in met),
                    ZERO,
                )
                for met, _ in patterns
            )
            knobs.append(_Knob(q, issue.term, "utility", Fraction(issue.weight), b))
    return knobs


def _renormalised(scenario: Scenario, party: Party, weights: list[Fraction], first: int) -> tuple[str, list[Fraction]]:
    """The other ``normalise:`` choice of ``party``'s utility, and every demand weight under it."""
    assert party.utility is not None
    current = party.utility.normalise
    alternative = "none" if current == "per_issue" else "per_issue"
    out = list(weights)
    for issue in party.utility.issues:
        term = scenario.term(issue.term)
        declared = issue.declared if issue.declared is not None else issue.values
        best = max(declared, default=ZERO)
        values = declared if alternative == "none" else tuple(v / best if best else v for v in declared)
        for j, d in enumerate(party.demands, first):
            if d.graded and d.terms == frozenset({term.index}):
                code = _option_code(d)
                assert code is not None, d.text
                out[j] = issue.weight * values[code - term.domain.codes.start]
    return alternative, out


def sensitivity(
    scenario: Scenario,
    *,
    objectives: Sequence[str] | None = None,
    backend: str = "cpsat",
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> SensitivityReport:
    """For the best deal under each objective (default: all of them), every weight's smallest move (up and down)
    that changes it, and the best deals under each utility profile's other ``normalise:`` choice (see the module
    docstring). ``time_limit`` (seconds) bounds the whole analysis: what it stops is named in ``not_reached``.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {x: [a, b]}
    ... parties:
    ...   p:
    ...     demands:
    ...       wants_a: {rule: x == "a", weight: 2, assumption: toy}
    ...       wants_b: {rule: x == "b", assumption: toy}
    ... ''')
    >>> r = sensitivity(s, objectives=["total"], backend="brute")
    >>> [(w.ref, str(w.up.at), w.up.inclusive, str(w.down.at), w.down.inclusive) for w in r.objectives[0].weights]
    [('p.wants_a', 'None', False, '1', False), ('p.wants_b', '2', False, 'None', False)]
    """
    objectives = OBJECTIVES if objectives is None else tuple(dict.fromkeys(objectives))
    for objective in objectives:
        check_objective(objective)
    say = progress or (lambda _: None)
    deadline = Deadline(time_limit)
    parties = {p.id: p.name for p in scenario.parties}
    terms = tuple(t.name for t in scenario.terms)
    red = [r for p in scenario.parties for r in p.red_lines if not _reservation(p, r)]
    problem = Constraints.from_scenario(scenario, red)

    def report(**kw: object) -> SensitivityReport:
        base: dict[str, object] = {
            "scenario": scenario.title,
            "path": scenario.path,
            "variant": scenario.variant_name,
            "parties": parties,
            "terms": terms,
            "deals": False,
            "patterns": 0,
            "objectives": (),
            "normalisation": (),
        }
        base.update(kw)
        return SensitivityReport(**base)  # type: ignore[arg-type]

    say("demand patterns")
    try:
        search = Search(backend, problem, deadline)
        patterns = maximal_patterns(scenario, search)
    except LimitReached:
        return report(timed_out=True, not_reached=("the demand patterns (nothing else can be answered without them)",))
    demands = [d for p in scenario.parties for d in p.demands]
    weights = [Fraction(d.weight) for d in demands]
    owner = [q for q, p in enumerate(scenario.parties) for _ in p.demands]
    totals = [Fraction(p.total_weight) for p in scenario.parties]
    model = _Model(scenario.parties, patterns, weights, owner, totals)
    if model.best("total", None, ZERO) is None:
        return report(patterns=len(patterns))
    knobs = _knobs(scenario, patterns)
    names = [p.name for p in scenario.parties]
    out: list[ObjectiveSensitivity] = []
    missing: list[str] = []
    for objective in objectives:
        best = model.best(objective, None, ZERO)
        assert best is not None
        table, reference = model.ranking_at(None, ZERO)
        scores = table[best]
        assert scores is not None
        codes = patterns[best][1]
        rows: list[WeightChange] = []
        for knob in knobs:
            party = scenario.parties[knob.party]
            if deadline.expired():
                row = WeightChange(party.id, names[knob.party], knob.name, knob.kind, knob.w0, None, None)
                missing.append(f"{objective}: {row.ref}")
                rows.append(row)
                continue
            say(f"{objective}: {party.id}.{knob.name}")
            scan = _Scan(model, knob, objective)
            moves = []
            for direction in ("up", "down"):
                change = scan.first_change(best, direction)
                if change.codes is not None:
                    change = attrs.evolve(change, values=scenario.decode(change.codes))
                moves.append(change)
            rows.append(WeightChange(party.id, names[knob.party], knob.name, knob.kind, knob.w0, moves[0], moves[1]))
        out.append(
            ObjectiveSensitivity(
                objective,
                codes,
                scenario.decode(codes),
                objective_value(objective, scores, reference),
                tuple((p.id, scores[q] if totals[q] else None) for q, p in enumerate(scenario.parties)),
                tuple(rows),
            )
        )
    effects: list[NormalisationEffect] = []
    first = 0
    for party in scenario.parties:
        start, first = first, first + len(party.demands)
        if party.utility is None:
            continue
        alternative, changed = _renormalised(scenario, party, weights, start)
        other = _Model(scenario.parties, patterns, changed, owner, totals)
        rows_n = []
        for o in out:
            k = other.best(o.objective, None, ZERO)
            c = None if k is None else patterns[k][1]
            rows_n.append((o.objective, c, None if c is None else scenario.decode(c), c != o.codes))
        effects.append(NormalisationEffect(party.id, party.name, party.utility.normalise, alternative, tuple(rows_n)))
    return report(
        deals=True,
        patterns=len(patterns),
        objectives=tuple(out),
        normalisation=tuple(effects),
        timed_out=bool(missing),
        not_reached=tuple(missing),
    )
