"""Optimisation over any backend: the best value of an integer expression, and the tie-broken solution reaching it.

In: a :class:`~dealcheck.solver.base.Problem`, a backend name, a shared :class:`~dealcheck.solver.base.Deadline`.
Out: solutions (code tuples), proven maxima, or :class:`LimitReached` when the deadline stops a solve.

Every analysis that ranks (best deals, the Pareto frontier, nearest repairs) asks the same two questions: "what is
the largest value of this objective over the solutions?" and "which solution reaching it has the lexicographically
smallest codes?". The second is the documented tie-break everywhere in dealcheck, so the answer is unique and every
backend must give the same one.

CP-SAT maximises directly (one solve per maximum); the other backends bisect on ``objective >= k`` with
``find_solution``. Both are exact; the objective is an integer expression (:mod:`dealcheck.rules.ir`) so no float
ever decides a ranking. A solve that the deadline stops raises :class:`LimitReached`: a caller reports what it had
proven before, never a guess.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import attrs

from dealcheck.rules.evaluator import bounds, evaluate_int
from dealcheck.rules.ir import (
    Arith,
    ArithOp,
    BoolExpr,
    CmpOp,
    Compare,
    Connective,
    Const,
    Count,
    IntExpr,
    Logic,
    Not,
    Truth,
    Var,
)
from dealcheck.solver.base import Deadline, Problem, SolveResult, SolveStatus, get_backend

if TYPE_CHECKING:
    from dealcheck.solver.cpsat import CpsatModel

Literal = Any  # a CP-SAT boolean literal

__all__ = ["LimitReached", "Search", "balanced_sum", "differs", "weighted_count"]


#: The deterministic work (CP-SAT's ``max_deterministic_time``) one smallest-first solve of a lexmin may take
#: before the lexmin falls back to one solve per term; well above what it takes when it works (0.4 s measured,
#: nearest repair, 128 tight terms).
LEXMIN_EFFORT = 2.0


class LimitReached(Exception):
    """A time limit stopped a solve before it could tell."""


class Search:
    """Questions about the solutions of ``problem``, asked through backend ``backend`` before ``deadline``.

    >>> from dealcheck.rules.ir import CmpOp, Compare, Var
    >>> p = Problem((range(3), range(3)), (Compare(CmpOp.LE, Var(0), Var(1)),))
    >>> s = Search("brute", p, Deadline(None))
    >>> objective = Arith(ArithOp.SUB, Var(1), Var(0))
    >>> s.maximum(objective), s.lexmin(Compare(CmpOp.EQ, objective, Const(1)))
    (2, (0, 1))
    >>> Search("cpsat", p, Deadline(None)).maximum(objective)
    2
    """

    def __init__(self, backend: str, problem: Problem, deadline: Deadline) -> None:
        self.backend_name = backend
        self.backend = get_backend(backend)
        self.problem = problem
        self.deadline = deadline
        self.solves = 0
        # CP-SAT: the model of the last maximum, kept so the next question that only pins that maximum reuses it.
        self._last: _Optimum | None = None

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
        problem = self.problem.with_constraints(*extra)
        return self._settled(self.backend.find_solution(problem, time_limit=self.deadline.remaining()))

    def lexmin(self, *extra: BoolExpr) -> tuple[int, ...] | None:
        """The solution meeting ``extra`` with the lexicographically smallest codes, or ``None``."""
        self._check_time()
        if self.backend_name == "cpsat":
            return self._cpsat_lexmin(extra)
        problem = self.problem.with_constraints(*extra)
        return self._settled(self.backend.lexmin_solution(problem, time_limit=self.deadline.remaining()))

    def maximum(self, objective: IntExpr, *extra: BoolExpr) -> int | None:
        """The largest value ``objective`` takes over the solutions meeting ``extra``; ``None`` when there are none."""
        if self.backend_name == "cpsat":
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

    def _cpsat_model(self, extra: Sequence[BoolExpr]) -> CpsatModel | None:
        """A CP-SAT model of the problem with ``extra`` required; ``None`` when the fixed codes clash.

        When ``extra`` is "the last objective at its maximum" plus the last maximum's own conditions, the last
        model is reused with that one equation added: building a model costs about as much as solving it.
        """
        from dealcheck.solver.cpsat import CpsatModel

        last, self._last = self._last, None
        if last is not None and _pins(extra, last):
            last.model.model.clear_objective()
            last.model.require(extra[0])
            return last.model
        problem = self.problem.with_constraints(*extra)
        merged = problem.merged_fixed()
        if merged is None:
            return None
        m = CpsatModel(problem.domains)
        m.fix(merged)
        for c in problem.constraints:
            m.require(c)
        return m

    def _cpsat_maximum(self, objective: IntExpr, extra: Sequence[BoolExpr]) -> int | None:
        self._check_time()
        m = self._cpsat_model(extra)
        if m is None:
            return None
        linear = m.linear(objective)
        if not isinstance(linear, int):
            m.model.maximize(linear)
        solution = self._settled(m.solve(time_limit=self.deadline.remaining()))
        if solution is None:
            return None
        # The value is recomputed from the solution, exactly; CP-SAT's objective_value is a float.
        value = _value(objective, solution)
        self._last = _Optimum(tuple(extra), objective, value, m)
        return value

    def _cpsat_lexmin(self, extra: Sequence[BoolExpr]) -> tuple[int, ...] | None:
        """The lexicographically smallest solution by descent: a solve that decides the terms in order, each at
        its smallest code first (no presolve, which would reorder the search), usually finds it at once; then one
        solve for a solution smaller still proves it (``UNSAT``), or, should one exist, the descent goes on.

        The smallest-first search can also flounder (measured: the nearest repair at 512 tight terms, where a few
        changes are allowed and early terms at their smallest use them up): each of its solves is capped at
        :data:`LEXMIN_EFFORT` of deterministic work, so the outcome is the same on every machine, and past the cap
        the answer comes from minimising each term in turn (the backend's ``lexmin_solution``: one solve per term,
        30-180x the hand model at 128 and 512 terms, but it always gets there).
        """
        m = self._cpsat_model(extra)
        if m is None:
            return None
        m.model.clear_objective()
        merged = self.problem.merged_fixed()
        assert merged is not None  # _cpsat_model returned a model
        open_ = [i for i, c in enumerate(merged) if c is None and m.bounds[i][0] < m.bounds[i][1]]

        def descend(assumptions: Sequence[Literal]) -> tuple[int, ...] | bool | None:
            result = m.solve(
                assumptions=assumptions,
                time_limit=self.deadline.remaining(),
                presolve=False,
                smallest_first=True,
                effort=LEXMIN_EFFORT,
            )
            if result.status is SolveStatus.UNKNOWN and not self.deadline.expired():
                return False  # the cap, not the deadline: give up on descent
            return self._settled(result)

        best = descend(())
        while best is not None and best is not False:
            smaller = _smaller_than(m, open_, best)
            if smaller is None:
                return best
            self._check_time()
            found = descend([smaller])
            if found is None:
                return best
            best = found
        if best is None:
            return None
        problem = self.problem.with_constraints(*extra)
        return self._settled(self.backend.lexmin_solution(problem, time_limit=self.deadline.remaining()))


@attrs.frozen(eq=False)
class _Optimum:
    """A CP-SAT maximum: the conditions it was taken under, the objective, its value, and the model."""

    extra: tuple[BoolExpr, ...]
    objective: IntExpr
    value: int
    model: CpsatModel


def _pins(extra: Sequence[BoolExpr], last: _Optimum) -> bool:
    """Whether ``extra`` is ``last``'s objective at its value, then ``last``'s own conditions (the same objects)."""
    if not extra or len(extra) != len(last.extra) + 1:
        return False
    first = extra[0]
    return (
        isinstance(first, Compare)
        and first.op is CmpOp.EQ
        and first.left is last.objective
        and first.right == Const(last.value)
        and all(a is b for a, b in zip(extra[1:], last.extra, strict=True))
    )


def _smaller_than(m: CpsatModel, open_: Sequence[int], solution: tuple[int, ...]) -> Literal | None:
    """A literal that, assumed, asks for a solution lexicographically smaller than ``solution`` in the ``open_``
    terms (one-way implications: it is only ever assumed true); ``None`` when each is already at its lowest."""
    lower = [i for i in open_ if solution[i] > m.bounds[i][0]]
    if not lower:
        return None
    model = m.model
    goal = model.new_bool_var("")
    choices = []
    same_so_far = None  # implies: every open term before this point keeps its value
    for i in open_:
        if i > lower[-1]:
            break
        var = m.variables[i]
        if solution[i] > m.bounds[i][0]:
            first_lower_here = model.new_bool_var("")
            model.add(var < solution[i]).only_enforce_if(first_lower_here)
            if same_so_far is not None:
                model.add_implication(first_lower_here, same_so_far)
            choices.append(first_lower_here)
        same = model.new_bool_var("")
        model.add(var == solution[i]).only_enforce_if(same)
        if same_so_far is not None:
            model.add_implication(same, same_so_far)
        same_so_far = same
    model.add_bool_or(choices).only_enforce_if(goal)
    return goal


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
