"""Conflicts and concessions: every answer checked against brute force over all subsets of red lines.

The reference enumerates every package once and records which red lines it keeps; a set of red lines can hold
together exactly when some package keeps all of them. From that, minimal conflicts (infeasible sets whose
one-smaller subsets are all feasible) and cheapest correction sets follow by looking at every subset.
"""

from __future__ import annotations

import itertools
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcheck.analysis.conflicts import (
    conflict_sets,
    correction_sets,
    fewest_concessions,
    find_conflicts,
    minimal_conflict,
)
from dealcheck.model import Party, Rule, RuleKind, Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK
from dealcheck.rules.ir import CmpOp, Compare, Connective, Const, Implies, IsTrue, Logic, Not, Var
from dealcheck.rules.terms import BoolDomain, OptionsDomain, Term
from dealcheck.solver.compiled import compile_rules
from dealcheck.testing.strategies import scenarios

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = ROOT / "scenarios" / "ukraine-ceasefire-2025.yaml"

# Several red lines per party, so that generated scenarios deadlock often.
small_scenarios = scenarios(max_terms=3, max_parties=3, max_rules=3, max_depth=1, max_options=3, max_int_width=3)
fast = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# --- the brute-force reference -------------------------------------------------------------------------------


class Reference:
    """Which sets of the given conditions can hold together, by trying every package."""

    def __init__(self, domains, exprs, fixed=None):
        self.n = len(exprs)
        check = compile_rules(tuple(exprs))
        ranges = [
            d if fixed is None or fixed[i] is None else range(fixed[i], fixed[i] + 1) for i, d in enumerate(domains)
        ]
        self.kept = {frozenset(i for i, t in enumerate(check(p)) if t) for p in itertools.product(*ranges)}

    def feasible(self, subset) -> bool:
        s = frozenset(subset)
        return any(s <= k for k in self.kept)

    def conflicts(self) -> list[tuple[int, ...]]:
        out = []
        for size in range(1, self.n + 1):
            for s in itertools.combinations(range(self.n), size):
                if not self.feasible(s) and all(self.feasible(set(s) - {c}) for c in s):
                    out.append(s)
        return out

    def corrections(self, costs) -> list[tuple[int, ...]]:
        everyone = set(range(self.n))
        options = [
            d
            for size in range(self.n + 1)
            for d in itertools.combinations(range(self.n), size)
            if self.feasible(everyone - set(d))
        ]
        best = min(sum(costs[i] for i in d) for d in options)
        return sorted((d for d in options if sum(costs[i] for i in d) == best), key=lambda d: (len(d), d))


def domains_of(scenario: Scenario) -> list[range]:
    return [t.domain.codes for t in scenario.terms]


def red_line_exprs(scenario: Scenario) -> list:
    return [r.expr for r in scenario.red_lines()]


def given_codes(scenario: Scenario, use_package: bool):
    return scenario.encode(scenario.packages[0].values) if use_package and scenario.packages else None


# --- conflicts on generated scenarios ------------------------------------------------------------------------


@pytest.mark.slow
@fast
@given(small_scenarios, st.booleans())
def test_all_conflicts_are_found_and_each_is_minimal(scenario, use_package):
    fixed = given_codes(scenario, use_package)
    ref = Reference(domains_of(scenario), red_line_exprs(scenario), fixed)
    found, complete = conflict_sets(domains_of(scenario), red_line_exprs(scenario), fixed)
    assert complete
    for s in found:
        assert not ref.feasible(s)
        assert all(ref.feasible(set(s) - {c}) for c in s)
    assert found == ref.conflicts()


@fast
@given(small_scenarios, st.integers(1, 3))
def test_a_limit_gives_that_many_verified_conflicts_and_says_so(scenario, limit):
    ref = Reference(domains_of(scenario), red_line_exprs(scenario))
    every = ref.conflicts()
    found, complete = conflict_sets(domains_of(scenario), red_line_exprs(scenario), limit=limit)
    assert set(found) <= set(every)
    assert len(found) == min(limit, len(every))
    assert complete == (len(every) <= limit)


@pytest.mark.slow
@fast
@given(small_scenarios)
def test_quickxplain_finds_the_same_conflicts(scenario):
    deletion = conflict_sets(domains_of(scenario), red_line_exprs(scenario))
    assert conflict_sets(domains_of(scenario), red_line_exprs(scenario), method="quickxplain") == deletion


@fast
@given(small_scenarios, st.lists(st.integers(1, 3), min_size=9, max_size=9), st.booleans())
def test_cheapest_concessions_are_optimal_complete_and_open_a_deal(scenario, cost_pool, use_package):
    exprs = red_line_exprs(scenario)
    costs = cost_pool[: len(exprs)]
    fixed = given_codes(scenario, use_package)
    ref = Reference(domains_of(scenario), exprs, fixed)
    found, complete = correction_sets(domains_of(scenario), exprs, costs, fixed)
    assert complete
    assert [d for d, _ in found] == ref.corrections(costs)
    check = compile_rules(tuple(exprs))
    for dropped, deal in found:
        assert fixed is None or all(f is None or f == c for f, c in zip(fixed, deal))
        assert {i for i, t in enumerate(check(deal)) if not t} == set(dropped)  # breaks exactly the dropped ones


@fast
@given(small_scenarios, st.integers(1, 2))
def test_concession_limit(scenario, limit):
    exprs = red_line_exprs(scenario)
    every = Reference(domains_of(scenario), exprs).corrections([1] * len(exprs))
    found, complete = correction_sets(domains_of(scenario), exprs, limit=limit)
    assert {d for d, _ in found} <= set(every)
    assert len(found) == min(limit, len(every))
    assert complete == (len(every) <= limit)


@pytest.mark.slow
@fast
@given(small_scenarios, st.booleans())
def test_the_report_agrees_with_brute_force(scenario, use_package):
    package = scenario.packages[0] if use_package else None
    fixed = given_codes(scenario, use_package)
    rules = list(scenario.red_lines())
    ref = Reference(domains_of(scenario), [r.expr for r in rules], fixed)
    report = find_conflicts(scenario, package=package, limit=None)
    assert report.exit_code == EXIT_OK
    assert report.deal_exists == ref.feasible(range(len(rules)))
    every = ref.conflicts()
    assert [c.refs for c in report.conflicts] == [tuple(rules[i].ref for i in s) for s in every]
    common = set(every[0]).intersection(*every[1:]) if every else set()
    assert [r.ref for r in report.in_every_conflict] == [rules[i].ref for i in sorted(common)]
    for entry in report.compatibility:
        members = [i for i, r in enumerate(rules) if r.party in entry.parties]
        assert entry.compatible == ref.feasible(members), entry
    if report.deal_exists:
        assert report.concessions == () and report.concession_cost == 0
        assert all(scenario.check(report.example).parties[k].acceptable for k in range(len(scenario.parties)))
    else:
        best = ref.corrections([r.concession_cost for r in rules])
        assert [c.refs for c in report.concessions] == [tuple(rules[i].ref for i in d) for d in best]
        for c in report.concessions:
            verdict = scenario.check(c.deal)
            broken = {f"{p.party}.{b}" for p in verdict.parties for b in p.broken}
            assert broken == set(c.refs)


@settings(max_examples=15, deadline=None)
@given(small_scenarios)
def test_output_is_deterministic(scenario):
    import dealcheck.report.conflicts  # noqa: F401  (registers the renderers)
    from dealcheck.report import render

    first = find_conflicts(scenario)
    again = find_conflicts(scenario)
    assert first == again
    assert render(first, "json") == render(again, "json")


# --- a hand-made deadlock ------------------------------------------------------------------------------------


def rule(party: str, rid: str, text: str, expr, cost: int = 1) -> Rule:
    return Rule(
        party, rid, RuleKind.RED_LINE, text, expr, concession_cost=cost, quote=f"quote of {rid}", source="talks"
    )


def deadlock() -> Scenario:
    """Russia refuses a full ceasefire and troops; Ukraine insists on a full ceasefire or troops; Europe sends
    troops only after a full ceasefire."""
    terms = (
        Term("ceasefire", 0, OptionsDomain(("none", "energy", "full"), ordered=True)),
        Term("troops", 1, BoolDomain()),
        Term("aid", 2, BoolDomain()),
    )
    full = Compare(CmpOp.EQ, Var(0), Const(2))
    parties = (
        Party(
            "russia",
            "Russia",
            red_lines=(
                rule("russia", "no_full", 'ceasefire != "full"', Not(full)),
                rule("russia", "no_troops", "not troops", Not(IsTrue(1)), cost=2),
            ),
        ),
        Party(
            "ukraine",
            "Ukraine",
            red_lines=(
                rule("ukraine", "security", 'ceasefire == "full" or troops', Logic(Connective.OR, (full, IsTrue(1)))),
                rule("ukraine", "aid", "aid", IsTrue(2)),
            ),
        ),
        Party(
            "europe",
            "Europe",
            red_lines=(
                rule("europe", "after_ceasefire", 'troops implies ceasefire == "full"', Implies(IsTrue(1), full)),
            ),
        ),
        Party("us", "United States"),
    )
    return Scenario("Deadlock", terms, parties, path="deadlock.yaml")


def test_deadlock_in_party_terms():
    report = find_conflicts(deadlock())
    assert report.deal_exists is False
    assert [c.refs for c in report.conflicts] == [
        ("russia.no_full", "russia.no_troops", "ukraine.security"),
        ("russia.no_full", "ukraine.security", "europe.after_ceasefire"),
    ]
    assert [c.parties for c in report.conflicts] == [("russia", "ukraine"), ("russia", "ukraine", "europe")]
    assert [r.ref for r in report.in_every_conflict] == ["russia.no_full", "ukraine.security"]
    assert report.conflicts[0].rules[0].quote == "quote of no_full"
    # Dropping no_full or security costs 1; no_troops costs 2, so the pair (no_troops, after_ceasefire) costs 3.
    assert [(c.refs, c.cost) for c in report.concessions] == [(("russia.no_full",), 1), (("ukraine.security",), 1)]
    assert report.compatible("russia") and report.compatible("ukraine", "europe")
    assert report.compatible("russia", "ukraine") is False
    assert [c.parties for c in report.compatibility][:3] == [("russia",), ("russia", "ukraine"), ("russia", "europe")]
    assert report.exit_code == EXIT_OK


def test_coalition_and_package():
    s = deadlock()
    assert find_conflicts(s, parties=["ukraine", "europe"]).deal_exists is True
    # Given troops, Russia's no_troops alone breaks, and Europe then insists on the full ceasefire Russia refuses.
    report = find_conflicts(s, package={"troops": True})
    assert [c.refs for c in report.conflicts] == [("russia.no_troops",), ("russia.no_full", "europe.after_ceasefire")]
    assert dict(report.given) == {"troops": True}
    assert minimal_conflict(s, parties=["russia", "europe", "ukraine"]) is not None
    assert minimal_conflict(s, parties=["us"]) is None


def test_limits_stop_with_exit_code_4():
    report = find_conflicts(deadlock(), limit=1)
    assert len(report.conflicts) == 1 and not report.conflicts_complete
    assert len(report.concessions) == 1 and not report.concessions_complete
    assert report.exit_code == EXIT_LIMIT
    concessions, complete = fewest_concessions(deadlock(), limit=1)
    assert len(concessions) == 1 and not complete


def test_a_tiny_time_limit_claims_nothing_unproven():
    report = find_conflicts(deadlock(), time_limit=1e-9)
    assert report.exit_code == EXIT_LIMIT and report.timed_out
    assert report.deal_exists in (None, False)
    assert not report.conflicts_complete and not report.concessions_complete


def test_bad_requests_are_usage_errors():
    from dealcheck.errors import UsageError

    with pytest.raises(UsageError, match="unknown party"):
        find_conflicts(deadlock(), parties=["rusia"])
    with pytest.raises(UsageError, match="at least 1"):
        find_conflicts(deadlock(), limit=0)


def test_same_rule_twice_is_two_red_lines():
    s = deadlock()
    twin = rule("europe", "twin", 'ceasefire != "full"', Not(Compare(CmpOp.EQ, Var(0), Const(2))))
    parties = tuple(
        p if p.id != "europe" else Party("europe", "Europe", red_lines=p.red_lines + (twin,)) for p in s.parties
    )
    report = find_conflicts(attrs.evolve(s, parties=parties))
    # The twin conflicts with Ukraine's security line exactly as Russia's no_full does: both are listed.
    assert [c.refs for c in report.conflicts] == [
        ("russia.no_full", "russia.no_troops", "ukraine.security"),
        ("russia.no_full", "ukraine.security", "europe.after_ceasefire"),
        ("russia.no_troops", "ukraine.security", "europe.twin"),
        ("ukraine.security", "europe.after_ceasefire", "europe.twin"),
    ]


# --- the command line ----------------------------------------------------------------------------------------

DEADLOCK_YAML = """\
dealcheck: 1
title: Deadlock
terms:
  ceasefire: {options: [none, energy, full], ordered: true}
  troops: bool
parties:
  russia:
    red_lines:
      no_full: {rule: ceasefire != "full", assumption: toy}
      no_troops: {rule: not troops, concession_cost: 2, assumption: toy}
  ukraine:
    red_lines:
      security: {rule: ceasefire == "full" or troops, assumption: toy}
  europe:
    red_lines:
      after: {rule: troops implies ceasefire == "full", assumption: toy}
  us:
    demands:
      truce: {rule: ceasefire >= "energy", assumption: toy}
packages:
  troops_now: {terms: {troops: true}}
"""


@pytest.fixture
def deadlock_file(tmp_path: Path) -> str:
    path = tmp_path / "deadlock.yaml"
    path.write_text(DEADLOCK_YAML, encoding="utf-8")
    return str(path)


def run(*args: str):
    from click.testing import CliRunner

    from dealcheck.cli import cli

    return CliRunner().invoke(cli, ["conflicts", *args])


def test_cli_text(deadlock_file):
    result = run(deadlock_file)
    assert result.exit_code == 0, result.output
    assert "NO DEAL" in result.output
    assert "Minimal conflicts: 2 (all found)" in result.output
    assert "1. russia.no_full + russia.no_troops + ukraine.security" in result.output
    assert "In every conflict: russia.no_full, ukraine.security" in result.output
    assert "Fewest concessions: drop 1 red line (cost 1); 2 ways (all found)" in result.output
    assert "(us has no red lines)" in result.output


def test_cli_json_holds_every_number(deadlock_file):
    import json

    result = run(deadlock_file, "--format", "json", "--limit", "1")
    assert result.exit_code == EXIT_LIMIT
    data = json.loads(result.output)
    assert data["schema"] == "dealcheck.conflicts/1"
    assert data["deal_exists"] is False
    assert data["conflicts"]["count"] == 1 and data["conflicts"]["at_least"] == 2 and not data["conflicts"]["complete"]
    assert data["conflicts"]["in_every_conflict"] == ["russia.no_full", "ukraine.security"]
    assert data["conflicts"]["sets"][0]["red_lines"][0]["ref"] == "russia.no_full"
    assert data["concessions"]["cost"] == 1 and data["concessions"]["at_least"] == 2
    # Which of the two cheapest concessions comes first under a limit is the solver's (deterministic) choice.
    first = data["concessions"]["sets"][0]
    assert (first["cost"], first["size"]) == (1, 1)
    assert (first["drop"], first["parties"]) in [(["russia.no_full"], ["russia"]), (["ukraine.security"], ["ukraine"])]
    assert set(first["deal"]) == {"ceasefire", "troops"}
    assert data["exit_code"] == EXIT_LIMIT
    assert {"parties": ["russia", "ukraine"], "compatible": False} in data["compatibility"]["entries"]


def test_cli_limit_says_first_n(deadlock_file):
    result = run(deadlock_file, "--limit", "1")
    assert result.exit_code == EXIT_LIMIT
    assert "first 1 shown (there are at least 2)" in result.output


def test_cli_coalition_package_and_markdown(deadlock_file):
    result = run(deadlock_file, "--parties", "ukraine,europe")
    assert result.exit_code == 0 and "A DEAL EXISTS" in result.output
    result = run(deadlock_file, "-p", "troops_now", "--format", "markdown")
    assert result.exit_code == 0, result.output
    assert "## Minimal conflicts" in result.output and "1. `russia.no_troops`" in result.output
    result = run(deadlock_file, "--set", "ceasefire=full")
    assert "1. russia.no_full\n" in result.output


def test_cli_invalid_requests_exit_2(deadlock_file, tmp_path):
    assert run(deadlock_file, "--parties", "rusia").exit_code == 2
    assert run(deadlock_file, "--set", "ceasefire=total").exit_code == 2
    assert run(deadlock_file, "--limit", "0").exit_code == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text(
        "dealcheck: 1\ntitle: x\nterms: {a: bool}\nparties: {p: {red_lines: {r: {rule: b, assumption: x}}}}\n"
    )
    assert run(str(bad)).exit_code == 2


def test_scenario_method_and_render(deadlock_file):
    from dealcheck.loader import load_scenario_file
    from dealcheck.report import render

    report = load_scenario_file(deadlock_file).conflicts(limit=None)
    assert next(c.refs for c in report.conflicts) == ("russia.no_full", "russia.no_troops", "ukraine.security")
    for fmt in ("text", "json", "markdown"):
        assert render(report, fmt).endswith("\n")


# --- the bundled scenario ------------------------------------------------------------------------------------


def test_bundled_every_variant_has_a_deal(bundled):
    for s in [bundled, *(bundled.variant(v.name) for v in bundled.variants)]:
        report = s.conflicts()
        assert report.deal_exists is True, s.variant_name
        assert report.conflicts == () and report.exit_code == EXIT_OK


def test_bundled_peacekeepers_are_blocked_by_russia_alone(bundled):
    report = bundled.conflicts(package=bundled.package("european_peacekeepers"))
    assert [c.refs for c in report.conflicts] == [("russia.no_peacekeepers",)]
    assert [r.ref for r in report.in_every_conflict] == ["russia.no_peacekeepers"]
    assert [c.refs for c in report.concessions] == [("russia.no_peacekeepers",)]


def test_bundled_peacekeepers_are_blocked_twice_under_the_full_ceasefire_reading(bundled):
    s = bundled.variant("peacekeepers_need_full_ceasefire")
    report = s.conflicts(package=s.package("european_peacekeepers"))
    assert [c.refs for c in report.conflicts] == [
        ("russia.no_peacekeepers",),
        ("russia.no_full_ceasefire", "europe.peacekeepers_after_agreement"),
    ]
    assert report.in_every_conflict == ()
    assert [c.refs for c in report.concessions] == [
        ("russia.no_full_ceasefire", "russia.no_peacekeepers"),
        ("russia.no_peacekeepers", "europe.peacekeepers_after_agreement"),
    ]
    assert report.compatible("ukraine", "europe") and report.compatible("russia") is False


def test_bundled_full_ceasefire_hinges_on_one_red_line(bundled):
    report = bundled.conflicts(package=bundled.package("mediator_full_ceasefire_guarantees"))
    assert [r.ref for r in report.in_every_conflict] == ["russia.no_full_ceasefire"]
    assert [c.refs for c in report.concessions] == [("russia.no_full_ceasefire",)]


def test_bundled_settlement_before_softening(bundled):
    before = bundled.variant("before_softening")
    report = before.conflicts(package=before.package("mediator_settlement"))
    assert [c.refs for c in report.conflicts] == [("russia.no_eu_accession",)]
    assert bundled.conflicts(package=bundled.package("mediator_settlement")).deal_exists is True


@fast
@given(small_scenarios)
def test_cheapest_concession_is_one_of_the_cheapest(scenario):
    from dealcheck.analysis.conflicts import cheapest_concession

    rules = list(scenario.red_lines())
    ref = Reference(domains_of(scenario), [r.expr for r in rules])
    best = ref.corrections([r.concession_cost for r in rules])
    c = cheapest_concession(scenario)
    assert c.refs in [tuple(rules[i].ref for i in d) for d in best]
    verdict = scenario.check(c.deal)
    assert {f"{p.party}.{b}" for p in verdict.parties for b in p.broken} == set(c.refs)
