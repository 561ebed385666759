"""What phasedocs keeps under ``.cache/phasedocs/`` to skip work it has done before.

The validation stamp: a content stamp of the inputs that last validated cleanly, so an
unchanged project validates without loading pydantic, Jinja or YAML at all.

The stamp is a SHA-256 over phasedocs' own version and code (path, size and mtime of
each module), then every file under ``phases/`` (path and bytes) and ``site_config/site.yaml``. Validation is a pure
function of exactly those, so a matching stamp means the same answer: "ok". Only clean
results are stamped; any change, or a missing or unreadable stamp, means a full run.

The site's pages (:data:`SITE_CACHE`): one cache design for every build. ``generate``
keeps ``docs/`` with a manifest of each group's digest and files, and renders again only
the groups whose digest changed (:func:`phasedocs.pipeline.build`); the site build is the
same build writing the same kind of folder, with its manifest, here. Both are trusted
like the checkout and never committed (``init``'s .gitignore).
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from phasedocs import __version__
from phasedocs.output.writer import write_cache
from phasedocs.paths import is_inside

CACHE = Path(".cache") / "phasedocs"
"""Where phasedocs keeps what it can make again, relative to the project."""
STAMP = CACHE / "validated.json"
SITE_CACHE = CACHE / "pages"
"""The site's pages and charts as the last site build made them (a generated folder, with a manifest)."""
_CODE = Path(__file__).resolve().parent.parent  # the package folder


def code_fingerprint() -> str:
    """phasedocs' version and code: any cache of its results must change when either does."""
    h = hashlib.sha256(__version__.encode())
    for module in sorted(_CODE.rglob("*.py")):
        st = module.stat()
        h.update(f"{module.relative_to(_CODE).as_posix()}\0{st.st_size}\0{st.st_mtime_ns}\0".encode())
    return h.hexdigest()[:16]


def _raise(exc: OSError) -> None:
    raise exc


def fingerprint(root: Path) -> str | None:
    """The stamp of ``root``'s inputs, or None when phases/ cannot be read."""

    h = hashlib.sha256(code_fingerprint().encode())
    phases = root / "phases"
    if not is_inside(root, phases):
        return None
    try:
        for dirpath, dirnames, filenames in os.walk(phases, onerror=_raise):  # a folder it cannot read: no stamp
            dirnames.sort()
            rel = Path(dirpath).relative_to(phases).as_posix()
            h.update(f"d\0{rel}\0".encode())
            for name in sorted(filenames):
                path = Path(dirpath) / name
                if (path.is_symlink() and not is_inside(root, path)) or not path.is_file():
                    return None  # never read outside, nor a pipe; a full validation names the file
                h.update(f"f\0{rel}/{name}\0".encode())
                h.update(hashlib.sha256(path.read_bytes()).digest())
        site = root / "site_config" / "site.yaml"  # validate checks it too
        if site.is_file():
            if not is_inside(root, site):
                return None
            h.update(b"s\0" + hashlib.sha256(site.read_bytes()).digest())
    except OSError:
        return None
    return h.hexdigest()


def _here(root: Path) -> str | None:
    """Where the stamp's folder lives on this machine (device and inode), or None if absent.

    A stamp is trusted only in the folder it was written in: a stamp committed to the
    repository arrives in a folder that the checkout creates, with an inode nobody could
    have known, so it never vouches for inputs nobody validated (``validate`` gates CI).
    """
    try:
        info = os.stat(root / STAMP.parent)
    except OSError:
        return None
    return f"{info.st_dev}:{info.st_ino}"


def cached_result(root: Path) -> str | None:
    """The message of the last clean validation, if the inputs are exactly as then."""

    if not is_inside(root, root / STAMP):
        return None
    try:
        data = json.loads((root / STAMP).read_text(encoding="utf-8"))
    except (OSError, ValueError, RecursionError):
        return None
    key = fingerprint(root)
    if not isinstance(data, dict) or key is None or data.get("fingerprint") != key or data.get("here") != _here(root):
        return None
    message = data.get("message")
    return message if isinstance(message, str) else None


def remember(root: Path, message: str) -> None:
    """Stamp a clean validation; a read-only checkout simply gets no stamp."""
    key = fingerprint(root)
    if key is None:
        return

    folder = root / STAMP.parent
    if not is_inside(root, folder):
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError:
        return
    write_cache(root, root / STAMP, json.dumps({"fingerprint": key, "here": _here(root), "message": message}).encode())
