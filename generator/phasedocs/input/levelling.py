"""Agents as resources: the resource-levelled schedule and each agent's load.

With ``agents:`` an agent runs at most ``capacity`` tasks at once. The schedule is made by
serial schedule generation: tasks are taken one at a time, always the eligible one (every
dependency scheduled) of highest priority: least slack in the unlevelled critical path
method first, then file order; each goes at the earliest time its dependencies allow at
which every one of its agents has a free slot for its whole duration. Without agents, or
for a task with no assignee, that time is the critical path method's.

The levelled schedule is a graph again: each agent's tasks, in levelled order, run in
``capacity`` lanes (slots), each a chain; a task an agent held back follows the task whose
finish freed the slot. These resource links, added to the dependencies, give the latest
times and slack of the levelled schedule, its critical chains, and the order the Monte
Carlo forecast keeps in every run (so no run has an agent on more tasks than it has slots).
"""

from __future__ import annotations

import bisect
import heapq
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from phasedocs.dates import r6
from phasedocs.input.models import Agent


@dataclass(frozen=True)
class Item:
    """One task to place: its dependencies, duration, agents and priority."""

    id: str
    depends_on: tuple[str, ...]
    duration: float
    agents: tuple[str, ...]
    priority: tuple[float, int]
    """Lower first: (unlevelled slack, file position)."""
    floor: float = 0.0
    """It starts no earlier than this (the latest snapshot, for a forecast)."""


@dataclass(frozen=True)
class Busy:
    """An interval an agent is already taken for (a task under way, in a forecast)."""

    id: str
    agents: tuple[str, ...]
    start: float
    finish: float


@dataclass(frozen=True)
class Levelled:
    """The levelled times of the placed tasks, and why each waited."""

    start: dict[str, float]
    finish: dict[str, float]
    ready: dict[str, float]
    """When its dependencies (and the floor) let it start: a later start is an agent's doing."""
    waits_for_agent: dict[str, tuple[str, ...]]
    """Task id -> the agents whose other work holds it back (empty when none does)."""
    behind: dict[str, tuple[str, ...]]
    """Task id -> the tasks of those agents whose finish frees the slot it starts in."""
    links: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """Task id -> the tasks it follows on an agent (its lane's predecessor and ``behind``)."""


class _Timeline:
    """How many tasks one agent runs over time: a step function. ``use[i]`` holds on
    [``times[i]``, ``times[i + 1]``); the last step runs on for ever (at 0: every task ends).
    Adding a task and finding a free window each walk the steps once: placing every task
    costs the square of their number, not its cube."""

    def __init__(self) -> None:
        self.times: list[float] = [float("-inf")]
        self.use: list[int] = [0]

    def _cut(self, t: float) -> int:
        """The index of the step that begins at ``t``, splitting the one that holds it."""
        i = bisect.bisect_right(self.times, t) - 1
        if self.times[i] == t:
            return i
        self.times.insert(i + 1, t)
        self.use.insert(i + 1, self.use[i])
        return i + 1

    def add(self, start: float, finish: float) -> None:
        """One more task on [start, finish)."""
        i, j = self._cut(start), self._cut(finish)
        for k in range(i, j):
            self.use[k] += 1

    def free_from(self, t: float, duration: float, capacity: int) -> float:
        """The earliest time from ``t`` at which fewer than ``capacity`` tasks run all along
        [time, time + duration): ``t`` itself, or the end of a step at capacity."""
        k = bisect.bisect_right(self.times, t) - 1
        while k < len(self.times) and self.times[k] < r6(t + duration):
            if self.use[k] >= capacity:
                t = self.times[k + 1]  # every start before this step ends would overlap it
            k += 1
        return t


def level(
    items: Sequence[Item],
    capacity: dict[str, int],
    done: dict[str, float],
    busy: Sequence[Busy] = (),
) -> Levelled:
    """Serial schedule generation of ``items`` (see the module's docstring).

    ``done`` holds the finish of tasks not to place (complete or under way), which items may
    depend on; ``busy`` the intervals agents are taken for already. Every item's
    dependencies are items or in ``done`` (the graph has no cycle: validate sees to it).
    """
    by_id = {it.id: it for it in items}
    finish: dict[str, float] = dict(done)
    start: dict[str, float] = {}
    ready: dict[str, float] = {}
    taken: dict[str, list[tuple[float, float, str]]] = defaultdict(list)
    lines: dict[str, _Timeline] = defaultdict(_Timeline)
    for b in busy:
        for a in b.agents:
            taken[a].append((b.start, b.finish, b.id))
            if b.finish > b.start:
                lines[a].add(b.start, b.finish)
    waits: dict[str, tuple[str, ...]] = {}
    behind: dict[str, tuple[str, ...]] = {}
    missing = {it.id: sum(1 for d in set(it.depends_on) if d not in done) for it in items}
    children: dict[str, list[str]] = defaultdict(list)
    for it in items:
        for d in set(it.depends_on):
            if d not in done:
                children[d].append(it.id)
    heap = [(it.priority, it.id) for it in items if missing[it.id] == 0]
    heapq.heapify(heap)
    while heap:
        _, tid = heapq.heappop(heap)
        it = by_id[tid]
        est = r6(max([it.floor, *(finish[d] for d in it.depends_on)]))
        ready[tid] = est
        at = est
        if it.duration > 0 and it.agents:
            # the earliest time each of its agents is free long enough: move to the latest
            # of their earliest free times until they agree
            while True:
                later = max(lines[a].free_from(at, it.duration, capacity[a]) for a in it.agents)
                if later == at:
                    break
                at = later
        start[tid] = at
        finish[tid] = r6(at + it.duration)
        if at > est:
            freed = [(a, other) for a in it.agents for _, f, other in taken[a] if f == at]
            waits[tid] = tuple(dict.fromkeys(a for a, _ in freed))
            behind[tid] = tuple(dict.fromkeys(o for _, o in freed))
        else:
            waits[tid] = behind[tid] = ()
        if it.duration > 0:
            for a in it.agents:
                taken[a].append((at, finish[tid], tid))
                lines[a].add(at, finish[tid])
        for c in children[tid]:
            missing[c] -= 1
            if missing[c] == 0:
                heapq.heappush(heap, (by_id[c].priority, c))
    links = lane_links(taken, capacity, behind)
    return Levelled(start, {k: finish[k] for k in start}, ready, waits, behind, links)


def lane_links(
    taken: dict[str, list[tuple[float, float, str]]],
    capacity: dict[str, int],
    behind: dict[str, tuple[str, ...]],
) -> dict[str, tuple[str, ...]]:
    """Each task's resource links: the task before it in its lane on each of its agents (lanes
    filled best fit, in order of start), and the tasks it waited behind."""
    links: dict[str, list[str]] = defaultdict(list)
    for a, spans in taken.items():
        # (when free, last task); never more lanes than tasks, whatever the capacity
        lanes: list[tuple[float, str]] = [(float("-inf"), "")] * min(capacity[a], len(spans))
        for s, f, tid in sorted(spans):
            # best fit: the lane freed last (the schedule never holds more than capacity at once)
            free = [k for k, lane in enumerate(lanes) if lane[0] <= s]
            if not free:  # work recorded beyond capacity (reality may double-book): a lane more
                lanes.append((float("-inf"), ""))
                free = [len(lanes) - 1]
            i = max(free, key=lambda k: (lanes[k][0], -k))
            if lanes[i][1]:
                links[tid].append(lanes[i][1])
            lanes[i] = (f, tid)
    for tid, others in behind.items():
        links[tid].extend(others)
    return {tid: tuple(dict.fromkeys(ids)) for tid, ids in links.items()}


def capacities(agents: Sequence[Agent]) -> dict[str, int]:
    """Agent id -> how many tasks it runs at once."""
    return {a.id: a.capacity for a in agents}
