"""Quote verification: is every quoted red line and demand really in its source text?

In: a loaded :class:`~dealcheck.model.Scenario` and the folder holding its sources' text files (each source's
``file:`` key names one). Out: a list of :class:`~dealcheck.errors.Diagnostic`, empty when every quote verifies.
``dealcheck validate FILE --sources DIR`` calls :func:`verify_quotes`; nothing here prints.

A quote verifies when it is a substring of the text after both are :func:`normalise`\\ d: whitespace collapsed and
typographic quotes, apostrophes, dashes and ellipses mapped to ASCII, so a quote typed on a plain keyboard matches
a text set with curly quotes. Matching is otherwise exact, capitals included: a citation that changes the words is
not a citation. A quote that is not found is reported (DC313) at the quote in the scenario file, with the closest
passage of the text as a hint, since the usual cause is a small slip (a changed word, a dropped article).

The scenario file is untrusted, so a source's ``file`` must be a plain file name inside the folder: a path such as
``../../etc/passwd`` would otherwise let a scenario print fragments of any file through the closest-passage hint.
"""

from __future__ import annotations

import difflib
import functools
import heapq
import os
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator
from operator import itemgetter
from pathlib import Path
from typing import Any

from dealcheck.errors import Diagnostic
from dealcheck.model import Rule, Scenario, Source

__all__ = ["MAX_SOURCE_BYTES", "closest_passage", "normalise", "verify_quotes"]

#: Source texts larger than this are not read: quotes come from articles and transcripts, not corpora.
MAX_SOURCE_BYTES = 10_000_000

# Beyond this many characters the closest-passage search is skipped (a source is at most MAX_SOURCE_BYTES).
_MAX_HINT_SEARCH = 12_000_000
# Word comparisons up to which every window start is ranked (the exact, original search): a 10 kB text.
_EXHAUSTIVE_WORK = 200_000
# Windows scored exactly; quotes longer than this many characters are compared word by word.
_CANDIDATES = 12
_CHAR_COMPARE = 2_000
# In the indexed search: a word found more often than this does not vote; votes stop after this many postings.
_COMMON_WORD = 2_000
_VOTE_WORK = 300_000

_HINT_WIDTH = 160  # characters of the closest passage shown in a hint

_TO_ASCII = str.maketrans(
    {
        "\u2018": "'",  # left single quotation mark
        "\u2019": "'",  # right single quotation mark, the usual typographic apostrophe
        "\u201a": "'",  # single low-9 quotation mark
        "\u201b": "'",  # single high-reversed-9 quotation mark
        "\u2032": "'",  # prime
        "\u201c": '"',  # left double quotation mark
        "\u201d": '"',  # right double quotation mark
        "\u201e": '"',  # double low-9 quotation mark
        "\u201f": '"',  # double high-reversed-9 quotation mark
        "\u2033": '"',  # double prime
        "\u00ab": '"',  # guillemets
        "\u00bb": '"',
        "\u2010": "-",  # hyphen
        "\u2011": "-",  # non-breaking hyphen
        "\u2012": "-",  # figure dash
        "\u2013": "-",  # en dash
        "\u2014": "-",  # em dash
        "\u2015": "-",  # horizontal bar
        "\u2212": "-",  # minus sign
        "\u2026": "...",  # ellipsis
        "\u00ad": None,  # soft hyphen: invisible in the text a user copied from
        "\u200b": None,  # zero-width space
        "\ufeff": None,  # byte-order mark / zero-width no-break space
    }
)
_SPACE = re.compile(r"\s+")  # \s covers no-break and other Unicode spaces
_WORD = re.compile(r"\S+")


def normalise(text: str) -> str:
    """``text`` as quotes are compared: NFC, typographic punctuation as ASCII, whitespace collapsed, ends stripped.

    >>> normalise("Here\u2019s  what\\n each side \u201cwants\u201d \u2014 so far\u2026 ")
    'Here\\'s what each side "wants" - so far...'
    """
    return _SPACE.sub(" ", unicodedata.normalize("NFC", text).translate(_TO_ASCII)).strip()


def closest_passage(text: str, quote: str) -> tuple[str, float] | None:
    """The passage of ``text`` most like ``quote``, with its similarity (0..1); ``None`` if nothing is alike.

    Both are normalised first. Windows of about the quote's length in words are ranked cheaply and only the best few
    are scored exactly with difflib. Case is ignored here, so a quote that differs only in capitals finds its
    passage. The work is bounded whatever the sizes (see :func:`_starts`): twenty missing quotes in a megabyte of
    source, or one quote of 3,000 words, take a second or two, not minutes.

    >>> text = "Putin is still strenuously opposed to Ukraine joining NATO, hosting foreign peacekeeping forces."
    >>> closest_passage(text, "strongly opposed to Ukraine joining NATO")
    ('strenuously opposed to Ukraine joining NATO,', 0.9)
    """
    quote = normalise(quote)
    if not text or not quote or len(text) > _MAX_HINT_SEARCH:
        return None
    text, lowered, words = _prepared(text)
    quote_words = quote.lower().split()
    n = len(quote_words)
    long_quote = len(quote) > _CHAR_COMPARE
    matcher = difflib.SequenceMatcher(None, autojunk=False)
    # SequenceMatcher caches what it learns about its second sequence, so the quote goes there, once. A long quote
    # is compared word by word: difflib on characters is quadratic, and 20,000 characters a side take seconds.
    matcher.set_seq2(quote_words if long_quote else quote.lower())

    def windows(first: int) -> Iterator[tuple[int, int]]:
        sizes = (n,) if long_quote else range(max(1, n - 2), n + 3)  # a slip often adds or drops a word or two
        for size in sizes:
            if first + size <= len(words):
                yield words[first][0], words[first + size - 1][1]
            elif long_quote and first < len(words):
                yield words[first][0], words[-1][1]

    best: tuple[float, int, int] | None = None
    for i in _starts(lowered, words, quote_words, matcher, long_quote):
        for start, end in windows(i):
            matcher.set_seq1(lowered[start:end].split() if long_quote else lowered[start:end])
            score = matcher.ratio()
            # Ties go to the earlier, then the shorter passage, so the hint is the same on every run.
            if best is None or (score, -start, start - end) > (best[0], -best[1], best[1] - best[2]):
                best = (score, start, end)
    if best is None or best[0] < 0.4:
        return None
    score, start, end = best
    return text[start:end], round(score, 2)


def _starts(
    lowered: str,
    words: list[tuple[int, int]],
    quote_words: list[str],
    matcher: difflib.SequenceMatcher[Any],
    long_quote: bool,
) -> list[int]:
    """The word indexes where the exactly scored windows start: the :data:`_CANDIDATES` most promising.

    A small text is ranked window by window with difflib's cheap upper bound (every start considered). Beyond
    :data:`_EXHAUSTIVE_WORK` word comparisons, a word index of the text (built once per text) votes instead: each
    word of the quote found at text word ``p``, as the quote's ``j``-th word, is a vote for a window starting at
    ``p - j``. Words that occur too often to say where the quote is ("the") do not vote.
    """
    n = len(quote_words)
    if len(words) * n <= _EXHAUSTIVE_WORK and not long_quote:
        rough: list[tuple[float, int, int]] = []
        for i in range(len(words)):
            start, end = words[i][0], words[min(len(words), i + n) - 1][1]
            matcher.set_seq1(lowered[start:end])
            rough.append((matcher.quick_ratio(), -i, i))
        return [i for _, _, i in heapq.nlargest(_CANDIDATES, rough)]
    index = _word_index(lowered)
    votes: Counter[int] = Counter()
    work = 0
    for j, word in enumerate(quote_words):
        found = index.get(word, ())
        if len(found) > _COMMON_WORD:
            continue
        votes.update(max(0, p - j) for p in found)
        work += len(found) + 1
        if work > _VOTE_WORK:
            break
    if not votes:
        return [0]
    ranked = heapq.nlargest(_CANDIDATES, votes.items(), key=itemgetter(1))
    return sorted(i for i, _ in ranked)


@functools.lru_cache(maxsize=4)
def _prepared(text: str) -> tuple[str, str, list[tuple[int, int]]]:
    """The source text normalised, lowercased, and the spans of its words: once per text, not once per quote."""
    text = normalise(text)
    lowered = text.lower()
    return text, lowered, [(m.start(), m.end()) for m in _WORD.finditer(lowered)]


@functools.lru_cache(maxsize=4)
def _word_index(lowered: str) -> dict[str, list[int]]:
    """Each word of the text -> the indexes at which it occurs (the same words as :func:`_word_spans`)."""
    index: dict[str, list[int]] = {}
    for i, word in enumerate(lowered.split()):
        index.setdefault(word, []).append(i)
    return index


def verify_quotes(scenario: Scenario, sources_dir: str | os.PathLike[str]) -> list[Diagnostic]:
    """Every quote in ``scenario`` (variants' added and replaced rules too) checked against its source's text file.

    Returns one DC313 diagnostic per quote not found, at the quote in the scenario file, and one DC314 per source
    whose text file cannot be used (missing, unreadable, not UTF-8, too large, or not a plain file name). Sources
    without a ``file:`` are not checked. Diagnostics come in file order.

    >>> import tempfile, pathlib
    >>> from dealcheck import load_scenario
    >>> folder = tempfile.mkdtemp()
    >>> _ = pathlib.Path(folder, "talks.txt").write_text("Putin rejected a full 30\u2011day ceasefire this week.")
    >>> s = load_scenario('''
    ... dealcheck: 1
    ... title: Toy
    ... sources: {talks: {title: Talks, file: talks.txt}}
    ... terms: {ceasefire: [none, full]}
    ... parties:
    ...   russia:
    ...     red_lines:
    ...       no_full: {rule: ceasefire != "full", source: talks, quote: "rejected a full 30-day ceasefire"}
    ...       no_truce: {rule: ceasefire == "none", source: talks, quote: "rejected any ceasefire"}
    ... ''')
    >>> [(d.code, d.line, d.hint) for d in verify_quotes(s, folder)]
    [('DC313', 10, 'closest passage in talks.txt: "rejected a full 30-day ceasefire"')]
    """
    folder = Path(sources_dir)
    sources = {s.id: s for s in scenario.sources}
    texts: dict[str, str | None] = {}  # source id -> normalised text, None when unusable
    out: list[Diagnostic] = []
    for rule in _quoted_rules(scenario):
        source = sources.get(rule.source or "")
        if source is None or source.file is None:
            continue  # an unknown source is the loader's DC307; a source without a file has nothing to check
        if source.id not in texts:
            text, problem = _read_source(source, folder)
            texts[source.id] = text
            if problem is not None:
                out.append(problem)
        text = texts[source.id]
        if text is None:
            continue  # reported once, at the source
        problem = _check_quote(rule, source, text)
        if problem is not None:
            out.append(problem)
    return sorted(out, key=_position)


# --- helpers --------------------------------------------------------------------------------------------------


def _quoted_rules(scenario: Scenario) -> Iterator[Rule]:
    """Each rule with a quote once: the scenario's, then each variant's added and replaced ones."""
    seen: set[int] = set()
    candidates: Iterable[Rule] = list(scenario.rules())
    for variant in scenario.variants:
        candidates = [*candidates, *variant.add, *variant.replace]
    for rule in candidates:
        # By identity: an applied variant shares its rule objects with the variant that added them.
        if rule.quote is not None and id(rule) not in seen:
            seen.add(id(rule))
            yield rule


def _read_source(source: Source, folder: Path) -> tuple[str | None, Diagnostic | None]:
    """The source's normalised text, or ``None`` and a DC314 saying why it cannot be used."""
    name = source.file or ""

    def problem(message: str, hint: str | None = None) -> tuple[None, Diagnostic]:
        return None, Diagnostic("DC314", f"source {source.id!r}: {message}", source.span, hint)

    if not name or name in (".", "..") or Path(name).name != name or "/" in name or "\\" in name:
        return problem(
            f"file {name!r} is not a plain file name",
            "source texts are looked up by name in the --sources folder; give the name without a path",
        )
    path = folder / name
    if not path.is_file():
        present = sorted(p.name for p in folder.iterdir() if p.is_file()) if folder.is_dir() else []
        close = difflib.get_close_matches(name, present, n=1, cutoff=0.6)
        hint = (
            f"did you mean {close[0]!r}?"
            if close
            else (
                f"the folder holds {', '.join(present[:5])}" + (" ..." if len(present) > 5 else "")
                if present
                else f"the folder {str(folder)!r} holds no files"
            )
        )
        return problem(f"file {name!r} not found in {str(folder)!r}", hint)
    try:
        if path.stat().st_size > MAX_SOURCE_BYTES:
            return problem(f"file {name!r} is larger than {MAX_SOURCE_BYTES // 1_000_000} MB")
        raw = path.read_bytes()
    except OSError as e:
        return problem(f"file {name!r} cannot be read ({e.strerror or e})")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return problem(f"file {name!r} is not UTF-8 text (byte {e.start})", "save the source text as UTF-8")
    return normalise(text), None


def _check_quote(rule: Rule, source: Source, text: str) -> Diagnostic | None:
    quote = normalise(rule.quote or "")
    if quote and quote in text:
        return None
    where = rule.quote_span or rule.span
    file = source.file
    if not quote:
        return Diagnostic("DC313", f"the quote of {rule.ref} is empty", where, "quote the words of the source")
    found = closest_passage(text, quote)
    message = f"the quote of {rule.ref} is not in source {source.id!r} ({file})"
    if found is None:
        return Diagnostic("DC313", message, where, f"no passage of {file} resembles it")
    passage, _ = found
    if passage.lower() == quote.lower():
        hint = f'{file} has it with other capitals: "{passage}"'
    else:
        shown = passage if len(passage) <= _HINT_WIDTH else passage[: _HINT_WIDTH - 3] + "..."
        hint = f'closest passage in {file}: "{shown}"'
    return Diagnostic("DC313", message, where, hint)


def _position(d: Diagnostic) -> tuple[int, int, int, str, str]:
    # Diagnostics without a position go last; the message breaks ties so the order never depends on a dict.
    if d.span is None:
        return (1, 0, 0, d.code, d.message)
    return (0, d.span.line, d.span.column, d.code, d.message)
