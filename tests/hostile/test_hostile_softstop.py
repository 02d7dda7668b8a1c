"""Ctrl-C as a soft stop (issue 15, the item session 2 left): every backend and enumeration says "stopped", never
"none" or "every one", and the analysis commands print the partial answer they have, labelled, exit 130.

In-process tests simulate the first Ctrl-C (:func:`dealcheck.interrupt.simulate`, :func:`~dealcheck.interrupt.trigger`):
no signal, the same flag. The subprocess tests send a real SIGINT once the child has used some CPU time (robust on a
loaded machine) and are marked slow.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_limits import mycielski

from dealcheck import interrupt
from dealcheck.cli import cli
from dealcheck.loader import load_scenario_file
from dealcheck.rules.ir import CmpOp, Compare, Var
from dealcheck.solver import brute, cpsat, planner, pyconstraint
from dealcheck.solver.base import BACKENDS, Constraints, Deadline, SolveStatus
from dealcheck.solver.session import open_session

TOY = Path(__file__).parent.parent / "data" / "toy.deal.yaml"
TIMEOUT = 90


@pytest.fixture
def stopped() -> Iterator[None]:
    """The first Ctrl-C of a soft stop has come (simulated), for the whole test."""
    with interrupt.simulate():
        interrupt.trigger()
        yield


# A problem with many solutions and enough work that a backend looks at the clock (every few thousand checks).
_WIDE = Constraints((range(40), range(40), range(40)), (Compare(CmpOp.LE, Var(0), Var(1)),))
# No solution (10 pigeons, 9 holes), and no backend proves it at once: an early stop must never read as "none".
_NONE = Constraints(
    tuple(range(9) for _ in range(10)),
    tuple(Compare(CmpOp.NE, Var(i), Var(j)) for i in range(10) for j in range(i + 1, 10)),
)


@pytest.mark.parametrize("module", [brute, pyconstraint, cpsat], ids=BACKENDS[::-1])
def test_each_backend_reports_stopped_after_ctrl_c(module: object, stopped: None) -> None:
    assert module.find_solution(_NONE).status is SolveStatus.UNKNOWN  # type: ignore[attr-defined]
    assert module.count_solutions(_WIDE).exact is False  # type: ignore[attr-defined]
    listing = module.iterate_solutions(_WIDE)  # type: ignore[attr-defined]
    assert len(list(listing)) < 40 * 40 * 41 // 2 * 40 and listing.complete is False


@pytest.mark.parametrize("module", [brute, pyconstraint], ids=["brute", "constraint"])
def test_a_listing_interrupted_midway_is_not_complete(module: object) -> None:
    """The bug that made explore print "NO DEAL: 0 deals": python-constraint2 without a time limit never looked at
    the clock, so its listing simply ended and read as exhaustion."""
    with interrupt.simulate():
        listing = module.iterate_solutions(_WIDE)  # type: ignore[attr-defined]
        next(listing)
        interrupt.trigger()
        rest = list(listing)
    assert listing.complete is False and len(rest) < 40 * 40 * 41 // 2 * 40 - 1


def test_a_listing_that_runs_dry_says_complete() -> None:
    for module in (brute, pyconstraint, cpsat):
        listing = module.iterate_solutions(Constraints((range(3), range(3)), (Compare(CmpOp.LT, Var(0), Var(1)),)))
        assert len(list(listing)) == 3 and listing.complete is True


@pytest.mark.parametrize("backend", BACKENDS)
def test_every_session_answer_is_unknown_after_ctrl_c(backend: str, stopped: None) -> None:
    session = open_session(backend, _WIDE, Deadline(None))  # no time limit: Ctrl-C still expires it
    assert session.find().status is SolveStatus.UNKNOWN
    assert session.lexmin().status is SolveStatus.UNKNOWN
    assert session.maximise(Var(0)).status is SolveStatus.UNKNOWN
    assert session.count().exact is False
    listing = session.solutions()
    list(listing)
    assert listing.complete is False


def test_the_counting_planner_gives_bounds_not_a_count(stopped: None) -> None:
    result = planner.count(_NONE.domains, _NONE.constraints, {}, budget=planner.Budget())
    assert not result.exact and result.low == 0 and result.high > 0
    assert Deadline(None).expired() and Deadline(None).remaining() == 0.0 and Deadline(None).stopped_by() == "Ctrl-C"


def test_without_ctrl_c_nothing_changes() -> None:
    assert not Deadline(None).expired() and Deadline(None).remaining() is None
    assert interrupt.stopped_by() == "the time limit" and not interrupt.possible()
    assert planner.count(_WIDE.domains, _WIDE.constraints, {}, budget=planner.Budget()).exact


def test_conflicts_and_explain_loops_stop_with_what_they_verified(stopped: None) -> None:
    from dealcheck.analysis.conflicts import find_conflicts
    from dealcheck.analysis.explain import explain

    scenario = load_scenario_file(str(TOY))
    report = find_conflicts(scenario)
    assert report.deal_exists is None and report.timed_out and report.exit_code == 4
    reasons = explain(scenario)
    assert reasons.timed_out and not reasons.complete


@pytest.mark.parametrize("engine", ["table", "solve"])
def test_sweep_stops_between_blocks_and_draws(engine: str, stopped: None, tmp_path: Path) -> None:
    from dealcheck.analysis.sweep import sweep

    path = tmp_path / "unsure.yaml"
    path.write_text(
        TOY.read_text().replace(
            'no_full: {rule: ceasefire != "full", assumption: toy example}',
            'no_full: {rule: ceasefire != "full", assumption: toy example, confidence: 0.5, confidence_reason: toy}',
        )
    )
    report = sweep(load_scenario_file(str(path)), samples=5000, engine=engine)
    assert report.stopped and report.samples_done < 5000


# --- the commands, in process ----------------------------------------------------------------------------------


def _run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    return result.exit_code, result.output


@pytest.mark.parametrize("backend", BACKENDS)
def test_explore_after_ctrl_c_is_partial_and_honest(backend: str, stopped: None) -> None:
    code, out = _run("explore", str(TOY), "--backend", backend, "--format", "json")
    assert code == 130
    data = json.loads(out[: out.rindex("}") + 1])
    assert data["interrupted"]["by"] == "Ctrl-C" and data["exit_code"] == 130
    assert data["deals"]["exact"] is False  # never "0 deals" (nor 1) as a settled count
    assert all(t["excluded"] in (None, []) for t in data["terms"])  # no option is said to be in no deal
    assert not data["terms_complete"] and not data["best_complete"]


@pytest.mark.parametrize("fmt", ["text", "markdown"])
def test_explore_text_and_markdown_say_interrupted_never_no_deal(fmt: str, stopped: None) -> None:
    code, out = _run("explore", str(TOY), "--format", fmt)
    assert code == 130
    first = out.splitlines()[0]
    assert "Interrupted (Ctrl-C)" in first or "INTERRUPTED (Ctrl-C)" in first
    assert "NO DEAL" not in out and "in no deal" not in out and "never:" not in out  # nothing unexplored excluded
    assert "Ctrl-C stopped" in out and "time limit" not in out
    if fmt == "markdown":
        assert "| ceasefire | none found | - |" in out  # never "none" alone: ceasefire has an option called none


def test_conflicts_and_repair_after_ctrl_c(stopped: None) -> None:
    code, out = _run("conflicts", str(TOY))
    assert code == 130 and out.startswith("INTERRUPTED (Ctrl-C)")
    assert "UNKNOWN: Ctrl-C stopped the solver" in out and "NO DEAL" not in out
    code, out = _run("repair", str(TOY), "-p", "full", "--format", "json")
    data = json.loads(out[: out.rindex("}") + 1])
    assert code == 130 and data["interrupted"] and data["complete"] is False


def test_check_after_ctrl_c_claims_no_rejection_it_did_not_prove(stopped: None) -> None:
    code, out = _run("check", str(TOY), "-p", "open_nato")
    assert code == 130 and out.startswith("INTERRUPTED (Ctrl-C)")
    assert "UNKNOWN: Ctrl-C stopped the search for a deal completion" in out
    assert "REJECTS" not in out and "every completion breaks" not in out


def test_commands_without_ctrl_c_are_unlabelled() -> None:
    code, out = _run("explore", str(TOY), "--format", "json")
    assert code == 0 and "interrupted" not in json.loads(out)


# --- real signals, in a subprocess ------------------------------------------------------------------------------


def _pigeonhole(path: Path, n: int = 13) -> None:
    """n pigeons in n-1 holes: no backend proves there is no deal within any test's time."""
    lines = ["dealcheck: 1", "title: pigeons", "terms:"]
    lines += [f"  p{i}: {{range: [1, {n - 1}]}}" for i in range(n)]
    lines += ["parties:", "  a:", "    red_lines:"]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    lines += [f"      r{k}: {{rule: p{i} != p{j}, assumption: x}}" for k, (i, j) in enumerate(pairs)]
    path.write_text("\n".join(lines) + "\n")


def _sigint_default() -> None:
    # A backgrounded test run inherits SIGINT ignored; a terminal user's dealcheck has the default.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _interrupt(args: list[str], cpu: float = 2.0, signals: int = 1) -> tuple[int, str, str, float]:
    """Run ``args``, send SIGINT once the child has used ``cpu`` s of CPU (start-up and loading are over, however
    loaded the machine), ``signals`` times; the exit code, stdout, stderr and the seconds from the first signal."""
    proc = subprocess.Popen(
        args,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONIOENCODING": "utf-8", "DEALCHECK_DEBUG": ""},
        preexec_fn=_sigint_default,
    )
    try:
        end = time.monotonic() + TIMEOUT
        while time.monotonic() < end and proc.poll() is None and _cpu_seconds(proc.pid) < cpu:
            time.sleep(0.1)
        assert proc.poll() is None, proc.communicate()
        start = time.monotonic()
        for _ in range(signals):
            proc.send_signal(signal.SIGINT)
            time.sleep(0.05)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    return proc.returncode, out.decode(), err.decode(), time.monotonic() - start


def _dealcheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "dealcheck", *args]


@pytest.mark.slow
def test_ctrl_c_during_explore_prints_an_honest_partial_answer(tmp_path: Path) -> None:
    """python-constraint2 lists the deals (no time limit): session 2's soft stop printed "NO DEAL: 0 deals" here."""
    path = tmp_path / "pigeons.yaml"
    _pigeonhole(path)
    code, out, err, _ = _interrupt(_dealcheck("explore", str(path), "--backend", "constraint"))
    assert code == 130, err
    assert out.startswith("INTERRUPTED (Ctrl-C)") and "Traceback" not in err
    assert "NO DEAL" not in out and "UNDECIDED: at least 0 deals among" in out
    assert "Ctrl-C stopped" in out and "(incomplete" in out
    assert "interrupted (Ctrl-C): the answer above is partial" in err


@pytest.mark.slow
def test_ctrl_c_during_conflicts_json(tmp_path: Path) -> None:
    path = tmp_path / "pigeons.yaml"
    _pigeonhole(path)
    code, out, err, _ = _interrupt(_dealcheck("conflicts", str(path), "--format", "json"))
    assert code == 130, err
    data = json.loads(out)
    assert data["interrupted"]["by"] == "Ctrl-C" and data["deal_exists"] is None
    assert data["conflicts"]["complete"] is False and data["exit_code"] == 130


@pytest.mark.slow
def test_ctrl_c_during_repair_markdown(tmp_path: Path) -> None:
    path = tmp_path / "mycielski.yaml"
    path.write_text(mycielski())  # no deal, and CP-SAT does not prove it in a test's time (see test_limits)
    code, out, err, _ = _interrupt(_dealcheck("repair", str(path), "--set", "t0=1", "--format", "markdown"))
    assert code == 130, err
    assert out.startswith("> **Interrupted (Ctrl-C):**") and "Ctrl-C stopped the search after 0 of" in out


_STUCK = textwrap.dedent(
    """
    import sys, time
    from dealcheck import interrupt
    interrupt.install()
    with interrupt.soft():
        while True:  # Python code that never looks at the flag: only the safety net or a second Ctrl-C ends it
            sum(range(10_000))
    """
)


@pytest.mark.slow
@pytest.mark.parametrize("signals", [1, 2])
def test_a_second_ctrl_c_or_the_safety_net_ends_the_process(signals: int) -> None:
    code, _, err, seconds = _interrupt([sys.executable, "-c", _STUCK], cpu=0.5, signals=signals)
    assert code == 130 and "interrupted (Ctrl-C)" in err
    if signals == 2:
        assert seconds < interrupt.FORCE  # at once, not after the safety net
    else:
        assert seconds >= interrupt.FORCE * 0.9
