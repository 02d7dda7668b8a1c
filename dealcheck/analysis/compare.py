"""What-if variants side by side: for the base scenario and each variant, the deal count and every package's verdict.

In: a :class:`~dealcheck.model.Scenario` (the base, with its ``variants:``). Out: a :class:`CompareReport`, one
:class:`Column` per scenario (base first, then variants in file order), one :class:`Verdict` per package.

A package's verdict is ``deal`` (a full package every party accepts), ``can_become_deal`` (a partial package with a
deal completion), ``no_deal`` (a full package that breaks a red line, or a partial one with no deal completion), or
``unknown`` (a time limit stopped the check): the three-valued evaluator settles the packages that surely break a
red line, one feasibility solve the other partial ones (the same verdict :func:`dealcheck.check.check_package`
gives, without settling every rule). Counts come from exact model counting with the ``cpsat`` backend and from listing with the others (where ``limit`` or the time
limit may stop them: the count is then a lower bound and the report exits 4).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import assert_never

import attrs

from dealcheck.errors import UsageError
from dealcheck.model import Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK, Report
from dealcheck.rules.evaluator import evaluate
from dealcheck.solver.base import BACKENDS, Constraints, Deadline, SolveStatus, get_backend
from dealcheck.solver.session import open_session

__all__ = ["VERDICTS", "Column", "CompareReport", "Verdict", "compare"]

#: The verdict words, in the order a report explains them.
VERDICTS: tuple[str, ...] = ("deal", "can_become_deal", "no_deal", "unknown")


@attrs.frozen
class Verdict:
    package: str
    verdict: str
    broken: tuple[str, ...] = ()  # red lines the package breaks whatever its open terms are (party.id)


@attrs.frozen(hash=False)
class Column:
    """One scenario: the base (``variant`` is ``None``) or one variant."""

    variant: str | None
    description: str | None
    deals: int
    exact: bool
    verdicts: tuple[Verdict, ...]


@attrs.frozen(hash=False)
class CompareReport(Report):
    scenario: str
    path: str
    backend: str
    packages: tuple[str, ...]
    columns: tuple[Column, ...]

    @property
    def complete(self) -> bool:
        return all(c.exact and all(v.verdict != "unknown" for v in c.verdicts) for c in self.columns)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.complete else EXIT_LIMIT

    def changed(self, column: Column) -> tuple[str, ...]:
        """The packages whose verdict in ``column`` differs from the base's."""
        base = {v.package: v.verdict for v in self.columns[0].verdicts}
        return tuple(v.package for v in column.verdicts if v.verdict != base[v.package])


def compare(
    scenario: Scenario,
    *,
    variants: Iterable[str] | None = None,
    packages: Sequence[str] | None = None,
    backend: str = "cpsat",
    engine: str | None = None,
    limit: int | None = None,
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> CompareReport:
    """The base scenario and ``variants`` (default: all) side by side, over ``packages`` (default: all).

    ``time_limit`` bounds the whole comparison.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {nato: [outside, member], eu: [blocked, open]}
    ... parties:
    ...   russia:
    ...     red_lines:
    ...       no_nato: {rule: nato == "outside", assumption: toy}
    ... packages:
    ...   join_nato: {terms: {nato: member}}
    ...   join_eu: {terms: {eu: open, nato: outside}}
    ... variants:
    ...   harder: {description: Russia blocks the EU too, add: {russia: {red_lines: {no_eu: {rule: eu == "blocked", assumption: toy}}}}}
    ... ''')
    >>> r = compare(s)
    >>> [(c.variant, c.deals, [v.verdict for v in c.verdicts]) for c in r.columns]
    [(None, 2, ['no_deal', 'deal']), ('harder', 1, ['no_deal', 'no_deal'])]
    >>> r.changed(r.columns[1])
    ('join_eu',)
    """
    if engine is not None:  # the keyword's former name
        backend = engine
    if backend not in BACKENDS:
        get_backend(backend)
    say = progress or (lambda _: None)
    names = [v.name for v in scenario.variants] if variants is None else list(dict.fromkeys(variants))
    for wanted in names:
        scenario.variant(wanted)  # an unknown name is a usage error before any work is done
    chosen = scenario.packages if packages is None else tuple(scenario.package(n) for n in packages)
    if not chosen and not names and packages is None and not scenario.variants:
        raise UsageError(
            "the scenario has no variants and no packages to compare", "add variants: or packages: to the file"
        )
    deadline = Deadline(time_limit)
    columns = []
    for name in [None, *names]:
        s = scenario if name is None else scenario.variant(name)
        description = None if name is None else next(v.description for v in scenario.variants if v.name == name)
        say(f"counting deals of {name or 'the base scenario'}")
        deals, exact = _count(s, backend, limit, deadline)
        verdicts = []
        for p in chosen:
            say(f"{name or 'base'}: package {p.id}")
            verdicts.append(_verdict(s, p.id, s.encode(p.values), backend, deadline))
        columns.append(Column(name, description, deals, exact, tuple(verdicts)))
    return CompareReport(scenario.title, scenario.path, backend, tuple(p.id for p in chosen), tuple(columns))


def _verdict(
    scenario: Scenario, package: str, codes: tuple[int | None, ...], backend: str, deadline: Deadline
) -> Verdict:
    """The verdict alone, with one solve at most: the full check (:func:`dealcheck.check.check_package`) also settles
    every rule and demand, which a table of verdicts does not show."""
    bounds = tuple((t.domain.codes.start, t.domain.codes.stop - 1) for t in scenario.terms)
    broken = tuple(r.ref for r in scenario.red_lines() if evaluate(r.expr, codes, bounds) is False)
    if broken:
        return Verdict(package, "no_deal", broken)
    if all(c is not None for c in codes):
        return Verdict(package, "deal")
    if deadline.expired():  # not even the solver's import (half a second) once the limit is reached
        return Verdict(package, "unknown")
    # One question: presolve pays for itself.
    result = open_session(backend, Constraints.from_scenario(scenario, fixed=codes), deadline, presolve=True).find()
    match result.status:
        case SolveStatus.SAT:
            return Verdict(package, "can_become_deal")
        case SolveStatus.UNSAT:
            return Verdict(package, "no_deal")
        case SolveStatus.UNKNOWN:
            return Verdict(package, "unknown")
        case _:
            assert_never(result.status)


def _count(scenario: Scenario, backend: str, limit: int | None, deadline: Deadline) -> tuple[int, bool]:
    """Exact model counting where the backend has it (``cpsat``: ``limit`` does not apply), else listing."""
    result = open_session(backend, Constraints.from_scenario(scenario), deadline).count(limit=limit)
    return result.count, result.exact
