"""``dealcheck report``: the same content as JSON, text and markdown; the page is self-contained and escaped."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import dealcheck
from dealcheck.cli import cli

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = str(ROOT / "scenarios" / "ukraine-ceasefire-2025.yaml")


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout


def test_json_holds_every_part_as_its_command_prints_it():
    code, out = run("report", BUNDLED, "--format", "json")
    doc = json.loads(out)
    assert code == 0 and doc["schema"] == "dealcheck.report/1" and doc["complete"] is True
    assert doc["check"]["schema"] == "dealcheck.check/1" and doc["explore"]["deals"]["count"] == 103680
    assert sorted(doc["conflicts"]) == [
        "european_peacekeepers",
        "mediator_full_ceasefire_guarantees",
        "us_full_ceasefire",
    ]
    assert doc["compare"]["schema"] == "dealcheck.compare/1"


@pytest.mark.slow
def test_the_page_is_self_contained_deterministic_and_escaped(tmp_path):
    page = run("report", BUNDLED)[1]
    assert page == run("report", BUNDLED)[1]
    assert page.startswith("<!DOCTYPE html>") and "http://" not in page and "https://" not in page
    assert "<script src" not in page and "<link" not in page
    evil = tmp_path / "evil.yaml"
    evil.write_text(
        'dealcheck: 1\ntitle: "<script>alert(1)</script>"\nterms: {x: [a, b]}\nparties:\n  p:\n'
        '    name: "<img src=x onerror=alert(1)>"\n    red_lines: {r: {rule: x == "a", assumption: "</td><b>"}}\n'
        "packages:\n  k: {terms: {x: b}}\n",
        encoding="utf-8",
    )
    code, page = run("report", str(evil))
    assert code == 0
    assert "<script>alert" not in page and "<img src=x" not in page and "</td><b>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_check_renders_as_a_page_too():
    code, page = run("check", BUNDLED, "--format", "html")
    assert code == 1 and 'id="matrix"' in page and page.count('class="pkg-row"') == 12


def test_overview_to_dict_and_extra_hooks():
    from dealcheck.analysis import overview as ov

    s = dealcheck.load_scenario(BUNDLED)
    ov.EXTRA_ANALYSES.append(lambda scenario, left: ("Conflicts of the whole scenario", scenario.conflicts()))
    try:
        r = ov.overview(s, top=1)
    finally:
        ov.EXTRA_ANALYSES.pop()
    assert [title for title, _ in r.extras] == [
        "Why each finding holds",
        "How far each weight can move before the best deal by total changes",
        "Conflicts of the whole scenario",
    ]
    assert r.to_dict()["extras"][0]["report"]["schema"] == "dealcheck.explain/1"
    assert r.to_dict()["extras"][1]["report"]["schema"] == "dealcheck.sensitivity/1"
    assert r.to_dict()["extras"][2]["report"]["schema"] == "dealcheck.conflicts/1"
    page = r.render("html")
    assert "Why each finding holds" in page and "hinges on" in page
    assert "Conflicts of the whole scenario" in r.render("html")
    # Its own section: the weights whose move changes the best deal, with the exact breakpoint and the new deal.
    assert 'id="sensitivity-section"' in page
    assert "<th scope=row>russia.four_regions</th><td>1</td><td>raised above 7/6 (~1.167): " in page


@pytest.mark.slow
def test_sweep_renders_as_a_page_with_interval_charts():
    code, page = run("sweep", BUNDLED, "--samples", "50", "--format", "html")
    assert code in (0, 4)
    assert page.startswith("<!DOCTYPE html>") and "Packages: probability of a deal" in page
    assert page.count("<circle") >= 11 and "https://" not in page
