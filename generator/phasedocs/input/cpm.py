"""The critical-path method and the resource-levelled schedule over phase.yaml's tasks.

Pure functions of the tasks (and the agents) that live with the input, as the graph walker
(:mod:`~phasedocs.input.graph`) does: validation bounds a levelled phase's length with the
same schedule the facts use, and needs nothing above the input for it.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from phasedocs.dates import r6
from phasedocs.input.levelling import Item, Levelled, capacities, level
from phasedocs.input.models import Agent, Task

#: The most critical chains listed: parallel branches multiply, a reader needs the first few.
MAX_CHAINS = 20


def critical_chains(
    order: list[Task],
    es: dict[str, float],
    ef: dict[str, float],
    slack: dict[str, float],
    dependents: dict[str, list[str]],
    total: float,
) -> tuple[tuple[str, ...], ...]:
    """Each chain of zero-slack tasks from the start to the finish, in dependency order.

    Two independent critical tasks are two chains (``[["7.1"], ["7.2"]]``), never one
    sequence. At most :data:`MAX_CHAINS`, in task order.
    """
    position = {t.id: i for i, t in enumerate(order)}
    critical = {t.id for t in order if slack[t.id] == 0}  # offsets are r6-rounded: exact
    nxt = {
        tid: sorted((c for c in dependents[tid] if c in critical and es[c] == ef[tid]), key=lambda c: position[c])
        for tid in critical
    }
    chains: list[tuple[str, ...]] = []
    stack: list[tuple[str, ...]] = [(t.id,) for t in reversed(order) if t.id in critical and es[t.id] == 0]
    while stack and len(chains) < MAX_CHAINS:
        path = stack.pop()
        following = nxt[path[-1]]
        if not following:
            if ef[path[-1]] == total:
                chains.append(path)
            continue
        stack.extend((*path, c) for c in reversed(following))
    return tuple(chains)


@dataclass(frozen=True)
class Cpm:
    """The critical-path method over phase.yaml's durations, in days from the phase start."""

    es: dict[str, float]
    ef: dict[str, float]
    ls: dict[str, float]
    lf: dict[str, float]
    slack: dict[str, float]
    total: float
    dependents: dict[str, list[str]]
    critical_path: tuple[str, ...]
    chains: tuple[tuple[str, ...], ...]
    levelled: Levelled | None = None
    """With agents: the levelled schedule's waits and resource links (es and ef are its times)."""
    priority: dict[str, tuple[float, int]] = field(default_factory=dict)
    """With agents: each task's priority for an agent's slot (unlevelled slack, file position)."""


def _backward(
    order: list[Task], after: dict[str, list[str]], es: dict[str, float], total: float
) -> tuple[dict[str, float], dict[str, float], dict[str, float]]:
    """The backward pass over ``order`` (a dependency order) whose successors are ``after``:
    latest starts, latest finishes and slack, each task finishing by ``total`` at the latest."""
    lf: dict[str, float] = {}
    ls: dict[str, float] = {}
    for t in reversed(order):
        lf[t.id] = r6(min((ls[c] for c in after[t.id]), default=total))
        ls[t.id] = r6(lf[t.id] - t.duration_days)
    slack = {t.id: max(0.0, r6(ls[t.id] - es[t.id])) for t in order}
    return ls, lf, slack


def critical_path_method(tasks: list[Task], order: list[Task], release: dict[str, float] | None = None) -> Cpm:
    """Earliest and latest starts and finishes, slack and the critical chains; a task in
    ``release`` (days from the start: when it was added) starts no earlier than that."""
    es: dict[str, float] = {}
    ef: dict[str, float] = {}
    release = release or {}
    for t in order:
        es[t.id] = r6(max((ef[d] for d in t.depends_on), default=0.0))
        if t.id in release:  # added mid-phase: not before it joined
            es[t.id] = max(es[t.id], release[t.id])
        ef[t.id] = r6(es[t.id] + t.duration_days)
    total = max(ef.values())
    dependents: dict[str, list[str]] = defaultdict(list)
    for t in tasks:
        for d in t.depends_on:
            dependents[d].append(t.id)
    ls, lf, slack = _backward(order, dependents, es, total)
    # every offset is rounded by r6, so equal days are equal floats: no tolerance needed here
    critical_path = tuple(t.id for t in order if slack[t.id] == 0)
    chains = critical_chains(order, es, ef, slack, dependents, total)
    return Cpm(es, ef, ls, lf, slack, total, dependents, critical_path, chains)


def levelled_method(tasks: list[Task], order: list[Task], cpm: Cpm, agents: tuple[Agent, ...]) -> Cpm:
    """The resource-levelled schedule (:mod:`~phasedocs.input.levelling`) as a :class:`Cpm`: its
    starts and finishes; latest times, slack and critical chains over the dependencies and the
    resource links, so a task's slack is how far it may slip with each agent's order kept."""
    position = {t.id: i for i, t in enumerate(tasks)}
    priority = {t.id: (cpm.slack[t.id], position[t.id]) for t in tasks}
    items = [Item(t.id, t.depends_on, t.duration_days, t.assignee, priority[t.id]) for t in tasks]
    lv = level(items, capacities(agents), {})
    es, ef = lv.start, lv.finish
    total = max(ef.values())
    follows = {t.id: (*t.depends_on, *lv.links.get(t.id, ())) for t in tasks}
    # dependency order of the graph with the resource links: by levelled start, then file order
    # (a link joins a task to one that finished before it started)
    ordered = sorted(order, key=lambda t: (es[t.id], ef[t.id], position[t.id]))
    after: dict[str, list[str]] = defaultdict(list)
    for t in ordered:
        for d in dict.fromkeys(follows[t.id]):
            after[d].append(t.id)
    ls, lf, slack = _backward(ordered, after, es, total)
    critical_path = tuple(t.id for t in order if slack[t.id] == 0)
    chains = critical_chains(ordered, es, ef, slack, after, total)
    return Cpm(es, ef, ls, lf, slack, total, cpm.dependents, critical_path, chains, lv, priority)
