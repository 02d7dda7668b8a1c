"""Every analysis of a scenario at once, for ``dealcheck report``: the input of the HTML page.

In: a :class:`~dealcheck.model.Scenario`. Out: an :class:`Overview` holding the check of every package, the zone
of agreement (explore), the conflicts and cheapest concessions of each package that is not a deal, and the
variants side by side (compare), why each finding holds (``dealcheck explain``: the minimal sets of quoted red
lines behind it), how far each weight can move before the best deal by total changes (``dealcheck sensitivity``), plus whatever tools built on dealcheck registered in :data:`EXTRA_ANALYSES`. Each part is an ordinary report, so the page says nothing the CLI would not.

A time limit is shared: each analysis gets what is left, and a part that runs out says so in ``notes`` (exit 4).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import attrs

from dealcheck import interrupt
from dealcheck.model import Scenario
from dealcheck.results import EXIT_LIMIT, EXIT_OK, CheckReport, Report

__all__ = ["EXTRA_ANALYSES", "Overview", "overview"]

#: Hooks: ``(scenario, time_limit) -> (title, report) | None``. A report is shown on the page by its ``html``
#: renderer when it has one, else as its text.
EXTRA_ANALYSES: list[Callable[[Scenario, float | None], tuple[str, Any] | None]] = []


@attrs.frozen(hash=False)
class Overview(Report):
    """Every analysis of one scenario. ``conflicts`` maps each package that is not a deal to its conflicts."""

    scenario: str
    path: str
    description: str | None
    parties: tuple[tuple[str, str], ...]  # (id, name), in file order
    check: CheckReport
    explore: Any  # ExploreReport
    conflicts: tuple[tuple[str, Any], ...]  # (package id, ConflictReport)
    compare: Any | None  # CompareReport, None without variants
    extras: tuple[tuple[str, Any], ...] = ()
    notes: tuple[str, ...] = ()
    plain: tuple[tuple[str, str], ...] = ()  # (party.rule, the rule in plain words), for the conflicts section

    @property
    def complete(self) -> bool:
        parts = [self.check, self.explore, *(c for _, c in self.conflicts)]
        parts += [r for _, r in self.extras if isinstance(getattr(r, "exit_code", None), int)]
        if self.compare is not None:
            parts.append(self.compare)
        return not self.notes and all(p.exit_code != EXIT_LIMIT for p in parts)

    @property
    def exit_code(self) -> int:
        return EXIT_OK if self.complete else EXIT_LIMIT


def overview(
    scenario: Scenario,
    *,
    top: int = 5,
    backend: str = "cpsat",
    time_limit: float | None = None,
    progress: Callable[[str], None] | None = None,
) -> Overview:
    """Check, explore, conflicts per failing package, compare, and the registered extras, within ``time_limit``."""
    from dealcheck.analysis.compare import compare
    from dealcheck.analysis.conflicts import find_conflicts
    from dealcheck.analysis.explain import explain
    from dealcheck.analysis.explore import explore
    from dealcheck.analysis.sensitivity import sensitivity
    from dealcheck.check import check_packages
    from dealcheck.solver.base import refuse_wide

    # Before any work: the report's explanations go value by value (dealcheck explain refuses a wide term too).
    refuse_wide(
        [t.domain.codes for t in scenario.terms],
        "the report (its explanations go value by value)",
        "use dealcheck explore (a wide range's zone as intervals) and dealcheck check",
        [t.name for t in scenario.terms],
    )
    start = time.monotonic()
    notes: list[str] = []

    def left() -> float | None:
        if time_limit is None:
            return None
        return max(0.001, time_limit - (time.monotonic() - start))

    def say(step: str) -> None:
        if progress is not None:
            progress(step)

    say("checking packages")
    check = check_packages(scenario, time_limit=left(), backend=backend)
    say("exploring the zone of agreement")
    zone = explore(scenario, top=top, backend=backend, time_limit=left())
    conflicts = []
    for v in check.verdicts:
        if not v.ok and not v.unknown and v.package is not None:
            say(f"conflicts of {v.package}")
            conflicts.append(
                (v.package, find_conflicts(scenario, package=scenario.package(v.package), limit=5, time_limit=left()))
            )
    comparison = None
    if scenario.variants:
        say("comparing variants")
        comparison = compare(scenario, backend=backend, time_limit=left())
    say("explaining the findings")
    extras: list[tuple[str, Any]] = [("Why each finding holds", explain(scenario, backend=backend, time_limit=left()))]
    say("weight sensitivity")
    # The best deal by total only, the ranking the zone section shows (dealcheck sensitivity gives every objective):
    # kalai's ideal point moves with the weights, which costs minutes on large Genius domains with reservation values.
    moved = sensitivity(scenario, objectives=["total"], backend=backend, time_limit=left())
    extras.append(("How far each weight can move before the best deal by total changes", moved))
    for hook in EXTRA_ANALYSES:
        found = hook(scenario, left())
        if found is not None:
            extras.append(found)
    if interrupt.interrupted():
        notes.append("Ctrl-C stopped the report: some parts are partial")
    elif time_limit is not None and time.monotonic() - start > time_limit:
        notes.append(f"the time limit ({time_limit:g} s) ran out: some parts are partial")
    return Overview(
        scenario=scenario.title,
        path=scenario.path,
        description=scenario.description,
        parties=tuple((p.id, p.name) for p in scenario.parties),
        check=check,
        explore=zone,
        conflicts=tuple(conflicts),
        compare=comparison,
        extras=tuple(extras),
        notes=tuple(notes),
        plain=tuple((r.ref, scenario.plain_rule(r)) for r in scenario.rules()),
    )
