"""Inert output and one input grammar (issue 15, items 1 and 5), in process with click's runner."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from dealcheck import load_scenario
from dealcheck.cli import cli
from dealcheck.errors import ScenarioError, UsageError

TOY = Path(__file__).parent.parent / "data" / "toy.deal.yaml"
BUNDLED = Path(__file__).parent.parent.parent / "scenarios" / "ukraine-ceasefire-2025.yaml"

#: Characters that must never reach a terminal raw.
RAW = [chr(c) for c in range(0x20) if chr(c) not in "\n"] + [chr(c) for c in range(0x7F, 0xA0)]
RAW += ["\u061c", "\u200e", "\u200f", "\u2028", "\u2029", "\u202a", "\u202e", "\u2066", "\u2069"]


def run(*args: str, input: str | bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def assert_inert(text: str) -> None:
    bad = sorted({f"U+{ord(c):04X}" for c in text if c in RAW})
    assert not bad, bad


SCENARIO = """\
dealcheck: 1
title: {title}
terms:
  a: [x, {option}]
parties:
  p:
    name: {name}
    red_lines:
      r: {{rule: a == "x", source: s, quote: {quote}}}
sources: {{s: {{title: S}}}}
packages:
  k: {{title: {title}, terms: {{a: x}}}}
"""

ESCAPES = [
    r'"\e[31mred"',
    r'"\e]0;pwned\a"',
    r'"a\nFAKE LINE: DEAL"',
    r'"c\0d"',
    r'"\x9b2J"',
    r'"\N"',
    r'"abc\u202Edcba"',
    r'"line\Lsep"',
    r'"tab\there"',
    '"raw \u202e bidi"',
]


@pytest.mark.parametrize("escape", ESCAPES)
@pytest.mark.parametrize("field", ["title", "option", "name"])
def test_escapes_in_one_line_fields_are_dc113(field: str, escape: str) -> None:
    fields = {"title": "T", "option": "y", "name": "P", "quote": "q"}
    fields[field] = escape
    text = SCENARIO.format(**fields)
    with pytest.raises(ScenarioError) as e:
        load_scenario(text)
    assert "DC113" in [d.code for d in e.value.diagnostics] or "DC100" in [d.code for d in e.value.diagnostics]
    assert_inert(e.value.render().replace("\n", ""))


@pytest.mark.parametrize("fmt", ["text", "json", "markdown", "html"])
@pytest.mark.parametrize("escape", ESCAPES)
def test_every_format_is_inert_for_every_escape(tmp_path: Path, fmt: str, escape: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(SCENARIO.format(title=escape, option="y", name="P", quote="q"), encoding="utf-8")
    code, out, err = run("check", str(path), "--format", fmt)
    assert code == 2
    assert_inert(out.replace("\n", ""))
    assert_inert(err.replace("\n", ""))


def test_multi_line_quotes_load_and_render_on_one_line() -> None:
    text = SCENARIO.format(title="T", option="y", name="P", quote='"first line\\nNO DEAL: forged\\tend"')
    scenario = load_scenario(text)
    from dealcheck.report import render

    verdict = scenario.check({"a": "y"})
    shown = render(verdict, "text")
    assert "first line NO DEAL: forged end" in shown
    assert not any(line.startswith("NO DEAL: forged") for line in shown.splitlines())
    assert "first line\nNO DEAL" in json.loads(render(verdict, "json"))["parties"]["p"]["red_lines"][0]["quote"]
    bad = SCENARIO.format(title="T", option="y", name="P", quote='"q\\e[2J"')
    with pytest.raises(ScenarioError) as e:
        load_scenario(bad)
    assert "DC113" in [d.code for d in e.value.diagnostics]


def test_markdown_escapes_backticks_and_html(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    text = SCENARIO.format(title='"<script>alert(1)</script>"', option='"`x` | <b>y</b>"', name='"*P*"', quote="q")
    path.write_text(text.replace("terms: {a: x}", 'terms: {a: "`x` | <b>y</b>"}'), encoding="utf-8")
    code, out, _ = run("check", str(path), "--format", "markdown")
    assert code == 1
    import re

    outside_code = re.sub(r"(`+).*?\1", "", out)  # a code span shows its text literally: HTML there is inert
    assert "<script>" not in outside_code and "<b>" not in outside_code and "*P*" not in outside_code
    assert "\\<script\\>" in out and "\\*P\\*" in out
    assert "``a=`x` | <b>y</b>``" in out  # a fence longer than the backticks inside


def test_nul_in_a_file_is_shown_escaped() -> None:
    with pytest.raises(ScenarioError) as e:
        load_scenario("dealcheck: 1\ntitle: a\x00b\n")
    assert "\x00" not in e.value.render() and "\\x00" in e.value.render()


# --- one grammar ---------------------------------------------------------------------------------------------------


INTS = """\
dealcheck: 1
title: ints
terms: {aid_bn: {range: [0, 60]}, flag: bool}
parties: {p: {red_lines: {r: {rule: aid_bn >= 10, assumption: q}}}}
variants: {soft: {drop: [p.r]}}
"""


@pytest.mark.parametrize("value", ["1_0", "\u0661\u0665", "15.0", "1e1", "0x10", "", "15 16"])
def test_set_rejects_what_the_file_rejects(tmp_path: Path, value: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(INTS)
    code, _, err = run("check", str(path), "--set", f"aid_bn={value}")
    assert code == 2 and "error" in err and "Traceback" not in err
    file_value = tmp_path / "p.yaml"
    file_value.write_text(INTS + f"packages: {{k: {{terms: {{aid_bn: {value or '~'}}}}}}}\n")
    with pytest.raises(ScenarioError):
        load_scenario(file_value.read_text())


@pytest.mark.parametrize("value", ["15", "+15", "-0", "015"])
def test_set_accepts_what_the_file_accepts(tmp_path: Path, value: str) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(INTS)
    code, out, err = run("check", str(path), "--set", f"aid_bn={value}")
    assert code in (0, 1), err
    load_scenario(INTS + f"packages: {{k: {{terms: {{aid_bn: {value}}}}}}}\n")


@pytest.mark.parametrize("limit", ["nan", "inf", "-inf", "NaN"])
def test_time_limits_must_be_finite(limit: str) -> None:
    code, _, err = run("check", str(TOY), "--time-limit", limit, "--set", "nato=neutral")
    assert (code == 2 and "finite" in err) or "range" in err


@pytest.mark.parametrize("args", [["--variant", ""], ["-p", ""], ["--variant", "sofft"], ["-p", "nope"]])
def test_empty_or_unknown_names_are_usage_errors(tmp_path: Path, args: list[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(INTS + "packages: {k: {terms: {aid_bn: 3}}}\n")
    code, _, err = run("check", str(path), *args)
    assert code == 2
    assert "empty" in err or "did you mean" in err or "are " in err


@pytest.mark.parametrize("parties", [",", " , ", "russia,,nope"])
def test_parties_without_names_are_usage_errors(parties: str) -> None:
    code, _, err = run("explore", str(TOY), "--parties", parties)
    assert code == 2 and "error" in err


def test_a_variant_may_not_be_called_base() -> None:
    with pytest.raises(ScenarioError) as e:
        load_scenario(INTS.replace("soft:", "base:"))
    assert "DC603" in [d.code for d in e.value.diagnostics]


@pytest.mark.parametrize("shape", ['"bool"', "'bool'", '{"type": "bool"}', "{type: 'bool'}"])
def test_bool_may_be_quoted(shape: str) -> None:
    text = INTS.replace("flag: bool", f"flag: {shape}")
    assert load_scenario(text).term("flag").domain.__class__.__name__ == "BoolDomain"


def test_a_json_scenario_declares_a_boolean() -> None:
    doc = {
        "dealcheck": 1,
        "title": "json",
        "terms": {"deal": "bool", "size": {"type": "bool"}},
        "parties": {"p": {"red_lines": {"r": {"rule": "deal", "assumption": "q"}}}},
    }
    from dealcheck.loader import load_scenario_text

    assert load_scenario_text(json.dumps(doc)).check({"deal": True, "size": False}).deal


@pytest.mark.parametrize("separator", ["\u2028", "\x85", "\u2029"])
def test_line_numbers_count_only_editor_line_breaks(separator: str) -> None:
    text = f'dealcheck: 1\ntitle: "a{separator}b"\nterms: {{a: [x]}}\nparties: {{p: {{red_lines: {{r: {{rule: b == 1}}}}}}}}\n'
    with pytest.raises(ScenarioError) as e:
        load_scenario(text)
    lines = {d.line for d in e.value.diagnostics if d.code in ("DC301", "DC311")}
    assert lines == {4}, [str(d) for d in e.value.diagnostics]


def test_library_calls_accept_numpy_scalars() -> None:
    np = pytest.importorskip("numpy")
    s = load_scenario(INTS)
    assert s.check({"aid_bn": np.int64(12), "flag": np.bool_(True)}).deal
    assert not s.check({"aid_bn": np.int32(3)}).deal
    with pytest.raises(UsageError):
        s.check({"aid_bn": np.float64(12)})
    with pytest.raises(UsageError):
        s.check({"aid_bn": True})


def test_compare_keeps_one_base_column() -> None:
    code, out, _ = run("compare", str(BUNDLED), "--format", "json")
    assert code == 0
    names = [c.get("variant") for c in json.loads(out)["columns"]]
    assert len(names) == len(set(names))


HTML_SCENARIO = """\
dealcheck: 1
title: "<script>alert(1)</script> & 'x'"
terms:
  a: [x, "<img src=x onerror=alert(1)>", "`y` | z"]
parties:
  p:
    name: "<b>P</b>"
    red_lines:
      r: {rule: a == "x", assumption: "</td><script>"}
packages:
  k: {title: "<i>t</i>", terms: {a: "<img src=x onerror=alert(1)>"}}
"""


@pytest.mark.parametrize("command", [["check"], ["explore"], ["conflicts"], ["compare"], ["repair", "-p", "k"]])
def test_html_escapes_every_user_string(tmp_path: Path, command: list[str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(HTML_SCENARIO)
    code, out, err = run(command[0], str(path), *command[1:], "--format", "html")
    assert code in (0, 1, 4), err
    for raw in ["<script>alert", "<img", "<b>P", "<i>t", "</td><script>"]:
        assert raw not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
