"""Source tree + terms -> checked tree (:mod:`dealcheck.rules.ir`), or every type problem found.

The second stage of the rule language. ``check_rule`` gives every sub-expression one of four types:

- a *condition* (a comparison, a boolean term, ``true``/``false``, ``and``/``or``/``not``/``implies``);
- an *integer* (an integer term, a literal, arithmetic, ``count``/``abs``/``min``/``max``), with the bounds it can
  take, so that no engine is ever handed a number beyond 64 bits;
- an *option term* reference, which is only ever compared with its own options (or a term with the same options);
- a *string* literal, which only means something once compared with an option term.

It reports every problem it can find (a bad operand does not hide a problem in its neighbour), and lowers what it
checked: names become term indices, option names integer codes, ``x not in [..]`` ``Not(InSet)``, ``-x``
``0 - x``; constants are folded where that is trivial. A rule must be a condition.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, assert_never

import attrs

from dealcheck.errors import Problem, TextRange
from dealcheck.rules import ir, syntax
from dealcheck.rules.parser import parse_rule
from dealcheck.rules.syntax import ArithOp, CmpOp, Func
from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term
from dealcheck.suggest import closest_name, listing, same_but_case

__all__ = ["MAX_VALUE", "check_rule", "compile_rule"]

#: The largest absolute value any integer sub-expression may reach. CP-SAT and the compiled checker work in
#: 64-bit integers; below 2**62 leaves headroom for the sums an engine builds on top of a rule, and is what CP-SAT
#: accepts as a bound (2**62 itself it rejects: the two must agree, so a rule the checker accepts always loads).
MAX_VALUE = 2**62 - 1

_ORDERING = frozenset({CmpOp.LT, CmpOp.LE, CmpOp.GT, CmpOp.GE})


# --- the four types ---------------------------------------------------------------------------------------------


@attrs.frozen
class _Cond:
    expr: ir.BoolExpr


@attrs.frozen
class _Int:
    expr: ir.IntExpr
    lo: int
    hi: int


@attrs.frozen
class _Opt:
    expr: ir.Var
    term: Term

    @property
    def domain(self) -> OptionsDomain:
        assert isinstance(self.term.domain, OptionsDomain)
        return self.term.domain


@attrs.frozen
class _Str:
    value: str
    where: TextRange


_Typed = _Cond | _Int | _Opt | _Str


def _kind(typed: _Typed) -> str:
    match typed:
        case _Cond():
            return "a condition"
        case _Int():
            return "an integer"
        case _Opt():
            return "an option term"
        case _Str():
            return "a string"
    assert_never(typed)


def _show(node: syntax.Node) -> str:
    """How a message names an operand: by what the user wrote when that is short, else by what it is."""
    match node:
        case syntax.Name(name=name):
            return f"'{name}'"
        case syntax.StrLit(value=value):
            return repr(value)
        case syntax.IntLit(value=value):
            return str(value)
        case syntax.BoolLit(value=value):
            return "true" if value else "false"
        case syntax.Call(func=func):
            return f"{func.value}(...)"
        case _:
            return "the expression"


def _options_hint(term: Term) -> str:
    assert isinstance(term.domain, OptionsDomain)
    return f"the options of {term.name} are {listing(term.domain.options)}"


# One entry: the last terms mapping seen (held, so its id cannot be reused) and its lookups. Every rule of a scenario
# is checked against the same mapping, so a hint costs a dictionary lookup instead of a pass over 60,000 terms.
_NAME_INDEX: list[Any] = [None, 0, None]


def _name_index(terms: Mapping[str, Term]) -> tuple[tuple[str, ...], dict[str, str], dict[str, str]]:
    """The sorted term names, option -> first term (by name) that has it, lowercased name -> first name."""
    if _NAME_INDEX[0] is terms and _NAME_INDEX[1] == len(terms):
        return _NAME_INDEX[2]  # type: ignore[no-any-return]
    names = tuple(sorted(terms))
    owners: dict[str, str] = {}
    by_case: dict[str, str] = {}
    for n in names:
        for option in getattr(terms[n].domain, "options", ()):
            owners.setdefault(option, n)
        by_case.setdefault(n.lower(), n)
    _NAME_INDEX[:] = [terms, len(terms), (names, owners, by_case)]
    return names, owners, by_case


class _Checker:
    def __init__(self, terms: Mapping[str, Term], problems: list[Problem], *, hints: bool = True) -> None:
        self._terms = terms
        self._problems = problems
        self._hints = hints

    def _problem(self, code: str, message: str, where: TextRange, hint: str | None = None) -> None:
        self._problems.append(Problem(code, message, where, hint))

    # --- the walk: each returns the typed, lowered expression, or None after reporting why ------------------

    def check(self, node: syntax.Node) -> _Typed | None:
        match node:
            case syntax.Name():
                return self._name(node)
            case syntax.StrLit(value=value, where=where):
                return _Str(value, where)
            case syntax.IntLit(value=value, where=where):
                return self._int(ir.Const(value, where), value, value, where)
            case syntax.BoolLit(value=value, where=where):
                return _Cond(ir.Truth(value, where))
            case syntax.Compare():
                return self._compare(node)
            case syntax.InList():
                return self._in_list(node)
            case syntax.Not(arg=operand, where=where):
                arg = self._condition(operand, "'not' applies to a condition")
                return None if arg is None else _Cond(_negate(arg, where))
            case syntax.Logic(op=op, operands=operands, where=where):
                args = [self._condition(x, f"'{op.value}' joins conditions") for x in operands]
                if any(a is None for a in args):
                    return None
                return _Cond(ir.Logic(op, tuple(a for a in args if a is not None), where))
            case syntax.Implies(premise=premise, conclusion=conclusion, where=where):
                p = self._condition(premise, "'implies' joins conditions")
                c = self._condition(conclusion, "'implies' joins conditions")
                if p is None or c is None:
                    return None
                return _Cond(ir.Implies(p, c, where))
            case syntax.BinArith():
                return self._arith(node)
            case syntax.Neg(arg=operand, where=where):
                x = self._integer(operand, "unary minus applies to an integer")
                if x is None:
                    return None
                if isinstance(x.expr, ir.Const):
                    return self._int(ir.Const(-x.expr.value, where), -x.hi, -x.lo, where)
                return self._int(ir.Arith(ArithOp.SUB, ir.Const(0), x.expr, where), -x.hi, -x.lo, where)
            case syntax.Call():
                return self._call(node)
        assert_never(node)

    def _name(self, node: syntax.Name) -> _Typed | None:
        term = self._terms.get(node.name)
        if term is None:
            self._problem("DC301", f"unknown term '{node.name}'", node.where, self._name_hint(node.name))
            return None
        match term.domain:
            case OptionsDomain():
                return _Opt(ir.Var(term.index, node.where), term)
            case BoolDomain():
                return _Cond(ir.IsTrue(term.index, node.where))
            case IntDomain(lo=lo, hi=hi):
                return _Int(ir.Var(term.index, node.where), lo, hi)
        assert_never(term.domain)

    def _name_hint(self, name: str) -> str | None:
        if name.lower() in ("true", "false"):
            return f"write `{name.lower()}` in lowercase"
        if name.lower() in ("and", "or", "not", "implies", "in"):
            return f"keywords are lowercase: write `{name.lower()}`"
        if not self._hints:
            return None
        names, owners, by_case = _name_index(self._terms)
        # `remote != office`: a bare word that is an option of some term was meant as a string.
        owner = owners.get(name)
        if owner is not None:
            return f"'{name}' is an option of {owner}: quote it, as in {owner} == \"{name}\""
        close = by_case.get(name.lower()) or closest_name(name, names)
        if close:
            return f"did you mean '{close}'?"
        if not names:
            return "the scenario declares no terms"
        shown = ", ".join(names[:8]) + (", ..." if len(names) > 8 else "")
        return f"the terms are {shown}"

    def _int(self, expr: ir.IntExpr, lo: int, hi: int, where: TextRange) -> _Int | None:
        """An integer expression, unless it can reach beyond :data:`MAX_VALUE`."""
        if max(abs(lo), abs(hi)) > MAX_VALUE:
            if isinstance(expr, ir.Const):
                message = f"this evaluates to {_big(expr.value)}, beyond the limit of 2**62 - 1"
            else:
                worst = lo if abs(lo) > abs(hi) else hi
                message = f"this can reach {_big(worst)}, beyond the limit of 2**62 - 1"
            self._problem("DC504", message, where, "use smaller coefficients or a smaller unit")
            return None
        return _Int(expr, lo, hi)

    def _condition(self, node: syntax.Node, context: str) -> ir.BoolExpr | None:
        typed = self.check(node)
        if typed is None:
            return None
        if isinstance(typed, _Cond):
            return typed.expr
        hint = None
        if isinstance(typed, _Opt):
            hint = f'compare it with one of its options: {typed.term.name} == "{typed.domain.options[0]}"'
        elif isinstance(typed, _Int):
            hint = "compare it, for example with >= or =="
        self._problem("DC303", f"{context}, but {_show(node)} is {_kind(typed)}", node.where, hint)
        return None

    def _integer(self, node: syntax.Node, context: str) -> _Int | None:
        typed = self.check(node)
        if typed is None:
            return None
        if isinstance(typed, _Int):
            return typed
        hint = None
        if isinstance(typed, _Cond):
            hint = "count(...) reads conditions as 0 or 1"
        elif isinstance(typed, _Opt):
            hint = "option terms are not numbers; compare them with their options"
        self._problem("DC303", f"{context}, but {_show(node)} is {_kind(typed)}", node.where, hint)
        return None

    # --- comparisons --------------------------------------------------------------------------------------------

    def _compare(self, node: syntax.Compare) -> _Typed | None:
        op, where = node.op, node.where
        left, right = self.check(node.left), self.check(node.right)
        if left is None or right is None:
            return None
        match left, right:
            case _Int(), _Int():
                if isinstance(left.expr, ir.Const) and isinstance(right.expr, ir.Const):
                    return _Cond(ir.Truth(ir.CMP_FUNCTIONS[op](left.expr.value, right.expr.value), where))
                return _Cond(ir.Compare(op, left.expr, right.expr, where))
            case _Cond(), _Cond():
                return self._compare_conditions(node, left.expr, right.expr)
            case _Opt(), _Str():
                code = self._option_code(left.term, right)
                if code is None or not self._ordering_allowed(op, left.term, node):
                    return None
                return _Cond(ir.Compare(op, left.expr, ir.Const(code, right.where), where))
            case _Str(), _Opt():
                code = self._option_code(right.term, left)
                if code is None or not self._ordering_allowed(op, right.term, node):
                    return None
                return _Cond(ir.Compare(op, ir.Const(code, left.where), right.expr, where))
            case _Opt(), _Opt():
                if left.domain.options != right.domain.options:
                    self._problem(
                        "DC303",
                        f"'{left.term.name}' and '{right.term.name}' have different options, so comparing them "
                        "means nothing",
                        where,
                        "compare each with one of its own options",
                    )
                    return None
                if op in _ORDERING and not (left.domain.ordered and right.domain.ordered):
                    unordered = left.term if not left.domain.ordered else right.term
                    self._unordered(op, unordered, node)
                    return None
                return _Cond(ir.Compare(op, left.expr, right.expr, where))
            case _Str(), _Str():
                self._problem(
                    "DC303",
                    f"this compares two strings, {_show(node.left)} and {_show(node.right)}",
                    where,
                    "a string is an option name: compare an option term with it",
                )
                return None
            case (_Str() as text, _) | (_, _Str() as text):
                other, other_node = (right, node.right) if text is left else (left, node.left)
                self._problem(
                    "DC303",
                    f"{_show(other_node)} is {_kind(other)} and cannot be compared with the string {text.value!r}",
                    where,
                    "strings are options, compared only with option terms",
                )
                return None
            case (_Opt() as opt, _) | (_, _Opt() as opt):
                other, other_node = (right, node.right) if opt is left else (left, node.left)
                self._problem(
                    "DC303",
                    f"'{opt.term.name}' is an option term and cannot be compared with {_show(other_node)},"
                    f" which is {_kind(other)}",
                    where,
                    _options_hint(opt.term),
                )
                return None
            case _:  # a condition and an integer
                self._problem(
                    "DC303",
                    f"{_show(node.left)} is {_kind(left)} and {_show(node.right)} is {_kind(right)}; they "
                    "cannot be compared",
                    where,
                    "count(...) reads conditions as 0 or 1",
                )
                return None

    def _compare_conditions(self, node: syntax.Compare, a: ir.BoolExpr, b: ir.BoolExpr) -> _Typed | None:
        op, where = node.op, node.where
        if op not in (CmpOp.EQ, CmpOp.NE):
            self._problem("DC303", f"conditions can only be compared with == or !=, not {op.value}", where)
            return None
        if isinstance(a, ir.Truth) and isinstance(b, ir.Truth):
            return _Cond(ir.Truth((a.value == b.value) == (op is CmpOp.EQ), where))
        if isinstance(a, ir.Truth):
            a, b = b, a
        if isinstance(b, ir.Truth):
            # b == true is b; b == false is not b.
            return _Cond(a if b.value == (op is CmpOp.EQ) else ir.Not(a, where))
        # Each side read as 0/1: one copy of each side. The rejected alternative, (a and b) or (not a and not b),
        # copies both sides, so nested equivalences grow exponentially.
        return _Cond(ir.Compare(op, ir.Count((a,), node.left.where), ir.Count((b,), node.right.where), where))

    def _option_code(self, term: Term, text: _Str) -> int | None:
        assert isinstance(term.domain, OptionsDomain)
        options = term.domain.options
        if text.value in options:
            return options.index(text.value)
        close = None
        if self._hints:
            close = same_but_case(text.value, options) or closest_name(text.value, options)
        hint = f"did you mean {close!r}?" if close else _options_hint(term)
        self._problem("DC302", f"{text.value!r} is not an option of {term.name}", text.where, hint)
        return None

    def _ordering_allowed(self, op: CmpOp, term: Term, node: syntax.Node) -> bool:
        if op in _ORDERING and not (isinstance(term.domain, OptionsDomain) and term.domain.ordered):
            self._unordered(op, term, node)
            return False
        return True

    def _unordered(self, op: CmpOp, term: Term, node: syntax.Node) -> None:
        self._problem(
            "DC304",
            f"'{term.name}' has unordered options, so {op.value} means nothing for it",
            node.where,
            "declare the term with ordered: true",
        )

    def _in_list(self, node: syntax.InList) -> _Typed | None:
        operand = self.check(node.arg)
        items = [self.check(item) for item in node.items]
        if operand is None or any(item is None for item in items):
            return None
        if isinstance(operand, _Str):
            self._problem(
                "DC303",
                f"the string {operand.value!r} cannot be the left side of `in`",
                node.arg.where,
                "put an option term on the left",
            )
            return None
        codes: set[int] = set()
        ok = True
        for item_node, item in zip(node.items, items, strict=True):
            match operand, item:
                case _Opt(), _Str():
                    code = self._option_code(operand.term, item)
                    ok = ok and code is not None
                    if code is not None:
                        codes.add(code)
                case _Int(), _Int(expr=ir.Const(value=value)):
                    codes.add(value)
                case _Cond(), _Cond(expr=ir.Truth(value=value)):
                    codes.add(int(value))
                case _:
                    ok = False
                    wanted = {_Opt: "option names in quotes", _Int: "integer constants"}.get(
                        type(operand), "true or false"
                    )
                    self._problem(
                        "DC303",
                        f"{_show(node.arg)} is {_kind(operand)}, so the list after `in` must hold "
                        f"{wanted}; {_show(item_node)} is not one",
                        item_node.where,
                        _options_hint(operand.term) if isinstance(operand, _Opt) else None,
                    )
        if not ok:
            return None
        expr: ir.BoolExpr
        match operand:
            case _Cond(expr=cond):
                # A condition is in [true] when it holds, in [false] when it fails.
                if codes == {0, 1} or not codes:
                    expr = ir.Truth(bool(codes), node.where)
                elif codes == {1}:
                    expr = cond
                else:
                    expr = _negate(cond, node.where)
            case _Int(expr=ir.Const(value=value)):
                expr = ir.Truth(value in codes, node.where)
            case _Int(expr=arg) | _Opt(expr=arg):
                expr = ir.InSet(arg, frozenset(codes), node.where)
            case _:
                raise AssertionError(operand)  # pragma: no cover - a string operand returned above
        if node.negated:
            return _Cond(_negate(expr, node.where))
        return _Cond(expr)

    # --- integers -------------------------------------------------------------------------------------------

    def _arith(self, node: syntax.BinArith) -> _Typed | None:
        op, where = node.op, node.where
        left = self._integer(node.left, f"'{op.value}' works on integers")
        right = self._integer(node.right, f"'{op.value}' works on integers")
        if left is None or right is None:
            return None
        a, b = left.expr, right.expr
        if isinstance(a, ir.Const) and isinstance(b, ir.Const):
            value = _apply(op, a.value, b.value)
            return self._int(ir.Const(value, where), value, value, where)
        match op:
            case ArithOp.ADD:
                return self._int(ir.Arith(op, a, b, where), left.lo + right.lo, left.hi + right.hi, where)
            case ArithOp.SUB:
                return self._int(ir.Arith(op, a, b, where), left.lo - right.hi, left.hi - right.lo, where)
            case ArithOp.MUL:
                if not isinstance(a, ir.Const) and not isinstance(b, ir.Const):
                    self._problem(
                        "DC305",
                        f"{_show(node.left)} * {_show(node.right)} multiplies two values that both vary",
                        where,
                        "one side of * must be a constant, so that every engine can solve the rule",
                    )
                    return None
                c, x = (left, right) if isinstance(a, ir.Const) else (right, left)
                ends = (c.lo * x.lo, c.lo * x.hi)
                return self._int(ir.Arith(op, a, b, where), min(ends), max(ends), where)
        assert_never(op)

    def _call(self, node: syntax.Call) -> _Typed | None:
        func, args, where = node.func, node.args, node.where
        match func:
            case Func.COUNT:
                if not args:
                    self._problem("DC306", "count needs at least one condition", where, "count(a, b, ...)")
                    return None
                conds = [self._condition(a, "count counts conditions") for a in args]
                if any(c is None for c in conds):
                    return None
                return self._int(ir.Count(tuple(c for c in conds if c is not None), where), 0, len(conds), where)
            case Func.ABS:
                if len(args) != 1:
                    self._problem("DC306", f"abs takes one argument, not {len(args)}", where, "abs(x - y)")
                    for a in args:
                        self.check(a)  # still report problems inside the arguments
                    return None
                x = self._integer(args[0], "abs works on an integer")
                if x is None:
                    return None
                if isinstance(x.expr, ir.Const):
                    value = abs(x.expr.value)
                    return self._int(ir.Const(value, where), value, value, where)
                lo, hi = (x.lo, x.hi) if x.lo >= 0 else (-x.hi, -x.lo) if x.hi <= 0 else (0, max(-x.lo, x.hi))
                return self._int(ir.Abs(x.expr, where), lo, hi, where)
            case Func.MIN | Func.MAX:
                is_max = func is Func.MAX
                if not args:
                    self._problem("DC306", f"{func.value} needs at least one argument", where, f"{func.value}(x, y)")
                    return None
                xs = [self._integer(a, f"{func.value} works on integers") for a in args]
                if any(x is None for x in xs):
                    return None
                ints = [x for x in xs if x is not None]
                pick = max if is_max else min
                lo, hi = pick(x.lo for x in ints), pick(x.hi for x in ints)
                if all(isinstance(x.expr, ir.Const) for x in ints):
                    return self._int(ir.Const(lo, where), lo, lo, where)
                return self._int(ir.MinMax(is_max, tuple(x.expr for x in ints), where), lo, hi, where)
        assert_never(func)


def _negate(expr: ir.BoolExpr, where: TextRange) -> ir.BoolExpr:
    return ir.Truth(not expr.value, where) if isinstance(expr, ir.Truth) else ir.Not(expr, where)


def _apply(op: ArithOp, a: int, b: int) -> int:
    # Operands are at most MAX_VALUE, so even a product stays a small Python int before it is judged.
    match op:
        case ArithOp.ADD:
            return a + b
        case ArithOp.SUB:
            return a - b
        case ArithOp.MUL:
            return a * b
    assert_never(op)


def _big(value: int) -> str:
    text = str(value)
    return text if len(text) <= 25 else f"{text[:12]}... ({len(text.lstrip('-'))} digits)"


def check_rule(
    tree: syntax.Node, terms: Mapping[str, Term], *, hints: bool = True
) -> tuple[ir.BoolExpr | None, list[Problem]]:
    """The checked, lowered form of ``tree`` and no problems, or None and every problem found.

    ``terms`` maps each term's name to its :class:`~dealcheck.rules.terms.Term`. ``hints=False`` skips the
    did-you-mean searches (the loader's problems are past the number it shows).

    >>> from dealcheck.rules.terms import OptionsDomain, Term
    >>> terms = {"nato": Term("nato", 0, OptionsDomain(("member", "open_door", "neutral")))}
    >>> tree, _ = parse_rule('nato not in ["member"]')
    >>> check_rule(tree, terms)
    (Not(arg=InSet(arg=Var(index=0), values=frozenset({0}))), [])
    >>> tree, _ = parse_rule('nato == "neutrl"')
    >>> _, [problem] = check_rule(tree, terms)
    >>> problem.code, problem.message, problem.hint, (problem.where.start, problem.where.end)
    ('DC302', "'neutrl' is not an option of nato", "did you mean 'neutral'?", (8, 16))
    """
    problems: list[Problem] = []
    typed = _Checker(terms, problems, hints=hints).check(tree)
    if typed is not None and not isinstance(typed, _Cond):
        hint = "a rule is a condition: compare this with something"
        if isinstance(typed, _Opt):
            hint = f'compare it with one of its options: {typed.term.name} == "{typed.domain.options[0]}"'
        problems.append(
            Problem("DC303", f"a rule must be a condition, but {_show(tree)} is {_kind(typed)}", tree.where, hint)
        )
    if problems or not isinstance(typed, _Cond):
        problems.sort(key=lambda p: (p.where.start, p.where.end))
        return None, problems
    return typed.expr, problems


def compile_rule(
    text: str, terms: Mapping[str, Term] | Sequence[Term], *, hints: bool = True
) -> tuple[ir.BoolExpr | None, list[Problem]]:
    """Parse and check ``text``: its checked tree and no problems, or None and every problem found.

    ``terms`` is a mapping from name to term, or a sequence of terms.

    >>> from dealcheck.rules.terms import BoolDomain, IntDomain, Term
    >>> terms = [Term("minerals_deal", 0, BoolDomain()), Term("aid_bn", 1, IntDomain(0, 60))]
    >>> compile_rule("minerals_deal == false or aid_bn * 2 >= 30", terms)[0]
    Logic(op=<Connective.OR: 'or'>, operands=(Not(arg=IsTrue(index=0)), Compare(op=<CmpOp.GE: '>='>, \
left=Arith(op=<ArithOp.MUL: '*'>, left=Var(index=1), right=Const(value=2)), right=Const(value=30))))
    >>> [(p.code, p.hint) for p in compile_rule("Minerals_deal", terms)[1]]
    [('DC301', "did you mean 'minerals_deal'?")]
    """
    if not isinstance(terms, Mapping):
        terms = {t.name: t for t in terms}
    tree, problems = parse_rule(text)
    if tree is None:
        return None, problems
    return check_rule(tree, terms, hints=hints)
