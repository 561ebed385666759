"""The CI gate's findings: settled criteria missed or never settled, metrics regressed,
criteria not met yet, implausible claims, recorded states the git history disagrees with.

Pure, like :mod:`phasedocs.facts`, whose results it reads. :func:`phasedocs.facts.compute`
stores each phase's findings in ``PhaseFacts.gate``, once: ``phasedocs check`` (which
formats them and sets its exit status, ``commands/check.py``), the documents,
status.json and the badges all read that one verdict, so they can never disagree.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from phasedocs.dates import EPS
from phasedocs.facts.model import Finding
from phasedocs.formats import iso

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

    from phasedocs.facts.model import CriterionFacts, MetricFacts, PhaseFacts, ProjectFacts


#: Work claimed done in under this share of its planned time is flagged as implausible.
IMPLAUSIBLE_SHARE = 0.1


def as_dict(f: Finding, tz: ZoneInfo, strict: bool = False) -> dict[str, Any]:
    """One finding as check's JSON and status.json give it (``fails``: with ``strict``, every finding)."""
    return {
        "phase": f.phase,
        "kind": f.kind,
        "fails": f.fails or strict,
        "subject": f.subject,
        "detail": f.detail,
        "since": iso(f.since, tz) if f.since is not None else None,
        "metric": f.metric,
        "value": f.value,
        "reference": f.reference,
    }


def _show(value: float | str | bool | None) -> str:
    return f"{value:.4g}" if isinstance(value, float) else str(value)


def _time(p: PhaseFacts, days: float, places: int | None = 2) -> str:
    """An amount of time in the phase's unit: ``0.25 days`` (rounded to ``places``, if given), or
    ``1.5 h`` in a phase of hours."""
    if p.span.hours:
        return p.span.amount(days)
    return f"{_show(round(days, places) if places is not None else days)} days"


def _criterion(p: PhaseFacts, c: CriterionFacts) -> Finding:
    if c.scope == "phase":
        since = p.actual_finish
    elif c.scope.startswith("group:"):  # a group's gate settles when its last task is complete
        since = p.group(c.scope).actual_finish
    else:
        since = p.task(c.scope).actual_finish
    target = c.criterion.target or "checked by hand"
    if c.state == "pending":
        detail = _unsettled(p.number, c)
    elif c.measured:
        origin = "the first value" if c.baseline_is_first else "the baseline"
        change = f" ({c.change_pct:+.2f}% from {origin})" if c.change_pct is not None else ""
        own = f" (task {c.scope}'s own value)" if c.task_scoped else ""
        detail = f"target {target}, value {_show(c.value)}{own}{change}"
    else:
        detail = "checked by hand: recorded false"
    return Finding(
        p.number,
        "unsettled" if c.state == "pending" else c.state,
        f"{c.scope}: {c.criterion.text}",
        detail,
        since if c.state in ("missed", "pending") else None,
        c.criterion.metric,
        c.value if not isinstance(c.value, bool) else str(c.value).lower(),
        target,
    )


def _unsettled(number: int, c: CriterionFacts) -> str:
    """Why a criterion of a complete phase has no verdict, and how to give it one."""
    if not c.measured:
        return (
            f"never checked: no snapshot records the hand check {c.criterion.id}; "
            f"record it: phasedocs record {number} --check {c.criterion.id}=true (or =false)"
        )
    label = c.metric.label if c.metric is not None else c.criterion.metric
    if c.value is None and c.task_scoped:
        return (
            f"never measured: no snapshot holds task {c.scope}'s own value of {label} ({c.criterion.metric}), "
            f"target {c.criterion.target}; record it: phasedocs record {number} "
            f"--task-metric {c.scope}:{c.criterion.metric}=VALUE"
        )
    if c.value is None:
        return (
            f"never measured: no snapshot holds a value of {label} ({c.criterion.metric}), target {c.criterion.target}"
        )
    return f"not judged: target {c.criterion.target} is relative and {label} has no value to measure it from"


def regression(m: MetricFacts) -> Finding | None:
    """The regression of ``m`` past its ``regress`` threshold at its latest value, or None.

    ``against``: the previous value, the baseline (the first value when the baseline had
    none), or the best value before the latest. Worse is the metric's ``better`` way; a
    change exactly at the threshold is not past it.
    """
    rule = m.metric.regress
    if rule is None or m.metric.better is None:
        return None
    points = [(ts, float(v)) for ts, v in m.series if isinstance(v, (int, float))]
    if len(points) < 2:
        return None
    at, latest = points[-1]
    earlier = [v for _, v in points[:-1]]
    lower = m.metric.better == "lower"
    if rule.against == "previous":
        ref, words = earlier[-1], "the previous value"
    elif rule.against == "best":
        ref, words = (min(earlier) if lower else max(earlier)), "the best value so far"
    else:
        base = m.baseline if isinstance(m.baseline, (int, float)) else earlier[0]  # None: the first value stands in
        ref, words = float(base), "the baseline"
    worse = latest - ref if lower else ref - latest
    if worse <= EPS:
        return None
    if rule.relative:
        share = 100.0 * worse / abs(ref) if abs(ref) > EPS else float("inf")
        if share <= rule.amount + EPS:
            return None
        size = f"{share:.1f}%" if share != float("inf") else "from zero"
    else:
        if worse <= rule.amount + EPS:
            return None
        size = f"{worse:.4g}"
    detail = f"{_show(ref)} → {_show(latest)}: worse by {size} against {words} (threshold {rule.by})"
    return Finding(0, "regressed", m.metric.label, detail, at, m.key, latest, ref)


def implausible(p: PhaseFacts) -> list[Finding]:
    """Claims of ``p`` to verify (the data is kept, the flag says what to check).

    Work recorded complete before the phase's planned start, a task complete in under
    :data:`IMPLAUSIBLE_SHARE` of its planned time (from its first recorded start: a task first
    seen complete has no measured time), and a phase complete in under that share of its plan
    (from its first recorded start to its last finish).
    """
    out: list[Finding] = []
    start = p.phase.start
    for info in p.snapshots:
        early = [tid for tid, at in info.completed if at < start]
        if early:
            which = ", ".join(early)
            out.append(
                Finding(
                    p.number,
                    "implausible",
                    f"Snapshot {info.file}",
                    f"records {which} complete before the phase's planned start: verify its date and the tasks' states",
                    info.timestamp,
                )
            )
    for t in p.tasks:
        days, planned = t.actual_days, t.task.duration_days
        if t.state != "complete" or days is None or days <= EPS or days >= IMPLAUSIBLE_SHARE * planned - EPS:
            continue
        out.append(
            Finding(
                p.number,
                "implausible",
                f"Task {t.id}",
                f"complete {_time(p, days)} after it started, under a tenth of its planned "
                f"{_time(p, planned, None)}: verify when it started and finished",
                t.actual_finish,
                value=round(days, 4),
                reference=planned,
            )
        )
    plan = p.plan.versions[-1].total_days if p.plan is not None and p.plan.versions else p.schedule.total_days
    took = _phase_days(p)
    if p.state == "complete" and took is not None and took < IMPLAUSIBLE_SHARE * plan - EPS:
        out.append(
            Finding(
                p.number,
                "implausible",
                "The phase",
                f"complete {_time(p, took)} after its first task started, under a tenth of its planned "
                f"{_time(p, plan, None)}: verify the snapshots' dates and states",
                p.actual_finish,
                value=round(took, 4),
                reference=plan,
            )
        )
    return out


def _phase_days(p: PhaseFacts) -> float | None:
    """Days from the first recorded start to the last finish, on the project calendar (from the tasks' offsets)."""
    starts = [t.days.actual_start for t in p.tasks if t.days is not None and t.days.actual_start is not None]
    ends = [t.days.actual_finish for t in p.tasks if t.days is not None and t.days.actual_finish is not None]
    if not starts or not ends:
        return None
    return max(0.0, max(ends) - min(starts))


def phase_findings(p: PhaseFacts) -> tuple[Finding, ...]:
    """Every finding of phase ``p``, in order: missed, never settled, regressed, not met yet, implausible,
    to verify against git.

    A criterion still pending when the phase is complete was never measured or never
    checked: it fails the gate, as a missed one does.
    """
    out = [_criterion(p, c) for c in p.criteria if c.state == "missed"]
    if p.state == "complete":
        out += [_criterion(p, c) for c in p.criteria if c.state == "pending"]
    for m in p.metrics:
        found = regression(m)
        if found is not None:
            out.append(replace(found, phase=p.number))
    out += [_criterion(p, c) for c in p.criteria if c.state == "off_track"]
    out += implausible(p)
    out += against_evidence(p)
    return tuple(out)


def against_evidence(p: PhaseFacts) -> list[Finding]:
    """Each recorded state the latest reading of git disagrees with (fails ``check --strict``).

    ``value``: the short commit ids that show it, ``reference``: the kind of disagreement.
    """
    if p.evidence is None:
        return []
    return [
        Finding(
            p.number,
            "verify",
            f"Task {v.task}",
            v.detail,
            v.since,
            value=", ".join(v.commits) or None,
            reference=v.kind,
        )
        for v in p.evidence.verify
    ]


def findings(facts: ProjectFacts, phases: list[PhaseFacts] | None = None) -> list[Finding]:
    """Every finding of ``phases`` (default: all), phase by phase, as computed once with the facts."""
    return [f for p in (phases if phases is not None else list(facts.phases)) for f in p.gate]
