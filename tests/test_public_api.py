"""The public surface: everything in ``dealcheck.__all__`` exists, and importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import pytest

import dealcheck


def test_every_public_name_resolves() -> None:
    for name in dealcheck.__all__:
        assert getattr(dealcheck, name) is not None, name


def test_analysis_reports_are_the_classes_the_methods_return() -> None:
    s = dealcheck.load_scenario(
        """
dealcheck: 1
title: Toy
terms: {nato: [member, neutral]}
parties:
  russia: {red_lines: {no_nato: {rule: nato != "member", assumption: toy}}}
packages:
  join: {terms: {nato: member}}
"""
    )
    assert isinstance(s.explore(), dealcheck.ExploreReport)
    assert isinstance(s.conflicts(), dealcheck.ConflictReport)
    assert isinstance(s.repair({"nato": "member"}), dealcheck.RepairReport)
    assert isinstance(s.compare(), dealcheck.CompareReport)


@pytest.mark.slow
def test_reports_render_without_importing_renderers_by_hand() -> None:
    code = (
        "import dealcheck, json\n"
        "from dealcheck.report import render\n"
        "s = dealcheck.load_scenario('dealcheck: 1\\ntitle: T\\nterms: {b: bool}\\nparties: {p: {red_lines: {r: {rule: b, assumption: x}}}}\\npackages: {k: {terms: {b: true}}}\\n')\n"
        "for r in (s.explore(), s.conflicts(), s.repair({'b': False}), s.compare()):\n"
        "    print(json.loads(render(r, 'json'))['schema'])\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.split()
    assert out == ["dealcheck.explore/2", "dealcheck.conflicts/1", "dealcheck.repair/1", "dealcheck.compare/1"]


def test_import_does_not_load_solvers() -> None:
    code = "import sys, dealcheck; print(sorted(m for m in ('ortools', 'numpy', 'constraint') if m in sys.modules))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
