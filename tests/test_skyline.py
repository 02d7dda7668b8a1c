"""Best deals and the frontier by dynamic programming (dealcheck.analysis.skyline): equal to an independent brute
force and to the CP-SAT search, tie-breaks included, on random scenarios whose terms fall into independent blocks;
and the start-up it saves (no OR-Tools import where the structure is narrow)."""

from __future__ import annotations

import itertools
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_objectives import check, ref_scores, weighted_scenarios

import dealcheck.analysis.examples as examples_module
import dealcheck.analysis.explore as explore_module
import dealcheck.analysis.repair as repair_module
from dealcheck import load_scenario
from dealcheck.analysis.examples import best_completion
from dealcheck.analysis.explore import best_deals, explore
from dealcheck.analysis.objectives import OBJECTIVES, Scorer
from dealcheck.analysis.repair import repair
from dealcheck.analysis.skyline import skyline
from dealcheck.model import Package, Party, Rule, RuleKind, Scenario, reservation_rule
from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.terms import IntDomain
from dealcheck.solver.base import Constraints
from dealcheck.testing import strategies

# The benchmarks' scenario generator (benchmarks/generate.py) makes the 48-term scenario of the start-up row.
BENCHMARKS = str(Path(__file__).resolve().parent.parent / "benchmarks")
if BENCHMARKS not in sys.path:
    sys.path.append(BENCHMARKS)


@contextmanager
def path(dynamic: bool) -> Iterator[None]:
    """Explore as on a large scenario (no listing), by dynamic programming or by solver search."""
    saved = (explore_module.LIST_PACKAGES, explore_module.SMALL_ZONE, explore_module.DYNAMIC_PROGRAMMING)
    explore_module.LIST_PACKAGES, explore_module.SMALL_ZONE, explore_module.DYNAMIC_PROGRAMMING = 0, 0, dynamic
    try:
        yield
    finally:
        explore_module.LIST_PACKAGES, explore_module.SMALL_ZONE, explore_module.DYNAMIC_PROGRAMMING = saved


@st.composite
def block_scenarios(draw: st.DrawFn) -> Scenario:
    """Terms in two or three independent blocks: red lines read one block; demands mostly one block, sometimes
    two; integer weights or decimals; some parties with a reservation value; sometimes a partial package."""
    terms = draw(strategies.terms(min_terms=3, max_terms=6, max_options=3, max_int_width=3))
    blocks = draw(st.integers(2, 3))
    block = [t.index % blocks for t in terms]
    groups = [tuple(t for t in terms if block[t.index] == b) for b in range(blocks)]
    groups = [g for g in groups if g]
    weights = st.sampled_from([1, 1, 2, 3, Fraction(1, 4), Fraction(3, 10), 100000007])
    parties = []
    for p in range(draw(st.integers(1, 3))):
        pid = f"p{p}"
        red = tuple(
            Rule(
                pid,
                f"r{k}",
                RuleKind.RED_LINE,
                "<r>",
                draw(strategies.rules(draw(st.sampled_from(groups)), max_depth=2)),
                assumption="g",
            )
            for k in range(draw(st.integers(0, 2)))
        )
        demands = []
        for k in range(draw(st.integers(0, 3))):
            scope = draw(st.sampled_from(groups))
            if draw(st.integers(0, 3)) == 0:
                scope = tuple(terms)
            expr = draw(strategies.rules(scope, max_depth=1))
            demands.append(Rule(pid, f"d{k}", RuleKind.DEMAND, "<d>", expr, weight=draw(weights), assumption="g"))
        accepts = draw(st.sampled_from([None, None, None, Fraction(1, 3), Fraction(1, 2)]))
        party = Party(pid, f"Party {p}", red_lines=red, demands=tuple(demands), accepts_at=accepts)
        if accepts is not None and demands:
            party = attrs.evolve(party, red_lines=red + (reservation_rule(party, accepts, text="r", assumption="g"),))
        else:
            party = attrs.evolve(party, accepts_at=None)
        parties.append(party)
    base = Scenario("Blocks", terms, tuple(parties), path="<generated>")
    codes = tuple(c if draw(st.integers(0, 5)) == 0 else None for c in draw(strategies.codes(base)))
    return attrs.evolve(base, packages=(Package("given", base.decode(codes)),))


@pytest.mark.slow
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(st.one_of(block_scenarios(), weighted_scenarios()), st.sampled_from(OBJECTIVES), st.integers(1, 4))
def test_dynamic_programming_equals_brute_force_and_search(scenario: Scenario, objective: str, top: int) -> None:
    package = scenario.packages[0]
    with path(dynamic=True):
        check(scenario, objective, top, "cpsat")  # best deals, their objectives and the frontier, against brute force
        dp = explore(scenario, objective=objective, top=top, package=package)
        assert dp.ranking in ("dynamic programming", "")
        fast = best_deals(scenario, objective=objective, top=top, package=package)
    with path(dynamic=False):
        searched = explore(scenario, objective=objective, top=top, package=package)
        assert searched.ranking in ("search", "")
    assert dp.best == searched.best == fast
    assert dp.pareto == searched.pareto


def test_a_narrow_scenario_goes_by_dynamic_programming() -> None:
    s = load_scenario(BLOCKS)
    with path(dynamic=True):
        r = explore(s, top=2)
    assert r.ranking == "dynamic programming"
    assert [dict(d.values) for d in r.best] == [
        {"a": "y", "b": True, "c": 2, "d": True},
        {"a": "y", "b": True, "c": 3, "d": True},
    ]
    assert [[str(p.score) for p in d.scores] for d in r.pareto] == [["1/2", "1"], ["1", "0"]]


def test_a_budget_too_small_gives_up_rather_than_guess() -> None:
    s = load_scenario(BLOCKS)
    problem = Constraints.from_scenario(s)
    assert skyline(problem, Scorer(s.parties), 2, max_rows=1) is None
    assert skyline(problem, Scorer(s.parties), 2, max_work=3) is None
    assert skyline(problem, Scorer(s.parties), 2) is not None


def test_no_deal_gives_an_empty_list() -> None:
    s = load_scenario(BLOCKS.replace("rule: c >= 2", "rule: c >= 2 and c < 2"))
    assert skyline(Constraints.from_scenario(s), Scorer(s.parties), 3) == []


BLOCKS = """
dealcheck: 1
title: Blocks
terms:
  a: [x, y, z]
  b: bool
  c: {range: [0, 3]}
  d: bool
parties:
  p:
    red_lines:
      low: {rule: c >= 2, assumption: toy}
    demands:
      a_x: {rule: a == "x", assumption: toy}
      b: {rule: b, assumption: toy}
  q:
    red_lines:
      not_both: {rule: not (a == "x" and d), assumption: toy}
    demands:
      d: {rule: d, assumption: toy}
"""


@pytest.mark.slow
def test_explore_on_the_48_term_scenario_imports_no_solver() -> None:
    from generate import generate

    text = generate("many", terms=48, seed=5).yaml()
    code = (
        "import sys\nfrom dealcheck import load_scenario\nfrom dealcheck.analysis.explore import explore\n"
        f"r = explore(load_scenario({text!r}), top=3, objective='nash')\n"
        "print(r.ranking, r.complete, 'ortools' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["dynamic", "programming", "True", "False"]


# --- repair -------------------------------------------------------------------------------------------------------


@st.composite
def proposals(draw: st.DrawFn) -> tuple[Scenario, tuple[int | None, ...], set[int], int]:
    """A scenario with per-term change costs (some integer terms per unit of change) and a partial proposal."""
    scenario = draw(block_scenarios())
    terms = tuple(
        attrs.evolve(
            t,
            change_cost=draw(st.integers(1, 3)),
            change_per_unit=isinstance(t.domain, IntDomain) and draw(st.booleans()),
        )
        for t in scenario.terms
    )
    scenario = attrs.evolve(scenario, terms=terms)
    codes = draw(strategies.codes(scenario, partial=True))
    keep = {i for i, c in enumerate(codes) if c is not None and draw(st.booleans())} if draw(st.booleans()) else set()
    return scenario, codes, keep, draw(st.integers(1, 4))


def repair_reference(
    scenario: Scenario, codes: tuple[int | None, ...], keep: set[int], top: int
) -> list[tuple[int, tuple[int, ...]]]:
    """(distance, deal) of the top suggestions, every package tried: deals grouped by the proposal's terms, each
    group by its best deal (nearest, best total score, smallest codes)."""
    red = [r.expr for r in scenario.red_lines()]
    domains = [range(codes[t.index], codes[t.index] + 1) if t.index in keep else t.domain.codes for t in scenario.terms]
    groups: dict[tuple[int | None, ...], tuple[int, Fraction, tuple[int, ...]]] = {}
    for deal in itertools.product(*domains):
        if not all(evaluate(e, deal) for e in red):
            continue
        key = tuple(d if c is not None else None for d, c in zip(deal, codes, strict=True))
        distance = sum(
            (t.change_cost * abs(d - c) if t.change_per_unit else t.change_cost)
            for t, c, d in zip(scenario.terms, codes, deal, strict=True)
            if c is not None and c != d
        )
        candidate = (distance, -sum(ref_scores(scenario, deal)), deal)
        if key not in groups or candidate < groups[key]:
            groups[key] = candidate
    return [(d, deal) for d, _, deal in sorted(groups.values())[:top]]


@pytest.mark.slow
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(proposals())
def test_repair_by_dynamic_programming_equals_brute_force_and_search(
    case: tuple[Scenario, tuple[int | None, ...], set[int], int],
) -> None:
    scenario, codes, keep, top = case
    values = scenario.decode(codes)
    names = [scenario.terms[i].name for i in sorted(keep)]
    dp = repair(scenario, values, keep=names, top=top)
    assert [(s.distance, tuple(scenario.encode(s.values))) for s in dp.suggestions] == repair_reference(
        scenario, codes, keep, top
    )
    saved = repair_module.DYNAMIC_PROGRAMMING
    repair_module.DYNAMIC_PROGRAMMING = False
    try:
        searched = repair(scenario, values, keep=names, top=top)
    finally:
        repair_module.DYNAMIC_PROGRAMMING = saved
    assert dp == searched  # suggestions, baseline and notes alike


@pytest.mark.slow
def test_repair_of_the_48_term_scenario_imports_no_solver() -> None:
    from generate import generate

    text = generate("many", terms=48, seed=5).yaml()
    code = (
        "import sys\nfrom dealcheck import load_scenario\nfrom dealcheck.analysis.repair import repair\n"
        f"s = load_scenario({text!r})\n"
        "r = repair(s, {'t011': 'o0', 't015': True, 't003': 'o1'}, top=3)\n"
        "print(len(r.suggestions), r.complete, 'ortools' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["3", "True", "False"]


@st.composite
def wide_scenarios(draw: st.DrawFn) -> Scenario:
    """A salary-like integer term of 100,000 values read only against constants (so its values fall into a few
    classes), next to a boolean and an option term; two parties."""
    cuts = draw(st.lists(st.integers(0, 99_999), min_size=1, max_size=4))
    ops = ["<", "<=", ">", ">=", "=="]
    lines = ["dealcheck: 1", "title: wide", "terms:", "  pay: {range: [0, 99999]}", "  b: bool", "  o: [x, y, z]"]
    lines += ["parties:"]
    for p in ("a", "c"):
        lines += [f"  {p}:", "    red_lines:"]
        lines.append(f"      r: {{rule: 'pay {draw(st.sampled_from(ops))} {cuts[0]} or b', assumption: x}}")
        lines += ["    demands:"]
        for k, cut in enumerate(cuts):
            rule = f"pay {draw(st.sampled_from(ops))} {cut}"
            if draw(st.booleans()):
                rule += f' and o != "{draw(st.sampled_from("xyz"))}"'
            lines.append(f"      d{k}: {{rule: '{rule}', weight: {draw(st.integers(1, 5))}, assumption: x}}")
    return load_scenario("\n".join(lines) + "\n")


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(wide_scenarios(), st.sampled_from(OBJECTIVES), st.integers(1, 4))
def test_wide_terms_by_value_classes_equal_the_search(scenario: Scenario, objective: str, top: int) -> None:
    with path(dynamic=True):
        dp = explore(scenario, objective=objective, top=top)
        assert dp.ranking in ("dynamic programming", "")
    with path(dynamic=False):
        searched = explore(scenario, objective=objective, top=top)
    assert dp.best == searched.best
    assert dp.pareto == searched.pareto


@pytest.mark.slow
@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(block_scenarios())
def test_best_completion_by_dynamic_programming_equals_the_search(scenario: Scenario) -> None:
    values = scenario.packages[0].values
    fast = best_completion(scenario, values)
    saved = examples_module.DYNAMIC_PROGRAMMING
    examples_module.DYNAMIC_PROGRAMMING = False
    try:
        assert fast == best_completion(scenario, values)
    finally:
        examples_module.DYNAMIC_PROGRAMMING = saved
