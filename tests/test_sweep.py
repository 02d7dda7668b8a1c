"""dealcheck sweep: exact answers agree with enumerating every pattern of holding rules, Monte Carlo answers are
deterministic for a seed whatever executes them, the best deals match explore, and a deadline gives exit 4 with
the samples done so far."""

from __future__ import annotations

import concurrent.futures
import itertools
import json
from fractions import Fraction
from pathlib import Path

import attrs
import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcheck import load_scenario
from dealcheck.analysis import sweep as sweep_module
from dealcheck.analysis.sweep import BLOCK, sweep
from dealcheck.cli import cli
from dealcheck.report import render
from dealcheck.testing.strategies import scenarios

BUNDLED = Path(__file__).parent.parent / "scenarios" / "ukraine-ceasefire-2025.yaml"

TOY = """\
dealcheck: 1
title: Toy
confidence_reason: a toy
terms:
  ceasefire: {options: [none, energy, full], ordered: true}
  nato: [member, neutral]
  aid: bool
parties:
  russia:
    red_lines:
      no_full: {rule: ceasefire != "full", assumption: toy, confidence: 0.8, soft_if_wrong: true}
      no_nato: {rule: nato != "member", assumption: toy, confidence: 0.9}
    demands:
      no_aid: {rule: not aid, assumption: toy, weight: {value: 2, range: [1, 3]}}
  ukraine:
    red_lines:
      some_truce: {rule: ceasefire >= "energy", assumption: toy, confidence: 0.6}
      aid: {rule: aid, assumption: toy}
    demands:
      full: {rule: ceasefire == "full", assumption: toy, confidence: 0.5}
      nato: {rule: nato == "member", assumption: toy}
packages:
  truce: {terms: {ceasefire: energy, nato: neutral, aid: true}}
  join: {terms: {ceasefire: full, nato: member, aid: true}}
  open_truce: {terms: {ceasefire: energy}}
"""


def _brute(scenario):  # type: ignore[no-untyped-def]
    """P(any deal), P(option in some deal), P(partial package completes to a deal), by every pattern of rules."""
    uncertain = [r for r in scenario.red_lines() if r.confidence is not None]
    codes = list(itertools.product(*(sorted(t.domain.codes) for t in scenario.terms)))
    packages = [scenario.decode(c) for c in codes]
    broken = [{f"{v.party}.{b}" for v in scenario.check(p).parties for b in v.broken} for p in packages]
    any_deal = Fraction(0)
    options = {(t.name, c): Fraction(0) for t in scenario.terms for c in t.domain.codes}
    partial = {p.id: Fraction(0) for p in scenario.packages if len(p.values) < len(scenario.terms)}
    for pattern in itertools.product([True, False], repeat=len(uncertain)):
        weight = Fraction(1)
        failing = set()
        for r, held in zip(uncertain, pattern):
            weight *= r.confidence if held else 1 - r.confidence
            if not held:
                failing.add(r.ref)
        deals = [i for i, b in enumerate(broken) if b <= failing]
        if deals:
            any_deal += weight
        for t in scenario.terms:
            for c in t.domain.codes:
                if any(codes[i][t.index] == c for i in deals):
                    options[(t.name, c)] += weight
        for p in scenario.packages:
            if p.id in partial:
                fixed = scenario.encode(p.values)
                if any(all(f is None or f == codes[i][j] for j, f in enumerate(fixed)) for i in deals):
                    partial[p.id] += weight
    return any_deal, options, partial


def _assert_exact_agrees(scenario, samples: int = 250) -> None:  # type: ignore[no-untyped-def]
    r = sweep(scenario, samples=samples)
    any_deal, options, partial = _brute(scenario)
    assert r.any_deal.exact and r.any_deal.fraction == any_deal
    for o in r.options:
        term = scenario.term(o.term)
        assert o.in_some_deal.fraction == options[(o.term, term.encode(o.option))]
    for p in r.packages:
        if not p.complete:
            assert p.deal.fraction == partial[p.id]
        else:
            v = scenario.check(scenario.package(p.id).values)
            expected = Fraction(1)
            for party in v.parties:
                for b in party.broken:
                    c = scenario.rule(f"{party.party}.{b}").confidence
                    expected *= 0 if c is None else 1 - c
            assert p.deal.fraction == expected


def test_exact_answers_agree_with_every_pattern_on_the_toy() -> None:
    _assert_exact_agrees(load_scenario(TOY))


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_exact_answers_agree_with_every_pattern_on_generated_scenarios(data: st.DataObject) -> None:
    s = data.draw(scenarios(max_terms=3, max_parties=3, max_rules=2, min_packages=1, max_packages=2))
    confidences = st.sampled_from([None, Fraction(1, 2), Fraction(9, 10), Fraction(1, 3), Fraction(1)])
    parties = []
    for p in s.parties:
        red = tuple(attrs.evolve(r, confidence=data.draw(confidences)) for r in p.red_lines)
        parties.append(attrs.evolve(p, red_lines=red))
    _assert_exact_agrees(attrs.evolve(s, parties=tuple(parties)), samples=20)


def test_monte_carlo_estimates_cover_the_exact_values(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_scenario(TOY)
    exact = sweep(s, samples=BLOCK)
    monkeypatch.setattr(sweep_module, "EXACT_RED_LINES", -1)
    sampled = sweep(s, samples=4000, seed=3)
    assert not sampled.any_deal.exact
    assert sampled.any_deal.low <= exact.any_deal.value <= sampled.any_deal.high
    covered = [
        e.in_some_deal.low <= x.in_some_deal.value <= e.in_some_deal.high
        for e, x in zip(sampled.options, exact.options)
    ]
    assert sum(covered) >= len(covered) - 1  # 95% intervals: one miss among a dozen is chance, more is a bug


@pytest.mark.slow
@pytest.mark.slow
def test_same_seed_same_bytes_whatever_executes_it() -> None:
    s = load_scenario(TOY)
    local = render(sweep(s, samples=1100, seed=7), "json")
    with concurrent.futures.ThreadPoolExecutor(3) as pool:
        threaded = render(sweep(s, samples=1100, seed=7, executor=pool), "json")
    processes = render(sweep(s, samples=1100, seed=7, executor=2), "json")
    assert local == threaded == processes
    # A scenario edited in code travels as itself (its pickle), not as the file it was loaded from.
    firmer = attrs.evolve(
        s,
        parties=tuple(
            attrs.evolve(p, red_lines=tuple(attrs.evolve(r, confidence=None) for r in p.red_lines)) for p in s.parties
        ),
    )
    assert render(sweep(firmer, samples=300, executor=2), "json") == render(sweep(firmer, samples=300), "json")
    assert sweep(firmer, samples=300, executor=2).uncertain_red_lines == ()
    assert render(sweep(s, samples=1100, seed=8), "json") != local


def _certain(s):  # type: ignore[no-untyped-def]
    """The scenario with every rule certain and every weight fixed."""
    parties = tuple(
        attrs.evolve(
            p,
            red_lines=tuple(attrs.evolve(r, confidence=None, soft_if_wrong=False) for r in p.red_lines),
            demands=tuple(attrs.evolve(d, confidence=None, weight_range=None) for d in p.demands),
        )
        for p in s.parties
    )
    return attrs.evolve(s, parties=parties)


@pytest.mark.slow
def test_without_uncertainty_the_best_deals_are_explores() -> None:
    s = _certain(load_scenario(BUNDLED))
    r = sweep(s, samples=BLOCK)
    for objective, deals, none in r.best:
        assert dict(deals[0].values) == dict(s.explore(objective=objective, top=1).best[0].values)
        assert deals[0].probability.hits == BLOCK and none.hits == 0


def test_a_deadline_gives_exit_4_and_the_samples_done(monkeypatch: pytest.MonkeyPatch) -> None:
    s = load_scenario(TOY)
    clock = iter(range(0, 10**6, 1))
    monkeypatch.setattr(sweep_module.time, "monotonic", lambda: 0.0)
    import dealcheck.analysis.executors as executors

    monkeypatch.setattr(executors.time, "monotonic", lambda: float(next(clock)))
    r = sweep(s, samples=10 * BLOCK, time_limit=2.5)
    assert r.stopped and r.exit_code == 4
    assert 0 < r.samples_done < 10 * BLOCK and r.samples_done % BLOCK == 0
    assert "of 2,500 (stopped by the time limit)" in render(r, "text")


def test_cli_formats_and_exit_codes(tmp_path: Path) -> None:
    path = tmp_path / "toy.yaml"
    path.write_text(TOY)
    for fmt in ("text", "json", "markdown"):
        result = CliRunner().invoke(cli, ["sweep", str(path), "--samples", "500", "--format", fmt])
        assert result.exit_code == 0, result.output
    data = json.loads(CliRunner().invoke(cli, ["sweep", str(path), "--samples", "500", "--format", "json"]).output)
    assert data["schema"] == "dealcheck.sweep/1" and data["samples_done"] == 500
    assert data["packages"][0] == {
        "id": "truce",
        "complete": True,
        "deal": {"p": 1.0, "exact": True, "fraction": "1"},
        "acceptable": {
            "russia": {"p": 1.0, "exact": True, "fraction": "1"},
            "ukraine": {"p": 1.0, "exact": True, "fraction": "1"},
        },
    }
    assert data["packages"][1]["deal"]["fraction"] == str(Fraction(2, 10) * Fraction(1, 10))
    result = CliRunner().invoke(cli, ["sweep", str(path), "--workers", "2", "--executor", "dask://localhost:1"])
    assert result.exit_code == 2 and "not both" in result.output


@pytest.mark.slow
def test_dask_local_cluster_gives_the_same_bytes() -> None:
    distributed = pytest.importorskip("distributed")
    s = load_scenario(TOY)
    local = render(sweep(s, samples=800, seed=5), "json")
    with distributed.LocalCluster(
        n_workers=2,
        threads_per_worker=1,
        processes=False,  # two workers in this process: quick, and the tasks still travel pickled over TCP
        protocol="tcp://",
        host="127.0.0.1",
        scheduler_port=0,
        dashboard_address=None,
    ) as cluster:
        with distributed.Client(cluster) as client:
            assert render(sweep(s, samples=800, seed=5, executor=client), "json") == local
        address = cluster.scheduler_address.removeprefix("tcp://")
        assert render(sweep(s, samples=800, seed=5, executor=f"dask://{address}"), "json") == local


@settings(max_examples=40, deadline=None)
@given(
    held=st.lists(st.lists(st.booleans(), min_size=4, max_size=4), min_size=1, max_size=12),
    weights=st.lists(st.integers(0, 4), min_size=4, max_size=4),
)
def test_pruned_rows_pick_the_exact_best_deal(held: list[list[bool]], weights: list[int]) -> None:
    """Dropping duplicate and dominated rows, then picking in float64, gives the best row by exact scores with
    explore's tie-break (maximin and nash: larger total next; then the first row)."""
    import numpy as np

    from dealcheck.analysis.sweep import _best, _undominated

    party_of = [0, 0, 1, 1]
    matrix = np.array(held, dtype=np.float64)
    _, first = np.unique(matrix, axis=0, return_index=True)
    first.sort()
    kept = first[_undominated(matrix[first])]
    totals = [sum(w for w, p in zip(weights, party_of) if p == q) for q in (0, 1)]

    def scores(row: list[bool]) -> list[Fraction]:
        return [
            Fraction(sum(w for w, p, h in zip(weights, party_of, row) if p == q and h), totals[q])
            if totals[q]
            else Fraction(1)
            for q in (0, 1)
        ]

    exact = [scores(r) for r in held]
    keys = {
        "total": [(sum(x), 0) for x in exact],
        "maximin": [(min(x), sum(x)) for x in exact],
        "nash": [(x[0] * x[1], sum(x)) for x in exact],
    }
    float_scores = np.array([[float(v) for v in exact[i]] for i in kept]).T
    total = float_scores.sum(axis=0)
    for objective, key in keys.items():
        best_key = max(key)
        expected = next(i for i, k in enumerate(key) if k == best_key)
        value = {"total": total, "maximin": float_scores.min(axis=0), "nash": float_scores.prod(axis=0)}[objective]
        got = int(kept[_best(value, None if objective == "total" else total)])
        assert got == expected, objective
