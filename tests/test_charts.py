"""Charts through their data (specs) and their structure (parsed SVG), never pixels."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import PHASE_YAML, PROJECT_YAML, REPO, minimal
from phasedocs.charts import drawing, registry
from phasedocs.charts import specs as charts
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from phasedocs.input.site_config import ChartStyle
from support import alpha, beta, criterion, edit, phase_yaml, project_yaml

SVG = "{http://www.w3.org/2000/svg}"

PROGRESS = {
    "phases/project.yaml": PROJECT_YAML,
    "phases/phase-01/phase.yaml": phase_yaml(
        [
            alpha(
                criteria=[
                    criterion("Few warnings", "warnings", "< 10"),
                    criterion("Faster build", "build_time", "-50%..-20%"),
                ]
            ),
            beta(),
        ]
    ),
    "phases/phase-01/metrics/a.json": json.dumps(
        {
            "timestamp": "2025-01-06T09:00:00Z",
            "kind": "baseline",
            "metrics": {"warnings": 30, "build_time": 100, "pass_rate": "90/100", "version": "1.0"},
        }
    ),
    "phases/phase-01/metrics/b.json": json.dumps(
        {
            "timestamp": "2025-01-07T09:00:00Z",
            "label": "Day 2",
            "metrics": {"warnings": 14, "build_time": 70, "pass_rate": "95/100"},
            "tasks": {"1.1": "in_progress"},
        }
    ),
    "phases/phase-01/metrics/c.json": json.dumps(
        {
            "timestamp": "2025-01-08T09:00:00Z",
            "label": "Day 3",
            "metrics": {"warnings": 8, "build_time": 40, "version": "1.1"},
            "tasks": {"1.1": "complete"},
        }
    ),
}


def facts_of(project, files=None, **kw):
    return compute(load_project(project(files, **kw)))


def ids(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [
        el.get("id")
        for el in root.iter()
        if el.get("id")
        and not re.fullmatch(r"[mp][0-9a-f]{10}", el.get("id", ""))  # markers and clip paths
        and not el.get("id", "").startswith(
            (
                "clip",
                "patch",
                "line2d",
                "text",
                "axes",
                "figure",
                "legend",
                "xtick",
                "ytick",
                "matplotlib",
                "PathCollection",
                "Line2D",
            )
        )
    ]


def test_example_gantt_spec(project):
    f = facts_of(project, example=True)
    g = charts.gantt_spec(f.phases[0], f)
    assert [(b.id, b.start, b.finish, b.slack, b.critical) for b in g.bars] == [
        ("7.1", 0, 2.4, 0, True),
        ("7.2", 0, 2.4, 0, True),
        ("7.3", 0, 1.2, 0.2, False),
        ("7.4", 1.2, 2.2, 0.2, False),
    ]
    assert g.arrows == (("7.3", "7.4"),)
    assert g.today == 0  # the baseline snapshot sits at the start
    assert g.day_labels == ("Thu 23 Oct", "Fri 24 Oct", "Sat 25 Oct")
    assert g.alt == (
        "Gantt chart of phase 7: 4 tasks over 2.4 days; critical path 7.1 and 7.2 in parallel; "
        "7.3 has 0.2 days of slack; 7.4 has 0.2 days of slack"
    )


def test_example_gantt_svg_structure(project):
    f = facts_of(project, example=True)
    svg = drawing.draw(charts.gantt_spec(f.phases[0], f), ChartStyle())
    found = ids(svg)
    assert sorted(i for i in found if i.startswith(("critical-", "task-", "done-"))) == [
        "critical-7.1",
        "critical-7.2",
        "task-7.3",
        "task-7.4",
    ]
    assert sorted(i for i in found if i.startswith("slack-")) == ["slack-7.3", "slack-7.4"]
    assert "dep-7.3-7.4" in found and "today" in found
    texts = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert "7.1 Build Infrastructure" in texts and "Phase 7: schedule" in texts


def test_trend_spec_skips_text_and_unmeasured_metrics(project):
    f = facts_of(project, example=True)
    spec = charts.trend_spec(f.phases[0])
    assert [p.key for p in spec.panels] == [
        "clippy_warnings",
        "rust_files",
        "test_pass_rate",
        "env_vars",
        "dead_code_removed",
    ]
    by_key = {p.key: p for p in spec.panels}
    assert by_key["test_pass_rate"].y == (pytest.approx(99.365, abs=0.001),)  # ratios in percent
    assert by_key["clippy_warnings"].target == charts.Band(None, 20.0, "target < 20")
    assert by_key["rust_files"].target is None


def test_relative_target_band_goes_through_the_baseline(project):
    f = facts_of(project, PROGRESS)
    spec = charts.trend_spec(f.phases[0])
    panel = next(p for p in spec.panels if p.key == "build_time")
    assert panel.y == (100.0, 70.0, 40.0)
    assert panel.target == charts.Band(50.0, 80.0, "target -50%..-20%")  # 100 x (1 - 50%) .. 100 x (1 - 20%)
    svg = drawing.draw(spec, ChartStyle())
    assert {"series-warnings", "series-build_time", "series-pass_rate", "target-warnings", "target-build_time"} <= set(
        ids(svg)
    )
    assert "series-version" not in ids(svg)  # text is not charted


def test_criteria_spec_shows_attainment_where_longer_is_better(project):
    f = facts_of(project, PROGRESS)
    spec = charts.criteria_spec(f.phases[0])
    # warnings 30 -> 8 against "< 10" (lower is better): 10/30 = 33% of the way at baseline,
    # 10/8 = 125% now; build time 100 -> 40 against -50%..-20% (lower is better, the edge to
    # reach is -20% = 80): 80/100 = 80% at baseline, 80/40 = 200% now. Both longer than
    # before, both past 100: an improvement always draws a longer bar
    assert [(b.label, b.baseline_pct, b.current_pct, b.state, b.settled) for b in spec.bars] == [
        ("1.1: Few warnings", 33.33, 125.0, "met", True),
        ("1.1: Faster build", 80.0, 200.0, "exceeded", True),
    ]
    svg = drawing.draw(spec, ChartStyle())
    assert sorted(i for i in ids(svg) if i.startswith(("current-", "baseline-"))) == [
        "baseline-0",
        "baseline-1",
        "current-0-met-settled",
        "current-1-exceeded-settled",
    ]


def test_progress_gantt_marks_done_and_today(project):
    f = facts_of(project, PROGRESS)
    g = charts.gantt_spec(f.phases[0], f)
    assert [b.complete for b in g.bars] == [True, False]
    assert g.today == 2.0  # Wednesday 09:00 is two days after Monday 09:00
    assert "done-1.1" in ids(drawing.draw(g, ChartStyle()))


def test_phase_without_snapshots_gets_the_gantt_the_burnup_and_a_note(project, runner):
    root = project(minimal())
    f = compute(load_project(root))
    assert list(charts.phase_specs(f.phases[0], f)) == ["gantt.svg", "burnup.svg"]
    out = root / "docs"
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(out)]).exit_code == 0
    assert sorted(p.name for p in (out / "phase-01/charts").iterdir()) == ["burnup.svg", "gantt.svg"]
    dashboard = (out / "phase-01/COORDINATION-DASHBOARD.md").read_text()
    assert "*No numeric measurements yet: nothing to chart.*" in dashboard
    assert "metrics.svg" not in dashboard


def test_charts_embedded_with_alt_text_and_a_table_beside(project, runner):
    root = project(PROGRESS)
    out = root / "docs"
    runner.invoke(main, ["generate", "--project", str(root), "--out", str(out)])
    dashboard = (out / "phase-01/COORDINATION-DASHBOARD.md").read_text()
    line = next(x for x in dashboard.splitlines() if x.startswith("![Metric trends"))
    assert line == (
        "![Metric trends of phase 1 over 3 snapshot(s): Warnings 30 to 8 (target &lt; 10); Build Time 100 s to 40 s "
        "(target -50%..-20%); Pass Rate 90% to 95%](charts/metrics.svg)"
    )
    assert "| Warnings | 30 | 8 | -73.3%; last move ↓ better |" in dashboard
    assert "![Gantt chart of phase 1" in dashboard
    roadmap = (out / "roadmap.md").read_text()
    assert (
        "![Roadmap of Demo: phase 1: First active, 50% done, 2025-01-06 to 2025-01-09, "
        "forecast 2025-01-09 (50%) to 2025-01-09 (85%)](charts/roadmap.svg)" in roadmap
    )


@pytest.mark.scale
def test_parallel_drawing_gives_the_same_bytes(project):
    f = facts_of(project, PROGRESS)
    specs = {f"{i}-{k}": v for i in range(3) for k, v in charts.phase_specs(f.phases[0], f).items()}
    assert len(specs) > drawing.PARALLEL_THRESHOLD
    drawing.DRAWN.clear()  # drawn by this process before: taken from memory, not drawn
    serial = drawing.draw_all(specs, ChartStyle(), workers=1)
    drawing.DRAWN.clear()
    parallel = drawing.draw_all(specs, ChartStyle(), workers=2)
    assert serial == parallel


def test_a_chart_this_process_drew_is_not_drawn_again_unless_its_input_changed(project, monkeypatch):
    f = facts_of(project, PROGRESS)
    specs = charts.phase_specs(f.phases[0], f)
    drawn: list[str] = []
    real = drawing.draw

    def counting(spec, style, drawer=None):
        drawn.append(type(spec).__name__)
        return real(spec, style, drawer)

    monkeypatch.setattr(drawing, "draw", counting)
    monkeypatch.setattr(drawing, "DRAWN", {})
    first = drawing.draw_all({**specs, "copy.svg": specs["gantt.svg"]}, ChartStyle(), workers=1)
    assert sorted(drawn) == sorted(type(s).__name__ for s in specs.values())  # the copy drawn once
    assert first["copy.svg"] == first["gantt.svg"]
    assert drawing.draw_all(specs, ChartStyle(), workers=1) == {k: first[k] for k in specs}
    assert len(drawn) == len(specs)  # all from memory
    drawing.draw_all(specs, ChartStyle(width=7.0), workers=1)  # another style: drawn anew
    assert len(drawn) == 2 * len(specs)


def test_svg_has_no_date_and_stable_ids(project):
    f = facts_of(project, example=True)
    svg = drawing.draw(charts.gantt_spec(f.phases[0], f), ChartStyle())
    assert b"<dc:date>" not in svg
    assert svg == drawing.draw(charts.gantt_spec(f.phases[0], f), ChartStyle())


@pytest.mark.scale
def test_two_processes_write_byte_identical_trees(project, tmp_path):
    root = project(PROGRESS)
    outs = []
    for name in ("a", "b"):
        out = tmp_path / name
        subprocess.run(
            [sys.executable, "-m", "phasedocs", "generate", "--project", str(root), "--out", str(out), "-q"],
            check=True,
            cwd=REPO,
        )
        outs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outs[0] == outs[1]
    assert any(k.endswith(".svg") for k in outs[0])


@pytest.mark.parametrize("command", [["validate"], ["handoff", "7"]])
def test_validate_and_handoff_never_import_matplotlib_or_mkdocs(command):
    code = (
        "import sys\nfrom phasedocs.cli import main\n"
        f"try:\n    main({[*command, '--project', str(REPO)]!r})\nexcept SystemExit as e:\n    assert e.code == 0, e.code\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('matplotlib', 'mkdocs', 'material'))\n"
        "print(bad, file=sys.stderr)\nassert not bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.returncode == 0, result.stderr


# ----------------------------------------------------------------------------- plan against reality
def _midflight(project, runner, frozen: bool = True):
    """The mid-phase project of test_progress, frozen at its start, with 1.3 re-estimated since."""
    from support import SNAPSHOTS, files

    root = project(files(SNAPSHOTS))
    if frozen:
        assert (
            runner.invoke(main, ["freeze", "1", "--project", str(root), "--at", "2025-01-06T08:00:00Z"]).exit_code == 0
        )
        phase = root / "phases/phase-01/phase.yaml"
        phase.write_text(
            edit(phase.read_text(), 'duration_days: 2, depends_on: ["1.1"]', 'duration_days: 3, depends_on: ["1.1"]')
        )
    return compute(load_project(root))


def test_the_burnup_shows_scope_moving_work_done_the_plan_and_the_cone(project, runner):
    f = _midflight(project, runner)
    spec = charts.burnup_spec(f.phases[0], f)
    day = lambda x: x.strftime("%d %H")  # noqa: E731
    # scope: 8 task-days when frozen (06 08:00), 9 after 1.3's re-estimate (seen at the latest snapshot)
    assert [(day(x), y) for x, y in spec.scope] == [("06 08", 8), ("10 09", 9), (day(f.phases[0].forecast.p95), 9)]
    # completed: 1.1 (1 day) by the 7th, 1.2 (1 day) by the 8th; nothing more since
    assert [(day(x), y) for x, y in spec.completed] == [
        ("06 08", 0),
        ("06 09", 0),
        ("07 09", 1),
        ("08 09", 2),
        ("09 09", 2),
        ("10 09", 2),
    ]
    # the frozen plan pro rata: 2 task-days by day 1 (1.1 and 1.2), 6 by day 3, all 8 by day 5
    assert [(day(x), y) for x, y in spec.plan] == [("06 09", 0), ("07 09", 2), ("09 09", 6), ("10 09", 7), ("11 09", 8)]
    at, done, ends = spec.cone
    assert (day(at), done) == ("10 09", 2)
    assert list(ends) == [f.phases[0].forecast.p50, f.phases[0].forecast.p85, f.phases[0].forecast.p95]
    svg = drawing.draw(spec, ChartStyle())
    assert {"scope", "completed", "plan", "forecast", "forecast-p50", "forecast-p85", "forecast-p95"} <= set(ids(svg))


def test_a_finished_phase_has_no_cone_and_an_unfrozen_one_plots_phase_yaml(project, runner):
    from support import FINISH, SNAPSHOTS, files

    f = compute(load_project(project(files(SNAPSHOTS, FINISH))))
    spec = charts.burnup_spec(f.phases[0], f)
    assert (spec.cone, spec.frozen, spec.completed[-1][1]) == (None, False, 8)
    assert "forecast" not in ids(drawing.draw(spec, ChartStyle()))


def test_the_gantt_draws_actual_bars_the_remaining_forecast_and_the_frozen_plan(project, runner):
    f = _midflight(project, runner)
    g = charts.gantt_spec(f.phases[0], f)
    bars = {b.id: b for b in g.bars}
    # 1.1 worked day 0 to 0.5; 1.3 from day 1 to now (day 4), 3 days of its new 3: a quarter again, 4 to 4.75
    assert (bars["1.1"].actual_start, bars["1.1"].actual_end, bars["1.1"].forecast_finish) == (0, 0.5, None)
    assert (bars["1.3"].actual_start, bars["1.3"].actual_end) == (1, 4)
    assert (bars["1.3"].forecast_from, bars["1.3"].forecast_finish) == (4, 4.75)
    # the frozen plan had 1.3 on days 1 to 3; phase.yaml now says 1 to 4
    assert (bars["1.3"].plan_start, bars["1.3"].plan_finish, bars["1.3"].finish) == (1, 3, 4)
    # 1.5 has not started: its forecast runs from when its last dependency is forecast to finish
    assert (bars["1.5"].actual_start, bars["1.5"].forecast_from, bars["1.5"].forecast_finish) == (None, 5, 6)
    found = set(ids(drawing.draw(g, ChartStyle())))
    assert {"actual-1.1", "actual-1.3", "forecast-1.3", "forecast-1.5", "plan-1.3"} <= found
    assert "actual-1.5" not in found and "forecast-1.1" not in found
    assert len(g.day_labels) == 7  # the axis reaches the forecast's last day, past the plan's 5


def test_the_roadmap_shows_each_phase_p50_to_p85(project, runner):
    f = _midflight(project, runner)
    spec = charts.roadmap_spec(f)
    (bar,) = spec.bars
    assert (bar.p50, bar.p85) == (f.phases[0].forecast.p50, f.phases[0].forecast.p85)
    assert "forecast-0" in ids(drawing.draw(spec, ChartStyle()))


def test_the_plan_line_counts_each_task_pro_rata(project):
    tasks = (
        '  - {id: "1", slug: one, title: One, role: dev, duration_days: 4}\n'
        '  - {id: "2", slug: two, title: Two, role: dev, duration_days: 1}\n'
    )
    phase = "number: 1\ntitle: P\ncreated: 2025-01-06T00:00:00Z\nstart: 2025-01-06T00:00:00Z\ntasks:\n" + tasks
    f = facts_of(project, {"phases/project.yaml": PROJECT_YAML, "phases/phase-01/phase.yaml": phase})
    spec = charts.burnup_spec(f.phases[0], f)
    # by day 1: task 2 whole (1) and a quarter of task 1 (1); by day 4 both (5)
    assert [(x.day, y) for x, y in spec.plan] == [(6, 0), (7, 2), (10, 5)]


def _luminance(hex_color: str) -> float:
    r, g, b = (int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5))
    f = lambda c: c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4  # noqa: E731
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b)


def _contrast(a: str, b: str) -> float:
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


#: Material's page backgrounds: white, and the slate scheme's hsl(232, 15%, 14%).
BACKGROUNDS = ("#ffffff", "#1e2029")
#: Groups that draw data (lines and bars); translucent areas (target bands, the cone) are not lines.
DATA = re.compile(
    r"(series|critical|task|done|slack|current|baseline|actual|forecast|phase|late|plan)-|scope$|completed$|plan$"
)


def test_every_data_line_and_bar_keeps_3_to_1_on_light_and_dark_pages(project, runner):
    from support import SNAPSHOTS, files

    root = project(files(SNAPSHOTS))
    assert runner.invoke(main, ["freeze", "1", "--project", str(root), "--at", "2025-01-06T08:00:00Z"]).exit_code == 0
    f = compute(load_project(root))
    specs = {**charts.phase_specs(f.phases[0], f), "roadmap.svg": charts.roadmap_spec(f)}
    checked = 0
    for name, spec in specs.items():
        svg = ET.fromstring(drawing.draw(spec, ChartStyle()))
        for group in svg.iter(f"{SVG}g"):
            gid = group.get("id", "")
            if not DATA.match(gid):
                continue
            for el in group.iter():
                style = dict(
                    part.split(":", 1) for part in (el.get("style") or "").replace(" ", "").split(";") if ":" in part
                )
                assert float(style.get("opacity", 1)) == 1 and float(style.get("fill-opacity", 1)) == 1, (name, gid)
                for key in ("fill", "stroke"):
                    color = style.get(key, "none")
                    if color.startswith("#") and len(color) == 7:
                        for bg in BACKGROUNDS:
                            assert _contrast(color, bg) >= 3.0, (name, gid, key, color, bg)
                        checked += 1
    assert checked > 30  # the test saw the charts' data, not an empty set


def test_snapshots_on_one_day_get_hour_ticks_not_the_same_date_twice(project):
    day = [
        json.dumps(
            {
                "timestamp": f"2025-01-06T{h:02d}:00:00Z",
                "kind": "baseline" if h == 9 else "progress",
                "metrics": {"warnings": h},
            }
        )
        for h in (9, 12, 15)
    ]
    files_ = {**minimal(), **{f"phases/phase-01/metrics/{i}.json": s for i, s in enumerate(day)}}
    f = facts_of(project, files_)
    svg = drawing.draw(charts.trend_spec(f.phases[0]), ChartStyle())
    labels = [t.text for t in ET.fromstring(svg).iter(f"{SVG}text")]
    assert ["09:00", "12:00", "15:00"] == [x for x in labels if x in ("09:00", "12:00", "15:00")]
    assert "06 Jan 2025" in labels and "06 Jan" not in labels


def test_every_criterion_is_drawn_or_listed_under_the_chart_missed_first(project, runner):
    # 1.1 is complete: "== 0" and "<= 0" are missed, yet no bar can show them; before, the chart
    # showed two green bars and said nothing of them
    extra = (
        '\n      - {text: No warnings at all, metric: warnings, target: "== 0"}'
        "\n      - {text: Reviewed, id: reviewed}"
        '\n      - {text: Instant build, metric: build_time, target: "<= 0"}'
    )
    files = {
        **PROGRESS,
        "phases/phase-01/phase.yaml": edit(
            PROGRESS["phases/phase-01/phase.yaml"], 'target: "-50%..-20%"', 'target: "-50%..-20%"' + extra
        ),
    }
    f = facts_of(project, files)
    spec = charts.criteria_spec(f.phases[0])
    assert [(b.label, b.state) for b in spec.bars] == [("1.1: Few warnings", "met"), ("1.1: Faster build", "exceeded")]
    assert spec.undrawn == (
        charts.UndrawnCriterion(
            "1.1: No warnings at all", "missed", True, "an exact target (== 0) cannot be drawn as a share of it"
        ),
        charts.UndrawnCriterion(
            "1.1: Instant build", "missed", True, "a target of 0 (<= 0) cannot be drawn as a share of it"
        ),
        charts.UndrawnCriterion("1.1: Reviewed", "pending", True, "checked by hand"),
    )
    assert spec.alt.endswith("; 3 more not drawn, listed under the chart: 2 missed, 1 pending")
    drawn = {b.label for b in spec.bars} | {u.label for u in spec.undrawn}
    assert drawn == {f"{c.scope}: {c.criterion.text}" for c in f.phases[0].criteria}
    root = project(files)
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "docs"), "-q"]).exit_code == 0
    report = (root / "docs/phase-01/COMPLETION-REPORT.md").read_text()
    assert "![Criteria of phase 1 as attainment of their target" in report
    assert (
        "Not drawn in the chart (3, missed first):\n\n"
        "- 1.1: No warnings at all: ❌ missed; an exact target (== 0) cannot be drawn as a share of it\n"
        "- 1.1: Instant build: ❌ missed; a target of 0 (&lt;= 0) cannot be drawn as a share of it\n"
        "- 1.1: Reviewed: ⏳ pending; checked by hand\n"
    ) in report


def test_no_chart_when_nothing_can_be_drawn_and_the_page_says_so_truly(project, runner):
    # the only criterion is "== 0", measured: before, the page said no criterion had a value
    phase = phase_yaml([alpha(criteria=[criterion("Few warnings", "warnings", "== 0")]), beta()])
    files = {**PROGRESS, "phases/phase-01/phase.yaml": phase}
    f = facts_of(project, files)
    assert charts.criteria_spec(f.phases[0]) is None
    root = project(files)
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "docs"), "-q"]).exit_code == 0
    report = (root / "docs/phase-01/COMPLETION-REPORT.md").read_text()
    assert (
        "*No criterion can be drawn against its target yet (that takes a threshold or range target and a numeric"
        " value): the tables list every criterion.*"
    ) in report


def _texts_outside(fig) -> list[str]:
    """Every text drawn that does not lie wholly inside the figure (ticks beyond the axes are not drawn)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    box = fig.bbox
    out = []
    for ax in fig.axes:
        lo, hi = sorted(ax.get_xlim())
        for label in ax.get_xticklabels():
            if not lo <= label.get_position()[0] <= hi:
                label.set_visible(False)
    for t in fig.findobj(lambda a: hasattr(a, "get_text") and hasattr(a, "get_window_extent")):
        if not t.get_text() or not t.get_visible():
            continue
        e = t.get_window_extent(renderer)
        if e.x0 < box.x0 - 0.5 or e.x1 > box.x1 + 0.5 or e.y0 < box.y0 - 0.5 or e.y1 > box.y1 + 0.5:
            out.append(t.get_text())
    return out


@pytest.mark.parametrize("narrow", [False, True])
def test_no_text_of_the_criteria_chart_is_clipped(narrow):
    style = drawing.narrow_style(ChartStyle()) if narrow else ChartStyle()
    long = "phase: Every public endpoint answers within the latency budget under the nightly load test"
    spec = charts.CriteriaSpec(
        "Phase 12: criteria against target",
        (
            charts.CriterionBar(long, 50.0, 200.0, "exceeded", True),
            charts.CriterionBar("1.1: Few warnings", 33.0, 125.0, "met", True),
            charts.CriterionBar("1.2: Coverage", None, 40.0, "off_track", False),
            charts.CriterionBar("1.3: Open bugs", 90.0, 0.0, "missed", True),
        ),
        "alt",
    )
    plt = drawing._setup(style)
    try:
        fig = registry.chart_of(spec).draw(plt, spec, style)
        assert _texts_outside(fig) == []
        # the long label is wrapped and cut, never drawn past the figure's edge
        labels = [t.get_text() for t in fig.axes[0].get_yticklabels()]
        assert [label.replace("\n", " ") for label in labels[1:]] == [
            "1.1: Few warnings",
            "1.2: Coverage",
            "1.3: Open bugs",
        ]
        assert labels[0].count("\n") == 1 and labels[0].endswith("…")
    finally:
        plt.close("all")


def test_label_lines_wrap_and_cut():
    assert charts.label_lines("1.1: Few warnings", 20) == ("1.1: Few warnings",)
    assert charts.label_lines("phase: all tests pass on every platform we ship", 20) == (
        "phase: all tests",
        "pass on every platf…",
    )
    assert charts.label_lines("phase: all tests pass on every", 20) == ("phase: all tests", "pass on every")
    assert all(len(line) <= 12 for line in charts.label_lines("x" * 100, 12, 3))


def test_the_roadmap_has_a_legend_of_what_it_draws(project, runner):
    from support import PHASE_TWO, SNAPSHOTS, files

    f = compute(load_project(project({**files(SNAPSHOTS), "phases/phase-02/phase.yaml": PHASE_TWO})))
    spec = charts.roadmap_spec(f)
    assert [b.state for b in spec.bars] == ["active", "planned"]
    assert spec.legend == (
        ("active", "phase active"),
        ("planned", "phase planned"),
        ("late", "forecast past the plan"),
        ("forecast", "forecast 50% to 85%"),
    )
    root = ET.fromstring(drawing.draw(spec, ChartStyle()))
    legend = next(el for el in root.iter() if el.get("id") == "roadmap-legend")
    assert [t.text for t in legend.iter(f"{SVG}text")] == [words for _, words in spec.legend]
    for narrow in (False, True):
        style = drawing.narrow_style(ChartStyle()) if narrow else ChartStyle()
        plt = drawing._setup(style)
        try:
            assert _texts_outside(registry.chart_of(spec).draw(plt, spec, style)) == []
        finally:
            plt.close("all")


def test_the_plan_line_is_flat_over_nights_weekends_and_holidays(project):
    tasks = (
        '  - {id: "1", slug: one, title: One, role: dev, duration_days: 2}\n'
        '  - {id: "2", slug: two, title: Two, role: dev, duration_days: 1.5, depends_on: ["1"]}\n'
    )
    start = "2025-01-09T09:00:00Z"  # a Thursday; Monday the 13th is a holiday
    phase = f"number: 1\ntitle: P\ncreated: {start}\nstart: {start}\ntasks:\n" + tasks
    workdays = project_yaml(calendar="workdays", workday={"start": "09:00", "hours": 8}, holidays=["2025-01-13"])
    f = facts_of(project, {"phases/project.yaml": workdays, "phases/phase-01/phase.yaml": phase})
    plan = charts.burnup_spec(f.phases[0], f).plan
    # work rises only inside a working day's hours: Thu, Fri, then Tue, Wed
    for (t0, v0), (t1, v1) in itertools.pairwise(plan):
        if v1 > v0:
            assert t0.date() == t1.date() and t0.hour >= 9 and (t1.hour, t1.minute) <= (17, 0), (t0, t1)
            assert t0.date().isoformat() in ("2025-01-09", "2025-01-10", "2025-01-14", "2025-01-15")
    rising = [(t0.isoformat(), t1.isoformat()) for (t0, v0), (t1, v1) in itertools.pairwise(plan) if v1 > v0]
    assert rising == [
        ("2025-01-09T09:00:00+00:00", "2025-01-09T17:00:00+00:00"),
        ("2025-01-10T09:00:00+00:00", "2025-01-10T17:00:00+00:00"),
        ("2025-01-14T09:00:00+00:00", "2025-01-14T17:00:00+00:00"),
        ("2025-01-15T09:00:00+00:00", "2025-01-15T13:00:00+00:00"),
    ]
    assert [v for _, v in plan][-1] == 3.5


def test_the_narrow_gantt_thins_its_day_labels_so_none_overlap(project):
    """On a phone the axis holds a few labels; the wide chart more; drawn, no two labels' boxes meet."""
    tasks = "".join(
        f'  - {{id: "1.{i}", slug: t{i}, title: T{i}, role: dev, duration_days: 1{", depends_on: [" + repr(f"1.{i - 1}") + "]" if i > 1 else ""}}}\n'
        for i in range(1, 16)
    )
    f = facts_of(project, minimal(**{"phases/phase-01/phase.yaml": PHASE_YAML.split("tasks:")[0] + "tasks:\n" + tasks}))
    spec = charts.gantt_spec(f.phases[0], f)
    assert len(spec.day_labels) == 15
    wide, narrow = ChartStyle(), drawing.narrow_style(ChartStyle())
    span = 15 * 1.02 + 0.05
    assert drawing.day_ticks(15, span, narrow) == [0, 5, 10]  # a label every fifth day on a phone
    assert drawing.day_ticks(15, span, wide) == [0, 3, 6, 9, 12]
    assert drawing.day_ticks(3, 3.11, narrow) == [0, 1, 2]  # a short phase keeps a label per day
    for style in (narrow, wide):
        plt = drawing._setup(style)
        fig = registry.chart_of(spec).draw(plt, spec, style)
        try:
            fig.canvas.draw()
            labels = [t for t in fig.axes[0].get_xticklabels() if t.get_text()]
            assert [t.get_text().split("\n")[0] for t in labels] == [
                f"day {i + 1}" for i in drawing.day_ticks(15, span, style)
            ]
            boxes = [t.get_window_extent() for t in labels]
            assert all(a.x1 < b.x0 for a, b in itertools.pairwise(boxes)), [(b.x0, b.x1) for b in boxes]
        finally:
            plt.close("all")
