"""Where sweep samples are drawn: this process, local processes, or a Dask cluster; the answer is the same bytes.

In: the blocks of a sweep (:data:`dealcheck.analysis.sweep.BLOCK` samples each, block ``b`` seeded with
``[seed, b]``) and an executor: ``None`` (this process), an ``int`` (that many local processes), any object with
``submit(fn, *args)`` returning a future with ``result(timeout)`` (a ``concurrent.futures.Executor``, a
``distributed.Client``), or ``"dask://HOST:PORT"`` (a Dask scheduler; needs the ``dask`` extra). Out: the summed
integer counts of every block, so how blocks are split over workers never changes the answer.

Each task is a picklable pair: the scenario's bytes (its pickle, cached by the worker by digest) and a tuple of block
numbers, plus the seed and the sweep's shape.

Rejected: shipping the checked table of packages to workers (megabytes per task, and slower to pickle than to rebuild
with one batch check) and threads (the per-draw work holds the GIL between numpy calls).
"""

from __future__ import annotations

import hashlib
import pickle
import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, cast

from dealcheck import interrupt
from dealcheck.errors import UsageError

if TYPE_CHECKING:
    from dealcheck.analysis.sweep import BlockCounts
    from dealcheck.model import Scenario

__all__ = ["open_executor", "run_sweep_blocks", "scenario_payload"]

_LOADED: dict[str, Any] = {}  # a worker's scenarios by the digest of their bytes


def scenario_payload(scenario: Scenario) -> bytes:
    """The scenario as bytes a worker turns back into the same scenario: its pickle (about 60 kB for the bundled
    one; the YAML text alone would lose edits made in code, such as a variant or confidences set by a caller)."""
    return pickle.dumps(scenario)


def _scenario_from(data: bytes) -> Scenario:
    key = hashlib.sha256(data).hexdigest()
    hit = _LOADED.get(key)
    if hit is None:
        # Our own pickle of a Scenario, made by the process that submitted the task (never a user's file).
        hit = cast("Scenario", pickle.loads(data))
        if len(_LOADED) >= 4:
            _LOADED.clear()
        _LOADED[key] = hit
    return hit


def sweep_task(
    data: bytes,
    seed: int,
    samples: int,
    blocks: tuple[int, ...],
    partial: tuple[tuple[int | None, ...], ...],
    engine: str | None = None,
) -> BlockCounts:
    """One task: the counts of ``blocks``, computed from the scenario's bytes (module level, so it pickles)."""
    from dealcheck.analysis.sweep import run_blocks

    return run_blocks(_scenario_from(data), seed, blocks, partial, samples, engine)


def open_executor(spec: Any) -> tuple[Any, Callable[[], None], str]:
    """(executor or ``None``, close, description) for ``spec``: None, an int, ``dask://HOST:PORT``, or an object
    with ``submit``."""
    if spec is None or spec == 1:
        return None, lambda: None, "this process"
    if isinstance(spec, int) and not isinstance(spec, bool):
        if spec < 1:
            raise UsageError("--workers must be at least 1")
        import concurrent.futures
        import multiprocessing

        pool = concurrent.futures.ProcessPoolExecutor(spec, mp_context=multiprocessing.get_context("spawn"))
        return pool, lambda: pool.shutdown(cancel_futures=True), f"{spec} local processes"
    if isinstance(spec, str):
        if not spec.startswith("dask://"):
            raise UsageError(f"unknown executor {spec!r}", "write dask://HOST:PORT for a Dask scheduler")
        try:
            from distributed import Client
        except ImportError:
            raise UsageError(
                "--executor dask://... needs dask.distributed, which is not installed",
                "install it with: pip install 'dealcheck[dask]'",
            ) from None
        address = "tcp://" + spec.removeprefix("dask://")
        try:
            client = Client(address, timeout=10)  # type: ignore[no-untyped-call]  # distributed has no annotations
        except OSError as e:
            raise UsageError(f"cannot reach the Dask scheduler at {address}: {e}") from None
        return client, client.close, f"dask {address}"
    if hasattr(spec, "submit"):
        return spec, lambda: None, type(spec).__name__
    raise UsageError(f"not an executor: {spec!r}")


def _result(future: Any, deadline: float | None) -> Any:
    """``future``'s result by ``deadline`` (``TimeoutError`` past it, or once Ctrl-C is pressed: the wait looks at
    the interrupt flag every tenth of a second when one can come)."""
    while True:
        if interrupt.interrupted():
            raise TimeoutError
        remaining = None if deadline is None else max(0.0, deadline - time.monotonic())
        step = remaining
        if interrupt.possible():
            step = 0.1 if remaining is None else min(0.1, remaining)
        try:
            return future.result(timeout=step)
        except TimeoutError:
            if step == remaining:
                raise
        except Exception as e:
            if type(e).__name__ != "TimeoutError" or step == remaining:
                raise


def run_sweep_blocks(
    scenario: Scenario,
    seed: int,
    samples: int,
    partial: Sequence[tuple[int | None, ...]],
    executor: Any,
    deadline: float | None,
    progress: Callable[[str], None] | None,
    engine: str | None = None,
) -> tuple[BlockCounts, str]:
    """Every block's counts, summed; with a deadline, those of the blocks finished in order before it."""
    from dealcheck.analysis.sweep import BLOCK, run_blocks

    n_blocks = -(-samples // BLOCK)
    partial = tuple(tuple(p) for p in partial)
    pool, close, description = open_executor(executor)
    total: BlockCounts | None = None
    try:
        if pool is None:
            for b in range(n_blocks):
                if (deadline is not None and time.monotonic() >= deadline) or interrupt.interrupted():
                    break
                part = run_blocks(scenario, seed, (b,), partial, samples, engine, deadline)
                total = part if total is None else total + part
                if progress is not None:
                    progress(f"{total.samples:,} of {samples:,} samples")
        else:
            data = scenario_payload(scenario)
            per_task = max(1, min(8, n_blocks // 16))  # scheduling only: any split gives the same counts
            tasks = [tuple(range(b, min(n_blocks, b + per_task))) for b in range(0, n_blocks, per_task)]
            futures = [pool.submit(sweep_task, data, seed, samples, blocks, partial, engine) for blocks in tasks]
            for f in futures:
                try:
                    part = _result(f, deadline)
                except TimeoutError:
                    break
                except Exception as e:  # a worker's failure, re-raised here with what it was
                    if type(e).__name__ == "TimeoutError":  # distributed's own TimeoutError class
                        break
                    if interrupt.interrupted():  # Ctrl-C reached the workers too (one process group): stopped
                        break
                    raise
                total = part if total is None else total + part
                if progress is not None:
                    progress(f"{total.samples:,} of {samples:,} samples ({description})")
            for f in futures:
                f.cancel()
    finally:
        close()
    if total is None:
        total = run_blocks(scenario, seed, (), partial, samples, engine)
    return total, description
