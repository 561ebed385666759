"""deploy on hostile names, refused pushes and interrupted runs."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import git
from phasedocs.cli import main

pytestmark = pytest.mark.scale


def _refuse_pushes(remote: Path) -> None:
    hook = remote / "hooks/pre-receive"
    hook.write_text("#!/bin/sh\necho 'rejected by policy' >&2\nexit 1\n")
    hook.chmod(0o755)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--branch", "--receive-pack=touch PWNED"],
            "Error: --branch '--receive-pack=touch PWNED' is not a branch name (it must not start with '-' or hold spaces); pass a name such as gh-pages\n",
        ),
        (
            ["--remote", "--upload-pack=touch PWNED"],
            "Error: --remote '--upload-pack=touch PWNED' is not a remote name (it must not start with '-' or hold spaces); pass a name such as origin\n",
        ),
        (["--branch", "a..b"], "Error: --branch 'a..b' is not a valid git branch name; pass a name such as gh-pages\n"),
    ],
)
def test_names_git_would_read_as_options_are_refused(repo, runner, args, message):
    root, _ = repo
    result = runner.invoke(main, ["deploy", "--project", str(root), *args])
    assert (result.exit_code, result.output) == (1, message)
    assert not (root / "PWNED").exists()
    assert git(root, "branch", "--format=%(refname:short)") == "main"
    assert not list((root / ".git").glob("fast_import_crash_*"))


def test_a_refused_push_is_a_clean_error_and_the_next_deploy_replaces_the_commit(repo, runner):
    root, remote = repo
    assert runner.invoke(main, ["deploy", "--project", str(root)]).exit_code == 0
    published = git(remote, "rev-parse", "gh-pages")
    (root / "phases/phase-01/metrics").mkdir()
    (root / "phases/phase-01/metrics/a.json").write_text(
        '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 7}}'
    )
    git(root, "add", "phases")
    git(root, "commit", "-qm", "a snapshot")  # committed: deploy has nothing to warn about
    _refuse_pushes(remote)
    result = runner.invoke(main, ["deploy", "--project", str(root)])
    assert result.exit_code == 1
    assert result.output.startswith("Error: the push to 'origin' was refused: rejected by policy; ")
    assert result.output.endswith("The site commit stays on the local branch 'gh-pages'; the next deploy replaces it\n")
    assert git(root, "rev-parse", "gh-pages^") == published  # the unpushed commit of the cut-short deploy
    (remote / "hooks/pre-receive").unlink()
    result = runner.invoke(main, ["deploy", "--project", str(root), "-m", "again"])
    assert result.exit_code == 0, result.output
    assert git(remote, "rev-parse", "gh-pages^") == published  # replaced, not stacked on the unpushed one
    assert git(remote, "log", "-1", "--format=%B", "gh-pages") == "again\n\nDeployed-by: phasedocs"


def test_a_first_deploy_cut_short_starts_afresh(repo, runner):
    root, remote = repo
    _refuse_pushes(remote)
    assert runner.invoke(main, ["deploy", "--project", str(root)]).exit_code == 1
    (remote / "hooks/pre-receive").unlink()
    assert runner.invoke(main, ["deploy", "--project", str(root)]).exit_code == 0
    assert git(remote, "rev-list", "--count", "gh-pages") == "1"


def test_someone_elses_local_commits_are_still_refused(repo, runner):
    root, _ = repo
    assert runner.invoke(main, ["deploy", "--project", str(root)]).exit_code == 0
    git(root, "switch", "-q", "gh-pages")
    (root / "hand.txt").write_text("by hand\n")
    git(root, "add", "hand.txt")
    git(root, "commit", "-qm", "a hand-made commit")
    git(root, "switch", "-q", "main")
    result = runner.invoke(main, ["deploy", "--project", str(root)])
    assert result.exit_code == 1
    assert "local branch 'gh-pages' has commits that 'origin' does not" in result.output


KILLED_DEPLOY = """
import os, sys
import ghp_import
from phasedocs import cli
ROOT = sys.argv[1]
def killed(*args, **kwargs):  # SIGKILL while git writes the site commit: no cleanup runs
    with open(os.path.join(ROOT, ".git/objects/pack/tmp_pack_Killed"), "wb") as f:
        f.write(b"PACK half")  # what git fast-import leaves when it is killed
    os._exit(137)
ghp_import.ghp_import = killed
sys.argv = ["phasedocs", "deploy", "--project", sys.argv[1]]
cli.main()
"""


def test_a_killed_deploy_leaves_nothing_behind_once_the_next_deploy_ran(repo, runner, tmp_path, monkeypatch):
    """A deploy killed while git writes its commit leaves the site it built and git's temp pack;
    the next deploy removes both (not a temp pack older than the killed deploy), and nothing was
    ever written outside the project (no system temp folder)."""
    import os
    import subprocess
    import sys
    import tempfile

    from conftest import REPO

    root, remote = repo
    packs = root / ".git/objects/pack"
    older = packs / "tmp_pack_Older"  # a temp pack of some git run before the deploy: not the deploy's
    older.write_bytes(b"PACK")
    os.utime(older, (1_000_000_000, 1_000_000_000))
    temp = tmp_path / "system-temp"
    temp.mkdir()
    env = {**os.environ, "TMPDIR": str(temp)}
    proc = subprocess.run(
        [sys.executable, "-c", KILLED_DEPLOY, str(root)], cwd=REPO, env=env, capture_output=True, text=True
    )
    assert proc.returncode == 137, proc.stderr
    assert os.listdir(temp) == []  # the killed deploy built inside the project
    left = root / ".cache/phasedocs/deploy"
    assert (left / "site/index.html").exists()
    monkeypatch.setenv("TMPDIR", str(temp))
    monkeypatch.setattr(tempfile, "tempdir", None)
    result = runner.invoke(main, ["deploy", "--project", str(root)])
    assert result.exit_code == 0, result.output
    assert not left.exists() and os.listdir(temp) == []
    assert sorted(p.name for p in packs.glob("tmp_*")) == ["tmp_pack_Older"]
    assert "index.html" in git(remote, "ls-tree", "--name-only", "gh-pages").split()
