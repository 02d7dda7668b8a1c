"""Markdown output: the text report's content, in the same order and words, as headings, tables and lists.

A check report opens with the summary table (package | verdict | who blocks | on what), then one section per
package listing only the parties with something to say (``--all-parties`` for all). User strings are escaped with
:mod:`dealcheck.report.escape`, so a title cannot inject a link, an HTML tag or break a table.
"""

from __future__ import annotations

import functools
from typing import Any

from dealcheck.escape import for_markdown, markdown_code
from dealcheck.report.text import (
    SCORE_LEGEND,
    TextOptions,
    _name_and_score,
    format_values,
    score_text,
    summary_rows,
    verdict_word,
)
from dealcheck.results import CheckReport, PackageVerdict, PartyVerdict, Status

__all__ = ["escape", "render"]


def escape(text: str) -> str:
    """Text safe in Markdown running text and table cells (:func:`dealcheck.escape.for_markdown`); whitespace runs,
    newlines included, shown as one space.

    >>> escape('a | b <i>')
    'a \\\\| b \\\\<i\\\\>'
    """
    return for_markdown(" ".join(text.split()) if text.strip() else text)


def _md(text: str) -> str:
    return escape(text)


@functools.singledispatch
def render(result: Any, *, color: bool = False, options: TextOptions | None = None) -> str:
    """Markdown for a result; analyses register their report classes here."""
    raise TypeError(f"no Markdown form for {type(result).__name__}")


def _word(p: PartyVerdict, v: PackageVerdict) -> str:
    if p.acceptable is None:  # a limit stopped the question
        return "unknown"
    if not p.acceptable:
        return "rejects"
    if not v.complete and any(o.status is Status.OPEN for o in p.red_lines):
        return "could accept"
    return "accepts"


def _details(v: PackageVerdict, options: TextOptions) -> list[str]:
    name = v.package or "ad-hoc package"
    lines = [f"## {_md(name)}" + (f": {_md(v.title)}" if v.title else ""), ""]
    kind = "Package" if v.complete else "Partial package"
    word, _ = verdict_word(v)
    lines += [f"Verdict: **{word.lower()}**", "", f"{kind}: {markdown_code(format_values(v.values))}", ""]
    if not v.complete and v.deal_possible and not v.unknown:
        if v.forced:
            lines += [f"Forced in every deal: {markdown_code(format_values(v.forced))}", ""]
        if v.example is not None:
            label = (
                "Best deal (highest total score)"
                if v.example_kind == "best"
                else "Example deal (the first in option order: the time limit stopped the search for the best)"
                if v.example_kind == "first_limit"
                else "Example deal (the first in option order, not a recommendation)"
            )
            lines += [f"{label}: {markdown_code(format_values(v.example))}", ""]
    shown = [p for p in v.parties if options.all_parties or any(o.status is not Status.HELD for o in p.red_lines)]
    if shown:
        lines += [
            "| party | verdict | score | red lines broken | undecided | demands met |",
            "|---|---|---|---|---|---|",
        ]
        for p in shown:
            broken = [o for o in p.red_lines if o.status is Status.BROKEN]
            undecided = [o for o in p.red_lines if o.status is Status.OPEN]
            lines.append(
                f"| {_md(p.name)} | {_word(p, v)} | {score_text(p, v.complete)} "
                f"| {'; '.join(_md(o.plain or o.text) for o in broken) or '-'} "
                f"| {'; '.join(_md(o.plain or o.text) for o in undecided) or '-'} "
                f"| {_md(', '.join(p.met)) or '-'} |"
            )
        lines.append("")
    rest = [p for p in v.parties if p not in shown]
    if rest:
        also = ", ".join(_md(_name_and_score(p, v.complete)) for p in rest)
        lines += [f"{'Also accept' if shown else 'Every party accepts'}: {also}"]
    broken_by = [(p, o) for p in v.parties for o in p.red_lines if o.status is Status.BROKEN]
    if broken_by:
        lines += ["", "Why:", ""] if lines[-1] else ["Why:", ""]
        for p, o in broken_by:
            if o.quote:
                why = f"\u201c{_md(o.quote)}\u201d ({_md(o.source or '')})"
            else:
                why = f"assumption: {_md(o.assumption or '')}"
            rule = _md(o.plain or o.text)
            code = f" ({markdown_code(o.text)})" if options.verbose and o.plain and o.plain != o.text else ""
            lines.append(
                f"- {_md(p.name)} {markdown_code(o.id)}: {rule}{code}, broken by "
                f"{markdown_code(format_values(o.values))}; {why}"
            )
    return lines


@render.register
def _(v: PackageVerdict, *, color: bool = False, options: TextOptions | None = None) -> str:
    return "\n".join(_details(v, options or TextOptions()))


@render.register
def _(r: CheckReport, *, color: bool = False, options: TextOptions | None = None) -> str:
    from dealcheck.report.text import _counts

    options = options or TextOptions()
    parts = [f"# {_md(r.scenario)}", "", f"File: {markdown_code(r.path)}"]
    if r.variant:
        parts[-1] += f", variant {markdown_code(r.variant)}"
    parts += ["", _counts(r), "", "| package | verdict | who blocks | on what |", "|---|---|---|---|"]
    for v in r.verdicts:
        word, _ = verdict_word(v)
        for k, (who, what) in enumerate(summary_rows(v)):
            first = (_md(v.package or "ad-hoc package"), f"**{word.lower()}**") if k == 0 else ("", "")
            parts.append(f"| {first[0]} | {first[1]} | {_md(who)} | {_md(what) or '-'} |")
    if not options.quiet:
        parts += ["", SCORE_LEGEND, ""]
        parts += [line for v in r.verdicts for line in [*_details(v, options), ""]]
    return "\n".join(parts).rstrip() + "\n"
