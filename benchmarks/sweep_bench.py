"""Benchmark rows for issue 14: sweep throughput (samples/s) in this process, on 2 local processes and on a
2-worker Dask LocalCluster (when distributed is installed), on the bundled scenario; the per-draw engine on a
128-term scenario in this process and on 2 local processes. The per-draw engine's run.py row and target 7's
sweep-sample row are targets of ``run.py`` (``benchmarks/sweep_targets.py``).

    python benchmarks/sweep_bench.py [--samples 10000] [--solve-samples 1000]
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


def solve_rows(samples: int) -> list[str]:
    """The per-draw engine on the tight 128-term scenario of ``sweep_targets``: this process (cold: the model and
    each pattern's facts learnt during the run, as on a worker) and 2 local processes (each learns them itself)."""
    from generate import generate
    from sweep_targets import uncertain

    from dealcheck.analysis import sweep_solve

    s = uncertain(generate("tight", terms=128, seed=5).scenario)
    sweep_solve._RESOLVERS.clear()
    one, t1 = timed(lambda: sweep_module.sweep(s, samples=samples, seed=1))
    assert one.engine == "solve"
    two, t2 = timed(lambda: sweep_module.sweep(s, samples=samples, seed=1, executor=2))
    assert two.render("json") == one.render("json")
    return [
        f"| sweep, tight 128 terms, per-draw engine, {samples:,} samples, this process (model built in the run) | "
        f"{samples / t1:,.1f} samples/s | {t1:.2f} s |",
        f"| sweep, the same on 2 local processes (spawn included) | {samples / t2:,.1f} samples/s | {t2:.2f} s |",
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--samples", type=int, default=10_000)
    parser.add_argument("--solve-samples", type=int, default=4 * sweep_module.BLOCK)
    args = parser.parse_args()
    for row in sweep_rows(args.samples) + solve_rows(args.solve_samples):
        print(row, flush=True)


if __name__ == "__main__":
    main()
