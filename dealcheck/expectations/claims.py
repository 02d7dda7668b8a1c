"""The ``expect:`` schema: the keys an expectation may have, how its counts, scores and probabilities are written,
and one typed class per kind of claim.

An :class:`Expectation` holds an :class:`Entry` (its subject and its claims, each an instance of one of the claim
classes below) built once: by the loader from YAML, where every shape error is reported at its ``file:line:col``
with its DC code, or by :meth:`Entry.from_data` from a mapping written in code (``Expectation({"deals": 2})``), where
a shape error becomes a :class:`Malformed` entry that the runner reports as a failed expectation with its sentence.
The runner (:mod:`dealcheck.expectations.run`) then dispatches on the claim classes; it checks no shapes.

The claim classes, in the order a description lists them and the runner checks them (:data:`CLAIM_KEYS`):

=========================  ===============================================================================
``deal``                    :class:`DealClaim`
``deal_possible``           :class:`DealPossibleClaim`
``breaks/keeps/meets``      :class:`RulesClaim` (``kind`` is the key)
``(not_)acceptable_to``     :class:`PartiesClaim` (``acceptable`` says which)
``forced``                  :class:`ForcedClaim`
``deals``                   :class:`CountClaim`
``deal_probability``        :class:`ProbabilityClaim`
``options``                 :class:`OptionsClaim`
``conflicts``               :class:`ConflictCountClaim` (a count) or :class:`ConflictsClaim` (sets)
``concessions``             :class:`ConcessionsClaim`
``concession``              :class:`ConcessionClaim`
``best``                    :class:`BestClaim`
``nearest``                 :class:`NearestClaim`
=========================  ===============================================================================

This module sits with the loader, below the solvers: it imports only the standard library, attrs and the error
types. Rejected: keeping each entry as the dict it was written as, with the runner re-checking its shape (it did,
with sentences of its own that drifted from the loader's).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Iterable, Mapping
from fractions import Fraction
from typing import Any, ClassVar

import attrs

from dealcheck.errors import Span

__all__ = [
    "ANALYSIS_KEYS",
    "CLAIM_KEYS",
    "COUNT",
    "EXPECT_KEYS",
    "OBJECTIVES",
    "PROBABILITY",
    "SCORE",
    "SUBJECT_KEYS",
    "BestClaim",
    "Claim",
    "ConcessionClaim",
    "ConcessionsClaim",
    "ConflictCountClaim",
    "ConflictsClaim",
    "Count",
    "CountClaim",
    "DealClaim",
    "DealPossibleClaim",
    "Entry",
    "Expectation",
    "ForcedClaim",
    "Malformed",
    "NearestClaim",
    "OptionsClaim",
    "PartiesClaim",
    "ProbabilityClaim",
    "RulesClaim",
    "parse_count",
    "parse_probability",
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
    "deal_probability",
    "options",
    "conflicts",
    "concessions",
    "concession",
    "best",
    "nearest",
)
#: Claims answered by the analyses over the subject's completions rather than by one package verdict.
ANALYSIS_KEYS = ("deals", "deal_probability", "options", "conflicts", "concessions", "concession", "best", "nearest")
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
#: A probability claim: an optional comparison and an exact number written as a score is (``">= 0.6"``, ``"1/3"``).
PROBABILITY = re.compile(r"\s*(==|!=|>=|<=|>|<)?\s*([0-9]{1,30}(?:/[0-9]{1,30}|\.[0-9]{1,30})?)\s*")

#: Each comparison and the words a failure sentence uses for it.
COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">=": operator.ge,
    "<=": operator.le,
    ">": operator.gt,
    "<": operator.lt,
}
OP_WORDS = {
    "==": "exactly",
    "!=": "other than",
    ">=": "at least",
    "<=": "at most",
    ">": "more than",
    "<": "fewer than",
}


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


def parse_probability(claim: Any) -> tuple[str, Fraction]:
    """The comparison and exact probability of a ``deal_probability:`` claim: ``">= 0.6"``, ``"< 1/3"``, ``"0.25"``
    (alone: ``==``), ``0``, ``1`` or a :class:`~fractions.Fraction`; between 0 and 1. ``ValueError`` with a sentence
    for anything else (a float included: 0.1 is not a tenth in binary, so it could never be compared exactly).

    >>> parse_probability(">= 0.6"), parse_probability("1/3"), parse_probability(1)
    (('>=', Fraction(3, 5)), ('==', Fraction(1, 3)), ('==', Fraction(1, 1)))
    """
    op, p = "==", None
    if isinstance(claim, Fraction) or (isinstance(claim, int) and not isinstance(claim, bool)):
        p = Fraction(claim)
    elif isinstance(claim, str) and (m := PROBABILITY.fullmatch(claim)):
        op = m.group(1) or "=="
        try:
            p = Fraction(m.group(2))
        except ZeroDivisionError:
            p = None
    if p is None or not 0 <= p <= 1:
        raise ValueError(
            "deal_probability: takes an exact probability between 0 and 1 with an optional comparison, such as "
            f'">= 0.6" or "1/3", not {claim!r}'
        )
    return op, p


def show(v: Any) -> str:
    """A value as a scenario file writes it (``true``, not ``True``)."""
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def _joined(refs: Iterable[str]) -> str:
    return " + ".join(refs)


# --- the claims ---------------------------------------------------------------------------------------------


@attrs.frozen
class Count:
    """A comparison with a whole number: ``deals: ">= 1"`` is ``Count(">=", 1)``."""

    op: str
    n: int

    def holds(self, value: int) -> bool:
        return COMPARE[self.op](value, self.n)

    @property
    def words(self) -> str:
        """``at least 1``, as failure sentences say it."""
        return f"{OP_WORDS[self.op]} {self.n}"

    def written(self) -> int | str:
        return self.n if self.op == "==" else f"{self.op} {self.n}"

    def __str__(self) -> str:
        return f"{self.op} {self.n}"


def _count(value: Any, key: str) -> Count:
    return Count(*parse_count(value, key))


@attrs.frozen
class DealClaim:
    """``deal: true|false``: the package is complete and every party accepts it (a partial package never is)."""

    key: ClassVar[str] = "deal"
    deal: bool

    def describe(self) -> str:
        return "deal" if self.deal else "no deal"

    def written(self) -> Any:
        return self.deal


@attrs.frozen
class DealPossibleClaim:
    """``deal_possible: true|false``: some completion of the package is a deal."""

    key: ClassVar[str] = "deal_possible"
    possible: bool

    def describe(self) -> str:
        return "deal possible" if self.possible else "no deal possible"

    def written(self) -> Any:
        return self.possible


@attrs.frozen
class RulesClaim:
    """``breaks`` (at least these red lines are broken), ``keeps`` (these red lines hold), ``meets`` (these demands
    are met): ``kind`` is the key, ``refs`` the ``party.rule`` references."""

    kind: str  # "breaks", "keeps" or "meets"
    refs: tuple[str, ...]

    @property
    def key(self) -> str:
        return self.kind

    def describe(self) -> str:
        return f"{self.kind} {', '.join(self.refs)}"

    def written(self) -> Any:
        return list(self.refs)


@attrs.frozen
class PartiesClaim:
    """``acceptable_to`` (``acceptable`` true) or ``not_acceptable_to``: the parties whose red lines all hold, or not."""

    acceptable: bool
    parties: tuple[str, ...]

    @property
    def key(self) -> str:
        return "acceptable_to" if self.acceptable else "not_acceptable_to"

    def describe(self) -> str:
        return f"{self.key.replace('_', ' ')} {', '.join(self.parties)}"

    def written(self) -> Any:
        return list(self.parties)


@attrs.frozen(hash=False)
class ForcedClaim:
    """``forced: {term: value}``: every deal completion of the package sets these terms to these values."""

    key: ClassVar[str] = "forced"
    values: Mapping[str, Any]

    def describe(self) -> str:
        return "forces " + ", ".join(f"{k}={show(v)}" for k, v in self.values.items())

    def written(self) -> Any:
        return dict(self.values)


@attrs.frozen
class CountClaim:
    """``deals: N`` or ``deals: ">= N"``: the number of deals (among the subject's completions), counted exactly."""

    key: ClassVar[str] = "deals"
    count: Count

    def describe(self) -> str:
        return f"deals {self.count}"

    def written(self) -> Any:
        return self.count.written()


@attrs.frozen
class ProbabilityClaim:
    """``deal_probability: ">= 0.6"``: the exact probability, under the scenario's confidences, that the subject is
    a deal (a partial subject: that some completion is), compared with an exact number."""

    key: ClassVar[str] = "deal_probability"
    op: str
    probability: Fraction
    shown: str  # as written, for descriptions and failure sentences

    def holds(self, p: Fraction) -> bool:
        return COMPARE[self.op](p, self.probability)

    def describe(self) -> str:
        return f"deal probability {self.op} {self.shown}"

    def written(self) -> Any:
        return f"{self.op} {self.shown}"


@attrs.frozen(hash=False)
class OptionsClaim:
    """``options: {term: [option, ...]}``: exactly these options of each listed term occur in some deal."""

    key: ClassVar[str] = "options"
    options: Mapping[str, tuple[Any, ...]]

    def describe(self) -> str:
        return "options " + ", ".join(
            f"{k}={'|'.join(show(x) for x in v)}" if v else f"{k} in no deal" for k, v in self.options.items()
        )

    def written(self) -> Any:
        return {k: list(v) for k, v in self.options.items()}


@attrs.frozen
class ConflictCountClaim:
    """``conflicts: N`` (or ``">= N"``): the number of minimal conflicts among all red lines; 0 means none."""

    key: ClassVar[str] = "conflicts"
    count: Count

    def describe(self) -> str:
        return f"conflicts {self.count}"

    def written(self) -> Any:
        return self.count.written()


@attrs.frozen
class ConflictsClaim:
    """``conflicts: [[party.red_line, ...], ...]``: each listed set is a minimal conflict of red lines."""

    key: ClassVar[str] = "conflicts"
    sets: tuple[tuple[str, ...], ...]

    def describe(self) -> str:
        return "conflicts " + "; ".join(_joined(s) for s in self.sets)

    def written(self) -> Any:
        return [list(s) for s in self.sets]


@attrs.frozen
class ConcessionsClaim:
    """``concessions: N``: the cheapest concession that opens a deal costs N (0 when a deal exists)."""

    key: ClassVar[str] = "concessions"
    count: Count

    def describe(self) -> str:
        return f"concessions {self.count}"

    def written(self) -> Any:
        return self.count.written()


@attrs.frozen
class ConcessionClaim:
    """``concession: [party.red_line, ...]``: dropping exactly these is one of the cheapest concessions."""

    key: ClassVar[str] = "concession"
    refs: tuple[str, ...]

    def describe(self) -> str:
        return "concession " + _joined(self.refs)

    def written(self) -> Any:
        return list(self.refs)


@attrs.frozen
class BestClaim:
    """``best: {score: S, objective: total|maximin|nash|kalai, parties: [...]}``: the best deal's objective value is
    exactly ``score`` (``shown`` as written); ``parties`` ``None`` means every party."""

    key: ClassVar[str] = "best"
    score: Fraction
    shown: str
    objective: str = "total"
    parties: tuple[str, ...] | None = None

    def describe(self) -> str:
        of = f" of {', '.join(self.parties)}" if self.parties else ""
        return f"best {self.objective}{of} == {self.shown}"

    def written(self) -> Any:
        out: dict[str, Any] = {"score": self.shown, "objective": self.objective}
        if self.parties is not None:
            out["parties"] = list(self.parties)
        return out


@attrs.frozen
class NearestClaim:
    """``nearest: {distance: N | none, keep: [term, ...]}``: the repair distance of the subject's nearest deal while
    holding ``keep`` at the subject's values; ``distance`` ``None`` means no deal can be reached."""

    key: ClassVar[str] = "nearest"
    distance: Count | None
    keep: tuple[str, ...] = ()

    def describe(self) -> str:
        keeping = f" keeping {', '.join(self.keep)}" if self.keep else ""
        if self.distance is None:
            return f"no deal reachable{keeping}"
        return f"nearest deal at distance {self.distance}{keeping}"

    def written(self) -> Any:
        out: dict[str, Any] = {"distance": "none" if self.distance is None else self.distance.written()}
        if self.keep:
            out["keep"] = list(self.keep)
        return out


#: Any one claim.
Claim = (
    DealClaim
    | DealPossibleClaim
    | RulesClaim
    | PartiesClaim
    | ForcedClaim
    | CountClaim
    | ProbabilityClaim
    | OptionsClaim
    | ConflictCountClaim
    | ConflictsClaim
    | ConcessionsClaim
    | ConcessionClaim
    | BestClaim
    | NearestClaim
)


# --- an entry -------------------------------------------------------------------------------------------------


@attrs.frozen(hash=False)
class Entry:
    """One entry of ``expect:``, shape-checked: its subject (``package`` id, ``values`` set on top, ``variant``
    applied first; none of them: the whole scenario) and its claims in :data:`CLAIM_KEYS` order."""

    claims: tuple[Claim, ...]
    package: str | None = None
    values: Mapping[str, Any] | None = None  # set:
    variant: str | None = None
    description: str | None = None

    @property
    def has_subject(self) -> bool:
        return self.package is not None or self.values is not None

    def describe(self) -> str:
        """The entry's own ``description``, or a short one made from its claims (see :func:`describe`)."""
        if self.description:
            return " ".join(self.description.split())
        subject = []
        if self.variant is not None:
            subject.append(f"[{self.variant}]")
        if self.package is not None:
            subject.append(self.package)
        if self.values is not None:
            subject.append("{" + ", ".join(f"{k}={show(v)}" for k, v in self.values.items()) + "}")
        head = " ".join(subject)
        body = ", ".join(c.describe() for c in self.claims)
        return f"{head}: {body}" if self.has_subject else f"{head} {body}".strip()

    def data(self) -> dict[str, Any]:
        """The entry as a mapping in the file's form (counts and probabilities normalised: ``">=1"`` -> ``">= 1"``)."""
        out: dict[str, Any] = {}
        if self.description is not None:
            out["description"] = self.description
        if self.package is not None:
            out["package"] = self.package
        if self.values is not None:
            out["set"] = dict(self.values)
        if self.variant is not None:
            out["variant"] = self.variant
        for c in self.claims:
            out[c.key] = c.written()
        return out

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> Entry | Malformed:
        """An entry from a mapping written in code, as the loader would read it from YAML; a :class:`Malformed`
        entry (with the sentence saying what is wrong) when its shape is wrong. Names (packages, rules, parties,
        terms, options) are resolved against the scenario when the entry runs.

        >>> Entry.from_data({"package": "p", "deals": ">= 1"}).claims
        (CountClaim(count=Count(op='>=', n=1)),)
        >>> Entry.from_data({"package": "p", "dael": True}).reason.startswith("unknown key 'dael' in expectation")
        True
        """
        try:
            return _from_data(data)
        except ValueError as e:
            return Malformed(str(e), data)


@attrs.frozen(hash=False)
class Malformed:
    """An entry written in code whose shape is wrong: it runs as a failed expectation with ``reason``."""

    reason: str
    raw: Any

    def describe(self) -> str:
        if isinstance(self.raw, Mapping) and self.raw.get("description"):
            return " ".join(str(self.raw["description"]).split())
        raise ValueError(self.reason)  # the runner names it by its position instead

    def data(self) -> Any:
        return self.raw


def _names(raw: Any, key: str) -> tuple[str, ...]:
    if raw is None:
        return ()
    if isinstance(raw, str):
        return (raw,)
    if isinstance(raw, Iterable) and not isinstance(raw, Mapping):
        return tuple(str(x) for x in raw)
    raise ValueError(f"{key}: takes a list of names, not {raw!r}")


def _red_lines(refs: Any, key: str) -> tuple[str, ...]:
    if isinstance(refs, str) or not isinstance(refs, Iterable) or isinstance(refs, Mapping):
        raise ValueError(f"{key}: takes a list of red lines (party.rule), not {refs!r}")
    out: list[str] = []
    for ref in refs:
        if str(ref) in out:
            raise ValueError(f"{ref} is listed twice in {key}")
        out.append(str(ref))
    if not out:
        raise ValueError(f"{key} lists no red line")
    return tuple(out)


def _known_keys(value: Mapping[str, Any], keys: tuple[str, ...], where: str) -> None:
    unknown = sorted(str(k) for k in value if k not in keys)
    if unknown:
        raise ValueError(f"unknown key {unknown[0]!r} in {where}; known keys are {', '.join(keys)}")


def _claim(key: str, value: Any) -> Claim:
    match key:
        case "deal":
            return DealClaim(bool(value))
        case "deal_possible":
            return DealPossibleClaim(bool(value))
        case "breaks" | "keeps" | "meets":
            return RulesClaim(key, _names(value, key))
        case "acceptable_to" | "not_acceptable_to":
            return PartiesClaim(key == "acceptable_to", _names(value, key))
        case "forced":
            if not isinstance(value, Mapping):
                raise ValueError("forced: must map terms to values, for example {ceasefire: energy}")
            return ForcedClaim(dict(value))
        case "deals":
            return CountClaim(_count(value, "deals"))
        case "deal_probability":
            op, p = parse_probability(value)
            shown = PROBABILITY.fullmatch(value).group(2) if isinstance(value, str) else str(p)  # type: ignore[union-attr]
            return ProbabilityClaim(op, p, shown)
        case "options":
            if not isinstance(value, Mapping):
                raise ValueError("options: must map terms to lists of options, for example {ceasefire: [none, energy]}")
            options: dict[str, tuple[Any, ...]] = {}
            for name, listed in value.items():
                if isinstance(listed, str) or not isinstance(listed, Iterable) or isinstance(listed, Mapping):
                    raise ValueError(f"options: takes a list of options per term, not {listed!r} for {name}")
                options[str(name)] = tuple(listed)
            return OptionsClaim(options)
        case "conflicts":
            if isinstance(value, (int, str)) and not isinstance(value, bool):
                return ConflictCountClaim(_count(value, "conflicts"))
            if not isinstance(value, Iterable) or isinstance(value, Mapping):
                raise ValueError(
                    f"conflicts: takes a count (conflicts: 0) or a list of sets of red lines, not {value!r}"
                )
            return ConflictsClaim(tuple(_red_lines(refs, "a conflict") for refs in value))
        case "concessions":
            return ConcessionsClaim(_count(value, "concessions"))
        case "concession":
            return ConcessionClaim(_red_lines(value, "concession"))
        case "best":
            if not isinstance(value, Mapping) or "score" not in value:
                raise ValueError('best: takes a mapping with the best deal\'s score, such as {score: "871/210"}')
            _known_keys(value, ("objective", "parties", "score"), "best")
            objective = str(value.get("objective") or "total")
            if objective not in OBJECTIVES:
                raise ValueError(f"unknown objective {objective!r} (the objectives are {', '.join(OBJECTIVES)})")
            parties = value.get("parties")
            return BestClaim(
                parse_score(value["score"]),
                str(value["score"]).strip(),
                objective,
                None if parties is None else _names(parties, "parties"),
            )
        case "nearest":
            if not isinstance(value, Mapping) or "distance" not in value:
                raise ValueError(
                    "nearest: takes a mapping with the distance of the nearest deal, such as {distance: 1}"
                )
            _known_keys(value, ("distance", "keep"), "nearest")
            distance = value["distance"]
            return NearestClaim(
                None if distance == "none" else _count(distance, "distance"), _names(value.get("keep"), "keep")
            )
    raise AssertionError(key)  # every key of CLAIM_KEYS is matched above


def _from_data(data: Mapping[str, Any]) -> Entry:
    if not isinstance(data, Mapping):
        raise ValueError(f"an expectation is a mapping such as {{'package': 'p', 'deal': True}}, not {data!r}")
    unknown = sorted(str(k) for k in data if k not in EXPECT_KEYS)
    if unknown:
        raise ValueError(
            f"unknown key {unknown[0]!r} in expectation; known keys are {', '.join(SUBJECT_KEYS + CLAIM_KEYS)}"
        )
    keys = [k for k in CLAIM_KEYS if k in data]
    if not keys:
        raise ValueError("the expectation claims nothing: give one of " + ", ".join(CLAIM_KEYS))
    values = data.get("set")
    if "set" in data and not isinstance(values, Mapping):
        raise ValueError("set: must map terms to values, for example {ceasefire: energy}")
    has_subject = data.get("package") is not None or values is not None
    if not has_subject:
        needing = [k for k in keys if k not in ANALYSIS_KEYS or k == "nearest"]
        if needing and needing[0] == "nearest":
            raise ValueError("nearest needs a proposal: give package: or set: in the expectation")
        if needing:
            raise ValueError(f"{needing[0]} needs a subject: give package: or set: in the expectation")
    package, variant, description = data.get("package"), data.get("variant"), data.get("description")
    return Entry(
        tuple(_claim(k, data[k]) for k in keys),
        None if package is None else str(package),
        None if values is None else dict(values),
        None if variant is None else str(variant),
        None if description is None else str(description),
    )


def _entry(value: Entry | Malformed | Mapping[str, Any]) -> Entry | Malformed:
    if isinstance(value, (Entry, Malformed)):
        return value
    return Entry.from_data(value)


@attrs.frozen(hash=False)
class Expectation:
    """One entry of ``expect:``: a claim about the scenario that ``dealcheck test`` checks.

    ``entry`` is the shape-checked :class:`Entry` (the loader builds it); a mapping in the file's form is accepted
    and converted (``Expectation({"package": "p", "deal": True})``), a malformed one into a :class:`Malformed` entry
    that fails when run.
    """

    entry: Entry | Malformed = attrs.field(converter=_entry)
    span: Span | None = attrs.field(default=None, eq=False, hash=False, repr=False)

    @property
    def data(self) -> Any:
        """The entry in the file's form (a mapping)."""
        return self.entry.data()
