"""The best completion of a partial package, for ``dealcheck check --example best``.

In: a scenario and a (partial) package. Out: the deal completing it with the highest total score (exact, from the
Pareto frontier of its completions, ties to the smallest codes), or ``None`` when no completion is a deal or the
time limit stopped the search first. The default example (``--example first``) is the first deal in option order,
which says nothing about what is good: this is the one a reader may take as a suggestion, and it is labelled so.
"""

from __future__ import annotations

from collections.abc import Mapping

from dealcheck.analysis.objectives import Scorer, best_by_search, frontier_by_search
from dealcheck.analysis.search import LimitReached, Search
from dealcheck.model import Scenario
from dealcheck.rules.terms import Value
from dealcheck.solver.base import Constraints, Deadline

__all__ = ["best_completion"]

#: Whether the best completion tries :mod:`dealcheck.analysis.skyline` before the solver search (the tests turn it
#: off to hold both to the same answers).
DYNAMIC_PROGRAMMING = True


def best_completion(
    scenario: Scenario, values: Mapping[str, Value], *, backend: str = "cpsat", time_limit: float | None = None
) -> dict[str, Value] | None:
    """The deal completing ``values`` with the highest total score, or ``None``.

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms:
    ...   ceasefire: {options: [none, energy, full], ordered: true}
    ...   aid: bool
    ... parties:
    ...   russia: {red_lines: {no_full: {rule: ceasefire != "full", assumption: toy}}}
    ...   ukraine: {demands: {some: {rule: ceasefire >= "energy", assumption: toy}, aid: {rule: aid, assumption: toy}}}
    ... ''')
    >>> s.check({"aid": False}).example, best_completion(s, {"aid": False})
    ({'ceasefire': 'none', 'aid': False}, {'ceasefire': 'energy', 'aid': False})
    """
    codes = scenario.encode(values)
    problem = Constraints.from_scenario(scenario, fixed=codes)
    deadline = Deadline(time_limit)
    scorer = Scorer(scenario.parties)
    if backend == "cpsat" and DYNAMIC_PROGRAMMING:
        from dealcheck.analysis.objectives import best_from_list
        from dealcheck.analysis.skyline import skyline

        # One coordinate (the total), one candidate a table row: no solver where the structure is narrow.
        short = skyline(problem, scorer, 1, deadline, total_only=True)
        if short is not None:
            found = best_from_list(short, scorer, "total", 1, scorer.reference(()))
            return scenario.decode(found[0]) if found else None
    search = Search(backend, problem, deadline)
    try:
        frontier, _ = frontier_by_search(search, scorer)
        if not frontier:
            return None
        best = best_by_search(search, scorer, "total", 1, frontier, scorer.reference(frontier))
    except LimitReached:
        return None
    return scenario.decode(best[0]) if best else None
