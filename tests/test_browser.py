"""End to end in a real browser: Debian's Chromium driven by Playwright, offline.

Every request to a host other than the local server is aborted, as on an air-gapped
network; the pages must still show their tables, charts and Mermaid graph.
"""

from __future__ import annotations

import functools
import http.server
import threading
from pathlib import Path

import pytest

from conftest import REPO, require_browser
from phasedocs.site.build import build

pytestmark = pytest.mark.browser
ARTIFACTS = REPO / "tests" / "artifacts"


@pytest.fixture(scope="module")
def site_url(tmp_path_factory):
    require_browser()
    site = build(REPO, tmp_path_factory.mktemp("site") / "site")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


@pytest.fixture
def page(browser, site_url):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.external = []  # type: ignore[attr-defined]

    def offline(route):
        url = route.request.url
        if url.startswith(site_url) or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            pg.external.append(url)  # type: ignore[attr-defined]
            route.abort()

    pg.route("**/*", offline)
    # Material draws Mermaid into a closed shadow root; open it so the test can see the SVG
    pg.add_init_script(
        "const a = Element.prototype.attachShadow;"
        "Element.prototype.attachShadow = function (o) { return a.call(this, {...o, mode: 'open'}); };"
    )
    yield pg
    context.close()


def test_home_lists_every_phase_and_navigation_reaches_it(page, site_url):
    page.goto(site_url)
    assert "Phase 7: Quality & Infrastructure" in page.locator("article").inner_text()
    page.get_by_role("link", name="Phase 7: Quality & Infrastructure").first.click()
    page.wait_for_load_state()
    assert page.url == site_url + "phase-07/"
    assert page.locator("article h1").first.inner_text().startswith("Phase 7: Coordination Package")


def test_dashboard_shows_metrics_and_its_charts_load(page, site_url):
    page.goto(site_url + "phase-07/COORDINATION-DASHBOARD/")
    table = page.locator("article table").filter(has_text="Clippy Warnings").first
    assert "Clippy Warnings" in table.inner_text()
    images = page.locator("article img")
    assert images.count() >= 2
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=img.element_handle())
        assert img.evaluate("img => img.naturalWidth") > 0, img.get_attribute("src")
    page.screenshot(path=str(_artifact("dashboard.png")), full_page=True)


def test_mermaid_graph_renders_to_svg_offline(page, site_url):
    page.goto(site_url + "phase-07/")
    page.wait_for_selector(".mermaid svg", timeout=20_000)
    assert page.locator(".mermaid svg").count() == 1
    page.locator(".mermaid").scroll_into_view_if_needed()
    page.screenshot(path=str(_artifact("package.png")), full_page=False)
    # nothing but the repository's facts (stars and forks) was asked of another host
    assert all(url.startswith("https://api.github.com/") for url in page.external), page.external


def test_search_finds_a_task_title(page, site_url):
    page.goto(site_url)
    box = page.locator("input.md-search__input")
    box.click()
    # the index loads in a worker; typing before it is ready finds nothing
    page.wait_for_function(
        "() => !document.querySelector('.md-search-result__meta')?.textContent.includes('Initializing')", timeout=30_000
    )
    box.press_sequentially("Configuration System")
    result = page.locator(".md-search-result__item").first
    result.wait_for(timeout=20_000)
    assert "Configuration System" in page.locator(".md-search-result").inner_text()


def test_code_blocks_have_copy_buttons(page, site_url):
    page.goto(site_url + "phase-07/COORDINATOR-HANDOFF/")
    blocks = page.locator("article pre > code")
    assert blocks.count() > 0
    assert page.locator("article button[data-clipboard-target]").count() == blocks.count()


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
