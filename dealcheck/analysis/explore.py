"""The zone of possible agreement: how many deals there are, which options occur in them, which deals are best, and
the Pareto frontier of what the parties get.

In: a :class:`~dealcheck.model.Scenario`, optionally narrowed to a coalition of parties (only their red lines and
scores count) and to the completions of a partial package. Out: an :class:`ExploreReport`.

Definitions (all exact, no floats decide anything):

- a *deal* is a full package that breaks no red line (of the coalition's parties);
- a party's *score* on a deal is the weight of its demands the deal meets over its total demand weight, a
  :class:`~fractions.Fraction` (1 for a party with no demands);
- objectives: ``total`` is the sum of the scores, ``maximin`` the smallest score, ``nash`` their product. Each is
  optimised as an integer expression over demand literals: ``total`` and ``maximin`` scaled by the least common
  multiple of the parties' total weights, ``nash`` as the product of the met weights (parties without demands
  left out: their score is always 1). Maximising a sum of logarithms, the usual Nash shortcut, is not exact and not
  used;
- ranking and tie-break: deals by objective, best first; for ``maximin`` and ``nash``, equal objectives by the
  total score next (a party held at 0 in every deal makes both objectives 0 everywhere; the total still tells the
  deals apart); then by the lexicographically smallest codes in term order (options in their listed order,
  ``false`` before ``true``, integers ascending), the tie-break :func:`dealcheck.check.check_package` uses for
  examples. So "the top K" is one well-defined list;
- the Pareto frontier: the score vectors (of the coalition's parties) of deals that no other deal beats for one
  party without losing for another; each point with its lexicographically smallest deal as example, listed by
  total score (best first), then by the example's codes.

Methods. With the default ``cpsat`` backend the count and the deals per option come from exact model counting
(:mod:`dealcheck.solver.counting`: bucket elimination, never listing, so a limit never stops it); best deals and
the frontier come from repeated optimisation (:mod:`dealcheck.analysis.search`): the best value, then the
lexicographically smallest deal reaching it, then the same with that deal excluded. For the frontier each new point
maximises the scaled total over the deals not weakly dominated by a point found so far, so it is Pareto-optimal
(a deal dominating it would be in that set with a larger total), and points arrive in the order listed. The
``constraint`` and ``brute`` backends list every deal (``limit`` and the time limit may stop them: the count is then
"at least N") and answer every question from the list; when a limit stops the listing they fall back to the solver
questions. Every backend gives the same answers; the tests check it.

The time limit bounds every solver call (a stopped section is reported incomplete, exit 4). Model counting is not
a search and has no time limit: it is exact or it has not finished (0.05 s on the bundled scenario, seconds on
60-term generated ones).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction

import attrs

from dealcheck.analysis.search import LimitReached, Search, balanced_sum, differs, weighted_count
from dealcheck.errors import UsageError
from dealcheck.model import Package, Party, Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK, Report
from dealcheck.rules.ir import (
    Arith,
    ArithOp,
    BoolExpr,
    CmpOp,
    Compare,
    Connective,
    Const,
    IntExpr,
    Logic,
    MinMax,
    Truth,
    Var,
)
from dealcheck.rules.terms import Term, Value
from dealcheck.solver.base import BACKENDS, Deadline, Problem, get_backend

__all__ = [
    "OBJECTIVES",
    "ExploreReport",
    "PartyScore",
    "ScoredDeal",
    "Scorer",
    "TermZone",
    "best_deals",
    "coalition",
    "explore",
]

#: ``--objective`` choices; the first is the default.
OBJECTIVES: tuple[str, ...] = ("total", "maximin", "nash")

#: The largest product of total weights the exact ``nash`` objective accepts (CP-SAT works in 64-bit integers).
NASH_LIMIT = 1 << 62

Progress = Callable[[str], None]


# --- the report -------------------------------------------------------------------------------------------------


@attrs.frozen
class PartyScore:
    """What one deal gives one party: ``met`` of its ``total`` demand weight.

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


@attrs.frozen(hash=False)
class ScoredDeal:
    """A deal, the score it gives each party, and (for best deals) its objective value."""

    values: Mapping[str, Value]
    scores: tuple[PartyScore, ...]
    objective: Fraction | None = None

    @property
    def total(self) -> Fraction:
        return sum((s.score for s in self.scores), Fraction(0))


@attrs.frozen(hash=False)
class TermZone:
    """One term across the deals: the options that occur in some deal (domain order) and those in none.

    ``deals`` gives, per option in ``options``, how many deals take it (``None`` when the count is not exact).
    """

    term: str
    options: tuple[Value, ...]
    excluded: tuple[Value, ...]
    given: bool = False
    deals: tuple[int, ...] | None = None

    @property
    def forced(self) -> bool:
        """One option in every deal, though the package left the term open."""
        return not self.given and len(self.options) == 1


@attrs.frozen(hash=False)
class ExploreReport(Report):
    """The zone of possible agreement of a scenario (or coalition, or partial package).

    ``exact`` says the deal count is exact (else it is a lower bound); ``*_complete`` that a section holds the whole
    answer. ``notes`` says what stopped what, in words.
    """

    scenario: str
    path: str
    variant: str | None
    backend: str
    parties: tuple[str, ...]
    coalition: bool
    package: str | None
    given: Mapping[str, Value]
    packages: int
    deals: int
    exact: bool
    terms: tuple[TermZone, ...]
    terms_complete: bool
    objective: str
    top: int
    best: tuple[ScoredDeal, ...]
    best_complete: bool
    pareto: tuple[ScoredDeal, ...]
    pareto_complete: bool
    notes: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return self.exact and self.terms_complete and self.best_complete and self.pareto_complete

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.complete else EXIT_LIMIT


# --- scores and objectives --------------------------------------------------------------------------------------


class Scorer:
    """The parties' demands compiled once: met weights of a deal, and the objectives as integer expressions.

    >>> from dealcheck.model import Party, Rule, RuleKind
    >>> from dealcheck.rules.ir import IsTrue
    >>> us = Party("us", "US", demands=(Rule("us", "a", RuleKind.DEMAND, "a", IsTrue(0), weight=2, assumption="toy"),))
    >>> eu = Party("eu", "EU", demands=(Rule("eu", "b", RuleKind.DEMAND, "b", IsTrue(1), weight=3, assumption="toy"),))
    >>> scorer = Scorer([us, eu], "total")
    >>> scorer.vector((1, 0)), scorer.value(scorer.scores((1, 0))), scorer.lcm
    ((2, 0), Fraction(1, 1), 6)
    """

    def __init__(self, parties: Sequence[Party], objective: str) -> None:
        from dealcheck.solver.compiled import compile_rules

        self.parties = tuple(parties)
        self.objective = objective
        self._check = compile_rules(tuple(d.expr for p in self.parties for d in p.demands))
        self.weighted = [p for p in self.parties if p.total_weight > 0]
        self.lcm = math.lcm(*(p.total_weight for p in self.weighted)) if self.weighted else 1
        #: Met demand weight of each weighted party, as an integer expression.
        self.met_exprs = {p.id: weighted_count([(d.weight, d.expr) for d in p.demands]) for p in self.weighted}
        if objective == "nash":
            product = math.prod(p.total_weight for p in self.weighted)
            if product > NASH_LIMIT:
                raise UsageError(
                    f"the nash objective multiplies the parties' total demand weights ({product}), too large to search exactly",
                    "use --objective total or maximin, or smaller weights",
                )

    def scaled(self, p: Party) -> IntExpr:
        expr = self.met_exprs[p.id]
        k = self.lcm // p.total_weight
        return expr if k == 1 else Arith(ArithOp.MUL, Const(k), expr)

    def total_expr(self) -> IntExpr:
        """``lcm * (sum of the weighted parties' scores)``: strictly increasing in every party's met weight."""
        return balanced_sum([self.scaled(p) for p in self.weighted])

    def objective_expr(self) -> IntExpr:
        match self.objective:
            case "total":
                return self.total_expr()
            case "maximin":
                if not self.weighted:
                    return Const(1)
                return MinMax(False, tuple(self.scaled(p) for p in self.weighted))
            case "nash":
                out: IntExpr = Const(1)
                for p in self.weighted:
                    out = self.met_exprs[p.id] if out == Const(1) else Arith(ArithOp.MUL, out, self.met_exprs[p.id])
                return out
        raise AssertionError(self.objective)  # explore() validated it

    def scores(self, codes: tuple[int, ...]) -> tuple[PartyScore, ...]:
        truth = iter(self._check(codes))
        out = []
        for p in self.parties:
            met = [d for d in p.demands if next(truth)]
            out.append(PartyScore(p.id, p.name, sum(d.weight for d in met), p.total_weight, tuple(d.id for d in met)))
        return tuple(out)

    def vector(self, codes: tuple[int, ...]) -> tuple[int, ...]:
        """Met weight of each weighted party: the coordinates of the Pareto frontier."""
        by_id = {s.party: s.met for s in self.scores(codes)}
        return tuple(by_id[p.id] for p in self.weighted)

    def value(self, scores: Sequence[PartyScore]) -> Fraction:
        """The objective as the exact fraction the report shows."""
        values = [s.score for s in scores]
        match self.objective:
            case "total":
                return sum(values, Fraction(0))
            case "maximin":
                return min(values, default=Fraction(1))
            case "nash":
                return math.prod(values, start=Fraction(1))
        raise AssertionError(self.objective)

    def total_scaled(self, vector: Sequence[int]) -> int:
        return sum(m * (self.lcm // p.total_weight) for m, p in zip(vector, self.weighted, strict=True))

    def not_weakly_dominated(self, vector: Sequence[int]) -> BoolExpr:
        """Some weighted party gets more than in ``vector``."""
        better = tuple(
            Compare(CmpOp.GT, self.met_exprs[p.id], Const(m)) for p, m in zip(self.weighted, vector, strict=True)
        )
        return Logic(Connective.OR, better) if better else Truth(False)


# --- the analysis -----------------------------------------------------------------------------------------------


def coalition(scenario: Scenario, parties: Iterable[str] | None) -> Scenario:
    """``scenario`` with only the parties named (in the scenario's order); all of them for ``None``.

    ``UsageError`` for an unknown party or an empty list.
    """
    if parties is None:
        return scenario
    wanted = list(dict.fromkeys(parties))
    if not wanted:
        raise UsageError("--parties names no party", "give party ids separated by commas, e.g. --parties us,ukraine")
    for pid in wanted:
        scenario.party(pid)  # raises UsageError with a suggestion
    return attrs.evolve(scenario, parties=tuple(p for p in scenario.parties if p.id in wanted))


def explore(
    scenario: Scenario,
    *,
    objective: str = "total",
    top: int = 3,
    parties: Iterable[str] | None = None,
    package: Package | Mapping[str, Value] | None = None,
    backend: str = "cpsat",
    engine: str | None = None,
    limit: int | None = None,
    pareto_limit: int | None = 100,
    time_limit: float | None = None,
    progress: Progress | None = None,
) -> ExploreReport:
    """The zone of possible agreement of ``scenario``.

    ``parties`` narrows it to a coalition, ``package`` to the completions of a (partial) package. ``top`` best deals
    by ``objective``; at most ``pareto_limit`` frontier points. ``limit`` bounds the deals the listing backends
    (``constraint``, ``brute``) enumerate; ``time_limit`` (seconds) bounds the whole analysis.

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
    >>> r = explore(s, top=1)
    >>> r.deals, [(t.term, t.options) for t in r.terms]
    (4, [('ceasefire', ('none', 'energy')), ('minerals', (False, True))])
    >>> best = r.best[0]
    >>> dict(best.values), best.objective, [str(p.score) for p in best.scores]
    ({'ceasefire': 'energy', 'minerals': False}, Fraction(5, 3), ['2/3', '1'])
    >>> [[str(p.score) for p in d.scores] for d in r.pareto]
    [['2/3', '1'], ['1', '0']]
    >>> explore(s, backend="brute", top=1).best == r.best
    True
    """
    if objective not in OBJECTIVES:
        raise UsageError(f"unknown objective {objective!r}", "the objectives are " + ", ".join(OBJECTIVES))
    if engine is not None:  # the keyword's former name
        backend = engine
    if backend not in BACKENDS:
        get_backend(backend)  # raises the UsageError naming the backends
    if top < 0:
        raise UsageError("--top must be 0 or more")
    if limit is not None and limit < 0:
        raise UsageError("--limit must be 0 or more")
    say = progress or (lambda _: None)
    package_id = package.id if isinstance(package, Package) else None
    values = dict(package.values if isinstance(package, Package) else (package or {}))
    codes = scenario.encode(values)
    sub = coalition(scenario, parties)
    problem = Problem.from_scenario(sub, fixed=codes)
    scorer = Scorer(sub.parties, objective)
    deadline = Deadline(time_limit)
    notes: list[str] = []
    free = problem.free_domains()
    assert free is not None  # encode() only gives codes inside the domains
    packages = math.prod(len(d) for d in free)

    # 1. The count, and per term the deals per option.
    say("counting deals")
    listed: list[tuple[int, ...]] | None = None
    per_value: list[dict[int, int]] | None
    if backend == "cpsat":
        count, per_value = _count_exactly(problem)
        exact = True
    else:
        listed, exact = _list_deals(backend, problem, limit, deadline)
        count = len(listed)
        per_value = _tally(listed, problem) if exact else None
        if not exact:
            notes.append(
                f"the {'time limit' if deadline.expired() else 'limit of ' + str(limit) + ' deals'} stopped the count "
                f"after {count} deals"
            )
            listed = None
    search = Search(backend, problem, deadline)

    # 2. Options per term.
    say("options per term")
    terms_complete = True
    if per_value is not None:
        occurs = [{c for c, n in pv.items() if n > 0} for pv in per_value]
    else:
        occurs, terms_complete = _options_by_search(search, problem, codes, say)
        if not terms_complete:
            notes.append("the time limit stopped the search for the options that occur in deals")
    zones = tuple(_zone(t, occurs[t.index], codes[t.index] is not None, per_value) for t in scenario.terms)

    # 3 and 4. Best deals and the frontier.
    best: list[ScoredDeal] = []
    pareto: list[ScoredDeal] = []
    best_complete = pareto_complete = True
    if listed is not None:
        best = _best_from_list(listed, scorer, top, scenario)
        pareto, pareto_complete = _pareto_from_list(listed, scorer, pareto_limit, scenario)
    else:
        try:
            say("best deals")
            _best_by_search(search, scorer, top, scenario, best, say)
        except LimitReached:
            best_complete = False
            notes.append(f"the time limit stopped the search for best deals after {len(best)} of {top}")
        try:
            say("Pareto frontier")
            pareto, pareto_complete = _pareto_by_search(search, scorer, pareto_limit, scenario, pareto, say)
        except LimitReached:
            pareto_complete = False
            notes.append(f"the time limit stopped the Pareto frontier after {len(pareto)} points")
    if not pareto_complete and not deadline.expired():
        notes.append(
            f"the frontier has more points than the limit of {pareto_limit}; the first {len(pareto)} are shown"
        )
    return ExploreReport(
        scenario=scenario.title,
        path=scenario.path,
        variant=scenario.variant_name,
        backend=backend,
        parties=tuple(p.id for p in sub.parties),
        coalition=parties is not None,
        package=package_id,
        given=scenario.decode(codes),
        packages=packages,
        deals=count,
        exact=exact,
        terms=zones,
        terms_complete=terms_complete,
        objective=objective,
        top=top,
        best=tuple(best),
        best_complete=best_complete,
        pareto=tuple(pareto),
        pareto_complete=pareto_complete,
        notes=tuple(notes),
    )


def best_deals(
    scenario: Scenario,
    *,
    objective: str = "total",
    top: int = 1,
    parties: Iterable[str] | None = None,
    package: Package | Mapping[str, Value] | None = None,
    backend: str = "cpsat",
    engine: str | None = None,
    time_limit: float | None = None,
) -> tuple[ScoredDeal, ...]:
    """The ``top`` best deals by ``objective``, ranked and tie-broken as in :func:`explore` (its ``best``), without
    the count, the options per term or the frontier. Fewer when there are fewer deals; raises
    :class:`~dealcheck.analysis.search.LimitReached` when ``time_limit`` (seconds) stops a solve. Every backend
    answers by search here, never by listing.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms:
    ...   ceasefire: {options: [none, energy, full], ordered: true}
    ... parties:
    ...   us:
    ...     demands:
    ...       truce: {rule: ceasefire >= "energy", assumption: toy}
    ...   russia:
    ...     red_lines:
    ...       no_full: {rule: ceasefire != "full", assumption: toy}
    ... ''')
    >>> [(dict(d.values), d.objective) for d in best_deals(s, top=2)]
    [({'ceasefire': 'energy'}, Fraction(2, 1)), ({'ceasefire': 'none'}, Fraction(1, 1))]
    >>> best_deals(s, top=2, backend="brute") == best_deals(s, top=2)
    True
    """
    if objective not in OBJECTIVES:
        raise UsageError(f"unknown objective {objective!r}", "the objectives are " + ", ".join(OBJECTIVES))
    if engine is not None:  # the keyword's former name
        backend = engine
    if backend not in BACKENDS:
        get_backend(backend)  # raises the UsageError naming the backends
    if top < 0:
        raise UsageError("--top must be 0 or more")
    values = dict(package.values if isinstance(package, Package) else (package or {}))
    sub = coalition(scenario, parties)
    problem = Problem.from_scenario(sub, fixed=scenario.encode(values))
    out: list[ScoredDeal] = []
    search = Search(backend, problem, Deadline(time_limit))
    _best_by_search(search, Scorer(sub.parties, objective), top, scenario, out, lambda _: None)
    return tuple(out)


def _zone(term: Term, occurs: set[int], given: bool, per_value: list[dict[int, int]] | None) -> TermZone:
    codes = list(term.domain.codes)
    inside = [c for c in codes if c in occurs]
    return TermZone(
        term=term.name,
        options=tuple(term.decode(c) for c in inside),
        excluded=tuple(term.decode(c) for c in codes if c not in occurs),
        given=given,
        deals=None if per_value is None else tuple(per_value[term.index].get(c, 0) for c in inside),
    )


def _count_exactly(problem: Problem) -> tuple[int, list[dict[int, int]]]:
    from dealcheck.solver import counting

    fixed = {i: c for i, c in enumerate(problem.fixed or ()) if c is not None}
    per_value = counting.count_per_value(problem.domains, problem.constraints, fixed)
    if per_value:
        return sum(per_value[0].values()), per_value
    return counting.count_solutions(problem.domains, problem.constraints, fixed), per_value


def _list_deals(
    backend: str, problem: Problem, limit: int | None, deadline: Deadline
) -> tuple[list[tuple[int, ...]], bool]:
    """Up to ``limit`` deals, and whether that is every deal."""
    listed = list(
        get_backend(backend).iterate_solutions(
            problem, limit=None if limit is None else limit + 1, time_limit=deadline.remaining()
        )
    )
    if limit is not None and len(listed) > limit:
        return listed[:limit], False
    # The listing backends stop quietly at the deadline: past it, the list may be short.
    return listed, not deadline.expired()


def _tally(listed: Sequence[tuple[int, ...]], problem: Problem) -> list[dict[int, int]]:
    out = [dict.fromkeys(d, 0) for d in problem.domains]
    for i, counts in enumerate(out):
        counts.update(Counter(deal[i] for deal in listed))
    return out


def _options_by_search(
    search: Search, problem: Problem, codes: Sequence[int | None], say: Progress
) -> tuple[list[set[int]], bool]:
    """Per term, the codes some deal takes: one solver question per code not yet seen in a deal found before."""
    occurs: list[set[int]] = [set() for _ in problem.domains]

    def seen(deal: tuple[int, ...]) -> None:
        for i, c in enumerate(deal):
            occurs[i].add(c)

    try:
        for i, domain in enumerate(problem.domains):
            if codes[i] is not None:
                continue
            for c in domain:
                if c in occurs[i]:
                    continue
                say(f"options of term {i + 1} of {len(problem.domains)}")
                deal = search.find(Compare(CmpOp.EQ, Var(i), Const(c)))
                if deal is not None:
                    seen(deal)
        # A given term occurs in every deal, if there is one.
        if any(occurs[i] for i in range(len(occurs))) or search.find() is not None:
            for i, c in enumerate(codes):
                if c is not None:
                    occurs[i].add(c)
    except LimitReached:
        return occurs, False
    return occurs, True


def _scored(scenario: Scenario, scorer: Scorer, deal: tuple[int, ...], with_objective: bool) -> ScoredDeal:
    scores = scorer.scores(deal)
    return ScoredDeal(scenario.decode(deal), scores, scorer.value(scores) if with_objective else None)


def _best_from_list(
    listed: Sequence[tuple[int, ...]], scorer: Scorer, top: int, scenario: Scenario
) -> list[ScoredDeal]:
    def key(deal: tuple[int, ...]) -> tuple[Fraction, Fraction, tuple[int, ...]]:
        scores = scorer.scores(deal)
        total = sum((x.score for x in scores), Fraction(0)) if scorer.objective != "total" else Fraction(0)
        return (-scorer.value(scores), -total, deal)

    ranked = sorted(listed, key=key)
    return [_scored(scenario, scorer, d, True) for d in ranked[:top]]


def _best_by_search(
    search: Search, scorer: Scorer, top: int, scenario: Scenario, out: list[ScoredDeal], say: Progress
) -> None:
    """The ``top`` best deals in rank order, appended to ``out`` so a time limit keeps what was proven."""
    objective = scorer.objective_expr()
    total = scorer.total_expr()
    excluded: list[BoolExpr] = []
    while len(out) < top:
        say(f"best deal {len(out) + 1} of {top}")
        value = search.maximum(objective, *excluded)
        if value is None:
            return
        at = [Compare(CmpOp.EQ, objective, Const(value))]
        if scorer.objective != "total":  # the total breaks ties first (see the module docstring)
            best_total = search.maximum(total, *at, *excluded)
            assert best_total is not None, "the backend found the maximum but no deal reaching it"
            at.append(Compare(CmpOp.EQ, total, Const(best_total)))
        deal = search.lexmin(*at, *excluded)
        assert deal is not None, "the backend found the maximum but no deal reaching it"
        out.append(_scored(scenario, scorer, deal, True))
        excluded.append(differs(deal))


def _pareto_from_list(
    listed: Sequence[tuple[int, ...]], scorer: Scorer, pareto_limit: int | None, scenario: Scenario
) -> tuple[list[ScoredDeal], bool]:
    example: dict[tuple[int, ...], tuple[int, ...]] = {}
    for deal in listed:
        v = scorer.vector(deal)
        if v not in example or deal < example[v]:
            example[v] = deal
    vectors = list(example)
    frontier = [v for v in vectors if not any(_dominates(w, v) for w in vectors)]
    frontier.sort(key=lambda v: (-scorer.total_scaled(v), example[v]))
    complete = pareto_limit is None or len(frontier) <= pareto_limit
    shown = frontier if complete else frontier[:pareto_limit]
    return [_scored(scenario, scorer, example[v], False) for v in shown], complete


def _dominates(w: Sequence[int], v: Sequence[int]) -> bool:
    return w != v and all(a >= b for a, b in zip(w, v, strict=True))


def _pareto_by_search(
    search: Search,
    scorer: Scorer,
    pareto_limit: int | None,
    scenario: Scenario,
    found: list[ScoredDeal],
    say: Progress,
) -> tuple[list[ScoredDeal], bool]:
    """Frontier points in order; ``found`` is filled in place so a time limit keeps what was proven."""
    total = scorer.total_expr()
    outside: list[BoolExpr] = []
    while True:
        if pareto_limit is not None and len(found) >= pareto_limit:
            return found, search.find(*outside) is None
        say(f"Pareto point {len(found) + 1}")
        value = search.maximum(total, *outside)
        if value is None:
            return found, True
        deal = search.lexmin(Compare(CmpOp.EQ, total, Const(value)), *outside)
        assert deal is not None, "the backend found the maximum but no deal reaching it"
        found.append(_scored(scenario, scorer, deal, False))
        outside.append(scorer.not_weakly_dominated(scorer.vector(deal)))
        if not scorer.weighted:
            return found, True  # every deal gives every party 1: one point
