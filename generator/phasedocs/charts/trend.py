"""The metric trends of a phase: one small multiple per numeric metric, with its target.

One chart, one module: its frozen spec (what tests check), the function that makes it from
facts, and its drawing, registered in :mod:`phasedocs.charts.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from phasedocs.charts.common import _date_axis, _display, _fmt, _narrow, _on_scale

if TYPE_CHECKING:
    from phasedocs.facts import PhaseFacts, ProjectFacts
    from phasedocs.input.site_config import ChartStyle


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


def trend_spec(p: PhaseFacts, facts: ProjectFacts | None = None) -> TrendSpec | None:
    """Numeric metrics over the snapshots; None when nothing numeric was measured (``facts``,
    which the registry passes every phase chart, is not needed)."""
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


def draw_trend(plt: Any, spec: TrendSpec, style: ChartStyle) -> Any:
    """The trends figure: a panel per metric, its values over time and its target as a line or band."""
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
