"""The escape functions: every unsafe character becomes visible in text, markdown and HTML; JSON keeps values."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from dealcheck.escape import UNSAFE, for_html, for_json_text, for_markdown, for_text, markdown_code

#: Escape sequences an adversarial scenario would try: colours, window titles, forged lines, bidi overrides.
CORPUS = [
    "\x1b[31mred",
    "\x1b]0;pwned\x07",
    "\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\",
    "a\nFAKE LINE: DEAL",
    "c\x00d",
    "\r\x1b[Kgone",
    "\x9b31m",  # C1 CSI
    "\x85next",  # NEL
    "abc\u202edcba",
    "\u2066isolate\u2069",
    "line\u2028sep",
    "\ud800",
    "\x7f\x08\x08",
]

_BAD = set(chr(c) for c in range(0x20)) | set(chr(c) for c in range(0x7F, 0xA0))
_BAD |= set("\u061c\u200e\u200f\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def _clean(s: str) -> bool:
    return not any(c in _BAD or 0xD800 <= ord(c) <= 0xDFFF for c in s)


def test_corpus_is_inert_in_every_format() -> None:
    for s in CORPUS:
        assert _clean(for_text(s)), s
        assert _clean(for_markdown(s)), s
        assert _clean(markdown_code(s)), s
        assert _clean(for_html(s)), s
        assert "<" not in for_html(s + "<b>")


def test_newlines_kept_only_when_asked() -> None:
    assert for_text("a\nb\tc", newlines=True) == "a\nb\tc"
    assert for_text("a\nb\x1bc", newlines=True) == "a\nb\\x1bc"
    assert for_text("a\r\nb", newlines=True) == "a\\r\nb"


@given(st.text())
def test_any_string_is_inert(s: str) -> None:
    assert _clean(for_text(s))
    assert _clean(for_markdown(s))
    assert _clean(for_html(s))
    assert _clean(for_text(s, newlines=True).replace("\n", "").replace("\t", ""))


@given(st.text())
def test_json_keeps_the_value(s: str) -> None:
    doc = for_json_text(json.dumps({"s": s}, ensure_ascii=False))
    assert json.loads(doc) == {"s": s}
    assert _clean(doc.replace("\n", ""))


@given(st.text(alphabet=st.sampled_from("`a| ")))
def test_code_span_never_closes_early(s: str) -> None:
    code = markdown_code(s)
    fence = len(code) - len(code.lstrip("`"))
    assert "`" * fence not in code[fence:-fence]


def test_unsafe_covers_the_bad_set() -> None:
    import re

    assert all(re.fullmatch(f"[{UNSAFE}]", c) for c in _BAD)
