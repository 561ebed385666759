"""The dependency graph's one walker: tasks in dependency order."""

from __future__ import annotations

import heapq
from collections import defaultdict

from phasedocs.input.models import Task


def topological(tasks: list[Task]) -> list[Task]:
    """Tasks in dependency order, ties in file order (Kahn's algorithm)."""
    order = {t.id: i for i, t in enumerate(tasks)}
    indeg = {t.id: len(set(t.depends_on)) for t in tasks}
    children: dict[str, list[str]] = defaultdict(list)
    for t in tasks:
        for d in set(t.depends_on):
            children[d].append(t.id)
    heap = [order[t.id] for t in tasks if indeg[t.id] == 0]
    heapq.heapify(heap)
    out = []
    while heap:
        t = tasks[heapq.heappop(heap)]
        out.append(t)
        for c in children[t.id]:
            indeg[c] -= 1
            if indeg[c] == 0:
                heapq.heappush(heap, order[c])
    return out
