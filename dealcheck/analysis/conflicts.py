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

How, with one CP-SAT model (:class:`~dealcheck.solver.cpsat.CpsatModel`) built once: each red line sits behind a
*selector* literal (``keep_i => red line i``), and "can these red lines hold together?" is one solve under the
assumption that their selectors are true. An infeasible solve returns a core: red lines that cannot hold together,
but not a minimal set (and CP-SAT cores have had bugs), so a core is only ever a starting point:

- a core is shrunk by deletion with core refinement: drop one member, re-solve under assumptions; when still
  infeasible, continue from the new (smaller) core, else the member is necessary. The alternative, QuickXplain
  (:func:`quickxplain`), needs fewer solves when the conflict is tiny inside a large core; deletion wins here
  because CP-SAT's cores are already close to minimal, and each kept member leaves behind the feasible solution
  that verification needs anyway;
- every solution found is kept with the truth of every red line in it (evaluated by the compiled rules, not by
  CP-SAT), so a later "can these hold together?" is often answered by a solution already in hand;
- conflicts are enumerated MARCO-style: a second CP-SAT model over one boolean per red line (the *map*) proposes
  the largest set not yet explored; a feasible one is a maximal satisfiable set, whose supersets are then blocked
  out, an infeasible one is shrunk to a conflict, whose supersets are blocked. The map running dry proves every
  conflict was found;
- concessions are a CP-SAT optimisation (minimise the cost of the selectors left false), then every other optimal
  set by blocking each one found, with the optimal cost fixed.

Nothing is reported unverified. A conflict is shown only after a fresh model holding just its red lines is proven
infeasible and, for each member, a solution keeping all the others has been checked by the compiled rules. A
concession is shown with a deal that breaks only the dropped red lines (checked by the compiled rules), and after a
solve proves that putting back any one of them closes every deal again (it is minimal).

Determinism: CP-SAT with one worker and a fixed seed; conflicts and concessions are listed smallest first, then
in the scenario's order of red lines. A ``limit`` applies to conflicts and to concessions separately; the search
always runs until it finds one more than the limit or proves there is none, so "exactly N" and "at least N+1" are
never confused. A time limit bounds the whole analysis; what it stops is reported as incomplete (exit code 4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs

from dealcheck.errors import UsageError
from dealcheck.model import Package, Rule, Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK, Report
from dealcheck.rules.ir import BoolExpr
from dealcheck.rules.terms import Value
from dealcheck.solver.base import Deadline

__all__ = [
    "DEFAULT_LIMIT",
    "Compatibility",
    "Concession",
    "Conflict",
    "ConflictReport",
    "ConflictRule",
    "cheapest_concession",
    "conflict_sets",
    "correction_sets",
    "fewest_concessions",
    "find_conflicts",
    "minimal_conflict",
    "quickxplain",
]

#: How many conflicts (and, separately, concessions) are listed unless the caller asks for another number.
DEFAULT_LIMIT = 10

#: Solutions remembered for answering "can these hold together?" without a solve; older ones are forgotten.
_KNOWN_SOLUTIONS = 512


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


# --- the selector model -------------------------------------------------------------------------------------


class _OutOfTime(Exception):
    pass


def _quiet(status: str) -> None:
    pass


class SolverDisagreement(RuntimeError):
    """CP-SAT gave an answer that an independent check refutes: a bug, never shown as a result."""


class _Selectors:
    """ "Can these red lines hold together?", answered by solves under assumptions on one CP-SAT model.

    ``check(subset)`` returns ``(True, solution)`` or ``(False, core)``, the core a subset of ``subset`` that is
    infeasible (not necessarily minimal). Solutions are checked by the compiled rules before they are believed.
    """

    def __init__(
        self,
        domains: Sequence[range],
        exprs: Sequence[BoolExpr],
        fixed: Sequence[int | None] | None,
        deadline: Deadline,
    ) -> None:
        from dealcheck.solver.compiled import compile_rules
        from dealcheck.solver.cpsat import CpsatModel

        self.domains = tuple(domains)
        self.exprs = tuple(exprs)
        self.fixed = None if fixed is None else tuple(fixed)
        self.deadline = deadline
        self.sat = CpsatModel(self.domains)
        if self.fixed is not None:
            self.sat.fix(self.fixed)
        model = self.sat.model
        self.keep = []
        for i, expr in enumerate(self.exprs):
            # A fresh selector per red line, not the expression's own literal: two red lines that say the same
            # thing share one cached literal, but are two separate things a party could give up.
            # Half-reified (the selector is only ever assumed true, never read as "the red line holds"): the
            # rule's constraints posted behind it, with no literal of the rule's own (measured: 128 deadlocked
            # terms, building the selectors took 36 ms with a literal per rule reified both ways, 20 ms without).
            s = model.new_bool_var(f"keep{i}")
            self.sat.enforce(expr, s)
            self.keep.append(s)
        self._truth = compile_rules(self.exprs)
        self.known: list[tuple[tuple[int, ...], tuple[bool, ...]]] = []
        #: Sets of red lines proven unable to hold together (cores of infeasible solves, verified conflicts).
        self.infeasible: list[frozenset[int]] = []
        self.solves = 0
        #: Told what the analysis is doing (the CLI shows it on stderr when a solve takes a while).
        self.progress: Callable[[str], None] = _quiet

    @property
    def size(self) -> int:
        return len(self.exprs)

    def truth(self, solution: tuple[int, ...]) -> tuple[bool, ...]:
        """Which red lines hold in ``solution``, by the compiled rules (independent of CP-SAT)."""
        if self.fixed is not None and any(f is not None and f != c for f, c in zip(self.fixed, solution, strict=True)):
            raise SolverDisagreement("CP-SAT returned a solution that leaves the given package")
        return tuple(self._truth(solution))

    def remember(self, solution: tuple[int, ...]) -> tuple[bool, ...]:
        truth = self.truth(solution)
        self.known.append((solution, truth))
        if len(self.known) > _KNOWN_SOLUTIONS:
            del self.known[0]
        return truth

    def known_solution(self, subset: Iterable[int]) -> tuple[int, ...] | None:
        members = list(subset)
        for solution, truth in reversed(self.known):
            if all(truth[i] for i in members):
                return solution
        return None

    def solve(self, assumptions: Sequence[Any]) -> tuple[tuple[int, ...] | None, set[int]]:
        """A solution under ``assumptions`` (no objective), or ``None`` and the core's literal indices."""
        from ortools.sat.python import cp_model

        if self.deadline.expired():
            raise _OutOfTime
        self.solves += 1
        model = self.sat.model
        model.clear_assumptions()
        model.add_assumptions(list(assumptions))
        solver = self.sat.solver(self.deadline.remaining())
        # Presolve rebuilds the whole model on every solve, and under assumptions it can remove little: on
        # generated scenarios with hundreds of red lines it took three quarters of each solve's time.
        solver.parameters.cp_model_presolve = False
        status = solver.solve(model)
        model.clear_assumptions()
        if status == cp_model.INFEASIBLE:
            return None, set(solver.sufficient_assumptions_for_infeasibility())
        if status in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            return tuple(int(solver.value(v)) for v in self.sat.variables), set()
        raise _OutOfTime

    def check(self, subset: Iterable[int]) -> tuple[bool, Any]:
        members = sorted(set(subset))
        hit = self.known_solution(members)
        if hit is not None:
            return True, hit
        solution, core_indices = self.solve([self.keep[i] for i in members])
        if solution is not None:
            truth = self.remember(solution)
            if not all(truth[i] for i in members):
                raise SolverDisagreement("CP-SAT returned a solution that breaks an assumed red line")
            return True, solution
        core = frozenset(i for i in members if self.keep[i].Index() in core_indices)
        # An empty core would claim the package itself is impossible, which it never is (its values are in their
        # domains and nothing else is imposed); fall back to the whole subset, which is known to be infeasible.
        core = core or frozenset(members)
        self.infeasible.append(core)
        return False, core

    def known_infeasible(self, subset: Iterable[int]) -> bool:
        """Whether ``subset`` contains a set already proven infeasible (then it is infeasible too)."""
        members = set(subset)
        return any(core <= members for core in self.infeasible)

    def holds(self, solution: tuple[int, ...]) -> set[int]:
        return {i for i, t in enumerate(self.truth(solution)) if t}

    def none_restorable(self, kept: Sequence[int], dropped: Sequence[int]) -> bool:
        """Whether no deal keeps all of ``kept`` and any one of ``dropped``: one solve for every member at once
        (none at all for members whose restoring completes a set already proven infeasible)."""
        dropped = [d for d in dropped if not self.known_infeasible([*kept, d])]
        if not dropped:
            return True
        model = self.sat.model
        guard = model.new_bool_var("")
        model.add_bool_or([self.keep[d] for d in dropped]).only_enforce_if(guard)
        solution, _ = self.solve([guard, *(self.keep[i] for i in kept)])
        model.add_bool_or([guard.Not()])  # retire the guard: this question is never asked again
        return solution is None


# --- conflicts ----------------------------------------------------------------------------------------------


def _shrink(sel: _Selectors, core: Iterable[int]) -> tuple[int, ...]:
    """A minimal conflict inside ``core`` (infeasible), by deletion with core refinement."""
    current = sorted(core)
    necessary: set[int] = set()
    for c in list(current):
        if c not in current:
            continue  # a refined core already dropped it
        trial = [x for x in current if x != c]
        feasible, answer = sel.check(trial)
        if feasible:
            necessary.add(c)
        else:
            # The new core lies inside ``trial``; a solver bug that lost a necessary member must not make the
            # result feasible, so the necessary members are put back (a superset of an infeasible set is infeasible).
            current = sorted(set(answer) | necessary)
    return tuple(current)


def quickxplain(sel: _Selectors, core: Iterable[int]) -> tuple[int, ...]:
    """A minimal conflict inside ``core`` by QuickXplain (Junker 2004): split, and find each half's part.

    Kept as the alternative to deletion (:func:`_shrink`); both give a minimal conflict, often a different one.
    """

    def feasible(members: Sequence[int]) -> bool:
        return sel.check(members)[0]

    def qx(background: list[int], changed: bool, candidates: list[int]) -> list[int]:
        if changed and not feasible(background):
            return []
        if len(candidates) == 1:
            return candidates
        half = len(candidates) // 2
        first, second = candidates[:half], candidates[half:]
        part2 = qx(background + first, True, second)
        part1 = qx(background + part2, bool(part2), first)
        return part1 + part2

    members = sorted(core)
    if not members:
        return ()
    return tuple(sorted(qx([], False, members)))


def _verify_conflict(sel: _Selectors, mus: Sequence[int]) -> None:
    """Raise :class:`SolverDisagreement` unless ``mus`` is infeasible and each one-smaller part is feasible."""
    from dealcheck.solver.base import SolveStatus
    from dealcheck.solver.cpsat import CpsatModel

    for c in mus:
        feasible, _ = sel.check([x for x in mus if x != c])  # a checked solution, usually one already in hand
        if not feasible:
            raise SolverDisagreement(f"a conflict of {len(mus)} red lines was not minimal")
    # The infeasibility is proven again on a fresh model with only these red lines, imposed rather than assumed,
    # so neither the assumption machinery nor the rest of the scenario takes part.
    fresh = CpsatModel(sel.domains)
    if sel.fixed is not None:
        fresh.fix(sel.fixed)
    for c in mus:
        fresh.require(sel.exprs[c])
    if sel.deadline.expired():
        raise _OutOfTime
    sel.solves += 1
    result = fresh.solve(time_limit=sel.deadline.remaining())
    if result.status is SolveStatus.UNKNOWN:
        raise _OutOfTime
    if result.status is SolveStatus.SAT:
        raise SolverDisagreement("CP-SAT's core holds on a fresh model: not a conflict")
    sel.infeasible.append(frozenset(mus))


def _ordered(sets: Iterable[Iterable[int]]) -> list[tuple[int, ...]]:
    """Smallest first, then by the red lines' order in the scenario."""
    return sorted((tuple(sorted(s)) for s in sets), key=lambda s: (len(s), s))


def _marco(
    sel: _Selectors, limit: int | None, shrink: Callable[[_Selectors, Iterable[int]], tuple[int, ...]]
) -> tuple[list[tuple[int, ...]], bool]:
    """Verified minimal conflicts, at most ``limit``, and whether they are all of them."""
    from ortools.sat.python import cp_model

    from dealcheck.solver.cpsat import SEED

    n = sel.size
    world = cp_model.CpModel()
    pick = [world.new_bool_var(f"x{i}") for i in range(n)]
    # The largest unexplored set first: when it is feasible it is a maximal satisfiable set outright (a larger
    # feasible set would be unexplored too), so no growing is needed; when infeasible its core is rich.
    world.maximize(sum(pick))
    found: list[tuple[int, ...]] = []
    while True:
        sel.progress(f"minimal conflicts: {len(found)} found, searching ({sel.solves} solves)")
        if sel.deadline.expired():
            raise _Interrupted(found)
        solver = cp_model.CpSolver()
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = SEED
        remaining = sel.deadline.remaining()
        if remaining is not None:
            solver.parameters.max_time_in_seconds = remaining
        status = solver.solve(world)
        if status == cp_model.INFEASIBLE:
            return found, True
        if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
            raise _Interrupted(found)
        seed = [i for i in range(n) if solver.value(pick[i])]
        try:
            feasible, answer = sel.check(seed)
            if feasible:
                kept = set(seed) | sel.holds(answer)
                if status != cp_model.OPTIMAL:
                    kept = _grow(sel, kept)
                world.add_bool_or([pick[i] for i in range(n) if i not in kept])
                continue
            mus = shrink(sel, answer)
            _verify_conflict(sel, mus)
        except _OutOfTime:
            raise _Interrupted(found) from None
        if limit is not None and len(found) >= limit:
            return found, False  # one more than the limit exists
        found.append(mus)
        world.add_bool_or([pick[i].Not() for i in mus])


def _grow(sel: _Selectors, kept: set[int]) -> set[int]:
    """A maximal satisfiable set containing ``kept`` (feasible), adding red lines in scenario order."""
    for j in range(sel.size):
        if j in kept:
            continue
        feasible, answer = sel.check(kept | {j})
        if feasible:
            kept |= sel.holds(answer)
    return kept


class _Interrupted(Exception):
    """The time limit stopped an enumeration; ``found`` holds what was verified before it."""

    def __init__(self, found: list[Any]) -> None:
        super().__init__("time limit")
        self.found = found


def _in_every_conflict(sel: _Selectors, conflicts: Sequence[tuple[int, ...]]) -> list[int]:
    """The red lines in every minimal conflict: exactly those whose removal alone opens a deal.

    Only members of the conflicts already found can qualify; an infeasible check rules out, with its core, every
    candidate outside that core as well.
    """
    sel.progress("red lines in every conflict")
    candidates = set(conflicts[0]).intersection(*conflicts[1:])
    everyone = range(sel.size)
    out = []
    for c in sorted(candidates):
        if c not in candidates:
            continue
        feasible, answer = sel.check([i for i in everyone if i != c])
        if feasible:
            out.append(c)
        else:
            candidates &= set(answer)
    return out


# --- concessions --------------------------------------------------------------------------------------------


def _concessions(
    sel: _Selectors, costs: Sequence[int], limit: int | None, *, look_further: bool = True
) -> tuple[list[tuple[tuple[int, ...], tuple[int, ...]]], bool]:
    """Minimum-cost minimal correction sets with a deal each, at most ``limit``, and whether that is all of them.

    Once ``limit`` are found the search goes on for one more, to tell "exactly" from "at least", unless
    ``look_further`` is false (then a full list reports itself incomplete)."""
    from ortools.sat.python import cp_model

    if any(c < 1 for c in costs):
        raise ValueError("every concession cost must be at least 1")
    model = sel.sat.model
    dropped_cost = sum(c * (1 - s) for c, s in zip(costs, sel.keep, strict=True))
    if sel.deadline.expired():
        raise _Interrupted([])
    model.minimize(dropped_cost)
    try:
        sel.solves += 1
        solver = sel.sat.solver(sel.deadline.remaining())
        solver.parameters.cp_model_presolve = False  # as in _Selectors.solve: faster on every scenario measured
        status = solver.solve(model)
    finally:
        model.clear_objective()
    if status != cp_model.OPTIMAL:  # FEASIBLE is a cost not proven minimal: not an answer
        raise _Interrupted([])
    best = round(solver.objective_value)
    solution: tuple[int, ...] | None = tuple(int(solver.value(v)) for v in sel.sat.variables)
    # The enumeration's own constraints are guarded, so the same model still answers plain questions afterwards.
    enumerating = model.new_bool_var("enumerating")
    model.add(dropped_cost == best).only_enforce_if(enumerating)
    found: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
    while True:
        sel.progress(f"cheapest concessions (cost {best}): {len(found)} found, searching")
        if solution is None:
            return found, True
        truth = sel.remember(solution)
        # With positive costs an optimal solution drops exactly the red lines it breaks (dropping one it keeps
        # would cost more), so the set is read off the deal, by the compiled rules.
        dropped = tuple(i for i, t in enumerate(truth) if not t)
        if sum(costs[i] for i in dropped) != best:
            raise SolverDisagreement("CP-SAT's optimal concession does not cost what it claimed")
        kept = [i for i, t in enumerate(truth) if t]
        if dropped and not sel.none_restorable(kept, dropped):
            raise SolverDisagreement("CP-SAT's optimal concession is not minimal")
        if limit is not None and len(found) >= limit:
            return found, False
        found.append((dropped, solution))
        if not dropped:
            return found, True
        if not look_further and limit is not None and len(found) >= limit:
            return found, False
        model.add_bool_or([sel.keep[d] for d in dropped]).only_enforce_if(enumerating)
        try:
            solution, _ = sel.solve([enumerating])
        except _OutOfTime:
            raise _Interrupted(found) from None


# --- on indices: what tests and benchmarks call -------------------------------------------------------------


def conflict_sets(
    domains: Sequence[range],
    exprs: Sequence[BoolExpr],
    fixed: Sequence[int | None] | None = None,
    *,
    limit: int | None = None,
    time_limit: float | None = None,
    method: str = "deletion",
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
    shrink = {"deletion": _shrink, "quickxplain": quickxplain}[method]
    sel = _Selectors(domains, exprs, fixed, Deadline(time_limit))
    try:
        feasible, _ = sel.check(range(sel.size))
        if feasible:
            return [], True
        found, complete = _marco(sel, limit, shrink)
    except _Interrupted as stopped:
        return _ordered(stopped.found), False
    except _OutOfTime:
        return [], False
    return _ordered(found), complete


def correction_sets(
    domains: Sequence[range],
    exprs: Sequence[BoolExpr],
    costs: Sequence[int] | None = None,
    fixed: Sequence[int | None] | None = None,
    *,
    limit: int | None = None,
    time_limit: float | None = None,
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
    sel = _Selectors(domains, exprs, fixed, Deadline(time_limit))
    weights = [1] * sel.size if costs is None else list(costs)
    try:
        found, complete = _concessions(sel, weights, limit)
    except (_Interrupted, _OutOfTime) as stopped:
        found, complete = (stopped.found if isinstance(stopped, _Interrupted) else []), False
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


def _selectors(scenario: Scenario, scope: _Scope, deadline: Deadline) -> _Selectors:
    return _Selectors(
        tuple(t.domain.codes for t in scenario.terms), tuple(r.expr for r in scope.rules), scope.fixed, deadline
    )


def find_conflicts(
    scenario: Scenario,
    *,
    parties: Sequence[str] | None = None,
    package: Mapping[str, Value] | Package | None = None,
    limit: int | None = DEFAULT_LIMIT,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
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
    sel = _selectors(scenario, scope, deadline)
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
                conflicts, conflicts_complete = _marco(sel, limit, _shrink)
                more_conflicts = not conflicts_complete
            except _Interrupted as stopped:
                conflicts, conflicts_complete, timed_out = stopped.found, False, True
            in_every = None
            if conflicts:
                in_every = _in_every_conflict(sel, conflicts)
            try:
                concessions, concessions_complete = _concessions(sel, [r.concession_cost for r in scope.rules], limit)
                more_concessions = not concessions_complete
            except _Interrupted as stopped:
                concessions, concessions_complete, timed_out = stopped.found, False, True
    except _OutOfTime:
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
        conflicts=tuple(Conflict(tuple(conflict_rules[i] for i in s)) for s in _ordered(conflicts)),
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
    sel = _selectors(scenario, scope, Deadline(time_limit))
    try:
        feasible, answer = sel.check(range(sel.size))
        if feasible:
            return None
        mus = _shrink(sel, answer)
        _verify_conflict(sel, mus)
    except _OutOfTime:
        raise UsageError("the time limit stopped the search for a conflict", "give a longer --time-limit") from None
    return Conflict(tuple(ConflictRule.of(scope.rules[i], scope.names[scope.rules[i].party]) for i in mus))


def fewest_concessions(
    scenario: Scenario,
    *,
    parties: Sequence[str] | None = None,
    package: Mapping[str, Value] | Package | None = None,
    limit: int | None = DEFAULT_LIMIT,
    time_limit: float | None = None,
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
    sel = _selectors(scenario, scope, Deadline(time_limit))
    costs = [r.concession_cost for r in scope.rules]
    try:
        found, complete = _concessions(sel, costs, limit)
    except _Interrupted as stopped:
        found, complete = stopped.found, False
    except _OutOfTime:
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
    sel = _selectors(scenario, scope, Deadline(time_limit))
    costs = [r.concession_cost for r in scope.rules]
    try:
        found, _ = _concessions(sel, costs, 1, look_further=False)
    except (_Interrupted, _OutOfTime):
        found = []
    if not found:
        raise UsageError("the time limit stopped the search for the cheapest concession", "give a longer --time-limit")
    dropped, deal = found[0]
    rules = tuple(ConflictRule.of(scope.rules[i], scope.names[scope.rules[i].party]) for i in dropped)
    return Concession(rules, sum(costs[i] for i in dropped), scenario.decode(deal))
