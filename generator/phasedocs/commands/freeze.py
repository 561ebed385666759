"""``phasedocs freeze``: record the phase's schedule as the plan that actuals are judged against.

The first freeze creates ``phases/phase-NN/plan.json`` and never overwrites it. A
re-plan (``--replan --reason TEXT``) appends the schedule as it stands now, keeping
every earlier plan byte for byte with its reason, so documents can say what was
promised and what moved since.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from phasedocs.errors import Abort
from phasedocs.facts import compute_phase
from phasedocs.formats import dumps, iso, num
from phasedocs.input.plan import PLAN_FILE
from phasedocs.input.project import PhaseInput, find_phase_input, load_project
from phasedocs.output.writer import atomic_write, create_new
from phasedocs.paths import contained


def plan_version(project_config: Any, source: PhaseInput, frozen_at: datetime, reason: str | None) -> dict[str, Any]:
    """The schedule of ``source`` as phase.yaml has it now, in plan.json's shape."""
    facts = compute_phase(project_config, source, project_config.work_calendar())
    tz = ZoneInfo(project_config.timezone)
    return {
        "frozen_at": iso(frozen_at, tz),
        "reason": reason,
        "phase_digest": source.yaml_digest,
        "start": iso(facts.schedule.start, tz),
        "finish": iso(facts.schedule.finish, tz),
        "total_days": num(facts.schedule.total_days),
        "tasks": {
            t.id: {
                "duration_days": num(t.task.duration_days),
                "start_days": num(t.earliest_start),
                "finish_days": num(t.earliest_finish),
                "start": iso(t.start_at, tz),
                "finish": iso(t.finish_at, tz),
            }
            for t in facts.tasks
        },
    }


def freeze(
    project_dir: Path,
    phase: str,
    *,
    replan: bool = False,
    reason: str | None = None,
    at: str | None = None,
    now: datetime | None = None,
) -> Path:
    """Write (or, re-planning, extend) plan.json of ``phase``; :class:`Abort` says why not."""
    from phasedocs.commands.record import parse_at, wall_clock

    if reason is not None and not replan:
        raise Abort("--reason goes with --replan: the first plan needs no reason")
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
    version = plan_version(project.config, source, frozen_at, reason.strip() if replan and reason else None)
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
