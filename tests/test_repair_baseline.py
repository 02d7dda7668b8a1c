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
