"""phasedocs import: hand-written phase packages in three shapes become projects that validate."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from conftest import tree
from phasedocs.cli import main
from phasedocs.commands.importer import import_package
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from phasedocs.input.targets import parse_target
from phasedocs.porting.reconcile import dependencies, target_text
from phasedocs.porting.scan import durations

HERE = Path(__file__).parent
SHARED = HERE.parent.parent / "shared"
RIPTIDE = SHARED / "reference" / "riptide-phase7"
EVENTMESH = SHARED / "examples" / "eventmesh"
MISSION = HERE / "data" / "import" / "mission"
SPRINT = HERE / "data" / "import" / "sprint"

needs_shared = pytest.mark.skipif(not RIPTIDE.is_dir(), reason="../shared/reference is not beside this checkout")


def imported(source: Path, out: Path) -> tuple[dict, dict]:
    """Import ``source`` into ``out``; return the phase and project as written."""
    import_package(source, out)
    phase_file = next((out / "phases").glob("phase-*/phase.yaml"))
    return yaml.safe_load(phase_file.read_text()), yaml.safe_load((out / "phases/project.yaml").read_text())


@needs_shared
def test_riptide_imports_to_the_facts_of_the_eventmesh_example(tmp_path):
    phase, project = imported(RIPTIDE, tmp_path / "out")
    ours = compute(load_project(tmp_path / "out")).phases[0]
    theirs = compute(load_project(EVENTMESH)).phases[0]
    assert phase["number"] == 7 and phase["title"] == "Quality & Infrastructure" and phase["after_phase"] == 6
    assert phase["created"] == phase["start"] == "2025-10-23T08:00:00Z"
    # the schedule: tasks, roles, durations, dependencies, total, chains and slack
    assert [(t.id, t.role, t.duration_days, t.depends_on) for t in ours.phase.tasks] == [
        (t.id, t.role, t.duration_days, t.depends_on) for t in theirs.phase.tasks
    ]
    assert ours.schedule.total_days == theirs.schedule.total_days == 2.4
    assert ours.schedule.critical_chains == theirs.schedule.critical_chains == (("7.1",), ("7.2",))
    assert [t.slack for t in ours.tasks] == [t.slack for t in theirs.tasks]
    # every measured criterion of the example is there with the same target
    measured = {(t["id"], c["target"]) for t in phase["tasks"] for c in t.get("criteria", []) if "target" in c}
    assert measured == {
        ("7.1", "-40%..-25%"),
        ("7.1", "-60%..-40%"),
        ("7.2", ">= 93"),
        ("7.3", "< 20"),
        ("7.4", "== 2.0.0"),
    }
    assert project["metrics"]["build_time_clean"] == {
        "label": "Build Time (clean)",
        "unit": "seconds",
        "better": "lower",
        "source": "Task 7.1 will measure",
    }


@needs_shared
def test_the_riptide_report_names_the_hand_written_total_against_the_computed_one(tmp_path):
    _, report = import_package(RIPTIDE, tmp_path / "out")
    assert (tmp_path / "out" / "IMPORT-REPORT.md").read_text() == report
    assert "**2.4 days**, from 2025-10-23 08:00 to 2025-10-25 17:36 UTC, critical chains: 7.1; 7.2." in report
    assert "- README.md:161 says ~3.4 days: 3.4 days, **1 day more**." in report
    assert "- COORDINATOR-HANDOFF.md:131 gives the finish as 2025-10-26: **differs**: computed 2025-10-25." in report
    # two sources, two titles: each named, with the choice and why
    assert (
        "| 7.1 title | Build Infrastructure Optimization | the task's own file states it | Build Infrastructure "
        "(COORDINATION-DASHBOARD.md:24, PHASE7-COORDINATION-SUMMARY.md:46, README.md:77); "
        "Build Infrastructure Optimization (task-7.1-build-infra.md:1) |"
    ) in report
    assert "| phase start | 2025-10-23T08:00:00Z | the earliest stated |" in report
    # the target it cannot say, and the boxes ticked before any work
    assert "README.md:109: Dead Code (LOC) target '-500' cannot be said in phasedocs' syntax; not imported" in report
    assert "3 criteria were ticked in the hand-written documents before any work was recorded" in report
    snapshot = json.loads(next((tmp_path / "out").glob("phases/phase-07/metrics/*-baseline.json")).read_text())
    assert snapshot["checks"] == {
        "all-tests-passing-626-630": True,
        "documentation-complete": True,
        "phase-7-completion-report-created": True,
    }
    assert snapshot["note"].endswith("ticked: phase-7-completion-report-created (COORDINATOR-HANDOFF.md:181)")
    assert snapshot["metrics"]["test_pass_rate"] == "626/630" and snapshot["metrics"]["total_loc"] is None
    # what it could not read is listed, and the documents are kept
    assert "- COORDINATION-DASHBOARD.md:202 File Collision Risk: LOW: 4 lines" in report
    assert sorted(p.name for p in (tmp_path / "out" / "imported").iterdir()) == sorted(
        p.name for p in RIPTIDE.iterdir()
    )


@needs_shared
def test_import_gives_the_same_bytes_twice_and_writes_only_a_new_folder(tmp_path, runner):
    import_package(RIPTIDE, tmp_path / "a")
    import_package(RIPTIDE, tmp_path / "b")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")
    (tmp_path / "c").mkdir()
    (tmp_path / "c" / "notes.md").write_text("mine")
    result = runner.invoke(main, ["import", str(RIPTIDE), "--out", str(tmp_path / "c")])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {tmp_path / 'c'}: exists and is not empty; import writes only into a new folder: choose another --out\n"
    )
    assert tree(tmp_path / "c") == {"notes.md": b"mine"}
    assert not any(p.name.startswith(".c.import") for p in tmp_path.iterdir())


def test_an_issue_per_task_mission_with_streams_and_weeks(tmp_path):
    phase, project = imported(MISSION, tmp_path / "out")
    tasks = {t["id"]: t for t in phase["tasks"]}
    assert phase["title"] == "Payments Hardening" and list(tasks) == ["3", "4", "5", "6", "7", "8", "9"]
    assert {i: t["depends_on"] for i, t in tasks.items()} == {
        "3": [],
        "4": ["3"],
        "5": [],
        "6": ["5"],
        "7": [],
        "8": ["3", "4", "5", "6", "7"],  # "all previous tasks"
        "9": ["8"],
    }
    assert tasks["3"]["duration_days"] == 7  # a week of the calendar
    assert (tasks["4"]["duration_days"], tasks["4"]["estimate"]) == (2.5, {"low": 2.0, "high": 3.0})
    assert tasks["3"]["files"] == ["services/vault/client.py", "services/vault/config.yaml"]  # made relative
    assert tasks["5"]["criteria"] == [
        {"text": "p95 latency under 300 ms at peak load", "metric": "p95_latency_ms", "target": "< 300"}
    ]
    assert tasks["6"]["criteria"][0]["target"] == ">= 80%" and project["metrics"]["test_coverage"]["unit"] == "percent"
    assert [c["id"] for c in phase["success_criteria"]] == [
        "no-sev-1-incident-during-the-rollout",
        "runbooks-reviewed-by-on-call",
    ]
    report = (tmp_path / "out" / "IMPORT-REPORT.md").read_text()
    assert "| 9 duration | 1 day | the first statement read | 1 day (MISSION.md:78); 2 days (STATUS.md:13) |" in report
    assert "- STATUS.md:16 says 3 weeks: 21 days, **8.5 days more**." in report
    assert "MISSION.md:19 names the group 'A (Security)'" in report


def test_a_sprint_of_hours_is_told_in_hours(tmp_path):
    phase, _ = imported(SPRINT, tmp_path / "out")
    tasks = {t["id"]: t for t in phase["tasks"]}
    assert {i: round(t["duration_days"] * 24, 3) for i, t in tasks.items()} == {
        "1.1": 2,
        "1.2": 1.5,
        "1.3": 3,
        "1.4": 1.5,
        "1.5": 0.5,
    }
    assert tasks["1.5"]["depends_on"] == ["1.1", "1.2", "1.3", "1.4"]
    assert tasks["1.2"]["files"] == ["src/index/tokenize.py", "src/index/schema.py"]
    report = (tmp_path / "out" / "IMPORT-REPORT.md").read_text()
    assert "**5.5 hours**, from 2026-05-10 08:00 to 2026-05-10 13:30 UTC, critical chains: 1.1 → 1.3 → 1.5." in report
    assert "- SPRINT.md:48 says 6.5 hours: 6.5 hours, **1 hour more**." in report
    assert "SPRINT.md:40: [x] 'nDCG@10 improves on the golden queries' is measured by a metric" in report.replace(
        "\\", ""
    )


def test_the_cli_imports_and_says_what_to_do_next(tmp_path, runner):
    result = runner.invoke(main, ["import", str(MISSION), "--out", str(tmp_path / "m"), "--phase", "4"])
    assert result.exit_code == 0, result.output
    assert result.output == (
        f"imported phase 4: 7 tasks into {tmp_path / 'm'}\n"
        f"4 disagreements between the documents: read {tmp_path / 'm' / 'IMPORT-REPORT.md'}\n"
        f"next: cd {tmp_path / 'm'} && phasedocs validate && phasedocs generate\n"
    )
    assert (tmp_path / "m/phases/phase-04/phase.yaml").is_file()
    assert runner.invoke(main, ["validate", "--project", str(tmp_path / "m")]).exit_code == 0


def test_a_package_without_tasks_is_refused_and_nothing_is_written(tmp_path, runner):
    (tmp_path / "pkg").mkdir()
    (tmp_path / "pkg" / "notes.md").write_text("# Notes\n\nNothing here.\n")
    result = runner.invoke(main, ["import", str(tmp_path / "pkg"), "--out", str(tmp_path / "out")])
    assert result.exit_code == 1
    assert "no task found; phasedocs import reads 'Task 1.2: Title' or 'Issue #8: Title' headings" in result.output
    assert not (tmp_path / "out").exists()


def test_hostile_text_stays_data_and_links_are_not_followed(tmp_path):
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "PLAN.md").write_text(
        "# Phase 2: Build\n\n## Task 2.1: Parser <script>alert(1)</script> $(touch PWNED)\n\n"
        "- **Agent:** dev\n- **Duration:** 1 day\n- **Files:** `../../etc/passwd`\n"
    )
    (tmp_path / "secret.md").write_text("## Task 9.9: Secret\n")
    os.symlink(tmp_path / "secret.md", pkg / "link.md")
    phase, _ = imported(pkg, tmp_path / "out")
    assert [t["id"] for t in phase["tasks"]] == ["2.1"]  # the link out of the package is not read
    assert phase["tasks"][0]["title"] == "Parser <script>alert(1)</script> $(touch PWNED)"
    report = (tmp_path / "out" / "IMPORT-REPORT.md").read_text()
    assert "<script>" not in report
    assert not (tmp_path / "out" / "imported" / "link.md").exists()
    assert not list(tmp_path.rglob("PWNED"))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2.4 days", [(2.4, None, None)]),
        ("~3 hours", [(0.125, None, None)]),
        ("90 min", [(0.0625, None, None)]),
        ("2-3 days", [(2.5, 2.0, 3.0)]),
        ("1 to 2 weeks", [(10.5, 7.0, 14.0)]),
        ("2.4 days (parallel) + 1 day", [(2.4, None, None), (1.0, None, None)]),
        ("10GB cap", []),
    ],
)
def test_durations_in_words(text, expected):
    assert [(d.days, d.low, d.high) for d in durations(text)] == expected


@pytest.mark.parametrize(
    ("written", "baseline", "expected"),
    [
        ("-25 to -40%", None, "-40%..-25%"),
        ("+10 to +20%", None, "+10%..+20%"),
        ("<20", 12, "< 20"),
        ("≥ 95", None, ">= 95"),
        ("93", 0, ">= 93"),
        ("0", 7, "<= 0"),
        ("2.0.0", None, "== 2.0.0"),
        ("626/630", None, ">= 626/630"),
        ("-15%", None, "<= -15%"),
        ("-500", None, None),
        ("better", None, None),
    ],
)
def test_targets_in_phasedocs_syntax(written, baseline, expected):
    assert target_text(written, baseline) == expected


@given(st.text(max_size=40), st.one_of(st.none(), st.integers(-10, 10)))
def test_every_target_written_parses(written, baseline):
    target = target_text(written, baseline)
    if target is not None and not target.startswith("=="):
        parse_target(
            target, "percent" if target.endswith("%") and not target.lstrip("<>= ").startswith(("+", "-")) else None
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("None (can run in parallel)", ((), None, [])),
        ("Phase 6 complete", ((), 6, [])),
        ("Task 7.3 COMPLETE (code quality)", (("7.3",), None, [])),
        ("#3, #5", (("3", "5"), None, [])),
        ("all previous tasks", (("3", "5", "7.3"), None, [])),
        ("all Phase 7 tasks", (("7.3",), None, [])),
        ("#12", ((), None, ["12"])),
    ],
)
def test_dependencies_in_words(text, expected):
    order = ["3", "5", "7.3", "8"]
    assert dependencies(text, "8", order) == expected
