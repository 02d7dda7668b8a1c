"""Same input, same bytes: JSON output does not depend on hash seeds, so set and dict ordering never leaks out.

The example scenario is used rather than the bundled one: it has full and partial packages and variants, so it goes
through the same backends, at a fifth of the cost per run.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
SEEDS = ["0", "4242", "random"]


def _run(args: list[str], seed: str) -> bytes:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    env.pop("DEALCHECK_DEBUG", None)
    proc = subprocess.run(
        [sys.executable, "-m", "dealcheck", *args], cwd=ROOT, capture_output=True, env=env, timeout=180
    )
    assert proc.returncode in (0, 1), proc.stderr.decode("utf-8", "replace")
    assert proc.stdout
    return proc.stdout


@pytest.mark.slow
@pytest.mark.parametrize(
    "args",
    [
        ["scenarios/example.yaml", "--format", "json"],
        ["test", "--format", "json", "scenarios/example.yaml", "tests/data/toy.deal.yaml"],
    ],
    ids=["check", "test"],
)
def test_json_is_byte_identical_across_hash_seeds(args: list[str]) -> None:
    outputs = {seed: _run(args, seed) for seed in SEEDS}
    first = outputs[SEEDS[0]]
    for seed, out in outputs.items():
        assert out == first, f"PYTHONHASHSEED={seed} changed the output"


@pytest.mark.slow
def test_junit_is_byte_identical_across_hash_seeds() -> None:
    args = ["test", "--format", "junit", "tests/data/toy.deal.yaml", "scenarios/example.yaml"]
    assert _run(args, "0") == _run(args, "99")
