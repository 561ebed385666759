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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from phasedocs.dates import EPS, Calendar, r6
from phasedocs.forecast import Work, planned_left, simulate
from phasedocs.gate import Finding, phase_findings
from phasedocs.input.models import Criterion, Metric, Phase, ProjectConfig, Task
from phasedocs.input.targets import change_pct, judge, parse_target

if TYPE_CHECKING:  # annotations only: the project loader brings the protocol checker (Jinja)
    from phasedocs.input.project import PhaseInput, Project, SnapshotInput
    from phasedocs.input.protocol import PhaseProtocol, RenderedProtocol


#: States whose plain words differ from their names: "not met yet" is not "missed".
STATE_WORDS = {"on_track": "on track so far", "off_track": "not met yet"}


def in_words(state: str) -> str:
    """A task, phase or criterion state as documents, charts and alt text say it: ``not met yet``."""
    return STATE_WORDS.get(state, state.replace("_", " "))


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
    """Planned start (from phase.yaml's schedule)."""
    finish_at: datetime
    """Planned finish."""
    criteria: tuple[CriterionFacts, ...]
    progress_percent: float
    """From state and time, never from criteria: 0 until started, the share of the planned
    duration worked while running (at most 99), 100 when complete."""
    note: str | None = None
    """The reason recorded with the task's current state (what blocks it), if any."""
    last_note: str | None = None
    """The latest note recorded on the task in any state: the human context shown beside it."""
    last_note_at: datetime | None = None
    """When ``last_note`` was recorded: its snapshot's time."""
    since: datetime | None = None
    """When the current state began (the entry's ``at``, else its snapshot's time); None if never recorded."""
    actual_start: datetime | None = None
    """When work began: the first time it was recorded in progress (or complete)."""
    actual_finish: datetime | None = None
    """When it was first recorded complete."""
    actual_days: float | None = None
    """Actual start to actual finish, on the project's calendar."""
    worked_days: float = 0.0
    """Time spent in progress so far (blocked spells do not count)."""
    variance_days: float | None = None
    """Actual finish minus planned finish, in days (positive: late); None until complete."""
    late: bool = False
    """True for a task running (in progress or blocked) past its planned finish."""
    overdue_days: float = 0.0
    """How far past its planned finish a running task is, at the latest snapshot."""
    forecast_finish: datetime | None = None
    """When it is expected to finish (see :func:`_forecast`); None once complete."""
    protocol: RenderedProtocol | None = None
    """The task's protocol commands: rendered with the documents (render stage), None here."""
    plan_start: datetime | None = None
    """Planned start in the plan in force (the frozen plan, else phase.yaml's schedule)."""
    plan_finish: datetime | None = None
    """Planned finish in the plan in force; what ``late``, variance and the gauge are measured against."""
    in_plan: bool = True
    """False for a task added to phase.yaml after the plan was frozen (judged against phase.yaml)."""
    gauge: str = "on_schedule"
    """on_schedule, behind or ahead: the actual (complete) or forecast finish against the plan."""
    gauge_days: float = 0.0
    """How far the actual or forecast finish is from the plan's, in days (positive: behind)."""
    stale: bool = False
    """True for a task in progress past its planned finish plus its slack: it now delays the phase."""
    criticality: float = 0.0
    """The share of forecast runs in which it is on a critical path (0 once complete)."""
    days: TaskDays | None = None
    """Its planned, actual and forecast times as days from the phase start, for the charts."""

    @property
    def id(self) -> str:
        """The task id."""
        return self.task.id


@dataclass(frozen=True)
class TaskDays:
    """A task's times as days from the phase start (on the project calendar)."""

    plan_start: float
    """Start in the plan in force."""
    plan_finish: float
    """Finish in the plan in force."""
    actual_start: float | None
    """When work began, if it has."""
    actual_finish: float | None
    """When it was complete, if it is."""
    forecast_start: float | None
    """When its remaining work is forecast to start (now, for work under way), unless complete."""
    forecast_finish: float | None
    """When it is forecast to finish, unless complete."""


@dataclass(frozen=True)
class PlanVersionFacts:
    """One frozen plan of a phase."""

    frozen_at: datetime
    reason: str | None
    finish: datetime
    total_days: float


@dataclass(frozen=True)
class PlanFacts:
    """The plan that actuals and the forecast are judged against."""

    frozen: bool
    """False when no plan is frozen: phase.yaml's schedule stands in for it."""
    start: datetime
    finish: datetime
    """The phase's planned finish in the plan in force."""
    versions: tuple[PlanVersionFacts, ...] = ()
    """Every frozen plan, oldest first (empty when none is frozen)."""
    changed: bool = False
    """True when phase.yaml changed after the plan in force was frozen."""
    added: tuple[str, ...] = ()
    """Tasks of phase.yaml the plan in force does not hold."""
    removed: tuple[str, ...] = ()
    """Tasks the plan in force holds that phase.yaml no longer does."""

    @property
    def replans(self) -> tuple[PlanVersionFacts, ...]:
        """The re-plans, with their reasons (every plan after the first)."""
        return self.versions[1:]

    @property
    def first(self) -> PlanVersionFacts | None:
        """The original promise, if a plan was frozen."""
        return self.versions[0] if self.versions else None


@dataclass(frozen=True)
class Gauge:
    """Where the phase stands against its plan: its worst task."""

    state: str
    """on_schedule, behind or ahead."""
    days: float
    """The worst task's gauge days (positive: behind)."""
    task: str | None
    """The worst task's id."""


@dataclass(frozen=True)
class ForecastFacts:
    """The Monte Carlo forecast of a phase's completion."""

    p50: datetime
    p85: datetime
    p95: datetime
    p50_days: float
    p85_days: float
    p95_days: float
    runs: int
    seed: int
    spread: str
    """estimates, history, estimates and history, or none (then p50 = p85 = p95)."""
    history: int = 0
    """How many finished tasks' actual/planned ratios the history holds."""


@dataclass(frozen=True)
class CriterionFacts:
    """One criterion with its computed state."""

    scope: str
    """A task id, or 'phase'."""
    criterion: Criterion
    state: str
    """pending (no value yet); on_track or off_track while its work goes on; met, exceeded
    or missed once settled."""
    metric: Metric | None = None
    baseline: float | str | None = None
    value: float | str | bool | None = None
    change_pct: float | None = None
    settled: bool = False
    """True when its task (or, for phase criteria, the phase) is complete: the state is final."""

    baseline_is_first: bool = False
    """True when the baseline snapshot had no value: the change is measured from the first value."""

    @property
    def passed(self) -> bool:
        """True when the criterion is met or exceeded: a settled fact."""
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
    baseline_is_first: bool
    """True when the baseline snapshot has no value for it: ``baseline`` is then None and
    changes are measured from its first value."""
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
    """Every zero-slack task in dependency order: a set, not a sequence (see ``critical_chains``)."""
    uses_progress: bool
    """True when the forecast comes from recorded progress, not the plan."""
    critical_chains: tuple[tuple[str, ...], ...] = ()
    """Each chain of critical tasks from a start to the finish; parallel chains are separate."""


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
    note: str | None = None
    """The snapshot's note."""


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
    now: datetime | None = None
    """The latest snapshot's time: "now" for every fact of work in progress (no wall clock)."""
    actual_start: datetime | None = None
    """When the first task started."""
    actual_finish: datetime | None = None
    """When the last task was complete (only for a complete phase)."""
    variance_days: float | None = None
    """Actual finish minus planned finish, in days (positive: late); None until complete."""
    changes: tuple[Change, ...] = ()
    """What the latest snapshot changed against the one before."""
    note: str | None = None
    """The latest snapshot's note."""
    health: str | None = None
    """The latest recorded health call (on_track, at_risk, off_track), if any."""
    health_at: datetime | None = None
    """When ``health`` was recorded: its snapshot's time."""
    sequence: tuple[str, ...] = ()
    """Warnings about phase order: started while the phase it follows was not complete."""
    protocol: PhaseProtocol | None = None
    """The phase's protocol commands: rendered with the documents (render stage), None here."""
    plan: PlanFacts | None = None
    """The plan in force and the re-plans (see :class:`PlanFacts`)."""
    gauge: Gauge = Gauge("on_schedule", 0.0, None)
    """Its worst task against the plan."""
    forecast: ForecastFacts | None = None
    """The Monte Carlo forecast (set by :func:`compute`, which knows every phase's history)."""
    stale_days: float | None = None
    """For a phase under way: days without a snapshot, up to the project's newest one, when over the limit."""
    now_days: float | None = None
    """The latest snapshot's time in days from the phase start."""
    gate: tuple[Finding, ...] = ()
    """What ``phasedocs check`` finds (:mod:`phasedocs.gate`), computed once by :func:`compute`:
    the documents, status.json and the badge read this verdict, as check does."""

    @property
    def gate_failures(self) -> tuple[Finding, ...]:
        """The findings that fail ``phasedocs check`` (without --strict)."""
        return tuple(f for f in self.gate if f.fails)

    @property
    def number(self) -> int:
        """The phase number."""
        return self.phase.number

    @property
    def planned_finish(self) -> datetime:
        """The planned finish in the plan in force (the frozen plan, else phase.yaml's schedule)."""
        return self.plan.finish if self.plan is not None else self.schedule.finish

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
    calendar: Calendar
    """The project's working calendar: every date of the facts is computed on it (charts too)."""


# --------------------------------------------------------------------------- compute
def compute(project: Project, docs_prefix: str = "docs/") -> ProjectFacts:
    """The facts of every phase of ``project``."""
    cal = project.config.work_calendar()
    phases = tuple(compute_phase(project.config, p, cal) for p in project.phases)
    phases = _sequence(_stale(_forecasts(phases, project.config, cal), project.config, cal), cal.tz)
    # the gate's verdict, once: check, the documents, status.json and the badges all read it
    phases = tuple(replace(p, gate=phase_findings(p)) for p in phases)
    return ProjectFacts(project.config, phases, cal.tz, docs_prefix, cal)


def history_ratios(phases: tuple[PhaseFacts, ...]) -> tuple[float, ...]:
    """Actual/planned duration of every finished task of the project (start to finish, on its calendar).

    A task recorded complete without ever being seen in progress took no measurable time
    and says nothing about the spread: it is left out.
    """
    return tuple(
        t.actual_days / t.task.duration_days
        for p in phases
        for t in p.tasks
        if t.actual_days is not None and t.actual_days > EPS  # actual days: complete tasks only
    )


def _forecasts(phases: tuple[PhaseFacts, ...], config: ProjectConfig, cal: Calendar) -> tuple[PhaseFacts, ...]:
    """Each phase with its Monte Carlo forecast and its tasks' criticality."""
    ratios = history_ratios(phases)
    out = []
    for p in phases:
        by_id = {t.id: t for t in p.tasks}
        work = []
        for task in topological(list(p.phase.tasks)):
            tf = by_id[task.id]
            done = tf.days.actual_finish if tf.state == "complete" and tf.days is not None else None
            est = task.estimate
            work.append(
                Work(
                    task.id,
                    tuple(dict.fromkeys(task.depends_on)),
                    task.duration_days,
                    done,
                    tf.worked_days,
                    est.low if est else None,
                    est.high if est else None,
                )
            )
        # as the point forecast: from the latest snapshot once work is recorded, else the plan
        now = p.now_days if p.schedule.uses_progress and p.now_days is not None else 0.0
        settings = config.forecast
        result = simulate(work, now, ratios=ratios, runs=settings.runs, seed=settings.seed)
        start = p.schedule.start
        forecast = ForecastFacts(
            cal.finish_at(start, result.p50),
            cal.finish_at(start, result.p85),
            cal.finish_at(start, result.p95),
            result.p50,
            result.p85,
            result.p95,
            result.runs,
            settings.seed,
            result.spread,
            len(ratios) if "history" in result.spread else 0,
        )
        tasks = tuple(replace(t, criticality=result.criticality[t.id]) for t in p.tasks)
        out.append(replace(p, forecast=forecast, tasks=tasks))
    return tuple(out)


def _stale(phases: tuple[PhaseFacts, ...], config: ProjectConfig, cal: Calendar) -> tuple[PhaseFacts, ...]:
    """Flag phases under way whose latest snapshot is older than the project's newest by more
    than ``stale_after_days`` (the newest snapshot is "now": never the wall clock)."""
    times = [p.now for p in phases if p.now is not None]
    if not times:
        return phases
    as_of = max(times)
    out = []
    for p in phases:
        if p.state in ("active", "blocked") and p.now is not None:
            gap = r6(cal.elapsed(p.now, as_of))
            if gap > config.stale_after_days + EPS:
                p = replace(p, stale_days=gap)
        out.append(p)
    return tuple(out)


def _sequence(phases: tuple[PhaseFacts, ...], tz: ZoneInfo) -> tuple[PhaseFacts, ...]:
    """Flag, on both phases, a phase that started while the phase it follows was not complete."""
    by_number = {p.number: p for p in phases}
    warnings: dict[int, list[str]] = defaultdict(list)
    for p in phases:
        before = by_number.get(p.phase.after_phase) if p.phase.after_phase is not None else None
        if before is None or p.actual_start is None:
            continue
        if before.actual_finish is not None and before.actual_finish <= p.actual_start:
            continue
        when = p.actual_start.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")
        done = (
            f"it completed only on {before.actual_finish.astimezone(tz).strftime('%Y-%m-%d %H:%M %Z')}"
            if before.actual_finish is not None
            else "it is still not complete"
        )
        text = (
            f"Phase {p.number} started on {when}, before phase {before.number} (which it follows) was complete: {done}."
        )
        warnings[p.number].append(text)
        warnings[before.number].append(text)
    return tuple(replace(p, sequence=tuple(warnings[p.number])) if warnings[p.number] else p for p in phases)


def numeric(unit: str, value: Any) -> float | str | None:
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


def compute_phase(config: ProjectConfig, source: PhaseInput, cal: Calendar) -> PhaseFacts:
    """The facts of one phase on ``cal``, the project's calendar (``config.work_calendar()``)."""
    phase = source.phase
    tasks = list(phase.tasks)
    order = topological(tasks)

    # --- recorded states, checks and metric series, in snapshot order
    history = _history(source)
    recorded = {tid: runs[-1].state for tid, runs in history.items()}
    checks: dict[str, bool] = {}
    prev_checks: dict[str, bool] = {}
    series: dict[str, list[tuple[datetime, Any]]] = defaultdict(list)
    baseline_snap = next((s for s in source.snapshots if s.snapshot.kind == "baseline"), None)
    if baseline_snap is None and source.snapshots:
        baseline_snap = source.snapshots[0]
    # without snapshots there is no baseline, and no metric has a value to compare with it
    baseline_values = baseline_snap.snapshot.metrics if baseline_snap is not None else {}
    for i, s in enumerate(source.snapshots):
        snap = s.snapshot
        if i == len(source.snapshots) - 1:
            prev_checks = dict(checks)
        checks.update(snap.checks)
        for key, value in snap.metrics.items():
            if value is not None:
                series[key].append((snap.timestamp, numeric(config.metrics[key].unit, value)))
    now = source.snapshots[-1].snapshot.timestamp if source.snapshots else None

    # --- metrics
    metrics: list[MetricFacts] = []
    metric_by_key: dict[str, MetricFacts] = {}
    reference: dict[str, float | str | None] = {}  # what changes are measured from
    for key, metric in config.metrics.items():
        points = series.get(key, [])
        if not points and not any(key in s.snapshot.metrics for s in source.snapshots):
            continue
        base = numeric(metric.unit, baseline_values.get(key))
        first = base is None and bool(points)
        ref = points[0][1] if first else base
        reference[key] = ref
        current = points[-1][1] if points else None
        change = (
            change_pct(current, ref) if isinstance(current, (int, float)) and isinstance(ref, (int, float)) else None
        )
        trend = improving = None
        if len(points) >= 2 and metric.unit != "text":
            prev, last = points[-2][1], points[-1][1]
            trend = "up" if last > prev + EPS else "down" if last < prev - EPS else "flat"
            if metric.better and trend != "flat":
                improving = (trend == "down") == (metric.better == "lower")
        mf = MetricFacts(key, metric, base, current, change, tuple(points), first, trend, improving)
        metrics.append(mf)
        metric_by_key[key] = mf

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
    # every offset is rounded by r6, so equal days are equal floats: no tolerance needed here
    critical_path = tuple(t.id for t in order if slack[t.id] == 0)
    chains = critical_chains(order, es, ef, slack, dependents, total)
    finish = cal.finish_at(phase.start, total)

    # --- actuals: what the snapshots say happened, on the project's calendar
    def offset(when: datetime) -> float:
        return r6(cal.elapsed(phase.start, when))

    now_off = offset(now) if now is not None else None
    actual = {t.id: _actual(history.get(t.id, ()), now, offset) for t in tasks}

    # --- the plan in force: the frozen one, else phase.yaml's schedule
    begins = cal.start_at(phase.start, 0.0)  # a start by night or at a weekend: the next working time
    plan = _plan_facts(source, begins, finish)
    frozen = source.plan.current.tasks if source.plan is not None else {}
    scheduled = {t.id: (cal.start_at(phase.start, es[t.id]), cal.finish_at(phase.start, ef[t.id])) for t in tasks}
    # a frozen start is shown when its work begins (older plan.json files held the evening before)
    plan_at = {
        tid: (cal.add(frozen[tid].start, 0.0), frozen[tid].finish) if tid in frozen else at
        for tid, at in scheduled.items()
    }
    # offsets of the frozen times on today's calendar; phase.yaml's own where nothing is frozen
    ps = {tid: offset(a) if tid in frozen else es[tid] for tid, (a, _) in plan_at.items()}
    pf = {tid: offset(b) if tid in frozen else ef[tid] for tid, (_, b) in plan_at.items()}
    plan_total = offset(plan.finish) if plan.frozen else total

    # --- forecast: finished work as it happened, running work from the time already spent
    uses_progress = any(state != "pending" for state in recorded.values())
    if uses_progress and now_off is not None:
        fes, fef = _forecast(order, recorded, actual, now_off)
    else:
        fes, fef = dict(es), dict(ef)
    forecast_days = r6(max(fef.values()))
    forecast_finish = cal.finish_at(phase.start, forecast_days)
    schedule = Schedule(begins, r6(total), finish, forecast_finish, forecast_days, critical_path, uses_progress, chains)

    # --- criteria: on or off track while their work goes on; met, exceeded or missed once settled
    all_complete = all(recorded.get(t.id) == "complete" for t in tasks)
    values = {k: mf.current for k, mf in metric_by_key.items()}

    def criterion_facts(scope: str, crit: Criterion, settled: bool) -> CriterionFacts:
        if crit.metric is None:
            checked = checks.get(crit.id or "")
            return CriterionFacts(scope, crit, _checked_state(checked, settled), value=checked, settled=settled)
        mf = metric_by_key.get(crit.metric)
        state = _measured_state(
            crit, config.metrics[crit.metric], values.get(crit.metric), reference.get(crit.metric), settled
        )
        return CriterionFacts(
            scope,
            crit,
            state,
            config.metrics[crit.metric],
            mf.baseline if mf else None,
            mf.current if mf else None,
            mf.change_pct if mf else None,
            settled,
            mf.baseline_is_first if mf else False,
        )

    task_criteria = {
        t.id: tuple(criterion_facts(t.id, c, recorded.get(t.id) == "complete") for c in t.criteria) for t in tasks
    }
    phase_criteria = tuple(criterion_facts("phase", c, all_complete) for c in phase.success_criteria)

    # --- task facts
    notes = _last_notes(source.snapshots)
    task_facts = []
    for t in tasks:
        state: str = recorded.get(t.id, "pending")
        waiting = tuple(d for d in t.depends_on if recorded.get(d) != "complete")
        if state == "pending":
            state = "waiting" if waiting else "ready"
        a = actual[t.id]
        running = state in ("in_progress", "blocked")
        if state == "complete":
            pct = 100.0
        elif running:
            pct = min(99.0, round(100.0 * a.worked / t.duration_days, 1))
        else:
            pct = 0.0
        finish_off = offset(a.finish) if a.finish is not None and state == "complete" else None
        overdue = r6(now_off - pf[t.id]) if running and now_off is not None and now_off > pf[t.id] + EPS else 0.0
        runs = history.get(t.id, ())
        gauge_days = r6((finish_off if finish_off is not None else fef[t.id]) - pf[t.id])
        task_facts.append(
            TaskFacts(
                task=t,
                state=state,
                earliest_start=es[t.id],
                earliest_finish=ef[t.id],
                latest_start=ls[t.id],
                latest_finish=lf[t.id],
                slack=slack[t.id],
                critical=slack[t.id] == 0,
                waiting_for=waiting if recorded.get(t.id, "pending") == "pending" else (),
                dependents=tuple(dependents[t.id]),
                start_at=scheduled[t.id][0],
                finish_at=scheduled[t.id][1],
                criteria=task_criteria[t.id],
                progress_percent=pct,
                note=runs[-1].note if runs else None,
                last_note=notes[t.id][0] if t.id in notes else None,
                last_note_at=notes[t.id][1] if t.id in notes else None,
                since=runs[-1].since if runs else None,
                actual_start=a.start,
                actual_finish=a.finish if state == "complete" else None,
                actual_days=r6(cal.elapsed(a.start, a.finish))
                if state == "complete" and a.start is not None and a.finish is not None
                else None,
                worked_days=r6(a.worked),
                variance_days=r6(finish_off - pf[t.id]) if finish_off is not None else None,
                late=overdue > 0,
                overdue_days=overdue,
                forecast_finish=None if state == "complete" else cal.finish_at(phase.start, fef[t.id]),
                plan_start=plan_at[t.id][0],
                plan_finish=plan_at[t.id][1],
                in_plan=not plan.frozen or t.id in frozen,
                gauge=gauge_of(gauge_days),
                gauge_days=gauge_days,
                stale=state == "in_progress" and now_off is not None and now_off > pf[t.id] + slack[t.id] + EPS,
                days=TaskDays(
                    ps[t.id],
                    pf[t.id],
                    offset(a.start) if a.start is not None else None,
                    finish_off,
                    None if state == "complete" else fes[t.id],
                    None if state == "complete" else fef[t.id],
                ),
            )
        )
    states = [tf.state for tf in task_facts]
    complete = states.count("complete")
    if complete == len(states):
        phase_state = "complete"
    elif "blocked" in states and "in_progress" not in states and "ready" not in states:
        # blocked only when nothing can move: no work under way, none that can start
        phase_state = "blocked"
    elif complete or "in_progress" in states or "blocked" in states:
        phase_state = "active"
    else:
        phase_state = "planned"
    starts = [tf.actual_start for tf in task_facts if tf.actual_start is not None]
    phase_finish = max(tf.actual_finish for tf in task_facts if tf.actual_finish) if phase_state == "complete" else None

    snapshots = tuple(
        SnapshotInfo(
            s.file,
            s.snapshot.timestamp,
            s.snapshot.label or s.snapshot.timestamp.isoformat(),
            s.snapshot.kind,
            s.snapshot.note,
        )
        for s in source.snapshots
    )
    updated = snapshots[-1].timestamp if snapshots else phase.created
    all_criteria = tuple(c for t in tasks for c in task_criteria[t.id]) + phase_criteria
    changes = _changes(source, config, series, all_criteria, reference, prev_checks)
    health = next(
        ((s.snapshot.health, s.snapshot.timestamp) for s in reversed(source.snapshots) if s.snapshot.health), None
    )
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
        days=_days(task_facts, phase.start, total, cal),
        criteria=all_criteria,
        metrics=tuple(metrics),
        collisions=collisions(tasks),
        snapshots=snapshots,
        now=now,
        actual_start=min(starts) if starts else None,
        actual_finish=phase_finish,
        variance_days=r6(offset(phase_finish) - plan_total) if phase_finish is not None else None,
        changes=changes,
        note=source.snapshots[-1].snapshot.note if source.snapshots else None,
        health=health[0] if health else None,
        health_at=health[1] if health else None,
        plan=plan,
        gauge=_worst(task_facts),
        now_days=now_off,
    )


#: How far a finish may be from the plan's and still be on schedule, in days (about a quarter of
#: an hour on a 24-hour day): finishes are whole seconds, offsets rounded to six places.
GAUGE_TOLERANCE = 0.01


def gauge_of(days: float) -> str:
    """on_schedule, behind or ahead, for a finish ``days`` after the plan's."""
    if days > GAUGE_TOLERANCE:
        return "behind"
    if days < -GAUGE_TOLERANCE:
        return "ahead"
    return "on_schedule"


def _worst(tasks: list[TaskFacts]) -> Gauge:
    """The phase's gauge: its worst task (the furthest behind; the least ahead if all are)."""
    worst = max(tasks, key=lambda t: t.gauge_days)  # the first of equals, in task order
    return Gauge(worst.gauge, worst.gauge_days, worst.id)


def _plan_facts(source: PhaseInput, start: datetime, finish: datetime) -> PlanFacts:
    """The plan in force, the re-plans, and what changed in phase.yaml since."""
    if source.plan is None:
        return PlanFacts(False, start, finish)
    versions = tuple(PlanVersionFacts(v.frozen_at, v.reason, v.finish, v.total_days) for v in source.plan.plans)
    current = source.plan.current
    ids = [t.id for t in source.phase.tasks]
    return PlanFacts(
        True,
        current.start,
        current.finish,
        versions,
        changed=current.phase_digest != source.yaml_digest,
        added=tuple(tid for tid in ids if tid not in current.tasks),
        removed=tuple(tid for tid in current.tasks if tid not in set(ids)),
    )


# --------------------------------------------------------------------------- work in progress
#: The most critical chains listed: parallel branches multiply, a reader needs the first few.
MAX_CHAINS = 20


@dataclass(frozen=True)
class _Run:
    """A stretch of one task in one state, from the snapshots."""

    state: str
    since: datetime
    note: str | None


@dataclass(frozen=True)
class _Actual:
    """What the snapshots say of one task's work, as times and calendar offsets from the phase start."""

    start: datetime | None
    finish: datetime | None
    finish_off: float | None
    worked: float


def _history(source: PhaseInput) -> dict[str, tuple[_Run, ...]]:
    """Each task's states in order; an entry's ``at`` dates its state, else its snapshot does.

    A repeated state is the same run (a new note replaces the old one); a new state starts a
    run whose note is its own (a blocker's reason does not outlive the block).
    """
    runs: dict[str, list[_Run]] = defaultdict(list)
    for s in source.snapshots:
        for tid, entry in s.snapshot.tasks.items():
            when = entry.at or s.snapshot.timestamp
            own = runs[tid]
            if (
                entry.started is not None
                and entry.started < when
                and all(r.state in ("pending", "blocked") for r in own)
            ):
                own.append(_Run("in_progress", entry.started, None))  # the work began before it was recorded
            if own and own[-1].state == entry.state:
                if entry.note:
                    own[-1] = replace(own[-1], note=entry.note)
            else:
                own.append(_Run(entry.state, when, entry.note))
    return {tid: tuple(r) for tid, r in runs.items()}


def _last_notes(snapshots: Sequence[SnapshotInput]) -> dict[str, tuple[str, datetime]]:
    """Each task's latest note, whatever its state, with the time of the snapshot that recorded it."""
    out: dict[str, tuple[str, datetime]] = {}
    for s in snapshots:
        for tid, entry in s.snapshot.tasks.items():
            if entry.note:
                out[tid] = (entry.note, s.snapshot.timestamp)
    return out


def _actual(runs: tuple[_Run, ...], now: datetime | None, offset: Callable[[datetime], float]) -> _Actual:
    """Actual start (first in progress or complete), finish (first complete) and time worked."""
    start = next((r.since for r in runs if r.state in ("in_progress", "complete")), None)
    finish = next((r.since for r in runs if r.state == "complete"), None)
    worked = 0.0
    for i, r in enumerate(runs):
        if r.state != "in_progress":
            continue  # a blocked spell pauses the task: its time is not work
        end = runs[i + 1].since if i + 1 < len(runs) else now or r.since
        worked += max(0.0, offset(end) - offset(r.since))
    return _Actual(start, finish, offset(finish) if finish is not None else None, worked)


def _forecast(
    order: list[Task], recorded: dict[str, str], actual: dict[str, _Actual], now: float
) -> tuple[dict[str, float], dict[str, float]]:
    """Each task's expected start of what remains and finish, in days from the phase start, at the
    latest snapshot ``now``.

    Complete work finished when it did. A running task needs what is left of its duration
    after the time already worked (a blocked spell paused it, it did not restart it); one
    that has used it all needs :data:`~phasedocs.forecast.OVERRUN_SHARE` of it again, from now. Work not started
    starts when its dependencies are forecast to finish, and not before now.
    """
    starts: dict[str, float] = {}
    out: dict[str, float] = {}
    for t in order:
        state, a = recorded.get(t.id), actual[t.id]
        if state == "complete" and a.finish_off is not None:
            out[t.id] = a.finish_off
            continue
        # a running task's dependencies are complete (validate sees to it): it goes on from now
        starts[t.id] = max(max((out[d] for d in t.depends_on), default=now), now)
        out[t.id] = r6(starts[t.id] + planned_left(t.duration_days, a.worked))
    return starts, out


def critical_chains(
    order: list[Task],
    es: dict[str, float],
    ef: dict[str, float],
    slack: dict[str, float],
    dependents: dict[str, list[str]],
    total: float,
) -> tuple[tuple[str, ...], ...]:
    """Each chain of zero-slack tasks from the start to the finish, in dependency order.

    Two independent critical tasks are two chains (``[["7.1"], ["7.2"]]``), never one
    sequence. At most :data:`MAX_CHAINS`, in task order.
    """
    position = {t.id: i for i, t in enumerate(order)}
    critical = {t.id for t in order if slack[t.id] == 0}  # offsets are r6-rounded: exact
    nxt = {
        tid: sorted((c for c in dependents[tid] if c in critical and es[c] == ef[tid]), key=lambda c: position[c])
        for tid in critical
    }
    chains: list[tuple[str, ...]] = []
    stack: list[tuple[str, ...]] = [(t.id,) for t in reversed(order) if t.id in critical and es[t.id] == 0]
    while stack and len(chains) < MAX_CHAINS:
        path = stack.pop()
        following = nxt[path[-1]]
        if not following:
            if ef[path[-1]] == total:
                chains.append(path)
            continue
        stack.extend((*path, c) for c in reversed(following))
    return tuple(chains)


def chain_words(chains: Sequence[Sequence[str]], name: Callable[[str], str] = str) -> str:
    """The critical chains in words, each task named once: where chains share tasks they are
    one chain that forks or joins (``1.1 → 1.2, then 1.4 and 1.5 in parallel``); chains that
    share nothing run ``in parallel``. ``name`` formats a task id (escaping, for markdown)."""
    if not chains:
        return "none"
    if len(chains) == 1:
        return " → ".join(name(i) for i in chains[0])
    # the tasks every chain passes through, in order: there the chains meet
    common = [i for i in chains[0] if all(i in c for c in chains[1:])]
    gaps: list[list[tuple[str, ...]]] = [[] for _ in range(len(common) + 1)]
    for chain in chains:
        cuts = [-1] + [chain.index(i) for i in common] + [len(chain)]
        for k in range(len(common) + 1):
            seg = tuple(chain[cuts[k] + 1 : cuts[k + 1]])
            if seg and seg not in gaps[k]:
                gaps[k].append(seg)
    parts: list[tuple[str, ...] | list[tuple[str, ...]]] = []  # a sequence, or branches side by side
    run: list[str] = []
    for k, branches in enumerate(gaps):
        if len(branches) == 1:
            run.extend(branches[0])
        elif branches:
            if run:
                parts.append(tuple(run))
            parts.append(branches)
            run = []
        if k < len(common):
            run.append(common[k])
    if run:
        parts.append(tuple(run))

    def seq(ids: Sequence[str]) -> str:
        return " → ".join(name(i) for i in ids)

    words = []
    for part in parts:
        if isinstance(part, tuple):
            words.append(seq(part))
        else:
            names = [seq(b) for b in part]
            words.append(f"{', '.join(names[:-1])} and {names[-1]} in parallel")
    return ", then ".join(words)


def _checked_state(checked: bool | None, settled: bool) -> str:
    """A hand-checked criterion: pending until recorded; true is met; false is off track until settled."""
    if checked is None:
        return "pending"
    if checked:
        return "met"
    return "missed" if settled else "off_track"


def _measured_state(crit: Criterion, metric: Metric, value: Any, reference: Any, settled: bool) -> str:
    """A measured criterion: the target's verdict once settled, on or off track before."""
    verdict = judge(parse_target(crit.target or "", metric.unit), value, reference, metric.better)
    if verdict == "pending" or settled:
        return verdict
    return "on_track" if verdict in ("met", "exceeded") else "off_track"


@dataclass(frozen=True)
class Change:
    """One thing the latest snapshot changed against the one before."""

    kind: str
    """task, metric, criterion, health (a new recorded health call) or note (a task's new note
    in the same state, or, with an empty subject, the snapshot's own note)."""
    subject: str
    """The task id, the metric key, the criterion's scope and text; ``phase`` for health;
    empty for the snapshot's note."""
    before: Any
    """The state or value before (None: none recorded)."""
    after: Any
    """The state or value now."""
    unit: str = "count"
    """A metric's unit, for showing its values."""
    note: str | None = None
    """The reason recorded with a task's new state."""


def _changes(
    source: PhaseInput,
    config: ProjectConfig,
    series: dict[str, list[tuple[datetime, Any]]],
    criteria: tuple[CriterionFacts, ...],
    reference: dict[str, Any],
    checks_before: dict[str, bool],
) -> tuple[Change, ...]:
    """What the latest snapshot changed: task states, metric values, criterion states."""
    if len(source.snapshots) < 2:
        return ()
    latest = source.snapshots[-1].snapshot
    before: dict[str, str] = {}
    for s in source.snapshots[:-1]:
        before.update({tid: e.state for tid, e in s.snapshot.tasks.items()})
    notes_before = _last_notes(source.snapshots[:-1])
    out: list[Change] = []
    for tid, entry in latest.tasks.items():
        if before.get(tid, "pending") != entry.state:
            out.append(Change("task", tid, before.get(tid, "pending"), entry.state, note=entry.note))
        elif entry.note and entry.note != notes_before.get(tid, ("", None))[0]:
            # the same state with a new note: what a person wrote is news too
            out.append(Change("note", tid, None, entry.note))
    values_before: dict[str, Any] = {}
    for key, points in series.items():
        earlier = [v for ts, v in points if ts < latest.timestamp]
        values_before[key] = earlier[-1] if earlier else None
        if key in latest.metrics and latest.metrics[key] is not None and points[-1][1] != values_before[key]:
            out.append(Change("metric", key, values_before[key], points[-1][1], config.metrics[key].unit))
    for c in criteria:
        scope = [t.id for t in source.phase.tasks] if c.scope == "phase" else [c.scope]
        settled_before = all(before.get(tid) == "complete" for tid in scope)
        if c.metric is None:
            old = _checked_state(checks_before.get(c.criterion.id or ""), settled_before)
        else:
            key = c.criterion.metric or ""
            old = _measured_state(c.criterion, c.metric, values_before.get(key), reference.get(key), settled_before)
        if old != c.state:
            out.append(Change("criterion", f"{c.scope}: {c.criterion.text}", old, c.state))
    health_before = next((s.snapshot.health for s in reversed(source.snapshots[:-1]) if s.snapshot.health), None)
    if latest.health and latest.health != health_before:
        out.append(Change("health", "phase", health_before, latest.health))
    if latest.note:
        out.append(Change("note", "", None, latest.note))
    return tuple(out)


def _days(tasks: list[TaskFacts], start: datetime, total: float, cal: Calendar) -> tuple[Day, ...]:
    """The plan by day: day k covers schedule days [k-1, k) for starts, (k-1, k] for finishes.

    The offsets are rounded (:func:`~phasedocs.dates.r6`), so a whole day is exactly whole:
    no tolerance is needed at the day's edges.
    """
    out = []
    for k in range(1, math.ceil(total) + 1):
        lo, hi = k - 1, k
        starting = tuple(t.id for t in tasks if lo <= t.earliest_start < hi)
        finishing = tuple(t.id for t in tasks if lo < t.earliest_finish <= hi)
        running = tuple(t.id for t in tasks if t.earliest_start < hi and t.earliest_finish > lo)
        out.append(Day(k, cal.start_at(start, lo), starting, running, finishing))  # the day it is worked
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
