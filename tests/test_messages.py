"""Every kind of validation message, word for word: what a user reads is the product.

Each case is one faulty value in an otherwise valid file, and the exact ``field: message``
the validator prints for it (the file and position are checked in test_validate).
"""

from __future__ import annotations

import pytest

from phasedocs.input.loader import parse_json, parse_yaml
from phasedocs.input.messages import describe, parse_model
from phasedocs.input.models import Phase, Snapshot
from support import edit

PHASE = """\
number: 1
title: First
created: 2025-01-06T09:00:00Z
start: 2025-01-06T09:00:00Z
tasks:
  - id: "1.1"
    slug: alpha
    title: Alpha
    role: dev
    duration_days: 2
"""


def phase_errors(text: str) -> list[str]:
    """``field: message`` of every error in phase.yaml ``text``."""
    _, errors = parse_model(parse_yaml(text, "phase.yaml"), Phase)
    return [f"{e.field}: {e.problem}" for e in errors]


def snapshot_errors(data: str) -> list[str]:
    _, errors = parse_model(parse_json(data, "a.json"), Snapshot)
    return [f"{e.field}: {e.problem}" for e in errors]


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("title: First\n", "", "title: required field is missing; add it"),
        ("title: First\n", "title: First\ntitel: x\n", "titel: unknown field 'titel'; did you mean 'title'?"),
        ("    role: dev\n", "    role: dev\n    rol: x\n", "tasks[0].rol: unknown field 'rol'; did you mean 'role'?"),
        (
            "title: First\n",
            "title: First\nzzz: x\n",
            "zzz: unknown field 'zzz'; known fields: number, title, summary, created, start, after_phase, tasks, "
            "success_criteria, deliverables, troubleshooting, tips, references, groups",
        ),
        (
            'id: "1.1"',
            "id: 1.10",
            'tasks[0].id: task id 1.10 is a number to YAML (YAML reads 1.10 as 1.1); quote it: "1.10"',
        ),
        ('id: "1.1"', "id: 2", 'tasks[0].id: task id 2 is a number to YAML; quote it: "2"'),
        ("title: First", "title: 5", 'title: expected text, got the number 5; quote it: "5"'),
        ("duration_days: 2", "duration_days: soon", "tasks[0].duration_days: expected a number, got 'soon'"),
        ("duration_days: 2", "duration_days: 0", "tasks[0].duration_days: must be more than 0, got the number 0"),
        ("number: 1", "number: -1", "number: must be at least 0, got the number -1"),
        (PHASE[PHASE.index("tasks:") :], "tasks: []\n", "tasks: needs at least one entry"),
        ("title: First", 'title: ""', "title: must not be empty"),
        (
            "created: 2025-01-06T09:00:00Z",
            "created: 2025-01-06T09:00:00",
            "created: '2025-01-06T09:00:00' has no time zone; add 'Z' (UTC) or an offset such as +02:00",
        ),
        (
            "created: 2025-01-06T09:00:00Z",
            "created: yesterday",
            "created: 'yesterday' is not a date-time; write ISO 8601 such as 2025-10-23T08:00:00Z",
        ),
        ("role: dev", "role: [dev]", "tasks[0].role: expected text, got a list"),
        (
            "duration_days: 2",
            "duration_days: 2\n    depends_on: 1.1",
            "tasks[0].depends_on: expected a list, got the number 1.1",
        ),
    ],
)
def test_each_kind_of_fault_reads_as_written(old, new, message):
    text = edit(PHASE, old, new, 1)
    assert new == "" or new.split("\n")[0] in text
    assert phase_errors(text) == [message]


def test_a_choice_names_every_allowed_value():
    assert snapshot_errors('{"timestamp": "2025-01-06T09:00:00Z", "kind": "weekly"}') == [
        "kind: 'weekly' is not allowed; use one of 'baseline', 'progress' or 'final'"
    ]


def test_a_task_state_written_alone_is_blamed_where_it_is_written():
    # "done" is read as {"state": "done"}: the message names tasks["1.1"], not a .state the file lacks
    assert snapshot_errors('{"timestamp": "2025-01-06T09:00:00Z", "tasks": {"1.1": "done"}}') == [
        "tasks[\"1.1\"]: 'done' is not allowed; use one of 'pending', 'in_progress', 'complete' or 'blocked'"
    ]
    assert snapshot_errors('{"timestamp": "2025-01-06T09:00:00Z", "tasks": {"1.1": {"state": "done"}}}') == [
        "tasks[\"1.1\"].state: 'done' is not allowed; use one of 'pending', 'in_progress', 'complete' or 'blocked'"
    ]


def test_a_list_item_is_blamed_by_its_index():
    text = PHASE + "tips: [fine, [nested]]\n"
    assert phase_errors(text) == ["tips[1]: expected text, got a list"]


@pytest.mark.parametrize(
    ("value", "words"),
    [
        (None, "nothing (null)"),
        (True, "true"),
        (False, "false"),
        (3, "the number 3"),
        (2.5, "the number 2.5"),
        ("x", "'x'"),
        ([1], "a list"),
        ({"a": 1}, "a mapping"),
        (object(), "object"),
    ],
)
def test_describe_names_a_value_as_a_message_would(value, words):
    assert describe(value) == words


def test_a_file_that_is_not_a_mapping_says_what_it_is():
    _, errors = parse_model(parse_yaml("", "phase.yaml"), Phase)
    assert [e.problem for e in errors] == ["expected a mapping of fields, got an empty file"]
    _, errors = parse_model(parse_yaml("- a\n", "phase.yaml"), Phase)
    assert [e.problem for e in errors] == ["expected a mapping of fields, got a list"]


def project_errors(text: str) -> list[str]:
    from phasedocs.input.models import ProjectConfig

    _, errors = parse_model(parse_yaml(text, "project.yaml"), ProjectConfig)
    return [f"{e.field}: {e.problem}" for e in errors]


PROJECT = """\
name: Demo
calendar: workdays
timezone: UTC
metrics:
  bugs: {label: Bugs, unit: count, better: lower}
"""


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        # in a mapping of records the key picks the item: the fields named are the item's
        (
            "better: lower}",
            "better: lower, regres: {by: 5}}",
            "metrics.bugs.regres: unknown field 'regres'; did you mean 'regress'?",
        ),
        (
            "better: lower}",
            "better: lower, extract: {count: 'x/*', patern: a}}",
            "metrics.bugs.extract.patern: unknown field 'patern'; did you mean 'pattern'?",
        ),
        (
            "timezone: UTC\n",
            'timezone: UTC\nworkday: {start: "09:00", hour: 8}\n',
            "workday.hour: unknown field 'hour'; did you mean 'hours'?",
        ),
        # three levels deep and not a task: no task-id wording
        ("label: Bugs", "label: 5", 'metrics.bugs.label: expected text, got the number 5; quote it: "5"'),
        (
            "timezone: UTC\n",
            "timezone: UTC\nholidays: [someday]\n",
            "holidays[0]: 'someday' is not a date; write it as YYYY-MM-DD, such as 2025-12-25",
        ),
    ],
)
def test_project_faults_read_as_written(old, new, message):
    text = edit(PROJECT, old, new, 1)
    assert new.split("\n")[0] in text
    assert project_errors(text) == [message]


def test_an_unknown_field_of_a_criterion_in_a_task_names_the_criterion_fields():
    text = (
        PHASE
        + "    criteria:\n      - {text: Works, metric: bugs, target: '< 5'}\n      - {text: Fast, targt: '< 5'}\n"
    )
    errors = phase_errors(text)
    assert errors[-1] == "tasks[0].criteria[1].targt: unknown field 'targt'; did you mean 'target'?"


def test_a_number_in_a_json_text_field_is_quoted_as_written():
    assert snapshot_errors('{"timestamp": "2025-01-06T09:00:00Z", "note": 12}') == [
        'note: expected text, got the number 12; quote it: "12"'
    ]


def test_a_missing_field_of_a_list_item_is_blamed_on_the_field():
    assert phase_errors(edit(PHASE, "    slug: alpha\n", "")) == ["tasks[0].slug: required field is missing; add it"]


def test_close_matches_gives_the_one_closest():
    from phasedocs.input.messages import close_matches

    assert close_matches("hour", ["hours", "hour1", "houses", "start"]) == ["hours"]
    assert close_matches("zzz", ["hours"]) == []
