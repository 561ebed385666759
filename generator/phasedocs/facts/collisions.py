"""Declared-file collisions: tasks that may run at once and share paths."""

from __future__ import annotations

from collections import defaultdict

from phasedocs.facts.graph import topological
from phasedocs.facts.model import Collision
from phasedocs.input.models import Task


def _norm(path: str) -> str:
    return path.strip().strip("/").replace("\\", "/")


def collisions(tasks: list[Task], one_at_a_time: frozenset[str] = frozenset()) -> tuple[Collision, ...]:
    """Pairs of tasks that may run at once (neither reaches the other, and no agent of
    ``one_at_a_time``, the agents of capacity 1, runs both) and share paths.

    A folder collides with every path under it. Paths are indexed, and each path's
    ancestors looked up in the index, so the cost follows the number of paths.
    """
    order = topological(tasks)
    bit = {t.id: 1 << i for i, t in enumerate(tasks)}
    ancestors: dict[str, int] = {}
    for t in order:
        mask = 0
        for d in t.depends_on:
            mask |= ancestors[d] | bit[d]
        ancestors[t.id] = mask
    index: dict[str, list[str]] = defaultdict(list)
    for t in tasks:
        for p in dict.fromkeys(_norm(f) for f in t.files):
            if p:
                index[p].append(t.id)
    common: dict[tuple[str, str], set[str]] = defaultdict(set)
    position = {t.id: i for i, t in enumerate(tasks)}
    agents = {t.id: t.assignee for t in tasks}

    def pair(a: str, b: str, path: str) -> None:
        if a == b or ancestors[a] & bit[b] or ancestors[b] & bit[a]:
            return
        if one_at_a_time and one_at_a_time.intersection(agents[a], agents[b]):
            return  # one agent runs both, one at a time: they never run at once
        key = (a, b) if position[a] < position[b] else (b, a)
        common[key].add(path)

    for path, owners in index.items():
        for i, a in enumerate(owners):
            for b in owners[i + 1 :]:
                pair(a, b, path)
        parts = path.split("/")
        for n in range(1, len(parts)):
            for folder_owner in index.get("/".join(parts[:n]), ()):
                for a in owners:
                    pair(folder_owner, a, path)
    return tuple(
        Collision(k, tuple(sorted(v)))
        for k, v in sorted(common.items(), key=lambda kv: (position[kv[0][0]], position[kv[0][1]]))
    )
