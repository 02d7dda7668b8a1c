"""Utilities and reservation values in the format (dealcheck.utility): exact scores, the red line, every load error at
its position, and the property that decimal utilities give the same frontier as the same preferences written as
scaled integer demand weights."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcheck import load_scenario
from dealcheck.analysis.explore import explore
from dealcheck.analysis.repair import repair
from dealcheck.errors import ScenarioError, UsageError

TOY = """\
dealcheck: 1
title: Utility toy
sources:
  profile: {title: Buyer profile}
terms:
  price: {options: ["$3.17", "$3.22", "$3.28"], ordered: true}
  delivery: {options: [slow, normal, fast], ordered: true}
  warranty: bool
parties:
  buyer:
    utility:
      weights: {price: 0.5, delivery: 0.3, warranty: 0.2}
      values:
        price: {"$3.17": 1, "$3.22": 0.9, "$3.28": 0.75}
        delivery: {ordered: linear}
        warranty: {"true": 1}
      source: profile
      quote: "the buyer's weights"
    accepts_at: 0.62
  seller:
    demands:
      high: {rule: price >= "$3.22", weight: 0.75, assumption: toy}
      slow: {rule: delivery == "slow", weight: 0.25, assumption: toy}
    accepts_at: {value: 0.5, assumption: seller walks away below half}
"""


def test_scores_are_the_utility_exactly() -> None:
    s = load_scenario(TOY)
    buyer = s.party("buyer")
    assert buyer.total_weight == 1 and buyer.accepts_at == Fraction(62, 100)
    assert [d.id for d in buyer.demands][:3] == ["price=$3.17", "price=$3.22", "price=$3.28"]
    assert "delivery=slow" not in [d.id for d in buyer.demands]  # value 0: never met, not compiled
    v = s.check({"price": "$3.22", "delivery": "normal", "warranty": True})
    assert v.parties[0].score == pytest.approx(0.45 + 0.15 + 0.2)
    assert v.deal
    # below the buyer's reservation value: its accepts_at red line breaks, with the utility's source
    low = s.check({"price": "$3.28", "delivery": "slow", "warranty": False})
    assert low.parties[0].broken == ("accepts_at",)
    rule = s.rule("buyer.accepts_at")
    assert (rule.source, rule.quote) == ("profile", "the buyer's weights")
    assert s.rule("seller.accepts_at").assumption == "seller walks away below half"


def test_objectives_measure_gains_from_the_reservation_values() -> None:
    r = explore(load_scenario(TOY), objective="nash", top=1)
    (best,) = r.best
    assert dict(best.values) == {"price": "$3.22", "delivery": "fast", "warranty": True}
    assert best.objective == (Fraction(95, 100) - Fraction(62, 100)) * (Fraction(3, 4) - Fraction(1, 2))
    assert [str(s.score) for s in best.scores] == ["19/20", "3/4"]


def test_normalise_per_issue() -> None:
    text = TOY.replace("      source: profile", "      normalise: per_issue\n      source: profile").replace(
        '{"$3.17": 1, "$3.22": 0.9, "$3.28": 0.75}', '{"$3.17": 0.5, "$3.22": 0.45, "$3.28": 0.375}'
    )
    a, b = load_scenario(TOY), load_scenario(text)
    assert a.party("buyer").utility.issues == b.party("buyer").utility.issues
    assert b.party("buyer").utility.normalise == "per_issue"
    assert [d.weight for d in a.party("buyer").demands] == [d.weight for d in b.party("buyer").demands]


@pytest.mark.parametrize(
    ("old", "new", "code", "line", "col"),
    [
        ("weights: {price: 0.5,", "weights: {prize: 0.5,", "DC301", 12, 17),
        ('"$3.22": 0.9', '"$3.33": 0.9', "DC302", 14, 29),
        ('"$3.22": 0.9', '"$3.22": 1.5', "DC111", 14, 38),
        ("delivery: {ordered: linear}", "delivery: {ordered: cubic}", "DC111", 15, 29),
        ("      source: profile\n", "      normalise: genius\n      source: profile\n", "DC111", 17, 18),
        ("    accepts_at: 0.62", "    accepts_at: 1.2", "DC111", 19, 17),
        ("    accepts_at: 0.62", '    accepts_at: "0.62"', "DC111", 19, 17),
        ("weight: 0.75", "weight: -0.75", "DC111", 22, 46),
        ('      quote: "the buyer\'s weights"\n', "", "DC311", 17, 7),
        ('        warranty: {"true": 1}\n', "", "DC109", 12, 44),
    ],
)
def test_load_errors_have_positions_and_hints(old: str, new: str, code: str, line: int, col: int) -> None:
    assert old in TOY
    with pytest.raises(ScenarioError) as info:
        load_scenario(TOY.replace(old, new))
    d = info.value.diagnostics[0]
    assert (d.code, d.span.line, d.span.column) == (code, line, col), (d.code, d.span.line, d.span.column, d.message)
    assert d.hint


# --- decimal utilities vs scaled integer weights -------------------------------------------------------------------


def _yaml(weights: list[list[Fraction]], values: list[list[list[Fraction]]], scaled: bool) -> str:
    sizes = [len(v) for v in values[0]]
    lines = ["dealcheck: 1", "title: t", "terms:"]
    lines += [f"  t{i}: [{', '.join(f'o{j}' for j in range(n))}]" for i, n in enumerate(sizes)]
    lines.append("parties:")
    for p, (ws, vs) in enumerate(zip(weights, values, strict=True)):
        lines.append(f"  p{p}:")
        if scaled:  # the same preferences as integer demand weights, scaled by 10**6 (exact for these decimals)
            lines.append("    demands:")
            for i, (w, row) in enumerate(zip(ws, vs, strict=True)):
                for j, x in enumerate(row):
                    if w * x:
                        lines.append(
                            f'      d{i}_{j}: {{rule: t{i} == "o{j}", weight: {int(w * x * 10**6)}, assumption: a}}'
                        )
        else:
            lines.append("    utility:")
            lines.append("      assumption: a")
            lines.append("      weights: {" + ", ".join(f"t{i}: {float(w)}" for i, w in enumerate(ws)) + "}")
            lines.append("      values:")
            for i, row in enumerate(vs):
                lines.append(f"        t{i}: {{" + ", ".join(f"o{j}: {float(x)}" for j, x in enumerate(row)) + "}")
    return "\n".join(x for x in lines if x) + "\n"


_decimals = st.sampled_from([Fraction(k, 100) for k in range(0, 101, 5)] + [Fraction(1, 8), Fraction(3, 8)])


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.integers(2, 4), min_size=1, max_size=3), st.data())
def test_decimal_utilities_give_the_frontier_of_scaled_integer_weights(sizes: list[int], data: st.DataObject) -> None:
    weights = [[data.draw(_decimals.filter(bool)) for _ in sizes] for _ in range(2)]
    values = [[[data.draw(_decimals) for _ in range(n)] for n in sizes] for _ in range(2)]
    exact = load_scenario(_yaml(weights, values, scaled=False))
    scaled = load_scenario(_yaml(weights, values, scaled=True))
    # Scores differ by each party's constant total, which changes no comparison between deals of one party: the
    # frontier is the same set of deals (each point's smallest deal), only listed in another order.
    a, b = explore(exact, top=0), explore(scaled, top=0)
    assert {tuple(sorted(p.values.items())) for p in a.pareto} == {tuple(sorted(p.values.items())) for p in b.pareto}


FINE = """\
dealcheck: 1
title: Fine weights
terms:
  a: [x, y, z]
  b: [x, y, z]
parties:
  p:
    utility:
      weights: {a: 0.4452125771655631, b: 0.5547874228344369}
      values: {a: {x: 1/7, y: 1/11, z: 1}, b: {x: 1/13, y: 1, z: 1/3}}
      assumption: a Genius-like profile
    accepts_at: 0.3
  q:
    demands:
      ax: {rule: a == "x", weight: 0.3333333333333333, assumption: x}
      by: {rule: b != "y", weight: 0.6666666666666667, assumption: x}
"""


def test_numbers_beyond_64_bits_need_no_solver_where_dynamic_programming_answers() -> None:
    # Repair and the best completion by dynamic programming (dealcheck.analysis.skyline) count in Python integers:
    # exact at any size, no solver, so no fallback is needed on a narrow scenario.
    s = load_scenario(FINE)
    fast, brute = repair(s, {"a": "x", "b": "y"}), repair(s, {"a": "x", "b": "y"}, backend="brute")
    assert fast.suggestions == brute.suggestions and fast.suggestions and fast.complete
    from dealcheck.analysis.examples import best_completion

    assert best_completion(s, {"a": "x"}) == best_completion(s, {"a": "x"}, backend="brute")


def test_numbers_beyond_64_bits_are_a_clear_error_not_a_crash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from click.testing import CliRunner

    import dealcheck.analysis.examples
    import dealcheck.analysis.repair
    from dealcheck.cli import cli

    # The solver path, as on scenarios too wide for dynamic programming.
    monkeypatch.setattr(dealcheck.analysis.repair, "DYNAMIC_PROGRAMMING", False)
    monkeypatch.setattr(dealcheck.analysis.examples, "DYNAMIC_PROGRAMMING", False)
    s = load_scenario(FINE)
    assert s.party("p").units(s.party("p").total_weight) > 2**63  # 16-digit weights times sevenths, elevenths...
    with pytest.raises(UsageError, match="CP-SAT"):
        repair(s, {"a": "x", "b": "y"})
    assert repair(s, {"a": "x", "b": "y"}, backend="brute").suggestions  # exact with any integer
    assert explore(s, objective="nash").exit_code == 0  # small zone: listed, no CP-SAT
    path = tmp_path / "fine.yaml"
    path.write_text(FINE)
    # The CLI answers by listing instead (issue 11's caveat), and says so: on stderr, and in JSON as "backend".
    result = CliRunner().invoke(cli, ["repair", str(path), "--set", "a=x", "--set", "b=y", "--format", "json"])
    assert result.exit_code == 0 and "internal error" not in result.output
    assert "note: CP-SAT cannot hold this scenario's numbers" in result.stderr and "\n" not in result.stderr.strip()
    data = json.loads(result.stdout)
    assert data["backend"] == data["engine"] == "constraint"
    brute = CliRunner().invoke(
        cli, ["repair", str(path), "--set", "a=x", "--set", "b=y", "--format", "json"] + ["--backend", "brute"]
    )
    assert data["suggestions"] == json.loads(brute.stdout)["suggestions"]
    for command in (["conflicts"], ["explain"], ["check", "--set", "a=x", "--example", "best"]):
        result = CliRunner().invoke(cli, [command[0], str(path), *command[1:]])
        assert result.exit_code in (0, 1) and "answered by listing" in result.stderr, (command, result.output)
    result = CliRunner().invoke(cli, ["validate", str(path), "--format", "json"])
    assert result.exit_code == 0 and json.loads(result.stdout)["backend"] == "constraint"
    assert "the lint asked python-constraint2 instead" in CliRunner().invoke(cli, ["validate", str(path)]).stderr
    # Too many packages to list, and no time limit to bound the listing: exit 2 with CP-SAT's sentence.
    big = FINE.replace(
        "  b: [x, y, z]\n", "  b: [x, y, z]\n" + "".join(f"  c{i}: {{range: [0, 9]}}\n" for i in range(6))
    )
    path.write_text(big)
    result = CliRunner().invoke(cli, ["repair", str(path), "--set", "a=x", "--set", "b=y"])
    assert result.exit_code == 2 and "CP-SAT" in result.stderr and "too many to list exactly" in result.stderr


def test_expectations_beyond_64_bits_are_answered_by_listing_or_not_checked(monkeypatch: pytest.MonkeyPatch) -> None:
    import dealcheck.analysis.examples
    import dealcheck.analysis.repair
    from dealcheck.expectations import run_expectations

    monkeypatch.setattr(dealcheck.analysis.repair, "DYNAMIC_PROGRAMMING", False)  # the solver path, as when wide
    monkeypatch.setattr(dealcheck.analysis.examples, "DYNAMIC_PROGRAMMING", False)
    claims = (
        "expect:\n"
        "  - {set: {a: x, b: y}, nearest: {distance: 0}}\n"
        "  - {set: {a: x, b: y}, nearest: {distance: 1}}\n"
        "  - {best: {objective: total, score: 12968083847770421/10000000000000000}}\n"
    )
    s = load_scenario(FINE + claims)
    with pytest.raises(UsageError, match="CP-SAT"):
        repair(s, {"a": "x", "b": "y"})  # what the runner met before: a failure that said nothing of the claim
    report = run_expectations(s)
    assert [(r.passed, r.stopped) for r in report.results] == [(True, None), (False, None), (True, None)]
    assert "but it is at distance 0" in (report.results[1].reason or "")
    assert report.results == run_expectations(s, backend="constraint").results  # the listing's own answers
    # Too many packages to list and no --time-limit: not checked (exit 4), never failed.
    big = FINE.replace(
        "  b: [x, y, z]\n", "  b: [x, y, z]\n" + "".join(f"  c{i}: {{range: [0, 9]}}\n" for i in range(6))
    )
    report = run_expectations(load_scenario(big + claims.replace("{a: x, b: y}", "{a: x, b: y, c0: 0}")))
    first = report.results[0]
    assert (first.passed, first.stopped) == (False, "size limit") and "CP-SAT cannot hold" in (first.reason or "")
    assert report.exit_code == 4


def test_text_scores_of_a_utility_count_each_issue_once() -> None:
    from dealcheck.report.text import score_text

    s = load_scenario(TOY)
    full = s.check({"price": "$3.22", "delivery": "normal", "warranty": True})
    assert score_text(full.parties[0], True) == "80%"  # 0.45 + 0.15 + 0.2, not over the options' weights
    partial = s.check({"price": "$3.22"})
    assert score_text(partial.parties[0], False) == "45%..95%"
