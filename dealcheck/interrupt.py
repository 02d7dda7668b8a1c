"""Ctrl-C that stops a CP-SAT solve at once.

CP-SAT runs in C++ with the GIL released, so Python's SIGINT handler cannot run until the solve returns, and by
default CP-SAT installs its own handler that turns Ctrl-C into "time limit reached" (one Ctrl-C per solve, ending as
UNKNOWN). dealcheck turns CP-SAT's handler off (``catch_sigint_signal = False``) and, in the command-line tool only,
:func:`install` points Python's signal wakeup file descriptor at a pipe read by a watcher thread: the C-level handler
writes to it even while C++ runs, the watcher asks every solver registered with :func:`stoppable` to stop, the solve
returns, and Python's own handler raises ``KeyboardInterrupt`` in the main thread. The CLI turns that into exit 130.

Rejected: running each solve in a worker thread and waiting for it in the main thread (a thread per solve, and every
caller of the solver would change); checking a flag in solution callbacks (CP-SAT calls them only on solutions, and
a hard instance may find none for minutes).

A library user who never calls :func:`install` keeps Python's default behaviour: ``KeyboardInterrupt`` once the
current solve returns.

The soft stop. Inside :func:`soft` (the analysis commands), the first Ctrl-C raises nothing: it only sets
:func:`interrupted`, which every :class:`~dealcheck.solver.base.Deadline` (and the counting planner's budget, the
sweep's block loop) reads as "expired". Each backend and enumeration then reports itself *stopped* (``UNKNOWN``, an
incomplete listing, an inexact count: never "no solution" nor "every solution"), the analysis returns the partial
answer it would return at a time limit, and the CLI prints it labelled "interrupted" and exits 130. A second Ctrl-C
ends the process at once, and so does the :data:`FORCE` safety net if the command has not ended by then. Outside
:func:`soft` (``test``, which reports file by file, and the commands that only read files) Ctrl-C raises
``KeyboardInterrupt`` as before.
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["FORCE", "finish", "install", "interrupted", "possible", "simulate", "soft", "stoppable", "stopped_by"]

_active: set[Any] = set()
_lock = threading.Lock()
_interrupted = threading.Event()
_installed = False
_soft = threading.Event()
#: Set by :func:`simulate` (tests): an interrupt may come although :func:`install` was not called.
_simulated = False

#: Seconds after Ctrl-C within which the command must have ended by itself; then the process ends (exit 130).
FORCE = 3.0


def interrupted() -> bool:
    """Whether Ctrl-C has been pressed since :func:`install`."""
    return _interrupted.is_set()


def possible() -> bool:
    """Whether an interrupt can come at all (the CLI installed the watcher, or a test simulates one): loops that
    look at the clock only under a time limit look at this flag too when it is ``True``."""
    return _installed or _simulated


def stopped_by(article: str = "the") -> str:
    """What stopped an answer, in words: ``"Ctrl-C"`` once interrupted, else ``"the time limit"`` (``article``
    ``"a"``: ``"a time limit"``; ``""``: ``"time limit"``). Reports say it where they say what a limit stopped.

    >>> stopped_by(), stopped_by("")
    ('the time limit', 'time limit')
    """
    if _interrupted.is_set():
        return "Ctrl-C"
    return f"{article} time limit".strip()


@contextlib.contextmanager
def soft() -> Iterator[None]:
    """Within this block (main thread, the CLI's analysis commands), the first Ctrl-C raises nothing: it sets
    :func:`interrupted`, so that every deadline expires and the command ends with its partial answer."""
    _soft.set()
    try:
        yield
    finally:
        _soft.clear()


@contextlib.contextmanager
def simulate() -> Iterator[None]:
    """Tests: within this block, :func:`possible` is true and :func:`trigger` acts as a first Ctrl-C in soft mode
    would (no signal is sent); the state is reset at the end.

    >>> with simulate():
    ...     trigger()
    ...     interrupted()
    True
    >>> interrupted()
    False
    """
    global _simulated
    _simulated = True
    try:
        yield
    finally:
        _simulated = False
        _interrupted.clear()


def trigger() -> None:
    """Act as the first Ctrl-C of a soft stop: the flag is set and every running solver is asked to stop."""
    _interrupted.set()
    _stop_all()


def _stop_all() -> None:
    with _lock:
        solvers = list(_active)
    for solver in solvers:
        with contextlib.suppress(Exception):
            solver.stop_search()


@contextlib.contextmanager
def stoppable(solver: Any) -> Iterator[None]:
    """Around one ``solver.solve(...)``: Ctrl-C calls ``solver.stop_search()`` while it runs. Once interrupted,
    a new solve gets no time at all (soft stop: it answers "unknown") or raises ``KeyboardInterrupt`` (hard stop).

    >>> class Fake:
    ...     def stop_search(self): pass
    >>> with stoppable(Fake()):
    ...     pass
    """
    if _interrupted.is_set():
        if not (_soft.is_set() or _simulated):
            raise KeyboardInterrupt
        # stop_search() before the solve starts does nothing in CP-SAT: a zero time limit stops it at once.
        with contextlib.suppress(Exception):
            solver.parameters.max_time_in_seconds = 0.0
    with _lock:
        _active.add(solver)
    try:
        yield
    finally:
        with _lock:
            _active.discard(solver)


def install() -> None:
    """Route SIGINT to the watcher too (main thread only; once per process). Called by the CLI's ``main``."""
    global _installed
    if _installed or threading.current_thread() is not threading.main_thread():
        return
    if signal.getsignal(signal.SIGINT) is not signal.default_int_handler:
        return  # someone else (a test runner, an embedding program) owns Ctrl-C
    read, write = os.pipe()
    os.set_blocking(write, False)
    try:
        signal.set_wakeup_fd(write, warn_on_full_buffer=False)
    except ValueError:
        os.close(read)
        os.close(write)
        return
    _installed = True
    signal.signal(signal.SIGINT, _on_sigint)
    threading.Thread(target=_watch, args=(read,), name="dealcheck-interrupt", daemon=True).start()


def finish() -> None:
    """The command has handled Ctrl-C and is writing what it settled: a second Ctrl-C now ends the process at once
    (default handling) instead of raising inside the report being written."""
    if _installed:  # only where install() took Ctrl-C over: never in a test runner or an embedding program
        with contextlib.suppress(ValueError):  # not the main thread
            signal.signal(signal.SIGINT, signal.SIG_DFL)


def _on_sigint(signum: int, frame: Any) -> None:
    """Python's handler (main thread): in soft mode the first Ctrl-C only sets the flag (the watcher stops the
    solvers); otherwise it raises ``KeyboardInterrupt`` as Python's default handler does."""
    if _soft.is_set():
        _interrupted.set()
        return
    raise KeyboardInterrupt


def _give_up() -> None:
    with contextlib.suppress(OSError):
        os.write(2, b"interrupted (Ctrl-C): the command stopped before its answer was complete\n")
    os._exit(130)


def _watch(fd: int) -> None:
    import select

    signals = 0
    start = None
    while True:
        # Before Ctrl-C: wait for it. After: keep stopping solvers until the process ends (a solve that registered
        # just after the first stop_search, before its C++ search had started, would otherwise run to its end). A
        # second Ctrl-C, or the main thread still running FORCE seconds after the first (stuck in C code that never
        # returns to Python, or waiting on a thread that is), ends the process: the files dealcheck writes are
        # renamed into place whole, so nothing is left half written.
        ready = select.select([fd], [], [], None if start is None else 0.05)[0]
        if ready:
            try:
                data = os.read(fd, 64)
            except OSError:
                return
            if not data:
                return
            signals += data.count(signal.SIGINT)
            if signals and start is None:
                _interrupted.set()
                start = time.monotonic()
            if signals > 1:
                _give_up()
        if start is not None:
            _stop_all()
            if time.monotonic() - start > FORCE:
                _give_up()
