"""Declared-file collisions: tasks that may run at once and share paths, grouped by file.

A pair list grows with the square of the tasks (1,000 tasks sharing six files made 11 MB
per document); a group per file grows with the tasks: each shared path once, with every
task that may touch it while another of them runs. Each task also gets its own list (its
paths, the first :data:`PARTNERS` tasks it may meet there and how many in all), for its task file.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from phasedocs.facts.graph import topological
from phasedocs.facts.model import Collision, Share
from phasedocs.input.models import Task

#: How many partners a task's own list names (the count says how many in all).
PARTNERS = 20


@dataclass(frozen=True)
class Declared:
    """The declared-file collisions of a phase."""

    groups: tuple[Collision, ...]
    """By file, in the order of their first task."""
    shares: dict[str, tuple[Share, ...]]
    """Task id -> its shared paths (tasks with none left out)."""


def _norm(path: str) -> str:
    return path.strip().strip("/").replace("\\", "/")


def _bits(mask: int, ids: list[str], limit: int) -> tuple[str, ...]:
    """The ids of the lowest ``limit`` set bits of ``mask`` (bit i is task i: task order)."""
    out: list[str] = []
    while mask and len(out) < limit:
        low = mask & -mask
        out.append(ids[low.bit_length() - 1])
        mask ^= low
    return tuple(out)


def collisions(tasks: list[Task], one_at_a_time: frozenset[str] = frozenset()) -> Declared:
    """Each declared path that tasks which may run at once (neither reaches the other, and no
    agent of ``one_at_a_time``, the agents of capacity 1, runs both) share.

    A folder collides with every path under it. Bit masks carry each task's ancestors and
    descendants and each path's owners (the path's own, its folders' and the paths under it),
    so a task's partners on a path are one mask operation: the cost follows the declared paths
    times the tasks / 64, never the pairs.
    """
    ids = [t.id for t in tasks]
    bit = {tid: 1 << i for i, tid in enumerate(ids)}
    order = topological(tasks)
    ancestors: dict[str, int] = {}
    for t in order:
        mask = 0
        for d in t.depends_on:
            mask |= ancestors[d] | bit[d]
        ancestors[t.id] = mask
    descendants: dict[str, int] = {t.id: 0 for t in tasks}
    for t in reversed(order):
        for d in t.depends_on:
            descendants[d] |= descendants[t.id] | bit[t.id]
    declared: dict[str, list[str]] = {}
    own: dict[str, int] = defaultdict(int)
    for t in tasks:
        paths = [p for p in dict.fromkeys(_norm(f) for f in t.files) if p]
        declared[t.id] = paths
        for p in paths:
            own[p] |= bit[t.id]

    def folders(path: str) -> list[str]:
        """The declared folders above ``path``, outermost first."""
        parts = path.split("/")
        return [f for f in ("/".join(parts[:n]) for n in range(1, len(parts))) if f in own]

    near = dict(own)  # each path: its owners, those of folders above it and of paths under it
    for p, mask in own.items():
        for f in folders(p):
            near[f] |= mask
            near[p] |= own[f]
    root = {p: (folders(p) or [p])[0] for p in own}

    members: dict[str, dict[str, None]] = defaultdict(dict)
    in_group: dict[str, dict[str, None]] = defaultdict(dict)
    shares: dict[str, tuple[Share, ...]] = {}
    runs: dict[str, int] = defaultdict(int)  # an agent of capacity 1: the tasks it runs, one at a time
    for t in tasks:
        for a in t.assignee:
            if a in one_at_a_time:
                runs[a] |= bit[t.id]
    for t in tasks:
        alone = 0
        for a in t.assignee:
            alone |= runs.get(a, 0)
        apart = ~(bit[t.id] | ancestors[t.id] | descendants[t.id] | alone)
        mine = []
        for p in declared[t.id]:
            partners = near[p] & apart
            if not partners:
                continue
            mine.append(Share(p, _bits(partners, ids, PARTNERS), partners.bit_count()))
            members[root[p]][t.id] = None
            in_group[root[p]][p] = None
        if mine:
            shares[t.id] = tuple(mine)
    position = {tid: i for i, tid in enumerate(ids)}
    groups = sorted(
        (
            Collision(r, tuple(sorted(m, key=position.__getitem__)), tuple(sorted(in_group[r])))
            for r, m in members.items()
        ),
        key=lambda c: (position[c.tasks[0]], c.file),
    )
    return Declared(tuple(groups), shares)
