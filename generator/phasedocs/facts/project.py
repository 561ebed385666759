"""Project-wide facts: each phase's facts, then what needs every phase (forecast history, staleness, order, the gate)."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import replace
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from phasedocs.dates import EPS, Calendar, r6
from phasedocs.facts.graph import topological
from phasedocs.facts.model import ForecastFacts, PhaseFacts, ProjectFacts
from phasedocs.facts.phase import UNDER_WAY, compute_phase
from phasedocs.forecast import Work, simulate
from phasedocs.gate import phase_findings
from phasedocs.input.models import ProjectConfig

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
