"""``phasedocs sync``: one snapshot of what the git history shows, through ``record``'s checks.

The evidence adds to what people recorded and never replaces it: a task nobody has
recorded takes the state its commits show (in progress from its first commit, complete
when it landed), with ``at`` and ``started`` from the commits; a task whose recorded
state differs keeps it, and the evidence ids go beside it for the documents to compare.
A run that finds nothing new writes nothing, so running it twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from phasedocs.errors import Abort, printable
from phasedocs.evidence.derive import Rules, TaskEvidence, derive
from phasedocs.evidence.git import Commit, History, read_history
from phasedocs.formats import dumps, iso
from phasedocs.input.evidence import EVIDENCE_FILE
from phasedocs.input.project import PhaseInput, Project, find_phase_input, load_project
from phasedocs.paths import contained


@dataclass(frozen=True)
class SyncResult:
    """What a sync found and wrote."""

    path: Path | None
    """The snapshot written, or None when the evidence held nothing new."""
    tasks: dict[str, dict[str, Any]]
    """Task id -> the entry written."""
    shallow: bool
    commits: int
    evidence: Path | None = None
    """evidence.json, when this run changed it (None: the same reading was there already)."""


def _recorded(phase: PhaseInput) -> dict[str, dict[str, Any]]:
    """Each task's latest recorded entry (state and evidence), from the phase's snapshots in order."""
    latest: dict[str, dict[str, Any]] = {}
    for snap in phase.snapshots:
        for tid, entry in snap.snapshot.tasks.items():
            latest[tid] = {"state": entry.state, "evidence": tuple(entry.evidence)}
    return latest


def _repo(project_dir: Path, project: Project) -> Path:
    setting = project.config.evidence.repo
    if setting is None:
        return project_dir
    path = Path(setting)
    # a repository outside the project is read only when project.yaml names it (a reviewed input)
    return (project_dir / path).resolve() if not path.is_absolute() else path


def entries(phase: PhaseInput, found: dict[str, TaskEvidence], zone: ZoneInfo) -> dict[str, dict[str, Any]]:
    """The task entries the evidence adds, in task order; recorded states are kept as they are."""
    recorded = _recorded(phase)
    complete = {t for t, e in recorded.items() if e["state"] == "complete"}
    out: dict[str, dict[str, Any]] = {}
    for task in phase.phase.tasks:  # dependency order is task order in phase.yaml; checked again by record
        ev = found.get(task.id)
        if ev is None:
            continue
        mine = recorded.get(task.id, {"state": "pending", "evidence": ()})
        ids = ev.ids()
        shows = "complete" if ev.finished is not None else "in_progress" if ev.commits else None
        entry: dict[str, Any]
        ready = all(d in complete for d in task.depends_on)
        if mine["state"] == "pending" and shows is not None and ready:
            entry = {"state": shows}
            if shows == "complete" and ev.finished is not None:
                entry["at"] = iso(ev.finished, zone)
                if ev.started is not None and ev.started < ev.finished:
                    entry["started"] = iso(ev.started, zone)
            elif ev.started is not None:
                entry["at"] = iso(ev.started, zone)
        else:
            entry = {"state": mine["state"]}  # never overwritten: what the evidence says goes beside it
        entry["evidence"] = list(ids)
        if entry["state"] == "complete":
            complete.add(task.id)
        if entry["state"] == mine["state"] and tuple(ids) == tuple(mine["evidence"]):
            continue  # already recorded: nothing new
        out[task.id] = entry
    return out


def _stamp(commit: Commit) -> dict[str, str]:
    return {"commit": commit.short, "at": iso(commit.authored, ZoneInfo("UTC"))}


def reading(history: History, found: dict[str, TaskEvidence], skip: str | None = None) -> dict[str, Any]:
    """evidence.json's content: what the history shows of each task, in task order.

    A function of the history alone (no clock), so the same history gives the same bytes.
    Names from git (paths, branches) may hold control characters: they are written escaped
    (``\\n``), as no input may hold them. ``skip``: the project's own ``phases/`` folder in
    the repository, whose snapshots are records, not work.
    """
    utc = ZoneInfo("UTC")
    tasks: dict[str, Any] = {}
    for tid, ev in found.items():
        first: dict[str, tuple[datetime, str, Commit]] = {}
        for c in ev.commits:  # oldest first
            for f in c.files:
                if skip is not None and (f == skip or f.startswith(skip + "/")):
                    continue
                name = printable(f)
                if name not in first or (c.authored, c.id) < first[name][:2]:
                    first[name] = (c.authored, c.id, c)
        entry: dict[str, Any] = {"commits": len(ev.commits)}
        if ev.commits:
            entry["first"] = _stamp(min(ev.commits, key=lambda c: (c.authored, c.id)))
        if ev.landed is not None:
            kind, commit = ev.landed
            at = commit.committed if kind == "merge" else commit.authored  # as TaskEvidence.finished says
            entry["landed"] = {"kind": kind, "commit": commit.short, "at": iso(at, utc)}
        if ev.reverted is not None:
            entry["reverted"] = _stamp(ev.reverted)
        if ev.claims:
            entry["claims"] = [{**_stamp(c), "branches": sorted({printable(b) for b in on})} for c, on in ev.claims]
        if ev.branches:
            entry["branches"] = sorted({printable(b) for b in ev.branches})
        if first:
            entry["files"] = {name: _stamp(first[name][2]) for name in sorted(first)}
        tasks[tid] = entry
    newest = max((c.committed for c in history.commits.values()), default=None)
    return {
        "version": 1,
        "as_of": iso(newest, utc) if newest is not None else "1970-01-01T00:00:00Z",
        "history": {
            "commits": len(history.commits),
            "branches": len(history.refs),
            "default_branch": printable(history.default),
            "shallow": history.shallow,
        },
        "tasks": tasks,
    }


def _phases_in_repo(project_dir: Path, history: History) -> str | None:
    """The project's phases/ folder as a path inside the repository, if it lies there."""
    if history.root is None:
        return None
    try:
        return (project_dir.resolve() / "phases").relative_to(history.root).as_posix()
    except ValueError:
        return None


def write_reading(project_dir: Path, target: PhaseInput, data: dict[str, Any]) -> Path | None:
    """Write evidence.json of ``target`` atomically when its bytes change; its path, or None if unchanged."""
    from phasedocs.output.writer import atomic_write

    folder = contained(project_dir, project_dir / "phases" / target.folder, "phase folder")
    path = folder / EVIDENCE_FILE
    new = dumps(data)
    try:
        if path.is_file() and not path.is_symlink() and path.read_bytes() == new:
            return None
    except OSError:
        pass
    atomic_write(path, new)
    return path


def sync(project_dir: Path, phase: str | None = None) -> SyncResult:
    """Read the history, derive each task's evidence, and record what is new as one snapshot."""
    from phasedocs.commands.measure import default_phase
    from phasedocs.commands.record import build_snapshot, write_snapshot

    project = load_project(project_dir)
    target = find_phase_input(project, phase) if phase is not None else default_phase(project)
    settings = project.config.evidence
    repo = _repo(project_dir, project)
    if settings.repo is None:
        contained(project_dir, repo, "repository")
    if not repo.is_dir():
        raise Abort(f"evidence.repo: {repo} is not a folder; set it to the git repository of the work")
    history = read_history(repo, settings.branch)
    rules = Rules(settings.trailer, settings.done_trailer, settings.branch_pattern, settings.message_pattern)
    found = derive(history, [t.id for t in target.phase.tasks], rules)
    zone = ZoneInfo(project.config.timezone)
    data = reading(history, found, _phases_in_repo(project_dir, history))
    _check_reading(data)
    new = entries(target, found, zone)
    if not new:
        return SyncResult(None, {}, history.shallow, len(history.commits), write_reading(project_dir, target, data))
    # as of the newest commit read (the history's "now"), never the clock; never before the phase's last snapshot
    when = max([c.committed for c in history.commits.values()] + [s.snapshot.timestamp for s in target.snapshots])
    landed = sum(1 for e in new.values() if e["state"] == "complete")
    note = (
        f"from git: {len(history.commits)} commits on {len(history.refs)} branches; {len(new)} tasks with new evidence"
    )
    snapshot = build_snapshot(
        project,
        target,
        at=iso(when, zone),
        label="git sync",
        raw={"tasks": new, "note": note + (f", {landed} landed" if landed else "")},
    )
    # the snapshot was checked: only now is anything written (the reading first, as the documents compare both)
    wrote = write_reading(project_dir, target, data)
    return SyncResult(write_snapshot(project_dir, target, snapshot), new, history.shallow, len(history.commits), wrote)


def _check_reading(data: dict[str, Any]) -> None:
    """The reading is checked as the loader will check it, before it is written (a commit dated
    outside the years inputs may hold would make the project invalid)."""
    from phasedocs.input.evidence import EvidenceFile
    from phasedocs.input.records import ValidationError, parse

    try:
        parse(EvidenceFile, data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(part) for part in first["loc"])
        raise Abort(
            f"{EVIDENCE_FILE}: {where}: {first['msg']}; the history holds what the input format refuses"
        ) from None


def summary_markdown(result: SyncResult) -> str:
    """What a sync recorded, as a markdown table for a CI job summary (text escaped: it comes from git)."""
    from phasedocs.render.filters import md

    if result.path is None:
        return f"### phasedocs sync\n\nNothing new in {result.commits} commits.\n"
    lines = ["### phasedocs sync", "", "| Task | State | Evidence |", "|---|---|---|"]
    for tid, entry in result.tasks.items():
        lines.append(f"| {md(tid)} | {md(entry['state'])} | {md(', '.join(entry.get('evidence', [])))} |")
    if result.shallow:
        lines += ["", "The clone is shallow: history before its depth is missing (checkout with `fetch-depth: 0`)."]
    return "\n".join(lines) + "\n"
