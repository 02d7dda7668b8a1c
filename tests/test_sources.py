"""Quote verification (dealcheck.sources): normalising, finding the closest passage, and diagnostics.

Scenarios are built directly from model objects, so these tests do not depend on the loader.
"""

from __future__ import annotations

from pathlib import Path

import attrs
import pytest
from _guards import no_hang
from hypothesis import given
from hypothesis import strategies as st

from dealcheck.errors import CODES, Span
from dealcheck.model import Rule, RuleKind, Scenario, Source, Variant
from dealcheck.rules.ir import Truth
from dealcheck.sources import closest_passage, normalise, verify_quotes

SHARED_SOURCE = Path(__file__).resolve().parents[2] / "shared" / "sources" / "ceasefire-talks-2025-03.txt"

TEXT = (
    "Russian President Vladimir Putin this week rejected a full 30\u2011day ceasefire proposed by the U.S.\n"
    "Here\u2019s what each side wants \u2014 and why Trump\u2019s NATO plans are a \u201cwild card.\u201d\n"
    "Putin is still strenuously opposed to Ukraine joining NATO, hosting foreign peacekeeping forces, or\n"
    "officially taking back territory Russia has occupied."
)


def rule(quote: str | None, ref: str = "russia.no_full", source: str = "talks", line: int = 7) -> Rule:
    party, rid = ref.split(".")
    return Rule(
        party=party,
        id=rid,
        kind=RuleKind.RED_LINE,
        text="true",
        expr=Truth(True),
        source=source if quote is not None else None,
        quote=quote,
        assumption=None if quote is not None else "toy",
        span=Span("s.yaml", line, 9),
        quote_span=Span("s.yaml", line + 2, 16, line + 2, 16 + len(quote or "")),
    )


def scenario(*rules: Rule, file: str | None = "talks.txt", variants: tuple[Variant, ...] = ()) -> Scenario:
    from dealcheck.model import Party

    parties: dict[str, list[Rule]] = {}
    for r in rules:
        parties.setdefault(r.party, []).append(r)
    return Scenario(
        title="Toy",
        terms=(),
        parties=tuple(Party(p, p, red_lines=tuple(rs)) for p, rs in parties.items()),
        sources=(Source("talks", "Talks", file=file, span=Span("s.yaml", 3, 3)),),
        variants=variants,
        path="s.yaml",
    )


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "talks.txt").write_text(TEXT, encoding="utf-8")
    return tmp_path


# --- normalise ------------------------------------------------------------------------------------------------


def test_normalise_maps_typography_to_ascii_and_collapses_whitespace() -> None:
    assert (
        normalise("Trump\u2019s \u201cwild\u00a0card\u201d \u2013 so\n\tfar\u2026")
        == 'Trump\'s "wild card" - so far...'
    )
    assert normalise("  a \u2018b\u2019  ") == "a 'b'"
    assert normalise("soft\u00adhyphen") == "softhyphen"


@given(st.text())
def test_normalise_is_idempotent(text: str) -> None:
    once = normalise(text)
    assert normalise(once) == once
    assert "  " not in once and once == once.strip()


@given(st.text(min_size=1, max_size=40))
def test_every_substring_of_a_text_verifies_after_normalising(piece: str) -> None:
    # The contract the scenario relies on: a verbatim quote of the text (typography and all) always matches.
    text = "before " + piece + " after"
    assert normalise(piece) in normalise(text)


# --- verify_quotes --------------------------------------------------------------------------------------------


def test_quotes_with_ascii_apostrophes_and_dashes_verify(folder: Path) -> None:
    s = scenario(
        rule("rejected a full 30-day ceasefire"),
        rule("Here's what each side wants - and why", ref="us.wild"),
        rule('are a "wild card."', ref="us.card"),
        rule("hosting foreign peacekeeping forces, or officially taking back", ref="russia.no_pk"),
    )
    assert verify_quotes(s, folder) == []


def test_a_changed_word_is_reported_at_the_quote_with_the_closest_passage(folder: Path) -> None:
    s = scenario(rule("strongly opposed to Ukraine joining NATO", line=11))
    [d] = verify_quotes(s, folder)
    assert d.code == "DC313" and d.code in CODES
    assert (d.line, d.column) == (13, 16)  # the quote's position, not the rule's
    assert "russia.no_full" in d.message and "'talks'" in d.message
    assert d.hint == 'closest passage in talks.txt: "strenuously opposed to Ukraine joining NATO,"'


def test_the_rule_span_is_used_when_the_quote_has_no_span(folder: Path) -> None:
    r = attrs.evolve(rule("an invented quote about nothing"), quote_span=None)
    [d] = verify_quotes(scenario(r), folder)
    assert (d.line, d.column) == (7, 9)


def test_capitals_count_and_the_hint_says_so(folder: Path) -> None:
    [d] = verify_quotes(scenario(rule("Rejected A Full 30-day Ceasefire")), folder)
    assert d.hint == 'talks.txt has it with other capitals: "rejected a full 30-day ceasefire"'


def test_an_empty_quote_is_reported(folder: Path) -> None:
    [d] = verify_quotes(scenario(rule("  ")), folder)
    assert d.code == "DC313" and "empty" in d.message


def test_a_quote_unlike_anything_says_so(folder: Path) -> None:
    [d] = verify_quotes(scenario(rule("zqx vvk jjw")), folder)
    assert d.hint == "no passage of talks.txt resembles it"


def test_variant_rules_are_verified_too(folder: Path) -> None:
    added = rule("dropping public objections", ref="russia.no_eu", line=40)
    replaced = rule("rejected a full 30-day ceasefire", ref="russia.no_full", line=50)
    s = scenario(rule("rejected a full 30-day ceasefire"), variants=(Variant("v", add=(added,), replace=(replaced,)),))
    [d] = verify_quotes(s, folder)
    assert "russia.no_eu" in d.message and d.line == 42


def test_rules_with_assumptions_and_sources_without_files_are_skipped(folder: Path) -> None:
    assert verify_quotes(scenario(rule(None)), folder) == []
    assert verify_quotes(scenario(rule("not in any text"), file=None), folder) == []


def test_diagnostics_come_in_file_order(folder: Path) -> None:
    s = scenario(rule("second slip", ref="b.x", line=30), rule("first slip", ref="a.y", line=10))
    assert [d.line for d in verify_quotes(s, folder)] == [12, 32]


# --- source files ---------------------------------------------------------------------------------------------


def test_a_missing_source_file_is_one_diagnostic_at_the_source(folder: Path) -> None:
    s = scenario(rule("rejected a full 30-day ceasefire"), rule("x", ref="a.b"), file="talk.txt")
    [d] = verify_quotes(s, folder)
    assert d.code == "DC314" and d.code in CODES
    assert (d.line, d.column) == (3, 3)
    assert d.hint == "did you mean 'talks.txt'?"


@pytest.mark.parametrize("name", ["../talks.txt", "/etc/passwd", "sub/talks.txt", "..", "sub\\talks.txt"])
def test_source_files_must_be_plain_names_inside_the_folder(folder: Path, name: str) -> None:
    # Otherwise an untrusted scenario could print pieces of any file through the closest-passage hint.
    (folder / "sub").mkdir()
    (folder / "sub" / "talks.txt").write_text(TEXT)
    [d] = verify_quotes(scenario(rule("anything at all"), file=name), folder)
    assert d.code == "DC314" and "plain file name" in d.message


def test_a_source_that_is_not_utf8_is_reported(folder: Path) -> None:
    (folder / "talks.txt").write_bytes(b"caf\xe9 rejected")
    [d] = verify_quotes(scenario(rule("rejected")), folder)
    assert d.code == "DC314" and "UTF-8" in d.message


def test_a_byte_order_mark_is_accepted(folder: Path) -> None:
    (folder / "talks.txt").write_text("\ufeffrejected a full ceasefire", encoding="utf-8")
    assert verify_quotes(scenario(rule("rejected a full ceasefire")), folder) == []


def test_a_directory_named_like_the_source_is_not_a_file(folder: Path) -> None:
    (folder / "dir.txt").mkdir()
    [d] = verify_quotes(scenario(rule("x"), file="dir.txt"), folder)
    assert d.code == "DC314"


# --- closest_passage ------------------------------------------------------------------------------------------


def test_closest_passage_finds_a_quote_with_a_dropped_word() -> None:
    passage, score = closest_passage(TEXT, "Putin rejected a full ceasefire") or ("", 0)
    assert "rejected a full 30-day ceasefire" in passage and score > 0.7


@pytest.mark.skipif(not SHARED_SOURCE.is_file(), reason="the shared source text is not next to this checkout")
def test_closest_passage_finds_something_on_the_bundled_source() -> None:
    text = SHARED_SOURCE.read_text(encoding="utf-8")
    with no_hang():
        for quote in ["Economic deals are a priority for Trump", "Putin strenuously opposes Ukraine joining NATO"]:
            assert closest_passage(text, quote) is not None
