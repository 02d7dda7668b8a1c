"""Typed claims (:mod:`dealcheck.expectations.claims`): the loader builds one object per claim, entries written in
code go through :meth:`Entry.from_data` (shape errors become :class:`Malformed` entries that fail when run), and the
file form round-trips."""

from __future__ import annotations

from fractions import Fraction
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import dealcheck.expectations as expectations
from dealcheck.errors import ScenarioError
from dealcheck.expectations.claims import (
    CLAIM_KEYS,
    BestClaim,
    ConcessionClaim,
    ConcessionsClaim,
    ConflictCountClaim,
    ConflictsClaim,
    Count,
    CountClaim,
    DealClaim,
    DealPossibleClaim,
    Entry,
    Expectation,
    ForcedClaim,
    Malformed,
    NearestClaim,
    OptionsClaim,
    PartiesClaim,
    RulesClaim,
)
from dealcheck.loader import load_scenario

TALKS = """\
dealcheck: 1
title: Talks
terms:
  ceasefire: {options: [none, energy, full], ordered: true}
  peacekeepers: [none, coalition]
parties:
  russia:
    red_lines:
      no_full: {rule: ceasefire != "full", assumption: toy}
      no_troops: {rule: peacekeepers == "none", assumption: toy}
  ukraine:
    red_lines:
      some: {rule: ceasefire >= "energy", assumption: toy}
    demands:
      full: {rule: ceasefire == "full", weight: 2, assumption: toy}
packages:
  troops: {terms: {peacekeepers: coalition}}
variants:
  calm: {drop: [russia.no_troops]}
expect:
  - {package: troops, deal: false, deal_possible: false, breaks: [russia.no_troops], not_acceptable_to: [russia]}
  - {set: {ceasefire: energy}, keeps: [russia.no_full], meets: [], acceptable_to: [ukraine], forced: {peacekeepers: none}}
  - {variant: calm, deals: ">=1", options: {ceasefire: [energy]}, conflicts: 0, concessions: 0}
  - {package: troops, conflicts: [[russia.no_troops]], best: {score: "1", objective: maximin, parties: [ukraine]}}
  - {package: troops, concession: [russia.no_troops], nearest: {distance: none, keep: [peacekeepers]}}
"""


def test_the_loader_builds_one_typed_claim_per_key() -> None:
    s = load_scenario(TALKS)
    entries = [e.entry for e in s.expectations]
    assert all(isinstance(e, Entry) for e in entries)
    assert entries[0].package == "troops" and entries[0].claims == (
        DealClaim(False),
        DealPossibleClaim(False),
        RulesClaim("breaks", ("russia.no_troops",)),
        PartiesClaim(False, ("russia",)),
    )
    assert entries[1].values == {"ceasefire": "energy"}
    assert entries[1].claims == (
        RulesClaim("keeps", ("russia.no_full",)),
        RulesClaim("meets", ()),
        PartiesClaim(True, ("ukraine",)),
        ForcedClaim({"peacekeepers": "none"}),
    )
    assert entries[2].variant == "calm" and entries[2].claims == (
        CountClaim(Count(">=", 1)),
        OptionsClaim({"ceasefire": ("energy",)}),
        ConflictCountClaim(Count("==", 0)),
        ConcessionsClaim(Count("==", 0)),
    )
    assert entries[3].claims == (
        ConflictsClaim((("russia.no_troops",),)),
        BestClaim(Fraction(1), "1", "maximin", ("ukraine",)),
    )
    assert entries[4].claims == (ConcessionClaim(("russia.no_troops",)), NearestClaim(None, ("peacekeepers",)))
    # Built in code from the file form, each entry is the same object the loader built.
    assert [Entry.from_data(e.data) for e in s.expectations] == entries
    # And every claim holds on this scenario.
    results = s.test().results
    assert [r.passed for r in results] == [True] * 5, [r.reason for r in results]


def test_claims_are_the_package_api() -> None:
    for name in ("Expectation", "Entry", "Malformed", "DealClaim", "BestClaim", "NearestClaim", "Count"):
        assert name in expectations.__all__
        assert getattr(expectations, name) is getattr(expectations.claims, name)
    assert "run_expectation" in expectations.__all__ and "run_expectation" in dir(expectations)
    with pytest.raises(AttributeError):
        expectations.nothing_here  # noqa: B018


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        ({"package": "p", "dael": True}, "unknown key 'dael' in expectation"),
        ({"package": "p"}, "the expectation claims nothing"),
        ({"deal": True}, "deal needs a subject"),
        ({"nearest": {"distance": 1}}, "nearest needs a proposal"),
        ({"set": ["a"], "deal": True}, "set: must map terms to values"),
        ({"package": "p", "best": {"score": "1", "scroe": 2}}, "unknown key 'scroe' in best"),
        ({"package": "p", "nearest": {"distance": 1, "kep": []}}, "unknown key 'kep' in nearest"),
        ({"conflicts": [["a.b", "a.b"]]}, "a.b is listed twice in a conflict"),
        ({"best": {"score": "1", "objective": "sum"}}, "unknown objective 'sum'"),
        ("deal", "an expectation is a mapping"),
    ],
)
def test_malformed_entries_say_why_and_fail_when_run(data: Any, reason: str) -> None:
    entry = Entry.from_data(data)
    assert isinstance(entry, Malformed) and reason in entry.reason
    s = load_scenario(TALKS)
    result = expectations.run_expectation(s, Expectation(data), 3)
    assert not result.passed and reason in (result.reason or "")
    assert result.description == "expectation 4"


_NAMES = st.lists(st.sampled_from(["russia.no_full", "russia.no_troops", "ukraine.some"]), unique=True, max_size=3)
_COUNTS = st.one_of(
    st.integers(0, 10**6), st.builds("{} {}".format, st.sampled_from(["==", ">=", "<", "!="]), st.integers(0, 99))
)
_CLAIMS: dict[str, st.SearchStrategy[Any]] = {
    "deal": st.booleans(),
    "deal_possible": st.booleans(),
    "breaks": _NAMES,
    "keeps": _NAMES,
    "meets": _NAMES,
    "acceptable_to": st.lists(st.sampled_from(["russia", "ukraine"]), unique=True),
    "not_acceptable_to": st.lists(st.sampled_from(["russia", "ukraine"]), unique=True),
    "forced": st.dictionaries(st.sampled_from(["ceasefire", "peacekeepers"]), st.sampled_from(["none", "energy"])),
    "deals": _COUNTS,
    "options": st.dictionaries(st.sampled_from(["ceasefire", "peacekeepers"]), st.lists(st.sampled_from(["none"]))),
    "conflicts": st.one_of(_COUNTS, st.lists(_NAMES.filter(bool), min_size=1, max_size=2)),
    "concessions": _COUNTS,
    "concession": _NAMES.filter(bool),
    "best": st.fixed_dictionaries(
        {"score": st.sampled_from(["0", "3/5", "4", "0.25"]), "objective": st.sampled_from(["total", "nash"])},
        optional={"parties": st.lists(st.sampled_from(["russia", "ukraine"]), unique=True, min_size=1)},
    ),
    "nearest": st.fixed_dictionaries(
        {"distance": st.one_of(_COUNTS, st.just("none"))}, optional={"keep": st.lists(st.just("ceasefire"), min_size=1)}
    ),
}


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(st.sampled_from(list(_CLAIMS)), st.none(), min_size=1).flatmap(
        lambda keys: st.fixed_dictionaries({k: _CLAIMS[k] for k in keys})
    ),
    st.sampled_from([{"package": "troops"}, {"set": {"ceasefire": "energy"}}, {"package": "troops", "variant": "v"}]),
)
def test_the_file_form_round_trips(claims: dict[str, Any], subject: dict[str, Any]) -> None:
    entry = Entry.from_data({**subject, **claims})
    assert isinstance(entry, Entry), entry
    assert [c.key for c in entry.claims] == [k for k in CLAIM_KEYS if k in claims]
    again = Entry.from_data(entry.data())
    assert again == entry
    assert again.describe() == entry.describe() == expectations.describe({**subject, **claims})


@pytest.mark.parametrize(
    "entry",
    [
        '{package: "\\e[31mtroops", deal: true}',  # a package id with a control character: DC113, then no entry
        '{package: troops, description: "\\e[31m", deal: true}',
        '{set: {ceasefire: "\\e[31m"}, deal: true}',
    ],
)
def test_an_entry_with_a_part_already_reported_is_dropped_not_asserted_on(entry: str) -> None:
    with pytest.raises(ScenarioError):
        load_scenario(TALKS + f"  - {entry}\n")
