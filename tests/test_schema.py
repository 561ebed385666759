"""The JSON Schemas editors use and the validator agree: what one accepts, the other does.

The schemas are checked with a real JSON Schema validator (``jsonschema``, draft 2020-12)
against every example and fixture file, and against generated values where the validator
reads more than one raw form (a ``- Key: value`` list item is a mapping to YAML).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from conftest import EXAMPLE, PHASE_YAML, PROJECT_YAML, REPO
from phasedocs.commands.schema import schemas
from phasedocs.input.loader import parse_json, parse_yaml
from phasedocs.input.models import Phase, ProjectConfig, Snapshot
from phasedocs.input.records import ValidationError, parse
from phasedocs.resources import data
from support import SPRINT, SPRINT_PROJECT, plain

SCAFFOLD = data("scaffold")
SHARED = REPO.parent / "shared" / "examples" / "eventmesh" / "phases"
MODELS = {"project": ProjectConfig, "phase": Phase, "snapshot": Snapshot}


@pytest.fixture(scope="module")
def validators() -> dict[str, Draft202012Validator]:
    """One validator per schema, by kind (project, phase, snapshot)."""
    out = {}
    for name, text in schemas().items():
        schema = json.loads(text)
        Draft202012Validator.check_schema(schema)
        out[name.split(".")[0]] = Draft202012Validator(schema)
    return out


def kind_of(path: Path) -> str:
    """project, phase or snapshot, from an input file's name."""
    return "project" if path.name == "project.yaml" else "phase" if path.name == "phase.yaml" else "snapshot"


def example_files() -> list[tuple[str, str, str]]:
    """(label, kind, text) of every input file the repository ships or the tests build on."""
    found = []
    roots = {"": EXAMPLE, **({"shared examples/eventmesh/": SHARED} if SHARED.is_dir() else {})}
    for prefix, root in roots.items():
        for path in sorted(root.rglob("*")):
            if path.suffix in (".yaml", ".json"):
                found.append((prefix + str(path.relative_to(root.parent)), kind_of(path), path.read_text()))
    for name, kind in (("project.yaml", "project"), ("phase.yaml", "phase"), ("baseline.json", "snapshot")):
        found.append((f"scaffold/{name}", kind, (SCAFFOLD / name).read_text()))
    found += [("conftest PROJECT_YAML", "project", PROJECT_YAML), ("conftest PHASE_YAML", "phase", PHASE_YAML)]
    from support import FINISH, PHASE, SNAPSHOTS  # task entries with notes and times, health

    found.append(("test_progress PHASE", "phase", PHASE))

    found += [("test_units SPRINT", "phase", SPRINT), ("test_units SPRINT_PROJECT", "project", SPRINT_PROJECT)]
    found += [(f"test_progress {k}", "snapshot", json.dumps(v)) for k, v in {**SNAPSHOTS, **FINISH}.items()]
    return found


@pytest.mark.parametrize(("label", "kind", "text"), example_files(), ids=[f[0] for f in example_files()])
def test_every_example_and_fixture_file_passes_both_the_schema_and_the_validator(validators, label, kind, text):
    doc = parse_json(text, label) if kind == "snapshot" else parse_yaml(text, label)
    parse(MODELS[kind], doc.data)  # the validator's own reading (raises on a fault)
    errors = sorted(validators[kind].iter_errors(plain(doc.data)), key=str)
    assert errors == [], f"{label}: {errors[0].json_path}: {errors[0].message}"


def test_the_shipped_example_holds_tips_written_as_yaml_mappings():
    # the case that once split schema and validator: "- Key: value" items
    tips = yaml.safe_load((EXAMPLE / "phase-07" / "phase.yaml").read_text())["tips"]
    assert any(isinstance(t, dict) for t in tips)


REFUSED = [
    ("phase", {"tips": [{"two": "entries", "in": "one item"}]}),
    ("phase", {"tips": [{"key": 3}]}),
    ("phase", {"tips": [["a list"]]}),
    ("phase", {"deliverables": [{"a": "b", "c": "d"}]}),
    ("phase", {"unknown_field": 1}),
    ("phase", {"number": "seven"}),
    ("project", {"calendar": "lunar"}),
    ("project", {"surprise": True}),
    ("snapshot", {"kind": "weekly"}),
    # version 3: durations with units, milestones, links
    ("phase", {"tasks": [{"id": "1", "slug": "a", "title": "A", "role": "r", "duration": "5x"}]}),
    ("phase", {"tasks": [{"id": "1", "slug": "a", "title": "A", "role": "r", "duration": 5}]}),
    ("phase", {"tasks": [{"id": "1", "slug": "a", "title": "A", "role": "r", "milestone": "yes"}]}),
    ("phase", {"tasks": [{"id": "1", "slug": "a", "title": "A", "role": "r", "milestone": True, "links": ["#3"]}]}),
    ("phase", {"tasks": [{"id": "1", "slug": "a", "title": "A", "role": "r", "milestone": True, "links": {"pr": 3}}]}),
    (
        "phase",
        {
            "tasks": [
                {
                    "id": "1",
                    "slug": "a",
                    "title": "A",
                    "role": "r",
                    "duration": "2h",
                    "estimate": {"low": "1x", "high": 3},
                }
            ]
        },
    ),
    ("project", {"calendar": "round-the-clock"}),
]


@pytest.mark.parametrize(("kind", "change"), REFUSED, ids=[json.dumps(c)[:40] for _, c in REFUSED])
def test_what_the_validator_refuses_the_schema_refuses(validators, kind, change):
    base = {
        "project": yaml.safe_load(PROJECT_YAML),
        "phase": yaml.safe_load(PHASE_YAML),
        "snapshot": {"timestamp": "2025-01-06T09:00:00Z"},
    }[kind]
    data = {**plain(base), **change}
    with pytest.raises(ValidationError):
        parse(MODELS[kind], data)
    assert list(validators[kind].iter_errors(data)), f"the schema accepts {change}"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=2) | st.dictionaries(st.text(max_size=6), inner, max_size=2),
    max_leaves=6,
)


@pytest.mark.fuzz
@given(json_values)
def test_a_text_line_is_read_the_same_way_by_both(item):
    data = {**plain(yaml.safe_load(PHASE_YAML)), "tips": [item]}
    try:
        parse(Phase, data)
        accepted = True
    except ValidationError:
        accepted = False
    schema = Draft202012Validator(json.loads(schemas()["phase.schema.json"]))
    assert accepted == schema.is_valid(data), item
