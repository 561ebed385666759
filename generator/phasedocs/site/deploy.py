"""``phasedocs deploy``: build the site and publish it to a git branch (GitHub Pages)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
from pathlib import Path

from phasedocs.errors import Abort
from phasedocs.site.build import build


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, env={**os.environ, "GIT_TERMINAL_PROMPT": "0"}
    )


#: The trailer every deploy commit carries: a local commit with it is phasedocs' own,
#: left unpushed by a deploy that was cut short, and the next deploy may replace it.
DEPLOY_TRAILER = "Deployed-by: phasedocs"


def check_git_names(remote: str, branch: str) -> None:
    """Refuse a remote or branch that git would read as an option or that is no branch name."""
    for what, name in (("remote", remote), ("branch", branch)):
        if not name or name.startswith("-") or any(ch.isspace() or ord(ch) < 32 for ch in name):
            raise Abort(
                f"--{what} {name!r} is not a {what} name (it must not start with '-' or hold spaces); pass a name such as {'origin' if what == 'remote' else 'gh-pages'}"
            )
    if subprocess.run(["git", "check-ref-format", "--branch", branch], capture_output=True).returncode != 0:
        raise Abort(f"--branch {branch!r} is not a valid git branch name; pass a name such as gh-pages")


def _own_commits(root: Path, base: str | None, tip: str) -> bool:
    """True when every commit in base..tip (all of tip's history without a base) is a deploy commit of phasedocs."""
    bodies = _git(root, "log", "--format=%B%x00", f"{base}..{tip}" if base else tip, "--")
    messages = [m for m in bodies.stdout.split("\0") if m.strip()]
    return bodies.returncode == 0 and bool(messages) and all(DEPLOY_TRAILER in m for m in messages)


#: The temp files git writes while it receives or packs objects (a fetch, fast-import).
_GIT_TEMPS = ("tmp_pack_", "tmp_idx_", "tmp_rev_")


def _sweep_git_temps(root: Path, work: Path) -> None:
    """Remove the temp packs git left in the repository's ``objects/pack`` when a deploy was
    killed while its git fetched or wrote the site commit: those written since that deploy
    began, which its marker (``work/started``) tells. A deploy that ended leaves no marker,
    so nothing is swept that a deploy did not start."""
    import stat

    try:
        since = (work / "started").stat().st_mtime
    except OSError:
        return
    found = _git(root, "rev-parse", "--git-path", "objects/pack")
    folder = root / found.stdout.strip()
    if found.returncode != 0 or not folder.is_dir():
        return
    for path in folder.iterdir():
        with contextlib.suppress(OSError):
            info = path.lstat()
            if path.name.startswith(_GIT_TEMPS) and stat.S_ISREG(info.st_mode) and info.st_mtime >= since:
                path.unlink()


def uncommitted_inputs(root: Path) -> list[str]:
    """Inputs (phases/, templates/, site_config/) with changes git has not committed: the
    deployed site holds them, the commit it names does not."""
    done = _git(root, "status", "--porcelain", "--", "phases", "templates", "site_config")
    return [line[3:] for line in done.stdout.splitlines() if line.strip()] if done.returncode == 0 else []


def deploy(
    root: Path, remote: str = "origin", branch: str = "gh-pages", message: str | None = None, engine: str = "mkdocs"
) -> str:
    """``phasedocs deploy``: build, then commit the site on top of ``branch`` and push it.

    Like ``mkdocs gh-deploy`` (ghp-import), with ``.nojekyll``; the new commit's parent
    is the remote branch's tip, so the published history is extended, never rewritten.
    A local commit of an earlier deploy that never reached the remote (the run was
    killed, the push refused) is recognised by its trailer and replaced. Returns the new
    commit's hash.
    """
    import shutil
    import subprocess as sp

    import ghp_import

    from phasedocs.output.caches import CACHE
    from phasedocs.paths import real_folder

    check_git_names(remote, branch)
    if _git(root, "rev-parse", "--is-inside-work-tree").returncode != 0:
        raise Abort(
            f"{root} is not inside a git repository; deploy publishes to a branch of one (git init, add a remote)"
        )
    if _git(root, "remote", "get-url", "--", remote).returncode != 0:
        raise Abort(f"no git remote named '{remote}'; add one (git remote add {remote} URL) or pass --remote")
    # the site is built inside the project's cache, not in the system's temp folder: a deploy
    # killed on the way leaves it where the next deploy finds it (the build empties its site
    # folder first) and removes it at the end, and nothing is ever written outside the project
    work = real_folder(root, root / CACHE / "deploy", "deploy folder")
    _sweep_git_temps(root, work)
    work.mkdir(parents=True, exist_ok=True)
    (work / "started").touch()  # from here on, git's temp packs are ours to sweep if this run is killed
    try:
        ref = f"refs/heads/{branch}"
        reach = _git(root, "ls-remote", "--heads", "--", remote, ref)
        if reach.returncode != 0:
            detail = reach.stderr.strip().splitlines()[-1] if reach.stderr.strip() else "no answer"
            raise Abort(f"cannot reach remote '{remote}': {detail}")
        local = _git(root, "rev-parse", "--verify", "--quiet", ref)
        if reach.stdout.strip():
            remote_tip = reach.stdout.split()[0]
            # the remote-tracking ref too: ghp-import starts from it
            fetched = _git(root, "fetch", "--quiet", "--", remote, f"+{ref}:refs/remotes/{remote}/{branch}")
            if fetched.returncode != 0:
                raise Abort(f"cannot fetch '{branch}' from '{remote}': {fetched.stderr.strip()}")
            tip = local.stdout.strip()
            if local.returncode == 0 and _git(root, "merge-base", "--is-ancestor", tip, remote_tip).returncode != 0:
                if not _own_commits(root, remote_tip, tip):
                    raise Abort(
                        f"local branch '{branch}' has commits that '{remote}' does not; push or delete it first "
                        f"(git branch -D {branch}), so the published history is not rewritten"
                    )
            _git(root, "update-ref", ref, remote_tip)  # replaces an unpushed deploy of ours, or catches up
        elif local.returncode == 0 and _own_commits(root, None, local.stdout.strip()):
            _git(root, "update-ref", "-d", ref)  # only unpushed deploys of ours: the first push starts afresh
        sha = _git(root, "rev-parse", "--short", "HEAD").stdout.strip() or "unknown"
        text = f"{message or f'Deploy phase docs from {sha}'}\n\n{DEPLOY_TRAILER}"
        if engine == "zensical":
            from phasedocs.site.zensical import build as build_with_zensical

            site = build_with_zensical(root, work / "site")
        else:
            site = build(root, work / "site")
        try:
            with contextlib.chdir(root), contextlib.redirect_stdout(io.StringIO()):
                ghp_import.ghp_import(
                    str(site), mesg=text, remote=remote, branch=branch, push=False, force=False, nojekyll=True
                )
        except (ghp_import.GhpError, sp.CalledProcessError, OSError) as exc:
            raise Abort(f"deploy failed while committing the site: {getattr(exc, 'message', exc)}") from None
    finally:
        shutil.rmtree(work, ignore_errors=True)
    pushed = _git(root, "push", "--porcelain", "--", remote, f"{ref}:{ref}")
    if pushed.returncode != 0:
        lines = [
            x.removeprefix("remote: ").strip()
            for x in pushed.stderr.splitlines()
            if x.strip() and not x.startswith("To ")
        ]
        detail = "; ".join(lines[-3:]) or "no answer"
        raise Abort(
            f"the push to '{remote}' was refused: {detail}. The site commit stays on the local branch '{branch}'; "
            "the next deploy replaces it"
        )
    return _git(root, "rev-parse", ref).stdout.strip()
