"""The loaded scenario: terms, sources, parties with their red lines and demands, packages, variants, expectations.

:func:`dealcheck.loader.load_scenario` builds these from a YAML file after checking every rule, so a
:class:`Scenario` always holds well-typed, lowered rules (:mod:`dealcheck.rules.ir`). Everything here is frozen;
a variant is a new scenario, not an edit.

The analyses are methods (``check``, ``explore``, ``conflicts``, ``repair``, ...) that call :mod:`dealcheck.api`,
imported when first called: the model imports nothing above its layer, and loading a scenario never pays for a
solver.
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Callable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs

from dealcheck.errors import Span, UsageError
from dealcheck.expectations.claims import Expectation  # one entry of expect:, defined with the claims it holds
from dealcheck.rules.ir import BoolExpr, term_indices
from dealcheck.rules.terms import BoolDomain, Domain, IntDomain, OptionsDomain, Term, Value

if TYPE_CHECKING:
    from dealcheck.analysis.compare import CompareReport
    from dealcheck.analysis.conflicts import ConflictReport
    from dealcheck.analysis.explain import ExplainReport
    from dealcheck.analysis.explore import ExploreReport
    from dealcheck.analysis.repair import RepairReport
    from dealcheck.analysis.sensitivity import SensitivityReport
    from dealcheck.expectations import ExpectationReport
    from dealcheck.results import PackageVerdict
    from dealcheck.solver.vectorized import BatchVerdict

__all__ = [
    "BoolDomain",
    "Domain",
    "Expectation",
    "IntDomain",
    "Keyed",
    "OptionsDomain",
    "Package",
    "Party",
    "Rule",
    "RuleKind",
    "Scenario",
    "Source",
    "Term",
    "Utility",
    "UtilityIssue",
    "Value",
    "Variant",
]


class Keyed(tuple):  # type: ignore[type-arg]
    """A tuple that is also readable as a mapping by id: ``scenario.parties["russia"]``, ``"russia" in
    scenario.parties``, ``.get``, ``.keys()``, ``.items()``. Integer indices and iteration work as on a tuple.

    Rejected: a ``dict`` field (every engine indexes terms by position, and ``for p in scenario.parties`` would
    then give ids, not parties) and a second field per collection (two names for one thing).

    >>> ts = Keyed((Source("talks"), Source("memo")))
    >>> ts["memo"].id, ts[0].id, "talks" in ts, list(ts.keys())
    ('memo', 'talks', True, ['talks', 'memo'])
    >>> ts["tlaks"]
    Traceback (most recent call last):
    ...
    dealcheck.errors.UsageError: unknown id 'tlaks' (did you mean 'talks'?)
    """

    __slots__ = ()

    @staticmethod
    def _key(item: Any) -> str:
        return item.name if isinstance(item, (Term, Variant)) else item.id

    def __getitem__(self, key: Any) -> Any:
        if isinstance(key, str):
            for item in self:
                if self._key(item) == key:
                    return item
            hint = _suggest(key, self.keys())
            raise UsageError(f"unknown id {key!r}" + (f" ({hint})" if hint else ""), hint)
        return tuple.__getitem__(self, key)

    def __contains__(self, key: object) -> bool:
        if isinstance(key, str):
            return any(self._key(item) == key for item in self)
        return tuple.__contains__(self, key)

    def get(self, key: str, default: Any = None) -> Any:
        for item in self:
            if self._key(item) == key:
                return item
        return default

    def keys(self) -> list[str]:
        return [self._key(item) for item in self]

    def values(self) -> list[Any]:
        return list(self)

    def items(self) -> list[tuple[str, Any]]:
        return [(self._key(item), item) for item in self]


def _keyed(items: Any) -> Keyed:
    return items if type(items) is Keyed else Keyed(items)


def _span() -> Span | None:
    return attrs.field(default=None, eq=False, hash=False, repr=False)  # type: ignore[no-any-return]


@attrs.frozen
class Source:
    """A text that quotes are taken from. ``file`` names the text file quotes are verified against."""

    id: str
    title: str | None = None
    date: str | None = None
    file: str | None = None
    url: str | None = None
    span: Span | None = _span()


@attrs.frozen
class UtilityIssue:
    """One issue of a linear additive utility: a term, its weight, and the value of each of its options (codes in
    domain order), all exact."""

    term: str
    weight: Fraction
    values: tuple[Fraction, ...]
    #: The values as written, when ``normalise: per_issue`` divided them (``None``: ``values`` are as written).
    #: Not part of equality: two issues that score every option the same are the same issue.
    declared: tuple[Fraction, ...] | None = attrs.field(default=None, eq=False)


@attrs.frozen
class Utility:
    """A party's linear additive utility profile as declared (Genius/NegMAS style): ``sum weight * value``."""

    issues: tuple[UtilityIssue, ...]
    normalise: str = "none"


class RuleKind(enum.Enum):
    RED_LINE = "red_line"
    DEMAND = "demand"


@attrs.frozen
class Rule:
    """A red line (hard) or a demand (soft, weighted) of one party, with the text it was written as and its source.

    ``expr`` is the checked, lowered condition; ``text`` what the user wrote. Exactly one of ``quote`` (with
    ``source``) and ``assumption`` is set.
    """

    party: str
    id: str
    kind: RuleKind
    text: str
    expr: BoolExpr
    #: A demand's weight: a positive integer or an exact decimal (a :class:`~fractions.Fraction` from the text
    #: ``0.25``; never a float). Scores divide by the party's total, so only ratios matter.
    weight: int | Fraction = 1
    concession_cost: int = 1
    description: str | None = None
    source: str | None = None
    quote: str | None = None
    assumption: str | None = None
    span: Span | None = _span()
    quote_span: Span | None = _span()
    #: A demand compiled from a utility profile (``term=option``, weight = issue weight x value): the party's
    #: total counts the issue's weight once, not each option's share (:mod:`dealcheck.utility`).
    graded: bool = False
    # Uncertainty (dealcheck.uncertainty): the probability the position holds as written (None: certain), why,
    # whether a red line that does not hold is still a demand of weight 1, and the range a sweep draws a weight from.
    confidence: Fraction | None = None
    confidence_reason: str | None = None
    soft_if_wrong: bool = False
    weight_range: tuple[Fraction, Fraction] | None = None

    @property
    def ref(self) -> str:
        """``party.id``, the name a rule is referred to by."""
        return f"{self.party}.{self.id}"

    @functools.cached_property
    def terms(self) -> frozenset[int]:
        """Indices of the terms the rule reads (walked once: backends ask per rule per package)."""
        return term_indices(self.expr)


@attrs.frozen
class Party:
    """A party: red lines, demands, and optionally a reservation value.

    ``accepts_at`` is the reservation value (walk-away score, exact): the loader turns it into the red line
    ``score >= accepts_at`` (kept in ``red_lines`` with its source), and the objectives measure gains from it
    (:mod:`dealcheck.analysis.objectives`). ``utility`` is the linear additive profile the party was declared with,
    if any; its per-option values are already compiled into ``demands`` (see docs/scenario-format.md).
    """

    id: str
    name: str
    red_lines: tuple[Rule, ...] = ()
    demands: tuple[Rule, ...] = ()
    description: str | None = None
    span: Span | None = _span()
    accepts_at: Fraction | None = None
    utility: Utility | None = attrs.field(default=None, eq=False)

    @property
    def total_weight(self) -> int | Fraction:
        """What a score divides by: the weights of the plain demands, plus each utility issue's weight once."""
        total = sum(d.weight for d in self.demands if not d.graded)
        if self.utility is not None:
            total += sum(i.weight for i in self.utility.issues)
        return total

    @property
    def unit(self) -> int:
        """The least common multiple of the denominators of the demand weights (1 for integer weights): scores
        are counted in these units, per party, so no analysis multiplies the parties' totals together."""
        import math

        weights = [Fraction(d.weight) for d in self.demands]
        if self.utility is not None:
            weights += [i.weight for i in self.utility.issues]
        return math.lcm(*(w.denominator for w in weights)) if weights else 1

    def units(self, weight: int | Fraction) -> int:
        """``weight`` in this party's units (an integer)."""
        return int(weight * self.unit)

    @property
    def rules(self) -> tuple[Rule, ...]:
        return self.red_lines + self.demands


@attrs.frozen(hash=False)
class Package:
    """A proposal: values for some or all terms (a partial package leaves terms open)."""

    id: str
    values: Mapping[str, Value]
    title: str | None = None
    description: str | None = None
    span: Span | None = _span()


@attrs.frozen
class Variant:
    """A what-if: rules dropped, added or replaced. Added and replaced rules are already checked."""

    name: str
    description: str | None = None
    drop: tuple[str, ...] = ()
    add: tuple[Rule, ...] = ()
    replace: tuple[Rule, ...] = ()
    span: Span | None = _span()


@attrs.frozen(hash=False)
class Scenario:
    """A whole negotiation model.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms:
    ...   ceasefire: {options: [none, energy, full], ordered: true}
    ... parties:
    ...   russia:
    ...     red_lines:
    ...       no_full: {rule: ceasefire != "full", assumption: toy}
    ...   ukraine:
    ...     red_lines:
    ...       some: {rule: ceasefire >= "energy", assumption: toy}
    ... ''')
    >>> s.check({"ceasefire": "energy"}).deal
    True
    >>> s.check({"ceasefire": "full"}).parties[0].broken
    ('no_full',)
    """

    title: str
    terms: tuple[Term, ...] = attrs.field(converter=_keyed)
    parties: tuple[Party, ...] = attrs.field(converter=_keyed)
    packages: tuple[Package, ...] = attrs.field(default=(), converter=_keyed)
    sources: tuple[Source, ...] = attrs.field(default=(), converter=_keyed)
    variants: tuple[Variant, ...] = attrs.field(default=(), converter=_keyed)
    expectations: tuple[Expectation, ...] = ()
    description: str | None = None
    path: str = "<scenario>"
    variant_name: str | None = None
    confidence_reason: str | None = None  # the default reason of every rule's confidence (dealcheck.uncertainty)
    source_lines: tuple[str, ...] | None = attrs.field(default=None, eq=False, repr=False)
    _term_by_name: dict[str, Term] = attrs.field(init=False, eq=False, repr=False)
    _plain: dict[tuple[str, str], str] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_term_by_name", {t.name: t for t in self.terms})
        object.__setattr__(self, "_plain", {})

    def plain_rule(self, rule: Rule) -> str:
        """``rule`` in plain words, as reports show it: ``ceasefire is not "full"`` for ``ceasefire != "full"``.
        See :func:`dealcheck.rules.plain.plain_rule`; computed once per rule."""
        key = (rule.ref, rule.text)
        text = self._plain.get(key)
        if text is None:
            from dealcheck.rules.plain import plain_rule

            text = self._plain[key] = plain_rule(rule.expr, self.terms)
        return text

    def plain_texts(self) -> tuple[str, ...]:
        """:meth:`plain_rule` of every rule, in :meth:`rules` order (what a full-package check reads by position)."""
        texts = self._plain.get(("", ""))
        if texts is None:
            texts = self._plain[("", "")] = tuple(self.plain_rule(r) for r in self.rules())  # type: ignore[assignment]
        return texts  # type: ignore[return-value]

    # --- look-ups -------------------------------------------------------------------------------------------

    def term(self, name: str | Term) -> Term:
        """The term called ``name`` (or ``name`` itself, when given a term)."""
        if isinstance(name, Term):
            return name
        _need_str(name, "term", "a term name")
        try:
            return self._term_by_name[name]
        except KeyError:
            raise UsageError(f"unknown term {name!r}", _suggest(name, self._term_by_name, "terms")) from None

    def party(self, party_id: str | Party) -> Party:
        """The party with id ``party_id`` (or the party given)."""
        if isinstance(party_id, Party):
            return party_id
        _need_str(party_id, "party", "a party id")
        for p in self.parties:
            if p.id == party_id:
                return p
        raise UsageError(f"unknown party {party_id!r}", _suggest(party_id, [p.id for p in self.parties], "parties"))

    def package(self, package_id: str | Package) -> Package:
        """The package with id ``package_id`` (or the package given)."""
        if isinstance(package_id, Package):
            return package_id
        _need_str(package_id, "package", "a package id")
        for p in self.packages:
            if p.id == package_id:
                return p
        raise UsageError(
            f"unknown package {package_id!r}", _suggest(package_id, [p.id for p in self.packages], "packages")
        )

    def rule(self, ref: str | Rule) -> Rule:
        """The rule called ``party.id`` (or the rule given)."""
        if isinstance(ref, Rule):
            return ref
        _need_str(ref, "rule", "a rule reference 'party.id'")
        for r in self.rules():
            if r.ref == ref:
                return r
        raise UsageError(f"unknown rule {ref!r}", _suggest(ref, [r.ref for r in self.rules()]))

    def rules(self) -> Iterator[Rule]:
        for p in self.parties:
            yield from p.red_lines
            yield from p.demands

    def red_lines(self) -> Iterator[Rule]:
        for p in self.parties:
            yield from p.red_lines

    def encode(self, values: Mapping[str, Value]) -> tuple[int | None, ...]:
        """Codes in term order, ``None`` for open terms. ``UsageError`` for unknown terms or values."""
        codes: list[int | None] = [None] * len(self.terms)
        for name, value in values.items():
            term = self.term(name)
            try:
                codes[term.index] = term.encode(value)
            except ValueError as e:
                raise UsageError(str(e), _options_hint(term)) from None
        return tuple(codes)

    def decode(self, codes: tuple[int | None, ...]) -> dict[str, Value]:
        """Values by term name, in term order, open terms left out."""
        return {t.name: t.decode(c) for t, c in zip(self.terms, codes, strict=True) if c is not None}

    def variant(self, name: str | Variant) -> Scenario:
        """This scenario with variant ``name`` applied: its rules dropped, added and replaced.

        >>> from dealcheck import load_scenario
        >>> s = load_scenario('''
        ... dealcheck: 1
        ... title: Toy
        ... terms: {nato: [member, neutral]}
        ... parties:
        ...   russia:
        ...     red_lines:
        ...       no_nato: {rule: nato != "member", assumption: toy}
        ... variants:
        ...   softer: {description: Russia drops its objection, drop: [russia.no_nato]}
        ... ''')
        >>> s.check({"nato": "member"}).deal, s.variant("softer").check({"nato": "member"}).deal
        (False, True)
        """
        if isinstance(name, Variant):
            name = name.name
        _need_str(name, "variant", "a variant name")
        for v in self.variants:
            if v.name == name:
                break
        else:
            from dealcheck.suggest import listing

            names = [v.name for v in self.variants]
            hint = _suggest(name, names) or (
                f"the variants are {listing(names)}" if names else "the scenario declares no variants"
            )
            raise UsageError(f"unknown variant {name!r}", hint)
        dropped = set(v.drop)
        replaced = {r.ref: r for r in v.replace}
        parties = []
        for p in self.parties:

            def keep(rules: tuple[Rule, ...], kind: RuleKind, p: Party = p) -> tuple[Rule, ...]:
                out = [replaced.get(r.ref, r) for r in rules if r.ref not in dropped]
                out += [r for r in v.add if r.party == p.id and r.kind is kind]
                return tuple(out)

            parties.append(
                attrs.evolve(
                    p, red_lines=keep(p.red_lines, RuleKind.RED_LINE), demands=keep(p.demands, RuleKind.DEMAND)
                )
            )
        return attrs.evolve(self, parties=tuple(parties), variant_name=name)

    # --- analyses -------------------------------------------------------------------------------------------

    def check(self, package: Mapping[str, Value] | Package | str, *, time_limit: float | None = None) -> PackageVerdict:
        """The verdict on one package (full or partial): per party, red lines held or broken, demands met.

        ``package`` is a package id, a :class:`Package` or a ``{term: value}`` mapping.
        """
        if type(package) is not dict:
            package = self._package_arg(package)
        # The checker is looked up once, not imported per call: ``from ... import`` inside a function costs about
        # 2 µs, as much as the rest of a full-package check.
        return (_CHECK_PACKAGE or _check_package())(self, package, time_limit=time_limit)

    def check_many(self, columns: Mapping[str, Any]) -> BatchVerdict:
        """Full packages held as columns (one per term: values, or numpy arrays of codes), checked at once with numpy.

        Per rule a boolean column, a ``deal`` column, per party ``acceptable`` and ``score`` columns; row ``i``
        means what ``check`` says of package ``i``. See :func:`dealcheck.solver.vectorized.check_many`.
        """
        from dealcheck import api  # the facade, the one module above this one the model calls

        return api.check_many(self, columns)

    def conflicts(
        self,
        *,
        parties: str | Sequence[str | Party] | None = None,
        package: Mapping[str, Value] | Package | str | None = None,
        limit: int | None = 10,
        time_limit: float | None = None,
    ) -> ConflictReport:
        """Why there is no deal: compatibility of the parties' red lines, minimal conflicts among them (verified)
        and the fewest concessions that open a deal. See :func:`dealcheck.analysis.conflicts.find_conflicts`.

        >>> from dealcheck import load_scenario
        >>> s = load_scenario('''
        ... dealcheck: 1
        ... title: Toy
        ... terms: {nato: [member, neutral]}
        ... parties:
        ...   russia: {red_lines: {no_nato: {rule: nato != "member", assumption: toy}}}
        ...   ukraine: {red_lines: {nato: {rule: nato == "member", assumption: toy}}}
        ... ''')
        >>> r = s.conflicts()
        >>> r.deal_exists, [c.refs for c in r.conflicts], [c.refs for c in r.concessions]
        (False, [('russia.no_nato', 'ukraine.nato')], [('russia.no_nato',), ('ukraine.nato',)])
        """
        from dealcheck import api  # the facade, the one module above this one the model calls

        return api.conflicts(
            self,
            parties=self._parties_arg(parties),
            package=None if package is None else self._package_arg(package),
            limit=limit,
            time_limit=time_limit,
        )

    def explain(
        self,
        *,
        packages: Sequence[Package | str] | None = None,
        limit: int | None = 10,
        time_limit: float | None = None,
    ) -> ExplainReport:
        """Why each finding holds: the minimal sets of red lines behind every forced term, option in no deal and
        package that cannot become a deal, and whether it hinges on one red line. See
        :func:`dealcheck.analysis.explain.explain`.

        >>> from dealcheck import load_scenario
        >>> s = load_scenario('''
        ... dealcheck: 1
        ... title: Toy
        ... terms: {nato: [member, neutral]}
        ... parties:
        ...   russia: {red_lines: {no_nato: {rule: nato != "member", assumption: toy}}}
        ... ''')
        >>> [(f.statement, f.label) for f in s.explain().findings]
        [('nato=neutral in every deal', 'hinges on russia.no_nato (an assumption about russia)')]
        """
        from dealcheck import api  # the facade, the one module above this one the model calls

        chosen = None
        if packages is not None:
            given = [self._package_arg(p) for p in packages]
            chosen = [p if isinstance(p, Package) else Package("given", dict(p)) for p in given]
        return api.explain(self, packages=chosen, limit=limit, time_limit=time_limit)

    def sensitivity(
        self,
        *,
        objectives: Sequence[str] | None = None,
        backend: str = "cpsat",
        time_limit: float | None = None,
    ) -> SensitivityReport:
        """For the best deal under each objective, the smallest move of one weight (up and down) that changes it,
        exactly, and the best deals under each utility profile's other ``normalise:`` choice. See
        :func:`dealcheck.analysis.sensitivity.sensitivity`.

        >>> from dealcheck import load_scenario
        >>> s = load_scenario('''
        ... dealcheck: 1
        ... title: Toy
        ... terms: {x: [a, b]}
        ... parties:
        ...   p: {demands: {a: {rule: x == "a", weight: 2, assumption: toy}, b: {rule: x == "b", assumption: toy}}}
        ... ''')
        >>> w = s.sensitivity(objectives=["total"]).objectives[0].weights[1]
        >>> w.ref, w.up.at, w.up.inclusive, dict(w.up.values)
        ('p.b', Fraction(2, 1), False, {'x': 'b'})
        """
        from dealcheck import api  # the facade, the one module above this one the model calls

        chosen = None if objectives is None else tuple(objectives)
        return api.sensitivity(self, objectives=chosen, backend=backend, time_limit=time_limit)

    def explore(
        self,
        *,
        objective: str = "total",
        top: int = 3,
        parties: str | Sequence[str | Party] | None = None,
        package: Mapping[str, Value] | Package | str | None = None,
        backend: str = "cpsat",
        engine: str | None = None,
        limit: int | None = None,
        time_limit: float | None = None,
    ) -> ExploreReport:
        """The zone of possible agreement: the exact number of deals, the options in some deal, the ``top`` best
        deals by ``objective`` (``total``, ``maximin`` or ``nash``) and the Pareto frontier of party scores.
        See :func:`dealcheck.analysis.explore.explore`.

        >>> from dealcheck import load_scenario
        >>> s = load_scenario('''
        ... dealcheck: 1
        ... title: Toy
        ... terms: {ceasefire: {options: [none, energy, full], ordered: true}}
        ... parties:
        ...   russia: {red_lines: {no_full: {rule: ceasefire != "full", assumption: toy}}}
        ...   ukraine: {demands: {truce: {rule: ceasefire >= "energy", assumption: toy}}}
        ... ''')
        >>> r = s.explore(top=1)
        >>> r.deals, r.terms[0].options, dict(r.best[0].values)
        (2, ('none', 'energy'), {'ceasefire': 'energy'})
        """
        from dealcheck import api  # the facade, the one module above this one the model calls

        return api.explore(
            self,
            objective=objective,
            top=top,
            parties=self._parties_arg(parties),
            package=None if package is None else self._package_arg(package),
            backend=backend,
            engine=engine,
            limit=limit,
            time_limit=time_limit,
        )

    def repair(
        self,
        package: Mapping[str, Value] | Package | str,
        *,
        keep: str | Sequence[str | Term] = (),
        top: int = 3,
        backend: str = "cpsat",
        engine: str | None = None,
        time_limit: float | None = None,
    ) -> RepairReport:
        """The ``top`` nearest deals to ``package``: fewest changed terms (weighted by ``change_cost``), ``keep``
        terms held. See :func:`dealcheck.analysis.repair.repair`.

        >>> from dealcheck import load_scenario
        >>> s = load_scenario('''
        ... dealcheck: 1
        ... title: Toy
        ... terms: {ceasefire: {options: [none, energy, full], ordered: true}}
        ... parties:
        ...   russia: {red_lines: {no_full: {rule: ceasefire != "full", assumption: toy}}}
        ...   ukraine: {demands: {truce: {rule: ceasefire >= "energy", assumption: toy}}}
        ... ''')
        >>> [(c.term, c.old, c.new) for c in s.repair({"ceasefire": "full"}).suggestions[0].changes]
        [('ceasefire', 'full', 'energy')]
        """
        keep = [keep] if isinstance(keep, str) else [t.name if isinstance(t, Term) else t for t in keep]
        from dealcheck import api  # the facade, the one module above this one the model calls

        return api.repair(
            self, self._package_arg(package), keep=keep, top=top, backend=backend, engine=engine, time_limit=time_limit
        )

    def compare(
        self,
        *,
        variants: str | Sequence[str | Variant] | None = None,
        backend: str = "cpsat",
        engine: str | None = None,
        time_limit: float | None = None,
    ) -> CompareReport:
        """The base scenario and each variant (default: all) side by side: deal counts and every package's verdict.
        See :func:`dealcheck.analysis.compare.compare`.
        """
        if variants is not None:
            if isinstance(variants, (str, Variant)):
                variants = [variants]
            variants = [v.name if isinstance(v, Variant) else v for v in variants]
        from dealcheck import api  # the facade, the one module above this one the model calls

        return api.compare(self, variants=variants, backend=backend, engine=engine, time_limit=time_limit)

    # --- arguments: ids or objects -----------------------------------------------------------------------

    def _package_arg(self, package: Any) -> Package | Mapping[str, Value]:
        """A package given by id, as a :class:`Package`, or as a ``{term: value}`` mapping."""
        if isinstance(package, str):
            return self.package(package)
        if isinstance(package, Package) or isinstance(package, Mapping):
            return package
        raise UsageError(
            f"a package is a package id, a Package or a {{term: value}} mapping, not {type(package).__name__}",
            "e.g. scenario.check('energy_truce') or scenario.check({'ceasefire': 'energy'})",
        )

    def _parties_arg(self, parties: Any) -> list[str] | None:
        """Party ids from ``None``, a comma-separated string, a party, or a list of ids and parties."""
        if parties is None:
            return None
        if isinstance(parties, str):
            parties = [p.strip() for p in parties.split(",") if p.strip()]
        elif isinstance(parties, Party):
            parties = [parties]
        elif not isinstance(parties, (list, tuple, set, frozenset, Keyed)):
            raise UsageError(
                f"parties is a list of party ids or a comma-separated string, not {type(parties).__name__}",
                "e.g. parties=['us', 'ukraine'] or parties='us,ukraine'",
            )
        return [self.party(p).id for p in parties]

    def test(self) -> ExpectationReport:
        """Run the scenario's ``expect:`` entries. See :func:`dealcheck.expectations.run_expectations`."""
        from dealcheck import api  # the facade, the one module above this one the model calls

        return api.run_expectations(self)


# Every analysis method imports :mod:`dealcheck.api` when called: the facade is the one module above this one that
# the model calls (a top-level import would be a circle, since the analyses import the model).
_CHECK_PACKAGE: Callable[..., PackageVerdict] | None = None


def _check_package() -> Callable[..., PackageVerdict]:
    global _CHECK_PACKAGE
    from dealcheck import api

    _CHECK_PACKAGE = api.check_package
    return _CHECK_PACKAGE


def _need_str(value: Any, what: str, expected: str) -> None:
    if not isinstance(value, str):
        raise UsageError(f"a {what} is given by {expected} or the object itself, not {type(value).__name__} {value!r}")


def _suggest(name: str, candidates: Any, what: str | None = None) -> str | None:
    """A did-you-mean; failing that, with ``what`` ("terms"), the names there are (a dozen at most)."""
    from dealcheck.suggest import closest_name, listing

    candidates = list(candidates)
    found = closest_name(name, candidates)
    close = [found] if found is not None else []
    if not close:  # 'nato' for 'ukraine_nato': a whole word of a longer id
        close = [c for c in candidates if name.lower() in c.lower().split("_")][:1]
    if close:
        return f"did you mean {close[0]!r}?"
    if what is None:
        return None
    return f"the {what} are {listing(candidates)}" if candidates else f"the scenario declares no {what}"


def _options_hint(term: Term) -> str | None:
    if isinstance(term.domain, OptionsDomain):
        from dealcheck.suggest import listing

        return "the options of " + term.name + " are " + listing(term.domain.options)
    return None


def reservation_rule(
    party: Party,
    accepts_at: Fraction,
    *,
    text: str,
    source: str | None = None,
    quote: str | None = None,
    assumption: str | None = None,
    span: Span | None = None,
    quote_span: Span | None = None,
) -> Rule:
    """The red line ``score >= accepts_at`` of ``party`` (its demands, utility and total as declared), as a checked
    rule: the met weight, in the party's own units (integers), at least ``ceil(accepts_at * total)``. Every backend
    enforces it like any red line.

    >>> from dealcheck.rules.ir import IsTrue
    >>> ds = (Rule("p", "a", RuleKind.DEMAND, "a", IsTrue(0), weight=Fraction(3, 4), assumption="toy"),
    ...       Rule("p", "b", RuleKind.DEMAND, "b", IsTrue(1), weight=Fraction(1, 4), assumption="toy"))
    >>> r = reservation_rule(Party("p", "P", demands=ds), Fraction(1, 2), text="0.5", assumption="toy")
    >>> r.id, r.expr.op.value, r.expr.right
    ('accepts_at', '>=', Const(value=2))
    """
    import math

    from dealcheck.rules.ir import Arith, ArithOp, CmpOp, Compare, Const, Count

    parts: list[Any] = []
    for d in party.demands:
        w = party.units(d.weight)
        if w:
            parts.append(Count((d.expr,)) if w == 1 else Arith(ArithOp.MUL, Const(w), Count((d.expr,))))
    total = party.units(party.total_weight)
    # Balanced, so a party with hundreds of option values does not make a deep expression.
    while len(parts) > 1:
        paired = [Arith(ArithOp.ADD, a, b) for a, b in zip(parts[::2], parts[1::2], strict=False)]
        if len(parts) % 2:
            paired.append(parts[-1])
        parts = paired
    met = parts[0] if parts else Const(0)
    need = math.ceil(Fraction(accepts_at) * total) if total else (0 if accepts_at <= 1 else 1)
    return Rule(
        party.id,
        "accepts_at",
        RuleKind.RED_LINE,
        f"score >= {text}",
        Compare(CmpOp.GE, met, Const(need)),
        description=f"walks away below a score of {text} (its reservation value)",
        source=source,
        quote=quote,
        assumption=assumption,
        span=span,
        quote_span=quote_span,
    )
