"""The meaning of a checked rule: what it says about a package, full or partial.

In: a checked expression (:mod:`dealcheck.rules.ir`) and the codes of a package in term order, ``None`` for an open
term. Out: ``True``, ``False`` or ``None`` (unknown: the answer depends on how the open terms are filled in).

The logic is Kleene's: ``false and ?`` is false, ``true or ?`` is true, ``false implies ?`` is true. Integer
expressions are evaluated as intervals: a closed term is the interval ``[code, code]``, an open term the bounds of
its domain when ``domains`` is given (else unbounded, which makes anything reading it unknown). A comparison is
decided when the intervals allow it (``x + 2 > 1`` holds for every ``x`` in ``0..5``); ``count`` ranges from the
number of conditions that surely hold to the number that possibly hold. Interval reasoning is sound but not
complete (``x - x`` has interval ``[-5, 5]``, not ``[0, 0]``): ``None`` means "not settled here", and a solver
settles it. Every engine must agree with this module on full packages.

Every pass over the tree here is iterative (:func:`fold`), so nesting depth is never a recursion problem.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar, assert_never

from dealcheck.rules.ir import (
    Abs,
    Arith,
    ArithOp,
    BoolExpr,
    CmpOp,
    Compare,
    Connective,
    Const,
    Count,
    Expr,
    Implies,
    InSet,
    IntExpr,
    IsTrue,
    Logic,
    MinMax,
    Not,
    Truth,
    Var,
)

__all__ = ["Interval", "bounds", "children", "evaluate", "evaluate_int", "fold"]

T = TypeVar("T")

#: A closed integer interval ``(lo, hi)``; ``None`` stands for "unbounded": nothing is known.
Interval = tuple[int, int] | None


def children(node: Expr) -> tuple[Expr, ...]:
    """The direct sub-expressions of ``node``, in the order :func:`fold` hands their results back.

    >>> children(Compare(CmpOp.LT, Var(0), Const(2)))
    (Var(index=0), Const(value=2))
    """
    match node:
        case Const() | Var() | Truth() | IsTrue():
            return ()
        case Arith(left=a, right=b) | Compare(left=a, right=b):
            return (a, b)
        case Abs(arg=a) | InSet(arg=a) | Not(arg=a):
            return (a,)
        case MinMax(args=xs):
            return xs
        case Count(conditions=xs) | Logic(operands=xs):
            return xs
        case Implies(premise=a, conclusion=b):
            return (a, b)
        case _:
            assert_never(node)


def fold(expr: Expr, visit: Callable[[Expr, list[T]], T]) -> T:
    """Post-order fold: ``visit(node, results of its children)`` for every node, without recursion.

    The passes over checked trees (evaluation, code generation, solver compilation) are all folds; doing the walk
    once here keeps deep trees from hitting Python's recursion limit in any of them.

    >>> fold(Logic(Connective.AND, (Truth(True), IsTrue(1))), lambda n, rs: 1 + sum(rs))
    3
    """
    results: list[T] = []
    # Each entry is (node, expanded?): a node is pushed once to expand its children, once more to combine them.
    stack: list[tuple[Expr, bool]] = [(expr, False)]
    while stack:
        node, expanded = stack.pop()
        kids = children(node)
        if expanded or not kids:
            if kids:
                args = results[len(results) - len(kids) :]
                del results[len(results) - len(kids) :]
            else:
                args = []
            results.append(visit(node, args))
        else:
            stack.append((node, True))
            stack.extend((k, False) for k in reversed(kids))
    (out,) = results
    return out


# --- the three-valued meaning --------------------------------------------------------------------------------

_Value = bool | None | Interval


def _visitor(
    codes: Sequence[int | None], domains: Sequence[tuple[int, int]] | None
) -> Callable[[Expr, list[Any]], _Value]:
    # ``rs`` holds the children's values, whose kind (truth or interval) the node's own class says: ``Any`` rather
    # than a ``_Value`` narrowed by hand at every use.
    def visit(node: Expr, rs: list[Any]) -> _Value:
        match node:
            case Const(value=c):
                return (c, c)
            case Var(index=i):
                code = codes[i]
                if code is not None:
                    return (code, code)
                return tuple(domains[i]) if domains is not None else None  # type: ignore[return-value]
            case Arith(op=op):
                return _arith(op, rs[0], rs[1])
            case Abs():
                return _abs(rs[0])
            case MinMax(is_max=is_max):
                if any(r is None for r in rs):
                    return None
                los, his = [r[0] for r in rs], [r[1] for r in rs]
                return (max(los), max(his)) if is_max else (min(los), min(his))
            case Count():
                return (sum(r is True for r in rs), sum(r is not False for r in rs))
            case Truth(value=v):
                return v
            case IsTrue(index=i):
                code = codes[i]
                return None if code is None else code == 1
            case Compare(op=op):
                return _compare(op, rs[0], rs[1])
            case InSet(values=values):
                return _in_set(rs[0], values)
            case Not():
                return None if rs[0] is None else not rs[0]
            case Logic(op=Connective.AND):
                return False if False in rs else (None if None in rs else True)
            case Logic(op=Connective.OR):
                return True if True in rs else (None if None in rs else False)
            case Logic():
                raise AssertionError(node.op)  # pragma: no cover
            case Implies():
                premise, conclusion = rs
                if premise is False or conclusion is True:
                    return True
                if premise is True and conclusion is False:
                    return False
                return None
            case _:
                assert_never(node)

    return visit


def _arith(op: ArithOp, a: Interval, b: Interval) -> Interval:
    if a is None or b is None:
        return None
    match op:
        case ArithOp.ADD:
            return (a[0] + b[0], a[1] + b[1])
        case ArithOp.SUB:
            return (a[0] - b[1], a[1] - b[0])
        case ArithOp.MUL:
            products = [x * y for x in a for y in b]
            return (min(products), max(products))
        case _:
            assert_never(op)


def _abs(a: Interval) -> Interval:
    if a is None:
        return None
    lo, hi = a
    if lo >= 0:
        return (lo, hi)
    if hi <= 0:
        return (-hi, -lo)
    return (0, max(-lo, hi))


def _compare(op: CmpOp, a: Interval, b: Interval) -> bool | None:
    if a is None or b is None:
        return None
    (alo, ahi), (blo, bhi) = a, b
    match op:
        case CmpOp.EQ:
            if alo == ahi == blo == bhi:
                return True
            return False if ahi < blo or bhi < alo else None
        case CmpOp.NE:
            eq = _compare(CmpOp.EQ, a, b)
            return None if eq is None else not eq
        case CmpOp.LT:
            return True if ahi < blo else (False if alo >= bhi else None)
        case CmpOp.LE:
            return True if ahi <= blo else (False if alo > bhi else None)
        case CmpOp.GT:
            return _compare(CmpOp.LT, b, a)
        case CmpOp.GE:
            return _compare(CmpOp.LE, b, a)
        case _:
            assert_never(op)


def _in_set(a: Interval, values: frozenset[int]) -> bool | None:
    if a is None:
        return None
    lo, hi = a
    if lo == hi:
        return lo in values
    inside = sum(1 for v in values if lo <= v <= hi)
    if inside == 0:
        return False
    return True if inside == hi - lo + 1 else None


# --- public entry points -------------------------------------------------------------------------------------


def evaluate(
    expr: BoolExpr, codes: Sequence[int | None], domains: Sequence[tuple[int, int]] | None = None
) -> bool | None:
    """The truth of condition ``expr`` on a package given as codes (``None`` = open), or ``None`` when unknown.

    ``domains`` gives each term's ``(lo, hi)`` code bounds, used for open terms inside arithmetic.

    >>> rule = Logic(Connective.AND, (IsTrue(0), Compare(CmpOp.GT, Var(1), Const(2))))
    >>> evaluate(rule, [1, 5]), evaluate(rule, [0, None]), evaluate(rule, [1, None])
    (True, False, None)
    >>> evaluate(Compare(CmpOp.GE, Var(0), Const(0)), [None], domains=[(0, 60)])
    True
    """
    out = fold(expr, _visitor(codes, domains))
    assert out is None or isinstance(out, bool), "evaluate() takes a condition; use evaluate_int() for numbers"
    return out


def bounds(expr: IntExpr, codes: Sequence[int | None], domains: Sequence[tuple[int, int]] | None = None) -> Interval:
    """The interval ``(lo, hi)`` an integer expression takes over every completion, or ``None`` if unbounded.

    Sound, not always tight: the true range lies inside it.

    >>> bounds(Arith(ArithOp.SUB, Var(0), Const(10)), [None], domains=[(0, 60)])
    (-10, 50)
    >>> bounds(Count((IsTrue(0), IsTrue(1), Truth(True))), [1, None])
    (2, 3)
    """
    out = fold(expr, _visitor(codes, domains))
    assert out is None or isinstance(out, tuple), "bounds() takes a number; use evaluate() for conditions"
    return out


def evaluate_int(
    expr: IntExpr, codes: Sequence[int | None], domains: Sequence[tuple[int, int]] | None = None
) -> int | None:
    """The value of integer expression ``expr``, or ``None`` when it depends on open terms.

    >>> evaluate_int(MinMax(True, (Var(0), Abs(Arith(ArithOp.SUB, Const(1), Var(1))))), [3, 9])
    8
    >>> evaluate_int(Var(0), [None]) is None
    True
    """
    b = bounds(expr, codes, domains)
    return b[0] if b is not None and b[0] == b[1] else None
