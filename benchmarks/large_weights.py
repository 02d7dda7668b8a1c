"""Issue 9's "large weights" row: ``explore --objective nash|maximin|total`` on two-party scenarios of 200-5,000
packages with demand weights up to 10^8 (what per-option utilities become as integers), default backend against
``--backend brute`` in the same run, each command in its own process (wall time and peak memory, start-up included).

Before the objectives module (issue 9 item 4) the default backend posted ``nash`` to CP-SAT as a product of two
sums of weights and ran out of memory (12.8 GB after 10 minutes). Run: ``python benchmarks/large_weights.py``;
prints a Markdown table (the one in docs/performance.md). Also times the frontier search in process (the path
scenarios too large to list take), for comparison.
"""

from __future__ import annotations

import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

SIZES = {200: [4, 5, 10], 1000: [5, 5, 5, 8], 5000: [5, 5, 8, 25]}  # packages: options per term
OBJECTIVES = ("total", "maximin", "nash")


def scenario(sizes: list[int], seed: int, high: int = 10**8) -> str:
    rnd = random.Random(seed)
    lines = ["dealcheck: 1", "title: Large weights", "terms:"]
    for i, n in enumerate(sizes):
        lines.append(f"  t{i}: [{', '.join(f'o{j}' for j in range(n))}]")
    lines.append("parties:")
    for p in ("a", "b"):
        lines += [f"  {p}:", "    demands:"]
        for i, n in enumerate(sizes):
            for j in range(n):
                lines.append(
                    f'      t{i}_o{j}: {{rule: t{i} == "o{j}", weight: {rnd.randint(10**5, high)}, assumption: x}}'
                )
    return "\n".join(lines) + "\n"


def run(args: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB, exit code of one ``dealcheck`` process."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "dealcheck", *args], stdout=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def best_of(args: list[str], repeat: int = 3) -> tuple[float, float, int]:
    runs = [run(args) for _ in range(repeat)]
    return min(r[0] for r in runs), max(r[1] for r in runs), runs[0][2]


def main() -> None:
    import dealcheck.analysis.explore as explore_module
    from dealcheck import load_scenario

    print(
        "| packages | objective | default: wall, peak RSS, exit | --backend brute: wall, peak RSS | ratio | frontier search in process |"
    )
    print("|---|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        for packages, sizes in SIZES.items():
            path = Path(tmp, f"w{packages}.yaml")
            path.write_text(scenario(sizes, seed=packages))
            s = load_scenario(path.read_text())
            for objective in OBJECTIVES:
                base = ["explore", str(path), "--objective", objective, "--top", "3"]
                fast = best_of(base)
                brute = best_of([*base, "--backend", "brute"])
                saved = explore_module.LIST_PACKAGES
                explore_module.LIST_PACKAGES = 0
                start = time.perf_counter()
                try:
                    explore_module.explore(s, objective=objective, top=3)
                finally:
                    explore_module.LIST_PACKAGES = saved
                search = time.perf_counter() - start
                print(
                    f"| {packages:,} | {objective} | {fast[0]:.2f} s, {fast[1]:.0f} MB, {fast[2]} "
                    f"| {brute[0]:.2f} s, {brute[1]:.0f} MB | {fast[0] / brute[0]:.2f}x | {search:.2f} s |"
                )


if __name__ == "__main__":
    main()
