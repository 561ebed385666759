"""Crash consistency of generate: interrupted runs, concurrent runs, leftovers, unwritable folders."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, minimal, tree
from phasedocs.cli import main
from phasedocs.output import writer
from phasedocs.output.writer import MANIFEST
from support import edit

SNAPSHOT = '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 5}}'


def _generate(runner, root: Path, *args: str):
    return runner.invoke(main, ["generate", "--project", str(root), "-q", *args])


def test_a_run_cut_short_by_a_write_failure_is_finished_by_the_next(project, runner, monkeypatch):
    root = project(minimal())
    assert _generate(runner, root).exit_code == 0
    complete = json.loads((root / "docs" / MANIFEST).read_text())
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/b.json").write_text(SNAPSHOT)
    real = writer.atomic_write
    calls = []

    def failing(path, data, durable=True):
        calls.append(path)
        if len(calls) == 4:  # the journal, then two documents, then the disk is full
            raise OSError(28, "No space left on device", str(path))
        return real(path, data, durable)

    monkeypatch.setattr(writer, "atomic_write", failing)
    result = _generate(runner, root)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot write {calls[3]}: No space left on device; 2 of ")
    assert "Traceback" not in result.output
    # the journal keeps the last complete run's files and groups, and adds what this run writes
    journal = json.loads((root / "docs" / MANIFEST).read_text())
    assert (journal["files"], journal["groups"]) == (complete["files"], complete["groups"])
    assert set(journal["pending"]) >= {str(p.relative_to(root / "docs")) for p in calls[1:3]}
    # a rewritten file may hold its old bytes or its new ones: both hashes are listed
    rewritten = str(calls[1].relative_to(root / "docs"))
    assert len(journal["pending"][rewritten]) == 2 and journal["pending"][rewritten][0] == complete["files"][rewritten]
    monkeypatch.setattr(writer, "atomic_write", real)
    result = _generate(runner, root)
    assert result.exit_code == 0, result.output
    assert "pending" not in json.loads((root / "docs" / MANIFEST).read_text())


def test_a_run_cut_short_twice_keeps_the_first_runs_journal(project, runner, monkeypatch):
    root = project(minimal())
    assert _generate(runner, root).exit_code == 0
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/b.json").write_text(SNAPSHOT)
    real = writer.atomic_write

    def cut_short_at(n: int) -> list[Path]:
        calls: list[Path] = []

        def failing(path, data, durable=True):
            calls.append(path)
            if len(calls) == n:
                raise OSError(28, "No space left on device", str(path))
            return real(path, data, durable)

        monkeypatch.setattr(writer, "atomic_write", failing)
        assert _generate(runner, root).exit_code == 1
        return calls

    first = cut_short_at(4)  # the journal and two documents written, then the disk is full
    cut_short_at(2)  # again, right after the journal: the two documents are already up to date
    # a new snapshot changes them once more: their bytes are the first run's, still ours
    monkeypatch.setattr(writer, "atomic_write", real)
    (root / "phases/phase-01/metrics/c.json").write_text(edit(edit(SNAPSHOT, "07T", "08T"), ": 5", ": 4"))
    result = _generate(runner, root)
    assert result.exit_code == 0, result.output
    assert all(p.exists() for p in first[1:3])


def test_a_regenerated_file_is_replaced_not_rewritten_in_place(project, runner):
    root = project(minimal())
    assert _generate(runner, root).exit_code == 0
    dashboard = root / "docs/phase-01/COORDINATION-DASHBOARD.md"
    inode = dashboard.stat().st_ino
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/b.json").write_text(SNAPSHOT)
    assert _generate(runner, root).exit_code == 0
    assert dashboard.stat().st_ino != inode  # os.replace of a new file, so a crash never leaves half a file
    assert not [p for p in (root / "docs").rglob("*.tmp")]


@pytest.mark.scale
@pytest.mark.parametrize("at", [1, 3])  # the journal's own temp file; a document's, after the journal
def test_temp_files_left_by_a_killed_run_are_removed(project, runner, at):
    """A run killed (SIGKILL: no handler runs) between a temp write and its rename leaves the
    temp file; the next run removes it, as its name is the one the journal recorded."""
    root = project(minimal())
    assert _generate(runner, root).exit_code == 0
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/b.json").write_text(SNAPSHOT)
    mine = root / "docs/phase-01/notes.tmp"
    mine.write_text("mine")
    code = (
        "import os, sys\n"
        "from phasedocs import cli\nfrom phasedocs.output import writer\n"
        "real, made = writer._temp_copy, []\n"
        "def killed(path, data, mode, durable=True):\n"
        "    made.append(real(path, data, mode, durable))\n"
        f"    if len(made) == {at}:\n"
        "        print(made[-1], flush=True)\n"
        "        os._exit(137)\n"
        "    return made[-1]\n"
        "writer._temp_copy = killed\n"
        "sys.argv = ['phasedocs', 'generate', '--project', sys.argv[1], '-q']\n"
        "cli.main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(root)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 137, proc.stderr
    stale = Path(proc.stdout.splitlines()[0])
    assert stale.exists() and stale.name.endswith(".tmp")
    assert _generate(runner, root).exit_code == 0
    assert not stale.exists()
    assert not [p for p in (root / "docs").rglob("*.tmp") if p != mine]
    assert mine.read_text() == "mine"


PAUSED_RUN = """
import sys, time
from phasedocs import cli
from phasedocs.output import writer
real = writer.atomic_write
count = 0
def paused(path, data, durable=True):
    global count
    real(path, data, durable)
    count += 1
    if count == 3:  # some documents written, the rest not yet: the other run arrives now
        print("paused", flush=True)
        time.sleep(1.5)
writer.atomic_write = paused
sys.argv = ["phasedocs", "generate", "--project", sys.argv[1], "-q"]
cli.main()
"""


@pytest.mark.scale
def test_concurrent_runs_on_one_folder_queue_instead_of_refusing_each_other(project):
    root = project(minimal())
    first = subprocess.Popen(
        [sys.executable, "-c", PAUSED_RUN, str(root)],
        cwd=REPO,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert first.stdout.readline() == "paused\n"
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/b.json").write_text(SNAPSHOT)  # a record lands meanwhile
    second = subprocess.run(
        [sys.executable, "-m", "phasedocs", "generate", "--project", str(root), "-q"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    _out, err = first.communicate(timeout=120)
    assert (first.returncode, err) == (0, "")
    assert (second.returncode, second.stderr) == (0, "")
    assert "| 5 |" in (root / "docs/phase-01/COORDINATION-DASHBOARD.md").read_text()  # the later run won
    assert "pending" not in json.loads((root / "docs" / MANIFEST).read_text())


def test_a_second_run_waits_for_the_lock_then_refuses_cleanly(project, runner, monkeypatch):
    import fcntl
    import os

    root = project(minimal())
    (root / "docs").mkdir()
    fd = os.open(root / "docs", os.O_RDONLY)
    fcntl.flock(fd, fcntl.LOCK_EX)
    try:
        monkeypatch.setattr(writer, "LOCK_WAIT_SECONDS", 0.2)
        result = _generate(runner, root)
    finally:
        os.close(fd)
    assert result.exit_code == 1
    assert (
        result.output
        == f"Error: another phasedocs run is writing to {root / 'docs'}; wait for it to finish, then run again\n"
    )


def test_an_output_folder_that_is_a_file_is_a_clean_error(project, runner):
    root = project(minimal())
    (root / "docs").write_text("not a folder\n")
    result = _generate(runner, root)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot write into {root / 'docs'}: ")
    assert (root / "docs").read_text() == "not a folder\n"


def test_an_unwritable_output_folder_is_a_clean_error(project, runner, monkeypatch):
    root = project(minimal())

    def refuse(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(root / "docs/index.md"))

    monkeypatch.setattr(writer, "_temp_copy", refuse)
    result = _generate(runner, root)
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: cannot write {root / 'docs/index.md'}: Permission denied; 0 of ")
    assert tree(root / "docs") == {}


@pytest.mark.scale
@pytest.mark.parametrize("signal_name", ["SIGTERM"])
def test_a_terminated_run_leaves_no_temp_file(project, signal_name):
    """SIGTERM (CI cancelling a job) unwinds like an exception, so temp files are removed."""
    import signal

    root = project(minimal())
    code = (
        "import os, signal, sys\n"
        "from phasedocs import cli\nfrom phasedocs.output import writer\n"
        "real = writer._temp_copy\n"
        "def slow(path, data, mode, durable=True):\n"
        "    tmp = real(path, data, mode, durable)\n"
        "    print(tmp, flush=True)\n"
        f"    os.kill(os.getpid(), signal.{signal_name})\n"
        "    return tmp\n"
        "writer._temp_copy = slow\n"
        "sys.argv = ['phasedocs', 'generate', '--project', sys.argv[1], '-q']\n"
        "cli.main()\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(root)], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert proc.returncode == 128 + signal.Signals[signal_name].value
    tmp = Path(proc.stdout.splitlines()[0])
    assert tmp.name.endswith(".tmp") and not tmp.exists()
    assert "Traceback" not in proc.stderr


def test_init_where_a_folder_is_a_file_writes_nothing_and_can_be_rerun(tmp_path, runner):
    root = tmp_path / "new"
    root.mkdir()
    (root / ".github").write_text("not a folder\n")
    result = runner.invoke(main, ["init", str(root)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: nothing created: these are files where init needs folders:\n  {root / '.github'}\n"
        "Move them aside, or choose an empty folder: phasedocs init DIR\n",
    )
    assert sorted(p.name for p in root.iterdir()) == [".github"]
    (root / ".github").unlink()
    assert runner.invoke(main, ["init", str(root)]).exit_code == 0


def test_init_that_fails_half_way_removes_what_it_made(tmp_path, runner, monkeypatch):
    from phasedocs.commands import init as init_module

    real = init_module.create_new
    made = []

    def failing(path, data):
        if len(made) == 3:
            raise OSError(28, "No space left on device", str(path))
        made.append(path)
        real(path, data)

    monkeypatch.setattr(init_module, "create_new", failing)
    result = runner.invoke(main, ["init", str(tmp_path / "new")])
    assert result.exit_code == 1
    assert result.output.startswith("Error: nothing created: cannot write ")
    assert [p for p in (tmp_path / "new").rglob("*") if p.is_file()] == []


@pytest.mark.scale
def test_serve_on_a_busy_port_is_a_clean_error(project, runner):
    import socket

    root = project(minimal())
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(main, ["serve", "--project", str(root), "--dev-addr", f"127.0.0.1:{port}"])
    assert result.exit_code == 1
    assert result.output.endswith(
        f"Error: cannot serve on 127.0.0.1:{port}: Address already in use; pass another address, e.g. --dev-addr 127.0.0.1:8001\n"
    )
