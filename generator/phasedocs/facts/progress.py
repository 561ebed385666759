"""Work in progress: each task's runs of states, actual times, time worked and forecast finish."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import TYPE_CHECKING

from phasedocs.dates import r6
from phasedocs.forecast import planned_left
from phasedocs.input.models import Task

if TYPE_CHECKING:
    from phasedocs.input.project import PhaseInput, SnapshotInput


@dataclass(frozen=True)
class Run:
    """A stretch of one task in one state, from the snapshots."""

    state: str
    since: datetime
    note: str | None


@dataclass(frozen=True)
class Actual:
    """What the snapshots say of one task's work, as times and calendar offsets from the phase start."""

    start: datetime | None
    finish: datetime | None
    finish_off: float | None
    worked: float


def history(source: PhaseInput) -> dict[str, tuple[Run, ...]]:
    """Each task's states in order; an entry's ``at`` dates its state, else its snapshot does.

    A repeated state is the same run (a new note replaces the old one); a new state starts a
    run whose note is its own (a blocker's reason does not outlive the block).
    """
    runs: dict[str, list[Run]] = defaultdict(list)
    for s in source.snapshots:
        for tid, entry in s.snapshot.tasks.items():
            when = entry.at or s.snapshot.timestamp
            own = runs[tid]
            if (
                entry.started is not None
                and entry.started < when
                and all(r.state in ("pending", "blocked") for r in own)
            ):
                own.append(Run("in_progress", entry.started, None))  # the work began before it was recorded
            if own and own[-1].state == entry.state:
                if entry.note:
                    own[-1] = replace(own[-1], note=entry.note)
            else:
                own.append(Run(entry.state, when, entry.note))
    return {tid: tuple(r) for tid, r in runs.items()}


def last_notes(snapshots: Sequence[SnapshotInput]) -> dict[str, tuple[str, datetime]]:
    """Each task's latest note, whatever its state, with the time of the snapshot that recorded it."""
    out: dict[str, tuple[str, datetime]] = {}
    for s in snapshots:
        for tid, entry in s.snapshot.tasks.items():
            if entry.note:
                out[tid] = (entry.note, s.snapshot.timestamp)
    return out


def actual_of(runs: tuple[Run, ...], now: datetime | None, offset: Callable[[datetime], float]) -> Actual:
    """Actual start (first in progress or complete), finish (first complete) and time worked."""
    start = next((r.since for r in runs if r.state in ("in_progress", "complete")), None)
    finish = next((r.since for r in runs if r.state == "complete"), None)
    worked = 0.0
    for i, r in enumerate(runs):
        if r.state != "in_progress":
            continue  # a blocked spell pauses the task: its time is not work
        end = runs[i + 1].since if i + 1 < len(runs) else now or r.since
        worked += max(0.0, offset(end) - offset(r.since))
    return Actual(start, finish, offset(finish) if finish is not None else None, worked)


def forecast_times(
    order: list[Task],
    recorded: dict[str, str],
    actual: dict[str, Actual],
    now: float,
    waived: dict[str, tuple[str, ...]] | None = None,
) -> tuple[dict[str, float], dict[str, float]]:
    """Each task's expected start of what remains and finish, in days from the phase start, at the
    latest snapshot ``now``.

    Complete work finished when it did. A running task needs what is left of its duration
    after the time already worked (a blocked spell paused it, it did not restart it); one
    that has used it all needs :data:`~phasedocs.forecast.OVERRUN_SHARE` of it again, from now. Work not started
    starts when its dependencies are forecast to finish, and not before now; a dependency it was
    recorded going ahead of (``waived``) does not hold it.
    """
    starts: dict[str, float] = {}
    out: dict[str, float] = {}
    for t in order:
        state, a = recorded.get(t.id), actual[t.id]
        if state == "complete" and a.finish_off is not None:
            out[t.id] = a.finish_off
            continue
        # a running task's dependencies are complete (validate sees to it): it goes on from now
        ahead = waived.get(t.id, ()) if waived else ()
        starts[t.id] = max(max((out[d] for d in t.depends_on if d not in ahead), default=now), now)
        out[t.id] = r6(starts[t.id] + planned_left(t.duration_days, a.worked))
    return starts, out
