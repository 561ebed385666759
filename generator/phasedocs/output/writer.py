"""The only module that writes into the output folder.

It decides *how* files land, never *what* they hold (pelican's ``Writer``, by contrast,
renders the templates it writes and opens each file in place with ``open(path, "w")``):
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
import re
import secrets
import tempfile
import time
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from phasedocs.errors import Abort
from phasedocs.paths import contained, is_inside, is_real

MANIFEST = ".phasedocs-manifest.json"
MANIFEST_VERSION = 1


def sha256(data: bytes) -> str:
    """Hex SHA-256 of ``data``."""
    return hashlib.sha256(data).hexdigest()


def _group_ok(group: object) -> bool:
    """True when a manifest's group entry has the shape a run writes: an input digest and a
    list of paths (a damaged one is dropped, and its files are rendered again)."""
    if not isinstance(group, dict) or not isinstance(group.get("digest"), str):
        return False
    files = group.get("files")
    return isinstance(files, list) and all(isinstance(rel, str) for rel in files)


@dataclass
class Manifest:
    """What the generator wrote: path -> hash, per-group input digests, and a journal.

    ``pending`` is the journal of a run in progress: before the first write, the manifest
    is saved with every file about to be written and both the hash it had and the hash
    it will have. A run cut short (a full disk, a kill) therefore leaves every file it
    touched recognisable as ours, and the next run finishes the job instead of refusing
    the files as edited by hand.
    """

    files: dict[str, str] = field(default_factory=dict)
    """Output path (relative, '/') -> SHA-256 of the bytes written."""
    groups: dict[str, dict[str, object]] = field(default_factory=dict)
    """Group (a phase, the project pages) -> {"digest": input digest, "files": [paths]}."""
    pending: dict[str, list[str]] = field(default_factory=dict)
    """Path -> hashes it may hold while a run is writing (empty once a run completed)."""
    temp: str = ""
    """The token in the names of the temp files of the run writing (``.NAME.TOKEN.tmp``):
    the files a run cut short leaves are these, and only these are swept ('' once a run completed)."""

    @classmethod
    def read(cls, out_dir: Path, name: str = MANIFEST) -> Manifest:
        """The manifest of ``out_dir``; empty when there is none or it is unreadable.

        Entries are untrusted (the folder may be committed by anyone): one that names a
        path outside the folder, or is not a hash, is dropped, so it can never make a
        run delete or overwrite a file that is not a generated one.
        """
        path = out_dir / name
        if not is_inside(out_dir, path):
            return cls()
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return cls()
        if not isinstance(data, dict) or data.get("version") != MANIFEST_VERSION:
            return cls()
        files, groups, pending = data.get("files"), data.get("groups"), data.get("pending", {})
        temp = data.get("temp", "")
        if not isinstance(files, dict) or not isinstance(groups, dict) or not isinstance(pending, dict):
            return cls()
        return cls(
            {k: v for k, v in files.items() if _entry_ok(k) and _HASH_RE.fullmatch(str(v))},
            {str(k): v for k, v in groups.items() if _group_ok(v)},
            {
                k: [h for h in v if isinstance(h, str) and _HASH_RE.fullmatch(h)]
                for k, v in pending.items()
                if _entry_ok(k) and isinstance(v, list)
            },
            temp if isinstance(temp, str) and _TOKEN_RE.fullmatch(temp) else "",
        )

    def owns(self, rel: str, digest: str) -> bool:
        """True when a file at ``rel`` holding bytes of hash ``digest`` is as phasedocs left it."""
        return digest == self.files.get(rel) or digest in self.pending.get(rel, ())

    def dumps(self) -> bytes:
        """The manifest as stable JSON bytes."""
        data: dict[str, object] = {
            "version": MANIFEST_VERSION,
            "files": dict(sorted(self.files.items())),
            "groups": dict(sorted(self.groups.items())),
        }
        if self.pending:
            data["pending"] = dict(sorted(self.pending.items()))
        if self.temp:
            data["temp"] = self.temp
        return (json.dumps(data, indent=1, sort_keys=False) + "\n").encode()


_HASH_RE = re.compile(r"[0-9a-f]{64}")
_TOKEN_RE = re.compile(r"[a-z0-9_]{8}")


def _entry_ok(rel: object) -> bool:
    """True when a manifest key is a plain relative path (no '..', not absolute)."""
    if not isinstance(rel, str):
        return False
    try:
        return safe_relpath(rel) == rel
    except Abort:
        return False


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


def _temp_copy(path: Path, data: bytes, mode: int, durable: bool) -> str:
    """``data`` in a temp file beside ``path`` (same file system, so renames are atomic),
    fsynced when ``durable``."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            if not _RUN_TOKEN:
                raise FileExistsError
            # a run's own name (recorded in its journal first), so only its leftovers are ever swept
            tmp = str(path.parent / f".{path.name}.{_RUN_TOKEN}.tmp")
            fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_NOFOLLOW", 0), 0o600)
        except FileExistsError:  # no run token, or someone's file of that very name: never replaced
            # the pid in the name lets a later run tell a temp file of a killed run from a live one's
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.{os.getpid()}.", suffix=".tmp")
    except OSError as exc:  # named by the file it was for: the temp file's name means nothing to a reader
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    _LIVE.add(tmp)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            if durable:
                fh.flush()
                os.fsync(fh.fileno())
        os.chmod(tmp, mode)
    except OSError as exc:
        _discard(tmp)
        raise OSError(exc.errno, exc.strerror, str(path)) from None
    except BaseException:
        _discard(tmp)
        raise
    return tmp


#: Temp files of this process not yet renamed or removed: a SIGTERM removes them on its way out.
_LIVE: set[str] = set()
#: The temp-file token of the write_tree running in this process ('' outside one).
_RUN_TOKEN = ""


def _discard(tmp: str) -> None:
    """Remove a temp file (if still there) and forget it."""
    _LIVE.discard(tmp)
    with contextlib.suppress(FileNotFoundError):
        os.unlink(tmp)


def exit_on_terminate() -> None:
    """Make SIGTERM (a CI job cancelled, ``kill``) remove this process's temp files and exit
    with status 143, as it would unhandled; SIGKILL cannot be caught, so every run also
    sweeps what a killed run left (:func:`sweep_temp_files`)."""
    import signal

    def handler(signum: int, frame: object) -> None:
        for tmp in list(_LIVE):
            _discard(tmp)
        raise SystemExit(128 + signum)

    with contextlib.suppress(ValueError):  # only the main thread may set handlers
        signal.signal(signal.SIGTERM, handler)


def write_cache(root: Path, path: Path, data: bytes) -> None:
    """Keep a cache entry of the project at ``root``: atomic, not fsynced, and skipped where
    it cannot be written (a read-only checkout simply runs without the cache) or where a
    symlink leads elsewhere (a committed ``.cache -> /elsewhere``, or into the inputs)."""
    if not is_real(root, path.parent):
        return
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
        _LIVE.discard(tmp)
    except BaseException:
        _discard(tmp)
        raise


def create_new(path: Path, data: bytes) -> None:
    """Create ``path`` holding ``data``, atomically; raise FileExistsError if it exists.

    The bytes go to a temp file in the same folder first; ``os.link`` then gives them
    the final name only if that name is free, so a file is never half-written and an
    existing file, even one created a moment ago by another process, is never replaced.
    """
    tmp = _temp_copy(path, data, 0o644, durable=True)
    try:
        os.link(tmp, path)
    finally:
        _discard(tmp)


def _read(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except (FileNotFoundError, NotADirectoryError):
        return None
    except IsADirectoryError:
        return b""  # a folder where a file goes: never equal to what we write, refused below


#: How long a run waits for another run on the same output folder before refusing.
LOCK_WAIT_SECONDS = 120.0


@contextlib.contextmanager
def locked(out_dir: Path, wait: float | None = None) -> Iterator[None]:
    """Hold the output folder's lock: runs on one folder queue instead of refusing each
    other's files; after ``wait`` seconds a run refuses, naming the folder."""
    try:
        import fcntl
    except ImportError:  # pragma: no cover - Windows: no advisory locks, runs are not queued
        yield
        return
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        # the folder's own descriptor: a lock file would be one more file a refused run leaves
        fd = os.open(out_dir, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    except OSError as exc:
        raise Abort(
            f"cannot write into {out_dir}: {exc.strerror or exc}; check that it is a folder you can write to"
        ) from None
    try:
        deadline = time.monotonic() + (LOCK_WAIT_SECONDS if wait is None else wait)
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise Abort(
                        f"another phasedocs run is writing to {out_dir}; wait for it to finish, then run again"
                    ) from None
                time.sleep(0.05)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def sweep_temp_files(folders: Iterable[Path], token: str, manifest_name: str = MANIFEST) -> list[Path]:
    """Remove the temp files that a run cut short left in ``folders`` (call it under the lock):
    those named with ``token``, which its journal recorded, and those of the manifest itself
    (``.MANIFEST.XXXXXXXX.tmp``, a name phasedocs reserves as it does the manifest's). A
    user's ``.notes.abcd1234.tmp`` looks the same and is never touched."""
    ours = re.compile(
        "|".join(
            [
                *([rf"\..+\.{re.escape(token)}\.tmp"] if token else []),
                rf"\.{re.escape(manifest_name)}\.[a-z0-9_]{{8}}\.tmp",
            ]
        )
    )
    removed = []
    for folder in folders:
        try:
            entries = list(os.scandir(folder))
        except OSError:
            continue
        for entry in entries:
            if ours.fullmatch(entry.name) and entry.is_file(follow_symlinks=False):
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
                    removed.append(Path(entry.path))
    return removed


def write_tree(
    out_dir: Path,
    files: Mapping[str, bytes],
    *,
    keep: Mapping[str, str] | None = None,
    groups: Mapping[str, dict[str, object]] | None = None,
    force: bool = False,
    manifest_name: str = MANIFEST,
    durable: bool = True,
) -> WriteReport:
    """Bring ``out_dir`` to hold ``files`` (relative path -> bytes).

    ``keep`` lists generated files that were not re-rendered this run because their
    inputs did not change (path -> expected hash): they stay as they are and stay in
    the manifest. ``groups`` is stored in the manifest for the next run to compare.
    Raises :class:`Abort` naming every hand-edited or foreign file in the way, and every
    path a symlink leads out of the folder; in that case nothing is written.
    ``manifest_name`` lets another writer (``schema``) keep its own files apart.
    ``durable=False`` skips the fsyncs, for a folder that is a cache (the site's pages).
    """
    plan = {safe_relpath(p): data for p, data in files.items()}  # refused before the folder is made
    global _RUN_TOKEN
    with locked(out_dir):
        _RUN_TOKEN = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz0123456789_") for _ in range(8))
        try:
            return _write_tree(out_dir, plan, dict(keep or {}), dict(groups or {}), force, manifest_name, durable)
        finally:
            _RUN_TOKEN = ""


def _write_tree(
    out_dir: Path,
    plan: Mapping[str, bytes],
    keep: dict[str, str],
    groups: dict[str, dict[str, object]],
    force: bool,
    manifest_name: str,
    durable: bool = True,
) -> WriteReport:
    manifest = Manifest.read(out_dir, manifest_name)
    for rel in [*plan, *manifest.files, *manifest.pending, manifest_name]:
        contained(out_dir, out_dir / rel, "to write")
    folders = {out_dir, *((out_dir / rel).parent for rel in [*plan, *keep, *manifest.files, *manifest.pending])}
    sweep_temp_files(folders, manifest.temp, manifest_name)
    edited: list[str] = []
    foreign: list[str] = []
    report = WriteReport()
    writes: list[tuple[str, bytes, str | None]] = []  # path, bytes, hash of what is there now
    for rel, data in sorted(plan.items()):
        on_disk = _read(out_dir / rel)
        if on_disk == data:
            report.unchanged.append(rel)
            continue
        old = sha256(on_disk) if on_disk is not None else None
        if old is not None:
            # --force discards edits to files phasedocs wrote, never a file it did not write
            if rel not in manifest.files and rel not in manifest.pending:
                foreign.append(rel)
                continue
            if not force and not manifest.owns(rel, old):
                edited.append(rel)
                continue
        writes.append((rel, data, old))
    removals: list[str] = []
    for rel in sorted({*manifest.files, *manifest.pending}):
        if rel in plan or rel in keep:
            continue
        on_disk = _read(out_dir / rel)
        if on_disk is None:
            continue
        if manifest.owns(rel, sha256(on_disk)) or force:
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
        advice = []
        if edited:
            advice.append(
                "To keep an edit, move it to a file of your own (or override the template in templates/); "
                "to discard it, run again with --force."
            )
        if foreign:
            advice.append(
                "phasedocs never overwrites a file it did not write, even with --force: "
                f"move {'it' if len(foreign) == 1 else 'them'} out of {out_dir}, or write elsewhere with --out DIR."
            )
        lines.append(f"{n} file{'s' if n != 1 else ''} would be overwritten; nothing was written. " + " ".join(advice))
        raise Abort("\n".join(lines))

    new = Manifest({rel: sha256(data) for rel, data in plan.items()}, groups)
    for rel, digest in keep.items():
        if rel not in plan:
            new.files[rel] = manifest.files.get(rel, digest)
    try:
        if writes or removals:
            # the journal first: every file this run may leave behind is ours, whatever its bytes
            journal = Manifest(
                dict(manifest.files),
                dict(manifest.groups),
                {k: list(v) for k, v in manifest.pending.items()},
                _RUN_TOKEN,
            )
            for rel, _, old in writes:
                hashes = journal.pending.setdefault(rel, [])
                for h in (old, new.files[rel]):
                    if h is not None and h not in hashes:
                        hashes.append(h)
            atomic_write(out_dir / manifest_name, journal.dumps(), durable)
        for rel, data, _ in writes:
            atomic_write(out_dir / rel, data, durable)
            report.written.append(rel)
        for rel in removals:
            (out_dir / rel).unlink()
            report.removed.append(rel)
            _prune_empty(out_dir, (out_dir / rel).parent)
        payload = new.dumps()
        if _read(out_dir / manifest_name) != payload:
            atomic_write(out_dir / manifest_name, payload, durable)
    except OSError as exc:
        where = exc.filename or out_dir
        raise Abort(
            f"cannot write {where}: {exc.strerror or exc}; {len(report.written)} of {len(writes)} files were written "
            "and are recorded as generated, so the next run finishes the job once the folder is writable"
        ) from None
    return report


def _show(out_dir: Path, rel: str) -> str:
    try:
        return str((out_dir / rel).relative_to(Path.cwd()))
    except ValueError:
        return str(out_dir / rel)


def _prune_empty(out_dir: Path, folder: Path) -> None:
    """Remove folders emptied by removals, up to (not including) ``out_dir``."""
    out = out_dir.resolve()
    while is_inside(out_dir, folder) and folder.resolve() != out and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def write_user_file(path: Path, text: str, *, force: bool = False) -> None:
    """Write ``text`` to ``path`` atomically; refuse to replace a file that is not ours.

    A file counts as ours when its first line is the same heading we write (an older
    handoff of the same phase); anything else needs ``force``.
    """
    check_user_file(path, text, force=force)
    atomic_write(path, text.encode("utf-8"))


def check_user_file(path: Path, text: str, *, force: bool = False, what: str = "a handoff of this phase") -> None:
    """:class:`Abort` when :func:`write_user_file` would refuse ``path`` (checked for every
    file of a run before the first is written)."""
    data = text.encode("utf-8")
    if path.exists() and not force:
        old = path.read_bytes()
        if old != data and old.partition(b"\n")[0] != data.partition(b"\n")[0]:  # the first lines differ
            raise Abort(f"{path} exists and is not {what}; choose another file or use --force")
