"""The backend interface: a finite-domain problem over term codes, and the questions every solver backend answers.

In: a :class:`Problem` (each term's codes, hard constraints as checked expressions, optionally some codes fixed).
Out: :class:`SolveResult` (one solution or a proof there is none), solutions one by one, or a
:class:`SolutionCount`.

Each backend is a module with the same four functions (see :class:`Backend`): :mod:`dealcheck.solver.cpsat`
(OR-Tools CP-SAT, the default), :mod:`dealcheck.solver.pyconstraint` (python-constraint2) and
:mod:`dealcheck.solver.brute` (every combination; tests only). :func:`get_backend` imports one by name; the solver
library itself is imported only when a function solves.

A time limit is never allowed to turn into a wrong answer: a backend that runs out of time says ``UNKNOWN`` (or
``exact=False`` for a count), never ``UNSAT``.
"""

from __future__ import annotations

import enum
import importlib
import time
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

import attrs

from dealcheck.errors import UsageError
from dealcheck.rules.ir import BoolExpr, CmpOp, Compare, Const, IntExpr

if TYPE_CHECKING:
    from dealcheck.model import Rule, Scenario

__all__ = [
    "BACKENDS",
    "Backend",
    "Deadline",
    "Fixed",
    "Problem",
    "Session",
    "SolutionCount",
    "SolveResult",
    "SolveStatus",
    "get_backend",
    "lexmin_by_probing",
    "open_session",
]

#: Backend names, as ``--backend`` takes them; the first is the default.
BACKENDS: tuple[str, ...] = ("cpsat", "constraint", "brute")
_MODULES = {
    "cpsat": "dealcheck.solver.cpsat",
    "constraint": "dealcheck.solver.pyconstraint",
    "brute": "dealcheck.solver.brute",
}

#: Codes in term order, ``None`` where a term is free.
Fixed = Sequence[int | None]


class SolveStatus(enum.Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"  # a limit stopped the search before it could tell


@attrs.frozen
class SolveResult:
    status: SolveStatus
    solution: tuple[int, ...] | None = None


@attrs.frozen
class SolutionCount:
    """``count`` solutions found; ``exact`` unless a time or count limit stopped the search first."""

    count: int
    exact: bool


@attrs.frozen
class Problem:
    """Find codes, one per term, inside ``domains``, that make every constraint hold, agreeing with ``fixed``.

    >>> from dealcheck.rules.ir import CmpOp, Compare, Var
    >>> p = Problem((range(3), range(2)), (Compare(CmpOp.GT, Var(0), Var(1)),))
    >>> p.free_domains((None, 1))
    (range(0, 3), range(1, 2))
    """

    domains: tuple[range, ...]
    constraints: tuple[BoolExpr, ...] = ()
    fixed: tuple[int | None, ...] | None = None

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, rules: Sequence[Rule] | None = None, fixed: Fixed | None = None
    ) -> Problem:
        """The problem whose solutions are the deals of ``scenario`` (or of ``rules``, default every red line)."""
        chosen = list(scenario.red_lines()) if rules is None else rules
        return cls(
            tuple(t.domain.codes for t in scenario.terms),
            tuple(r.expr for r in chosen),
            None if fixed is None else tuple(fixed),
        )

    @property
    def bounds(self) -> tuple[tuple[int, int], ...]:
        """Each term's ``(lo, hi)``; an empty domain gives ``(0, -1)``."""
        return tuple((d.start, d.stop - 1) for d in self.domains)

    def with_constraints(self, *exprs: BoolExpr) -> Problem:
        return attrs.evolve(self, constraints=self.constraints + exprs)

    def merged_fixed(self, fixed: Fixed | None = None) -> tuple[int | None, ...] | None:
        """``self.fixed`` and ``fixed`` together, or ``None`` when they disagree or leave a domain (no solution)."""
        out: list[int | None] = [None] * len(self.domains)
        for source in (self.fixed, fixed):
            if source is None:
                continue
            if len(source) != len(self.domains):
                raise ValueError(f"fixed codes for {len(source)} terms, but the problem has {len(self.domains)}")
            for i, code in enumerate(source):
                if code is None:
                    continue
                if code not in self.domains[i] or (out[i] is not None and out[i] != code):
                    return None
                out[i] = code
        return tuple(out)

    def free_domains(self, fixed: Fixed | None = None) -> tuple[range, ...] | None:
        """Each term's codes once ``fixed`` is applied; ``None`` when nothing fits."""
        merged = self.merged_fixed(fixed)
        if merged is None:
            return None
        return tuple(d if c is None else range(c, c + 1) for d, c in zip(self.domains, merged, strict=True))


class Deadline:
    """A time budget shared by several solver calls; ``None`` means no limit.

    >>> Deadline(None).remaining() is None, Deadline(10).expired()
    (True, False)
    """

    def __init__(self, time_limit: float | None) -> None:
        self.end = None if time_limit is None else time.monotonic() + max(0.0, time_limit)

    def remaining(self) -> float | None:
        return None if self.end is None else max(0.0, self.end - time.monotonic())

    def expired(self) -> bool:
        return self.end is not None and time.monotonic() >= self.end


class Backend(Protocol):
    """What every backend module provides. ``time_limit`` is in seconds, ``None`` for none."""

    def find_solution(
        self, problem: Problem, *, fixed: Fixed | None = None, time_limit: float | None = None
    ) -> SolveResult: ...

    def lexmin_solution(
        self, problem: Problem, *, fixed: Fixed | None = None, time_limit: float | None = None
    ) -> SolveResult:
        """The lexicographically smallest solution (codes compared in term order): the documented tie-break."""
        ...

    def iterate_solutions(
        self, problem: Problem, *, fixed: Fixed | None = None, limit: int | None = None, time_limit: float | None = None
    ) -> Iterator[tuple[int, ...]]:
        """Distinct solutions, at most ``limit``; the order is the backend's own (deterministic)."""
        ...

    def count_solutions(
        self, problem: Problem, *, fixed: Fixed | None = None, limit: int | None = None, time_limit: float | None = None
    ) -> SolutionCount: ...


def get_backend(name: str) -> Backend:
    """The backend module called ``name`` (one of :data:`BACKENDS`).

    >>> get_backend("brute").__name__
    'dealcheck.solver.brute'
    """
    try:
        module = _MODULES[name]
    except KeyError:
        raise UsageError(f"unknown backend {name!r}", "the backends are " + ", ".join(BACKENDS)) from None
    return importlib.import_module(module)  # type: ignore[return-value]


def lexmin_by_probing(
    backend: Backend, problem: Problem, *, fixed: Fixed | None = None, time_limit: float | None = None
) -> SolveResult:
    """The lexicographically smallest solution, found by fixing terms one at a time to their smallest feasible code.

    Works over any backend's ``find_solution``; a backend with a faster way (CP-SAT minimises) uses its own.
    """
    deadline = Deadline(time_limit)
    merged = problem.merged_fixed(fixed)
    if merged is None:
        return SolveResult(SolveStatus.UNSAT)
    first = backend.find_solution(problem, fixed=merged, time_limit=deadline.remaining())
    if first.status is not SolveStatus.SAT:
        return first
    assert first.solution is not None
    prefix = list(merged)
    best = first.solution
    for i, domain in enumerate(problem.domains):
        if prefix[i] is not None:
            continue
        # Every code below the best solution's code is tried: the smallest feasible one wins.
        for code in domain:
            if code >= best[i]:
                prefix[i] = best[i]
                break
            trial = backend.find_solution(
                problem, fixed=prefix[:i] + [code] + prefix[i + 1 :], time_limit=deadline.remaining()
            )
            if trial.status is SolveStatus.UNKNOWN:
                return trial
            if trial.status is SolveStatus.SAT:
                assert trial.solution is not None
                best = trial.solution
                prefix[i] = code
                break
    return SolveResult(SolveStatus.SAT, best)


class Session:
    """Many questions about one problem: "is there a solution that also meets these conditions?".

    This generic session asks the backend afresh each time; a backend that can do better keeps one model and answers
    by assumptions (CP-SAT: :class:`dealcheck.solver.cpsat.CpsatSession`). Get one with :func:`open_session`.
    """

    def __init__(self, backend: Backend, problem: Problem) -> None:
        self.backend = backend
        self.problem = problem

    def find(self, conditions: Sequence[BoolExpr] = (), *, time_limit: float | None = None) -> SolveResult:
        return self.backend.find_solution(self.problem.with_constraints(*conditions), time_limit=time_limit)

    def lexmin(self, conditions: Sequence[BoolExpr] = (), *, time_limit: float | None = None) -> SolveResult:
        """The lexicographically smallest solution that also meets ``conditions``."""
        return self.backend.lexmin_solution(self.problem.with_constraints(*conditions), time_limit=time_limit)

    def maximum(
        self,
        objective: IntExpr,
        conditions: Sequence[BoolExpr] = (),
        *,
        start: tuple[int, ...] | None = None,
        time_limit: float | None = None,
    ) -> SolveResult:
        """A solution meeting ``conditions`` on which integer expression ``objective`` is largest.

        ``SAT``: the solution is a proven maximum; ``UNSAT``: no solution meets ``conditions``; ``UNKNOWN``: the
        time limit stopped the search, and the solution (if any) is the best one proven to exist. ``start`` is a
        solution already known to meet ``conditions``: the search begins from its value.

        This generic version bisects on ``objective >= k`` with :meth:`find`; a backend that optimises answers in
        one solve (:class:`dealcheck.solver.cpsat.CpsatSession`).

        >>> from dealcheck.rules.ir import Arith, ArithOp, Var
        >>> session = Session(get_backend("brute"), Problem((range(3), range(3))))
        >>> session.maximum(Arith(ArithOp.SUB, Var(0), Var(1))).solution
        (2, 0)
        """
        from dealcheck.rules.evaluator import bounds, evaluate_int  # the rule layer; kept off the import path

        deadline = Deadline(time_limit)
        best = start
        if best is None:
            first = self.find(conditions, time_limit=deadline.remaining())
            if first.status is not SolveStatus.SAT:
                return first
            best = first.solution
        assert best is not None
        reached = evaluate_int(objective, best)
        limits = bounds(objective, (None,) * len(self.problem.domains), self.problem.bounds)
        assert reached is not None and limits is not None
        hi = limits[1]
        while reached < hi:  # invariant: ``reached`` is reached, nothing above ``hi`` is
            mid = (reached + 1 + hi) // 2
            found = self.find([*conditions, Compare(CmpOp.GE, objective, Const(mid))], time_limit=deadline.remaining())
            if found.status is SolveStatus.UNKNOWN:
                return SolveResult(SolveStatus.UNKNOWN, best)
            if found.status is SolveStatus.UNSAT:
                hi = mid - 1
            else:
                assert found.solution is not None
                best = found.solution
                value = evaluate_int(objective, best)
                assert value is not None
                reached = value
        return SolveResult(SolveStatus.SAT, best)


def open_session(backend: Backend, problem: Problem) -> Session:
    """A :class:`Session` on ``problem``: the backend's own when it has one (``open_session`` in its module).

    >>> from dealcheck.rules.ir import IsTrue, Not
    >>> session = open_session(get_backend("brute"), Problem((range(2), range(2)), (IsTrue(0),)))
    >>> session.find([Not(IsTrue(1))]).solution, session.find([Not(IsTrue(0))]).status
    ((1, 0), <SolveStatus.UNSAT: 'unsat'>)
    """
    own = getattr(backend, "open_session", None)
    return own(problem) if own is not None else Session(backend, problem)


# The names before the solver-choice concept was called "backend" (issue 13): kept while parallel branches that
# still use them land; nothing in dealcheck uses them. Remove them once ``grep -rn get_engine`` finds only these.
ENGINES = BACKENDS
Engine = Backend
get_engine = get_backend
