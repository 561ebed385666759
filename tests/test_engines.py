"""Two site engines, one site: MkDocs (Material) and Zensical build the same article content."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from conftest import REPO
from phasedocs.cli import main
from support import edit

pytestmark = pytest.mark.packaging

pytest.importorskip("zensical", reason="the zensical extra is not installed (pip install 'phasedocs[zensical]')")


def article(page: Path) -> str:
    """A page's article, without what differs by engine only (a skip anchor, blank lines)."""
    text = page.read_text(encoding="utf-8")
    found = re.search(r'<article class="md-content__inner md-typeset">(.*?)</article>', text, re.S)
    assert found, page
    body = found.group(1).replace('<a id="__skip" tabindex="-1"></a>', "")
    body = re.sub(
        r'<a href="[^"]*" title="Edit this page" class="md-content__button md-icon"[^>]*>.*?</a>', "", body, flags=re.S
    )
    return "\n".join(line.strip() for line in body.splitlines() if line.strip())


def build(runner, root: Path, site: Path, engine: str) -> None:
    result = runner.invoke(main, ["build", "--project", str(root), "--site-dir", str(site), "--engine", engine])
    assert result.exit_code == 0, result.output
    assert result.output == f"site built in {site.resolve()}\n"


def test_the_example_builds_with_both_engines_and_every_article_matches(project, runner, tmp_path):
    root = project(example=True)
    (root / "mkdocs.yml").write_text((REPO / "mkdocs.yml").read_text())
    (root / "site_config").mkdir(exist_ok=True)
    for path in (REPO / "site_config").rglob("*"):
        if path.is_file():
            target = root / "site_config" / path.relative_to(REPO / "site_config")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    build(runner, root, tmp_path / "mk", "mkdocs")
    build(runner, root, tmp_path / "zs", "zensical")
    mk = sorted(p.relative_to(tmp_path / "mk") for p in (tmp_path / "mk").rglob("index.html"))
    zs = sorted(p.relative_to(tmp_path / "zs") for p in (tmp_path / "zs").rglob("index.html"))
    assert mk == zs and len(mk) >= 12
    for rel in mk:
        assert article(tmp_path / "mk" / rel) == article(tmp_path / "zs" / rel), rel
    for name in ("feed.xml", "status.json", "phase-07/badge.json", "phase-07/charts/gantt.svg"):
        assert (tmp_path / "zs" / name).read_bytes() == (tmp_path / "mk" / name).read_bytes(), name
    # Mermaid comes from the site itself, never a CDN
    graph = (tmp_path / "zs/phase-07/index.html").read_text()  # the package README: the dependency graph
    assert 'class="mermaid"' in graph and "assets/javascripts/mermaid.min.js" in graph
    assert (tmp_path / "zs/assets/javascripts/mermaid.min.js").is_file()
    config = yaml.safe_load((root / ".cache/phasedocs/zensical/mkdocs.yml").read_text().replace("!!python/name:", ""))
    assert config["theme"]["variant"] == "classic"
    assert "content.action.edit" not in config["theme"]["features"]
    assert "plugins" not in config
    assert [next(iter(x)) for x in config["nav"]][:3] == ["Home", "Roadmap", "Phase 7: Quality &amp; Infrastructure"]


def test_the_staging_follows_the_phases(project, runner, tmp_path):
    from conftest import minimal
    from phasedocs.site import zensical

    root = project(minimal())
    build(runner, root, tmp_path / "site", "zensical")
    dashboard = root / ".cache/phasedocs/zensical/docs/phase-01/COORDINATION-DASHBOARD.md"
    before = dashboard.read_text()
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/a.json").write_text(
        '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 4}}'
    )
    assert zensical._mtimes([root / "phases"]) != ()
    zensical.stage(root, root / ".cache/phasedocs/zensical/site")
    assert dashboard.read_text() != before and "| Warnings | 4 | 4 |" in dashboard.read_text()
    # a task file the phase no longer has leaves the staging folder
    phase = root / "phases/phase-01/phase.yaml"
    phase.write_text(edit(phase.read_text(), "slug: beta", "slug: gamma"))
    zensical.stage(root, root / ".cache/phasedocs/zensical/site")
    staged = sorted(p.name for p in (root / ".cache/phasedocs/zensical/docs/phase-01").glob("task-*"))
    assert staged == ["task-1.1-alpha.md", "task-1.2-gamma.md"]


def test_a_missing_zensical_says_how_to_install_it(project, runner, monkeypatch):
    import importlib.util

    from conftest import minimal

    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec", lambda name, *a: None if name == "zensical" else real(name, *a))
    result = runner.invoke(main, ["build", "--project", str(project(minimal())), "--engine", "zensical"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: the zensical engine is not installed; install it with: pip install 'phasedocs[zensical]' "
        "(Zensical 0.0.73), or build with --engine mkdocs\n",
    )


def test_the_extra_pins_the_engine_exactly():
    import tomllib

    from phasedocs.site.zensical import PINNED

    extras = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["optional-dependencies"]
    assert extras["zensical"] == [f"zensical=={PINNED}"]
