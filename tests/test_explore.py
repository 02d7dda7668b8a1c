"""explore: every backend against a brute-force reference written here, on generated small scenarios, and the
bundled scenario's zone of agreement."""

from __future__ import annotations

import itertools
import math
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcheck.analysis.explore import explore
from dealcheck.errors import UsageError
from dealcheck.loader import load_scenario
from dealcheck.model import Package, Party, Rule, RuleKind, Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK
from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.ir import CmpOp, Compare, Const, Var
from dealcheck.testing import strategies

BUNDLED = Path(__file__).resolve().parent.parent / "scenarios" / "ukraine-ceasefire-2025.yaml"
BACKENDS = ("cpsat", "constraint", "brute")


# --- the reference: every package, the evaluator, Fractions ------------------------------------------------------


def reference_deals(scenario: Scenario, fixed: dict[int, int] | None = None) -> list[tuple[int, ...]]:
    fixed = fixed or {}
    domains = [
        range(fixed[t.index], fixed[t.index] + 1) if t.index in fixed else t.domain.codes for t in scenario.terms
    ]
    red = [r.expr for r in scenario.red_lines()]
    return [c for c in itertools.product(*domains) if all(evaluate(e, c) for e in red)]


def reference_scores(scenario: Scenario, deal: tuple[int, ...]) -> tuple[Fraction, ...]:
    out = []
    for p in scenario.parties:
        total = sum(d.weight for d in p.demands)
        met = sum(d.weight for d in p.demands if evaluate(d.expr, deal))
        out.append(Fraction(1) if total == 0 else Fraction(met, total))
    return tuple(out)


def reference_objective(objective: str, scores: tuple[Fraction, ...]) -> Fraction:
    match objective:
        case "total":
            return sum(scores, Fraction(0))
        case "maximin":
            return min(scores, default=Fraction(1))
        case "nash":
            return math.prod(scores, start=Fraction(1))
    raise AssertionError(objective)


def reference_pareto(scenario: Scenario, deals: list[tuple[int, ...]]) -> dict[tuple[Fraction, ...], tuple[int, ...]]:
    example: dict[tuple[Fraction, ...], tuple[int, ...]] = {}
    for d in deals:
        v = reference_scores(scenario, d)
        example[v] = min(example.get(v, d), d)
    return {
        v: d
        for v, d in example.items()
        if not any(w != v and all(a >= b for a, b in zip(w, v, strict=True)) for w in example)
    }


def check_against_reference(
    scenario: Scenario, backend: str, objective: str, top: int, limit: int | None = None
) -> None:
    given_codes = scenario.encode(dict(scenario.packages[0].values)) if scenario.packages else ()
    fixed = {i: c for i, c in enumerate(given_codes) if c is not None}
    deals = reference_deals(scenario, fixed)
    report = explore(
        scenario,
        objective=objective,
        top=top,
        backend=backend,
        limit=limit,
        package=scenario.packages[0] if scenario.packages else None,
    )
    if limit is None:
        assert (report.deals, report.exact) == (len(deals), True)
    encode = lambda values: tuple(scenario.encode(values))  # noqa: E731
    # options per term
    for t, zone in zip(scenario.terms, report.terms, strict=True):
        occurring = sorted({d[t.index] for d in deals})
        assert [t.encode(v) for v in zone.options] == occurring
        assert zone.given == (t.index in fixed)
        if report.exact:
            assert zone.deals == tuple(sum(1 for d in deals if d[t.index] == c) for c in occurring)

    # best deals: the exact ranking, ties by smallest codes
    def key(d: tuple[int, ...]) -> tuple[Fraction, Fraction, tuple[int, ...]]:
        scores = reference_scores(scenario, d)
        return (-reference_objective(objective, scores), -sum(scores, Fraction(0)), d)

    ranked = sorted(deals, key=key)[:top]
    assert [encode(b.values) for b in report.best] == ranked
    for b in report.best:
        assert b.objective == reference_objective(objective, reference_scores(scenario, encode(b.values)))
    # the frontier: the same score vectors, each with its smallest deal
    frontier = reference_pareto(scenario, deals)
    got = {tuple(s.score for s in p.scores): encode(p.values) for p in report.pareto}
    assert got == frontier
    assert report.exit_code == (EXIT_OK if limit is None else report.exit_code)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    strategies.scenarios(max_terms=4, max_parties=3, max_rules=2),
    st.sampled_from(("total", "maximin", "nash")),
    st.integers(0, 4),
)
def test_every_backend_matches_the_reference(scenario: Scenario, objective: str, top: int) -> None:
    for backend in BACKENDS:
        check_against_reference(scenario, backend, objective, top)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(strategies.scenarios(max_terms=4, max_parties=3, max_rules=2), st.sampled_from(("total", "maximin", "nash")))
def test_the_solver_path_of_listing_backends_matches_the_reference(scenario: Scenario, objective: str) -> None:
    # limit=0 stops the listing at once, so brute and constraint answer by solver questions, as CP-SAT does.
    for backend in ("brute", "constraint"):
        report = explore(scenario, objective=objective, top=2, backend=backend, limit=0, package=scenario.packages[0])
        assert report.exact == (
            report.deals == 0
            and not reference_deals(
                scenario,
                {i: c for i, c in enumerate(scenario.encode(dict(scenario.packages[0].values))) if c is not None},
            )
        )
        assert report.exit_code == (EXIT_OK if report.exact else EXIT_LIMIT)
        check_against_reference(scenario, backend, objective, 2, limit=0)


@st.composite
def contested_scenarios(draw: st.DrawFn) -> Scenario:
    """Scenarios where parties want different values of the same terms (demands like ``t1 == 2``), so best deals
    and Pareto frontiers have real trade-offs; few red lines, a mostly open given package."""
    terms = draw(strategies.terms(max_terms=4, max_options=3, max_int_width=3).filter(lambda ts: len(ts) >= 2))

    def wish() -> Compare:
        t = draw(st.sampled_from(terms))
        return Compare(CmpOp.EQ, Var(t.index), Const(draw(st.sampled_from(list(t.domain.codes)))))

    parties = []
    for p in range(draw(st.integers(2, 3))):
        red = tuple(
            Rule(f"p{p}", f"r{k}", RuleKind.RED_LINE, "<r>", draw(strategies.rules(terms, max_depth=1)), assumption="g")
            for k in range(draw(st.sampled_from([0, 0, 1])))
        )
        demands = tuple(
            Rule(
                f"p{p}",
                f"d{k}",
                RuleKind.DEMAND,
                "<d>",
                wish() if draw(st.booleans()) else draw(strategies.rules(terms, max_depth=1)),
                weight=draw(st.integers(1, 3)),
                assumption="g",
            )
            for k in range(draw(st.integers(1, 3)))
        )
        parties.append(Party(f"p{p}", f"Party {p}", red_lines=red, demands=demands))
    base = Scenario("Contested", terms, tuple(parties), path="<generated>")
    codes = tuple(c if draw(st.integers(0, 3)) == 0 else None for c in draw(strategies.codes(base)))
    return attrs.evolve(base, packages=(Package("given", base.decode(codes)),))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(contested_scenarios(), st.sampled_from(("total", "maximin", "nash")), st.integers(1, 4))
def test_every_backend_matches_the_reference_on_contested_scenarios(
    scenario: Scenario, objective: str, top: int
) -> None:
    for backend in BACKENDS:
        check_against_reference(scenario, backend, objective, top)
    check_against_reference(scenario, "brute", objective, top, limit=0)  # the solver path of a listing backend


# --- the bundled scenario -------------------------------------------------------------------------------------


def test_bundled_zone(bundled: Scenario) -> None:
    r = explore(bundled)
    assert (r.deals, r.exact, r.exit_code) == (103680, True, EXIT_OK)
    forced = {z.term: z.options[0] for z in r.terms if z.forced}
    assert forced == {"ukraine_nato": "outside", "peacekeepers": "none"}
    zones = {z.term: z for z in r.terms}
    assert zones["ceasefire"].excluded == ("full",)
    assert zones["european_aid"].excluded == ()
    assert zones["security_guarantees"].excluded == ()  # a truce needs no guarantees; a settlement does
    assert zones["occupied_territory"].excluded == ("returned",)
    best = r.best[0]
    assert best.values["ceasefire"] == "energy_and_black_sea"
    assert best.objective == sum((s.score for s in best.scores), Fraction(0))
    # The plant and the land are what the parties' best deals trade off.
    assert {p.values["zaporizhzhia"] for p in r.pareto} == {"russian_held", "us_owned", "ukrainian_us_role"}
    assert {p.values["occupied_territory"] for p in r.pareto} == {"frozen", "four_regions"}


def test_bundled_coalition_without_russia(bundled: Scenario) -> None:
    r = explore(bundled, parties=["us", "ukraine", "europe"], top=1)
    assert r.parties == ("us", "ukraine", "europe") and r.coalition
    zones = {z.term: z for z in r.terms}
    # Without Russia's red lines a full ceasefire, NATO membership and returned territory are all possible.
    assert "full" in zones["ceasefire"].options
    assert "member" in zones["ukraine_nato"].options
    assert r.deals > 103680


def test_bundled_partial_package_and_variants(bundled: Scenario) -> None:
    r = explore(bundled, package=bundled.package("energy_truce"))
    assert r.package == "energy_truce" and r.given == {"phase": "truce", "ceasefire": "energy"}
    assert r.deals == 20736
    assert next(z for z in r.terms if z.term == "ceasefire").given
    assert explore(bundled.variant("before_softening"), top=0).deals == 51840
    assert explore(bundled.variant("us_hard_line"), top=0).deals == 17280


def test_time_limit_says_at_least_and_exits_4(bundled: Scenario) -> None:
    r = explore(bundled, backend="brute", time_limit=0.01)
    assert not r.exact and r.exit_code == EXIT_LIMIT and r.notes
    assert r.deals <= 103680


def test_count_limit_on_listing_backends() -> None:
    # The small example (244 deals): on the bundled scenario python-constraint2's searches take minutes.
    example = load_scenario(BUNDLED.parent / "example.yaml")
    r = explore(example, backend="constraint", limit=100, top=1, pareto_limit=1)
    assert (r.deals, r.exact, r.exit_code) == (100, False, EXIT_LIMIT)
    full = explore(example, top=1)
    assert r.best == full.best
    assert r.pareto == full.pareto[:1] and r.pareto_complete == (len(full.pareto) == 1)


def test_usage_errors(bundled: Scenario) -> None:
    with pytest.raises(UsageError, match="unknown party"):
        explore(bundled, parties=["rusia"])
    with pytest.raises(UsageError, match="objective"):
        explore(bundled, objective="fairest")
    with pytest.raises(UsageError):
        explore(bundled, package={"ceasefire": "partial"})


def test_no_deal_within_a_package(bundled: Scenario) -> None:
    import dealcheck.report.analyses  # noqa: F401
    from dealcheck.report import render

    r = explore(bundled, package=bundled.package("us_full_ceasefire"))
    assert (r.deals, r.exact, r.best, r.pareto) == (0, True, (), ())
    assert all(not z.options for z in r.terms)
    assert "NO DEAL" in render(r, "text") and "no completion of the given terms" in render(r, "text")


def test_json_is_deterministic_and_holds_the_numbers(bundled: Scenario) -> None:
    import json

    import dealcheck.report.analyses  # noqa: F401
    from dealcheck.report import render

    a = render(explore(bundled, objective="nash", parties=["us", "russia", "ukraine", "europe"], top=2), "json")
    b = render(explore(bundled, objective="nash", parties=["us", "russia", "ukraine", "europe"], top=2), "json")
    assert a == b
    data = json.loads(a)
    assert data["best"][0]["objective"] == "187/504"
    assert data["best"][0]["scores"]["us"] == {
        "met": 17,
        "total": 21,
        "score": 0.8095,
        "met_demands": data["best"][0]["scores"]["us"]["met_demands"],
    }
    text = render(explore(bundled, objective="nash", parties=["us", "russia", "ukraine", "europe"], top=2), "text")
    assert "187/504 = 0.371" in text and "us 17/21" in text


class _Terminal:
    """A stream that says it is a terminal and records what is written."""

    def __init__(self) -> None:
        self.written: list[str] = []

    def isatty(self) -> bool:
        return True

    def write(self, text: str) -> None:
        self.written.append(text)

    def flush(self) -> None:
        pass


def test_progress_shows_only_after_the_delay_and_on_a_terminal() -> None:
    import time

    from dealcheck.progress import Progress

    quick = _Terminal()
    with Progress("dealcheck explore", stream=quick, delay=0.5) as progress:
        progress("counting deals")
    assert quick.written == []
    slow = _Terminal()
    with Progress("dealcheck explore", stream=slow, delay=0.05, interval=0.01) as progress:
        progress("Pareto point 2")
        time.sleep(0.2)
    assert any("dealcheck explore: Pareto point 2" in w for w in slow.written)
    assert slow.written[-1] == "\r\x1b[K"  # the line is erased at the end


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.one_of(strategies.scenarios(max_terms=4, max_parties=3, max_rules=2), contested_scenarios()),
    st.sampled_from(("total", "maximin", "nash")),
    st.sampled_from(("classes", "no tables")),
)
def test_every_counting_method_matches_the_reference(scenario: Scenario, objective: str, force: str) -> None:
    """Issue 9: the planner's other methods (value classes on every integer term; a row budget of 1 so nothing is
    eliminated: conditioning, listing or bounds) give the same zone, ranking and frontier as the reference."""
    from dealcheck.solver import classes, planner

    with pytest.MonkeyPatch.context() as mp:
        if force == "classes":
            mp.setattr(classes, "CLASS_MIN_VALUES", 2)
        else:
            mp.setattr(planner, "ROW_BYTES", planner.DEFAULT_MEMORY_LIMIT)
        check_against_reference(scenario, "cpsat", objective, 2)
