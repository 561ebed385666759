"""Reality out of order, recorded honestly: waivers on snapshot entries, record --waive, and
tasks added to a phase after its plan (added:)."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import PHASE_YAML, PROJECT_YAML
from phasedocs.charts.specs import burnup_spec
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from support import edit, render_all

P = "phases/phase-01/phase.yaml"
J = "phases/phase-01/metrics/{}"
# 1.3 depends on 1.1 and 1.2
PHASE = (
    PHASE_YAML
    + """\
  - id: "1.3"
    slug: gamma
    title: Gamma
    role: ops
    duration_days: 1
    depends_on: ["1.1", "1.2"]
"""
)


def files(snaps: dict[str, object], phase: str = PHASE) -> dict[str, str]:
    out = {"phases/project.yaml": PROJECT_YAML, P: phase}
    out.update({J.format(name): json.dumps(data) for name, data in snaps.items()})
    return out


def validate(runner, root: Path) -> tuple[int, str]:
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    return result.exit_code, result.output


AHEAD = {
    "a.json": {"timestamp": "2025-01-06T09:00:00Z", "tasks": {"1.1": "in_progress"}},
    "b.json": {
        "timestamp": "2025-01-07T09:00:00Z",
        "tasks": {"1.3": {"state": "complete", "waived": ["1.1", "1.2"], "note": "the guide shipped first"}},
    },
}


def test_a_task_may_go_ahead_of_its_dependencies_when_it_waives_them_with_a_note(project, runner):
    root = project(files(AHEAD))
    assert validate(runner, root) == (0, "ok: 1 phase(s), 3 task(s), 2 snapshot(s)\n")
    p = compute(load_project(root)).phases[0]
    t = p.task("1.3")
    assert (t.state, t.waived, t.waived_note, str(t.waived_at)) == (
        "complete",
        ("1.1", "1.2"),
        "the guide shipped first",
        "2025-01-07 09:00:00+00:00",
    )
    # the dependencies stay open on their own
    assert (p.task("1.1").state, p.task("1.2").state) == ("in_progress", "waiting")
    # a waiver names only what it waives: without 1.2 in it, the entry is refused
    AHEAD_ONE = json.loads(json.dumps(AHEAD))
    AHEAD_ONE["b.json"]["tasks"]["1.3"]["waived"] = ["1.1"]
    code, out = validate(runner, project(files(AHEAD_ONE)))
    assert code == 1
    assert "task 1.3 is recorded complete, but its dependency 1.2 is not complete" in out
    assert 'phasedocs record 1 --waive 1.3=1.2 --note 1.3="why"' in out


def test_a_task_that_went_ahead_waits_on_nothing_it_waived(project):
    # 1.3 went ahead of 1.1 and 1.2 and is complete: only 1.2 waits on 1.1 (the dashboard's
    # "Waiting on it" and the task file's "Waiting on this task" listed every dependent)
    blocked = {**AHEAD, "c.json": {"timestamp": "2025-01-08T09:00:00Z", "tasks": {"1.1": "blocked"}}}
    root = project(files(blocked))
    p = compute(load_project(root)).phases[0]
    assert (p.task("1.1").dependents, p.waiting_on("1.1"), p.waiting_on("1.2")) == (("1.2", "1.3"), ("1.2",), ())
    pages = render_all(root)
    assert "Waiting on it: 1.2.\n" in pages["phase-01/COORDINATION-DASHBOARD.md"]
    assert "Waiting on this task: 1.2.\n" in pages["phase-01/task-1.1-alpha.md"]


def test_a_waived_dependency_does_not_hold_a_pending_task(project):
    snaps = {
        "a.json": {
            "timestamp": "2025-01-06T09:00:00Z",
            "tasks": {
                "1.1": "in_progress",
                "1.2": {"state": "pending", "waived": ["1.1"], "note": "spec agreed, 1.1 not needed to start"},
            },
        }
    }
    p = compute(load_project(project(files(snaps)))).phases[0]
    assert (p.task("1.2").state, p.task("1.2").waiting_for) == ("ready", ())
    assert p.task("1.3").waiting_for == ("1.1", "1.2")  # a waiver holds for its own task only
    # the forecast agrees: 1.2 runs from now beside 1.1 (2 days), not after it; 1.3 waits for both
    assert p.task("1.2").days.forecast_finish == 1.0
    assert (p.schedule.forecast_days, p.forecast.p50_days) == (3.0, 3.0)
    task_file = render_all(project(files(snaps)))["phase-01/task-1.2-beta.md"]
    assert (
        "This task can start now: its dependencies (1.1) are complete or waived, and it goes ahead of 1.1 "
        "(see its status above)." in task_file
    )
    assert "Dependencies (1.1) are complete" not in task_file


def test_waiver_mistakes_are_errors_with_their_place(project, runner):
    snaps = {
        "a.json": {"timestamp": "2025-01-06T09:00:00Z", "tasks": {"1.2": {"state": "in_progress", "waived": ["1.1"]}}},
        "b.json": {
            "timestamp": "2025-01-07T09:00:00Z",
            "tasks": {"1.1": {"state": "in_progress", "waived": ["1.2"], "note": "x"}},
        },
    }
    code, out = validate(runner, project(files(snaps)))
    assert (code, out) == (
        1,
        f'{J.format("a.json")}:1:56: tasks["1.2"]: waived (1.1) needs a note saying why the task went ahead of it; '
        "add note\n"
        f"{J.format('b.json')}:1:91: tasks[\"1.1\"].waived[0]: '1.2' is not a dependency of task 1.1 "
        "(it has no dependencies); waive only dependencies it went ahead of\n"
        "2 errors in 2 files\n",
    )


def test_record_waive_writes_the_waiver_with_its_note(project, runner):
    root = project(files({"a.json": AHEAD["a.json"]}))
    args = ["record", "1", "--project", str(root), "--at", "2025-01-07T09:00:00Z", "--task", "1.3=complete"]
    result = runner.invoke(main, [*args, "--waive", "1.3=1.1,1.2"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: nothing recorded:\n"
        '  --waive 1.3=1.1,1.2: say why 1.3 went ahead of 1.1, 1.2: add --note 1.3="..." '
        "(a waiver is recorded with its reason)\n",
    )
    result = runner.invoke(main, [*args, "--waive", "1.3=1.9"])
    assert result.exit_code == 1
    assert "--waive 1.3=1.9: say why" in result.output
    result = runner.invoke(main, [*args, "--waive", "1.3=1.1,1.2", "--note", "1.3=the guide shipped first"])
    assert result.exit_code == 0, result.output
    written = json.loads(next((root / "phases/phase-01/metrics").glob("2025-01-07*")).read_text())
    assert written["tasks"] == {
        "1.3": {"state": "complete", "note": "the guide shipped first", "waived": ["1.1", "1.2"]}
    }
    # without --waive, the refusal names the option
    result = runner.invoke(main, [*args[:-2], "--at", "2025-01-08T09:00:00Z", "--task", "1.2=complete"])
    assert result.exit_code == 1
    assert 'waive it with a note: phasedocs record 1 --waive 1.2=1.1 --note 1.2="why"' in result.output


def test_a_waiver_of_what_is_not_a_dependency_is_refused_by_record(project, runner):
    root = project(files({}))
    result = runner.invoke(
        main,
        ["record", "1", "--project", str(root), "--at", "2025-01-07T09:00:00Z", "--task", "1.2=in_progress",
         "--waive", "1.2=1.3", "--note", "1.2=why"],
    )  # fmt: skip
    assert (result.exit_code, result.output) == (
        1,
        "Error: nothing recorded:\n"
        "  tasks[\"1.2\"].waived[0]: '1.3' is not a dependency of task 1.2 (it depends on 1.1); "
        "waive only dependencies it went ahead of\n",
    )


def test_every_document_that_shows_the_task_shows_its_waiver(project):
    pages = render_all(project(files(AHEAD)))
    words = "went ahead of 1.1, 1.2 (waived 2025-01-07 09:00 UTC: the guide shipped first)"
    for name in ("task-1.3-gamma.md", "COORDINATION-DASHBOARD.md", "COORDINATOR-HANDOFF.md", "COMPLETION-REPORT.md"):
        assert words in pages[f"phase-01/{name}"], name
    # the note is shown once, with the waiver
    assert pages["phase-01/task-1.3-gamma.md"].count("the guide shipped first") == 1
    fm = json.loads(pages["phase-01/final-metrics.json"])
    assert fm["tasks"][2]["waived"] == {
        "tasks": ["1.1", "1.2"],
        "note": "the guide shipped first",
        "at": "2025-01-07T09:00:00Z",
    }
    assert "waived" not in fm["tasks"][0]


ADDED = edit(
    PHASE,
    '    depends_on: ["1.1", "1.2"]\n',
    '    depends_on: ["1.1", "1.2"]\n'
    '  - {id: "1.4", slug: fix, title: Hotfix, role: dev, duration_days: 0.5, added: 2025-01-07T12:00:00Z}\n',
)


def test_an_added_task_is_scope_added_on_the_burnup_and_in_the_report(project, runner):
    root = project(files({"a.json": {"timestamp": "2025-01-08T09:00:00Z", "tasks": {"1.1": "in_progress"}}}, ADDED))
    facts = compute(load_project(root))
    spec = burnup_spec(facts.phases[0], facts)
    # no frozen plan: 4 planned task-days, then 0.5 more when the hotfix joined
    assert [(str(at), days) for at, days in spec.scope[:3]] == [
        ("2025-01-06 09:00:00+00:00", 4.0),
        ("2025-01-07 12:00:00+00:00", 4.5),
        ("2025-01-08 09:00:00+00:00", 4.5),
    ]
    assert "; 0.5 task-days added after the plan;" in spec.alt
    # it cannot have been planned before it joined: phase.yaml's schedule starts it when it was added
    assert facts.phases[0].task("1.4").earliest_start == 1.125
    report = render_all(root)["phase-01/COMPLETION-REPORT.md"]
    assert (
        "## Scope added\n\nTasks that joined the phase after it was planned (counted in the burn-up's scope from "
        "the day they were added):\n\n- Task 1.4 Hotfix: added 2025-01-07 12:00 UTC, 0.5 days of work; 🟢 ready\n"
    ) in report
    # frozen before it joined: added scope, not in the plan, and not the phase's slip against it
    plain = project(files({}, PHASE))
    assert runner.invoke(main, ["freeze", "1", "--project", str(plain), "--at", "2025-01-06T08:00:00Z"]).exit_code == 0
    (plain / P).write_text(ADDED)
    snaps = {"a.json": {"timestamp": "2025-01-09T09:00:00Z", "tasks": {"1.4": "complete", "1.1": "in_progress"}}}
    for name, data in snaps.items():
        (plain / J.format(name)).parent.mkdir(exist_ok=True)
        (plain / J.format(name)).write_text(json.dumps(data))
    p = compute(load_project(plain)).phases[0]
    assert (p.task("1.4").in_plan, p.plan.added) == (False, ("1.4",))
    assert p.gauge.task != "1.4"
    table = render_all(plain)["phase-01/COORDINATION-DASHBOARD.md"]
    assert "not in the plan (scope added 2025-01-07 12:00 UTC); phase.yaml:" in table


def test_an_added_time_before_the_phase_was_created_is_refused(project, runner):
    code, out = validate(runner, project(files({}, ADDED.replace("added: 2025-01-07", "added: 2025-01-01"))))
    assert (code, out) == (
        1,
        f"{P}:28:81: tasks[3].added: 2025-01-01T12:00:00+00:00 is before the phase was created "
        "(2025-01-06T09:00:00+00:00); added says when the task joined the phase: fix it, or remove added "
        "for a task planned from the start\n1 error in 1 file\n",
    )
