"""Safe regeneration: no-change runs, hand edits, foreign files, removals, atomic writes."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from conftest import PHASE_YAML, minimal, stat_tree, tree
from phasedocs.cli import main
from phasedocs.errors import Abort
from phasedocs.output.writer import MANIFEST, Manifest, atomic_write, write_tree
from phasedocs.pipeline import generate
from support import CHANGES, LIVE, edit, numbered, phase_yaml

TWO_PHASES = minimal(
    **{
        "phases/phase-02/phase.yaml": phase_yaml(numbered(2), number=2),
        "phases/phase-01/metrics/a.json": '{"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "metrics": {"warnings": 12}}',
        "phases/phase-02/metrics/a.json": '{"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "metrics": {"warnings": 30}}',
    }
)


@pytest.fixture
def two(generated):
    """The two-phase project as generate left it: (root, docs/)."""
    root = generated(TWO_PHASES)
    return root, root / "docs"


def test_a_no_change_run_renders_draws_and_writes_nothing(two):
    root, out = two
    before = stat_tree(out)
    result, report = generate(root, out)
    assert (result.rendered, result.charts_drawn, result.files, report.written) == ([], 0, {}, [])
    assert stat_tree(out) == before  # same bytes, same mtimes, manifest included


def test_a_snapshot_of_phase_1_changes_phase_1_and_the_project_pages_only(two):
    root, out = two
    before = tree(out)
    (root / "phases/phase-01/metrics/b.json").write_text(
        '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 5}, "tasks": {"1.1": "complete"}}'
    )
    result, report = generate(root, out)
    # a group is rendered again when its facts changed: phase 2's did not (the facts of a phase
    # read the whole project, yet nothing phase 1 recorded touches them), so it is neither
    # rendered nor drawn, and its bytes are not rewritten
    assert (result.rendered, result.charts_drawn) == (["phase-01", "project"], 5)
    after = tree(out)
    changed = sorted(k for k in after if before.get(k) != after[k] and k != MANIFEST)
    assert changed == [
        "charts/roadmap.svg",
        "feed.xml",
        "index.md",
        "phase-01/AGENT-BRIEFING.md",
        "phase-01/COMPLETION-REPORT.md",
        "phase-01/COORDINATION-DASHBOARD.md",
        "phase-01/COORDINATION-SUMMARY.md",
        "phase-01/COORDINATOR-HANDOFF.md",
        "phase-01/README.md",
        "phase-01/badge.json",
        "phase-01/charts/burnup.svg",
        "phase-01/charts/criteria.svg",
        "phase-01/charts/gantt.svg",
        "phase-01/charts/metrics.svg",
        "phase-01/final-metrics.json",
        "phase-01/task-1.1-alpha.md",
        "phase-01/task-1.2-beta.md",
        "roadmap.md",
        "status.json",
    ]
    assert not any(k.startswith("phase-02/") for k in changed)
    assert sorted(report.written) == changed


@pytest.mark.scale
@pytest.mark.parametrize("change", CHANGES)
def test_an_incremental_run_writes_what_a_fresh_run_writes(project, change):
    root = project(LIVE)
    generate(root, root / "docs")
    CHANGES[change](root)
    generate(root, root / "docs")
    twin = root.parent / "twin"  # the same inputs, never generated before
    shutil.copytree(root, twin, ignore=shutil.ignore_patterns("docs", ".cache"))
    generate(twin, twin / "docs")
    assert tree(root / "docs") == tree(twin / "docs")  # the manifest and its digests too


def test_a_hand_edit_is_refused_and_kept_then_force_replaces_it(two, runner):
    root, out = two
    dashboard = out / "phase-01/COORDINATION-DASHBOARD.md"
    dashboard.write_text("my notes\n")
    (root / "phases/phase-01/metrics/b.json").write_text(
        '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 5}}'
    )
    before = stat_tree(out)
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"])
    assert result.exit_code == 1
    assert result.output == (
        f"Error: {dashboard}: edited by hand since phasedocs wrote it\n"
        "1 file would be overwritten; nothing was written. To keep an edit, move it to a file of your own "
        "(or override the template in templates/); to discard it, run again with --force.\n"
    )
    assert stat_tree(out) == before
    forced = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "--force", "-q"])
    assert (forced.exit_code, forced.output) == (0, "")
    assert dashboard.read_text().startswith("# Phase 1: Coordination Dashboard")


def test_a_hand_edited_unchanged_phase_is_also_protected(two, runner):
    root, out = two
    readme = out / "phase-02/README.md"
    readme.write_text("edited\n")
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"])
    # phase 2's inputs did not change, but its files on disk did: it is re-rendered and the edit found
    assert result.exit_code == 1
    assert f"{readme}: edited by hand since phasedocs wrote it" in result.output
    assert readme.read_text() == "edited\n"


def test_files_the_generator_did_not_create_are_never_touched(two):
    root, out = two
    notes = out / "phase-01/notes.md"
    notes.write_text("hand-written\n")
    os.utime(notes, ns=(1, 1))
    (root / "phases/phase-01/metrics/b.json").write_text(
        '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 5}}'
    )
    generate(root, out)
    assert notes.read_text() == "hand-written\n" and notes.stat().st_mtime_ns == 1


def test_a_foreign_file_in_the_way_is_refused(project, runner):
    root = project(minimal())
    out = root / "docs"
    (out / "phase-01").mkdir(parents=True)
    (out / "phase-01/README.md").write_text("my own readme\n")
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {out / 'phase-01/README.md'}: exists and was not written by phasedocs\n")
    assert sorted(tree(out)) == ["phase-01/README.md"]


def test_force_never_overwrites_a_file_phasedocs_did_not_write(project, runner):
    root = project(minimal())
    out = root / "docs"
    out.mkdir()
    (out / "index.md").write_text("# Our own home page\n")
    for flags in ([], ["--force"]):
        result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q", *flags])
        assert (result.exit_code, result.output) == (
            1,
            f"Error: {out / 'index.md'}: exists and was not written by phasedocs\n"
            "1 file would be overwritten; nothing was written. phasedocs never overwrites a file it did not "
            f"write, even with --force: move it out of {out}, or write elsewhere with --out DIR.\n",
        )
        assert tree(out) == {"index.md": b"# Our own home page\n"}


def test_force_replaces_an_edited_file_but_never_a_foreign_one_beside_it(two, runner):
    root, out = two
    dashboard = out / "phase-01/COORDINATION-DASHBOARD.md"
    dashboard.write_text("my notes\n")
    mine = out / "phase-01/README.md"
    manifest = json.loads((out / MANIFEST).read_text())
    del manifest["files"]["phase-01/README.md"]  # as if phasedocs had never written it
    (out / MANIFEST).write_text(json.dumps(manifest))
    mine.write_text("my readme\n")
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "--force", "-q"])
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: {mine}: exists and was not written by phasedocs\n")
    assert (dashboard.read_text(), mine.read_text()) == ("my notes\n", "my readme\n")  # nothing written


def test_removed_task_and_phase_files_are_removed_unless_edited(two):
    root, out = two
    phase2 = out / "phase-02/COMPLETION-REPORT.md"
    phase2.write_text("kept: I edited this\n")
    (root / "phases/phase-02/phase.yaml").unlink()
    (root / "phases/phase-02/metrics/a.json").unlink()
    (root / "phases/phase-02/metrics").rmdir()
    (root / "phases/phase-02").rmdir()
    (root / "phases/phase-01/phase.yaml").write_text(PHASE_YAML.split('  - id: "1.2"')[0])
    _, report = generate(root, out)
    assert "phase-01/task-1.2-beta.md" in report.removed
    assert "phase-02/README.md" in report.removed and "phase-02/charts/gantt.svg" in report.removed
    assert report.kept_edited == ["phase-02/COMPLETION-REPORT.md"]
    assert sorted(p.relative_to(out).as_posix() for p in (out / "phase-02").rglob("*")) == [
        "phase-02/COMPLETION-REPORT.md"
    ]
    assert "phase-02/COMPLETION-REPORT.md" not in Manifest.read(out).files  # no longer ours


def test_a_broken_snapshot_leaves_every_output_byte_and_mtime(two, runner):
    root, out = two
    before = stat_tree(out)
    (root / "phases/phase-01/metrics/b.json").write_text(
        '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": '
    )
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output.startswith("phases/phase-01/metrics/b.json:1:")
    assert stat_tree(out) == before


def test_a_cycle_leaves_the_output_as_it_was(two, runner):
    root, out = two
    before = stat_tree(out)
    (root / "phases/phase-02/phase.yaml").write_text(
        edit(
            (root / "phases/phase-02/phase.yaml").read_text(),
            "    files: [src/a.py]",
            '    depends_on: ["2.2"]\n    files: [src/a.py]',
        )
    )
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(out)]).exit_code == 1
    assert stat_tree(out) == before


def test_atomic_write_leaves_the_old_file_when_the_write_fails(tmp_path, monkeypatch):
    target = tmp_path / "f.md"
    target.write_text("old\n")

    def boom(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(OSError):
        atomic_write(target, b"new\n")
    assert target.read_text() == "old\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["f.md"]  # no temp file left


@pytest.mark.parametrize("bad", ["../x.md", "/etc/x", "a/../../x", "a\\b"])
def test_paths_outside_the_output_are_refused(tmp_path, bad):
    with pytest.raises(Abort) as info:
        write_tree(tmp_path / "out", {bad: b"x"})
    assert str(info.value) == f"refusing to write outside the output folder: {bad!r}"
    assert not (tmp_path / "out").exists()


def test_the_manifest_is_stable_json(two):
    _, out = two
    data = json.loads((out / MANIFEST).read_text())
    assert data["version"] == 1
    assert sorted(data["groups"]) == ["phase-01", "phase-02", "project"]
    # each group keeps a 16-hex-digit digest of its inputs and the files it made
    assert {k: (len(v["digest"]), len(v["files"]) > 0) for k, v in data["groups"].items()} == {
        "phase-01": (16, True),
        "phase-02": (16, True),
        "project": (16, True),
    }
    assert (
        data["files"]["phase-01/README.md"]
        == __import__("hashlib").sha256((out / "phase-01/README.md").read_bytes()).hexdigest()
    )


def test_generate_prints_a_summary_and_progress_lines_off_a_terminal(project, runner):
    root = project(minimal())
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "docs")])
    assert result.exit_code == 0
    assert result.output == (
        "phase-01 rendered\nindex and roadmap\ndrawing 3 charts\ndrew 3 charts\n"
        f"17 written, 0 unchanged, 0 removed in {root / 'docs'}\n"
    )
    again = runner.invoke(main, ["generate", "--project", str(root), "--out", str(root / "docs")])
    assert again.output == f"0 written, 17 unchanged, 0 removed in {root / 'docs'}\n"


def test_a_no_change_run_does_not_even_import_matplotlib(two):
    import subprocess
    import sys

    from conftest import REPO

    root, out = two
    code = (
        "import sys\nfrom phasedocs.pipeline import generate\nfrom pathlib import Path\n"
        f"plan, report = generate(Path({str(root)!r}), Path({str(out)!r}))\n"
        "print(plan.rendered, plan.charts_drawn, report.written, 'matplotlib' in sys.modules)\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert result.stdout == "[] 0 [] False\n", result.stderr


def test_a_user_file_is_replaced_only_when_it_is_an_older_copy_of_the_same_document(tmp_path):
    from phasedocs.errors import Abort
    from phasedocs.output.writer import write_user_file

    path = tmp_path / "handoff.md"
    write_user_file(path, "# Phase 7: Coordinator Handoff\nfirst\n")
    write_user_file(path, "# Phase 7: Coordinator Handoff\nsecond\n")  # the same heading: an older handoff
    assert path.read_text() == "# Phase 7: Coordinator Handoff\nsecond\n"
    write_user_file(path, "# Phase 7: Coordinator Handoff\nsecond\n")  # identical: nothing to refuse
    for foreign in ("# Phase 8: Coordinator Handoff\nother\n", "notes on one line"):
        path.write_text(foreign)
        with pytest.raises(Abort, match="exists and is not a handoff of this phase"):
            write_user_file(path, "# Phase 7: Coordinator Handoff\nthird\n")
        assert path.read_text() == foreign
    write_user_file(path, "# Phase 7: Coordinator Handoff\nthird\n", force=True)
    assert path.read_bytes() == b"# Phase 7: Coordinator Handoff\nthird\n"


def test_a_clean_validation_is_stamped_and_read_back_until_an_input_changes(project):
    import json

    from phasedocs.output.caches import STAMP, cached_result, remember

    root = project(minimal())
    assert cached_result(root) is None
    remember(root, "ok: 1 phase")
    remember(root, "ok: 1 phase")  # again, over its own stamp
    assert cached_result(root) == "ok: 1 phase"
    assert set(json.loads((root / STAMP).read_text(encoding="utf-8"))) == {"fingerprint", "here", "message"}
    (root / "phases/phase-01/phase.yaml").write_text(phase_yaml(title="Changed"))
    assert cached_result(root) is None


def test_a_validation_stamp_is_replaced_and_a_malformed_one_ignored(project):
    from phasedocs.output.caches import STAMP, cached_result, remember

    root = project(minimal())
    remember(root, "first")
    remember(root, "second")  # the cache folder exists by now
    assert cached_result(root) == "second"
    stamp = root / STAMP
    data = json.loads(stamp.read_text())
    stamp.write_text(json.dumps({**data, "message": 5}))
    assert cached_result(root) is None
    stamp.write_text(json.dumps([data]))
    assert cached_result(root) is None


def test_create_new_leaves_a_readable_file_and_no_temp_file(tmp_path):
    from phasedocs.output import writer

    target = tmp_path / "d" / "plan.json"
    writer.create_new(target, b"{}")
    assert (target.read_bytes(), target.stat().st_mode & 0o777) == (b"{}", 0o644)
    assert sorted(p.name for p in target.parent.iterdir()) == ["plan.json"]
    # taken: refused, the file as it was, and the temp file of the attempt gone too
    with pytest.raises(FileExistsError):
        writer.create_new(target, b"[]")
    assert sorted(p.name for p in target.parent.iterdir()) == ["plan.json"] and target.read_bytes() == b"{}"


def test_a_pending_hash_counts_as_ours():
    from phasedocs.output.writer import Manifest

    m = Manifest({"a.md": "1" * 64}, {}, {"b.md": ["2" * 64]})
    assert (m.owns("a.md", "1" * 64), m.owns("b.md", "2" * 64), m.owns("b.md", "1" * 64)) == (True, True, False)


def test_pruning_stops_at_the_output_folder(tmp_path):
    from phasedocs.output.writer import _prune_empty

    out = tmp_path / "docs"
    (out / "a" / "b").mkdir(parents=True)
    _prune_empty(out, out / "a" / "b")
    assert (out.is_dir(), list(out.iterdir())) == (True, [])


def test_the_manifest_is_indented_json_in_its_own_order():
    text = Manifest({"b.md": "1" * 64, "a.md": "2" * 64}).dumps().decode()
    assert text.startswith('{\n "version": ') and text.endswith("}\n")
    data = json.loads(text)
    assert (list(data), list(data["files"])) == (["version", "files", "groups"], ["a.md", "b.md"])


def test_a_rewritten_file_keeps_its_mode(tmp_path):
    path = tmp_path / "f.md"
    atomic_write(path, b"one")
    assert path.stat().st_mode & 0o777 == 0o644
    path.chmod(0o600)
    atomic_write(path, b"two")
    assert (path.read_bytes(), path.stat().st_mode & 0o777) == (b"two", 0o600)


def test_code_fingerprint_follows_every_module_of_the_package(tmp_path, monkeypatch):
    from phasedocs.output import caches

    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "a.py").write_text("x = 1\n")
    monkeypatch.setattr(caches, "_CODE", tmp_path)
    before = caches.code_fingerprint()
    (tmp_path / "sub" / "a.py").write_text("x = 22\n")
    assert caches.code_fingerprint() != before


def test_temp_files_are_hidden_and_named_for_the_sweep(tmp_path):
    from phasedocs.output import writer

    tmp = Path(writer._temp_copy(tmp_path / "page.md", b"x", 0o644, durable=False))
    try:
        assert tmp.parent == tmp_path and tmp.name.startswith(".page.md.") and tmp.name.endswith(".tmp")
    finally:
        writer._discard(str(tmp))


def test_an_input_linked_out_of_the_project_gets_no_validation_stamp(project, tmp_path):
    from phasedocs.output.caches import fingerprint

    root = project(minimal())
    assert fingerprint(root) is not None
    outside = tmp_path / "elsewhere.json"
    outside.write_text("{}")
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/a.json").symlink_to(outside)
    assert fingerprint(root) is None
    (root / "phases/phase-01/metrics/a.json").unlink()
    (root / "phases/phase-01/metrics/a.json").symlink_to(root / "phases/phase-01/phase.yaml")
    assert fingerprint(root) is not None  # a link that stays inside is read like a file


def test_a_manifest_read_back_keeps_only_safe_pending_entries(tmp_path):
    digest = "3" * 64
    data = {"version": json.loads(Manifest().dumps())["version"], "files": {}, "groups": {}}
    data["pending"] = {"a.md": [digest, "not-a-hash"], "../escape.md": [digest], "b.md": "not-a-list"}
    (tmp_path / MANIFEST).write_text(json.dumps(data))
    assert Manifest.read(tmp_path).pending == {"a.md": [digest]}


def test_the_terminate_handler_is_set_from_the_main_thread_and_skipped_from_others(tmp_path):
    import signal
    import threading

    from phasedocs.output import writer

    before = signal.getsignal(signal.SIGTERM)
    errors: list[BaseException] = []

    def other() -> None:
        try:
            writer.exit_on_terminate()  # a CLI run inside a worker thread (an editor's plugin)
        except BaseException as e:  # the thread's error is the test's finding
            errors.append(e)

    thread = threading.Thread(target=other)
    thread.start()
    thread.join()
    assert (errors, signal.getsignal(signal.SIGTERM)) == ([], before)
    try:
        writer.exit_on_terminate()
        handler = signal.getsignal(signal.SIGTERM)
        assert callable(handler) and handler is not before
        # the status of an unhandled SIGTERM; that the run's temp files go with it is
        # tests/security/test_sec_writes.py::test_a_terminated_run_leaves_no_temp_file
        with pytest.raises(SystemExit) as exit_info:
            handler(signal.SIGTERM, None)
        assert exit_info.value.code == 143
    finally:
        signal.signal(signal.SIGTERM, before)


def test_a_write_reports_each_file_by_what_happened_to_it(tmp_path):
    from phasedocs.output.writer import write_tree

    out = tmp_path / "out"
    first = write_tree(out, {"a.md": b"a", "b/c.md": b"c", "gone.md": b"g"})
    assert (first.written, first.unchanged, first.removed) == (["a.md", "b/c.md", "gone.md"], [], [])
    again = write_tree(out, {"a.md": b"A", "b/c.md": b"c"})
    assert (again.written, again.unchanged, again.removed, again.kept_edited) == (["a.md"], ["b/c.md"], ["gone.md"], [])


def test_documents_and_created_files_reach_the_disk_cache_entries_need_not(tmp_path, monkeypatch):
    """A disk that cannot sync (a failing or full device reports it there) fails a document
    and a created file, which keep their old state and leave no temp file; a cache entry is
    not synced, so the same disk does not stop it."""
    import errno

    from phasedocs.output import writer

    doc = tmp_path / "doc.md"
    doc.write_bytes(b"old")

    def lost(fd: int) -> None:
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(os, "fsync", lost)
    with pytest.raises(OSError) as failed:
        writer.atomic_write(doc, b"new")
    assert (failed.value.errno, failed.value.filename, doc.read_bytes()) == (errno.EIO, str(doc), b"old")
    with pytest.raises(OSError):
        writer.create_new(tmp_path / "plan.json", b"{}")
    writer.atomic_write(tmp_path / "cache.json", b"c", durable=False)
    assert tree(tmp_path) == {"cache.json": b"c", "doc.md": b"old"}


_OPENED: list[str] | None = None  # the paths opened while a test listens (audit hooks cannot be removed)


def _on_open(event: str, args: tuple) -> None:
    if event == "open" and _OPENED is not None and isinstance(args[0], (str, bytes, os.PathLike)):
        _OPENED.append(os.path.realpath(os.fsdecode(args[0])))


def test_a_generate_run_reads_each_input_once(project, runner):
    global _OPENED
    import sys
    from collections import Counter

    from phasedocs.resources import builtin_templates

    # every kind of input: project.yaml, phase.yaml, snapshots, a frozen plan, site.yaml,
    # mkdocs.yml (site.yaml's settings are checked against it), a template of the project's own
    root = project(
        {
            **LIVE,
            "site_config/site.yaml": "site_url: https://acme.example/plans/\n",
            "mkdocs.yml": "site_name: Plans\n",
            "templates/task.md.j2": "# {{ t.id | md }}\n",
        }
    )
    assert runner.invoke(main, ["freeze", "1", "--project", str(root)]).exit_code == 0
    sys.addaudithook(_on_open)
    _OPENED = []
    try:
        generate(root, root / "docs")
        opened = Counter(_OPENED)
    finally:
        _OPENED = None
    inputs = [
        p
        for p in sorted(root.rglob("*"))
        if p.is_file() and p.parts[len(root.parts)] in ("phases", "site_config", "templates", "mkdocs.yml")
    ]
    assert (root / "phases/phase-01/plan.json") in inputs and len(inputs) == 9
    shipped = [p for p in sorted(builtin_templates().rglob("*.j2")) if p.name != "task.md.j2"]
    reads = {str(p): opened[os.path.realpath(p)] for p in [*inputs, *shipped]}
    assert reads == {str(p): 1 for p in [*inputs, *shipped]}


def test_the_shipped_templates_render_a_phase_from_its_own_facts(project):
    """Why a phase's digest may be its own facts' (pipeline.output_groups): its pages read no other phase."""
    from dataclasses import replace

    from phasedocs.charts import specs as charts
    from phasedocs.facts import compute
    from phasedocs.input.project import load_project
    from phasedocs.render.renderer import Renderer

    facts = compute(load_project(project(LIVE)))
    env = Renderer()
    for p in facts.phases:
        alone = replace(facts, phases=(p,))
        specs = charts.phase_specs(p, facts)
        assert env.phase_files(alone, p, charts.phase_specs(p, alone)) == env.phase_files(facts, p, specs)


def test_a_template_of_the_project_that_reads_every_phase_is_rendered_again_when_any_changes(project):
    root = project(
        {**LIVE, "templates/task.md.j2": "{% for q in facts.phases %}{{ q.snapshots | length }} {% endfor %}\n"}
    )
    out = root / "docs"
    result, _ = generate(root, out)
    assert (out / "phase-01/task-1.1-alpha.md").read_text() == "1 1\n"
    # a reading of phase 2 that changes none of phase 1's facts (no task moves, nothing goes stale)
    (root / "phases/phase-02/metrics/b.json").write_text(
        '{"timestamp": "2025-01-07T10:00:00Z", "metrics": {"warnings": 29}}'
    )
    result, _ = generate(root, out)
    assert "phase-01" in result.rendered  # the template reads phase 2: phase 1's pages depend on it
    assert (out / "phase-01/task-1.1-alpha.md").read_text() == "1 2\n"


def test_the_digest_of_a_phase_s_facts_is_the_same_in_every_process(project):
    """Facts hold no set or object whose repr changes with the process (hash seeds): a group
    rendered by one run is found again by the next."""
    import subprocess
    import sys

    root = project(LIVE)
    script = (
        "import sys; from pathlib import Path; from phasedocs.facts import compute; "
        "from phasedocs.input.project import load_project; from phasedocs.pipeline import facts_digest; "
        "print(*[facts_digest(p) for p in compute(load_project(Path(sys.argv[1]))).phases])"
    )
    digests = {
        subprocess.run(
            [sys.executable, "-c", script, str(root)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "2", "3")
    }
    assert len(digests) == 1 and len(next(iter(digests)).split()) == 2
