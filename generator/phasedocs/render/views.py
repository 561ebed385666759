"""Computed lists the documents show (checklists, groups): facts, not template logic."""

from __future__ import annotations

from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from phasedocs.facts import (
    CriterionFacts,
    GroupFacts,
    PhaseFacts,
    ProjectFacts,
    SnapshotInfo,
    TaskFacts,
    chain_words,
    in_words,
)
from phasedocs.gate import Finding
from phasedocs.input.models import Metric
from phasedocs.render.filters import health, md, state, value


class PhaseView:
    """Computed lists the documents show (checklists, groups): facts, not template logic."""

    def __init__(self, p: PhaseFacts) -> None:
        self.p = p

    def measured_at(self, key: str | None) -> datetime | None:
        """When metric ``key``'s current value was measured, if before the latest snapshot
        (a value that old carries its date); None when the latest snapshot measured it."""
        m = next((m for m in self.p.metrics if m.key == key), None)
        if m is None or not m.series or self.p.now is None:
            return None
        when = m.series[-1][0]
        return when if when < self.p.now else None

    @staticmethod
    def snapshot_name(s: SnapshotInfo) -> str:
        """A snapshot as people name it: its label, else its file's name (in the phase's metrics/)."""
        return s.label if s.label != s.timestamp.isoformat() else PurePosixPath(s.file).name

    def roles(self) -> list[str]:
        """The tasks' roles, each once, in task order: the data holds roles, not agents."""
        return list(dict.fromkeys(t.task.role for t in self.p.tasks))

    @property
    def ready(self) -> list[TaskFacts]:
        """Tasks that can start now: the only ones to launch."""
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
    def running(self) -> list[TaskFacts]:
        """Tasks in progress: to monitor, not to launch again."""
        return [t for t in self.p.tasks if t.state == "in_progress"]

    @property
    def done(self) -> list[TaskFacts]:
        """Complete tasks."""
        return [t for t in self.p.tasks if t.state == "complete"]

    @property
    def late(self) -> list[TaskFacts]:
        """Running tasks past their planned finish."""
        return [t for t in self.p.tasks if t.late]

    def spread_words(self) -> str:
        """Where the forecast's spread comes from, in words."""
        f = self.p.forecast
        if f is None or f.spread == "none":
            return "no spread: no task has an estimate and no finished task gives a history, so every run is the plan"
        runs = f"{f.runs:,} seeded runs"
        if f.spread == "estimates":
            return f"{runs} over the tasks' estimates"
        # a history is two finished tasks or more (one ratio is no spread)
        history = f"the actual/planned durations of {f.history} finished tasks"
        if f.spread == "history":
            return f"{runs} over {history}"
        return f"{runs} over the tasks' estimates and, for tasks without one, {history}"

    @property
    def gate_failures(self) -> list[Finding]:
        """What fails ``phasedocs check`` now: the verdict computed with the facts, as check reads it."""
        return list(self.p.gate_failures)

    @property
    def implausible(self) -> list[Finding]:
        """Claims to verify (work complete before the start, or in under a tenth of its plan): fail only ``check --strict``."""
        return [f for f in self.p.gate if f.kind == "implausible"]

    @property
    def gate_notes(self) -> int:
        """How many criteria are not met yet while their work goes on: they fail only ``check --strict``."""
        return sum(1 for f in self.p.gate if f.kind == "off_track")

    @property
    def open_tasks(self) -> list[TaskFacts]:
        """Tasks not complete."""
        return [t for t in self.p.tasks if t.state != "complete"]

    @property
    def missed(self) -> list[CriterionFacts]:
        """Criteria missed: settled (their work is complete) and the target not reached."""
        return [c for c in self.p.criteria if c.state == "missed"]

    @property
    def off_track(self) -> list[CriterionFacts]:
        """Criteria not met yet while their work goes on."""
        return [c for c in self.p.criteria if c.state == "off_track"]

    @property
    def open_criteria(self) -> list[CriterionFacts]:
        """Criteria not met or exceeded (yet)."""
        return [c for c in self.p.criteria if not c.passed]

    @property
    def measured(self) -> list[CriterionFacts]:
        """Criteria with a metric and target."""
        return [c for c in self.p.criteria if c.measured]

    @property
    def checked(self) -> list[CriterionFacts]:
        """Criteria checked by hand."""
        return [c for c in self.p.criteria if not c.measured]

    def criteria_counts(self) -> dict[str, int]:
        """How many criteria are in each state, settled ones first; states with none left out."""
        order = ("met", "exceeded", "missed", "on_track", "off_track", "pending")
        counts = dict.fromkeys(order, 0)
        for c in self.p.criteria:
            counts[c.state] += 1
        return {s: n for s, n in counts.items() if n}

    def computed_health(self) -> str:
        """The phase's health from its facts: off_track when ``phasedocs check`` fails (a criterion
        missed or never settled, a regression) or a critical task is late or blocked; at_risk
        when any task is late or blocked or the forecast ends after the plan; on_track
        otherwise. A criterion not met yet while its work goes on is the normal course of
        work, not a risk by itself."""
        p = self.p
        if self.missed or p.gate_failures or any(t.critical and (t.late or t.state == "blocked") for t in p.tasks):
            return "off_track"
        if self.late or self.blocked or p.schedule.forecast_finish > p.planned_finish:
            return "at_risk"
        return "on_track"

    def criteria_summary(self) -> str:
        """``2 met, 1 not met yet, 3 pending``: the counts in words."""
        parts = [f"{n} {in_words(s)}" for s, n in self.criteria_counts().items()]
        return ", ".join(parts) or "none defined"

    def chains(self) -> str:
        """The critical path in words, each task once (see :func:`~phasedocs.facts.chain_words`)."""
        return chain_words(self.p.schedule.critical_chains, md)

    @property
    def has_baseline(self) -> bool:
        """True when a snapshot has been recorded."""
        return bool(self.p.snapshots)

    @property
    def has_final(self) -> bool:
        """True when a final snapshot has been recorded."""
        return any(s.kind == "final" for s in self.p.snapshots)

    def checklist(self) -> dict[str, list[tuple[str, bool]]]:
        """The handoff checklist; each box is ticked only by a settled fact."""
        p = self.p
        pre = [
            (f"Task files generated for all {len(p.tasks)} tasks", True),
            ("Dependencies checked: no cycle, critical chains computed", True),
            ("Baseline metrics recorded in a snapshot", self.has_baseline),
            (
                "File-collision risks reviewed" if p.collisions else "No file collisions between parallel tasks",
                not p.collisions,
            ),
        ]
        during = [(f"Task {md(t.id)} started ({md(t.task.title)})", t.actual_start is not None) for t in p.tasks]
        during.append(("No task blocked", not self.blocked))
        post = [(f"Task {md(t.id)} complete", t.state == "complete") for t in p.tasks]
        post += [
            ("All tasks complete", p.state == "complete"),
            ("Every success criterion met or exceeded", bool(p.criteria) and all(c.passed for c in p.criteria)),
            ("Final metrics snapshot recorded", self.has_final),
        ]
        return {"Pre-execution": pre, "During execution": during, "Post-execution": post}

    def change_lines(self) -> list[str]:
        """What the latest snapshot changed, as markdown lines."""
        out = []
        for c in self.p.changes:
            if c.kind == "note":
                out.append(f"Task {md(c.subject)} note: {md(c.after)}" if c.subject else f"Note: {md(c.after)}")
            elif c.kind == "health":
                out.append(f"Health (recorded): {health(c.before)} → {health(c.after)}")
            elif c.kind == "task":
                why = f": {md(c.note)}" if c.note else ""
                out.append(f"Task {md(c.subject)}: {state(c.before)} → {state(c.after)}{why}")
            elif c.kind == "metric":
                label = md(self._label(c.subject))
                out.append(f"{label}: {value(c.before, c.unit)} → {value(c.after, c.unit)}")
            else:
                out.append(f"Criterion {md(c.subject)}: {state(c.before)} → {state(c.after)}")
        return out

    @property
    def cost_keys(self) -> list[tuple[str, Metric]]:
        """The task-scoped metrics (cost, tokens) some task recorded, in catalogue order."""
        found: dict[str, Metric] = {}
        for t in self.p.tasks:
            found.update((o.key, o.metric) for o in t.metrics)
        budgets = {c.criterion.metric: c.metric for t in self.p.tasks for c in t.criteria if c.task_scoped}
        found.update((k, m) for k, m in budgets.items() if k is not None and m is not None and k not in found)
        order = {o.key: o.order for t in self.p.tasks for o in t.metrics}
        return sorted(found.items(), key=lambda km: (order.get(km[0], len(found) + 10**6), km[0]))

    @property
    def cost_rows(self) -> list[tuple[TaskFacts, list[Any], list[CriterionFacts]]]:
        """(task, its own value per :attr:`cost_keys` or None, its budgets) for each task with
        either: what each task cost, against what it may cost."""
        keys = [k for k, _ in self.cost_keys]
        rows = []
        for t in self.p.tasks:
            own = {o.key: o.value for o in t.metrics}
            budgets = [c for c in t.criteria if c.task_scoped]
            if own or budgets:
                rows.append((t, [own.get(k) for k in keys], budgets))
        return rows

    @staticmethod
    def who(t: TaskFacts) -> str:
        """Who did a task, for the cost totals: its role's agent (the seam where assignees go)."""
        return t.task.agent_name

    def cost_totals(self) -> list[float | None]:
        """The sum of each :attr:`cost_keys` metric over the tasks (None for text metrics)."""
        keys = self.cost_keys
        sums: list[float | None] = [None if m.unit == "text" else 0 for _, m in keys]
        for _, values, _b in self.cost_rows:
            for i, v in enumerate(values):
                if isinstance(v, (int, float)) and sums[i] is not None:
                    sums[i] = (sums[i] or 0) + v
        return sums

    def cost_by_agent(self) -> list[tuple[str, int, list[float | None]]]:
        """(agent, tasks with a value, sum of each :attr:`cost_keys` metric) per agent, in task order."""
        keys = self.cost_keys
        out: dict[str, tuple[int, list[float | None]]] = {}
        for t, values, _b in self.cost_rows:
            if all(v is None for v in values):
                continue
            n, sums = out.get(self.who(t), (0, [None if m.unit == "text" else 0 for _, m in keys]))
            for i, v in enumerate(values):
                if isinstance(v, (int, float)) and sums[i] is not None:
                    sums[i] = (sums[i] or 0) + v
            out[self.who(t)] = (n + 1, sums)
        return [(who, n, sums) for who, (n, sums) in out.items()]

    def _label(self, key: str) -> str:
        return next(m.metric.label for m in self.p.metrics if m.key == key)  # a changed metric is measured

    @staticmethod
    def group_counts(g: GroupFacts) -> str:
        """An open group gate's criteria by state, in words: ``1 on track so far, 1 pending``."""
        counts: dict[str, int] = {}
        for c in g.criteria:
            counts[c.state] = counts.get(c.state, 0) + 1
        return ", ".join(f"{n} {in_words(s)}" for s, n in counts.items())

    @staticmethod
    def gate_texts(g: GroupFacts, state: str) -> list[str]:
        """The texts of a group gate's criteria in ``state`` (missed, pending), as markdown."""
        return [md(c.criterion.text) for c in g.criteria if c.state == state]


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
