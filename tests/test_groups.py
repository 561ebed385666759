"""Groups of tasks inside a phase: validation, the loader's expansion of group:ID, their facts,
their gate in the phase's gate, the documents and the Gantt's bands."""

from __future__ import annotations

import json
from pathlib import Path

from hypothesis import given
from hypothesis import strategies as st

from conftest import PROJECT_YAML
from phasedocs.charts.specs import gantt_spec
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from support import edit, render_all

P = "phases/phase-01/phase.yaml"

GROUPED = """\
number: 1
title: Streams
created: 2025-01-06T09:00:00Z
start: 2025-01-06T09:00:00Z
groups:
  - {id: P1, title: Foundation, lead: architect, criteria: [{id: p1-gate, text: Schema reviewed}]}
  - {id: P2, title: Workflow tests, criteria: [{text: Few warnings, metric: warnings, target: "< 10"}]}
tasks:
  - {id: "1.1", slug: a, title: Alpha, role: dev, duration_days: 1, group: P1}
  - {id: "1.2", slug: b, title: Beta, role: dev, duration_days: 2, group: P1}
  - {id: "1.3", slug: c, title: Gamma, role: qa, duration_days: 1, group: P2, depends_on: ["group:P1"]}
  - {id: "1.4", slug: d, title: Delta, role: qa, duration_days: 1, depends_on: ["1.1", "group:P2"]}
  - {id: "1.5", slug: e, title: Epsilon, role: qa, duration_days: 1, group: P2, depends_on: ["1.1"]}
"""


def files(phase: str = GROUPED, snaps: dict[str, dict] | None = None) -> dict[str, str]:
    out = {"phases/project.yaml": PROJECT_YAML, P: phase}
    for name, data in (snaps or {}).items():
        out[f"phases/phase-01/metrics/{name}"] = json.dumps(data)
    return out


def validate(runner, root: Path) -> tuple[int, str]:
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    return result.exit_code, result.output


def test_group_dependencies_are_expanded_to_task_ids_by_the_loader(project):
    phase = load_project(project(files())).phases[0].phase
    deps = {t.id: t.depends_on for t in phase.tasks}
    # group:P1 is every task of P1; 1.4's 1.1 and group:P2 (1.3, 1.5) each once, in order
    assert deps == {"1.1": (), "1.2": (), "1.3": ("1.1", "1.2"), "1.4": ("1.1", "1.3", "1.5"), "1.5": ("1.1",)}
    facts = compute(load_project(project(files()))).phases[0]
    assert facts.schedule.total_days == 4  # 1.2 (2 days), then 1.3, then 1.4
    assert facts.task("1.3").waiting_for == ("1.1", "1.2")


def test_group_mistakes_are_errors_with_their_place(project, runner):
    bad = (
        GROUPED.replace('group: P2, depends_on: ["1.1"]', 'group: P9, depends_on: ["1.1"]')
        .replace('["1.1", "group:P2"]', '["1.1", "group:Q"]')
        .replace("  - {id: P2, title: Workflow tests", "  - {id: P1, title: Workflow tests")
    )
    code, out = validate(runner, project(files(bad)))
    assert code == 1
    assert out.splitlines() == [
        f"{P}:7:10: groups[1].id: group id 'P1' is used twice (also groups[0]); make it unique",
        f"{P}:11:75: tasks[2].group: unknown group 'P2' (known: P1)",
        f"{P}:12:88: tasks[3].depends_on[1]: unknown group 'Q' (known: P1)",
        f"{P}:13:77: tasks[4].group: unknown group 'P9' (known: P1)",
        "4 errors in 1 file",
    ]


def test_a_group_with_no_tasks_is_an_error(project, runner):
    bad = GROUPED.replace("  - {id: P2, title: Workflow", "  - {id: P3, title: Empty}\n  - {id: P2, title: Workflow")
    code, out = validate(runner, project(files(bad)))
    assert (code, out) == (
        1,
        f"{P}:7:10: groups[1].id: group 'P3' has no tasks; give its tasks group: P3, or remove it\n1 error in 1 file\n",
    )


def test_a_cycle_through_groups_names_the_groups(project, runner):
    # P1's first task waits for group P2, whose tasks wait for group P1
    bad = GROUPED.replace("duration_days: 1, group: P1}", 'duration_days: 1, group: P1, depends_on: ["group:P2"]}')
    code, out = validate(runner, project(files(bad)))
    assert (code, out) == (
        1,
        f"{P}:9:93: tasks[0].depends_on[0]: dependency cycle 1.1 -> group:P2 -> 1.3 -> group:P1 -> 1.1; "
        "remove one of these dependencies; group:ID means every task of the group\n1 error in 1 file\n",
    )
    # a task that depends on its own group is a cycle too
    own = GROUPED.replace('group: P2, depends_on: ["1.1"]', 'group: P2, depends_on: ["group:P2"]')
    code, out = validate(runner, project(files(own)))
    assert (code, out) == (
        1,
        f"{P}:13:94: tasks[4].depends_on[0]: dependency cycle 1.5 -> group:P2 -> 1.5; "
        "remove one of these dependencies; group:ID means every task of the group\n1 error in 1 file\n",
    )


def test_group_criteria_ids_are_hand_checks_of_the_phase(project, runner):
    snaps = {"a.json": {"timestamp": "2025-01-06T09:00:00Z", "checks": {"p1-gate": True, "nope": True}}}
    code, out = validate(runner, project(files(snaps=snaps)))
    assert (code, out) == (
        1,
        "phases/phase-01/metrics/a.json:1:75: checks.nope: unknown hand-checked criterion 'nope' (known: p1-gate)\n"
        "1 error in 1 file\n",
    )


def test_group_facts_span_progress_and_gate(project):
    snaps = {
        "a.json": {"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "metrics": {"warnings": 30},
                   "tasks": {"1.1": "in_progress", "1.2": "in_progress"}},
        "b.json": {"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.1": "complete"}},
        "c.json": {"timestamp": "2025-01-09T09:00:00Z", "checks": {"p1-gate": True},
                   "tasks": {"1.2": "complete", "1.3": "in_progress", "1.5": "in_progress"}},
    }  # fmt: skip
    p = compute(load_project(project(files(snaps=snaps)))).phases[0]
    p1, p2 = p.groups
    assert (p1.id, p1.state, p1.tasks_complete, p1.percent, p1.gate) == ("P1", "complete", 2, 100.0, "passed")
    assert (p1.plan_start_days, p1.plan_finish_days, p1.finish_days) == (0.0, 2.0, 3.0)
    assert (p1.actual_start.day, p1.actual_finish.day, p1.gauge, p1.gauge_days) == (6, 9, "behind", 1.0)
    assert (p2.state, p2.tasks_complete, p2.actual_finish, p2.gate) == ("active", 0, None, "open")
    # the group's criteria are in the phase's, scoped group:ID, settled only when the group is complete
    scoped = {c.scope: (c.state, c.settled) for c in p.criteria}
    assert scoped == {"group:P1": ("met", True), "group:P2": ("off_track", False)}


def test_a_failed_settled_group_gate_fails_the_phase_gate(project, runner):
    snaps = {
        "a.json": {"timestamp": "2025-01-06T09:00:00Z", "metrics": {"warnings": 30}, "tasks": {"1.1": "complete"}},
        "b.json": {"timestamp": "2025-01-08T09:00:00Z", "tasks": {"1.2": "complete", "1.5": "complete"}},
        "c.json": {"timestamp": "2025-01-09T09:00:00Z", "tasks": {"1.3": "complete"}},
    }
    root = project(files(snaps=snaps))
    p = compute(load_project(root)).phases[0]
    assert [g.gate for g in p.groups] == ["unsettled", "failed"]  # P1's hand check never recorded
    assert [(f.kind, f.subject, str(f.since)) for f in p.gate_failures] == [
        ("missed", "group:P2: Few warnings", "2025-01-09 09:00:00+00:00")
    ]
    result = runner.invoke(main, ["check", "--project", str(root)])
    assert result.exit_code == 1
    assert "group:P2: Few warnings" in result.output
    pages = render_all(root)
    dashboard = pages["phase-01/COORDINATION-DASHBOARD.md"]
    assert "| P2 Workflow tests | 1.3, 1.5 | 2/2 (100%), ✅ complete |" in dashboard
    assert "❌ **failed**: missed Few warnings |" in dashboard
    assert "❌ **never settled**: Schema reviewed never measured or checked |" in dashboard
    assert "- Missed since 2025-01-09 09:00 UTC: group:P2: Few warnings: target &lt; 10, value 30" in dashboard


def test_documents_and_final_metrics_show_groups(project):
    root = project(files())
    pages = render_all(root)
    for name in ("COORDINATION-DASHBOARD.md", "COORDINATOR-HANDOFF.md", "COMPLETION-REPORT.md"):
        text = pages[f"phase-01/{name}"]
        assert "| Group | Tasks | Progress | Planned | Actual or forecast | Against plan | Gate |" in text, name
        assert "| P1 Foundation (lead: architect) | 1.1, 1.2 | 0/2 (0%), 📋 planned |" in text, name
    fm = json.loads(pages["phase-01/final-metrics.json"])
    assert [(g["id"], g["tasks"], g["gate"]) for g in fm["groups"]] == [
        ("P1", ["1.1", "1.2"], "open"),
        ("P2", ["1.3", "1.5"], "open"),
    ]
    assert [t.get("group") for t in fm["tasks"]] == ["P1", "P1", "P2", None, "P2"]


def test_the_gantt_bands_tasks_by_group(project):
    facts = compute(load_project(project(files())))
    spec = gantt_spec(facts.phases[0], facts)
    # each group's tasks together in the order of groups:, tasks of no group last
    assert [b.id for b in spec.bars] == ["1.1", "1.2", "1.3", "1.5", "1.4"]
    assert [(g.id, g.label, g.tasks, g.start, g.finish) for g in spec.groups] == [
        ("P1", "P1 Foundation", ("1.1", "1.2"), 0.0, 2.0),
        ("P2", "P2 Workflow tests", ("1.3", "1.5"), 1.0, 3.0),
    ]
    assert spec.alt.endswith("; groups: P1 Foundation: 1.1, 1.2; P2 Workflow tests: 1.3, 1.5")


def test_without_groups_the_gantt_has_no_bands(project):
    facts = compute(load_project(project(files(GROUPED.split("groups:")[0] + "tasks:" + GROUPED.split("tasks:")[1]
                                               .replace(", group: P1", "").replace(", group: P2", "")
                                               .replace('"group:P1"', '"1.2"').replace('"group:P2"', '"1.3"')))))  # fmt: skip
    spec = gantt_spec(facts.phases[0], facts)
    assert spec.groups == ()
    assert [b.id for b in spec.bars] == ["1.1", "1.2", "1.3", "1.4", "1.5"]


def test_the_drawn_gantt_holds_a_band_per_group(project):
    from phasedocs.charts import drawing
    from phasedocs.input.site_config import ChartStyle

    facts = compute(load_project(project(files())))
    svg = drawing.draw(gantt_spec(facts.phases[0], facts), ChartStyle()).decode()
    assert 'id="group-P1"' in svg and 'id="group-P2"' in svg
    assert svg.index('id="group-P1"') < svg.index('id="task-1.1"')  # drawn under the bars


def test_a_group_named_in_a_phase_without_groups_says_where_groups_go(project, runner):
    from conftest import PHASE_YAML

    bad = edit(PHASE_YAML, 'depends_on: ["1.1"]', 'depends_on: ["group:P1"]\n    group: P1')
    code, out = validate(runner, project(files(bad)))
    assert code == 1
    assert out.splitlines() == [
        f"{P}:21:18: tasks[1].depends_on[0]: unknown group 'P1' (the phase has no groups: list it under groups:)",
        f"{P}:22:12: tasks[1].group: unknown group 'P1' (the phase has no groups: list it under groups:)",
        "2 errors in 1 file",
    ]


def test_hostile_group_text_and_waiver_notes_render_as_text(project):
    evil = "<img src=x onerror=alert(1)>"
    phase = GROUPED.replace("title: Foundation, lead: architect", f'title: "{evil}", lead: "{evil}"')
    snaps = {
        "a.json": {"timestamp": "2025-01-06T09:00:00Z",
                   "tasks": {"1.3": {"state": "in_progress", "waived": ["1.1", "1.2"], "note": evil}}},
    }  # fmt: skip
    pages = render_all(project(files(phase, snaps)))
    for name in ("COORDINATION-DASHBOARD.md", "COORDINATOR-HANDOFF.md", "COMPLETION-REPORT.md", "task-1.3-c.md"):
        text = pages[f"phase-01/{name}"]
        assert "<img" not in text, name
        assert "&lt;img src=x onerror=alert(1)" in text, name


@st.composite
def _grouped_phases(draw):
    """A small acyclic phase whose dependencies name tasks and groups of earlier tasks only."""
    n = draw(st.integers(2, 7))
    groups = [draw(st.sampled_from(["G0", "G1", "G2", None])) for _ in range(n)]
    tasks = []
    for i in range(n):
        # a group may be named once every one of its tasks comes before this one
        closed = sorted({g for g in groups[:i] if g is not None and g not in groups[i:]})
        names = [f"t{j}" for j in range(i)] + [f"group:{g}" for g in closed]
        deps = draw(st.lists(st.sampled_from(names), max_size=3, unique=True)) if names else []
        task = {"id": f"t{i}", "slug": f"t{i}", "title": "T", "role": "r", "duration_days": draw(st.integers(1, 3))}
        task.update({"depends_on": deps, **({"group": groups[i]} if groups[i] else {})})
        tasks.append(task)
    used = sorted({g for g in groups if g})
    return {
        "number": 1,
        "title": "P",
        "created": "2025-01-06T09:00:00Z",
        "start": "2025-01-06T09:00:00Z",
        "groups": [{"id": g, "title": g} for g in used],
        "tasks": tasks,
    }


@given(_grouped_phases())
def test_group_dependencies_mean_the_same_as_their_tasks_written_out(data):
    from phasedocs.facts.graph import topological
    from phasedocs.input.cpm import critical_path_method
    from phasedocs.input.models import Phase
    from phasedocs.input.project import expand_groups
    from phasedocs.input.records import parse

    members = {g["id"]: [t["id"] for t in data["tasks"] if t.get("group") == g["id"]] for g in data["groups"]}
    written = json.loads(json.dumps(data))
    for t in written["tasks"]:
        out: list[str] = []
        for d in t["depends_on"]:
            out += [x for x in (members[d[6:]] if d.startswith("group:") else [d]) if x not in out]
        t["depends_on"] = out
    expanded, explicit = expand_groups(parse(Phase, data)), parse(Phase, written)
    assert expanded == explicit
    tasks = list(expanded.tasks)
    cpm = critical_path_method(tasks, topological(tasks))
    assert cpm.total == critical_path_method(list(explicit.tasks), topological(list(explicit.tasks))).total
