"""``dealcheck test`` results in every format: text, JSON (``dealcheck.test/1``), JUnit XML, SARIF and GitHub lines.

In: a :class:`~dealcheck.expectations.run.TestRun` (or one file's
:class:`~dealcheck.expectations.run.ExpectationReport`, rendered as a run of one file). Out: the text of the format.
Importing this module registers them on the format registry (:mod:`dealcheck.report`), like every other report;
before, the expectations kept a registry of their own (``TEST_FORMATS``) and rendered outside ``report/``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from dealcheck.expectations.run import ExpectationReport, TestRun
from dealcheck.report import ci, jsonfmt, junit, text
from dealcheck.report.ci import Finding, findings_from_diagnostics

__all__: list[str] = []


@text.render.register
def _text_run(run: TestRun, *, color: bool = False, options: Any = None) -> str:
    return _text(run, color)


@jsonfmt.to_data.register
def _json_run(run: TestRun) -> dict[str, Any]:
    return _json_data(run)


@junit.render.register
def _junit_run(run: TestRun, *, color: bool = False) -> str:
    return _junit(run)


@ci.render_sarif.register
def _sarif_run(run: TestRun, *, color: bool = False) -> str:
    return ci.sarif(_findings(run), artifacts=[r.path for r in run.reports] + [b.path for b in run.invalid])


@ci.render_github.register
def _github_run(run: TestRun, *, color: bool = False) -> str:
    return ci.github(_findings(run))


# One file's report renders as a run of that one file, in every format.
for _render in (text.render, junit.render, ci.render_sarif, ci.render_github):
    _render.register(ExpectationReport, lambda report, *, _r=_render, **kw: _r(TestRun((report,)), **kw))
jsonfmt.to_data.register(ExpectationReport, lambda report: _json_data(TestRun((report,))))


def _findings(run: TestRun) -> list[Any]:
    """Failed expectations (at their line) and invalid files' diagnostics, for the CI formats."""
    out = []
    for report in run.reports:
        for r in report.results:
            if not r.passed:
                out.append(Finding("expectation", f"{r.description}: {r.reason}", r.file, r.line))
    for bad in run.invalid:
        out += findings_from_diagnostics(bad.diagnostics) or [Finding("DC100", "invalid scenario", bad.path)]
    return out


def _text(run: TestRun, color: bool) -> str:
    def paint(word: str, fg: str) -> str:
        if not color:
            return word
        import click

        return click.style(word, fg=fg, bold=True)

    lines = []
    for report in run.reports:
        for r in report.results:
            if r.passed:
                lines.append(f"{paint('PASS', 'green')} {r.location} {r.description}")
            elif r.stopped is not None:
                lines.append(f"{paint('NOT CHECKED', 'yellow')} {r.location} {r.description}: {r.reason}")
            else:
                lines.append(f"{paint('FAIL', 'red')} {r.location} {r.description}: {r.reason}")
    for bad in run.invalid:
        n = len(bad.diagnostics)
        first = str(bad.diagnostics[0]) if bad.diagnostics else "invalid scenario"
        more = f" (and {n - 1} more)" if n > 1 else ""
        lines.append(f"{paint('ERROR', 'red')} {bad.path}: invalid scenario: {first}{more}")
    summary = f"{run.passed} passed, {run.failed} failed"
    if run.not_checked:  # a limit stopped them: neither passed nor failed
        summary += f", {run.not_checked} not checked (a limit stopped them)"
    if run.invalid:  # an invalid file is neither: its expectations never ran
        summary += f", {len(run.invalid)} invalid file{'s' if len(run.invalid) != 1 else ''}"
    lines.append(summary)
    return "\n".join(lines) + "\n"


def _json_data(run: TestRun) -> dict[str, Any]:
    files: list[dict[str, Any]] = []
    for report in run.reports:
        files.append(
            {
                "file": report.path,
                "scenario": report.scenario,
                "valid": True,
                "expectations": [
                    {
                        "index": r.index,
                        "file": r.file,
                        "line": r.line,
                        "description": r.description,
                        "passed": r.passed,
                        "reason": r.reason,
                        "stopped": r.stopped,
                    }
                    for r in report.results
                ],
                "passed": report.passed,
                "failed": report.failed,
                "not_checked": report.not_checked,
            }
        )
    for bad in run.invalid:
        files.append(
            {
                "file": bad.path,
                "scenario": None,
                "valid": False,
                "diagnostics": [d.to_json() for d in bad.diagnostics],
            }
        )
    return {
        "schema": "dealcheck.test/1",
        "files": files,
        "summary": {
            "passed": run.passed,
            "failed": run.failed,
            "not_checked": run.not_checked,
            "invalid": len(run.invalid),
            "exit_code": run.exit_code,
        },
    }


def _junit(run: TestRun) -> str:
    """JUnit XML as CI servers read it: one testsuite per file, one testcase per expectation. No timestamps or
    durations, so the same input gives the same bytes."""
    import xml.etree.ElementTree as ET

    root = ET.Element("testsuites", name="dealcheck", tests="0", failures="0", errors="0")
    total = failures = errors = 0
    for report in run.reports:
        suite = ET.SubElement(
            root,
            "testsuite",
            name=_xml_safe(report.path),
            tests=str(len(report.results)),
            failures=str(report.failed),
            errors="0",
        )
        for r in report.results:
            case = ET.SubElement(
                suite,
                "testcase",
                classname=_xml_safe(_classname(report.path)),
                name=_xml_safe(f"{r.line}: {r.description}" if r.line is not None else r.description),
                file=_xml_safe(r.file),
                line=str(r.line or 0),
            )
            if r.stopped is not None:  # not run to the end: CI servers show it as skipped, with the reason
                ET.SubElement(case, "skipped", message=_xml_safe(r.reason or ""))
            elif not r.passed:
                failure = ET.SubElement(case, "failure", message=_xml_safe(r.reason or ""), type="expectation")
                failure.text = _xml_safe(f"{r.location}: {r.reason}")
        total += len(report.results)
        failures += report.failed
    for bad in run.invalid:
        path = _xml_safe(bad.path)
        suite = ET.SubElement(root, "testsuite", name=path, tests="1", failures="0", errors="1")
        case = ET.SubElement(
            suite, "testcase", classname=_xml_safe(_classname(bad.path)), name="load", file=path, line="0"
        )
        first = str(bad.diagnostics[0]) if bad.diagnostics else "invalid scenario"
        error = ET.SubElement(case, "error", message=_xml_safe(first), type="invalid-scenario")
        error.text = _xml_safe(bad.rendered)
        total += 1
        errors += 1
    root.set("tests", str(total))
    root.set("failures", str(failures))
    root.set("errors", str(errors))
    ET.indent(root)
    return '<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"


def _classname(path: str) -> str:
    stem = Path(path).as_posix()
    for suffix in (".deal.yaml", ".yaml", ".yml"):
        if stem.endswith(suffix):
            stem = stem[: -len(suffix)]
            break
    return stem.replace("/", ".").lstrip(".") or "scenario"


_XML_BAD = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(text: str) -> str:
    """XML 1.0 cannot hold some control characters at all, even escaped; a scenario's text might."""
    return _XML_BAD.sub("\ufffd", text)
