"""Where the built-in templates, default phases and site config are.

In a wheel they are packaged under ``generator/``; in a source checkout (editable
install, tests) they are the repository's top-level folders.
"""

from __future__ import annotations

from pathlib import Path

_HERE = Path(__file__).resolve().parent


def _find(name: str) -> Path:
    packaged = _HERE / "_data" / name
    return packaged if packaged.exists() else _HERE.parent / name


def builtin_templates() -> Path:
    """The built-in Jinja templates."""
    return _find("templates")


def default_phases() -> Path:
    """The embedded default project's phases/."""
    return _find("phases")


def default_site_config() -> Path:
    """The default site_config/."""
    return _find("site_config")
