"""Every chart phasedocs draws, in one registry: a new chart is one module and one line here.

A chart module (:mod:`~phasedocs.charts.gantt`, :mod:`~phasedocs.charts.burnup`...) holds its
frozen spec dataclass, the function that makes the spec from facts, and the function that
draws it. A :class:`Chart` record ties them to the file the chart is written to. Specs are
made from the registry (:func:`phase_specs`, :func:`project_specs`), drawn through it
(:func:`~phasedocs.charts.drawing.draw` finds a spec's chart by its class), and a chart's
content hash covers the source of every registered chart module (:func:`code_digest`).

Code outside the package adds a chart with :func:`register` (and takes it back with
:func:`unregister`). Its drawing function must be a module-level function: worker processes
receive it by reference (see :func:`~phasedocs.charts.drawing.draw_all`).
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from phasedocs.charts import burnup, criteria, gantt, roadmap, trend

if TYPE_CHECKING:
    from phasedocs.facts import PhaseFacts, ProjectFacts
    from phasedocs.input.site_config import ChartStyle


@dataclass(frozen=True)
class Chart:
    """One chart: where it is written, how its spec is made from facts, how it is drawn."""

    file: str
    """Its file name in the phase's (or the project's) ``charts/`` folder: ``gantt.svg``."""
    type: type
    """The class of its spec (a frozen dataclass): :func:`chart_of` finds the chart of a spec by it."""
    spec: Callable[..., Any]
    """Facts -> its spec, or None when there is nothing to draw: ``spec(p, facts)`` for a phase
    chart (``p`` the phase's facts, ``facts`` the project's), ``spec(facts)`` for a project chart."""
    draw: Callable[[Any, Any, ChartStyle], Any]
    """(pyplot, spec, style) -> the matplotlib figure of the spec; a module-level function."""
    scope: Literal["phase", "project"] = "phase"
    """``phase``: one per phase, in ``phase-NN/charts/``; ``project``: one, in ``charts/``."""


#: The built-in charts, in the order their specs are listed.
BUILT_IN = (
    Chart("gantt.svg", gantt.GanttSpec, gantt.gantt_spec, gantt.draw_gantt),
    Chart("burnup.svg", burnup.BurnupSpec, burnup.burnup_spec, burnup.draw_burnup),
    Chart("metrics.svg", trend.TrendSpec, trend.trend_spec, trend.draw_trend),
    Chart("criteria.svg", criteria.CriteriaSpec, criteria.criteria_spec, criteria.draw_criteria),
    Chart("roadmap.svg", roadmap.RoadmapSpec, roadmap.roadmap_spec, roadmap.draw_roadmap, "project"),
)

_CHARTS: list[Chart] = list(BUILT_IN)


def register(chart: Chart) -> Chart:
    """Add ``chart`` after those registered; ValueError when its file name (in its scope) or its
    spec class is taken. Returns it, for :func:`unregister`."""
    for other in _CHARTS:
        if other.scope == chart.scope and other.file == chart.file:
            raise ValueError(f"a {chart.scope} chart is already written to {chart.file}")
        if other.type is chart.type:
            raise ValueError(f"{chart.type.__name__} is already the spec of {other.file}")
    _CHARTS.append(chart)
    return chart


def unregister(chart: Chart) -> None:
    """Take back a chart :func:`register` added (a built-in chart stays)."""
    if chart in BUILT_IN:
        raise ValueError(f"{chart.file} is built in; it cannot be unregistered")
    _CHARTS.remove(chart)


def charts(scope: str | None = None) -> tuple[Chart, ...]:
    """The registered charts (of ``scope``, when given), in order."""
    return tuple(c for c in _CHARTS if scope is None or c.scope == scope)


def chart_of(spec: object) -> Chart:
    """The chart that draws ``spec``, found by its class; KeyError if none is registered."""
    for chart in _CHARTS:
        if type(spec) is chart.type:
            return chart
    raise KeyError(f"no chart draws a {type(spec).__name__}; register one")


def phase_specs(p: PhaseFacts, facts: ProjectFacts) -> dict[str, Any]:
    """Chart file name -> spec, for every phase chart phase ``p`` has data for."""
    out = {}
    for chart in charts("phase"):
        spec = chart.spec(p, facts)
        if spec is not None:
            out[chart.file] = spec
    return out


def project_specs(facts: ProjectFacts) -> dict[str, Any]:
    """Chart file name -> spec, for every project chart the project has data for (the roadmap)."""
    out = {}
    for chart in charts("project"):
        spec = chart.spec(facts)
        if spec is not None:
            out[chart.file] = spec
    return out


def code_digest() -> str:
    """A digest of the registered charts and the code that makes and draws them: each chart's
    record (file, scope, functions), the shared modules and every chart's module (an outside
    chart's by its functions' files, else by their names). A phasedocs, or a registered chart,
    that draws differently must not reuse charts drawn before, nor a build its pages."""
    return _code_digest(tuple(_CHARTS))


@functools.lru_cache(maxsize=8)
def _code_digest(registered: tuple[Chart, ...]) -> str:
    """:func:`code_digest` of the charts ``registered`` (cached: every chart's hash asks for it)."""
    here = Path(__file__).parent
    sources = [str(here / "common.py"), str(here / "drawing.py")]
    entries = []
    for chart in registered:
        sources += [_source_of(chart.spec), _source_of(chart.draw)]
        entries.append(f"{chart.scope}:{chart.file}:{_name_of(chart.spec)}:{_name_of(chart.draw)}")
    return _digest_of((*entries, *dict.fromkeys(sources)))


def _name_of(function: Callable[..., Any]) -> str:
    return f"{getattr(function, '__module__', '?')}:{getattr(function, '__qualname__', '?')}"


def _source_of(function: Callable[..., Any]) -> str:
    """The file defining ``function``, or ``module:qualname`` when there is none to read."""
    module = sys.modules.get(getattr(function, "__module__", "") or "")
    try:
        found = inspect.getsourcefile(module) if module is not None else None
    except TypeError:  # a built-in module
        found = None
    return found or _name_of(function)


def _digest_of(sources: tuple[str, ...]) -> str:
    """The sha256 of the files named in ``sources`` (a name that is no file counts as itself)."""
    h = hashlib.sha256()
    for source in sources:
        path = Path(source)
        h.update(path.read_bytes() if path.is_file() else source.encode())
        h.update(b"\0")
    return h.hexdigest()[:16]
