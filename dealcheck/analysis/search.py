"""Optimisation over any engine: the best value of an integer expression, and the tie-broken solution reaching it.

In: a :class:`~dealcheck.solver.base.Problem`, an engine name, a shared :class:`~dealcheck.solver.base.Deadline`.
Out: solutions (code tuples), proven maxima, or :class:`LimitReached` when the deadline stops a solve.

Every analysis that ranks (best deals, the Pareto frontier, nearest repairs) asks the same two questions: "what is
the largest value of this objective over the solutions?" and "which solution reaching it has the lexicographically
smallest codes?". The second is the documented tie-break everywhere in dealcheck, so the answer is unique and every
engine must give the same one.

CP-SAT maximises directly (one solve per maximum); the other engines bisect on ``objective >= k`` with
``find_solution``. Both are exact; the objective is an integer expression (:mod:`dealcheck.rules.ir`) so no float
ever decides a ranking. A solve that the deadline stops raises :class:`LimitReached`: a caller reports what it had
proven before, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence

from dealcheck.rules.evaluator import bounds, evaluate_int
from dealcheck.rules.ir import Arith, ArithOp, BoolExpr, CmpOp, Compare, Connective, Const, Count, IntExpr, Logic, Not, Truth, Var
from dealcheck.solver.base import Deadline, Problem, SolveResult, SolveStatus, get_engine

__all__ = ["LimitReached", "Search", "balanced_sum", "differs", "weighted_count"]


class LimitReached(Exception):
    """A time limit stopped a solve before it could tell."""


class Search:
    """Questions about the solutions of ``problem``, asked through engine ``engine`` before ``deadline``.

    >>> from dealcheck.rules.ir import CmpOp, Compare, Var
    >>> p = Problem((range(3), range(3)), (Compare(CmpOp.LE, Var(0), Var(1)),))
    >>> s = Search("brute", p, Deadline(None))
    >>> objective = Arith(ArithOp.SUB, Var(1), Var(0))
    >>> s.maximum(objective), s.lexmin(Compare(CmpOp.EQ, objective, Const(1)))
    (2, (0, 1))
    >>> Search("cpsat", p, Deadline(None)).maximum(objective)
    2
    """

    def __init__(self, engine: str, problem: Problem, deadline: Deadline) -> None:
        self.engine_name = engine
        self.engine = get_engine(engine)
        self.problem = problem
        self.deadline = deadline
        self.solves = 0

    def _settled(self, result: SolveResult) -> tuple[int, ...] | None:
        self.solves += 1
        if result.status is SolveStatus.UNKNOWN:
            raise LimitReached
        return result.solution if result.status is SolveStatus.SAT else None

    def _check_time(self) -> None:
        # An engine given 0 s may still answer a trivial problem; stopping here keeps "out of time" one rule.
        if self.deadline.expired():
            raise LimitReached

    def find(self, *extra: BoolExpr) -> tuple[int, ...] | None:
        """Some solution that also meets ``extra``, or ``None`` when there is none."""
        self._check_time()
        problem = self.problem.with_constraints(*extra)
        return self._settled(self.engine.find_solution(problem, time_limit=self.deadline.remaining()))

    def lexmin(self, *extra: BoolExpr) -> tuple[int, ...] | None:
        """The solution meeting ``extra`` with the lexicographically smallest codes, or ``None``."""
        self._check_time()
        problem = self.problem.with_constraints(*extra)
        return self._settled(self.engine.lexmin_solution(problem, time_limit=self.deadline.remaining()))

    def maximum(self, objective: IntExpr, *extra: BoolExpr) -> int | None:
        """The largest value ``objective`` takes over the solutions meeting ``extra``; ``None`` when there are none."""
        if self.engine_name == "cpsat":
            return self._cpsat_maximum(objective, extra)
        first = self.find(*extra)
        if first is None:
            return None
        best = _value(objective, first)
        b = bounds(objective, (None,) * len(self.problem.domains), self.problem.bounds)
        assert b is not None
        hi = b[1]
        while best < hi:  # invariant: best is reached, nothing above hi is
            mid = (best + 1 + hi) // 2
            found = self.find(*extra, Compare(CmpOp.GE, objective, Const(mid)))
            if found is None:
                hi = mid - 1
            else:
                best = _value(objective, found)
        return best

    def _cpsat_maximum(self, objective: IntExpr, extra: Sequence[BoolExpr]) -> int | None:
        from dealcheck.solver.cpsat import CpsatModel

        self._check_time()
        problem = self.problem.with_constraints(*extra)
        merged = problem.merged_fixed()
        if merged is None:
            return None
        m = CpsatModel(problem.domains)
        m.fix(merged)
        for c in problem.constraints:
            m.require(c)
        linear = m.linear(objective)
        if not isinstance(linear, int):
            m.model.maximize(linear)
        solution = self._settled(m.solve(time_limit=self.deadline.remaining()))
        # The value is recomputed from the solution, exactly; CP-SAT's objective_value is a float.
        return None if solution is None else _value(objective, solution)


def _value(objective: IntExpr, codes: tuple[int, ...]) -> int:
    value = evaluate_int(objective, codes)
    assert value is not None
    return value


def balanced_sum(parts: Sequence[IntExpr]) -> IntExpr:
    """``a + b + c + ...`` as a balanced tree (``0`` when empty), so many parts never make a deep expression.

    >>> balanced_sum([Const(1), Const(2), Const(3)])
    Arith(op=<ArithOp.ADD: '+'>, left=Arith(op=<ArithOp.ADD: '+'>, left=Const(value=1), right=Const(value=2)), right=Const(value=3))
    """
    items = list(parts)
    if not items:
        return Const(0)
    while len(items) > 1:
        paired: list[IntExpr] = [Arith(ArithOp.ADD, a, b) for a, b in zip(items[::2], items[1::2], strict=False)]
        if len(items) % 2:
            paired.append(items[-1])
        items = paired
    return items[0]


def weighted_count(pairs: Sequence[tuple[int, BoolExpr]]) -> IntExpr:
    """The sum of the weights of the conditions that hold."""
    return balanced_sum([Count((c,)) if w == 1 else Arith(ArithOp.MUL, Const(w), Count((c,))) for w, c in pairs if w])


def differs(codes: Sequence[int | None]) -> BoolExpr:
    """A condition excluding the given codes (``None`` entries ignored): some listed term takes another code.

    >>> differs((1, None))
    Not(arg=Logic(op=<Connective.AND: 'and'>, operands=(Compare(op=<CmpOp.EQ: '=='>, left=Var(index=0), right=Const(value=1)),)))
    """
    same = tuple(Compare(CmpOp.EQ, Var(i), Const(c)) for i, c in enumerate(codes) if c is not None)
    return Not(Logic(Connective.AND, same)) if same else Truth(False)
