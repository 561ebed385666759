"""Charts: what to draw (pure specs from facts) and drawing them to SVG bytes.

``*_spec`` functions turn facts into small frozen dataclasses: everything a chart
shows (series, bars, colours by state, target bands, alt text). Tests check those.
``draw`` turns a spec into SVG bytes with matplotlib, imported only here and only
when a chart is actually drawn. Output is deterministic: a fixed ``svg.hashsalt``,
no date metadata, text kept as text, series in a fixed order.
"""

from __future__ import annotations

import functools
import hashlib
import math
import os
import pickle
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from . import shape
from .facts import PhaseFacts, ProjectFacts
from .site_config import ChartStyle
from .targets import parse_target

#: Draw in worker processes when more charts than this need drawing.
PARALLEL_THRESHOLD = 4
#: The most bars a chart draws: beyond this no label can be read (and drawing costs seconds).
MAX_BARS = 60
#: The most labels an axis carries (a 2,000-day schedule gets one every 134 days).
MAX_TICKS = 15


# ----------------------------------------------------------------------------- specs
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
    """One measured criterion, baseline and current as percent of the target."""

    label: str
    baseline_pct: float | None
    current_pct: float
    state: str


@dataclass(frozen=True)
class CriteriaSpec:
    """Baseline vs current vs target of measured criteria, normalised to the target."""

    title: str
    bars: tuple[CriterionBar, ...]
    alt: str
    note: str = ""
    """What the chart leaves out, shown under it (a chart of thousands of bars cannot be read)."""


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


@dataclass(frozen=True)
class RoadmapBar:
    """One phase on the roadmap."""

    label: str
    start: datetime
    finish: datetime
    forecast: datetime
    state: str
    percent: float


@dataclass(frozen=True)
class RoadmapSpec:
    """All phases on one timeline."""

    title: str
    bars: tuple[RoadmapBar, ...]
    alt: str
    note: str = ""
    """What the chart leaves out, shown under it (a chart of thousands of bars cannot be read)."""


Spec = TrendSpec | CriteriaSpec | GanttSpec | RoadmapSpec


def _fmt(x: float) -> str:
    r = round(x, 2)
    return str(int(r)) if r == int(r) else str(r)


def _display(value: float, unit: str) -> float:
    """Ratios are charted in percent; everything else as recorded."""
    return value * 100 if unit == "ratio" else value


def _on_scale(target_text: str, baseline: Any) -> tuple[Any, list[float]] | None:
    """The target and its bounds on the metric's own scale (relative bounds through the
    baseline); None for text targets, or relative ones without a numeric baseline."""
    t = parse_target(target_text)
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
    found = _on_scale(target_text, baseline)
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
        if c.measured and c.criterion.metric not in targets:
            targets[c.criterion.metric] = c.criterion.target  # type: ignore[index]
    panels = []
    for m in p.metrics:
        if m.metric.unit == "text" or not m.series:
            continue
        xs = tuple(ts for ts, _ in m.series)
        ys = tuple(_display(float(v), m.metric.unit) for _, v in m.series)  # type: ignore[arg-type]
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


def _reference(target_text: str, baseline: Any, better: str | None) -> float | None:
    """The number a criterion must reach, on the metric's own scale."""
    found = _on_scale(target_text, baseline)
    if found is None:
        return None
    t, values = found
    if t.op == "..":  # the edge to reach first: the worse end of the range
        return max(values) if better == "lower" else min(values)
    return values[0]


def criteria_spec(p: PhaseFacts) -> CriteriaSpec | None:
    """Measured criteria with a current value, as percent of their target."""
    bars = []
    for c in p.criteria:
        if not c.measured or not isinstance(c.value, (int, float)) or isinstance(c.value, bool):
            continue
        ref = _reference(c.criterion.target or "", c.baseline, c.metric.better if c.metric else None)
        if ref is None or ref == 0:
            continue
        base = c.baseline if isinstance(c.baseline, (int, float)) and not isinstance(c.baseline, bool) else None
        label = f"{c.scope}: {c.criterion.text}" if c.scope != "phase" else f"phase: {c.criterion.text}"
        bars.append(CriterionBar(label, None if base is None else round(100 * base / ref, 2), round(100 * c.value / ref, 2), c.state))
    if not bars:
        return None
    note = ""
    if len(bars) > MAX_BARS:
        rank = {"missed": 0, "pending": 1, "met": 2, "exceeded": 3}
        keep = set(sorted(range(len(bars)), key=lambda i: (rank.get(bars[i].state, 1), i))[:MAX_BARS])
        note = f"The chart shows {MAX_BARS} of {len(bars)} measured criteria, missed ones first; the criteria table lists them all."
        bars = [b for i, b in enumerate(bars) if i in keep]
    alt = f"Measured criteria of phase {p.number} as percent of target (100% is the target): " + "; ".join(
        f"{b.label} at {_fmt(b.current_pct)}% ({b.state})" for b in bars
    )
    return CriteriaSpec(f"Phase {p.number}: criteria against target", tuple(bars), alt, note)


def gantt_spec(p: PhaseFacts, facts: ProjectFacts) -> GanttSpec:
    """The critical-path schedule: bars, slack, dependencies, the latest snapshot's time."""
    from .facts import elapsed_days

    tasks = list(p.tasks)
    note = ""
    if len(tasks) > MAX_BARS:  # the tasks that decide the finish: critical first, then the least slack
        keep = {t.id for t in sorted(tasks, key=lambda t: (not t.critical, t.slack, t.earliest_start))[:MAX_BARS]}
        note = f"The chart shows {MAX_BARS} of {len(tasks)} tasks, those with the least slack (the critical path first); the schedule table lists them all."
        tasks = [t for t in tasks if t.id in keep]
    shown = {t.id for t in tasks}
    bars = tuple(
        GanttBar(t.id, f"{t.id} {t.task.title}", t.earliest_start, t.earliest_finish, t.slack, t.critical, t.state == "complete")
        for t in tasks
    )
    arrows = tuple((d, t.id) for t in tasks for d in t.task.depends_on if d in shown)
    labels = tuple(d.date.astimezone(facts.tz).strftime("%a %d %b") for d in p.days)
    today = None
    if p.latest is not None:  # "today" is the latest snapshot, never the wall clock
        workdays = facts.config.calendar == "workdays"
        today = round(elapsed_days(p.schedule.start, p.latest.timestamp, workdays, facts.tz), 4)
        if today < 0:
            today = None
    critical = ", ".join(t.id for t in tasks if t.critical)
    slack = "; ".join(f"{t.id} has {_fmt(t.slack)} days of slack" for t in tasks if not t.critical)
    done = [t.id for t in tasks if t.state == "complete"]
    alt = (
        f"Gantt chart of phase {p.number}: {len(bars)} tasks over {_fmt(p.schedule.total_days)} days; "
        f"critical path {critical}" + (f"; {slack}" if slack else "") + (f"; complete: {', '.join(done)}" if done else "")
    )
    return GanttSpec(f"Phase {p.number}: schedule", bars, arrows, p.schedule.total_days, today, labels, alt, note)


def roadmap_spec(facts: ProjectFacts) -> RoadmapSpec:
    """Every phase on one timeline, coloured by state."""
    phases = list(facts.phases)
    note = ""
    if len(phases) > MAX_BARS:  # the phases still to come matter most: the last ones
        note = f"The chart shows the last {MAX_BARS} of {len(phases)} phases; the table lists them all."
        phases = phases[-MAX_BARS:]
    bars = tuple(
        RoadmapBar(f"{p.number}: {p.phase.title}", p.schedule.start, p.schedule.finish, p.schedule.forecast_finish, p.state, p.percent)
        for p in phases
    )
    alt = f"Roadmap of {facts.config.name}: " + "; ".join(
        f"phase {b.label} {b.state}, {_fmt(b.percent)}% done, {b.start:%Y-%m-%d} to {b.finish:%Y-%m-%d}" for b in bars
    )
    return RoadmapSpec(f"{facts.config.name}: roadmap", bars, alt, note)


def phase_specs(p: PhaseFacts, facts: ProjectFacts) -> dict[str, Spec]:
    """Chart file name -> spec, for every chart phase ``p`` has data for."""
    out: dict[str, Spec] = {"gantt.svg": gantt_spec(p, facts)}
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
    """The style and the matplotlib version: a new matplotlib may draw differently."""
    from importlib.metadata import version  # no matplotlib import for a hash; slow, hence cached

    return shape.dump_json(style) + version("matplotlib")


# ----------------------------------------------------------------------------- drawing
_STATE_COLOR = {"met": "met", "exceeded": "exceeded", "missed": "missed", "pending": "pending"}
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
    key = shape.dump_json(style)
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
    drawer = {TrendSpec: _draw_trend, CriteriaSpec: _draw_criteria, GanttSpec: _draw_gantt, RoadmapSpec: _draw_roadmap}[type(spec)]
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # user text may hold characters the font lacks: they show as boxes, not as a warning per chart
        warnings.filterwarnings("ignore", message="Glyph .* missing from font", category=UserWarning)
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
    cols = 1 if n == 1 else 2
    rows = (n + cols - 1) // cols
    fig, axes = plt.subplots(rows, cols, figsize=(style.width, max(2.6, style.height * 0.65) * rows), squeeze=False)
    for ax, panel in zip(axes.flat, spec.panels, strict=False):
        ax.plot(panel.x, panel.y, marker="o", color=c.current, linewidth=2, label="measured", gid=f"series-{panel.key}")
        if panel.target is not None:
            t = panel.target
            if t.low is not None and t.high is not None and t.low != t.high:
                ax.axhspan(t.low, t.high, color=c.target, alpha=0.2, label=t.label, gid=f"target-{panel.key}")
            else:
                ax.axhline(t.low if t.low is not None else t.high, color=c.target, linestyle="--", linewidth=1.5, label=t.label,
                           gid=f"target-{panel.key}")
        unit = {"ratio": "%", "percent": "%", "seconds": "s", "bytes": "bytes"}.get(panel.unit, "")
        ax.set_title(panel.label + (f" ({unit})" if unit else ""), loc="left", fontsize=style.font_size)
        if len(set(panel.x)) <= 6:  # few snapshots: tick exactly at each one
            ticks = sorted(set(panel.x))
            ax.set_xticks([mdates.date2num(t) for t in ticks], [t.strftime("%d %b") for t in ticks])
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


def _draw_criteria(plt: Any, spec: CriteriaSpec, style: ChartStyle) -> Any:
    c = style.colors
    n = len(spec.bars)
    fig, ax = plt.subplots(figsize=(style.width, max(2.0, 0.55 * n + 1.2)))
    ys = list(range(n))[::-1]
    h = 0.38
    for i, (y, bar) in enumerate(zip(ys, spec.bars, strict=True)):
        if bar.baseline_pct is not None:
            ax.barh(y + h / 2, bar.baseline_pct, height=h, color=c.baseline, alpha=0.6, gid=f"baseline-{i}")
        color = getattr(c, _STATE_COLOR[bar.state])
        ax.barh(y - h / 2, bar.current_pct, height=h, color=color, gid=f"current-{i}-{bar.state}")
        ax.text(bar.current_pct, y - h / 2, f" {bar.current_pct:g}% {bar.state}", va="center", fontsize=style.font_size * 0.8)
    ax.axvline(100, color=c.target, linestyle="--", linewidth=1.5, gid="target")
    ax.set_yticks(ys, [_short(b.label, 48) for b in spec.bars])
    ax.set_xlabel("percent of target (dashed line: the target; grey: baseline)")
    ax.grid(axis="x", alpha=0.3)
    xmax = max([100.0, *(b.current_pct for b in spec.bars), *(b.baseline_pct or 0 for b in spec.bars)])
    ax.set_xlim(0, xmax * 1.3)
    _title(ax, spec.title)
    fig.tight_layout()
    return fig


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


def _draw_gantt(plt: Any, spec: GanttSpec, style: ChartStyle) -> Any:
    c = style.colors
    n = len(spec.bars)
    fig, ax = plt.subplots(figsize=(style.width, max(2.0, 0.5 * n + 1.3)))
    row = {b.id: n - 1 - i for i, b in enumerate(spec.bars)}
    for b in spec.bars:
        y = row[b.id]
        color = c.done if b.complete else c.critical if b.critical else c.task
        kind = "done" if b.complete else "critical" if b.critical else "task"
        ax.barh(y, b.finish - b.start, left=b.start, height=0.5, color=color, hatch="//" if b.complete else None, edgecolor=color,
                gid=f"{kind}-{b.id}")
        if b.slack > 0:
            ax.barh(y, b.slack, left=b.finish, height=0.2, color=c.slack, gid=f"slack-{b.id}")
        mark = " ✓" if b.complete else ""
        ax.text(b.start + 0.02, y + 0.33, _short(b.label, 40) + mark, fontsize=style.font_size * 0.8, va="bottom")
    by_id = {b.id: b for b in spec.bars}
    for src, dst in spec.arrows:
        a, b = by_id[src], by_id[dst]
        arrow = ax.annotate("", xy=(b.start, row[dst]), xytext=(a.finish, row[src]),
                            arrowprops={"arrowstyle": "->", "color": style.text_color, "lw": 1, "connectionstyle": "arc3,rad=0"})
        arrow.arrow_patch.set_gid(f"dep-{src}-{dst}")
    if spec.today is not None:
        ax.axvline(spec.today, color=c.today, linestyle=":", linewidth=2, gid="today")
    days = len(spec.day_labels)
    step = max(1, math.ceil(days / MAX_TICKS))  # a label per day until they would overlap
    ax.set_xticks(list(range(0, days, step)), [f"day {i + 1}\n{spec.day_labels[i]}" for i in range(0, days, step)])
    ax.set_xlim(0, max(spec.total, spec.today or 0) * 1.02 + 0.05)
    ax.set_ylim(-0.6, n - 0.1)
    ax.set_yticks([])
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
    from matplotlib.lines import Line2D
    from matplotlib.patches import Patch

    legend = [Patch(color=c.critical, label="critical path"), Patch(color=c.task, label="has slack"),
              Patch(color=c.slack, label="slack"), Patch(color=c.done, label="complete")]
    if spec.today is not None:
        legend.append(Line2D([], [], color=c.today, linestyle=":", linewidth=2, label="latest snapshot"))
    _title(ax, spec.title)
    # a strip at the bottom for the legend, so it never meets the two-line day labels
    strip = 0.45 / fig.get_figheight()
    fig.tight_layout(rect=(0, strip, 1, 1))
    fig.legend(handles=legend, loc="lower center", bbox_to_anchor=(0.5, 0.0), ncol=len(legend), fontsize=style.font_size * 0.8)
    return fig


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
        ax.text(start, y + 0.33, f"{_short(b.label, 40)} ({b.state}, {b.percent:g}%)", fontsize=style.font_size * 0.8, va="bottom")
    ax.xaxis_date()
    _date_axis(ax, min(b.start for b in spec.bars), max(max(b.finish, b.forecast) for b in spec.bars))
    ax.set_yticks([])
    ax.set_ylim(-0.6, n - 0.1)
    ax.grid(axis="x", alpha=0.3)
    for side in ("top", "right", "left"):
        ax.spines[side].set_visible(False)
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
    _setup(shape.parse(ChartStyle, style_data))  # import matplotlib once per worker


def _worker_draw(item: tuple[str, Spec, dict[str, Any]]) -> tuple[str, bytes]:
    name, spec, style_data = item
    return name, draw(spec, shape.parse(ChartStyle, style_data))


def draw_all(specs: Mapping[str, Spec], style: ChartStyle, workers: int | None = None) -> dict[str, bytes]:
    """Draw every spec; in worker processes when there are more than a handful."""
    items = sorted(specs.items())
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if len(items) <= PARALLEL_THRESHOLD or workers <= 1:
        return {name: draw(spec, style) for name, spec in items}
    data = shape.dump(style)
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), initializer=_worker_init, initargs=(data,)) as pool:
        return dict(pool.map(_worker_draw, [(name, spec, data) for name, spec in items], chunksize=max(1, len(items) // (workers * 4))))
