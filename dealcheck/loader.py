"""Scenario file -> :class:`~dealcheck.model.Scenario`, with every problem in the file reported at once.

Comes in: a path or YAML text. Goes out: a scenario whose rules are checked and lowered, or one
:class:`~dealcheck.errors.ScenarioError` holding every diagnostic, sorted by position.

The passes, in order: read bytes (size, encoding, NUL) -> :func:`dealcheck.yamlnodes.compose` (YAML events to a
positioned node tree; tags, anchors, duplicate keys, depth) -> :class:`_Reader` (the format's shape, one method per
section, collecting diagnostics instead of stopping) -> :func:`dealcheck.rules.checker.compile_rule` for every rule,
its problems mapped from offsets in the rule's value to file positions by :func:`dealcheck.yamlnodes.value_offsets`.

Scalars arrive as the text the user wrote. A value becomes an ``int`` only where an integer belongs and only when it is
a plain ``[-+]?[0-9]+``; a ``bool`` only where a boolean belongs and only when it is a plain ``true`` or ``false``.
Everything else stays a string, so ``no``, ``on``, ``010`` and ``1:20`` are options as written (YAML 1.1 would have
turned them into ``False``, ``True``, ``8`` and ``80``).
"""

from __future__ import annotations

import difflib
import math
import os
import re
import stat
from collections.abc import Iterable
from fractions import Fraction
from typing import Any

import attrs

from dealcheck.errors import Diagnostic, ScenarioError, Span
from dealcheck.escape import unsafe_character
from dealcheck.expectations import claims
from dealcheck.model import Expectation, Package, Party, Rule, RuleKind, Scenario, Source, Variant, reservation_rule
from dealcheck.rules.checker import MAX_VALUE, compile_rule
from dealcheck.rules.ir import BoolExpr
from dealcheck.rules.parser import KEYWORDS
from dealcheck.rules.terms import BoolDomain, Domain, IntDomain, OptionsDomain, Term, Value
from dealcheck.suggest import closest_name, listing
from dealcheck.uncertainty import EXACT_RED_LINES, RED_LINE_KEYS, RULE_KEYS, TABLE_LIMIT, UncertaintyReader
from dealcheck.utility import UtilityReader
from dealcheck.yamlnodes import Invalid, Mapping, Node, Scalar, Sequence, SourceText, compose, describe, value_offsets

__all__ = [
    "MAX_BOUND",
    "MAX_FILE_BYTES",
    "MAX_INT",
    "MAX_RULE_CHARS",
    "load_scenario",
    "load_scenario_bytes",
    "load_scenario_file",
    "load_scenario_text",
]

#: Largest scenario file read (DC501).
MAX_FILE_BYTES = 2 * 1024 * 1024
#: Longest rule text (DC502).
MAX_RULE_CHARS = 10_000
#: Largest integer written in a scenario value (DC504).
MAX_INT = 10**15
#: Bounds of an integer term's range (DC505): what the checker and CP-SAT hold. A range may hold any number of values
#: within them: counting and reports treat ranges as intervals, and what must visit every value refuses a range too
#: wide for it (:data:`dealcheck.solver.base.MAX_LISTED_VALUES`) with a usage error naming what to use instead.
MAX_BOUND = MAX_VALUE
#: The values all integer ranges of a scenario may hold together (DC505): CP-SAT sums its variables' domains in 64
#: bits.
MAX_RANGE_TOTAL = 2**62
#: Diagnostics shown from one file; a generated file with a million errors would otherwise print a million lines.
MAX_DIAGNOSTICS = 200

_ID = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_INT = re.compile(r"[-+]?[0-9]+")
_BOOL_LIKE = {"yes", "no", "on", "off", "y", "n", "True", "False", "TRUE", "FALSE", "Yes", "No", "YES", "NO"}


# --- entry points ---------------------------------------------------------------------------------------------


def load_scenario(source: str | os.PathLike[str], *, name: str | None = None) -> Scenario:
    """A scenario from a file path, or from YAML text when ``source`` is a ``str`` containing a newline.

    Raises :class:`~dealcheck.errors.ScenarioError` with every problem in the file; never another exception.

    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {nato: [member, neutral], aid: {range: [0, 10]}}
    ... parties: {russia: {red_lines: {no_nato: {rule: nato != "member", assumption: toy}}}}
    ... packages: {p: {terms: {nato: neutral}}}
    ... ''')
    >>> [t.name for t in s.terms], s.packages[0].values, s.path
    (['nato', 'aid'], {'nato': 'neutral'}, '<string>')
    >>> try:
    ...     load_scenario("dealcheck: 1\\ntitel: Toy\\nterms: {a: bool}\\nparties: {p: {}}\\n", name="t.yaml")
    ... except ScenarioError as e:
    ...     print(e.diagnostics[0], "|", e.diagnostics[0].hint)
    t.yaml:2:1: error[DC107]: unknown key 'titel' at the top of the scenario | did you mean 'title'?
    """
    if isinstance(source, str) and "\n" in source:
        return load_scenario_text(source, name if name is not None else "<string>")
    return load_scenario_file(source, name=name)


def load_scenario_file(path: str | os.PathLike[str], *, name: str | None = None) -> Scenario:
    """A scenario from the file at ``path``; ``name`` (default: the path as given) is the file name in diagnostics."""
    display = name if name is not None else os.fspath(path)
    text = _read_file(path, display)
    return load_scenario_text(text, display)


def load_scenario_bytes(data: bytes, name: str = "<bytes>") -> Scenario:
    """A scenario from the raw bytes of a file (for example stdin): checked for size, NUL bytes and UTF-8 first."""
    return load_scenario_text(_decode(data, name), name)


def load_scenario_text(text: str, name: str = "<string>") -> Scenario:
    """A scenario from YAML ``text``; ``name`` is the file name diagnostics and :attr:`Scenario.path` show."""
    if text.startswith("\ufeff"):
        text = text[1:]
    if len(text) > MAX_FILE_BYTES or (len(text) > MAX_FILE_BYTES // 4 and _utf8_len(text) > MAX_FILE_BYTES):
        _fail(name, "DC501", f"the scenario is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    source = SourceText(text, name)
    nul = text.find("\0")
    if nul >= 0:
        raise ScenarioError(
            [Diagnostic("DC100", "the file contains a NUL character; it is not a text file", source.span(nul))],
            source.lines,
        )
    if not text.strip():
        _fail(name, "DC112", "the scenario is empty", "start from docs/scenario-format.md or scenarios/example.yaml")
    root, problems = compose(source)
    if root is None and not problems:
        _fail(name, "DC112", "the scenario holds no YAML document, only comments")
    reader = _Reader(source, problems)
    scenario = reader.scenario(root) if root is not None else None
    if reader.problems or scenario is None:
        raise ScenarioError(_finish(reader.problems), source.lines)
    return scenario


def _utf8_len(text: str) -> int:
    return len(text.encode("utf-8", "surrogatepass"))


def _fail(name: str, code: str, message: str, hint: str | None = None) -> None:
    raise ScenarioError([Diagnostic(code, message, Span(name, 1, 1), hint=hint)])


def _finish(problems: list[Diagnostic]) -> list[Diagnostic]:
    ordered = sorted(problems, key=lambda d: (d.span.line, d.span.column) if d.span else (0, 0))
    if len(ordered) > MAX_DIAGNOSTICS:
        more = len(ordered) - MAX_DIAGNOSTICS
        ordered = ordered[:MAX_DIAGNOSTICS]
        ordered.append(
            Diagnostic(
                "DC506",
                f"{more} or more further problems are not shown",
                None,
                hint="fix the problems above and run again",
            )
        )
    return ordered


_KINDS = {
    stat.S_IFIFO: "a FIFO (named pipe)",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
    stat.S_IFSOCK: "a socket",
}


def _read_file(path: str | os.PathLike[str], display: str) -> str:
    """The file's text: checked for size before it is read, then for NUL bytes and UTF-8."""
    try:
        info = os.stat(path)
    except FileNotFoundError:
        _fail(display, "DC100", f"cannot read {display!r}: no such file")
    except OSError as e:
        _fail(display, "DC100", f"cannot read {display!r}: {e.strerror or e}")
    if stat.S_ISDIR(info.st_mode):
        _fail(display, "DC100", f"{display!r} is a directory, not a scenario file")
    if not stat.S_ISREG(info.st_mode):
        # A FIFO would block the read forever and a device (/dev/zero) never ends: only regular files are read.
        _fail(
            display,
            "DC100",
            f"{display!r} is {_KINDS.get(stat.S_IFMT(info.st_mode), 'not a regular file')}, not a scenario file",
            "give a regular file, or '-' to read standard input",
        )
    if info.st_size > MAX_FILE_BYTES:
        _fail(
            display,
            "DC501",
            f"the file is {info.st_size} bytes; a scenario may be at most {MAX_FILE_BYTES // (1024 * 1024)} MiB",
        )
    try:
        # Opened without blocking, then checked again: the name may have become a FIFO since the stat above.
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with open(fd, "rb") as f:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                _fail(display, "DC100", f"{display!r} is not a regular file, not a scenario file")
            os.set_blocking(fd, True)
            data = f.read(MAX_FILE_BYTES + 1)  # the file may have grown since the stat
    except OSError as e:
        _fail(display, "DC100", f"cannot read {display!r}: {e.strerror or e}")
    return _decode(data, display)


def _decode(data: bytes, display: str) -> str:
    if len(data) > MAX_FILE_BYTES:
        _fail(display, "DC501", f"the file is larger than {MAX_FILE_BYTES // (1024 * 1024)} MiB")
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    # NUL bytes are looked for in the decoded text (load_scenario_text), so UTF-16 is reported as not UTF-8.
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as e:
        utf16 = data.startswith((b"\xff\xfe", b"\xfe\xff"))
        _fail_at(
            display,
            data,
            e.start,
            "DC100",
            f"the file is not UTF-8 text (byte 0x{data[e.start]:02x})",
            "the file looks like UTF-16; save it as UTF-8" if utf16 else "save the file as UTF-8",
        )
    raise AssertionError("unreachable")  # pragma: no cover


def _fail_at(display: str, data: bytes, at: int, code: str, message: str, hint: str | None = None) -> None:
    line_start = data.rfind(b"\n", 0, at) + 1
    line = data.count(b"\n", 0, at) + 1
    column = len(data[line_start:at].decode("utf-8", "replace")) + 1
    raise ScenarioError([Diagnostic(code, message, Span(display, line, column, line, column + 1), hint=hint)])


def parse_integer(text: str) -> int | None:
    """``text`` as an integer when it is written the way a scenario file writes one (``[-+]?[0-9]+``, ASCII digits,
    at most 16 of them), else ``None``: the command line's ``--set`` reads values with this same grammar.

    >>> parse_integer("15"), parse_integer("-3"), parse_integer("1_0"), parse_integer("\u0661\u0665"), parse_integer("1e3")
    (15, -3, None, None, None)
    """
    if not _INT.fullmatch(text) or len(text.lstrip("+-")) > 16:
        return None
    return int(text)


def _did_you_mean(name: str, candidates: Iterable[str]) -> str | None:
    close = closest_name(name, candidates)
    return f"did you mean {close!r}?" if close is not None else None


# --- the reader -----------------------------------------------------------------------------------------------

_TOP = (
    "dealcheck",
    "title",
    "description",
    "confidence_reason",
    "sources",
    "terms",
    "parties",
    "packages",
    "variants",
    "expect",
)
#: Keys whose strings may span lines (block scalars): everything else is one line of plain text (DC113).
_MULTILINE = ("description", "quote", "assumption", "confidence_reason")

_TERM = ("options", "ordered", "range", "type", "unit", "description", "change_cost")
_SOURCE = ("title", "date", "file", "url")
_PARTY = ("name", "description", "red_lines", "demands", "utility", "accepts_at")
_RULE = ("rule", "description", "source", "quote", "assumption")
_PACKAGE = ("title", "description", "terms")
_VARIANT = ("description", "drop", "add", "replace")
_KIND_WORD = {RuleKind.RED_LINE: "red line", RuleKind.DEMAND: "demand"}


class _Reader(UncertaintyReader, UtilityReader):
    """Reads the node tree section by section, collecting every problem; one method per part of the format."""

    def __init__(self, source: SourceText, problems: list[Diagnostic]) -> None:
        self.source = source
        self.problems = problems
        self.terms: dict[str, Term] = {}
        self.broken_terms: set[str] = set()  # declared but unusable: rules naming them are not blamed twice
        self.range_values = 0  # the values of the integer ranges read so far, together (DC505)
        # Declared but unusable (their own problems are reported where they are declared): a reference to one of
        # these elsewhere (an expectation, a variant's drop) gets no second, spurious "unknown" diagnostic.
        self.broken_rules: set[str] = set()
        self.broken_packages: set[str] = set()
        self.broken_variants: set[str] = set()
        self.sources: dict[str, Source] = {}
        self.parties: dict[str, Party] = {}
        self.packages: dict[str, Package] = {}
        self.variants: dict[str, Variant] = {}

    # --- reporting and small readers ----------------------------------------------------------------------

    def span(self, node: Node) -> Span:
        if isinstance(node, Scalar):
            return self.source.span(node.start, node.end)
        return self.source.span(node.start)

    def did_you_mean(self, name: str, candidates: Iterable[str]) -> str | None:
        """A did-you-mean hint, until the file has as many problems as are shown: past that cap no hint is seen,
        and a file of thousands of misspellings among thousands of names must not spend minutes on them."""
        if len(self.problems) >= MAX_DIAGNOSTICS:
            return None
        return _did_you_mean(name, candidates)

    def error(self, code: str, message: str, node: Node, hint: str | None = None) -> None:
        self.problems.append(Diagnostic(code, message, self.span(node), hint=hint))

    def mapping(self, node: Node, what: str, *, null_ok: bool = False) -> Mapping | None:
        if isinstance(node, Mapping):
            return node
        if null_ok and isinstance(node, Scalar) and node.null:
            return Mapping((), node.start, node.end)
        if not isinstance(node, Invalid):
            self.error("DC108", f"expected {what}, found {describe(node)}", node)
        return None

    def sequence(self, node: Node, what: str, *, code: str = "DC108") -> Sequence | None:
        if isinstance(node, Sequence):
            return node
        if not isinstance(node, Invalid):
            self.error(code, f"expected {what}, found {describe(node)}", node)
        return None

    def keys(
        self,
        m: Mapping,
        allowed: Iterable[str],
        where: str,
        *,
        required: Iterable[str] = (),
        owner: Node | None = None,
        hints: dict[str, str] | None = None,
        code: str = "DC107",
    ) -> dict[str, tuple[Scalar, Node]]:
        """The mapping's entries by key, after reporting unknown keys (DC107) and missing required ones (DC109)."""
        allowed = tuple(allowed)
        found: dict[str, tuple[Scalar, Node]] = {}
        for k, v in m.items:
            if k.value in allowed:
                found[k.value] = (k, v)
                continue
            hint = (hints or {}).get(k.value) or self.did_you_mean(k.value, allowed)
            hint = hint or "the keys allowed here are " + listing(allowed, 40)
            self.error(code, f"unknown key {k.value!r} {where}", k, hint)
        unknown = [k.value for k, _ in m.items if k.value not in allowed]
        for r in required:
            # A misspelling of the missing key is already reported with a did-you-mean; once is enough.
            if r not in found and not difflib.get_close_matches(r, unknown, n=1, cutoff=0.6):
                self.error("DC109", f"missing required key {r!r} {where}", owner if owner is not None else m)
        return found

    def string(self, node: Node, what: str, *, multiline: bool = False) -> str | None:
        if isinstance(node, Scalar) and not node.null:
            return node.value if self.plain_text(node, what, multiline=multiline) else None
        if not isinstance(node, Invalid):
            self.error("DC108", f"expected {what} (a string), found {describe(node)}", node)
        return None

    def optional_string(self, entries: dict[str, tuple[Scalar, Node]], key: str, what: str) -> str | None:
        if key not in entries or (isinstance(node := entries[key][1], Scalar) and node.null):
            return None
        return self.string(entries[key][1], what, multiline=key in _MULTILINE)

    def plain_text(self, node: Scalar, what: str, *, multiline: bool = False) -> bool:
        """DC113 unless ``node``'s value is plain text: no control, bidi or separator character, however written
        (YAML escapes such as ``"\\e[31m"`` included). ``multiline`` allows newlines and tabs (quotes, descriptions)."""
        at = unsafe_character(node.value, newlines=multiline)
        if at < 0:
            return True
        what_kind = (
            "it may span lines, but holds no other control, bidi or line-separator character"
            if multiline
            else "names, titles and options are one line of plain text (no control, bidi or line-separator character)"
        )
        self.error(
            "DC113",
            f"{what} holds the character U+{ord(node.value[at]):04X}: {what_kind}",
            node,
            "remove it (a YAML escape such as \\e or \\u202e counts too)",
        )
        return False

    def integer(
        self, node: Node, what: str, *, minimum: int | None = None, code: str = "DC111", limit: int = MAX_INT
    ) -> int | None:
        """A plain ``[-+]?[0-9]+`` scalar as an int, at most ``limit`` in size (DC504); anything else is reported
        as ``code`` (a list is DC108)."""
        if isinstance(node, Invalid):
            return None
        if not isinstance(node, Scalar):
            self.error("DC108", f"{what} must be an integer, found {describe(node)}", node)
            return None
        if node.plain and _INT.fullmatch(node.value):
            if len(node.value.lstrip("+-")) > len(str(limit)) or abs(int(node.value)) > limit:
                shown = "10**15" if limit == MAX_INT else "2**62 - 1" if limit == MAX_VALUE else str(limit)
                self.error("DC504", f"{what} {node.value} is too large (the limit is {shown})", node)
                return None
            number = int(node.value)
            if minimum is not None and number < minimum:
                self.error(code, f"{what} must be {_at_least(minimum)}, found {number}", node)
                return None
            return number
        hint = None
        if not node.plain and _INT.fullmatch(node.value.strip()):
            hint = f"remove the quotes: write {node.value.strip()}"
        elif re.fullmatch(r"[-+]?[0-9]*\.[0-9]+", node.value):
            hint = "write a whole number"
        self.error(code, f"{what} must be {_at_least(minimum)}, found {describe(node)} {node.value!r}", node, hint)
        return None

    def boolean(self, node: Node, what: str, *, code: str = "DC111") -> bool | None:
        if isinstance(node, Scalar) and node.plain and node.value in ("true", "false"):
            return node.value == "true"
        if not isinstance(node, Invalid):
            shown = f" {node.value!r}" if isinstance(node, Scalar) else ""
            self.error(
                code, f"{what} must be true or false, found {describe(node)}{shown}", node, "write true or false"
            )
        return None

    def check_id(self, key: Scalar, what: str) -> bool:
        if _ID.fullmatch(key.value):
            if what == "term" and key.value in KEYWORDS:
                # A rule could never name it: `not` or `in` would be read as the keyword.
                self.error(
                    "DC106",
                    f"term id {key.value!r} is a keyword of the rule language",
                    key,
                    f"rename the term, for example {key.value}_",
                )
                return False
            return True
        self.error(
            "DC106",
            f"{what} id {key.value!r} is not a valid name",
            key,
            "ids start with a letter or underscore and hold only letters, digits and underscores",
        )
        return False

    # --- the scenario -------------------------------------------------------------------------------------

    def scenario(self, root: Node) -> Scenario | None:
        top = self.mapping(root, "a mapping at the top of the scenario (dealcheck: 1, title, terms, parties, ...)")
        if top is None:
            return None
        entries = self.keys(
            top, _TOP, "at the top of the scenario", required=("dealcheck", "title", "terms", "parties")
        )
        if "dealcheck" in entries:
            k, v = entries["dealcheck"]
            if not (isinstance(v, Scalar) and v.plain and v.value == "1"):
                shown = repr(v.value) if isinstance(v, Scalar) else describe(v)
                self.error(
                    "DC110",
                    f"unsupported scenario format {shown}; this dealcheck reads format 1",
                    v,
                    "write dealcheck: 1",
                )
        title = self.string(entries["title"][1], "the title") if "title" in entries else None
        description = self.optional_string(entries, "description", "the description")
        confidence_reason = self.optional_string(entries, "confidence_reason", "the default confidence reason")
        if "sources" in entries:
            self.read_sources(entries["sources"][1])
        if "terms" in entries:
            self.read_terms(entries["terms"][1])
        if "parties" in entries:
            self.read_parties(entries["parties"][1])
        if "packages" in entries:
            self.read_packages(entries["packages"][1])
        if "variants" in entries:
            self.read_variants(entries["variants"][1])
        expectations: list[Expectation] = []
        if "expect" in entries:
            expectations = self.read_expectations(entries["expect"][1])
        if self.problems or title is None:
            return None
        return Scenario(
            title=title,
            terms=tuple(self.terms.values()),
            parties=tuple(self.parties.values()),
            packages=tuple(self.packages.values()),
            sources=tuple(self.sources.values()),
            variants=tuple(self.variants.values()),
            expectations=tuple(expectations),
            description=description,
            path=self.source.file,
            confidence_reason=confidence_reason,
            source_lines=self.source.lines,
        )

    # --- sources ------------------------------------------------------------------------------------------

    def read_sources(self, node: Node) -> None:
        m = self.mapping(node, "a mapping of sources (id: {title, date, file, url})", null_ok=True)
        for key, value in m.items if m else ():
            if not self.check_id(key, "source"):
                continue
            body = self.mapping(
                value, f"a mapping describing source {key.value} (title, date, file, url)", null_ok=True
            )
            if body is None:
                continue
            e = self.keys(body, _SOURCE, f"in source {key.value}")
            fields = {f: self.optional_string(e, f, f"the {f} of source {key.value}") for f in _SOURCE}
            self.sources[key.value] = Source(key.value, span=self.span(key), **fields)

    # --- terms --------------------------------------------------------------------------------------------

    def read_terms(self, node: Node) -> None:
        m = self.mapping(node, "a mapping of terms (name: options, bool or {range: [lo, hi]})")
        if m is not None and not m.items:
            self.error("DC108", "the scenario declares no terms", m, "add at least one term to negotiate over")
        for key, value in m.items if m else ():
            if not self.check_id(key, "term"):
                continue
            term = self.read_term(key, value, len(self.terms))
            if term is None:
                self.broken_terms.add(key.value)
            else:
                self.terms[key.value] = term

    def read_term(self, key: Scalar, node: Node, index: int) -> Term | None:
        name = key.value
        shape = f"term {name}: a list of options, bool, or a mapping with options, range or type"
        match node:
            case Scalar(value="bool", style=None | "'" | '"'):
                # Quoted too: JSON (a YAML subset) quotes every string, and a term's shape cannot be read otherwise.
                return Term(name, index, BoolDomain())
            case Sequence():
                options = self.read_options(name, node)
                return Term(name, index, options) if options else None
            case Mapping():
                pass
            case Scalar():
                hint = "write bool" if node.value.lower() in ("boolean", "bool", "yes/no", "true/false") else None
                self.error("DC108", f"expected {shape}, found {describe(node)} {node.value!r}", node, hint)
                return None
            case Invalid():
                return None
        e = self.keys(node, _TERM, f"in term {name}", hints={"values": "did you mean 'options'?"})
        kinds = [k for k in ("options", "range", "type") if k in e]
        if len(kinds) != 1:
            where = e[kinds[1]][0] if len(kinds) > 1 else key
            self.error(
                "DC108",
                f"term {name} needs exactly one of options, range or type: bool"
                + (f", found {' and '.join(kinds)}" if kinds else ""),
                where,
            )
            return None
        description = self.optional_string(e, "description", f"the description of term {name}")
        unit = self.optional_string(e, "unit", f"the unit of term {name}")
        change_cost = 1
        per_unit = False
        if "change_cost" in e and isinstance(e["change_cost"][1], Mapping):
            # change_cost: {per_unit: N}: an integer term's change costs N per unit of difference (repair).
            cost = self.keys(
                e["change_cost"][1], ("per_unit",), f"in the change_cost of term {name}", required=("per_unit",)
            )
            if "per_unit" in cost:
                change_cost = (
                    self.integer(cost["per_unit"][1], f"the per_unit change_cost of term {name}", minimum=0) or 0
                )
                per_unit = True
                if kinds[0] != "range":
                    self.error(
                        "DC111",
                        f"a per_unit change_cost needs an integer term (range), not term {name}",
                        e["change_cost"][0],
                        "give an option or boolean term a plain change_cost: N",
                    )
        elif "change_cost" in e:
            change_cost = self.integer(e["change_cost"][1], f"the change_cost of term {name}", minimum=0) or 0
        ordered = False
        if "ordered" in e:
            if kinds[0] != "options":
                self.error("DC111", f"ordered applies only to a term with options, not to term {name}", e["ordered"][0])
            # An unreadable value counts as ordered, so rules comparing by order are not blamed for it as well.
            ordered = self.boolean(e["ordered"][1], f"ordered of term {name}") is not False
        domain: Domain | None
        match kinds[0]:
            case "options":
                options = self.read_options(name, e["options"][1])
                domain = OptionsDomain(options.options, ordered) if options else None
            case "range":
                domain = self.read_range(name, e["range"][1])
            case _:
                kind = e["type"][1]
                domain = None
                if isinstance(kind, Scalar) and kind.style in (None, "'", '"') and kind.value == "bool":
                    domain = BoolDomain()
                elif not isinstance(kind, Invalid):
                    self.error(
                        "DC111",
                        f"the type of term {name} must be bool, found {describe(kind)}",
                        kind,
                        "write type: bool, or use options or range for other terms",
                    )
        if domain is None:
            return None
        return Term(name, index, domain, description, unit, change_cost=change_cost, change_per_unit=per_unit)

    def read_options(self, name: str, node: Node) -> OptionsDomain | None:
        seq = self.sequence(node, f"the options of term {name} (a list)")
        if seq is None:
            return None
        if not seq.items:
            self.error("DC308", f"term {name} has no options", seq, "list at least one option")
            return None
        options: list[str] = []
        first: dict[str, int] = {}
        ok = True
        for item in seq.items:
            if not isinstance(item, Scalar):
                if not isinstance(item, Invalid):
                    self.error("DC108", f"an option of term {name} must be a name, found {describe(item)}", item)
                ok = False
                continue
            if item.value == "":
                self.error("DC308", f"an option of term {name} is empty", item, "write the option's name")
                ok = False
                continue
            if not self.plain_text(item, f"option {item.value!r} of term {name}"):
                ok = False
                continue
            if item.value in first:
                line, _ = self.source.position(first[item.value])
                self.error(
                    "DC308", f"option {item.value!r} of term {name} is listed twice (first at line {line})", item
                )
                ok = False
                continue
            first[item.value] = item.start
            options.append(item.value)
        return OptionsDomain(tuple(options)) if ok else None

    def read_range(self, name: str, node: Node) -> IntDomain | None:
        seq = self.sequence(node, f"the range of term {name} as [lo, hi]")
        if seq is None:
            return None
        if len(seq.items) != 2:
            self.error(
                "DC108", f"the range of term {name} must be [lo, hi], two integers; found {len(seq.items)} values", seq
            )
            return None
        # Bounds beyond what the checker and CP-SAT hold are DC505 (not the general DC504 of written numbers).
        lo, hi = (self.integer(b, f"a bound of term {name}", limit=10 * MAX_BOUND) for b in seq.items)
        if lo is None or hi is None:
            return None
        for bound in (lo, hi):
            if abs(bound) > MAX_BOUND:
                self.error(
                    "DC505",
                    f"the bound {bound} of term {name} is beyond +-(2**62 - 1), what the solver holds",
                    seq,
                    "use a coarser unit (for example billions instead of units)",
                )
                return None
        if lo > hi:
            self.error("DC309", f"the range of term {name} is empty: {lo} is above {hi}", seq, f"write [{hi}, {lo}]")
            return None
        # CP-SAT also rejects a model whose variables' domains hold more than 2**63 values together; half of that
        # for the terms leaves the other half to the variables its encoding adds.
        self.range_values += hi - lo + 1
        if self.range_values > MAX_RANGE_TOTAL:
            self.error(
                "DC505",
                f"the integer ranges up to term {name} hold {self.range_values:,} values together; the solver "
                "holds at most 2**62 in all",
                seq,
                "narrow a range (for example a coarser unit)",
            )
            return None
        return IntDomain(lo, hi)

    # --- parties and rules --------------------------------------------------------------------------------

    def read_parties(self, node: Node) -> None:
        m = self.mapping(node, "a mapping of parties (id: {name, red_lines, demands})")
        if m is not None and not m.items:
            self.error("DC108", "the scenario declares no parties", m)
        for key, value in m.items if m else ():
            if not self.check_id(key, "party"):
                continue
            body = self.mapping(
                value, f"a mapping describing party {key.value} (name, red_lines, demands)", null_ok=True
            )
            if body is None:
                continue
            e = self.keys(
                body,
                _PARTY,
                f"in party {key.value}",
                hints={"redlines": "did you mean 'red_lines'?", "red-lines": "did you mean 'red_lines'?"},
            )
            name = self.optional_string(e, "name", f"the name of party {key.value}") or key.value
            description = self.optional_string(e, "description", f"the description of party {key.value}")
            rules: dict[RuleKind, list[Rule]] = {RuleKind.RED_LINE: [], RuleKind.DEMAND: []}
            seen: dict[str, Scalar] = {}
            for section, kind in (("red_lines", RuleKind.RED_LINE), ("demands", RuleKind.DEMAND)):
                if section in e:
                    rules[kind] = self.read_rules(key.value, kind, e[section][1], seen)
            utility, utility_prov = None, None
            if "utility" in e:
                read = self.read_utility(key.value, e["utility"][0], e["utility"][1])
                if read is not None:
                    utility, compiled, utility_prov = read
                    for rule in compiled:
                        if rule.id in seen:
                            self.error(
                                "DC105",
                                f"demand id {rule.id!r} of party {key.value} clashes with its utility's {rule.id}",
                                seen[rule.id],
                                "rename the demand: the utility names its options term=option",
                            )
                    rules[RuleKind.DEMAND] += compiled
            party = Party(
                key.value,
                name,
                tuple(rules[RuleKind.RED_LINE]),
                tuple(rules[RuleKind.DEMAND]),
                description,
                span=self.span(key),
                utility=utility,
            )
            if "accepts_at" in e:
                k, v = e["accepts_at"]
                if "accepts_at" in seen:
                    self.error(
                        "DC105",
                        f"party {key.value} has a rule named accepts_at and a reservation value",
                        seen["accepts_at"],
                        "rename the rule: accepts_at is the reservation value's red line",
                    )
                accepts = self.read_accepts_at(key.value, k, v, utility_prov)
                if accepts is not None:
                    reserve, prov, text = accepts
                    red = reservation_rule(party, reserve, text=text, span=self.span(k), **prov)
                    party = attrs.evolve(party, accepts_at=reserve, red_lines=(*party.red_lines, red))
            self.parties[key.value] = party

    def read_rules(self, party: str, kind: RuleKind, node: Node, seen: dict[str, Scalar]) -> list[Rule]:
        word = _KIND_WORD[kind]
        m = self.mapping(node, f"a mapping of {word}s of party {party} (id: {{rule, source, quote}})", null_ok=True)
        out: list[Rule] = []
        for key, value in m.items if m else ():
            if not self.check_id(key, word):
                continue
            if key.value in seen:
                line, _ = self.source.position(seen[key.value].start)
                self.error(
                    "DC105",
                    f"duplicate rule id {key.value!r} in party {party} (first defined at line {line})",
                    key,
                    "a red line and a demand of one party need different ids",
                )
                continue
            seen[key.value] = key
            rule = self.read_rule(party, kind, key, value)
            if rule is not None:
                out.append(rule)
            else:
                self.broken_rules.add(f"{party}.{key.value}")
        return out

    def read_rule(self, party: str, kind: RuleKind, key: Scalar, node: Node) -> Rule | None:
        ref = f"{party}.{key.value}"
        word = _KIND_WORD[kind]
        body = self.mapping(node, f"a mapping for {word} {ref} with rule and source + quote or assumption")
        if body is None:
            return None
        extra = "weight" if kind is RuleKind.DEMAND else "concession_cost"
        other = "concession_cost" if kind is RuleKind.DEMAND else "weight"
        hints = {
            other: f"{other} applies to {'red lines' if other == 'concession_cost' else 'demands'}; "
            f"a {word} has {extra}"
        }
        uncertain = (*RULE_KEYS, *(RED_LINE_KEYS if kind is RuleKind.RED_LINE else ()))
        e = self.keys(body, (*_RULE, *uncertain, extra), f"in {word} {ref}", required=("rule",), owner=key, hints=hints)
        number = 1
        weight: int | Fraction = 1
        weight_range = None
        if extra == "weight" and extra in e and isinstance(spec := e[extra][1], Mapping):
            value, weight_range = self.weight_spec(spec, f"the weight of {word} {ref}")
            weight = value if value is not None else 1
        elif extra == "weight" and extra in e:
            # Exact decimals (Fraction from the text, never a float); whole numbers stay ints.
            value = self.exact(e[extra][1], f"the weight of {word} {ref}")
            if value is not None and value <= 0:
                self.error(
                    "DC111",
                    f"the weight of {word} {ref} must be positive, found {e[extra][1].value}",  # type: ignore[union-attr]
                    e[extra][1],
                    "write a positive number such as 2 or 0.25; drop a demand that should not count",
                )
                value = None
            weight = value if value is not None else 1
        elif extra in e:
            number = self.integer(e[extra][1], f"the {extra} of {word} {ref}", minimum=1) or 1
        uncertainty = self.confidence(e, f"{word} {ref}")
        description = self.optional_string(e, "description", f"the description of {ref}")
        source = self.optional_string(e, "source", f"the source of {ref}")
        quote = self.optional_string(e, "quote", f"the quote of {ref}")
        assumption = self.optional_string(e, "assumption", f"the assumption of {ref}")
        if quote is not None and assumption is not None:
            self.error(
                "DC311",
                f"{word} {ref} has both a quote and an assumption",
                e["assumption"][0],
                "keep the quote with its source, or the assumption, not both",
            )
        elif quote is not None and source is None:
            self.error(
                "DC311",
                f"the quote of {word} {ref} needs a source",
                e["quote"][0],
                "add source: <id of a source under sources>",
            )
        elif source is not None and quote is None:
            self.error(
                "DC311",
                f"{word} {ref} names a source but quotes nothing from it",
                e["source"][0],
                "add quote: the words of the source this rule rests on",
            )
        elif quote is None and assumption is None and "quote" not in e and "assumption" not in e:
            self.error(
                "DC311",
                f"{word} {ref} needs either source and quote, or an assumption",
                key,
                "add source and quote, or assumption: why the model assumes this",
            )
        if source is not None and source not in self.sources:
            hint = self.did_you_mean(source, self.sources) or (
                "declare it under sources" if not self.sources else "the sources are " + listing(self.sources)
            )
            self.error("DC307", f"unknown source {source!r} in {word} {ref}", e["source"][1], hint)
        if "rule" not in e:
            return None
        expr = self.rule_expr(e["rule"][1], f"in {word} {ref}")
        if expr is None:
            return None
        assert isinstance(e["rule"][1], Scalar)
        return Rule(
            party=party,
            id=key.value,
            kind=kind,
            text=e["rule"][1].value,
            expr=expr,
            weight=(int(weight) if Fraction(weight).denominator == 1 else Fraction(weight))
            if kind is RuleKind.DEMAND
            else 1,
            concession_cost=number if kind is RuleKind.RED_LINE else 1,
            description=description,
            source=source,
            quote=quote,
            assumption=assumption,
            span=self.span(key),
            quote_span=self.span(e["quote"][1]) if "quote" in e else None,
            weight_range=weight_range,
            **uncertainty,
        )

    def rule_expr(self, node: Node, where: str) -> BoolExpr | None:
        """The checked rule, with every problem mapped from the rule's text into the file."""
        if not isinstance(node, Scalar) or node.null:
            if not isinstance(node, Invalid):
                self.error("DC108", f"expected the rule {where} as a string, found {describe(node)}", node)
            return None
        if len(node.value) > MAX_RULE_CHARS:
            self.error(
                "DC502",
                f"the rule {where} is {len(node.value)} characters long; the limit is {MAX_RULE_CHARS}",
                node,
                "split it into several rules",
            )
            return None
        expr, problems = compile_rule(node.value, self.terms, hints=len(self.problems) < MAX_DIAGNOSTICS)
        offsets: list[int] | None = None
        for p in problems:
            named = node.value[p.where.start : p.where.end]
            if p.code == "DC301" and named in self.broken_terms:
                continue  # the term's own declaration is already reported
            if offsets is None:
                offsets = value_offsets(self.source.text, node)
            start, end = _map_range(offsets, p.where.start, p.where.end)
            self.problems.append(Diagnostic(p.code, f"{p.message} {where}", self.source.span(start, end), hint=p.hint))
        return None if problems else expr

    # --- packages -----------------------------------------------------------------------------------------

    def read_packages(self, node: Node) -> None:
        m = self.mapping(node, "a mapping of packages (id: {title, terms: {term: value}})", null_ok=True)
        for key, value in m.items if m else ():
            if not self.check_id(key, "package"):
                continue
            body = self.mapping(
                value, f"a mapping describing package {key.value} (title, description, terms)", null_ok=True
            )
            if body is None:
                self.broken_packages.add(key.value)
                continue
            e = self.keys(body, _PACKAGE, f"in package {key.value}")
            title = self.optional_string(e, "title", f"the title of package {key.value}")
            description = self.optional_string(e, "description", f"the description of package {key.value}")
            values = self.read_values(e["terms"][1], f"package {key.value}") if "terms" in e else {}
            if values is not None:
                self.packages[key.value] = Package(key.value, values, title, description, span=self.span(key))
            else:
                self.broken_packages.add(key.value)

    def read_values(self, node: Node, where: str) -> dict[str, Value] | None:
        """A mapping of term -> value, decoded by each term's domain; values in term order."""
        m = self.mapping(node, f"a mapping of term values in {where} (term: value)", null_ok=True)
        if m is None:
            return None
        found: dict[str, Value] = {}
        ok = True
        for key, value in m.items:
            term = self.terms.get(key.value)
            if term is None:
                if key.value not in self.broken_terms:
                    self.error(
                        "DC401", f"unknown term {key.value!r} in {where}", key, self.did_you_mean(key.value, self.terms)
                    )
                ok = False
                continue
            decoded = self.value(term, value, where)
            if decoded is None:
                ok = False
            else:
                found[key.value] = decoded
        if not ok:
            return None
        return {t.name: found[t.name] for t in self.terms.values() if t.name in found}

    def value(self, term: Term, node: Node, where: str) -> Value | None:
        if isinstance(node, Invalid):
            return None
        shown = f"{describe(node)} {node.value!r}" if isinstance(node, Scalar) else describe(node)
        match term.domain:
            case OptionsDomain(options=options):
                if not isinstance(node, Scalar):
                    self.error(
                        "DC403",
                        f"term {term.name} takes one of its options, found {shown} in {where}",
                        node,
                        "the options of " + term.name + " are " + listing(options),
                    )
                    return None
                if node.value not in options:
                    hint = self.did_you_mean(node.value, options) or ""
                    hint = (hint + " " if hint else "") + f"the options of {term.name} are " + listing(options)
                    self.error("DC402", f"{node.value!r} is not an option of term {term.name} in {where}", node, hint)
                    return None
                return node.value
            case BoolDomain():
                if isinstance(node, Scalar) and node.plain and node.value in ("true", "false"):
                    return node.value == "true"
                self.error(
                    "DC403", f"term {term.name} is a boolean, found {shown} in {where}", node, "write true or false"
                )
                return None
            case IntDomain(lo=lo, hi=hi):
                if not (isinstance(node, Scalar) and node.plain and _INT.fullmatch(node.value)):
                    unquote = None
                    if isinstance(node, Scalar) and not node.plain and _INT.fullmatch(node.value.strip()):
                        unquote = f"remove the quotes: write {node.value.strip()}"
                    self.error(
                        "DC403",
                        f"term {term.name} is an integer from {lo} to {hi}, found {shown} in {where}",
                        node,
                        unquote,
                    )
                    return None
                if len(node.value.lstrip("+-")) > len(str(MAX_VALUE)):  # beyond any range: its digits say so
                    self.error("DC504", f"the value of term {term.name} in {where} is too large", node)
                    return None
                number = int(node.value)
                if not lo <= number <= hi:
                    self.error(
                        "DC402",
                        f"{number} is outside the range of term {term.name} ({lo}..{hi}) in {where}",
                        node,
                        f"{term.name} is an integer from {lo} to {hi}",
                    )
                    return None
                return number
        raise AssertionError(term.domain)  # pragma: no cover

    # --- rule references ----------------------------------------------------------------------------------

    def rule_ref(
        self,
        node: Node,
        where: str,
        rules: dict[str, Rule],
        *,
        kinds: Iterable[RuleKind] | None = None,
        code: str = "DC310",
    ) -> str | None:
        """A ``party.rule`` reference that names one of ``rules`` (DC312 unknown party, ``code`` unknown rule)."""
        text = self.string(node, f"a rule reference party.rule {where}")
        if text is None:
            return None
        party, dot, rule_id = text.partition(".")
        if not dot or not party or not rule_id:
            self.error(code, f"{text!r} {where} is not a rule reference", node, "write party.rule, e.g. russia.no_nato")
            return None
        if party not in self.parties:
            self.error(
                "DC312", f"unknown party {party!r} in {text!r} {where}", node, self.did_you_mean(party, self.parties)
            )
            return None
        rule = rules.get(text)
        if rule is None and text in self.broken_rules:
            return None  # the rule's own problem is already reported where it is declared
        if rule is None:
            self.error(
                code,
                f"unknown rule {text!r} {where}",
                node,
                self.did_you_mean(text, [r for r in rules if r.startswith(party + ".")] or rules),
            )
            return None
        if kinds is not None and rule.kind not in tuple(kinds):
            self.error(
                "DC601",
                f"{text!r} {where} is a {_KIND_WORD[rule.kind]}",
                node,
                "breaks and keeps name red lines; meets names demands",
            )
            return None
        return text

    def base_rules(self) -> dict[str, Rule]:
        return {r.ref: r for p in self.parties.values() for r in p.rules}

    # --- variants -----------------------------------------------------------------------------------------

    def read_variants(self, node: Node) -> None:
        m = self.mapping(node, "a mapping of variants (name: {description, drop, add, replace})", null_ok=True)
        base = self.base_rules()
        for key, value in m.items if m else ():
            if not self.check_id(key, "variant"):
                continue
            if key.value == "base":
                self.error(
                    "DC603",
                    "a variant may not be called base: compare's first column is the scenario without variants",
                    key,
                    "choose another name",
                )
                continue
            body = self.mapping(
                value, f"a mapping describing variant {key.value} (description, drop, add, replace)", null_ok=True
            )
            variant = None if body is None else self.read_variant(key, body, base)
            if variant is not None:
                self.variants[key.value] = variant
            else:
                self.broken_variants.add(key.value)

    def read_variant(self, key: Scalar, body: Mapping, base: dict[str, Rule]) -> Variant | None:
        name = key.value
        where = f"in variant {name}"
        e = self.keys(body, _VARIANT, where)
        before = len(self.problems)
        description = self.optional_string(e, "description", f"the description of variant {name}")
        drop: list[str] = []
        if "drop" in e:
            seq = self.sequence(e["drop"][1], f"a list of rules to drop (party.rule) {where}")
            for item in seq.items if seq else ():
                ref = self.rule_ref(item, where, base)
                if ref is not None and ref in drop:
                    self.error("DC603", f"variant {name} drops {ref} twice", item)
                elif ref is not None:
                    drop.append(ref)
        replace: list[Rule] = []
        if "replace" in e:
            m = self.mapping(
                e["replace"][1], f"a mapping of rules to replace (party.rule: {{rule, ...}}) {where}", null_ok=True
            )
            for ref_key, entry in m.items if m else ():
                ref = self.rule_ref(ref_key, where, base)
                if ref is None:
                    continue
                if ref in drop:
                    self.error(
                        "DC603",
                        f"variant {name} both drops and replaces {ref}",
                        ref_key,
                        "drop it, or replace it, not both",
                    )
                    continue
                old = base[ref]
                new = self.read_rule(old.party, old.kind, _rekey(ref_key, old.id), entry)
                if new is not None:
                    replace.append(new)
        add: list[Rule] = []
        if "add" in e:
            m = self.mapping(e["add"][1], f"a mapping of parties to rules to add {where}", null_ok=True)
            for party_key, entry in m.items if m else ():
                if party_key.value not in self.parties:
                    self.error(
                        "DC312",
                        f"unknown party {party_key.value!r} {where}",
                        party_key,
                        self.did_you_mean(party_key.value, self.parties),
                    )
                    continue
                party = self.parties[party_key.value]
                pm = self.mapping(entry, f"a mapping with red_lines and demands to add for {party.id} {where}")
                if pm is None:
                    continue
                pe = self.keys(pm, ("red_lines", "demands"), f"in the additions for {party.id} {where}")
                seen: dict[str, Scalar] = {}
                for section, kind in (("red_lines", RuleKind.RED_LINE), ("demands", RuleKind.DEMAND)):
                    if section not in pe:
                        continue
                    sm = self.mapping(pe[section][1], f"a mapping of {section} to add {where}", null_ok=True)
                    for rule_key, rule_node in sm.items if sm else ():
                        if not self.check_id(rule_key, _KIND_WORD[kind]):
                            continue
                        if f"{party.id}.{rule_key.value}" in base:
                            self.error(
                                "DC603",
                                f"variant {name} adds {party.id}.{rule_key.value}, which already exists",
                                rule_key,
                                "use replace to change an existing rule",
                            )
                            continue
                        if rule_key.value in seen:
                            self.error("DC603", f"variant {name} adds {party.id}.{rule_key.value} twice", rule_key)
                            continue
                        seen[rule_key.value] = rule_key
                        rule = self.read_rule(party.id, kind, rule_key, rule_node)
                        if rule is not None:
                            add.append(rule)
                        else:
                            self.broken_rules.add(f"{party.id}.{rule_key.value}")
        if len(self.problems) != before:
            return None
        return Variant(name, description, tuple(drop), tuple(add), tuple(replace), span=self.span(key))

    def variant_rules(self, name: str | None) -> dict[str, Rule]:
        rules = self.base_rules()
        variant = self.variants.get(name) if name is not None else None
        if variant is None:
            return rules
        for ref in variant.drop:
            rules.pop(ref, None)
        for r in (*variant.replace, *variant.add):
            rules[r.ref] = r
        return rules

    # --- expectations -------------------------------------------------------------------------------------

    def read_expectations(self, node: Node) -> list[Expectation]:
        if isinstance(node, Scalar) and node.null:
            return []
        seq = self.sequence(node, "a list of expectations (- {package: ..., deal: true})")
        out: list[Expectation] = []
        for item in seq.items if seq else ():
            entry = self.read_expectation(item)
            if entry is not None:
                out.append(Expectation(entry, span=self.span(item)))
        return out

    def read_expectation(self, node: Node) -> claims.Entry | None:
        """One entry, its claims typed (:mod:`dealcheck.expectations.claims`); ``None`` after reporting a problem."""
        if not isinstance(node, Mapping):
            if not isinstance(node, Invalid):
                self.error(
                    "DC601",
                    f"an expectation must be a mapping such as {{package: p, deal: true}}, found {describe(node)}",
                    node,
                )
            return None
        before = len(self.problems)
        # An unknown key here is an invalid expectation (DC601): ``dealcheck test`` reports these by family.
        e = self.keys(node, claims.EXPECT_KEYS, "in an expectation", code="DC601")
        where = "in an expectation"
        if not any(c in e for c in claims.CLAIM_KEYS) and len(e) == len(node.items):
            self.error(
                "DC601", "this expectation claims nothing to check", node, "add one of " + ", ".join(claims.CLAIM_KEYS)
            )
        if "package" in e and "set" in e:
            self.error("DC601", "an expectation names a package or sets values, not both", e["set"][0])
        if "nearest" in e and "package" not in e and "set" not in e:
            self.error(
                "DC601",
                "nearest: needs a proposal to repair",
                e["nearest"][0],
                "give package: or set: in the same expectation",
            )
        variant: str | None = None
        if "variant" in e:
            variant = self.string(e["variant"][1], "a variant name")
            if variant is not None and variant not in self.variants and variant not in self.broken_variants:
                self.error(
                    "DC602",
                    f"unknown variant {variant!r} {where}",
                    e["variant"][1],
                    self.did_you_mean(variant, self.variants),
                )
        # Rule references are checked against the rules of the variant the entry applies (its added red lines
        # count, its dropped ones do not).
        rules = self.variant_rules(variant if variant in self.variants else None)
        description: str | None = None
        package: str | None = None
        values: dict[str, Value] | None = None
        found: dict[str, claims.Claim | None] = {}
        for k, (_key, value) in e.items():
            match k:
                case "description":
                    description = self.string(value, "the description of an expectation", multiline=True)
                case "package":
                    package = self.string(value, "a package id")
                    if package is not None and package not in self.packages and package not in self.broken_packages:
                        self.error(
                            "DC404",
                            f"unknown package {package!r} {where}",
                            value,
                            self.did_you_mean(package, self.packages),
                        )
                case "set":
                    values = self.read_values(value, "the set of an expectation")
                case "forced":
                    forced = self.read_values(value, "the forced of an expectation")
                    found[k] = None if forced is None else claims.ForcedClaim(forced)
                case "variant":
                    pass  # read above, before the rule references that depend on it
                case "deal":
                    deal = self.boolean(value, f"{k} in an expectation", code="DC601")
                    found[k] = None if deal is None else claims.DealClaim(deal)
                case "deal_possible":
                    possible = self.boolean(value, f"{k} in an expectation", code="DC601")
                    found[k] = None if possible is None else claims.DealPossibleClaim(possible)
                case "deals":
                    count = self.expect_count(value, k)
                    found[k] = None if count is None else claims.CountClaim(count)
                case "concessions":
                    count = self.expect_count(value, k)
                    found[k] = None if count is None else claims.ConcessionsClaim(count)
                case "deal_probability":
                    found[k] = self.expect_probability(value)
                case "acceptable_to" | "not_acceptable_to":
                    parties = self.expect_parties(value, f"a list of party ids for {k}", where)
                    found[k] = claims.PartiesClaim(k == "acceptable_to", tuple(p for p in parties if p is not None))
                case "breaks" | "keeps" | "meets":
                    kinds = (RuleKind.DEMAND,) if k == "meets" else (RuleKind.RED_LINE,)
                    seq = self.sequence(value, f"a list of rules (party.rule) for {k}", code="DC601")
                    refs = [self.rule_ref(item, where, rules, kinds=kinds) for item in (seq.items if seq else ())]
                    found[k] = claims.RulesClaim(k, tuple(r for r in refs if r is not None))
                case "options":
                    options = self.expect_options(value)
                    found[k] = None if options is None else claims.OptionsClaim(options)
                case "conflicts":
                    found[k] = self.expect_conflicts(value, rules)
                case "concession":
                    dropped = self.expect_red_lines(value, "concession", rules)
                    found[k] = None if dropped is None else claims.ConcessionClaim(dropped)
                case "best":
                    found[k] = self.expect_best(value)
                case "nearest":
                    found[k] = self.expect_nearest(value, e)
        if found.get("deal_probability") is not None:
            self.exact_probability(e["deal_probability"][1], package, values, rules)
        read = {"description": description, "package": package, "set": values, "variant": variant, **found}
        if len(self.problems) != before or any(read[k] is None for k in e if k in read):
            # A part left unread was reported: here, or before, where its YAML node became Invalid.
            return None
        made = tuple(c for c in (found[k] for k in claims.CLAIM_KEYS if k in found) if c is not None)
        return claims.Entry(made, package, values, variant, description)

    def exact_probability(
        self, node: Node, package: str | None, values: dict[str, Value] | None, rules: dict[str, Rule]
    ) -> None:
        """Refuse a ``deal_probability`` that ``dealcheck sweep`` could not answer exactly: a partial package's
        (some completion is a deal; with no package at all, some deal exists) weighs every pattern of uncertain red
        lines over every full package."""
        given = set(values or ())
        if package is not None and package in self.packages:
            given |= set(self.packages[package].values)
        open_terms = [name for name in self.terms if name not in given]
        if not open_terms:
            return  # a full package's probability is a product of confidences: always exact
        uncertain = sum(1 for r in rules.values() if r.kind is RuleKind.RED_LINE and r.confidence is not None)
        space = math.prod(t.size for t in self.terms.values())
        if uncertain > EXACT_RED_LINES or space > TABLE_LIMIT:
            self.error(
                "DC601",
                f"deal_probability of a partial package is exact only with at most {EXACT_RED_LINES} uncertain red "
                f"lines and {TABLE_LIMIT:,} full packages, and this one leaves "
                f"{'every term' if not given else ', '.join(open_terms)} open in a scenario with {uncertain} "
                f"uncertain red lines and {space:,} full packages",
                node,
                "set every term: a full package's probability is a product of confidences, always exact "
                "(dealcheck sweep estimates the rest, with confidence intervals)",
            )

    def expect_probability(self, node: Node) -> claims.ProbabilityClaim | None:
        """``">= 0.6"``, ``"1/3"`` or ``0.25``: an exact probability with an optional comparison (as counts have)."""
        text = node.value if isinstance(node, Scalar) and not node.null else None
        try:
            op, p = claims.parse_probability(text)
        except ValueError:
            if not isinstance(node, Invalid):
                self.error(
                    "DC601",
                    "deal_probability must be an exact probability between 0 and 1 with an optional comparison, "
                    f"found {describe(node)}" + (f" {text!r}" if text is not None else ""),
                    node,
                    'write deal_probability: ">= 0.6" (or "== 3/5"): a number between 0 and 1, a decimal or a fraction',
                )
            return None
        assert text is not None
        shown = claims.PROBABILITY.fullmatch(text).group(2)  # type: ignore[union-attr]
        return claims.ProbabilityClaim(op, p, shown)

    def expect_count(self, node: Node, key: str) -> claims.Count | None:
        """``N`` or a comparison such as ``">= 1"``."""
        if isinstance(node, Scalar) and node.plain and _INT.fullmatch(node.value):
            n = self.integer(node, key, minimum=0, code="DC601")
            return None if n is None else claims.Count("==", n)
        if isinstance(node, Scalar) and claims.COUNT.fullmatch(node.value):
            return claims.Count(*claims.parse_count(node.value, key))
        if not isinstance(node, Invalid):
            self.error(
                "DC601",
                f'{key} must be a count such as 3 or a comparison such as ">= 1", found {describe(node)}',
                node,
                f'write {key}: 0, or {key}: ">= 1"',
            )
        return None

    def expect_parties(self, node: Node, what: str, where: str) -> list[str | None]:
        seq = self.sequence(node, what, code="DC601")
        parties = []
        for item in seq.items if seq else ():
            p = self.string(item, "a party id")
            if p is not None and p not in self.parties:
                self.error("DC312", f"unknown party {p!r} {where}", item, self.did_you_mean(p, self.parties))
            parties.append(p)
        return parties

    def expect_red_lines(self, node: Node, key: str, rules: dict[str, Rule]) -> tuple[str, ...] | None:
        """A non-empty list of distinct red lines (``party.rule``), for ``concession`` and each set of ``conflicts``."""
        seq = self.sequence(node, f"a list of red lines (party.rule) for {key}", code="DC601")
        if seq is None:
            return None
        if not seq.items:
            hint = (
                "to claim that a deal exists as things stand, write concessions: 0"
                if key == "concession"
                else "to claim that there is no conflict, write conflicts: 0"
            )
            self.error("DC601", f"{key} lists no red line", seq, hint)
            return None
        refs: list[str] = []
        for item in seq.items:
            ref = self.rule_ref(item, "in an expectation", rules)
            if ref is None:
                continue
            if rules[ref].kind is not RuleKind.RED_LINE:
                self.error(
                    "DC601",
                    f"{ref!r} in {key} is a demand",
                    item,
                    "conflicts and concessions are about red lines; demands never block a deal",
                )
            elif ref in refs:
                self.error("DC601", f"{ref!r} is listed twice in {key}", item)
            else:
                refs.append(ref)
        return tuple(refs)

    def expect_options(self, node: Node) -> dict[str, tuple[Value, ...]] | None:
        """``{term: [value, ...]}``: each value decoded by its term's domain, listed once."""
        m = self.mapping(node, "a mapping of terms to the options that occur in some deal (term: [option, ...])")
        if m is None:
            return None
        out: dict[str, tuple[Value, ...]] = {}
        for key, value in m.items:
            term = self.terms.get(key.value)
            if term is None:
                if key.value not in self.broken_terms:
                    self.error(
                        "DC401",
                        f"unknown term {key.value!r} in the options of an expectation",
                        key,
                        self.did_you_mean(key.value, self.terms),
                    )
                continue
            seq = self.sequence(value, f"a list of the options of {term.name} that occur in some deal", code="DC601")
            if seq is None:
                continue
            values: list[Value] = []
            for item in seq.items:
                decoded = self.value(term, item, "the options of an expectation")
                if decoded is None:
                    continue
                if decoded in values:
                    self.error(
                        "DC601",
                        f"option {item.value if isinstance(item, Scalar) else decoded!r} of "
                        f"{term.name} is listed twice in options",
                        item,
                    )
                values.append(decoded)
            out[term.name] = tuple(values)
        return out

    def expect_conflicts(
        self, node: Node, rules: dict[str, Rule]
    ) -> claims.ConflictCountClaim | claims.ConflictsClaim | None:
        """A count of minimal conflicts (``0``: none), or a list of sets of red lines, each a minimal conflict."""
        if isinstance(node, Scalar):
            count = self.expect_count(node, "conflicts")
            return None if count is None else claims.ConflictCountClaim(count)
        seq = self.sequence(
            node,
            "a count of conflicts (conflicts: 0) or a list of conflicts, each a list of red "
            "lines ([[russia.no_nato, ukraine.nato]])",
            code="DC601",
        )
        if seq is None:
            return None
        if not seq.items:
            self.error(
                "DC601", "conflicts lists no conflict", seq, "to claim that there is no conflict, write conflicts: 0"
            )
            return None
        sets = [self.expect_red_lines(item, "a conflict", rules) for item in seq.items]
        return claims.ConflictsClaim(tuple(s for s in sets if s is not None))

    def expect_best(self, node: Node) -> claims.BestClaim | None:
        """``{score: "871/210", objective: total, parties: [...]}``; objective and parties are optional."""
        m = self.mapping(node, 'a mapping such as {score: "871/210"} or {objective: maximin, score: "3/5"}')
        if m is None:
            return None
        e = self.keys(m, ("objective", "parties", "score"), "in best", code="DC601")
        out: dict[str, Any] = {}
        if "score" not in e and len(e) == len(m.items):  # a misspelt score is reported once, as unknown
            self.error("DC601", "best needs the score of the best deal", m, 'write best: {score: "871/210"}')
        if "objective" in e:
            objective = self.string(e["objective"][1], "an objective")
            if objective is not None and objective not in claims.OBJECTIVES:
                self.error(
                    "DC601",
                    f"unknown objective {objective!r} in best",
                    e["objective"][1],
                    self.did_you_mean(objective, claims.OBJECTIVES)
                    or "the objectives are " + ", ".join(claims.OBJECTIVES),
                )
            out["objective"] = objective
        if "parties" in e:
            out["parties"] = self.expect_parties(e["parties"][1], "a list of party ids for best", "in best")
            if not out["parties"]:
                self.error("DC601", "best names no party", e["parties"][1], "leave parties out to mean every party")
        if "score" in e:
            value = e["score"][1]
            text = value.value if isinstance(value, Scalar) and not value.null else None
            match = claims.SCORE.fullmatch(text) if text is not None else None
            if match is None or (match.group(2) is not None and int(match.group(2)) == 0):
                self.error(
                    "DC601",
                    f'the score in best must be an exact number such as "871/210", 4 or 0.6, '
                    f"found {describe(value)}" + (f" {text!r}" if text is not None else ""),
                    value,
                    "write a fraction in quotes: a score like 4.148 is rounded, so compare the fraction",
                )
            else:
                out["score"] = text.strip() if text is not None else None
        if "score" not in out:
            return None
        parties = out.get("parties")
        return claims.BestClaim(
            claims.parse_score(out["score"]),
            out["score"],
            out.get("objective") or "total",
            None if parties is None else tuple(parties),
        )

    def expect_nearest(self, node: Node, entry: dict[str, tuple[Scalar, Node]]) -> claims.NearestClaim | None:
        """``{distance: N, keep: [term, ...]}``: the repair distance of the subject's nearest deal."""
        m = self.mapping(node, "a mapping such as {distance: 1} or {distance: 2, keep: [peacekeepers]}")
        if m is None:
            return None
        e = self.keys(m, ("distance", "keep"), "in nearest", code="DC601")
        out: dict[str, Any] = {}
        if "distance" not in e and len(e) == len(m.items):
            self.error("DC601", "nearest needs the distance of the nearest deal", m, "write nearest: {distance: 1}")
        if "distance" in e:
            value = e["distance"][1]
            if isinstance(value, Scalar) and value.value == "none":
                out["distance"] = None  # no deal can be reached (while holding keep)
            else:
                out["distance"] = self.expect_count(value, "distance")
        if "keep" in e:
            seq = self.sequence(e["keep"][1], "a list of terms to hold at the proposal's values", code="DC601")
            given: set[str] = set()
            if "package" in entry and isinstance(entry["package"][1], Scalar):
                package = self.packages.get(entry["package"][1].value)
                given |= set(package.values) if package is not None else set()
            if "set" in entry and isinstance(entry["set"][1], Mapping):
                given |= {k.value for k, _ in entry["set"][1].items}
            keep: list[str] = []
            for item in seq.items if seq else ():
                name = self.string(item, "a term name")
                if name is None:
                    continue
                if name not in self.terms:
                    if name not in self.broken_terms:
                        self.error(
                            "DC401",
                            f"unknown term {name!r} in nearest.keep of an expectation",
                            item,
                            self.did_you_mean(name, self.terms),
                        )
                elif name not in given:
                    self.error(
                        "DC601",
                        f"nearest keeps {name}, but the proposal leaves it open",
                        item,
                        f"set {name} in the package or with set:, or drop it from keep",
                    )
                keep.append(name)
            out["keep"] = keep
        if "distance" not in out:
            return None
        return claims.NearestClaim(out["distance"], tuple(out.get("keep", ())))


def _rekey(key: Scalar, rule_id: str) -> Scalar:
    """The ``party.rule`` key of a replacement, standing in as the rule's own id key (same position)."""
    return Scalar(rule_id, key.style, key.start, key.end, key.indent)


def _map_range(offsets: list[int], start: int, end: int) -> tuple[int, int]:
    last = len(offsets) - 1
    start = max(0, min(start, last))
    end = max(start, min(end, last))
    if end == start:
        return offsets[start], offsets[start]
    return offsets[start], offsets[end - 1] + 1


def _at_least(minimum: int | None) -> str:
    match minimum:
        case None:
            return "an integer"
        case 0:
            return "a whole number (0 or more)"
        case 1:
            return "a positive integer"
        case _:
            return f"an integer of at least {minimum}"
