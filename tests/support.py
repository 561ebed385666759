"""Builders of test inputs, and the helpers more than one test module uses.

The builders emit the text of input files from keyword arguments, so a test says what it
changes (``phase_yaml([alpha(duration_days=-1), beta()])``) instead of replacing a piece
of a string that may no longer be there. With no arguments they emit exactly
``conftest.PHASE_YAML`` and ``conftest.PROJECT_YAML`` (``tests/test_support.py`` checks it),
so an error's line and column stay those of the files the tests were written against.

A text edit that the builders cannot say (a key out of order, a YAML error on purpose) goes
through :func:`edit`, which fails when the text to replace is not there.
"""

from __future__ import annotations

import json
import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import yaml

T0 = "2025-01-06T09:00:00Z"
#: A timestamp or a date, written plain as the input files write them.
_WHEN = re.compile(r"\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|[+-]\d{2}:\d{2})?)?")
#: Characters that can make a plain YAML scalar read as something else: such text is quoted.
_SPECIAL = set("<>=:#{}[],&*!|'\"%@`\\\n\t")


#: What YAML does not read as itself inside double quotes: characters outside its printable set
#: (JSON already escapes those below U+0020) and the line breaks it folds.
_UNSAFE = re.compile(r"[\x7f-\x9f\u2028\u2029\ufffe\uffff]")


class Raw(str):
    """Text written into the YAML as it is: a number spelt ``1.10``, a bad indent, a tag."""


def edit(text: str, old: str, new: str, count: int = -1) -> str:
    """``text.replace(old, new, count)``, failing when ``old`` is not there (at least ``count``
    times when a count is given): ``str.replace`` would return the text unchanged, and the
    test would go on to test the unchanged input."""
    found = text.count(old)
    if found == 0 or found < count:
        raise AssertionError(f"edit: {old!r} occurs {found} times in the text:\n{text}")
    return text.replace(old, new, count)


# ----------------------------------------------------------------------------- YAML emitter
def scalar(value: Any) -> str:
    """One value as YAML writes it in these files: plain when that reads back as the same
    value, else double-quoted (JSON's escapes are YAML's); Jinja templates single-quoted."""
    if isinstance(value, Raw):
        return str(value)
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    text = str(value)
    if "{{" in text and "'" not in text and "\n" not in text:
        return f"'{text}'"  # a protocol template, as users write them
    if _WHEN.fullmatch(text):
        return text
    return (
        text
        if _plain(text)
        else _UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04x}", json.dumps(text, ensure_ascii=False))
    )


def _plain(text: str) -> bool:
    """True when ``text`` reads back as itself written without quotes."""
    if not text or text != text.strip() or _SPECIAL & set(text) or text.startswith(("-", "?", ".")):
        return False
    if not text.isprintable():
        return False
    try:
        return bool(yaml.safe_load(text) == text)
    except yaml.YAMLError:
        return False


def _flow(value: Any) -> str:
    """A list or a mapping of scalars on one line: ``[a, b]``, ``{k: v}``."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_flow(v)}" for k, v in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_flow(v) for v in value) + "]"
    return scalar(value)


def _simple(value: Any) -> bool:
    """True when ``value`` fits on one line in flow style (no mapping inside a list)."""
    if isinstance(value, list | tuple):
        return all(not isinstance(v, dict | list | tuple) for v in value)
    if isinstance(value, dict):
        return all(not isinstance(v, dict | list | tuple) or _simple(v) for v in value.values())
    return True


def block(data: dict[str, Any], indent: int = 0) -> str:
    """A mapping in block style, lists of mappings as ``- key: ...`` items two spaces in;
    a key whose value is None is left out."""
    pad = " " * indent
    out = []
    for key, value in data.items():
        if value is None:
            continue
        if isinstance(value, list | tuple) and value and not _simple(value):
            out.append(f"{pad}{key}:\n")
            for item in value:
                body = block(item, indent + 4) if isinstance(item, dict) else f"{' ' * (indent + 4)}{scalar(item)}\n"
                out.append(f"{pad}  - {body[indent + 4 :]}")
        elif isinstance(value, dict) and not _simple(value):
            out.append(f"{pad}{key}:\n{block(value, indent + 2)}")
        elif isinstance(value, dict) and key in _BLOCK_KEYS:
            out.append(f"{pad}{key}:\n{block(value, indent + 2)}")
        elif isinstance(value, dict | list | tuple):
            out.append(f"{pad}{key}: {_flow(value)}\n")
        else:
            out.append(f"{pad}{key}: {scalar(value)}\n")
    return "".join(out)


#: Mappings written one key a line even when their values are simple (as conftest writes them).
_BLOCK_KEYS = {"metrics", "protocol"}


# ----------------------------------------------------------------------------- phase.yaml
def criterion(text: str, metric: str | None = None, target: str | None = None, **fields: Any) -> dict[str, Any]:
    """One criterion: a metric with a target, or (with ``id=``) a hand check."""
    return {"text": text, "metric": metric, "target": target, **fields}


def task(
    id: str,
    duration_days: Any = 1,
    depends_on: Any = None,
    *,
    slug: str | None = None,
    title: str | None = None,
    role: str = "dev",
    **fields: Any,
) -> dict[str, Any]:
    """One task of phase.yaml (slug ``t1-2`` and title ``Task 1.2`` unless given); other
    fields (``files``, ``criteria``, ``estimate``...) follow in the order given, and a None
    value leaves its key out."""
    name = str(id).replace(".", "-")
    return {
        "id": id if isinstance(id, Raw) else str(id),
        "slug": f"t{name}" if slug is None else slug,
        "title": f"Task {id}" if title is None else title,
        "role": role,
        "duration_days": duration_days,
        "depends_on": None if depends_on is None else list(depends_on),
        **fields,
    }


def alpha(**changes: Any) -> dict[str, Any]:
    """Task 1.1 of conftest's phase, with ``changes``."""
    criteria = [criterion("Few warnings", "warnings", "< 10")]
    base = task("1.1", 2, slug="alpha", title="Alpha", files=["src/a.py"], criteria=criteria)
    return {**base, **changes}


def beta(**changes: Any) -> dict[str, Any]:
    """Task 1.2 of conftest's phase (after 1.1), with ``changes``."""
    return {**task("1.2", 1, ["1.1"], slug="beta", title="Beta"), **changes}


def numbered(number: int) -> list[dict[str, Any]]:
    """conftest's two tasks renumbered for phase ``number``: N.1, then N.2 after it."""
    return [alpha(id=f"{number}.1"), beta(id=f"{number}.2", depends_on=[f"{number}.1"])]


def phase_yaml(
    tasks: list[dict[str, Any]] | None = None,
    *,
    number: int = 1,
    title: str = "First",
    created: Any = None,
    start: Any = T0,
    head: dict[str, Any] | None = None,
    **fields: Any,
) -> str:
    """The text of a phase.yaml: by default conftest's phase of tasks 1.1 and 1.2, created
    when it starts. Fields in ``head`` (``after_phase``...) come before ``tasks``, other
    fields (``success_criteria``, ``tips``...) after it, in the order given."""
    data = {
        "number": number,
        "title": title,
        "created": start if created is None else created,
        "start": start,
        **(head or {}),
        "tasks": [alpha(), beta()] if tasks is None else tasks,
        **fields,
    }
    return block(data)


# ----------------------------------------------------------------------------- project.yaml
METRICS: dict[str, dict[str, Any]] = {
    "warnings": {"label": "Warnings", "unit": "count", "better": "lower"},
    "build_time": {"label": "Build Time", "unit": "seconds", "better": "lower"},
    "pass_rate": {"label": "Pass Rate", "unit": "ratio", "better": "higher"},
    "version": {"label": "Version", "unit": "text"},
}
PROTOCOL: dict[str, Any] = {
    "session": "demo-{{ phase.number }}",
    "memory_key": "p{{ phase.number }}/{{ task.key }}",
    "before": ["gh issue develop {{ task.id }}"],
    "after": ["gh pr create --title {{ task.title | shell }}"],
    "spawn": "gh workflow run agent.yml -f task={{ task.id }}",
}


def metric(name: str, **changes: Any) -> dict[str, dict[str, Any]]:
    """Catalogue entry ``name`` of conftest's project with ``changes``, for ``extra_metrics``."""
    return {name: {**METRICS[name], **changes}}


def project_yaml(
    *,
    name: str = "Demo",
    calendar: str = "calendar",
    timezone: str = "UTC",
    metrics: dict[str, dict[str, Any]] | None = None,
    protocol: dict[str, Any] | None = None,
    extra_metrics: dict[str, dict[str, Any]] | None = None,
    **fields: Any,
) -> str:
    """The text of a project.yaml: by default conftest's. ``extra_metrics`` adds to the
    catalogue; other fields (``holidays``, ``workday``, ``forecast``...) follow ``timezone``
    in the order given."""
    data = {
        "name": name,
        "summary": "A small demo project",
        "coordinator": "Lead",
        "operator": "Ops",
        "calendar": calendar,
        "timezone": timezone,
        **fields,
        "metrics": {**(METRICS if metrics is None else metrics), **(extra_metrics or {})},
        "protocol": PROTOCOL if protocol is None else protocol,
    }
    return block(data)


# ----------------------------------------------------------------------------- snapshots
def snapshot(
    timestamp: str,
    kind: str = "progress",
    metrics: dict[str, Any] | None = None,
    tasks: dict[str, Any] | None = None,
    checks: dict[str, Any] | None = None,
    **fields: Any,
) -> str:
    """The text of a metric snapshot (JSON); other fields (``label``, ``note``, ``health``)
    follow in the order given."""
    return json.dumps(
        {
            "timestamp": timestamp,
            "kind": kind,
            "metrics": metrics or {},
            "tasks": tasks or {},
            "checks": checks or {},
            **fields,
        }
    )


# ----------------------------------------------------------------------------- shared projects and readers
def facts_of(project, files, **kw):
    """The computed facts of the project built from ``files``, and each phase's final-metrics.json."""
    from phasedocs.facts import compute
    from phasedocs.input.project import load_project
    from phasedocs.render.final_metrics import final_metrics

    root = project(files, **kw)
    f = compute(load_project(root))
    return f, {p.number: final_metrics(p, f.tz) for p in f.phases}


# The mid-phase project of tests/test_progress.py (its docstring works every date out by hand).
PHASE = """\
number: 1
title: Ingest
created: 2025-01-06T09:00:00Z
start: 2025-01-06T09:00:00Z
tasks:
  - {id: "1.1", slug: alpha, title: Alpha, role: dev, duration_days: 1,
     criteria: [{text: Few warnings, metric: warnings, target: "< 25"}]}
  - {id: "1.2", slug: beta, title: Beta, role: dev, duration_days: 1}
  - {id: "1.3", slug: gamma, title: Gamma, role: dev, duration_days: 2, depends_on: ["1.1"],
     criteria: [{text: Tests pass, metric: pass_rate, target: ">= 95/100"}]}
  - {id: "1.4", slug: delta, title: Delta, role: dev, duration_days: 2, depends_on: ["1.2"],
     criteria: [{text: Almost no warnings, metric: warnings, target: "< 5"}]}
  - {id: "1.5", slug: epsilon, title: Epsilon, role: dev, duration_days: 1, depends_on: ["1.3", "1.4"]}
  - {id: "1.6", slug: zeta, title: Zeta, role: dev, duration_days: 1, depends_on: ["1.5"]}
success_criteria:
  - {text: Release quality, metric: pass_rate, target: ">= 98/100"}
"""

PHASE_TWO = edit(edit(PHASE, "number: 1", "number: 2"), '"1.', '"2.')
"""The same phase as phase 2 (tasks 2.1 to 2.6), for projects of several phases."""

SNAPSHOTS = {
    "a.json": {
        "timestamp": "2025-01-06T09:00:00Z",
        "kind": "baseline",
        "metrics": {"warnings": 30, "pass_rate": "90/100"},
        "tasks": {"1.1": "in_progress", "1.2": "in_progress"},
    },
    "b.json": {
        "timestamp": "2025-01-07T09:00:00Z",
        "metrics": {"warnings": 20},
        "tasks": {"1.1": {"state": "complete", "at": "2025-01-06T21:00:00Z"}, "1.3": "in_progress"},
    },
    "c.json": {
        "timestamp": "2025-01-08T09:00:00Z",
        "metrics": {"warnings": 15},
        "tasks": {"1.2": "complete", "1.4": "in_progress"},
    },
    "d.json": {
        "timestamp": "2025-01-09T09:00:00Z",
        "metrics": {"warnings": 12},
        "tasks": {"1.4": {"state": "blocked", "note": "waiting for the tokenizer licence"}},
    },
    "e.json": {
        "timestamp": "2025-01-10T09:00:00Z",
        "label": "Friday",
        "note": "nightly run",
        "health": "at_risk",
        "metrics": {"warnings": 9, "pass_rate": "99/100"},
        "tasks": {"1.3": {"state": "in_progress", "note": "rerunning the flaky parser suite"}},
    },
}

FINISH = {
    "f.json": {"timestamp": "2025-01-10T21:00:00Z", "tasks": {"1.3": "complete", "1.4": "in_progress"}},
    "g.json": {"timestamp": "2025-01-11T21:00:00Z", "metrics": {"warnings": 4}, "tasks": {"1.4": "complete"}},
    "h.json": {"timestamp": "2025-01-12T09:00:00Z", "tasks": {"1.5": "complete"}},
    "i.json": {
        "timestamp": "2025-01-13T09:00:00Z",
        "kind": "final",
        "metrics": {"pass_rate": "97/100"},
        "tasks": {"1.6": "complete"},
    },
}


def files(*groups: dict) -> dict[str, str]:
    """The project: PROJECT_YAML, the phase, and the snapshots of ``groups``."""
    out = {"phases/project.yaml": project_yaml(), "phases/phase-01/phase.yaml": PHASE}
    for group in groups:
        out.update({f"phases/phase-01/metrics/{k}": json.dumps(v) for k, v in group.items()})
    return out


def read(folder: Path, name: str) -> str:
    """A generated document's text."""
    return (folder / name).read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the site's HTML
class LiveMarkup(HTMLParser):
    """Collects what a browser would run: event-handler attributes and scripts that call alert."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []
        self._script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if name.startswith("on") and "alert" in (value or ""):
                self.found.append(f"<{tag} {name}={value!r}>")
        self._script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._script = False

    def handle_data(self, data: str) -> None:
        if self._script and "alert(" in data:
            self.found.append(f"<script>{data[:60]}")


def live_markup(site: Path) -> list[str]:
    """Every live payload in the built HTML, as 'page: markup'."""
    found = []
    for page in sorted(site.rglob("*.html")):
        parser = LiveMarkup()
        parser.feed(page.read_text(encoding="utf-8"))
        found += [f"{page.relative_to(site)}: {m}" for m in parser.found]
    return found


# ----------------------------------------------------------------------------- incremental runs
# the project of the incremental-against-fresh tests of generate and the site: phase 1 under way; phase 2 follows it and started early (a sequence warning on both)
LIVE = {
    "phases/project.yaml": project_yaml(),
    "phases/phase-01/phase.yaml": phase_yaml(),
    **{
        "phases/phase-01/metrics/a.json": '{"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", '
        '"metrics": {"warnings": 12}, "tasks": {"1.1": "in_progress"}}',
        "phases/phase-02/phase.yaml": phase_yaml(numbered(2), number=2, head={"after_phase": 1}),
        "phases/phase-02/metrics/a.json": '{"timestamp": "2025-01-07T09:00:00Z", "kind": "baseline", '
        '"metrics": {"warnings": 30}, "tasks": {"2.1": "in_progress"}}',
    },
}

CHANGES = {
    # phase 1's pages read the project's newest snapshot (staleness) and every finished task (forecast)
    "a snapshot of another phase": lambda root: (root / "phases/phase-02/metrics/b.json").write_text(
        '{"timestamp": "2025-01-14T09:00:00Z", "tasks": {"2.1": {"state": "complete", "at": "2025-01-08T09:00:00Z"}, '
        '"2.2": "in_progress"}}'
    ),
    "a removed snapshot": lambda root: (root / "phases/phase-02/metrics/a.json").unlink(),
    "an edited project.yaml": lambda root: (root / "phases/project.yaml").write_text(
        project_yaml() + "stale_after_days: 0.5\n"
    ),
    "an edited template": lambda root: (
        (root / "templates").mkdir() or (root / "templates/task.md.j2").write_text("# {{ t.id | md }} (ours)\n")
    ),
    "a new phase": lambda root: (
        (root / "phases/phase-03").mkdir()
        or (root / "phases/phase-03/phase.yaml").write_text(phase_yaml(numbered(3), number=3, head={"after_phase": 2}))
    ),
    "a removed phase": lambda root: shutil.rmtree(root / "phases/phase-02"),
    "an edited site config": lambda root: (
        (root / "site_config").mkdir()
        or (root / "site_config/site.yaml").write_text(
            "site_url: https://acme.example/plans/\ncharts: {colors: {task: '#123456'}}\n"
        )
    ),
}


# The sprint of hours of tests/test_units.py (durations with units, a milestone, links), also
# checked against the JSON Schema by tests/test_schema.py.
SPRINT_PROJECT = edit(
    edit(project_yaml(), "calendar: calendar", "calendar: continuous"),
    "  before: ['gh issue develop {{ task.id }}']",
    "  before: ['gh issue develop {{ task.links.issue }} --branch {{ task.links.branch }}']",
)
"""project.yaml of :data:`SPRINT`: a continuous calendar, commands naming the task's links."""

#: A Sunday sprint of 12.5 hours: 4 h, then 1.5 h, a checkpoint due at 13:00, then 7 h.
SPRINT = """\
number: 1
title: Sunday sprint
created: 2025-11-09T08:00:00Z
start: 2025-11-09T08:00:00Z
tasks:
  - {id: "1.1", slug: harness, title: Harness, role: devops, duration: 4h, estimate: {low: 3h, high: 6h},
     links: {issue: "#14", branch: task/1.1-harness, pr: "https://host/org/repo/pull/31",
             trap: "javascript:alert(1)", markup: "[x](javascript:alert(1)) <b>"}}
  - {id: "1.2", slug: worker, title: Worker, role: dev, duration: 90m, depends_on: ["1.1"]}
  - {id: "1.3", slug: checkpoint, title: Integration checkpoint, role: lead, milestone: true,
     due: 2025-11-09T13:00:00Z, depends_on: ["1.2"], criteria: [{id: cp-1, text: Worker starts}]}
  - {id: "1.4", slug: rest, title: Rest, role: dev, duration: 7h, depends_on: ["1.3"]}
"""


def render_all(root: Path) -> dict[str, str]:
    """Every document and JSON file of the project's first phase, rendered in memory (no charts)."""
    from phasedocs.facts import compute
    from phasedocs.input.project import load_project
    from phasedocs.render.renderer import Renderer

    facts = compute(load_project(root))
    return {k: v.decode() for k, v in Renderer().phase_files(facts, facts.phases[0]).items()}


def plain(data: Any) -> Any:
    """Loaded YAML as the JSON an editor's schema check sees (dates as ISO text)."""
    from datetime import datetime

    return json.loads(json.dumps(data, default=lambda v: v.isoformat() if isinstance(v, datetime) else str(v)))
