"""Agents as resources: validation, the levelled schedule against brute force, and the documents."""

from __future__ import annotations

import itertools
import json
import re
import shutil
from pathlib import Path

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PHASE_YAML, PROJECT_YAML, minimal
from phasedocs.cli import main
from phasedocs.facts import compute, topological
from phasedocs.facts.phase import critical_path_method, levelled_method
from phasedocs.input.models import Agent, Task
from phasedocs.input.project import load_project
from support import edit

P = "phases/phase-01/phase.yaml"
DATA = Path(__file__).parent / "data" / "agents-sprint"


# ----------------------------------------------------------------------------- validation
def _validate(runner, project, files: dict[str, str]) -> tuple[int, list[str]]:
    result = runner.invoke(main, ["validate", "--project", str(project(files))])
    return result.exit_code, result.stderr.strip().splitlines()[:-1]


def test_assignee_without_agents(project, runner):
    phase = edit(PHASE_YAML, "    duration_days: 2\n", "    duration_days: 2\n    assignee: ghost\n")
    code, lines = _validate(runner, project, minimal(**{P: phase}))
    assert code == 1
    assert lines == [
        f"{P}:11:15: tasks[0].assignee: task '1.1' is assigned to 'ghost', but no agents are defined; "
        "add agents: to phase.yaml or phases/project.yaml, or remove assignee"
    ]


def test_unknown_and_repeated_assignee(project, runner):
    agents = "agents:\n  - {id: dev1, role: dev, name: Dev One}\n  - {id: dev2, role: dev}\n"
    phase = edit(PHASE_YAML, "    duration_days: 1\n", "    duration_days: 1\n    assignee: [dev2, devl, dev2]\n")
    code, lines = _validate(runner, project, minimal(**{"phases/project.yaml": PROJECT_YAML + agents, P: phase}))
    assert code == 1
    assert lines == [
        f"{P}:21:22: tasks[1].assignee[1]: unknown agent 'devl'; did you mean 'dev2'? (known: dev1, dev2)",
        f"{P}:21:28: tasks[1].assignee[2]: agent 'dev2' is listed twice; list each agent once",
    ]


def test_duplicate_agent_id_and_phase_override(project, runner):
    agents = "agents:\n  - {id: dev1, role: dev}\n"
    phase = edit(
        PHASE_YAML,
        "tasks:\n",
        "agents:\n  - {id: dev1, role: dev, capacity: 2}\n  - {id: qa, role: qa}\n  - {id: qa, role: qa}\ntasks:\n",
    )
    code, lines = _validate(runner, project, minimal(**{"phases/project.yaml": PROJECT_YAML + agents, P: phase}))
    assert code == 1
    # dev1 of the phase overrides the project's: not a duplicate; qa twice in one list is
    assert lines == [
        f"{P}:8:10: agents[2].id: agent id 'qa' is used twice (also agents[1]); give each agent its own id "
        "(a phase's agents override project.yaml's of the same id)"
    ]


def test_capacity_below_one(project, runner):
    agents = "agents:\n  - {id: dev1, role: dev, capacity: 0}\n"
    code, lines = _validate(runner, project, minimal(**{"phases/project.yaml": PROJECT_YAML + agents}))
    assert code == 1
    assert lines == ["phases/project.yaml:19:37: agents[0].capacity: must be at least 1, got the number 0"]


def test_briefing_counts_only_the_agents_with_work(project, runner, tmp_path):
    agents = AGENTS + "  - {id: ml, role: ml, name: ML Engineer}\n"
    root = project(
        minimal(**{"phases/project.yaml": PROJECT_YAML + agents, P: TASKS.replace('"1.1"]}', '"1.1"], assignee: qa}')})
    )
    briefing = _generate(runner, root, tmp_path / "out")["AGENT-BRIEFING.md"]
    assert "5 tasks run by 2 agents (`py`, `qa`)" in briefing
    assert "; `ml` has no task in this phase." in briefing
    assert "## Agent ml: ML Engineer" in briefing and "No task is assigned to it." in briefing


def test_project_agents_extended_and_overridden_by_the_phase(project):
    agents = "agents:\n  - {id: a, role: dev, name: A}\n  - {id: b, role: dev}\n"
    phase = edit(
        PHASE_YAML, "tasks:\n", "agents:\n  - {id: c, role: qa}\n  - {id: a, role: dev, capacity: 3}\ntasks:\n"
    )
    root = project(minimal(**{"phases/project.yaml": PROJECT_YAML + agents, P: phase}))
    p = compute(load_project(root)).phases[0]
    assert [(a.id, a.agent.capacity, a.agent.name) for a in p.agents] == [
        ("a", 3, None),
        ("b", 1, None),
        ("c", 1, None),
    ]


# ----------------------------------------------------------------------------- the levelled schedule
def _cpm(durations: list[int], deps: list[tuple[int, ...]]) -> list[int]:
    """Unlevelled total slack, computed here from scratch (integers, no rounding)."""
    n = len(durations)
    es = [0] * n
    for i in range(n):  # dependencies point to earlier tasks only
        es[i] = max((es[d] + durations[d] for d in deps[i]), default=0)
    total = max(es[i] + durations[i] for i in range(n))
    lf = [total] * n
    for i in reversed(range(n)):
        for j in range(i + 1, n):
            if i in deps[j]:
                lf[i] = min(lf[i], lf[j] - durations[j])
    return [lf[i] - durations[i] - es[i] for i in range(n)]


def _serial(order: list[int], durations, deps, agents, capacity) -> list[int]:
    """Serial schedule generation in unit time steps: each task in ``order`` at the first whole
    time after its dependencies at which each of its agents has a free slot all along."""
    start: dict[int, int] = {}
    horizon = sum(durations) + 1
    use = {a: [0] * (horizon + max(durations)) for a in capacity}
    for i in order:
        t = max((start[d] + durations[d] for d in deps[i]), default=0)
        while not all(use[a][k] < capacity[a] for a in agents[i] for k in range(t, t + durations[i])):
            t += 1
        start[i] = t
        for a in agents[i]:
            for k in range(t, t + durations[i]):
                use[a][k] += 1
    return [start[i] for i in range(len(durations))]


def _lists(deps: list[tuple[int, ...]]):
    """Every order in which each task comes after its dependencies (activity lists)."""
    for perm in itertools.permutations(range(len(deps))):
        pos = {t: k for k, t in enumerate(perm)}
        if all(pos[d] < pos[i] for i in range(len(deps)) for d in deps[i]):
            yield list(perm)


@st.composite
def phases(draw):
    n = draw(st.integers(1, 6))
    n_agents = draw(st.integers(1, 3))
    capacity = {f"a{k}": draw(st.integers(1, 2)) for k in range(n_agents)}
    durations = [draw(st.integers(1, 3)) for _ in range(n)]
    deps = [tuple(sorted(draw(st.sets(st.integers(0, i - 1), max_size=2)))) if i else () for i in range(n)]
    agents = [
        tuple(sorted(draw(st.sets(st.sampled_from(sorted(capacity)), max_size=min(2, n_agents))))) for _ in range(n)
    ]
    return durations, deps, agents, capacity


def _tasks(durations, deps, agents) -> list[Task]:
    return [
        Task(
            id=f"1.{i + 1}",
            slug=f"t{i + 1}",
            title=f"T{i + 1}",
            role="dev",
            duration_days=float(d),
            depends_on=tuple(f"1.{j + 1}" for j in deps[i]),
            assignee=agents[i],
        )
        for i, d in enumerate(durations)
    ]


def _peak_ok(starts, finishes, agents, capacity) -> bool:
    """At no whole time does an agent run more tasks than its capacity (durations are whole)."""
    end = int(max(finishes))
    for a, cap in capacity.items():
        for k in range(end):
            if sum(1 for i in range(len(starts)) if a in agents[i] and starts[i] <= k < finishes[i]) > cap:
                return False
    return True


@settings(max_examples=150)
@given(phases())
def test_levelled_schedule_against_brute_force(case):
    """What is proved, on every random phase (<= 6 tasks, 1-3 agents, capacity 1-2):

    - the schedule is feasible: dependencies respected, no agent over its capacity at any time;
    - it is the one the rule gives (least unlevelled slack, then task order, serial generation),
      recomputed here from scratch in unit time steps;
    - its makespan is at least the optimum found by brute force over every activity list (the
      serial generation over all lists reaches an optimal schedule), and equals it whenever
      the resources constrain nothing (then it is the critical path's length). Optimality is
      not claimed in general: the priority rule is a heuristic;
    - the late schedule (each task at its latest start) is feasible too and ends at the same
      time: the slack shown is slack an agent's order can use.
    """
    durations, deps, agents, capacity = case
    tasks = _tasks(durations, deps, agents)
    order = topological(tasks)
    cpm = critical_path_method(tasks, order)
    lv = levelled_method(tasks, order, cpm, tuple(Agent(id=a, role="dev", capacity=c) for a, c in capacity.items()))
    ids = [t.id for t in tasks]
    starts = [lv.es[i] for i in ids]
    finishes = [lv.ef[i] for i in ids]

    for i in range(len(tasks)):
        assert finishes[i] == starts[i] + durations[i]
        assert all(starts[i] >= finishes[d] for d in deps[i])
    assert _peak_ok(starts, finishes, agents, capacity)

    slack = _cpm(durations, deps)
    rule: list[int] = []
    done: set[int] = set()
    while len(rule) < len(tasks):  # the highest-priority task whose dependencies are placed
        eligible = [i for i in range(len(tasks)) if i not in done and all(d in done for d in deps[i])]
        pick = min(eligible, key=lambda i: (slack[i], i))
        rule.append(pick)
        done.add(pick)
    assert starts == _serial(rule, durations, deps, agents, capacity)

    makespan = max(finishes)
    optimum = min(
        max(s + d for s, d in zip(_serial(lst, durations, deps, agents, capacity), durations, strict=True))
        for lst in _lists(deps)
    )
    assert makespan >= optimum
    unlevelled = max(cpm.ef.values())
    assert optimum >= unlevelled
    if _peak_ok([cpm.es[i] for i in ids], [cpm.ef[i] for i in ids], agents, capacity):
        assert makespan == optimum == unlevelled

    late = [lv.ls[i] for i in ids]
    late_end = [lv.lf[i] for i in ids]
    assert max(late_end) == makespan
    assert all(late[i] >= late_end[d] for i in range(len(tasks)) for d in deps[i])
    assert _peak_ok(late, late_end, agents, capacity)


@settings(max_examples=50)
@given(phases())
def test_without_assignees_the_schedule_is_the_critical_path(case):
    durations, deps, _agents, capacity = case
    tasks = _tasks(durations, deps, [()] * len(durations))
    order = topological(tasks)
    cpm = critical_path_method(tasks, order)
    lv = levelled_method(tasks, order, cpm, tuple(Agent(id=a, role="dev", capacity=c) for a, c in capacity.items()))
    assert (lv.es, lv.ef, lv.slack, lv.critical_path) == (cpm.es, cpm.ef, cpm.slack, cpm.critical_path)


# ----------------------------------------------------------------------------- the documents
AGENTS = """\
agents:
  - {id: py, role: dev, name: Python Pro, capacity: 2}
  - {id: qa, role: qa, name: QA Engineer}
"""

TASKS = """\
number: 1
title: First
created: 2025-01-06T09:00:00Z
start: 2025-01-06T09:00:00Z
tasks:
  - {id: "1.1", slug: a, title: Alpha, role: dev, assignee: py, duration_days: 1}
  - {id: "1.2", slug: b, title: Beta, role: dev, assignee: py, duration_days: 1}
  - {id: "1.3", slug: c, title: Gamma, role: qa, assignee: qa, duration_days: 2}
  - {id: "1.4", slug: d, title: Delta, role: qa, assignee: qa, duration_days: 1}
  - {id: "1.5", slug: e, title: Epsilon, role: dev, duration_days: 1, depends_on: ["1.1"]}
"""


def _generate(runner, root: Path, out: Path) -> dict[str, str]:
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    return {p.name: p.read_text() for p in (out / "phase-01").glob("*.md")} | {
        "final-metrics.json": (out / "phase-01" / "final-metrics.json").read_text()
    }


def _files(snapshot: str | None = None) -> dict[str, str]:
    files = minimal(**{"phases/project.yaml": PROJECT_YAML + AGENTS, P: TASKS})
    if snapshot:
        files["phases/phase-01/metrics/s.json"] = snapshot
    return files


def test_handoff_launches_each_agent_once_and_hands_it_the_rest(project, runner, tmp_path):
    docs = _generate(runner, project(_files()), tmp_path / "out")
    handoff = docs["COORDINATOR-HANDOFF.md"]
    step2 = handoff.split("### Step 2")[1].split("### Step 3")[0]
    # py runs two at once: launched for 1.1, handed 1.2 in the same session; qa runs one at a time
    assert "- To do: py (Python Pro) is not running yet: launch it on this task with the command below." in step2
    assert (
        "- To do: hand it to py (Python Pro) as well once py (Python Pro) is launched for 1.1 "
        "(it runs 2 tasks at once); do not launch a second py (Python Pro)." in step2
    )
    assert "- To do: qa (QA Engineer) is not running yet: launch it on this task with the command below." in step2
    assert step2.count("gh workflow run agent.yml") == 2  # py for 1.1, qa for 1.3: never one per task
    assert "-f task=1.2" not in step2
    assert "#### Task 1.4" not in step2
    assert (
        "- Task 1.4 waits for qa (doing 1.3 first): hand it to qa (QA Engineer) when qa finishes 1.3, "
        "not to a new agent (launch its agent only if it is not running by then)." in handoff
    )
    assert "- Task 1.5 waits for 1.1: launch an agent for it only when it can start." in handoff


def test_handoff_hands_a_ready_task_to_its_running_or_idle_agent(project, runner, tmp_path):
    snap = json.dumps(
        {
            "timestamp": "2025-01-07T09:00:00Z",
            "tasks": {"1.1": "in_progress", "1.3": "complete"},
        }
    )
    docs = _generate(runner, project(_files(snap)), tmp_path / "out")
    handoff = docs["COORDINATOR-HANDOFF.md"]
    step2 = handoff.split("### Step 2")[1].split("### Step 3")[0]
    assert (
        "- To do: hand it to py (Python Pro) in the session where it is running 1.1: it has a free slot "
        "(2 at once); do not launch a new agent for it." in step2
    )
    assert (
        "- To do: qa (QA Engineer) has no task in progress (its last, 1.3, is complete): hand it to "
        "qa (QA Engineer) if its session is still open, else launch qa (QA Engineer) on it with the command below."
        in step2
    )
    assert step2.count("gh workflow run agent.yml") == 1  # qa's, for 1.4; none for py's 1.2
    assert "-f task=1.4" in step2


def test_briefing_one_block_per_agent_with_its_queue(project, runner, tmp_path):
    docs = _generate(runner, project(_files()), tmp_path / "out")
    briefing = docs["AGENT-BRIEFING.md"]
    assert (
        "4 of the 5 tasks run by 2 agents (`py`, `qa`), each taking its tasks in the order of its queue below and "
        "running at most its capacity of them at once; 1 task has no agent assigned (1.5) and needs an agent "
        "of its own." in briefing
    )
    assert "how many agents run them is not in the phase's data" not in briefing
    qa = briefing.split("## Agent qa: QA Engineer")[1].split("## Execution plan")[0]
    assert "| At once | 1 task |" in qa
    assert "| Load | 3 days planned; 0 days done (0 tasks); 0 running; 2 queued |" in qa
    queue = re.findall(r"^\d+\. \[(\S+) ", qa, re.M)
    assert queue == ["1.3", "1.4"]  # 1.3 is critical (2 days), so qa takes it first
    assert "waiting for qa (doing 1.3 first)" in qa
    assert briefing.count("\n## Agent ") == 2


def test_a_milestone_needs_no_agent_and_offers_no_launch_command(project, runner, tmp_path):
    milestone = '  - {id: "1.6", slug: f, title: Release, role: lead, milestone: true, depends_on: ["1.4", "1.5"]}\n'
    files = minimal(**{"phases/project.yaml": PROJECT_YAML + AGENTS, P: TASKS + milestone})
    docs = _generate(runner, project(files), tmp_path / "out")
    briefing = docs["AGENT-BRIEFING.md"]
    assert (
        "4 of the 5 tasks run by 2 agents (`py`, `qa`), each taking its tasks in the order of its queue below and "
        "running at most its capacity of them at once; 1 task has no agent assigned (1.5) and needs an agent "
        "of its own; the milestone 1.6 is a checkpoint that no agent runs." in briefing
    )
    checkpoint = (
        "A milestone is a checkpoint, never launched: no agent runs it and nothing is started for it. It is reached "
        "when its dependencies are complete and its gate passes; then record it reached with "
        "`phasedocs record 1 --task 1.6=complete`."
    )
    block = briefing.split("## Task 1.6: Release")[1].split("## For the coordinator")[0]
    assert checkpoint in block and "gh issue develop 1.6" not in block and "gh pr create" not in block
    task_file = docs["task-1.6-f.md"]
    assert "Not reached yet: 1.4, 1.5 are not complete.\n" in task_file
    assert checkpoint in task_file
    assert "gh issue develop" not in task_file and "gh pr create" not in task_file
    assert "gh issue develop 1.5" in docs["task-1.5-e.md"]  # a task's commands stay
    assert json.loads(docs["final-metrics.json"])["tasks"][5]["assignees"] == []
    done = {"1.1": "complete", "1.4": "complete", "1.5": "complete"}
    files["phases/phase-01/metrics/s.json"] = json.dumps({"timestamp": "2025-01-08T09:00:00Z", "tasks": done})
    ready = _generate(runner, project(files), tmp_path / "ready")["task-1.6-f.md"]
    assert "Its dependencies are complete: check its gate, then record it reached (see Coordination below).\n" in ready
    assert "can start now" not in ready


def test_dashboard_shows_each_agents_load(project, runner, tmp_path):
    snap = json.dumps({"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.1": "in_progress", "1.3": "complete"}})
    docs = _generate(runner, project(_files(snap)), tmp_path / "out")
    dash = docs["COORDINATION-DASHBOARD.md"]
    assert "| Agent | Role | At once | Planned | Done | Running | Queued, in order |" in dash
    assert "| py (Python Pro) | `dev` | 2 | 2 days | 0 days | 1.1 | 1.2 |" in dash
    assert "| qa (QA Engineer) | `qa` | 1 | 3 days | 2 days (1.3) | none | 1.4 |" in dash
    fm = json.loads(docs["final-metrics.json"])
    assert [(a["id"], a["done"], a["running"], a["queued"]) for a in fm["agents"]] == [
        ("py", [], ["1.1"], ["1.2"]),
        ("qa", ["1.3"], [], ["1.4"]),
    ]


def test_without_agents_final_metrics_has_no_agent_keys(project, runner, tmp_path):
    docs = _generate(runner, project(minimal()), tmp_path / "out")
    fm = json.loads(docs["final-metrics.json"])
    assert "agents" not in fm and "assignees" not in fm["tasks"][0]


# ----------------------------------------------------------------------------- a real sprint
def _intervals(tasks: list[dict], key: tuple[str, str]) -> dict[str, list[tuple[float, float, str]]]:
    out: dict[str, list[tuple[float, float, str]]] = {}
    for t in tasks:
        for a in t["assignees"]:
            out.setdefault(a, []).append((t[key[0]], t[key[1]], t["id"]))
    return out


def test_sprint_run_by_three_agents(runner, tmp_path):
    """tests/data/agents-sprint: 12 tasks of hours, three persistent agents (qa runs two at once),
    one task on two agents, four hours in: the handoff read as the operator."""
    root = tmp_path / "sprint"
    shutil.copytree(DATA, root)
    out = tmp_path / "out"
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    phase = out / "phase-12"
    fm = json.loads((phase / "final-metrics.json").read_text())
    facts = compute(load_project(root)).phases[0]
    capacity = {a["id"]: a["capacity"] for a in fm["agents"]}

    # no agent double-booked: in the plan, nor in the forecast of the work left
    rows = [{"id": t.id, "assignees": t.assignees, "s": t.earliest_start, "f": t.earliest_finish} for t in facts.tasks]
    ahead = [
        {"id": t.id, "assignees": t.assignees, "s": t.days.forecast_start, "f": t.days.forecast_finish}
        for t in facts.tasks
        if t.state != "complete" and t.days is not None
    ]
    for table in (rows, ahead):
        for a, spans in _intervals(table, ("s", "f")).items():
            for s, _f, _ in spans:
                assert sum(1 for s2, f2, _ in spans if s2 <= s < f2) <= capacity[a], (a, spans)

    handoff = (phase / "COORDINATOR-HANDOFF.md").read_text()
    # four hours in, py runs 12.6 and ml runs 12.3: no launch for any task they own
    spawned = re.findall(r"claude-agent start --agent \S+ --task (\S+)", handoff)
    assert spawned == []
    running = {a: set(fm_a["running"]) for fm_a in fm["agents"] for a in [fm_a["id"]]}
    assert running == {"py": {"12.6"}, "ml": {"12.3"}, "qa": {"12.5"}}
    assert (
        "- To do: hand it to qa (QA Engineer) in the session where it is running 12.5: it has a free slot "
        "(2 at once); do not launch a new agent for it." in handoff
    )
    assert (
        "- Task 12.2 waits for py (running 12.6): hand it to py (Python Pro) when py finishes 12.6, "
        "not to a new agent (launch its agent only if it is not running by then)." in handoff
    )
    assert (
        "- Task 12.10 waits for 12.6, then py (doing 12.2 first): hand it to qa (QA Engineer) and "
        "py (Python Pro) when that is complete and py finishes 12.2, not to a new agent "
        "(launch each of its agents only if it is not running by then)." in handoff
    )
    # the forecast keeps py's order: 12.6 (running) until 14:00, then 12.2, then 12.10
    by_id = {t["id"]: t for t in fm["tasks"]}
    assert by_id["12.2"]["state"] == "waiting" and by_id["12.2"]["waits_for_agent"] == ["py"]
    assert fm["schedule"]["forecast_finish"] == "2026-05-11T00:30:00Z"
    assert fm["schedule"]["forecast"]["p50"] == fm["schedule"]["forecast_finish"]

    # every document that says where 12.2 stands says it waits for its agent, never "can start now"
    task = (phase / "task-12.2-tokenizer.md").read_text()
    assert "can start now" not in task
    assert (
        "Its dependencies are complete, but it waits until py finishes 12.6: then hand it to py (Python Pro), "
        "not to a new agent." in task
    )
    summary = (phase / "COORDINATION-SUMMARY.md").read_text()
    assert (
        "| Critical path | 12.1 → 12.3 → 12.7 → 12.8 → 12.11 (12.3 → 12.7: ml runs one after the other, "
        "not a dependency) |" in summary
    )
    assert "- Task 12.2 cannot start until py finishes 12.6." in summary
    assert "- Task 12.10 cannot start until 12.6 is complete and py finishes 12.2." in summary
    assert "1 can start now, 6 waiting" in summary
    readme = (phase / "README.md").read_text()
    assert "Start one agent per task" not in readme

    briefing = (phase / "AGENT-BRIEFING.md").read_text()
    assert "12 tasks run by 3 agents (`py`, `ml`, `qa`)" in briefing
    assert "one per task" not in briefing


def test_freeze_and_replan_keep_each_agent_within_capacity(project, runner):
    """The frozen plan is the levelled schedule; a re-plan levels the work left from its time."""
    snap = json.dumps({"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.1": "in_progress"}})
    root = project(_files(snap))
    assert runner.invoke(main, ["freeze", "1", "--project", str(root), "--at", "2025-01-06T09:00:00Z"]).exit_code == 0
    phase = root / P
    phase.write_text(
        edit(
            phase.read_text(),
            "title: Epsilon, role: dev, duration_days: 1",
            "title: Epsilon, role: dev, duration_days: 2",
        )
    )
    args = ["freeze", "1", "--project", str(root), "--replan", "--reason", "re-level", "--at", "2025-01-07T09:00:00Z"]
    assert runner.invoke(main, args).exit_code == 0
    plans = json.loads((root / "phases/phase-01/plan.json").read_text())["plans"]
    first, again = (p["tasks"] for p in plans)
    # qa runs one task at a time: 1.3 (critical, 2 days) then 1.4, in both plans
    assert (first["1.3"]["start_days"], first["1.4"]["start_days"]) == (0, 2)
    assert (again["1.3"]["start_days"], again["1.3"]["finish_days"]) == (1, 3)
    assert (again["1.4"]["start_days"], again["1.4"]["finish_days"]) == (3, 4)
    # py runs two at once: 1.2 beside the running 1.1, from the re-plan's time
    assert (again["1.2"]["start_days"], again["1.2"]["finish_days"]) == (1, 2)


def test_tasks_of_one_agent_of_capacity_one_never_collide(project):
    tasks = (
        TASKS.replace("duration_days: 1}", "duration_days: 1, files: [src/shared.py]}", 2)
        .replace("assignee: qa, duration_days: 2}", "assignee: qa, duration_days: 2, files: [docs/]}")
        .replace("assignee: qa, duration_days: 1}", "assignee: qa, duration_days: 1, files: [docs/guide.md]}")
    )
    root = project(minimal(**{"phases/project.yaml": PROJECT_YAML + AGENTS, P: tasks}))
    p = compute(load_project(root)).phases[0]
    # py runs two at once: 1.1 and 1.2 may meet in src/shared.py; qa runs 1.3, then 1.4: never at once
    assert [(c.file, c.tasks) for c in p.collisions] == [("src/shared.py", ("1.1", "1.2"))]


def test_schema_covers_agents_and_assignee(runner, tmp_path):
    assert runner.invoke(main, ["schema", "--output", str(tmp_path)]).exit_code == 0
    phase = json.loads((tmp_path / "phase.schema.json").read_text())
    project = json.loads((tmp_path / "project.schema.json").read_text())
    assert "agents" in phase["properties"] and "agents" in project["properties"]
    agent = phase["$defs"]["Agent"]
    assert agent["required"] == ["id", "role"]
    assert agent["properties"]["capacity"]["minimum"] == 1
    forms = phase["$defs"]["Task"]["properties"]["assignee"]["anyOf"]
    assert {f["type"] for f in forms} == {"array", "string"}  # one id, or a list of ids


def test_package_index_never_starts_one_agent_per_task(project, runner, tmp_path):
    docs = _generate(runner, project(_files()), tmp_path / "out")
    readme = docs["README.md"]
    assert "Start one agent per task" not in readme
    step2 = readme.split("**Step 2.**")[1].split("**Step 3.**")[0]
    assert (
        "Task 1.2, agent py (Python Pro): hand it to py (Python Pro) as well once py (Python Pro) is launched "
        "for 1.1 (it runs 2 tasks at once); do not launch a second py (Python Pro)." in step2
    )
    assert step2.count("gh workflow run agent.yml") == 2


def test_a_huge_capacity_costs_nothing(project):
    agents = "agents:\n  - {id: py, role: dev, capacity: 1000000000}\n"
    tasks = TASKS.replace("assignee: qa", "assignee: py")
    root = project(minimal(**{"phases/project.yaml": PROJECT_YAML + agents, P: tasks}))
    p = compute(load_project(root)).phases[0]
    # never at capacity: the schedule is the critical path's
    assert [t.earliest_start for t in p.tasks] == [0, 0, 0, 0, 1]


def test_levelled_phase_longer_than_ten_years_is_refused(project, runner):
    tasks = "".join(
        f'  - {{id: "1.{i}", slug: t{i}, title: T{i}, role: dev, assignee: py, duration_days: 365}}\n'
        for i in range(11)
    )
    phase = "number: 1\ntitle: First\ncreated: 2025-01-06T09:00:00Z\nstart: 2025-01-06T09:00:00Z\ntasks:\n" + tasks
    agents = "agents:\n  - {id: py, role: dev}\n"
    code, lines = _validate(runner, project, minimal(**{"phases/project.yaml": PROJECT_YAML + agents, P: phase}))
    assert code == 1
    assert lines == [
        f"{P}:6:3: tasks: with its agents' capacities the phase lasts 4015 days; a phase may last at most "
        "3650 days (add agents, raise a capacity or split it into phases)"
    ]


def test_hostile_agent_names_are_text(project, runner, tmp_path):
    agents = "agents:\n  - {id: py, role: 'dev`x', name: '<img src=x onerror=alert(1)> | *bold*', capacity: 2}\n"
    agents += "  - {id: qa, role: qa, name: QA Engineer}\n"
    root = project(minimal(**{"phases/project.yaml": PROJECT_YAML + agents, P: TASKS}))
    docs = _generate(runner, root, tmp_path / "out")
    for name in ("AGENT-BRIEFING.md", "COORDINATION-DASHBOARD.md", "COORDINATOR-HANDOFF.md", "README.md"):
        assert "<img" not in docs[name], name
        assert "| *bold*" not in docs[name], name  # no bare pipe to split a table row, no emphasis


def test_an_agent_recorded_on_more_tasks_than_its_capacity(project, runner, tmp_path):
    """Reality may double-book an agent: the documents say so and queue the rest behind both."""
    tasks = TASKS.replace('duration_days: 1, depends_on: ["1.1"]}', "duration_days: 1, assignee: qa}")
    files = minimal(**{"phases/project.yaml": PROJECT_YAML + AGENTS, P: tasks})
    files["phases/phase-01/metrics/s.json"] = json.dumps(
        {"timestamp": "2025-01-06T21:00:00Z", "tasks": {"1.3": "in_progress", "1.4": "in_progress"}}
    )
    docs = _generate(runner, project(files), tmp_path / "out")
    fm = json.loads(docs["final-metrics.json"])
    qa = next(a for a in fm["agents"] if a["id"] == "qa")
    assert (qa["running"], qa["queued"]) == (["1.3", "1.4"], ["1.5"])
    five = next(t for t in fm["tasks"] if t["id"] == "1.5")
    # qa runs one task at a time: 1.5 starts when both are done, and 1.3 (two days) ends last
    assert (five["state"], five["waits_for_agent"], five["waits_behind"]) == ("waiting", ["qa"], ["1.3"])
    assert "| qa (QA Engineer) | `qa` | 1 | 4 days | 0 days | 1.3, 1.4 | 1.5 |" in docs["COORDINATION-DASHBOARD.md"]


@st.composite
def phases_in_flight(draw):
    durations, deps, agents, capacity = draw(phases())
    states: dict[int, str] = {}
    for i in range(len(durations)):  # a task goes ahead only of complete dependencies
        allowed = ["pending"]
        if all(states[d] == "complete" for d in deps[i]):
            allowed += ["in_progress", "complete", "blocked"]
        states[i] = draw(st.sampled_from(allowed))
    return durations, deps, agents, capacity, states


@settings(max_examples=25, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(phases_in_flight())
def test_work_in_flight_never_hands_an_agent_more_than_it_can_take(tmp_path_factory, case):
    durations, deps, agents, capacity, states = case
    root = tmp_path_factory.mktemp("flight")
    ag = "".join(f"  - {{id: {a}, role: dev, capacity: {c}}}\n" for a, c in capacity.items())
    rows = "".join(
        f'  - {{id: "1.{i + 1}", slug: t{i + 1}, title: T{i + 1}, role: dev, duration_days: {d}, '
        f"depends_on: [{', '.join(f'{chr(34)}1.{j + 1}{chr(34)}' for j in deps[i])}], "
        f"assignee: [{', '.join(agents[i])}]}}\n"
        for i, d in enumerate(durations)
    )
    files = {
        "phases/project.yaml": PROJECT_YAML + "agents:\n" + ag,
        P: "number: 1\ntitle: F\ncreated: 2025-01-06T09:00:00Z\nstart: 2025-01-06T09:00:00Z\ntasks:\n" + rows,
        "phases/phase-01/metrics/s.json": json.dumps(
            {
                "timestamp": "2025-01-07T09:00:00Z",
                "tasks": {f"1.{i + 1}": s for i, s in states.items() if s != "pending"},
            }
        ),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    p = compute(load_project(root)).phases[0]
    for a in p.agents:
        ready = [t for t in p.tasks if t.state == "ready" and a.id in t.assignees]
        assert len(ready) <= a.free, (a.id, a.running, [t.id for t in ready])
        # the forecast of the work left: never more at once than capacity, or than is running now
        spans = [
            (t.days.forecast_start, t.days.forecast_finish)
            for t in p.tasks
            if a.id in t.assignees and t.state != "complete" and t.days and t.task.duration_days > 0
        ]
        limit = max(a.agent.capacity, len(a.running))
        for s, _ in spans:
            assert sum(1 for s2, f2 in spans if s2 <= s < f2) <= limit
    handoff = CliRunner().invoke(main, ["handoff", "1", "--project", str(root)])
    assert handoff.exit_code == 0, handoff.output
    # a running agent is never launched again: no command for a task whose agents all run
    for t in p.tasks:
        if t.state == "ready" and t.assignees and all(p.agent(a).running for a in t.assignees):
            assert f"-f task={t.id}\n" not in handoff.stdout


def test_sprint_at_its_start_launches_each_agent_once_by_name(runner, tmp_path):
    """Hour 0 of the sprint: py and qa have work that can start; ml waits for 12.1. The spawn
    command names the agent (``task.assignees``), and each agent is launched once."""
    root = tmp_path / "sprint"
    shutil.copytree(DATA, root)
    (root / "phases/phase-12/metrics/2026-05-10T12-00-00Z.json").unlink()
    result = runner.invoke(main, ["handoff", "12", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert re.findall(r"claude-agent start --agent (\S+) --task (\S+)", result.stdout) == [
        ("py", "12.1"),
        ("qa", "12.4"),
    ]
    # py's other task without dependencies waits for py, not for a fresh agent of its own: py
    # takes 12.1, then 12.2 (less slack), then 12.6
    assert "- Task 12.6 waits for py (doing 12.2 first): hand it to py (Python Pro) when py finishes 12.2" in (
        result.stdout
    )


def test_an_agent_holding_a_blocked_task_is_not_said_to_run_it(project, runner, tmp_path):
    """A blocked task keeps its agent's slot, but nothing runs in it: the load says blocked."""
    tasks = edit(TASKS, 'duration_days: 1, depends_on: ["1.1"]}', "duration_days: 1, assignee: qa}")
    files = minimal(**{"phases/project.yaml": PROJECT_YAML + AGENTS, P: tasks})
    files["phases/phase-01/metrics/s.json"] = json.dumps(
        {"timestamp": "2025-01-06T21:00:00Z", "tasks": {"1.3": "in_progress", "1.4": "blocked"}}
    )
    docs = _generate(runner, project(files), tmp_path / "out")
    qa = next(a for a in json.loads(docs["final-metrics.json"])["agents"] if a["id"] == "qa")
    assert (qa["running"], qa["blocked"], qa["queued"]) == (["1.3"], ["1.4"], ["1.5"])
    assert (
        "| qa (QA Engineer) | `qa` | 1 | 4 days | 0 days | 1.3, 1.4 (blocked) | 1.5 |"
        in docs["COORDINATION-DASHBOARD.md"]
    )
    assert "1 running (1.3); 1 blocked, holding a slot (1.4); 1 queued" in docs["AGENT-BRIEFING.md"]
