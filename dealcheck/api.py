"""The functions behind the convenience methods of the model and the results: the one way they reach up.

In: a scenario and a method's arguments. Out: that analysis' result (a verdict, a report).

The layers run rules -> model -> solver -> analysis -> report -> cli, and no import runs back up. ``Scenario.check``
and the other methods are the library's public face, but the model sits in the second layer: its methods call this
module (imported lazily, on first call), and this module, at the top beside the CLI, imports each analysis when it is
first used; a result's ``render()`` reaches the report registry the same way. ``tests/test_layers.py`` holds every
module to the order and allows only lazy imports of this module to run up.
Rejected: imports of each analysis inside each method (as before), a circle of 14 modules through ``model.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

# The full-package check is the hot path of ``Scenario.check`` (a few microseconds): the method looks this function
# up once and calls it directly, so it is the checker's own function, not a wrapper.
from dealcheck.check import check_package

if TYPE_CHECKING:
    from dealcheck.analysis.compare import CompareReport
    from dealcheck.analysis.conflicts import ConflictReport
    from dealcheck.analysis.explain import ExplainReport
    from dealcheck.analysis.explore import ExploreReport
    from dealcheck.analysis.repair import RepairReport
    from dealcheck.analysis.sensitivity import SensitivityReport
    from dealcheck.expectations import ExpectationReport
    from dealcheck.model import Package, Scenario
    from dealcheck.rules.terms import Value
    from dealcheck.solver.vectorized import BatchVerdict

__all__ = [
    "check_many",
    "check_package",
    "compare",
    "conflicts",
    "explore",
    "render",
    "repair",
    "run_expectations",
    "sensitivity",
]


def render(result: Any, fmt: str = "text", *, color: bool = False) -> str:
    """:func:`dealcheck.report.render`, for the results' own ``render`` and ``to_dict``."""
    from dealcheck.report import render

    return render(result, fmt, color=color)


def check_many(scenario: Scenario, columns: Mapping[str, Any]) -> BatchVerdict:
    """:func:`dealcheck.solver.vectorized.check_many` (numpy is imported here, not when dealcheck loads)."""
    from dealcheck.solver.vectorized import check_many

    return check_many(scenario, columns)


def conflicts(
    scenario: Scenario,
    *,
    parties: Sequence[str] | None,
    package: Mapping[str, Value] | Package | None,
    limit: int | None,
    time_limit: float | None,
) -> ConflictReport:
    """:func:`dealcheck.analysis.conflicts.find_conflicts`."""
    from dealcheck.analysis.conflicts import find_conflicts

    return find_conflicts(scenario, parties=parties, package=package, limit=limit, time_limit=time_limit)


def explain(scenario: Scenario, **options: Any) -> ExplainReport:
    """:func:`dealcheck.analysis.explain.explain`."""
    from dealcheck.analysis.explain import explain

    return explain(scenario, **options)


def explore(scenario: Scenario, **options: Any) -> ExploreReport:
    """:func:`dealcheck.analysis.explore.explore`."""
    from dealcheck.analysis.explore import explore

    return explore(scenario, **options)


def sensitivity(scenario: Scenario, **options: Any) -> SensitivityReport:
    """:func:`dealcheck.analysis.sensitivity.sensitivity`."""
    from dealcheck.analysis.sensitivity import sensitivity

    return sensitivity(scenario, **options)


def repair(scenario: Scenario, package: Mapping[str, Value] | Package, **options: Any) -> RepairReport:
    """:func:`dealcheck.analysis.repair.repair`."""
    from dealcheck.analysis.repair import repair

    return repair(scenario, package, **options)


def compare(scenario: Scenario, **options: Any) -> CompareReport:
    """:func:`dealcheck.analysis.compare.compare`."""
    from dealcheck.analysis.compare import compare

    return compare(scenario, **options)


def run_expectations(scenario: Scenario) -> ExpectationReport:
    """:func:`dealcheck.expectations.run_expectations`: the scenario's ``expect:`` entries."""
    from dealcheck.expectations import run_expectations

    return run_expectations(scenario)
