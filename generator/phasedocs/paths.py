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
    None when it stays inside. For messages that name the file themselves."""
    if is_inside(root, path):
        return None
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
