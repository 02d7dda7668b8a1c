"""The backend interface: a finite-domain problem over term codes, and the questions every backend module answers.

In: :class:`Constraints` (each term's codes, hard constraints as checked expressions, optionally some codes fixed).
Out: :class:`SolveResult` (one solution or a proof there is none), solutions one by one, or a
:class:`SolutionCount`.

Each backend is a module with the same four functions (see :class:`Backend`): :mod:`dealcheck.solver.cpsat`
(OR-Tools CP-SAT, the default), :mod:`dealcheck.solver.pyconstraint` (python-constraint2) and
:mod:`dealcheck.solver.brute` (every combination; tests only). :func:`get_backend` imports one by name; the solver
library itself is imported only when a function solves. Analyses do not call these functions: they open a
session (:func:`dealcheck.solver.session.open_session`), which answers every question on every backend.

A time limit is never allowed to turn into a wrong answer: a backend that runs out of time says ``UNKNOWN`` (or
``exact=False`` for a count), never ``UNSAT``.
"""

from __future__ import annotations

import contextlib
import contextvars
import enum
import importlib
import math
import time
from collections.abc import Generator, Iterator, Sequence
from typing import TYPE_CHECKING, Protocol

import attrs

from dealcheck import interrupt
from dealcheck.errors import UsageError
from dealcheck.rules.ir import BoolExpr
from dealcheck.rules.terms import MAX_LISTED_VALUES

if TYPE_CHECKING:
    from dealcheck.model import Rule, Scenario

__all__ = [
    "BACKENDS",
    "FALLBACK_PACKAGES",
    "MAX_LISTED_VALUES",
    "Backend",
    "BeyondCpsat",
    "Constraints",
    "Deadline",
    "Fixed",
    "Listing",
    "SolutionCount",
    "SolveResult",
    "SolveStatus",
    "command_end",
    "command_limits",
    "current_memory_limit",
    "get_backend",
    "lexmin_by_probing",
    "listable_beyond_cpsat",
    "refuse_wide",
]


#: Backend names, as ``--backend`` takes them; the first is the default.
BACKENDS: tuple[str, ...] = ("cpsat", "constraint", "brute")
_MODULES = {
    "cpsat": "dealcheck.solver.cpsat",
    "constraint": "dealcheck.solver.pyconstraint",
    "brute": "dealcheck.solver.brute",
}

#: Codes in term order, ``None`` where a term is free.
Fixed = Sequence[int | None]


class SolveStatus(enum.Enum):
    SAT = "sat"
    UNSAT = "unsat"
    UNKNOWN = "unknown"  # a limit stopped the search before it could tell


@attrs.frozen
class SolveResult:
    status: SolveStatus
    solution: tuple[int, ...] | None = None


@attrs.frozen
class SolutionCount:
    """``count`` solutions found; ``exact`` unless a time or count limit stopped the search first."""

    count: int
    exact: bool


@attrs.frozen
class Constraints:
    """Find codes, one per term, inside ``domains``, that make every constraint hold, agreeing with ``fixed``.

    >>> from dealcheck.rules.ir import CmpOp, Compare, Var
    >>> p = Constraints((range(3), range(2)), (Compare(CmpOp.GT, Var(0), Var(1)),))
    >>> p.free_domains((None, 1))
    (range(0, 3), range(1, 2))
    """

    domains: tuple[range, ...]
    constraints: tuple[BoolExpr, ...] = ()
    fixed: tuple[int | None, ...] | None = None

    @classmethod
    def from_scenario(
        cls, scenario: Scenario, rules: Sequence[Rule] | None = None, fixed: Fixed | None = None
    ) -> Constraints:
        """The problem whose solutions are the deals of ``scenario`` (or of ``rules``, default every red line)."""
        chosen = list(scenario.red_lines()) if rules is None else rules
        return cls(
            tuple(t.domain.codes for t in scenario.terms),
            tuple(r.expr for r in chosen),
            None if fixed is None else tuple(fixed),
        )

    @property
    def bounds(self) -> tuple[tuple[int, int], ...]:
        """Each term's ``(lo, hi)``; an empty domain gives ``(0, -1)``."""
        return tuple((d.start, d.stop - 1) for d in self.domains)

    def with_constraints(self, *exprs: BoolExpr) -> Constraints:
        return attrs.evolve(self, constraints=self.constraints + exprs)

    def merged_fixed(self, fixed: Fixed | None = None) -> tuple[int | None, ...] | None:
        """``self.fixed`` and ``fixed`` together, or ``None`` when they disagree or leave a domain (no solution)."""
        out: list[int | None] = [None] * len(self.domains)
        for source in (self.fixed, fixed):
            if source is None:
                continue
            if len(source) != len(self.domains):
                raise ValueError(f"fixed codes for {len(source)} terms, but the problem has {len(self.domains)}")
            for i, code in enumerate(source):
                if code is None:
                    continue
                if code not in self.domains[i] or (out[i] is not None and out[i] != code):
                    return None
                out[i] = code
        return tuple(out)

    def free_domains(self, fixed: Fixed | None = None) -> tuple[range, ...] | None:
        """Each term's codes once ``fixed`` is applied; ``None`` when nothing fits."""
        merged = self.merged_fixed(fixed)
        if merged is None:
            return None
        return tuple(d if c is None else range(c, c + 1) for d, c in zip(self.domains, merged, strict=True))


def refuse_wide(domains: Sequence[Sequence[int]], what: str, instead: str, names: Sequence[str] | None = None) -> None:
    """Raise a :class:`~dealcheck.errors.UsageError` (exit 2) when a domain holds more than
    :data:`MAX_LISTED_VALUES` values: ``what`` visits every value, ``instead`` says what to use.

    >>> refuse_wide([range(3), range(10**9)], "the brute backend", "use --backend cpsat", ["a", "salary"])
    Traceback (most recent call last):
    ...
    dealcheck.errors.UsageError: term salary holds 1,000,000,000 values and the brute backend visits every value (at most 1,000,000)
    """
    for i, d in enumerate(domains):
        if len(d) > MAX_LISTED_VALUES:
            name = f"term {names[i]}" if names is not None else f"term #{i + 1} ({d[0]}..{d[-1]})"
            raise UsageError(
                f"{name} holds {len(d):,} values and {what} visits every value (at most {MAX_LISTED_VALUES:,})",
                instead,
            )


class BeyondCpsat(UsageError):
    """A model CP-SAT cannot hold (coefficients past 64 bits, bounds past 2**62): a limit of that backend, not of
    the question (exit 2 where nothing else answers). The CLI and the expectation runner answer with an exact
    backend instead when the scenario is small enough to list (:func:`listable_beyond_cpsat`)."""

    @property
    def reason(self) -> str:
        """CP-SAT's reason in one line (its message ends in a dump of the constraint it refused)."""
        return self.message.splitlines()[0].removesuffix("{").rstrip(" :")


#: The most packages a scenario beyond CP-SAT's integers may have to be answered by listing (python-constraint2,
#: exact with integers of any size) when no --time-limit bounds the listing.
FALLBACK_PACKAGES = 10**6


def listable_beyond_cpsat(domains: Sequence[Sequence[int]]) -> bool:
    """Whether a question CP-SAT refused (:class:`BeyondCpsat`) may be answered by listing instead: the packages
    are few (:data:`FALLBACK_PACKAGES`) or the command's --time-limit bounds the listing (a stop is then an honest
    partial answer, exit 4)."""
    return command_end() is not None or math.prod(len(d) for d in domains) <= FALLBACK_PACKAGES


class Deadline:
    """A time budget shared by several solver calls; ``None`` means no limit (beyond the command's own:
    :func:`command_limits`).

    Ctrl-C (the CLI's soft stop, :mod:`dealcheck.interrupt`) expires every deadline, limited or not: so "no time
    limit" never means "runs to the end", and a loop or a backend must never read its own end as "complete"
    without asking :meth:`expired` (or getting a status that says it finished: ``UNSAT``, a complete listing, an
    exact count).

    >>> Deadline(None).remaining() is None, Deadline(10).expired()
    (True, False)
    """

    def __init__(self, time_limit: float | None) -> None:
        end = None if time_limit is None else time.monotonic() + max(0.0, time_limit)
        outer = _LIMITS.get()[0]  # the command's own limit (command_limits) comes first when it is sooner
        self.end = outer if outer is not None and (end is None or outer < end) else end

    def remaining(self) -> float | None:
        """Seconds left (``None``: no limit); ``0.0`` once interrupted."""
        if interrupt.interrupted():
            return 0.0
        return None if self.end is None else max(0.0, self.end - time.monotonic())

    def expired(self) -> bool:
        """Past the end, or interrupted (Ctrl-C)."""
        return (self.end is not None and time.monotonic() >= self.end) or interrupt.interrupted()

    @property
    def watched(self) -> bool:
        """Whether :meth:`expired` can ever become true: a loop that would skip looking at the clock without a
        time limit must still look when an interrupt is possible."""
        return self.end is not None or interrupt.possible()

    def stopped_by(self) -> str:
        """What stopped an answer under this deadline, in words: ``"Ctrl-C"`` or ``"the time limit"``."""
        return interrupt.stopped_by()

    def within(self, time_limit: float | None) -> Deadline:
        """This deadline, or ``time_limit`` seconds from now when that comes first.

        >>> Deadline(None).within(None).end is None, Deadline(100).within(1).remaining() <= 1
        (True, True)
        """
        if time_limit is None:
            return self
        out = Deadline(time_limit)
        if self.end is not None and out.end is not None and self.end < out.end:
            out.end = self.end
        return out


#: The limits of the command running: when its time is up (a ``time.monotonic()`` value) and the memory its counting
#: tables may take (bytes; CP-SAT is passed it too, but does not enforce it); ``None`` for none.
_LIMITS: contextvars.ContextVar[tuple[float | None, int | None]] = contextvars.ContextVar(
    "dealcheck_limits", default=(None, None)
)


@contextlib.contextmanager
def command_limits(time_limit: float | None = None, memory: int | None = None) -> Iterator[None]:
    """Within this block, every :class:`Deadline` ends ``time_limit`` seconds from now at the latest, and counting
    tables take at most ``memory`` bytes (``None``: no limit, and their default budget); CP-SAT is given the same
    figure (``max_memory_in_mb``), which it does not enforce in practice: a solve is bounded by the time limit.

    A command's ``--time-limit`` and ``--memory-limit`` hold for every analysis it runs, however deep (a test run's
    ``deals:`` count inside an expectation inside a file), as ``decimal.localcontext`` sets a precision: threading a
    deadline through every function that may count or solve was the rejected alternative (most reach a solver
    through several layers, and one that forgot it would run unbounded). Nested blocks only tighten.

    >>> with command_limits(100, memory=10**6):
    ...     Deadline(None).remaining() <= 100, Deadline(1000).remaining() <= 100, current_memory_limit()
    (True, True, 1000000)
    >>> Deadline(None).remaining() is None, current_memory_limit() is None
    (True, True)
    """
    outer_end, outer_memory = _LIMITS.get()
    end = None if time_limit is None else time.monotonic() + max(0.0, time_limit)
    if outer_end is not None and (end is None or outer_end < end):
        end = outer_end
    if outer_memory is not None and (memory is None or outer_memory < memory):
        memory = outer_memory
    token = _LIMITS.set((end, memory))
    try:
        yield
    finally:
        _LIMITS.reset(token)


def command_end() -> float | None:
    """When the enclosing :func:`command_limits` ends (a ``time.monotonic()`` value); ``None`` outside one."""
    return _LIMITS.get()[0]


def current_memory_limit() -> int | None:
    """The memory the enclosing :func:`command_limits` allows, in bytes; ``None`` outside one."""
    return _LIMITS.get()[1]


class Listing(Iterator[tuple[int, ...]]):
    """Solutions one by one, as a backend's ``iterate_solutions`` gives them, with an explicit end: once the
    iteration has ended, :attr:`complete` is ``True`` when every solution came out, ``False`` when the deadline,
    Ctrl-C or ``limit`` stopped it (``None`` while it runs, or after :meth:`close`). An enumeration that merely
    ends never says it was complete: ``source`` is a generator that *returns* ``True`` only when it ran dry.

    >>> def two():
    ...     yield (0,)
    ...     yield (1,)
    ...     return True
    >>> listing = Listing(two())
    >>> list(listing), listing.complete
    ([(0,), (1,)], True)
    """

    def __init__(self, source: Generator[tuple[int, ...], None, bool]) -> None:
        self._source = source
        self.complete: bool | None = None

    def __iter__(self) -> Listing:
        return self

    def __next__(self) -> tuple[int, ...]:
        try:
            return next(self._source)
        except StopIteration as end:
            if self.complete is None:
                self.complete = end.value is True
            raise StopIteration from None

    def close(self) -> None:
        self._source.close()


class Backend(Protocol):
    """What every backend module provides. ``time_limit`` is in seconds, ``None`` for none."""

    def find_solution(
        self, problem: Constraints, *, fixed: Fixed | None = None, time_limit: float | None = None
    ) -> SolveResult: ...

    def lexmin_solution(
        self, problem: Constraints, *, fixed: Fixed | None = None, time_limit: float | None = None
    ) -> SolveResult:
        """The lexicographically smallest solution (codes compared in term order): the documented tie-break."""
        ...

    def iterate_solutions(
        self,
        problem: Constraints,
        *,
        fixed: Fixed | None = None,
        limit: int | None = None,
        time_limit: float | None = None,
    ) -> Listing:
        """Distinct solutions, at most ``limit``; the order is the backend's own (deterministic). The listing
        says at its end whether it was complete (:class:`Listing`)."""
        ...

    def count_solutions(
        self,
        problem: Constraints,
        *,
        fixed: Fixed | None = None,
        limit: int | None = None,
        time_limit: float | None = None,
    ) -> SolutionCount: ...


def get_backend(name: str) -> Backend:
    """The backend module called ``name`` (one of :data:`BACKENDS`).

    >>> get_backend("brute").__name__
    'dealcheck.solver.brute'
    """
    try:
        module = _MODULES[name]
    except KeyError:
        raise UsageError(f"unknown backend {name!r}", "the backends are " + ", ".join(BACKENDS)) from None
    backend: Backend = importlib.import_module(module)  # a module is its functions
    return backend


def lexmin_by_probing(
    backend: Backend, problem: Constraints, *, fixed: Fixed | None = None, time_limit: float | None = None
) -> SolveResult:
    """The lexicographically smallest solution, found by fixing terms one at a time to their smallest feasible code.

    Works over any backend's ``find_solution``; a backend with a faster way (CP-SAT minimises) uses its own.
    """
    deadline = Deadline(time_limit)
    merged = problem.merged_fixed(fixed)
    if merged is None:
        return SolveResult(SolveStatus.UNSAT)
    first = backend.find_solution(problem, fixed=merged, time_limit=deadline.remaining())
    if first.status is not SolveStatus.SAT:
        return first
    assert first.solution is not None
    prefix = list(merged)
    best = first.solution
    for i, domain in enumerate(problem.domains):
        if prefix[i] is not None:
            continue
        # Every code below the best solution's code is tried: the smallest feasible one wins.
        for code in domain:
            if code >= best[i]:
                prefix[i] = best[i]
                break
            trial = backend.find_solution(
                problem, fixed=prefix[:i] + [code] + prefix[i + 1 :], time_limit=deadline.remaining()
            )
            if trial.status is SolveStatus.UNKNOWN:
                return trial
            if trial.status is SolveStatus.SAT:
                assert trial.solution is not None
                best = trial.solution
                prefix[i] = code
                break
    return SolveResult(SolveStatus.SAT, best)
