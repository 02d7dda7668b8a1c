"""Plain-text output: readable at a glance, one block per package, a verdict line first.

Colour is optional and only ever emphasis: the words alone carry every verdict, so ``--color never``,
``NO_COLOR`` and ``TERM=dumb`` lose nothing.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any

from dealcheck.escape import for_text
from dealcheck.results import CheckReport, PackageVerdict, PartyVerdict, RuleOutcome, Status

__all__ = ["format_values", "render", "style"]

_COLORS = {"good": "green", "bad": "red", "open": "yellow", "dim": "bright_black", "head": None}


def style(text: str, role: str, color: bool) -> str:
    """``text`` in the colour of ``role`` when colour is on; bold for headings."""
    if not color:
        return text
    import click

    if role == "head":
        return click.style(text, bold=True)
    return click.style(text, fg=_COLORS[role])


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def format_values(values: Mapping[str, Any]) -> str:
    """``term=value`` pairs in the order given.

    >>> format_values({"ceasefire": "energy", "minerals_deal": True, "aid_bn": 0})
    'ceasefire=energy, minerals_deal=true, aid_bn=0'
    """
    return ", ".join(f"{k}={format_value(v)}" for k, v in values.items()) or "(none)"


@functools.singledispatch
def render(result: Any, *, color: bool = False) -> str:
    """Text for a result; analyses register their report classes here."""
    raise TypeError(f"no text form for {type(result).__name__}")


def _score(p: PartyVerdict, complete: bool) -> str:
    if complete or p.score_max is None or p.score_max == p.score:
        return f"score {p.score:.2f}"
    return f"score {p.score:.2f}..{p.score_max:.2f}"


def _why(o: RuleOutcome, indent: str) -> list[str]:
    lines = []
    if o.values:
        lines.append(f"{indent}because {format_values({k: ('?' if v is None else v) for k, v in o.values.items()})}")
    # A quote or assumption may span lines in the file (a block scalar): shown on one line, so no line of it can
    # pass for a line of the report.
    if o.quote is not None:
        lines.append(f'{indent}"{for_text(" ".join(o.quote.split()))}" [{o.source}]')
    elif o.assumption is not None:
        lines.append(f"{indent}assumption: {for_text(' '.join(o.assumption.split()))}")
    return lines


def _party_lines(p: PartyVerdict, v: PackageVerdict, width: int, color: bool) -> list[str]:
    if not p.acceptable:
        word, role = "REJECTS", "bad"
    elif not v.complete and any(o.status is Status.OPEN for o in p.red_lines):
        word, role = "could accept", "open"
    else:
        word, role = "accepts", "good"
    head = f"  {p.name:<{width}}  {style(f'{word:<12}', role, color)}  {_score(p, v.complete)}"
    if p.met:
        head += "  meets " + ", ".join(p.met)
    lines = [head]
    for o in p.red_lines:
        if o.status is Status.BROKEN:
            lines.append("    " + style(f"breaks {o.id}", "bad", color) + f": {o.text}")
            lines += _why(o, "      ")
        elif o.status is Status.OPEN:
            lines.append("    " + style(f"open   {o.id}", "open", color) + f": {o.text}")
    return lines


@render.register
def _(v: PackageVerdict, *, color: bool = False) -> str:
    name = v.package or "ad-hoc package"
    title = f"{name}: {v.title}" if v.title else name
    lines = [style(f"== {title} ==", "head", color)]
    if v.complete:
        if v.deal:
            lines.append(style("DEAL", "good", color) + ": every party's red lines hold")
        else:
            who = [p.name for p in v.parties if not p.acceptable]
            n = sum(len(p.broken) for p in v.parties)
            lines.append(
                style("NO DEAL", "bad", color) + f": breaks {n} red line{'s' if n != 1 else ''} ({', '.join(who)})"
            )
        lines.append(f"  package: {format_values(v.values)}")
    else:
        if v.unknown:
            lines.append(style("UNKNOWN", "open", color) + ": the time limit stopped the search for a deal completion")
        elif v.deal_possible:
            lines.append(style("CAN BECOME A DEAL", "good", color) + ": some completion keeps every red line")
            if v.forced:
                lines.append(f"  forced in every deal: {format_values(v.forced)}")
            if v.example is not None:
                extra = {k: x for k, x in v.example.items() if k not in v.values}
                lines.append(f"  example completion: {format_values(extra)}")
        else:
            who = [p.name for p in v.parties if not p.acceptable]
            if who:
                why = f" ({', '.join(who)} {'rejects' if len(who) == 1 else 'reject'} every completion)"
            else:
                why = " (each party can accept some completion, but no completion satisfies all at once)"
            lines.append(style("NO DEAL POSSIBLE", "bad", color) + why)
        lines.insert(2, f"  partial package: {format_values(v.values)}")
    width = max((len(p.name) for p in v.parties), default=0)
    for p in v.parties:
        lines += _party_lines(p, v, width, color)
    return "\n".join(lines)


@render.register
def _(r: CheckReport, *, color: bool = False) -> str:
    head = f"{r.scenario} ({r.path})"
    if r.variant:
        head += f", variant {r.variant}"
    blocks = [style(head, "head", color)]
    blocks += [render(v, color=color) for v in r.verdicts]
    deals = sum(1 for v in r.verdicts if v.deal)
    can = sum(1 for v in r.verdicts if not v.complete and v.deal_possible)
    none = sum(1 for v in r.verdicts if not v.ok and not v.unknown)
    unknown = sum(1 for v in r.verdicts if v.unknown)
    summary = f"{len(r.verdicts)} package{'s' if len(r.verdicts) != 1 else ''} checked: {deals} deal{'s' if deals != 1 else ''}"
    summary += f", {can} can become deals, {none} no deal"
    if unknown:
        summary += f", {unknown} unknown (time limit)"
    blocks.append(summary)
    return "\n\n".join(blocks) + "\n"
