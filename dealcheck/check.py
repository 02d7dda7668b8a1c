"""What the CLI and the library call to check packages: a scenario and packages in, verdicts out.

In: a :class:`~dealcheck.model.Scenario` and packages (scenario packages, or ad-hoc ``{term: value}`` mappings).
Out: :class:`~dealcheck.results.PackageVerdict` per package, gathered in a :class:`~dealcheck.results.CheckReport`.

A **full** package (every term set) is checked by the compiled rules alone (:mod:`dealcheck.solver.compiled`): no
solver, no ortools, no numpy, so checking a proposal is instant. A **partial** package goes to
:class:`dealcheck.partial.PartialCheck`, which settles what it can without a solver and asks the chosen backend
(:data:`dealcheck.solver.base.BACKENDS`) the rest. ``backend=`` names it; ``engine=``, its former name, is still
accepted.

Named ``check`` for what it holds (it was ``engine.py``, a word that also meant the solver backends).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from fractions import Fraction

from dealcheck.model import Package, RuleKind, Scenario
from dealcheck.partial import PartialCheck, party_score
from dealcheck.results import CheckReport, PackageVerdict, PartyVerdict, RuleOutcome, Status, deferred_verdict
from dealcheck.rules.terms import Value
from dealcheck.solver.base import Deadline, get_backend
from dealcheck.solver.compiled import scenario_checker

__all__ = ["check_package", "check_packages", "check_selected"]


def check_package(
    scenario: Scenario,
    package: Mapping[str, Value] | Package,
    *,
    time_limit: float | None = None,
    backend: str = "cpsat",
    engine: str | None = None,
) -> PackageVerdict:
    """The verdict on one package, full or partial. ``UsageError`` for an unknown term or a value outside its domain.

    >>> from dealcheck.model import Party, Rule, RuleKind, Scenario, Term, OptionsDomain
    >>> from dealcheck.rules.ir import CmpOp, Compare, Const, Var
    >>> s = Scenario("Toy", (Term("ceasefire", 0, OptionsDomain(("none", "energy", "full"), ordered=True)),), (
    ...     Party("russia", "Russia", red_lines=(Rule("russia", "no_full", RuleKind.RED_LINE, 'ceasefire != "full"',
    ...         Compare(CmpOp.NE, Var(0), Const(2)), assumption="toy"),)),
    ...     Party("ukraine", "Ukraine", red_lines=(Rule("ukraine", "some", RuleKind.RED_LINE, 'ceasefire >= "energy"',
    ...         Compare(CmpOp.GE, Var(0), Const(1)), assumption="toy"),)),
    ... ))
    >>> v = check_package(s, {"ceasefire": "full"})
    >>> v.deal, [p.broken for p in v.parties]
    (False, [('no_full',), ()])
    >>> v = check_package(s, {}, backend="brute")
    >>> v.deal_possible, dict(v.forced), v.example
    (True, {'ceasefire': 'energy'}, {'ceasefire': 'energy'})
    """
    if engine is not None:  # the keyword's former name
        backend = engine
    if isinstance(package, Package):
        return _check(scenario, package.id, package.title, package.values, time_limit, backend)
    # The full-package fast path of ``_check``, repeated here: one call less is 5% of a full-package check.
    deal = scenario_checker(scenario).full_check(package)
    if deal is not None:
        return deferred_verdict(
            None, None, deal, (_full_parts, scenario, package.copy() if type(package) is dict else dict(package))
        )
    return _check(scenario, None, None, package, time_limit, backend)


def check_packages(
    scenario: Scenario,
    names: Sequence[str] | None = None,
    *,
    time_limit: float | None = None,
    backend: str = "cpsat",
    engine: str | None = None,
) -> CheckReport:
    """Verdicts on the scenario's packages called ``names`` (default: all, in file order)."""
    if engine is not None:  # the keyword's former name
        backend = engine
    chosen = scenario.packages if names is None else tuple(scenario.package(n) for n in names)
    deadline = Deadline(time_limit)  # one limit for every package together
    return _report(scenario, [_check(scenario, p.id, p.title, p.values, deadline.remaining(), backend) for p in chosen])


def check_selected(
    scenario: Scenario,
    selection: Iterable[tuple[str | None, str | None, Mapping[str, Value]]],
    *,
    time_limit: float | None = None,
    backend: str = "cpsat",
    engine: str | None = None,
) -> CheckReport:
    """Verdicts on ``(package id or None, title, values)`` triples, as the CLI gathers them from ``-p`` and ``--set``."""
    if engine is not None:  # the keyword's former name
        backend = engine
    deadline = Deadline(time_limit)  # one limit for every package together
    return _report(
        scenario,
        [_check(scenario, pid, title, values, deadline.remaining(), backend) for pid, title, values in selection],
    )


def _report(scenario: Scenario, verdicts: list[PackageVerdict]) -> CheckReport:
    return CheckReport(
        scenario=scenario.title, path=scenario.path, verdicts=tuple(verdicts), variant=scenario.variant_name
    )


# --- one package ---------------------------------------------------------------------------------------------


def _check(
    scenario: Scenario,
    package_id: str | None,
    title: str | None,
    values: Mapping[str, Value],
    time_limit: float | None,
    backend: str,
) -> PackageVerdict:
    # The common case first: every term set, exact types, in one compiled call (anything else returns None).
    deal = scenario_checker(scenario).full_check(values)
    if deal is not None:
        # A snapshot of the (valid) values, for the parties built on first read: copying a dict costs half as
        # much as building a tuple of codes.
        return deferred_verdict(
            package_id, title, deal, (_full_parts, scenario, values.copy() if type(values) is dict else dict(values))
        )
    codes = scenario.encode(values)
    shown = scenario.decode(codes)  # term order, whatever order the caller gave
    if all(c is not None for c in codes):
        return _check_full(scenario, package_id, title, shown, tuple(c for c in codes if c is not None))
    return PartialCheck(scenario, codes, time_limit, get_backend(backend)).verdict(package_id, title, shown)


def _check_full(
    scenario: Scenario, package_id: str | None, title: str | None, shown: dict[str, Value], codes: tuple[int, ...]
) -> PackageVerdict:
    checker = scenario_checker(scenario)
    deal = all(ok for r, ok in zip(checker.rules, checker.check_all(codes), strict=True) if r.kind is RuleKind.RED_LINE)
    return deferred_verdict(package_id, title, deal, (_full_parts, scenario, codes))


def _full_parts(
    scenario: Scenario, package: tuple[int, ...] | Mapping[str, Value]
) -> tuple[dict[str, Value], tuple[PartyVerdict, ...]]:
    """A full package's ``values`` and ``parties`` (from its codes, or its valid values of exact types), built when
    a verdict's reader first asks for them. The same outcomes as :func:`dealcheck.partial.party_verdict` gives, by table look-ups
    (about ten times faster: this is all the work of a verdict that is read in full)."""
    checker = scenario_checker(scenario)
    terms = scenario.terms
    if isinstance(package, tuple):
        codes = package
    else:
        codes = tuple(encode[package[t.name]] for t, encode in zip(terms, checker.encoders, strict=True))
    shown = {t.name: decode[c] for t, decode, c in zip(terms, checker.decoders, codes, strict=True)}
    names = [t.name for t in terms]
    truths = checker.check_all(codes)
    reads = checker.reads
    position = 0
    plains = scenario.plain_texts()
    parties = []
    for party in scenario.parties:
        outcomes: tuple[list[RuleOutcome], list[RuleOutcome]] = ([], [])
        settled: tuple[list[str], list[str]] = ([], [])  # red lines broken, demands met
        gained: int | Fraction = 0
        for kind, rules in enumerate((party.red_lines, party.demands)):
            for rule in rules:
                # checker.rules is scenario.rules() order: party by party, red lines then demands.
                ok = truths[position]
                if ok is bool(kind):  # a demand met or a red line broken
                    settled[kind].append(rule.id)
                    gained += rule.weight if kind else 0
                # Positional, in RuleOutcome's field order (keywords cost a quarter more; tests compare these
                # outcomes field by field with party_verdict's).
                outcomes[kind].append(
                    RuleOutcome(
                        rule.party,
                        rule.id,
                        _KIND_VALUE[kind],
                        _HELD if ok else _BROKEN,
                        rule.text,
                        {names[i]: shown[names[i]] for i in reads[position]},
                        rule.weight,
                        rule.description,
                        rule.quote,
                        rule.source,
                        rule.assumption,
                        plains[position],
                    )
                )
                position += 1
        parties.append(
            PartyVerdict(
                party=party.id,
                name=party.name,
                acceptable=not settled[0],
                broken=tuple(settled[0]),
                met=tuple(settled[1]),
                score=party_score(party, gained),
                red_lines=tuple(outcomes[0]),
                demands=tuple(outcomes[1]),
            )
        )
    return shown, tuple(parties)


# Looked up once: an enum member look-up costs about 0.2 µs on CPython 3.11.
_HELD, _BROKEN = Status.HELD, Status.BROKEN
_KIND_VALUE = (RuleKind.RED_LINE.value, RuleKind.DEMAND.value)
