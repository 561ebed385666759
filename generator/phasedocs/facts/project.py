"""Project-wide facts: each phase's facts, then what needs every phase (forecast history, staleness, order, the gate)."""

from __future__ import annotations

import heapq
from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from phasedocs.dates import EPS, Calendar, r6
from phasedocs.facts.gate import phase_findings
from phasedocs.facts.graph import topological
from phasedocs.facts.model import ForecastFacts, PhaseFacts, ProjectFacts
from phasedocs.facts.phase import UNDER_WAY, compute_phase
from phasedocs.forecast import Work, simulate
from phasedocs.input.models import ProjectConfig, Task

if TYPE_CHECKING:
    from phasedocs.input.project import Project


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
        # actual days: complete tasks only; a milestone has no planned time to compare with
        if t.actual_days is not None and t.actual_days > EPS and t.task.duration_days > 0
    )


def _forecasts(phases: tuple[PhaseFacts, ...], config: ProjectConfig, cal: Calendar) -> tuple[PhaseFacts, ...]:
    """Each phase with its Monte Carlo forecast and its tasks' criticality."""
    ratios = history_ratios(phases)
    out = []
    for p in phases:
        by_id = {t.id: t for t in p.tasks}
        work = []
        walked: set[str] = set()
        for task in _walk(p):
            tf = by_id[task.id]
            walked.add(task.id)
            done = tf.days.actual_finish if tf.state == "complete" and tf.days is not None else None
            est = task.estimate
            work.append(
                Work(
                    task.id,
                    # a dependency the task went ahead of (waived) does not hold it in any run; with
                    # agents, each run keeps every agent's order of the point forecast
                    tuple(
                        d
                        for d in dict.fromkeys((*task.depends_on, *tf.agent_links))
                        if d in walked and d not in tf.waived
                    ),
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


def _walk(p: PhaseFacts) -> list[Task]:
    """The tasks in the order the forecast walks them: dependency order and, with agents, also
    each agent's order (Kahn's algorithm over both links; ties: complete tasks first, then by
    forecast start and finish, then dependency order)."""
    order = topological(list(p.phase.tasks))
    if not any(t.agent_links for t in p.tasks):  # no agent holds a task back: dependency order
        return order
    rank = {t.id: i for i, t in enumerate(order)}
    by_id = {t.id: t for t in p.tasks}

    def key(tid: str) -> tuple[int, float, float, int]:
        tf = by_id[tid]
        d = tf.days
        if tf.state == "complete" or d is None or d.forecast_start is None or d.forecast_finish is None:
            return (0, 0.0, 0.0, rank[tid])
        return (1, d.forecast_start, d.forecast_finish, rank[tid])

    before = {t.id: set(t.task.depends_on) | set(t.agent_links) for t in p.tasks}
    after: dict[str, list[str]] = defaultdict(list)
    for tid, prior in before.items():
        for d in prior:
            after[d].append(tid)
    heap = [(key(tid), tid) for tid, prior in before.items() if not prior]
    heapq.heapify(heap)
    out: list[str] = []
    while heap:
        _, tid = heapq.heappop(heap)
        out.append(tid)
        for c in after[tid]:
            before[c].discard(tid)
            if not before[c]:
                heapq.heappush(heap, (key(c), c))
    # a loop of links (work recorded ahead of its dependencies) cannot be walked: the rest in
    # key order, and the forecast drops the links that point forward
    placed = set(out)
    out += sorted((tid for tid in before if tid not in placed), key=key)
    tasks = {t.id: t for t in p.phase.tasks}
    return [tasks[tid] for tid in out]


def _stale(phases: tuple[PhaseFacts, ...], config: ProjectConfig, cal: Calendar) -> tuple[PhaseFacts, ...]:
    """Flag phases under way whose latest snapshot is older than the project's newest by more
    than ``stale_after_days`` (the newest snapshot is "now": never the wall clock)."""
    times = [p.now for p in phases if p.now is not None]
    if not times:
        return phases
    as_of = max(times)
    out = []
    for p in phases:
        if p.state in UNDER_WAY and p.now is not None:
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
