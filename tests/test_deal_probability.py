"""``deal_probability`` claims: exact probabilities from the sweep's exact package probability, checked at load
(0..1, exact numbers, exact for partial packages; without a subject, that some deal exists) and when run (pass, and fail with a reason), and held
to brute force over every pattern of holding red lines."""

from __future__ import annotations

import itertools
from fractions import Fraction

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.analysis.sweep import deal_probability
from dealcheck.errors import ScenarioError
from dealcheck.expectations import Entry, Expectation, ProbabilityClaim, run_expectation
from dealcheck.loader import load_scenario
from dealcheck.model import Scenario
from dealcheck.testing import strategies

TOY = """\
dealcheck: 1
title: Toy
terms: {nato: [member, neutral], aid: bool}
parties:
  russia:
    red_lines:
      no_nato: {rule: nato != "member", assumption: toy, confidence: 0.75, confidence_reason: toy}
  ukraine:
    red_lines:
      nato: {rule: nato == "member", assumption: toy, confidence: 0.5, confidence_reason: toy}
      aid: {rule: aid, assumption: toy}
packages:
  join: {terms: {nato: member, aid: true}}
  join_no_aid: {terms: {nato: member, aid: false}}
  aid_only: {terms: {aid: true}}
expect:
"""


def _run(entry: str) -> tuple[bool, str | None]:
    s = load_scenario(TOY + f"  - {entry}\n")
    result = run_expectation(s, s.expectations[0])
    return result.passed, result.reason


@pytest.mark.parametrize(
    "entry",
    [
        '{package: join, deal_probability: "1/4"}',  # 1 - 0.75: Russia's red line is broken
        "{package: join, deal_probability: 0.25}",
        '{package: join, deal_probability: ">= 0.25"}',
        '{package: join, deal_probability: "< 1/3"}',
        "{package: join_no_aid, deal_probability: 0}",  # breaks a certain red line
        '{set: {nato: neutral, aid: true}, deal_probability: "0.5"}',
        '{package: aid_only, deal_probability: "5/8"}',  # some completion: 1 - 0.75 * 0.5
        "{package: aid_only, variant: calm, deal_probability: 1}",
        '{deal_probability: "5/8"}',  # no subject: some deal exists (here the same as aid_only's completions)
        "{variant: calm, deal_probability: 1}",
    ],
)
def test_probability_claims_hold(entry: str) -> None:
    s = load_scenario(
        TOY.replace("expect:\n", "variants:\n  calm: {drop: [russia.no_nato]}\nexpect:\n") + f"  - {entry}\n"
    )
    result = run_expectation(s, s.expectations[0])
    assert result.passed, result.reason


@pytest.mark.parametrize(
    ("entry", "reason"),
    [
        (
            '{package: join, deal_probability: ">= 0.6"}',
            "expected the probability that package join is a deal to be at least 0.6, but it is 1/4 = 0.25.",
        ),
        (
            '{package: aid_only, deal_probability: "< 0.5"}',
            "expected the probability that some completion of package aid_only is a deal to be less than 0.5, "
            "but it is 5/8 = 0.625.",
        ),
        (
            "{package: join_no_aid, deal_probability: 1}",
            "expected the probability that package join_no_aid is a deal to be exactly 1, but it is 0.",
        ),
        (
            '{deal_probability: ">= 0.9"}',
            "expected the probability that some deal exists to be at least 0.9, but it is 5/8 = 0.625.",
        ),
    ],
)
def test_probability_claims_fail_with_a_reason(entry: str, reason: str) -> None:
    assert _run(entry) == (False, reason)


@pytest.mark.parametrize(
    ("entry", "at", "message"),
    [
        ("{package: join, deal_probability: 1.5}", "1.5", "deal_probability must be an exact probability"),
        ('{package: join, deal_probability: ">= 2/3x"}', '">=', "deal_probability must be an exact probability"),
        ('{package: join, deal_probability: "1/0"}', '"1/0"', "deal_probability must be an exact probability"),
        ("{package: join, deal_probability: [1]}", "[1]", "deal_probability must be an exact probability"),
        ("{package: join, deal_probability: -0.1}", "-0.1", "deal_probability must be an exact probability"),
    ],
)
def test_bad_probabilities_are_refused_at_load(entry: str, at: str, message: str) -> None:
    with pytest.raises(ScenarioError) as e:
        load_scenario(TOY + f"  - {entry}\n")
    (d,) = e.value.diagnostics
    where = (TOY.count("\n") + 1, len("  - ") + entry.index(at) + 1)
    assert (d.code, d.span.line, d.span.column) == ("DC601", *where), str(d)
    assert message in d.message


def test_a_partial_package_beyond_the_exact_limits_is_refused_at_load() -> None:
    lines = "\n".join(
        f"      r{i}: {{rule: t{i % 2}, assumption: toy, confidence: 0.5, confidence_reason: toy}}" for i in range(15)
    )
    text = f"""\
dealcheck: 1
title: Many
terms: {{t0: bool, t1: bool}}
parties:
  p:
    red_lines:
{lines}
expect:
  - {{set: {{t0: true}}, deal_probability: 0}}
  - {{set: {{t0: true, t1: true}}, deal_probability: 1}}
  - {{deal_probability: 0}}
"""
    with pytest.raises(ScenarioError) as e:
        load_scenario(text)
    d, whole = e.value.diagnostics
    assert (d.code, d.span.line) == ("DC601", text.splitlines().index("  - {set: {t0: true}, deal_probability: 0}") + 1)
    assert "exact only with at most 14 uncertain red lines" in d.message and "leaves t1 open" in d.message
    assert d.hint is not None and "full package" in d.hint
    assert whole.span.line == d.span.line + 2 and "leaves every term open" in whole.message


def test_entries_written_in_code() -> None:
    entry = Entry.from_data({"package": "join", "deal_probability": ">=0.25"})
    assert isinstance(entry, Entry) and entry.claims == (ProbabilityClaim(">=", Fraction(1, 4), "0.25"),)
    assert entry.describe() == "join: deal probability >= 0.25"
    assert entry.data() == {"package": "join", "deal_probability": ">= 0.25"}
    s = load_scenario(TOY)
    assert run_expectation(s, Expectation({"package": "join", "deal_probability": Fraction(1, 4)})).passed
    for bad in (0.25, "2", -1, True, None):
        result = run_expectation(s, Expectation({"package": "join", "deal_probability": bad}))
        assert not result.passed and "exact probability between 0 and 1" in (result.reason or "")


def _brute(s: Scenario, values: dict) -> Fraction:
    """Sum over every pattern of holding red lines of its probability, when some completion keeps every holding one."""
    uncertain = [r for r in s.red_lines() if r.confidence is not None]
    certain = [r for r in s.red_lines() if r.confidence is None]
    free = [t for t in s.terms if t.name not in values]
    completions = [
        {**values, **{t.name: t.decode(c) for t, c in zip(free, codes, strict=True)}}
        for codes in itertools.product(*(t.domain.codes for t in free))
    ]
    kept = [{o.ref for p in s.check(v).parties for o in p.red_lines if o.status.value == "held"} for v in completions]
    total = Fraction(0)
    for holding in itertools.product([True, False], repeat=len(uncertain)):
        weight = Fraction(1)
        for r, h in zip(uncertain, holding, strict=True):
            weight *= r.confidence if h else 1 - r.confidence
        need = {r.ref for r in certain} | {r.ref for r, h in zip(uncertain, holding, strict=True) if h}
        if any(need <= k for k in kept):
            total += weight
    return total


@settings(max_examples=25, deadline=None)
@given(st.data(), strategies.scenarios(max_terms=3, max_parties=2))
def test_equals_brute_force_over_patterns(data: st.DataObject, s: Scenario) -> None:
    confidences = st.one_of(st.none(), st.sampled_from([Fraction(1, 2), Fraction(3, 4), Fraction(1, 10), Fraction(1)]))
    parties = tuple(
        attrs.evolve(p, red_lines=tuple(attrs.evolve(r, confidence=data.draw(confidences)) for r in p.red_lines))
        for p in s.parties
    )
    s = attrs.evolve(s, parties=parties)
    package = data.draw(strategies.packages(s))
    assert deal_probability(s, package) == _brute(s, package)
    assert deal_probability(s, {}) == _brute(s, {})  # no package: the probability that some deal exists
