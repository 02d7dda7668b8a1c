"""Expectations: the claims a scenario file makes about itself (``expect:``), checked like tests.

- :mod:`dealcheck.expectations.claims`: the ``expect:`` schema (keys, counts, scores, probabilities, objectives) and
  the typed claims the loader builds (:class:`Expectation`, :class:`Entry`, one class per kind of claim); it sits
  with the loader and imports only the standard library, attrs and the error types. Its names are this package's.
- :mod:`dealcheck.expectations.run`: the runner (:func:`run_expectations`), file discovery and the result classes.
  Its public names (``run.__all__``) are this package's too, loaded on first use (PEP 562), so the loader reading
  the schema does not import the runner.
- Their renderers are formats of the report registry (:mod:`dealcheck.report.testrun`).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from dealcheck.expectations import claims
from dealcheck.expectations.claims import *  # noqa: F403 - the schema and claim classes, listed in claims.__all__

if TYPE_CHECKING:
    from dealcheck.expectations.run import *  # noqa: F403


def __getattr__(name: str) -> Any:
    # One list of the runner's public names, run.__all__: this forwards them rather than repeating them.
    if not name.startswith("_") or name == "__all__":
        import importlib

        run = importlib.import_module("dealcheck.expectations.run")  # not "from . import": that asks __getattr__
        if name == "__all__":
            return [*claims.__all__, *run.__all__]
        if name in run.__all__:
            return getattr(run, name)
    raise AttributeError(f"module 'dealcheck.expectations' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted({*globals(), *__getattr__("__all__")})
