"""Attacks on paths: nothing phasedocs reads or writes may lie outside its root.

Each test is an attack a hostile contributor can commit (a manifest entry, a symlink,
an --out inside the inputs); each was seen failing on the code before the path rule.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from conftest import minimal, tree
from phasedocs.cli import main
from phasedocs.output.writer import MANIFEST, sha256


def _generate(runner, root: Path, *args: str):
    return runner.invoke(main, ["generate", "--project", str(root), "-q", *args])


@pytest.fixture
def victim(tmp_path: Path) -> Path:
    """A file outside the project that no run may touch."""
    folder = tmp_path / "victim"
    folder.mkdir()
    (folder / "keep.txt").write_text("precious\n")
    return folder / "keep.txt"


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize("how", ["relative", "absolute"])
def test_a_manifest_entry_outside_the_output_never_deletes_anything(project, runner, victim, force, how):
    root = project(minimal())
    assert _generate(runner, root).exit_code == 0
    manifest_path = root / "docs" / MANIFEST
    data = json.loads(manifest_path.read_text())
    rel = os.path.relpath(victim, root / "docs") if how == "relative" else str(victim)
    data["files"][rel] = sha256(victim.read_bytes())
    data["pending"] = {rel: [sha256(victim.read_bytes())]}
    manifest_path.write_text(json.dumps(data))
    result = _generate(runner, root, *(["--force"] if force else []))
    assert result.exit_code == 0, result.output
    assert victim.read_text() == "precious\n"
    assert rel not in json.loads(manifest_path.read_text())["files"]


def test_a_symlinked_phase_folder_in_the_output_is_refused(project, runner, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = project(minimal())
    (root / "docs").mkdir()
    (root / "docs/phase-01").symlink_to(elsewhere)
    result = _generate(runner, root)
    assert result.exit_code == 1
    assert f"refusing to write {root / 'docs/phase-01'}/" in result.output
    assert f"it leads outside {root / 'docs'} (to {elsewhere}" in result.output
    assert list(elsewhere.iterdir()) == []


def test_a_symlinked_output_folder_inside_the_project_is_refused(project, runner, tmp_path):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = project(minimal())
    (root / "docs").symlink_to(elsewhere)
    result = _generate(runner, root)
    assert result.exit_code == 1
    assert result.output == (
        f"Error: refusing to write into {root / 'docs'}: a symlink leads it out of the project (to {elsewhere}); remove the symlink\n"
    )
    assert list(elsewhere.iterdir()) == []


@pytest.mark.parametrize("out", ["phases/phase-01/metrics", "phases", "templates/x", "."])
def test_outputs_never_go_into_or_over_the_inputs(project, runner, out):
    root = project(minimal())
    before = tree(root)
    result = _generate(runner, root, "--out", str(root / out))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: refusing to write into {root / out}: ")
    assert tree(root) == before


@pytest.mark.parametrize(
    ("command", "template"), [(["generate", "-q"], "README.md.j2"), (["handoff", "1"], "COORDINATOR-HANDOFF.md.j2")]
)
def test_a_template_symlinked_outside_the_project_is_refused(project, runner, tmp_path, command, template):
    secret = tmp_path / "secret.txt"
    secret.write_text("CI_TOKEN=hunter2\n")
    root = project(minimal())
    (root / "templates").mkdir()
    (root / "templates" / template).symlink_to(secret)
    result = runner.invoke(main, [*command, "--project", str(root)])
    assert result.exit_code == 1
    assert "hunter2" not in result.output
    assert f"refusing template {root / 'templates' / template}: it leads outside {root / 'templates'}" in result.output
    assert not (root / "docs").exists()


def test_a_templates_folder_symlinked_outside_is_refused(project, runner, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "README.md.j2").write_text("{{ 'leak' }}\n")
    root = project(minimal())
    (root / "templates").symlink_to(outside)
    result = _generate(runner, root)
    assert result.exit_code == 1
    assert f"refusing templates folder {root / 'templates'}: it leads outside {root}" in result.output


@pytest.mark.parametrize(
    "which", ["phases/project.yaml", "phases/phase-01/phase.yaml", "phases/phase-01/metrics/a.json"]
)
def test_an_input_symlinked_outside_the_project_is_refused(project, runner, tmp_path, which):
    files = minimal(**{"phases/phase-01/metrics/a.json": '{"timestamp": "2025-01-06T09:00:00Z"}'})
    root = project(files)
    real = root / which
    copy = tmp_path / "copy"
    copy.write_bytes(real.read_bytes())
    real.unlink()
    real.symlink_to(copy)
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert result.exit_code == 1
    assert (
        f"{which}: a symlink that leads outside the project (to {copy}); replace it with the file itself"
        in result.output
    )


def test_record_refuses_a_metrics_folder_symlinked_outside(project, runner, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = project(minimal())
    (root / "phases/phase-01/metrics").symlink_to(outside)
    result = runner.invoke(
        main, ["record", "1", "--project", str(root), "--metric", "warnings=3", "--at", "2025-01-07T09:00:00Z"]
    )
    assert result.exit_code == 1
    assert list(outside.iterdir()) == []


def test_schema_keeps_its_files_apart_from_the_documents(project, runner):
    root = project(minimal())
    assert _generate(runner, root).exit_code == 0
    docs = tree(root / "docs")
    result = runner.invoke(main, ["schema", "--output", str(root / "docs")])
    assert result.exit_code == 0, result.output
    after = tree(root / "docs")
    assert {k: v for k, v in after.items() if k in docs} == docs
    assert _generate(runner, root).exit_code == 0
    assert "project.schema.json" in tree(root / "docs")


def test_the_site_cache_symlinked_outside_is_not_written(project, runner, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    root = project(minimal())
    (root / ".cache").symlink_to(outside)
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 0
    assert list(outside.iterdir()) == []


def test_schema_refuses_a_folder_symlinked_out_of_the_project(project, runner, tmp_path, monkeypatch):
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    root = project(minimal())
    (root / "schemas").symlink_to(elsewhere)
    monkeypatch.chdir(root)
    result = runner.invoke(main, ["schema"])
    assert result.exit_code == 1
    assert "a symlink leads it out of the project" in result.output
    assert list(elsewhere.iterdir()) == []


def test_a_committed_validation_stamp_vouches_for_nothing(project, runner):
    """validate gates CI: a stamp that arrives with the checkout must not make it skip the check."""
    from phasedocs.output import caches as stamp

    root = project(
        minimal(**{"phases/phase-01/metrics/a.json": '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"nope": 1}}'})
    )
    forged = {"fingerprint": stamp.fingerprint(root), "message": "ok: 1 phase(s), 2 task(s), 1 snapshot(s)"}
    folder = root / ".cache/phasedocs"
    folder.mkdir(parents=True)
    for here in ("0:0", None):  # a guess, and none at all
        (folder / "validated.json").write_text(json.dumps({**forged, "here": here}))
        result = runner.invoke(main, ["validate", "--project", str(root)])
        assert result.exit_code == 1 and "unknown metric 'nope'" in result.output
    # the same stamp written in this very folder is trusted: that is what makes a repeat cheap
    (folder / "validated.json").write_text(json.dumps({**forged, "here": stamp._here(root)}))
    assert runner.invoke(main, ["validate", "--project", str(root)]).output == forged["message"] + "\n"
