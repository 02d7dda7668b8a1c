"""The lexicographically smallest solution among those minimising a separable objective, on CP-SAT.

In: :class:`~dealcheck.solver.base.Constraints`, the objective as *parts* (integer expressions whose sum it is,
each reading a few terms: a term's change cost, a demand's weight when it is not met), a
:class:`~dealcheck.solver.base.Deadline`. Out: a :class:`~dealcheck.solver.base.SolveResult`: ``SAT`` with that
solution, ``UNSAT`` when there is no solution, ``UNKNOWN`` when the deadline came first; or ``None`` when the
objective or a term is too wide for CP-SAT's exact range (the caller asks another way).

Why not :meth:`~dealcheck.solver.cpsat.CpsatSession.lexmin` on the optimum's conditions: the nearest repair at 512
tight terms took 7-12 s there (one block optimisation per ~30 terms on the whole model, each 0.1-0.3 s) against
0.05 s for a hand-written model that only minimises. Here:

1. one optimisation of the objective, with presolve: its value ``W*`` and an optimal solution ``D``;
2. ``objective == W*`` posted, then CP-SAT's presolve alone, keeping every feasible solution
   (``keep_all_feasible_solutions_in_presolve``), reports each term's tightened domain: a term it fixes takes that
   value in *every* optimum (measured: 40-55% of the terms at 128 and 512 tight terms), so it needs no search;
3. the other terms fall into *components* of the constraint graph (red lines and objective parts that read them):
   the solutions at the optimum, with the fixed terms fixed, are the product of each component's solutions, the
   objective is a sum of per-component parts, so the optima are the product of each component's optima, each at
   its part of ``W*`` (which ``D`` shows), and the lexicographically smallest optimum is each component's own,
   put together (at the first term where two products differ, the one built from the smallest factors is smaller).
   Each component's part is posted at its value (it propagates far better than the one sum);
4. rounds: each round minimises, in one optimisation, a sum over components of the next *block* of each
   component's terms, read as one number (term ``i`` weighs the product of the later block terms' sizes, so the
   order is exactly lexicographic within a component, and a sum over independent components is minimised by
   minimising each); the whole round's objective spans at most :data:`~dealcheck.solver.cpsat.LEX_SPAN` values.
   Then the block's values are posted.

Every step is exact integer arithmetic; the objective's values stay below ``LEX_SPAN`` (= 2**53) because CP-SAT
tests its optimality gap on doubles (``absolute_gap_limit`` against the objective value and bound, both doubles):
past 2**53 two different objective values can round to the same double and a solve would stop one short of the
optimum while calling it optimal.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from dealcheck.interrupt import stoppable
from dealcheck.rules.evaluator import bounds, evaluate, evaluate_int
from dealcheck.rules.ir import BoolExpr, IntExpr, term_indices
from dealcheck.solver.base import Constraints, Deadline, SolveResult, SolveStatus

__all__ = ["lexmin_minimising", "objective_span"]


def objective_span(problem: Constraints, parts: Sequence[IntExpr]) -> tuple[int, int] | None:
    """The interval the sum of ``parts`` takes (sound, not tight), or ``None`` when unbounded."""
    lo = hi = 0
    open_codes, limits = (None,) * len(problem.domains), problem.bounds
    for p in parts:
        b = bounds(p, open_codes, limits)
        if b is None:
            return None
        lo, hi = lo + b[0], hi + b[1]
    return lo, hi


def lexmin_minimising(
    problem: Constraints,
    parts: Sequence[IntExpr],
    deadline: Deadline,
    *,
    span: tuple[int, int] | None = None,
    after: Sequence[int] | None = None,
    excluding: Sequence[BoolExpr] = (),
    reuse: dict[str, Any] | None = None,
) -> SolveResult | None:
    """The lexicographically smallest solution of ``problem`` among those minimising ``sum(parts)``.

    ``None`` when the objective or a term's codes reach ``LEX_SPAN`` in absolute value (CP-SAT could not tell two
    values apart: see the module docstring); the caller asks another way. ``span``: bounds on the objective the
    caller already knows (else :func:`objective_span` works them out). ``excluding``: more constraints, kept apart
    for ``after``: a solution minimising the objective over ``problem`` *without* ``excluding`` (an earlier answer:
    repair's first suggestion, or a later one at the same objective) such that every optimum ``excluding`` allows
    is lexicographically greater (``excluding`` rules out every earlier answer). Then the components are those of
    ``problem`` alone, not tied together by the exclusions (:func:`_after`); the plain way when no optimum is left
    at that objective. ``reuse``: a dictionary the caller keeps between calls on the same ``problem`` and
    ``parts`` (the same objects): the model built in the first call is copied instead of built again (512 tight
    terms: ~50 ms a call).

    >>> from dealcheck.rules.ir import Abs, Arith, ArithOp, CmpOp, Compare, Const, Var
    >>> p = Constraints((range(4), range(4), range(4)), (Compare(CmpOp.LE, Arith(ArithOp.ADD, Var(0), Var(2)), Const(3)),))
    >>> near = [Abs(Arith(ArithOp.SUB, Var(i), Const(2))) for i in range(3)]  # the distance from (2, 2, 2)
    >>> lexmin_minimising(p, near, Deadline(None)).solution
    (1, 2, 2)
    """
    from dealcheck.solver.cpsat import LEX_SPAN

    merged = problem.merged_fixed()
    if merged is None or any(len(d) == 0 for d in problem.domains):
        return SolveResult(SolveStatus.UNSAT)
    if span is None:
        span = objective_span(problem, parts)
    if span is None or max(-span[0], span[1]) >= LEX_SPAN:
        return None
    if any(max(-d.start, d.stop - 1) >= LEX_SPAN for d in problem.domains):
        return None
    if after is not None:
        found = _after(problem, parts, deadline, merged, after, excluding, reuse)
        if found is not None:
            return found
        # No optimum left at ``after``'s objective: the next is worse, asked the plain way below.
    m, linear = _model(problem, parts, merged, reuse)
    for e in excluding:
        m.require(e)
    problem = problem.with_constraints(*excluding)
    cp = m._cp
    objective = cp.LinearExpr.sum([x for x in linear if not isinstance(x, int)])
    m.model.minimize(objective)
    found = _solve(m, deadline, _OPTIMISE)
    if found.status is not SolveStatus.SAT:
        return found  # no solution, or no proven optimum before the deadline
    m.model.clear_objective()
    best = found.solution
    assert best is not None
    # Each part's value in that solution, exactly (CP-SAT evaluates the linear expressions on its integers).
    solved = m._solver
    values = [x if isinstance(x, int) else int(solved.value(x)) for x in linear]
    m.model.add(objective == sum(v for v, x in zip(values, linear, strict=True) if not isinstance(x, int)))
    # The optima of ``problem`` itself (no exclusions) are what every later answer at this objective starts from.
    keep = reuse if reuse is not None and not excluding else None
    return _settle(m, problem.constraints, parts, linear, values, best, deadline, keep)


def _settle(
    m: Any,
    constraints: Sequence[Any],
    parts: Sequence[IntExpr],
    linear: Sequence[Any],
    values: Sequence[int],
    best: tuple[int, ...],
    deadline: Deadline,
    keep: dict[str, Any] | None = None,
) -> SolveResult:
    """The lexicographically smallest solution of ``m`` (the objective posted at its optimum, every optimum a
    solution of ``constraints``), given one, ``best``, and each part's value there (steps 2-4 of the module
    docstring). ``keep``: where to keep a copy of the model of the optima (fixed terms and components posted) for
    :func:`_after`."""
    from dealcheck.solver.cpsat import LEX_SPAN

    cp = m._cp
    tight = _tightened(m, best, deadline)
    if tight is None:
        return SolveResult(SolveStatus.UNKNOWN)
    open_terms = [i for i, (lo, hi) in enumerate(tight) if lo < hi]
    for i, (lo, hi) in enumerate(tight):
        if lo == hi and m.bounds[i][0] < m.bounds[i][1]:
            m.model.add(m.variables[i] == lo)
    components = _post_components(m, open_terms, constraints, parts, linear, values)
    if keep is not None:
        keep["optima"] = (m.copy(), tight, values)
    queues = [list(comp) for comp in components]
    while any(queues):
        terms, weights = _round(queues, tight, LEX_SPAN)
        # No hint: the last solution as a hint measured no faster (128 and 512 tight terms).
        m.model.minimize(cp.LinearExpr.weighted_sum([m.variables[t] for t in terms], weights))
        found = _solve(m, deadline, _ROUND)
        m.model.clear_objective()
        if found.status is SolveStatus.UNKNOWN:
            return found
        assert found.status is SolveStatus.SAT and found.solution is not None, "an optimum's block has no solution"
        best = found.solution
        for t in terms:
            m.model.add(m.variables[t] == best[t])
    return SolveResult(SolveStatus.SAT, best)


def _after(
    problem: Constraints,
    parts: Sequence[IntExpr],
    deadline: Deadline,
    merged: Sequence[int | None],
    after: Sequence[int],
    excluding: Sequence[BoolExpr],
    reuse: dict[str, Any] | None = None,
) -> SolveResult | None:
    """:func:`lexmin_minimising` given ``after`` (see there); ``None`` when no solution at ``after``'s objective
    is left (then the optimum is worse and the caller asks the plain way).

    ``after`` minimises the objective over ``problem``, so its value ``W`` is the optimum there, and the optima
    are the product of each component's optima (module docstring, step 3; components of ``problem`` alone). Every
    optimum that ``excluding`` allows is lexicographically greater than ``after``, so the smallest first differs
    from it at the *latest* term where any does (upwards): one optimisation over that model maximises the length
    of the prefix shared with ``after`` (``agree[k]``: the first ``k`` open terms agree; where agreement ends, the
    term is greater). Then the prefix is fixed and the next term bounded from below, which decides the exclusions
    of full earlier answers; the rest is steps 2-4 of the module docstring on the same model."""
    if any(c is not None and c != a for c, a in zip(merged, after, strict=True)):
        return None
    if any(a not in d for a, d in zip(after, problem.domains, strict=True)):
        return None
    if _reusable(reuse, problem, parts) and "optima" in reuse:  # type: ignore[operator]
        # The optima as the first call left them (``after`` minimises too: the same objective), copied: 512 tight
        # terms, ~40 ms a call less (presolve and the parts' values).
        kept, tight, values = reuse["optima"]  # type: ignore[index]
        if any(lo == hi != a for (lo, hi), a in zip(tight, after, strict=True)):
            return None  # ``after`` is not among them: the caller broke the precondition; the plain way
        m, linear = kept.copy(), reuse["model"][1]  # type: ignore[index]
        cp = m._cp
        open_terms = [i for i, (lo, hi) in enumerate(tight) if lo < hi]
    else:
        m, linear = _model(problem, parts, merged, reuse)
        cp = m._cp
        values = []
        for p, x in zip(parts, linear, strict=True):
            v = evaluate_int(p, after)
            assert v is not None, "a part of the objective is undefined on a full solution"
            values.append(x if isinstance(x, int) else v)
        m.model.add(
            cp.LinearExpr.sum([x for x in linear if not isinstance(x, int)])
            == sum(v for v, x in zip(values, linear, strict=True) if not isinstance(x, int))
        )
        found_tight = _tightened(m, tuple(after), deadline)
        if found_tight is None:
            return SolveResult(SolveStatus.UNKNOWN)
        tight = found_tight
        open_terms = [i for i, (lo, hi) in enumerate(tight) if lo < hi]
        for i, (lo, hi) in enumerate(tight):
            if lo == hi and m.bounds[i][0] < m.bounds[i][1]:
                m.model.add(m.variables[i] == lo)
        _post_components(m, open_terms, problem.constraints, parts, linear, values)
    for e in excluding:
        m.require(e)
    if not open_terms:
        return None  # ``after`` is the only optimum
    agree = [m._true, *(m.model.new_bool_var("") for _ in open_terms)]
    for k, t in enumerate(open_terms):
        x = m.variables[t]
        m.model.add_implication(agree[k + 1], agree[k])
        m.model.add(x == after[t]).only_enforce_if(agree[k + 1])
        m.model.add(x > after[t]).only_enforce_if([agree[k], agree[k + 1].Not()])
    m.model.add(agree[-1] == 0)
    m.model.maximize(cp.LinearExpr.sum(agree[1:]))
    found = _solve(m, deadline, _OPTIMISE)
    if found.status is SolveStatus.UNKNOWN:
        return found
    if found.status is not SolveStatus.SAT:
        return None
    m.model.clear_objective()
    best = found.solution
    assert best is not None
    first = next(t for t in open_terms if best[t] != after[t])
    fixed: list[int | None] = [lo if lo == hi else None for lo, hi in tight]
    for t in open_terms:
        if t == first:
            break
        fixed[t] = after[t]
        m.model.add(m.variables[t] == after[t])
    m.model.add(m.variables[first] > after[first])
    limits = list(tight)
    limits[first] = (after[first] + 1, limits[first][1])
    live = [e for e in excluding if evaluate(e, fixed, limits) is not True]
    return _settle(m, [*problem.constraints, *live], parts, linear, values, best, deadline)


def _model(
    problem: Constraints, parts: Sequence[IntExpr], merged: Sequence[int | None], reuse: dict[str, Any] | None
) -> tuple[Any, list[Any]]:
    """The model of ``problem`` and each part as a linear expression; with ``reuse``, a copy of the one built for
    the same ``problem`` and ``parts`` before (a proto clone keeps every index, so the expressions stay valid)."""
    from dealcheck.solver.cpsat import CpsatModel

    if _reusable(reuse, problem, parts):
        base, linear = reuse["model"]  # type: ignore[index]
        return base.copy(), linear
    m = CpsatModel(problem.domains)
    m.fix(merged)
    for c in problem.constraints:
        m.require(c)
    linear = [m.linear(p) for p in parts]
    if reuse is not None:
        reuse.clear()  # what it held was for another problem
        reuse["for"], reuse["model"] = (problem, parts), (m.copy(), linear)
    return m, linear


def _reusable(reuse: dict[str, Any] | None, problem: Constraints, parts: Sequence[IntExpr]) -> bool:
    """Whether ``reuse`` holds models of ``problem`` and ``parts`` (the same objects)."""
    if reuse is None or "for" not in reuse:
        return False
    built_for: tuple[Constraints, Sequence[IntExpr]] = reuse["for"]
    return built_for[0] is problem and built_for[1] is parts


def _post_components(
    m: Any,
    open_terms: Sequence[int],
    constraints: Sequence[BoolExpr],
    parts: Sequence[IntExpr],
    linear: Sequence[Any],
    values: Sequence[int],
) -> list[list[int]]:
    """The components of ``open_terms`` (step 3 of the module docstring), each one's part posted at its value."""
    cp = m._cp
    components = _components(open_terms, [*constraints, *parts])
    where = {t: k for k, comp in enumerate(components) for t in comp}
    per_component: list[list[int]] = [[] for _ in components]
    for j, p in enumerate(parts):
        reads = [t for t in term_indices(p) if t in where]
        if reads and not isinstance(linear[j], int):
            per_component[where[reads[0]]].append(j)
    if len(components) > 1:  # with one component this is the sum already posted
        for js in per_component:
            if js:
                m.model.add(cp.LinearExpr.sum([linear[j] for j in js]) == sum(values[j] for j in js))
    return components


#: CP-SAT parameters of the optimisation: one presolve pass (128 / 512 tight terms: 13 -> 10 ms, 45 -> 35 ms).
_OPTIMISE = {"max_presolve_iterations": 1}
#: ... and of each round (its search ends at once; its time is presolve): 19 -> 13 ms, 44 -> 33 ms.
_ROUND = {"max_presolve_iterations": 1, "cp_model_probing_level": 0}


def _solve(m: Any, deadline: Deadline, tuning: dict[str, int]) -> SolveResult:
    if deadline.expired():
        return SolveResult(SolveStatus.UNKNOWN)
    # Presolve pays here (one hard question per model): the fewest changes at 512 tight terms took 4.7 s without it,
    # 0.05-0.09 s with it.
    result: SolveResult = m.solve(time_limit=deadline.remaining(), presolve=True, tuning=tuning)
    return result


def _tightened(m: Any, best: tuple[int, ...], deadline: Deadline) -> list[tuple[int, int]] | None:
    """Each term's ``(lo, hi)`` over every solution of ``m`` (no objective), as CP-SAT's presolve narrows them
    while keeping every feasible solution; the declared bounds where it says nothing. ``None``: out of time."""
    if deadline.expired():
        return None
    solver = m.solver(deadline.remaining())
    solver.parameters.keep_all_feasible_solutions_in_presolve = True
    solver.parameters.fill_tightened_domains_in_response = True
    solver.parameters.stop_after_presolve = True
    # One pass finds the same fixed terms in about half the time (128 tight terms: 12 -> 7 ms; 512: 45 -> 26 ms).
    solver.parameters.max_presolve_iterations = 1
    with stoppable(solver):
        solver.solve(m.model)
    if deadline.expired():
        return None
    found = solver.response_proto.tightened_variables
    out = list(m.bounds)
    if len(found) < len(m.variables):
        return out
    for i, v in enumerate(m.variables):
        domain = list(found[v.Index()].domain)
        if len(domain) >= 2:
            lo, hi = domain[0], domain[-1]
            # A solution lies inside (``best`` is one); anything else would be CP-SAT's mistake: ignore it.
            if lo <= best[i] <= hi and m.bounds[i][0] <= lo:
                out[i] = (lo, min(hi, m.bounds[i][1]))
    return out


def _components(terms: Sequence[int], exprs: Sequence[Any]) -> list[list[int]]:
    """``terms`` grouped by the expressions that read them together (each group in term order, groups by their
    first term)."""
    parent = {t: t for t in terms}

    def root(t: int) -> int:
        while parent[t] != t:
            parent[t] = parent[parent[t]]
            t = parent[t]
        return t

    for e in exprs:
        reads = [t for t in term_indices(e) if t in parent]
        for t in reads[1:]:
            a, b = root(reads[0]), root(t)
            if a != b:
                parent[max(a, b)] = min(a, b)
    groups: dict[int, list[int]] = {}
    for t in terms:
        groups.setdefault(root(t), []).append(t)
    return list(groups.values())


def _round(queues: list[list[int]], tight: Sequence[tuple[int, int]], limit: int) -> tuple[list[int], list[int]]:
    """The next block of each component's terms, taken from the front of ``queues`` (in place), and their weights:
    within a block, mixed radix over the tightened sizes (exactly lexicographic). The objective's largest absolute
    value (each term's weight times its largest absolute code, summed over the round) stays within ``limit``,
    with one term at least per round."""
    terms: list[int] = []
    weights: list[int] = []
    used = 0
    for q in queues:
        block: list[int] = []
        magnitude = 0  # the block's largest absolute value, with its weights as they stand
        while q:
            lo, hi = tight[q[0]]
            grown = magnitude * (hi - lo + 1) + max(abs(lo), abs(hi))
            if used + grown >= limit and (block or terms):
                break
            block.append(q.pop(0))
            magnitude = grown
        if not block:
            continue
        used += magnitude
        weight, out = 1, []
        for t in reversed(block):
            out.append(weight)
            lo, hi = tight[t]
            weight *= hi - lo + 1
        terms += block
        weights += reversed(out)
    return terms, weights
