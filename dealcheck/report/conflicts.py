"""Renderers for :class:`~dealcheck.analysis.conflicts.ConflictReport`, registered on each format's ``render``.

Importing this module registers them (the ``conflicts`` command and :meth:`dealcheck.model.Scenario.conflicts`
import it). Every format holds the same numbers; text and Markdown say "at least" or "first N" wherever a limit
cut a list short, and JSON carries ``complete`` and ``at_least`` for the same purpose.
"""

from __future__ import annotations

from typing import Any

from dealcheck.analysis.conflicts import Compatibility, Concession, Conflict, ConflictReport, ConflictRule
from dealcheck.escape import markdown_code
from dealcheck.interrupt import stopped_by
from dealcheck.report import jsonfmt, markdown, text
from dealcheck.report.markdown import escape
from dealcheck.report.text import format_values, style

__all__ = ["to_data"]

SCHEMA = "dealcheck.conflicts/1"


# --- shared wording -----------------------------------------------------------------------------------------


def _yes_no(value: bool | None) -> str:
    return "?" if value is None else ("yes" if value else "no")


def _at_least(shown: int, more: bool) -> int:
    """The proven lower bound on how many exist: one more than shown when the count limit cut the list."""
    return shown + 1 if more else shown


def _count_phrase(noun: str, shown: int, complete: bool, more: bool, timed_out: bool) -> str:
    """``2 ways (all found)``, ``first 10 shown (there are at least 11)``, ... (``noun`` may be empty)."""
    plural = (noun if shown == 1 else noun + "s") if noun else ""
    plural = " " + plural if plural else ""
    if complete:
        return f"{shown}{plural} (all found)"
    if more:
        return f"first {shown}{plural} shown (there are at least {shown + 1})"
    if timed_out:
        return f"{shown}{plural} found before {stopped_by()} stopped the search (there may be more)"
    return f"{shown}{plural} (incomplete)"  # pragma: no cover - every incomplete list has a reason above


def _without_red_lines(r: ConflictReport) -> list[str]:
    with_lines = {p for c in r.compatibility for p in c.parties}
    return [p for p in r.parties if p not in with_lines]


def _pair(r: ConflictReport, a: str, b: str) -> Compatibility | None:
    key = (a,) if a == b else (a, b)
    for c in r.compatibility:
        if c.parties == key:
            return c
    return None


def _alone_line(r: ConflictReport, parties: list[str]) -> str:
    """Whether each party's own red lines can hold (with the given package): the grid's diagonal, said in words."""
    given = " with the given package" if r.given else ""
    cells = []
    for p in parties:
        entry = _pair(r, p, p)
        cells.append(f"{p} {_yes_no(entry.compatible if entry else None)}")
    return f"alone{given}: " + ", ".join(cells)


def _matrix_parties(r: ConflictReport) -> list[str]:
    return [p for p in r.parties if any(c.parties == (p,) for c in r.compatibility)]


def _source(rule: ConflictRule) -> str:
    if rule.quote is not None:
        return f'"{rule.quote}" [{rule.source}]'
    if rule.assumption is not None:
        return f"assumption: {rule.assumption}"
    return ""


# --- text ---------------------------------------------------------------------------------------------------


def _head(r: ConflictReport) -> list[str]:
    head = f"{r.scenario} ({r.path})"
    if r.variant:
        head += f", variant {r.variant}"
    scope = f"Red lines of {', '.join(r.parties)} ({r.red_lines} red line{'s' if r.red_lines != 1 else ''})"
    if r.given:
        scope += "; given " + (f"package {r.package}: " if r.package else "") + format_values(r.given)
    return [head, scope]


def _text_rule(rule: ConflictRule, width: int, color: bool) -> list[str]:
    lines = [f"     {rule.party_name:<{width}}  {style(rule.id, 'bad', color)}: {rule.text}"]
    why = _source(rule)
    if why:
        lines.append(f"     {'':<{width}}    {why}")
    return lines


@text.render.register
def _(r: ConflictReport, *, color: bool = False) -> str:
    head, scope = _head(r)
    blocks = [style(head, "head", color) + "\n" + scope]
    if r.deal_exists is None:
        blocks.append(
            style("UNKNOWN", "open", color)
            + f": {stopped_by()} stopped the solver before it could tell whether a deal exists"
        )
    elif r.deal_exists:
        line = style("A DEAL EXISTS", "good", color) + ": every red line can hold at once, so there is no conflict"
        if r.example is not None:
            line += f"\n  example deal: {format_values(r.example)}"
        blocks.append(line)
    else:
        blocks.append(style("NO DEAL", "bad", color) + ": the red lines cannot all hold at once")

    parties = _matrix_parties(r)
    if parties:
        width = max(len(p) for p in parties)
        lines = [style("Compatibility", "head", color) + " (can their red lines hold together?)"]
        lines.append("  " + " " * width + "  " + "  ".join(f"{p:<{max(3, len(p))}}" for p in parties))
        for i, a in enumerate(parties):
            cells = []
            for j, b in enumerate(parties):
                # The diagonal is not a party against itself: whether a party's own red lines can hold is said
                # once, below the grid ("alone").
                entry = _pair(r, a, b) if j > i else None
                cell = "-" if j == i else "" if entry is None else _yes_no(entry.compatible)
                role = "good" if cell == "yes" else "bad" if cell == "no" else "open"
                padded = f"{cell:<{max(3, len(b))}}"
                cells.append(style(padded, role, color) if cell else padded)
            lines.append(f"  {a:<{width}}  " + "  ".join(cells).rstrip())
        lines.append("  " + _alone_line(r, parties))
        lines.append(f"  all together: {_yes_no(r.deal_exists)}")
        others = _without_red_lines(r)
        if others:
            lines.append(f"  ({', '.join(others)} {'has' if len(others) == 1 else 'have'} no red lines)")
        blocks.append("\n".join(lines))

    if r.deal_exists is False or (r.deal_exists is None and (r.conflicts or r.concessions)):
        phrase = _count_phrase("", len(r.conflicts), r.conflicts_complete, r.more_conflicts, r.timed_out)
        lines = [style("Minimal conflicts", "head", color) + f": {phrase}"]
        lines.append("  (each verified: these red lines cannot all hold, and dropping any one of them opens a deal)")
        for n, c in enumerate(r.conflicts, 1):
            lines.append(f"  {n}. " + " + ".join(c.refs))
            width = max(len(x.party_name) for x in c.rules)
            for rule in c.rules:
                lines += _text_rule(rule, width, color)
        if r.in_every_conflict is None:
            lines.append(f"In every conflict: unknown ({stopped_by('')})")
        elif r.in_every_conflict:
            lines.append("In every conflict: " + ", ".join(x.ref for x in r.in_every_conflict))
        else:
            lines.append("In every conflict: no single red line")
        blocks.append("\n".join(lines))

        phrase = _count_phrase("way", len(r.concessions), r.concessions_complete, r.more_concessions, r.timed_out)
        lines = [style("Fewest concessions", "head", color)]
        if r.concessions:
            best = r.concessions[0]
            size = len(best.rules)
            lines[0] += f": drop {size} red line{'s' if size != 1 else ''} (cost {best.cost}); {phrase}"
            for n, k in enumerate(r.concessions, 1):
                who = ", ".join(x.party_name for x in _unique_party_rules(k))
                lines.append(f"  {n}. drop {' + '.join(k.refs)}, cost {k.cost}: a concession by {who}")
                lines.append(f"     then this is a deal: {format_values(k.deal)}")
        else:
            lines[0] += f": unknown ({stopped_by('')})"
        blocks.append("\n".join(lines))

    if r.timed_out:
        blocks.append(style(stopped_by("").upper(), "open", color) + ": the answer above is incomplete")
    return "\n\n".join(blocks) + "\n"


def _unique_party_rules(c: Concession) -> list[ConflictRule]:
    seen: dict[str, ConflictRule] = {}
    for x in c.rules:
        seen.setdefault(x.party, x)
    return list(seen.values())


# --- JSON ---------------------------------------------------------------------------------------------------


def _rule_data(rule: ConflictRule) -> dict[str, Any]:
    d: dict[str, Any] = {
        "ref": rule.ref,
        "party": rule.party,
        "id": rule.id,
        "rule": rule.text,
        "concession_cost": rule.concession_cost,
    }
    if rule.description is not None:
        d["description"] = rule.description
    if rule.quote is not None:
        d["source"] = rule.source
        d["quote"] = rule.quote
    if rule.assumption is not None:
        d["assumption"] = rule.assumption
    return d


def _conflict_data(c: Conflict) -> dict[str, Any]:
    return {"parties": list(c.parties), "red_lines": [_rule_data(x) for x in c.rules]}


def _concession_data(c: Concession) -> dict[str, Any]:
    return {
        "cost": c.cost,
        "size": len(c.rules),
        "parties": list(c.parties),
        "drop": list(c.refs),
        "deal": dict(c.deal),
    }


@jsonfmt.to_data.register
def to_data(r: ConflictReport) -> dict[str, Any]:
    """The JSON document of a conflicts report (schema ``dealcheck.conflicts/1``)."""
    return {
        "schema": SCHEMA,
        "scenario": r.scenario,
        "file": r.path,
        "variant": r.variant,
        "parties": list(r.parties),
        "package": r.package,
        "given": dict(r.given),
        "red_lines": r.red_lines,
        "deal_exists": r.deal_exists,
        "example": None if r.example is None else dict(r.example),
        "compatibility": {
            "together": r.deal_exists,
            "entries": [{"parties": list(c.parties), "compatible": c.compatible} for c in r.compatibility],
            "without_red_lines": _without_red_lines(r),
        },
        "conflicts": {
            "complete": r.conflicts_complete,
            "count": len(r.conflicts),
            "at_least": _at_least(len(r.conflicts), r.more_conflicts),
            "sets": [_conflict_data(c) for c in r.conflicts],
            "in_every_conflict": None if r.in_every_conflict is None else [x.ref for x in r.in_every_conflict],
        },
        "concessions": {
            "complete": r.concessions_complete,
            "cost": r.concession_cost,
            "count": len(r.concessions),
            "at_least": _at_least(len(r.concessions), r.more_concessions),
            "sets": [_concession_data(c) for c in r.concessions],
        },
        "limit": r.limit,
        "timed_out": r.timed_out,
        "exit_code": r.exit_code,
    }


# --- Markdown -----------------------------------------------------------------------------------------------


@markdown.render.register
def _(r: ConflictReport, *, color: bool = False) -> str:
    head, scope = _head(r)
    lines = [
        f"# Conflicts: {escape(r.scenario)}",
        "",
        f"File: {markdown_code(r.path)}" + (f", variant `{r.variant}`" if r.variant else ""),
    ]
    lines += ["", escape(scope), ""]
    if r.deal_exists is None:
        lines.append(f"Verdict: **unknown** ({stopped_by('')})")
    elif r.deal_exists:
        lines.append("Verdict: **a deal exists**: every red line can hold at once, so there is no conflict.")
        if r.example is not None:
            lines += ["", f"Example deal: {markdown_code(format_values(r.example))}"]
    else:
        lines.append("Verdict: **no deal**: the red lines cannot all hold at once.")
    parties = _matrix_parties(r)
    if parties:
        lines += ["", "## Compatibility", "", "Can their red lines hold together?", ""]
        lines.append("| | " + " | ".join(escape(p) for p in parties) + " |")
        lines.append("|---|" + "---|" * len(parties))
        for i, a in enumerate(parties):
            cells = []
            for j, b in enumerate(parties):
                entry = _pair(r, a, b) if j > i else None
                cells.append("-" if j == i else "" if entry is None else _yes_no(entry.compatible))
            lines.append(f"| **{escape(a)}** | " + " | ".join(cells) + " |")
        lines += ["", escape(_alone_line(r, parties)[0].upper() + _alone_line(r, parties)[1:]) + "."]
        lines += ["", f"All together: {_yes_no(r.deal_exists)}."]
        others = _without_red_lines(r)
        if others:
            lines.append(f"{', '.join(others)} {'has' if len(others) == 1 else 'have'} no red lines.")
    if r.deal_exists is False or (r.deal_exists is None and (r.conflicts or r.concessions)):
        phrase = _count_phrase(
            "minimal conflict", len(r.conflicts), r.conflicts_complete, r.more_conflicts, r.timed_out
        )
        lines += [
            "",
            "## Minimal conflicts",
            "",
            f"{phrase[0].upper()}{phrase[1:]}; each verified (these red lines cannot "
            "all hold, and dropping any one of them opens a deal).",
            "",
        ]
        for n, c in enumerate(r.conflicts, 1):
            lines.append(f"{n}. " + " + ".join(f"`{x.ref}`" for x in c.rules))
            for x in c.rules:
                why = _source(x)
                lines.append(
                    f"   - {escape(x.party_name)} `{x.id}`: {markdown_code(x.text)}"
                    + (f"; {escape(why)}" if why else "")
                )
        if r.in_every_conflict is None:
            lines += ["", f"In every conflict: unknown ({stopped_by('')})."]
        else:
            common = ", ".join(f"`{x.ref}`" for x in r.in_every_conflict) or "no single red line"
            lines += ["", f"In every conflict: {common}."]
        lines += ["", "## Fewest concessions", ""]
        if r.concessions:
            phrase = _count_phrase("way", len(r.concessions), r.concessions_complete, r.more_concessions, r.timed_out)
            lines += [
                f"Cost {r.concessions[0].cost}; {phrase}.",
                "",
                "| drop | parties | cost | then this is a deal |",
                "|---|---|---|---|",
            ]
            for k in r.concessions:
                lines.append(
                    f"| {', '.join(f'`{x}`' for x in k.refs)} | {escape(', '.join(k.parties))} | {k.cost} "
                    f"| {markdown_code(format_values(k.deal), table=True)} |"
                )
        else:
            lines.append(f"Unknown ({stopped_by('')}).")
    if r.timed_out:
        stopper = stopped_by("")
        lines += ["", f"**{stopper[:1].upper() + stopper[1:]}:** the answer above is incomplete."]
    return "\n".join(lines) + "\n"
