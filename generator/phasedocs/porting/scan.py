"""Read a hand-written phase package into claims, each with the file and line it came from.

The package is markdown written by people and agents in a handful of common shapes:
task files (``task-7.1-build-infra.md``), "Task 1.2: ..." or "Issue #8: ..." sections
and bold lines, ``Label: value`` lines (Agent, Role, Dependencies, Duration, Files, ...),
lists under headings or labels (Objectives, Deliverables, Success criteria, Gates,
Files), tables (a task table, a "Metric | Baseline | Target" table), checkbox lists,
and a ``baseline-metrics.json``. The scan only reads and records; deciding between
claims is :mod:`phasedocs.porting.reconcile`'s job.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from phasedocs.errors import Abort

#: The most files and bytes an import reads: a package is a handful of documents.
MAX_FILES = 500
MAX_BYTES = 20_000_000


@dataclass(frozen=True, order=True)
class Source:
    """Where a claim was read: a file of the package and a line (1-based)."""

    file: str
    line: int

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@dataclass(frozen=True)
class Claim:
    """One value a source document states: ``field`` of ``task`` (None: the phase) is ``value``."""

    field: str
    """title, role, agent, duration, depends, files, deliverable, objective, criterion, goal, key, ..."""
    value: Any
    """What the source says, already parsed (a duration is days, low, high, as written)."""
    source: Source
    """The file and line it was read from."""
    task: str | None = None
    """The task id it is about, or None for the phase."""


@dataclass(frozen=True)
class Box:
    """A checkbox list item: its text, whether it is ticked, its task (None: the phase)."""

    text: str
    checked: bool
    source: Source
    task: str | None
    section: str


@dataclass(frozen=True)
class MetricRow:
    """A row of a metric table: label, baseline, target and scope as written."""

    label: str
    baseline: str | None
    target: str | None
    scope: str | None
    """The task id the row names (``Task 7.1``), or None."""
    measure: str | None
    """How it is measured (a Source column), if given."""
    source: Source


@dataclass
class Package:
    """Everything read from a package, in reading order."""

    root: Path
    claims: list[Claim] = field(default_factory=list)
    boxes: list[Box] = field(default_factory=list)
    metrics: list[MetricRow] = field(default_factory=list)
    baseline: dict[str, Any] = field(default_factory=dict)
    baseline_source: Source | None = None
    task_order: list[str] = field(default_factory=list)
    unmapped: list[tuple[Source, str, int]] = field(default_factory=list)
    """Sections no line of which was read: (first line, heading, number of lines)."""
    files: list[str] = field(default_factory=list)

    def of(self, name: str, task: str | None = None, *, any_task: bool = False) -> list[Claim]:
        """The claims of one field, for one task (or the phase), in reading order."""
        return [c for c in self.claims if c.field == name and (any_task or c.task == task)]

    def add(self, name: str, value: Any, source: Source, task: str | None = None) -> None:
        """Record a claim; a task id seen for the first time joins the task order."""
        self.claims.append(Claim(name, value, source, task))
        if task is not None and task not in self.task_order:
            self.task_order.append(task)


# --- values ---------------------------------------------------------------------------

_UNITS = {
    "m": 1 / 1440,
    "min": 1 / 1440,
    "mins": 1 / 1440,
    "minute": 1 / 1440,
    "minutes": 1 / 1440,
    "h": 1 / 24,
    "hr": 1 / 24,
    "hrs": 1 / 24,
    "hour": 1 / 24,
    "hours": 1 / 24,
    "d": 1.0,
    "day": 1.0,
    "days": 1.0,
    "w": 7.0,
    "wk": 7.0,
    "wks": 7.0,
    "week": 7.0,
    "weeks": 7.0,
}
_NUM = r"(\d+(?:\.\d+)?)"
_UNIT = r"(minutes?|mins?|m|hours?|hrs?|h|days?|d|weeks?|wks?|w)\b"
_RANGE_RE = re.compile(rf"~?\s*{_NUM}\s*(?:-|–|to)\s*~?{_NUM}\s*{_UNIT}", re.I)
_ONE_RE = re.compile(rf"~?\s*{_NUM}\s*{_UNIT}", re.I)


@dataclass(frozen=True)
class Duration:
    """A duration as written, in days: one value, or a range with its middle as the value."""

    days: float
    low: float | None
    high: float | None
    unit: str
    written: str


def durations(text: str) -> list[Duration]:
    """Every duration a text states, in order: ``2.4 days``, ``45 min``, ``2-3 days``, ``1 week``."""
    found: list[tuple[int, Duration]] = []
    taken: list[range] = []
    for m in _RANGE_RE.finditer(text):
        per = _UNITS[m.group(3).lower()]
        low, high = sorted((float(m.group(1)) * per, float(m.group(2)) * per))
        days = round((low + high) / 2, 6)
        found.append((m.start(), Duration(days, round(low, 6), round(high, 6), m.group(3).lower(), m.group().strip())))
        taken.append(range(m.start(), m.end()))
    for m in _ONE_RE.finditer(text):
        if any(m.start() in r for r in taken):
            continue
        days = round(float(m.group(1)) * _UNITS[m.group(2).lower()], 6)
        found.append((m.start(), Duration(days, None, None, m.group(2).lower(), m.group().strip())))
    return [d for _, d in sorted(found, key=lambda pair: pair[0])]


_DATE_RE = re.compile(r"\b(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}:\d{2}(?::\d{2})?)(Z|[+-]\d{2}:?\d{2})?)?")


def timestamp(text: str) -> datetime | None:
    """The first ISO date or date-time in ``text`` (UTC when no zone is given), or None."""
    m = _DATE_RE.search(text)
    if m is None:
        return None
    day, clock, zone = m.groups()
    iso = f"{day}T{clock or '00:00'}{zone or 'Z'}".replace("Z", "+00:00")
    try:
        return datetime.fromisoformat(iso)
    except ValueError:
        return None


_DECOR_RE = re.compile(
    r"[\u2600-\u27bf\u2b00-\u2bff\U0001f000-\U0001faff\ufe0f\u200d]"  # emoji and their joiners
)


def plain(text: str, ends: str = " -:") -> str:
    """Markdown emphasis, code marks, emoji and checkmarks taken off; spaces collapsed; ``ends`` trimmed."""
    text = _DECOR_RE.sub("", text)
    text = re.sub(r"\*\*|__|`", "", text)
    return " ".join(text.split()).strip(ends)


# --- line shapes ------------------------------------------------------------------------

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_TASK_REF = r"(?:Task|Issue)\s+#?(\d[A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*)"
_TASK_TITLE_RE = re.compile(rf"^(?:Agent\s+\d+\s*[:\-–—]\s*)?{_TASK_REF}\s*[:\-–—]\s*(.+)$", re.I)
_TASK_IN_RE = re.compile(rf"\b{_TASK_REF}\b", re.I)
_AGENT_HEAD_RE = re.compile(rf"^Agent\s+\d+\s*[:\-–—]\s*(.+?)\s*\(\s*{_TASK_REF}\s*\)\s*$", re.I)
_BOLD_TASK_RE = re.compile(rf"^\*\*{_TASK_REF}\s*[:\-–—]\s*(.+?)\*\*\s*$", re.I)
_ITEM_RE = re.compile(r"^(\s*)(?:[-*+]|\d+[.)])\s+(?:\[([ xX])\]\s+)?(.*)$")
_LABEL_RE = re.compile(r"^\s*(?:[-*+]\s+)?\**([A-Za-z][A-Za-z /&()-]*?)\**\s*:\s*\**\s*(.*?)\s*$")
_TASK_FILE_RE = re.compile(r"^task-(\d[A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*)-([A-Za-z0-9][A-Za-z0-9._-]*)\.md$")
_PHASE_RE = re.compile(r"\bPhase\s+(\d+)\b", re.I)
_ID = r"#?(\d[A-Za-z0-9]*(?:\.[A-Za-z0-9]+)*)"
# "Task 7.4 MUST wait for Task 7.3", "Task 7.4 runs SEQUENTIALLY after 7.3", "Issue #9 depends on #4"
_AFTER_RE = re.compile(
    rf"\b(?:Task|Issue)\s+{_ID}\b[^.;\n]*?\b(?:must\s+wait\s+for|waits?\s+for|depends\s+on|after)\s+(?:Task\s+|Issue\s+)?{_ID}",
    re.I,
)
_YOU_ARE_RE = re.compile(rf"\bYou are an? (.+?) responsible for (?:Task|Issue)\s+{_ID}", re.I)
_MEMORY_KEY_RE = re.compile(r"\bphase\d+/([a-z0-9_]+)/status\b")

#: Label or heading words -> the field whose list follows.
SECTION_FIELDS = {
    "objectives": "objective",
    "your objectives": "objective",
    "deliverables": "deliverable",
    "success criteria": "criterion",
    "acceptance criteria": "criterion",
    "criteria": "criterion",
    "quality gates": "criterion",
    "gates": "criterion",
    "gate": "criterion",
    "definition of done": "criterion",
    "files": "files",
    "files to update": "files",
    "files to review": "files",
    "files to modify": "files",
    "files touched": "files",
    "dependencies": "depends",
    "depends on": "depends",
}

#: ``Label: value`` lines of a task -> field.
LABEL_FIELDS = {
    "agent type": "role",
    "role": "role",
    "agent": "agent",
    "owner": "agent",
    "assignee": "agent",
    "dependencies": "depends",
    "dependency": "depends",
    "depends on": "depends",
    "blocked by": "depends",
    "duration": "duration",
    "estimated": "duration",
    "estimate": "duration",
    "effort": "duration",
    "files": "files",
    "focus": "goal",
    "goal": "goal",
    "stream": "group",
    "workstream": "group",
    "deliverables": "deliverable",
    "success criteria": "criterion",
    "your objectives": "objective",
    "objectives": "objective",
}

#: ``Label: value`` lines of the phase -> meta field.
META_FIELDS = {
    "created": "created",
    "start time": "start",
    "started": "start",
    "start": "start",
    "start date": "start",
    "coordinator": "coordinator",
    "repository": "repository",
    "repo": "repository",
    "session": "session",
    "session id": "session",
    "expected completion": "finish",
    "estimated completion": "finish",
    "expected delivery": "finish",
    "due": "finish",
    "deadline": "finish",
    "total duration": "total",
    "total": "total",
}


def _section_field(heading: str) -> str | None:
    words = plain(re.sub(_TASK_IN_RE, "", heading)).lower()
    words = re.sub(r"\(.*?\)", "", words).strip(" -:")
    for key, name in sorted(SECTION_FIELDS.items(), key=lambda kv: -len(kv[0])):
        if re.search(rf"(?:^|\s){re.escape(key)}(?:\s|$)", words):
            return name
    return None


def _table(lines: list[str], at: int) -> tuple[list[str], list[tuple[int, list[str]]], int]:
    """The table starting at line index ``at``: header cells, (index, cells) rows, next index."""

    def cells(line: str) -> list[str]:
        return [c.strip() for c in line.strip().strip("|").split("|")]

    header = [plain(c).lower() for c in cells(lines[at])]
    rows = []
    i = at + 2
    while i < len(lines) and lines[i].lstrip().startswith("|"):
        rows.append((i, cells(lines[i])))
        i += 1
    return header, rows, i


def _column(header: list[str], *names: str) -> int | None:
    for i, cell in enumerate(header):
        if any(cell == n or cell.startswith(n + " ") for n in names):
            return i
    return None


def _read_tables(pkg: Package, rel: str, lines: list[str], at: int, mapped: set[int]) -> int:
    header, rows, end = _table(lines, at)
    metric = _column(header, "metric", "name", "measure")
    target = _column(header, "target", "goal")
    base = _column(header, "baseline", "value", "current", "before")
    scope = _column(header, "impact", "task", "owner", "scope")
    measure = _column(header, "source", "how measured", "tool")
    if metric is not None and (target is not None or base is not None):
        for i, row in rows:

            def get(col: int | None, row: list[str] = row) -> str | None:
                return plain(row[col], " ") or None if col is not None and col < len(row) else None

            label = get(metric)
            if not label:
                continue
            scoped = _TASK_IN_RE.search(row[scope]) if scope is not None and scope < len(row) else None
            pkg.metrics.append(
                MetricRow(
                    label, get(base), get(target), scoped.group(1) if scoped else None, get(measure), Source(rel, i + 1)
                )
            )
            mapped.add(i)
        mapped.update({at, at + 1})
        return end
    first = header[0] if header else ""
    role = _column(header, "agent type", "agent", "role")
    duration = _column(header, "duration", "estimate", "estimated", "effort")
    starts = _column(header, "can start", "depends on", "dependencies", "after")
    if first in {"file", "task", "issue", "id", "#"} and (role is not None or duration is not None):
        for i, row in rows:
            m = _TASK_FILE_RE.match(plain(row[0])) or _TASK_IN_RE.search(row[0])
            ident = (
                m.group(1)
                if m
                else (plain(row[0]).lstrip("#") if re.fullmatch(r"#?\d+(?:\.\d+)*", plain(row[0])) else None)
            )
            if ident is None:
                continue
            src = Source(rel, i + 1)
            if role is not None and role < len(row) and plain(row[role]):
                pkg.add("role", plain(row[role]), src, ident)
            for d in durations(row[duration]) if duration is not None and duration < len(row) else []:
                pkg.add("duration", d, src, ident)
                break
            if starts is not None and starts < len(row):
                pkg.add("depends", plain(row[starts]), src, ident)
            mapped.add(i)
        mapped.update({at, at + 1})
    return end


def _scan_markdown(pkg: Package, rel: str, text: str) -> None:
    lines = text.splitlines()
    mapped: set[int] = set()
    m = _TASK_FILE_RE.match(Path(rel).name)
    file_task = m.group(1) if m else None
    if m:
        pkg.add("slug", m.group(2), Source(rel, 1), file_task)
    task = file_task
    task_level = 0  # the heading level that set the task; a heading at or above it ends it
    field_name: str | None = None
    field_indent = 0
    deeper = False
    heading = ""
    fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        src = Source(rel, i + 1)
        stripped = line.strip()
        if stripped.startswith("```") or stripped.startswith("~~~"):
            fence = not fence
            i += 1
            continue
        if (
            not fence
            and stripped.startswith("|")
            and i + 1 < len(lines)
            and re.match(r"^\s*\|[\s:|-]+\|?\s*$", lines[i + 1])
        ):
            i = _read_tables(pkg, rel, lines, i, mapped)
            continue
        h = _HEADING_RE.match(line) if not fence else None
        if h:
            level, heading = len(h.group(1)), h.group(2)
            text_h = plain(heading)
            if task is not None and task != file_task and level <= task_level:
                task = file_task
            field_name = None
            agent_head = _AGENT_HEAD_RE.match(text_h)
            titled = _TASK_TITLE_RE.match(text_h)
            mentioned = _TASK_IN_RE.search(text_h)
            if agent_head:
                task, task_level = agent_head.group(2), level
                pkg.add("agent", agent_head.group(1), src, task)
                mapped.add(i)
            elif titled:
                task, task_level = titled.group(1), level
                title = _title(titled.group(2), src, task, pkg)
                if title:
                    pkg.add("title", title, src, task)
                mapped.add(i)
            elif mentioned and file_task is None:
                task, task_level = mentioned.group(1), level
                mapped.add(i)
            elif level == 1 and file_task is None:
                pkg.add("heading", text_h, src)
            field_name = _section_field(text_h)
            deeper = False
            if field_name:
                mapped.add(i)
                field_indent = 0
            i += 1
            continue
        bold = _BOLD_TASK_RE.match(stripped) if not fence else None
        if bold:
            task, task_level = bold.group(1), 7  # ended by the next heading of any level
            title = _title(bold.group(2), src, task, pkg)
            if title:
                pkg.add("title", title, src, task)
            field_name = None
            mapped.add(i)
            i += 1
            continue
        item = _ITEM_RE.match(line)
        label = _LABEL_RE.match(line)
        if (label and not item) or (label and item and plain(label.group(1)).lower() in LABEL_FIELDS | META_FIELDS):
            key = plain(label.group(1)).lower()
            value = label.group(2)
            if task is not None and key in LABEL_FIELDS:
                name = LABEL_FIELDS[key]
                field_name = name
                field_indent = len(line) - len(line.lstrip())
                deeper = bool(value.strip())  # after "Files: a" only indented items continue it
                if deeper:
                    _claim(pkg, name, value, src, task)
                mapped.add(i)
                i += 1
                continue
            if task is None and key in META_FIELDS and value.strip():
                pkg.add(META_FIELDS[key], plain(value), src)
                mapped.add(i)
                i += 1
                continue
            if task is None and key in ("success criteria",) and not value.strip():
                field_name, field_indent, deeper = "criterion", len(line) - len(line.lstrip()), False
                mapped.add(i)
                i += 1
                continue
        if item and field_name is not None and deeper and len(item.group(1)) <= field_indent:
            field_name = None
        if item and field_name is not None:
            indent, box, body = len(item.group(1)), item.group(2), item.group(3)
            _item(pkg, field_name, body, box, indent > field_indent and field_name == "objective", src, task, heading)
            if indent <= field_indent:
                field_indent = min(field_indent, indent)
            mapped.add(i)
            i += 1
            continue
        if item and item.group(2) is not None:
            pkg.boxes.append(Box(plain(item.group(3)), item.group(2) != " ", src, task, plain(heading)))
            mapped.add(i)
        elif task is None and stripped and not item:
            _schedule_line(pkg, stripped, src, mapped, i)
        for name, ident in _YOU_ARE_RE.findall(plain(line)):
            pkg.add("agent_self", name, src, ident)  # what the agent was told it is: the name to show
            mapped.add(i)
        for later, earlier in _AFTER_RE.findall(plain(line)):
            pkg.add("depends", f"Task {earlier}", src, later)
            mapped.add(i)
        if task is not None:
            key_match = _MEMORY_KEY_RE.search(line)
            if key_match:
                pkg.add("key", key_match.group(1), src, task)
        if (
            stripped
            and not item
            and field_name is not None
            and not line.startswith(" ")
            and not stripped.rstrip("*").endswith(":")
        ):
            field_name = None  # a paragraph ends the list; an introduction ("... when:") does not
        i += 1
    _unmapped(pkg, rel, lines, mapped)


def _title(text: str, src: Source, task: str, pkg: Package) -> str:
    """A heading's title; a duration in parentheses at its end ("(2.4 days)") is a duration claim."""
    m = re.search(r"\s*\(([^()]*)\)\s*$", text)
    if m and durations(m.group(1)):
        pkg.add("duration", durations(m.group(1))[0], src, task)
        return text[: m.start()].strip()
    return text.strip()


def _claim(pkg: Package, name: str, value: str, src: Source, task: str) -> None:
    if name == "duration":
        for d in durations(value):
            pkg.add("duration", d, src, task)
            return
        pkg.add("unparsed", f"duration {plain(value)!r}", src, task)
    elif name == "files":
        for path in _paths(value):
            pkg.add("files", path, src, task)
    elif name in ("deliverable", "criterion", "objective"):
        for part in value.split(";") if name != "objective" else [value]:
            if plain(part):
                pkg.add(name, (plain(part), ()) if name == "objective" else plain(part), src, task)
    else:
        pkg.add(name, plain(value), src, task)


def _item(
    pkg: Package, name: str, body: str, box: str | None, nested: bool, src: Source, task: str | None, heading: str
) -> None:
    text = plain(body)
    if not text:
        return
    if box is not None:
        pkg.boxes.append(Box(text, box != " ", src, task, plain(heading)))
    if name == "objective":
        if nested:
            objectives = pkg.of("objective", task)
            if objectives:
                last = objectives[-1]
                title, steps = last.value
                pkg.claims[pkg.claims.index(last)] = Claim("objective", (title, (*steps, text)), last.source, task)
                return
        pkg.add("objective", (text, ()), src, task)
    elif name == "files":
        for path in _paths(body):
            pkg.add("files", path, src, task)
    elif name == "depends":
        pkg.add("depends", text, src, task)
    else:
        pkg.add(name, text, src, task)


def _paths(text: str) -> list[str]:
    """Paths in a list item: backticked spans, else comma-separated words that look like paths."""
    spans = re.findall(r"`([^`]+)`", text)
    candidates = spans or [p.strip() for p in re.split(r",\s*", plain(text))]
    return [p.split()[0] for p in candidates if p and ("/" in p or "." in p) and " " not in p.strip()]


def _schedule_line(pkg: Package, text: str, src: Source, mapped: set[int], index: int) -> None:
    lowered = plain(text).lower()
    if "critical path" in lowered:
        pkg.add("critical", plain(text), src)
        mapped.add(index)
    elif re.search(r"\btotal\b", lowered) and durations(lowered):
        pkg.add("total", plain(text), src)
        mapped.add(index)


def _unmapped(pkg: Package, rel: str, lines: list[str], mapped: set[int]) -> None:
    heading, first, count = "(top of file)", None, 0
    fence = False
    for i, line in enumerate([*lines, "# end"]):
        if line.strip().startswith(("```", "~~~")):
            fence = not fence
        h = _HEADING_RE.match(line) if not fence or i == len(lines) else None
        if h:
            if count:
                pkg.unmapped.append((Source(rel, first or 1), heading, count))
            heading, first, count = plain(h.group(2)), None, 0
            continue
        if line.strip() and line.strip() != "---" and i not in mapped and not line.strip().startswith("```"):
            first = first or i + 1
            count += 1


def _scan_json(pkg: Package, rel: str, text: str) -> None:
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise Abort(f"{rel}: not JSON ({exc}); fix or remove it, then import again") from None
    if not isinstance(data, dict):
        return
    if "baseline" in Path(rel).name.lower() and not pkg.baseline:
        pkg.baseline = data
        pkg.baseline_source = Source(rel, 1)


def _files(root: Path) -> Iterator[Path]:
    for path in sorted(root.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue  # a package is its own files: a link may point anywhere
        if any(part.startswith(".") for part in path.relative_to(root).parts):
            continue
        if path.suffix.lower() in (".md", ".markdown", ".json"):
            yield path


def scan(root: Path) -> Package:
    """Read every markdown and JSON file under ``root`` (sorted, so the result is stable)."""
    if not root.is_dir():
        raise Abort(f"{root}: not a folder; give the folder that holds the hand-written documents")
    pkg = Package(root)
    total = 0
    for count, path in enumerate(_files(root), 1):
        rel = path.relative_to(root).as_posix()
        if count > MAX_FILES:
            raise Abort(f"{root}: more than {MAX_FILES} documents; import the folder of one phase")
        data = path.read_bytes()
        total += len(data)
        if total > MAX_BYTES:
            raise Abort(f"{root}: more than {MAX_BYTES // 1_000_000} MB of documents; import the folder of one phase")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise Abort(f"{rel}: not UTF-8 text (byte {exc.start}); save it as UTF-8, then import again") from None
        pkg.files.append(rel)
        if path.suffix.lower() == ".json":
            _scan_json(pkg, rel, text)
        else:
            _scan_markdown(pkg, rel, text)
    if not pkg.files:
        raise Abort(f"{root}: no markdown or JSON documents to import")
    return pkg


def phase_number(pkg: Package) -> int | None:
    """The phase number most headings and task ids name (``Phase 7``, ``7.1``), or None."""
    counts: dict[int, int] = {}
    for claim in pkg.of("heading"):
        for m in _PHASE_RE.finditer(claim.value):
            counts[int(m.group(1))] = counts.get(int(m.group(1)), 0) + 1
    for ident in pkg.task_order:
        head = ident.split(".")[0]
        if "." in ident and head.isdigit():
            counts[int(head)] = counts.get(int(head), 0) + 1
    return max(sorted(counts), key=lambda n: counts[n]) if counts else None
