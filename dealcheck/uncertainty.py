"""Uncertain positions in the scenario format: how firm each reading is, and how far a weight may move.

A rule may say ``confidence: 0.7``: the analyst's probability that the position holds as written. Otherwise the
rule is absent or, for a red line with ``soft_if_wrong: true``, a demand of weight 1 (the party still prefers it,
but would not walk away over it). Confidences are the analyst's judgement, so each one needs a reason:
``confidence_reason:`` on the rule, or the scenario's top-level ``confidence_reason:`` as the default;
:func:`confidence_warnings` lists those without either (``dealcheck validate`` shows them as warnings, DC720).
A demand's weight may carry a range: ``weight: {value: 2, range: [1, 3]}`` (``value`` is what every exact analysis
uses; a sweep draws the weight uniformly from the range).

Everything is optional and backward compatible: a scenario without these keys means what it always meant
(every rule certain, every weight fixed). Confidences are exact (``Fraction`` from the decimal written), so a
package's probability of being a deal, a product of confidences, is exact too.

In: YAML nodes (through :class:`UncertaintyReader`, which the loader's reader inherits). Out: the ``confidence``,
``confidence_reason``, ``soft_if_wrong`` and ``weight_range`` fields of :class:`dealcheck.model.Rule`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from dealcheck.errors import Diagnostic, Severity
from dealcheck.yamlnodes import Invalid, Mapping, Node, Scalar, describe

if TYPE_CHECKING:
    from dealcheck.model import Scenario

__all__ = [
    "EXACT_RED_LINES",
    "RED_LINE_KEYS",
    "RULE_KEYS",
    "TABLE_LIMIT",
    "UncertaintyReader",
    "confidence_warnings",
    "exact_number",
]

#: At most this many uncertain red lines for the exact answers that weigh every pattern of them (2**k patterns).
#: Here, not in :mod:`dealcheck.analysis.sweep` which uses them, so the loader can refuse a ``deal_probability``
#: claim that could not be answered exactly.
EXACT_RED_LINES = 14
#: The most full packages the sweep's table engine checks up front.
TABLE_LIMIT = 1 << 22

#: Keys a rule may carry for uncertainty; ``soft_if_wrong`` only on red lines.
RULE_KEYS = ("confidence", "confidence_reason")
RED_LINE_KEYS = ("soft_if_wrong",)
#: The warning code for a confidence without a reason (in the lint family DC7xx).
NO_REASON = "DC720"

_NUMBER = re.compile(r"[0-9]{1,15}(?:\.[0-9]{1,15})?|[0-9]{1,15}/[0-9]{1,15}")


def exact_number(text: str) -> Fraction | None:
    """An exact non-negative number from a decimal or a fraction as written, or ``None``.

    >>> exact_number("0.7"), exact_number("2/3"), exact_number("3"), exact_number("1e3"), exact_number("-1")
    (Fraction(7, 10), Fraction(2, 3), Fraction(3, 1), None, None)
    """
    if not _NUMBER.fullmatch(text):
        return None
    try:
        return Fraction(text)
    except ZeroDivisionError:
        return None


class UncertaintyReader:
    """Methods the loader's reader gains: it provides ``error``, ``boolean``, ``keys`` and ``optional_string``."""

    error: Any
    boolean: Any
    keys: Any
    optional_string: Any

    def number(self, node: Node, what: str) -> Fraction | None:
        if isinstance(node, Invalid):
            return None
        if isinstance(node, Scalar) and node.plain:
            value = exact_number(node.value)
            if value is not None:
                return value
        shown = f" {node.value!r}" if isinstance(node, Scalar) else ""
        hint = "remove the quotes" if isinstance(node, Scalar) and not node.plain and exact_number(node.value) else None
        self.error(
            "DC111",
            f"{what} must be a number (a decimal like 0.7 or a fraction like 2/3), found {describe(node)}{shown}",
            node,
            hint or "write a decimal like 0.7 or a fraction like 2/3",
        )
        return None

    def confidence(self, entries: dict[str, tuple[Scalar, Node]], what: str) -> dict[str, Any]:
        """``confidence``, ``confidence_reason`` and ``soft_if_wrong`` of one rule, as Rule fields."""
        out: dict[str, Any] = {}
        if "confidence" in entries:
            node = entries["confidence"][1]
            c = self.number(node, f"the confidence of {what}")
            if c is not None and not 0 < c <= 1:
                self.error(
                    "DC111",
                    f"the confidence of {what} must be above 0 and at most 1, found {node.value}",  # type: ignore[union-attr]
                    node,
                    "a confidence is the probability that the position holds as written"
                    + ("; a rule that never holds is better dropped" if c == 0 else ""),
                )
                c = None
            out["confidence"] = c
        reason = self.optional_string(entries, "confidence_reason", f"the confidence reason of {what}")
        if reason is not None:
            out["confidence_reason"] = reason
            if "confidence" not in entries:
                self.error(
                    "DC111",
                    f"{what} gives a confidence_reason but no confidence",
                    entries["confidence_reason"][0],
                    "add confidence: the probability that the position holds as written (for example 0.7)",
                )
        if "soft_if_wrong" in entries:
            soft = self.boolean(entries["soft_if_wrong"][1], f"soft_if_wrong of {what}")
            if soft and "confidence" not in entries:
                self.error(
                    "DC111",
                    f"{what} is soft_if_wrong but has no confidence, so it is never wrong",
                    entries["soft_if_wrong"][0],
                    "add confidence: the probability that the red line holds as written",
                )
            out["soft_if_wrong"] = bool(soft)
        return out

    def weight_spec(self, node: Mapping, what: str) -> tuple[Fraction | None, tuple[Fraction, Fraction] | None]:
        """``{value: 2, range: [1, 3]}``: the weight every exact analysis uses, and the range a sweep draws from."""
        e = self.keys(node, ("value", "range"), f"in {what}", required=("value", "range"))
        value = self.number(e["value"][1], f"the value of {what}") if "value" in e else None
        if value is not None and value <= 0:
            self.error(
                "DC111", f"the value of {what} must be positive, found {value}", e["value"][1], "write 1 or more"
            )
            value = None
        bounds: tuple[Fraction, Fraction] | None = None
        if "range" in e:
            r = e["range"][1]
            items = getattr(r, "items", None)
            if not isinstance(items, tuple) or isinstance(r, Mapping) or len(items) != 2:
                self.error("DC108", f"the range of {what} must be a list [low, high], found {describe(r)}", r)
            else:
                lo, hi = (self.number(x, f"a bound of the range of {what}") for x in items)
                if lo is not None and hi is not None:
                    if not 0 < lo <= hi:
                        self.error(
                            "DC111",
                            f"the range of {what} must be [low, high] with 0 < low <= high, found [{lo}, {hi}]",
                            r,
                            "write the lower bound first, both positive, for example [1, 3]",
                        )
                    elif value is not None and not lo <= value <= hi:
                        self.error(
                            "DC111",
                            f"the value of {what} ({value}) is outside its range [{lo}, {hi}]",
                            e["value"][1],
                            "the value is the weight every exact analysis uses: it must lie in the range",
                        )
                    else:
                        bounds = (lo, hi)
        return value, bounds


def confidence_warnings(scenario: Scenario) -> Iterator[Diagnostic]:
    """A DC720 warning for each rule with a confidence but no reason (on the rule, or the scenario's default).

    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {nato: [member, neutral]}
    ... parties:
    ...   russia: {red_lines: {no_nato: {rule: nato != "member", assumption: toy, confidence: 0.7}}}
    ... ''')
    >>> [str(d) for d in confidence_warnings(s)]
    ['<string>:6:24: warning[DC720]: russia.no_nato has a confidence (0.7) but no reason for it']
    """
    if scenario.confidence_reason is not None:
        return
    for rule in scenario.rules():
        if rule.confidence is not None and rule.confidence_reason is None:
            yield Diagnostic(
                NO_REASON,
                f"{rule.ref} has a confidence ({decimal(rule.confidence)}) but no reason for it",
                rule.span,
                "add confidence_reason: why the position may not hold (or a scenario-level confidence_reason)",
                Severity.WARNING,
            )


def decimal(x: Fraction, places: int = 6) -> str:
    """A fraction as the shortest decimal that is exact, or rounded to ``places`` places.

    >>> decimal(Fraction(7, 10)), decimal(Fraction(1)), decimal(Fraction(2, 3))
    ('0.7', '1', '0.666667')
    """
    n = round(x * 10**places)
    return f"{n // 10**places}.{n % 10**places:0{places}d}".rstrip("0").rstrip(".")
