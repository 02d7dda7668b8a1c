"""Warnings about a scenario that loads but probably does not say what its author meant (lint, codes DC7xx).

In: a loaded :class:`~dealcheck.model.Scenario` (the base scenario: variants are what-ifs, linted only when chosen).
Out: a :class:`LintReport`, warnings as :class:`~dealcheck.errors.Diagnostic` with severity ``warning``, in file
order, and whether every check ran.

The checks, one free function each (Kconfiglib style: collect every warning, never stop at the first):

- DC701 a rule no package can satisfy (``salary_k <= 130 and salary_k > 200``): a red line that breaks every
  package, a demand never met;
- DC702 a rule every package satisfies: a red line that rules nothing out, a demand always met;
- DC703 a demand no deal can meet (it can hold, but not together with every party's red lines);
- DC704 a red line implied by the other red lines: dropping it changes no deal (the warning names a minimal set of
  red lines that imply it);
- DC705 a term no rule reads (its value never matters);
- DC706 two rules of one party that say the same thing (equivalent conditions, found by a solve, not by text);
- DC707 demand counts so uneven that the total score is dominated by a party with few demands (one demand of it
  moves ``total`` as much as many demands of another: see docs/scenario-format.md, "Scores");
- DC720 a confidence without a reason (:func:`dealcheck.uncertainty.confidence_warnings`).

Each question is one solve on one CP-SAT session over the scenario's terms (:mod:`dealcheck.solver.session`), with
the rules as soft constraints; a time limit bounds the whole lint, and a check it stops is reported as not run
(``complete`` false), never as a clean bill.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction

import attrs

from dealcheck.errors import CODES, Diagnostic, Severity, Span, UsageError
from dealcheck.model import Rule, RuleKind, Scenario
from dealcheck.rules.ir import BoolExpr, Connective, Logic, Not
from dealcheck.solver.base import Constraints, Deadline, SolveStatus

__all__ = ["DOMINANCE_RATIO", "LINT_CODES", "LintReport", "lint"]

#: The warning codes and their meanings (kept in :data:`dealcheck.errors.CODES`, family DC7xx).
LINT_CODES: dict[str, str] = {code: meaning for code, meaning in CODES.items() if code.startswith("DC7")}

#: DC707 fires when one demand of some party moves the total at least this many times as much as the smallest
#: demand of another. 4 keeps a 2-demand party next to an 8-demand one quiet, and flags 1 against 21.
DOMINANCE_RATIO = 4


@attrs.frozen
class LintReport:
    """The warnings, in file order; ``complete`` is false when the time limit stopped a check (``stopped`` says
    which ones did not finish)."""

    warnings: tuple[Diagnostic, ...]
    complete: bool = True
    stopped: tuple[str, ...] = ()
    #: Checks not run because the solver cannot take the scenario (coefficients beyond 64-bit integers, as some
    #: imported utility functions have): said, but not a limit (the answer is not partial for lack of time).
    skipped: tuple[str, ...] = ()
    #: The backend that answered the checks that solve: ``"constraint"`` when CP-SAT could not hold the scenario's
    #: numbers and the scenario was small enough to list (:data:`LIST_INSTEAD`).
    backend: str = "cpsat"


#: The most packages a scenario beyond CP-SAT's integers may have for lint to ask python-constraint2 instead
#: (exact with any integer) rather than skip the checks that solve.
LIST_INSTEAD = 10**6


class _OutOfTime(Exception):
    pass


def _warn(code: str, message: str, span: Span | None, hint: str | None = None) -> Diagnostic:
    return Diagnostic(code, message, span, hint=hint, severity=Severity.WARNING)


def _word(rule: Rule) -> str:
    return "red line" if rule.kind is RuleKind.RED_LINE else "demand"


class _Solver:
    """The session every check asks; UNKNOWN (the deadline) becomes :class:`_OutOfTime`."""

    def __init__(self, scenario: Scenario, deadline: Deadline, backend: str = "cpsat") -> None:
        from dealcheck.solver.session import open_session

        self.backend = backend
        self.session = open_session(backend, Constraints(tuple(t.domain.codes for t in scenario.terms)), deadline)
        self.deadline = deadline
        self._soft: dict[int, int] = {}  # id(rule) -> soft id

    def soft(self, rule: Rule) -> int:
        key = id(rule)
        if key not in self._soft:
            self._soft[key] = self.session.soft(rule.expr)
        return self._soft[key]

    def sat(self, conditions: Sequence[BoolExpr], assume: Sequence[Rule] = ()) -> tuple[bool, tuple[int, ...]]:
        """Whether ``conditions`` can hold with the rules ``assume``; when not, the core (indices into ``assume``)."""
        if self.deadline.expired():
            raise _OutOfTime
        ids = [self.soft(r) for r in assume]
        answer = self.session.solve(list(conditions), assume=ids)
        if answer.status is SolveStatus.UNKNOWN:
            raise _OutOfTime
        if answer.status is SolveStatus.SAT:
            return True, ()
        where = {s: i for i, s in enumerate(ids)}
        return False, tuple(sorted(where[s] for s in answer.core if s in where))


def _differ(a: BoolExpr, b: BoolExpr) -> BoolExpr:
    return Logic(Connective.OR, (Logic(Connective.AND, (a, Not(b))), Logic(Connective.AND, (Not(a), b))))


# --- the checks -----------------------------------------------------------------------------------------------


def _trivial_rules(solver: _Solver, rules: Sequence[Rule], trivial: set[int]) -> Iterator[Diagnostic]:
    """DC701 and DC702; ``trivial`` collects the rules found, so later checks do not blame them twice."""
    for r in rules:
        if not solver.sat([r.expr])[0]:
            trivial.add(id(r))
            what = "breaks every package" if r.kind is RuleKind.RED_LINE else "is never met"
            yield _warn(
                "DC701",
                f"{_word(r)} {r.ref} can never hold: no package satisfies {r.text!r}, so it {what}",
                r.span,
                "check the bounds and the connectives (and/or) of the condition",
            )
        elif not solver.sat([Not(r.expr)])[0]:
            trivial.add(id(r))
            what = "rules nothing out" if r.kind is RuleKind.RED_LINE else "is met by every package"
            yield _warn(
                "DC702",
                f"{_word(r)} {r.ref} always holds: every package satisfies {r.text!r}, so it {what}",
                r.span,
                "a condition that cannot fail is usually a typo (or where and was meant)",
            )


def _unmeetable_demands(
    solver: _Solver, red: Sequence[Rule], demands: Sequence[Rule], trivial: set[int]
) -> Iterator[Diagnostic]:
    """DC703, with the red lines that rule the demand out (a core shrunk to a minimal one)."""
    for d in demands:
        if id(d) in trivial:
            continue
        ok, core = solver.sat([d.expr], red)
        if ok:
            continue
        members = _shrink(solver, [d.expr], [red[i] for i in core])
        yield _warn(
            "DC703",
            f"demand {d.ref} is met by no deal: it cannot hold together with " + ", ".join(r.ref for r in members),
            d.span,
            "no deal meets it, so it only lowers its party's best score: intended if those red lines are",
        )


def _shrink(solver: _Solver, conditions: Sequence[BoolExpr], rules: Sequence[Rule]) -> list[Rule]:
    """A minimal subset of ``rules`` that still cannot hold with ``conditions`` (deletion)."""
    current = list(rules)
    for r in list(current):
        trial = [x for x in current if x is not r]
        ok, core = solver.sat(conditions, trial)
        if not ok:
            current = [trial[i] for i in core] if core else trial
    return current


def _implied_red_lines(solver: _Solver, red: Sequence[Rule], trivial: set[int]) -> Iterator[Diagnostic]:
    """DC704: a red line whose breaking no deal of the others allows."""
    for r in red:
        if id(r) in trivial:
            continue
        others = [x for x in red if x is not r]
        ok, core = solver.sat([Not(r.expr)], others)
        if ok:
            continue
        members = _shrink(solver, [Not(r.expr)], [others[i] for i in core])
        yield _warn(
            "DC704",
            f"red line {r.ref} makes no difference: every package that keeps "
            + ", ".join(m.ref for m in members)
            + " keeps it too",
            r.span,
            "dropping it changes no verdict; if it is meant to add something, the condition is too weak",
        )


def _unread_terms(scenario: Scenario) -> Iterator[Diagnostic]:
    """DC705 (variants' rules count as readers: a term only a what-if reads is not unused)."""
    read: set[int] = set()
    for r in scenario.rules():
        read |= r.terms
    for v in scenario.variants:
        for r in (*v.add, *v.replace):
            read |= r.terms
    for t in scenario.terms:
        if t.index not in read:
            yield _warn(
                "DC705",
                f"no rule reads term {t.name!r}: its value never changes a verdict or a score",
                _term_span(scenario, t.name),
                "add the positions that concern it, or leave the term out",
            )


def _term_span(scenario: Scenario, name: str) -> Span | None:
    """Where term ``name`` is declared, found in the file's lines (the model keeps no file position for terms)."""
    lines = scenario.source_lines
    if not lines:
        return None
    start = next((i for i, line in enumerate(lines) if re.match(r"terms\s*:", line)), None)
    if start is None:
        return None
    pattern = re.compile(rf"^(\s+){re.escape(name)}\s*:")
    for i in range(start + 1, len(lines)):
        if lines[i].strip() and not lines[i][0].isspace() and not lines[i].lstrip().startswith("#"):
            return None  # the next top-level key: the terms mapping has ended
        m = pattern.match(lines[i])
        if m:
            col = len(m.group(1)) + 1
            return Span(scenario.path, i + 1, col, i + 1, col + len(name))
    return None


def _duplicate_rules(solver: _Solver, scenario: Scenario) -> Iterator[Diagnostic]:
    """DC706: two rules of one party with equivalent conditions (only pairs that read the same terms are asked)."""
    for party in scenario.parties:
        rules = party.rules
        for i, a in enumerate(rules):
            for b in rules[i + 1 :]:
                if a.terms != b.terms:
                    continue
                if a.expr != b.expr and solver.sat([_differ(a.expr, b.expr)])[0]:
                    continue
                same = "the same condition" if a.expr == b.expr else "an equivalent condition"
                yield _warn(
                    "DC706",
                    f"{_word(b)} {b.ref} says the same as {_word(a)} {a.ref} ({same})",
                    b.span,
                    "a position counted twice weighs twice; drop one, or say what distinguishes them",
                )


def _dominated_total(scenario: Scenario) -> Iterator[Diagnostic]:
    """DC707: the largest one-demand step of a party's score against the smallest of another's."""
    steps = [
        (
            Fraction(max(d.weight for d in p.demands), p.total_weight),
            Fraction(min(d.weight for d in p.demands), p.total_weight),
            p,
        )
        for p in scenario.parties
        if p.demands and p.total_weight > 0
    ]
    if len(steps) < 2:
        return
    big, _, heavy = max(steps, key=lambda s: (s[0], -len(s[2].demands)))
    _, small, light = min(steps, key=lambda s: (s[1], len(s[2].demands)))
    if big >= DOMINANCE_RATIO * small:
        yield _warn(
            "DC707",
            f"party scores are normalised, so one demand of {heavy.id} ({len(heavy.demands)} demand"
            f"{'s' if len(heavy.demands) != 1 else ''}) moves the total score by {big}, "
            f"{big / small} times the {small} of one demand of {light.id} ({len(light.demands)} demands)",
            heavy.span,
            "compare deals by --objective maximin or nash, or weigh the parties' demands in similar numbers",
        )


# --- the whole lint -------------------------------------------------------------------------------------------


def lint(
    scenario: Scenario, *, time_limit: float | None = None, progress: Callable[[str], None] | None = None
) -> LintReport:
    """Every warning about ``scenario``, in file order.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms:
    ...   salary_k: {range: [0, 300]}
    ...   remote: bool
    ... parties:
    ...   union:
    ...     red_lines:
    ...       impossible: {rule: salary_k <= 130 and salary_k > 200, assumption: a typo}
    ... ''')
    >>> for w in lint(s).warnings: print(w)
    <string>:6:3: warning[DC705]: no rule reads term 'remote': its value never changes a verdict or a score
    <string>:10:7: warning[DC701]: red line union.impossible can never hold: no package satisfies 'salary_k <= 130 and salary_k > 200', so it breaks every package
    """
    from dealcheck.uncertainty import confidence_warnings

    deadline = Deadline(time_limit)
    say = progress or (lambda _: None)
    found: list[Diagnostic] = [*_unread_terms(scenario), *_dominated_total(scenario), *confidence_warnings(scenario)]
    stopped: list[str] = []
    skipped: list[str] = []
    rules = list(scenario.rules())
    red = list(scenario.red_lines())
    demands = [r for r in rules if r.kind is RuleKind.DEMAND]
    backend = "cpsat"
    if rules:
        solved, stopped, skipped = _solving_checks(scenario, _Solver(scenario, deadline), rules, red, demands, say)
        if skipped and math.prod(len(t.domain.codes) for t in scenario.terms) <= LIST_INSTEAD:
            # CP-SAT could not hold the numbers: ask python-constraint2 (exact with any integer) instead of skipping
            backend = "constraint"
            solver = _Solver(scenario, deadline, backend)
            solved, stopped, skipped = _solving_checks(scenario, solver, rules, red, demands, say)
        found += solved
    ordered = sorted(found, key=lambda d: (d.line or 0, d.column or 0, d.code))
    return LintReport(
        tuple(ordered), complete=not stopped, stopped=tuple(stopped), skipped=tuple(skipped), backend=backend
    )


def _solving_checks(
    scenario: Scenario,
    solver: _Solver,
    rules: list[Rule],
    red: list[Rule],
    demands: list[Rule],
    say: Callable[[str], None],
) -> tuple[list[Diagnostic], list[str], list[str]]:
    """The checks that ask the solver: (warnings, checks the deadline stopped, checks the solver could not take)."""
    # CP-SAT refuses coefficients beyond 64 bits (BeyondCpsat, or a raw TypeError/OverflowError) and some shapes
    # (ValueError): the checks that solve are then skipped, and the report says so.
    unsolvable = (UsageError, TypeError, OverflowError, ValueError)
    found: list[Diagnostic] = []
    stopped: list[str] = []
    skipped: list[str] = []
    trivial: set[int] = set()
    checks: list[tuple[str, Callable[[], Iterator[Diagnostic]]]] = [
        ("rules that can never hold or always hold", lambda: _trivial_rules(solver, rules, trivial)),
        ("duplicate rules", lambda: _duplicate_rules(solver, scenario)),
    ]
    deals_exist = None
    for name, check in checks:
        say(f"lint: {name}")
        try:
            found.extend(check())
        except _OutOfTime:
            stopped.append(name)
        except unsolvable:
            skipped.append(name)
    try:
        deals_exist = solver.sat([], red)[0]
    except _OutOfTime:
        stopped.append("whether any deal exists")
    except unsolvable:
        skipped.append("whether any deal exists")
    if deals_exist:  # with no deal at all every demand is unmeetable and every red line implied: not news
        for name, check in [
            ("demands no deal can meet", lambda: _unmeetable_demands(solver, red, demands, trivial)),
            ("red lines implied by others", lambda: _implied_red_lines(solver, red, trivial)),
        ]:
            say(f"lint: {name}")
            try:
                found.extend(check())
            except _OutOfTime:
                stopped.append(name)
            except unsolvable:
                skipped.append(name)
    return found, stopped, skipped
