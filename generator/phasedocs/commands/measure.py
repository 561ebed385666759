"""``phasedocs measure``: one snapshot from the tool reports the metric catalogue points at.

Every catalogue metric that declares ``extract:`` is read (see :mod:`phasedocs.input.reports`);
the values then go through the same checks and the same atomic write as ``record``.
A report that cannot be read stops the command with nothing recorded; a missing one
does too, unless ``--allow-missing`` records the rest.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phasedocs.errors import Abort
from phasedocs.input.project import PhaseInput, Project, find_phase_input, load_project


@dataclass
class Measured:
    """What one ``measure`` read and wrote."""

    path: Path | None = None
    """The snapshot written."""
    values: dict[str, Any] = field(default_factory=dict)
    """Metric key -> value recorded."""
    sources: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Metric key -> the report files its value came from."""
    missing: list[str] = field(default_factory=list)
    """Metrics left out under --allow-missing, each with the path it looked for."""
    task_values: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Task id -> metric key -> its own value, from per-task (jsonl) logs."""


def default_phase(project: Project) -> PhaseInput:
    """The phase to measure when none is named: the one under way, else the first not complete."""
    from phasedocs.facts import under_way

    going, upcoming = [], []
    for p in project.phases:
        states: dict[str, str] = {}
        for s in p.snapshots:
            states.update((tid, e.state) for tid, e in s.snapshot.tasks.items())
        recorded = [states.get(t.id, "pending") for t in p.phase.tasks]
        if under_way(recorded):
            going.append(p)
        elif any(state != "complete" for state in recorded):
            upcoming.append(p)
    if len(going) > 1:
        numbers = ", ".join(str(p.phase.number) for p in going)
        raise Abort(f"several phases are under way ({numbers}); name the one to measure: phasedocs measure PHASE")
    if going or upcoming:
        return (going or upcoming)[0]
    raise Abort("every phase is complete; name the one to measure (phasedocs measure PHASE), or add the next phase")


def measure(
    project_dir: Path,
    phase: str | None,
    *,
    allow_missing: bool = False,
    if_declared: bool = False,
    **flags: Any,
) -> Measured:
    """Read every declared extractor, then record one snapshot of ``phase``; :class:`Abort` on any fault."""
    from phasedocs.commands.record import build_snapshot, phase_locked, write_snapshot
    from phasedocs.input.reports import MissingReport, ReportError, read, read_task

    project = load_project(project_dir)
    declared = {key: m for key, m in project.config.metrics.items() if m.extract is not None}
    if not declared and if_declared:
        return Measured()
    if not declared:
        raise Abort(
            "no metric of phases/project.yaml declares extract:, so there is nothing to measure; "
            "add one, e.g. extract: {junit: reports/junit.xml, value: pass_rate}"
        )
    target = find_phase_input(project, phase) if phase is not None else default_phase(project)
    out = Measured()
    problems: list[str] = []
    missing: list[str] = []
    for key, metric in declared.items():
        assert metric.extract is not None
        if metric.extract.kind == "jsonl":  # per task: each task's own logs
            found = False
            for task in target.phase.tasks:
                try:
                    got = read_task(project_dir, metric, project.config.prices, task.id, task.memory_key)
                except ReportError as exc:
                    problems.append(f"{key} of task {task.id}: {exc}")
                    continue
                if got is not None:
                    found = True
                    out.task_values.setdefault(task.id, {})[key] = got.value
                    out.sources[f"{key} of task {task.id}"] = got.files
            if not found and not problems:
                missing.append(
                    f"{key}: {metric.extract.path}: no task's logs match (has any agent written its log there?)"
                )
            continue
        try:
            reading = read(project_dir, metric)
        except MissingReport as exc:
            missing.append(f"{key}: {exc}")
        except ReportError as exc:
            problems.append(f"{key}: {exc}")
        else:
            out.values[key] = reading.value
            out.sources[key] = reading.files
    if problems or (missing and not allow_missing):
        hint = ["(--allow-missing records the metrics whose reports exist)"] if missing and not problems else []
        raise Abort("nothing recorded:\n" + "\n".join(f"  {line}" for line in problems + missing + hint))
    if not out.values and not out.task_values:
        raise Abort("nothing recorded: no declared report exists:\n" + "\n".join(f"  {m}" for m in missing))
    out.missing = missing
    with phase_locked(project_dir, target):  # as record: checked against what concurrent records wrote
        project = load_project(project_dir)
        target = find_phase_input(project, target.folder)
        snapshot = build_snapshot(project, target, values=out.values, task_values=out.task_values, **flags)
        out.path = write_snapshot(project_dir, target, snapshot)
    return out
