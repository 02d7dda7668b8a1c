"""HTML output: one self-contained page (inline CSS, a few lines of JS, hand-written SVG) for ``dealcheck report``.

In: an :class:`~dealcheck.analysis.overview.Overview` (or a check report). Out: a page that needs no network when
viewed: the packages x parties matrix coloured by verdict, each cell a button that opens the party's broken and
undecided red lines with their quotes; the zone of agreement per term as bars; the Pareto frontier as pairwise
scatter plots with the best deals marked; conflicts and cheapest concessions of every package that is not a deal;
the variants side by side; and the registered extra analyses (``dealcheck explain``).

Why hand-written SVG rather than Vega-Lite/Altair or Plotly: the plots are a few rectangles and circles; a chart
library would add a vendored JavaScript bundle of one to three megabytes to every page, draw only after its script
runs (nothing to print or to read without JS, and nothing for a test to find in the HTML), and tie the page to the
library's release cycle. SVG written here is deterministic (same input, same bytes), prints as vectors, carries a
``<title>`` per mark for screen readers and tooltips, and costs no dependency.

Every user string goes through :func:`dealcheck.report.escape.for_html`. Verdicts never rely on colour alone: each
cell says its verdict in a word and a symbol too.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

from dealcheck.report.escape import for_html
from dealcheck.report.text import format_values, score_text, summary_rows, verdict_word
from dealcheck.results import CheckReport, PackageVerdict, PartyVerdict, Status

__all__ = ["FRAGMENTS", "render"]


def e(text: Any) -> str:
    return for_html(str(text))


@functools.singledispatch
def render(result: Any, *, color: bool = False, options: Any = None) -> str:
    """HTML for a result: a whole page. A report without a page of its own is shown as its text, in a page."""
    from dealcheck.report import render as render_any

    text = render_any(result, "text")
    title = getattr(result, "scenario", None) or type(result).__name__
    return _page(str(title), [("report", "Report", f"<pre>{e(text)}</pre>")], "")


_CSS = """
:root { --deal: #1a7f37; --deal-bg: #dafbe1; --no: #b42318; --no-bg: #ffe4e1; --open: #8a5a00; --open-bg: #fff3c4;
  --ink: #1f2328; --muted: #59636e; --line: #d0d7de; --focus: #0969da; }
* { box-sizing: border-box; }
body { font: 15px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--ink); margin: 0;
  padding: 1.5rem 2rem 3rem; max-width: 1400px; }
h1 { font-size: 1.6rem; margin: 0 0 .3rem; } h2 { font-size: 1.25rem; margin: 2rem 0 .6rem;
  border-bottom: 1px solid var(--line); padding-bottom: .2rem; } h3 { font-size: 1.05rem; margin: 1.2rem 0 .4rem; }
p.lead { color: var(--muted); margin: .2rem 0 1rem; } nav a { margin-right: 1rem; }
table { border-collapse: collapse; margin: .4rem 0 1rem; } th, td { border: 1px solid var(--line);
  padding: .3rem .5rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; font-weight: 600; } th.pkg { min-width: 12rem; } .pkg small { color: var(--muted); display: block; font-weight: 400; }
.v-deal { background: var(--deal-bg); color: var(--deal); } .v-no { background: var(--no-bg); color: var(--no); }
.v-open { background: var(--open-bg); color: var(--open); } .v-none { color: var(--muted); }
td.cell { padding: 0; } td.cell button { all: unset; display: block; width: 100%; padding: .3rem .5rem; cursor: pointer;
  box-sizing: border-box; } td.cell button:focus-visible, a:focus-visible, button:focus-visible { outline: 3px solid var(--focus); outline-offset: -3px; }
td.cell button[aria-expanded="true"] { box-shadow: inset 0 -3px 0 currentColor; font-weight: 600; }
.badge { display: inline-block; padding: 0 .45rem; border-radius: 1rem; font-weight: 600; font-size: .85rem; white-space: nowrap; }
.detail td { background: #fbfbfc; } .cell-detail { padding: .4rem .2rem; } .cell-detail h4 { margin: 0 0 .3rem; }
blockquote { margin: .2rem 0 .4rem 1rem; padding-left: .6rem; border-left: 3px solid var(--line); font-style: italic; }
.rule { font-family: ui-monospace, SFMono-Regular, Menlo, monospace; font-size: .9em; color: var(--muted); }
ul { margin: .2rem 0 .6rem; padding-left: 1.3rem; } .muted { color: var(--muted); }
.plots { display: flex; flex-wrap: wrap; gap: 1rem; } figure { margin: 0; width: 240px; } figcaption { font-size: .85rem; color: var(--muted); }
svg text { font: 11px system-ui, sans-serif; fill: var(--ink); } .legend span { margin-right: 1rem; }
@media print { body { padding: 0; font-size: 11pt; } nav, .noprint { display: none; }
  .cell-detail[hidden] { display: block !important; } tr.detail[hidden] { display: table-row !important; }
  .cell-detail.quiet { display: none !important; }
  td.cell button { padding: .2rem .3rem; } h2 { break-after: avoid; } table, figure { break-inside: avoid; } }
"""

# Cells toggle their detail row; Escape closes it and returns focus to the cell. No framework, no network.
_JS = """
(function () {
  function closeRow(row) {
    row.querySelectorAll('button[aria-expanded="true"]').forEach(function (b) {
      b.setAttribute('aria-expanded', 'false');
      document.getElementById(b.getAttribute('aria-controls')).hidden = true;
    });
  }
  document.querySelectorAll('td.cell button').forEach(function (button) {
    button.addEventListener('click', function () {
      var panel = document.getElementById(button.getAttribute('aria-controls'));
      var detail = panel.closest('tr');
      var open = button.getAttribute('aria-expanded') === 'true';
      closeRow(button.closest('tr'));
      detail.querySelectorAll('.cell-detail').forEach(function (p) { p.hidden = true; });
      if (!open) {
        button.setAttribute('aria-expanded', 'true');
        panel.hidden = false;
        detail.hidden = false;
      } else {
        detail.hidden = true;
      }
    });
    button.addEventListener('keydown', function (event) {
      if (event.key === 'Escape' && button.getAttribute('aria-expanded') === 'true') { button.click(); }
    });
  });
})();
"""


def _state(p: PartyVerdict, v: PackageVerdict) -> tuple[str, str, str]:
    """(css class, symbol, word) of a party's view of a package."""
    if p.acceptable is None:  # a limit stopped the question
        return ("v-open", "?", "unknown")
    if not p.acceptable:
        return ("v-no", "\u2717", "rejects")
    if not v.complete and any(o.status is Status.OPEN for o in p.red_lines):
        return ("v-open", "?", "could accept")
    return ("v-deal", "\u2713", "accepts")


_VERDICT_CLASS = {"good": "v-deal", "bad": "v-no", "open": "v-open"}


def _rule_items(p: PartyVerdict) -> str:
    out = []
    for o in p.red_lines:
        if o.status is Status.HELD:
            continue
        what = "breaks" if o.status is Status.BROKEN else "undecided"
        item = f"<li><b>{what} {e(o.id)}</b>: {e(o.plain or o.text)} <span class=rule>({e(o.text)})</span>"
        if o.status is Status.BROKEN and o.values:
            item += f"<br><span class=muted>because {e(format_values(o.values))}</span>"
        if o.quote is not None:
            item += f'<blockquote class="quote">\u201c{e(o.quote)}\u201d <span class=muted>[{e(o.source or "")}]</span></blockquote>'
        elif o.assumption is not None:
            item += f"<br><span class=muted>assumption: {e(o.assumption)}</span>"
        out.append(item + "</li>")
    return (
        "<ul>" + "".join(out) + "</ul>"
        if out
        else "<p class=muted>No red line of this party is broken or undecided.</p>"
    )


def _cell_detail(p: PartyVerdict, v: PackageVerdict, ident: str) -> str:
    cls, _, word = _state(p, v)
    met = ", ".join(e(m) for m in p.met) or "none"
    quiet = "" if any(o.status is not Status.HELD for o in p.red_lines) else " quiet"  # left out when printed
    return (
        f'<div class="cell-detail{quiet}" id="{ident}" hidden><h4>{e(p.name)} <span class="badge {cls}">{word}</span> '
        f"{e(v.package or 'ad-hoc package')}</h4>{_rule_items(p)}"
        f"<p>Score {e(score_text(p, v.complete))}; demands met: {met}</p></div>"
    )


def _matrix(check: CheckReport, parties: Sequence[tuple[str, str]]) -> str:
    head = "".join(f'<th scope="col" data-party="{e(pid)}">{e(name)}</th>' for pid, name in parties)
    rows = []
    for i, v in enumerate(check.verdicts):
        word, role = verdict_word(v)
        by_id = {p.party: p for p in v.parties}
        name = v.package or "ad-hoc package"
        cells, details = [], []
        for j, (pid, _) in enumerate(parties):
            p = by_id.get(pid)
            if p is None:
                cells.append('<td class="v-none">-</td>')
                continue
            cls, symbol, pword = _state(p, v)
            ident = f"cd-{i}-{j}"
            label = f"{p.name} on {name}: {pword}"
            cells.append(
                f'<td class="cell {cls}" data-party="{e(pid)}" data-state="{pword}"><button type="button" '
                f'aria-expanded="false" aria-controls="{ident}" aria-label="{e(label)}">{symbol} {pword}'
                f"<br><small>{e(score_text(p, v.complete))}</small></button></td>"
            )
            details.append(_cell_detail(p, v, ident))
        title = f"<small>{e(v.title)}</small>" if v.title else ""
        rows.append(
            f'<tr class="pkg-row" data-package="{e(name)}"><th scope="row" class="pkg">{e(name)}{title}</th>'
            f'<td class="{_VERDICT_CLASS[role]}"><span class="badge">{e(word)}</span></td>{"".join(cells)}</tr>'
            f'<tr class="detail" hidden><td colspan="{len(parties) + 2}">{"".join(details)}</td></tr>'
        )
    return (
        '<table id="matrix"><caption class="muted">Click a cell (or focus it and press Enter) for the red lines and'
        " quotes behind it.</caption>"
        f'<thead><tr><th scope="col">package</th><th scope="col">verdict</th>{head}</tr></thead>'
        f"<tbody>{''.join(rows)}</tbody></table>"
    )


def _summary(check: CheckReport) -> str:
    rows = []
    for v in check.verdicts:
        word, role = verdict_word(v)
        for k, (who, what) in enumerate(summary_rows(v)):
            first = (
                f'<th scope="row">{e(v.package or "ad-hoc package")}</th><td class="{_VERDICT_CLASS[role]}">{e(word)}</td>'
                if k == 0
                else "<th></th><td></td>"
            )
            rows.append(f"<tr>{first}<td>{e(who)}</td><td>{e(what) or '-'}</td></tr>")
    return (
        '<table id="summary"><thead><tr><th scope="col">package</th><th scope="col">verdict</th>'
        f'<th scope="col">who blocks</th><th scope="col">on what</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


# --- zone of agreement -------------------------------------------------------------------------------------


_PALETTE = ("#4c78a8", "#f58518", "#54a24b", "#b279a2", "#e45756", "#72b7b2", "#9d755d", "#bab0ac")


def _zone(explore: Any) -> str:
    if explore is None:
        return ""
    total = explore.deals
    head = (
        f"<p>{e(_count(explore))} among {explore.packages:,} packages. Each bar splits the deals by the option"
        " they take; options in no deal are listed as never.</p>"
    )
    rows = []
    width = 420
    for z in explore.terms:
        options = list(z.options)
        counts = list(z.deals) if z.deals is not None else [1] * len(options)
        whole = sum(counts) or 1
        if len(options) > 24:  # a wide integer range: a bar of slivers says nothing; say it in words
            bar = f"<span>{e(options[0])} .. {e(options[-1])} ({len(options)} values)</span>"
        else:
            x = 0.0
            parts = []
            for k, (option, n) in enumerate(zip(options, counts, strict=True)):
                w = width * n / whole
                share = f"{100 * n / whole:.0f}%"
                tip = f"{z.term} = {option}: {n:,} deals ({share})" if z.deals is not None else f"{z.term} = {option}"
                parts.append(
                    f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="22" fill="{_PALETTE[k % len(_PALETTE)]}">'
                    f"<title>{e(tip)}</title></rect>"
                )
                if w > 8 * len(str(option)) + 6:
                    parts.append(f'<text x="{x + 4:.1f}" y="15" style="fill:#fff">{e(option)}</text>')
                x += w
            bar = (
                f'<svg role="img" aria-label="{e(z.term)}: options in deals" width="{width}" height="22" '
                f'viewBox="0 0 {width} 22">{"".join(parts)}</svg>'
            )
        tag = " <span class='badge v-open'>forced</span>" if z.forced else ""
        tag += " <span class='badge'>given</span>" if z.given else ""
        never = ", ".join(e(x) for x in z.excluded) or "-"
        listed = ", ".join(
            f"{e(o)} {n:,}" if z.deals is not None else e(o) for o, n in zip(options, counts, strict=True)
        )
        rows.append(
            f'<tr data-term="{e(z.term)}"><th scope="row">{e(z.term)}{tag}</th><td>{bar}<br>'
            f"<small class=muted>{listed if len(options) <= 24 else ''}</small></td><td>{never}</td></tr>"
        )
    del total
    return (
        head + '<table id="zone"><thead><tr><th scope="col">term</th><th scope="col">options in deals</th>'
        f'<th scope="col">never in a deal</th></tr></thead><tbody>{"".join(rows)}</tbody></table>'
    )


def _count(explore: Any) -> str:
    n = explore.deals
    return f"{'' if explore.exact else 'at least '}{n:,} deal{'s' if n != 1 else ''}"


# --- Pareto frontier -----------------------------------------------------------------------------------------


def _pareto(explore: Any, names: dict[str, str]) -> str:
    if explore is None or not explore.pareto:
        return "<p class=muted>No deal, so no frontier.</p>"
    scored = [s.party for s in explore.pareto[0].scores if s.total > 0]
    if len(scored) < 2:
        return "<p class=muted>Fewer than two parties have demands: there is no trade-off to plot.</p>"
    best = {tuple(s.score for s in d.scores if s.party in scored) for d in explore.best}
    figures = []
    for a, b in itertools.combinations(scored, 2):
        figures.append(_plot(explore, a, b, names, best, scored))
    legend = (
        '<p class="legend"><span>\u25cf Pareto frontier deal (size: how many share the point)</span>'
        f"<span>\u2605 best deal by {e(explore.objective)} score</span></p>"
    )
    note = (
        "<p class=muted>Scores are the share of each party's demand weight a deal meets. With more than two parties"
        " the frontier is shown pairwise: each plot projects the same frontier deals onto two parties' scores.</p>"
    )
    return legend + note + '<div class="plots" id="pareto">' + "".join(figures) + "</div>"


def _plot(
    explore: Any, a: str, b: str, names: dict[str, str], best: set[tuple[Fraction, ...]], scored: list[str]
) -> str:
    size, pad = 240, 44
    inner = size - 2 * pad

    def at(score: Fraction, vertical: bool) -> float:
        return pad + inner * (1 - float(score)) if vertical else pad + inner * float(score)

    points: dict[tuple[Fraction, Fraction], int] = {}
    stars: set[tuple[Fraction, Fraction]] = set()
    for d in explore.pareto:
        by = {s.party: s.score for s in d.scores}
        key = (by[a], by[b])
        points[key] = points.get(key, 0) + 1
        if tuple(by[p] for p in scored) in best:
            stars.add(key)
    for d in explore.best:
        by = {s.party: s.score for s in d.scores}
        stars.add((by[a], by[b]))
    marks = [
        f'<line x1="{pad}" y1="{pad + inner}" x2="{pad + inner}" y2="{pad + inner}" stroke="#8c959f"/>',
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{pad + inner}" stroke="#8c959f"/>',
    ]
    for t in (0, 50, 100):
        tx, ty = pad + inner * t / 100, pad + inner * (1 - t / 100)
        marks.append(f'<text x="{tx:.0f}" y="{pad + inner + 13}" text-anchor="middle">{t}%</text>')
        marks.append(f'<text x="{pad - 4}" y="{ty + 4:.0f}" text-anchor="end">{t}%</text>')
    for (x, y), n in sorted(points.items()):
        r = 3 + min(6, n.bit_length())
        tip = f"{names.get(a, a)} {float(x):.0%}, {names.get(b, b)} {float(y):.0%}: {n} frontier deal{'s' if n != 1 else ''}"
        marks.append(
            f'<circle class="frontier" cx="{at(x, False):.1f}" cy="{at(y, True):.1f}" r="{r}" fill="#4c78a8" '
            f'fill-opacity="0.65"><title>{e(tip)}</title></circle>'
        )
    for x, y in sorted(stars):
        cx, cy = at(x, False), at(y, True)
        marks.append(
            f'<text class="best" x="{cx:.1f}" y="{cy + 5:.1f}" text-anchor="middle" style="font-size:16px;fill:#d62728">'
            f"\u2605<title>best deal: {e(names.get(a, a))} {float(x):.0%}, {e(names.get(b, b))} {float(y):.0%}</title></text>"
        )
    label_a, label_b = e(names.get(a, a)), e(names.get(b, b))
    # Axes carry the short ids (a name like "Kaja Kallas (EU foreign policy chief)" does not fit); the caption
    # and every mark's title carry the names.
    marks.append(f'<text x="{pad + inner / 2:.0f}" y="{size - 8}" text-anchor="middle">{e(a)} \u2192</text>')
    marks.append(
        f'<text transform="translate(12 {pad + inner / 2:.0f}) rotate(-90)" text-anchor="middle">{e(b)} \u2192</text>'
    )
    return (
        f'<figure><svg role="img" aria-label="Pareto frontier: {label_a} against {label_b}" width="{size}" '
        f'height="{size}" viewBox="0 0 {size} {size}">{"".join(marks)}</svg>'
        f"<figcaption>{label_a} (across) against {label_b} (up)</figcaption></figure>"
    )


# --- conflicts, variants, extras ------------------------------------------------------------------------------


def _conflict_rule(r: Any, plain: dict[str, str]) -> str:
    words = plain.get(r.ref)
    out = f"<b>{e(r.party_name)}</b> <code>{e(r.id)}</code>: "
    out += f"{e(words)} <span class=rule>({e(r.text)})</span>" if words else f"<span class=rule>{e(r.text)}</span>"
    if r.quote:
        out += f'<blockquote class="quote">\u201c{e(r.quote)}\u201d <span class=muted>[{e(r.source or "")}]</span></blockquote>'
    return out


def _conflicts(items: Sequence[tuple[str, Any]], plain: dict[str, str]) -> str:
    if not items:
        return "<p>Every package is a deal or can become one: nothing to concede.</p>"
    out = []
    for package, r in items:
        out.append(f'<section class="conflict" data-package="{e(package)}"><h3>{e(package)}</h3>')
        if r.deal_exists:
            out.append("<p>Its red lines can all hold in some completion.</p></section>")
            continue
        if r.conflicts:
            out.append("<p>Minimal conflicts (red lines that cannot all hold together):</p><ol>")
            for c in r.conflicts:
                out.append("<li><ul>" + "".join(f"<li>{_conflict_rule(x, plain)}</li>" for x in c.rules) + "</ul></li>")
            out.append("</ol>")
        if r.concessions:
            out.append("<p>Cheapest concessions (drop these red lines and a deal opens):</p><ol>")
            for c in r.concessions:
                who = ", ".join(dict.fromkeys(e(x.party_name) for x in c.rules))
                refs = " + ".join(f"<code>{e(x.ref)}</code>" for x in c.rules)
                out.append(
                    f"<li>drop {refs}, cost {c.cost} (a concession by {who})<br>"
                    f"<span class=muted>then a deal: {e(format_values(c.deal))}</span></li>"
                )
            out.append("</ol>")
        out.append("</section>")
    return "".join(out)


_COMPARE = {
    "deal": ("v-deal", "deal"),
    "can_become_deal": ("v-deal", "can become a deal"),
    "no_deal": ("v-no", "no deal"),
    "unknown": ("v-open", "unknown"),
}


def _variants(r: Any) -> str:
    if r is None:
        return "<p class=muted>The scenario declares no variants.</p>"
    head = "".join(
        f'<th scope="col">{e(c.variant or "base")}<br><small class=muted>{c.deals:,} deals</small></th>'
        for c in r.columns
    )
    rows = []
    for k, package in enumerate(r.packages):
        base = r.columns[0].verdicts[k].verdict
        cells = []
        for c in r.columns:
            v = c.verdicts[k]
            cls, word = _COMPARE.get(v.verdict, ("", v.verdict))
            changed = " \u25c6" if c.variant is not None and v.verdict != base else ""
            cells.append(f'<td class="{cls}">{e(word)}{changed}</td>')
        rows.append(f'<tr><th scope="row">{e(package)}</th>{"".join(cells)}</tr>')
    described = "".join(f"<li><b>{e(c.variant)}</b>: {e(c.description)}</li>" for c in r.columns[1:] if c.description)
    return (
        f'<table id="variants"><thead><tr><th scope="col">package</th>{head}</tr></thead><tbody>{"".join(rows)}'
        "</tbody></table><p class=muted>\u25c6 verdict differs from the base scenario</p>"
        + (f"<ul>{described}</ul>" if described else "")
    )


#: Section renderers for extra analyses, by report class: ``(report) -> HTML fragment``. ``dealcheck explain``
#: registers its findings here; a report without one is shown as its text.
FRAGMENTS: dict[type, Any] = {}


def _extra(title: str, report: Any) -> str:
    fragment = FRAGMENTS.get(type(report))
    if fragment is not None:
        body = fragment(report)
    else:
        from dealcheck.report import render as render_any

        body = f"<pre>{e(render_any(report, 'text'))}</pre>"
    return f"<h3>{e(title)}</h3>{body}"


# --- the page --------------------------------------------------------------------------------------------------


def _page(title: str, sections: Sequence[tuple[str, str, str]], lead: str) -> str:
    nav = "".join(f'<a href="#{ident}">{e(name)}</a>' for ident, name, _ in sections)
    body = "".join(f'<section id="{ident}"><h2>{e(name)}</h2>{html}</section>' for ident, name, html in sections)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; "
        "script-src 'unsafe-inline'; img-src data:\">"
        f"<title>{e(title)} \u2013 dealcheck</title><style>{_CSS}</style></head>\n<body>"
        f'<header><h1>{e(title)}</h1>{lead}<nav aria-label="sections">{nav}</nav></header>\n<main>{body}</main>\n'
        f"<footer class=muted><p>Made by dealcheck from the scenario file; every number here is what the command line "
        f"prints.</p></footer><script>{_JS}</script></body></html>\n"
    )


def _legend() -> str:
    return (
        '<p class="legend"><span class="badge v-deal">\u2713 accepts</span> <span class="badge v-open">? could accept'
        ' (depends on open terms)</span> <span class="badge v-no">\u2717 rejects</span> Scores: the share of a party\'s'
        " demand weight a package meets, 71% (5/7); for a partial package from what every completion meets to the most"
        " some completion can.</p>"
    )


def _lead(check: CheckReport, path: str, description: str | None) -> str:
    from dealcheck.report.text import _counts

    text = f"<p class=lead>{e(path)} \u2014 {e(_counts(check))}</p>"
    if description:
        text += f"<p>{e(description)}</p>"
    return text


@render.register
def _(r: CheckReport, *, color: bool = False, options: Any = None) -> str:
    parties = list(dict.fromkeys((p.party, p.name) for v in r.verdicts for p in v.parties))
    sections = [
        ("who-blocks", "Who blocks what", _summary(r)),
        ("matrix-section", "Packages \u00d7 parties", _legend() + _matrix(r, parties)),
    ]
    return _page(r.scenario, sections, _lead(r, r.path, None))


def _overview(r: Any) -> str:
    names = dict(r.parties)
    sections = [
        ("who-blocks", "Who blocks what", _summary(r.check)),
        ("matrix-section", "Packages \u00d7 parties", _legend() + _matrix(r.check, r.parties)),
        ("zone-section", "Zone of agreement", _zone(r.explore)),
        ("pareto-section", "Pareto frontier of party scores", _pareto(r.explore, names)),
        ("conflicts-section", "Conflicts and cheapest concessions", _conflicts(r.conflicts, dict(r.plain))),
        ("variants-section", "Variants side by side", _variants(r.compare)),
    ]
    moved = [(t, x) for t, x in r.extras if type(x).__name__ == "SensitivityReport"]
    extras = [(t, x) for t, x in r.extras if (t, x) not in moved]
    if extras:
        sections.append(("explain-section", "Findings", "".join(_extra(t, x) for t, x in extras)))
    for t, x in moved:  # its own section: the best deals' sensitivity to the weights is not a finding about deals
        sections.append(("sensitivity-section", t, FRAGMENTS[type(x)](x)))
    lead = _lead(r.check, r.path, r.description)
    if r.notes:
        lead += "".join(f'<p class="v-open">{e(n)}</p>' for n in r.notes)
    return _page(r.scenario, sections, lead)


def register_overview() -> None:
    """Register the overview's renderer (done on import of this module, after the overview class exists)."""
    from dealcheck.analysis.overview import Overview

    render.register(Overview)(lambda r, *, color=False, options=None: _overview(r))


register_overview()


# --- sweep: probabilities with their intervals ------------------------------------------------------------------


def _interval_chart(title: str, rows: Sequence[tuple[str, float, float, float]]) -> str:
    """One row per item: a dot at the estimate, a line over its 95% interval, on a 0..1 axis."""
    label_w, plot_w, row_h = 320, 360, 22
    height = row_h * len(rows) + 24
    marks = [f'<line x1="{label_w}" y1="4" x2="{label_w}" y2="{height - 18}" stroke="#8c959f"/>']
    for t in (0, 0.5, 1):
        x = label_w + plot_w * t
        marks.append(f'<text x="{x:.0f}" y="{height - 4}" text-anchor="middle">{t:g}</text>')
    for k, (label, p, low, high) in enumerate(rows):
        y = 12 + k * row_h
        short = label if len(label) <= 48 else label[:47] + "\u2026"
        marks.append(
            f'<text x="{label_w - 6}" y="{y + 4}" text-anchor="end">{e(short)}<title>{e(label)}</title></text>'
        )
        x0, x1, xp = (label_w + plot_w * v for v in (low, high, p))
        marks.append(f'<line x1="{x0:.1f}" y1="{y}" x2="{x1:.1f}" y2="{y}" stroke="#4c78a8" stroke-width="3"/>')
        marks.append(
            f'<circle cx="{xp:.1f}" cy="{y}" r="4" fill="#d62728"><title>{e(label)}: {p:.4f} '
            f"[{low:.4f}, {high:.4f}]</title></circle>"
        )
    width = label_w + plot_w + 20
    return (
        f'<h3>{e(title)}</h3><svg role="img" aria-label="{e(title)}" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}">{"".join(marks)}</svg>'
    )


def _sweep_page(r: Any) -> str:
    from dealcheck.report import render as render_any
    from dealcheck.report.sweep import chart_data

    packages = [(p.id, p.deal.value, p.deal.low, p.deal.high) for p in r.packages if p.deal.exact or p.deal.samples]
    charts = [("Packages: probability of a deal", packages)]  # an unsampled probability has no dot to draw
    charts += [
        (f"Best deals by {objective}: probability of being best", rows) for objective, rows in chart_data(r).items()
    ]
    body = "".join(_interval_chart(title, rows) for title, rows in charts if rows)
    text = f"<pre>{e(render_any(r, 'text'))}</pre>"
    sections = [("charts", "Probabilities (dot) and 95% intervals (line)", body), ("details", "Details", text)]
    return _page(f"Sweep: {r.scenario}", sections, f"<p class=lead>{e(r.path)}</p>")


def _register_sweep() -> None:
    from dealcheck.analysis.sweep import SweepReport

    render.register(SweepReport)(lambda r, *, color=False, options=None: _sweep_page(r))
    FRAGMENTS[SweepReport] = lambda r: _sweep_page(r).split("<main>", 1)[1].split("</main>", 1)[0]


_register_sweep()


# --- sensitivity: how far each weight can move -----------------------------------------------------------------


def _sensitivity_fragment(r: Any) -> str:
    """One table per objective: each weight whose move changes the best deal, where, and to what."""
    from dealcheck.report.sensitivity import move_phrase, no_deal_line, number, summary_line, unchanged

    if not r.deals:
        return f"<p>{e(no_deal_line(r))}</p>" + (f"<p class=muted>{e(summary_line(r))}</p>" if r.timed_out else "")
    parts = []
    for o in r.objectives:
        rows = []
        still = unchanged(o)
        for w in o.weights:
            if w.ref in still:
                continue
            cells = []
            for c in (w.up, w.down):
                if c is None:
                    cells.append("<td>not reached</td>")
                elif not c.changes:
                    cells.append("<td class=muted>never</td>")
                else:
                    new = (
                        "no deal"
                        if c.values is None
                        else ", ".join(f"{k}={v}" for k, v in c.values.items() if o.values.get(k) != v)
                    )
                    cells.append(f"<td>{e(move_phrase(c, w.weight))}: <strong>{e(new)}</strong></td>")
            rows.append(f"<tr><th scope=row>{e(w.ref)}</th><td>{e(number(w.weight))}</td>{''.join(cells)}</tr>")
        best = ", ".join(f"{k}={v}" for k, v in o.values.items())
        table = (
            '<table class="sensitivity"><thead><tr><th scope="col">weight</th><th scope="col">now</th>'
            '<th scope="col">raised</th><th scope="col">lowered</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>"
            if rows
            else ""
        )
        never = f"<p class=muted>No change of one of these weights alone changes it: {e(', '.join(still))}</p>"
        parts.append(
            f"<h4>Best deal by {e(o.objective)}: {e(number(o.value))}</h4><p><code>{e(best)}</code></p>{table}"
            + (never if still else "")
        )
    parts.append(f"<p class=muted>{e(summary_line(r))}</p>")
    return "".join(parts)


def _register_sensitivity() -> None:
    from dealcheck.analysis.sensitivity import SensitivityReport

    FRAGMENTS[SensitivityReport] = _sensitivity_fragment
    render.register(SensitivityReport)(
        lambda r, *, color=False, options=None: _page(
            f"Sensitivity: {r.scenario}",
            [
                (
                    "sensitivity-section",
                    "How far each weight can move before the best deal changes",
                    _sensitivity_fragment(r),
                )
            ],
            f"<p class=lead>{e(r.path)}</p>",
        )
    )


_register_sensitivity()
