"""Synthetic projects for benchmarks: phases x tasks x snapshots, seeded.

Dependencies point only at earlier tasks (so there is never a cycle), files come from a
shared pool (so some parallel tasks collide), metrics follow a seeded random walk, and a
task starts only once its dependencies are complete (validate refuses anything else).
"""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from pathlib import Path

PROJECT = """\
name: Synthetic
summary: A generated project for benchmarks
coordinator: Coordinator
operator: Operator
calendar: workdays
timezone: UTC
metrics:
  warnings: {label: Warnings, unit: count, better: lower}
  build_time: {label: Build Time, unit: seconds, better: lower}
  pass_rate: {label: Pass Rate, unit: ratio, better: higher}
  coverage: {label: Coverage, unit: percent, better: higher}
  size: {label: Binary Size, unit: bytes, better: lower}
  version: {label: Version, unit: text}
protocol:
  session: 'synth-{{ phase.number }}'
  memory_key: 'p{{ phase.number }}/{{ task.key }}/status'
  before: ['tool start --task {{ (task.id ~ ": " ~ task.title) | shell }}']
  during: ['tool note --task {{ task.id }} --message "[progress]"']
  after: ['tool done --task {{ task.id }}']
  monitor: ['tool status --session synth-{{ phase.number }}']
  spawn: 'tool spawn --role {{ task.role | shell }} --file {{ task.file | shell }}'
  monitor_every_minutes: 10
"""
ROLES = ["backend-dev", "frontend-dev", "reviewer", "tester", "devops", "planner"]
TARGETS = [
    ("warnings", "< 20"),
    ("build_time", "-40%..-20%"),
    ("pass_rate", ">= 0.95"),
    ("coverage", "80..95"),
    ("size", "<= 50000000"),
]
STATES = ["pending", "in_progress", "complete"]


def make(root: Path, phases: int, tasks: int, snapshots: int, seed: int = 7, estimates: bool = False) -> Path:
    """Write a project with ``phases`` phases of ``tasks`` tasks and ``snapshots`` snapshots each
    (with ``estimates``, every task carries an estimate around its duration)."""
    rng = random.Random(seed)
    (root / "phases").mkdir(parents=True, exist_ok=True)
    (root / "phases/project.yaml").write_text(PROJECT)
    start = datetime(2025, 1, 6, 9, tzinfo=UTC)
    # the pool grows with the tasks, so each file has a handful of owners at any size
    modules = max(12, tasks // 2)
    pool = [f"src/mod{i}/file{j}.py" for i in range(modules) for j in range(4)] + [
        f"src/mod{i}" for i in range(modules)
    ]
    for n in range(1, phases + 1):
        folder = root / "phases" / f"phase-{n:02d}"
        (folder / "metrics").mkdir(parents=True, exist_ok=True)
        lines = [
            f"number: {n}",
            f"title: Phase {n} work",
            f"created: {start.isoformat()}",
            f"start: {start.isoformat()}",
            f"summary: Synthetic phase {n}.",
            "tasks:",
        ]
        deps_of: dict[str, list[str]] = {}
        for t in range(1, tasks + 1):
            deps = (
                sorted({f"{n}.{d}" for d in rng.sample(range(1, t), k=min(t - 1, rng.choice([0, 1, 1, 2])))})
                if t > 1
                else []
            )
            deps_of[f"{n}.{t}"] = deps
            metric, target = rng.choice(TARGETS)
            files = rng.sample(pool, k=2)
            days = rng.choice([0.5, 1, 1.5, 2, 3])
            lines += [
                f'  - id: "{n}.{t}"',
                f"    slug: task-{t}",
                f"    title: Task {t} of phase {n}",
                f"    role: {rng.choice(ROLES)}",
                f"    duration_days: {days}",
                *([f"    estimate: {{low: {days * 0.75:g}, high: {days * 2:g}}}"] if estimates else []),
                f"    depends_on: {json.dumps(deps)}",
                f"    goal: Deliver part {t}",
                "    objectives:",
                "      - title: Build it",
                "        steps: [Design, Implement, Test]",
                "    deliverables: [Code, Docs]",
                f"    files: {json.dumps(files)}",
                "    criteria:",
                f"      - text: {metric} target",
                f"        metric: {metric}",
                f'        target: "{target}"',
                f"      - text: Reviewed {t}",
                f"        id: reviewed-{n}-{t}",
            ]
        lines += ["success_criteria:", "  - text: Tests pass", "    metric: pass_rate", '    target: ">= 0.9"']
        (folder / "phase.yaml").write_text("\n".join(lines) + "\n")
        values = {"warnings": 40.0, "build_time": 300.0, "pass_rate": 0.9, "coverage": 70.0, "size": 60_000_000.0}
        states = dict.fromkeys((f"{n}.{t}" for t in range(1, tasks + 1)), 0)
        for s in range(snapshots):
            for key in values:
                values[key] *= 1 + rng.uniform(-0.08, 0.05)
            values["pass_rate"] = min(values["pass_rate"], 1.0)
            # a snapshot records what changed; a task starts only once its dependencies are complete
            movable = [
                tid
                for tid in sorted(states)
                if states[tid] == 1 or (states[tid] == 0 and all(states[d] == 2 for d in deps_of[tid]))
            ]
            changed = rng.sample(movable, k=min(3, len(movable)))
            for tid in changed:
                states[tid] = min(2, states[tid] + 1)
            snap = {
                "timestamp": (start + timedelta(hours=6 * s)).isoformat().replace("+00:00", "Z"),
                "label": f"S{s}",
                "kind": "baseline" if s == 0 else "progress",
                "metrics": {k: round(v, 4) for k, v in values.items()} | {"version": f"1.{s}.0"},
                "tasks": {tid: STATES[states[tid]] for tid in sorted(changed)},
            }
            (folder / "metrics" / f"{s:05d}.json").write_text(json.dumps(snap))
        start += timedelta(days=7)
    return root


def make_git(root: Path, tasks: int, commits_per_task: int) -> Path:
    """A project inside a git repository whose history holds ``tasks`` task branches of
    ``commits_per_task`` commits each, every branch merged into main (written with
    ``git fast-import``: seconds for ten thousand commits)."""
    import subprocess

    (root / "phases/phase-01").mkdir(parents=True, exist_ok=True)
    (root / "phases/project.yaml").write_text("name: Sync bench\ncalendar: calendar\ntimezone: UTC\n")
    lines = [
        "number: 1",
        "title: Sync",
        "created: 2025-01-01T00:00:00Z",
        "start: 2025-01-01T00:00:00Z",
        "tasks:",
        *(f'  - {{id: "1.{i}", slug: t{i}, title: T{i}, role: dev, duration_days: 1}}' for i in range(1, tasks + 1)),
    ]
    (root / "phases/phase-01/phase.yaml").write_text("\n".join(lines) + "\n")
    out: list[str] = []
    mark = 0
    when = 1735689600  # 2025-01-01T00:00:00Z

    def commit(ref: str, message: str, path: str, parents: list[int]) -> int:
        nonlocal mark, when
        mark += 1
        when += 60
        data = message.encode()
        out.append(f"commit {ref}\nmark :{mark}\ncommitter A <a@example.com> {when} +0000\ndata {len(data)}\n{message}")
        out.extend([f"from :{parents[0]}"] if parents else [])
        out.extend(f"merge :{p}" for p in parents[1:])
        body = f"{mark}\n"
        out.append(f"M 100644 inline {path}\ndata {len(body)}\n{body}")
        return mark

    main_tip = commit("refs/heads/main", "init", "README", [])
    for i in range(1, tasks + 1):
        tip = main_tip
        for j in range(commits_per_task):
            tip = commit(f"refs/heads/task/1.{i}-t{i}", f"Task 1.{i}: step {j}", f"src/t{i}.txt", [tip])
        main_tip = commit("refs/heads/main", f"Merge branch 'task/1.{i}-t{i}'", "MERGES", [main_tip, tip])
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True)
    subprocess.run(
        ["git", "-C", str(root), "fast-import", "--quiet"], input="\n".join(out).encode() + b"\n", check=True
    )
    return root
