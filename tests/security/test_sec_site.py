"""The published site never runs anyone's script: hostile titles and names stay text."""

from __future__ import annotations

import functools
import http.server
import importlib.util
import json
import threading
from pathlib import Path

import pytest

from conftest import PHASE_YAML, PROJECT_YAML, git, minimal, tree
from phasedocs.cli import main
from phasedocs.site.build import build
from support import edit, live_markup

PAYLOAD = '</title><img src=x onerror=alert(1)>" onmouseover="alert(2)" \'><script>alert(3)</script>&lt;img src=y onerror=alert(4)&gt;'


def hostile_project(project) -> Path:
    """A project whose every free-text field carries the payload, with no mkdocs.yml."""
    text = json.dumps(PAYLOAD)
    project_yaml = edit(
        edit(PROJECT_YAML, "name: Demo", f"name: {text}"), "summary: A small demo project", f"summary: {text}"
    )
    phase_yaml = edit(
        edit(
            edit(edit(PHASE_YAML, "title: First", f"title: {text}"), "title: Alpha", f"title: {text}"),
            "role: dev\n    duration_days: 2",
            f"role: {text}\n    agent: {text}\n    goal: {text}\n    duration_days: 2",
        ),
        "text: Few warnings",
        f"text: {text}",
    )
    snapshot = json.dumps(
        {
            "timestamp": "2025-01-07T09:00:00Z",
            "label": PAYLOAD,
            "metrics": {"warnings": 3, "version": PAYLOAD},
            # a blocker's reason and an update's note reach the dashboard, handoff and task pages
            "note": PAYLOAD,
            "tasks": {"1.1": "complete", "1.2": {"state": "blocked", "note": PAYLOAD}},
        }
    )
    return project(
        minimal(
            **{
                "phases/project.yaml": project_yaml,
                "phases/phase-01/phase.yaml": phase_yaml,
                "phases/phase-01/metrics/a.json": snapshot,
            }
        )
    )


@pytest.mark.packaging
def test_hostile_titles_and_names_stay_text_in_every_page(project, tmp_path):
    root = hostile_project(project)
    site = build(root, tmp_path / "site")
    assert live_markup(site) == []
    title = (site / "phase-01/task-1.1-alpha/index.html").read_text()
    assert "<title>1.1 ‹/title›‹img src=x onerror=alert(1)›" in title


def test_the_scanner_finds_live_markup(tmp_path):
    """The check above can fail: it sees what a browser would run."""
    (tmp_path / "a.html").write_text("<title>x</title><img src=x onerror=alert(1)><script>alert(3)</script>")
    assert live_markup(tmp_path) == ["a.html: <img onerror='alert(1)'>", "a.html: <script>alert(3)"]


def test_a_page_symlinked_outside_docs_dir_stops_the_build(project, runner, tmp_path):
    secret = tmp_path / "secret.md"
    secret.write_text("CI_TOKEN=hunter2\n")
    root = project(minimal(**{"mkdocs.yml": "site_name: Demo\nplugins: [phasedocs]\n"}))
    (root / "docs").mkdir()
    (root / "docs/notes.md").symlink_to(secret)
    result = runner.invoke(main, ["build", "--project", str(root), "--site-dir", str(tmp_path / "site")])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: refusing {root / 'docs/notes.md'}: a symlink that leads outside {root / 'docs'} (to {secret}); "
        "replace it with the file itself\n",
    )
    assert not any(p.read_text(errors="ignore").count("hunter2") for p in (tmp_path / "site").rglob("*") if p.is_file())


@pytest.mark.browser
def test_no_dialog_fires_on_any_page_of_a_hostile_site(project, tmp_path, browser):
    root = hostile_project(project)
    site = build(root, tmp_path / "site")
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    dialogs: list[str] = []
    context = browser.new_context()
    try:
        page = context.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        pages = sorted(p.relative_to(site).as_posix() for p in site.rglob("index.html"))
        assert len(pages) >= 9
        for rel in pages:
            page.goto(base + rel, wait_until="load")
            page.hover("body")
            page.wait_for_timeout(50)
        # and the search, which renders titles from its index
        page.goto(base, wait_until="load")
        page.fill("input.md-search__input", "img")
        page.wait_for_timeout(500)
    finally:
        context.close()
        server.shutdown()
        server.server_close()
    assert dialogs == []


# --- folders a build empties or publishes: never outside the project, never .git ---------

HAS_ZENSICAL = importlib.util.find_spec("zensical") is not None
ENGINES = ["mkdocs", pytest.param("zensical", marks=pytest.mark.skipif(not HAS_ZENSICAL, reason="no zensical"))]
PAGES_YML = "site_name: Demo\nplugins: [phasedocs]\ndocs_dir: site_config/pages\n"


@pytest.fixture
def home(tmp_path: Path) -> Path:
    """A decoy home folder outside the project: no command may change, empty or publish it."""
    folder = tmp_path / "home"
    (folder / ".ssh").mkdir(parents=True)
    (folder / ".ssh/id_rsa").write_text("-----BEGIN OPENSSH PRIVATE KEY-----\nhunter2\n")
    (folder / "thesis.tex").write_text("\\chapter{One}\nfour years of work\n")
    (folder / "index.html").write_text("<html>an old site of mine</html>\n")  # Zensical replaced a folder with one
    return folder


def _build(runner, root: Path, engine: str, *args: str):
    return runner.invoke(main, ["build", "--project", str(root), "--engine", engine, *args])


def _published(site: Path) -> str:
    """Every file the site holds, as one text to search."""
    return "\n".join(p.read_text(errors="ignore") for p in site.rglob("*") if p.is_file()) if site.exists() else ""


@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("own_config", [False, True])
def test_a_committed_site_symlink_out_of_the_project_is_never_emptied(project, runner, home, engine, own_config):
    root = project(minimal(**({"mkdocs.yml": "site_name: Demo\nplugins: [phasedocs]\n"} if own_config else {})))
    (root / "site").symlink_to(home)
    before = tree(home)
    result = _build(runner, root, engine)
    assert (result.exit_code, result.output) == (
        1,
        f"Error: refusing site folder {root / 'site'}: it leads outside the project {root} (to {home}); "
        "remove the symlink, or set site_dir in mkdocs.yml to a folder inside the project, such as site\n",
    )
    assert tree(home) == before


@pytest.mark.parametrize("engine", ENGINES)
def test_a_site_dir_of_mkdocs_yml_outside_the_project_is_refused(project, runner, home, engine, tmp_path):
    root = project(minimal(**{"mkdocs.yml": f"site_name: Demo\nplugins: [phasedocs]\nsite_dir: {home}\n"}))
    before = tree(home)
    for args in ([], ["--site-dir", str(tmp_path / "mine")]):  # mkdocs.yml arrives in pull requests too
        result = _build(runner, root, engine, *args)
        assert (result.exit_code, result.output) == (
            1,
            f"Error: refusing site folder {home}: it leads outside the project {root} (to {home}); "
            "remove the symlink, or set site_dir in mkdocs.yml to a folder inside the project, such as site\n",
        )
    assert tree(home) == before
    assert not (tmp_path / "mine").exists()


def test_a_site_dir_over_the_inputs_is_refused(project, runner):
    root = project(minimal(**{"mkdocs.yml": "site_name: Demo\nplugins: [phasedocs]\nsite_dir: phases\n"}))
    before = tree(root / "phases")
    result = _build(runner, root, "mkdocs")
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: refusing to write into {root / 'phases'}: it is inside the project's phases/"
    )
    assert tree(root / "phases") == before


def test_the_deploy_refuses_a_site_dir_outside_the_project(repo, runner, home):
    root, remote = repo
    (root / "mkdocs.yml").write_text(f"site_name: Demo\nplugins: [phasedocs]\nsite_dir: {home}\n")
    git(root, "add", "mkdocs.yml")
    git(root, "commit", "-qm", "a hostile site_dir")
    result = runner.invoke(main, ["deploy", "--project", str(root)])
    assert result.exit_code == 1
    assert f"Error: refusing site folder {home}: it leads outside the project {root}" in result.output
    assert git(remote, "branch", "--list", "gh-pages") == ""


def _pages_to(root: Path, target: Path | str) -> None:
    (root / "site_config").mkdir(exist_ok=True)
    (root / "site_config/pages").symlink_to(target)


@pytest.mark.packaging
@pytest.mark.parametrize("engine", ENGINES)
def test_a_pages_folder_symlinked_to_git_is_not_published(project, runner, engine, tmp_path):
    root = project(minimal(**{"mkdocs.yml": PAGES_YML}))
    git(root, "init", "-q")
    git(root, "config", "http.https://github.com/.extraheader", "AUTHORIZATION: basic hunter2")
    _pages_to(root, "../.git")
    result = _build(runner, root, engine, "--site-dir", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert (
        f"refusing docs_dir {root / 'site_config/pages'}: it leads into the project's .git/ (to {root / '.git'}), "
        "which holds its history and credentials; replace the symlink with a folder of its own, or point docs_dir in mkdocs.yml at one\n"
    ) in result.output
    assert "hunter2" not in _published(tmp_path / "site")


@pytest.mark.packaging
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("how", ["pages", "docs"])
def test_a_pages_folder_symlinked_outside_the_project_is_not_published(project, runner, home, engine, how, tmp_path):
    if how == "pages":  # init's layout: mkdocs.yml names site_config/pages
        root = project(minimal(**{"mkdocs.yml": PAGES_YML}))
        _pages_to(root, home)
        link = root / "site_config/pages"
    else:  # no mkdocs.yml: the default config publishes docs/
        root = project(minimal())
        (root / "docs").symlink_to(home)
        link = root / "docs"
    before = tree(home)
    result = _build(runner, root, engine, "--site-dir", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert (
        f"refusing {'docs_dir' if how == 'pages' else 'pages folder'} {link}: it leads outside the project {root} (to {home})"
        in result.output
    )
    assert "hunter2" not in _published(tmp_path / "site")
    assert tree(home) == before


@pytest.mark.packaging
@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="no /proc")
@pytest.mark.parametrize("engine", ENGINES)
def test_a_pages_folder_symlinked_to_proc_self_is_refused_at_once(project, runner, engine, tmp_path):
    root = project(minimal(**{"mkdocs.yml": PAGES_YML}))
    _pages_to(root, "/proc/self")
    result = _build(runner, root, engine, "--site-dir", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert f"refusing docs_dir {root / 'site_config/pages'}: it leads outside the project {root}" in result.output


@pytest.mark.packaging
@pytest.mark.parametrize("engine", ENGINES)
def test_a_folder_in_the_pages_symlinked_out_is_refused(project, runner, home, engine, tmp_path):
    root = project(minimal(**{"mkdocs.yml": PAGES_YML}))
    (root / "site_config/pages").mkdir(parents=True)
    (root / "site_config/pages/keys").symlink_to(home / ".ssh")
    result = _build(runner, root, engine, "--site-dir", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert (
        f"refusing {root / 'site_config/pages/keys'}: a symlink that leads outside {root / 'site_config/pages'} "
        f"(to {home / '.ssh'}); replace it with the file itself"
    ) in result.output
    assert "hunter2" not in _published(tmp_path / "site")


def test_the_deploy_never_pushes_a_pages_folder_symlinked_outside(repo, runner, home):
    root, remote = repo
    (root / "mkdocs.yml").write_text(PAGES_YML)
    _pages_to(root, home)
    git(root, "add", "mkdocs.yml", "site_config")
    git(root, "commit", "-qm", "pages elsewhere")
    result = runner.invoke(main, ["deploy", "--project", str(root)])
    assert result.exit_code == 1
    assert f"refusing docs_dir {root / 'site_config/pages'}: it leads outside the project {root}" in result.output
    assert git(remote, "branch", "--list", "gh-pages") == ""


@pytest.mark.parametrize("engine", ENGINES)
def test_a_mkdocs_yml_symlinked_outside_the_project_is_not_read(project, runner, engine, tmp_path, monkeypatch):
    secret = tmp_path / "environ"
    secret.write_text("site_name: CI_TOKEN=hunter2\nplugins: [phasedocs]\nnot yaml: [\n")
    root = project(minimal())
    (root / "mkdocs.yml").symlink_to(secret)
    result = _build(runner, root, engine, "--site-dir", str(tmp_path / "site"))
    assert (result.exit_code, result.output) == (
        1,
        f"Error: refusing mkdocs.yml {root / 'mkdocs.yml'}: it leads outside the project {root} (to {secret}); "
        "replace the symlink with the file itself\n",
    )


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="no /proc")
def test_a_mkdocs_yml_symlinked_to_the_environment_is_not_read(project, runner, tmp_path, monkeypatch):
    monkeypatch.setenv("PHASEDOCS_TEST_SECRET", "hunter2")
    root = project(minimal())
    (root / "mkdocs.yml").symlink_to("/proc/self/environ")
    result = _build(runner, root, "mkdocs", "--site-dir", str(tmp_path / "site"))
    assert result.exit_code == 1
    assert result.output.startswith(f"Error: refusing mkdocs.yml {root / 'mkdocs.yml'}: it leads outside the project")
    assert "hunter2" not in result.output and not (tmp_path / "site").exists()


def test_validate_names_the_hooks_of_mkdocs_yml_as_code_to_review(project, runner):
    root = project(
        minimal(**{"mkdocs.yml": "site_name: Demo\nplugins: [phasedocs]\nhooks:\n  - hooks/a.py\n  - tools/b.py\n"})
    )
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 0
    assert result.stderr == (
        "mkdocs.yml:3: warning: hooks: hooks/a.py, tools/b.py: MkDocs runs this Python on every build; review these "
        "files as code in every pull request that adds or changes them (or mkdocs.yml), and remove hooks you do not need\n"
    )
    assert result.stdout == "ok: 1 phase(s), 2 task(s), 0 snapshot(s)\n"
    # the warning stays when the validation result comes from the cache
    assert runner.invoke(main, ["validate", "--project", str(root)]).stderr == result.stderr


@pytest.mark.packaging
@pytest.mark.parametrize("what", ["pages", "site"])
def test_mkdocs_itself_with_the_plugin_refuses_the_same_symlinks(project, home, what, tmp_path):
    """`mkdocs build` runs the plugin without phasedocs' own checks: the plugin checks the same."""
    import subprocess
    import sys

    root = project(minimal(**{"mkdocs.yml": PAGES_YML}))
    if what == "pages":
        _pages_to(root, home)
    else:
        (root / "site_config/pages").mkdir(parents=True)
        (root / "site").symlink_to(home)
    before = tree(home)
    args = [sys.executable, "-m", "mkdocs", "build", "-f", str(root / "mkdocs.yml")]
    done = subprocess.run(args, cwd=root, capture_output=True, text=True, timeout=300)
    assert done.returncode == 1
    link = root / ("site_config/pages" if what == "pages" else "site")
    assert f"phasedocs: refusing {'docs_dir ' if what == 'pages' else 'to write into '}{link}" in done.stderr
    assert tree(home) == before


@pytest.mark.packaging
@pytest.mark.skipif(not HAS_ZENSICAL, reason="no zensical")
@pytest.mark.parametrize("name", ["docs", "site", "overrides"])
def test_a_staging_folder_symlinked_into_the_inputs_is_never_emptied(project, runner, tmp_path, name):
    """Staging removes what the site no longer has: behind a symlink, that would be the phases."""
    root = project(minimal())
    (root / ".cache/phasedocs/zensical").mkdir(parents=True)
    (root / ".cache/phasedocs/zensical" / name).symlink_to(root / "phases")
    before = tree(root / "phases")
    result = _build(runner, root, "zensical", "--site-dir", str(tmp_path / "site"))
    assert (result.exit_code, result.output) == (
        1,
        f"Error: refusing staging folder {root / '.cache/phasedocs/zensical' / name}: a symlink leads it elsewhere "
        f"(to {root / 'phases'}); remove the symlink (phasedocs makes the folder again)\n",
    )
    assert tree(root / "phases") == before


@pytest.mark.scale  # a real server of each engine, building the site before it answers
@pytest.mark.parametrize("engine", ["mkdocs", "zensical"])
def test_serve_sends_no_browser_to_another_host(project, engine):
    """``GET //evil.example/x`` once made Zensical's server answer ``302 Location:
    //evil.example/x/``: a link to the local preview that leads off it. No answer of either
    engine's server names another host (a browser reads ``/\\host`` as ``//host`` too)."""
    import http.client
    import socket
    import subprocess
    import sys
    import time
    from urllib.parse import urljoin, urlsplit

    if engine == "zensical":
        pytest.importorskip("zensical")
    root = project(minimal())
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"127.0.0.1:{port}"
    server = subprocess.Popen(
        [sys.executable, "-m", "phasedocs", "serve", "--project", str(root), "--engine", engine, "--dev-addr", address],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )

    def get(path: str) -> tuple[int, str | None]:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        try:
            connection.putrequest("GET", path, skip_host=True, skip_accept_encoding=True)
            connection.putheader("Host", f"127.0.0.1:{port}")
            connection.endheaders()
            response = connection.getresponse()
            response.read()
            return response.status, response.getheader("Location")
        finally:
            connection.close()

    try:
        deadline = time.monotonic() + 120
        while True:  # the site is up once the home page answers
            try:
                if get("/")[0] in (200, 302) and get("/phase-01/")[0] == 200:
                    break
            except OSError:
                pass
            assert server.poll() is None and time.monotonic() < deadline, "serve did not start"
            time.sleep(0.5)
        base = f"http://127.0.0.1:{port}/"
        for path in [
            "//evil.example/x",
            "//evil.example",
            "//evil.example/x/",
            "/\\evil.example/x",
            "/%2F%2Fevil.example/x",
            "/%2f/evil.example/x",
            "/%5Cevil.example/x",
            "/phase-01//evil.example/x",
            "/phase-01",
            "///evil.example/x",
        ]:
            status, location = get(path)
            if location is not None:
                assert urlsplit(urljoin(base + path.lstrip("/"), location.replace("\\", "/"))).netloc == (
                    f"127.0.0.1:{port}"
                ), (path, status, location)
        assert get("/phase-01")[1] == "/phase-01/"  # its own redirects still work
        if engine == "zensical":  # live reload's WebSocket passes the front
            with socket.create_connection(("127.0.0.1", port), timeout=10) as ws:
                ws.sendall(
                    f"GET /phase-01/ HTTP/1.1\r\nHost: {address}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n"
                    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n\r\n".encode()
                )
                assert ws.recv(4096).startswith(b"HTTP/1.1 101 ")
    finally:
        server.terminate()
        server.wait(timeout=30)
