"""Explanations on any backend: minimal unsatisfiable subsets (MUS), their enumeration (MARCO), and minimum-cost
minimal correction sets (MCS), over *soft* constraints on top of a session's *hard* ones.

In: a :class:`~dealcheck.solver.session.Session` (its constraints are the hard part: always imposed) and soft
constraints (checked expressions; their ids are their positions). Out: sets of soft-constraint ids, verified.

- a **MUS** (a *conflict*): soft constraints that cannot hold together (with the hard ones) while every smaller part
  of them can. :meth:`Explainer.mus` shrinks an infeasible set, by deletion with core refinement (default) or by
  QuickXplain (Junker 2004);
- **MARCO** (:meth:`Explainer.muses`) enumerates MUSes: a second session over one boolean per soft constraint (the
  *map*) proposes the largest set not yet explored; a feasible one is a maximal satisfiable set, whose subsets are
  then blocked, an infeasible one is shrunk to a MUS, whose supersets are blocked. The map running dry proves every
  MUS was found;
- **MCS** (:meth:`Explainer.cheapest_corrections`): the cheapest sets of soft constraints to drop for a solution to
  exist, every one of them found by blocking each one found with the optimal cost fixed.

Asking "which minimal sets of these rules entail F?" is asking for the MUSes of the rules as soft constraints with
``not F`` hard: open the session on ``constraints.with_constraints(Not(F))``.

How: "can these soft constraints hold together?" is one :meth:`~dealcheck.solver.session.Session.solve` under the
assumption of their ids. An infeasible answer carries a core (CP-SAT: a small one; the generic backends: the whole
assumed set, which deletion then shrinks), never trusted to be minimal. Every solution is checked by the compiled
rules (independent of the backend) and kept with the truth of every soft constraint in it, so a later question is
often answered by a solution already in hand. Nothing is reported unverified: a MUS only after a fresh session
holding just its members (imposed, not assumed) is proven infeasible and each one-smaller part has a checked
solution; a correction set with a solution that breaks only it, after a solve proves that putting back any one of
its members closes every solution again.

A deadline reached mid-way raises :class:`OutOfTime`, or :class:`Interrupted` with what was verified before it.

>>> from dealcheck.rules.ir import CmpOp, Compare, Const, Var
>>> from dealcheck.solver.session import Constraints, open_session
>>> lt1, gt1, eq1 = (Compare(op, Var(0), Const(1)) for op in (CmpOp.LT, CmpOp.GT, CmpOp.EQ))
>>> for backend in ("cpsat", "brute"):
...     e = Explainer(open_session(backend, Constraints((range(3),))), [lt1, gt1, eq1])
...     print(backend, e.muses(), e.cheapest_corrections([1, 1, 5]))
cpsat ([(0, 1), (0, 2), (1, 2)], True) ([((0, 1), (1,))], True)
brute ([(0, 1), (0, 2), (1, 2)], True) ([((0, 1), (1,))], True)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import Any

from dealcheck.rules.ir import BoolExpr, Connective, Count, IsTrue, Logic, Not
from dealcheck.solver.base import Constraints, SolveStatus
from dealcheck.solver.session import Session, open_session

__all__ = [
    "KNOWN_SOLUTIONS",
    "Explainer",
    "Interrupted",
    "OutOfTime",
    "SolverDisagreement",
    "ordered",
]

#: Solutions remembered for answering "can these hold together?" without a solve; older ones are forgotten.
KNOWN_SOLUTIONS = 512

#: Which backend answers MARCO's map questions (a pure boolean problem, never an answer itself: every set it proposes
#: is checked on the explaining session, so the MUSes found are verified on the session's own backend). It stays
#: CP-SAT whatever the session's backend: CP-SAT maximises over hundreds of booleans at once, while brute force
#: would list ``2**n`` subsets per proposal (n = the soft constraints: 2**25 on the bundled scenario's red lines)
#: and python-constraint2 bisects each maximum with one search per step. tests/test_explain.py holds explanations
#: on the other backends equal to CP-SAT's.
MAP_BACKEND = "cpsat"


class OutOfTime(Exception):
    """The deadline stopped a solve before it could tell."""


class Interrupted(Exception):
    """The deadline stopped an enumeration; ``found`` holds what was verified before it."""

    def __init__(self, found: list[Any]) -> None:
        super().__init__("time limit")
        self.found = found


class SolverDisagreement(RuntimeError):
    """A backend gave an answer that an independent check refutes: a bug, never shown as a result."""


def ordered(sets: Iterable[Iterable[int]]) -> list[tuple[int, ...]]:
    """Smallest first, then by the soft constraints' order.

    >>> ordered([{2, 0}, {1}])
    [(1,), (0, 2)]
    """
    return sorted((tuple(sorted(s)) for s in sets), key=lambda s: (len(s), s))


def _quiet(status: str) -> None:
    pass


class Explainer:
    """Questions about which of ``soft`` (ids ``0..n-1``) can hold together on top of ``session``'s constraints.

    ``check(subset)`` answers ``(True, solution)`` or ``(False, core)``, the core an infeasible subset of ``subset``
    (not necessarily minimal). ``progress`` is told what the search is doing now and then.
    """

    def __init__(
        self,
        session: Session,
        soft: Sequence[BoolExpr],
        *,
        progress: Callable[[str], None] | None = None,
    ) -> None:
        from dealcheck.solver.compiled import compile_rules

        self.session = session
        self.exprs = tuple(soft)
        self.ids = [session.soft(e) for e in self.exprs]
        self.fixed = session.constraints.merged_fixed()
        self._truth = compile_rules(self.exprs)
        self.known: list[tuple[tuple[int, ...], tuple[bool, ...]]] = []
        #: Sets of soft constraints proven unable to hold together (cores of infeasible solves, verified MUSes).
        self.infeasible: list[frozenset[int]] = []
        self.solves = 0
        self.progress: Callable[[str], None] = progress or _quiet

    @property
    def size(self) -> int:
        return len(self.exprs)

    # --- solving, checked ----------------------------------------------------------------------------------------

    def truth(self, solution: tuple[int, ...]) -> tuple[bool, ...]:
        """Which soft constraints hold in ``solution``, by the compiled rules (independent of the backend)."""
        if self.fixed is None or any(f is not None and f != c for f, c in zip(self.fixed, solution, strict=True)):
            raise SolverDisagreement(
                f"the {self.session.backend} backend returned a solution that leaves the fixed codes"
            )
        return tuple(self._truth(solution))

    def remember(self, solution: tuple[int, ...]) -> tuple[bool, ...]:
        truth = self.truth(solution)
        self.known.append((solution, truth))
        if len(self.known) > KNOWN_SOLUTIONS:
            del self.known[0]
        return truth

    def holds(self, solution: tuple[int, ...]) -> set[int]:
        return {i for i, t in enumerate(self.truth(solution)) if t}

    def known_solution(self, subset: Iterable[int]) -> tuple[int, ...] | None:
        members = list(subset)
        for solution, truth in reversed(self.known):
            if all(truth[i] for i in members):
                return solution
        return None

    def known_infeasible(self, subset: Iterable[int]) -> bool:
        """Whether ``subset`` contains a set already proven infeasible (then it is infeasible too)."""
        members = set(subset)
        return any(core <= members for core in self.infeasible)

    def _solve(self, members: Sequence[int], *, also: Sequence[int] = ()) -> tuple[tuple[int, ...] | None, set[int]]:
        """A solution keeping soft ``members`` (and session soft ids ``also``), or ``None`` and the core."""
        self.solves += 1
        answer = self.session.solve(assume=[*also, *(self.ids[i] for i in members)])
        if answer.status is SolveStatus.UNKNOWN:
            raise OutOfTime
        if answer.status is SolveStatus.SAT:
            assert answer.solution is not None
            return answer.solution, set()
        position = {s: i for i, s in enumerate(self.ids)}
        return None, {position[s] for s in answer.core if s in position}

    def check(self, subset: Iterable[int]) -> tuple[bool, Any]:
        members = sorted(set(subset))
        hit = self.known_solution(members)
        if hit is not None:
            return True, hit
        solution, core_members = self._solve(members)
        if solution is not None:
            truth = self.remember(solution)
            if not all(truth[i] for i in members):
                raise SolverDisagreement(f"the {self.session.backend} backend broke an assumed soft constraint")
            return True, solution
        # An empty core would claim the hard constraints alone are infeasible; fall back to the whole subset, which
        # is known to be infeasible (a core the backend could not explain is still a starting point).
        core = frozenset(core_members & set(members)) or frozenset(members)
        self.infeasible.append(core)
        return False, core

    def none_restorable(self, kept: Sequence[int], dropped: Sequence[int]) -> bool:
        """Whether no solution keeps all of ``kept`` and any one of ``dropped``: one solve for every member at once
        (none at all for members whose restoring completes a set already proven infeasible)."""
        dropped = [d for d in dropped if not self.known_infeasible([*kept, d])]
        if not dropped:
            return True
        guard = self.session.soft_any([self.ids[d] for d in dropped])
        solution, _ = self._solve(kept, also=[guard])
        self.session.retire(guard)  # this question is never asked again
        return solution is None

    # --- MUS -------------------------------------------------------------------------------------------------------

    def shrink(self, core: Iterable[int]) -> tuple[int, ...]:
        """A minimal conflict inside infeasible ``core``, by deletion with core refinement: drop one member and
        re-solve; still infeasible, continue from the new (smaller) core, else the member is necessary.

        The alternative, :meth:`quickxplain`, needs fewer solves when the conflict is tiny inside a large core;
        deletion wins on CP-SAT because its cores are already close to minimal, and each kept member leaves behind
        the feasible solution that verification needs anyway."""
        current = sorted(core)
        necessary: set[int] = set()
        for c in list(current):
            if c not in current:
                continue  # a refined core already dropped it
            trial = [x for x in current if x != c]
            feasible, answer = self.check(trial)
            if feasible:
                necessary.add(c)
            else:
                # The new core lies inside ``trial``; a backend bug that lost a necessary member must not make the
                # result feasible, so the necessary members are put back (a superset of an infeasible set is too).
                current = sorted(set(answer) | necessary)
        return tuple(current)

    def quickxplain(self, core: Iterable[int]) -> tuple[int, ...]:
        """A minimal conflict inside infeasible ``core`` by QuickXplain (Junker 2004): split, find each half's part.

        Both this and :meth:`shrink` give a minimal conflict, often a different one."""

        def feasible(members: Sequence[int]) -> bool:
            return bool(self.check(members)[0])

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

    def verify_mus(self, mus: Sequence[int]) -> None:
        """Raise :class:`SolverDisagreement` unless ``mus`` is infeasible and each one-smaller part is feasible."""
        for c in mus:
            feasible, _ = self.check([x for x in mus if x != c])  # a checked solution, usually one already in hand
            if not feasible:
                raise SolverDisagreement(f"a conflict of {len(mus)} soft constraints was not minimal")
        # The infeasibility is proven again in a fresh session with only these soft constraints, imposed rather
        # than assumed, so neither the assumption machinery nor the other soft constraints take part.
        fresh = open_session(
            self.session.backend,
            self.session.constraints.with_constraints(*(self.exprs[c] for c in mus)),
            self.session.deadline,
            presolve=True,
        )
        self.solves += 1
        result = fresh.find()
        if result.status is SolveStatus.UNKNOWN:
            raise OutOfTime
        if result.status is SolveStatus.SAT:
            raise SolverDisagreement(f"the {self.session.backend} backend's core holds in a fresh session")
        self.infeasible.append(frozenset(mus))

    def mus(self, core: Iterable[int] | None = None, *, method: str = "deletion") -> tuple[int, ...] | None:
        """One verified MUS inside ``core`` (default: every soft constraint), or ``None`` when ``core`` is
        feasible. ``method``: ``"deletion"`` or ``"quickxplain"``. :class:`OutOfTime` past the deadline."""
        shrink = self._shrinker(method)
        feasible, answer = self.check(range(self.size) if core is None else core)
        if feasible:
            return None
        mus = shrink(answer)
        self.verify_mus(mus)
        return mus

    def _shrinker(self, method: str) -> Callable[[Iterable[int]], tuple[int, ...]]:
        try:
            return {"deletion": self.shrink, "quickxplain": self.quickxplain}[method]
        except KeyError:
            raise ValueError(f"unknown method {method!r}: deletion or quickxplain") from None

    # --- MARCO -----------------------------------------------------------------------------------------------------

    def muses(self, limit: int | None = None, *, method: str = "deletion") -> tuple[list[tuple[int, ...]], bool]:
        """Verified MUSes (smallest first), at most ``limit``, and whether they are all of them.

        Once ``limit`` are found the search goes on for one more, to tell "exactly" from "at least".
        :class:`Interrupted` (with the MUSes found so far) past the deadline."""
        shrink = self._shrinker(method)
        n = self.size
        world = open_session(
            MAP_BACKEND, Constraints(tuple(range(2) for _ in range(n))), self.session.deadline, presolve=True
        )
        # The largest unexplored set first: when it is feasible it is a maximal satisfiable set outright (a larger
        # feasible set would be unexplored too), so no growing is needed; when infeasible its core is rich.
        size = Count(tuple(IsTrue(i) for i in range(n)))
        found: list[tuple[int, ...]] = []
        while True:
            self.progress(f"minimal conflicts: {len(found)} found, searching ({self.solves} solves)")
            if self.session.deadline.expired():
                raise Interrupted(ordered(found))
            proposal = world.maximise(size)
            if proposal.status is SolveStatus.UNSAT:
                return ordered(found), True
            if proposal.solution is None:
                raise Interrupted(ordered(found))
            seed = [i for i in range(n) if proposal.solution[i]]
            try:
                feasible, answer = self.check(seed)
                if feasible:
                    kept = set(seed) | self.holds(answer)
                    if proposal.status is not SolveStatus.SAT:
                        kept = self._grow(kept)  # not proven the largest: grow it to a maximal one
                    world.require(Logic(Connective.OR, tuple(IsTrue(i) for i in range(n) if i not in kept)))
                    continue
                mus = shrink(answer)
                self.verify_mus(mus)
            except OutOfTime:
                raise Interrupted(ordered(found)) from None
            if limit is not None and len(found) >= limit:
                return ordered(found), False  # one more than the limit exists
            found.append(mus)
            world.require(Logic(Connective.OR, tuple(Not(IsTrue(i)) for i in mus)))

    def _grow(self, kept: set[int]) -> set[int]:
        """A maximal satisfiable set containing ``kept`` (feasible), adding soft constraints in order."""
        for j in range(self.size):
            if j in kept:
                continue
            feasible, answer = self.check(kept | {j})
            if feasible:
                kept |= self.holds(answer)
        return kept

    def in_every_mus(self, muses: Sequence[tuple[int, ...]]) -> list[int]:
        """The soft constraints in every MUS (given all is infeasible): exactly those whose removal alone makes the
        rest feasible. Only members of ``muses`` (some MUSes, not necessarily all) can qualify; an infeasible check
        rules out, with its core, every candidate outside that core as well."""
        self.progress("red lines in every conflict")
        candidates = set(muses[0]).intersection(*muses[1:]) if muses else set(range(self.size))
        everyone = range(self.size)
        out = []
        for c in sorted(candidates):
            if c not in candidates:
                continue
            feasible, answer = self.check([i for i in everyone if i != c])
            if feasible:
                out.append(c)
            else:
                candidates &= set(answer)
        return out

    # --- MCS -------------------------------------------------------------------------------------------------------

    def cheapest_corrections(
        self, costs: Sequence[int] | None = None, limit: int | None = None, *, look_further: bool = True
    ) -> tuple[list[tuple[tuple[int, ...], tuple[int, ...]]], bool]:
        """Minimum-cost minimal correction sets, each with a solution keeping every other soft constraint, at most
        ``limit``, and whether that is all of them. ``costs`` (at least 1 each) default to 1.

        Once ``limit`` are found the search goes on for one more, to tell "exactly" from "at least", unless
        ``look_further`` is false (then a full list reports itself incomplete). Past the deadline:
        :class:`Interrupted` with the sets found so far, or :class:`OutOfTime` while the last one found was still
        being proven minimal."""
        weights = [(s, c) for s, c in zip(self.ids, [1] * self.size if costs is None else costs, strict=True)]
        if any(c < 1 for _, c in weights):
            raise ValueError("every cost must be at least 1")
        cost = dict(enumerate(c for _, c in weights))
        if self.session.deadline.expired():
            raise Interrupted([])
        self.solves += 1
        optimum = self.session.fewest_dropped(weights)
        if optimum.status is SolveStatus.UNKNOWN:  # a cost not proven minimal is not an answer
            raise Interrupted([])
        solution = optimum.solution
        best = 0
        if solution is not None:
            truth = self.truth(solution)
            best = sum(cost[i] for i, t in enumerate(truth) if not t)
        # With positive costs an optimal solution drops exactly the soft constraints it breaks (dropping one it
        # keeps would cost more), so each set is read off its solution, by the compiled rules. The enumeration's own
        # constraints sit behind one soft constraint, so the session still answers plain questions afterwards.
        enumerating = self.session.soft_cost(weights, best)
        found: list[tuple[tuple[int, ...], tuple[int, ...]]] = []
        while True:
            self.progress(f"cheapest concessions (cost {best}): {len(found)} found, searching")
            if solution is None:
                return found, True
            truth = self.remember(solution)
            dropped = tuple(i for i, t in enumerate(truth) if not t)
            if sum(cost[i] for i in dropped) != best:
                raise SolverDisagreement(f"the {self.session.backend} backend's cheapest correction costs more")
            kept = [i for i, t in enumerate(truth) if t]
            # Past the deadline here, OutOfTime: the last set found is not yet proven minimal.
            if dropped and not self.none_restorable(kept, dropped):
                raise SolverDisagreement(f"the {self.session.backend} backend's cheapest correction is not minimal")
            if limit is not None and len(found) >= limit:
                return found, False
            found.append((dropped, solution))
            if not dropped:
                return found, True
            if not look_further and limit is not None and len(found) >= limit:
                return found, False
            self.session.soft_any([self.ids[d] for d in dropped], into=enumerating)
            try:
                solution, _ = self._solve((), also=[enumerating])
            except OutOfTime:
                raise Interrupted(found) from None
