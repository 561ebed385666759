"""``phasedocs record``: append one metric snapshot to a phase, safely.

Everything is checked before anything is written; the file appears atomically under a
name that sorts by time and never collides with another record, even one made by a
concurrent process in the same second (``os.link`` refuses an existing name).
"""

from __future__ import annotations

import contextlib
import difflib
import math
import re
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path, PurePosixPath
from typing import Any
from zoneinfo import ZoneInfo

from phasedocs.dates import impossible
from phasedocs.errors import Abort
from phasedocs.formats import dumps, iso
from phasedocs.input.loader import MAX_MAGNITUDE, RANGE_RULE, Document, load_json
from phasedocs.input.messages import describe, parse_model, value_error
from phasedocs.input.models import Snapshot
from phasedocs.input.project import (
    PhaseInput,
    Project,
    find_phase_input,
    hand_check_ids,
    load_project,
    snapshot_errors,
    snapshot_order_errors,
)
from phasedocs.output.writer import create_new, locked
from phasedocs.paths import contained

STATES = ("pending", "in_progress", "complete", "blocked")
KINDS = ("baseline", "progress", "final")
_INT_RE = re.compile(r"[+-]?[0-9]+", re.ASCII)
_FLOAT_RE = re.compile(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?", re.ASCII)


def parse_value(unit: str, text: str) -> Any:
    """A --metric value typed by its unit; raise ValueError with the reason."""
    t = text.strip()
    if t == "null":
        return None
    if unit == "text":
        return text
    if unit == "ratio" and "/" in t:
        num, _, den = t.partition("/")
        problem = value_error("ratio", f"{num.strip()}/{den.strip()}")
        if problem:
            raise ValueError(problem)
        return f"{num.strip()}/{den.strip()}"
    if _INT_RE.fullmatch(t) or _FLOAT_RE.fullmatch(t):
        value = float(t)
        if not math.isfinite(value) or abs(value) > MAX_MAGNITUDE:
            raise ValueError(f"'{text}' is out of range; {RANGE_RULE}")
        return int(t) if _INT_RE.fullmatch(t) else value
    what = "a number or a ratio such as 626/630" if unit == "ratio" else f"a number ({unit})"
    raise ValueError(f"expected {what} or null, got '{text}'")


def _local_time_problem(when: datetime, zone: ZoneInfo) -> str | None:
    """Why a wall-clock time in ``zone`` does not name one instant (a DST gap or overlap)."""
    utc = ZoneInfo("UTC")
    there_and_back = when.astimezone(utc).astimezone(zone).replace(tzinfo=None)
    if there_and_back != when.replace(tzinfo=None):
        return f"this local time does not exist in {zone.key} (the clocks skip it)"
    if when.replace(fold=0).utcoffset() != when.replace(fold=1).utcoffset():
        return f"this local time happens twice in {zone.key} (the clocks go back)"
    return None


def _offsets(when: datetime, zone: ZoneInfo) -> str:
    """The two UTC offsets around a DST change, as an example to write."""
    around = [when.replace(fold=0), when.replace(fold=1), when - timedelta(hours=3), when + timedelta(hours=3)]
    found = sorted({off for off in (w.utcoffset() for w in around) if off is not None})
    texts = []
    for off in found:
        minutes = int(off.total_seconds() // 60)
        texts.append(f"{'+' if minutes >= 0 else '-'}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}")
    return " or ".join(texts)


def parse_at(at: str, zone: ZoneInfo, option: str = "--at") -> datetime:
    """An ``--at`` value (or ``option``'s) as a datetime; a bare time is in the project's ``zone``.
    ValueError says why not."""
    try:
        when = datetime.fromisoformat(at.replace("Z", "+00:00"))
    except ValueError:
        reason = impossible(at)  # shaped like a date-time, but no such day or hour: say why
        raise ValueError(
            f"{option} {reason}"
            if reason
            else f"{option} {at}: not a date-time; write ISO 8601 such as 2025-10-24T16:00:00Z"
        ) from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=zone)  # a bare time means the project's zone
        problem = _local_time_problem(when, zone)
        if problem:
            raise ValueError(f"{option} {at}: {problem}; give the offset, e.g. {_offsets(when, zone)}")
    return when


def wall_clock(zone: ZoneInfo, now: datetime | None = None) -> datetime:
    """The time of a record or a freeze when none is given: the only places phasedocs reads the clock."""
    current = now or datetime.now(tz=zone)
    return current.astimezone(zone).replace(microsecond=0)


def _fraction(value: Any) -> float | None:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if isinstance(value, str) and "/" in value:
        num, _, den = value.partition("/")
        try:
            return float(num) / float(den)
        except (ValueError, ZeroDivisionError):
            return None
    return None


def implausible(project: Project, phase: PhaseInput, metrics: dict[str, Any]) -> list[str]:
    """Values that are valid but probably a slip of unit: a ratio above 1, or a percent below 1
    where every earlier value was above 1 (0.95 for 95%). Each says what was likely meant."""
    out = []
    for key, value in metrics.items():
        metric = project.config.metrics.get(key)
        x = _fraction(value)
        if metric is None or x is None:
            continue
        if metric.unit == "ratio" and x > 1:
            out.append(
                f"{key}={value}: above 1, but a ratio is a fraction (0.95, or 95/100); "
                "if the metric is a percentage, give it unit: percent. Record it anyway with --accept"
            )
        elif metric.unit == "percent" and 0 < x < 1:
            earlier = [v for s in phase.snapshots if (v := _fraction(s.snapshot.metrics.get(key))) is not None]
            if earlier and all(v > 1 for v in earlier):
                out.append(
                    f"{key}={value}: a percent below 1, where earlier values were above 1 (last {earlier[-1]:g}); "
                    f"for {x * 100:g}% record {x * 100:g}. Record it anyway with --accept"
                )
    return out


def _pairs(options: tuple[str, ...], flag: str, problems: list[str]) -> list[tuple[str, str, str]]:
    out = []
    for option in options:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            problems.append(f"{flag} {option}: write {flag} KEY=VALUE")
            continue
        out.append((option, key.strip(), value))
    return out


_ID_LIKE_RE = re.compile(r"[0-9][0-9A-Za-z._-]*", re.ASCII)


def _current_state(phase: PhaseInput, tid: str) -> str:
    """The state a task was last recorded in (pending if never): a note alone keeps it."""
    for s in reversed(phase.snapshots):
        entry = s.snapshot.tasks.get(tid)
        if entry is not None:
            return entry.state
    return "pending"


def build_snapshot(
    project: Project,
    phase: PhaseInput,
    *,
    metrics: tuple[str, ...] = (),
    tasks: tuple[str, ...] = (),
    checks: tuple[str, ...] = (),
    notes: tuple[str, ...] = (),
    waive: tuple[str, ...] = (),
    task_metrics: tuple[str, ...] = (),
    health: str | None = None,
    from_json: Path | None = None,
    at: str | None = None,
    label: str | None = None,
    kind: str | None = None,
    now: datetime | None = None,
    values: dict[str, Any] | None = None,
    task_values: dict[str, dict[str, Any]] | None = None,
    accept: bool = False,
    raw: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The snapshot the flags describe, checked against the catalogue; :class:`Abort` lists every problem."""
    config = project.config
    problems: list[str] = []
    data: dict[str, Any] = {"metrics": {}, "tasks": {}, "checks": {}}
    if from_json is not None:
        doc = load_json(from_json, str(from_json))  # its own errors name the file and line
        given = doc.data  # not ``raw``: that is what a command (sync) built
        shaped = any(k in given for k in ("metrics", "tasks", "checks", "timestamp", "label", "kind", "note", "health"))
        if shaped:
            for k in ("metrics", "tasks", "checks"):
                if isinstance(given.get(k), dict):
                    data[k].update(given[k])
                elif k in given:  # a list or a number here is a mistake, never an empty section
                    problems.append(f"{from_json}: {k}: expected a mapping (key: value), got {describe(given[k])}")
            for k in ("timestamp", "label", "kind", "note", "health"):
                if k in given:
                    data[k] = given[k]
        else:  # a flat {"metric": value} object, as CI tools print
            data["metrics"].update(given)
    data["metrics"].update(values or {})  # read from tool reports (measure)
    if raw is not None:  # entries built by a command (sync): task entries and a note
        data["tasks"].update(raw.get("tasks", {}))
        if raw.get("note"):
            data["note"] = raw["note"]
    for option, key, text in _pairs(metrics, "--metric", problems):
        metric = config.metrics.get(key)
        if metric is None:
            close = difflib.get_close_matches(key, list(config.metrics), n=1)
            hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(config.metrics)}"
            problems.append(f"--metric {option}: unknown metric '{key}'; {hint}")
            continue
        try:
            data["metrics"][key] = parse_value(metric.unit, text)
        except ValueError as exc:
            problems.append(f"--metric {option}: {exc}")
    task_ids = [t.id for t in phase.phase.tasks]
    for option, key, text in _pairs(tasks, "--task", problems):
        if key not in task_ids:
            problems.append(f"--task {option}: unknown task '{key}' (known: {', '.join(task_ids)})")
        elif text.strip() not in STATES:
            problems.append(f"--task {option}: unknown state '{text}'; use one of {', '.join(STATES)}")
        elif isinstance(data["tasks"].get(key), dict):  # an entry with more than a state keeps the rest
            data["tasks"][key] = {**data["tasks"][key], "state": text.strip()}
        else:
            data["tasks"][key] = text.strip()
    for tid, own in (task_values or {}).items():  # read from the agents' logs (measure): state kept
        entry = data["tasks"].get(tid)
        if not isinstance(entry, dict):
            entry = {"state": entry if entry is not None else _current_state(phase, tid)}
        data["tasks"][tid] = {**entry, "metrics": {**entry.get("metrics", {}), **own}}
    check_ids = hand_check_ids(phase.phase)
    for option, key, text in _pairs(checks, "--check", problems):
        if key not in check_ids:
            problems.append(
                f"--check {option}: unknown hand-checked criterion '{key}' (known: {', '.join(check_ids) or 'none'})"
            )
        elif text.strip().lower() not in ("true", "false"):
            problems.append(f"--check {option}: write true or false, not '{text}'")
        else:
            data["checks"][key] = text.strip().lower() == "true"
    for text in notes:
        key, sep, rest = text.partition("=")
        if sep and key.strip() in task_ids:  # ID=TEXT: a task's note (ids never hold spaces)
            tid, note = key.strip(), rest.strip()
            if not note:
                problems.append(
                    f'--note {text}: the note is empty; say why, e.g. --note {tid}="waiting for the licence"'
                )
                continue
            entry = data["tasks"].get(tid)
            state = entry.get("state") if isinstance(entry, dict) else entry
            if state is None:
                state = _current_state(phase, tid)
            data["tasks"][tid] = {**(entry if isinstance(entry, dict) else {}), "state": state, "note": note}
        elif sep and _ID_LIKE_RE.fullmatch(key.strip()):  # "7.9=..." is a task id mistyped, not prose
            problems.append(
                f"--note {text}: unknown task '{key.strip()}' (known: {', '.join(task_ids)}); "
                "for a note on the whole snapshot write text without ID="
            )
        elif text.strip():
            data["note"] = (data.get("note", "") + "\n" + text.strip()).strip()
        else:
            problems.append("--note: the note is empty")
    for option, key, text in _pairs(waive, "--waive", problems):
        deps = [d.strip() for d in text.split(",") if d.strip()]
        if key not in task_ids:
            problems.append(f"--waive {option}: unknown task '{key}' (known: {', '.join(task_ids)})")
        elif not deps:
            problems.append(f"--waive {option}: name the dependencies it went ahead of, e.g. --waive {key}=6.1,6.2")
        else:
            entry = data["tasks"].get(key)
            if not isinstance(entry, dict):
                entry = {"state": entry if entry is not None else _current_state(phase, key)}
            if not entry.get("note"):
                problems.append(
                    f'--waive {option}: say why {key} went ahead of {", ".join(deps)}: add --note {key}="..." '
                    "(a waiver is recorded with its reason)"
                )
            data["tasks"][key] = {**entry, "waived": list(dict.fromkeys([*entry.get("waived", []), *deps]))}
    for option in task_metrics:
        _task_metric(option, config.metrics, phase, task_ids, data["tasks"], problems)
    if health is not None:
        data["health"] = health
    if not accept:
        problems += implausible(project, phase, data["metrics"])
    zone = ZoneInfo(config.timezone)
    if at is not None:
        try:
            data["timestamp"] = iso(parse_at(at, zone), zone)
        except ValueError as exc:
            problems.append(str(exc))
    elif "timestamp" not in data:
        data["timestamp"] = iso(wall_clock(zone, now), zone)
    if label is not None:
        data["label"] = label
    if kind is not None:
        if kind not in KINDS:
            problems.append(f"--kind {kind}: use one of {', '.join(KINDS)}")
        else:
            data["kind"] = kind
    if problems:
        raise Abort("nothing recorded:\n" + "\n".join(f"  {p}" for p in problems))
    ordered: dict[str, Any] = {
        k: data[k] for k in ("timestamp", "label", "kind", "note", "health", "metrics", "tasks", "checks") if k in data
    }
    # the same rules as files on disk, together with the phase's other snapshots
    doc = Document(f"phases/{phase.folder}/metrics/(new)", ordered, {(): (1, 1)})
    snap, errors = parse_model(doc, Snapshot)
    errors += snapshot_errors(phase.phase, config, [(doc, snap)])
    if snap is not None and not errors:  # the new one in its place among the phase's snapshots
        earlier = [(Document(s.file, {}, {}), s.snapshot) for s in phase.snapshots]
        timeline = sorted([*earlier, (doc, snap)], key=lambda ds: ds[1].timestamp)
        # its own faults, and those it makes in later snapshots (a dependency reopened before them)
        before = {e.text for e in snapshot_order_errors(phase.phase, sorted(earlier, key=lambda ds: ds[1].timestamp))}
        errors += [e for e in snapshot_order_errors(phase.phase, timeline) if e.text not in before]
    lines = [f"  {e.field}: {e.problem}" if e.field else f"  {e.problem}" for e in errors]
    baseline = next((s.file for s in phase.snapshots if s.snapshot.kind == "baseline"), None)
    if ordered.get("kind") == "baseline" and baseline is not None:
        lines.append(f"  --kind baseline: the phase has a baseline already ({baseline}); record this one as progress")
    if lines:
        raise Abort("nothing recorded:\n" + "\n".join(lines))
    return ordered


def _task_metric(
    option: str,
    catalogue: dict[str, Any],
    phase: PhaseInput,
    task_ids: list[str],
    tasks: dict[str, Any],
    problems: list[str],
) -> None:
    """One ``--task-metric ID:KEY=VALUE``: the value goes into the task's entry (its state kept)."""
    head, sep, text = option.partition("=")
    tid, colon, key = head.partition(":")
    tid, key = tid.strip(), key.strip()
    if not sep or not colon or not tid or not key:
        problems.append(
            f"--task-metric {option}: write --task-metric ID:KEY=VALUE, e.g. --task-metric 7.1:cost_usd=3.2"
        )
        return
    if tid not in task_ids:
        problems.append(f"--task-metric {option}: unknown task '{tid}' (known: {', '.join(task_ids)})")
        return
    metric = catalogue.get(key)
    if metric is None:
        close = difflib.get_close_matches(key, list(catalogue), n=1)
        hint = f"did you mean '{close[0]}'?" if close else f"known: {', '.join(catalogue)}"
        problems.append(f"--task-metric {option}: unknown metric '{key}'; {hint}")
        return
    try:
        value = parse_value(metric.unit, text)
    except ValueError as exc:
        problems.append(f"--task-metric {option}: {exc}")
        return
    entry = tasks.get(tid)
    if not isinstance(entry, dict):
        entry = {"state": entry if entry is not None else _current_state(phase, tid)}
    tasks[tid] = {**entry, "metrics": {**entry.get("metrics", {}), key: value}}


def file_stem(snapshot: dict[str, Any]) -> str:
    """``2025-10-24T16-00-00Z-progress``: UTC, so names sort by time in any zone."""
    when = datetime.fromisoformat(str(snapshot["timestamp"]).replace("Z", "+00:00")).astimezone(ZoneInfo("UTC"))
    return when.strftime("%Y-%m-%dT%H-%M-%SZ") + "-" + str(snapshot.get("kind", "progress"))


def write_exclusive(folder: Path, stem: str, data: bytes) -> Path:
    """Write ``data`` as a new file ``stem.json`` (or ``stem~2.json``, ...): atomic, never replacing."""
    n = 1
    while True:
        # '~' sorts after '.', so a second record of the same second sorts after the first
        path = folder / (f"{stem}.json" if n == 1 else f"{stem}~{n}.json")
        try:
            create_new(path, data)
            return path
        except FileExistsError:
            n += 1


def dated_before_latest(project: Project, target: PhaseInput, snapshot: dict[str, Any], path: Path) -> str | None:
    """A warning when the snapshot written at ``path`` sorts before the phase's latest (a clock
    behind, or a record dated ahead with --at): it is kept, but the later one wins."""
    if not target.snapshots:
        return None
    latest = target.snapshots[-1]
    when = datetime.fromisoformat(str(snapshot["timestamp"]).replace("Z", "+00:00"))
    if when >= latest.snapshot.timestamp:
        return None
    shown = iso(latest.snapshot.timestamp, ZoneInfo(project.config.timezone))
    return (
        f"this snapshot is dated {snapshot['timestamp']}, before the phase's latest "
        f"({shown}, {PurePosixPath(latest.file).name}): where a later snapshot sets the same metric, task or check, "
        f"the documents show the later value. If this one is the newest, delete {path} and record it again "
        f"with --at later than {shown}"
    )


def record(project_dir: Path, phase: str, **flags: Any) -> tuple[Path, str | None]:
    """``phasedocs record``: validate the project and the new snapshot, then write it; return
    its path and, when --at is not given and it sorts before the phase's latest snapshot, a
    warning (:func:`dated_before_latest`).

    Under the phase's lock, so that records made at the same moment queue: each is checked
    against the snapshots the others wrote (two baselines, or a task started while another
    record reopens its dependency, are each valid alone but not together).
    """
    from phasedocs.paths import named_input

    if flags.get("from_json") is not None:  # a committed reports/m.json -> ~/.aws/credentials is not read
        named_input(project_dir, Path(flags["from_json"]), "--from-json")
    target = find_phase_input(load_project(project_dir), phase)
    with phase_locked(project_dir, target):
        project = load_project(project_dir)  # again: what the records before this one wrote
        target = find_phase_input(project, phase)
        snapshot = build_snapshot(project, target, **flags)
        path = write_snapshot(project_dir, target, snapshot)
    warning = None if flags.get("at") is not None else dated_before_latest(project, target, snapshot, path)
    return path, warning


@contextlib.contextmanager
def phase_locked(project_dir: Path, target: PhaseInput, wait: float | None = None) -> Iterator[None]:
    """Hold the lock of ``target``'s phase folder (on the folder itself: no lock file to commit
    or to leave behind), which every command that writes a snapshot takes."""
    folder = contained(project_dir, project_dir / "phases" / target.folder, "phase folder")
    with locked(folder, wait):
        yield


def write_snapshot(project_dir: Path, target: PhaseInput, snapshot: dict[str, Any]) -> Path:
    """Write a checked ``snapshot`` of ``target`` into its metrics folder: atomic, never replacing."""
    folder = contained(project_dir, project_dir / "phases" / target.folder / "metrics", "metrics folder")
    folder.mkdir(exist_ok=True)
    return write_exclusive(folder, file_stem(snapshot), dumps(snapshot))
