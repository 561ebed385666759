"""Big phases: charts stay legible (capped, with a note), files of thousands of tasks load."""

from __future__ import annotations

import sys

import pytest

from conftest import REPO
from phasedocs.charts import specs as charts
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.loader import parse_yaml
from phasedocs.input.project import load_project

sys.path.insert(0, str(REPO / "bench"))
import synth

pytestmark = pytest.mark.scale


def test_a_gantt_of_hundreds_of_tasks_shows_the_ones_that_decide_the_finish(tmp_path, runner):
    root = synth.make(tmp_path / "big", 1, 200, 3)
    facts = compute(load_project(root))
    (p,) = facts.phases
    spec = charts.gantt_spec(p, facts)
    assert len(spec.bars) == charts.MAX_BARS
    critical = {t.id for t in p.tasks if t.critical}
    shown = {b.id for b in spec.bars}
    assert critical <= shown
    most_slack_shown = max(t.slack for t in p.tasks if t.id in shown)
    assert all(t.slack >= most_slack_shown for t in p.tasks if t.id not in shown)
    assert [b.id for b in spec.bars] == [t.id for t in p.tasks if t.id in shown]  # in task order
    assert all(a in shown and b in shown for a, b in spec.arrows)
    assert (
        spec.note
        == "The chart shows 60 of 200 tasks, those with the least slack (the critical path first); the schedule table lists them all."
    )
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    dashboard = (root / "docs/phase-01/COORDINATION-DASHBOARD.md").read_text()
    assert (
        "\n*The chart shows 60 of 200 tasks, those with the least slack (the critical path first); the schedule table lists them all.*\n"
        in dashboard
    )


def test_a_criteria_chart_of_hundreds_shows_the_missed_first(tmp_path):
    root = synth.make(tmp_path / "big", 1, 200, 3)
    facts = compute(load_project(root))
    (p,) = facts.phases
    spec = charts.criteria_spec(p)
    assert spec is not None and len(spec.bars) == charts.MAX_BARS
    states = [b.state for b in spec.bars]
    missed = sum(c.state == "missed" for c in p.criteria if c.measured and isinstance(c.value, (int, float)))
    assert states.count("missed") == min(missed, charts.MAX_BARS)
    assert spec.note.startswith("The chart shows 60 of ")


def test_small_charts_carry_no_note(project):
    root = project(example=True)
    facts = compute(load_project(root))
    for spec in [*charts.phase_specs(facts.phases[0], facts).values(), charts.roadmap_spec(facts)]:
        assert spec.note == ""


def test_a_phase_file_of_five_thousand_tasks_loads():
    lines = ["tasks:"] + [
        f'  - {{id: "1.{i}", slug: t{i}, title: Task {i}, role: dev, duration_days: 1, files: [a, b], objectives: [{{title: x, steps: [a, b]}}]}}'
        for i in range(5000)
    ]
    doc = parse_yaml("\n".join(lines), "phase.yaml")
    assert len(doc.data["tasks"]) == 5000
