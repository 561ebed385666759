"""What the snapshots changed: each one against those before it (the feed's entries), and the
latest one in full, criteria included (the dashboard's and the handoff's "what changed")."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from phasedocs.facts.groups import scope_tasks
from phasedocs.facts.measures import checked_state, measured_state, numeric
from phasedocs.facts.model import Change, CriterionFacts
from phasedocs.facts.progress import last_notes
from phasedocs.input.models import ProjectConfig

if TYPE_CHECKING:
    from phasedocs.input.project import PhaseInput


def changes(
    source: PhaseInput,
    config: ProjectConfig,
    series: dict[str, list[tuple[datetime, Any]]],
    criteria: tuple[CriterionFacts, ...],
    reference: dict[str, Any],
    checks_before: dict[str, bool],
) -> tuple[Change, ...]:
    """What the latest snapshot changed: task states, metric values, criterion states."""
    if len(source.snapshots) < 2:
        return ()
    latest = source.snapshots[-1].snapshot
    before: dict[str, str] = {}
    for s in source.snapshots[:-1]:
        before.update({tid: e.state for tid, e in s.snapshot.tasks.items()})
    notes_before = last_notes(source.snapshots[:-1])
    out: list[Change] = []
    for tid, entry in latest.tasks.items():
        if before.get(tid, "pending") != entry.state:
            out.append(Change("task", tid, before.get(tid, "pending"), entry.state, note=entry.note))
        elif entry.note and entry.note != notes_before.get(tid, ("", None))[0]:
            # the same state with a new note: what a person wrote is news too
            out.append(Change("note", tid, None, entry.note))
    values_before: dict[str, Any] = {}
    for key, points in series.items():
        earlier = [v for ts, v in points if ts < latest.timestamp]
        values_before[key] = earlier[-1] if earlier else None
        if key in latest.metrics and latest.metrics[key] is not None and points[-1][1] != values_before[key]:
            out.append(Change("metric", key, values_before[key], points[-1][1], config.metrics[key].unit))
    for c in criteria:
        scope = scope_tasks(source.phase, c.scope)
        settled_before = all(before.get(tid) == "complete" for tid in scope)
        if c.metric is None:
            old = checked_state(checks_before.get(c.criterion.id or ""), settled_before)
        else:
            key = c.criterion.metric or ""
            old = measured_state(c.criterion, c.metric, values_before.get(key), reference.get(key), settled_before)
        if old != c.state:
            out.append(Change("criterion", f"{c.scope}: {c.criterion.text}", old, c.state))
    health_before = next((s.snapshot.health for s in reversed(source.snapshots[:-1]) if s.snapshot.health), None)
    if latest.health and latest.health != health_before:
        out.append(Change("health", "phase", health_before, latest.health))
    if latest.note:
        out.append(Change("note", "", None, latest.note))
    return tuple(out)


def snapshot_changes(source: PhaseInput, config: ProjectConfig) -> tuple[tuple[Change, ...], ...]:
    """What each snapshot of ``source`` (in order) recorded against the ones before it.

    In the order a reader takes them in: each task's new state (``task``), or the same state
    with a note (``note``, ``before`` holding the state); each metric value that is new or
    different (``before`` None for a first value); each hand check (``check``, ``after``
    passed or not); a recorded health call (``health``); the snapshot's own ``note``.
    """
    states: dict[str, str] = {}
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
            elif entry.note:  # the same state with a reason: still news
                found.append(Change("note", tid, entry.state, entry.note))
            states[tid] = entry.state
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
