"""The source tree: what the user wrote, as the parser reads it, with a text range on every node.

``parse_rule`` (in :mod:`dealcheck.rules.parser`) produces these nodes; ``check_rule`` (in
:mod:`dealcheck.rules.checker`) types them against the scenario's terms and lowers them to :mod:`dealcheck.rules.ir`.
Nothing here knows terms, domains or types: ``Name("sanction")`` is a name until the checker says otherwise.

Positions are metadata (``eq=False``), so two rules that say the same thing compare equal.
Operators are enums, never strings.
"""

from __future__ import annotations

import enum

import attrs

from dealcheck.errors import TextRange

__all__ = [
    "ArithOp",
    "BinArith",
    "BoolLit",
    "Call",
    "CmpOp",
    "Compare",
    "Connective",
    "Func",
    "Implies",
    "InList",
    "IntLit",
    "Logic",
    "Name",
    "Neg",
    "Node",
    "Not",
    "StrLit",
]


class CmpOp(enum.Enum):
    EQ = "=="
    NE = "!="
    LT = "<"
    LE = "<="
    GT = ">"
    GE = ">="


class Connective(enum.Enum):
    AND = "and"
    OR = "or"


class ArithOp(enum.Enum):
    ADD = "+"
    SUB = "-"
    MUL = "*"


class Func(enum.Enum):
    COUNT = "count"
    ABS = "abs"
    MIN = "min"
    MAX = "max"


def _range() -> TextRange:
    return attrs.field(eq=False, hash=False, repr=False)  # type: ignore[no-any-return]


@attrs.frozen
class Name:
    """A bare identifier: a term, or later perhaps something the checker rejects."""

    name: str
    where: TextRange = _range()


@attrs.frozen
class StrLit:
    """A quoted string: an option name."""

    value: str
    where: TextRange = _range()


@attrs.frozen
class IntLit:
    value: int
    where: TextRange = _range()


@attrs.frozen
class BoolLit:
    value: bool
    where: TextRange = _range()


@attrs.frozen
class Compare:
    op: CmpOp
    left: Node
    right: Node
    where: TextRange = _range()


@attrs.frozen
class InList:
    """``arg in [items]`` or, when ``negated``, ``arg not in [items]``."""

    arg: Node
    items: tuple[Node, ...]
    negated: bool
    where: TextRange = _range()


@attrs.frozen
class Not:
    arg: Node
    where: TextRange = _range()


@attrs.frozen
class Logic:
    """An n-ary ``and`` / ``or``: ``a and b and c`` is one node with three operands."""

    op: Connective
    operands: tuple[Node, ...]
    where: TextRange = _range()


@attrs.frozen
class Implies:
    premise: Node
    conclusion: Node
    where: TextRange = _range()


@attrs.frozen
class BinArith:
    op: ArithOp
    left: Node
    right: Node
    where: TextRange = _range()


@attrs.frozen
class Neg:
    """Unary minus."""

    arg: Node
    where: TextRange = _range()


@attrs.frozen
class Call:
    func: Func
    args: tuple[Node, ...]
    where: TextRange = _range()


Node = Name | StrLit | IntLit | BoolLit | Compare | InList | Not | Logic | Implies | BinArith | Neg | Call
