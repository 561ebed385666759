"""The MkDocs configuration: the mkdocs.yml phasedocs writes and the one it loads.

A project with its own ``mkdocs.yml`` is built with it; a project with only ``phases/``
gets a default one written under ``.cache/phasedocs/``. MkDocs' own messages about the
config are collected and printed once, inside our error.
"""

from __future__ import annotations

import contextlib
import logging
import os
from pathlib import Path
from typing import Any

import yaml

from phasedocs.errors import Abort, PhasedocsError
from phasedocs.output.caches import CACHE
from phasedocs.paths import inside_project, real_folder
from phasedocs.render.filters import html_text
from phasedocs.site.pages import load_once


def quiet_material() -> None:
    """Silence Material's end-of-life banner for the MkDocs run phasedocs starts.

    Material prints it on import, on every run; phasedocs users did not choose the theme,
    so the banner is ours to track (see the README), not theirs to read. Set when a command
    runs MkDocs, never on import: a library that imports phasedocs keeps its environment.
    """
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")


def default_mkdocs_config(root: Path) -> str:
    """The mkdocs.yml phasedocs uses (and ``init`` writes) for a project."""
    from phasedocs.input.site_config import load_site_config

    try:  # the project as the build loads it, site.yaml included: read once
        project = load_once(root)
        site, name = project.site, project.config.name
    except PhasedocsError:  # site.yaml's own faults, else the folder's name for a project not valid yet
        site, name = load_site_config(root), root.resolve().name
    return mkdocs_yml(
        html_text(site.site_name or f"{name} phases"),
        site.site_url,
        site.repo_url,
        site.palette.primary,
        site.palette.accent,
    )


def mkdocs_yml(
    site_name: str, site_url: str | None, repo_url: str | None, primary: str, accent: str, docs_dir: str | None = None
) -> str:
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
    if own.is_file() or own.is_symlink():
        # a committed mkdocs.yml -> /proc/self/environ would be read (and echoed in errors)
        return inside_project(root, own, "mkdocs.yml", "replace the symlink with the file itself")
    from phasedocs.output.writer import atomic_write

    cache = real_folder(root, root / CACHE, "cache folder")
    if (root / "docs").is_dir():  # a committed docs -> ../.git or -> ~ would be published
        docs = inside_project(root, root / "docs", "pages folder", "replace the symlink with a folder of its own")
    else:
        docs = cache / "empty-docs"
    docs.mkdir(parents=True, exist_ok=True)
    text = default_mkdocs_config(root)
    text = text.replace(
        "  - phasedocs\n", f"  - phasedocs:\n      project_dir: {yaml.safe_dump(str(root.resolve())).splitlines()[0]}\n"
    )
    text += f"docs_dir: {yaml.safe_dump(str(docs.resolve())).splitlines()[0]}\n"
    # MkDocs resolves site_dir from the config file's folder; the site belongs in the project
    text += f"site_dir: {yaml.safe_dump(str(root / 'site')).splitlines()[0]}\n"
    path = cache / "mkdocs.yml"
    data = text.encode()
    if not path.is_file() or path.read_bytes() != data:
        atomic_write(path, data, durable=False)  # made again from the project when missing
    return path


def check_site_dir(root: Path, site_dir: Path | None = None) -> Path:
    """The folder a build empties and writes (``site_dir``, else mkdocs.yml's), checked
    before anything in it is deleted; :class:`Abort` naming it otherwise.

    mkdocs.yml arrives in pull requests too, so its ``site_dir`` (default ``site``, which
    may be a committed symlink) must stay inside the project and out of its inputs and
    ``.git/``, for every build and deploy. A ``--site-dir`` the user names may lie outside
    the project, but never in the inputs nor behind a symlink that leads out of it.
    """
    from phasedocs.input import mkdocs_yml
    from phasedocs.paths import check_output_dir

    root = root.resolve()
    source = config_file(root)
    try:
        raw = mkdocs_yml.settings(source).get("site_dir", "site")
    except (mkdocs_yml.NotSettings, OSError):
        raw = "site"  # MkDocs reports its own file's faults
    configured = source.parent / (raw if isinstance(raw, str) else "site")
    fix = "remove the symlink, or set site_dir in mkdocs.yml to a folder inside the project, such as site"
    inside_project(root, configured, "site folder", fix)
    check_output_dir(root, configured)
    if site_dir is None:
        return configured
    check_output_dir(root, site_dir)
    return site_dir


class _Collect(logging.Handler):
    """Holds MkDocs' messages while the config loads, so errors print once, in our message."""

    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


class _Terminal(logging.StreamHandler):
    """The handler ``log_to_terminal`` adds (recognised so it is added once)."""


def log_to_terminal(level: str = "INFO") -> None:
    """Print MkDocs' log lines at ``level`` (a logging level name) as ``mkdocs`` itself does (once per process)."""
    logger = logging.getLogger("mkdocs")
    if not any(isinstance(h, _Terminal) for h in logger.handlers):
        handler = _Terminal()
        handler.setFormatter(logging.Formatter("%(levelname)-7s -  %(message)s"))
        logger.addHandler(handler)
        logger.propagate = False
    logger.setLevel(level)


def load_config(root: Path, **overrides: Any) -> Any:
    """The MkDocs config of the project, with overrides (site_dir, strict, ...)."""
    from mkdocs import config as mkconfig
    from mkdocs import exceptions

    quiet_material()
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
