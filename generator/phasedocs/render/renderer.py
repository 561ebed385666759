"""Render documents from facts through Jinja templates into ``{path: bytes}``.

Templates live in the package's ``templates/``; a project's own ``templates/``
overrides any of them by name (a ``ChoiceLoader``). The environment is sandboxed and
strict (``StrictUndefined``): a typo in a template is a :class:`TemplateError` naming
the template and its line. Templates receive facts and formatting filters only; the
one escaping filter, ``md``, turns any user string into literal markdown text.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
from dataclasses import replace
from pathlib import Path
from typing import Any

import jinja2
from jinja2.bccache import Bucket
from jinja2.loaders import split_template_path

from phasedocs.documents import PHASE_DOCUMENTS, PROJECT_DOCUMENTS
from phasedocs.errors import TemplateError
from phasedocs.facts import PhaseFacts, ProjectFacts
from phasedocs.formats import dumps
from phasedocs.input import protocol
from phasedocs.paths import contained, inside_project
from phasedocs.render.feeds import atom_feed, badge, status
from phasedocs.render.filters import (
    Formatter,
    change,
    code,
    commit,
    fence,
    gauge,
    health,
    link,
    md,
    number,
    state,
    target,
    tidy,
    time_basis,
    trend,
    url,
    value,
    variance,
)
from phasedocs.render.final_metrics import final_metrics
from phasedocs.render.mermaid import mermaid_graph
from phasedocs.render.views import PhaseView, ProjectView
from phasedocs.resources import builtin_templates
from phasedocs.sandbox import LimitedSandbox, SandboxLimit, TreeFault
from phasedocs.units import DAYS, Span

#: The largest document a template may render, in characters (and any string it builds).
MAX_DOCUMENT = 20_000_000


class ContainedLoader(jinja2.FileSystemLoader):
    """A template folder whose templates must stay inside it: a template that is a symlink
    to ``/proc/self/environ`` would otherwise publish the CI's secrets.

    Each template file is read once per run: ``read`` (filename -> bytes) is shared with
    :attr:`Renderer.digest`, which reads every template to hash it before any is rendered.
    """

    def __init__(self, folder: Path, read: dict[str, bytes] | None = None) -> None:
        super().__init__(str(folder))
        self.folder = folder
        self.read: dict[str, bytes] = {} if read is None else read

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        """The template's source, refused when it resolves outside the folder."""
        filename = os.path.normpath(posixpath.join(str(self.folder), *split_template_path(template)))
        if not os.path.isfile(filename):
            raise jinja2.TemplateNotFound(template)
        contained(self.folder, Path(filename), "template")
        data = self.read.get(filename)
        if data is None:
            data = self.read[filename] = Path(filename).read_bytes()
        # as open() in text mode reads it (universal newlines), which FileSystemLoader did
        text = data.decode("utf-8").replace("\r\n", "\n").replace("\r", "\n")
        return text, filename, lambda: True  # one Renderer per run: templates do not change under it


class CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the process, shared by every :class:`Renderer`.

    Each run makes a new environment (its loader reads this run's files), and compiling a
    template costs ten times rendering it: a long-lived process (``serve``, the MkDocs
    plugin's rebuilds) would compile every template again on each build. The key is the
    template's name, file and source (Jinja's bucket key and checksum), so an edited template
    is compiled anew; a template the sandbox refuses is never stored. Every Renderer's
    environment is configured alike (the one constructor below), so its code fits any of them.
    """

    #: more entries than this and the cache starts afresh (a long session editing templates)
    LIMIT = 1024

    def __init__(self) -> None:
        self.code: dict[tuple[str, str], Any] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        bucket.code = self.code.get((bucket.key, bucket.checksum))

    def dump_bytecode(self, bucket: Bucket) -> None:
        if len(self.code) >= self.LIMIT:
            self.code.clear()
        self.code[(bucket.key, bucket.checksum)] = bucket.code

    def clear(self) -> None:
        self.code.clear()


#: The compiled templates of this process (emptied before each test under mutation testing: tests/conftest.py).
COMPILED = CompiledTemplates()


class Renderer:
    """The Jinja environment of one project and the functions that use it."""

    def __init__(self, project_dir: Path | None = None, task_at: str | None = None) -> None:
        self.task_at = task_at
        """Where commands name task files (see :func:`protocol.task_file`); None: in the output folder."""
        self.search: list[Path] = []
        if project_dir is not None and (project_dir / "templates").is_dir():
            # out of the project or into its .git/, a templates folder would render what it finds there
            self.search.append(
                inside_project(project_dir, project_dir / "templates", "templates folder", "remove the symlink")
            )
        self.read: dict[str, bytes] = {}
        """Every template file read this run (filename -> bytes): each is read once."""
        builtin = builtin_templates()
        if builtin not in [s.resolve() for s in self.search]:
            self.search.append(builtin)
        self.env = LimitedSandbox(
            max_string=MAX_DOCUMENT,
            range_budget=100_000,
            max_loop_depth=4,
            loader=jinja2.ChoiceLoader([ContainedLoader(s, self.read) for s in self.search]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            bytecode_cache=COMPILED,
        )
        self.env.add_filters(
            md=md,
            code=code,
            commit=commit,
            fence=fence,
            url=url,
            state=state,
            variance=_variance,
            gauge=_gauge,
            health=health,
            days=_days,
            offset=_offset,
            link=link,
            between=_between,
            number=number,
            value=value,
            change=change,
            trend=trend,
            target=target,
        )
        self.env.globals.update(mermaid_graph=mermaid_graph, time_basis=time_basis)

    @property
    def own_templates(self) -> bool:
        """The project has templates of its own (which may read any phase's facts)."""
        builtin = builtin_templates().resolve()
        return any(folder.resolve() != builtin and any(folder.rglob("*.j2")) for folder in self.search)

    @property
    def digest(self) -> str:
        """A hash of every template that could be used: a change re-renders everything."""
        h = hashlib.sha256()
        seen = set()
        for folder in self.search:
            for path in sorted(folder.rglob("*.j2")):
                contained(folder, path, "template")
                name = path.relative_to(folder).as_posix()
                if name in seen:
                    continue
                seen.add(name)
                filename = os.path.normpath(path)
                data = self.read.get(filename)
                if data is None:
                    data = self.read[filename] = path.read_bytes()
                h.update(name.encode() + b"\0" + data + b"\0")
        return h.hexdigest()[:16]

    def render(self, name: str, **context: Any) -> str:
        """Render template ``name``; template faults become :class:`TemplateError`."""
        try:
            template = self.env.get_template(name)
            return self.env.render_limited(template, context)
        except TreeFault as exc:
            raise TemplateError(f"templates/{exc.template or name}", exc.lineno, str(exc)) from None
        except SandboxLimit as exc:
            where, line = _template_frame(exc, name)
            raise TemplateError(where, line, f"over a limit: {exc}") from None
        except (RecursionError, MemoryError):
            raise TemplateError(name, None, "it uses too much memory or recursion") from None
        except jinja2.TemplateSyntaxError as exc:
            raise TemplateError(
                (exc.filename and _short(exc.filename)) or exc.name or name, exc.lineno, exc.message or "syntax error"
            ) from None
        except jinja2.TemplateNotFound as exc:
            raise TemplateError(name, None, f"template not found: {exc.name}") from None
        except (jinja2.TemplateError, TypeError, ValueError, AttributeError, KeyError) as exc:
            where, line = _template_frame(exc, name)
            raise TemplateError(where, line, _explain(exc)) from None

    def _context(self, facts: ProjectFacts, **extra: Any) -> dict[str, Any]:
        fmt = Formatter(facts.tz)
        return {"project": facts.config, "facts": facts, "fmt": fmt, **extra}

    def render_md(self, name: str, **context: Any) -> str:
        """Render a markdown template and normalise its blank lines."""
        return tidy(self.render(name, **context))

    def phase_documents(
        self, facts: ProjectFacts, p: PhaseFacts, charts: dict[str, Any] | None = None
    ) -> dict[str, str]:
        """Every markdown document of phase ``p``: relative path -> text."""
        p = with_commands(facts, p, self.task_at)
        ctx = self._context(facts, p=p, charts=charts or {}, views=PhaseView(p))
        out = {f"{p.folder}/{doc}": self.render_md(f"{doc}.j2", **ctx) for doc in PHASE_DOCUMENTS}
        for t in p.tasks:
            out[f"{p.folder}/{t.task.filename}"] = self.render_md("task.md.j2", **ctx, t=t)
        return out

    def phase_files(self, facts: ProjectFacts, p: PhaseFacts, charts: dict[str, Any] | None = None) -> dict[str, bytes]:
        """Every file of phase ``p`` (documents and final-metrics.json) as bytes."""
        out = {k: v.encode("utf-8") for k, v in self.phase_documents(facts, p, charts).items()}
        out[f"{p.folder}/final-metrics.json"] = dumps(final_metrics(p, facts.tz))
        out[f"{p.folder}/badge.json"] = badge(p)
        return out

    def project_files(
        self, facts: ProjectFacts, charts: dict[str, Any] | None = None, site_url: str | None = None
    ) -> dict[str, bytes]:
        """index.md and roadmap.md, the Atom feed and status.json, as bytes."""
        ctx = self._context(facts, charts=charts or {}, views=ProjectView(facts))
        out = {doc: self.render_md(f"{doc}.j2", **ctx).encode("utf-8") for doc in PROJECT_DOCUMENTS}
        out["feed.xml"] = atom_feed(facts, site_url)
        out["status.json"] = status(facts)
        return out

    def handoff(self, facts: ProjectFacts, p: PhaseFacts) -> str:
        """The handoff document of phase ``p`` alone (for ``phasedocs handoff``)."""
        p = with_commands(facts, p, self.task_at)
        return self.render_md("COORDINATOR-HANDOFF.md.j2", **self._context(facts, p=p, charts={}, views=PhaseView(p)))


def _span(ctx: Any, phase: Any) -> Span:
    """The unit the phase's documents speak in: ``phase``'s, else the document's phase (``p``), else days."""
    p = phase if phase is not None else ctx.get("p")
    return p.span if isinstance(p, PhaseFacts) else DAYS


@jinja2.pass_context
def _days(ctx: Any, x: float, phase: Any = None) -> str:
    """``2.4 days``; ``12.5 h`` in a phase of hours (see :mod:`phasedocs.units`)."""
    return _span(ctx, phase).amount(x)


@jinja2.pass_context
def _variance(ctx: Any, x: float | None, phase: Any = None) -> str:
    """:func:`~phasedocs.render.filters.variance` in the phase's unit."""
    return variance(x, _span(ctx, phase))


@jinja2.pass_context
def _gauge(ctx: Any, state: str, x: float, phase: Any = None) -> str:
    """:func:`~phasedocs.render.filters.gauge` in the phase's unit."""
    return gauge(state, x, _span(ctx, phase))


@jinja2.pass_context
def _offset(ctx: Any, x: float, phase: Any = None) -> str:
    """An offset from the phase start: ``day 2.4``, ``hour 4.5``."""
    return _span(ctx, phase).at(x)


@jinja2.pass_context
def _between(ctx: Any, start: float, finish: float, phase: Any = None) -> str:
    """A planned span from the phase start: ``day 0 to 2.4``, ``hour 4 to 6.5``."""
    return _span(ctx, phase).between(start, finish)


def with_commands(facts: ProjectFacts, p: PhaseFacts, task_at: str | None = None) -> PhaseFacts:
    """``p`` with its protocol commands rendered (the templates' ``p.protocol`` and ``t.protocol``).

    Commands are text made from templates, so they are rendered here, with the documents,
    not by the facts stage; the scope (which lists every task) is built once per phase.
    """
    shared = protocol.scope(facts.config, p.phase, facts.docs_prefix, p.folder, task_at)
    tasks = tuple(
        replace(t, protocol=protocol.render_task(facts.config, p.phase, t.task, facts.docs_prefix, shared, task_at))
        for t in p.tasks
    )
    ready = {t.id for t in p.tasks if t.state == "ready" and not t.task.milestone}  # a milestone is not launched
    return replace(p, tasks=tasks, protocol=protocol.render_phase(facts.config, shared, ready))


def _short(filename: str) -> str:
    p = Path(filename)
    return f"templates/{p.name}"


def _template_frame(exc: BaseException, default: str) -> tuple[str, int | None]:
    """The innermost template file and line in ``exc``'s (Jinja-rewritten) traceback."""
    where, line = default, None
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if filename.endswith(".j2"):
            where, line = _short(filename), tb.tb_lineno
        tb = tb.tb_next
    return where, line


def _explain(exc: BaseException) -> str:
    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined: {exc.message}"
    if isinstance(exc, jinja2.exceptions.SecurityError):
        return f"not allowed: {exc}"
    return f"{type(exc).__name__}: {exc}"
