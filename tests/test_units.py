"""Version 3 of the format, part one: durations with units, phases of hours, milestones, task links.

A sprint of hours reads in hours ("12.5 h", never "0.520835 days"); a milestone is a dated
checkpoint drawn as a diamond, never launched, its due date set against the point forecast;
a task's links are links only where they are http(s) URLs.
"""

from __future__ import annotations

import json
import re

import pytest

from conftest import PHASE_YAML, PROJECT_YAML, minimal, tree
from phasedocs.charts import drawing
from phasedocs.charts import specs as charts
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.models import Units, to_days
from phasedocs.input.project import load_project
from phasedocs.input.site_config import ChartStyle
from phasedocs.render.filters import link
from phasedocs.render.renderer import Renderer
from phasedocs.units import Span
from support import SPRINT, SPRINT_PROJECT, edit

P = "phases/phase-01/phase.yaml"


def sprint(project, snapshots: dict[str, dict] | None = None):
    files = {"phases/project.yaml": SPRINT_PROJECT, P: SPRINT}
    for name, data in (snapshots or {}).items():
        files[f"phases/phase-01/metrics/{name}.json"] = json.dumps(data)
    root = project(files)
    facts = compute(load_project(root))
    return facts, facts.phases[0], Renderer().phase_documents(facts, facts.phases[0])


# --------------------------------------------------------------------------- durations with units
@pytest.mark.parametrize(
    ("text", "units", "days"),
    [
        ("90m", Units(), 1.5 / 24),
        ("4h", Units(8, 5), 0.5),
        ("1.5d", Units(8, 5), 1.5),
        ("2w", Units(8, 5), 10),
        ("2w", Units(), 14),
        ("12.5h", Units(), 12.5 / 24),
    ],
)
def test_a_duration_with_its_unit_is_days_of_work_on_the_calendar(text, units, days):
    assert to_days(text, units) == pytest.approx(days, abs=1e-9)


def test_a_sprint_of_hours_reads_in_hours_everywhere(project):
    _, p, docs = sprint(project)
    assert p.span == Span(24.0)
    assert p.schedule.total_days == pytest.approx(12.5 / 24, abs=1e-6)
    readme = docs["phase-01/README.md"]
    assert "**Planned duration:** 12.5 h (critical path: 1.1 → 1.2 → 1.3 → 1.4)." in readme
    assert "| 4 h | hour 0 to 4 | 0 h |" in readme
    assert "| 1.5 h | hour 4 to 5.5, after 1.1 | 0 h |" in readme
    assert "Durations count every hour, round the clock: nights and weekends too." in readme
    for name, text in docs.items():  # one unit per document: no day anywhere in a phase of hours
        assert not re.search(r"\d days?\b|\bday \d|a day lost", text), (
            name,
            re.search(r".*(\d days?\b|\bday \d|a day lost).*", text),
        )
        assert "0.52" not in text, name
    assert (
        "- Task 1.1 is critical (no slack): an hour lost there is an hour lost for the phase."
        in (docs["phase-01/COORDINATION-SUMMARY.md"])
    )


def test_a_phase_of_hours_says_late_and_overdue_in_hours(project):
    _, _, docs = sprint(
        project,
        {
            "a": {"timestamp": "2025-11-09T08:00:00Z", "tasks": {"1.1": "in_progress"}},
            "b": {"timestamp": "2025-11-09T14:30:00Z", "tasks": {"1.1": "complete", "1.2": "in_progress"}},
        },
    )
    harness = docs["phase-01/task-1.1-harness.md"]
    assert "**Duration:** 4 h · **Status:** ✅ complete 2025-11-09 14:30 UTC (2.5 h late)" in harness
    assert "Done: finished 2025-11-09 14:30 UTC, 2.5 h late after 6.5 h of work from its start." in harness
    assert "| hour 0 (2025-11-09 08:00 UTC) | hour 4 (2025-11-09 12:00 UTC) | 0 h | yes |" in harness


def test_a_phase_written_in_days_keeps_its_days(project):
    root = project(minimal())
    facts = compute(load_project(root))
    assert facts.phases[0].span == Span()
    docs = Renderer().phase_documents(facts, facts.phases[0])
    assert "| 2 days | day 0 to 2 | 0 days |" in docs["phase-01/README.md"]


def test_the_roadmap_shows_each_phase_in_its_own_unit(project):
    root = project({"phases/project.yaml": SPRINT_PROJECT, P: SPRINT})
    facts = compute(load_project(root))
    roadmap = Renderer().project_files(facts)["roadmap.md"].decode()
    assert "| 12.5 h |" in roadmap


def test_durations_with_units_on_working_hours_land_on_the_clock(project):
    work = edit(PROJECT_YAML, "calendar: calendar", 'calendar: workdays\nworkday: {start: "09:00", hours: 8}')
    body = edit(PHASE_YAML, "duration_days: 2", "duration: 12h").replace("duration_days: 1", "duration: 90m")
    root = project({"phases/project.yaml": work, P: body})
    facts = compute(load_project(root))
    p = facts.phases[0]
    # Monday 09:00 + 12 working hours: Monday's 8, then Tuesday 09:00 to 13:00; then 90 minutes
    assert [(t.start_at.isoformat(), t.finish_at.isoformat()) for t in p.tasks] == [
        ("2025-01-06T09:00:00+00:00", "2025-01-07T13:00:00+00:00"),
        ("2025-01-07T13:00:00+00:00", "2025-01-07T14:30:00+00:00"),
    ]
    assert p.span == Span(8.0)
    assert "**Planned duration:** 13.5 h" in Renderer().phase_documents(facts, p)["phase-01/README.md"]


# --------------------------------------------------------------------------- validate
BAD = {
    "both": (
        edit(PHASE_YAML, "duration_days: 2", "duration_days: 2\n    duration: 4h"),
        f"{P}:6:5: tasks[0]: gives both duration (4h) and duration_days (2); keep one of them",
    ),
    "bad unit": (
        edit(PHASE_YAML, "duration_days: 2", "duration: 5x"),
        f"{P}:10:15: tasks[0].duration: '5x' is not a duration; write a number and a unit: m (minutes), "
        "h (hours), d (working days) or w (working weeks), such as 90m, 4h, 1.5d or 2w",
    ),
    "no unit": (
        edit(PHASE_YAML, "duration_days: 2", "duration: 5"),
        f"{P}:10:15: tasks[0].duration: 5 has no unit; write 5d (working days) or 5h (hours), or use duration_days",
    ),
    "neither": (
        edit(PHASE_YAML, "    duration_days: 2\n", ""),
        f"{P}:6:5: tasks[0]: needs a duration: duration (90m, 4h, 1.5d, 2w) or duration_days (a number of days)",
    ),
    "milestone with a duration": (
        edit(PHASE_YAML, "duration_days: 1", "duration_days: 1\n    milestone: true"),
        f"{P}:16:5: tasks[1]: a milestone takes no time; remove duration_days (or milestone: true)",
    ),
    "due not a date": (
        edit(PHASE_YAML, "duration_days: 1", "milestone: true\n    due: next tuesday"),
        f"{P}:21:10: tasks[1].due: 'next tuesday' is not a date-time; write ISO 8601 such as 2025-10-23T08:00:00Z",
    ),
    "due without a zone": (
        edit(PHASE_YAML, "duration_days: 1", "milestone: true\n    due: 2025-01-09"),
        f"{P}:21:10: tasks[1].due: '2025-01-09' has no time zone; add 'Z' (UTC) or an offset such as +02:00",
    ),
    "due on a task": (
        edit(PHASE_YAML, "duration_days: 1", "duration_days: 1\n    due: 2025-01-09T12:00:00Z"),
        f"{P}:16:5: tasks[1]: due goes with milestone: true; give the date to a milestone that depends on this task",
    ),
    "links a list": (
        edit(PHASE_YAML, "duration_days: 1", "duration_days: 1\n    links: [issue, '#3']"),
        f"{P}:21:12: tasks[1].links: expected a mapping (key: value), got a list",
    ),
    "link not text": (
        edit(PHASE_YAML, "duration_days: 1", "duration_days: 1\n    links: {issue: 14}"),
        f'{P}:21:20: tasks[1].links.issue: expected text, got the number 14; quote it: "14"',
    ),
    "estimate unit": (
        edit(PHASE_YAML, "duration_days: 1", "duration: 2h\n    estimate: {low: 1h, high: 3x}"),
        f"{P}:21:31: tasks[1].estimate.high: '3x' is not a duration; write a number and a unit: m (minutes), "
        "h (hours), d (working days) or w (working weeks), such as 90m, 4h, 1.5d or 2w",
    ),
    "estimate outside": (
        edit(PHASE_YAML, "duration_days: 1", "duration: 2h\n    estimate: {low: 3h, high: 4h}"),
        f"{P}:16:5: tasks[1]: estimate must hold the duration (2h): low <= duration <= high",
    ),
}


@pytest.mark.parametrize("case", list(BAD))
def test_each_mistake_in_the_new_fields_is_a_located_error(project, runner, case):
    text, message = BAD[case]
    root = project(minimal(**{P: text}))
    before = tree(root)
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == message
    assert tree(root) == before


def test_calendar_continuous_refuses_working_hours(project, runner):
    text = edit(PROJECT_YAML, "calendar: calendar", 'calendar: continuous\nworkday: {start: "09:00", hours: 8}')
    root = project(minimal(**{"phases/project.yaml": text}))
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert "workday apply to the workdays calendar only" in result.output


def test_the_schema_covers_the_new_fields(tmp_path, runner):
    assert runner.invoke(main, ["schema", "--output", str(tmp_path)]).exit_code == 0
    phase = json.loads((tmp_path / "phase.schema.json").read_text())
    task = phase["$defs"]["Task"]["properties"]
    assert {"duration", "milestone", "due", "links"} <= set(task)
    assert task["links"]["additionalProperties"]["type"] == "string"
    low = phase["$defs"]["Estimate"]["properties"]["low"]["anyOf"]
    assert any(form.get("type") == "string" and re.match(form["pattern"], "1.5h") for form in low)
    project_schema = json.loads((tmp_path / "project.schema.json").read_text())
    assert "continuous" in project_schema["properties"]["calendar"]["enum"]


# --------------------------------------------------------------------------- milestones
def test_a_milestone_is_a_dated_checkpoint_with_its_gate_and_due_date(project):
    _, p, docs = sprint(
        project,
        {"a": {"timestamp": "2025-11-09T13:00:00Z", "tasks": {"1.1": "complete", "1.2": "in_progress"}}},
    )
    (ms,) = p.milestones
    assert (ms.id, ms.state, ms.gate, ms.passed, ms.criteria) == ("1.3", "waiting", "open", 0, 1)
    assert ms.planned.isoformat() == "2025-11-09T13:30:00+00:00"
    assert ms.finish.isoformat() == "2025-11-09T14:30:00+00:00"  # 1.2's 1.5 h from now
    assert (ms.meets_due, ms.due_days) == (False, pytest.approx(1.5 / 24))
    row = (
        "| ◆ 1.3 Integration checkpoint | 2025-11-09 13:30 UTC | forecast 2025-11-09 14:30 UTC | ⏸️ waiting | "
        "⏳ open (0 of 1 criterion met) | 2025-11-09 13:00 UTC: **forecast to be missed by 1.5 h** |"
    )
    for name in ("README.md", "COORDINATION-DASHBOARD.md", "COORDINATOR-HANDOFF.md"):
        assert row in docs[f"phase-01/{name}"], name
    assert (
        "- Task 1.3 waits for 1.2 (🔄 in progress): check its gate only when that is complete."
        in (docs["phase-01/COORDINATOR-HANDOFF.md"])
    )
    assert "the point forecast" in docs["phase-01/README.md"]


def test_a_ready_milestone_is_checked_and_recorded_never_launched(project):
    _, p, docs = sprint(
        project,
        {
            "a": {"timestamp": "2025-11-09T12:00:00Z", "tasks": {"1.1": "complete", "1.2": "complete"}},
        },
    )
    assert p.task("1.3").state == "ready"
    handoff = docs["phase-01/COORDINATOR-HANDOFF.md"]
    assert "task 1.3" not in handoff.split("### Step 3")[0]  # no launch block for it
    assert "- ◆ 1.3 is ready: its dependencies are complete. Check its gate (⏳ open (0 of 1 criterion met))" in handoff
    assert "| 2025-11-09 13:00 UTC: forecast to be met, 1 h to spare |" in handoff
    assert "agent run 1.3" not in handoff and "agent run 1.3" not in docs["phase-01/README.md"]
    _, p2, docs2 = sprint(
        project,
        {
            "a": {
                "timestamp": "2025-11-09T12:00:00Z",
                "tasks": {"1.1": "complete", "1.2": "complete"},
                "checks": {"cp-1": True},
            },
        },
    )
    assert p2.milestones[0].gate == "passed"
    assert (
        "Its gate passes: record it reached with `phasedocs record 1 --task 1.3=complete`."
        in (docs2["phase-01/COORDINATOR-HANDOFF.md"])
    )


def test_a_reached_milestone_says_whether_it_met_its_due_date(project):
    _, p, docs = sprint(
        project,
        {
            "a": {"timestamp": "2025-11-09T12:00:00Z", "tasks": {"1.1": "complete", "1.2": "complete"}},
            "b": {"timestamp": "2025-11-09T14:00:00Z", "tasks": {"1.3": "complete"}, "checks": {"cp-1": True}},
        },
    )
    ms = p.milestones[0]
    assert (ms.state, ms.gate, ms.meets_due) == ("complete", "passed", False)
    assert "reached 2025-11-09 14:00 UTC" in docs["phase-01/README.md"]
    assert "2025-11-09 13:00 UTC: **missed by 1 h**" in docs["phase-01/README.md"]
    assert p.task("1.3").progress_percent == 100.0


def test_the_gantt_draws_a_milestone_as_a_diamond(project):
    facts, p, _ = sprint(project)
    spec = charts.gantt_spec(p, facts)
    bars = {b.id: b for b in spec.bars}
    assert bars["1.3"].milestone and bars["1.3"].start == bars["1.3"].finish
    assert not bars["1.1"].milestone
    assert "milestones (◆): 1.3" in spec.alt and "over 12.5 h" in spec.alt
    assert spec.hour_labels[:2] == ("hour 0\nSun 08:00", "hour 1\nSun 09:00")
    svg = drawing.draw(spec, ChartStyle()).decode()
    assert 'id="milestone-1.3"' in svg and 'id="critical-1.3"' not in svg
    assert 'id="critical-1.4"' in svg


# --------------------------------------------------------------------------- links
def test_links_are_links_only_where_they_are_http_urls(project):
    _, _, docs = sprint(project)
    line = (
        "**Links:** issue: `#14` · branch: `task/1.1-harness` · "
        "pr: [https://host/org/repo/pull/31](https://host/org/repo/pull/31) · "
        "trap: `javascript:alert(1)` · markup: `[x](javascript:alert(1)) <b>`"
    )
    assert line in docs["phase-01/task-1.1-harness.md"]
    assert f"| 1.1 Harness | {line.removeprefix('**Links:** ')} |" in docs["phase-01/COORDINATION-DASHBOARD.md"]
    assert "](javascript" not in docs["phase-01/COORDINATION-DASHBOARD.md"].replace("`[x](javascript", "")


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("https://x.org/a_(b)", r"[https://x.org/a\_(b)](https://x.org/a_%28b%29)"),
        ("HTTP://X.ORG", "[HTTP://X.ORG](HTTP://X.ORG)"),
        ("javascript:alert(1)", "`javascript:alert(1)`"),
        ("https://x.org/<script>", "`https://x.org/<script>`"),
        ("#3", "`#3`"),
    ],
)
def test_a_link_value_is_a_link_or_literal_code(value, shown):
    assert link(value) == shown


def test_protocol_templates_read_task_links_escaped_for_the_shell(project):
    _, _, docs = sprint(project)
    harness = docs["phase-01/task-1.1-harness.md"]
    assert "gh issue develop '#14' --branch task/1.1-harness" in harness
    # a task without links: the names read as empty text (one empty argument each), so one
    # protocol string serves every task
    assert "gh issue develop '' --branch ''" in docs["phase-01/task-1.2-worker.md"]


def test_a_plan_with_a_milestone_is_frozen_and_read_back(project, runner):
    root = project(
        {"phases/project.yaml": SPRINT_PROJECT, P: SPRINT.replace('depends_on: ["1.2"], criteria', "criteria")}
    )
    assert runner.invoke(main, ["freeze", "1", "--project", str(root)]).exit_code == 0
    plan = json.loads((root / "phases/phase-01/plan.json").read_text())
    assert plan["plans"][0]["tasks"]["1.3"]["duration_days"] == 0
    assert plan["plans"][0]["tasks"]["1.3"]["finish_days"] == 0  # a milestone with no dependency: at the start
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert result.exit_code == 0, result.output


def test_the_burnup_and_the_gate_count_a_phase_of_hours_in_hours(project):
    facts, p, docs = sprint(
        project,
        {
            "a": {"timestamp": "2025-11-09T08:00:00Z", "tasks": {"1.1": "in_progress"}},
            "b": {"timestamp": "2025-11-09T08:15:00Z", "tasks": {"1.1": "complete"}},
        },
    )
    burnup = charts.burnup_spec(p, facts)
    assert (burnup.unit, burnup.scope[-1][1], burnup.completed[-1][1]) == ("task-hours", 12.5, 4)
    assert burnup.alt.startswith("Burn-up of phase 1: scope 12.5 task-hours; 4 task-hours complete by 2025-11-09")
    assert max(y for _, y in burnup.plan) == 12.5
    finding = next(f for f in p.gate if f.subject == "Task 1.1")
    assert finding.detail == (
        "complete 0.25 h after it started, under a tenth of its planned 4 h: verify when it started and finished"
    )
    assert "0.25 h after it started" in docs["phase-01/COORDINATION-DASHBOARD.md"]


def test_final_metrics_lists_milestones_only_when_a_phase_has_some(project, runner):
    root = project({"phases/project.yaml": SPRINT_PROJECT, P: SPRINT})
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    fm = json.loads((root / "docs/phase-01/final-metrics.json").read_text())
    assert fm["milestones"] == [
        {
            "id": "1.3",
            "state": "waiting",
            "planned": "2025-11-09T13:30:00Z",
            "finish": "2025-11-09T13:30:00Z",
            "reached": False,
            "gate": "open",
            "due": "2025-11-09T13:00:00Z",
            "meets_due": False,
            "due_by": "point forecast",
        }
    ]
    assert fm["schedule"]["total_days"] == pytest.approx(12.5 / 24, abs=1e-6)  # facts stay in days
    (root / P).write_text(PHASE_YAML)  # a phase without milestones: final-metrics.json as before
    (root / "phases/project.yaml").write_text(PROJECT_YAML)
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    assert "milestones" not in json.loads((root / "docs/phase-01/final-metrics.json").read_text())


def test_a_hostile_link_reaches_the_shell_as_the_text_it_is(project):
    proj = edit(
        PROJECT_YAML,
        "  before: ['gh issue develop {{ task.id }}']",
        """  before: ['git worktree add {{ task.links.worktree }} "{{ task.links.branch }}"']""",
    )
    body = edit(
        PHASE_YAML,
        "duration_days: 1",
        "duration_days: 1\n    links: {worktree: '../w $(touch pwned)', branch: 'x\"; rm -rf ~; echo \"'}",
    )
    root = project(minimal(**{"phases/project.yaml": proj, P: body}))
    facts = compute(load_project(root))
    docs = Renderer().phase_documents(facts, facts.phases[0])
    line = next(x for x in docs["phase-01/task-1.2-beta.md"].splitlines() if x.startswith("git worktree add"))
    assert line == """git worktree add '../w $(touch pwned)' ""'x"; rm -rf ~; echo "'\"\""""
    # the task without links: empty words, nothing else
    assert "git worktree add '' \"\"" in docs["phase-01/task-1.1-alpha.md"]  # an empty bare value is one empty argument


def test_a_milestone_forecast_on_its_due_date_is_met_with_nothing_to_spare(project):
    root = project({"phases/project.yaml": SPRINT_PROJECT, P: SPRINT.replace("13:00:00Z", "14:30:00Z")})
    snap = {"timestamp": "2025-11-09T13:00:00Z", "tasks": {"1.1": "complete", "1.2": "in_progress"}}
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/a.json").write_text(json.dumps(snap))
    facts = compute(load_project(root))
    docs = Renderer().phase_documents(facts, facts.phases[0])
    assert facts.phases[0].milestones[0].meets_due is True
    assert "| 2025-11-09 14:30 UTC: forecast to be met, with nothing to spare |" in docs["phase-01/README.md"]


def test_a_milestone_behind_a_blocked_task_is_forecast_only_if_it_goes_on_now(project):
    # 1.1 is blocked: the point forecast has it go on at once, which nobody can promise
    _, p, docs = sprint(project, {"a": {"timestamp": "2025-11-09T08:30:00Z", "tasks": {"1.1": "blocked"}}})
    (ms,) = p.milestones
    assert (ms.id, ms.blocked_by) == ("1.3", ("1.1",))
    row = next(line for line in docs["phase-01/COORDINATION-DASHBOARD.md"].splitlines() if line.startswith("| ◆ 1.3"))
    assert row.endswith("| 2025-11-09 13:00 UTC: **forecast to be missed by 1 h** even if blocked 1.1 goes on now |"), (
        row
    )


def test_the_briefing_never_tells_a_milestone_to_start(project):
    _, _, docs = sprint(project)
    briefing = docs["phase-01/AGENT-BRIEFING.md"]
    assert "A checkpoint, never started: it is reached once 1.2 is complete and its gate passes." in briefing
    assert "Do not start until 1.2 is complete" not in briefing
