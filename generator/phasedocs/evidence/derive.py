"""What the history shows of each task: its commits, when work began, when it landed.

A commit belongs to a task by a trailer (``Task: 7.1``), by its subject
(``Task 7.1: ...``) or by being on the task's branch (``task/7.1-*``), merged or not.
A task *landed* when its branch was merged into the default branch, or a commit says
``Task-Done: 7.1``; a later revert of that merge takes the landing back. Every
``Task-Done`` is a claim, kept with the branches it was made on, so a task claimed done
three times from two branches can be named.

Each commit of the default branch's first-parent line is where the commits it brought
in *landed*: one walk gives every commit its landing point, so a merge's side is the
commits that landed with it, and a branch's unmerged work is what has not landed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from phasedocs.evidence.git import Commit, History

_REVERT_RE = re.compile(r"This reverts commit ([0-9a-f]{7,40})")
_MERGE_RE = re.compile(r"^Merge (?:branch '([^']+)'|pull request #\d+ from (\S+)|remote-tracking branch '([^']+)')")


@dataclass(frozen=True)
class Rules:
    """How commits name tasks (project.yaml's ``evidence:``)."""

    trailer: str = "Task"
    done_trailer: str = "Task-Done"
    branch_pattern: str = "task/{id}-*"
    message_pattern: str = "Task {id}:"


@dataclass
class TaskEvidence:
    """What the history shows of one task."""

    task: str
    commits: list[Commit] = field(default_factory=list)
    landed: tuple[str, Commit] | None = None
    """("merge" or "done", the commit) when its work reached the default branch or was declared done."""
    reverted: Commit | None = None
    """The revert that took the landing back, if nothing landed after it."""
    claims: list[tuple[Commit, tuple[str, ...]]] = field(default_factory=list)
    """Each Task-Done commit with the branches it is on."""
    branches: set[str] = field(default_factory=set)

    @property
    def started(self) -> datetime | None:
        """When its first commit was written."""
        return min((c.authored for c in self.commits), default=None)

    @property
    def finished(self) -> datetime | None:
        """When it landed (a merge's commit time, a claim's author time), unless reverted."""
        if self.landed is None:
            return None
        kind, commit = self.landed
        return commit.committed if kind == "merge" else commit.authored

    @property
    def files(self) -> set[str]:
        """Every file its commits changed."""
        return {f for c in self.commits for f in c.files}

    def ids(self) -> tuple[str, ...]:
        """Its provenance, as snapshots carry it: ``git:`` first commit, ``merge:``/``done:`` landing."""
        out = []
        if self.commits:
            out.append(f"git:{min(self.commits, key=lambda c: (c.authored, c.id)).short}")
        if self.landed is not None:
            out.append(f"{self.landed[0]}:{self.landed[1].short}")
        if self.reverted is not None:
            out.append(f"revert:{self.reverted.short}")
        return tuple(out)


def _landing(history: History) -> tuple[list[Commit], dict[str, int]]:
    """The default branch's first-parent line (oldest first) and each commit's landing index on it."""
    line: list[Commit] = []
    oid: str | None = history.refs.get(history.default)
    while oid is not None and oid in history.commits:
        commit = history.commits[oid]
        line.append(commit)
        oid = commit.parents[0] if commit.parents else None
    line.reverse()
    landed: dict[str, int] = {}
    for i, commit in enumerate(line):
        stack = [commit.id]
        while stack:
            current = stack.pop()
            if current in landed or current not in history.commits:
                continue
            landed[current] = i
            parents = history.commits[current].parents
            stack.extend(parents[1:] if current == commit.id else parents)
    return line, landed


def _ids(text: str, known: set[str]) -> list[str]:
    return [t for t in re.split(r"[\s,]+", text.strip()) if t in known]


def derive(history: History, tasks: list[str], rules: Rules = Rules()) -> dict[str, TaskEvidence]:
    """Each task's evidence (tasks with none are left out), from every ref of ``history``."""
    known = set(tasks)
    found = {t: TaskEvidence(t) for t in tasks}
    line, landed = _landing(history)

    alternatives = "|".join(re.escape(t) for t in sorted(tasks, key=len, reverse=True)) or "(?!)"
    branch_re = re.compile(
        re.escape(rules.branch_pattern).replace(re.escape("{id}"), f"({alternatives})").replace(re.escape("*"), ".*")
    )
    owner: dict[str, list[str]] = {}

    def branch_tasks(name: str) -> list[str]:
        """The task a branch name belongs to (one regex over every id: linear in branches)."""
        if name not in owner:
            short = name.split("/", 1)[1] if name.startswith("origin/") else name
            m = branch_re.fullmatch(short)
            owner[name] = [m.group(1)] if m else []
        return owner[name]

    subject = re.compile(re.escape(rules.message_pattern).replace(re.escape("{id}"), r"(\S+?)"))
    trailer = re.compile(rf"^{re.escape(rules.trailer)}:\s*(.+)$", re.M | re.I)
    done = re.compile(rf"^{re.escape(rules.done_trailer)}:\s*(.+)$", re.M | re.I)

    # unmerged work: each task branch's commits that have not landed
    unmerged: dict[str, set[str]] = {}
    for name, tip in sorted(history.refs.items()):
        if name == history.default:
            continue
        stack, own = [tip], set()
        while stack:
            current = stack.pop()
            if current in own or current in landed or current not in history.commits:
                continue
            own.add(current)
            stack.extend(history.commits[current].parents)
        unmerged[name] = own
        for t in branch_tasks(name):
            found[t].branches.add(name)
            found[t].commits += [history.commits[c] for c in own]

    # merged work: what landed with each merge of a task branch
    sides: dict[int, set[str]] = {}
    for oid, i in landed.items():
        sides.setdefault(i, set()).add(oid)
    events: dict[str, list[tuple[datetime, str, Commit]]] = {t: [] for t in tasks}
    for i, merge in enumerate(line):
        if len(merge.parents) < 2:
            continue
        m = _MERGE_RE.match(merge.message)
        names = [n for n in (m.groups() if m else ()) if n]
        names += [n for n, tip in history.refs.items() if tip in sides.get(i, ()) and n != history.default]
        names += [n.split("/", 1)[1] for n in names if "/" in n]
        owners = sorted({t for n in names for t in branch_tasks(n)})
        for t in owners:
            found[t].branches.update(n for n in names if branch_tasks(n))
            found[t].commits += [history.commits[c] for c in sorted(sides[i]) if c != merge.id]
            events[t].append((merge.committed, "merge", merge))

    # commits that name their task, wherever they are
    for commit in history.commits.values():
        head = commit.message.splitlines()[0] if commit.message else ""
        named = {g for g in subject.findall(head) if g in known}
        for m in trailer.finditer(commit.message):
            named.update(_ids(m.group(1), known))
        claimed = {t for m in done.finditer(commit.message) for t in _ids(m.group(1), known)}
        for t in sorted(named | claimed):
            found[t].commits.append(commit)  # duplicates go when the commits are sorted below
        for t in sorted(claimed):
            on = tuple(sorted(n for n, own in unmerged.items() if commit.id in own))
            if commit.id in landed:
                on = (history.default, *on)
            found[t].claims.append((commit, on))
            events[t].append((commit.authored, "done", commit))

    # reverts on the default branch take a landing back
    for commit in line:
        for target in _REVERT_RE.findall(commit.message):
            for evs in events.values():
                if any(c.id.startswith(target) for _, kind, c in evs if kind != "revert"):
                    evs.append((commit.committed, "revert", commit))

    for t, evs in events.items():
        evidence = found[t]
        for _, kind, commit in sorted(evs, key=lambda e: (e[0], e[2].id)):
            if kind == "revert":
                evidence.landed, evidence.reverted = None, commit
            elif evidence.landed is None:
                evidence.landed, evidence.reverted = (kind, commit), None
        evidence.commits = sorted(set(evidence.commits), key=lambda c: (c.authored, c.id))
        evidence.claims.sort(key=lambda pair: (pair[0].authored, pair[0].id))
    return {t: e for t, e in found.items() if e.commits or e.landed or e.claims}
