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
from phasedocs.input.models import MAX_NOTE, AwareDatetime, TaskId
from phasedocs.input.records import MaxLen, MinLen, Model, Range

#: The file's name in a phase folder.
PLAN_FILE = "plan.json"


class PlannedTask(Model):
    """One task as the plan had it."""

    duration_days: Annotated[float, Range(gt=0)]
    """Its planned duration, in days of the project calendar."""
    start_days: Annotated[float, Range(ge=0)]
    """Planned start, in days from the phase start."""
    finish_days: Annotated[float, Range(gt=0)]
    """Planned finish, in days from the phase start."""
    start: AwareDatetime
    """Planned start (ISO 8601 with zone)."""
    finish: AwareDatetime
    """Planned finish (ISO 8601 with zone)."""


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
    total_days: Annotated[float, Range(gt=0)]
    """The planned duration of the phase, in days."""
    tasks: dict[TaskId, PlannedTask]
    """Task id -> its planned schedule."""


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
    return errors
