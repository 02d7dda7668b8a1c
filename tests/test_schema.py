"""``dealcheck schema``: a draft 2020-12 JSON Schema that accepts every scenario in the repository and rejects
the shape errors of ``tests/bad``, read as an editor's YAML language server reads YAML (1.2: ``yes`` and dates
stay strings)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml

from dealcheck.cli import main

jsonschema = pytest.importorskip("jsonschema")

ROOT = Path(__file__).resolve().parent.parent
GOOD = sorted(
    [
        *ROOT.glob("scenarios/*.yaml"),
        *ROOT.glob("tests/good/*.yaml"),
        *ROOT.glob("tests/data/*.yaml"),
        *ROOT.glob("docs/examples/*.yaml"),
    ]
)
#: Shape errors a schema can see (the loader's codes): a bad id, an unknown key, a value of the wrong kind, a
#: required key missing, an unsupported version, an invalid value, an empty file.
SHAPE_CODES = {"DC106", "DC107", "DC108", "DC109", "DC110", "DC112"}


class _Yaml12(yaml.SafeLoader):
    """YAML as the YAML language server reads it: only true/false are booleans, and no timestamps."""


_Yaml12.yaml_implicit_resolvers = {
    k: [(tag, rx) for tag, rx in v if tag not in ("tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:bool")]
    for k, v in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Yaml12.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), list("tf"))


@pytest.fixture(scope="module")
def validator(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("schema") / "dealcheck.schema.json"
    with pytest.raises(SystemExit) as e:
        main(["schema", "-o", str(out)])
    assert e.value.code == 0
    schema = json.loads(out.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", GOOD, ids=[p.name for p in GOOD])
def test_every_scenario_in_the_repository_is_accepted(validator, path):
    doc = yaml.load(path.read_bytes(), Loader=_Yaml12)
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(doc)]
    assert errors == []


def _shape_errors() -> list[Path]:
    out = []
    for line in (ROOT / "tests" / "bad" / "MANIFEST.tsv").read_text().splitlines():
        if line.startswith("#") or not line.strip():
            continue
        name, code = line.split("\t")[:2]
        if code in SHAPE_CODES and not name.startswith("non_string_key"):  # YAML keys 1 and null: no JSON form
            out.append(ROOT / "tests" / "bad" / name)
    return out


@pytest.mark.parametrize("path", _shape_errors(), ids=lambda p: p.name)
def test_shape_errors_in_tests_bad_are_rejected(validator, path):
    try:
        doc = yaml.load(path.read_bytes(), Loader=_Yaml12)
    except yaml.YAMLError:
        pytest.skip("not YAML an editor could read either")
    assert list(validator.iter_errors(doc)), f"{path.name} should be rejected"


def test_the_starter_scenario_names_the_schema():
    from dealcheck.starter import STARTER

    assert "# yaml-language-server: $schema=dealcheck.schema.json" in STARTER
