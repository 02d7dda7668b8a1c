"""Renderers: one module per output format, behind one registry that also feeds ``--format``'s choices.

Each format module defines ``render(result, *, color=False) -> str`` as a :func:`functools.singledispatch`
function; an analysis adds its report type by registering on each format. An unknown format is an error, never a
silent fallback.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from dealcheck.results import CheckReport, PackageVerdict

__all__ = ["ANALYSIS_RENDERERS", "FORMATS", "REPORT_FORMATS", "render", "to_data_of"]

#: Modules that register the analyses' report classes on every format; imported before the first render, so a
#: report renders however it was made (CLI, library, a test).
ANALYSIS_RENDERERS: tuple[str, ...] = (
    "dealcheck.report.analyses",
    "dealcheck.report.conflicts",
    "dealcheck.report.explain",
    "dealcheck.report.sensitivity",
    "dealcheck.report.batch",
    "dealcheck.report.sweep",
    "dealcheck.report.overview",
)

#: Format name -> where its renderer is: a module holding ``render``, or ``module:function``. Modules load on first
#: use. The one registry: ``dealcheck test``'s formats (JUnit, SARIF, GitHub lines) are entries like the others.
FORMATS: dict[str, str] = {
    "text": "dealcheck.report.text",
    "json": "dealcheck.report.jsonfmt",
    "markdown": "dealcheck.report.markdown",
    "html": "dealcheck.report.html",
    "junit": "dealcheck.report.junit",
    "sarif": "dealcheck.report.ci:render_sarif",
    "github": "dealcheck.report.ci:render_github",
}
#: The formats every analysis report renders in: the ``--format`` choices of check, explore, conflicts, ... (a test
#: run renders in text, JSON and the CI formats; ``dealcheck test`` lists those).
REPORT_FORMATS: tuple[str, ...] = ("text", "json", "markdown", "html")


def render(result: Any, fmt: str, *, color: bool = False, options: Any = None) -> str:
    """Render ``result`` in format ``fmt``; ``ValueError`` for an unknown format.

    ``options`` (a :class:`dealcheck.report.text.TextOptions`: width, quiet, all parties, verbose) reaches the
    text and Markdown renderers of check reports; other formats and reports ignore it.
    """
    import importlib

    if fmt not in FORMATS:
        raise ValueError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    where, _, function = FORMATS[fmt].partition(":")
    module = importlib.import_module(where)
    renderer: Callable[..., str] = getattr(module, function or "render")
    # The core results (dealcheck.results: check reports, verdicts) render without the analyses' renderers, and
    # without the analyses they import (a fifth of ``dealcheck check``'s start-up); test runs need only theirs.
    if type(result).__module__.startswith("dealcheck.expectations"):
        importlib.import_module("dealcheck.report.testrun")
    elif type(result).__module__ != "dealcheck.results":
        # Only as many renderer modules as it takes to find this report's renderer: an explore report needs none
        # of the conflicts, batch, sweep or overview modules (nor the analyses they import: ~0.1 s of start-up).
        dispatch = getattr(getattr(module, "to_data", renderer), "dispatch", None)  # JSON dispatches on to_data
        fallback = None if dispatch is None else dispatch(object)
        for name in ANALYSIS_RENDERERS:
            if dispatch is not None and dispatch(type(result)) is not fallback:
                break
            importlib.import_module(name)
    if options is not None and fmt in ("text", "markdown") and isinstance(result, (CheckReport, PackageVerdict)):
        return renderer(result, color=color, options=options)
    return renderer(result, color=color)


def to_data_of(result: Any) -> Any:
    """The JSON data of ``result`` (what ``--format json`` prints, before it becomes text)."""
    import json

    return json.loads(render(result, "json"))
