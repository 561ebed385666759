"""The MkDocs plugin: ``plugins: [search, phasedocs]`` makes mkdocs build/serve/gh-deploy
generate the phase documents and charts from ``phases/``.

Pages are added in memory with ``File.generated`` (MkDocs 1.6; mkdocs-gen-files instead
writes its pages into a temporary folder and points ``File`` objects at it), never
written into ``docs_dir``, so ``mkdocs serve`` does not loop on its own output; it
watches ``phases/``, ``templates/`` and ``site_config/`` instead. Invalid input stops
the build with the same ``file:line:col`` messages as ``phasedocs validate``.
"""

from __future__ import annotations

import html
import logging
import posixpath
import re
from pathlib import Path
from typing import Any

from mkdocs.config import config_options as c
from mkdocs.config.base import Config
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority
from mkdocs.structure.files import File, Files

from phasedocs.errors import PhasedocsError
from phasedocs.site.pages import ICON_CSS_URI, MERMAID_URI, edited_pages, icon_css, responsive_charts

log = logging.getLogger("mkdocs.plugins.phasedocs")

MERMAID_VERSION = "11.17.2"
_MERMAID_RE = re.compile(r'class="mermaid"')


class PhasedocsConfig(Config):
    """Options under ``plugins: - phasedocs:``."""

    project_dir = c.Optional(c.Type(str))
    """The folder holding phases/; default: the folder of mkdocs.yml."""
    nav = c.Type(bool, default=True)
    """Build the navigation (by phase) when mkdocs.yml has no nav of its own."""
    edit_branch = c.Type(str, default="main")
    """The branch that "edit this page" opens: a page's edit link leads to the input it comes from."""
    prefix = c.Type(str, default="")
    """A folder of the site for every generated page (``phases``), beside a docs_dir of one's own."""


_PREFIX_RE = re.compile(r"[A-Za-z0-9_-]+(?:/[A-Za-z0-9_-]+)*")


def _prefixed(nav: Any, at: Any) -> Any:
    """The generated navigation with every page under the prefix."""
    if isinstance(nav, list):
        return [_prefixed(entry, at) for entry in nav]
    if isinstance(nav, dict):
        return {title: _prefixed(value, at) for title, value in nav.items()}
    return at(nav)


class PhasedocsPlugin(BasePlugin[PhasedocsConfig]):
    """Generates the phase documents and charts as in-memory pages."""

    def on_config(self, config: Any) -> Any:
        """Load, validate and render everything; set the navigation."""
        from phasedocs.site.pages import render_site

        root = Path(self.config.project_dir or Path(config.config_file_path or ".").parent).resolve()
        self.root = root
        prefix = self.config.prefix.strip("/")
        if prefix and not _PREFIX_RE.fullmatch(prefix):
            raise PluginError(
                f"phasedocs: prefix {prefix!r}: a folder of the site such as 'phases' (letters, digits, '-', '_', '/')"
            )
        self.prefix = prefix
        try:
            self.site = render_site(root)
        except PhasedocsError as exc:
            raise PluginError(f"phasedocs: the input is invalid:\n{exc.format_message()}") from None
        # here, before MkDocs empties the site folder: a refusal leaves the last site as it was
        from phasedocs.paths import check_output_dir, check_pages

        try:  # `phasedocs build` checked both already; `mkdocs build` did not
            check_pages(root, Path(config.docs_dir))
            check_output_dir(root, Path(config.site_dir))  # a committed site -> ~ would be emptied
        except PhasedocsError as exc:
            raise PluginError(f"phasedocs: {exc.format_message()}") from None
        problem = edited_pages(Path(config.docs_dir), [self.at(uri) for uri in self.site.files])
        if problem:
            raise PluginError(problem)
        nav = _prefixed(self.site.nav, self.at)
        if self.config.nav and config.nav is None:
            config.nav = nav
        elif self.config.nav and self.prefix and isinstance(config.nav, list):
            # an entry of one's own nav pointing at the prefix ("Phases: phases/index.md") becomes the section
            home = {self.at("index.md"), f"{self.prefix}/"}
            config.nav = [
                {title: nav}
                if isinstance(e, dict) and len(e) == 1 and (title := next(iter(e))) and e[title] in home
                else e
                for e in config.nav
            ]
        if ICON_CSS_URI not in config.extra_css:
            config.extra_css.append(ICON_CSS_URI)  # the state icons (no emoji font needed)
        if not self.site.repo_widget and hasattr(config.theme, "dirs"):
            # no page asks a host for anything at view time unless the user opts in (repo_widget)
            from phasedocs.resources import data

            config.theme.dirs.insert(0, str(data("overrides")))
        from phasedocs.site.mdcache import RenderCache

        self.html = RenderCache(root)  # unchanged pages are not converted again (see mdcache)
        if not config.repo_url and self.site.repo_url:
            config.repo_url = self.site.repo_url
            # MkDocs derives repo_name ("GitHub") while it validates the config, before this
            # hook; without it the theme's header shows "None"
            c.RepoName("repo_url").post_validation(config, "repo_name")
        return config

    @event_priority(50)  # before other plugins look at the files
    def at(self, uri: str) -> str:
        """Where a generated page goes in the site: under the prefix, if one is set."""
        return f"{self.prefix}/{uri}" if self.prefix else uri

    def on_files(self, files: Files, *, config: Any) -> Files:
        """Add every generated page, chart and asset; generated pages replace copies in docs_dir.

        A file of docs_dir that a symlink leads out of it (``notes.md -> /proc/self/environ``)
        stops the build: MkDocs would publish whatever it points at.
        """
        from phasedocs.paths import leaves

        docs = Path(config.docs_dir)
        for f in files:
            src = getattr(f, "abs_src_path", None)
            problem = leaves(docs, Path(src), str(docs)) if src and Path(src).is_relative_to(docs) else None
            if problem:
                raise PluginError(f"phasedocs: refusing {src}: {problem}")
        for uri, content in sorted((self.at(u), text) for u, text in self.site.files.items()):
            existing = files.get_file_from_path(uri)
            if existing is not None:
                files.remove(existing)
            files.append(File.generated(config, uri, content=content))
        files.append(File.generated(config, MERMAID_URI, abs_src_path=str(self.site.mermaid)))
        files.append(File.generated(config, ICON_CSS_URI, content=icon_css()))
        return files

    def on_pre_page(self, page: Any, *, config: Any, files: Files) -> Any:
        """Point "edit this page" at the file the page is made from: its phase.yaml, or project.yaml;
        convert its markdown only if no earlier build converted the same (see mdcache)."""
        self.html.install(page, config, files)
        repo = (config.repo_url or "").rstrip("/")
        if not repo or not re.match(r"^https://(github\.com|gitlab\.com)/", repo):
            return page
        uri = page.file.src_uri.removeprefix(f"{self.prefix}/") if self.prefix else page.file.src_uri
        folder = uri.split("/", 1)[0] if "/" in uri else ""
        source = f"phases/{folder}/phase.yaml" if folder.startswith("phase-") else "phases/project.yaml"
        if uri in self.site.files and self.at(uri) == page.file.src_uri:
            page.edit_url = f"{repo}/edit/{self.config.edit_branch}/{source}"
        return page

    def on_post_page(self, output: str, *, page: Any, config: Any) -> str:
        """Link the Atom feed from every page's head, so feed readers discover it; load the shipped
        Mermaid only on pages that draw a diagram (Material then skips its CDN)."""
        output = responsive_charts(output)
        here = posixpath.dirname(page.file.dest_uri) or "."
        tags = []
        if "feed.xml" in self.site.files:
            href = html.escape(posixpath.relpath(self.at("feed.xml"), here))
            title = html.escape(f"{config.site_name}: phase updates")
            tags.append(f'<link rel="alternate" type="application/atom+xml" title="{title}" href="{href}">')
        if _MERMAID_RE.search(output):
            tags.append(f'<script src="{html.escape(posixpath.relpath(MERMAID_URI, here))}"></script>')
        if not tags:
            return output
        return output.replace("</head>", "".join(f"  {t}\n" for t in tags) + "  </head>", 1)

    def on_env(self, env: Any, *, config: Any, files: Files) -> Any:
        """Index unchanged pages for search as before, without parsing them again (see mdcache)."""
        self.html.install_search(config)
        return env

    def on_post_build(self, *, config: Any) -> None:
        """Keep this build's page conversions for the next (after a build that succeeded only)."""
        self.html.save()

    def on_build_error(self, *, error: Exception) -> None:
        """Keep the error: MkDocs reports a plugin's error only as 'Aborted with a BuildError!'."""
        self.error = error

    def on_serve(self, server: Any, *, config: Any, builder: Any) -> Any:
        """Rebuild when a phase, a snapshot, a template or the site config changes."""
        for name in ("phases", "templates", "site_config"):
            path = self.root / name
            if path.exists():
                server.watch(str(path))
        return server
