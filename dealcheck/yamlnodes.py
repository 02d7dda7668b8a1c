"""YAML text -> a small tree of positioned nodes whose scalars keep the text they were written as.

Comes in: the scenario's decoded text. Goes out: a :data:`Node` tree (:class:`Mapping`, :class:`Sequence`,
:class:`Scalar`) and the diagnostics found while reading it; :func:`value_offsets` maps a character of a scalar's value
back to its place in the file, for every scalar style.

Only PyYAML's *parser* runs (text -> events). Its composer and constructor never do, for three reasons:

- ``safe_load`` resolves YAML 1.1 types, so ``no`` would become ``False`` and ``010`` the integer 8; here every scalar
  is a string as written and the loader decides what it means where it is used.
- The composer expands aliases; anchors and aliases are rejected here at the event, before anything expands, so a
  billion-laughs file costs what its bytes cost.
- The composer recurses once per nesting level; this one keeps an explicit stack and stops at :data:`MAX_DEPTH`.

Flow collections are also capped inside the scanner (:class:`_Loader`): PyYAML's simple-key bookkeeping costs time in
proportion to the flow depth on every token, so ``[[[[...`` a thousand deep takes seconds before it yields one event.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from typing import Protocol

import attrs
import yaml

from dealcheck.errors import Diagnostic, Span

__all__ = [
    "MAX_DEPTH",
    "Invalid",
    "Mapping",
    "Node",
    "Scalar",
    "Sequence",
    "SourceText",
    "compose",
    "describe",
    "value_offsets",
    "walk",
]

#: Deepest nesting of mappings and sequences a scenario may use (DC503).
MAX_DEPTH = 50
#: Problems kept from reading one file's YAML; the loader shows fewer still.
MAX_PROBLEMS = 1000

# The characters YAML (and PyYAML's marks) count as line breaks; ``\r\n`` is one break.
_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_BREAK_CHARS = "\r\n\x85\u2028\u2029"
# The line breaks of editors and of diagnostics' line numbers.
_EDITOR_BREAK = re.compile("\r\n|[\r\n]")
# The characters YAML refuses (PyYAML's reader list), checked up front so both parsers report them alike.
_NON_PRINTABLE = re.compile("[^\x09\x0a\x0d\x20-\x7e\x85\xa0-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Plain keys YAML 1.2 reads as null or a boolean: not names, whatever dealcheck's string-as-written policy says.
_NOT_STRING_KEYS = {"true", "false", "True", "False", "TRUE", "FALSE"}


class SourceText:
    """A scenario's text with its file name, mapping character offsets to 1-based lines and columns.

    >>> s = SourceText("a: 1\\nbb: 2\\n", "f.yaml")
    >>> s.position(6), s.lines
    ((2, 2), ('a: 1', 'bb: 2', ''))
    >>> str(s.span(5, 7))
    'f.yaml:2:1'
    """

    def __init__(self, text: str, file: str) -> None:
        self.text = text
        self.file = file
        # Lines as editors count them (\n, \r\n, \r), not as YAML does: a NEL or U+2028 inside a value must not
        # move every later diagnostic one line away from where the editor shows it.
        self._starts = [0] + [m.end() for m in _EDITOR_BREAK.finditer(text)]
        self.lines: tuple[str, ...] = tuple(_EDITOR_BREAK.split(text))

    def position(self, index: int) -> tuple[int, int]:
        """1-based (line, column) of the character at ``index``."""
        index = max(0, min(index, len(self.text)))
        row = bisect.bisect_right(self._starts, index) - 1
        return row + 1, index - self._starts[row] + 1

    def span(self, start: int, end: int | None = None) -> Span:
        line, column = self.position(start)
        if end is None or end <= start:
            return Span(self.file, line, column, line, column + 1)
        end_line, end_column = self.position(end)
        return Span(self.file, line, column, end_line, end_column)


# --- the tree -------------------------------------------------------------------------------------------------


@attrs.frozen
class Scalar:
    """A scalar exactly as written: ``style`` is ``None`` for plain, else one of ``'`` ``"`` ``|`` ``>``.

    ``start``/``end`` are character offsets of its source text (the quotes or block header included);
    ``indent`` is the column of the block collection around it, which a block scalar's indentation indicator counts
    from.
    """

    value: str
    style: str | None
    start: int
    end: int
    indent: int = -1

    @property
    def plain(self) -> bool:
        return self.style is None

    @property
    def null(self) -> bool:
        """An empty plain scalar, ``~`` or ``null``: YAML's way to write nothing."""
        return self.style is None and self.value in ("", "~", "null", "Null", "NULL")


@attrs.frozen
class Sequence:
    items: tuple[Node, ...]
    start: int
    end: int


@attrs.frozen
class Mapping:
    """Keys in file order; a duplicate key (already reported) keeps its first value."""

    items: tuple[tuple[Scalar, Node], ...]
    start: int
    end: int

    def get(self, key: str) -> tuple[Scalar, Node] | None:
        for k, v in self.items:
            if k.value == key:
                return k, v
        return None


@attrs.frozen
class Invalid:
    """Stands where an alias or a too-deep subtree was (already reported); the loader passes over it quietly."""

    start: int
    end: int


Node = Scalar | Sequence | Mapping | Invalid


def describe(node: Node) -> str:
    """What a node is, as a user would say it: for 'expected a mapping, found ...'.

    >>> describe(Scalar("7", None, 0, 1)), describe(Scalar("7", '"', 0, 3)), describe(Sequence((), 0, 2))
    ('an integer', 'a string', 'a list')
    """
    match node:
        case Scalar() if node.null:
            return "nothing (an empty value)"
        case Scalar(value=v, style=None) if re.fullmatch(r"[-+]?[0-9]+", v):
            return "an integer"
        case Scalar(value=v, style=None) if re.fullmatch(r"[-+]?([0-9]+\.[0-9]*|\.[0-9]+)([eE][-+]?[0-9]+)?", v):
            return "a decimal number"
        case Scalar(value="true" | "false", style=None):
            return "a boolean"
        case Scalar():
            return "a string"
        case Sequence():
            return "a list"
        case Mapping():
            return "a mapping"
        case Invalid():
            return "an invalid value"
    raise AssertionError(node)  # pragma: no cover


# --- composing ------------------------------------------------------------------------------------------------


class _TooDeep(Exception):
    def __init__(self, index: int) -> None:
        self.index = index


class _Loader(yaml.SafeLoader):
    """PyYAML's safe scanner and parser, with flow nesting capped before its cost grows (see the module doc)."""

    def fetch_flow_collection_start(self, TokenClass):  # type: ignore[no-untyped-def]
        if self.flow_level >= MAX_DEPTH:
            raise _TooDeep(self.get_mark().index)
        super().fetch_flow_collection_start(TokenClass)


class _Events(Protocol):
    """What :func:`_compose_events` reads of a parser: PyYAML's (:class:`_Loader`) and LibYAML's alike."""

    def get_event(self) -> yaml.Event | None: ...

    def dispose(self) -> None: ...


class _Report(Protocol):
    def __call__(
        self, code: str, message: str, start: int, end: int | None = None, hint: str | None = None
    ) -> None: ...


def _new_loader(text: str) -> _Events:
    """PyYAML's own parser for ordinary files; LibYAML's, when PyYAML has it, for large ones.

    Both give the same events and marks, but they stop at different places in a file nested absurdly deep (LibYAML
    scans ahead to its own cap of 1000), so the pure-Python parser, whose depth cap is exact, reads every file a
    person writes. LibYAML is dozens of times faster, which keeps a 2 MiB file to a fraction of a second.
    """
    if len(text) > LIBYAML_ABOVE and _HAVE_LIBYAML:
        return yaml.CSafeLoader(text)
    return _Loader(text)


#: Texts longer than this many characters are parsed by LibYAML when it is available.
LIBYAML_ABOVE = 256 * 1024
_HAVE_LIBYAML = bool(getattr(yaml, "__with_libyaml__", False))


@attrs.define
class _Open:
    """A collection being built: its items, and for a mapping the key waiting for its value."""

    start: int
    indent: int
    is_mapping: bool
    items: list[object] = attrs.Factory(list)
    key: Scalar | None = None
    skip_value: bool = False
    waiting_value: bool = False
    seen: dict[str, int] = attrs.Factory(dict)


def compose(source: SourceText) -> tuple[Node | None, list[Diagnostic]]:
    """The first document of ``source`` as a node tree, and every problem met reading it.

    The tree is ``None`` when the text holds no document or cannot be parsed. Problems that leave the tree usable
    (a tag, an anchor, a duplicate key) are reported and the tree is still returned, so the loader can report the
    rest of the file too.

    >>> tree, problems = compose(SourceText("a: no\\nb: [010, '1:20']\\n", "f.yaml"))
    >>> [(k.value, v.value if isinstance(v, Scalar) else [i.value for i in v.items]) for k, v in tree.items]
    [('a', 'no'), ('b', ['010', '1:20'])]
    >>> _, problems = compose(SourceText("a: 1\\na: 2\\n", "f.yaml"))
    >>> [str(p) for p in problems]
    ["f.yaml:2:1: error[DC105]: duplicate key 'a' (first defined at line 1)"]
    """
    problems: list[Diagnostic] = []

    def report(code: str, message: str, start: int, end: int | None = None, hint: str | None = None) -> None:
        if len(problems) >= MAX_PROBLEMS:
            return  # a file of a million duplicate keys needs a few shown, not a million Diagnostic objects
        problems.append(Diagnostic(code, message, source.span(start, end), hint=hint))

    bad = _NON_PRINTABLE.search(source.text)
    if bad is not None:
        report(
            "DC100",
            f"the file contains the control character U+{ord(bad.group()):04X}, which YAML does not allow",
            bad.start(),
            hint="remove it; a scenario is plain text",
        )
        return None, problems
    loader = _new_loader(source.text)
    try:
        root = _compose_events(loader, source, report)
    except _TooDeep as e:
        report("DC503", f"nesting is deeper than {MAX_DEPTH} levels", e.index, hint="flatten the structure")
        return None, problems
    except yaml.MarkedYAMLError as e:
        if "nesting depth" in str(e.problem):  # libyaml's own cap, beyond the DC503 already reported
            if not any(p.code == "DC503" for p in problems):
                at = e.problem_mark.index if e.problem_mark is not None else 0
                report("DC503", f"nesting is deeper than {MAX_DEPTH} levels", at)
            return None, problems
        report(*_syntax_error(e, source))
        return None, problems
    except yaml.YAMLError as e:  # pragma: no cover - every PyYAML parse error is marked; kept for safety
        report("DC101", f"YAML syntax error: {e}", 0)
        return None, problems
    finally:
        loader.dispose()
    return root, problems


def _syntax_error(e: yaml.MarkedYAMLError, source: SourceText) -> tuple[str, str, int, None, str | None]:
    mark = e.problem_mark or e.context_mark
    index = mark.index if mark is not None else 0
    problem = e.problem or "invalid YAML"
    message = f"YAML syntax error: {problem}"
    if e.context and e.context_mark is not None and e.problem_mark is not None:
        line, column = source.position(e.context_mark.index)
        message += f" ({e.context} started at line {line}, column {column})"
    hint = None
    line, _ = source.position(index)
    text = source.lines[line - 1] if line - 1 < len(source.lines) else ""
    indentation = text[: len(text) - len(text.lstrip(" \t"))]
    if "\t" in indentation or "'\\t'" in problem:
        hint = "indent with spaces: YAML does not allow tabs for indentation"
    return "DC101", message, index, None, hint


def _compose_events(loader: _Events, source: SourceText, report: _Report) -> Node | None:
    stack: list[_Open] = []
    root: Node | None = None
    documents = 0
    skipping = 0  # > 0 while passing over a subtree that is too deep; counts its open collections

    def attach(node: Node) -> None:
        nonlocal root
        if not stack:
            root = node
            return
        parent = stack[-1]
        if not parent.is_mapping:
            parent.items.append(node)
            return
        if not parent.waiting_value:
            parent.waiting_value = True
            parent.skip_value = False
            if isinstance(node, Scalar) and node.plain and (node.null or node.value in _NOT_STRING_KEYS):
                report(
                    "DC106",
                    f"a key must be a name, but YAML reads {node.value or 'an empty key'!r} as "
                    + ("nothing (null)" if node.null else "a boolean"),
                    node.start,
                    node.end,
                    hint="use a name such as my_key, or quote it",
                )
            elif isinstance(node, Scalar):
                first = parent.seen.get(node.value)
                if first is None:
                    parent.seen[node.value] = node.start
                    parent.key = node
                    return
                line, _ = source.position(first)
                report(
                    "DC105",
                    f"duplicate key {node.value!r} (first defined at line {line})",
                    node.start,
                    node.end,
                    hint="each key may appear once in a mapping; merge the two entries",
                )
            elif not isinstance(node, Invalid):
                report(
                    "DC106",
                    "a key must be a plain name, not " + describe(node),
                    node.start,
                    hint="write the key as a name such as my_key",
                )
            parent.skip_value = True
            return
        parent.waiting_value = False
        if not parent.skip_value and parent.key is not None:
            parent.items.append((parent.key, node))
        parent.key = None

    def check_props(event: yaml.NodeEvent, start: int) -> None:
        if event.anchor is not None:
            report(
                "DC104",
                f"YAML anchor '&{event.anchor}' is not allowed",
                start,
                hint="write the value out in full; anchors and aliases can make a small file expand enormously",
            )
        tag = getattr(event, "tag", None)
        if tag is not None:
            report(
                "DC103",
                f"YAML tag {tag!r} is not allowed",
                start,
                hint="remove the tag: dealcheck reads every value as plain text and decides its type itself",
            )

    while True:
        event = loader.get_event()
        # Both parsers mark every event they make (the stubs allow None: for events built by hand).
        assert event is not None and event.start_mark is not None and event.end_mark is not None
        if skipping:
            if isinstance(event, (yaml.SequenceStartEvent, yaml.MappingStartEvent)):
                skipping += 1
            elif isinstance(event, (yaml.SequenceEndEvent, yaml.MappingEndEvent)):
                skipping -= 1
                if not skipping:
                    attach(Invalid(event.start_mark.index, event.end_mark.index))
            continue
        match event:
            case yaml.StreamStartEvent() | yaml.DocumentEndEvent():
                pass
            case yaml.StreamEndEvent():
                return root
            case yaml.DocumentStartEvent():
                documents += 1
                if documents > 1:
                    report(
                        "DC102",
                        "a second YAML document starts here; a scenario is one document",
                        event.start_mark.index,
                        hint="split the file, or remove the '---' line",
                    )
                    return root
            case yaml.AliasEvent():
                report(
                    "DC104",
                    f"YAML alias '*{event.anchor}' is not allowed",
                    event.start_mark.index,
                    event.end_mark.index,
                    hint="write the value out in full",
                )
                attach(Invalid(event.start_mark.index, event.end_mark.index))
            case yaml.ScalarEvent():
                check_props(event, event.start_mark.index)
                indent = stack[-1].indent if stack else -1
                attach(Scalar(event.value, event.style or None, event.start_mark.index, event.end_mark.index, indent))
            case yaml.SequenceStartEvent() | yaml.MappingStartEvent():
                check_props(event, event.start_mark.index)
                if len(stack) >= MAX_DEPTH:
                    report(
                        "DC503",
                        f"nesting is deeper than {MAX_DEPTH} levels",
                        event.start_mark.index,
                        hint="flatten the structure",
                    )
                    skipping = 1
                    continue
                is_mapping = isinstance(event, yaml.MappingStartEvent)
                stack.append(_Open(event.start_mark.index, event.start_mark.column, is_mapping))
            case yaml.SequenceEndEvent() | yaml.MappingEndEvent():
                done = stack.pop()
                end = event.end_mark.index
                if done.is_mapping:
                    attach(Mapping(tuple(done.items), done.start, end))  # type: ignore[arg-type]
                else:
                    attach(Sequence(tuple(done.items), done.start, end))  # type: ignore[arg-type]
            case _:  # pragma: no cover - PyYAML has no other events
                raise AssertionError(event)


# --- value offsets --------------------------------------------------------------------------------------------


def value_offsets(text: str, scalar: Scalar) -> list[int]:
    """For each character of ``scalar.value``, its offset in ``text``; one more entry for the end of the value.

    Re-reads the scalar's source the way PyYAML's scanner does (folding, escapes, block indentation and chomping)
    while keeping positions. If the re-reading does not give back the value exactly (it always should), every
    character maps to the scalar's start rather than to a wrong place.

    >>> text = 'rule: "a\\\\tb"'
    >>> s = Scalar("a\\tb", '"', 6, 13)
    >>> [text[i] for i in value_offsets(text, s)[:3]]
    ['a', '\\\\', 'b']
    """
    pairs: list[tuple[str, int]] | None
    match scalar.style:
        case None:
            pairs = _plain(text, scalar.start, scalar.end)
        case "'" | '"':
            pairs = _flow(text, scalar.start, scalar.style == '"')
        case "|" | ">":
            pairs = None
            # The indentation indicator counts from the enclosing collection's column; try that first, then any.
            for indent in (scalar.indent, *range(-1, 100)):
                pairs = _block(text, scalar.start, scalar.style == ">", indent)
                if pairs is not None and "".join(c for c, _ in pairs) == scalar.value:
                    break
        case _:
            pairs = None
    if pairs is None or "".join(c for c, _ in pairs) != scalar.value:
        return [scalar.start] * (len(scalar.value) + 1)
    offsets = [i for _, i in pairs]
    offsets.append(offsets[-1] + 1 if offsets else scalar.start)
    return offsets


def _line_break(text: str, i: int) -> tuple[str, int]:
    """The break at ``i`` as PyYAML normalises it, and the offset after it."""
    if text.startswith("\r\n", i):
        return "\n", i + 2
    ch = text[i]
    return ("\n" if ch in "\r\n\x85" else ch), i + 1


def _plain(text: str, start: int, end: int) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    i = start
    while i < end:
        ch = text[i]
        if ch not in " " + _BREAK_CHARS:
            out.append((ch, i))
            i += 1
            continue
        j = i
        while j < end and text[j] == " ":
            j += 1
        if j >= end or text[j] not in _BREAK_CHARS:
            out.extend((text[k], k) for k in range(i, j))
            i = j
            continue
        first, after = _line_break(text, j)
        breaks: list[tuple[str, int]] = []
        i = after
        while i < end and text[i] in " " + _BREAK_CHARS:
            if text[i] == " ":
                i += 1
            else:
                b, nxt = _line_break(text, i)
                breaks.append((b, i))
                i = nxt
        if first != "\n":
            out.append((first, j))
        elif not breaks:
            out.append((" ", j))
        out.extend(breaks)
    return out


_ESCAPES = dict(yaml.scanner.Scanner.ESCAPE_REPLACEMENTS)
_ESCAPE_CODES = dict(yaml.scanner.Scanner.ESCAPE_CODES)


def _flow(text: str, start: int, double: bool) -> list[tuple[str, int]] | None:
    quote = text[start]
    out: list[tuple[str, int]] = []
    i = start + 1
    n = len(text)

    def breaks_from(i: int) -> tuple[list[tuple[str, int]], int]:
        found: list[tuple[str, int]] = []
        while True:
            while i < n and text[i] in " \t":
                i += 1
            if i < n and text[i] in _BREAK_CHARS:
                b, nxt = _line_break(text, i)
                found.append((b, i))
                i = nxt
            else:
                return found, i

    while i < n:
        ch = text[i]
        if ch == quote and not (not double and text.startswith("''", i)):
            return out
        if not double and text.startswith("''", i):
            out.append(("'", i))
            i += 2
        elif double and ch == "\\":
            esc = text[i + 1] if i + 1 < n else ""
            if esc in _ESCAPES:
                out.append((_ESCAPES[esc], i))
                i += 2
            elif esc in _ESCAPE_CODES:
                width = _ESCAPE_CODES[esc]
                try:
                    out.append((chr(int(text[i + 2 : i + 2 + width], 16)), i))
                except ValueError:
                    return None
                i += 2 + width
            elif esc and esc in _BREAK_CHARS:
                _, after = _line_break(text, i + 1)
                found, i = breaks_from(after)
                out.extend(found)
            else:
                return None
        elif ch in " \t" + _BREAK_CHARS:
            j = i
            while j < n and text[j] in " \t":
                j += 1
            if j < n and text[j] in _BREAK_CHARS:
                first, after = _line_break(text, j)
                found, i = breaks_from(after)
                if first != "\n":
                    out.append((first, j))
                elif not found:
                    out.append((" ", j))
                out.extend(found)
            else:
                out.extend((text[k], k) for k in range(i, j))
                i = j
        else:
            out.append((ch, i))
            i += 1
    return None


def _block(text: str, start: int, folded: bool, parent_indent: int) -> list[tuple[str, int]] | None:
    n = len(text)
    i = start + 1
    chomping: bool | None = None
    increment: int | None = None
    for _ in range(2):
        if i < n and text[i] in "+-" and chomping is None:
            chomping = text[i] == "+"
            i += 1
        elif i < n and text[i] in "123456789" and increment is None:
            increment = int(text[i])
            i += 1
    while i < n and text[i] != "\n" and text[i] not in _BREAK_CHARS:
        i += 1  # spaces and a comment after the header
    if i < n:
        _, i = _line_break(text, i)
    col = 0  # column of ``i``: always at a line start here

    def breaks(indent: int, i: int, col: int) -> tuple[list[tuple[str, int]], int, int]:
        found: list[tuple[str, int]] = []
        while col < indent and i < n and text[i] == " ":
            i, col = i + 1, col + 1
        while i < n and text[i] in _BREAK_CHARS:
            b, nxt = _line_break(text, i)
            found.append((b, i))
            i, col = nxt, 0
            while col < indent and i < n and text[i] == " ":
                i, col = i + 1, col + 1
        return found, i, col

    min_indent = max(parent_indent + 1, 1)
    if increment is None:
        found: list[tuple[str, int]] = []
        max_indent = 0
        while i < n and text[i] in " " + _BREAK_CHARS:
            if text[i] == " ":
                i, col = i + 1, col + 1
                max_indent = max(max_indent, col)
            else:
                b, nxt = _line_break(text, i)
                found.append((b, i))
                i, col = nxt, 0
        indent = max(min_indent, max_indent)
    else:
        indent = min_indent + increment - 1
        found, i, col = breaks(indent, i, col)
    out: list[tuple[str, int]] = []
    line_break: tuple[str, int] | None = None
    while col == indent and i < n:
        out.extend(found)
        leading_non_space = text[i] not in " \t"
        while i < n and text[i] not in _BREAK_CHARS:
            out.append((text[i], i))
            i += 1
        line_break = None
        if i < n:
            b, nxt = _line_break(text, i)
            line_break = (b, i)
            i, col = nxt, 0
        found, i, col = breaks(indent, i, col)
        if col == indent and i < n:
            assert line_break is not None
            if folded and line_break[0] == "\n" and leading_non_space and text[i] not in " \t":
                if not found:
                    out.append((" ", line_break[1]))
            else:
                out.append(line_break)
        else:
            break
    if chomping is not False and line_break is not None:
        out.append(line_break)
    if chomping is True:
        out.extend(found)
    return out


def walk(node: Node) -> Iterator[Node]:
    """Every node under ``node``, itself first, without recursion."""
    todo = [node]
    while todo:
        current = todo.pop()
        yield current
        match current:
            case Sequence(items=items):
                todo.extend(reversed(items))
            case Mapping(items=items):
                for k, v in reversed(items):
                    todo.extend((v, k))
