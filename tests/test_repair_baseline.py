"""repair counts gains and losses against the proposal's best completion, and says why it has fewer than --top
suggestions (issue 10 item 5)."""

from __future__ import annotations

from pathlib import Path

from dealcheck import load_scenario
from dealcheck.analysis.repair import repair

BUNDLED = Path(__file__).resolve().parents[1] / "scenarios" / "ukraine-ceasefire-2025.yaml"


def test_removing_the_peacekeepers_gains_russia_nothing_it_did_not_have() -> None:
    s = load_scenario(BUNDLED)
    r = repair(s, s.package("european_peacekeepers"), top=3)
    (only,) = r.suggestions
    assert [(c.term, c.old, c.new) for c in only.changes] == [("peacekeepers", "coalition", "none")]
    parties = {p.party: p for p in only.parties}
    assert parties["russia"].gained == () and parties["russia"].kept == ("no_peacekeepers",)
    assert parties["europe"].lost == ("peacekeeping_force",)
    assert r.baseline is not None and r.baseline["peacekeepers"] == "coalition"
    assert r.notes == (
        "only 1 of 3 suggestions: every other deal sets the proposal's terms as one of these does (suggestions "
        "differ in the proposal's own terms; open terms are filled in)",
    )


def test_a_full_proposal_is_its_own_baseline() -> None:
    s = load_scenario(BUNDLED)
    r = repair(s.variant("before_softening"), s.package("mediator_settlement"), top=1)
    assert r.baseline is None and r.full
    ukraine = next(p for p in r.suggestions[0].parties if p.party == "ukraine")
    assert ukraine.lost == ("eu_accession",) and ukraine.gained == ()


PAY = """
dealcheck: 1
title: Pay
terms:
  salary_k: {range: [100, 300], change_cost: {per_unit: 1}}
  remote_days: {range: [0, 5]}
parties:
  board:
    red_lines:
      budget: {rule: salary_k + 20 * remote_days <= 220, assumption: toy}
"""


def test_per_unit_change_cost_prices_integer_changes_by_size() -> None:
    s = load_scenario(PAY)
    assert s.term("salary_k").change_per_unit and not s.term("remote_days").change_per_unit
    first = repair(s, {"salary_k": 210, "remote_days": 3}, top=1).suggestions[0]
    assert (first.distance, [(c.term, c.old, c.new, c.cost) for c in first.changes]) == (
        1,
        [("remote_days", 3, 0, 1)],
    )
    # Held at 3 remote days, the salary must fall by 50: distance 50, not 1.
    kept = repair(s, {"salary_k": 210, "remote_days": 3}, keep=["remote_days"], top=1).suggestions[0]
    assert (kept.distance, [(c.term, c.new, c.cost) for c in kept.changes]) == (50, [("salary_k", 160, 50)])
    for backend in ("constraint", "brute"):
        again = repair(s, {"salary_k": 210, "remote_days": 3}, keep=["remote_days"], top=1, backend=backend)
        assert again.suggestions[0].distance == 50


def test_per_unit_needs_an_integer_term() -> None:
    import pytest

    from dealcheck.errors import ScenarioError

    with pytest.raises(ScenarioError) as e:
        load_scenario(
            PAY.replace(
                "remote_days: {range: [0, 5]}", "remote_days: {options: [a, b], change_cost: {per_unit: 2}}"
            ).replace("20 * remote_days", "0")
        )
    assert [d.code for d in e.value.diagnostics] == ["DC111"]
