"""Hypothesis strategies for dealcheck: random scenarios, rules, packages and deals, built from model classes.

In: size bounds. Out: valid :class:`~dealcheck.model.Scenario` objects with well-typed, checked rules
(:mod:`dealcheck.rules.ir`), no YAML involved, so engines and the evaluator can be tested against each other on
many small models. Kept small by default (a few terms of a few values each) so brute force stays the reference.

Shrinking: every choice is drawn so that hypothesis shrinks toward *fewer* terms, parties and rules, *smaller*
domains, and *simpler* rules (a rule shrinks to an atom such as ``t0 == 0`` or ``true`` before a compound one;
integer expressions shrink to constants). Packages shrink toward each term's first value, partial packages toward
leaving terms open.

>>> from hypothesis import given, settings
>>> @settings(max_examples=10)
... @given(scenarios())
... def test(scenario):
...     assert all(r.expr is not None for r in scenario.rules())
>>> test()
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping

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
from dealcheck.rules.terms import BoolDomain, Domain, IntDomain, OptionsDomain, Term, Value

__all__ = ["codes", "deals", "domains", "packages", "rules", "scenarios", "terms"]

_EQUALITY = (CmpOp.EQ, CmpOp.NE)
_ALL_CMP = tuple(CmpOp)


def domains(*, max_options: int = 4, max_int_width: int = 5) -> st.SearchStrategy[Domain]:
    """Term domains: options (ordered or not), booleans, small integer ranges. Shrinks toward two options."""
    return st.one_of(
        st.builds(
            lambda n, ordered: OptionsDomain(tuple(f"o{k}" for k in range(n)), ordered),
            st.integers(2, max(2, max_options)),
            st.booleans(),
        ),
        st.just(BoolDomain()),
        st.builds(lambda lo, width: IntDomain(lo, lo + width), st.integers(-3, 3), st.integers(0, max(0, max_int_width - 1))),
    )


def terms(*, max_terms: int = 4, **domain_options: int) -> st.SearchStrategy[tuple[Term, ...]]:
    """Between one and ``max_terms`` terms named ``t0``, ``t1``, ...; shrinks toward one term."""
    return st.lists(domains(**domain_options), min_size=1, max_size=max_terms).map(
        lambda ds: tuple(Term(f"t{i}", i, d) for i, d in enumerate(ds))
    )


# The rule strategies below are composites that draw plain choices: building nested ``one_of``/``builds``
# strategies per rule made hypothesis re-validate a large strategy tree on every draw (seconds per example).


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
            return Arith(ArithOp.ADD, draw(sub), draw(sub))
        case 3:
            return Arith(ArithOp.SUB, draw(sub), draw(sub))
        case 4:  # the checker allows ``*`` only with a constant side
            c, e = Const(draw(st.integers(-3, 3))), draw(sub)
            return Arith(ArithOp.MUL, c, e) if draw(st.booleans()) else Arith(ArithOp.MUL, e, c)
        case 5:
            return Abs(draw(sub))
        case 6:
            return MinMax(draw(st.booleans()), tuple(draw(sub) for _ in range(draw(st.integers(1, 3)))))
        case _:
            cond = _bool_exprs(scenario_terms, depth - 1)
            return Count(tuple(draw(cond) for _ in range(draw(st.integers(1, 3)))))


@st.composite
def _atoms(draw: st.DrawFn, scenario_terms: tuple[Term, ...]) -> BoolExpr:
    """A condition on one term, typed the way the checker types it (or a constant)."""
    pick = draw(st.integers(0, len(scenario_terms)))
    if pick == len(scenario_terms):
        return Truth(draw(st.booleans()))
    t = scenario_terms[pick]
    as_set = draw(st.booleans())
    match t.domain:
        case OptionsDomain(options=options, ordered=ordered):
            n = len(options)
            if as_set:
                return InSet(Var(t.index), frozenset(draw(st.sets(st.integers(0, n - 1), min_size=1, max_size=n))))
            op = draw(st.sampled_from(_ALL_CMP if ordered else _EQUALITY))
            return Compare(op, Var(t.index), Const(draw(st.integers(0, n - 1))))
        case BoolDomain():
            return IsTrue(t.index)
        case IntDomain(lo=lo, hi=hi):
            if as_set:
                return InSet(Var(t.index), frozenset(draw(st.sets(st.integers(lo - 1, hi + 1), min_size=1, max_size=4))))
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
            return Not(draw(sub))
        case 2:
            op = draw(st.sampled_from(tuple(Connective)))
            return Logic(op, tuple(draw(sub) for _ in range(draw(st.integers(1, 3)))))
        case 3:
            return Implies(draw(sub), draw(sub))
        case 4:
            return Compare(draw(st.sampled_from(_ALL_CMP)), draw(ints), draw(ints))
        case _:
            return InSet(draw(ints), frozenset(draw(st.frozensets(st.integers(-4, 4), max_size=4))))


def rules(scenario: Scenario | tuple[Term, ...], *, max_depth: int = 3) -> st.SearchStrategy[BoolExpr]:
    """Well-typed checked conditions over the scenario's terms, nested at most ``max_depth`` deep.

    Shrinks toward an atom (one term compared with a constant) and then toward ``true``/``false``.
    """
    scenario_terms = scenario.terms if isinstance(scenario, Scenario) else scenario
    return _bool_exprs(scenario_terms, max_depth)


@st.composite
def _parties(draw: st.DrawFn, scenario_terms: tuple[Term, ...], max_parties: int, max_rules: int, max_depth: int) -> tuple[Party, ...]:
    n = draw(st.integers(1, max(1, max_parties)))
    parties = []
    for p in range(n):
        pid = f"p{p}"

        def make(kind: RuleKind, prefix: str, pid: str = pid) -> tuple[Rule, ...]:
            out = []
            for k in range(draw(st.integers(0, max_rules))):
                expr = draw(rules(scenario_terms, max_depth=max_depth))
                weight = draw(st.integers(1, 3)) if kind is RuleKind.DEMAND else 1
                out.append(Rule(pid, f"{prefix}{k}", kind, f"<generated {prefix}{k}>", expr, weight=weight, assumption="generated"))
            return tuple(out)

        parties.append(Party(pid, f"Party {p}", red_lines=make(RuleKind.RED_LINE, "r"), demands=make(RuleKind.DEMAND, "d")))
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
) -> Scenario:
    """Small valid scenarios: up to ``max_terms`` terms, ``max_parties`` parties with up to ``max_rules`` red lines and
    ``max_rules`` demands each, rules nested up to ``max_depth``, and one partial package ``given`` (may be empty).

    Shrinks toward one term, one party with no rules, and simple rules.
    """
    scenario_terms = draw(terms(max_terms=max_terms, max_options=max_options, max_int_width=max_int_width))
    parties = draw(_parties(scenario_terms, max_parties, max_rules, max_depth))
    scenario = Scenario("Generated", scenario_terms, parties, path="<generated>")
    given = draw(packages(scenario, partial=True))
    return Scenario("Generated", scenario_terms, parties, packages=(Package("given", given),), path="<generated>")


def codes(scenario: Scenario, *, partial: bool = False) -> st.SearchStrategy[tuple[int | None, ...]]:
    """Packages as codes in term order (``None`` for open terms when ``partial``). Shrinks toward each term's first
    code and, when partial, toward open terms."""
    per_term = []
    for t in scenario.terms:
        values: st.SearchStrategy[int | None] = st.sampled_from(tuple(t.domain.codes))
        per_term.append(st.one_of(st.none(), values) if partial else values)
    return st.tuples(*per_term)


def packages(scenario: Scenario, *, partial: bool = False) -> st.SearchStrategy[dict[str, Value]]:
    """Packages as ``{term name: value}``: full, or with some terms left out when ``partial``."""
    return codes(scenario, partial=partial).map(scenario.decode)


def deals(scenario: Scenario, *, within: Mapping[str, Value] | None = None) -> st.SearchStrategy[dict[str, Value]]:
    """Full packages that break no red line (completions of ``within`` if given), found by enumeration.

    Meant for the small scenarios :func:`scenarios` makes. When there is no deal the strategy is empty
    (``st.nothing()``), so a test drawing from it is skipped for that scenario. Shrinks toward the
    lexicographically smallest deal.
    """
    from dealcheck.solver.compiled import compile_rules

    fixed = scenario.encode(within or {})
    check = compile_rules(tuple(r.expr for r in scenario.red_lines()))
    domains_ = [range(c, c + 1) if c is not None else t.domain.codes for t, c in zip(scenario.terms, fixed, strict=True)]
    found = [candidate for candidate in itertools.product(*domains_) if all(check(candidate))]
    if not found:
        return st.nothing()
    return st.sampled_from(found).map(scenario.decode)
