"""One phase's facts, computed in one pass of named steps.

Each step reads the input and what earlier steps computed, never what later ones will: the
snapshots' readings, the metrics, the critical-path schedule, the actuals, the plan in force,
the forecast, the criteria, then each task's and the phase's facts.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING, Any

from phasedocs.dates import EPS, Calendar, r6
from phasedocs.facts.changes import changes, snapshot_changes
from phasedocs.facts.collisions import collisions
from phasedocs.facts.evidence import evidence_facts
from phasedocs.facts.graph import topological
from phasedocs.facts.groups import Waiver, group_criteria, group_facts, waivers
from phasedocs.facts.measures import checked_state, measured_state, numeric
from phasedocs.facts.milestones import milestone_facts
from phasedocs.facts.model import (
    AgentFacts,
    Change,
    CriterionFacts,
    Day,
    MetricFacts,
    OwnValue,
    PhaseFacts,
    PlanFacts,
    Schedule,
    SnapshotInfo,
    TaskDays,
    TaskFacts,
)
from phasedocs.facts.plans import gauge_of, plan_facts, worst
from phasedocs.facts.progress import Actual, Run, actual_of, forecast_times, history, last_notes
from phasedocs.facts.schedule import plan_days
from phasedocs.forecast import planned_left
from phasedocs.input.cpm import Cpm, critical_path_method, levelled_method
from phasedocs.input.levelling import Busy, Item, Levelled, capacities, level
from phasedocs.input.models import Agent, Criterion, ProjectConfig, Task, merged_agents
from phasedocs.input.targets import change_pct
from phasedocs.units import choose

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
    waived = waivers(source)
    readings = read_snapshots(config, source)
    metrics, reference = metric_facts(config, source, readings)

    def offset(when: datetime) -> float:
        return r6(cal.elapsed(phase.start, when))

    # a task added mid-phase cannot have been planned to start before it joined
    cpm = critical_path_method(tasks, order, {t.id: max(0.0, offset(t.added)) for t in tasks if t.added is not None})
    agents = merged_agents(config.agents, phase.agents)
    if agents and any(t.assignee for t in tasks):  # no assignee, nothing to level: the critical path's
        cpm = levelled_method(tasks, order, cpm, agents)

    now_off = offset(readings.now) if readings.now is not None else None
    actual = {t.id: actual_of(runs.get(t.id, ()), readings.now, offset) for t in tasks}
    times = plan_times(source, cal, cpm, offset)

    # the forecast: finished work as it happened, running work from the time already spent
    uses_progress = any(state != "pending" for state in recorded.values())
    ahead: Levelled | None = cpm.levelled
    if uses_progress and now_off is not None and cpm.levelled is not None:
        fes, fef, ahead = levelled_forecast(tasks, cpm, agents, recorded, actual, now_off)
    elif uses_progress and now_off is not None:
        fes, fef = forecast_times(order, recorded, actual, now_off, {tid: w.deps for tid, w in waived.items()})
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
    own = task_metric_values(config, source)
    scoped = {key for values in own.values() for key in values}
    task_criteria = {
        t.id: tuple(
            criterion_facts(
                config,
                t.id,
                c,
                recorded.get(t.id) == "complete",
                readings,
                by_metric,
                reference,
                own.get(t.id, {}).get(c.metric, []) if c.metric in scoped else None,
            )
            for c in t.criteria
        )
        for t in tasks
    }
    all_complete = all(recorded.get(t.id) == "complete" for t in tasks)
    phase_criteria = tuple(
        criterion_facts(config, "phase", c, all_complete, readings, by_metric, reference)
        for c in phase.success_criteria
    )
    # a group's gate settles when every task of the group is complete
    groups = [
        (
            g,
            tids,
            tuple(
                criterion_facts(
                    config,
                    f"group:{g.id}",
                    c,
                    all(recorded.get(tid) == "complete" for tid in tids),
                    readings,
                    by_metric,
                    reference,
                )
                for c in crits
            ),
        )
        for g, tids, crits in group_criteria(phase)
    ]
    notes = last_notes(source.snapshots)
    progress = Progress(recorded, runs, actual, fes, fef, now_off, offset, ahead)
    task_facts = [
        task_fact(t, progress, cpm, times, task_criteria[t.id], notes, cal, phase.start, waived.get(t.id))
        for t in tasks
    ]
    if own:  # each task's latest own values, in catalogue order (no task metrics: nothing changes)
        task_facts = [
            replace(
                tf,
                metrics=tuple(
                    OwnValue(k, m, v[-1], i)
                    for i, (k, m) in enumerate(config.metrics.items())
                    if (v := own.get(tf.id, {}).get(k))
                ),
            )
            for tf in task_facts
        ]
    agent_list = agent_facts(agents, task_facts, cpm)
    all_criteria = (
        tuple(c for t in tasks for c in task_criteria[t.id])
        + tuple(c for *_, cs in groups for c in cs)
        + phase_criteria
    )
    evidence = evidence_facts(tasks, recorded, source.evidence, phase.start, cal.tz)
    per_snapshot = snapshot_changes(source, config)
    facts = phase_fact(
        source,
        task_facts,
        schedule,
        plan_days(task_facts, phase.start, cpm.total, cal),
        all_criteria,
        tuple(metrics),
        changes(source, per_snapshot, readings.series, all_criteria, reference, readings.checks_before),
        per_snapshot,
        times,
        readings.now,
        now_off,
        offset,
        agent_list,
    )
    facts = replace(
        facts,
        span=choose(any(t.hours for t in tasks), cpm.total, cal.day_length.total_seconds() / 3600),
        milestones=milestone_facts(task_facts, cal),
        evidence=evidence,
    )
    if not groups:
        return facts
    by_id = {tf.id: tf for tf in task_facts}
    return replace(
        facts,
        groups=tuple(
            group_facts(g, [by_id[tid] for tid in tids], cs, phase_state, cal, phase.start) for g, tids, cs in groups
        ),
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


def task_metric_values(config: ProjectConfig, source: PhaseInput) -> dict[str, dict[str, list[float | str]]]:
    """Task id -> metric key -> the task's own non-null values of it, in snapshot order."""
    out: dict[str, dict[str, list[float | str]]] = {}
    for s in source.snapshots:
        for tid, entry in s.snapshot.tasks.items():
            for key, value in entry.metrics.items():
                shown = numeric(config.metrics[key].unit, value)
                if shown is not None:
                    out.setdefault(tid, {}).setdefault(key, []).append(shown)
    return out


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


def levelled_forecast(
    tasks: list[Task],
    cpm: Cpm,
    agents: tuple[Agent, ...],
    recorded: dict[str, str],
    actual: dict[str, Actual],
    now: float,
) -> tuple[dict[str, float], dict[str, float], Levelled]:
    """The point forecast with agents: finished work as it happened; work under way holds its
    agents' slots from now for what is left of it; the rest levelled from now, as the plan is."""
    done: dict[str, float] = {}
    busy: list[Busy] = []
    starts: dict[str, float] = {}
    items = []
    for t in tasks:
        state, a = recorded.get(t.id), actual[t.id]
        if state == "complete" and a.finish_off is not None:
            done[t.id] = a.finish_off
        elif state in ("in_progress", "blocked", "complete"):  # under way: it goes on from now
            starts[t.id] = now
            done[t.id] = r6(now + planned_left(t.duration_days, a.worked))
            busy.append(Busy(t.id, t.assignee, now, done[t.id]))
        else:
            items.append(Item(t.id, t.depends_on, t.duration_days, t.assignee, cpm.priority[t.id], now))
    lv = level(items, capacities(agents), done, busy)
    starts.update(lv.start)
    finish = {**done, **lv.finish}
    return {t.id: starts.get(t.id, finish[t.id]) for t in tasks}, {t.id: finish[t.id] for t in tasks}, lv


def agent_facts(agents: tuple[Agent, ...], tasks: list[TaskFacts], cpm: Cpm) -> tuple[AgentFacts, ...]:
    """Each agent's tasks in the order it takes them, and its load."""
    out = []
    for agent in agents:
        own = [t for t in tasks if agent.id in t.assignees]

        def when(t: TaskFacts) -> tuple[int, float, tuple[float, int]]:
            d = t.days
            if t.state == "complete" or t.actual_start is not None:
                return (0, d.actual_start if d and d.actual_start is not None else 0.0, cpm.priority[t.id])
            return (1, d.forecast_start if d and d.forecast_start is not None else 0.0, cpm.priority[t.id])

        own.sort(key=when)
        done = [t for t in own if t.state == "complete"]
        running = [t for t in own if t.state in ("in_progress", "blocked")]
        out.append(
            AgentFacts(
                agent,
                tuple(t.id for t in own),
                r6(sum(t.task.duration_days for t in own)),
                tuple(t.id for t in done),
                r6(sum(t.task.duration_days for t in done)),
                tuple(t.id for t in running),
                tuple(t.id for t in own if t.state not in ("complete", "in_progress", "blocked")),
                tuple(t.id for t in running if t.state == "blocked"),
            )
        )
    return tuple(out)


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
    own: list[float | str] | None = None,
) -> CriterionFacts:
    """One criterion: on or off track while its work goes on; met, exceeded or missed once settled.

    ``own``: a task's own values of a task-scoped metric (a budget such as ``cost_usd <= 5``),
    judged on the latest of them, never on the phase-wide value; a target relative to the
    baseline has none there, and stays pending.
    """
    if crit.metric is None:
        checked = readings.checks.get(crit.id or "")
        return CriterionFacts(scope, crit, checked_state(checked, settled), value=checked, settled=settled)
    if own is not None:
        metric = config.metrics[crit.metric]
        current = own[-1] if own else None
        state = measured_state(crit, metric, current, None, settled)
        return CriterionFacts(scope, crit, state, metric, None, current, None, settled, task_scoped=True)
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
    levelled: Levelled | None = None
    """With agents: the levelled schedule in force (the forecast's once work is recorded)."""


def task_fact(
    t: Task,
    progress: Progress,
    cpm: Cpm,
    times: PlanTimes,
    criteria: tuple[CriterionFacts, ...],
    notes: dict[str, tuple[str, datetime]],
    cal: Calendar,
    start: datetime,
    waiver: Waiver | None = None,
) -> TaskFacts:
    """One task's facts: its state, schedule, actuals, the plan it is judged against, its gauge.

    A dependency ``waiver`` names (the task went ahead of it, with a note) does not hold it back.
    """
    recorded, now_off, offset = progress.recorded, progress.now, progress.offset
    pf = times.finish
    state: str = recorded.get(t.id, "pending")
    gone_ahead = waiver.deps if waiver is not None else ()
    waiting = tuple(d for d in t.depends_on if recorded.get(d) != "complete" and d not in gone_ahead)
    lv = progress.levelled
    held = lv.waits_for_agent.get(t.id, ()) if lv is not None and state == "pending" else ()
    if state == "pending":
        # with agents, a task whose dependencies are done still waits while its agents are taken
        state = "waiting" if waiting or held else "ready"
    a = progress.actual[t.id]
    running = state in ("in_progress", "blocked")
    if state == "complete":
        pct = 100.0
    elif running and t.duration_days:  # a milestone takes no time: nothing to be part way through
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
        open_dependencies=waiting if state != "complete" else (),
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
        assignees=t.assignee,
        waits_for_agent=held,
        waits_behind=lv.behind.get(t.id, ()) if held and lv is not None else (),
        agent_links=lv.links.get(t.id, ()) if lv is not None and state != "complete" else (),
        days=TaskDays(
            times.start[t.id],
            pf[t.id],
            offset(a.start) if a.start is not None else None,
            finish_off,
            None if state == "complete" else progress.forecast_start[t.id],
            None if state == "complete" else fef[t.id],
        ),
        waived=gone_ahead,
        waived_note=waiver.note if waiver is not None else None,
        waived_at=waiver.at if waiver is not None else None,
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
    agents: tuple[AgentFacts, ...] = (),
) -> PhaseFacts:
    """The phase's own facts from its tasks' and its snapshots'."""
    phase = source.phase
    tasks = list(phase.tasks)
    state = phase_state([tf.state for tf in task_facts])
    declared = collisions(tasks, frozenset(a.id for a in agents if a.agent.capacity == 1))
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
            tuple((tid, e.at or s.snapshot.timestamp) for tid, e in s.snapshot.tasks.items() if e.state == "complete"),
        )
        for s, found in zip(source.snapshots, recorded, strict=True)
    )
    health = next(
        ((s.snapshot.health, s.snapshot.timestamp) for s in reversed(source.snapshots) if s.snapshot.health), None
    )
    return PhaseFacts(
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
        collisions=declared.groups,
        shares=declared.shares,
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
        # scope added after the plan (``added:``) is not a slip of the plan: the gauge is the planned work's
        gauge=worst(
            [tf for tf in task_facts if tf.in_plan or tf.task.added is None] or task_facts,
            r6((offset(phase_finish) if phase_finish else schedule.forecast_days) - times.total),
        ),
        now_days=now_off,
        agents=agents,
    )
