"""Errors of the operating system under every command: a full disk, a read-only or unreadable
folder, names and arguments that are not UTF-8, an address no server can have.

Each is exit 1 with the path and what to do, never a traceback, and nothing half-written.
Tests run as root, where chmod blocks nothing, so the errors are simulated where the
operating system would raise them (``os.open``, ``os.mkdir``, ``open``, ``os.scandir``).
"""

from __future__ import annotations

import builtins
import errno
import io
import os
import shutil
import socket
from pathlib import Path

import pytest

from conftest import minimal, tree
from phasedocs.cli import main

FIXES = {
    errno.ENOSPC: "No space left on device; free some space on that disk, then run the command again",
    errno.EROFS: "Read-only file system; run the command where the project can be written (a writable checkout or mount)",
    errno.EACCES: "Permission denied; give this user access to it (ls -ld shows the owner and mode), then run again",
}
AT = "2025-01-07T09:00:00Z"


def fail_under(monkeypatch, folder: Path, code: int, *, only_new: bool = True) -> None:
    """Make creating files (and folders) below ``folder`` fail with ``code``, as a full or
    read-only disk does; reads still work."""
    real_open, real_mkdir = os.open, os.mkdir
    prefix = str(folder) + os.sep

    def failing_open(path, flags, *args, **kwargs):
        if str(path).startswith(prefix) and (flags & os.O_CREAT or not only_new):
            raise OSError(code, os.strerror(code), str(path))
        return real_open(path, flags, *args, **kwargs)

    def failing_mkdir(path, *args, **kwargs):
        if str(path).startswith(prefix):
            raise OSError(code, os.strerror(code), str(path))
        return real_mkdir(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", failing_open)
    monkeypatch.setattr(os, "mkdir", failing_mkdir)


def unreadable(monkeypatch, path: Path) -> None:
    """Make opening ``path`` fail with EACCES (``open`` and ``Path.open`` alike)."""
    real = builtins.open

    def failing(file, *args, **kwargs):
        if isinstance(file, (str, os.PathLike)) and os.fspath(file) == str(path):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(file, *args, **kwargs)

    monkeypatch.setattr(builtins, "open", failing)
    monkeypatch.setattr(io, "open", failing)


def assert_clean(result, expected: str) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exc_info
    assert (result.exit_code, result.output) == (1, expected)


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS, errno.EACCES])
def test_record_into_a_full_or_read_only_metrics_folder_is_a_clean_error(project, runner, monkeypatch, code):
    root = project(minimal())
    metrics = root / "phases/phase-01/metrics"
    metrics.mkdir()
    fail_under(monkeypatch, metrics, code)
    args = ["record", "1", "--project", str(root), "--metric", "warnings=3", "--at", AT]
    result = runner.invoke(main, args)
    assert_clean(result, f"Error: {metrics}/2025-01-07T09-00-00Z-progress.json: {FIXES[code]}\n")
    assert os.listdir(metrics) == []  # no temp file left
    monkeypatch.undo()
    assert runner.invoke(main, args).exit_code == 0  # once there is room, the same command works


@pytest.mark.parametrize("code", [errno.ENOSPC, errno.EROFS])
def test_freeze_into_a_full_or_read_only_phase_folder_is_a_clean_error(project, runner, monkeypatch, code):
    root = project(minimal())
    before = tree(root)
    fail_under(monkeypatch, root / "phases/phase-01", code)
    result = runner.invoke(main, ["freeze", "1", "--project", str(root), "--at", AT])
    assert_clean(result, f"Error: {root}/phases/phase-01/plan.json: {FIXES[code]}\n")
    assert tree(root) == before


def test_handoff_output_on_a_full_disk_is_a_clean_error(project, runner, monkeypatch, tmp_path):
    root = project(minimal())
    out = tmp_path / "handoffs"
    out.mkdir()
    fail_under(monkeypatch, out, errno.ENOSPC)
    result = runner.invoke(main, ["handoff", "1", "--project", str(root), "--output", str(out / "h.md")])
    assert_clean(result, f"Error: {out / 'h.md'}: {FIXES[errno.ENOSPC]}\n")
    assert os.listdir(out) == []


@pytest.mark.packaging
def test_build_on_a_full_disk_is_a_clean_error(project, runner, monkeypatch):
    root = project(minimal())
    site = root / "site"
    real = shutil.copyfile

    def full(src, dst, *args, **kwargs):  # MkDocs copies the theme's files with shutil.copyfile
        if str(dst).startswith(str(site)):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(dst))
        return real(src, dst, *args, **kwargs)

    monkeypatch.setattr(shutil, "copyfile", full)
    result = runner.invoke(main, ["build", "--project", str(root)])
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit)
    assert result.exit_code == 1
    last = result.output.splitlines()[-1]
    assert last.startswith(f"Error: {site}/") and last.endswith(f": {FIXES[errno.ENOSPC]}")


def test_zensical_with_a_read_only_cache_is_a_clean_error(project, runner, monkeypatch):
    pytest.importorskip("zensical")
    root = project(minimal())
    fail_under(monkeypatch, root / ".cache", errno.EROFS)
    result = runner.invoke(main, ["build", "--project", str(root), "--engine", "zensical"])
    assert_clean(result, f"Error: {root}/.cache/phasedocs/empty-docs: {FIXES[errno.EROFS]}\n")


def test_an_unreadable_template_is_a_clean_error(project, runner, monkeypatch):
    root = project(minimal(**{"templates/README.md.j2": "# {{ phase.title }}\n"}))
    unreadable(monkeypatch, root / "templates/README.md.j2")
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert_clean(result, f"Error: {root}/templates/README.md.j2: {FIXES[errno.EACCES]}\n")
    assert not (root / "docs").exists()


@pytest.mark.packaging
@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_an_unreadable_mkdocs_yml_is_a_clean_error(project, runner, monkeypatch, engine):
    if engine == "zensical":
        pytest.importorskip("zensical")
    root = project(minimal(**{"mkdocs.yml": "site_name: Demo\nplugins: [phasedocs]\n"}))
    unreadable(monkeypatch, root / "mkdocs.yml")
    result = runner.invoke(main, ["build", "--project", str(root), "--engine", engine])
    assert_clean(result, f"Error: {root}/mkdocs.yml: {FIXES[errno.EACCES]}\n")


def test_an_output_folder_whose_name_is_not_utf8_is_refused_before_anything_is_written(project, runner):
    root = project(minimal())
    out = os.fsdecode(os.fsencode(str(root)) + b"/docs-\xff")  # as Python hands such a name over
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", out])
    assert_clean(
        result,
        f"Error: --out {root}/docs-\\udcff: holds bytes that are not UTF-8 text; "
        "write it in UTF-8 (rename a file or folder whose name is not)\n",
    )
    assert sorted(os.listdir(root)) == ["phases"]


def test_a_label_that_is_not_utf8_is_refused_and_nothing_recorded(project, runner):
    root = project(minimal())
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--label", "day\udcff2", "--at", AT])
    assert_clean(
        result,
        "Error: --label day\\udcff2: holds bytes that are not UTF-8 text; "
        "write it in UTF-8 (rename a file or folder whose name is not)\n",
    )
    assert not (root / "phases/phase-01/metrics").exists()
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--label=day\udcff2", "--at", AT])
    assert result.output.startswith("Error: --label --label=day\\udcff2: holds bytes")


@pytest.mark.parametrize("addr", ["127.0.0.1:99999", "127.0.0.1:0", "127.0.0.1:http", "127.0.0.1", ":8000"])
def test_serve_on_an_address_that_cannot_be_is_a_clean_error(project, runner, addr):
    root = project(minimal())
    result = runner.invoke(main, ["serve", "--project", str(root), "--dev-addr", addr])
    assert_clean(
        result,
        f"Error: --dev-addr {addr}: expected HOST:PORT with a port from 1 to 65535; "
        "pass e.g. --dev-addr 127.0.0.1:8001\n",
    )


def test_zensical_serve_on_a_busy_port_exits_1(project, runner):
    pytest.importorskip("zensical")
    root = project(minimal())
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = runner.invoke(
            main, ["serve", "--project", str(root), "--engine", "zensical", "--dev-addr", f"127.0.0.1:{port}"]
        )
    assert_clean(
        result,
        f"Error: cannot serve on 127.0.0.1:{port}: Address already in use; "
        "pass another address, e.g. --dev-addr 127.0.0.1:8001\n",
    )


def test_a_pages_folder_linked_to_its_parent_is_an_error_not_a_traceback_or_a_hang(project, runner):
    root = project(minimal(**{"mkdocs.yml": "site_name: Demo\ndocs_dir: site_config/pages\nplugins: [phasedocs]\n"}))
    (root / "site_config").mkdir()
    (root / "site_config/pages").symlink_to("..")
    result = runner.invoke(main, ["build", "--project", str(root)])
    assert "Traceback" not in result.output and isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 1
    assert result.output.splitlines()[-1].startswith("Error: ")
    assert len(result.output.splitlines()[-1]) < 600  # a looping path is shown cut short


def test_validate_with_an_unreadable_metrics_folder_is_an_error_not_an_empty_phase(project, runner, monkeypatch):
    root = project(minimal())
    metrics = root / "phases/phase-01/metrics"
    metrics.mkdir()
    (metrics / "a.json").write_text('{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 5}}')
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 0  # a stamp of the readable folder
    real = os.scandir

    def refuse(path="."):
        if os.fspath(path) == str(metrics):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), str(path))
        return real(path)

    monkeypatch.setattr(os, "scandir", refuse)
    expected = (
        "phases/phase-01/metrics: cannot read the folder: Permission denied; make it readable by this user "
        "(its snapshots are the phase's progress), then run again\n1 error in 1 file\n"
    )
    for command in (["validate"], ["validate", "--no-cache"]):
        assert_clean(runner.invoke(main, [*command, "--project", str(root)]), expected)
    assert_clean(runner.invoke(main, ["generate", "-q", "--project", str(root)]), expected)
    assert not (root / "docs").exists()
