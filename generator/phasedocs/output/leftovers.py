"""Temp files that killed records left in metrics folders, and their removal.

Light on purpose: ``validate`` sweeps before it answers from its stamp, without loading
the rest of phasedocs.
"""

from __future__ import annotations

import contextlib
import os
import re
import stat
from pathlib import Path

from phasedocs.errors import Abort
from phasedocs.output.writer import locked
from phasedocs.paths import is_inside

#: A temp file of a snapshot: ``.<stem>.json.<pid>.<8 random>.tmp`` (the pid is absent in
#: those of releases before it was added)
_SNAPSHOT_TEMP_RE = re.compile(r"\.[^/]+\.json\.(?:(?P<pid>[0-9]+)\.)?[a-z0-9_]{8}\.tmp")
#: A temp file older than this is a killed run's, whatever its pid says (a pid may be reused).
STALE_SECONDS = 600


def _stale(name: str, path: Path, now: float) -> bool:
    """True when ``name`` in a metrics folder is a temp file of a snapshot whose writer is gone."""
    m = _SNAPSHOT_TEMP_RE.fullmatch(name)
    if m is None:
        return False
    try:
        info = path.lstat()
    except OSError:
        return False
    if not stat.S_ISREG(info.st_mode):
        return False
    if now - info.st_mtime > STALE_SECONDS:
        return True
    if m.group("pid") is None:
        return False
    try:
        os.kill(int(m.group("pid")), 0)
    except ProcessLookupError:
        return True  # its writer is dead: killed between the temp write and the link
    except (OSError, OverflowError):
        return False  # alive (as another user), or no pid we can ask about
    return False


def sweep_snapshot_temps(project_dir: Path) -> list[str]:
    """Remove the temp files that killed records left in the phases' metrics folders; return
    their paths (relative to the project). A phase whose lock another run holds is skipped,
    so a record in progress never loses its temp file."""
    import time

    removed: list[str] = []
    phases = project_dir / "phases"
    try:
        folders = sorted(p for p in phases.iterdir() if p.name.startswith("phase-") and p.is_dir())
    except OSError:
        return removed  # the load that follows names the problem
    now = time.time()
    for folder in folders:
        metrics = folder / "metrics"
        if not is_inside(project_dir, metrics) or not metrics.is_dir():
            continue
        try:
            names = [n for n in os.listdir(metrics) if _SNAPSHOT_TEMP_RE.fullmatch(n)]
        except OSError:
            continue
        if not names:
            continue
        try:
            with locked(folder, wait=0):
                for name in sorted(names):
                    if _stale(name, metrics / name, now):
                        with contextlib.suppress(FileNotFoundError):
                            os.unlink(metrics / name)
                            removed.append(f"phases/{folder.name}/metrics/{name}")
        except Abort:
            continue  # a record holds the phase: its temp file is live
    return removed
