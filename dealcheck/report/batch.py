"""Text, JSON and Markdown for :class:`~dealcheck.batch.BatchReport` (``dealcheck check --packages FILE``).

Importing this module registers the renderers. The per-package verdicts go to the verdicts file; these are counts.
"""

from __future__ import annotations

from typing import Any

from dealcheck.batch import BatchReport
from dealcheck.report import jsonfmt, markdown, text
from dealcheck.report.escape import for_markdown, for_text


def _share(n: int, of: int) -> str:
    return f"{n:,} of {of:,}" + (f" ({n / of:.1%})" if of else "")


@text.render.register
def _(r: BatchReport, *, color: bool = False) -> str:
    variant = f" (variant {r.variant})" if r.variant else ""
    width = max([len("deals"), *(len(p) + len(" accepts") for p, _ in r.acceptable)])
    head = for_text(f"{r.scenario}{variant}: {r.packages_path}")
    lines = [head, f"  {'checked':<{width}}  {r.rows:,} packages"]
    lines.append(f"  {'deals':<{width}}  {_share(r.deals, r.rows)}")
    for party, n in r.acceptable:
        lines.append(f"  {party + ' accepts':<{width}}  {_share(n, r.rows)}")
    if r.skipped_rows:
        lines.append(f"  {'skipped':<{width}}  {r.skipped_rows:,} bad rows")
    if r.output:
        lines.append(f"  {'verdicts':<{width}}  {for_text(r.output)}")
    return "\n".join(lines) + "\n"


@jsonfmt.to_data.register
def _(r: BatchReport) -> dict[str, Any]:
    return {
        "schema": "dealcheck.batch/1",
        "scenario": r.scenario,
        "file": r.path,
        "variant": r.variant,
        "packages_file": r.packages_path,
        "verdicts_file": r.output,
        "rows": r.rows,
        "deals": r.deals,
        "acceptable": dict(r.acceptable),
        "skipped_rows": r.skipped_rows,
        "skipped": [
            {"row": b.row, "line": b.line or None, "column": b.column or None, "code": b.code, "message": b.message}
            for b in r.skipped
        ],
    }


@markdown.render.register
def _(r: BatchReport, *, color: bool = False) -> str:
    esc = for_markdown
    out = [f"# {esc(r.scenario)}: {esc(r.packages_path)}", "", "| | packages |", "|---|---:|"]
    out.append(f"| checked | {r.rows:,} |")
    out.append(f"| deals | {_share(r.deals, r.rows)} |")
    for party, n in r.acceptable:
        out.append(f"| {esc(party)} accepts | {_share(n, r.rows)} |")
    if r.skipped_rows:
        out.append(f"| skipped (bad rows) | {r.skipped_rows:,} |")
    return "\n".join(out) + "\n"
