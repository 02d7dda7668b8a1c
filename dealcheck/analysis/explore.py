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
the frontier come from a listing when the zone is small, else from dynamic programming on the elimination tree
when the structure is narrow (:mod:`dealcheck.analysis.skyline`: no solver), else from repeated optimisation
(:mod:`dealcheck.analysis.search`): the best value, then the
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

from dealcheck.analysis.objectives import (
    OBJECTIVES,
    PartyScore,
    Reference,
    Scorer,
    best_by_search,
    best_from_list,
    best_total_by_search,
    check_objective,
    frontier_by_search,
    frontier_from_list,
)
from dealcheck.analysis.search import LimitReached, Search
from dealcheck.analysis.skyline import skyline
from dealcheck.errors import UsageError
from dealcheck.interrupt import stopped_by
from dealcheck.model import Package, Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK, Report
from dealcheck.rules.ir import (
    CmpOp,
    Compare,
    Const,
    Var,
)
from dealcheck.rules.terms import IntDomain, Term, Value
from dealcheck.solver.base import BACKENDS, Constraints, Deadline, get_backend
from dealcheck.solver.planner import Budget, CountResult, PartCount, Run
from dealcheck.solver.session import Capability, Session, open_session

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

#: With the ``cpsat`` backend, a scenario with at most this many packages has its deals listed (by the compiled
#: checker, about a microsecond a package) and the best deals and the frontier taken from the list: cheaper than
#: two solver calls per frontier point, and the answer is the same.
LIST_PACKAGES = 50_000

#: An exactly counted zone of at most this many deals is listed and ranked without a solver.
SMALL_ZONE = 20_000
#: The longest that listing may take before the solver questions take over (seconds).
SMALL_ZONE_SECONDS = 1.0

#: Whether explore and best_deals try :func:`~dealcheck.analysis.skyline.skyline` before asking a solver (the tests
#: turn it off to hold the solver path to the same answers).
DYNAMIC_PROGRAMMING = True

#: Integer terms with at most this many values also list their values one by one in a :class:`TermZone`.
LISTED_VALUES = 10_000

Progress = Callable[[str], None]


# --- the report -------------------------------------------------------------------------------------------------


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
    ``excluded`` holds only options proven to occur in no deal: when a limit stopped the search it is empty.

    An integer term also has ``ranges`` (its values in some deal as intervals ``(lo, hi)``), ``excluded_ranges``
    and ``runs`` (``(lo, hi, n)``: each value from lo to hi is in n deals, for the values in some deal; ``None``
    when the count is not exact). Its ``options``/``excluded``/``deals`` list single values only for ranges of at
    most :data:`LISTED_VALUES` values, so a salary range of 10**9 costs a few intervals, never a billion values.
    """

    term: str
    options: tuple[Value, ...]
    excluded: tuple[Value, ...]
    given: bool = False
    deals: tuple[int, ...] | None = None
    ranges: tuple[tuple[int, int], ...] | None = None
    excluded_ranges: tuple[tuple[int, int], ...] | None = None
    runs: tuple[tuple[int, int, int], ...] | None = None

    @property
    def forced(self) -> bool:
        """One option in every deal, though the package left the term open."""
        if self.ranges is not None:
            return not self.given and len(self.ranges) == 1 and self.ranges[0][0] == self.ranges[0][1]
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
    #: When the count is not exact: the most deals there can be (``None`` when nothing better than the packages).
    deals_high: int | None = None
    #: How each independent part of the scenario was counted (:class:`~dealcheck.solver.planner.PartCount`, term
    #: indices), in term order; empty for the listing engines.
    counting: tuple[PartCount, ...] = ()
    #: How the best deals and the frontier were found: ``"listing"`` (from every deal), ``"dynamic programming"``
    #: (:mod:`dealcheck.analysis.skyline`), ``"search"`` (solver questions), or ``""`` when neither was asked for.
    ranking: str = ""

    @property
    def complete(self) -> bool:
        return self.exact and self.terms_complete and self.best_complete and self.pareto_complete

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.complete else EXIT_LIMIT


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
    memory_limit: int | None = None,
    progress: Progress | None = None,
) -> ExploreReport:
    """The zone of possible agreement of ``scenario``.

    ``parties`` narrows it to a coalition, ``package`` to the completions of a (partial) package. ``top`` best deals
    by ``objective``; at most ``pareto_limit`` frontier points. ``limit`` bounds the deals the listing backends
    (``constraint``, ``brute``) enumerate; ``time_limit`` (seconds) bounds the whole analysis; ``memory_limit``
    (bytes) the counting tables (:data:`dealcheck.solver.planner.DEFAULT_MEMORY_LIMIT` by default).

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
    check_objective(objective)
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
    problem = Constraints.from_scenario(sub, fixed=codes)
    scorer = Scorer(sub.parties, objective)
    deadline = Deadline(time_limit)
    notes: list[str] = []
    free = problem.free_domains()
    assert free is not None  # encode() only gives codes inside the domains
    packages = math.prod(len(d) for d in free)

    # 1. The count, and per term the deals per value (as runs of values with one count).
    say("counting deals")
    listed: list[tuple[int, ...]] | None = None
    per_value: tuple[tuple[Run, ...], ...] | None
    planned: CountResult | None = None
    high: int | None = None
    search = Search(backend, problem, deadline)
    if Capability.COUNT in search.session.native:
        budget = Budget(deadline.end, memory_limit) if memory_limit is not None else Budget(deadline.end)
        planned = _count_exactly(problem, budget, say)
        count, exact, per_value = planned.low, planned.exact, planned.per_value
        if not exact:
            high = planned.high
            stopper = stopped_by() if planned.stopped == "time limit" else f"the {planned.stopped}"
            notes.append(f"{stopper} stopped the count: between {count} and {high} deals")
    else:
        listed, exact = _list_deals(search.session, limit)
        count = len(listed)
        per_value = _tally(listed, problem) if exact else None
        if not exact:
            notes.append(
                f"{stopped_by() if deadline.expired() else 'the limit of ' + str(limit) + ' deals'} stopped the count "
                f"after {count} deals"
            )
            listed = None

    # 2. Options per term.
    say("options per term")
    terms_complete = True
    if per_value is not None:
        occurs: list[list[tuple[int, int]]] = [[(lo, hi) for lo, hi, n in runs if n > 0] for runs in per_value]
    elif planned is not None and exact and planned.support is not None:
        # Counts that vary value by value (x in x > y): the intervals some deal takes, without counts per value.
        occurs = [list(s or ()) for s in planned.support]
        # A term the count could not split (summed last in no order): its options by search, as without a count.
        unsplit = {t for t, s in enumerate(planned.support) if s is None}
        if unsplit:
            found, terms_complete = _options_by_search(search, problem, codes, say, only=unsplit)
            for t in unsplit:
                occurs[t] = [(c, c) for c in sorted(found[t])]
            if not terms_complete:
                notes.append(
                    "a limit stopped the search for the options that occur in deals: the options shown occur in "
                    "some deal; the others may or may not"
                )
    else:
        found, terms_complete = _options_by_search(search, problem, codes, say)
        occurs = [[(c, c) for c in sorted(f)] for f in found]
        if not terms_complete:
            notes.append(
                "a limit stopped the search for the options that occur in deals: the options shown occur in some "
                "deal; the others may or may not"
            )
    zones = tuple(
        _zone(t, occurs[t.index], codes[t.index] is not None, per_value, terms_complete) for t in scenario.terms
    )

    # A small zone is answered without a solver (no OR-Tools import: ~0.5 s of start-up saved): from the planner's
    # own listing when it listed, else by dynamic programming, else listed by python-constraint2 (answered from the
    # list, as the listing engines answer); a listing that does not finish quickly leaves it to search.
    ranking = ""
    tried = False  # whether dynamic programming was tried (it gives up the same way twice)
    if planned is not None and exact and 0 < count <= SMALL_ZONE and (top or pareto_limit != 0):
        listed = _zone_from_parts(planned, problem, count)  # the planner's own listing, when it listed
        if listed is None and DYNAMIC_PROGRAMMING:
            # Counted by elimination: the same tree ranks it without listing (nor importing python-constraint2).
            listed = skyline(problem, scorer, max(top, 1), deadline)
            tried = True
            ranking = "" if listed is None else "dynamic programming"
        if listed is None:
            listed = _list_small_zone(problem, count, deadline)

    # 3 and 4. The frontier, and the best deals from it (see dealcheck.analysis.objectives).
    counted = Capability.COUNT in search.session.native  # counted, not listed: the listing may still pay
    if listed is None and counted and packages <= LIST_PACKAGES and (top > 0 or pareto_limit != 0):
        say("listing deals")
        candidates = open_session("brute", problem, deadline).solutions()
        every = list(candidates)
        if candidates.complete:
            listed = every
    if not ranking:
        ranking = "listing" if listed is not None else ""
    if listed is None and planned is not None and exact and count == 0:
        listed = []  # no deal: nothing to rank
    if listed is None and counted and (top > 0 or pareto_limit != 0) and DYNAMIC_PROGRAMMING and not tried:
        # Too many deals to list: dynamic programming on the elimination tree gives a short list that holds the
        # frontier and the best deals, with no solver (and no OR-Tools import) when the structure is narrow.
        say("best deals by dynamic programming")
        listed = skyline(problem, scorer, max(top, 1), deadline)
        ranking = "" if listed is None else "dynamic programming"
    best: list[ScoredDeal] = []
    best_complete = pareto_complete = True
    frontier: dict[tuple[int, ...], tuple[int, ...]] = {}
    if listed is not None:
        frontier = frontier_from_list(listed, scorer)
        reference = scorer.reference(frontier)
        best = [
            _scored(scenario, scorer, d, reference) for d in best_from_list(listed, scorer, objective, top, reference)
        ]
    elif objective == "total" and top == 1 and pareto_limit == 0:
        # The best deal by total score alone needs no frontier (see best_total_by_search).
        ranking = "search"
        try:
            say("best deals")
            deal = best_total_by_search(search, scorer)
        except LimitReached:
            best_complete = False
            notes.append(f"{stopped_by()} stopped the search for best deals after 0 of {top}")
        else:
            best = [] if deal is None else [_scored(scenario, scorer, deal, scorer.reference(()))]
    else:
        ranking = "search" if top > 0 or pareto_limit != 0 else ""
        try:
            say("Pareto frontier")
            # The best deals need the whole frontier; without them, the points shown are enough.
            _, pareto_complete = frontier_by_search(
                search, scorer, limit=None if top > 0 else pareto_limit, found=frontier, say=say
            )
        except LimitReached:
            pareto_complete = False
            notes.append(f"{stopped_by()} stopped the Pareto frontier after {len(frontier)} points")
        if top > 0 and not pareto_complete:
            best_complete = False
            notes.append(f"{stopped_by()} stopped the search for best deals after 0 of {top}")
        elif top > 0:
            reference = scorer.reference(frontier)
            best_found: list[tuple[int, ...]] = []
            try:
                say("best deals")
                best_by_search(search, scorer, objective, top, frontier, reference, out=best_found, say=say)
            except LimitReached:
                best_complete = False
                notes.append(f"{stopped_by()} stopped the search for best deals after {len(best_found)} of {top}")
            best = [_scored(scenario, scorer, d, reference) for d in best_found]
    ordered = sorted(frontier, key=lambda v: (-scorer.total(v), frontier[v]))
    if pareto_limit is not None and len(ordered) > pareto_limit:
        ordered = ordered[:pareto_limit]
        pareto_complete = False
    pareto = [_scored(scenario, scorer, frontier[v], None) for v in ordered]
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
        deals_high=high,
        counting=() if planned is None else planned.parts,
        ranking=ranking,
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
    :class:`~dealcheck.analysis.search.LimitReached` when ``time_limit`` (seconds) stops a solve. CP-SAT answers by
    search (the frontier, then the best points on it), the listing backends by listing the deals.

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
    check_objective(objective)
    if engine is not None:  # the keyword's former name
        backend = engine
    if backend not in BACKENDS:
        get_backend(backend)  # raises the UsageError naming the backends
    if top < 0:
        raise UsageError("--top must be 0 or more")
    values = dict(package.values if isinstance(package, Package) else (package or {}))
    sub = coalition(scenario, parties)
    problem = Constraints.from_scenario(sub, fixed=scenario.encode(values))
    deadline = Deadline(time_limit)
    scorer = Scorer(sub.parties, objective)
    search = Search(backend, problem, deadline)
    if Capability.OPTIMISE not in search.session.native:
        # A backend that optimises by bisection lists instead: one pass, not two questions per frontier point.
        listed, complete = _list_deals(search.session, None)
        if not complete:
            raise LimitReached
        reference = scorer.reference(frontier_from_list(listed, scorer))
        return tuple(
            _scored(scenario, scorer, d, reference) for d in best_from_list(listed, scorer, objective, top, reference)
        )
    if DYNAMIC_PROGRAMMING:
        # ``total`` needs no frontier: one coordinate, ``top`` candidates a row, however many parties.
        short = skyline(problem, scorer, max(top, 1), deadline, total_only=objective == "total")
        if short is not None:
            reference = scorer.reference(() if objective == "total" else frontier_from_list(short, scorer))
            return tuple(
                _scored(scenario, scorer, d, reference)
                for d in best_from_list(short, scorer, objective, top, reference)
            )
    if objective == "total" and top == 1:  # no need for the whole frontier (see best_total_by_search)
        deal = best_total_by_search(search, scorer)
        reference = scorer.reference(())
        return () if deal is None else (_scored(scenario, scorer, deal, reference),)
    frontier, _ = frontier_by_search(search, scorer)
    reference = scorer.reference(frontier)
    found = best_by_search(search, scorer, objective, top, frontier, reference)
    return tuple(_scored(scenario, scorer, d, reference) for d in found)


def _zone(
    term: Term,
    occurs: list[tuple[int, int]],
    given: bool,
    per_value: tuple[tuple[Run, ...], ...] | None,
    complete: bool,
) -> TermZone:
    """``occurs``: sorted disjoint intervals of the codes in some deal (proven); the rest is excluded only when the
    search was ``complete``."""
    domain = term.domain.codes
    ranges = _merge_intervals(occurs)
    gaps = _gaps(ranges, domain.start, domain.stop - 1) if complete else []
    runs = None if per_value is None else tuple(r for r in per_value[term.index] if r[2] > 0)
    if isinstance(term.domain, IntDomain):
        listed = len(domain) <= LISTED_VALUES
        values = [c for lo, hi in ranges for c in range(lo, hi + 1)] if listed else []
        return TermZone(
            term=term.name,
            options=tuple(values),
            excluded=tuple(c for lo, hi in gaps for c in range(lo, hi + 1)) if listed else (),
            given=given,
            deals=None if runs is None or not listed else tuple(_run_count(runs, c) for c in values),
            ranges=tuple(ranges),
            excluded_ranges=tuple(gaps) if complete else None,
            runs=runs,
        )
    inside = [c for lo, hi in ranges for c in range(lo, hi + 1)]
    return TermZone(
        term=term.name,
        options=tuple(term.decode(c) for c in inside),
        excluded=tuple(term.decode(c) for lo, hi in gaps for c in range(lo, hi + 1)),
        given=given,
        deals=None if runs is None else tuple(_run_count(runs, c) for c in inside),
    )


def _merge_intervals(intervals: Sequence[tuple[int, int]]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for lo, hi in sorted(intervals):
        if out and lo <= out[-1][1] + 1:
            out[-1] = (out[-1][0], max(hi, out[-1][1]))
        else:
            out.append((lo, hi))
    return out


def _gaps(ranges: Sequence[tuple[int, int]], lo: int, hi: int) -> list[tuple[int, int]]:
    out = []
    at = lo
    for a, b in ranges:
        if a > at:
            out.append((at, a - 1))
        at = b + 1
    if at <= hi:
        out.append((at, hi))
    return out


def _run_count(runs: Sequence[Run], code: int) -> int:
    import bisect

    k = bisect.bisect_right(runs, (code, float("inf"))) - 1
    if k >= 0 and runs[k][0] <= code <= runs[k][1]:
        return runs[k][2]
    return 0


def _count_exactly(problem: Constraints, budget: Budget, say: Progress) -> CountResult:
    from dealcheck.solver import planner

    fixed = {i: c for i, c in enumerate(problem.fixed or ()) if c is not None}
    return planner.count(problem.domains, problem.constraints, fixed, budget=budget, per_value=True, progress=say)


def _list_deals(session: Session, limit: int | None) -> tuple[list[tuple[int, ...]], bool]:
    """Up to ``limit`` deals, and whether that is every deal (the limit or the deadline may stop the listing)."""
    solutions = session.solutions(limit=limit)
    listed = list(solutions)
    return listed, bool(solutions.complete)


def _zone_from_parts(planned: CountResult, problem: Constraints, count: int) -> list[tuple[int, ...]] | None:
    """The ``count`` deals put together from the planner's parts when each was listed (or is free), else ``None``."""
    import itertools

    free = problem.free_domains()
    if free is None:
        return None
    pieces: list[tuple[tuple[int, ...], Sequence[tuple[int, ...]]]] = []
    for part in planned.parts:
        if part.method == "free":
            pieces.append((part.terms, list(itertools.product(*(free[t] for t in part.terms)))))
        elif part.solutions is not None:
            pieces.append((part.terms, part.solutions))
        else:
            return None
    if math.prod(len(listing) for _, listing in pieces) != count:
        return None
    deals = []
    codes = [d.start for d in free]  # terms in no part: none (every term is in a part or free), kept for safety
    for combination in itertools.product(*(listing for _, listing in pieces)):
        for (terms, _), values in zip(pieces, combination, strict=True):
            for t, c in zip(terms, values, strict=True):
                codes[t] = c
        deals.append(tuple(codes))
    return sorted(deals)


def _list_small_zone(problem: Constraints, count: int, deadline: Deadline) -> list[tuple[int, ...]] | None:
    """Every one of the ``count`` deals, or ``None`` when listing them is not quick (then the solver answers)."""
    free = problem.free_domains()
    if free is None or max((len(d) for d in free), default=0) > LISTED_VALUES:
        return None
    remaining = deadline.remaining()
    budget = SMALL_ZONE_SECONDS if remaining is None else min(SMALL_ZONE_SECONDS, remaining)
    solutions = open_session("constraint", problem, Deadline(budget)).solutions(limit=count + 1)
    listed = list(solutions)
    return sorted(listed) if solutions.complete and len(listed) == count else None


def _tally(listed: Sequence[tuple[int, ...]], problem: Constraints) -> tuple[tuple[Run, ...], ...]:
    """Per term, runs ``(lo, hi, n)`` over its whole domain (zero runs between the values the deals take)."""
    out = []
    for i, d in enumerate(problem.domains):
        runs: list[Run] = []
        at = d.start
        for code, n in sorted(Counter(deal[i] for deal in listed).items()):
            if code > at:
                runs.append((at, code - 1, 0))
            runs.append((code, code, n))
            at = code + 1
        if at < d.stop:
            runs.append((at, d.stop - 1, 0))
        out.append(tuple(runs))
    return tuple(out)


def _options_by_search(
    search: Search, problem: Constraints, codes: Sequence[int | None], say: Progress, only: set[int] | None = None
) -> tuple[list[set[int]], bool]:
    """Per term (of ``only``, default all), the codes some deal takes: one solver question per code not yet seen in
    a deal found before."""
    occurs: list[set[int]] = [set() for _ in problem.domains]
    complete = True

    def seen(deal: tuple[int, ...]) -> None:
        for i, c in enumerate(deal):
            occurs[i].add(c)

    try:
        for i, domain in enumerate(problem.domains):
            if codes[i] is not None or (only is not None and i not in only):
                continue
            if len(domain) > LISTED_VALUES:  # one question per value would never end: leave the term incomplete
                complete = False
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
            for i, given in enumerate(codes):
                if given is not None:
                    occurs[i].add(given)
    except LimitReached:
        return occurs, False
    return occurs, complete


def _scored(scenario: Scenario, scorer: Scorer, deal: tuple[int, ...], reference: Reference | None) -> ScoredDeal:
    scores = scorer.scores(deal)
    return ScoredDeal(scenario.decode(deal), scores, None if reference is None else scorer.value(scores, reference))
