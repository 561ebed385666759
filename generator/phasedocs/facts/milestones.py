"""Milestones: dated checkpoints of no duration, with their gates and due dates."""

from __future__ import annotations

from phasedocs.dates import Calendar, r6
from phasedocs.facts.model import MilestoneFacts, TaskFacts


def gate_of(t: TaskFacts) -> str:
    """A milestone's gate: passed when every criterion is met, failed when one is missed, open
    while any is not met yet; none without criteria (its dependencies are its gate)."""
    if not t.criteria:
        return "none"
    if any(c.state == "missed" for c in t.criteria):
        return "failed"
    return "passed" if all(c.passed for c in t.criteria) else "open"


def blocked_before(t: TaskFacts, by_id: dict[str, TaskFacts]) -> tuple[str, ...]:
    """The blocked tasks ``t`` needs, directly or through others, in task order: its forecast
    has them go on from now, which nobody can promise while they are blocked."""
    seen: set[str] = set()
    todo = [d for d in t.task.depends_on if d in by_id]
    while todo:
        d = todo.pop()
        if d not in seen:
            seen.add(d)
            todo += [x for x in by_id[d].task.depends_on if x in by_id]
    return tuple(i for i in by_id if i in seen and by_id[i].state == "blocked")


def milestone_facts(tasks: list[TaskFacts], cal: Calendar) -> tuple[MilestoneFacts, ...]:
    """Each milestone with its date (reached, else the point forecast) against its due date."""
    out = []
    by_id = {t.id: t for t in tasks}
    for t in tasks:
        if not t.task.milestone:
            continue
        reached = t.state == "complete" and t.actual_finish is not None
        finish = t.actual_finish if reached else t.forecast_finish
        assert finish is not None and t.plan_finish is not None  # every task has a forecast until complete
        due = t.task.due
        out.append(
            MilestoneFacts(
                t.id,
                t.task.title,
                t.state,
                t.plan_finish,
                finish,
                gate_of(t),
                sum(1 for c in t.criteria if c.passed),
                len(t.criteria),
                due,
                finish <= due if due is not None else None,
                r6(abs(cal.elapsed(due, finish))) if due is not None else None,
                () if reached else blocked_before(t, by_id),
            )
        )
    return tuple(out)
