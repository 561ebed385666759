"""The CI gate's findings: settled criteria missed, metrics regressed, criteria not met yet.

Pure, like :mod:`phasedocs.facts`, whose results it reads: ``phasedocs check`` formats
these and sets its exit status (``commands/check.py``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from phasedocs.dates import EPS

if TYPE_CHECKING:
    from phasedocs.facts import CriterionFacts, MetricFacts, PhaseFacts, ProjectFacts


@dataclass(frozen=True)
class Finding:
    """One thing ``check`` reports about a phase."""

    phase: int
    kind: str
    """missed (a settled criterion), regressed (a metric past its threshold) or off_track (not met yet)."""
    subject: str
    """The criterion (scope: text) or the metric's label."""
    detail: str
    """What is wrong and by how much, in words."""
    since: datetime | None
    """Since when: the criterion settled, or the snapshot that measured the regression."""
    metric: str | None = None
    """The metric key, if any."""
    value: float | str | None = None
    """The current value."""
    reference: float | str | None = None
    """The target (as text) or the value regressed from."""

    @property
    def fails(self) -> bool:
        """True for what fails the run without --strict: a missed criterion or a regression."""
        return self.kind in ("missed", "regressed")


def _show(value: float | str | bool | None) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _criterion(p: PhaseFacts, c: CriterionFacts) -> Finding:
    if c.scope == "phase":
        since = p.actual_finish
    else:
        since = p.task(c.scope).actual_finish
    target = c.criterion.target or "checked by hand"
    if c.measured:
        change = f" ({c.change_pct:+.2f}% from the baseline)" if c.change_pct is not None else ""
        detail = f"target {target}, value {_show(c.value)}{change}"
    else:
        detail = "checked by hand: recorded false"
    return Finding(
        p.number,
        c.state,
        f"{c.scope}: {c.criterion.text}",
        detail,
        since if c.state == "missed" else None,
        c.criterion.metric,
        c.value if not isinstance(c.value, bool) else str(c.value).lower(),
        target,
    )


def regression(m: MetricFacts) -> Finding | None:
    """The regression of ``m`` past its ``regress`` threshold at its latest value, or None.

    ``against``: the previous value, the baseline (the first value when the baseline had
    none), or the best value before the latest. Worse is the metric's ``better`` way; a
    change exactly at the threshold is not past it.
    """
    rule = m.metric.regress
    if rule is None or m.metric.better is None:
        return None
    points = [(ts, float(v)) for ts, v in m.series if isinstance(v, (int, float))]
    if len(points) < 2:
        return None
    at, latest = points[-1]
    earlier = [v for _, v in points[:-1]]
    lower = m.metric.better == "lower"
    if rule.against == "previous":
        ref, words = earlier[-1], "the previous value"
    elif rule.against == "best":
        ref, words = (min(earlier) if lower else max(earlier)), "the best value so far"
    else:
        base = m.baseline if isinstance(m.baseline, (int, float)) else earlier[0]  # None: the first value stands in
        ref, words = float(base), "the baseline"
    worse = latest - ref if lower else ref - latest
    if worse <= EPS:
        return None
    if rule.relative:
        share = 100.0 * worse / abs(ref) if abs(ref) > EPS else float("inf")
        if share <= rule.amount + EPS:
            return None
        size = f"{share:.1f}%" if share != float("inf") else "from zero"
    else:
        if worse <= rule.amount + EPS:
            return None
        size = f"{worse:.4g}"
    detail = f"{_show(ref)} → {_show(latest)}: worse by {size} against {words} (threshold {rule.by})"
    return Finding(0, "regressed", m.metric.label, detail, at, m.key, latest, ref)


def findings(facts: ProjectFacts, phases: list[PhaseFacts] | None = None) -> list[Finding]:
    """Every finding of ``phases`` (default: all), phase by phase: missed, regressed, then not met yet."""
    out: list[Finding] = []
    for p in phases if phases is not None else list(facts.phases):
        out += [_criterion(p, c) for c in p.criteria if c.state == "missed"]
        for m in p.metrics:
            found = regression(m)
            if found is not None:
                out.append(replace(found, phase=p.number))
        out += [_criterion(p, c) for c in p.criteria if c.state == "off_track"]
    return out
