"""The burn-up of a phase: scope and completed work over time, the plan's line and the forecast cone.

One chart, one module: its frozen spec (what tests check), the function that makes it from
facts, and its drawing, registered in :mod:`phasedocs.charts.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from phasedocs.charts.common import _date_axis, _fmt, _title

if TYPE_CHECKING:
    from phasedocs.dates import Calendar
    from phasedocs.facts import PhaseFacts, ProjectFacts
    from phasedocs.input.site_config import ChartStyle


@dataclass(frozen=True)
class BurnupSpec:
    """Scope and completed work in task-days over time, the plan's line and the forecast cone."""

    title: str
    scope: tuple[tuple[datetime, float], ...]
    """Planned task-days as they stood at each plan and now (a step line)."""
    completed: tuple[tuple[datetime, float], ...]
    """Planned task-days of the tasks complete at each snapshot (a step line)."""
    plan: tuple[tuple[datetime, float], ...]
    """Work the plan in force expected done by each time (each task pro rata)."""
    frozen: bool
    """True when the plan line is a frozen plan, not phase.yaml's schedule."""
    cone: tuple[datetime, float, tuple[datetime, datetime, datetime]] | None
    """From (time, work done) to the whole scope at p50, p85 and p95; None once complete."""
    alt: str
    note: str = ""
    """What the chart leaves out (nothing: every task counts in its sums)."""
    unit: str = "task-days"
    """What its work is counted in: task-days, or task-hours in a phase of hours."""


def burnup_spec(p: PhaseFacts, facts: ProjectFacts) -> BurnupSpec:
    """The burn-up: scope and completed task-days over time, the plan's line, the forecast cone."""
    scope_now = sum(t.task.duration_days for t in p.tasks)
    scope: list[tuple[datetime, float]] = []
    frozen = p.plan is not None and p.plan.frozen
    if p.plan is not None:
        for v in p.plan.versions:  # none unless a plan is frozen
            scope.append((v.frozen_at, v.scope_days))
    begin = min([p.schedule.start, *(x for x, _ in scope[:1])])
    if not scope or scope[0][0] > begin:
        scope.insert(0, (begin, scope[0][1] if scope else scope_now))
    added = sorted(
        (t.task.added, t.task.duration_days)
        for t in p.tasks
        if t.task.added is not None and (not t.in_plan or not frozen)
    )
    if added:  # scope added mid-phase: a step when each task joined, on top of the plan's scope
        if not frozen:  # no frozen plan: phase.yaml's scope less what was added to it
            scope[-1] = (scope[-1][0], round(scope_now - sum(d for _, d in added), 6))
        level = scope[-1][1]
        for when, d in added:
            level += d
            scope.append((max(when, scope[-1][0]), round(level, 6)))
    if p.now is not None and p.now > scope[-1][0]:
        scope.append((p.now, scope_now))
    elif abs(scope[-1][1] - scope_now) > 1e-9:
        scope.append((scope[-1][0], scope_now))
    finish_of = {t.id: t.actual_finish for t in p.tasks if t.actual_finish is not None}
    duration = {t.id: t.task.duration_days for t in p.tasks}
    completed = [(begin, 0.0)]
    for snap in p.snapshots:
        done = sum(duration[tid] for tid, when in finish_of.items() if when <= snap.timestamp)
        completed.append((snap.timestamp, round(done, 6)))
    plan = _plan_line(p, facts.calendar)
    cone = None
    if p.state != "complete" and p.forecast is not None:
        at, done = completed[-1] if p.schedule.uses_progress else (p.schedule.start, 0.0)
        cone = (at, done, (p.forecast.p50, p.forecast.p85, p.forecast.p95))
    right = [scope[-1][0], plan[-1][0], completed[-1][0]] + (list(cone[2]) if cone else [])
    scope.append((max(right), scope_now))
    f = p.forecast
    # a phase of hours counts its work in task-hours, as its documents do
    k = p.span.hours_per_day or 1.0
    unit = "task-hours" if p.span.hours else "task-days"
    if p.span.hours:  # days were rounded to 6 places: 4 places of hours drop that noise
        scope = [(x, round(y * k, 4)) for x, y in scope]
        completed = [(x, round(y * k, 4)) for x, y in completed]
        plan = [(x, round(y * k, 4)) for x, y in plan]
        cone = (cone[0], round(cone[1] * k, 4), cone[2]) if cone is not None else None
        scope_now = round(scope_now * k, 4)
    alt = (
        f"Burn-up of phase {p.number}: scope {_fmt(scope_now)} {unit}"
        + (f" (the first plan held {_fmt(scope[0][1])})" if frozen and abs(scope[0][1] - scope_now) > 1e-9 else "")
        + (
            f"; {_fmt(round(sum(d for _, d in added) * (k if p.span.hours else 1.0), 4))} {unit} added after the plan"
            if added
            else ""
        )
        + f"; {_fmt(completed[-1][1])} {unit} complete by {completed[-1][0]:%Y-%m-%d}"
        + f"; {'the frozen plan' if frozen else 'the plan (phase.yaml, none frozen)'} finishes {plan[-1][0]:%Y-%m-%d}"
        + (
            f"; forecast 50% by {f.p50:%Y-%m-%d}, 85% by {f.p85:%Y-%m-%d}, 95% by {f.p95:%Y-%m-%d}"
            if cone and f is not None
            else ""
        )
    )
    return BurnupSpec(
        f"Phase {p.number}: burn-up", tuple(scope), tuple(completed), tuple(plan), frozen, cone, alt, unit=unit
    )


def _plan_line(p: PhaseFacts, cal: Calendar) -> list[tuple[datetime, float]]:
    """Work the plan in force expects done over time: each task pro rata between its planned start and finish."""
    if p.plan is not None and p.plan.frozen:
        start = p.plan.start
        spans = [(t.start_days, t.finish_days, t.duration_days) for t in p.plan.spans]
    else:
        start = p.schedule.start
        spans = [(t.earliest_start, t.earliest_finish, t.task.duration_days) for t in p.tasks]
    points = sorted({0.0, *(a for a, _, _ in spans), *(b for _, b, _ in spans)})

    def done(x: float) -> float:
        return round(
            sum(d * min(1.0, max(0.0, (x - a) / (b - a))) if b > a else (d if x >= b else 0.0) for a, b, d in spans), 6
        )

    line = {cal.add(start, x): done(x) for x in points}
    # no work is done over nights, weekends and holidays: the line is flat across each of them
    for close, opening in cal.breaks(min(line), max(line)):
        line[close] = line[opening] = done(cal.elapsed(start, close))
    return sorted(line.items())


def draw_burnup(plt: Any, spec: BurnupSpec, style: ChartStyle) -> Any:
    """The burn-up figure: scope and completed as steps, the plan as a dashed line, the forecast cone."""
    import matplotlib.dates as mdates

    c = style.colors
    fig, ax = plt.subplots(figsize=(style.width, style.height))

    def xy(points: Any) -> tuple[list[float], list[float]]:
        return [mdates.date2num(x) for x, _ in points], [y for _, y in points]

    xs, ys = xy(spec.scope)
    ax.step(xs, ys, where="post", color=c.pending, linewidth=2, label=f"scope (planned {spec.unit})", gid="scope")
    xs, ys = xy(spec.plan)
    label = "frozen plan" if spec.frozen else "plan (phase.yaml)"
    ax.plot(xs, ys, color=c.task, linestyle="--", linewidth=1.5, label=label, gid="plan")
    xs, ys = xy(spec.completed)
    ax.step(
        xs, ys, where="post", color=c.done, linewidth=2, marker="o", markersize=3, label="completed", gid="completed"
    )
    everything = [*spec.scope, *spec.plan, *spec.completed]
    if spec.cone is not None:
        at, done, (p50, p85, p95) = spec.cone
        top = spec.scope[-1][1]
        x0 = mdates.date2num(at)
        ax.fill(
            [x0, mdates.date2num(p50), mdates.date2num(p95)],
            [done, top, top],
            color=c.today,
            alpha=0.2,
            label="forecast 50% to 95%",
            gid="forecast",
        )
        for name, when in (("p50", p50), ("p85", p85), ("p95", p95)):
            ax.plot([x0, mdates.date2num(when)], [done, top], color=c.today, linewidth=1, gid=f"forecast-{name}")
        everything += [(p95, top)]
    _date_axis(ax, min(x for x, _ in everything), max(x for x, _ in everything))
    ax.set_ylabel(spec.unit)
    ax.set_ylim(0, max(y for _, y in everything) * 1.08 + 0.1)
    ax.grid(axis="y", alpha=0.3)
    ax.legend(loc="upper left", fontsize=style.font_size * 0.8)
    _title(ax, spec.title)
    fig.tight_layout()
    return fig
