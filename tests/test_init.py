"""phasedocs init: a project that validates and builds, created without overwriting anything."""

from __future__ import annotations

import shlex
from pathlib import Path

import pytest
import yaml

from conftest import REPO, tree
from phasedocs.cli import main
from support import edit


@pytest.mark.packaging
def test_init_creates_a_project_that_validates_and_builds(tmp_path, runner):
    root = tmp_path / "new"
    result = runner.invoke(main, ["init", str(root), "--start", "2025-01-06"])
    assert result.exit_code == 0, result.output
    assert sorted(tree(root)) == [
        ".github/workflows/phasedocs.yml",
        ".gitignore",
        "mkdocs.yml",
        "phases/phase-01/metrics/2025-01-06T09-00-00Z-baseline.json",  # --start in the past: created then
        "phases/phase-01/phase.yaml",
        "phases/project.yaml",
        "schemas/evidence.schema.json",
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


HANDBOOK_YML = """\
site_name: Acme Handbook
# our theme
theme:
  name: material
nav:
  - Home: index.md
  - Guide: guide.md
plugins:
  - search
markdown_extensions:
  - toc:
      permalink: true
"""


def handbook(root):
    """A repository with a site of its own: mkdocs.yml with a nav, docs/, a workflow that publishes."""
    (root / "docs").mkdir(parents=True)
    (root / "docs/index.md").write_text("# Acme\n")
    (root / "docs/guide.md").write_text("# Guide\n")
    (root / "mkdocs.yml").write_text(HANDBOOK_YML)
    (root / ".github/workflows").mkdir(parents=True)
    (root / ".github/workflows/docs.yml").write_text(
        "on: push\njobs:\n  d:\n    steps:\n      - run: mkdocs gh-deploy --force\n"
    )
    return tree(root)


def test_init_beside_a_site_of_its_own_shows_the_change_and_writes_nothing(tmp_path, runner):
    before = handbook(tmp_path)
    result = runner.invoke(main, ["init", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert tree(tmp_path) == before
    assert result.output.startswith(f"{tmp_path} has a site of its own: phasedocs goes beside it, under phases/.\n")
    assert f"  would create {tmp_path / 'phases/project.yaml'}\n" in result.output
    assert (
        "would change mkdocs.yml:\n--- mkdocs.yml\n+++ mkdocs.yml (with phasedocs)\n@@ -5,8 +5,23 @@\n"
        " nav:\n   - Home: index.md\n   - Guide: guide.md\n+  - Phases: phases/index.md\n plugins:\n   - search\n"
        "+  - phasedocs:\n+      prefix: phases\n markdown_extensions:\n"
    ) in result.output
    assert "note: .github/workflows/docs.yml publishes your site already" in result.output
    assert result.output.endswith("nothing written: run `phasedocs init --yes` to apply\n")


@pytest.mark.packaging
def test_init_yes_adds_phasedocs_and_the_site_holds_both(tmp_path, runner):
    before = handbook(tmp_path)
    result = runner.invoke(main, ["init", str(tmp_path), "--yes"])
    assert result.exit_code == 0, result.output
    after = tree(tmp_path)
    # nothing of theirs changed but mkdocs.yml, which keeps every line it had, comments included
    assert {rel: data for rel, data in after.items() if rel in before and rel != "mkdocs.yml"} == {
        rel: data for rel, data in before.items() if rel != "mkdocs.yml"
    }
    text = after["mkdocs.yml"].decode()
    assert all(line in text.splitlines() for line in HANDBOOK_YML.splitlines())
    config = yaml.load(text, Loader=yaml.BaseLoader)
    assert config["plugins"] == ["search", {"phasedocs": {"prefix": "phases"}}]
    assert config["nav"][-1] == {"Phases": "phases/index.md"}
    assert "pymdownx.superfences" in str(config["markdown_extensions"])
    assert after[".gitignore"].decode().splitlines()[-3:] == ["site/", "docs/phases/", ".cache/"]
    workflow = after[".github/workflows/phasedocs.yml"].decode()
    assert "phasedocs check" in workflow and "deploy-pages" not in workflow and "upload-pages-artifact" not in workflow
    assert "changed " + str(tmp_path / "mkdocs.yml") in result.output
    # generate writes beside their pages, never over them
    assert runner.invoke(main, ["generate", "--project", str(tmp_path), "-q"]).exit_code == 0
    assert (tmp_path / "docs/phases/phase-01/COORDINATOR-HANDOFF.md").is_file()
    assert (tmp_path / "docs/index.md").read_text() == "# Acme\n"


@pytest.mark.packaging
def test_a_site_of_its_own_builds_with_its_pages_and_the_phases_side_by_side(tmp_path, runner):
    handbook(tmp_path)
    assert runner.invoke(main, ["init", str(tmp_path), "--yes"]).exit_code == 0
    result = runner.invoke(main, ["build", "--project", str(tmp_path), "--site-dir", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    site = tmp_path / "site"
    assert "Acme" in (site / "index.html").read_text()  # their home page, not ours
    assert (site / "guide/index.html").is_file()
    handoff = (site / "phases/phase-01/COORDINATOR-HANDOFF/index.html").read_text()
    assert "Coordinator Handoff" in handoff
    assert "Phase 1: Getting Started" in (site / "index.html").read_text()  # the nav's Phases section
    assert (site / "phases/feed.xml").is_file() and not (site / "feed.xml").exists()


def test_init_beside_a_docs_folder_without_mkdocs_yml(tmp_path, runner):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs/index.md").write_text("# Ours\n")
    result = runner.invoke(main, ["init", str(tmp_path), "--yes"])
    assert result.exit_code == 0, result.output
    config = yaml.load((tmp_path / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    assert config["docs_dir"] == "docs" and {"phasedocs": {"prefix": "phases"}} in config["plugins"]
    assert (tmp_path / "docs/index.md").read_text() == "# Ours\n"
    assert not (tmp_path / "site_config/pages").exists()
    workflow = (tmp_path / ".github/workflows/phasedocs.yml").read_text()
    assert "deploy-pages" in workflow  # nothing publishes their site yet: ours does


def test_init_says_created_for_every_file_it_writes_and_changed_only_for_a_site_of_its_own(tmp_path, runner):
    fresh = tmp_path / "fresh"
    result = runner.invoke(main, ["init", str(fresh), "--start", "2025-01-06"])
    assert result.exit_code == 0, result.output
    lines = [line for line in result.output.splitlines() if line.startswith(("created ", "changed "))]
    assert sorted(lines) == sorted(f"created {fresh / rel}" for rel in tree(fresh))  # mkdocs.yml too: it is new
    docs_only = tmp_path / "docs-only"
    (docs_only / "docs").mkdir(parents=True)
    result = runner.invoke(main, ["init", str(docs_only), "--yes"])
    assert f"created {docs_only / 'mkdocs.yml'}\n" in result.output and "changed " not in result.output


def test_the_phase_starts_the_next_working_morning_and_is_created_now(tmp_path):
    from datetime import UTC, datetime

    from phasedocs.commands.init import init

    cases = {
        datetime(2026, 12, 3, 10, 41, 7, tzinfo=UTC): "2026-12-04T09:00:00Z",  # Thursday morning: Friday
        datetime(2026, 12, 4, 18, 0, tzinfo=UTC): "2026-12-07T09:00:00Z",  # Friday evening: Monday
        datetime(2026, 12, 7, 8, 59, tzinfo=UTC): "2026-12-07T09:00:00Z",  # Monday before nine: that morning
    }
    for i, (now, start) in enumerate(cases.items()):
        root = tmp_path / str(i)
        init(root, now=now)
        stamp = now.strftime("%Y-%m-%dT%H:%M:%SZ")
        phase = (root / "phases/phase-01/phase.yaml").read_text()
        assert f"\ncreated: {stamp}\nstart: {start}\n" in phase
        baseline = root / f"phases/phase-01/metrics/{stamp.replace(':', '-')}-baseline.json"
        assert f'"timestamp": "{stamp}"' in baseline.read_text()


def test_init_start_sets_the_start_and_refuses_a_date_that_does_not_exist(tmp_path, runner):
    root = tmp_path / "p"
    assert runner.invoke(main, ["init", str(root), "--start", "2025-01-06"]).exit_code == 0
    # a start in the past: the phase was created then, so snapshots of its days are accepted
    assert (
        "\ncreated: 2025-01-06T09:00:00Z\nstart: 2025-01-06T09:00:00Z\n"
        in (root / "phases/phase-01/phase.yaml").read_text()
    )
    assert (root / "phases/phase-01/metrics/2025-01-06T09-00-00Z-baseline.json").is_file()
    result = runner.invoke(main, ["init", str(tmp_path / "q"), "--start", "2026-02-29"])
    assert result.exit_code == 1
    assert result.output == "Error: nothing created: --start 2026-02-29 is not a date (February 2026 has 28 days)\n"
    assert not (tmp_path / "q").exists()


def readme_flow() -> list[str]:
    """The commands of the README's "The first ten minutes" block, in order, comments dropped."""
    text = (REPO / "README.md").read_text()
    block = text.split("## The first ten minutes on your own project", 1)[1].split("```bash\n", 1)[1].split("```", 1)[0]
    return [line.split("  #", 1)[0].strip() for line in block.splitlines() if line.strip()]


def test_every_step_of_the_readme_flow_works_on_a_fresh_scaffold(tmp_path, runner, monkeypatch):
    """init, then each command as the README writes it, on the workdays calendar with hours and a holiday."""
    flow = readme_flow()
    assert flow[0] == "phasedocs init my-project && cd my-project"
    monkeypatch.chdir(tmp_path)
    assert runner.invoke(main, ["init", "my-project"]).exit_code == 0
    monkeypatch.chdir(tmp_path / "my-project")
    project_yaml = Path("phases/project.yaml")
    text = project_yaml.read_text()
    for commented in ("# holidays: [2025-12-25, 2025-12-26]", '# workday: {start: "09:00", hours: 8}'):
        assert commented in text
        text = edit(text, commented, commented[2:])
    project_yaml.write_text(text)
    ran = []
    for line in flow[1:]:
        words = shlex.split(line)
        assert words[0] == "phasedocs", line
        if words[1] in ("serve", "deploy"):  # a server that runs until stopped; a push to a remote
            continue
        result = runner.invoke(main, words[1:])
        assert result.exit_code == 0, (line, result.output)
        ran.append(words[1])
    assert ran == ["validate", "freeze", "record", "record", "measure", "check", "generate", "handoff", "schema"]
    assert Path("HANDOFF.md").is_file()
