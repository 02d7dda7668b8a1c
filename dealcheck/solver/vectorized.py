"""Batch checking: every rule of a scenario over many full packages held as columns, with numpy.

In: a :class:`~dealcheck.model.Scenario` and one column per term (values as a user writes them, or numpy arrays of
codes). Out: a :class:`BatchVerdict`: per rule a boolean column, a ``deal`` column, and per party an
``acceptable`` and a ``score`` column, with the same meaning as :meth:`Scenario.check` on each row.

Each rule reads one to three terms, so its truth is a small table over those terms' codes: a rule is computed once
per *row of its table* (with the compiled checker, so the meaning is the one every engine shares) and then looked
up for every package with one mixed-radix index and one ``take``. That costs the same for ``a == "x"`` as for
``count(a, b, c) >= 2 implies d``, and packages that share terms share the index. A rule whose table would be too
large (more than :data:`TABLE_LIMIT` rows) is evaluated node by node with numpy operations instead.

Rejected: evaluating every rule node by node (one numpy pass per node; about three times slower on typical rules)
and ``np.vectorize`` over the compiled checker (a Python call per package, no faster than a loop).

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
from dealcheck.rules.syntax import ArithOp, CmpOp, Connective
from dealcheck.rules.terms import OptionsDomain, Term, Value

if TYPE_CHECKING:
    import numpy as np

    from dealcheck.model import Scenario

__all__ = ["TABLE_LIMIT", "BatchVerdict", "check_many", "encode_columns"]

#: The most rows a rule's lookup table may have; wider rules are evaluated node by node.
TABLE_LIMIT = 1 << 15


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

    codes = encode_columns(scenario, columns)
    size = len(codes[0]) if codes else 0
    zero_based = [_zero_based(c, t) for c, t in zip(codes, scenario.terms, strict=True)]
    indices: dict[tuple[int, ...], np.ndarray] = {}
    rules: dict[str, np.ndarray] = {}
    acceptable: dict[str, np.ndarray] = {}
    score: dict[str, np.ndarray] = {}
    deal = np.ones(size, dtype=bool)
    for party in scenario.parties:
        ok = np.ones(size, dtype=bool)
        for rule in party.red_lines:
            held = rules[rule.ref] = _rule_column(rule.expr, scenario.terms, codes, zero_based, indices, size)
            ok &= held
        acceptable[party.id] = ok
        deal &= ok
        met = np.zeros(size, dtype=np.int64)
        for rule in party.demands:
            held = rules[rule.ref] = _rule_column(rule.expr, scenario.terms, codes, zero_based, indices, size)
            met += held * rule.weight
        total = party.total_weight
        score[party.id] = met / total if total else np.ones(size, dtype=np.float64)
    ordered = {r.ref: rules[r.ref] for r in scenario.rules()}
    return BatchVerdict(size, ordered, deal, acceptable, score)


def encode_columns(scenario: Scenario, columns: Mapping[str, Sequence[Value] | np.ndarray]) -> list[np.ndarray]:
    """Columns in term order as int64 numpy arrays of codes, checked against each term's domain."""
    import numpy as np

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
    return [np.ascontiguousarray(c, dtype=np.int64) for c in out]


def _encode(term: Term, column: Sequence[Value] | np.ndarray) -> np.ndarray:
    import numpy as np

    arr = np.asarray(column)
    if arr.ndim != 1:
        raise UsageError(f"the column of {term.name} must be one-dimensional, not of shape {arr.shape}", None)
    if arr.dtype.kind in "iub":  # codes (or integers, which are their own codes; booleans are 0/1)
        if isinstance(term.domain, OptionsDomain) and arr.dtype.kind == "b":
            raise UsageError(f"{term.name} takes options ({', '.join(term.domain.options)}), not booleans", None)
        codes = arr.astype(np.int64)
    elif len(arr) == 0:
        codes = np.zeros(0, dtype=np.int64)
    else:
        # Encode each distinct value once, then spread: a million strings cost one unique() and one take().
        uniques, inverse = np.unique(arr.astype(object), return_inverse=True)
        try:
            table = np.array([term.encode(_plain(u)) for u in uniques], dtype=np.int64)
        except ValueError as e:
            raise UsageError(str(e), None) from None
        codes = table[inverse.reshape(-1)]
    lo, hi = min(term.domain.codes), max(term.domain.codes)
    bad = (codes < lo) | (codes > hi)
    if bad.any():
        first = int(np.flatnonzero(bad)[0])
        raise UsageError(f"row {first}: code {int(codes[first])} is outside the domain of {term.name} ({lo}..{hi})",
                         None)
    return codes


def _plain(value: Any) -> Value:
    """A numpy scalar as the Python value ``Term.encode`` expects."""
    return value.item() if hasattr(value, "item") else value  # type: ignore[no-any-return]


def _zero_based(codes: np.ndarray, term: Term) -> np.ndarray:
    """Codes shifted to start at 0, in the smallest integer type that holds a table index."""
    import numpy as np

    lo = min(term.domain.codes)
    return (codes - lo).astype(np.int32 if term.size > 1 << 15 else np.int16)


# --- one rule over all packages -------------------------------------------------------------------------------


def _rule_column(
    expr: ir.BoolExpr,
    terms: Sequence[Term],
    codes: list[np.ndarray],
    zero_based: list[np.ndarray],
    indices: dict[tuple[int, ...], np.ndarray],
    size: int,
) -> np.ndarray:
    import numpy as np

    scope = tuple(sorted(ir.term_indices(expr)))
    sizes = [terms[t].size for t in scope]
    rows = math.prod(sizes)
    if rows > TABLE_LIMIT:
        return np.broadcast_to(_bool_col(expr, codes), (size,)).copy()
    table = _truth_table(expr, tuple((t, min(terms[t].domain.codes), terms[t].size) for t in scope), len(terms))
    if not scope:
        return np.full(size, bool(table[0]))
    index = indices.get(scope)
    if index is None:
        index = zero_based[scope[0]].astype(np.int32 if rows > 1 << 15 else np.int16)
        for t, s in zip(scope[1:], sizes[1:], strict=True):
            index = index * s + zero_based[t]  # mixed radix, last term fastest, as in the table
        indices[scope] = index
    return table.take(index)


@functools.lru_cache(maxsize=4096)
def _truth_table(expr: ir.BoolExpr, scope: tuple[tuple[int, int, int], ...], n_terms: int) -> np.ndarray:
    """``expr`` on every row of its terms' codes (``(index, lowest code, size)`` each), last term fastest."""
    import itertools

    import numpy as np

    from dealcheck.solver.compiled import compile_rules

    holds = compile_rules((expr,))
    env = [0] * n_terms
    out = []
    for row in itertools.product(*(range(lo, lo + s) for _, lo, s in scope)):
        for (t, _, _), code in zip(scope, row, strict=True):
            env[t] = code
        out.append(holds(tuple(env))[0])
    return np.array(out, dtype=bool)


# --- node by node, for rules too wide to tabulate ---------------------------------------------------------------

_CMP = {
    CmpOp.EQ: operator.eq,
    CmpOp.NE: operator.ne,
    CmpOp.LT: operator.lt,
    CmpOp.LE: operator.le,
    CmpOp.GT: operator.gt,
    CmpOp.GE: operator.ge,
}
_ARITH = {ArithOp.ADD: operator.add, ArithOp.SUB: operator.sub, ArithOp.MUL: operator.mul}


def _int_col(expr: ir.IntExpr, codes: list[np.ndarray]) -> Any:
    """An integer expression over all packages: an int64 array, or a scalar for a constant."""
    import numpy as np

    match expr:
        case ir.Const(value=c):
            return np.int64(c)
        case ir.Var(index=i):
            return codes[i]
        case ir.Arith(op=op, left=a, right=b):
            return _ARITH[op](_int_col(a, codes), _int_col(b, codes))
        case ir.Abs(arg=a):
            return np.abs(_int_col(a, codes))
        case ir.MinMax(is_max=is_max, args=args):
            return functools.reduce(np.maximum if is_max else np.minimum, [_int_col(x, codes) for x in args])
        case ir.Count(conditions=conds):
            return functools.reduce(operator.add, [np.asarray(_bool_col(c, codes), dtype=np.int64) for c in conds])
        case _:
            assert_never(expr)


def _bool_col(expr: ir.BoolExpr, codes: list[np.ndarray]) -> Any:
    """A condition over all packages: a bool array, or a numpy bool for a constant."""
    import numpy as np

    match expr:
        case ir.Truth(value=b):
            return np.bool_(b)
        case ir.IsTrue(index=i):
            return codes[i] == 1
        case ir.Compare(op=op, left=a, right=b):
            return _CMP[op](_int_col(a, codes), _int_col(b, codes))
        case ir.InSet(arg=a, values=vs):
            return np.isin(_int_col(a, codes), sorted(vs))
        case ir.Not(arg=a):
            return np.logical_not(_bool_col(a, codes))
        case ir.Logic(op=op, operands=xs):
            f = np.logical_and if op is Connective.AND else np.logical_or
            return functools.reduce(f, [_bool_col(x, codes) for x in xs])
        case ir.Implies(premise=p, conclusion=c):
            return np.logical_or(np.logical_not(_bool_col(p, codes)), _bool_col(c, codes))
        case _:
            assert_never(expr)

