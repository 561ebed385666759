"""The site: rendered pages for MkDocs, the default mkdocs.yml, build, serve and deploy.

``render_site`` is what the plugin calls: facts, documents and charts in memory, with
charts cached by content hash under ``.cache/phasedocs/`` so a rebuild draws only
what changed. ``build``/``serve``/``deploy`` back the CLI commands and run MkDocs on
the project's own ``mkdocs.yml`` or, for a project with only ``phases/``, on a default
one written to the cache folder.
"""

from __future__ import annotations

import contextlib
import io
import json
import logging
import os
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from .errors import Abort, PhasedocsError
from .resources import default_site_config
from .stamp import CACHE

# Material prints a banner about its end of life on every run; phasedocs users did not
# choose the theme, so the banner is ours to track (see the README), not theirs to read.
os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


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
    charts_drawn: int = 0
    """Charts drawn this build (the rest came from the cache)."""
    rendered: list[str] = field(default_factory=list)
    """Page groups rendered this build (the rest came from the cache)."""


_LOADED: dict[Path, tuple[str, Any]] = {}


def load_once(root: Path) -> Any:
    """The validated project at ``root``, loaded once per process while its inputs stay the same.

    ``phasedocs build`` checks the input before MkDocs starts, then the plugin needs the
    same project; ``serve`` rebuilds after template edits with the phases unchanged.
    """
    from .stamp import fingerprint
    from .validate import load_project

    root = root.resolve()
    key = fingerprint(root)
    hit = _LOADED.get(root)
    if key is not None and hit is not None and hit[0] == key:
        return hit[1]
    project = load_project(root)
    if key is not None:
        _LOADED[root] = (key, project)
    return project


_ANGLES = str.maketrans({"<": "‹", ">": "›"})


def html_text(text: str) -> str:
    """User text for HTML outside the markdown body: nav titles, the site name.

    Themes print these raw, in text and in attributes (Material's ``aria-label``), and
    Material prints ``page.title | striptags``, which decodes entities once more: an
    escaped ``&lt;img onerror=...&gt;`` would come back to life. So ``<`` and ``>`` become
    the look-alike angle quotes (nothing decodes those into a tag), and the rest is
    entity-escaped, quotes included: no filter can turn the result into markup.
    """
    import html

    from .render import one_line

    return html.escape(one_line(text).translate(_ANGLES), quote=True)





def render_site(root: Path) -> RenderedSite:
    """Validate, compute and render the project at ``root`` for a site build.

    Rendered pages are kept per group (a phase, or the project pages) under
    ``.cache/phasedocs/pages/`` by the digest of their inputs, templates and code, and
    charts under ``.cache/phasedocs/charts/`` by their content hash: a rebuild renders
    and draws only what changed. Entries this build did not use are removed.
    """
    from . import charts
    from .build import group_digest, render_digest
    from .documents import PHASE_DOCUMENTS
    from .facts import compute
    from .render import Renderer
    from .site_config import load_site_config

    site_config = load_site_config(root)
    project = load_once(root)
    facts = compute(project)
    env = Renderer(root)
    style = site_config.charts
    cache = PageCache(root, root / CACHE)
    base = render_digest(project, env, style)

    out = RenderedSite(repo_url=site_config.repo_url or project.config.repo_url, mermaid=mermaid_script())

    def pages_of(name: str, inputs: str, make: Any) -> dict[str, str]:
        """A group's pages from the cache, or rendered by ``make`` and kept."""
        key = group_digest(base, name, inputs)
        pages = cache.get(key)
        if pages is None:
            out.rendered.append(name)
            pages = {uri: data.decode() for uri, data in make().items()}
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
        uri = f"{p.folder}/final-metrics.json"
        out.files[uri] = pages[uri]
        nav.append({html_text(f"Phase {p.number}: {p.phase.title}"): section})
    out.nav = nav

    roadmap = {"roadmap.svg": charts.roadmap_spec(facts)}
    specs["charts/roadmap.svg"] = roadmap["roadmap.svg"]
    inputs = "\0".join(p.source.digest for p in facts.phases)
    out.files.update(pages_of("project", inputs, lambda: env.project_files(facts, roadmap)))

    hashes = {uri: charts.spec_hash(spec, style) for uri, spec in specs.items()}
    missing: dict[str, charts.Spec] = {}
    for uri, digest in hashes.items():
        svg = cache.chart(digest)
        if svg is None:
            missing[uri] = specs[uri]
        else:
            out.files[uri] = svg
    for uri, svg in charts.draw_all(missing, style).items():
        out.files[uri] = svg
        cache.put_chart(hashes[uri], svg)
    out.charts_drawn = len(missing)
    cache.prune(set(hashes.values()))
    return out


class PageCache:
    """Rendered page groups and chart SVGs under ``.cache/phasedocs/`` (see render_site)."""

    def __init__(self, root: Path, folder: Path) -> None:
        from .paths import is_inside

        self.root = root
        self.pages = folder / "pages"
        self.charts = folder / "charts"
        self.used: set[str] = set()
        # a cache that a symlink leads out of the project is not used at all: not read
        # (it would publish what it points at), not written, and above all not pruned
        self.usable = all(is_inside(root, f) for f in (self.pages, self.charts))

    def get(self, key: str) -> dict[str, str] | None:
        """A cached group's pages (site path -> text), or None."""
        self.used.add(key)
        if not self.usable:
            return None
        try:
            data = json.loads((self.pages / f"{key}.json").read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return None
        return data if isinstance(data, dict) and all(isinstance(v, str) for v in data.values()) else None

    def put(self, key: str, data: dict[str, str]) -> None:
        """Keep a group; a read-only checkout simply builds without the cache."""
        from .writer import write_cache

        write_cache(self.root, self.pages / f"{key}.json", json.dumps(data).encode())

    def chart(self, digest: str) -> bytes | None:
        """A cached chart, or None."""
        if not self.usable:
            return None
        try:
            return (self.charts / f"{digest}.svg").read_bytes()
        except OSError:
            return None

    def put_chart(self, digest: str, svg: bytes) -> None:
        """Keep a chart."""
        from .writer import write_cache

        write_cache(self.root, self.charts / f"{digest}.svg", svg)

    def prune(self, charts_used: set[str]) -> None:
        """Remove entries this build did not use, so the cache holds one project's worth."""
        if not self.usable:
            return
        for path in self.pages.glob("*.json"):
            if path.stem not in self.used:
                path.unlink(missing_ok=True)
        for path in self.charts.glob("*.svg"):
            if path.stem not in charts_used:
                path.unlink(missing_ok=True)


def mermaid_script() -> Path:
    """The vendored Mermaid script shipped with phasedocs."""
    return default_site_config() / "assets" / "mermaid" / "mermaid.min.js"


# ----------------------------------------------------------------------------- mkdocs.yml
def default_mkdocs_config(root: Path) -> str:
    """The mkdocs.yml phasedocs uses (and ``init`` writes) for a project."""
    from .site_config import load_site_config

    site = load_site_config(root)
    try:
        name = load_once(root).config.name
    except PhasedocsError:
        name = root.resolve().name
    return mkdocs_yml(html_text(site.site_name or f"{name} phases"), site.site_url, site.repo_url, site.palette.primary, site.palette.accent)


def mkdocs_yml(site_name: str, site_url: str | None, repo_url: str | None, primary: str, accent: str, docs_dir: str | None = None) -> str:
    """The text of a mkdocs.yml with Material, the phasedocs plugin and the extensions the documents use."""
    head: dict[str, Any] = {"site_name": site_name}
    if site_url:
        head["site_url"] = site_url
    if repo_url:
        head["repo_url"] = repo_url
    text = yaml.safe_dump(head, sort_keys=False, allow_unicode=True)
    text += MKDOCS_BODY.format(primary=primary, accent=accent)
    if docs_dir:
        text += (
            "# Hand-written pages to publish beside the generated ones (a folder in git, so a fresh\n"
            "# clone builds); the generated pages come from the plugin, in memory.\n"
            f"docs_dir: {docs_dir}\n"
        )
    return text


PAGES_DIR = "site_config/pages"


MKDOCS_BODY = """\
theme:
  name: material
  font: false                 # system fonts: no request to a font host, works offline
  features:
    - navigation.tabs
    - navigation.sections
    - navigation.prune        # each page carries its own phase's navigation only
    - navigation.top
    - content.code.copy
    - content.action.edit     # "edit this page" opens the phase.yaml the page is made from
    - search.suggest
    - search.highlight
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      primary: {primary}
      accent: {accent}
      toggle:
        icon: material/weather-night
        name: Switch to dark mode
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      primary: {primary}
      accent: {accent}
      toggle:
        icon: material/weather-sunny
        name: Switch to light mode
plugins:
  - search
  - phasedocs
markdown_extensions:
  - tables
  - attr_list
  - md_in_html
  - admonition
  - toc:
      permalink: true
  - pymdownx.details
  - pymdownx.highlight         # code blocks Material can style and give copy buttons
  - pymdownx.tasklist:
      custom_checkbox: true
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
"""


def config_file(root: Path) -> Path:
    """The project's mkdocs.yml, or a default one written under .cache/phasedocs/ (absolute)."""
    root = root.resolve()
    own = root / "mkdocs.yml"
    if own.is_file():
        return own
    from .paths import contained
    from .writer import atomic_write

    cache = contained(root, root / CACHE, "cache folder")
    docs = root / "docs" if (root / "docs").is_dir() else cache / "empty-docs"
    docs.mkdir(parents=True, exist_ok=True)
    text = default_mkdocs_config(root)
    text = text.replace("  - phasedocs\n", f"  - phasedocs:\n      project_dir: {yaml.safe_dump(str(root.resolve())).splitlines()[0]}\n")
    text += f"docs_dir: {yaml.safe_dump(str(docs.resolve())).splitlines()[0]}\n"
    # MkDocs resolves site_dir from the config file's folder; the site belongs in the project
    text += f"site_dir: {yaml.safe_dump(str(root / 'site')).splitlines()[0]}\n"
    path = cache / "mkdocs.yml"
    data = text.encode()
    if not path.is_file() or path.read_bytes() != data:
        atomic_write(path, data, durable=False)  # made again from the project when missing
    return path


class _Collect(logging.Handler):
    """Holds MkDocs' messages while the config loads, so errors print once, in our message."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


def log_to_terminal(level: str = "INFO") -> None:
    """Print MkDocs' log lines at ``level`` (a logging level name) as ``mkdocs`` itself does (once per process)."""
    logger = logging.getLogger("mkdocs")
    if not any(getattr(h, "_phasedocs", False) for h in logger.handlers):
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        handler._phasedocs = True  # type: ignore[attr-defined]
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(level)


def load_config(root: Path, **overrides: Any) -> Any:
    """The MkDocs config of the project, with overrides (site_dir, strict, ...)."""
    from mkdocs import config as mkconfig
    from mkdocs import exceptions

    path = config_file(root)
    collect = _Collect()
    logger = logging.getLogger("mkdocs")
    saved, propagate = logger.handlers[:], logger.propagate
    logger.handlers, logger.propagate = [collect], False
    try:
        with contextlib.chdir(path.parent):
            config = mkconfig.load_config(str(path), **{k: v for k, v in overrides.items() if v is not None})
    except exceptions.MkDocsException as exc:
        errors = [r.getMessage() for r in collect.records if r.levelno >= logging.ERROR]
        details = "\n".join(f"  {m}" for m in errors) or f"  {exc}"
        raise Abort(f"{path}: the MkDocs configuration is invalid:\n{details}") from None
    finally:
        logger.handlers, logger.propagate = saved, propagate
    for record in collect.records:  # warnings of a config that loaded: show them as usual
        logger.handle(record)
    return config


def build(root: Path, site_dir: Path | None = None, strict: bool = False) -> Path:
    """``phasedocs build``: generate everything and build the site with MkDocs."""
    from mkdocs import exceptions
    from mkdocs.commands import build as mkbuild

    from .site_config import load_site_config

    # the plugin validates too, but MkDocs reduces its error to "Aborted with a BuildError!";
    # checking first prints exactly what `phasedocs validate` prints (and the plugin reuses it)
    load_once(root)
    load_site_config(root)
    config = load_config(root, site_dir=str(site_dir.resolve()) if site_dir else None, strict=strict or None)
    try:
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkbuild.build(config)
        finally:
            config.plugins.on_shutdown()
    except exceptions.PluginError as exc:
        raise Abort(str(exc)) from None
    except exceptions.MkDocsException as exc:
        ours = getattr(config.plugins.get("phasedocs"), "error", None)
        raise Abort(str(ours) if isinstance(ours, exceptions.PluginError) else f"the site build failed: {exc}") from None
    return Path(config.site_dir)


def serve(root: Path, dev_addr: str | None = None) -> None:
    """``phasedocs serve``: MkDocs' live-reloading server over the plugin."""
    from mkdocs import exceptions
    from mkdocs.commands import serve as mkserve

    load_once(root)  # invalid input: the validate lines, before a server starts
    path = config_file(root)
    try:
        with contextlib.chdir(path.parent):
            mkserve.serve(config_file=str(path), dev_addr=dev_addr, livereload=True)
    except exceptions.MkDocsException as exc:
        raise Abort(str(exc)) from None
    except OSError as exc:  # the address is taken or cannot be had
        addr = dev_addr or "127.0.0.1:8000"
        raise Abort(f"cannot serve on {addr}: {exc.strerror or exc}; pass another address, e.g. --dev-addr 127.0.0.1:8001") from None


# ----------------------------------------------------------------------------- deploy
def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"})


#: The trailer every deploy commit carries: a local commit with it is phasedocs' own,
#: left unpushed by a deploy that was cut short, and the next deploy may replace it.
DEPLOY_TRAILER = "Deployed-by: phasedocs"


def check_git_names(remote: str, branch: str) -> None:
    """Refuse a remote or branch that git would read as an option or that is no branch name."""
    for what, name in (("remote", remote), ("branch", branch)):
        if not name or name.startswith("-") or any(ch.isspace() or ord(ch) < 32 for ch in name):
            raise Abort(f"--{what} {name!r} is not a {what} name (it must not start with '-' or hold spaces); pass a name such as {'origin' if what == 'remote' else 'gh-pages'}")
    if subprocess.run(["git", "check-ref-format", "--branch", branch], capture_output=True).returncode != 0:
        raise Abort(f"--branch {branch!r} is not a valid git branch name; pass a name such as gh-pages")


def _own_commits(root: Path, base: str | None, tip: str) -> bool:
    """True when every commit in base..tip (all of tip's history without a base) is a deploy commit of phasedocs."""
    bodies = _git(root, "log", "--format=%B%x00", f"{base}..{tip}" if base else tip, "--")
    messages = [m for m in bodies.stdout.split("\0") if m.strip()]
    return bodies.returncode == 0 and bool(messages) and all(DEPLOY_TRAILER in m for m in messages)


def deploy(root: Path, remote: str = "origin", branch: str = "gh-pages", message: str | None = None) -> str:
    """``phasedocs deploy``: build, then commit the site on top of ``branch`` and push it.

    Like ``mkdocs gh-deploy`` (ghp-import), with ``.nojekyll``; the new commit's parent
    is the remote branch's tip, so the published history is extended, never rewritten.
    A local commit of an earlier deploy that never reached the remote (the run was
    killed, the push refused) is recognised by its trailer and replaced. Returns the new
    commit's hash.
    """
    import subprocess as sp
    import tempfile

    import ghp_import

    check_git_names(remote, branch)
    if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise Abort(f"{root} is not inside a git repository; deploy publishes to a branch of one (git init, add a remote)")
    if _git(root, "remote", "get-url", "--", remote).returncode != 0:
        raise Abort(f"no git remote named '{remote}'; add one (git remote add {remote} URL) or pass --remote")
    ref = f"refs/heads/{branch}"
    reach = _git(root, "ls-remote", "--heads", "--", remote, ref)
    if reach.returncode != 0:
        detail = reach.stderr.strip().splitlines()[-1] if reach.stderr.strip() else "no answer"
        raise Abort(f"cannot reach remote '{remote}': {detail}")
    local = _git(root, "rev-parse", "--verify", "--quiet", ref)
    if reach.stdout.strip():
        remote_tip = reach.stdout.split()[0]
        # the remote-tracking ref too: ghp-import starts from it
        fetched = _git(root, "fetch", "--quiet", "--", remote, f"+{ref}:refs/remotes/{remote}/{branch}")
        if fetched.returncode != 0:
            raise Abort(f"cannot fetch '{branch}' from '{remote}': {fetched.stderr.strip()}")
        tip = local.stdout.strip()
        if local.returncode == 0 and _git(root, "merge-base", "--is-ancestor", tip, remote_tip).returncode != 0:
            if not _own_commits(root, remote_tip, tip):
                raise Abort(
                    f"local branch '{branch}' has commits that '{remote}' does not; push or delete it first "
                    f"(git branch -D {branch}), so the published history is not rewritten"
                )
        _git(root, "update-ref", ref, remote_tip)  # replaces an unpushed deploy of ours, or catches up
    elif local.returncode == 0 and _own_commits(root, None, local.stdout.strip()):
        _git(root, "update-ref", "-d", ref)  # only unpushed deploys of ours: the first push starts afresh
    sha = _git(root, "rev-parse", "--short", "HEAD").stdout.strip() or "unknown"
    text = f"{message or f'Deploy phase docs from {sha}'}\n\n{DEPLOY_TRAILER}"
    with tempfile.TemporaryDirectory(prefix="phasedocs-site-") as tmp:
        site = build(root, Path(tmp) / "site")
        try:
            with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()):
                ghp_import.ghp_import(str(site), mesg=text, remote=remote, branch=branch, push=False, force=False, nojekyll=True)
        except (ghp_import.GhpError, sp.CalledProcessError, OSError) as exc:
            raise Abort(f"deploy failed while committing the site: {getattr(exc, 'message', exc)}") from None
    pushed = _git(root, "push", "--porcelain", "--", remote, f"{ref}:{ref}")
    if pushed.returncode != 0:
        lines = [x.removeprefix("remote: ").strip() for x in pushed.stderr.splitlines() if x.strip() and not x.startswith("To ")]
        detail = "; ".join(lines[-3:]) or "no answer"
        raise Abort(
            f"the push to '{remote}' was refused: {detail}. The site commit stays on the local branch '{branch}'; "
            "the next deploy replaces it"
        )
    return _git(root, "rev-parse", ref).stdout.strip()
