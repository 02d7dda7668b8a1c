"""Every backend gives the same answers: CP-SAT and python-constraint2 against brute force on generated scenarios."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.errors import UsageError
from dealcheck.rules.ir import Arith, ArithOp, CmpOp, Compare, Connective, Const, Count, IsTrue, Logic, Not, Truth, Var
from dealcheck.solver import brute, cpsat, pyconstraint
from dealcheck.solver.base import BACKENDS, Constraints, SolutionCount, SolveStatus, get_backend
from dealcheck.solver.session import open_session
from dealcheck.testing.strategies import codes, scenarios

SOLVERS = [cpsat, pyconstraint]


def _problem(data: st.DataObject) -> tuple[Constraints, tuple[int | None, ...]]:
    scenario = data.draw(scenarios(max_terms=4, max_parties=2, max_rules=2, max_depth=2))
    fixed = data.draw(codes(scenario, partial=True))
    return Constraints.from_scenario(scenario), fixed


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.data())
def test_backends_agree_on_solution_sets_counts_and_the_smallest_solution(data):
    problem, fixed = _problem(data)
    expected = list(brute.iterate_solutions(problem, fixed=fixed))
    exists = SolveStatus.SAT if expected else SolveStatus.UNSAT
    for backend in SOLVERS:
        got = list(backend.iterate_solutions(problem, fixed=fixed))
        assert len(got) == len(set(got)), f"{backend.__name__} reported a package twice"
        assert sorted(got) == expected, backend.__name__
        assert backend.count_solutions(problem, fixed=fixed) == SolutionCount(len(expected), exact=True)
        found = backend.find_solution(problem, fixed=fixed)
        assert found.status is exists
        if expected:
            assert found.solution in expected
        assert backend.lexmin_solution(problem, fixed=fixed).solution == (expected[0] if expected else None)
    # Sessions answer with conditions assumed on one model: the same smallest solution, and the model stays usable.
    fixed_problem = attrs.evolve(problem, fixed=fixed)
    for session in (cpsat.CpsatSession(fixed_problem), open_session(pyconstraint, fixed_problem)):
        assert session.lexmin().solution == (expected[0] if expected else None)
        if expected:
            other = Compare(CmpOp.NE, Var(0), Const(expected[0][0]))
            assert session.find([other]).status is (
                SolveStatus.SAT if any(e[0] != expected[0][0] for e in expected) else SolveStatus.UNSAT
            )
            assert session.find().status is SolveStatus.SAT


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_counts_with_a_limit_are_lower_bounds_unless_the_limit_is_not_reached(data):
    problem, _ = _problem(data)
    total = brute.count_solutions(problem).count
    limit = data.draw(st.integers(0, total + 1))
    for backend in [brute, *SOLVERS]:
        got = backend.count_solutions(problem, limit=limit)
        if total > limit:
            assert got == SolutionCount(limit, exact=False), backend.__name__
        else:
            assert got == SolutionCount(total, exact=True), backend.__name__
        assert len(list(backend.iterate_solutions(problem, limit=limit))) == min(limit, total)


def test_constant_constraints_and_empty_problems():
    for backend in [brute, *SOLVERS]:
        assert backend.count_solutions(Constraints((), ())).count == 1
        assert backend.count_solutions(Constraints((range(3),), (Truth(False),))).count == 0
        assert backend.count_solutions(Constraints((range(3),), (Truth(True),))).count == 3
        # fixed codes that disagree with the problem's own, or leave the domain: no solution
        assert backend.find_solution(Constraints((range(3),), (), fixed=(1,)), fixed=(2,)).status is SolveStatus.UNSAT
        assert backend.find_solution(Constraints((range(3),)), fixed=(7,)).status is SolveStatus.UNSAT


def _hard_problem() -> Constraints:
    # 12 terms of 10 values with an unsatisfiable sum parity: every backend must search a lot to prove it.
    n = 12
    total = Var(0)
    for i in range(1, n):
        total = Arith(ArithOp.ADD, total, Var(i))
    doubled = Arith(ArithOp.MUL, Const(2), total)
    return Constraints(tuple(range(10) for _ in range(n)), (Compare(CmpOp.EQ, doubled, Const(2 * 9 * n + 1)),))


@pytest.mark.parametrize("backend", [brute, pyconstraint])
def test_a_time_limit_gives_unknown_never_a_wrong_answer(backend):
    problem = _hard_problem()
    assert backend.find_solution(problem, time_limit=0.05).status is SolveStatus.UNKNOWN
    count = backend.count_solutions(problem, time_limit=0.05)
    assert not count.exact


def test_cpsat_out_of_time_is_unknown():
    problem = Constraints((range(100), range(100)), (Compare(CmpOp.NE, Var(0), Var(1)),))
    assert cpsat.find_solution(problem, time_limit=0.0).status is SolveStatus.UNKNOWN
    assert cpsat.lexmin_solution(problem, time_limit=0.0).status is SolveStatus.UNKNOWN
    assert cpsat.count_solutions(problem, time_limit=0.0).exact is False
    assert cpsat.find_solution(_hard_problem(), time_limit=0.0).status is SolveStatus.UNKNOWN
    assert cpsat.count_solutions(problem, limit=5, time_limit=10) == SolutionCount(5, exact=False)


def test_cpsat_model_literals_support_assumptions_and_cores():
    m = cpsat.CpsatModel((range(2), range(2), range(5)))
    a = m.literal(IsTrue(0))
    b = m.literal(Logic(Connective.AND, (Not(IsTrue(0)), IsTrue(1))))
    c = m.literal(Compare(CmpOp.GE, Count((IsTrue(0), IsTrue(1))), Const(2)))
    assert m.solve(assumptions=[a, b]).status is SolveStatus.UNSAT
    core = {lit.Index() for lit in m.core()}
    assert core <= {a.Index(), b.Index()} and core
    solved = m.solve(assumptions=[c])
    assert solved.status is SolveStatus.SAT and solved.solution[:2] == (1, 1)
    # An objective over literals: the most rules that can hold together.
    m.model.maximize(sum([a, b, c]))
    assert m.solve().status is SolveStatus.SAT and m.objective_value == 2 and m.optimal


def test_backend_registry():
    assert BACKENDS[0] == "cpsat"
    assert {get_backend(name).__name__ for name in BACKENDS} == {
        "dealcheck.solver.cpsat",
        "dealcheck.solver.pyconstraint",
        "dealcheck.solver.brute",
    }
    with pytest.raises(UsageError, match="unknown backend"):
        get_backend("z3")
