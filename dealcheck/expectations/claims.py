"""The ``expect:`` schema: the keys an expectation may have and how its counts and scores are written.

One definition, read by the loader (which checks each entry's shape and reports problems at their position) and by
the runner (:mod:`dealcheck.expectations.run`, which checks the claims against the analyses). Rejected: a copy of
each regex in both, as before; the copies drifted (one accepted ``= 3`` and 30 digits, the other neither).

This module sits with the loader, below the solvers: it imports only the standard library.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

__all__ = [
    "ANALYSIS_KEYS",
    "CLAIM_KEYS",
    "COUNT",
    "EXPECT_KEYS",
    "OBJECTIVES",
    "SCORE",
    "SUBJECT_KEYS",
    "parse_count",
    "parse_score",
]

#: What an entry is about: a scenario package, an ad-hoc package (values), a variant applied first.
SUBJECT_KEYS = ("package", "set", "variant")
#: What an entry claims, in the order the runner checks (and a description lists) them.
CLAIM_KEYS = (
    "deal",
    "deal_possible",
    "breaks",
    "keeps",
    "meets",
    "acceptable_to",
    "not_acceptable_to",
    "forced",
    "deals",
    "options",
    "conflicts",
    "concessions",
    "concession",
    "best",
    "nearest",
)
#: Claims answered by the analyses over the subject's completions rather than by one package verdict.
ANALYSIS_KEYS = ("deals", "options", "conflicts", "concessions", "concession", "best", "nearest")
#: Every key of an entry.
EXPECT_KEYS = ("description", *SUBJECT_KEYS, *CLAIM_KEYS)

#: The objectives a ``best:`` claim may name: the names :mod:`dealcheck.analysis.objectives` implements (it imports
#: them from here, so loading a file does not pull in the analyses and the two cannot differ).
OBJECTIVES: tuple[str, ...] = ("total", "maximin", "nash", "kalai")

#: A count claim written as a string: an optional comparison and a number (at most 15 digits, as a scenario's
#: integers; ``N`` alone means ``== N``).
COUNT = re.compile(r"\s*(==|!=|>=|<=|>|<)?\s*([0-9]{1,15})\s*")
#: An exact score: an integer, a fraction or a terminating decimal (a float would be compared with a tolerance).
SCORE = re.compile(r"\s*([0-9]{1,30})(?:/([0-9]{1,30})|\.([0-9]{1,30}))?\s*")


def parse_count(claim: Any, key: str = "deals") -> tuple[str, int]:
    """The comparison and number of a count claim (``deals:``, ``conflicts:``, ``concessions:``, a distance): an
    integer, or a string like ``">= 1"``. ``ValueError`` with a sentence for anything else.

    >>> parse_count(0), parse_count(">= 1"), parse_count("< 10"), parse_count("3")
    (('==', 0), ('>=', 1), ('<', 10), ('==', 3))
    """
    if isinstance(claim, int) and not isinstance(claim, bool) and claim >= 0:
        return "==", claim
    if isinstance(claim, str):
        m = COUNT.fullmatch(claim)
        if m:
            return m.group(1) or "==", int(m.group(2))
    raise ValueError(f'{key}: takes a count such as 0 or a comparison such as ">= 1", not {claim!r}')


def parse_score(text: Any) -> Fraction:
    """The exact score a ``best:`` claim names: ``"871/210"``, ``4`` or ``"0.6"`` (never a rounded float).
    ``ValueError`` with a sentence for anything else.

    >>> parse_score("871/210"), parse_score(4), parse_score("0.6")
    (Fraction(871, 210), Fraction(4, 1), Fraction(3, 5))
    """
    if isinstance(text, Fraction):
        return text
    if isinstance(text, int) and not isinstance(text, bool) and text >= 0:
        return Fraction(text)
    if isinstance(text, str) and SCORE.fullmatch(text):
        try:
            return Fraction(text.strip())
        except ZeroDivisionError:
            pass
    raise ValueError(f'the score in best must be exact, such as "871/210", 4 or "0.6", not {text!r}')
