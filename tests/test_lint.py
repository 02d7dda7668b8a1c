"""Warnings (lint, DC7xx): each is triggered by its file in tests/warn/, exactly where MANIFEST.tsv says, and only
there; --strict makes them exit 2; a time limit reports what it stopped; broken rules cascade no further errors."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings

from dealcheck import load_scenario
from dealcheck.analysis.lint import lint
from dealcheck.errors import CODES, ScenarioError, Severity
from dealcheck.model import RuleKind
from dealcheck.rules.evaluator import evaluate
from dealcheck.testing.strategies import scenarios

HERE = Path(__file__).resolve().parent
WARN = HERE / "warn"
ROOT = HERE.parent


def _manifest() -> list[tuple[str, str, str]]:
    rows = []
    for line in (WARN / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            name, code, where, _what = line.split("\t")
            rows.append((name, code, where))
    return rows


MANIFEST = _manifest()


def test_every_warning_code_has_a_file_and_every_file_is_listed() -> None:
    assert {code for _, code, _ in MANIFEST} == {c for c in CODES if c.startswith("DC7") and c != "DC720"}
    assert {name for name, _, _ in MANIFEST} == {p.name for p in WARN.glob("*.yaml")}


@pytest.mark.parametrize(("name", "code", "where"), MANIFEST, ids=[m[0] for m in MANIFEST])
def test_each_file_warns_once_with_its_code_at_its_place(name: str, code: str, where: str) -> None:
    report = lint(load_scenario(WARN / name))
    assert report.complete
    assert [(w.code, f"{w.line}:{w.column}") for w in report.warnings] == [(code, where)]
    (w,) = report.warnings
    assert w.severity is Severity.WARNING and w.hint and str(w).startswith(f"{WARN / name}:{where}: warning[{code}]")


@pytest.mark.parametrize(("name", "code", "where"), MANIFEST[:2], ids=[m[0] for m in MANIFEST[:2]])
def test_validate_shows_warnings_and_strict_fails_on_them(name: str, code: str, where: str) -> None:
    from dealcheck.cli import cli

    path = str(WARN / name)
    plain = CliRunner().invoke(cli, ["validate", path])
    assert plain.exit_code == 0 and f"warning[{code}]" in plain.stderr and "valid" in plain.stdout
    strict = CliRunner().invoke(cli, ["validate", "--strict", path])
    assert strict.exit_code == 2
    data = CliRunner().invoke(cli, ["validate", path, "--format", "json"])
    assert '"severity": "warning"' in data.stdout


def test_the_bundled_scenario_warns_about_what_it_models_on_purpose() -> None:
    report = lint(load_scenario(ROOT / "scenarios" / "ukraine-ceasefire-2025.yaml"))
    assert [(w.code, w.message.split(":")[0]) for w in report.warnings] == [
        ("DC703", "demand us.full_ceasefire is met by no deal"),
        ("DC703", "demand ukraine.full_ceasefire is met by no deal"),
        ("DC704", "red line europe.peacekeepers_after_agreement makes no difference"),
        ("DC703", "demand europe.peacekeeping_force is met by no deal"),
        (
            "DC707",
            "party scores are normalised, so one demand of kallas (1 demand) moves the total score by 1, 21 times the 1/21 of one demand of us (10 demands)",
        ),
    ]


def test_a_time_limit_says_which_checks_did_not_run() -> None:
    report = lint(load_scenario(WARN / "implied_red_line.yaml"), time_limit=1e-9)
    assert not report.complete and report.stopped
    from dealcheck.cli import cli

    result = CliRunner().invoke(cli, ["validate", str(WARN / "implied_red_line.yaml"), "--time-limit", "0.000000001"])
    assert result.exit_code == 4 and "the time limit stopped the lint" in result.stderr


def _subject(message: str) -> str | None:
    m = re.match(r"(?:red line|demand) (\S+)", message)
    return m.group(1) if m else None


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(max_terms=3, max_parties=3, max_rules=3, max_depth=1, max_options=3, max_int_width=3))
def test_lint_agrees_with_brute_force(scenario) -> None:
    """DC701 (never holds), DC702 (always holds), DC703 (no deal meets) and DC704 (implied) against every package."""
    packages = list(itertools.product(*(t.domain.codes for t in scenario.terms)))
    red = list(scenario.red_lines())
    deals = [p for p in packages if all(evaluate(r.expr, p) for r in red)]
    got = {(w.code, _subject(w.message)) for w in lint(scenario).warnings}
    trivial = set()
    for r in scenario.rules():
        never = not any(evaluate(r.expr, p) for p in packages)
        always = all(evaluate(r.expr, p) for p in packages)
        assert (("DC701", r.ref) in got) == never
        assert (("DC702", r.ref) in got) == (always and not never)
        if never or always:
            trivial.add(r.ref)
    for d in scenario.rules():
        if d.kind is RuleKind.DEMAND and d.ref not in trivial:
            assert (("DC703", d.ref) in got) == (bool(deals) and not any(evaluate(d.expr, p) for p in deals))
    for r in red:
        if r.ref in trivial:
            continue
        others = [x for x in red if x is not r]
        implied = all(evaluate(r.expr, p) for p in packages if all(evaluate(x.expr, p) for x in others))
        assert (("DC704", r.ref) in got) == (bool(deals) and implied)


# --- no cascading errors ------------------------------------------------------------------------------------


def test_a_broken_rule_package_or_variant_is_reported_once() -> None:
    text = """dealcheck: 1
title: Cascade
terms:
  ceasefire: {options: [none, full]}
parties:
  russia:
    red_lines:
      no_full: {rule: ceasefre != "full", assumption: a typo in the term}
packages:
  truce:
    terms: {ceasefire: partial}
variants:
  soft:
    add:
      russia: {demands: {calm: {rule: ceasefire = "none", assumption: toy}}}
expect:
  - {package: truce, breaks: [russia.no_full]}
  - {variant: soft, meets: [russia.calm]}
"""
    with pytest.raises(ScenarioError) as e:
        load_scenario(text)
    assert [d.code for d in e.value.diagnostics] == ["DC301", "DC402", "DC202"]
