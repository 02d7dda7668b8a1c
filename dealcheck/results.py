"""Reports: frozen attrs classes that hold an answer and know their exit code.

Engines compute these; renderers (:mod:`dealcheck.report`) turn them into text, JSON or Markdown; the CLI prints.
The exit-code policy lives on the result type, never in a renderer:

====  ====================================================================
0     answered, and every checked package is a deal (or can become one)
1     some package breaks a red line, or has no deal completion
2     invalid scenario or usage
3     internal error
4     a limit (time, count) stopped the answer
====  ====================================================================
"""

from __future__ import annotations

import enum
import operator
from collections.abc import Callable, Mapping
from fractions import Fraction
from typing import Any

import attrs

from dealcheck.rules.terms import Value

__all__ = [
    "EXIT_FAILED",
    "EXIT_INTERNAL",
    "EXIT_INVALID",
    "EXIT_LIMIT",
    "EXIT_OK",
    "CheckReport",
    "PackageVerdict",
    "PartyVerdict",
    "Report",
    "RuleOutcome",
    "Status",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_LIMIT = 4


class Report:
    """What every report class shares: ``to_dict()``, exactly the document ``--format json`` prints (plain dicts,
    lists, strings, numbers; exact fractions as ``"5/8"`` strings or integer ``met``/``total`` pairs, with a rounded
    float alongside), and ``render(fmt)``, the text the CLI prints.

    ``json.dumps(attrs.asdict(report))`` does not work (enums, fractions, mappings); this does.
    """

    __slots__ = ()

    def to_dict(self) -> dict[str, Any]:
        import json

        # Through the JSON text, so that it is the CLI's document byte for byte, never a near copy.
        data: dict[str, Any] = json.loads(self.render("json"))
        return data

    def render(self, fmt: str = "text", *, color: bool = False) -> str:
        """This report in ``fmt`` (``text``, ``json``, ``markdown``, ...), as the CLI prints it."""
        from dealcheck.api import render  # the facade: results sit below the report layer

        return render(self, fmt, color=color)


class Status(enum.Enum):
    """A rule's truth on a package: ``held`` in every completion, ``broken`` in every one, or ``open``.

    A demand that holds is *met*; a red line that holds is *kept*.
    """

    HELD = "held"
    BROKEN = "broken"
    OPEN = "open"


@attrs.frozen(hash=False)
class RuleOutcome:
    """One rule on one package, with what a reader needs to see why."""

    party: str
    id: str
    kind: str  # "red_line" or "demand"
    status: Status
    text: str
    values: Mapping[str, Value | None]  # the package's values of the terms the rule reads; None when open
    weight: int | Fraction = 1
    description: str | None = None
    quote: str | None = None
    source: str | None = None
    assumption: str | None = None
    plain: str | None = None  # the rule in plain words (``ceasefire is not "full"``); ``text`` is the code form

    @property
    def ref(self) -> str:
        return f"{self.party}.{self.id}"


@attrs.frozen(hash=False)
class PartyVerdict:
    """One party's view of one package.

    ``acceptable`` is true when no red line is broken in the package as given (for a partial package: when some
    completion keeps all of this party's red lines; ``None`` when a limit stopped that question, in a verdict that is
    ``unknown``). ``score`` is met demand weight over total demand weight
    (1.0 for a party with no demands); for a partial package it counts demands met in every completion, and
    ``score_max`` the best any completion can reach.
    """

    party: str
    name: str
    acceptable: bool | None
    broken: tuple[str, ...]
    met: tuple[str, ...]
    score: float
    red_lines: tuple[RuleOutcome, ...]
    demands: tuple[RuleOutcome, ...]
    score_max: float | None = None


@attrs.frozen(hash=False)
class PackageVerdict(Report):
    """The verdict on one package.

    ``deal`` is true when the package is complete and no party's red line is broken. ``deal_possible`` says
    whether some completion is a deal (for a complete package: ``deal``; ``None`` when a time limit left it
    unproven); for a partial package ``forced`` the terms that take one value in every deal
    completion, and ``example`` one deal completion (or ``None``).
    """

    package: str | None
    title: str | None
    values: Mapping[str, Value]
    complete: bool
    deal: bool
    parties: tuple[PartyVerdict, ...]
    deal_possible: bool | None = None
    forced: Mapping[str, Value] = attrs.field(factory=dict)
    example: Mapping[str, Value] | None = None
    unknown: bool = False  # a time limit stopped the partial-package analysis
    #: Which deal ``example`` is: ``"first"`` in option order (not a recommendation), ``"best"`` by total score, or
    #: ``"first_limit"``: the first, since a limit stopped the search for the best (exit 4).
    example_kind: str = attrs.field(default="first", repr=False)

    def __attrs_post_init__(self) -> None:
        if self.complete and self.deal_possible is None:
            object.__setattr__(self, "deal_possible", self.deal)  # a complete package's only completion is itself

    def party(self, party_id: str) -> PartyVerdict:
        """The verdict of the party with id ``party_id``.

        >>> v = PackageVerdict("p", None, {}, True, True, (PartyVerdict("us", "US", True, (), (), 1.0, (), ()),))
        >>> v.party("us").name, v.deal_possible
        ('US', True)
        """
        if not isinstance(party_id, str):
            party_id = getattr(party_id, "id", party_id)
        for p in self.parties:
            if p.party == party_id:
                return p
        from dealcheck.errors import UsageError

        raise UsageError(
            f"no party {party_id!r} in this verdict", "the parties are " + ", ".join(p.party for p in self.parties)
        )

    @property
    def ok(self) -> bool:
        return self.deal if self.complete else bool(self.deal_possible)

    @property
    def exit_code(self) -> int:
        if self.unknown or self.example_kind == "first_limit":
            return EXIT_LIMIT
        return EXIT_OK if self.ok else EXIT_FAILED


_FIELDS = operator.attrgetter(*attrs.fields_dict(PackageVerdict))


def _eager(position: int) -> property:
    return property(lambda self: self._state[position], doc="As on PackageVerdict.")


def _deferred(position: int) -> property:
    def read(self: _DeferredVerdict) -> Any:
        state = self._state
        if len(state) == 4:  # not built yet: (package, title, deal, (build, a, b))
            build, a, b = state[3]
            values, parties = build(a, b)
            state = (*state[:3], values, parties)
            _SET_STATE(self, state)
        return state[position]

    return property(read, doc="As on PackageVerdict; built on first read.")


class _DeferredVerdict(PackageVerdict):
    """A :class:`PackageVerdict` for a full package whose ``values`` and ``parties`` are built on first read.

    ``Scenario.check`` answers ``deal`` from the compiled red lines alone; the per-party outcomes (one object per
    rule, with values and quotes) cost ten times the check, and a simulation that only reads ``deal`` never needs
    them. To the user it is a ``PackageVerdict``: same fields, frozen, the same ``repr``, equal to a
    ``PackageVerdict`` with equal fields (and, like one, not hashable); ``attrs.evolve``, ``copy`` and pickling give
    a plain ``PackageVerdict``. Two threads reading ``parties`` first at once may both build it; they build equal
    values, so either wins.

    All fields live in one private tuple read by properties (which shadow the parent's slots): creating one costs
    one slot store. Rejected: storing each field in its slot, as attrs does (a store through a frozen class's slot
    descriptor costs about 0.15 µs, ten of them more than the rest of a check), and building outcomes from a cache
    keyed by rule and values (still one object per rule per check).
    """

    __slots__ = ("_state",)
    # (package, title, deal, values, parties), or (package, title, deal, (build, a, b)) before the first read
    _state: tuple[Any, ...]

    package = _eager(0)
    title = _eager(1)
    deal = _eager(2)
    values = _deferred(3)
    parties = _deferred(4)
    complete = True
    deal_possible = _eager(2)  # a complete package's only completion is itself
    example = None
    unknown = False
    example_kind = "first"

    @property
    def forced(self) -> Mapping[str, Value]:
        return {}

    def __new__(cls, *args: Any, **kwargs: Any) -> PackageVerdict:  # type: ignore[misc]
        # ``attrs.evolve`` calls the instance's class with every field: that makes an ordinary verdict.
        return PackageVerdict(*args, **kwargs)

    def __reduce__(self) -> tuple[Any, ...]:
        return PackageVerdict, _FIELDS(self)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, PackageVerdict):
            return NotImplemented
        return bool(_FIELDS(self) == _FIELDS(other))

    def __ne__(self, other: object) -> bool:
        if not isinstance(other, PackageVerdict):
            return NotImplemented
        return bool(_FIELDS(self) != _FIELDS(other))

    __hash__ = PackageVerdict.__hash__

    def __repr__(self) -> str:
        return "PackageVerdict" + PackageVerdict.__repr__(self)[len(type(self).__qualname__) :]


_SET_STATE = _DeferredVerdict.__dict__["_state"].__set__
_NEW = object.__new__


def deferred_verdict(
    package: str | None,
    title: str | None,
    deal: bool,
    later: tuple[Callable[..., tuple[Mapping[str, Value], tuple[PartyVerdict, ...]]], Any, Any],
) -> PackageVerdict:
    """The verdict on a complete package; ``later`` is ``(build, a, b)``, and ``(values, parties)`` are
    ``build(a, b)``, called on first read.

    For the checkers: a user only ever sees a :class:`PackageVerdict`.

    >>> v = deferred_verdict("p", None, True, (lambda a, b: ({"b": a}, b), True, ()))
    >>> v.deal, dict(v.values), v.parties
    (True, {'b': True}, ())
    >>> v == PackageVerdict("p", None, {"b": True}, True, True, ()), v
    (True, PackageVerdict(package='p', title=None, values={'b': True}, complete=True, deal=True, parties=(), deal_possible=True, forced={}, example=None, unknown=False))
    """
    v = _NEW(_DeferredVerdict)
    _SET_STATE(v, (package, title, deal, later))
    return v


@attrs.frozen(hash=False)
class CheckReport(Report):
    """Verdicts on several packages of one scenario."""

    scenario: str
    path: str
    verdicts: tuple[PackageVerdict, ...]
    variant: str | None = None

    @property
    def exit_code(self) -> int:
        codes = [v.exit_code for v in self.verdicts]
        if EXIT_LIMIT in codes:
            return EXIT_LIMIT
        return EXIT_FAILED if EXIT_FAILED in codes else EXIT_OK
