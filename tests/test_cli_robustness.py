"""The CLI at its edges: ``dealcheck test`` exit codes and formats, stdin, a closed stdout pipe, colour controls."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from click.testing import CliRunner

from dealcheck.cli import cli

ROOT = Path(__file__).parent.parent
TOY = Path(__file__).parent / "data" / "toy.deal.yaml"
BAD = Path(__file__).parent / "bad"
ANSI = "\x1b["


def run_cli(*args: str, input: bytes | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(cli, list(args), input=input, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def failing_copy(tmp_path: Path) -> Path:
    path = tmp_path / "failing.yaml"
    path.write_text(
        TOY.read_text(encoding="utf-8").replace("{package: truce, deal: true}", "{package: full, deal: true}")
    )
    return path


# --- dealcheck test -------------------------------------------------------------------------------------------


def test_all_pass_exits_0() -> None:
    status, out, err = run_cli("test", str(TOY))
    assert status == 0, err
    assert out.splitlines()[-1] == "4 passed, 0 failed"
    assert out.splitlines()[0] == f"PASS {TOY}:20 truce: deal"


def test_a_failure_exits_1(tmp_path: Path) -> None:
    status, out, err = run_cli("test", str(failing_copy(tmp_path)))
    assert status == 1
    assert f"FAIL {tmp_path}/failing.yaml:20 full: deal: expected package full to be a deal" in out
    assert out.splitlines()[-1] == "3 passed, 1 failed"


def test_an_invalid_file_exits_2_and_the_others_still_run(tmp_path: Path) -> None:
    bad = BAD / "rule_unknown_term.yaml"
    status, out, err = run_cli("test", str(bad), str(TOY))
    assert status == 2
    assert f"{bad}:15:15: error[DC301]" in err
    assert out.splitlines()[-1] == "4 passed, 0 failed, 1 invalid file"
    assert f"ERROR {bad}: invalid scenario" in out


@pytest.mark.parametrize("what", ["missing", "directory_without_scenarios"])
def test_nothing_to_run(tmp_path: Path, what: str) -> None:
    path = tmp_path / "nowhere.yaml" if what == "missing" else tmp_path
    status, out, err = run_cli("test", str(path))
    assert status == 2
    assert "Traceback" not in err
    assert ("error[DC100]" in err) if what == "missing" else ("no expectations found" in err)


def test_directories_are_searched(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.yaml").write_text(TOY.read_text(encoding="utf-8"))
    failing_copy(tmp_path)
    (tmp_path / "plain.yaml").write_text("just: yaml\n")  # no expect: key: not a scenario to test
    status, out, err = run_cli("test", str(tmp_path))
    assert status == 1, err
    assert out.splitlines()[-1] == "7 passed, 1 failed"
    assert "plain.yaml" not in out + err


def test_json_and_junit_outputs(tmp_path: Path) -> None:
    failing = failing_copy(tmp_path)
    status, out, _ = run_cli("test", "--format", "json", str(TOY), str(failing))
    assert status == 1
    data = json.loads(out)
    assert data["schema"] == "dealcheck.test/1"
    assert data["summary"] == {"passed": 7, "failed": 1, "not_checked": 0, "invalid": 0, "exit_code": 1}
    report = tmp_path / "junit.xml"
    status, out, _ = run_cli("test", "--format", "junit", "-o", str(report), str(TOY), str(failing))
    assert status == 1 and out == ""
    root = ET.parse(report).getroot()
    assert (root.get("tests"), root.get("failures")) == ("8", "1")


def test_scenario_on_stdin() -> None:
    status, out, err = run_cli("test", "-", input=TOY.read_bytes())
    assert status == 0, err
    assert "PASS <stdin>:20 truce: deal" in out


def test_check_scenario_on_stdin() -> None:
    status, out, err = run_cli("-", "--format", "json", input=TOY.read_bytes())
    assert status == 1, err  # the toy's "full" package breaks a red line
    assert json.loads(out)["file"] == "<stdin>"


# --- real processes ------------------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("NO_COLOR", "TERM", "DEALCHECK_DEBUG")}
    env.update(extra)
    return env


@pytest.mark.parametrize("args", [["scenarios/example.yaml"], ["test", "scenarios/example.yaml", str(TOY)]])
def test_closed_stdout_pipe(args: list[str]) -> None:
    """``dealcheck FILE | head -1``: the reader goes away; no traceback, no noise on stderr."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "dealcheck", *args], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=_env()
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.readline()
    proc.stdout.close()  # what head does after its first line
    err = proc.stderr.read().decode("utf-8", "replace")
    proc.wait(timeout=120)
    assert "Traceback" not in err
    assert "Exception ignored" not in err
    assert "BrokenPipeError" not in err


def _run_on_a_terminal(args: list[str], env: dict[str, str]) -> str:
    """Run the CLI with stdout on a pseudo-terminal (so ``--color auto`` would colour) and return what it wrote."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen(
        [sys.executable, "-m", "dealcheck", *args], cwd=ROOT, stdout=follower, stderr=subprocess.PIPE, env=env
    )
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 60)
        if not ready:
            break
        try:
            data = os.read(leader, 65536)
        except OSError:  # EIO: the child closed the terminal
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(leader)
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.mark.parametrize(
    ("command", "env", "coloured"),
    [
        (["scenarios/example.yaml"], {"TERM": "xterm"}, True),
        (["scenarios/example.yaml"], {"TERM": "xterm", "NO_COLOR": "1"}, False),
        (["scenarios/example.yaml"], {"TERM": "dumb"}, False),
        (["test", str(TOY)], {"TERM": "xterm"}, True),
        (["test", str(TOY)], {"TERM": "xterm", "NO_COLOR": "1"}, False),
        (["test", str(TOY)], {"TERM": "dumb"}, False),
    ],
    ids=["check-tty", "check-NO_COLOR", "check-TERM=dumb", "test-tty", "test-NO_COLOR", "test-TERM=dumb"],
)
def test_colour_on_a_terminal_and_its_off_switches(command: list[str], env: dict[str, str], coloured: bool) -> None:
    out = _run_on_a_terminal(command, _env(**env))
    assert "passed" in out or "deal" in out.lower()  # the report really was written to the terminal
    assert (ANSI in out) is coloured
