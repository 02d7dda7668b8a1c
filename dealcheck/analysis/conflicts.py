"""Why there is no deal: minimal conflicts among red lines, the fewest concessions that open a deal, and which
parties' red lines can hold together.

In: a :class:`~dealcheck.model.Scenario`, optionally narrowed to a coalition of parties and to the completions of a
partial package (its values are taken as given). Out: a :class:`ConflictReport`.

The questions, all about the **red lines** of the chosen parties (demands are soft and never cause a deadlock):

- **compatibility**: can each party's red lines hold on their own, each pair's together, and everyone's at once;
- **conflicts**: minimal sets of red lines that cannot hold together while every smaller part of them can (minimal
  unsatisfiable subsets, MUS), up to a limit, and the red lines that occur in *every* conflict;
- **concessions**: the cheapest sets of red lines whose removal opens a deal (minimum-cost minimal correction sets),
  where a red line's cost is its ``concession_cost`` (1 unless the scenario says otherwise), up to a limit.

How: the red lines are soft constraints of an :class:`~dealcheck.solver.explain.Explainer` over a session of the
chosen backend (CP-SAT unless ``backend`` says otherwise) on the package's completions. "Can these red lines hold
together?" is one solve under the assumption of their soft constraints; an infeasible one returns a core, only ever a
starting point. Conflicts are minimal unsatisfiable subsets (cores shrunk by deletion, or by QuickXplain), enumerated
MARCO-style; concessions are minimum-cost minimal correction sets. :mod:`dealcheck.solver.explain` says how, and
how each answer is verified before it is shown: a conflict is shown only after a fresh session holding just its red
lines is proven infeasible and, for each member, a solution keeping all the others has been checked by the compiled
rules; a concession comes with a deal that breaks only the dropped red lines, and after a solve proves that putting
back any one of them closes every deal again (it is minimal).

Determinism: every backend is deterministic (CP-SAT: one worker and a fixed seed); conflicts and concessions are listed smallest first, then
in the scenario's order of red lines. A ``limit`` applies to conflicts and to concessions separately; the search
always runs until it finds one more than the limit or proves there is none, so "exactly N" and "at least N+1" are
never confused. A time limit bounds the whole analysis; what it stops is reported as incomplete (exit code 4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence

import attrs

from dealcheck.errors import UsageError
from dealcheck.model import Package, Rule, Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK, Report
from dealcheck.rules.ir import BoolExpr
from dealcheck.rules.terms import Value
from dealcheck.solver.base import Constraints, Deadline, SolveStatus
from dealcheck.solver.explain import Explainer, Interrupted, OutOfTime, SolverDisagreement, ordered
from dealcheck.solver.session import open_session

__all__ = [
    "DEFAULT_LIMIT",
    "Compatibility",
    "Concession",
    "Conflict",
    "ConflictReport",
    "ConflictRule",
    "SolverDisagreement",
    "cheapest_concession",
    "conflict_sets",
    "correction_sets",
    "fewest_concessions",
    "find_conflicts",
    "minimal_conflict",
]

#: How many conflicts (and, separately, concessions) are listed unless the caller asks for another number.
DEFAULT_LIMIT = 10

# --- reports ------------------------------------------------------------------------------------------------


@attrs.frozen
class ConflictRule:
    """A red line as a conflict report shows it: whose, what it says, and where it comes from."""

    party: str
    party_name: str
    id: str
    text: str
    concession_cost: int = 1
    description: str | None = None
    quote: str | None = None
    source: str | None = None
    assumption: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.party}.{self.id}"

    @classmethod
    def of(cls, rule: Rule, party_name: str) -> ConflictRule:
        return cls(
            party=rule.party,
            party_name=party_name,
            id=rule.id,
            text=rule.text,
            concession_cost=rule.concession_cost,
            description=rule.description,
            quote=rule.quote,
            source=rule.source,
            assumption=rule.assumption,
        )


def _parties_of(rules: Iterable[ConflictRule]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(r.party for r in rules))


@attrs.frozen
class Conflict:
    """Red lines that cannot all hold at once, although any smaller part of them can (a minimal conflict)."""

    rules: tuple[ConflictRule, ...]

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(r.ref for r in self.rules)

    @property
    def parties(self) -> tuple[str, ...]:
        """The parties involved, in the order their red lines appear."""
        return _parties_of(self.rules)


@attrs.frozen(hash=False)
class Concession:
    """Red lines whose removal opens a deal, none of them needlessly; ``deal`` is one deal once they are dropped."""

    rules: tuple[ConflictRule, ...]
    cost: int
    deal: Mapping[str, Value]

    @property
    def refs(self) -> tuple[str, ...]:
        return tuple(r.ref for r in self.rules)

    @property
    def parties(self) -> tuple[str, ...]:
        return _parties_of(self.rules)


@attrs.frozen
class Compatibility:
    """Whether the red lines of ``parties`` (one party, or two) can hold together; ``None`` when time ran out."""

    parties: tuple[str, ...]
    compatible: bool | None


@attrs.frozen(hash=False)
class ConflictReport(Report):
    """The answer of ``dealcheck conflicts``: compatibility, minimal conflicts, fewest concessions.

    ``deal_exists`` says whether the chosen parties' red lines can all hold (within the package's completions, when
    a package was given); ``example`` is then one such deal. ``conflicts`` and ``concessions`` are empty when a
    deal exists. ``*_complete`` is false when a limit stopped a list: there are more than shown (the count
    limit), or maybe more (the time limit, ``timed_out``). ``in_every_conflict`` is exact even when the conflicts
    list is cut short (it is found separately); ``None`` when the time limit stopped it.
    """

    scenario: str
    path: str
    variant: str | None
    parties: tuple[str, ...]
    party_names: Mapping[str, str]
    package: str | None
    given: Mapping[str, Value]
    red_lines: int
    deal_exists: bool | None
    example: Mapping[str, Value] | None
    compatibility: tuple[Compatibility, ...]
    conflicts: tuple[Conflict, ...]
    conflicts_complete: bool
    in_every_conflict: tuple[ConflictRule, ...] | None
    concessions: tuple[Concession, ...]
    concessions_complete: bool
    limit: int | None
    timed_out: bool = False
    #: The count limit cut the list short: at least one more conflict (concession) exists beyond those shown.
    more_conflicts: bool = False
    more_concessions: bool = False

    @property
    def concession_cost(self) -> int | None:
        """The smallest total cost that opens a deal (0 when one exists; ``None`` when unknown)."""
        if self.deal_exists:
            return 0
        return self.concessions[0].cost if self.concessions else None

    def compatible(self, a: str, b: str | None = None) -> bool | None:
        """Whether the red lines of party ``a`` (and ``b``) can hold together, as the matrix says."""
        key = (a,) if b is None or a == b else tuple(p for p in self.parties if p in (a, b))
        for c in self.compatibility:
            if c.parties == key:
                return c.compatible
        raise UsageError(f"no compatibility entry for {' and '.join(key)}", "only parties with red lines have one")

    @property
    def exit_code(self) -> int:
        complete = self.conflicts_complete and self.concessions_complete and not self.timed_out
        return EXIT_OK if complete else EXIT_LIMIT


# --- the explainer -------------------------------------------------------------------------------------------


def _explainer(
    domains: Sequence[range],
    exprs: Sequence[BoolExpr],
    fixed: Sequence[int | None] | None,
    deadline: Deadline,
    backend: str,
) -> Explainer:
    """The red lines ``exprs`` as soft constraints over a session on the completions of ``fixed``."""
    session = open_session(backend, Constraints(tuple(domains), (), None if fixed is None else tuple(fixed)), deadline)
    return Explainer(session, exprs)


def _concessions(
    sel: Explainer, costs: Sequence[int], limit: int | None, *, look_further: bool = True
) -> tuple[list[tuple[tuple[int, ...], tuple[int, ...]]], bool]:
    if any(c < 1 for c in costs):
        raise ValueError("every concession cost must be at least 1")
    found, complete = sel.cheapest_corrections(costs, limit, look_further=look_further)
    return [(dropped, _first_deal(sel, dropped, deal)) for dropped, deal in found], complete


def _first_deal(sel: Explainer, dropped: tuple[int, ...], found: tuple[int, ...]) -> tuple[int, ...]:
    """The deal shown with a concession: the first in option order once ``dropped`` are dropped, so every backend
    shows the same one (each finds *some* deal on its own). The one found stands if the deadline comes first."""
    kept = [sel.exprs[i] for i in range(sel.size) if i not in dropped]
    first = sel.session.lexmin(kept)
    return first.solution if first.status is SolveStatus.SAT and first.solution is not None else found


# --- on indices: what tests and benchmarks call -------------------------------------------------------------


def conflict_sets(
    domains: Sequence[range],
    exprs: Sequence[BoolExpr],
    fixed: Sequence[int | None] | None = None,
    *,
    limit: int | None = None,
    time_limit: float | None = None,
    method: str = "deletion",
    backend: str = "cpsat",
) -> tuple[list[tuple[int, ...]], bool]:
    """Verified minimal conflicts among ``exprs`` (as index tuples, smallest first) and whether that is all of them.

    ``method`` shrinks cores by ``"deletion"`` (default) or ``"quickxplain"``.

    >>> from dealcheck.rules.ir import CmpOp, Compare, Const, Var
    >>> lt1, gt1, eq1 = (Compare(op, Var(0), Const(1)) for op in (CmpOp.LT, CmpOp.GT, CmpOp.EQ))
    >>> conflict_sets([range(3)], [lt1, gt1, eq1])
    ([(0, 1), (0, 2), (1, 2)], True)
    >>> conflict_sets([range(3)], [lt1, gt1, eq1], limit=1)[1]
    False
    """
    sel = _explainer(domains, exprs, fixed, Deadline(time_limit), backend)
    try:
        feasible, _ = sel.check(range(sel.size))
        if feasible:
            return [], True
        return sel.muses(limit, method=method)
    except Interrupted as stopped:
        return ordered(stopped.found), False
    except OutOfTime:
        return [], False


def correction_sets(
    domains: Sequence[range],
    exprs: Sequence[BoolExpr],
    costs: Sequence[int] | None = None,
    fixed: Sequence[int | None] | None = None,
    *,
    limit: int | None = None,
    time_limit: float | None = None,
    backend: str = "cpsat",
) -> tuple[list[tuple[tuple[int, ...], tuple[int, ...]]], bool]:
    """Every minimum-cost set of ``exprs`` to drop for a solution to exist (with one such solution each), up to
    ``limit``, and whether that is all of them. ``costs`` default to 1 each.

    >>> from dealcheck.rules.ir import CmpOp, Compare, Const, Var
    >>> lt1, gt1, eq1 = (Compare(op, Var(0), Const(1)) for op in (CmpOp.LT, CmpOp.GT, CmpOp.EQ))
    >>> correction_sets([range(3)], [lt1, gt1, eq1])
    ([((0, 1), (1,)), ((0, 2), (2,)), ((1, 2), (0,))], True)
    >>> correction_sets([range(3)], [lt1, gt1, eq1], costs=[1, 1, 5])
    ([((0, 1), (1,))], True)
    """
    sel = _explainer(domains, exprs, fixed, Deadline(time_limit), backend)
    weights = [1] * sel.size if costs is None else list(costs)
    try:
        found, complete = _concessions(sel, weights, limit)
    except (Interrupted, OutOfTime) as stopped:
        found, complete = (stopped.found if isinstance(stopped, Interrupted) else []), False
    order = {s: sol for s, sol in found}
    return [(s, order[s]) for s in sorted(order, key=lambda s: (sum(weights[i] for i in s), len(s), s))], complete


# --- on scenarios -------------------------------------------------------------------------------------------


@attrs.frozen
class _Scope:
    """The red lines in question, the parties they belong to, and the package values taken as given."""

    rules: tuple[Rule, ...]
    parties: tuple[str, ...]
    names: Mapping[str, str]
    fixed: tuple[int | None, ...]
    given: Mapping[str, Value]
    package: str | None


def _scope(scenario: Scenario, parties: Sequence[str] | None, package: Mapping[str, Value] | Package | None) -> _Scope:
    if parties is None:
        chosen = scenario.parties
    else:
        wanted = list(dict.fromkeys(parties))
        if not wanted:
            raise UsageError("no parties given", "name at least one party, e.g. --parties us,ukraine")
        for p in wanted:
            scenario.party(p)  # raises for an unknown party, with a suggestion
        chosen = tuple(p for p in scenario.parties if p.id in wanted)
    package_id = None
    values: Mapping[str, Value] = {}
    if isinstance(package, Package):
        package_id, values = package.id, package.values
    elif package is not None:
        values = package
    fixed = scenario.encode(values)
    return _Scope(
        rules=tuple(r for p in chosen for r in p.red_lines),
        parties=tuple(p.id for p in chosen),
        names={p.id: p.name for p in chosen},
        fixed=fixed,
        given=scenario.decode(fixed),
        package=package_id,
    )


def _selectors(scenario: Scenario, scope: _Scope, deadline: Deadline, backend: str) -> Explainer:
    return _explainer(
        tuple(t.domain.codes for t in scenario.terms),
        tuple(r.expr for r in scope.rules),
        scope.fixed,
        deadline,
        backend,
    )


def find_conflicts(
    scenario: Scenario,
    *,
    parties: Sequence[str] | None = None,
    package: Mapping[str, Value] | Package | None = None,
    limit: int | None = DEFAULT_LIMIT,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
    backend: str = "cpsat",
) -> ConflictReport:
    """Compatibility of the parties' red lines, their minimal conflicts and the fewest concessions that open a deal.

    ``parties`` narrows the question to a coalition (default: every party); ``package`` takes its values as given
    (the question is then about its completions); ``limit`` caps the conflicts and the concessions listed (each
    separately; ``None`` for all); ``time_limit`` (seconds) bounds the whole analysis; ``progress`` is called
    with a short status now and then (for :class:`dealcheck.progress.Progress`).

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms:
    ...   ceasefire: {options: [none, energy, full], ordered: true}
    ...   peacekeepers: [none, coalition]
    ... parties:
    ...   russia:
    ...     red_lines:
    ...       no_full: {rule: ceasefire != "full", assumption: toy}
    ...       no_troops: {rule: peacekeepers == "none", assumption: toy}
    ...   ukraine:
    ...     red_lines:
    ...       full: {rule: ceasefire == "full", assumption: toy}
    ...   europe:
    ...     red_lines:
    ...       troops: {rule: peacekeepers == "coalition", concession_cost: 3, assumption: toy}
    ... ''')
    >>> r = find_conflicts(s)
    >>> r.deal_exists, [c.refs for c in r.conflicts], r.conflicts_complete
    (False, [('russia.no_full', 'ukraine.full'), ('russia.no_troops', 'europe.troops')], True)
    >>> [(c.refs, c.cost) for c in r.concessions]
    [(('russia.no_full', 'russia.no_troops'), 2), (('russia.no_troops', 'ukraine.full'), 2)]
    >>> r.compatible("russia"), r.compatible("ukraine", "europe"), r.exit_code
    (True, True, 0)
    >>> find_conflicts(s, parties=["russia", "europe"], package={"ceasefire": "none"}).in_every_conflict[0].ref
    'russia.no_troops'
    """
    if limit is not None and limit < 1:
        raise UsageError(f"the limit must be at least 1, not {limit}")
    scope = _scope(scenario, parties, package)
    deadline = Deadline(time_limit)
    sel = _selectors(scenario, scope, deadline, backend)
    if progress is not None:
        sel.progress = progress
    everyone = range(sel.size)
    conflict_rules = tuple(ConflictRule.of(r, scope.names[r.party]) for r in scope.rules)
    rules_of = {p: [i for i, r in enumerate(scope.rules) if r.party == p] for p in scope.parties}
    with_red_lines = [p for p in scope.parties if rules_of[p]]

    timed_out = False
    deal_exists: bool | None = None
    example = None
    compatibility: list[Compatibility] = []
    conflicts: list[tuple[int, ...]] = []
    conflicts_complete = concessions_complete = True
    more_conflicts = more_concessions = False
    in_every: list[int] | None = []
    concessions: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    try:
        feasible, answer = sel.check(everyone)
        deal_exists = feasible
        if feasible:
            example = scenario.decode(answer)
        for k, a in enumerate(with_red_lines):
            for b in with_red_lines[k:]:
                key = (a,) if a == b else (a, b)
                compatibility.append(Compatibility(key, None))
        for n, entry in enumerate(compatibility):
            sel.progress("compatibility of " + " and ".join(entry.parties))
            members = [i for p in entry.parties for i in rules_of[p]]
            compatibility[n] = Compatibility(entry.parties, sel.check(members)[0])
        if not feasible:
            try:
                conflicts, conflicts_complete = sel.muses(limit)
                more_conflicts = not conflicts_complete
            except Interrupted as stopped:
                conflicts, conflicts_complete, timed_out = stopped.found, False, True
            in_every = None
            if conflicts:
                in_every = sel.in_every_mus(conflicts)
            try:
                concessions, concessions_complete = _concessions(sel, [r.concession_cost for r in scope.rules], limit)
                more_concessions = not concessions_complete
            except Interrupted as stopped:
                concessions, concessions_complete, timed_out = stopped.found, False, True
    except OutOfTime:
        timed_out = True
    if timed_out:
        # What the clock stopped is not claimed: unknown entries stay None, unfinished lists incomplete.
        conflicts_complete = conflicts_complete and deal_exists is True
        concessions_complete = concessions_complete and deal_exists is True
        if deal_exists is not True and in_every == []:
            in_every = None
    cost = {s: sum(scope.rules[i].concession_cost for i in s) for s, _ in concessions}
    deal_of = dict(concessions)
    return ConflictReport(
        scenario=scenario.title,
        path=scenario.path,
        variant=scenario.variant_name,
        parties=scope.parties,
        party_names=scope.names,
        package=scope.package,
        given=scope.given,
        red_lines=sel.size,
        deal_exists=deal_exists,
        example=example,
        compatibility=tuple(compatibility),
        conflicts=tuple(Conflict(tuple(conflict_rules[i] for i in s)) for s in ordered(conflicts)),
        conflicts_complete=conflicts_complete,
        in_every_conflict=None if in_every is None else tuple(conflict_rules[i] for i in in_every),
        concessions=tuple(
            Concession(tuple(conflict_rules[i] for i in s), cost[s], scenario.decode(deal_of[s]))
            for s in sorted(cost, key=lambda s: (cost[s], len(s), s))
        ),
        concessions_complete=concessions_complete,
        limit=limit,
        timed_out=timed_out,
        more_conflicts=more_conflicts,
        more_concessions=more_concessions,
    )


def minimal_conflict(
    scenario: Scenario,
    *,
    parties: Sequence[str] | None = None,
    package: Mapping[str, Value] | Package | None = None,
    time_limit: float | None = None,
    backend: str = "cpsat",
) -> Conflict | None:
    """One verified minimal conflict among the red lines, or ``None`` when they can all hold (a deal exists).

    ``UsageError`` when the time limit stops the search (a conflict is never reported unverified).

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {nato: [member, neutral], aid: bool}
    ... parties:
    ...   russia: {red_lines: {no_nato: {rule: nato != "member", assumption: toy}}}
    ...   ukraine: {red_lines: {nato: {rule: nato == "member", assumption: toy}, aid: {rule: aid, assumption: toy}}}
    ... ''')
    >>> minimal_conflict(s).refs
    ('russia.no_nato', 'ukraine.nato')
    >>> minimal_conflict(s, parties=["ukraine"]) is None
    True
    """
    scope = _scope(scenario, parties, package)
    sel = _selectors(scenario, scope, Deadline(time_limit), backend)
    try:
        feasible, answer = sel.check(range(sel.size))
        if feasible:
            return None
        mus = sel.shrink(answer)
        sel.verify_mus(mus)
    except OutOfTime:
        raise UsageError("the time limit stopped the search for a conflict", "give a longer --time-limit") from None
    return Conflict(tuple(ConflictRule.of(scope.rules[i], scope.names[scope.rules[i].party]) for i in mus))


def fewest_concessions(
    scenario: Scenario,
    *,
    parties: Sequence[str] | None = None,
    package: Mapping[str, Value] | Package | None = None,
    limit: int | None = DEFAULT_LIMIT,
    time_limit: float | None = None,
    backend: str = "cpsat",
) -> tuple[tuple[Concession, ...], bool]:
    """The cheapest sets of red lines to drop for a deal (verified, up to ``limit``), and whether that is all.

    An empty concession (cost 0) means a deal exists as things stand.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {nato: [member, neutral]}
    ... parties:
    ...   russia: {red_lines: {no_nato: {rule: nato != "member", concession_cost: 2, assumption: toy}}}
    ...   ukraine: {red_lines: {nato: {rule: nato == "member", assumption: toy}}}
    ... ''')
    >>> found, complete = fewest_concessions(s)
    >>> [(c.refs, c.cost, dict(c.deal)) for c in found], complete
    ([(('ukraine.nato',), 1, {'nato': 'neutral'})], True)
    """
    if limit is not None and limit < 1:
        raise UsageError(f"the limit must be at least 1, not {limit}")
    scope = _scope(scenario, parties, package)
    sel = _selectors(scenario, scope, Deadline(time_limit), backend)
    costs = [r.concession_cost for r in scope.rules]
    try:
        found, complete = _concessions(sel, costs, limit)
    except Interrupted as stopped:
        found, complete = stopped.found, False
    except OutOfTime:
        found, complete = [], False
    rules = [ConflictRule.of(r, scope.names[r.party]) for r in scope.rules]
    found = sorted(found, key=lambda f: (sum(costs[i] for i in f[0]), len(f[0]), f[0]))
    return tuple(
        Concession(tuple(rules[i] for i in s), sum(costs[i] for i in s), scenario.decode(deal)) for s, deal in found
    ), complete


def cheapest_concession(
    scenario: Scenario,
    *,
    parties: Sequence[str] | None = None,
    package: Mapping[str, Value] | Package | None = None,
    time_limit: float | None = None,
    backend: str = "cpsat",
) -> Concession:
    """One verified cheapest set of red lines to drop for a deal (empty, cost 0, when a deal exists already).

    Unlike :func:`fewest_concessions` it does not look for other sets of the same cost. ``UsageError`` when the
    time limit stops the search.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {nato: [member, neutral]}
    ... parties:
    ...   russia: {red_lines: {no_nato: {rule: nato != "member", assumption: toy}}}
    ...   ukraine: {red_lines: {nato: {rule: nato == "member", concession_cost: 2, assumption: toy}}}
    ... ''')
    >>> c = cheapest_concession(s)
    >>> c.refs, c.cost, dict(c.deal)
    (('russia.no_nato',), 1, {'nato': 'member'})
    >>> cheapest_concession(s, parties=["russia"]).cost
    0
    """
    scope = _scope(scenario, parties, package)
    sel = _selectors(scenario, scope, Deadline(time_limit), backend)
    costs = [r.concession_cost for r in scope.rules]
    try:
        found, _ = _concessions(sel, costs, 1, look_further=False)
    except (Interrupted, OutOfTime):
        found = []
    if not found:
        raise UsageError("the time limit stopped the search for the cheapest concession", "give a longer --time-limit")
    dropped, deal = found[0]
    rules = tuple(ConflictRule.of(scope.rules[i], scope.names[scope.rules[i].party]) for i in dropped)
    return Concession(rules, sum(costs[i] for i in dropped), scenario.decode(deal))
