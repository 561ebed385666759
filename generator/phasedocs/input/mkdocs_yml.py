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


class NotSettings(ValueError):
    """A mkdocs.yml that holds no settings: ``problem`` says why it is not YAML; None when it is
    YAML of another shape (a list, a word)."""

    def __init__(self, problem: str | None) -> None:
        super().__init__(problem or "expected a mapping of settings")
        self.problem = problem


def settings(path: Path) -> dict[str, Any]:
    """The settings of the mkdocs.yml at ``path``, tags kept: a mapping, ``{}`` for an empty file.

    The one reading of mkdocs.yml's settings. It arrives in pull requests, so every fault of
    its text is :class:`NotSettings`: not YAML, not UTF-8, nested too deep for the parser (a
    RecursionError), or YAML that is not a mapping. Each caller says what that means for it
    (an error naming the file, or the defaults: MkDocs reports its own file's faults). An
    OSError reading it passes through: the callers that fall back catch it, and the commands
    print it as an error naming the file.
    """
    try:
        config = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)
    except yaml.YAMLError as exc:
        raise NotSettings(str(exc)) from None
    except UnicodeDecodeError as exc:
        raise NotSettings(f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except RecursionError:
        raise NotSettings("nested too deep to read") from None
    if not config:
        return {}
    if not isinstance(config, dict):
        raise NotSettings(None)
    return config


def dump(config: dict[str, Any]) -> str:
    """``config`` as mkdocs.yml text, tags as they were read."""
    return yaml.dump(config, Dumper=_Dumper, sort_keys=False, allow_unicode=True)


def hook_warnings(project_dir: Path) -> list[str]:
    """A warning for each ``hooks:`` of the project's mkdocs.yml, naming the file, the line
    and the hook files: MkDocs imports and runs them on every build, so a pull request that
    adds or changes one is code to review, not settings. Empty when there are none (or no
    readable mkdocs.yml inside the project: the build refuses that itself)."""
    from phasedocs.errors import printable
    from phasedocs.paths import escapes

    path = project_dir / "mkdocs.yml"
    if not path.is_file() or escapes(project_dir, path):
        return []
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"), Loader=_Loader)
    except (yaml.YAMLError, OSError, UnicodeDecodeError, RecursionError):
        return []  # MkDocs reports its own file's faults
    if not isinstance(node, yaml.MappingNode):
        return []
    out = []
    for key, value in node.value:
        if not (isinstance(key, yaml.ScalarNode) and key.value == "hooks"):
            continue
        if isinstance(value, yaml.SequenceNode):
            hooks = [str(v.value) for v in value.value if isinstance(v, yaml.ScalarNode)]
        else:
            hooks = [str(value.value)] if isinstance(value, yaml.ScalarNode) and value.value else []
        if not hooks:
            continue
        shown = printable(", ".join(hooks))
        out.append(
            f"mkdocs.yml:{key.start_mark.line + 1}: warning: hooks: {shown}: MkDocs runs this Python on every "
            "build; review these files as code in every pull request that adds or changes them "
            "(or mkdocs.yml), and remove hooks you do not need"
        )
    return out
