"""Issue 9 item 3: integer ranges of any width CP-SAT holds (bounds up to 2**62 - 1), counted as intervals; what
visits every value refuses a wide term with a usage error naming what to use instead."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.cli import cli
from dealcheck.loader import load_scenario_text
from dealcheck.testing import strategies

WIDE = """\
dealcheck: 1
title: wide salary
terms:
  salary: {range: [0, 1000000000000]}
  bonus: bool
parties:
  employer:
    red_lines:
      cap: {rule: salary <= 160000, assumption: x}
  candidate:
    red_lines:
      floor: {rule: salary >= 110000, assumption: x}
    demands:
      high: {rule: salary >= 140000 and bonus, assumption: x}
packages:
  open_salary:
    terms: {bonus: true}
  low:
    terms: {salary: 100, bonus: true}
"""


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args))
    return result.exit_code, result.output


@pytest.fixture
def wide(tmp_path: Path) -> str:
    path = tmp_path / "wide.yaml"
    path.write_text(WIDE)
    return str(path)


def test_a_range_of_10_to_the_12_values_loads_checks_and_explores(wide: str) -> None:
    code, out = run("check", wide)
    assert code == 1, out  # the package "low" breaks the floor
    assert "salary=100, bonus=true" in out
    code, out = run("explore", wide, "--format", "json", "--top", "1", "--pareto-limit", "1")
    assert code == 0, out
    assert '"count": 100002' in out


@pytest.mark.parametrize(
    ("args", "what"),
    [
        (("explore", "--backend", "constraint"), "the constraint backend (python-constraint2)"),
        (("explore", "--backend", "brute"), "the brute backend"),
        (("conflicts", "--backend", "constraint"), "the constraint backend (python-constraint2)"),
        (("check", "--backend", "brute"), "the brute backend"),
        (("explain",), "explain"),
    ],
)
def test_what_visits_every_value_refuses_a_wide_term(wide: str, args: tuple[str, ...], what: str) -> None:
    code, out = run(args[0], wide, *args[1:])
    assert code == 2, out
    assert f"1,000,000,000,001 values and {what} visits every value (at most 1,000,000)" in out
    assert "hint:" in out and ("--backend cpsat" in out or "dealcheck explore" in out)


def test_a_utility_over_a_wide_term_is_a_load_error(tmp_path: Path) -> None:
    text = WIDE.replace(
        "    demands:\n      high: {rule: salary >= 140000 and bonus, assumption: x}\n",
        "    utility:\n      weights: {salary: 1}\n      values: {salary: {ordered: linear}}\n",
    )
    path = tmp_path / "u.yaml"
    path.write_text(text)
    code, out = run("validate", str(path))
    assert code == 2 and "DC505" in out and "a utility gives each value a demand" in out, out


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_strategies_draw_from_a_wide_range_without_a_list(data: st.DataObject) -> None:
    scenario = load_scenario_text(WIDE)
    codes = data.draw(strategies.codes(scenario))
    assert 0 <= codes[0] <= 10**12 and codes[1] in (0, 1)
    deal = data.draw(strategies.deals(scenario))
    assert 110000 <= deal["salary"] <= 160000


BIG = """\
dealcheck: 1
title: big
terms:
  x: {range: [0, 2305843009213693951]}
  y: {range: [0, 2305843009213693951]}
parties:
  a:
    red_lines:
      order: {rule: x > y, assumption: x}
    demands:
      big: {rule: x >= 2305843009213693000, assumption: x}
packages:
  top: {terms: {x: 2305843009213693951, y: 5}}
"""


def test_values_and_thresholds_up_to_what_the_solver_holds(tmp_path: Path) -> None:
    """Two ranges of 2**61 values (2**62 together: all CP-SAT holds), a rule literal and a package value near the
    top: loaded, checked, and counted exactly by CP-SAT's side and the linear count alike."""
    path = tmp_path / "big.yaml"
    path.write_text(BIG)
    code, out = run("check", str(path))
    assert code == 0, out
    code, out = run("explore", str(path), "--format", "json", "--top", "1", "--pareto-limit", "1")
    assert code == 0, out
    n = 2**61
    assert f'"count": {n * (n - 1) // 2}' in out
    code, out = run("validate", str(path))
    assert code == 0
    path.write_text(BIG.replace("x: {range: [0, 2305843009213693951]}", "x: {range: [0, 2305843009213693952]}"))
    code, out = run("validate", str(path))
    assert code == 2 and "DC505" in out and "2**62 in all" in out, out


def test_batch_checks_read_a_wide_range_by_its_ends(tmp_path: Path, wide: str) -> None:
    """check --packages and check_many on a 10**12 range (min() of the range iterated it: a hang)."""
    packages = tmp_path / "p.csv"
    packages.write_text("id,salary,bonus\na,120000,true\nb,5,false\nc,999999999999,true\n")
    out_file = tmp_path / "v.csv"
    code, out = run("check", wide, "--packages", str(packages), "-o", str(out_file))
    assert code == 1, out  # b and c break a red line
    assert out_file.read_text().count("\n") == 4
    scenario = load_scenario_text(WIDE)
    verdict = scenario.check_many({"salary": [120000, 5, 10**12], "bonus": [True, False, True]})
    assert list(verdict.deal) == [True, False, False]


def test_report_refuses_a_wide_term_naming_itself(wide: str, tmp_path: Path) -> None:
    code, out = run("report", wide, "-o", str(tmp_path / "r.html"))
    assert code == 2 and "the report (its explanations go value by value)" in out, out
