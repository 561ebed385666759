"""What the latest reading of git (evidence.json, written by ``phasedocs sync``) adds beside the records.

Pure: no git here, only the reading. Three things, each checked by hand in tests/test_evidence.py:

- **verify**: a recorded state the history disagrees with. Recorded complete and no commit
  names the task; recorded complete and its work has not landed (a branch not merged, a
  merge reverted); landed (merged, or ``Task-Done``) and recorded in progress or pending;
  commits and recorded pending; claimed done by more than one commit; work committed before
  the phase's planned start. The record is never changed: this says what to check.
- **collisions**: files that two tasks changed while both were running, before either
  landed. A task's change of a file spans from its first commit that changed it to the
  task's landing (open while not landed); two such spans overlapping in time
  (``max(first) < min(landing)``) are a collision: each branch changed the file without the
  other's change. Grouped by file, with each task's first change.
- **undeclared**: files a task changed that none of its declared ``files`` holds (a folder
  holds the paths under it), grouped by file. Judged only in a phase that declares files.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from typing import TYPE_CHECKING, Any

from phasedocs.facts.model import EvidenceFacts, GitCollision, TaskEvidence, Touch, Undeclared, VerifyItem
from phasedocs.input.models import Task

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from phasedocs.input.evidence import EvidenceFile, TaskReading

#: Task states as the verify list says them.
_RECORDED = {"pending": "not started", "in_progress": "in progress", "blocked": "blocked", "complete": "complete"}


def _time(dt: datetime, tz: ZoneInfo) -> str:
    return dt.astimezone(tz).strftime("%Y-%m-%d %H:%M %Z")


def _norm(path: str) -> str:
    return path.strip().strip("/").replace("\\", "/")


def _declares(paths: set[str], file: str) -> bool:
    """True when ``file`` is one of ``paths`` or lies in a folder among them."""
    parts = file.split("/")
    return any("/".join(parts[:n]) in paths for n in range(1, len(parts) + 1))


def verify_items(
    tasks: list[Task], recorded: dict[str, str], reading: EvidenceFile, start: datetime, tz: ZoneInfo
) -> tuple[VerifyItem, ...]:
    """Each recorded state the reading disagrees with, task by task (see the module's list)."""
    out: list[VerifyItem] = []
    shallow = " (the clone is shallow: older history was not read)" if reading.history.shallow else ""
    for t in tasks:
        state = recorded.get(t.id, "pending")
        ev = reading.tasks.get(t.id)
        if ev is None:
            if state == "complete":
                out.append(
                    VerifyItem(
                        t.id,
                        "no_commit",
                        f"recorded complete, but no commit names it in {reading.history.commits:,} commits "
                        f"read{shallow}: verify the work exists and how its commits name the task",
                        (),
                    )
                )
            continue
        out += _disagreements(t.id, state, ev, reading.history.default_branch, tz)
        if ev.first is not None and ev.first.at < start:
            out.append(
                VerifyItem(
                    t.id,
                    "before_start",
                    f"work committed before the phase's start: first commit {ev.first.commit} at "
                    f"{_time(ev.first.at, tz)}, the phase starts {_time(start, tz)}; "
                    "verify the commit belongs to this phase's task",
                    (ev.first.commit,),
                    ev.first.at,
                )
            )
    return tuple(out)


def _disagreements(tid: str, state: str, ev: TaskReading, default: str, tz: ZoneInfo) -> list[VerifyItem]:
    out: list[VerifyItem] = []
    landed = ev.landed
    if state == "complete" and landed is None:
        if ev.reverted is not None:
            what = f"its landing was reverted by {ev.reverted.commit} at {_time(ev.reverted.at, tz)}"
            ids: tuple[str, ...] = (ev.reverted.commit,)
            since: datetime | None = ev.reverted.at
        else:
            where = f" on {', '.join(ev.branches)}" if ev.branches else ""
            first = f", first {ev.first.commit}" if ev.first is not None else ""
            what = f"its {ev.commits} commit{'s' if ev.commits != 1 else ''}{where}{first} never landed on {default}"
            ids = (ev.first.commit,) if ev.first is not None else ()
            since = ev.first.at if ev.first is not None else None
        out.append(
            VerifyItem(tid, "not_landed", f"recorded complete, but {what}: verify it is done and merged", ids, since)
        )
    elif state != "complete" and landed is not None:
        how = "merged" if landed.kind == "merge" else "declared done"
        out.append(
            VerifyItem(
                tid,
                "landed_unrecorded",
                f"{how} by {landed.commit} at {_time(landed.at, tz)}, recorded {_RECORDED[state]}: "
                "verify it is complete and record it (phasedocs sync records it once its dependencies are)",
                (landed.commit,),
                landed.at,
            )
        )
    elif state == "pending" and ev.first is not None:
        out.append(
            VerifyItem(
                tid,
                "work_unrecorded",
                f"{ev.commits} commit{'s' if ev.commits != 1 else ''} since {_time(ev.first.at, tz)} "
                f"(first {ev.first.commit}), recorded not started: verify who works on it "
                "and whether its dependencies are complete",
                (ev.first.commit,),
                ev.first.at,
            )
        )
    if len(ev.claims) > 1:
        branches = sorted({b for c in ev.claims for b in c.branches})
        listed = ", ".join(f"{c.commit} ({', '.join(c.branches) or 'no branch'})" for c in ev.claims)
        out.append(
            VerifyItem(
                tid,
                "claimed_repeatedly",
                f"claimed complete by {len(ev.claims)} commits from {len(branches)} "
                f"branch{'es' if len(branches) != 1 else ''}: {listed}; verify which claim holds",
                tuple(c.commit for c in ev.claims),
                ev.claims[-1].at,
            )
        )
    return out


def git_collisions(tasks: list[Task], reading: EvidenceFile) -> tuple[GitCollision, ...]:
    """Files changed by tasks whose changes overlapped in time before either landed, by file.

    Per file, the spans [first change, landing) sorted by start: a span overlaps an earlier
    one exactly when it starts before the latest end so far, and then overlaps the span
    holding that end; both are marked. One sort per file: linear in touches (times a log).
    """
    position = {t.id: i for i, t in enumerate(tasks)}
    far = datetime.max.replace(tzinfo=reading.as_of.tzinfo)
    spans: dict[str, list[tuple[datetime, datetime, str, Touch]]] = defaultdict(list)
    for tid, ev in reading.tasks.items():
        end = ev.landed.at if ev.landed is not None else far
        for file, stamp in ev.files.items():
            if stamp.at < end:  # a change at its own landing (a commit straight on the default branch) runs no time
                spans[file].append((stamp.at, end, tid, Touch(tid, stamp.commit, stamp.at)))
    out = []
    for file in sorted(spans):
        items = sorted(spans[file], key=lambda s: (s[0], position.get(s[2], 0)))
        marked: dict[str, Touch] = {}
        top: tuple[datetime, datetime, str, Touch] | None = None
        for item in items:
            if top is not None and item[0] < top[1]:
                marked[item[2]] = item[3]
                marked[top[2]] = top[3]
            if top is None or item[1] > top[1]:
                top = item
        if marked:
            out.append(GitCollision(file, tuple(sorted(marked.values(), key=lambda x: position.get(x.task, 0)))))
    return tuple(out)


def undeclared(tasks: list[Task], reading: EvidenceFile) -> tuple[Undeclared, ...]:
    """Files tasks changed outside their declared ``files``, by file (none when the phase declares no files)."""
    if not any(t.files for t in tasks):
        return ()
    by_file: dict[str, list[Touch]] = defaultdict(list)
    for t in tasks:  # task order
        ev = reading.tasks.get(t.id)
        if ev is None:
            continue
        paths = {p for p in (_norm(f) for f in t.files) if p}
        for file, stamp in ev.files.items():
            if not _declares(paths, file):
                by_file[file].append(Touch(t.id, stamp.commit, stamp.at))
    return tuple(Undeclared(f, tuple(by_file[f])) for f in sorted(by_file))


def _ids(ev: TaskReading) -> tuple[str, ...]:
    """A task's provenance as snapshots carry it: ``git:`` first commit, ``merge:``/``done:``, ``revert:``."""
    ids = [f"git:{ev.first.commit}"] if ev.first is not None else []
    if ev.landed is not None:
        ids.append(f"{ev.landed.kind}:{ev.landed.commit}")
    if ev.reverted is not None:
        ids.append(f"revert:{ev.reverted.commit}")
    return tuple(ids)


def evidence_facts(
    tasks: list[Task], recorded: dict[str, str], reading: EvidenceFile | None, start: datetime, tz: ZoneInfo
) -> EvidenceFacts | None:
    """The evidence facts of a phase from its reading; None when sync never ran."""
    if reading is None:
        return None
    verify = verify_items(tasks, recorded, reading, start, tz)
    real = git_collisions(tasks, reading)
    outside = undeclared(tasks, reading)
    mine: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for v in verify:
        mine[v.task]["verify"].append(v)
    for c in real:
        for x in c.touches:
            mine[x.task]["collided"].append(c.file)
    for u in outside:
        for x in u.touches:
            mine[x.task]["undeclared"].append(u.file)
    per_task = {
        t.id: TaskEvidence(
            _ids(reading.tasks[t.id]) if t.id in reading.tasks else (),
            tuple(mine[t.id]["verify"]),
            tuple(mine[t.id]["collided"]),
            tuple(mine[t.id]["undeclared"]),
        )
        for t in tasks
        if t.id in reading.tasks or t.id in mine
    }
    return EvidenceFacts(
        as_of=reading.as_of,
        commits=reading.history.commits,
        shallow=reading.history.shallow,
        default_branch=reading.history.default_branch,
        verify=verify,
        collisions=real,
        undeclared=outside,
        tasks=per_task,
    )
