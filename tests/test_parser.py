"""The rule parser: trees with exact positions, every syntax and limit code, hostile input."""

from __future__ import annotations

import pytest
from _guards import no_hang
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.errors import CODES, TextRange
from dealcheck.rules import syntax as s
from dealcheck.rules.parser import MAX_DEPTH, MAX_INT, MAX_RULE_LENGTH, parse_rule
from dealcheck.rules.syntax import ArithOp, CmpOp, Connective, Func

_W = TextRange(0, 0)  # positions are metadata: nodes compare equal whatever their ranges


def Name(n):
    return s.Name(n, _W)


def Str(v):
    return s.StrLit(v, _W)


def Int(v):
    return s.IntLit(v, _W)


def Bool(v):
    return s.BoolLit(v, _W)


def Cmp(op, a, b):
    return s.Compare(op, a, b, _W)


def In(x, items, negated=False):
    return s.InList(x, tuple(items), negated, _W)


def Not(x):
    return s.Not(x, _W)


def Neg(x):
    return s.Neg(x, _W)


def Logic(op, xs):
    return s.Logic(op, tuple(xs), _W)


def Implies(a, b):
    return s.Implies(a, b, _W)


def Ar(op, a, b):
    return s.BinArith(op, a, b, _W)


def Call(f, xs):
    return s.Call(f, tuple(xs), _W)


def tree(text: str) -> s.Node:
    node, problems = parse_rule(text)
    assert problems == [], problems
    assert node is not None
    return node


def problems(text: str) -> list[tuple[str, int, int]]:
    node, found = parse_rule(text)
    assert node is None
    assert found, "a failed parse must say why"
    for p in found:
        assert p.code in CODES
    return [(p.code, p.where.start, p.where.end) for p in found]


def only(text: str):
    node, found = parse_rule(text)
    assert node is None and len(found) == 1, found
    return found[0]


# --- trees ----------------------------------------------------------------------------------------------------


def test_comparison_with_positions() -> None:
    t = tree('ceasefire == "full"')
    assert t == Cmp(CmpOp.EQ, Name("ceasefire"), Str("full"))
    assert t.where == TextRange(0, 19)
    assert t.left.where == TextRange(0, 9)
    assert t.right.where == TextRange(13, 19)


def test_precedence_loosest_first() -> None:
    t = tree("a implies b or c and not d == 1 + 2 * -x")
    expected = Implies(
        Name("a"),
        Logic(
            Connective.OR,
            (
                Name("b"),
                Logic(
                    Connective.AND,
                    (
                        Name("c"),
                        Not(
                            Cmp(
                                CmpOp.EQ,
                                Name("d"),
                                Ar(
                                    ArithOp.ADD,
                                    Int(1),
                                    Ar(ArithOp.MUL, Int(2), Neg(Name("x"))),
                                ),
                            )
                        ),
                    ),
                ),
            ),
        ),
    )
    assert t == expected
    assert t.conclusion.operands[1].operands[1].where == TextRange(21, 40)  # not d == 1 + 2 * -x


def test_implies_is_right_associative_and_logic_is_n_ary() -> None:
    assert tree("a implies b implies c") == Implies(Name("a"), Implies(Name("b"), Name("c")))
    t = tree("a or b or c")
    assert t == Logic(Connective.OR, (Name("a"), Name("b"), Name("c")))
    assert t.where == TextRange(0, 11)


def test_arithmetic_is_left_associative() -> None:
    assert tree("a - b - c") == Ar(ArithOp.SUB, Ar(ArithOp.SUB, Name("a"), Name("b")), Name("c"))
    assert tree("a * 2 * 3") == Ar(ArithOp.MUL, Ar(ArithOp.MUL, Name("a"), Int(2)), Int(3))


def test_parentheses_widen_the_range_and_change_grouping() -> None:
    t = tree("(a or b) and c")
    assert t == Logic(Connective.AND, (Logic(Connective.OR, (Name("a"), Name("b"))), Name("c")))
    assert t.operands[0].where == TextRange(0, 8)
    assert tree("((a))").where == TextRange(0, 5)


def test_in_lists() -> None:
    t = tree("nato in [\"neutral\", 'open_door',]")
    assert t == In(Name("nato"), (Str("neutral"), Str("open_door")), False)
    assert t.where == TextRange(0, 33)
    t = tree("aid not in [1, -2, 3 + 4]")
    assert t == In(Name("aid"), (Int(1), Neg(Int(2)), Ar(ArithOp.ADD, Int(3), Int(4))), True)
    assert tree("x in []") == In(Name("x"), (), False)
    assert tree("not x in [1]") == Not(In(Name("x"), (Int(1),), False))


def test_calls_literals_and_keywords() -> None:
    t = tree("count(a, b == 1, true) >= max(x, 2) - abs(-y) + min(3)")
    assert t.left == Call(Func.COUNT, (Name("a"), Cmp(CmpOp.EQ, Name("b"), Int(1)), Bool(True)))
    assert t.left.where == TextRange(0, 22)
    assert tree("false") == Bool(False)
    assert tree("count") == Name("count")  # a function name without parentheses is just a name
    assert tree("True") == Name("True")  # the checker, which knows the terms, says what is wrong with it
    assert tree("x == 007") == Cmp(CmpOp.EQ, Name("x"), Int(7))


def test_string_escapes() -> None:
    assert tree(r'x == "a\"b"').right == Str('a"b')
    assert tree(r"x == 'a\'b\\'").right == Str("a'b\\")
    assert tree("x == 'say \"hi\"'").right == Str('say "hi"')


def test_chains_of_not_and_minus() -> None:
    assert tree("not not a") == Not(Not(Name("a")))
    t = tree("- -x")
    assert t == Neg(Neg(Name("x")))
    assert t.where == TextRange(0, 4) and t.arg.where == TextRange(2, 4)


# --- syntax problems, with exact positions ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "start", "end", "hint"),
    [
        ('ceasefire = "full"', 10, 11, "use == to compare"),
        ("a => b", 2, 4, "implies"),
        ("a -> b", 2, 4, "implies"),
        ("a && b", 2, 4, "and"),
        ("a || b", 2, 4, "or"),
        ("!a", 0, 1, "not"),
    ],
)
def test_other_languages_spellings(text: str, start: int, end: int, hint: str) -> None:
    p = only(text)
    assert (p.code, p.where) == ("DC202", TextRange(start, end))
    assert hint in p.hint


def test_several_problems_are_collected() -> None:
    assert problems("a = 1 && b = 2") == [("DC202", 2, 3), ("DC202", 6, 8), ("DC202", 11, 12)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$x", ("DC201", 0, 1)),
        ("x @ y", ("DC201", 2, 3)),
        ("a.b", ("DC201", 1, 2)),
        ("x[0]", ("DC201", 1, 2)),
        ("[1] == x", ("DC201", 0, 1)),
        ("1.5 < x", ("DC201", 0, 3)),
        ("x == $$$", ("DC201", 5, 8)),
        (r"x == 'a\n'", ("DC201", 7, 9)),
        ("x == 1 +", ("DC202", 8, 8)),
        ("x == 1 +   ", ("DC202", 8, 8)),
        ("a < b < c", ("DC202", 6, 7)),
        ("a == not b", ("DC202", 5, 8)),
        ("()", ("DC202", 0, 2)),
        ("a + * b", ("DC202", 4, 5)),
        ("x in 3", ("DC202", 5, 6)),
        ("(a b)", ("DC202", 3, 4)),
        ("5(3)", ("DC202", 1, 2)),
        ('x == "abc', ("DC203", 5, 9)),
        ("x == 'abc\ndef", ("DC203", 5, 13)),
        ("(a == 1", ("DC204", 0, 1)),
        ("count(a, b", ("DC204", 5, 6)),
        ("x in [1, 2", ("DC204", 5, 6)),
        ("a == 1)", ("DC204", 6, 7)),
        ("(a]", ("DC204", 2, 3)),
        ("a b", ("DC205", 2, 3)),
        ('a == "x" b == "y"  ', ("DC205", 9, 17)),
        ("foo()", ("DC206", 0, 3)),
        ("len(x) > 2", ("DC206", 0, 3)),
        ("", ("DC207", 0, 0)),
        (" \n\t", ("DC207", 0, 3)),
        ("x == 4611686018427387904", ("DC504", 5, 24)),
        ("x == -4611686018427387904", ("DC504", 6, 25)),
    ],
)
def test_syntax_problem_positions(text: str, expected: tuple[str, int, int]) -> None:
    assert problems(text) == [expected]


def test_limits_are_inclusive() -> None:
    assert tree(f"x == {MAX_INT}") == Cmp(CmpOp.EQ, Name("x"), Int(MAX_INT))
    assert tree(f"x == -{MAX_INT}").right == Neg(Int(MAX_INT))
    assert tree("(" * MAX_DEPTH + "x" + ")" * MAX_DEPTH) == Name("x")
    assert tree("not " * MAX_DEPTH + "x") is not None
    text = "x or " * ((MAX_RULE_LENGTH - 1) // 5) + "x"
    assert len(text) <= MAX_RULE_LENGTH and tree(text) is not None


def test_hints_point_the_way() -> None:
    assert only("a AND b").hint == "keywords are lowercase: write `and`"
    assert only("ceasefire.__class__").hint == (
        "attribute access like ceasefire.__class__ is not part of the rule language"
    )
    assert only("cout(a) > 1").hint == "did you mean 'count'?"
    assert "straight quotes" in only("x == “a").hint
    assert parse_rule('x in {"a"}')[1][0].hint.startswith("write a list with square brackets")


# --- hostile input --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("__import__('os').system('rm -rf /')", ["DC206", "DC201"]),
        ("ceasefire.__class__", ["DC201"]),
        ("ceasefire.__class__.__bases__[0].__subclasses__()", ["DC201"] * 3),
        ("x[0]", ["DC201"]),
        ("lambda: 1", ["DC201"]),
        ("lambda x: x", ["DC205", "DC201"]),
        ("open('f')", ["DC206"]),
        ("exec('1')", ["DC206"]),
        ("eval('1') or 1", ["DC206"]),
        ("[x for x in y]", ["DC201"]),
        ("a if b else c", ["DC205"]),
        ("'%s' % x", ["DC201"]),
        ("f'{x}'", ["DC205"]),
        ("x; import os", ["DC201"]),
    ],
)
def test_injection_attempts_are_problems_not_code(text: str, codes: list[str]) -> None:
    node, found = parse_rule(text)
    assert node is None
    assert [p.code for p in found] == codes


@pytest.mark.parametrize(
    "text",
    [
        "(" * 100_000,
        "(" * 100_000 + "x" + ")" * 100_000,
        "not " * 100_000 + "x",
        "-" * 100_000 + "x",
        "abs(" * 100_000,
        "x in [(" * 50_000,
        "(not " * 50_000 + "x",
        "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
        "not " * (MAX_DEPTH + 1) + "x",
    ],
)
def test_deep_nesting_is_a_problem_quickly(text: str) -> None:
    with no_hang():
        node, found = parse_rule(text)
    assert node is None
    assert "DC503" in [p.code for p in found]


def test_deep_chains_are_limited_too() -> None:
    # Long chains are loops in the parser, but they make deep trees that later passes recurse over.
    for text in ("+".join(["a"] * (MAX_DEPTH + 2)) + " > 1", " implies ".join(["a"] * (MAX_DEPTH + 2))):
        node, found = parse_rule(text)
        assert node is None and [p.code for p in found] == ["DC503"]
    assert tree("+".join(["a"] * 50) + " > 1") is not None
    assert tree(" or ".join(["a"] * 1000)) is not None  # n-ary: flat, however long


def test_long_rules_and_huge_literals() -> None:
    node, found = parse_rule("x or " * 3000 + "x")
    assert node is None and [p.code for p in found] == ["DC502"]
    assert found[0].where == TextRange(0, 15001)
    node, found = parse_rule("x" * 2_000_000)  # beyond any use, not even read
    assert [p.code for p in found] == ["DC502"]
    with no_hang():
        assert problems("x == " + "9" * 5000) == [("DC504", 5, 5005)]


def test_leading_zeros_do_not_count_towards_size() -> None:
    assert tree("x == " + "0" * 30 + "1").right == Int(1)


# --- never raises -------------------------------------------------------------------------------------------------

_ALPHABET = st.sampled_from(
    list("abcxyz_019 \t\n()[],+-*<>=!&|\"'\\.$@:{}#") + ["and ", "or ", "not ", "in ", "implies ", "true", "count("]
)


@settings(max_examples=400, deadline=None)
@given(st.text(alphabet=st.characters(max_codepoint=127), max_size=60))
def test_random_ascii_never_raises(text: str) -> None:
    node, found = parse_rule(text)
    assert (node is None) == bool(found)
    for p in found:
        assert p.code in CODES
        assert 0 <= p.where.start <= p.where.end <= len(text)


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(_ALPHABET, max_size=40).map("".join))
def test_random_token_soup_never_raises(text: str) -> None:
    node, found = parse_rule(text)
    assert (node is None) == bool(found)
    for p in found:
        assert p.code in CODES
        assert 0 <= p.where.start <= p.where.end <= len(text)
