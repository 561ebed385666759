"""Attacks on paths: nothing phasedocs reads or writes may lie outside its root.

Each test is an attack a hostile contributor can commit (a manifest entry, a symlink,
an --out inside the inputs); each was seen failing on the code before the path rule.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import minimal, tree
from phasedocs.cli import main
from phasedocs.output.writer import MANIFEST, sha256
from support import project_yaml


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
    assert result.output == (
        f"Error: refusing templates folder {root / 'templates'}: it leads outside the project {root} (to {outside}); "
        "remove the symlink\n"
    )


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


# --- inputs named on the command line, report globs and temp files (issue #25) ---------


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A decoy home folder outside the project that no command may read, change or name."""
    folder = tmp_path / "home"
    (folder / ".ssh").mkdir(parents=True)
    (folder / ".ssh/id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nhunter2\n")
    (folder / "metrics.json").write_text('{"warnings": 77, "version": "hunter2"}\n')
    return folder


def _record_from(runner, root: Path, source: Path):
    return runner.invoke(
        main, ["record", "1", "--project", str(root), "--from-json", str(source), "--at", "2025-01-07T09:00:00Z"]
    )


def test_record_from_json_refuses_a_symlink_out_of_the_project(project, runner, home):
    root = project(minimal())
    (root / "reports").mkdir()
    (root / "reports/m.json").symlink_to(home / "metrics.json")
    before = tree(home)
    result = _record_from(runner, root, root / "reports/m.json")
    assert (result.exit_code, result.output) == (
        1,
        f"Error: refusing --from-json {root / 'reports/m.json'}: it leads outside the project {root} "
        f"(to {home / 'metrics.json'}); replace the symlink with the file itself\n",
    )
    assert not (root / "phases/phase-01/metrics").exists()
    assert tree(home) == before


@pytest.mark.parametrize("how", ["link", "path"])
def test_record_from_json_never_reads_the_repository(project, runner, how, tmp_path):
    root = project(minimal())
    (root / ".git").mkdir()
    (root / ".git/m.json").write_text('{"warnings": 3, "version": "hunter2"}\n')
    source = root / ".git/m.json"
    if how == "link":  # a file named outside the project that leads back into its .git
        source = tmp_path / "m.json"
        source.symlink_to(root / ".git/m.json")
    result = _record_from(runner, root, source)
    assert (result.exit_code, result.output) == (
        1,
        f"Error: refusing --from-json {source}: it leads into the project's .git/ (to {root / '.git/m.json'}), "
        "which holds its history and credentials; replace the symlink with the file itself\n",
    )
    assert not (root / "phases/phase-01/metrics").exists()


def test_record_from_json_outside_the_project_named_by_the_user_is_read(project, runner, home):
    root = project(minimal())
    result = _record_from(runner, root, home / "metrics.json")
    assert result.exit_code == 0, result.output


MEASURED = project_yaml(
    extra_metrics={"reports": {"label": "Reports", "unit": "count", "extract": {"count": "reports/*/*"}}}
)


def test_measure_globs_never_follow_a_folder_symlinked_out_of_the_project(project, runner, home):
    root = project(minimal(**{"phases/project.yaml": MEASURED, "reports/ci/a.xml": "<x/>\n"}))
    (root / "reports/keys").symlink_to(home / ".ssh")
    result = runner.invoke(main, ["measure", "1", "--project", str(root), "--at", "2025-01-07T09:00:00Z"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: nothing recorded:\n"
        f"  reports: reports/keys: a symlink that leads outside the project (to {home / '.ssh'}); replace it with a folder\n",
    )
    assert "id_rsa" not in result.output
    assert not (root / "phases/phase-01/metrics").exists()


def test_measure_globs_never_enter_the_repository(project, runner):
    root = project(minimal(**{"phases/project.yaml": MEASURED, ".git/config": "[http]\n"}))
    (root / "reports").mkdir()
    (root / "reports/git").symlink_to(root / ".git")
    result = runner.invoke(main, ["measure", "1", "--project", str(root), "--at", "2025-01-07T09:00:00Z"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: nothing recorded:\n"
        f"  reports: reports/git: it leads into the project's .git/ (to {root / '.git'}), which holds its history "
        "and credentials; inputs never come from there\n",
    )


def test_generate_removes_only_the_temp_files_it_made(project, runner):
    """A user's file whose name looks like a temp file of ours is the user's."""
    root = project(minimal())
    assert _generate(runner, root).exit_code == 0
    mine = [root / "docs/.index.md.ab12cd34.tmp", root / "docs/phase-01/.notes.md.x_9k2m1q.tmp"]
    for path in mine:
        path.write_text("draft of a chapter\n")
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/a.json").write_text('{"timestamp": "2025-01-07T09:00:00Z"}')
    assert _generate(runner, root).exit_code == 0
    assert [p.read_text() for p in mine] == ["draft of a chapter\n"] * 2


@pytest.mark.parametrize("which", ["phases/phase-01/metrics/a.json", "site_config/site.yaml"])
def test_an_input_symlinked_into_the_repository_is_refused(project, runner, which):
    root = project(minimal(**{".git/x": '{"timestamp": "2025-01-06T09:00:00Z"}'}))
    (root / which).parent.mkdir(parents=True, exist_ok=True)
    (root / which).symlink_to(root / ".git/x")
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert result.exit_code == 1
    assert (
        f"{which}: it leads into the project's .git/ (to {root / '.git/x'}), which holds its history and "
        "credentials; inputs never come from there"
    ) in result.output


@pytest.mark.packaging
def test_a_cache_folder_symlinked_into_the_inputs_is_neither_pruned_nor_written(project, runner, tmp_path):
    """The page cache prunes what a build did not use: behind a symlink, that would be snapshots."""
    root = project(minimal(**{"phases/phase-01/metrics/a.json": '{"timestamp": "2025-01-07T09:00:00Z"}'}))
    metrics = root / "phases/phase-01/metrics"
    (root / ".cache/phasedocs").mkdir(parents=True)
    (root / ".cache/phasedocs/pages").symlink_to(metrics)
    before = tree(metrics)
    result = runner.invoke(main, ["build", "--project", str(root), "--site-dir", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert tree(metrics) == before
    # and the validation stamp is not written into the inputs either
    shutil.rmtree(root / ".cache")
    (root / ".cache").mkdir()
    (root / ".cache/phasedocs").symlink_to(metrics)
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 0
    assert tree(metrics) == before


def test_a_templates_folder_symlinked_into_the_repository_is_refused(project, runner):
    root = project(minimal(**{".git/README.md.j2": "{{ 'from .git' }}\n"}))
    (root / "templates").symlink_to(root / ".git")
    result = _generate(runner, root)
    assert (result.exit_code, result.output) == (
        1,
        f"Error: refusing templates folder {root / 'templates'}: it leads into the project's .git/ "
        f"(to {root / '.git'}), which holds its history and credentials; remove the symlink\n",
    )
    assert not (root / "docs").exists()
