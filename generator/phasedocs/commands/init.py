"""``phasedocs init``: a new project to start from, never over existing files."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from phasedocs import __version__
from phasedocs.commands.schema import schemas
from phasedocs.errors import Abort
from phasedocs.output.writer import atomic_write, create_new
from phasedocs.paths import contained
from phasedocs.resources import data
from phasedocs.site import adopt
from phasedocs.site.adopt import PREFIX, Adoption
from phasedocs.site.config import PAGES_DIR, mkdocs_yml

#: The time the scaffold's files are written with; ``init`` puts the project's own times in its place.
SCAFFOLD_TIME = b"2025-01-06T09:00:00Z"
#: When the scaffold's working day begins (its zone is UTC, its calendar workdays).
MORNING = time(9, 0)


def next_working_morning(now: datetime) -> datetime:
    """The first weekday 09:00 UTC after ``now``: when a project started today can begin work."""
    day = now.astimezone(UTC).date()
    while True:
        morning = datetime.combine(day, MORNING, tzinfo=UTC)
        if day.weekday() < 5 and morning > now:
            return morning
        day += timedelta(days=1)


def parse_start(text: str) -> datetime:
    """``init --start``: a date (work begins at 09:00 UTC) or an ISO 8601 time with a zone; ValueError says why not."""
    from phasedocs.commands.record import parse_at

    try:
        day = date.fromisoformat(text)
    except ValueError:
        return parse_at(text, ZoneInfo("UTC"), "--start").astimezone(UTC)
    return datetime.combine(day, MORNING, tzinfo=UTC)


def _stamp(when: datetime) -> bytes:
    return when.astimezone(UTC).replace(microsecond=0).strftime("%Y-%m-%dT%H:%M:%SZ").encode()


def plan_files(root: Path, start: datetime | None = None, now: datetime | None = None) -> dict[str, bytes]:
    """Relative path -> bytes of every file ``init`` creates, for a phase that starts at ``start``.

    The phase is created, and its baseline taken, ``now``: or at ``start`` if that is earlier
    (a project set up after the fact; tests pass a fixed ``--start`` for a fixed scaffold).
    Without them, the scaffold's own time stands for both.
    """
    read = lambda name: data("scaffold", name).read_bytes()  # noqa: E731 - a local shorthand
    scaffold = datetime.fromisoformat(SCAFFOLD_TIME.decode())
    start, now = start or scaffold, now or scaffold
    created = min(now, start)
    phase = read("phase.yaml")
    for key, when in ((b"created: ", created), (b"start: ", start)):
        assert phase.count(key + SCAFFOLD_TIME) == 1, key  # the scaffold holds each once
        phase = phase.replace(key + SCAFFOLD_TIME, key + _stamp(when))
    baseline = read("baseline.json").replace(SCAFFOLD_TIME, _stamp(created))
    baseline_name = _stamp(created).decode().replace(":", "-")
    files = {
        "phases/project.yaml": read("project.yaml"),
        "phases/phase-01/phase.yaml": phase,
        f"phases/phase-01/metrics/{baseline_name}-baseline.json": baseline,
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


def adoption_files(
    root: Path, adoption: Adoption, start: datetime | None = None, now: datetime | None = None
) -> dict[str, bytes]:
    """The files ``init`` creates beside a site of one's own: no pages folder, docs/phases/ ignored."""
    files = plan_files(root, start, now)
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


def init(
    root: Path, start: str | None = None, now: datetime | None = None, yes: bool = True
) -> tuple[list[str], list[str]]:
    """Create the starter project in ``root``; return (created, skipped) paths.

    Its phase starts at ``start`` (``init --start``), else the next working morning after
    ``now`` (the wall clock: ``init`` writes input, never output). Refuses, writing nothing,
    if any file it would create exists, except ``.gitignore`` and the workflow, which are
    left as they are (with a note). In a repository with a site of its own
    (:func:`beside_site`), its mkdocs.yml gains the plugin, the documents' extensions and
    a nav entry; without ``yes`` nothing is written.
    """
    now = (now or datetime.now(tz=UTC)).astimezone(UTC).replace(microsecond=0)
    try:
        begins = parse_start(start) if start is not None else next_working_morning(now)
    except ValueError as exc:
        raise Abort(f"nothing created: {exc}") from None
    adoption = adopt.plan(root) if beside_site(root) else None
    files = plan_files(root, begins, now) if adoption is None else adoption_files(root, adoption, begins, now)
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
