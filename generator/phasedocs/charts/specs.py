"""What each chart shows: pure, frozen specs built from facts (no matplotlib here).

Each chart's spec dataclass and ``*_spec`` function live in its own module (``gantt``,
``burnup``, ``trend``, ``criteria``, ``roadmap``), registered in
:mod:`phasedocs.charts.registry`; this module names them in one place for the code and tests
that import them from here. Tests check the specs; drawing them is
:mod:`phasedocs.charts.drawing`'s job. ``spec_hash`` names a chart by its content, so an
unchanged chart is never drawn twice.
"""

from __future__ import annotations

import functools
import hashlib
import pickle
from typing import TYPE_CHECKING, Any

from phasedocs.charts.burnup import BurnupSpec, burnup_spec
from phasedocs.charts.common import MAX_BARS, MAX_TICKS, label_lines
from phasedocs.charts.criteria import ATTAIN_CAP, CriteriaSpec, CriterionBar, UndrawnCriterion, criteria_spec
from phasedocs.charts.gantt import GanttBar, GanttGroup, GanttSpec, gantt_spec
from phasedocs.charts.registry import code_digest, phase_specs, project_specs
from phasedocs.charts.roadmap import ROADMAP_STATES, RoadmapBar, RoadmapSpec, roadmap_spec
from phasedocs.charts.trend import Band, Panel, TrendSpec, trend_spec
from phasedocs.input import records

if TYPE_CHECKING:
    from phasedocs.input.site_config import ChartStyle

__all__ = [
    "ATTAIN_CAP",
    "MAX_BARS",
    "MAX_TICKS",
    "ROADMAP_STATES",
    "Band",
    "BurnupSpec",
    "CriteriaSpec",
    "CriterionBar",
    "GanttBar",
    "GanttGroup",
    "GanttSpec",
    "Panel",
    "RoadmapBar",
    "RoadmapSpec",
    "Spec",
    "TrendSpec",
    "UndrawnCriterion",
    "burnup_spec",
    "criteria_spec",
    "gantt_spec",
    "label_lines",
    "phase_specs",
    "project_specs",
    "roadmap_spec",
    "spec_hash",
    "trend_spec",
]

Spec = TrendSpec | CriteriaSpec | GanttSpec | RoadmapSpec | BurnupSpec
"""The specs of the built-in charts (a registered chart brings its own class)."""


def spec_hash(spec: Any, style: ChartStyle) -> str:
    """A content hash of a chart's input: same hash, same SVG."""
    payload = pickle.dumps((spec, _style_key(style, code_digest())), protocol=4)
    return hashlib.sha256(payload).hexdigest()[:16]


@functools.lru_cache(maxsize=8)
def _style_key(style: ChartStyle, code: str) -> str:
    """The style, the matplotlib version and the drawing code (:func:`~phasedocs.charts.registry.code_digest`):
    a new matplotlib, or a new phasedocs (or registered chart) that draws differently, must not
    reuse charts drawn before (from a cache, or left in docs/ by an earlier version)."""
    from importlib.metadata import version  # no matplotlib import for a hash; slow, hence cached

    return records.dump_json(style) + version("matplotlib") + code
