"""The nearest deals to a proposal: the fewest (weighted) term changes that make a package acceptable to every party.

In: a :class:`~dealcheck.model.Scenario` and a package (full or partial), terms to keep, how many suggestions.
Out: a :class:`RepairReport`: the proposal's broken red lines, then suggestions, nearest first.

Definitions:

- the *distance* of a deal from the proposal is the sum of ``change_cost`` (default 1) over the terms the proposal
  sets and the deal changes; an integer term with ``change_cost: {per_unit: N}`` costs N per unit of change
  instead. Terms the proposal leaves open cost nothing: they are *filled in*, not changed;
- ``keep`` terms are held at the proposal's value (they must be set in it);
- suggestions differ in the proposal's terms: two deals that differ only in how open terms are filled in are one
  suggestion, shown with the filling that gives the parties the highest total score (sum of met demand weight over
  total weight, exact), and among those the lexicographically smallest;
- order: nearest first; at equal distance the suggestion whose best filling has the higher total score first (the
  repair that leaves the parties better off); then the smallest codes of that deal in term order (options in listed
  order, ``false`` before ``true``, integers ascending);
- per party, the demands a suggestion *gains* (met by the deal, not by the proposal) and *loses* (met by the
  proposal, not by the deal). A partial proposal is taken at its *best completion*: its open terms filled in for the
  highest total score, red lines aside (``baseline``), so a change is never credited with demands that only filling
  in an open term meets (gains counted against unset terms credited the peacekeepers' removal with Russia's energy
  truce);
- fewer than ``top`` suggestions: a note says why (every other deal agrees with one shown on the proposal's terms,
  or no deal exists).

Method: minimise the distance (an integer expression) over the deals, then take the deal with the best total score at
that distance, exactly, from the Pareto frontier of the deals at that distance
(:mod:`dealcheck.analysis.objectives`: the parties' scores are never scaled to a common denominator), with the
lexicographically smallest codes among equals, exclude every deal with the same values on the proposal's terms, repeat
(:mod:`dealcheck.analysis.search`). Exact with every backend; a time limit stops it with the suggestions proven so
far (exit 4).

Where the structure is narrow, dynamic programming answers first (:mod:`dealcheck.analysis.skyline`, no solver).
Otherwise, on CP-SAT, the distance and the total score are one objective with exact integer weights when they fit
(``distance * (R + 1) + unmet demand weight``, the weights in units of the least common multiple of the parties'
totals, ``R`` the largest unmet weight), and the smallest codes among its optima come from
:func:`dealcheck.solver.lexopt.lexmin_minimising` (terms every optimum shares fixed by presolve, the rest in
independent components): at 512 tight terms 16 s -> 0.6 s, the same deals.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import attrs

from dealcheck.analysis.objectives import Scorer, best_total_by_search, party_unit
from dealcheck.analysis.search import LimitReached, Search, differs, weighted_count
from dealcheck.errors import UsageError
from dealcheck.interrupt import stopped_by
from dealcheck.model import Package, Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK, Report
from dealcheck.rules.evaluator import evaluate, evaluate_int
from dealcheck.rules.ir import Abs, Arith, ArithOp, BoolExpr, CmpOp, Compare, Const, IntExpr, Not, Var
from dealcheck.rules.terms import Term, Value
from dealcheck.solver.base import BACKENDS, Constraints, Deadline, SolveResult, SolveStatus, get_backend

#: Whether repair tries dynamic programming (:mod:`dealcheck.analysis.skyline`) before the solver search (the
#: tests turn it off to hold both to the same answers).
DYNAMIC_PROGRAMMING = True
#: A changeable term with more values than this leaves repair to the solver (its distances would be tabulated).
MAX_COST_VALUES = 4096
#: Whether repair on CP-SAT asks for the fewest changes and the best total among them as one exactly weighted
#: objective (:func:`_by_one_objective`); the tests turn it off to hold it to the search's answers.
ONE_OBJECTIVE = True

__all__ = ["Change", "PartyChange", "RepairReport", "Suggestion", "repair"]


@attrs.frozen
class Change:
    """``term: old -> new``; ``old`` is ``None`` for an open term filled in. ``cost`` is what the change counts."""

    term: str
    old: Value | None
    new: Value
    cost: int = 0


@attrs.frozen
class PartyChange:
    """What a suggestion does for one party, against the proposal.

    ``met_before`` counts demands surely met by the proposal; ``met_after`` those the suggested deal meets.
    ``kept`` lists the party's red lines the proposal broke and the deal keeps.
    """

    party: str
    name: str
    gained: tuple[str, ...]
    lost: tuple[str, ...]
    met_before: int
    met_after: int
    total: int
    kept: tuple[str, ...] = ()


@attrs.frozen(hash=False)
class Suggestion:
    distance: int
    changes: tuple[Change, ...]
    filled: tuple[Change, ...]
    values: Mapping[str, Value]
    parties: tuple[PartyChange, ...]


@attrs.frozen(hash=False)
class RepairReport(Report):
    """The proposal, what it breaks, and the nearest deals (``complete`` unless a time limit stopped the search)."""

    scenario: str
    path: str
    variant: str | None
    backend: str
    package: str | None
    values: Mapping[str, Value]
    full: bool
    broken: tuple[str, ...]
    keep: tuple[str, ...]
    top: int
    suggestions: tuple[Suggestion, ...]
    complete: bool = True
    notes: tuple[str, ...] = ()
    #: The proposal's best completion (partial proposals only): the package gains and losses are counted against.
    baseline: Mapping[str, Value] | None = None

    @property
    def deal(self) -> bool:
        """The proposal is a deal as it stands (full), or can become one by filling in open terms (partial)."""
        return bool(self.suggestions) and self.suggestions[0].distance == 0 and not self.suggestions[0].changes

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.complete else EXIT_LIMIT


def repair(
    scenario: Scenario,
    package: Package | Mapping[str, Value],
    *,
    keep: Iterable[str] = (),
    top: int = 3,
    backend: str = "cpsat",
    engine: str | None = None,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> RepairReport:
    """The ``top`` nearest deals to ``package``, holding the ``keep`` terms fixed.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms:
    ...   ceasefire: {options: [none, energy, full], ordered: true}
    ...   nato: [outside, member]
    ... parties:
    ...   ukraine:
    ...     demands:
    ...       full: {rule: ceasefire == "full", assumption: toy}
    ...   russia:
    ...     red_lines:
    ...       no_full: {rule: ceasefire != "full", assumption: toy}
    ...       no_nato: {rule: nato == "outside", assumption: toy}
    ... ''')
    >>> r = repair(s, {"ceasefire": "full", "nato": "outside"}, top=2)
    >>> r.broken, [(x.distance, [(c.term, c.old, c.new) for c in x.changes]) for x in r.suggestions]
    (('russia.no_full',), [(1, [('ceasefire', 'full', 'none')]), (1, [('ceasefire', 'full', 'energy')])])
    >>> [(p.party, p.lost) for p in r.suggestions[0].parties]
    [('ukraine', ('full',)), ('russia', ())]
    >>> repair(s, {"nato": "member"}, keep=["nato"]).suggestions
    ()
    """
    if engine is not None:  # the keyword's former name
        backend = engine
    if backend not in BACKENDS:
        get_backend(backend)  # raises the UsageError naming the backends
    if top < 0:
        raise UsageError("--top must be 0 or more")
    say = progress or (lambda _: None)
    package_id = package.id if isinstance(package, Package) else None
    values = dict(package.values if isinstance(package, Package) else package)
    codes = scenario.encode(values)
    kept = list(dict.fromkeys(keep))
    fixed: list[int | None] = [None] * len(scenario.terms)
    for name in kept:
        term = scenario.term(name)
        if codes[term.index] is None:
            raise UsageError(
                f"--keep {name}: the package leaves {name} open, so there is no value to keep",
                f"give it one with --set {name}=VALUE, or drop --keep {name}",
            )
        fixed[term.index] = codes[term.index]
    bounds = tuple((t.domain.codes.start, t.domain.codes.stop - 1) for t in scenario.terms)
    broken = tuple(r.ref for r in scenario.red_lines() if evaluate(r.expr, codes, bounds) is False)
    problem = Constraints.from_scenario(scenario, fixed=fixed)
    changeable = [
        (t, c) for t, c in zip(scenario.terms, codes, strict=True) if c is not None and fixed[t.index] is None
    ]
    distance = weighted_count(
        [(t.change_cost, Compare(CmpOp.NE, Var(t.index), Const(c))) for t, c in changeable if not t.change_per_unit]
    )
    for t, c in changeable:
        if t.change_per_unit:  # change_cost per unit of difference: N * |x - old|
            step = Abs(Arith(ArithOp.SUB, Var(t.index), Const(c)))
            distance = Arith(ArithOp.ADD, distance, Arith(ArithOp.MUL, Const(t.change_cost), step))
    nearness = Arith(ArithOp.SUB, Const(0), distance)  # the search maximises
    scorer = Scorer(scenario.parties)
    search = Search(backend, problem, Deadline(time_limit))
    suggestions: list[Suggestion] = []
    excluded: list[BoolExpr] = []
    shown: list[tuple[int, ...]] = []  # the suggestions' deals
    # What _by_one_objective keeps from one suggestion to the next (no model copies for one suggestion).
    memo: dict[str, Any] = {"copies": top > 1}
    complete = True
    notes: list[str] = []
    baseline = None
    short = None
    if backend == "cpsat" and DYNAMIC_PROGRAMMING:
        say("suggestions by dynamic programming")
        short = _by_dynamic_programming(scenario, problem, scorer, codes, changeable, top, search.deadline)
    if short is not None:
        baseline, picked = short
        suggestions = [
            _suggestion(scenario, codes, bounds, deal, dist, broken, baseline, scorer) for deal, dist in picked
        ]
        if suggestions and len(suggestions) < top:
            notes.append(
                f"only {len(suggestions)} of {top} suggestions: every other deal sets the proposal's terms as "
                "one of these does (suggestions differ in the proposal's own terms; open terms are filled in)"
            )
    try:
        if short is None and not all(c is not None for c in codes):
            # The proposal's own best completion, red lines aside: what the parties' gains and losses are against.
            free = Search(backend, Constraints(problem.domains, (), tuple(codes)), search.deadline)
            baseline = best_total_by_search(free, scorer, ())
        while short is None and len(suggestions) < top:
            say(f"suggestion {len(suggestions) + 1} of {top}")
            found = None
            if backend == "cpsat" and ONE_OBJECTIVE:
                found = _by_one_objective(problem, excluded, scorer, changeable, search.deadline, shown, memo)
            deal: tuple[int, ...] | None
            if found is not None:
                deal = found.solution
                gap = None if deal is None else _distance(changeable, deal)
            else:
                best = search.maximum(nearness, *excluded)
                # The best total at that distance: a frontier point (exact, never a scaled sum of the parties' scores).
                at = None if best is None else Compare(CmpOp.EQ, distance, Const(-best))
                deal = None if at is None else best_total_by_search(search, scorer, (at, *excluded))
                assert best is None or deal is not None, "the backend found the distance but no deal at it"
                gap = None if best is None else -best
            if deal is None:
                if suggestions:
                    notes.append(
                        f"only {len(suggestions)} of {top} suggestions: every other deal sets the proposal's terms as "
                        "one of these does (suggestions differ in the proposal's own terms; open terms are filled in)"
                    )
                break
            assert gap is not None
            shown.append(deal)
            suggestions.append(_suggestion(scenario, codes, bounds, deal, gap, broken, baseline, scorer))
            if len(suggestions) < top:
                excluded.append(differs(tuple(d if c is not None else None for d, c in zip(deal, codes, strict=True))))
    except LimitReached:
        complete = False
        notes.append(f"{stopped_by()} stopped the search after {len(suggestions)} of {top} suggestions")
    return RepairReport(
        scenario=scenario.title,
        path=scenario.path,
        variant=scenario.variant_name,
        backend=backend,
        package=package_id,
        values=scenario.decode(codes),
        full=all(c is not None for c in codes),
        broken=broken,
        keep=tuple(kept),
        top=top,
        suggestions=tuple(suggestions),
        complete=complete,
        notes=tuple(notes),
        baseline=None if baseline is None else scenario.decode(baseline),
    )


def _by_one_objective(
    problem: Constraints,
    excluded: list[BoolExpr],
    scorer: Scorer,
    changeable: list[tuple[Term, int]],
    deadline: Deadline,
    shown: list[tuple[int, ...]],
    memo: dict[str, Any] | None = None,
) -> SolveResult | None:
    """The nearest deal (fewest changes, then the best total score, then the smallest codes) by CP-SAT with the
    first two as one exactly weighted objective (:func:`dealcheck.solver.lexopt.lexmin_minimising`): ``distance *
    (R + 1) + the demand weight left unmet``, in units of the least common multiple ``L`` of the parties' totals,
    where ``R`` bounds the unmet part; a party's score is ``met / T``, so the total score is the met part over ``L``
    exactly. ``SAT`` with the deal, or ``UNSAT``: no deal; ``None`` when the weights make the objective too wide
    for CP-SAT's exact range (then the search asks distance and total one after the other). ``excluded``: the earlier
    suggestions (``shown``, their deals) on the proposal's terms. While they all share the first one's objective,
    the optimum over ``problem``, the next is the first optimum after the last in term order, which the lexmin
    finds without the exclusions tying every term together (``after`` in
    :func:`~dealcheck.solver.lexopt.lexmin_minimising`; 512 tight terms, top 3: 2.2 -> 0.4 s). Raises
    :class:`~dealcheck.analysis.search.LimitReached` at the deadline. ``memo``: kept by the caller from one
    suggestion to the next (the objective's parts, the deals' objective values, the model built once)."""
    from dealcheck.solver.lexopt import lexmin_minimising

    memo = {} if memo is None else memo
    if "parts" not in memo:
        memo["parts"] = _objective(scorer, changeable)
    if memo["parts"] is None:
        return None
    radix, changes, unmet, span = memo["parts"]
    if deadline.expired():
        raise LimitReached
    parts = memo.setdefault("all parts", [*changes, *unmet])
    levels = memo.setdefault("levels", [])
    for deal in shown[len(levels) :]:  # each deal's objective value, once (the changes from its distance)
        levels.append(radix * _distance(changeable, deal) + sum(evaluate_int(p, deal) or 0 for p in unmet))
    # ``after`` asks for a minimiser over ``problem``: the first suggestion is one, the last one if it ties.
    after = shown[-1] if shown and levels[0] == levels[-1] else None
    reuse = memo.setdefault("model", {}) if memo.get("copies", True) else None
    found = lexmin_minimising(problem, parts, deadline, span=span, after=after, excluding=excluded, reuse=reuse)
    if found is None:
        return None
    if found.status is SolveStatus.UNKNOWN:
        raise LimitReached
    return found


def _objective(
    scorer: Scorer, changeable: list[tuple[Term, int]]
) -> tuple[int, list[IntExpr], list[IntExpr], tuple[int, int]] | None:
    """:func:`_by_one_objective`'s objective: ``(R + 1, the changes' parts, the unmet demands' parts, its span)``,
    or ``None`` when a weight is negative."""
    common = math.lcm(*(scorer.totals[i] for i in scorer.weighted))
    unmet = []
    for i in scorer.weighted:
        for w, d in zip(scorer.weights[i], scorer.parties[i].demands, strict=True):
            coefficient = w * (common // scorer.totals[i])
            if coefficient < 0:
                return None
            if coefficient:
                unmet.append(weighted_count([(coefficient, Not(d.expr))]))
    radix = sum(w * (common // scorer.totals[i]) for i in scorer.weighted for w in scorer.weights[i]) + 1
    changes: list[IntExpr] = []
    farthest = 0  # the largest distance
    for t, c in changeable:
        lo, hi = t.domain.codes.start, t.domain.codes.stop - 1
        farthest += t.change_cost * max(c - lo, hi - c) if t.change_per_unit else t.change_cost * (lo < hi)
        if t.change_per_unit:  # change_cost per unit of difference: N * |x - old|
            changes.append(
                Arith(ArithOp.MUL, Const(radix * t.change_cost), Abs(Arith(ArithOp.SUB, Var(t.index), Const(c))))
            )
        elif t.change_cost:
            changes.append(weighted_count([(radix * t.change_cost, Compare(CmpOp.NE, Var(t.index), Const(c)))]))
    return radix, changes, unmet, (0, farthest * radix + radix - 1)


def _distance(changeable: list[tuple[Term, int]], deal: tuple[int, ...]) -> int:
    """The distance of ``deal`` from the proposal (what the ``distance`` expression evaluates to, summed directly)."""
    return sum(
        t.change_cost * abs(deal[t.index] - c) if t.change_per_unit else t.change_cost * (deal[t.index] != c)
        for t, c in changeable
    )


def _by_dynamic_programming(
    scenario: Scenario,
    problem: Constraints,
    scorer: Scorer,
    codes: tuple[int | None, ...],
    changeable: list[tuple[Term, int]],
    top: int,
    deadline: Deadline,
) -> tuple[tuple[int, ...] | None, list[tuple[tuple[int, ...], int]]] | None:
    """The baseline (a partial proposal's best completion) and the ``top`` suggestions as ``(deal, distance)``,
    by dynamic programming (:func:`~dealcheck.analysis.skyline.skyline`, no solver); ``None`` when the structure
    is too wide for it (then the search answers)."""
    from dealcheck.analysis.objectives import best_from_list
    from dealcheck.analysis.skyline import skyline

    baseline = None
    if not all(c is not None for c in codes):
        completions = skyline(Constraints(problem.domains, (), tuple(codes)), scorer, 1, deadline, total_only=True)
        if completions is None:
            return None
        found = best_from_list(completions, scorer, "total", 1, scorer.reference(()))
        baseline = found[0] if found else None
    costs = {
        t.index: {
            v: (t.change_cost * abs(v - c) if t.change_per_unit else t.change_cost * (v != c)) for v in t.domain.codes
        }
        for t, c in changeable
        if len(t.domain.codes) <= MAX_COST_VALUES
    }
    if len(costs) < len(changeable):
        return None
    grouped = tuple(i for i, c in enumerate(codes) if c is not None)
    short = skyline(problem, scorer, max(top, 1), deadline, costs=costs, grouped=grouped, total_only=True)
    if short is None:
        return None

    def distance(deal: tuple[int, ...]) -> int:
        return sum(cost[deal[t]] for t, cost in costs.items())

    # Each suggestion (the deal's codes on the proposal's terms) is shown with its best deal: nearest, then the
    # best total score, then the smallest codes.
    ranked = sorted(short, key=lambda d: (distance(d), -scorer.total(scorer.vector(d)), d))
    picked: dict[tuple[int, ...], tuple[int, ...]] = {}
    for deal in ranked:
        picked.setdefault(tuple(deal[i] for i in grouped), deal)
    return baseline, [(d, distance(d)) for d in list(picked.values())[:top]]


def _suggestion(
    scenario: Scenario,
    codes: tuple[int | None, ...],
    bounds: tuple[tuple[int, int], ...],
    deal: tuple[int, ...],
    distance: int,
    broken: tuple[str, ...],
    baseline: tuple[int, ...] | None = None,
    scorer: Scorer | None = None,
) -> Suggestion:
    changes, filled = [], []
    for t, old, new in zip(scenario.terms, codes, deal, strict=True):
        if old is None:
            filled.append(Change(t.name, None, t.decode(new)))
        elif old != new:
            cost = t.change_cost * abs(new - old) if t.change_per_unit else t.change_cost
            changes.append(Change(t.name, t.decode(old), t.decode(new), cost))
    parties = []
    # Against the proposal's best completion when it is partial (see the module docstring), else the proposal.
    reference = codes if baseline is None else baseline
    # The scorer's compiled demand checks on full packages (the tree evaluator took ~10 ms at 512 terms).
    full_reference = None if scorer is None or None in reference else scorer.scores(reference)  # type: ignore[arg-type]
    met = None if scorer is None else scorer.scores(deal)
    for k, p in enumerate(scenario.parties):
        if full_reference is not None:
            before = set(full_reference[k].met_demands)
        else:
            before = {d.id for d in p.demands if evaluate(d.expr, reference, bounds) is True}
        after = (
            set(met[k].met_demands) if met is not None else {d.id for d in p.demands if evaluate(d.expr, deal) is True}
        )
        parties.append(
            PartyChange(
                party=p.id,
                name=p.name,
                gained=tuple(d.id for d in p.demands if d.id in after and d.id not in before),
                lost=tuple(d.id for d in p.demands if d.id in before and d.id not in after),
                met_before=int(sum(d.weight for d in p.demands if d.id in before) * party_unit(p)),
                met_after=int(sum(d.weight for d in p.demands if d.id in after) * party_unit(p)),
                total=int(p.total_weight * party_unit(p)),
                kept=tuple(r.id for r in p.red_lines if r.ref in broken),
            )
        )
    return Suggestion(distance, tuple(changes), tuple(filled), scenario.decode(deal), tuple(parties))
