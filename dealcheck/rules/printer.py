"""Checked tree (:mod:`dealcheck.rules.ir`) -> rule text, for explanations and for generated rules.

The inverse of parse + check: ``compile_rule(format_expr(e, terms), terms)`` gives back ``e`` for every tree the
checker produces (integer codes become option names again, ``0 - x`` is written ``-x``, ``Not(InSet)`` is written
``x not in [...]``). Parentheses appear only where precedence or grouping needs them: ``(a and b) and c`` keeps its
parentheses, because without them it would read back as one three-way ``and``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import assert_never

from dealcheck.rules import ir
from dealcheck.rules.ir import ArithOp, Connective
from dealcheck.rules.terms import BoolDomain, OptionsDomain, Term

__all__ = ["format_expr"]

# Binding strength, loosest first, as in the parser's grammar.
_IMPLIES, _OR, _AND, _NOT, _CMP, _ADD, _MUL, _NEG, _ATOM = range(1, 10)


def format_expr(expr: ir.Expr, terms: Sequence[Term]) -> str:
    """Rule text that reads back (parse, then check) to ``expr``; ``terms[i]`` is the term of index ``i``.

    >>> from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term
    >>> terms = [Term("ceasefire", 0, OptionsDomain(("none", "energy", "full"))), Term("aid", 1, IntDomain(0, 60))]
    >>> from dealcheck.rules.checker import compile_rule
    >>> text = 'not (ceasefire == "full" or ceasefire not in ["none"]) implies -(aid - 3) * 2 > 5'
    >>> expr, _ = compile_rule(text, terms)
    >>> format_expr(expr, terms)
    'not (ceasefire == "full" or ceasefire not in ["none"]) implies -(aid - 3) * 2 > 5'
    >>> compile_rule(format_expr(expr, terms), terms)[0] == expr
    True
    """
    return _Printer(terms).text(expr)[0]


def _quote(value: str) -> str:
    quote = "'" if '"' in value and "'" not in value else '"'  # 'say "hi"' reads better than "say \\"hi\\""
    return quote + value.replace("\\", "\\\\").replace(quote, "\\" + quote) + quote


class _Printer:
    def __init__(self, terms: Sequence[Term]) -> None:
        self._terms = terms

    def _term(self, index: int) -> Term:
        if not 0 <= index < len(self._terms):
            raise ValueError(f"term index {index} is out of range: there are {len(self._terms)} terms")
        return self._terms[index]

    def _options(self, expr: ir.IntExpr) -> tuple[str, ...] | None:
        """The options of ``expr`` when it reads an option term, so that codes compared with it print as names."""
        if isinstance(expr, ir.Var):
            domain = self._term(expr.index).domain
            if isinstance(domain, OptionsDomain):
                return domain.options
        return None

    def _value(self, expr: ir.IntExpr, options: tuple[str, ...] | None, need: int) -> str:
        if options is not None and isinstance(expr, ir.Const):
            if not 0 <= expr.value < len(options):
                raise ValueError(f"{expr.value} is not the code of an option ({', '.join(options)})")
            return _quote(options[expr.value])
        return self.wrap(expr, need)

    def wrap(self, expr: ir.Expr, need: int) -> str:
        text, prec = self.text(expr)
        return text if prec >= need else f"({text})"

    def text(self, expr: ir.Expr) -> tuple[str, int]:
        """The text of ``expr`` and how tightly it binds."""
        match expr:
            case ir.Const(value=value):
                return (str(value), _ATOM) if value >= 0 else (f"-{-value}", _NEG)
            case ir.Var(index=index):
                term = self._term(index)
                if isinstance(term.domain, BoolDomain):
                    return f"count({term.name})", _ATOM  # a boolean read as a number is its 0/1 code
                return term.name, _ATOM
            case ir.Arith(op=ArithOp.SUB, left=ir.Const(value=0), right=right):
                text = self.wrap(right, _NEG)
                return ("- " if text.startswith("-") else "-") + text, _NEG
            case ir.Arith(op=op, left=left, right=right):
                prec = _MUL if op is ArithOp.MUL else _ADD
                return f"{self.wrap(left, prec)} {op.value} {self.wrap(right, prec + 1)}", prec
            case ir.Abs(arg=arg):
                return f"abs({self.wrap(arg, _IMPLIES)})", _ATOM
            case ir.MinMax(is_max=is_max, args=args):
                return f"{'max' if is_max else 'min'}({', '.join(self.wrap(a, _IMPLIES) for a in args)})", _ATOM
            case ir.Count(conditions=conditions):
                return f"count({', '.join(self.wrap(c, _IMPLIES) for c in conditions)})", _ATOM
            case ir.Truth(value=value):
                return ("true" if value else "false"), _ATOM
            case ir.IsTrue(index=index):
                return self._term(index).name, _ATOM
            case ir.Compare(op=op, left=left, right=right):
                left_options, right_options = self._options(left), self._options(right)
                a = self._value(left, right_options, _ADD)
                b = self._value(right, left_options, _ADD)
                return f"{a} {op.value} {b}", _CMP
            case ir.InSet():
                return self._in_set(expr, negated=False), _CMP
            case ir.Not(arg=ir.InSet() as in_set):
                return self._in_set(in_set, negated=True), _CMP
            case ir.Not(arg=arg):
                return f"not {self.wrap(arg, _NOT)}", _NOT
            case ir.Logic(op=op, operands=operands):
                if not operands:
                    return ("true" if op is Connective.AND else "false"), _ATOM
                if len(operands) == 1:
                    return self.text(operands[0])
                prec = _AND if op is Connective.AND else _OR
                # prec + 1: a nested and/or of the same kind keeps its parentheses, or it would read back flattened.
                return f" {op.value} ".join(self.wrap(x, prec + 1) for x in operands), prec
            case ir.Implies(premise=premise, conclusion=conclusion):
                return f"{self.wrap(premise, _OR)} implies {self.wrap(conclusion, _IMPLIES)}", _IMPLIES
        assert_never(expr)

    def _in_set(self, expr: ir.InSet, *, negated: bool) -> str:
        options = self._options(expr.arg)
        values = ", ".join(self._value(ir.Const(v), options, _ADD) for v in sorted(expr.values))
        return f"{self.wrap(expr.arg, _ADD)} {'not in' if negated else 'in'} [{values}]"
