"""The block lexmin (one exactly weighted objective per block of terms; what repair's tie-break falls back to when
the smallest-first search flounders) gives brute force's lexicographically smallest solution, however the terms are
cut into blocks, with conditions posted and under assumed literals."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_session import _questions, _solutions

from dealcheck.solver import cpsat
from dealcheck.solver.base import Deadline
from dealcheck.solver.cpsat import CpsatSession


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(_questions(), st.sampled_from([2, 5, 1 << 53]))
def test_blocks_give_the_lexicographically_smallest_solution(question, span) -> None:  # type: ignore[no-untyped-def]
    constraints, conditions, _ = question
    expected = _solutions(constraints, conditions)
    s = CpsatSession(constraints, Deadline(None))
    if s.model is None:
        assert not expected
        return
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cpsat, "LEX_SPAN", span)
        got = s._lexmin_by_blocks(s._imposing(conditions), Deadline(None))
        assert got.solution == (min(expected) if expected else None)
        # the same on the session's own model, the conditions assumed as literals
        m = s.model
        got = s._lexmin_by_blocks(m, Deadline(None), [m.literal(c) for c in conditions])
        assert got.solution == (min(expected) if expected else None)


@settings(max_examples=25, deadline=None)
@given(_questions())
def test_a_lexmin_past_its_caps_goes_by_blocks_and_agrees(question) -> None:  # type: ignore[no-untyped-def]
    constraints, conditions, _ = question
    expected = _solutions(constraints, conditions)
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(cpsat, "LEXMIN_QUICK", 0.0)
        mp.setattr(cpsat, "LEX_SPAN", 3)
        assert CpsatSession(constraints, Deadline(None)).lexmin(conditions).solution == (
            min(expected) if expected else None
        )
