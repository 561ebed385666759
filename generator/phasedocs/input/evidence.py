"""phases/phase-NN/evidence.json: what ``phasedocs sync`` found in the git history.

``sync`` writes it (atomically, whole, every run: it is a function of the history, so an
unchanged history writes the same bytes and nothing changes); the loader reads it like any
other input, untrusted: a pull request or an agent can edit it, so its shape is checked
here and its task ids against phase.yaml. The facts read it and never run git: what the
evidence says goes beside the recorded states (the snapshots), which it never replaces.

Why a file of its own and not more fields in the snapshot sync writes: the evidence is a
*reading* of the history as a whole, replaced at each sync (a task recorded complete that
no commit names shows only as an absence, which a snapshot of additions cannot hold), and
the files each task changed would grow every snapshot; the snapshots stay the timeline of
states, this file the latest reading.
"""

from __future__ import annotations

import re
from typing import Annotated, Literal

from phasedocs.errors import InputError
from phasedocs.input.loader import Document
from phasedocs.input.models import AwareDatetime, TaskId
from phasedocs.input.records import Check, MaxLen, MinLen, Model, Range

#: The file's name in a phase folder.
EVIDENCE_FILE = "evidence.json"
#: Bounds on what one reading holds: far above any real history, low enough to bound the work.
MAX_FILES = 100_000
MAX_CLAIMS = 10_000
MAX_BRANCHES = 1_000
_RESTORE = "evidence.json is written by phasedocs sync; delete it and run phasedocs sync again to write it anew"

_COMMIT_RE = re.compile(r"[0-9a-f]{7,40}", re.ASCII)


def _commit(value: str) -> str:
    if not _COMMIT_RE.fullmatch(value):
        raise ValueError(f"{value!r} is no commit id; write 7 to 40 lowercase hex digits")
    return value


CommitId = Annotated[str, Check(_commit)]
#: A path or a branch name as git gave it (control characters escaped by sync).
Name = Annotated[str, MinLen(1), MaxLen(4096)]


class Stamp(Model):
    """One commit and its time."""

    commit: CommitId
    """The commit's short id."""
    at: AwareDatetime
    """Its author time (when the work was written), in UTC."""


class Landing(Model):
    """How a task's work reached the default branch."""

    kind: Literal["merge", "done"]
    """merge (its branch merged) or done (a commit said Task-Done)."""
    commit: CommitId
    """The merge or the Task-Done commit."""
    at: AwareDatetime
    """When it landed: the merge's commit time, or the claim's author time."""


class Claim(Model):
    """One commit that declared the task done, with the branches it is on."""

    commit: CommitId
    """The Task-Done commit."""
    at: AwareDatetime
    """Its author time."""
    branches: Annotated[tuple[Name, ...], MaxLen(MAX_BRANCHES)] = ()
    """The branches it is on (the default branch once it landed there)."""


class TaskReading(Model):
    """What the history shows of one task."""

    commits: Annotated[int, Range(ge=0)]
    """How many commits belong to it."""
    first: Stamp | None = None
    """Its first commit (its work began then)."""
    landed: Landing | None = None
    """When and how its work landed, unless a revert took it back."""
    reverted: Stamp | None = None
    """The revert that took its landing back, if nothing landed after it."""
    claims: Annotated[tuple[Claim, ...], MaxLen(MAX_CLAIMS)] = ()
    """Every Task-Done commit naming it, oldest first."""
    branches: Annotated[tuple[Name, ...], MaxLen(MAX_BRANCHES)] = ()
    """Its branches (by name pattern), sorted."""
    files: dict[Name, Stamp] = {}
    """Each file its commits changed -> its first commit that changed it."""


class Reading(Model):
    """Where the history was read and how much of it."""

    commits: Annotated[int, Range(ge=0)]
    """Commits read."""
    branches: Annotated[int, Range(ge=0)]
    """Branches read."""
    default_branch: Name
    """The branch work lands on."""
    shallow: bool = False
    """True when the clone is shallow: history before its depth is missing."""


class EvidenceFile(Model):
    """evidence.json: the latest reading of the history for one phase."""

    version: Literal[1]
    """The file's format version."""
    as_of: AwareDatetime
    """The newest commit read: the reading's "now"."""
    history: Reading
    """What was read."""
    tasks: dict[TaskId, TaskReading] = {}
    """Task id -> what the history shows of it; tasks no commit names are absent."""


def evidence_task_errors(doc: Document, evidence: EvidenceFile, task_ids: list[str]) -> list[InputError]:
    """Every task the reading names is a task of the phase, and its files are within bounds."""
    known = set(task_ids)
    errors = [
        doc.error(("tasks", tid), f"unknown task; phase.yaml has no task {tid}; {_RESTORE}")
        for tid in evidence.tasks
        if tid not in known
    ]
    errors += [
        doc.error(
            ("tasks", tid, "files"),
            f"{len(r.files):,} files, more than the {MAX_FILES:,} a reading may hold; {_RESTORE}",
        )
        for tid, r in evidence.tasks.items()
        if len(r.files) > MAX_FILES
    ]
    return errors
