"""The dependency graph's one walker: tasks in dependency order, a cycle named, the longest chain.

Validation (``input.project``) and the facts (``facts``) walk the same graph with these
functions; they live with the input, below the facts, so validation needs nothing above it.
"""

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


def longest_path(tasks: list[Task]) -> float:
    """The length in days of the longest dependency chain of ``tasks`` (which hold no cycle)."""
    finish: dict[str, float] = {}
    for t in topological(tasks):
        finish[t.id] = max((finish[d] for d in t.depends_on), default=0.0) + t.duration_days
    return round(max(finish.values(), default=0.0), 6)


def find_cycle(graph: dict[str, list[str]]) -> list[str] | None:
    """A dependency cycle as ``[a, b, ..., a]`` (in file order), or None. Iterative DFS."""
    color = dict.fromkeys(graph, 0)  # 0 new, 1 on stack, 2 done
    for root in graph:
        if color[root]:
            continue
        stack: list[tuple[str, int]] = [(root, 0)]
        path: list[str] = [root]
        color[root] = 1
        while stack:
            node, i = stack[-1]
            deps = graph[node]
            if i < len(deps):
                stack[-1] = (node, i + 1)
                nxt = deps[i]
                if color.get(nxt) == 1:
                    return [*path[path.index(nxt) :], nxt]
                if color.get(nxt) == 0:
                    color[nxt] = 1
                    stack.append((nxt, 0))
                    path.append(nxt)
            else:
                color[node] = 2
                stack.pop()
                path.pop()
    return None
