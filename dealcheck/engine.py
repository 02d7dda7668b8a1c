"""What the CLI and the library call to check packages: a scenario and packages in, verdicts out.

In: a :class:`~dealcheck.model.Scenario` and packages (scenario packages, or ad-hoc ``{term: value}`` mappings).
Out: :class:`~dealcheck.results.PackageVerdict` per package, gathered in a :class:`~dealcheck.results.CheckReport`.

A **full** package (every term set) is checked by the compiled rules alone (:mod:`dealcheck.solver.compiled`): no
solver, no ortools, no numpy, so checking a proposal is instant.

A **partial** package is first evaluated three-valued (:mod:`dealcheck.rules.evaluator`), which settles most rules
outright; a solver (CP-SAT by default, or any of :data:`dealcheck.solver.base.ENGINES`) then settles the rest:

- a rule is ``held`` when no completion breaks it, ``broken`` when no completion satisfies it, else ``open``;
- ``deal_possible``: some completion keeps every red line; ``example`` is then the deal completion whose codes are
  lexicographically smallest in term order (options by their position in the list, ``false`` before ``true``,
  integers ascending): a documented, deterministic tie-break;
- ``forced``: the open terms that take the same value in every deal completion;
- per party, ``acceptable``: some completion keeps all of its red lines; ``score``: the weight of demands met in
  every completion over the total; ``score_max``: the best score any completion gives that party, **ignoring red
  lines** (what the package can at most offer it, deal or not).

A time limit bounds the whole analysis of one package. When a solve runs out of time the verdict says
``unknown=True`` and claims nothing it has not proven: an unsettled rule stays ``open``, an unproven ``forced`` term
is left out, an unproven ``deal_possible`` is ``None`` and an unproven ``acceptable`` is ``False``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from dealcheck.model import Package, Party, Rule, RuleKind, Scenario
from dealcheck.results import CheckReport, PackageVerdict, PartyVerdict, RuleOutcome, Status, deferred_verdict
from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.ir import Arith, ArithOp, BoolExpr, CmpOp, Compare, Const, Count, IntExpr, Not, Var
from dealcheck.rules.terms import Value
from dealcheck.solver.base import Deadline, Engine, Problem, SolveStatus, get_engine, open_session
from dealcheck.solver.compiled import scenario_checker

__all__ = ["check_package", "check_packages", "check_selected"]


def check_package(
    scenario: Scenario,
    package: Mapping[str, Value] | Package,
    *,
    time_limit: float | None = None,
    engine: str = "cpsat",
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
    >>> v = check_package(s, {}, engine="brute")
    >>> v.deal_possible, dict(v.forced), v.example
    (True, {'ceasefire': 'energy'}, {'ceasefire': 'energy'})
    """
    if isinstance(package, Package):
        return _check(scenario, package.id, package.title, package.values, time_limit, engine)
    # The full-package fast path of ``_check``, repeated here: one call less is 5% of a full-package check.
    deal = scenario_checker(scenario).full_check(package)
    if deal is not None:
        return deferred_verdict(None, None, deal, (_full_parts, scenario, package.copy() if type(package) is dict else dict(package)))
    return _check(scenario, None, None, package, time_limit, engine)


def check_packages(
    scenario: Scenario,
    names: Sequence[str] | None = None,
    *,
    time_limit: float | None = None,
    engine: str = "cpsat",
) -> CheckReport:
    """Verdicts on the scenario's packages called ``names`` (default: all, in file order)."""
    chosen = scenario.packages if names is None else tuple(scenario.package(n) for n in names)
    return _report(scenario, [_check(scenario, p.id, p.title, p.values, time_limit, engine) for p in chosen])


def check_selected(
    scenario: Scenario,
    selection: Iterable[tuple[str | None, str | None, Mapping[str, Value]]],
    *,
    time_limit: float | None = None,
    engine: str = "cpsat",
) -> CheckReport:
    """Verdicts on ``(package id or None, title, values)`` triples, as the CLI gathers them from ``-p`` and ``--set``."""
    return _report(scenario, [_check(scenario, pid, title, values, time_limit, engine) for pid, title, values in selection])


def _report(scenario: Scenario, verdicts: list[PackageVerdict]) -> CheckReport:
    return CheckReport(scenario=scenario.title, path=scenario.path, verdicts=tuple(verdicts), variant=scenario.variant_name)


# --- one package ---------------------------------------------------------------------------------------------


def _check(
    scenario: Scenario,
    package_id: str | None,
    title: str | None,
    values: Mapping[str, Value],
    time_limit: float | None,
    engine: str,
) -> PackageVerdict:
    # The common case first: every term set, exact types, in one compiled call (anything else returns None).
    deal = scenario_checker(scenario).full_check(values)
    if deal is not None:
        # A snapshot of the (valid) values, for the parties built on first read: copying a dict costs half as
        # much as building a tuple of codes.
        return deferred_verdict(package_id, title, deal, (_full_parts, scenario, values.copy() if type(values) is dict else dict(values)))
    codes = scenario.encode(values)
    shown = scenario.decode(codes)  # term order, whatever order the caller gave
    if all(c is not None for c in codes):
        return _check_full(scenario, package_id, title, shown, tuple(c for c in codes if c is not None))
    return _Partial(scenario, codes, time_limit, get_engine(engine)).verdict(package_id, title, shown)


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
    a verdict's reader first asks for them. The same outcomes as :func:`_party_verdict` gives, by table look-ups
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
    parties = []
    for party in scenario.parties:
        outcomes: tuple[list[RuleOutcome], list[RuleOutcome]] = ([], [])
        settled: tuple[list[str], list[str]] = ([], [])  # red lines broken, demands met
        gained = 0
        for kind, rules in enumerate((party.red_lines, party.demands)):
            for rule in rules:
                # checker.rules is scenario.rules() order: party by party, red lines then demands.
                ok = truths[position]
                if ok is bool(kind):  # a demand met or a red line broken
                    settled[kind].append(rule.id)
                    gained += rule.weight if kind else 0
                # Positional, in RuleOutcome's field order (keywords cost a quarter more; tests compare these
                # outcomes field by field with _party_verdict's).
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
                score=_score(party, gained),
                red_lines=tuple(outcomes[0]),
                demands=tuple(outcomes[1]),
            )
        )
    return shown, tuple(parties)


# Looked up once: an enum member look-up costs about 0.2 µs on CPython 3.11.
_HELD, _BROKEN = Status.HELD, Status.BROKEN
_KIND_VALUE = (RuleKind.RED_LINE.value, RuleKind.DEMAND.value)


def _party_verdict(
    scenario: Scenario,
    party: Party,
    codes: Sequence[int | None],
    statuses: Mapping[str, Status],
    *,
    acceptable: bool | None,
    score_max: float | None,
) -> PartyVerdict:
    red_lines = tuple(_outcome(scenario, r, codes, statuses[r.ref]) for r in party.red_lines)
    demands = tuple(_outcome(scenario, r, codes, statuses[r.ref]) for r in party.demands)
    broken = tuple(o.id for o in red_lines if o.status is Status.BROKEN)
    met = tuple(o.id for o in demands if o.status is Status.HELD)
    return PartyVerdict(
        party=party.id,
        name=party.name,
        acceptable=not broken if acceptable is None else acceptable,
        broken=broken,
        met=met,
        score=_score(party, sum(d.weight for d in party.demands if statuses[d.ref] is Status.HELD)),
        red_lines=red_lines,
        demands=demands,
        score_max=score_max,
    )


def _score(party: Party, weight: int) -> float:
    total = party.total_weight
    return 1.0 if total == 0 else weight / total


def _outcome(scenario: Scenario, rule: Rule, codes: Sequence[int | None], status: Status) -> RuleOutcome:
    read = sorted(rule.terms)
    return RuleOutcome(
        party=rule.party,
        id=rule.id,
        kind=rule.kind.value,
        status=status,
        text=rule.text,
        values={scenario.terms[i].name: (None if codes[i] is None else scenario.terms[i].decode(codes[i])) for i in read},
        weight=rule.weight,
        description=rule.description,
        quote=rule.quote,
        source=rule.source,
        assumption=rule.assumption,
    )


class _Partial:
    """The analysis of one partial package: every question is "does some completion satisfy these conditions?"."""

    def __init__(self, scenario: Scenario, codes: tuple[int | None, ...], time_limit: float | None, engine: Engine) -> None:
        self.scenario = scenario
        self.codes = codes
        self.engine = engine
        self.deadline = Deadline(time_limit)
        self.unknown = False
        # Completions of the package, with no rule imposed: the space every question below is asked in.
        self.completions = Problem(tuple(t.domain.codes for t in scenario.terms), (), codes)
        self.bounds = self.completions.bounds
        self.session = open_session(engine, self.completions)
        self.checker = scenario_checker(scenario)
        self.refs = [r.ref for r in self.checker.rules]
        self.red_line_refs = [r.ref for r in scenario.red_lines()]
        self.witnesses: list[dict[str, bool]] = []  # each rule's truth on every completion a solver returned
        self.deals: list[tuple[int, ...]] = []  # the deal completions among them

    def satisfiable(self, *conditions: BoolExpr) -> bool | None:
        """Whether some completion meets every condition; ``None`` when the time limit stopped the solver.

        Every solution found is kept as a witness (and, when it keeps every red line, as a deal), so later
        questions that a witness already answers need no solve.
        """
        result = self.session.find(conditions, time_limit=self.deadline.remaining())
        if result.status is SolveStatus.UNKNOWN:
            self.unknown = True
            return None
        if result.solution is not None:
            self.witness(result.solution)
        return result.status is SolveStatus.SAT

    def witness(self, solution: tuple[int, ...]) -> None:
        truths = dict(zip(self.refs, self.checker.check_all(solution), strict=True))
        self.witnesses.append(truths)
        if all(truths[ref] for ref in self.red_line_refs):
            self.deals.append(solution)

    def status(self, rule: Rule) -> Status:
        known = evaluate(rule.expr, self.codes, self.bounds)
        if known is not None:
            return Status.HELD if known else Status.BROKEN
        seen = {w[rule.ref] for w in self.witnesses}
        if seen == {True, False}:
            return Status.OPEN
        if False not in seen and self.satisfiable(Not(rule.expr)) is False:
            return Status.HELD
        if True not in seen and self.satisfiable(rule.expr) is False:
            return Status.BROKEN
        return Status.OPEN  # both completions exist, or the time limit left it unsettled (``unknown`` is set)

    def verdict(self, package_id: str | None, title: str | None, shown: dict[str, Value]) -> PackageVerdict:
        scenario = self.scenario
        statuses = {r.ref: self.status(r) for r in scenario.rules()}
        red_lines = [r.expr for r in scenario.red_lines()]
        deal_possible: bool | None
        example = None
        forced: dict[str, Value] = {}
        if any(statuses[r.ref] is Status.BROKEN for r in scenario.red_lines()):
            deal_possible = False
        else:
            found = self.session.lexmin(red_lines, time_limit=self.deadline.remaining())
            if found.status is SolveStatus.UNKNOWN:
                self.unknown = True
            deal_possible = None if found.status is SolveStatus.UNKNOWN else found.status is SolveStatus.SAT
            if found.solution is not None:
                self.witness(found.solution)
                example = scenario.decode(found.solution)
                forced = self.forced(red_lines, found.solution)
        parties = []
        for party in scenario.parties:
            parties.append(
                _party_verdict(
                    scenario,
                    party,
                    self.codes,
                    statuses,
                    acceptable=self.acceptable(party, statuses),
                    score_max=self.score_max(party, statuses),
                )
            )
        return PackageVerdict(
            package=package_id,
            title=title,
            values=shown,
            complete=False,
            deal=False,
            parties=tuple(parties),
            deal_possible=deal_possible,
            forced=forced,
            example=example,
            unknown=self.unknown,
        )

    def forced(self, red_lines: list[BoolExpr], deal: tuple[int, ...]) -> dict[str, Value]:
        """Open terms whose value in ``deal`` no other deal completion changes."""
        out: dict[str, Value] = {}
        for term in self.scenario.terms:
            i = term.index
            if self.codes[i] is not None or any(d[i] != deal[i] for d in self.deals):
                continue
            other = self.satisfiable(*red_lines, Compare(CmpOp.NE, Var(i), Const(deal[i])))
            if other is False:
                out[term.name] = term.decode(deal[i])
        return out

    def acceptable(self, party: Party, statuses: Mapping[str, Status]) -> bool:
        if any(statuses[r.ref] is Status.BROKEN for r in party.red_lines):
            return False
        if all(statuses[r.ref] is Status.HELD for r in party.red_lines):
            return True
        return bool(self.satisfiable(*(r.expr for r in party.red_lines)))

    def score_max(self, party: Party, statuses: Mapping[str, Status]) -> float:
        """The best score any completion gives ``party`` (red lines ignored), by bisection on the met weight."""
        sure = sum(d.weight for d in party.demands if statuses[d.ref] is Status.HELD)
        maybe = [d for d in party.demands if statuses[d.ref] is Status.OPEN]
        if not maybe:
            return _score(party, sure)
        gained = _balanced_sum([Arith(ArithOp.MUL, Const(d.weight), Count((d.expr,))) for d in maybe])
        # lo is reachable (by a witness, or by gaining nothing); bisect for the largest reachable gain.
        lo = max((sum(d.weight for d in maybe if w[d.ref]) for w in self.witnesses), default=0)
        hi = sum(d.weight for d in maybe)
        while lo < hi:
            mid = (lo + hi + 1) // 2
            reachable = self.satisfiable(Compare(CmpOp.GE, gained, Const(mid)))
            if reachable:
                lo = mid
            else:
                # Out of time counts as unreachable here: score_max is then a proven lower bound, and unknown is set.
                hi = mid - 1
        return _score(party, sure + lo)


def _balanced_sum(parts: list[IntExpr]) -> IntExpr:
    """``a + b + c + ...`` as a balanced tree, so a party with many demands does not make a deep expression."""
    while len(parts) > 1:
        paired: list[IntExpr] = [Arith(ArithOp.ADD, a, b) for a, b in zip(parts[::2], parts[1::2], strict=False)]
        if len(parts) % 2:
            paired.append(parts[-1])
        parts = paired
    return parts[0]
