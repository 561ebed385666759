"""Drawing chart specs to SVG bytes with matplotlib.

matplotlib is imported only when a chart is actually drawn (:func:`~phasedocs.charts.common.setup`).
Output is deterministic: a fixed ``svg.hashsalt``, no date metadata, text kept as text,
series in a fixed order. Each spec is drawn by the function of its chart in
:mod:`phasedocs.charts.registry`. Worker processes import the chart modules (to unpickle
the specs and the drawing functions), never Jinja.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor
from typing import Any

from phasedocs.charts.common import NARROW_SUFFIX, NARROW_WIDTH, narrow_style
from phasedocs.charts.common import setup as _setup
from phasedocs.charts.gantt import day_ticks
from phasedocs.charts.registry import chart_of
from phasedocs.charts.specs import spec_hash
from phasedocs.input import records
from phasedocs.input.site_config import ChartStyle

__all__ = ["NARROW_SUFFIX", "NARROW_WIDTH", "PARALLEL_THRESHOLD", "day_ticks", "draw", "draw_all", "narrow_style"]

#: Draw in worker processes when more charts than this need drawing (one phase and the
#: roadmap are five: starting workers that import matplotlib costs more than they save).
PARALLEL_THRESHOLD = 5

#: (pyplot, spec, style) -> a matplotlib figure: a chart's drawing function.
Drawer = Callable[[Any, Any, ChartStyle], Any]


def draw(spec: Any, style: ChartStyle, drawer: Drawer | None = None) -> bytes:
    """The SVG bytes of ``spec``, drawn by ``drawer`` (by default its registered chart's)."""
    import io
    import warnings

    plt = _setup(style)
    if drawer is None:
        drawer = chart_of(spec).draw
    buf = io.BytesIO()
    with warnings.catch_warnings():
        # user text may hold characters the font lacks: they show as boxes, not as a warning per chart
        warnings.filterwarnings(
            "ignore", message="Glyph .* missing from", category=UserWarning
        )  # "font(s) X" or "current font"
        # nor a script matplotlib cannot shape (Telugu, Arabic...): it draws the characters as they come
        warnings.filterwarnings(
            "ignore", message="Matplotlib currently does not support .* natively", category=UserWarning
        )
        try:
            fig = drawer(plt, spec, style)
            # no bbox_inches="tight": it draws the figure twice; tight_layout has placed everything
            fig.savefig(buf, format="svg", metadata={"Date": None, "Creator": "phasedocs"})
        finally:
            plt.close("all")  # also when drawing fails half-way: a long-lived process must not collect figures
    return buf.getvalue()


def _worker_init(style_data: dict[str, Any]) -> None:
    _setup(records.parse(ChartStyle, style_data))  # import matplotlib once per worker


def _worker_draw(item: tuple[str, Any, Drawer, dict[str, Any]]) -> tuple[str, bytes]:
    # the drawing function travels with the spec (pickled by reference): a worker that did not
    # inherit the registry (a spawned one) still draws a chart registered outside the package
    name, spec, drawer, style_data = item
    return name, draw(spec, records.parse(ChartStyle, style_data), drawer)


def draw_all(
    specs: Mapping[str, Any],
    style: ChartStyle,
    workers: int | None = None,
    hashes: Mapping[str, str] | None = None,
) -> dict[str, bytes]:
    """Draw every spec; in worker processes when there are more than a handful.

    A name ending in ``.narrow.svg`` is drawn in :func:`narrow_style` (for phones). A chart
    this process drew before (the same :func:`~phasedocs.charts.specs.spec_hash`: spec, style,
    matplotlib's version and the chart code) is not drawn again (:data:`DRAWN`); ``hashes``
    gives those a caller has already computed (the pipeline does, to compare with its manifest).
    """
    items = sorted(specs.items())
    narrow = narrow_style(style)
    style_of = {name: narrow if name.endswith(NARROW_SUFFIX) else style for name, _ in items}
    known = hashes or {}
    key = {name: known.get(name) or spec_hash(spec, style_of[name]) for name, spec in items}
    todo: dict[str, tuple[str, Any]] = {}  # one drawing per chart not drawn before, by its hash
    for name, spec in items:
        if key[name] not in DRAWN:
            todo.setdefault(key[name], (name, spec))
    drawn = _draw(list(todo.values()), style_of, style, narrow, workers)
    fresh = {h: drawn[name] for h, (name, _) in todo.items()}
    out = {name: fresh[key[name]] if key[name] in fresh else DRAWN[key[name]] for name, _ in items}
    _remember(fresh)
    return out


#: Charts drawn by this process, by their hash: the same hash, the same bytes, so a
#: long-lived process (``serve``, the plugin's rebuilds) or a test run draws each chart once.
DRAWN: dict[str, bytes] = {}
#: When the charts kept pass this many bytes, the memory starts afresh.
DRAWN_LIMIT = 64 << 20


def _remember(fresh: dict[str, bytes]) -> None:
    if sum(map(len, DRAWN.values())) + sum(map(len, fresh.values())) > DRAWN_LIMIT:
        DRAWN.clear()
    DRAWN.update(fresh)


def _draw(
    items: list[tuple[str, Any]],
    style_of: dict[str, ChartStyle],
    style: ChartStyle,
    narrow: ChartStyle,
    workers: int | None,
) -> dict[str, bytes]:
    workers = workers if workers is not None else (os.cpu_count() or 1)
    if len(items) <= PARALLEL_THRESHOLD or workers <= 1:
        return {name: draw(spec, style_of[name]) for name, spec in items}
    data = records.dump(style)
    dumped = {id(style): data, id(narrow): records.dump(narrow)}
    with ProcessPoolExecutor(max_workers=min(workers, len(items)), initializer=_worker_init, initargs=(data,)) as pool:
        return dict(
            pool.map(
                _worker_draw,
                [(name, spec, chart_of(spec).draw, dumped[id(style_of[name])]) for name, spec in items],
                chunksize=max(1, len(items) // (workers * 4)),
            )
        )
