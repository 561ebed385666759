"""The test builders write the files the tests were written against, and an edit that finds
nothing fails instead of passing the input through unchanged."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import PHASE_YAML, PROJECT_YAML
from support import alpha, beta, criterion, edit, phase_yaml, project_yaml, scalar, snapshot, task


def test_the_builders_default_to_conftests_files_byte_for_byte():
    assert phase_yaml() == PHASE_YAML
    assert project_yaml() == PROJECT_YAML


def test_a_builder_changes_only_what_it_is_told():
    changed = yaml.safe_load(phase_yaml([alpha(duration_days=3, title="A: b"), beta()], number=2))
    expected = yaml.safe_load(PHASE_YAML)
    expected["number"] = 2
    expected["tasks"][0].update(duration_days=3, title="A: b")
    assert changed == expected
    assert yaml.safe_load(project_yaml(timezone="Asia/Tokyo"))["timezone"] == "Asia/Tokyo"


def test_task_and_criterion_defaults():
    assert yaml.safe_load(phase_yaml([task("2.1", 0.5, ["2.0"], criteria=[criterion("Docs", id="docs")])]))[
        "tasks"
    ] == [
        {
            "id": "2.1",
            "slug": "t2-1",
            "title": "Task 2.1",
            "role": "dev",
            "duration_days": 0.5,
            "depends_on": ["2.0"],
            "criteria": [{"text": "Docs", "id": "docs"}],
        }
    ]


def test_a_snapshot_is_json_with_every_section():
    assert json.loads(snapshot("2025-01-06T09:00:00Z", "baseline", {"warnings": 3}, note="n")) == {
        "timestamp": "2025-01-06T09:00:00Z",
        "kind": "baseline",
        "metrics": {"warnings": 3},
        "tasks": {},
        "checks": {},
        "note": "n",
    }


def test_an_edit_that_finds_nothing_fails():
    assert edit("a: 1\nb: 1\n", ": 1", ": 2") == "a: 2\nb: 2\n"
    assert edit("a: 1\nb: 1\n", ": 1", ": 2", 1) == "a: 2\nb: 1\n"
    with pytest.raises(AssertionError, match="'c: 1' occurs 0 times"):
        edit("a: 1\n", "c: 1", "c: 2")
    with pytest.raises(AssertionError, match="occurs 1 times"):
        edit("a: 1\n", "a", "b", 2)


@given(st.text(st.characters(exclude_categories=("Cs",)), max_size=30))
def test_any_text_reads_back_as_itself(text):
    assert yaml.safe_load(f"k: {scalar(text)}\n") == {"k": text}


def test_no_test_edits_an_input_with_a_plain_replace():
    """Input text is changed through the builders or ``edit``: ``str.replace`` on a fixture or on
    a file just read passes the input through unchanged when its text has moved."""
    from conftest import REPO

    pattern = re.compile(
        r"(_YAML|\bPHASE\w*|\bPROJECT\w*|CATALOGUE|REGRESS|REVIEWED|SNAPSHOT\w*|read_text\(\))\s*\.replace\("
    )
    found = [
        f"{path.relative_to(REPO)}:{n}"
        for path in sorted((REPO / "tests").rglob("*.py"))
        if path.name not in ("mutations.py", "test_support.py")
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if pattern.search(line) and "!!python/name:" not in line
    ]
    assert found == []
