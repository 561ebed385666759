"""Shared fixtures: a click runner, and small projects built from a {path: text} dict."""

from __future__ import annotations

import os
import shutil
import subprocess
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

# a shared CI machine can be slow for a moment; that is not a failure of the code under test
settings.register_profile("phasedocs", deadline=None, print_blob=True)
# under mutation testing (tests/mutate.py) every test runs once per mutant that reaches it:
# fewer examples for tests that do not set their own count
settings.register_profile("mutate", deadline=None, max_examples=10)
MUTATING = bool(os.environ.get("PHASEDOCS_MUTATE"))
settings.load_profile("mutate" if MUTATING else "phasedocs")

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "phases"

PROJECT_YAML = """\
name: Demo
summary: A small demo project
coordinator: Lead
operator: Ops
calendar: calendar
timezone: UTC
metrics:
  warnings: {label: Warnings, unit: count, better: lower}
  build_time: {label: Build Time, unit: seconds, better: lower}
  pass_rate: {label: Pass Rate, unit: ratio, better: higher}
  version: {label: Version, unit: text}
protocol:
  session: 'demo-{{ phase.number }}'
  memory_key: 'p{{ phase.number }}/{{ task.key }}'
  before: ['gh issue develop {{ task.id }}']
  after: ['gh pr create --title {{ task.title | shell }}']
  spawn: 'gh workflow run agent.yml -f task={{ task.id }}'
"""

PHASE_YAML = """\
number: 1
title: First
created: 2025-01-06T09:00:00Z
start: 2025-01-06T09:00:00Z
tasks:
  - id: "1.1"
    slug: alpha
    title: Alpha
    role: dev
    duration_days: 2
    files: [src/a.py]
    criteria:
      - text: Few warnings
        metric: warnings
        target: "< 10"
  - id: "1.2"
    slug: beta
    title: Beta
    role: dev
    duration_days: 1
    depends_on: ["1.1"]
"""


def minimal(**overrides: str) -> dict[str, str]:
    """The files of a small valid project; keyword arguments replace or add files."""
    files = {"phases/project.yaml": PROJECT_YAML, "phases/phase-01/phase.yaml": PHASE_YAML}
    files.update(overrides)
    return files


@pytest.fixture
def runner() -> CliRunner:
    """A click runner (stderr kept apart from stdout)."""
    return CliRunner()


def _write_project(root: Path, files: dict[str, str] | None, example: bool) -> Path:
    root.mkdir(exist_ok=True)
    if example:
        shutil.copytree(EXAMPLE, root / "phases", dirs_exist_ok=True)
    for rel, text in (files or {}).items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text) if text.startswith("\n") else text, encoding="utf-8")
    return root


@pytest.fixture
def project(tmp_path: Path) -> Callable[..., Path]:
    """Build a project folder from ``files={relative path: text}``; return its path."""

    def make(files: dict[str, str] | None = None, *, example: bool = False) -> Path:
        return _write_project(tmp_path / "proj", files, example)

    return make


@pytest.fixture(scope="session")
def _generated_once(tmp_path_factory: pytest.TempPathFactory) -> Callable[[dict[str, str] | None, bool], Path]:
    """The projects ``generated`` made in this process, each generated once: (files, example) -> folder."""
    from phasedocs.pipeline import generate

    made: dict[tuple[bool, tuple[tuple[str, str], ...]], Path] = {}

    def get(files: dict[str, str] | None, example: bool) -> Path:
        key = (example, tuple(sorted((files or {}).items())))
        if key not in made:
            root = _write_project(tmp_path_factory.mktemp("generated") / "proj", files, example)
            generate(root, root / "docs")
            made[key] = root
        return made[key]

    return get


@pytest.fixture
def generated(tmp_path: Path, _generated_once: Callable[[dict[str, str] | None, bool], Path]) -> Callable[..., Path]:
    """``project(files, example=...)`` after ``phasedocs generate`` into its docs/; return its path.

    Generating draws every chart, which is most of the CPU time of a test that reads the
    documents: each project is generated once per process and copied for each test that asks
    for it, inputs and docs/ with their bytes and mtimes as generate left them. The copy is the
    test's own (at the same place as ``project``'s), to read or change.
    """

    def make(files: dict[str, str] | None = None, *, example: bool = False) -> Path:
        root = tmp_path / "proj"
        shutil.copytree(_generated_once(files, example), root, symlinks=True)
        return root

    return make


def tree(root: Path) -> dict[str, bytes]:
    """Every file under ``root`` as relative path -> bytes."""
    if not root.exists():
        return {}
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def stat_tree(root: Path) -> dict[str, tuple[bytes, int]]:
    """Every file under ``root`` as relative path -> (bytes, mtime_ns)."""
    if not root.exists():
        return {}
    return {
        p.relative_to(root).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="Rewrite tests/golden/ from the current output.")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    """True when the run was asked to rewrite golden files."""
    return bool(request.config.getoption("--update-golden"))


def documents(out: Path) -> dict[str, bytes]:
    """The text outputs of a generated folder (markdown, JSON, the feed), not charts or the manifest."""
    return {k: v for k, v in tree(out).items() if k.endswith((".md", ".json", ".xml")) and not k.startswith(".")}


def compare_golden(got: dict[str, bytes], golden: Path, update: bool) -> None:
    """Assert ``got`` equals the files under ``golden`` byte for byte; with ``update``, rewrite them and skip.

    Comparing files just written with themselves would prove nothing, so an update run skips.
    """
    if update:
        for old in golden.rglob("*"):
            if old.is_file():
                old.unlink()
        for rel, data in got.items():
            (golden / rel).parent.mkdir(parents=True, exist_ok=True)
            (golden / rel).write_bytes(data)
        pytest.skip(
            f"golden files in {golden.name}/ rewritten: review `git diff tests/golden`, then run without --update-golden"
        )
    expected = tree(golden)
    assert sorted(got) == sorted(expected), "run pytest with --update-golden after a deliberate change"
    for rel in expected:
        assert got[rel].decode() == expected[rel].decode(), rel


# ----------------------------------------------------------------------------- browser
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


def require_browser() -> None:
    missing = []
    if CHROMIUM is None:
        missing.append("chromium (apt-get install chromium)")
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        missing.append("playwright (pip install playwright)")
    if missing:
        if os.environ.get("PHASEDOCS_REQUIRE_BROWSER"):
            pytest.fail("browser tests need " + " and ".join(missing))
        pytest.skip("browser tests need " + " and ".join(missing))


@pytest.fixture(scope="module")
def browser():
    require_browser()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield b
        b.close()


# ----------------------------------------------------------------------------- git
def git(cwd: Path, *args: str) -> str:
    """Run git in ``cwd``; its output, stripped."""
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout.strip()


@pytest.fixture
def repo(project, tmp_path, monkeypatch):
    """A git repository holding the small project, with a bare remote 'origin': (root, remote)."""
    for key, value in {
        "GIT_AUTHOR_NAME": "t",
        "GIT_AUTHOR_EMAIL": "t@e",
        "GIT_COMMITTER_NAME": "t",
        "GIT_COMMITTER_EMAIL": "t@e",
    }.items():
        monkeypatch.setenv(key, value)
    root = project(minimal())
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "phases")
    remote = tmp_path / "remote.git"
    git(tmp_path, "init", "-q", "--bare", str(remote))
    git(root, "remote", "add", "origin", str(remote))
    return root, remote


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Each test builds the validators and compiles the protocol templates it uses.

    Both are cached per process; a cache warmed by an earlier test (or by the parent process
    mutmut forks its runs from) would hide any change to the code that builds them, such as
    a record's schema or the shell escaping that runs at compile time. Rebuilding costs a
    few milliseconds a test.

    The documents' compiled templates (``renderer.COMPILED``) and the charts drawn
    (``drawing.DRAWN``, by the hash of their input and code) are kept from test to test, as a
    long-lived process keeps them: compiling and drawing are most of the CPU time of a
    ``generate`` on a small project, and no test changes the code behind them. Under mutation
    testing (``PHASEDOCS_MUTATE``) a mutant may: there they start empty for each test too.
    """
    from phasedocs.input import protocol, records

    protocol._COMPILED.clear()
    records._VALIDATORS.clear()
    records._HINTS.clear()
    records._RAW_FORMS.clear()
    if MUTATING:
        from phasedocs.charts import drawing
        from phasedocs.render import renderer

        renderer.COMPILED.clear()
        drawing.DRAWN.clear()
