"""Text, JSON and Markdown forms of an :class:`~dealcheck.analysis.overview.Overview` (the HTML page is
:mod:`dealcheck.report.html`): each part rendered as its own command would render it, one after another.
"""

from __future__ import annotations

from typing import Any

from dealcheck.analysis.overview import Overview
from dealcheck.report import jsonfmt, markdown, text

__all__: list[str] = []


def _parts(r: Overview) -> list[tuple[str, Any]]:
    parts: list[tuple[str, Any]] = [("check", r.check), ("explore", r.explore)]
    parts += [(f"conflicts of {package}", c) for package, c in r.conflicts]
    if r.compare is not None:
        parts.append(("compare", r.compare))
    return parts + list(r.extras)


@text.render.register
def _(r: Overview, *, color: bool = False, options: Any = None) -> str:
    from dealcheck.report import render

    return "\n".join(render(part, "text", color=color) for _, part in _parts(r))


@markdown.render.register
def _(r: Overview, *, color: bool = False, options: Any = None) -> str:
    from dealcheck.report import render

    return "\n".join(render(part, "markdown") for _, part in _parts(r))


@jsonfmt.to_data.register
def _(r: Overview) -> dict[str, Any]:
    from dealcheck.report import to_data_of

    return {
        "schema": "dealcheck.report/1",
        "scenario": r.scenario,
        "file": r.path,
        "check": to_data_of(r.check),
        "explore": to_data_of(r.explore),
        "conflicts": {package: to_data_of(c) for package, c in r.conflicts},
        "compare": None if r.compare is None else to_data_of(r.compare),
        "extras": [{"title": title, "report": to_data_of(x)} for title, x in r.extras],
        "notes": list(r.notes),
        "complete": r.complete,
    }
