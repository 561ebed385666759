"""The computed facts as frozen dataclasses: what the documents, charts and final-metrics.json read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import cached_property
from typing import TYPE_CHECKING, Any, NamedTuple
from zoneinfo import ZoneInfo

from phasedocs.dates import Calendar
from phasedocs.input.models import Agent, Criterion, Group, Metric, Phase, ProjectConfig, Task
from phasedocs.units import DAYS, Span

if TYPE_CHECKING:  # annotations only: the protocol checker brings Jinja
    from phasedocs.input.protocol import PhaseProtocol, RenderedProtocol

#: States whose plain words differ from their names: "not met yet" is not "missed".
STATE_WORDS = {"on_track": "on track so far", "off_track": "not met yet"}


def in_words(state: str) -> str:
    """A task, phase or criterion state as documents, charts and alt text say it: ``not met yet``."""
    return STATE_WORDS.get(state, state.replace("_", " "))


# --------------------------------------------------------------------------- results
class OwnValue(NamedTuple):
    """A task's own latest value of a task-scoped metric (a snapshot's task ``metrics``)."""

    key: str
    metric: Metric
    value: float | str
    order: int = 0
    """The metric's place in the catalogue, so that tables list metrics as it does."""


@dataclass(frozen=True)
class Finding:
    """One thing ``check`` reports about a phase."""

    phase: int
    kind: str
    """missed (a settled criterion), unsettled (a criterion of a complete phase never measured or
    never checked), regressed (a metric past its threshold), off_track (not met yet) or
    implausible (a claim to verify: work complete before the start, or in under a tenth of its plan)
    or verify (a recorded state the git history disagrees with: see :mod:`phasedocs.facts.evidence`)."""
    subject: str
    """The criterion (scope: text) or the metric's label."""
    detail: str
    """What is wrong and by how much, in words."""
    since: datetime | None
    """Since when: the criterion settled, or the snapshot that measured the regression."""
    metric: str | None = None
    """The metric key, if any."""
    value: float | str | None = None
    """The current value."""
    reference: float | str | None = None
    """The target (as text) or the value regressed from."""

    @property
    def fails(self) -> bool:
        """True for what fails the run without --strict: a criterion missed or never settled, a regression."""
        return self.kind in FAILING

    @property
    def words(self) -> str:
        """The kind in words: ``never settled``, ``not met yet``."""
        return KIND_WORDS[self.kind]


#: The kinds that fail ``check`` without --strict; with it, every finding fails.
FAILING = ("missed", "unsettled", "regressed")
#: Each kind as check and the documents say it.
KIND_WORDS = {
    "missed": "missed",
    "unsettled": "never settled",
    "regressed": "regressed",
    "off_track": "not met yet",
    "implausible": "implausible",
    "verify": "to verify",
}


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
    """Tasks that depend on this one (whatever their state: see :meth:`PhaseFacts.waiting_on`)."""
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
    waived: tuple[str, ...] = ()
    """Dependencies it went ahead of, as a snapshot recorded (with ``waived_note``); they do not block it."""
    waived_note: str | None = None
    """Why it went ahead of them: the note recorded with the waiver."""
    waived_at: datetime | None = None
    """When the waiver was recorded: its snapshot's time."""
    assignees: tuple[str, ...] = ()
    """The ids of the agents that run it (empty without ``assignee``)."""
    waits_for_agent: tuple[str, ...] = ()
    """Agents whose other work holds it back in the schedule in force (the forecast once work
    is recorded): it starts later than its dependencies allow. Empty once it has started."""
    waits_behind: tuple[str, ...] = ()
    """The tasks of those agents whose finish frees the slot it starts in."""
    agent_links: tuple[str, ...] = ()
    """The tasks it follows on its agents in the schedule in force (each agent's order, which
    the Monte Carlo forecast keeps); empty once complete."""
    metrics: tuple[OwnValue, ...] = ()
    """Its own latest value of each task-scoped metric (cost, tokens), in catalogue order."""
    open_dependencies: tuple[str, ...] = ()
    """Its dependencies not complete and not waived, whatever its own state (``waiting_for``
    is the same for a task not started): a blocked task with any may not go on when unblocked."""

    @property
    def id(self) -> str:
        """The task id."""
        return self.task.id

    @property
    def start_recorded(self) -> bool:
        """Its start was recorded: False for a task first recorded complete, whose
        ``actual_start`` is then its finish (the latest it can have started); a milestone
        takes no time, so its start is its finish."""
        return self.actual_start is not None and (self.actual_start != self.actual_finish or self.task.milestone)


@dataclass(frozen=True)
class AgentFacts:
    """One agent of a phase and its load."""

    agent: Agent
    tasks: tuple[str, ...]
    """Its tasks in the order it takes them: done and running ones by when they started,
    then its queue by forecast start (then priority)."""
    planned_days: float
    """The planned durations of its tasks, summed."""
    done: tuple[str, ...]
    """Its complete tasks."""
    done_days: float
    """The planned durations of its complete tasks, summed."""
    running: tuple[str, ...]
    """Its tasks in progress or blocked: each holds one of its slots."""
    queued: tuple[str, ...]
    """Its tasks not started, in the order it takes them."""
    blocked: tuple[str, ...] = ()
    """Those of ``running`` that are blocked: each holds a slot, but no work goes on in it."""

    @property
    def id(self) -> str:
        """The agent id."""
        return self.agent.id

    @property
    def working(self) -> tuple[str, ...]:
        """Those of ``running`` that are not blocked: the tasks work goes on in."""
        return tuple(i for i in self.running if i not in self.blocked)

    @property
    def free(self) -> int:
        """How many more tasks it can take now."""
        return max(0, self.agent.capacity - len(self.running))


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
class MilestoneFacts:
    """A milestone: a checkpoint of no duration, its dependencies and criteria its gate."""

    id: str
    title: str
    state: str
    """Its task state: waiting (for its dependencies), ready (to be checked), complete (reached)."""
    planned: datetime
    """When the plan in force reaches it."""
    finish: datetime
    """When it was reached (complete), else its point forecast: when its dependencies are forecast to end."""
    gate: str
    """passed (every criterion met), failed (one missed), open (not all met yet) or none (no criteria)."""
    passed: int
    """How many of its criteria are met or exceeded."""
    criteria: int
    """How many criteria its gate holds."""
    due: datetime | None = None
    """Its fixed date, if it has one."""
    meets_due: bool | None = None
    """True when it was reached (or is forecast to be) by its due date; None without one."""
    due_days: float | None = None
    """How far ``finish`` is from ``due``, in days of work of the calendar (None without a due date)."""
    blocked_by: tuple[str, ...] = ()
    """The blocked tasks it needs, directly or through others (none once reached): its
    forecast has them go on from now."""


@dataclass(frozen=True)
class PlanVersionFacts:
    """One frozen plan of a phase."""

    frozen_at: datetime
    reason: str | None
    finish: datetime
    total_days: float
    dropped: tuple[str, ...] = ()
    """Tasks the plan before it held and this one does not (a re-plan that drops work says so)."""
    retargeted: tuple[str, ...] = ()
    """Each target this plan changed against the one before, in words: ``7.1 coverage >= 80 → >= 75``."""
    scope_days: float = 0.0
    """The work it planned: the sum of its tasks' planned durations, in task-days (the burn-up's scope)."""


@dataclass(frozen=True)
class PlannedSpan:
    """One task as the plan in force schedules it, in days from the plan's start."""

    id: str
    """The task's id."""
    start_days: float
    """Its planned start."""
    finish_days: float
    """Its planned finish."""
    duration_days: float
    """Its planned duration, in days of the project calendar (0 for a milestone)."""


@dataclass(frozen=True)
class TargetChange:
    """A criterion's target as a later plan (or phase.yaml after the last plan) set it."""

    plan: int
    """The plan (1 for the first) that set it; 0 when phase.yaml changed it after the last plan, not re-planned."""
    target: str | None
    """The new target; None when the criterion was dropped."""
    reason: str | None
    """The re-plan's reason."""


@dataclass(frozen=True)
class TargetHistory:
    """One measured criterion's target from the first plan that recorded targets to phase.yaml now."""

    scope: str
    """A task id, ``group:ID`` or ``phase``."""
    metric: str
    text: str
    first: str | None
    """The target at ``first_plan`` (None: the criterion was not in it)."""
    first_plan: int
    """The first plan that recorded targets (older plan.json files hold none)."""
    now: str | None
    """The target in phase.yaml now (None: the criterion is gone)."""
    changes: tuple[TargetChange, ...] = ()
    """Every change after ``first_plan``, in order."""


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
    targets: tuple[TargetHistory, ...] = ()
    """Each measured criterion's target across the plans that recorded targets (empty without them)."""
    spans: tuple[PlannedSpan, ...] = ()
    """Every task of the plan in force, in the plan's order (empty when none is frozen)."""

    @property
    def target_changes(self) -> tuple[TargetHistory, ...]:
        """The criteria whose target changed since the first plan that recorded targets."""
        return tuple(h for h in self.targets if h.changes)

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
    phase_days: float = 0.0
    """The phase's own finish (actual once complete, else forecast) against the plan's, in days
    (positive: late): a task behind by less than its slack leaves it on time."""
    phase_state: str = "on_schedule"
    """on_schedule, behind or ahead: ``phase_days`` in the words of the task gauge."""


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
    task_scoped: bool = False
    """True when judged on its task's own latest value of the metric (a snapshot's task ``metrics``)."""

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
    """One shared file (or folder) of the declared ``files``, with the tasks that may touch it at
    the same time: grouped by file, so its size follows the tasks, never their pairs."""

    file: str
    """The path: a file, or a folder holding the other paths of the group."""
    tasks: tuple[str, ...]
    """Every task declaring it (or a path in it) that may run beside another of them, in task order."""
    paths: tuple[str, ...]
    """The declared paths of the group: the file itself, or the folder and paths under it."""


@dataclass(frozen=True)
class Share:
    """One declared path of a task that other tasks may touch while it runs."""

    path: str
    partners: tuple[str, ...]
    """The first of them in task order (at most :data:`~phasedocs.facts.collisions.PARTNERS`)."""
    count: int
    """How many tasks in all."""


@dataclass(frozen=True)
class Touch:
    """A task's first commit that changed a file."""

    task: str
    commit: str
    """Its short id."""
    at: datetime
    """Its author time."""


@dataclass(frozen=True)
class GitCollision:
    """A file that tasks changed while another of them was also running, before either merged."""

    file: str
    touches: tuple[Touch, ...]
    """Each such task's first change of the file, in task order."""


@dataclass(frozen=True)
class Undeclared:
    """A file changed by tasks none of whose declared ``files`` holds it."""

    file: str
    touches: tuple[Touch, ...]
    """Each such task's first change of the file, in task order."""


@dataclass(frozen=True)
class VerifyItem:
    """A recorded state the git history disagrees with: what to verify."""

    task: str
    kind: str
    """no_commit, not_landed, landed_unrecorded, work_unrecorded, claimed_repeatedly or before_start."""
    detail: str
    """What the record says and what the history shows, with short commit ids (plain text)."""
    commits: tuple[str, ...]
    """The short commit ids it names."""
    since: datetime | None = None
    """Since when the disagreement stands (the commit that shows it), if known."""


@dataclass(frozen=True)
class EvidenceFacts:
    """What ``phasedocs sync``'s latest reading of git (evidence.json) adds beside the records."""

    as_of: datetime
    """The newest commit read."""
    commits: int
    """Commits read."""
    shallow: bool
    """True when history before a shallow clone's depth is missing."""
    default_branch: str
    verify: tuple[VerifyItem, ...] = ()
    """Recorded states the history disagrees with, in task order."""
    collisions: tuple[GitCollision, ...] = ()
    """Files changed by tasks running at the same time, by file."""
    undeclared: tuple[Undeclared, ...] = ()
    """Files changed outside the changing task's declared ``files``, by file."""
    tasks: dict[str, TaskEvidence] | None = None
    """Task id -> what the reading shows of it, for its task file (tasks no commit names left out)."""

    def of(self, task_id: str) -> TaskEvidence | None:
        """What the reading shows of task ``task_id``, if any commit names it."""
        return (self.tasks or {}).get(task_id)


@dataclass(frozen=True)
class TaskEvidence:
    """One task's part of the evidence facts."""

    ids: tuple[str, ...]
    """Its provenance: ``git:`` first commit, ``merge:``/``done:`` landing, ``revert:``."""
    verify: tuple[VerifyItem, ...] = ()
    """Its recorded state's disagreements with the history."""
    collided: tuple[str, ...] = ()
    """Files it changed while another task that also changed them was running."""
    undeclared: tuple[str, ...] = ()
    """Files it changed outside its declared ``files``."""


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
    completed: tuple[tuple[str, datetime], ...] = ()
    """Each task it records complete, with when: the entry's ``at``, else the snapshot's time."""


@dataclass(frozen=True)
class GroupFacts:
    """One group of tasks of a phase: its span planned and actual, its progress and its gate."""

    group: Group
    tasks: tuple[str, ...]
    """Its tasks' ids, in task order."""
    state: str
    """planned, active, blocked or complete, from its tasks' states (as a phase's)."""
    tasks_complete: int
    percent: float
    plan_start: datetime
    """The earliest planned start of its tasks (in the plan in force)."""
    plan_finish: datetime
    """The latest planned finish of its tasks."""
    plan_start_days: float
    plan_finish_days: float
    actual_start: datetime | None
    """When its first task started."""
    actual_finish: datetime | None
    """When its last task was complete (only once every task is)."""
    forecast_finish: datetime | None
    """When its last task is forecast to finish; None once complete."""
    finish_days: float
    """Its actual (complete) or forecast finish, in days from the phase start."""
    gauge: str
    """on_schedule, behind or ahead: its finish against its planned finish."""
    gauge_days: float
    """How far its finish is from its planned finish, in days (positive: behind)."""
    criteria: tuple[CriterionFacts, ...]
    """Its gate: settled when every task of the group is complete."""

    @property
    def id(self) -> str:
        """The group id."""
        return self.group.id

    @property
    def scope(self) -> str:
        """How its criteria name their scope: ``group:ID``."""
        return f"group:{self.group.id}"

    @property
    def gate(self) -> str:
        """none (no criteria), open (work goes on), passed, failed (a criterion missed) or
        unsettled (complete, but a criterion never measured or checked)."""
        if not self.criteria:
            return "none"
        if self.state != "complete":
            return "open"
        if any(c.state == "missed" for c in self.criteria):
            return "failed"
        if any(c.state == "pending" for c in self.criteria):
            return "unsettled"
        return "passed"


@dataclass(frozen=True)
class PhaseFacts:
    """Everything computed about one phase: complete, with no link back to the raw input
    (snapshot files, plan.json, evidence.json), so render and charts read facts alone."""

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
    """Every criterion: tasks' in task order, then the groups' (scope ``group:ID``), then the phase's."""
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
    span: Span = DAYS
    """The unit its documents and charts speak in: days, or hours for a phase of hours."""
    milestones: tuple[MilestoneFacts, ...] = ()
    """Its milestones, in task order, with their dates, gates and due dates."""
    agents: tuple[AgentFacts, ...] = ()
    """The phase's agents (project.yaml's with the phase's own) and their load; empty without agents."""
    shares: dict[str, tuple[Share, ...]] | None = None
    """Task id -> its declared paths other tasks may touch while it runs (tasks with none left out)."""
    evidence: EvidenceFacts | None = None
    """What the latest reading of git shows beside the records (None before any ``phasedocs sync``)."""
    gate: tuple[Finding, ...] = ()
    """What ``phasedocs check`` finds (:mod:`phasedocs.facts.gate`), computed once by :func:`compute`:
    the documents, status.json and the badge read this verdict, as check does."""
    groups: tuple[GroupFacts, ...] = ()
    """The phase's groups of tasks (``groups:`` in phase.yaml), in their order."""

    @property
    def gate_failures(self) -> tuple[Finding, ...]:
        """The findings that fail ``phasedocs check`` (without --strict)."""
        return tuple(f for f in self.gate if f.fails)

    @property
    def start_recorded(self) -> bool:
        """``actual_start`` is a recorded start; False when it comes from a task first recorded
        complete (its start unknown): the phase then started by that time, at the latest."""
        return any(t.start_recorded for t in self.tasks if t.actual_start == self.actual_start)

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

    @cached_property
    def _tasks_by_id(self) -> dict[str, TaskFacts]:
        return {t.id: t for t in self.tasks}

    def task(self, task_id: str) -> TaskFacts:
        """The facts of task ``task_id`` (by an index: the gate and the templates ask once per
        criterion or dependency, which a search through the tasks made quadratic)."""
        return self._tasks_by_id[task_id]

    def waiting_on(self, task_id: str) -> tuple[str, ...]:
        """The tasks that still need task ``task_id`` complete: its dependents not complete that
        did not go ahead of it with a waiver (none once it is complete)."""
        return tuple(d for d in self.task(task_id).dependents if task_id in self.task(d).open_dependencies)

    def shares_of(self, task_id: str) -> tuple[Share, ...]:
        """The declared paths of task ``task_id`` that other tasks may touch while it runs."""
        return (self.shares or {}).get(task_id, ())

    def group(self, scope: str) -> GroupFacts:
        """The facts of the group a criterion's scope ``group:ID`` names."""
        return next(g for g in self.groups if g.scope == scope)

    def agent(self, agent_id: str) -> AgentFacts:
        """The facts of agent ``agent_id``."""
        return next(a for a in self.agents if a.id == agent_id)

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
