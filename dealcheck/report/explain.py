"""Renderers for :class:`~dealcheck.analysis.explain.ExplainReport`, registered on each format's ``render``.

Each finding is shown with its robustness label first (what an analyst needs to know: does it hinge on one
reading?), then its minimal sets, each red line with its quote or assumption. Every format holds the same
information; JSON is ``dealcheck.explain/1``.
"""

from __future__ import annotations

from typing import Any

from dealcheck.analysis.conflicts import ConflictRule
from dealcheck.analysis.explain import ExplainReport, Finding
from dealcheck.interrupt import stopped_by
from dealcheck.report import jsonfmt, markdown, text
from dealcheck.report.escape import for_markdown, for_text, markdown_code
from dealcheck.report.text import style

__all__ = ["SCHEMA", "to_data"]

SCHEMA = "dealcheck.explain/1"


def _source(rule: ConflictRule) -> str:
    if rule.quote is not None:
        return f'"{rule.quote}" [{rule.source}]'
    if rule.assumption is not None:
        return f"assumption: {rule.assumption}"
    return ""


def _sets_phrase(f: Finding) -> str:
    n = len(f.sets)
    noun = "minimal set" if n == 1 else "minimal sets"
    if f.complete:
        return f"{n} {noun} of red lines {'entails' if n == 1 else 'entail'} it (all found, each verified)"
    return f"first {n} {noun} of red lines shown (a limit stopped the list; there may be more)"


def _softening(f: Finding) -> str:
    """Sensitivity: which single red line, softened to a demand (weight kept), overturns the finding."""
    if f.hinges_on is None:
        return f"sensitivity unknown: {stopped_by()} stopped the check"
    if not f.hinges_on:
        return "no single red line softened to a demand overturns it"
    return "softening " + " or ".join(r.ref for r in f.hinges_on) + " to a demand overturns it"


def _summary(r: ExplainReport) -> str:
    n = len(r.findings)
    hinging = sum(1 for f in r.findings if f.hinges_on)
    line = f"{n} finding{'s' if n != 1 else ''}, {hinging} hinging on a single red line"
    if r.timed_out:
        line += f"; {stopped_by()} stopped the analysis before " + ", ".join(r.not_reached) + " (not explained)"
    elif not r.complete:
        line += "; some lists of minimal sets were cut short by --limit"
    return line


# --- text ---------------------------------------------------------------------------------------------------


@text.render.register
def _(r: ExplainReport, *, color: bool = False) -> str:
    head = f"{for_text(r.scenario)} ({for_text(r.path)})"
    if r.variant:
        head += f", variant {for_text(r.variant)}"
    out = [
        style(head, "head", color),
        f"Why each finding holds: the minimal sets of red lines ({r.red_lines}) behind it",
    ]
    for i, f in enumerate(r.findings, 1):
        out.append("")
        out.append(f"{i}. {style(for_text(f.statement), 'head', color)}")
        out.append(f"   {for_text(f.label)}")
        out.append(f"   {_softening(f)}")
        out.append(f"   {_sets_phrase(f)}:")
        for j, s in enumerate(f.sets, 1):
            out.append(f"   {chr(96 + j) if j <= 26 else j}) " + " + ".join(for_text(x.ref) for x in s))
            for x in s:
                out.append(f"        {for_text(x.ref)}: {for_text(x.text)}")
                why = _source(x)
                if why:
                    out.append(f"          {for_text(why)}")
    out.append("")
    out.append(_summary(r))
    return "\n".join(out) + "\n"


# --- JSON ---------------------------------------------------------------------------------------------------


def _rule_data(rule: ConflictRule) -> dict[str, Any]:
    d: dict[str, Any] = {"ref": rule.ref, "party": rule.party, "id": rule.id, "rule": rule.text}
    if rule.quote is not None:
        d["source"] = rule.source
        d["quote"] = rule.quote
    if rule.assumption is not None:
        d["assumption"] = rule.assumption
    return d


def _finding_data(f: Finding) -> dict[str, Any]:
    return {
        "kind": f.kind,
        "statement": f.statement,
        "package": f.package,
        "term": f.term,
        "option": f.option,
        "rule": f.rule,
        "label": f.label,
        "hinges_on": None if f.hinges_on is None else [r.ref for r in f.hinges_on],
        "independent": f.independent,
        "complete": f.complete,
        "sets": [[_rule_data(x) for x in s] for s in f.sets],
    }


@jsonfmt.to_data.register
def to_data(r: ExplainReport) -> dict[str, Any]:
    """The JSON document of an explain report (schema ``dealcheck.explain/1``)."""
    return {
        "schema": SCHEMA,
        "scenario": r.scenario,
        "file": r.path,
        "variant": r.variant,
        "red_lines": r.red_lines,
        "deal_exists": r.deal_exists,
        "complete": r.complete,
        "timed_out": r.timed_out,
        "limit": r.limit,
        "not_reached": list(r.not_reached),
        "findings": [_finding_data(f) for f in r.findings],
    }


# --- Markdown -----------------------------------------------------------------------------------------------


@markdown.render.register
def _(r: ExplainReport, *, color: bool = False) -> str:
    title = f"# Why each finding holds: {for_markdown(r.scenario)}"
    out = [title, "", f"File: {markdown_code(r.path)}" + (f", variant {markdown_code(r.variant)}" if r.variant else "")]
    out += ["", "| # | finding | robustness |", "|---|---|---|"]
    for i, f in enumerate(r.findings, 1):
        out.append(f"| {i} | {for_markdown(f.statement)} | {for_markdown(f.label)} |")
    for i, f in enumerate(r.findings, 1):
        out += [
            "",
            f"## {i}. {for_markdown(f.statement)}",
            "",
            f"{for_markdown(f.label)}; {for_markdown(_softening(f))}.",
            "",
        ]
        out += [f"{for_markdown(_sets_phrase(f))}:", ""]
        for j, s in enumerate(f.sets, 1):
            out.append(f"{j}. " + " + ".join(markdown_code(x.ref) for x in s))
            for x in s:
                why = _source(x)
                line = f"   - {markdown_code(x.ref)}: {markdown_code(x.text)}"
                if why:
                    line += f", {for_markdown(why)}"
                out.append(line)
    out += ["", for_markdown(_summary(r))]
    return "\n".join(out) + "\n"
