"""The scenario loader: format v1 read into a Scenario, or every problem at its exact line and column."""

from __future__ import annotations

import os
import pathlib

import pytest
from _guards import no_hang
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcheck.errors import CODES, ScenarioError
from dealcheck.loader import MAX_FILE_BYTES, load_scenario, load_scenario_bytes, load_scenario_file
from dealcheck.model import RuleKind
from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain

EXAMPLE = pathlib.Path(__file__).resolve().parent.parent / "scenarios" / "example.yaml"

BASE = """\
dealcheck: 1
title: Toy
sources:
  memo: {title: Memo}
terms:
  ceasefire: {options: [none, energy, full], ordered: true}
  nato: [member, neutral, 'no']
  minerals: bool
  aid: {range: [0, 60], unit: USD bn}
parties:
  east:
    red_lines:
      no_full: {rule: ceasefire != "full", source: memo, quote: "no full ceasefire"}
    demands:
      low_aid: {rule: aid <= 20, weight: 2, assumption: toy}
  west:
    red_lines:
      truce: {rule: ceasefire >= "energy", assumption: toy}
"""


def problems(text: str) -> list[tuple[str, int, int]]:
    with pytest.raises(ScenarioError) as info:
        load_scenario(text, name="t.yaml")
    for d in info.value.diagnostics:
        assert d.code in CODES, d
    return [(d.code, d.line, d.column) for d in info.value.diagnostics]


def codes(text: str) -> list[str]:
    return [c for c, *_ in problems(text)]


# --- good files -------------------------------------------------------------------------------------------------


def test_example_scenario() -> None:
    s = load_scenario(EXAMPLE)
    assert s.path == str(EXAMPLE)
    assert [t.name for t in s.terms] == ["ceasefire", "nato", "minerals_deal", "aid_bn"]
    assert [t.index for t in s.terms] == [0, 1, 2, 3]
    assert s.terms[0].domain == OptionsDomain(("none", "energy", "full"), ordered=True)
    assert s.terms[2].domain == BoolDomain() and s.terms[3].domain == IntDomain(0, 60)
    assert s.terms[3].unit == "USD bn"
    assert [p.id for p in s.parties] == ["east", "west", "centre"]
    assert s.party("east").red_lines[1].concession_cost == 3
    assert s.party("west").demands[1].weight == 2
    assert s.party("west").demands[1].text == "aid_bn >= 10\n  or minerals_deal\n"
    assert len(s.packages) == 4
    assert s.package("open_aid").values == {"ceasefire": "energy", "minerals_deal": True}
    assert s.package("energy_truce").values == {
        "ceasefire": "energy",
        "nato": "neutral",
        "minerals_deal": True,
        "aid_bn": 15,
    }
    assert [v.name for v in s.variants] == ["east_softens"]
    assert s.variants[0].drop == ("east.no_full",)
    assert [r.ref for r in s.variants[0].add] == ["east.neutral"]
    assert s.expectations[1].data == {"package": "full_ceasefire", "breaks": ["east.no_full"]}
    assert s.expectations[0].span is not None and s.expectations[0].span.line > 1
    assert s.source_lines is not None and s.source_lines[0].startswith("#")


def test_forms_of_source(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(BASE, encoding="utf-8")
    assert load_scenario(path).path == str(path)
    assert load_scenario(str(path)).path == str(path)
    assert load_scenario(BASE).path == "<string>"
    assert load_scenario(BASE, name="x.yaml").path == "x.yaml"
    assert load_scenario_bytes(b"\xef\xbb\xbf" + BASE.encode(), "<stdin>").title == "Toy"


def test_yaml11_traps_are_options_as_written() -> None:
    s = load_scenario(BASE + "packages:\n  p: {terms: {nato: no}}\n")
    assert s.package("p").values == {"nato": "no"}
    s = load_scenario(
        BASE.replace("[member, neutral, 'no']", "[no, on, '010', 010x, 1:20]").replace(
            "no_full: {rule", "no_full_: {rule"
        )
        + "packages:\n  p: {terms: {nato: 1:20}}\n"
    )
    assert s.term("nato").domain.options == ("no", "on", "010", "010x", "1:20")
    assert s.package("p").values == {"nato": "1:20"}


def test_shorthands_and_defaults() -> None:
    s = load_scenario(BASE.replace("  minerals: bool", "  minerals: {type: bool, description: d}"))
    assert s.term("minerals").domain == BoolDomain() and s.term("minerals").description == "d"
    assert s.party("east").name == "east"
    assert s.party("west").red_lines[0].weight == 1
    assert s.term("nato").domain.ordered is False


# --- files ------------------------------------------------------------------------------------------------------


def file_problem(path: pathlib.Path) -> tuple[str, int | None, int | None]:
    with pytest.raises(ScenarioError) as info:
        load_scenario_file(path)
    (d,) = info.value.diagnostics
    return d.code, d.line, d.column


def test_file_problems(tmp_path: pathlib.Path) -> None:
    assert file_problem(tmp_path / "missing.yaml")[0] == "DC100"
    assert file_problem(tmp_path)[0] == "DC100"
    (tmp_path / "latin1.yaml").write_bytes(b"dealcheck: 1\ntitle: caf\xe9\n")
    assert file_problem(tmp_path / "latin1.yaml") == ("DC100", 2, 11)
    (tmp_path / "nul.yaml").write_bytes(b"dealcheck: 1\ntitle: a\x00b\n")
    assert file_problem(tmp_path / "nul.yaml") == ("DC100", 2, 9)
    (tmp_path / "empty.yaml").write_bytes(b"")
    assert file_problem(tmp_path / "empty.yaml")[0] == "DC112"
    (tmp_path / "blank.yaml").write_bytes(b"  \n\t\n")
    assert file_problem(tmp_path / "blank.yaml")[0] == "DC112"
    (tmp_path / "comment.yaml").write_bytes(b"# nothing\n")
    assert file_problem(tmp_path / "comment.yaml")[0] == "DC112"


def test_large_file_is_refused_before_it_is_read(tmp_path: pathlib.Path) -> None:
    big = tmp_path / "big.yaml"
    with open(big, "wb") as f:
        f.truncate(50 * MAX_FILE_BYTES)  # sparse: reading it would take a while, stat does not
    with no_hang():
        assert file_problem(big)[0] == "DC501"


def test_bom_is_accepted() -> None:
    assert load_scenario("\ufeff" + BASE).title == "Toy"


# --- structure --------------------------------------------------------------------------------------------------


def test_unknown_key_did_you_mean() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASE.replace("title: Toy", "titel: Toy"), name="t.yaml")
    d = info.value.diagnostics
    assert [(x.code, x.line, x.column) for x in d] == [("DC107", 2, 1)]
    assert any(x.hint == "did you mean 'title'?" for x in d)


def test_version_and_required() -> None:
    assert problems(BASE.replace("dealcheck: 1", "dealcheck: 2")) == [("DC110", 1, 12)]
    assert problems(BASE.replace("dealcheck: 1", "dealcheck: '1'")) == [("DC110", 1, 12)]
    assert codes("dealcheck: 1\ntitle: x\n") == ["DC109", "DC109"]


def test_wrong_shapes() -> None:
    assert problems(BASE.replace("parties:\n  east:", "parties: oops\nxparties:\n  east:"))[0] == ("DC108", 10, 10)
    with pytest.raises(ScenarioError) as info:
        load_scenario("dealcheck: 1\ntitle: t\nterms: abc\nparties: {}\n")
    assert info.value.diagnostics[0].message.startswith("expected a mapping of terms")
    assert info.value.diagnostics[0].message.endswith("found a string")


@pytest.mark.parametrize("weight", ["1e3", '"7"', "true", "0", "-1", "'x'", "0.0"])
def test_bad_weight(weight: str) -> None:
    assert problems(BASE.replace("weight: 2", f"weight: {weight}")) == [("DC111", 15, 42)]


def test_weight_on_a_red_line_is_unknown() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASE.replace('quote: "no full ceasefire"}', 'quote: "no full ceasefire", weight: 2}'))
    (d,) = info.value.diagnostics
    assert d.code == "DC107" and "concession_cost" in (d.hint or "")


def test_ids() -> None:
    assert problems(BASE.replace("  west:", "  2west:")) == [("DC106", 16, 3)]
    assert problems(BASE.replace("  west:", "  we-st:")) == [("DC106", 16, 3)]


def test_duplicate_keys_nested() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASE + "    demands:\n      x: {rule: aid > 1, assumption: a, rule: aid > 2}\n", name="t.yaml")
    assert [str(d) for d in info.value.diagnostics] == [
        "t.yaml:20:41: error[DC105]: duplicate key 'rule' (first defined at line 20)",
    ]
    text = BASE.replace("    demands:\n      low_aid", "    demands:\n      no_full")
    assert problems(text) == [("DC105", 15, 7)]


def test_terms() -> None:
    assert problems(BASE.replace("[member, neutral, 'no']", "[]")) == [("DC308", 7, 9)]
    assert problems(BASE.replace("[member, neutral, 'no']", "[a, b, a]")) == [("DC308", 7, 16)]
    assert problems(BASE.replace("[member, neutral, 'no']", "[a, '']")) == [("DC308", 7, 13)]
    assert problems(BASE.replace("range: [0, 60]", "range: [60, 0]")) == [("DC309", 9, 16)]
    # Any range the solver holds is allowed (issue 9): bounds up to 2**62 - 1; beyond is DC505, far beyond DC504.
    wide = load_scenario(BASE.replace("range: [0, 60]", "range: [-2305843009213693952, 2305843009213693951]"))
    assert wide.term("aid").domain == IntDomain(-(2**61), 2**61 - 1)  # 2**62 values: all CP-SAT holds in all
    assert problems(BASE.replace("range: [0, 60]", "range: [-2305843009213693952, 2305843009213693952]")) == [
        ("DC505", 9, 16)
    ]
    assert problems(BASE.replace("range: [0, 60]", "range: [0, 4611686018427387904]")) == [("DC505", 9, 16)]
    assert problems(BASE.replace("range: [0, 60]", "range: [0, 10**30]"))[0][0] in {"DC504", "DC111"}
    assert problems(BASE.replace("range: [0, 60]", "range: [0]")) == [("DC108", 9, 16)]
    assert codes(BASE.replace("  minerals: bool", "  minerals: boolean")) == ["DC108"]
    assert codes(BASE.replace("ordered: true", "ordered: yes")) == ["DC111"]


def test_provenance() -> None:
    no_quote = BASE.replace(', source: memo, quote: "no full ceasefire"', "")
    assert problems(no_quote) == [("DC311", 13, 7)]
    both = BASE.replace('quote: "no full ceasefire"', 'quote: "no full ceasefire", assumption: x')
    assert codes(both) == ["DC311"]
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASE.replace("source: memo", "source: mem"))
    (d,) = info.value.diagnostics
    assert (d.code, d.line, d.column, d.hint) == ("DC307", 13, 52, "did you mean 'memo'?")


# --- packages ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("values", "code", "column", "hint"),
    [
        ("cease: none", "DC401", 15, "did you mean 'ceasefire'?"),
        ("ceasefire: ful", "DC402", 26, "did you mean 'full'? the options of ceasefire are none, energy, full"),
        ("aid: 61", "DC402", 20, "aid is an integer from 0 to 60"),
        ("aid: '6'", "DC403", 20, "remove the quotes: write 6"),
        ("aid: many", "DC403", 20, None),
        ("minerals: yes", "DC403", 25, "write true or false"),
        ("minerals: 'true'", "DC403", 25, "write true or false"),
        ("nato: [member]", "DC403", 21, "the options of nato are member, neutral, no"),
    ],
)
def test_package_values(values: str, code: str, column: int, hint: str | None) -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASE + "packages:\n  p: {terms: {" + values + "}}\n")
    (d,) = info.value.diagnostics
    assert (d.code, d.line, d.column, d.hint) == (code, 20, column, hint)


def test_package_values_decoded_in_term_order() -> None:
    s = load_scenario(BASE + "packages:\n  p: {terms: {aid: 5, minerals: false, ceasefire: none}}\n")
    assert list(s.package("p").values.items()) == [("ceasefire", "none"), ("minerals", False), ("aid", 5)]


# --- rules: positions in every scalar style -----------------------------------------------------------------


def rule_problem(rule_yaml: str) -> tuple[str, int, int, int | None, int | None]:
    text = BASE + "    demands:\n      r:\n        assumption: x\n        rule: " + rule_yaml
    with pytest.raises(ScenarioError) as info:
        load_scenario(text)
    (d,) = info.value.diagnostics
    assert d.span is not None
    assert d.code == "DC301" and "in demand west.r" in d.message
    return d.code, d.span.line, d.span.column, d.span.end_line, d.span.end_column


# The misspelt term 'sanction' (8 characters) sits at a known place in each style.
@pytest.mark.parametrize(
    ("rule_yaml", "line", "column"),
    [
        ("aid > 1 or sanction\n", 22, 26),
        ("aid > 1\n          or  sanction\n", 23, 15),
        ("'aid > 1 or ''x'' != sanction'\n", 22, 36),
        ('"aid > 1 or\\t sanction"\n', 22, 29),
        ('"aid > 1 \\\n    or\n\n   sanction"\n', 25, 4),
        ("|\n          aid > 1\n            or sanction\n", 24, 16),
        (">-\n          aid > 1\n\n          or sanction\n", 25, 14),
        ("|2+\n           aid > 1 or sanction\n\n", 23, 23),
    ],
)
def test_rule_problem_positions(rule_yaml: str, line: int, column: int) -> None:
    assert rule_problem(rule_yaml) == ("DC301", line, column, line, column + 8)


def test_rule_problem_has_hint_and_caret() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario(BASE.replace("rule: aid <= 20", "rule: aids <= 20"), name="t.yaml")
    (d,) = info.value.diagnostics
    assert str(d).startswith("t.yaml:15:23: error[DC301]")
    assert "did you mean 'aid'?" in (d.hint or "")
    assert "      low_aid: {rule: aids <= 20" in info.value.render()


def test_long_rule_is_refused() -> None:
    assert codes(BASE.replace("rule: aid <= 20", "rule: " + "aid + " * 2000 + "1 <= 20")) == ["DC502"]


def test_rule_must_be_a_string() -> None:
    assert problems(BASE.replace("rule: aid <= 20", "rule: [aid]")) == [("DC108", 15, 23)]


# --- variants ---------------------------------------------------------------------------------------------------


def test_variants() -> None:
    good = (
        BASE
        + """\
variants:
  soft:
    description: d
    drop: [west.truce]
    replace:
      east.low_aid: {rule: aid <= 30, weight: 3, assumption: y}
    add:
      west: {demands: {more: {rule: aid >= 10, assumption: z}}}
"""
    )
    s = load_scenario(good)
    (v,) = s.variants
    assert v.drop == ("west.truce",)
    assert [(r.ref, r.kind, r.weight, r.text) for r in v.replace] == [("east.low_aid", RuleKind.DEMAND, 3, "aid <= 30")]
    assert [r.ref for r in v.add] == ["west.more"]
    bad = good.replace("drop: [west.truce]", "drop: [west.truc, nobody.x]").replace(
        "west: {demands: {more", "west: {demands: {truce"
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(bad)
    got = [(d.code, d.line, d.column, d.hint) for d in info.value.diagnostics]
    assert got == [
        ("DC310", 22, 12, "did you mean 'west.truce'?"),
        ("DC312", 22, 23, None),
        ("DC603", 26, 24, "use replace to change an existing rule"),
    ]


# --- expectations -----------------------------------------------------------------------------------------------

EXPECT_BASE = BASE + "packages:\n  p: {terms: {ceasefire: full}}\nvariants:\n  v: {drop: [west.truce]}\nexpect:\n"


def test_expectations() -> None:
    s = load_scenario(
        EXPECT_BASE
        + """\
  - {package: p, deal: false, breaks: [east.no_full], acceptable_to: [west], not_acceptable_to: [east]}
  - {set: {ceasefire: energy, minerals: true}, deal_possible: true, forced: {aid: 3}, meets: [east.low_aid]}
  - {deals: ">= 1", description: some deal}
  - {variant: v, deals: 0, keeps: [east.no_full]}
"""
    )
    assert [e.data for e in s.expectations] == [
        {
            "package": "p",
            "deal": False,
            "breaks": ["east.no_full"],
            "acceptable_to": ["west"],
            "not_acceptable_to": ["east"],
        },
        {
            "set": {"ceasefire": "energy", "minerals": True},
            "deal_possible": True,
            "meets": ["east.low_aid"],
            "forced": {"aid": 3},
        },
        {"description": "some deal", "deals": ">= 1"},
        {"variant": "v", "keeps": ["east.no_full"], "deals": 0},
    ]
    assert [e.span.line for e in s.expectations if e.span] == [24, 25, 26, 27]


@pytest.mark.parametrize(
    ("entry", "code", "column"),
    [
        ("{package: q, deal: true}", "DC404", 15),
        ("{variant: w, deals: 1}", "DC602", 15),
        ("{breaks: [east.no_ful]}", "DC310", 15),
        ("{breaks: [east.low_aid]}", "DC601", 15),
        ("{variant: v, breaks: [west.truce]}", "DC310", 27),
        ("{acceptable_to: [eats]}", "DC312", 22),
        ("{deals: 'about 3'}", "DC601", 13),
        ("{deal: yes}", "DC601", 12),
        ("{package: p}", "DC601", 5),
        ("{package: p, dael: true}", "DC601", 18),
        ("{set: {aid: 99}, deal: true}", "DC402", 17),
        ("just a string", "DC601", 5),
    ],
)
def test_bad_expectations(entry: str, code: str, column: int) -> None:
    assert problems(EXPECT_BASE + "  - " + entry + "\n") == [(code, 24, column)]


# --- every problem at once, and only ScenarioError ----------------------------------------------------------


def test_every_problem_at_once_sorted() -> None:
    text = """\
dealcheck: 1
title: t
extra: 1
terms:
  a: [x, x]
  b: {range: [3, 1]}
  c: bool
parties:
  p:
    red_lines:
      r: {rule: c, weight: 2}
packages:
  k: {terms: {c: maybe, zz: 1}}
  k: {}
"""
    assert problems(text) == [
        ("DC107", 3, 1),
        ("DC308", 5, 10),
        ("DC309", 6, 14),
        ("DC311", 11, 7),
        ("DC107", 11, 20),
        ("DC403", 13, 18),
        ("DC401", 13, 25),
        ("DC105", 14, 3),
    ]


def test_many_problems_are_capped() -> None:
    text = BASE + "packages:\n" + "".join(f"  p{i}: {{terms: {{aid: 99}}}}\n" for i in range(500))
    with pytest.raises(ScenarioError) as info:
        load_scenario(text)
    assert len(info.value.diagnostics) == 201 and info.value.diagnostics[-1].code == "DC506"


def only_scenario_or_error(data: bytes) -> None:
    try:
        load_scenario_bytes(data, "f.yaml")
    except ScenarioError as e:
        assert e.diagnostics and all(d.code in CODES for d in e.diagnostics)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=300))
def test_fuzz_random_bytes(data: bytes) -> None:
    only_scenario_or_error(data)


@pytest.mark.slow
@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.data())
def test_fuzz_mutated_scenario(data: st.DataObject) -> None:
    text = EXAMPLE.read_text(encoding="utf-8")
    for _ in range(data.draw(st.integers(1, 4))):
        at = data.draw(st.integers(0, len(text)))
        match data.draw(st.sampled_from(["delete", "insert", "duplicate"])):
            case "delete":
                text = text[:at] + text[at + data.draw(st.integers(1, 20)) :]
            case "insert":
                text = (
                    text[:at]
                    + data.draw(
                        st.sampled_from(
                            [
                                ":",
                                "-",
                                "[",
                                "]",
                                "{",
                                "}",
                                "'",
                                '"',
                                "&a ",
                                "*a",
                                "!!str ",
                                "\t",
                                "\n",
                                " ",
                                "|",
                                ">",
                                "#",
                                "x",
                                "1",
                                "no",
                                "\\",
                                "---\n",
                                "? ",
                                ", ",
                            ]
                        )
                    )
                    + text[at:]
                )
            case _:
                j = data.draw(st.integers(at, min(len(text), at + 80)))
                text = text[:j] + text[at:j] + text[j:]
    only_scenario_or_error(text.encode("utf-8"))


def test_stdin_like_bytes() -> None:
    with pytest.raises(ScenarioError) as info:
        load_scenario_bytes(b"\xff\xfe" + "x".encode("utf-16-le"), "<stdin>")
    assert info.value.diagnostics[0].code == "DC100" and "UTF-16" in (info.value.diagnostics[0].hint or "")


def test_pathlike_is_a_path(tmp_path: pathlib.Path) -> None:
    os.chdir(tmp_path)
    assert file_problem(pathlib.Path("dealcheck: 1"))[0] == "DC100"


def test_doc_lists_every_code() -> None:
    doc = (EXAMPLE.parent.parent / "docs" / "scenario-format.md").read_text(encoding="utf-8")
    missing = [code for code in CODES if f"| {code} |" not in doc]
    assert missing == [], "add these codes to docs/scenario-format.md"


@pytest.mark.parametrize("word", ["not", "in", "'false'", "implies"])
def test_a_term_cannot_be_named_like_a_keyword(word: str) -> None:
    text = f"dealcheck: 1\ntitle: T\nterms:\n  {word}: bool\nparties: {{}}\n"
    with pytest.raises(ScenarioError) as e:
        load_scenario(text)
    (d,) = [d for d in e.value.diagnostics if d.code == "DC106"]
    assert (d.line, d.column) == (4, 3) and "keyword" in d.message  # quoted 'false' is a name to YAML, not to rules
