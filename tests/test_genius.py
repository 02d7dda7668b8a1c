"""dealcheck import genius: round trip (import, validate --sources, explore) on a synthetic domain written for these
tests and on the seven shared Genius domains (../shared/genius, when present), every solution point against an
independent brute force computed straight from the XML; and a corpus of bad XML, each refused with exit 2 at its
position."""

from __future__ import annotations

import itertools
import math
import os
import xml.etree.ElementTree as ET
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from dealcheck import load_scenario
from dealcheck.analysis.explore import explore
from dealcheck.analysis.objectives import OBJECTIVES
from dealcheck.cli import cli
from dealcheck.genius import MAX_XML_BYTES, genius_scenario, read_file

DATA = Path(__file__).resolve().parent / "data" / "genius"
# The shared domains sit in shared/genius beside the checkout (CI lays a copy there); searched upwards so a worktree
# one level deeper finds them too.
SHARED = next(
    (p / "shared" / "genius" for p in Path(__file__).resolve().parents if (p / "shared" / "genius").is_dir()),
    Path("shared/genius"),
)
SYNTHETIC = (
    DATA / "synthetic" / "synthetic_domain.xml",
    [DATA / "synthetic" / "buyer.xml", DATA / "synthetic" / "seller.xml"],
)


def shared_domains() -> list[tuple[Path, list[Path]]]:
    out = []
    for folder in sorted(SHARED.glob("*")) if SHARED.is_dir() else []:
        files = sorted(folder.glob("*.xml"))
        domain = [
            f for f in files if "domain" in f.name.lower() and not f.name.lower().startswith(("grocery_domain_",))
        ]
        profiles = [f for f in files if f not in domain]
        if len(domain) == 1 and profiles:
            out.append((domain[0], profiles))
    return out


def test_the_seven_shared_domains_are_found_in_ci() -> None:
    if os.environ.get("CI") != "true" and not SHARED.is_dir():
        pytest.skip("shared/genius is not beside this checkout")
    assert len(shared_domains()) == 7


def import_text(domain: Path, profiles: list[Path]) -> str:
    return genius_scenario(read_file(str(domain)), [read_file(str(p)) for p in profiles])


# --- an independent reading of the XML: ElementTree (trusted test files), Fractions, every outcome -------------


def reference(domain: Path, profiles: list[Path]) -> dict:
    issues = [
        (i.get("name"), [it.get("value") for it in i.iter("item")]) for i in ET.parse(domain).getroot().iter("issue")
    ]
    utilities, reserves = [], []
    for p in profiles:
        root = ET.parse(p).getroot()
        index = {i.get("index"): i.get("name") for i in root.iter("issue")}
        weights = {index[w.get("index")]: Fraction(w.get("value")) for w in root.iter("weight")}
        evals = {
            i.get("name"): {it.get("value"): Fraction(it.get("evaluation")) for it in i.iter("item")}
            for i in root.iter("issue")
        }
        total = sum(weights.values())

        def u(outcome: tuple[str, ...], weights=weights, evals=evals, total=total) -> Fraction:
            return (
                sum(
                    weights[n] * evals[n][v] / max(evals[n].values()) for (n, _), v in zip(issues, outcome, strict=True)
                )
                / total
            )

        utilities.append(u)
        r = [Fraction(e.get("value")) for e in root.iter("reservation")]
        reserves.append(r[0] if r and r[0] > 0 else Fraction(0))
    outcomes = list(itertools.product(*(vals for _, vals in issues)))
    scores = {o: tuple(u(o) for u in utilities) for o in outcomes}
    deals = [o for o in outcomes if all(s >= r for s, r in zip(scores[o], reserves, strict=True))]
    vectors = {scores[o] for o in deals}
    frontier = {
        v for v in vectors if not any(w != v and all(a >= b for a, b in zip(w, v, strict=True)) for w in vectors)
    }
    ideal = tuple(max((scores[o][k] for o in deals), default=Fraction(0)) for k in range(len(profiles)))

    def value(objective: str, s: tuple[Fraction, ...]) -> Fraction:
        gains = [a - d for a, d in zip(s, reserves, strict=True)]
        return {
            "total": sum(s),
            "maximin": min(gains),
            "nash": math.prod(gains),
            "kalai": min(
                (g / (h - d) for g, h, d in zip(gains, ideal, reserves, strict=True) if h != d), default=Fraction(1)
            ),
        }[objective]

    best = {}
    for objective in OBJECTIVES:
        top = max(frontier, key=lambda v, o=objective: (value(o, v), sum(v))) if frontier else None
        best[objective] = (top, value(objective, top) if top else None)
    return {"outcomes": len(outcomes), "deals": len(deals), "frontier": frontier, "best": best}


@pytest.mark.slow
@pytest.mark.parametrize("case", [SYNTHETIC, *shared_domains()], ids=lambda c: c[0].parent.name)
def test_import_validate_explore_round_trip(case: tuple[Path, list[Path]], tmp_path: Path) -> None:
    domain, profiles = case
    out = tmp_path / "scenario.yaml"
    runner = CliRunner()
    result = runner.invoke(cli, ["import", "genius", str(domain), *map(str, profiles), "-o", str(out)])
    assert result.exit_code == 0, result.output
    result = runner.invoke(cli, ["validate", str(out), "--sources", str(domain.parent)])
    assert result.exit_code == 0 and "quotes verified" in result.output, result.output
    s = load_scenario(out.read_text())
    ref = reference(domain, profiles)
    for objective in OBJECTIVES:
        r = explore(s, objective=objective, top=1)
        assert (r.packages, r.deals, r.exit_code) == (ref["outcomes"], ref["deals"], 0)
        assert {tuple(x.score for x in p.scores) for p in r.pareto} == ref["frontier"]
        point, value = ref["best"][objective]
        assert tuple(x.score for x in r.best[0].scores) == point
        assert r.best[0].objective == value


def test_imported_scenario_reads_well() -> None:
    text = import_text(*SYNTHETIC)
    assert (
        'delivery_time: {options: ["1 week", "2 weeks", "1 month"], description: "Genius issue Delivery Time"}' in text
    )
    assert "  in_: {options:" in text  # a keyword as issue name gets a usable id
    assert 'price: {"$10": 1, "$12": 0.75, "$15": 0.35, "$18": 0.05}' in text
    assert "accepts_at: {value: 0.35, source: buyer_xml" in text
    s = load_scenario(text)
    assert [p.accepts_at for p in s.parties] == [Fraction(35, 100), Fraction(2, 10)]


# --- bad XML -----------------------------------------------------------------------------------------------------

GOOD_PROFILE = (DATA / "synthetic" / "buyer.xml").read_text()
GOOD_DOMAIN = (DATA / "synthetic" / "synthetic_domain.xml").read_text()
LAUGHS = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>\n'
    '<negotiation_template><utility_space><objective><issue name="a"><item value="&lol2;"/></issue>'
    "</objective></utility_space></negotiation_template>\n"
)
EXTERNAL = (
    '<?xml version="1.0"?>\n<!DOCTYPE d [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
    '<negotiation_template><issue name="a"><item value="&x;"/></issue></negotiation_template>\n'
)


@pytest.mark.parametrize(
    ("which", "text", "code", "line", "col"),
    [
        ("domain", "<negotiation_template><utility_space/></negotiation_template>", "DC803", 1, 1),
        ("domain", LAUGHS, "DC802", 2, 16),
        ("domain", EXTERNAL, "DC802", 2, 13),
        ("domain", GOOD_DOMAIN[:200], "DC801", 4, 5),
        (
            "domain",
            GOOD_DOMAIN.replace(
                'type="discrete" vtype="discrete" name="in"', 'type="integer" vtype="integer" name="in"'
            ),
            "DC803",
            15,
            5,
        ),
        ("domain", " " * (MAX_XML_BYTES + 1), "DC801", 1, 1),
        (
            "profile",
            GOOD_PROFILE.replace('<weight index="1" value="0.55"/>', '<weight index="1" value="0.45"/>'),
            "DC805",
            1,
            1,
        ),
        (
            "profile",
            GOOD_PROFILE.replace('value="2 weeks" evaluation="6"', 'value="3 weeks" evaluation="6"'),
            "DC804",
            12,
            9,
        ),
        ("profile", GOOD_PROFILE.replace('name="Price"', 'name="Cost"'), "DC804", 4, 5),
        ("profile", GOOD_PROFILE.replace('evaluation="15"', 'evaluation="lots"'), "DC806", 6, 9),
        ("profile", GOOD_PROFILE.replace('evaluation="15"', 'evaluation="-15"'), "DC806", 6, 9),
        ("profile", GOOD_PROFILE.replace('<reservation value="0.35" />', '<reservation value="1.5" />'), "DC806", 2, 5),
        ("profile", GOOD_PROFILE.replace('    <weight index="3" value="0.15"/>\n', ""), "DC805", 1, 1),
    ],
    ids=[
        "no issues",
        "entities",
        "external entity",
        "truncated",
        "integer issue",
        "huge",
        "weights sum",
        "unknown value",
        "unknown issue",
        "evaluation not a number",
        "negative evaluation",
        "reservation above 1",
        "missing weight",
    ],
)
def test_bad_xml_exits_2_at_its_position(which: str, text: str, code: str, line: int, col: int, tmp_path: Path) -> None:
    domain, profile = tmp_path / "domain.xml", tmp_path / "profile.xml"
    domain.write_text(text if which == "domain" else GOOD_DOMAIN)
    profile.write_text(text if which == "profile" else GOOD_PROFILE)
    result = CliRunner().invoke(cli, ["import", "genius", str(domain), str(profile)])
    assert result.exit_code == 2, result.output
    bad = domain if which == "domain" else profile
    assert f"{bad}:{line}:{col}: error[{code}]" in result.output, result.output
    assert "Traceback" not in result.output and "internal error" not in result.output


# --- export negmas ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", [SYNTHETIC, *shared_domains()], ids=lambda c: c[0].parent.name)
def test_export_then_import_gives_the_same_utilities(case: tuple[Path, list[Path]], tmp_path: Path) -> None:
    first = tmp_path / "first.yaml"
    first.write_text(import_text(*case))
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "negmas", str(first), "-o", str(tmp_path / "xml")])
    assert result.exit_code == 0, result.output
    files = sorted((tmp_path / "xml").glob("*.xml"))
    domain = next(f for f in files if f.name.endswith("_domain.xml"))
    again = load_scenario(import_text(domain, [f for f in files if f != domain]))
    a = load_scenario(first.read_text())
    for p, q in zip(a.parties, again.parties, strict=True):
        total = sum(i.weight for i in p.utility.issues)
        assert [(i.weight / total, i.values) for i in p.utility.issues] == [
            (i.weight, i.values) for i in q.utility.issues
        ] or all(
            abs(float(i.weight / total) - float(j.weight)) < 1e-15 for i, j in zip(p.utility.issues, q.utility.issues)
        )
        assert p.accepts_at == q.accepts_at


def test_export_refuses_what_genius_cannot_say(tmp_path: Path) -> None:
    bundled = Path(__file__).resolve().parent.parent / "scenarios" / "ukraine-ceasefire-2025.yaml"
    result = CliRunner().invoke(cli, ["export", "negmas", str(bundled), "-o", str(tmp_path / "x")])
    assert result.exit_code == 2
    assert "cannot be written as a Genius domain: party us has no utility" in result.output
