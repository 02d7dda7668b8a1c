"""Start-up stays light: ``import dealcheck`` loads no dependency, and a full-package check needs no solver."""

from __future__ import annotations

import subprocess
import sys


def _loaded(code: str, modules: tuple[str, ...]) -> list[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + f"\nimport sys; print(','.join(m for m in {modules!r} if m in sys.modules))"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    return [m for m in out.split(",") if m]


HEAVY = ("yaml", "click", "attrs", "ortools", "numpy", "constraint", "dealcheck.loader", "dealcheck.check")


def test_import_dealcheck_loads_nothing_heavy() -> None:
    assert _loaded("import dealcheck", HEAVY) == []


def test_names_load_on_first_use() -> None:
    code = "import dealcheck\nassert dealcheck.Scenario.__name__ == 'Scenario'\nassert 'Scenario' in dir(dealcheck)"
    assert _loaded(code, ("dealcheck.model", "yaml")) == ["dealcheck.model"]
    assert _loaded("import dealcheck\ndealcheck.check.check_package", ("dealcheck.check",)) == ["dealcheck.check"]


def test_unknown_attribute_is_an_attribute_error() -> None:
    import dealcheck

    for name in ("nope", "_private"):
        try:
            getattr(dealcheck, name)
        except AttributeError as e:
            assert name in str(e)
        else:  # pragma: no cover
            raise AssertionError(name)


def test_full_package_check_loads_no_solver() -> None:
    code = (
        "import dealcheck\n"
        "s = dealcheck.load_scenario('dealcheck: 1\\ntitle: T\\nterms: {b: bool, n: {range: [0, 3]}}\\n"
        "parties: {p: {red_lines: {r: {rule: b or n > 1, assumption: x}}}}\\n')\n"
        "v = s.check({'b': False, 'n': 2})\n"
        "assert v.deal and v.parties[0].red_lines[0].status.value == 'held'\n"
    )
    assert _loaded(code, ("ortools", "numpy", "constraint")) == []


def test_check_report_renders_without_the_analyses() -> None:
    code = (
        "import dealcheck\nfrom dealcheck.report import render\n"
        "s = dealcheck.load_scenario('dealcheck: 1\\ntitle: T\\nterms: {b: bool}\\n"
        "parties: {p: {red_lines: {r: {rule: b, assumption: x}}}}\\npackages: {k: {terms: {b: true}}}\\n')\n"
        "from dealcheck.check import check_packages\n"
        "for fmt in ('text', 'json', 'markdown'):\n    render(check_packages(s), fmt)\n"
    )
    assert _loaded(code, ("dealcheck.analysis.explore", "dealcheck.analysis.conflicts")) == []
