"""The library without footguns: ids or objects everywhere, clear UsageErrors, mappings by id, to_dict = CLI JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import dealcheck
from dealcheck.cli import cli
from dealcheck.errors import UsageError

BUNDLED = str(Path(__file__).parent.parent / "scenarios" / "ukraine-ceasefire-2025.yaml")


@pytest.fixture(scope="module")
def s() -> dealcheck.Scenario:
    return dealcheck.load_scenario(BUNDLED)


def test_lookups_take_ids_or_objects(s):
    assert s.package(s.packages[0]) is s.packages[0]
    assert s.package(s.packages[0].id) is s.packages[0]
    assert s.party(s.parties[1]).id == s.party("russia").id == "russia"
    rule = next(s.rules())
    assert s.rule(rule) is rule and s.rule(rule.ref) == rule
    assert s.variant(s.variants[0]) == s.variant(s.variants[0].name)
    assert s.term(s.terms[0]) is s.terms[0]


def test_analyses_take_package_ids_objects_or_mappings(s):
    by_id, by_obj = s.check("energy_truce"), s.check(s.package("energy_truce"))
    assert by_id == by_obj and by_id.package == "energy_truce"
    assert s.check({"ceasefire": "energy"}).deal_possible is True
    assert s.repair("us_full_ceasefire", top=1).suggestions
    assert s.explore(package="energy_truce", top=0).deals == s.explore(package=s.package("energy_truce"), top=0).deals
    assert s.conflicts(package="energy_truce").deal_exists


@pytest.mark.parametrize(
    "parties", ["russia,ukraine", " russia , ukraine ", ["russia", "ukraine"], ("russia", "ukraine")]
)
def test_parties_as_list_or_comma_separated_string(s, parties):
    assert s.explore(parties=parties, top=0).parties == ("russia", "ukraine")


def test_parties_as_party_objects(s):
    assert s.conflicts(parties=[s.party("russia"), s.party("ukraine")]).deal_exists


@pytest.mark.parametrize(
    "call",
    [
        lambda s: s.check(5),
        lambda s: s.check(["ceasefire"]),
        lambda s: s.package(3),
        lambda s: s.party(None),
        lambda s: s.variant(1.5),
        lambda s: s.rule(object()),
        lambda s: s.explore(parties=7),
        lambda s: s.check("no_such_package"),
        lambda s: s.check({"nato": "neutral"}),
    ],
)
def test_wrong_arguments_raise_usage_error_with_a_sentence(s, call):
    with pytest.raises(UsageError) as e:
        call(s)
    assert len(e.value.message.split()) >= 3


def test_unknown_term_hint_finds_the_longer_id(s):
    with pytest.raises(UsageError) as e:
        s.check({"nato": "neutral"})
    assert e.value.hint == "did you mean 'ukraine_nato'?"


def test_collections_read_as_mappings_by_id(s):
    assert s.parties["russia"].name == "Russia (Putin)"
    assert "russia" in s.parties and "nobody" not in s.parties
    assert s.terms["ceasefire"].index == 1 and s.terms[0].name == "phase"
    assert s.packages.keys()[0] == s.packages[0].id
    assert dict(s.parties.items())["us"] is s.parties[0]
    assert s.packages.get("nothing") is None
    with pytest.raises(UsageError, match="unknown id 'rusia'"):
        s.parties["rusia"]
    assert isinstance(s.parties, tuple) and s.parties == tuple(s.parties)


def test_verdict_party_and_deal_possible_on_complete_packages(s):
    v = s.check("energy_truce")
    assert v.party("russia").party == "russia" and v.party(s.party("us")).party == "us"
    with pytest.raises(UsageError):
        v.party("nobody")
    full = {t.name: t.decode(0) for t in s.terms}
    full_verdict = s.check(full)
    assert full_verdict.complete and full_verdict.deal_possible is full_verdict.deal
    assert full_verdict.to_dict()["deal_possible"] is full_verdict.deal


def _cli_json(*args: str) -> dict:
    result = CliRunner().invoke(cli, [*args, "--format", "json"])
    assert result.exit_code in (0, 1, 4), result.output
    return json.loads(result.output)


def test_to_dict_is_the_cli_json(s):
    cases = [
        (s.explore(top=2), ["explore", BUNDLED, "--top", "2"]),
        (s.conflicts(), ["conflicts", BUNDLED]),
        (s.repair("us_full_ceasefire"), ["repair", BUNDLED, "-p", "us_full_ceasefire"]),
        (s.compare(), ["compare", BUNDLED]),
    ]
    for report, args in cases:
        assert report.to_dict() == _cli_json(*args), args
    from dealcheck.check import check_packages

    assert check_packages(s).to_dict() == _cli_json("check", BUNDLED)
    assert json.dumps(s.test().to_dict())  # plain data


def test_check_json_scores_are_exact(s):
    d = s.check("us_full_ceasefire").to_dict()
    for party in d["parties"].values():
        if party["score_total"]:
            assert party["score"] == round(party["score_met"] / party["score_total"], 4)
            assert party["score_max"] == round(party["score_max_met"] / party["score_total"], 4)
