"""Decide each field of the new project from the package's claims, and say why.

One rule for every field, so the report can state it once:

- a task's scalar fields (title, role, duration, dependencies) come from the task's own
  file when it has one (``task-7.1-*.md``: the document agents are told to read first),
  else from the value most sources agree on (ties: the first read);
- a list (objectives, deliverables, criteria) comes from one source: the task's own
  file, else the document that lists the most items; items only other sources state
  are named in the report, never merged silently;
- metric tables give the catalogue, the baseline and, for rows that name a task, a
  target that is attached to that task's criterion about the metric.

Every disagreement becomes a :class:`Decision`, printed by :mod:`.report`.
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import PurePosixPath
from typing import Any

from phasedocs.input.targets import TargetSyntaxError, parse_target
from phasedocs.porting.scan import Claim, Duration, MetricRow, Package, Source, durations, plain, timestamp


@dataclass(frozen=True)
class Decision:
    """One choice between sources: what each said, what was taken, and why."""

    subject: str
    """What the choice is about: ``7.1 title``, ``phase start``."""
    taken: str
    why: str
    said: tuple[tuple[str, tuple[Source, ...]], ...]
    """Each distinct value with the places that state it."""


@dataclass
class Ported:
    """The new project's files as data, and what the report needs to say about them."""

    project: dict[str, Any]
    phase: dict[str, Any]
    snapshot: dict[str, Any] | None
    number: int
    decisions: list[Decision] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    """(topic, sentence): mappings worth knowing that are not a choice between sources."""
    left_out: list[tuple[str, str, tuple[Source, ...]]] = field(default_factory=list)
    """(subject, item, where): list items other sources state that were not imported."""
    claimed_total: list[tuple[str, Source]] = field(default_factory=list)
    claimed_finish: list[tuple[str, Source]] = field(default_factory=list)
    claimed_critical: list[tuple[str, Source]] = field(default_factory=list)
    repo_root: str | None = None
    """The folder the package's absolute paths lie under, if they share one."""


_ROLE_RE = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")


def slugify(text: str, limit: int = 40) -> str:
    """``Build Infrastructure (clean)`` -> ``build-infrastructure-clean``, cut at a word."""
    words = re.findall(r"[a-z0-9]+", plain(text).lower())
    out = ""
    for word in words:
        if len(out) + len(word) + 1 > limit and out:
            break
        out = f"{out}-{word}" if out else word
    return out or "item"


def _said(claims: list[Claim], show: Any = str) -> tuple[tuple[str, tuple[Source, ...]], ...]:
    grouped: dict[str, list[Source]] = {}
    for c in claims:
        grouped.setdefault(show(c.value), []).append(c.source)
    return tuple((value, tuple(where)) for value, where in grouped.items())


def _own(claims: list[Claim], task: str | None) -> list[Claim]:
    return [c for c in claims if task is not None and PurePosixPath(c.source.file).name.startswith(f"task-{task}-")]


def _choose(subject: str, claims: list[Claim], out: Ported, key: Any = None, show: Any = str) -> Claim | None:
    """The claim a scalar field takes, recording a decision when sources disagree."""
    if not claims:
        return None
    key = key or (lambda v: v)
    task = claims[0].task
    own = _own(claims, task)
    counts = Counter(key(c.value) for c in claims)
    if own:
        pick, why = own[0], "the task's own file states it"
    else:
        best = max(counts.values())
        pick = next(c for c in claims if counts[key(c.value)] == best)
        why = f"{best} of {len(claims)} statements agree" if best > 1 else "the first statement read"
    if len(counts) > 1:
        out.decisions.append(Decision(subject, show(pick.value), why, _said(claims, show)))
    return pick


def _similar(a: str, b: str) -> bool:
    na, nb = (" ".join(re.findall(r"[a-z0-9]+", x.lower())) for x in (a, b))
    return na == nb or difflib.SequenceMatcher(None, na, nb).ratio() >= 0.8


def _choose_list(subject: str, claims: list[Claim], out: Ported, text: Any = str) -> list[Claim]:
    """The items of one source (see the module's rule); the others' extra items are reported."""
    if not claims:
        return []
    by_file: dict[str, list[Claim]] = {}
    for c in claims:
        by_file.setdefault(c.source.file, []).append(c)
    own = _own(claims, claims[0].task)
    if own:
        chosen_file, why = own[0].source.file, "the task's own file"
    else:
        chosen_file = max(by_file, key=lambda f: len(by_file[f]))
        why = "the document that lists the most"
    chosen = by_file[chosen_file]
    others = [c for f, items in by_file.items() if f != chosen_file for c in items]
    extra: dict[str, list[Source]] = {}
    for c in others:
        if not any(_similar(text(c.value), text(k.value)) for k in chosen):
            match = next((k for k in extra if _similar(k, text(c.value))), text(c.value))
            extra.setdefault(match, []).append(c.source)
    for item, where in extra.items():
        out.left_out.append((subject, item, tuple(where)))
    if len(by_file) > 1:
        counts = ", ".join(f"{f} ({len(items)})" for f, items in by_file.items())
        out.notes.append((subject, f"taken from {chosen_file}, {why}; listed by {counts}"))
    return chosen


# --- dependencies ---------------------------------------------------------------------

_NONE_RE = re.compile(r"^(?:none|now|n/?a|-|—|–|nothing|no dependencies|can start now|immediately)\b", re.I)
_PHASE_DEP_RE = re.compile(r"\bPhase\s+(\d+)\b(?:\s+(?:is\s+)?(?:complete|completed|done|finished))?", re.I)
_ID_RE = re.compile(r"(?<![\w.])#?(\d+(?:\.\d+)*)(?![\w.%]|\s*(?:days?|hours?|h|d|weeks?|min)\b)")


def dependencies(text: str, task: str, order: list[str]) -> tuple[tuple[str, ...], int | None, list[str]]:
    """(task ids, phase it follows, unknown ids) that a dependency text names.

    Understands ``None``, ``Now``, ``Phase 6 complete``, ``Task 7.3``, ``#9``, ``7.1, 7.2``,
    ``all previous tasks`` and ``all Phase 3 (& 4) tasks``.
    """
    value = plain(text)
    lowered = value.lower()
    after: int | None = None
    if _NONE_RE.match(lowered):
        return (), None, []
    if re.search(r"\ball (?:the )?(?:previous|prior|earlier|other) tasks\b", lowered):
        return tuple(order[: order.index(task)]) if task in order else (), None, []
    group = re.search(r"\ball (?:of )?phase\s+([\d\s,&and]+?)\s+tasks\b", lowered)
    if group:
        heads = re.findall(r"\d+", group.group(1))
        return tuple(t for t in order if t.split(".")[0] in heads and t != task), None, []
    for m in _PHASE_DEP_RE.finditer(value):
        after = int(m.group(1))
    rest = _PHASE_DEP_RE.sub(" ", value)
    ids: list[str] = []
    unknown: list[str] = []
    for m in _ID_RE.finditer(rest):
        ident = m.group(1)
        if ident == task:
            continue
        (ids if ident in order else unknown).append(ident)
    return tuple(dict.fromkeys(ids)), after, unknown


# --- metrics --------------------------------------------------------------------------

_STOP = {"the", "a", "an", "of", "in", "to", "by", "and", "for", "all", "time", "is"}


def _tokens(text: str) -> set[str]:
    words = re.findall(r"[a-z0-9]+", plain(text).lower())
    return {w[:-1] if len(w) > 3 and w.endswith("s") else w for w in words}


def _number(text: str | None) -> float | str | None:
    """A table cell as a metric value: a number, a ratio ``626/630``, text, or None for TBD."""
    if text is None:
        return None
    value = plain(text, " ")
    if value.lower() in {"tbd", "unknown", "n/a", "-", "—", "", "pending", "?"} or value.lower().startswith("pending"):
        return None
    ratio = re.search(r"\b(\d+)\s*/\s*(\d+)\b", value)
    if ratio:
        return f"{ratio.group(1)}/{ratio.group(2)}"
    if re.fullmatch(r"\d+(?:\.\d+)?\s*%", value):  # "61%": a percent value (a change carries a sign)
        number = float(value.rstrip(" %"))
        return int(number) if number.is_integer() else number
    if re.fullmatch(r"[-+]?\d+(?:\.\d+)?", value.replace(",", "")):
        number = float(value.replace(",", ""))
        return int(number) if number.is_integer() else number
    return value


def target_text(written: str, baseline: float | str | None) -> str | None:
    """A hand-written target in phasedocs' syntax (checked by its parser), or None: see :func:`_target_text`."""
    candidate = _target_text(written, baseline)
    if candidate is None or candidate.startswith("=="):
        return candidate
    try:
        parse_target(candidate)
    except TargetSyntaxError:
        return None
    return candidate


def _target_text(written: str, baseline: float | str | None) -> str | None:
    """A hand-written target in phasedocs' syntax, or None when it cannot be said.

    ``-25 to -40%`` -> ``-40%..-25%``; ``<20`` -> ``< 20``; ``93`` above a baseline of 0 ->
    ``>= 93``; ``2.0.0`` -> ``== 2.0.0``; a change without a percent sign (``-500``)
    cannot be said and is reported.
    """
    value = plain(written, " ").replace("−", "-")
    m = re.fullmatch(r"([-+]?\d+(?:\.\d+)?)\s*%?\s*(?:to|-|–|\.\.)\s*([-+]?\d+(?:\.\d+)?)\s*%", value)
    if m and (value.startswith(("-", "+"))):
        sign = "-" if value.startswith("-") else "+"
        a, b = (float(x.lstrip("+-")) for x in m.groups())
        lo, hi = sorted((a, b))
        fmt = lambda x: f"{x:g}"  # noqa: E731
        return f"-{fmt(hi)}%..-{fmt(lo)}%" if sign == "-" else f"+{fmt(lo)}%..+{fmt(hi)}%"
    m = re.fullmatch(r"(<=|>=|<|>|==|≤|≥)\s*(.+)", value)
    if m:
        op = {"≤": "<=", "≥": ">="}.get(m.group(1), m.group(1))
        return f"{op} {m.group(2).strip()}"
    if re.fullmatch(r"[-+]\d+(?:\.\d+)?%", value):
        return f"{'<=' if value.startswith('-') else '>='} {value}"
    if re.fullmatch(r"\d+(?:\.\d+)?", value) and isinstance(baseline, (int, float)):
        return f">= {value}" if float(value) >= baseline else f"<= {value}"
    if re.fullmatch(r"\d+(?:\.\d+){2,}", value) or re.fullmatch(r"\d+\s*/\s*\d+", value):
        return f"== {value}" if "/" not in value else f">= {value.replace(' ', '')}"
    return None


def _unit(label: str, values: list[Any]) -> str:
    if any(isinstance(v, str) and re.fullmatch(r"\d+/\d+", v) for v in values):
        return "ratio"
    if any(isinstance(v, str) for v in values):
        return "text"
    if re.search(r"\btime\b|\bduration\b|\blatency\b", label.lower()):
        return "seconds"
    return "count"


def _better(target: str | None) -> str | None:
    if target is None or target.startswith("=="):
        return None
    if target.startswith(("<", "-")):
        return "lower"
    return "higher"


def _criterion_id(text: str, taken: set[str]) -> str:
    base = slugify(text)
    ident, n = base, 2
    while ident in taken:
        ident, n = f"{base}-{n}", n + 1
    taken.add(ident)
    return ident


# --- the whole ------------------------------------------------------------------------


def reconcile(pkg: Package, number: int | None) -> Ported:
    """Turn a scanned package into a project, phase and first snapshot, with every decision."""
    from phasedocs.porting.scan import phase_number

    found = phase_number(pkg)
    phase_no = number if number is not None else (found if found is not None else 1)
    out = Ported({}, {}, None, phase_no, repo_root=repository_root(pkg))
    if not pkg.task_order:
        from phasedocs.errors import Abort

        raise Abort(
            f"{pkg.root}: no task found; phasedocs import reads 'Task 1.2: Title' or 'Issue #8: Title' "
            "headings, task-N.M-*.md files or a task table"
        )
    order = list(pkg.task_order)
    catalogue, baseline, links = _metrics(pkg, out)
    criterion_ids: set[str] = set()
    tasks = [_task(pkg, ident, order, out, links, criterion_ids) for ident in order]
    out.phase = _phase(pkg, tasks, out, criterion_ids, phase_no)
    out.project = _project(pkg, catalogue, out)
    out.snapshot = _snapshot(pkg, out, baseline, tasks)
    return out


def _metrics(pkg: Package, out: Ported) -> tuple[dict[str, Any], dict[str, Any], dict[str, list[MetricRow]]]:
    rows_by_key: dict[str, list[MetricRow]] = {}
    for row in pkg.metrics:
        rows_by_key.setdefault(slugify(row.label, 60).replace("-", "_"), []).append(row)
    catalogue: dict[str, Any] = {}
    baseline: dict[str, Any] = {}
    json_values = {k: v for k, v in pkg.baseline.items() if k not in {"timestamp", "phase", "label", "kind", "note"}}
    for key in sorted(set(rows_by_key) | set(json_values), key=lambda k: (k not in rows_by_key, k)):
        rows = rows_by_key.get(key, [])
        base_cells = [_number(r.baseline) for r in rows if r.baseline is not None]
        value = json_values.get(key)
        if isinstance(value, str):
            value = _number(value)
        known = [v for v in [value, *base_cells] if v is not None]
        if key in json_values and json_values[key] is not None and value is None:
            out.notes.append(
                (
                    f"metric {key}",
                    f"baseline-metrics.json says {json_values[key]!r}: not a value, recorded as not measured yet",
                )
            )
        targets = [r.target for r in rows if r.target]
        written = targets[0] if targets else None
        first_base = known[0] if known else None
        target = target_text(written, first_base) if written else None
        label = rows[0].label if rows else key.replace("_", " ").title()
        textual = [written] if target is not None and target.startswith("==") else []  # "== 2.0.0"
        entry: dict[str, Any] = {"label": label, "unit": _unit(label, known + textual)}
        cells = [plain(r.baseline, " ") for r in rows if r.baseline] + [plain(str(json_values.get(key, "")), " ")]
        if entry["unit"] == "count" and any(re.fullmatch(r"\d+(?:\.\d+)?\s*%", c) for c in cells):
            entry["unit"] = "percent"
        better = _better(target)
        if better:
            entry["better"] = better
        measure = next((r.measure for r in rows if r.measure), None)
        if measure:
            entry["source"] = measure
        catalogue[key] = entry
        baseline[key] = first_base
        if len({str(v) for v in known}) > 1:
            said = tuple((str(v), ()) for v in dict.fromkeys(str(v) for v in known))
            out.decisions.append(
                Decision(
                    f"metric {key} baseline", str(first_base), "baseline-metrics.json first, then the first table", said
                )
            )
    links = rows_by_key
    return catalogue, baseline, links


def _task(
    pkg: Package, ident: str, order: list[str], out: Ported, links: dict[str, list[MetricRow]], ids: set[str]
) -> dict[str, Any]:
    task: dict[str, Any] = {"id": ident}
    title = _choose(f"{ident} title", pkg.of("title", ident), out)
    slug = pkg.of("slug", ident)
    task["slug"] = slug[0].value if slug else slugify(title.value if title else ident)
    keys = pkg.of("key", ident)
    own_key = task["slug"].replace("-", "_")
    if keys and not any(c.value == own_key for c in keys):
        task["key"] = Counter(c.value for c in keys).most_common(1)[0][0]
    task["title"] = title.value if title else f"Task {ident}"
    if title is None:
        out.notes.append((f"{ident} title", "no source gives a title: named after its id"))
    agents = pkg.of("agent", ident)
    role_claims = pkg.of("role", ident) + [c for c in agents if _ROLE_RE.fullmatch(c.value)]
    role = _choose(f"{ident} role", role_claims, out)
    names = [c for c in agents if not _ROLE_RE.fullmatch(c.value)]
    task["role"] = role.value if role else slugify(names[0].value) if names else "agent"
    if role is None:
        out.notes.append((f"{ident} role", f"no source gives a role: {task['role']!r}"))
    names = pkg.of("agent_self", ident) + names
    if names:
        name = _choose(f"{ident} agent name", names, out)
        if name is not None and name.value != task["role"]:
            task["agent"] = name.value
    duration = _choose(
        f"{ident} duration",
        pkg.of("duration", ident),
        out,
        key=lambda d: (d.days, d.low, d.high),
        show=lambda d: d.written,
    )
    _duration(task, duration, out)
    deps = _choose_deps(pkg, ident, order, out)
    task["depends_on"] = list(deps)
    goal = _choose(f"{ident} goal", pkg.of("goal", ident), out)
    if goal:
        task["goal"] = goal.value
    objectives = _choose_list(f"{ident} objectives", pkg.of("objective", ident), out, text=lambda v: v[0])
    if objectives:
        task["objectives"] = [
            {"title": c.value[0], **({"steps": list(c.value[1])} if c.value[1] else {})} for c in objectives
        ]
    deliverables = _choose_list(f"{ident} deliverables", pkg.of("deliverable", ident), out)
    if deliverables:
        task["deliverables"] = [c.value for c in deliverables]
    files = _files(pkg.of("files", ident), out, ident)
    if files:
        task["files"] = files
    criteria = _choose_list(f"{ident} criteria", pkg.of("criterion", ident), out)
    task["criteria"] = _criteria(
        [c.value for c in criteria],
        [r for rows in links.values() for r in rows if r.scope == ident],
        links,
        ids,
        out,
        ident,
    )
    if not task["criteria"]:
        del task["criteria"]
    for c in pkg.of("group", ident):
        out.notes.append(
            (
                f"{ident} group",
                f"{c.source} names the group {c.value!r}: kept in the report only (groups are not in the format yet)",
            )
        )
    for c in pkg.of("unparsed", ident):
        out.notes.append((f"{ident}", f"{c.source}: {c.value} could not be read"))
    return task


def _duration(task: dict[str, Any], pick: Claim | None, out: Ported) -> None:
    ident = task["id"]
    if pick is None:
        task["duration_days"] = 1
        out.notes.append((f"{ident} duration", "no source gives a duration: 1 day, to be corrected in phase.yaml"))
        return
    d: Duration = pick.value
    task["duration_days"] = d.days
    if d.low is not None and d.high is not None and d.low < d.high:
        task["estimate"] = {"low": d.low, "high": d.high}
        out.notes.append(
            (
                f"{ident} duration",
                f"{d.written!r} ({pick.source}): a range, so its middle ({d.days:g} days) is the duration and the range its estimate",
            )
        )
    if d.unit not in {"d", "day", "days"}:
        out.notes.append(
            (f"{ident} duration", f"{d.written!r} ({pick.source}) is {d.days:g} days of 24 hours on the calendar")
        )


def _choose_deps(pkg: Package, ident: str, order: list[str], out: Ported) -> tuple[str, ...]:
    claims = pkg.of("depends", ident)
    parsed: list[Claim] = []
    for c in claims:
        ids, after, unknown = dependencies(c.value, ident, order)
        for u in unknown:
            out.notes.append(
                (f"{ident} depends", f"{c.source} names {u!r}, which is no task of this package: left out")
            )
        parsed.append(Claim("depends", ids, c.source, ident))
        if after is not None:
            pkg.add("after_phase", after, c.source)
    pick = _choose(
        f"{ident} depends_on", parsed, out, key=lambda v: tuple(sorted(v)), show=lambda v: ", ".join(v) or "none"
    )
    return pick.value if pick else ()


def _files(claims: list[Claim], out: Ported, ident: str) -> list[str]:
    paths: list[str] = []
    for c in claims:
        path = c.value.strip().strip("`")
        if path.startswith("/"):
            rel = _relative(path, out)
            if rel is None:
                out.notes.append((f"{ident} files", f"{c.source}: {path} is outside the repository: left out"))
                continue
            path = rel
        if path not in paths:
            paths.append(path)
    return paths


def _relative(path: str, out: Ported) -> str | None:
    root = out.repo_root
    if root and path.startswith(root + "/"):
        return path[len(root) + 1 :]
    return None


def _criteria(
    texts: list[str], rows: list[MetricRow], links: dict[str, list[MetricRow]], ids: set[str], out: Ported, scope: str
) -> list[dict[str, Any]]:
    """Criteria from their texts; a metric row of this scope gives its metric and target."""
    result: list[dict[str, Any]] = []
    unused = list(rows)
    for text in texts:
        item: dict[str, Any] = {"text": text}
        row = next((r for r in unused if _tokens(r.label) - _STOP <= _tokens(text)), None)
        if row is not None:
            key = slugify(row.label, 60).replace("-", "_")
            base = _number(links[key][0].baseline) if links.get(key) else None
            target = target_text(row.target, base) if row.target else None
            if target is not None:
                unused.remove(row)
                item.update(metric=key, target=target)
                out.notes.append(
                    (
                        f"{scope} criteria",
                        f"{text!r}: measured by {key} with target {target!r} ({row.source}: {row.target!r})",
                    )
                )
                result.append(item)
                continue
            if row.target:
                out.notes.append(
                    (
                        f"{scope} criteria",
                        f"{text!r}: the target {row.target!r} ({row.source}) cannot be said in phasedocs' syntax; kept as a hand check",
                    )
                )
                unused.remove(row)
        item["id"] = _criterion_id(text, ids)
        result.append(item)
    for row in unused:
        key = slugify(row.label, 60).replace("-", "_")
        base = _number(row.baseline)
        target = target_text(row.target, base) if row.target else None
        if target is None:
            out.notes.append(
                (
                    f"{scope} criteria",
                    f"{row.source}: {row.label} target {row.target!r} cannot be said in phasedocs' syntax; not imported",
                )
            )
            continue
        result.append({"text": f"{row.label} {row.target}", "metric": key, "target": target})
        out.notes.append(
            (
                f"{scope} criteria",
                f"{row.source}: {row.label} {row.target!r} matches no criterion text; added as a criterion",
            )
        )
    return result


def _phase(pkg: Package, tasks: list[dict[str, Any]], out: Ported, ids: set[str], number: int) -> dict[str, Any]:
    named = re.compile(rf"^(?:Phase\s+{number}|Mission|Sprint(?:\s+\d+)?|Milestone(?:\s+\d+)?|Project)\s*:\s*", re.I)
    titles = [c for c in pkg.of("heading") if named.match(c.value)]
    title = named.sub("", titles[0].value) if titles else f"Phase {number}"
    title = re.split(r"\s+[-–—]\s+", title)[0].strip() or f"Phase {number}"
    created = _earliest(pkg.of("created"), "phase created", out)
    start = _earliest(pkg.of("start"), "phase start", out)
    first = created or start or (timestamp(str(pkg.baseline.get("timestamp", ""))) if pkg.baseline else None)
    if first is None:
        first = datetime.fromisoformat("2000-01-01T00:00:00+00:00")
        out.notes.append(("phase start", "no source gives a date: 2000-01-01, to be corrected in phase.yaml"))
    phase: dict[str, Any] = {
        "number": number,
        "title": title,
        "created": (created or first).isoformat().replace("+00:00", "Z"),
        "start": (start or created or first).isoformat().replace("+00:00", "Z"),
    }
    afters = pkg.of("after_phase")
    if afters:
        pick = _choose("phase after_phase", afters, out)
        if pick is not None and pick.value != number:
            phase["after_phase"] = pick.value
    phase["tasks"] = tasks
    criteria = _choose_list("phase criteria", pkg.of("criterion"), out)
    texts = []
    for c in criteria:
        if re.match(r"^(?:Task|Issue)\s+#?\d", c.value, re.I) or re.match(r"^all\s+(?:\d+\s+)?tasks\b", c.value, re.I):
            out.notes.append(
                (
                    "phase criteria",
                    f"{c.source}: {c.value!r} says a task is done; the phase is complete when its tasks are, so it is no criterion",
                )
            )
            continue
        texts.append(c.value)
    phase_criteria = _criteria(texts, [r for r in pkg.metrics if r.scope is None and r.target], {}, ids, out, "phase")
    if phase_criteria:
        phase["success_criteria"] = phase_criteria
    deliverables = _choose_list("phase deliverables", pkg.of("deliverable"), out)
    if deliverables:
        phase["deliverables"] = [c.value for c in deliverables]
    out.claimed_total = [(c.value, c.source) for c in pkg.of("total")] + [
        (c.value, c.source) for c in pkg.of("finish") if durations(c.value) and timestamp(c.value) is None
    ]
    out.claimed_finish = [(c.value, c.source) for c in pkg.of("finish") if timestamp(c.value) is not None]
    out.claimed_critical = [(c.value, c.source) for c in pkg.of("critical")]
    return phase


def _earliest(claims: list[Claim], subject: str, out: Ported) -> datetime | None:
    stamped = [(t, c) for c in claims if (t := timestamp(c.value)) is not None]
    if not stamped:
        return None
    first = min(t for t, _ in stamped)
    if len({t for t, _ in stamped}) > 1:
        said = _said([Claim(c.field, t.isoformat().replace("+00:00", "Z"), c.source) for t, c in stamped])
        out.decisions.append(Decision(subject, first.isoformat().replace("+00:00", "Z"), "the earliest stated", said))
    return first


def _project(pkg: Package, catalogue: dict[str, Any], out: Ported) -> dict[str, Any]:
    name = PurePosixPath(out.repo_root or pkg.root.resolve().name).name
    project: dict[str, Any] = {"name": name.replace("-", " ").replace("_", " ").title() if name.islower() else name}
    coordinator = _choose("coordinator", pkg.of("coordinator"), out)
    if coordinator:
        project["coordinator"] = coordinator.value
    project["calendar"] = "calendar"
    project["timezone"] = "UTC"
    project["metrics"] = catalogue
    return project


def _snapshot(
    pkg: Package, out: Ported, baseline: dict[str, Any], tasks: list[dict[str, Any]]
) -> dict[str, Any] | None:
    checks: dict[str, bool] = {}
    where: list[str] = []
    hand = [  # (scope, text, id): a box matches a criterion of its own task, or of the phase
        (t.get("id"), c.get("text", ""), c["id"])
        for t in [*tasks, {"criteria": out.phase.get("success_criteria", [])}]
        for c in t.get("criteria", [])
        if "id" in c
    ]
    for box in pkg.boxes:
        if not box.checked:
            continue
        match = next((ident for scope, text, ident in hand if scope == box.task and _similar(text, box.text)), None)
        measured = [c for t in tasks if t["id"] == box.task for c in t.get("criteria", []) if "metric" in c]
        if match is None and any(_similar(c["text"], box.text) for c in measured):
            out.notes.append(
                (
                    "checked boxes",
                    f"{box.source}: [x] {box.text!r} is measured by a metric: a tick is no value; record one",
                )
            )
            continue
        if match is None:
            out.notes.append(("checked boxes", f"{box.source}: [x] {box.text!r} matches no criterion: not imported"))
            continue
        if match not in checks:
            checks[match] = True
            where.append(f"{match} ({box.source})")
    if not baseline and not checks:
        return None
    stamp = pkg.baseline.get("timestamp") if pkg.baseline else None
    when = timestamp(str(stamp)) if stamp else None
    start = datetime.fromisoformat(out.phase["created"].replace("Z", "+00:00"))
    when = when or start
    if when < start:
        when = start
    snapshot: dict[str, Any] = {
        "timestamp": when.isoformat().replace("+00:00", "Z"),
        "label": "Imported baseline",
        "kind": "baseline",
        "metrics": baseline,
        "tasks": {},
    }
    if checks:
        snapshot["checks"] = checks
        out.notes.append(
            (
                "checked boxes",
                f"{len(checks)} criteria were ticked in the hand-written documents before any work was recorded; "
                "they are recorded as claims in the first snapshot: verify each",
            )
        )
    sources = [
        str(pkg.baseline_source.file) if pkg.baseline_source else "the metric tables",
        *(f"ticked: {w}" for w in where),
    ]
    snapshot["note"] = ("Imported by phasedocs import from " + "; ".join(sources))[:2000]
    return snapshot


def repository_root(pkg: Package) -> str | None:
    """The folder every absolute path of the package lies under (``/workspaces/eventmesh``), if any.

    A package's own documents name themselves by absolute path (``/workspaces/x/docs/phase7/README.md``):
    the part before ``/docs/`` or before the package's folder name is the repository.
    A ``Repository: /path`` line says it outright.
    """
    stated = [c.value for c in pkg.of("repository") if c.value.startswith("/")]
    if stated:
        return stated[0].rstrip("/")
    text_paths = [c.value for c in pkg.claims if isinstance(c.value, str) and c.value.startswith("/")]
    text_paths += [b.text for b in pkg.boxes]
    candidates = []
    for value in text_paths:
        for m in re.finditer(r"(/[\w.-]+(?:/[\w.*-]+)+)", value):
            candidates.append(m.group(1))
    roots: Counter[str] = Counter()
    for path in candidates:
        parts = path.split("/")
        for marker in ("docs", "crates", "src", ".github", "tests"):
            if marker in parts[2:]:
                roots["/".join(parts[: parts.index(marker, 2)])] += 1
                break
    return roots.most_common(1)[0][0] if roots else None
