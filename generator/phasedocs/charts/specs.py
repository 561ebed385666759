"""What each chart shows: pure, frozen specs built from facts (no matplotlib here).

``*_spec`` functions turn facts into small frozen dataclasses: everything a chart shows
(series, bars, colours by state, target bands, alt text). Tests check those; drawing
them is :mod:`phasedocs.charts.drawing`'s job. ``spec_hash`` names a chart by its
content, so an unchanged chart is never drawn twice.
"""

from __future__ import annotations

import functools
import hashlib
import itertools
import math
import pickle
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from phasedocs.facts import chain_words, in_words
from phasedocs.input import records
from phasedocs.input.targets import parse_target

if TYPE_CHECKING:
    from phasedocs.dates import Calendar
    from phasedocs.facts import CriterionFacts, PhaseFacts, ProjectFacts, TaskFacts
    from phasedocs.input.site_config import ChartStyle

#: The most bars a chart draws: beyond this no label can be read (and drawing costs seconds).
MAX_BARS = 60
#: The most labels an axis carries (a 2,000-day schedule gets one every 134 days).
MAX_TICKS = 15


@dataclass(frozen=True)
class Band:
    """A target on a metric's own scale: a line (low == high or one side open) or a band."""

    low: float | None
    high: float | None
    label: str


@dataclass(frozen=True)
class Panel:
    """One metric's trend: one small multiple with its own y axis."""

    key: str
    label: str
    unit: str
    x: tuple[datetime, ...]
    y: tuple[float, ...]
    target: Band | None


@dataclass(frozen=True)
class TrendSpec:
    """Metric trends of a phase."""

    title: str
    panels: tuple[Panel, ...]
    alt: str
    note: str = ""
    """What the chart leaves out, shown under it (a chart of thousands of bars cannot be read)."""


@dataclass(frozen=True)
class CriterionBar:
    """One measured criterion: how far baseline and current go towards the target.

    Attainment reads one way for every criterion: 100 is the target, longer is better. A
    higher-is-better target is value / target; a lower-is-better one target / value (a
    build time of 10 s against "< 20" is 200%, of 40 s 50%). Drawn up to :data:`ATTAIN_CAP`.
    """

    label: str
    baseline_pct: float | None
    current_pct: float
    state: str
    settled: bool = False
    """True when the criterion's work is complete (its state is final); drawn apart from the others."""


@dataclass(frozen=True)
class UndrawnCriterion:
    """A criterion the chart cannot draw as attainment of its target: listed under the chart."""

    label: str
    state: str
    settled: bool
    reason: str
    """Why it is not drawn, in words: ``checked by hand``, ``no value yet``, ``exact target == 0``..."""


@dataclass(frozen=True)
class CriteriaSpec:
    """Baseline vs current vs target of measured criteria, normalised to the target."""

    title: str
    bars: tuple[CriterionBar, ...]
    alt: str
    note: str = ""
    """What the chart leaves out, shown under it (a chart of thousands of bars cannot be read)."""
    undrawn: tuple[UndrawnCriterion, ...] = ()
    """Every criterion not drawn, missed ones first: no criterion's verdict is left out of the chart's story."""


@dataclass(frozen=True)
class GanttBar:
    """One task on the schedule."""

    id: str
    label: str
    start: float
    finish: float
    slack: float
    critical: bool
    complete: bool
    actual_start: float | None = None
    """When work began (days from the phase start), drawn beside the planned bar."""
    actual_end: float | None = None
    """Its actual finish, or the latest snapshot while it runs."""
    forecast_from: float | None = None
    """Where its remaining work is forecast to start (None: nothing forecast beyond the plan)."""
    forecast_finish: float | None = None
    """Its forecast finish, if not complete."""
    plan_start: float | None = None
    """Its start in the frozen plan, when one is frozen."""
    plan_finish: float | None = None
    """Its finish in the frozen plan, when one is frozen."""
    milestone: bool = False
    """True for a milestone: drawn as a ◆ at its date, not as a bar."""


@dataclass(frozen=True)
class GanttGroup:
    """A band of the Gantt: the bars of one group of tasks, drawn together under its name."""

    id: str
    label: str
    """The group's id and title, with its gate's verdict once settled."""
    tasks: tuple[str, ...]
    """The ids of its bars, in the order drawn (consecutive rows)."""
    start: float
    """Its planned start, in days from the phase start."""
    finish: float
    """Its actual (complete) or forecast finish, in days from the phase start."""


@dataclass(frozen=True)
class GanttSpec:
    """The schedule of a phase."""

    title: str
    bars: tuple[GanttBar, ...]
    arrows: tuple[tuple[str, str], ...]
    total: float
    today: float | None
    """Days since start of the latest snapshot (never the wall clock), if any."""
    day_labels: tuple[str, ...]
    """Date of each schedule day, for the x axis."""
    alt: str
    note: str = ""
    """What the chart leaves out, shown under it (a chart of thousands of bars cannot be read)."""
    groups: tuple[GanttGroup, ...] = ()
    """The bands of the phase's groups (bars ordered group by group, tasks of no group last)."""
    hour_labels: tuple[str, ...] = ()
    """For a phase of hours: a label per hour of work ("hour 4" and its clock time), in place of
    the day labels; the hour's position is its index over ``hours_per_day``."""
    hours_per_day: float = 24.0
    """Hours in a day of work: where each of ``hour_labels`` stands on the axis (in days)."""


@dataclass(frozen=True)
class RoadmapBar:
    """One phase on the roadmap."""

    label: str
    start: datetime
    finish: datetime
    forecast: datetime
    state: str
    percent: float
    p50: datetime | None = None
    """The forecast's 50% date, unless the phase is complete."""
    p85: datetime | None = None
    """The forecast's 85% date, unless the phase is complete."""


@dataclass(frozen=True)
class RoadmapSpec:
    """All phases on one timeline."""

    title: str
    bars: tuple[RoadmapBar, ...]
    alt: str
    note: str = ""
    """What the chart leaves out, shown under it (a chart of thousands of bars cannot be read)."""
    legend: tuple[tuple[str, str], ...] = ()
    """(key, words) of every mark the chart uses: a phase state's colour, ``late``, ``forecast``."""


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


Spec = TrendSpec | CriteriaSpec | GanttSpec | RoadmapSpec | BurnupSpec


def _fmt(x: float) -> str:
    r = round(x, 2)
    return str(int(r)) if r == int(r) else str(r)


def _display(value: float, unit: str) -> float:
    """Ratios are charted in percent; everything else as recorded."""
    return value * 100 if unit == "ratio" else value


def _on_scale(target_text: str, baseline: Any, unit: str | None = None) -> tuple[Any, list[float]] | None:
    """The target and its bounds on the metric's own scale (relative bounds through the
    baseline); None for text targets, or relative ones without a numeric baseline."""
    t = parse_target(target_text, unit)
    if t.text_value is not None:
        return None
    values: list[float] = []
    for b in t.bounds:
        if not b.relative:
            values.append(b.value)
        elif isinstance(baseline, (int, float)) and not isinstance(baseline, bool):
            values.append(baseline * (1 + b.value / 100))
        else:
            return None
    return t, values


def _band(target_text: str, baseline: Any, unit: str) -> Band | None:
    """A target as a line or band on the chart's scale (ratios in percent)."""
    found = _on_scale(target_text, baseline, unit)
    if found is None:
        return None
    t, values = found
    values = [_display(v, unit) for v in values]
    label = f"target {target_text}"
    if t.op == "..":
        return Band(min(values), max(values), label)
    if t.op in ("<", "<="):
        return Band(None, values[0], label)
    if t.op in (">", ">="):
        return Band(values[0], None, label)
    return Band(values[0], values[0], label)


def trend_spec(p: PhaseFacts) -> TrendSpec | None:
    """Numeric metrics over the snapshots; None when nothing numeric was measured."""
    targets: dict[str, str] = {}
    for c in p.criteria:
        metric, target = c.criterion.metric, c.criterion.target
        if metric is not None and target is not None and metric not in targets:
            targets[metric] = target
    panels = []
    for m in p.metrics:
        if m.metric.unit == "text" or not m.series:
            continue
        xs = tuple(ts for ts, _ in m.series)
        ys = tuple(_display(float(v), m.metric.unit) for _, v in m.series)
        band = _band(targets[m.key], m.baseline, m.metric.unit) if m.key in targets else None
        panels.append(Panel(m.key, m.metric.label, m.metric.unit, xs, ys, band))
    if not panels:
        return None
    parts = []
    for panel in panels:
        unit = "%" if panel.unit in ("ratio", "percent") else " s" if panel.unit == "seconds" else ""
        target = f" ({panel.target.label})" if panel.target else ""
        parts.append(f"{panel.label} {_fmt(panel.y[0])}{unit} to {_fmt(panel.y[-1])}{unit}{target}")
    alt = f"Metric trends of phase {p.number} over {len(p.snapshots)} snapshot(s): " + "; ".join(parts)
    return TrendSpec(f"Phase {p.number}: metric trends", tuple(panels), alt)


#: Attainment is drawn up to this percent: far past the target, the length no longer tells anything.
ATTAIN_CAP = 200.0


def _direction(op: str, better: str | None) -> str | None:
    """Which way is better for a target: ``lower``, ``higher``, or None (an exact value)."""
    if op in ("<", "<="):
        return "lower"
    if op in (">", ">="):
        return "higher"
    if op == "..":
        return better or "higher"
    return None


def _attainment(value: float, ref: float, direction: str) -> float | None:
    """Percent of the way to ``ref`` (100: there; more: past it), longer always better."""
    if direction == "higher":
        if ref <= 0:
            return None
        pct = 100.0 * value / ref
    else:
        if ref <= 0:
            return None
        pct = ATTAIN_CAP if value <= 0 else 100.0 * ref / value
    return round(min(max(pct, 0.0), ATTAIN_CAP), 2)


def _reference(
    target_text: str, baseline: Any, better: str | None, unit: str | None = None
) -> tuple[float, str] | None:
    """The number a criterion must reach on the metric's own scale, and which way is better."""
    found = _on_scale(target_text, baseline, unit)
    if found is None:
        return None
    t, values = found
    direction = _direction(t.op, better)
    if direction is None:
        return None
    if t.op == "..":  # the edge to reach first: the worse end of the range
        return (max(values) if direction == "lower" else min(values)), direction
    return values[0], direction


def label_lines(text: str, width: int, lines: int = 2) -> tuple[str, ...]:
    """``text`` wrapped to at most ``lines`` lines of at most ``width`` characters, the last cut
    with ``…`` when it does not fit (the full text is in the table beside the chart)."""
    import textwrap

    wrapped = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(wrapped) <= lines:
        return tuple(wrapped)
    rest = " ".join(wrapped[lines - 1 :])
    return (*wrapped[: lines - 1], rest[: width - 1] + "…")


#: The order criteria are listed in when not all can be shown: bad news first.
_STATE_RANK = {"missed": 0, "off_track": 1, "pending": 2, "on_track": 3, "met": 4, "exceeded": 5}


def _not_drawable(c: CriterionFacts) -> tuple[CriterionBar | None, str]:
    """The bar of criterion ``c``, or None and why it cannot be drawn as attainment of its target."""
    if not c.measured or c.metric is None:
        return None, "checked by hand"
    if c.value is None:
        return None, "no value yet"
    if not isinstance(c.value, (int, float)) or isinstance(c.value, bool):
        return None, "a text value"
    target = c.criterion.target or ""
    found = _reference(target, c.baseline, c.metric.better, c.metric.unit)
    if found is None:
        parsed = parse_target(target, c.metric.unit)
        if parsed.text_value is not None:
            return None, f"a text target ({target})"
        if parsed.op == "==":
            return None, f"an exact target ({target}) cannot be drawn as a share of it"
        return None, f"a relative target ({target}) without a baseline value"
    ref, direction = found
    current = _attainment(float(c.value), ref, direction)
    if current is None:
        return None, f"a target of {_fmt(ref)} ({target}) cannot be drawn as a share of it"
    base = c.baseline if isinstance(c.baseline, (int, float)) and not isinstance(c.baseline, bool) else None
    base_pct = None if base is None else _attainment(float(base), ref, direction)
    return CriterionBar(f"{c.scope}: {c.criterion.text}", base_pct, current, c.state, c.settled), ""


def _counts(items: tuple[UndrawnCriterion, ...]) -> str:
    """``2 missed, 1 pending``: how many in each state, bad news first."""
    counts: dict[str, int] = {}
    for u in sorted(items, key=lambda u: _STATE_RANK.get(u.state, 2)):
        counts[u.state] = counts.get(u.state, 0) + 1
    return ", ".join(f"{n} {in_words(state)}" for state, n in counts.items())


def criteria_spec(p: PhaseFacts) -> CriteriaSpec | None:
    """Criteria with a threshold or range target and a numeric value, as attainment of the target.

    Settled criteria (their work complete) come first, then those whose work goes on.
    Every other criterion (``==`` and text targets, a zero target, relative ones without a
    baseline, hand checks, no value yet) is listed in ``undrawn``, missed ones first, so the
    chart never shows green bars beside a hidden miss. None when no criterion can be drawn
    (the criteria table lists them all).
    """
    bars = []
    undrawn = []
    for i, c in enumerate(p.criteria):
        bar, reason = _not_drawable(c)
        if bar is not None:
            bars.append(bar)
        else:
            undrawn.append((i, UndrawnCriterion(f"{c.scope}: {c.criterion.text}", c.state, c.settled, reason)))
    if not bars:
        return None
    bars.sort(key=lambda b: not b.settled)  # stable: settled first, each group in criteria order
    left = tuple(u for _, u in sorted(undrawn, key=lambda x: (_STATE_RANK.get(x[1].state, 2), x[0])))
    note = ""
    if len(bars) > MAX_BARS:
        keep = set(sorted(range(len(bars)), key=lambda i: (_STATE_RANK.get(bars[i].state, 2), i))[:MAX_BARS])
        note = f"The chart shows {MAX_BARS} of {len(bars)} measured criteria, missed ones first; the criteria table lists them all."
        bars = [b for i, b in enumerate(bars) if i in keep]
    alt = (
        f"Criteria of phase {p.number} as attainment of their target (100% is the target, longer is better): "
        + "; ".join(
            f"{b.label} at {_fmt(b.current_pct)}% ({in_words(b.state)}{'' if b.settled else ', work going on'})"
            for b in bars
        )
        + (f"; {len(left)} more not drawn, listed under the chart: {_counts(left)}" if left else "")
    )
    return CriteriaSpec(f"Phase {p.number}: criteria against target", tuple(bars), alt, note, left)


def gantt_spec(p: PhaseFacts, facts: ProjectFacts) -> GanttSpec:
    """The critical-path schedule: bars, slack, dependencies, the latest snapshot's time."""

    tasks = list(p.tasks)
    note = ""
    if len(tasks) > MAX_BARS:  # the tasks that decide the finish: critical first, then the least slack
        keep = {t.id for t in sorted(tasks, key=lambda t: (not t.critical, t.slack, t.earliest_start))[:MAX_BARS]}
        note = f"The chart shows {MAX_BARS} of {len(tasks)} tasks, those with the least slack (the critical path first); the schedule table lists them all."
        tasks = [t for t in tasks if t.id in keep]
    if p.groups:  # banded: each group's tasks together, in the order of groups:, then tasks of no group
        rank = {g.id: k for k, g in enumerate(p.groups)}
        tasks.sort(key=lambda t: rank.get(t.task.group or "", len(rank)))  # stable: task order within a band
    shown = {t.id for t in tasks}
    today = None
    if p.latest is not None:  # "today" is the latest snapshot, never the wall clock
        today = round(facts.calendar.elapsed(p.schedule.start, p.latest.timestamp), 4)
        if today < 0:
            today = None
    frozen = p.plan is not None and p.plan.frozen
    bars = tuple(_gantt_bar(t, today if p.schedule.uses_progress else None, frozen) for t in tasks)
    arrows = tuple((d, t.id) for t in tasks for d in t.task.depends_on if d in shown)
    # a label for every day the chart spans: the plan's days, and beyond them the forecast's
    ends = [p.schedule.total_days, today or 0.0]
    ends += [x for b in bars for x in (b.forecast_finish, b.plan_finish, b.actual_end) if x is not None]
    labels = tuple(
        (d.date if k < len(p.days) else facts.calendar.start_at(p.schedule.start, k))
        .astimezone(facts.tz)
        .strftime("%a %d %b")
        for k, d in itertools.zip_longest(range(math.ceil(max(ends) - 1e-9)), p.days)
        if k is not None
    )
    chains = p.schedule.critical_chains
    critical = chain_words(chains)
    span = p.span
    slack = "; ".join(f"{t.id} has {span.amount(t.slack)} of slack" for t in tasks if not t.critical)
    done = [t.id for t in tasks if t.state == "complete"]
    marks = [t.id for t in tasks if t.task.milestone]
    alt = (
        f"Gantt chart of phase {p.number}: {len(bars)} tasks over {span.amount(p.schedule.total_days)}; "
        f"critical path {critical}"
        + (f"; milestones (◆): {', '.join(marks)}" if marks else "")
        + (f"; {slack}" if slack else "")
        + (f"; complete: {', '.join(done)}" if done else "")
    )
    bands = tuple(
        GanttGroup(
            g.id,
            f"{g.id} {g.group.title}" + (f" (gate {g.gate})" if g.gate not in ("none", "open") else ""),
            tuple(tid for tid in g.tasks if tid in shown),
            g.plan_start_days,
            g.finish_days,
        )
        for g in p.groups
        if any(tid in shown for tid in g.tasks)
    )
    if bands:
        alt += "; groups: " + "; ".join(f"{b.label}: {', '.join(b.tasks)}" for b in bands)
    hours: tuple[str, ...] = ()
    hpd = span.hours_per_day
    if hpd is not None:  # a phase of hours: an axis of hours, each with its clock time
        hours = tuple(
            f"hour {k}\n{facts.calendar.start_at(p.schedule.start, k / hpd).astimezone(facts.tz):%a %H:%M}"
            for k in range(math.ceil(max(ends) * hpd - 1e-9) + 1)
        )
    return GanttSpec(
        f"Phase {p.number}: schedule",
        bars,
        arrows,
        p.schedule.total_days,
        today,
        labels,
        alt,
        note,
        groups=bands,
        hour_labels=hours,
        hours_per_day=hpd or 24.0,
    )


def _gantt_bar(t: TaskFacts, today: float | None, frozen: bool) -> GanttBar:
    """A task's bar: planned (phase.yaml), actual, the forecast of what remains, the frozen plan."""
    d = t.days
    actual_start = actual_end = forecast_from = forecast_finish = None
    if d is not None:
        if d.actual_start is not None:
            actual_start = d.actual_start
            actual_end = d.actual_finish if d.actual_finish is not None else today
        if t.state != "complete" and today is not None and d.forecast_start is not None:
            forecast_from = max(today, d.forecast_start)
            forecast_finish = d.forecast_finish
    return GanttBar(
        t.id,
        f"{t.id} {t.task.title}",
        t.earliest_start,
        t.earliest_finish,
        t.slack,
        t.critical,
        t.state == "complete",
        actual_start,
        actual_end,
        forecast_from,
        forecast_finish,
        d.plan_start if frozen and d is not None and t.in_plan else None,
        d.plan_finish if frozen and d is not None and t.in_plan else None,
        t.task.milestone,
    )


def burnup_spec(p: PhaseFacts, facts: ProjectFacts) -> BurnupSpec:
    """The burn-up: scope and completed task-days over time, the plan's line, the forecast cone."""
    scope_now = sum(t.task.duration_days for t in p.tasks)
    scope: list[tuple[datetime, float]] = []
    source = p.source.plan
    if source is not None:
        for v in source.plans:
            scope.append((v.frozen_at, sum(task.duration_days for task in v.tasks.values())))
    begin = min([p.schedule.start, *(x for x, _ in scope[:1])])
    if not scope or scope[0][0] > begin:
        scope.insert(0, (begin, scope[0][1] if scope else scope_now))
    added = sorted(
        (t.task.added, t.task.duration_days)
        for t in p.tasks
        if t.task.added is not None and (not t.in_plan or source is None)
    )
    if added:  # scope added mid-phase: a step when each task joined, on top of the plan's scope
        if source is None:  # no frozen plan: phase.yaml's scope less what was added to it
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
    frozen = source is not None
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
    source = p.source.plan
    if source is not None:
        current = source.current
        start = current.start
        spans = [(t.start_days, t.finish_days, t.duration_days) for t in current.tasks.values()]
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


#: The phase states in the order the roadmap's legend lists them.
ROADMAP_STATES = ("complete", "active", "blocked", "planned")


def roadmap_spec(facts: ProjectFacts) -> RoadmapSpec:
    """Every phase on one timeline, coloured by state."""
    phases = list(facts.phases)
    note = ""
    if len(phases) > MAX_BARS:  # the phases still to come matter most: the last ones
        note = f"The chart shows the last {MAX_BARS} of {len(phases)} phases; the table lists them all."
        phases = phases[-MAX_BARS:]
    bars = tuple(
        RoadmapBar(
            f"{p.number}: {p.phase.title}",
            p.schedule.start,
            p.planned_finish,
            p.schedule.forecast_finish,
            p.state,
            p.percent,
            p.forecast.p50 if p.forecast is not None and p.state != "complete" else None,
            p.forecast.p85 if p.forecast is not None and p.state != "complete" else None,
        )
        for p in phases
    )
    legend = [(state, f"phase {in_words(state)}") for state in ROADMAP_STATES if any(b.state == state for b in bars)]
    if any(b.forecast > b.finish for b in bars):
        legend.append(("late", "forecast past the plan"))
    if any(b.p50 is not None for b in bars):
        legend.append(("forecast", "forecast 50% to 85%"))
    alt = f"Roadmap of {facts.config.name}: " + "; ".join(
        f"phase {b.label} {b.state}, {_fmt(b.percent)}% done, {b.start:%Y-%m-%d} to {b.finish:%Y-%m-%d}"
        + (f", forecast {b.p50:%Y-%m-%d} (50%) to {b.p85:%Y-%m-%d} (85%)" if b.p50 and b.p85 else "")
        for b in bars
    )
    return RoadmapSpec(f"{facts.config.name}: roadmap", bars, alt, note, tuple(legend))


def phase_specs(p: PhaseFacts, facts: ProjectFacts) -> dict[str, Spec]:
    """Chart file name -> spec, for every chart phase ``p`` has data for."""
    out: dict[str, Spec] = {"gantt.svg": gantt_spec(p, facts), "burnup.svg": burnup_spec(p, facts)}
    trend = trend_spec(p)
    if trend is not None:
        out["metrics.svg"] = trend
    crit = criteria_spec(p)
    if crit is not None:
        out["criteria.svg"] = crit
    return out


def spec_hash(spec: Spec, style: ChartStyle) -> str:
    """A content hash of a chart's input: same hash, same SVG."""
    payload = pickle.dumps((spec, _style_key(style)), protocol=4)
    return hashlib.sha256(payload).hexdigest()[:16]


@functools.lru_cache(maxsize=8)
def _style_key(style: ChartStyle) -> str:
    """The style, the matplotlib version and our drawing code: a new matplotlib, or a new
    phasedocs that draws differently, must not reuse charts drawn before (from a cache, or
    left in docs/ by an earlier version)."""
    from importlib.metadata import version  # no matplotlib import for a hash; slow, hence cached
    from pathlib import Path

    code = hashlib.sha256(Path(__file__).with_name("drawing.py").read_bytes()).hexdigest()[:16]
    return records.dump_json(style) + version("matplotlib") + code
