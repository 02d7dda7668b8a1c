"""CI and editor formats for ``validate`` and ``test``: SARIF 2.1.0 and GitHub workflow annotation lines.

In: :class:`Finding` values (a diagnostic from a scenario file, or a failed expectation, with its position).
Out: a SARIF log (code-scanning tools, editors with a SARIF viewer) or ``::error file=...::message`` lines that a
GitHub Actions step prints to annotate the diff.

Both are pure functions of the findings: the same findings give the same bytes. Rejected: a SARIF library
(``sarif-om`` and friends are generated object models, heavier than the dozen keys we write); the schema is checked
in the tests instead.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Sequence
from typing import Any

import attrs

from dealcheck.errors import CODES, Diagnostic

__all__ = ["CI_FORMATS", "Finding", "findings_from_diagnostics", "github", "render_github", "render_sarif", "sarif"]

#: The formats this module writes, as ``--format`` names them.
CI_FORMATS = ("sarif", "github")

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_EXPECTATION_RULE = "expectation"


@attrs.frozen
class Finding:
    """One thing to annotate: ``code`` is a diagnostic code (``DC301``) or ``expectation`` for a failed claim."""

    code: str
    message: str
    file: str | None
    line: int | None = None
    column: int | None = None
    end_line: int | None = None
    end_column: int | None = None
    level: str = "error"  # error | warning | note
    hint: str | None = None

    @property
    def text(self) -> str:
        return self.message + (f" (hint: {self.hint})" if self.hint else "")


def findings_from_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Finding]:
    out = []
    for d in diagnostics:
        span = d.span
        out.append(
            Finding(
                d.code,
                d.message,
                d.file,
                d.line,
                d.column,
                span.end_line if span else None,
                span.end_column if span else None,
                "warning" if d.severity.value == "warning" else "error",
                d.hint,
            )
        )
    return out


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("dealcheck")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0"


def sarif(findings: Sequence[Finding], *, artifacts: Sequence[str] = ()) -> str:
    """A SARIF 2.1.0 log with one run of dealcheck; ``artifacts`` lists every file looked at (found clean or not).

    >>> log = json.loads(sarif([Finding("DC301", "unknown term 'x'", "s.yaml", 3, 9, 3, 10)]))
    >>> log["version"], log["runs"][0]["results"][0]["ruleId"], log["runs"][0]["results"][0]["locations"][0][
    ...     "physicalLocation"]["region"]
    ('2.1.0', 'DC301', {'startLine': 3, 'startColumn': 9, 'endLine': 3, 'endColumn': 10})
    """
    codes = sorted({f.code for f in findings})
    rules = []
    for code in codes:
        short = CODES.get(code, "an expectation of the scenario does not hold" if code == _EXPECTATION_RULE else code)
        rules.append({"id": code, "name": code, "shortDescription": {"text": short}})
    results = []
    for f in findings:
        result: dict[str, Any] = {
            "ruleId": f.code,
            "ruleIndex": codes.index(f.code),
            "level": f.level,
            "message": {"text": f.text},
        }
        if f.file is not None:
            location: dict[str, Any] = {"artifactLocation": {"uri": _uri(f.file)}}
            if f.line is not None:
                region: dict[str, int] = {"startLine": f.line}
                if f.column is not None:
                    region["startColumn"] = f.column
                if f.end_line is not None:
                    region["endLine"] = f.end_line
                if f.end_column is not None and f.end_line is not None:
                    region["endColumn"] = f.end_column
                location["region"] = region
            result["locations"] = [{"physicalLocation": location}]
        results.append(result)
    files = list(dict.fromkeys([*artifacts, *(f.file for f in findings if f.file is not None)]))
    log = {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {
                    "driver": {
                        "name": "dealcheck",
                        "version": _version(),
                        "informationUri": "https://pypi.org/project/dealcheck/",
                        "rules": rules,
                    }
                },
                "artifacts": [{"location": {"uri": _uri(f)}} for f in files],
                "results": results,
            }
        ],
    }
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"


def _uri(path: str) -> str:
    """A relative URI reference for a path (SARIF wants URIs: forward slashes, spaces and ``%`` escaped)."""
    from urllib.parse import quote

    return quote(path.replace("\\", "/"), safe="/:._-~")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def github(findings: Sequence[Finding]) -> str:
    """GitHub Actions workflow commands, one line per finding (``::error file=...,line=...::message``).

    Messages and properties are escaped as the runner expects (``%``, newlines; ``:`` and ``,`` in properties),
    so a hostile message cannot start a second command.

    >>> print(github([Finding("DC301", "unknown term 'x'", "s.yaml", 3, 9, 3, 10, hint="did you mean 'y'?")]), end="")
    ::error file=s.yaml,line=3,col=9,endLine=3,endColumn=10,title=DC301::unknown term 'x' (hint: did you mean 'y'?)
    """
    lines = []
    for f in findings:
        props = []
        if f.file is not None:
            props.append(f"file={_escape_property(f.file)}")
            if f.line is not None:
                props.append(f"line={f.line}")
                if f.column is not None:
                    props.append(f"col={f.column}")
                if f.end_line is not None:
                    props.append(f"endLine={f.end_line}")
                    if f.end_column is not None:
                        props.append(f"endColumn={f.end_column}")
        props.append(f"title={_escape_property(f.code)}")
        level = {"error": "error", "warning": "warning"}.get(f.level, "notice")
        lines.append(f"::{level} {','.join(props)}::{_escape_data(f.text)}")
    return "".join(line + "\n" for line in lines)


# The registry's entries (:data:`dealcheck.report.FORMATS`): results with findings register here (test runs, in
# :mod:`dealcheck.report.testrun`); ``validate`` builds its findings itself and calls :func:`sarif`/:func:`github`.


@functools.singledispatch
def render_sarif(result: Any, *, color: bool = False) -> str:
    """SARIF for a result that has findings."""
    raise TypeError(f"no SARIF form for {type(result).__name__}")


@functools.singledispatch
def render_github(result: Any, *, color: bool = False) -> str:
    """GitHub annotation lines for a result that has findings."""
    raise TypeError(f"no GitHub annotation form for {type(result).__name__}")
