"""Plain-text output: the answer on the first screen, then the reasons.

A check report opens with one line of counts and a summary table (package | verdict | who blocks | on what), so
the first screen says which packages are deals and who stands in the way of the others. Then, per package, only
the parties with something to say: a red line broken, or one still undecided (``--all-parties`` lists the rest).
Rules read in plain words (``ceasefire is not "full"``; the code form with ``--verbose``), scores in one notation,
``71% (5/7)``, explained once, and every line is wrapped to the width given (the terminal's, in the CLI).

Colour is optional and only ever emphasis: the words alone carry every verdict, so ``--color never``,
``NO_COLOR`` and ``TERM=dumb`` lose nothing. User strings go through :func:`dealcheck.report.escape.for_text`, so
a title cannot move the cursor or reverse the line.
"""

from __future__ import annotations

import functools
import textwrap
from collections.abc import Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs

from dealcheck.escape import for_text
from dealcheck.interrupt import stopped_by
from dealcheck.results import CheckReport, PackageVerdict, PartyVerdict, RuleOutcome, Status

__all__ = [
    "SCORE_LEGEND",
    "TextOptions",
    "format_values",
    "render",
    "score_text",
    "style",
    "summary_rows",
    "wrap",
]

_COLORS = {"good": "green", "bad": "red", "open": "yellow", "dim": "bright_black", "head": None}

#: The one explanation of the score notation, printed once per report.
SCORE_LEGEND = (
    "Scores: the weight of a party's demands a package meets, out of the total, as 71% (5/7). For a partial "
    "package, from what every completion meets to the most some completion can: 29%..100% (2/7..7/7). "
    "Undecided: a red line that holds in some completions and breaks in others."
)


@attrs.frozen
class TextOptions:
    """How much to show, and how wide: ``quiet`` the summary only, ``all_parties`` every party in the details,
    ``verbose`` each rule's code form under its plain words. ``width`` 0 means no wrapping."""

    width: int = 100
    quiet: bool = False
    all_parties: bool = False
    verbose: bool = False


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
    return for_text(str(value))


def format_values(values: Mapping[str, Any]) -> str:
    """``term=value`` pairs in the order given.

    >>> format_values({"ceasefire": "energy", "minerals_deal": True, "aid_bn": 0})
    'ceasefire=energy, minerals_deal=true, aid_bn=0'
    """
    return ", ".join(f"{for_text(k)}={format_value(v)}" for k, v in values.items()) or "(none)"


def wrap(line: str, width: int, indent: int | None = None) -> list[str]:
    """``line`` cut at spaces to ``width`` columns; continuation lines indented two more than the line's own.

    >>> wrap("  because a=1, b=2, c=3", 16)
    ['  because a=1,', '    b=2, c=3']
    """
    if width <= 0 or len(line) <= width:
        return [line]
    lead = len(line) - len(line.lstrip(" "))
    sub = " " * (lead + 2 if indent is None else indent)
    return textwrap.wrap(
        line,
        width=width,
        initial_indent="",
        subsequent_indent=sub,
        break_long_words=False,
        break_on_hyphens=False,
        drop_whitespace=True,
        replace_whitespace=False,
    ) or [line]


def _pct(met: int | Fraction, total: int | Fraction) -> str:
    return f"{(200 * met + total) // (2 * total)}%"  # rounded half up, in integers


def _weights(p: PartyVerdict) -> tuple[int | Fraction, int | Fraction, int | None]:
    total = sum(o.weight for o in p.demands)
    met = sum(o.weight for o in p.demands if o.status is Status.HELD)
    most = None if p.score_max is None else round(p.score_max * total)
    return met, total, most


def score_text(p: PartyVerdict, complete: bool) -> str:
    """``71% (5/7)``, or ``29%..100% (2/7..7/7)`` for a partial package, or ``no demands``."""
    met, total, most = _weights(p)
    if total == 0:
        return "no demands"
    if any(type(o.weight) is not int for o in p.demands) or abs(met / total - p.score) > 1e-9:
        # Decimal weights, or a utility (each issue's weight counts once in the total, not its options' shares):
        # the percentage from the score itself; the exact fraction is in the JSON.
        low = f"{(2000 * Fraction(p.score).limit_denominator(10**9) + 1) // 20}%"
        if complete or p.score_max is None or abs(p.score_max - p.score) <= 1e-12:
            return low
        return f"{low}..{(2000 * Fraction(p.score_max).limit_denominator(10**9) + 1) // 20}%"
    if complete or most is None or most == met:
        return f"{_pct(met, total)} ({met}/{total})"
    return f"{_pct(met, total)}..{_pct(most, total)} ({met}/{total}..{most}/{total})"


@functools.singledispatch
def render(result: Any, *, color: bool = False, options: TextOptions | None = None) -> str:
    """Text for a result; analyses register their report classes here."""
    raise TypeError(f"no text form for {type(result).__name__}")


def _rule_text(o: RuleOutcome, verbose: bool) -> str:
    return for_text(o.plain or o.text)


def _why(o: RuleOutcome, indent: str, verbose: bool) -> list[str]:
    lines = []
    if verbose and o.plain and o.plain != o.text:
        lines.append(f"{indent}rule: {for_text(o.text)}")
    if o.values and o.status is Status.BROKEN:
        lines.append(f"{indent}because {format_values({k: ('?' if v is None else v) for k, v in o.values.items()})}")
    # A quote or assumption may span lines in the file (a block scalar): shown on one line, so no line of it can
    # pass for a line of the report.
    if o.quote is not None:
        lines.append(f'{indent}"{for_text(_one_line(o.quote))}" [{for_text(o.source or "")}]')
    elif o.assumption is not None:
        lines.append(f"{indent}assumption: {for_text(_one_line(o.assumption))}")
    return lines


def _one_line(text: str) -> str:
    return " ".join(text.split())


def _party_word(p: PartyVerdict, v: PackageVerdict) -> tuple[str, str]:
    if p.acceptable is None:  # a limit stopped the question
        return ("unknown", "open")
    if not p.acceptable:
        return ("REJECTS", "bad")
    if not v.complete and any(o.status is Status.OPEN for o in p.red_lines):
        return ("could accept", "open")
    return ("accepts", "good")


def _has_something_to_say(p: PartyVerdict) -> bool:
    return any(o.status is not Status.HELD for o in p.red_lines)


def _party_lines(p: PartyVerdict, v: PackageVerdict, width: int, color: bool, options: TextOptions) -> list[str]:
    word, role = _party_word(p, v)
    score = score_text(p, v.complete)
    head = f"  {for_text(p.name):<{width}}  {style(f'{word:<12}', role, color)}  " + (
        score if score == "no demands" else f"score {score}"
    )
    if p.met:
        head += ", meets " + ", ".join(for_text(m) for m in p.met)
    lines = [head]
    for o in p.red_lines:
        if o.status is Status.BROKEN:
            lines.append(
                "    " + style(f"breaks {for_text(o.id)}", "bad", color) + f": {_rule_text(o, options.verbose)}"
            )
            lines += _why(o, "      ", options.verbose)
        elif o.status is Status.OPEN:
            lines.append(
                "    " + style(f"undecided {for_text(o.id)}", "open", color) + f": {_rule_text(o, options.verbose)}"
            )
            if options.verbose:
                lines += _why(o, "      ", options.verbose)
    return lines


def verdict_word(v: PackageVerdict) -> tuple[str, str]:
    """The verdict in capitals and its colour role: ``DEAL``, ``NO DEAL``, ``CAN BECOME A DEAL`` ..."""
    if v.complete:
        return ("DEAL", "good") if v.deal else ("NO DEAL", "bad")
    if v.unknown:
        return ("UNKNOWN", "open")
    return ("CAN BECOME A DEAL", "good") if v.deal_possible else ("NO DEAL POSSIBLE", "bad")


def _blockers(v: PackageVerdict) -> list[PartyVerdict]:
    return [p for p in v.parties if p.acceptable is False]


def summary_rows(v: PackageVerdict) -> list[tuple[str, str]]:
    """(who blocks, on what) rows of one package for the summary table: one per blocking party, with its broken red
    lines in plain words (``-`` and nothing for a deal: what a deal forces is in the details)."""
    blockers = _blockers(v)
    if blockers and not v.ok:
        rows = []
        for p in blockers:
            broken = [o for o in p.red_lines if o.status is Status.BROKEN]
            what = "; ".join(for_text(o.plain or o.text) for o in broken) or "every completion breaks a red line"
            rows.append((for_text(p.name), what))
        return rows
    if v.unknown:
        return [("-", f"{stopped_by('a')} stopped the search for a deal completion")]
    if not v.ok:
        return [("no single party", "each can accept some completion, but no completion satisfies all at once")]
    return [("-", "")]


def _table(
    header: Sequence[str], rows: Sequence[Sequence[str]], width: int, color_col: int, roles: Sequence[str], color: bool
) -> list[str]:
    """Columns padded to their widest cell; the last column wraps within what is left of ``width``."""
    widths = [max(len(r[k]) for r in [header, *rows]) for k in range(len(header) - 1)]
    lead = "  "
    used = len(lead) + sum(w + 2 for w in widths)
    room = max(0, width - used) if width > 0 else 0
    narrow = bool(room) and room < 24 and any(len(r[-1]) > room for r in rows)
    out = [(lead + "  ".join(h.ljust(w) for h, w in zip(header, widths, strict=False))).rstrip()]
    if not narrow:
        out[0] = (out[0].ljust(used - 2) + "  " + header[-1]).rstrip()
    for row, role in zip(rows, roles, strict=True):
        cells = []
        for k, w in enumerate(widths):
            cell = row[k].ljust(w)
            cells.append(style(cell, role, color) if k == color_col and row[k] else cell)
        if not narrow:
            last = textwrap.wrap(row[-1], room, break_long_words=False, break_on_hyphens=False) if room else [row[-1]]
            out.append((lead + "  ".join(cells) + "  " + (last[0] if last else "")).rstrip())
            out += [(" " * used + more).rstrip() for more in last[1:]]
        else:  # too narrow for a column: the reason goes under the row, indented
            out.append((lead + "  ".join(cells)).rstrip())
            out += wrap("      " + row[-1], width)
    return out


def _summary(r: CheckReport, width: int, color: bool) -> list[str]:
    rows: list[tuple[str, str, str, str]] = []
    roles: list[str] = []
    for v in r.verdicts:
        word, role = verdict_word(v)
        for k, (who, what) in enumerate(summary_rows(v)):
            name = for_text(v.package or "ad-hoc package")
            rows.append((name, word, who, what) if k == 0 else ("", "", who, what))
            roles.append(role)
    return _table(("package", "verdict", "who blocks", "on what"), rows, width, 1, roles, color)


def _counts(r: CheckReport) -> str:
    deals = sum(1 for v in r.verdicts if v.deal)
    can = sum(1 for v in r.verdicts if not v.complete and v.deal_possible)
    none = sum(1 for v in r.verdicts if not v.ok and not v.unknown)
    unknown = sum(1 for v in r.verdicts if v.unknown)
    n = len(r.verdicts)
    parts = [f"{deals} deal{'s' if deals != 1 else ''}"]
    if can:
        parts.append(f"{can} can become {'a deal' if can == 1 else 'deals'}")
    parts.append(f"{none} no deal")
    if unknown:
        parts.append(f"{unknown} unknown ({stopped_by('')})")
    return f"{n} package{'s' if n != 1 else ''} checked: " + ", ".join(parts)


def _details(v: PackageVerdict, color: bool, options: TextOptions) -> list[str]:
    name = for_text(v.package or "ad-hoc package")
    title = f"{name}: {for_text(v.title)}" if v.title else name
    lines = [style(f"== {title} ==", "head", color)]
    word, role = verdict_word(v)
    if v.complete:
        if v.deal:
            lines.append(style(word, role, color) + ": every party's red lines hold")
        else:
            who = [for_text(p.name) for p in _blockers(v)]
            n = sum(len(p.broken) for p in v.parties)
            lines.append(style(word, role, color) + f": breaks {n} red line{'s' if n != 1 else ''} ({', '.join(who)})")
        lines.append(f"  package: {format_values(v.values)}")
    else:
        if v.unknown:
            lines.append(style(word, role, color) + f": {stopped_by()} stopped the search for a deal completion")
        elif v.deal_possible:
            lines.append(style(word, role, color) + ": some completion keeps every red line")
        else:
            who = [for_text(p.name) for p in _blockers(v)]
            if who:
                verb = "rejects" if len(who) == 1 else "reject"
                why = f": {', '.join(who)} {verb} every completion"
            else:
                why = ": each party can accept some completion, but no completion satisfies all at once"
            lines.append(style(word, role, color) + why)
        lines.append(f"  partial package: {format_values(v.values)}")
        if v.deal_possible and not v.unknown:
            if v.forced:
                lines.append(f"  forced in every deal: {format_values(v.forced)}")
            if v.example is not None:
                extra = {k: x for k, x in v.example.items() if k not in v.values}
                label = (
                    "best completion (highest total score)"
                    if v.example_kind == "best"
                    else "example completion (the first in option order: the time limit stopped the search for the "
                    "best)"
                    if v.example_kind == "first_limit"
                    else "example completion (the first in option order, not a recommendation)"
                )
                lines.append(f"  {label}: {format_values(extra)}")
    shown = v.parties if options.all_parties else tuple(p for p in v.parties if _has_something_to_say(p))
    width = max((len(for_text(p.name)) for p in shown), default=0)
    for p in shown:
        lines += _party_lines(p, v, width, color, options)
    rest = [p for p in v.parties if p not in shown]
    if rest:
        lead = "also accept" if shown else "every party accepts"
        lines.append(f"  {lead}: " + ", ".join(_name_and_score(p, v.complete) for p in rest))
    return lines


def _name_and_score(p: PartyVerdict, complete: bool) -> str:
    """``Ukraine 75% (3/4)``, or ``Russia (no demands)``."""
    score = score_text(p, complete)
    return f"{for_text(p.name)} ({score})" if score == "no demands" else f"{for_text(p.name)} {score}"


def _wrapped(lines: Sequence[str], width: int) -> list[str]:
    out: list[str] = []
    for line in lines:
        out += wrap(line, width)
    return out


@render.register
def _(v: PackageVerdict, *, color: bool = False, options: TextOptions | None = None) -> str:
    options = options or TextOptions()
    return "\n".join(_wrapped(_details(v, color, options), options.width))


@render.register
def _(r: CheckReport, *, color: bool = False, options: TextOptions | None = None) -> str:
    options = options or TextOptions()
    head = f"{for_text(r.scenario)} ({for_text(r.path)})"
    if r.variant:
        head += f", variant {for_text(r.variant)}"
    # The table wraps its own last column; the other lines wrap here.
    top = [*_wrapped([style(head, "head", color), _counts(r)], options.width), "", *_summary(r, options.width, color)]
    if options.quiet:
        return "\n".join(top) + "\n"
    blocks = ["\n".join([*top, "", *_wrapped([SCORE_LEGEND], options.width)])]
    blocks += [render(v, color=color, options=options) for v in r.verdicts]
    return "\n\n".join(blocks) + "\n"
