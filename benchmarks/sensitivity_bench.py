"""Issue 10 item 2's sensitivity on the bundled scenario: ``dealcheck.analysis.sensitivity.sensitivity`` (every
objective, every weight, both ways, exact) against its baseline in the same run: finding each objective's best deal
once with ``explore(top=1)``. The ratio says how many "find the best deal" runs the whole exact analysis costs; a
naive search (re-solving the best deal while bisecting each weight, about 20 steps per weight, direction and
objective: ~4,500 solves here, and still not exact) would cost thousands.

Run: ``python benchmarks/sensitivity_bench.py``; prints a Markdown table. Only the ratio is a result (the machines
are shared).
"""

from __future__ import annotations

import statistics
import time

from harness import ROOT


def main() -> None:
    from dealcheck import load_scenario
    from dealcheck.analysis.explore import explore
    from dealcheck.analysis.objectives import OBJECTIVES
    from dealcheck.analysis.sensitivity import sensitivity

    scenario = load_scenario(ROOT / "scenarios" / "ukraine-ceasefire-2025.yaml")
    sensitivity(scenario, objectives=["total"])  # warm: imports, OR-Tools
    ours, base = [], []
    for _ in range(3):
        start = time.process_time()
        report = sensitivity(scenario)
        ours.append(time.process_time() - start)
        start = time.process_time()
        for objective in OBJECTIVES:
            explore(scenario, objective=objective, top=1, pareto_limit=None)
        base.append(time.process_time() - start)
    a, b = statistics.median(ours), statistics.median(base)
    weights = len(report.objectives[0].weights)
    print("| scenario | sensitivity (4 objectives x weights x 2 ways), CPU | 4 x explore --top 1, CPU | ratio |")
    print("|---|---|---|---|")
    print(f"| bundled ({weights} weights, {report.patterns} candidate sets) | {a:.2f} s | {b:.2f} s | {a / b:.2f}x |")


if __name__ == "__main__":
    main()
