"""The published site never runs anyone's script: hostile titles and names stay text."""

from __future__ import annotations

import functools
import http.server
import json
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

from conftest import PHASE_YAML, PROJECT_YAML, minimal
from phasedocs.cli import main
from phasedocs.site.build import build

PAYLOAD = '</title><img src=x onerror=alert(1)>" onmouseover="alert(2)" \'><script>alert(3)</script>&lt;img src=y onerror=alert(4)&gt;'


class LiveMarkup(HTMLParser):
    """Collects what a browser would run: event-handler attributes and scripts that call alert."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") and "alert" in (value or ""):
                self.found.append(f"<{tag} {name}={value!r}>")
        self._script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and "alert(" in data:
            self.found.append(f"<script>{data[:60]}")


def live_markup(site: Path) -> list[str]:
    """Every live payload in the built HTML, as 'page: markup'."""
    found = []
    for page in sorted(site.rglob("*.html")):
        parser = LiveMarkup()
        parser.feed(page.read_text(encoding="utf-8"))
        found += [f"{page.relative_to(site)}: {m}" for m in parser.found]
    return found


def hostile_project(project) -> Path:
    """A project whose every free-text field carries the payload, with no mkdocs.yml."""
    text = json.dumps(PAYLOAD)
    project_yaml = PROJECT_YAML.replace("name: Demo", f"name: {text}").replace(
        "summary: A small demo project", f"summary: {text}"
    )
    phase_yaml = (
        PHASE_YAML.replace("title: First", f"title: {text}")
        .replace("title: Alpha", f"title: {text}")
        .replace(
            "role: dev\n    duration_days: 2",
            f"role: {text}\n    agent: {text}\n    goal: {text}\n    duration_days: 2",
        )
        .replace("text: Few warnings", f"text: {text}")
    )
    snapshot = json.dumps(
        {
            "timestamp": "2025-01-07T09:00:00Z",
            "label": PAYLOAD,
            "metrics": {"warnings": 3, "version": PAYLOAD},
            # a blocker's reason and an update's note reach the dashboard, handoff and task pages
            "note": PAYLOAD,
            "tasks": {"1.1": "complete", "1.2": {"state": "blocked", "note": PAYLOAD}},
        }
    )
    return project(
        minimal(
            **{
                "phases/project.yaml": project_yaml,
                "phases/phase-01/phase.yaml": phase_yaml,
                "phases/phase-01/metrics/a.json": snapshot,
            }
        )
    )


def test_hostile_titles_and_names_stay_text_in_every_page(project, tmp_path):
    root = hostile_project(project)
    site = build(root, tmp_path / "site")
    assert live_markup(site) == []
    title = (site / "phase-01/task-1.1-alpha/index.html").read_text()
    assert "<title>1.1 ‹/title›‹img src=x onerror=alert(1)›" in title


def test_the_scanner_finds_live_markup(tmp_path):
    """The check above can fail: it sees what a browser would run."""
    (tmp_path / "a.html").write_text("<title>x</title><img src=x onerror=alert(1)><script>alert(3)</script>")
    assert live_markup(tmp_path) == ["a.html: <img onerror='alert(1)'>", "a.html: <script>alert(3)"]


def test_a_page_symlinked_outside_docs_dir_stops_the_build(project, runner, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("CI_TOKEN=hunter2\n")
    root = project(minimal(**{"mkdocs.yml": "site_name: Demo\nplugins: [phasedocs]\n"}))
    (root / "docs").mkdir()
    (root / "docs/notes.md").symlink_to(secret)
    result = runner.invoke(main, ["build", "--project", str(root), "--site-dir", str(tmp_path / "site")])
    assert result.exit_code == 1
    assert (
        f"phasedocs: refusing {root / 'docs/notes.md'}: a symlink that leads outside {root / 'docs'} (to {secret})"
        in result.output
    )
    assert not any(p.read_text(errors="ignore").count("hunter2") for p in (tmp_path / "site").rglob("*") if p.is_file())


@pytest.mark.browser
def test_no_dialog_fires_on_any_page_of_a_hostile_site(project, tmp_path, browser):
    root = hostile_project(project)
    site = build(root, tmp_path / "site")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    dialogs: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
        assert len(pages) >= 9
        for rel in pages:
            page.goto(base + rel, wait_until="load")
            page.hover("body")
            page.wait_for_timeout(50)
        # and the search, which renders titles from its index
        page.goto(base, wait_until="load")
        page.fill("input.md-search__input", "img")
        page.wait_for_timeout(500)
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert dialogs == []
