"""``init`` inside a repository that has a site of its own: add phasedocs beside it.

A repository with its own ``mkdocs.yml`` keeps it: ``init`` adds the plugin (its pages
under ``phases/`` of the site, so nothing of the repository's ``docs/`` is replaced),
the markdown extensions the documents use, and a ``Phases`` entry to an explicit nav.
The edit is made on the text, line by line, so comments and order stay as written, and
is shown as a diff before it is applied. A repository that publishes a site already
keeps its workflow: phasedocs' own runs the gate and builds nothing to publish.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from phasedocs.errors import Abort
from phasedocs.input import mkdocs_yml

#: Where the generated pages go in a site of one's own (a folder of the site, not of docs_dir).
PREFIX = "phases"

#: Markdown extensions the documents use, as list items of mkdocs.yml.
EXTENSIONS = {
    "tables": "tables",
    "attr_list": "attr_list",
    "md_in_html": "md_in_html",
    "admonition": "admonition",
    "pymdownx.details": "pymdownx.details",
    "pymdownx.tasklist": "pymdownx.tasklist:\n  custom_checkbox: true",
    "pymdownx.superfences": (
        "pymdownx.superfences:\n  custom_fences:\n    - name: mermaid\n      class: mermaid\n"
        "      format: !!python/name:pymdownx.superfences.fence_code_format"
    ),
}

_PUBLISHES = re.compile(r"actions/deploy-pages|upload-pages-artifact|gh-deploy|peaceiris/actions-gh-pages")


@dataclass
class Adoption:
    """What ``init`` changes in a repository with a site of its own."""

    mkdocs_before: str | None
    mkdocs_after: str | None
    notes: list[str] = field(default_factory=list)
    publishing_workflow: str | None = None
    """The repository's workflow that publishes a site already, if any."""

    @property
    def diff(self) -> str:
        """mkdocs.yml before and after, as a unified diff ('' when unchanged)."""
        if self.mkdocs_before is None or self.mkdocs_before == self.mkdocs_after:
            return ""
        return "".join(
            difflib.unified_diff(
                self.mkdocs_before.splitlines(keepends=True),
                (self.mkdocs_after or "").splitlines(keepends=True),
                "mkdocs.yml",
                "mkdocs.yml (with phasedocs)",
            )
        )


def _top_block(lines: list[str], key: str) -> tuple[int, int] | None:
    """(first, end) line indexes of a top-level ``key:`` block: its line and the lines under it."""
    start = next((i for i, line in enumerate(lines) if re.match(rf"^{re.escape(key)}\s*:", line)), None)
    if start is None:
        return None
    end = start + 1
    while end < len(lines) and (not lines[end].strip() or lines[end][0] in " \t#-"):
        end += 1
    while end > start + 1 and not lines[end - 1].strip():
        end -= 1  # blank lines before the next key stay where they are
    return start, end


def _item_indent(lines: list[str], block: tuple[int, int]) -> str:
    for line in lines[block[0] + 1 : block[1]]:
        m = re.match(r"^(\s*)- ", line)
        if m:
            return m.group(1)
    return "  "


def _append_items(lines: list[str], key: str, items: list[str]) -> list[str]:
    """``items`` (each 'text' or 'text:\\n  nested') added to the top-level list ``key``."""
    block = _top_block(lines, key)
    if block is None:
        body = [f"{key}:"] + [f"  - {item}".replace("\n", "\n  ") for item in items]
        return [*lines, *("\n".join(body).split("\n"))]
    indent = _item_indent(lines, block)
    if re.match(rf"^{re.escape(key)}\s*:\s*\[\s*\]\s*$", lines[block[0]]):
        lines = [*lines[: block[0]], f"{key}:", *lines[block[0] + 1 :]]
    new = [f"{indent}- {item}".replace("\n", "\n" + indent + "  ") for item in items]
    return [*lines[: block[1]], *("\n".join(new).split("\n")), *lines[block[1] :]]


def _names(entries: Any) -> set[str]:
    if isinstance(entries, dict):
        return set(entries)
    names: set[Any] = set()
    for entry in entries or []:
        names.update(entry if isinstance(entry, dict) else [entry])
    return {str(n) for n in names}


def plan(root: Path) -> Adoption:
    """What adding phasedocs to the repository at ``root`` changes; nothing is written."""
    path = root / "mkdocs.yml"
    config = None
    if path.is_file():
        try:  # read first: text that is not UTF-8 is a fault of its settings, not a traceback
            config = mkdocs_yml.settings(path)
        except mkdocs_yml.NotSettings as exc:
            if exc.problem is None:
                raise Abort(
                    f"{path}: expected settings (key: value); fix it first, then run phasedocs init again"
                ) from None
            raise Abort(f"{path}: not YAML ({exc.problem}); fix it first, then run phasedocs init again") from None
    before = path.read_text(encoding="utf-8") if config is not None else None
    adoption = Adoption(before, before)
    if before is not None and config is not None:
        adoption.mkdocs_after = _edit(before, config, adoption.notes)
    workflows = root / ".github" / "workflows"
    if workflows.is_dir():
        for wf in sorted(workflows.glob("*.y*ml")):
            if (
                wf.name != "phasedocs.yml"
                and wf.is_file()
                and _PUBLISHES.search(wf.read_text(encoding="utf-8", errors="replace"))
            ):
                adoption.publishing_workflow = f".github/workflows/{wf.name}"
                adoption.notes.append(
                    f"{adoption.publishing_workflow} publishes your site already: phasedocs' workflow only runs "
                    f"the gate; add `pip install phasedocs` to the job that runs mkdocs there, and the phases "
                    "are in your site"
                )
                break
    return adoption


def _edit(text: str, config: dict[str, Any], notes: list[str]) -> str:
    lines = text.splitlines()
    plugins = config.get("plugins")
    if "phasedocs" not in _names(plugins):
        items = [] if plugins is not None else ["search"]  # a plugins list replaces MkDocs' default search
        items.append(f"phasedocs:\n  prefix: {PREFIX}")
        if isinstance(plugins, dict):
            block = _top_block(lines, "plugins")
            assert block is not None
            lines = [*lines[: block[1]], "  phasedocs:", f"    prefix: {PREFIX}", *lines[block[1] :]]
        else:
            lines = _append_items(lines, "plugins", items)
    have = _names(config.get("markdown_extensions"))
    missing = [text for name, text in EXTENSIONS.items() if name not in have]
    if missing:
        lines = _append_items(lines, "markdown_extensions", missing)
    if "pymdownx.superfences" in have:
        notes.append(
            "pymdownx.superfences is configured already: add the mermaid custom fence to it to see the dependency graphs"
        )
    if isinstance(config.get("nav"), list) and not any(f"{PREFIX}/" in str(e) for e in config["nav"]):
        lines = _append_items(lines, "nav", [f"Phases: {PREFIX}/index.md"])
    return "\n".join(lines) + "\n"


def default_out(project_dir: Path) -> Path:
    """Where ``generate`` writes by default: ``docs/``, or ``docs_dir/phases`` beside a site of one's own.

    Read from mkdocs.yml's phasedocs plugin entry (``prefix:``), so the documents land where
    the site shows them and never among the repository's own pages.
    """
    path = project_dir / "mkdocs.yml"
    if not path.is_file() or path.is_symlink():
        return project_dir / "docs"
    try:
        config = mkdocs_yml.settings(path)
    except (mkdocs_yml.NotSettings, OSError):
        return project_dir / "docs"  # validate and build name the fault; generate needs no site
    plugins = config.get("plugins")
    entries = (
        plugins.items()
        if isinstance(plugins, dict)
        else [next(iter(e.items())) for e in plugins or [] if isinstance(e, dict) and e]
    )
    options = next((opts for name, opts in entries if name == "phasedocs"), None)
    prefix = str(options.get("prefix", "")).strip("/") if isinstance(options, dict) else ""
    docs_dir = config.get("docs_dir", "docs")
    if not prefix or not isinstance(docs_dir, str) or ".." in Path(docs_dir).parts or Path(docs_dir).is_absolute():
        return project_dir / "docs"
    return project_dir / docs_dir / prefix
