"""Benchmark rows for issue 14: sweep throughput (samples/s) in this process, on 2 local processes and on a
2-worker Dask LocalCluster (when distributed is installed), and, for a 128-term scenario the sweep's table engine
refuses, what a CP-SAT sample would cost: a cold best-deal solve against a re-solve with new weights on one session.

    python benchmarks/sweep_bench.py [--samples 10000]
"""

from __future__ import annotations

import argparse
import math
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from generate import generate  # noqa: E402

from dealcheck import load_scenario  # noqa: E402
from dealcheck.analysis import sweep as sweep_module  # noqa: E402


def timed(f):  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = f()
    return out, time.perf_counter() - start


def sweep_rows(samples: int) -> list[str]:
    s = load_scenario(ROOT / "scenarios" / "ukraine-ceasefire-2025.yaml")
    sweep_module.sweep(s, samples=sweep_module.BLOCK)  # build the table once, as a long sweep amortises it
    rows = []
    base, t1 = timed(lambda: sweep_module.sweep(s, samples=samples, seed=1))
    rows.append(
        f"| sweep, bundled scenario, {samples:,} samples, this process | {samples / t1:,.0f} samples/s | {t1:.2f} s |"
    )
    two, t2 = timed(lambda: sweep_module.sweep(s, samples=samples, seed=1, executor=2))
    assert two.render("json") == base.render("json")
    rows.append(
        f"| sweep, the same on 2 local processes (spawn and table build included) | {samples / t2:,.0f} samples/s "
        f"| {t2:.2f} s |"
    )
    try:
        import distributed
    except ImportError:
        return rows
    with (
        distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1"
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        sweep_module.sweep(s, samples=sweep_module.BLOCK * 4, executor=client)  # warm the workers
        three, t3 = timed(lambda: sweep_module.sweep(s, samples=samples, seed=1, executor=client))
    assert three.render("json") == base.render("json")
    rows.append(
        f"| sweep, the same on a Dask LocalCluster (2 worker processes, warm) | {samples / t3:,.0f} samples/s "
        f"({samples / t3 / 2:,.0f} per worker) | {t3:.2f} s |"
    )
    return rows


def resolve_rows() -> list[str]:
    """A CP-SAT sweep sample = the best total under new weights. Cold: a new session, then maximise. Warm: the same
    session, a new objective (what a per-sample engine would do)."""
    from dealcheck.rules.ir import weighted_count
    from dealcheck.solver.session import Constraints, Deadline, open_session

    g = generate("tight", terms=128, seed=5)
    s = g.scenario
    domains = [range(min(t.domain.codes), max(t.domain.codes) + 1) for t in s.terms]
    hard = tuple(r.expr for r in s.red_lines())
    demands = [d for p in s.parties for d in p.demands]
    rng = random.Random(0)

    def objective():  # type: ignore[no-untyped-def]
        return weighted_count([(rng.randint(1, 5), d.expr) for d in demands])

    def cold() -> None:
        session = open_session("cpsat", Constraints(tuple(domains), hard), Deadline(None))
        session.maximise(objective())

    cold()
    t_cold = min(timed(cold)[1] for _ in range(3))
    session = open_session("cpsat", Constraints(tuple(domains), hard), Deadline(None))
    session.maximise(objective())
    t_warm = min(timed(lambda: session.maximise(objective()))[1] for _ in range(5))
    return [
        f"| one sweep sample by CP-SAT, tight 128 terms ({len(demands)} demands): re-solve with new weights on one "
        f"session vs a cold solve | {t_warm * 1000:.0f} ms vs {t_cold * 1000:.0f} ms | {t_warm / t_cold:.2f} of a cold "
        f"solve (target <= 0.2) |",
        f"| sweep, tight 128 terms | refused: {math.prod(t.size for t in s.terms):.1e} packages > table limit "
        f"{sweep_module.TABLE_LIMIT:,} | - |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()
    for row in sweep_rows(args.samples) + resolve_rows():
        print(row, flush=True)


if __name__ == "__main__":
    main()
