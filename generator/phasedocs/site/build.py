"""``phasedocs build`` and ``serve``: MkDocs over the phasedocs plugin."""

from __future__ import annotations

import contextlib
from pathlib import Path

from phasedocs.errors import Abort
from phasedocs.paths import check_pages
from phasedocs.site.config import check_site_dir, config_file, load_config, quiet_material
from phasedocs.site.pages import load_once


def build(root: Path, site_dir: Path | None = None, strict: bool = False) -> Path:
    """``phasedocs build``: generate everything and build the site with MkDocs."""
    from mkdocs import exceptions
    from mkdocs.commands import build as mkbuild

    # the plugin validates too, but MkDocs reduces its error to "Aborted with a BuildError!";
    # checking first prints exactly what `phasedocs validate` prints (and the plugin reuses it;
    # site.yaml is checked and kept with the project)
    load_once(root)
    site_dir = check_site_dir(root, site_dir)  # before MkDocs empties it
    config = load_config(root, site_dir=str(site_dir.resolve()), strict=strict or None)
    check_pages(root.resolve(), Path(config.docs_dir))  # before MkDocs walks and publishes it
    try:
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkbuild.build(config)
        finally:
            config.plugins.on_shutdown()
    except exceptions.PluginError as exc:
        raise Abort(str(exc)) from None
    except exceptions.MkDocsException as exc:
        ours = getattr(config.plugins.get("phasedocs"), "error", None)
        raise Abort(
            str(ours) if isinstance(ours, exceptions.PluginError) else f"the site build failed: {exc}"
        ) from None
    return Path(config.site_dir)


def serve(root: Path, dev_addr: str | None = None) -> None:
    """``phasedocs serve``: MkDocs' live-reloading server over the plugin."""
    from mkdocs import exceptions
    from mkdocs.commands import serve as mkserve

    from phasedocs.site.front import probe

    load_once(root)  # invalid input: the validate lines, before a server starts
    quiet_material()
    path = config_file(root)
    addr = dev_addr or "127.0.0.1:8000"
    try:
        probe(addr)  # a taken address stops here, not after a first build of the whole site
        with contextlib.chdir(path.parent):
            mkserve.serve(config_file=str(path), dev_addr=dev_addr, livereload=True)
    except exceptions.MkDocsException as exc:
        raise Abort(str(exc)) from None
    except (OSError, ValueError, IndexError) as exc:  # the address is taken or cannot be had
        raise Abort(
            f"cannot serve on {addr}: {getattr(exc, 'strerror', None) or exc}; "
            "pass another address, e.g. --dev-addr 127.0.0.1:8001"
        ) from None
