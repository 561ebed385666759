"""final-metrics.json: the machine-readable state of one phase, in FORMAT.md's shape."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from .facts import CriterionFacts, PhaseFacts


def iso(dt: datetime, tz: ZoneInfo) -> str:
    """ISO 8601 in the project's zone, 'Z' for UTC."""
    text = dt.astimezone(tz).isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def num(x: float | int | None, places: int = 6) -> float | int | None:
    """A number for JSON: rounded, and whole numbers without '.0' (0, not 0.0)."""
    if x is None or isinstance(x, bool):
        return x
    r = round(float(x), places)
    return int(r) if r == int(r) and abs(r) < 2**53 else r


def _value(v: Any, places: int = 4) -> Any:
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return num(v, places)
    return v


def _criterion(c: CriterionFacts) -> dict[str, Any]:
    return {
        "scope": c.scope,
        "text": c.criterion.text,
        "metric": c.criterion.metric,
        "target": c.criterion.target,
        "baseline": _value(c.baseline),
        "value": _value(c.value),
        "change_pct": num(c.change_pct, 2),
        "state": c.state,
        "id": c.criterion.id,
    }


def final_metrics(p: PhaseFacts, tz: ZoneInfo) -> dict[str, Any]:
    """The final-metrics document of phase ``p`` as ordered data."""
    s = p.schedule
    return {
        "phase": p.number,
        "title": p.phase.title,
        "state": p.state,
        "updated": iso(p.updated, tz),
        "progress": {"tasks_complete": p.tasks_complete, "tasks_total": len(p.tasks), "percent": num(p.percent, 1)},
        "schedule": {
            "start": iso(s.start, tz),
            "total_days": num(s.total_days),
            "finish": iso(s.finish, tz),
            "forecast_finish": iso(s.forecast_finish, tz),
            "critical_path": list(s.critical_path),
        },
        "tasks": [
            {
                "id": t.id,
                "state": t.state,
                "earliest_start_days": num(t.earliest_start),
                "earliest_finish_days": num(t.earliest_finish),
                "slack_days": num(t.slack),
                "critical": t.critical,
            }
            for t in p.tasks
        ],
        "criteria": [_criterion(c) for c in p.criteria],
        "metrics": {
            m.key: {"baseline": _value(m.baseline), "current": _value(m.current), "change_pct": num(m.change_pct, 2)}
            for m in p.metrics
        },
        "collisions": [{"tasks": list(c.tasks), "files": list(c.files)} for c in p.collisions],
    }


def dumps(data: Any) -> bytes:
    """Stable JSON bytes: keys in the given order, two-space indent, final newline."""
    return (json.dumps(data, indent=2, ensure_ascii=False, allow_nan=False) + "\n").encode("utf-8")
