"""A JSON Schema (draft 2020-12) of the scenario format, for editors: completion, hover text and inline errors.

``dealcheck schema > dealcheck.schema.json`` and a first line ``# yaml-language-server: $schema=dealcheck.schema.json``
give any editor that speaks the YAML language server (VS Code's YAML extension, Neovim, Helix, JetBrains) the keys,
their descriptions and the shape errors while typing. The schema is the *shape* only: rule syntax, unknown terms,
options and references are the loader's to check (``dealcheck validate``), with positions and hints no schema can
give. A test holds it to every scenario in the repository (accepted) and to the shape errors in ``tests/bad``
(rejected).

The key lists come from the loader, so a key added there appears here.
"""

from __future__ import annotations

import json
from typing import Any

from dealcheck.expectations.claims import EXPECT_KEYS, OBJECTIVES, PROBABILITY
from dealcheck.loader import _PACKAGE, _PARTY, _RULE, _SOURCE, _TERM, _TOP, _VARIANT
from dealcheck.uncertainty import RED_LINE_KEYS, RULE_KEYS

__all__ = ["SCHEMA_ID", "scenario_schema", "schema_text"]

SCHEMA_ID = "https://dealcheck.invalid/schema/scenario-1.json"

_IDENT = "^[A-Za-z_][A-Za-z0-9_]*$"
_INT = {"type": "integer"}
_TEXT = {"type": "string"}
_NUMBER = {
    "description": "an exact number: an integer, a decimal or a fraction such as 2/3",
    "anyOf": [{"type": "number"}, {"type": "string", "pattern": r"^\s*[0-9]+(\s*/\s*[0-9]+|\.[0-9]+)?\s*$"}],
}


def _closed(properties: dict[str, Any], keys: tuple[str, ...], **extra: Any) -> dict[str, Any]:
    """An object with exactly ``keys``, each described by ``properties`` (a key not there accepts anything)."""
    return {
        "type": "object",
        "properties": {k: properties.get(k, {}) for k in keys},
        "additionalProperties": False,
        **extra,
    }


def _by_id(value: dict[str, Any], what: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": f"{what}, by id (letters, digits and _, not starting with a digit)",
        "propertyNames": {"pattern": _IDENT},
        "additionalProperties": value,
    }


def scenario_schema() -> dict[str, Any]:
    """The schema as a dict."""
    term = {
        "description": "a negotiable term: a list of options, bool, or {options|range|type: bool, ...}",
        "anyOf": [
            {
                "type": "array",
                "items": {"type": ["string", "number", "boolean", "null"]},
                "minItems": 1,
                "uniqueItems": True,
            },
            {"const": "bool"},
            _closed(
                {
                    "options": {
                        "type": "array",
                        "items": {"type": ["string", "number", "boolean", "null"]},
                        "minItems": 1,
                        "uniqueItems": True,
                        "description": "the options, in order",
                    },
                    "ordered": {"type": "boolean", "description": "options are ordered: <, <=, >, >= compare them"},
                    "range": {
                        "type": "array",
                        "items": _INT,
                        "minItems": 2,
                        "maxItems": 2,
                        "description": "[lo, hi]: the integers from lo to hi",
                    },
                    "type": {"const": "bool"},
                    "unit": _TEXT,
                    "description": _TEXT,
                    "change_cost": {**_INT, "minimum": 0, "description": "what changing it costs in repair"},
                },
                _TERM,
                oneOf=[{"required": ["options"]}, {"required": ["range"]}, {"required": ["type"]}],
            ),
        ],
    }
    rule_props: dict[str, Any] = {
        "rule": {"type": ["string", "boolean"], "description": 'a rule expression, e.g. ceasefire != "full"'},
        "description": _TEXT,
        "source": {"type": "string", "pattern": _IDENT, "description": "the id of a source under sources:"},
        "quote": {"type": "string", "description": "the words of the source this rule is read from"},
        "assumption": {"type": "string", "description": "why the rule is assumed, when there is no quote"},
        "confidence": {**_NUMBER, "description": "probability that the position holds as written, in (0, 1]"},
        "confidence_reason": _TEXT,
        "soft_if_wrong": {"type": "boolean"},
    }
    red_line = _closed(
        {**rule_props, "concession_cost": {**_INT, "minimum": 0, "description": "what dropping it costs"}},
        (*_RULE, *RULE_KEYS, *RED_LINE_KEYS, "concession_cost"),
        required=["rule"],
    )
    demand = _closed(
        {
            **rule_props,
            "weight": {
                "description": "how much the party cares (default 1)",
                "anyOf": [
                    {**_INT, "minimum": 1},
                    _closed(
                        {"value": _NUMBER, "range": {"type": "array", "minItems": 2, "maxItems": 2}}, ("value", "range")
                    ),
                ],
            },
        },
        (*_RULE, *RULE_KEYS, "weight"),
        required=["rule"],
    )
    party = _closed(
        {
            "name": _TEXT,
            "description": _TEXT,
            "red_lines": _by_id(red_line, "hard limits: a package that breaks one is unacceptable to the party"),
            "demands": _by_id(demand, "soft, weighted wishes"),
        },
        _PARTY,
    )
    values = {
        "type": "object",
        "propertyNames": {"pattern": _IDENT},
        "additionalProperties": {"type": ["string", "integer", "boolean"]},
    }
    package = _closed({"title": _TEXT, "description": _TEXT, "terms": values}, _PACKAGE)
    refs: dict[str, Any] = {
        "type": "array",
        "items": {"type": "string", "pattern": r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$"},
    }
    additions = _by_id(
        _closed(
            {"red_lines": _by_id(red_line, "red lines"), "demands": _by_id(demand, "demands")}, ("red_lines", "demands")
        ),
        "rules added or replaced, per party",
    )
    # replace: {party.rule: rule entry}, the rule rewritten with the same id and kind (so either kind's keys).
    replacements = {
        "type": "object",
        "description": "rules rewritten, by party.rule",
        "propertyNames": {"pattern": refs["items"]["pattern"]},
        "additionalProperties": {"anyOf": [red_line, demand]},
    }
    variant = _closed({"description": _TEXT, "drop": refs, "add": additions, "replace": replacements}, _VARIANT)
    expectation = {
        "type": "object",
        "description": "a claim dealcheck test checks",
        "propertyNames": {"enum": list(EXPECT_KEYS)},
        "properties": {
            "description": _TEXT,
            "package": {"type": "string"},
            "set": values,
            "variant": {"type": "string"},
            "best": {"type": "object", "properties": {"objective": {"enum": list(OBJECTIVES)}}},
            "deal_probability": {
                "anyOf": [
                    {"type": "number", "minimum": 0, "maximum": 1},
                    {"type": "string", "pattern": "^" + PROBABILITY.pattern + "$"},
                ]
            },
        },
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": SCHEMA_ID,
        "title": "dealcheck scenario",
        "description": "Terms, parties with red lines and demands, packages, variants and expectations; see "
        "docs/scenario-format.md.",
        **_closed(
            {
                "dealcheck": {"const": 1, "description": "the format version"},
                "title": _TEXT,
                "description": _TEXT,
                "confidence_reason": _TEXT,
                "sources": _by_id(
                    _closed({"title": _TEXT, "date": {"type": ["string"]}, "file": _TEXT, "url": _TEXT}, _SOURCE),
                    "where quotes come from",
                ),
                "terms": _by_id(term, "what a deal decides"),
                "parties": _by_id(party, "who negotiates"),
                "packages": _by_id(package, "proposals on the table"),
                "variants": _by_id(variant, "what-ifs"),
                "expect": {"type": "array", "items": expectation},
            },
            _TOP,
            required=["dealcheck", "title", "terms", "parties"],
        ),
    }


def schema_text() -> str:
    """The schema as ``dealcheck schema`` prints it: stable key order, two-space indent."""
    return json.dumps(scenario_schema(), indent=2, ensure_ascii=False) + "\n"
