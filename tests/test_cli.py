"""The CLI is a thin layer: options reach the functions; usage errors exit 2."""

from __future__ import annotations

import json

from conftest import minimal
from phasedocs import __version__
from phasedocs.cli import main
from phasedocs.commands.schema import field_docs
from phasedocs.input.records import Model


def test_version(runner):
    result = runner.invoke(main, ["--version"])
    assert (result.exit_code, result.output) == (0, f"phasedocs, version {__version__}\n")


def test_usage_error_exits_2(runner):
    result = runner.invoke(main, ["generate", "--bogus"])
    assert result.exit_code == 2
    # click's own words (quoted since click 8.1.4): the option and the suggestion are what matter
    assert result.output.endswith(
        (
            "Error: No such option '--bogus'. Did you mean '--out'?\n",
            "Error: No such option: --bogus Did you mean --out?\n",
        )
    )


def test_check_json_names_format_json(runner, project):
    result = runner.invoke(main, ["check", "--project", str(project(minimal())), "--json"])
    assert result.exit_code == 2
    assert result.stderr.endswith("\nError: No such option '--json'. Did you mean '--format json'?\n")
    other = runner.invoke(main, ["check", "--project", str(project(minimal())), "--jsn"])
    assert other.stderr.endswith("\nError: No such option '--jsn'.\n")  # any other stays click's


def test_record_kind_is_checked_by_click(runner, project):
    result = runner.invoke(main, ["record", "1", "--project", str(project(minimal())), "--kind", "weekly"])
    assert result.exit_code == 2
    assert "'weekly' is not one of 'baseline', 'progress', 'final'" in result.output


def test_schema_writes_five_schemas_with_descriptions(runner, tmp_path):
    out = tmp_path / "schemas"
    result = runner.invoke(main, ["schema", "--output", str(out)])
    assert result.exit_code == 0
    assert sorted(p.name for p in out.iterdir() if not p.name.startswith(".")) == [
        "evidence.schema.json",
        "phase.schema.json",
        "plan.schema.json",
        "project.schema.json",
        "snapshot.schema.json",
    ]
    phase = json.loads((out / "phase.schema.json").read_text())
    assert (
        phase["$defs"]["Task"]["properties"]["duration_days"]["description"]
        == "Planned duration in days (on the project calendar); more than 0. Give this or duration."
    )
    assert phase["$defs"]["Task"]["properties"]["duration_days"]["exclusiveMinimum"] == 0


def test_every_model_field_has_a_docstring():
    from phasedocs.input import models, plan, site_config

    docs = field_docs(models, site_config, plan)
    found = [
        obj
        for module in (models, site_config, plan)
        for obj in vars(module).values()
        if isinstance(obj, type) and issubclass(obj, Model) and obj.__module__ == module.__name__
    ]
    assert (
        len(found) == 28
    )  # every model class (with Group, PlannedCriterion, Agent, Price), so a new one cannot slip past
    for model in found:
        missing = set(model.__fields__) - set(docs[model.__name__])
        assert not missing, (model.__name__, missing)


def test_every_command_finds_the_project_from_a_subfolder_as_git_does(runner, project, monkeypatch):
    root = project(minimal())
    deep = root / "svc/api"
    deep.mkdir(parents=True)
    monkeypatch.chdir(deep)
    result = runner.invoke(main, ["validate", "--no-cache"])
    assert (result.exit_code, result.stdout) == (0, "ok: 1 phase(s), 2 task(s), 0 snapshot(s)\n")
    assert result.stderr == f"phasedocs: project {root} (found above the current folder)\n"
    handoff = runner.invoke(main, ["handoff", "1"])
    assert handoff.exit_code == 0 and handoff.stdout.startswith("# Phase 1: Coordinator Handoff")
    assert runner.invoke(main, ["generate", "-q"]).exit_code == 0
    assert (root / "docs/phase-01/README.md").is_file() and not (deep / "docs").exists()
    monkeypatch.chdir(root)  # in the project itself nothing needs saying
    result = runner.invoke(main, ["validate", "--no-cache"])
    assert (result.exit_code, result.stderr) == (0, "")


def test_the_search_for_a_project_stops_at_a_git_top_level(runner, project, monkeypatch):
    root = project(minimal())
    repo = root / "vendor/other"
    (repo / ".git").mkdir(parents=True)
    (repo / "src").mkdir()
    monkeypatch.chdir(repo / "src")
    result = runner.invoke(main, ["validate", "--no-cache"])
    assert result.exit_code == 1
    assert result.output.startswith("phases/project.yaml: not found in .; run 'phasedocs init' or pass --project DIR")
