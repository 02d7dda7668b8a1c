"""Fixtures shared by the test files: the bundled scenario, loaded once per run.

A scenario is frozen (attrs), so one loaded copy serves every test that reads it; a test that wants a changed
scenario makes a variant or an ``attrs.evolve`` copy. Loading it is an assertion in itself: a bundled scenario that
stops loading fails every test that uses it, it never skips them.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import settings

from dealcheck.model import Scenario

# No example database: what a test draws, and what the strategies' docstring examples (hypothesis.find) print,
# depends on the code alone, not on what earlier runs on this machine saved (a long run by hand once filled the
# database and changed a doctest's minimal example). A failure prints its example and reproduce_failure blob instead.
settings.register_profile("dealcheck", database=None)
settings.load_profile("dealcheck")

ROOT = Path(__file__).resolve().parent.parent
BUNDLED_PATH = ROOT / "scenarios" / "ukraine-ceasefire-2025.yaml"


@pytest.fixture(scope="session")
def bundled_path() -> Path:
    """The bundled scenario's file: ``scenarios/ukraine-ceasefire-2025.yaml``."""
    return BUNDLED_PATH


@pytest.fixture(scope="session")
def bundled() -> Scenario:
    """The bundled scenario, loaded from its file (so its ``path`` and diagnostics' positions are the file's)."""
    from dealcheck.loader import load_scenario_file

    return load_scenario_file(str(BUNDLED_PATH))
