"""Batch files: millions of full packages read from CSV, JSON Lines or Parquet, checked in chunks, verdicts written.

In: a scenario, a packages file (one row per package: an optional id column and one column per term) and,
optionally, a verdicts file to write. Out: a :class:`BatchReport` (counts per party) and the verdicts file, one row
per package: ``row`` (1-based), ``id`` (when the input has one), ``deal``, and per party ``<party>.acceptable`` and
``<party>.score``, meaning what :meth:`Scenario.check` says of that package.

The file is read ``chunk_rows`` rows at a time; each chunk is encoded to code columns (values validated per row)
and checked with :func:`dealcheck.solver.vectorized.check_many`, and its verdicts appended to a temporary file next to
the output, renamed into place only when the whole input was read. So memory stays bounded by one chunk, and a bad
row (without ``skip_bad_rows``) raises :class:`~dealcheck.errors.ScenarioError` naming ``file:line:col`` before
any output exists. With ``skip_bad_rows`` bad rows are left out and listed as warnings in the report.

Formats are told by the file name: ``.csv`` (a header line, then values as written in a scenario: options as
words, ``true``/``false``, integers), ``.jsonl`` (one JSON object per line, typed values) and ``.parquet`` (typed
or dictionary-encoded string columns; needs pyarrow, the ``parquet`` extra). CSV and JSON Lines need nothing but
the standard library and numpy.

Rejected: pandas (a large dependency for what ``str.split`` and a dictionary look-up do) and reading the whole
file before checking (memory grows with the file).
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import tempfile
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

import attrs

from dealcheck.errors import Diagnostic, ScenarioError, Severity, Span, UsageError
from dealcheck.results import Report
from dealcheck.rules.terms import BoolDomain, IntDomain, OptionsDomain, Term

if TYPE_CHECKING:
    import numpy as np

    from dealcheck.model import Scenario

__all__ = ["FORMATS", "BadRow", "BatchReport", "check_file"]

#: File suffix -> format name, for packages and verdicts files alike.
FORMATS = {".csv": "csv", ".jsonl": "jsonl", ".ndjson": "jsonl", ".parquet": "parquet"}
#: Rows read, checked and written at a time: enough to amortise numpy's per-call cost, small enough that memory
#: stays a few tens of megabytes whatever the file's length.
CHUNK_ROWS = 100_000
#: Bad rows listed (as errors, or as warnings with ``skip_bad_rows``); the rest are only counted.
SHOWN_BAD_ROWS = 20

_BAD = -(2**62)  # a code no domain has: marks a value that did not encode
_INT = re.compile(r"-?[0-9]{1,16}\Z")
# An id is written into every verdicts file: nothing in it may act on a terminal that shows the file.
# The characters dealcheck.report.escape makes visible (C0, DEL, C1, bidi controls, line separators), less the
# surrogates that cannot come from UTF-8 or Arrow; spelt here since batch sits below the report layer.
_UNSAFE_ID = "\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069"
_CONTROL = re.compile(f"[{_UNSAFE_ID}]")
_UNSAFE_ID_RE2 = r"[\x00-\x1f\x7f-\x9f\x{61c}\x{200e}\x{200f}\x{2028}\x{2029}\x{202a}-\x{202e}\x{2066}-\x{2069}]"


@attrs.frozen
class BadRow:
    """A row that cannot be checked: where it is (``line`` and ``column`` in the file, 0 where the format has no
    lines) and why."""

    row: int  # 1-based data row (the header is not a row)
    line: int
    column: int
    code: str
    message: str
    hint: str | None = None

    def diagnostic(self, path: str, severity: Severity = Severity.ERROR) -> Diagnostic:
        span = Span(path, self.line, self.column) if self.line else None
        return Diagnostic(self.code, f"row {self.row}: {self.message}", span, self.hint, severity)


@attrs.frozen
class BatchReport(Report):
    """Counts over every checked row of a packages file. ``skipped`` lists the first bad rows left out."""

    scenario: str
    path: str
    packages_path: str
    output: str | None
    rows: int
    deals: int
    acceptable: tuple[tuple[str, int], ...]  # (party, rows it accepts), in party order
    skipped_rows: int = 0
    skipped: tuple[BadRow, ...] = ()
    variant: str | None = None

    @property
    def exit_code(self) -> int:
        return 0 if self.deals == self.rows else 1


def file_format(path: str, what: str) -> str:
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        raise UsageError(
            f"cannot tell the format of {what} {path!r} from its name",
            "name it .csv, .jsonl or .parquet",
        )
    return FORMATS[suffix]


def check_file(
    scenario: Scenario,
    packages_path: str,
    output: str | None = None,
    *,
    id_column: str = "id",
    skip_bad_rows: bool = False,
    chunk_rows: int = CHUNK_ROWS,
    progress: Callable[[str], None] | None = None,
) -> BatchReport:
    """Check every package in ``packages_path`` and write the verdicts to ``output`` (if given).

    ``ScenarioError`` (diagnostics at ``file:line:col``) for a bad header or, unless ``skip_bad_rows``, a bad row;
    then no output file is left behind. ``UsageError`` for an unreadable file or a missing optional dependency.

    >>> import pathlib, tempfile
    >>> from dealcheck import load_scenario
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... terms: {nato: [member, neutral]}
    ... parties: {russia: {red_lines: {no_nato: {rule: nato != "member", assumption: toy}}}}
    ... ''')
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "offers.csv").write_text("id,nato\\na,member\\nb,neutral\\n")
    >>> r = check_file(s, str(d / "offers.csv"), str(d / "verdicts.csv"))
    >>> r.rows, r.deals, r.acceptable
    (2, 1, (('russia', 1),))
    >>> print((d / "verdicts.csv").read_text(), end="")
    row,id,deal,russia.acceptable,russia.score
    1,a,false,false,1.0
    2,b,true,true,1.0
    """
    in_format = file_format(packages_path, "the packages file")
    out_format = file_format(output, "the verdicts file") if output is not None else None
    if chunk_rows < 1:
        raise UsageError("the chunk size must be at least one row")
    if output is not None and _same_file(output, packages_path):
        raise UsageError(f"{output} is the packages file: the verdicts would replace it", "write them to another file")
    reader = _READERS[in_format](scenario, packages_path, id_column, chunk_rows)
    rows = deals = skipped_rows = 0
    accepted = [0] * len(scenario.parties)
    skipped: list[BadRow] = []
    with contextlib.ExitStack() as stack:
        writer: _Writer | None = None
        if output is not None and out_format is not None:
            writer = stack.enter_context(_atomic_writer(out_format, output, scenario, reader.has_ids))
        for chunk in reader:
            if chunk.bad:
                if not skip_bad_rows:
                    raise ScenarioError([b.diagnostic(packages_path) for b in chunk.bad[:SHOWN_BAD_ROWS]])
                skipped_rows += len(chunk.bad)
                skipped.extend(chunk.bad[: max(0, SHOWN_BAD_ROWS - len(skipped))])
            if chunk.size:
                verdict = scenario.check_many(dict(zip((t.name for t in scenario.terms), chunk.codes, strict=True)))
                rows += chunk.size
                deals += int(verdict.deal.sum())
                for i, party in enumerate(scenario.parties):
                    accepted[i] += int(verdict.acceptable[party.id].sum())
                if writer is not None:
                    writer.write(scenario, chunk, verdict)
            if progress is not None:
                progress(
                    f"{rows:,} rows checked" + (f" ({reader.fraction():.0%} of the file)" if reader.fraction() else "")
                )
    return BatchReport(
        scenario.title,
        scenario.path,
        packages_path,
        output,
        rows,
        deals,
        tuple((p.id, n) for p, n in zip(scenario.parties, accepted, strict=True)),
        skipped_rows,
        tuple(skipped),
        scenario.variant_name,
    )


# --- reading ------------------------------------------------------------------------------------------------------


@attrs.frozen
class _Chunk:
    """Good rows of one chunk as code columns (term order), their row numbers and ids; the bad rows."""

    rows: np.ndarray  # 1-based row numbers, int64
    ids: Any  # a list of str, an Arrow string array (Parquet input), or None
    codes: list[np.ndarray]
    bad: list[BadRow]

    @property
    def size(self) -> int:
        return len(self.rows)


class _Reader:
    has_ids: bool = False

    def __iter__(self) -> Iterator[_Chunk]:  # pragma: no cover - abstract
        raise NotImplementedError

    def fraction(self) -> float:
        return 0.0


def _header_error(path: str, line: int, column: int, code: str, message: str, hint: str | None = None) -> ScenarioError:
    return ScenarioError([Diagnostic(code, message, Span(path, line, column) if line else None, hint)])


def _columns_of(
    scenario: Scenario, path: str, names: Sequence[str], id_column: str, line: int, starts: Sequence[int]
) -> tuple[list[int], int | None]:
    """Positions of the term columns (term order) and of the id column, from a header; errors for unknown,
    duplicate or missing columns."""
    problems: list[Diagnostic] = []
    by_name: dict[str, int] = {}
    for i, name in enumerate(names):
        col = starts[i] if i < len(starts) else 1
        where = Span(path, line, col) if line else None
        if name in by_name:
            problems.append(Diagnostic("DC405", f"column {name!r} appears twice", where))
        elif name != id_column and name not in {t.name for t in scenario.terms}:
            try:
                scenario.term(name)
            except UsageError as e:
                hint = e.hint or f"columns are {id_column!r} and the terms: " + ", ".join(
                    t.name for t in scenario.terms
                )
                problems.append(Diagnostic("DC401", f"unknown term column {name!r}", where, hint))
        by_name.setdefault(name, i)
    missing = [t.name for t in scenario.terms if t.name not in by_name]
    if missing:
        problems.append(
            Diagnostic(
                "DC405",
                "no column for " + ", ".join(missing),
                Span(path, line, 1) if line else None,
                "a packages file gives every term of every package (check one partial package with --set)",
            )
        )
    if problems:
        raise ScenarioError(problems)
    term_names = {t.name for t in scenario.terms}
    id_at = by_name.get(id_column) if id_column not in term_names else None
    return [by_name[t.name] for t in scenario.terms], id_at


def _check_id(value: Any) -> str | None:
    """Why an id is not usable, or ``None``."""
    if type(value) is int:
        return None
    if not isinstance(value, str):
        return f"the id must be a string or an integer, not {_shown(value)}"
    if not value:
        return "the id is empty"
    if _CONTROL.search(value):
        return f"the id {value!r} contains a control character"
    return None


def _id_problems(ids: Any) -> Iterator[tuple[int, str]]:
    """(position, why) of every unusable id: a Python list, or an Arrow array checked without a loop per row."""
    if isinstance(ids, list):
        for i, v in enumerate(ids):
            why = _check_id(v)
            if why is not None:
                yield i, why
        return
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    if pa.types.is_integer(ids.type):
        suspect = ids.is_null()
    elif pa.types.is_string(ids.type) or pa.types.is_large_string(ids.type):
        suspect = pc.or_kleene(
            pc.or_kleene(ids.is_null(), pc.equal(pc.utf8_length(ids), 0)),
            pc.match_substring_regex(ids, _UNSAFE_ID_RE2),
        ).fill_null(True)
    else:
        suspect = pa.array(np.ones(len(ids), dtype=bool))
    for i in np.flatnonzero(suspect.to_numpy(zero_copy_only=False)).tolist():
        why = _check_id(ids[i].as_py())
        yield i, why or f"the id column holds {ids.type}, not strings or integers"


def _shown(value: Any) -> str:
    if value is None:
        return "null (missing)"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return repr(value)
    text = json.dumps(value) if isinstance(value, int | float | list | dict) else repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _value_problem(term: Term, value: Any, from_text: bool) -> tuple[str, str, str | None]:
    """(code, message, hint) for a value that does not encode; ``from_text`` when the file holds only strings."""
    domain = term.domain
    if value is None or (from_text and value == ""):
        return "DC403", f"no value for {term.name}", "every row gives every term"
    match domain:
        case OptionsDomain(options=options):
            if isinstance(value, str):
                import difflib

                close = difflib.get_close_matches(value, options, n=1, cutoff=0.6)
                hint = f"did you mean {close[0]!r}?" if close else "the options are " + ", ".join(options)
                return "DC402", f"{value!r} is not an option of {term.name}", hint
            return "DC403", f"{term.name} takes an option, not {_shown(value)}", "the options are " + ", ".join(options)
        case BoolDomain():
            return "DC403", f"{term.name} is true or false, not {_shown(value)}", "write true or false"
        case IntDomain(lo=lo, hi=hi):
            if (from_text and isinstance(value, str) and _INT.match(value)) or (type(value) is int and not from_text):
                return "DC402", f"{value} is outside {term.name}'s range {lo}..{hi}", None
            return "DC403", f"{term.name} takes an integer from {lo} to {hi}, not {_shown(value)}", None
    raise AssertionError(domain)  # pragma: no cover


class _TextCodes(dict):  # type: ignore[type-arg]
    """A term's codes by the text a CSV cell holds; integers parsed on first sight and remembered."""

    def __init__(self, term: Term) -> None:
        super().__init__()
        self.term = term
        match term.domain:
            case OptionsDomain(options=options):
                self.update({o: i for i, o in enumerate(options)})
            case BoolDomain():
                self.update({"true": 1, "false": 0})
            case IntDomain():
                pass

    def __missing__(self, text: str) -> int:
        domain = self.term.domain
        if isinstance(domain, IntDomain) and _INT.match(text) and domain.lo <= int(text) <= domain.hi:
            if len(self) < 1 << 16:
                self[text] = int(text)
            return int(text)
        return _BAD


def _json_codes(term: Term) -> Callable[[list[Any]], list[int]]:
    """A column of JSON values -> codes (``_BAD`` where a value does not encode), type-strict."""
    match term.domain:
        case OptionsDomain(options=options):
            lookup = {o: i for i, o in enumerate(options)}
            return lambda vs: [lookup.get(v, _BAD) if type(v) is str else _BAD for v in vs]
        case BoolDomain():
            return lambda vs: [1 if v is True else 0 if v is False else _BAD for v in vs]
        case IntDomain(lo=lo, hi=hi):
            return lambda vs: [v if type(v) is int and lo <= v <= hi else _BAD for v in vs]
    raise AssertionError(term.domain)  # pragma: no cover


def _assemble(
    scenario: Scenario,
    first_row: int,
    n: int,
    codes: list[np.ndarray],
    ids: list[Any] | None,
    raw: Callable[[int, int], Any],
    where: Callable[[int, int], tuple[int, int]],
    pre_bad: dict[int, BadRow],
    from_text: bool,
) -> _Chunk:
    """One chunk from its code columns (``_BAD`` marks a failed value): each bad row once, with its first problem.

    ``raw(i, t)`` is row ``i``'s value of term ``t`` as read, ``where(i, t)`` its (line, column); ``pre_bad``
    rows already known to be bad (a short line, unreadable JSON).
    """
    import numpy as np

    bad_mask = np.zeros(n, dtype=bool)
    for c in codes:
        if n and c.min() == _BAD:  # one pass over a clean column, not a comparison and an OR
            bad_mask |= c == _BAD
    bad: dict[int, BadRow] = dict(pre_bad)
    for i in pre_bad:
        bad_mask[i] = True
    ok_ids: Any = None
    if ids is not None:
        for i, why in _id_problems(ids):
            if i in bad:
                continue
            bad_mask[i] = True
            line, col = where(i, -1)
            bad[i] = BadRow(first_row + i, line, col, "DC405", why, "give every row an id, or leave the column out")
    for i in np.flatnonzero(bad_mask).tolist():
        if i in bad:
            continue
        for t, c in enumerate(codes):
            if c[i] == _BAD:
                term = scenario.terms[t]
                code, message, hint = _value_problem(term, raw(i, t), from_text)
                line, col = where(i, t)
                bad[i] = BadRow(first_row + i, line, col, code, message, hint)
                break
    keep = ~bad_mask
    rows = np.arange(first_row, first_row + n, dtype=np.int64)
    if bad:
        rows = rows[keep]
        codes = [c[keep] for c in codes]
        if isinstance(ids, list):
            ids = [v for v, k in zip(ids, keep.tolist(), strict=True) if k]
        elif ids is not None:
            ids = ids.filter(keep)
    if isinstance(ids, list):
        ok_ids = [v if type(v) is str else str(v) for v in ids]
    elif ids is not None:
        import pyarrow as pa

        ok_ids = ids if pa.types.is_string(ids.type) else ids.cast(pa.string())
    # The narrowest type per term, so check_many streams one byte per value (vectorized._encode keeps it).
    codes = [_narrow(c, t) for c, t in zip(codes, scenario.terms, strict=True)]
    return _Chunk(rows, ok_ids, codes, [bad[i] for i in sorted(bad)])


def _narrow(codes: np.ndarray, term: Term) -> np.ndarray:
    import numpy as np

    lo, hi = term.domain.codes[0], term.domain.codes[-1]
    width = np.int8 if -120 <= lo and hi <= 120 else np.int16 if -30_000 <= lo and hi <= 30_000 else np.int64
    return codes.astype(width)


class _CsvReader(_Reader):
    """A header line, then one package per line. Lines without quotes are split on commas (positions exact);
    quoted lines go through the csv module."""

    def __init__(self, scenario: Scenario, path: str, id_column: str, chunk_rows: int) -> None:
        self.scenario, self.path, self.chunk_rows = scenario, path, chunk_rows
        self.file = _open_text(path)
        self.size = _file_size(path)
        header = self.file.readline()
        if not header.strip():
            raise _header_error(path, 1, 1, "DC405", "the packages file has no header line", "start with: id,TERM,...")
        names, starts = _split(header.rstrip("\r\n"))
        # A quoted header has no exact column starts: its diagnostics point at column 1.
        self.positions, self.id_at = _columns_of(scenario, path, names, id_column, 1, starts or [])
        self.width = len(names)
        self.has_ids = self.id_at is not None
        self.line = 1
        self.row = 0

    def fraction(self) -> float:
        return self.file.buffer.tell() / self.size if self.size else 0.0

    def __iter__(self) -> Iterator[_Chunk]:
        import numpy as np

        lookups = [_TextCodes(t) for t in self.scenario.terms]
        with self.file:
            while True:
                lines: list[tuple[int, list[str], list[int] | None]] = []
                pre_bad: dict[int, BadRow] = {}
                for text in self.file:
                    self.line += 1
                    if not text.strip():
                        continue  # blank lines (a trailing newline) are not rows
                    fields, starts = _split(text.rstrip("\r\n"))
                    i = len(lines)
                    if len(fields) != self.width:
                        pre_bad[i] = BadRow(
                            self.row + i + 1,
                            self.line,
                            1,
                            "DC405",
                            f"the row has {len(fields)} field{'s' if len(fields) != 1 else ''}, the header {self.width}",
                            None,
                        )
                        fields = [""] * self.width
                    lines.append((self.line, fields, starts))
                    if len(lines) >= self.chunk_rows:
                        break
                if not lines:
                    return
                n = len(lines)
                codes = []
                for t, pos in enumerate(self.positions):
                    lk = lookups[t]
                    codes.append(np.array([lk[f[pos]] for _, f, _ in lines], dtype=np.int64))
                ids = [f[self.id_at] for _, f, _ in lines] if self.id_at is not None else None
                pos_of = [*self.positions]

                def where(i: int, t: int, lines: Any = lines, pos_of: Any = pos_of) -> tuple[int, int]:
                    line, _, starts = lines[i]
                    field = self.id_at if t < 0 else pos_of[t]
                    return line, (starts[field] if starts is not None and field is not None else 1)

                def raw(i: int, t: int, lines: Any = lines) -> Any:
                    return lines[i][1][self.positions[t]]

                chunk = _assemble(self.scenario, self.row + 1, n, codes, ids, raw, where, pre_bad, True)
                self.row += n
                yield chunk


def _split(text: str) -> tuple[list[str], list[int] | None]:
    """CSV fields of one line and the 1-based column each starts at (``None`` for a quoted line)."""
    if '"' not in text:
        fields = text.split(",")
        starts, at = [], 1
        for f in fields:
            starts.append(at)
            at += len(f) + 1
        return fields, starts
    import csv

    return next(csv.reader([text])), None


class _JsonlReader(_Reader):
    def __init__(self, scenario: Scenario, path: str, id_column: str, chunk_rows: int) -> None:
        self.scenario, self.path, self.chunk_rows, self.id_column = scenario, path, chunk_rows, id_column
        self.file = _open_text(path)
        self.size = _file_size(path)
        self.has_ids = id_column not in {t.name for t in scenario.terms} and self._first_has_id()
        self.line = 0
        self.row = 0

    def _first_has_id(self) -> bool:
        """Whether the file's rows carry ids: decided by the first row, so every row must then have one."""
        start = self.file.buffer.tell()
        for text in self.file:
            if text.strip():
                try:
                    first = json.loads(text)
                except ValueError:
                    break
                self.file.seek(start)
                return isinstance(first, dict) and self.id_column in first
        self.file.seek(start)
        return False

    def fraction(self) -> float:
        return self.file.buffer.tell() / self.size if self.size else 0.0

    def __iter__(self) -> Iterator[_Chunk]:
        import numpy as np

        terms = self.scenario.terms
        names = {t.name for t in terms}
        convert = [_json_codes(t) for t in terms]
        with self.file:
            while True:
                objs: list[dict[str, Any]] = []
                lines: list[int] = []
                pre_bad: dict[int, BadRow] = {}
                for text in self.file:
                    self.line += 1
                    if not text.strip():
                        continue
                    i = len(objs)
                    obj: Any
                    try:
                        obj = json.loads(text)
                    except ValueError as e:
                        col = getattr(e, "colno", 1)
                        pre_bad[i] = BadRow(self.row + i + 1, self.line, col, "DC405", f"not JSON: {e.args[0]}", None)
                        obj = {}
                    if not isinstance(obj, dict):
                        pre_bad.setdefault(
                            i,
                            BadRow(self.row + i + 1, self.line, 1, "DC405", "a row must be a JSON object", None),
                        )
                        obj = {}
                    elif i not in pre_bad:
                        extra = [k for k in obj if k not in names and k != self.id_column]
                        if extra:
                            import difflib

                            close = difflib.get_close_matches(extra[0], sorted(names), n=1, cutoff=0.6)
                            pre_bad[i] = BadRow(
                                self.row + i + 1,
                                self.line,
                                1,
                                "DC401",
                                f"unknown term {extra[0]!r}",
                                f"did you mean {close[0]!r}?" if close else None,
                            )
                    objs.append(obj)
                    lines.append(self.line)
                    if len(objs) >= self.chunk_rows:
                        break
                if not objs:
                    return
                codes = [
                    np.array(convert[t]([o.get(term.name) for o in objs]), dtype=np.int64)
                    for t, term in enumerate(terms)
                ]
                ids = [o.get(self.id_column) for o in objs] if self.has_ids else None

                def where(i: int, t: int, lines: Any = lines) -> tuple[int, int]:
                    return lines[i], 1

                def raw(i: int, t: int, objs: Any = objs) -> Any:
                    return objs[i].get(terms[t].name)

                chunk = _assemble(self.scenario, self.row + 1, len(objs), codes, ids, raw, where, pre_bad, False)
                self.row += len(objs)
                yield chunk


def _pyarrow(what: str) -> Any:
    try:
        import pyarrow  # noqa: F401
        import pyarrow.parquet as pq
    except ImportError:
        raise UsageError(
            f"{what} needs pyarrow, which is not installed",
            "install it with: pip install 'dealcheck[parquet]' (or use .csv or .jsonl)",
        ) from None
    return pq


class _ParquetReader(_Reader):
    """Row groups read ``chunk_rows`` at a time; string columns encoded through their dictionary (one look-up per
    distinct value, not per row). Rows have no lines: positions are row numbers."""

    def __init__(self, scenario: Scenario, path: str, id_column: str, chunk_rows: int) -> None:
        pq = _pyarrow("reading a .parquet packages file")
        self.scenario, self.path, self.chunk_rows = scenario, path, chunk_rows
        try:
            self.file = pq.ParquetFile(path)
        except (OSError, ValueError) as e:
            raise UsageError(f"cannot read {path}: {e}") from None
        names = list(self.file.schema_arrow.names)
        self.positions, self.id_at = _columns_of(scenario, path, names, id_column, 0, [])
        self.names = names
        self.has_ids = self.id_at is not None
        self.total = self.file.metadata.num_rows
        self.row = 0

    def fraction(self) -> float:
        return self.row / self.total if self.total else 0.0

    def __iter__(self) -> Iterator[_Chunk]:
        wanted = [self.names[p] for p in self.positions]
        if self.id_at is not None:
            wanted.append(self.names[self.id_at])
        for batch in self.file.iter_batches(batch_size=self.chunk_rows, columns=wanted):
            n = batch.num_rows
            columns = [batch.column(t.name) for t in self.scenario.terms]
            codes = [_arrow_codes(t, c, self.path) for t, c in zip(self.scenario.terms, columns, strict=True)]
            ids = batch.column(self.names[self.id_at]) if self.id_at is not None else None

            def raw(i: int, t: int, columns: Any = columns) -> Any:
                return columns[t][i].as_py()

            chunk = _assemble(self.scenario, self.row + 1, n, codes, ids, raw, lambda i, t: (0, 0), {}, False)
            self.row += n
            yield chunk


def _arrow_codes(term: Term, column: Any, path: str) -> np.ndarray:
    """One Arrow column -> int64 codes, ``_BAD`` for nulls and values outside the domain."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    kind = column.type
    nulls = column.null_count

    def invalid() -> np.ndarray:
        return ~np.asarray(column.is_valid().to_numpy(zero_copy_only=False), dtype=bool)

    match term.domain:
        case OptionsDomain(options=options):
            if pa.types.is_dictionary(kind) or pa.types.is_string(kind) or pa.types.is_large_string(kind):
                # One look-up per distinct value; then a take by the (narrow) dictionary indices.
                encoded = column if pa.types.is_dictionary(kind) else pc.dictionary_encode(column)
                lookup = {o: i for i, o in enumerate(options)}
                table = np.array(
                    [lookup.get(v, _BAD) if isinstance(v, str) else _BAD for v in encoded.dictionary.to_pylist()]
                    + [_BAD],
                    dtype=np.int64,
                )
                indices = encoded.indices.fill_null(len(table) - 1) if nulls else encoded.indices
                return table.take(indices.to_numpy(zero_copy_only=False))  # type: ignore[no-any-return]
        case BoolDomain():
            if pa.types.is_boolean(kind):
                codes = column.fill_null(False).to_numpy(zero_copy_only=False).astype(np.int64)
                if nulls:
                    codes[invalid()] = _BAD
                return codes  # type: ignore[no-any-return]
        case IntDomain(lo=lo, hi=hi):
            if pa.types.is_integer(kind):
                codes = (column.fill_null(lo) if nulls else column).to_numpy(zero_copy_only=False).astype(np.int64)
                outside = (codes < lo) | (codes > hi)
                if nulls:
                    outside |= invalid()
                codes[outside] = _BAD
                return codes  # type: ignore[no-any-return]
    want = {OptionsDomain: "strings", BoolDomain: "booleans", IntDomain: "integers"}[type(term.domain)]
    raise ScenarioError(
        [
            Diagnostic(
                "DC403", f"column {term.name!r} holds {kind}, not {want}", None, f"{path}: store {term.name} as {want}"
            )
        ]
    )


_READERS: dict[str, Callable[[Scenario, str, str, int], _Reader]] = {
    "csv": _CsvReader,
    "jsonl": _JsonlReader,
    "parquet": _ParquetReader,
}


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return os.path.abspath(a) == os.path.abspath(b)


def _open_text(path: str) -> TextIO:
    try:
        return open(path, encoding="utf-8", newline="")
    except OSError as e:
        raise UsageError(f"cannot read {path}: {e.strerror or e}") from None


def _file_size(path: str) -> int:
    try:
        return os.path.getsize(path)
    except OSError:
        return 0


# --- writing ------------------------------------------------------------------------------------------------------


class _Writer:
    def __init__(self, scenario: Scenario, handle: Any, has_ids: bool) -> None:
        self.has_ids = has_ids
        self.columns = ["row", *(["id"] if has_ids else []), "deal"]
        for p in scenario.parties:
            self.columns += [f"{p.id}.acceptable", f"{p.id}.score"]
        self.handle = handle

    def values(self, scenario: Scenario, chunk: _Chunk, verdict: Any) -> list[list[Any]]:
        cols: list[list[Any]] = [chunk.rows.tolist()]
        if self.has_ids:
            ids = chunk.ids if chunk.ids is not None else []
            cols.append(ids if isinstance(ids, list) else ids.to_pylist())
        cols.append(verdict.deal.tolist())
        for p in scenario.parties:
            cols.append(verdict.acceptable[p.id].tolist())
            cols.append(verdict.score[p.id].tolist())
        return cols

    def write(self, scenario: Scenario, chunk: _Chunk, verdict: Any) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def close(self) -> None:
        pass


class _CsvWriter(_Writer):
    def __init__(self, scenario: Scenario, handle: Any, has_ids: bool) -> None:
        super().__init__(scenario, handle, has_ids)
        handle.write(",".join(self.columns) + "\n")

    def write(self, scenario: Scenario, chunk: _Chunk, verdict: Any) -> None:
        import csv
        import io

        cols = self.values(scenario, chunk, verdict)
        texts = [[("true" if v else "false") if type(v) is bool else v for v in c] for c in cols]
        if self.has_ids and any(_needs_quotes(v) for v in cols[1]):
            buf = io.StringIO()
            csv.writer(buf, lineterminator="\n").writerows(zip(*texts, strict=True))
            self.handle.write(buf.getvalue())
            return
        self.handle.write("".join(",".join(map(str, r)) + "\n" for r in zip(*texts, strict=True)))


def _needs_quotes(v: str) -> bool:
    return "," in v or '"' in v


class _JsonlWriter(_Writer):
    def write(self, scenario: Scenario, chunk: _Chunk, verdict: Any) -> None:
        cols = self.values(scenario, chunk, verdict)
        keys = [json.dumps(c) + ":" for c in self.columns]
        out = []
        for r in zip(*cols, strict=True):
            out.append(
                "{" + ",".join(k + json.dumps(v, ensure_ascii=False) for k, v in zip(keys, r, strict=True)) + "}\n"
            )
        self.handle.write("".join(out))


class _ParquetWriter(_Writer):
    def __init__(self, scenario: Scenario, handle: Any, has_ids: bool) -> None:
        super().__init__(scenario, handle, has_ids)
        import pyarrow as pa

        pq = _pyarrow("writing a .parquet verdicts file")
        fields = [pa.field("row", pa.int64())]
        if has_ids:
            fields.append(pa.field("id", pa.string()))
        fields.append(pa.field("deal", pa.bool_()))
        for p in scenario.parties:
            fields += [pa.field(f"{p.id}.acceptable", pa.bool_()), pa.field(f"{p.id}.score", pa.float64())]
        self.schema = pa.schema(fields)
        self.writer = pq.ParquetWriter(handle, self.schema)

    def write(self, scenario: Scenario, chunk: _Chunk, verdict: Any) -> None:
        import pyarrow as pa

        arrays: list[Any] = [pa.array(chunk.rows)]
        if self.has_ids:
            ids = chunk.ids
            arrays.append(pa.array(ids, type=pa.string()) if isinstance(ids, list) else ids)
        arrays.append(pa.array(verdict.deal))
        for p in scenario.parties:
            arrays += [pa.array(verdict.acceptable[p.id]), pa.array(verdict.score[p.id])]
        self.writer.write_table(pa.Table.from_arrays(arrays, schema=self.schema))

    def close(self) -> None:
        self.writer.close()


_WRITERS: dict[str, type[_Writer]] = {"csv": _CsvWriter, "jsonl": _JsonlWriter, "parquet": _ParquetWriter}


@contextlib.contextmanager
def _atomic_writer(fmt: str, output: str, scenario: Scenario, has_ids: bool) -> Iterator[_Writer]:
    """A writer into a temporary file beside ``output``, renamed onto it only if the block ends without error."""
    if fmt == "parquet":
        _pyarrow("writing a .parquet verdicts file")
    target = Path(output)
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent or ".")
    except OSError as e:
        raise UsageError(f"cannot write {output}: {e.strerror or e}") from None
    ok = False
    try:
        binary = fmt == "parquet"
        with open(
            fd, "wb" if binary else "w", encoding=None if binary else "utf-8", newline=None if binary else ""
        ) as handle:
            writer = _WRITERS[fmt](scenario, handle, has_ids)
            yield writer
            writer.close()
        os.replace(tmp, target)
        ok = True
    finally:
        if not ok:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
