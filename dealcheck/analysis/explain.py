"""Why each finding holds: the minimal sets of red lines that entail it, and how fragile that makes it.

In: a :class:`~dealcheck.model.Scenario` (optionally a variant of it). Out: an :class:`ExplainReport`.

The findings are those ``explore`` and ``check`` report about deals:

- **no deal at all** (the red lines cannot all hold);
- a term **forced** to one option in every deal, and an **option in no deal** (of a term that is not forced);
- a **package that cannot become a deal**, and each red line that package **breaks in every completion**;
- a term a (partial) package **forces** beyond what the scenario forces anyway.

A finding F holds when the red lines R (with a package's values as given) entail it. Its explanations are the
minimal sets S of red lines with S ∧ ¬F unsatisfiable: the minimal unsatisfiable subsets of R ∪ {¬F} that contain
¬F, with ¬F imposed. Each set is verified (S ∧ ¬F has no solution on a fresh model, and dropping any member of S
leaves a solution). Demands never enter: they decide scores, not deals.

How fragile a finding is, read off its minimal sets:

- it **hinges on** a red line that is in every minimal set: softening that one red line to a demand (weight kept)
  makes the finding false. These are computed directly, one solve per candidate, so they are exact even when the
  list of sets is cut short (:attr:`Finding.hinges_on`);
- it **rests on N independent readings** when N of its minimal sets are pairwise disjoint (no red line in two):
  N different positions each establish it on their own, so no single re-reading overturns it
  (:attr:`Finding.independent`, the largest such N among the sets found);
- otherwise its sets overlap without a common member: no single red line decides it, but no two sets are
  independent either.

The enumeration is MARCO over the red lines as soft constraints with ¬F hard
(:class:`dealcheck.solver.explain.Explainer`, shared with ``dealcheck conflicts``, which verifies every set); a
``limit`` caps the sets per finding and a time limit the whole analysis. Both are honest: a finding whose list was
cut says so, and when the time limit stops the analysis the report says which findings it did not reach (exit 4).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs

from dealcheck.analysis.conflicts import ConflictRule
from dealcheck.interrupt import stopped_by
from dealcheck.model import Package, Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK
from dealcheck.rules.ir import BoolExpr, CmpOp, Compare, Const, Not, Var
from dealcheck.rules.terms import Value
from dealcheck.solver.base import Constraints, Deadline, SolveStatus, refuse_wide

__all__ = ["DEFAULT_LIMIT", "ExplainReport", "Finding", "FindingKind", "explain", "robustness"]

#: Minimal sets listed per finding unless the caller asks for another number.
DEFAULT_LIMIT = 10


class FindingKind:
    """The kinds of finding (strings, as JSON carries them)."""

    NO_DEAL = "no_deal"
    FORCED = "forced"
    EXCLUDED = "excluded"
    BLOCKED = "blocked"
    BROKEN = "broken"


@attrs.frozen
class Finding:
    """One finding with the minimal sets of red lines that entail it.

    ``sets`` are verified minimal sets, smallest first; ``complete`` is false when a limit cut the list short.
    ``hinges_on`` are the red lines whose softening alone makes the finding false (exact; ``None`` when the time
    limit stopped that check). ``independent`` is the largest number of pairwise disjoint sets among ``sets``.
    ``explained`` is false for a finding the time limit did not reach (then ``sets`` is empty).
    """

    kind: str
    statement: str
    package: str | None = None
    term: str | None = None
    option: Value | None = None
    rule: str | None = None
    sets: tuple[tuple[ConflictRule, ...], ...] = ()
    complete: bool = True
    hinges_on: tuple[ConflictRule, ...] | None = ()
    explained: bool = True

    @property
    def independent(self) -> int:
        return max_disjoint([frozenset(r.ref for r in s) for s in self.sets])

    @property
    def label(self) -> str:
        """How fragile the finding is, in words: ``hinges on ...``, ``rests on N independent readings``, ..."""
        return robustness(self)


@attrs.frozen(hash=False)
class ExplainReport:
    """The answer of ``dealcheck explain``: every finding with its explanations.

    ``complete`` is false when a limit cut some finding's list short or the time limit left findings unexplained.
    """

    scenario: str
    path: str
    variant: str | None
    parties: Mapping[str, str]
    red_lines: int
    deal_exists: bool | None
    findings: tuple[Finding, ...]
    limit: int | None
    timed_out: bool = False
    #: What the time limit left unexamined (``"package x"``, ``"the zone of agreement"``), when it stopped.
    not_reached: tuple[str, ...] = ()

    @property
    def complete(self) -> bool:
        return not self.timed_out and all(f.complete and f.explained for f in self.findings)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.complete else EXIT_LIMIT


# --- classification -------------------------------------------------------------------------------------------


def max_disjoint(sets: Sequence[frozenset[str]]) -> int:
    """The largest number of pairwise disjoint sets among ``sets`` (exact: a small search, sets are few).

    >>> max_disjoint([frozenset("a"), frozenset("bc"), frozenset("ab"), frozenset("c"), frozenset("d")])
    3
    >>> max_disjoint([frozenset("ab"), frozenset("bc"), frozenset("ac")])
    1
    """
    ordered = sorted(set(sets), key=lambda s: (len(s), sorted(s)))
    best = 0

    def grow(start: int, used: frozenset[str], n: int) -> None:
        nonlocal best
        best = max(best, n)
        if n + (len(ordered) - start) <= best:
            return
        for i in range(start, len(ordered)):
            if not ordered[i] & used:
                grow(i + 1, used | ordered[i], n + 1)

    grow(0, frozenset(), 0)
    return best


def _reading(rule: ConflictRule) -> str:
    who = rule.party_name + ("'" if rule.party_name.endswith("s") else "'s")
    if rule.quote is not None:
        return f'{who} reading of "{rule.quote}" ({rule.ref})'
    return f"{rule.ref} (an assumption about {rule.party_name})"


def robustness(finding: Finding) -> str:
    """The label of a finding: what it hinges on, or how many independent readings it rests on."""
    if not finding.explained:
        return f"not explained ({stopped_by()} stopped the analysis first)"
    if finding.hinges_on:
        if len(finding.hinges_on) == 1:
            return "hinges on " + _reading(finding.hinges_on[0])
        return "hinges on each of " + "; ".join(_reading(r) for r in finding.hinges_on)
    n = finding.independent
    if finding.hinges_on is None:
        return f"rests on at least {n} independent reading{'s' if n != 1 else ''} ({stopped_by()} stopped the rest)"
    if n >= 2:
        more = "" if finding.complete else "at least "
        return f"rests on {more}{n} independent readings"
    return "rests on overlapping readings: no single red line decides it, and no two of its sets are independent"


# --- the analysis ---------------------------------------------------------------------------------------------


class _Stop(Exception):
    """The deadline: stop here, keeping what was found."""


def _equals(index: int, code: int) -> BoolExpr:
    return Compare(CmpOp.EQ, Var(index), Const(code))


def _show(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Analysis:
    def __init__(
        self, scenario: Scenario, backend: str, limit: int | None, deadline: Deadline, say: Callable[[str], None]
    ) -> None:
        self.scenario = scenario
        self.backend = backend
        self.limit = limit
        self.deadline = deadline
        self.say = say
        self.names = {p.id: p.name for p in scenario.parties}
        self.red = list(scenario.red_lines())
        self.shown = [ConflictRule.of(r, self.names[r.party]) for r in self.red]
        self.domains = tuple(t.domain.codes for t in scenario.terms)
        # Findings are per value (forced, in no deal): one solve per value of every term.
        refuse_wide(
            self.domains,
            "explain",
            "use dealcheck explore: it shows a wide range's zone as intervals",
            [t.name for t in scenario.terms],
        )
        self.findings: list[Finding] = []

    def session(self, hard: Sequence[BoolExpr], fixed: Sequence[int | None] | None) -> Any:
        from dealcheck.solver.session import open_session

        return open_session(
            self.backend, Constraints(self.domains, tuple(hard), None if fixed is None else tuple(fixed)), self.deadline
        )

    def possible(self, session: Any, condition: BoolExpr) -> bool:
        """Whether some deal (of ``session``: the red lines hard) meets ``condition``."""
        result = session.find([condition])
        if result.status is SolveStatus.UNKNOWN:
            raise _Stop
        return result.status is SolveStatus.SAT

    def explain(
        self, kind: str, statement: str, negated: BoolExpr | None, fixed: Sequence[int | None] | None, **where: Any
    ) -> None:
        """The finding "the red lines (with ``fixed``) rule out ``negated``" (or any deal at all), with its sets."""
        from dealcheck.solver.explain import Explainer, Interrupted, OutOfTime

        self.say(f"explain: {statement}")
        explainer = Explainer(self.session([] if negated is None else [negated], fixed), [r.expr for r in self.red])
        stopped = False
        try:
            found, complete = explainer.muses(self.limit)
        except Interrupted as cut:
            found, complete, stopped = cut.found, False, True
        hinge: tuple[int, ...] | None = None
        if not stopped:
            try:
                # Exact even when ``limit`` cut the list: one solve per candidate, every red line but it assumed.
                hinge = tuple(explainer.in_every_mus(found))
            except OutOfTime:
                stopped = True
        self.findings.append(
            Finding(
                kind=kind,
                statement=statement,
                sets=tuple(tuple(self.shown[i] for i in s) for s in found),
                complete=complete,
                hinges_on=None if hinge is None else tuple(self.shown[i] for i in hinge),
                **where,
            )
        )
        if stopped:
            raise _Stop

    def zone(self) -> tuple[bool, dict[int, int]]:
        """Findings about every deal: none at all, forced terms, options in no deal. Returns whether a deal exists
        and the forced codes."""
        self.say("explain: the zone of agreement")
        deals = self.session([r.expr for r in self.red], None)
        first = deals.find([])
        if first.status is SolveStatus.UNKNOWN:
            raise _Stop
        if first.status is SolveStatus.UNSAT:
            self.explain(FindingKind.NO_DEAL, "no deal at all: the red lines cannot all hold", None, None)
            return False, {}
        forced: dict[int, int] = {}
        for term in self.scenario.terms:
            possible = [
                c
                for c in term.domain.codes
                if c == first.solution[term.index] or self.possible(deals, _equals(term.index, c))
            ]
            if len(possible) == 1:
                code = possible[0]
                forced[term.index] = code
                value = term.decode(code)
                self.explain(
                    FindingKind.FORCED,
                    f"{term.name}={_show(value)} in every deal",
                    Not(_equals(term.index, code)),
                    None,
                    term=term.name,
                    option=value,
                )
                continue
            for code in term.domain.codes:
                if code not in possible:
                    value = term.decode(code)
                    self.explain(
                        FindingKind.EXCLUDED,
                        f"{term.name}={_show(value)} is in no deal",
                        _equals(term.index, code),
                        None,
                        term=term.name,
                        option=value,
                    )
        return True, forced

    def package(self, package: Package, forced: Mapping[int, int]) -> None:
        """Findings about one package: it cannot become a deal (and the red lines it breaks), or what it forces
        beyond the scenario's own forced terms."""
        fixed = self.scenario.encode(package.values)
        deals = self.session([r.expr for r in self.red], fixed)
        first = deals.find([])
        if first.status is SolveStatus.UNKNOWN:
            raise _Stop
        if first.status is SolveStatus.UNSAT:
            self.explain(
                FindingKind.BLOCKED, f"package {package.id} cannot become a deal", None, fixed, package=package.id
            )
            alone = self.session([], fixed)
            for i, r in enumerate(self.red):
                if not self.possible(alone, r.expr):
                    # The package's own values break it: the red line's reading is the whole explanation.
                    self.findings.append(
                        Finding(
                            kind=FindingKind.BROKEN,
                            statement=f"package {package.id} breaks {r.ref} in every completion",
                            package=package.id,
                            rule=r.ref,
                            sets=((self.shown[i],),),
                            hinges_on=(self.shown[i],),
                        )
                    )
            return
        for term in self.scenario.terms:
            if fixed[term.index] is not None or term.index in forced:
                continue
            code = first.solution[term.index]
            if any(self.possible(deals, _equals(term.index, c)) for c in term.domain.codes if c != code):
                continue
            value = term.decode(code)
            self.explain(
                FindingKind.FORCED,
                f"package {package.id} forces {term.name}={_show(value)}",
                Not(_equals(term.index, code)),
                fixed,
                package=package.id,
                term=term.name,
                option=value,
            )


def explain(
    scenario: Scenario,
    *,
    packages: Sequence[Package] | None = None,
    limit: int | None = DEFAULT_LIMIT,
    time_limit: float | None = None,
    backend: str = "cpsat",
    progress: Callable[[str], None] | None = None,
) -> ExplainReport:
    """Every finding of ``explore`` and ``check`` on ``scenario`` (and ``packages``, default the scenario's own),
    with the minimal sets of red lines that entail it, at most ``limit`` per finding.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms:
    ...   ceasefire: {options: [none, energy, full], ordered: true}
    ...   troops: bool
    ... parties:
    ...   russia:
    ...     red_lines:
    ...       no_full: {rule: ceasefire != "full", assumption: toy}
    ...       no_troops: {rule: not troops, assumption: toy}
    ...   europe:
    ...     red_lines:
    ...       troops_after: {rule: troops implies ceasefire == "full", assumption: toy}
    ... ''')
    >>> r = explain(s)
    >>> for f in r.findings: print(f.statement, "|", [[x.ref for x in fs] for fs in f.sets], "|", f.label)
    ceasefire=full is in no deal | [['russia.no_full']] | hinges on russia.no_full (an assumption about russia)
    troops=false in every deal | [['russia.no_troops'], ['russia.no_full', 'europe.troops_after']] | rests on 2 independent readings
    """
    deadline = Deadline(time_limit)
    a = _Analysis(scenario, backend, limit, deadline, progress or (lambda _: None))
    chosen = list(scenario.packages) if packages is None else list(packages)
    todo = ["the zone of agreement", *(f"package {p.id}" for p in chosen)]
    deal_exists: bool | None = None
    done = 0
    try:
        deal_exists, forced = a.zone()
        done = 1
        for p in chosen:
            a.say(f"explain: package {p.id}")
            a.package(p, forced)
            done += 1
    except _Stop:
        pass
    return ExplainReport(
        scenario=scenario.title,
        path=scenario.path,
        variant=scenario.variant_name,
        parties=a.names,
        red_lines=len(a.red),
        deal_exists=deal_exists,
        findings=tuple(a.findings),
        limit=limit,
        timed_out=done < len(todo),
        not_reached=tuple(todo[done:]),
    )
