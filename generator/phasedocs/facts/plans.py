"""The plan in force against reality: the gauge of a finish, the frozen plans and what changed since."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from phasedocs.facts.model import (
    Gauge,
    PlanFacts,
    PlannedSpan,
    PlanVersionFacts,
    TargetChange,
    TargetHistory,
    TaskFacts,
)

if TYPE_CHECKING:
    from phasedocs.input.models import Phase
    from phasedocs.input.plan import PlannedCriterion
    from phasedocs.input.project import PhaseInput

#: A measured criterion as plans compare it: (scope, metric, n-th of that scope and metric).
TargetKey = tuple[str, str, int]

#: How far a finish may be from the plan's and still be on schedule, in days (about a quarter of
#: an hour on a 24-hour day): finishes are whole seconds, offsets rounded to six places.
GAUGE_TOLERANCE = 0.01


def gauge_of(days: float) -> str:
    """on_schedule, behind or ahead, for a finish ``days`` after the plan's."""
    if days > GAUGE_TOLERANCE:
        return "behind"
    if days < -GAUGE_TOLERANCE:
        return "ahead"
    return "on_schedule"


def worst(tasks: list[TaskFacts], phase_days: float = 0.0) -> Gauge:
    """The phase's gauge: its worst task (the furthest behind; the least ahead if all are), and
    ``phase_days``, the phase's own finish against the plan's."""
    worst = max(tasks, key=lambda t: t.gauge_days)  # the first of equals, in task order
    return Gauge(worst.gauge, worst.gauge_days, worst.id, phase_days, gauge_of(phase_days))


def measured_targets(phase: Phase) -> list[tuple[str, str, str, str]]:
    """(scope, metric, text, target) of every measured criterion: tasks', groups', then the phase's."""
    scoped = [(t.id, c) for t in phase.tasks for c in t.criteria]
    scoped += [(f"group:{g.id}", c) for g in phase.groups for c in g.criteria]
    scoped += [("phase", c) for c in phase.success_criteria]
    return [(scope, c.metric, c.text, c.target) for scope, c in scoped if c.metric is not None and c.target is not None]


def keyed_targets(rows: list[tuple[str, str, str, str]]) -> dict[TargetKey, tuple[str, str]]:
    """Criteria by (scope, metric, n): the n-th criterion of a scope on a metric is the same one
    across plans, whatever its text now says. Values: (text, target)."""
    out: dict[TargetKey, tuple[str, str]] = {}
    seen: dict[tuple[str, str], int] = {}
    for scope, metric, text, target in rows:
        n = seen.get((scope, metric), 0)
        seen[(scope, metric)] = n + 1
        out[(scope, metric, n)] = (text, target)
    return out


def _planned(criteria: tuple[PlannedCriterion, ...]) -> dict[TargetKey, tuple[str, str]]:
    return keyed_targets([(c.scope, c.metric, c.text, c.target) for c in criteria])


def target_histories(source: PhaseInput) -> tuple[TargetHistory, ...]:
    """Each measured criterion's target from the first plan that recorded targets to phase.yaml
    now, with every change: by a re-plan (its number and reason), or by phase.yaml after the last
    plan (plan 0: not re-planned). Empty when no plan recorded targets (older plan.json files)."""
    if source.plan is None:
        return ()
    versions = [(i + 1, v) for i, v in enumerate(source.plan.plans) if v.criteria is not None]
    if not versions:
        return ()
    planned = [(no, v.reason, _planned(v.criteria or ())) for no, v in versions]
    now = keyed_targets(measured_targets(source.phase))
    keys = list(dict.fromkeys([k for _, _, crits in planned for k in crits] + list(now)))
    out = []
    for key in keys:
        first = planned[0][2].get(key)
        previous = first[1] if first else None
        changes = []
        for no, reason, crits in planned[1:]:
            target = crits[key][1] if key in crits else None
            if target != previous:
                changes.append(TargetChange(no, target, reason))
                previous = target
        current = now[key][1] if key in now else None
        if current != previous:
            changes.append(TargetChange(0, current, None))
        text = (now.get(key) or next(c[key] for _, _, c in reversed(planned) if key in c))[0]
        out.append(
            TargetHistory(key[0], key[1], text, first[1] if first else None, versions[0][0], current, tuple(changes))
        )
    return tuple(out)


def retargeted(before: dict[TargetKey, tuple[str, str]], after: dict[TargetKey, tuple[str, str]]) -> tuple[str, ...]:
    """Each target ``after`` changed against ``before``, in words: ``7.1 coverage >= 80 → >= 75``."""
    out = []
    for key in dict.fromkeys([*before, *after]):
        old, new = before.get(key), after.get(key)
        if (old and old[1]) != (new and new[1]):
            was = old[1] if old else "none"
            out.append(f"{key[0]} {key[1]} {was} → {new[1] if new else 'dropped'}")
    return tuple(out)


def plan_facts(source: PhaseInput, start: datetime, finish: datetime) -> PlanFacts:
    """The plan in force, the re-plans (what each dropped and retargeted), and what changed in phase.yaml since."""
    if source.plan is None:
        return PlanFacts(False, start, finish)
    plans = source.plan.plans
    versions = tuple(
        PlanVersionFacts(
            v.frozen_at,
            v.reason,
            v.finish,
            v.total_days,
            tuple(tid for tid in plans[i - 1].tasks if tid not in v.tasks) if i else (),
            retargeted(_planned(plans[i - 1].criteria or ()), _planned(v.criteria or ()))
            if i and plans[i - 1].criteria is not None and v.criteria is not None
            else (),
            sum(task.duration_days for task in v.tasks.values()),
        )
        for i, v in enumerate(plans)
    )
    current = source.plan.current
    ids = [t.id for t in source.phase.tasks]
    return PlanFacts(
        True,
        current.start,
        current.finish,
        versions,
        changed=current.phase_digest != source.yaml_digest,
        added=tuple(tid for tid in ids if tid not in current.tasks),
        removed=tuple(tid for tid in current.tasks if tid not in set(ids)),
        targets=target_histories(source),
        spans=tuple(PlannedSpan(tid, t.start_days, t.finish_days, t.duration_days) for tid, t in current.tasks.items()),
    )
