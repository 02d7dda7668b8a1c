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
from collections.abc import Mapping

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
    "RuleOutcome",
    "Status",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_INVALID = 2
EXIT_INTERNAL = 3
EXIT_LIMIT = 4


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
    weight: int = 1
    description: str | None = None
    quote: str | None = None
    source: str | None = None
    assumption: str | None = None

    @property
    def ref(self) -> str:
        return f"{self.party}.{self.id}"


@attrs.frozen(hash=False)
class PartyVerdict:
    """One party's view of one package.

    ``acceptable`` is true when no red line is broken in the package as given (for a partial package: when some
    completion keeps all of this party's red lines). ``score`` is met demand weight over total demand weight
    (1.0 for a party with no demands); for a partial package it counts demands met in every completion, and
    ``score_max`` the best any completion can reach.
    """

    party: str
    name: str
    acceptable: bool
    broken: tuple[str, ...]
    met: tuple[str, ...]
    score: float
    red_lines: tuple[RuleOutcome, ...]
    demands: tuple[RuleOutcome, ...]
    score_max: float | None = None


@attrs.frozen(hash=False)
class PackageVerdict:
    """The verdict on one package.

    ``deal`` is true when the package is complete and no party's red line is broken. For a partial package
    ``deal_possible`` says whether some completion is a deal, ``forced`` the terms that take one value in every deal
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

    @property
    def ok(self) -> bool:
        return self.deal if self.complete else bool(self.deal_possible)

    @property
    def exit_code(self) -> int:
        if self.unknown:
            return EXIT_LIMIT
        return EXIT_OK if self.ok else EXIT_FAILED


@attrs.frozen(hash=False)
class CheckReport:
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
