"""Diagnostics with a work budget (issue 15, item 4): the worst cases finish in seconds, with useful hints.

The timeout is generous (shared machines); the figures are in ``benchmarks/hostile_bounds.py``.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dealcheck.sources import closest_passage
from dealcheck.suggest import EXHAUSTIVE, closest_name, listing

_SPEC = importlib.util.spec_from_file_location(
    "hostile_bounds", Path(__file__).parent.parent.parent / "benchmarks" / "hostile_bounds.py"
)
assert _SPEC is not None and _SPEC.loader is not None
bounds = importlib.util.module_from_spec(_SPEC)
_SPEC.loader.exec_module(bounds)

TIMEOUT = 90  # seconds; each case takes about three on a quiet machine, and took 37 to 300+ before


@pytest.fixture(scope="module")
def cases(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[str]]:
    return bounds.write_worst_cases(tmp_path_factory.mktemp("worst"))  # type: ignore[no-any-return]


@pytest.mark.slow
@pytest.mark.parametrize("which", [0, 1, 2], ids=["terms", "options", "quotes"])
def test_worst_cases_finish_in_seconds(cases: dict[str, list[str]], which: int) -> None:
    args = list(cases.values())[which]
    env = {**os.environ, "PYTHONIOENCODING": "utf-8"}
    result = subprocess.run(
        [sys.executable, "-m", "dealcheck", *args], capture_output=True, timeout=TIMEOUT, env=env, check=False
    )
    err = result.stderr.decode()
    assert result.returncode == 2 and "Traceback" not in err
    assert "did you mean" in err or "closest passage" in err
    assert len(err) < 200_000  # hints list a dozen options, not 100,000


def test_did_you_mean_on_a_large_collection_still_finds_the_slip() -> None:
    names = [f"n{i:06d}x" for i in range(EXHAUSTIVE * 20)] + ["ceasefire_scope", "sanctions_relief"]
    assert closest_name("ceasfire_scope", names) == "ceasefire_scope"
    assert closest_name("sanctions_releif", names) == "sanctions_relief"
    assert closest_name("zzzzzzzz", names) is None
    small = ["ceasefire", "sanctions"]
    assert closest_name("sanction", small) == "sanctions"


def test_listing_is_bounded() -> None:
    assert listing(str(i) for i in range(100_000)).endswith("... (100000 in all)")


def test_closest_passage_in_a_large_text_is_the_slipped_one() -> None:
    import random

    rng = random.Random(7)
    vocabulary = ["".join(rng.choice("abcdefghij") for _ in range(rng.randint(2, 7))) for _ in range(3000)]
    words = [rng.choice(vocabulary) for _ in range(60_000)]
    text = " ".join(words)
    quote = words[31_000:31_012]
    original = " ".join(quote)
    quote[4] = "qqqq"
    found = closest_passage(text, " ".join(quote))
    assert found is not None and original in found[0]
