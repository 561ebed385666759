"""JSON Schemas of the input files, generated from the models."""

from __future__ import annotations

from pathlib import Path

from .metrics_json import dumps
from .models import Phase, ProjectConfig, Snapshot
from .writer import write_tree

SCHEMAS = {
    "project.schema.json": (ProjectConfig, "phases/project.yaml"),
    "phase.schema.json": (Phase, "phases/phase-NN/phase.yaml"),
    "snapshot.schema.json": (Snapshot, "phases/phase-NN/metrics/*.json"),
}


def schemas() -> dict[str, bytes]:
    """File name -> JSON Schema bytes."""
    out = {}
    for name, (model, where) in SCHEMAS.items():
        data = model.model_json_schema()
        data = {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"phasedocs/{name}",
            "title": f"phasedocs {where}",
            **{k: v for k, v in data.items() if k != "title"},
        }
        out[name] = dumps(data)
    return out


def write_schemas(out_dir: Path) -> list[Path]:
    """Write the schemas into ``out_dir`` (atomically, refusing foreign files)."""
    files = schemas()
    write_tree(out_dir, files)
    return [out_dir / name for name in files]
