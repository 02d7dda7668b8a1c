"""The verdict on a partial package: every field proven over the package's completions.

In: a :class:`~dealcheck.model.Scenario`, the package's codes (``None`` for an open term), a solver backend.
Out: a :class:`~dealcheck.results.PackageVerdict` (:func:`dealcheck.check.check_package` is the public way in).
Split from :mod:`dealcheck.check` so that the full-package fast path reads in one screen.

A **partial** package is first evaluated three-valued (:mod:`dealcheck.rules.evaluator`), which settles most rules
outright; a solver backend (CP-SAT by default, or any of :data:`dealcheck.solver.base.BACKENDS`) then settles the rest:

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
is left out, an unproven ``deal_possible`` is ``None`` and so is an unproven ``acceptable``.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import TypeVar

from dealcheck.model import Party, Rule, Scenario
from dealcheck.results import PackageVerdict, PartyVerdict, RuleOutcome, Status
from dealcheck.rules.evaluator import evaluate
from dealcheck.rules.ir import (
    Arith,
    ArithOp,
    BoolExpr,
    CmpOp,
    Compare,
    Connective,
    Const,
    Count,
    Logic,
    Not,
    Var,
    balanced_sum,
)
from dealcheck.rules.terms import Value
from dealcheck.solver.base import Backend, Constraints, Deadline, SolveResult, SolveStatus
from dealcheck.solver.compiled import compile_rules, scenario_checker
from dealcheck.solver.session import Session, open_session

__all__ = ["PartialCheck", "party_score", "party_verdict"]


def party_verdict(
    scenario: Scenario,
    party: Party,
    codes: Sequence[int | None],
    statuses: Mapping[str, Status],
    *,
    acceptable: bool | None,
    score_max: float | None,
    unproven: bool = False,
) -> PartyVerdict:
    """One party's verdict; ``acceptable`` ``None`` means "no red line broken" unless ``unproven`` (a limit stopped
    the question: the verdict's ``acceptable`` is then ``None``)."""
    red_lines = tuple(_outcome(scenario, r, codes, statuses[r.ref]) for r in party.red_lines)
    demands = tuple(_outcome(scenario, r, codes, statuses[r.ref]) for r in party.demands)
    broken = tuple(o.id for o in red_lines if o.status is Status.BROKEN)
    met = tuple(o.id for o in demands if o.status is Status.HELD)
    return PartyVerdict(
        party=party.id,
        name=party.name,
        acceptable=None if unproven else not broken if acceptable is None else acceptable,
        broken=broken,
        met=met,
        score=party_score(party, sum(d.weight for d in party.demands if statuses[d.ref] is Status.HELD)),
        red_lines=red_lines,
        demands=demands,
        score_max=score_max,
    )


def party_score(party: Party, weight: int | Fraction) -> float:
    total = party.total_weight
    if total == 0:
        return 1.0
    if type(weight) is int and type(total) is int:  # the common case, without building fractions
        return weight / total
    return float(Fraction(weight) / total)


def _outcome(scenario: Scenario, rule: Rule, codes: Sequence[int | None], status: Status) -> RuleOutcome:
    read = sorted(rule.terms)
    return RuleOutcome(
        party=rule.party,
        id=rule.id,
        kind=rule.kind.value,
        status=status,
        text=rule.text,
        values={
            scenario.terms[i].name: (None if (c := codes[i]) is None else scenario.terms[i].decode(c)) for i in read
        },
        weight=rule.weight,
        description=rule.description,
        quote=rule.quote,
        source=rule.source,
        assumption=rule.assumption,
        plain=scenario.plain_rule(rule),
    )


#: A question that depends on so few open terms that trying every assignment of them (with the compiled rules,
#: about a microsecond each) costs less than one solver call is answered by trying them all.
LOCAL_LIMIT = 1024
#: Whether completions one open term away from the pool's are tried (by the compiled rules) before a solver call.
#: Tests turn it off, with ``LOCAL_LIMIT = 0``, to send every question to the solver.
NEIGHBOURS = True
#: A term with more values than this offers only a few neighbours (its ends, and next to the completion's value):
#: an integer range may hold 2**62 values.
NEIGHBOUR_VALUES = 4096
#: With a backend that optimises in one solve (CP-SAT), a solution-guided question asks for the completion that
#: settles the *most* unsettled conditions, not just one: on the bundled scenario with every question sent to
#: CP-SAT, 19 solves settle the rule statuses instead of 184 (CP-SAT's plain answers settle one or two each).
SEEK_MOST = True


class PartialCheck:
    """The analysis of one partial package: every question is "does some completion satisfy these conditions?".

    Most questions never reach a solver. Measured on the bundled scenario (11 packages, 33 rules): about 350
    CP-SAT solves on as many freshly built models before; none now; and about 60 on one model per package when
    every question is sent to the solver (``LOCAL_LIMIT = 0``, ``NEIGHBOURS = False``). The steps:

    - the three-valued evaluator settles rules the fixed terms decide;
    - rules that share no open term are independent: a conjunction (a party's red lines, every red line for the
      deal) or a sum (a party's demands for ``score_max``) splits into groups answered separately
      (:meth:`components`), and the smallest deal is each group's smallest part put together;
    - a question about a few open terms (one rule's status, one such group) is settled by trying every assignment
      of just those terms with the compiled rules (:data:`LOCAL_LIMIT`): the other terms cannot change it;
    - a **pool** keeps every completion seen, each checked against every rule by the compiled checker; a question
      the pool already answers (this rule can be false, this party can be satisfied, this term can change in a
      deal) is not asked, and the pool's neighbours (one open term changed) are tried before any solve;
    - **solution-guided questions**: instead of one question per rule, term or party, one question asks for a
      completion that settles *any* of those still unsettled (a disjunction). "None" settles all of them at once.

    Which completions the pool holds depends on the backend, but no answer does: each field of the verdict is
    defined by the set of completions (the example by the lexicographic order), and each is proven.
    """

    def __init__(
        self,
        scenario: Scenario,
        codes: tuple[int | None, ...],
        time_limit: float | None,
        backend: Backend,
        *,
        local_limit: int | None = None,
        neighbours: bool | None = None,
    ) -> None:
        self.scenario = scenario
        self.codes = codes
        self.backend = backend
        self.deadline = Deadline(time_limit)
        self.unknown = False
        self.local_limit = LOCAL_LIMIT if local_limit is None else local_limit
        self.try_neighbours = NEIGHBOURS if neighbours is None else neighbours
        # Completions of the package, with no rule imposed: the space every question below is asked in.
        self.completions = Constraints(tuple(t.domain.codes for t in scenario.terms), (), codes)
        self.bounds = self.completions.bounds
        self.domains = [
            range(c, c + 1) if c is not None else t.domain.codes for t, c in zip(scenario.terms, codes, strict=True)
        ]
        self.open_terms = [i for i, c in enumerate(codes) if c is None]
        self.checker = scenario_checker(scenario)
        self.rules = self.checker.rules
        self.position = {r.ref: k for k, r in enumerate(self.rules)}
        self.red_lines = [self.position[r.ref] for r in scenario.red_lines()]
        self.reads = [sorted(i for i in r.terms if codes[i] is None) for r in self.rules]  # each rule's open terms
        #: The smallest completion: every open term at its lowest code.
        self.smallest = tuple(d[0] for d in self.domains)
        self.pool: list[tuple[int, ...]] = []  # every completion seen
        self.truths: list[tuple[bool, ...]] = []  # each rule's truth on them, in checker order
        self.seen: set[tuple[int, ...]] = set()
        self.solves = 0
        self._session: Session | None = None
        self._deal_sessions: dict[tuple[int, ...], Session] = {}

    @property
    def session(self) -> Session:
        # Opened on first use: a package the cheap steps settle never builds a model (nor imports ortools).
        if self._session is None:
            self._session = open_session(self.backend, self.completions)
        return self._session

    # --- the pool and the solver -------------------------------------------------------------------------------

    def keep(self, solution: tuple[int, ...]) -> tuple[bool, ...]:
        truth = self.checker.check_all(solution)
        if solution not in self.seen:
            self.seen.add(solution)
            self.pool.append(solution)
            self.truths.append(truth)
        return truth

    def settled(self, result: SolveResult) -> SolveStatus:
        """Record a solver's answer: its solution joins the pool; a time-out marks the verdict ``unknown``."""
        self.solves += 1
        if result.solution is not None:
            self.keep(result.solution)
        if result.status is SolveStatus.UNKNOWN:
            self.unknown = True
        return result.status

    def ask(self, *conditions: BoolExpr, session: Session | None = None) -> SolveStatus:
        """Whether some completion meets every condition (its solution, if any, joins the pool)."""
        if self.deadline.expired():
            return self.timed_out()
        return self.settled((session or self.session).find(conditions, time_limit=self.deadline.remaining()))

    def deal_session(self, group: list[int]) -> Session:
        """A session whose solutions are the completions keeping the red lines ``group``, imposed rather than
        assumed: the deal questions (the smallest deal, the forced terms) ask nothing else. Imposed rules are
        posted as plain constraints, with no literal of their own (measured on 128 tight terms: a third less model
        to build than assuming each rule's literal in the general session, and faster solves)."""
        key = tuple(group)
        if key not in self._deal_sessions:
            self._deal_sessions[key] = open_session(self.backend, self.completions.with_constraints(*self.exprs(group)))
        return self._deal_sessions[key]

    def timed_out(self) -> SolveStatus:
        self.unknown = True
        return SolveStatus.UNKNOWN

    def local(self, indices: Iterable[int]) -> Iterator[tuple[int, ...]] | None:
        """Every completion of the smallest one that varies only ``indices``; ``None`` when there are more than
        :attr:`local_limit` (a solver question is then cheaper), or when time is up (the question then goes to the
        solver path, which reports it unknown: out of time is one rule, whatever the question)."""
        varying = sorted(i for i in set(indices) if self.codes[i] is None)
        if math.prod(len(self.domains[i]) for i in varying) > self.local_limit or self.deadline.expired():
            return None
        base = list(self.smallest)

        def assignments() -> Iterator[tuple[int, ...]]:
            for values in itertools.product(*(self.domains[i] for i in varying)):
                for i, v in zip(varying, values, strict=True):
                    base[i] = v
                yield tuple(base)

        return assignments()

    def neighbours(self, solution: tuple[int, ...], terms: Iterable[int]) -> Iterator[tuple[int, tuple[int, ...]]]:
        """The completions that differ from ``solution`` in one open term among ``terms``, each with that term."""
        for i in terms:
            d = self.domains[i]
            if len(d) > NEIGHBOUR_VALUES:
                # A wide range (up to 2**62 values): its ends and the values next to the solution's. Neighbours
                # only spare solver questions, so trying fewer is never wrong (the solver answers the rest).
                at = solution[i]
                d = sorted({c for c in (d[0], d[0] + 1, at - 1, at + 1, d[-1] - 1, d[-1]) if c in d})  # type: ignore[assignment]
            for code in d:
                if code != solution[i]:
                    yield i, solution[:i] + (code,) + solution[i + 1 :]

    # --- the verdict -------------------------------------------------------------------------------------------

    def verdict(self, package_id: str | None, title: str | None, shown: dict[str, Value]) -> PackageVerdict:
        scenario = self.scenario
        self.keep(self.smallest)
        statuses = self.statuses()
        by_ref = {r.ref: statuses[k] for k, r in enumerate(self.rules)}
        deal_possible, example, forced = self.deal(statuses)
        acceptable = self.acceptable(statuses)
        parties = tuple(
            party_verdict(
                scenario,
                party,
                self.codes,
                by_ref,
                acceptable=acceptable[party.id],
                score_max=self.score_max(party, statuses),
                unproven=acceptable[party.id] is None,
            )
            for party in scenario.parties
        )
        return PackageVerdict(
            package=package_id,
            title=title,
            values=shown,
            complete=False,
            deal=False,
            parties=parties,
            deal_possible=deal_possible,
            forced=forced,
            example=None if example is None else scenario.decode(example),
            unknown=self.unknown,
        )

    def statuses(self) -> list[Status]:
        """Each rule's status, in checker order: by the evaluator, by trying the few terms a rule reads, and for
        the rest by seeking completions that make each true and false (all rules' questions asked at once)."""
        out: list[Status | None] = []
        wanted: dict[tuple[int, bool], BoolExpr] = {}  # (rule, truth) pairs no completion is yet known to give
        # A rule reading no open term has one truth, the smallest completion's: one compiled call for all of them
        # instead of the three-valued evaluator per rule. A rule the evaluator leaves open is tried on every
        # assignment of the few terms it reads, stopping at the first that disagrees (an open rule usually shows
        # both truths at once).
        base = self.checker.check_all(self.smallest)
        for k, rule in enumerate(self.rules):
            reads = self.reads[k]
            known = base[k] if not reads else evaluate(rule.expr, self.codes, self.bounds)
            if known is None:
                tries = self.local(reads)
                if tries is not None:
                    check = compile_rules((rule.expr,))
                    first = known = check(next(tries))[0]
                    for c in tries:
                        if check(c)[0] is not first:
                            known = None
                            break
                else:
                    wanted[(k, True)] = rule.expr
                    wanted[(k, False)] = Not(rule.expr)
            out.append(None if known is None else Status.HELD if known else Status.BROKEN)
        found = self.seek(wanted, lambda _, truth, key: truth[key[0]] is key[1], touches=lambda key: self.reads[key[0]])
        # A rule that no completion breaks is held; one that none keeps is broken; unproven stays open.
        return [
            s
            if s is not None
            else Status.HELD
            if found.get((k, False)) is False
            else Status.BROKEN
            if found.get((k, True)) is False
            else Status.OPEN
            for k, s in enumerate(out)
        ]

    def seek(
        self,
        wanted: Mapping[K, BoolExpr],
        gives: Callable[[tuple[int, ...], tuple[bool, ...], K], bool],
        *also: BoolExpr,
        touches: Callable[[K], Iterable[int]],
        session: Session | None = None,
    ) -> dict[K, bool | None]:
        """For each wanted condition, whether some completion meeting ``also`` satisfies it (``None``: unproven).

        ``gives(solution, truths, key)`` says whether a completion satisfies ``key``'s condition and ``also``.
        The pool answers first, then its neighbours; then each question asks for a completion meeting *any*
        condition still unsatisfied, until none is left or the answer is "none", which settles all that are left.
        ``touches(key)`` names the open terms worth changing for ``key``: a neighbour changing any other term is
        never tried (on 128 tight terms, checking every neighbour against every key was most of a check).
        Questions go to ``session`` (default: the completions with no rule imposed, opened only if asked).
        """
        out: dict[K, bool | None] = {}
        left = dict(wanted)
        absorbed = 0
        explored = 0
        while True:
            for solution, truth in zip(self.pool[absorbed:], self.truths[absorbed:], strict=True):
                for key in [key for key in left if gives(solution, truth, key)]:
                    del left[key]
                    out[key] = True
            absorbed = len(self.pool)
            if not left:
                return out
            if self.try_neighbours and explored < len(self.pool):
                # A neighbour joins the pool only if it settles something now: the pool stays small.
                # A neighbour changing term i is checked only against the keys that touch i: the others read
                # nothing it changed, so it settles them no more than the completion it came from did.
                keys_of: dict[int, list[K]] = {}
                for key in left:
                    for i in touches(key):
                        keys_of.setdefault(i, []).append(key)
                terms = sorted(keys_of)
                # A wide range has a million neighbours per term: the deadline is read every 4,096 (a stop leaves
                # the rest to the solver path, which reports them unknown).
                near_all = (
                    (i, near) for solution in list(self.pool[explored:]) for i, near in self.neighbours(solution, terms)
                )
                for tried, (i, near) in enumerate(near_all):
                    if tried & 4095 == 4095 and self.deadline.expired():
                        break
                    if near not in self.seen:
                        truth = self.checker.check_all(near)
                        if any(gives(near, truth, key) for key in keys_of[i] if key in left):
                            self.keep(near)
                explored = len(self.pool)
                continue
            conditions = list(left.values())
            asked = self.session if session is None else session
            if not (SEEK_MOST and len(conditions) > 1):
                answer = self.ask(*also, _any(conditions), session=asked)
            elif self.deadline.expired():
                answer = self.timed_out()
            else:
                answer = self.settled(asked.find_most(also, conditions, time_limit=self.deadline.remaining()))
            if answer is not SolveStatus.SAT:
                out.update(dict.fromkeys(left, False if answer is SolveStatus.UNSAT else None))
                return out

    def components(self, ks: Iterable[int]) -> list[tuple[list[int], list[int]]]:
        """Rules ``ks`` grouped so that no two groups read a common open term: ``(rules, open terms)`` per group.

        Questions about a conjunction or a sum of rules split along these groups: a completion is assembled from
        each group's part independently, so each group is settled on its own (most by :meth:`local`)."""
        parent: dict[int, int] = {}

        def root(x: int) -> int:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        reads = {k: self.reads[k] for k in ks}
        for k, terms in reads.items():
            # A rule reading no open term is a group of its own: keyed below every term index.
            parent.setdefault(-1 - k, -1 - k)
            for i in terms:
                parent[root(-1 - k)] = root(i)
        groups: dict[int, tuple[list[int], list[int]]] = {}
        for k in reads:
            groups.setdefault(root(-1 - k), ([], []))[0].append(k)
        for i in sorted({i for terms in reads.values() for i in terms}):
            groups[root(i)][1].append(i)
        return sorted(groups.values())

    def split(
        self, ks: Iterable[int]
    ) -> tuple[list[tuple[list[int], Iterator[tuple[int, ...]]]], list[int], list[int]]:
        """:meth:`components` of ``ks``, each small one with its :meth:`local` assignments; the large ones merged
        into one group for the solver: ``(small groups, large rules, large terms)``."""
        small, large_rules, large_terms = [], [], []
        for group, terms in self.components(ks):
            tries = self.local(terms)
            if tries is None:
                large_rules += group
                large_terms += terms
            else:
                small.append((group, tries))
        return small, large_rules, large_terms

    def exprs(self, ks: Iterable[int]) -> list[BoolExpr]:
        return [self.rules[k].expr for k in ks]

    def acceptable(self, statuses: Sequence[Status]) -> dict[str, bool | None]:
        """Per party, whether some completion keeps all of its red lines: small groups of them by trying every
        assignment, the rest by one solver question for every party still unsettled."""
        out: dict[str, bool | None] = {}
        wanted: dict[str, BoolExpr] = {}
        lines: dict[str, list[int]] = {}
        for party in self.scenario.parties:
            mine = [self.position[r.ref] for r in party.red_lines]
            if any(statuses[k] is Status.BROKEN for k in mine):
                out[party.id] = False
                continue
            small, large, _ = self.split(k for k in mine if statuses[k] is not Status.HELD)
            if not all(
                any(all(check) for check in map(compile_rules(tuple(self.exprs(group))), tries))
                for group, tries in small
            ):
                out[party.id] = False
            elif not large:
                out[party.id] = True
            else:
                lines[party.id] = large
                wanted[party.id] = _all(self.exprs(large))
        found = self.seek(
            wanted,
            lambda _, truth, pid: all(truth[k] for k in lines[pid]),
            touches=lambda pid: (i for k in lines[pid] for i in self.reads[k]),
        )
        # Unproven (a limit stopped the question) stays None: "rejects" would claim that every completion breaks one
        # of the party's red lines, which nothing proved.
        out.update(found)
        return out

    def deal(self, statuses: Sequence[Status]) -> tuple[bool | None, tuple[int, ...] | None, dict[str, Value]]:
        """``deal_possible``, the lexicographically smallest deal completion, and the forced terms.

        The red lines split into independent groups; the smallest deal is each group's smallest part put together
        (the first position where a smaller deal would differ lies in one group, whose part would be smaller), and a
        term is forced when its group's deals agree on it. Terms no red line reads are forced only when their
        domain has one value."""
        if any(statuses[k] is Status.BROKEN for k in self.red_lines):
            return False, None, {}
        example = list(self.smallest)
        forced = {i for i in self.open_terms if len(self.domains[i]) == 1}
        small, large, large_terms = self.split(k for k in self.red_lines if statuses[k] is not Status.HELD)
        for group, tries in small:
            check = compile_rules(tuple(self.exprs(group)))
            deals = [c for c in tries if all(check(c))]  # in lexicographic order: the first is the smallest
            if not deals:
                return False, None, {}
            terms = sorted({i for k in group for i in self.reads[k]})
            for i in terms:
                example[i] = deals[0][i]
                if all(d[i] == deals[0][i] for d in deals):
                    forced.add(i)
        if large:
            part, status = self.lexmin(large)
            if part is None:
                return (None if status is SolveStatus.UNKNOWN else False), None, {}
            for i in large_terms:
                example[i] = part[i]
            found = self.forced(large, large_terms, part)
            forced |= {i for i, changeable in found.items() if changeable is False}  # unproven ones are left out
        self.keep(tuple(example))
        scenario_terms = self.scenario.terms
        return (
            True,
            tuple(example),
            {scenario_terms[i].name: scenario_terms[i].decode(example[i]) for i in sorted(forced)},
        )

    def lexmin(self, group: list[int]) -> tuple[tuple[int, ...] | None, SolveStatus]:
        """The lexicographically smallest completion keeping the red lines ``group``."""
        # When the smallest completion of all meets them, it is the answer: no solve.
        if all(compile_rules(tuple(self.exprs(group)))(self.smallest)):
            return self.smallest, SolveStatus.SAT
        if self.deadline.expired():
            self.unknown = True
            return None, SolveStatus.UNKNOWN
        result = self.deal_session(group).lexmin(time_limit=self.deadline.remaining())
        status = self.settled(result)
        return (result.solution if status is SolveStatus.SAT else None), status

    def forced(self, group: list[int], terms: list[int], example: tuple[int, ...]) -> dict[int, bool | None]:
        """Per term, whether a completion keeping the red lines ``group`` changes its value in ``example``
        (``None``: unproven). Each question asks for one that changes *any* term not yet seen to change."""

        keeps: dict[tuple[int, ...], bool] = {}  # per completion, whether it keeps the group: once, not per term

        def changes(solution: tuple[int, ...], truth: tuple[bool, ...], i: int) -> bool:
            # The pool holds completions, not only deals: only one keeping the group shows term i can change.
            if solution[i] == example[i]:
                return False
            ok = keeps.get(solution)
            if ok is None:
                ok = keeps[solution] = all(truth[k] for k in group)
            return ok

        wanted = {i: Compare(CmpOp.NE, Var(i), Const(example[i])) for i in terms}
        return self.seek(wanted, changes, touches=lambda i: (i,), session=self.deal_session(group))

    def score_max(self, party: Party, statuses: Sequence[Status]) -> float:
        """The best score any completion gives ``party`` (red lines ignored). The open demands split into
        independent groups whose best gains add up: small groups by trying every assignment, the rest by the
        pool's best when it meets them all, else one maximisation (CP-SAT optimises; other backends bisect)."""
        weight = {self.position[d.ref]: party.units(d.weight) for d in party.demands}  # integers
        sure = sum(w for k, w in weight.items() if statuses[k] is Status.HELD)
        small, large, _ = self.split(k for k in weight if statuses[k] is Status.OPEN)
        for group, tries in small:
            check = compile_rules(tuple(self.exprs(group)))
            weights = [weight[k] for k in group]
            full, best = sum(weights), 0
            for c in tries:
                gain = sum(w for w, ok in zip(weights, check(c), strict=True) if ok)
                if gain > best:
                    best = gain
                    if best == full:  # every demand of the group met: no assignment does better
                        break
            sure += best
        if not large:
            return party_score(party, Fraction(sure, party.unit))
        hi = sum(weight[k] for k in large)
        gains = [sum(weight[k] for k in large if truth[k]) for truth in self.truths]
        top = max(range(len(gains)), key=gains.__getitem__)  # the pool is never empty: it holds the smallest
        if gains[top] == hi:
            return party_score(party, Fraction(sure + hi, party.unit))
        gained = balanced_sum([Arith(ArithOp.MUL, Const(weight[k]), Count((self.rules[k].expr,))) for k in large])
        if self.deadline.expired():
            self.unknown = True
            result = SolveResult(SolveStatus.UNKNOWN, self.pool[top])
        else:
            result = self.session.maximise(gained, start=self.pool[top], time_limit=self.deadline.remaining())
            self.settled(result)
        # Out of time: the best gain proven reachable, a lower bound (``unknown`` is set).
        reached = self.checker.check_all(self.pool[top] if result.solution is None else result.solution)
        return party_score(party, Fraction(sure + sum(weight[k] for k in large if reached[k]), party.unit))


K = TypeVar("K")


def _any(conditions: list[BoolExpr]) -> BoolExpr:
    return conditions[0] if len(conditions) == 1 else Logic(Connective.OR, tuple(conditions))


def _all(conditions: list[BoolExpr]) -> BoolExpr:
    return conditions[0] if len(conditions) == 1 else Logic(Connective.AND, tuple(conditions))
