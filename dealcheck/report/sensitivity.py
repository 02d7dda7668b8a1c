"""Renderers for :class:`~dealcheck.analysis.sensitivity.SensitivityReport`, registered on each format's ``render``.

Per objective: the best deal, then each weight whose move changes it, with the exact breakpoint (a fraction, and its
decimal when that is not exact) and the terms the new best deal changes; the weights no single move changes are
listed together. Then the other ``normalise:`` choice of each utility profile. JSON is ``dealcheck.sensitivity/1``.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from dealcheck.analysis.sensitivity import Change, NormalisationEffect, ObjectiveSensitivity, SensitivityReport
from dealcheck.interrupt import stopped_by
from dealcheck.report import jsonfmt, markdown, text
from dealcheck.report.escape import for_markdown, for_text, markdown_code
from dealcheck.report.text import style
from dealcheck.rules.terms import Value
from dealcheck.utility import exact_text

__all__ = ["SCHEMA", "move_phrase", "no_deal_line", "number", "summary_line", "to_data", "unchanged"]

SCHEMA = "dealcheck.sensitivity/1"

_OBJECTIVE = {
    "total": "total score (sum of party scores)",
    "maximin": "maximin (the lowest gain)",
    "nash": "Nash product (of the gains)",
    "kalai": "Kalai-Smorodinsky (the lowest share of possible gain)",
}


def number(x: Fraction) -> str:
    """Exact: ``0.25``, ``6``, or ``19/3 (~6.333)`` when no finite decimal is exact."""
    shown = exact_text(x)
    return f"{shown} (~{float(x):.3f})" if "/" in shown else shown


def _show(value: Value) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _values(values: Mapping[str, Value]) -> str:
    return ", ".join(f"{k}={_show(v)}" for k, v in values.items())


def _diff(new: Mapping[str, Value], old: Mapping[str, Value]) -> str:
    return ", ".join(f"{k}={_show(v)}" for k, v in new.items() if old.get(k) != v)


def move_phrase(c: Change, weight: Fraction) -> str:
    """``raised to 32/5 (6.4) or more``, ``lowered below 1``, ``raised at all``: where the best deal changes."""
    assert c.at is not None
    verb = "raised" if c.direction == "up" else "lowered"
    if c.at == weight and not c.inclusive:
        return f"{verb} at all"
    if c.inclusive:
        return f"{verb} to {number(c.at)} or {'more' if c.direction == 'up' else 'less'}"
    return f"{verb} {'above' if c.direction == 'up' else 'below'} {number(c.at)}"


def _outcome(c: Change, best: Mapping[str, Value]) -> str:
    if c.values is None:
        return "no deal is left (a reservation value moves with the weight)"
    return "the best deal becomes " + _diff(c.values, best)


def unchanged(o: ObjectiveSensitivity) -> list[str]:
    return [
        w.ref for w in o.weights if w.up is not None and w.down is not None and not w.up.changes and not w.down.changes
    ]


def no_deal_line(r: SensitivityReport) -> str:
    """Why there is no best deal to show: none exists, or the time limit came first."""
    if r.timed_out:
        return f"Not answered: {stopped_by()} stopped the search for the sets of demands deals meet."
    return "No deal: there is no best deal to move."


def summary_line(r: SensitivityReport) -> str:
    if r.timed_out:
        stopper = stopped_by()
        return (
            f"{stopper[:1].upper() + stopper[1:]} stopped the analysis before: "
            + "; ".join(r.not_reached)
            + " (not answered)."
        )
    return (
        "Exact: each breakpoint is where two deals' scores cross, found with fractions from the weights, and every "
        "other weight is held as written."
    )


def _normalisation_lines(r: SensitivityReport) -> list[str]:
    if not r.normalisation:
        return [
            "No party has a utility profile, so there is no normalise: choice to change; every party's score is "
            "its met demand weight over its total (docs/analyses.md, Normalisation)."
        ]
    out = []
    for n in r.normalisation:
        out.append(f"{n.party} (normalise: {n.current}; with {n.alternative} instead):")
        out += [f"  {line}" for line in _effect_lines(n, r)]
    return out


def _effect_lines(n: NormalisationEffect, r: SensitivityReport) -> list[str]:
    current = {o.objective: o.values for o in r.objectives}
    lines = []
    for objective, codes, values, changed in n.best:
        if codes is None or values is None:
            lines.append(f"{objective}: no deal is left")
        elif changed:
            lines.append(f"{objective}: the best deal becomes {_diff(values, current[objective])}")
        else:
            lines.append(f"{objective}: the same best deal")
    return lines


# --- text ---------------------------------------------------------------------------------------------------


@text.render.register
def _(r: SensitivityReport, *, color: bool = False) -> str:
    head = f"{for_text(r.scenario)} ({for_text(r.path)})"
    if r.variant:
        head += f", variant {for_text(r.variant)}"
    out = [style(head, "head", color), "How far one weight can move before the best deal changes"]
    if not r.deals:
        out += ["", no_deal_line(r)] + (["", summary_line(r)] if r.timed_out else [])
        return "\n".join(out) + "\n"
    out.append(f"({r.patterns} distinct sets of demands met by a deal, each a candidate; weights stay positive)")
    for o in r.objectives:
        out += ["", style(f"Best deal by {_OBJECTIVE[o.objective]}: {number(o.value)}", "head", color)]
        out.append("  " + for_text(_values(o.values)))
        moving = [w for w in o.weights if w.ref not in set(unchanged(o))]
        for w in moving:
            out.append(f"  {for_text(w.ref)} (weight {number(w.weight)}):")
            for c in (w.up, w.down):
                if c is None:
                    out.append(f"    not reached ({stopped_by()})")
                elif c.changes:
                    out.append(f"    {move_phrase(c, w.weight)}: {for_text(_outcome(c, o.values))}")
                else:
                    word = "raising" if c.direction == "up" else "lowering"
                    out.append(f"    {word} it alone never changes it")
        still = unchanged(o)
        if still:
            out.append("  No change of one of these weights alone changes it: " + for_text(", ".join(still)))
        if not o.weights:
            out.append("  No weights to move: no party has demands or a utility profile.")
    out += ["", style("Normalisation", "head", color)]
    out += [for_text(x) for x in _normalisation_lines(r)]
    out += ["", summary_line(r)]
    return "\n".join(out) + "\n"


# --- JSON ---------------------------------------------------------------------------------------------------


def _fraction(x: Fraction) -> str:
    return str(x)


def _change_data(c: Change | None) -> dict[str, Any] | None:
    if c is None:
        return None
    if not c.changes:
        return {"changes": False}
    assert c.at is not None
    return {
        "changes": True,
        "at": _fraction(c.at),
        "at_decimal": float(c.at),
        "inclusive": c.inclusive,
        "deal": None if c.values is None else dict(c.values),
        "objective": None if c.objective is None else _fraction(c.objective),
    }


def _objective_data(o: ObjectiveSensitivity) -> dict[str, Any]:
    return {
        "objective": o.objective,
        "deal": dict(o.values),
        "value": _fraction(o.value),
        "value_decimal": float(o.value),
        "scores": {p: None if s is None else _fraction(s) for p, s in o.scores},
        "weights": [
            {
                "ref": w.ref,
                "party": w.party,
                "name": w.name,
                "kind": w.kind,
                "weight": _fraction(w.weight),
                "up": _change_data(w.up),
                "down": _change_data(w.down),
            }
            for w in o.weights
        ],
    }


@jsonfmt.to_data.register
def to_data(r: SensitivityReport) -> dict[str, Any]:
    """The JSON document of a sensitivity report (schema ``dealcheck.sensitivity/1``)."""
    return {
        "schema": SCHEMA,
        "scenario": r.scenario,
        "file": r.path,
        "variant": r.variant,
        "complete": r.complete,
        "timed_out": r.timed_out,
        "not_reached": list(r.not_reached),
        "deals": r.deals,
        "patterns": r.patterns,
        "objectives": [_objective_data(o) for o in r.objectives],
        "normalisation": [
            {
                "party": n.party,
                "current": n.current,
                "alternative": n.alternative,
                "best": [
                    {"objective": obj, "deal": None if values is None else dict(values), "changes": changed}
                    for obj, _, values, changed in n.best
                ],
            }
            for n in r.normalisation
        ],
    }


# --- Markdown -----------------------------------------------------------------------------------------------


def _cell(c: Change | None, weight: Fraction, best: Mapping[str, Value]) -> str:
    if c is None:
        return "not reached"
    if not c.changes:
        return "never"
    return f"{for_markdown(move_phrase(c, weight))}: {for_markdown(_outcome(c, best))}"


@markdown.render.register
def _(r: SensitivityReport, *, color: bool = False) -> str:
    out = [f"# How far one weight can move: {for_markdown(r.scenario)}", ""]
    out.append(f"File: {markdown_code(r.path)}" + (f", variant {markdown_code(r.variant)}" if r.variant else ""))
    if not r.deals:
        out += ["", for_markdown(no_deal_line(r))] + (["", for_markdown(summary_line(r))] if r.timed_out else [])
        return "\n".join(out) + "\n"
    for o in r.objectives:
        out += ["", f"## Best deal by {for_markdown(_OBJECTIVE[o.objective])}: {for_markdown(number(o.value))}", ""]
        out += [markdown_code(_values(o.values)), ""]
        still = set(unchanged(o))
        rows = [
            f"| {markdown_code(w.ref)} | {for_markdown(number(w.weight))} | {_cell(w.up, w.weight, o.values)} "
            f"| {_cell(w.down, w.weight, o.values)} |"
            for w in o.weights
            if w.ref not in still
        ]
        if rows:
            out += ["| weight | now | raised | lowered |", "|---|---|---|---|", *rows]
        if not o.weights:
            out.append("No weights to move: no party has demands or a utility profile.")
        if still:
            out += ["", "No change of one of these weights alone changes it: "]
            out[-1] += ", ".join(markdown_code(x) for x in unchanged(o)) + "."
    out += ["", "## Normalisation", ""]
    out += [
        ("  - " + for_markdown(x[2:])) if x.startswith("  ") else "- " + for_markdown(x)
        for x in _normalisation_lines(r)
    ]
    out += ["", for_markdown(summary_line(r))]
    return "\n".join(out) + "\n"
