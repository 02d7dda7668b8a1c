"""Benchmarks for issue 6: every target against its baseline, measured in the same run, as ratios.

    python benchmarks/run.py [--quick] [--no-write] [--write]

Prints one table (target, what, dealcheck, baseline, ratio, goal, met) and, for a full run, writes
``docs/performance.md``. A ``--quick`` run only prints (smaller sizes would replace the recorded numbers), unless
``--write`` asks for it.
Timings are medians of several runs; only ratios are reported as results, because the machines are shared and
absolute times drift. Baselines (python-constraint2, CP-SAT, z3) are imported here only; z3 is the ``bench`` extra
and its rows are skipped when it is not installed.

The parts: ``harness.py`` (rows, timing, the table), ``targets.py`` (the targets; adding one is adding a function
that returns :class:`~harness.Row` objects and listing it in ``TARGETS``), ``doc_template.py`` (the page written
from a full run), ``baselines.py`` (hand-written solver baselines), ``limits.py`` (issue 9's targets).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from doc_template import write_doc
from harness import Row, table
from targets import TARGETS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="smaller sizes and fewer repeats (a minute or two)")
    parser.add_argument("--no-write", action="store_true", help="print the table but leave docs/performance.md")
    parser.add_argument("--write", action="store_true", help="write docs/performance.md even after --quick")
    parser.add_argument("--only", action="append", help="run only targets whose name contains this (repeatable)")
    args = parser.parse_args()
    start = time.perf_counter()
    rows: list[Row] = []
    import limits  # issue 9's targets (benchmarks/limits.py); imported here, it imports this module
    import sweep_targets  # issue 14's (benchmarks/sweep_targets.py)

    for name, fn in [*TARGETS, *limits.TARGETS, *sweep_targets.TARGETS]:
        if args.only and not any(o in name for o in args.only):
            continue
        t = time.perf_counter()
        print(f"... {name}", file=sys.stderr, flush=True)
        rows += fn(args.quick)
        print(f"    {time.perf_counter() - t:.1f} s", file=sys.stderr, flush=True)
    elapsed = time.perf_counter() - start
    print("\n".join(table(rows)))
    if not args.no_write and not args.only and (args.write or not args.quick):
        write_doc(rows, args.quick, elapsed)
        print(f"\nwrote docs/performance.md ({elapsed:.0f} s)")


if __name__ == "__main__":
    main()
