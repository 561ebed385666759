"""Drawing chart specs to SVG bytes with matplotlib.

matplotlib is imported here only, and only when a chart is actually drawn. Output is
deterministic: a fixed ``svg.hashsalt``, no date metadata, text kept as text, series in
a fixed order. Worker processes import this module and :mod:`phasedocs.charts.specs`
(to unpickle the specs), never Jinja.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from datetime import datetime
from typing import Any

from phasedocs.charts.specs import (
    MAX_TICKS,
    BurnupSpec,
    CriteriaSpec,
    GanttSpec,
    RoadmapSpec,
    Spec,
    TrendSpec,
    label_lines,
)
from phasedocs.facts import in_words
from phasedocs.input import records
from phasedocs.input.site_config import ChartStyle

#: Draw in worker processes when more charts than this need drawing (one phase and the
#: roadmap are five: starting workers that import matplotlib costs more than they save).
PARALLEL_THRESHOLD = 5


_STATE_COLOR = {
    "met": "met",
    "exceeded": "exceeded",
    "missed": "missed",
    "pending": "pending",
    "on_track": "met",  # drawn hatched: the same verdict, not settled yet
    "off_track": "missed",
}
_PHASE_COLOR = {"complete": "done", "active": "task", "blocked": "missed", "planned": "pending"}
_plt: Any = None
_style_applied: str | None = None


def _setup(style: ChartStyle) -> Any:
    """Import matplotlib once per process, headless, with deterministic SVG settings."""
    global _plt, _style_applied
    if _plt is None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        _plt = plt
    key = records.dump_json(style)
    if key == _style_applied:  # the same style as the last chart: nothing to reset
        return _plt
    _style_applied = key
    import matplotlib

    matplotlib.rcdefaults()
    matplotlib.rcParams.update(
        {
            "svg.hashsalt": "phasedocs",  # stable ids: no random diff per run
            "svg.fonttype": "none",  # text stays text: searchable, smaller, no glyph paths
            "font.family": style.font_family,
            "font.size": style.font_size,
            "text.color": style.text_color,
            "axes.labelcolor": style.text_color,
            "axes.edgecolor": style.text_color,
            "xtick.color": style.text_color,
            "ytick.color": style.text_color,
            "axes.facecolor": "none",
            "figure.facecolor": "none",
            "savefig.facecolor": "none",
            "savefig.transparent": True,
            "legend.frameon": False,
            "path.simplify": False,
            # user text is text: '$5 and $10' is no formula, '$\\undefinedcmd$' no crash
            "text.parse_math": False,
        }
    )
    return _plt


def draw(spec: Spec, style: ChartStyle) -> bytes:
    """The SVG bytes of ``spec``."""
    import io
    import warnings

    plt = _setup(style)
    drawers: dict[type, Callable[[Any, Any, ChartStyle], Any]] = {
        TrendSpec: _draw_trend,
        CriteriaSpec: _draw_criteria,
        GanttSpec: _draw_gantt,
        RoadmapSpec: _draw_roadmap,
        BurnupSpec: _draw_burnup,
    }
    drawer = drawers[type(spec)]
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # user text may hold characters the font lacks: they show as boxes, not as a warning per chart
        warnings.filterwarnings(
            "ignore", message="Glyph .* missing from", category=UserWarning
        )  # "font(s) X" or "current font"
        # nor a script matplotlib cannot shape (Telugu, Arabic...): it draws the characters as they come
        warnings.filterwarnings(
            "ignore", message="Matplotlib currently does not support .* natively", category=UserWarning
        )
        try:
            fig = drawer(plt, spec, style)
            # no bbox_inches="tight": it draws the figure twice; tight_layout has placed everything
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "phasedocs"})
        finally:
            plt.close("all")  # also when drawing fails half-way: a long-lived process must not collect figures
    return buf.getvalue()


def _title(ax: Any, text: str) -> None:
    ax.set_title(text, loc="left", fontweight="bold")


def _draw_trend(plt: Any, spec: TrendSpec, style: ChartStyle) -> Any:
    import matplotlib.dates as mdates

    c = style.colors
    n = len(spec.panels)
    cols = 1 if n == 1 or _narrow(style) else 2
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(style.width, max(2.6, style.height * 0.65) * rows), squeeze=False)
    for ax, panel in zip(axes.flat, spec.panels, strict=False):
        ax.plot(panel.x, panel.y, marker="o", color=c.current, linewidth=2, label="measured", gid=f"series-{panel.key}")
        if panel.target is not None:
            t = panel.target
            if t.low is not None and t.high is not None and t.low != t.high:
                ax.axhspan(t.low, t.high, color=c.target, alpha=0.2, label=t.label, gid=f"target-{panel.key}")
            else:
                ax.axhline(
                    t.low if t.low is not None else t.high,
                    color=c.target,
                    linestyle="--",
                    linewidth=1.5,
                    label=t.label,
                    gid=f"target-{panel.key}",
                )
        unit = {"ratio": "%", "percent": "%", "seconds": "s", "bytes": "bytes", "usd": "USD"}.get(panel.unit, "")
        ax.set_title(panel.label + (f" ({unit})" if unit else ""), loc="left", fontsize=style.font_size)
        ticks = sorted(set(panel.x))
        days = {t.date() for t in ticks}
        if len(ticks) <= 6 and len(days) == len(ticks):  # a few snapshots on different days: a tick at each
            ax.set_xticks([mdates.date2num(t) for t in ticks], [t.strftime("%d %b") for t in ticks])
        elif len(days) == 1:  # one day: hours, never the same date twice side by side
            ax.set_xticks([mdates.date2num(t) for t in ticks[:6]], [t.strftime("%H:%M") for t in ticks[:6]])
            ax.set_xlabel(ticks[0].strftime("%d %b %Y"), fontsize=style.font_size * 0.8)
        else:
            _date_axis(ax, min(panel.x), max(panel.x))
        ax.grid(axis="y", alpha=0.3)
        ax.legend(loc="best", fontsize=style.font_size * 0.8)
        if len(set(panel.x)) == 1:  # one point: give the axis a day of room each side
            mid = mdates.date2num(panel.x[0])
            ax.set_xlim(mid - 1, mid + 1)
    for ax in list(axes.flat)[n:]:
        ax.set_visible(False)
    fig.suptitle(spec.title, x=0.01, ha="left", fontweight="bold", color=style.text_color)
    fig.tight_layout()
    return fig


#: A character's average width in ems (DejaVu Sans), to wrap text to the figure's width.
_CHAR_EM = 0.62


def _chars(style: ChartStyle, inches: float, scale: float = 1.0) -> int:
    """How many characters of ``scale`` x the font size fit in ``inches``."""
    return max(8, int(inches * 72 / (style.font_size * scale * _CHAR_EM)))


def _draw_criteria(plt: Any, spec: CriteriaSpec, style: ChartStyle) -> Any:
    import textwrap

    c = style.colors
    n = len(spec.bars)
    fig, ax = plt.subplots(figsize=(style.width, max(2.0, 0.55 * n + 1.2)))
    ys = list(range(n))[::-1]
    h = 0.38
    values = []
    for i, (y, bar) in enumerate(zip(ys, spec.bars, strict=True)):
        if bar.baseline_pct is not None:
            ax.barh(y + h / 2, bar.baseline_pct, height=h, color=c.baseline, gid=f"baseline-{i}")
        color = getattr(c, _STATE_COLOR[bar.state])
        # work still going on: an outline, hatched, so a verdict so far never reads as a final one
        # (no transparency: every stroke keeps its colour's contrast on light and dark pages)
        ax.barh(
            y - h / 2,
            bar.current_pct,
            height=h,
            color=color if bar.settled else "none",
            hatch=None if bar.settled else "//",
            edgecolor=color,
            gid=f"current-{i}-{bar.state}-{'settled' if bar.settled else 'open'}",
        )
        values.append(
            ax.text(
                bar.current_pct,
                y - h / 2,
                f" {bar.current_pct:g}% {in_words(bar.state)}",
                va="center",
                fontsize=style.font_size * 0.8,
            )
        )
    ax.axvline(100, color=c.target, linestyle="--", linewidth=1.5, gid="target")
    # labels take at most a third of the width, on two lines: they never push the bars off the figure
    width = _chars(style, style.width / 3)
    ax.set_yticks(ys, ["\n".join(label_lines(b.label, width)) for b in spec.bars])
    ax.tick_params(axis="y", labelsize=style.font_size * 0.9)
    xlabel = "attainment of the target, longer is better (dashed: the target; grey: baseline; hatched: work going on)"
    ax.set_xlabel("\n".join(textwrap.wrap(xlabel, _chars(style, style.width * 0.95))))
    ax.grid(axis="x", alpha=0.3)
    xmax = max([100.0, *(b.current_pct for b in spec.bars), *(b.baseline_pct or 0 for b in spec.bars)])
    ax.set_xlim(0, xmax * 1.05)
    # the title over the whole figure, from its left edge: over the axes it would start after the labels
    fig.suptitle(spec.title, x=0.01, ha="left", fontweight="bold", color=style.text_color)
    fig.tight_layout()
    # room on the right for the words after each bar: each must end inside the axes
    renderer = fig.canvas.get_renderer()
    axes_px = ax.get_window_extent(renderer).width
    right = ax.get_xlim()[1]
    for t in values:
        words = t.get_window_extent(renderer).width
        if words < axes_px * 0.9:
            right = max(right, t.get_position()[0] * axes_px / (axes_px - words * 1.05))
    ax.set_xlim(0, right)
    return fig


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _draw_gantt(plt: Any, spec: GanttSpec, style: ChartStyle) -> Any:
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


#: The widest line of a Gantt day label ("Mon 23 Nov"), in characters, and a character's width
#: in ems (DejaVu Sans digits and capitals are about 0.62 em; a little more, to be safe).
_DAY_LABEL_CHARS = 10
_CHAR_EM = 0.65
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


def _draw_roadmap(plt: Any, spec: RoadmapSpec, style: ChartStyle) -> Any:
    import matplotlib.dates as mdates

    c = style.colors
    n = len(spec.bars)
    fig, ax = plt.subplots(figsize=(style.width, max(2.0, 0.5 * n + 1.3)))
    for i, b in enumerate(spec.bars):
        y = n - 1 - i
        color = getattr(c, _PHASE_COLOR[b.state])
        start, finish = mdates.date2num(b.start), mdates.date2num(b.finish)
        ax.barh(y, finish - start, left=start, height=0.5, color=color, gid=f"phase-{i}-{b.state}")
        forecast = mdates.date2num(b.forecast)
        if forecast > finish:
            ax.barh(y, forecast - finish, left=finish, height=0.2, color=c.missed, gid=f"late-{i}")
        if b.p50 is not None and b.p85 is not None:  # how sure: the 50% to 85% dates, under the bar
            p50, p85 = mdates.date2num(b.p50), mdates.date2num(b.p85)
            ax.barh(y - 0.34, max(p85 - p50, 0.05), left=p50, height=0.14, color=c.today, gid=f"forecast-{i}")
            ax.text(max(p85, p50 + 0.05), y - 0.34, " forecast 50-85%", fontsize=style.font_size * 0.7, va="center")
        ax.text(
            start,
            y + 0.33,
            f"{_short(b.label, 22 if _narrow(style) else 40)} ({b.state}, {b.percent:g}%)",
            fontsize=style.font_size * 0.8,
            va="bottom",
        )
    ax.xaxis_date()
    ends = [max(b.finish, b.forecast, b.p85 or b.finish) for b in spec.bars]
    _date_axis(ax, min(b.start for b in spec.bars), max(ends))
    ax.set_yticks([])
    ax.set_ylim(-0.7, n - 0.1)
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    _title(ax, spec.title)
    from matplotlib.patches import Patch

    marks = {
        **{state: {"color": getattr(c, color)} for state, color in _PHASE_COLOR.items()},
        "late": {"color": c.missed},
        "forecast": {"color": c.today},
    }
    handles = [Patch(label=words, **marks[key]) for key, words in spec.legend]
    # a strip at the bottom for the legend, as the Gantt's, so it never meets the date labels
    columns = max(1, min(len(handles), 2 if _narrow(style) else 3))
    rows = math.ceil(len(handles) / columns)
    strip = (0.2 + 0.25 * rows) / fig.get_figheight()
    fig.tight_layout(rect=(0, strip, 1, 1))
    if handles:
        legend = fig.legend(
            handles=handles,
            loc="lower center",
            bbox_to_anchor=(0.5, 0.0),
            ncol=columns,
            fontsize=style.font_size * 0.8,
        )
        legend.set_gid("roadmap-legend")
    return fig


def _draw_burnup(plt: Any, spec: BurnupSpec, style: ChartStyle) -> Any:
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


def _date_axis(ax: Any, start: datetime, end: datetime) -> None:
    """Date ticks chosen by the span (matplotlib's automatic choice warns on short spans)."""
    import matplotlib.dates as mdates

    days = max(1.0, (end - start).total_seconds() / 86400)
    if days <= 16:
        locator: Any = mdates.DayLocator(interval=1 if days <= 8 else 2)
    elif days <= 120:
        locator = mdates.WeekdayLocator(byweekday=mdates.MO, interval=1 if days <= 60 else 2)
    elif days <= 1100:
        locator = mdates.MonthLocator(interval=1 if days <= 370 else 3)
    else:
        locator = mdates.YearLocator()
    ax.xaxis.set_major_locator(locator)
    ax.xaxis.set_major_formatter(mdates.ConciseDateFormatter(locator))


def _worker_init(style_data: dict[str, Any]) -> None:
    _setup(records.parse(ChartStyle, style_data))  # import matplotlib once per worker


def _worker_draw(item: tuple[str, Spec, dict[str, Any]]) -> tuple[str, bytes]:
    name, spec, style_data = item
    return name, draw(spec, records.parse(ChartStyle, style_data))


def draw_all(specs: Mapping[str, Spec], style: ChartStyle, workers: int | None = None) -> dict[str, bytes]:
    """Draw every spec; in worker processes when there are more than a handful.

    A name ending in ``.narrow.svg`` is drawn in :func:`narrow_style` (for phones).
    """
    items = sorted(specs.items())
    narrow = narrow_style(style)
    style_of = {name: narrow if name.endswith(NARROW_SUFFIX) else style for name, _ in items}
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if len(items) <= PARALLEL_THRESHOLD or workers <= 1:
        return {name: draw(spec, style_of[name]) for name, spec in items}
    data = records.dump(style)
    dumped = {id(style): data, id(narrow): records.dump(narrow)}
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), initializer=_worker_init, initargs=(data,)) as pool:
        return dict(
            pool.map(
                _worker_draw,
                [(name, spec, dumped[id(style_of[name])]) for name, spec in items],
                chunksize=max(1, len(items) // (workers * 4)),
            )
        )


#: The file-name ending of a chart's phone variant: ``gantt.svg`` -> ``gantt.narrow.svg``.
NARROW_SUFFIX = ".narrow.svg"
#: The phone variant's width in inches: shown about 360 CSS px wide on a 390 px phone, its
#: smallest text (0.7 of the font size) stays above 8 CSS px.
NARROW_WIDTH = 4.0


def narrow_style(style: ChartStyle) -> ChartStyle:
    """``style`` for a phone: at most :data:`NARROW_WIDTH` inches wide, taller, the same fonts."""
    if style.width <= NARROW_WIDTH:
        return style
    return ChartStyle(**{**style.__dict__, "width": NARROW_WIDTH, "height": max(style.height, 3.2)})


def _narrow(style: ChartStyle) -> bool:
    return style.width <= NARROW_WIDTH
