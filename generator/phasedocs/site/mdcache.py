"""MkDocs' markdown-to-HTML conversion of unchanged pages, kept from the last build.

A site rebuild after one new snapshot changes the pages of one phase and the project's
pages; MkDocs would still convert every page's markdown to HTML again (for a 50-phase
site, a third of the build). :class:`RenderCache` stands in for ``Page.render`` of one
page at a time (the plugin sets it on the page in ``on_pre_page``, just before MkDocs calls
it): a page whose markdown, place in the site, the site's files and the markdown
configuration are exactly those of a page converted before gets the same results
(``content``, ``toc``, title, anchors) without converting; any other page is converted by
MkDocs' own ``Page.render``. Every plugin hook around the conversion still runs.

What the conversion depends on, and so what the key holds: the page's markdown (after
every ``on_page_markdown``), its file (source, destination, URL, inclusion), every file of
the build (links are resolved against them), ``use_directory_urls``, the link validation
levels, the log levels (what is logged, and whether anchors are collected), the markdown
extensions with their configuration, and the versions of the packages doing the work.
The cache is used only when that is knowable: every extension is a known pure one (no
``pymdownx.snippets`` reading other files, no extension object or function from a
project's own code), and the page is MkDocs 1.6's own ``Page``. A conversion that logs
anything (a broken link) is never kept, so its warning, and ``--strict``, stay as they are.

The entries live in one file under ``.cache/phasedocs/``, holding those of the last
build only; it is trusted only in the folder it was written in (its device and inode, as
the validation stamp), so an entry committed to a repository is never served.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any, cast

from phasedocs.output.caches import CACHE

FILE = CACHE / "html.json"
"""The entries of the last build: a JSON header line (format, where it was written), then a line
per entry, ``h KEY JSON`` (a page's conversion) or ``s KEY JSON`` (its search entries); an entry
a build reuses is written back as it was read, not encoded again."""
_FORMAT = 2

#: Markdown extensions whose output is a function of the page's markdown and their
#: configuration alone (no other files read, nothing remembered between pages).
PURE_EXTENSIONS = frozenset(
    [
        *(
            f"{prefix}{name}"
            for prefix in ("", "markdown.extensions.")
            for name in (
                "abbr",
                "admonition",
                "attr_list",
                "def_list",
                "extra",
                "fenced_code",
                "footnotes",
                "legacy_attrs",
                "legacy_em",
                "md_in_html",
                "nl2br",
                "sane_lists",
                "smarty",
                "tables",
                "toc",
                "wikilinks",
            )
        ),
        *(
            f"pymdownx.{name}"
            for name in (
                "arithmatex",
                "betterem",
                "blocks.admonition",
                "blocks.definition",
                "blocks.details",
                "blocks.html",
                "blocks.tab",
                "caret",
                "critic",
                "details",
                "escapeall",
                "fancylists",
                "highlight",
                "inlinehilite",
                "keys",
                "magiclink",
                "mark",
                "progressbar",
                "saneheaders",
                "smartsymbols",
                "superfences",
                "tabbed",
                "tasklist",
                "tilde",
            )
        ),
    ]
)
#: The packages a function named in the extensions' configuration may come from
#: (``!!python/name:pymdownx.superfences.fence_code_format``): versioned, in the key.
_PACKAGES = {
    "markdown": "markdown",
    "pymdownx": "pymdown-extensions",
    "pygments": "pygments",
    "mkdocs": "mkdocs",
    "material": "mkdocs-material",
}
_LOGGERS = ("", "mkdocs", "mkdocs.structure.pages", "MARKDOWN")


class _Uncacheable(Exception):
    """The configuration holds something whose effect on the output the key cannot capture."""


def _canonical(value: Any) -> Any:
    """``value`` as plain JSON data, the same for the same configuration in every process."""
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, list | tuple):
        return [_canonical(v) for v in value]
    if isinstance(value, dict):
        if not all(isinstance(k, str) for k in value):
            raise _Uncacheable
        return {k: _canonical(value[k]) for k in sorted(value)}
    import inspect

    # a module-level function or class of a versioned package, named by its path; never a
    # closure, partial or bound method (``slugify(case="lower")``), whose state the name misses
    plain = inspect.isclass(value) or (inspect.isfunction(value) and value.__closure__ is None)
    module, name = getattr(value, "__module__", None), getattr(value, "__qualname__", None)
    if plain and isinstance(module, str) and isinstance(name, str) and "<" not in name:
        if module.split(".")[0] in _PACKAGES:
            return f"py:{module}:{name}"
    raise _Uncacheable


def _versions() -> list[str]:
    from importlib.metadata import PackageNotFoundError, version

    out = [sys.version]
    for dist in sorted(_PACKAGES.values()):
        try:
            out.append(f"{dist}={version(dist)}")
        except PackageNotFoundError:
            out.append(f"{dist}=-")
    return out


def config_key(config: Any) -> str | None:
    """What every page's conversion depends on in ``config`` (besides the files), or None
    when the configuration cannot be keyed (an extension not known to be pure)."""
    import mkdocs

    if not mkdocs.__version__.startswith("1.6."):
        return None  # Page.render's inputs and results as read here are MkDocs 1.6's
    extensions = config["markdown_extensions"]
    if not all(isinstance(e, str) and e in PURE_EXTENSIONS for e in extensions):
        return None
    try:
        configs = _canonical(config["mdx_configs"] or {})
        links = _canonical({k: int(v) for k, v in dict(config.validation.links).items()})
    except (_Uncacheable, TypeError, ValueError, AttributeError):
        return None
    levels = [logging.getLogger(name).getEffectiveLevel() for name in _LOGGERS]
    data = [_FORMAT, _versions(), list(extensions), configs, bool(config.use_directory_urls), links, levels]
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def _files_key(files: Any) -> str:
    """The files links are resolved against: each file's source, destination, URL and inclusion."""
    h = hashlib.sha256()
    for f in sorted(files, key=lambda f: f.src_uri):
        h.update(f"{f.src_uri}\0{f.dest_uri}\0{f.url}\0{f.inclusion.name}\n".encode())
    return h.hexdigest()


class _Seen(logging.Handler):
    """Notes whether anything was logged (at the levels in force) while a page converted."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        self.count += 1


def _toc_data(items: Any) -> list[Any]:
    return [[a.title, a.id, a.level, _toc_data(a.children)] for a in items]


def _toc_tokens(data: list[Any]) -> list[dict[str, Any]]:
    return [{"name": t, "id": i, "level": lv, "children": _toc_tokens(ch)} for t, i, lv, ch in data]


def _own(function: Any) -> bool:
    """True when ``function`` is MkDocs' own code, not a stand-in a plugin put in its place."""
    code = getattr(function, "__code__", None)
    return code is not None and Path(code.co_filename).parts[-3:] == ("mkdocs", "structure", "pages.py")


class RenderCache:
    """Page conversions by key: read at the start of a build, written after a build that succeeded."""

    def __init__(self, root: Path) -> None:
        from phasedocs.paths import is_real

        self.root = root
        self.path = root / FILE
        self.usable = is_real(root, self.path.parent) and is_real(root, self.path)
        self.old, self.old_search = self._read() if self.usable else ({}, {})
        self.new: dict[str, str] = {}
        self.new_search: dict[str, str] = {}
        self.hits = 0
        self.misses = 0
        self._base: tuple[int, str | None] | None = None

    def _here(self) -> str | None:
        try:
            info = os.stat(self.path.parent)
        except OSError:
            return None
        return f"{info.st_dev}:{info.st_ino}"

    def _read(self) -> tuple[dict[str, str], dict[str, str]]:
        """The entries on file, each as the JSON text it was written as (decoded when used)."""
        try:
            head, _, body = self.path.read_text(encoding="utf-8").partition("\n")
            data = json.loads(head)
        except (OSError, ValueError, RecursionError):
            return {}, {}
        if not isinstance(data, dict) or data.get("format") != _FORMAT or data.get("here") != self._here():
            return {}, {}
        kept: dict[str, dict[str, str]] = {"h": {}, "s": {}}
        for line in body.split("\n"):
            kind, _, rest = line.partition(" ")
            key, _, raw = rest.partition(" ")
            if kind in kept:
                kept[kind][key] = raw
        return kept["h"], kept["s"]

    def install(self, page: Any, config: Any, files: Any) -> None:
        """Make MkDocs' next ``page.render(config, files)`` go through the cache, when it can."""
        from mkdocs.structure.pages import Page

        if type(page) is not Page or "render" in vars(page) or not _own(Page.render):
            return  # another Page, or a render some plugin stands in for: MkDocs' own path
        if self._base is None or self._base[0] != id(files):
            key = config_key(config)
            self._base = (id(files), None if key is None else f"{key}\0{_files_key(files)}")
        base = self._base[1]
        if base is None:
            return

        def render(config: Any, files: Any) -> None:
            del page.render  # once: a later render (a plugin's) is MkDocs' own
            self._render(page, config, files, base)

        vars(page)["render"] = render  # this page only: Page.render stays as it is

    def _render(self, page: Any, config: Any, files: Any, base: str) -> None:
        from mkdocs.structure.pages import Page
        from mkdocs.structure.toc import get_toc

        f = page.file
        text = page.markdown if isinstance(page.markdown, str) else None
        if text is None or base != self._base_for(config, files):
            Page.render(page, config, files)
            return
        head = f"{base}\0{f.src_uri}\0{f.dest_uri}\0{f.url}\0{f.inclusion.name}\0"
        key = hashlib.sha256(head.encode() + text.encode("utf-8", "surrogatepass")).hexdigest()
        raw = self.old.get(key)
        if raw is not None:
            try:
                content, toc, title, anchors, links = json.loads(raw)
                if links is not None:
                    linked = {files.get_file_from_path(uri): dict(a) for uri, a in links}
                    if None in linked:
                        raise ValueError("a linked file is gone")
                page.content = str(content)
                page.toc = get_toc(cast(Any, _toc_tokens(toc)))
                page._title_from_render = title if title is None else str(title)
                page.present_anchor_ids = {str(a) for a in anchors}
                if links is not None:
                    page.links_to_anchors = linked
                self.new[key] = raw
                self.hits += 1
                return
            except (TypeError, ValueError, AttributeError, KeyError, RecursionError):
                pass  # not an entry this code wrote: convert
        seen = _Seen()
        loggers = [logging.getLogger(name) for name in _LOGGERS]
        for logger in loggers:
            logger.addHandler(seen)
        try:
            Page.render(page, config, files)
        finally:
            for logger in loggers:
                logger.removeHandler(seen)
        self.misses += 1
        if seen.count:
            return  # what it logged must be logged again next time
        links = vars(page).get("links_to_anchors")
        self.new[key] = json.dumps(
            [
                page.content,
                _toc_data(page.toc),
                page._title_from_render,
                sorted(page.present_anchor_ids or ()),
                None if links is None else sorted([to.src_uri, dict(a)] for to, a in links.items()),
            ]
        )

    def _base_for(self, config: Any, files: Any) -> str | None:
        return self._base[1] if self._base is not None and self._base[0] == id(files) else None

    def install_search(self, config: Any) -> None:
        """Let Material's search plugin index a page as it indexed the same page before.

        Its index entries of a page are a function of the page's HTML, table of contents,
        URL, title and metadata (and the plugin's configuration and version): the entries
        made from exactly those are added again without parsing the page. Only Material's
        own index, as its version holds it, is stood in for; anything else indexes as it is.
        """
        index = next(
            (
                getattr(plugin, "search_index", None)
                for plugin in config.plugins.values()
                if type(getattr(plugin, "search_index", None)).__module__ == "material.plugins.search.plugin"
            ),
            None,
        )
        if not self.usable or index is None or not isinstance(getattr(index, "entries", None), list):
            return
        jieba = getattr(sys.modules[type(index).__module__], "jieba", None)  # Chinese words split, if installed
        splits = None if jieba is None else str(getattr(jieba, "__version__", "?"))
        try:
            base = json.dumps([_FORMAT, _versions(), splits, _canonical(index.config)], sort_keys=True)
        except _Uncacheable:
            return
        add = index.add_entry_from_context

        def add_entry_from_context(page: Any) -> None:
            try:
                meta = json.dumps(_canonical(page.meta), sort_keys=True)
                what = json.dumps([base, page.url, page.title, meta, _toc_data(page.toc)])
            except (_Uncacheable, TypeError, ValueError):
                add(page)
                return
            key = hashlib.sha256(what.encode() + b"\0" + str(page.content).encode("utf-8", "surrogatepass")).hexdigest()
            raw = self.old_search.get(key)
            try:
                entries = None if raw is None else json.loads(raw)
            except (ValueError, RecursionError):
                entries = None
            if raw is not None and isinstance(entries, list) and all(isinstance(e, dict) for e in entries):
                index.entries.extend(entries)
            else:
                start = len(index.entries)
                add(page)
                try:
                    raw = json.dumps(index.entries[start:])
                except (TypeError, ValueError):
                    return
            self.new_search[key] = raw

        vars(index)["add_entry_from_context"] = add_entry_from_context

    def save(self) -> None:
        """Keep this build's entries (and only those), unless nothing changed."""
        if not self.usable or (
            self.new.keys() == self.old.keys() and self.new_search.keys() == self.old_search.keys() and not self.misses
        ):
            return
        from phasedocs.output.writer import atomic_write

        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            lines = [json.dumps({"format": _FORMAT, "here": self._here()})]
            lines += [f"h {key} {raw}" for key, raw in sorted(self.new.items())]
            lines += [f"s {key} {raw}" for key, raw in sorted(self.new_search.items())]
            atomic_write(self.path, "\n".join(lines).encode(), durable=False)
        except OSError:
            pass  # no cache, no harm: the next build converts again
