"""Every docstring example in the installed dealcheck package runs as a test.

Collected here rather than with ``--doctest-modules`` so that the examples run against the package pytest imports
(the installed one, on a fresh machine), not a second copy of the source tree: two copies of one module in one
process is exactly what pytest's "import file mismatch" refuses.
"""

from __future__ import annotations

import doctest
import importlib
import pkgutil

import pytest

import dealcheck

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(dealcheck.__path__, prefix="dealcheck.")
    if not name.endswith("__main__")
)


def test_the_walk_finds_the_package() -> None:
    assert {"dealcheck.model", "dealcheck.rules.parser", "dealcheck.solver.cpsat", "dealcheck.cli"} <= set(MODULES)


@pytest.mark.parametrize("name", ["dealcheck", *MODULES])
def test_docstring_examples(name: str) -> None:
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS)
    ran = 0
    report: list[str] = []
    for test in finder.find(module, name):
        result = runner.run(test, out=report.append)
        ran += result.attempted
    assert runner.failures == 0, "".join(report)
    if ran == 0:
        pytest.skip(f"{name} has no examples")
