"""The bundled scenario (scenarios/ukraine-ceasefire-2025.yaml): sourced faithfully, and dealcheck's findings on it.

Two layers. The first reads the YAML with PyYAML only and checks the sourcing rules of issue 3 (every quote in the
article, few assumptions, every rule explained). The second loads it with dealcheck and asserts the substantive
findings: which red lines each package from the article breaks, which partial packages can still become deals
and what they force, and what the variants change.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
import yaml

from dealcheck.sources import normalise

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "ukraine-ceasefire-2025.yaml"
SOURCES = ROOT.parent / "shared" / "sources"  # not shipped: the article is quoted, never copied
ARTICLE = SOURCES / "ceasefire-talks-2025-03.txt"

needs_article = pytest.mark.skipif(not ARTICLE.is_file(), reason=f"the source text {ARTICLE} is not present")


@pytest.fixture(scope="module")
def raw() -> dict[str, Any]:
    return yaml.safe_load(SCENARIO.read_text(encoding="utf-8"))


def raw_rules(raw: Mapping[str, Any]) -> list[tuple[str, str, str, dict[str, Any]]]:
    """(where, kind, ref, rule) for every rule, base scenario and variants."""
    out = []
    for pid, party in raw["parties"].items():
        for kind in ("red_lines", "demands"):
            for rid, r in (party.get(kind) or {}).items():
                out.append(("base", kind, f"{pid}.{rid}", r))
    for vname, v in (raw.get("variants") or {}).items():
        for pid, groups in (v.get("add") or {}).items():
            for kind, rules in groups.items():
                for rid, r in rules.items():
                    out.append((vname, kind, f"{pid}.{rid}", r))
        for ref, r in (v.get("replace") or {}).items():
            out.append((vname, "replace", ref, r))
    return out


# --- sourcing, without the loader -----------------------------------------------------------------------------


@needs_article
def test_every_quote_is_a_verbatim_substring_of_the_article(raw: dict[str, Any]) -> None:
    text = normalise(ARTICLE.read_text(encoding="utf-8"))
    missing = [ref for _, _, ref, r in raw_rules(raw) if "quote" in r and normalise(r["quote"]) not in text]
    assert missing == []


def test_at_most_one_rule_in_five_is_an_assumption(raw: dict[str, Any]) -> None:
    rules = [r for where, _, _, r in raw_rules(raw) if where == "base"]
    assumptions = [r for r in rules if "assumption" in r]
    assert len(rules) == 34 and len(assumptions) == 4
    assert 5 * len(assumptions) <= len(rules)


def test_every_rule_is_sourced_or_reasoned_and_explained(raw: dict[str, Any]) -> None:
    for _, kind, ref, r in raw_rules(raw):
        assert ("quote" in r) != ("assumption" in r), ref
        if "quote" in r:
            assert r["source"] == "talks", ref
            assert len(r["quote"]) <= 100, f"{ref}: keep quotes short and precise"
        else:
            assert len(r["assumption"]) > 80, f"{ref}: an assumption needs its reason"
        assert r.get("description") or r.get("assumption"), ref
        if kind == "demands":
            weight = r["weight"]["value"] if isinstance(r["weight"], dict) else r["weight"]  # {value, range}: a sweep's
            assert weight in (1, 2, 3), ref
        if "confidence" in r:  # an uncertain reading says why it is uncertain
            assert len(r["confidence_reason"]) > 60, ref


def test_no_assumption_is_a_red_line(raw: dict[str, Any]) -> None:
    # An assumption may weigh on a score but must never decide alone whether a package is a deal.
    assert [ref for _, kind, ref, r in raw_rules(raw) if kind == "red_lines" and "assumption" in r] == []


def test_the_article_is_not_copied_into_the_project() -> None:
    assert not list(ROOT.rglob("ceasefire-talks-2025-03.txt"))


# --- findings, with the loader and checker --------------------------------------------------------------------


@pytest.fixture(scope="module")
def scenario(bundled: Any) -> Any:
    return bundled  # conftest.py loads it once per run; a load failure fails these tests


def verdict(scenario: Any, package: str, variant: str | None = None, **override: Any) -> Any:
    s = scenario.variant(variant) if variant else scenario
    return s.check({**scenario.package(package).values, **override})


def broken(v: Any) -> set[str]:
    """Red lines broken (in every completion, for a partial package)."""
    return {f"{o.party}.{o.id}" for p in v.parties for o in p.red_lines if o.status.value == "broken"}


def acceptable(v: Any) -> set[str]:
    return {p.party for p in v.parties if p.acceptable}


def met(v: Any) -> set[str]:
    return {f"{p.party}.{d}" for p in v.parties for d in p.met}


def score(v: Any, party: str) -> float:
    return next(p.score for p in v.parties if p.party == party)


EVERY_DEAL_FORCES = {"ukraine_nato": "outside", "peacekeepers": "none"}
PARTIES = {"us", "russia", "ukraine", "europe", "kallas", "gop_senators"}


def test_the_scenario_loads_whole(scenario: Any) -> None:
    assert len(scenario.terms) == 15
    assert {p.id for p in scenario.parties} == PARTIES
    assert len(list(scenario.rules())) == 34
    assert {v.name for v in scenario.variants} == {
        "before_softening",
        "europe_vetoes_kallas_plan",
        "senators_veto_saceur_plan",
        "peacekeepers_need_full_ceasefire",
        "us_hard_line",
    }
    assert len(scenario.packages) == 12


@needs_article
def test_every_quote_verifies_against_the_article(scenario: Any) -> None:
    from dealcheck.sources import verify_quotes

    assert verify_quotes(scenario, SOURCES) == []


@pytest.mark.parametrize(
    ("package", "breaks", "not_acceptable_to"),
    [
        ("us_full_ceasefire", {"russia.no_full_ceasefire"}, {"russia"}),
        ("european_peacekeepers", {"russia.no_peacekeepers"}, {"russia"}),
        ("mediator_full_ceasefire_guarantees", {"russia.no_full_ceasefire"}, {"russia"}),
    ],
)
def test_blocked_packages_and_whose_red_line_blocks_them(
    scenario: Any, package: str, breaks: set[str], not_acceptable_to: set[str]
) -> None:
    v = verdict(scenario, package)
    assert not v.complete and v.deal_possible is False and not v.deal
    assert broken(v) == breaks
    assert acceptable(v) == PARTIES - not_acceptable_to
    assert v.example is None


@pytest.mark.parametrize(
    "package",
    [
        "energy_truce",
        "black_sea_extension",
        "us_owns_zaporizhzhia",
        "minerals_for_aid",
        "kallas_plan",
        "pentagon_saceur_plan",
        "russia_four_regions",
        "mediator_phased_truce",
    ],
)
def test_partial_packages_that_can_become_deals_force_the_same_two_terms(scenario: Any, package: str) -> None:
    v = verdict(scenario, package)
    assert not v.complete and v.deal_possible is True
    assert broken(v) == set() and acceptable(v) == PARTIES
    assert dict(v.forced) == EVERY_DEAL_FORCES
    example = scenario.check(v.example)
    assert example.deal and all(v.example[k] == val for k, val in scenario.package(package).values.items())


def test_the_peacekeeping_coalition_is_blocked_by_russia_and_twice_only_under_the_full_ceasefire_reading(
    scenario: Any,
) -> None:
    # Europe's condition is some ceasefire agreed with Russia: it breaks only without one.
    assert broken(verdict(scenario, "european_peacekeepers", ceasefire="energy_and_black_sea")) == {
        "russia.no_peacekeepers"
    }
    assert broken(verdict(scenario, "european_peacekeepers", ceasefire="none")) == {
        "russia.no_peacekeepers",
        "europe.peacekeepers_after_agreement",
    }
    # Read as the full ceasefire only (the variant), a Black Sea truce breaks Europe's condition too.
    assert broken(
        verdict(scenario, "european_peacekeepers", variant="peacekeepers_need_full_ceasefire", ceasefire="energy")
    ) == {"russia.no_peacekeepers", "europe.peacekeepers_after_agreement"}


def test_the_black_sea_extension_meets_every_ceasefire_demand_but_the_full_one(scenario: Any) -> None:
    v = verdict(scenario, "black_sea_extension")
    assert {"us.some_ceasefire", "russia.energy_truce", "ukraine.energy_truce", "ukraine.black_sea"} <= met(v)
    assert not {"us.full_ceasefire", "ukraine.full_ceasefire"} & met(v)


def test_us_ownership_of_the_plant_is_not_the_plant_back_in_ukraines_hands(scenario: Any) -> None:
    v = verdict(scenario, "us_owns_zaporizhzhia")
    assert "us.zaporizhzhia_ownership" in met(v) and "ukraine.zaporizhzhia_back" not in met(v)
    russia = next(p for p in v.parties if p.party == "russia")
    assert russia.score_max == pytest.approx(6 / 8)  # keep_zaporizhzhia (2 of 8) can no longer be met
    for option in ("ukrainian_us_role", "ukrainian"):
        assert "ukraine.zaporizhzhia_back" in met(verdict(scenario, "us_owns_zaporizhzhia", zaporizhzhia=option))


def test_security_guarantees_bind_a_settlement_not_a_truce(scenario: Any) -> None:
    assert scenario.check({"phase": "truce", "security_guarantees": "none"}).deal_possible is True
    v = scenario.check({"phase": "settlement", "security_guarantees": "none"})
    assert v.deal_possible is False and broken(v) == {"ukraine.security_guarantees"}


def test_the_mediator_settlement_is_a_deal_with_these_scores(scenario: Any) -> None:
    v = verdict(scenario, "mediator_settlement")
    assert v.complete and v.deal and broken(v) == set()
    scores = {p: round(score(v, p), 3) for p in PARTIES}
    assert scores == {
        "us": 0.857,
        "russia": 0.625,
        "ukraine": 0.786,
        "europe": 0.667,
        "kallas": 0.0,
        "gop_senators": 1.0,
    }


def test_before_softening_the_settlement_broke_russias_eu_objection(scenario: Any) -> None:
    v = verdict(scenario, "mediator_settlement", variant="before_softening")
    assert not v.deal and broken(v) == {"russia.no_eu_accession"}
    assert verdict(scenario, "energy_truce", variant="before_softening").forced["eu_accession"] == "blocked"


def test_read_as_vetoes_the_kallas_and_saceur_plans_cannot_become_deals(scenario: Any) -> None:
    assert verdict(scenario, "kallas_plan").deal_possible is True
    assert verdict(scenario, "kallas_plan", variant="europe_vetoes_kallas_plan").deal_possible is False
    assert verdict(scenario, "pentagon_saceur_plan").deal_possible is True
    assert verdict(scenario, "pentagon_saceur_plan", variant="senators_veto_saceur_plan").deal_possible is False


def test_the_us_hard_line_keeps_the_truce_possible_but_forces_the_sticks(scenario: Any) -> None:
    v = verdict(scenario, "energy_truce", variant="us_hard_line")
    assert v.deal_possible is True
    assert dict(v.forced) == {**EVERY_DEAL_FORCES, "energy_sanctions": "tightened", "us_russia_ties": "frozen"}


def test_every_expectation_in_the_file_passes(scenario: Any) -> None:
    from dealcheck.expectations import run_expectations

    report = run_expectations(scenario)
    assert len(report.results) == len(scenario.expectations) >= 15
    failed = [f"{r.location}: {r.description}: {r.reason}" for r in report.results if not r.passed]
    assert failed == []
