"""The lexicographically smallest optimum of a separable objective (dealcheck.solver.lexopt), and the nearest repair
asked through it: equal to brute force (every package tried) and to the search path, with the rounds' blocks cut
as small as one term, on scenarios whose terms fall into independent components."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_skyline import proposals, repair_reference

import dealcheck.analysis.repair as repair_module
from dealcheck.analysis.repair import repair
from dealcheck.model import Scenario
from dealcheck.rules.evaluator import evaluate, evaluate_int
from dealcheck.rules.ir import Abs, Arith, ArithOp, BoolExpr, Const, IntExpr, Var, differs, weighted_count
from dealcheck.solver import lexopt
from dealcheck.solver.base import Constraints, Deadline, SolveStatus
from dealcheck.testing import strategies


@st.composite
def _problems(draw: st.DrawFn) -> tuple[Constraints, list[IntExpr]]:
    """Terms in two or three groups; constraints within a group; parts: weighted conditions (within a group, or now
    and then across all terms) and distances ``|x - c|``."""
    terms = draw(strategies.terms(min_terms=2, max_terms=5, max_options=3, max_int_width=3))
    groups = draw(st.integers(1, 3))
    scopes = [tuple(t for t in terms if t.index % groups == g) for g in range(groups)]
    scopes = [s for s in scopes if s]
    constraints = [
        draw(strategies.rules(draw(st.sampled_from(scopes)), max_depth=2)) for _ in range(draw(st.integers(0, 3)))
    ]
    parts: list[IntExpr] = []
    for _ in range(draw(st.integers(1, 4))):
        scope = tuple(terms) if draw(st.integers(0, 4)) == 0 else draw(st.sampled_from(scopes))
        parts.append(weighted_count([(draw(st.integers(1, 5)), draw(strategies.rules(scope, max_depth=1)))]))
    for t in terms:
        if draw(st.booleans()):
            c = draw(st.sampled_from(list(t.domain.codes)))
            parts.append(
                Arith(ArithOp.MUL, Const(draw(st.integers(1, 3))), Abs(Arith(ArithOp.SUB, Var(t.index), Const(c))))
            )
    fixed = tuple(draw(st.sampled_from([None, None, None, *t.domain.codes])) for t in terms)
    return Constraints(tuple(t.domain.codes for t in terms), tuple(constraints), fixed), parts


def _brute(problem: Constraints, parts: list[IntExpr]) -> tuple[int, ...] | None:
    domains = problem.free_domains()
    assert domains is not None
    best = None
    for p in itertools.product(*domains):
        if all(evaluate(c, p) for c in problem.constraints):
            key = (sum(evaluate_int(x, p) or 0 for x in parts), p)
            best = key if best is None or key < best else best
    return None if best is None else best[1]


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_problems(), st.sampled_from([1, 3, 8, 1 << 53]))
def test_the_smallest_optimum_equals_brute_force(case: tuple[Constraints, list[IntExpr]], limit: int) -> None:
    problem, parts = case
    original = lexopt._round
    with pytest.MonkeyPatch.context() as mp:  # blocks as small as one term per component per round
        mp.setattr(lexopt, "_round", lambda queues, tight, _: original(queues, tight, limit))
        got = lexopt.lexmin_minimising(problem, parts, Deadline(None))
    want = _brute(problem, parts)
    assert got is not None
    assert got.solution == want
    assert got.status is (SolveStatus.SAT if want is not None else SolveStatus.UNSAT)


def test_too_wide_an_objective_is_left_to_the_caller() -> None:
    problem = Constraints((range(3), range(3)))
    wide = [Arith(ArithOp.MUL, Const(1 << 60), Var(0))]
    assert lexopt.lexmin_minimising(problem, wide, Deadline(None)) is None
    assert lexopt.lexmin_minimising(problem, [Var(1)], Deadline(0.0)).status is SolveStatus.UNKNOWN  # type: ignore[union-attr]


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proposals())
def test_repair_by_one_objective_equals_brute_force_and_the_search(
    case: tuple[Scenario, tuple[int | None, ...], set[int], int],
) -> None:
    scenario, codes, keep, top = case
    values = scenario.decode(codes)
    names = [scenario.terms[i].name for i in sorted(keep)]
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(repair_module, "DYNAMIC_PROGRAMMING", False)
        one = repair(scenario, values, keep=names, top=top)
        assert [(s.distance, tuple(scenario.encode(s.values))) for s in one.suggestions] == repair_reference(
            scenario, codes, keep, top
        )
        mp.setattr(repair_module, "ONE_OBJECTIVE", False)
        assert one == repair(scenario, values, keep=names, top=top)  # suggestions, baseline and notes alike


def _level(parts: list[IntExpr], codes: tuple[int, ...]) -> int:
    return sum(evaluate_int(x, codes) or 0 for x in parts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_problems(), st.data())
def test_later_answers_after_the_last_equal_brute_force(
    case: tuple[Constraints, list[IntExpr]], data: st.DataObject
) -> None:
    """top > 1 as repair asks it: each answer excludes the earlier ones on some terms (the proposal's), and while the
    earlier ones share the first one's objective, ``after`` (the last one) takes the way without the exclusions,
    from the model and optima the first call kept (``reuse``)."""
    problem, parts = case
    shared = data.draw(st.sets(st.sampled_from(range(len(problem.domains)))), label="excluded on")
    original = lexopt._after
    asked_after = []

    def counted(*args: Any) -> Any:
        asked_after.append(1)
        return original(*args)

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(lexopt, "_after", counted)
        excluding: list[BoolExpr] = []
        shown: list[tuple[int, ...]] = []
        # The model and the optima kept from the first call, as repair keeps them, or built again each time.
        reuse: dict[str, object] | None = {} if data.draw(st.booleans(), label="reuse") else None
        for _ in range(3):
            after = shown[-1] if shown and _level(parts, shown[0]) == _level(parts, shown[-1]) else None
            got = lexopt.lexmin_minimising(
                problem, parts, Deadline(None), after=after, excluding=excluding, reuse=reuse
            )
            want = _brute(problem.with_constraints(*excluding), parts)
            assert got is not None
            assert got.solution == want
            if want is None:
                break
            shown.append(want)
            excluding.append(differs(tuple(c if i in shared else None for i, c in enumerate(want))))
    if len(shown) >= 2:
        assert asked_after
