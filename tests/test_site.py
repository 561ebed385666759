"""The site: the MkDocs plugin, build, a project with only phases/, deploy to a bare remote."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO, git, minimal, tree
from phasedocs.cli import main
from support import alpha, beta, phase_yaml, project_yaml


def build(runner, root: Path, site: Path, *args: str):
    return runner.invoke(main, ["build", "--project", str(root), "--site-dir", str(site), *args])


@pytest.mark.packaging
def test_build_a_project_with_only_phases(project, runner, tmp_path):
    root = project(minimal())
    site = tmp_path / "site"
    result = build(runner, root, site, "--strict")
    assert result.exit_code == 0, result.output
    assert result.output.endswith(f"site built in {site}\n")
    pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
    assert pages == [
        "index.html",
        "phase-01/AGENT-BRIEFING/index.html",
        "phase-01/COMPLETION-REPORT/index.html",
        "phase-01/COORDINATION-DASHBOARD/index.html",
        "phase-01/COORDINATION-SUMMARY/index.html",
        "phase-01/COORDINATOR-HANDOFF/index.html",
        "phase-01/index.html",
        "phase-01/task-1.1-alpha/index.html",
        "phase-01/task-1.2-beta/index.html",
        "roadmap/index.html",
    ]
    assert (site / "phase-01/charts/gantt.svg").is_file()
    assert json.loads((site / "phase-01/final-metrics.json").read_text())["phase"] == 1
    package = (site / "phase-01/index.html").read_text()
    assert '<pre class="mermaid"><code>graph LR' in package
    assert '<script src="../assets/javascripts/mermaid.min.js"></script>' in package
    assert "mermaid.min.js" not in (site / "roadmap/index.html").read_text()  # only where a diagram is
    assert not (root / "docs").exists()  # nothing was written into a docs folder
    assert not (root / "mkdocs.yml").exists()


def test_build_refuses_invalid_input_with_the_validate_message(project, runner, tmp_path):
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase_yaml([alpha(), beta(depends_on=["1.9"])])}))
    result = build(runner, root, tmp_path / "site")
    assert result.exit_code == 1
    assert result.output == (
        "phases/phase-01/phase.yaml:21:18: tasks[1].depends_on[0]: unknown task '1.9' (known: 1.1, 1.2)\n"
        "1 error in 1 file\n"
    )
    assert not (tmp_path / "site").exists()


@pytest.mark.packaging
def test_site_config_limits_the_published_documents(project, runner, tmp_path):
    root = project(
        minimal(**{"site_config/site.yaml": "site_name: Mini\ndocuments: [README.md, COORDINATION-DASHBOARD.md]\n"})
    )
    site = tmp_path / "site"
    assert build(runner, root, site).exit_code == 0
    assert sorted(p.relative_to(site / "phase-01").as_posix() for p in (site / "phase-01").rglob("index.html")) == [
        "COORDINATION-DASHBOARD/index.html",
        "index.html",
    ]
    assert "<title>Mini</title>" in (site / "index.html").read_text()


@pytest.mark.packaging
def test_build_with_the_default_project_folder(project, runner, tmp_path, monkeypatch):
    monkeypatch.chdir(project(minimal()))
    result = runner.invoke(main, ["build", "--site-dir", str(tmp_path / "site")])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "site/phase-01/index.html").is_file()


def test_bad_site_config_is_an_input_error(project, runner, tmp_path):
    root = project(minimal(**{"site_config/site.yaml": "documents: [README.md, NOTES.md]\n"}))
    result = build(runner, root, tmp_path / "site")
    assert result.exit_code == 1
    assert "site_config/site.yaml:1:24: documents[1]: unknown document 'NOTES.md'" in result.output


@pytest.mark.packaging
def test_the_repository_builds_strict_through_plain_mkdocs(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
        cwd=REPO,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site/phase-07/COORDINATION-DASHBOARD/index.html").is_file()
    assert (tmp_path / "site/assets/javascripts/mermaid.min.js").is_file()


@pytest.mark.packaging
def test_hostile_titles_are_escaped_in_the_navigation(project, runner, tmp_path):
    phase = phase_yaml(title="<img src=x onerror=alert(1)>")
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase}))
    site = tmp_path / "site"
    assert build(runner, root, site).exit_code == 0
    for page in site.rglob("*.html"):
        assert "<img src=x" not in page.read_text(), page


# ----------------------------------------------------------------------------- deploy
@pytest.mark.scale
def test_deploy_twice_adds_a_commit_on_top(repo, runner):
    root, remote = repo
    first = runner.invoke(main, ["deploy", "--project", str(root)])
    assert first.exit_code == 0, first.output
    tip1 = git(remote, "rev-parse", "gh-pages")
    files = git(remote, "ls-tree", "-r", "--name-only", "gh-pages").splitlines()
    assert ".nojekyll" in files and "phase-01/COORDINATION-DASHBOARD/index.html" in files
    # a snapshot is recorded, then the site is deployed again
    metrics = root / "phases/phase-01/metrics"
    metrics.mkdir()
    (metrics / "s.json").write_text(
        '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 7}, "tasks": {"1.1": "complete"}}'
    )
    second = runner.invoke(main, ["deploy", "--project", str(root), "-m", "Day 2"])
    assert second.exit_code == 0, second.output
    tip2 = git(remote, "rev-parse", "gh-pages")
    assert git(remote, "rev-parse", "gh-pages^") == tip1  # on top of the first: history kept
    assert git(remote, "log", "-1", "--format=%s", "gh-pages") == "Day 2"
    # the new snapshot is published though not committed: deploy says so
    assert second.output == (
        "warning: uncommitted changes (phases/phase-01/metrics/) are published, but the commit the deploy names "
        "does not hold them; commit them to keep the site and the repository in step\n"
        f"deployed {tip2[:12]} to origin/gh-pages\n"
    )
    before = git(remote, "show", f"{tip1}:phase-01/COORDINATION-DASHBOARD/index.html")
    page = git(remote, "show", "gh-pages:phase-01/COORDINATION-DASHBOARD/index.html")
    row = re.compile(r"<td>Warnings</td>\s*<td>7</td>\s*<td>7</td>")  # the new snapshot: first and current value 7
    done = re.compile(
        r'task-1\.1-alpha/">1\.1 Alpha</a> \([^)<]*\)</td>\s*<td><span class="phasedocs-icon pd-met"[^>]*>'
        r"</span> complete</td>"
    )
    assert not row.search(before) and not done.search(before)
    assert row.search(page) and done.search(page)


def test_deploy_refuses_outside_a_git_repository(project, runner):
    root = project(minimal())
    result = runner.invoke(main, ["deploy", "--project", str(root)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {root} is not inside a git repository; deploy publishes to a branch of one (git init, add a remote)\n",
    )


def test_deploy_refuses_an_unknown_remote(repo, runner):
    root, _ = repo
    result = runner.invoke(main, ["deploy", "--project", str(root), "--remote", "upstream"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: no git remote named 'upstream'; add one (git remote add upstream URL) or pass --remote\n",
    )


def test_deploy_refuses_an_unreachable_remote(repo, runner, tmp_path):
    root, _ = repo
    git(root, "remote", "add", "gone", str(tmp_path / "nowhere.git"))
    result = runner.invoke(main, ["deploy", "--project", str(root), "--remote", "gone"])
    assert result.exit_code == 1
    assert result.output.startswith("Error: cannot reach remote 'gone': ")


@pytest.mark.packaging
def test_plain_mkdocs_build_stops_on_invalid_input_with_the_message(project, tmp_path):
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase_yaml([alpha(duration_days=-1), beta()])}))
    (root / "pages").mkdir()
    (root / "mkdocs.yml").write_text("site_name: X\ndocs_dir: pages\nplugins: [phasedocs]\n")
    result = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "-d", str(tmp_path / "site")],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert (
        "phases/phase-01/phase.yaml:10:20: tasks[0].duration_days: must be more than 0, got the number -1"
        in result.stderr
    )


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url: str) -> str | None:
    import urllib.request

    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return response.read().decode()
    except OSError:
        return None


def _wait_for(check, seconds: float = 60.0) -> bool:
    import time

    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.3)
    return False


@pytest.mark.scale
def test_serve_rebuilds_when_a_snapshot_is_recorded(project, runner):
    import sys

    root = project(minimal())
    port = _free_port()
    url = f"http://127.0.0.1:{port}/phase-01/COORDINATION-DASHBOARD/"
    server = subprocess.Popen(
        [sys.executable, "-m", "phasedocs", "serve", "--project", str(root), "--dev-addr", f"127.0.0.1:{port}"],
        cwd=REPO,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(lambda: "Coordination Dashboard" in (_get(url) or "")), "serve did not start"
        assert "<td>Warnings</td>" not in _get(url)  # no snapshot yet: no metric table
        result = runner.invoke(
            main, ["record", "1", "--project", str(root), "--metric", "warnings=7", "--at", "2025-01-07T09:00:00Z"]
        )
        assert result.exit_code == 0
        assert _wait_for(lambda: "<td>Warnings</td>" in (_get(url) or "")), "no rebuild after the snapshot"
        assert not (root / "docs").exists()  # served from memory, nothing written into the project
    finally:
        server.terminate()
        server.wait(timeout=30)


@pytest.mark.packaging
def test_site_rebuilds_render_and_draw_only_what_changed(project):
    from phasedocs.site.pages import render_site

    root = project(minimal(**{"phases/phase-02/phase.yaml": phase_yaml(number=2)}))
    first = render_site(root)
    # each chart twice: for wide screens and, narrow, for phones
    assert (sorted(first.rendered), first.charts_drawn) == (["phase-01", "phase-02", "project"], 10)
    again = render_site(root)
    assert (again.rendered, again.charts_drawn) == ([], 0)
    assert again.files == first.files
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/a.json").write_text(
        '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 4}}'
    )
    after = render_site(root)
    # the groups whose facts changed: phase 1's and the project pages, not phase 2's
    assert sorted(after.rendered) == ["phase-01", "project"]
    # phase 1's Gantt (the latest-snapshot marker moved), burn-up (a new point), trend and criteria
    # charts; the roadmap's own data (states, progress, dates, forecast) did not change, so its
    # chart comes from the cache
    assert after.charts_drawn == 8
    assert {k: v for k, v in after.files.items() if k.startswith("phase-02/")} == {
        k: v for k, v in first.files.items() if k.startswith("phase-02/")
    }
    # the cache is the site's pages as built, and nothing else: what the site no longer has is gone
    cache = root / ".cache/phasedocs/pages"
    assert sorted(tree(cache)) == sorted([*after.files, ".phasedocs-manifest.json"])
    # a cached chart that disappeared is drawn again, not lost
    for svg in cache.rglob("*.svg"):
        svg.unlink()
    healed = render_site(root)
    assert healed.files == after.files and healed.charts_drawn == 14


@pytest.mark.packaging
def test_edit_links_lead_to_the_input_of_each_page(project, runner, tmp_path):
    root = project(minimal(**{"site_config/site.yaml": "repo_url: https://github.com/acme/plans\n"}))
    site = tmp_path / "site"
    assert build(runner, root, site, "--strict").exit_code == 0
    assert (
        'href="https://github.com/acme/plans/edit/main/phases/phase-01/phase.yaml"'
        in (site / "phase-01/COORDINATION-DASHBOARD/index.html").read_text()
    )
    assert 'href="https://github.com/acme/plans/edit/main/phases/project.yaml"' in (site / "index.html").read_text()


def test_the_repository_mkdocs_yml_is_the_generated_one():
    from phasedocs.input.site_config import load_site_config
    from phasedocs.site.config import PAGES_DIR, mkdocs_yml

    s = load_site_config(REPO)
    expected = (
        "# The repository's own site: the embedded default project, built through the phasedocs plugin.\n"
        + mkdocs_yml(s.site_name, s.site_url, s.repo_url, s.palette.primary, s.palette.accent, PAGES_DIR)
    )
    assert (REPO / "mkdocs.yml").read_text() == expected


@pytest.mark.packaging
def test_build_without_site_dir_builds_into_the_project(project, runner):
    root = project(minimal())
    result = runner.invoke(main, ["build", "--project", str(root)])
    assert (result.exit_code, result.output) == (0, f"site built in {root / 'site'}\n")
    assert (root / "site/phase-01/index.html").is_file()
    assert not (root / ".cache/phasedocs/site").exists()


@pytest.mark.packaging
def test_a_repo_url_set_only_in_project_yaml_names_the_host_in_the_header(project, runner, tmp_path):
    files = minimal()
    files["phases/project.yaml"] = project_yaml(repo_url="https://github.com/acme/demo")
    root = project(files)
    site = tmp_path / "site"
    assert build(runner, root, site).exit_code == 0
    page = (site / "index.html").read_text()
    source = re.search(r'<div class="md-source__repository">\s*(.*?)\s*</div>', page, re.S)
    assert source is not None and source.group(1) == "GitHub"
    assert "None" not in re.sub(r"<script.*?</script>", "", page, flags=re.S)


@pytest.mark.packaging
def test_build_refuses_a_generated_page_edited_by_hand_as_generate_does(project, runner, tmp_path):
    root = project(minimal())
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    site = tmp_path / "site"
    assert build(runner, root, site).exit_code == 0  # copies generate wrote are replaced quietly
    before = {p: p.read_bytes() for p in site.rglob("*") if p.is_file()}
    page = root / "docs/phase-01/README.md"
    page.write_text(page.read_text() + "\nA note added by hand.\n")
    result = build(runner, root, site)
    assert result.exit_code == 1
    assert result.output == (
        "Error: phasedocs: these generated pages were edited by hand (or written by someone else), "
        f"and the site would silently replace them:\n  {(root / 'docs').resolve()}/phase-01/README.md\n"
        "Put the change where the page comes from (phases/, templates/), or delete the file; "
        "`phasedocs generate --force` rewrites the pages it wrote (never a file it did not write).\n"
    )
    assert {p: p.read_bytes() for p in site.rglob("*") if p.is_file()} == before  # the site as it was
    assert runner.invoke(main, ["generate", "--project", str(root), "-q", "--force"]).exit_code == 0
    assert build(runner, root, site).exit_code == 0


def test_validate_names_a_setting_both_site_yaml_and_mkdocs_yml_set(project, runner):
    root = project(minimal(**{"site_config/site.yaml": "site_name: Team plans\nsite_url: https://a.example/\n"}))
    (root / "mkdocs.yml").write_text(
        "site_name: My Project phases\nsite_url: https://a.example/\nplugins: [phasedocs]\n"
    )
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert result.exit_code == 1
    assert result.output == (
        "site_config/site.yaml:1:12: site_name: is 'Team plans' here but 'My Project phases' in mkdocs.yml, "
        "which the site uses; set site_name in one of the two files only\n"
        "1 error in 1 file\n"
    )
    (root / "mkdocs.yml").write_text("site_url: https://a.example/\nplugins: [phasedocs]\n")  # one source each
    assert runner.invoke(main, ["validate", "--project", str(root), "--no-cache"]).exit_code == 0


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        (b"site_name: [Demo\n", "while parsing a flow sequence"),
        (b"- a list\n", None),
        # a RecursionError: a large input (three seconds of parsing), in the scale lane
        pytest.param(b"nav: " + b"[" * 1000 + b"]" * 1000 + b"\n", "nested too deep to read", marks=pytest.mark.scale),
        (b"site_name: \xff\n", "not UTF-8 text (invalid start byte at byte 11)"),
    ],
)
def test_every_reader_of_mkdocs_yml_treats_one_without_settings_alike(project, runner, text, problem):
    """mkdocs.yml arrives in pull requests: its settings are read by one function, and each caller
    names the file (init, the Zensical engine) or keeps its defaults (generate, the site folder)."""
    from phasedocs.errors import Abort
    from phasedocs.input.mkdocs_yml import NotSettings, settings
    from phasedocs.site.adopt import default_out
    from phasedocs.site.config import check_site_dir
    from phasedocs.site.zensical import _project_config

    root = project(minimal())
    path = root / "mkdocs.yml"
    path.write_bytes(text)
    with pytest.raises(NotSettings) as caught:
        settings(path)
    assert caught.value.problem is None if problem is None else caught.value.problem.startswith(problem)
    assert default_out(root) == root / "docs"
    assert check_site_dir(root) == root.resolve() / "site"
    with pytest.raises(Abort) as aborted:
        _project_config(root)
    assert str(aborted.value) == f"{path.resolve()}: " + (
        "expected a mapping of settings" if problem is None else f"not valid YAML: {caught.value.problem}"
    )
    (root / "phases").rename(root / "plans")  # init adopts a folder without phases/
    result = runner.invoke(main, ["init", str(root)])
    assert result.exit_code == 1
    shown = "expected settings (key: value)" if problem is None else f"not YAML ({caught.value.problem})"
    assert result.output == f"Error: {path}: {shown}; fix it first, then run phasedocs init again\n"
    assert path.read_bytes() == text


@pytest.mark.packaging
def test_state_symbols_on_the_site_need_no_emoji_font(project, runner, tmp_path):
    from phasedocs.site.pages import ICONS
    from support import SNAPSHOTS, files

    root = project(files(SNAPSHOTS))
    site = tmp_path / "site"
    assert build(runner, root, site).exit_code == 0
    dashboard = (site / "phase-01/COORDINATION-DASHBOARD/index.html").read_text()
    article = dashboard.split('<article class="md-content__inner md-typeset">', 1)[1]
    assert not any(symbol in article for symbol in ICONS)
    assert article.count('<span class="phasedocs-icon pd-') > 10
    assert "phasedocs-icons.css" in dashboard and (site / "assets/stylesheets/phasedocs-icons.css").is_file()
    # the markdown in docs/ keeps the emoji every markdown viewer shows
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    assert "⛔ blocked" in (root / "docs/phase-01/COORDINATION-DASHBOARD.md").read_text()


# the changes whose effect differs on the site: another phase's snapshot (facts across phases),
# a removed phase (pages and charts to drop), a template, and site.yaml (chart colours, URLs)
SITE_CHANGES = ["a snapshot of another phase", "a removed phase", "an edited template", "an edited site config"]


# one change in the fast lane (the pages and charts to drop), every change under `scale` (as
# the generate twin in tests/test_writer.py): each is three site builds with their phone charts
@pytest.mark.parametrize(
    "change", [c if c == "a removed phase" else pytest.param(c, marks=pytest.mark.scale) for c in SITE_CHANGES]
)
def test_an_incremental_site_build_makes_what_a_fresh_one_makes_on_both_engines(project, change):
    from phasedocs.site import zensical
    from phasedocs.site.pages import render_site
    from support import CHANGES, LIVE

    def build(root: Path) -> tuple[object, dict[str, bytes], dict[str, bytes]]:
        site = render_site(root)  # what the MkDocs plugin adds to its build
        zensical.stage(root, root / ".cache/phasedocs/zensical/site")  # what Zensical builds from
        staged = tree(root / ".cache/phasedocs/zensical/docs")
        return (site.files, site.nav), staged, tree(root / ".cache/phasedocs/pages")

    root = project(LIVE)
    build(root)
    CHANGES[change](root)
    incremental = build(root)
    twin = root.parent / "twin"  # the same inputs, never built before
    shutil.copytree(root, twin, ignore=shutil.ignore_patterns(".cache"))
    fresh = build(twin)
    assert incremental[0] == fresh[0]  # the plugin's pages and navigation
    assert incremental[1] == fresh[1]  # Zensical's staging folder
    assert incremental[2] == fresh[2]  # the site's cache, its manifest and digests too


def test_the_site_and_generate_make_their_pages_in_the_one_build(project, monkeypatch):
    from phasedocs import pipeline
    from phasedocs.charts.drawing import NARROW_SUFFIX
    from phasedocs.documents import PHASE_DOCUMENTS
    from phasedocs.site.pages import render_site, with_icons
    from support import LIVE

    calls = []
    real = pipeline.build

    def spy(*args, **kwargs):
        calls.append(kwargs.get("shape", pipeline.DOCS))
        return real(*args, **kwargs)

    monkeypatch.setattr(pipeline, "build", spy)
    # the site publishes some documents only: the rest of its pages must still be generate's
    root = project({**LIVE, "site_config/site.yaml": "documents: [README.md, COORDINATOR-HANDOFF.md, tasks]\n"})
    pipeline.generate(root, root / "docs")
    site = render_site(root)
    assert len(calls) == 2 and calls[0] is pipeline.DOCS and calls[1] is not pipeline.DOCS  # both builds are plan()
    docs = tree(root / "docs")

    def on_site(rel: str) -> bool:
        name = rel.rpartition("/")[2]
        if name in PHASE_DOCUMENTS:
            return name in ("README.md", "COORDINATOR-HANDOFF.md")
        return rel != ".phasedocs-manifest.json"  # task files, data files, charts, the project's pages

    published = {rel for rel in docs if on_site(rel)}
    wide = {uri for uri in site.files if not uri.endswith(NARROW_SUFFIX)}
    assert wide == published
    assert {uri.removesuffix(NARROW_SUFFIX) + ".svg" for uri in site.files if uri.endswith(NARROW_SUFFIX)} == {
        uri for uri in docs if uri.endswith(".svg")
    }
    for uri in wide:
        content = site.files[uri]
        expected = with_icons(docs[uri].decode()) if uri.endswith(".md") else docs[uri]
        if isinstance(content, str) and not uri.endswith(".md"):
            content = content.encode()
        assert content == expected, uri


# ----------------------------------------------------------------------------- MkDocs' conversions kept
def _conversions(monkeypatch, indexed: list[str] | None = None) -> list[str]:
    """The pages MkDocs converts from markdown to HTML from now on (``Page.render`` resolves each
    page's links as it converts), by source; ``indexed`` collects those Material's search plugin
    parses for its index."""
    from material.plugins.search.plugin import SearchIndex
    from mkdocs.structure import pages

    seen: list[str] = []
    real, index = pages._RelativePathTreeprocessor.__init__, SearchIndex.add_entry_from_context

    def spy(self, file, files, config):
        seen.append(file.src_uri)
        return real(self, file, files, config)

    def spy_index(self, page):
        if indexed is not None:
            indexed.append(page.file.src_uri)
        return index(self, page)

    monkeypatch.setattr(pages._RelativePathTreeprocessor, "__init__", spy)
    monkeypatch.setattr(SearchIndex, "add_entry_from_context", spy_index)
    return seen


def _site(site: Path) -> dict[str, bytes]:
    # the sitemap's dates are the day of the build: a build on each side of midnight differs there only
    return {rel: data for rel, data in tree(site).items() if not rel.startswith("sitemap.xml")}


REBUILDS = {
    # an older snapshot of phase 1 than phase 2's newest: phase 2's pages stay as they were
    "a snapshot of one phase": lambda root: (root / "phases/phase-01/metrics/b.json").write_text(
        '{"timestamp": "2025-01-06T12:00:00Z", "metrics": {"warnings": 9}}'
    ),
    "a removed phase": lambda root: shutil.rmtree(root / "phases/phase-02"),
}


@pytest.mark.packaging
@pytest.mark.parametrize("change", REBUILDS)
def test_a_site_rebuild_equals_a_cold_build_and_converts_only_the_changed_pages(
    project, runner, tmp_path, monkeypatch, change
):
    from support import LIVE

    # a page of one's own whose link leads to phase 2: unchanged itself, it links elsewhere once phase 2 is gone
    root = project({**LIVE, "docs/notes.md": "# Notes\n\nSee [phase 2](phase-02/README.md).\n"})
    assert build(runner, root, tmp_path / "site").exit_code == 0
    pages = tree(root / ".cache/phasedocs/pages")
    REBUILDS[change](root)
    indexed: list[str] = []
    converted = _conversions(monkeypatch, indexed)
    assert build(runner, root, tmp_path / "site").exit_code == 0
    rebuilt = tree(root / ".cache/phasedocs/pages")
    markdown = sorted(["notes.md", *(rel for rel in rebuilt if rel.endswith(".md"))])
    if change == "a removed phase":  # the site's files changed: every link is resolved again
        assert sorted(converted) == markdown
    else:  # the pages whose markdown changed, and only those
        changed = sorted(rel for rel in markdown if rel in rebuilt and pages.get(rel) != rebuilt[rel])
        assert sorted(converted) == changed
        assert sorted(indexed) == changed  # Material's search parses only these again
        assert "phase-01/COORDINATION-DASHBOARD.md" in changed and "phase-02/COORDINATION-DASHBOARD.md" not in changed
    twin = tmp_path / "twin"  # the same inputs, never built before
    shutil.copytree(root, twin, ignore=shutil.ignore_patterns(".cache", "site"))
    converted.clear()
    indexed.clear()
    assert build(runner, twin, tmp_path / "cold").exit_code == 0
    assert sorted(converted) == markdown and sorted(indexed) == markdown
    assert _site(tmp_path / "site") == _site(tmp_path / "cold")


@pytest.mark.packaging
def test_kept_conversions_are_trusted_only_where_they_were_made(project, runner, tmp_path, monkeypatch):
    from support import LIVE

    root = project(LIVE)
    assert build(runner, root, tmp_path / "site").exit_code == 0
    kept = root / ".cache/phasedocs/html.json"
    head, *lines = kept.read_text().split("\n")
    assert json.loads(head)["here"] and {line[:2] for line in lines} == {"h ", "s "}
    # a repository that commits its cache, with a page's HTML and search entries swapped for a script
    poison = {
        "h": json.dumps(["<script>alert(1)</script>", [], None, [], None]),
        "s": json.dumps([{"location": "", "title": "alert(2)", "text": ""}]),
    }
    kept.write_text("\n".join([head, *(line[:67] + poison[line[0]] for line in lines)]))
    converted = _conversions(monkeypatch)
    clone = tmp_path / "clone"
    shutil.copytree(root, clone, ignore=shutil.ignore_patterns("site"))
    assert build(runner, clone, tmp_path / "cloned").exit_code == 0
    assert "alert(1)" not in (tmp_path / "cloned/index.html").read_text()
    assert "alert(2)" not in (tmp_path / "cloned/search/search_index.json").read_text()
    assert sorted(converted) == sorted(rel for rel in tree(root / ".cache/phasedocs/pages") if rel.endswith(".md"))


@pytest.mark.packaging
def test_a_page_that_warns_is_converted_again_and_warns_again(project, runner, tmp_path, monkeypatch):
    from support import LIVE

    root = project({**LIVE, "docs/notes.md": "# Notes\n\nSee [the plan](missing.md).\n"})
    assert build(runner, root, tmp_path / "site").exit_code == 0
    converted = _conversions(monkeypatch)
    # --strict: the broken link's warning stops this build as it stopped none before
    result = build(runner, root, tmp_path / "site", "--strict")
    assert result.exit_code == 1
    assert converted == ["notes.md"]


def test_the_conversions_are_kept_only_for_extensions_known_to_be_pure(tmp_path):
    from mkdocs.config import load_config

    from phasedocs.site.config import MKDOCS_BODY
    from phasedocs.site.mdcache import config_key

    def key(extra: str = "") -> str | None:
        body = MKDOCS_BODY.format(primary="indigo", accent="indigo").replace("  - phasedocs\n", "")
        (tmp_path / "docs").mkdir(exist_ok=True)
        (tmp_path / "mkdocs.yml").write_text(f"site_name: X\n{body}{extra}")
        return config_key(load_config(str(tmp_path / "mkdocs.yml")))

    plain = key()
    assert plain is not None and plain == key()  # the same in every process: no object addresses in it
    assert key("  - pymdownx.snippets\n") is None  # reads other files
    assert key("  - pymdownx.emoji\n") is None
    assert key("  - abbr\n") not in (None, plain)
    # a slug function made with arguments: its name does not say which, so it is not keyed
    slugs = "  - toc:\n      slugify: !!python/object/apply:pymdownx.slugs.slugify {kwds: {case: lower}}\n"
    assert key(slugs) is None


def test_a_page_render_a_plugin_stands_in_for_is_left_to_it(monkeypatch):
    import functools

    from mkdocs.structure.pages import Page

    from phasedocs.site.mdcache import _own

    assert _own(Page.render)
    monkeypatch.setattr(Page, "render", functools.wraps(Page.render)(lambda self, config, files: None))
    assert not _own(Page.render)
