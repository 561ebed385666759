"""phasedocs check: the CI gate's exit codes, findings and job summary."""

from __future__ import annotations

import json

import markdown
import pytest

from conftest import PROJECT_YAML, minimal
from phasedocs.cli import main
from support import FINISH, SNAPSHOTS, Raw, alpha, beta, criterion, edit, files, metric, phase_yaml, project_yaml

REGRESS = project_yaml(extra_metrics=metric("warnings", regress={"by": "10%", "against": "previous"}))


def check(runner, root, *args: str):
    result = runner.invoke(main, ["check", "--project", str(root), *args])
    # exit 1 must be a verdict, never a crash that CliRunner turned into one
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def snap(ts: str, warnings: float, kind: str = "progress") -> str:
    return json.dumps({"timestamp": ts, "kind": kind, "metrics": {"warnings": warnings}})


def test_a_phase_at_baseline_passes(project, runner):
    result = check(runner, project(example=True))
    assert result.exit_code == 0
    # 7.2's, 7.3's and 7.4's criteria are not met yet: reported, not failing
    assert result.output.splitlines()[0] == "phase 7: Quality & Infrastructure"
    assert all(line.startswith("  note not met yet: ") for line in result.output.splitlines()[1:-1])
    assert result.output.splitlines()[-1] == "check: ok"
    assert check(runner, project(example=True), "--strict").exit_code == 1


def test_a_finished_phase_with_a_miss_fails_and_says_since_when(project, runner):
    result = check(runner, project(files(SNAPSHOTS, FINISH)))
    assert result.exit_code == 1
    assert result.output == (
        "phase 1: Ingest\n"
        "  FAIL missed: phase: Release quality: target >= 98/100, value 0.97 (+7.78% from the baseline)"
        " since 2025-01-13T09:00:00Z\n"
        "check: 1 failure\n"
    )


def test_a_regression_past_its_threshold_fails_and_one_at_it_passes(project, runner):
    def phase(*snaps: str):
        out = minimal(**{"phases/project.yaml": REGRESS})
        for i, s in enumerate(snaps):
            out[f"phases/phase-01/metrics/{i}.json"] = s
        return out

    # 10 -> 12: 20% worse than the previous value, past 10%
    root = project(phase(snap("2025-01-06T09:00:00Z", 10, "baseline"), snap("2025-01-07T09:00:00Z", 12)))
    result = check(runner, root)
    assert result.exit_code == 1
    assert result.output == (
        "phase 1: First\n"
        "  FAIL regressed: Warnings: 10 → 12: worse by 20.0% against the previous value (threshold 10%)"
        " since 2025-01-07T09:00:00Z\n"
        # 1.1's criterion (< 10) is not met yet while 1.1 is not complete: reported, not failing
        "  note not met yet: 1.1: Few warnings: target < 10, value 12 (+20.00% from the baseline)\n"
        "check: 1 failure\n"
    )
    # 10 -> 11 is 10% worse: at the threshold, not past it; and better is never a regression
    for value in (11, 8):
        root = project(phase(snap("2025-01-06T09:00:00Z", 10, "baseline"), snap("2025-01-07T09:00:00Z", value)))
        assert check(runner, root).exit_code == 0


@pytest.mark.parametrize(
    ("rule", "values", "fails"),
    [
        ("{by: 3, against: previous}", (10, 13), False),  # worse by exactly the amount
        ("{by: 3, against: previous}", (10, 13.5), True),
        ("{by: 10%, against: baseline}", (10, 9, 10.5), False),  # 5% over the baseline
        ("{by: 10%, against: baseline}", (10, 9, 11.5), True),  # 15% over it, 27.8% over the previous
        ("{by: 10%, against: best}", (10, 5, 6), True),  # 20% worse than the best so far (5)
        ("{by: 10%, against: previous}", (10, 5, 6, 6.5), False),  # 8.3% worse than the previous
    ],
)
def test_regress_rules(project, runner, rule, values, fails):
    catalogue = project_yaml(extra_metrics=metric("warnings", regress=Raw(rule)))
    files_ = minimal(**{"phases/project.yaml": catalogue})
    for i, v in enumerate(values):
        files_[f"phases/phase-01/metrics/{i}.json"] = snap(
            f"2025-01-0{6 + i}T09:00:00Z", v, "baseline" if i == 0 else "progress"
        )
    result = check(runner, project(files_))
    assert result.exit_code == (1 if fails else 0)
    assert ("FAIL regressed: Warnings" in result.output) == fails


def test_a_higher_is_better_metric_regresses_when_it_falls(project, runner):
    catalogue = project_yaml(extra_metrics=metric("pass_rate", regress={"by": "5%"}))

    def rate(ts: str, value: str, kind: str = "progress") -> str:
        return json.dumps({"timestamp": ts, "kind": kind, "metrics": {"pass_rate": value}})

    for latest, fails in (("80/100", True), ("95/100", False), ("86/100", False)):  # against the previous 90
        files_ = minimal(**{"phases/project.yaml": catalogue})
        files_["phases/phase-01/metrics/a.json"] = rate("2025-01-06T09:00:00Z", "90/100", "baseline")
        files_["phases/phase-01/metrics/b.json"] = rate("2025-01-07T09:00:00Z", latest)
        result = check(runner, project(files_))
        # 0.9 -> 0.8 is 11.1% worse; 0.86 is 4.4% worse; 0.95 is better
        assert result.exit_code == (1 if fails else 0), (latest, result.output)
        if fails:
            assert (
                "  FAIL regressed: Pass Rate: 0.9 → 0.8: worse by 11.1% against the previous value (threshold 5%)"
                in result.output
            )


def test_against_baseline_means_the_snapshot_marked_baseline(project, runner):
    catalogue = project_yaml(extra_metrics=metric("warnings", regress={"by": "10%", "against": "baseline"}))
    files_ = minimal(**{"phases/project.yaml": catalogue})
    # the second snapshot is the baseline (10); 11.5 is 15% over it, though better than the first value, 12
    for i, (v, kind) in enumerate([(12, "progress"), (10, "baseline"), (11.5, "progress")]):
        files_[f"phases/phase-01/metrics/{i}.json"] = snap(f"2025-01-0{6 + i}T09:00:00Z", v, kind)
    result = check(runner, project(files_))
    assert result.exit_code == 1
    assert "  FAIL regressed: Warnings: 10 → 11.5: worse by 15.0% against the baseline (threshold 10%)" in result.output


def test_best_so_far_is_the_highest_when_higher_is_better(project, runner):
    catalogue = project_yaml(extra_metrics=metric("pass_rate", regress={"by": "8%", "against": "best"}))
    files_ = minimal(**{"phases/project.yaml": catalogue})
    for i, (ts, value) in enumerate([("06", "90/100"), ("07", "95/100"), ("08", "86/100")]):
        files_[f"phases/phase-01/metrics/{i}.json"] = json.dumps(
            {
                "timestamp": f"2025-01-{ts}T09:00:00Z",
                "kind": "baseline" if i == 0 else "progress",
                "metrics": {"pass_rate": value},
            }
        )
    result = check(runner, project(files_))
    # 0.86 is 9.5% below the best, 0.95 (only 4.4% below the first value, 0.9)
    assert result.exit_code == 1
    assert (
        "  FAIL regressed: Pass Rate: 0.95 → 0.86: worse by 9.5% against the best value so far (threshold 8%)"
        in result.output
    )


def test_a_missed_task_criterion_is_dated_by_its_task_and_a_hand_check_says_so(project, runner):
    phase = phase_yaml([alpha(), beta(criteria=[criterion("Reviewed", id="reviewed")])])
    files_ = minimal(**{"phases/phase-01/phase.yaml": phase})
    files_["phases/phase-01/metrics/a.json"] = json.dumps(
        {
            "timestamp": "2025-01-06T09:00:00Z",
            "kind": "baseline",
            "metrics": {"warnings": 30},
            "tasks": {"1.1": "in_progress"},
        }
    )
    files_["phases/phase-01/metrics/b.json"] = json.dumps(
        {
            "timestamp": "2025-01-08T09:00:00Z",
            "metrics": {"warnings": 12},
            "tasks": {"1.1": "complete", "1.2": "in_progress"},
        }
    )
    files_["phases/phase-01/metrics/c.json"] = json.dumps(
        {"timestamp": "2025-01-09T12:00:00Z", "tasks": {"1.2": "complete"}, "checks": {"reviewed": False}}
    )
    result = check(runner, project(files_))
    assert result.exit_code == 1
    assert result.output == (
        "phase 1: First\n"
        "  FAIL missed: 1.1: Few warnings: target < 10, value 12 (-60.00% from the baseline) since 2025-01-08T09:00:00Z\n"
        "  FAIL missed: 1.2: Reviewed: checked by hand: recorded false since 2025-01-09T12:00:00Z\n"
        "check: 2 failures\n"
    )
    data = json.loads(check(runner, project(files_), "--format", "json").output)
    assert [f["reference"] for f in data["findings"]] == ["< 10", "checked by hand"]


def test_the_summary_is_appended_and_its_table_renders(project, runner, tmp_path):
    summary = tmp_path / "summary.md"
    summary.write_text("# Earlier step\n")
    result = check(runner, project(files(SNAPSHOTS, FINISH)), "--summary", str(summary))
    assert result.exit_code == 1
    text = summary.read_text()
    assert text.startswith("# Earlier step\n## phasedocs check: ❌ 1 failing\n")
    html = markdown.markdown(text, extensions=["tables"])
    assert "<table>" in html
    assert "<td>❌ missed</td>\n<td>phase: Release quality</td>" in html
    assert "<td>2025-01-13T09:00:00Z</td>" in html


def test_json_format(project, runner):
    result = check(runner, project(files(SNAPSHOTS, FINISH)), "--format", "json")
    data = json.loads(result.output)
    assert (data["ok"], data["failures"], data["strict"]) == (False, 1, False)
    assert data["findings"] == [
        {
            "phase": 1,
            "kind": "missed",
            "fails": True,
            "subject": "phase: Release quality",
            "detail": "target >= 98/100, value 0.97 (+7.78% from the baseline)",
            "since": "2025-01-13T09:00:00Z",
            "metric": "pass_rate",
            "value": 0.97,
            "reference": ">= 98/100",
        }
    ]


def test_check_names_unknown_phases_and_validates_first(project, runner):
    root = project(minimal())
    result = check(runner, root, "9")
    assert (result.exit_code, result.output) == (1, "Error: no phase 9 in this project (phases: 1)\n")
    bad = project(minimal(**{"phases/project.yaml": edit(REGRESS, "better: lower, regress", "regress")}))
    result = check(runner, bad)
    assert result.exit_code == 1
    assert "regress needs better: lower or higher, to know which way is worse" in result.output


def test_text_output_cannot_forge_a_log_line(project, runner):
    hostile = PROJECT_YAML  # the criterion's text comes from phase.yaml, which anyone may edit
    forged = criterion("ok\n::error file=x::pwned ##[error]red", "warnings", "< 10")
    phase = phase_yaml([alpha(criteria=[forged]), beta()])
    files_ = minimal(**{"phases/project.yaml": hostile, "phases/phase-01/phase.yaml": phase})
    files_["phases/phase-01/metrics/a.json"] = snap("2025-01-06T09:00:00Z", 30, "baseline")
    result = check(runner, project(files_))
    assert result.exit_code == 0
    assert not any(line.startswith("::") for line in result.output.splitlines())
    assert "ok\\n::error file=x::pwned #\\u0023[error]red" in result.output


# ----------------------------------------------------------------------------- an honest closeout (#24, items 3, 10, 11)
REVIEWED_TASKS = [alpha(), beta(criteria=[criterion("Reviewed", id="reviewed")])]
REVIEWED = phase_yaml(REVIEWED_TASKS)


def phase_files(*snaps: dict, catalogue: str = PROJECT_YAML, phase: str = REVIEWED) -> dict[str, str]:
    """The minimal project (1.1: warnings < 10; 1.2: checked by hand, `reviewed`) with ``snaps`` in order."""
    out = minimal(**{"phases/project.yaml": catalogue, "phases/phase-01/phase.yaml": phase})
    for i, s in enumerate(snaps):
        out[f"phases/phase-01/metrics/{i}.json"] = json.dumps(s)
    return out


FINISHED_UNSETTLED = phase_files(
    {"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "tasks": {"1.1": "in_progress"}},
    {"timestamp": "2025-01-08T09:00:00Z", "tasks": {"1.1": "complete", "1.2": "in_progress"}},
    {"timestamp": "2025-01-09T12:00:00Z", "kind": "final", "tasks": {"1.2": "complete"}},
)


def test_a_complete_phase_with_criteria_never_measured_or_never_checked_fails(project, runner):
    root = project(FINISHED_UNSETTLED)
    expected = (
        "phase 1: First\n"
        "  FAIL never settled: 1.1: Few warnings: never measured: no snapshot holds a value of Warnings (warnings),"
        " target < 10 since 2025-01-08T09:00:00Z\n"
        "  FAIL never settled: 1.2: Reviewed: never checked: no snapshot records the hand check reviewed;"
        " record it: phasedocs record 1 --check reviewed=true (or =false) since 2025-01-09T12:00:00Z\n"
        "check: 2 failures\n"
    )
    for args in ((), ("--strict",)):
        result = check(runner, root, *args)
        assert (result.exit_code, result.output) == (1, expected)
    data = json.loads(check(runner, root, "--format", "json").output)
    assert data == {
        "ok": False,
        "strict": False,
        "failures": 2,
        "findings": [
            {
                "phase": 1,
                "kind": "unsettled",
                "fails": True,
                "subject": "1.1: Few warnings",
                "detail": "never measured: no snapshot holds a value of Warnings (warnings), target < 10",
                "since": "2025-01-08T09:00:00Z",
                "metric": "warnings",
                "value": None,
                "reference": "< 10",
            },
            {
                "phase": 1,
                "kind": "unsettled",
                "fails": True,
                "subject": "1.2: Reviewed",
                "detail": "never checked: no snapshot records the hand check reviewed;"
                " record it: phasedocs record 1 --check reviewed=true (or =false)",
                "since": "2025-01-09T12:00:00Z",
                "metric": None,
                "value": None,
                "reference": "checked by hand",
            },
        ],
    }


def test_the_completion_report_says_what_was_never_settled_in_its_first_lines(project, runner):
    root = project(FINISHED_UNSETTLED)
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "docs"), "-q"]).exit_code == 0
    head = (root / "docs/phase-01/COMPLETION-REPORT.md").read_text().splitlines()[:8]
    assert head[4:8] == [
        '!!! failure "`phasedocs check` fails: 2 findings"',
        "    - Never settled since 2025-01-08 09:00 UTC: 1.1: Few warnings: never measured: no snapshot holds a value"
        " of Warnings (warnings), target &lt; 10",
        "    - Never settled since 2025-01-09 12:00 UTC: 1.2: Reviewed: never checked: no snapshot records the hand"
        " check reviewed; record it: phasedocs record 1 --check reviewed=true (or =false)",
        "",
    ]


def test_a_change_from_the_first_value_is_said_so(project, runner):
    # the baseline holds no warnings: the change is measured from the first value, as the documents say
    root = project(
        phase_files(
            {"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "metrics": {"build_time": 50}},
            {"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 30}, "tasks": {"1.1": "in_progress"}},
            {"timestamp": "2025-01-08T09:00:00Z", "metrics": {"warnings": 12}, "tasks": {"1.1": "complete"}},
            phase=minimal()["phases/phase-01/phase.yaml"],
        )
    )
    result = check(runner, root)
    assert result.output == (
        "phase 1: First\n"
        "  FAIL missed: 1.1: Few warnings: target < 10, value 12 (-60.00% from the first value)"
        " since 2025-01-08T09:00:00Z\n"
        "check: 1 failure\n"
    )


def test_work_complete_before_the_start_is_implausible_and_fails_only_strict(project, runner):
    # written on Friday, everything recorded complete on Saturday, two days before the planned start (Monday 09:00)
    root = project(
        phase_files(
            {
                "timestamp": "2025-01-04T10:00:00Z",
                "metrics": {"warnings": 5},
                "checks": {"reviewed": True},
                "tasks": {"1.1": "complete", "1.2": "complete"},
            },
            phase=phase_yaml(REVIEWED_TASKS, created="2025-01-03T09:00:00Z"),
        )
    )
    notes = (
        "phase 1: First\n"
        "  {0} implausible: Snapshot phases/phase-01/metrics/0.json: records 1.1, 1.2 complete before the phase's planned start:"
        " verify its date and the tasks' states at 2025-01-04T10:00:00Z\n"
        "  {0} implausible: The phase: complete 0 days after its first task started, under a tenth of its planned"
        " 3 days: verify the snapshots' dates and states at 2025-01-04T10:00:00Z\n"
    )
    result = check(runner, root)
    assert (result.exit_code, result.output) == (0, notes.format("note") + "check: ok\n")
    result = check(runner, root, "--strict")
    assert (result.exit_code, result.output) == (1, notes.format("FAIL") + "check: 2 failures\n")
    data = json.loads(check(runner, root, "--strict", "--format", "json").output)
    assert data == {
        "ok": False,
        "strict": True,
        "failures": 2,
        "findings": [
            {
                "phase": 1,
                "kind": "implausible",
                "fails": True,
                "subject": "Snapshot phases/phase-01/metrics/0.json",
                "detail": "records 1.1, 1.2 complete before the phase's planned start:"
                " verify its date and the tasks' states",
                "since": "2025-01-04T10:00:00Z",
                "metric": None,
                "value": None,
                "reference": None,
            },
            {
                "phase": 1,
                "kind": "implausible",
                "fails": True,
                "subject": "The phase",
                "detail": "complete 0 days after its first task started, under a tenth of its planned 3 days:"
                " verify the snapshots' dates and states",
                "since": "2025-01-04T10:00:00Z",
                "metric": None,
                "value": 0,
                "reference": 3,
            },
        ],
    }
    assert [f["fails"] for f in json.loads(check(runner, root, "--format", "json").output)["findings"]] == [
        False,
        False,
    ]
    # the dashboard and the handoff flag them at the top, the data kept as recorded
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "docs"), "-q"]).exit_code == 0
    flag = [
        "**`phasedocs check`:** passes (no settled criterion short of its target or never measured, no metric"
        " regressed past its threshold); `--strict` fails on 2 implausible claims.",
        "",
        '!!! warning "Implausible: verify 2 claims (the data is kept; `phasedocs check --strict` fails on them)"',
        "    - Snapshot phases/phase-01/metrics/0.json: records 1.1, 1.2 complete before the phase's planned start:"
        " verify its date and the tasks' states.",
        "    - The phase: complete 0 days after its first task started, under a tenth of its planned 3 days:"
        " verify the snapshots' dates and states.",
    ]
    for doc in ("COORDINATOR-HANDOFF.md", "COORDINATION-DASHBOARD.md"):
        lines = (root / "docs/phase-01" / doc).read_text().splitlines()
        assert lines[4:9] == flag, doc


def test_work_recorded_complete_at_a_time_before_the_start_is_implausible(project, runner):
    # the snapshot is written after the start, but says 1.1 was complete two days before it (its `at`)
    root = project(
        phase_files(
            {
                "timestamp": "2025-01-07T10:00:00Z",
                "metrics": {"warnings": 5},
                "tasks": {"1.1": {"state": "complete", "at": "2025-01-04T10:00:00Z"}, "1.2": "in_progress"},
            },
            phase=phase_yaml(REVIEWED_TASKS, created="2025-01-03T09:00:00Z"),
        )
    )
    result = check(runner, root, "--strict")
    assert (
        "implausible: Snapshot phases/phase-01/metrics/0.json: records 1.1 complete before the phase's planned start"
        in result.output
    ), result.output


def test_a_task_done_in_under_a_tenth_of_its_time_is_implausible(project, runner):
    # 1.1 (2 days) complete an hour after it started: 0.04 days; 1.2 (1 day) takes its day, the phase 1.04 of 3
    root = project(
        phase_files(
            {"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "tasks": {"1.1": "in_progress"}},
            {
                "timestamp": "2025-01-06T10:00:00Z",
                "metrics": {"warnings": 5},
                "tasks": {"1.1": "complete", "1.2": "in_progress"},
            },
            {"timestamp": "2025-01-07T10:00:00Z", "checks": {"reviewed": True}, "tasks": {"1.2": "complete"}},
        )
    )
    result = check(runner, root, "--strict")
    assert (result.exit_code, result.output) == (
        1,
        "phase 1: First\n"
        "  FAIL implausible: Task 1.1: complete 0.04 days after it started, under a tenth of its planned 2 days:"
        " verify when it started and finished at 2025-01-06T10:00:00Z\n"
        "check: 1 failure\n",
    )
    (finding,) = json.loads(check(runner, root, "--format", "json").output)["findings"]
    assert (finding["value"], finding["reference"], finding["fails"]) == (0.0417, 2, False)
    # a tenth exactly is plausible: 1.1 done in 0.2 days of its 2
    slower = phase_files(
        {"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "tasks": {"1.1": "in_progress"}},
        {
            "timestamp": "2025-01-06T13:48:00Z",
            "metrics": {"warnings": 5},
            "tasks": {"1.1": "complete", "1.2": "in_progress"},
        },
        {"timestamp": "2025-01-07T13:48:00Z", "checks": {"reviewed": True}, "tasks": {"1.2": "complete"}},
    )
    assert (
        check(runner, project(slower), "--strict").output
        == "phase 1: ok (nothing missed, nothing regressed)\ncheck: ok\n"
    )


def test_check_status_json_the_badge_and_the_documents_read_one_verdict(project, runner):
    # warnings 10 -> 12 regresses past 10% against the previous value: check exits 1, and every
    # output says so (before, only a "worse" arrow did); 1.1's "< 10" is not met yet, a note
    root = project(
        phase_files(
            {"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "metrics": {"warnings": 10}},
            {"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 12}, "tasks": {"1.1": "in_progress"}},
            catalogue=REGRESS,
        )
    )
    result = check(runner, root, "--format", "json")
    verdict = json.loads(result.output)
    assert (result.exit_code, verdict["ok"], verdict["failures"]) == (1, False, 1)
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "docs"), "-q"]).exit_code == 0
    (phase,) = json.loads((root / "docs/status.json").read_text())["phases"]
    assert phase["gate"] == {"ok": False, "failures": 1, "findings": verdict["findings"]}
    assert phase["gate"]["findings"][0] == {
        "phase": 1,
        "kind": "regressed",
        "fails": True,
        "subject": "Warnings",
        "detail": "10 → 12: worse by 20.0% against the previous value (threshold 10%)",
        "since": "2025-01-07T09:00:00Z",
        "metric": "warnings",
        "value": 12.0,
        "reference": 10.0,
    }
    assert [f["kind"] for f in phase["gate"]["findings"]] == ["regressed", "off_track"]
    badge = json.loads((root / "docs/phase-01/badge.json").read_text())
    assert (badge["message"], badge["color"]) == ("active, 0%, 1 regressed", "red")
    block = [
        '!!! failure "`phasedocs check` fails: 1 finding"',
        "    - Regressed since 2025-01-07 09:00 UTC: Warnings: 10 → 12: worse by 20.0% against the previous value"
        " (threshold 10%)",
    ]
    dashboard = (root / "docs/phase-01/COORDINATION-DASHBOARD.md").read_text()
    assert "| Health | 🔴 off track (computed) |" in dashboard  # never "on track" while check fails
    for doc in ("COORDINATOR-HANDOFF.md", "COORDINATION-DASHBOARD.md"):
        lines = (root / "docs/phase-01" / doc).read_text().splitlines()
        at = lines.index(block[0])
        assert lines[at : at + 2] == block, doc
        assert at < 10, doc  # in the first screen, right under the title
    handoff = runner.invoke(main, ["handoff", "1", "--project", str(root)]).output.splitlines()
    assert handoff[handoff.index(block[0]) + 1] == block[1]
    # once the value is back, check passes, and so does every output
    (root / "phases/phase-01/metrics/2.json").write_text(
        json.dumps({"timestamp": "2025-01-08T09:00:00Z", "metrics": {"warnings": 10.5}})
    )
    assert check(runner, root).exit_code == 0
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "docs"), "-q"]).exit_code == 0
    (phase,) = json.loads((root / "docs/status.json").read_text())["phases"]
    assert (phase["gate"]["ok"], phase["gate"]["failures"]) == (True, 0)
    badge = json.loads((root / "docs/phase-01/badge.json").read_text())
    assert (badge["message"], badge["color"]) == ("active, 0%, behind", "orange")  # behind the plan, no longer red
    dashboard = (root / "docs/phase-01/COORDINATION-DASHBOARD.md").read_text()
    assert (
        "**`phasedocs check`:** passes (no settled criterion short of its target, no metric regressed past its threshold);"
        " `--strict` fails on 1 criterion not met yet." in dashboard
    )
