"""One phase's facts, computed in one pass of named steps.

Each step reads the input and what earlier steps computed, never what later ones will: the
snapshots' readings, the metrics, the critical-path schedule, the actuals, the plan in force,
the forecast, the criteria, then each task's and the phase's facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from phasedocs.dates import EPS, Calendar, r6
from phasedocs.facts.changes import changes, snapshot_changes
from phasedocs.facts.collisions import collisions
from phasedocs.facts.graph import topological
from phasedocs.facts.measures import checked_state, measured_state, numeric
from phasedocs.facts.model import (
    Change,
    CriterionFacts,
    Day,
    MetricFacts,
    PhaseFacts,
    PlanFacts,
    Schedule,
    SnapshotInfo,
    TaskDays,
    TaskFacts,
)
from phasedocs.facts.plans import gauge_of, plan_facts, worst
from phasedocs.facts.progress import Actual, Run, actual_of, forecast_times, history, last_notes
from phasedocs.facts.schedule import critical_chains, plan_days
from phasedocs.input.models import Criterion, ProjectConfig, Task
from phasedocs.input.targets import change_pct

if TYPE_CHECKING:
    from phasedocs.input.project import PhaseInput


@dataclass(frozen=True)
class Readings:
    """What the snapshots hold, read once in snapshot order."""

    checks: dict[str, bool]
    """Every hand check's latest value."""
    checks_before: dict[str, bool]
    """The same, before the latest snapshot."""
    series: dict[str, list[tuple[datetime, Any]]]
    """Each metric's non-null values in time order (ratios as fractions)."""
    baseline: dict[str, Any]
    """The baseline snapshot's values (the first snapshot's when none is marked baseline)."""
    now: datetime | None
    """The latest snapshot's time."""


@dataclass(frozen=True)
class Cpm:
    """The critical-path method over phase.yaml's durations, in days from the phase start."""

    es: dict[str, float]
    ef: dict[str, float]
    ls: dict[str, float]
    lf: dict[str, float]
    slack: dict[str, float]
    total: float
    dependents: dict[str, list[str]]
    critical_path: tuple[str, ...]
    chains: tuple[tuple[str, ...], ...]


@dataclass(frozen=True)
class PlanTimes:
    """Each task's times in the plan in force (frozen, else phase.yaml's), as times and offsets."""

    plan: PlanFacts
    begins: datetime
    """When the phase's work begins: its start, or the next working time after it."""
    finish_at_total: datetime
    """phase.yaml's planned finish."""
    scheduled: dict[str, tuple[datetime, datetime]]
    """phase.yaml's own planned start and finish."""
    at: dict[str, tuple[datetime, datetime]]
    """The plan in force's start and finish."""
    start: dict[str, float]
    finish: dict[str, float]
    total: float
    frozen: frozenset[str]
    """The tasks the frozen plan holds (empty without one)."""


def compute_phase(config: ProjectConfig, source: PhaseInput, cal: Calendar) -> PhaseFacts:
    """The facts of one phase on ``cal``, the project's calendar (``config.work_calendar()``)."""
    phase = source.phase
    tasks = list(phase.tasks)
    order = topological(tasks)

    runs = history(source)
    recorded = {tid: r[-1].state for tid, r in runs.items()}
    readings = read_snapshots(config, source)
    metrics, reference = metric_facts(config, source, readings)
    cpm = critical_path_method(tasks, order)

    def offset(when: datetime) -> float:
        return r6(cal.elapsed(phase.start, when))

    now_off = offset(readings.now) if readings.now is not None else None
    actual = {t.id: actual_of(runs.get(t.id, ()), readings.now, offset) for t in tasks}
    times = plan_times(source, cal, cpm, offset)

    # the forecast: finished work as it happened, running work from the time already spent
    uses_progress = any(state != "pending" for state in recorded.values())
    if uses_progress and now_off is not None:
        fes, fef = forecast_times(order, recorded, actual, now_off)
    else:
        fes, fef = dict(cpm.es), dict(cpm.ef)
    forecast_days = r6(max(fef.values()))
    schedule = Schedule(
        times.begins,
        r6(cpm.total),
        times.finish_at_total,
        cal.finish_at(phase.start, forecast_days),
        forecast_days,
        cpm.critical_path,
        uses_progress,
        cpm.chains,
    )

    by_metric = {m.key: m for m in metrics}
    task_criteria = {
        t.id: tuple(
            criterion_facts(config, t.id, c, recorded.get(t.id) == "complete", readings, by_metric, reference)
            for c in t.criteria
        )
        for t in tasks
    }
    all_complete = all(recorded.get(t.id) == "complete" for t in tasks)
    phase_criteria = tuple(
        criterion_facts(config, "phase", c, all_complete, readings, by_metric, reference)
        for c in phase.success_criteria
    )
    notes = last_notes(source.snapshots)
    progress = Progress(recorded, runs, actual, fes, fef, now_off, offset)
    task_facts = [task_fact(t, progress, cpm, times, task_criteria[t.id], notes, cal, phase.start) for t in tasks]
    all_criteria = tuple(c for t in tasks for c in task_criteria[t.id]) + phase_criteria
    return phase_fact(
        source,
        task_facts,
        schedule,
        plan_days(task_facts, phase.start, cpm.total, cal),
        all_criteria,
        tuple(metrics),
        changes(source, config, readings.series, all_criteria, reference, readings.checks_before),
        snapshot_changes(source, config),
        times,
        readings.now,
        now_off,
        offset,
    )


def read_snapshots(config: ProjectConfig, source: PhaseInput) -> Readings:
    """The checks, metric series and baseline values of the snapshots, read once in order."""
    checks: dict[str, bool] = {}
    checks_before: dict[str, bool] = {}
    series: dict[str, list[tuple[datetime, Any]]] = defaultdict(list)
    baseline_snap = next((s for s in source.snapshots if s.snapshot.kind == "baseline"), None)
    if baseline_snap is None and source.snapshots:
        baseline_snap = source.snapshots[0]
    # without snapshots there is no baseline, and no metric has a value to compare with it
    baseline_values = baseline_snap.snapshot.metrics if baseline_snap is not None else {}
    for i, s in enumerate(source.snapshots):
        snap = s.snapshot
        if i == len(source.snapshots) - 1:
            checks_before = dict(checks)
        checks.update(snap.checks)
        for key, value in snap.metrics.items():
            if value is not None:
                series[key].append((snap.timestamp, numeric(config.metrics[key].unit, value)))
    now = source.snapshots[-1].snapshot.timestamp if source.snapshots else None
    return Readings(checks, checks_before, series, baseline_values, now)


def metric_facts(
    config: ProjectConfig, source: PhaseInput, readings: Readings
) -> tuple[list[MetricFacts], dict[str, float | str | None]]:
    """Each metric the phase's snapshots mention, and the value its changes are measured from."""
    metrics: list[MetricFacts] = []
    reference: dict[str, float | str | None] = {}
    for key, metric in config.metrics.items():
        points = readings.series.get(key, [])
        if not points and not any(key in s.snapshot.metrics for s in source.snapshots):
            continue
        base = numeric(metric.unit, readings.baseline.get(key))
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
        metrics.append(MetricFacts(key, metric, base, current, change, tuple(points), first, trend, improving))
    return metrics, reference


def critical_path_method(tasks: list[Task], order: list[Task]) -> Cpm:
    """Earliest and latest starts and finishes, slack and the critical chains."""
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
    return Cpm(es, ef, ls, lf, slack, total, dependents, critical_path, chains)


def plan_times(source: PhaseInput, cal: Calendar, cpm: Cpm, offset: Callable[[datetime], float]) -> PlanTimes:
    """The plan in force: the frozen one, else phase.yaml's schedule."""
    start = source.phase.start
    begins = cal.start_at(start, 0.0)  # a start by night or at a weekend: the next working time
    finish = cal.finish_at(start, cpm.total)
    plan = plan_facts(source, begins, finish)
    frozen = source.plan.current.tasks if source.plan is not None else {}
    scheduled = {tid: (cal.start_at(start, cpm.es[tid]), cal.finish_at(start, cpm.ef[tid])) for tid in cpm.es}
    # a frozen start is shown when its work begins (older plan.json files held the evening before)
    at = {
        tid: (cal.add(frozen[tid].start, 0.0), frozen[tid].finish) if tid in frozen else when
        for tid, when in scheduled.items()
    }
    # offsets of the frozen times on today's calendar; phase.yaml's own where nothing is frozen
    ps = {tid: offset(a) if tid in frozen else cpm.es[tid] for tid, (a, _) in at.items()}
    pf = {tid: offset(b) if tid in frozen else cpm.ef[tid] for tid, (_, b) in at.items()}
    total = offset(plan.finish) if plan.frozen else cpm.total
    return PlanTimes(plan, begins, finish, scheduled, at, ps, pf, total, frozenset(frozen))


def criterion_facts(
    config: ProjectConfig,
    scope: str,
    crit: Criterion,
    settled: bool,
    readings: Readings,
    metrics: dict[str, MetricFacts],
    reference: dict[str, float | str | None],
) -> CriterionFacts:
    """One criterion: on or off track while its work goes on; met, exceeded or missed once settled."""
    if crit.metric is None:
        checked = readings.checks.get(crit.id or "")
        return CriterionFacts(scope, crit, checked_state(checked, settled), value=checked, settled=settled)
    mf = metrics.get(crit.metric)
    metric = config.metrics[crit.metric]
    state = measured_state(crit, metric, mf.current if mf else None, reference.get(crit.metric), settled)
    return CriterionFacts(
        scope,
        crit,
        state,
        metric,
        mf.baseline if mf else None,
        mf.current if mf else None,
        mf.change_pct if mf else None,
        settled,
        mf.baseline_is_first if mf else False,
    )


@dataclass(frozen=True)
class Progress:
    """What the snapshots say of the work, with the forecast of what remains (days from the start)."""

    recorded: dict[str, str]
    runs: dict[str, tuple[Run, ...]]
    actual: dict[str, Actual]
    forecast_start: dict[str, float]
    forecast_finish: dict[str, float]
    now: float | None
    offset: Callable[[datetime], float]


def task_fact(
    t: Task,
    progress: Progress,
    cpm: Cpm,
    times: PlanTimes,
    criteria: tuple[CriterionFacts, ...],
    notes: dict[str, tuple[str, datetime]],
    cal: Calendar,
    start: datetime,
) -> TaskFacts:
    """One task's facts: its state, schedule, actuals, the plan it is judged against, its gauge."""
    recorded, now_off, offset = progress.recorded, progress.now, progress.offset
    pf = times.finish
    state: str = recorded.get(t.id, "pending")
    waiting = tuple(d for d in t.depends_on if recorded.get(d) != "complete")
    if state == "pending":
        state = "waiting" if waiting else "ready"
    a = progress.actual[t.id]
    running = state in ("in_progress", "blocked")
    if state == "complete":
        pct = 100.0
    elif running:
        pct = min(99.0, round(100.0 * a.worked / t.duration_days, 1))
    else:
        pct = 0.0
    finish_off = offset(a.finish) if a.finish is not None and state == "complete" else None
    overdue = r6(now_off - pf[t.id]) if running and now_off is not None and now_off > pf[t.id] + EPS else 0.0
    runs = progress.runs.get(t.id, ())
    fef = progress.forecast_finish
    gauge_days = r6((finish_off if finish_off is not None else fef[t.id]) - pf[t.id])
    return TaskFacts(
        task=t,
        state=state,
        earliest_start=cpm.es[t.id],
        earliest_finish=cpm.ef[t.id],
        latest_start=cpm.ls[t.id],
        latest_finish=cpm.lf[t.id],
        slack=cpm.slack[t.id],
        critical=cpm.slack[t.id] == 0,
        waiting_for=waiting if recorded.get(t.id, "pending") == "pending" else (),
        dependents=tuple(cpm.dependents[t.id]),
        start_at=times.scheduled[t.id][0],
        finish_at=times.scheduled[t.id][1],
        criteria=criteria,
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
        forecast_finish=None if state == "complete" else cal.finish_at(start, fef[t.id]),
        plan_start=times.at[t.id][0],
        plan_finish=times.at[t.id][1],
        in_plan=not times.plan.frozen or t.id in times.frozen,
        gauge=gauge_of(gauge_days),
        gauge_days=gauge_days,
        stale=state == "in_progress" and now_off is not None and now_off > pf[t.id] + cpm.slack[t.id] + EPS,
        days=TaskDays(
            times.start[t.id],
            pf[t.id],
            offset(a.start) if a.start is not None else None,
            finish_off,
            None if state == "complete" else progress.forecast_start[t.id],
            None if state == "complete" else fef[t.id],
        ),
    )


def phase_state(states: list[str]) -> str:
    """planned, active, blocked or complete, from the tasks' states."""
    complete = states.count("complete")
    if complete == len(states):
        return "complete"
    if "blocked" in states and "in_progress" not in states and "ready" not in states:
        # blocked only when nothing can move: no work under way, none that can start
        return "blocked"
    if complete or "in_progress" in states or "blocked" in states:
        return "active"
    return "planned"


#: The states of a phase under way: work on it has started, and not all of it is complete.
UNDER_WAY = ("active", "blocked")


def under_way(states: list[str]) -> bool:
    """Whether a phase whose tasks are in ``states`` is under way: the one rule, asked by the
    facts' stale check and by the commands that pick the phase under way (measure, sync)."""
    return phase_state(states) in UNDER_WAY


def phase_fact(
    source: PhaseInput,
    task_facts: list[TaskFacts],
    schedule: Schedule,
    days: tuple[Day, ...],
    criteria: tuple[CriterionFacts, ...],
    metrics: tuple[MetricFacts, ...],
    changed: tuple[Change, ...],
    recorded: tuple[tuple[Change, ...], ...],
    times: PlanTimes,
    now: datetime | None,
    now_off: float | None,
    offset: Callable[[datetime], float],
) -> PhaseFacts:
    """The phase's own facts from its tasks' and its snapshots'."""
    phase = source.phase
    tasks = list(phase.tasks)
    state = phase_state([tf.state for tf in task_facts])
    complete = sum(1 for tf in task_facts if tf.state == "complete")
    starts = [tf.actual_start for tf in task_facts if tf.actual_start is not None]
    phase_finish = max(tf.actual_finish for tf in task_facts if tf.actual_finish) if state == "complete" else None
    snapshots = tuple(
        SnapshotInfo(
            s.file,
            s.snapshot.timestamp,
            s.snapshot.label or s.snapshot.timestamp.isoformat(),
            s.snapshot.kind,
            s.snapshot.note,
            bool(s.snapshot.label),
            found,
        )
        for s, found in zip(source.snapshots, recorded, strict=True)
    )
    health = next(
        ((s.snapshot.health, s.snapshot.timestamp) for s in reversed(source.snapshots) if s.snapshot.health), None
    )
    return PhaseFacts(
        source=source,
        phase=phase,
        folder=source.folder,
        state=state,
        updated=snapshots[-1].timestamp if snapshots else phase.created,
        tasks=tuple(task_facts),
        tasks_complete=complete,
        percent=round(100.0 * complete / len(tasks), 1),
        schedule=schedule,
        days=days,
        criteria=criteria,
        metrics=metrics,
        collisions=collisions(tasks),
        snapshots=snapshots,
        now=now,
        actual_start=min(starts) if starts else None,
        actual_finish=phase_finish,
        variance_days=r6(offset(phase_finish) - times.total) if phase_finish is not None else None,
        changes=changed,
        note=source.snapshots[-1].snapshot.note if source.snapshots else None,
        health=health[0] if health else None,
        health_at=health[1] if health else None,
        plan=times.plan,
        gauge=worst(task_facts),
        now_days=now_off,
    )
