"""Reading (and writing back) a project's mkdocs.yml, whose ``!!python/name:`` tags name functions.

A safe loader refuses those tags; phasedocs needs their values kept (the Zensical engine
writes a derived config) or ignored (``validate`` compares a few settings). A tagged
scalar is read as :class:`Tagged`, a string that remembers its tag, and :func:`dump`
writes it back with it. Nothing is imported or called.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml


class Tagged(str):
    """A scalar written with a tag (``!!python/name:pymdownx.superfences.fence_code_format``)."""

    tag = ""


class _Loader(yaml.SafeLoader):
    """The safe loader, with ``python/`` tags kept as :class:`Tagged` strings."""


def _keep_tag(loader: yaml.SafeLoader, suffix: str, node: yaml.Node) -> Any:
    value = Tagged(loader.construct_scalar(node))  # type: ignore[arg-type]  # python/name tags are scalars
    value.tag = node.tag
    return value


_Loader.add_multi_constructor("tag:yaml.org,2002:python/", _keep_tag)


class _Dumper(yaml.SafeDumper):
    """The safe dumper, writing :class:`Tagged` strings back with their tags."""


_Dumper.add_representer(Tagged, lambda dumper, data: dumper.represent_scalar(data.tag, str(data)))


def load(path: Path) -> Any:
    """The settings of the mkdocs.yml at ``path``; yaml.YAMLError when it is not YAML."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)


def dump(config: dict[str, Any]) -> str:
    """``config`` as mkdocs.yml text, tags as they were read."""
    return yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True)
