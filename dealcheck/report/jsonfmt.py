"""JSON output: versioned, deterministic documents (same input, same bytes).

Every document carries ``"schema": "dealcheck.<command>/<version>"``. A version changes only when a field changes
meaning or disappears; new fields may appear within a version.
"""

from __future__ import annotations

import functools
import json
from typing import Any

from dealcheck.results import CheckReport, PackageVerdict, PartyVerdict, RuleOutcome, Status
from dealcheck.utility import exact_text

__all__ = ["dumps", "render", "to_data"]


def dumps(data: Any) -> str:
    """Stable JSON text: keys in the order we build them, two-space indent, UTF-8 kept readable."""
    return json.dumps(data, indent=2, ensure_ascii=False) + "\n"


@functools.singledispatch
def to_data(result: Any) -> Any:
    """Plain JSON data for a result; analyses register their report classes here."""
    raise TypeError(f"no JSON form for {type(result).__name__}")


def render(result: Any, *, color: bool = False) -> str:  # color is meaningless in JSON
    return dumps(to_data(result))


def _score(x: float | None) -> float | None:
    # Rounded so that the same fraction prints the same bytes everywhere; text shows the same rounding.
    return None if x is None else round(x, 4)


def _rule(o: RuleOutcome) -> dict[str, Any]:
    d: dict[str, Any] = {"id": o.id, "status": o.status.value, "rule": o.text, "values": dict(o.values)}
    if o.kind == "demand":
        # An integer weight as a number; a decimal one as its exact decimal text ("0.25"), never a float.
        d["weight"] = o.weight if isinstance(o.weight, int) else exact_text(o.weight)
    if o.description is not None:
        d["description"] = o.description
    if o.quote is not None:
        d["source"] = o.source
        d["quote"] = o.quote
    if o.assumption is not None:
        d["assumption"] = o.assumption
    return d


def _party(p: PartyVerdict, complete: bool) -> dict[str, Any]:
    total = sum(o.weight for o in p.demands)
    d: dict[str, Any] = {
        "name": p.name,
        "acceptable": p.acceptable,
        "broken": list(p.broken),
        "met": list(p.met),
        "score": _score(p.score),
        # Exact, as explore gives it: met demand weight over total weight (score is their rounded quotient).
        "score_met": sum(o.weight for o in p.demands if o.status is Status.HELD),
        "score_total": total,
    }
    if not complete:
        d["score_max"] = _score(p.score_max)
        d["score_max_met"] = None if p.score_max is None else round(p.score_max * total)
    d["red_lines"] = [_rule(o) for o in p.red_lines]
    d["demands"] = [_rule(o) for o in p.demands]
    return d


@to_data.register
def _(v: PackageVerdict) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": v.package,
        "title": v.title,
        "values": dict(v.values),
        "complete": v.complete,
        "deal": v.deal,
        "deal_possible": v.deal_possible,
    }
    if not v.complete:
        d["forced"] = dict(v.forced)
        d["example"] = dict(v.example) if v.example is not None else None
        d["example_kind"] = v.example_kind
        d["unknown"] = v.unknown
    d["parties"] = {p.party: _party(p, v.complete) for p in v.parties}
    return d


@to_data.register
def _(r: CheckReport) -> dict[str, Any]:
    return {
        "schema": "dealcheck.check/1",
        "scenario": r.scenario,
        "file": r.path,
        "variant": r.variant,
        "packages": [to_data(v) for v in r.verdicts],
        "summary": {
            "checked": len(r.verdicts),
            "deals": sum(1 for v in r.verdicts if v.deal),
            "deal_possible": sum(1 for v in r.verdicts if not v.complete and v.deal_possible),
            "exit_code": r.exit_code,
        },
    }
