"""Optimisation over any backend: the best value of an integer expression, and the tie-broken solution reaching it.

In: :class:`~dealcheck.solver.base.Constraints`, a backend name, a shared :class:`~dealcheck.solver.base.Deadline`.
Out: solutions (code tuples), proven maxima, or :class:`LimitReached` when the deadline stops a solve.

Every analysis that ranks (best deals, the Pareto frontier, nearest repairs) asks the same two questions: "what is
the largest value of this objective over the solutions?" and "which solution reaching it has the lexicographically
smallest codes?". The second is the documented tie-break everywhere in dealcheck, so the answer is unique and every
backend must give the same one.

The questions go to one :class:`~dealcheck.solver.session.Session` (CP-SAT maximises in one solve and keeps one
model; the other backends bisect on ``objective >= k``). Both are exact; the objective is an integer expression
(:mod:`dealcheck.rules.ir`) so no float ever decides a ranking. A solve that the deadline stops raises
:class:`LimitReached`: a caller reports what it had proven before, never a guess.
"""

from __future__ import annotations

from dealcheck.rules.evaluator import evaluate_int
from dealcheck.rules.ir import (
    BoolExpr,
    IntExpr,
    balanced_sum,
    differs,
    weighted_count,
)
from dealcheck.solver.base import Constraints, Deadline, SolveResult, SolveStatus
from dealcheck.solver.session import Session, open_session

__all__ = ["LimitReached", "Search", "balanced_sum", "differs", "weighted_count"]


class LimitReached(Exception):
    """A time limit stopped a solve before it could tell."""


class Search:
    """Questions about the solutions of ``problem``, asked through backend ``backend`` before ``deadline``.

    >>> from dealcheck.rules.ir import Arith, ArithOp, CmpOp, Compare, Const, Var
    >>> p = Constraints((range(3), range(3)), (Compare(CmpOp.LE, Var(0), Var(1)),))
    >>> s = Search("brute", p, Deadline(None))
    >>> objective = Arith(ArithOp.SUB, Var(1), Var(0))
    >>> s.maximum(objective), s.lexmin(Compare(CmpOp.EQ, objective, Const(1)))
    (2, (0, 1))
    >>> Search("cpsat", p, Deadline(None)).maximum(objective)
    2
    """

    def __init__(self, backend: str, problem: Constraints, deadline: Deadline) -> None:
        self.problem = problem
        self.deadline = deadline
        self.session: Session = open_session(backend, problem, deadline)
        self.solves = 0

    def _settled(self, result: SolveResult) -> tuple[int, ...] | None:
        self.solves += 1
        if result.status is SolveStatus.UNKNOWN:
            raise LimitReached
        return result.solution if result.status is SolveStatus.SAT else None

    def _check_time(self) -> None:
        # A backend given 0 s may still answer a trivial problem; stopping here keeps "out of time" one rule.
        if self.deadline.expired():
            raise LimitReached

    def find(self, *extra: BoolExpr) -> tuple[int, ...] | None:
        """Some solution that also meets ``extra``, or ``None`` when there is none."""
        self._check_time()
        return self._settled(self.session.find(extra))

    def lexmin(self, *extra: BoolExpr) -> tuple[int, ...] | None:
        """The solution meeting ``extra`` with the lexicographically smallest codes, or ``None``."""
        self._check_time()
        return self._settled(self.session.lexmin(extra))

    def argmax(self, objective: IntExpr, *extra: BoolExpr) -> tuple[int, ...] | None:
        """A solution meeting ``extra`` at which ``objective`` takes its largest value (proven); ``None`` when there
        is none. For a caller that can value the solution faster than :meth:`maximum`'s walk of the expression."""
        self._check_time()
        return self._settled(self.session.maximise(objective, extra))

    def maximum(self, objective: IntExpr, *extra: BoolExpr) -> int | None:
        """The largest value ``objective`` takes over the solutions meeting ``extra``; ``None`` when there are none."""
        solution = self.argmax(objective, *extra)
        if solution is None:
            return None
        # The value is recomputed from the solution, exactly (CP-SAT's objective value is a float).
        value = evaluate_int(objective, solution)
        assert value is not None
        return value
