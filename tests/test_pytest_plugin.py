"""The pytest plugin, run inside pytest's own ``pytester``: collection, pass/fail reporting, invalid files, the glob."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = ["pytester"]

# pytester's inline runs drop every module imported during the run from sys.modules afterwards; OR-Tools (a native
# extension with protobuf descriptors) cannot be imported a second time in one process, so import it up front.
import ortools.sat.python.cp_model  # noqa: E402, F401

DATA = Path(__file__).parent / "data"
TOY = (DATA / "toy.deal.yaml").read_text(encoding="utf-8")


def test_collects_one_item_per_expectation(pytester: pytest.Pytester) -> None:
    pytester.makefile(".deal.yaml", toy=TOY)
    result = pytester.runpytest("--collect-only", "-q")
    result.stdout.fnmatch_lines(
        [
            "toy.deal.yaml::line 20: truce: deal",
            "toy.deal.yaml::line 21: full: breaks russia.no_full, acceptable to ukraine, not acceptable to russia",
            "toy.deal.yaml::line 22: open_nato: deal possible, forces nato=neutral",
            "toy.deal.yaml::line 23: exactly one package is a deal",
        ]
    )


def test_passing_expectations_pass(pytester: pytest.Pytester) -> None:
    pytester.makefile(".deal.yaml", toy=TOY)
    pytester.runpytest().assert_outcomes(passed=4)


def test_failure_is_file_line_and_reason_without_traceback(pytester: pytest.Pytester) -> None:
    text = TOY.replace("{package: truce, deal: true}", "{package: full, deal: true}")
    pytester.makefile(".deal.yaml", toy=text)
    result = pytester.runpytest()
    result.assert_outcomes(passed=3, failed=1)
    out = result.stdout.str()
    result.stdout.fnmatch_lines(
        [
            "*toy.deal.yaml:20: full: deal",
            'expected package full to be a deal, but it breaks russia.no_full (ceasefire != "full") with ceasefire=full.',
        ]
    )
    assert "Traceback" not in out and "pytest_plugin.py" not in out and "raise " not in out


def test_invalid_scenario_is_one_failing_item(pytester: pytest.Pytester) -> None:
    pytester.makefile(".deal.yaml", broken=TOY.replace('ceasefire != "full"', 'ceasfire != "full"'))
    result = pytester.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*broken.deal.yaml:10:23: error?DC301?*", "*did you mean 'ceasefire'?*"])
    assert "Traceback" not in result.stdout.str()


def test_plain_yaml_is_left_alone(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", toy=TOY)
    result = pytester.runpytest()
    assert result.ret == pytest.ExitCode.NO_TESTS_COLLECTED


def test_glob_is_configurable(pytester: pytest.Pytester) -> None:
    pytester.makefile(".yaml", scenario=TOY)
    pytester.makefile(".yaml", other="not: a scenario\n")
    pytester.makeini("[pytest]\ndealcheck_glob = scenario.yaml *.deal.yaml\n")
    pytester.runpytest().assert_outcomes(passed=4)
