"""Benchmark rows for issue 14: sweep throughput (samples/s) in this process, on 2 local processes and on a
2-worker Dask LocalCluster (when distributed is installed). The per-draw engine's rows and target 7's sweep-sample
row are targets of ``run.py`` (``benchmarks/sweep_targets.py``).

    python benchmarks/sweep_bench.py [--samples 10000]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))


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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    args = parser.parse_args()
    for row in sweep_rows(args.samples):
        print(row, flush=True)


if __name__ == "__main__":
    main()
