"""Concurrent records queue on the phase's lock; temp files of killed records are swept."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from conftest import REPO, minimal
from phasedocs.cli import main

# each process waits for the go file, then records; the write is slowed to widen the window
# in which an unlocked record could validate against a folder another is about to change
RACER = """
import os, sys, time
from phasedocs import cli
from phasedocs.commands import record as rec
real = rec.write_snapshot
def slow(*a, **k):
    time.sleep(0.3)
    return real(*a, **k)
rec.write_snapshot = slow
go = sys.argv[1]
while not os.path.exists(go):
    time.sleep(0.01)
sys.argv = ["phasedocs", "record", "1", "--project", *sys.argv[2:]]
cli.main()
"""


@pytest.mark.scale
def test_concurrent_records_that_conflict_leave_the_project_valid(project, runner, tmp_path):
    root = project(
        minimal(
            **{"phases/phase-01/metrics/a.json": '{"timestamp": "2025-01-07T09:00:00Z", "tasks": {"1.1": "complete"}}'}
        )
    )
    go = tmp_path / "go"
    flags = [
        *[["--kind", "baseline", "--metric", f"warnings={n}", "--at", "2025-01-06T10:00:00Z"] for n in range(4)],
        *[["--task", "1.1=pending", "--at", "2025-01-08T09:00:00Z"] for _ in range(2)],
        *[["--task", "1.2=in_progress", "--at", "2025-01-09T09:00:00Z"] for _ in range(2)],
    ]
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", RACER, str(go), str(root), *f],
            cwd=REPO,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for f in flags
    ]
    go.write_text("")
    results = [(p.communicate(timeout=300)[1], p.returncode) for p in procs]
    results = [(code, err) for err, code in results]
    assert all(code in (0, 1) and "Traceback" not in err for code, err in results), results
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert (result.exit_code, result.output) == (0, result.output), result.output
    names = os.listdir(root / "phases/phase-01/metrics")
    assert len([n for n in names if n.endswith("-baseline.json")]) == 1


def test_temp_files_of_killed_records_are_swept_and_reported(project, runner):
    root = project(minimal())
    metrics = root / "phases/phase-01/metrics"
    metrics.mkdir()
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    pid = int(dead.stdout)
    stale = metrics / f".2025-01-07T09-00-00Z-progress.json.{pid}.ab12cd34.tmp"
    old = metrics / ".2025-01-07T09-00-00Z-progress.json.x_9k2m1q.tmp"
    live = metrics / f".2025-01-07T09-00-00Z-progress.json.{os.getpid()}.zz12cd34.tmp"
    mine = metrics / ".notes.json.tmp"
    for path in (stale, old, live, mine):
        path.write_text("{")
    os.utime(old, (1, 1))  # older than ten minutes
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in metrics.iterdir()) == sorted([live.name, mine.name])
    rel = "phases/phase-01/metrics/"
    assert (
        f"removed 2 temp files left by a killed record: {rel}{stale.name}, {rel}{old.name}" in result.output
        or f"removed 2 temp files left by a killed record: {rel}{old.name}, {rel}{stale.name}" in result.output
    )
