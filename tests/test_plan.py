"""The frozen plan: freeze and re-plan, the gauge against the plan, stale work, and their errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import PROJECT_YAML, minimal, tree
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from phasedocs.render.final_metrics import final_metrics
from support import PHASE, PHASE_TWO, SNAPSHOTS, alpha, beta, edit, files, phase_yaml, project_yaml

ETA = '  - {id: "1.7", slug: eta, title: Eta, role: dev, duration_days: 1}\n'


def freeze(runner, root: Path, *args: str):
    return runner.invoke(main, ["freeze", "1", "--project", str(root), *args])


def phase_facts(root: Path):
    f = compute(load_project(root))
    return f.phases[0], final_metrics(f.phases[0], f.tz)


def test_freeze_writes_the_schedule_as_planned_now(project, runner):
    root = project(minimal())
    result = freeze(runner, root, "--at", "2025-01-05T12:00:00Z")
    assert (result.exit_code, result.output) == (0, f"froze the plan in {root}/phases/phase-01/plan.json\n")
    plan = json.loads((root / "phases/phase-01/plan.json").read_text())
    version = plan["plans"][0]
    assert {k: v for k, v in version.items() if k != "phase_digest"} == {
        "frozen_at": "2025-01-05T12:00:00Z",
        "reason": None,
        "start": "2025-01-06T09:00:00Z",
        "finish": "2025-01-09T09:00:00Z",  # 1.1 takes 2 days, then 1.2 one
        "total_days": 3,
        "tasks": {
            "1.1": {
                "duration_days": 2,
                "start_days": 0,
                "finish_days": 2,
                "start": "2025-01-06T09:00:00Z",
                "finish": "2025-01-08T09:00:00Z",
            },
            "1.2": {
                "duration_days": 1,
                "start_days": 2,
                "finish_days": 3,
                "start": "2025-01-08T09:00:00Z",
                "finish": "2025-01-09T09:00:00Z",
            },
        },
        # every measured criterion's target, so a re-plan that changes one is a change of plan
        "criteria": [{"scope": "1.1", "metric": "warnings", "text": "Few warnings", "target": "< 10"}],
    }
    assert len(version["phase_digest"]) == 16
    # the frozen plan is an input: the project still validates, and says the plan is frozen
    _p, fm = phase_facts(root)
    assert fm["schedule"]["plan"] == {
        "frozen": True,
        "finish": "2025-01-09T09:00:00Z",
        "replans": 0,
        "changed_since": False,
        "added": [],
        "removed": [],
        "versions": [{"frozen_at": "2025-01-05T12:00:00Z", "reason": None, "finish": "2025-01-09T09:00:00Z"}],
    }


def test_freeze_never_overwrites_and_a_replan_keeps_the_earlier_plan_with_its_reason(project, runner):
    root = project(minimal())
    assert freeze(runner, root, "--at", "2025-01-05T12:00:00Z").exit_code == 0
    first = (root / "phases/phase-01/plan.json").read_bytes()
    again = freeze(runner, root)
    assert again.exit_code == 1
    assert again.output == (
        "Error: phases/phase-01/plan.json exists: phase 1 was frozen on 2025-01-05T12:00:00Z, and a plan is never "
        'overwritten. To record a new plan, run: phasedocs freeze 1 --replan --reason "why"\n'
    )
    unchanged = freeze(runner, root, "--replan", "--reason", "nothing moved")
    assert unchanged.exit_code == 1
    assert "nothing to re-plan: phase.yaml has not changed since the plan of 2025-01-05T12:00:00Z" in unchanged.output
    assert (root / "phases/phase-01/plan.json").read_bytes() == first
    # 1.2 re-estimated from 1 to 2 days
    phase = root / "phases/phase-01/phase.yaml"
    phase.write_text(edit(phase.read_text(), "duration_days: 1\n", "duration_days: 2\n"))
    result = freeze(runner, root, "--replan", "--reason", "1.2 re-estimated", "--at", "2025-01-07T09:00:00Z")
    assert result.exit_code == 0, result.output
    text = (root / "phases/phase-01/plan.json").read_text()
    plans = json.loads(text)["plans"]
    assert plans[0] == json.loads(first)["plans"][0]  # the first plan, as it was written
    assert [(v["frozen_at"], v["reason"], v["finish"]) for v in plans] == [
        ("2025-01-05T12:00:00Z", None, "2025-01-09T09:00:00Z"),
        ("2025-01-07T09:00:00Z", "1.2 re-estimated", "2025-01-10T09:00:00Z"),
    ]
    p, fm = phase_facts(root)
    assert fm["schedule"]["plan"]["replans"] == 1
    assert [v.reason for v in p.plan.replans] == ["1.2 re-estimated"]
    assert p.plan.finish.isoformat() == "2025-01-10T09:00:00+00:00"  # the plan in force is the newest


def test_plan_facts_hold_what_the_burn_up_draws_from_each_plan(project, runner):
    """Each plan's scope and the plan in force's task spans are facts: charts read no plan.json."""
    from phasedocs.charts.specs import burnup_spec

    root = project(minimal())
    assert freeze(runner, root, "--at", "2025-01-05T12:00:00Z").exit_code == 0
    phase = root / "phases/phase-01/phase.yaml"
    phase.write_text(edit(phase.read_text(), "duration_days: 1\n", "duration_days: 2.5\n"))
    assert (
        freeze(runner, root, "--replan", "--reason", "1.2 re-estimated", "--at", "2025-01-07T09:00:00Z").exit_code == 0
    )
    f = compute(load_project(root))
    p = f.phases[0]
    assert [v.scope_days for v in p.plan.versions] == [3.0, 4.5]
    assert [(s.id, s.start_days, s.finish_days, s.duration_days) for s in p.plan.spans] == [
        ("1.1", 0.0, 2.0, 2.0),
        ("1.2", 2.0, 4.5, 2.5),
    ]
    spec = burnup_spec(p, f)
    assert spec.frozen and spec.scope[0][1] == 3.0 and spec.plan[-1][1] == 4.5


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--replan"],
            'Error: --replan needs --reason TEXT: say why the plan changes, e.g. --reason "7.2 re-estimated"\n',
        ),
        (["--reason", "x"], "Error: --reason goes with --replan: the first plan needs no reason\n"),
        (
            ["--replan", "--reason", "x"],
            "Error: phase 1 has no frozen plan yet: freeze it first with 'phasedocs freeze 1'\n",
        ),
        (
            ["--at", "tomorrow"],
            "Error: nothing frozen: --at tomorrow: not a date-time; write ISO 8601 such as 2025-10-24T16:00:00Z\n",
        ),
    ],
)
def test_freeze_refusals_write_nothing(project, runner, args, message):
    root = project(minimal())
    before = tree(root)
    result = freeze(runner, root, *args)
    assert (result.exit_code, result.output) == (1, message)
    assert tree(root) == before


def test_actuals_are_judged_against_the_frozen_plan_not_the_edited_phase(project, runner):
    root = project(files(SNAPSHOTS))
    assert freeze(runner, root, "--at", "2025-01-06T08:00:00Z").exit_code == 0
    # after freezing, 1.3 is re-estimated to 4 days and a task is added: phase.yaml moves, the plan does not
    phase = root / "phases/phase-01/phase.yaml"
    text = edit(PHASE, 'duration_days: 2, depends_on: ["1.1"]', 'duration_days: 4, depends_on: ["1.1"]')
    phase.write_text(edit(text, "success_criteria:", ETA + "success_criteria:"))
    p, fm = phase_facts(root)
    t = {x.id: x for x in p.tasks}
    assert (p.plan.frozen, p.plan.changed, p.plan.added) == (True, True, ("1.7",))
    # 1.3's frozen finish is day 3 (Thursday 09:00), not phase.yaml's day 5: late by a day at day 4
    assert t["1.3"].plan_finish.isoformat() == "2025-01-09T09:00:00+00:00"
    assert t["1.3"].finish_at.isoformat() == "2025-01-11T09:00:00+00:00"
    assert (t["1.3"].late, t["1.3"].overdue_days) == (True, 1.0)
    # 1.3 has worked 3 of its new 4 days: 1 left from now (day 4) is day 5, 2 days behind the frozen day 3
    assert (t["1.3"].gauge, t["1.3"].gauge_days) == ("behind", 2.0)
    # done early and done late, against the plan
    assert (t["1.1"].gauge, t["1.1"].gauge_days) == ("ahead", -0.5)
    assert (t["1.2"].gauge, t["1.2"].gauge_days) == ("behind", 1.0)
    # 1.7 is not in the plan: it is judged against phase.yaml (ready now, day 4: 4 days behind day 0..1)
    assert (t["1.7"].in_plan, t["1.7"].gauge) == (False, "behind")
    row = next(x for x in fm["tasks"] if x["id"] == "1.7")
    assert (row["in_plan"], row["planned_finish"], row["current_finish"]) == (
        False,
        "2025-01-07T09:00:00Z",
        "2025-01-07T09:00:00Z",
    )
    # 1.5 and 1.6 wait for 1.3 and 1.4 (both day 5 now): days 6 and 7 against the frozen 4 and 5
    assert [(t[k].gauge, t[k].gauge_days) for k in ("1.5", "1.6")] == [("behind", 2.0), ("behind", 2.0)]
    # the phase shows its worst task: 1.7, which could start on day 0 and starts only now (day 4)
    assert (p.gauge.state, p.gauge.task, p.gauge.days) == ("behind", "1.7", 4.0)


def test_the_gauge_tolerates_rounding_but_not_a_quarter_hour(project):
    from phasedocs.facts import gauge_of

    assert [gauge_of(x) for x in (0.0, 0.01, -0.01, 0.0101, -0.0101)] == [
        "on_schedule",
        "on_schedule",
        "on_schedule",
        "behind",
        "ahead",
    ]


def test_a_task_running_past_its_planned_finish_plus_slack_is_stale(project):
    # 1.3 (critical, no slack) runs past its finish: stale; 1.4 is blocked, flagged as such, not stale
    p, fm = phase_facts(project(files(SNAPSHOTS)))
    assert [(t["id"], t["late"], t["stale"]) for t in fm["tasks"] if t["late"] or t["stale"]] == [
        ("1.3", True, True),
        ("1.4", True, False),
    ]
    side = edit(PHASE, "success_criteria:", ETA + "success_criteria:")
    snaps = {
        **SNAPSHOTS,
        "e.json": {**SNAPSHOTS["e.json"], "tasks": {"1.7": {"state": "in_progress", "at": "2025-01-06T09:00:00Z"}}},
    }
    root = project({**files(snaps), "phases/phase-01/phase.yaml": side})
    p, fm = phase_facts(root)
    t = {x.id: x for x in p.tasks}
    # 1.7 runs days 0-4 with 1 day planned and 4 days of slack (the phase lasts 5): late, not stale yet
    assert (t["1.7"].slack, t["1.7"].late, t["1.7"].stale) == (4.0, True, False)


SLACK_PHASE = """\
number: 1
title: First
created: 2025-01-06T09:00:00Z
start: 2025-01-06T09:00:00Z
tasks:
  - {id: "1.1", slug: alpha, title: Alpha, role: dev, duration_days: 1}
  - {id: "1.2", slug: beta, title: Beta, role: dev, duration_days: 3}
"""


def test_against_the_plan_names_the_phase_lateness_and_a_late_task_within_its_slack(project, runner):
    # day 2: 1.1 (1 day, 2 days of slack) runs a day past its finish; 1.2 (3 days, critical) is on time
    snap = {"timestamp": "2025-01-08T09:00:00Z", "tasks": {"1.1": "in_progress", "1.2": "in_progress"}}
    start = {"timestamp": "2025-01-06T09:00:00Z", "tasks": {"1.1": "in_progress", "1.2": "in_progress"}}
    root = project(
        minimal(
            **{
                "phases/phase-01/phase.yaml": SLACK_PHASE,
                "phases/phase-01/metrics/a.json": json.dumps(start),
                "phases/phase-01/metrics/b.json": json.dumps(snap),
            }
        )
    )
    p, _ = phase_facts(root)
    assert (p.gauge.state, p.gauge.task, p.gauge.phase_state, p.gauge.phase_days) == (
        "behind",
        "1.1",
        "on_schedule",
        0.0,
    )
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    dashboard = (root / "docs/phase-01/COORDINATION-DASHBOARD.md").read_text()
    assert (
        "| Against the plan | **task 1.1 is forecast to finish 1.25 days late** against its own planned finish, "
        "but within its slack: the phase is forecast on time |"
    ) in dashboard


def test_a_late_task_within_its_slack_in_a_phase_forecast_early_says_early_not_on_time(project, runner):
    # day 2: 1.1 runs a day past its finish, within its slack; 1.2 (critical, 3 days) finished on day 1
    start = {"timestamp": "2025-01-06T09:00:00Z", "tasks": {"1.1": "in_progress", "1.2": "in_progress"}}
    done = {"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.2": "complete"}}
    snap = {"timestamp": "2025-01-08T09:00:00Z", "tasks": {"1.1": "in_progress"}}
    root = project(
        minimal(
            **{
                "phases/phase-01/phase.yaml": SLACK_PHASE,
                "phases/phase-01/metrics/a.json": json.dumps(start),
                "phases/phase-01/metrics/b.json": json.dumps(done),
                "phases/phase-01/metrics/c.json": json.dumps(snap),
            }
        )
    )
    p, _ = phase_facts(root)
    assert (p.gauge.state, p.gauge.task, p.gauge.phase_state) == ("behind", "1.1", "ahead")
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    dashboard = (root / "docs/phase-01/COORDINATION-DASHBOARD.md").read_text()
    early = f"{-p.gauge.phase_days:g} days early"
    assert (
        "| Against the plan | **task 1.1 is forecast to finish 1.25 days late** against its own planned finish, "
        f"but within its slack: the phase is forecast {early} |"
    ) in dashboard, dashboard


def phase_two_started(timestamp: str) -> dict[str, str]:
    """The files of a phase 2 whose first task is recorded in progress at ``timestamp``."""
    snapshot = {"timestamp": timestamp, "tasks": {"2.1": "in_progress"}}
    return {"phases/phase-02/phase.yaml": PHASE_TWO, "phases/phase-02/metrics/a.json": json.dumps(snapshot)}


def test_a_phase_without_a_snapshot_for_longer_than_the_limit_is_stale(project):
    late = phase_two_started("2025-01-14T09:00:00Z")
    f = compute(load_project(project({**files(SNAPSHOTS), **late})))
    one, second = f.phases
    # phase 1's newest snapshot is Friday the 10th, the project's newest Tuesday the 14th: 4 days > 3
    assert (one.stale_days, second.stale_days) == (4.0, None)
    assert final_metrics(one, f.tz)["schedule"]["stale_days"] == 4
    from phasedocs.render.feeds import status

    assert [x["stale_days"] for x in json.loads(status(f))["phases"]] == [4, None]
    # with a limit of 5 days it is not stale; on workdays, the weekend does not count (2 days)
    relaxed = PROJECT_YAML + "stale_after_days: 5\n"
    f = compute(load_project(project({**files(SNAPSHOTS), **late, "phases/project.yaml": relaxed})))
    assert f.phases[0].stale_days is None
    workdays = project_yaml(calendar="workdays")
    f = compute(load_project(project({**files(SNAPSHOTS), **late, "phases/project.yaml": workdays})))
    assert f.phases[0].stale_days is None


def test_a_finished_phase_is_never_stale(project):
    from support import FINISH

    f = compute(load_project(project({**files(SNAPSHOTS, FINISH), **phase_two_started("2025-01-20T09:00:00Z")})))
    # phase 1 finished on the 13th, a week before phase 2's snapshot: done, not silent
    assert [(p.state, p.stale_days) for p in f.phases] == [("complete", None), ("active", None)]


def test_documents_say_whether_a_plan_is_frozen(project, runner):
    root = project(files(SNAPSHOTS))
    out = root / "docs"
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"]).exit_code == 0
    handoff = (out / "phase-01/COORDINATOR-HANDOFF.md").read_text()
    # four tasks have started: the advice is for what is still to launch
    assert "No plan is frozen yet: freeze this schedule as the plan before launching anything more, so" in handoff
    assert "```bash\nphasedocs freeze 1\n```" in handoff
    assert freeze(runner, root, "--at", "2025-01-06T08:00:00Z").exit_code == 0
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"]).exit_code == 0
    handoff = (out / "phase-01/COORDINATOR-HANDOFF.md").read_text()
    dashboard = (out / "phase-01/COORDINATION-DASHBOARD.md").read_text()
    assert "No plan is frozen yet" not in handoff
    assert "- **Plan:** frozen 2025-01-06 08:00 UTC; it finishes 2025-01-11 09:00 UTC\n" in handoff
    assert "| Plan | frozen 2025-01-06 08:00 UTC; it finishes 2025-01-11 09:00 UTC |" in dashboard
    assert "- 2025-01-06 08:00 UTC: first plan; finish 2025-01-11 09:00 UTC (5 days).\n" in dashboard
    assert (
        "| Against the plan | **the phase is forecast 2 days late**; the worst task, 1.4, is forecast "
        "to finish 2 days after its own planned finish |"
    ) in dashboard


@pytest.mark.parametrize(
    ("path", "text", "error"),
    [
        (
            "phases/project.yaml",
            PROJECT_YAML + "holidays: [2025-12-25]\n",
            "phases/project.yaml:1:1: holidays apply to the workdays calendar only; set calendar: workdays, or remove holidays",
        ),
        (
            "phases/project.yaml",
            project_yaml(calendar="workdays") + "holidays: [2025-12-25, 2025-12-25]\n",
            "phases/project.yaml:18:11: holidays: 2025-12-25 is listed twice; list each holiday once",
        ),
        (
            "phases/project.yaml",
            project_yaml(calendar="workdays") + 'workday: {start: "20:00", hours: 8}\n',
            "phases/project.yaml:18:10: workday: a working day from 20:00 for 8 hours runs past midnight; start earlier or work fewer hours",
        ),
        (
            "phases/project.yaml",
            project_yaml(calendar="workdays") + "holidays: [tomorrow]\n",
            "phases/project.yaml:18:12: holidays[0]: 'tomorrow' is not a date; write it as YYYY-MM-DD, such as 2025-12-25",
        ),
        (
            "phases/project.yaml",
            project_yaml(calendar="workdays") + 'workday: {start: "9am"}\n',
            "phases/project.yaml:18:18: workday.start: '9am' is not a time of day; write it as HH:MM on a 24-hour clock, such as \"09:00\"",
        ),
    ],
)
def test_calendar_settings_are_checked(project, runner, path, text, error):
    root = project(minimal(**{path: text}))
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert result.exit_code == 1
    assert error in result.output


def test_an_estimate_must_hold_the_duration(project, runner):
    bad = minimal(**{"phases/phase-01/phase.yaml": phase_yaml([alpha(), beta(estimate={"low": 1.5, "high": 3})])})
    result = runner.invoke(main, ["validate", "--project", str(project(bad)), "--no-cache"])
    assert result.exit_code == 1
    assert (
        "phases/phase-01/phase.yaml:16:5: tasks[1]: estimate {low: 1.5, high: 3} must hold duration_days (1): "
        "low <= duration_days <= high" in result.output
    )


def test_a_replan_without_its_reason_in_plan_json_is_refused(project, runner):
    root = project(minimal())
    assert freeze(runner, root, "--at", "2025-01-05T12:00:00Z").exit_code == 0
    path = root / "phases/phase-01/plan.json"
    data = json.loads(path.read_text())
    data["plans"].append(dict(data["plans"][0]))  # a second plan, written by hand, without a reason
    path.write_text(json.dumps(data, indent=2))
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert result.exit_code == 1
    assert (
        "phases/phase-01/plan.json:2:12: plans[1]: a re-plan needs its reason; record it with phasedocs freeze --replan --reason"
        in result.output
    )


def test_documents_say_when_phase_yaml_moved_after_the_freeze(project, runner):
    root = project(files(SNAPSHOTS))
    assert freeze(runner, root, "--at", "2025-01-06T08:00:00Z").exit_code == 0
    phase = root / "phases/phase-01/phase.yaml"
    phase.write_text(
        edit(phase.read_text(), 'duration_days: 2, depends_on: ["1.1"]', 'duration_days: 3, depends_on: ["1.1"]')
    )
    out = root / "docs"
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"]).exit_code == 0
    summary = (out / "phase-01/COORDINATION-SUMMARY.md").read_text()
    # the frozen plan still says Saturday the 11th; phase.yaml now makes it Sunday the 12th
    assert "| Planned completion | 2025-01-11 09:00 UTC (the frozen plan) |" in summary
    assert (
        "| Plan | frozen 2025-01-06 08:00 UTC; it finishes 2025-01-11 09:00 UTC. phase.yaml has changed since: "
        "its schedule now finishes 2025-01-12 09:00 UTC |" in summary
    )


def _version(frozen_at: str, finish: str = "2025-01-09T09:00:00Z", reason: str | None = "r") -> dict:
    return {
        "frozen_at": frozen_at,
        "reason": reason,
        "phase_digest": "0" * 16,
        "start": "2025-01-06T09:00:00Z",
        "finish": finish,
        "total_days": 3,
        "tasks": {},
    }


def plan_problems(*versions: dict) -> list[str]:
    from phasedocs.input.loader import parse_json
    from phasedocs.input.messages import parse_model
    from phasedocs.input.plan import PlanFile, plan_errors

    doc = parse_json(json.dumps({"plans": list(versions)}), "plan.json")
    plan, errors = parse_model(doc, PlanFile)
    assert errors == []
    return [f"{e.field}: {e.problem}" for e in plan_errors(doc, plan)]


def test_plans_frozen_at_the_same_moment_are_in_order_and_one_before_the_last_is_not():
    first, second = "2025-01-05T12:00:00Z", "2025-01-07T12:00:00Z"
    assert plan_problems(_version(first, reason=None), _version(first), _version(second)) == []
    assert plan_problems(_version(first, reason=None), _version(second), _version("2025-01-06T12:00:00Z")) == [
        "plans[2].frozen_at: is before the plan it replaces (2025-01-07T12:00:00+00:00); plans are kept oldest first"
    ]


def test_a_plan_may_finish_when_it_starts_but_not_before():
    assert plan_problems(_version("2025-01-05T12:00:00Z", finish="2025-01-06T09:00:00Z", reason=None)) == []
    assert plan_problems(_version("2025-01-05T12:00:00Z", finish="2025-01-06T08:00:00Z", reason=None)) == [
        "plans[0].finish: is before the plan's start"
    ]


def test_gauge_days_in_final_metrics_are_rounded_to_hundredths(project):
    # "now" is Friday 17:00, day 4.33 (a third of a day after 09:00). 1.2 finished a day
    # late, as before. 1.3 has used up its 2 days: a quarter of them again from now ends
    # day 4.83, 1.83 behind its planned day 3.
    # 1.4 has 1 of 2 days left (blocked spells pause it): day 5.33 against day 3; 1.5 and 1.6
    # follow it, each 2.33 days behind. The phase shows the first of the worst, 1.4.
    snaps = {**SNAPSHOTS, "e.json": {**SNAPSHOTS["e.json"], "timestamp": "2025-01-10T17:00:00Z"}}
    _p, fm = phase_facts(project(files(snaps)))
    assert [(t["id"], t["gauge_days"]) for t in fm["tasks"] if t["gauge"] == "behind"] == [
        ("1.2", 1),
        ("1.3", 1.83),
        ("1.4", 2.33),
        ("1.5", 2.33),
        ("1.6", 2.33),
    ]
    assert fm["schedule"]["gauge"] == {"state": "behind", "days": 2.33, "task": "1.4", "phase_days": 2.33}


def test_a_replan_schedules_the_remaining_work_from_the_latest_snapshot(project, runner):
    """Done work keeps its actual dates; what remains starts where the work stands, so the new plan
    is not already in the past (every task behind from the moment it is frozen)."""
    root = project(minimal())
    assert freeze(runner, root, "--at", "2025-01-05T12:00:00Z").exit_code == 0
    metrics = root / "phases/phase-01/metrics"
    metrics.mkdir()
    (metrics / "0.json").write_text('{"timestamp": "2025-01-06T09:00:00Z", "tasks": {"1.1": "in_progress"}}')
    (metrics / "a.json").write_text(
        '{"timestamp": "2025-01-10T09:00:00Z", "tasks": {"1.1": {"state": "complete", "at": "2025-01-10T09:00:00Z"},'
        ' "1.2": "in_progress"}}'
    )
    (metrics / "b.json").write_text('{"timestamp": "2025-01-11T09:00:00Z", "tasks": {"1.2": "in_progress"}}')
    phase = root / "phases/phase-01/phase.yaml"
    phase.write_text(edit(phase.read_text(), "duration_days: 1\n", "duration_days: 3\n"))  # 1.2 re-estimated
    assert (
        freeze(runner, root, "--replan", "--reason", "1.2 re-estimated", "--at", "2025-01-11T10:00:00Z").exit_code == 0
    )
    replan = json.loads((root / "phases/phase-01/plan.json").read_text())["plans"][1]
    # 1.1 as it happened (two days late); 1.2 from its actual start, with the 2 of its 3 days left after the latest snapshot
    assert {
        tid: (t["start"], t["finish"], t["start_days"], t["finish_days"]) for tid, t in replan["tasks"].items()
    } == {
        "1.1": ("2025-01-06T09:00:00Z", "2025-01-10T09:00:00Z", 0, 4),
        "1.2": ("2025-01-10T09:00:00Z", "2025-01-13T09:00:00Z", 4, 7),
    }
    assert (replan["finish"], replan["total_days"]) == ("2025-01-13T09:00:00Z", 7)
    p, _ = phase_facts(root)
    assert (p.gauge.state, p.gauge.days) == ("on_schedule", 0.0)  # nothing is behind a plan made just now
    assert [t.overdue_days for t in p.tasks] == [0.0, 0.0]


def test_replan_from_sets_when_the_remaining_work_starts(project, runner):
    root = project(minimal())
    assert freeze(runner, root, "--at", "2025-01-05T12:00:00Z").exit_code == 0
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/a.json").write_text(
        '{"timestamp": "2025-01-09T09:00:00Z", "tasks": {"1.1": {"state": "complete", "at": "2025-01-08T21:00:00Z"}}}'
    )
    phase = root / "phases/phase-01/phase.yaml"
    phase.write_text(edit(phase.read_text(), "duration_days: 1\n", "duration_days: 2\n"))
    result = freeze(
        runner, root, "--replan", "--reason", "x", "--at", "2025-01-09T10:00:00Z", "--from", "2025-01-13T09:00:00Z"
    )
    assert result.exit_code == 0, result.output
    tasks = json.loads((root / "phases/phase-01/plan.json").read_text())["plans"][1]["tasks"]
    assert (tasks["1.2"]["start"], tasks["1.2"]["finish"], tasks["1.2"]["start_days"]) == (
        "2025-01-13T09:00:00Z",
        "2025-01-15T09:00:00Z",
        7,
    )
    assert tasks["1.1"]["finish"] == "2025-01-08T21:00:00Z"  # done work keeps its actual finish
    refused = freeze(runner, root, "--from", "2025-01-13T09:00:00Z")
    assert (refused.exit_code, refused.output) == (
        1,
        "Error: --from goes with --replan: the first plan schedules the phase from its start\n",
    )


def test_a_replan_after_work_recorded_before_the_phase_start_still_validates(project, runner):
    root = project(minimal())
    assert freeze(runner, root, "--at", "2025-01-05T12:00:00Z").exit_code == 0
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/a.json").write_text(
        '{"timestamp": "2025-01-06T08:00:00Z", "tasks": {"1.1": "complete"}}'  # an hour before the start
    )
    phase = root / "phases/phase-01/phase.yaml"
    text = edit(phase.read_text(), "created: 2025-01-06T09:00:00Z", "created: 2025-01-05T09:00:00Z")
    phase.write_text(edit(text, "duration_days: 1\n", "duration_days: 2\n"))
    result = freeze(runner, root, "--replan", "--reason", "x", "--at", "2025-01-06T10:00:00Z")
    assert result.exit_code == 0, result.output
    tasks = json.loads((root / "phases/phase-01/plan.json").read_text())["plans"][1]["tasks"]
    assert (tasks["1.1"]["finish"], tasks["1.1"]["finish_days"]) == ("2025-01-06T08:00:00Z", 0.000001)
    assert (tasks["1.2"]["start"], tasks["1.2"]["finish"]) == ("2025-01-06T09:00:00Z", "2025-01-08T09:00:00Z")
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 0


# -- a plan.json that cannot be (issue 25, 9) ----------------------------------------------


def _frozen(project, runner, edit) -> str:
    """Freeze the minimal project, ``edit`` plan.json's data, and return what validate says."""
    root = project(minimal())
    assert freeze(runner, root, "--at", "2025-01-05T12:00:00Z").exit_code == 0
    path = root / "phases/phase-01/plan.json"
    data = json.loads(path.read_text())
    edit(data["plans"][0])
    path.write_text(json.dumps(data, indent=2))
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output


def test_plan_days_beyond_any_phase_are_refused_not_an_overflow(project, runner):
    def far(v):
        v["tasks"]["1.2"]["finish_days"] = 1e15

    assert _frozen(project, runner, far) == (
        'phases/phase-01/plan.json:2:12: plans[0].tasks["1.2"].finish_days: must be at most 3650, '
        "got the number 1000000000000000.0\n1 error in 1 file\n"
    )


def test_plan_days_bound_is_the_phase_bound():
    from phasedocs.input.plan import MAX_PLAN_DAYS
    from phasedocs.input.project import MAX_PHASE_DAYS

    assert MAX_PLAN_DAYS == MAX_PHASE_DAYS


RESTORE = "plan.json is written by phasedocs freeze; restore it from version control"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"finish_days": 5},
            'plans[0].tasks["1.2"].finish_days: is 5, but start_days 2 + duration_days 1 is 3; '
            + RESTORE
            + '\nphases/phase-01/plan.json:2:12: plans[0].tasks["1.2"].finish_days: is after the plan\'s total_days (3); '
            + RESTORE,
        ),
        (
            {"finish": "2025-01-07T09:00:00Z"},
            'plans[0].tasks["1.2"].finish: is before the task\'s start (2025-01-08T09:00:00+00:00); ' + RESTORE,
        ),
        (
            {"finish": "2025-01-10T09:00:00Z"},
            'plans[0].tasks["1.2"].finish: lies outside the plan (2025-01-06T09:00:00+00:00 to '
            "2025-01-09T09:00:00+00:00); " + RESTORE,
        ),
    ],
)
def test_a_planned_task_must_agree_with_itself_and_its_plan(project, runner, change, message):
    out = _frozen(project, runner, lambda v: v["tasks"]["1.2"].update(change))
    assert out.startswith("phases/phase-01/plan.json:2:12: " + message + "\n")


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda v: v["tasks"].pop("1.2"), "no entry for task(s) 1.2"),
        (lambda v: v["tasks"].update({"9.9": dict(v["tasks"]["1.2"])}), "unknown task(s) 9.9"),
        (
            lambda v: v["tasks"].update({"9.9": v["tasks"].pop("1.2")}),
            "unknown task(s) 9.9 and no entry for task(s) 1.2",
        ),
    ],
)
def test_a_plan_frozen_from_phase_yaml_as_it_is_holds_exactly_its_tasks(project, runner, edit, said):
    assert _frozen(project, runner, edit) == (
        f"phases/phase-01/plan.json:2:12: plans[0].tasks: {said}, though it was frozen from phase.yaml "
        f"as it is now (phase_digest); {RESTORE}\n1 error in 1 file\n"
    )
