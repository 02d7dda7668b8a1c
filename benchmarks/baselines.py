"""Hand-written baselines for the benchmarks: the same generated rules modelled directly in CP-SAT and in z3.

In: a :class:`generate.Generated` scenario. Out: models built straight from the generator's atoms (each atom is a
term and the set of codes it allows), the way a user who knows the solver would write them: one integer variable
per term, one reified Boolean per distinct atom, one clause (or linear constraint) per rule. Nothing here goes
through dealcheck's rule tree or its solver layer, so the comparison is with what a user would otherwise write.

CP-SAT runs with one worker and a fixed seed, as dealcheck does.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from generate import Generated, GenRule

__all__ = ["CpsatBaseline", "z3_minimal_core"]


class CpsatBaseline:
    """A CP-SAT model of ``g``'s terms; rules are added hard, behind an enforcement literal, or as a literal.

    >>> from generate import generate
    >>> g = generate("many", terms=8, seed=1)
    >>> b = CpsatBaseline(g)
    >>> for r in g.red_lines:
    ...     b.require(r)
    >>> b.solve() == "feasible"
    True
    """

    def __init__(self, g: Generated) -> None:
        from ortools.sat.python import cp_model

        self.cp = cp_model
        self.g = g
        self.model = cp_model.CpModel()
        self.x = [self.model.NewIntVar(t.domain.codes[0], t.domain.codes[-1], f"x{t.index}") for t in g.scenario.terms]
        self._atoms: dict[tuple[int, frozenset[int]], Any] = {}
        self.solver = cp_model.CpSolver()
        self.solver.parameters.num_workers = 1
        self.solver.parameters.random_seed = 0

    def _atom(self, term: int, allowed: frozenset[int]) -> Any:
        key = (term, allowed)
        if key not in self._atoms:
            domain = self.g.scenario.terms[term].domain.codes
            b = self.model.NewBoolVar("")
            rest = sorted(set(domain) - allowed)
            if not allowed:
                self.model.Add(b == 0)
            elif not rest:
                self.model.Add(b == 1)
            else:
                self.model.AddLinearExpressionInDomain(
                    self.x[term], self.cp.Domain.FromValues(sorted(allowed))
                ).OnlyEnforceIf(b)
                self.model.AddLinearExpressionInDomain(self.x[term], self.cp.Domain.FromValues(rest)).OnlyEnforceIf(
                    b.Not()
                )
            self._atoms[key] = b
        return self._atoms[key]

    def _post(self, r: GenRule, enforce: Sequence[Any]) -> None:
        a = [self._atom(x.term, x.allowed) for x in r.atoms]
        m = self.model
        match r.shape:
            case "single":
                c = m.AddBoolOr([a[0]])
            case "implies":
                c = m.AddBoolOr([a[0].Not(), a[1]])
            case "or":
                c = m.AddBoolOr([a[0], a[1]])
            case "implies_or":
                c = m.AddBoolOr([a[0].Not(), a[1], a[2]])
            case "and_implies":
                c = m.AddBoolOr([a[0].Not(), a[1].Not(), a[2]])
            case "count":
                c = m.Add(sum(a) >= 2)
            case "sum":
                i, j = r.sum_terms
                c = m.Add(self.x[i] + self.x[j] <= r.bound)
            case _:
                raise AssertionError(r.shape)
        if enforce:
            c.OnlyEnforceIf(list(enforce))

    def require(self, r: GenRule) -> None:
        self._post(r, ())

    def guarded(self, r: GenRule) -> Any:
        """A literal that, when true, enforces ``r`` (for assumptions and soft rules)."""
        lit = self.model.NewBoolVar("")
        self._post(r, (lit,))
        return lit

    def fix(self, codes: Sequence[int | None]) -> None:
        for x, c in zip(self.x, codes, strict=True):
            if c is not None:
                self.model.Add(x == c)

    def solve(self, time_limit: float | None = None) -> str:
        if time_limit is not None:
            self.solver.parameters.max_time_in_seconds = time_limit
        status = self.solver.Solve(self.model)
        return {
            self.cp.OPTIMAL: "optimal" if self.model.HasObjective() else "feasible",
            self.cp.FEASIBLE: "feasible",
            self.cp.INFEASIBLE: "infeasible",
        }.get(status, "unknown")

    def enumerate(self, limit: int | None = None) -> Iterator[tuple[int, ...]]:
        """Every solution, listed by CP-SAT's solution callback (collected: CP-SAT calls back, it does not yield)."""
        found: list[tuple[int, ...]] = []
        xs = self.x

        class Collect(self.cp.CpSolverSolutionCallback):  # type: ignore[name-defined, misc]
            def on_solution_callback(self) -> None:
                found.append(tuple(self.Value(v) for v in xs))
                if limit is not None and len(found) >= limit:
                    self.StopSearch()

        self.solver.parameters.enumerate_all_solutions = True
        self.solver.Solve(self.model, Collect())
        return iter(found)

    def minimal_core(self, lits: Sequence[Any]) -> list[int] | None:
        """Positions in ``lits`` of a minimal set of assumptions that cannot all hold: CP-SAT's core, then shrunk by
        deletion (one solve per member); ``None`` when all can hold."""
        self.model.ClearAssumptions()
        self.model.AddAssumptions(list(lits))
        if self.solve() != "infeasible":
            return None
        index = {lit.Index(): k for k, lit in enumerate(lits)}
        core = [index[i] for i in self.solver.SufficientAssumptionsForInfeasibility()]
        k = 0
        while k < len(core):
            trial = core[:k] + core[k + 1 :]
            self.model.ClearAssumptions()
            self.model.AddAssumptions([lits[j] for j in trial])
            if self.solve() == "infeasible":
                core = trial
            else:
                k += 1
        return sorted(core)


def z3_minimal_core(g: Generated) -> list[int] | None:
    """Positions in ``g.red_lines`` of z3's unsat core with ``core.minimize``; ``None`` when z3 finds a deal."""
    import z3

    x = [z3.Int(f"x{t.index}") for t in g.scenario.terms]
    s = z3.Solver()
    s.set("core.minimize", True)
    for t, v in zip(g.scenario.terms, x, strict=True):
        s.add(v >= t.domain.codes[0], v <= t.domain.codes[-1])

    def atom(term: int, allowed: frozenset[int]) -> Any:
        return z3.Or([x[term] == c for c in sorted(allowed)]) if allowed else z3.BoolVal(False)

    def rule(r: GenRule) -> Any:
        a = [atom(t.term, t.allowed) for t in r.atoms]
        match r.shape:
            case "single":
                return a[0]
            case "implies":
                return z3.Implies(a[0], a[1])
            case "or":
                return z3.Or(a[0], a[1])
            case "implies_or":
                return z3.Implies(a[0], z3.Or(a[1], a[2]))
            case "and_implies":
                return z3.Implies(z3.And(a[0], a[1]), a[2])
            case "count":
                return z3.Sum([z3.If(b, 1, 0) for b in a]) >= 2
            case "sum":
                i, j = r.sum_terms
                return x[i] + x[j] <= r.bound
        raise AssertionError(r.shape)

    marks = []
    for k, r in enumerate(g.red_lines):
        p = z3.Bool(f"r{k}")
        s.add(z3.Implies(p, rule(r)))
        marks.append(p)
    if s.check(*marks) != z3.unsat:
        return None
    names = {str(p) for p in s.unsat_core()}
    return [k for k, p in enumerate(marks) if str(p) in names]
