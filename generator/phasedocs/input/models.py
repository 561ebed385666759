"""Typed models of the input: project.yaml, phase.yaml and metric snapshots.

Each model is an immutable record checked by pydantic-core (see ``records.py``): types,
required fields, unknown keys, and the per-field rules below. Rules that span fields or
files (dependencies, cycles, the metric catalogue) live in ``input/project.py``. Field
docstrings become descriptions in the JSON Schemas that ``phasedocs schema`` writes, so
editors can show them.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from phasedocs.dates import Calendar
from phasedocs.errors import UNPRINTABLE_RE
from phasedocs.input.extractors import COBERTURA_VALUES as COBERTURA_VALUES
from phasedocs.input.extractors import EXTRACTORS, grep_regex
from phasedocs.input.extractors import JUNIT_VALUES as JUNIT_VALUES
from phasedocs.input.records import Aware, Before, Check, MaxLen, MinLen, Model, Pattern, Range, forget_schemas
from phasedocs.input.targets import Target, TargetSyntaxError, parse_target

Unit = Literal["count", "seconds", "percent", "ratio", "bytes", "usd", "text"]
TaskState = Literal["pending", "in_progress", "complete", "blocked"]
SnapshotKind = Literal["baseline", "progress", "final"]

# fullmatch and ASCII: '$' would accept a trailing newline, '\d' Arabic-Indic digits
_SLUG_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)
_KEY_RE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.-]*", re.ASCII)
_ID_RE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*", re.ASCII)
_URL_RE = re.compile(r"https?://[^\s<>\"'`]+", re.ASCII)


def _line(value: Any) -> Any:
    """Read an unquoted ``- Check this: then that`` list item as the text the author meant.

    YAML turns such an item into a one-entry mapping; in a list of text lines the only
    sensible reading is ``"Check this: then that"``.
    """
    if isinstance(value, dict) and len(value) == 1:
        ((key, val),) = value.items()
        if isinstance(key, str) and isinstance(val, str):
            return f"{key}: {val}"
    return value


def _slug(value: str) -> str:
    if value.startswith(".") or "/" in value or "\\" in value or ".." in value:
        raise ValueError(f"slug {value!r} must be a plain file-name segment (no '/', '..' or leading dot)")
    if not _SLUG_RE.fullmatch(value):
        raise ValueError(f"slug {value!r} may hold only letters, digits, '.', '_' and '-' (for example 'build-infra')")
    return value


@dataclass(frozen=True)
class _Characters:
    """A check that ``what`` (an id or key) holds only the ``allowed`` characters.

    A class rather than a closure: built when this module is imported, its check still
    runs as code of its own (mutation testing reaches it; a closure's body it cannot).
    """

    pattern: re.Pattern[str]
    what: str
    allowed: str

    def __call__(self, value: str) -> str:
        """``value``, or ValueError naming the characters allowed."""
        if not self.pattern.fullmatch(value):
            raise ValueError(f"{self.what} {value!r} may hold only {self.allowed}")
        return value


_ID_CHARS = "letters, digits, '.', '_' and '-'"
_KEY_CHARS = "letters, digits, '_', '.' and '-'"
TaskId = Annotated[str, Check(_Characters(_ID_RE, "task id", _ID_CHARS))]
"""A task id such as "7.1"."""
CriterionId = Annotated[str, Check(_Characters(_ID_RE, "criterion id", _ID_CHARS))]
"""The id of a hand-checked criterion."""
GroupId = Annotated[str, Check(_Characters(_ID_RE, "group id", _ID_CHARS))]
"""The id of a group of tasks such as "P3"."""
#: How ``depends_on`` names every task of a group: ``group:P3``.
GROUP_PREFIX = "group:"
MemoryKey = Annotated[str, Check(_Characters(_KEY_RE, "key", _KEY_CHARS))]
"""A memory-key segment."""
_METRIC_KEY = _Characters(_KEY_RE, "metric key", _KEY_CHARS)


def _url(value: str) -> str:
    if not _URL_RE.fullmatch(value):
        raise ValueError(f"{value!r} is not an http(s) URL")
    return value


def _zone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        close = _close_zone(value)
        hint = f"did you mean '{close}'?" if close else "use an IANA name such as 'UTC' or 'Europe/Berlin'"
        raise ValueError(f"unknown time zone '{value}'; {hint}") from None
    return value


def _close_zone(value: str) -> str | None:
    """The IANA zone ``value`` most likely misspells (``America/Chicgo``, ``europe/berlin``), if
    one is close: never a zone of another offset that merely shares letters (``UTC+2`` is not UTC)."""
    if len(value) > 64:  # the longest IANA name has 32 characters: nothing is close to this
        return None
    names = {name.lower(): name for name in available_timezones()}
    close = difflib.get_close_matches(value.lower(), names, n=1, cutoff=0.8)
    return names[close[0]] if close else None


def _target(value: str) -> str:
    try:
        parse_target(value)
    except TargetSyntaxError as exc:
        raise ValueError(str(exc)) from None
    return value


def _metric_keys(value: dict[str, Any]) -> dict[str, Any]:
    for key in value:
        _METRIC_KEY(key)
    return value


Text = Annotated[str, MinLen(1)]
"""Text that may not be empty."""

Line = Annotated[
    str,
    # YAML reads "- Check this: then that" as a one-entry mapping; the schema allows it too
    Before(
        _line,
        json='{"type": "object", "minProperties": 1, "maxProperties": 1, "additionalProperties": {"type": "string"}}',
    ),
]
"""A line of text in a list (steps, deliverables, tips, fixes)."""

Url = Annotated[str, Check(_url)]
"""An http(s) URL."""

#: The years a date may fall in: every date becomes arithmetic (a finish 3,650 days on must
#: still be a date) and a drawing; year 9999 or 1066 is a typo, not a plan.
YEARS = (1970, 2200)


def in_window(value: datetime) -> datetime:
    """``value`` if its year is within :data:`YEARS`; ValueError otherwise."""
    if not YEARS[0] <= value.year <= YEARS[1]:
        text = value.isoformat().replace("+00:00", "Z")
        raise ValueError(f"{text} is outside the years {YEARS[0]} to {YEARS[1]}")
    return value


AwareDatetime = Annotated[datetime, Aware, Check(in_window)]
"""An ISO 8601 date and time with a zone, in the years 1970 to 2200."""

#: The longest one task may last.
MAX_TASK_DAYS = 365


def _task_days(value: float) -> float:
    if value > MAX_TASK_DAYS:
        raise ValueError(f"must be at most {MAX_TASK_DAYS} days (split a longer task)")
    return value


#: A duration with its unit: minutes, hours, working days or working weeks (``90m``, ``1.5d``).
_DURATION_RE = re.compile(r"([0-9]+(?:\.[0-9]+)?)\s*(m|h|d|w)", re.ASCII)


@dataclass(frozen=True)
class Units:
    """How durations with units become days of work on the project's calendar."""

    hours_per_day: float = 24.0
    """Hours in a day of work: the workday's hours on the workdays calendar, else 24."""
    days_per_week: float = 7.0
    """Days of work in a week: 5 on the workdays calendar, else 7."""


#: The units phase.yaml is read with: set by the loader from project.yaml (:func:`reading_units`).
_UNITS: ContextVar[Units | None] = ContextVar("phasedocs_units", default=None)


@contextmanager
def reading_units(units: Units) -> Iterator[None]:
    """Read phase.yaml's durations with ``units`` (a day of work is the project's, not 24 hours)."""
    token = _UNITS.set(units)
    try:
        yield
    finally:
        _UNITS.reset(token)


def duration_parts(text: str) -> tuple[float, str]:
    """``"1.5d"`` -> ``(1.5, "d")``; ValueError for text that is no duration with a unit."""
    found = _DURATION_RE.fullmatch(text.strip())
    if found is None:
        raise ValueError(
            f"'{text}' is not a duration; write a number and a unit: m (minutes), h (hours), "
            "d (working days) or w (working weeks), such as 90m, 4h, 1.5d or 2w"
        )
    return float(found.group(1)), found.group(2)


def to_days(text: str, units: Units | None = None) -> float:
    """A duration with its unit as days of work (``units``: the calendar's, else the one being read)."""
    amount, unit = duration_parts(text)
    u = units or _UNITS.get() or Units()
    hours = {"m": amount / 60, "h": amount}.get(unit)
    days = hours / u.hours_per_day if hours is not None else amount * (u.days_per_week if unit == "w" else 1.0)
    return round(days, 9)


def _duration_text(value: Any) -> Any:
    """A duration must say its unit: a bare number would be read as days, or not."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        raise ValueError(
            f"{value:g} has no unit; write {value:g}d (working days) or {value:g}h (hours), or use duration_days"
        )
    if isinstance(value, str):
        duration_parts(value)  # its own message, before the pattern's
    return value


def _duration(value: str) -> str:
    amount, _ = duration_parts(value)
    if amount <= 0:
        raise ValueError(f"'{value}' must be more than 0 (a milestone takes milestone: true and no duration)")
    _task_days(to_days(value))
    return value.strip()


#: The JSON Schema's reading of a duration with its unit (the same as :data:`_DURATION_RE`).
DURATION_PATTERN = rf"^\s*{_DURATION_RE.pattern}\s*$"

DurationText = Annotated[str, Before(_duration_text), Pattern(DURATION_PATTERN), Check(_duration)]
"""A duration with its unit: 90m, 4h, 1.5d (working days) or 2w (working weeks)."""


def _estimate_days(value: Any) -> Any:
    """An estimate in days (a number) or with a unit (``1.5h``), as days of work."""
    return to_days(value) if isinstance(value, str) else value


EstimateDays = Annotated[
    float,
    Before(_estimate_days, json=json.dumps({"type": "string", "pattern": DURATION_PATTERN})),
    Range(gt=0),
    Check(_task_days),
]
"""Days of work (a number), or a duration with its unit (90m, 4h, 1.5d, 2w)."""

#: The longest a link of a task may be, and the most links one task may carry.
MAX_LINK = 500
MAX_LINKS = 20
_LINK_KEY = _Characters(_KEY_RE, "link name", _KEY_CHARS)


def _links(value: dict[str, str]) -> dict[str, str]:
    if len(value) > MAX_LINKS:
        raise ValueError(f"holds {len(value)} links; a task may carry at most {MAX_LINKS}")
    for key, text in value.items():
        _LINK_KEY(key)
        if not text.strip() or UNPRINTABLE_RE.search(text):
            raise ValueError(f"link '{key}' must be one line of text or a URL")
    return value


#: The longest regular expression a grep extractor may hold.
MAX_PATTERN = 500


def _report_path(value: str) -> str:
    """A report's path or glob: relative to the project, never leaving it."""
    text = value.replace("\\", "/")
    if not text.strip():
        raise ValueError("the path is empty; give a path relative to the project, such as 'reports/junit.xml'")
    if text.startswith("/") or re.match(r"[A-Za-z]:", text) or text.startswith("~"):
        raise ValueError(f"'{value}' is absolute; give a path relative to the project, such as 'reports/junit.xml'")
    if ".." in text.split("/"):
        raise ValueError(f"'{value}' leaves the project ('..'); reports must lie inside it")
    return value


ReportPath = Annotated[str, MaxLen(500), Check(_report_path)]
"""A path or glob relative to the project (no '..', not absolute)."""


def _either(kinds: list[str]) -> str:
    """``junit or cobertura``, ``a, b or c``: the kinds an option goes with, in words."""
    return " or ".join(kinds) if len(kinds) < 3 else ", ".join(kinds[:-1]) + " or " + kinds[-1]


# Each kind (a field below, holding the report's path or glob) is an entry of the extractor table,
# extractors.EXTRACTORS, which says which options it takes; reports.register_extractor adds a kind,
# and its field, at run time. (The docstring is the JSON Schema's description: for users.)
class Extract(Model):
    """Where ``phasedocs measure`` reads a metric: one extractor and its options."""

    junit: ReportPath | None = None
    """JUnit XML report(s), a path or glob (pytest, cargo-nextest, Surefire, Jest, go-junit-report); summed."""
    cobertura: ReportPath | None = None
    """A Cobertura XML coverage report (coverage.py, cargo-tarpaulin, Jest, JaCoCo converters)."""
    json: ReportPath | None = None
    """A JSON file (hyperfine, criterion, any tool's JSON); the value at ``pointer``."""
    count: ReportPath | None = None
    """A glob: the number of files matching it."""
    grep: ReportPath | None = None
    """A text file: the number of its lines matching ``pattern``."""
    value: str | None = None
    """junit: pass_rate, tests, passed, failures, errors or skipped; cobertura: line_rate or branch_rate."""
    pointer: str | None = None
    """json: an RFC 6901 JSON pointer such as /results/0/mean."""
    pattern: Annotated[str, MinLen(1), MaxLen(MAX_PATTERN)] | None = None
    """grep: a regular expression (RE2 syntax: Python's without backreferences or lookaround), matched anywhere in each line."""
    jsonl: ReportPath | None = None
    """Per task: a glob of JSON-lines session logs holding ``{{ task.id }}`` or ``{{ task.key }}``
    (``logs/{{ task.id }}/*.jsonl``); the sum of ``pointer`` over their lines, or with
    ``model``, ``input`` and ``output`` their cost at the project's ``prices``."""
    model: Annotated[str, MaxLen(500)] | None = None
    """jsonl cost: the JSON pointer of each line's model name (/message/model)."""
    input: Annotated[str, MaxLen(500)] | None = None
    """jsonl cost: the JSON pointer of each line's input tokens (/message/usage/input_tokens)."""
    output: Annotated[str, MaxLen(500)] | None = None
    """jsonl cost: the JSON pointer of each line's output tokens (/message/usage/output_tokens)."""

    @property
    def kind(self) -> str:
        """Its extractor: junit, cobertura, json, count, grep, jsonl, or a kind registered at run time."""
        return next(k for k in EXTRACTORS if getattr(self, k, None) is not None)

    @property
    def path(self) -> str:
        """The report's path or glob."""
        return str(getattr(self, self.kind))

    @property
    def cost(self) -> bool:
        """True for a jsonl extractor that prices tokens (``model``, ``input``, ``output``)."""
        return self.jsonl is not None and self.model is not None

    def _check(self) -> None:
        table = EXTRACTORS
        kinds = [k for k in table if getattr(self, k, None) is not None]
        if len(kinds) != 1:
            given = " and ".join(kinds) if kinds else "none"
            raise ValueError(f"give exactly one extractor of {', '.join(table)} (given: {given})")
        kind = kinds[0]
        entry = table[kind]
        if entry.per_task:  # jsonl: options of its own
            self._check_jsonl()
            return
        cost_fields = [k for k in ("model", "input", "output") if getattr(self, k) is not None]
        if cost_fields:
            raise ValueError(f"{cost_fields[0]} goes with jsonl, not {kind}")
        if entry.values and self.value not in entry.values:
            raise ValueError(f"{kind} needs value: one of {', '.join(entry.values)}")
        if not entry.values and self.value is not None:
            raise ValueError(f"value goes with {_either([k for k, x in table.items() if x.values])}, not {kind}")
        if entry.pointer != (self.pointer is not None):
            raise ValueError(
                f"{kind} needs pointer: an RFC 6901 pointer such as /mean"
                if entry.pointer
                else f"pointer goes with {_either([k for k, x in table.items() if x.pointer])}, not {kind}"
            )
        if self.pointer is not None and self.pointer and not self.pointer.startswith("/"):
            raise ValueError(f"pointer '{self.pointer}' must start with '/' (RFC 6901), e.g. /results/0/mean")
        if entry.pattern != (self.pattern is not None):
            raise ValueError(
                f"{kind} needs pattern: a regular expression"
                if entry.pattern
                else f"pattern goes with {_either([k for k, x in table.items() if x.pattern])}, not {kind}"
            )
        if self.pattern is not None:
            grep_regex(self.pattern)

    def _check_jsonl(self) -> None:
        if self.value is not None or self.pattern is not None:
            raise ValueError(
                f"{'value' if self.value is not None else 'pattern'} goes with junit, cobertura or grep, not jsonl"
            )
        task_glob(str(self.jsonl))
        cost = [k for k in ("model", "input", "output") if getattr(self, k) is not None]
        if cost and self.pointer is not None:
            raise ValueError("jsonl sums pointer, or prices model + input + output tokens; give one of them, not both")
        if cost and len(cost) != 3:
            missing = next(k for k in ("model", "input", "output") if getattr(self, k) is None)
            raise ValueError(
                f"jsonl cost needs model, input and output pointers; add {missing} (e.g. /message/{missing})"
            )
        if not cost and self.pointer is None:
            raise ValueError(
                "jsonl needs pointer: the RFC 6901 pointer summed over the lines, e.g. /message/usage/output_tokens"
            )
        for name in cost or ["pointer"]:
            text = str(getattr(self, name))
            if not text.startswith("/"):
                raise ValueError(f"{name} '{text}' must start with '/' (RFC 6901), e.g. /message/usage/output_tokens")


def add_extract_kind(kind: str) -> None:
    """Give :class:`Extract` a field ``kind`` (a report's path or glob, as every built-in kind):
    the typed model then reads ``extract: {KIND: path}``. For
    :func:`phasedocs.input.reports.register_extractor`, which adds the kind's table entry."""
    if kind in Extract.__fields__ or hasattr(Extract, kind):
        raise ValueError(f"extract already has a field {kind!r}")
    Extract.__annotations__[kind] = "ReportPath | None"
    type.__setattr__(Extract, kind, None)  # its default
    Extract.__fields__ = (*Extract.__fields__, kind)
    forget_schemas()  # every model holding Extract checks the new field from now on


def remove_extract_kind(kind: str) -> None:
    """Take back a field :func:`add_extract_kind` gave :class:`Extract`."""
    del Extract.__annotations__[kind]
    type.__delattr__(Extract, kind)
    Extract.__fields__ = tuple(f for f in Extract.__fields__ if f != kind)
    forget_schemas()


_TASK_FIELD_RE = re.compile(r"\{\{\s*task\.(id|key)\s*\}\}", re.ASCII)


def task_glob(pattern: str) -> str:
    """``pattern`` if it names each task's files (``{{ task.id }}`` or ``{{ task.key }}``, nothing
    else between braces); ValueError saying why not. It is a glob, never a template: nothing runs."""
    rest = _TASK_FIELD_RE.sub("", pattern)
    if rest == pattern:
        raise ValueError(
            f"'{pattern}' names no task; a jsonl glob is per task: put {{{{ task.id }}}} or {{{{ task.key }}}} "
            "in it, e.g. logs/{{ task.id }}/*.jsonl"
        )
    if "{" in rest or "}" in rest:
        raise ValueError(
            f"'{pattern}': only {{{{ task.id }}}} and {{{{ task.key }}}} may stand between braces in a jsonl glob"
        )
    return pattern


def expand_task_glob(pattern: str, task_id: str, task_key: str) -> str:
    """The glob of one task's files: its id and key put in (both are plain ids, no glob characters)."""
    return _TASK_FIELD_RE.sub(lambda m: task_id if m.group(1) == "id" else task_key, pattern)


def _regress_amount(value: Any) -> Any:
    """``by: 5`` (an amount) and ``by: "10%"`` (a share) both arrive as text."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return value


_AMOUNT_RE = re.compile(r"[0-9]+(\.[0-9]+)?%?", re.ASCII)


def _regress_by(value: str) -> str:
    if not _AMOUNT_RE.fullmatch(value.strip()):
        raise ValueError(f"'{value}' is neither an amount (5) nor a percentage (10%); regress.by is a size, no sign")
    return value.strip()


class Regress(Model):
    """When ``phasedocs check`` fails on a metric that got worse."""

    by: Annotated[str, Before(_regress_amount), Check(_regress_by)]
    """How much worse is a regression: a percentage ("10%") or an amount in the metric's unit (5)."""
    against: Literal["previous", "baseline", "best"] = "previous"
    """Compared with the previous value, the baseline, or the best value so far."""

    @property
    def relative(self) -> bool:
        """True for a percentage."""
        return self.by.endswith("%")

    @property
    def amount(self) -> float:
        """The number in ``by`` (a percentage without its sign)."""
        return float(self.by.rstrip("%"))


class Metric(Model):
    """One entry of the metric catalogue."""

    label: Text
    """Human name shown in tables and charts."""
    unit: Unit
    """count, seconds, percent, ratio, bytes, usd (money, US dollars) or text; snapshots must report values of this unit."""
    better: Literal["lower", "higher"] | None = None
    """Which direction is an improvement; decides 'exceeded' for range targets."""
    source: str | None = None
    """Where the number comes from (a command, a tool), shown beside the metric."""
    extract: Extract | None = None
    """Where ``phasedocs measure`` reads it from a tool's report (junit, cobertura, json, count or grep)."""
    regress: Regress | None = None
    """When ``phasedocs check`` calls it a regression: {by: "10%" or an amount, against: previous|baseline|best}."""

    def _check(self) -> None:
        if self.regress is not None and self.better is None:
            raise ValueError("regress needs better: lower or higher, to know which way is worse")
        if self.regress is not None and self.unit == "text":
            raise ValueError("a text metric cannot regress; remove regress")
        e = self.extract
        if e is None:
            return
        if e.cost and self.unit != "usd":
            raise ValueError(
                f"jsonl with model, input and output gives a cost, but the unit is {self.unit}; set unit: usd"
            )
        if e.kind == "jsonl" and not e.cost and self.unit in ("text", "ratio", "percent", "usd"):
            raise ValueError(
                f"jsonl sums a pointer, but the unit is {self.unit}; set unit: count (tokens), seconds or bytes"
            )
        entry = EXTRACTORS[e.kind]
        gives = "rate" if e.value is not None and e.value in entry.rates else entry.gives
        if gives == "count" and self.unit != "count":
            raise ValueError(f"{e.kind} gives a count, but the unit is {self.unit}; set unit: count")
        if gives == "rate" and self.unit not in ("ratio", "percent"):
            what = f"{e.kind} {e.value}" if e.value is not None else e.kind
            raise ValueError(f"{what} is a rate: set unit: ratio (0.95) or percent (95)")


class Protocol(Model):
    """The coordination protocol; every string is a sandboxed Jinja template."""

    session: str = ""
    """Session name per phase, e.g. 'swarm-phase{{ phase.number }}'."""
    memory_key: str = ""
    """Where an agent records its status, per task."""
    before: tuple[str, ...] = ()
    """Commands an agent runs before starting its task."""
    during: tuple[str, ...] = ()
    """Commands an agent runs while working."""
    after: tuple[str, ...] = ()
    """Commands an agent runs when its task is done."""
    monitor: tuple[str, ...] = ()
    """Commands the coordinator runs to check progress, per phase."""
    orchestrate: tuple[str, ...] = ()
    """Commands that set up automated orchestration, per phase."""
    spawn: str = ""
    """The command that starts one agent on one task."""
    monitor_every_minutes: Annotated[int, Range(gt=0)] | None = None
    """How often the coordinator checks progress."""


_CLOCK_RE = re.compile(r"([01]?[0-9]|2[0-3]):([0-5][0-9])", re.ASCII)


def _clock(value: str) -> str:
    if not _CLOCK_RE.fullmatch(value):
        raise ValueError(f"'{value}' is not a time of day; write it as HH:MM on a 24-hour clock, such as \"09:00\"")
    return value


class EvidenceSettings(Model):
    """Where ``phasedocs sync`` reads the history, and how commits name their tasks."""

    repo: str | None = None
    """The git repository, relative to the project (default: the one holding phases/); may lie outside it."""
    branch: str | None = None
    """The default branch work lands on (default: origin's HEAD, else main or master)."""
    trailer: Annotated[str, Check(_Characters(_KEY_RE, "trailer", _KEY_CHARS))] = "Task"
    """The trailer naming a commit's task: ``Task: 7.1``."""
    done_trailer: Annotated[str, Check(_Characters(_KEY_RE, "trailer", _KEY_CHARS))] = "Task-Done"
    """The trailer declaring a task done: ``Task-Done: 7.1``."""
    branch_pattern: Annotated[str, MinLen(4), MaxLen(200)] = "task/{id}-*"
    """A task's branch names, ``{id}`` for its id, ``*`` for any text."""
    message_pattern: Annotated[str, MinLen(4), MaxLen(200)] = "Task {id}:"
    """A commit subject naming its task, ``{id}`` for its id."""

    def _check(self) -> None:
        for name in ("branch_pattern", "message_pattern"):
            if "{id}" not in getattr(self, name):
                raise ValueError(f"{name} must hold {{id}} where the task id goes, e.g. 'task/{{id}}-*'")


class Workday(Model):
    """Working hours on the workdays calendar: a day of work is this window of each working day."""

    start: Annotated[str, Check(_clock)] = "09:00"
    """When a working day begins, local time (HH:MM, 24-hour clock; quote it in YAML)."""
    hours: Annotated[float, Range(gt=0, le=24)] = 8.0
    """How many hours a day of work lasts, from start (more than 0, at most 24)."""

    def _check(self) -> None:
        hh, mm = (int(x) for x in self.start.split(":"))
        if hh * 60 + mm + self.hours * 60 > 24 * 60 + EPS_MINUTES:
            raise ValueError(
                f"a working day from {self.start} for {self.hours:g} hours runs past midnight; "
                "start earlier or work fewer hours"
            )

    @property
    def begins(self) -> timedelta:
        """When the day begins, after midnight."""
        hh, mm = (int(x) for x in self.start.split(":"))
        return timedelta(hours=hh, minutes=mm)


EPS_MINUTES = 1e-6
#: The most holidays a project may list: a calendar, not a data set.
MAX_HOLIDAYS = 5000


def _holidays(value: tuple[date, ...]) -> tuple[date, ...]:
    seen: set[date] = set()
    for day in value:
        if day in seen:
            raise ValueError(f"{day.isoformat()} is listed twice; list each holiday once")
        seen.add(day)
        in_window(datetime(day.year, day.month, day.day))
    return value


#: The most task-runs (runs x the tasks of a phase) a forecast may take: 10,000 runs (the
#: default) over 5,000 tasks. Memory does not grow with it (runs go in batches), time does.
MAX_TASK_RUNS = 50_000_000


class ForecastSettings(Model):
    """How the Monte Carlo forecast runs."""

    runs: Annotated[int, Range(ge=1000, le=100_000)] = 10_000
    """How many runs to sample (1,000 to 100,000; at most 50,000,000 divided by the tasks of the largest phase)."""
    seed: Annotated[int, Range(ge=0, le=2**32 - 1)] = 0
    """The random seed: the same inputs and seed give the same dates, byte for byte."""


AgentId = Annotated[str, Check(_Characters(_ID_RE, "agent id", _ID_CHARS))]
"""An agent id such as "qa"."""


def _assignees(value: Any) -> Any:
    """``assignee: qa`` is the one-agent list ``[qa]``."""
    return [value] if isinstance(value, str) else value


class Agent(Model):
    """An agent: a resource that runs tasks, at most ``capacity`` at once."""

    id: AgentId
    """The agent's id, named by tasks' ``assignee`` (unique among the agents of a phase)."""
    role: Text
    """The agent's role identifier (e.g. 'qa-engineer'), as a task's ``role``."""
    name: str | None = None
    """Display name (e.g. 'QA Engineer'); default: the id."""
    capacity: Annotated[int, Range(ge=1)] = 1
    """How many tasks the agent runs at once (at least 1)."""

    @property
    def display(self) -> str:
        """The name to show: the display name, else the id."""
        return self.name or self.id


def merged_agents(project: tuple[Agent, ...], phase: tuple[Agent, ...]) -> tuple[Agent, ...]:
    """The agents of a phase: project.yaml's, each replaced by the phase's agent of the same id,
    then the phase's others, in file order."""
    own = {a.id: a for a in phase}
    known = {a.id for a in project}
    return tuple(own.get(a.id, a) for a in project) + tuple(a for a in phase if a.id not in known)


class Price(Model):
    """What a model's tokens cost, in US dollars per million tokens."""

    input: Annotated[float, Range(ge=0, le=1_000_000)]
    """USD per million input tokens (0 or more)."""
    output: Annotated[float, Range(ge=0, le=1_000_000)]
    """USD per million output tokens (0 or more)."""


def _price_names(value: dict[str, Price]) -> dict[str, Price]:
    if len(value) > 1000:
        raise ValueError(f"{len(value):,} prices, more than the 1,000 a project may list")
    for name in value:
        if not name.strip() or len(name) > 200 or not name.isprintable():
            raise ValueError(f"{name[:40]!r} is no model name; write it as the logs do, e.g. claude-sonnet-4-5")
    return value


class ProjectConfig(Model):
    """phases/project.yaml: settings shared by every phase."""

    name: Text
    """Project name."""
    summary: str = ""
    """One-line summary."""
    repo_url: Url | None = None
    """Repository URL, for edit and source links (http or https)."""
    coordinator: str = "Coordinator"
    """Who coordinates the phases."""
    operator: str = "Operator"
    """Who receives the handoff."""
    calendar: Literal["calendar", "workdays", "continuous"] = "calendar"
    """'workdays' skips Saturday and Sunday in date arithmetic; 'continuous': every hour counts, round the clock."""
    timezone: Annotated[str, Check(_zone)] = "UTC"
    """IANA zone in which dates are shown."""
    metrics: Annotated[dict[str, Metric], Check(_metric_keys)] = {}
    """The metric catalogue: key -> definition. Snapshots may report only these keys."""
    protocol: Protocol = Protocol()
    """The coordination protocol every agent follows."""
    holidays: Annotated[tuple[date, ...], MaxLen(MAX_HOLIDAYS), Check(_holidays)] = ()
    """Dates (YYYY-MM-DD) the workdays calendar skips, like a weekend day."""
    workday: Workday | None = None
    """Working hours on the workdays calendar (start, hours); without it a day of work is 24 hours."""
    stale_after_days: Annotated[float, Range(gt=0, le=365)] = 3.0
    """A phase under way with no snapshot for longer than this many days (of the calendar) is flagged stale."""
    forecast: ForecastSettings = ForecastSettings()
    """Runs and seed of the Monte Carlo forecast."""
    evidence: EvidenceSettings = EvidenceSettings()
    """Where ``phasedocs sync`` reads the git history and how commits name tasks."""
    agents: tuple[Agent, ...] = ()
    """The agents every phase may assign tasks to (a phase's own list extends or overrides it by id)."""
    prices: Annotated[dict[str, Price], Check(_price_names)] = {}
    """Model name (as the agents' logs write it) -> {input, output} in USD per million tokens: what tokens cost."""

    def _check(self) -> None:
        priced = [k for k, m in self.metrics.items() if m.extract is not None and m.extract.cost]
        if priced and not self.prices:
            raise ValueError(
                f"metric {priced[0]} turns tokens into cost, but there are no prices; add "
                "prices: {MODEL: {input: USD_PER_MTOK, output: USD_PER_MTOK}}"
            )
        if self.calendar != "workdays" and (self.holidays or self.workday is not None):
            given = "holidays" if self.holidays else "workday"
            raise ValueError(f"{given} apply to the workdays calendar only; set calendar: workdays, or remove {given}")

    def units(self) -> Units:
        """How phase.yaml's durations with units become days of work on this calendar."""
        if self.calendar != "workdays":
            return Units()
        return Units(self.workday.hours if self.workday is not None else 24.0, 5.0)

    def work_calendar(self) -> Calendar:
        """The calendar every date of the project is computed on."""
        tz = ZoneInfo(self.timezone)
        if self.calendar != "workdays":
            return Calendar(tz)
        if self.workday is None:
            return Calendar(tz, True, frozenset(self.holidays))
        return Calendar(tz, True, frozenset(self.holidays), self.workday.begins, timedelta(hours=self.workday.hours))


class Objective(Model):
    """One objective of a task, with its steps."""

    title: Text
    """What the objective achieves."""
    steps: tuple[Line, ...] = ()
    """The steps, in order."""


class Criterion(Model):
    """A success criterion: measured (metric + target) or checked by hand (id)."""

    text: Text
    """The criterion as people say it."""
    metric: str | None = None
    """Catalogue key of the metric that measures it."""
    target: Annotated[str, Check(_target)] | None = None
    """The target the metric must reach, e.g. '< 20', '>= 626/630', '-40%..-25%'."""
    id: CriterionId | None = None
    """For a hand-checked criterion: the key recorded in a snapshot's 'checks'."""

    def _check(self) -> None:
        measured = self.metric is not None or self.target is not None
        if measured and self.id is not None:
            raise ValueError("give either metric + target (measured) or id (checked by hand), not both")
        if measured and (self.metric is None or self.target is None):
            missing = "target" if self.target is None else "metric"
            raise ValueError(f"a measured criterion needs both metric and target; add {missing}")
        if not measured and self.id is None:
            raise ValueError("give metric + target (measured) or an id (checked by hand)")

    @property
    def parsed_target(self) -> Target | None:
        """The parsed target, for measured criteria."""
        return parse_target(self.target) if self.target is not None else None


class Estimate(Model):
    """The range a task's duration may take: low <= duration_days <= high."""

    low: EstimateDays
    """The shortest it may take, in days (more than 0), or with a unit like the task's duration (1.5h)."""
    high: EstimateDays
    """The longest it may take, in days, or with a unit (4h)."""


class Task(Model):
    """One task of a phase, done by one agent."""

    id: TaskId
    """Task id such as "7.1", quoted: YAML reads 7.10 as the number 7.1."""
    slug: Annotated[str, Check(_slug)]
    """File-name segment: the task file is task-<id>-<slug>.md."""
    key: MemoryKey | None = None
    """Memory-key segment; default: the slug with '_' for '-'."""
    title: Text
    """Task title."""
    role: Text
    """Agent role identifier, used by the spawn command (e.g. 'backend-dev')."""
    agent: str | None = None
    """Display name of the role (e.g. 'Backend Developer'); default: the role."""
    duration_days: Annotated[float, Range(gt=0), Check(_task_days)] = 0.0
    """Planned duration in days (on the project calendar); more than 0. Give this or duration."""
    duration: DurationText | None = None
    """Planned duration with its unit: 90m, 4h, 1.5d or 2w (d, w: working days and weeks of the
    project calendar). Give this or duration_days, never both."""
    milestone: bool = False
    """True for a milestone: a checkpoint of no duration, its dependencies and criteria its gate."""
    due: AwareDatetime | None = None
    """A milestone's fixed date (ISO 8601 with zone): the forecast says whether it will be met."""
    links: Annotated[dict[str, Annotated[str, MaxLen(MAX_LINK)]], Check(_links)] = {}
    """The task's identity elsewhere: issue, branch, worktree, pr or any other name -> short text or URL."""
    depends_on: tuple[str, ...] = ()
    """Ids of tasks of this phase that must be complete first; ``group:ID`` names every task of a group."""
    goal: str = ""
    """One-line goal."""
    objectives: tuple[Objective, ...] = ()
    """Objectives with steps."""
    deliverables: tuple[Line, ...] = ()
    """What the task hands over."""
    files: tuple[str, ...] = ()
    """Files and folders the task will touch (for the collision-risk table)."""
    criteria: tuple[Criterion, ...] = ()
    """The task's success criteria."""
    estimate: Estimate | None = None
    """The range its duration may take ({low, high} in days), for the forecast's spread."""
    group: GroupId | None = None
    """The id of the group of the phase (``groups:``) the task belongs to."""
    added: AwareDatetime | None = None
    """When the task joined the phase after its plan was frozen (ISO 8601 with zone): scope added, not a plan defect."""
    assignee: Annotated[
        tuple[AgentId, ...], Before(_assignees, json='{"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._-]*$"}')
    ] = ()
    """The agent id, or a list of ids, that run the task (all of them work on it); needs agents."""

    def _check(self) -> None:
        if self.duration is not None and self.duration_days:
            raise ValueError(
                f"gives both duration ({self.duration}) and duration_days ({self.duration_days:g}); keep one of them"
            )
        if self.milestone:
            if self.duration is not None or self.duration_days or self.estimate is not None:
                given = (
                    "duration" if self.duration is not None else "duration_days" if self.duration_days else "estimate"
                )
                raise ValueError(f"a milestone takes no time; remove {given} (or milestone: true)")
            return
        if self.due is not None:
            raise ValueError("due goes with milestone: true; give the date to a milestone that depends on this task")
        if self.duration is None and not self.duration_days:
            raise ValueError("needs a duration: duration (90m, 4h, 1.5d, 2w) or duration_days (a number of days)")
        if self.duration is not None:
            # the model is built once, here: its days of work are what every stage reads
            self.__dict__["duration_days"] = to_days(self.duration)
        e = self.estimate
        if e is not None and self.duration is not None and not e.low <= self.duration_days <= e.high:
            raise ValueError(f"estimate must hold the duration ({self.duration}): low <= duration <= high")
        if e is not None and not e.low <= self.duration_days <= e.high:
            raise ValueError(
                f"estimate {{low: {e.low:g}, high: {e.high:g}}} must hold duration_days ({self.duration_days:g}): "
                "low <= duration_days <= high"
            )

    @property
    def hours(self) -> bool:
        """True when its duration is written in minutes or hours."""
        return self.duration is not None and duration_parts(self.duration)[1] in ("m", "h")

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


class Trouble(Model):
    """A known problem and its fixes."""

    problem: Text
    """The symptom."""
    fixes: tuple[Line, ...] = ()
    """What to try."""


class Reference(Model):
    """A reference link: a path in the repository or a URL."""

    title: Text
    """Link text."""
    path: str | None = None
    """A path in the repository."""
    url: Url | None = None
    """An http(s) URL."""

    def _check(self) -> None:
        if (self.path is None) == (self.url is None):
            raise ValueError("give exactly one of path or url")


class Group(Model):
    """A group of tasks inside a phase (a stage, a stream), with its lead and its gate."""

    id: GroupId
    """Group id such as "P3": tasks name it in ``group:``, dependencies as ``group:P3``."""
    title: Text
    """Group title."""
    lead: str | None = None
    """Who leads the group (a role or a name)."""
    criteria: tuple[Criterion, ...] = ()
    """The group's gate: settled when every task of the group is complete."""


class Phase(Model):
    """phases/phase-NN/phase.yaml: one phase."""

    number: Annotated[int, Range(ge=0)]
    """The phase number; must match the folder phase-NN."""
    title: Text
    """Phase title."""
    summary: str = ""
    """What the phase is about."""
    created: AwareDatetime
    """When the package was made (ISO 8601 with zone)."""
    start: AwareDatetime
    """Planned start (ISO 8601 with zone)."""
    after_phase: int | None = None
    """The phase this one follows."""
    tasks: Annotated[tuple[Task, ...], MinLen(1)]
    """The tasks; at least one."""
    success_criteria: tuple[Criterion, ...] = ()
    """Phase-level criteria."""
    deliverables: tuple[Line, ...] = ()
    """The coordinator's own deliverables."""
    troubleshooting: tuple[Trouble, ...] = ()
    """Known problems and fixes."""
    tips: tuple[Line, ...] = ()
    """Advice for the agents and the operator."""
    references: tuple[Reference, ...] = ()
    """Reference documents."""
    groups: tuple[Group, ...] = ()
    """Groups of tasks inside the phase (stages, streams), each with its lead and gate."""
    agents: tuple[Agent, ...] = ()
    """The agents that run the tasks (extends or overrides project.yaml's by id); with agents the schedule is resource-levelled."""


Health = Literal["on_track", "at_risk", "off_track"]

#: The longest note a snapshot or a task entry may carry: a reason, not a report.
MAX_NOTE = 2000


_EVIDENCE_RE = re.compile(r"(git|merge|done|revert|ci):[A-Za-z0-9._-]{1,64}", re.ASCII)


def _evidence_id(value: str) -> str:
    if not _EVIDENCE_RE.fullmatch(value):
        raise ValueError(
            f"{value!r} is no evidence id; write git:, merge:, done:, revert: or ci: and an id (git:1a2b3c4)"
        )
    return value


def _entry(value: Any) -> Any:
    """A task entry written as a bare state (``"7.1": "complete"``) is an entry with only a state."""
    return {"state": value} if isinstance(value, str) else value


class TaskEntry(Model):
    """A task's state in a snapshot, with the reason and the time it began when known."""

    state: TaskState
    """pending, in_progress, complete or blocked."""
    note: Annotated[str, MinLen(1), MaxLen(MAX_NOTE)] | None = None
    """Why: what blocks the task and what would unblock it, or what was done."""
    at: AwareDatetime | None = None
    """When this state began, if not at the snapshot's timestamp (ISO 8601 with zone)."""
    started: AwareDatetime | None = None
    """When the work began, if before ``at`` (from evidence: the task's first commit)."""
    evidence: tuple[Annotated[str, Check(_evidence_id)], ...] = ()
    """Where the state comes from: ``git:``, ``merge:``, ``done:``, ``revert:`` or ``ci:`` ids (written by sync)."""
    waived: tuple[TaskId, ...] = ()
    """Dependencies the task went ahead of (in progress or complete before them); needs a note saying why."""
    metrics: dict[str, Any] = {}
    """Task-scoped values of catalogue metrics (``cost_usd``, ``tokens``): what this task alone cost or measured."""

    def _check(self) -> None:
        if self.waived and self.note is None:
            raise ValueError(
                f"waived ({', '.join(self.waived)}) needs a note saying why the task went ahead of "
                f"{'it' if len(self.waived) == 1 else 'them'}; add note"
            )
        if self.started is not None and self.state not in ("in_progress", "complete"):
            raise ValueError(f"started goes with in_progress or complete, not {self.state}")
        if self.started is not None and self.at is not None and self.started > self.at:
            raise ValueError("started is after at: the work cannot begin after the state it led to")


TaskRecord = Annotated[
    TaskEntry,
    Before(_entry, json='{"enum": ["pending", "in_progress", "complete", "blocked"]}'),
]
"""A task entry, or its state alone."""


class Snapshot(Model):
    """phases/phase-NN/metrics/*.json: metric values and task states at one time."""

    timestamp: AwareDatetime
    """When the values were measured (ISO 8601 with zone)."""
    label: str | None = None
    """Short name shown in tables and charts, e.g. 'Day 2'."""
    kind: SnapshotKind = "progress"
    """baseline, progress or final."""
    metrics: dict[str, Any] = {}
    """Metric key -> value of the metric's unit; null means not measured yet."""
    tasks: dict[str, TaskRecord] = {}
    """Task id -> state, or {state, note, at}: the note says why (a blocker's reason), at says since when."""
    checks: dict[str, bool] = {}
    """Hand-checked criterion id -> true (met) or false (missed)."""
    note: Annotated[str, MinLen(1), MaxLen(MAX_NOTE)] | None = None
    """Free text for the whole update: what happened since the last one."""
    health: Health | None = None
    """A person's call on the phase: on_track, at_risk or off_track (shown beside the computed one)."""
