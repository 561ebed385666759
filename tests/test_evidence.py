"""Evidence against claims: what sync's reading of git (evidence.json) adds beside the records.

Every repository here is built during the test (branches, merges, a squash merge, a revert of
a merge, a branch deleted after its merge, commits in several time zones), and every verify
item and collision is checked against an expectation computed by hand in the comments.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown

from conftest import tree
from gitrepo import Repo, project_repo
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from support import phase_yaml, task

PROJECT = """\
name: Evidence
calendar: calendar
timezone: UTC
"""

START = "2025-01-06T00:00:00Z"

# declared: 1.2 and 1.3 share src/db.py (1.3 follows 1.1 only, so it may run beside 1.2)
PHASE_TASKS = [
    task("1.1", slug="api", title="Api", files=["src/api"]),
    task("1.2", slug="db", title="Db", files=["src/db.py"]),
    task("1.3", 1, ["1.1"], slug="cache", title="Cache", files=["src/db.py"]),
    task("1.4", slug="docs", title="Docs", files=["docs"]),
]
PHASE = phase_yaml(PHASE_TASKS, title="Work", start=START)


def make(tmp_path: Path, phase: str = PHASE) -> Repo:
    """A project inside a repository: phases/ committed on main before the phase starts."""
    return project_repo(tmp_path / "proj", PROJECT, phase, "2025-01-05T00:00:00Z")


def history(r: Repo) -> dict[str, str]:
    """Two tasks changing one file at once, an undeclared file, a task claimed done twice before the start.

    In UTC: c1 Jan 6 07:00 (1.1: src/api/x.py, src/config.py), c2 Jan 6 15:00 (1.2: src/db.py,
    src/config.py), 1.1 merged Jan 7 08:00 and its branch deleted, 1.2 merged Jan 7 12:00, c3
    Jan 7 13:00 (1.3: src/config.py, open), c4 Jan 5 14:30 (1.4: docs/index.md, Task-Done on
    task/1.4-docs), c5 Jan 6 11:00 (docs/more.md, Task-Done: 1.4 again, on fix/docs).
    """
    ids = {}
    r.git("switch", "-q", "-c", "task/1.1-api")
    (r.root / "src/api").mkdir(parents=True)
    (r.root / "src/api/x.py").write_text("x\n")
    ids["c1"] = r.commit("src/config.py", "Api and its config", "2025-01-06T09:00:00+02:00", author="Ann")
    r.git("add", "--", "src/api/x.py", when="2025-01-06T09:00:00+02:00")
    r.git("commit", "-q", "--amend", "--no-edit", when="2025-01-06T09:00:00+02:00", author="Ann")
    ids["c1"] = r.git("rev-parse", "HEAD")
    r.git("switch", "-q", "main")
    r.git("switch", "-q", "-c", "task/1.2-db")
    r.commit("src/db.py", "Db", "2025-01-06T10:00:00-05:00", author="Bob")
    ids["c2"] = r.commit("src/config.py", "Db config", "2025-01-06T10:00:00-05:00", author="Bob")
    r.git("switch", "-q", "main")
    ids["m1"] = r.merge("task/1.1-api", "2025-01-07T08:00:00Z")
    r.git("branch", "-q", "-D", "task/1.1-api")
    ids["m2"] = r.merge("task/1.2-db", "2025-01-07T12:00:00Z")
    r.git("switch", "-q", "-c", "task/1.3-cache")
    ids["c3"] = r.commit("src/config.py", "Cache config", "2025-01-07T18:30:00+05:30", author="Cy")
    r.git("switch", "-q", "main")
    r.git("switch", "-q", "-c", "task/1.4-docs")
    ids["c4"] = r.commit("docs/index.md", "Docs\n\nTask-Done: 1.4", "2025-01-05T20:00:00+05:30", author="Cy")
    r.git("switch", "-q", "main")
    r.git("switch", "-q", "-c", "fix/docs")
    ids["c5"] = r.commit("docs/more.md", "More docs\n\nTask-Done: 1.4", "2025-01-06T11:00:00Z", author="Ann")
    r.git("switch", "-q", "main")
    return {k: v[:7] for k, v in ids.items()}


def sync(r: Repo, runner) -> None:
    result = runner.invoke(main, ["sync", "1", "--project", str(r.root)])
    assert result.exit_code == 0, result.output


def test_evidence_json_holds_what_the_history_shows_by_hand(tmp_path, runner):
    r = make(tmp_path)
    s = history(r)
    sync(r, runner)
    data = json.loads((r.root / "phases/phase-01/evidence.json").read_text())
    assert data["as_of"] == "2025-01-07T13:00:00Z"  # c3's commit time, the newest
    assert data["history"] == {"commits": 9, "branches": 5, "default_branch": "main", "shallow": False}
    tasks = data["tasks"]
    assert tasks["1.1"] == {
        "commits": 1,
        "first": {"commit": s["c1"], "at": "2025-01-06T07:00:00Z"},
        "landed": {"kind": "merge", "commit": s["m1"], "at": "2025-01-07T08:00:00Z"},
        "branches": ["task/1.1-api"],  # from the merge's message: the branch is gone
        "files": {
            "src/api/x.py": {"commit": s["c1"], "at": "2025-01-06T07:00:00Z"},
            "src/config.py": {"commit": s["c1"], "at": "2025-01-06T07:00:00Z"},
        },
    }
    assert tasks["1.2"]["files"]["src/config.py"] == {"commit": s["c2"], "at": "2025-01-06T15:00:00Z"}
    assert tasks["1.3"]["first"] == {"commit": s["c3"], "at": "2025-01-07T13:00:00Z"} and "landed" not in tasks["1.3"]
    assert tasks["1.4"]["claims"] == [
        {"commit": s["c4"], "at": "2025-01-05T14:30:00Z", "branches": ["task/1.4-docs"]},
        {"commit": s["c5"], "at": "2025-01-06T11:00:00Z", "branches": ["fix/docs"]},
    ]
    assert tasks["1.4"]["landed"] == {"kind": "done", "commit": s["c4"], "at": "2025-01-05T14:30:00Z"}
    assert "phases/phase-01/phase.yaml" not in json.dumps(data)  # the project's own records are not work
    from jsonschema import Draft202012Validator

    from phasedocs.commands.schema import schemas

    Draft202012Validator(json.loads(schemas()["evidence.schema.json"])).validate(data)  # editors check it too


def test_verify_items_collisions_and_undeclared_files_by_hand(tmp_path, runner):
    r = make(tmp_path)
    s = history(r)
    sync(r, runner)
    p = compute(load_project(r.root)).phases[0]
    # the sync recorded what the evidence shows (nothing was recorded before)
    assert [t.state for t in p.tasks] == ["complete", "complete", "in_progress", "complete"]
    ev = p.evidence
    assert ev is not None
    assert [(v.task, v.kind, v.commits) for v in ev.verify] == [
        ("1.4", "claimed_repeatedly", (s["c4"], s["c5"])),
        ("1.4", "before_start", (s["c4"],)),
    ]
    assert ev.verify[0].detail == (
        f"claimed complete by 2 commits from 2 branches: {s['c4']} (task/1.4-docs), {s['c5']} (fix/docs); "
        "verify which claim holds"
    )
    assert ev.verify[1].detail == (
        f"work committed before the phase's start: first commit {s['c4']} at 2025-01-05 14:30 UTC, "
        "the phase starts 2025-01-06 00:00 UTC; verify the commit belongs to this phase's task"
    )
    # src/config.py: 1.1 [Jan 6 07:00, Jan 7 08:00) and 1.2 [Jan 6 15:00, Jan 7 12:00) overlap;
    # 1.3 [Jan 7 13:00, open) starts after both landed: no collision for it
    assert [(c.file, [(x.task, x.commit) for x in c.touches]) for c in ev.collisions] == [
        ("src/config.py", [("1.1", s["c1"]), ("1.2", s["c2"])])
    ]
    # 1.1 declares src/api (x.py is in it), 1.2 and 1.3 src/db.py, 1.4 docs: only src/config.py is outside
    assert [(u.file, [(x.task, x.commit) for x in u.touches]) for u in ev.undeclared] == [
        ("src/config.py", [("1.1", s["c1"]), ("1.2", s["c2"]), ("1.3", s["c3"])])
    ]
    assert [(c.file, c.tasks) for c in p.collisions] == [("src/db.py", ("1.2", "1.3"))]
    # the gate: the two items are findings to verify, which fail only check --strict
    assert [(f.kind, f.subject, f.value) for f in p.gate if f.kind == "verify"] == [
        ("verify", "Task 1.4", f"{s['c4']}, {s['c5']}"),
        ("verify", "Task 1.4", s["c4"]),
    ]
    assert runner.invoke(main, ["check", "--project", str(r.root)]).exit_code == 0
    strict = runner.invoke(main, ["check", "--strict", "--project", str(r.root)])
    assert strict.exit_code == 1
    assert f"claimed complete by 2 commits from 2 branches: {s['c4']} (task/1.4-docs)" in strict.output


def test_documents_and_json_carry_the_verify_list_and_collisions(tmp_path, runner):
    r = make(tmp_path)
    s = history(r)
    sync(r, runner)
    out = tmp_path / "docs"
    result = runner.invoke(main, ["generate", "--project", str(r.root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    dash = (out / "phase-01/COORDINATION-DASHBOARD.md").read_text()
    handoff = (out / "phase-01/COORDINATOR-HANDOFF.md").read_text()
    for text in (dash, handoff):
        assert (
            '!!! warning "Verify against git (as of 2025-01-07 13:00 UTC): 2 recorded states the history disagrees with (the records are kept; '
            '`phasedocs check --strict` fails on them)"' in text
        )
        assert f"    - Task 1.4: claimed complete by 2 commits from 2 branches: {s['c4']} (task/1.4-docs)" in text
        assert (
            f"    - 1.1 and 1.2 both changed `src/config.py` while both running, before either landed "
            f"(first changes: 1.1 in `{s['c1']}`, 1.2 in `{s['c2']}`)." in text
        )
        assert (
            f"    - `src/config.py`: changed by 1.1 in `{s['c1']}`, 1.2 in `{s['c2']}`, 1.3 in `{s['c3']}`, "
            "outside their declared files." in text
        )
        assert "    - Tasks 1.2 and 1.3 may run at the same time and both touch `src/db.py`" in text
    task = (out / "phase-01/task-1.3-cache.md").read_text()
    assert "- `src/db.py`: 1.2\n" in task
    assert "- Changed outside its declared files: `src/config.py`" in task
    fm = json.loads((out / "phase-01/final-metrics.json").read_text())
    assert fm["collisions"] == [
        {"file": "src/db.py", "source": "declared", "tasks": ["1.2", "1.3"], "paths": ["src/db.py"]},
        {
            "file": "src/config.py",
            "source": "git",
            "tasks": ["1.1", "1.2"],
            "changes": [
                {"task": "1.1", "commit": s["c1"], "at": "2025-01-06T07:00:00Z"},
                {"task": "1.2", "commit": s["c2"], "at": "2025-01-06T15:00:00Z"},
            ],
        },
        {
            "file": "src/config.py",
            "source": "undeclared",
            "tasks": ["1.1", "1.2", "1.3"],
            "changes": [
                {"task": "1.1", "commit": s["c1"], "at": "2025-01-06T07:00:00Z"},
                {"task": "1.2", "commit": s["c2"], "at": "2025-01-06T15:00:00Z"},
                {"task": "1.3", "commit": s["c3"], "at": "2025-01-07T13:00:00Z"},
            ],
        },
    ]
    assert [(v["task"], v["kind"], v["commits"], v["since"]) for v in fm["verify"]] == [
        ("1.4", "claimed_repeatedly", [s["c4"], s["c5"]], "2025-01-06T11:00:00Z"),
        ("1.4", "before_start", [s["c4"]], "2025-01-05T14:30:00Z"),
    ]
    status = json.loads((out / "status.json").read_text())
    found = [f for f in status["phases"][0]["gate"]["findings"] if f["kind"] == "verify"]
    assert [(f["subject"], f["value"], f["reference"], f["fails"]) for f in found] == [
        ("Task 1.4", f"{s['c4']}, {s['c5']}", "claimed_repeatedly", False),
        ("Task 1.4", s["c4"], "before_start", False),
    ]


def test_a_reverted_merge_recorded_complete_and_a_task_done_recorded_in_progress(tmp_path, runner):
    # the history of test_sync: 1.3 declared done (Task-Done) on main, 1.4 merged then reverted
    from test_sync import PHASE as FOUR
    from test_sync import history_of_four

    r = make(tmp_path, FOUR)
    ids = history_of_four(r)
    metrics = r.root / "phases/phase-01/metrics"
    metrics.mkdir()
    (metrics / "a.json").write_text(
        json.dumps({"timestamp": "2025-01-06T01:00:00Z", "tasks": {"1.3": "in_progress", "1.4": "complete"}})
    )
    sync(r, runner)
    p = compute(load_project(r.root)).phases[0]
    assert p.evidence is not None
    assert [(v.task, v.kind, v.detail) for v in p.evidence.verify] == [
        (
            "1.3",
            "landed_unrecorded",
            f"declared done by {ids['1.3'][:7]} at 2025-01-08 12:00 UTC, recorded in progress: verify it is "
            "complete and record it (phasedocs sync records it once its dependencies are)",
        ),
        (
            "1.4",
            "not_landed",
            f"recorded complete, but its landing was reverted by {ids['1.4revert'][:7]} at 2025-01-08 14:00 UTC: "
            "verify it is done and merged",
        ),
    ]
    assert json.loads((metrics / "a.json").read_text())["tasks"] == {"1.3": "in_progress", "1.4": "complete"}


REPLAY = phase_yaml(
    [
        task("1.1", 2, slug="api", title="Api", files=["src/api"]),
        task("1.2", 2, slug="db", title="Db", files=["src/db"]),
        task("1.3", 2, slug="ui", title="Ui", files=["src/ui"]),
        task("1.4", 2, ["1.1"], slug="auth", title="Auth", files=["src/auth"]),
        task("1.5", slug="docs", title="Docs", files=["docs"]),
        task("1.6", 1, ["1.2", "1.3"], slug="release", title="Release"),
    ],
    title="Replay",
    start=START,
)


def replay(r: Repo, runner) -> dict[str, str]:
    """Three agents (Ann, Bob, Cy) on parallel branches, with what they recorded along the way.

    1.1 (Ann) and 1.2 (Bob) both change src/shared/config.py while both open; Bob claims 1.2
    done twice, from two sessions on two branches; 1.3 (Cy) is squash-merged, its branch
    deleted, and never recorded; 1.4 is merged while recorded in progress; 1.5 is recorded
    complete and no commit names it.
    """
    ids = {}

    def record(*args: str) -> None:
        result = runner.invoke(main, ["record", "1", "--project", str(r.root), *args])
        assert result.exit_code == 0, result.output

    record("--at", "2025-01-06T08:00:00Z", "--kind", "baseline")
    r.git("switch", "-q", "-c", "task/1.1-api")
    r.commit("src/api/a.py", "Task 1.1: routes", "2025-01-06T10:00:00+01:00", author="Ann")
    ids["a1"] = r.commit("src/shared/config.py", "Task 1.1: config", "2025-01-06T10:30:00+01:00", author="Ann")
    r.git("switch", "-q", "main")
    record("--at", "2025-01-06T10:00:00Z", "--task", "1.1=in_progress", "--task", "1.2=in_progress")
    r.git("switch", "-q", "-c", "task/1.2-db")
    r.commit("src/db/schema.sql", "Schema", "2025-01-06T11:00:00-05:00", author="Bob")
    ids["b1"] = r.commit("src/shared/config.py", "Db config", "2025-01-06T11:30:00-05:00", author="Bob")
    ids["done1"] = r.commit("src/db/x.py", "Db done\n\nTask-Done: 1.2", "2025-01-07T08:00:00Z", author="Bob")
    r.git("switch", "-q", "main")
    r.git("switch", "-q", "-c", "task/1.2-db-retry")
    ids["done2"] = r.commit("src/db/y.py", "Db done (again)\n\nTask-Done: 1.2", "2025-01-07T09:30:00Z", author="Bob")
    r.git("switch", "-q", "main")
    r.git("switch", "-q", "-c", "task/1.3-ui")
    r.commit("src/ui/view.ts", "Ui", "2025-01-06T12:00:00+05:30", author="Cy")
    r.git("switch", "-q", "main")
    ids["m1"] = r.merge("task/1.1-api", "2025-01-07T09:00:00Z")
    r.git("merge", "-q", "--squash", "task/1.3-ui", when="2025-01-07T11:00:00Z")
    r.git("commit", "-q", "-m", "Task 1.3: ui (#5)\n\nTask-Done: 1.3", when="2025-01-07T11:00:00Z", author="Cy")
    ids["sq"] = r.git("rev-parse", "HEAD")
    r.git("branch", "-q", "-D", "task/1.3-ui")
    record(
        "--at", "2025-01-07T10:00:00Z", "--task", "1.1=complete", "--task", "1.2=complete",
        "--task", "1.4=in_progress", "--task", "1.5=complete",
    )  # fmt: skip
    r.git("switch", "-q", "-c", "task/1.4-auth")
    r.commit("src/auth/login.py", "Login", "2025-01-07T12:00:00+09:00", author="Ann")
    r.git("switch", "-q", "main")
    ids["m2"] = r.merge("task/1.2-db", "2025-01-08T10:00:00Z")
    ids["m4"] = r.merge("task/1.4-auth", "2025-01-08T11:00:00Z")
    return {k: v[:7] for k, v in ids.items()}


def test_a_replayed_history_sync_then_generate_every_verify_item_true_nothing_overwritten(tmp_path, runner):
    r = make(tmp_path, REPLAY)
    s = replay(r, runner)
    phases = r.root / "phases"
    before = tree(phases)
    sync(r, runner)
    after = tree(phases)
    new = sorted(set(after) - set(before))
    assert new == ["phase-01/evidence.json", "phase-01/metrics/2025-01-08T11-00-00Z-progress.json"]
    assert all(after[k] == v for k, v in before.items())  # nothing recorded by hand is touched
    snap = json.loads(after[new[1]])
    # only 1.3 had no state: it takes what the evidence shows; the records of the others are kept
    assert {t: e["state"] for t, e in snap["tasks"].items()} == {
        "1.1": "complete",
        "1.2": "complete",
        "1.3": "complete",
        "1.4": "in_progress",
    }
    out = tmp_path / "docs"
    assert runner.invoke(main, ["generate", "--project", str(r.root), "--out", str(out)]).exit_code == 0
    handoff = (out / "phase-01/COORDINATOR-HANDOFF.md").read_text()
    items = re.findall(
        r"^    - (Task \S+: .*)$",
        handoff.split('"Verify against git (as of 2025-01-08 11:00 UTC):')[1].split("\n\n")[0],
        re.M,
    )
    assert items == [
        f"Task 1.2: claimed complete by 2 commits from 2 branches: {s['done1']} (main), {s['done2']} "
        "(task/1.2-db-retry); verify which claim holds.",
        f"Task 1.4: merged by {s['m4']} at 2025-01-08 11:00 UTC, recorded in progress: verify it is complete "
        "and record it (phasedocs sync records it once its dependencies are).",
        "Task 1.5: recorded complete, but no commit names it in 12 commits read: verify the work exists and how "
        "its commits name the task.",
    ]
    # each item is true of the repository, asked of git directly
    log = r.git("log", "--all", "--format=%h %s%n%b")
    assert "1.5" not in log
    claims = r.git("log", "--all", "--format=%h", "--grep=Task-Done: 1.2").split()
    assert sorted(claims) == sorted([s["done1"], s["done2"]])
    for sha, branch in ((s["done1"], "main"), (s["done2"], "task/1.2-db-retry")):  # the first landed with 1.2
        assert branch in r.git("branch", "--contains", sha)
    assert r.git("log", "-1", "--format=%h %cI %s", s["m4"]) == (
        f"{s['m4']} 2025-01-08T11:00:00+00:00 Merge branch 'task/1.4-auth'"
    )
    assert r.git("log", "--format=%h", "--merges", "main").split()[0] == s["m4"]
    assert len(r.git("rev-list", "--all").split()) == 12  # the squashed branch is gone
    # the operator sees the collision the agents made, and what to launch now
    assert (
        f"    - 1.1 and 1.2 both changed `src/shared/config.py` while both running, before either landed "
        f"(first changes: 1.1 in `{s['a1']}`, 1.2 in `{s['b1']}`)." in handoff
    )
    assert "#### Agent 1: dev, task 1.6" in handoff  # 1.2 and 1.3 are complete
    strict = runner.invoke(main, ["check", "--strict", "--project", str(r.root)])
    assert strict.exit_code == 1 and strict.output.count("to verify") == 3
    # a second sync finds nothing new and writes nothing
    assert runner.invoke(main, ["sync", "1", "--project", str(r.root)]).output.startswith("nothing new in 12 commits")
    assert tree(phases) == after


HOSTILE_BRANCH = "task/1.1-<img/src=x/onerror=alert(1)>$(touch${IFS}PWNED)|`id`"
HOSTILE_FILES = [
    "src/<script>alert(1)</script>.py",
    "src/line\nbreak [x](javascript:alert(1)).py",
    "src/esc\x1b[31mred\x07.py",
    "src/`tick`$(touch PWNED).py",
    "src/\u202eevil.py",
]
EXTENSIONS = ["tables", "attr_list", "admonition", "pymdownx.superfences", "pymdownx.tasklist", "md_in_html"]


def _elements(html: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    """Every element of ``html`` with its attributes, as a browser's parser sees them."""
    from html.parser import HTMLParser

    found: list[tuple[str, list[tuple[str, str | None]]]] = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
            found.append((tag, attrs))

    Parser().feed(html)
    return found


def test_hostile_branches_paths_and_messages_stay_data_in_every_document_command_and_json(tmp_path, runner):
    phase = phase_yaml(  # 1.1 on lib, 1.2 on no file declared
        [task("1.1", slug="api", title="Api", files=["lib"]), task("1.2", slug="db", title="Db"), *PHASE_TASKS[2:]],
        title="Work",
        start=START,
    )
    r = make(tmp_path, phase)
    r.git("switch", "-q", "-c", HOSTILE_BRANCH)
    for i, f in enumerate(HOSTILE_FILES):
        r.commit(f, f"Task 1.1: <script>alert({i})</script> $(touch PWNED)\n\n::error::x", "2025-01-06T09:00:00Z")
    r.commit("README", "Done\n\nTask-Done: 1.1\n::warning::y", "2025-01-06T11:00:00Z")
    r.git("switch", "-q", "main")
    r.git("switch", "-q", "-c", "fix/<b>bold</b>")
    for f in HOSTILE_FILES:
        r.commit(f, "Again <i>x</i>\n\nTask: 1.2", "2025-01-06T10:00:00Z")
    r.commit("NOTES", "Claim\n\nTask-Done: 1.1", "2025-01-06T10:30:00Z")
    r.git("switch", "-q", "main")
    result = runner.invoke(main, ["sync", "1", "--project", str(r.root)])
    assert result.exit_code == 0, result.output
    evidence = json.loads((r.root / "phases/phase-01/evidence.json").read_text())
    assert HOSTILE_BRANCH in evidence["tasks"]["1.1"]["branches"]
    assert (
        "src/line\\nbreak [x](javascript:alert(1)).py" in evidence["tasks"]["1.1"]["files"]
    )  # escaped, as no input holds control characters
    assert "src/esc\\x1b[31mred\\x07.py" in evidence["tasks"]["1.1"]["files"]
    assert "src/\\u202eevil.py" in evidence["tasks"]["1.1"]["files"]
    assert runner.invoke(main, ["validate", "--project", str(r.root), "--no-cache"]).exit_code == 0
    out = tmp_path / "docs"
    result = runner.invoke(main, ["generate", "--project", str(r.root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    p = compute(load_project(r.root)).phases[0]
    assert p.evidence is not None and p.evidence.verify and p.evidence.collisions and p.evidence.undeclared
    checked = 0
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.suffix not in (".md", ".json", ".xml"):
            continue
        text = path.read_text()
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", text), path
        if path.suffix == ".json":
            json.loads(text)
            continue
        if path.suffix == ".md":
            for tag, attrs in _elements(markdown.markdown(text, extensions=EXTENSIONS)):
                assert tag not in ("script", "b", "i"), (path, tag)
                assert not any(k.startswith("on") or "javascript" in (v or "") for k, v in attrs), (path, attrs)
                assert tag != "img" or dict(attrs)["src"].startswith("charts/"), (path, attrs)
            checked += 1
    assert checked >= 10
    dash = (out / "phase-01/COORDINATION-DASHBOARD.md").read_text()
    assert "src/esc\\x1b[31mred\\x07.py" in dash and "fix/&lt;b>bold&lt;/b>" in dash
    formats = (["--format", "text"], ["--format", "markdown"], ["--format", "json"])
    for args in [["check", "--strict", *f] for f in formats] + [["handoff", "1"], ["sync", "1"]]:
        shown = runner.invoke(main, [*args, "--project", str(r.root)])
        assert not re.search("[\x00-\x08\x0b-\x1f\x7f\u202e]", shown.output), args
        assert not re.search(r"^\s*::", shown.output, re.M), args
        if "json" in args:
            json.loads(shown.output)
    assert not list(tmp_path.rglob("PWNED")) and not (Path.cwd() / "PWNED").exists()  # no shell ran the names


def test_no_git_command_holds_user_text(tmp_path, runner, monkeypatch):
    # every git argument is fixed text, or the repository after -C: names from project.yaml
    # (the branch) and from the history (branches, messages) are only ever read
    import subprocess as sp

    from phasedocs.evidence import git

    r = make(tmp_path)
    history(r)
    (r.root / "phases/project.yaml").write_text(PROJECT + "evidence: {branch: main}\n")
    calls: list[list[str]] = []
    real = sp.run

    def spy(argv, *args, **kwargs):
        calls.append(list(argv))
        return real(argv, *args, **kwargs)

    monkeypatch.setattr(git.subprocess, "run", spy)
    sync(r, runner)
    assert calls
    for argv in calls:
        assert argv[1:3] == ["-C", str(r.root)]
        for arg in argv[3:]:
            assert re.fullmatch(r"[a-z-]+|--[a-z-]+(=[^ ]*)?|refs/(heads|remotes)(/HEAD)?", arg), arg


def test_evidence_json_is_untrusted_input_checked_like_any_other(project, runner):
    from conftest import minimal

    good = {
        "version": 1,
        "as_of": "2025-01-07T00:00:00Z",
        "history": {"commits": 3, "branches": 1, "default_branch": "main"},
        "tasks": {"1.1": {"commits": 1, "first": {"commit": "abcdef1", "at": "2025-01-06T10:00:00Z"}}},
    }
    root = project(minimal(**{"phases/phase-01/evidence.json": json.dumps(good)}))
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 0
    bad = json.loads(json.dumps(good))
    bad["tasks"]["9.9"] = {"commits": 0}
    bad["tasks"]["1.1"]["first"]["commit"] = "$(rm -rf ~)"
    bad["tasks"]["1.1"]["files"] = {"src/a\u202e.py": {"commit": "abcdef1", "at": "2025-01-06T10:00:00Z"}}
    bad["history"]["extra"] = True
    root = project(minimal(**{"phases/phase-01/evidence.json": json.dumps(bad, indent=1)}))
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    out = result.output
    assert "phases/phase-01/evidence.json:" in out and "Traceback" not in out
    assert "history.extra" in out
    assert "'$(rm -rf ~)' is no commit id; write 7 to 40 lowercase hex digits" in out
    assert "U+202E" in out
    root = project(minimal(**{"phases/phase-01/evidence.json": json.dumps({**good, "tasks": {"9.9": {"commits": 0}}})}))
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        'phases/phase-01/evidence.json:1:134: tasks["9.9"]: unknown task; phase.yaml has no task 9.9; '
        "evidence.json is written by phasedocs sync; delete it and run phasedocs sync again to write it anew\n"
        in result.output
    )


def test_long_collision_lists_are_summarised_in_documents_and_whole_in_task_files_and_json(project, runner):
    from conftest import minimal

    # 25 tasks on big.py, then 24 tasks on twelve files two by two: thirteen shared files
    rows = [f"B{i}:big.py" for i in range(25)] + [f"T{i}:f{i % 12}.py" for i in range(24)]
    tasks = [task(tid, slug=f"s{tid.lower()}", title=tid, files=[f]) for tid, f in (r.split(":") for r in rows)]
    phase = phase_yaml(tasks, title="Wide", start=START)
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase}))
    out = root / "docs"
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out)])
    assert result.exit_code == 0, result.output
    dash = (out / "phase-01/COORDINATION-DASHBOARD.md").read_text()
    block = dash.split("## Conflict risks\n\n")[1].split("\n\n## ")[0]
    assert block.splitlines() == [
        '!!! warning "File-collision risk: 13 shared files that tasks which may run at the same time touch"',
        "",
        "    - Tasks B0, B1, B2, B3, B4, B5, B6, B7 and 17 more touch `big.py`, and each may run at the same time "
        "as another of them: agree who edits first, or merge through git.",
        *(
            f"    - Tasks T{i} and T{i + 12} may run at the same time and both touch `f{i}.py`: agree who edits first, "
            "or merge through git."
            for i in range(9)
        ),
        "    - And 3 more shared files: each task file lists its own, final-metrics.json all.",
    ]
    task_file = (out / "phase-01/task-B0-sb0.md").read_text()
    partners = ", ".join(f"B{i}" for i in range(1, 21))
    assert f"- `big.py`: {partners} and 4 more (final-metrics.json lists every task of each shared file)\n" in task_file
    fm = json.loads((out / "phase-01/final-metrics.json").read_text())
    assert len(fm["collisions"]) == 13
    assert fm["collisions"][0]["tasks"] == [f"B{i}" for i in range(25)]


def _reading(tasks: dict[str, dict]) -> object:
    from phasedocs.input.evidence import EvidenceFile
    from phasedocs.input.records import parse

    history = {"commits": 1, "branches": 1, "default_branch": "main"}
    return parse(EvidenceFile, {"version": 1, "as_of": "2025-01-09T00:00:00Z", "history": history, "tasks": tasks})


def _changed(files: dict[str, str], landed: str | None = None) -> dict:
    """A task's reading: each file changed first at its time (day and hour in January), landed then."""
    out: dict = {
        "commits": len(files),
        "files": {f: {"commit": f"{i:07x}", "at": f"2025-01-{at}:00:00Z"} for i, (f, at) in enumerate(files.items())},
    }
    if landed is not None:
        out["landed"] = {"kind": "merge", "commit": "fffffff", "at": f"2025-01-{landed}:00:00Z"}
    return out


def test_changes_collide_exactly_when_their_spans_overlap_before_either_landed():
    from phasedocs.facts.evidence import git_collisions

    tasks = [_t(x) for x in ("A", "B", "C", "D", "E", "F")]
    reading = _reading(
        {
            # chain.py: A [6T10, 7T10), B [7T09, 8T10), C [8T09, open): A-B and B-C overlap, A-C do not
            "A": _changed({"chain.py": "06T10", "edge.py": "06T10", "own.py": "06T10"}, landed="07T10"),
            "B": _changed({"chain.py": "07T09"}, landed="08T10"),
            "C": _changed({"chain.py": "08T09"}),
            # edge.py: D starts exactly when A landed: A's change was in, no collision
            "D": _changed({"edge.py": "07T10"}),
            # own.py: E changed it in its own landing commit (no time running), F after A landed
            "E": _changed({"own.py": "06T12"}, landed="06T12"),
            "F": _changed({"own.py": "08T00"}),
        }
    )
    found = git_collisions(tasks, reading)
    assert [(c.file, [x.task for x in c.touches]) for c in found] == [("chain.py", ["A", "B", "C"])]


def test_files_outside_the_declared_ones_are_judged_only_where_files_are_declared():
    from phasedocs.facts.evidence import undeclared

    reading = _reading(
        {"A": _changed({"src/api/x.py": "06T10", "src/apix.py": "06T10"}), "B": _changed({"b.py": "06T10"})}
    )
    # src/api holds src/api/x.py, not src/apix.py; B declares nothing in a phase that declares files
    declared = [_t("A", files=["src/api/"]), _t("B")]
    assert [(u.file, [x.task for x in u.touches]) for u in undeclared(declared, reading)] == [
        ("b.py", ["B"]),
        ("src/apix.py", ["A"]),
    ]
    assert undeclared([_t("A"), _t("B")], reading) == ()  # no task declares files: nothing to judge against


def _t(tid: str, files: tuple[str, ...] | list[str] = ()) -> object:
    from phasedocs.input.models import Task

    return Task(id=tid, slug=f"s{tid.lower()}", title=tid, role="r", duration_days=1, files=list(files))


def test_evidence_ids_link_to_their_commits_when_the_project_names_its_repository(tmp_path, runner):
    r = make(tmp_path)
    s = history(r)
    sync(r, runner)
    out = tmp_path / "docs"
    assert runner.invoke(main, ["generate", "--project", str(r.root), "--out", str(out), "-q"]).exit_code == 0
    assert (
        f"Evidence from git, by task: 1.1 `git:{s['c1']}`" in (out / "phase-01/COORDINATION-DASHBOARD.md").read_text()
    )
    project = r.root / "phases/project.yaml"
    project.write_text(project.read_text() + "repo_url: https://github.com/acme/plans\n")
    assert runner.invoke(main, ["generate", "--project", str(r.root), "--out", str(out), "-q"]).exit_code == 0
    link = f"[`git:{s['c1']}`](https://github.com/acme/plans/commit/{s['c1']})"
    assert f"Evidence from git, by task: 1.1 {link}" in (out / "phase-01/COORDINATION-DASHBOARD.md").read_text()
    assert f"- Evidence: {link}" in (out / "phase-01/task-1.1-api.md").read_text()
