"""The python-constraint2 backend: each checked rule as one ``FunctionConstraint`` over the terms it reads.

In: a :class:`~dealcheck.solver.base.Constraints`. Out: the answers of :class:`~dealcheck.solver.base.Backend`.

Each constraint is the rule compiled to a Python function of its terms' codes
(:func:`dealcheck.solver.compiled.compile_rule`). python-constraint's *string* constraints are never used: they
``compile``/``eval`` their input, and rule text is untrusted. python-constraint has no time limit of its own, so
every constraint call looks at the clock now and then and aborts the search when the limit has passed; the answer is
then ``UNKNOWN``. Solutions come in the library's order; :func:`lexmin_solution` probes term by term
(:func:`~dealcheck.solver.base.lexmin_by_probing`).

>>> from dealcheck.rules.ir import CmpOp, Compare, Var
>>> p = Constraints((range(3), range(3)), (Compare(CmpOp.LT, Var(0), Var(1)),))
>>> sorted(iterate_solutions(p)), lexmin_solution(p).solution
([(0, 1), (0, 2), (1, 2)], (0, 1))
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Generator, Iterator
from typing import Any

from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.ir import term_indices
from dealcheck.solver.base import (
    Backend,
    Constraints,
    Deadline,
    Fixed,
    Listing,
    SolutionCount,
    SolveResult,
    SolveStatus,
    lexmin_by_probing,
    refuse_wide,
)
from dealcheck.solver.compiled import compile_rule

__all__ = ["count_solutions", "find_solution", "iterate_solutions", "lexmin_solution"]

_INSTEAD = "use --backend cpsat (it holds a range as bounds), or dealcheck explore for counts and intervals"

#: Constraint calls between two looks at the clock.
_CLOCK_EVERY = 1024


class _OutOfTime(Exception):
    pass


def _timed(func: Callable[..., bool], deadline: Deadline, calls: list[int]) -> Callable[..., bool]:
    if not deadline.watched:  # no time limit and no Ctrl-C to come (a library call): nothing to look at
        return func

    def wrapped(*codes: int) -> bool:
        calls[0] += 1
        if calls[0] % _CLOCK_EVERY == 0 and deadline.expired():
            raise _OutOfTime
        return func(*codes)

    return wrapped


def _solutions(problem: Constraints, fixed: Fixed | None, deadline: Deadline) -> Iterator[tuple[int, ...]]:
    """Every solution, in python-constraint's order; raises ``_OutOfTime`` past the deadline."""
    try:
        from constraint import FunctionConstraint
        from constraint import Problem as CspProblem
    except ImportError as e:  # pragma: no cover - python-constraint2 is a dependency
        raise ImportError("the constraint backend needs python-constraint2: pip install python-constraint2") from e

    domains = problem.free_domains(fixed)
    if domains is None or any(len(d) == 0 for d in domains):
        return
    refuse_wide(domains, "the constraint backend (python-constraint2)", _INSTEAD)
    n = len(domains)
    csp_problem = CspProblem()
    calls = [0]
    for i, d in enumerate(domains):
        csp_problem.addVariable(i, list(d))
    for expr in problem.constraints:
        indices = sorted(term_indices(expr))
        if not indices:
            # python-constraint gives a constraint with no variables *every* variable; settle constants here.
            if not evaluate(expr, (None,) * n):
                return
            continue
        csp_problem.addConstraint(FunctionConstraint(_timed(compile_rule(expr, indices), deadline, calls)), indices)
    if n == 0:
        yield ()  # python-constraint reports no solution for a problem with no variables; the empty package is one
        return
    watched = deadline.watched
    for found, solution in enumerate(csp_problem.getSolutionIter()):
        # Also here: a problem whose solutions need few constraint calls (or none) would never look at the clock.
        if watched and found % _CLOCK_EVERY == _CLOCK_EVERY - 1 and deadline.expired():
            raise _OutOfTime
        yield tuple(solution[i] for i in range(n))


def find_solution(problem: Constraints, *, fixed: Fixed | None = None, time_limit: float | None = None) -> SolveResult:
    deadline = Deadline(time_limit)
    try:
        for solution in _solutions(problem, fixed, deadline):
            return SolveResult(SolveStatus.SAT, solution)
    except _OutOfTime:
        return SolveResult(SolveStatus.UNKNOWN)
    return SolveResult(SolveStatus.UNSAT)  # ran dry: every candidate was looked at


def lexmin_solution(
    problem: Constraints, *, fixed: Fixed | None = None, time_limit: float | None = None
) -> SolveResult:
    backend: Backend = sys.modules[__name__]  # a module is its functions
    return lexmin_by_probing(backend, problem, fixed=fixed, time_limit=time_limit)


def iterate_solutions(
    problem: Constraints, *, fixed: Fixed | None = None, limit: int | None = None, time_limit: float | None = None
) -> Listing:
    """Distinct solutions in python-constraint's order, at most ``limit``; ``complete`` at the end unless the
    limit, the time limit or Ctrl-C stopped it (an early stop is never read as "every solution")."""
    return Listing(_listing(problem, fixed, limit, Deadline(time_limit)))


def _listing(
    problem: Constraints, fixed: Fixed | None, limit: int | None, deadline: Deadline
) -> Generator[tuple[int, ...], None, bool]:
    count = 0
    try:
        for solution in _solutions(problem, fixed, deadline):
            if limit is not None and count >= limit:
                return False
            count += 1
            yield solution
    except _OutOfTime:
        return False
    return True  # ran dry: the deadline (time limit or Ctrl-C) would have raised _OutOfTime


def count_solutions(
    problem: Constraints, *, fixed: Fixed | None = None, limit: int | None = None, time_limit: float | None = None
) -> SolutionCount:
    count = 0
    deadline = Deadline(time_limit)
    solutions: Any = _solutions(problem, fixed, deadline)
    try:
        for _ in solutions:
            if limit is not None and count >= limit:
                return SolutionCount(count, exact=False)
            count += 1
    except _OutOfTime:
        return SolutionCount(count, exact=False)
    return SolutionCount(count, exact=True)
