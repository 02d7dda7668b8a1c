"""The pytest plugin: the expectations of ``*.deal.yaml`` files as pytest test items.

Registered through the ``pytest11`` entry point, so installing dealcheck is enough: pytest collects every file that
matches the ini option ``dealcheck_glob`` (default ``*.deal.yaml``; several globs separated by spaces) as one test
file, with one item per entry of its ``expect:`` list. A failing expectation is reported as ``file:line`` and one
paragraph saying why, with no traceback; a file that does not load is one failing item showing its diagnostics.

Items run through :func:`dealcheck.expectations.run_expectation`, the same code as ``dealcheck test``, so the two
never disagree. Plain ``*.yaml`` files are left alone: a repository's other YAML is none of this plugin's business.
"""

from __future__ import annotations

import fnmatch
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from _pytest._code.code import TerminalRepr

__all__ = ["DealFile", "ExpectationFailed", "ExpectationItem", "InvalidScenarioItem"]

_DEFAULT_GLOB = "*.deal.yaml"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini(
        "dealcheck_glob",
        type="args",
        default=[_DEFAULT_GLOB],
        help=f"glob(s) of scenario files whose expect: entries are collected as tests (default: {_DEFAULT_GLOB})",
    )


def pytest_collect_file(parent: pytest.Collector, file_path: Path) -> DealFile | None:
    globs = parent.config.getini("dealcheck_glob") or [_DEFAULT_GLOB]
    if any(fnmatch.fnmatch(file_path.name, g) for g in globs):
        return DealFile.from_parent(parent, path=file_path)
    return None


class ExpectationFailed(Exception):
    """Raised by an item whose expectation does not hold; carries the one-paragraph report."""


class DealFile(pytest.File):
    """A scenario file: loads it and yields one item per expectation (or one failing item if it does not load)."""

    def collect(self) -> Any:
        from dealcheck.errors import ScenarioError
        from dealcheck.loader import load_scenario_file

        try:
            scenario = load_scenario_file(str(self.path))
        except ScenarioError as e:
            yield InvalidScenarioItem.from_parent(self, name="load", rendered=e.render())
            return
        seen: set[str] = set()
        for index, expectation in enumerate(scenario.expectations):
            name = _item_name(expectation, index)
            while name in seen:  # two identical entries still get two items
                name += "'"
            seen.add(name)
            yield ExpectationItem.from_parent(self, name=name, scenario=scenario, expectation=expectation, index=index)


def _item_name(expectation: Any, index: int) -> str:
    from dealcheck.expectations import describe

    try:
        description = describe(expectation)
    except Exception:  # noqa: BLE001 - a malformed entry still needs a name
        description = f"expectation {index + 1}"
    line = expectation.span.line if expectation.span is not None else None
    return f"line {line}: {description}" if line is not None else description


class ExpectationItem(pytest.Item):
    """One ``expect:`` entry."""

    def __init__(self, *, scenario: Any, expectation: Any, index: int, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.scenario = scenario
        self.expectation = expectation
        self.index = index

    def runtest(self) -> None:
        from dealcheck.expectations import run_expectation

        result = run_expectation(self.scenario, self.expectation, self.index)
        if not result.passed:
            raise ExpectationFailed(f"{result.location}: {result.description}\n{result.reason}")

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, ExpectationFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)  # a bug in dealcheck: show it in full

    def reportinfo(self) -> tuple[Path, int | None, str]:
        span = self.expectation.span
        return self.path, (span.line - 1 if span is not None else None), f"{self.path.name}: {self.name}"


class InvalidScenarioItem(pytest.Item):
    """The one item of a file that does not load: it fails with the file's diagnostics."""

    def __init__(self, *, rendered: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rendered = rendered

    def runtest(self) -> None:
        raise ExpectationFailed(self.rendered)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException], style: Any = None) -> str | TerminalRepr:
        if isinstance(excinfo.value, ExpectationFailed):
            return f"invalid scenario {self.path}:\n{excinfo.value}"
        return super().repr_failure(excinfo, style)

    def reportinfo(self) -> tuple[Path, int | None, str]:
        return self.path, 0, f"{self.path.name}: invalid scenario"
