"""The plan in force against reality: the gauge of a finish, the frozen plans and what changed since."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from phasedocs.facts.model import Gauge, PlanFacts, PlanVersionFacts, TaskFacts

if TYPE_CHECKING:
    from phasedocs.input.project import PhaseInput

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


def plan_facts(source: PhaseInput, start: datetime, finish: datetime) -> PlanFacts:
    """The plan in force, the re-plans, and what changed in phase.yaml since."""
    if source.plan is None:
        return PlanFacts(False, start, finish)
    versions = tuple(PlanVersionFacts(v.frozen_at, v.reason, v.finish, v.total_days) for v in source.plan.plans)
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
    )
