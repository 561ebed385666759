"""The criteria of a phase: each measured criterion's baseline and current value as attainment of its target.

One chart, one module: its frozen spec (what tests check), the function that makes it from
facts, and its drawing, registered in :mod:`phasedocs.charts.registry`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from phasedocs.charts.common import MAX_BARS, _chars, _fmt, _on_scale, label_lines
from phasedocs.facts import in_words
from phasedocs.input.targets import parse_target

if TYPE_CHECKING:
    from phasedocs.facts import CriterionFacts, PhaseFacts, ProjectFacts
    from phasedocs.input.site_config import ChartStyle


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


def criteria_spec(p: PhaseFacts, facts: ProjectFacts | None = None) -> CriteriaSpec | None:
    """Criteria with a threshold or range target and a numeric value, as attainment of the target.

    Settled criteria (their work complete) come first, then those whose work goes on.
    Every other criterion (``==`` and text targets, a zero target, relative ones without a
    baseline, hand checks, no value yet) is listed in ``undrawn``, missed ones first, so the
    chart never shows green bars beside a hidden miss. None when no criterion can be drawn
    (the criteria table lists them all). ``facts``, which the registry passes every phase
    chart, is not needed.
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


#: A criterion's state -> the chart colour (a field of ``charts.colors``) its bar is drawn in.
_STATE_COLOR = {
    "met": "met",
    "exceeded": "exceeded",
    "missed": "missed",
    "pending": "pending",
    "on_track": "met",  # drawn hatched: the same verdict, not settled yet
    "off_track": "missed",
}


def draw_criteria(plt: Any, spec: CriteriaSpec, style: ChartStyle) -> Any:
    """The criteria figure: baseline and current attainment per criterion, the target at 100%."""
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
