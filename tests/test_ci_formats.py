"""SARIF 2.1.0 and GitHub annotations from ``validate`` and ``test``.

The SARIF log is validated against the parts of the OASIS SARIF 2.1.0 schema that dealcheck writes, transcribed
below from the standard (sarif-schema-2.1.0.json, definitions sarifLog, run, tool, toolComponent,
reportingDescriptor, result, message, location, physicalLocation, artifactLocation, region, artifact): the same
required keys, enums and minimums, and ``additionalProperties: false`` as there, so a misspelt key fails.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from dealcheck.cli import main
from dealcheck.report.ci import Finding, github, sarif

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
BAD = ROOT / "tests" / "bad"


def _obj(properties: dict, required: tuple[str, ...] = ()) -> dict:
    schema = {"type": "object", "additionalProperties": False, "properties": properties}
    return {**schema, "required": list(required)} if required else schema


_MESSAGE = {"$ref": "#/definitions/message"}
SARIF_SUBSET = {
    "$schema": "http://json-schema.org/draft-04/schema#",
    **_obj(
        {
            "$schema": {"type": "string", "format": "uri"},
            "version": {"enum": ["2.1.0"], "type": "string"},
            "runs": {"type": ["array", "null"], "items": {"$ref": "#/definitions/run"}},
        },
        ("version", "runs"),
    ),
    "definitions": {
        "message": {
            "type": "object",
            "properties": {"text": {"type": "string"}, "id": {"type": "string"}},
            "anyOf": [{"required": ["text"]}, {"required": ["id"]}],
        },
        "run": _obj(
            {
                "tool": {"$ref": "#/definitions/tool"},
                "artifacts": {"type": "array", "uniqueItems": True, "items": {"$ref": "#/definitions/artifact"}},
                "results": {"type": ["array", "null"], "items": {"$ref": "#/definitions/result"}},
            },
            ("tool",),
        ),
        "tool": _obj({"driver": {"$ref": "#/definitions/toolComponent"}}, ("driver",)),
        "toolComponent": _obj(
            {
                "name": {"type": "string"},
                "version": {"type": "string"},
                "informationUri": {"type": "string", "format": "uri"},
                "rules": {"type": "array", "uniqueItems": True, "items": {"$ref": "#/definitions/reportingDescriptor"}},
            },
            ("name",),
        ),
        "reportingDescriptor": _obj(
            {
                "id": {"type": "string"},
                "name": {"type": "string"},
                "shortDescription": {"$ref": "#/definitions/multiformatMessageString"},
            },
            ("id",),
        ),
        "multiformatMessageString": _obj({"text": {"type": "string"}}, ("text",)),
        "result": _obj(
            {
                "ruleId": {"type": "string"},
                "ruleIndex": {"type": "integer", "minimum": -1},
                "level": {"enum": ["none", "note", "warning", "error"]},
                "message": _MESSAGE,
                "locations": {"type": "array", "items": {"$ref": "#/definitions/location"}},
            },
            ("message",),
        ),
        "location": _obj({"physicalLocation": {"$ref": "#/definitions/physicalLocation"}}),
        "physicalLocation": {
            **_obj(
                {
                    "artifactLocation": {"$ref": "#/definitions/artifactLocation"},
                    "region": {"$ref": "#/definitions/region"},
                }
            ),
            "anyOf": [{"required": ["address"]}, {"required": ["artifactLocation"]}],
        },
        "artifactLocation": _obj({"uri": {"type": "string", "format": "uri-reference"}}),
        "artifact": _obj({"location": {"$ref": "#/definitions/artifactLocation"}}),
        "region": _obj(
            {
                "startLine": {"type": "integer", "minimum": 1},
                "startColumn": {"type": "integer", "minimum": 1},
                "endLine": {"type": "integer", "minimum": 1},
                "endColumn": {"type": "integer", "minimum": 1},
            }
        ),
    },
}


def run_cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    with pytest.raises(SystemExit) as e:
        main(list(args))
    return int(e.value.code or 0), capsys.readouterr().out


def check_sarif(text: str) -> dict:
    log = json.loads(text)
    jsonschema.validate(log, SARIF_SUBSET)
    run = log["runs"][0]
    ids = [r["id"] for r in run["tool"]["driver"]["rules"]]
    for result in run["results"]:
        assert ids[result["ruleIndex"]] == result["ruleId"]
    return log


def test_subset_schema_rejects_what_sarif_rejects():
    good = json.loads(sarif([Finding("DC301", "m", "a.yaml", 1, 2, 1, 3)]))
    jsonschema.validate(good, SARIF_SUBSET)
    bad = json.loads(json.dumps(good))
    bad["runs"][0]["results"][0]["level"] = "fatal"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SARIF_SUBSET)
    bad = json.loads(json.dumps(good))
    bad["runs"][0]["results"][0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(bad, SARIF_SUBSET)


def test_validate_sarif_over_the_bad_corpus(capsys):
    code, out = run_cli(capsys, "validate", str(BAD), "--format", "sarif")
    assert code == 2
    log = check_sarif(out)
    results = log["runs"][0]["results"]
    bad_files = {p.name for p in BAD.glob("*.y*ml")}
    flagged = {Path(r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]).name for r in results}
    assert len(flagged) >= len(bad_files) - 5  # a few bad files fail before any position (encoding, NUL)
    assert all(r["level"] == "error" and r["ruleId"].startswith("DC") for r in results)


def test_validate_sarif_on_a_valid_file_has_no_errors(capsys):
    code, out = run_cli(capsys, "validate", str(ROOT / "scenarios"), "--format", "sarif")
    assert code == 0
    log = check_sarif(out)
    # Only lint warnings (DC7xx: demands no deal meets, a total one party dominates), never an error.
    results = log["runs"][0]["results"]
    assert all(r["level"] == "warning" and r["ruleId"].startswith("DC7") for r in results)
    assert len(log["runs"][0]["artifacts"]) >= 2


def test_test_sarif_and_github_name_the_failed_expectation(capsys):
    code, out = run_cli(capsys, "test", str(ROOT / "docs" / "examples"), "--format", "sarif")
    assert code == 1
    (result,) = check_sarif(out)["runs"][0]["results"]
    assert result["ruleId"] == "expectation" and "full_ceasefire" in result["message"]["text"]
    assert result["locations"][0]["physicalLocation"]["region"] == {"startLine": 20}
    code, out = run_cli(capsys, "test", str(ROOT / "docs" / "examples"), "--format", "github")
    assert code == 1
    assert out.startswith("::error file=") and ",line=20,title=expectation::full_ceasefire: breaks" in out


def test_github_escapes_so_a_message_cannot_start_a_command():
    out = github([Finding("DC1", "evil\n::error::injected 100%", "a,b:c.yaml", 1)])
    assert out.count("\n") == 1
    assert "file=a%2Cb%3Ac.yaml" in out and "evil%0A::error::injected 100%25" in out


def test_validate_github_lines(capsys):
    code, out = run_cli(capsys, "validate", str(BAD / "rule_unknown_term.yaml"), "--format", "github")
    assert code == 2
    assert out.startswith("::error file=") and "title=DC301::unknown term 'ceasfire'" in out
