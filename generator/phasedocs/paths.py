"""One rule for every path phasedocs reads or writes: it stays inside its root.

A root is a folder the user chose or the project owns (the project, the output folder,
``templates/``). A path below it is resolved, symlinks included, and must still be below
the root's own resolved form; a symlink that leads out is refused with the path named.
Inputs come from pull requests and agents, so a committed symlink must never turn a
read into a leak (``templates/x.j2 -> /proc/self/environ``) or a write into damage
(``docs/phase-07 -> /elsewhere``).
"""

from __future__ import annotations

import os
from pathlib import Path

from phasedocs.errors import Abort, printable


def is_inside(root: Path, path: Path) -> bool:
    """True when ``path``, resolved, is ``root`` (resolved) or below it."""
    try:
        Path(os.path.realpath(path)).relative_to(os.path.realpath(root))
    except ValueError:
        return False
    return True


def contained(root: Path, path: Path, what: str = "path") -> Path:
    """``path`` if it resolves inside ``root``; :class:`Abort` naming it otherwise."""
    if not is_inside(root, path):
        target = printable(os.path.realpath(path))
        raise Abort(
            f"refusing {what} {path}: it leads outside {root} (to {target}); "
            "remove the symlink or the '..' that points out of the folder"
        )
    return path


def leaves(root: Path, path: Path, name: str = "the project") -> str | None:
    """Why ``path`` may not be read: a symlink leads it outside ``root`` (called ``name``);
    None when it stays inside. A path into (or over) ``root/.git`` is refused too: the
    repository's config can hold a CI token. For messages that name the file themselves."""
    if is_inside(root, path):
        git = _git_reason(root, path)
        return f"{git}; inputs never come from there" if git else None
    return (
        f"a symlink that leads outside {name} (to {printable(os.path.realpath(path))}); replace it with the file itself"
    )


def lexically_inside(root: Path, path: Path) -> bool:
    """True when ``path`` is below ``root`` as written (no symlink resolved, '..' folded)."""
    try:
        Path(os.path.normpath(path.absolute())).relative_to(os.path.normpath(root.absolute()))
    except ValueError:
        return False
    return True


#: Folders of a project that hold inputs; no output may be written into them or over them.
INPUT_FOLDERS = ("phases", "templates", "site_config", ".git")


def check_output_dir(project_dir: Path, out_dir: Path) -> None:
    """Refuse an output folder that is, holds or lies inside a project's inputs, or that
    a symlink inside the project leads out of it.

    An output folder named outside the project on the command line is the user's choice
    and allowed; one inside the project must stay inside once symlinks are resolved.
    """
    out = Path(os.path.realpath(out_dir))
    root = Path(os.path.realpath(project_dir))
    for name in INPUT_FOLDERS:
        folder = root / name
        if is_inside(folder, out):
            raise Abort(
                f"refusing to write into {out_dir}: it is inside the project's {name}/, which holds inputs; choose another --out"
            )
        if folder.exists() and is_inside(out, folder):
            raise Abort(
                f"refusing to write into {out_dir}: it holds the project's {name}/ (inputs); choose a folder of its own, such as docs"
            )
    if lexically_inside(project_dir, out_dir) and not is_inside(project_dir, out_dir):
        raise Abort(
            f"refusing to write into {out_dir}: a symlink leads it out of the project (to {out}); remove the symlink"
        )


def _git_reason(root: Path, path: Path) -> str | None:
    """Why ``path`` may not be used: it resolves into ``root/.git``, or (a folder) holds it."""
    real = Path(os.path.realpath(path))
    git = Path(os.path.realpath(root)) / ".git"
    if is_inside(git, real):
        return f"it leads into the project's .git/ (to {printable(str(real))}), which holds its history and credentials"
    if is_inside(real, git):
        return f"it holds the project's .git/ (it is {printable(str(real))}), which holds its history and credentials"
    return None


def escapes(root: Path, path: Path) -> str | None:
    """Why ``path`` may not be read or written for the project at ``root``: once resolved
    (symlinks included) it lies outside ``root``, or in (or over) ``root/.git``. None when
    it stays inside the project and out of its repository."""
    if not is_inside(root, path):
        return f"it leads outside the project {root} (to {printable(os.path.realpath(path))})"
    return _git_reason(root, path)


def inside_project(
    root: Path, path: Path, what: str, fix: str = "remove the symlink or the '..' that leads out"
) -> Path:
    """``path`` if it resolves inside the project ``root`` and neither enters nor holds its
    ``.git/``; :class:`Abort` naming it, where it leads and ``fix`` otherwise.

    The one check for every folder phasedocs reads pages from or empties (the pages folder,
    the site folder, the staging folder) and every configuration file it reads: a committed
    symlink (``site -> ~``, ``site_config/pages -> ../.git``) must never turn a build into
    damage or a leak.
    """
    problem = escapes(root, path)
    if problem:
        raise Abort(f"refusing {what} {path}: {problem}; {fix}")
    return path


def check_tree(folder: Path, what: str) -> None:
    """Refuse a symlink anywhere under ``folder`` that leads out of it, or a symlinked
    folder that holds itself (``x -> ..``): the site engines follow symlinks as they walk a
    pages folder, so either would publish what it points at or never end (``/proc/self``)."""
    for top, dirs, files in os.walk(folder, followlinks=False):
        for name in [*dirs, *files]:
            path = Path(top) / name
            if not path.is_symlink():
                continue
            problem = leaves(folder, path, str(folder))
            if problem:
                raise Abort(f"refusing {path}: {problem}")
            if path.is_dir() and is_inside(path, path.parent):
                raise Abort(
                    f"refusing {path}: a symlink to a folder that holds it, so {what} {folder} never ends; "
                    "remove the symlink"
                )


def named_input(root: Path, path: Path, what: str) -> Path:
    """A file the user named on the command line: one outside the project is the user's
    choice; one inside must stay inside once symlinks are resolved, and none may lead into
    the project's ``.git/`` (a committed ``reports/m.json -> /proc/self/environ`` or
    ``-> ../.git/config`` would otherwise be read, and its values recorded or echoed)."""
    problem = escapes(root, path) if lexically_inside(root, path) else _git_reason(root, path)
    if problem:
        raise Abort(f"refusing {what} {path}: {problem}; replace the symlink with the file itself")
    return path


def check_pages(root: Path, folder: Path) -> Path:
    """The pages folder (``docs_dir``) of the project at ``root``, checked before a build
    walks it: inside the project, out of ``.git/``, no symlink in it leading out of it.
    A committed ``site_config/pages -> ../.git`` (or ``-> ~``, ``-> /proc/self``) would
    otherwise be published, or walked for ever."""
    inside_project(
        root, folder, "docs_dir", "replace the symlink with a folder of its own, or point docs_dir in mkdocs.yml at one"
    )
    check_tree(folder, "docs_dir")
    return folder


def is_real(root: Path, path: Path) -> bool:
    """True when ``path`` is the folder or file its name says, below ``root``: no symlink on
    the way from ``root`` to it, so emptying or writing it touches nothing else (a committed
    ``.cache/phasedocs/pages -> ../../phases/phase-01/metrics`` would have its snapshots pruned)."""
    real = Path(os.path.realpath(root))
    try:
        rel = Path(os.path.normpath(path.absolute())).relative_to(os.path.normpath(root.absolute()))
    except ValueError:
        return False
    return Path(os.path.realpath(path)) == real / rel and _git_reason(root, path) is None


def real_folder(root: Path, path: Path, what: str) -> Path:
    """``path`` if no symlink lies on the way to it from ``root`` (see :func:`is_real`);
    :class:`Abort` naming it otherwise. For the folders phasedocs owns and empties (the
    cache, the Zensical staging folder): behind a symlink, even one into the project
    (``-> ../../phases``), emptying them would delete someone's files."""
    if not is_real(root, path):
        raise Abort(
            f"refusing {what} {path}: a symlink leads it elsewhere (to {printable(os.path.realpath(path))}); "
            "remove the symlink (phasedocs makes the folder again)"
        )
    return path
