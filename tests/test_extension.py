"""Extension points from outside the package: a chart is one registry entry, an extractor one table entry.

The chart (tasks per state, as bars) and the extractor (``csv``: a cell of a CSV file) below
are written as a project's own code would write them, registered through the public
functions, and used by the real commands: ``measure`` reads the cell, ``generate`` writes
the chart beside the built-in ones. Each fixture takes its registration back.
"""

from __future__ import annotations

import csv
import io
import json
import os
import pickle
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from conftest import REPO
from phasedocs.charts import drawing, registry
from phasedocs.cli import main
from phasedocs.input import records, reports
from phasedocs.input.models import Extract, Metric
from phasedocs.input.records import ValidationError, parse
from phasedocs.input.site_config import ChartStyle
from support import criterion, phase_yaml, project_yaml, snapshot, task

SVG = "{http://www.w3.org/2000/svg}"
STATES = ("ready", "waiting", "in_progress", "blocked", "complete")


# --- the chart: tasks per state ------------------------------------------------------------


@dataclass(frozen=True)
class StatesSpec:
    """How many tasks of a phase are in each state."""

    title: str
    counts: tuple[tuple[str, int], ...]
    alt: str


def states_spec(p: Any, facts: Any) -> StatesSpec | None:
    """The phase's tasks counted by state; None for a phase of no tasks."""
    if not p.tasks:
        return None
    counts = tuple((state, sum(1 for t in p.tasks if t.state == state)) for state in STATES)
    alt = f"Tasks of phase {p.number} by state: " + ", ".join(f"{n} {state}" for state, n in counts)
    return StatesSpec(f"Phase {p.number}: tasks by state", counts, alt)


def draw_states(plt: Any, spec: StatesSpec, style: ChartStyle) -> Any:
    """One bar per state."""
    fig, ax = plt.subplots(figsize=(style.width, style.height))
    for i, (state, n) in enumerate(spec.counts):
        ax.bar(i, n, color=style.colors.task, gid=f"state-{state}-{n}")
    ax.set_xticks(range(len(spec.counts)), [state for state, _ in spec.counts])
    ax.set_title(spec.title, loc="left")
    fig.tight_layout()
    return fig


@pytest.fixture
def states_chart():
    """The states chart, registered for one test."""
    chart = registry.register(registry.Chart("states.svg", StatesSpec, states_spec, draw_states))
    yield chart
    registry.unregister(chart)
    assert registry.charts() == registry.BUILT_IN


# --- the extractor: a cell of a CSV file ----------------------------------------------------


def read_csv_cell(root: Path, e: Extract, unit: str) -> reports.Reading:
    """The number in the cell at ``pointer`` (/row/column, 0-based) of the CSV file."""
    rows = list(csv.reader(io.StringIO(reports.report_bytes(root, e).decode("utf-8"))))
    try:
        cell = reports.pointer_get(rows, str(e.pointer))
    except KeyError as exc:
        raise reports.ReportError(f"{e.path}: {exc.args[0]}") from None
    return reports.Reading(float(cell), (e.path,))


@pytest.fixture
def csv_extractor():
    """The csv extractor, registered for one test."""
    entry = reports.register_extractor(reports.Extractor("csv", read_csv_cell, pointer=True))
    yield entry
    reports.unregister_extractor(entry)
    assert "csv" not in reports.EXTRACTORS and "csv" not in records.fields(Extract)


COVERAGE = {
    "label": "Coverage",
    "unit": "percent",
    "better": "higher",
    "extract": {"csv": "reports/cov.csv", "pointer": "/2/1"},
}
CSV = "module,coverage\ncore,91.5\nall,87.25\n"


def project_files() -> dict[str, str]:
    """A phase of three tasks (complete, in progress, waiting for it) whose criterion reads coverage
    from a CSV file."""
    tasks = [
        task("1.1", 1, criteria=[criterion("Covered", "coverage", ">= 80")]),
        task("1.2", 1, ["1.1"]),
        task("1.3", 1, ["1.2"]),
    ]
    return {
        "phases/project.yaml": project_yaml(extra_metrics={"coverage": COVERAGE}),
        "phases/phase-01/phase.yaml": phase_yaml(tasks),
        "phases/phase-01/metrics/a.json": snapshot(
            "2025-01-06T09:00:00Z", "baseline", tasks={"1.1": "complete", "1.2": "in_progress"}
        ),
        "reports/cov.csv": CSV,
    }


def test_a_registered_chart_and_extractor_work_through_measure_and_generate(
    project, runner, states_chart, csv_extractor
):
    root = project(project_files())
    measured = runner.invoke(main, ["measure", "1", "--project", str(root), "--at", "2025-01-06T12:00:00Z"])
    assert measured.exit_code == 0, measured.output
    out = root / "docs"
    generated = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"])
    assert generated.exit_code == 0, generated.output

    # the extractor's value: recorded by measure, reported in final-metrics.json
    final = json.loads((out / "phase-01/final-metrics.json").read_text())
    assert final["metrics"]["coverage"]["current"] == 87.25
    assert final["criteria"][0]["value"] == 87.25

    # the chart: written beside the built-in ones, drawn from its spec
    assert sorted(p.name for p in (out / "phase-01/charts").iterdir()) == [
        "burnup.svg",
        "criteria.svg",
        "gantt.svg",
        "metrics.svg",
        "states.svg",
    ]
    svg = ET.fromstring((out / "phase-01/charts/states.svg").read_bytes())
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Phase 1: tasks by state" in texts
    bars = sorted(el.get("id") for el in svg.iter() if (el.get("id") or "").startswith("state-"))
    assert bars == ["state-blocked-0", "state-complete-1", "state-in_progress-1", "state-ready-0", "state-waiting-1"]
    manifest = json.loads((out / ".phasedocs-manifest.json").read_text())
    assert "phase-01/charts/states.svg" in manifest["files"]


def test_a_registered_extractor_is_validated_by_the_table(csv_extractor):
    assert parse(Metric, COVERAGE).extract == parse(Extract, {"csv": "reports/cov.csv", "pointer": "/2/1"})
    with pytest.raises(ValidationError, match="csv needs pointer: an RFC 6901 pointer such as /mean"):
        parse(Extract, {"csv": "reports/cov.csv"})
    with pytest.raises(ValidationError, match="value goes with junit or cobertura, not csv"):
        parse(Extract, {"csv": "c.csv", "pointer": "/0/0", "value": "line_rate"})
    with pytest.raises(ValidationError, match="pointer goes with json or csv, not count"):
        parse(Extract, {"count": "*.py", "pointer": "/a"})
    with pytest.raises(
        ValidationError,
        match=r"give exactly one extractor of junit, cobertura, json, count, grep, jsonl, csv \(given: none\)",
    ):
        parse(Extract, {})
    with pytest.raises(ValueError, match="'csv' is already registered"):
        reports.register_extractor(reports.Extractor("csv", read_csv_cell))
    with pytest.raises(ValueError, match="already has a field 'pointer'"):
        reports.register_extractor(reports.Extractor("pointer", read_csv_cell))


def test_an_unregistered_kind_is_refused():
    with pytest.raises(ValidationError, match="csv"):
        parse(Extract, {"csv": "reports/cov.csv", "pointer": "/2/1"})


def test_the_built_in_extractors_are_the_fields_of_extract():
    options = {"value", "pointer", "pattern", "model", "input", "output"}
    assert list(reports.EXTRACTORS) == [f for f in records.fields(Extract) if f not in options]
    assert list(reports.EXTRACTORS) == ["junit", "cobertura", "json", "count", "grep", "jsonl"]


def test_a_registered_chart_is_drawn_by_a_worker_that_never_registered_it(tmp_path, states_chart):
    """What a spawned worker does: unpickle its job and draw it, in a fresh interpreter where only
    the job names the chart's drawing function."""
    spec = StatesSpec("Phase 1: tasks by state", (("waiting", 2), ("complete", 1)), "alt")
    job = ("states.svg", spec, registry.chart_of(spec).draw, records.dump(ChartStyle()))
    item = tmp_path / "job.pickle"
    item.write_bytes(pickle.dumps(job))
    code = (
        "import pickle, sys\n"
        "from phasedocs.charts import drawing, registry\n"
        f"job = pickle.loads(open({str(item)!r}, 'rb').read())\n"
        "assert [c.file for c in registry.charts()] == [c.file for c in registry.BUILT_IN]\n"
        "drawing._worker_init(job[3])\n"
        "sys.stdout.buffer.write(drawing._worker_draw(job)[1])\n"
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "tests"), str(REPO / "generator")])}
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, env=env, check=False)
    assert done.returncode == 0, done.stderr.decode()
    assert done.stdout == drawing.draw(spec, ChartStyle())


def test_a_chart_registered_after_a_build_is_drawn_by_the_next(project, runner):
    """The registry is part of what a build depends on: the next generate draws the new chart,
    though no input changed (the pages of the phase would otherwise be reused as they are)."""
    plain = {key: value for key, value in COVERAGE.items() if key != "extract"}  # no csv extractor here
    root = project({**project_files(), "phases/project.yaml": project_yaml(extra_metrics={"coverage": plain})})
    out = root / "docs"
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"]).exit_code == 0
    assert not (out / "phase-01/charts/states.svg").exists()
    chart = registry.register(registry.Chart("states.svg", StatesSpec, states_spec, draw_states))
    try:
        assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"]).exit_code == 0
    finally:
        registry.unregister(chart)
    assert (out / "phase-01/charts/states.svg").is_file()


def test_the_code_digest_covers_a_registered_charts_module():
    before = registry.code_digest()
    chart = registry.register(registry.Chart("states.svg", StatesSpec, states_spec, draw_states))
    try:
        assert registry.code_digest() != before
        assert registry._source_of(draw_states) == __file__  # its drawing code is hashed, as the built-ins'
    finally:
        registry.unregister(chart)
    assert registry.code_digest() == before
