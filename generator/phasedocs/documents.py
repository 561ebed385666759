"""The output catalogue: which documents phasedocs writes and what the site calls them.

A leaf module (it imports nothing), so the site settings, the renderer and the site can
all name the documents without loading one another.
"""

from __future__ import annotations

#: Each phase document and its title in the site navigation.
PHASE_DOCUMENTS = {
    "README.md": "Package",
    "COORDINATION-SUMMARY.md": "Summary",
    "AGENT-BRIEFING.md": "Agent briefing",
    "COORDINATION-DASHBOARD.md": "Dashboard",
    "COORDINATOR-HANDOFF.md": "Handoff",
    "COMPLETION-REPORT.md": "Completion report",
}
#: The documents of the whole project.
PROJECT_DOCUMENTS = ("index.md", "roadmap.md")
