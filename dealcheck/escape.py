"""Escaping user strings for each output target, so nothing a scenario says can act on a terminal or a page.

In: any string that came from a scenario or the command line (titles, party names, options, quotes, file names,
rule text). Out: the same string made inert for one target:

- :func:`for_text` (text reports, diagnostics, anything on a terminal): control characters (C0, DEL, C1), bidi
  controls, line/paragraph separators and lone surrogates become visible escapes (``\\x1b``, ``\\u202e``), so an
  ``ESC [31m`` cannot colour the terminal, ``ESC ] 0;`` cannot retitle it, a newline cannot forge a verdict line
  and U+202E cannot reorder what is shown.
- :func:`for_markdown` (Markdown text and table cells): the text escapes, then Markdown punctuation and HTML
  brackets backslash-escaped. :func:`markdown_code` wraps a string as a code span that no backtick inside can close.
- :func:`for_html`: the text escapes, then ``html.escape``.
- JSON keeps every string as it is (the value is data): :func:`for_json_text` only spells the characters
  ``json.dumps(ensure_ascii=False)`` leaves raw (C1, bidi, separators) as ``\\uXXXX``, which is the same JSON value.

The loader already refuses most of these characters in names, titles and options (DC113); escaping at the output is
the second wall, for strings the loader lets through (multi-line quotes, file names, command-line values) and for
library users who build a model by hand.

Rejected: stripping the characters (it hides what the file says, and two different options could print alike) and
escaping the backslash too (``a\\b`` in a title would print doubled; a backslash cannot act on a terminal).
"""

from __future__ import annotations

import html
import re

__all__ = ["UNSAFE", "for_html", "for_json_text", "for_markdown", "for_text", "markdown_code", "unsafe_character"]

#: Characters that act on a terminal or change how the text around them reads: C0 controls, DEL, C1 controls
#: (NEL, CSI ...), the Arabic letter mark, LRM/RLM, the bidi embeddings, overrides and isolates, the line and paragraph
#: separators, and lone surrogates (which cannot even be encoded as UTF-8).
_BEYOND_C0 = "\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
UNSAFE = "\x00-\x1f" + _BEYOND_C0 + "\ud800-\udfff"

_UNSAFE = re.compile(f"[{UNSAFE}]")
_UNSAFE_KEEP_LINES = re.compile(f"[\x00-\x08\x0b-\x1f{_BEYOND_C0}\ud800-\udfff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
# Markdown's inline punctuation: emphasis, code, links and images, raw HTML, tables, strikethrough, entities. An
# underscore inside a word (``no_full``) cannot start emphasis in CommonMark, so ids stay readable; ``!`` needs the
# ``[`` after it and ``#`` a line start, neither of which an escaped inline string can give it.
_MARKDOWN = re.compile(r"([\\`*\[\]<>|~&]|(?<![A-Za-z0-9])_|_(?![A-Za-z0-9]))")
_JSON_RAW = re.compile(f"[{_BEYOND_C0}]")


def _visible(match: re.Match[str]) -> str:
    c = match.group()
    if c in _NAMED:
        return _NAMED[c]
    n = ord(c)
    return f"\\x{n:02x}" if n < 0x100 else f"\\u{n:04x}"


def unsafe_character(text: str, *, newlines: bool = False) -> int:
    """The index of the first character :func:`for_text` would escape, or -1 (``newlines`` allows \\n and \\t).

    >>> unsafe_character("energy"), unsafe_character("a\\x1b[31m"), unsafe_character("a\\nb", newlines=True)
    (-1, 1, -1)
    """
    m = (_UNSAFE_KEEP_LINES if newlines else _UNSAFE).search(text)
    return -1 if m is None else m.start()


def for_text(text: str, *, newlines: bool = False) -> str:
    """``text`` with every unsafe character as a visible escape; ``newlines=True`` keeps ``\\n`` and ``\\t``
    (for multi-line quotes and whole reports).

    >>> for_text("a\\x1b[31mred\\u202e")
    'a\\\\x1b[31mred\\\\u202e'
    >>> for_text("DEAL\\nFAKE LINE"), for_text("two\\nlines", newlines=True)
    ('DEAL\\\\nFAKE LINE', 'two\\nlines')
    >>> for_text("Énergie – plain text stays")
    'Énergie – plain text stays'
    """
    pattern = _UNSAFE_KEEP_LINES if newlines else _UNSAFE
    return pattern.sub(_visible, text)


def for_markdown(text: str) -> str:
    """``text`` safe in Markdown running text and table cells: unsafe characters visible, punctuation escaped.

    >>> for_markdown("a | b <script>`x`")
    'a \\\\| b \\\\<script\\\\>\\\\`x\\\\`'
    >>> for_markdown("line\\nbreak")  # renders as line\\nbreak
    'line\\\\\\\\nbreak'
    """
    return _MARKDOWN.sub(r"\\\1", for_text(text))


def markdown_code(text: str, *, table: bool = False) -> str:
    """``text`` as a Markdown code span that shows it literally: the fence is longer than any backtick run inside.

    In a table cell (``table=True``) a ``|`` is written ``\\|``, which GFM reads as a pipe inside code too.

    >>> markdown_code("x == 1"), markdown_code("a`b"), markdown_code("`x`")
    ('`x == 1`', '``a`b``', '`` `x` ``')
    """
    shown = for_text(text)
    if table:
        shown = shown.replace("|", "\\|")
    longest = max((len(run) for run in re.findall("`+", shown)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if shown.startswith("`") or shown.endswith("`") or not shown.strip() else ""
    return f"{fence}{pad}{shown}{pad}{fence}"


def for_html(text: str) -> str:
    """``text`` safe in HTML element content and attribute values.

    >>> for_html('<script>alert("x")</script>\\x1b')
    '&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;\\\\x1b'
    """
    return html.escape(for_text(text), quote=True)


def for_json_text(document: str) -> str:
    """A JSON document (from ``json.dumps(..., ensure_ascii=False)``) with C1, bidi and separator characters spelt
    ``\\uXXXX``: the same JSON value, but inert when the document is shown on a terminal.

    >>> for_json_text('{"t": "a\\u202eb"}')
    '{"t": "a\\\\u202eb"}'
    """
    return _JSON_RAW.sub(lambda m: f"\\u{ord(m.group()):04x}", document)
