"""JSON Schemas of the input files, generated from the models."""

from __future__ import annotations

import ast
import inspect
import itertools
import types
from pathlib import Path
from typing import Any

from phasedocs.formats import dumps
from phasedocs.input.evidence import EvidenceFile
from phasedocs.input.models import Phase, ProjectConfig, Snapshot
from phasedocs.input.plan import PlanFile
from phasedocs.input.records import json_schema
from phasedocs.output.writer import write_tree

SCHEMA_MANIFEST = ".phasedocs-schemas.json"

SCHEMAS = {
    "project.schema.json": (ProjectConfig, "phases/project.yaml"),
    "phase.schema.json": (Phase, "phases/phase-NN/phase.yaml"),
    "snapshot.schema.json": (Snapshot, "phases/phase-NN/metrics/*.json"),
    "plan.schema.json": (PlanFile, "phases/phase-NN/plan.json"),
    "evidence.schema.json": (EvidenceFile, "phases/phase-NN/evidence.json"),
}


def field_docs(*modules: types.ModuleType) -> dict[str, dict[str, str]]:
    """Class name -> field name -> the field's docstring, read from the modules' source.

    Only the schema needs the text, so the source is parsed here, not at every import.
    """
    docs: dict[str, dict[str, str]] = {}
    for module in modules:
        tree = ast.parse(inspect.getsource(module))
        for node in ast.walk(tree):
            if not isinstance(node, ast.ClassDef):
                continue
            fields: dict[str, str] = {}
            body = node.body
            for stmt, nxt in itertools.pairwise(body):
                if (
                    isinstance(stmt, ast.AnnAssign)
                    and isinstance(stmt.target, ast.Name)
                    and isinstance(nxt, ast.Expr)
                    and isinstance(nxt.value, ast.Constant)
                    and isinstance(nxt.value.value, str)
                ):
                    fields[stmt.target.id] = inspect.cleandoc(nxt.value.value)
            docs[node.name] = fields
    return docs


def _describe(schema: dict[str, Any], model_name: str, docs: dict[str, dict[str, str]]) -> None:
    for field, text in docs.get(model_name, {}).items():
        prop = schema.get("properties", {}).get(field)
        if isinstance(prop, dict):
            prop.setdefault("description", text)


def schemas() -> dict[str, bytes]:
    """File name -> JSON Schema bytes."""
    from phasedocs.input import evidence, models, plan

    docs = field_docs(models, plan, evidence)
    out = {}
    for name, (model, where) in SCHEMAS.items():
        data = json_schema(model)
        _describe(data, model.__name__, docs)
        for def_name, definition in data.get("$defs", {}).items():
            _describe(definition, def_name, docs)
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
    from phasedocs.paths import check_output_dir

    check_output_dir(Path.cwd(), out_dir)  # a committed 'schemas -> /elsewhere' must not lead out
    files = schemas()
    # its own manifest: the schemas may share a folder with the documents (docs/), and
    # neither writer may take the other's files for orphans to remove
    write_tree(out_dir, files, manifest_name=SCHEMA_MANIFEST)
    return [out_dir / name for name in files]
