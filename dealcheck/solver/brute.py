"""The brute-force backend: every combination of codes, in lexicographic order, checked by the compiled rules.

In: a :class:`~dealcheck.solver.base.Constraints`. Out: the answers of :class:`~dealcheck.solver.base.Backend`.
It is the reference the other backends are tested against, and only practical for small problems (the product of
the domain sizes is the work). Solutions come out in lexicographic order, so the first is the smallest.

>>> from dealcheck.rules.ir import CmpOp, Compare, Var
>>> p = Constraints((range(3), range(3)), (Compare(CmpOp.LT, Var(0), Var(1)),))
>>> list(iterate_solutions(p))
[(0, 1), (0, 2), (1, 2)]
>>> count_solutions(p, fixed=(0, None))
SolutionCount(count=2, exact=True)
"""

from __future__ import annotations

import itertools
from collections.abc import Generator, Iterator

from dealcheck.solver.base import (
    Constraints,
    Deadline,
    Fixed,
    Listing,
    SolutionCount,
    SolveResult,
    SolveStatus,
    refuse_wide,
)
from dealcheck.solver.compiled import compile_rules

__all__ = ["count_solutions", "find_solution", "iterate_solutions", "lexmin_solution"]

_INSTEAD = "use --backend cpsat (it holds a range as bounds), or dealcheck explore for counts and intervals"

#: How many candidates are checked between two looks at the clock.
_CLOCK_EVERY = 4096


class _OutOfTime(Exception):
    pass


def _solutions(problem: Constraints, fixed: Fixed | None, deadline: Deadline) -> Iterator[tuple[int, ...]]:
    domains = problem.free_domains(fixed)
    if domains is None:
        return
    refuse_wide(domains, "the brute backend", _INSTEAD)
    check = compile_rules(problem.constraints)
    for n, candidate in enumerate(itertools.product(*domains)):
        if n % _CLOCK_EVERY == _CLOCK_EVERY - 1 and deadline.expired():
            raise _OutOfTime
        if all(check(candidate)):
            yield candidate


def find_solution(problem: Constraints, *, fixed: Fixed | None = None, time_limit: float | None = None) -> SolveResult:
    deadline = Deadline(time_limit)
    try:
        for solution in _solutions(problem, fixed, deadline):
            return SolveResult(SolveStatus.SAT, solution)
    except _OutOfTime:
        return SolveResult(SolveStatus.UNKNOWN)
    return SolveResult(SolveStatus.UNSAT)  # ran dry: every candidate was looked at


#: Enumeration is already lexicographic, so the first solution is the smallest.
lexmin_solution = find_solution


def iterate_solutions(
    problem: Constraints, *, fixed: Fixed | None = None, limit: int | None = None, time_limit: float | None = None
) -> Listing:
    """Solutions in lexicographic order; ``complete`` at the end unless ``limit``, the time limit or Ctrl-C
    stopped it."""
    return Listing(_listing(problem, fixed, limit, Deadline(time_limit)))


def _listing(
    problem: Constraints, fixed: Fixed | None, limit: int | None, deadline: Deadline
) -> Generator[tuple[int, ...], None, bool]:
    count = 0
    try:
        for solution in _solutions(problem, fixed, deadline):
            if limit is not None and count >= limit:
                return False  # one more than the limit exists
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
    try:
        for _ in _solutions(problem, fixed, deadline):
            if limit is not None and count >= limit:  # one more than the limit exists: the count is a lower bound
                return SolutionCount(count, exact=False)
            count += 1
    except _OutOfTime:
        return SolutionCount(count, exact=False)
    return SolutionCount(count, exact=True)
