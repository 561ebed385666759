"""final-metrics.json: the machine-readable state of one phase, in FORMAT.md's shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from phasedocs.formats import iso, num

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from phasedocs.facts import CriterionFacts, PhaseFacts


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
        "settled": c.settled,
    }


def _when(dt: datetime | None, tz: ZoneInfo) -> str | None:
    return iso(dt, tz) if dt is not None else None


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
            "critical_chains": [list(c) for c in s.critical_chains],
            "actual_start": _when(p.actual_start, tz),
            "actual_finish": _when(p.actual_finish, tz),
            "variance_days": num(p.variance_days, 2),
        },
        "tasks": [
            {
                "id": t.id,
                "state": t.state,
                "earliest_start_days": num(t.earliest_start),
                "earliest_finish_days": num(t.earliest_finish),
                "slack_days": num(t.slack),
                "critical": t.critical,
                "progress_percent": num(t.progress_percent, 1),
                "planned_start": iso(t.start_at, tz),
                "planned_finish": iso(t.finish_at, tz),
                "actual_start": _when(t.actual_start, tz),
                "actual_finish": _when(t.actual_finish, tz),
                "variance_days": num(t.variance_days, 2),
                "late": t.late,
                "note": t.note,
            }
            for t in p.tasks
        ],
        "criteria": [_criterion(c) for c in p.criteria],
        "metrics": {
            m.key: {
                "baseline": _value(m.baseline),
                "current": _value(m.current),
                "change_pct": num(m.change_pct, 2),
                "change_from": "first value" if m.baseline_is_first else "baseline",
            }
            for m in p.metrics
        },
        "collisions": [{"tasks": list(c.tasks), "files": list(c.files)} for c in p.collisions],
    }
