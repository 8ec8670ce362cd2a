"""The published JSON Schema agrees with the loader on shipped and broken specs."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest
import yaml

from protodoc.cli import main
from protodoc.spec.schema import OBJECTS, STEP_KINDS, json_schema

ROOT = Path(__file__).parent.parent
SPECS = sorted((ROOT / "specs").glob("*.yaml"))


@pytest.fixture(scope="module")
def validator():
    schema = json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


@pytest.mark.parametrize("path", SPECS, ids=[p.stem for p in SPECS])
def test_shipped_specs_match_the_schema(path, validator):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    errors = [e.message for e in validator.iter_errors(data)]
    assert errors == []


def test_schema_rejects_what_the_loader_rejects(validator):
    data = yaml.safe_load((ROOT / "tests/broken/unknown-key.yaml").read_text(encoding="utf-8"))
    assert any("'nmae' was unexpected" in e.message for e in validator.iter_errors(data))
    data = {"protodoc": 1, "id": "x", "title": {"en": "only English"}}
    assert any("'zh' is a required property" in e.message for e in validator.iter_errors(data))


def test_schema_covers_every_object_and_step_kind():
    schema = json_schema()
    assert set(schema["$defs"]) == (set(OBJECTS) - {"spec"}) | {"text", "step"}
    assert [r["$ref"].split("/")[-1] for r in schema["$defs"]["step"]["oneOf"]] == list(STEP_KINDS)


def test_schema_command_is_deterministic(capsys):
    assert main(["schema"]) == 0
    first = capsys.readouterr().out
    assert main(["schema"]) == 0
    assert capsys.readouterr().out == first
    assert json.loads(first)["title"] == "protodoc spec"
