"""A git repository built during a test: commits at given times, by given authors (tests of sync)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path


class Repo:
    """A git repository in a folder, with commits at given times."""

    def __init__(self, root: Path) -> None:
        self.root = root
        root.mkdir(parents=True)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, when: str = "2025-01-06T00:00:00Z", author: str = "A") -> str:
        env = {
            "PATH": os.environ["PATH"],
            "HOME": str(self.root),
            "GIT_AUTHOR_NAME": author,
            "GIT_AUTHOR_EMAIL": f"{author.lower()}@example.com",
            "GIT_COMMITTER_NAME": author,
            "GIT_COMMITTER_EMAIL": f"{author.lower()}@example.com",
            "GIT_AUTHOR_DATE": when,
            "GIT_COMMITTER_DATE": when,
        }
        done = subprocess.run(["git", *args], cwd=self.root, env=env, capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def commit(self, path: str, message: str, when: str, author: str = "A") -> str:
        """Change ``path`` (one more line) and commit it; the new commit's id."""
        file = self.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(file.read_text() + "x\n" if file.exists() else "x\n")
        self.git("add", "--", path, when=when, author=author)
        self.git("commit", "-q", "-m", message, when=when, author=author)
        return self.git("rev-parse", "HEAD")

    def merge(self, branch: str, when: str) -> str:
        """Merge ``branch`` into the current branch with a merge commit; its id."""
        self.git("merge", "-q", "--no-ff", branch, "-m", f"Merge branch '{branch}'", when=when)
        return self.git("rev-parse", "HEAD")


def project_repo(root: Path, project: str, phase: str, when: str) -> Repo:
    """A project inside a new repository at ``root``: phases/project.yaml (``project``) and phase
    1's phase.yaml (``phase``) committed on main at ``when``."""
    r = Repo(root)
    (r.root / "phases/phase-01").mkdir(parents=True)
    (r.root / "phases/project.yaml").write_text(project)
    (r.root / "phases/phase-01/phase.yaml").write_text(phase)
    r.git("add", "phases")
    r.git("commit", "-q", "-m", "plan", when=when)
    return r
