"""``phasedocs import``: a project from a hand-written phase package, with IMPORT-REPORT.md.

The new project is written into a staging folder beside the target, loaded and computed
like any project (so what is written validates, and the report can set the computed
schedule against the hand-written one), then renamed into place: the target folder
appears whole or not at all, and an existing folder is never written into.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

import yaml

from phasedocs.errors import Abort, PhasedocsError
from phasedocs.formats import dumps
from phasedocs.porting.reconcile import Ported, reconcile
from phasedocs.porting.report import render_report
from phasedocs.porting.scan import Package, scan

_HEADER = "# Imported by `phasedocs import`: read IMPORT-REPORT.md for what came from where.\n"


def _yaml(data: dict[str, Any]) -> bytes:
    text = yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100, default_flow_style=False)
    return (_HEADER + text).encode()


def plan_files(pkg: Package, ported: Ported) -> dict[str, bytes]:
    """Relative path -> bytes of the project's input files (the report comes after the facts)."""
    folder = f"phases/phase-{ported.number:02d}"
    phase = dict(ported.phase)
    phase["references"] = [{"title": f"{rel} (hand-written)", "path": f"imported/{rel}"} for rel in pkg.files]
    files = {"phases/project.yaml": _yaml(ported.project), f"{folder}/phase.yaml": _yaml(phase)}
    if ported.snapshot is not None:
        stamp = ported.snapshot["timestamp"].replace(":", "-")
        files[f"{folder}/metrics/{stamp}-baseline.json"] = dumps(ported.snapshot)
    for rel in pkg.files:
        files[f"imported/{rel}"] = (pkg.root / rel).read_bytes()
    return files


def import_package(source: Path, out_dir: Path, number: int | None = None) -> tuple[Ported, str]:
    """Import the package in ``source`` into the new folder ``out_dir``; return what was done and the report."""
    from phasedocs.facts import compute
    from phasedocs.input.project import load_project

    if out_dir.exists() and (not out_dir.is_dir() or any(out_dir.iterdir())):
        raise Abort(f"{out_dir}: exists and is not empty; import writes only into a new folder: choose another --out")
    if out_dir.resolve().is_relative_to(source.resolve()):
        raise Abort(f"{out_dir}: inside the package being imported; choose an --out outside {source}")
    pkg = scan(source)
    ported = reconcile(pkg, number)
    files = plan_files(pkg, ported)
    stage = out_dir.parent / f".{out_dir.name}.import-{os.getpid()}"
    try:
        for rel, data in files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
        try:
            project = load_project(stage)
        except PhasedocsError as exc:
            raise Abort(
                f"the imported project does not validate (a fault of phasedocs import; please report it):\n{exc.format_message()}"
            ) from None
        facts = compute(project).phases[0]
        report = render_report(source.resolve().name, pkg, ported, facts)
        (stage / "IMPORT-REPORT.md").write_text(report, encoding="utf-8")
        if out_dir.exists():
            out_dir.rmdir()  # empty, checked above
        os.rename(stage, out_dir)
    except OSError as exc:
        raise Abort(f"nothing imported: cannot write {exc.filename or out_dir}: {exc.strerror or exc}") from None
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)
    return ported, report
