"""Groups of tasks inside a phase, and work recorded out of order (waivers).

A group's span is its tasks' (planned, actual, forecast), its progress their states, and its
criteria are its gate, settled when every task of the group is complete. A waiver is what a
snapshot says when a task went ahead of some of its dependencies (with a note): those
dependencies no longer hold the task back, though they stay open on their own.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from phasedocs.dates import Calendar, r6
from phasedocs.facts.model import CriterionFacts, GroupFacts, TaskFacts
from phasedocs.facts.plans import gauge_of
from phasedocs.input.models import Criterion, Group, Phase

if TYPE_CHECKING:
    from phasedocs.input.project import PhaseInput


@dataclass(frozen=True)
class Waiver:
    """The dependencies a task went ahead of, with the reason recorded."""

    deps: tuple[str, ...]
    """Every dependency any of its entries waived, in the order first waived."""
    note: str | None
    """The note of the latest entry that waived one."""
    at: datetime
    """That entry's snapshot time."""


def waivers(source: PhaseInput) -> dict[str, Waiver]:
    """Each task's waiver, from every snapshot entry that names ``waived`` dependencies."""
    out: dict[str, Waiver] = {}
    for s in source.snapshots:
        for tid, entry in s.snapshot.tasks.items():
            if not entry.waived:
                continue
            before = out[tid].deps if tid in out else ()
            out[tid] = Waiver(tuple(dict.fromkeys([*before, *entry.waived])), entry.note, s.snapshot.timestamp)
    return out


def members(phase: Phase, group: Group) -> tuple[str, ...]:
    """The ids of ``group``'s tasks, in task order."""
    return tuple(t.id for t in phase.tasks if t.group == group.id)


def scope_tasks(phase: Phase, scope: str) -> list[str]:
    """The tasks whose completion settles a criterion of ``scope``: every task for ``phase``, a
    group's for ``group:ID``, else the task itself."""
    if scope == "phase":
        return [t.id for t in phase.tasks]
    if scope.startswith("group:"):
        return [t.id for t in phase.tasks if t.group == scope.removeprefix("group:")]
    return [scope]


def group_facts(
    group: Group,
    tasks: list[TaskFacts],
    criteria: tuple[CriterionFacts, ...],
    state_of: Callable[[list[str]], str],
    cal: Calendar,
    start: datetime,
) -> GroupFacts:
    """One group's facts from its tasks' (``tasks``, in task order) and its gate's ``criteria``."""
    state = state_of([t.state for t in tasks])
    done = sum(1 for t in tasks if t.state == "complete")
    days = [t.days for t in tasks if t.days is not None]
    plan_start_days = min(d.plan_start for d in days)
    plan_finish_days = max(d.plan_finish for d in days)
    finishes = [
        f for d in days if (f := d.actual_finish if d.actual_finish is not None else d.forecast_finish) is not None
    ]
    finish_days = r6(max(finishes, default=plan_finish_days))
    starts = [t.actual_start for t in tasks if t.actual_start is not None]
    complete = state == "complete"
    gauge_days = r6(finish_days - plan_finish_days)
    return GroupFacts(
        group=group,
        tasks=tuple(t.id for t in tasks),
        state=state,
        tasks_complete=done,
        percent=round(100.0 * done / len(tasks), 1),
        plan_start=min(t.plan_start or t.start_at for t in tasks),
        plan_finish=max(t.plan_finish or t.finish_at for t in tasks),
        plan_start_days=plan_start_days,
        plan_finish_days=plan_finish_days,
        actual_start=min(starts) if starts else None,
        actual_finish=max(t.actual_finish for t in tasks if t.actual_finish is not None) if complete else None,
        forecast_finish=None if complete else cal.finish_at(start, finish_days),
        finish_days=finish_days,
        gauge=gauge_of(gauge_days),
        gauge_days=gauge_days,
        criteria=criteria,
    )


def group_criteria(phase: Phase) -> list[tuple[Group, tuple[str, ...], tuple[Criterion, ...]]]:
    """Each group with its tasks and its gate's criteria, in the order of ``groups:``."""
    return [(g, members(phase, g), g.criteria) for g in phase.groups]
