"""The shipped strategies (``dealcheck.testing.strategies``) make what they promise.

- generated scenarios are what loading a file gives: each rule's text checks back to its tree, and the whole
  scenario written as YAML loads back equal;
- size controls bound what is drawn;
- ``packages`` gives packages inside the domains (partial ones with terms left out);
- ``deals`` gives only deals (by ``Scenario.check`` and by brute force), every deal can be drawn, draws shrink
  to the lexicographically smallest deal, and a scenario with no deal rejects every draw.
"""

from __future__ import annotations

import itertools
import json

import pytest
from hypothesis import HealthCheck, Phase, find, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from dealcheck import load_scenario
from dealcheck.model import Party, Rule, RuleKind, Scenario
from dealcheck.rules.checker import compile_rule
from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.ir import CmpOp, Compare, Connective, Const, IsTrue, Logic, Not, Truth, Var
from dealcheck.rules.printer import format_expr
from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term
from dealcheck.testing.strategies import codes, deals, domains, packages, rules, scenarios, terms

SMALL = {"max_terms": 3, "max_parties": 2, "max_rules": 2, "max_depth": 2, "max_int_width": 3}


_BOOL = "<bool shorthand>"


def _yaml(scenario: Scenario) -> str:
    """``scenario`` as a scenario file (JSON is YAML: every string is quoted, so no YAML 1.1 trap applies)."""
    term_specs = {}
    for t in scenario.terms:
        match t.domain:
            case OptionsDomain(options=options, ordered=ordered):
                term_specs[t.name] = {"options": list(options), "ordered": ordered}
            case BoolDomain():
                term_specs[t.name] = _BOOL
            case IntDomain(lo=lo, hi=hi):
                term_specs[t.name] = {"range": [lo, hi]}
    parties = {}
    for p in scenario.parties:
        spec: dict[str, object] = {"name": p.name}
        for key, group in (("red_lines", p.red_lines), ("demands", p.demands)):
            if group:
                spec[key] = {
                    r.id: {
                        "rule": r.text,
                        "assumption": r.assumption,
                        **({"weight": r.weight} if key == "demands" else {}),
                    }
                    for r in group
                }
        parties[p.id] = spec
    doc = {
        "dealcheck": 1,
        "title": scenario.title,
        "terms": term_specs,
        "parties": parties,
        "packages": {k.id: {"terms": dict(k.values)} for k in scenario.packages},
    }
    # The one plain scalar: the loader reads a quoted "bool" as a string, not as the boolean shorthand.
    return json.dumps(doc, indent=1).replace(json.dumps(_BOOL), "bool")


def _deals(scenario: Scenario, fixed: tuple[int | None, ...] | None = None) -> list[tuple[int, ...]]:
    fixed = fixed or (None,) * len(scenario.terms)
    spaces = [t.domain.codes if c is None else (c,) for t, c in zip(scenario.terms, fixed, strict=True)]
    red = [r.expr for r in scenario.red_lines()]
    return [c for c in itertools.product(*spaces) if all(evaluate(e, c) for e in red)]


# --- scenarios and rules -------------------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(scenarios(**SMALL, max_packages=2))
def test_generated_rule_text_checks_back_to_the_same_tree(scenario):
    for rule in scenario.rules():
        assert rule.text == format_expr(rule.expr, scenario.terms)
        back, problems = compile_rule(rule.text, scenario.terms)
        assert problems == [] and back == rule.expr, rule.text


@pytest.mark.slow
@settings(max_examples=200, deadline=None)
@given(st.data(), terms(max_terms=4))
def test_generated_rules_are_what_the_checker_makes(data, scenario_terms):
    expr = data.draw(rules(scenario_terms, max_depth=3))
    back, problems = compile_rule(format_expr(expr, scenario_terms), scenario_terms)
    assert problems == [] and back == expr
    # well typed: the evaluator gives a truth value on every full package
    full = data.draw(st.tuples(*(st.sampled_from(tuple(t.domain.codes)) for t in scenario_terms)))
    assert evaluate(expr, full) in (True, False)


@settings(max_examples=40, deadline=None)
@given(scenarios(**SMALL, max_packages=3))
def test_generated_scenarios_load_back_from_a_file_unchanged(scenario):
    loaded = load_scenario(_yaml(scenario))
    assert loaded.terms == scenario.terms
    assert [(p.id, p.name) for p in loaded.parties] == [(p.id, p.name) for p in scenario.parties]
    assert [(r.ref, r.kind, r.text, r.expr, r.weight) for r in loaded.rules()] == [
        (r.ref, r.kind, r.text, r.expr, r.weight) for r in scenario.rules()
    ]
    assert [(k.id, dict(k.values)) for k in loaded.packages] == [(k.id, dict(k.values)) for k in scenario.packages]


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.data())
def test_size_controls_bound_what_is_drawn(data):
    max_terms, max_parties, max_rules = (
        data.draw(st.integers(1, 5)),
        data.draw(st.integers(1, 4)),
        data.draw(st.integers(0, 3)),
    )
    max_options, max_int_width = data.draw(st.integers(2, 5)), data.draw(st.integers(1, 6))
    kinds = data.draw(st.sampled_from(["o", "b", "i", "obi", "oi"]))
    low = data.draw(st.integers(0, 2))
    high = data.draw(st.integers(low, 3))
    partial = data.draw(st.booleans())
    s = data.draw(
        scenarios(
            max_terms=max_terms,
            max_parties=max_parties,
            max_rules=max_rules,
            max_options=max_options,
            max_int_width=max_int_width,
            kinds=kinds,
            min_packages=low,
            max_packages=high,
            partial=partial,
        )
    )
    assert 1 <= len(s.terms) <= max_terms and 1 <= len(s.parties) <= max_parties
    for t in s.terms:
        match t.domain:
            case OptionsDomain(options=options):
                assert "o" in kinds and 2 <= len(options) <= max_options
            case BoolDomain():
                assert "b" in kinds
            case IntDomain(lo=lo, hi=hi):
                assert "i" in kinds and hi - lo + 1 <= max_int_width
    for p in s.parties:
        assert len(p.red_lines) <= max_rules and len(p.demands) <= max_rules
        assert all(1 <= d.weight <= 3 for d in p.demands)
        assert all(r.assumption for r in p.red_lines + p.demands)
    assert low <= len(s.packages) <= high
    assert [k.id for k in s.packages] == ["given", *(f"k{i}" for i in range(1, high))][: len(s.packages)]
    if not partial:
        assert all(len(k.values) == len(s.terms) for k in s.packages)


def test_bad_kinds_are_a_clear_error():
    with pytest.raises(ValueError, match="names no domain kind"):
        domains(kinds="x")


# --- packages ------------------------------------------------------------------------------------------------


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(st.data(), scenarios(**SMALL))
def test_packages_are_inside_the_domains(data, scenario):
    names = {t.name for t in scenario.terms}
    full = data.draw(packages(scenario))
    assert set(full) == names
    assert scenario.check(full).complete
    partial = data.draw(packages(scenario, partial=True))
    assert set(partial) <= names
    scenario.encode(partial)  # every value inside its term's domain, or this raises
    assert all(c is not None for c in data.draw(codes(scenario)))


def test_partial_packages_leave_terms_open_and_shrink_to_all_open():
    s = Scenario("s", (Term("a", 0, BoolDomain()), Term("b", 1, IntDomain(0, 5))), ())
    assert find(packages(s, partial=True), lambda p: True) == {}
    assert find(packages(s, partial=True), lambda p: len(p) == 1 and "b" in p) == {"b": 0}
    some_open = find(packages(s, partial=True), lambda p: "a" in p and not s.check(p).complete)
    assert some_open == {"a": False}


# --- deals ---------------------------------------------------------------------------------------------------


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
@given(st.data(), scenarios(**SMALL))
def test_deals_are_deals(data, scenario):
    reference = _deals(scenario)
    if not reference:
        return  # drawing would reject: see test_a_scenario_with_no_deal_rejects_every_draw
    deal = data.draw(deals(scenario))
    verdict = scenario.check(deal)
    assert verdict.complete and verdict.deal
    assert scenario.encode(deal) in reference
    # within a partial package: a deal completing it, when there is one
    within = dict(scenario.packages[0].values)
    if _deals(scenario, scenario.encode(within)):
        completion = data.draw(deals(scenario, within=within))
        assert scenario.check(completion).deal and completion.items() >= within.items()


def _toy() -> Scenario:
    a = Term("a", 0, OptionsDomain(("x", "y", "z"), ordered=True))
    b = Term("b", 1, IntDomain(0, 4))
    c = Term("c", 2, BoolDomain())
    red = (
        Rule("p", "r0", RuleKind.RED_LINE, 'a >= "y"', Compare(CmpOp.GE, Var(0), Const(1)), assumption="toy"),
        Rule(
            "p",
            "r1",
            RuleKind.RED_LINE,
            "c or b >= 3",
            Logic(Connective.OR, (IsTrue(2), Compare(CmpOp.GE, Var(1), Const(3)))),
            assumption="toy",
        ),
    )
    return Scenario("toy", (a, b, c), (Party("p", "P", red_lines=red),))


def test_deals_shrink_to_the_smallest_deal_and_every_deal_can_be_drawn():
    s = _toy()
    reference = _deals(s)
    assert find(deals(s), lambda d: True) == s.decode(reference[0]) == {"a": "y", "b": 0, "c": True}
    # each deal is drawn for the predicate "is this deal": nothing in the strategy hides part of the deal space
    for target in reference:
        assert find(deals(s), lambda d, t=target: s.encode(d) == t, settings=settings(max_examples=2000)) == s.decode(
            target
        )
    # a failing property shrinks to the smallest deal that fails it
    assert find(deals(s), lambda d: not d["c"]) == {"a": "y", "b": 3, "c": False}
    assert find(deals(s, within={"c": False}), lambda d: True) == {"a": "y", "b": 3, "c": False}


# The inner ``find`` is the point here (it is how a failing test shrinks), so the nesting is wanted; few examples.
@pytest.mark.slow
@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.nested_given])
@given(scenarios(max_terms=3, max_parties=2, max_rules=2, max_depth=1))
def test_draws_shrink_to_the_lexicographically_smallest_deal(scenario):
    reference = _deals(scenario)
    if reference:
        assert find(deals(scenario), lambda d: True, settings=settings(database=None)) == scenario.decode(reference[0])


def test_a_scenario_with_no_deal_rejects_every_draw():
    s = Scenario(
        "stuck",
        (Term("a", 0, BoolDomain()),),
        (
            Party("p", "P", red_lines=(Rule("p", "r", RuleKind.RED_LINE, "a", IsTrue(0), assumption="toy"),)),
            Party("q", "Q", red_lines=(Rule("q", "r", RuleKind.RED_LINE, "not a", Not(IsTrue(0)), assumption="toy"),)),
        ),
    )
    with pytest.raises(Unsatisfiable):
        find(deals(s), lambda d: True)
    with pytest.raises(Unsatisfiable):
        find(deals(_toy(), within={"a": "x"}), lambda d: True)
    # a constant-false red line too; the strategy object itself is made without solving
    never = Rule("p", "r", RuleKind.RED_LINE, "false", Truth(False), assumption="toy")
    strategy = deals(Scenario("never", (Term("a", 0, BoolDomain()),), (Party("p", "P", red_lines=(never,)),)))
    with pytest.raises(Unsatisfiable):
        find(strategy, lambda d: True)


def test_deals_on_a_scenario_too_large_to_list():
    """40 terms of 5 values: 5**40 packages, far beyond enumeration; the solver draws deals all the same."""
    n = 40
    ts = tuple(Term(f"t{i}", i, IntDomain(0, 4)) for i in range(n))
    chain = tuple(
        Rule(
            "p", f"r{i}", RuleKind.RED_LINE, f"t{i} < t{i + 1}", Compare(CmpOp.LT, Var(i), Var(i + 1)), assumption="toy"
        )
        for i in range(0, n - 1, 2)
    )
    s = Scenario("large", ts, (Party("p", "P", red_lines=chain),))

    # Draws only, no shrinking: shrinking is a CP-SAT solve per step, which on 40 terms adds up to minutes. That
    # draws shrink to the smallest deal is shown on small scenarios above.
    @settings(max_examples=5, deadline=None, database=None, phases=[Phase.generate])
    @given(deals(s))
    def every_draw_is_a_deal(drawn: dict) -> None:
        assert s.check(drawn).deal

    every_draw_is_a_deal()
