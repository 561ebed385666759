"""The pipeline: input -> facts -> render and charts -> outputs -> write.

``generate`` passes each stage once, in order: :mod:`phasedocs.input` loads and
validates, :mod:`phasedocs.facts` computes, :mod:`phasedocs.render` and
:mod:`phasedocs.charts` turn facts into bytes in memory (:func:`build`), and only then does
:mod:`phasedocs.output` touch the output folder: invalid input leaves the output as it
was. Pelican's ``Pelican.run`` and mkdocs' ``build()`` also read everything before
writing, but both empty the output folder first (pelican with ``DELETE_OUTPUT_DIRECTORY``,
mkdocs unless ``--dirty``), and pelican logs a file it cannot read and builds without it.
``handoff`` is the same pipeline ending in one document.
"""

from __future__ import annotations

import functools
import hashlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import TYPE_CHECKING, Any

from phasedocs.facts import PhaseFacts, ProjectFacts, compute
from phasedocs.input import records
from phasedocs.input.project import Project, load_project, pick_phase
from phasedocs.output.caches import code_fingerprint
from phasedocs.output.writer import Manifest, WriteReport, sha256, write_tree
from phasedocs.paths import check_output_dir

if TYPE_CHECKING:  # annotations only: render and site_config load Jinja and more
    from phasedocs.input.site_config import SiteConfig
    from phasedocs.render.renderer import Renderer


@dataclass
class Outputs:
    """Everything one run will write, decided before writing."""

    files: dict[str, bytes] = field(default_factory=dict)
    """Rendered this run: path -> bytes."""
    keep: dict[str, str] = field(default_factory=dict)
    """Not re-rendered (inputs unchanged): path -> hash on record."""
    kept: dict[str, bytes] = field(default_factory=dict)
    """The bytes of the files in ``keep``, when the build's :class:`Shape` reads them back (the site)."""
    groups: dict[str, dict[str, object]] = field(default_factory=dict)
    """Manifest groups: name -> {"digest", "files"}."""
    rendered: list[str] = field(default_factory=list)
    """Names of the groups rendered this run."""
    charts_drawn: int = 0
    """Charts actually drawn (not reused) this run."""
    warnings: tuple[str, ...] = ()
    """The project's warnings (files in metrics/ that are not snapshots), for the CLI to print."""


def docs_prefix(project_dir: Path, out_dir: Path) -> str:
    """How task files are named in protocol commands: the output folder from the project."""
    try:
        rel = out_dir.resolve().relative_to(project_dir.resolve())
    except ValueError:
        return ""
    text = rel.as_posix()
    return "" if text in ("", ".") else text + "/"


def published_tasks(site: SiteConfig) -> str | None:
    """The site's URL when site.yaml sets one and the site publishes the task pages: commands
    then name a task's file by its page there, which exists wherever they run (docs/ is
    ignored by git, so an agent launched from a fresh clone would find no file in it)."""
    return site.site_url if site.site_url and "tasks" in site.documents else None


def _digest(*parts: str) -> str:
    return hashlib.sha256("\0".join(parts).encode()).hexdigest()[:16]


def render_digest(project: Project, renderer: Renderer, site: SiteConfig, docs_prefix: str) -> str:
    """What every group's output depends on besides its facts (used by ``generate`` and the site).

    phasedocs' code and the charts registered, project.yaml (the facts' settings, time zone and calendar), the
    templates, site.yaml (chart style, site URL, the documents the site publishes) and the
    folder that commands name task files by. What a group shows of the phases is in its
    own digest (:func:`output_groups`).
    """
    from phasedocs.charts.registry import code_digest

    # the registry's digest: a chart registered from outside the package changes what is drawn
    return _digest(
        code_fingerprint(), code_digest(), project.config_digest, renderer.digest, records.dump_json(site), docs_prefix
    )


def group_digest(base: str, name: str, inputs: str) -> str:
    """The digest of one group (a phase, or the project pages) from ``render_digest`` and its inputs."""
    return _digest(base, name, inputs)


def facts_digest(p: PhaseFacts) -> str:
    """A digest of everything computed about phase ``p``: equal digests, equal facts.

    Facts are immutable records whose repr shows every field (dataclasses and input
    models), and they hold no link back to the raw input, so their repr is their content.
    A phase's facts read the whole project (staleness against the newest snapshot anywhere,
    the forecast's history of finished tasks, sequence warnings), so this digest, not the
    phase's own input files, says when its pages change.
    """
    return _digest(repr(tuple(getattr(p, f.name) for f in fields(p))))


@dataclass(frozen=True)
class Group:
    """One group of output files: a phase's, or the project's (index, roadmap, feed, status)."""

    name: str
    """The phase's folder, or ``project``."""
    digest: str
    """What its files are made from: the same digest, the same bytes."""
    charts: Callable[[], dict[str, Any]]
    """Its charts: output path -> chart spec (what :func:`~phasedocs.charts.drawing.draw_all` draws);
    made only for a group that is built (a reused one needs none)."""
    render: Callable[[], dict[str, bytes]]
    """Renders its documents and data files: output path -> bytes."""


def output_groups(project: Project, facts: ProjectFacts, env: Renderer) -> list[Group]:
    """Every group of output files, each with its digest: the one place facts become files.

    ``generate`` writes them to ``docs/``, the site build keeps its shape of them under
    ``.cache/phasedocs/pages/`` (:func:`build` for both). The built-in templates render a
    phase's documents from its own facts and the project's settings only, so a phase's
    digest is its facts' digest; a project's own templates may read any phase
    (``facts.phases``), and then every phase's digest covers all of them.
    """
    from phasedocs.charts import specs as charts

    base = render_digest(project, env, project.site, facts.docs_prefix)
    digests = {p.folder: facts_digest(p) for p in facts.phases}
    everything = _digest(*digests.values())
    own = env.own_templates
    out = []
    for p in facts.phases:
        specs = functools.cache(functools.partial(charts.phase_specs, p, facts))  # one set, for documents and drawing
        inputs = everything if own else digests[p.folder]
        out.append(
            Group(
                p.folder,
                group_digest(base, p.folder, inputs),
                functools.partial(_under, f"{p.folder}/charts/", specs),
                functools.partial(_phase_files, env, facts, p, specs),
            )
        )
    project_charts = functools.cache(functools.partial(charts.project_specs, facts))  # the roadmap
    site_url = project.site.site_url
    out.append(
        Group(
            "project",
            group_digest(base, "project", _digest(everything, site_url or "")),  # the feed's links hold the site's URL
            functools.partial(_under, "charts/", project_charts),
            lambda: env.project_files(facts, project_charts(), site_url),
        )
    )
    return out


def _phase_files(
    env: Renderer, facts: ProjectFacts, p: PhaseFacts, specs: Callable[[], dict[str, Any]]
) -> dict[str, bytes]:
    return env.phase_files(facts, p, specs())


def _under(folder: str, specs: Callable[[], dict[str, Any]]) -> dict[str, Any]:
    """Chart specs by output path: ``specs()``'s names under ``folder``."""
    return {folder + name: spec for name, spec in specs().items()}


@dataclass(frozen=True)
class Shape:
    """How one kind of build shapes the groups' files: ``docs/`` takes them as they are (:data:`DOCS`);
    the site (:func:`phasedocs.site.pages.render_site`) keeps the pages it publishes, draws state
    icons and adds a phone variant of each chart."""

    pages: Callable[[str, dict[str, bytes]], dict[str, bytes]] | None = None
    """(group name, its rendered files) -> the files this build keeps; None: all, unchanged."""
    narrow: bool = False
    """Each chart also drawn for phones (``X.narrow.svg``, see drawing.narrow_style)."""
    read_back: bool = False
    """The files reused from the output folder are read into :attr:`Outputs.kept` (the site serves them from memory)."""


DOCS = Shape()
"""``generate``'s shape: every file as rendered."""


Progress = Callable[[str, int, int], None]
"""progress(what, done, total): called as groups are rendered and charts drawn."""


def _silent(what: str, done: int, total: int) -> None:
    """The default progress report: none."""


def build(
    project: Project,
    facts: ProjectFacts,
    out_dir: Path | None,
    *,
    force: bool = False,
    draw: bool = True,
    progress: Progress = _silent,
    shape: Shape = DOCS,
) -> Outputs:
    """Render what changed since the manifest in ``out_dir`` (everything if None or forced).

    The one incremental build: ``generate`` plans ``docs/``, the site its folder under
    ``.cache/phasedocs/``; both then write the outputs with :func:`~phasedocs.output.writer.write_tree`.
    A group whose digest matches the manifest and whose files are untouched on disk is
    neither rendered nor drawn. In a group that is re-rendered, each chart is drawn only
    when its own content hash changed.
    """
    from phasedocs.charts import specs as charts
    from phasedocs.charts.drawing import NARROW_SUFFIX, draw_all, narrow_style
    from phasedocs.render.renderer import Renderer

    style = project.site.charts
    narrow = narrow_style(style)
    env = Renderer(project.root, published_tasks(project.site))
    manifest = Manifest.read(out_dir) if out_dir is not None and not force else Manifest()
    result = Outputs()
    to_draw: dict[str, charts.Spec] = {}
    drawn_hashes: dict[str, str] = {}  # their spec_hash, computed once for the manifest and the drawing

    def on_disk_as_recorded(rel: str) -> bool:
        recorded = manifest.files.get(rel)
        if recorded is None or out_dir is None:
            return False
        try:
            data = (out_dir / rel).read_bytes()
        except OSError:
            return False
        if sha256(data) != recorded:
            return False
        if shape.read_back:
            result.kept[rel] = data
        return True

    def reuse(name: str, digest: str) -> bool:
        old = manifest.groups.get(name)
        if not old or old.get("digest") != digest:
            return False
        paths = old.get("files")
        if not isinstance(paths, list) or not all(on_disk_as_recorded(rel) for rel in paths):
            return False
        for rel in paths:
            result.keep[rel] = manifest.files[rel]
        result.groups[name] = dict(old)
        return True

    def add_charts(name: str, specs: dict[str, charts.Spec]) -> dict[str, str]:
        old = manifest.groups.get(name, {}).get("charts", {})
        hashes = {}
        for rel, spec in specs.items():
            h = charts.spec_hash(spec, narrow if rel.endswith(NARROW_SUFFIX) else style)
            hashes[rel] = h
            if isinstance(old, dict) and old.get(rel) == h and on_disk_as_recorded(rel):
                result.keep[rel] = manifest.files[rel]
            elif draw:
                to_draw[rel] = spec
                drawn_hashes[rel] = h
        return hashes

    groups = output_groups(project, facts, env)
    for done, group in enumerate(groups, 1):
        what = "index and roadmap" if group.name == "project" else group.name
        if reuse(group.name, group.digest):
            progress(f"{what} unchanged", done, len(groups))
            continue
        files = group.render()
        if shape.pages is not None:
            files = shape.pages(group.name, files)
        specs = group.charts()
        if shape.narrow:
            specs.update({rel.removesuffix(".svg") + NARROW_SUFFIX: spec for rel, spec in list(specs.items())})
        result.files.update(files)
        hashes = add_charts(group.name, specs)
        result.groups[group.name] = {"digest": group.digest, "files": sorted([*files, *hashes]), "charts": hashes}
        result.rendered.append(group.name)
        progress(what if group.name == "project" else f"{what} rendered", done, len(groups))
    if to_draw:
        progress(f"drawing {len(to_draw)} charts", 0, len(to_draw))
        result.files.update(draw_all(to_draw, style, hashes=drawn_hashes))
        result.charts_drawn = len(to_draw)
        progress(f"drew {len(to_draw)} charts", len(to_draw), len(to_draw))
    return result


def generate(
    project_dir: Path, out_dir: Path, *, force: bool = False, progress: Progress = _silent
) -> tuple[Outputs, WriteReport]:
    """``phasedocs generate``: validate, compute, render what changed, then write."""
    check_output_dir(project_dir, out_dir)
    prefix = docs_prefix(project_dir, out_dir)
    project = load_project(project_dir, prefix)
    facts = compute(project, prefix)
    result = build(project, facts, out_dir, force=force, progress=progress)
    result.warnings = project.warnings
    report = write_tree(out_dir, result.files, keep=result.keep, groups=result.groups, force=force)
    return result, report


def find_phase(facts: ProjectFacts, phase: str) -> PhaseFacts:
    """The facts of phase ``phase`` ('7', '07' or 'phase-07'); :class:`Abort` if unknown."""
    return pick_phase(list(facts.phases), [p.number for p in facts.phases], phase)


def handoff(project_dir: Path, phase: str, output: Path | None = None) -> str:
    """``phasedocs handoff``: the COORDINATOR-HANDOFF document of one phase, as text
    (with ``output``, the text :func:`handoff_files` writes there)."""
    if output is not None:
        return handoff_files(project_dir, phase, output)[output]
    return printed_handoff(project_dir, phase)[0]


@dataclass(frozen=True)
class _HandoffLinks:
    """What both handoff commands decide alike: the phase, and where the handoff's links lead."""

    facts: ProjectFacts
    p: PhaseFacts
    prefix: str
    """How commands name the generated folder from the project (``docs/``)."""
    published: str | None
    """The site's URL when it publishes the task pages (:func:`published_tasks`)."""
    base: str
    """The phase's folder on the published site; empty when site.yaml has no ``site_url``."""
    names: frozenset[str]
    """The phase's task files."""

    def page(self, target: str) -> str:
        """The page of link ``target`` on the published site."""
        return self.base + _page_url(target)

    def to(self, target: str, task_dir: str, generated: Callable[[str], str]) -> str:
        """Where link ``target`` leads: a task file into ``task_dir`` (where the commands name it);
        another page to the published site when there is one, else to ``generated(target)``."""
        if target.partition("#")[0] in self.names:
            return task_dir + target
        return self.page(target) if self.base else generated(target)


def _handoff_links(project_dir: Path, phase: str) -> _HandoffLinks:
    """Phase ``phase`` of the project, computed as the handoff commands read it, and how its links lead."""
    prefix = docs_prefix(project_dir, project_dir / "docs")
    project = load_project(project_dir, prefix)
    facts = compute(project, prefix)
    p = find_phase(facts, phase)
    site = project.site
    base = site.site_url.rstrip("/") + f"/{p.folder}/" if site.site_url else ""
    names = frozenset(t.task.filename for t in p.tasks)
    return _HandoffLinks(facts, p, prefix, published_tasks(site), base, names)


def _published_handoff(project_dir: Path, links: _HandoffLinks) -> str:
    """The handoff when the site publishes the task pages: every link, commands' too, to its page there."""
    from phasedocs.render.renderer import Renderer

    return relink(Renderer(project_dir, links.published).handoff(links.facts, links.p), links.page)


def printed_handoff(project_dir: Path, phase: str) -> tuple[str, tuple[str, ...]]:
    """The handoff as ``phasedocs handoff`` prints it, and the files it names that are missing
    or out of date here.

    Printed, it is read away from the package: its links name the generated files from the
    project (``docs/phase-07/README.md``), as its commands do, or the published pages when
    the site has them. The generated folder is ignored by git and may be missing or older
    than the data in this clone: such files are listed, so the command can say to generate.
    """
    from phasedocs.render.renderer import Renderer

    links = _handoff_links(project_dir, phase)
    if links.published:
        return _published_handoff(project_dir, links), ()
    facts, p, prefix = links.facts, links.p, links.prefix
    renderer = Renderer(project_dir, None)
    text = renderer.handoff(facts, p)
    # the task files its commands name, as generate writes them: present and current here?
    docs = project_dir / prefix
    stale = tuple(
        f"{prefix}{rel}"
        for rel, body in renderer.phase_documents(facts, p).items()
        if rel.rpartition("/")[2] in links.names and not _holds(docs / rel, body)
    )
    folder = f"{prefix}{p.folder}/"  # task files where the commands name them; the rest published, if it is
    return relink(text, lambda t: links.to(t, folder, lambda t: folder + t)), stale


def _holds(path: Path, text: str) -> bool:
    """True when ``path`` is a file holding exactly ``text``."""
    try:
        return path.is_file() and path.read_bytes() == text.encode("utf-8")
    except OSError:
        return False


def handoff_files(project_dir: Path, phase: str, output: Path) -> dict[Path, str]:
    """``phasedocs handoff --output FILE``: FILE's text, and every file its commands name.

    Written on its own, away from the package, the handoff's links to the package's other
    pages lead to the published site when site.yaml has a ``site_url``, else to the
    generated ``docs/`` folder, relative to FILE. Its commands must name task files that
    exist where they run: the published task pages when the site has them, else the
    phase's task files, written beside FILE in ``<FILE's name>-tasks/`` (docs/ is ignored
    by git and may never have been generated).
    """
    from phasedocs.render.renderer import Renderer

    links = _handoff_links(project_dir, phase)
    if links.published:
        return {output: _published_handoff(project_dir, links)}
    facts, p = links.facts, links.p
    tasks_dir = output.parent / f"{output.stem}-tasks"
    where = Path(os.path.abspath(tasks_dir))
    try:  # commands run in the project: name the folder from there when it lies inside
        named = where.relative_to(os.path.abspath(project_dir)).as_posix()
    except ValueError:
        named = where.as_posix()
    env = Renderer(project_dir, named + "/")
    docs = Path(os.path.abspath(project_dir / "docs" / p.folder))

    def generated(start: Path) -> Callable[[str], str]:  # the generated docs/, relative to ``start``
        return lambda target: Path(os.path.relpath(docs, start), target).as_posix()

    from_output, from_tasks = generated(Path(os.path.abspath(output)).parent), generated(where)
    text = env.handoff(facts, p)
    files = {output: relink(text, lambda t: links.to(t, f"{tasks_dir.name}/", from_output))}
    for rel, doc in env.phase_documents(facts, p).items():
        name = rel.rpartition("/")[2]
        if name in links.names:
            files[tasks_dir / name] = relink(doc, lambda t: links.to(t, "", from_tasks))
    return files


_LINK_RE = re.compile(r"\]\((?![a-z][a-z0-9+.-]*:|#|/)([^)\s]+)\)", re.IGNORECASE)


def relink(text: str, to: Callable[[str], str]) -> str:
    """``text`` with every relative markdown link target passed through ``to``."""
    return _LINK_RE.sub(lambda m: f"]({to(m.group(1))})", text)


def _page_url(target: str) -> str:
    """A page's URL on the site (directory URLs): ``README.md`` -> ``./``, ``X.md`` -> ``X/``."""
    path, sep, anchor = target.partition("#")
    if path == "README.md":
        path = ""
    elif path.endswith(".md"):
        path = path.removesuffix(".md") + "/"
    return path + sep + anchor
