"""The checked tree: typed, lowered rules, the one model every engine compiles from.

The checker (:func:`dealcheck.rules.checker.check_rule`) turns a source tree into these nodes after it has typed it:
names become term indices, option names become integer codes (see :mod:`dealcheck.rules.terms`), ``x not in [..]``
becomes ``Not(InSet(..))``, unary minus becomes ``0 - x``, constants are folded. Engines see only this tree.

Two sorts of node, told apart by class:

- integer-valued (:data:`IntExpr`): ``Const``, ``Var``, ``Arith``, ``Abs``, ``MinMax``, ``Count``;
- condition-valued (:data:`BoolExpr`): ``Truth``, ``IsTrue``, ``Compare``, ``InSet``, ``Not``, ``Logic``, ``Implies``.

A boolean term used as a condition is ``IsTrue(index)``; read as a number (inside ``count``) it is 0 or 1.
Every pass is a free function that matches on these classes and ends in ``assert_never``.
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Sequence
from typing import Any

import attrs

from dealcheck.errors import TextRange
from dealcheck.rules.syntax import ArithOp, CmpOp, Connective

__all__ = [
    "ARITH_FUNCTIONS",
    "CMP_FUNCTIONS",
    "Abs",
    "Arith",
    "ArithOp",
    "BoolExpr",
    "CmpOp",
    "Compare",
    "Connective",
    "Const",
    "Count",
    "Expr",
    "Implies",
    "InSet",
    "IntExpr",
    "IsTrue",
    "Logic",
    "MinMax",
    "Not",
    "Truth",
    "Var",
    "balanced_sum",
    "differs",
    "term_indices",
    "weighted_count",
]


#: What each operator means, as a function. The ``operator`` functions work on ints, numpy arrays and OR-Tools
#: linear expressions alike, so every engine takes its meaning from here rather than from a ``match`` of its own.
CMP_FUNCTIONS: dict[CmpOp, Callable[[Any, Any], Any]] = {
    CmpOp.EQ: operator.eq,
    CmpOp.NE: operator.ne,
    CmpOp.LT: operator.lt,
    CmpOp.LE: operator.le,
    CmpOp.GT: operator.gt,
    CmpOp.GE: operator.ge,
}
ARITH_FUNCTIONS: dict[ArithOp, Callable[[Any, Any], Any]] = {
    ArithOp.ADD: operator.add,
    ArithOp.SUB: operator.sub,
    ArithOp.MUL: operator.mul,
}


# Every node class is frozen with its hash cached in the instance (``cache_hash``). Rule trees are deep and shared,
# and the solver layer looks nodes up in dicts (literal caches, the counting's tables) again and again: attrs' hash
# walks the whole subtree on every lookup (0.19 s of a 1.0 s best-deal search on 512 terms, profiled). Nothing
# mutates a node (frozen; ``attrs.evolve`` makes a new one), and attrs drops the cached hash when pickling, so
# another process's hash seed never leaks in.


def _range() -> TextRange | None:
    return attrs.field(default=None, eq=False, hash=False, repr=False)  # type: ignore[no-any-return]


# --- integer-valued -------------------------------------------------------------------------------------------


@attrs.frozen(cache_hash=True)
class Const:
    value: int
    where: TextRange | None = _range()


@attrs.frozen(cache_hash=True)
class Var:
    """The code of term number ``index`` (an option's position, 0/1 for a boolean, the integer itself)."""

    index: int
    where: TextRange | None = _range()


@attrs.frozen(cache_hash=True)
class Arith:
    """``left op right``; for ``MUL`` at least one side is a ``Const`` (the checker guarantees it)."""

    op: ArithOp
    left: IntExpr
    right: IntExpr
    where: TextRange | None = _range()


@attrs.frozen(cache_hash=True)
class Abs:
    arg: IntExpr
    where: TextRange | None = _range()


@attrs.frozen(cache_hash=True)
class MinMax:
    """``min(args)`` or, when ``is_max``, ``max(args)``; at least one argument."""

    is_max: bool
    args: tuple[IntExpr, ...]
    where: TextRange | None = _range()


@attrs.frozen(cache_hash=True)
class Count:
    """How many of ``conditions`` hold."""

    conditions: tuple[BoolExpr, ...]
    where: TextRange | None = _range()


# --- condition-valued -----------------------------------------------------------------------------------------


@attrs.frozen(cache_hash=True)
class Truth:
    """A constant condition."""

    value: bool
    where: TextRange | None = _range()


@attrs.frozen(cache_hash=True)
class IsTrue:
    """Boolean term number ``index`` holds."""

    index: int
    where: TextRange | None = _range()


@attrs.frozen(cache_hash=True)
class Compare:
    op: CmpOp
    left: IntExpr
    right: IntExpr
    where: TextRange | None = _range()


@attrs.frozen(cache_hash=True)
class InSet:
    """``arg`` takes one of ``values`` (codes)."""

    arg: IntExpr
    values: frozenset[int]
    where: TextRange | None = _range()


@attrs.frozen(cache_hash=True)
class Not:
    arg: BoolExpr
    where: TextRange | None = _range()


@attrs.frozen(cache_hash=True)
class Logic:
    """n-ary and/or; at least one operand."""

    op: Connective
    operands: tuple[BoolExpr, ...]
    where: TextRange | None = _range()


@attrs.frozen(cache_hash=True)
class Implies:
    premise: BoolExpr
    conclusion: BoolExpr
    where: TextRange | None = _range()


IntExpr = Const | Var | Arith | Abs | MinMax | Count
BoolExpr = Truth | IsTrue | Compare | InSet | Not | Logic | Implies
Expr = IntExpr | BoolExpr


@functools.lru_cache(maxsize=1 << 14)
def term_indices(expr: Expr) -> frozenset[int]:
    """The indices of the terms a checked expression reads (cached per expression: the counting, the dynamic
    programming and its width check each ask it of every rule; nodes are immutable and their hashes cached).

    >>> sorted(term_indices(Logic(Connective.OR, (IsTrue(3), Compare(CmpOp.LT, Var(1), Const(2))))))
    [1, 3]
    """
    out: set[int] = set()
    stack: list[Expr] = [expr]
    while stack:  # iterative: checked trees may be deep, and recursion limits are not a user's problem
        node = stack.pop()
        match node:
            case Var(index=i) | IsTrue(index=i):
                out.add(i)
            case Const() | Truth():
                pass
            case Arith(left=a, right=b) | Compare(left=a, right=b):
                stack += (a, b)
            case Abs(arg=a) | InSet(arg=a) | Not(arg=a):
                stack.append(a)
            case MinMax(args=xs):
                stack += xs
            case Count(conditions=xs) | Logic(operands=xs):
                stack += xs
            case Implies(premise=a, conclusion=b):
                stack += (a, b)
            case _:
                raise TypeError(f"not a checked expression: {node!r}")
    return frozenset(out)


# --- builders: trees the analyses put together (objectives, exclusions) ----------------------------------------


def balanced_sum(parts: Sequence[IntExpr]) -> IntExpr:
    """``a + b + c + ...`` as a balanced tree (``0`` when empty), so many parts never make a deep expression.

    >>> balanced_sum([Const(1), Const(2), Const(3)])
    Arith(op=<ArithOp.ADD: '+'>, left=Arith(op=<ArithOp.ADD: '+'>, left=Const(value=1), right=Const(value=2)), right=Const(value=3))
    """
    items = list(parts)
    if not items:
        return Const(0)
    while len(items) > 1:
        paired: list[IntExpr] = [Arith(ArithOp.ADD, a, b) for a, b in zip(items[::2], items[1::2], strict=False)]
        if len(items) % 2:
            paired.append(items[-1])
        items = paired
    return items[0]


def weighted_count(pairs: Sequence[tuple[int, BoolExpr]]) -> IntExpr:
    """The sum of the weights of the conditions that hold (weight-0 pairs left out).

    >>> weighted_count([(2, IsTrue(0)), (0, IsTrue(1))])
    Arith(op=<ArithOp.MUL: '*'>, left=Const(value=2), right=Count(conditions=(IsTrue(index=0),)))
    """
    return balanced_sum([Count((c,)) if w == 1 else Arith(ArithOp.MUL, Const(w), Count((c,))) for w, c in pairs if w])


def differs(codes: Sequence[int | None]) -> BoolExpr:
    """A condition excluding the given codes (``None`` entries ignored): some listed term takes another code.

    >>> differs((1, None))
    Not(arg=Logic(op=<Connective.AND: 'and'>, operands=(Compare(op=<CmpOp.EQ: '=='>, left=Var(index=0), right=Const(value=1)),)))
    """
    same = tuple(Compare(CmpOp.EQ, Var(i), Const(c)) for i, c in enumerate(codes) if c is not None)
    return Not(Logic(Connective.AND, same)) if same else Truth(False)
