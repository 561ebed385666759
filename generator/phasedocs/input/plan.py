"""phases/phase-NN/plan.json: the frozen plan, and every re-plan with its reason.

``phasedocs freeze`` writes it (:mod:`phasedocs.commands.freeze`); this module reads and
checks it like any other input. Documents compare actuals and the forecast against the
newest plan in it, and list the earlier ones with their reasons: what was promised, and
what moved since.
"""

from __future__ import annotations

from typing import Annotated

from phasedocs.errors import InputError
from phasedocs.input.loader import Document
from phasedocs.input.models import MAX_NOTE, MAX_TASK_DAYS, AwareDatetime, TaskId
from phasedocs.input.records import MaxLen, MinLen, Model, Range

#: The file's name in a phase folder.
PLAN_FILE = "plan.json"
#: The most days a plan may span: a phase may last no longer (``project.MAX_PHASE_DAYS``), and
#: a bound keeps date arithmetic in range (``finish_days: 1e15`` once overflowed it).
MAX_PLAN_DAYS = 3650
#: How far apart days written by ``freeze`` (rounded to six places) may be and still agree.
_SLACK = 1e-5
_RESTORE = "plan.json is written by phasedocs freeze; restore it from version control"


class PlannedTask(Model):
    """One task as the plan had it."""

    duration_days: Annotated[float, Range(ge=0, le=MAX_TASK_DAYS)]
    """Its planned duration, in days of the project calendar (0 for a milestone)."""
    start_days: Annotated[float, Range(ge=0, le=MAX_PLAN_DAYS)]
    """Planned start, in days from the phase start."""
    finish_days: Annotated[float, Range(ge=0, le=MAX_PLAN_DAYS)]
    """Planned finish, in days from the phase start."""
    start: AwareDatetime
    """Planned start (ISO 8601 with zone)."""
    finish: AwareDatetime
    """Planned finish (ISO 8601 with zone)."""


class PlannedCriterion(Model):
    """A measured criterion's target as the plan had it."""

    scope: Annotated[str, MinLen(1)]
    """A task id, ``group:ID`` or ``phase``."""
    metric: Annotated[str, MinLen(1)]
    """The catalogue key of its metric."""
    text: str
    """The criterion as people said it then."""
    target: Annotated[str, MinLen(1)]
    """Its target then, e.g. '>= 80'."""


class PlanVersion(Model):
    """One frozen plan: the schedule as it stood when it was frozen."""

    frozen_at: AwareDatetime
    """When it was frozen (ISO 8601 with zone)."""
    reason: Annotated[str, MinLen(1), MaxLen(MAX_NOTE)] | None = None
    """Why the phase was re-planned; none for the first plan."""
    phase_digest: str
    """The digest of phase.yaml as it was frozen: documents say when it changed since."""
    start: AwareDatetime
    """The phase's planned start."""
    finish: AwareDatetime
    """The phase's planned finish."""
    total_days: Annotated[float, Range(gt=0, le=MAX_PLAN_DAYS)]
    """The planned duration of the phase, in days."""
    tasks: dict[TaskId, PlannedTask]
    """Task id -> its planned schedule."""
    criteria: tuple[PlannedCriterion, ...] | None = None
    """Every measured criterion's target as planned (plans frozen before targets were recorded hold none)."""


class PlanFile(Model):
    """plan.json: every plan of the phase, oldest first; the last is the one in force."""

    plans: Annotated[tuple[PlanVersion, ...], MinLen(1)]
    """The plans, oldest first."""

    @property
    def current(self) -> PlanVersion:
        """The plan in force: the newest."""
        return self.plans[-1]


def plan_errors(doc: Document, plan: PlanFile) -> list[InputError]:
    """Rules across the plans: in the order they were frozen, and every re-plan with its reason."""
    errors = []
    for i, version in enumerate(plan.plans):
        if i and version.reason is None:
            errors.append(
                doc.error(("plans", i), "a re-plan needs its reason; record it with phasedocs freeze --replan --reason")
            )
        if i and version.frozen_at < plan.plans[i - 1].frozen_at:
            errors.append(
                doc.error(
                    ("plans", i, "frozen_at"),
                    f"is before the plan it replaces ({plan.plans[i - 1].frozen_at.isoformat()}); plans are kept oldest first",
                )
            )
        if version.finish < version.start:
            errors.append(doc.error(("plans", i, "finish"), "is before the plan's start"))
        for tid, t in version.tasks.items():
            errors += _task_errors(doc, ("plans", i, "tasks", tid), version, t, replan=i > 0)
    return errors


def _task_errors(
    doc: Document, at: tuple[str | int, ...], version: PlanVersion, t: PlannedTask, replan: bool = False
) -> list[InputError]:
    """One planned task against itself and its plan: the days add up, the times are in order.

    A re-plan keeps done work at its actual dates, so there a task's days need not add up
    to its planned duration (its finish still may not come before its start).
    """
    errors = []
    if not replan and abs(t.start_days + t.duration_days - t.finish_days) > _SLACK:
        errors.append(
            doc.error(
                (*at, "finish_days"),
                f"is {t.finish_days:g}, but start_days {t.start_days:g} + duration_days {t.duration_days:g} "
                f"is {t.start_days + t.duration_days:g}; {_RESTORE}",
            )
        )
    if t.finish_days > version.total_days + _SLACK:
        errors.append(
            doc.error((*at, "finish_days"), f"is after the plan's total_days ({version.total_days:g}); {_RESTORE}")
        )
    if t.finish < t.start:
        errors.append(doc.error((*at, "finish"), f"is before the task's start ({t.start.isoformat()}); {_RESTORE}"))
    elif not replan and (t.start < version.start or t.finish > version.finish):
        errors.append(
            doc.error(
                (*at, "start" if t.start < version.start else "finish"),
                f"lies outside the plan ({version.start.isoformat()} to {version.finish.isoformat()}); {_RESTORE}",
            )
        )
    return errors


def plan_task_errors(doc: Document, plan: PlanFile, task_ids: list[str], yaml_digest: str) -> list[InputError]:
    """A plan frozen from phase.yaml as it is now (the same digest) must hold exactly its tasks:
    an unknown or a missing task there is a damaged or forged plan. (When phase.yaml changed
    since, tasks added or removed are what the documents report.)"""
    errors = []
    for i, version in enumerate(plan.plans):
        if version.phase_digest != yaml_digest:
            continue
        unknown = [tid for tid in version.tasks if tid not in set(task_ids)]
        missing = [tid for tid in task_ids if tid not in version.tasks]
        if unknown or missing:
            said = [f"unknown task(s) {', '.join(unknown)}"] * bool(unknown)
            said += [f"no entry for task(s) {', '.join(missing)}"] * bool(missing)
            errors.append(
                doc.error(
                    ("plans", i, "tasks"),
                    f"{' and '.join(said)}, though it was frozen from phase.yaml as it is now (phase_digest); {_RESTORE}",
                )
            )
    return errors
