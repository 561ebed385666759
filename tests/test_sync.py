"""phasedocs sync: task states, times and provenance from real git repositories built here."""

from __future__ import annotations

import json
import subprocess

import pytest

from conftest import tree
from gitrepo import Repo, project_repo
from phasedocs.cli import main
from phasedocs.evidence.derive import derive
from phasedocs.evidence.git import read_history
from support import phase_yaml, task

PROJECT = """\
name: Sync
calendar: calendar
timezone: UTC
"""

PHASE = phase_yaml(
    [
        task("1.1", slug="alpha", title="Alpha"),
        task("1.2", 1, ["1.1"], slug="beta", title="Beta"),
        task("1.3", slug="gamma", title="Gamma"),
        task("1.4", slug="delta", title="Delta"),
    ],
    title="Work",
    start="2025-01-06T00:00:00Z",
)


@pytest.fixture
def repo(tmp_path) -> Repo:
    """A project inside a repository: phases/ committed on main."""
    return project_repo(tmp_path / "proj", PROJECT, PHASE, "2025-01-06T00:00:00Z")


def history_of_four(r: Repo) -> dict[str, str]:
    """Branches, a merge (branch deleted after), an open branch, a squash with Task-Done, a reverted merge."""
    ids = {}
    r.git("switch", "-q", "-c", "task/1.1-alpha")
    ids["1.1a"] = r.commit("src/a.py", "Start alpha", "2025-01-06T10:00:00+02:00")  # 08:00 UTC
    ids["1.1b"] = r.commit("src/shared.py", "More alpha", "2025-01-06T15:00:00-05:00")  # 20:00 UTC
    r.git("switch", "-q", "main")
    r.git(
        "merge", "-q", "--no-ff", "task/1.1-alpha", "-m", "Merge branch 'task/1.1-alpha'", when="2025-01-07T09:00:00Z"
    )
    ids["1.1merge"] = r.git("rev-parse", "HEAD")
    r.git("branch", "-q", "-D", "task/1.1-alpha")
    r.git("switch", "-q", "-c", "task/1.2-beta")
    ids["1.2a"] = r.commit("src/b.py", "Beta begins", "2025-01-07T10:00:00Z")
    r.git("switch", "-q", "main")
    ids["1.3"] = r.commit("src/c.py", "Task 1.3: gamma (#5)\n\nTask-Done: 1.3", "2025-01-08T12:00:00Z")
    r.git("switch", "-q", "-c", "task/1.4-delta")
    ids["1.4a"] = r.commit("src/d.py", "Delta", "2025-01-08T12:30:00Z")
    r.git("switch", "-q", "main")
    r.git(
        "merge", "-q", "--no-ff", "task/1.4-delta", "-m", "Merge branch 'task/1.4-delta'", when="2025-01-08T13:00:00Z"
    )
    ids["1.4merge"] = r.git("rev-parse", "HEAD")
    r.git("revert", "--no-edit", "-m", "1", "HEAD", when="2025-01-08T14:00:00Z")
    ids["1.4revert"] = r.git("rev-parse", "HEAD")
    return ids


def test_each_task_state_time_and_provenance_from_the_history(repo):
    ids = history_of_four(repo)
    found = derive(read_history(repo.root), ["1.1", "1.2", "1.3", "1.4"])
    short = {k: v[:7] for k, v in ids.items()}
    assert found["1.1"].ids() == (f"git:{short['1.1a']}", f"merge:{short['1.1merge']}")
    assert [c.id for c in found["1.1"].commits] == [ids["1.1a"], ids["1.1b"]]
    assert str(found["1.1"].started) == "2025-01-06 08:00:00+00:00"  # the author's +02:00, in UTC
    assert str(found["1.1"].finished) == "2025-01-07 09:00:00+00:00"  # when the merge landed
    assert found["1.1"].files == {"src/a.py", "src/shared.py"}
    assert found["1.2"].ids() == (f"git:{short['1.2a']}",) and found["1.2"].finished is None
    assert found["1.3"].ids() == (f"git:{short['1.3']}", f"done:{short['1.3']}")
    assert [(c.id, on) for c, on in found["1.3"].claims] == [(ids["1.3"], ("main",))]
    assert found["1.4"].ids() == (f"git:{short['1.4a']}", f"revert:{short['1.4revert']}")
    assert found["1.4"].finished is None  # the revert took the landing back


def test_sync_records_what_the_history_shows_and_twice_writes_nothing_new(repo, runner):
    ids = history_of_four(repo)
    result = runner.invoke(main, ["sync", "1", "--project", str(repo.root)])
    assert result.exit_code == 0, result.output
    written = sorted((repo.root / "phases/phase-01/metrics").glob("*.json"))
    assert [p.name for p in written] == ["2025-01-08T14-00-00Z-progress.json"]
    evidence = repo.root / "phases/phase-01/evidence.json"
    assert result.output == (
        f"recorded {written[0]}: evidence for 1.1, 1.2, 1.3, 1.4\n"
        f"wrote {evidence}: what the history shows, compared with the recorded states by generate\n"
    )
    snap = json.loads(written[0].read_text())
    s = {k: v[:7] for k, v in ids.items()}
    assert snap["tasks"] == {
        "1.1": {
            "state": "complete",
            "at": "2025-01-07T09:00:00Z",
            "started": "2025-01-06T08:00:00Z",
            "evidence": [f"git:{s['1.1a']}", f"merge:{s['1.1merge']}"],
        },
        "1.2": {"state": "in_progress", "at": "2025-01-07T10:00:00Z", "evidence": [f"git:{s['1.2a']}"]},
        "1.3": {"state": "complete", "at": "2025-01-08T12:00:00Z", "evidence": [f"git:{s['1.3']}", f"done:{s['1.3']}"]},
        "1.4": {
            "state": "in_progress",
            "at": "2025-01-08T12:30:00Z",
            "evidence": [f"git:{s['1.4a']}", f"revert:{s['1.4revert']}"],
        },
    }
    assert snap["label"] == "git sync"
    before = tree(repo.root / "phases")
    again = runner.invoke(main, ["sync", "1", "--project", str(repo.root)])
    assert again.exit_code == 0
    assert again.output.startswith("nothing new in ")
    assert tree(repo.root / "phases") == before
    assert runner.invoke(main, ["validate", "--project", str(repo.root), "--no-cache"]).exit_code == 0


def test_recorded_states_are_never_overwritten_by_the_evidence(repo, runner):
    history_of_four(repo)
    metrics = repo.root / "phases/phase-01/metrics"
    metrics.mkdir()
    (metrics / "2025-01-06T01-00-00Z-progress.json").write_text(
        json.dumps({"timestamp": "2025-01-06T01:00:00Z", "tasks": {"1.3": "in_progress", "1.4": "complete"}})
    )
    assert runner.invoke(main, ["sync", "1", "--project", str(repo.root)]).exit_code == 0
    snap = json.loads(sorted(metrics.glob("*.json"))[-1].read_text())
    assert snap["tasks"]["1.3"]["state"] == "in_progress"  # merged by the evidence, recorded in progress: kept
    assert snap["tasks"]["1.3"]["evidence"][1].startswith("done:")
    assert snap["tasks"]["1.4"]["state"] == "complete"  # recorded complete, reverted in git: kept, with the revert
    assert snap["tasks"]["1.4"]["evidence"][-1].startswith("revert:")


def test_work_on_a_task_whose_dependencies_are_open_is_evidence_beside_its_state(repo):
    repo.git("switch", "-q", "-c", "task/1.2-beta")
    first = repo.commit("src/b.py", "Beta before alpha", "2025-01-06T05:00:00Z")
    from phasedocs.commands.sync import sync

    result = sync(repo.root, "1")
    assert result.tasks == {"1.2": {"state": "pending", "evidence": [f"git:{first[:7]}"]}}


def test_a_rebased_branch_keeps_its_work_time_and_trailers_name_tasks_anywhere(repo):
    repo.git("switch", "-q", "-c", "feature/x")
    repo.commit("src/x.py", "Refactor\n\nTask: 1.3", "2025-01-06T09:00:00Z")
    repo.git("switch", "-q", "main")
    repo.commit("README", "docs", "2025-01-06T12:00:00Z")
    repo.git("switch", "-q", "feature/x")
    repo.git("rebase", "-q", "main", when="2025-01-09T00:00:00Z")  # new commit, same author date
    found = derive(read_history(repo.root), ["1.1", "1.2", "1.3", "1.4"])
    assert list(found) == ["1.3"]
    assert str(found["1.3"].started) == "2025-01-06 09:00:00+00:00"


def test_hostile_branch_names_and_messages_stay_data(repo, runner, tmp_path):
    repo.git("switch", "-q", "-c", "task/1.1-$(touch${IFS}PWNED)")
    repo.commit(
        "src/a.py", "Task 1.1: <script>alert(1)</script> $(touch PWNED)\n\nTask-Done: 1.1", "2025-01-06T09:00:00Z"
    )
    result = runner.invoke(main, ["sync", "1", "--project", str(repo.root)])
    assert result.exit_code == 0, result.output
    assert not list(tmp_path.rglob("PWNED"))
    snap = json.loads(sorted((repo.root / "phases/phase-01/metrics").glob("*.json"))[-1].read_text())
    assert snap["tasks"]["1.1"]["state"] == "complete"


def test_a_repository_outside_the_project_is_read_only_when_project_yaml_names_it(repo, runner, tmp_path):
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    project = tmp_path / "solo"
    (project / "phases/phase-01").mkdir(parents=True)
    (project / "phases/phase-01/phase.yaml").write_text(PHASE)
    (project / "phases/project.yaml").write_text(PROJECT + f"evidence: {{repo: {repo.root}}}\n")
    history_of_four(repo)
    result = runner.invoke(main, ["sync", "--project", str(project)])
    assert result.exit_code == 0, result.output
    (project / "phases/project.yaml").write_text(PROJECT + "evidence: {repo: ../elsewhere}\n")
    result = runner.invoke(main, ["sync", "--project", str(project)])
    assert result.exit_code == 1
    assert "git rev-parse failed" in result.output and "Traceback" not in result.output


def test_a_shallow_clone_is_named_as_the_cause_of_missing_history(repo, runner, tmp_path):
    history_of_four(repo)
    clone = tmp_path / "shallow"
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{repo.root}", str(clone)], check=True)
    result = runner.invoke(main, ["sync", "1", "--project", str(clone)])
    assert result.exit_code == 0, result.output
    assert "note: this clone is shallow, so history before its depth is missing" in result.output


def test_a_task_synced_complete_started_at_its_first_commit(repo, runner):
    history_of_four(repo)
    assert runner.invoke(main, ["sync", "1", "--project", str(repo.root)]).exit_code == 0
    from phasedocs.facts import compute
    from phasedocs.input.project import load_project

    facts = compute(load_project(repo.root)).phases[0]
    alpha = next(t for t in facts.tasks if t.id == "1.1")
    assert (str(alpha.actual_start), str(alpha.actual_finish)) == (
        "2025-01-06 08:00:00+00:00",
        "2025-01-07 09:00:00+00:00",
    )


def test_started_after_at_is_refused(project, runner):
    from conftest import minimal

    root = project(
        minimal(
            **{
                "phases/phase-01/metrics/2025-01-08T00-00-00Z.json": (
                    '{"timestamp": "2025-01-08T00:00:00Z", "tasks": {"1.1": {"state": "complete", '
                    '"at": "2025-01-07T00:00:00Z", "started": "2025-01-07T12:00:00Z"}}}'
                )
            }
        )
    )
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert "started is after at: the work cannot begin after the state it led to" in result.output


def test_sync_says_in_the_job_summary_what_the_evidence_changed(repo, runner, tmp_path):
    ids = history_of_four(repo)
    summary = tmp_path / "summary.md"
    summary.write_text("earlier step\n")
    assert runner.invoke(main, ["sync", "1", "--project", str(repo.root), "--summary", str(summary)]).exit_code == 0
    text = summary.read_text()
    assert text.startswith("earlier step\n### phasedocs sync\n\n| Task | State | Evidence |\n|---|---|---|\n")
    assert f"| 1.1 | complete | git:{ids['1.1a'][:7]}, merge:{ids['1.1merge'][:7]} |\n" in text
    assert runner.invoke(main, ["sync", "1", "--project", str(repo.root), "--summary", str(summary)]).exit_code == 0
    assert summary.read_text().endswith(
        f"### phasedocs sync\n\nNothing new in {len(read_history(repo.root).commits)} commits.\n"
    )


def test_the_workflow_init_writes_syncs_with_the_whole_history_and_commits_only_when_asked():
    from phasedocs.resources import data

    for name in ("workflow.yml", "workflow-gate.yml"):
        text = data("scaffold", name).read_text()
        assert "fetch-depth: 0" in text
        assert text.index("phasedocs sync") < text.index("phasedocs measure") < text.index("phasedocs check")
        assert "if: vars.PHASEDOCS_COMMIT == 'true'" in text
