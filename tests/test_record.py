"""phasedocs record: typed values, refusals that write nothing, names that never collide."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from conftest import REPO, minimal
from phasedocs.cli import main
from phasedocs.commands.record import build_snapshot, parse_value
from phasedocs.input.project import load_project
from support import alpha, beta, criterion, edit, phase_yaml, project_yaml, snapshot

CHECKED = phase_yaml(
    [alpha(criteria=[criterion("Reviewed", id="reviewed"), criterion("Few warnings", "warnings", "< 10")]), beta()]
)


def metrics_dir(root: Path) -> Path:
    return root / "phases/phase-01/metrics"


def test_record_writes_one_typed_snapshot(project, runner):
    root = project(minimal(**{"phases/phase-01/phase.yaml": CHECKED}))
    result = runner.invoke(
        main,
        [
            "record",
            "1",
            "--project",
            str(root),
            "--metric",
            "warnings=7",
            "--metric",
            "pass_rate=626/630",
            "--metric",
            "build_time=12.5",
            "--metric",
            "version=2.0.0",
            "--task",
            "1.1=complete",
            "--check",
            "reviewed=true",
            "--at",
            "2025-01-07T10:00:00+01:00",
            "--label",
            "Day 2",
        ],
    )
    assert result.exit_code == 0, result.output
    path = metrics_dir(root) / "2025-01-07T09-00-00Z-progress.json"
    assert result.output == f"recorded {path}\n"
    assert json.loads(path.read_text()) == {
        "timestamp": "2025-01-07T09:00:00Z",  # shown in the project's zone (UTC)
        "label": "Day 2",
        "metrics": {"warnings": 7, "pass_rate": "626/630", "build_time": 12.5, "version": "2.0.0"},
        "tasks": {"1.1": "complete"},
        "checks": {"reviewed": True},
    }
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 0


def test_refused_record_names_every_problem_and_writes_nothing(project, runner):
    root = project(minimal(**{"phases/phase-01/phase.yaml": CHECKED}))
    result = runner.invoke(
        main,
        [
            "record",
            "1",
            "--project",
            str(root),
            "--metric",
            "warnings=many",
            "--metric",
            "warnigns=3",
            "--metric",
            "pass_rate=1/0",
            "--metric",
            "novalue",
            "--task",
            "1.9=complete",
            "--task",
            "1.1=done",
            "--check",
            "reviewed=maybe",
            "--at",
            "soon",
        ],
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: nothing recorded:\n"
        "  --metric novalue: write --metric KEY=VALUE\n"
        "  --metric warnings=many: expected a number (count) or null, got 'many'\n"
        "  --metric warnigns=3: unknown metric 'warnigns'; did you mean 'warnings'?\n"
        "  --metric pass_rate=1/0: '1/0' divides by zero\n"
        "  --task 1.9=complete: unknown task '1.9' (known: 1.1, 1.2)\n"
        "  --task 1.1=done: unknown state 'done'; use one of pending, in_progress, complete, blocked\n"
        "  --check reviewed=maybe: write true or false, not 'maybe'\n"
        "  --at soon: not a date-time; write ISO 8601 such as 2025-10-24T16:00:00Z\n"
    )
    assert not metrics_dir(root).exists()


def test_a_second_baseline_is_refused(project, runner):
    root = project(
        minimal(**{"phases/phase-01/metrics/a.json": '{"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline"}'})
    )
    result = runner.invoke(
        main, ["record", "1", "--project", str(root), "--kind", "baseline", "--at", "2025-01-07T09:00:00Z"]
    )
    assert result.exit_code == 1
    assert result.output == (
        "Error: nothing recorded:\n  --kind baseline: the phase has a baseline already (phases/phase-01/metrics/a.json); record this one as progress\n"
    )
    assert sorted(p.name for p in metrics_dir(root).iterdir()) == ["a.json"]


def test_record_into_an_invalid_project_is_refused(project, runner):
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase_yaml([alpha(duration_days=0), beta()])}))
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--metric", "warnings=1"])
    assert result.exit_code == 1
    assert result.output.startswith("phases/phase-01/phase.yaml:10:20: tasks[0].duration_days:")
    assert not metrics_dir(root).exists()


def test_unknown_phase(project, runner):
    result = runner.invoke(main, ["record", "3", "--project", str(project(minimal())), "--metric", "warnings=1"])
    assert (result.exit_code, result.output) == (1, "Error: no phase 3 in this project (phases: 1)\n")


def test_from_json_merges_with_flags_which_win(project, runner, tmp_path):
    root = project(minimal())
    ci = tmp_path / "ci.json"
    ci.write_text('{"warnings": 40, "build_time": 99}')  # a flat CI output
    result = runner.invoke(
        main,
        [
            "record",
            "1",
            "--project",
            str(root),
            "--from-json",
            str(ci),
            "--metric",
            "warnings=3",
            "--at",
            "2025-01-07T09:00:00Z",
        ],
    )
    assert result.exit_code == 0, result.output
    data = json.loads((metrics_dir(root) / "2025-01-07T09-00-00Z-progress.json").read_text())
    assert data["metrics"] == {"warnings": 3, "build_time": 99}


def test_from_json_errors_name_the_file(project, runner, tmp_path):
    ci = tmp_path / "ci.json"
    ci.write_text('{"warnings": NaN}')
    result = runner.invoke(main, ["record", "1", "--project", str(project(minimal())), "--from-json", str(ci)])
    assert (result.exit_code, result.output) == (
        1,
        f"{ci}:1:14: NaN is not a number JSON allows; write a number or null\n",
    )


def test_a_record_dated_before_the_latest_snapshot_is_kept_with_a_warning(project, runner):
    # a record dated ahead (or a clock behind): the one stamped now sorts before it
    ahead = snapshot("2199-01-05T09:00:00Z", metrics={"warnings": 3})
    root = project(minimal(**{"phases/phase-01/metrics/ahead.json": ahead}))
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--metric", "warnings=5"])
    assert result.exit_code == 0, result.output
    (path,) = [p for p in metrics_dir(root).iterdir() if p.name != "ahead.json"]
    stamp = json.loads(path.read_text())["timestamp"]
    assert result.stdout == f"recorded {path}\n"
    assert result.stderr == (
        f"warning: this snapshot is dated {stamp}, before the phase's latest (2199-01-05T09:00:00Z, ahead.json): "
        "where a later snapshot sets the same metric, task or check, the documents show the later value. "
        f"If this one is the newest, delete {path} and record it again with --at later than 2199-01-05T09:00:00Z\n"
    )
    # dated on purpose with --at (a value measured earlier): no warning
    result = runner.invoke(
        main, ["record", "1", "--project", str(root), "--metric", "warnings=6", "--at", "2025-01-07T09:00:00Z"]
    )
    assert (result.exit_code, result.stderr) == (0, "")


def test_an_at_without_a_zone_is_in_the_project_zone_and_help_says_so(project, runner):
    root = project(minimal(**{"phases/project.yaml": project_yaml(timezone="Asia/Tokyo")}))
    result = runner.invoke(
        main, ["record", "1", "--project", str(root), "--metric", "warnings=5", "--at", "2025-01-07T10:00"]
    )
    assert result.exit_code == 0, result.output
    (path,) = metrics_dir(root).iterdir()
    assert json.loads(path.read_text())["timestamp"] == "2025-01-07T10:00:00+09:00"
    for command in ("record", "measure"):
        (at,) = [p for p in main.commands[command].params if p.name == "at"]
        assert at.help == (
            "When the values were measured, ISO 8601 (2025-10-24T16:00:00Z); a time without a zone "
            "(2025-10-24T16:00) is read in the project's timezone [default: now]."
        )


def test_default_time_is_now_in_the_project_zone(project):
    root = project(
        minimal(
            **{
                "phases/project.yaml": edit(
                    (REPO / "tests/conftest.py").read_text().split('PROJECT_YAML = """\\\n')[1].split('"""')[0],
                    "timezone: UTC",
                    "timezone: Asia/Tokyo",
                )
            }
        )
    )
    p = load_project(root)
    snap = build_snapshot(p, p.phases[0], metrics=("warnings=1",), now=datetime(2025, 1, 7, 1, 2, 3, 456, tzinfo=UTC))
    assert snap["timestamp"] == "2025-01-07T10:02:03+09:00"


@pytest.mark.parametrize(
    ("unit", "text", "value"),
    [
        ("count", "12", 12),
        ("count", "-3", -3),
        ("seconds", "1.5", 1.5),
        ("count", "null", None),
        ("ratio", "626/630", "626/630"),
        ("ratio", " 1 / 2 ", "1/2"),
        ("ratio", "0.99", 0.99),
        ("text", "2.0.0", "2.0.0"),
    ],
)
def test_parse_value(unit, text, value):
    assert parse_value(unit, text) == value


@pytest.mark.scale
def test_concurrent_records_in_the_same_second_all_land(project):
    root = project(minimal())
    cmd = [sys.executable, "-m", "phasedocs", "record", "1", "--project", str(root), "--at", "2025-01-07T09:00:00Z"]
    procs = [
        subprocess.Popen([*cmd, "--metric", f"warnings={i}"], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for i in range(8)
    ]
    outs = [p.communicate(timeout=120) for p in procs]
    assert [p.returncode for p in procs] == [0] * 8, outs
    names = sorted(p.name for p in metrics_dir(root).iterdir())
    assert names == ["2025-01-07T09-00-00Z-progress.json"] + [
        f"2025-01-07T09-00-00Z-progress~{n}.json" for n in range(2, 9)
    ]
    values = sorted(json.loads((metrics_dir(root) / n).read_text())["metrics"]["warnings"] for n in names)
    assert values == list(range(8))  # nothing lost, nothing overwritten
    assert load_project(root).phases[0].snapshots[-1].file.endswith("~8.json")  # sorts after the others


def test_record_questions_values_that_look_like_a_slip_of_unit(project, runner):
    from conftest import minimal

    catalogue = project_yaml(extra_metrics={"coverage": {"label": "Coverage", "unit": "percent"}})
    root = project(minimal(**{"phases/project.yaml": catalogue}))
    args = ["record", "1", "--project", str(root)]
    result = runner.invoke(main, [*args, "--metric", "pass_rate=95", "--at", "2025-01-06T10:00:00Z"])
    assert result.exit_code == 1
    assert result.output == (
        "Error: nothing recorded:\n"
        "  pass_rate=95: above 1, but a ratio is a fraction (0.95, or 95/100); if the metric is a percentage, "
        "give it unit: percent. Record it anyway with --accept\n"
    )
    assert runner.invoke(main, [*args, "--metric", "pass_rate=95/100", "--at", "2025-01-06T10:00:00Z"]).exit_code == 0
    assert runner.invoke(main, [*args, "--metric", "coverage=93.2", "--at", "2025-01-06T11:00:00Z"]).exit_code == 0
    result = runner.invoke(main, [*args, "--metric", "coverage=0.95", "--at", "2025-01-06T12:00:00Z"])
    assert result.exit_code == 1
    assert (
        "  coverage=0.95: a percent below 1, where earlier values were above 1 (last 93.2); for 95% record 95."
        in result.output
    )
    result = runner.invoke(main, [*args, "--metric", "coverage=0.95", "--at", "2025-01-06T12:00:00Z", "--accept"])
    assert result.exit_code == 0, result.output
    # after a value below 1 (0.95, accepted), a small percent is no longer a surprise
    assert runner.invoke(main, [*args, "--metric", "coverage=0.5", "--at", "2025-01-06T13:00:00Z"]).exit_code == 0


def test_an_impossible_at_says_why(project, runner):
    root = project(minimal())
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--at", "2026-02-29T09:00:00Z"])
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: nothing recorded:\n  --at 2026-02-29T09:00:00Z is not a date (February 2026 has 28 days)\n"
    )
