"""Linear additive utilities and reservation values in the scenario format (Genius/NegMAS style), exact.

A party may declare, besides (or instead of) demands::

    utility:
      weights: {price: 0.5, delivery: 0.3, warranty: 0.2}    # decimals (or fractions like 1/3), exact
      values:
        price: {"$3.17": 1, "$3.22": 0.9, "$3.28": 0.75}     # per-option value in [0, 1]; options left out are 0
        delivery: {ordered: linear}                           # first option 0 ... last option 1, evenly
        warranty: {ordered: linear_down}                      # first option 1 ... last option 0
      normalise: none                                         # or per_issue: each issue's values / its best value
      source: profile                                         # source + quote, or assumption, as for a rule
      quote: "..."
    accepts_at: 0.62        # reservation value, or {value: 0.62, source: s, quote: "..."}

How a utility and demands combine: each issue ``i`` of the utility counts as a demand of weight ``w_i`` met to the
degree ``v_i(option)``. A party's score on a package is therefore

    (met demand weight + sum_i w_i * v_i(x_i)) / (total demand weight + sum_i w_i)

which for a utility alone whose weights sum to 1 and whose best value per issue is 1 is exactly Genius's utility.
The loader compiles each option with a positive value into a demand ``term == option`` of weight ``w_i * v``
(its id ``term=option``, its source the utility's), so every analysis and backend sees plain demands;
:attr:`dealcheck.model.Party.utility` keeps the profile as declared, and the party's total counts ``w_i`` per
issue, not the compiled weights.

Normalisation: ``none`` (the default) uses the values as written, as NegMAS does; ``per_issue`` divides each
issue's values by the largest value of that issue, as Genius does with evaluations (so the best option of every
issue is worth its full weight). The default is ``none`` because a value written in the file should mean what it
says; ``dealcheck import genius`` writes values already divided per issue (Genius's reading of its own files).

``accepts_at`` is the party's reservation value: a red line ``score >= accepts_at`` (id ``accepts_at``, kept with
its source, checked by every backend like any red line), and the disagreement point the objectives measure gains
from (:mod:`dealcheck.analysis.objectives`). All numbers are :class:`~fractions.Fraction` from the decimal text,
never binary floats.
"""

from __future__ import annotations

import re
from fractions import Fraction
from typing import Any

from dealcheck.model import Rule, RuleKind, Utility, UtilityIssue
from dealcheck.rules.ir import BoolExpr, CmpOp, Compare, Const, IsTrue, Not, Var
from dealcheck.rules.terms import MAX_LISTED_VALUES, BoolDomain, IntDomain, OptionsDomain, Term
from dealcheck.yamlnodes import Invalid, Mapping, Node, Scalar, describe

__all__ = ["NORMALISE", "UTILITY_KEYS", "UtilityReader", "decimal_number", "exact_text"]

#: ``normalise:`` choices; the first is the default.
NORMALISE = ("none", "per_issue")
UTILITY_KEYS = ("weights", "values", "normalise", "source", "quote", "assumption", "description")
_SHORTHANDS = ("linear", "linear_down")

_DECIMAL = re.compile(r"[0-9]{1,40}(?:\.[0-9]{1,40})?|[0-9]{1,40}/[0-9]{1,40}")


def decimal_number(text: str) -> Fraction | None:
    """An exact non-negative number from a decimal (up to 40 digits each side, as Genius files carry 17) or a
    fraction as written; ``None`` otherwise.

    >>> decimal_number("0.4452125771655631"), decimal_number("2/3"), decimal_number("1e-3"), decimal_number("1/0")
    (Fraction(4452125771655631, 10000000000000000), Fraction(2, 3), None, None)
    """
    if not _DECIMAL.fullmatch(text):
        return None
    try:
        return Fraction(text)
    except ZeroDivisionError:
        return None


def exact_text(x: Fraction) -> str:
    """An exact decimal as text: ``Fraction(1, 4)`` -> ``"0.25"``; a fraction with no finite decimal as ``"1/3"``.

    >>> exact_text(Fraction(1, 4)), exact_text(Fraction(5)), exact_text(Fraction(-3, 8)), exact_text(Fraction(1, 3))
    ('0.25', '5', '-0.375', '1/3')
    """
    x = Fraction(x)
    d = x.denominator
    twos = fives = 0
    while d % 2 == 0:
        d //= 2
        twos += 1
    while d % 5 == 0:
        d //= 5
        fives += 1
    if d != 1:
        return str(x)
    places = max(twos, fives)
    if places == 0:
        return str(x.numerator)
    scaled = abs(x.numerator) * 10**places // x.denominator
    digits = str(scaled).rjust(places + 1, "0")
    return ("-" if x < 0 else "") + digits[:-places] + "." + digits[-places:]


def option_condition(term: Term, code: int) -> BoolExpr:
    """The checked condition "``term`` takes ``code``" (as the checker lowers ``term == value``)."""
    if isinstance(term.domain, BoolDomain):
        return IsTrue(term.index) if code else Not(IsTrue(term.index))
    return Compare(CmpOp.EQ, Var(term.index), Const(code))


def option_text(term: Term, code: int) -> str:
    """The rule text of :func:`option_condition`, as a user would write it."""
    value = term.decode(code)
    if isinstance(term.domain, BoolDomain):
        return term.name if value else f"not {term.name}"
    if isinstance(term.domain, IntDomain):
        return f"{term.name} == {value}"
    escaped = str(value).replace("\\", "\\\\").replace('"', '\\"')
    return f'{term.name} == "{escaped}"'


class UtilityReader:
    """Methods the loader's reader gains (it provides ``error``, ``keys``, ``mapping``, ``optional_string``,
    ``span``, ``terms`` and ``sources``)."""

    error: Any
    keys: Any
    mapping: Any
    optional_string: Any
    span: Any
    terms: dict[str, Term]
    sources: dict[str, Any]

    def exact(self, node: Node, what: str, *, at_most_one: bool = False) -> Fraction | None:
        """A non-negative exact number (decimal or fraction); DC111 otherwise."""
        if isinstance(node, Invalid):
            return None
        if isinstance(node, Scalar) and node.plain:
            value = decimal_number(node.value.strip())
            if value is not None:
                if at_most_one and value > 1:
                    self.error("DC111", f"{what} must be between 0 and 1, found {node.value}", node, "write 0 to 1")
                    return None
                return value
        shown = f" {node.value!r}" if isinstance(node, Scalar) else ""
        quoted = isinstance(node, Scalar) and not node.plain and decimal_number(node.value.strip()) is not None
        hint = "remove the quotes" if quoted else "write a decimal like 0.25 or a fraction like 1/3 (not negative)"
        self.error("DC111", f"{what} must be a non-negative number, found {describe(node)}{shown}", node, hint)
        return None

    def provenance(self, e: dict[str, tuple[Scalar, Node]], what: str, owner: Node) -> dict[str, Any] | None:
        """``source`` + ``quote`` or ``assumption`` (the rule's DC311/DC307 checks), as Rule keyword arguments."""
        source = self.optional_string(e, "source", f"the source of {what}")
        quote = self.optional_string(e, "quote", f"the quote of {what}")
        assumption = self.optional_string(e, "assumption", f"the assumption of {what}")
        if quote is not None and assumption is not None:
            self.error("DC311", f"{what} has both a quote and an assumption", e["assumption"][0], "keep one")
            return None
        if quote is not None and source is None:
            self.error("DC311", f"the quote of {what} needs a source", e["quote"][0], "add source: <id of a source>")
            return None
        if source is not None and quote is None:
            self.error("DC311", f"{what} names a source but quotes nothing from it", e["source"][0], "add quote:")
            return None
        if quote is None and assumption is None:
            self.error(
                "DC311",
                f"{what} needs either source and quote, or an assumption",
                owner,
                "add source and quote, or assumption: where the numbers come from",
            )
            return None
        if source is not None and source not in self.sources:
            hint = "declare it under sources" if not self.sources else "the sources are " + ", ".join(self.sources)
            self.error("DC307", f"unknown source {source!r} in {what}", e["source"][1], hint)
            return None
        out: dict[str, Any] = {"source": source, "quote": quote, "assumption": assumption}
        if quote is not None:
            out["quote_span"] = self.span(e["quote"][1])
        return out

    def read_utility(self, party: str, key: Scalar, node: Node) -> tuple[Utility, list[Rule], dict[str, Any]] | None:
        """The profile, the demands it compiles to and its provenance; ``None`` (errors reported) when unusable."""
        what = f"the utility of party {party}"
        m = self.mapping(node, f"a mapping for {what} (weights, values, source + quote or assumption)")
        if m is None:
            return None
        e = self.keys(m, UTILITY_KEYS, f"in {what}", required=("weights",), owner=key)
        normalise = "none"
        if "normalise" in e:
            n = e["normalise"][1]
            if isinstance(n, Scalar) and n.value in NORMALISE:
                normalise = n.value
            else:
                self.error(
                    "DC111",
                    f"normalise of {what} must be one of {', '.join(NORMALISE)}, found {describe(n)}",
                    n,
                    "none uses the values as written (NegMAS); per_issue divides by each issue's best (Genius)",
                )
        prov = self.provenance(e, what, key)
        weights: dict[str, tuple[Fraction, Scalar]] = {}
        if "weights" in e:
            wm = self.mapping(e["weights"][1], f"a mapping term: weight in {what}")
            for k, v in wm.items if wm else ():
                if k.value not in self.terms:
                    hint = "the terms are " + ", ".join(self.terms) if self.terms else None
                    self.error("DC301", f"unknown term {k.value!r} in the weights of {what}", k, hint)
                    continue
                w = self.exact(v, f"the weight of {k.value} in {what}")
                if w is not None:
                    weights[k.value] = (w, k)
            if wm is not None and not wm.items:
                self.error("DC108", f"{what} weighs no term", wm, "give weights: {term: 0.5, ...}")
        values: dict[str, tuple[Fraction, ...]] = {}
        vm = self.mapping(e["values"][1], f"a mapping term: values in {what}") if "values" in e else None
        for k, v in vm.items if vm else ():
            term = self.terms.get(k.value)
            if term is None:
                hint = "the terms are " + ", ".join(self.terms) if self.terms else None
                self.error("DC301", f"unknown term {k.value!r} in the values of {what}", k, hint)
                continue
            if k.value not in weights:
                self.error(
                    "DC111",
                    f"{what} gives values for {k.value} but no weight",
                    k,
                    f"add {k.value} under weights, or drop its values",
                )
                continue
            read = self.read_option_values(term, v, f"the values of {k.value} in {what}")
            if read is not None:
                values[k.value] = read
        for name, (_, k) in weights.items():
            if name not in values and "values" in e and name not in {x.value for x, _ in (vm.items if vm else ())}:
                self.error(
                    "DC109",
                    f"{what} weighs {name} but gives it no values",
                    k,
                    f"add values: {{{name}: {{ordered: linear}}}} or a value per option",
                )
        if prov is None or len(values) != len(weights) or "values" not in e:
            if "values" not in e and "weights" in e:
                self.error("DC109", f"missing required key 'values' in {what}", key)
            return None
        issues = []
        demands: list[Rule] = []
        for name, (w, _) in weights.items():
            term = self.terms[name]
            vals = values[name]
            declared = None
            if normalise == "per_issue":
                best = max(vals, default=Fraction(0))
                declared, vals = vals, tuple(x / best if best else x for x in vals)
            issues.append(UtilityIssue(name, w, vals, declared))
            for code, x in zip(term.domain.codes, vals, strict=True):
                if x and w:
                    demands.append(
                        Rule(
                            party=party,
                            id=f"{name}={_option_names(term)[code - term.domain.codes.start]}",
                            kind=RuleKind.DEMAND,
                            text=option_text(term, code),
                            expr=option_condition(term, code),
                            weight=w * x,
                            description=f"utility: weight {name} {w} x value {x}",
                            span=self.span(key),
                            graded=True,
                            **prov,
                        )
                    )
        return Utility(tuple(issues), normalise), demands, prov

    def read_option_values(self, term: Term, node: Node, what: str) -> tuple[Fraction, ...] | None:
        """Per code (domain order) the value of each option of ``term``: a mapping option: value, or a shorthand."""
        m = self.mapping(node, f"a mapping option: value, or {{ordered: linear}}, for {what}")
        if m is None:
            return None
        if term.size > MAX_LISTED_VALUES:  # a demand per value: a wide range would make billions
            self.error(
                "DC505",
                f"{what}: term {term.name} holds {term.size:,} values, and a utility gives each value a demand "
                f"(at most {MAX_LISTED_VALUES:,})",
                node,
                "narrow the range (a coarser unit), or write the party's wishes about it as demands with rules",
            )
            return None
        codes = list(term.domain.codes)
        shorthand = m.get("ordered")
        if shorthand is not None and len(m.items) == 1 and "ordered" not in _option_names(term):
            k, v = shorthand
            if not (isinstance(v, Scalar) and v.value in _SHORTHANDS):
                self.error(
                    "DC111",
                    f"ordered: in {what} must be linear or linear_down, found {describe(v)}",
                    v,
                    "linear: first option 0 up to last option 1; linear_down: first 1 down to last 0",
                )
                return None
            n = len(codes)
            if n == 1:
                return (Fraction(1),)
            steps = tuple(Fraction(i, n - 1) for i in range(n))
            return steps if v.value == "linear" else steps[::-1]
        out = dict.fromkeys(codes, Fraction(0))
        ok = True
        for k, v in m.items:
            code = _code(term, k.value)
            if code is None:
                hint = "the options are " + ", ".join(_option_names(term))
                self.error("DC302", f"unknown option {k.value!r} of {term.name} in {what}", k, hint)
                ok = False
                continue
            x = self.exact(v, f"the value of {k.value} in {what}", at_most_one=True)
            if x is None:
                ok = False
                continue
            out[code] = x
        return tuple(out[c] for c in codes) if ok else None

    def read_accepts_at(
        self, party: str, key: Scalar, node: Node, utility_prov: dict[str, Any] | None
    ) -> tuple[Fraction, dict[str, Any], str] | None:
        """``accepts_at: 0.62`` or ``{value: 0.62, source:, quote:}``: the value, its provenance, its text."""
        what = f"the reservation value (accepts_at) of party {party}"
        if isinstance(node, Mapping):
            e = self.keys(
                node, ("value", "source", "quote", "assumption"), f"in {what}", required=("value",), owner=key
            )
            value = self.exact(e["value"][1], what, at_most_one=True) if "value" in e else None
            prov = self.provenance(e, what, key)
            if value is None or prov is None:
                return None
            text = e["value"][1].value if isinstance(e["value"][1], Scalar) else str(value)
            return value, prov, text
        value = self.exact(node, what, at_most_one=True)
        if value is None:
            return None
        prov = dict(utility_prov) if utility_prov else {"source": None, "quote": None}
        if prov.get("quote") is None:
            prov = {"source": None, "quote": None, "assumption": "the party's stated reservation value"}
        return value, prov, node.value if isinstance(node, Scalar) else str(value)


def _option_names(term: Term) -> list[str]:
    if isinstance(term.domain, OptionsDomain):
        return list(term.domain.options)
    return [str(term.decode(c)).lower() if isinstance(term.domain, BoolDomain) else str(c) for c in term.domain.codes]


def _code(term: Term, text: str) -> int | None:
    if isinstance(term.domain, OptionsDomain):
        return term.domain.options.index(text) if text in term.domain.options else None
    if isinstance(term.domain, BoolDomain):
        return {"true": 1, "false": 0}.get(text)
    try:
        value = int(text)
    except ValueError:
        return None
    return value if value in term.domain.codes else None
