"""Text, JSON (``dealcheck.sweep/1``) and Markdown for :class:`~dealcheck.analysis.sweep.SweepReport`.

Importing this module registers the renderers. Every probability says how it was obtained: ``exact`` (a product
of confidences, or every pattern of uncertain red lines weighed) or a Monte Carlo estimate with its 95% interval.
Nothing here depends on where the samples were drawn (local, processes, a cluster): the output is the same bytes.

For an HTML report: :func:`chart_data` gives the best-deal distributions as plain series (objective -> [(label,
probability, low, high)]), ready for a bar chart.
"""

from __future__ import annotations

from typing import Any

from dealcheck.analysis.sweep import Estimate, SweepReport
from dealcheck.interrupt import stopped_by
from dealcheck.report import jsonfmt, markdown, text
from dealcheck.report.escape import for_markdown, for_text
from dealcheck.uncertainty import decimal

__all__ = ["chart_data", "estimate_data", "probability"]


#: What a sampled probability reads when no sample was drawn (a limit stopped the sweep before the first).
NOT_SAMPLED = "not sampled"


def probability(e: Estimate) -> str:
    """``0.8`` (exact) or ``0.4213 [0.4116, 0.4310]`` (sampled, 95% interval); :data:`NOT_SAMPLED` without samples
    (never ``nan [0, 1]``)."""
    if e.exact and e.fraction is not None:
        return decimal(e.fraction, 4)
    if not e.samples:
        return NOT_SAMPLED
    return f"{e.value:.4f} [{e.low:.4f}, {e.high:.4f}]"


def estimate_data(e: Estimate) -> dict[str, Any]:
    if e.exact and e.fraction is not None:
        return {"p": round(e.value, 6), "exact": True, "fraction": str(e.fraction)}
    if not e.samples:  # no sample drawn: no estimate (JSON has no NaN)
        return {"p": None, "exact": False, "low": 0.0, "high": 1.0, "hits": 0}
    return {"p": round(e.value, 6), "exact": False, "low": round(e.low, 6), "high": round(e.high, 6), "hits": e.hits}


def _values(values: Any) -> str:
    return ", ".join(f"{k}={_show(v)}" for k, v in values.items())


def _show(v: Any) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


def _method(r: SweepReport) -> list[str]:
    exact_any = r.any_deal.exact
    lines = [f"no sample was drawn (a limit stopped the sweep before the first): what is sampled reads {NOT_SAMPLED!r}"]
    lines = lines if not r.samples_done else []
    lines += [
        "exact: each full package's probabilities (the product of 1 - confidence over the red lines it breaks)"
        + (", any deal, options in some deal, partial packages" if exact_any else ""),
        "sampled (95% Wilson interval): the best deals, options in the best deal"
        + ("" if exact_any else ", any deal, options in some deal, partial packages"),
    ]
    if r.engine == "solve":
        lines.append(
            "per-draw solving: each draw re-solves one CP-SAT model (for scenarios with more packages than the table "
            "engine checks one by one, or --engine solve); nash by the product of the parties' integer scores"
        )
    if r.rounded:
        lines.append(
            f"NOT EXACT: the best deals of {r.rounded:,} of {r.samples_done:,} draws were ranked on rounded weights "
            "(their weights do not fit CP-SAT's integers and their frontier of demands was too large to rank "
            "exactly): deals within a rounding step of each other may rank either way there"
        )
    return lines


def chart_data(r: SweepReport) -> dict[str, list[tuple[str, float, float, float]]]:
    """Per objective, the best deals' labels (their values) with probability and interval, most likely first."""
    return {
        objective: [(_values(d.values), d.probability.value, d.probability.low, d.probability.high) for d in deals]
        for objective, deals, _ in r.best
    }


@text.render.register
def _(r: SweepReport, *, color: bool = False) -> str:
    t = for_text
    variant = f" (variant {r.variant})" if r.variant else ""
    out = [t(f"Sweep: {r.scenario}{variant}")]
    out.append(
        f"  {r.samples_done:,} samples"
        + (f" of {r.samples:,} (stopped by {stopped_by()})" if r.stopped else "")
        + f", seed {r.seed}; uncertain: {len(r.uncertain_red_lines)} red lines, {len(r.uncertain_demands)} demands, "
        f"{len(r.ranged_weights)} weight ranges"
    )
    out += ["  " + line for line in _method(r)]
    out += ["", f"Any deal exists: {probability(r.any_deal)}" + (" (exact)" if r.any_deal.exact else "")]
    if r.packages:
        out += ["", "Packages: probability of a deal (a partial one: of a deal completion); per party, of accepting it"]
        width = max(len(p.id) for p in r.packages)
        for p in r.packages:
            line = f"  {t(p.id):<{width}}  {probability(p.deal)}"
            if p.acceptable:
                line += "  (" + ", ".join(f"{t(party)} {probability(e)}" for party, e in p.acceptable) + ")"
            elif not p.complete:
                line += "  (partial)"
            out.append(line)
    out += ["", "Options: probability of occurring in some deal / in the best deal by total"]
    width = max((len(o.term) for o in r.options), default=0)
    for o in r.options:
        out.append(
            f"  {t(o.term):<{width}}  {t(_show(o.option))}: {probability(o.in_some_deal)} / {probability(o.in_best_deal)}"
        )
    for objective, deals, none in r.best:
        if not r.samples_done:
            out += ["", f"Best deal by {objective}: {NOT_SAMPLED}"]
            continue
        out += ["", f"Best deal by {objective}: the {len(deals)} most likely"]
        for d in deals:
            out.append(f"  {probability(d.probability)}  {t(_values(d.values))}")
        if none.hits:
            out.append(f"  {probability(none)}  no deal")
    return "\n".join(out) + "\n"


@jsonfmt.to_data.register
def _(r: SweepReport) -> dict[str, Any]:
    return {
        "schema": "dealcheck.sweep/1",
        "scenario": r.scenario,
        "file": r.path,
        "variant": r.variant,
        "samples": r.samples,
        "samples_done": r.samples_done,
        "complete": not r.stopped,
        "rounded_draws": r.rounded,
        "seed": r.seed,
        "uncertain": {
            "red_lines": list(r.uncertain_red_lines),
            "demands": list(r.uncertain_demands),
            "weight_ranges": list(r.ranged_weights),
        },
        "method": _method(r),
        "any_deal": estimate_data(r.any_deal),
        "packages": [
            {
                "id": p.id,
                "complete": p.complete,
                "deal": estimate_data(p.deal),
                "acceptable": {party: estimate_data(e) for party, e in p.acceptable},
            }
            for p in r.packages
        ],
        "options": [
            {
                "term": o.term,
                "option": o.option,
                "in_some_deal": estimate_data(o.in_some_deal),
                "in_best_deal": estimate_data(o.in_best_deal),
            }
            for o in r.options
        ],
        "best": {
            objective: {
                "deals": [{"values": dict(d.values), "probability": estimate_data(d.probability)} for d in deals],
                "no_deal": estimate_data(none),
            }
            for objective, deals, none in r.best
        },
    }


@markdown.render.register
def _(r: SweepReport, *, color: bool = False) -> str:
    m = for_markdown
    out = [f"# Sweep: {m(r.scenario)}", ""]
    out.append(
        f"{r.samples_done:,} samples"
        + (f" of {r.samples:,} (stopped by {stopped_by()})" if r.stopped else "")
        + f", seed {r.seed}."
    )
    out += ["", *(f"- {m(line)}" for line in _method(r)), ""]
    out += [f"**Any deal exists:** {m(probability(r.any_deal))}", ""]
    if r.packages:
        parties = [party for party, _ in next((p.acceptable for p in r.packages if p.acceptable), ())]
        out += ["| package | deal | " + " | ".join(m(p) for p in parties) + " |"]
        out += ["|---|---:|" + "---:|" * len(parties)]
        for p in r.packages:
            cells = dict(p.acceptable)
            row = [m(p.id) + ("" if p.complete else " (partial)"), m(probability(p.deal))]
            row += [m(probability(cells[x])) if x in cells else "" for x in parties]
            out.append("| " + " | ".join(row) + " |")
        out.append("")
    out += ["| term | option | in some deal | in the best deal (total) |", "|---|---|---:|---:|"]
    for o in r.options:
        out.append(
            f"| {m(o.term)} | {m(_show(o.option))} | {m(probability(o.in_some_deal))} | "
            f"{m(probability(o.in_best_deal))} |"
        )
    for objective, deals, _ in r.best:
        if not r.samples_done:
            out += ["", f"**Best deal by {objective}**: {NOT_SAMPLED}"]
            continue
        out += ["", f"**Best deal by {objective}**", "", "| probability | deal |", "|---:|---|"]
        out += [f"| {m(probability(d.probability))} | {m(_values(d.values))} |" for d in deals]
    return "\n".join(out) + "\n"
