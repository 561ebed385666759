"""``phasedocs init``: a new project to start from, never over existing files."""

from __future__ import annotations

from pathlib import Path

from phasedocs import __version__
from phasedocs.commands.schema import schemas
from phasedocs.errors import Abort
from phasedocs.output.writer import atomic_write, create_new
from phasedocs.paths import contained
from phasedocs.resources import data
from phasedocs.site import adopt
from phasedocs.site.adopt import PREFIX, Adoption
from phasedocs.site.config import PAGES_DIR, mkdocs_yml


def plan_files(root: Path) -> dict[str, bytes]:
    """Relative path -> bytes of every file ``init`` creates."""
    read = lambda name: data("scaffold", name).read_bytes()  # noqa: E731 - a local shorthand
    files = {
        "phases/project.yaml": read("project.yaml"),
        "phases/phase-01/phase.yaml": read("phase.yaml"),
        "phases/phase-01/metrics/2025-01-06T09-00-00Z-baseline.json": read("baseline.json"),
        "site_config/site.yaml": read("site.yaml"),
        "mkdocs.yml": mkdocs_yml("My Project phases", None, None, "indigo", "deep orange", PAGES_DIR).encode(),
        f"{PAGES_DIR}/.gitkeep": b"",
        # pinned to the release that wrote it: a later phasedocs may read the files differently
        ".github/workflows/phasedocs.yml": read("workflow.yml").replace(b"__VERSION__", __version__.encode()),
        ".gitignore": read("gitignore"),
    }
    files.update({f"schemas/{name}": data for name, data in schemas().items()})
    return files


def _parents(rel: str) -> list[str]:
    """The folders above ``rel``: 'a/b/c.txt' -> ['a', 'a/b']."""
    parts = rel.split("/")[:-1]
    return ["/".join(parts[: i + 1]) for i in range(len(parts))]


def beside_site(root: Path) -> bool:
    """True when ``root`` is a repository with a site of its own (its mkdocs.yml or its docs/),
    not yet a phasedocs project (whose files init refuses to overwrite, as anywhere)."""
    if (root / "phases" / "project.yaml").exists():
        return False
    return (root / "mkdocs.yml").is_file() or (root / "docs").is_dir()


def adoption_files(root: Path, adoption: Adoption) -> dict[str, bytes]:
    """The files ``init`` creates beside a site of one's own: no pages folder, docs/phases/ ignored."""
    files = plan_files(root)
    del files[f"{PAGES_DIR}/.gitkeep"]
    files[".gitignore"] = data("scaffold", "gitignore-beside").read_bytes()
    if adoption.publishing_workflow is not None:
        gate = data("scaffold", "workflow-gate.yml").read_bytes().replace(b"__VERSION__", __version__.encode())
        files[".github/workflows/phasedocs.yml"] = gate
    if adoption.mkdocs_before is None:  # docs/ without mkdocs.yml: a config that publishes both
        text = mkdocs_yml("My Project", None, None, "indigo", "deep orange", "docs")
        files["mkdocs.yml"] = text.replace("  - phasedocs\n", f"  - phasedocs:\n      prefix: {PREFIX}\n").encode()
    else:
        del files["mkdocs.yml"]
    return files


def init(root: Path, yes: bool = True) -> tuple[list[str], list[str]]:
    """Create the starter project in ``root``; return (created, skipped) paths.

    Refuses, writing nothing, if any file it would create exists, except ``.gitignore``
    and the workflow, which are left as they are (with a note). In a repository with a
    site of its own (:func:`beside_site`), its mkdocs.yml gains the plugin, the
    documents' extensions and a nav entry; without ``yes`` nothing is written.
    """
    adoption = adopt.plan(root) if beside_site(root) else None
    files = plan_files(root) if adoption is None else adoption_files(root, adoption)
    if adoption is not None and not yes:
        return [], []
    blocked = sorted(
        {
            str(root / parent)
            for rel in files
            for parent in _parents(rel)
            if (root / parent).exists() and not (root / parent).is_dir()
        }
    )
    if blocked:
        listing = "\n".join(f"  {path}" for path in blocked)
        raise Abort(
            f"nothing created: these are files where init needs folders:\n{listing}\nMove them aside, or choose an empty folder: phasedocs init DIR"
        )
    keep = {".gitignore", ".github/workflows/phasedocs.yml"} if adoption is not None else {".gitignore"}
    taken = [rel for rel in files if (root / rel).exists() and rel not in keep]
    if taken:
        listing = "\n".join(f"  {root / rel}" for rel in taken)
        raise Abort(
            f"nothing created: these files exist and init never overwrites:\n{listing}\nChoose an empty folder: phasedocs init DIR"
        )
    for rel in files:
        contained(root, root / rel, "to create")
    created, skipped = [], []
    try:
        for rel, data in files.items():
            try:
                create_new(root / rel, data)
                created.append(rel)
            except FileExistsError:
                skipped.append(rel)
        if adoption is not None and adoption.mkdocs_after != adoption.mkdocs_before and adoption.mkdocs_after:
            atomic_write(root / "mkdocs.yml", adoption.mkdocs_after.encode())  # the user said --yes
            created.append("mkdocs.yml")
    except OSError as exc:
        for rel in created:  # all or nothing: a half-made project would refuse the next init
            if rel != "mkdocs.yml":
                (root / rel).unlink(missing_ok=True)
        raise Abort(f"nothing created: cannot write {exc.filename or root}: {exc.strerror or exc}") from None
    return created, skipped
