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
"""

from __future__ import annotations

import contextlib
import os
import signal
import threading
import time
from collections.abc import Iterator
from typing import Any

__all__ = ["FORCE", "finish", "install", "interrupted", "stoppable"]

_active: set[Any] = set()
_lock = threading.Lock()
_interrupted = threading.Event()
_installed = False

#: Seconds after Ctrl-C within which the command must have ended by itself; then the process ends (exit 130).
FORCE = 3.0


def interrupted() -> bool:
    """Whether Ctrl-C has been pressed since :func:`install`."""
    return _interrupted.is_set()


@contextlib.contextmanager
def stoppable(solver: Any) -> Iterator[None]:
    """Around one ``solver.solve(...)``: Ctrl-C calls ``solver.stop_search()`` while it runs.

    >>> class Fake:
    ...     def stop_search(self): pass
    >>> with stoppable(Fake()):
    ...     pass
    """
    if _interrupted.is_set():
        raise KeyboardInterrupt
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
    threading.Thread(target=_watch, args=(read,), name="dealcheck-interrupt", daemon=True).start()


def finish() -> None:
    """The command has handled Ctrl-C and is writing what it settled: a second Ctrl-C now ends the process at once
    (default handling) instead of raising inside the report being written."""
    if _installed:  # only where install() took Ctrl-C over: never in a test runner or an embedding program
        with contextlib.suppress(ValueError):  # not the main thread
            signal.signal(signal.SIGINT, signal.SIG_DFL)


def _watch(fd: int) -> None:
    while True:
        try:
            data = os.read(fd, 64)
        except OSError:
            return
        if not data:
            return
        if signal.SIGINT in data:
            _interrupted.set()
            break
    # Keep stopping until the process ends: a solve that registered just after the first stop_search (before its
    # C++ search had started) would otherwise run to its end. If the main thread still has not ended FORCE seconds
    # later (stuck in C code that never returns to Python, or waiting on a thread that is), end the process: the
    # files dealcheck writes are renamed into place whole, so nothing is left half written.
    start = time.monotonic()
    while True:
        with _lock:
            solvers = list(_active)
        for solver in solvers:
            with contextlib.suppress(Exception):
                solver.stop_search()
        if time.monotonic() - start > FORCE:
            with contextlib.suppress(OSError):
                os.write(2, b"interrupted (Ctrl-C): the command stopped before its answer was complete\n")
            os._exit(130)
        time.sleep(0.05)
