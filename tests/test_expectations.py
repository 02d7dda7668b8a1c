"""Expectations (``expect:``): each claim passing and failing for the right reason, counts, renderers, discovery.

Most scenarios here are built directly from model classes, so these tests pin the expectation semantics without
depending on the loader; the YAML-level tests at the end go through ``load_scenario``.
"""

from __future__ import annotations

import json
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dealcheck.errors import Diagnostic, Span
from dealcheck.expectations import (
    ExpectationReport,
    InvalidFile,
    TestRun,
    describe,
    discover,
    parse_count,
    run_expectation,
    run_expectations,
)
from dealcheck.model import Expectation, OptionsDomain, Package, Party, Rule, RuleKind, Scenario, Term, Variant
from dealcheck.report import render
from dealcheck.rules import ir
from dealcheck.rules.syntax import CmpOp
from dealcheck.rules.terms import BoolDomain

# ceasefire: none < energy < full; nato: member | neutral; minerals: bool  -> 12 packages
TERMS = (
    Term("ceasefire", 0, OptionsDomain(("none", "energy", "full"), ordered=True)),
    Term("nato", 1, OptionsDomain(("member", "neutral"))),
    Term("minerals", 2, BoolDomain()),
)
NO_FULL = Rule(
    "russia",
    "no_full",
    RuleKind.RED_LINE,
    'ceasefire != "full"',
    ir.Compare(CmpOp.NE, ir.Var(0), ir.Const(2)),
    assumption="toy",
)
NO_NATO = Rule(
    "russia",
    "no_nato",
    RuleKind.RED_LINE,
    'nato != "member"',
    ir.Compare(CmpOp.NE, ir.Var(1), ir.Const(0)),
    assumption="toy",
)
SOME = Rule(
    "ukraine",
    "some",
    RuleKind.RED_LINE,
    'ceasefire >= "energy"',
    ir.Compare(CmpOp.GE, ir.Var(0), ir.Const(1)),
    assumption="toy",
)
MINERALS = Rule("us", "minerals", RuleKind.DEMAND, "minerals", ir.IsTrue(2), weight=2, assumption="toy")


def scenario(*entries: dict[str, Any]) -> Scenario:
    return Scenario(
        "Toy",
        TERMS,
        (
            Party("russia", "Russia", (NO_FULL, NO_NATO)),
            Party("ukraine", "Ukraine", (SOME,)),
            Party("us", "US", (), (MINERALS,)),
        ),
        packages=(
            Package("bad", {"ceasefire": "full", "nato": "member", "minerals": True}),
            Package("good", {"ceasefire": "energy", "nato": "neutral", "minerals": False}),
            Package("open_nato", {"ceasefire": "energy", "minerals": True}),
            Package("hopeless", {"ceasefire": "none"}),
        ),
        variants=(Variant("softer", drop=("russia.no_nato",)),),
        expectations=tuple(Expectation(e, Span("toy.yaml", 10 + i, 5)) for i, e in enumerate(entries)),
        path="toy.yaml",
    )


def check(**entry: Any) -> Any:
    s = scenario(entry)
    return run_expectation(s, s.expectations[0])


# --- each claim, passing and failing -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "entry",
    [
        {"package": "good", "deal": True},
        {"package": "bad", "deal": False},
        {"package": "bad", "breaks": ["russia.no_full"]},
        {"package": "bad", "breaks": ["russia.no_full", "russia.no_nato"]},
        {"package": "good", "keeps": ["russia.no_full", "russia.no_nato", "ukraine.some"]},
        {"package": "open_nato", "meets": ["us.minerals"]},
        {"package": "bad", "acceptable_to": ["ukraine", "us"], "not_acceptable_to": ["russia"]},
        {"package": "open_nato", "deal_possible": True, "forced": {"nato": "neutral"}},
        {"package": "open_nato", "acceptable_to": ["russia"]},
        {"package": "hopeless", "deal_possible": False, "breaks": ["ukraine.some"]},
        {"package": "good", "deal_possible": True, "forced": {"ceasefire": "energy"}},
        {"set": {"ceasefire": "energy", "nato": "neutral", "minerals": True}, "deal": True, "meets": ["us.minerals"]},
        {"package": "bad", "set": {"ceasefire": "energy", "nato": "neutral"}, "deal": True},
        {"variant": "softer", "set": {"ceasefire": "energy", "nato": "member", "minerals": True}, "deal": True},
        {"deals": 2},
        {"deals": ">= 1"},
        {"deals": "< 10"},
        {"deals": "!= 0"},
        {"variant": "softer", "deals": 4},
        {"package": "open_nato", "deals": 1},
        {"package": "hopeless", "deals": 0},
    ],
    ids=lambda e: describe(e),
)
def test_claim_holds(entry: dict[str, Any]) -> None:
    result = check(**entry)
    assert result.passed, result.reason
    assert result.reason is None


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"package": "bad", "deal": True}, ["to be a deal", "russia.no_full", "ceasefire=full", "russia.no_nato"]),
        ({"package": "good", "deal": False}, ["not to be a deal", "every party accepts it"]),
        ({"package": "open_nato", "deal": True}, ["partial", "nato open", "deal_possible"]),
        (
            {"package": "good", "breaks": ["russia.no_full"]},
            ["to break russia.no_full", "holds", "ceasefire=energy", "no red line instead"],
        ),
        ({"package": "bad", "keeps": ["russia.no_nato"]}, ["to keep russia.no_nato", "is broken", "nato=member"]),
        ({"package": "good", "meets": ["us.minerals"]}, ["to meet us.minerals", "is broken", "minerals=false"]),
        ({"package": "open_nato", "keeps": ["russia.no_nato"]}, ["is open", "nato=open"]),
        ({"package": "bad", "acceptable_to": ["russia"]}, ["acceptable to russia", "russia.no_full"]),
        ({"package": "good", "not_acceptable_to": ["ukraine"]}, ["not to be acceptable to ukraine", "keeps all"]),
        ({"package": "hopeless", "deal_possible": True}, ["none is", "ukraine.some"]),
        ({"package": "open_nato", "deal_possible": False}, ["one is", "nato=neutral"]),
        ({"package": "open_nato", "forced": {"nato": "member"}}, ["force nato=member", "forces nato=neutral"]),
        ({"package": "bad", "forced": {"nato": "member"}}, ["no completion is a deal"]),
        ({"deals": 5}, ["exactly 5 deals in the scenario", "there are 2"]),
        ({"deals": "> 4"}, ["more than 4 deals", "there are 2"]),
        ({"variant": "softer", "deals": 0}, ["exactly 0 deals", "variant softer", "there are 4"]),
        ({"package": "open_nato", "deals": 2}, ["completions of package open_nato", "there is 1"]),
    ],
    ids=lambda x: describe(x) if isinstance(x, dict) else "",
)
def test_claim_fails_with_reason(entry: dict[str, Any], words: list[str]) -> None:
    result = check(**entry)
    assert not result.passed
    assert result.reason is not None and "\n" not in result.reason  # one paragraph, one line
    for w in words:
        assert w in result.reason, f"{w!r} not in {result.reason!r}"


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"package": "nope", "deal": True}, ["unknown package 'nope'"]),
        ({"package": "god", "deal": True}, ["did you mean 'good'"]),
        (
            {"package": "good", "breaks": ["russia.no_ful"]},
            ["unknown rule 'russia.no_ful'", "did you mean 'russia.no_full'"],
        ),
        ({"package": "good", "breaks": ["us.minerals"]}, ["us.minerals is a demand"]),
        ({"package": "good", "meets": ["russia.no_full"]}, ["is a red line"]),
        ({"package": "good", "acceptable_to": ["rusia"]}, ["unknown party 'rusia'"]),
        ({"variant": "sofer", "deals": 1}, ["unknown variant 'sofer'", "did you mean 'softer'"]),
        ({"set": {"ceasefire": "total"}, "deal": True}, ["'total' is not an option of ceasefire"]),
        ({"set": {"nukes": 1}, "deal": True}, ["unknown term 'nukes'"]),
        ({"deal": True}, ["needs a subject"]),
        ({"package": "good"}, ["claims nothing"]),
        ({"deals": "lots"}, ["takes a count"]),
        ({"deals": True}, ["takes a count"]),
        ({"deals": -1}, ["takes a count"]),
        ({"package": "good", "dael": True}, ["unknown key 'dael'"]),
        ({"package": "good", "forced": ["nato"]}, ["forced: must map"]),
    ],
)
def test_unusable_expectation_fails_never_passes(entry: dict[str, Any], words: list[str]) -> None:
    result = check(**entry)
    assert not result.passed
    for w in words:
        assert w in (result.reason or ""), result.reason


def test_deal_counts_without_a_counting_engine_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "dealcheck.solver.counting", None)  # makes the import fail
    monkeypatch.setitem(sys.modules, "dealcheck.solver.planner", None)
    result = check(deals=">= 0")
    assert not result.passed
    assert "deal counts need the analysis engine" in (result.reason or "")


def test_a_time_limit_never_passes(monkeypatch: pytest.MonkeyPatch) -> None:
    import dealcheck.check
    import dealcheck.model

    real = dealcheck.check.check_package

    def stopped(*args: Any, **kwargs: Any) -> Any:
        return attrs.evolve(real(*args, **kwargs), unknown=True)

    monkeypatch.setattr(dealcheck.check, "check_package", stopped)
    monkeypatch.setattr(dealcheck.model, "_CHECK_PACKAGE", stopped)  # Scenario.check caches the checker function
    result = check(package="good", deal=True)
    assert not result.passed
    assert "time limit" in (result.reason or "")


def test_report_counts_and_positions() -> None:
    s = scenario(
        {"package": "good", "deal": True}, {"package": "bad", "deal": True, "description": "bad is fine"}, {"deals": 2}
    )
    report = run_expectations(s)
    assert [(r.index, r.line, r.passed) for r in report.results] == [(0, 10, True), (1, 11, False), (2, 12, True)]
    assert report.results[1].description == "bad is fine"
    assert report.results[1].location == "toy.yaml:11"
    assert (report.passed, report.failed, report.exit_code) == (2, 1, 1)


def test_describe_every_claim() -> None:
    assert describe({"package": "p", "deal": False, "deal_possible": True}) == "p: no deal, deal possible"
    assert describe({"set": {"a": True, "b": 3}, "keeps": ["x.y"]}) == "{a=true, b=3}: keeps x.y"
    assert describe({"package": "p", "forced": {"a": "b"}, "meets": "x.y"}) == "p: meets x.y, forces a=b"
    assert describe({"description": "  many\n  words "}) == "many words"


# --- parse_count ---------------------------------------------------------------------------------------------


@given(
    st.sampled_from(["==", "!=", ">=", "<=", ">", "<", ""]),
    st.integers(0, 10**15 - 1),
    st.sampled_from(["", " ", "  "]),
)
def test_parse_count_roundtrip(op: str, n: int, pad: str) -> None:
    """Counts as the one ``expect:`` schema writes them (:mod:`dealcheck.expectations.claims`): what the loader
    accepts is exactly what the runner reads."""
    got_op, got_n = parse_count(f"{pad}{op}{pad}{n}{pad}")
    assert got_n == n
    assert got_op == (op or "==")


@pytest.mark.parametrize("text", ["= 3", "1" * 16])
def test_counts_the_loader_refuses_are_not_read_either(text: str) -> None:
    assert not check(deals=text).passed


@pytest.mark.parametrize("bad", ["", ">=", "1.5", "=> 1", "-1", "1e3", None, 1.0, [1], ">= -1"])
def test_parse_count_rejects(bad: Any) -> None:
    result = check(deals=bad)
    assert not result.passed and "takes a count" in (result.reason or "")


# --- renderers ---------------------------------------------------------------------------------------------------


def _run() -> TestRun:
    s = scenario({"package": "good", "deal": True}, {"package": "bad", "deal": True}, {"deals": ">= 1"})
    bad = InvalidFile(
        "broken.yaml",
        (Diagnostic("DC101", "YAML syntax error", Span("broken.yaml", 3, 4)),),
        "broken.yaml:3:4: error[DC101]: YAML syntax error",
    )
    return TestRun((run_expectations(s),), (bad,))


def test_text_report() -> None:
    text = render(_run(), "text")
    lines = text.splitlines()
    assert lines[0] == "PASS toy.yaml:10 good: deal"
    assert lines[1].startswith("FAIL toy.yaml:11 bad: deal: expected package bad to be a deal")
    assert lines[2] == "PASS toy.yaml:12 deals >= 1"
    assert lines[3] == "ERROR broken.yaml: invalid scenario: broken.yaml:3:4: error[DC101]: YAML syntax error"
    assert lines[-1] == "2 passed, 1 failed, 1 invalid file"
    assert "\x1b[" not in text
    assert "\x1b[" in render(_run(), "text", color=True)


def test_json_report() -> None:
    text = render(_run(), "json")
    assert text == render(_run(), "json")
    data = json.loads(text)
    assert data["schema"] == "dealcheck.test/1"
    assert data["summary"] == {"passed": 2, "failed": 1, "not_checked": 0, "invalid": 1, "exit_code": 2}
    first = data["files"][0]
    assert (first["file"], first["valid"], first["passed"], first["failed"]) == ("toy.yaml", True, 2, 1)
    assert first["expectations"][1]["line"] == 11 and first["expectations"][1]["reason"].startswith("expected")
    assert data["files"][1]["valid"] is False
    assert data["files"][1]["diagnostics"][0]["code"] == "DC101"


def test_junit_report() -> None:
    text = render(_run(), "junit")
    assert text == render(_run(), "junit")  # no timestamps or durations
    root = ET.fromstring(text.encode("utf-8"))
    assert root.tag == "testsuites"
    assert (root.get("tests"), root.get("failures"), root.get("errors")) == ("4", "1", "1")
    suites = root.findall("testsuite")
    assert [s.get("name") for s in suites] == ["toy.yaml", "broken.yaml"]
    cases = suites[0].findall("testcase")
    assert [c.get("line") for c in cases] == ["10", "11", "12"]
    assert cases[1].find("failure") is not None and cases[0].find("failure") is None
    assert "toy.yaml:11" in (cases[1].find("failure").text or "")  # type: ignore[union-attr]
    assert suites[1].find("testcase/error") is not None


def test_junit_survives_control_characters() -> None:
    result = attrs.evolve(_run().reports[0].results[1], reason="bad \x00\x07 byte", description="a\x1bb")
    run = TestRun((ExpectationReport("Toy", "toy.yaml", (result,)),))
    ET.fromstring(render(run, "junit").encode("utf-8"))


def test_unknown_format() -> None:
    with pytest.raises(ValueError, match="unknown format"):
        render(_run(), "yaml")


def test_exit_codes() -> None:
    s = scenario({"package": "good", "deal": True})
    assert TestRun((run_expectations(s),)).exit_code == 0
    s = scenario({"package": "good", "deal": False})
    assert TestRun((run_expectations(s),)).exit_code == 1
    assert _run().exit_code == 2


# --- discovery -----------------------------------------------------------------------------------------------


def test_discover(tmp_path: Path) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / ".hidden").mkdir()
    (tmp_path / "a" / "with.yaml").write_text("title: x\nexpect:\n  - {deals: 1}\n")
    (tmp_path / "a" / "also.yml").write_text("expect: []\n")
    (tmp_path / "without.yaml").write_text("title: x\n")
    (tmp_path / "nested_only.yaml").write_text("x:\n  expect: []\n")
    (tmp_path / "notes.txt").write_text("expect:\n")
    (tmp_path / ".hidden" / "h.yaml").write_text("expect: []\n")
    explicit = tmp_path / "without.yaml"
    found = discover([str(tmp_path), str(explicit), "-"])
    assert found == [str(tmp_path / "a" / "also.yml"), str(tmp_path / "a" / "with.yaml"), str(explicit), "-"]


# --- through the loader --------------------------------------------------------------------------------------

TOY = """\
dealcheck: 1
title: Toy
terms:
  nato: [member, neutral]
  ceasefire: {options: [none, energy, full], ordered: true}
parties:
  russia:
    red_lines:
      no_nato: {rule: nato != "member", assumption: toy}
packages:
  join: {terms: {nato: member, ceasefire: energy}}
expect:
  - {package: join, deal: false, breaks: [russia.no_nato]}
  - set: {nato: neutral, ceasefire: energy}
    deal: true
  - {deals: 3}
"""


def _load(text: str, name: str = "toy.yaml") -> Any:
    from dealcheck.loader import load_scenario_text

    return load_scenario_text(text, name)


def test_expectations_from_yaml() -> None:
    s = _load(TOY)
    report = run_expectations(s)
    assert [(r.file, r.line, r.passed) for r in report.results] == [
        ("toy.yaml", 13, True),
        ("toy.yaml", 14, True),
        ("toy.yaml", 16, True),
    ]


# --- against the shipped strategies ------------------------------------------------------------------------------

from hypothesis import settings  # noqa: E402

from dealcheck.testing import strategies  # noqa: E402


@settings(max_examples=40, deadline=None)
@given(st.data(), strategies.scenarios(max_terms=3, max_parties=2))
def test_claims_agree_with_the_verdict_and_counts_with_enumeration(data: st.DataObject, s: Scenario) -> None:
    import itertools

    package = data.draw(strategies.packages(s))
    verdict = s.check(package)
    broken = [f"{p.party}.{b}" for p in verdict.parties for b in p.broken]
    entry = {
        "set": package,
        "deal": verdict.deal,
        "breaks": broken,
        "acceptable_to": [p.party for p in verdict.parties if p.acceptable],
    }
    assert run_expectation(s, Expectation(entry)).passed
    assert not run_expectation(s, Expectation({"set": package, "deal": not verdict.deal})).passed
    all_deals = sum(
        1 for codes in itertools.product(*(t.domain.codes for t in s.terms)) if s.check(s.decode(codes)).deal
    )
    assert run_expectation(s, Expectation({"deals": all_deals})).passed
    assert not run_expectation(s, Expectation({"deals": f"> {all_deals}"})).passed


# --- expectations about analyses -----------------------------------------------------------------------------

# One deal (ceasefire=energy, peacekeepers=none, nato=outside). The peacekeepers package is blocked twice: Russia
# refuses troops, and Europe deploys only after a full ceasefire, which Russia refuses too.
TALKS = """\
dealcheck: 1
title: Talks
terms:
  ceasefire: {options: [none, energy, full], ordered: true}
  peacekeepers: [none, coalition]
  nato: [outside, member]
parties:
  russia:
    red_lines:
      no_full: {rule: ceasefire != "full", assumption: toy}
      no_troops: {rule: peacekeepers == "none", assumption: toy}
      no_nato: {rule: nato == "outside", concession_cost: 3, assumption: toy}
  ukraine:
    red_lines:
      some: {rule: ceasefire >= "energy", assumption: toy}
    demands:
      full: {rule: ceasefire == "full", weight: 2, assumption: toy}
      truce: {rule: ceasefire >= "energy", assumption: toy}
      nato: {rule: nato == "member", assumption: toy}
  europe:
    red_lines:
      after: {rule: peacekeepers == "coalition" implies ceasefire == "full", assumption: toy}
    demands:
      troops: {rule: peacekeepers == "coalition", assumption: toy}
packages:
  troops: {terms: {peacekeepers: coalition}}
  full: {terms: {ceasefire: full}}
  member: {terms: {nato: member, ceasefire: energy}}
variants:
  no_troops_worry: {drop: [russia.no_troops]}
"""


def talks(*entries: dict[str, Any]) -> Scenario:
    s = _load(TALKS, "talks.yaml")
    return attrs.evolve(s, expectations=tuple(Expectation(e) for e in entries))


def check_talks(**entry: Any) -> Any:
    s = talks(entry)
    return run_expectation(s, s.expectations[0])


@pytest.mark.parametrize(
    "entry",
    [
        {"options": {"ceasefire": ["energy"], "peacekeepers": ["none"], "nato": ["outside"]}},
        {"variant": "no_troops_worry", "options": {"peacekeepers": ["none"]}},
        {"package": "full", "options": {"ceasefire": [], "nato": []}},
        {"set": {"ceasefire": "full"}, "variant": "no_troops_worry", "options": {"ceasefire": [], "peacekeepers": []}},
        {"conflicts": 0},
        {"conflicts": "< 1"},
        {"package": "troops", "conflicts": 2},
        {"package": "troops", "conflicts": ">= 1"},
        {"package": "troops", "conflicts": [["russia.no_troops"], ["russia.no_full", "europe.after"]]},
        {"package": "troops", "conflicts": [["europe.after", "russia.no_full"]]},  # order does not matter
        {"package": "full", "conflicts": [["russia.no_full"]]},
        {"package": "member", "conflicts": 1},
        {"concessions": 0},
        {"package": "full", "concessions": 1},
        {"package": "troops", "concessions": 2, "concession": ["russia.no_troops", "europe.after"]},
        {"package": "troops", "concession": ["russia.no_full", "russia.no_troops"]},
        {"package": "member", "concessions": 3, "concession": ["russia.no_nato"]},  # by concession_cost, not count
        {"package": "member", "concessions": "> 1"},
        {"best": {"score": "5/4"}},
        {"best": {"score": "1.25"}},
        {"best": {"objective": "maximin", "score": 0}},
        {"best": {"objective": "maximin", "parties": ["russia", "ukraine"], "score": "1/4"}},
        {"best": {"objective": "nash", "parties": ["ukraine"], "score": 1}},  # alone, Ukraine gets all it demands
        {"package": "full", "nearest": {"distance": 1}},
        {"package": "troops", "nearest": {"distance": 1}},
        {"package": "troops", "nearest": {"distance": "none", "keep": ["peacekeepers"]}},
        {"package": "member", "nearest": {"distance": "<= 1", "keep": ["ceasefire"]}},
        {"set": {"ceasefire": "energy"}, "nearest": {"distance": 0}},
    ],
    ids=lambda e: describe(e),
)
def test_analysis_claim_holds(entry: dict[str, Any]) -> None:
    result = check_talks(**entry)
    assert result.passed, result.reason


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        (
            {"options": {"ceasefire": ["energy", "full"]}},
            ["exactly energy, full for ceasefire", "they take energy", "never none, full"],
        ),
        (
            {"package": "full", "options": {"ceasefire": ["full"]}},
            ["there is no deal in the completions of package full"],
        ),
        ({"conflicts": 1}, ["exactly 1 minimal conflict", "there are 0", "can all hold at once"]),
        ({"package": "troops", "conflicts": 1}, ["there are 2", "russia.no_troops; russia.no_full + europe.after"]),
        ({"package": "troops", "conflicts": "== 0"}, ["exactly 0", "there are at least 2"]),
        (
            {"package": "troops", "conflicts": [["russia.no_troops", "europe.after"]]},
            ["to be a minimal conflict", "not minimal", "russia.no_troops already cannot hold together"],
        ),
        (
            {"package": "troops", "conflicts": [["russia.no_full", "ukraine.some"]]},
            ["can all hold at once", "for example with ceasefire=energy"],
        ),
        (
            {"conflicts": [["russia.no_full", "europe.after"]]},
            ["in the scenario", "can all hold at once", "ceasefire=none, peacekeepers=none"],
        ),
        ({"concessions": 1}, ["cost exactly 1", "a deal exists without any concession"]),
        ({"package": "troops", "concessions": 1}, ["it costs 2: drop russia.no_troops + europe.after"]),
        (
            {"package": "troops", "concession": ["russia.no_troops"]},
            ["(cost 1)", "it opens no deal", "russia.no_full + europe.after still cannot hold together"],
        ),
        (
            {"package": "troops", "concession": ["russia.no_troops", "europe.after", "ukraine.some"]},
            ["(cost 3)", "dropping russia.no_troops + europe.after costs only 2"],
        ),
        ({"concession": ["russia.no_full"]}, ["a deal exists without any concession"]),
        ({"best": {"score": "1.3"}}, ["to score 1.3", "it scores 5/4 = 1.25", "russia -", "ukraine 1/4", "europe 0/1"]),
        (
            {"best": {"objective": "maximin", "parties": ["russia", "ukraine"], "score": 1}},
            ["by maximin score for russia, ukraine", "scores 1/4"],
        ),
        ({"package": "full", "best": {"score": 1}}, ["there is no deal in the completions of package full"]),
        (
            {"package": "troops", "nearest": {"distance": 2}},
            ["distance exactly 2", "it is at distance 1", "peacekeepers coalition -> none"],
        ),
        (
            {"package": "troops", "nearest": {"distance": 1, "keep": ["peacekeepers"]}},
            ["while holding peacekeepers", "no deal can be reached"],
        ),
        (
            {"package": "full", "nearest": {"distance": "none"}},
            ["expected no deal to be reachable", "ceasefire full -> energy"],
        ),
        ({"set": {"ceasefire": "energy"}, "nearest": {"distance": "none"}}, ["distance 0 (no term changes)"]),
    ],
    ids=lambda x: describe(x) if isinstance(x, dict) else "",
)
def test_analysis_claim_fails_with_reason(entry: dict[str, Any], words: list[str]) -> None:
    result = check_talks(**entry)
    assert not result.passed
    assert result.reason is not None and "\n" not in result.reason
    for w in words:
        assert w in result.reason, f"{w!r} not in {result.reason!r}"


@pytest.mark.parametrize(
    ("entry", "words"),
    [
        ({"conflicts": [["russia.no_ful"]]}, ["unknown rule 'russia.no_ful'", "did you mean 'russia.no_full'"]),
        ({"conflicts": [["ukraine.full"]]}, ["ukraine.full is a demand"]),
        ({"conflicts": [[]]}, ["lists no red line"]),
        ({"conflicts": [["russia.no_full", "russia.no_full"]]}, ["listed twice"]),
        ({"conflicts": "several"}, ["conflicts: takes a count"]),
        ({"conflicts": {"a": 1}}, ["conflicts: takes a count (conflicts: 0) or a list"]),
        ({"concession": "russia.no_full"}, ["concession: takes a list of red lines"]),
        ({"concessions": "few"}, ["concessions: takes a count"]),
        ({"options": ["ceasefire"]}, ["options: must map terms"]),
        ({"options": {"ceasfire": ["none"]}}, ["unknown term 'ceasfire'"]),
        ({"options": {"ceasefire": ["total"]}}, ["'total' is not an option of ceasefire"]),
        ({"options": {"ceasefire": "none"}}, ["takes a list of options"]),
        ({"best": "5/4"}, ["best: takes a mapping"]),
        ({"best": {"score": 1.25}}, ["must be exact"]),
        ({"best": {"score": "5/0"}}, ["must be exact"]),
        ({"best": {"score": "1", "objective": "sum"}}, ["unknown objective 'sum'"]),
        ({"best": {"score": "1", "parties": ["rusia"]}}, ["unknown party 'rusia'"]),
        ({"nearest": {"distance": 1}}, ["nearest needs a proposal"]),
        ({"package": "full", "nearest": 1}, ["nearest: takes a mapping"]),
        ({"package": "full", "nearest": {"distance": "far"}}, ["distance: takes a count"]),
        ({"package": "full", "nearest": {"distance": 1, "keep": ["nato"]}}, ["leaves nato open"]),
    ],
)
def test_unusable_analysis_claim_fails_never_passes(entry: dict[str, Any], words: list[str]) -> None:
    result = check_talks(**entry)
    assert not result.passed
    for w in words:
        assert w in (result.reason or ""), result.reason


@pytest.mark.parametrize(
    ("module", "entry"),
    [
        ("dealcheck.analysis.conflicts", {"package": "troops", "conflicts": 2}),
        ("dealcheck.analysis.explore", {"best": {"score": 1}}),
        ("dealcheck.solver.cpsat", {"package": "troops", "concessions": 2}),  # as when ortools is missing
    ],
)
def test_analysis_claims_without_the_engine_fail(
    monkeypatch: pytest.MonkeyPatch, module: str, entry: dict[str, Any]
) -> None:
    s = talks(entry)  # loaded first: the loader itself needs no analysis
    monkeypatch.setitem(sys.modules, module, None)  # makes the import fail
    result = run_expectation(s, s.expectations[0])
    assert not result.passed
    assert "needs the analysis engine" in (result.reason or ""), result.reason


def test_describe_analysis_claims() -> None:
    assert (
        describe({"options": {"ceasefire": ["none", "energy"], "nato": []}})
        == "options ceasefire=none|energy, nato in no deal"
    )
    assert describe({"package": "p", "conflicts": [["a.b"], ["c.d", "e.f"]]}) == "p: conflicts a.b; c.d + e.f"
    assert describe({"conflicts": 0, "concessions": ">= 1"}) == "conflicts == 0, concessions >= 1"
    assert describe({"package": "p", "concession": ["a.b", "c.d"]}) == "p: concession a.b + c.d"
    assert describe({"best": {"score": "871/210"}}) == "best total == 871/210"
    assert (
        describe({"best": {"objective": "maximin", "parties": ["us", "eu"], "score": "3/5"}})
        == "best maximin of us, eu == 3/5"
    )
    assert describe({"package": "p", "nearest": {"distance": 1}}) == "p: nearest deal at distance == 1"
    assert (
        describe({"package": "p", "nearest": {"distance": "none", "keep": ["a"]}}) == "p: no deal reachable keeping a"
    )


def test_analysis_claims_from_yaml_with_positions() -> None:
    s = _load(
        TALKS
        + """\
expect:
  - {conflicts: 0, concessions: 0, options: {ceasefire: [energy]}}
  - package: troops
    conflicts: [[russia.no_troops], [russia.no_full, europe.after]]
    concession: [russia.no_full, russia.no_troops]
    nearest: {distance: 1}
  - {best: {score: "5/4"}}
  - {best: {score: 1.25, objective: total}}
""",
        "talks.yaml",
    )
    report = run_expectations(s)
    assert [(r.line, r.passed) for r in report.results] == [(32, True), (33, True), (37, True), (38, True)], (
        report.results
    )


def _problems(expect: str) -> list[tuple[str, int, int, str]]:
    from dealcheck.errors import ScenarioError

    with pytest.raises(ScenarioError) as caught:
        _load(TALKS + "expect:\n" + expect, "talks.yaml")
    return [(d.code, d.span.line, d.span.column, d.message) for d in caught.value.diagnostics]


_EXPECT_LINE_NO = TALKS.count("\n") + 2  # the first entry under expect:


@pytest.mark.parametrize(
    ("entry", "code", "at", "words"),
    [
        ("  - {conflicts: lots}", "DC601", "lots", "conflicts must be a count"),
        ("  - {conflicts: []}", "DC601", "[]", "conflicts lists no conflict"),
        ("  - {conflicts: [[]]}", "DC601", "[]", "a conflict lists no red line"),
        ("  - {conflicts: [[russia.no_ful]]}", "DC310", "russia", "unknown rule 'russia.no_ful'"),
        ("  - {conflicts: [[rusia.no_full]]}", "DC312", "rusia", "unknown party 'rusia'"),
        ("  - {conflicts: [[ukraine.full]]}", "DC601", "ukraine", "'ukraine.full' in a conflict is a demand"),
        ("  - {conflicts: [[russia.no_full, russia.no_full]]}", "DC601", "russia.no_full]", "listed twice"),
        (
            "  - {variant: no_troops_worry, conflicts: [[russia.no_troops]]}",
            "DC310",
            "russia",
            "unknown rule 'russia.no_troops'",
        ),
        ("  - {concessions: -1}", "DC601", "-1", "concessions must be"),
        ("  - {concession: []}", "DC601", "[]", "concession lists no red line"),
        ("  - {concession: russia.no_full}", "DC601", "russia", "a list of red lines"),
        ("  - {options: {ceasfire: [none]}}", "DC401", "ceasfire", "unknown term 'ceasfire'"),
        ("  - {options: {ceasefire: [total]}}", "DC402", "total", "'total' is not an option of term ceasefire"),
        ("  - {options: {ceasefire: none}}", "DC601", "none", "a list of the options of ceasefire"),
        ("  - {options: {ceasefire: [none, none]}}", "DC601", "none]", "listed twice"),
        ("  - {options: [ceasefire]}", "DC108", "[", "a mapping of terms"),
        ("  - {best: {score: 4.148.1}}", "DC601", "4.148", "must be an exact number"),
        ('  - {best: {score: "1/0"}}', "DC601", '"1/0"', "must be an exact number"),
        ("  - {best: {objective: total}}", "DC601", "{objective", "best needs the score"),
        ("  - {best: {scroe: 1}}", "DC601", "scroe", "unknown key 'scroe' in best"),
        ("  - {best: {score: 1, objective: sum}}", "DC601", "sum", "unknown objective 'sum'"),
        ("  - {best: {score: 1, parties: [rusia]}}", "DC312", "rusia", "unknown party 'rusia'"),
        ("  - {best: {score: 1, parties: []}}", "DC601", "[]", "best names no party"),
        ("  - {nearest: {distance: 1}}", "DC601", "nearest", "nearest: needs a proposal"),
        ("  - {package: full, nearest: {keep: [ceasefire]}}", "DC601", "{keep", "nearest needs the distance"),
        ("  - {package: full, nearest: {distance: far}}", "DC601", "far", "distance must be a count"),
        (
            "  - {package: full, nearest: {distance: 1, keep: [nato]}}",
            "DC601",
            "nato",
            "nearest keeps nato, but the proposal leaves it open",
        ),
        ("  - {package: full, nearest: {distance: 1, keep: [natoo]}}", "DC401", "natoo", "unknown term 'natoo'"),
    ],
)
def test_analysis_claims_are_validated_on_load(entry: str, code: str, at: str, words: str) -> None:
    """The first problem has ``code``, sits where ``at`` first occurs in the entry, and says ``words``."""
    problems = _problems(entry + "\n")
    column = entry.index(at) + 1
    assert (problems[0][0], problems[0][1], problems[0][2]) == (code, _EXPECT_LINE_NO, column), problems
    assert words in problems[0][3], problems


@settings(max_examples=25, deadline=None)
@given(st.data(), strategies.scenarios(max_terms=3, max_parties=2))
def test_analysis_claims_agree_with_enumeration(data: st.DataObject, s: Scenario) -> None:
    """Options, "no conflict" and "no concession needed" claims built from brute-force enumeration hold, and their
    negations fail."""
    import itertools

    package = data.draw(strategies.packages(s, partial=True))
    codes = s.encode(package)
    deals = [
        full
        for full in itertools.product(*(t.domain.codes for t in s.terms))
        if all(c is None or c == f for c, f in zip(codes, full)) and s.check(s.decode(full)).deal
    ]
    options = {t.name: [t.decode(c) for c in t.domain.codes if any(d[t.index] == c for d in deals)] for t in s.terms}
    assert run_expectation(s, Expectation({"set": package, "options": options})).passed
    term = data.draw(st.sampled_from(s.terms))
    fewer = {term.name: options[term.name][1:] if options[term.name] else [term.decode(term.domain.codes.start)]}
    assert not run_expectation(s, Expectation({"set": package, "options": fewer})).passed
    for claim in ({"conflicts": 0}, {"concessions": 0}):
        assert run_expectation(s, Expectation({"set": package, **claim})).passed == bool(deals)
