"""mypy over the package, as configured in pyproject.toml ([tool.mypy]: strict on the whole package). Here so
that every landing runs it with the suite, not only CI; skipped only where the dev extra (which brings mypy) is not
installed."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_mypy_is_clean() -> None:
    pytest.importorskip("mypy", reason="mypy comes with the dev extra: pip install -e '.[test,dev]'")
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--no-incremental"], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stdout + done.stderr
