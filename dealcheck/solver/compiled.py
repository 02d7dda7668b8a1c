"""A fast checker for full packages: the checked rules compiled to one Python function.

In: checked expressions (:mod:`dealcheck.rules.ir`). Out: ``check_all(v) -> tuple[bool, ...]``, the truth of every
rule on a full package given as a tuple of codes in term order.

The generated source is built only from what this module emits: ``v[3]``-style indices, integer literals written
with ``int.__repr__``, operators and the names ``abs``/``min``/``max``. No text a user wrote (term names, options,
rule text) ever reaches it, so compiling it is as safe as running the evaluator, and several times faster, which
matters to brute-force enumeration and to python-constraint, which call a rule once per candidate.

Deep rules are split into temporaries (``_t12 = ...``) so the generated source never nests deeper than Python's
parser allows. The rejected alternative, one closure per node, is as safe but about five times slower.

This module imports nothing heavy: a full-package check runs on it alone.
"""

from __future__ import annotations

import functools
import weakref
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, assert_never

from dealcheck.rules.evaluator import fold
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
from dealcheck.rules.terms import IntDomain, OptionsDomain

if TYPE_CHECKING:
    from dealcheck.model import Rule, Scenario
    from dealcheck.rules.terms import Term

__all__ = [
    "FullCheck",
    "RuleChecker",
    "compile_full_check",
    "compile_rule",
    "compile_rules",
    "rule_source",
    "scenario_checker",
]

_CMP = {CmpOp.EQ: "==", CmpOp.NE: "!=", CmpOp.LT: "<", CmpOp.LE: "<=", CmpOp.GT: ">", CmpOp.GE: ">="}
_ARITH = {ArithOp.ADD: "+", ArithOp.SUB: "-", ArithOp.MUL: "*"}
#: Beyond this nesting a sub-expression is hoisted into a temporary (CPython's parser stops at 200 parentheses).
_MAX_NESTING = 40
#: The only names generated code can see.
_GLOBALS = {"__builtins__": {}, "abs": abs, "min": min, "max": max}


def _int(value: int) -> str:
    # int.__repr__ on a real int: digits and an optional minus sign, whatever subclass or value came in.
    return f"({int.__repr__(int(value))})"


class _Emitter:
    """Turns expressions into Python expression text, hoisting deep parts into temporaries."""

    def __init__(self, name_of: Callable[[int], str]) -> None:
        self.name_of = name_of
        self.lines: list[str] = []
        self.temps = 0

    def expression(self, expr: Expr) -> str:
        text, _ = fold(expr, self._visit)
        return text

    def _visit(self, node: Expr, rs: list[tuple[str, int]]) -> tuple[str, int]:
        texts = [t for t, _ in rs]
        depth = 1 + max((d for _, d in rs), default=0)
        match node:
            case Const(value=c):
                out = _int(c)
            case Var(index=i):
                out = self.name_of(i)
            case Arith(op=op):
                out = f"({texts[0]} {_ARITH[op]} {texts[1]})"
            case Abs():
                out = f"abs({texts[0]})"
            case MinMax(is_max=is_max):
                out = texts[0] if len(texts) == 1 else f"{'max' if is_max else 'min'}({', '.join(texts)})"
            case Count():
                out = f"({' + '.join(texts)})" if texts else "(0)"
            case Truth(value=v):
                out = "True" if v else "False"
            case IsTrue(index=i):
                out = f"({self.name_of(i)} == 1)"
            case Compare(op=op):
                out = f"({texts[0]} {_CMP[op]} {texts[1]})"
            case InSet(values=values):
                members = ", ".join(_int(v) for v in sorted(values))
                out = f"({texts[0]} in {{{members}}})" if values else "False"
            case Not():
                out = f"(not {texts[0]})"
            case Logic(op=op):
                joiner = " and " if op is Connective.AND else " or "
                out = f"({joiner.join(texts)})"
            case Implies():
                out = f"((not {texts[0]}) or {texts[1]})"
            case _:
                assert_never(node)
        if depth >= _MAX_NESTING:
            # Hoisting evaluates this part eagerly; rules have no side effects and never raise, so only speed changes.
            name = f"_t{self.temps}"
            self.temps += 1
            self.lines.append(f"    {name} = {out}")
            return name, 0
        return out, depth


def _index_name(i: int) -> str:
    return f"v[{int(i)}]"


def _param_name(i: int) -> str:
    return f"x{int(i)}"


def rule_source(exprs: Sequence[BoolExpr]) -> str:
    """The Python source of ``check_all(v)`` for ``exprs``; shown for audits and tests.

    >>> print(rule_source([Compare(CmpOp.NE, Var(0), Const(2))]))
    def check_all(v):
        return ((v[0] != (2)),)
    """
    emitter = _Emitter(_index_name)
    parts = [emitter.expression(e) for e in exprs]
    body = "(" + "".join(p + ", " for p in parts).rstrip(" ") + ")"
    return "\n".join(["def check_all(v):", *emitter.lines, f"    return {body}"])


def _build(source: str, name: str) -> Callable[..., object]:
    namespace: dict[str, object] = {}
    # Safe: the source is generated from the checked tree (integer codes and indices only, formatted with int());
    # no rule text, name or option ever reaches it.
    exec(compile(source, "<dealcheck-compiled-rules>", "exec"), dict(_GLOBALS), namespace)
    return namespace[name]  # type: ignore[return-value]


@functools.lru_cache(maxsize=256)
def compile_rules(exprs: tuple[BoolExpr, ...]) -> Callable[[tuple[int, ...]], tuple[bool, ...]]:
    """One function giving the truth of every expression on a full package (a tuple of codes).

    >>> check = compile_rules((IsTrue(0), Compare(CmpOp.LT, Var(1), Const(3))))
    >>> check((1, 5))
    (True, False)
    """
    return _build(rule_source(exprs), "check_all")  # type: ignore[return-value]


@functools.lru_cache(maxsize=64)
def compile_value(expr: IntExpr) -> Callable[[tuple[int, ...]], int]:
    """A function of all terms' codes giving ``expr``'s value (what ``evaluate_int`` gives on a full assignment).

    >>> f = compile_value(Arith(ArithOp.SUB, Var(1), Var(0)))
    >>> f((2, 7))
    5
    """
    emitter = _Emitter(_index_name)
    body = emitter.expression(expr)
    return _build("\n".join(["def value(v):", *emitter.lines, f"    return 0 + {body}"]), "value")  # type: ignore[return-value]


def compile_rule(expr: BoolExpr, indices: Sequence[int]) -> Callable[..., bool]:
    """A function of the listed terms' codes, as positional arguments in that order, giving ``expr``'s truth.

    Every term ``expr`` reads must be listed. This is the shape python-constraint's ``FunctionConstraint`` calls.

    >>> f = compile_rule(Compare(CmpOp.GT, Var(4), Var(2)), [2, 4])
    >>> f(1, 3), f(3, 1)
    (True, False)
    """
    emitter = _Emitter(_param_name)
    body = emitter.expression(expr)
    params = ", ".join(_param_name(i) for i in indices)
    source = "\n".join([f"def rule({params}):", *emitter.lines, f"    return {body}"])
    return _build(source, "rule")  # type: ignore[return-value]


#: ``full_check(values) -> deal | None``; see :func:`compile_full_check`.
FullCheck = Callable[[Mapping[str, object]], "bool | None"]


def full_check_source(terms: Sequence[Term], red_lines: Sequence[BoolExpr]) -> str:
    """The Python source of ``full_check(values)`` (see :func:`compile_full_check`); shown for audits and tests.

    Term names and options never appear in it: term ``i``'s name is the namespace constant ``_N{i}`` and its
    value-to-code table ``_T{i}``, both bound by :func:`compile_full_check`.

    >>> from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term
    >>> terms = [Term("nato", 0, OptionsDomain(("member", "neutral"))), Term("aid", 1, IntDomain(0, 9)),
    ...          Term("truce", 2, BoolDomain())]
    >>> print(full_check_source(terms, [Compare(CmpOp.NE, Var(0), Const(0)), IsTrue(2)]))
    def full_check(values):
        if len(values) != 3:
            return None
        try:
            a0 = values[_N0]
            a1 = values[_N1]
            a2 = values[_N2]
        except (KeyError, TypeError):
            return None
        try:
            x0 = _T0[a0]
        except (KeyError, TypeError):
            return None
        if not (_bool is type(a2)):
            return None
        if not (_int is type(a1)):
            return None
        if not ((0) <= a1 <= (9)):
            return None
        if not ((x0 != (0))):
            return False
        if not ((a2 == 1)):
            return False
        return True
    """
    from dealcheck.rules.terms import BoolDomain, IntDomain

    def name_of(i: int) -> str:
        # Option terms are read by code (their table maps a name to its position); booleans and integers are their
        # own codes once their type and range are checked (True == 1), so they skip the table.
        return f"x{int(i)}" if isinstance(terms[i].domain, OptionsDomain) else f"a{int(i)}"

    emitter = _Emitter(name_of)
    bools = [t.index for t in terms if isinstance(t.domain, BoolDomain)]
    ints = [(t, t.domain) for t in terms if isinstance(t.domain, IntDomain)]
    lines = ["def full_check(values):", f"    if len(values) != {len(terms):d}:", "        return None"]
    if terms:
        lines += ["    try:"] + [f"        a{t.index:d} = values[_N{t.index:d}]" for t in terms]
        lines += ["    except (KeyError, TypeError):", "        return None"]
    options = [t.index for t in terms if isinstance(t.domain, OptionsDomain)]
    if options:
        lines += ["    try:"] + [f"        x{i:d} = _T{i:d}[a{i:d}]" for i in options]
        lines += ["    except (KeyError, TypeError):", "        return None"]
    # Exact types: a dictionary would take 1 for True, or True for 1 (equal and equally hashed), where
    # Term.encode refuses both; anything unusual (an int subclass, say) leaves the fast path for the exact one.
    if bools:
        lines += ["    if not (_bool is " + " is ".join(f"type(a{i:d})" for i in bools) + "):", "        return None"]
    if ints:
        lines += [
            "    if not (_int is " + " is ".join(f"type(a{t.index:d})" for t, _ in ints) + "):",
            "        return None",
        ]
        lines += [
            "    if not (" + " and ".join(f"{_int(d.lo)} <= a{t.index:d} <= {_int(d.hi)}" for t, d in ints) + "):",
            "        return None",
        ]
    for expr in red_lines:
        text = emitter.expression(expr)
        lines += emitter.lines
        emitter.lines = []
        # One test per red line, in a jump context (CPython specialises comparisons that feed a jump): the first
        # broken one settles ``deal``; the others are evaluated when the verdict's parties are first read.
        lines += [f"    if not ({text}):", "        return False"]
    lines.append("    return True")
    return "\n".join(lines)


def compile_full_check(terms: Sequence[Term], red_lines: Sequence[BoolExpr]) -> FullCheck:
    """``full_check(values)``: for a mapping that gives every term a valid value of the exact type (``str`` option,
    ``bool``, ``int`` in range) and names no other term, whether every red line holds; otherwise ``None`` (the
    caller then takes the exact path, which says what is wrong). One call validates and checks, and builds nothing
    (a tuple of 40 codes costs as much as checking 20 red lines): this is what makes ``Scenario.check`` cheap.

    >>> from dealcheck.rules.terms import BoolDomain, OptionsDomain, Term
    >>> terms = [Term("nato", 0, OptionsDomain(("member", "neutral"))), Term("truce", 1, BoolDomain())]
    >>> check = compile_full_check(terms, [Compare(CmpOp.NE, Var(0), Const(0))])
    >>> check({"nato": "neutral", "truce": True}), check({"nato": "member", "truce": False})
    (True, False)
    >>> check({"nato": "neutral", "truce": 1}), check({"nato": "neutral"}), check({"nato": "nope", "truce": True})
    (None, None, None)
    """

    namespace: dict[str, object] = dict(
        _GLOBALS, len=len, type=type, KeyError=KeyError, TypeError=TypeError, _bool=bool, _int=int
    )
    for t in terms:
        namespace[f"_N{t.index:d}"] = t.name
        if isinstance(t.domain, OptionsDomain):
            namespace[f"_T{t.index:d}"] = {option: code for code, option in enumerate(t.domain.options)}
    local: dict[str, object] = {}
    source = full_check_source(terms, red_lines)
    # Safe: names and option tables are bound as namespace constants (_N0, _T0, ...), never written into the source.
    exec(compile(source, "<dealcheck-compiled-full-check>", "exec"), namespace, local)
    return local["full_check"]  # type: ignore[return-value]


class _IntCodes(Mapping[Any, int]):
    """An integer range's value <-> code table (the code is the value) without a row per value: a range may hold
    2**62 values. Like the dicts of the other terms, only an exact ``int`` (not a ``bool``) in range is found."""

    def __init__(self, lo: int, hi: int) -> None:
        self.lo, self.hi = lo, hi

    def __getitem__(self, value: Any) -> int:
        if type(value) is int and self.lo <= value <= self.hi:
            return value
        raise KeyError(value)

    def __iter__(self) -> Iterator[Any]:
        return iter(range(self.lo, self.hi + 1))

    def __len__(self) -> int:
        return self.hi - self.lo + 1


class RuleChecker:
    """Every rule of a scenario compiled together, in ``scenario.rules()`` order (party by party, red lines first).

    With ``terms`` (the scenario's), :attr:`full_check` is also available: compiled on first use.
    """

    def __init__(self, rules: Sequence[Rule], terms: Sequence[Term] = ()) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.terms: tuple[Term, ...] = tuple(terms)
        self.check_all = compile_rules(tuple(r.expr for r in self.rules))

    @functools.cached_property
    def encoders(self) -> tuple[Mapping[Any, int], ...]:
        """Per term, value -> code (exact types assumed: a valid value's code in one look-up)."""
        return tuple(
            _IntCodes(t.domain.lo, t.domain.hi)
            if isinstance(t.domain, IntDomain)
            else {t.decode(c): c for c in t.domain.codes}
            for t in self.terms
        )

    @functools.cached_property
    def decoders(self) -> tuple[Mapping[int, Any], ...]:
        """Per term, code -> value."""
        return tuple(
            _IntCodes(t.domain.lo, t.domain.hi)
            if isinstance(t.domain, IntDomain)
            else {c: t.decode(c) for c in t.domain.codes}
            for t in self.terms
        )

    @functools.cached_property
    def reads(self) -> tuple[tuple[int, ...], ...]:
        """Per rule, the indices of the terms it reads, ascending."""
        return tuple(tuple(sorted(r.terms)) for r in self.rules)

    @functools.cached_property
    def full_check(self) -> FullCheck:
        from dealcheck.model import RuleKind

        return compile_full_check(self.terms, [r.expr for r in self.rules if r.kind is RuleKind.RED_LINE])

    def __call__(self, codes: Sequence[int]) -> dict[str, bool]:
        """Each rule's truth by ``party.id``."""
        return {r.ref: ok for r, ok in zip(self.rules, self.check_all(tuple(codes)), strict=True)}


# Keyed by id() with a weak reference to check identity: scenarios are not hashable (they hold mappings), and a
# strong cache would keep every scenario ever checked alive.
_SCENARIO_CACHE: dict[int, tuple[weakref.ref[Scenario], RuleChecker]] = {}
#: The last hit, as ``[weak reference, checker]`` (a dead reference returns None, which is no scenario).
_LAST: list[Any] = [lambda: None, None]


def scenario_checker(scenario: Scenario) -> RuleChecker:
    """The compiled checker of ``scenario``'s rules, built once per scenario object."""
    if _LAST[0]() is scenario:  # the same scenario as last time: the common case, in a loop of checks
        last: RuleChecker = _LAST[1]
        return last
    key = id(scenario)
    hit = _SCENARIO_CACHE.get(key)
    if hit is not None and hit[0]() is scenario:
        _LAST[:] = hit
        return hit[1]
    checker = RuleChecker(list(scenario.rules()), scenario.terms)

    def forget(dead: weakref.ref[Scenario], key: int = key) -> None:
        if _SCENARIO_CACHE.get(key, (None,))[0] is dead:
            del _SCENARIO_CACHE[key]

    ref = weakref.ref(scenario, forget)
    _SCENARIO_CACHE[key] = (ref, checker)
    _LAST[:] = (ref, checker)
    return checker
