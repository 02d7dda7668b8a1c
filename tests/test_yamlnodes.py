"""The YAML node reader: scalars as written, rejected constructs, and exact value -> file offsets for every style."""

from __future__ import annotations

import pytest
from _guards import no_hang
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.yamlnodes import (
    MAX_DEPTH,
    Invalid,
    Mapping,
    Scalar,
    Sequence,
    SourceText,
    compose,
    value_offsets,
    walk,
)


def tree(text: str):
    node, problems = compose(SourceText(text, "f.yaml"))
    return node, [(p.code, p.line, p.column) for p in problems]


def only_scalar(text: str) -> Scalar:
    node, problems = tree(text)
    assert problems == []
    values = [v for m in walk(node) if isinstance(m, Mapping) for k, v in m.items if k.value in ("a", "rule")]
    assert isinstance(values[0], Scalar)
    return values[0]


# --- values as written ------------------------------------------------------------------------------------------


def test_yaml11_traps_stay_strings() -> None:
    node, problems = tree("a: [no, on, off, yes, '010', 010, 1:20, 0x1F, 1e3, ~, null, 2025-03-21]\n")
    assert problems == []
    values = [i.value for i in node.items[0][1].items]
    assert values == ["no", "on", "off", "yes", "010", "010", "1:20", "0x1F", "1e3", "~", "null", "2025-03-21"]


def test_plain_and_quoted_are_told_apart() -> None:
    node, _ = tree("a: 7\nb: '7'\n")
    (_, a), (_, b) = node.items
    assert a.plain and not b.plain and a.value == b.value == "7"


# --- rejected constructs ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a: !!python/object/apply:os.system ['echo hi']\n", [("DC103", 1, 4)]),
        ("a: !custom x\n", [("DC103", 1, 4)]),
        ("a: &x 1\nb: *x\n", [("DC104", 1, 4), ("DC104", 2, 4)]),
        ("a: 1\nb:\n  c: 2\n  c: 3\n", [("DC105", 4, 3)]),
        ("a: 1\n---\nb: 2\n", [("DC102", 2, 1)]),
        ("? [a, b]\n: 1\n", [("DC106", 1, 3)]),
        ("null: 1\n~: 2\ntrue: 3\n", [("DC106", 1, 1), ("DC106", 2, 1), ("DC106", 3, 1)]),
        ("a: [1, 2\n", [("DC101", 2, 1)]),
        ("a:\n\tb: 1\n", [("DC101", 2, 1)]),
        ("a: \x01\n", [("DC100", 1, 4)]),
    ],
)
def test_rejected(text: str, expected: list[tuple[str, int, int]]) -> None:
    assert tree(text)[1] == expected


def test_duplicate_key_names_both_positions() -> None:
    _, problems = compose(SourceText("parties:\n  a:\n    x: 1\n    y: 2\n    x: 3\n", "f.yaml"))
    assert [str(p) for p in problems] == ["f.yaml:5:5: error[DC105]: duplicate key 'x' (first defined at line 3)"]


def test_tab_indentation_has_a_hint() -> None:
    _, problems = compose(SourceText("a:\n\tb: 1\n", "f.yaml"))
    assert problems[0].hint and "tab" in problems[0].hint


def test_every_problem_at_once_and_tree_still_usable() -> None:
    node, problems = tree("a: !!str x\nb: &y 1\nc: *y\na: 2\n")
    assert [c for c, *_ in problems] == ["DC103", "DC104", "DC104", "DC105"]
    assert isinstance(node, Mapping)
    assert [k.value for k, _ in node.items] == ["a", "b", "c"]
    assert isinstance(node.items[2][1], Invalid)


def test_billion_laughs_is_instant() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i in range(1, 9):
        prev, cur = chr(ord("a") + i - 1), chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    with no_hang():
        _, problems = tree("\n".join(lines) + "\n")
    assert {c for c, *_ in problems} == {"DC104"}


@pytest.mark.parametrize("depth", [MAX_DEPTH + 1, 1000, 100_000])
def test_deep_flow_nesting(depth: int) -> None:
    with no_hang():
        _, problems = tree("a: " + "[" * depth + "]" * depth + "\n")
    assert problems == [("DC503", 1, 4 + MAX_DEPTH)]


def test_deep_block_nesting() -> None:
    text = "".join("  " * i + f"k{i}:\n" for i in range(200)) + "  " * 200 + "x: 1\n"
    _, problems = tree(text)
    assert problems == [("DC503", MAX_DEPTH + 1, 2 * MAX_DEPTH + 1)]


def test_exactly_max_depth_is_fine() -> None:
    node, problems = tree("[" * MAX_DEPTH + "]" * MAX_DEPTH + "\n")
    assert problems == []
    assert sum(1 for n in walk(node) if isinstance(n, Sequence)) == MAX_DEPTH


# --- value offsets ----------------------------------------------------------------------------------------------


def located(text: str) -> list[tuple[str, int, int]]:
    """Each value character with the 1-based line and column it maps to."""
    scalar = only_scalar(text)
    source = SourceText(text, "f.yaml")
    return [(ch, *source.position(i)) for ch, i in zip(scalar.value, value_offsets(text, scalar), strict=False)]


def test_offsets_plain_multiline() -> None:
    got = located("rule: aa ==\n  bb   \n\n  and c\n")
    assert "".join(c for c, *_ in got) == "aa == bb\nand c"
    assert got[0] == ("a", 1, 7)
    assert got[6] == ("b", 2, 3)
    assert got[8] == ("\n", 3, 1)  # the blank line is the newline the folding keeps
    assert got[9] == ("a", 4, 3)


def test_offsets_single_quoted() -> None:
    got = located("rule: 'it''s x\n   y'\n")
    assert "".join(c for c, *_ in got) == "it's x y"
    assert got[2] == ("'", 1, 10)
    assert got[3] == ("s", 1, 12)
    assert got[7] == ("y", 2, 4)


def test_offsets_double_quoted_escapes_and_folding() -> None:
    got = located('rule: "a\\tb \\u00e9\\\n     c\n\n  d"\n')
    assert "".join(c for c, *_ in got) == "a\tb \u00e9c\nd"
    assert got[1] == ("\t", 1, 9)
    assert got[2] == ("b", 1, 11)
    assert got[4] == ("\u00e9", 1, 13)
    assert got[5] == ("c", 2, 6)
    assert got[7] == ("d", 4, 3)


def test_offsets_literal_block() -> None:
    got = located('x:\n  rule: |\n    a == "x"\n      and b\n\n    c\nnext: 1\n')
    assert "".join(c for c, *_ in got) == 'a == "x"\n  and b\n\nc\n'
    assert got[0] == ("a", 3, 5)
    assert got[11] == ("a", 4, 7)
    assert got[-2] == ("c", 6, 5)


def test_offsets_folded_block_with_indicators() -> None:
    got = located("rule: >2-\n   a\n  b\n\n  c\n")
    assert "".join(c for c, *_ in got) == " a\nb\nc"
    assert got[1] == ("a", 2, 4)
    assert got[3] == ("b", 3, 3)
    assert got[5] == ("c", 5, 3)


def test_offsets_folded_keep() -> None:
    got = located("rule: >+\n  a\n  b\n\n")
    assert "".join(c for c, *_ in got) == "a b\n\n"
    assert got[1] == (" ", 2, 4)  # the folded line break
    assert got[2] == ("b", 3, 3)


def test_offsets_crlf() -> None:
    got = located("rule: |\r\n  a\r\n  bc\r\n")
    assert got[2] == ("b", 3, 3)


def test_offsets_end_entry() -> None:
    text = "rule: abc\n"
    scalar = only_scalar(text)
    assert value_offsets(text, scalar)[-1] == 9


scalar_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), max_size=30)


@settings(max_examples=150, deadline=None)
@given(value=scalar_text, style=st.sampled_from(["'", '"', "|", ">", "|-", ">+", "|2"]), indent=st.integers(0, 4))
def test_offsets_point_at_the_character(value: str, style: str, indent: int) -> None:
    """Dumped by PyYAML in a style, read back: every character that is not folded or escaped maps to itself."""
    import yaml

    if style[0] in "|>":
        body = "\n".join(" " * (indent + 2) + line for line in value.split("\n"))
        text = " " * indent + "k: " + style + "\n" + body + "\n"
    else:
        text = " " * indent + "k: " + yaml.dump(value, default_style=style, width=20, allow_unicode=True).strip()
    node, problems = compose(SourceText(text, "f"))
    if problems or not isinstance(node, Mapping):
        return
    scalar = node.items[0][1]
    assert isinstance(scalar, Scalar)
    offsets = value_offsets(text, scalar)
    assert len(offsets) == len(scalar.value) + 1
    assert offsets != [scalar.start] * len(offsets) or len(scalar.value) == 0, "fell back to the start"
    for ch, i in zip(scalar.value, offsets, strict=False):
        assert scalar.start <= i < max(scalar.end, scalar.start + 1)
        if ch not in " \n\t\\'\"" and text[i] != "\\":
            assert text[i] == ch


def test_large_files_parse_alike_and_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Above LIBYAML_ABOVE the C parser may read the file; the tree and the problems are the same."""
    from dealcheck import yamlnodes

    text = "a: &x [no, 'it''s', \"\\u00e9\"]\nl: |\n  blk\nb: *x\nc:\n  d: {e: !!str 1}\n  d: 2\n"
    small = compose(SourceText(text, "f"))
    assert [p.code for p in small[1]] == ["DC104", "DC104", "DC103", "DC105"]
    monkeypatch.setattr(yamlnodes, "LIBYAML_ABOVE", 0)
    assert compose(SourceText(text, "f")) == small
    big = "x:\n" + "- item\n" * 100_000
    with no_hang():
        node, problems = compose(SourceText(big, "f"))
    assert problems == [] and len(node.items[0][1].items) == 100_000
