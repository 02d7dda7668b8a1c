"""Benchmark row: ``dealcheck check FILE --packages offers.parquet -o verdicts.parquet`` on N packages.

Writes N random full packages of the bundled scenario (dictionary-encoded string columns and an id column, as an
export from a database or pandas would be) to a Parquet file, then runs the command in a child process and reports
rows per second (wall clock, including start-up) and the child's peak resident memory. Needs pyarrow (``.[parquet]``).

    python benchmarks/batch_file.py --rows 10000000
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "ukraine-ceasefire-2025.yaml"


def write_packages(path: Path, rows: int, seed: int = 0) -> None:
    import numpy as np
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dealcheck import load_scenario

    s = load_scenario(SCENARIO)
    rng = np.random.default_rng(seed)
    writer = None
    step = 1_000_000
    for start in range(0, rows, step):
        m = min(step, rows - start)
        cols = {"id": pa.array([f"p{i}" for i in range(start, start + m)])}
        for t in s.terms:
            options = list(t.domain.options)
            index = rng.integers(0, len(options), m).astype(np.int8)
            cols[t.name] = pa.DictionaryArray.from_arrays(pa.array(index), pa.array(options))
        table = pa.table(cols)
        writer = writer or pq.ParquetWriter(path, table.schema)
        writer.write_table(table)
    assert writer is not None
    writer.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--out", choices=["parquet", "csv", "jsonl"], default="parquet")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        packages = Path(tmp) / "offers.parquet"
        write_packages(packages, args.rows)
        verdicts = Path(tmp) / f"verdicts.{args.out}"
        command = [sys.executable, "-m", "dealcheck", "check", str(SCENARIO), "--packages", str(packages)]
        start = time.perf_counter()
        done = subprocess.run([*command, "-o", str(verdicts)], capture_output=True, text=True, check=False)
        seconds = time.perf_counter() - start
        if done.returncode not in (0, 1):
            sys.exit(f"dealcheck failed ({done.returncode}): {done.stderr}")
        peak_kib = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        size = os.path.getsize(packages)
    print(
        f"| batch file | dealcheck check --packages offers.parquet -o verdicts.{args.out}, {args.rows:,} packages "
        f"({size / 2**20:.0f} MiB) | {args.rows / seconds:,.0f} rows/s | {seconds:.1f} s | peak {peak_kib / 1024:.0f} MiB |"
    )


if __name__ == "__main__":
    main()
