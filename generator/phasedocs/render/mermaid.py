"""The dependency graph of a phase as a Mermaid flowchart."""

from __future__ import annotations

from typing import TYPE_CHECKING

from phasedocs.render.filters import WS_RE

if TYPE_CHECKING:
    from phasedocs.facts import PhaseFacts


def mermaid_graph(p: PhaseFacts) -> str:
    """The dependency graph of a phase as a Mermaid flowchart, critical path highlighted."""
    ids = {t.id: f"T{i}" for i, t in enumerate(p.tasks)}
    lines = ["graph LR"]
    for t in p.tasks:
        size = "◆ milestone" if t.task.milestone else p.span.amount(t.task.duration_days)
        label = _mermaid_text(f"{t.id} {t.task.title}") + "<br/>" + _mermaid_text(size)
        lines.append(f'  {ids[t.id]}["{label}"]')
    for t in p.tasks:
        for d in t.task.depends_on:
            lines.append(f"  {ids[d]} --> {ids[t.id]}")
    critical = [ids[t.id] for t in p.tasks if t.critical]
    done = [ids[t.id] for t in p.tasks if t.state == "complete"]
    lines.append("  classDef critical stroke:#d32f2f,stroke-width:3px")
    lines.append("  classDef done fill:#c8e6c9,color:#1b5e20")
    if critical:
        lines.append(f"  class {','.join(critical)} critical")
    if done:
        lines.append(f"  class {','.join(done)} done")
    return "\n".join(lines)


def _mermaid_text(text: str) -> str:
    """Label text safe inside a quoted Mermaid label: entities for markup characters."""
    out = []
    for ch in WS_RE.sub(" ", text):
        if ch.isalnum() or ch in " .,-_/:+()'?!":
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)
