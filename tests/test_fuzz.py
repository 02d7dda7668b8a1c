"""Fuzzing the loader and the rule parser: whatever comes in, out comes a Scenario or a ScenarioError.

Four targets: arbitrary bytes into the loader; mutations of valid scenarios (the bundled ones and the toy) into the
loader; arbitrary text and rule-alphabet soup into the rule parser; mutated rules inside an otherwise valid file.
Every diagnostic must carry a known code and a position inside the file, and render without raising.

The CI budget is modest (the whole file runs in well under a minute); set ``DEALCHECK_FUZZ_EXAMPLES`` to search
harder, for example ``DEALCHECK_FUZZ_EXAMPLES=20000 pytest tests/test_fuzz.py``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dealcheck.errors import CODES, ScenarioError
from dealcheck.loader import load_scenario_bytes, load_scenario_text
from dealcheck.model import Scenario
from dealcheck.rules.parser import parse_rule

EXAMPLES = int(os.environ.get("DEALCHECK_FUZZ_EXAMPLES", "200"))
FUZZ = settings(
    max_examples=EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large]
)

ROOT = Path(__file__).parent.parent
SEEDS = [
    (Path(__file__).parent / "data" / "toy.deal.yaml").read_text(encoding="utf-8"),
    (ROOT / "scenarios" / "example.yaml").read_text(encoding="utf-8"),
]
# YAML and rule-language characters most likely to change meaning when inserted.
NASTY = list(":-?[]{},&*!|>'\"%@`#\t\n \\=()<>.0123456789") + [
    "\x00",
    "\ufeff",
    "\u2028",
    "\r",
    "---\n",
    "...\n",
    "!!python/object/apply:os.system ",
    "&a ",
    "*a",
    "<<: ",
    " and ",
    " or ",
    " not ",
    " implies ",
    " in ",
    "==",
    "!=",
    "count(",
    "min(",
    "abs(",
    "true",
    "false",
    "no",
    "010",
    "9" * 30,
    "(" * 60,
    ")" * 60,
    "  ",
    "    ",
]


def _must_be_result_or_diagnostics(load, *args) -> None:  # type: ignore[no-untyped-def]
    try:
        scenario = load(*args)
    except ScenarioError as e:
        assert e.diagnostics, "a ScenarioError with no diagnostics tells the user nothing"
        lines = len(e.source_lines) if e.source_lines is not None else None
        for d in e.diagnostics:
            assert d.code in CODES, d
            assert d.message
            if d.span is not None:
                assert d.span.line >= 1 and d.span.column >= 1, d
                if lines is not None:
                    assert d.span.line <= max(lines, 1) + 1, d
        e.render()
    else:
        assert isinstance(scenario, Scenario)


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    _must_be_result_or_diagnostics(load_scenario_bytes, data, "fuzz.yaml")


@st.composite
def mutated(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(SEEDS))
    for _ in range(draw(st.integers(1, 6))):
        if not text:
            break
        i = draw(st.integers(0, len(text) - 1))
        j = draw(st.integers(i, min(len(text), i + 40)))
        match draw(st.sampled_from(["delete", "insert", "replace", "duplicate", "swap_lines"])):
            case "delete":
                text = text[:i] + text[j:]
            case "insert":
                text = text[:i] + draw(st.sampled_from(NASTY)) + text[i:]
            case "replace":
                text = text[:i] + "".join(draw(st.lists(st.sampled_from(NASTY), max_size=3))) + text[j:]
            case "duplicate":
                text = text[:j] + text[i:j] + text[j:]
            case "swap_lines":
                lines = text.split("\n")
                a, b = draw(st.integers(0, len(lines) - 1)), draw(st.integers(0, len(lines) - 1))
                lines[a], lines[b] = lines[b], lines[a]
                text = "\n".join(lines)
    return text


@pytest.mark.slow
@FUZZ
@given(mutated())
def test_mutated_scenarios(text: str) -> None:
    _must_be_result_or_diagnostics(load_scenario_text, text, "fuzz.yaml")


@pytest.mark.slow
@FUZZ
@given(mutated())
def test_mutated_scenarios_as_bytes(text: str) -> None:
    _must_be_result_or_diagnostics(load_scenario_bytes, text.encode("utf-8", "surrogatepass"), "fuzz.yaml")


RULE_ALPHABET = st.sampled_from(
    [
        "ceasefire",
        "nato",
        "minerals_deal",
        "aid_bn",
        '"full"',
        "'none'",
        "1",
        "0",
        "-",
        "+",
        "*",
        "==",
        "!=",
        "<",
        "<=",
        ">=",
        ">",
        "and",
        "or",
        "not",
        "implies",
        "in",
        "not in",
        "[",
        "]",
        "(",
        ")",
        ",",
        "count",
        "abs",
        "min",
        "max",
        "true",
        "false",
        " ",
        "=",
        "=>",
        ".",
        "__import__",
        "lambda",
        ":",
        '"',
        "9" * 20,
        "\n",
    ]
)


@FUZZ
@given(st.one_of(st.text(max_size=300), st.lists(RULE_ALPHABET, max_size=40).map("".join)))
def test_rule_parser_never_raises(text: str) -> None:
    tree, problems = parse_rule(text)
    assert (tree is None) == bool(problems)
    for p in problems:
        assert p.code in CODES
        assert 0 <= p.where.start <= p.where.end <= len(text) + 1, (p, len(text))


@pytest.mark.slow
@FUZZ
@given(st.lists(RULE_ALPHABET, max_size=30).map("".join))
def test_rules_inside_a_scenario(rule: str) -> None:
    text = SEEDS[0].replace('rule: ceasefire != "full"', "rule: " + _yaml_quote(rule))
    _must_be_result_or_diagnostics(load_scenario_text, text, "fuzz.yaml")


def _yaml_quote(rule: str) -> str:
    return '"' + rule.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
