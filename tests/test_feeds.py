"""feed.xml, status.json and badge.json: read by a real feed parser, against their documented shapes."""

from __future__ import annotations

import json
import shutil

import feedparser
import pytest

from conftest import tree
from phasedocs.cli import main
from support import FINISH, SNAPSHOTS, edit, files, project_yaml


def generate(runner, root, out):
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output


def test_the_feed_parses_newest_first_with_stable_ids(project, runner, tmp_path):
    root = project({**files(SNAPSHOTS), "site_config/site.yaml": "site_url: https://acme.example/plans/\n"})
    generate(runner, root, root / "docs")
    feed = feedparser.parse((root / "docs/feed.xml").read_bytes())
    assert not feed.bozo, feed.get("bozo_exception")
    assert feed.version == "atom10"
    assert feed.feed.title == "Demo: phase updates"
    assert [(x.rel, x.href) for x in feed.feed.links] == [
        ("self", "https://acme.example/plans/feed.xml"),
        ("alternate", "https://acme.example/plans/"),
    ]
    assert feed.feed.updated == "2025-01-10T09:00:00Z"  # the newest snapshot, never the clock
    assert [e.updated for e in feed.entries] == [
        "2025-01-10T09:00:00Z",
        "2025-01-09T09:00:00Z",
        "2025-01-08T09:00:00Z",
        "2025-01-07T09:00:00Z",
        "2025-01-06T09:00:00Z",
    ]
    newest, blocked = feed.entries[0], feed.entries[1]
    assert newest.title == "Phase 1: Friday (progress)"
    assert newest.link == "https://acme.example/plans/phase-01/COORDINATION-DASHBOARD/"
    assert newest.summary == (
        "Task 1.3: still in progress (rerunning the flaky parser suite)\nWarnings: 12 → 9\nPass Rate: 90% → 99%\n"
        "Health (recorded): at risk\nNote: nightly run"
    )
    assert blocked.summary == "Task 1.4: in progress → blocked (waiting for the tokenizer licence)\nWarnings: 15 → 12"
    assert len({e.id for e in feed.entries}) == 5 and all(e.id.startswith("urn:uuid:") for e in feed.entries)
    # a new snapshot adds an entry on top; every earlier entry keeps its id
    ids = [e.id for e in feed.entries]
    (root / "phases/phase-01/metrics/f.json").write_text(json.dumps(FINISH["f.json"]))
    generate(runner, root, root / "docs")
    again = feedparser.parse((root / "docs/feed.xml").read_bytes())
    assert [e.id for e in again.entries][1:] == ids
    assert again.entries[0].summary == "Task 1.3: in progress → complete\nTask 1.4: blocked → in progress"


def test_a_repeated_state_is_news_only_with_a_new_reason(project, runner):
    snaps = {
        **SNAPSHOTS,
        "e.json": {
            **SNAPSHOTS["e.json"],
            "tasks": {"1.4": {"state": "blocked", "note": "licence signed, awaiting key"}},
        },
        "e2.json": {"timestamp": "2025-01-10T10:00:00Z", "tasks": {"1.4": "blocked"}},
    }
    root = project(files(snaps))
    generate(runner, root, root / "docs")
    entries = feedparser.parse((root / "docs/feed.xml").read_bytes()).entries
    assert entries[0].summary == "No change recorded."
    assert entries[1].summary.startswith("Task 1.4: still blocked (licence signed, awaiting key)\n")


def test_a_note_carried_forward_unchanged_is_no_news_in_the_feed_or_the_dashboard(project, runner):
    # one rule of "what changed" for both: a snapshot that copies a task's entry, note and all,
    # records nothing new (the feed said "still blocked" again; the dashboard did not)
    again = {"state": "blocked", "note": "licence signed, awaiting key"}
    snaps = {
        **SNAPSHOTS,
        "e.json": {**SNAPSHOTS["e.json"], "tasks": {"1.4": again}},
        "e2.json": {"timestamp": "2025-01-10T10:00:00Z", "tasks": {"1.4": again}},
    }
    root = project(files(snaps))
    generate(runner, root, root / "docs")
    entries = feedparser.parse((root / "docs/feed.xml").read_bytes()).entries
    assert entries[0].summary == "No change recorded."
    assert entries[1].summary.startswith("Task 1.4: still blocked (licence signed, awaiting key)\n")
    dashboard = (root / "docs/phase-01/COORDINATION-DASHBOARD.md").read_text()
    assert "licence signed, awaiting key" not in dashboard.split("## What changed")[1].split("\n## ")[0]


def test_an_active_phase_behind_its_plan_gets_an_orange_badge(project, runner):
    snaps = {k: v for k, v in SNAPSHOTS.items() if k != "d.json"}  # 1.4 never blocked
    root = project(files(snaps))
    generate(runner, root, root / "docs")
    badge = json.loads((root / "docs/phase-01/badge.json").read_text())
    assert badge == {"schemaVersion": 1, "label": "phase 1", "message": "active, 33.3%, behind", "color": "orange"}


def test_feed_status_and_badges_are_byte_identical_across_runs(project, runner, tmp_path):
    root = project(files(SNAPSHOTS))
    generate(runner, root, tmp_path / "a")
    generate(runner, root, tmp_path / "b")
    a, b = tree(tmp_path / "a"), tree(tmp_path / "b")
    for name in ("feed.xml", "status.json", "phase-01/badge.json"):
        assert a[name] == b[name], name


def test_hostile_notes_stay_text_in_the_feed(project, runner):
    snaps = {**SNAPSHOTS, "e.json": {**SNAPSHOTS["e.json"], "note": "<script>alert(1)</script> ]]> bell"}}
    root = project(files(snaps))
    generate(runner, root, root / "docs")
    raw = (root / "docs/feed.xml").read_text()
    assert "<script>" not in raw and "&lt;script&gt;" in raw  # a control character is refused as input
    feed = feedparser.parse(raw.encode())
    assert not feed.bozo
    assert feed.entries[0].summary.endswith("Note: <script>alert(1)</script> ]]> bell")  # text, not markup


def test_status_and_badge_shapes(project, runner):
    root = project(files(SNAPSHOTS))
    generate(runner, root, root / "docs")
    badge = json.loads((root / "docs/phase-01/badge.json").read_text())
    # shields.io's endpoint schema: schemaVersion 1, label, message, color
    # 1.4 is blocked but 1.3 runs: the phase is active, not blocked (#24)
    assert badge == {"schemaVersion": 1, "label": "phase 1", "message": "active, 33.3%, behind", "color": "orange"}
    status = json.loads((root / "docs/status.json").read_text())
    assert status["project"] == "Demo" and status["updated"] == "2025-01-10T09:00:00Z"
    (phase,) = status["phases"]
    assert {
        k: phase[k] for k in ("phase", "state", "progress_percent", "plan_finish", "forecast_finish", "missed")
    } == {
        "phase": 1,
        "state": "active",
        "progress_percent": 33.3,
        "plan_finish": "2025-01-11T09:00:00Z",
        "forecast_finish": "2025-01-13T09:00:00Z",
        "missed": [],
    }
    done = project(files(SNAPSHOTS, FINISH))
    generate(runner, done, done / "docs2")
    badge = json.loads((done / "docs2/phase-01/badge.json").read_text())
    assert badge == {"schemaVersion": 1, "label": "phase 1", "message": "complete, 100%, 1 missed", "color": "red"}
    assert json.loads((done / "docs2/status.json").read_text())["phases"][0]["missed"] == ["phase: Release quality"]


def test_status_times_are_in_the_projects_time_zone(project, runner):

    eastern = project_yaml(timezone="America/New_York")
    root = project({**files(SNAPSHOTS), "phases/project.yaml": eastern})
    generate(runner, root, root / "docs")
    status = json.loads((root / "docs/status.json").read_text())
    (phase,) = status["phases"]
    # the mid-phase figures of the UTC project, five hours earlier on the clock
    assert (status["updated"], phase["plan_finish"], phase["forecast"]) == (
        "2025-01-10T04:00:00-05:00",
        "2025-01-11T04:00:00-05:00",
        {"p50": "2025-01-15T16:00:00-05:00", "p85": "2025-01-17T04:00:00-05:00", "p95": "2025-01-17T04:00:00-05:00"},
    )


@pytest.mark.packaging
def test_every_site_page_links_the_feed(project, runner, tmp_path):
    root = project(files(SNAPSHOTS))
    site = tmp_path / "site"
    result = runner.invoke(main, ["build", "--project", str(root), "--site-dir", str(site)])
    assert result.exit_code == 0, result.output
    pages = sorted(site.rglob("index.html"))
    assert len(pages) > 5
    for page in pages:
        depth = len(page.relative_to(site).parts) - 1
        href = "../" * depth + "feed.xml" if depth else "feed.xml"
        assert (
            f'<link rel="alternate" type="application/atom+xml" title="Demo phases: phase updates" href="{href}">'
            in (page.read_text())
        ), page
    assert feedparser.parse((site / "feed.xml").read_bytes()).entries
    assert json.loads((site / "phase-01/badge.json").read_text())["schemaVersion"] == 1


def test_a_phase_finished_late_is_complete_not_behind_on_its_badge():
    from types import SimpleNamespace

    from phasedocs.render.feeds import badge

    p = SimpleNamespace(
        number=2, state="complete", percent=100.0, gauge=SimpleNamespace(state="behind"), criteria=(), gate=()
    )
    assert json.loads(badge(p)) == {
        "schemaVersion": 1,
        "label": "phase 2",
        "message": "complete, 100%",
        "color": "brightgreen",
    }


def test_the_feed_is_as_new_as_its_newest_entry_not_a_later_phase_without_snapshots(project, runner):
    from support import PHASE_TWO

    two = edit(PHASE_TWO, "2025-01-06T09:00:00Z", "2025-01-20T09:00:00Z")
    root = project({**files(SNAPSHOTS), "phases/phase-02/phase.yaml": two})
    generate(runner, root, root / "docs")
    feed = feedparser.parse((root / "docs/feed.xml").read_bytes())
    # phase 2 was written on the 20th but has no snapshot: the feed's news ends on the 10th
    assert (feed.feed.updated, len(feed.entries)) == ("2025-01-10T09:00:00Z", 5)
    # without any snapshot, the feed is as new as the newest phase
    shutil.rmtree(root / "phases/phase-01/metrics")
    generate(runner, root, root / "docs")
    feed = feedparser.parse((root / "docs/feed.xml").read_bytes())
    assert (feed.feed.updated, feed.entries) == ("2025-01-20T09:00:00Z", [])


@pytest.mark.parametrize(
    ("state", "percent", "gauge", "kinds", "message", "color"),
    [
        ("planned", 0, "on_schedule", "", "planned, 0%", "lightgrey"),
        ("active", 40, "on_schedule", "", "active, 40%", "blue"),
        ("active", 40, "ahead", "", "active, 40%", "blue"),
        ("active", 40, "behind", "", "active, 40%, behind", "orange"),
        ("active", 40, "behind", "m", "active, 40%, 1 missed", "red"),
        ("blocked", 40, "on_schedule", "", "blocked, 40%", "red"),
        ("complete", 100, "behind", "", "complete, 100%", "brightgreen"),
        ("complete", 100, "on_schedule", "mm", "complete, 100%, 2 missed", "red"),
        # a regression fails check: the badge says so and is red, as check exits 1
        ("active", 40, "on_schedule", "r", "active, 40%, 1 regressed", "red"),
        ("complete", 100, "on_schedule", "uum", "complete, 100%, 2 never settled, 1 missed", "red"),
        # what fails only with --strict leaves the badge as it was
        ("active", 40, "on_schedule", "oi", "active, 40%", "blue"),
        ("complete", 100, "on_schedule", "i", "complete, 100%", "brightgreen"),
    ],
)
def test_the_badge_of_each_state(state, percent, gauge, kinds, message, color):
    from types import SimpleNamespace

    from phasedocs.facts.gate import Finding
    from phasedocs.render.feeds import badge

    kind = {"m": "missed", "r": "regressed", "u": "unsettled", "o": "off_track", "i": "implausible"}
    gate = tuple(Finding(3, kind[k], "s", "d", None) for k in kinds)
    p = SimpleNamespace(number=3, state=state, percent=percent, gauge=SimpleNamespace(state=gauge), gate=gate)
    assert json.loads(badge(p)) == {"schemaVersion": 1, "label": "phase 3", "message": message, "color": color}


def test_feed_entries_are_newest_first_across_phases_and_within_a_second(project, runner):
    from support import PHASE_TWO

    second = {
        "a.json": {"timestamp": "2025-01-07T12:00:00Z", "label": "p2 first", "tasks": {"2.1": "in_progress"}},
        # three records of the same second, in the order of their ~N
        "b~2.json": {"timestamp": "2025-01-09T12:00:00Z", "label": "p2 second"},
        "b~3.json": {"timestamp": "2025-01-09T12:00:00Z", "label": "p2 third"},
        "b~10.json": {"timestamp": "2025-01-09T12:00:00Z", "label": "p2 tenth"},
    }
    root = project(
        {
            **files(SNAPSHOTS),
            "phases/phase-02/phase.yaml": PHASE_TWO,
            **{f"phases/phase-02/metrics/{k}": json.dumps(v) for k, v in second.items()},
        }
    )
    generate(runner, root, root / "docs")
    feed = feedparser.parse((root / "docs/feed.xml").read_bytes())
    assert [e.title.split(" (")[0] for e in feed.entries] == [
        "Phase 1: Friday",
        "Phase 2: p2 tenth",
        "Phase 2: p2 third",
        "Phase 2: p2 second",
        "Phase 1: 2025-01-09T09:00:00Z",
        "Phase 1: 2025-01-08T09:00:00Z",
        "Phase 2: p2 first",
        "Phase 1: 2025-01-07T09:00:00Z",
        "Phase 1: 2025-01-06T09:00:00Z",
    ]


def test_the_feed_is_made_from_the_facts_alone(project):
    from dataclasses import replace

    from phasedocs.facts import compute
    from phasedocs.input.project import load_project
    from phasedocs.render.feeds import atom_feed

    facts = compute(load_project(project(files(SNAPSHOTS))))
    # what each snapshot changed is a fact (the facts hold no snapshot file: test_facts.py walks them)
    changed = replace(facts.phases[0].snapshots[-1], changes=())
    bare = replace(facts.phases[0], snapshots=(*facts.phases[0].snapshots[:-1], changed))
    assert "nightly run" in atom_feed(facts, None).decode()
    assert "nightly run" not in atom_feed(replace(facts, phases=(bare,)), None).decode()
    assert [c.kind for c in facts.phases[0].snapshots[-1].changes] == ["note", "metric", "metric", "health", "note"]
