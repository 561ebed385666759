"""The git history as data: commits, their parents, dates, messages and files, and the refs.

Every git command is a fixed argument list (no shell), with ``--`` before any user-given
name and ``-C`` for the repository; user text (branch names, messages) is only ever read.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from phasedocs.errors import Abort

#: The most commits a sync reads: past this, the history is cut at the newest ones.
MAX_COMMITS = 200_000


@dataclass(frozen=True)
class Commit:
    """One commit: its id, parents, when it was written and landed, message and files."""

    id: str
    parents: tuple[str, ...]
    authored: datetime
    """When the work was written (the author date; kept by rebases and cherry-picks)."""
    committed: datetime
    """When the commit was made (a merge's landing time)."""
    message: str
    files: tuple[str, ...]

    @property
    def short(self) -> str:
        """The seven-character id people quote."""
        return self.id[:7]


@dataclass(frozen=True)
class History:
    """Every commit reachable from a ref, newest first, and the refs (name -> commit id)."""

    commits: dict[str, Commit]
    refs: dict[str, str]
    default: str
    """The default branch's ref name (``main``, ``origin/main``)."""
    shallow: bool
    root: Path | None = None
    """The repository's top folder (paths of changed files are relative to it)."""


def _git(repo: Path, *args: str) -> str:
    exe = shutil.which("git")
    if exe is None:
        raise Abort("git is not installed: phasedocs sync reads the history with it")
    try:
        done = subprocess.run(
            [exe, "-C", str(repo), *args],
            capture_output=True,
            check=False,
            timeout=600,
            env={"GIT_TERMINAL_PROMPT": "0", "LC_ALL": "C", "PATH": "/usr/bin:/bin", "HOME": str(repo)},
        )
    except subprocess.TimeoutExpired:
        raise Abort(f"{repo}: git took more than 10 minutes to read the history") from None
    if done.returncode != 0:
        message = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise Abort(f"{repo}: git {args[0]} failed: {message[-1] if message else done.returncode}")
    return done.stdout.decode("utf-8", "replace")


def _when(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def read_history(repo: Path, branch: str | None = None) -> History:
    """Read the repository at ``repo``: every commit of every ref, and which ref is the default."""
    if not (repo / ".git").exists():
        top = _git(repo, "rev-parse", "--show-toplevel").strip()
        repo = Path(top)
    shallow = _git(repo, "rev-parse", "--is-shallow-repository").strip() == "true"
    refs: dict[str, str] = {}
    for line in _git(
        repo, "for-each-ref", "--format=%(refname)%00%(objectname)", "refs/heads", "refs/remotes"
    ).splitlines():
        name, _, oid = line.partition("\0")
        if name.endswith("/HEAD"):
            continue
        refs[name.removeprefix("refs/heads/").removeprefix("refs/remotes/")] = oid
    default = _default_branch(repo, refs, branch)
    raw = _git(
        repo,
        "log",
        "--all",
        "--date-order",
        f"--max-count={MAX_COMMITS}",
        "-z",
        "--name-only",
        "--no-renames",
        "--format=%x1e%H%x00%P%x00%aI%x00%cI%x00%B%x00",
    )
    commits: dict[str, Commit] = {}
    for record in raw.split("\x1e")[1:]:
        fields = record.split("\0")
        if len(fields) < 5:
            continue
        oid, parents, authored, committed, message = fields[:5]
        files = tuple(f.strip("\n") for f in fields[5:] if f.strip("\n"))
        commits[oid] = Commit(oid, tuple(parents.split()), _when(authored), _when(committed), message.strip(), files)
    return History(commits, refs, default, shallow, repo.resolve())


def _default_branch(repo: Path, refs: dict[str, str], branch: str | None) -> str:
    if branch is not None:
        if branch not in refs:
            known = ", ".join(sorted(refs)) or "none"
            raise Abort(f"evidence.branch: no branch {branch!r} in {repo} (branches: {known})")
        return branch
    try:
        head = _git(repo, "symbolic-ref", "--quiet", "refs/remotes/origin/HEAD").strip()
        name = head.removeprefix("refs/remotes/")
        if name in refs:
            return name
    except Abort:
        pass
    for name in ("main", "master", "origin/main", "origin/master"):
        if name in refs:
            return name
    current = _git(repo, "symbolic-ref", "--quiet", "--short", "HEAD").strip()
    if current in refs:
        return current
    raise Abort(f"{repo}: no default branch found; set evidence: {{branch: NAME}} in phases/project.yaml")
