"""Batch checking: every rule of a scenario over many full packages held as columns, with numpy.

In: a :class:`~dealcheck.model.Scenario` and one column per term (values as a user writes them, or numpy arrays of
codes). Out: a :class:`BatchVerdict`: per rule a boolean column, a ``deal`` column, and per party an
``acceptable`` and a ``score`` column, with the same meaning as :meth:`Scenario.check` on each row.

Each rule is evaluated node by node with numpy operations on the code columns, held as ``int16`` wherever every
value the rule can compute fits (interval bounds from :func:`dealcheck.rules.evaluator.bounds`), so a comparison
streams two bytes per package. ``x in [..]`` becomes one or two range comparisons when the codes are contiguous, a
few equalities when they are few, and a lookup otherwise. A rule with a large tree over few terms (more than
:data:`LOOKUP_NODES` nodes, at most :data:`TABLE_LIMIT` rows) is instead tabulated once with the compiled checker
and looked up per package with one mixed-radix index and one ``take``.

Rejected: looking every rule up in its table (general, but a ``take`` costs as much as thirty comparisons, so
simple rules got three times slower) and ``np.vectorize`` over the compiled checker (a Python call per package, no
faster than a loop).

numpy is imported inside the functions here, never when dealcheck is imported.
"""

from __future__ import annotations

import functools
import math
import operator
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, assert_never

import attrs

from dealcheck.errors import UsageError
from dealcheck.rules import ir
from dealcheck.rules.syntax import Connective
from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term, Value

if TYPE_CHECKING:
    import numpy as np

    from dealcheck.model import Scenario

__all__ = ["LOOKUP_NODES", "TABLE_LIMIT", "BatchVerdict", "check_many", "encode_columns"]

#: The most rows a rule's lookup table may have; wider rules are always evaluated node by node.
TABLE_LIMIT = 1 << 15
#: Rules with more nodes than this (and a small enough table) are looked up rather than evaluated node by node.
LOOKUP_NODES = 24
_SMALL = 30_000  # values within +-this are held as int16
_TINY = 120  # and within +-this as int8


@attrs.frozen(hash=False)
class BatchVerdict:
    """Verdicts on ``size`` packages, as columns (numpy arrays of length ``size``).

    ``rules`` maps each rule's ``party.id`` to whether it holds, in ``scenario.rules()`` order; ``deal`` is true
    where no red line is broken; ``acceptable`` (per party) where none of that party's red lines is broken; ``score``
    (per party) is met demand weight over total demand weight, 1.0 for a party without demands.
    """

    size: int
    rules: Mapping[str, np.ndarray]
    deal: np.ndarray
    acceptable: Mapping[str, np.ndarray]
    score: Mapping[str, np.ndarray]


def check_many(scenario: Scenario, columns: Mapping[str, Sequence[Value] | np.ndarray]) -> BatchVerdict:
    """Check many full packages at once. ``columns`` maps every term to its column of values or codes.

    A numpy array of integers or booleans is taken as codes (an option's position in its list, 0/1, the integer
    itself); anything else as values. ``UsageError`` for a missing or unknown term, a value outside its domain, or
    columns of different lengths.

    >>> from dealcheck.model import Party, Rule, RuleKind, Scenario, Term, OptionsDomain, BoolDomain
    >>> from dealcheck.rules.ir import CmpOp, Compare, Const, IsTrue, Var
    >>> s = Scenario("Toy", (Term("ceasefire", 0, OptionsDomain(("none", "energy", "full"))),
    ...                      Term("minerals", 1, BoolDomain())), (
    ...     Party("russia", "Russia", red_lines=(Rule("russia", "no_full", RuleKind.RED_LINE, 'ceasefire != "full"',
    ...         Compare(CmpOp.NE, Var(0), Const(2)), assumption="toy"),)),
    ...     Party("us", "US", demands=(Rule("us", "minerals", RuleKind.DEMAND, "minerals", IsTrue(1), weight=2,
    ...         assumption="toy"),)),
    ... ))
    >>> v = check_many(s, {"ceasefire": ["full", "energy", "none"], "minerals": [True, True, False]})
    >>> v.deal.tolist(), v.rules["russia.no_full"].tolist(), v.score["us"].tolist()
    ([False, True, True], [False, True, True], [1.0, 1.0, 0.0])
    """
    import numpy as np

    columns_ = _Columns(scenario, _encode_all(scenario, columns))
    size = columns_.size
    rules: dict[str, np.ndarray] = {}
    acceptable: dict[str, np.ndarray] = {}
    score: dict[str, np.ndarray] = {}
    deal = np.ones(size, dtype=bool)
    for party in scenario.parties:
        ok = np.ones(size, dtype=bool)
        for rule in party.red_lines:
            held = rules[rule.ref] = columns_.rule(rule.expr)
            ok &= held
        acceptable[party.id] = ok
        deal &= ok
        total = party.units(party.total_weight)  # integers: decimal weights count in the party's units
        # The narrowest type that holds the total: adding a demand's column streams one byte per package, not four.
        met = np.zeros(
            size,
            dtype=np.int8 if total < 2**7 else np.int16 if total < 2**15 else np.int32 if total < 2**31 else np.int64,
        )
        for rule in party.demands:
            held = rules[rule.ref] = columns_.rule(rule.expr)
            # In place and in met's type: ``met += held * w`` would allocate an int64 temporary per demand.
            weight = party.units(rule.weight)
            if weight == 1:
                np.add(met, held, out=met, casting="unsafe")
            else:
                np.add(met, np.multiply(held, weight, dtype=met.dtype), out=met)
        score[party.id] = np.divide(met, total) if total else np.ones(size, dtype=np.float64)
    ordered = {r.ref: rules[r.ref] for r in scenario.rules()}
    return BatchVerdict(size, ordered, deal, acceptable, score)


def encode_columns(scenario: Scenario, columns: Mapping[str, Sequence[Value] | np.ndarray]) -> list[np.ndarray]:
    """Columns in term order as numpy arrays of codes, checked against each term's domain, each in the narrowest
    integer type that holds its domain (``int8`` for options and booleans).

    Encode once and pass the result to :func:`check_many` as often as needed: the narrow columns are used as they
    are (a one-pass range check, no copy), which is the fast route; int64 columns cost a narrowing copy per call.

    >>> from dealcheck.model import Scenario, Term, OptionsDomain
    >>> s = Scenario("Toy", (Term("nato", 0, OptionsDomain(("member", "neutral"))),), ())
    >>> codes = encode_columns(s, {"nato": ["neutral", "member"]})[0]
    >>> codes.tolist(), str(codes.dtype)
    ([1, 0], 'int8')
    """
    return _encode_all(scenario, columns)


def _encode_all(scenario: Scenario, columns: Mapping[str, Sequence[Value] | np.ndarray]) -> list[np.ndarray]:
    for name in columns:
        scenario.term(name)  # an unknown term raises UsageError with a did-you-mean
    missing = [t.name for t in scenario.terms if t.name not in columns]
    if missing:
        raise UsageError(
            f"check_many needs a column for every term; missing: {', '.join(missing)}",
            "use Scenario.check for partial packages",
        )
    out = [_encode(t, columns[t.name]) for t in scenario.terms]
    sizes = {len(c) for c in out}
    if len(sizes) > 1:
        lengths = ", ".join(f"{t.name}={len(c)}" for t, c in zip(scenario.terms, out, strict=True))
        raise UsageError(f"the columns have different lengths ({lengths})", None)
    return out


def _encode(term: Term, column: Sequence[Value] | np.ndarray) -> np.ndarray:
    import numpy as np

    if isinstance(column, np.ndarray) and column.ndim != 1:
        raise UsageError(f"the column of {term.name} must be one-dimensional, not of shape {column.shape}", None)
    if isinstance(column, np.ndarray) and column.dtype.kind in "iub":
        # Codes: an option's position, 0/1 for a boolean, the integer itself for an integer term.
        if isinstance(term.domain, OptionsDomain) and column.dtype.kind == "b":
            raise UsageError(f"{term.name} takes options ({', '.join(term.domain.options)}), not booleans", None)
        codes = column
    else:
        codes = _encode_values(term, column)
    lo, hi = term.domain.codes[0], term.domain.codes[-1]
    if len(codes) and _outside(codes, lo, hi):
        bad = (codes < lo) | (codes > hi)
        first = int(np.flatnonzero(bad)[0])
        raise UsageError(
            f"row {first}: code {int(codes[first])} is outside the domain of {term.name} ({lo}..{hi})", None
        )
    # The narrowest type that holds the domain; no copy when the column already has it (a simulation holding codes
    # as int8 pays nothing here but the range check above).
    width = np.int8 if -_TINY <= lo and hi <= _TINY else np.int16 if -_SMALL <= lo and hi <= _SMALL else np.int64
    return codes.astype(width, copy=False)


def _outside(codes: np.ndarray, lo: int, hi: int) -> bool:
    """Whether any code lies outside ``lo..hi``; one pass rather than two when ``lo`` is 0 (most domains)."""
    import numpy as np

    if lo == 0 and codes.dtype.kind in "iu":
        # Seen as unsigned, a negative code is huge, so one maximum checks both ends.
        return bool(codes.view(np.dtype(f"u{codes.dtype.itemsize}")).max() > hi)
    return bool(codes.min() < lo or codes.max() > hi)


def _encode_values(term: Term, column: Sequence[Value] | np.ndarray) -> np.ndarray:
    """Values as a user writes them, one dictionary look-up each (``Term.encode`` only to word an error)."""
    import numpy as np

    values = column.tolist() if isinstance(column, np.ndarray) else column
    lookup: Mapping[Any, int]
    match term.domain:
        case OptionsDomain(options=options):
            lookup = {o: i for i, o in enumerate(options)}
        case BoolDomain():
            lookup = {True: 1, False: 0}
        case IntDomain(lo=lo, hi=hi):
            lookup = _IntCodes(lo, hi)
    try:
        if isinstance(term.domain, OptionsDomain):
            codes = np.fromiter((lookup[v] for v in values), dtype=np.int64, count=len(values))
        elif isinstance(term.domain, BoolDomain):  # ``1 == True`` as a key, so check the type too
            codes = np.fromiter(
                (lookup[v] if v is True or v is False else lookup[None] for v in values),
                dtype=np.int64,
                count=len(values),
            )
        else:
            codes = np.fromiter((lookup[v] for v in values), dtype=np.int64, count=len(values))
    except (KeyError, TypeError):
        for row, v in enumerate(values):
            try:
                term.encode(v)
            except ValueError as e:
                raise UsageError(f"row {row}: {e}", None) from None
        raise  # pragma: no cover - every failing look-up fails encode too
    return codes


class _IntCodes(dict):  # type: ignore[type-arg]
    """``{i: i}`` for the integers ``lo..hi``, without building it: bools and other types are missing."""

    def __init__(self, lo: int, hi: int) -> None:
        super().__init__()
        self.lo, self.hi = lo, hi

    def __missing__(self, v: Any) -> int:
        if type(v) is int and self.lo <= v <= self.hi:
            return v
        raise KeyError(v)


class _Columns:
    """The code columns of one batch, and how to compute one rule over them."""

    def __init__(self, scenario: Scenario, codes: list[np.ndarray]) -> None:
        if not _INT:
            _int_types()
        self.terms = scenario.terms
        self.size = len(codes[0]) if codes else 0
        self.codes = codes  # int8 or int16 where the domain fits, else int64
        self.bounds = [(t.domain.codes[0], t.domain.codes[-1]) for t in self.terms]
        self._wide: dict[tuple[int, int], np.ndarray] = {}
        self._indices: dict[tuple[int, ...], np.ndarray] = {}

    def column(self, i: int, bits: int) -> np.ndarray:
        """Term ``i``'s codes in an integer type of at least ``bits`` bits (widened once per batch if need be)."""

        c = self.codes[i]
        if c.dtype.itemsize * 8 >= bits:
            return c
        if (i, bits) not in self._wide:
            self._wide[(i, bits)] = c.astype(_INT[bits])
        return self._wide[(i, bits)]

    def rule(self, expr: ir.BoolExpr) -> np.ndarray:
        """Whether ``expr`` holds, per package: a fresh bool array of ``size``."""
        import numpy as np

        scope = tuple(sorted(ir.term_indices(expr)))
        rows = math.prod(self.terms[t].size for t in scope)
        if rows <= TABLE_LIMIT and _node_count(expr) > LOOKUP_NODES:
            return self._lookup(expr, scope)
        # The narrowest integer type every value the rule computes fits in: comparisons on int8 codes stream one
        # byte per package.
        scope_bounds = tuple(self.bounds[t] for t in scope)
        bits = 8 if _fits(expr, scope_bounds, scope, _TINY) else 16 if _fits(expr, scope_bounds, scope, _SMALL) else 64
        out = _Eval(self, bits).bool_col(expr)
        if isinstance(out, np.ndarray) and out.shape == (self.size,):
            return out if out.base is None else out.copy()
        return np.full(self.size, bool(out))

    def _lookup(self, expr: ir.BoolExpr, scope: tuple[int, ...]) -> np.ndarray:
        import numpy as np

        table = _truth_table(expr, tuple((t, *self.bounds[t]) for t in scope), len(self.terms))
        if not scope:
            return np.full(self.size, bool(table[0]))
        index = self._indices.get(scope)
        if index is None:
            index = np.zeros(self.size, dtype=np.intp)
            for t in scope:  # mixed radix, last term fastest, as in the table
                lo, hi = self.bounds[t]
                index *= hi - lo + 1
                index += self.codes[t]
                if lo:
                    index -= lo
            self._indices[scope] = index
        return table.take(index)


@functools.lru_cache(maxsize=4096)
def _node_count(expr: ir.Expr) -> int:
    from dealcheck.rules.evaluator import fold

    return fold(expr, lambda node, kids: 1 + sum(kids))


@functools.lru_cache(maxsize=4096)
def _fits(expr: ir.BoolExpr, scope_bounds: tuple[tuple[int, int], ...], scope: tuple[int, ...], limit: int) -> bool:
    """Whether every integer the rule computes stays within ``-limit..limit`` (checked on intervals, so sound)."""
    from dealcheck.rules.evaluator import bounds as interval
    from dealcheck.rules.evaluator import fold

    if any(lo < -limit or hi > limit for lo, hi in scope_bounds):
        return False
    n = max(scope, default=-1) + 1
    open_codes: list[int | None] = [None] * n
    bounds = [(0, 0)] * n
    for t, b in zip(scope, scope_bounds, strict=True):
        bounds[t] = b

    def visit(node: ir.Expr, kids: list[bool]) -> bool:
        ok = all(kids)
        if ok and isinstance(node, ir.Const | ir.Arith | ir.Abs | ir.MinMax | ir.Count):
            b = interval(node, open_codes, bounds)
            ok = b is not None and -limit <= b[0] and b[1] <= limit
        return ok

    return fold(expr, visit)


@functools.lru_cache(maxsize=4096)
def _truth_table(expr: ir.BoolExpr, scope: tuple[tuple[int, int, int], ...], n_terms: int) -> np.ndarray:
    """``expr`` on every row of its terms' codes (``(index, lo, hi)`` each), last term fastest."""
    import itertools

    import numpy as np

    from dealcheck.solver.compiled import compile_rules

    holds = compile_rules((expr,))
    env = [0] * n_terms
    out = []
    for row in itertools.product(*(range(lo, hi + 1) for _, lo, hi in scope)):
        for (t, _, _), code in zip(scope, row, strict=True):
            env[t] = code
        out.append(holds(tuple(env))[0])
    return np.array(out, dtype=bool)


# --- node by node -------------------------------------------------------------------------------------------------

_INT: dict[int, Any] = {}  # bits -> numpy integer type, filled on first use (numpy loads lazily)


def _int_types() -> None:
    import numpy as np

    _INT.update({8: np.int8, 16: np.int16, 64: np.int64})


_CMP = ir.CMP_FUNCTIONS
_ARITH = ir.ARITH_FUNCTIONS


class _Eval:
    """One rule over all packages. Results are arrays, or plain Python values where no term is read."""

    def __init__(self, columns: _Columns, bits: int) -> None:
        self.columns = columns
        self.bits = bits
        self.dtype = _INT[bits]

    def int_col(self, expr: ir.IntExpr) -> Any:
        import numpy as np

        match expr:
            case ir.Const(value=c):
                return c
            case ir.Var(index=i):
                return self.columns.column(i, self.bits)
            case ir.Arith(op=op, left=a, right=b):
                return _ARITH[op](self.int_col(a), self.int_col(b))
            case ir.Abs(arg=a):
                return abs(self.int_col(a))
            case ir.MinMax(is_max=is_max, args=args):
                vals = [self.int_col(x) for x in args]
                if not any(isinstance(v, np.ndarray) for v in vals):
                    return (max if is_max else min)(vals)
                return functools.reduce(np.maximum if is_max else np.minimum, vals)
            case ir.Count(conditions=conds):
                total: Any = 0
                for cond in conds:
                    held = self.bool_col(cond)
                    total = total + (held.astype(self.dtype) if isinstance(held, np.ndarray) else int(held))
                return total
            case _:
                assert_never(expr)

    def bool_col(self, expr: ir.BoolExpr) -> Any:
        import numpy as np

        match expr:
            case ir.Truth(value=b):
                return b
            case ir.IsTrue(index=i):
                return self.columns.column(i, self.bits) == 1
            case ir.Compare(op=op, left=a, right=b):
                return _CMP[op](self.int_col(a), self.int_col(b))
            case ir.InSet(arg=a, values=vs):
                return self.in_set(a, vs)
            case ir.Not(arg=a):
                held = self.bool_col(a)
                return ~held if isinstance(held, np.ndarray) else not held
            case ir.Logic(op=op, operands=xs):
                vals = [self.bool_col(x) for x in xs]
                if op is Connective.AND:
                    return functools.reduce(
                        lambda p, q: p & q if isinstance(p, np.ndarray) or isinstance(q, np.ndarray) else p and q, vals
                    )
                return functools.reduce(
                    lambda p, q: p | q if isinstance(p, np.ndarray) or isinstance(q, np.ndarray) else p or q, vals
                )
            case ir.Implies(premise=p, conclusion=c):
                premise, conclusion = self.bool_col(p), self.bool_col(c)
                if not isinstance(premise, np.ndarray):
                    return conclusion if premise else True
                if not isinstance(conclusion, np.ndarray):
                    return True if conclusion else ~premise
                return ~premise | conclusion
            case _:
                assert_never(expr)

    def in_set(self, arg: ir.IntExpr, values: frozenset[int]) -> Any:
        import numpy as np

        x = self.int_col(arg)
        if not isinstance(x, np.ndarray):
            return x in values
        if not values:
            return False
        vs = sorted(values)
        lo, hi = self.columns.bounds[arg.index] if isinstance(arg, ir.Var) else (None, None)
        if vs[-1] - vs[0] == len(vs) - 1:  # contiguous: one or two comparisons
            need_lo = lo is None or vs[0] > lo
            need_hi = hi is None or vs[-1] < hi
            if need_lo and need_hi:
                return (x >= vs[0]) & (x <= vs[-1])
            if need_lo:
                return x >= vs[0]
            if need_hi:
                return x <= vs[-1]
            return np.ones(self.columns.size, dtype=bool)
        if len(vs) <= 4:
            return functools.reduce(operator.or_, [x == v for v in vs])
        if lo is not None and hi is not None and hi - lo < TABLE_LIMIT:
            table = np.array([c in values for c in range(lo, hi + 1)], dtype=bool)
            return table.take(x - lo if lo else x)
        return np.isin(x, vs)
