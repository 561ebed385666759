"""IMPORT-REPORT.md: what an import took from where, what it left, and what the schedule says."""

from __future__ import annotations

from phasedocs.facts import PhaseFacts
from phasedocs.porting.reconcile import Ported
from phasedocs.porting.scan import Package, Source, durations, timestamp
from phasedocs.render.filters import md as md_text


def _where(sources: tuple[Source, ...] | list[Source]) -> str:
    return ", ".join(md_text(str(s)) for s in sources) or "the tables"


def _days(value: float, hours: bool = False) -> str:
    """A span in the unit of the phase: hours for a phase shorter than a day, else days."""
    if hours:
        h = round(value * 24, 2)
        return f"{h:g} hour" + ("" if h == 1 else "s")
    value = round(value, 2)
    return f"{value:g} day" + ("" if value == 1 else "s")


def render_report(source_name: str, pkg: Package, ported: Ported, facts: PhaseFacts) -> str:
    """The report's markdown. Everything in it comes from the package and the computed facts."""
    phase = ported.phase
    tasks = phase["tasks"]
    deps = sum(len(t.get("depends_on", [])) for t in tasks)
    criteria = [c for t in tasks for c in t.get("criteria", [])] + list(phase.get("success_criteria", []))
    measured = sum(1 for c in criteria if "metric" in c)
    lines = [
        f"# Import report: {md_text(source_name)}",
        "",
        f"`phasedocs import` read {len(pkg.files)} documents and wrote phase {ported.number}, "
        f"{md_text(phase['title'])}: {len(tasks)} tasks, {deps} dependenc{'y' if deps == 1 else 'ies'}, {len(criteria)} criteria "
        f"({measured} measured, {len(criteria) - measured} checked by hand) and "
        f"{len(ported.project.get('metrics', {}))} metrics. Nothing below was decided silently: "
        "where the documents disagree, each one's words are listed with the choice made and why.",
        "",
        "The rule for every choice: a task's title, role, duration and dependencies come from the "
        "task's own file when it has one, else from the value most documents agree on; a list "
        "(objectives, deliverables, criteria) comes from one document, the task's own file, else "
        "the one that lists the most, and items only other documents state are listed below.",
        "",
        "## The schedule: computed against hand-written",
        "",
    ]
    sched = facts.schedule
    hours = sched.total_days < 1
    chains = "; ".join(" → ".join(c) for c in sched.critical_chains) or "none"
    lines += [
        f"phasedocs computes the schedule by the critical path method from the durations and "
        f"dependencies above: **{_days(sched.total_days, hours)}**, from {sched.start:%Y-%m-%d %H:%M} to "
        f"{sched.finish:%Y-%m-%d %H:%M} UTC, critical chains: {md_text(chains)}.",
        "",
    ]
    said = []
    for text, src in ported.claimed_total:
        found = durations(text.rsplit("=", 1)[-1])  # "2.4 days + 1 day = 3.4 days": the sum
        if found:
            stated = found[0].days
            gap = stated - sched.total_days
            verdict = "agrees" if abs(gap) < 0.005 else f"**{_days(abs(gap), hours)} {'more' if gap > 0 else 'less'}**"
            said.append(f"- {md_text(str(src))} says {md_text(text)}: {_days(stated, hours)}, {verdict}.")
    for text, src in ported.claimed_finish:
        when = timestamp(text)
        if when is not None:
            verdict = (
                "agrees" if when.date() == sched.finish.date() else f"**differs**: computed {sched.finish:%Y-%m-%d}"
            )
            said.append(f"- {md_text(str(src))} gives the finish as {md_text(text)}: {verdict}.")
    for text, src in ported.claimed_critical:
        said.append(f"- {md_text(str(src))} says: {md_text(text)}")
    lines += said or ["The documents state no total, finish date or critical path to compare."]
    if any("more**" in line or "differs" in line for line in said):
        lines += [
            "",
            "Where a hand-written figure differs, it was usually added up along the tasks instead of "
            "along the longest chain of dependencies: tasks that can run in parallel count once.",
        ]
    lines += ["", "## Where the documents disagree", ""]
    if ported.decisions:
        lines += ["| About | Taken | Why | What each document says |", "|---|---|---|---|"]
        for d in ported.decisions:
            each = "; ".join(f"{md_text(value)} ({_where(where)})" for value, where in d.said)
            lines.append(f"| {md_text(d.subject)} | {md_text(d.taken)} | {md_text(d.why)} | {each} |")
    else:
        lines.append("Nowhere: every value is stated the same way wherever it is stated.")
    lines += ["", "## How values were mapped", ""]
    lines += [f"- **{md_text(topic)}**: {md_text(text)}" for topic, text in ported.notes] or ["Nothing needed a note."]
    lines += ["", "## Items other documents list that were not imported", ""]
    if ported.left_out:
        lines.append("Each may be a commitment: add it to `phase.yaml` if it is one.")
        lines.append("")
        lines += [
            f"- {md_text(subject)}: {md_text(item)} ({_where(where)})" for subject, item, where in ported.left_out
        ]
    else:
        lines.append("None.")
    lines += [
        "",
        "## Not mapped",
        "",
        "These sections hold no line the import could read as a field (commands, prose, diagrams). "
        "The documents are kept in `imported/` and listed as references in `phase.yaml`.",
        "",
    ]
    lines += [
        f"- {md_text(str(src))} {md_text(heading)}: {count} line{'s' if count != 1 else ''}"
        for src, heading, count in pkg.unmapped
    ] or ["None."]
    lines += [
        "",
        "## Next",
        "",
        "```bash",
        "phasedocs validate      # the result validates as written",
        "phasedocs generate      # the documents, computed",
        f"phasedocs freeze {ported.number}       # once the plan is reviewed",
        "```",
        "",
    ]
    return "\n".join(lines)
