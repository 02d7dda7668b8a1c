"""A progress line on stderr for solves that take a while: shown only after a second, only on a terminal
(not with ``TERM=dumb`` or ``NO_COLOR``).

In: status strings from an analysis (``progress("Pareto point 3")``). Out: one self-erasing line on stderr,
``dealcheck explore: Pareto point 3 (2s)``, redrawn a few times a second and cleared when the work ends, so
piped or redirected output, CI logs and quick answers never see it.

Rejected: printing from the analyses themselves (they are library code; a caller decides what is shown) and a
progress bar (most solves cannot say how far along they are, only what they are doing).
"""

from __future__ import annotations

import os
import sys
import threading
import time
from types import TracebackType
from typing import TextIO

__all__ = ["Progress"]


class Progress:
    """Call it with a status; use it as a context manager around the work.

    >>> import io
    >>> with Progress("dealcheck explore", stream=io.StringIO()) as progress:
    ...     progress("counting deals")  # not a terminal: nothing is ever written
    >>> progress.shown
    False
    """

    def __init__(self, label: str, *, stream: TextIO | None = None, delay: float = 1.0, interval: float = 0.2) -> None:
        self.label = label
        # stderr's own stream: the CLI's stderr makes control characters visible (dealcheck.cli_io.InertWriter)
        self.stream = stream if stream is not None else getattr(sys.stderr, "unescaped", sys.stderr)
        self.delay = delay
        self.interval = interval
        self.status = ""
        self.shown = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._start = 0.0

    def __call__(self, status: str) -> None:
        self.status = status

    def __enter__(self) -> Progress:
        self._start = time.monotonic()
        if _is_terminal(self.stream):
            self._thread = threading.Thread(target=self._run, name="dealcheck-progress", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None, tb: TracebackType | None) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.shown:
            self.stream.write("\r\x1b[K")  # erase the line: the answer follows on stdout
            self.stream.flush()

    def _run(self) -> None:
        if self._stop.wait(self.delay):
            return
        while not self._stop.is_set():
            elapsed = time.monotonic() - self._start
            self.stream.write(f"\r\x1b[K{self.label}: {self.status} ({elapsed:.0f}s)")
            self.stream.flush()
            self.shown = True
            self._stop.wait(self.interval)


def _is_terminal(stream: TextIO) -> bool:
    # TERM=dumb cannot erase a line (\r\x1b[K would show as garbage); NO_COLOR users asked for no escape codes.
    if os.environ.get("TERM") == "dumb" or os.environ.get("NO_COLOR"):
        return False
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # a closed or unusual stream
        return False
