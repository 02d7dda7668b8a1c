"""The sweep's per-draw engine (one CP-SAT model re-solved per draw) agrees with the table engine draw for draw, a
scenario beyond the table limit is answered instead of refused, and deal_probability is the exact package odds."""

from __future__ import annotations

import itertools
import json
import random
import re
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_sweep import TOY

from dealcheck import load_scenario
from dealcheck.analysis import sweep as sweep_module
from dealcheck.analysis.sweep import BLOCK, deal_probability, sweep
from dealcheck.analysis.sweep_solve import _integer_weights, decode_key
from dealcheck.cli import cli
from dealcheck.errors import UsageError
from dealcheck.report import render
from dealcheck.testing.strategies import scenarios


def _best(report):  # type: ignore[no-untyped-def]
    return {o: [(dict(d.values), d.probability.hits) for d in deals] for o, deals, _ in report.best}


def _assert_engines_agree(s, samples: int) -> None:  # type: ignore[no-untyped-def]
    table = sweep(s, samples=samples, seed=3, top=50)
    solved = sweep(s, samples=samples, seed=3, top=50, engine="solve")
    assert solved.engine == "solve" and table.engine == "table"
    best_table, best_solved = _best(table), _best(solved)
    assert set(best_solved) == {"total", "maximin", "nash"}
    for objective in best_solved:
        assert best_solved[objective] == best_table[objective], objective
    assert [o.in_best_deal.hits for o in solved.options] == [o.in_best_deal.hits for o in table.options]
    for a, b in zip(table.packages, solved.packages, strict=True):
        if a.complete:  # exact in both
            assert a == b
    # What the table engine answers exactly (any deal, options in some deal, partial packages), the per-draw engine
    # samples: the counts of the same draws must be the table engine's counts of them, exactly (an interval check
    # would fail one time in twenty).
    partial = [tuple(s.encode(p.values)) for p in s.packages if None in s.encode(p.values)]
    by_table = sweep_module.run_blocks(s, 3, range(-(-samples // BLOCK)), partial, samples, "table")
    by_solving = sweep_module.run_blocks(s, 3, range(-(-samples // BLOCK)), partial, samples, "solve")
    for field in ("samples", "any_deal", "package_deal", "in_some", "in_best", "no_deal"):
        assert getattr(by_table, field) == getattr(by_solving, field), field


@pytest.mark.slow
def test_engines_agree_on_the_toy() -> None:
    """Soft-if-wrong red lines, uncertain demands and a ranged weight: the same draws, the same best deals."""
    _assert_engines_agree(load_scenario(TOY), samples=300)


@pytest.mark.slow
@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_engines_agree_on_generated_scenarios(data: st.DataObject) -> None:
    s = data.draw(scenarios(max_terms=3, max_parties=3, max_rules=2, min_packages=1, max_packages=2))
    confidences = st.sampled_from([None, Fraction(1, 2), Fraction(9, 10), Fraction(1, 3)])
    parties = []
    for p in s.parties:
        red = tuple(attrs.evolve(r, confidence=data.draw(confidences)) for r in p.red_lines)
        demands = tuple(attrs.evolve(d, confidence=data.draw(confidences)) for d in p.demands)
        parties.append(attrs.evolve(p, red_lines=red, demands=demands))
    _assert_engines_agree(attrs.evolve(s, parties=tuple(parties)), samples=20)


def test_beyond_the_table_limit_the_sweep_solves_per_draw(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """What was refused (a usage error) is answered: the CLI picks the per-draw engine by itself."""
    s = load_scenario(TOY)
    monkeypatch.setattr(sweep_module, "TABLE_LIMIT", 4)
    with pytest.raises(UsageError):
        sweep_module._build_table(s)
    path = tmp_path / "toy.yaml"
    path.write_text(TOY)
    result = CliRunner().invoke(cli, ["sweep", str(path), "--samples", "40", "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert any("per-draw solving" in line for line in data["method"])
    assert set(data["best"]) == {"total", "maximin", "nash"}
    assert data["samples_done"] == 40


def test_the_per_draw_engine_stops_at_the_deadline(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_scenario(TOY)
    clock = itertools.count(0.0, 1.0)
    monkeypatch.setattr(sweep_module.time, "monotonic", lambda: next(clock))
    r = sweep(s, samples=600, time_limit=30, engine="solve")
    assert 0 < r.samples_done < 600 and r.exit_code == 4


def test_exact_integer_weights_keep_ties() -> None:
    """Thirds posted exactly: 1/3 + 1/3 ties 2/3 (rounding would break the tie one way)."""
    weights = [Fraction(1), Fraction(1), Fraction(1), Fraction(2), Fraction(1)]
    integer, exact = _integer_weights(weights, [0, 0, 0, 1, 1], 2)
    assert exact and integer[0][0] + integer[0][1] == 2 * integer[0][0] == integer[1][0]
    assert integer[0][-1] == 0
    integer, exact = _integer_weights([Fraction(0), Fraction(0)], [0, 1], 2)
    assert exact and integer == [[0, 1], [0, 1]]  # no weight: every party's score is 1


@given(st.lists(st.integers(1, 5), min_size=1, max_size=6), st.data())
@settings(max_examples=30, deadline=None)
def test_keys_decode(sizes: list[int], data: st.DataObject) -> None:
    from dealcheck.analysis.sweep_solve import _key

    lows = [data.draw(st.integers(-2, 2)) for _ in sizes]
    codes = tuple(lo + data.draw(st.integers(0, n - 1)) for lo, n in zip(lows, sizes, strict=True))
    assert decode_key(_key(codes, lows, sizes), lows, sizes) == codes


def test_deal_probability_is_the_sweeps_exact_package_odds() -> None:
    s = load_scenario(TOY)
    r = sweep(s, samples=10)
    for p, odds in zip(s.packages, r.packages, strict=True):
        assert deal_probability(s, p.values) == odds.deal.fraction
    monkeypatch_limit = sweep_module.EXACT_RED_LINES
    try:
        sweep_module.EXACT_RED_LINES = 1
        with pytest.raises(UsageError, match="at most 1"):
            deal_probability(s, {"ceasefire": "energy"})
        assert deal_probability(s, s.packages[0].values) == r.packages[0].deal.fraction  # full: no limit
    finally:
        sweep_module.EXACT_RED_LINES = monkeypatch_limit


def test_json_of_table_sweeps_is_unchanged_by_the_engine_field() -> None:
    """The table engine's JSON says nothing new (docs examples stay byte-identical)."""
    data = json.loads(render(sweep(load_scenario(TOY), samples=10), "json"))
    assert not any("per-draw" in line for line in data["method"])


def test_the_cli_picks_the_engine(tmp_path: Path) -> None:
    """``--engine solve`` on a scenario the table answers: the same best deals for the same draws; in --help."""
    path = tmp_path / "toy.yaml"
    path.write_text(TOY)
    out = {}
    for engine in ("table", "solve"):
        result = CliRunner().invoke(
            cli, ["sweep", str(path), "--samples", "30", "--engine", engine, "--format", "json"]
        )
        assert result.exit_code == 0, result.output
        out[engine] = json.loads(result.output)
    assert any("per-draw solving" in line for line in out["solve"]["method"])
    assert not any("per-draw solving" in line for line in out["table"]["method"])
    for objective in ("total", "maximin", "nash"):
        assert out["solve"]["best"][objective] == out["table"]["best"][objective]
    help_text = CliRunner().invoke(cli, ["sweep", "--help"]).output
    assert "--engine [table|solve]" in help_text and f"{sweep_module.TABLE_LIMIT:,}" in help_text
    bad = CliRunner().invoke(cli, ["sweep", str(path), "--engine", "brute"])
    assert bad.exit_code == 2


@pytest.mark.parametrize("engine", ["table", "solve"])
def test_a_sweep_stopped_before_any_sample_says_so(monkeypatch: pytest.MonkeyPatch, engine: str) -> None:
    """No draw done: exit 4, every sampled probability reads "not sampled" (never "nan [0, 1]"), JSON valid."""
    s = load_scenario(TOY)
    clock = itertools.count(0.0, 100.0)
    monkeypatch.setattr(sweep_module.time, "monotonic", lambda: next(clock))
    monkeypatch.setattr("dealcheck.analysis.executors.time.monotonic", lambda: next(clock))
    r = sweep(s, samples=50, time_limit=1, engine=engine)
    assert r.samples_done == 0 and r.exit_code == 4
    for fmt in ("text", "markdown", "html"):
        page = render(r, fmt)
        assert not re.search(r"\bnan\b", page, re.IGNORECASE), fmt
    text = render(r, "text")
    assert "no sample was drawn" in text and "Best deal by total: not sampled" in text
    data = json.loads(render(r, "json"), parse_constant=lambda c: pytest.fail(f"JSON has {c}"))
    assert data["samples_done"] == 0 and data["best"]["total"]["no_deal"]["p"] is None


NASH = """\
dealcheck: 1
title: Three objectives, three best deals
confidence_reason: a test
terms:
  x: [a, b, d, e]
  y: bool
parties:
  p:
    red_lines:
      no_y: {rule: not y, assumption: test}
    demands:
      p1: {rule: x != "b" or x == "b", assumption: test, weight: 5}
      p2: {rule: x != "b", assumption: test, weight: 4}
      p3: {rule: x == "a" or x == "e", assumption: test, weight: 1}
  q:
    red_lines:
      no_d: {rule: x != "d", assumption: test, confidence: 0.5}
    demands:
      q1: {rule: x != "a", assumption: test, weight: 7}
      q2: {rule: x == "b" or x == "d", assumption: test, weight: 1, confidence: 0.5}
      q3: {rule: x == "b", assumption: test, weight: 2}
      q4: {rule: y, assumption: test, weight: 10}
"""


@pytest.mark.slow
def test_both_engines_rank_nash_alike() -> None:
    """Scores (p, q): a (1, 0), b (1/2, 1/2), d (9/10, 2/5), e (1, 7/20): total picks e, maximin b, nash d (e when
    d is ruled out or q2 is absent): the per-draw engine's product agrees with the table engine's, draw for draw."""
    s = load_scenario(NASH)
    _assert_engines_agree(s, samples=20)
    best = _best(sweep(s, samples=20, seed=3, engine="solve"))
    assert {d["x"] for d, _ in best["total"]} == {"e"}
    assert {d["x"] for d, _ in best["maximin"]} == {"b"}
    assert {d["x"] for d, _ in best["nash"]} == {"d", "e"}


@pytest.mark.slow
@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_engines_agree_on_nash_with_more_parties_and_weights(data: st.DataObject) -> None:
    """Up to four parties, weights up to 7, uncertain demands (weights drawn 0 or w): every best deal equal."""
    s = data.draw(scenarios(max_terms=3, max_parties=4, max_rules=3, max_weight=7, min_packages=1, max_packages=1))
    confidences = st.sampled_from([None, Fraction(1, 2), Fraction(3, 4)])
    parties = []
    for p in s.parties:
        red = tuple(attrs.evolve(r, confidence=data.draw(confidences)) for r in p.red_lines)
        demands = tuple(attrs.evolve(d, confidence=data.draw(confidences)) for d in p.demands)
        parties.append(attrs.evolve(p, red_lines=red, demands=demands))
    _assert_engines_agree(attrs.evolve(s, parties=tuple(parties)), samples=16)


@pytest.mark.slow
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_answers_from_the_frontier_are_the_solved_answers(data: st.DataObject) -> None:
    """The skip path: once a pattern's frontier is known, best deals come from it without an optimisation; they
    are the solved ones for any weights (zero weights and ties included: those are proven otherwise or solved)."""
    from dealcheck.analysis.sweep_solve import _exact_weights, _nash_weights, _resolver, shape
    from dealcheck.solver.base import Constraints, Deadline
    from dealcheck.solver.resolve import Resolver

    s = data.draw(scenarios(max_terms=3, max_parties=3, max_rules=3, max_weight=3))
    parties = []
    for p in s.parties:
        red = tuple(attrs.evolve(r, confidence=data.draw(st.sampled_from([None, Fraction(1, 2)]))) for r in p.red_lines)
        parties.append(attrs.evolve(p, red_lines=red))
    s = attrs.evolve(s, parties=tuple(parties))
    shp = shape(s)
    groups = _resolver(s, shp).groups
    constraints = Constraints.from_scenario(s, [r for r in s.red_lines() if r.confidence is None])
    known, plain = (Resolver(constraints, [r.expr for r in shp.uncertain], groups, Deadline(None)) for _ in "ab")
    holding = sorted(data.draw(st.sets(st.sampled_from(range(len(shp.uncertain)))))) if shp.uncertain else []
    assert known.frontier(holding)
    for _ in range(4):
        weights = [Fraction(data.draw(st.integers(0, 3))) for _ in shp.columns]
        integer, _ = _integer_weights(weights, shp.party_of, len(s.parties))
        nash, _ = _nash_weights(weights, shp.party_of, len(s.parties))
        exact = _exact_weights(weights, shp.party_of, len(s.parties))
        for objective in ("total", "maximin"):
            solved = plain.best(holding, integer, objective)
            assert known.best(holding, integer, objective) == solved, objective
            assert known.best(holding, integer, objective, exact) == solved, objective  # ranked in fractions
        solved = plain.nash(holding, nash, integer)
        assert known.nash(holding, nash, integer) == solved
        assert known.nash(holding, nash, integer, exact) == solved
    assert plain.from_frontier == 0
    assert known.from_frontier > 0 or not known._frontiers[tuple(holding)]


def test_the_frontier_of_three_objectives() -> None:
    """The NASH scenario's frontier: b, d and e meet maximal sets of demands (a's lie inside e's); with no_d held,
    b and e. Every weighting's best deal is read from it, as solving finds it."""
    from dealcheck.analysis.sweep_solve import _exact_weights, _nash_weights, _resolver, shape
    from dealcheck.solver.base import Constraints, Deadline
    from dealcheck.solver.resolve import Resolver

    s = load_scenario(NASH)
    shp = shape(s)
    groups = _resolver(s, shp).groups
    constraints = Constraints.from_scenario(s, [r for r in s.red_lines() if r.confidence is None])
    known, plain = (Resolver(constraints, [r.expr for r in shp.uncertain], groups, Deadline(None)) for _ in "ab")
    for holding, points in (([], {1, 2, 3}), ([0], {1, 3})):
        assert known.frontier(holding)
        assert {codes[0] for _, codes in known._frontiers[tuple(holding)]} == points
        rng = random.Random(len(holding))
        for _ in range(8):
            weights = [Fraction(rng.choice([0, 1, 4])) for _ in shp.columns]
            integer, _ = _integer_weights(weights, shp.party_of, len(s.parties))
            nash, _ = _nash_weights(weights, shp.party_of, len(s.parties))
            exact = _exact_weights(weights, shp.party_of, len(s.parties))
            for objective in ("total", "maximin"):
                solved = plain.best(holding, integer, objective)
                assert (
                    known.best(holding, integer, objective) == known.best(holding, integer, objective, exact) == solved
                )
            solved = plain.nash(holding, nash, integer)
            assert known.nash(holding, nash, integer) == known.nash(holding, nash, integer, exact) == solved


@pytest.mark.slow
def test_the_per_draw_engine_gives_the_same_bytes_whatever_executes_it() -> None:
    """Answers read from memos and frontiers are proven, so a warm model, a cold one and worker processes (each
    its own model) give the same bytes."""
    from dealcheck.analysis import sweep_solve

    s = load_scenario(NASH)
    samples = BLOCK + 40
    sweep_solve._RESOLVERS.clear()
    cold = render(sweep(s, samples=samples, seed=5, engine="solve"), "json")
    warm = render(sweep(s, samples=samples, seed=5, engine="solve"), "json")
    processes = render(sweep(s, samples=samples, seed=5, engine="solve", executor=2), "json")
    assert cold == warm == processes


@pytest.mark.slow
def test_engines_agree_on_the_bundled_scenario() -> None:
    """Six parties, two ranged weights (float draws): the per-draw engine ranks from the frontier with exact
    fractions, so every best deal (nash too) is the table engine's, draw for draw."""
    _assert_engines_agree(
        load_scenario(Path(__file__).parent.parent / "scenarios" / "ukraine-ceasefire-2025.yaml"), 500
    )


def _many_parties(parties: int, terms: int) -> str:
    """Every party wants a different option of every term, with weights near 10**6 drawn from wide ranges: the
    draws' weights do not fit CP-SAT's integers exactly (float draws over many parties), so the per-draw engine
    must rank them some other exact way."""
    lines = ["dealcheck: 1", "title: many parties", "terms:"]
    lines += [f"  t{i}: [a, b, c]" for i in range(terms)]
    lines.append("parties:")
    for p in range(parties):
        lines += [f"  p{p}:", "    demands:"]
        for i in range(terms):
            w = 999_983 + 17 * p + i
            lines.append(
                f'      d{i}: {{rule: t{i} == "{"abc"[(p + i) % 3]}", weight: {{value: {w}, range: [1, {3 * w}]}}, '
                "assumption: x, confidence: 0.5, confidence_reason: x}"
            )
    return "\n".join(lines) + "\n"


@pytest.mark.slow
def test_draws_beyond_cpsats_integers_are_ranked_exactly() -> None:
    """Five parties, ranged weights near 10**6: CP-SAT's integers would hold the nash product only rounded (to about
    1/160 of each score, which picked other deals than the table engine); the frontier ranks them exactly instead."""
    s = load_scenario(_many_parties(5, 4))
    _assert_engines_agree(s, samples=30)
    assert sweep(s, samples=30, seed=3, engine="solve").rounded == 0


def test_a_rounded_ranking_is_said_and_exits_4(monkeypatch: pytest.MonkeyPatch) -> None:
    """Where even the frontier cannot be enumerated (forced here), the draws ranked on rounded weights are counted,
    the report says NOT EXACT and the sweep exits 4: a rounded ranking is never passed off as exact."""
    from dealcheck.solver.resolve import Resolver

    exact = sweep(load_scenario(TOY), samples=20, seed=3, engine="solve")  # a ranged weight, ranked by the frontier
    assert exact.rounded == 0 and exact.exit_code == 0
    monkeypatch.setattr(Resolver, "frontier", lambda self, holding, cap=0: False)
    s = load_scenario(_many_parties(3, 2))
    r = sweep(s, samples=20, seed=3, engine="solve")
    # Draws keeping at most one weighted demand per party are exact anyway (each party's scale is 1).
    assert 0 < r.rounded <= r.samples_done == 20 and r.exit_code == 4
    assert f"NOT EXACT: the best deals of {r.rounded} of 20 draws were ranked on rounded weights" in render(r, "text")
    assert json.loads(render(r, "json"))["rounded_draws"] == r.rounded
