"""JUnit XML, the format CI servers read test results in: a registry entry like every other format.

Only test runs (:mod:`dealcheck.report.testrun`) have a JUnit form; other results are a ``TypeError``, which the CLI
never meets because only ``dealcheck test`` offers ``--format junit``.
"""

from __future__ import annotations

import functools
from typing import Any

__all__ = ["render"]


@functools.singledispatch
def render(result: Any, *, color: bool = False) -> str:
    """JUnit XML for a result; :mod:`dealcheck.report.testrun` registers the test runs."""
    raise TypeError(f"no JUnit form for {type(result).__name__}")
