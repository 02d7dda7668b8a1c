"""Did-you-mean with a work budget: the closest name to a misspelt one, in time that does not grow with the file.

In: a misspelt name and the names it could have meant (terms, options, parties, keys ...). Out: the closest name by
difflib's ratio, or ``None``. Used by every did-you-mean hint (loader, rule checker, library lookups).

``difflib.get_close_matches`` compares the name with every candidate: a few microseconds each, which is nothing for
the usual dozen names and 145 seconds for 200 misspelt names among 60,000 terms. Up to :data:`EXHAUSTIVE`
candidates are still compared one by one (the answer is then exactly difflib's). Beyond that, a letter-pair index of
the candidates (built once per candidate collection and cached) shortlists the :data:`SHORTLIST` names sharing the
most letter pairs with the misspelt one, and only those are compared. A hint may then, rarely, miss a match that
shares few letter pairs; it is a hint, and it arrives in milliseconds.

Rejected: a time limit (the same file would get different hints on a slow machine) and no hints for large
collections (the large scenarios are the ones where a hint helps most).
"""

from __future__ import annotations

import difflib
import heapq
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import lru_cache
from operator import itemgetter

__all__ = ["EXHAUSTIVE", "SHORTLIST", "closest_name", "listing", "same_but_case"]

#: Candidates compared exhaustively, as difflib would.
EXHAUSTIVE = 1000
#: Candidates compared after the letter-pair shortlist, for larger collections.
SHORTLIST = 64


def closest_name(name: str, candidates: Iterable[str], *, cutoff: float = 0.6) -> str | None:
    """The candidate most like ``name`` (difflib ratio at least ``cutoff``), or ``None``.

    >>> closest_name("sanction", ["sanctions", "ceasefire"])
    'sanctions'
    >>> names = [f"term_{i}" for i in range(50_000)] + ["ceasefire_scope"]
    >>> closest_name("ceasfire_scope", names)
    'ceasefire_scope'
    """
    pool = candidates if isinstance(candidates, tuple) else tuple(candidates)
    if len(name) > 200:  # a "name" this long is not a misspelling of anything
        return None
    shortlist = _shortlist(name, pool) if len(pool) > EXHAUSTIVE else pool
    close = difflib.get_close_matches(name, shortlist, n=1, cutoff=cutoff)
    return close[0] if close else None


def listing(names: Iterable[str], limit: int = 12) -> str:
    """The first ``limit`` names, comma-separated, and how many there are when that is not all: a hint that lists
    the options of a 100,000-option term must not be a megabyte long.

    >>> listing(["a", "b"]), listing([str(i) for i in range(100)], 3)
    ('a, b', '0, 1, 2, ... (100 in all)')
    """
    pool = names if isinstance(names, (list, tuple)) else list(names)
    if len(pool) <= limit:
        return ", ".join(pool)
    return ", ".join(pool[:limit]) + f", ... ({len(pool)} in all)"


def same_but_case(name: str, candidates: Iterable[str]) -> str | None:
    """The first candidate equal to ``name`` but for capitals, or ``None`` (indexed once per collection).

    >>> same_but_case("NATO", ["member", "nato"])
    'nato'
    """
    pool = candidates if isinstance(candidates, tuple) else tuple(candidates)
    if len(pool) <= EXHAUSTIVE:
        lowered = name.lower()
        return next((c for c in pool if c.lower() == lowered), None)
    return _lower_index(pool).get(name.lower())


@lru_cache(maxsize=8)
def _lower_index(pool: tuple[str, ...]) -> dict[str, str]:
    index: dict[str, str] = {}
    for c in pool:
        index.setdefault(c.lower(), c)
    return index


def _pairs(text: str) -> set[str]:
    text = f"^{text.lower()}$"  # the ends count: a misspelling usually keeps the first and last letters
    return {text[i : i + 2] for i in range(len(text) - 1)}


@lru_cache(maxsize=8)
def _index(pool: tuple[str, ...]) -> dict[str, list[int]]:
    index: dict[str, list[int]] = {}
    for i, candidate in enumerate(pool):
        for pair in _pairs(candidate[:200]):
            index.setdefault(pair, []).append(i)
    return index


def _shortlist(name: str, pool: tuple[str, ...]) -> Sequence[str]:
    index = _index(pool)
    votes: Counter[int] = Counter()
    # Rarest pairs first, and pairs most names share ("^t" when every term starts with t) only while too few votes
    # are in: they cost the most and tell the least. Sorted, so the votes and the tie-break below never vary.
    postings = sorted((len(index.get(pair, ())), pair) for pair in _pairs(name))
    for size, pair in postings:
        if size > len(pool) // 20 and len(votes) >= SHORTLIST:
            break
        votes.update(index.get(pair, ()))
    # Most shared pairs first; ties to the name voted for first. (A key in C: a Python lambda over 60,000 names
    # costs more than the whole rest of the search.)
    best = heapq.nlargest(SHORTLIST, votes.items(), key=itemgetter(1))
    return [pool[i] for i in sorted(i for i, _ in best)]
