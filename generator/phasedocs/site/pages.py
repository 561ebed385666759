"""The pages of a site build: facts, documents and charts in memory, for the plugin.

``render_site`` is what the plugin calls. Rendered page groups and charts are kept in
:class:`~phasedocs.output.caches.PageCache` by the digest of their inputs, so a rebuild
renders and draws only what changed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phasedocs.output.caches import CACHE, PageCache, fingerprint
from phasedocs.resources import mermaid_script

if TYPE_CHECKING:
    from phasedocs.input.project import Project


@dataclass
class RenderedSite:
    """Everything the plugin adds to a build."""

    files: dict[str, str | bytes] = field(default_factory=dict)
    """Site path (docs-relative) -> content."""
    nav: list[Any] = field(default_factory=list)
    """The navigation, by phase."""
    repo_url: str | None = None
    """repo_url from site_config or project.yaml."""
    mermaid: Path = Path()
    """The vendored Mermaid script."""
    repo_widget: bool = False
    """site.yaml's repo_widget: keep Material's live repository facts."""
    charts_drawn: int = 0
    """Charts drawn this build (the rest came from the cache)."""
    rendered: list[str] = field(default_factory=list)
    """Page groups rendered this build (the rest came from the cache)."""


_LOADED: dict[Path, tuple[str, Any]] = {}


def load_once(root: Path) -> Project:
    """The validated project at ``root``, loaded once per process while its inputs stay the same.

    ``phasedocs build`` checks the input before MkDocs starts, then the plugin needs the
    same project; ``serve`` rebuilds after template edits with the phases unchanged.
    """
    from phasedocs.input.project import load_project

    root = root.resolve()
    key = fingerprint(root)
    hit = _LOADED.get(root)
    if key is not None and hit is not None and hit[0] == key:
        return hit[1]
    project = load_project(root)
    if key is not None:
        _LOADED[root] = (key, project)
    return project


#: The state symbols of the documents, drawn on the site as Material's icons: emoji need an
#: emoji font, and a phone or a server without one shows empty boxes. Each becomes an empty
#: span whose class (``phasedocs-icon pd-met``) draws the icon from one stylesheet
#: (:func:`icon_css`, a CSS mask over the icon's SVG), so pages stay small. The markdown in
#: docs/ keeps the emoji, which every markdown viewer shows. Colours keep 3:1 against both
#: Material's white and its slate background.
ICONS = {
    "✅": ("met", "check-circle", "#2e8b3a"),
    "🌟": ("exceeded", "star-circle", "#1e88e5"),
    "❌": ("missed", "close-circle", "#e53935"),
    "⏳": ("pending", "timer-sand", "#8a8a8a"),
    "🔄": ("running", "progress-clock", "#1e88e5"),
    "🟢": ("green", "circle", "#2e8b3a"),
    "⏸️": ("waiting", "pause-circle", "#8a8a8a"),
    "⛔": ("blocked", "minus-circle", "#e53935"),
    "📋": ("planned", "clipboard-text-outline", "#8a8a8a"),
    "🔵": ("blue", "circle", "#1e88e5"),
    "🟠": ("orange", "circle", "#e8710a"),
    "🔴": ("red", "circle", "#e53935"),
}
#: Where the site serves the vendored Mermaid (both engines load it from there, never a CDN).
MERMAID_URI = "assets/javascripts/mermaid.min.js"
#: Where the site serves the icons' stylesheet.
ICON_CSS_URI = "assets/stylesheets/phasedocs-icons.css"
_ICON_RE = re.compile("(" + "|".join(re.escape(k) for k in sorted(ICONS, key=len, reverse=True)) + ")\ufe0f?")


@functools.cache
def icon_css() -> str:
    """The stylesheet that draws every state icon (Material's SVGs as data URIs: no request)."""
    from importlib.resources import files
    from urllib.parse import quote

    folder = files("material").joinpath("templates", ".icons", "material")
    rules = [
        ".phasedocs-icon{display:inline-block;width:1.15em;height:1.15em;vertical-align:-0.2em;"
        "background-color:currentColor;-webkit-mask:var(--pd-icon) center/contain no-repeat;"
        "mask:var(--pd-icon) center/contain no-repeat}"
    ]
    for name, icon, color in ICONS.values():
        svg = folder.joinpath(f"{icon}.svg").read_text(encoding="utf-8").strip()
        rules.append(f'.phasedocs-icon.pd-{name}{{color:{color};--pd-icon:url("data:image/svg+xml,{quote(svg)}")}}')
    return "\n".join(rules) + "\n"


def with_icons(markdown: str) -> str:
    """``markdown`` with the state emoji drawn as icons (see :data:`ICONS`), outside code spans and fences."""
    out, fenced = [], False
    for line in markdown.split("\n"):
        if line.lstrip().startswith(("```", "~~~")):
            fenced = not fenced
        if fenced or ("`" not in line and not _ICON_RE.search(line)):
            out.append(line)
            continue
        parts = line.split("`")  # even parts are outside code spans
        parts = [p if i % 2 else _ICON_RE.sub(_icon_span, p) for i, p in enumerate(parts)]
        out.append("`".join(parts))
    return "\n".join(out)


def _icon_span(m: Any) -> str:
    return f'<span class="phasedocs-icon pd-{ICONS[m.group(1)][0]}" aria-hidden="true"></span>'


_CHART_IMG = re.compile(r'<img\b[^>]*\bsrc="([^"]*charts/[^"/]+?)\.svg"[^>]*>')


def responsive_charts(html: str) -> str:
    """Each chart image of a built page inside a ``<picture>`` whose narrow variant phones load:
    the full-width chart's text would shrink below 8 CSS px on a 390 px screen."""
    if "charts/" not in html:
        return html

    def wrap(m: Any) -> str:
        narrow = m.group(1) + ".narrow.svg"
        return f'<picture><source media="(max-width: 640px)" srcset="{narrow}">{m.group(0)}</picture>'

    return _CHART_IMG.sub(wrap, html)


def edited_pages(docs: Path, uris: list[str]) -> str | None:
    """Why the build must stop: generated pages in ``docs`` that differ from what ``generate``
    wrote there (edited by hand, or someone else's), which the site would silently replace.
    A copy whose hash the manifest holds is ours and replaced quietly. None when all is well.
    Both engines ask before they build."""
    from phasedocs.output.writer import Manifest, sha256

    manifest = Manifest.read(docs)
    edited = [
        uri
        for uri in sorted(uris)
        if (docs / uri).is_file() and manifest.files.get(uri) != sha256((docs / uri).read_bytes())
    ]
    if not edited:
        return None
    listing = "\n".join(f"  {docs / uri}" for uri in edited)
    return (
        "phasedocs: these generated pages were edited by hand (or written by someone else), "
        f"and the site would silently replace them:\n{listing}\n"
        "Put the change where the page comes from (phases/, templates/), or delete the file; "
        "`phasedocs generate --force` rewrites the pages it wrote (never a file it did not write)."
    )


def render_site(root: Path) -> RenderedSite:
    """Validate, compute and render the project at ``root`` for a site build.

    Rendered pages are kept per group (a phase, or the project pages) under
    ``.cache/phasedocs/pages/`` by the digest of their inputs, templates and code, and
    charts under ``.cache/phasedocs/charts/`` by their content hash: a rebuild renders
    and draws only what changed. Entries this build did not use are removed.
    """
    from phasedocs.charts import specs as charts
    from phasedocs.charts.drawing import draw_all
    from phasedocs.documents import PHASE_DOCUMENTS
    from phasedocs.facts import compute
    from phasedocs.input.site_config import load_site_config
    from phasedocs.pipeline import group_digest, published_tasks, render_digest
    from phasedocs.render.filters import html_text
    from phasedocs.render.renderer import Renderer

    site_config = load_site_config(root)
    project = load_once(root)
    facts = compute(project)
    env = Renderer(root, published_tasks(site_config))
    style = site_config.charts
    cache = PageCache(root, root / CACHE)
    base = render_digest(project, env, site_config, facts.docs_prefix)

    out = RenderedSite(
        repo_url=site_config.repo_url or project.config.repo_url,
        mermaid=mermaid_script(),
        repo_widget=site_config.repo_widget,
    )

    def pages_of(name: str, inputs: str, make: Any) -> dict[str, str]:
        """A group's pages from the cache, or rendered by ``make`` and kept."""
        key = group_digest(base, name, inputs)
        pages = cache.get(key)
        if pages is None:
            out.rendered.append(name)
            # the site's pages, icons included, are what is cached: a cached group costs nothing more
            pages = {uri: data.decode() for uri, data in make().items()}
            pages = {uri: with_icons(text) if uri.endswith(".md") else text for uri, text in pages.items()}
            cache.put(key, pages)
        return pages

    publish = set(site_config.documents)
    nav: list[Any] = [{"Home": "index.md"}, {"Roadmap": "roadmap.md"}]
    # chart specs are cheap data built from facts; only the pages and the drawing are cached
    specs: dict[str, charts.Spec] = {}
    for p in facts.phases:
        phase_specs = charts.phase_specs(p, facts)
        specs.update({f"{p.folder}/charts/{k}": v for k, v in phase_specs.items()})
        pages = pages_of(p.folder, p.source.digest, lambda p=p, s=phase_specs: env.phase_files(facts, p, s))
        section: list[Any] = []
        for name, title in PHASE_DOCUMENTS.items():
            if name in publish:
                uri = f"{p.folder}/{name}"
                out.files[uri] = pages[uri]
                section.append({title: uri})
        if "tasks" in publish:
            tasks = []
            for t in p.tasks:
                uri = f"{p.folder}/{t.task.filename}"
                out.files[uri] = pages[uri]
                tasks.append({html_text(f"{t.id} {t.task.title}"): uri})
            section.append({"Tasks": tasks})
        for name in ("final-metrics.json", "badge.json"):
            out.files[f"{p.folder}/{name}"] = pages[f"{p.folder}/{name}"]
        nav.append({html_text(f"Phase {p.number}: {p.phase.title}"): section})
    out.nav = nav

    roadmap = {"roadmap.svg": charts.roadmap_spec(facts)}
    specs["charts/roadmap.svg"] = roadmap["roadmap.svg"]
    inputs = "\0".join([*(p.source.digest for p in facts.phases), site_config.site_url or ""])  # the feed's links
    out.files.update(pages_of("project", inputs, lambda: env.project_files(facts, roadmap, site_config.site_url)))

    # each chart again for phones (drawing.narrow_style): the site serves it to narrow screens
    from phasedocs.charts.drawing import NARROW_SUFFIX, narrow_style

    narrow = narrow_style(style)
    specs.update({uri.removesuffix(".svg") + NARROW_SUFFIX: spec for uri, spec in list(specs.items())})
    hashes = {
        uri: charts.spec_hash(spec, narrow if uri.endswith(NARROW_SUFFIX) else style) for uri, spec in specs.items()
    }
    missing: dict[str, charts.Spec] = {}
    for uri, digest in hashes.items():
        svg = cache.chart(digest)
        if svg is None:
            missing[uri] = specs[uri]
        else:
            out.files[uri] = svg
    for uri, svg in draw_all(missing, style).items():
        out.files[uri] = svg
        cache.put_chart(hashes[uri], svg)
    out.charts_drawn = len(missing)
    cache.prune(set(hashes.values()))
    return out
