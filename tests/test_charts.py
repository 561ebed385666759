"""Charts through their data (specs) and their structure (parsed SVG), never pixels."""

from __future__ import annotations

import json
import re
import subprocess
import sys
import xml.etree.ElementTree as ET

import pytest

from conftest import PHASE_YAML, PROJECT_YAML, REPO, minimal
from phasedocs.charts import drawing
from phasedocs.charts import specs as charts
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from phasedocs.input.site_config import ChartStyle

SVG = "{http://www.w3.org/2000/svg}"

PROGRESS = {
    "phases/project.yaml": PROJECT_YAML,
    "phases/phase-01/phase.yaml": PHASE_YAML.replace(
        'target: "< 10"',
        'target: "< 10"\n      - text: Faster build\n        metric: build_time\n        target: "-50%..-20%"',
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


def test_parallel_drawing_gives_the_same_bytes(project):
    f = facts_of(project, PROGRESS)
    specs = {f"{i}-{k}": v for i in range(3) for k, v in charts.phase_specs(f.phases[0], f).items()}
    assert len(specs) > drawing.PARALLEL_THRESHOLD
    serial = drawing.draw_all(specs, ChartStyle(), workers=1)
    parallel = drawing.draw_all(specs, ChartStyle(), workers=2)
    assert serial == parallel


def test_svg_has_no_date_and_stable_ids(project):
    f = facts_of(project, example=True)
    svg = drawing.draw(charts.gantt_spec(f.phases[0], f), ChartStyle())
    assert b"<dc:date>" not in svg
    assert svg == drawing.draw(charts.gantt_spec(f.phases[0], f), ChartStyle())


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
    from test_progress import SNAPSHOTS, files

    root = project(files(SNAPSHOTS))
    if frozen:
        assert (
            runner.invoke(main, ["freeze", "1", "--project", str(root), "--at", "2025-01-06T08:00:00Z"]).exit_code == 0
        )
        phase = root / "phases/phase-01/phase.yaml"
        phase.write_text(
            phase.read_text().replace('duration_days: 2, depends_on: ["1.1"]', 'duration_days: 3, depends_on: ["1.1"]')
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
    from test_progress import FINISH, SNAPSHOTS, files

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
    from test_progress import SNAPSHOTS, files

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
