"""Computed lists the documents show (checklists, groups): facts, not template logic."""

from __future__ import annotations

import itertools
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
from phasedocs.facts.gate import Finding
from phasedocs.input.models import Metric
from phasedocs.render.filters import code, health, md, state, value

#: How many shared files a human document lists, and how many tasks per file: past these it
#: says how many more (every one is in the task files and final-metrics.json), so a document
#: grows with the phase, never with its pairs of tasks.
SHOWN_FILES = 10
SHOWN_TASKS = 8


def _names(ids: list[str], total: int | None = None) -> str:
    """``1.1, 1.2 and 1.3``, or the first :data:`SHOWN_TASKS` and how many more."""
    total = len(ids) if total is None else total
    shown = [md(i) for i in ids[:SHOWN_TASKS]]
    if total > len(shown):
        return f"{', '.join(shown)} and {total - len(shown):,} more"
    return shown[0] if len(shown) == 1 else f"{', '.join(shown[:-1])} and {shown[-1]}"


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

    def agent_name(self, agent_id: str) -> str:
        """An agent as documents name it, escaped: ``qa (QA Engineer)``, or its id alone."""
        a = self.p.agent(agent_id).agent
        return md(f"{a.id} ({a.name})" if a.name and a.name != a.id else a.id)

    def agent_names(self, ids: tuple[str, ...] | list[str]) -> str:
        """Agents named and joined: ``qa (QA Engineer) and devops``."""
        names = [self.agent_name(i) for i in ids]
        return " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)

    def unassigned(self) -> list[TaskFacts]:
        """Tasks no agent is assigned to (in a phase with agents, each needs an agent of its own);
        never a milestone, a checkpoint that no agent runs."""
        return [t for t in self.p.tasks if not t.assignees and not t.task.milestone]

    def _doing(self, agent_id: str, ids: tuple[str, ...]) -> str:
        """What ``agent_id`` does with the tasks ``ids`` it must finish first, in words."""
        parts = []
        for tid in ids:
            other = self.p.task(tid)
            if agent_id not in other.assignees:
                continue
            verb = {"in_progress": "running", "blocked": "blocked on"}.get(other.state, "doing")
            parts.append(f"{verb} {md(tid)}" + ("" if verb != "doing" else " first"))
        return ", ".join(parts)

    def agent_wait(self, t: TaskFacts) -> str:
        """The agents a task waits for and what they do first: ``qa (running 5.4)``; empty when none."""
        out = []
        for a in t.waits_for_agent:
            doing = self._doing(a, t.waits_behind)
            out.append(f"{md(a)} ({doing})" if doing else md(a))
        return ", ".join(out)

    def waits_words(self, t: TaskFacts) -> str:
        """What a waiting task waits for: its dependencies, then its agents (``5.2, then qa (running 5.4)``)."""
        deps = ", ".join(md(d) for d in t.waiting_for)
        agents = self.agent_wait(t)
        return f"{deps}, then {agents}" if deps and agents else deps or agents

    def hand_over(self) -> list[tuple[TaskFacts, list[str], bool]]:
        """Each task that can start now with what to do for each of its agents, and whether an
        agent is to be launched for it: a ready task goes to its agent (in the session it runs
        in, when it runs), never to a fresh agent of its own; an agent not running is launched
        once, for the first of its tasks, and the others are handed to it."""
        out = []
        launched: dict[str, str] = {}
        for t in self.ready:
            lines: list[str] = []
            launch = not t.assignees
            for a in t.assignees:
                agent = self.p.agent(a)
                name = self.agent_name(a)
                if agent.running:
                    running = ", ".join(md(i) for i in agent.running)
                    lines.append(
                        f"hand it to {name} in the session where it is running {running}: it has a free slot "
                        f"({agent.agent.capacity} at once); do not launch a new agent for it"
                    )
                elif a in launched:
                    lines.append(
                        f"hand it to {name} as well once {name} is launched for {md(launched[a])} "
                        f"(it runs {agent.agent.capacity} tasks at once); do not launch a second {name}"
                    )
                elif agent.done:
                    launched[a] = t.id
                    launch = True
                    lines.append(
                        f"{name} has no task in progress (its last, {md(agent.done[-1])}, is complete): hand it "
                        f"to {name} if its session is still open, else launch {name} on it with the command below"
                    )
                else:
                    launched[a] = t.id
                    launch = True
                    lines.append(f"{name} is not running yet: launch it on this task with the command below")
            out.append((t, lines, launch))
        return out

    def wait_line(self, t: TaskFacts) -> str:
        """For a waiting task of a phase with agents: what it waits for and who takes it then."""
        what = self.waits_words(t)
        if t.task.milestone:  # a checkpoint takes no agent: its gate is checked when it is ready
            return f"waits for {what}: check its gate only when it is ready"
        if not t.assignees:
            return f"waits for {what}: launch an agent for it only when it can start"
        when = self._until(t, "that" if len(t.waiting_for) == 1 else "they")  # its dependencies, named just before
        return (
            f"waits for {what}: hand it to {self.agent_names(t.assignees)} when {when}, "
            f"not to a new agent (launch {'its agent' if len(t.assignees) == 1 else 'each of its agents'} "
            "only if it is not running by then)"
        )

    def wait_until(self, t: TaskFacts) -> str:
        """What must happen before a waiting task starts: ``12.6 is complete and py finishes 12.2``."""
        return self._until(t, ", ".join(md(d) for d in t.waiting_for))

    def _until(self, t: TaskFacts, deps: str) -> str:
        """What a waiting task waits until, its dependencies called ``deps``: ``deps is complete``
        (``are`` for several), then ``and`` what its agents finish first; either part alone."""
        parts = []
        if t.waiting_for:
            parts.append(f"{deps} {'is' if len(t.waiting_for) == 1 else 'are'} complete")
        if t.waits_for_agent:
            parts.append(self._finishes(t))
        return " and ".join(parts)

    def _finishes(self, t: TaskFacts) -> str:
        """``qa finishes 5.4``: the agents a task waits for, each with the tasks it finishes first."""
        parts = []
        for a in t.waits_for_agent:
            ids = [md(i) for i in t.waits_behind if a in self.p.task(i).assignees]
            parts.append(f"{md(a)} finishes {' and '.join(ids)}" if ids else f"{md(a)} has a free slot")
        return ", and ".join(parts)

    @property
    def ready(self) -> list[TaskFacts]:
        """Tasks that can start now: the only ones to launch (a milestone is reached, not launched)."""
        return [t for t in self.p.tasks if t.state == "ready" and not t.task.milestone]

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
    def verify(self) -> list[Finding]:
        """Recorded states the git history disagrees with: fail only ``check --strict``."""
        return [f for f in self.p.gate if f.kind == "verify"]

    def collision_lines(self) -> list[str]:
        """The declared-file collisions as markdown lines, one per shared file, the first
        :data:`SHOWN_FILES` of them (the last line says how many more)."""
        out = []
        for c in self.p.collisions[:SHOWN_FILES]:
            under = [x for x in c.paths if x != c.file]
            where = code(c.file) + (f" (the folder, and {', '.join(code(x) for x in under)} in it)" if under else "")
            if len(c.tasks) == 2:
                who = f"Tasks {md(c.tasks[0])} and {md(c.tasks[1])} may run at the same time and both touch {where}"
            else:
                who = (
                    f"Tasks {_names(list(c.tasks))} touch {where}, and each may run at the same time as another of them"
                )
            out.append(f"{who}: agree who edits first, or merge through git.")
        return out + self._more(len(self.p.collisions), "shared files")

    def _more(self, total: int, what: str) -> list[str]:
        if total <= SHOWN_FILES:
            return []
        return [f"And {total - SHOWN_FILES:,} more {what}: each task file lists its own, final-metrics.json all."]

    @staticmethod
    def _touches(touches: Any) -> str:
        shown = [f"{md(x.task)} in {code(x.commit)}" for x in touches[:SHOWN_TASKS]]
        more = f" and {len(touches) - len(shown):,} more" if len(touches) > len(shown) else ""
        return ", ".join(shown) + more

    def git_collision_lines(self) -> list[str]:
        """Files tasks changed while both were running, before either landed (from git), by file."""
        ev = self.p.evidence
        if ev is None:
            return []
        out = []
        for c in ev.collisions[:SHOWN_FILES]:
            ids = [x.task for x in c.touches]
            if len(ids) == 2:
                who = f"{md(ids[0])} and {md(ids[1])} both changed {code(c.file)} while both running, before either landed"
            else:
                who = f"{_names(ids)} changed {code(c.file)}, each while another of them had changed it too and neither had landed"
            out.append(f"{who} (first changes: {self._touches(c.touches)}).")
        return out + self._more(len(ev.collisions), "files changed at the same time")

    def undeclared_lines(self) -> list[str]:
        """Files tasks changed outside their declared ``files`` (from git), by file."""
        ev = self.p.evidence
        if ev is None:
            return []
        out = []
        for u in ev.undeclared[:SHOWN_FILES]:
            ids = [x.task for x in u.touches]
            whose = "its" if len(ids) == 1 else "their"
            out.append(f"{code(u.file)}: changed by {self._touches(u.touches)}, outside {whose} declared files.")
        return out + self._more(len(ev.undeclared), "files changed outside the declared ones")

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
        """The critical path in words, each task once (see :func:`~phasedocs.facts.chain_words`);
        with agents, the links that are an agent's order rather than a dependency are named."""
        words = chain_words(self.p.schedule.critical_chains, md)
        orders = self.agent_order_links()
        return f"{words} ({'; '.join(orders)})" if orders else words

    def agent_order_links(self) -> list[str]:
        """Links of the critical chains that are an agent's order, not a dependency, in words."""
        out: list[str] = []
        if not self.p.agents:
            return out
        for chain in self.p.schedule.critical_chains:
            for a, b in itertools.pairwise(chain):
                after = self.p.task(b)
                if a in after.task.depends_on:
                    continue
                shared = [x for x in after.assignees if x in self.p.task(a).assignees]
                line = f"{md(a)} → {md(b)}: {' and '.join(md(x) for x in shared)} runs one after the other, not a dependency"
                if shared and line not in out:
                    out.append(line)
        return out

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
        """Who did a task, for the cost totals: its agents (``assignee``), else its role's agent."""
        return ", ".join(t.assignees) if t.assignees else t.task.agent_name

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
