"""Every command on randomly damaged projects and reports: exit 0 or 1, never a traceback.

A small project with every kind of input (phase files, snapshots, a plan, site.yaml, a
template, tool reports, a record's --from-json file, generated output with its manifest and
validate's stamp) is damaged at random, a few times over: files truncated, emptied or
deleted, random or invalid UTF-8 bytes spliced in, values replaced by ones of the wrong
type or of absurd size, files replaced by symlinks (out of the project, to a folder,
dangling, looping) or by folders, files and folders made unreadable. Then every command
``phasedocs --help`` lists runs on it through click's CliRunner, except ``serve`` (a server
that runs until stopped) and ``build`` and ``deploy`` (a site build each: their own smaller
test below). Each must end with exit 0 or 1, print no traceback, and let no exception other
than SystemExit escape. The crashes this found are fixed, each with its own test at the end.
"""

from __future__ import annotations

import builtins
import contextlib
import errno
import io
import json
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PHASE_YAML, REPO, minimal
from phasedocs.cli import main

pytestmark = pytest.mark.fuzz  # left out of `make test-fast`; `make test` runs it

CATALOGUE = """\
name: Demo
calendar: calendar
timezone: UTC
metrics:
  warnings: {label: Warnings, unit: count, better: lower}
  pass_rate: {label: Pass Rate, unit: ratio, better: higher, extract: {junit: "reports/*.xml", value: pass_rate}}
  lines: {label: Line coverage, unit: percent, better: higher, extract: {cobertura: cov/coverage.xml, value: line_rate}}
  mean: {label: Mean time, unit: seconds, better: lower, extract: {json: bench/h.json, pointer: /results/0/mean}}
  sources: {label: Source files, unit: count, extract: {count: "src/**/*.py"}}
  todos: {label: TODOs, unit: count, better: lower, extract: {grep: src/app.py, pattern: "TODO|FIXME"}}
"""

FILES = {
    "phases/project.yaml": CATALOGUE,
    "phases/phase-01/phase.yaml": PHASE_YAML,
    "phases/phase-01/metrics/2025-01-06T09-00-00Z-baseline.json": (
        '{"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "metrics": {"warnings": 12}}\n'
    ),
    "phases/phase-01/metrics/2025-01-07T09-00-00Z-progress.json": (
        '{"timestamp": "2025-01-07T09:00:00Z", "label": "Day 2", "metrics": {"warnings": 7, "pass_rate": "9/10"},'
        ' "tasks": {"1.1": {"state": "in_progress", "note": "going"}}, "note": "day two", "health": "on_track"}\n'
    ),
    "site_config/site.yaml": "palette:\n  primary: indigo\ncharts:\n  width: 8.0\n",
    "templates/README.md.j2": "# {{ p.phase.title }}\n\n{% for t in p.phase.tasks %}- {{ t.title }}\n{% endfor %}",
    "bench/h.json": '{"results": [{"command": "build", "mean": 1.25}]}\n',
    "src/app.py": "x = 1  # TODO: tidy\n# FIXME later\n",
    "in/snap.json": '{"metrics": {"warnings": 5}, "tasks": {"1.2": "in_progress"}}\n',
}
AT = "2025-01-08T09:00:00Z"

#: Every command of ``phasedocs --help`` but serve, build and deploy, with arguments that
#: reach its input ({root} and {out} are filled in).
COMMANDS = [
    ["validate", "--no-cache"],
    ["validate"],
    ["generate", "-q"],
    ["check"],
    ["check", "--format", "json"],
    ["check", "--format", "markdown", "--strict"],
    ["handoff", "1"],
    ["handoff", "1", "--output", "{out}/handoff/H.md"],
    ["record", "1", "--metric", "warnings=3", "--task", "1.1=complete", "--at", AT],
    ["record", "1", "--from-json", "{root}/in/snap.json", "--at", "2025-01-08T10:00:00Z"],
    ["measure", "1", "--at", "2025-01-08T11:00:00Z", "--allow-missing"],
    ["freeze", "1", "--at", "2025-01-06T09:00:00Z"],
    ["sync", "1"],
    ["schema", "--output", "{out}/schema"],
    ["import", "{root}/docs", "--out", "{out}/imported"],
    ["init", "{root}", "--start", "2025-01-06"],
]
NO_PROJECT_OPTION = {"schema", "import", "init"}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    """The undamaged project, with generated output, a plan, a validate stamp and reports."""
    from click.testing import CliRunner

    root = tmp_path_factory.mktemp("damaged-base") / "proj"
    for rel, text in minimal(**FILES).items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    (root / "reports").mkdir()
    shutil.copy(REPO / "tests/data/reports/jest-junit.xml", root / "reports/junit.xml")
    (root / "cov").mkdir()
    shutil.copy(REPO / "tests/data/reports/jest-cobertura.xml", root / "cov/coverage.xml")
    runner = CliRunner()
    for args in (["freeze", "1", "--at", "2025-01-06T09:00:00Z"], ["generate", "-q"], ["validate"]):
        done = runner.invoke(main, [*args, "--project", str(root)])
        assert done.exit_code == 0, done.output
    return root


def _targets(root: Path) -> list[str]:
    """The files a damage may hit, in a stable order."""
    keep = (".yaml", ".json", ".j2", ".xml", ".py")
    return sorted(p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file() and p.name.endswith(keep))


WRONG = [None, [], {}, "", "x", -1, 0, 1.5, True, 10**40, -(10**20), "2025-02-30", "9" * 400, {"a": [1]}, "\x00"]
HUGE = ["9" * 5000, "0x" + "f" * 5000, "1e400", "-1e400", "1e15", "2025-02-30", "99999-01-01"]
BAD_BYTES = [b"\xff", b"\xc3\x28", b"\xed\xa0\x80", b"\xef\xbb\xbf", b"\x00", b"\xe2\x80\xae", b"\x1b[31m"]

damage = st.one_of(
    st.tuples(st.just("truncate"), st.integers(0, 10**6)),
    st.tuples(st.just("splice"), st.integers(0, 10**6), st.binary(min_size=1, max_size=8)),
    st.tuples(st.just("bad-utf8"), st.integers(0, 10**6), st.sampled_from(BAD_BYTES)),
    st.tuples(st.just("wrong-type"), st.integers(0, 10**6), st.sampled_from(WRONG)),
    st.tuples(st.just("huge"), st.integers(0, 10**6), st.sampled_from(HUGE)),
    st.tuples(st.just("empty")),
    st.tuples(st.just("delete")),
    st.tuples(st.just("symlink"), st.sampled_from(["outside", "folder", "dangling", "loop", "self-folder"])),
    st.tuples(st.just("folder")),
    st.tuples(st.just("unreadable")),
    st.tuples(st.just("unreadable-folder")),
)


def _nodes(data: Any, path: tuple = ()) -> Iterator[tuple]:
    """The paths of every value inside parsed YAML or JSON."""
    yield path
    if isinstance(data, dict):
        for k, v in data.items():
            yield from _nodes(v, (*path, k))
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _nodes(v, (*path, i))


def _replace(data: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    data[path[0]] = _replace(data[path[0]], path[1:], value)
    return data


def apply(root: Path, rel: str, how: tuple, outside: Path, blocked: set[str]) -> None:
    """Damage ``root/rel`` as ``how`` says; paths to make unreadable go into ``blocked``."""
    path = root / rel
    kind = how[0]
    if not path.is_file() or path.is_symlink():
        return  # damaged already (deleted, replaced)
    data = path.read_bytes()
    if kind == "truncate":
        path.write_bytes(data[: how[1] % (len(data) + 1)])
    elif kind in ("splice", "bad-utf8"):
        k = how[1] % (len(data) + 1)
        path.write_bytes(data[:k] + how[2] + data[k:])
    elif kind == "wrong-type":
        try:
            parsed = json.loads(data) if rel.endswith(".json") else yaml.safe_load(data)
        except (ValueError, yaml.YAMLError):
            return
        nodes = list(_nodes(parsed))
        changed = _replace(parsed, nodes[how[1] % len(nodes)], how[2])
        if rel.endswith(".json"):
            path.write_text(json.dumps(changed))
        elif rel.endswith(".yaml"):
            path.write_text(yaml.safe_dump(changed, allow_unicode=True))
    elif kind == "huge":
        text = data.decode("utf-8", "replace")
        digits = [i for i, ch in enumerate(text) if ch.isdigit()]
        if digits:
            k = digits[how[1] % len(digits)]
            path.write_text(text[:k] + how[2] + text[k + 1 :])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "delete":
        path.unlink()
    elif kind == "symlink":
        path.unlink()
        target = {
            "outside": outside / "secret.txt",
            "folder": outside,
            "dangling": outside / "missing",
            "loop": path,
            "self-folder": path.parent,
        }[how[1]]
        os.symlink(target, path)
    elif kind == "folder":
        path.unlink()
        path.mkdir()
        (path / "inner.json").write_text("{}")
    elif kind == "unreadable":
        blocked.add(str(path))
    elif kind == "unreadable-folder":
        blocked.add(str(path.parent))


@contextlib.contextmanager
def unreadable(paths: set[str]) -> Iterator[None]:
    """Opening or listing any of ``paths`` fails with EACCES, as for a file or folder of
    another user's without read permission (the tests run as root, which chmod cannot stop)."""
    if not paths:
        yield
        return
    real_open, real_scandir, real_listdir, real_os_open = builtins.open, os.scandir, os.listdir, os.open

    def check(file: Any) -> None:
        if isinstance(file, (str, bytes, os.PathLike)) and os.fsdecode(file) in paths:
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES), os.fsdecode(file))

    def failing_open(file, *args, **kwargs):
        check(file)
        return real_open(file, *args, **kwargs)

    def failing_os_open(file, flags, *args, **kwargs):
        if not flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT):
            check(file)
        return real_os_open(file, flags, *args, **kwargs)

    def failing_scandir(path=".", *args):
        check(path)
        return real_scandir(path, *args)

    def failing_listdir(path=".", *args):
        check(path)
        return real_listdir(path, *args)

    patches = [
        (builtins, "open", failing_open),
        (io, "open", failing_open),
        (os, "open", failing_os_open),
        (os, "scandir", failing_scandir),
        (os, "listdir", failing_listdir),
    ]
    saved = [(mod, name, getattr(mod, name)) for mod, name, _ in patches]
    try:
        for mod, name, fn in patches:
            setattr(mod, name, fn)
        yield
    finally:
        for mod, name, fn in saved:
            setattr(mod, name, fn)


def damaged(tmp: Path, base: Path, hits: list[tuple[int, tuple]]) -> tuple[Path, Path, set[str]]:
    """A copy of ``base`` under ``tmp`` with ``hits`` applied: (project, output folder, unreadable paths)."""
    root, out, outside = tmp / "proj", tmp / "out", tmp / "outside"
    shutil.copytree(base, root, symlinks=True)
    out.mkdir()
    outside.mkdir()
    (outside / "secret.txt").write_text('{"metrics": {"warnings": 1}}\nssh-rsa AAAA secret\n')
    targets = _targets(root)
    blocked: set[str] = set()
    for which, how in hits:
        apply(root, targets[which % len(targets)], how, outside, blocked)
    return root, out, blocked


def invoke(runner, args: list[str], root: Path, out: Path):
    """Run one command as a user would, and check it ended cleanly."""
    filled = [a.format(root=root, out=out) for a in args]
    if args[0] not in NO_PROJECT_OPTION:
        filled += ["--project", str(root)]
    result = runner.invoke(main, filled)
    assert result.exit_code in (0, 1), (filled, result.exit_code, result.output, result.exception)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        filled,
        result.output,
        result.exc_info,
    )
    assert "Traceback" not in result.output, (filled, result.output)
    return result


HITS = st.lists(st.tuples(st.integers(0, 1000), damage), min_size=1, max_size=3)


@settings(
    max_examples=int(os.environ.get("DAMAGED_EXAMPLES", "25")),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hits=HITS)
def test_every_command_on_a_damaged_project_ends_cleanly(base, tmp_path_factory, runner, hits):
    root, out, blocked = damaged(tmp_path_factory.mktemp("damaged"), base, hits)
    with unreadable(blocked):
        for args in COMMANDS:
            invoke(runner, args, root, out)


@settings(
    max_examples=4,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(hits=HITS)
def test_build_on_a_damaged_project_ends_cleanly(base, tmp_path_factory, runner, hits):
    root, out, blocked = damaged(tmp_path_factory.mktemp("damaged-build"), base, hits)
    with unreadable(blocked):
        invoke(runner, ["build"], root, out)


# ----------------------------------------------------------------------------- the crashes it found
def test_a_manifest_group_whose_files_are_not_paths_is_rendered_again(project, runner):
    """docs/ may be committed: a group in its manifest whose file list holds a list (not a path)
    made generate fail with ``TypeError: unhashable type: 'list'``; the group is now dropped as
    damaged and its files rendered again."""
    from conftest import tree

    root = project(minimal())
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    before = tree(root / "docs")
    path = root / "docs/.phasedocs-manifest.json"
    manifest = json.loads(path.read_text())
    manifest["groups"]["project"]["files"][0] = []
    manifest["groups"]["phase-01"]["digest"] = ["not", "a", "digest"]
    path.write_text(json.dumps(manifest))
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert (result.exit_code, result.exception) == (0, None), result.output
    assert tree(root / "docs") == before  # the same files; the manifest written whole again


def test_a_folder_given_as_the_from_json_file_is_a_clean_error(project, runner):
    """A folder where ``record --from-json`` expects its file was click's usage error (exit 2);
    it is now refused like any input that is not a regular file, with exit 1."""
    root = project(minimal())
    (root / "values.json").mkdir()
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--from-json", str(root / "values.json")])
    assert (result.exit_code, result.output) == (1, f"{root}/values.json: not a regular file; replace it with a file\n")


@pytest.mark.parametrize("tasks", ['"x"', "[1, 2]", "3"])
def test_a_from_json_file_whose_tasks_are_not_a_mapping_is_a_clean_error(project, runner, tasks):
    """``{"tasks": "x"}`` was reported, then applied again as a command's own entries
    (``ValueError: dictionary update sequence``)."""
    root = project(minimal(**{"values.json": f'{{"tasks": {tasks}, "note": "n"}}'}))
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--from-json", str(root / "values.json")])
    shown = {'"x"': "'x'", "[1, 2]": "a list", "3": "the number 3"}[tasks]
    assert (result.exit_code, result.exception.__class__) == (1, SystemExit), result.exc_info
    assert result.output == (
        f"Error: nothing recorded:\n  {root}/values.json: tasks: expected a mapping (key: value), got {shown}\n"
    )
