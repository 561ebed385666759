"""What the snapshots changed: each one against those before it (the feed's entries), and the
latest one in full, criteria included (the dashboard's and the handoff's "what changed")."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from phasedocs.facts.groups import scope_tasks
from phasedocs.facts.measures import checked_state, measured_state, numeric
from phasedocs.facts.model import Change, CriterionFacts
from phasedocs.input.models import ProjectConfig

if TYPE_CHECKING:
    from phasedocs.input.project import PhaseInput


def changes(
    source: PhaseInput,
    recorded: tuple[tuple[Change, ...], ...],
    series: dict[str, list[tuple[datetime, Any]]],
    criteria: tuple[CriterionFacts, ...],
    reference: dict[str, Any],
    checks_before: dict[str, bool],
) -> tuple[Change, ...]:
    """What the latest snapshot changed: what it recorded (``recorded[-1]``, by the one rule of
    :func:`snapshot_changes`), with each criterion whose state it moved in place of its hand
    checks (a check shows as the criterion it settles)."""
    if len(source.snapshots) < 2:
        return ()
    latest = source.snapshots[-1].snapshot
    before: dict[str, str] = {}
    for s in source.snapshots[:-1]:
        before.update({tid: e.state for tid, e in s.snapshot.tasks.items()})
    values_before: dict[str, Any] = {}
    for key, points in series.items():
        # a metric's series holds its non-null values in snapshot order, the latest's last
        earlier = points[:-1] if latest.metrics.get(key) is not None else points
        values_before[key] = earlier[-1][1] if earlier else None
    moved: list[Change] = []
    for c in criteria:
        scope = scope_tasks(source.phase, c.scope)
        settled_before = all(before.get(tid) == "complete" for tid in scope)
        if c.metric is None:
            old = checked_state(checks_before.get(c.criterion.id or ""), settled_before)
        else:
            key = c.criterion.metric or ""
            old = measured_state(c.criterion, c.metric, values_before.get(key), reference.get(key), settled_before)
        if old != c.state:
            moved.append(Change("criterion", f"{c.scope}: {c.criterion.text}", old, c.state))
    head = [c for c in recorded[-1] if c.kind in ("task", "metric") or (c.kind == "note" and c.subject)]
    tail = [c for c in recorded[-1] if c.kind == "health" or (c.kind == "note" and not c.subject)]
    return (*head, *moved, *tail)


def snapshot_changes(source: PhaseInput, config: ProjectConfig) -> tuple[tuple[Change, ...], ...]:
    """What each snapshot of ``source`` (in order) recorded against the ones before it: the one
    rule of "what changed", which the feed shows per snapshot and :func:`changes` for the latest.

    In the order a reader takes them in: each task's new state (``task``), or the same state
    with a note it had not had before (``note``, ``before`` holding the state: a note carried
    forward unchanged is no news); each metric value that is new or different (``before`` None
    for a first value); each hand check (``check``, ``after`` passed or not); a recorded health
    call (``health``); the snapshot's own ``note``.
    """
    states: dict[str, str] = {}
    notes: dict[str, str] = {}
    values: dict[str, Any] = {}
    health: str | None = None
    out: list[tuple[Change, ...]] = []
    for s in source.snapshots:
        snap = s.snapshot
        found: list[Change] = []
        for tid, entry in snap.tasks.items():
            before = states.get(tid, "pending")
            if entry.state != before:
                found.append(Change("task", tid, before, entry.state, note=entry.note))
            elif entry.note and entry.note != notes.get(tid):  # the same state with a new reason: still news
                found.append(Change("note", tid, entry.state, entry.note))
            states[tid] = entry.state
            if entry.note:
                notes[tid] = entry.note
        for key, raw in snap.metrics.items():
            if raw is None or key not in config.metrics:
                continue
            unit = config.metrics[key].unit
            now = numeric(unit, raw)
            if key not in values or values[key] != now:
                found.append(Change("metric", key, values.get(key), now, unit))
            values[key] = now
        found += [Change("check", cid, None, ok) for cid, ok in snap.checks.items()]
        if snap.health:
            found.append(Change("health", "phase", health, snap.health))
            health = snap.health
        if snap.note:
            found.append(Change("note", "", None, snap.note))
        out.append(tuple(found))
    return tuple(out)
