"""The MkDocs route on ProperDocs, the community fork that keeps MkDocs' plugin system.

ProperDocs loads plugins registered for MkDocs (``mkdocs.plugins`` entry points) and maps
``mkdocs.*`` imports onto its own modules, so the phasedocs plugin runs unchanged. This
builds the example with both and compares every page: only the generator tag may differ.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

pytestmark = pytest.mark.packaging

pytest.importorskip("properdocs", reason="the properdocs extra is not installed (pip install 'phasedocs[properdocs]')")


def example_site(project) -> Path:
    """The example project with the repository's mkdocs.yml and site_config/."""
    root = project(example=True)
    (root / "mkdocs.yml").write_text((REPO / "mkdocs.yml").read_text())
    for path in (REPO / "site_config").rglob("*"):
        if path.is_file():
            target = root / "site_config" / path.relative_to(REPO / "site_config")
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(path.read_bytes())
    return root


def build_with(tool: str, root: Path, site: Path) -> None:
    """``mkdocs build`` or ``properdocs build`` on the project's mkdocs.yml, as a user runs it."""
    command = [str(Path(sys.executable).parent / tool), "build", "-f", "mkdocs.yml", "-d", str(site)]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr


def page(path: Path) -> str:
    """A built page without its generator tag (it names the engine and its version)."""
    return re.sub(r'<meta name="generator" content="[^"]*">', "", path.read_text(encoding="utf-8"))


def test_properdocs_builds_the_example_with_the_same_pages_as_mkdocs(project, tmp_path):
    root = example_site(project)
    build_with("mkdocs", root, tmp_path / "mk")
    build_with("properdocs", root, tmp_path / "pd")
    mk = sorted(p.relative_to(tmp_path / "mk").as_posix() for p in (tmp_path / "mk").rglob("*.html"))
    pd = sorted(p.relative_to(tmp_path / "pd").as_posix() for p in (tmp_path / "pd").rglob("*.html"))
    assert mk == pd and "phase-07/COORDINATOR-HANDOFF/index.html" in mk
    for rel in mk:
        assert page(tmp_path / "pd" / rel) == page(tmp_path / "mk" / rel), rel
    assert 'content="mkdocs-ProperDocs' in (tmp_path / "pd" / "index.html").read_text()
    for name in ("feed.xml", "status.json", "phase-07/badge.json", "phase-07/charts/gantt.svg"):
        assert (tmp_path / "pd" / name).read_bytes() == (tmp_path / "mk" / name).read_bytes(), name


def test_the_manual_quotes_materials_own_end_of_life_date():
    """The manual's date (Site engines) is the one the installed Material prints on every build."""
    material = pytest.importorskip("material.templates")
    notice = re.search(
        r"Material for MkDocs reaches end of life on ([A-Z][a-z]+ \d+, \d{4})", Path(material.__file__).read_text()
    )
    if notice is None:
        pytest.skip("this Material release prints no end-of-life notice (before 9.8)")
    page = " ".join((REPO / "manual/docs/site.md").read_text(encoding="utf-8").split())  # as wrapped anywhere
    assert f'"Material for MkDocs reaches end of life on {notice.group(1)}.' in page
    assert notice.group(1) == "May 5, 2027"
