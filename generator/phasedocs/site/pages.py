"""The pages of a site build: facts, documents and charts in memory, for both engines.

``render_site`` is what the MkDocs plugin and the Zensical staging call: the same
incremental build as ``generate`` (:func:`phasedocs.pipeline.build`) in the site's shape,
kept under ``.cache/phasedocs/pages/``, so a rebuild renders and draws only what changed.
"""

from __future__ import annotations

import contextlib
import functools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phasedocs.output.caches import SITE_CACHE, fingerprint
from phasedocs.resources import mermaid_script

if TYPE_CHECKING:
    from phasedocs.input.project import Project
    from phasedocs.pipeline import Shape


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


def site_shape(publish: tuple[str, ...] | list[str]) -> Shape:
    """The site's shape of the build (see :class:`~phasedocs.pipeline.Shape`): of a phase, the
    documents site.yaml publishes (``publish``), its data files and charts; state icons drawn
    in every page; every chart also drawn for phones."""
    from phasedocs.documents import PHASE_DOCUMENTS
    from phasedocs.pipeline import Shape

    def published(name: str) -> bool:
        if name in PHASE_DOCUMENTS:
            return name in publish
        return "tasks" in publish or not name.endswith(".md")  # a task file, or final-metrics.json and badge.json

    def pages(group: str, files: dict[str, bytes]) -> dict[str, bytes]:
        out = {}
        for rel, data in files.items():
            if group != "project" and not published(rel.rpartition("/")[2]):
                continue
            out[rel] = with_icons(data.decode("utf-8")).encode("utf-8") if rel.endswith(".md") else data
        return out

    return Shape(pages=pages, narrow=True, read_back=True)


def render_site(root: Path) -> RenderedSite:
    """Validate, compute and render the project at ``root`` for a site build.

    The same incremental build as ``generate`` (:func:`phasedocs.pipeline.build`), in the
    site's shape, kept under ``.cache/phasedocs/pages/`` with its manifest as ``docs/``
    keeps its own: a rebuild renders only the groups whose facts changed and draws only
    the charts whose content changed; what the site no longer has is removed. The pages
    are served from memory; a cache that cannot be written (a read-only checkout) or that
    a symlink leads elsewhere is not used.
    """
    from phasedocs.documents import PHASE_DOCUMENTS
    from phasedocs.errors import Abort
    from phasedocs.facts import compute
    from phasedocs.output.writer import write_tree
    from phasedocs.paths import is_real
    from phasedocs.pipeline import build
    from phasedocs.render.filters import html_text

    project = load_once(root)
    site_config = project.site
    facts = compute(project)
    folder = root / SITE_CACHE
    usable = is_real(root, folder)
    result = build(project, facts, folder if usable else None, shape=site_shape(site_config.documents))
    if usable:
        with contextlib.suppress(Abort):  # no cache, no harm: the pages are in memory
            write_tree(folder, result.files, keep=result.keep, groups=result.groups, force=True, durable=False)
    built = {**{rel: result.kept[rel] for rel in result.keep}, **result.files}  # exactly what the build kept and made
    out = RenderedSite(
        repo_url=site_config.repo_url or project.config.repo_url,
        mermaid=mermaid_script(),
        repo_widget=site_config.repo_widget,
        charts_drawn=result.charts_drawn,
        rendered=result.rendered,
    )
    out.files = {uri: data if uri.endswith(".svg") else data.decode("utf-8") for uri, data in sorted(built.items())}
    publish = set(site_config.documents)
    nav: list[Any] = [{"Home": "index.md"}, {"Roadmap": "roadmap.md"}]
    for p in facts.phases:
        section: list[Any] = [
            {title: f"{p.folder}/{name}"} for name, title in PHASE_DOCUMENTS.items() if name in publish
        ]
        if "tasks" in publish:
            tasks = [{html_text(f"{t.id} {t.task.title}"): f"{p.folder}/{t.task.filename}"} for t in p.tasks]
            section.append({"Tasks": tasks})
        nav.append({html_text(f"Phase {p.number}: {p.phase.title}"): section})
    out.nav = nav
    return out
