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
from dealcheck.expectations import claims
from dealcheck.expectations.claims import ANALYSIS_KEYS, CLAIM_KEYS, SUBJECT_KEYS
from dealcheck.results import EXIT_FAILED, EXIT_INVALID, EXIT_LIMIT, EXIT_OK, Report

__all__ = [
    "ExpectationReport",
    "ExpectationResult",
    "InvalidFile",
    "TestRun",
    "describe",
    "discover",
    "parse_count",
    "parse_score",
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


def run_expectations(scenario: Any) -> ExpectationReport:
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
    results = tuple(run_expectation(scenario, e, i) for i, e in enumerate(scenario.expectations))
    return ExpectationReport(scenario=scenario.title, path=scenario.path, results=results)


def run_expectation(scenario: Any, expectation: Any, index: int = 0) -> ExpectationResult:
    """Check one expectation; every way it can go wrong becomes a failed result with a reason, never an exception."""
    data: Mapping[str, Any] = expectation.data
    span = expectation.span
    file = span.file if span is not None else scenario.path
    line = span.line if span is not None else None
    try:
        description = describe(data)
    except Exception:  # noqa: BLE001 - a malformed entry still needs a name to be reported under
        description = f"expectation {index + 1}"
    try:
        failures = _check(scenario, data)
    except _Stopped as e:
        return ExpectationResult(index, file, line, description, False, str(e), stopped=e.limit)
    except UsageError as e:
        failures = [e.message + (f" ({e.hint})" if e.hint else "")]
    except ScenarioError as e:
        failures = [str(d) for d in e.diagnostics]
    except _Unchecked as e:
        failures = [str(e)]
    passed = not failures
    reason = None if passed else _paragraph(failures)
    return ExpectationResult(index, file, line, description, passed, reason)


class _Unchecked(Exception):
    """An expectation that could not be checked at all (reported as a failure)."""


class _Stopped(_Unchecked):
    """A limit stopped the check of an expectation: reported as not checked, never passed, and the run exits 4."""

    def __init__(self, message: str, limit: str = "limit") -> None:
        super().__init__(message)
        self.limit = limit


def _check(scenario: Any, data: Mapping[str, Any]) -> list[str]:
    """The failure sentences of one expectation; empty when it holds."""
    unknown = sorted(k for k in data if k not in (*SUBJECT_KEYS, *CLAIM_KEYS, "description"))
    if unknown:
        raise _Unchecked(
            f"unknown key {unknown[0]!r} in expectation; known keys are {', '.join(SUBJECT_KEYS + CLAIM_KEYS)}"
        )
    claims = [k for k in CLAIM_KEYS if k in data]
    if not claims:
        raise _Unchecked("the expectation claims nothing: give one of " + ", ".join(CLAIM_KEYS))
    variant = data.get("variant")
    if variant is not None:
        scenario = scenario.variant(str(variant))
    values, subject = _subject(scenario, data)
    failures: list[str] = []
    package_claims = [k for k in claims if k not in ANALYSIS_KEYS]
    if package_claims:
        if values is None:
            raise _Unchecked(f"{package_claims[0]} needs a subject: give package: or set: in the expectation")
        scenario.encode(values)  # an unknown term or a value outside its domain is a UsageError with a hint
        verdict = scenario.check(values)
        if verdict.unknown:
            raise _Stopped(
                f"a time limit stopped the analysis of {subject}, so the expectation could not be checked", "time limit"
            )
        failures += _package_failures(scenario, data, verdict, subject)
    for key in ANALYSIS_KEYS:
        if key in data:
            if values is not None:
                scenario.encode(values)
            try:
                failures += _ANALYSES[key](scenario, data[key], values, subject)
            except ImportError as e:  # a solver the analysis needs (ortools) is missing: unchecked, never passed
                raise _Unchecked(
                    f"{key} needs the analysis engine, which this installation lacks ({e}); "
                    "this expectation cannot be checked"
                ) from None
    return failures


def _subject(scenario: Any, data: Mapping[str, Any]) -> tuple[dict[str, Any] | None, str]:
    values: dict[str, Any] | None = None
    subject = "the scenario"
    if "package" in data:
        package = scenario.package(str(data["package"]))
        values = dict(package.values)
        subject = f"package {package.id}"
    if "set" in data:
        overrides = data["set"]
        if not isinstance(overrides, Mapping):
            raise _Unchecked("set: must map terms to values, for example {ceasefire: energy}")
        values = {**(values or {}), **overrides}
        shown = ", ".join(f"{k}={_show(v)}" for k, v in overrides.items())
        subject = f"{subject} with {shown}" if "package" in data else f"the package {shown}"
    if scenario.variant_name:
        subject += f" (variant {scenario.variant_name})"
    return values, subject


def _package_failures(scenario: Any, data: Mapping[str, Any], verdict: Any, subject: str) -> list[str]:
    out: list[str] = []
    parties = {p.party: p for p in verdict.parties}
    outcomes = {o.ref: o for p in verdict.parties for o in (*p.red_lines, *p.demands)}
    broken = [o for p in verdict.parties for o in p.red_lines if o.status.value == "broken"]
    open_terms = [t.name for t in scenario.terms if t.name not in verdict.values]

    if "deal" in data and bool(data["deal"]) != verdict.deal:
        if data["deal"]:
            if not verdict.complete:
                out.append(
                    f"expected {subject} to be a deal, but it is partial: it leaves "
                    f"{', '.join(open_terms)} open (claim deal_possible for a partial package)"
                )
            else:
                out.append(f"expected {subject} to be a deal, but it breaks {_list_broken(broken)}")
        else:
            out.append(f"expected {subject} not to be a deal, but every party accepts it")
    if "deal_possible" in data:
        possible = verdict.deal if verdict.complete else verdict.deal_possible
        if bool(data["deal_possible"]) != bool(possible):
            if data["deal_possible"]:
                why = f"it breaks {_list_broken(broken)}" if broken else "no completion keeps every red line"
                out.append(f"expected a deal to be possible from {subject}, but none is: {why}")
            else:
                example = verdict.example if verdict.example is not None else verdict.values
                out.append(
                    f"expected no deal to be possible from {subject}, but one is: "
                    f"{', '.join(f'{k}={_show(v)}' for k, v in example.items())}"
                )
    for key, kind, want in (
        ("breaks", "red_line", "broken"),
        ("keeps", "red_line", "held"),
        ("meets", "demand", "held"),
    ):
        for ref in _names(data, key):
            o = outcomes.get(ref)
            if o is None or o.kind != kind:
                scenario.rule(ref)  # an unknown reference raises a UsageError with a did-you-mean
                raise _Unchecked(
                    f"{ref} is a {'demand' if kind == 'red_line' else 'red line'}, so {key} cannot list it"
                )
            if o.status.value != want:
                out.append(_rule_failure(key, o, subject, broken))
    for key, want in (("acceptable_to", True), ("not_acceptable_to", False)):
        for party in _names(data, key):
            p = parties.get(party)
            if p is None:
                scenario.party(party)  # unknown party: UsageError with a did-you-mean
                continue
            if p.acceptable != want:
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
    if "forced" in data:
        want_forced = data["forced"]
        if not isinstance(want_forced, Mapping):
            raise _Unchecked("forced: must map terms to values, for example {ceasefire: energy}")
        if verdict.complete:
            got: Mapping[str, Any] = verdict.values if verdict.deal else {}
        else:
            got = verdict.forced
        for term, value in want_forced.items():
            scenario.term(str(term))
            if term not in got:
                why = "no completion is a deal" if not (verdict.deal or verdict.deal_possible) else "it is not forced"
                out.append(f"expected every deal from {subject} to force {term}={_show(value)}, but {why}")
            elif got[term] != value:
                out.append(
                    f"expected every deal from {subject} to force {term}={_show(value)}, "
                    f"but it forces {term}={_show(got[term])}"
                )
    return out


def _rule_failure(key: str, o: Any, subject: str, broken: Sequence[Any]) -> str:
    status = {"held": "holds", "broken": "is broken", "open": "is open (it depends on terms the package leaves open)"}
    expected = {"breaks": "to break", "keeps": "to keep", "meets": "to meet"}[key]
    text = f"expected {subject} {expected} {o.ref} ({o.text}), but it {status[o.status.value]}"
    if o.values:
        text += " with " + ", ".join(f"{k}={_show(v) if v is not None else 'open'}" for k, v in o.values.items())
    if key == "breaks":
        others = [b.ref for b in broken if b.ref != o.ref]
        text += "; it breaks " + (", ".join(others) if others else "no red line") + " instead"
    return text


def _count_failures(scenario: Any, claim: Any, values: Mapping[str, Any] | None, subject: str) -> list[str]:
    op, n = parse_count(claim)
    try:
        from dealcheck.solver.planner import count as count_deals
    except ImportError:
        raise _Unchecked(
            "deal counts need the analysis engine, which this installation lacks; this expectation cannot be checked"
        ) from None
    fixed: dict[int, int] = {}
    if values:
        codes = scenario.encode(values)
        fixed = {i: c for i, c in enumerate(codes) if c is not None}
    domains = [t.domain.codes for t in scenario.terms]
    result = count_deals(domains, [r.expr for r in scenario.red_lines()], fixed or None)
    count = result.low
    if not result.exact:
        # Bounds settle the claim when every count between them answers it the same way; else it is unchecked.
        answers = {
            _COMPARE[op](k, n)
            for k in {result.low, result.high, *(k for k in (n - 1, n, n + 1) if result.low <= k <= result.high)}
        }
        if answers == {True}:
            return []
        if answers != {False}:
            raise _Stopped(
                f"the {result.stopped} stopped the count between {result.low} and {result.high} deals, "
                "so the expectation could not be checked",
                result.stopped or "limit",
            )
        where = "the scenario" if values is None else f"the completions of {subject}"
        return [f"expected {_OP_WORDS[op]} {n} deals in {where}, but there are between {result.low} and {result.high}"]
    if _COMPARE[op](count, n):
        return []
    where = "the scenario" if values is None else f"the completions of {subject}"
    if values is None and scenario.variant_name:
        where += f" (variant {scenario.variant_name})"
    return [
        f"expected {_OP_WORDS[op]} {n} deal{'s' if n != 1 else ''} in {where}, "
        f"but there {'is' if count == 1 else 'are'} {count}"
    ]


_OP_WORDS = {
    "==": "exactly",
    "!=": "other than",
    ">=": "at least",
    "<=": "at most",
    ">": "more than",
    "<": "fewer than",
}


_COMPARE: dict[str, Callable[[int, int], bool]] = {
    "==": lambda a, b: a == b,
    "!=": lambda a, b: a != b,
    ">=": lambda a, b: a >= b,
    "<=": lambda a, b: a <= b,
    ">": lambda a, b: a > b,
    "<": lambda a, b: a < b,
}


def parse_count(claim: Any, key: str = "deals") -> tuple[str, int]:
    """:func:`dealcheck.expectations.claims.parse_count`; a claim it refuses cannot be checked.

    >>> parse_count(0), parse_count(">= 1")
    (('==', 0), ('>=', 1))
    """
    try:
        return claims.parse_count(claim, key)
    except ValueError as e:
        raise _Unchecked(str(e)) from None


# --- claims answered by the analyses ------------------------------------------------------------------------
#
# Each takes (scenario, the claim as written, the subject's values or None, the subject's name) and returns its
# failure sentences. The analyses are imported here, inside the functions that solve, so loading a scenario or
# running package claims never pays for them.


def _analysis(module: str) -> Any:
    import importlib

    try:
        return importlib.import_module(f"dealcheck.analysis.{module}")
    except ImportError:
        raise _Unchecked(
            "this claim needs the analysis engine, which this installation lacks; this expectation cannot be checked"
        ) from None


def _within(values: Mapping[str, Any] | None, subject: str) -> str:
    return subject if values is None else f"the completions of {subject}"


def _red_lines(scenario: Any, refs: Any, key: str) -> list[Any]:
    """The red lines ``refs`` names (``UsageError`` with a did-you-mean for an unknown one)."""
    if isinstance(refs, str) or not isinstance(refs, Iterable) or isinstance(refs, Mapping):
        raise _Unchecked(f"{key}: takes a list of red lines (party.rule), not {refs!r}")
    out = []
    for ref in refs:
        rule = scenario.rule(str(ref))
        if rule.kind.value != "red_line":
            raise _Unchecked(
                f"{ref} is a demand, so {key} cannot list it: conflicts and concessions are about red lines"
            )
        if rule in out:
            raise _Unchecked(f"{ref} is listed twice in {key}")
        out.append(rule)
    if not out:
        raise _Unchecked(f"{key} lists no red line")
    return out


def _fixed(scenario: Any, values: Mapping[str, Any] | None) -> tuple[int | None, ...] | None:
    return None if not values else tuple(scenario.encode(values))


def _domains(scenario: Any) -> tuple[range, ...]:
    return tuple(t.domain.codes for t in scenario.terms)


def _joined(refs: Iterable[str]) -> str:
    return " + ".join(refs)


def _example(scenario: Any, rules: Sequence[Any], fixed: tuple[int | None, ...] | None) -> str:
    """The values of the terms ``rules`` read, in the smallest deal (in term order) keeping all of them."""
    from dealcheck.rules.ir import term_indices
    from dealcheck.solver.session import Constraints, open_session

    result = open_session("cpsat", Constraints(_domains(scenario), tuple(r.expr for r in rules), fixed)).lexmin()
    if result.solution is None:
        return ""
    read = set().union(*(term_indices(r.expr) for r in rules))
    shown = [f"{t.name}={_show(t.decode(result.solution[t.index]))}" for t in scenario.terms if t.index in read]
    return ", for example with " + ", ".join(shown) if shown else ""


def _options_failures(scenario: Any, claim: Any, values: Mapping[str, Any] | None, subject: str) -> list[str]:
    if not isinstance(claim, Mapping):
        raise _Unchecked("options: must map terms to lists of options, for example {ceasefire: [none, energy]}")
    wanted: dict[str, set[int]] = {}
    for name, options in claim.items():
        term = scenario.term(str(name))
        if isinstance(options, str) or not isinstance(options, Iterable) or isinstance(options, Mapping):
            raise _Unchecked(f"options: takes a list of options per term, not {options!r} for {name}")
        wanted[term.name] = {scenario.encode({term.name: v})[term.index] for v in options}
    explore = _analysis("explore")
    report = explore.explore(scenario, top=0, pareto_limit=0, package=values or None)
    if not (report.exact and report.terms_complete):
        raise _Stopped(f"a limit stopped the analysis of {subject}, so the expectation could not be checked")
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
        claimed = ", ".join(_show(term.decode(c)) for c in term.domain.codes if c in codes) or "no option"
        text = f"expected the deals in {within} to take exactly {claimed} for {name}, but "
        if not zone.options:
            text += f"there is no deal in {within}, so no option of {name} occurs"
        else:
            text += f"they take {', '.join(_show(v) for v in zone.options)}"
            if zone.excluded:
                text += f" and never {', '.join(_show(v) for v in zone.excluded)}"
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


def _conflicts_failures(scenario: Any, claim: Any, values: Mapping[str, Any] | None, subject: str) -> list[str]:
    conflicts = _analysis("conflicts")
    fixed = _fixed(scenario, values)
    within = _within(values, subject)
    every = list(scenario.red_lines())
    if isinstance(claim, (int, str)) and not isinstance(claim, bool):
        op, n = parse_count(claim, "conflicts")
        found, complete = conflicts.conflict_sets(_domains(scenario), [r.expr for r in every], fixed, limit=n + 1)
        # At most n + 1 conflicts come back; when that is not all of them there are at least n + 2, and every
        # comparison with n answers the same for n + 1 as for the true count.
        count = len(found)
        if _COMPARE[op](count, n):
            return []
        shown = "; ".join(_joined(every[i].ref for i in s) for s in found[:5])
        have = f"{count}" if complete else f"at least {count + 1}"
        text = (
            f"expected {_OP_WORDS[op]} {n} minimal conflict{'s' if n != 1 else ''} among the red lines in {within}, "
            f"but there {'is' if have == '1' else 'are'} {have}"
        )
        if found:
            text += ": " + shown + ("; ..." if len(found) > 5 else "")
        else:
            text += ": they can all hold at once (a deal exists)"
        return [text]
    if isinstance(claim, str) or not isinstance(claim, Iterable) or isinstance(claim, Mapping):
        raise _Unchecked(f"conflicts: takes a count (conflicts: 0) or a list of sets of red lines, not {claim!r}")
    out = []
    for refs in claim:
        rules = _red_lines(scenario, refs, "a conflict")
        found, complete = conflicts.conflict_sets(_domains(scenario), [r.expr for r in rules], fixed)
        if not complete:
            raise _Stopped(
                f"a limit stopped the search for conflicts in {within}, so the expectation could not be checked"
            )
        if found == [tuple(range(len(rules)))]:
            continue
        text = f"expected {_joined(r.ref for r in rules)} to be a minimal conflict in {within}, but "
        if not found:
            text += "these red lines can all hold at once" + _example(scenario, rules, fixed)
        else:
            smaller = "; ".join(_joined(rules[i].ref for i in s) for s in found)
            text += f"it is not minimal: {smaller} already cannot hold together"
        out.append(text)
    return out


def _concessions_failures(scenario: Any, claim: Any, values: Mapping[str, Any] | None, subject: str) -> list[str]:
    op, n = parse_count(claim, "concessions")
    cheapest = _analysis("conflicts").cheapest_concession(scenario, package=values or None)
    if _COMPARE[op](cheapest.cost, n):
        return []
    text = f"expected the cheapest concession that opens a deal in {_within(values, subject)} to cost {_OP_WORDS[op]} {n}, but "
    if cheapest.cost == 0:
        return [text + "a deal exists without any concession (it costs 0)"]
    return [text + f"it costs {cheapest.cost}: drop {_joined(cheapest.refs)}"]


def _concession_failures(scenario: Any, claim: Any, values: Mapping[str, Any] | None, subject: str) -> list[str]:
    conflicts = _analysis("conflicts")
    dropped = _red_lines(scenario, claim, "concession")
    fixed = _fixed(scenario, values)
    within = _within(values, subject)
    cost = sum(r.concession_cost for r in dropped)
    text = (
        f"expected dropping {_joined(r.ref for r in dropped)} (cost {cost}) to be one of the cheapest concessions "
        f"that open a deal in {within}, but "
    )
    cheapest = conflicts.cheapest_concession(scenario, package=values or None)
    if cheapest.cost == 0:
        return [text + "a deal exists without any concession"]
    rest = [r for r in scenario.red_lines() if r not in dropped]
    found, _ = conflicts.conflict_sets(_domains(scenario), [r.expr for r in rest], fixed, limit=1)
    if found:
        return [text + f"it opens no deal: {_joined(rest[i].ref for i in found[0])} still cannot hold together"]
    if cost != cheapest.cost:
        return [text + f"dropping {_joined(cheapest.refs)} costs only {cheapest.cost}"]
    return []


def parse_score(text: Any) -> Fraction:
    """:func:`dealcheck.expectations.claims.parse_score`; a score it refuses cannot be checked.

    >>> parse_score("871/210")
    Fraction(871, 210)
    """
    try:
        return claims.parse_score(text)
    except ValueError as e:
        raise _Unchecked(str(e)) from None


def _best_failures(scenario: Any, claim: Any, values: Mapping[str, Any] | None, subject: str) -> list[str]:
    if not isinstance(claim, Mapping) or "score" not in claim:
        raise _Unchecked('best: takes a mapping with the best deal\'s score, such as {score: "871/210"}')
    want = parse_score(claim["score"])
    objective = str(claim.get("objective") or "total")
    parties = claim.get("parties")
    if parties is not None:
        parties = _names({"parties": parties}, "parties")
    report = _analysis("explore").explore(
        scenario, objective=objective, top=1, parties=parties, package=values or None, pareto_limit=0
    )
    if not report.best_complete:
        raise _Stopped(f"a limit stopped the analysis of {subject}, so the expectation could not be checked")
    within = _within(values, subject)
    of = "" if parties is None else f" for {', '.join(parties)}"
    shown = str(claim["score"]).strip()
    text = f"expected the best deal in {within} by {objective} score{of} to score {shown}, but "
    if not report.best:
        return [text + f"there is no deal in {within}"]
    best = report.best[0]
    if best.objective == want:
        return []
    scores = ", ".join(f"{s.party} {s.met}/{s.total}" if s.total else f"{s.party} -" for s in best.scores)
    return [text + f"it scores {_fraction(best.objective)} (party scores {scores})"]


def _fraction(x: Fraction) -> str:
    # Six digits: enough to tell a fraction from a decimal someone rounded it to (871/210 = 4.14762, not 4.148).
    return str(x) if x.denominator == 1 else f"{x} = {float(x):.6g}"


def _nearest_failures(scenario: Any, claim: Any, values: Mapping[str, Any] | None, subject: str) -> list[str]:
    if values is None:
        raise _Unchecked("nearest needs a proposal: give package: or set: in the expectation")
    if not isinstance(claim, Mapping) or "distance" not in claim:
        raise _Unchecked("nearest: takes a mapping with the distance of the nearest deal, such as {distance: 1}")
    keep = _names({"keep": claim.get("keep")}, "keep")
    report = _analysis("repair").repair(scenario, values, keep=keep, top=1)
    if not report.complete:
        raise _Stopped(f"a limit stopped the analysis of {subject}, so the expectation could not be checked")
    nearest = report.suggestions[0] if report.suggestions else None
    holding = f" while holding {', '.join(keep)}" if keep else ""
    if claim["distance"] == "none":
        if nearest is None:
            return []
        return [
            f"expected no deal to be reachable from {subject}{holding}, but one is at distance {nearest.distance}"
            + _changes(nearest)
        ]
    op, n = parse_count(claim["distance"], "distance")
    if nearest is not None and _COMPARE[op](nearest.distance, n):
        return []
    text = f"expected the nearest deal to {subject}{holding} to be at distance {_OP_WORDS[op]} {n}, but "
    if nearest is None:
        return [text + "no deal can be reached"]
    return [text + f"it is at distance {nearest.distance}" + _changes(nearest)]


def _changes(suggestion: Any) -> str:
    if not suggestion.changes:
        return " (no term changes)"
    return ": " + ", ".join(f"{c.term} {_show(c.old)} -> {_show(c.new)}" for c in suggestion.changes)


_ANALYSES: dict[str, Callable[[Any, Any, Mapping[str, Any] | None, str], list[str]]] = {
    "deals": lambda scenario, claim, values, subject: _count_failures(scenario, claim, values, subject),
    "options": _options_failures,
    "conflicts": _conflicts_failures,
    "concessions": _concessions_failures,
    "concession": _concession_failures,
    "best": _best_failures,
    "nearest": _nearest_failures,
}


def _names(data: Mapping[str, Any], key: str) -> list[str]:
    raw = data.get(key)
    if raw is None:
        return []
    if isinstance(raw, str):
        return [raw]
    if isinstance(raw, Iterable) and not isinstance(raw, Mapping):
        return [str(x) for x in raw]
    raise _Unchecked(f"{key}: takes a list of names, not {raw!r}")


def _list_broken(broken: Sequence[Any]) -> str:
    if not broken:
        return "no red line"
    parts = []
    for o in broken:
        part = f"{o.ref} ({o.text})"
        shown = {k: v for k, v in o.values.items() if v is not None}
        if shown:
            part += " with " + ", ".join(f"{k}={_show(v)}" for k, v in shown.items())
        parts.append(part)
    return "; ".join(parts)


def _show(v: Any) -> str:
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _paragraph(failures: Sequence[str]) -> str:
    """Several failure sentences as one paragraph (one line: a reason is grep-able next to its file:line)."""
    return "; ".join(f.rstrip(".") for f in failures) + "."


def describe(data: Mapping[str, Any]) -> str:
    """The expectation's own ``description``, or a short one made from its keys.

    >>> describe({"package": "energy_truce", "deal": True})
    'energy_truce: deal'
    >>> describe({"variant": "before", "deals": 0})
    '[before] deals == 0'
    >>> describe({"package": "p", "breaks": ["russia.a"], "not_acceptable_to": ["russia"]})
    'p: breaks russia.a, not acceptable to russia'
    """
    if data.get("description"):
        return " ".join(str(data["description"]).split())
    subject = []
    if data.get("variant") is not None:
        subject.append(f"[{data['variant']}]")
    if data.get("package") is not None:
        subject.append(str(data["package"]))
    if isinstance(data.get("set"), Mapping):
        subject.append("{" + ", ".join(f"{k}={_show(v)}" for k, v in data["set"].items()) + "}")
    claims = []
    for key in CLAIM_KEYS:
        if key not in data:
            continue
        value = data[key]
        match key:
            case "deal" | "deal_possible":
                word = "deal" if key == "deal" else "deal possible"
                claims.append(word if value else f"no {word}")
            case "deals":
                claims.append(_describe_count(key, value))
            case "forced":
                items = value.items() if isinstance(value, Mapping) else []
                claims.append("forces " + ", ".join(f"{k}={_show(v)}" for k, v in items))
            case "options":
                items = value.items() if isinstance(value, Mapping) else []
                claims.append(
                    "options "
                    + ", ".join(f"{k}={'|'.join(_show(x) for x in v)}" if v else f"{k} in no deal" for k, v in items)
                )
            case "conflicts" | "concessions" if isinstance(value, (int, str)) and not isinstance(value, bool):
                claims.append(_describe_count(key, value))
            case "conflicts":
                sets = value if isinstance(value, Iterable) and not isinstance(value, Mapping) else []
                claims.append("conflicts " + "; ".join(_joined(_names({"s": s}, "s")) for s in sets))
            case "concession":
                claims.append("concession " + _joined(_names(data, key)))
            case "best":
                best = value if isinstance(value, Mapping) else {}
                of = f" of {', '.join(_names(best, 'parties'))}" if best.get("parties") else ""
                claims.append(f"best {best.get('objective') or 'total'}{of} == {best.get('score')}")
            case "nearest":
                nearest = value if isinstance(value, Mapping) else {}
                keeping = f" keeping {', '.join(_names(nearest, 'keep'))}" if nearest.get("keep") else ""
                if nearest.get("distance") == "none":
                    claims.append(f"no deal reachable{keeping}")
                else:
                    claims.append(_describe_count("nearest deal at distance", nearest.get("distance")) + keeping)
            case _:
                names = _names(data, key) if not isinstance(value, Mapping) else []
                claims.append(f"{key.replace('_', ' ')} {', '.join(names)}")
    head = " ".join(subject)
    body = ", ".join(claims)
    if data.get("package") is None and data.get("set") is None:
        return f"{head} {body}".strip()
    return f"{head}: {body}"


def _describe_count(what: str, value: Any) -> str:
    try:
        op, n = parse_count(value)
        return f"{what} {op} {n}"
    except _Unchecked:
        return f"{what} {value!r}"


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
