"""``dealcheck.testing.strategies``: its ``__all__`` is exactly its public surface, and every public strategy draws."""

from __future__ import annotations

import inspect

from hypothesis import given, settings
from hypothesis import strategies as st

from dealcheck.testing import strategies


def test_all_is_the_public_surface() -> None:
    public = {
        name
        for name, value in vars(strategies).items()
        if not name.startswith("_") and callable(value) and getattr(value, "__module__", None) == strategies.__name__
    }
    assert set(strategies.__all__) == public
    assert list(strategies.__all__) == sorted(strategies.__all__)


def test_every_public_strategy_is_documented() -> None:
    for name in strategies.__all__:
        doc = inspect.getdoc(getattr(strategies, name))
        assert doc and len(doc) > 20, f"{name} needs a docstring"


@settings(max_examples=20, deadline=None)
@given(st.data(), strategies.scenarios())
def test_public_strategies_draw(data: st.DataObject, scenario) -> None:  # type: ignore[no-untyped-def]
    rule = data.draw(strategies.rules(scenario))
    assert rule is not None
    full = data.draw(strategies.packages(scenario))
    assert set(full) == {t.name for t in scenario.terms}
    partial = data.draw(strategies.packages(scenario, partial=True))
    assert set(partial) <= set(full)
    assert len(data.draw(strategies.codes(scenario))) == len(scenario.terms)
