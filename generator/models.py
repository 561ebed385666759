"""Typed models of the input: project.yaml, phase.yaml and metric snapshots.

pydantic checks the shape of each file (types, required fields, unknown keys); rules
that span fields or files (dependencies, cycles, the metric catalogue) live in
``validate.py``. Field docstrings become descriptions in the JSON Schemas that
``phasedocs schema`` writes, so editors can show them.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictStr,
    field_validator,
    model_validator,
)

from .targets import Target, TargetSyntaxError, parse_target

Unit = Literal["count", "seconds", "percent", "ratio", "bytes", "text"]
TaskState = Literal["pending", "in_progress", "complete", "blocked"]
SnapshotKind = Literal["baseline", "progress", "final"]

_SLUG_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")
_KEY_RE = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")
_ID_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._-]*$")


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid", frozen=True, str_strip_whitespace=False
    )


def _safe_segment(value: str, what: str) -> str:
    if value.startswith(".") or "/" in value or "\\" in value or ".." in value:
        raise ValueError(f"{what} '{value}' must be a plain file-name segment (no '/', '..' or leading dot)")
    if not _SLUG_RE.match(value):
        raise ValueError(
            f"{what} '{value}' may hold only letters, digits, '.', '_' and '-' (for example 'build-infra')"
        )
    return value


Text = Annotated[StrictStr, Field(min_length=1)]


def _line(value: Any) -> Any:
    """Read an unquoted ``- Check this: then that`` list item as the text the author meant.

    YAML turns such an item into a one-entry mapping; in a list of text lines the only
    sensible reading is ``"Check this: then that"``.
    """
    if isinstance(value, dict) and len(value) == 1:
        (key, val), = value.items()
        if isinstance(key, str) and isinstance(val, str):
            return f"{key}: {val}"
    return value


Line = Annotated[StrictStr, BeforeValidator(_line)]
"""A line of text in a list (steps, deliverables, tips, fixes)."""


class Metric(_Model):
    """One entry of the metric catalogue."""

    label: Text
    """Human name shown in tables and charts."""
    unit: Unit
    """count, seconds, percent, ratio, bytes or text; snapshots must report values of this unit."""
    better: Literal["lower", "higher"] | None = None
    """Which direction is an improvement; decides 'exceeded' for range targets."""
    source: StrictStr | None = None
    """Where the number comes from (a command, a tool), shown beside the metric."""


class Protocol(_Model):
    """The coordination protocol; every string is a sandboxed Jinja template."""

    session: StrictStr = ""
    """Session name per phase, e.g. 'swarm-phase{{ phase.number }}'."""
    memory_key: StrictStr = ""
    """Where an agent records its status, per task."""
    before: list[StrictStr] = []
    """Commands an agent runs before starting its task."""
    during: list[StrictStr] = []
    """Commands an agent runs while working."""
    after: list[StrictStr] = []
    """Commands an agent runs when its task is done."""
    monitor: list[StrictStr] = []
    """Commands the coordinator runs to check progress, per phase."""
    orchestrate: list[StrictStr] = []
    """Commands that set up automated orchestration, per phase."""
    spawn: StrictStr = ""
    """The command that starts one agent on one task."""
    monitor_every_minutes: Annotated[int, Field(gt=0)] | None = None
    """How often the coordinator checks progress."""


class ProjectConfig(_Model):
    """phases/project.yaml: settings shared by every phase."""

    name: Text
    """Project name."""
    summary: StrictStr = ""
    """One-line summary."""
    repo_url: StrictStr | None = None
    """Repository URL, for edit and source links (http or https)."""
    coordinator: StrictStr = "Coordinator"
    """Who coordinates the phases."""
    operator: StrictStr = "Operator"
    """Who receives the handoff."""
    calendar: Literal["calendar", "workdays"] = "calendar"
    """'workdays' skips Saturday and Sunday in date arithmetic."""
    timezone: StrictStr = "UTC"
    """IANA zone in which dates are shown."""
    metrics: dict[str, Metric] = {}
    """The metric catalogue: key -> definition. Snapshots may report only these keys."""
    protocol: Protocol = Protocol()
    """The coordination protocol every agent follows."""

    @field_validator("timezone")
    @classmethod
    def _zone(cls, v: str) -> str:
        try:
            ZoneInfo(v)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone '{v}'; use an IANA name such as 'UTC' or 'Europe/Berlin'") from None
        return v

    @field_validator("repo_url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s<>\"']+$", v):
            raise ValueError(f"'{v}' is not an http(s) URL")
        return v

    @field_validator("metrics")
    @classmethod
    def _metric_keys(cls, v: dict[str, Metric]) -> dict[str, Metric]:
        for key in v:
            if not _KEY_RE.match(key):
                raise ValueError(f"metric key '{key}' may hold only letters, digits, '_', '.' and '-'")
        return v


class Objective(_Model):
    """One objective of a task, with its steps."""

    title: Text
    """What the objective achieves."""
    steps: list[Line] = []
    """The steps, in order."""


class Criterion(_Model):
    """A success criterion: measured (metric + target) or checked by hand (id)."""

    text: Text
    """The criterion as people say it."""
    metric: StrictStr | None = None
    """Catalogue key of the metric that measures it."""
    target: StrictStr | None = None
    """The target the metric must reach, e.g. '< 20', '>= 626/630', '-40%..-25%'."""
    id: StrictStr | None = None
    """For a hand-checked criterion: the key recorded in a snapshot's 'checks'."""

    @field_validator("target")
    @classmethod
    def _target(cls, v: str | None) -> str | None:
        if v is not None:
            try:
                parse_target(v)
            except TargetSyntaxError as exc:
                raise ValueError(str(exc)) from None
        return v

    @field_validator("id")
    @classmethod
    def _id(cls, v: str | None) -> str | None:
        if v is not None and not _ID_RE.match(v):
            raise ValueError(f"criterion id '{v}' may hold only letters, digits, '.', '_' and '-'")
        return v

    @model_validator(mode="after")
    def _kind(self) -> Criterion:
        measured = self.metric is not None or self.target is not None
        if measured and self.id is not None:
            raise ValueError("give either metric + target (measured) or id (checked by hand), not both")
        if measured and (self.metric is None or self.target is None):
            missing = "target" if self.target is None else "metric"
            raise ValueError(f"a measured criterion needs both metric and target; add {missing}")
        if not measured and self.id is None:
            raise ValueError("give metric + target (measured) or an id (checked by hand)")
        return self

    @property
    def parsed_target(self) -> Target | None:
        """The parsed target, for measured criteria."""
        return parse_target(self.target) if self.target is not None else None


class Task(_Model):
    """One task of a phase, done by one agent."""

    id: StrictStr
    """Task id such as "7.1", quoted: YAML reads 7.10 as the number 7.1."""
    slug: StrictStr
    """File-name segment: the task file is task-<id>-<slug>.md."""
    key: StrictStr | None = None
    """Memory-key segment; default: the slug with '_' for '-'."""
    title: Text
    """Task title."""
    role: Text
    """Agent role identifier, used by the spawn command (e.g. 'backend-dev')."""
    agent: StrictStr | None = None
    """Display name of the role (e.g. 'Backend Developer'); default: the role."""
    duration_days: Annotated[float, Field(gt=0)]
    """Planned duration in days (on the project calendar); more than 0."""
    depends_on: list[StrictStr] = []
    """Ids of tasks of this phase that must be complete first."""
    goal: StrictStr = ""
    """One-line goal."""
    objectives: list[Objective] = []
    """Objectives with steps."""
    deliverables: list[Line] = []
    """What the task hands over."""
    files: list[StrictStr] = []
    """Files and folders the task will touch (for the collision-risk table)."""
    criteria: list[Criterion] = []
    """The task's success criteria."""

    @field_validator("id")
    @classmethod
    def _task_id(cls, v: str) -> str:
        if not _ID_RE.match(v):
            raise ValueError(f"task id '{v}' may hold only letters, digits, '.', '_' and '-'")
        return v

    @field_validator("slug")
    @classmethod
    def _slug(cls, v: str) -> str:
        return _safe_segment(v, "slug")

    @field_validator("key")
    @classmethod
    def _key(cls, v: str | None) -> str | None:
        if v is not None and not _KEY_RE.match(v):
            raise ValueError(f"key '{v}' may hold only letters, digits, '_', '.' and '-'")
        return v

    @property
    def memory_key(self) -> str:
        """The key segment, defaulting to the slug with underscores."""
        return self.key or self.slug.replace("-", "_")

    @property
    def agent_name(self) -> str:
        """The display name of the agent."""
        return self.agent or self.role

    @property
    def filename(self) -> str:
        """The task document's file name."""
        return f"task-{self.id}-{self.slug}.md"


class Trouble(_Model):
    """A known problem and its fixes."""

    problem: Text
    """The symptom."""
    fixes: list[Line] = []
    """What to try."""


class Reference(_Model):
    """A reference link: a path in the repository or a URL."""

    title: Text
    """Link text."""
    path: StrictStr | None = None
    """A path in the repository."""
    url: StrictStr | None = None
    """An http(s) URL."""

    @field_validator("url")
    @classmethod
    def _url(cls, v: str | None) -> str | None:
        if v is not None and not re.match(r"^https?://[^\s<>\"']+$", v):
            raise ValueError(f"'{v}' is not an http(s) URL")
        return v

    @model_validator(mode="after")
    def _one(self) -> Reference:
        if (self.path is None) == (self.url is None):
            raise ValueError("give exactly one of path or url")
        return self


class Phase(_Model):
    """phases/phase-NN/phase.yaml: one phase."""

    number: Annotated[int, Field(ge=0)]
    """The phase number; must match the folder phase-NN."""
    title: Text
    """Phase title."""
    summary: StrictStr = ""
    """What the phase is about."""
    created: AwareDatetime
    """When the package was made (ISO 8601 with zone)."""
    start: AwareDatetime
    """Planned start (ISO 8601 with zone)."""
    after_phase: int | None = None
    """The phase this one follows."""
    tasks: Annotated[list[Task], Field(min_length=1)]
    """The tasks; at least one."""
    success_criteria: list[Criterion] = []
    """Phase-level criteria."""
    deliverables: list[Line] = []
    """The coordinator's own deliverables."""
    troubleshooting: list[Trouble] = []
    """Known problems and fixes."""
    tips: list[Line] = []
    """Advice for the agents and the operator."""
    references: list[Reference] = []
    """Reference documents."""


class Snapshot(_Model):
    """phases/phase-NN/metrics/*.json: metric values and task states at one time."""

    timestamp: AwareDatetime
    """When the values were measured (ISO 8601 with zone)."""
    label: StrictStr | None = None
    """Short name shown in tables and charts, e.g. 'Day 2'."""
    kind: SnapshotKind = "progress"
    """baseline, progress or final."""
    metrics: dict[str, Any] = {}
    """Metric key -> value of the metric's unit; null means not measured yet."""
    tasks: dict[str, TaskState] = {}
    """Task id -> state."""
    checks: dict[str, StrictBool] = {}
    """Hand-checked criterion id -> true (met) or false (missed)."""


