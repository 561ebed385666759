"""What the operator reads at 2 a.m.: human context kept, values with their age, one word per fact.

Issue #24, items 4, 5, 8 and 9, on the mid-phase project of ``test_progress`` (one task
overdue with a note, one blocked, two waiting, a recorded health) and small variations of it.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from conftest import PROJECT_YAML
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from support import PHASE, SNAPSHOTS, edit, files, project_yaml, read


def generate(project, runner, tree: dict[str, str]) -> Path:
    """Generate ``tree`` into docs/; return docs/phase-01."""
    root = project(tree)
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "docs"), "-q"])
    assert result.exit_code == 0, result.output
    return root / "docs" / "phase-01"


def section(text: str, heading: str) -> str:
    """The body of the ``## heading`` section of a document."""
    return text.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]


# ----------------------------------------------------------------------------- 4: human context
def test_a_running_task_s_note_is_shown_with_its_date_wherever_the_task_is(project, runner):
    out = generate(project, runner, files(SNAPSHOTS))
    handoff = read(out, "COORDINATOR-HANDOFF.md")
    assert (
        "forecast 2025-01-10 21:00 UTC. Latest note 2025-01-10 09:00 UTC: rerunning the flaky parser suite. "
        "Its agent is at work"
    ) in section(handoff, "Next steps")
    row = (
        "| [1.3 Gamma](task-1.3-gamma.md) (dev) | 🔄 in progress, 3 days worked of 2 days planned, "
        "**overdue by 1 day**; note 2025-01-10 09:00 UTC: rerunning the flaky parser suite |"
    )
    assert row in handoff
    dashboard = read(out, "COORDINATION-DASHBOARD.md")
    assert row in dashboard
    assert "Latest note 2025-01-10 09:00 UTC: rerunning the flaky parser suite." in dashboard
    task = read(out, "task-1.3-gamma.md")
    assert "**Latest note** (2025-01-10 09:00 UTC): rerunning the flaky parser suite\n" in task
    # a blocked task's reason is its note: said once, not twice
    assert handoff.count("waiting for the tokenizer licence") == 2  # step 4 and the schedule table


def test_an_earlier_note_keeps_its_own_date(project, runner):
    snaps = json.loads(json.dumps(SNAPSHOTS))
    del snaps["e.json"]["tasks"]
    snaps["c.json"]["tasks"]["1.4"] = {"state": "in_progress", "note": "parser half done"}
    del snaps["d.json"]["tasks"]  # 1.4 runs on, its note recorded on Wednesday
    out = generate(project, runner, files(snaps))
    assert "**Latest note** (2025-01-08 09:00 UTC): parser half done" in read(out, "task-1.4-delta.md")


def test_the_recorded_health_shows_with_its_date_beside_the_computed_one(project, runner):
    snaps = json.loads(json.dumps(SNAPSHOTS))
    snaps["d.json"]["health"] = snaps["e.json"].pop("health")  # recorded Thursday, not since
    out = generate(project, runner, files(snaps))
    line = "🔴 off track (computed); 🟠 at risk (recorded 2025-01-09 09:00 UTC)"
    assert f"**From:** Lead · **To:** Ops · **Health:** {line}\n" in read(out, "COORDINATOR-HANDOFF.md")
    assert f"| Health | {line} |" in read(out, "COORDINATION-DASHBOARD.md")


def test_a_snapshot_that_holds_only_a_note_is_a_change(project, runner):
    snaps = {
        "a.json": SNAPSHOTS["a.json"],
        "b.json": {"timestamp": "2025-01-06T18:00:00Z", "note": "both agents report good progress"},
    }
    handoff = read(generate(project, runner, files(snaps)), "COORDINATOR-HANDOFF.md")
    assert section(handoff, "What changed since the previous snapshot") == (
        "\n- Note: both agents report good progress\n"
    )
    assert "Nothing changed" not in handoff


def test_a_new_note_and_a_new_health_call_are_changes(project):
    p = compute(load_project(project(files(SNAPSHOTS)))).phases[0]
    kinds = [(c.kind, c.subject, c.after) for c in p.changes if c.kind in ("note", "health")]
    assert kinds == [
        ("note", "1.3", "rerunning the flaky parser suite"),
        ("health", "phase", "at_risk"),
        ("note", "", "nightly run"),
    ]


# ----------------------------------------------------------------------------- 5: values with their age
def test_the_handoff_opens_as_of_the_latest_snapshot_in_the_project_s_zone(project, runner):
    tree = files(SNAPSHOTS)
    tree["phases/project.yaml"] = project_yaml(timezone="America/New_York")
    handoff = read(generate(project, runner, tree), "COORDINATOR-HANDOFF.md")
    assert handoff.startswith(
        "# Phase 1: Coordinator Handoff\n\n**As of 2025-01-10 04:00 EST, snapshot Friday** · Ingest · "
    )


def test_a_snapshot_without_a_label_is_named_by_its_file(project, runner):
    snaps = {k: v for k, v in SNAPSHOTS.items() if k != "e.json"}
    handoff = read(generate(project, runner, files(snaps)), "COORDINATOR-HANDOFF.md")
    assert "**As of 2025-01-09 09:00 UTC, snapshot d.json** · Ingest · " in handoff


def test_a_value_older_than_the_latest_snapshot_carries_its_date(project, runner):
    snaps = json.loads(json.dumps(SNAPSHOTS))
    snaps["e.json"]["metrics"] = {"warnings": 9}  # pass rate last measured with the baseline, Monday
    out = generate(project, runner, files(snaps))
    handoff = read(out, "COORDINATOR-HANDOFF.md")
    assert "| Pass Rate | 90% | 90% (measured 2025-01-06 09:00 UTC) | 0% |" in handoff
    assert "| Warnings | 30 | 9 | -70%; last move ↓ better |" in handoff  # measured now: no date
    assert "| 1.3 | Tests pass | \\>= 95% (95/100) | 90% | 90% (measured 2025-01-06 09:00 UTC) | 0% |" in handoff
    assert "current 90% (measured 2025-01-06 09:00 UTC)" in read(out, "COORDINATION-DASHBOARD.md")


# ----------------------------------------------------------------------------- 8: one word per fact
def test_one_task_has_one_word_per_fact(project, runner):
    out = generate(project, runner, files(SNAPSHOTS))
    for name in ("COORDINATOR-HANDOFF.md", "COORDINATION-DASHBOARD.md", "COORDINATION-SUMMARY.md"):
        text = read(out, name)
        # "late by" (now) and "behind by" (forecast) were two words and two numbers for 1.4
        assert not re.search(r"late by|behind|ahead|on schedule", text), name
    handoff = read(out, "COORDINATOR-HANDOFF.md")
    assert (
        "| [1.4 Delta](task-1.4-delta.md) (dev) | ⛔ blocked since 2025-01-09 09:00 UTC: waiting for the tokenizer "
        "licence, **overdue by 1 day** | 2025-01-07 09:00 UTC → 2025-01-09 09:00 UTC, no slack | started "
        "2025-01-08 09:00 UTC; forecast finish 2025-01-11 09:00 UTC | forecast 2 days late; critical in 100% of runs |"
    ) in handoff
    # done work: its variance once, in the same words
    assert "| 2025-01-06 09:00 UTC → 2025-01-08 09:00 UTC | 1 day late |" in handoff
    assert (
        "- **Against the plan:** **the phase is forecast 2 days late**; the worst task, 1.4, is "
        "forecast to finish 2 days after its own planned finish\n"
    ) in handoff


def test_critical_chains_that_share_tasks_are_one_chain_that_forks_or_joins():
    from phasedocs.facts import chain_words  # new in #24: imported here so the rest runs on older code

    assert chain_words([("1.1", "1.2", "1.4"), ("1.1", "1.2", "1.5")]) == "1.1 → 1.2, then 1.4 and 1.5 in parallel"
    assert (
        chain_words([("1.1", "1.3", "1.5", "1.6"), ("1.2", "1.4", "1.5", "1.6")])
        == "1.1 → 1.3 and 1.2 → 1.4 in parallel, then 1.5 → 1.6"
    )
    assert chain_words([("7.1",), ("7.2",)]) == "7.1 and 7.2 in parallel"
    assert chain_words([("a", "b", "d", "e", "g"), ("a", "c", "d", "f", "g")]) == (
        "a, then b and c in parallel, then d, then e and f in parallel, then g"
    )
    assert chain_words([("1.1", "1.2")]) == "1.1 → 1.2"


FORK = """\
number: 1
title: Fork
created: 2025-01-06T09:00:00Z
start: 2025-01-06T09:00:00Z
tasks:
  - {id: "1.1", slug: a, title: A, role: dev, duration_days: 1}
  - {id: "1.2", slug: b, title: B, role: dev, duration_days: 1, depends_on: ["1.1"]}
  - {id: "1.4", slug: d, title: D, role: qa, duration_days: 1, depends_on: ["1.2"]}
  - {id: "1.5", slug: e, title: E, role: qa, duration_days: 1, depends_on: ["1.2"]}
"""


def test_a_fork_is_written_once_in_the_documents(project, runner):
    tree = {"phases/project.yaml": PROJECT_YAML, "phases/phase-01/phase.yaml": FORK}
    out = generate(project, runner, tree)
    for name in ("COORDINATOR-HANDOFF.md", "COORDINATION-DASHBOARD.md", "README.md"):
        text = read(out, name)
        assert "1.1 → 1.2, then 1.4 and 1.5 in parallel" in text, name
        assert "parallel chains" not in text and "1.1 → 1.2 → 1.4" not in text, name
    assert "4 tasks across 2 roles (`dev`, `qa`)" in read(out, "AGENT-BRIEFING.md")


def test_the_phase_is_blocked_only_when_nothing_can_move(project, runner):
    # 1.3 runs while 1.4 is blocked: the phase is active
    assert "· State: 🔄 active ·" in read(generate(project, runner, files(SNAPSHOTS)), "COORDINATOR-HANDOFF.md")
    # 1.3 complete, 1.4 blocked, 1.5 and 1.6 wait on it: nothing can move
    stuck = {**SNAPSHOTS, "f.json": {"timestamp": "2025-01-10T21:00:00Z", "tasks": {"1.3": "complete"}}}
    assert compute(load_project(project(files(stuck)))).phases[0].state == "blocked"
    assert "· State: ⛔ blocked ·" in read(generate(project, runner, files(stuck)), "COORDINATOR-HANDOFF.md")


def test_targets_print_in_the_metric_s_unit(project, runner):
    tree = files(SNAPSHOTS)
    tree["phases/phase-01/phase.yaml"] = edit(PHASE, '">= 98/100"', '">= 1"')
    handoff = read(generate(project, runner, tree), "COORDINATOR-HANDOFF.md")
    # a ratio metric shows values in percent: its target "1" is 100%
    assert "| phase | Release quality | \\>= 100% | 90% | 99% | +10% | 🟠 not met yet |" in handoff
    assert "| 1.1 | Few warnings | &lt; 25 | 30 | 9 | -70% | ✅ met |" in handoff


def test_the_handoff_puts_the_steps_first_and_keeps_one_schedule_table_that_fits(project, runner):
    handoff = read(generate(project, runner, files(SNAPSHOTS)), "COORDINATOR-HANDOFF.md")
    headings = re.findall(r"^## (.+)$", handoff, re.M)
    assert headings == ["Next steps", "What changed since the previous snapshot", "Schedule", "Measurements"]
    tables = [b for b in handoff.split("\n\n") if b.startswith("| Task |")]
    assert len(tables) == 1
    lines = tables[0].splitlines()
    assert lines[1] == "|---|---|---|---|---|"
    rows = [r.split(" | ") for r in lines[:1] + lines[2:]]
    # five columns (eight hid two behind an in-table scroll at 1280 px), every row as wide
    assert rows[0] == ["| Task", "State", "Planned", "Actual or forecast", "Against plan |"]
    assert {len(r) for r in rows} == {5}
    # a cell wraps at its spaces; the longest unbreakable word bounds its width
    assert max(len(word) for r in rows[1:] for cell in r for word in cell.split()) <= 40
    for gone in ("checklist", "Planned timeline", "### Against the plan", "- [x]", "- [ ]"):
        assert gone not in handoff


# ----------------------------------------------------------------------------- 9: counts the data holds
def test_the_briefing_counts_tasks_and_roles_never_agents(project, runner):
    brief = read(generate(project, runner, files(SNAPSHOTS)), "AGENT-BRIEFING.md")
    assert "6 tasks across 1 role (`dev`); how many agents run them is not in the phase's data." in brief
    assert "agents, one per task" not in brief and "## Agent " not in brief
    assert "## Task 1.1: Alpha (dev)" in brief
