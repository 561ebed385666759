"""The second site engine: Zensical, the successor of Material for MkDocs.

Zensical reads ``mkdocs.yml`` but runs no plugins, so ours cannot add the pages. Instead
phasedocs renders them itself (the same :func:`~phasedocs.site.pages.render_site` the
plugin uses, with its caches), writes them into a staging folder under
``.cache/phasedocs/zensical/`` together with the hand-written pages of ``docs_dir``,
writes a derived config (the navigation by phase, Material's classic look, the vendored
Mermaid instead of a CDN) and runs Zensical on it. Files in the staging folder that
the site no longer has are removed, so Zensical's own cache can keep what did not change.
"""

from __future__ import annotations

import shutil
import signal
import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

from phasedocs.errors import Abort
from phasedocs.output.caches import CACHE
from phasedocs.paths import check_pages, inside_project, real_folder
from phasedocs.site.pages import MERMAID_URI

#: The release the ``zensical`` extra pins: Zensical is before 1.0, and its config may change.
PINNED = "0.0.73"


def _zensical() -> list[str]:
    """The command that runs Zensical; :class:`Abort` with the install line when it is missing."""
    import importlib.util

    if importlib.util.find_spec("zensical") is None:
        raise Abort(
            "the zensical engine is not installed; install it with: pip install 'phasedocs[zensical]' "
            f"(Zensical {PINNED}), or build with --engine mkdocs"
        )
    return [sys.executable, "-m", "zensical"]


def _project_config(root: Path) -> tuple[Path, dict[str, Any]]:
    """The project's mkdocs.yml (or the default one) and its settings, tags kept."""
    from phasedocs.input import mkdocs_yml
    from phasedocs.site.config import config_file

    source = config_file(root)
    try:
        return source, mkdocs_yml.settings(source)
    except mkdocs_yml.NotSettings as exc:
        if exc.problem is None:
            raise Abort(f"{source}: expected a mapping of settings") from None
        raise Abort(f"{source}: not valid YAML: {exc.problem}") from None


def derived_config(
    config: dict[str, Any], staging: Path, site_dir: Path, nav: list[Any], overrides: Path | None = None
) -> str:
    """The config Zensical builds with: the project's mkdocs.yml settings ``config`` with the
    staging folder as docs_dir (``staging``, ``site_dir`` and ``overrides`` are folders beside
    the config), the navigation by phase, Material's classic variant, the vendored Mermaid
    and the icons' stylesheet."""
    from phasedocs.input import mkdocs_yml
    from phasedocs.site.pages import ICON_CSS_URI

    config = dict(config)
    # relative to the config's folder: Zensical keeps both inside its project (absolute paths panic 0.0.73)
    config["docs_dir"] = staging.name
    config["site_dir"] = site_dir.name
    config.setdefault("nav", nav)
    theme = config.setdefault("theme", {"name": "material"})
    if isinstance(theme, dict):
        theme["variant"] = "classic"  # the look of Material for MkDocs, page for page
        # "edit this page" would open the staged copy, which is in no repository: only our
        # MkDocs plugin can point it at the phase.yaml a page is made from
        features = theme.get("features")
        if isinstance(features, list):
            theme["features"] = [f for f in features if f != "content.action.edit"]
        if overrides is not None and "custom_dir" not in theme:
            theme["custom_dir"] = overrides.name  # the repository link without live facts
    # the plugins are ours (whose pages are staged here) and search, which Zensical has built in
    config.pop("plugins", None)
    scripts = [s for s in config.get("extra_javascript", []) if s != MERMAID_URI]
    config["extra_javascript"] = [*scripts, MERMAID_URI]  # Mermaid from the site, never a CDN
    config["extra_css"] = [*[s for s in config.get("extra_css", []) if s != ICON_CSS_URI], ICON_CSS_URI]
    return mkdocs_yml.dump(config)


def stage(root: Path, site_dir: Path) -> Path:
    """Render the site into the staging folder and write the derived config; return its path."""
    from phasedocs.output.writer import atomic_write
    from phasedocs.site.pages import ICON_CSS_URI, edited_pages, icon_css, render_site

    root = root.resolve()
    site = render_site(root)
    staging = _staging(root, "docs")
    staging.mkdir(parents=True, exist_ok=True)
    files: dict[str, bytes] = {}
    source, own_config = _project_config(root)
    own_docs = own_config.get("docs_dir")
    if own_docs:  # hand-written pages published beside the generated ones
        folder = source.parent / str(own_docs)
        if folder.is_dir():
            folder = check_pages(root, folder).resolve()
            problem = edited_pages(folder, list(site.files))  # as the MkDocs build refuses them
            if problem:
                raise Abort(problem)
            for path in sorted(folder.rglob("*")):
                if path.is_file() and not path.name.startswith("."):
                    inside_project(root, path, "page", "replace the symlink with the file itself")
                    files[path.relative_to(folder).as_posix()] = path.read_bytes()
    for uri, content in site.files.items():  # generated pages win over hand-written copies
        files[uri] = content.encode("utf-8") if isinstance(content, str) else content
    files[MERMAID_URI] = site.mermaid.read_bytes()
    files[ICON_CSS_URI] = icon_css().encode("utf-8")
    for rel, data in files.items():
        path = staging / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.is_file() or path.read_bytes() != data:
            atomic_write(path, data, durable=False)
    for path in sorted(staging.rglob("*"), reverse=True):  # what the site no longer has
        rel = path.relative_to(staging).as_posix()
        if path.is_file() and rel not in files:
            path.unlink()
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    overrides = None
    if not site.repo_widget:
        from phasedocs.resources import data as package_data

        overrides = _staging(root, "overrides")
        shutil.rmtree(overrides, ignore_errors=True)
        shutil.copytree(package_data("overrides"), overrides)
    config = _staging(root, "mkdocs.yml")
    text = derived_config(own_config, staging, site_dir, site.nav, overrides)
    atomic_write(config, text.encode("utf-8"), durable=False)
    return config


def _staging(root: Path, name: str) -> Path:
    """A folder or file of the Zensical staging area (``.cache/phasedocs/zensical/NAME``),
    refused when a symlink leads it anywhere (out of the project, into its inputs): staging
    empties and writes it."""
    path = root / CACHE / "zensical" / name
    return real_folder(root, path, "staging folder")


def _mtimes(folders: list[Path]) -> tuple[tuple[str, int, int], ...]:
    """Every file under ``folders`` with its size and modification time: what serve watches."""
    out = []
    for folder in folders:
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    st = path.stat()
                    out.append((str(path), st.st_size, st.st_mtime_ns))
    return tuple(out)


def build(root: Path, site_dir: Path | None = None, strict: bool = False) -> Path:
    """``phasedocs build --engine zensical``: stage, build beside the staging folder (Zensical
    keeps its site inside its project), then put the site where it was asked for."""
    from phasedocs.site.config import check_site_dir

    command = _zensical()
    root = root.resolve()
    out = check_site_dir(root, site_dir or root / "site").resolve()  # before anything in it is deleted
    if out.exists() and any(out.iterdir()) and not (out / "index.html").is_file():
        raise Abort(f"refusing to replace {out}: it is not empty and holds no site; choose another --site-dir")
    built = _staging(root, "site")
    config = stage(root, built)
    args = [*command, "build", "-f", str(config)] + (["--strict"] if strict else [])
    done = subprocess.run(args, cwd=config.parent, capture_output=True, text=True)
    if done.returncode != 0:
        raise Abort(f"the Zensical build failed:\n{(done.stderr or done.stdout).strip()}")
    from phasedocs.site.pages import responsive_charts

    for page in built.rglob("*.html"):  # what the MkDocs plugin does to each page, after the build
        text = page.read_text(encoding="utf-8")
        changed = responsive_charts(text)
        if changed != text:
            page.write_text(changed, encoding="utf-8")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(built, out)
    return out


def _free_loopback_port() -> int:
    """A port of 127.0.0.1 that nothing listens on now: where Zensical serves, behind the front."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def serve(root: Path, dev_addr: str | None = None, poll: float = 1.0) -> None:
    """``phasedocs serve --engine zensical``: Zensical's server over the staging folder, which is
    rendered again whenever a phase, a snapshot, a template or the site settings change.

    Zensical listens on a private loopback port; the address asked for is answered by a
    small front (:mod:`phasedocs.site.front`) that refuses the paths Zensical would
    redirect to another host (``//evil.example/x``). The front binds first, so a taken
    address stops here with exit 1 (Zensical prints it as an error, yet exits 0)."""
    from phasedocs.errors import PhasedocsError
    from phasedocs.site import front

    command = _zensical()
    root = root.resolve()
    addr = dev_addr or "localhost:8000"
    out = _staging(root, "site")
    config = stage(root, out)
    inner = _free_loopback_port()
    try:
        server = front.start(addr, inner)
    except (OSError, ValueError, IndexError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise Abort(f"cannot serve on {addr}: {reason}; pass another address, e.g. --dev-addr 127.0.0.1:8001") from None
    watched = [root / name for name in ("phases", "templates", "site_config")]
    stop = threading.Event()

    def watch() -> None:
        seen = _mtimes(watched)
        while not stop.wait(poll):
            now = _mtimes(watched)
            if now != seen:
                seen = now
                try:
                    stage(root, out)
                except PhasedocsError as exc:
                    print(exc.format_message(), file=sys.stderr)

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    args = [*command, "serve", "-f", str(config), "--dev-addr", f"127.0.0.1:{inner}"]
    print(f"Serving on http://{addr}/", file=sys.stderr, flush=True)
    process = subprocess.Popen(args, cwd=config.parent)
    if threading.current_thread() is threading.main_thread():  # terminated: stop Zensical too, not orphan it
        signal.signal(signal.SIGTERM, _interrupt)
    try:
        code = process.wait()
    except KeyboardInterrupt:
        code = 0
    finally:
        stop.set()
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        server.shutdown()
        server.server_close()
    shutil.rmtree(out, ignore_errors=True)
    if code != 0:
        raise Abort(f"the Zensical server stopped with exit status {code}; see its messages above")
