"""What every chart module shares: limits, number and label formatting, target scales, and
matplotlib's deterministic setup, date axis, titles and the phone variant's style.

No matplotlib import at module level: specs are made without it, and a chart's drawing
function gets pyplot from :func:`setup` (through :func:`phasedocs.charts.drawing.draw`).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from phasedocs.input import records
from phasedocs.input.site_config import ChartStyle
from phasedocs.input.targets import parse_target

#: The most bars a chart draws: beyond this no label can be read (and drawing costs seconds).
MAX_BARS = 60
#: The most labels an axis carries (a 2,000-day schedule gets one every 134 days).
MAX_TICKS = 15


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


def label_lines(text: str, width: int, lines: int = 2) -> tuple[str, ...]:
    """``text`` wrapped to at most ``lines`` lines of at most ``width`` characters, the last cut
    with ``…`` when it does not fit (the full text is in the table beside the chart)."""
    import textwrap

    wrapped = textwrap.wrap(text, width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(wrapped) <= lines:
        return tuple(wrapped)
    rest = " ".join(wrapped[lines - 1 :])
    return (*wrapped[: lines - 1], rest[: width - 1] + "…")


# --- drawing (matplotlib is imported by setup, in the process that draws) ---

_plt: Any = None
_style_applied: str | None = None


def setup(style: ChartStyle) -> Any:
    """Import matplotlib once per process, headless, with deterministic SVG settings; pyplot."""
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


def _title(ax: Any, text: str) -> None:
    ax.set_title(text, loc="left", fontweight="bold")


#: A character's average width in ems (DejaVu Sans digits and capitals are about 0.62 em; a
#: little more, to be safe), to wrap text to the figure's width and space the Gantt's day labels.
_CHAR_EM = 0.65


def _chars(style: ChartStyle, inches: float, scale: float = 1.0) -> int:
    """How many characters of ``scale`` x the font size fit in ``inches``."""
    return max(8, int(inches * 72 / (style.font_size * scale * _CHAR_EM)))


def _short(text: str, n: int) -> str:
    return text if len(text) <= n else text[: n - 1] + "…"


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
