"""Expectations: the claims a scenario file makes about itself (``expect:``), checked like tests.

- :mod:`dealcheck.expectations.claims`: the ``expect:`` schema (keys, counts, scores, objectives), which the loader
  and the runner both read; it sits with the loader and imports only the standard library.
- :mod:`dealcheck.expectations.run`: the runner (:func:`run_expectations`), file discovery and the result classes.
- Their renderers are formats of the report registry (:mod:`dealcheck.report.testrun`).

The runner's names load on first use (PEP 562), so the loader reading the schema does not import the runner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from dealcheck.expectations.run import (
        ExpectationReport,
        ExpectationResult,
        InvalidFile,
        TestRun,
        describe,
        discover,
        parse_count,
        parse_score,
        run_expectation,
        run_expectations,
        run_files,
    )

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


def __getattr__(name: str) -> Any:
    if name in __all__:
        from dealcheck.expectations import run

        return getattr(run, name)
    raise AttributeError(f"module 'dealcheck.expectations' has no attribute {name!r}")
