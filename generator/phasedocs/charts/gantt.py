"""The Gantt chart of a phase: its critical-path schedule, with actuals, forecast and the frozen plan.

One chart, one module: the frozen spec (:class:`GanttSpec`, what tests check), the function
that makes it from facts (:func:`gantt_spec`), and its drawing (:func:`draw_gantt`),
registered in :mod:`phasedocs.charts.registry`.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from phasedocs.charts.common import _CHAR_EM, MAX_BARS, MAX_TICKS, _narrow, _short, _title
from phasedocs.facts import chain_words

if TYPE_CHECKING:
    from phasedocs.facts import PhaseFacts, ProjectFacts, TaskFacts
    from phasedocs.input.site_config import ChartStyle


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


def draw_gantt(plt: Any, spec: GanttSpec, style: ChartStyle) -> Any:
    """The Gantt figure: a bar per task (a ◆ per milestone), slack, actuals, forecast, the frozen plan, group bands."""
    c = style.colors
    # a group's band opens with a row of its own for its name, above its tasks' bars
    heads = {band.tasks[0]: band for band in spec.groups if band.tasks}
    lines: list[tuple[str, str]] = []
    for b in spec.bars:
        if b.id in heads:
            lines.append(("group", heads[b.id].id))
        lines.append(("bar", b.id))
    n = len(lines)
    fig, ax = plt.subplots(figsize=(style.width, max(2.0, 0.5 * n + 1.3)))
    row = {key: n - 1 - i for i, (kind, key) in enumerate(lines) if kind == "bar"}
    head_row = {key: n - 1 - i for i, (kind, key) in enumerate(lines) if kind == "group"}
    for k, band in enumerate(spec.groups):  # a shaded band per group of tasks, named in its first row
        if not band.tasks:
            continue
        top = head_row[band.id]
        ax.axhspan(
            min(row[tid] for tid in band.tasks) - 0.5,
            top + 0.5,
            color=c.slack,
            alpha=0.25 if k % 2 == 0 else 0.1,
            lw=0,
            gid=f"group-{band.id}",
        )
        ax.text(
            0.005,
            top,
            _short(band.label, 40 if _narrow(style) else 80),
            transform=ax.get_yaxis_transform(),
            ha="left",
            va="center",
            fontsize=style.font_size * 0.8,
            fontweight="bold",
        )
    for b in spec.bars:
        y = row[b.id]
        color = c.done if b.complete else c.critical if b.critical else c.task
        kind = "done" if b.complete else "critical" if b.critical else "task"
        if b.milestone:  # no duration: a diamond at its date
            ax.scatter([b.finish], [y], marker="D", s=70, color=color, zorder=3, gid=f"milestone-{b.id}")
        else:
            ax.barh(
                y,
                b.finish - b.start,
                left=b.start,
                height=0.5,
                color=color,
                hatch="//" if b.complete else None,
                edgecolor=color,
                gid=f"{kind}-{b.id}",
            )
        if b.slack > 0:
            ax.barh(y, b.slack, left=b.finish, height=0.2, color=c.slack, gid=f"slack-{b.id}")
        if b.plan_start is not None and b.plan_finish is not None:  # the frozen plan: an outline
            ax.barh(
                y,
                b.plan_finish - b.plan_start,
                left=b.plan_start,
                height=0.62,
                fill=False,
                edgecolor=style.text_color,
                linestyle="--",
                linewidth=1,
                gid=f"plan-{b.id}",
            )
        if b.actual_start is not None and b.actual_end is not None:  # what happened, under the plan
            ax.barh(
                y - 0.36,
                max(b.actual_end - b.actual_start, 0.02),
                left=b.actual_start,
                height=0.16,
                color=c.done if b.complete else c.current,
                gid=f"actual-{b.id}",
            )
        if b.forecast_from is not None and b.forecast_finish is not None and b.forecast_finish > b.forecast_from:
            ax.barh(
                y - 0.36,
                b.forecast_finish - b.forecast_from,
                left=b.forecast_from,
                height=0.16,
                color="none",
                hatch="//",
                edgecolor=c.today,
                gid=f"forecast-{b.id}",
            )
        mark = " ✓" if b.complete else ""
        label = _short(b.label, 22 if _narrow(style) else 40)
        ax.text(b.start + 0.02, y + 0.33, label + mark, fontsize=style.font_size * 0.8, va="bottom")
    by_id = {b.id: b for b in spec.bars}
    for src, dst in spec.arrows:
        a, b = by_id[src], by_id[dst]
        arrow = ax.annotate(
            "",
            xy=(b.start, row[dst]),
            xytext=(a.finish, row[src]),
            arrowprops={"arrowstyle": "->", "color": style.text_color, "lw": 1, "connectionstyle": "arc3,rad=0"},
        )
        arrow.arrow_patch.set_gid(f"dep-{src}-{dst}")
    if spec.today is not None:
        ax.axvline(spec.today, color=c.today, linestyle=":", linewidth=2, gid="today")
    right = [spec.total, spec.today or 0]
    right += [x for b in spec.bars for x in (b.forecast_finish, b.plan_finish, b.actual_end) if x is not None]
    left, end = min(0.0, *(b.actual_start or 0 for b in spec.bars)), max(right) * 1.02 + 0.05
    ax.set_xlim(left, end)
    if spec.hour_labels:  # a phase of hours: its axis in hours, each with its clock time
        hpd = spec.hours_per_day
        ticks = day_ticks(len(spec.hour_labels), (end - left) * hpd, style)
        ax.set_xticks([i / hpd for i in ticks], [spec.hour_labels[i] for i in ticks])
    else:
        ticks = day_ticks(len(spec.day_labels), end - left, style)
        ax.set_xticks(ticks, [f"day {i + 1}\n{spec.day_labels[i]}" for i in ticks])
    ax.set_ylim(-0.7, n - 0.1)
    ax.set_yticks([])
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    legend: list[Any] = [
        Patch(color=c.critical, label="critical path"),
        Patch(color=c.task, label="has slack"),
        Patch(color=c.slack, label="slack"),
        Patch(color=c.done, label="complete"),
    ]
    if any(b.milestone for b in spec.bars):
        legend.append(Line2D([], [], marker="D", color=style.text_color, linestyle="none", label="milestone"))
    if any(b.actual_start is not None for b in spec.bars):
        legend.append(Patch(color=c.current, label="actual"))
    if any(b.forecast_from is not None for b in spec.bars):
        legend.append(Patch(facecolor="none", edgecolor=c.today, hatch="//", label="forecast"))
    if any(b.plan_start is not None for b in spec.bars):
        legend.append(Patch(fill=False, edgecolor=style.text_color, linestyle="--", label="frozen plan"))
    if spec.today is not None:
        legend.append(Line2D([], [], color=c.today, linestyle=":", linewidth=2, label="latest snapshot"))
    _title(ax, spec.title)
    # a strip at the bottom for the legend, so it never meets the two-line day labels
    columns = min(len(legend), 3 if _narrow(style) else 5)
    rows = math.ceil(len(legend) / columns)
    strip = (0.2 + 0.25 * rows) / fig.get_figheight()
    fig.tight_layout(rect=(0, strip, 1, 1))
    fig.legend(
        handles=legend, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=columns, fontsize=style.font_size * 0.8
    )
    return fig


#: The widest line of a Gantt day label ("Mon 23 Nov"), in characters (a character's width in
#: ems is :data:`~phasedocs.charts.common._CHAR_EM`).
_DAY_LABEL_CHARS = 10
#: The share of the figure's width the Gantt's axis spans (it has no y labels), and the room a
#: label needs, as a multiple of its width, for a gap between it and the next.
_AXIS_SHARE = 0.9
_LABEL_ROOM = 1.25


def day_ticks(days: int, span: float, style: ChartStyle) -> list[int]:
    """The days (0-based) whose label the Gantt's axis shows: every ``step``-th, the step chosen so
    that on an axis ``span`` days wide no two labels meet at this width (a phone's narrow chart
    holds three or four), and never more than :data:`MAX_TICKS`."""
    if days <= 0:
        return []
    label = _DAY_LABEL_CHARS * _CHAR_EM * style.font_size / 72 * _LABEL_ROOM  # inches
    per_day = style.width * _AXIS_SHARE / max(span, 1e-9)  # inches
    step = max(1, math.ceil(days / MAX_TICKS), math.ceil(label / per_day))
    return list(range(0, days, step))
