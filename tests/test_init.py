"""phasedocs init: a project that validates and builds, created without overwriting anything."""

from __future__ import annotations

from conftest import tree
from phasedocs.cli import main


def test_init_creates_a_project_that_validates_and_builds(tmp_path, runner):
    root = tmp_path / "new"
    result = runner.invoke(main, ["init", str(root)])
    assert result.exit_code == 0, result.output
    assert sorted(tree(root)) == [
        ".github/workflows/phasedocs.yml",
        ".gitignore",
        "mkdocs.yml",
        "phases/phase-01/metrics/2025-01-06T09-00-00Z-baseline.json",
        "phases/phase-01/phase.yaml",
        "phases/project.yaml",
        "schemas/phase.schema.json",
        "schemas/plan.schema.json",
        "schemas/project.schema.json",
        "schemas/snapshot.schema.json",
        "site_config/pages/.gitkeep",
        "site_config/site.yaml",
    ]
    assert (
        runner.invoke(main, ["validate", "--project", str(root)]).output == "ok: 1 phase(s), 3 task(s), 1 snapshot(s)\n"
    )
    built = runner.invoke(main, ["build", "--project", str(root), "--strict"])
    assert built.exit_code == 0, built.output
    assert (root / "site/phase-01/COORDINATION-DASHBOARD/index.html").is_file()
    import yaml

    from phasedocs import __version__

    workflow = (root / ".github/workflows/phasedocs.yml").read_text()
    flow = yaml.safe_load(workflow)
    assert set(flow[True]) == {"push", "pull_request", "workflow_dispatch"}  # YAML 1.1 reads 'on' as true
    # pinned to the release that wrote it, with a documented way to install before a release
    assert flow["env"]["PHASEDOCS_SPEC"] == "${{ vars.PHASEDOCS_SPEC || 'phasedocs==__v__' }}".replace(
        "__v__", __version__
    )
    steps = {s.get("name", s.get("uses")): s for s in flow["jobs"]["check"]["steps"]}
    assert steps["Install phasedocs"]["run"] == 'pip install "$PHASEDOCS_SPEC"'
    assert "phasedocs measure ${{ vars.PHASEDOCS_PHASE }} --if-declared" in steps["Measure"]["run"]
    assert steps["Check"]["run"] == 'phasedocs check --summary "$GITHUB_STEP_SUMMARY"'
    assert steps["Fail when the check failed"]["if"] == "steps.gate.outcome == 'failure'"
    default_branch = "github.ref_name == github.event.repository.default_branch"
    assert default_branch in steps["actions/upload-pages-artifact@v3"]["if"]
    assert default_branch in flow["jobs"]["deploy"]["if"]
    assert flow["jobs"]["deploy"]["steps"] == [{"id": "deployment", "uses": "actions/deploy-pages@v4"}]
    assert "  - phasedocs\n" in (root / "mkdocs.yml").read_text()


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path, runner):
    root = tmp_path / "p"
    (root / "phases").mkdir(parents=True)
    (root / "phases/project.yaml").write_text("mine\n")
    (root / "mkdocs.yml").write_text("mine\n")
    result = runner.invoke(main, ["init", str(root)])
    assert result.exit_code == 1
    assert result.output == (
        "Error: nothing created: these files exist and init never overwrites:\n"
        f"  {root / 'phases/project.yaml'}\n  {root / 'mkdocs.yml'}\n"
        "Choose an empty folder: phasedocs init DIR\n"
    )
    assert tree(root) == {"phases/project.yaml": b"mine\n", "mkdocs.yml": b"mine\n"}


def test_init_keeps_an_existing_gitignore(tmp_path, runner):
    (tmp_path / ".gitignore").write_text("*.pyc\n")
    result = runner.invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 0
    assert f"kept your {tmp_path / '.gitignore'}: add the lines 'site/', 'docs/' and '.cache/' to it\n" in result.output
    assert (tmp_path / ".gitignore").read_text() == "*.pyc\n"
