"""compare: the bundled scenario's variants side by side, backends agreeing, and the CLI for every analysis command
(formats, --variant, exit codes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dealcheck.analysis.compare import compare
from dealcheck.errors import UsageError
from dealcheck.model import Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK

BUNDLED = Path(__file__).resolve().parent.parent / "scenarios" / "ukraine-ceasefire-2025.yaml"


def verdicts(column: object) -> dict[str, str]:
    return {v.package: v.verdict for v in column.verdicts}  # type: ignore[attr-defined]


def test_bundled_variants(bundled: Scenario) -> None:
    r = compare(bundled)
    assert [c.variant for c in r.columns] == [
        None,
        "before_softening",
        "europe_vetoes_kallas_plan",
        "senators_veto_saceur_plan",
        "peacekeepers_need_full_ceasefire",
        "us_hard_line",
    ]
    assert [c.deals for c in r.columns] == [103680, 51840, 69120, 51840, 103680, 17280]
    base, softening, kallas_veto, saceur_veto, full_reading, hard = r.columns
    assert verdicts(base)["mediator_settlement"] == "deal"
    assert verdicts(base)["energy_truce"] == "can_become_deal"
    assert verdicts(base)["us_full_ceasefire"] == "no_deal"
    assert r.changed(softening) == ("mediator_settlement",)
    assert next(v for v in softening.verdicts if v.package == "mediator_settlement").broken == (
        "russia.no_eu_accession",
    )
    assert r.changed(kallas_veto) == ("kallas_plan",)
    assert r.changed(saceur_veto) == ("pentagon_saceur_plan",)
    assert r.changed(full_reading) == ()
    assert r.changed(hard) == ("mediator_phased_truce", "mediator_settlement")
    assert r.exit_code == EXIT_OK


def test_backends_agree(bundled: Scenario) -> None:
    packages = ["energy_truce", "mediator_settlement", "kallas_plan"]
    reports = [
        compare(bundled, variants=["us_hard_line"], packages=packages, backend=e) for e in ("cpsat", "constraint")
    ]
    assert [(c.deals, c.verdicts) for c in reports[0].columns] == [(c.deals, c.verdicts) for c in reports[1].columns]
    # The same verdicts as the full package check.
    from dealcheck.check import check_package

    for column in reports[0].columns:
        s = bundled if column.variant is None else bundled.variant(column.variant)
        for v in column.verdicts:
            full = check_package(s, s.package(v.package))
            want = (
                ("deal" if full.deal else "no_deal")
                if full.complete
                else ("can_become_deal" if full.deal_possible else "no_deal")
            )
            assert v.verdict == want


def test_limit_makes_counts_lower_bounds(bundled: Scenario) -> None:
    r = compare(bundled, variants=[], packages=["mediator_settlement"], backend="constraint", limit=10)
    assert (r.columns[0].deals, r.columns[0].exact, r.exit_code) == (10, False, EXIT_LIMIT)


def test_unknown_variant(bundled: Scenario) -> None:
    with pytest.raises(UsageError, match="unknown variant"):
        compare(bundled, variants=["before_softenin"])


# --- the CLI of every analysis command ------------------------------------------------------------------------


def run(*args: str) -> tuple[int, str]:
    from dealcheck.cli import cli

    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


def test_cli_compare_formats() -> None:
    code, out = run("compare", str(BUNDLED), "--format", "json")
    data = json.loads(out)
    assert code == 0 and data["schema"] == "dealcheck.compare/1"
    assert [c["deals"]["count"] for c in data["columns"]] == [103680, 51840, 69120, 51840, 103680, 17280]
    assert data["columns"][1]["changed"] == ["mediator_settlement"]
    code, out = run("compare", str(BUNDLED), "--variant", "us_hard_line")
    assert code == 0 and "us_hard_line" in out and "before_softening" not in out.split("Variants:")[0]
    assert "no deal *" in out
    code, out = run("compare", str(BUNDLED), "--format", "markdown", "-p", "kallas_plan")
    assert (
        code == 0
        and "| kallas_plan | can become deal | can become deal | no deal \\* | can become deal | can become deal | can become deal |"
        in out
    )
    assert run("compare", str(BUNDLED), "--variant", "nope")[0] == 2


def test_cli_explore() -> None:
    code, out = run("explore", str(BUNDLED), "--format", "json", "--top", "2")
    data = json.loads(out)
    assert code == 0 and data["schema"] == "dealcheck.explore/2"
    assert {k: data["deals"][k] for k in ("count", "exact", "at_most")} == {
        "count": 103680,
        "exact": True,
        "at_most": 103680,
    }
    assert {p["method"] for p in data["deals"]["parts"]} <= {"free", "elimination"}
    assert [t["term"] for t in data["terms"] if t["forced"]] == ["ukraine_nato", "peacekeepers"]
    assert len(data["best"]) == 2 and data["best"][0]["objective"] == "827/168"
    code, out = run("explore", str(BUNDLED), "--variant", "us_hard_line", "--top", "1")
    assert code == 0 and "17280 deals" in out and "variant us_hard_line" in out
    code, out = run(
        "explore", str(BUNDLED), "-p", "energy_truce", "--set", "minerals_deal=signed", "--objective", "nash"
    )
    assert code == 0 and "10368 deals" in out and "Nash product" in out
    code, out = run(
        "explore",
        str(BUNDLED),
        "-p",
        "mediator_phased_truce",  # a small space: the listing engine proves each excluded option by search
        "--set",
        "european_aid=none",
        "--set",
        "zaporizhzhia=us_owned",
        "--backend",
        "constraint",
        "--limit",
        "5",
        "--top",
        "0",
        "--format",
        "markdown",
    )
    assert code == 4 and "at least 5 deals" in out
    assert run("explore", str(BUNDLED), "--parties", "us,nobody")[0] == 2
