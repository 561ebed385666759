"""Computed facts, each number checked against a hand calculation."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from conftest import PROJECT_YAML, minimal
from phasedocs.cli import main
from phasedocs.dates import Calendar
from phasedocs.facts import collisions, compute
from phasedocs.input.models import Task
from phasedocs.input.project import load_project
from support import SNAPSHOTS, criterion, facts_of, files, metric, phase_yaml, project_yaml, snapshot, task

UTC_ZONE = ZoneInfo("UTC")


def test_example_schedule(project):
    _, fm = facts_of(project, {}, example=True)
    m = fm[7]
    # 7.1 and 7.2 take 2.4 days in parallel; 7.3 (1.2) then 7.4 (1.0) take 2.2: 0.2 of slack
    assert m["schedule"] == {
        "start": "2025-10-23T08:00:00Z",
        "total_days": 2.4,
        "finish": "2025-10-25T17:36:00Z",  # 08:00 + 2.4 x 24 h = 57.6 h later
        "forecast_finish": "2025-10-25T17:36:00Z",  # no progress recorded: the plan
        "critical_path": ["7.1", "7.2"],
        # two independent critical tasks: two chains, never the sequence 7.1 -> 7.2
        "critical_chains": [["7.1"], ["7.2"]],
        "actual_start": None,
        "actual_finish": None,
        "variance_days": None,
        # no plan frozen: phase.yaml's schedule is the plan
        "plan": {"frozen": False, "finish": "2025-10-25T17:36:00Z", "replans": 0, "versions": []},
        # no estimates, no finished task: no spread, one run is the answer
        "forecast": {
            "p50": "2025-10-25T17:36:00Z",
            "p85": "2025-10-25T17:36:00Z",
            "p95": "2025-10-25T17:36:00Z",
            "runs": 1,
            "seed": 0,
            "spread": "none",
        },
        "gauge": {"state": "on_schedule", "days": 0, "task": "7.1", "phase_days": 0},
        "stale_days": None,
    }
    # 7.1 and 7.2 decide the finish in the one run; 7.3 and 7.4 have slack
    assert [t["criticality"] for t in m["tasks"]] == [1, 1, 0, 0]
    assert [(t["id"], t["slack_days"], t["critical"], t["state"]) for t in m["tasks"]] == [
        ("7.1", 0, True, "ready"),
        ("7.2", 0, True, "ready"),
        ("7.3", 0.2, False, "ready"),
        ("7.4", 0.2, False, "waiting"),  # waits for 7.3
    ]
    assert m["state"] == "planned"
    assert m["progress"] == {"tasks_complete": 0, "tasks_total": 4, "percent": 0}
    assert m["collisions"] == []
    assert m["metrics"]["test_pass_rate"] == {
        "baseline": 0.9937,
        "current": 0.9937,
        "change_pct": 0,
        "change_from": "baseline",
    }
    # at baseline nothing is settled, nothing has started: no "missed", no progress
    assert {c["state"] for c in m["criteria"]} <= {"pending", "on_track", "off_track"}
    assert [t["progress_percent"] for t in m["tasks"]] == [0, 0, 0, 0]


def test_diamond(project):
    tasks = [task("1", 1), task("2", 2, ("1",)), task("3", 1, ("1",)), task("4", 1, ("2", "3"))]
    _, fm = facts_of(project, {"phases/project.yaml": PROJECT_YAML, "phases/phase-01/phase.yaml": phase_yaml(tasks)})
    m = fm[1]
    # 1: 0-1; 2: 1-3; 3: 1-2 (slack 1); 4: 3-4. Total 4, critical 1 -> 2 -> 4
    assert m["schedule"]["total_days"] == 4
    assert m["schedule"]["critical_path"] == ["1", "2", "4"]
    assert [(t["earliest_start_days"], t["earliest_finish_days"], t["slack_days"]) for t in m["tasks"]] == [
        (0, 1, 0),
        (1, 3, 0),
        (1, 2, 1),
        (3, 4, 0),
    ]
    assert m["schedule"]["finish"] == "2025-01-10T09:00:00Z"  # Monday 09:00 + 4 days


def test_workdays_skip_the_weekend(project):
    proj = project_yaml(calendar="workdays")
    tasks = [task("1", 1), task("2", 1.5, ("1",))]
    # Friday 09:00: 15 h (0.625 d) left on Friday, the rest (0.375 d = 09:00) on Monday
    _, fm = facts_of(
        project,
        {"phases/project.yaml": proj, "phases/phase-01/phase.yaml": phase_yaml(tasks, start="2025-01-03T09:00:00Z")},
    )
    assert fm[1]["schedule"]["total_days"] == 2.5
    # 2.5 working days from Friday 09:00: Fri 0.625 + Mon 1 + Tue 0.875 (21:00)
    assert fm[1]["schedule"]["finish"] == "2025-01-07T21:00:00Z"


def test_calendar_helpers():
    friday = datetime(2025, 1, 3, 9, tzinfo=UTC)
    workdays, calendar = Calendar(UTC_ZONE, workdays=True), Calendar(UTC_ZONE)
    assert workdays.add(friday, 1) == datetime(2025, 1, 6, 9, tzinfo=UTC)
    assert calendar.add(friday, 1) == datetime(2025, 1, 4, 9, tzinfo=UTC)
    saturday = datetime(2025, 1, 4, 12, tzinfo=UTC)  # a start on the weekend begins Monday 00:00
    assert workdays.add(saturday, 0.5) == datetime(2025, 1, 6, 12, tzinfo=UTC)
    assert workdays.elapsed(friday, datetime(2025, 1, 6, 9, tzinfo=UTC)) == 1.0
    assert calendar.elapsed(friday, datetime(2025, 1, 6, 9, tzinfo=UTC)) == 3.0


def test_partial_progress_and_forecast(project):
    tasks = [task("1", 2), task("2", 1, ("1",)), task("3", 1)]
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml(tasks),
        "phases/phase-01/metrics/a.json": snapshot("2025-01-06T09:00:00Z", "baseline"),
        # task 1 finished a day late (3 days after start); 3 started on day 0.5 and is running
        "phases/phase-01/metrics/b.json": snapshot("2025-01-06T21:00:00Z", tasks={"3": "in_progress"}),
        "phases/phase-01/metrics/c.json": snapshot("2025-01-09T09:00:00Z", tasks={"1": "complete", "3": "blocked"}),
    }
    _, fm = facts_of(project, files)
    m = fm[1]
    assert m["state"] == "active"  # 3 is blocked, but 2 can start: the phase can move
    assert m["progress"] == {"tasks_complete": 1, "tasks_total": 3, "percent": 33.3}
    assert [t["state"] for t in m["tasks"]] == ["complete", "ready", "blocked"]  # 2's dependency is complete
    assert m["updated"] == "2025-01-09T09:00:00Z"
    # plan: 3 days (Thursday 09:00). Forecast at day 3: task 1 done at day 3; task 2 from 3 to 4;
    # task 3 worked 2.5 days of its 1 before it was blocked: a quarter of it again from now
    # (3 to 3.25), not its whole duration; the phase finishes with task 2, day 4
    assert m["schedule"]["finish"] == "2025-01-09T09:00:00Z"
    assert m["schedule"]["forecast_finish"] == "2025-01-10T09:00:00Z"


def crit(metric: str, target: str) -> list[dict]:
    return [criterion(f"{metric} {target}", metric, target)]


def test_relative_target_with_late_baseline_and_exceeded_range(project):
    tasks = [task("1", 1, criteria=crit("build_time", "-40%..-25%")), task("2", 1, criteria=crit("warnings", "0..10"))]
    files = {
        "phases/project.yaml": project_yaml(extra_metrics=metric("warnings", better="higher")),
        "phases/phase-01/phase.yaml": phase_yaml(tasks),
        "phases/phase-01/metrics/a.json": snapshot(
            "2025-01-06T09:00:00Z", "baseline", {"build_time": None, "warnings": 5}
        ),
        "phases/phase-01/metrics/b.json": snapshot("2025-01-07T09:00:00Z", metrics={"build_time": 200}),
        "phases/phase-01/metrics/c.json": snapshot("2025-01-08T09:00:00Z", metrics={"build_time": 100, "warnings": 12}),
    }
    _, fm = facts_of(project, files)
    c1, c2 = fm[1]["criteria"]
    # baseline null in the baseline snapshot: it stays TBD, and the change is measured from the
    # first value (200), which says so; the work is not done, so the verdict is "so far"
    assert (c1["baseline"], c1["value"], c1["change_pct"], c1["state"]) == (None, 100, -50, "on_track")
    assert fm[1]["metrics"]["build_time"]["change_from"] == "first value"
    # 12 is above the range 0..10 on the better (higher) side
    assert (c2["baseline"], c2["value"], c2["change_pct"], c2["state"]) == (5, 12, 140, "on_track")
    files["phases/phase-01/metrics/d.json"] = snapshot("2025-01-09T09:00:00Z", tasks={"1": "complete", "2": "complete"})
    _, fm = facts_of(project, files)
    assert [(c["state"], c["settled"]) for c in fm[1]["criteria"]] == [("exceeded", True), ("exceeded", True)]


def test_relative_target_is_pending_without_any_baseline(project):
    tasks = [task("1", 1, criteria=crit("build_time", "-40%..-25%"))]
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml(tasks),
        "phases/phase-01/metrics/a.json": snapshot("2025-01-06T09:00:00Z", "baseline", {"build_time": None}),
    }
    _, fm = facts_of(project, files)
    assert fm[1]["criteria"][0]["state"] == "pending"
    assert fm[1]["metrics"]["build_time"] == {
        "baseline": None,
        "current": None,
        "change_pct": None,
        "change_from": "baseline",  # nothing measured at all: no first value to measure from
    }


def test_complete_phase_with_a_regression_tells_the_truth(project):
    tasks = [task("1", 1, criteria=crit("warnings", "< 20"))]
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml(tasks),
        "phases/phase-01/metrics/a.json": snapshot("2025-01-06T09:00:00Z", "baseline", {"warnings": 12}),
        "phases/phase-01/metrics/b.json": snapshot(
            "2025-01-07T09:00:00Z", "final", {"warnings": 34}, {"1": "complete"}
        ),
    }
    f, fm = facts_of(project, files)
    assert fm[1]["state"] == "complete"
    assert fm[1]["criteria"][0] | {} == {
        "scope": "1",
        "text": "warnings < 20",
        "metric": "warnings",
        "target": "< 20",
        "baseline": 12,
        "value": 34,
        "change_pct": 183.33,
        "state": "missed",
        "id": None,
        "settled": True,
    }
    metric = f.phases[0].metrics[0]
    assert (metric.trend, metric.improving) == ("up", False)


def test_hand_checked_criteria_follow_the_latest_snapshot(project):
    tasks = [
        task(
            "1",
            1,
            criteria=[criterion("Docs", id="docs"), criterion("Tests", id="tests"), criterion("Other", id="other")],
        )
    ]
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml(tasks),
        "phases/phase-01/metrics/a.json": snapshot("2025-01-06T09:00:00Z", checks={"docs": False, "tests": True}),
        "phases/phase-01/metrics/b.json": snapshot("2025-01-07T09:00:00Z", checks={"docs": True}),
    }
    _, fm = facts_of(project, files)
    assert [(c["id"], c["value"], c["state"]) for c in fm[1]["criteria"]] == [
        ("docs", True, "met"),
        ("tests", True, "met"),
        ("other", None, "pending"),
    ]


def _t(tid: str, deps=(), files=()) -> Task:
    return Task(id=tid, slug=f"s{tid}", title=tid, role="r", duration_days=1, depends_on=list(deps), files=list(files))


def test_collisions_only_between_tasks_that_can_overlap():
    tasks = [
        _t("A", files=["db/schema.sql", "src/api"]),
        _t("B", files=["db/schema.sql"]),
        _t("C", deps=["A"], files=["db/schema.sql"]),  # after A: no risk with A
        _t("D", files=["src/api/routes.py", "README.md"]),  # under A's folder
        _t("E", deps=["C"], files=["src/api/"]),  # reaches A through C; overlaps D and B
    ]
    found = collisions(tasks)
    # by file: each shared path once, with every task that may run beside another of its tasks
    assert [(c.file, c.tasks, c.paths) for c in found.groups] == [
        ("db/schema.sql", ("A", "B", "C"), ("db/schema.sql",)),  # A-B and B-C; not A-C
        ("src/api", ("A", "D", "E"), ("src/api", "src/api/routes.py")),  # A-D and D-E; E follows A
    ]
    shares = {tid: [(s.path, s.partners, s.count) for s in found.shares[tid]] for tid in found.shares}
    assert shares == {
        "A": [("db/schema.sql", ("B",), 1), ("src/api", ("D",), 1)],
        "B": [("db/schema.sql", ("A", "C"), 2)],
        "C": [("db/schema.sql", ("B",), 1)],
        "D": [("src/api/routes.py", ("A", "E"), 2)],
        "E": [("src/api", ("D",), 1)],
    }


def test_final_metrics_bytes_are_stable(project, runner):
    from phasedocs.cli import main

    root = project(example=True)
    runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "a")])
    runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "b")])
    a = (root / "a/phase-07/final-metrics.json").read_bytes()
    assert a == (root / "b/phase-07/final-metrics.json").read_bytes()
    assert list(json.loads(a)) == [
        "phase",
        "title",
        "state",
        "updated",
        "progress",
        "schedule",
        "tasks",
        "criteria",
        "metrics",
        "collisions",
        "verify",
    ]


def test_the_baseline_is_the_baseline_snapshot_even_when_it_is_not_the_first(project):
    tasks = [task("1", 2, criteria=crit("warnings", "< 10"))]
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml(tasks),
        "phases/phase-01/metrics/a.json": snapshot("2025-01-06T09:00:00Z", metrics={"warnings": 50}),
        "phases/phase-01/metrics/b.json": snapshot("2025-01-06T10:00:00Z", "baseline", {"warnings": 40}),
        "phases/phase-01/metrics/c.json": snapshot("2025-01-07T09:00:00Z", metrics={"warnings": 20}),
    }
    _, fm = facts_of(project, files)
    assert fm[1]["metrics"]["warnings"] == {
        "baseline": 40,
        "current": 20,
        "change_pct": -50,
        "change_from": "baseline",
    }


def test_the_trend_compares_the_last_value_with_the_one_before(project):
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml([task("1", 2)]),
        "phases/phase-01/metrics/a.json": snapshot("2025-01-06T09:00:00Z", "baseline", {"warnings": 10}),
        "phases/phase-01/metrics/b.json": snapshot("2025-01-07T09:00:00Z", metrics={"warnings": 20}),
        "phases/phase-01/metrics/c.json": snapshot("2025-01-08T09:00:00Z", metrics={"warnings": 15}),
    }
    f, _ = facts_of(project, files)
    m = f.phases[0].metrics[0]
    # 20 -> 15 is down (better, as fewer warnings are better), although 15 is above the first value
    assert (m.trend, m.improving) == ("down", True)


def test_an_exceeded_criterion_counts_as_passed(project):
    tasks = [task("1", 1, criteria=crit("warnings", "0..10"))]
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml(tasks),
        "phases/phase-01/metrics/a.json": snapshot("2025-01-06T09:00:00Z", "baseline", {"warnings": -1}),
        "phases/phase-01/metrics/b.json": snapshot("2025-01-07T09:00:00Z", tasks={"1": "complete"}),
    }
    f, _ = facts_of(project, files)
    c = f.phases[0].criteria[0]
    assert (c.state, c.passed, c.settled) == ("exceeded", True, True)  # below 0..10, lower is better


def test_a_dependency_in_progress_still_makes_its_dependents_wait(project):
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml([task("1", 1), task("2", 1, depends_on=("1",))]),
        "phases/phase-01/metrics/a.json": snapshot("2025-01-06T09:00:00Z", tasks={"1": "in_progress"}),
    }
    f, _ = facts_of(project, files)
    t2 = f.phases[0].task("2")
    assert (t2.state, t2.waiting_for) == ("waiting", ("1",))


def test_a_task_complete_without_an_in_progress_record_started_when_it_finished(project):
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml([task("1", 1)]),
        "phases/phase-01/metrics/a.json": snapshot("2025-01-06T21:00:00Z", tasks={"1": "complete"}),
    }
    f, _ = facts_of(project, files)
    t = f.phases[0].task("1")
    assert (t.actual_start, t.actual_finish) == (t.actual_finish, datetime(2025, 1, 6, 21, tzinfo=UTC))
    assert (t.actual_days, t.variance_days, t.progress_percent) == (0.0, -0.5, 100.0)


def test_final_metrics_dates_are_written_in_the_project_time_zone(project):
    files = minimal(**{"phases/project.yaml": project_yaml(timezone="Europe/Berlin")})
    files["phases/phase-01/phase.yaml"] = phase_yaml([task("1.1", 2)])
    _, fm = facts_of(project, files)
    schedule = fm[1]["schedule"]
    assert (schedule["start"], schedule["finish"], schedule["forecast_finish"]) == (
        "2025-01-06T10:00:00+01:00",
        "2025-01-08T10:00:00+01:00",
        "2025-01-08T10:00:00+01:00",
    )


def test_a_hand_check_recorded_again_is_a_change_from_its_state_before(project):
    criteria = [criterion("Docs", id="docs"), criterion("Tests", id="tests")]
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml([task("1", 1, criteria=criteria)]),
        # task 1 is complete at a: docs false is settled as missed, then recorded true
        "phases/phase-01/metrics/a.json": snapshot(
            "2025-01-06T09:00:00Z", tasks={"1": "complete"}, checks={"docs": False, "tests": True}
        ),
        "phases/phase-01/metrics/b.json": snapshot("2025-01-07T09:00:00Z", checks={"docs": True}),
    }
    f, _ = facts_of(project, files)
    assert [(c.kind, c.subject, c.before, c.after) for c in f.phases[0].changes] == [
        ("criterion", "1: Docs", "missed", "met")
    ]


def test_a_metric_that_holds_its_value_is_flat_and_the_first_snapshot_is_the_baseline(project):
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml([task("1", 2)]),
        # no snapshot is marked baseline: the first stands for it
        "phases/phase-01/metrics/a.json": snapshot("2025-01-06T09:00:00Z", metrics={"warnings": 12}),
        "phases/phase-01/metrics/b.json": snapshot("2025-01-07T09:00:00Z", metrics={"warnings": 12}),
    }
    f, _ = facts_of(project, files)
    (m,) = [m for m in f.phases[0].metrics if m.key == "warnings"]
    assert (m.baseline, m.current, m.trend, m.change_pct) == (12, 12, "flat", 0.0)


def test_collisions_of_a_top_level_folder_and_a_file_inside_it():
    found = collisions([_t("A", files=["docs"]), _t("B", files=["docs/index.md"])])
    assert [(c.file, c.tasks, c.paths) for c in found.groups] == [("docs", ("A", "B"), ("docs", "docs/index.md"))]


def test_collisions_come_in_task_order_and_a_task_never_collides_with_itself():
    # A holds a folder and a file inside it: its own, no collision; tasks follow the
    # task order (Z, A, M), not the ids' alphabetical order
    tasks = [_t("Z", files=["x"]), _t("A", files=["x", "src", "src/a.py"]), _t("M", files=["x"])]
    assert [(c.file, c.tasks, c.paths) for c in collisions(tasks).groups] == [("x", ("Z", "A", "M"), ("x",))]
    # the folder's owner comes second in the task order: the group still reads in task order
    found = collisions([_t("P", files=["docs/a.md"]), _t("Q", files=["docs"])])
    assert [(c.file, c.tasks) for c in found.groups] == [("docs", ("P", "Q"))]


def test_task_paths_compare_without_outer_slashes_spaces_or_backslashes():
    tasks = [_t("A", files=[" /XdocsX/ "]), _t("B", files=["XdocsX\\a.md"]), _t("C", files=["docs/a.md"])]
    assert [(c.file, c.tasks, c.paths) for c in collisions(tasks).groups] == [
        ("XdocsX", ("A", "B"), ("XdocsX", "XdocsX/a.md"))
    ]


def test_collisions_grow_with_the_tasks_not_their_pairs():
    # 2,000 tasks that may all run at once, over six shared files: six groups, each task
    # once, and each task's own list names at most PARTNERS of the others, with the count
    from phasedocs.facts.collisions import PARTNERS

    tasks = [_t(f"T{i}", files=[f"src/f{i % 6}.py"]) for i in range(2000)]
    found = collisions(tasks)
    assert [(c.file, len(c.tasks)) for c in found.groups] == [(f"src/f{i}.py", 334 if i < 2 else 333) for i in range(6)]
    assert sum(len(c.tasks) for c in found.groups) == 2000
    first = found.shares["T0"]
    assert [(s.path, s.count, len(s.partners)) for s in first] == [("src/f0.py", 333, PARTNERS)]
    assert first[0].partners[:3] == ("T6", "T12", "T18")


def test_json_outputs_refuse_what_json_cannot_hold():
    import pytest

    from phasedocs.formats import dumps

    assert dumps({"a": "é", "b": 1}) == b'{\n  "a": "\xc3\xa9",\n  "b": 1\n}\n'
    with pytest.raises(ValueError):
        dumps({"a": float("nan")})


def test_json_numbers_are_rounded_to_six_places_and_whole_ones_are_ints():
    from phasedocs.formats import num

    assert [num(0.1234567), num(2.0), num(2.5, 0), num(None), num(True)] == [0.123457, 2, 2, None, True]
    assert type(num(2.0)) is int and num(2.0**60) == 2.0**60 and type(num(2.0**60)) is float


def test_final_metrics_of_a_phase_under_way_in_another_time_zone(project):
    files = minimal(**{"phases/project.yaml": project_yaml(timezone="Europe/Berlin")})
    files["phases/phase-01/phase.yaml"] = phase_yaml(
        [task("1.1", 3, files=("src",)), task("1.2", 1, files=("src/a.py",))]
    )
    files["phases/phase-01/metrics/a.json"] = snapshot("2025-01-07T09:00:00Z", tasks={"1.1": "in_progress"})
    files["phases/phase-01/metrics/b.json"] = snapshot("2025-01-08T09:00:00Z")  # a day of 3 worked
    _, fm = facts_of(project, files)
    m = fm[1]
    assert (m["schedule"]["actual_start"], m["schedule"]["plan"]["finish"]) == (
        "2025-01-07T10:00:00+01:00",
        "2025-01-09T10:00:00+01:00",
    )
    assert [t["progress_percent"] for t in m["tasks"]] == [33.3, 0]
    assert m["collisions"] == [
        {"file": "src", "source": "declared", "tasks": ["1.1", "1.2"], "paths": ["src", "src/a.py"]}
    ]
    assert m["verify"] == []


def test_critical_chains_fork_and_join_in_task_order_and_at_most_twenty(project):
    # 1.1 forks into 1.3 and 1.2 (listed in that order), which join in 1.4; 1.5 has slack
    tasks = [task("1.1", 1), task("1.3", 1, ("1.1",)), task("1.2", 1, ("1.1",)), task("1.4", 1, ("1.2", "1.3"))]
    tasks += [task("1.5", 0.5, ("1.1",))]
    f, _ = facts_of(project, minimal(**{"phases/phase-01/phase.yaml": phase_yaml(tasks)}))
    assert f.phases[0].schedule.critical_chains == (("1.1", "1.3", "1.4"), ("1.1", "1.2", "1.4"))
    # five forks in a row, each rejoined: 2**5 = 32 chains, of which the first 20 are kept; in
    # task order, chain k takes the second branch where k's five bits are 1: the 20th is 10011
    ladder, prev = [task("1.1", 1)], ("1.1",)
    for i in range(5):
        a, b, join = f"2.{2 * i}", f"2.{2 * i + 1}", f"3.{i}"
        ladder += [task(a, 1, prev), task(b, 1, prev), task(join, 1, (a, b))]
        prev = (join,)
    f, _ = facts_of(project, minimal(**{"phases/phase-01/phase.yaml": phase_yaml(ladder)}))
    chains = f.phases[0].schedule.critical_chains
    assert (len(chains), len(set(chains)), chains[0], chains[-1]) == (
        20,
        20,
        ("1.1", "2.0", "3.0", "2.2", "3.1", "2.4", "3.2", "2.6", "3.3", "2.8", "3.4"),
        ("1.1", "2.1", "3.0", "2.2", "3.1", "2.4", "3.2", "2.7", "3.3", "2.9", "3.4"),
    )


def test_facts_place_the_documents_under_docs_unless_told(project):
    root = project(minimal())
    assert compute(load_project(root)).docs_prefix == "docs/"  # where `generate` writes by default
    assert compute(load_project(root), "site/docs/").docs_prefix == "site/docs/"


def test_the_facts_hold_no_link_back_to_the_raw_input(project, runner):
    """Render and charts read the facts only: no snapshot file, plan file or git reading is
    reachable from them (the validated definitions, phase.yaml's and project.yaml's, are)."""
    from dataclasses import fields, is_dataclass

    from phasedocs.input.evidence import EvidenceFile
    from phasedocs.input.models import Snapshot, TaskEntry
    from phasedocs.input.plan import PlanFile, PlannedTask, PlanVersion
    from phasedocs.input.project import PhaseInput, Project, SnapshotInput

    root = project(files(SNAPSHOTS))
    assert runner.invoke(main, ["freeze", "1", "--project", str(root)]).exit_code == 0
    facts = compute(load_project(root))
    assert facts.phases[0].plan is not None and facts.phases[0].plan.frozen
    raw = (PhaseInput, SnapshotInput, Snapshot, TaskEntry, PlanFile, PlanVersion, PlannedTask, EvidenceFile, Project)
    seen: set[int] = set()
    todo: list[tuple[str, object]] = [("facts", facts)]
    while todo:
        path, obj = todo.pop()
        if id(obj) in seen or isinstance(obj, (str, int, float, bool, type(None))):
            continue
        seen.add(id(obj))
        assert not isinstance(obj, raw), f"{path} is raw input ({type(obj).__name__})"
        if is_dataclass(obj):
            todo += [(f"{path}.{f.name}", getattr(obj, f.name)) for f in fields(obj)]
        elif isinstance(obj, dict):
            todo += [(f"{path}[{k!r}]", v) for k, v in obj.items()]
        elif isinstance(obj, (tuple, list, frozenset, set)):
            todo += [(f"{path}[{i}]", v) for i, v in enumerate(obj)]
    assert len(seen) > 100  # the walk went through the facts
