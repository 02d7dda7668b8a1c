"""Seeded synthetic scenarios for the benchmarks: terms, parties with red lines and demands, three families.

In: a family name, sizes and a seed. Out: a :class:`Generated` holding a :class:`dealcheck.model.Scenario` built
directly (checked rules as :mod:`dealcheck.rules.ir` trees, no loader needed), the same scenario as YAML text (rule
text in the rule language), and the same rules as hand-written-style Python lambda source over a dict of values,
which is the baseline a user would write.

Terms have 2-6 options (some ordered), are booleans, or small integer ranges. Each rule reads 1-3 terms and is one
of: a condition, ``A implies B``, ``A or B``, ``A implies (B or C)``, ``(A and B) implies C``,
``count(A, B, C) >= 2``, ``x + y <= k``. Families:

- ``many``: few, loose red lines (mostly implications): a huge number of deals;
- ``tight``: red lines added until one more would leave no deal: near the edge of feasibility;
- ``deadlocked``: the ``tight`` scenario plus the red line that leaves no deal.

A rule's terms are drawn from a window of neighbouring terms (``window``), the way real talks group terms into
topics (ceasefire scope, sanctions, security guarantees). Rejected: drawing terms uniformly at random, which makes
the constraint graph an expander whose treewidth grows linearly with the number of terms; no real scenario looks
like that, and it would measure the generator rather than the tool.

    >>> g = generate("many", terms=12, parties=3, seed=1)
    >>> len(g.scenario.terms), len(g.scenario.parties)
    (12, 3)
    >>> g.lambdas()[0](g.decode(next(iter(g.sample(1)))))  in (True, False)
    True
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterator, Sequence

import attrs

from dealcheck.model import Party, Rule, RuleKind, Scenario
from dealcheck.rules import ir
from dealcheck.rules.syntax import CmpOp, Connective
from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term, Value

__all__ = ["FAMILIES", "GenRule", "Generated", "generate"]

FAMILIES = ("many", "tight", "deadlocked")


@attrs.frozen
class _Atom:
    """One condition on one term, in the three forms: rule text, Python over a dict ``p``, checked tree."""

    term: int
    text: str
    py: str
    expr: ir.BoolExpr
    allowed: frozenset[int]  # the codes under which it holds (for hand-written solver models)


@attrs.frozen
class GenRule:
    """A generated rule: its place in the scenario, and the rule in each form.

    ``shape`` names the combinator and ``atoms`` its parts (``sum`` rules have no atoms but ``sum_terms`` and
    ``bound``), which is all a hand-written solver model needs.
    """

    party: str
    id: str
    kind: RuleKind
    text: str
    py: str
    expr: ir.BoolExpr
    shape: str
    atoms: tuple[_Atom, ...] = ()
    sum_terms: tuple[int, ...] = ()
    bound: int = 0


@attrs.frozen(hash=False)
class Generated:
    family: str
    seed: int
    scenario: Scenario
    rules: tuple[GenRule, ...]  # in scenario.rules() order: party by party, red lines then demands

    @property
    def red_lines(self) -> tuple[GenRule, ...]:
        return tuple(r for r in self.rules if r.kind is RuleKind.RED_LINE)

    def lambdas(self, kind: RuleKind | None = None) -> list[Callable[[dict[str, Value]], bool]]:
        """The rules as Python lambdas over a dict of values, as a user would write them by hand.

        The source is generated here from the generator's own atoms (term names ``tNN``, options ``oN``), never
        from scenario text, so evaluating it is safe.
        """
        return [_lambda(r.py) for r in self.rules if kind is None or r.kind is kind]

    def yaml(self) -> str:
        """The scenario as a dealcheck YAML file."""
        lines = ["dealcheck: 1", f"title: Synthetic {self.family} scenario (seed {self.seed})", "terms:"]
        for t in self.scenario.terms:
            match t.domain:
                case OptionsDomain(options=opts, ordered=ordered):
                    extra = ", ordered: true" if ordered else ""
                    lines.append(f"  {t.name}: {{options: [{', '.join(opts)}]{extra}}}")
                case BoolDomain():
                    lines.append(f"  {t.name}: bool")
                case IntDomain(lo=lo, hi=hi):
                    lines.append(f"  {t.name}: {{range: [{lo}, {hi}]}}")
        lines.append("parties:")
        for p in self.scenario.parties:
            lines.append(f"  {p.id}:")
            lines.append(f"    name: {p.name}")
            for key, rules in (("red_lines", p.red_lines), ("demands", p.demands)):
                if not rules:
                    continue
                lines.append(f"    {key}:")
                for r in rules:
                    weight = f", weight: {r.weight}" if r.kind is RuleKind.DEMAND else ""
                    lines.append(f"      {r.id}: {{rule: '{r.text}'{weight}, assumption: synthetic}}")
        return "\n".join(lines) + "\n"

    def domains(self) -> list[range]:
        return [t.domain.codes for t in self.scenario.terms]

    def decode(self, codes: Sequence[int]) -> dict[str, Value]:
        return {t.name: t.decode(c) for t, c in zip(self.scenario.terms, codes, strict=True)}

    def sample(self, n: int, seed: int = 0) -> Iterator[tuple[int, ...]]:
        """``n`` uniformly random full packages as code tuples (deals or not)."""
        rng = random.Random(seed)
        doms = self.domains()
        for _ in range(n):
            yield tuple(rng.choice(d) for d in doms)


def _lambda(source: str) -> Callable[[dict[str, Value]], bool]:
    return eval(f"lambda p: {source}", {})


# --- terms and atoms ------------------------------------------------------------------------------------------


def _terms(rng: random.Random, n: int) -> tuple[Term, ...]:
    out = []
    for i in range(n):
        name = f"t{i:03d}"
        kind = rng.choices(["options", "bool", "int"], weights=[5, 3, 2])[0]
        if kind == "options":
            size = rng.randint(2, 6)
            dom: OptionsDomain | BoolDomain | IntDomain = OptionsDomain(
                tuple(f"o{k}" for k in range(size)), ordered=rng.random() < 0.4
            )
        elif kind == "bool":
            dom = BoolDomain()
        else:
            lo = rng.choice([0, 0, 1])
            dom = IntDomain(lo, lo + rng.randint(2, 5))
        out.append(Term(name, i, dom))
    return tuple(out)


def _atom(rng: random.Random, term: Term, loose: bool) -> _Atom:
    """A random condition on ``term``; ``loose`` prefers conditions that hold for most values."""
    i, name, codes = term.index, term.name, list(term.domain.codes)
    match term.domain:
        case BoolDomain():
            if rng.random() < 0.5:
                return _Atom(i, name, f'p["{name}"]', ir.IsTrue(i), frozenset({1}))
            return _Atom(i, f"not {name}", f'not p["{name}"]', ir.Not(ir.IsTrue(i)), frozenset({0}))
        case IntDomain(lo=lo, hi=hi):
            k = rng.randint(lo + 1, hi) if loose else rng.randint(lo, hi - 1)
            if rng.random() < 0.5:
                return _Atom(
                    i, f"{name} <= {k}", f'p["{name}"] <= {k}', _cmp(CmpOp.LE, i, k), frozenset(range(lo, k + 1))
                )
            return _Atom(i, f"{name} >= {k}", f'p["{name}"] >= {k}', _cmp(CmpOp.GE, i, k), frozenset(range(k, hi + 1)))
        case OptionsDomain(options=opts, ordered=ordered):
            roll = rng.random()
            if ordered and roll < 0.4:
                k = rng.randint(1, len(opts) - 1)
                allowed = frozenset(range(k, len(opts)))
                py = f'p["{name}"] in {tuple(opts[c] for c in sorted(allowed))!r}'
                return _Atom(i, f'{name} >= "{opts[k]}"', py, _cmp(CmpOp.GE, i, k), allowed)
            if roll < 0.7 or len(opts) <= 2:
                c = rng.choice(codes)
                if loose and len(opts) > 2:
                    return _Atom(
                        i,
                        f'{name} != "{opts[c]}"',
                        f'p["{name}"] != "{opts[c]}"',
                        _cmp(CmpOp.NE, i, c),
                        frozenset(codes) - {c},
                    )
                return _Atom(
                    i, f'{name} == "{opts[c]}"', f'p["{name}"] == "{opts[c]}"', _cmp(CmpOp.EQ, i, c), frozenset({c})
                )
            k = rng.randint(2, len(opts) - 1) if loose else rng.randint(1, len(opts) - 1)
            chosen = sorted(rng.sample(codes, k))
            text = f"{name} in [" + ", ".join(f'"{opts[c]}"' for c in chosen) + "]"
            py = f'p["{name}"] in {tuple(opts[c] for c in chosen)!r}'
            return _Atom(i, text, py, ir.InSet(ir.Var(i), frozenset(chosen)), frozenset(chosen))
    raise AssertionError(term.domain)


def _atom_on(rng: random.Random, term: Term, value: int, want: bool) -> _Atom:
    """A strict random atom that is ``want`` on ``value`` (rejection sampling; every domain has both kinds)."""
    for _ in range(200):
        a = _atom(rng, term, loose=False)
        if (value in a.allowed) == want:
            return a
    return a


def _cmp(op: CmpOp, i: int, k: int) -> ir.BoolExpr:
    return ir.Compare(op, ir.Var(i), ir.Const(k))


def _paren(text: str) -> str:
    return f"({text})"


# --- rules ----------------------------------------------------------------------------------------------------


_SHAPES_LOOSE = ["implies", "implies", "or", "implies_or", "and_implies", "single", "count", "sum"]
_SHAPES_TIGHT = ["single", "single", "implies", "or", "implies_or", "and_implies", "count", "sum"]


def _pick_terms(rng: random.Random, n: int, k: int, window: int) -> list[int]:
    centre = rng.randrange(n)
    pool = list(range(max(0, centre - window), min(n, centre + window + 1)))
    return rng.sample(pool, min(k, len(pool)))


def _rule(
    rng: random.Random,
    terms: tuple[Term, ...],
    window: int,
    loose: bool,
    party: str,
    rid: str,
    kind: RuleKind,
    planted: Sequence[int] | None = None,
) -> GenRule:
    """A random rule; with ``planted`` (tight scenarios) one that holds on it with as little slack as its shape allows."""
    shape = rng.choice(_SHAPES_LOOSE if loose else _SHAPES_TIGHT)
    if shape == "sum":
        ints = [t for t in _pick_terms(rng, len(terms), 6, window) if isinstance(terms[t].domain, IntDomain)]
        if len(ints) >= 2:
            a, b = terms[ints[0]], terms[ints[1]]
            assert isinstance(a.domain, IntDomain) and isinstance(b.domain, IntDomain)
            lo, hi = a.domain.lo + b.domain.lo, a.domain.hi + b.domain.hi
            k = rng.randint((lo + hi) // 2, hi - 1) if loose else rng.randint(lo + 1, (lo + hi) // 2)
            if planted is not None:
                k = planted[a.index] + planted[b.index]
            expr = ir.Compare(CmpOp.LE, ir.Arith(ir.ArithOp.ADD, ir.Var(a.index), ir.Var(b.index)), ir.Const(k))
            return GenRule(
                party,
                rid,
                kind,
                f"{a.name} + {b.name} <= {k}",
                f'p["{a.name}"] + p["{b.name}"] <= {k}',
                expr,
                "sum",
                sum_terms=(a.index, b.index),
                bound=k,
            )
        shape = "implies"
    arity = {"single": 1, "implies": 2, "or": 2, "implies_or": 3, "and_implies": 3, "count": 3}[shape]
    chosen = _pick_terms(rng, len(terms), arity, window)
    if len(chosen) < arity:
        shape, arity = "single", 1
    # A premise is better strict (few values trigger it), a conclusion or alternative loose, or every rule bites.
    if planted is not None:
        wants = {
            "single": [True],
            "implies": [True, True],
            "or": [True, False],
            "implies_or": [True, True, False],
            "and_implies": [True, True, True],
            "count": [True, True, False],
        }[shape]
        atoms = [_atom_on(rng, terms[t], planted[t], w) for t, w in zip(chosen, wants, strict=False)]
    else:
        atoms = [
            _atom(rng, terms[t], loose=(j > 0 or shape in ("or", "count")) if loose else j > 0)
            for j, t in enumerate(chosen[:arity])
        ]
    t, p, e = [a.text for a in atoms], [a.py for a in atoms], [a.expr for a in atoms]
    match shape:
        case "single":
            text, py, expr = t[0], p[0], e[0]
        case "implies":
            text, py, expr = f"{t[0]} implies {t[1]}", f"not ({p[0]}) or ({p[1]})", ir.Implies(e[0], e[1])
        case "or":
            text, py, expr = f"{t[0]} or {t[1]}", f"({p[0]}) or ({p[1]})", ir.Logic(Connective.OR, (e[0], e[1]))
        case "implies_or":
            text = f"{t[0]} implies ({t[1]} or {t[2]})"
            py = f"not ({p[0]}) or ({p[1]}) or ({p[2]})"
            expr = ir.Implies(e[0], ir.Logic(Connective.OR, (e[1], e[2])))
        case "and_implies":
            text = f"({t[0]} and {t[1]}) implies {t[2]}"
            py = f"not (({p[0]}) and ({p[1]})) or ({p[2]})"
            expr = ir.Implies(ir.Logic(Connective.AND, (e[0], e[1])), e[2])
        case "count":
            text = f"count({t[0]}, {t[1]}, {t[2]}) >= 2"
            py = f"({p[0]}) + ({p[1]}) + ({p[2]}) >= 2"
            expr = ir.Compare(CmpOp.GE, ir.Count((e[0], e[1], e[2])), ir.Const(2))
        case _:
            raise AssertionError(shape)
    return GenRule(party, rid, kind, text, py, expr, shape, tuple(atoms))


def _build(
    family: str,
    seed: int,
    terms: tuple[Term, ...],
    parties: int,
    red: list[GenRule],
    demands: list[GenRule],
    weights: list[int],
) -> Generated:
    party_ids = [f"p{k}" for k in range(parties)]
    by_party_red: dict[str, list[GenRule]] = {p: [] for p in party_ids}
    by_party_dem: dict[str, list[GenRule]] = {p: [] for p in party_ids}
    for r in red:
        by_party_red[r.party].append(r)
    for r in demands:
        by_party_dem[r.party].append(r)
    weight_of = {id(r): w for r, w in zip(demands, weights, strict=True)}

    def model_rule(g: GenRule) -> Rule:
        return Rule(g.party, g.id, g.kind, g.text, g.expr, weight=weight_of.get(id(g), 1), assumption="synthetic")

    model_parties = tuple(
        Party(
            p, p.upper(), tuple(model_rule(g) for g in by_party_red[p]), tuple(model_rule(g) for g in by_party_dem[p])
        )
        for p in party_ids
    )
    ordered = tuple(g for p in party_ids for g in by_party_red[p] + by_party_dem[p])
    scenario = Scenario(f"Synthetic {family} scenario (seed {seed})", terms, model_parties)
    return Generated(family, seed, scenario, ordered)


def _deal_count(terms: tuple[Term, ...], red: Sequence[GenRule]) -> int:
    from dealcheck.solver.counting import count_solutions

    return count_solutions([t.domain.codes for t in terms], [r.expr for r in red])


def generate(
    family: str = "many",
    *,
    terms: int = 40,
    parties: int = 4,
    seed: int = 0,
    window: int = 4,
    demands_per_party: int | None = None,
    deals: int | None = None,
) -> Generated:
    """A synthetic scenario of ``family`` (one of :data:`FAMILIES`).

    ``deals`` (``many`` only) adds loose red lines until the number of deals falls to about that many (never below
    it by more than the last red line removed), so the listing benchmarks get a known size.

    >>> from dealcheck.solver.counting import count_solutions
    >>> g = generate("deadlocked", terms=16, seed=3)
    >>> count_solutions(g.domains(), [r.expr for r in g.red_lines])
    0
    >>> g = generate("tight", terms=16, seed=3)
    >>> count_solutions(g.domains(), [r.expr for r in g.red_lines]) > 0
    True
    """
    if family not in FAMILIES:
        raise ValueError(f"unknown family {family!r}: choose one of {', '.join(FAMILIES)}")
    rng = random.Random(f"{family}/{terms}/{parties}/{seed}")
    term_list = _terms(rng, terms)
    party_ids = [f"p{k}" for k in range(parties)]
    loose = family == "many"
    # A planted package: every red line is drawn so that it keeps this package a deal, so each family is
    # feasible by construction without a solver in the loop (tight scenarios are then made deadlocked on purpose).
    planted = [rng.choice(t.domain.codes) for t in term_list]
    from dealcheck.solver.compiled import compile_rules

    ids = iter(range(10**9))

    def red_line() -> GenRule:
        while True:
            k = next(ids)
            g = _rule(
                rng,
                term_list,
                window,
                loose,
                party_ids[k % parties],
                f"r{k}",
                RuleKind.RED_LINE,
                None if loose else planted,
            )
            if compile_rules((g.expr,))(tuple(planted))[0]:
                return g

    if family == "many" and deals is None:
        red = [red_line() for _ in range(max(1, terms // 2))]
    elif family == "many":
        red = []
        while _deal_count(term_list, red) > deals and len(red) < 8 * terms:  # each count takes milliseconds
            red.append(red_line())
    else:
        # Strict red lines in batches until few deals are left (or a budget runs out): one exact count per batch.
        # Two binding red lines per term (each holds on the planted package with no slack to spare) leave about
        # 1.6 values per term of the ~3.5 a term has: deals are exponentially rare but exist.
        red = [red_line() for _ in range(2 * terms)]
    if family == "deadlocked":
        red += _deadlock(rng, term_list, red, party_ids)
    n_dem = demands_per_party if demands_per_party is not None else max(1, terms // (2 * parties))
    demands, weights = [], []
    for p in party_ids:
        for j in range(n_dem):
            demands.append(_rule(rng, term_list, window, True, p, f"d{j}", RuleKind.DEMAND))
            weights.append(rng.randint(1, 3))
    return _build(family, seed, term_list, parties, red, demands, weights)


def _deadlock(rng: random.Random, terms: tuple[Term, ...], red: list[GenRule], party_ids: list[str]) -> list[GenRule]:
    """Red lines ``t != v``, one per value ``t`` takes in some deal, on the sampled term with fewest such values."""
    from dealcheck.solver.counting import count_solutions

    doms = [t.domain.codes for t in terms]
    exprs = [r.expr for r in red]
    best: list[int] | None = None
    best_term = terms[0]
    for term in rng.sample(list(terms), min(3, len(terms))):
        occurring = [v for v in term.domain.codes if count_solutions(doms, exprs, {term.index: v})]
        if best is None or len(occurring) < len(best):
            best, best_term = occurring, term
    out = []
    for k, v in enumerate(best or []):
        i, name = best_term.index, best_term.name
        match best_term.domain:
            case BoolDomain():
                text, py, expr = (
                    (name, f'p["{name}"]', ir.IsTrue(i))
                    if v == 0
                    else (f"not {name}", f'not p["{name}"]', ir.Not(ir.IsTrue(i)))
                )
            case _:
                shown = f'"{best_term.decode(v)}"' if isinstance(best_term.domain, OptionsDomain) else str(v)
                text, py, expr = f"{name} != {shown}", f'p["{name}"] != {shown}', _cmp(CmpOp.NE, i, v)
        atom = _Atom(i, text, py, expr, frozenset(best_term.domain.codes) - {v})
        out.append(
            GenRule(party_ids[k % len(party_ids)], f"x{k}", RuleKind.RED_LINE, text, py, expr, "single", (atom,))
        )
    return out
