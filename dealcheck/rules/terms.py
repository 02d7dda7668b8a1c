"""Terms and their finite domains: what a rule can talk about.

Every value is held as an integer *code* once loaded, so engines see one kind of value:

- an option term's code is the option's position in its list (so ``<`` on an ordered term compares codes);
- a boolean term's code is 0 (false) or 1 (true);
- an integer term's code is the integer itself.

``encode``/``decode`` convert between codes and the values a user writes (``str``, ``bool``, ``int``).
"""

from __future__ import annotations

import operator

import attrs

from dealcheck.errors import TextRange
from dealcheck.suggest import listing

__all__ = ["MAX_LISTED_VALUES", "BoolDomain", "Domain", "IntDomain", "OptionsDomain", "Term", "Value"]

#: The most values of one term that a component visiting every value takes (python-constraint2 and brute force
#: list each domain; explain, report grids, utilities and sweeps go value by value). Wider integer ranges are
#: allowed (bounds up to 2**62 - 1): counting and explore treat them as intervals, CP-SAT holds them as bounds; what
#: visits every value refuses them with a usage error naming what to use instead
#: (:func:`dealcheck.solver.base.refuse_wide`).
MAX_LISTED_VALUES = 1_000_000

Value = str | bool | int


@attrs.frozen
class OptionsDomain:
    """A list of named options; ``ordered`` allows ``< <= > >=`` by position in the list."""

    options: tuple[str, ...]
    ordered: bool = False

    @property
    def codes(self) -> range:
        return range(len(self.options))

    @property
    def kind(self) -> str:
        return "options"

    def describe(self) -> str:
        return ("ordered options " if self.ordered else "options ") + ", ".join(self.options)


@attrs.frozen
class BoolDomain:
    @property
    def codes(self) -> range:
        return range(2)

    @property
    def kind(self) -> str:
        return "bool"

    def describe(self) -> str:
        return "true or false"


@attrs.frozen
class IntDomain:
    """The integers ``lo..hi``, both included."""

    lo: int
    hi: int

    @property
    def codes(self) -> range:
        return range(self.lo, self.hi + 1)

    @property
    def kind(self) -> str:
        return "int"

    def describe(self) -> str:
        return f"an integer from {self.lo} to {self.hi}"


Domain = OptionsDomain | BoolDomain | IntDomain


@attrs.frozen
class Term:
    """One negotiable dimension of a deal.

    >>> t = Term("ceasefire", 0, OptionsDomain(("none", "energy", "full"), ordered=True))
    >>> t.encode("energy"), t.decode(2), t.size
    (1, 'full', 3)
    >>> Term("aid_bn", 1, IntDomain(0, 60)).encode(43)
    43
    """

    name: str
    index: int
    domain: Domain
    description: str | None = None
    unit: str | None = None
    where: TextRange | None = attrs.field(default=None, eq=False, repr=False)
    #: What changing this term costs when ``repair`` looks for the nearest deal (default 1 per changed term).
    change_cost: int = 1
    #: An integer term whose change costs ``change_cost`` per unit of difference (``change_cost: {per_unit: N}``).
    change_per_unit: bool = False

    @property
    def size(self) -> int:
        return len(self.domain.codes)

    def encode(self, value: Value) -> int:
        """The code of ``value``; ``ValueError`` when it is not in the domain or of the wrong type.

        NumPy scalars count as what they hold (``numpy.int64(3)``, ``numpy.bool_(True)``), as in ``check_many``.
        """
        match self.domain:
            case OptionsDomain(options=options):
                if isinstance(value, str) and value in options:
                    return options.index(value)
                raise ValueError(f"{value!r} is not an option of {self.name} ({listing(options)})")
            case BoolDomain():
                if isinstance(value, bool) or _is_numpy_bool(value):
                    return int(bool(value))
                raise ValueError(f"{self.name} is a boolean: its value is true or false, not {value!r}")
            case IntDomain(lo=lo, hi=hi):
                if not isinstance(value, bool) and not _is_numpy_bool(value):
                    try:
                        # int, and integer scalars such as numpy.int64; not 3.0 (nor a str: TypeError too)
                        number = operator.index(value)  # type: ignore[arg-type]
                    except TypeError:
                        pass
                    else:
                        if lo <= number <= hi:
                            return number
                        raise ValueError(f"{number} is outside the range of {self.name} ({lo}..{hi})")
                raise ValueError(f"{self.name} is an integer from {lo} to {hi}, not {value!r}")
        raise AssertionError(self.domain)  # pragma: no cover

    def decode(self, code: int) -> Value:
        match self.domain:
            case OptionsDomain(options=options):
                return options[code]
            case BoolDomain():
                return bool(code)
            case IntDomain():
                return code
        raise AssertionError(self.domain)  # pragma: no cover


def _is_numpy_bool(value: object) -> bool:
    """``numpy.bool_`` without importing NumPy (it is not a ``bool``, and ``operator.index`` accepts it)."""
    return type(value).__module__ == "numpy" and type(value).__name__ in ("bool_", "bool")
