"""The roadmap of a project: every phase on one timeline, coloured by state.

One chart, one module: its frozen spec (what tests check), the function that makes it from
facts, and its drawing, registered in :mod:`phasedocs.charts.registry`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from phasedocs.charts.common import MAX_BARS, _date_axis, _fmt, _narrow, _short, _title
from phasedocs.facts import in_words

if TYPE_CHECKING:
    from phasedocs.facts import ProjectFacts
    from phasedocs.input.site_config import ChartStyle


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


#: A phase state -> the chart colour (a field of ``charts.colors``) its bar is drawn in.
_PHASE_COLOR = {"complete": "done", "active": "task", "blocked": "missed", "planned": "pending"}


def draw_roadmap(plt: Any, spec: RoadmapSpec, style: ChartStyle) -> Any:
    """The roadmap figure: a bar per phase on a date axis, lateness and the forecast's 50-85% under it."""
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
