"""final-metrics.json: the machine-readable state of one phase, in FORMAT.md's shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from phasedocs.forecast import PLACES
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


def _plan(p: PhaseFacts, tz: ZoneInfo) -> dict[str, Any]:
    plan = p.plan
    if plan is None or not plan.frozen:
        return {"frozen": False, "finish": iso(p.schedule.finish, tz), "replans": 0, "versions": []}
    return {
        "frozen": True,
        "finish": iso(plan.finish, tz),
        "replans": len(plan.replans),
        "changed_since": plan.changed,
        "added": list(plan.added),
        "removed": list(plan.removed),
        "versions": [
            {"frozen_at": iso(v.frozen_at, tz), "reason": v.reason, "finish": iso(v.finish, tz)} for v in plan.versions
        ],
    }


def _forecast(p: PhaseFacts, tz: ZoneInfo) -> dict[str, Any] | None:
    f = p.forecast
    if f is None:
        return None
    return {
        "p50": iso(f.p50, tz),
        "p85": iso(f.p85, tz),
        "p95": iso(f.p95, tz),
        "runs": f.runs,
        "seed": f.seed,
        "spread": f.spread,
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
            "critical_chains": [list(c) for c in s.critical_chains],
            "actual_start": _when(p.actual_start, tz),
            "actual_finish": _when(p.actual_finish, tz),
            "variance_days": num(p.variance_days, 2),
            "plan": _plan(p, tz),
            "forecast": _forecast(p, tz),
            "gauge": {"state": p.gauge.state, "days": num(p.gauge.days, 2), "task": p.gauge.task},
            "stale_days": num(p.stale_days, 2),
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
                "planned_start": iso(t.plan_start or t.start_at, tz),
                "planned_finish": iso(t.plan_finish or t.finish_at, tz),
                "current_start": iso(t.start_at, tz),
                "current_finish": iso(t.finish_at, tz),
                "in_plan": t.in_plan,
                "actual_start": _when(t.actual_start, tz),
                "actual_finish": _when(t.actual_finish, tz),
                "variance_days": num(t.variance_days, 2),
                "late": t.late,
                "gauge": t.gauge,
                "gauge_days": num(t.gauge_days, 2),
                "stale": t.stale,
                "criticality": num(t.criticality, PLACES),  # as the forecast rounds it
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
        "collisions": _collisions(p, tz),
        "verify": _verify(p, tz),
    }


def _collisions(p: PhaseFacts, tz: ZoneInfo) -> list[dict[str, Any]]:
    """Every collision, by file: declared (``files`` of tasks that may run at once), then from git
    (changed by tasks while both running) and undeclared (changed outside the declared files)."""
    out: list[dict[str, Any]] = [
        {"file": c.file, "source": "declared", "tasks": list(c.tasks), "paths": list(c.paths)} for c in p.collisions
    ]
    ev = p.evidence
    if ev is None:
        return out
    for source, groups in (("git", ev.collisions), ("undeclared", ev.undeclared)):
        out += [
            {
                "file": g.file,
                "source": source,
                "tasks": [x.task for x in g.touches],
                "changes": [{"task": x.task, "commit": x.commit, "at": iso(x.at, tz)} for x in g.touches],
            }
            for g in groups
        ]
    return out


def _verify(p: PhaseFacts, tz: ZoneInfo) -> list[dict[str, Any]]:
    """The recorded states the git history disagrees with (empty before any sync)."""
    if p.evidence is None:
        return []
    return [
        {"task": v.task, "kind": v.kind, "detail": v.detail, "commits": list(v.commits), "since": _when(v.since, tz)}
        for v in p.evidence.verify
    ]
