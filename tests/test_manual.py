"""The project's own manual (`manual/`): it builds with `mkdocs build --strict`, and every
relative link in it and in the README reaches a page and an anchor that exist."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from conftest import REPO

MANUAL = REPO / "manual"
PAGES = MANUAL / "docs"
#: A markdown link or image target: ](target) or ](target "title").
LINK = re.compile(r"\]\(([^)\s]+)(?:\s+\"[^\"]*\")?\)")
FENCE = re.compile(r"^```.*?^```", re.S | re.M)
CODE = re.compile(r"`[^`\n]*`")


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> Path:
    """The manual built as its own mkdocs.yml says (strict), into a temp folder."""
    out = tmp_path_factory.mktemp("manual")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(MANUAL / "mkdocs.yml"), "--site-dir", str(out)],
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return out


def links(path: Path) -> list[str]:
    """The relative link targets of a markdown file, code blocks and code spans left out."""
    text = CODE.sub("", FENCE.sub("", path.read_text(encoding="utf-8")))
    return [t for t in LINK.findall(text) if not re.match(r"[a-z]+:", t)]


def anchors(built: Path, page: Path, pages: Path = PAGES) -> set[str]:
    """The ids of the built HTML page made from ``page`` (a markdown file under ``pages``)."""
    rel = page.relative_to(pages).with_suffix("")
    html = built / ("index.html" if rel.name == "index" else rel / "index.html")
    return set(re.findall(r'\bid="([^"]+)"', html.read_text(encoding="utf-8")))


def check(source: Path, built: Path, pages: Path = PAGES) -> list[str]:
    """Every relative link of ``source`` that names no file, or an anchor its built page lacks."""
    broken = []
    for target in links(source):
        name, _, anchor = target.partition("#")
        page = (source.parent / name).resolve() if name else source.resolve()
        if not page.is_file():
            broken.append(f"{source.name}: {target}: no such file")
        elif anchor and page.suffix == ".md":
            if not page.is_relative_to(pages):
                broken.append(f"{source.name}: {target}: an anchor outside the manual cannot be checked")
            elif anchor not in anchors(built, page, pages):
                broken.append(f"{source.name}: {target}: no such anchor")
    return broken


@pytest.mark.packaging
def test_the_manual_builds_strict_and_every_page_is_in_its_nav(built):
    config = yaml.safe_load((MANUAL / "mkdocs.yml").read_text())
    assert config["strict"] is True and config["docs_dir"] == "docs"
    listed = {next(iter(entry.values())) for entry in config["nav"]}
    assert listed == {p.name for p in PAGES.glob("*.md")}
    assert (built / "development" / "index.html").is_file()


@pytest.mark.packaging
def test_every_relative_link_and_anchor_in_the_manual_resolves(built):
    broken = [b for page in sorted(PAGES.glob("*.md")) for b in check(page, built)]
    assert broken == []


@pytest.mark.packaging
def test_every_readme_link_to_the_manual_resolves(built):
    targets = links(REPO / "README.md")
    assert sum(t.startswith("manual/docs/") for t in targets) >= 10  # the README points into the manual
    assert check(REPO / "README.md", built) == []


def test_the_readme_is_for_users_and_short():
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 200
    for heading in ("## Quick start", "## Install", "## The first ten minutes on your own project", "## Commands"):
        assert f"\n{heading}\n" in text, heading
    assert "make site" in text and "make test" in text and "make test-fast" in text


def test_nothing_else_picks_the_manual_up():
    """The phase site reads its own pages folder; the wheel holds the package only."""
    # the site's mkdocs.yml names a function with a python tag: read as plain text here
    site = yaml.safe_load((REPO / "mkdocs.yml").read_text().replace("!!python/name:", ""))
    assert not (REPO / site["docs_dir"]).resolve().is_relative_to(MANUAL)
    pyproject = (REPO / "pyproject.toml").read_text()
    assert "manual" not in pyproject


def test_the_link_check_finds_a_missing_page_and_a_missing_anchor(tmp_path):
    pages, built = tmp_path / "docs", tmp_path / "site"
    pages.mkdir()
    (built / "b").mkdir(parents=True)
    (built / "b/index.html").write_text('<h2 id="there">There</h2>')
    (pages / "b.md").write_text("## There\n")
    (pages / "a.md").write_text("[ok](b.md#there) [gone](c.md) [lost](b.md#nowhere) `[code](x.md)`\n")
    assert check(pages / "a.md", built, pages) == ["a.md: c.md: no such file", "a.md: b.md#nowhere: no such anchor"]
