"""End to end in a real browser: Debian's Chromium driven by Playwright, offline.

Every request to a host other than the local server is aborted, as on an air-gapped
network; the pages must still show their tables, charts and Mermaid graph.
"""

from __future__ import annotations

import functools
import http.server
import re
import threading
from pathlib import Path

import pytest

from conftest import REPO, require_browser
from phasedocs.site.build import build

pytestmark = pytest.mark.browser
ARTIFACTS = REPO / "tests" / "artifacts"


def _serve(site: Path):
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


@pytest.fixture(scope="module", params=["mkdocs", "zensical"])
def site_url(request, tmp_path_factory):
    """The repository's own site, built by each engine, served on loopback."""
    require_browser()
    out = tmp_path_factory.mktemp("site") / "site"
    if request.param == "zensical":
        pytest.importorskip("zensical")
        from phasedocs.site.zensical import build as build_with_zensical

        site = build_with_zensical(REPO, out)
    else:
        site = build(REPO, out)
    server, url = _serve(site)
    yield url
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
    images = loaded_images(page)
    assert len(images) >= 2
    for img in images:
        assert img.evaluate("img => img.naturalWidth") > 0, img.get_attribute("src")
    page.screenshot(path=str(_artifact("dashboard.png")), full_page=True)


def test_mermaid_graph_renders_to_svg_offline(page, site_url):
    page.goto(site_url + "phase-07/")
    page.wait_for_selector(".mermaid svg", timeout=20_000)
    assert page.locator(".mermaid svg").count() == 1
    page.locator(".mermaid").scroll_into_view_if_needed()
    page.screenshot(path=str(_artifact("package.png")), full_page=False)
    # nothing was asked of another host: no CDN, no repository facts (repo_widget is off)
    assert page.external == []


def test_search_finds_a_task_title(page, site_url, request):
    if request.node.callspec.params["site_url"] == "zensical":
        pytest.skip("Zensical ships a search of its own, with another interface; Material's is tested here")
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


def test_every_column_of_the_handoff_and_dashboard_tables_is_visible_at_1280_px(page, site_url):
    # issue #24: "Against plan" and "Source" hid behind an in-table scroll on a laptop screen
    for path in ("phase-07/COORDINATOR-HANDOFF/", "phase-07/COORDINATION-DASHBOARD/"):
        page.goto(site_url + path)
        tables = page.evaluate(
            """() => [...document.querySelectorAll('article table')].map(t => {
                const wrap = t.closest('.md-typeset__scrollwrap') || t.parentElement;
                return [t.rows[0].innerText.replace(/\\s+/g, ' '), t.scrollWidth, wrap.clientWidth];
            })"""
        )
        assert any(head.startswith("Task State Planned") for head, _, _ in tables), (path, tables)
        for head, width, room in tables:
            assert width <= room, (path, head, width, room)


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_no_page_scrolls_sideways_on_a_phone(browser, site_url, scheme):
    context = browser.new_context(viewport={"width": 390, "height": 844}, color_scheme=scheme, device_scale_factor=2)
    pg = context.new_page()
    try:
        for path in ("", "roadmap/", "phase-07/", "phase-07/COORDINATION-DASHBOARD/", "phase-07/COORDINATOR-HANDOFF/"):
            pg.goto(site_url + path)
            pg.wait_for_load_state("load")
            width = pg.evaluate("document.documentElement.scrollWidth")
            assert width <= 390, (path, width)
        # the smallest text of every chart, as the phone draws it: the variant it chose, scaled to its width
        for path in ("phase-07/COORDINATION-DASHBOARD/", "roadmap/"):
            pg.goto(site_url + path)
            images = loaded_images(pg)
            assert len(images) >= 1
            for img in images:
                src = img.evaluate("img => img.currentSrc")
                assert src.endswith(".narrow.svg"), src
                svg = pg.request.get(src).text()
                view_width = float(re.search(r'viewBox="0 0 ([0-9.]+) ', svg).group(1))
                smallest = min(float(x) for x in re.findall(r"font-size: ([0-9.]+)px", svg))
                shown = img.evaluate("img => img.getBoundingClientRect().width")
                assert smallest * shown / view_width >= 8.0, (src, smallest, shown, view_width)
        pg.goto(site_url + "phase-07/COORDINATION-DASHBOARD/")
        pg.screenshot(path=str(_artifact(f"dashboard-phone-{scheme}.png")), full_page=True)
    finally:
        context.close()


def loaded_images(page):
    """Every image of the page's article, each scrolled to and loaded (lazy images load on sight)."""
    images = page.locator("article img")
    out = []
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete", arg=img.element_handle())
        out.append(img)
    return out


def _artifact(name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS / name
