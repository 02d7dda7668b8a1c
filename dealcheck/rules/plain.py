"""Checked tree (:mod:`dealcheck.rules.ir`) -> the rule in plain words, for people reading a report.

``ceasefire != "full"`` reads ``ceasefire is not "full"``; ``peacekeepers == "coalition" implies ceasefire ==
"full"`` reads ``if peacekeepers is "coalition" then ceasefire is "full"``; ``ceasefire >= "energy"`` on an
ordered term reads ``ceasefire is "energy" or later``. Arithmetic and counts keep their code form (``aid_bn + 5``,
``count(...)``): words would be longer, not clearer. The code form (:func:`dealcheck.rules.printer.format_expr`)
stays the one that reads back; this one is for reading only, shown by default in text and Markdown reports, with
the code form behind ``--verbose``.

Rejected: printing from the rule text as written (a second parser pass per report, and the source tree changes
shape with the grammar), and templates per red line in the scenario file (most authors would not write them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

from dealcheck.rules import ir
from dealcheck.rules.ir import CmpOp, Connective
from dealcheck.rules.printer import format_expr
from dealcheck.rules.terms import BoolDomain, OptionsDomain, Term

__all__ = ["plain_rule"]

_INT_WORDS = {
    CmpOp.EQ: "is",
    CmpOp.NE: "is not",
    CmpOp.LT: "is below",
    CmpOp.LE: "is at most",
    CmpOp.GT: "is above",
    CmpOp.GE: "is at least",
}
_FLIP = {CmpOp.LT: CmpOp.GT, CmpOp.LE: CmpOp.GE, CmpOp.GT: CmpOp.LT, CmpOp.GE: CmpOp.LE}


def plain_rule(expr: ir.BoolExpr, terms: Sequence[Term]) -> str:
    """The condition ``expr`` in words.

    >>> from dealcheck.rules.checker import compile_rule
    >>> from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term
    >>> terms = [Term("ceasefire", 0, OptionsDomain(("none", "energy", "full"), ordered=True)),
    ...          Term("peacekeepers", 1, OptionsDomain(("none", "coalition"))), Term("deal", 2, BoolDomain()),
    ...          Term("aid", 3, IntDomain(0, 60))]
    >>> def say(text): return plain_rule(compile_rule(text, terms)[0], terms)
    >>> say('ceasefire != "full"')
    'ceasefire is not "full"'
    >>> say('peacekeepers == "coalition" implies ceasefire == "full"')
    'if peacekeepers is "coalition" then ceasefire is "full"'
    >>> say('ceasefire >= "energy" and not deal')
    'ceasefire is "energy" or later, and deal is false'
    >>> say('aid >= 20 or peacekeepers in ["coalition"]')
    'aid is at least 20 or peacekeepers is "coalition"'
    >>> say('ceasefire not in ["none", "energy"]')
    'ceasefire is neither "none" nor "energy"'
    """
    return _Plain(terms).say(expr, top=True)


class _Plain:
    def __init__(self, terms: Sequence[Term]) -> None:
        self._terms = terms

    def say(self, expr: ir.BoolExpr, top: bool = False) -> str:
        match expr:
            case ir.Truth(value=v):
                return "always" if v else "never"
            case ir.IsTrue(index=i):
                return f"{self._terms[i].name} is true"
            case ir.Compare(op=op, left=left, right=right):
                return self._compare(op, left, right)
            case ir.InSet(arg=arg, values=values):
                return self._in_set(arg, values, negated=False)
            case ir.Not(arg=ir.IsTrue(index=i)):
                return f"{self._terms[i].name} is false"
            case ir.Not(arg=ir.InSet(arg=arg, values=values)):
                return self._in_set(arg, values, negated=True)
            case ir.Not(arg=ir.Compare(op=op, left=left, right=right)):
                return self._compare(_NEGATE[op], left, right)
            case ir.Not(arg=arg):
                return f"not ({self.say(arg)})"
            case ir.Logic(op=op, operands=operands):
                word = "and" if op is Connective.AND else "or"
                parts = [self._part(o) for o in operands]
                # A comma before the last connective only when a part has its own "or"/"and" (``"energy" or
                # later``), so that the sentence still groups as the rule does.
                comma = "," if any(" or " in p or " and " in p for p in parts) else ""
                return ", ".join(parts[:-1]) + f"{comma} {word} {parts[-1]}"
            case ir.Implies(premise=premise, conclusion=conclusion):
                text = f"if {self._part(premise)} then {self._part(conclusion)}"
                return text if top else f"({text})"
            case _:
                assert_never(expr)

    def _part(self, expr: ir.BoolExpr) -> str:
        """An operand of and/or/if: nested connectives keep brackets, so the grouping stays visible."""
        text = self.say(expr)
        return f"({text})" if isinstance(expr, ir.Logic) else text

    def _options(self, expr: ir.IntExpr) -> OptionsDomain | None:
        if isinstance(expr, ir.Var):
            domain = self._terms[expr.index].domain
            if isinstance(domain, OptionsDomain):
                return domain
        return None

    def _int(self, expr: ir.IntExpr) -> str:
        if isinstance(expr, ir.Var):
            return self._terms[expr.index].name
        return format_expr(expr, self._terms)

    def _compare(self, op: CmpOp, left: ir.IntExpr, right: ir.IntExpr) -> str:
        if isinstance(left, ir.Const) and isinstance(right, ir.Var):
            left, right, op = right, left, _FLIP.get(op, op)
        domain = self._options(left)
        if domain is not None and isinstance(right, ir.Const) and 0 <= right.value < len(domain.options):
            name, option = self._terms[left.index].name, _quote(domain.options[right.value])  # type: ignore[union-attr]
            match op:
                case CmpOp.EQ:
                    return f"{name} is {option}"
                case CmpOp.NE:
                    return f"{name} is not {option}"
                case CmpOp.LT:
                    return f"{name} is before {option}"
                case CmpOp.LE:
                    return f"{name} is {option} or earlier"
                case CmpOp.GT:
                    return f"{name} is after {option}"
                case CmpOp.GE:
                    return f"{name} is {option} or later"
        if isinstance(left, ir.Var) and isinstance(self._terms[left.index].domain, BoolDomain):
            if isinstance(right, ir.Const) and op in (CmpOp.EQ, CmpOp.NE):
                truth = (right.value == 1) == (op is CmpOp.EQ)
                return f"{self._terms[left.index].name} is {'true' if truth else 'false'}"
        return f"{self._int(left)} {_INT_WORDS[op]} {self._int(right)}"

    def _in_set(self, arg: ir.IntExpr, values: frozenset[int], negated: bool) -> str:
        domain = self._options(arg)
        if domain is None:
            shown = ", ".join(str(v) for v in sorted(values))
            return f"{self._int(arg)} is {'not ' if negated else ''}one of {shown}"
        names = [_quote(domain.options[v]) for v in sorted(values) if 0 <= v < len(domain.options)]
        name = self._int(arg)
        if len(names) == 1:
            return f"{name} is {'not ' if negated else ''}{names[0]}"
        if len(names) == 2:
            return f"{name} is neither {names[0]} nor {names[1]}" if negated else f"{name} is {names[0]} or {names[1]}"
        return f"{name} is {'none' if negated else 'one'} of {', '.join(names)}"


_NEGATE = {
    CmpOp.EQ: CmpOp.NE,
    CmpOp.NE: CmpOp.EQ,
    CmpOp.LT: CmpOp.GE,
    CmpOp.LE: CmpOp.GT,
    CmpOp.GT: CmpOp.LE,
    CmpOp.GE: CmpOp.LT,
}


def _quote(option: str) -> str:
    return '"' + option.replace("\\", "\\\\").replace('"', '\\"') + '"'
