"""Positions, diagnostics and the exceptions that carry them.

Every problem dealcheck finds in a scenario file is a :class:`Diagnostic` with a stable code, a sentence a user can
act on, the :class:`Span` of text it is about and, where one is obvious, a hint. Loading collects every diagnostic in
a file before raising one :class:`ScenarioError`, so a user fixes a file in one pass rather than one error per run.

Codes come in families, and a code never changes meaning once released:

======  =====================================================================================================
DC1xx   the file and its YAML shape: unreadable files, YAML syntax, duplicate or unknown keys, wrong shapes
DC2xx   rule syntax: characters, tokens, parentheses, trailing text
DC3xx   rule types and domains: unknown terms and options, type mismatches, bad domains, bad references
DC4xx   package values: unknown terms, values outside a term's domain
DC5xx   limits: file size, rule length, nesting depth, literal size
DC6xx   expectations (``expect:``) and variants
DC7xx   warnings (severity ``warning``): the file loads but probably does not say what was meant (lint)
======  =====================================================================================================

The full table is :data:`CODES`; ``docs/scenario-format.md`` documents it for users.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence

import attrs

from dealcheck.escape import for_text

__all__ = [
    "CODES",
    "DealcheckError",
    "Diagnostic",
    "Problem",
    "ScenarioError",
    "Severity",
    "Span",
    "TextRange",
    "UsageError",
    "render_diagnostic",
]

#: Every diagnostic code with a one-line meaning. Tests check that every code raised appears here.
CODES: dict[str, str] = {
    # DC1xx: the file and its YAML shape
    "DC100": "the file cannot be read (missing, a directory, not UTF-8, or contains NUL bytes)",
    "DC101": "YAML syntax error",
    "DC102": "more than one YAML document in the file",
    "DC103": "YAML tags are not allowed",
    "DC104": "YAML anchors and aliases are not allowed",
    "DC105": "duplicate key",
    "DC106": "invalid id or non-string key",
    "DC107": "unknown key",
    "DC108": "wrong shape: a value of another kind was expected here",
    "DC109": "a required key is missing",
    "DC110": "unsupported scenario format version",
    "DC111": "invalid value (for example a weight that is not a positive integer)",
    "DC112": "the file is empty",
    "DC113": "a name, title or option holds a control, bidi or line-separator character (raw or as a YAML escape)",
    # DC2xx: rule syntax
    "DC201": "unexpected character in a rule",
    "DC202": "unexpected token in a rule",
    "DC203": "unterminated string in a rule",
    "DC204": "unbalanced parentheses or brackets in a rule",
    "DC205": "text after the end of a rule",
    "DC206": "unknown function",
    "DC207": "the rule is empty",
    # DC3xx: types and domains
    "DC301": "unknown term",
    "DC302": "unknown option of a term",
    "DC303": "type mismatch",
    "DC304": "ordering comparison on an unordered term",
    "DC305": "multiplication of two non-constant expressions",
    "DC306": "wrong number of arguments",
    "DC307": "unknown source",
    "DC308": "a term has no options, or an option is listed twice",
    "DC309": "an integer range is empty (lower bound above upper bound)",
    "DC310": "unknown rule reference (party.rule)",
    "DC311": "a rule needs either source and quote, or an assumption",
    "DC312": "unknown party",
    "DC313": "a quote is not found in its source text",
    "DC314": "a source's text file cannot be used (missing, unreadable, not UTF-8, too large, or a path)",
    # DC4xx: package values
    "DC401": "a package sets an unknown term",
    "DC402": "a package value is outside the term's domain",
    "DC403": "a package value has the wrong type for its term",
    "DC404": "unknown package",
    "DC405": "a packages file is malformed (header, columns, row shape, id)",
    # DC5xx: limits
    "DC501": "the file is too large",
    "DC502": "a rule is too long",
    "DC503": "nesting is too deep",
    "DC504": "an integer is too large",
    "DC505": "an integer range is too large",
    "DC506": "too many problems in one file: only the first ones are shown",
    # DC6xx: expectations and variants
    "DC601": "invalid expectation",
    "DC602": "unknown variant",
    "DC603": "invalid variant",
    # DC7xx: warnings (lint, dealcheck.analysis.lint): the file loads, but probably does not say what was meant
    "DC701": "a rule no package can satisfy",
    "DC702": "a rule every package satisfies",
    "DC703": "a demand no deal can meet",
    "DC704": "a red line implied by the other red lines (it makes no difference)",
    "DC705": "a term no rule reads",
    "DC706": "two rules of one party say the same thing",
    "DC707": "the total score is dominated by a party with few demands",
    "DC720": "a rule's confidence has no reason (neither confidence_reason nor a scenario-level default)",
    # DC8xx: imported files (dealcheck import genius)
    "DC801": "an imported file cannot be read, is too large, or is not well-formed XML",
    "DC802": "an imported XML file declares a document type or entities (refused, never expanded)",
    "DC803": "an imported domain is missing issues or values, or has an unsupported issue type",
    "DC804": "an imported profile names an issue or value its domain does not declare, or leaves an issue out",
    "DC805": "an imported profile's issue weights are missing or do not sum to 1",
    "DC806": "an imported number (evaluation, weight, reservation value) is not a number or is out of range",
}


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@attrs.frozen
class TextRange:
    """A half-open range ``[start, end)`` of character offsets inside one rule's text.

    The rule language knows nothing of files; the loader maps these offsets to file positions.
    """

    start: int
    end: int

    def __attrs_post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad text range {self.start}..{self.end}")


@attrs.frozen
class Problem:
    """A diagnostic about one rule's text, before the loader knows which file and line the rule sits on.

    The rule language reports these; the loader maps ``where`` into the file and makes a :class:`Diagnostic`.
    """

    code: str
    message: str
    where: TextRange
    hint: str | None = None


@attrs.frozen
class Span:
    """A region of a file: 1-based line and column of its first character and of the character after its last.

    Columns count characters (code points), not bytes, so a caret lines up under the text a user sees.
    """

    file: str
    line: int
    column: int
    end_line: int | None = None
    end_column: int | None = None

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.column}"


@attrs.frozen
class Diagnostic:
    """One problem in a scenario, with where it is and, where obvious, how to fix it.

    >>> d = Diagnostic("DC301", "unknown term 'sanction'", Span("s.yaml", 4, 11, 4, 19), hint="did you mean 'sanctions'?")
    >>> str(d)
    "s.yaml:4:11: error[DC301]: unknown term 'sanction'"
    >>> (d.file, d.line, d.column)
    ('s.yaml', 4, 11)
    """

    code: str
    message: str
    span: Span | None = None
    hint: str | None = None
    severity: Severity = Severity.ERROR

    @property
    def file(self) -> str | None:
        return self.span.file if self.span else None

    @property
    def line(self) -> int | None:
        return self.span.line if self.span else None

    @property
    def column(self) -> int | None:
        return self.span.column if self.span else None

    def __str__(self) -> str:
        where = f"{self.span}: " if self.span else ""
        return f"{where}{self.severity.value}[{self.code}]: {self.message}"

    def to_json(self) -> dict[str, object]:
        return {
            "severity": self.severity.value,
            "code": self.code,
            "message": self.message,
            "file": self.file,
            "line": self.line,
            "column": self.column,
            "end_line": self.span.end_line if self.span else None,
            "end_column": self.span.end_column if self.span else None,
            "hint": self.hint,
        }


def render_diagnostic(diagnostic: Diagnostic, source_lines: Sequence[str] | None = None) -> str:
    """The diagnostic as a user reads it: the location line, the source line with a caret, and the hint.

    >>> d = Diagnostic("DC301", "unknown term 'sanction'", Span("s.yaml", 1, 7, 1, 15), hint="did you mean 'sanctions'?")
    >>> print(render_diagnostic(d, ['rule: sanction == "eased"']))
    s.yaml:1:7: error[DC301]: unknown term 'sanction'
        rule: sanction == "eased"
              ^^^^^^^^
      = hint: did you mean 'sanctions'?
    """
    out = [str(diagnostic)]
    span = diagnostic.span
    if span is not None and source_lines is not None and 1 <= span.line <= len(source_lines):
        text = source_lines[span.line - 1].rstrip("\r\n")
        if len(text) <= 400:  # a caret under a minified megabyte line helps nobody
            shown = text.expandtabs(1)
            width = 1
            if span.end_line == span.line and span.end_column is not None:
                width = max(1, span.end_column - span.column)
            start = max(0, span.column - 1)
            width = max(1, min(width, len(shown) - start)) if start < len(shown) else 1
            # The line is shown inert (a NUL or ESC in the file appears as \x00, \x1b), the caret moved to match.
            caret = len(for_text(shown[:start]))
            width = max(1, len(for_text(shown[start : start + width])))
            out.append("    " + for_text(shown))
            out.append("    " + " " * caret + "^" * width)
    if diagnostic.hint:
        out.append(f"  = hint: {diagnostic.hint}")
    return "\n".join(out)


class DealcheckError(Exception):
    """Base class of every error dealcheck raises on purpose."""


class UsageError(DealcheckError):
    """A request that cannot be answered as asked: an unknown package, a bad ``--set``, an unknown variant."""

    def __init__(self, message: str, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint


class ScenarioError(DealcheckError):
    """A scenario that cannot be loaded, with every problem found in it.

    ``diagnostics`` holds them all, in file order; ``source_lines`` the file's text, for carets.
    """

    def __init__(self, diagnostics: Iterable[Diagnostic], source_lines: Sequence[str] | None = None) -> None:
        self.diagnostics: tuple[Diagnostic, ...] = tuple(diagnostics)
        self.source_lines = tuple(source_lines) if source_lines is not None else None
        first = self.diagnostics[0] if self.diagnostics else None
        more = len(self.diagnostics) - 1
        summary = str(first) if first else "invalid scenario"
        if more > 0:
            summary += f" (and {more} more)"
        super().__init__(summary)

    def render(self) -> str:
        """Every diagnostic with its caret, then a count line."""
        parts = [render_diagnostic(d, self.source_lines) for d in self.diagnostics]
        n = sum(1 for d in self.diagnostics if d.severity is Severity.ERROR)
        parts.append(f"{n} error{'s' if n != 1 else ''} found")
        return "\n".join(parts)
