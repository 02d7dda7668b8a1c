"""One CP-SAT model re-solved many times under new weights and assumptions: the per-draw solving of a sweep.

In: :class:`~dealcheck.solver.base.Constraints` (the certain red lines), *soft* conditions (the uncertain red lines,
assumed when a draw says they hold) and *groups* of scored conditions (each party's demands). Out, per question:
whether a solution exists under assumed soft conditions (and fixed codes), and the lexicographically smallest
solution maximising an integer-weighted objective over the groups, with the weights of this question.

What is built once (on a :class:`~dealcheck.solver.cpsat.CpsatSession`'s model): the soft conditions behind
selectors; per group an integer variable ``s_p`` tied to its conditions' literals by one linear constraint whose
*coefficients are rewritten in place* for each question (CP-SAT's model is a protocol buffer: a new weight is a new
number in it, no rebuild); ``z = min(s_p)``; and two tie constraints (``sum s_p == V``, ``z == V``) behind selectors,
their right-hand side rewritten per question. A question is then: rewrite the coefficients, maximise (total: ``sum
s_p``; maximin: ``z * (bound + 1) + sum s_p``, lexicographic in one objective, exact because the caller keeps it
within 62 bits; the best value the last :data:`POOL` optima under the same soft conditions reach under the new
weights posted as a floor on the total, a bound the search starts from: 35 -> 20 ms and 37 -> 27 ms per re-solve at
128 tight terms; hinted with the last optimum only if :data:`HINT`), then the smallest-first descent of
:meth:`~dealcheck.solver.cpsat.CpsatSession.lexmin_assuming` under the tie selectors at the optimum (the
documented tie-break). Once :meth:`Resolver.frontier` has enumerated a pattern's frontier (the maximal sets of
conditions met together), questions under it are answered from the frontier, without an optimisation: the tie-break
by one cached descent per *core* (:meth:`Resolver._pick`). :meth:`Resolver.nash` maximises the product of the group
scores (CP-SAT's integer multiplication of factors tied to the scores while ``nash_on`` is assumed), then the total
at that product, then descends. Each descent leaves a few literals in the model, so every :data:`REBUILD` questions the
model is built afresh (a build costs about one cold solve; spread over that many questions it is noise).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from dealcheck.rules.ir import BoolExpr, Truth
from dealcheck.solver.base import Constraints, Deadline, SolveResult, SolveStatus

__all__ = ["EXACT_FRONTIER_CAP", "FRONTIER_CAP", "HINT", "REBUILD", "SCORE_BOUND", "UNKNOWN", "Resolver"]

#: Whether an optimisation is hinted with the last optimum. Off: measured at 128 tight terms, a hinted re-solve
#: under new weights took longer than an unhinted one (32 ms vs 26 ms, 47 vs 41 in a second run): the last optimum
#: under other weights is a poor start, and CP-SAT spends work repairing it.
HINT = False
#: Recent optima kept per pattern of holding soft conditions, and whether their best value under a question's
#: weights is posted as a floor on the objective (a bound from the previous optima).
POOL = 8
FLOOR = True
#: The most points of a frontier (:meth:`Resolver.frontier`) enumerated before giving up on it: each costs one
#: optimisation, so a pattern with a larger frontier keeps solving per question.
FRONTIER_CAP = 64
#: How far :meth:`Resolver.frontier` goes for a draw whose weights cannot be posted to CP-SAT exactly (ranged weights
#: drawn as floats over many parties): the frontier ranks them in exact fractions; past it they are ranked on rounded
#: weights, and the sweep says how many draws were (``rounded``).
EXACT_FRONTIER_CAP = 1024
#: Questions answered on one model before it is built afresh (descent literals accumulate in it).
REBUILD = 64
#: The largest group score a question may ask for (the sum of a group's weights; each question narrows the score
#: variables' domains to its own largest sum, so CP-SAT's overflow checks see the real range).
SCORE_BOUND = 1 << 40


class Resolver:
    """A CP-SAT model of the constraints, re-solved per question (module docstring).

    >>> from dealcheck.rules.ir import CmpOp, Compare, Const, IsTrue, Not, Var
    >>> r = Resolver(Constraints((range(2), range(2), range(3))), [Compare(CmpOp.GE, Var(2), Const(1))],
    ...              [[IsTrue(0), IsTrue(1)], [Not(IsTrue(0))]], Deadline(None))
    >>> r.exists([0]), r.exists([0], {2: 0})
    (True, False)
    >>> r.best([], [[1, 1], [3]], "total"), r.best([0], [[1, 1], [1]], "total"), r.best([0], [[1, 1], [3]], "maximin")
    ((0, 1, 0), (0, 1, 1), (0, 1, 1))
    """

    def __init__(
        self,
        constraints: Constraints,
        soft: Sequence[BoolExpr],
        groups: Sequence[Sequence[BoolExpr]],
        deadline: Deadline,
    ) -> None:
        self.constraints = constraints
        self.soft = tuple(soft)
        self.groups = tuple(tuple(g) for g in groups)
        self.deadline = deadline
        self.questions = 0
        self._last: tuple[int, ...] | None = None
        self._reached = (0, 0)  # the last optimum's total and smallest group score
        #: For the caller: what it asked for (its answers stay valid with the model), and whose model this is.
        self.memo: dict[Any, Any] = {}
        self.owner: object | None = None
        # Facts about the solutions, not the model (kept across rebuilds): per pattern of holding soft conditions
        # its frontier (None: larger than FRONTIER_CAP), and per frontier point the smallest solution meeting it.
        self._frontiers: dict[tuple[int, ...], list[tuple[tuple[int, ...], Any]] | None] = {}
        self._capped: dict[tuple[int, ...], int] = {}  # per pattern whose frontier is None: the cap it passed
        self._smallest: dict[tuple[tuple[int, ...], tuple[int, ...]], Any] = {}
        self._constant = tuple(isinstance(e, Truth) for g in self.groups for e in g)  # met by every solution
        self._spans: list[tuple[int, int]] = []
        start = 0
        for g in self.groups:
            self._spans.append((start, start + len(g)))
            start += len(g)
        self.from_frontier = 0  # questions answered from a frontier, without an optimisation
        self._build()

    def _build(self) -> None:
        from dealcheck.solver.cpsat import CpsatSession

        self.session = session = CpsatSession(self.constraints, self.deadline)
        self.questions = 0
        m = session.model
        self.m = m
        if m is None:
            return
        self.selectors = [session._selectors[session.soft(e)] for e in self.soft]
        model = m.model
        self.scores: list[Any] = []
        self.rows: list[tuple[int, list[int]]] = []  # per group: its constraint's index, its y variables' indices
        # The group scores (for maximin) are tied to the groups only while ``scoring`` is assumed: other questions
        # leave them free, and the total is posted on the conditions' variables directly.
        self.scoring = model.new_bool_var("scoring")
        self.ys: list[Any] = []
        for g in self.groups:
            s = model.new_int_var(0, 0, "")
            ys = []
            for e in g:
                y = model.new_bool_var("")
                model.add(y == m.literal(e))
                ys.append(y)
                self.ys.append(y)
            ct = model.add(sum(ys) - s == 0).only_enforce_if(self.scoring)  # coefficients rewritten per question
            self.scores.append(s)
            self.rows.append((ct.index, [y.index for y in ys]))
        self.z = model.new_int_var(0, 0, "")
        if self.scores:
            model.add_min_equality(self.z, self.scores)
        self.total_tie = model.new_bool_var("")
        self.min_tie = model.new_bool_var("")
        self._total_row = model.add(sum(self.ys) == 0).only_enforce_if(self.total_tie).index
        self._min_row = model.add(self.z == 0).only_enforce_if(self.min_tie).index
        self._product: Any = None  # the product of the group scores: built by the first nash question
        self.floor = model.new_bool_var("floor")
        self._floor_row = model.add(sum(self.ys) >= 0).only_enforce_if(self.floor).index
        self._pool: dict[tuple[int, ...], list[tuple[int, ...]]] = {}
        # "Lexicographically smaller than the last solution", built once, its constants rewritten per step (the
        # session's own descent adds new literals per step, which piled up over thousands of draws: solves took
        # 10x as long after a few dozen). Per open term i: ``lower_i`` (term i below its value, every earlier
        # open term at its value) and ``same_i`` (term i at its value, and every earlier one).
        self.smaller = model.new_bool_var("smaller")
        self._lower_rows: list[int] = []
        self._same_rows: list[int] = []
        lowers = []
        same_before = None
        for i in session._open:
            var = m.variables[i]
            lower, same = model.new_bool_var(""), model.new_bool_var("")
            self._lower_rows.append(model.add(var <= 0).only_enforce_if(lower).index)
            self._same_rows.append(model.add(var == 0).only_enforce_if(same).index)
            if same_before is not None:
                model.add_implication(lower, same_before)
                model.add_implication(same, same_before)
            lowers.append(lower)
            same_before = same
        model.add_bool_or(lowers).only_enforce_if(self.smaller)

    def rebuild(self) -> None:
        """Build the model afresh (after many :meth:`some_of` questions, whose literals stay in it)."""
        self._build()

    def _fresh(self) -> None:
        self.questions += 1
        if self.questions > REBUILD:
            self._build()
            self.questions = 1

    def _assumed(self, holding: Sequence[int], fixed: dict[int, int] | None) -> list[Any]:
        assert self.m is not None
        out = [self.selectors[i] for i in holding]
        for t, code in (fixed or {}).items():
            out.append(self.m.value_literal(t, code))
        return out

    def exists(self, holding: Sequence[int], fixed: dict[int, int] | None = None) -> bool | None:
        """Whether a solution meets the soft conditions ``holding`` (indices) and the ``fixed`` codes; ``None``:
        the deadline came first."""
        found = self.find(holding, fixed)
        return None if found is UNKNOWN else found is not None

    def find(self, holding: Sequence[int], fixed: dict[int, int] | None = None) -> Any:
        """A solution (codes) under ``holding`` and ``fixed``; ``None`` when there is none; :data:`UNKNOWN` when the
        deadline came first."""
        if self.m is None:
            return None
        result = self.session._solve(self._assumed(holding, fixed), self.deadline)
        if result.status is SolveStatus.UNKNOWN:
            return UNKNOWN
        return result.solution

    def some_of(self, holding: Sequence[int], options: Sequence[tuple[int, int]]) -> Any:
        """A solution under ``holding`` taking at least one of ``options`` (term, code), as many as a short capped
        optimisation finds (so a few solves cover every option that occurs in some solution; the last, ``None``,
        proves the rest occur in none); :data:`UNKNOWN` when the deadline came first."""
        from dealcheck.solver.cpsat import FIND_MOST_EFFORT

        if self.m is None or not options:
            return None
        self._fresh()  # the disjunction's literal stays in the model (callers rebuild after a batch of these)
        m = self.m
        lits = [m.value_literal(t, c) for t, c in options]
        some = m._new_literal()
        m.model.add_bool_or(lits).only_enforce_if(some)
        assumed = [*self._assumed(holding, None), some]
        m.model.maximize(sum(lits))
        try:
            result = self.session._solve(assumed, self.deadline, effort=FIND_MOST_EFFORT)
        finally:
            m.model.clear_objective()
        if result.solution is not None:
            return result.solution
        if result.status is SolveStatus.UNSAT:
            return None
        result = self.session._solve(assumed, self.deadline)  # the cap found nothing yet: any solution will do
        if result.status is SolveStatus.UNKNOWN:
            return UNKNOWN
        return result.solution

    def _rewrite(self, weights: Sequence[Sequence[int]], total: Sequence[Sequence[int]] | None = None) -> None:
        """Write the question's weights into the group constraints, and ``total`` (default: the same weights) into
        the total's tie and floor constraints."""
        assert self.m is not None
        proto = self.m.model.proto
        everyone: dict[int, int] = {}
        for (index, ys), w in zip(self.rows, weights, strict=True):
            coefficient = dict(zip(ys, w, strict=True))
            everyone.update(coefficient)
            linear = proto.constraints[index].linear
            for j in range(len(linear.vars)):
                v = linear.vars[j]
                linear.coeffs[j] = coefficient[v] if v in coefficient else -1
        if total is not None:
            everyone = {}
            for (_, ys), w in zip(self.rows, total, strict=True):
                everyone.update(zip(ys, w, strict=True))
        for row in (self._total_row, self._floor_row):
            linear = proto.constraints[row].linear
            for j in range(len(linear.vars)):
                linear.coeffs[j] = everyone[linear.vars[j]]

    def _tie(self, row: int, value: int) -> None:
        assert self.m is not None
        linear = self.m.model.proto.constraints[row].linear
        linear.domain[0] = value
        linear.domain[1] = value

    def frontier(self, holding: Sequence[int], cap: int = FRONTIER_CAP) -> bool:
        """Enumerate the frontier under ``holding``: every maximal set of (non-constant) conditions that some
        solution meets together, each with one such solution; whether it is known (not larger than
        ``cap`` points, not stopped by the deadline). Once known, :meth:`optimum`, :meth:`best` and
        :meth:`nash` answer from it (:meth:`_pick`): no optimisation.

        Why it is a proof: the weights are never negative, so each objective (the total, the smallest group score
        then the total, the product then the total) never falls when a solution meets more conditions; every
        solution's conditions lie inside some frontier point, so a frontier point attains the optimum. Found one
        point at a time: the largest number of conditions met by a solution meeting some condition outside each
        point found so far (such a maximum is itself maximal), until none is left."""
        key = tuple(holding)
        if key in self._frontiers:
            known = self._frontiers[key]
            if known is not None or self._capped.get(key, 0) >= cap:
                return known is not None
        if self.m is None:
            return False
        m = self.m
        model = m.model
        scored = [y for y, c in zip(self.ys, self._constant, strict=True) if not c]
        enumerating = m._new_literal()
        assumed = [*self._assumed(holding, None), enumerating]
        found: list[tuple[tuple[int, ...], Any]] | None = []
        model.maximize(sum(scored))
        try:
            while found is not None:
                result = self.session._solve(assumed, self.deadline)
                if result.status is SolveStatus.UNSAT:
                    break
                if result.status is not SolveStatus.SAT:
                    return False  # the deadline (not cached: a later question may have the time)
                met = tuple(int(m._solver.value(y)) for y in self.ys)
                found.append((met, result.solution))
                if len(found) > cap:
                    found = None
                    break
                outside = [y for y, v, c in zip(self.ys, met, self._constant, strict=True) if not v and not c]
                if not outside:
                    break  # it meets every condition: the only point
                model.add_bool_or(outside).only_enforce_if(enumerating)
        finally:
            model.clear_objective()
            self.rebuild()  # the clauses added here would slow every later solve of the model
        if len(self._frontiers) >= 4096:  # bounded memory over many patterns (a dropped one is solved per draw)
            self._frontiers.clear()
            self._smallest.clear()
            self._capped.clear()
        self._frontiers[key] = found
        if found is None:
            self._capped[key] = cap
        return found is not None

    def _value(self, met: Sequence[int], weights: Sequence[Sequence[int]]) -> list[int]:
        """Each group's weighted count of the conditions in ``met``."""
        return [
            sum(w * v for w, v in zip(ws, met[a:b], strict=True))
            for (a, b), ws in zip(self._spans, weights, strict=True)
        ]

    def _key(self, met: Sequence[int], weights: Sequence[Sequence[int]], objective: str, nash: Any = None) -> Any:
        scores = self._value(met, weights)
        if objective == "total":
            return sum(scores)
        if objective == "maximin":
            return (min(scores, default=0), sum(scores))
        return (math.prod(self._value(met, nash)), sum(scores))

    def _exact_key(self, met: Sequence[int], exact: Sequence[Sequence[int]], objective: str) -> Any:
        """The objective of frontier point ``met`` with each group on its own scale: group ``p`` scores ``sum(exact[p]
        met) / sum(exact[p])`` (exact fractions, whatever the weights' denominators)."""
        parts = self._value(met, exact)
        scores = [Fraction(a, sum(g)) for a, g in zip(parts, exact, strict=True)]
        total = sum(scores, Fraction(0))
        if objective == "total":
            return total
        if objective == "maximin":
            return (min(scores, default=Fraction(0)), total)
        return (math.prod(parts), total)  # the product of the scores times a constant (the product of the sums)

    def _pick(
        self,
        holding: Sequence[int],
        weights: Sequence[Sequence[int]],
        objective: str,
        nash: Any = None,
        exact: Sequence[Sequence[int]] | None = None,
    ) -> tuple[Any, list[tuple[int, ...]]] | None:
        """From the known frontier under ``holding``: a solution at the optimum, and the *cores* of the frontier
        points at the optimum (``None`` without a frontier). A point's core: the conditions it meets that weigh
        something (under ``weights``; for ``nash`` also under ``nash`` when the product is positive).

        The solutions at the optimum are exactly those meeting every condition of some core: a solution meeting a
        core scores at least what its point scores (the rest weighs nothing), which is the optimum; a solution at
        the optimum lies inside some frontier point, which is then at the optimum too, and scores the point's
        total only if it meets every condition of the point that weighs something in the total (and, for a
        positive product, every one that weighs in it).

        ``exact``: per group, integer weights on the group's own scale (every group's sum positive), ranked as exact
        fractions; the integers ``weights`` (and ``nash``) are then not read. Without it, the integer weights rank."""
        front = self._frontiers.get(tuple(holding))
        if not front:
            return None
        if exact is not None:
            keys = [self._exact_key(met, exact, objective) for met, _ in front]
            weights = nash = exact
        else:
            keys = [self._key(met, weights, objective, nash) for met, _ in front]
        top = max(keys)
        flat = [w for group in weights for w in group]
        weighs = [w > 0 for w in flat]
        if objective == "nash" and top[0] > 0:
            weighs = [a or n > 0 for a, n in zip(weighs, (n for group in nash for n in group), strict=True)]
        cores = []
        for (met, _), key in zip(front, keys, strict=True):
            if key == top:
                core = tuple(int(v and w and not c) for v, w, c in zip(met, weighs, self._constant, strict=True))
                if core not in cores:
                    cores.append(core)
        return front[keys.index(top)][1], cores

    def _smallest_at(self, holding: Sequence[int], picked: tuple[Any, list[tuple[int, ...]]]) -> Any:
        """The lexicographically smallest solution at the optimum :meth:`_pick` found: the smallest of the smallest
        solutions meeting each core (:data:`UNKNOWN` when the deadline came first)."""
        self.from_frontier += 1
        out = None
        for core in picked[1]:
            smallest = self._smallest_meeting(holding, core)
            if smallest is UNKNOWN:
                return UNKNOWN
            out = smallest if out is None or tuple(smallest) < tuple(out) else out
        return out

    def _smallest_meeting(self, holding: Sequence[int], met: tuple[int, ...]) -> Any:
        """The lexicographically smallest solution meeting every condition in ``met`` (cached)."""
        key = (tuple(holding), met)
        hit = self._smallest.get(key)
        if hit is None:
            assumed = [*self._assumed(holding, None)]
            assumed += [y for y, v, c in zip(self.ys, met, self._constant, strict=True) if v and not c]
            try:
                smallest = self._lexmin(assumed)
            finally:
                assert self.m is not None
                self.m.model.proto.search_strategy.clear()  # as in best()
                self.m._smallest_first = False
            if smallest.status is not SolveStatus.SAT:
                return UNKNOWN  # the frontier point's solution exists: only the deadline stops this
            if len(self._smallest) >= 65_536:  # bounded memory (cores multiply with zero weights)
                self._smallest.clear()
            hit = self._smallest[key] = smallest.solution
        return hit

    def optimum(self, holding: Sequence[int], weights: Sequence[Sequence[int]], objective: str) -> Any:
        """A solution maximising ``objective`` (``total``: the sum of the groups' weighted counts; ``maximin``: the
        smallest, then the sum) under the soft conditions ``holding``, whichever CP-SAT finds first (no tie-break);
        ``None`` when there is none; :data:`UNKNOWN` when the deadline came first. ``weights``: per group, an
        integer per condition; the caller keeps the objective within 62 bits (``maximin`` posts ``min * (bound *
        groups + 1) + sum``, ``bound`` the largest group sum)."""
        if self.m is None:
            return None
        self._fresh()
        m = self.m
        model = m.model
        self._rewrite(weights)
        bound = max((sum(w) for w in weights), default=0)
        assert bound <= SCORE_BOUND
        proto = model.proto
        for var in (*self.scores, self.z):
            proto.variables[var.index].domain[1] = bound
        picked = self._pick(holding, weights, objective)
        if picked is not None:  # a frontier point at the optimum (the model is still set up for best()'s descent)
            solution, _ = picked
            front = self._frontiers[tuple(holding)]
            assert front is not None
            met = next(m for m, x in front if x is solution)
            scores = self._value(met, weights)
            self._reached = (sum(scores), min(scores, default=0) if objective != "total" else 0)
            self.from_frontier += 1
            self._last = solution
            return solution
        flat = [w for group in weights for w in group]
        total = m._cp.LinearExpr.weighted_sum(self.ys, flat)
        scoring = []
        if objective == "total":
            model.maximize(total)
        else:
            model.maximize(self.z * (bound * len(self.scores) + 1) + total)
            scoring.append(self.scoring)
        model.clear_hints()
        if HINT and self._last is not None:
            for var, code in zip(m.variables, self._last, strict=True):
                model.add_hint(var, code)
        floor = []
        pool = self._pool.get(tuple(holding), [])
        if FLOOR and pool and objective == "total":
            lb = max(sum(w * y for w, y in zip(flat, ys, strict=True)) for ys in pool)
            linear = proto.constraints[self._floor_row].linear
            linear.domain[0] = lb
            floor.append(self.floor)
        try:
            result = self.session._solve([*self._assumed(holding, None), *scoring, *floor], self.deadline)
            solver = m._solver
            if result.status is not SolveStatus.SAT:
                return None if result.status is SolveStatus.UNSAT else UNKNOWN
            got = tuple(int(solver.value(y)) for y in self.ys)
            reached = sum(w * y for w, y in zip(flat, got, strict=True))
            entry = self._pool.setdefault(tuple(holding), [])
            if got not in entry:
                entry.append(got)
                del entry[:-POOL]
            self._reached = (reached, int(solver.value(self.z)) if scoring else 0)
        finally:
            model.clear_objective()
            model.clear_hints()
        self._last = result.solution
        return result.solution

    def best(
        self,
        holding: Sequence[int],
        weights: Sequence[Sequence[int]],
        objective: str,
        exact: Sequence[Sequence[int]] | None = None,
    ) -> Any:
        """As :meth:`optimum`, the lexicographically smallest solution at the optimum (the documented tie-break):
        the smallest-first descent under the tie constraints set at the optimum's values."""
        picked = self._pick(holding, weights, objective, exact=exact)
        if picked is not None:
            return self._smallest_at(holding, picked)
        found = self.optimum(holding, weights, objective)
        if found is None or found is UNKNOWN:
            return found
        assert self.m is not None
        reached_total, reached_min = self._reached
        self._tie(self._total_row, reached_total)
        ties = [self.total_tie]
        if objective != "total":
            self._tie(self._min_row, reached_min)
            ties += [self.min_tie, self.scoring]
        assumed = [*self._assumed(holding, None), *ties]
        try:
            smallest = self._lexmin(assumed)
        finally:
            # The descent's decision strategy (terms in order, smallest first) stays in a model once added, and
            # CP-SAT follows it in every later solve: the next optimisation took 3-10x as long. Taken out again.
            self.m.model.proto.search_strategy.clear()
            self.m._smallest_first = False
        if smallest.status is not SolveStatus.SAT:
            return UNKNOWN  # it exists (the optimum above): only the deadline stops the descent
        return smallest.solution

    def nash(
        self,
        holding: Sequence[int],
        weights: Sequence[Sequence[int]],
        total: Sequence[Sequence[int]],
        exact: Sequence[Sequence[int]] | None = None,
    ) -> Any:
        """The lexicographically smallest solution maximising the product of the group scores (``weights``: per
        group, an integer per condition: each group on its own scale, the product then compares as the product of
        the scores), among those the sum under ``total`` (per group, integers on one common scale), under the soft
        conditions ``holding``; ``None`` when there is none; :data:`UNKNOWN` when the deadline came first.

        Exact: the product is CP-SAT's integer multiplication of the group scores (the caller keeps the product of
        the groups' largest sums within 62 bits), maximised, then fixed (a tie constraint) while the total is
        maximised, then fixed with the total while the smallest-first descent finds the smallest solution."""
        if self.m is None:
            return None
        picked = self._pick(holding, total, "nash", weights, exact)
        if picked is not None:
            return self._smallest_at(holding, picked)
        self._fresh()
        m = self.m
        model = m.model
        proto = model.proto
        if self._product is None:
            # Built on the first nash question only: total and maximin questions never pay for the product.
            # The factors equal the group scores only while ``nash_on`` is assumed (a multiplication cannot be
            # enforced by a literal): other questions leave it free, the factors 0, the scores unconstrained.
            self.nash_on = model.new_bool_var("nash")
            self._factors = []
            for score in self.scores:
                factor = model.new_int_var(0, 0, "")
                model.add(factor == score).only_enforce_if(self.nash_on)
                model.add(factor == 0).only_enforce_if(self.nash_on.Not())
                self._factors.append(factor)
            self._product = model.new_int_var(0, 0, "product")
            model.add_multiplication_equality(self._product, self._factors)
            self.product_tie = model.new_bool_var("")
            self._product_row = model.add(self._product == 0).only_enforce_if(self.product_tie).index
        self._rewrite(weights, total)
        bounds = [sum(w) for w in weights]
        assert math.prod(bounds) < 1 << 62
        for var, factor, bound in zip(self.scores, self._factors, bounds, strict=True):
            proto.variables[var.index].domain[1] = bound
            proto.variables[factor.index].domain[1] = bound
        proto.variables[self.z.index].domain[1] = max(bounds, default=0)
        proto.variables[self._product.index].domain[1] = math.prod(bounds)
        flat = [w for group in total for w in group]
        assumed = [*self._assumed(holding, None), self.scoring, self.nash_on]
        model.clear_hints()
        try:
            model.maximize(self._product)
            result = self.session._solve(assumed, self.deadline)
            if result.status is not SolveStatus.SAT:
                return None if result.status is SolveStatus.UNSAT else UNKNOWN
            self._tie(self._product_row, int(m._solver.value(self._product)))
            assumed.append(self.product_tie)
            model.maximize(m._cp.LinearExpr.weighted_sum(self.ys, flat))
            result = self.session._solve(assumed, self.deadline)
            if result.status is not SolveStatus.SAT:
                return UNKNOWN  # a solution exists (the one above): only the deadline stops this
            reached = sum(w * int(m._solver.value(y)) for w, y in zip(flat, self.ys, strict=True))
        finally:
            model.clear_objective()
        self._tie(self._total_row, reached)
        assumed.append(self.total_tie)
        try:
            smallest = self._lexmin(assumed)
        finally:
            m.model.proto.search_strategy.clear()  # as in best(): the descent's strategy would slow later solves
            m._smallest_first = False
        if smallest.status is not SolveStatus.SAT:
            return UNKNOWN
        return smallest.solution

    def _lexmin(self, assumed: list[Any]) -> Any:
        """The lexicographically smallest solution under ``assumed``: as
        :meth:`~dealcheck.solver.cpsat.CpsatSession.lexmin_assuming`, on the descent constraints built once."""
        from dealcheck.solver.cpsat import LEXMIN_EFFORT

        m, session = self.m, self.session
        assert m is not None
        proto = m.model.proto
        best = session._solve(assumed, self.deadline, smallest_first=True, effort=LEXMIN_EFFORT)
        while best.status is SolveStatus.SAT:
            assert best.solution is not None
            for i, lower_row, same_row in zip(session._open, self._lower_rows, self._same_rows, strict=True):
                value = best.solution[i]
                lower = proto.constraints[lower_row].linear
                lower.domain[0], lower.domain[1] = -(1 << 62), value - 1  # below the term's lowest: never holds
                same = proto.constraints[same_row].linear
                same.domain[0] = same.domain[1] = value
            found = session._solve([self.smaller, *assumed], self.deadline, smallest_first=True, effort=LEXMIN_EFFORT)
            if found.status is SolveStatus.UNSAT:
                return best
            if found.status is SolveStatus.UNKNOWN:
                break
            best = found
        if best.status is SolveStatus.UNSAT or self.deadline.expired():
            return best if best.status is SolveStatus.UNSAT else UNKNOWN_RESULT
        return session._lexmin_by_blocks(m, self.deadline, assumed)  # the cap, not the deadline, stopped it


#: What a question answers when the deadline came first.
UNKNOWN = object()
UNKNOWN_RESULT = SolveResult(SolveStatus.UNKNOWN)
