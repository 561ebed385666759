"""The only module that writes into the output folder.

Like pelican's ``writers.py`` it decides *how* files land, never *what* they hold:
- every write is atomic (a temp file in the same folder, ``os.replace`` on success);
- unchanged bytes are not rewritten, so mtimes, live reload and ``git status`` stay quiet;
- a manifest (``.phasedocs-manifest.json``) records what was written and its hash, so a
  file edited by hand since is refused (``force`` replaces it), files the generator did
  not create are never touched, and generated files that are no longer produced are
  removed only when they are ours and unedited;
- paths that would leave the output folder are refused.
Every check happens before the first write, so a refused run changes nothing.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from .errors import Abort

MANIFEST = ".phasedocs-manifest.json"
MANIFEST_VERSION = 1


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


@dataclass
class Manifest:
    """What the generator wrote last time: path -> hash, and per-group input digests."""

    files: dict[str, str] = field(default_factory=dict)
    """Output path (relative, '/') -> SHA-256 of the bytes written."""
    groups: dict[str, dict[str, object]] = field(default_factory=dict)
    """Group (a phase, the project pages) -> {"digest": input digest, "files": [paths]}."""

    @classmethod
    def read(cls, out_dir: Path) -> Manifest:
        """The manifest of ``out_dir``; empty when there is none or it is unreadable."""
        try:
            data = json.loads((out_dir / MANIFEST).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return cls()
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            return cls()
        files = data.get("files")
        groups = data.get("groups")
        if not isinstance(files, dict) or not isinstance(groups, dict):
            return cls()
        return cls({str(k): str(v) for k, v in files.items()}, groups)

    def dumps(self) -> bytes:
        """The manifest as stable JSON bytes."""
        data = {"version": MANIFEST_VERSION, "files": dict(sorted(self.files.items())), "groups": dict(sorted(self.groups.items()))}
        return (json.dumps(data, indent=1, sort_keys=False) + "\n").encode()


@dataclass
class WriteReport:
    """What a write did, for the CLI to report and tests to assert."""

    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    kept_edited: list[str] = field(default_factory=list)
    """Orphaned generated files left in place because they were edited by hand."""


def safe_relpath(path: str) -> str:
    """``path`` if it stays inside the output folder, else :class:`Abort`."""
    p = PurePosixPath(path)
    if p.is_absolute() or not p.parts or any(part in ("..", "") for part in p.parts) or "\\" in path:
        raise Abort(f"refusing to write outside the output folder: {path!r}")
    return str(p)


def _temp_copy(path: Path, data: bytes, mode: int, durable: bool = True) -> str:
    """``data`` in a temp file beside ``path`` (same file system, so renames are atomic),
    fsynced when ``durable``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except BaseException:
        os.unlink(tmp)
        raise
    return tmp


def write_cache(path: Path, data: bytes) -> None:
    """Keep a cache entry: atomic, not fsynced, and skipped where it cannot be written
    (a read-only checkout simply runs without the cache)."""
    with contextlib.suppress(OSError):
        atomic_write(path, data, durable=False)


def atomic_write(path: Path, data: bytes, durable: bool = True) -> None:
    """Write ``data`` to ``path`` through a temp file in the same folder and ``os.replace``.

    Caches pass ``durable=False``: no fsync (which can cost milliseconds a file on a real
    disk), as a cache entry lost or garbled by a crash is only read as a miss.
    """
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    tmp = _temp_copy(path, data, mode, durable)
    try:
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def create_new(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data``, atomically; raise FileExistsError if it exists.

    The bytes go to a temp file in the same folder first; ``os.link`` then gives them
    the final name only if that name is free, so a file is never half-written and an
    existing file, even one created a moment ago by another process, is never replaced.
    """
    tmp = _temp_copy(path, data, 0o644)
    try:
        os.link(tmp, path)
    finally:
        os.unlink(tmp)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


def write_tree(
    out_dir: Path,
    files: Mapping[str, bytes],
    *,
    keep: Mapping[str, str] | None = None,
    groups: Mapping[str, dict[str, object]] | None = None,
    force: bool = False,
) -> WriteReport:
    """Bring ``out_dir`` to hold ``files`` (relative path -> bytes).

    ``keep`` lists generated files that were not re-rendered this run because their
    inputs did not change (path -> expected hash): they stay as they are and stay in
    the manifest. ``groups`` is stored in the manifest for the next run to compare.
    Raises :class:`Abort` naming every hand-edited or foreign file in the way; in that
    case nothing is written.
    """
    keep = dict(keep or {})
    manifest = Manifest.read(out_dir)
    plan: dict[str, bytes] = {safe_relpath(p): data for p, data in files.items()}
    edited: list[str] = []
    foreign: list[str] = []
    report = WriteReport()
    writes: list[tuple[str, bytes]] = []
    for rel, data in sorted(plan.items()):
        on_disk = _read(out_dir / rel)
        if on_disk == data:
            report.unchanged.append(rel)
            continue
        if on_disk is not None and not force:
            recorded = manifest.files.get(rel)
            if recorded is None:
                foreign.append(rel)
                continue
            if sha256(on_disk) != recorded:
                edited.append(rel)
                continue
        writes.append((rel, data))
    removals: list[str] = []
    for rel, recorded in sorted(manifest.files.items()):
        if rel in plan or rel in keep:
            continue
        on_disk = _read(out_dir / rel)
        if on_disk is None:
            continue
        if sha256(on_disk) == recorded or force:
            removals.append(rel)
        else:
            report.kept_edited.append(rel)
    if edited or foreign:
        lines = []
        for rel in edited:
            lines.append(f"{_show(out_dir, rel)}: edited by hand since phasedocs wrote it")
        for rel in foreign:
            lines.append(f"{_show(out_dir, rel)}: exists and was not written by phasedocs")
        n = len(lines)
        lines.append(
            f"{n} file{'s' if n != 1 else ''} would be overwritten; nothing was written. "
            "To keep an edit, move it to a file of your own (or override the template in templates/); "
            "to discard it, run again with --force."
        )
        raise Abort("\n".join(lines))

    for rel, data in writes:
        atomic_write(out_dir / rel, data)
        report.written.append(rel)
    for rel in removals:
        (out_dir / rel).unlink()
        report.removed.append(rel)
        _prune_empty(out_dir, (out_dir / rel).parent)

    new = Manifest({rel: sha256(data) for rel, data in plan.items()}, dict(groups or {}))
    for rel, digest in keep.items():
        if rel not in plan:
            new.files[rel] = manifest.files.get(rel, digest)
    payload = new.dumps()
    if _read(out_dir / MANIFEST) != payload:
        atomic_write(out_dir / MANIFEST, payload)
    return report


def _show(out_dir: Path, rel: str) -> str:
    try:
        return str((out_dir / rel).relative_to(Path.cwd()))
    except ValueError:
        return str(out_dir / rel)


def _prune_empty(out_dir: Path, folder: Path) -> None:
    """Remove folders emptied by removals, up to (not including) ``out_dir``."""
    out = out_dir.resolve()
    while folder.resolve() != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
