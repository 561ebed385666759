"""Every computed fact of a project: schedule, states, criteria, metrics, collisions.

Pure: no I/O, no wall clock. Input is a validated :class:`~phasedocs.input.project.Project`,
output is plain frozen dataclasses that the templates, charts and final-metrics.json
read. Everything is linear in tasks + dependencies + snapshots (collisions are grouped by
file through bit masks of the tasks, never listed or compared pair by pair).

One module per concern: :mod:`.model` (the results), :mod:`.graph` (dependency order),
:mod:`.schedule` (critical path), :mod:`.progress` (work in progress), :mod:`.measures`
(metrics and criteria), :mod:`.plans` (plan against reality), :mod:`.changes` (what the latest
snapshot changed), :mod:`.collisions` (shared files), :mod:`.evidence` (what sync's reading of
git adds beside the records: claims to verify, real collisions, undeclared files), :mod:`.phase` (one phase, as named
steps) and :mod:`.project` (what needs every phase).
"""

from __future__ import annotations

from phasedocs.facts.collisions import collisions
from phasedocs.facts.graph import topological
from phasedocs.facts.measures import numeric
from phasedocs.facts.model import (
    STATE_WORDS,
    AgentFacts,
    Change,
    Collision,
    CriterionFacts,
    Day,
    EvidenceFacts,
    ForecastFacts,
    Gauge,
    GitCollision,
    GroupFacts,
    MetricFacts,
    PhaseFacts,
    PlanFacts,
    PlannedSpan,
    PlanVersionFacts,
    ProjectFacts,
    Schedule,
    Share,
    SnapshotInfo,
    TaskDays,
    TaskEvidence,
    TaskFacts,
    Touch,
    Undeclared,
    VerifyItem,
    in_words,
)
from phasedocs.facts.phase import UNDER_WAY, compute_phase, under_way
from phasedocs.facts.plans import GAUGE_TOLERANCE, gauge_of
from phasedocs.facts.project import compute, history_ratios
from phasedocs.facts.schedule import chain_words
from phasedocs.input.cpm import MAX_CHAINS, critical_chains

__all__ = [
    "GAUGE_TOLERANCE",
    "MAX_CHAINS",
    "STATE_WORDS",
    "UNDER_WAY",
    "AgentFacts",
    "Change",
    "Collision",
    "CriterionFacts",
    "Day",
    "EvidenceFacts",
    "ForecastFacts",
    "Gauge",
    "GitCollision",
    "GroupFacts",
    "MetricFacts",
    "PhaseFacts",
    "PlanFacts",
    "PlanVersionFacts",
    "PlannedSpan",
    "ProjectFacts",
    "Schedule",
    "Share",
    "SnapshotInfo",
    "TaskDays",
    "TaskEvidence",
    "TaskFacts",
    "Touch",
    "Undeclared",
    "VerifyItem",
    "chain_words",
    "collisions",
    "compute",
    "compute_phase",
    "critical_chains",
    "gauge_of",
    "history_ratios",
    "in_words",
    "numeric",
    "topological",
    "under_way",
]
