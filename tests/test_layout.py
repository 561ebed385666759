"""The package as users get it: its import name, what each stage imports, the wheel.

Each import budget runs in a fresh interpreter (a module imported by an earlier test
would hide an import the command makes) and lists ``sys.modules`` after the command.
"""

from __future__ import annotations

import json
import os
import pickle
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

import pytest

from conftest import EXAMPLE, REPO

#: Heavy or unrelated packages no pipeline stage may load unless it uses them.
DRAWING = {"matplotlib", "numpy", "PIL"}
SITE = {"mkdocs", "material", "markdown", "pymdownx"}


def modules_after(code: str, cwd: Path) -> set[str]:
    """The top-level and phasedocs modules loaded after running ``code`` in a new interpreter."""
    script = textwrap.dedent(code) + "\nimport json, sys\nprint('\\nMODULES ' + json.dumps(sorted(sys.modules)))\n"
    result = subprocess.run([sys.executable, "-c", script], cwd=cwd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    line = next(x for x in result.stdout.splitlines() if x.startswith("MODULES "))
    return set(json.loads(line.removeprefix("MODULES ")))


def run_cli(*args: str) -> str:
    """Code for ``modules_after``: the phasedocs CLI with ``args``, its exit status tolerated."""
    return f"""
        from phasedocs.cli import main
        try:
            main({list(args)!r})
        except SystemExit as exc:
            assert exc.code in (0, None), exc.code
    """


def top(modules: set[str]) -> set[str]:
    """The top-level package names in ``modules``."""
    return {m.split(".")[0] for m in modules}


@pytest.fixture
def example(tmp_path: Path) -> Path:
    """A copy of the embedded example project."""
    root = tmp_path / "example"
    shutil.copytree(EXAMPLE, root / "phases")
    return root


def test_validate_loads_no_drawing_site_render_or_chart_code(example):
    loaded = modules_after(run_cli("validate", "--project", str(example), "--no-cache"), example)
    assert not top(loaded) & (DRAWING | SITE)
    assert not {
        m for m in loaded if m.startswith(("phasedocs.render", "phasedocs.charts", "phasedocs.site", "phasedocs.facts"))
    }
    # the protocol commands are checked, so the sandbox is what validate uses of Jinja
    assert "jinja2.sandbox" in loaded
    assert "generator" not in top(loaded)


def test_an_unchanged_project_validates_without_yaml_pydantic_or_jinja(example):
    modules_after(run_cli("validate", "--project", str(example)), example)  # stamps the clean result
    loaded = modules_after(run_cli("validate", "--project", str(example)), example)
    assert not top(loaded) & ({"yaml", "pydantic_core", "pydantic", "jinja2"} | DRAWING | SITE)


def test_handoff_renders_without_matplotlib_mkdocs_or_chart_code(example):
    loaded = modules_after(run_cli("handoff", "7", "--project", str(example)), example)
    assert not top(loaded) & (DRAWING | SITE)
    assert not {m for m in loaded if m.startswith(("phasedocs.charts", "phasedocs.site"))}


def test_generate_never_loads_mkdocs(example, tmp_path):
    loaded = modules_after(
        run_cli("generate", "--project", str(example), "--out", str(example / "docs"), "-q"), example
    )
    assert not top(loaded) & SITE
    assert "matplotlib" in top(loaded)  # it draws: the budget is about the site, not the charts


def test_writing_the_json_schemas_loads_no_template_engine(tmp_path):
    loaded = modules_after(run_cli("schema", "--output", str(tmp_path / "schemas")), tmp_path)
    assert (tmp_path / "schemas").is_dir()
    assert not top(loaded) & ({"jinja2", "markupsafe"} | DRAWING | SITE)


def test_a_chart_worker_never_loads_jinja(tmp_path):
    from phasedocs.charts import registry
    from phasedocs.charts import specs as charts
    from phasedocs.facts import compute
    from phasedocs.input import records
    from phasedocs.input.project import load_project
    from phasedocs.input.site_config import ChartStyle

    facts = compute(load_project(REPO))
    spec = charts.gantt_spec(facts.phases[0], facts)
    item = tmp_path / "item.pickle"
    # the job holds its chart's drawing function, by reference: a spawned worker needs no registry
    item.write_bytes(pickle.dumps(("gantt.svg", spec, registry.chart_of(spec).draw, records.dump(ChartStyle()))))
    # what a worker process of a spawn or forkserver pool does: unpickle the job, draw it
    loaded = modules_after(
        f"""
        import pickle
        from phasedocs.charts import drawing
        name, spec, drawer, style = pickle.loads(open({str(item)!r}, "rb").read())
        drawing._worker_init(style)
        assert drawing._worker_draw((name, spec, drawer, style))[1].startswith(b"<?xml")
        """,
        tmp_path,
    )
    assert "matplotlib" in top(loaded)
    assert not top(loaded) & ({"jinja2", "markupsafe"} | SITE)
    assert not {
        m
        for m in loaded
        if m.startswith(("phasedocs.render", "phasedocs.site", "phasedocs.input.project", "phasedocs.input.protocol"))
    }


def test_importing_the_package_changes_no_environment_variable(tmp_path):
    code = """
        import os
        before = dict(os.environ)
        import phasedocs.cli, phasedocs.site.plugin, phasedocs.site.config, phasedocs.site.build, phasedocs.site.deploy
        assert dict(os.environ) == before, set(os.environ) ^ set(before)
    """
    modules_after(code, tmp_path)


@pytest.mark.packaging
def test_a_project_with_its_own_generator_module_builds_with_plain_mkdocs(project, runner, tmp_path):
    from phasedocs.cli import main

    root = tmp_path / "mine"
    assert runner.invoke(main, ["init", str(root)]).exit_code == 0
    # `python -m mkdocs` puts the project first on sys.path: a generator.py of the user's own
    # used to shadow phasedocs' package of that name and break the plugin
    (root / "generator.py").write_text("raise SystemExit('the user module was imported')\n")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=root,
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site/phase-01/COORDINATION-DASHBOARD/index.html").is_file()


def test_python_dash_m_phasedocs_runs_the_cli():
    result = subprocess.run(
        [sys.executable, "-m", "phasedocs", "--version"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    from phasedocs import __version__

    assert __version__ in result.stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from this checkout (pip and hatchling, as a user's build would)."""
    out = tmp_path_factory.mktemp("wheel")
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(out), str(REPO)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr
    (found,) = out.glob("phasedocs-*.whl")
    return found


@pytest.mark.packaging
def test_the_wheel_holds_one_top_level_package_phasedocs_and_its_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    assert {n.split("/")[0] for n in names} == {"phasedocs", wheel.name.split("-py3")[0] + ".dist-info"}
    for data in (
        "phasedocs/data/templates/COORDINATOR-HANDOFF.md.j2",
        "phasedocs/data/phases/project.yaml",
        "phasedocs/data/site_config/site.yaml",
        "phasedocs/data/scaffold/phase.yaml",
        "phasedocs/data/mermaid/mermaid.min.js",
        "phasedocs/data/mermaid/LICENSE",
    ):
        assert data in names, data
    entry_points = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("entry_points.txt"))).decode()
    assert "phasedocs = phasedocs.cli:main" in entry_points
    assert "phasedocs = phasedocs.site.plugin:PhasedocsPlugin" in entry_points


@pytest.mark.packaging
def test_the_installed_wheel_finds_its_templates_and_data_without_the_checkout(wheel, tmp_path):
    unpacked = tmp_path / "site-packages"
    zipfile.ZipFile(wheel).extractall(unpacked)
    root = tmp_path / "project"
    shutil.copytree(EXAMPLE, root / "phases")
    code = f"""
        import sys
        sys.path.insert(0, {str(unpacked)!r})
        import phasedocs
        from phasedocs import resources
        assert phasedocs.__file__.startswith({str(unpacked)!r}), phasedocs.__file__
        for found in (resources.builtin_templates(), resources.default_phases(), resources.mermaid_script(), resources.data("scaffold")):
            assert str(found).startswith({str(unpacked)!r}) and found.exists(), found
        from phasedocs.pipeline import handoff
        assert handoff(__import__("pathlib").Path({str(root)!r}), "7").startswith("# ")
    """
    modules_after(code, tmp_path)


@pytest.mark.packaging
def test_the_release_builds_and_passes_twine_check_strict(tmp_path):
    """What the release workflow does on a tag: python -m build, then twine check --strict."""
    out = tmp_path / "dist"
    built = subprocess.run(
        [sys.executable, "-m", "build", "--outdir", str(out), str(REPO)], capture_output=True, text=True, timeout=600
    )
    assert built.returncode == 0, built.stderr[-2000:]
    names = sorted(p.name for p in out.iterdir())
    assert [n.split("-")[0] for n in names] == ["phasedocs", "phasedocs"]
    assert names[0].endswith(".whl") or names[1].endswith(".whl")
    checked = subprocess.run(
        [sys.executable, "-m", "twine", "check", "--strict", *(str(p) for p in out.iterdir())],
        capture_output=True,
        text=True,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert checked.stdout.count("PASSED") == 2


def test_init_ignores_what_is_rebuilt(tmp_path):
    from phasedocs.commands.init import plan_files

    ignored = plan_files(tmp_path)[".gitignore"].decode().split()
    assert {"site/", "docs/", ".cache/"} <= set(ignored)
