"""``phasedocs freeze``: record the phase's schedule as the plan that actuals are judged against.

The first freeze creates ``phases/phase-NN/plan.json`` and never overwrites it. A
re-plan (``--replan --reason TEXT``) appends the schedule as it stands now (done work
at its actual dates, the rest from the latest snapshot or ``--from``), keeping every
earlier plan byte for byte with its reason, so documents can say what was promised and
what moved since.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from phasedocs.dates import Calendar, r6
from phasedocs.errors import Abort
from phasedocs.facts import compute_phase, topological
from phasedocs.facts.plans import measured_targets
from phasedocs.forecast import planned_left
from phasedocs.formats import dumps, iso, num
from phasedocs.input.cpm import critical_path_method
from phasedocs.input.levelling import Busy, Item, capacities, level
from phasedocs.input.models import Agent, merged_agents
from phasedocs.input.plan import PLAN_FILE
from phasedocs.input.project import PhaseInput, find_phase_input, load_project
from phasedocs.output.writer import atomic_write, create_new
from phasedocs.paths import contained

#: The earliest finish a plan records, in days from the phase start (plan.json needs a finish after it).
MIN_FINISH_DAYS = 1e-6


def plan_version(
    project_config: Any, source: PhaseInput, frozen_at: datetime, reason: str | None, since: datetime | None = None
) -> dict[str, Any]:
    """The schedule of ``source`` in plan.json's shape: phase.yaml's, from the phase start, or,
    for a re-plan (``since`` given), the work that remains from ``since`` on.

    A re-plan keeps what happened: complete tasks at their actual start and finish, running
    ones at their actual start; what is left of them (:func:`~phasedocs.forecast.planned_left`)
    and every task not started are scheduled from ``since`` (never before the phase start),
    after their dependencies, on the project's calendar.
    """
    cal = project_config.work_calendar()
    facts = compute_phase(project_config, source, cal)
    tz = ZoneInfo(project_config.timezone)
    origin = facts.schedule.start
    spans: dict[str, tuple[float, float, datetime, datetime]] = {}
    if since is None:
        for t in facts.tasks:
            spans[t.id] = (t.earliest_start, t.earliest_finish, t.start_at, t.finish_at)
    else:
        now = max(0.0, r6(cal.elapsed(origin, since)))
        by_id = {t.id: t for t in facts.tasks}
        for task in topological(list(source.phase.tasks)):
            t = by_id[task.id]
            ready = max((spans[d][1] for d in task.depends_on), default=0.0)
            if t.state == "complete" and t.actual_start is not None and t.actual_finish is not None:
                spans[t.id] = (
                    _offset(cal, origin, t.actual_start),
                    # done before the phase start (an implausible record, kept): a finish plan.json accepts
                    max(_offset(cal, origin, t.actual_finish), MIN_FINISH_DAYS),
                    t.actual_start,
                    t.actual_finish,
                )
            elif t.actual_start is not None:  # under way (or blocked): what is left, from now
                finish = r6(max(now, ready) + planned_left(task.duration_days, t.worked_days))
                spans[t.id] = (
                    _offset(cal, origin, t.actual_start),
                    finish,
                    t.actual_start,
                    cal.finish_at(origin, finish),
                )
            else:
                begin = max(now, ready)
                finish = r6(begin + task.duration_days)
                spans[t.id] = (begin, finish, cal.start_at(origin, begin), cal.finish_at(origin, finish))
        agents = merged_agents(project_config.agents, source.phase.agents)
        if agents:
            spans.update(_levelled_rest(source, facts, agents, spans, now, cal, origin))
    total = max(finish for _, finish, _, _ in spans.values())
    criteria = [
        {"scope": scope, "metric": metric, "text": text, "target": target}
        for scope, metric, text, target in measured_targets(source.phase)
    ]
    return {
        "frozen_at": iso(frozen_at, tz),
        "reason": reason,
        "phase_digest": source.yaml_digest,
        "start": iso(origin, tz),
        "finish": iso(max(at for _, _, _, at in spans.values()), tz),
        "total_days": num(total),
        "tasks": {
            t.id: {
                "duration_days": num(t.task.duration_days),
                "start_days": num(spans[t.id][0]),
                "finish_days": num(spans[t.id][1]),
                "start": iso(spans[t.id][2], tz),
                "finish": iso(spans[t.id][3], tz),
            }
            for t in facts.tasks
        },
        # the targets too: a re-plan that lowers one is a change of plan, and documents name it
        "criteria": criteria,
    }


def _levelled_rest(
    source: PhaseInput,
    facts: Any,
    agents: tuple[Agent, ...],
    spans: dict[str, tuple[float, float, datetime, datetime]],
    now: float,
    cal: Calendar,
    origin: datetime,
) -> dict[str, tuple[float, float, datetime, datetime]]:
    """With agents, a re-plan's work not started, levelled from ``now`` as the schedule is: work
    under way holds its agents from now until its re-planned finish."""
    tasks = list(source.phase.tasks)
    cpm = critical_path_method(tasks, topological(tasks))
    by_id = {t.id: t for t in facts.tasks}
    done: dict[str, float] = {}
    busy = []
    items = []
    for i, task in enumerate(tasks):
        t = by_id[task.id]
        if t.state == "complete" or t.actual_start is not None:
            done[task.id] = spans[task.id][1]
            if t.state != "complete":
                busy.append(Busy(task.id, task.assignee, now, spans[task.id][1]))
        else:
            items.append(
                Item(task.id, task.depends_on, task.duration_days, task.assignee, (cpm.slack[task.id], i), now)
            )
    lv = level(items, capacities(agents), done, busy)
    return {
        tid: (lv.start[tid], lv.finish[tid], cal.start_at(origin, lv.start[tid]), cal.finish_at(origin, lv.finish[tid]))
        for tid in lv.start
    }


def _offset(cal: Calendar, origin: datetime, when: datetime) -> float:
    """``when`` in days of work from ``origin``; work recorded before the phase start counts from it."""
    return max(0.0, r6(cal.elapsed(origin, when)))


def freeze(
    project_dir: Path,
    phase: str,
    *,
    replan: bool = False,
    reason: str | None = None,
    at: str | None = None,
    since: str | None = None,
    now: datetime | None = None,
) -> Path:
    """Write (or, re-planning, extend) plan.json of ``phase``; :class:`Abort` says why not.

    A re-plan schedules the remaining work from ``since`` (``--from``), by default the phase's
    latest snapshot: the plan it writes starts where the work stands, not in the past.
    """
    from phasedocs.commands.record import parse_at, wall_clock

    if reason is not None and not replan:
        raise Abort("--reason goes with --replan: the first plan needs no reason")
    if since is not None and not replan:
        raise Abort("--from goes with --replan: the first plan schedules the phase from its start")
    if replan and not (reason or "").strip():
        raise Abort('--replan needs --reason TEXT: say why the plan changes, e.g. --reason "7.2 re-estimated"')
    project = load_project(project_dir)
    source = find_phase_input(project, phase)
    number = source.phase.number
    folder = contained(project_dir, project_dir / "phases" / source.folder, "phase folder")
    path = folder / PLAN_FILE
    rel = f"phases/{source.folder}/{PLAN_FILE}"
    zone = ZoneInfo(project.config.timezone)
    try:
        frozen_at = parse_at(at, zone) if at is not None else wall_clock(zone, now)
        from_ = parse_at(since, zone, "--from") if since is not None else None
    except ValueError as exc:
        raise Abort(f"nothing frozen: {exc}") from None
    old = source.plan
    if old is None and replan:
        raise Abort(f"phase {number} has no frozen plan yet: freeze it first with 'phasedocs freeze {number}'")
    if old is not None and not replan:
        raise Abort(
            f"{rel} exists: phase {number} was frozen on {iso(old.current.frozen_at, zone)}, and a plan is never "
            f'overwritten. To record a new plan, run: phasedocs freeze {number} --replan --reason "why"'
        )
    if replan and from_ is None:  # where the work stands: the latest snapshot, else the phase start
        from_ = source.snapshots[-1].snapshot.timestamp if source.snapshots else source.phase.start
    version = plan_version(project.config, source, frozen_at, reason.strip() if replan and reason else None, from_)
    if old is None:
        try:
            create_new(path, dumps({"plans": [version]}))
        except FileExistsError:
            raise Abort(f"{rel} appeared while freezing (another freeze?); nothing written") from None
        return path
    current = old.current
    if current.phase_digest == source.yaml_digest:
        raise Abort(
            f"nothing to re-plan: phase.yaml has not changed since the plan of {iso(current.frozen_at, zone)}; "
            "change the durations, dependencies or start first"
        )
    if frozen_at < current.frozen_at:
        raise Abort(f"--at {iso(frozen_at, zone)} is before the plan it replaces ({iso(current.frozen_at, zone)})")
    data = json.loads(path.read_bytes())  # the earlier plans stay as they were written
    if not isinstance(data, dict) or len(data.get("plans", ())) != len(old.plans):
        raise Abort(f"{rel} changed while re-planning; nothing written, run the command again")
    data["plans"].append(version)
    atomic_write(path, dumps(data))
    return path


def replan_lines(path: Path) -> list[str]:
    """What the newest plan of ``path`` changed against the one before, with its reason: tasks
    dropped and added, targets changed. A re-plan that lowers a target or drops work says so."""
    from phasedocs.facts.plans import keyed_targets, retargeted

    plans = json.loads(path.read_bytes())["plans"]
    if len(plans) < 2:
        return []
    before, after = plans[-2], plans[-1]
    why = f" (reason: {after.get('reason')})"
    lines = []
    dropped = [tid for tid in before["tasks"] if tid not in after["tasks"]]
    added = [tid for tid in after["tasks"] if tid not in before["tasks"]]
    if dropped:
        lines.append(f"dropped task(s) {', '.join(dropped)}{why}")
    if added:
        lines.append(f"added task(s) {', '.join(added)}{why}")
    if before.get("criteria") is not None:

        def rows(plan: dict[str, Any]) -> list[tuple[str, str, str, str]]:
            return [(c["scope"], c["metric"], c["text"], c["target"]) for c in plan["criteria"]]

        for change in retargeted(keyed_targets(rows(before)), keyed_targets(rows(after))):
            lines.append(f"target changed: {change}{why}")
    return lines
