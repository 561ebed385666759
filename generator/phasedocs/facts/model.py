"""The computed facts as frozen dataclasses: what the documents, charts and final-metrics.json read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from phasedocs.dates import Calendar
from phasedocs.gate import Finding
from phasedocs.input.models import Criterion, Metric, Phase, ProjectConfig, Task

if TYPE_CHECKING:  # annotations only: the project loader brings the protocol checker (Jinja)
    from phasedocs.input.project import PhaseInput
    from phasedocs.input.protocol import PhaseProtocol, RenderedProtocol

#: States whose plain words differ from their names: "not met yet" is not "missed".
STATE_WORDS = {"on_track": "on track so far", "off_track": "not met yet"}


def in_words(state: str) -> str:
    """A task, phase or criterion state as documents, charts and alt text say it: ``not met yet``."""
    return STATE_WORDS.get(state, state.replace("_", " "))


# --------------------------------------------------------------------------- results
@dataclass(frozen=True)
class TaskFacts:
    """The computed facts of one task."""

    task: Task
    state: str
    """ready, waiting, in_progress, complete or blocked."""
    earliest_start: float
    earliest_finish: float
    latest_start: float
    latest_finish: float
    slack: float
    critical: bool
    waiting_for: tuple[str, ...]
    """Dependencies not complete yet."""
    dependents: tuple[str, ...]
    """Tasks that depend on this one."""
    start_at: datetime
    """Planned start (from phase.yaml's schedule)."""
    finish_at: datetime
    """Planned finish."""
    criteria: tuple[CriterionFacts, ...]
    progress_percent: float
    """From state and time, never from criteria: 0 until started, the share of the planned
    duration worked while running (at most 99), 100 when complete."""
    note: str | None = None
    """The reason recorded with the task's current state (what blocks it), if any."""
    last_note: str | None = None
    """The latest note recorded on the task in any state: the human context shown beside it."""
    last_note_at: datetime | None = None
    """When ``last_note`` was recorded: its snapshot's time."""
    since: datetime | None = None
    """When the current state began (the entry's ``at``, else its snapshot's time); None if never recorded."""
    actual_start: datetime | None = None
    """When work began: the first time it was recorded in progress (or complete)."""
    actual_finish: datetime | None = None
    """When it was first recorded complete."""
    actual_days: float | None = None
    """Actual start to actual finish, on the project's calendar."""
    worked_days: float = 0.0
    """Time spent in progress so far (blocked spells do not count)."""
    variance_days: float | None = None
    """Actual finish minus planned finish, in days (positive: late); None until complete."""
    late: bool = False
    """True for a task running (in progress or blocked) past its planned finish."""
    overdue_days: float = 0.0
    """How far past its planned finish a running task is, at the latest snapshot."""
    forecast_finish: datetime | None = None
    """When it is expected to finish (see :func:`~phasedocs.facts.progress.forecast_times`); None once complete."""
    protocol: RenderedProtocol | None = None
    """The task's protocol commands: rendered with the documents (render stage), None here."""
    plan_start: datetime | None = None
    """Planned start in the plan in force (the frozen plan, else phase.yaml's schedule)."""
    plan_finish: datetime | None = None
    """Planned finish in the plan in force; what ``late``, variance and the gauge are measured against."""
    in_plan: bool = True
    """False for a task added to phase.yaml after the plan was frozen (judged against phase.yaml)."""
    gauge: str = "on_schedule"
    """on_schedule, behind or ahead: the actual (complete) or forecast finish against the plan."""
    gauge_days: float = 0.0
    """How far the actual or forecast finish is from the plan's, in days (positive: behind)."""
    stale: bool = False
    """True for a task in progress past its planned finish plus its slack: it now delays the phase."""
    criticality: float = 0.0
    """The share of forecast runs in which it is on a critical path (0 once complete)."""
    days: TaskDays | None = None
    """Its planned, actual and forecast times as days from the phase start, for the charts."""

    @property
    def id(self) -> str:
        """The task id."""
        return self.task.id


@dataclass(frozen=True)
class TaskDays:
    """A task's times as days from the phase start (on the project calendar)."""

    plan_start: float
    """Start in the plan in force."""
    plan_finish: float
    """Finish in the plan in force."""
    actual_start: float | None
    """When work began, if it has."""
    actual_finish: float | None
    """When it was complete, if it is."""
    forecast_start: float | None
    """When its remaining work is forecast to start (now, for work under way), unless complete."""
    forecast_finish: float | None
    """When it is forecast to finish, unless complete."""


@dataclass(frozen=True)
class PlanVersionFacts:
    """One frozen plan of a phase."""

    frozen_at: datetime
    reason: str | None
    finish: datetime
    total_days: float


@dataclass(frozen=True)
class PlanFacts:
    """The plan that actuals and the forecast are judged against."""

    frozen: bool
    """False when no plan is frozen: phase.yaml's schedule stands in for it."""
    start: datetime
    finish: datetime
    """The phase's planned finish in the plan in force."""
    versions: tuple[PlanVersionFacts, ...] = ()
    """Every frozen plan, oldest first (empty when none is frozen)."""
    changed: bool = False
    """True when phase.yaml changed after the plan in force was frozen."""
    added: tuple[str, ...] = ()
    """Tasks of phase.yaml the plan in force does not hold."""
    removed: tuple[str, ...] = ()
    """Tasks the plan in force holds that phase.yaml no longer does."""

    @property
    def replans(self) -> tuple[PlanVersionFacts, ...]:
        """The re-plans, with their reasons (every plan after the first)."""
        return self.versions[1:]

    @property
    def first(self) -> PlanVersionFacts | None:
        """The original promise, if a plan was frozen."""
        return self.versions[0] if self.versions else None


@dataclass(frozen=True)
class Gauge:
    """Where the phase stands against its plan: its worst task."""

    state: str
    """on_schedule, behind or ahead."""
    days: float
    """The worst task's gauge days (positive: behind)."""
    task: str | None
    """The worst task's id."""


@dataclass(frozen=True)
class ForecastFacts:
    """The Monte Carlo forecast of a phase's completion."""

    p50: datetime
    p85: datetime
    p95: datetime
    p50_days: float
    p85_days: float
    p95_days: float
    runs: int
    seed: int
    spread: str
    """estimates, history, estimates and history, or none (then p50 = p85 = p95)."""
    history: int = 0
    """How many finished tasks' actual/planned ratios the history holds."""


@dataclass(frozen=True)
class CriterionFacts:
    """One criterion with its computed state."""

    scope: str
    """A task id, or 'phase'."""
    criterion: Criterion
    state: str
    """pending (no value yet); on_track or off_track while its work goes on; met, exceeded
    or missed once settled."""
    metric: Metric | None = None
    baseline: float | str | None = None
    value: float | str | bool | None = None
    change_pct: float | None = None
    settled: bool = False
    """True when its task (or, for phase criteria, the phase) is complete: the state is final."""

    baseline_is_first: bool = False
    """True when the baseline snapshot had no value: the change is measured from the first value."""

    @property
    def passed(self) -> bool:
        """True when the criterion is met or exceeded: a settled fact."""
        return self.state in ("met", "exceeded")

    @property
    def measured(self) -> bool:
        """True for metric + target criteria; False for hand-checked ones."""
        return self.criterion.metric is not None


@dataclass(frozen=True)
class MetricFacts:
    """One catalogued metric across a phase's snapshots."""

    key: str
    metric: Metric
    baseline: float | str | None
    current: float | str | None
    change_pct: float | None
    series: tuple[tuple[datetime, float | str], ...]
    """(timestamp, value) of every non-null value, in time order."""
    baseline_is_first: bool
    """True when the baseline snapshot has no value for it: ``baseline`` is then None and
    changes are measured from its first value."""
    trend: str | None
    """up, down or flat: the last value against the one before; None with fewer than two."""
    improving: bool | None
    """Whether the trend goes the metric's better way (None when it has no direction)."""


@dataclass(frozen=True)
class Collision:
    """Two tasks that can run at the same time and touch the same paths."""

    tasks: tuple[str, str]
    files: tuple[str, ...]


@dataclass(frozen=True)
class Schedule:
    """The critical-path schedule of a phase."""

    start: datetime
    total_days: float
    finish: datetime
    forecast_finish: datetime
    forecast_days: float
    critical_path: tuple[str, ...]
    """Every zero-slack task in dependency order: a set, not a sequence (see ``critical_chains``)."""
    uses_progress: bool
    """True when the forecast comes from recorded progress, not the plan."""
    critical_chains: tuple[tuple[str, ...], ...] = ()
    """Each chain of critical tasks from a start to the finish; parallel chains are separate."""


@dataclass(frozen=True)
class Day:
    """One calendar day of the planned schedule."""

    number: int
    date: datetime
    starting: tuple[str, ...]
    running: tuple[str, ...]
    finishing: tuple[str, ...]


@dataclass(frozen=True)
class SnapshotInfo:
    """The facts of one snapshot needed by documents and charts."""

    file: str
    timestamp: datetime
    label: str
    kind: str
    note: str | None = None
    """The snapshot's note."""
    named: bool = False
    """The snapshot has a label of its own (else ``label`` is its time)."""
    changes: tuple[Change, ...] = ()
    """What it recorded against the snapshots before it (:func:`phasedocs.facts.changes.snapshot_changes`)."""


@dataclass(frozen=True)
class PhaseFacts:
    """Everything computed about one phase."""

    source: PhaseInput
    phase: Phase
    folder: str
    state: str
    """planned, active, blocked or complete."""
    updated: datetime
    tasks: tuple[TaskFacts, ...]
    tasks_complete: int
    percent: float
    schedule: Schedule
    days: tuple[Day, ...]
    criteria: tuple[CriterionFacts, ...]
    """Every criterion: tasks' in task order, then the phase's."""
    metrics: tuple[MetricFacts, ...]
    collisions: tuple[Collision, ...]
    snapshots: tuple[SnapshotInfo, ...]
    now: datetime | None = None
    """The latest snapshot's time: "now" for every fact of work in progress (no wall clock)."""
    actual_start: datetime | None = None
    """When the first task started."""
    actual_finish: datetime | None = None
    """When the last task was complete (only for a complete phase)."""
    variance_days: float | None = None
    """Actual finish minus planned finish, in days (positive: late); None until complete."""
    changes: tuple[Change, ...] = ()
    """What the latest snapshot changed against the one before."""
    note: str | None = None
    """The latest snapshot's note."""
    health: str | None = None
    """The latest recorded health call (on_track, at_risk, off_track), if any."""
    health_at: datetime | None = None
    """When ``health`` was recorded: its snapshot's time."""
    sequence: tuple[str, ...] = ()
    """Warnings about phase order: started while the phase it follows was not complete."""
    protocol: PhaseProtocol | None = None
    """The phase's protocol commands: rendered with the documents (render stage), None here."""
    plan: PlanFacts | None = None
    """The plan in force and the re-plans (see :class:`PlanFacts`)."""
    gauge: Gauge = Gauge("on_schedule", 0.0, None)
    """Its worst task against the plan."""
    forecast: ForecastFacts | None = None
    """The Monte Carlo forecast (set by :func:`compute`, which knows every phase's history)."""
    stale_days: float | None = None
    """For a phase under way: days without a snapshot, up to the project's newest one, when over the limit."""
    now_days: float | None = None
    """The latest snapshot's time in days from the phase start."""
    gate: tuple[Finding, ...] = ()
    """What ``phasedocs check`` finds (:mod:`phasedocs.gate`), computed once by :func:`compute`:
    the documents, status.json and the badge read this verdict, as check does."""

    @property
    def gate_failures(self) -> tuple[Finding, ...]:
        """The findings that fail ``phasedocs check`` (without --strict)."""
        return tuple(f for f in self.gate if f.fails)

    @property
    def number(self) -> int:
        """The phase number."""
        return self.phase.number

    @property
    def planned_finish(self) -> datetime:
        """The planned finish in the plan in force (the frozen plan, else phase.yaml's schedule)."""
        return self.plan.finish if self.plan is not None else self.schedule.finish

    @property
    def latest(self) -> SnapshotInfo | None:
        """The newest snapshot, if any."""
        return self.snapshots[-1] if self.snapshots else None

    def task(self, task_id: str) -> TaskFacts:
        """The facts of task ``task_id``."""
        return next(t for t in self.tasks if t.id == task_id)

    @property
    def phase_criteria(self) -> tuple[CriterionFacts, ...]:
        """The phase-level criteria."""
        return tuple(c for c in self.criteria if c.scope == "phase")


@dataclass(frozen=True)
class ProjectFacts:
    """Everything computed about a project."""

    config: ProjectConfig
    """project.yaml."""
    phases: tuple[PhaseFacts, ...]
    """Every phase, by number."""
    tz: ZoneInfo
    """The project's time zone: every date shown is in it."""
    docs_prefix: str
    """The output folder as protocol commands name task files ('docs/'); used when they are rendered."""
    calendar: Calendar
    """The project's working calendar: every date of the facts is computed on it (charts too)."""


@dataclass(frozen=True)
class Change:
    """One thing a snapshot changed against the ones before it."""

    kind: str
    """task, metric, criterion, check (a hand check recorded), health (a recorded health call) or
    note (a task's note in the same state, or, with an empty subject, the snapshot's own note)."""
    subject: str
    """The task id, the metric key, the criterion's scope and text; ``phase`` for health;
    empty for the snapshot's note."""
    before: Any
    """The state or value before (None: none recorded)."""
    after: Any
    """The state or value now."""
    unit: str = "count"
    """A metric's unit, for showing its values."""
    note: str | None = None
    """The reason recorded with a task's new state."""
