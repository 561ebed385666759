"""The Monte Carlo forecast: when the phase will be done, how sure we are, and which tasks decide it.

Pure, like :mod:`phasedocs.facts` (whose results it completes): no I/O, no wall clock,
a fixed seed. Every run samples a duration for each task's remaining work and walks the
dependency graph once; all runs go at once as numpy vectors (one row of uniform draws per
task in dependency order), so 10,000 runs over 200 tasks take milliseconds.

Durations:

* a task with ``estimate: {low, high}`` takes a **triangular** duration (low, mode
  ``duration_days``, high). Triangular rather than PERT-beta: its three numbers are
  exactly the ones people give, it needs no shape parameter we would have to invent,
  and its tails are heavier than PERT's, which suits agent work that stalls;
* a task without one, in a project with finished tasks, takes its ``duration_days``
  times a ratio drawn from those tasks' actual/planned ratios (the history);
* with neither, its planned duration: every run is the same, and p50 = p85 = p95.

What happened is respected: complete tasks finished when they did; a started task has
already spent its worked time (blocked spells excluded), so its duration is drawn from
the part of its distribution longer than that; a task that has overrun every duration
its distribution allows needs :data:`OVERRUN_SHARE` of its plan again;
nothing starts before the latest snapshot.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from phasedocs.dates import EPS, r6

#: The share of runs, per task, reported as its criticality, rounded to this many places.
PLACES = 4
#: A running task that has used up its planned duration is forecast to need this share of
#: it again: it is not assumed to finish at the latest snapshot, and nothing says how much more.
OVERRUN_SHARE = 0.25
#: The most draws held at once (tasks x runs of one batch): 32 MB of them, and a few times
#: that for the walk, however many runs over however many tasks (all at once, 10,000 runs
#: over 5,000 tasks took gigabytes). Smaller batches cost time: numpy's per-call overhead.
BATCH_CELLS = 4_000_000


def planned_left(duration: float, worked: float, overrun: float = OVERRUN_SHARE) -> float:
    """Days a task still needs if it takes its planned ``duration``: what is left after the time
    already ``worked``, or :data:`OVERRUN_SHARE` of it again once that is used up. The one rule
    of the point forecast (``facts``) and of a forecast without spread."""
    left = duration - worked
    return left if left > EPS else duration * overrun


@dataclass(frozen=True)
class Work:
    """One task as the forecast sees it (tasks come in dependency order)."""

    id: str
    depends_on: tuple[str, ...]
    duration: float
    """Planned duration, in days."""
    finished_at: float | None = None
    """For a complete task: its actual finish, in days from the phase start."""
    worked: float = 0.0
    """Days already worked (blocked spells excluded)."""
    low: float | None = None
    """The estimate's low end, if any."""
    high: float | None = None
    """The estimate's high end, if any."""

    @property
    def estimated(self) -> bool:
        """True when its estimate gives a spread (low below high)."""
        return self.low is not None and self.high is not None and self.high > self.low


@dataclass(frozen=True)
class Outcome:
    """What the runs say: completion percentiles in days from the phase start, and criticality."""

    p50: float
    p85: float
    p95: float
    runs: int
    criticality: dict[str, float]
    """Task id -> the share of runs in which it is on a critical path (0 for complete tasks)."""
    spread: str
    """Where the spread comes from: estimates, history, estimates and history, or none."""


def _triangular_cdf(x: Any, a: float, c: float, b: float, np: Any) -> Any:
    """P(D <= x) for a triangular duration (low a, mode c, high b), a < b."""
    x = np.clip(x, a, b)
    left = (x - a) ** 2 / ((b - a) * (c - a)) if c > a else np.zeros_like(x)
    right = 1 - (b - x) ** 2 / ((b - a) * (b - c)) if b > c else np.ones_like(x)
    return np.where(x <= c, left, right)


def _triangular_inverse(u: Any, a: float, c: float, b: float, np: Any) -> Any:
    """The duration at cumulative probability ``u`` (inverse transform sampling)."""
    fc = (c - a) / (b - a)
    low = a + np.sqrt(u * (b - a) * (c - a))
    high = b - np.sqrt((1 - u) * (b - a) * (b - c))
    return np.where(u < fc, low, high)


def _remaining(w: Work, u: Any, ratios: Sequence[float], overrun: float, np: Any) -> Any:
    """Sampled remaining days of ``w`` per run, given the uniform draws ``u`` (one per run)."""
    again = w.duration * overrun
    if w.estimated:
        assert w.low is not None and w.high is not None  # what estimated means
        a, c, b = w.low, w.duration, w.high
        floor = float(_triangular_cdf(np.asarray(float(w.worked)), a, c, b, np))
        left = _triangular_inverse(floor + u * (1 - floor), a, c, b, np) - w.worked
        # worked up to the high end or past it, no draw is longer: planned overrun instead
        return np.where(left > EPS, left, again)
    if ratios and w.low is None:
        durations = w.duration * np.asarray(ratios)  # sorted, as the ratios are
        first = int(np.searchsorted(durations, w.worked + EPS, side="right"))
        if first >= len(durations):
            return np.full(u.shape, again)
        pick = np.minimum(first + np.floor(u * (len(durations) - first)).astype(np.int64), len(durations) - 1)
        return durations[pick] - w.worked
    return planned_left(w.duration, w.worked, overrun)


class _Scalars:
    """The few numpy functions the walk uses, for plain floats: a forecast without spread is one
    run, and needs no numpy (``handoff`` of a project without estimates never imports it)."""

    maximum = staticmethod(max)

    @staticmethod
    def full(shape: Any, value: float) -> float:
        return float(value)

    @staticmethod
    def percentile(x: float, qs: Sequence[float]) -> list[float]:
        return [x for _ in qs]

    @staticmethod
    def mean(x: bool) -> float:
        return float(x)


def simulate(
    work: Sequence[Work],
    now: float,
    *,
    ratios: Sequence[float] = (),
    runs: int = 10_000,
    seed: int = 0,
    overrun: float = OVERRUN_SHARE,
) -> Outcome:
    """Run the forecast over ``work`` (dependency order) from ``now`` (days from the phase start)."""
    ratios = sorted(ratios)
    has_estimates = any(w.estimated for w in work)
    open_without = any(w.finished_at is None and w.low is None for w in work)
    uses_history = bool(ratios) and open_without and len(set(ratios)) > 1
    spread = (
        "estimates and history"
        if has_estimates and uses_history
        else "estimates"
        if has_estimates
        else "history"
        if uses_history
        else "none"
    )
    if not uses_history:
        ratios = []
    if spread == "none":  # every run would be the same: one is the answer
        return _outcome(work, now, ratios, overrun, _Scalars, [[None] * len(work)], 1, spread)
    import numpy as np  # only here: validate, and projects without spread, never pay for it

    return _outcome(work, now, ratios, overrun, np, _draws(np, len(work), runs, seed), runs, spread)


def _draws(np: Any, tasks: int, runs: int, seed: int) -> Iterator[Any]:
    """The uniform draws, a batch of runs at a time: each a (tasks, batch) array.

    The numbers are those of one ``rng.random((tasks, runs))`` (a row per task in dependency
    order: stable across versions), cut into column blocks, so memory stays at
    :data:`BATCH_CELLS` cells whatever runs x tasks is; the generator is advanced over the
    rest of each row rather than drawing it.
    """
    bits = np.random.default_rng(seed).bit_generator
    start = bits.state
    rng = np.random.Generator(bits)
    batch = max(1, min(runs, BATCH_CELLS // max(tasks, 1)))
    for first in range(0, runs, batch):
        size = min(batch, runs - first)
        bits.state = start
        bits.advance(first)
        rows = np.empty((tasks, size))
        for i in range(tasks):
            rows[i] = rng.random(size)
            bits.advance(runs - size)  # to the same runs of the next task's row
        yield rows


def _outcome(
    work: Sequence[Work],
    now: float,
    ratios: Sequence[float],
    overrun: float,
    np: Any,
    batches: Iterable[Any],
    runs: int,
    spread: str,
) -> Outcome:
    """Walk the dependency graph once per batch of runs; keep each run's end and, per task, in
    how many runs it was critical: the memory of one batch, not of every run."""
    ends: list[Any] = []
    critical_runs = dict.fromkeys((w.id for w in work), 0.0)
    for draws in batches:
        size = 1 if np is _Scalars else draws.shape[1]
        finish: dict[str, Any] = {}
        start: dict[str, Any] = {}
        floor = np.full(size, float(now))
        for i, w in enumerate(work):
            if w.finished_at is not None:
                finish[w.id] = np.full(size, float(w.finished_at))
                continue
            begin = floor
            for d in w.depends_on:
                begin = np.maximum(begin, finish[d])
            start[w.id] = begin
            # without spread, _remaining is planned_left: no estimate and no history to draw from
            finish[w.id] = begin + _remaining(w, draws[i], ratios, overrun, np)
        end = functools.reduce(np.maximum, finish.values())
        ends.append(end)
        for tid, on in _critical(work, start, finish, end).items():
            critical_runs[tid] += float(np.sum(on)) if np is not _Scalars else float(on)
    every = ends[0] if np is _Scalars else np.concatenate(ends)
    p50, p85, p95 = (r6(float(x)) for x in np.percentile(every, [50, 85, 95]))
    share = {w.id: round(critical_runs[w.id] / runs, PLACES) for w in work}
    return Outcome(p50, p85, p95, runs, share, spread)


def _critical(work: Sequence[Work], start: dict[str, Any], finish: dict[str, Any], end: Any) -> dict[str, Any]:
    """Per task and run: on a chain of tight links to the end. A link is tight when the dependent
    starts the moment the task finishes (its latest dependency, not 'now', sets its start)."""
    dependents: dict[str, list[str]] = {w.id: [] for w in work}
    for w in work:
        for d in w.depends_on:
            dependents[d].append(w.id)
    out: dict[str, Any] = {}
    for w in reversed(work):
        if w.finished_at is not None:
            out[w.id] = False  # finished work delays nothing
            continue
        on = finish[w.id] == end
        for c in dependents[w.id]:
            if c in start:
                on = on | (out[c] & (start[c] == finish[w.id]))
        out[w.id] = on
    return out
