"""Target changes are plan changes: plan.json records each criterion's target, a re-plan that
changes one or drops tasks says so, and the completion report names every change. The
project tests/data/mission holds the situations together (groups, a waiver, an added task, a
lowered target)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from conftest import minimal
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from support import edit, render_all

MISSION = Path(__file__).parent / "data" / "mission"


def freeze(runner, root: Path, *args: str):
    return runner.invoke(main, ["freeze", "1", "--project", str(root), *args])


def test_a_replan_that_lowers_a_target_or_drops_a_task_says_so(project, runner):
    root = project(minimal())
    assert freeze(runner, root, "--at", "2025-01-05T12:00:00Z").exit_code == 0
    phase = root / "phases/phase-01/phase.yaml"
    text = phase.read_text()
    cut = text.index('  - id: "1.2"')
    phase.write_text(text[:cut].replace('target: "< 10"', 'target: "< 20"'))
    result = freeze(
        runner, root, "--replan", "--reason", "beta moved out; legacy warnings kept", "--at", "2025-01-06T12:00:00Z"
    )
    assert (result.exit_code, result.output) == (
        0,
        f"re-planned in {root}/phases/phase-01/plan.json\n"
        "  dropped task(s) 1.2 (reason: beta moved out; legacy warnings kept)\n"
        "  target changed: 1.1 warnings < 10 → < 20 (reason: beta moved out; legacy warnings kept)\n",
    )
    plans = json.loads((root / "phases/phase-01/plan.json").read_text())["plans"]
    assert [v["criteria"][0]["target"] for v in plans] == ["< 10", "< 20"]
    p = compute(load_project(root)).phases[0]
    assert [(v.dropped, v.retargeted) for v in p.plan.versions] == [((), ()), (("1.2",), ("1.1 warnings < 10 → < 20",))]
    (h,) = p.plan.target_changes
    assert (h.scope, h.metric, h.first, h.first_plan, h.now) == ("1.1", "warnings", "< 10", 1, "< 20")
    assert [(c.plan, c.target, c.reason) for c in h.changes] == [(2, "< 20", "beta moved out; legacy warnings kept")]
    pages = render_all(root)
    for name in ("COORDINATION-DASHBOARD.md", "COORDINATOR-HANDOFF.md"):
        assert "; dropped 1.2; targets changed: 1.1 warnings &lt; 10 → &lt; 20." in pages[f"phase-01/{name}"], name
    report = pages["phase-01/COMPLETION-REPORT.md"]
    assert (
        "| 1.1 | Few warnings | &lt; 10 | &lt; 20 | warnings &lt; 10 at plan 1, &lt; 20 from plan 2: "
        "beta moved out; legacy warnings kept |"
    ) in report
    fm = json.loads(pages["phase-01/final-metrics.json"])
    assert fm["target_changes"] == [
        {
            "scope": "1.1",
            "metric": "warnings",
            "text": "Few warnings",
            "first_plan": 1,
            "first": "< 10",
            "now": "< 20",
            "changes": [{"plan": 2, "target": "< 20", "reason": "beta moved out; legacy warnings kept"}],
        }
    ]


def test_a_target_changed_in_phase_yaml_without_a_replan_is_named(project, runner):
    root = project(minimal())
    assert freeze(runner, root, "--at", "2025-01-05T12:00:00Z").exit_code == 0
    phase = root / "phases/phase-01/phase.yaml"
    phase.write_text(edit(phase.read_text(), 'target: "< 10"', 'target: "< 50"'))
    report = render_all(root)["phase-01/COMPLETION-REPORT.md"]
    assert '!!! warning "1 target changed since plan 1: verdicts below are against the targets now"' in report
    assert (
        "warnings &lt; 10 at plan 1, &lt; 50 in phase.yaml since, without a re-plan "
        '(record why: `phasedocs freeze 1 --replan --reason "..."`) |'
    ) in report


def test_unchanged_targets_are_said_once(project, runner):
    root = project(minimal())
    assert freeze(runner, root, "--at", "2025-01-05T12:00:00Z").exit_code == 0
    report = render_all(root)["phase-01/COMPLETION-REPORT.md"]
    assert "## Targets across plans\n\nEvery target is as plan 1 set it.\n" in report


def test_an_old_plan_without_targets_keeps_working(project, runner):
    root = project(minimal())
    assert freeze(runner, root, "--at", "2025-01-05T12:00:00Z").exit_code == 0
    path = root / "phases/phase-01/plan.json"
    data = json.loads(path.read_text())
    del data["plans"][0]["criteria"]  # as plan.json was written before targets were recorded
    path.write_text(json.dumps(data))
    assert runner.invoke(main, ["validate", "--project", str(root), "--no-cache"]).exit_code == 0
    p = compute(load_project(root)).phases[0]
    assert (p.plan.frozen, p.plan.targets, p.plan.target_changes) == (True, (), ())
    report = render_all(root)["phase-01/COMPLETION-REPORT.md"]
    assert "Targets across plans" not in report
    # a re-plan after it records targets, and compares none with the plan that had none
    phase = root / "phases/phase-01/phase.yaml"
    phase.write_text(edit(phase.read_text(), 'target: "< 10"', 'target: "< 20"'))
    result = freeze(runner, root, "--replan", "--reason", "r", "--at", "2025-01-06T12:00:00Z")
    assert (result.exit_code, result.output) == (0, f"re-planned in {path}\n")
    p = compute(load_project(root)).phases[0]
    assert [(h.first_plan, h.first, h.now, h.changes) for h in p.plan.targets] == [(2, "< 20", "< 20", ())]


def test_the_mission_project_holds_every_situation(tmp_path):
    root = tmp_path / "mission"
    shutil.copytree(MISSION, root)
    p = compute(load_project(root)).phases[0]
    # groups: P1 done with its gate passed, P2 under way, P3 done (no gate)
    assert [(g.id, g.state, g.gate) for g in p.groups] == [
        ("P1", "complete", "passed"),
        ("P2", "active", "open"),
        ("P3", "complete", "none"),
    ]
    # group:P2 in depends_on is every task of P2
    assert p.task("3.5").task.depends_on == ("3.3", "3.4")
    # the deployment guide went ahead of the workflow tests, with its note
    t = p.task("3.5")
    assert (t.state, t.waived) == ("complete", ("3.3", "3.4"))
    # the hotfix joined after the re-plan: scope added
    assert (p.task("3.6").in_plan, p.plan.added, str(p.task("3.6").task.added)) == (
        False,
        ("3.6",),
        "2025-11-05 10:00:00+00:00",
    )
    # the re-plan lowered coverage 80 -> 75 and dropped the performance tests
    assert [(v.dropped, v.retargeted) for v in p.plan.replans] == [
        (("3.7",), ("3.4 coverage >= 80 → >= 75", "group:P2 coverage >= 80 → >= 75"))
    ]
    report = render_all(root)["phase-03/COMPLETION-REPORT.md"]
    assert (
        "| 3.4 | Line coverage | \\>= 80 | \\>= 75 | coverage \\>= 80 at plan 1, \\>= 75 from plan 2: legacy module "
        "excluded from coverage; performance tests moved to phase 4 |"
    ) in report
    assert (
        "- Task 3.6 Hotfix for the login regression: added 2025-11-05 10:00 UTC, 0.5 days of work, not in the plan in force; ✅ complete"
        in report
    )


def test_the_schemas_cover_the_new_fields_and_accept_the_mission():
    from jsonschema import Draft202012Validator

    from phasedocs.commands.schema import schemas
    from phasedocs.input.loader import parse_json, parse_yaml
    from support import plain

    loaded = {name.split(".")[0]: json.loads(text) for name, text in schemas().items()}
    defs = {kind: schema["$defs"] for kind, schema in loaded.items()}
    assert {"groups"} <= set(loaded["phase"]["properties"])
    assert {"id", "title", "lead", "criteria"} == set(defs["phase"]["Group"]["properties"])
    assert {"group", "added"} <= set(defs["phase"]["Task"]["properties"])
    assert "waived" in defs["snapshot"]["TaskEntry"]["properties"]
    assert {"scope", "metric", "text", "target"} == set(defs["plan"]["PlannedCriterion"]["properties"])
    assert "group:ID" in defs["phase"]["Task"]["properties"]["depends_on"]["description"]
    # every file of the mission passes both the schema an editor reads and the validator
    for path in sorted((MISSION / "phases").rglob("*")):
        if path.suffix not in (".yaml", ".json"):
            continue
        kind = (
            "project"
            if path.name == "project.yaml"
            else "phase"
            if path.name == "phase.yaml"
            else "plan"
            if path.name == "plan.json"
            else "snapshot"
        )
        text = path.read_text()
        doc = parse_json(text, path.name) if path.suffix == ".json" else parse_yaml(text, path.name)
        errors = list(Draft202012Validator(loaded[kind]).iter_errors(plain(doc.data)))
        assert errors == [], f"{path.name}: {errors[0].message}"
