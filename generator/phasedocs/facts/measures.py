"""Measures and criteria: snapshot values as numbers, and each criterion's state."""

from __future__ import annotations

from typing import Any

from phasedocs.input.models import Criterion, Metric
from phasedocs.input.targets import judge, parse_target


def numeric(unit: str, value: Any) -> float | str | None:
    """A snapshot value as a number (ratios as fractions) or text."""
    if value is None:
        return None
    if unit == "ratio" and isinstance(value, str):
        num, den = value.split("/")
        return float(num) / float(den)
    if unit == "text":
        return str(value)
    return value


def checked_state(checked: bool | None, settled: bool) -> str:
    """A hand-checked criterion: pending until recorded; true is met; false is off track until settled."""
    if checked is None:
        return "pending"
    if checked:
        return "met"
    return "missed" if settled else "off_track"


def measured_state(crit: Criterion, metric: Metric, value: Any, reference: Any, settled: bool) -> str:
    """A measured criterion: the target's verdict once settled, on or off track before."""
    verdict = judge(parse_target(crit.target or "", metric.unit), value, reference, metric.better)
    if verdict == "pending" or settled:
        return verdict
    return "on_track" if verdict in ("met", "exceeded") else "off_track"
