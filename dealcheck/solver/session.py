"""Sessions: the one way an analysis reaches a solver.

In: a backend name (``cpsat``, ``constraint``, ``brute``: :data:`~dealcheck.solver.base.BACKENDS`), the
:class:`~dealcheck.solver.base.Constraints` to solve, and a :class:`~dealcheck.solver.base.Deadline`.
Out: a :class:`Session`, which answers many questions about those constraints until the deadline.

The questions (every backend answers every one; :attr:`Session.native` says which it answers natively):

- :meth:`~Session.solve`: a solution meeting extra ``conditions``, optionally under *assumed soft constraints*
  (registered with :meth:`~Session.soft`; a soft constraint is a selector that, assumed, imposes its expression).
  ``UNSAT`` under assumptions comes with a *core*: assumed soft constraints that cannot hold together (not
  necessarily minimal; :mod:`dealcheck.solver.explain` shrinks cores to minimal ones);
- :meth:`~Session.maximise` / :meth:`~Session.minimise` an integer expression (:mod:`dealcheck.rules.ir`);
- :meth:`~Session.lexmin`: the lexicographically smallest solution (codes in term order), the documented
  tie-break everywhere in dealcheck;
- :meth:`~Session.solutions`: a *streaming* enumeration, which the caller may stop at any time and which says at
  the end whether it was complete;
- :meth:`~Session.count`.

Every call honours the session's deadline (and an optional tighter ``time_limit`` of its own): past it, the
answer is ``UNKNOWN`` (or an incomplete enumeration, an inexact count), never a wrong one.

:class:`GenericSession` answers through a backend module's four functions, with generic fallbacks: the core is
every assumed soft constraint, optimisation bisects on ``objective >= k``, the lexicographic minimum probes term
by term. :class:`dealcheck.solver.cpsat.CpsatSession` keeps one CP-SAT model for the whole session and answers
natively: assumptions and cores, one optimisation per maximum, a smallest-first descent for the lexmin.

>>> from dealcheck.rules.ir import Arith, ArithOp, CmpOp, Compare, Var
>>> c = Constraints((range(3), range(3)), (Compare(CmpOp.LE, Var(0), Var(1)),))
>>> for backend in BACKENDS:
...     s = open_session(backend, c, Deadline(10))
...     print(backend, s.maximise(Arith(ArithOp.SUB, Var(1), Var(0))).solution, s.lexmin().solution, s.count())
cpsat (0, 2) (0, 0) SolutionCount(count=6, exact=True)
constraint (0, 2) (0, 0) SolutionCount(count=6, exact=True)
brute (0, 2) (0, 0) SolutionCount(count=6, exact=True)
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterator, Sequence
from typing import NoReturn, Protocol, runtime_checkable

import attrs

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
    Not,
    Truth,
    weighted_count,
)
from dealcheck.solver.base import (
    BACKENDS,
    Backend,
    Constraints,
    Deadline,
    SolutionCount,
    SolveResult,
    SolveStatus,
    get_backend,
)

__all__ = [
    "BACKENDS",
    "Answer",
    "Capability",
    "Constraints",
    "Deadline",
    "GenericSession",
    "Session",
    "Solutions",
    "open_session",
]


class Capability(enum.Flag):
    """What a session answers natively (everything else by a generic fallback, exact but slower)."""

    NONE = 0
    #: ``solve`` under assumptions returns a small core (the fallback: every assumed soft constraint).
    CORES = enum.auto()
    #: One optimisation per maximum (the fallback: bisection on ``objective >= k``).
    OPTIMISE = enum.auto()
    #: A native lexicographic minimum (the fallback: fix the terms one by one at their smallest feasible code).
    LEXMIN = enum.auto()
    #: Counting without listing every solution (exact model counting).
    COUNT = enum.auto()


@attrs.frozen
class Answer:
    """What :meth:`Session.solve` says: a solution (``SAT``), none (``UNSAT``, with ``core`` when soft constraints
    were assumed: ids among them that cannot all hold), or ``UNKNOWN`` (the deadline came first)."""

    status: SolveStatus
    solution: tuple[int, ...] | None = None
    core: tuple[int, ...] = ()


class Solutions(Iterator[tuple[int, ...]]):
    """A streaming enumeration: iterate it for solutions (distinct, in the backend's deterministic order); stop
    whenever you like. :attr:`complete` is ``True`` once every solution has come out, ``False`` when the deadline or
    ``limit`` stopped it, ``None`` while it runs.

    ``finished``, asked once ``source`` runs dry, says whether it ran dry because it had given every solution
    (default: whether the deadline had not passed; the backend modules stop quietly at the deadline).
    """

    def __init__(
        self,
        source: Iterator[tuple[int, ...]],
        limit: int | None,
        deadline: Deadline,
        finished: Callable[[], bool] | None = None,
    ) -> None:
        self._source = source
        self._limit = limit
        self._deadline = deadline
        self._finished = finished
        self.produced = 0
        self.complete: bool | None = None

    def __iter__(self) -> Solutions:
        return self

    def _ran_dry(self) -> bool:
        return self._finished() if self._finished is not None else not self._deadline.expired()

    def __next__(self) -> tuple[int, ...]:
        if self.complete is not None:
            raise StopIteration
        if self._limit is not None and self.produced >= self._limit:
            # One more solution, if there is one, tells "exactly the limit" from "more than it".
            self._end(next(self._source, None) is None and self._ran_dry())
        solution = next(self._source, None)
        if solution is None:
            self._end(self._ran_dry())
        self.produced += 1
        assert solution is not None
        return solution

    def _end(self, complete: bool) -> NoReturn:
        self.complete = complete
        self.close()
        raise StopIteration

    def close(self) -> None:
        """Stop the enumeration (a backend solving in the background stops at once)."""
        close = getattr(self._source, "close", None)
        if close is not None:
            close()


@runtime_checkable
class Session(Protocol):
    """Many questions about one set of constraints, before one deadline (see the module docstring).

    ``conditions`` are extra constraints for one question only; ``time_limit`` (seconds) a tighter limit for
    one question. Soft constraints are registered once (:meth:`soft`) and assumed by id in any later question.
    """

    backend: str
    constraints: Constraints
    deadline: Deadline
    native: Capability

    def soft(self, expr: BoolExpr) -> int:
        """Register a soft constraint, imposed only when assumed; its id (a new one each call, even for an
        expression registered before: two red lines that say the same are two things to give up)."""
        ...

    def soft_any(self, ids: Sequence[int], *, into: int | None = None) -> int:
        """A soft constraint "at least one of the soft constraints ``ids`` holds"; with ``into``, that is added
        to the existing soft constraint ``into`` (which must come from ``soft_any`` or ``soft_cost``)."""
        ...

    def soft_cost(self, weights: Sequence[tuple[int, int]], value: int) -> int:
        """A soft constraint "the soft constraints not kept, among ``(id, weight)`` pairs, weigh ``value``".

        ``value`` must be the minimum :meth:`fewest_dropped` proved (weights positive): only then does every
        backend read it the same way (a solution's dropped set is then exactly what it breaks)."""
        ...

    def retire(self, id: int) -> None:
        """Never assume soft constraint ``id`` again (it is false from now on; frees nothing, costs nothing)."""
        ...

    def require(self, expr: BoolExpr) -> None:
        """Impose ``expr`` on every later question (a hard constraint added to the session)."""
        ...

    def solve(
        self, conditions: Sequence[BoolExpr] = (), *, assume: Sequence[int] = (), time_limit: float | None = None
    ) -> Answer:
        """A solution meeting ``conditions`` and the soft constraints ``assume``; a core when there is none."""
        ...

    def find(self, conditions: Sequence[BoolExpr] = (), *, time_limit: float | None = None) -> SolveResult:
        """A solution meeting ``conditions`` (:meth:`solve` with nothing assumed)."""
        ...

    def find_most(
        self, conditions: Sequence[BoolExpr], wanted: Sequence[BoolExpr], *, time_limit: float | None = None
    ) -> SolveResult:
        """A solution meeting ``conditions`` and at least one of ``wanted``, meeting as many of ``wanted`` as the
        backend finds cheaply (CP-SAT: a short optimisation; elsewhere any such solution), never proven the most;
        ``UNSAT``: no solution meets any of them. For callers that settle several questions per solve."""
        ...

    def lexmin(self, conditions: Sequence[BoolExpr] = (), *, time_limit: float | None = None) -> SolveResult:
        """The lexicographically smallest solution meeting ``conditions``."""
        ...

    def maximise(
        self,
        objective: IntExpr,
        conditions: Sequence[BoolExpr] = (),
        *,
        start: tuple[int, ...] | None = None,
        time_limit: float | None = None,
    ) -> SolveResult:
        """A solution meeting ``conditions`` on which ``objective`` is largest. ``SAT``: a proven maximum;
        ``UNSAT``: no solution; ``UNKNOWN``: the deadline came first, and the solution (if any) is the best one
        found. ``start``, a solution known to meet ``conditions``, may speed the search up."""
        ...

    def minimise(
        self,
        objective: IntExpr,
        conditions: Sequence[BoolExpr] = (),
        *,
        start: tuple[int, ...] | None = None,
        time_limit: float | None = None,
    ) -> SolveResult:
        """As :meth:`maximise`, for the smallest value."""
        ...

    def fewest_dropped(self, weights: Sequence[tuple[int, int]], *, time_limit: float | None = None) -> SolveResult:
        """A solution minimising the total weight of the soft constraints (``(id, weight)`` pairs, weights at least
        1) it breaks; ``SAT`` when proven the minimum."""
        ...

    def solutions(
        self, conditions: Sequence[BoolExpr] = (), *, limit: int | None = None, time_limit: float | None = None
    ) -> Solutions:
        """Every solution meeting ``conditions``, streamed; at most ``limit``."""
        ...

    def count(
        self, conditions: Sequence[BoolExpr] = (), *, limit: int | None = None, time_limit: float | None = None
    ) -> SolutionCount:
        """How many solutions meet ``conditions`` (``exact=False``: a lower bound, stopped by limit or deadline)."""
        ...


def open_session(
    backend: str | Backend,
    constraints: Constraints,
    deadline: Deadline | float | None = None,
    *,
    presolve: bool | None = None,
) -> Session:
    """A session of ``backend`` (a name in :data:`BACKENDS`, or a backend module) on ``constraints``, answering
    until ``deadline`` (a :class:`Deadline`, or seconds from now; ``None``: no limit).

    ``presolve`` (CP-SAT only) presolves each solve: it pays on a few hard questions, not on many small ones (the
    default: off).

    >>> from dealcheck.rules.ir import IsTrue, Not
    >>> session = open_session("brute", Constraints((range(2), range(2)), (IsTrue(0),)))
    >>> session.find([Not(IsTrue(1))]).solution, session.find([Not(IsTrue(0))]).status
    ((1, 0), <SolveStatus.UNSAT: 'unsat'>)
    """
    module = get_backend(backend) if isinstance(backend, str) else backend
    if not isinstance(deadline, Deadline):
        deadline = Deadline(deadline)
    own = getattr(module, "open_session", None)
    if own is not None:
        session: Session = own(constraints, deadline, presolve=bool(presolve))
        return session
    return GenericSession(module, constraints, deadline)


# --- the generic session ------------------------------------------------------------------------------------


@attrs.frozen
class _Soft:
    """A soft constraint of the generic session: an expression, "one of these", or "dropped ones weigh this"."""

    expr: BoolExpr | None = None
    any_of: tuple[tuple[int, ...], ...] = ()
    cost: tuple[tuple[tuple[int, int], ...], int] | None = None


class Optimiser:
    """:meth:`Session.maximise` and :meth:`Session.minimise` for a session class that answers both with one method,
    ``_optimise``: the two signatures are written once, here."""

    def maximise(
        self,
        objective: IntExpr,
        conditions: Sequence[BoolExpr] = (),
        *,
        start: tuple[int, ...] | None = None,
        time_limit: float | None = None,
    ) -> SolveResult:
        return self._optimise(objective, conditions, start, time_limit, maximise=True)

    def minimise(
        self,
        objective: IntExpr,
        conditions: Sequence[BoolExpr] = (),
        *,
        start: tuple[int, ...] | None = None,
        time_limit: float | None = None,
    ) -> SolveResult:
        return self._optimise(objective, conditions, start, time_limit, maximise=False)

    def _optimise(
        self,
        objective: IntExpr,
        conditions: Sequence[BoolExpr],
        start: tuple[int, ...] | None,
        time_limit: float | None,
        *,
        maximise: bool,
    ) -> SolveResult:
        raise NotImplementedError


class GenericSession(Optimiser):
    """A session over a backend module's functions (python-constraint2, brute force): each question is a fresh
    solve of the constraints plus its conditions; the native capabilities are none.

    >>> from dealcheck.rules.ir import CmpOp, Compare, Const, Var
    >>> s = GenericSession(get_backend("brute"), Constraints((range(3),)), Deadline(None))
    >>> low, high = s.soft(Compare(CmpOp.LT, Var(0), Const(1))), s.soft(Compare(CmpOp.GT, Var(0), Const(1)))
    >>> s.solve(assume=[low, high]), s.solve(assume=[high]).solution
    (Answer(status=<SolveStatus.UNSAT: 'unsat'>, solution=None, core=(0, 1)), (2,))
    """

    native = Capability.NONE

    def __init__(self, module: Backend, constraints: Constraints, deadline: Deadline) -> None:
        self.module = module
        name: str = getattr(module, "__name__", "generic")
        self.backend = name.rsplit(".", 1)[-1].replace("pyconstraint", "constraint")
        self.constraints = constraints
        self.deadline = deadline
        self._soft: list[_Soft] = []
        self._retired: set[int] = set()

    # --- soft constraints, as expressions over the terms ---------------------------------------------------

    def soft(self, expr: BoolExpr) -> int:
        self._soft.append(_Soft(expr=expr))
        return len(self._soft) - 1

    def soft_any(self, ids: Sequence[int], *, into: int | None = None) -> int:
        if into is None:
            self._soft.append(_Soft(any_of=(tuple(ids),)))
            return len(self._soft) - 1
        old = self._soft[into]
        self._soft[into] = attrs.evolve(old, any_of=(*old.any_of, tuple(ids)))
        return into

    def soft_cost(self, weights: Sequence[tuple[int, int]], value: int) -> int:
        self._soft.append(_Soft(cost=(tuple(weights), value)))
        return len(self._soft) - 1

    def retire(self, id: int) -> None:
        self._retired.add(id)

    def _meaning(self, id: int) -> BoolExpr:
        """What assuming soft constraint ``id`` imposes on the terms.

        A selector that is true imposes its expression; the others are free, so "one of these holds" is the
        disjunction of their expressions, and "the dropped ones weigh ``value``" (at the minimum) is "the ones
        broken weigh at most ``value``": every backend reads a minimum-cost drop as exactly the broken ones."""
        if id in self._retired:
            return Truth(False)
        soft = self._soft[id]
        parts: list[BoolExpr] = []
        if soft.expr is not None:
            parts.append(soft.expr)
        for group in soft.any_of:
            parts.append(Logic(Connective.OR, tuple(self._meaning(i) for i in group)) if group else Truth(False))
        if soft.cost is not None:
            weights, value = soft.cost
            parts.append(Compare(CmpOp.LE, self._broken_weight(weights), Const(value)))
        return parts[0] if len(parts) == 1 else Logic(Connective.AND, tuple(parts))

    def _broken_weight(self, weights: Sequence[tuple[int, int]]) -> IntExpr:
        return weighted_count([(w, Not(self._meaning(i))) for i, w in weights])

    # --- questions ---------------------------------------------------------------------------------------------

    def _within(self, time_limit: float | None) -> Deadline:
        return self.deadline.within(time_limit)

    def require(self, expr: BoolExpr) -> None:
        self.constraints = self.constraints.with_constraints(expr)

    def solve(
        self, conditions: Sequence[BoolExpr] = (), *, assume: Sequence[int] = (), time_limit: float | None = None
    ) -> Answer:
        deadline = self._within(time_limit)
        if deadline.expired():  # a backend given 0 s may still answer: out of time is one rule for every question
            return Answer(SolveStatus.UNKNOWN)
        assumed = tuple(dict.fromkeys(assume))
        problem = self.constraints.with_constraints(*conditions, *(self._meaning(i) for i in assumed))
        result = self.module.find_solution(problem, time_limit=deadline.remaining())
        core = assumed if result.status is SolveStatus.UNSAT else ()
        return Answer(result.status, result.solution, core)

    def find(self, conditions: Sequence[BoolExpr] = (), *, time_limit: float | None = None) -> SolveResult:
        answer = self.solve(conditions, time_limit=time_limit)
        return SolveResult(answer.status, answer.solution)

    def find_most(
        self, conditions: Sequence[BoolExpr], wanted: Sequence[BoolExpr], *, time_limit: float | None = None
    ) -> SolveResult:
        # Any solution meeting one of ``wanted``: the fallback optimisations (bisection, listing) would cost more
        # solves than meeting more of ``wanted`` saves the caller.
        if not wanted:
            return SolveResult(SolveStatus.UNSAT)
        one_of = wanted[0] if len(wanted) == 1 else Logic(Connective.OR, tuple(wanted))
        return self.find([*conditions, one_of], time_limit=time_limit)

    def lexmin(self, conditions: Sequence[BoolExpr] = (), *, time_limit: float | None = None) -> SolveResult:
        deadline = self._within(time_limit)
        if deadline.expired():
            return SolveResult(SolveStatus.UNKNOWN)
        return self.module.lexmin_solution(
            self.constraints.with_constraints(*conditions), time_limit=deadline.remaining()
        )

    def _optimise(
        self,
        objective: IntExpr,
        conditions: Sequence[BoolExpr],
        start: tuple[int, ...] | None,
        time_limit: float | None,
        *,
        maximise: bool,
    ) -> SolveResult:
        """By one pass over the solutions (stopping early at the objective's upper bound); a minimum is the
        maximum of the negated objective.

        >>> from dealcheck.rules.ir import Arith, ArithOp, Var
        >>> session = GenericSession(get_backend("brute"), Constraints((range(3), range(3))), Deadline(None))
        >>> session.maximise(Arith(ArithOp.SUB, Var(0), Var(1))).solution
        (2, 0)
        """
        # Not bisection on ``objective >= k``: these backends test a constraint only once all of its terms have
        # values, so an objective reading many terms prunes almost nothing and every unsatisfiable step would list
        # every solution again (the bundled scenario's frontier on python-constraint2: 14 s per maximum by
        # bisection, 1.5 s in one pass).
        from dealcheck.rules.evaluator import bounds  # the rule layer; kept off the import path
        from dealcheck.solver.compiled import compile_value

        if not maximise:
            objective = Arith(ArithOp.SUB, Const(0), objective)
        deadline = self._within(time_limit)
        if deadline.expired():
            return SolveResult(SolveStatus.UNKNOWN, start)
        limits = bounds(objective, (None,) * len(self.constraints.domains), self.constraints.bounds)
        assert limits is not None
        value_of = compile_value(objective)
        best, reached = start, (None if start is None else value_of(start))
        stream = self.solutions(conditions, time_limit=deadline.remaining())
        for solution in stream:
            value = value_of(solution)
            if reached is None or value > reached:
                best, reached = solution, value
                if reached >= limits[1]:
                    stream.close()
                    return SolveResult(SolveStatus.SAT, best)
        if not stream.complete:
            return SolveResult(SolveStatus.UNKNOWN, best)
        return SolveResult(SolveStatus.UNSAT) if best is None else SolveResult(SolveStatus.SAT, best)

    def fewest_dropped(self, weights: Sequence[tuple[int, int]], *, time_limit: float | None = None) -> SolveResult:
        if any(w < 1 for _, w in weights):
            raise ValueError("every weight must be at least 1")
        return self.minimise(self._broken_weight(weights), time_limit=time_limit)

    def solutions(
        self, conditions: Sequence[BoolExpr] = (), *, limit: int | None = None, time_limit: float | None = None
    ) -> Solutions:
        deadline = self._within(time_limit)
        problem = self.constraints.with_constraints(*conditions)
        source = self.module.iterate_solutions(problem, time_limit=deadline.remaining())

        # Complete only when the listing says it ran dry (not stopped by the time limit or Ctrl-C) *and* the deadline
        # has not passed: past it every answer is "unknown", however small the problem (one rule for every backend).
        def finished() -> bool:
            return getattr(source, "complete", None) is True and not deadline.expired()

        return Solutions(source, limit, deadline, finished)

    def count(
        self, conditions: Sequence[BoolExpr] = (), *, limit: int | None = None, time_limit: float | None = None
    ) -> SolutionCount:
        deadline = self._within(time_limit)
        if deadline.expired():  # out of time is one rule, however small the problem
            return SolutionCount(0, exact=False)
        problem = self.constraints.with_constraints(*conditions)
        return self.module.count_solutions(problem, limit=limit, time_limit=deadline.remaining())


def _check_protocol(session: GenericSession) -> Session:
    return session  # mypy: GenericSession is a Session
