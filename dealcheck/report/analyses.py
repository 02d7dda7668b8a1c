"""Text, JSON and Markdown for the analysis reports (explore, repair, compare), registered on each format's
``functools.singledispatch`` renderer.

In: an :class:`~dealcheck.analysis.explore.ExploreReport`, :class:`~dealcheck.analysis.repair.RepairReport` or
:class:`~dealcheck.analysis.compare.CompareReport`. Out: text (via :func:`dealcheck.report.render`).

Importing this module registers the renderers; the CLI imports it before rendering. Every number the text shows is in
the JSON too, exact: a score is ``met``/``total`` (integers) plus its decimal, an objective is a fraction string
(``"871/210"``) plus its decimal rounded to 4 places.
"""

from __future__ import annotations

from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from dealcheck.analysis.compare import CompareReport, Verdict
from dealcheck.analysis.explore import ExploreReport, PartyScore, ScoredDeal, TermZone
from dealcheck.analysis.repair import RepairReport
from dealcheck.escape import markdown_code
from dealcheck.interrupt import stopped_by
from dealcheck.report import jsonfmt, markdown, text
from dealcheck.report.markdown import escape
from dealcheck.report.text import format_value, format_values, style

__all__ = ["OBJECTIVE_WORDS", "fraction"]

#: How each objective is described in reports.
OBJECTIVE_WORDS = {
    "total": "total score (sum of party scores)",
    "maximin": "maximin (the lowest party score)",
    "nash": "Nash product (product of party scores)",
    "kalai": "Kalai-Smorodinsky (the smallest fraction of a party's possible gain)",
}


def fraction(x: Fraction) -> str:
    """A fraction as ``n/d`` (or ``n`` when whole) with its decimal.

    >>> fraction(Fraction(871, 210)), fraction(Fraction(2))
    ('871/210 = 4.148', '2')
    """
    if x.denominator == 1:
        return str(x.numerator)
    if x.denominator > 10_000:  # decimal weights' long fractions: the text rounds, the JSON keeps them exact
        return f"{float(x):.4f}"
    return f"{x} = {float(x):.3f}"


def _approx(x: Fraction) -> float:
    return round(float(x), 4)


#: Past this many units a party's met/total (decimal weights: 10**16 units for Genius's 16-digit weights) is shown
#: reduced, or as a 4-place decimal when even that is long; the JSON keeps met and total exact.
_READABLE_UNITS = 10_000


def _met(s: PartyScore) -> str:
    if not s.total:
        return "-"
    if s.total <= _READABLE_UNITS:
        return f"{s.met}/{s.total}"
    x = s.score
    return f"{x.numerator}/{x.denominator}" if x.denominator <= _READABLE_UNITS else f"{float(x):.4f}"


def _units(met: int, total: int) -> str:
    """``met/total`` as :func:`_met` shows a score: as written when the units are few, else reduced or decimal."""
    if total <= _READABLE_UNITS:
        return f"{met}/{total}"
    x = Fraction(met, total)
    return f"{x.numerator}/{x.denominator}" if x.denominator <= _READABLE_UNITS else f"{float(x):.4f}"


def _score_cell(s: PartyScore) -> str:
    return f"{_met(s)} ({float(s.score):.2f})" if s.total else "- (no demands)"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def _head(title: str, path: str, variant: str | None) -> str:
    head = f"{title} ({path})"
    return head + (f", variant {variant}" if variant else "")


# --- explore --------------------------------------------------------------------------------------------------------


def _count_words(r: ExploreReport) -> str:
    if r.exact:
        n = f"{r.deals}"
    elif r.deals_high is not None:
        n = f"between {r.deals} and {r.deals_high}"
    else:
        n = f"at least {r.deals}"
    return f"{n} {'deal' if r.deals == 1 and r.exact else 'deals'} among {r.packages} packages"


def _verdict(r: ExploreReport, color: bool) -> str:
    if r.deals:
        return style("ZONE OF AGREEMENT", "good", color)
    if r.exact:
        return style("NO DEAL", "bad", color)
    return style("UNDECIDED", "open", color)  # a limit stopped the count before it found a deal: never "no deal"


def _interval(lo: int, hi: int) -> str:
    return f"{lo}" if lo == hi else f"{lo}..{hi}"


def _ranges_text(z: TermZone) -> tuple[str, str]:
    """An integer term's values in some deal, and those in none, as intervals (with the deals per interval)."""
    assert z.ranges is not None
    shown = []
    for lo, hi in z.ranges:
        n = (
            None
            if z.runs is None
            else sum(k * (min(b, hi) - max(a, lo) + 1) for a, b, k in z.runs if a <= hi and b >= lo)
        )
        shown.append(_interval(lo, hi) + ("" if n is None else f" {n}"))
    never = ", ".join(_interval(lo, hi) for lo, hi in z.excluded_ranges or ())
    return ", ".join(shown), never


def _scope_lines(r: ExploreReport) -> list[str]:
    lines = []
    if r.coalition:
        lines.append(f"  coalition: {', '.join(r.parties)} (only their red lines and scores count)")
    if r.given:
        name = f"package {r.package}" if r.package else "the given terms"
        lines.append(f"  within completions of {name}: {format_values(r.given)}")
    return lines


def _zone_text(z: TermZone, width: int, color: bool, complete: bool = True) -> str:
    if z.ranges is not None and not z.given:
        shown, never = _ranges_text(z)
        if not shown:
            body = style("in no deal", "bad", color) if complete else "none found before the limit"
        else:
            body = (style("FORCED ", "open", color) if z.forced else "") + shown
        if never:
            body += style(f"   never: {never}", "dim", color)
        return f"  {z.term:<{width}}  {body}"
    if z.given:
        body = f"given {format_value(z.options[0])}" if z.options else "given, in no deal"
    elif not z.options:
        body = style("in no deal", "bad", color) if complete else "none found before the limit"
    else:
        cells = [
            format_value(v) + (f" {n}" if z.deals is not None else "")
            for v, n in zip(z.options, z.deals or [None] * len(z.options), strict=True)
        ]
        body = (style("FORCED ", "open", color) if z.forced else "") + ", ".join(cells)
    if z.excluded and not z.given:
        body += style(f"   never: {', '.join(format_value(v) for v in z.excluded)}", "dim", color)
    return f"  {z.term:<{width}}  {body}"


def _scores_text(scores: Sequence[PartyScore]) -> str:
    return ", ".join(f"{s.party} {_met(s)}" for s in scores)


@text.render.register
def _(r: ExploreReport, *, color: bool = False) -> str:
    lines = [style(_head(r.scenario, r.path, r.variant), "head", color)]
    verdict = _verdict(r, color)
    lines.append(
        f"{verdict}: {_count_words(r)}" + ("" if r.exact else style(" (a limit stopped the count)", "open", color))
    )
    lines += _scope_lines(r)
    if r.exact and r.deals == 0:
        what = "completion of the given terms" if r.given else "package"
        lines.append(f"  no {what} keeps every red line; see dealcheck conflicts for why")
        lines += [f"note: {n}" for n in r.notes]
        return "\n".join(lines) + "\n"
    # Counts per option are shown when known: a linear part's counts vary value by value and are not.
    counted = r.exact and any(z.deals is not None or z.runs is not None for z in r.terms if not z.given)
    lines += ["", "Options that occur in some deal" + (" (deals per option):" if counted else ":")]
    width = max((len(z.term) for z in r.terms), default=0)
    lines += [_zone_text(z, width, color, r.terms_complete) for z in r.terms]
    if not r.terms_complete:
        lines.append(style(f"  (incomplete: {stopped_by()} stopped the search)", "open", color))
    if r.top:
        ties = "smallest codes first" if r.objective == "total" else "higher total score, then smallest codes"
        lines += ["", f"Best deals by {OBJECTIVE_WORDS[r.objective]}; ties: {ties}:"]
        for k, d in enumerate(r.best, 1):
            assert d.objective is not None
            lines.append(f"  {k}. {r.objective} {fraction(d.objective)}   scores: {_scores_text(d.scores)}")
            lines.append(f"     {format_values(d.values)}")
        if not r.best_complete:
            lines.append(
                style(f"  (incomplete: {len(r.best)} of {r.top} found before {stopped_by()} stopped it)", "open", color)
            )
    lines += [
        "",
        f"Pareto frontier of party scores (met demand weight / total): {_plural(len(r.pareto), 'point')}"
        + ("" if r.pareto_complete else " (incomplete)"),
    ]
    for k, d in enumerate(r.pareto, 1):
        lines.append(f"  {k}. {_scores_text(d.scores)}   total {fraction(d.total)}")
        lines.append(f"     example: {format_values(d.values)}")
    if r.notes:
        lines.append("")
        lines += [style(f"note: {n}", "open", color) for n in r.notes]
    return "\n".join(lines) + "\n"


def _scores_data(scores: Sequence[PartyScore]) -> dict[str, Any]:
    return {
        s.party: {"met": s.met, "total": s.total, "score": _approx(s.score), "met_demands": list(s.met_demands)}
        for s in scores
    }


def _deal_data(d: ScoredDeal) -> dict[str, Any]:
    out: dict[str, Any] = {"values": dict(d.values)}
    if d.objective is not None:
        out["objective"] = str(d.objective)
        out["objective_value"] = _approx(d.objective)
    out["total"] = str(d.total)
    out["total_value"] = _approx(d.total)
    out["scores"] = _scores_data(d.scores)
    return out


def _zone_data(z: TermZone, complete: bool) -> dict[str, Any]:
    """One term's zone; an integer term's values as ``[lo, hi]`` intervals (``dealcheck.explore/2``)."""
    if z.ranges is not None:
        return {
            "term": z.term,
            "options": [[lo, hi] for lo, hi in z.ranges],
            "excluded": None if z.excluded_ranges is None else [[lo, hi] for lo, hi in z.excluded_ranges],
            "forced": z.forced,
            "given": z.given,
            "deals": None if z.runs is None else [[lo, hi, n] for lo, hi, n in z.runs],
        }
    return {
        "term": z.term,
        "options": list(z.options),
        "excluded": list(z.excluded) if complete or z.given else None,
        "forced": z.forced,
        "given": z.given,
        "deals": None if z.deals is None else list(z.deals),
    }


@jsonfmt.to_data.register
def _(r: ExploreReport) -> dict[str, Any]:
    names = [z.term for z in r.terms]
    return {
        "schema": "dealcheck.explore/2",
        "scenario": r.scenario,
        "file": r.path,
        "variant": r.variant,
        "engine": r.backend,  # the JSON key keeps its first name: the schema is stable
        "parties": list(r.parties),
        "coalition": r.coalition,
        "package": r.package,
        "given": dict(r.given),
        "packages": r.packages,
        "deals": {
            "count": r.deals,
            "exact": r.exact,
            "at_most": r.deals if r.exact else r.deals_high,
            "parts": [
                {"terms": [names[t] for t in p.terms], "method": p.method, "low": p.low, "high": p.high}
                for p in r.counting
            ],
        },
        "terms": [_zone_data(z, r.terms_complete) for z in r.terms],
        "terms_complete": r.terms_complete,
        "objective": r.objective,
        "top": r.top,
        "best": [{"rank": k, **_deal_data(d)} for k, d in enumerate(r.best, 1)],
        "best_complete": r.best_complete,
        "ranking": r.ranking or None,
        "pareto": [_deal_data(d) for d in r.pareto],
        "pareto_complete": r.pareto_complete,
        "notes": list(r.notes),
        "exit_code": r.exit_code,
    }


def _md_scores_table(parties: Sequence[str], rows: Sequence[tuple[str, ScoredDeal]], first: str) -> list[str]:
    lines = [f"| {first} | " + " | ".join(escape(p) for p in parties) + " | deal |", "|---" * (len(parties) + 2) + "|"]
    for label, d in rows:
        cells = " | ".join(_met(s) for s in d.scores)
        lines.append(f"| {label} | {cells} | {markdown_code(format_values(d.values), table=True)} |")
    return lines


@markdown.render.register
def _(r: ExploreReport, *, color: bool = False) -> str:
    lines = [f"# Zone of agreement: {escape(r.scenario)}", ""]
    lines.append(
        f"File: {markdown_code(r.path)}" + (f", variant `{r.variant}`" if r.variant else "") + f", engine `{r.backend}`"
    )
    lines += ["", f"**{_count_words(r)}**" + ("" if r.exact else " (a limit stopped the count)"), ""]
    lines += [line.strip() for line in _scope_lines(r)] + ([""] if _scope_lines(r) else [])
    lines += ["## Options in some deal", "", "| term | options (deals) | never |", "|---|---|---|"]
    for z in r.terms:
        if z.ranges is not None and not z.given:
            shown, never = _ranges_text(z)
            opts = ("**forced** " if z.forced else "") + (shown or ("none" if r.terms_complete else "none found"))
            lines.append(f"| {escape(z.term)} | {escape(opts)} | {escape(never) or '-'} |")
            continue
        if z.given:
            opts = "given: " + ", ".join(format_value(v) for v in z.options)
        else:
            counts = z.deals or [None] * len(z.options)
            opts = ", ".join(
                format_value(v) + (f" ({n})" if n is not None else "") for v, n in zip(z.options, counts, strict=True)
            )
            # "none" alone could read as an option called none; an incomplete search found none *yet*.
            opts = ("**forced** " if z.forced else "") + (opts or ("none" if r.terms_complete else "none found"))
        never = ", ".join(format_value(v) for v in z.excluded) if not z.given else ""
        lines.append(f"| {escape(z.term)} | {escape(opts)} | {escape(never) or '-'} |")
    if r.top and r.best:
        lines += ["", f"## Best deals by {OBJECTIVE_WORDS[r.objective]}", ""]
        rows = [(f"{k}. {r.objective} {fraction(d.objective or Fraction(0))}", d) for k, d in enumerate(r.best, 1)]
        lines += _md_scores_table(r.parties, rows, "rank")
    lines += [
        "",
        f"## Pareto frontier ({_plural(len(r.pareto), 'point')}" + ("" if r.pareto_complete else ", incomplete") + ")",
        "",
    ]
    if r.pareto:
        lines += _md_scores_table(r.parties, [(str(k), d) for k, d in enumerate(r.pareto, 1)], "point")
    if r.notes:
        lines += ["", *[f"> note: {escape(n)}" for n in r.notes]]
    return "\n".join(lines) + "\n"


# --- repair ---------------------------------------------------------------------------------------------------------


def _change(c: Any) -> str:
    return f"{c.term}: {format_value(c.old)} -> {format_value(c.new)}"


def _party_change_text(pc: Any) -> str | None:
    bits = []
    if pc.kept:
        bits.append("red line kept: " + ", ".join(pc.kept))
    if pc.gained:
        bits.append("gains " + ", ".join(pc.gained))
    if pc.lost:
        bits.append("loses " + ", ".join(pc.lost))
    if not bits:
        return None
    score = f"  (met weight {_units(pc.met_before, pc.total)} -> {_units(pc.met_after, pc.total)})" if pc.total else ""
    return f"{pc.party}: " + "; ".join(bits) + score


def _proposal_words(r: RepairReport) -> str:
    name = f"package {r.package}" if r.package else "the given package"
    kind = "" if r.full else "partial "
    return f"Nearest deals to {kind}{name}: {format_values(r.values)}"


@text.render.register
def _(r: RepairReport, *, color: bool = False) -> str:
    lines = [style(_head(r.scenario, r.path, r.variant), "head", color), _proposal_words(r)]
    if r.broken:
        lines.append("  " + style("breaks ", "bad", color) + ", ".join(r.broken))
    if r.keep:
        lines.append(f"  keeping: {', '.join(r.keep)}")
    lines.append(
        "  distance = changed terms weighted by change_cost; open terms are filled in (best total score), "
        "not changed; ties: higher total score, then smallest codes"
    )
    if r.baseline is not None:
        lines.append(
            "  gains and losses: against the proposal's best completion (open terms filled in for the highest total "
            "score, red lines aside), not against its unset terms"
        )
    if not r.suggestions:
        if r.complete:
            what = "with the kept terms held" if r.keep else "at any distance"
            lines += ["", style("NO DEAL", "bad", color) + f": no deal exists {what}; see dealcheck conflicts"]
    elif r.deal:
        word = "IS A DEAL" if r.full else "CAN BECOME A DEAL"
        lines += ["", style(word, "good", color) + " without changing any term"]
    for k, s in enumerate(r.suggestions, 1):
        lines.append("")
        n = len(s.changes)
        lines.append(style(f"{k}. distance {s.distance}", "head", color) + f" ({_plural(n, 'change')})")
        lines += [f"     {_change(c)}" + (f"  (cost {c.cost})" if c.cost != 1 else "") for c in s.changes]
        if s.filled:
            lines.append(f"     filled in: {format_values({c.term: c.new for c in s.filled})}")
        for pc in s.parties:
            said = _party_change_text(pc)
            if said:
                lines.append(f"     {said}")
    if r.notes:
        lines.append("")
        lines += [style(f"note: {n}", "open", color) for n in r.notes]
    return "\n".join(lines) + "\n"


@jsonfmt.to_data.register
def _(r: RepairReport) -> dict[str, Any]:
    return {
        "schema": "dealcheck.repair/1",
        "scenario": r.scenario,
        "file": r.path,
        "variant": r.variant,
        "engine": r.backend,  # the JSON key keeps its first name: the schema is stable
        "package": r.package,
        "values": dict(r.values),
        "full": r.full,
        "broken": list(r.broken),
        "keep": list(r.keep),
        "top": r.top,
        "deal": r.deal,
        "suggestions": [
            {
                "rank": k,
                "distance": s.distance,
                "changes": [{"term": c.term, "old": c.old, "new": c.new, "cost": c.cost} for c in s.changes],
                "filled": {c.term: c.new for c in s.filled},
                "values": dict(s.values),
                "parties": {
                    pc.party: {
                        "gained": list(pc.gained),
                        "lost": list(pc.lost),
                        "red_lines_kept": list(pc.kept),
                        "met_before": pc.met_before,
                        "met_after": pc.met_after,
                        "total": pc.total,
                    }
                    for pc in s.parties
                },
            }
            for k, s in enumerate(r.suggestions, 1)
        ],
        "complete": r.complete,
        "notes": list(r.notes),
        "baseline": None if r.baseline is None else dict(r.baseline),
        "exit_code": r.exit_code,
    }


@markdown.render.register
def _(r: RepairReport, *, color: bool = False) -> str:
    lines = [
        f"# {escape(_proposal_words(r))}",
        "",
        f"Scenario: {escape(r.scenario)} ({markdown_code(r.path)}"
        + (f", variant `{r.variant}`" if r.variant else "")
        + ")",
        "",
    ]
    if r.broken:
        lines += [f"Breaks: {', '.join(f'`{b}`' for b in r.broken)}", ""]
    if r.keep:
        lines += [f"Keeping: {', '.join(f'`{k}`' for k in r.keep)}", ""]
    if not r.suggestions and r.complete:
        lines += ["**No deal** is reachable.", ""]
    for k, s in enumerate(r.suggestions, 1):
        lines += [f"## {k}. distance {s.distance}", ""]
        lines += [f"- {markdown_code(_change(c))}" for c in s.changes] or ["- no change"]
        if s.filled:
            lines.append(f"- filled in: {markdown_code(format_values({c.term: c.new for c in s.filled}))}")
        lines.append("")
        rows = [pc for pc in s.parties if pc.gained or pc.lost or pc.kept]
        if rows:
            lines += ["| party | red lines kept | gains | loses | met weight |", "|---|---|---|---|---|"]
            for pc in rows:
                weight = f"{_units(pc.met_before, pc.total)} -> {_units(pc.met_after, pc.total)}" if pc.total else "-"
                lines.append(
                    f"| {escape(pc.party)} | {escape(', '.join(pc.kept)) or '-'} | {escape(', '.join(pc.gained)) or '-'} "
                    f"| {escape(', '.join(pc.lost)) or '-'} | {weight} |"
                )
            lines.append("")
    lines += [f"> note: {escape(n)}" for n in r.notes]
    return "\n".join(lines).rstrip() + "\n"


# --- compare --------------------------------------------------------------------------------------------------------

_VERDICT_WORDS = {"deal": "deal", "can_become_deal": "can become deal", "no_deal": "no deal", "unknown": "unknown"}


def _column_name(variant: str | None) -> str:
    return variant or "base"


def _count_cell(deals: int, exact: bool) -> str:
    return str(deals) if exact else f">= {deals}"


def _table(r: CompareReport) -> list[list[str]]:
    """Rows of cells: a header, the deal count, then one row per package; a changed verdict is marked ``*``."""
    rows = [["", *(_column_name(c.variant) for c in r.columns)]]
    rows.append(["deals", *(_count_cell(c.deals, c.exact) for c in r.columns)])
    for i, pid in enumerate(r.packages):
        base = r.columns[0].verdicts[i].verdict
        cells = []
        for c in r.columns:
            v: Verdict = c.verdicts[i]
            cells.append(_VERDICT_WORDS[v.verdict] + (" *" if c.variant is not None and v.verdict != base else ""))
        rows.append([pid, *cells])
    return rows


@text.render.register
def _(r: CompareReport, *, color: bool = False) -> str:
    lines = [style(f"{r.scenario} ({r.path}): base scenario and variants", "head", color), ""]
    rows = _table(r)
    widths = [max(len(row[k]) for row in rows) for k in range(len(rows[0]))]
    for n, row in enumerate(rows):
        lines.append("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip())
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    if any("*" in cell for row in rows[1:] for cell in row[1:]):  # the legend only when some cell carries a mark
        lines += ["", "* verdict differs from the base scenario"]
    described = [c for c in r.columns[1:] if c.description]
    if described:
        lines += ["", "Variants:"]
        lines += [f"  {c.variant}: {c.description}" for c in described]
    if not r.complete:
        lines += ["", style("note: a limit stopped some counts or checks (>= marks a lower bound)", "open", color)]
    return "\n".join(lines) + "\n"


@jsonfmt.to_data.register
def _(r: CompareReport) -> dict[str, Any]:
    return {
        "schema": "dealcheck.compare/1",
        "scenario": r.scenario,
        "file": r.path,
        "engine": r.backend,  # the JSON key keeps its first name: the schema is stable
        "packages": list(r.packages),
        "columns": [
            {
                "variant": c.variant,
                "description": c.description,
                "deals": {"count": c.deals, "exact": c.exact},
                "verdicts": {v.package: {"verdict": v.verdict, "broken": list(v.broken)} for v in c.verdicts},
                "changed": list(r.changed(c)) if c.variant is not None else [],
            }
            for c in r.columns
        ],
        "complete": r.complete,
        "exit_code": r.exit_code,
    }


@markdown.render.register
def _(r: CompareReport, *, color: bool = False) -> str:
    rows = _table(r)
    lines = [f"# Variants of {escape(r.scenario)}", "", f"File: {markdown_code(r.path)}", ""]
    lines.append("| " + " | ".join(escape(c) or "package" for c in rows[0]) + " |")
    lines.append("|---" * len(rows[0]) + "|")
    lines += ["| " + " | ".join(escape(c) for c in row) + " |" for row in rows[1:]]
    if any("*" in cell for row in rows[1:] for cell in row[1:]):
        lines += ["", "\\* verdict differs from the base scenario"]
    described = [c for c in r.columns[1:] if c.description]
    if described:
        lines += ["", *[f"- `{c.variant}`: {escape(c.description or '')}" for c in described]]
    return "\n".join(lines) + "\n"
