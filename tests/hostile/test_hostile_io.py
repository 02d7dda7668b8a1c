"""The CLI in a hostile environment: output files, streams, signals (issue 15, items 2 and 3).

Everything that involves a process limit, a closed descriptor or a signal runs the real command in a subprocess
with a generous timeout; a hang fails the test instead of the suite.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every test runs dealcheck in a subprocess

TOY = Path(__file__).parent.parent / "data" / "toy.deal.yaml"
TIMEOUT = 60


def dealcheck(*args: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.CompletedProcess[bytes]:
    full_env = {**os.environ, "PYTHONIOENCODING": "utf-8", **(env or {})}
    full_env.pop("DEALCHECK_DEBUG", None)
    kw.setdefault("stdout", subprocess.PIPE)
    kw.setdefault("stderr", subprocess.PIPE)
    return subprocess.run(  # type: ignore[call-overload, no-any-return]
        [sys.executable, "-m", "dealcheck", *args], timeout=TIMEOUT, env=full_env, **kw
    )


def assert_clean(result: subprocess.CompletedProcess[bytes], *codes: int) -> str:
    err = result.stderr.decode("utf-8", "replace")
    assert result.returncode in codes, (result.returncode, err)
    assert "Traceback" not in err and "internal error" not in err, err
    return err


@pytest.fixture
def toy(tmp_path: Path) -> Path:
    path = tmp_path / "toy.yaml"
    shutil.copy(TOY, path)
    return path


# --- -o: atomic, never over an input ----------------------------------------------------------------------------


def test_a_size_limit_leaves_the_old_report_intact(toy: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.json"
    first = dealcheck("check", str(toy), "--format", "json", "-o", str(report))
    assert_clean(first, 0, 1)
    good = report.read_bytes()
    json.loads(good)

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (200, 200))

    second = dealcheck("check", str(toy), "--format", "json", "-o", str(report), preexec_fn=small_files)
    err = assert_clean(second, 2)
    assert "cannot write the report" in err and "file-size limit" in err
    assert report.read_bytes() == good
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.json", "toy.yaml"]  # no temporary file left


def test_dev_full_is_exit_2(toy: Path) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    err = assert_clean(dealcheck("check", str(toy), "-o", "/dev/full"), 2)
    assert "disk is full" in err


def test_dev_null_is_a_fine_target(toy: Path) -> None:
    assert_clean(dealcheck("check", str(toy), "-o", os.devnull), 0, 1)


@pytest.mark.parametrize(
    "name", ["", "/nonexistent/dir/x.json", "x" * 300, "sub/" + "y" * 300 + "/z"], ids=["empty", "nodir", "300", "deep"]
)
def test_unwritable_names_are_exit_2(toy: Path, tmp_path: Path, name: str) -> None:
    err = assert_clean(dealcheck("check", str(toy), "-o", name, cwd=tmp_path), 2)
    assert err.strip()


def test_writing_over_the_scenario_is_refused(toy: Path) -> None:
    before = toy.read_bytes()
    err = assert_clean(dealcheck("check", str(toy), "-o", str(toy)), 2)
    assert "input of this command" in err
    assert toy.read_bytes() == before
    link = toy.parent / "link.yaml"
    link.symlink_to(toy)
    assert_clean(dealcheck("check", str(link), "-o", str(toy)), 2)
    assert_clean(dealcheck("test", str(toy.parent), "-o", str(toy)), 2)
    assert toy.read_bytes() == before


def test_read_only_targets_are_exit_2(toy: Path, tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes anywhere")
    folder = tmp_path / "ro"
    folder.mkdir()
    old = folder / "r.txt"
    old.write_text("old\n")
    folder.chmod(0o555)
    try:
        err = assert_clean(dealcheck("check", str(toy), "-o", str(old)), 2)
        assert "cannot write the report" in err
        assert old.read_text() == "old\n"
    finally:
        folder.chmod(0o755)


def test_an_existing_report_keeps_its_permissions_and_symlinks_stay(toy: Path, tmp_path: Path) -> None:
    target = tmp_path / "r.txt"
    target.write_text("old\n")
    target.chmod(0o640)
    link = tmp_path / "latest.txt"
    link.symlink_to(target)
    assert_clean(dealcheck("check", str(toy), "-o", str(link)), 0, 1)
    assert link.is_symlink() and "package" in target.read_text()
    assert stat.S_IMODE(target.stat().st_mode) == 0o640


# --- streams --------------------------------------------------------------------------------------------------------


def test_a_fifo_is_refused_not_read(tmp_path: Path) -> None:
    fifo = tmp_path / "x.yaml"
    os.mkfifo(fifo)
    err = assert_clean(dealcheck("validate", str(fifo)), 2)
    assert "DC100" in err and "FIFO" in err
    shutil.copy(TOY, tmp_path / "toy.yaml")
    err = assert_clean(dealcheck("test", str(tmp_path)), 2)  # the FIFO is reported, the other file still runs
    assert "FIFO" in err


def test_a_device_is_refused() -> None:
    err = assert_clean(dealcheck("validate", "/dev/zero"), 2)
    assert "character device" in err


def test_endless_stdin_is_read_only_up_to_the_limit() -> None:
    with open("/dev/zero", "rb") as zero:
        start = time.monotonic()
        err = assert_clean(dealcheck("validate", "-", stdin=zero), 2)
    assert "DC501" in err
    assert time.monotonic() - start < TIMEOUT


def _closing(fd: int):  # type: ignore[no-untyped-def]
    return lambda: os.close(fd)


def test_closed_stdout_is_exit_2_with_a_message(toy: Path, tmp_path: Path) -> None:
    result = dealcheck("check", str(toy), preexec_fn=_closing(1))
    err = assert_clean(result, 2)
    assert "standard output is closed" in err
    out = tmp_path / "r.txt"
    assert_clean(dealcheck("check", str(toy), "-o", str(out), preexec_fn=_closing(1)), 0, 1)
    assert "package" in out.read_text()


def test_closed_stdin_is_exit_2_with_a_message() -> None:
    err = assert_clean(dealcheck("validate", "-", preexec_fn=_closing(0)), 2)
    assert "standard input is closed" in err


def test_closed_stderr_keeps_the_exit_code(toy: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "dealcheck", "validate", "/nonexistent.yaml"],
        stdout=subprocess.PIPE,
        preexec_fn=_closing(2),
        timeout=TIMEOUT,
    )
    assert result.returncode == 2


@pytest.mark.parametrize(
    "env",
    [{"PYTHONIOENCODING": "ascii"}, {"LC_ALL": "C", "PYTHONUTF8": "0", "PYTHONIOENCODING": ""}],
    ids=["ascii", "C"],
)
def test_non_utf8_terminals_get_escapes(tmp_path: Path, env: dict[str, str]) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(TOY.read_text(encoding="utf-8").replace("title: ", "title: Énergie – ", 1), encoding="utf-8")
    result = dealcheck("check", str(path), env=env)
    assert_clean(result, 0, 1)
    assert b"nergie" in result.stdout
    bad = dealcheck("validate", str(tmp_path / "ÿ.yaml"), env=env)
    assert_clean(bad, 2)


def test_validate_json_carries_its_diagnostics(tmp_path: Path) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text("dealcheck: 1\ntitle: [x\n")
    result = dealcheck("validate", "--format", "json", str(path))
    assert_clean(result, 2)
    data = json.loads(result.stdout)
    assert data["valid"] is False and data["diagnostics"][0]["code"] == "DC101"


def test_a_nul_byte_is_not_echoed(tmp_path: Path) -> None:
    path = tmp_path / "nul.yaml"
    path.write_bytes(b"dealcheck: 1\ntitle: a\x00b\n")
    result = dealcheck("validate", str(path))
    assert_clean(result, 2)
    assert b"\x00" not in result.stderr and b"a\\x00b" in result.stderr


# --- signals --------------------------------------------------------------------------------------------------------


def _pigeonhole(path: Path, n: int = 13) -> None:
    """n pigeons in n-1 holes: CP-SAT needs far longer than any test to prove there is no deal."""
    lines = ["dealcheck: 1", "title: pigeons", "terms:"]
    lines += [f"  p{i}: {{range: [1, {n - 1}]}}" for i in range(n)]
    lines += ["parties:", "  a:", "    red_lines:"]
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    lines += [f"      r{k}: {{rule: p{i} != p{j}, assumption: x}}" for k, (i, j) in enumerate(pairs)]
    path.write_text("\n".join(lines) + "\n")


def _ctrl_c_default() -> None:
    # A test run started in the background (``cmd &``, nohup) inherits SIGINT ignored, and a Python started with
    # SIGINT ignored keeps ignoring it, as it should: give the child the default a terminal user has.
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _busy(proc: subprocess.Popen[bytes], cpu_seconds: float = 2.0, wait: float = 40.0) -> None:
    """Wait until ``proc`` has used ``cpu_seconds`` of CPU (well past start-up, into the solve), however loaded the
    machine is: Ctrl-C during Python's own start-up is Python's business, not dealcheck's."""
    ticks = os.sysconf("SC_CLK_TCK")
    end = time.monotonic() + wait
    while time.monotonic() < end and proc.poll() is None:
        try:
            fields = Path(f"/proc/{proc.pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            time.sleep(1.0)
            break
        if (int(fields[11]) + int(fields[12])) / ticks >= cpu_seconds:
            return
        time.sleep(0.1)


def test_ctrl_c_stops_a_cp_sat_solve_at_once(tmp_path: Path) -> None:
    path = tmp_path / "pigeons.yaml"
    _pigeonhole(path)
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    proc = subprocess.Popen(
        [sys.executable, "-m", "dealcheck", "explore", str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
        preexec_fn=_ctrl_c_default,
    )
    try:
        _busy(proc)  # start-up, loading, and well into the solve
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)  # a swallowed Ctrl-C would run into this timeout
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert b"interrupted" in err and b"Traceback" not in err and b"Aborted" not in err


def test_a_closed_pipe_exits_quietly(toy: Path) -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "dealcheck", "check", str(toy), "--format", "json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # the reader goes away before the report is written
    err = proc.stderr.read()
    proc.wait(timeout=TIMEOUT)
    assert b"Traceback" not in err and b"Exception ignored" not in err, err


def test_ctrl_c_during_test_reports_the_files_that_finished(tmp_path: Path) -> None:
    shutil.copy(TOY, tmp_path / "a_toy.yaml")
    _pigeonhole(tmp_path / "b_pigeons.yaml")
    with open(tmp_path / "b_pigeons.yaml", "a") as f:
        f.write("expect:\n  - {deals: 0}\n")
    proc = subprocess.Popen(
        [sys.executable, "-m", "dealcheck", "test", str(tmp_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONIOENCODING": "utf-8"},
        preexec_fn=_ctrl_c_default,
    )
    try:
        _busy(proc, cpu_seconds=2.5)
        assert proc.poll() is None, proc.communicate()
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 130, err
    assert b"4 passed, 0 failed" in out and b"1 of 2 files" in err and b"Traceback" not in err


def test_a_size_limit_during_a_batch_check_is_exit_2(toy: Path, tmp_path: Path) -> None:
    offers = tmp_path / "offers.csv"
    offers.write_text("id,ceasefire,nato\n" + "".join(f"r{i},energy,neutral\n" for i in range(5000)))
    verdicts = tmp_path / "verdicts.csv"
    verdicts.write_text("old\n")

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (2000, 2000))

    result = dealcheck("check", str(toy), "--packages", str(offers), "-o", str(verdicts), preexec_fn=small_files)
    err = assert_clean(result, 2)
    assert "file-size limit" in err
    assert verdicts.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["offers.csv", "toy.yaml", "verdicts.csv"]


@pytest.mark.parametrize("env", [{"TERM": "dumb"}, {"NO_COLOR": "1"}])
def test_no_progress_line_on_dumb_terminals(monkeypatch: pytest.MonkeyPatch, env: dict[str, str]) -> None:
    import io

    from dealcheck.progress import Progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    stream = Tty()
    with Progress("dealcheck explore", stream=stream, delay=0.0, interval=0.01) as progress:
        progress("counting")
        time.sleep(0.1)
    assert stream.getvalue() == "" and not progress.shown
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    shown = Tty()
    with Progress("dealcheck explore", stream=shown, delay=0.0, interval=0.01) as progress:
        progress("counting")
        time.sleep(0.1)
    assert "\x1b[K" in shown.getvalue()  # a real terminal still gets it
