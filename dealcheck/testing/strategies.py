"""Hypothesis strategies for dealcheck: random scenarios, rules, packages and deals, built from model classes.

In: size bounds. Out: valid :class:`~dealcheck.model.Scenario` objects whose rules are checked trees
(:mod:`dealcheck.rules.ir`) exactly as the checker makes them, with rule text that reads back to the same tree
(:func:`dealcheck.rules.printer.format_expr`), so a generated scenario is what loading a file would give. No YAML
is involved, so engines and the evaluator can be tested against each other on many small models. Kept small by
default (a few terms of a few values each) so that brute force stays the reference.

Shrinking: every choice is drawn so that hypothesis shrinks toward *fewer* terms, parties, rules and packages,
*smaller* domains, and *simpler* rules (a rule shrinks to an atom such as ``t0 == "o0"`` or ``true`` before a
compound one; integer expressions shrink to constants). Packages shrink toward each term's first value, partial
packages toward leaving terms open, and deals toward the lexicographically smallest deal.

>>> from hypothesis import given, settings
>>> @settings(max_examples=10)
... @given(scenarios())
... def test(scenario):
...     assert all(r.expr is not None for r in scenario.rules())
>>> test()
"""

from __future__ import annotations

import functools
import operator
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import hypothesis
from hypothesis import strategies as st

from dealcheck.model import Package, Party, Rule, RuleKind, Scenario
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
from dealcheck.rules.printer import format_expr
from dealcheck.rules.terms import BoolDomain, Domain, IntDomain, OptionsDomain, Term, Value

if TYPE_CHECKING:
    from dealcheck.solver.session import Session

__all__ = ["codes", "deals", "domains", "packages", "rules", "scenarios", "terms"]

_EQUALITY = (CmpOp.EQ, CmpOp.NE)
_ALL_CMP = tuple(CmpOp)
_HOLDS: dict[CmpOp, Callable[[int, int], bool]] = {
    CmpOp.EQ: lambda a, b: a == b,
    CmpOp.NE: lambda a, b: a != b,
    CmpOp.LT: lambda a, b: a < b,
    CmpOp.LE: lambda a, b: a <= b,
    CmpOp.GT: lambda a, b: a > b,
    CmpOp.GE: lambda a, b: a >= b,
}
_APPLY: dict[ArithOp, Callable[[int, int], int]] = {
    ArithOp.ADD: lambda a, b: a + b,
    ArithOp.SUB: lambda a, b: a - b,
    ArithOp.MUL: lambda a, b: a * b,
}


def domains(*, max_options: int = 4, max_int_width: int = 5, kinds: str = "obi") -> st.SearchStrategy[Domain]:
    """Term domains: options named ``o0``, ``o1``, ... (ordered or not), booleans, small integer ranges.

    ``kinds`` picks among options (``o``), booleans (``b``) and integers (``i``); an integer range has at most
    ``max_int_width`` values, between -3 and 3 + width. Shrinks toward a boolean, then toward two unordered
    options, then toward narrow ranges near zero.

    >>> from hypothesis import find
    >>> find(domains(), lambda d: True)
    BoolDomain()
    >>> find(domains(kinds="o"), lambda d: True)
    OptionsDomain(options=('o0', 'o1'), ordered=False)
    """
    choices: list[st.SearchStrategy[Domain]] = []
    if "b" in kinds:
        choices.append(st.just(BoolDomain()))
    if "o" in kinds:
        choices.append(
            st.builds(
                lambda n, ordered: OptionsDomain(tuple(f"o{k}" for k in range(n)), ordered),
                st.integers(2, max(2, max_options)),
                st.booleans(),
            )
        )
    if "i" in kinds:
        choices.append(
            st.builds(
                lambda lo, width: IntDomain(lo, lo + width),
                st.integers(-3, 3),
                st.integers(0, max(0, max_int_width - 1)),
            )
        )
    if not choices:
        raise ValueError(f"kinds={kinds!r} names no domain kind: use some of 'o' (options), 'b' (bool), 'i' (int)")
    return st.one_of(choices)


def terms(*, max_terms: int = 4, min_terms: int = 1, **domain_options: Any) -> st.SearchStrategy[tuple[Term, ...]]:
    """Between ``min_terms`` and ``max_terms`` terms named ``t0``, ``t1``, ...; ``domain_options`` go to
    :func:`domains`. Shrinks toward ``min_terms`` terms of two options.

    >>> from hypothesis import find
    >>> [t.name for t in find(terms(), lambda ts: len(ts) > 2)]
    ['t0', 't1', 't2']
    """
    return st.lists(domains(**domain_options), min_size=min_terms, max_size=max(min_terms, max_terms)).map(
        lambda ds: tuple(Term(f"t{i}", i, d) for i, d in enumerate(ds))
    )


# --- rules ---------------------------------------------------------------------------------------------------
# Each constructor below folds exactly where the checker folds (constants in arithmetic, comparisons and `in`,
# `not true`), so every generated tree is one the checker can produce, and printing it then checking the text gives
# the same tree back. The strategies are composites that draw plain choices: building nested ``one_of``/``builds``
# strategies per rule made hypothesis re-validate a large strategy tree on every draw (seconds per example).


def _arith(op: ArithOp, a: IntExpr, b: IntExpr) -> IntExpr:
    if isinstance(a, Const) and isinstance(b, Const):
        return Const(_APPLY[op](a.value, b.value))
    return Arith(op, a, b)


def _abs(a: IntExpr) -> IntExpr:
    return Const(abs(a.value)) if isinstance(a, Const) else Abs(a)


def _minmax(is_max: bool, args: tuple[IntExpr, ...]) -> IntExpr:
    if all(isinstance(a, Const) for a in args):
        values = [a.value for a in args if isinstance(a, Const)]
        return Const(max(values) if is_max else min(values))
    return MinMax(is_max, args)


def _compare(op: CmpOp, a: IntExpr, b: IntExpr) -> BoolExpr:
    if isinstance(a, Const) and isinstance(b, Const):
        return Truth(_HOLDS[op](a.value, b.value))
    return Compare(op, a, b)


def _in(a: IntExpr, values: frozenset[int]) -> BoolExpr:
    return Truth(a.value in values) if isinstance(a, Const) else InSet(a, values)


def _not(a: BoolExpr) -> BoolExpr:
    return Truth(not a.value) if isinstance(a, Truth) else Not(a)


@st.composite
def _int_exprs(draw: st.DrawFn, scenario_terms: tuple[Term, ...], depth: int) -> IntExpr:
    ints = [t.index for t in scenario_terms if isinstance(t.domain, IntDomain)]
    kind = draw(st.integers(0, 7 if depth > 0 else 1))
    if kind == 1 and ints:
        return Var(draw(st.sampled_from(ints)))
    if kind <= 1:
        return Const(draw(st.integers(-4, 4)))
    sub = _int_exprs(scenario_terms, depth - 1)
    match kind:
        case 2:
            return _arith(ArithOp.ADD, draw(sub), draw(sub))
        case 3:
            return _arith(ArithOp.SUB, draw(sub), draw(sub))
        case 4:  # the checker allows ``*`` only with a constant side
            c, e = Const(draw(st.integers(-3, 3))), draw(sub)
            return _arith(ArithOp.MUL, c, e) if draw(st.booleans()) else _arith(ArithOp.MUL, e, c)
        case 5:
            return _abs(draw(sub))
        case 6:
            return _minmax(draw(st.booleans()), tuple(draw(sub) for _ in range(draw(st.integers(1, 3)))))
        case _:
            cond = _bool_exprs(scenario_terms, depth - 1)
            return Count(tuple(draw(cond) for _ in range(draw(st.integers(1, 3)))))


@st.composite
def _atoms(draw: st.DrawFn, scenario_terms: tuple[Term, ...]) -> BoolExpr:
    """A condition on one term (or two option terms with the same options), typed as the checker types it, or a
    constant."""
    pick = draw(st.integers(0, len(scenario_terms)))
    if pick == len(scenario_terms):
        return Truth(draw(st.booleans()))
    t = scenario_terms[pick]
    shape = draw(st.integers(0, 2))
    match t.domain:
        case OptionsDomain(options=options, ordered=ordered):
            n = len(options)
            if shape == 1:
                return InSet(Var(t.index), frozenset(draw(st.sets(st.integers(0, n - 1), max_size=n))))
            twins = [
                u
                for u in scenario_terms
                if u is not t and isinstance(u.domain, OptionsDomain) and u.domain.options == options
            ]
            if shape == 2 and twins:
                other = draw(st.sampled_from(twins))
                both_ordered = ordered and isinstance(other.domain, OptionsDomain) and other.domain.ordered
                op = draw(st.sampled_from(_ALL_CMP if both_ordered else _EQUALITY))
                return Compare(op, Var(t.index), Var(other.index))
            op = draw(st.sampled_from(_ALL_CMP if ordered else _EQUALITY))
            code = Const(draw(st.integers(0, n - 1)))
            return Compare(op, code, Var(t.index)) if shape == 2 else Compare(op, Var(t.index), code)
        case BoolDomain():
            return IsTrue(t.index)
        case IntDomain(lo=lo, hi=hi):
            if shape == 1:
                return InSet(Var(t.index), frozenset(draw(st.sets(st.integers(lo - 1, hi + 1), max_size=4))))
            return Compare(draw(st.sampled_from(_ALL_CMP)), Var(t.index), Const(draw(st.integers(lo - 1, hi + 1))))
    raise AssertionError(t.domain)  # pragma: no cover


@st.composite
def _bool_exprs(draw: st.DrawFn, scenario_terms: tuple[Term, ...], depth: int) -> BoolExpr:
    kind = draw(st.integers(0, 5 if depth > 0 else 0))
    if kind == 0:
        return draw(_atoms(scenario_terms))
    sub = _bool_exprs(scenario_terms, depth - 1)
    ints = _int_exprs(scenario_terms, depth - 1)
    match kind:
        case 1:
            return _not(draw(sub))
        case 2:  # the parser makes a Logic node only from two or more operands
            op = draw(st.sampled_from(tuple(Connective)))
            return Logic(op, tuple(draw(sub) for _ in range(draw(st.integers(2, 3)))))
        case 3:
            return Implies(draw(sub), draw(sub))
        case 4:
            return _compare(draw(st.sampled_from(_ALL_CMP)), draw(ints), draw(ints))
        case _:
            return _in(draw(ints), frozenset(draw(st.frozensets(st.integers(-4, 4), max_size=4))))


def rules(scenario: Scenario | tuple[Term, ...], *, max_depth: int = 3) -> st.SearchStrategy[BoolExpr]:
    """Well-typed checked conditions over the scenario's terms (or a tuple of terms), nested at most ``max_depth``
    deep: comparisons, ``in`` sets, ``not``/``and``/``or``/``implies``, arithmetic, ``abs``, ``min``/``max``,
    ``count``, folded where the checker folds, so ``format_expr`` then ``compile_rule`` gives the same tree back.

    Shrinks toward an atom (one term compared with a constant) and then toward ``true``/``false``.

    >>> from hypothesis import find
    >>> from dealcheck.rules.terms import IntDomain, Term
    >>> from dealcheck.rules.printer import format_expr
    >>> aid = (Term("aid", 0, IntDomain(0, 9)),)
    >>> format_expr(find(rules(aid), lambda e: isinstance(e, Compare)), aid)
    'aid == 0'
    >>> format_expr(find(rules(aid), lambda e: isinstance(e, Logic)), aid)
    'aid == 0 and aid == 0'
    """
    scenario_terms = scenario.terms if isinstance(scenario, Scenario) else scenario
    return _bool_exprs(scenario_terms, max_depth)


# --- scenarios -----------------------------------------------------------------------------------------------


@st.composite
def _parties(
    draw: st.DrawFn, scenario_terms: tuple[Term, ...], max_parties: int, max_rules: int, max_depth: int, max_weight: int
) -> tuple[Party, ...]:
    n = draw(st.integers(1, max(1, max_parties)))
    parties = []
    for p in range(n):
        pid = f"p{p}"

        def make(kind: RuleKind, prefix: str, pid: str = pid) -> tuple[Rule, ...]:
            out = []
            for k in range(draw(st.integers(0, max_rules))):
                expr = draw(rules(scenario_terms, max_depth=max_depth))
                weight = draw(st.integers(1, max(1, max_weight))) if kind is RuleKind.DEMAND else 1
                text = format_expr(expr, scenario_terms)
                out.append(Rule(pid, f"{prefix}{k}", kind, text, expr, weight=weight, assumption="generated"))
            return tuple(out)

        parties.append(
            Party(pid, f"Party {p}", red_lines=make(RuleKind.RED_LINE, "r"), demands=make(RuleKind.DEMAND, "d"))
        )
    return tuple(parties)


@st.composite
def scenarios(
    draw: st.DrawFn,
    *,
    max_terms: int = 4,
    max_parties: int = 3,
    max_rules: int = 2,
    max_depth: int = 2,
    max_options: int = 4,
    max_int_width: int = 4,
    max_weight: int = 3,
    kinds: str = "obi",
    min_packages: int = 1,
    max_packages: int = 1,
    partial: bool = True,
) -> Scenario:
    """Small valid scenarios.

    - up to ``max_terms`` terms ``t0``, ``t1``, ... (options ``o0``, ``o1``, ... up to ``max_options``, booleans,
      integer ranges of up to ``max_int_width`` values; ``kinds`` as in :func:`domains`);
    - one to ``max_parties`` parties ``p0``, ``p1``, ..., each with up to ``max_rules`` red lines ``r0``, ... and up
      to ``max_rules`` demands ``d0``, ... (weights 1 to ``max_weight``), rules nested up to ``max_depth``, each with
      its text as :func:`~dealcheck.rules.printer.format_expr` writes it and an assumption as its reason;
    - between ``min_packages`` and ``max_packages`` packages: the first is called ``given``, the others ``k1``,
      ``k2``, ...; partial (some terms open) when ``partial``, else full.

    The default, one possibly partial package ``given``, is what dealcheck's own engine tests check.
    Shrinks toward one (boolean) term, one party with no rules, simple rules, and packages with every term open.

    >>> from hypothesis import find
    >>> s = find(scenarios(kinds="i"), lambda s: any(isinstance(r.expr, Compare) for r in s.red_lines()))
    >>> [t.name for t in s.terms], [r.text for r in s.red_lines()], s.packages[0].values
    (['t0'], ['t0 == 0'], {})
    """
    scenario_terms = draw(terms(max_terms=max_terms, max_options=max_options, max_int_width=max_int_width, kinds=kinds))
    parties = draw(_parties(scenario_terms, max_parties, max_rules, max_depth, max_weight))
    bare = Scenario("Generated", scenario_terms, parties, path="<generated>")
    count = draw(st.integers(min_packages, max(min_packages, max_packages)))
    chosen = tuple(Package("given" if k == 0 else f"k{k}", draw(packages(bare, partial=partial))) for k in range(count))
    return Scenario("Generated", scenario_terms, parties, packages=chosen, path="<generated>")


# --- packages and deals --------------------------------------------------------------------------------------


def codes(scenario: Scenario, *, partial: bool = False) -> st.SearchStrategy[tuple[int | None, ...]]:
    """Packages as codes in term order (``None`` for open terms when ``partial``). Shrinks toward each term's first
    code and, when partial, toward open terms.

    >>> from hypothesis import find
    >>> from dealcheck.rules.terms import BoolDomain, Term
    >>> s = Scenario("s", (Term("a", 0, BoolDomain()), Term("b", 1, BoolDomain())), ())
    >>> find(codes(s), lambda c: True), find(codes(s, partial=True), lambda c: True)
    ((0, 0), (None, None))
    """
    per_term = []
    for t in scenario.terms:
        # A wide range is drawn as an offset from its first value (it may hold 2**62 values: no list of them).
        values: st.SearchStrategy[int | None] = (
            st.integers(0, t.domain.hi - t.domain.lo).map(functools.partial(operator.add, t.domain.lo))
            if isinstance(t.domain, IntDomain) and t.size > 4096
            else st.sampled_from(tuple(t.domain.codes))
        )
        per_term.append(st.one_of(st.none(), values) if partial else values)
    return st.tuples(*per_term)


def packages(scenario: Scenario, *, partial: bool = False) -> st.SearchStrategy[dict[str, Value]]:
    """Packages as ``{term name: value}``: full, or with some terms left out when ``partial``. Shrinks toward each
    term's first value and, when partial, toward leaving terms out.

    >>> from hypothesis import find
    >>> from dealcheck.rules.terms import IntDomain, OptionsDomain, Term
    >>> s = Scenario("s", (Term("aid", 0, IntDomain(0, 60)), Term("nato", 1, OptionsDomain(("no", "yes")))), ())
    >>> find(packages(s), lambda p: p["aid"] > 10)
    {'aid': 11, 'nato': 'no'}
    >>> find(packages(s, partial=True), lambda p: "nato" in p)
    {'nato': 'no'}
    """
    return codes(scenario, partial=partial).map(scenario.decode)


class _DealFinder:
    """The deals of one scenario (within fixed codes), asked of CP-SAT through one session built on first use."""

    def __init__(self, scenario: Scenario, fixed: tuple[int | None, ...]) -> None:
        self.scenario = scenario
        self.fixed = fixed
        self._session: Session | None = None
        self._smallest: tuple[int, ...] | bool | None = False  # False: not asked yet

    def session(self) -> Session:
        if self._session is None:
            from dealcheck.solver.session import Constraints, open_session

            self._session = open_session("cpsat", Constraints.from_scenario(self.scenario, fixed=self.fixed))
        return self._session

    def smallest(self) -> tuple[int, ...] | None:
        """The lexicographically smallest deal, or ``None`` when there is none."""
        if self._smallest is False:
            self._smallest = self.session().lexmin().solution
        assert self._smallest is not True
        return self._smallest

    def nearest(self, target: tuple[int, ...]) -> tuple[int, ...]:
        """The deal that agrees with ``target`` on the most terms; the lexicographically smallest among those."""
        session = self.session()
        agree = Count(tuple(Compare(CmpOp.EQ, Var(i), Const(c)) for i, c in enumerate(target))) if target else Const(0)
        best = session.maximise(agree)
        if best.solution is None:  # pragma: no cover - only reached after smallest() found a deal
            raise AssertionError("a scenario with a deal has no nearest deal")
        reached = sum(1 for i, c in enumerate(target) if best.solution[i] == c)
        found = session.lexmin([Compare(CmpOp.EQ, agree, Const(reached))]).solution
        assert found is not None
        return found


def deals(scenario: Scenario, *, within: Mapping[str, Value] | None = None) -> st.SearchStrategy[dict[str, Value]]:
    """Full packages every party accepts (breaking no red line), completing ``within`` if given, drawn through
    CP-SAT rather than by listing every package, so it works on scenarios far too large to enumerate.

    Each draw picks a target package with hypothesis, then asks CP-SAT for the deal nearest to it: the one that
    agrees with it on the most terms (fewest changes), the lexicographically smallest among those. Every deal can
    be drawn (a deal is its own nearest). The target's values are drawn starting from the scenario's
    lexicographically smallest deal, so **shrinking** moves the target, and with it the deal, toward that
    smallest deal: a failing test's minimal example is the smallest deal, or as close to it as the failure allows.

    **No deal:** when the scenario (with ``within``) has no deal the strategy is empty, which dealcheck can only
    know by solving, so it is found out at the first draw, not when the strategy is made: the draw calls
    ``hypothesis.reject()``, which discards the example like ``assume(False)``. A test that mixes scenarios
    with and without deals just skips the latter; a test whose every example is rejected fails with
    hypothesis's ``Unsatisfiable`` error (or a ``filter_too_much`` health check), saying so.

    >>> from hypothesis import find
    >>> from dealcheck.rules.ir import CmpOp, Compare, Const, Var
    >>> from dealcheck.rules.terms import IntDomain, Term
    >>> aid = Term("aid", 0, IntDomain(0, 60))
    >>> s = Scenario("s", (aid,), (Party("p", "P", red_lines=(Rule("p", "r", RuleKind.RED_LINE, "aid >= 20",
    ...     Compare(CmpOp.GE, Var(0), Const(20)), assumption="toy"),)),))
    >>> find(deals(s), lambda d: True)
    {'aid': 20}
    >>> find(deals(s), lambda d: d["aid"] % 7 == 0)
    {'aid': 21}
    """
    fixed = scenario.encode(within or {})
    finder = _DealFinder(scenario, fixed)

    @st.composite
    def draw_deal(draw: st.DrawFn) -> dict[str, Value]:
        smallest = finder.smallest()
        if smallest is None:
            hypothesis.reject()
        assert smallest is not None
        target = []
        for t, code in zip(scenario.terms, fixed, strict=True):
            if code is not None:
                target.append(code)
                continue
            # Values in order from the smallest deal's, wrapping around: hypothesis shrinks toward the first.
            if isinstance(t.domain, IntDomain) and t.size > 4096:
                # A wide range without a list of its values: from the smallest deal's value up, wrapping around.
                lo, hi, at = t.domain.lo, t.domain.hi, smallest[t.index]
                step = draw(st.integers(0, hi - lo))
                target.append(lo + (at - lo + step) % (hi - lo + 1))
                continue
            values = tuple(t.domain.codes)
            start = values.index(smallest[t.index])
            target.append(draw(st.sampled_from(values[start:] + values[:start])))
        return scenario.decode(finder.nearest(tuple(target)))

    return draw_deal()
