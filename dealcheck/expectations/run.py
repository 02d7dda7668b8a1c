"""Expectations: the claims a scenario file makes about itself (``expect:``), checked like tests.

In: a loaded :class:`~dealcheck.model.Scenario` whose ``expectations`` the loader has shape-checked. Out: an
:class:`ExpectationReport` (one :class:`ExpectationResult` per entry: where it is, what it claims, whether it held
and, when not, one paragraph saying why), and renderers for it in text, JSON (``dealcheck.test/1``) and JUnit XML.
``dealcheck test`` and the pytest plugin both run expectations through :func:`run_expectation`, so they never
disagree.

The meaning of one entry:

- Its *subject* is a package: ``package: ID`` (one of the scenario's packages), ``set: {term: value}`` (an ad-hoc
  package, full or partial; the loader accepts one of the two, not both), or neither (the whole scenario: only
  the claims about analyses, except ``nearest``, may be made then). ``variant: NAME`` applies a what-if first.
- ``deal: true|false``: the package is complete and every party accepts it (a partial package is never a deal).
- ``deal_possible: true|false``: some completion of the package is a deal (for a complete package: it is a deal).
- ``breaks: [party.red_line, ...]``: *at least* these red lines are broken (in every completion, for a partial
  package). Other broken red lines do not fail the claim, so adding a red line to a scenario does not churn every
  expectation; they are named in the reason when the claim fails. Pin the rest with ``keeps`` or ``deal``.
- ``keeps: [party.red_line, ...]``: these red lines hold (in every completion).
- ``meets: [party.demand, ...]``: these demands are met (in every completion).
- ``acceptable_to`` / ``not_acceptable_to: [party, ...]``: the party's red lines all hold (for a partial package:
  in some completion), or not.
- ``forced: {term: value}``: a subset match against the terms every deal completion forces (for a complete deal:
  its own values).
- ``deals: N`` or ``deals: ">= N"`` (also ``>``, ``<``, ``<=``, ``==``, ``!=``): the number of deals, that is the
  complete packages every party accepts, counted exactly; with a subject, only those that agree with its values.

Claims about analyses, over the deals among the subject's completions (the whole scenario without a subject):

- ``options: {term: [option, ...]}``: exactly these options of each listed term occur in some deal
  (:func:`dealcheck.analysis.explore.explore`, exact model counting).
- ``conflicts: [[party.red_line, ...], ...]``: each listed set is a minimal conflict of red lines, "at least these"
  like ``breaks``; checked by :func:`dealcheck.analysis.conflicts.conflict_sets` on the listed red lines alone,
  whose only minimal conflict must then be the whole set (infeasible, each one-smaller part feasible, verified
  there). ``conflicts: N`` (or ``">= N"``...) counts the minimal conflicts among all red lines, enumerating at most
  N + 1; ``conflicts: 0`` is "no conflict". An empty list is refused: it would claim nothing.
- ``concessions: N``: the cheapest concession that opens a deal costs N (the sum of the dropped red lines'
  ``concession_cost``, what the analysis minimises; the number of red lines when every cost is 1); 0 when a deal
  exists. ``concession: [party.red_line, ...]``: dropping exactly these is one of the cheapest concessions (the rest
  can hold together and it costs the minimum; with positive costs that also makes it minimal).
- ``best: {score: S, objective: total|maximin|nash, parties: [...]}``: the best deal's objective value is exactly S
  (a fraction, never a float: a tolerance would let a changed weight pass unnoticed).
- ``nearest: {distance: N | none, keep: [term, ...]}``: the repair distance of the subject's nearest deal
  (:func:`dealcheck.analysis.repair.repair`); ``none`` when no deal can be reached while holding ``keep``.

An entry that cannot be checked (an unknown package, a time limit reached, no counting engine) *fails* with a
reason: an expectation never passes without having been checked.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from dealcheck.errors import Diagnostic, ScenarioError, UsageError
from dealcheck.expectations.claims import (
    OP_WORDS,
    BestClaim,
    Claim,
    ConcessionClaim,
    ConcessionsClaim,
    ConflictCountClaim,
    ConflictsClaim,
    Count,
    CountClaim,
    DealClaim,
    DealPossibleClaim,
    Entry,
    Expectation,
    ForcedClaim,
    Malformed,
    NearestClaim,
    OptionsClaim,
    PartiesClaim,
    ProbabilityClaim,
    RulesClaim,
    show,
)
from dealcheck.results import EXIT_FAILED, EXIT_INVALID, EXIT_LIMIT, EXIT_OK, Report
from dealcheck.solver.base import BeyondCpsat, listable_beyond_cpsat

__all__ = [
    "ExpectationReport",
    "ExpectationResult",
    "InvalidFile",
    "TestRun",
    "describe",
    "discover",
    "run_expectation",
    "run_expectations",
    "run_files",
]

# --- results ------------------------------------------------------------------------------------------------


@attrs.frozen
class ExpectationResult:
    """One expectation's outcome. ``reason`` is one paragraph when it failed, ``None`` when it passed."""

    index: int  # position in the file's expect: list, from 0
    file: str
    line: int | None
    description: str
    passed: bool
    reason: str | None = None
    #: The limit that stopped its check ("time limit", "memory limit", "enumeration limit"): neither passed nor
    #: failed, it was not checked (the run exits 4).
    stopped: str | None = None

    @property
    def location(self) -> str:
        return f"{self.file}:{self.line}" if self.line is not None else self.file


@attrs.frozen
class ExpectationReport(Report):
    """Every expectation of one scenario file, in file order."""

    scenario: str
    path: str
    results: tuple[ExpectationResult, ...]

    @property
    def passed(self) -> int:
        return sum(1 for r in self.results if r.passed)

    @property
    def failed(self) -> int:
        return sum(1 for r in self.results if not r.passed and r.stopped is None)

    @property
    def not_checked(self) -> int:
        """Expectations a limit stopped (neither passed nor failed)."""
        return sum(1 for r in self.results if r.stopped is not None)

    @property
    def exit_code(self) -> int:
        # A limit over a failure, as a check report does: the answer is incomplete either way.
        return EXIT_LIMIT if self.not_checked else EXIT_FAILED if self.failed else EXIT_OK


@attrs.frozen
class InvalidFile:
    """A file ``dealcheck test`` could not load, with its diagnostics (already rendered for people)."""

    path: str
    diagnostics: tuple[Diagnostic, ...]
    rendered: str


@attrs.frozen
class TestRun(Report):
    """The outcome of ``dealcheck test`` over several files: exit 2 if any file is invalid, else 1 on any failure."""

    __test__ = False  # not a pytest test class, despite the name

    reports: tuple[ExpectationReport, ...]
    invalid: tuple[InvalidFile, ...] = ()

    @property
    def passed(self) -> int:
        return sum(r.passed for r in self.reports)

    @property
    def failed(self) -> int:
        return sum(r.failed for r in self.reports)

    @property
    def not_checked(self) -> int:
        return sum(r.not_checked for r in self.reports)

    @property
    def exit_code(self) -> int:
        if self.invalid:
            return EXIT_INVALID
        return EXIT_LIMIT if self.not_checked else EXIT_FAILED if self.failed else EXIT_OK


# --- running ------------------------------------------------------------------------------------------------


def run_expectations(scenario: Any, *, backend: str = "cpsat") -> ExpectationReport:
    """Check every expectation of ``scenario``.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {nato: [member, neutral]}
    ... parties:
    ...   russia:
    ...     red_lines:
    ...       no_nato: {rule: nato != "member", assumption: toy}
    ... packages:
    ...   join: {terms: {nato: member}}
    ... expect:
    ...   - {package: join, deal: false, breaks: [russia.no_nato]}
    ...   - {set: {nato: neutral}, deal: true}
    ... ''')
    >>> report = run_expectations(s)
    >>> [(r.line, r.passed) for r in report.results], report.exit_code
    ([(12, True), (13, True)], 0)
    """
    results = tuple(run_expectation(scenario, e, i, backend=backend) for i, e in enumerate(scenario.expectations))
    return ExpectationReport(scenario=scenario.title, path=scenario.path, results=results)


def run_expectation(scenario: Any, expectation: Any, index: int = 0, *, backend: str = "cpsat") -> ExpectationResult:
    """Check one expectation; every way it can go wrong becomes a failed result with a reason, never an exception.

    ``backend`` answers the claims that need a solver. A scenario whose numbers CP-SAT cannot hold (16-digit Genius
    weights) is answered again on python-constraint2, exact with any integer, when it is small enough to list
    (:func:`~dealcheck.solver.base.listable_beyond_cpsat`); otherwise the expectation is not checked (exit 4), never
    failed: the claim may well be true.
    """
    entry: Entry | Malformed = expectation.entry
    span = expectation.span
    file = span.file if span is not None else scenario.path
    line = span.line if span is not None else None
    try:
        description = entry.describe()
    except ValueError:  # a malformed entry without a description is named by its position
        description = f"expectation {index + 1}"
    match entry:
        case Malformed(reason=why):
            failures = [why]
        case Entry():
            try:
                failures = _check(scenario, entry, backend)
            except BeyondCpsat as e:
                if backend != "cpsat":
                    raise  # only CP-SAT refuses numbers
                if not listable_beyond_cpsat(_domains(scenario)):
                    why = (
                        f"CP-SAT cannot hold this scenario's numbers ({e.reason}) and its packages are too many to "
                        "list without a --time-limit, so the expectation could not be checked"
                    )
                    return ExpectationResult(index, file, line, description, False, why, stopped="size limit")
                return run_expectation(scenario, expectation, index, backend="constraint")
            except UsageError as e:
                failures = [e.message + (f" ({e.hint})" if e.hint else "")]
            except ScenarioError as e:
                failures = [str(d) for d in e.diagnostics]
            except _NotChecked as e:
                if e.limit is not None:
                    return ExpectationResult(index, file, line, description, False, str(e), stopped=e.limit)
                failures = [str(e)]
    passed = not failures
    reason = None if passed else _paragraph(failures)
    return ExpectationResult(index, file, line, description, passed, reason)


class _NotChecked(Exception):
    """A limit (``limit`` names it: reported as not checked, never passed, and the run exits 4) or a missing solver
    (a failure) stopped the check of an expectation. (Shapes are checked before an entry exists, by the loader or
    :meth:`~dealcheck.expectations.claims.Entry.from_data`.)
    """

    def __init__(self, message: str, *, limit: str | None = None) -> None:
        super().__init__(message)
        self.limit = limit


def _check(scenario: Any, entry: Entry, backend: str) -> list[str]:
    """The failure sentences of one expectation; empty when it holds."""
    if entry.variant is not None:
        scenario = scenario.variant(entry.variant)
    values, subject = _subject(scenario, entry)
    if values is not None:
        scenario.encode(values)  # an unknown term or a value outside its domain is a UsageError with a hint
    failures: list[str] = []
    verdict = None
    for claim in entry.claims:
        match claim:
            case DealClaim() | DealPossibleClaim() | RulesClaim() | PartiesClaim() | ForcedClaim():
                assert values is not None  # an entry without a subject makes no package claim (Entry.from_data)
                if verdict is None:
                    verdict = scenario.check(values)
                    if verdict.unknown:
                        raise _NotChecked(
                            f"a time limit stopped the analysis of {subject}, so the expectation could not be checked",
                            limit="time limit",
                        )
                failures += _package_failures(scenario, claim, verdict, subject)
            case _:
                try:
                    failures += _analysis_failures(scenario, claim, values, subject, backend)
                except ImportError as e:  # a solver the analysis needs (ortools) is missing: unchecked, never passed
                    raise _NotChecked(
                        f"{claim.key} needs the analysis engine, which this installation lacks ({e}); "
                        "this expectation cannot be checked"
                    ) from None
    return failures


def _subject(scenario: Any, entry: Entry) -> tuple[dict[str, Any] | None, str]:
    """The subject's values (``None``: the whole scenario) and its name in failure sentences."""
    values: dict[str, Any] | None = None
    subject = "the scenario"
    if entry.package is not None:
        package = scenario.package(entry.package)
        values = dict(package.values)
        subject = f"package {package.id}"
    if entry.values is not None:
        values = {**(values or {}), **entry.values}
        shown = ", ".join(f"{k}={show(v)}" for k, v in entry.values.items())
        subject = f"{subject} with {shown}" if entry.package is not None else f"the package {shown}"
    if scenario.variant_name:
        subject += f" (variant {scenario.variant_name})"
    return values, subject


def _package_failures(scenario: Any, claim: Claim, verdict: Any, subject: str) -> list[str]:
    broken = [o for p in verdict.parties for o in p.red_lines if o.status.value == "broken"]
    match claim:
        case DealClaim(deal=deal) if deal != verdict.deal:
            if not deal:
                return [f"expected {subject} not to be a deal, but every party accepts it"]
            if not verdict.complete:
                open_terms = [t.name for t in scenario.terms if t.name not in verdict.values]
                return [
                    f"expected {subject} to be a deal, but it is partial: it leaves "
                    f"{', '.join(open_terms)} open (claim deal_possible for a partial package)"
                ]
            return [f"expected {subject} to be a deal, but it breaks {_list_broken(broken)}"]
        case DealPossibleClaim(possible=want):
            possible = verdict.deal if verdict.complete else verdict.deal_possible
            if want == bool(possible):
                return []
            if want:
                why = f"it breaks {_list_broken(broken)}" if broken else "no completion keeps every red line"
                return [f"expected a deal to be possible from {subject}, but none is: {why}"]
            example = verdict.example if verdict.example is not None else verdict.values
            return [
                f"expected no deal to be possible from {subject}, but one is: "
                f"{', '.join(f'{k}={show(v)}' for k, v in example.items())}"
            ]
        case RulesClaim(kind=key, refs=refs):
            kind, status = (
                ("demand", "held") if key == "meets" else ("red_line", "broken" if key == "breaks" else "held")
            )
            outcomes = {o.ref: o for p in verdict.parties for o in (*p.red_lines, *p.demands)}
            found = (outcomes[r.ref] for r in _rules(scenario, refs, kind, key))
            return [_rule_failure(key, o, subject, broken) for o in found if o.status.value != status]
        case PartiesClaim(acceptable=want, parties=names):
            parties = {p.party: p for p in verdict.parties}
            out = []
            for party in names:
                p = parties.get(party)
                if p is None:
                    scenario.party(party)  # unknown party: UsageError with a did-you-mean
                    continue
                if p.acceptable == want:
                    continue
                if want:
                    out.append(
                        f"expected {subject} to be acceptable to {party}, but {party} has "
                        f"{_list_broken([o for o in p.red_lines if o.status.value == 'broken'])} broken"
                    )
                else:
                    out.append(
                        f"expected {subject} not to be acceptable to {party}, but it keeps all of {party}'s red lines"
                        + ("" if verdict.complete else " in some completion")
                    )
            return out
        case ForcedClaim(values=want_forced):
            if verdict.complete:
                got: Mapping[str, Any] = verdict.values if verdict.deal else {}
            else:
                got = verdict.forced
            out = []
            for term, value in want_forced.items():
                scenario.term(str(term))
                if term not in got:
                    why = (
                        "no completion is a deal" if not (verdict.deal or verdict.deal_possible) else "it is not forced"
                    )
                    out.append(f"expected every deal from {subject} to force {term}={show(value)}, but {why}")
                elif got[term] != value:
                    out.append(
                        f"expected every deal from {subject} to force {term}={show(value)}, "
                        f"but it forces {term}={show(got[term])}"
                    )
            return out
    return []


def _rule_failure(key: str, o: Any, subject: str, broken: Sequence[Any]) -> str:
    status = {"held": "holds", "broken": "is broken", "open": "is open (it depends on terms the package leaves open)"}
    expected = {"breaks": "to break", "keeps": "to keep", "meets": "to meet"}[key]
    text = f"expected {subject} {expected} {o.ref} ({o.text}), but it {status[o.status.value]}"
    if o.values:
        text += " with " + ", ".join(f"{k}={show(v) if v is not None else 'open'}" for k, v in o.values.items())
    if key == "breaks":
        others = [b.ref for b in broken if b.ref != o.ref]
        text += "; it breaks " + (", ".join(others) if others else "no red line") + " instead"
    return text


# --- claims answered by the analyses ------------------------------------------------------------------------
#
# Each takes (scenario, the claim, the subject's values or None, the subject's name) and returns its failure
# sentences. The analyses are imported here, inside the functions that solve, so loading a scenario or running
# package claims never pays for them.


def _analysis_failures(
    scenario: Any, claim: Claim, values: Mapping[str, Any] | None, subject: str, backend: str
) -> list[str]:
    match claim:
        case CountClaim(count=count):
            return _count_failures(scenario, count, values, subject)
        case ProbabilityClaim():
            return _probability_failures(scenario, claim, values, subject)
        case OptionsClaim(options=options):
            return _options_failures(scenario, options, values, subject, backend)
        case ConflictCountClaim(count=count):
            return _conflict_count_failures(scenario, count, values, subject, backend)
        case ConflictsClaim(sets=sets):
            return _conflicts_failures(scenario, sets, values, subject, backend)
        case ConcessionsClaim(count=count):
            return _concessions_failures(scenario, count, values, subject, backend)
        case ConcessionClaim(refs=refs):
            return _concession_failures(scenario, refs, values, subject, backend)
        case BestClaim():
            return _best_failures(scenario, claim, values, subject, backend)
        case NearestClaim():
            assert values is not None  # a nearest claim has a subject (Entry.from_data, the loader)
            return _nearest_failures(scenario, claim, values, subject, backend)
    raise AssertionError(claim)  # every claim class is matched here or in _package_failures


def _count_failures(scenario: Any, count: Count, values: Mapping[str, Any] | None, subject: str) -> list[str]:
    op, n = count.op, count.n
    try:
        from dealcheck.solver.planner import count as count_deals
    except ImportError:
        raise _NotChecked(
            "deal counts need the analysis engine, which this installation lacks; this expectation cannot be checked"
        ) from None
    fixed: dict[int, int] = {}
    if values:
        codes = scenario.encode(values)
        fixed = {i: c for i, c in enumerate(codes) if c is not None}
    domains = [t.domain.codes for t in scenario.terms]
    result = count_deals(domains, [r.expr for r in scenario.red_lines()], fixed or None)
    found = result.low
    where = "the scenario" if values is None else f"the completions of {subject}"
    if not result.exact:
        # Bounds settle the claim when every count between them answers it the same way; else it is unchecked.
        answers = {
            count.holds(k)
            for k in {result.low, result.high, *(k for k in (n - 1, n, n + 1) if result.low <= k <= result.high)}
        }
        if answers == {True}:
            return []
        if answers != {False}:
            raise _NotChecked(
                f"the {result.stopped} stopped the count between {result.low} and {result.high} deals, "
                "so the expectation could not be checked",
                limit=result.stopped or "limit",
            )
        return [f"expected {OP_WORDS[op]} {n} deals in {where}, but there are between {result.low} and {result.high}"]
    if count.holds(found):
        return []
    if values is None and scenario.variant_name:
        where += f" (variant {scenario.variant_name})"
    return [
        f"expected {OP_WORDS[op]} {n} deal{'s' if n != 1 else ''} in {where}, "
        f"but there {'is' if found == 1 else 'are'} {found}"
    ]


def _probability_failures(
    scenario: Any, claim: ProbabilityClaim, values: Mapping[str, Any] | None, subject: str
) -> list[str]:
    # Exact; a UsageError where it could not be. No subject: the probability that some deal exists.
    p = _analysis("sweep").deal_probability(scenario, values or {})
    if claim.holds(p):
        return []
    if values is None:
        what = "some deal exists" + (f" (variant {scenario.variant_name})" if scenario.variant_name else "")
    elif all(t.name in values for t in scenario.terms):
        what = f"{subject} is a deal"
    else:
        what = f"some completion of {subject} is a deal"
    return [
        f"expected the probability that {what} to be {_AMOUNT_WORDS[claim.op]} {claim.shown}, but it is {_fraction(p)}"
    ]


_AMOUNT_WORDS = {**OP_WORDS, "<": "less than"}  # a count is "fewer than", a probability "less than"


def _analysis(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(f"dealcheck.analysis.{module}")
    except ImportError:
        raise _NotChecked(
            "this claim needs the analysis engine, which this installation lacks; this expectation cannot be checked"
        ) from None


def _within(values: Mapping[str, Any] | None, subject: str) -> str:
    return subject if values is None else f"the completions of {subject}"


def _rules(scenario: Any, refs: Sequence[str], kind: str, key: str, why: str = "") -> list[Any]:
    """The rules ``refs`` names, each of ``kind`` (``"red_line"`` or ``"demand"``), by the scenario's own look-up
    (an unknown one is its ``UsageError`` with a did-you-mean); another kind is a ``UsageError`` too. The loader
    checks the same of the entries it reads; entries written in code are checked here, against their scenario.
    """
    out = []
    for ref in refs:
        rule = scenario.rule(ref)
        if rule.kind.value != kind:
            raise UsageError(f"{ref} is a {rule.kind.value.replace('_', ' ')}, so {key} cannot list it{why}")
        out.append(rule)
    return out


def _red_lines(scenario: Any, refs: Sequence[str], key: str) -> list[Any]:
    return _rules(scenario, refs, "red_line", key, ": conflicts and concessions are about red lines")


def _fixed(scenario: Any, values: Mapping[str, Any] | None) -> tuple[int | None, ...] | None:
    return None if not values else tuple(scenario.encode(values))


def _domains(scenario: Any) -> tuple[range, ...]:
    return tuple(t.domain.codes for t in scenario.terms)


def _joined(refs: Iterable[str]) -> str:
    return " + ".join(refs)


def _example(scenario: Any, rules: Sequence[Any], fixed: tuple[int | None, ...] | None, backend: str) -> str:
    """The values of the terms ``rules`` read, in the smallest deal (in term order) keeping all of them."""
    from dealcheck.rules.ir import term_indices
    from dealcheck.solver.session import Constraints, open_session

    result = open_session(backend, Constraints(_domains(scenario), tuple(r.expr for r in rules), fixed)).lexmin()
    if result.solution is None:
        return ""
    read = set().union(*(term_indices(r.expr) for r in rules))
    shown = [f"{t.name}={show(t.decode(result.solution[t.index]))}" for t in scenario.terms if t.index in read]
    return ", for example with " + ", ".join(shown) if shown else ""


def _options_failures(
    scenario: Any, options: Mapping[str, Sequence[Any]], values: Mapping[str, Any] | None, subject: str, backend: str
) -> list[str]:
    wanted: dict[str, set[int]] = {}
    for name, listed in options.items():
        term = scenario.term(name)
        wanted[term.name] = {scenario.encode({term.name: v})[term.index] for v in listed}
    explore = _analysis("explore")
    report = explore.explore(scenario, top=0, pareto_limit=0, package=values or None, backend=backend)
    if not (report.exact and report.terms_complete):
        raise _NotChecked(
            f"a limit stopped the analysis of {subject}, so the expectation could not be checked", limit="limit"
        )
    zones = {z.term: z for z in report.terms}
    within = _within(values, subject)
    out = []
    for name, codes in wanted.items():
        term = scenario.term(name)
        zone = zones[name]
        if zone.ranges is not None:  # an integer term: compare intervals, never every value of a wide range
            if list(zone.ranges) == _intervals(codes):
                continue
            claimed = ", ".join(_show_interval(iv) for iv in _intervals(codes)) or "no option"
            text = f"expected the deals in {within} to take exactly {claimed} for {name}, but "
            if not zone.ranges:
                text += f"there is no deal in {within}, so no value of {name} occurs"
            else:
                text += f"they take {', '.join(_show_interval(iv) for iv in zone.ranges)}"
            out.append(text)
            continue
        found = {term.encode(v) for v in zone.options}
        if found == codes:
            continue
        claimed = ", ".join(show(term.decode(c)) for c in term.domain.codes if c in codes) or "no option"
        text = f"expected the deals in {within} to take exactly {claimed} for {name}, but "
        if not zone.options:
            text += f"there is no deal in {within}, so no option of {name} occurs"
        else:
            text += f"they take {', '.join(show(v) for v in zone.options)}"
            if zone.excluded:
                text += f" and never {', '.join(show(v) for v in zone.excluded)}"
        out.append(text)
    return out


def _intervals(codes: Iterable[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    for c in sorted(codes):
        if out and c == out[-1][1] + 1:
            out[-1] = (out[-1][0], c)
        else:
            out.append((c, c))
    return out


def _show_interval(interval: tuple[int, int]) -> str:
    lo, hi = interval
    return str(lo) if lo == hi else f"{lo}..{hi}"


def _conflict_count_failures(
    scenario: Any, count: Count, values: Mapping[str, Any] | None, subject: str, backend: str
) -> list[str]:
    conflicts = _analysis("conflicts")
    every = list(scenario.red_lines())
    n = count.n
    found, complete = conflicts.conflict_sets(
        _domains(scenario), [r.expr for r in every], _fixed(scenario, values), limit=n + 1, backend=backend
    )
    # At most n + 1 conflicts come back; when that is not all of them there are at least n + 2, and every
    # comparison with n answers the same for n + 1 as for the true count.
    if count.holds(len(found)):
        return []
    shown = "; ".join(_joined(every[i].ref for i in s) for s in found[:5])
    have = f"{len(found)}" if complete else f"at least {len(found) + 1}"
    text = (
        f"expected {count.words} minimal conflict{'s' if n != 1 else ''} among the red lines in "
        f"{_within(values, subject)}, but there {'is' if have == '1' else 'are'} {have}"
    )
    if found:
        text += ": " + shown + ("; ..." if len(found) > 5 else "")
    else:
        text += ": they can all hold at once (a deal exists)"
    return [text]


def _conflicts_failures(
    scenario: Any, sets: Sequence[Sequence[str]], values: Mapping[str, Any] | None, subject: str, backend: str
) -> list[str]:
    conflicts = _analysis("conflicts")
    fixed = _fixed(scenario, values)
    within = _within(values, subject)
    out = []
    for refs in sets:
        rules = _red_lines(scenario, refs, "a conflict")
        found, complete = conflicts.conflict_sets(_domains(scenario), [r.expr for r in rules], fixed, backend=backend)
        if not complete:
            raise _NotChecked(
                f"a limit stopped the search for conflicts in {within}, so the expectation could not be checked",
                limit="limit",
            )
        if found == [tuple(range(len(rules)))]:
            continue
        text = f"expected {_joined(r.ref for r in rules)} to be a minimal conflict in {within}, but "
        if not found:
            text += "these red lines can all hold at once" + _example(scenario, rules, fixed, backend)
        else:
            smaller = "; ".join(_joined(rules[i].ref for i in s) for s in found)
            text += f"it is not minimal: {smaller} already cannot hold together"
        out.append(text)
    return out


def _concessions_failures(
    scenario: Any, count: Count, values: Mapping[str, Any] | None, subject: str, backend: str
) -> list[str]:
    cheapest = _analysis("conflicts").cheapest_concession(scenario, package=values or None, backend=backend)
    if count.holds(cheapest.cost):
        return []
    text = (
        f"expected the cheapest concession that opens a deal in {_within(values, subject)} to cost {count.words}, but "
    )
    if cheapest.cost == 0:
        return [text + "a deal exists without any concession (it costs 0)"]
    return [text + f"it costs {cheapest.cost}: drop {_joined(cheapest.refs)}"]


def _concession_failures(
    scenario: Any, refs: Sequence[str], values: Mapping[str, Any] | None, subject: str, backend: str
) -> list[str]:
    conflicts = _analysis("conflicts")
    dropped = _red_lines(scenario, refs, "concession")
    fixed = _fixed(scenario, values)
    within = _within(values, subject)
    cost = sum(r.concession_cost for r in dropped)
    text = (
        f"expected dropping {_joined(r.ref for r in dropped)} (cost {cost}) to be one of the cheapest concessions "
        f"that open a deal in {within}, but "
    )
    cheapest = conflicts.cheapest_concession(scenario, package=values or None, backend=backend)
    if cheapest.cost == 0:
        return [text + "a deal exists without any concession"]
    rest = [r for r in scenario.red_lines() if r not in dropped]
    found, _ = conflicts.conflict_sets(_domains(scenario), [r.expr for r in rest], fixed, limit=1, backend=backend)
    if found:
        return [text + f"it opens no deal: {_joined(rest[i].ref for i in found[0])} still cannot hold together"]
    if cost != cheapest.cost:
        return [text + f"dropping {_joined(cheapest.refs)} costs only {cheapest.cost}"]
    return []


def _best_failures(
    scenario: Any, claim: BestClaim, values: Mapping[str, Any] | None, subject: str, backend: str
) -> list[str]:
    parties = None if claim.parties is None else list(claim.parties)
    report = _analysis("explore").explore(
        scenario,
        objective=claim.objective,
        top=1,
        parties=parties,
        package=values or None,
        pareto_limit=0,
        backend=backend,
    )
    if not report.best_complete:
        raise _NotChecked(
            f"a limit stopped the analysis of {subject}, so the expectation could not be checked", limit="limit"
        )
    within = _within(values, subject)
    of = "" if parties is None else f" for {', '.join(parties)}"
    text = f"expected the best deal in {within} by {claim.objective} score{of} to score {claim.shown}, but "
    if not report.best:
        return [text + f"there is no deal in {within}"]
    best = report.best[0]
    if best.objective == claim.score:
        return []
    scores = ", ".join(f"{s.party} {s.met}/{s.total}" if s.total else f"{s.party} -" for s in best.scores)
    return [text + f"it scores {_fraction(best.objective)} (party scores {scores})"]


def _fraction(x: Fraction) -> str:
    # Six digits: enough to tell a fraction from a decimal someone rounded it to (871/210 = 4.14762, not 4.148).
    return str(x) if x.denominator == 1 else f"{x} = {float(x):.6g}"


def _nearest_failures(
    scenario: Any, claim: NearestClaim, values: Mapping[str, Any], subject: str, backend: str
) -> list[str]:
    keep = list(claim.keep)
    report = _analysis("repair").repair(scenario, values, keep=keep, top=1, backend=backend)
    if not report.complete:
        raise _NotChecked(
            f"a limit stopped the analysis of {subject}, so the expectation could not be checked", limit="limit"
        )
    nearest = report.suggestions[0] if report.suggestions else None
    holding = f" while holding {', '.join(keep)}" if keep else ""
    if claim.distance is None:
        if nearest is None:
            return []
        return [
            f"expected no deal to be reachable from {subject}{holding}, but one is at distance {nearest.distance}"
            + _changes(nearest)
        ]
    if nearest is not None and claim.distance.holds(nearest.distance):
        return []
    text = f"expected the nearest deal to {subject}{holding} to be at distance {claim.distance.words}, but "
    if nearest is None:
        return [text + "no deal can be reached"]
    return [text + f"it is at distance {nearest.distance}" + _changes(nearest)]


def _changes(suggestion: Any) -> str:
    if not suggestion.changes:
        return " (no term changes)"
    return ": " + ", ".join(f"{c.term} {show(c.old)} -> {show(c.new)}" for c in suggestion.changes)


def _list_broken(broken: Sequence[Any]) -> str:
    if not broken:
        return "no red line"
    parts = []
    for o in broken:
        part = f"{o.ref} ({o.text})"
        shown = {k: v for k, v in o.values.items() if v is not None}
        if shown:
            part += " with " + ", ".join(f"{k}={show(v)}" for k, v in shown.items())
        parts.append(part)
    return "; ".join(parts)


def _paragraph(failures: Sequence[str]) -> str:
    """Several failure sentences as one paragraph (one line: a reason is grep-able next to its file:line)."""
    return "; ".join(f.rstrip(".") for f in failures) + "."


def describe(expectation: Expectation | Entry | Malformed | Mapping[str, Any]) -> str:
    """The expectation's own ``description``, or a short one made from its claims (``ValueError`` for a malformed
    entry without a description). Takes an :class:`Expectation`, its entry, or an entry as a mapping.

    >>> describe({"package": "energy_truce", "deal": True})
    'energy_truce: deal'
    >>> describe({"variant": "before", "deals": 0})
    '[before] deals == 0'
    >>> describe({"package": "p", "breaks": ["russia.a"], "not_acceptable_to": ["russia"]})
    'p: breaks russia.a, not acceptable to russia'
    """
    if isinstance(expectation, Expectation):
        return expectation.entry.describe()
    if isinstance(expectation, (Entry, Malformed)):
        return expectation.describe()
    return Entry.from_data(expectation).describe()


# --- several files ------------------------------------------------------------------------------------------

_EXPECT_LINE = re.compile(rb"(?m)^expect[ \t]*:")


def discover(paths: Sequence[str], *, need_expect: bool = True) -> list[str]:
    """The scenario files ``dealcheck test`` runs: each file as given, each glob's matches (``'scenarios/*.yaml'``,
    for shells that do not expand it), and in each directory (recursively, sorted) every ``*.yaml`` / ``*.yml``
    file with a top-level ``expect:`` key at the start of a line (any such file when ``need_expect`` is false, as
    ``dealcheck validate`` wants). Hidden directories are skipped; a file named twice runs once. A path that is
    none of these is kept, so loading it reports it as missing.
    """
    import glob

    out: list[str] = []
    for p in paths:
        if p != "-" and os.path.isdir(p):
            found = []
            for root, dirs, files in os.walk(p):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                for name in sorted(files):
                    if name.endswith((".yaml", ".yml")):
                        path = os.path.join(root, name)
                        if not need_expect or _has_expectations(path):
                            found.append(path)
            out += sorted(found)
        elif p != "-" and not os.path.exists(p) and glob.has_magic(p) and glob.glob(p, recursive=True):
            out += discover(sorted(glob.glob(p, recursive=True)), need_expect=need_expect)
        else:
            out.append(p)
    seen: set[str] = set()
    unique = []
    for path in out:
        key = path if path == "-" else os.path.realpath(path)
        if key not in seen:
            seen.add(key)
            unique.append(path)
    return unique


def _has_expectations(path: str) -> bool:
    try:
        if not stat.S_ISREG(os.stat(path).st_mode):
            return True  # a FIFO would block the read below: the loader refuses it with a message instead
        with open(path, "rb") as f:
            head = f.read(8 << 20)  # a huge file is rejected by the loader anyway; this only decides inclusion
    except OSError:
        return True  # let the loader say what is wrong with it
    return bool(_EXPECT_LINE.search(head))


def run_files(paths: Sequence[str], load: Callable[[str], Any]) -> TestRun:
    """Load each of ``paths`` with ``load`` and run its expectations; invalid files are collected, not raised."""
    reports: list[ExpectationReport] = []
    invalid: list[InvalidFile] = []
    for path in paths:
        try:
            scenario = load(path)
        except ScenarioError as e:
            invalid.append(InvalidFile(path, e.diagnostics, e.render()))
            continue
        reports.append(run_expectations(scenario))
    return TestRun(tuple(reports), tuple(invalid))
