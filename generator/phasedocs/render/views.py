"""Computed lists the documents show (checklists, groups): facts, not template logic."""

from __future__ import annotations

from typing import Any

from phasedocs.facts import CriterionFacts, MetricFacts, PhaseFacts, ProjectFacts, TaskFacts
from phasedocs.render.filters import md, state


class PhaseView:
    """Computed lists the documents show (checklists, groups): facts, not template logic."""

    def __init__(self, p: PhaseFacts) -> None:
        self.p = p

    def metric_rows(self) -> list[tuple[MetricFacts, str, str]]:
        """Each measured metric with the targets set on it and their states (as text)."""
        rows = []
        for m in self.p.metrics:
            crits = [c for c in self.p.criteria if c.criterion.metric == m.key]
            targets = "; ".join(f"{md(c.criterion.target)} ({md(c.scope)})" for c in crits) or "—"
            states = ", ".join(dict.fromkeys(state(c.state) for c in crits)) or "—"
            rows.append((m, targets, states))
        return rows

    @property
    def ready(self) -> list[TaskFacts]:
        """Tasks that can start now."""
        return [t for t in self.p.tasks if t.state == "ready"]

    @property
    def waiting(self) -> list[TaskFacts]:
        """Tasks waiting for dependencies."""
        return [t for t in self.p.tasks if t.state == "waiting"]

    @property
    def blocked(self) -> list[TaskFacts]:
        """Tasks recorded as blocked."""
        return [t for t in self.p.tasks if t.state == "blocked"]

    @property
    def open_tasks(self) -> list[TaskFacts]:
        """Tasks not complete."""
        return [t for t in self.p.tasks if t.state != "complete"]

    @property
    def missed(self) -> list[CriterionFacts]:
        """Criteria whose state is missed."""
        return [c for c in self.p.criteria if c.state == "missed"]

    @property
    def missed_final(self) -> list[CriterionFacts]:
        """Missed criteria whose task (or phase) is complete: the miss is final."""
        return [c for c in self.missed if c.settled]

    @property
    def missed_open(self) -> list[CriterionFacts]:
        """Missed criteria whose work is still going on: not met yet."""
        return [c for c in self.missed if not c.settled]

    @property
    def open_criteria(self) -> list[CriterionFacts]:
        """Criteria not met or exceeded."""
        return [c for c in self.p.criteria if c.state in ("missed", "pending")]

    @property
    def measured(self) -> list[CriterionFacts]:
        """Criteria with a metric and target."""
        return [c for c in self.p.criteria if c.measured]

    @property
    def checked(self) -> list[CriterionFacts]:
        """Criteria checked by hand."""
        return [c for c in self.p.criteria if not c.measured]

    def criteria_counts(self) -> dict[str, int]:
        """How many criteria are in each state."""
        counts = dict.fromkeys(("met", "exceeded", "missed", "pending"), 0)
        for c in self.p.criteria:
            counts[c.state] += 1
        return counts

    @property
    def has_baseline(self) -> bool:
        """True when a snapshot has been recorded."""
        return bool(self.p.snapshots)

    @property
    def has_final(self) -> bool:
        """True when a final snapshot has been recorded."""
        return any(s.kind == "final" for s in self.p.snapshots)

    def checklist(self) -> dict[str, list[tuple[str, bool]]]:
        """The handoff checklist; each box is ticked only when a fact makes it true."""
        p = self.p
        started = [t for t in p.tasks if t.state in ("in_progress", "complete", "blocked")]
        all_done = p.state == "complete"
        crit_ok = all(c.state in ("met", "exceeded") for c in p.criteria)
        pre = [
            (f"Task files generated for all {len(p.tasks)} tasks", True),
            ("Dependencies checked: no cycle, critical path computed", True),
            ("Baseline metrics recorded in a snapshot", self.has_baseline),
            (
                "File-collision risks reviewed" if p.collisions else "No file collisions between parallel tasks",
                not p.collisions,
            ),
        ]
        during = [(f"Task {t.id} started ({md(t.task.title)})", t in started) for t in p.tasks]
        during.append(("No task blocked", not self.blocked))
        post = [(f"Task {t.id} complete", t.state == "complete") for t in p.tasks]
        post += [
            ("All tasks complete", all_done),
            ("Every success criterion met or exceeded", crit_ok),
            ("Final metrics snapshot recorded", self.has_final),
        ]
        return {"Pre-execution": pre, "During execution": during, "Post-execution": post}


class ProjectView:
    """Computed tables of the project pages."""

    def __init__(self, facts: ProjectFacts) -> None:
        self.facts = facts

    def metric_rows(self) -> list[tuple[str, str, list[Any]]]:
        """(label, unit, current value per phase or None) for every metric measured anywhere."""
        rows: list[tuple[str, str, list[Any]]] = []
        for key, metric in self.facts.config.metrics.items():
            values = []
            for p in self.facts.phases:
                found = next((m for m in p.metrics if m.key == key), None)
                values.append(found.current if found else None)
            if any(v is not None for v in values):
                rows.append((metric.label, metric.unit, values))
        return rows
