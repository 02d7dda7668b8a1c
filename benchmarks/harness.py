"""The benchmark harness: a measured row, timing by medians and paired runs, ratios, the table.

Used by the targets (``targets.py``, ``limits.py``) and by ``run.py``. Only ratios against a baseline measured in the
same run are results: the machines are shared and absolute times drift.
"""

from __future__ import annotations

import gc
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import attrs

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))


@attrs.frozen
class Row:
    """One measured comparison. ``ratio`` is ``baseline / dealcheck`` when ``higher`` (a speed-up), else
    ``dealcheck / baseline`` (a slow-down or overhead that must stay under ``goal``)."""

    target: str
    what: str
    ours: str
    baseline: str
    ratio: float | None
    goal: str
    met: bool | None
    note: str = ""


# --- timing ---------------------------------------------------------------------------------------------------


def median_time(fn: Callable[[], object], *, repeat: int = 5, number: int = 1) -> float:
    """Median over ``repeat`` runs of the time per call, each run calling ``fn`` ``number`` times."""
    times = []
    for _ in range(repeat):
        gc.collect()
        start = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - start) / number)
    return statistics.median(times)


def paired(
    ours: Callable[[], object],
    base: Callable[[], object],
    *,
    repeat: int = 7,
    per: int = 1,
    base_per: int | None = None,
) -> tuple[float, float, float]:
    """Alternate dealcheck and baseline runs; (median time per item of each, median of the per-pair ratios).

    On a shared machine the load drifts between two separate measurements; pairing each dealcheck run with a
    baseline run right next to it, and taking the median ratio, cancels most of that drift.
    """
    ours_t, base_t, ratios = [], [], []
    for _ in range(repeat):
        a = median_time(ours, repeat=1) / per
        b = median_time(base, repeat=1) / (base_per or per)
        ours_t.append(a)
        base_t.append(b)
        ratios.append(b / a)
    return statistics.median(ours_t), statistics.median(base_t), statistics.median(ratios)


def fmt_time(seconds: float) -> str:
    if seconds < 1e-6:
        return f"{seconds * 1e9:.0f} ns"
    if seconds < 1e-3:
        return f"{seconds * 1e6:.2f} µs"
    if seconds < 1:
        return f"{seconds * 1e3:.1f} ms"
    return f"{seconds:.2f} s"


def speedup(
    target: str,
    what: str,
    ours: float,
    base: float,
    base_name: str,
    need: float,
    stretch: float | None = None,
    note: str = "",
    ratio: float | None = None,
) -> Row:
    ratio = base / ours if ratio is None else ratio
    goal = f">= {need:g}x" + (f" (stretch {stretch:g}x)" if stretch else "")
    return Row(target, what, fmt_time(ours), f"{base_name} {fmt_time(base)}", ratio, goal, ratio >= need, note)


#: Subprocesses run with bytecode caching on, as an installed package runs: with PYTHONDONTWRITEBYTECODE set (as in
#: some CI images) dealcheck's own modules would be compiled from source on every start while the baselines' were
#: compiled at install time, which measures the environment, not the tool.
_ENV = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}


def _run_time(args: list[str], repeat: int, *, check: bool = True) -> float:
    def once() -> None:
        subprocess.run(args, check=check, capture_output=True, cwd=ROOT, env=_ENV)

    once()  # warm the file cache (and write bytecode)
    return median_time(once, repeat=repeat)


def slowdown(
    target: str,
    what: str,
    ours: float,
    base: float,
    base_name: str,
    limit: float,
    note: str = "",
    ratio: float | None = None,
) -> Row:
    """A row whose goal is "dealcheck takes at most ``limit`` times the baseline" (lower is better)."""
    ratio = ours / base if ratio is None else ratio
    return Row(
        target,
        what,
        fmt_time(ours),
        f"{base_name} {fmt_time(base)}",
        ratio,
        f"<= {limit:g}x slower",
        ratio <= limit,
        note,
    )


# --- output ---


def table(rows: list[Row]) -> list[str]:
    head = ["#", "what", "dealcheck", "baseline", "ratio", "goal", "met"]
    body = []
    for r in rows:
        if r.ratio is None:
            ratio = "-"
        elif r.goal.endswith("ms"):
            ratio = f"{r.ratio:.1f} ms"
        else:  # two significant digits below 0.1 (a sweep sample is 0.03 of a cold solve, not "0.0x")
            ratio = f"{r.ratio:.2g}x" if 0 < r.ratio < 0.1 else f"{r.ratio:,.1f}x"
        met = {True: "met", False: "NOT MET", None: "-"}[r.met]
        body.append([r.target, r.what, r.ours, r.baseline, ratio, r.goal, met])
    lines = ["| " + " | ".join(head) + " |", "|" + "|".join("---" for _ in head) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in body]
    return lines
