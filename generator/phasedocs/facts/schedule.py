"""The critical-path schedule: earliest and latest times, slack, critical chains, the plan by day."""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime

from phasedocs.dates import Calendar
from phasedocs.facts.model import Day, TaskFacts


def chain_words(chains: Sequence[Sequence[str]], name: Callable[[str], str] = str) -> str:
    """The critical chains in words, each task named once: where chains share tasks they are
    one chain that forks or joins (``1.1 → 1.2, then 1.4 and 1.5 in parallel``); chains that
    share nothing run ``in parallel``. ``name`` formats a task id (escaping, for markdown)."""
    if not chains:
        return "none"
    if len(chains) == 1:
        return " → ".join(name(i) for i in chains[0])
    # the tasks every chain passes through, in order: there the chains meet
    common = [i for i in chains[0] if all(i in c for c in chains[1:])]
    gaps: list[list[tuple[str, ...]]] = [[] for _ in range(len(common) + 1)]
    for chain in chains:
        cuts = [-1] + [chain.index(i) for i in common] + [len(chain)]
        for k in range(len(common) + 1):
            seg = tuple(chain[cuts[k] + 1 : cuts[k + 1]])
            if seg and seg not in gaps[k]:
                gaps[k].append(seg)
    parts: list[tuple[str, ...] | list[tuple[str, ...]]] = []  # a sequence, or branches side by side
    run: list[str] = []
    for k, branches in enumerate(gaps):
        if len(branches) == 1:
            run.extend(branches[0])
        elif branches:
            if run:
                parts.append(tuple(run))
            parts.append(branches)
            run = []
        if k < len(common):
            run.append(common[k])
    if run:
        parts.append(tuple(run))

    def seq(ids: Sequence[str]) -> str:
        return " → ".join(name(i) for i in ids)

    words = []
    for part in parts:
        if isinstance(part, tuple):
            words.append(seq(part))
        else:
            names = [seq(b) for b in part]
            words.append(f"{', '.join(names[:-1])} and {names[-1]} in parallel")
    return ", then ".join(words)


def plan_days(tasks: list[TaskFacts], start: datetime, total: float, cal: Calendar) -> tuple[Day, ...]:
    """The plan by day: day k covers schedule days [k-1, k) for starts, (k-1, k] for finishes.

    The offsets are rounded (:func:`~phasedocs.dates.r6`), so a whole day is exactly whole:
    no tolerance is needed at the day's edges.
    """
    out = []
    for k in range(1, math.ceil(total) + 1):
        lo, hi = k - 1, k
        starting = tuple(t.id for t in tasks if lo <= t.earliest_start < hi)
        finishing = tuple(t.id for t in tasks if lo < t.earliest_finish <= hi)
        running = tuple(t.id for t in tasks if t.earliest_start < hi and t.earliest_finish > lo)
        out.append(Day(k, cal.start_at(start, lo), starting, running, finishing))  # the day it is worked
    return tuple(out)
