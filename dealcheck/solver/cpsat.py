"""The CP-SAT backend (OR-Tools): checked rules compiled to a CP-SAT model.

In: a :class:`~dealcheck.solver.base.Constraints`, or checked expressions added one by one to a :class:`CpsatModel`.
Out: the answers of :class:`~dealcheck.solver.base.Backend`; :class:`CpsatModel` for analyses that need more
(assumptions and cores, objectives over rule literals).

The compilation:

- each term is an ``IntVar`` over its codes;
- every condition node gets a literal reified **both ways** (``lit <=> node``), so every auxiliary variable is a
  function of the terms: enumeration never reports one package twice, and a rule's literal can be assumed true or
  false (cores, "which demands can hold together", objectives over demand literals);
- integer nodes are linear expressions where they can be; ``abs``, ``min`` and ``max`` get an ``IntVar`` bounded by
  interval analysis (:func:`dealcheck.rules.evaluator.bounds`) and ``AddAbsEquality``/``AddMinEquality``/
  ``AddMaxEquality``; ``count`` is the sum of its conditions' literals.

Determinism: one worker and a fixed seed, always. ``ortools`` is imported when a model is built, never before.

>>> from dealcheck.rules.ir import CmpOp, Compare, Const, Var
>>> p = Constraints((range(4), range(4)), (Compare(CmpOp.EQ, Arith(ArithOp.ADD, Var(0), Var(1)), Const(3)),))
>>> find_solution(p, fixed=(None, 2)).solution
(1, 2)
>>> lexmin_solution(p)
SolveResult(status=<SolveStatus.SAT: 'sat'>, solution=(0, 3))
>>> count_solutions(p), len(list(iterate_solutions(p, limit=2)))
(SolutionCount(count=4, exact=True), 2)
"""

from __future__ import annotations

import atexit
import functools
import threading
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from typing import Any, assert_never

from dealcheck.interrupt import stoppable
from dealcheck.rules.evaluator import bounds, children
from dealcheck.rules.ir import (
    CMP_FUNCTIONS,
    Abs,
    Arith,
    ArithOp,
    BoolExpr,
    CmpOp,
    Compare,
    Connective,
    Const,
    Count,
    Expr,
    Implies,
    InSet,
    IntExpr,
    IsTrue,
    Logic,
    MinMax,
    Not,
    Truth,
    Var,
)
from dealcheck.solver.base import (
    BeyondCpsat,
    Constraints,
    Deadline,
    Fixed,
    Listing,
    SolutionCount,
    SolveResult,
    SolveStatus,
    current_memory_limit,
)
from dealcheck.solver.session import Answer, Capability, Optimiser, Solutions

__all__ = [
    "FIND_MOST_EFFORT",
    "LEXMIN_EFFORT",
    "SEED",
    "CpsatModel",
    "CpsatSession",
    "count_solutions",
    "find_solution",
    "iterate_solutions",
    "lexmin_solution",
    "open_session",
]

#: Deterministic work (CP-SAT's own unit, roughly seconds on a fast machine) a :meth:`CpsatSession.find_most`
#: optimisation may spend before it settles for the best solution found so far.
FIND_MOST_EFFORT = 0.02

#: The deterministic work one smallest-first solve of :meth:`CpsatSession.lexmin` may take before the lexmin
#: falls back to minimising one term at a time; well above what it takes when it works (0.4 s measured, nearest
#: repair, 128 tight terms).
LEXMIN_EFFORT = 2.0

#: The cap of the first smallest-first solve of a lexmin under conditions (an optimum's tie-break), past which the
#: lexmin goes by blocks: above what best_deals' first solves take (0.001-0.003), below a floundering repair's (0.056).
LEXMIN_QUICK = 0.01

#: The most values the codes of one block of terms span in :meth:`CpsatSession._lexmin_by_blocks` (one objective
#: per block; kept within a double's exact integers, which CP-SAT's objective bounds are read through).
LEX_SPAN = 1 << 53

#: The random seed of every CP-SAT solve; with one worker, the same model gives the same answer every run.
SEED = 20250321

_NEGATED = {
    CmpOp.EQ: CmpOp.NE,
    CmpOp.NE: CmpOp.EQ,
    CmpOp.LT: CmpOp.GE,
    CmpOp.GE: CmpOp.LT,
    CmpOp.LE: CmpOp.GT,
    CmpOp.GT: CmpOp.LE,
}

_MISSING = object()

Literal = Any  # an ortools literal (BoolVar or its negation)
Linear = Any  # an ortools linear expression, or a plain int


def _import_cp_model() -> Any:
    try:
        from ortools.sat.python import cp_model
    except ImportError as e:  # pragma: no cover - ortools is a dependency; this guards broken installs
        raise ImportError("the cpsat backend needs OR-Tools: pip install ortools") from e
    return cp_model


def _relation(op: CmpOp, a: Linear, b: Linear) -> Any:
    return CMP_FUNCTIONS[op](a, b)


def _within_int64(method: Callable[..., Any]) -> Callable[..., Any]:
    """OR-Tools refuses coefficients past 64 bits with a ``TypeError`` (or ``OverflowError``) while the model is
    built; exact decimal weights with many digits (Genius profiles: 16-digit weights times fractional values) can
    get there. That is a limit of this backend, not a bug: say so, and name the backends that take any integer."""

    @functools.wraps(method)
    def wrapper(self: Any, *args: Any) -> Any:
        try:
            return method(self, *args)
        except (TypeError, OverflowError) as e:
            if isinstance(e, TypeError) and "integer" not in str(e):
                raise
            raise BeyondCpsat(
                "the scenario's numbers are beyond CP-SAT's 64-bit integers (for example decimal weights with many "
                "digits, counted in each party's exact units)",
                "where the command has --backend, use brute or constraint (exact with integers of any size); "
                "or write the weights with fewer digits",
            ) from None

    return wrapper


class CpsatModel:
    """A CP-SAT model over a problem's terms, to which checked conditions are added as reified literals.

    ``literal(expr)`` gives a literal equivalent to ``expr`` without imposing it; ``require(expr)`` imposes it;
    ``solve(assumptions=...)`` solves under assumed literals. A later analysis reuses one model for many questions:
    put each red line behind its literal and assume it (cores via :meth:`core`), or maximise a weighted sum of
    demand literals (``model.maximize(...)`` on :attr:`model`, then :meth:`solve`).

    >>> from dealcheck.rules.ir import CmpOp, Compare, Const, Var
    >>> m = CpsatModel((range(3),))
    >>> low, high = m.literal(Compare(CmpOp.LT, Var(0), Const(1))), m.literal(Compare(CmpOp.GT, Var(0), Const(1)))
    >>> m.solve(assumptions=[low, high]).status, sorted(lit.Index() for lit in m.core()) == [low.Index(), high.Index()]
    (<SolveStatus.UNSAT: 'unsat'>, True)
    >>> m.solve(assumptions=[high]).solution
    (2,)
    """

    def __init__(self, domains: Sequence[range]) -> None:
        cp_model = _import_cp_model()
        self._cp = cp_model
        self.model = cp_model.CpModel()
        self.domains = tuple(domains)
        if any(len(d) == 0 or d.step != 1 for d in self.domains):
            raise ValueError("every domain must be a non-empty range of consecutive codes")
        self.bounds = tuple((d.start, d.stop - 1) for d in self.domains)
        self._open: tuple[None, ...] = (None,) * len(self.domains)
        self.variables = tuple(self.model.new_int_var(lo, hi, f"t{i}") for i, (lo, hi) in enumerate(self.bounds))
        self._true = self.model.new_bool_var("true")
        self.model.add(self._true == 1)
        self._literals: dict[Expr, Any] = {}  # compiled compound nodes: literals and linear expressions
        self._value_literals: dict[tuple[int, int], Literal] = {}
        self._is_true: dict[int, Literal] = {}
        self._solver: Any = None
        self._assumed: dict[int, Literal] = {}
        self._smallest_first = False  # whether the term-order decision strategy is in the model
        #: Set by :meth:`solve` when the model has an objective: its value and whether it is proven optimal.
        self.objective_value: float | None = None
        self.optimal = False

    def copy(self) -> CpsatModel:
        """An independent copy to post more on: the CP-SAT proto is cloned, which keeps every variable's index, so
        the compiled literals (cached per expression) stay valid in the copy and nothing is compiled again
        (measured: 512 tight terms, a clone takes a few milliseconds where rebuilding from the rule tree took
        60-90). What the copy compiles later goes to its own caches only."""
        new = object.__new__(CpsatModel)
        new.__dict__.update(self.__dict__)
        new.model = self.model.clone()
        new._literals = dict(self._literals)
        new._value_literals = dict(self._value_literals)
        new._is_true = dict(self._is_true)
        new._solver = None
        new._assumed = {}
        new.objective_value = None
        new.optimal = False
        return new

    # --- compiling ------------------------------------------------------------------------------------------

    def literal(self, expr: BoolExpr) -> Literal:
        """A literal that is true exactly when ``expr`` holds (cached per structurally equal expression)."""
        hit = self._literals.get(expr, _MISSING)  # most asks are repeats: skip the walk
        if hit is not _MISSING:
            return hit
        # An atom over one term (``t < 3``, ``t in [..]``), most of any rule set: visited at once, with no walk.
        kind = type(expr)
        if kind is Compare and type(expr.left) is Var and type(expr.right) is Const:  # type: ignore[union-attr]
            args = [self.variables[expr.left.index], expr.right.value]  # type: ignore[union-attr]
        elif kind is InSet and type(expr.arg) is Var:  # type: ignore[union-attr]
            args = [self.variables[expr.arg.index]]  # type: ignore[union-attr]
        else:
            return self._compile(expr)
        value = self._literals[expr] = self._visit(expr, args)
        return value

    def linear(self, expr: IntExpr) -> Linear:
        """A linear expression (or ``int``) equal to integer expression ``expr``."""
        return self._compile(expr)

    @_within_int64
    def _compile(self, expr: Expr) -> Any:
        """:func:`~dealcheck.rules.evaluator.fold` with every compound node cached, and a cached node's subtree not
        walked again: a question that wraps many rules in one disjunction adds one literal to the model, not a
        second copy of every rule (which made each later solve slower)."""
        cache = self._literals
        results: list[Any] = []
        stack: list[tuple[Expr, bool]] = [(expr, False)]
        variables = self.variables
        while stack:
            node, expanded = stack.pop()
            # Leaves inline: they are half of every rule's nodes, and the generic path costs a call and a match.
            kind = type(node)
            if kind is Var:
                results.append(variables[node.index])  # type: ignore[union-attr]
                continue
            if kind is Const:
                results.append(node.value)  # type: ignore[union-attr]
                continue
            kids = children(node)
            if not kids:
                results.append(self._visit(node, []))
                continue
            if not expanded:
                hit = cache.get(node, _MISSING)
                if hit is not _MISSING:
                    results.append(hit)
                    continue
                stack.append((node, True))
                stack.extend((k, False) for k in reversed(kids))
                continue
            args = results[len(results) - len(kids) :]
            del results[len(results) - len(kids) :]
            value = self._visit(node, args)
            cache[node] = value
            results.append(value)
        (out,) = results
        return out

    def require(self, expr: BoolExpr) -> None:
        """Impose ``expr`` on every solution.

        Posted directly where its shape allows, with no literal of its own: a conjunction as its parts, a
        disjunction or implication as one flat clause over its parts' literals, a comparison or membership as one
        linear constraint. A rule that is only required needs no literal (nobody assumes it or counts it), and the
        extra literal, reified both ways, cost model-building time and solver work (measured: 128 tight terms,
        the literal per rule and per nested ``and`` was most of the gap to a hand-written model). Every literal
        that *is* created is still reified both ways, so enumeration never repeats a package."""
        self._post(expr, True, None)

    def enforce(self, expr: BoolExpr, when: Literal) -> None:
        """Impose ``expr`` whenever literal ``when`` is true (half-reified: ``when`` false imposes nothing).

        For selectors that are only ever assumed true (a red line one may give up): posted as :meth:`require`
        posts, each constraint behind ``when``, with no literal for ``expr`` itself.

        >>> from dealcheck.rules.ir import CmpOp, Compare, Const, Var
        >>> m = CpsatModel((range(3),))
        >>> keep = m.model.new_bool_var("keep")
        >>> m.enforce(Compare(CmpOp.EQ, Var(0), Const(2)), keep)
        >>> m.solve(assumptions=[keep]).solution
        (2,)
        """
        self._post(expr, True, when)

    @_within_int64
    def _post(self, expr: BoolExpr, want: bool, when: Literal | None) -> None:
        """Impose ``expr == want`` (whenever ``when`` holds, if given)."""
        m = self.model
        unless = [] if when is None else [when.Not()]

        def guarded(constraint: Any) -> None:
            if when is not None:
                constraint.only_enforce_if(when)

        match expr:
            case Truth(value=v):
                if v is not want:
                    m.add_bool_or([*unless, self._true.Not()])
            case Not(arg=a):
                self._post(a, not want, when)
            case Logic(op=op, operands=ops) if (op is Connective.AND) is want:
                for o in ops:  # a conjunction required true, or a disjunction required false: every part
                    self._post(o, want, when)
            case Logic() | Implies():
                m.add_bool_or([*unless, *self._clause(expr, want)])
            case IsTrue(index=i):
                guarded(m.add(self.variables[i] == int(want)))
            case Compare(op=op, left=left, right=right):
                a, b = self.linear(left), self.linear(right)
                if isinstance(a, int) and isinstance(b, int):
                    if bool(_relation(op, a, b)) is not want:
                        m.add_bool_or([*unless, self._true.Not()])
                else:
                    guarded(m.add(_relation(op if want else _NEGATED[op], a, b)))
            case InSet(arg=arg, values=values):
                a = self.linear(arg)
                if isinstance(a, int) or not values:
                    if (isinstance(a, int) and a in values) is not want:
                        m.add_bool_or([*unless, self._true.Not()])
                    return
                inside = self._cp.Domain.from_values(sorted(values))
                guarded(m.add_linear_expression_in_domain(a, inside if want else inside.complement()))
            case _:
                assert_never(expr)

    def _clause(self, expr: BoolExpr, want: bool) -> list[Literal]:
        """Literals whose disjunction holds exactly when ``expr == want``: nested disjunctions (and negated
        conjunctions, and implications) are flattened into one clause instead of a literal each."""
        match expr:
            case Not(arg=a):
                return self._clause(a, not want)
            case Logic(op=op, operands=ops) if (op is Connective.OR) is want:
                return [lit for o in ops for lit in self._clause(o, want)]
            case Implies(premise=p, conclusion=c) if want:
                return [*self._clause(p, False), *self._clause(c, True)]
            case _:
                lit = self.literal(expr)
                return [lit if want else lit.Not()]

    def fix(self, codes: Fixed) -> None:
        """Impose the given codes (``None`` leaves a term free)."""
        for var, code in zip(self.variables, codes, strict=True):
            if code is not None:
                self.model.add(var == code)

    def value_literal(self, index: int, code: int) -> Literal:
        """A literal for "term ``index`` takes ``code``", to assume instead of fixing."""
        key = (index, code)
        if key not in self._value_literals:
            self._value_literals[key] = self.literal(Compare(CmpOp.EQ, Var(index), Const(code)))
        return self._value_literals[key]

    def _constant(self, value: bool) -> Literal:
        return self._true if value else self._true.Not()

    def _new_literal(self) -> Literal:
        return self.model.new_bool_var("")

    def _bounded_var(self, node: IntExpr) -> Any:
        b = bounds(node, self._open, self.bounds)
        assert b is not None  # every term has finite bounds, so every integer node does
        return self.model.new_int_var(b[0], b[1], "")

    def _visit(self, node: Expr, rs: list[Any]) -> Any:
        m = self.model
        match node:
            # integer nodes: linear expressions, or plain ints when constant
            case Const(value=c):
                return c
            case Var(index=i):
                return self.variables[i]
            case Arith(op=ArithOp.ADD):
                return rs[0] + rs[1]
            case Arith(op=ArithOp.SUB):
                return rs[0] - rs[1]
            case Arith(op=ArithOp.MUL):
                a, b = rs
                if isinstance(a, int) or isinstance(b, int):
                    return a * b
                # The checker forbids this; kept total so a hand-built tree still means what it says.
                y = self._bounded_var(node)
                m.add_multiplication_equality(y, [a, b])
                return y
            case Arith():
                raise AssertionError(node.op)  # pragma: no cover
            case Abs():
                if isinstance(rs[0], int):
                    return abs(rs[0])
                y = self._bounded_var(node)
                m.add_abs_equality(y, rs[0])
                return y
            case MinMax(is_max=is_max):
                if len(rs) == 1:
                    return rs[0]
                if all(isinstance(r, int) for r in rs):
                    return max(rs) if is_max else min(rs)
                y = self._bounded_var(node)
                (m.add_max_equality if is_max else m.add_min_equality)(y, rs)
                return y
            case Count():
                return self._cp.LinearExpr.sum(rs) if rs else 0
            # condition nodes: literals reified both ways
            case Truth(value=v):
                return self._constant(v)
            case IsTrue(index=i):
                if i not in self._is_true:
                    var = self.variables[i]
                    if self.bounds[i] == (0, 1):
                        lit = var  # a 0..1 integer variable is a Boolean in CP-SAT: the term is its own literal
                    else:
                        lit = self._new_literal()
                        m.add(lit == var)
                    self._is_true[i] = lit
                return self._is_true[i]
            case Compare(op=op):
                a, b = rs
                if isinstance(a, int) and isinstance(b, int):
                    return self._constant(bool(_relation(op, a, b)))
                lit = self._new_literal()
                m.add(_relation(op, a, b)).only_enforce_if(lit)
                m.add(_relation(_NEGATED[op], a, b)).only_enforce_if(lit.Not())
                return lit
            case InSet(values=values):
                (a,) = rs
                if isinstance(a, int):
                    return self._constant(a in values)
                if not values:
                    return self._constant(False)
                inside = self._cp.Domain.from_values(sorted(values))
                lit = self._new_literal()
                m.add_linear_expression_in_domain(a, inside).only_enforce_if(lit)
                m.add_linear_expression_in_domain(a, inside.complement()).only_enforce_if(lit.Not())
                return lit
            case Not():
                return rs[0].Not()
            case Logic(op=op):
                if len(rs) == 1:
                    return rs[0]
                return self._disjunction(rs) if op is Connective.OR else self._disjunction([r.Not() for r in rs]).Not()
            case Implies():
                return self._disjunction([rs[0].Not(), rs[1]])
            case _:
                assert_never(node)

    def _disjunction(self, lits: list[Literal]) -> Literal:
        lit = self._new_literal()
        self.model.add_bool_or(lits).only_enforce_if(lit)
        self.model.add_bool_and([x.Not() for x in lits]).only_enforce_if(lit.Not())
        return lit

    # --- solving --------------------------------------------------------------------------------------------

    def solver(
        self,
        time_limit: float | None = None,
        *,
        presolve: bool = True,
        smallest_first: bool = False,
        effort: float | None = None,
        tuning: Mapping[str, int] | None = None,
    ) -> Any:
        """A ``CpSolver`` set up the way every dealcheck solve is: one worker, the fixed seed, the time limit.

        ``presolve=False`` suits many small questions on one model: presolving costs more than it saves there.
        ``smallest_first`` searches the terms in order, each at its smallest code first (see :meth:`solve`).
        ``effort`` caps CP-SAT's *deterministic* time (work counted, not seconds): the same model and cap give the
        same answer on any machine, unlike a time limit. ``tuning``: more CP-SAT parameters by name (speed only,
        never what is proven: :mod:`dealcheck.solver.lexopt` lightens presolve with them)."""
        solver = self._cp.CpSolver()
        for name, value in (tuning or {}).items():
            setattr(solver.parameters, name, value)
        solver.parameters.catch_sigint_signal = False  # Ctrl-C is dealcheck.interrupt's, not a time limit
        solver.parameters.num_workers = 1
        solver.parameters.random_seed = SEED
        if not presolve:
            solver.parameters.cp_model_presolve = False
        if smallest_first:
            if not self._smallest_first:
                self.model.add_decision_strategy(list(self.variables), self._cp.CHOOSE_FIRST, self._cp.SELECT_MIN_VALUE)
                self._smallest_first = True
            solver.parameters.search_branching = self._cp.FIXED_SEARCH
        if effort is not None:
            solver.parameters.max_deterministic_time = effort
        if time_limit is not None:
            solver.parameters.max_time_in_seconds = max(0.0, time_limit)
        memory = current_memory_limit()
        # Passed on, although OR-Tools does not enforce it in practice (google/or-tools#1944: a 5 s search at 1 MB
        # ran its 5 s); were it to stop, the answer is UNKNOWN, which every caller reports as a limit.
        if memory is not None:
            solver.parameters.max_memory_in_mb = max(1, memory >> 20)
        return solver

    def solve(
        self,
        *,
        assumptions: Sequence[Literal] = (),
        time_limit: float | None = None,
        presolve: bool = True,
        smallest_first: bool = False,
        effort: float | None = None,
        tuning: Mapping[str, int] | None = None,
    ) -> SolveResult:
        """Solve under ``assumptions``. With an objective, ``SAT`` means proven optimal (else ``UNKNOWN``,
        with the best solution found still attached).

        ``smallest_first`` decides the terms in order, each at its smallest code first: without presolve (which
        reorders the search) the first solution found is then, in every case measured, the lexicographically
        smallest. Nothing relies on that: :meth:`CpsatSession.lexmin` proves it with one more solve."""
        cp = self._cp
        self.model.clear_assumptions()
        self.model.add_assumptions(list(assumptions))
        self._assumed = {lit.Index(): lit for lit in assumptions}
        solver = self._solver = self.solver(
            time_limit, presolve=presolve, smallest_first=smallest_first, effort=effort, tuning=tuning
        )
        with stoppable(solver):  # Ctrl-C stops the search at once (dealcheck.interrupt)
            status = solver.solve(self.model)
        has_objective = self.model.has_objective()
        self.objective_value = solver.objective_value if has_objective and status in (cp.OPTIMAL, cp.FEASIBLE) else None
        self.optimal = status == cp.OPTIMAL
        if status == cp.INFEASIBLE:
            return SolveResult(SolveStatus.UNSAT)
        if status == cp.MODEL_INVALID:  # what it is, never "out of time" (issue 9)
            raise ModelRejected(self.model.validate())
        if status in (cp.OPTIMAL, cp.FEASIBLE):
            solution = tuple(int(solver.value(v)) for v in self.variables)
            proven = status == cp.OPTIMAL or not has_objective
            return SolveResult(SolveStatus.SAT if proven else SolveStatus.UNKNOWN, solution)
        return SolveResult(SolveStatus.UNKNOWN)

    def core(self) -> list[Literal]:
        """After an ``UNSAT`` solve: assumed literals that are infeasible together. Not minimal, not verified:
        shrink and re-check it before showing it to anyone."""
        assert self._solver is not None, "core() needs a solve first"
        return [self._assumed[i] for i in self._solver.sufficient_assumptions_for_infeasibility() if i in self._assumed]


# --- the backend functions ------------------------------------------------------------------------------------


def _model(problem: Constraints, fixed: Fixed | None) -> CpsatModel | None:
    merged = problem.merged_fixed(fixed)
    if merged is None or any(len(d) == 0 for d in problem.domains):
        return None
    m = CpsatModel(problem.domains)
    m.fix(merged)
    for c in problem.constraints:
        m.require(c)
    return m


def find_solution(problem: Constraints, *, fixed: Fixed | None = None, time_limit: float | None = None) -> SolveResult:
    m = _model(problem, fixed)
    if m is None:
        return SolveResult(SolveStatus.UNSAT)
    if time_limit is not None and time_limit <= 0:
        # No time at all is one answer whatever the model (CP-SAT may still settle a model it loads, which would
        # make a zero limit's answer depend on how a rule happens to be posted).
        return SolveResult(SolveStatus.UNKNOWN)
    return m.solve(time_limit=time_limit)


def lexmin_solution(
    problem: Constraints, *, fixed: Fixed | None = None, time_limit: float | None = None
) -> SolveResult:
    """The lexicographically smallest solution: minimise each term in order, fixing it before the next."""
    deadline = Deadline(time_limit)
    m = _model(problem, fixed)
    if m is None:
        return SolveResult(SolveStatus.UNSAT)
    result = m.solve(time_limit=deadline.remaining())
    if result.status is not SolveStatus.SAT:
        return result
    for var, (lo, _) in zip(m.variables, m.bounds, strict=True):
        assert result.solution is not None
        if result.solution[var.Index()] == lo:  # already the smallest code: nothing to minimise
            m.model.add(var == lo)
            continue
        m.model.minimize(var)
        result = m.solve(time_limit=deadline.remaining())
        m.model.clear_objective()
        if result.status is not SolveStatus.SAT or result.solution is None:
            return SolveResult(SolveStatus.UNKNOWN)
        m.model.add(var == result.solution[var.Index()])
    return result


def _enumerate(
    problem: Constraints, fixed: Fixed | None, limit: int | None, time_limit: float | None
) -> tuple[list[tuple[int, ...]], bool]:
    """Up to ``limit`` solutions, and whether the search finished (so the list is every solution)."""
    m = _model(problem, fixed)
    if m is None:
        return [], True
    if limit is not None and limit <= 0:
        return [], False
    cp = m._cp
    found: list[tuple[int, ...]] = []
    variables = m.variables

    class Collector(cp.CpSolverSolutionCallback):  # type: ignore[misc, name-defined]
        def on_solution_callback(self) -> None:
            found.append(tuple(int(self.value(v)) for v in variables))
            if limit is not None and len(found) >= limit:
                self.stop_search()

    solver = m.solver(time_limit)
    solver.parameters.enumerate_all_solutions = True
    with stoppable(solver):  # Ctrl-C stops the search at once (dealcheck.interrupt)
        status = solver.solve(m.model, Collector())
    finished = status in (cp.OPTIMAL, cp.INFEASIBLE) and (limit is None or len(found) < limit)
    return found[:limit], finished


#: How to stop each enumeration still running (an abandoned iterator that was not closed): at exit they are stopped,
#: since a thread still inside CP-SAT when the interpreter ends aborts the process.
_RUNNING: set[Callable[[], None]] = set()
_RUNNING_LOCK = threading.Lock()


@atexit.register
def _stop_enumerations() -> None:
    with _RUNNING_LOCK:
        running = list(_RUNNING)
    for halt in running:
        halt()
    for thread in threading.enumerate():
        if thread.name == "dealcheck-enumerate":
            thread.join(timeout=5)


#: Solutions handed from the solving thread to the consumer at once: the first batch holds one (the first solution
#: comes out as soon as it is found), each later one twice as many, up to this many.
_BATCH = 1024


def _stream(
    problem: Constraints, fixed: Fixed | None, deadline: Deadline
) -> tuple[Iterator[tuple[int, ...]], Callable[[], bool]]:
    """Solutions as CP-SAT finds them, and (once they have run out) whether the search finished.

    CP-SAT enumerates inside one ``solve`` call that reports each solution to a callback, so the solve runs in a
    thread and hands solutions over in batches through a small queue: the consumer takes as many as it wants, and
    when it stops (closes the iterator, or drops it), the solve is stopped and the thread ends. A full queue makes
    the callback wait, so an unread enumeration holds a few batches, not every solution. The order is CP-SAT's own
    (one worker, a fixed seed): the same whatever the consumer's pace.
    """
    import queue

    m = _model(problem, fixed)
    if m is None:
        return iter(()), lambda: True
    cp = m._cp
    variables = m.variables
    handoff: queue.Queue[list[tuple[int, ...]] | None] = queue.Queue(maxsize=4)
    stop = threading.Event()
    finished = [False]
    solver = m.solver(deadline.remaining())
    solver.parameters.enumerate_all_solutions = True

    def put(item: list[tuple[int, ...]] | None) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    class Collector(cp.CpSolverSolutionCallback):  # type: ignore[misc, name-defined]
        def __init__(self) -> None:
            super().__init__()
            self.batch: list[tuple[int, ...]] = []
            self.size = 1

        def on_solution_callback(self) -> None:
            self.batch.append(tuple(int(self.value(v)) for v in variables))
            if len(self.batch) >= self.size:
                if not put(self.batch):
                    self.stop_search()
                self.batch, self.size = [], min(2 * self.size, _BATCH)

    def run() -> None:
        collector = Collector()
        status = None
        try:
            with stoppable(solver):  # Ctrl-C stops the search at once (dealcheck.interrupt)
                status = solver.solve(m.model, collector)
        except KeyboardInterrupt:
            pass  # the main thread gets its own; this enumeration is simply unfinished
        finally:
            finished[0] = status in (cp.OPTIMAL, cp.INFEASIBLE) and not stop.is_set()
            if collector.batch:
                put(collector.batch)
            put(None)

    def halt() -> None:
        stop.set()
        solver.stop_search()

    def solutions() -> Iterator[tuple[int, ...]]:
        worker = threading.Thread(target=run, name="dealcheck-enumerate", daemon=True)
        with _RUNNING_LOCK:
            _RUNNING.add(halt)
        worker.start()
        try:
            while (batch := handoff.get()) is not None:
                yield from batch
        finally:
            halt()
            worker.join()
            with _RUNNING_LOCK:
                _RUNNING.discard(halt)

    return solutions(), lambda: finished[0]


def iterate_solutions(
    problem: Constraints, *, fixed: Fixed | None = None, limit: int | None = None, time_limit: float | None = None
) -> Listing:
    """Distinct solutions in CP-SAT's (deterministic) order, at most ``limit``; ``complete`` at the end when the
    search finished (not when the limit, the time limit or Ctrl-C stopped it)."""
    return Listing(_listed(problem, fixed, limit, time_limit))


def _listed(
    problem: Constraints, fixed: Fixed | None, limit: int | None, time_limit: float | None
) -> Generator[tuple[int, ...], None, bool]:
    found, finished = _enumerate(problem, fixed, limit, time_limit)
    yield from found
    return finished


def count_solutions(
    problem: Constraints, *, fixed: Fixed | None = None, limit: int | None = None, time_limit: float | None = None
) -> SolutionCount:
    # Ask for one more than the limit: finding exactly ``limit`` and no more is still an exact count.
    found, finished = _enumerate(problem, fixed, None if limit is None else limit + 1, time_limit)
    if limit is not None and len(found) > limit:
        return SolutionCount(limit, exact=False)
    return SolutionCount(len(found), exact=finished)


class ModelRejected(BeyondCpsat):
    """CP-SAT refused a model as invalid (a bound or coefficient it cannot hold): an answer no limit would change.

    A usage error (exit 2) naming CP-SAT's reason, never reported as a time limit."""

    def __init__(self, reason: str) -> None:
        super().__init__(
            f"the CP-SAT solver rejected the model: {reason.strip() or 'no reason given'}",
            "a number in the scenario or the objective is beyond what CP-SAT holds (below 2**62); "
            "use smaller units, or --backend brute",
        )


class CpsatSession(Optimiser):
    """One CP-SAT model for many questions about some constraints (a :class:`~dealcheck.solver.session.Session`):
    each question's conditions become reified literals that are *assumed*, never added, so the model stays valid
    for the next question; soft constraints sit behind selector literals, half-reified (a selector is only ever
    assumed true), and a core comes from CP-SAT's assumptions.

    Building a CP-SAT model from the rules costs milliseconds, more than a small solve; so a partial-package check,
    which asks dozens of questions about one package, keeps one session. Solves skip CP-SAT's presolve (unless
    ``presolve``): on these small assumption-driven questions it cost more than it saved (measured on the bundled
    scenario: 2-3x per solve). Rule literals are cached per structurally equal expression, so asking about the same
    rule again adds nothing to the model; each new disjunction adds one literal.

    >>> from dealcheck.rules.ir import CmpOp, Compare, Const, Var
    >>> s = CpsatSession(Constraints((range(3), range(3)), (Compare(CmpOp.LT, Var(0), Var(1)),)))
    >>> s.lexmin().solution, s.find([Compare(CmpOp.EQ, Var(1), Const(0))]).status
    ((0, 1), <SolveStatus.UNSAT: 'unsat'>)
    >>> s.maximise(Arith(ArithOp.SUB, Var(1), Var(0))).solution
    (0, 2)
    >>> big, small = s.soft(Compare(CmpOp.GT, Var(0), Const(1))), s.soft(Compare(CmpOp.EQ, Var(1), Const(0)))
    >>> s.solve(assume=[big, small]).core, s.solve(assume=[small]).core
    ((0,), (1,))
    """

    backend = "cpsat"
    native = Capability.CORES | Capability.OPTIMISE | Capability.LEXMIN | Capability.COUNT

    def __init__(self, constraints: Constraints, deadline: Deadline | None = None, *, presolve: bool = False) -> None:
        merged = constraints.merged_fixed()
        self.constraints = constraints
        self.deadline = Deadline(None) if deadline is None else deadline
        self.presolve = presolve
        self._model: CpsatModel | None = None
        self._unbuilt = False
        self._open: tuple[int, ...] = ()
        self._selectors: list[Literal] = []
        self._merged = merged
        #: The model for optimisations under conditions, and the conditions it imposes (see :meth:`_imposing`).
        self._scratch: tuple[CpsatModel, list[BoolExpr]] | None = None
        if merged is not None and all(len(d) for d in constraints.domains):
            self._unbuilt = True  # built on first use: opening a session must not import OR-Tools (issue 9)
            self._open = tuple(i for i, c in enumerate(merged) if c is None and len(constraints.domains[i]) > 1)

    @property
    def model(self) -> CpsatModel | None:
        """The session's model (``None`` when no solution can exist), built on first use."""
        if self._unbuilt:
            self._unbuilt = False
            self._model = self._build(())
        return self._model

    def _build(self, conditions: Sequence[BoolExpr]) -> CpsatModel:
        assert self._merged is not None
        m = CpsatModel(self.constraints.domains)
        m.fix(self._merged)
        for c in (*self.constraints.constraints, *conditions):
            m.require(c)
        return m

    def _imposing(self, conditions: Sequence[BoolExpr]) -> CpsatModel:
        """A model in which ``conditions`` are imposed (posted as constraints), for optimisations and the lexmin.

        Assumed literals serve many small questions on one model, but on an optimisation or a smallest-first descent
        they cost: a constraint behind a literal is weaker than the same constraint posted (measured: the nearest
        repair at 128 tight terms, the lexmin under three assumed conditions took 4x as long as with them posted).
        So these questions go to a second model with their conditions posted, kept for the next question whose
        conditions include them: ranking asks "the maximum under C", then "the maximum of another objective under
        C and the first at its maximum", then "the lexmin under all that", and the three share one model.

        A new scratch model is a copy of the session's (:meth:`CpsatModel.copy`) with only the conditions posted:
        the rules are compiled once per session, not once per new set of conditions. The session's model may also
        hold selectors and descent literals; they are only ever assumed, so in the copy, unassumed, they constrain
        nothing."""
        m = self.model
        assert m is not None
        if not conditions:
            return m
        if self._scratch is not None:
            scratch, imposed = self._scratch
            if all(_among(c, conditions) for c in imposed):
                for c in conditions:
                    if not _among(c, imposed):
                        scratch.require(c)
                        imposed.append(c)
                return scratch
        scratch = m.copy()
        if scratch._smallest_first:  # a fresh model has no decision strategy: optimisations would follow it
            scratch.model.proto.search_strategy.clear()
            scratch._smallest_first = False
        for c in conditions:
            scratch.require(c)
        self._scratch = (scratch, list(conditions))
        return scratch

    def _solve(
        self,
        assumed: Sequence[Literal],
        deadline: Deadline,
        *,
        smallest_first: bool = False,
        effort: float | None = None,
        model: CpsatModel | None = None,
        presolve: bool | None = None,
    ) -> SolveResult:
        m = self.model if model is None else model
        assert m is not None
        if deadline.expired():  # CP-SAT given 0 s may still answer; out of time is one rule for every question
            return SolveResult(SolveStatus.UNKNOWN)
        return m.solve(
            assumptions=assumed,
            time_limit=deadline.remaining(),
            presolve=self.presolve if presolve is None else presolve,
            smallest_first=smallest_first,
            effort=effort,
        )

    # --- soft constraints and hard ones ----------------------------------------------------------------------

    def _new_selector(self, name: str) -> int:
        assert self.model is not None
        self._selectors.append(self.model.model.new_bool_var(name))
        return len(self._selectors) - 1

    def soft(self, expr: BoolExpr) -> int:
        if self.model is None:
            self._selectors.append(None)
            return len(self._selectors) - 1
        # A fresh selector, not the expression's own literal: two soft constraints that say the same thing share one
        # cached literal, but are two separate things to give up. Half-reified: the expression's constraints posted
        # behind the selector, with no literal of its own (measured: 128 deadlocked terms, selectors for every red
        # line took 36 ms with a literal per rule reified both ways, 20 ms without).
        n = self._new_selector(f"keep{len(self._selectors)}")
        self.model.enforce(expr, self._selectors[n])
        return n

    def soft_any(self, ids: Sequence[int], *, into: int | None = None) -> int:
        if self.model is None:
            self._selectors.append(None)
            return len(self._selectors) - 1
        n = self._new_selector("") if into is None else into
        self.model.model.add_bool_or([self._selectors[i] for i in ids]).only_enforce_if(self._selectors[n])
        return n

    def _dropped_weight(self, weights: Sequence[tuple[int, int]]) -> Linear:
        return sum(w * (1 - self._selectors[i]) for i, w in weights)

    def soft_cost(self, weights: Sequence[tuple[int, int]], value: int) -> int:
        if self.model is None:
            self._selectors.append(None)
            return len(self._selectors) - 1
        n = self._new_selector("enumerating")
        self.model.model.add(self._dropped_weight(weights) == value).only_enforce_if(self._selectors[n])
        return n

    def retire(self, id: int) -> None:
        if self.model is not None:
            self.model.model.add_bool_or([self._selectors[id].Not()])

    def require(self, expr: BoolExpr) -> None:
        self.constraints = self.constraints.with_constraints(expr)
        if self.model is not None:
            self.model.require(expr)
        if self._scratch is not None:
            self._scratch[0].require(expr)

    # --- questions ---------------------------------------------------------------------------------------------

    def solve(
        self, conditions: Sequence[BoolExpr] = (), *, assume: Sequence[int] = (), time_limit: float | None = None
    ) -> Answer:
        m = self.model
        if m is None:
            return Answer(SolveStatus.UNSAT)
        assumed = [*(m.literal(c) for c in conditions), *(self._selectors[i] for i in assume)]
        result = self._solve(assumed, self.deadline.within(time_limit))
        if result.status is not SolveStatus.UNSAT:
            return Answer(result.status, result.solution)
        in_core = {lit.Index() for lit in m.core()}
        return Answer(SolveStatus.UNSAT, None, tuple(i for i in assume if self._selectors[i].Index() in in_core))

    def find(self, conditions: Sequence[BoolExpr] = (), *, time_limit: float | None = None) -> SolveResult:
        if self.model is None:
            return SolveResult(SolveStatus.UNSAT)
        return self._solve([self.model.literal(c) for c in conditions], self.deadline.within(time_limit))

    def find_most(
        self, conditions: Sequence[BoolExpr], wanted: Sequence[BoolExpr], *, time_limit: float | None = None
    ) -> SolveResult:
        """A solution meeting ``conditions`` and at least one of ``wanted``, meeting as many of ``wanted`` as a
        short optimisation finds (:data:`FIND_MOST_EFFORT`; not proven the most). ``UNSAT``: none meets any.

        For callers that want to settle many questions per solve: a plain :meth:`find` answer usually meets one
        or two. The cap is deterministic work, so the answer is the same on every run and machine; a proof of
        the maximum could cost a hundred times more (measured on tight 40-term scenarios) and is not needed.
        """
        m = self.model
        if m is None:
            return SolveResult(SolveStatus.UNSAT)
        deadline = self.deadline.within(time_limit)
        holds = [m.literal(w) for w in wanted]
        assumed = [*(m.literal(c) for c in conditions), m.literal(Logic(Connective.OR, tuple(wanted)))]
        m.model.maximize(self._cp_sum(holds))
        try:
            result = self._solve(assumed, deadline, effort=FIND_MOST_EFFORT)
        finally:
            m.model.clear_objective()
        if result.solution is not None:
            return SolveResult(SolveStatus.SAT, result.solution)  # a solution, whether or not the best
        if result.status is SolveStatus.UNKNOWN and not deadline.expired():
            return self._solve(assumed, deadline)  # the capped search found nothing yet: any solution will do
        return result

    def _cp_sum(self, literals: Sequence[Literal]) -> Linear:
        assert self.model is not None
        return self.model._cp.LinearExpr.sum(list(literals))

    def lexmin(self, conditions: Sequence[BoolExpr] = (), *, time_limit: float | None = None) -> SolveResult:
        """The lexicographically smallest solution meeting ``conditions``, by descent: a first solution searched
        smallest-first (terms in order, smallest code first), then a solution lexicographically smaller than the
        last, until there is none: the final ``UNSAT`` is the proof. The smallest-first search usually finds the
        smallest at once, so this is two solves (measured: 40 and 128 tight terms, 2-8 ms for the proof).

        The smallest-first search can also flounder (measured: the nearest repair, tight terms, where a few changes
        are allowed and early terms at their smallest use them up: the first solve took 0.056 deterministic seconds,
        0.6 s of a 0.85 s repair at 128 terms, past any cap at 512; best_deals' first solve takes 0.001-0.003 at 128
        and 512 terms, its proof up to 0.065). So its solves are capped at deterministic work (the outcome is the
        same on every machine): under ``conditions`` (an optimum's tie-break) the *first* at :data:`LEXMIN_QUICK`
        (a search that does not find the smallest at once is floundering), every other at :data:`LEXMIN_EFFORT`.
        Past the cap the answer comes from :meth:`_lexmin_by_blocks`: one optimisation per block of terms, the
        lexicographic order of a block written as one objective with exact weights (the nearest repair at 128 tight
        terms: 0.9 s -> 0.4 s; at 512: 196 s -> 12 s on a loaded machine; the same deals).
        """
        if self.model is None:
            return SolveResult(SolveStatus.UNSAT)
        deadline = self.deadline.within(time_limit)
        first = LEXMIN_QUICK if conditions else LEXMIN_EFFORT
        return self.lexmin_assuming(self._imposing(conditions), (), deadline, first_effort=first)

    def lexmin_assuming(
        self,
        m: CpsatModel,
        assumed: Sequence[Literal],
        deadline: Deadline,
        *,
        effort: float = LEXMIN_EFFORT,
        first_effort: float | None = None,
    ) -> SolveResult:
        """:meth:`lexmin` on model ``m`` (the session's own, or one from :meth:`_imposing`) under the literals
        ``assumed`` (for re-solving one model under assumptions that change from question to question, as a sweep
        does). Each descent step posts "smaller than the last solution" on a copy of ``m`` (a proto clone: ``m``
        does not grow, and a posted constraint propagates better than an assumed literal: best_deals' proof solve
        at 512 tight terms 44 -> 15 ms, 128 terms 10 -> 7 ms)."""
        first = effort if first_effort is None else first_effort
        best = self._solve(assumed, deadline, smallest_first=True, effort=first, model=m)
        while best.status is SolveStatus.SAT:
            assert best.solution is not None
            step = m.copy()
            smaller = self._smaller_than(step, best.solution)
            if smaller is None:
                return best
            step.model.add_bool_or([smaller])
            found = self._solve(assumed, deadline, smallest_first=True, effort=effort, model=step)
            if found.status is SolveStatus.UNSAT:
                return best
            if found.status is SolveStatus.UNKNOWN:
                break
            best = found
        if best.status is SolveStatus.UNSAT:
            return best
        if deadline.expired():
            return SolveResult(SolveStatus.UNKNOWN)
        return self._lexmin_by_blocks(m, deadline, assumed)  # the cap, not the deadline, stopped the descent

    def _lexmin_by_blocks(self, m: CpsatModel, deadline: Deadline, given: Sequence[Literal] = ()) -> SolveResult:
        """The lexicographically smallest solution under ``given``: the open terms in order, cut into blocks whose
        codes together span at most :data:`LEX_SPAN` values; per block, one optimisation of the block's codes read
        as one number (term ``i`` weighs the product of the later terms' sizes, so the order is exactly
        lexicographic), then its codes assumed at the optimum. Exact integers throughout, one solve per block (a
        tight 128-term scenario: four), where the term-by-term minimum took one per term."""
        assumed: list[Literal] = list(given)
        terms = list(self._open)
        result: SolveResult | None = None
        i = 0
        while i < len(terms):
            block: list[int] = []
            span = 1
            while i < len(terms):
                lo, hi = m.bounds[terms[i]]
                if block and span * (hi - lo + 1) > LEX_SPAN:
                    break
                block.append(terms[i])
                span *= hi - lo + 1
                i += 1
            weight, weights = 1, []
            for t in reversed(block):
                weights.append(weight)
                lo, hi = m.bounds[t]
                weight *= hi - lo + 1
            weights.reverse()
            m.model.minimize(m._cp.LinearExpr.weighted_sum([m.variables[t] for t in block], weights))
            try:
                result = self._solve(assumed, deadline, model=m)
            finally:
                m.model.clear_objective()
            if result.status is not SolveStatus.SAT:
                return result if result.status is SolveStatus.UNSAT else SolveResult(SolveStatus.UNKNOWN)
            assert result.solution is not None
            assumed += [m.value_literal(t, result.solution[t]) for t in block]
        return result if result is not None else self._solve(assumed, deadline, model=m)

    def _smaller_than(self, m: CpsatModel, solution: tuple[int, ...]) -> Literal | None:
        """A literal of ``m`` that, assumed, asks for a solution lexicographically smaller than ``solution`` (one-way
        implications only: it is only ever assumed true); ``None`` when every open term is already at its lowest."""
        lower = [i for i in self._open if solution[i] > m.bounds[i][0]]
        if not lower:
            return None
        model = m.model
        goal = m._new_literal()
        choices = []
        same_so_far: Literal | None = None  # implies: every open term before this point keeps its value
        for i in self._open:
            if i > lower[-1]:
                break
            var = m.variables[i]
            if solution[i] > m.bounds[i][0]:
                first_lower_here = m._new_literal()
                model.add(var < solution[i]).only_enforce_if(first_lower_here)
                if same_so_far is not None:
                    model.add_implication(first_lower_here, same_so_far)
                choices.append(first_lower_here)
            same = m._new_literal()
            model.add(var == solution[i]).only_enforce_if(same)
            if same_so_far is not None:
                model.add_implication(same, same_so_far)
            same_so_far = same
        model.add_bool_or(choices).only_enforce_if(goal)
        return goal

    def _optimise(
        self,
        objective: IntExpr,
        conditions: Sequence[BoolExpr],
        start: tuple[int, ...] | None,
        time_limit: float | None,
        *,
        maximise: bool,
    ) -> SolveResult:
        """One CP-SAT optimisation. ``SAT`` means proven optimal; ``UNKNOWN`` carries the best solution found when
        time ran out (or ``start``)."""
        if self.model is None:
            return SolveResult(SolveStatus.UNSAT)
        m = self._imposing(conditions)
        # Presolve pays on an optimisation under posted conditions (one hard question); not on the session's own
        # model, where the partial check asks many small ones.
        presolve = True if conditions else None
        deadline = self.deadline.within(time_limit)
        linear = m.linear(objective)
        if isinstance(linear, int):
            return self._solve((), deadline, model=m, presolve=presolve)
        if maximise:
            m.model.maximize(linear)
        else:
            m.model.minimize(linear)
        try:
            result = self._solve((), deadline, model=m, presolve=presolve)
        finally:
            m.model.clear_objective()
        if result.status is SolveStatus.UNKNOWN and result.solution is None and start is not None:
            return SolveResult(SolveStatus.UNKNOWN, start)
        return result

    def fewest_dropped(self, weights: Sequence[tuple[int, int]], *, time_limit: float | None = None) -> SolveResult:
        m = self.model
        if m is None:
            return SolveResult(SolveStatus.UNSAT)
        if any(w < 1 for _, w in weights):
            raise ValueError("every weight must be at least 1")
        m.model.minimize(self._dropped_weight(weights))
        try:
            return self._solve([], self.deadline.within(time_limit))
        finally:
            m.model.clear_objective()

    def solutions(
        self, conditions: Sequence[BoolExpr] = (), *, limit: int | None = None, time_limit: float | None = None
    ) -> Solutions:
        """Solutions in CP-SAT's (deterministic) order, from a model of the constraints and ``conditions`` alone
        (the session's own model has selectors and descent literals, which are not functions of the terms and would
        repeat a solution)."""
        deadline = self.deadline.within(time_limit)
        source, finished = _stream(self.constraints.with_constraints(*conditions), None, deadline)
        return Solutions(source, limit, deadline, finished)

    def count(
        self, conditions: Sequence[BoolExpr] = (), *, limit: int | None = None, time_limit: float | None = None
    ) -> SolutionCount:
        """The count by the counting planner (:mod:`dealcheck.solver.planner`), whatever ``limit``: exact, or the
        lower bound it proved when the deadline or the memory budget stopped it (``exact=False``)."""
        from dealcheck.solver import planner

        deadline = self.deadline.within(time_limit)
        if deadline.expired():
            return SolutionCount(0, exact=False)
        merged = self._merged
        if merged is None:
            return SolutionCount(0, exact=True)
        fixed = {i: c for i, c in enumerate(merged) if c is not None}
        constraints = (*self.constraints.constraints, *conditions)
        result = planner.count(self.constraints.domains, constraints, fixed, budget=planner.Budget(deadline.end))
        return SolutionCount(result.low, exact=result.exact)


def _among(expr: BoolExpr, exprs: Sequence[BoolExpr]) -> bool:
    """Whether ``expr`` is one of ``exprs``: the same object (cheap, and the usual case) or an equal tree."""
    return any(e is expr for e in exprs) or expr in exprs


def open_session(constraints: Constraints, deadline: Deadline | None = None, *, presolve: bool = False) -> CpsatSession:
    """The session :func:`dealcheck.solver.session.open_session` gives for CP-SAT: one model, assumptions."""
    return CpsatSession(constraints, deadline, presolve=presolve)
