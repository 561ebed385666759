"""Files that other programs follow: feed.xml (Atom 1.0), status.json, and a shields.io badge per phase.

Each is a pure function of the facts, like every document: same inputs, same bytes. The
feed has one entry per snapshot, newest first, with ids derived from the project, the
phase and the snapshot's file (stable across runs), ``updated`` at the snapshot's time,
and a text saying what the snapshot changed.
"""

from __future__ import annotations

import re
import uuid
from typing import TYPE_CHECKING, Any
from xml.sax.saxutils import escape, quoteattr

from phasedocs.facts.gate import as_dict
from phasedocs.formats import dumps, iso, num
from phasedocs.render.filters import value

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from phasedocs.facts import PhaseFacts, ProjectFacts, SnapshotInfo
    from phasedocs.input.models import ProjectConfig

#: The newest snapshots the feed holds: readers poll it, a long history is in the site.
MAX_ENTRIES = 100
# characters XML 1.0 cannot carry at all, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(s: str) -> str:
    return escape(_NOT_XML.sub("\ufffd", s))


def _id(*parts: str) -> str:
    return uuid.uuid5(uuid.NAMESPACE_URL, "phasedocs:" + "\0".join(parts)).urn


def snapshot_lines(info: SnapshotInfo, config: ProjectConfig) -> list[str]:
    """What a snapshot changed (the facts' :attr:`SnapshotInfo.changes`), a line each, as the feed says it."""
    lines = []
    for c in info.changes:
        if c.kind == "task":
            why = f" ({c.note})" if c.note else ""
            lines.append(f"Task {c.subject}: {c.before.replace('_', ' ')} → {c.after.replace('_', ' ')}{why}")
        elif c.kind == "note" and c.subject:
            lines.append(f"Task {c.subject}: still {c.before.replace('_', ' ')} ({c.after})")
        elif c.kind == "metric":
            label = config.metrics[c.subject].label
            shown = value(c.after, c.unit)
            if c.before is None:
                lines.append(f"{label}: {shown}")
            elif value(c.before, c.unit) != shown:  # a change too small to show is no news
                lines.append(f"{label}: {value(c.before, c.unit)} → {shown}")
        elif c.kind == "check":
            lines.append(f"Check {c.subject}: {'passed' if c.after else 'failed'}")
        elif c.kind == "health":
            lines.append(f"Health (recorded): {c.after.replace('_', ' ')}")
        elif c.kind == "note":
            lines.append(f"Note: {c.after}")
    return lines or ["No change recorded."]


def atom_feed(facts: ProjectFacts, site_url: str | None) -> bytes:
    """feed.xml: every phase's snapshots, newest first (at most :data:`MAX_ENTRIES`)."""
    name = facts.config.name
    entries = []
    for p in facts.phases:
        # a phase's snapshots in its own order (records of the same second by their ~N)
        for i, info in enumerate(p.snapshots):
            label = info.label if info.named else iso(info.timestamp, facts.tz)
            entries.append(((info.timestamp, p.folder, i), p, info, label, snapshot_lines(info, facts.config)))
    entries.sort(key=lambda e: e[0], reverse=True)
    entries = entries[:MAX_ENTRIES]
    updated = entries[0][0][0] if entries else max((p.updated for p in facts.phases), default=None)
    base = site_url.rstrip("/") + "/" if site_url else None
    out = ['<?xml version="1.0" encoding="utf-8"?>', '<feed xmlns="http://www.w3.org/2005/Atom">']
    out.append(f"  <id>{_id(name)}</id>")
    out.append(f"  <title>{_text(name)}: phase updates</title>")
    if facts.config.summary:
        out.append(f"  <subtitle>{_text(facts.config.summary)}</subtitle>")
    if updated is not None:
        out.append(f"  <updated>{iso(updated, facts.tz)}</updated>")
    out.append(f"  <author><name>{_text(facts.config.coordinator)}</name></author>")
    out.append("  <generator>phasedocs</generator>")
    if base:
        out.append(f'  <link rel="self" type="application/atom+xml" href={quoteattr(base + "feed.xml")}/>')
        out.append(f'  <link rel="alternate" type="text/html" href={quoteattr(base)}/>')
    for (ts, folder, _), p, info, label, lines in entries:
        out.append("  <entry>")
        out.append(f"    <id>{_id(name, folder, info.file)}</id>")
        out.append(f"    <title>{_text(f'Phase {p.number}: {label} ({info.kind})')}</title>")
        out.append(f"    <updated>{iso(ts, facts.tz)}</updated>")
        if base:
            out.append(f'    <link rel="alternate" href={quoteattr(f"{base}{folder}/COORDINATION-DASHBOARD/")}/>')
        out.append(f'    <content type="text">{_text(chr(10).join(lines))}</content>')
        out.append("  </entry>")
    out.append("</feed>")
    return ("\n".join(out) + "\n").encode("utf-8")


def _missed(p: PhaseFacts) -> list[str]:
    return [f"{c.scope}: {c.criterion.text}" for c in p.criteria if c.state == "missed"]


def _gate(p: PhaseFacts, tz: ZoneInfo) -> dict[str, Any]:
    """What ``phasedocs check`` says of ``p``: the verdict computed with the facts, in check's JSON shape."""
    failing = [f for f in p.gate if f.fails]
    return {"ok": not failing, "failures": len(failing), "findings": [as_dict(f, tz) for f in p.gate]}


def status(facts: ProjectFacts) -> bytes:
    """status.json: every phase's state, progress, plan and forecast finish, and missed criteria."""
    tz = facts.tz
    latest = max((p.now for p in facts.phases if p.now is not None), default=None)
    phases = []
    for p in facts.phases:
        f = p.forecast
        phases.append(
            {
                "phase": p.number,
                "title": p.phase.title,
                "state": p.state,
                "progress_percent": num(p.percent, 1),
                "tasks_complete": p.tasks_complete,
                "tasks_total": len(p.tasks),
                "plan_finish": iso(p.planned_finish, tz),
                "plan_frozen": bool(p.plan and p.plan.frozen),
                "forecast_finish": iso(p.schedule.forecast_finish, tz),
                "forecast": {"p50": iso(f.p50, tz), "p85": iso(f.p85, tz), "p95": iso(f.p95, tz)} if f else None,
                "actual_finish": iso(p.actual_finish, tz) if p.actual_finish else None,
                "gauge": p.gauge.state,
                "missed": _missed(p),
                "gate": _gate(p, tz),
                "stale_days": num(p.stale_days, 2),
                "updated": iso(p.updated, tz),
            }
        )
    return dumps({"project": facts.config.name, "updated": iso(latest, tz) if latest else None, "phases": phases})


def badge(p: PhaseFacts) -> bytes:
    """phase-NN/badge.json: a shields.io endpoint (schemaVersion 1, label, message, color)."""
    # what fails phasedocs check, counted by kind: the badge turns red exactly when check fails
    failing: dict[str, int] = {}
    for f in p.gate:
        if f.fails:
            failing[f.words] = failing.get(f.words, 0) + 1
    parts = [p.state, f"{num(p.percent, 1)}%"]
    if failing:
        parts += [f"{n} {words}" for words, n in failing.items()]
    elif p.state != "complete" and p.gauge.state == "behind":
        parts.append("behind")
    if p.state == "complete":
        color = "red" if failing else "brightgreen"
    elif p.state == "blocked" or failing:
        color = "red"
    elif p.gauge.state == "behind":
        color = "orange"
    elif p.state == "active":
        color = "blue"
    else:
        color = "lightgrey"
    return dumps({"schemaVersion": 1, "label": f"phase {p.number}", "message": ", ".join(parts), "color": color})
