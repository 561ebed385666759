"""Load a project folder and check every rule of the input format, collecting all errors.

``load_project`` is the only entry point: it reads ``phases/`` (through ``loader``),
checks each file's shape (through ``models``), then the rules that span fields and
files, and either returns a :class:`Project` or raises :class:`ValidationErrors` with
every fault of the run, not just the first.
"""

from __future__ import annotations

import copy
import gc
import hashlib
import os
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from phasedocs.errors import Abort, InputError, Location, ValidationErrors
from phasedocs.input import protocol, records
from phasedocs.input.cpm import critical_path_method, levelled_method
from phasedocs.input.evidence import EVIDENCE_FILE, EvidenceFile, evidence_task_errors
from phasedocs.input.graph import find_cycle, longest_path, topological
from phasedocs.input.loader import Document, format_path, load_json, load_yaml
from phasedocs.input.messages import close_matches, parse_model, value_error
from phasedocs.input.models import (
    GROUP_PREFIX,
    MAX_TASK_RUNS,
    Agent,
    Criterion,
    Metric,
    Phase,
    ProjectConfig,
    Protocol,
    Snapshot,
    Units,
    merged_agents,
    reading_units,
)
from phasedocs.input.plan import PLAN_FILE, PlanFile, plan_errors, plan_task_errors
from phasedocs.input.site_config import SiteConfig, check_site_config
from phasedocs.input.targets import TargetSyntaxError, parse_target
from phasedocs.paths import leaves

PHASE_DIR_RE = re.compile(r"phase-([0-9]{2,})", re.ASCII)


@dataclass(frozen=True)
class SnapshotInput:
    """One snapshot with the file it came from."""

    file: str
    snapshot: Snapshot


@dataclass(frozen=True)
class PhaseInput:
    """One phase with its snapshots, ordered by timestamp (then file name)."""

    folder: str
    phase: Phase
    snapshots: tuple[SnapshotInput, ...]
    digest: str
    """Hash of the phase's own input files (phase.yaml, snapshots, plan.json and evidence.json)."""
    plan: PlanFile | None = None
    """The frozen plans (plan.json), if the phase has been frozen."""
    yaml_digest: str = ""
    """Hash of phase.yaml alone: a frozen plan records it, so documents tell when it changed since."""
    evidence: EvidenceFile | None = None
    """The latest reading of the git history (evidence.json, written by ``phasedocs sync``), if any."""


@dataclass(frozen=True)
class Project:
    """A validated project: everything the fact computation needs."""

    root: Path
    config: ProjectConfig
    phases: tuple[PhaseInput, ...]
    config_digest: str
    """Hash of project.yaml; every phase's documents depend on it."""
    warnings: tuple[str, ...] = ()
    """Faults that lose nothing but may surprise (a file in metrics/ that is not a snapshot)."""
    site: SiteConfig = field(default_factory=SiteConfig)
    """site_config/site.yaml (the defaults when there is none), read and checked with the rest."""


_SEQUENCE_RE = re.compile(r"(.*)~([0-9]{1,9})\.json", re.ASCII)


def file_order(file: str) -> tuple[str, int]:
    """Sort key of a snapshot file: ``x~10.json`` after ``x~2.json`` (same-second records)."""
    m = _SEQUENCE_RE.fullmatch(file)
    return (m.group(1), int(m.group(2))) if m else (file.removesuffix(".json"), 1)


def _digest(parts: Iterable[bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        h.update(len(part).to_bytes(8))  # big-endian, Python's default
        h.update(part)
    return h.hexdigest()[:16]


def load_project(root: Path, docs_prefix: str = "docs/") -> Project:
    """Load and validate the project at ``root``; raise :class:`ValidationErrors` on faults."""
    # thousands of snapshots make hundreds of thousands of small acyclic objects; the cyclic
    # collector would rescan all of them again and again (cost growing faster than the input)
    enabled = gc.isenabled()
    gc.disable()
    try:
        return _load_project(root, docs_prefix)
    finally:
        if enabled:
            gc.enable()


def _load_project(root: Path, docs_prefix: str) -> Project:
    errors: list[InputError] = []
    warnings: list[str] = []
    phases_dir = root / "phases"
    project_file = phases_dir / "project.yaml"
    if not project_file.is_file():
        where = "phases/project.yaml"
        raise ValidationErrors(
            [InputError(Location(where), "", f"not found in {root}; run 'phasedocs init' or pass --project DIR")]
        )
    config_doc = _read(project_file, "phases/project.yaml", load_yaml, errors, root)
    config: ProjectConfig | None = None
    catalogue: dict[str, Metric] | None = None
    project_agents: tuple[Agent, ...] | None = None
    if config_doc is not None:
        config, errs = parse_model(config_doc, ProjectConfig)
        errors += errs
        # a fault elsewhere in project.yaml must not hide the protocol's own, nor those of
        # names the files refer to in the catalogue
        section = _config_part(config, config_doc, "protocol")
        if section is not None:
            errors += _check_protocol_templates(section, config_doc)
        catalogue = _config_part(config, config_doc, "metrics")
        project_agents = _config_part(config, config_doc, "agents")
        if project_agents is not None:
            errors += agent_list_errors(project_agents, config_doc)

    phases: list[PhaseInput] = []
    seen_numbers: dict[int, str] = {}
    follows: list[tuple[Phase, Document]] = []  # phases with after_phase, checked once all are known
    folders = sorted(p for p in phases_dir.iterdir() if p.is_dir() and p.name.startswith("phase-"))
    numbers = {
        int(m.group(1)) for f in folders if (m := PHASE_DIR_RE.fullmatch(f.name)) and (f / "phase.yaml").is_file()
    }
    bases = repository_roots(root)
    for folder in folders:
        rel = f"phases/{folder.name}"
        m = PHASE_DIR_RE.fullmatch(folder.name)
        if not m:
            errors.append(
                InputError(
                    Location(rel),
                    "",
                    "a phase folder is named phase-NN (digits 0-9, two or more, e.g. phase-07); rename it",
                )
            )
            continue
        phase_file = folder / "phase.yaml"
        if not phase_file.is_file():
            errors.append(
                InputError(Location(f"{rel}/phase.yaml"), "", "not found; every phase folder needs a phase.yaml")
            )
            continue
        file = f"{rel}/phase.yaml"
        doc = _read(phase_file, file, load_yaml, errors, root)
        phase: Phase | None = None
        if doc is not None:
            # durations with units are days of work of the project's calendar (8 hours, 5-day weeks)
            with reading_units(config.units() if config is not None else Units()):
                phase, errs = parse_model(doc, Phase)
            errors += errs
        snapshots = _load_snapshots(folder, rel, errors, root, warnings)
        plan_doc, plan = _load_plan(folder, rel, errors, root)
        evidence_doc, evidence = _load_evidence(folder, rel, errors, root)
        errors += _check_snapshot_values(catalogue, snapshots)
        if phase is None or doc is None:
            continue
        number = int(m.group(1))
        if phase.number != number:
            errors.append(doc.error(("number",), f"is {phase.number} but the folder is {folder.name}; make them agree"))
        if phase.number in seen_numbers:
            errors.append(
                doc.error(
                    ("number",),
                    f"phase {phase.number} is defined twice (also in {seen_numbers[phase.number]}); keep one folder per phase",
                )
            )
        seen_numbers[phase.number] = file
        phase_errors, expanded = _check_phase(phase, doc, catalogue)
        if project_agents is not None:
            phase_errors += agent_list_errors(phase.agents, doc) + assignee_errors(phase, doc, project_agents)
            if not phase_errors:  # levelled on task ids: a group:ID dependency is its tasks
                assert expanded is not None  # no fault: its groups and dependencies are valid
                phase_errors += levelled_length_errors(expanded, doc, project_agents)
        errors += phase_errors
        if not phase_errors:
            assert expanded is not None
            phase = expanded  # from here on, dependencies are task ids only
        if plan is not None and plan_doc is not None:
            errors += plan_task_errors(plan_doc, plan, [t.id for t in phase.tasks], doc.sha256[:16])
        if evidence is not None and evidence_doc is not None:
            errors += evidence_task_errors(evidence_doc, evidence, [t.id for t in phase.tasks])
        errors += _check_files(phase, doc, bases)
        if phase.after_phase is not None:
            follows.append((phase, doc))
        snaps = sorted(
            ((d, s) for d, s in snapshots if s is not None), key=lambda ds: (ds[1].timestamp, file_order(ds[0].file))
        )
        if not phase_errors:
            ids = _check_snapshot_ids(phase, snapshots)
            errors += ids
            if not ids:
                errors += snapshot_order_errors(phase, snaps)
        ordered = tuple(SnapshotInput(d.file, s) for d, s in snaps)
        plan_part = [b"plan", plan_doc.sha256.encode()] if plan_doc is not None else []
        evidence_part = [b"evidence", evidence_doc.sha256.encode()] if evidence_doc is not None else []
        digest = _digest([doc.sha256.encode(), *(d.sha256.encode() for d, _ in snaps), *plan_part, *evidence_part])
        phases.append(PhaseInput(folder.name, phase, ordered, digest, plan, doc.sha256[:16], evidence))

    if config is not None and config_doc is not None:
        errors += _check_forecast_size(config, config_doc, phases)
    errors += _check_after_phase(follows, numbers)
    if config is not None and config_doc is not None and not errors:
        errors += _check_protocol_render(config, config_doc, phases, docs_prefix)
    site, site_errors = check_site_config(root)  # the site's settings are input too (colours, palette, URLs)
    errors += site_errors
    if errors:
        raise ValidationErrors(errors)
    assert config is not None and config_doc is not None and site is not None  # no errors: all were read
    return Project(
        root=root,
        config=config,
        phases=tuple(sorted(phases, key=lambda p: p.phase.number)),
        config_digest=_digest([config_doc.sha256.encode()]),
        warnings=tuple(warnings),
        site=site,
    )


def _check_forecast_size(config: ProjectConfig, doc: Document, phases: list[PhaseInput]) -> list[InputError]:
    """forecast.runs times the tasks of the largest phase stays within :data:`MAX_TASK_RUNS`: the
    forecast's memory is bounded by batches, its time by this."""
    runs = config.forecast.runs
    biggest = max(phases, key=lambda p: len(p.phase.tasks), default=None)
    if biggest is None or runs * len(biggest.phase.tasks) <= MAX_TASK_RUNS:
        return []
    tasks = len(biggest.phase.tasks)
    return [
        doc.error(
            ("forecast", "runs"),
            f"{runs:,} runs over the {tasks:,} tasks of phase {biggest.phase.number} are {runs * tasks:,} "
            f"task-runs, more than the {MAX_TASK_RUNS:,} a forecast may take; "
            f"set forecast.runs to at most {MAX_TASK_RUNS // tasks:,}",
        )
    ]


def _read(path: Path, file: str, reader: Any, errors: list[InputError], root: Path) -> Document | None:
    problem = leaves(root, path)
    if problem:
        errors.append(InputError(Location(file), "", problem))
        return None
    try:
        return reader(path, file)
    except InputError as exc:
        errors.append(exc)
        return None


#: Files a folder may hold only to exist in git: never snapshots, never worth a warning.
KEEP_FILES = frozenset({".gitkeep", ".keep"})


def _load_snapshots(
    folder: Path, rel: str, errors: list[InputError], root: Path, warnings: list[str]
) -> list[tuple[Document, Snapshot | None]]:
    out: list[tuple[Document, Snapshot | None]] = []
    metrics_dir = folder / "metrics"
    if not metrics_dir.is_dir():
        return out
    try:  # not glob(), which reads an unreadable folder as an empty one: the phase would silently reset
        entries = sorted(os.scandir(metrics_dir), key=lambda e: e.name)
    except OSError as exc:
        errors.append(
            InputError(
                Location(f"{rel}/metrics"),
                "",
                f"cannot read the folder: {exc.strerror or exc}; make it readable by this user "
                "(its snapshots are the phase's progress), then run again",
            )
        )
        return out
    # only metrics/*.json are snapshots: anything else there is named, never silently skipped
    for entry in entries:
        path = metrics_dir / entry.name
        file = f"{rel}/metrics/{path.name}"
        if path.suffix.lower() in (".yaml", ".yml") and path.is_file():
            errors.append(
                InputError(
                    Location(file),
                    "",
                    "a snapshot is a JSON file (metrics/*.json), so this one is not read; "
                    f"convert it to JSON as {path.stem}.json, or record it with 'phasedocs record'",
                )
            )
        elif path.is_dir():
            warnings.append(f"{file}: a folder, not read; snapshots are the *.json files of metrics/ itself")
        elif path.suffix != ".json" and path.name not in KEEP_FILES and not path.name.startswith("."):
            warnings.append(f"{file}: not a snapshot (only metrics/*.json files are read); move it out of metrics/")
    for name in [e.name for e in entries if e.name.endswith(".json")]:
        path = metrics_dir / name
        file = f"{rel}/metrics/{name}"
        doc = _read(path, file, load_json, errors, root)
        if doc is None:
            continue
        snap, errs = parse_model(doc, Snapshot)
        errors += errs
        out.append((doc, snap))
    return out


def _load_plan(folder: Path, rel: str, errors: list[InputError], root: Path) -> tuple[Document | None, PlanFile | None]:
    """plan.json of a phase folder, checked; (None, None) when the phase has no frozen plan."""
    path = folder / PLAN_FILE
    if not path.exists() and not path.is_symlink():
        return None, None
    doc = _read(path, f"{rel}/{PLAN_FILE}", load_json, errors, root)
    if doc is None:
        return None, None
    plan, errs = parse_model(doc, PlanFile)
    errors += errs
    if plan is not None:
        errors += plan_errors(doc, plan)
    return doc, plan


def _load_evidence(
    folder: Path, rel: str, errors: list[InputError], root: Path
) -> tuple[Document | None, EvidenceFile | None]:
    """evidence.json of a phase folder, checked as untrusted input; (None, None) before any sync."""
    path = folder / EVIDENCE_FILE
    if not path.exists() and not path.is_symlink():
        return None, None
    doc = _read(path, f"{rel}/{EVIDENCE_FILE}", load_json, errors, root)
    if doc is None:
        return None, None
    evidence, errs = parse_model(doc, EvidenceFile)
    errors += errs
    return doc, evidence


def _config_part(config: ProjectConfig | None, doc: Document, key: str) -> Any:
    """Field ``key`` of project.yaml: from ``config`` when the file is valid, else the section
    checked on its own (its default when absent), or None when the section itself has faults
    (which the whole file's check reports)."""
    if config is not None:
        return getattr(config, key)
    if not isinstance(doc.data, dict):
        return None
    if doc.data.get(key) is None:
        return copy.copy(getattr(ProjectConfig, key))  # the class default; never share a dict
    try:
        return records.parse(records.fields(ProjectConfig)[key], doc.data[key])
    except records.ValidationError:
        return None


def _check_protocol_templates(section: Protocol, doc: Document) -> list[InputError]:
    errors = []
    for path, source, scope in protocol.iter_strings(section):
        try:
            protocol.check_template(source, scope, command=path[1] not in protocol.WORD_FIELDS)
        except protocol.ProtocolError as exc:
            errors.append(doc.error(path, str(exc)))
    return errors


def _check_protocol_render(
    config: ProjectConfig, doc: Document, phases: list[PhaseInput], prefix: str
) -> list[InputError]:
    """Render every protocol string for every task once, so render faults surface now."""
    errors: dict[tuple[Any, ...], InputError] = {}
    for p in phases:
        ctx_phase = protocol.scope(config, p.phase, prefix, p.folder)
        for task in p.phase.tasks:
            ctx = protocol.with_task(ctx_phase, p.phase, task, prefix)
            for path, source, scope in protocol.iter_strings(config.protocol):
                if path in errors:
                    continue
                try:
                    protocol.render_string(
                        source,
                        {k: v for k, v in ctx.items() if k in scope},
                        command=path[1] not in protocol.WORD_FIELDS,
                    )
                except protocol.ProtocolError as exc:
                    errors[path] = doc.error(path, f"{exc} (phase {p.phase.number}, task {task.id})")
    return list(errors.values())


def repository_roots(root: Path) -> list[Path]:
    """The folders a task's ``files:`` may be written relative to: the project (the folder
    holding phases/), then the git top level above it, if any (found by its ``.git``, as git
    does, never above the filesystem root; no command is run)."""
    here = Path(os.path.abspath(root))
    out = [here]
    for folder in (here, *here.parents):
        if (folder / ".git").exists():
            if folder != here:
                out.append(folder)
            break
    return out


_DRIVE_RE = re.compile(r"[A-Za-z]:[\\/]")


def _check_files(phase: Phase, doc: Document, bases: list[Path]) -> list[InputError]:
    """A task's ``files:`` are paths in the repository: an absolute one means another file on
    every machine, and would hide the collision it shares with a relative spelling."""
    errors = []
    for i, task in enumerate(phase.tasks):
        for j, path in enumerate(task.files):
            text = path.strip()
            if not (text.startswith(("/", "\\")) or _DRIVE_RE.match(text)):
                continue
            fix = "write it relative to the repository's top folder (e.g. src/app.py)"
            for base in bases:
                rel = os.path.relpath(os.path.normpath(text), base) if text.startswith("/") else ".."
                if rel != "." and not rel.startswith(".."):
                    fix = f"write it relative to the repository: {Path(rel).as_posix()}"
                    break
            errors.append(doc.error(("tasks", i, "files", j), f"'{text}' is an absolute path; {fix}"))
    return errors


def _check_after_phase(follows: list[tuple[Phase, Document]], numbers: set[int]) -> list[InputError]:
    """``after_phase`` names another phase of the project, or one before its first (earlier history)."""
    errors = []
    known = ", ".join(str(n) for n in sorted(numbers))
    for phase, doc in follows:
        if phase.after_phase == phase.number:
            errors.append(
                doc.error(("after_phase",), f"phase {phase.number} cannot follow itself; name the phase before it")
            )
        elif phase.after_phase is not None and phase.after_phase not in numbers and phase.after_phase > min(numbers):
            # a phase before the first one the project holds ran before phasedocs: history, not a typo
            errors.append(
                doc.error(
                    ("after_phase",),
                    f"there is no phase {phase.after_phase} in this project (phases: {known}); "
                    "name the phase this one follows (or one before the first), or remove after_phase",
                )
            )
    return errors


def _check_phase(
    phase: Phase, doc: Document, catalogue: dict[str, Metric] | None
) -> tuple[list[InputError], Phase | None]:
    """The faults of one phase.yaml on its own, and the phase with its groups expanded
    (:func:`expand_groups`, for the checks that follow and the facts): None when its tasks,
    groups or dependencies have faults."""
    errors: list[InputError] = []
    expanded: Phase | None = None
    ids: dict[str, int] = {}
    files: dict[str, int] = {}
    for i, task in enumerate(phase.tasks):
        if task.id in ids:
            errors.append(
                doc.error(
                    ("tasks", i, "id"),
                    f"task id '{task.id}' is used twice (also tasks[{ids[task.id]}]); make it unique",
                )
            )
        else:
            ids[task.id] = i
        if task.filename in files:
            errors.append(
                doc.error(
                    ("tasks", i, "slug"),
                    f"task file {task.filename} would be written twice (also tasks[{files[task.filename]}]); change the slug",
                )
            )
        files.setdefault(task.filename, i)
        if task.added is not None and task.added < phase.created:
            errors.append(
                doc.error(
                    ("tasks", i, "added"),
                    f"{task.added.isoformat()} is before the phase was created ({phase.created.isoformat()}); "
                    "added says when the task joined the phase: fix it, or remove added for a task planned from the start",
                )
            )
    members, group_errors = _check_groups(phase, doc)
    errors += group_errors
    known_groups = f"known: {', '.join(members)}" if members else "the phase has no groups: list it under groups:"
    known = ", ".join(ids)
    for i, task in enumerate(phase.tasks):
        for j, dep in enumerate(task.depends_on):
            if dep.startswith(GROUP_PREFIX):
                gid = dep[len(GROUP_PREFIX) :]
                if gid not in members:
                    errors.append(doc.error(("tasks", i, "depends_on", j), f"unknown group '{gid}' ({known_groups})"))
            elif dep == task.id:
                errors.append(doc.error(("tasks", i, "depends_on", j), f"task '{task.id}' cannot depend on itself"))
            elif dep not in ids:
                errors.append(doc.error(("tasks", i, "depends_on", j), f"unknown task '{dep}' (known: {known})"))
    if not errors:
        # a group is a node of its own that depends on each of its tasks: a cycle through
        # groups then names them (3.1 -> group:P3 -> 3.1)
        graph = {t.id: list(t.depends_on) for t in phase.tasks}
        graph.update({GROUP_PREFIX + gid: tids for gid, tids in members.items()})
        cycle = _task_first(find_cycle(graph))
        if cycle:
            i = ids[cycle[0]]
            j = phase.tasks[i].depends_on.index(cycle[1])
            through = any(node.startswith(GROUP_PREFIX) for node in cycle)
            errors.append(
                doc.error(
                    ("tasks", i, "depends_on", j),
                    f"dependency cycle {' -> '.join(cycle)}; remove one of these dependencies"
                    + ("; group:ID means every task of the group" if through else ""),
                )
            )
        else:
            expanded = expand_groups(phase)
            length = longest_path(list(expanded.tasks))
            if length > MAX_PHASE_DAYS:
                errors.append(
                    doc.error(
                        ("tasks",),
                        f"the critical path is {length:g} days; a phase may last at most {MAX_PHASE_DAYS} days (split it into phases)",
                    )
                )
    check_ids: dict[str, tuple[Any, ...]] = {}
    groups: list[tuple[tuple[Any, ...], tuple[Criterion, ...]]] = [
        (("tasks", i, "criteria"), t.criteria) for i, t in enumerate(phase.tasks)
    ]
    groups += [(("groups", k, "criteria"), g.criteria) for k, g in enumerate(phase.groups)]
    groups.append((("success_criteria",), phase.success_criteria))
    for base, criteria in groups:
        for k, crit in enumerate(criteria):
            path = (*base, k)
            if crit.id is not None:
                if crit.id in check_ids:
                    errors.append(
                        doc.error(
                            (*path, "id"),
                            f"criterion id '{crit.id}' is used twice in this phase (also {format_path(check_ids[crit.id])}); make it unique",
                        )
                    )
                check_ids.setdefault(crit.id, path)
            if crit.metric is not None and catalogue is not None:
                metric = catalogue.get(crit.metric)
                if metric is None:
                    known_m = ", ".join(sorted(catalogue)) or "none"
                    errors.append(
                        doc.error(
                            (*path, "metric"),
                            f"unknown metric '{crit.metric}'; add it to the catalogue in phases/project.yaml (known: {known_m})",
                        )
                    )
                    continue
                try:
                    target = parse_target(crit.target or "", metric.unit)
                except TargetSyntaxError as exc:
                    errors.append(doc.error((*path, "target"), str(exc)))
                    continue
                if metric.unit == "text" and target.text_value is None and target.op != "==":
                    errors.append(
                        doc.error((*path, "target"), f"metric '{crit.metric}' is text; only '== V' targets apply to it")
                    )
                elif metric.unit != "text" and target.text_value is not None:
                    errors.append(
                        doc.error(
                            (*path, "target"),
                            f"'{target.text_value}' is not a number, but metric '{crit.metric}' is a {metric.unit}",
                        )
                    )
    return errors, expanded


def agent_list_errors(agents: tuple[Agent, ...], doc: Document) -> list[InputError]:
    """An agent id is used once in its file's ``agents`` list."""
    errors = []
    seen: dict[str, int] = {}
    for i, agent in enumerate(agents):
        if agent.id in seen:
            errors.append(
                doc.error(
                    ("agents", i, "id"),
                    f"agent id '{agent.id}' is used twice (also agents[{seen[agent.id]}]); give each agent its own id "
                    "(a phase's agents override project.yaml's of the same id)",
                )
            )
        seen.setdefault(agent.id, i)
    return errors


def assignee_errors(phase: Phase, doc: Document, project_agents: tuple[Agent, ...]) -> list[InputError]:
    """Every assignee names an agent of the phase (project.yaml's and its own); none without agents."""
    errors = []
    known = [a.id for a in merged_agents(project_agents, phase.agents)]
    raw = doc.data.get("tasks") if isinstance(doc.data, dict) else None
    for i, task in enumerate(phase.tasks):
        entry = raw[i] if isinstance(raw, list) and i < len(raw) and isinstance(raw[i], dict) else {}
        single = isinstance(entry.get("assignee"), str)  # assignee: qa, not a list: its error is at the key
        seen: set[str] = set()
        for j, agent in enumerate(task.assignee):
            path: tuple[Any, ...] = ("tasks", i, "assignee") if single else ("tasks", i, "assignee", j)
            if not known:
                errors.append(
                    doc.error(
                        path,
                        f"task '{task.id}' is assigned to '{agent}', but no agents are defined; "
                        "add agents: to phase.yaml or phases/project.yaml, or remove assignee",
                    )
                )
                break
            if agent not in known:
                close = close_matches(agent, known)
                hint = f"did you mean '{close[0]}'? " if close else ""
                errors.append(
                    doc.error(path, f"unknown agent '{agent}'; {hint}(known: {', '.join(known)})"),
                )
            elif agent in seen:
                errors.append(doc.error(path, f"agent '{agent}' is listed twice; list each agent once"))
            seen.add(agent)
    return errors


def levelled_length_errors(phase: Phase, doc: Document, project_agents: tuple[Agent, ...]) -> list[InputError]:
    """With agents, the levelled schedule stays within :data:`MAX_PHASE_DAYS` too (an agent's
    tasks in a row can last longer than any chain of dependencies)."""
    agents = merged_agents(project_agents, phase.agents)
    if not agents or not any(t.assignee for t in phase.tasks):
        return []
    # the facts' own schedule (input/cpm.py), not a copy of it
    tasks = list(phase.tasks)
    order = topological(tasks)
    length = levelled_method(tasks, order, critical_path_method(tasks, order), agents).total
    if length <= MAX_PHASE_DAYS:
        return []
    return [
        doc.error(
            ("tasks",),
            f"with its agents' capacities the phase lasts {length:g} days; a phase may last at most "
            f"{MAX_PHASE_DAYS} days (add agents, raise a capacity or split it into phases)",
        )
    ]


#: The longest a phase may last: date arithmetic, day tables and charts stay bounded.
MAX_PHASE_DAYS = 3650


def _check_groups(phase: Phase, doc: Document) -> tuple[dict[str, list[str]], list[InputError]]:
    """Each group's tasks (group id -> task ids, in task order), and the faults: a group id
    used twice, a task naming an unknown group, a group no task belongs to."""
    errors: list[InputError] = []
    index: dict[str, int] = {}
    for k, g in enumerate(phase.groups):
        if g.id in index:
            errors.append(
                doc.error(
                    ("groups", k, "id"), f"group id '{g.id}' is used twice (also groups[{index[g.id]}]); make it unique"
                )
            )
        index.setdefault(g.id, k)
    members: dict[str, list[str]] = {gid: [] for gid in index}
    known = f"known: {', '.join(index)}" if index else "the phase has no groups: list it under groups:"
    for i, task in enumerate(phase.tasks):
        if task.group is None:
            continue
        if task.group in members:
            members[task.group].append(task.id)
        else:
            errors.append(doc.error(("tasks", i, "group"), f"unknown group '{task.group}' ({known})"))
    for gid, k in index.items():
        if not members[gid]:
            errors.append(
                doc.error(("groups", k, "id"), f"group '{gid}' has no tasks; give its tasks group: {gid}, or remove it")
            )
    return members, errors


def _task_first(cycle: list[str] | None) -> list[str] | None:
    """A cycle ``[a, ..., a]`` turned to start at a task (not a group), so its first step is a
    dependency written in phase.yaml."""
    if not cycle:
        return cycle
    body = cycle[:-1]
    k = next(n for n, node in enumerate(body) if not node.startswith(GROUP_PREFIX))
    body = body[k:] + body[:k]
    return [*body, body[0]]


def expand_groups(phase: Phase) -> Phase:
    """``phase`` with every ``group:ID`` in ``depends_on`` replaced by the group's tasks (in task
    order, each id once), so everything after the loader sees task ids only; ``phase`` itself
    when no task names a group. Call it on a phase whose groups are valid."""
    if not any(d.startswith(GROUP_PREFIX) for t in phase.tasks for d in t.depends_on):
        return phase
    members: dict[str, list[str]] = defaultdict(list)
    for t in phase.tasks:
        if t.group is not None:
            members[t.group].append(t.id)
    tasks = []
    for t in phase.tasks:
        deps: dict[str, None] = {}  # ordered, each once
        for d in t.depends_on:
            deps.update(dict.fromkeys(members[d[len(GROUP_PREFIX) :]] if d.startswith(GROUP_PREFIX) else [d]))
        tasks.append(type(t)(**{**t.__dict__, "depends_on": tuple(deps)}))
    return type(phase)(**{**phase.__dict__, "tasks": tuple(tasks)})


def _section(doc: Document, key: str) -> dict[str, Any]:
    value = doc.data.get(key) if isinstance(doc.data, dict) else None
    return value if isinstance(value, dict) else {}


def snapshot_errors(
    phase: Phase, config: ProjectConfig, snaps: list[tuple[Document, Snapshot | None]]
) -> list[InputError]:
    """Every rule across files for ``snaps`` of ``phase`` (``record`` checks a new snapshot so)."""
    return _check_snapshot_values(config.metrics, snaps) + _check_snapshot_ids(phase, snaps)


def snapshot_order_errors(phase: Phase, snaps: list[tuple[Document, Snapshot]]) -> list[InputError]:
    """Snapshots (in time order) that contradict the plan or the clock.

    A task may not start or finish before all its dependencies are complete (in the same
    or an earlier snapshot); a snapshot may not predate the phase's ``created``; a state's
    ``at`` may not come after the snapshot that records it.
    """
    errors: list[InputError] = []
    depends = {t.id: t.depends_on for t in phase.tasks}
    states: dict[str, str] = {}
    started: set[str] = set()
    for doc, snap in snaps:
        if snap.timestamp < phase.created:
            errors.append(
                doc.error(
                    ("timestamp",),
                    f"{snap.timestamp.isoformat()} is before the phase was created ({phase.created.isoformat()}); "
                    "a snapshot records the phase's work, so it cannot predate it: fix the timestamp",
                )
            )
        # this snapshot's states first: a dependency completed in it counts (updated in place,
        # as copying every task's state per snapshot made thousands of snapshots quadratic)
        states.update((tid, e.state) for tid, e in snap.tasks.items())
        for tid, entry in snap.tasks.items():
            if entry.at is not None and entry.at > snap.timestamp:
                errors.append(
                    doc.error(
                        ("tasks", tid, "at"),
                        f"{entry.at.isoformat()} is after the snapshot's timestamp ({snap.timestamp.isoformat()}); "
                        "'at' says when the state began, so at most when it was recorded",
                    )
                )
            if entry.state not in ("in_progress", "complete") or tid in started:
                continue
            started.add(tid)
            # a dependency the entry waives (with its note) was gone ahead of on purpose
            missing = [d for d in depends.get(tid, ()) if states.get(d) != "complete" and d not in entry.waived]
            if missing:
                names = ", ".join(missing)
                one = len(missing) == 1
                errors.append(
                    doc.error(
                        ("tasks", tid),
                        f"task {tid} is recorded {entry.state}, but its {'dependency' if one else 'dependencies'} "
                        f"{names} {'is' if one else 'are'} not complete in this or an earlier snapshot; "
                        f"record {names} complete first, or correct the state of {tid}, or, if {tid} really went "
                        f"ahead of {'it' if one else 'them'}, waive {'it' if one else 'them'} with a note: "
                        f'phasedocs record {phase.number} --waive {tid}={",".join(missing)} --note {tid}="why" '
                        '(in a file: "waived" and "note" in its entry)',
                    )
                )
    return errors


def _check_snapshot_values(
    catalogue: dict[str, Metric] | None, snaps: list[tuple[Document, Snapshot | None]]
) -> list[InputError]:
    """Rules that need no phase: one baseline, and the catalogue (when it could be read).

    Checked on the raw data, so they are reported even when a file's shape or its phase is off.
    """
    errors: list[InputError] = []
    baseline: str | None = None
    for doc, _snap in sorted(snaps, key=lambda ds: ds[0].file):
        if isinstance(doc.data, dict) and doc.data.get("kind") == "baseline":
            if baseline is not None:
                errors.append(
                    doc.error(
                        ("kind",), f"a second baseline snapshot (the first is {baseline}); make this one 'progress'"
                    )
                )
            baseline = baseline or doc.file
        if catalogue is None:
            continue
        for key, value in _section(doc, "metrics").items():
            metric = catalogue.get(key)
            if metric is None:
                close = close_matches(key, list(catalogue))
                hint = f"did you mean '{close[0]}'?" if close else "add it to the catalogue in phases/project.yaml"
                errors.append(doc.error(("metrics", key), f"unknown metric '{key}'; {hint}"))
                continue
            problem = value_error(metric.unit, value)
            if problem:
                errors.append(doc.error(("metrics", key), problem))
        errors += _check_task_metrics(catalogue, doc)
    return errors


def _check_task_metrics(catalogue: dict[str, Metric], doc: Document) -> list[InputError]:
    """A task entry's ``metrics``: catalogue keys with values of their unit, as the snapshot's own."""
    errors: list[InputError] = []
    for tid, entry in _section(doc, "tasks").items():
        values = entry.get("metrics") if isinstance(entry, dict) else None
        if not isinstance(values, dict):
            continue  # absent; any other shape is the model's error
        for key, value in values.items():
            where = ("tasks", tid, "metrics", key)
            metric = catalogue.get(key)
            if metric is None:
                close = close_matches(key, list(catalogue))
                hint = f"did you mean '{close[0]}'?" if close else "add it to the catalogue in phases/project.yaml"
                errors.append(doc.error(where, f"unknown metric '{key}'; {hint}"))
                continue
            problem = value_error(metric.unit, value)
            if problem:
                errors.append(doc.error(where, problem))
    return errors


def _check_snapshot_ids(phase: Phase, snaps: list[tuple[Document, Snapshot | None]]) -> list[InputError]:
    """Task and criterion ids a snapshot names must be the phase's, checked on the raw data."""
    errors: list[InputError] = []
    task_ids = [t.id for t in phase.tasks]
    check_ids = hand_check_ids(phase)
    known_tasks, known_checks = set(task_ids), set(check_ids)  # thousands of snapshots look these up
    depends = {t.id: t.depends_on for t in phase.tasks}
    for doc, snap in sorted(snaps, key=lambda ds: ds[0].file):
        for tid in _section(doc, "tasks"):
            if tid not in known_tasks:
                errors.append(doc.error(("tasks", tid), f"unknown task '{tid}' (known: {', '.join(task_ids)})"))
        for tid, entry in snap.tasks.items() if snap is not None else ():
            deps = depends.get(tid, ())
            for k, dep in enumerate(entry.waived):
                if tid in known_tasks and dep not in deps:
                    has = f"it depends on {', '.join(deps)}" if deps else "it has no dependencies"
                    errors.append(
                        doc.error(
                            ("tasks", tid, "waived", k),
                            f"'{dep}' is not a dependency of task {tid} ({has}); waive only dependencies it went ahead of",
                        )
                    )
        for cid in _section(doc, "checks"):
            if cid not in known_checks:
                known = ", ".join(check_ids) or "none"
                errors.append(doc.error(("checks", cid), f"unknown hand-checked criterion '{cid}' (known: {known})"))
    return errors


def hand_check_ids(phase: Phase) -> list[str]:
    """The ids of the phase's hand-checked criteria: its tasks', its groups', then its own."""
    criteria = [*(c for t in phase.tasks for c in t.criteria), *(c for g in phase.groups for c in g.criteria)]
    return [c.id for c in (*criteria, *phase.success_criteria) if c.id]


_Item = TypeVar("_Item")


def pick_phase(items: list[_Item], numbers: list[int], phase: str) -> _Item:
    """The item of phase ``phase`` ('7', '07' or 'phase-07') among ``items`` numbered ``numbers``.

    Raises :class:`Abort` naming the phases there are when ``phase`` is not one of them.
    """
    text = phase.removeprefix("phase-")
    known = ", ".join(str(n) for n in numbers)
    if not text.isdigit():
        raise Abort(f"'{phase}' is not a phase number (phases: {known})")
    for item, number in zip(items, numbers, strict=True):
        if number == int(text):
            return item
    raise Abort(f"no phase {int(text)} in this project (phases: {known})")


def find_phase_input(project: Project, phase: str) -> PhaseInput:
    """The input of phase ``phase``; :class:`Abort` if unknown."""
    return pick_phase(list(project.phases), [p.phase.number for p in project.phases], phase)
