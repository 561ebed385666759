"""The real shape of work in one project (tests/data/mission-full): groups with leads and gates,
agents with capacities (one task run by two of them), issue links, a dated milestone, a task
done out of order with a waiver, an unplanned task and a target lowered by a re-plan. Its
handoff is read as the operator reads it: every sentence the data holds, no fresh agent."""

from __future__ import annotations

import shutil
from pathlib import Path

from phasedocs.cli import main

MISSION = Path(__file__).parent / "data" / "mission-full"


def _generated(tmp_path: Path, runner) -> Path:
    root = tmp_path / "mission"
    shutil.copytree(MISSION, root)
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert (result.exit_code, result.stdout) == (0, "ok: 1 phase(s), 7 task(s), 5 snapshot(s)\n")
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    return root / "docs" / "phase-03"


def test_the_mission_handoff_hands_work_to_its_agents_and_launches_no_fresh_one(tmp_path, runner):
    docs = _generated(tmp_path, runner)
    handoff = (docs / "COORDINATOR-HANDOFF.md").read_text()
    # two agents on one task: both at work, neither launched again
    assert (
        "- Task 3.4, agent qa (QA Engineer) and py (Python Pro): 🔄 in progress since 2025-11-06 12:00 UTC, "
        "0 days worked of 1 day planned; planned to finish 2025-11-08 09:00 UTC, forecast 2025-11-07 12:00 UTC. "
        "Its agents are at work: do not launch them again.\n"
    ) in handoff
    assert "Nothing can start now" in handoff and "agentctl hand" not in handoff
    # a milestone is checked, never launched
    assert "- Task 3.7 waits for 3.4: check its gate only when it is ready.\n" in handoff
    assert "2025-11-07 17:00 UTC: forecast to be met, 0.21 days to spare" in handoff
    # the task that went ahead of its dependencies says so, with its reason
    assert "went ahead of 3.3, 3.4 (waived 2025-11-05 09:00 UTC: guide written against the harness design" in handoff
    assert "| P2 Workflow tests (lead: py) | 3.3, 3.4 | 1/2 (50%), 🔄 active |" in handoff


def test_the_mission_names_its_lowered_target_added_scope_links_and_each_agents_load(tmp_path, runner):
    docs = _generated(tmp_path, runner)
    report = (docs / "COMPLETION-REPORT.md").read_text()
    assert "coverage \\>= 80 at plan 1, \\>= 75 from plan 2: legacy module excluded from coverage" in report
    assert "Task 3.6 Hotfix for the login regression: added 2025-11-05 07:00 UTC" in report
    dashboard = (docs / "COORDINATION-DASHBOARD.md").read_text()
    assert (
        "| 3.3 Workflow harness | issue: `#13` · pr: "
        "[https://github.com/example/mission/pull/31](https://github.com/example/mission/pull/31) |"
    ) in dashboard
    assert "| py (Python Pro) | `python-pro` | 1 | 4.17 days | 3.17 days (3.2, 3.3, 3.6) | 3.4 | none |" in dashboard
