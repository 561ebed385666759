"""Where phasedocs' own files are: package data, and the three folders a checkout shares.

Package data (the ``init`` scaffold, the vendored Mermaid script) lives in
``phasedocs/data/`` and is found through :mod:`importlib.resources`, one code path for
a checkout and a wheel. The built-in templates, the embedded default ``phases/`` and
``site_config/`` are the repository's top-level folders, which the wheel ships as
package data under ``phasedocs/data/`` too (see pyproject.toml's ``force-include``).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

_CHECKOUT = Path(__file__).resolve().parent.parent.parent
"""The repository root when running from a source checkout (generator/phasedocs/ -> ./)."""


def data(*parts: str) -> Path:
    """A file or folder of the package data, e.g. ``data("scaffold", "phase.yaml")``."""
    # an installed or checked-out package is a folder on disk (Jinja's loader and MkDocs
    # need real paths), so the Traversable is a Path: no temporary extraction needed
    return Path(str(resources.files("phasedocs").joinpath("data", *parts)))


def _shared(name: str) -> Path:
    packaged = data(name)
    return packaged if packaged.is_dir() else _CHECKOUT / name


def builtin_templates() -> Path:
    """The built-in Jinja templates."""
    return _shared("templates")


def default_phases() -> Path:
    """The embedded default project's phases/."""
    return _shared("phases")


def default_site_config() -> Path:
    """The default site_config/."""
    return _shared("site_config")


def mermaid_script() -> Path:
    """The vendored Mermaid script (served by the site itself: no CDN)."""
    return data("mermaid", "mermaid.min.js")
