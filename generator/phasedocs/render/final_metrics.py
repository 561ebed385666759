"""final-metrics.json: the machine-readable state of one phase, in FORMAT.md's shape."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from phasedocs.forecast import PLACES
from phasedocs.formats import iso, num

if TYPE_CHECKING:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from phasedocs.facts import CriterionFacts, GroupFacts, PhaseFacts, TaskFacts


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


def _with_agents(p: PhaseFacts, out: dict[str, Any]) -> dict[str, Any]:
    """With agents: each agent's load, and each task's assignees and agent waits (keys that a
    phase without agents does not have, so its file is as before)."""
    if not p.agents:
        return out
    for row, t in zip(out["tasks"], p.tasks, strict=True):
        row["assignees"] = list(t.assignees)
        row["waits_for_agent"] = list(t.waits_for_agent)
        row["waits_behind"] = list(t.waits_behind)
    out["agents"] = [
        {
            "id": a.id,
            "role": a.agent.role,
            "name": a.agent.name,
            "capacity": a.agent.capacity,
            "tasks": list(a.tasks),
            "planned_days": num(a.planned_days),
            "done_days": num(a.done_days),
            "done": list(a.done),
            "running": list(a.working),
            "blocked": list(a.blocked),
            "queued": list(a.queued),
        }
        for a in p.agents
    ]
    return out


def _task_extras(t: TaskFacts, tz: ZoneInfo) -> dict[str, Any]:
    """Version 3 facts of a task, only where they hold something (a phase without them keeps its shape)."""
    out: dict[str, Any] = {}
    if t.task.group is not None:
        out["group"] = t.task.group
    if t.task.added is not None:
        out["added"] = iso(t.task.added, tz)
    if t.waived:
        out["waived"] = {"tasks": list(t.waived), "note": t.waived_note, "at": _when(t.waived_at, tz)}
    if t.metrics:  # its own latest values (cost, tokens), as a snapshot's task entry holds them
        out["metrics"] = {o.key: _value(o.value, 6) for o in t.metrics}
    return out


def _group(g: GroupFacts, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": g.id,
        "title": g.group.title,
        "lead": g.group.lead,
        "tasks": list(g.tasks),
        "state": g.state,
        "progress": {"tasks_complete": g.tasks_complete, "tasks_total": len(g.tasks), "percent": num(g.percent, 1)},
        "planned_start": iso(g.plan_start, tz),
        "planned_finish": iso(g.plan_finish, tz),
        "actual_start": _when(g.actual_start, tz),
        "actual_finish": _when(g.actual_finish, tz),
        "forecast_finish": _when(g.forecast_finish, tz),
        "gauge": g.gauge,
        "gauge_days": num(g.gauge_days, 2),
        "gate": g.gate,
    }


def _target_changes(p: PhaseFacts) -> list[dict[str, Any]]:
    plan = p.plan
    return [
        {
            "scope": h.scope,
            "metric": h.metric,
            "text": h.text,
            "first_plan": h.first_plan,
            "first": h.first,
            "now": h.now,
            "changes": [{"plan": c.plan or None, "target": c.target, "reason": c.reason} for c in h.changes],
        }
        for h in (plan.target_changes if plan is not None else ())
    ]


def _milestones(p: PhaseFacts, tz: ZoneInfo) -> dict[str, Any]:
    """``milestones`` for a phase that has some (none: the key is absent, the file as before)."""
    if not p.milestones:
        return {}
    return {
        "milestones": [
            {
                "id": ms.id,
                "state": ms.state,
                "planned": iso(ms.planned, tz),
                "finish": iso(ms.finish, tz),
                "reached": ms.state == "complete",
                "gate": ms.gate,
                "due": _when(ms.due, tz),
                "meets_due": ms.meets_due,
                "due_by": "point forecast" if ms.state != "complete" else "actual",
            }
            for ms in p.milestones
        ]
    }


def final_metrics(p: PhaseFacts, tz: ZoneInfo) -> dict[str, Any]:
    """The final-metrics document of phase ``p`` as ordered data (``agents``, ``groups`` and
    ``target_changes`` only for a phase that has them)."""
    out = _with_agents(p, _final_metrics(p, tz))
    if p.groups:
        out["groups"] = [_group(g, tz) for g in p.groups]
    changes = _target_changes(p)
    if changes:
        out["target_changes"] = changes
    return out


def _final_metrics(p: PhaseFacts, tz: ZoneInfo) -> dict[str, Any]:
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
            "gauge": {
                "state": p.gauge.state,
                "days": num(p.gauge.days, 2),
                "task": p.gauge.task,
                "phase_days": num(p.gauge.phase_days, 2),
            },
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
                **_task_extras(t, tz),
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
        **_milestones(p, tz),
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
