"""Guards for tests of inputs that must not hang: a generous wall-clock cap, not a benchmark.

Speed is measured in ``benchmarks/``, as ratios against baselines in the same run. Here we only need to know that a
billion-laughs file or 100,000 nested parentheses come back at all, so the cap is far above any healthy time and
far below a hang. It raises in the main thread through SIGALRM, so the hung call itself is interrupted.
"""

from __future__ import annotations

import signal
from collections.abc import Iterator
from contextlib import contextmanager

__all__ = ["no_hang"]


@contextmanager
def no_hang(seconds: float = 60.0) -> Iterator[None]:
    def expired(signum: int, frame: object) -> None:
        raise AssertionError(f"still running after {seconds:g} s: the input makes dealcheck hang or blow up")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)
