"""Markdown output: the text report's content as headings, lists and tables, for issues, wikis and PRs."""

from __future__ import annotations

import functools
from typing import Any

from dealcheck.escape import for_markdown, markdown_code
from dealcheck.report.text import format_values
from dealcheck.results import CheckReport, PackageVerdict, Status

__all__ = ["escape", "render"]


def escape(text: str) -> str:
    """Text safe in Markdown running text and table cells (:func:`dealcheck.escape.for_markdown`); whitespace runs,
    newlines included, shown as one space.

    >>> escape('a | b <i>')
    'a \\\\| b \\\\<i\\\\>'
    """
    return for_markdown(" ".join(text.split()) if text.strip() else text)


@functools.singledispatch
def render(result: Any, *, color: bool = False) -> str:
    """Markdown for a result; analyses register their report classes here."""
    raise TypeError(f"no Markdown form for {type(result).__name__}")


def _verdict(v: PackageVerdict) -> str:
    if v.complete:
        return "**deal**" if v.deal else "**no deal**"
    if v.unknown:
        return "**unknown** (time limit)"
    return "**can become a deal**" if v.deal_possible else "**no deal possible**"


@render.register
def _(v: PackageVerdict, *, color: bool = False) -> str:
    name = v.package or "ad-hoc package"
    lines = [f"## {escape(name)}" + (f": {escape(v.title)}" if v.title else ""), ""]
    kind = "Package" if v.complete else "Partial package"
    lines += [f"{kind}: {markdown_code(format_values(v.values))}", "", f"Verdict: {_verdict(v)}", ""]
    if not v.complete and v.deal_possible:
        if v.forced:
            lines += [f"Forced in every deal: {markdown_code(format_values(v.forced))}", ""]
        if v.example is not None:
            lines += [f"Example deal: {markdown_code(format_values(v.example))}", ""]
    lines += ["| party | verdict | score | red lines broken | demands met |", "|---|---|---|---|---|"]
    for p in v.parties:
        if not p.acceptable:
            word = "rejects"
        elif not v.complete and any(o.status is Status.OPEN for o in p.red_lines):
            word = "could accept"
        else:
            word = "accepts"
        score = f"{p.score:.2f}"
        if not v.complete and p.score_max is not None and p.score_max != p.score:
            score += f"..{p.score_max:.2f}"
        lines.append(
            f"| {escape(p.name)} | {word} | {score} | {escape(', '.join(p.broken)) or '-'} "
            f"| {escape(', '.join(p.met)) or '-'} |"
        )
    broken = [(p, o) for p in v.parties for o in p.red_lines if o.status is Status.BROKEN]
    if broken:
        lines += ["", "Why:", ""]
        for p, o in broken:
            why = f'"{escape(o.quote)}" ({o.source})' if o.quote else f"assumption: {escape(o.assumption or '')}"
            vals = format_values(o.values)
            lines.append(
                f"- {escape(p.name)} `{o.id}`: {markdown_code(o.text)} is broken by {markdown_code(vals)}; {why}"
            )
    return "\n".join(lines)


@render.register
def _(r: CheckReport, *, color: bool = False) -> str:
    head = f"# {escape(r.scenario)}"
    parts = [head, "", f"File: {markdown_code(r.path)}" + (f", variant `{r.variant}`" if r.variant else "")]
    parts += ["", *[render(v) + "\n" for v in r.verdicts]]
    return "\n".join(parts).rstrip() + "\n"
