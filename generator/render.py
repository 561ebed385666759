"""Render documents from facts through Jinja templates into ``{path: bytes}``.

Templates live in the package's ``templates/``; a project's own ``templates/``
overrides any of them by name (a ``ChoiceLoader``). The environment is sandboxed and
strict (``StrictUndefined``): a typo in a template is a :class:`TemplateError` naming
the template and its line. Templates receive facts and formatting filters only; the
one escaping filter, ``md``, turns any user string into literal markdown text.
"""

from __future__ import annotations

import hashlib
import re
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import jinja2

from . import metrics_json
from .documents import PHASE_DOCUMENTS, PROJECT_DOCUMENTS
from .errors import TemplateError
from .facts import CriterionFacts, MetricFacts, PhaseFacts, ProjectFacts, TaskFacts
from .paths import contained
from .resources import builtin_templates
from .sandbox import LimitedSandbox, SandboxLimit, TreeFault

#: The largest document a template may render, in characters (and any string it builds).
MAX_DOCUMENT = 20_000_000

# ----------------------------------------------------------------------------- escaping
_ESCAPES = {ch: "\\" + ch for ch in "\\`*_[]{}|#"}
_ESCAPES["<"] = "&lt;"
_INLINE = str.maketrans(_ESCAPES)
_WS_RE = re.compile(r"\s+")
# C0 controls and DEL: invisible, and \x02/\x03 are Python-Markdown's own placeholders
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def one_line(value: Any) -> str:
    """``value`` as text on one line: control characters removed, white space folded."""
    return _WS_RE.sub(" ", _CONTROL_RE.sub("", str(value))).strip()
_ENTITY_RE = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# what opens a block at the start of a line: a list item, a quote, a setext underline
_LEADING_RE = re.compile(r"^(?:[-+>]|\d+[.)])(?=\s|$)|^>")
_SETEXT_RE = re.compile(r"^=+$")


def md(value: Any) -> str:
    """Any value as literal inline markdown text: one line, nothing interpreted.

    Markdown and HTML punctuation is escaped, so ``<script>`` shows as text,
    ``[x](javascript:...)`` is no link, ``|`` does not split a table cell and
    ``{{ 7*7 }}`` stays as written. Characters that are only special in some places
    (``&`` before an entity name, ``>`` or ``1.`` at the start) are escaped only there,
    so the markdown stays readable as plain text too.
    """
    text = one_line(value)
    text = _ENTITY_RE.sub("&amp;", text).translate(_INLINE)
    if _SETEXT_RE.match(text):  # a line of '=' under text would make it a heading
        return "&#61;" + text[1:]
    m = _LEADING_RE.match(text)
    if m:
        cut = m.end() - 1
        text = text[:cut] + "\\" + text[cut:]
    return text


def code(value: Any) -> str:
    """An inline code span holding ``value`` literally (one line)."""
    text = one_line(value)
    if not text:
        return "—"
    longest = max((len(r) for r in re.findall(r"`+", text)), default=0)
    ticks = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def fence(lines: Any, lang: str = "bash") -> str:
    """A fenced code block holding ``lines`` literally."""
    if isinstance(lines, str):
        lines = [lines]
    body = "\n".join(_CONTROL_RE.sub("", str(line).replace("\r", "")) for line in lines)
    longest = max((len(r) for r in re.findall(r"`{3,}", body)), default=2)
    ticks = "`" * max(3, longest + 1)
    return f"{ticks}{lang}\n{body}\n{ticks}"


_SCHEME_RE = re.compile(r"([a-z0-9+.-]*):")


def url(value: Any) -> str:
    """A link target: http(s) URLs and relative paths only, with spaces and parens encoded.

    The scheme is read as a browser reads it: entities decoded (``javascript&#58;``) and
    tabs, newlines and spaces removed (``java\tscript:``), so no spelling of a script URL
    gets through; anything with another scheme becomes ``#``.
    """
    import html

    text = _CONTROL_RE.sub("", str(value)).strip()
    probe = re.sub(r"[\x00-\x20\x7f]", "", html.unescape(text)).lower()
    m = _SCHEME_RE.match(probe)
    if m and m.group(1) not in ("http", "https"):
        return "#"
    table = {" ": "%20", "(": "%28", ")": "%29", "<": "%3C", ">": "%3E", '"': "%22", "\t": "%09", "\n": "%0A", "\r": "%0D"}
    return "".join(table.get(ch, ch) for ch in text)


_FENCE_RE = re.compile(r"^(`{3,}|~{3,})")


def tidy(text: str) -> str:
    """At most one blank line in a row outside fenced code, no trailing spaces, one final newline."""
    out: list[str] = []
    fence_mark: str | None = None
    for line in text.split("\n"):
        m = _FENCE_RE.match(line.lstrip())
        if fence_mark is None:
            line = line.rstrip()
            if m:
                fence_mark = m.group(1)
            elif not line and (not out or not out[-1]):
                continue
        elif m and line.strip() == fence_mark[0] * len(m.group(1)) and len(m.group(1)) >= len(fence_mark):
            fence_mark = None
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out) + "\n"


# ----------------------------------------------------------------------------- formatting
STATE_SYMBOLS = {
    "met": "✅",
    "exceeded": "🌟",
    "missed": "❌",
    "pending": "⏳",
    "complete": "✅",
    "in_progress": "🔄",
    "ready": "🟢",
    "waiting": "⏸️",
    "blocked": "⛔",
    "planned": "📋",
    "active": "🔄",
}


def state(value: str) -> str:
    """A state as symbol and word: ``✅ met``."""
    return f"{STATE_SYMBOLS.get(value, '')} {value.replace('_', ' ')}".strip()


def days(x: float) -> str:
    """``2.4 days``, ``1 day``."""
    n = metrics_json.num(x, 2)
    return f"{n} day" if n == 1 else f"{n} days"


def number(x: float | int) -> str:
    """A number without noise: 12, 17.13, 1,234."""
    n = metrics_json.num(x, 2)
    return f"{n:,}" if isinstance(n, int) else f"{n:,.2f}".rstrip("0").rstrip(".")


def value(v: Any, unit: str = "count") -> str:
    """A metric value in its unit; ``TBD`` when not measured. Text values are escaped."""
    if v is None:
        return "TBD"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if unit == "text" or isinstance(v, str):
        return md(v)
    if unit == "ratio":
        return f"{number(v * 100)}%"
    if unit == "percent":
        return f"{number(v)}%"
    if unit == "seconds":
        return f"{number(v)} s"
    if unit == "bytes":
        for size, suffix in ((1 << 30, "GiB"), (1 << 20, "MiB"), (1 << 10, "KiB")):
            if abs(v) >= size:
                return f"{number(v / size)} {suffix}"
        return f"{number(v)} B"
    return number(v)


def change(x: float | None) -> str:
    """A change in percent with its sign, or an em dash."""
    if x is None:
        return "—"
    n = metrics_json.num(x, 1)
    return f"{'+' if n > 0 else ''}{n}%"


def trend(m: MetricFacts) -> str:
    """An arrow for the last move of a metric, marked when it goes the better way."""
    if m.trend is None:
        return "—"
    arrow = {"up": "↑", "down": "↓", "flat": "→"}[m.trend]
    if m.improving is None:
        return arrow
    return f"{arrow} better" if m.improving else f"{arrow} worse"


class Formatter:
    """Date filters bound to the project's time zone."""

    def __init__(self, tz: ZoneInfo) -> None:
        self.tz = tz

    def datetime(self, dt: datetime) -> str:
        """``2025-10-25 17:36 UTC``."""
        return dt.astimezone(self.tz).strftime("%Y-%m-%d %H:%M %Z")

    def date(self, dt: datetime) -> str:
        """``Sat 2025-10-25``."""
        return dt.astimezone(self.tz).strftime("%a %Y-%m-%d")

    def iso(self, dt: datetime) -> str:
        """ISO 8601 in the project's zone."""
        return metrics_json.iso(dt, self.tz)


# ----------------------------------------------------------------------------- mermaid
def mermaid_graph(p: PhaseFacts) -> str:
    """The dependency graph of a phase as a Mermaid flowchart, critical path highlighted."""
    ids = {t.id: f"T{i}" for i, t in enumerate(p.tasks)}
    lines = ["graph LR"]
    for t in p.tasks:
        label = _mermaid_text(f"{t.id} {t.task.title}") + "<br/>" + _mermaid_text(days(t.task.duration_days))
        lines.append(f'  {ids[t.id]}["{label}"]')
    for t in p.tasks:
        for d in t.task.depends_on:
            lines.append(f"  {ids[d]} --> {ids[t.id]}")
    critical = [ids[t.id] for t in p.tasks if t.critical]
    done = [ids[t.id] for t in p.tasks if t.state == "complete"]
    lines.append("  classDef critical stroke:#d32f2f,stroke-width:3px")
    lines.append("  classDef done fill:#c8e6c9,color:#1b5e20")
    if critical:
        lines.append(f"  class {','.join(critical)} critical")
    if done:
        lines.append(f"  class {','.join(done)} done")
    return "\n".join(lines)


def _mermaid_text(text: str) -> str:
    """Label text safe inside a quoted Mermaid label: entities for markup characters."""
    out = []
    for ch in _WS_RE.sub(" ", text):
        if ch.isalnum() or ch in " .,-_/:+()'?!":
            out.append(ch)
        else:
            out.append(f"#{ord(ch)};")
    return "".join(out)


# ----------------------------------------------------------------------------- renderer


class ContainedLoader(jinja2.FileSystemLoader):
    """A template folder whose templates must stay inside it: a template that is a symlink
    to ``/proc/self/environ`` would otherwise publish the CI's secrets."""

    def __init__(self, folder: Path) -> None:
        super().__init__(str(folder))
        self.folder = folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        """The template's source, refused when it resolves outside the folder."""
        source, filename, uptodate = super().get_source(environment, template)
        contained(self.folder, Path(filename), "template")
        return source, filename, uptodate


class Renderer:
    """The Jinja environment of one project and the functions that use it."""

    def __init__(self, project_dir: Path | None = None) -> None:
        self.search: list[Path] = []
        if project_dir is not None and (project_dir / "templates").is_dir():
            self.search.append(contained(project_dir, project_dir / "templates", "templates folder"))
        builtin = builtin_templates()
        if builtin not in [s.resolve() for s in self.search]:
            self.search.append(builtin)
        self.env = LimitedSandbox(
            max_string=MAX_DOCUMENT, range_budget=100_000, max_loop_depth=4,
            loader=jinja2.ChoiceLoader([ContainedLoader(s) for s in self.search]),
            undefined=jinja2.StrictUndefined,
            autoescape=False,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
        self.env.add_filters(md=md, code=code, fence=fence, url=url, state=state, days=days, number=number, value=value, change=change, trend=trend)
        self.env.globals.update(mermaid_graph=mermaid_graph)

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
                h.update(name.encode() + b"\0" + path.read_bytes() + b"\0")
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
            raise TemplateError((exc.filename and _short(exc.filename)) or exc.name or name, exc.lineno, exc.message or "syntax error") from None
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

    def phase_documents(self, facts: ProjectFacts, p: PhaseFacts, charts: dict[str, Any] | None = None) -> dict[str, str]:
        """Every markdown document of phase ``p``: relative path -> text."""
        ctx = self._context(facts, p=p, charts=charts or {}, views=PhaseView(p))
        out = {f"{p.folder}/{doc}": self.render_md(f"{doc}.j2", **ctx) for doc in PHASE_DOCUMENTS}
        for t in p.tasks:
            out[f"{p.folder}/{t.task.filename}"] = self.render_md("task.md.j2", **ctx, t=t)
        return out

    def phase_files(self, facts: ProjectFacts, p: PhaseFacts, charts: dict[str, Any] | None = None) -> dict[str, bytes]:
        """Every file of phase ``p`` (documents and final-metrics.json) as bytes."""
        out = {k: v.encode("utf-8") for k, v in self.phase_documents(facts, p, charts).items()}
        out[f"{p.folder}/final-metrics.json"] = metrics_json.dumps(metrics_json.final_metrics(p, facts.tz))
        return out

    def project_files(self, facts: ProjectFacts, charts: dict[str, Any] | None = None) -> dict[str, bytes]:
        """index.md and roadmap.md as bytes."""
        ctx = self._context(facts, charts=charts or {}, views=ProjectView(facts))
        return {doc: self.render_md(f"{doc}.j2", **ctx).encode("utf-8") for doc in PROJECT_DOCUMENTS}

    def handoff(self, facts: ProjectFacts, p: PhaseFacts) -> str:
        """The handoff document of phase ``p`` alone (for ``phasedocs handoff``)."""
        return self.render_md("COORDINATOR-HANDOFF.md.j2", **self._context(facts, p=p, charts={}, views=PhaseView(p)))


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


# ----------------------------------------------------------------------------- views
class PhaseView:
    """Computed lists the documents show (checklists, groups): facts, not template logic."""

    def __init__(self, p: PhaseFacts) -> None:
        self.p = p

    def metric_rows(self) -> list[tuple[MetricFacts, str, str]]:
        """Each measured metric with the targets set on it and their states (as text)."""
        rows = []
        for m in self.p.metrics:
            crits = [c for c in self.p.criteria if c.criterion.metric == m.key]
            targets = "; ".join(f"{md(c.criterion.target)} ({md(c.scope)})" for c in crits) or "—"
            states = ", ".join(dict.fromkeys(state(c.state) for c in crits)) or "—"
            rows.append((m, targets, states))
        return rows

    @property
    def ready(self) -> list[TaskFacts]:
        """Tasks that can start now."""
        return [t for t in self.p.tasks if t.state == "ready"]

    @property
    def waiting(self) -> list[TaskFacts]:
        """Tasks waiting for dependencies."""
        return [t for t in self.p.tasks if t.state == "waiting"]

    @property
    def blocked(self) -> list[TaskFacts]:
        """Tasks recorded as blocked."""
        return [t for t in self.p.tasks if t.state == "blocked"]

    @property
    def open_tasks(self) -> list[TaskFacts]:
        """Tasks not complete."""
        return [t for t in self.p.tasks if t.state != "complete"]

    @property
    def missed(self) -> list[CriterionFacts]:
        """Criteria whose state is missed."""
        return [c for c in self.p.criteria if c.state == "missed"]

    @property
    def missed_final(self) -> list[CriterionFacts]:
        """Missed criteria whose task (or phase) is complete: the miss is final."""
        return [c for c in self.missed if c.settled]

    @property
    def missed_open(self) -> list[CriterionFacts]:
        """Missed criteria whose work is still going on: not met yet."""
        return [c for c in self.missed if not c.settled]

    @property
    def open_criteria(self) -> list[CriterionFacts]:
        """Criteria not met or exceeded."""
        return [c for c in self.p.criteria if c.state in ("missed", "pending")]

    @property
    def measured(self) -> list[CriterionFacts]:
        """Criteria with a metric and target."""
        return [c for c in self.p.criteria if c.measured]

    @property
    def checked(self) -> list[CriterionFacts]:
        """Criteria checked by hand."""
        return [c for c in self.p.criteria if not c.measured]

    def criteria_counts(self) -> dict[str, int]:
        """How many criteria are in each state."""
        counts = dict.fromkeys(("met", "exceeded", "missed", "pending"), 0)
        for c in self.p.criteria:
            counts[c.state] += 1
        return counts

    @property
    def has_baseline(self) -> bool:
        """True when a snapshot has been recorded."""
        return bool(self.p.snapshots)

    @property
    def has_final(self) -> bool:
        """True when a final snapshot has been recorded."""
        return any(s.kind == "final" for s in self.p.snapshots)

    def checklist(self) -> dict[str, list[tuple[str, bool]]]:
        """The handoff checklist; each box is ticked only when a fact makes it true."""
        p = self.p
        started = [t for t in p.tasks if t.state in ("in_progress", "complete", "blocked")]
        all_done = p.state == "complete"
        crit_ok = all(c.state in ("met", "exceeded") for c in p.criteria)
        pre = [
            (f"Task files generated for all {len(p.tasks)} tasks", True),
            ("Dependencies checked: no cycle, critical path computed", True),
            ("Baseline metrics recorded in a snapshot", self.has_baseline),
            ("File-collision risks reviewed" if p.collisions else "No file collisions between parallel tasks", not p.collisions),
        ]
        during = [(f"Task {t.id} started ({md(t.task.title)})", t in started) for t in p.tasks]
        during.append(("No task blocked", not self.blocked))
        post = [(f"Task {t.id} complete", t.state == "complete") for t in p.tasks]
        post += [
            ("All tasks complete", all_done),
            ("Every success criterion met or exceeded", crit_ok),
            ("Final metrics snapshot recorded", self.has_final),
        ]
        return {"Pre-execution": pre, "During execution": during, "Post-execution": post}


class ProjectView:
    """Computed tables of the project pages."""

    def __init__(self, facts: ProjectFacts) -> None:
        self.facts = facts

    def metric_rows(self) -> list[tuple[str, str, list[Any]]]:
        """(label, unit, current value per phase or None) for every metric measured anywhere."""
        rows = []
        for key, metric in self.facts.config.metrics.items():
            values = []
            for p in self.facts.phases:
                found = next((m for m in p.metrics if m.key == key), None)
                values.append(found.current if found else None)
            if any(v is not None for v in values):
                rows.append((metric.label, metric.unit, values))
        return rows
