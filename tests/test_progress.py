"""A phase caught mid-flight, and the same phase finished: what every document says.

The mid-phase project (start Monday 2025-01-06 09:00 UTC, a 24-hour calendar; the latest
snapshot, "now", is Friday 2025-01-10 09:00, day 4 of a 5-day plan):

    1.1 Alpha    1 day          done early: complete day 0.5, planned day 1   (0.5 days early)
    1.2 Beta     1 day          done late:  complete day 2,   planned day 1   (1 day late)
    1.3 Gamma    2 days  <1.1   running late: in progress since day 1, planned finish day 3
    1.4 Delta    2 days  <1.2   blocked since day 3 (in progress days 2-3), with a reason
    1.5 Epsilon  1 day   <1.3,1.4  waiting
    1.6 Zeta     1 day   <1.5      waiting

Two critical chains run side by side: 1.1 -> 1.3 -> 1.5 -> 1.6 and 1.2 -> 1.4 -> 1.5 -> 1.6.
Every expectation below is worked out by hand in the comment beside it.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import PROJECT_YAML, REPO, compare_golden, documents
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from support import FINISH, PHASE, SNAPSHOTS, edit, files, project_yaml, read

GOLDEN = REPO / "tests" / "golden"


@pytest.fixture
def midphase(generated) -> Path:
    """The mid-phase project generated into docs/; returns docs/phase-01."""
    return generated(files(SNAPSHOTS)) / "docs" / "phase-01"


@pytest.fixture
def finished(generated) -> Path:
    """The same phase with its last tasks done; returns docs/phase-01."""
    return generated(files(SNAPSHOTS, FINISH)) / "docs" / "phase-01"


# ----------------------------------------------------------------------------- facts
def test_mid_phase_facts_by_hand(project):
    p = compute(load_project(project(files(SNAPSHOTS)))).phases[0]
    t = {x.id: x for x in p.tasks}
    assert p.schedule.critical_chains == (("1.1", "1.3", "1.5", "1.6"), ("1.2", "1.4", "1.5", "1.6"))
    # 1.1: complete at day 0.5 ('at'), planned finish day 1: 0.5 days early
    assert (t["1.1"].variance_days, t["1.1"].progress_percent) == (-0.5, 100.0)
    # 1.2: complete at day 2, planned day 1: 1 day late
    assert t["1.2"].variance_days == 1.0
    # 1.3: in progress since day 1, now day 4: 3 days worked of 2 planned; past its planned
    # finish (day 3) by 1 day; it has used its duration, so a quarter of it again (0.5) from now
    assert (t["1.3"].state, t["1.3"].late, t["1.3"].overdue_days, t["1.3"].worked_days) == (
        "in_progress",
        True,
        1.0,
        3.0,
    )
    assert t["1.3"].progress_percent == 99.0  # never 100 before it is complete
    assert t["1.3"].forecast_finish.isoformat() == "2025-01-10T21:00:00+00:00"
    # 1.4: worked day 2 to 3 (1 day), blocked since day 3: paused, not restarted; 1 day left,
    # resuming no earlier than now (day 4): forecast day 5
    assert (t["1.4"].state, t["1.4"].worked_days, t["1.4"].progress_percent) == ("blocked", 1.0, 50.0)
    assert t["1.4"].note == "waiting for the tokenizer licence"
    assert t["1.4"].since.isoformat() == "2025-01-09T09:00:00+00:00"
    assert t["1.4"].forecast_finish.isoformat() == "2025-01-11T09:00:00+00:00"
    # 1.5 waits for both (1.3 in progress and 1.4 blocked are not complete): day 5 to 6; 1.6 day 6 to 7
    assert t["1.5"].waiting_for == ("1.3", "1.4") and t["1.5"].progress_percent == 0.0
    assert t["1.6"].forecast_finish.isoformat() == "2025-01-13T09:00:00+00:00"
    assert p.schedule.forecast_finish.isoformat() == "2025-01-13T09:00:00+00:00"
    assert p.actual_start.isoformat() == "2025-01-06T09:00:00+00:00" and p.actual_finish is None
    # criteria: only 1.1's is settled; the others are "so far"
    states = {(c.scope, c.criterion.text): (c.state, c.settled) for c in p.criteria}
    assert states == {
        ("1.1", "Few warnings"): ("met", True),
        ("1.3", "Tests pass"): ("on_track", False),
        ("1.4", "Almost no warnings"): ("off_track", False),
        ("phase", "Release quality"): ("on_track", False),
    }


def test_what_the_latest_snapshot_changed(project):
    p = compute(load_project(project(files(SNAPSHOTS)))).phases[0]
    assert [(c.kind, c.subject, c.before, c.after) for c in p.changes] == [
        ("note", "1.3", "in_progress", "rerunning the flaky parser suite"),  # same state, a new note: news
        ("metric", "warnings", 12, 9),
        ("metric", "pass_rate", 0.9, 0.99),  # the last value before e: the baseline's
        ("criterion", "1.3: Tests pass", "off_track", "on_track"),
        ("criterion", "phase: Release quality", "off_track", "on_track"),
        ("health", "phase", None, "at_risk"),  # the first recorded health call
        ("note", "", None, "nightly run"),  # the snapshot's own note
    ]
    assert (p.note, p.health) == ("nightly run", "at_risk")


def test_finished_phase_facts_by_hand(project):
    p = compute(load_project(project(files(SNAPSHOTS, FINISH)))).phases[0]
    t = {x.id: x for x in p.tasks}
    assert p.state == "complete"
    # 1.3 complete at day 4.5 against day 3: 1.5 days late; 1.4 at day 5.5 against 3
    assert (t["1.3"].variance_days, t["1.4"].variance_days) == (1.5, 2.5)
    # 1.4 worked days 2-3 and 4.5-5.5 (resumed at f): 2 days, its planned duration
    assert t["1.4"].worked_days == 2.0
    # the phase: finished day 7 (1.6 at 2025-01-13 09:00) against a 5-day plan
    assert (p.actual_finish.isoformat(), p.variance_days) == ("2025-01-13T09:00:00+00:00", 2.0)
    assert all(x.forecast_finish is None for x in p.tasks)
    states = {c.criterion.text: c.state for c in p.criteria}
    # settled now: 4 < 5 met; 0.97 >= 0.95 met; the phase's 0.97 >= 0.98 missed
    assert states == {
        "Few warnings": "met",
        "Tests pass": "met",
        "Almost no warnings": "met",
        "Release quality": "missed",
    }


# ----------------------------------------------------------------------------- documents
def test_the_handoff_launches_nothing_that_runs_and_says_why_each_task_stands(midphase):
    text = read(midphase, "COORDINATOR-HANDOFF.md")
    # nothing is ready: no launch command at all, no orchestrator
    assert "Nothing can start now" in text
    assert "gh workflow run agent.yml" not in text
    assert (
        "### Step 3: watch what is running\n\n- Task 1.3 (dev): 🔄 in progress since 2025-01-07 09:00 UTC, "
        "3 days worked of 2 days planned, **overdue by 1 day**; planned to finish 2025-01-09 09:00 UTC, "
        "forecast 2025-01-10 21:00 UTC. Latest note 2025-01-10 09:00 UTC: rerunning the flaky parser suite. "
        "Its agent is at work: do not launch it again."
    ) in text
    assert (
        "- Task 1.4 (dev) is blocked since 2025-01-09 09:00 UTC. Reason: waiting for the tokenizer licence. "
        "Waiting on it: 1.5. Once the cause is resolved, record it: `phasedocs record 1 --task 1.4=in_progress`"
    ) in text
    assert "- Task 1.5 waits for 1.3 (🔄 in progress), 1.4 (⛔ blocked)" in text
    assert "Done: 1.1, 1.2 (dates in the [schedule](#schedule) below)." in text
    # 1.1 -> 1.3 and 1.2 -> 1.4 meet at 1.5: one description, each task once
    assert "- **Critical path:** 1.1 → 1.3 and 1.2 → 1.4 in parallel, then 1.5 → 1.6" in text
    assert "missed" not in text


def test_the_handoff_launches_only_ready_tasks_and_sizes_the_pool_by_them(project, runner):
    proj = PROJECT_YAML + "  orchestrate: ['swarm init --max-agents {{ phase.tasks | length }}']\n"
    root = project({**files({"a.json": SNAPSHOTS["a.json"]}), "phases/project.yaml": proj})
    result = runner.invoke(main, ["handoff", "1", "--project", str(root)])
    assert result.exit_code == 0, result.output
    # 1.1 and 1.2 run; nothing else is ready: no launch, and no orchestrator for zero tasks
    assert "gh workflow run agent.yml" not in result.output and "swarm init" not in result.output
    snap = {"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.1": "complete"}}
    (root / "phases/phase-01/metrics/b.json").write_text(json.dumps(snap))
    result = runner.invoke(main, ["handoff", "1", "--project", str(root)])
    # 1.3 became ready (1.1 complete): one launch command, a pool of one
    assert result.output.count("gh workflow run agent.yml") == 1
    assert "gh workflow run agent.yml -f task=1.3" in result.output
    assert "swarm init --max-agents 1" in result.output


def test_the_dashboard_tells_late_blocked_changed_and_unsettled_apart(midphase):
    text = read(midphase, "COORDINATION-DASHBOARD.md")
    # past its planned finish (day 3) plus its slack (none): overdue, and now delaying the phase
    assert '!!! warning "Task 1.3 is overdue and stale"' in text
    assert '!!! danger "Task 1.4 is blocked"' in text and "Reason: waiting for the tokenizer licence." in text
    # a critical task is overdue: off track; the recorded call beside it, with its date
    assert "| Health | 🔴 off track (computed); 🟠 at risk (recorded 2025-01-10 09:00 UTC) |" in text
    assert "Missed:" not in text
    assert '!!! warning "Not met yet: 1 criterion of work still in progress"' in text
    # what changed in the latest snapshot
    assert "- Warnings: 12 → 9" in text
    assert "- Criterion 1.3: Tests pass: 🟠 not met yet → 🔵 on track so far" in text
    assert "- Note: nightly run" in text
    # criteria: only a settled fact is met
    assert "| 1.1 | Few warnings | &lt; 25 | 30 | 9 | -70% | ✅ met |" in text
    assert "| 1.3 | Tests pass | \\>= 95% (95/100) | 90% | 99% | +10% | 🔵 on track so far |" in text
    assert "| [1.3 Gamma](task-1.3-gamma.md) (dev) | 🔄 in progress, 3 days worked of 2 days planned" in text


def test_task_pages_say_what_happened_never_starts_now(midphase):
    assert "Done: finished 2025-01-06 21:00 UTC, 0.5 days early" in read(midphase, "task-1.1-alpha.md")
    late = read(midphase, "task-1.3-gamma.md")
    assert "**Overdue by 1 day**: it was planned to finish 2025-01-09 09:00 UTC." in late
    assert "**Latest note** (2025-01-10 09:00 UTC): rerunning the flaky parser suite" in late
    assert "can start" not in late
    blocked = read(midphase, "task-1.4-delta.md")
    assert '!!! danger "Blocked since 2025-01-09 09:00 UTC"\n    waiting for the tokenizer licence' in blocked


def test_final_metrics_of_a_phase_in_flight(midphase):
    fm = json.loads(read(midphase, "final-metrics.json"))
    assert fm["schedule"]["critical_chains"] == [["1.1", "1.3", "1.5", "1.6"], ["1.2", "1.4", "1.5", "1.6"]]
    tasks = {t["id"]: t for t in fm["tasks"]}
    assert (tasks["1.3"]["late"], tasks["1.3"]["progress_percent"], tasks["1.3"]["actual_finish"]) == (True, 99, None)
    assert tasks["1.4"]["note"] == "waiting for the tokenizer licence"
    assert (tasks["1.1"]["variance_days"], tasks["1.2"]["variance_days"]) == (-0.5, 1)
    assert [c["settled"] for c in fm["criteria"]] == [True, False, False, False]


def test_a_finished_phase_shows_actuals_never_a_forecast(finished):
    report = read(finished, "COMPLETION-REPORT.md")
    assert "All 6 tasks are complete: finished 2025-01-13 09:00 UTC, 2 days late." in report
    assert "| | Planned | Actual |" in report and "| | Planned | Forecast |" not in report
    assert "Forecast" not in read(finished, "COORDINATION-SUMMARY.md")
    handoff = read(finished, "COORDINATOR-HANDOFF.md")
    assert "- **Finished:** 2025-01-13 09:00 UTC (2 days late against the plan)" in handoff
    assert "Every task is complete: there is nothing to launch, watch or unblock." in handoff
    assert "Step 4" not in handoff and "spawn" not in handoff
    assert '!!! failure "1 criterion missed"' in report


@pytest.mark.parametrize("which", ["midphase", "finished"])
def test_golden_files(request, which, update_golden):
    compare_golden(documents(request.getfixturevalue(which).parent), GOLDEN / which, update_golden)


# ----------------------------------------------------------------------------- refusals
def validate(runner, root: Path):
    return runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])


def test_a_task_started_before_its_dependencies_are_complete_is_refused(project, runner):
    snaps = {
        "a.json": {"timestamp": "2025-01-06T09:00:00Z", "tasks": {"1.1": "in_progress"}},
        "b.json": {"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.3": "in_progress"}},
    }
    result = validate(runner, project(files(snaps)))
    assert result.exit_code == 1
    assert result.output == (
        'phases/phase-01/metrics/b.json:1:56: tasks["1.3"]: task 1.3 is recorded in_progress, but its dependency '
        "1.1 is not complete in this or an earlier snapshot; record 1.1 complete first, or correct the state of 1.3, "
        "or, if 1.3 really went ahead of it, waive it with a note: "
        'phasedocs record 1 --waive 1.3=1.1 --note 1.3="why" (in a file: "waived" and "note" in its entry)\n'
        "1 error in 1 file\n"
    )
    # in the same snapshot as its dependency's completion, it may start
    snaps["b.json"]["tasks"]["1.1"] = "complete"
    assert validate(runner, project(files(snaps))).exit_code == 0
    # every task of a snapshot is checked, not only those before the first that has not started
    snaps["b.json"]["tasks"] = {"1.2": "pending", "1.1": "blocked", "1.3": "in_progress", "1.4": "complete"}
    lines = validate(runner, project(files(snaps))).output.splitlines()
    assert [line.split(": ")[1] for line in lines[:-1]] == ['tasks["1.3"]', 'tasks["1.4"]']


def test_a_snapshot_before_the_phase_was_created_or_dated_after_itself_is_refused(project, runner):
    snaps = {
        "a.json": {
            "timestamp": "2025-01-05T09:00:00Z",
            "tasks": {"1.1": {"state": "in_progress", "at": "2025-01-05T10:00:00Z"}},
        }
    }
    result = validate(runner, project(files(snaps)))
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[0].endswith(
        "timestamp: 2025-01-05T09:00:00+00:00 is before the phase was created (2025-01-06T09:00:00+00:00); "
        "a snapshot records the phase's work, so it cannot predate it: fix the timestamp"
    )
    assert lines[1].endswith(
        'tasks["1.1"].at: 2025-01-05T10:00:00+00:00 is after the snapshot\'s timestamp (2025-01-05T09:00:00+00:00); '
        "'at' says when the state began, so at most when it was recorded"
    )


def test_an_unsigned_percentage_on_a_ratio_metric_is_refused_with_both_spellings(project, runner):
    phase = edit(PHASE, 'target: ">= 98/100"', 'target: ">= 99.9%"')
    result = validate(runner, project({**files(), "phases/phase-01/phase.yaml": phase}))
    assert result.exit_code == 1
    assert result.output.startswith(
        "phases/phase-01/phase.yaml:16:56: success_criteria[0].target: '>= 99.9%' is ambiguous on a ratio metric: "
        "write '>= +99.9%' for a change from the baseline, or '>= 0.999' for the value itself\n"
    )


def test_record_writes_notes_and_health(project, runner):
    root = project(files({"a.json": SNAPSHOTS["a.json"]}))
    result = runner.invoke(
        main,
        [
            "record", "1", "--project", str(root), "--at", "2025-01-07T09:00:00Z",
            "--task", "1.1=complete", "--task", "1.3=blocked", "--note", "1.3=waiting for the licence",
            "--note", "slow day", "--health", "at_risk",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = json.loads(Path(result.output.split("recorded ", 1)[1].strip()).read_text())
    assert written["note"] == "slow day" and written["health"] == "at_risk"
    assert written["tasks"] == {"1.1": "complete", "1.3": {"state": "blocked", "note": "waiting for the licence"}}
    # a note alone keeps the task's state; a mistyped id is refused, not taken as prose
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--note", "1.3=licence signed Monday"])
    written = json.loads(Path(result.output.split("recorded ", 1)[1].strip()).read_text())
    assert written["tasks"] == {"1.3": {"state": "blocked", "note": "licence signed Monday"}}
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--note", "1.9=oops"])
    assert result.exit_code == 1 and "--note 1.9=oops: unknown task '1.9'" in result.output
    p = compute(load_project(root)).phases[0]
    assert p.task("1.3").note == "licence signed Monday"


def test_a_phase_started_before_the_phase_it_follows_is_flagged_on_both(project, runner):
    second = edit(PHASE, "number: 1\ntitle: Ingest", "number: 2\ntitle: Serve\nafter_phase: 1")
    snaps2 = {"a.json": {"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.1": "in_progress"}}}
    root = project(
        {
            **files(SNAPSHOTS),
            "phases/phase-02/phase.yaml": second,
            **{f"phases/phase-02/metrics/{k}": json.dumps(v) for k, v in snaps2.items()},
        }
    )
    facts = compute(load_project(root))
    text = (
        "Phase 2 started on 2025-01-07 09:00 UTC, before phase 1 (which it follows) was complete: "
        "it is still not complete."
    )
    assert [p.sequence for p in facts.phases] == [(text,), (text,)]
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "docs"), "-q"])
    assert result.exit_code == 0, result.output
    for page in ("phase-01/COORDINATION-DASHBOARD.md", "phase-02/COORDINATION-DASHBOARD.md", "roadmap.md"):
        assert text in (root / "docs" / page).read_text(), page


def test_computed_health_at_baseline_is_on_track(project):
    from phasedocs.render.views import PhaseView

    # nothing late, blocked or missed, and the forecast is the plan: criteria not met yet at
    # the start of work are no risk by themselves (the mid-phase dashboard test has off track)
    base = compute(load_project(project(files({"a.json": SNAPSHOTS["a.json"]})))).phases[0]
    assert {c.state for c in base.criteria} == {"off_track"}
    assert PhaseView(base).computed_health() == "on_track"


SIDE = '  - {id: "1.7", slug: eta, title: Eta, role: dev, duration_days: 1}\n'  # 4 days of slack


@pytest.mark.parametrize(
    ("snapshots", "why"),
    [
        # day 0: the critical tasks start on time; the side task is blocked at once
        ([("2025-01-06T09:00:00Z", {"1.1": "in_progress", "1.2": "in_progress", "1.7": "blocked"})], "blocked"),
        # day 1.5: 1.1 and 1.2 finished on time (day 1), 1.3 and 1.4 run to plan; the side task,
        # planned to finish on day 1, still runs: late, within its slack
        (
            [
                ("2025-01-06T09:00:00Z", {"1.1": "in_progress", "1.2": "in_progress", "1.7": "in_progress"}),
                ("2025-01-07T09:00:00Z", {"1.1": "complete", "1.2": "complete", "1.3": "in_progress"}),
                ("2025-01-07T21:00:00Z", {"1.4": {"state": "in_progress", "at": "2025-01-07T09:00:00Z"}}),
            ],
            "late",
        ),
    ],
)
def test_a_side_task_late_or_blocked_puts_the_phase_at_risk_not_off_track(project, snapshots, why):
    from phasedocs.render.views import PhaseView

    snaps = {f"{i}.json": {"timestamp": ts, "tasks": tasks} for i, (ts, tasks) in enumerate(snapshots)}
    phase = edit(PHASE, "success_criteria:", SIDE + "success_criteria:")
    p = compute(load_project(project({**files(snaps), "phases/phase-01/phase.yaml": phase}))).phases[0]
    view = PhaseView(p)
    # the forecast keeps to the plan and nothing critical is late, blocked or missed
    assert (p.schedule.forecast_finish, view.missed) == (p.planned_finish, [])
    assert [t.id for t in (view.blocked if why == "blocked" else view.late)] == ["1.7"]
    assert view.computed_health() == "at_risk"


def test_a_hand_check_recorded_false_is_not_met_yet_until_its_task_is_done(project):
    phase = edit(
        PHASE,
        '  - {id: "1.2", slug: beta, title: Beta, role: dev, duration_days: 1}',
        '  - {id: "1.2", slug: beta, title: Beta, role: dev, duration_days: 1, criteria: [{text: Reviewed, id: reviewed}]}',
    )
    snaps = {"a.json": {"timestamp": "2025-01-06T09:00:00Z", "checks": {"reviewed": False}}}
    root = project({**files(snaps), "phases/phase-01/phase.yaml": phase})
    crit = next(c for c in compute(load_project(root)).phases[0].criteria if c.criterion.id == "reviewed")
    assert (crit.state, crit.settled) == ("off_track", False)
    done = {"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.2": "complete"}}
    (root / "phases/phase-01/metrics/b.json").write_text(json.dumps(done))
    crit = next(c for c in compute(load_project(root)).phases[0].criteria if c.criterion.id == "reviewed")
    assert (crit.state, crit.settled) == ("missed", True)


def test_forecasts_start_from_now_and_a_reopened_task_is_forecast_from_its_work(project):
    snaps = {
        # now is day 0.25: 1.2 is ready and would start now, not at day 1
        "a.json": {"timestamp": "2025-01-06T15:00:00Z", "tasks": {"1.1": "in_progress"}},
    }
    p = compute(load_project(project(files(snaps)))).phases[0]
    assert p.task("1.2").forecast_finish.isoformat() == "2025-01-07T15:00:00+00:00"  # 0.25 + 1 day
    # 1.1 in progress from day 0.25, complete at day 0.5, reopened at day 1 and worked until now
    # (day 1.5): its first finish no longer counts; 0.25 + 0.5 = 0.75 days worked of 1, so 0.25
    # left, from now: day 1.75
    snaps["b.json"] = {"timestamp": "2025-01-06T21:00:00Z", "tasks": {"1.1": "complete"}}
    snaps["c.json"] = {"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.1": "in_progress"}}
    snaps["d.json"] = {"timestamp": "2025-01-07T21:00:00Z"}
    p = compute(load_project(project(files(snaps)))).phases[0]
    t = p.task("1.1")
    assert (t.state, t.worked_days, t.actual_finish, t.actual_days) == ("in_progress", 0.75, None, None)
    assert t.forecast_finish.isoformat() == "2025-01-08T03:00:00+00:00"


def test_a_task_change_in_the_latest_snapshot_carries_its_reason(project):
    p = compute(load_project(project(files({k: SNAPSHOTS[k] for k in "abcd" for k in [k + ".json"]})))).phases[0]
    from phasedocs.render.views import PhaseView

    assert PhaseView(p).change_lines()[0] == "Task 1.4: 🔄 in progress → ⛔ blocked: waiting for the tokenizer licence"


def test_a_phase_is_named_by_number_or_folder_and_an_unknown_one_lists_the_known(project, runner):
    second = edit(PHASE, "number: 1\ntitle: Ingest", "number: 2\ntitle: Serve")
    root = project({**files(), "phases/phase-02/phase.yaml": second})
    assert runner.invoke(main, ["handoff", "phase-02", "--project", str(root)]).output.startswith("# Phase 2:")
    result = runner.invoke(main, ["handoff", "phase-9", "--project", str(root)])
    assert (result.exit_code, result.output) == (1, "Error: no phase 9 in this project (phases: 1, 2)\n")


def test_record_from_json_checks_values_against_the_catalogue(project, runner, tmp_path):
    root = project(files())
    report = tmp_path / "ci.json"
    report.write_text('{"warnings": "many"}')
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--from-json", str(report)])
    assert result.exit_code == 1
    assert "metrics.warnings: expected a number (count), got 'many'" in result.output


def test_a_handoff_written_on_its_own_links_to_the_site_or_to_docs(project, runner, tmp_path):
    root = project(files(SNAPSHOTS))
    out = tmp_path / "elsewhere" / "HANDOFF.md"
    out.parent.mkdir()
    assert runner.invoke(main, ["handoff", "1", "--project", str(root), "--output", str(out)]).exit_code == 0
    text = out.read_text()
    rel = "../proj/docs/phase-01"  # from tmp_path/elsewhere to the project's generated docs
    assert f"[package index]({rel}/README.md)" in text
    assert "](README.md)" not in text and "](COORDINATION-SUMMARY.md)" not in text
    (root / "site_config").mkdir()
    (root / "site_config/site.yaml").write_text("site_url: https://acme.example/plans/\n")
    out.unlink()
    assert runner.invoke(main, ["handoff", "1", "--project", str(root), "--output", str(out)]).exit_code == 0
    text = out.read_text()
    assert "[package index](https://acme.example/plans/phase-01/)" in text
    assert "[coordination summary](https://acme.example/plans/phase-01/COORDINATION-SUMMARY/)" in text
    assert "[final-metrics.json](https://acme.example/plans/phase-01/final-metrics.json)" in text
    # printed, it is read away from the package too: its links lead to the site
    printed = runner.invoke(main, ["handoff", "1", "--project", str(root)]).stdout
    assert "[package index](https://acme.example/plans/phase-01/)" in printed
    assert "](README.md)" not in printed


def test_the_sequence_warning_gives_the_time_in_the_project_time_zone(project):
    second = edit(PHASE, "number: 1\ntitle: Ingest", "number: 2\ntitle: Serve\nafter_phase: 1")
    snap = {"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.1": "in_progress"}}
    root = project(
        {
            **files(SNAPSHOTS),
            "phases/project.yaml": project_yaml(timezone="Europe/Berlin"),
            "phases/phase-02/phase.yaml": second,
            "phases/phase-02/metrics/a.json": json.dumps(snap),
        }
    )
    (text,) = compute(load_project(root)).phases[1].sequence
    assert text == (
        "Phase 2 started on 2025-01-07 10:00 CET, before phase 1 (which it follows) was complete: "
        "it is still not complete."
    )
    for name, snapshot in FINISH.items():  # phase 1 finishes on the 13th, 09:00 UTC
        (root / "phases/phase-01/metrics" / name).write_text(json.dumps(snapshot))
    (text,) = compute(load_project(root)).phases[1].sequence
    assert text == (
        "Phase 2 started on 2025-01-07 10:00 CET, before phase 1 (which it follows) was complete: "
        "it completed only on 2025-01-13 10:00 CET."
    )


def test_without_a_ready_list_the_orchestrate_commands_cover_every_task(project):
    from phasedocs.input import protocol

    proj = PROJECT_YAML + "  orchestrate: ['swarm init --max-agents {{ phase.tasks | length }}']\n"
    loaded = load_project(project({**files(), "phases/project.yaml": proj}))
    phase = loaded.phases[0].phase
    ctx = protocol.scope(loaded.config, phase, "docs/")
    assert protocol.render_phase(loaded.config, ctx).orchestrate == (f"swarm init --max-agents {len(phase.tasks)}",)
    assert protocol.render_phase(loaded.config, ctx, ready=()).orchestrate == ()


def test_protocol_templates_compile_on_first_use_and_know_their_folder(project):
    from phasedocs.input import protocol

    protocol._COMPILED.clear()
    assert protocol.render_string("{{ n + 1 }}", {"n": 1}, command=False) == "2"
    loaded = load_project(project(files()))
    ctx = protocol.scope(loaded.config, loaded.phases[0].phase, "docs/", "phase-001")
    assert {t["file"].rsplit("/", 1)[0] for t in ctx["phase"]["tasks"]} == {"docs/phase-001"}


def test_a_task_started_before_its_dependencies_is_named_once_with_all_of_them(project, runner):
    snaps = {
        "a.json": {"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "tasks": {"1.5": "in_progress"}},
        "b.json": {"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.5": "in_progress"}},
    }
    root = project(files(snaps))
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    lines = [line for line in result.output.splitlines() if "task 1.5 is recorded" in line]
    assert len(lines) == 1
    assert (
        "its dependencies 1.3, 1.4 are not complete in this or an earlier snapshot; record 1.3, 1.4 complete first"
        in lines[0]
    )


def test_a_phase_may_start_the_moment_the_phase_it_follows_finishes(project):
    second = edit(PHASE, "number: 1\ntitle: Ingest", "number: 2\ntitle: Serve\nafter_phase: 1")
    for ts, warned in (("2025-01-13T09:00:00Z", False), ("2025-01-13T08:59:00Z", True)):
        snap = {"timestamp": ts, "tasks": {"1.1": "in_progress"}}
        root = project(
            {
                **files(SNAPSHOTS, FINISH),
                "phases/phase-02/phase.yaml": second,
                "phases/phase-02/metrics/a.json": json.dumps(snap),
            }
        )
        assert bool(compute(load_project(root)).phases[1].sequence) is warned, ts


def test_a_criterion_on_a_metric_the_baseline_lacks_is_measured_from_its_first_value(project):
    snaps = {
        "a.json": {"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "metrics": {"warnings": 30}},
        "b.json": {"timestamp": "2025-01-07T09:00:00Z", "metrics": {"pass_rate": "90/100"}},
        "c.json": {"timestamp": "2025-01-08T09:00:00Z", "metrics": {"pass_rate": "99/100"}},
    }
    p = compute(load_project(project(files(snaps)))).phases[0]
    by_metric = {c.criterion.metric: c for c in p.criteria}
    assert (by_metric["pass_rate"].baseline_is_first, round(by_metric["pass_rate"].change_pct, 6)) == (True, 10.0)
    assert by_metric["warnings"].baseline_is_first is False


def test_a_phase_whose_first_record_is_a_task_complete_started_by_then_not_at_then(project, runner):
    # 1.1 is first recorded already complete: when it started is unknown, so the phase started
    # by that time at the latest; a recorded start (1.2's) would be a plain date
    first = {"a.json": {"timestamp": "2025-01-06T15:00:00Z", "tasks": {"1.1": "complete"}}}
    root = project(files(first, {"b.json": {"timestamp": "2025-01-06T16:00:00Z", "tasks": {"1.2": "in_progress"}}}))
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert result.exit_code == 0, result.output
    dashboard = (root / "docs/phase-01/COORDINATION-DASHBOARD.md").read_text()
    handoff = (root / "docs/phase-01/COORDINATOR-HANDOFF.md").read_text()
    by = "by 2025-01-06 15:00 UTC (when a task was first recorded, already complete; its start is not recorded)"
    assert f"| Started | {by} |" in dashboard
    assert f"- **Started:** {by}\n" in handoff
    earlier = {"a.json": {"timestamp": "2025-01-06T14:00:00Z", "tasks": {"1.2": "in_progress"}}}
    root = project(files(earlier, {"b.json": {"timestamp": "2025-01-06T15:00:00Z", "tasks": {"1.1": "complete"}}}))
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert "| Started | 2025-01-06 14:00 UTC |" in (root / "docs/phase-01/COORDINATION-DASHBOARD.md").read_text()


def test_a_blocked_task_whose_dependencies_are_open_is_unblocked_to_waiting_not_to_work(project, runner):
    # 1.5 needs 1.3 and 1.4; blocked before either is complete, it may not go on when its cause
    # is gone: recording it in progress would be refused, so the handoff says pending
    early = {"a.json": {"timestamp": "2025-01-06T10:00:00Z", "tasks": {"1.1": "in_progress", "1.5": "blocked"}}}
    root = project(files(early))
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert result.exit_code == 0, result.output
    handoff = (root / "docs/phase-01/COORDINATOR-HANDOFF.md").read_text()
    assert (
        "Once the cause is resolved, record it as waiting for 1.3, 1.4 (not complete yet; it may not go on before"
        " them): `phasedocs record 1 --task 1.5=pending`\n" in handoff
    ), handoff
    # the command does what the handoff says
    paste = ["record", "1", "--project", str(root), "--task", "1.5=pending", "--at", "2025-01-06T11:00:00Z"]
    assert runner.invoke(main, paste).exit_code == 0
    # 1.6 needs 1.5, so it waits on it
    assert "Waiting on it: 1.6." in handoff
