"""Every computed fact of a project: schedule, states, criteria, metrics, collisions.

Pure: no I/O, no wall clock. Input is a validated :class:`~phasedocs.input.project.Project`,
output is plain frozen dataclasses that the templates, charts and final-metrics.json
read. Everything is linear in tasks + dependencies + snapshots (collisions are found
through a path index, not by comparing every pair of tasks' files).
"""

from __future__ import annotations

import heapq
import math
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from phasedocs.dates import EPS, add_days, elapsed_days, r6
from phasedocs.input.models import Criterion, Metric, Phase, ProjectConfig, Task
from phasedocs.input.targets import change_pct, judge, parse_target

if TYPE_CHECKING:  # annotations only: the project loader brings the protocol checker (Jinja)
    from phasedocs.input.project import PhaseInput, Project
    from phasedocs.input.protocol import PhaseProtocol, RenderedProtocol


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class TaskFacts:
    """The computed facts of one task."""

    task: Task
    state: str
    """ready, waiting, in_progress, complete or blocked."""
    earliest_start: float
    earliest_finish: float
    latest_start: float
    latest_finish: float
    slack: float
    critical: bool
    waiting_for: tuple[str, ...]
    """Dependencies not complete yet."""
    dependents: tuple[str, ...]
    """Tasks that depend on this one."""
    start_at: datetime
    finish_at: datetime
    criteria: tuple[CriterionFacts, ...]
    progress_percent: float
    """Share of the task's criteria met or exceeded (0 without criteria, 100 when complete)."""
    protocol: RenderedProtocol | None = None
    """The task's protocol commands: rendered with the documents (render stage), None here."""

    @property
    def id(self) -> str:
        """The task id."""
        return self.task.id


@dataclass(frozen=True)
class CriterionFacts:
    """One criterion with its computed state."""

    scope: str
    """A task id, or 'phase'."""
    criterion: Criterion
    state: str
    """pending, met, exceeded or missed."""
    metric: Metric | None = None
    baseline: float | str | None = None
    value: float | str | bool | None = None
    change_pct: float | None = None
    settled: bool = False
    """True when its task (or, for phase criteria, the phase) is complete: the state is final."""

    @property
    def passed(self) -> bool:
        """True when the criterion is met or exceeded."""
        return self.state in ("met", "exceeded")

    @property
    def measured(self) -> bool:
        """True for metric + target criteria; False for hand-checked ones."""
        return self.criterion.metric is not None


@dataclass(frozen=True)
class MetricFacts:
    """One catalogued metric across a phase's snapshots."""

    key: str
    metric: Metric
    baseline: float | str | None
    current: float | str | None
    change_pct: float | None
    series: tuple[tuple[datetime, float | str], ...]
    """(timestamp, value) of every non-null value, in time order."""
    trend: str | None
    """up, down or flat: the last value against the one before; None with fewer than two."""
    improving: bool | None
    """Whether the trend goes the metric's better way (None when it has no direction)."""


@dataclass(frozen=True)
class Collision:
    """Two tasks that can run at the same time and touch the same paths."""

    tasks: tuple[str, str]
    files: tuple[str, ...]


@dataclass(frozen=True)
class Schedule:
    """The critical-path schedule of a phase."""

    start: datetime
    total_days: float
    finish: datetime
    forecast_finish: datetime
    forecast_days: float
    critical_path: tuple[str, ...]
    uses_progress: bool
    """True when the forecast comes from recorded progress, not the plan."""


@dataclass(frozen=True)
class Day:
    """One calendar day of the planned schedule."""

    number: int
    date: datetime
    starting: tuple[str, ...]
    running: tuple[str, ...]
    finishing: tuple[str, ...]


@dataclass(frozen=True)
class SnapshotInfo:
    """The facts of one snapshot needed by documents and charts."""

    file: str
    timestamp: datetime
    label: str
    kind: str


@dataclass(frozen=True)
class PhaseFacts:
    """Everything computed about one phase."""

    source: PhaseInput
    phase: Phase
    folder: str
    state: str
    """planned, active, blocked or complete."""
    updated: datetime
    tasks: tuple[TaskFacts, ...]
    tasks_complete: int
    percent: float
    schedule: Schedule
    days: tuple[Day, ...]
    criteria: tuple[CriterionFacts, ...]
    """Every criterion: tasks' in task order, then the phase's."""
    metrics: tuple[MetricFacts, ...]
    collisions: tuple[Collision, ...]
    snapshots: tuple[SnapshotInfo, ...]
    protocol: PhaseProtocol | None = None
    """The phase's protocol commands: rendered with the documents (render stage), None here."""

    @property
    def number(self) -> int:
        """The phase number."""
        return self.phase.number

    @property
    def latest(self) -> SnapshotInfo | None:
        """The newest snapshot, if any."""
        return self.snapshots[-1] if self.snapshots else None

    def task(self, task_id: str) -> TaskFacts:
        """The facts of task ``task_id``."""
        return next(t for t in self.tasks if t.id == task_id)

    @property
    def phase_criteria(self) -> tuple[CriterionFacts, ...]:
        """The phase-level criteria."""
        return tuple(c for c in self.criteria if c.scope == "phase")


@dataclass(frozen=True)
class ProjectFacts:
    """Everything computed about a project."""

    config: ProjectConfig
    """project.yaml."""
    phases: tuple[PhaseFacts, ...]
    """Every phase, by number."""
    tz: ZoneInfo
    """The project's time zone: every date shown is in it."""
    docs_prefix: str
    """The output folder as protocol commands name task files ('docs/'); used when they are rendered."""


# --------------------------------------------------------------------------- compute
def compute(project: Project, docs_prefix: str = "docs/") -> ProjectFacts:
    """The facts of every phase of ``project``."""
    tz = ZoneInfo(project.config.timezone)
    phases = tuple(compute_phase(project.config, p, tz) for p in project.phases)
    return ProjectFacts(project.config, phases, tz, docs_prefix)


def _numeric(unit: str, value: Any) -> float | str | None:
    """A snapshot value as a number (ratios as fractions) or text."""
    if value is None:
        return None
    if unit == "ratio" and isinstance(value, str):
        num, den = value.split("/")
        return float(num) / float(den)
    if unit == "text":
        return str(value)
    return value


def topological(tasks: list[Task]) -> list[Task]:
    """Tasks in dependency order, ties in file order (Kahn's algorithm)."""
    order = {t.id: i for i, t in enumerate(tasks)}
    indeg = {t.id: len(set(t.depends_on)) for t in tasks}
    children: dict[str, list[str]] = defaultdict(list)
    for t in tasks:
        for d in set(t.depends_on):
            children[d].append(t.id)
    heap = [order[t.id] for t in tasks if indeg[t.id] == 0]
    heapq.heapify(heap)
    out = []
    while heap:
        t = tasks[heapq.heappop(heap)]
        out.append(t)
        for c in children[t.id]:
            indeg[c] -= 1
            if indeg[c] == 0:
                heapq.heappush(heap, order[c])
    return out


def compute_phase(config: ProjectConfig, source: PhaseInput, tz: ZoneInfo) -> PhaseFacts:
    """The facts of one phase."""
    phase = source.phase
    workdays = config.calendar == "workdays"
    tasks = list(phase.tasks)
    order = topological(tasks)

    # --- recorded states, checks and metric series, in snapshot order
    recorded: dict[str, str] = {}
    first_seen: dict[tuple[str, str], datetime] = {}
    checks: dict[str, bool] = {}
    series: dict[str, list[tuple[datetime, Any]]] = defaultdict(list)
    baseline_snap = next((s for s in source.snapshots if s.snapshot.kind == "baseline"), None)
    if baseline_snap is None and source.snapshots:
        baseline_snap = source.snapshots[0]
    for s in source.snapshots:
        snap = s.snapshot
        for tid, task_state in snap.tasks.items():
            recorded[tid] = task_state
            first_seen.setdefault((tid, task_state), snap.timestamp)
        checks.update(snap.checks)
        for key, value in snap.metrics.items():
            if value is not None:
                series[key].append((snap.timestamp, _numeric(config.metrics[key].unit, value)))

    # --- metrics
    metrics: list[MetricFacts] = []
    metric_by_key: dict[str, MetricFacts] = {}
    for key, metric in config.metrics.items():
        points = series.get(key, [])
        if not points and not any(key in s.snapshot.metrics for s in source.snapshots):
            continue
        base = None
        if baseline_snap is not None:
            base = _numeric(metric.unit, baseline_snap.snapshot.metrics.get(key))
        if base is None and points:
            base = points[0][1]
        current = points[-1][1] if points else None
        change = (
            change_pct(current, base) if isinstance(current, (int, float)) and isinstance(base, (int, float)) else None
        )
        trend = improving = None
        if len(points) >= 2 and metric.unit != "text":
            prev, last = points[-2][1], points[-1][1]
            trend = "up" if last > prev + EPS else "down" if last < prev - EPS else "flat"
            if metric.better and trend != "flat":
                improving = (trend == "down") == (metric.better == "lower")
        mf = MetricFacts(key, metric, base, current, change, tuple(points), trend, improving)
        metrics.append(mf)
        metric_by_key[key] = mf

    # --- criteria
    def criterion_facts(scope: str, crit: Criterion) -> CriterionFacts:
        if crit.metric is None:
            checked = checks.get(crit.id or "")
            state = "pending" if checked is None else "met" if checked else "missed"
            return CriterionFacts(scope, crit, state, value=checked)
        metric = config.metrics[crit.metric]
        mf = metric_by_key.get(crit.metric)
        base = mf.baseline if mf else None
        value = mf.current if mf else None
        state = judge(parse_target(crit.target or ""), value, base, metric.better)
        return CriterionFacts(scope, crit, state, metric, base, value, mf.change_pct if mf else None)

    all_complete = all(recorded.get(t.id) == "complete" for t in tasks)
    task_criteria = {
        t.id: tuple(replace(criterion_facts(t.id, c), settled=recorded.get(t.id) == "complete") for c in t.criteria)
        for t in tasks
    }
    phase_criteria = tuple(replace(criterion_facts("phase", c), settled=all_complete) for c in phase.success_criteria)

    # --- schedule (critical path method)
    es: dict[str, float] = {}
    ef: dict[str, float] = {}
    for t in order:
        es[t.id] = r6(max((ef[d] for d in t.depends_on), default=0.0))
        ef[t.id] = r6(es[t.id] + t.duration_days)
    total = max(ef.values())
    dependents: dict[str, list[str]] = defaultdict(list)
    for t in tasks:
        for d in t.depends_on:
            dependents[d].append(t.id)
    lf: dict[str, float] = {}
    ls: dict[str, float] = {}
    for t in reversed(order):
        lf[t.id] = r6(min((ls[c] for c in dependents[t.id]), default=total))
        ls[t.id] = r6(lf[t.id] - t.duration_days)
    slack = {t.id: max(0.0, r6(ls[t.id] - es[t.id])) for t in tasks}
    critical_path = tuple(t.id for t in order if slack[t.id] <= EPS)
    finish = add_days(phase.start, total, workdays, tz)

    # --- forecast from recorded progress
    uses_progress = any(state != "pending" for state in recorded.values())
    forecast_days = total
    if uses_progress and source.snapshots:
        now = max(0.0, elapsed_days(phase.start, source.snapshots[-1].snapshot.timestamp, workdays, tz))
        fef: dict[str, float] = {}
        for t in order:
            recorded_state = recorded.get(t.id, "pending")
            start_ = max((fef[d] for d in t.depends_on), default=0.0)
            if recorded_state == "complete":
                done = first_seen.get((t.id, "complete"), phase.start)
                fef[t.id] = max(0.0, elapsed_days(phase.start, done, workdays, tz))
            elif recorded_state == "in_progress":
                began = first_seen.get((t.id, "in_progress"))
                s0 = elapsed_days(phase.start, began, workdays, tz) if began else start_
                fef[t.id] = max(s0 + t.duration_days, now)
            else:
                fef[t.id] = max(start_, now) + t.duration_days
        forecast_days = r6(max(fef.values()))
    forecast_finish = add_days(phase.start, forecast_days, workdays, tz)
    schedule = Schedule(phase.start, r6(total), finish, forecast_finish, forecast_days, critical_path, uses_progress)

    # --- task states
    task_facts = []
    for t in tasks:
        state: str = recorded.get(t.id, "pending")
        waiting = tuple(d for d in t.depends_on if recorded.get(d) != "complete")
        if state == "pending":
            state = "waiting" if waiting else "ready"
        crits = task_criteria[t.id]
        if state == "complete":
            pct = 100.0
        elif crits:
            pct = round(100.0 * sum(c.state in ("met", "exceeded") for c in crits) / len(crits), 1)
        else:
            pct = 0.0
        task_facts.append(
            TaskFacts(
                task=t,
                state=state,
                earliest_start=es[t.id],
                earliest_finish=ef[t.id],
                latest_start=ls[t.id],
                latest_finish=lf[t.id],
                slack=slack[t.id],
                critical=slack[t.id] <= EPS,
                waiting_for=waiting if recorded.get(t.id, "pending") == "pending" else (),
                dependents=tuple(dependents[t.id]),
                start_at=add_days(phase.start, es[t.id], workdays, tz),
                finish_at=add_days(phase.start, ef[t.id], workdays, tz),
                criteria=crits,
                progress_percent=pct,
            )
        )
    states = [tf.state for tf in task_facts]
    complete = states.count("complete")
    if complete == len(states):
        phase_state = "complete"
    elif "blocked" in states:
        phase_state = "blocked"
    elif complete or "in_progress" in states:
        phase_state = "active"
    else:
        phase_state = "planned"

    snapshots = tuple(
        SnapshotInfo(
            s.file, s.snapshot.timestamp, s.snapshot.label or s.snapshot.timestamp.isoformat(), s.snapshot.kind
        )
        for s in source.snapshots
    )
    updated = snapshots[-1].timestamp if snapshots else phase.created
    all_criteria = tuple(c for t in tasks for c in task_criteria[t.id]) + phase_criteria
    return PhaseFacts(
        source=source,
        phase=phase,
        folder=source.folder,
        state=phase_state,
        updated=updated,
        tasks=tuple(task_facts),
        tasks_complete=complete,
        percent=round(100.0 * complete / len(tasks), 1),
        schedule=schedule,
        days=_days(task_facts, phase.start, total, workdays, tz),
        criteria=all_criteria,
        metrics=tuple(metrics),
        collisions=collisions(tasks),
        snapshots=snapshots,
    )


def _days(tasks: list[TaskFacts], start: datetime, total: float, workdays: bool, tz: ZoneInfo) -> tuple[Day, ...]:
    """The plan by day: day k covers schedule days (k-1, k]."""
    out = []
    for k in range(1, math.ceil(total - EPS) + 1):
        lo, hi = k - 1, k
        starting = tuple(t.id for t in tasks if lo - EPS <= t.earliest_start < hi - EPS)
        finishing = tuple(t.id for t in tasks if lo + EPS < t.earliest_finish <= hi + EPS)
        running = tuple(t.id for t in tasks if t.earliest_start < hi - EPS and t.earliest_finish > lo + EPS)
        out.append(Day(k, add_days(start, lo, workdays, tz), starting, running, finishing))
    return tuple(out)


def _norm(path: str) -> str:
    return path.strip().strip("/").replace("\\", "/")


def collisions(tasks: list[Task]) -> tuple[Collision, ...]:
    """Pairs of tasks that may run at once (neither reaches the other) and share paths.

    A folder collides with every path under it. Paths are indexed, and each path's
    ancestors looked up in the index, so the cost follows the number of paths.
    """
    order = topological(tasks)
    bit = {t.id: 1 << i for i, t in enumerate(tasks)}
    ancestors: dict[str, int] = {}
    for t in order:
        mask = 0
        for d in t.depends_on:
            mask |= ancestors[d] | bit[d]
        ancestors[t.id] = mask
    index: dict[str, list[str]] = defaultdict(list)
    for t in tasks:
        for p in dict.fromkeys(_norm(f) for f in t.files):
            if p:
                index[p].append(t.id)
    common: dict[tuple[str, str], set[str]] = defaultdict(set)
    position = {t.id: i for i, t in enumerate(tasks)}

    def pair(a: str, b: str, path: str) -> None:
        if a == b or ancestors[a] & bit[b] or ancestors[b] & bit[a]:
            return
        key = (a, b) if position[a] < position[b] else (b, a)
        common[key].add(path)

    for path, owners in index.items():
        for i, a in enumerate(owners):
            for b in owners[i + 1 :]:
                pair(a, b, path)
        parts = path.split("/")
        for n in range(1, len(parts)):
            for folder_owner in index.get("/".join(parts[:n]), ()):
                for a in owners:
                    pair(folder_owner, a, path)
    return tuple(
        Collision(k, tuple(sorted(v)))
        for k, v in sorted(common.items(), key=lambda kv: (position[kv[0][0]], position[kv[0][1]]))
    )
