"""The security audit's crash and disk figures, re-run: ``python tests/security/audit.py``.

Each scenario runs the real ``phasedocs`` command in a child process on a small project
built here, and checks what a team lead would check after the machine misbehaved:

- **kills**: ``generate``, ``record``, ``build`` and ``deploy`` (to a local bare git
  repository as the remote, never the network) are sent SIGKILL at a random moment,
  ``--kills N`` times each (default 30; a kill that lands after the run ended is not
  counted and the run is tried again). After each kill the next run must succeed, its
  output must equal a fresh run's on the same inputs, no temp file may be left, every
  snapshot must be whole and the project must still validate.
- **concurrent**: ``--concurrent N`` records (default 20) started at once all land, each
  as its own snapshot, and the project validates.
- **full disk** and **read-only folder** under every writing command (generate, record,
  freeze, handoff --output, build, measure, sync, init): exit 1 with an ``Error:`` line
  and no traceback; every file is either as it was or as a successful run leaves it
  (nothing half-written, no temp file); once the disk has room (the folder is writable)
  the same command succeeds and leaves what a run that never failed leaves.

A full disk is a tmpfs of a few MB filled to the last byte, in a private mount namespace
(``unshare -m``, so nothing is mounted for anyone else and every mount goes away with the
audit), where this machine allows it (root with mount rights). Elsewhere it is
``RLIMIT_FSIZE`` of 0 set in the child with SIGXFSZ ignored: every write fails with EFBIG,
the same error path as ENOSPC. A read-only folder is a read-only bind mount (EROFS) in the
namespace, or ``chmod a-w`` (EACCES) for a user that is not root. The table says which.

Every child runs with ``HOME`` set to a decoy folder outside the project (``.ssh/id_rsa``,
``.gitconfig``, a thesis), which the project also links to; the decoy is digested before
and after every scenario and must not change.

Prints a table of scenarios (runs, recovered, failures) and exits 1 on any failure.
``tests/security/test_sec_audit.py`` runs it with small counts, so it cannot rot.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

NS_MARK = "PHASEDOCS_AUDIT_NAMESPACE"

PROJECT_YAML = """\
name: Audit
calendar: calendar
timezone: UTC
metrics:
  warnings: {label: Warnings, unit: count, better: lower}
  failures: {label: Failures, unit: count, better: lower, extract: {junit: "reports/*.xml", value: failures}}
  sources: {label: Source files, unit: count, extract: {count: "src/**/*.py"}}
"""

PHASE_YAML = """\
number: 1
title: First
created: 2025-01-06T09:00:00Z
start: 2025-01-06T09:00:00Z
tasks:
  - id: "1.1"
    slug: alpha
    title: Alpha
    role: dev
    duration_days: 2
    criteria:
      - {text: Few warnings, metric: warnings, target: "< 10"}
  - {id: "1.2", slug: beta, title: Beta, role: dev, duration_days: 1, depends_on: ["1.1"]}
  - {id: "1.3", slug: gamma, title: Gamma, role: dev, duration_days: 1}
"""

JUNIT = '<testsuite name="s" tests="2" failures="1"><testcase name="a"/><testcase name="b"><failure/></testcase></testsuite>\n'

#: The snapshots of the input states a kill scenario cycles through (each run changes the input).
STATES = [
    ['{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 12}}'],
    [
        '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 12}}',
        '{"timestamp": "2025-01-08T09:00:00Z", "metrics": {"warnings": 7}, "tasks": {"1.1": "in_progress"}}',
    ],
    [
        '{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": 12}}',
        '{"timestamp": "2025-01-08T09:00:00Z", "metrics": {"warnings": 7}, "tasks": {"1.1": "in_progress"}}',
        '{"timestamp": "2025-01-09T09:00:00Z", "metrics": {"warnings": 3}, "tasks": {"1.1": "complete"}}',
    ],
]

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Audit",
    "GIT_AUTHOR_EMAIL": "audit@example.com",
    "GIT_COMMITTER_NAME": "Audit",
    "GIT_COMMITTER_EMAIL": "audit@example.com",
    "GIT_CONFIG_NOSYSTEM": "1",
    # fixed dates: the same history has the same commit ids in every project (sync records them)
    "GIT_AUTHOR_DATE": "2025-01-08T12:00:00Z",
    "GIT_COMMITTER_DATE": "2025-01-08T12:00:00Z",
}


# ----------------------------------------------------------------------------- results
@dataclass
class Scenario:
    """One row of the table: how many runs were disturbed, how many recovered, what failed."""

    name: str
    method: str = ""
    runs: int = 0
    recovered: int = 0
    failures: list[str] = field(default_factory=list)

    def fail(self, message: str) -> None:
        """Record a failure of the current run."""
        self.failures.append(message)


def table(rows: list[Scenario]) -> str:
    """The printed table: one line per scenario, then every failure in full."""
    head = f"{'scenario':<34} {'runs':>5} {'recovered':>9} {'failures':>8}  how"
    lines = [head, "-" * len(head)]
    for r in rows:
        lines.append(f"{r.name:<34} {r.runs:>5} {r.recovered:>9} {len(r.failures):>8}  {r.method}")
    for r in rows:
        for f in r.failures:
            lines.append(f"FAIL {r.name}: {f}")
    return "\n".join(lines)


# ----------------------------------------------------------------------------- files
def write_files(root: Path, files: dict[str, str]) -> None:
    """Write ``files`` ({relative path: text}) under ``root``."""
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")


#: Not compared: git's own files, validate's stamp (a cache the audit's own validate runs write)
#: and the site's kept conversions: both caches name the folder they were written in (its
#: device and inode), which differs from the fresh run's; what html.json holds is checked
#: through the site built with it, which is compared.
SKIP = (".git", ".cache/phasedocs/validated.json", ".cache/phasedocs/html.json")


def tree(root: Path, skip: tuple[str, ...] = SKIP) -> dict[str, bytes]:
    """Every file and symlink under ``root`` (not followed) as relative path -> bytes (a symlink: its target)."""
    found: dict[str, bytes] = {}
    if not root.is_dir():
        return found
    for dirpath, dirnames, filenames in os.walk(root):
        rel_dir = Path(dirpath).relative_to(root)
        dirnames[:] = sorted(d for d in dirnames if (rel_dir / d).as_posix() not in skip)
        for name in sorted(filenames) + [d for d in dirnames if os.path.islink(os.path.join(dirpath, d))]:
            path = Path(dirpath) / name
            rel = (rel_dir / name).as_posix()
            if rel in skip:
                continue
            found[rel] = b"-> " + os.fsencode(os.readlink(path)) if path.is_symlink() else path.read_bytes()
    return found


def digest(root: Path) -> str:
    """A digest of every name, mode, link target and byte under ``root``."""
    h = hashlib.sha256()
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames.sort()
        for name in sorted(dirnames + filenames):
            path = Path(dirpath) / name
            info = path.lstat()
            h.update(f"{path.relative_to(root)}\0{info.st_mode:o}\0".encode())
            if path.is_symlink():
                h.update(os.fsencode(os.readlink(path)))
            elif path.is_file():
                h.update(path.read_bytes())
    return h.hexdigest()


def make_decoy(home: Path) -> None:
    """A fake home folder whose files phasedocs must never read into output nor change."""
    write_files(
        home,
        {
            ".ssh/id_rsa": "-----BEGIN OPENSSH PRIVATE KEY-----\ndecoy\n-----END OPENSSH PRIVATE KEY-----\n",
            ".ssh/known_hosts": "example.com ssh-ed25519 AAAA\n",
            ".gitconfig": "[user]\n\tname = Decoy\n\temail = decoy@example.com\n",
            "thesis/chapter-1.md": "# Chapter 1\n\nYears of work.\n",
            "site/index.html": "<p>the decoy's own site</p>\n",
        },
    )
    (home / ".ssh/id_rsa").chmod(0o600)


def temp_leftovers(root: Path) -> list[str]:
    """Names under ``root`` (``.git`` included) that look like a temp or lock file a run left."""
    found = []
    for dirpath, _dirnames, filenames in os.walk(root):
        for name in filenames:
            if name.endswith((".tmp", ".lock")) or name.startswith(("tmp_", ".tmp")) or ".tmp." in name:
                found.append(str((Path(dirpath) / name).relative_to(root)))
    return sorted(found)


def whole_snapshots(root: Path) -> list[str]:
    """The snapshot files under ``root`` that are not whole JSON objects."""
    broken = []
    for path in sorted(root.glob("phases/phase-*/metrics/*.json")):
        try:
            data = json.loads(path.read_bytes())
            if not isinstance(data, dict) or "timestamp" not in data:
                broken.append(path.name)
        except ValueError:
            broken.append(path.name)
    return broken


# ----------------------------------------------------------------------------- processes
@dataclass
class Done:
    """The end of one child run."""

    code: int
    out: str
    killed: bool = False


class Audit:
    """The work folder, the decoy, the way a disk is made full or a folder read-only, and the
    children that run phasedocs."""

    def __init__(self, work: Path, seed: int) -> None:
        self.work = work
        self.rng = random.Random(seed)
        self.home = work / "home"
        make_decoy(self.home)
        self.tmpdir = work / "tmp"  # the children's TMPDIR: what a killed run leaves there is seen
        self.tmpdir.mkdir()
        self.counter = 0
        self.fresh_runs: dict[tuple[str, int], tuple[Path, dict[str, bytes], float]] = {}
        self.fresh_writes: dict[str, tuple[Path, dict[str, bytes]]] = {}
        self.mounts = self._can_mount()

    def warm_up(self) -> None:
        """matplotlib keeps a cache of the installed fonts in $HOME (``.cache/matplotlib``),
        written on its first use: made once, before the first digest, so that any change
        after it, that cache's included, is a failure."""
        self.run(["generate", "--project", str(self.project("warm-up")), "-q"], self.work)

    # -- children
    def env(self) -> dict[str, str]:
        """The children's environment: the decoy as home, our TMPDIR, no bytecode written."""
        keep = {k: v for k, v in os.environ.items() if k in ("PATH", "LANG", "LC_ALL", "VIRTUAL_ENV", "PYTHONPATH")}
        return {
            **keep,
            **GIT_ENV,
            "HOME": str(self.home),
            "TMPDIR": str(self.tmpdir),
            "PYTHONDONTWRITEBYTECODE": "1",
            "NO_COLOR": "1",
        }

    def start(self, args: list[str], cwd: Path, preexec: Callable[[], None] | None = None) -> subprocess.Popen[str]:
        """Start ``phasedocs ARGS`` in its own process group."""
        return subprocess.Popen(
            [sys.executable, "-m", "phasedocs", *args],
            cwd=cwd,
            env=self.env(),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
            preexec_fn=preexec,
        )

    def run(self, args: list[str], cwd: Path, preexec: Callable[[], None] | None = None) -> Done:
        """Run ``phasedocs ARGS`` to its end."""
        began = time.monotonic()
        proc = self.start(args, cwd, preexec)
        out, _ = proc.communicate(timeout=300)
        if os.environ.get("AUDIT_DEBUG"):
            print(f"    {time.monotonic() - began:5.1f} s  exit {proc.returncode}  {' '.join(args)}", flush=True)
        return Done(proc.returncode, out)

    def run_killed(self, args: list[str], cwd: Path, after: float) -> Done:
        """Run ``phasedocs ARGS`` and send SIGKILL to its process group ``after`` seconds in."""
        proc = self.start(args, cwd)
        try:
            proc.wait(timeout=after)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)  # the group this audit started: the run and its git children
        out, _ = proc.communicate(timeout=300)
        # the run's children (git) die with the group; wait until none is left writing
        for _ in range(100):
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                break
            time.sleep(0.01)
        return Done(proc.returncode, out, killed=proc.returncode == -signal.SIGKILL)

    def git(self, cwd: Path, *args: str) -> str:
        """Run git in ``cwd`` with the audit's identity; its output."""
        env = {**self.env(), **GIT_ENV}
        return subprocess.run(["git", *args], cwd=cwd, env=env, capture_output=True, text=True, check=True).stdout

    def fresh(self, name: str) -> Path:
        """A new empty folder in the work folder."""
        self.counter += 1
        path = self.work / f"{name}-{self.counter}"
        path.mkdir()
        return path

    # -- projects
    def project(self, name: str, state: int = 0, *, git: bool = False, extras: bool = False) -> Path:
        """A small project in input state ``state``; with ``git``, committed, with a bare remote."""
        root = self.fresh(name)
        files = {"phases/project.yaml": PROJECT_YAML, "phases/phase-01/phase.yaml": PHASE_YAML}
        if extras:  # what measure reads
            files.update({"reports/junit.xml": JUNIT, "src/app.py": "print('hi')\n", "src/lib/util.py": "x = 1\n"})
        write_files(root, files)
        os.symlink(self.home, root / "home-link")  # a link out of the project that nothing may follow
        self.set_state(root, state)
        if git:
            remote = root.parent / f"{root.name}.git"
            subprocess.run(["git", "init", "-q", "--bare", str(remote)], check=True, env=self.env())
            self.git(root, "init", "-q", "-b", "main")
            self.git(root, "remote", "add", "origin", str(remote))
            self.commit(root, "plan")
        return root

    def set_state(self, root: Path, state: int) -> None:
        """Make the snapshots of ``root`` those of input state ``state``."""
        metrics = root / "phases/phase-01/metrics"
        if metrics.exists():
            for old in metrics.iterdir():
                old.unlink()
        else:
            metrics.mkdir()
        for i, text in enumerate(STATES[state]):
            (metrics / f"s{i}.json").write_text(text + "\n")

    def commit(self, root: Path, message: str) -> None:
        """Commit everything in ``root``'s inputs."""
        self.git(root, "add", "-A", "phases")
        self.git(root, "commit", "-q", "--allow-empty", "-m", message)

    # -- disks
    def _can_mount(self) -> bool:
        """True when this process may mount (root inside a private mount namespace)."""
        if os.environ.get(NS_MARK) != "1" or os.geteuid() != 0:
            return False
        probe = self.work / "probe"
        probe.mkdir()
        ok = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(probe)], capture_output=True)
        if ok.returncode != 0:
            return False
        subprocess.run(["umount", str(probe)], check=True)
        return True

    def disk_method(self) -> str:
        """How a full disk is made here."""
        return "tmpfs of 64 MB, filled (ENOSPC)" if self.mounts else "RLIMIT_FSIZE 0, SIGXFSZ ignored (EFBIG)"

    def readonly_method(self) -> str:
        """How a read-only folder is made here (empty when it cannot be: root without mount rights)."""
        if self.mounts:
            return "read-only bind mount (EROFS)"
        return "chmod a-w (EACCES)" if os.geteuid() != 0 else ""

    @contextlib.contextmanager
    def full_disk(self) -> Iterator[tuple[Path, Callable[[], None] | None]]:
        """A folder on a full disk, and the preexec function that makes the disk full for a child."""
        if not self.mounts:
            yield self.fresh("fulldisk"), _no_file_writes
            return
        mount = self.fresh("fulldisk")
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64m", "tmpfs", str(mount)], check=True)
        try:
            yield mount, None
        finally:
            subprocess.run(["umount", "-l", str(mount)], check=True)

    @staticmethod
    def fill(mount: Path) -> Path:
        """Fill the disk under ``mount`` to its last byte; the filler file (remove it to make room)."""
        filler = mount / ".filler"
        fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o600)
        try:
            for size in (1 << 20, 1 << 12, 1):
                block = b"\0" * size
                with contextlib.suppress(OSError):
                    while True:
                        os.write(fd, block)
        finally:
            os.close(fd)
        return filler

    @contextlib.contextmanager
    def read_only(self, folder: Path) -> Iterator[None]:
        """``folder`` read-only while the block runs."""
        if self.mounts:
            subprocess.run(["mount", "--bind", str(folder), str(folder)], check=True)
            try:
                subprocess.run(["mount", "-o", "remount,bind,ro", str(folder)], check=True)
                yield
            finally:
                subprocess.run(["umount", str(folder)], check=True)
        else:
            mode = folder.stat().st_mode
            folder.chmod(0o555)
            try:
                yield
            finally:
                folder.chmod(mode)


def _no_file_writes() -> None:
    """In a child: every write to a file fails with EFBIG, as on a disk with no room left."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, resource.RLIM_INFINITY))


# ----------------------------------------------------------------------------- kills
def recovered_output(audit: Audit, sc: Scenario, root: Path, want: dict[str, bytes], label: str) -> bool:
    """Whether ``root`` holds exactly what a fresh run left (``want``), nothing more, nothing half-written."""
    ok = True
    got = tree(root)
    if got != want:
        extra = sorted(set(got) - set(want))
        missing = sorted(set(want) - set(got))
        differ = sorted(k for k in set(got) & set(want) if got[k] != want[k])
        sc.fail(
            f"{label}: output differs from a fresh run's (extra {extra[:5]}, missing {missing[:5]}, differ {differ[:5]})"
        )
        ok = False
    left = temp_leftovers(root) + [f"TMPDIR/{p.name}" for p in audit.tmpdir.iterdir()]
    if left:
        sc.fail(f"{label}: temp files left after the next run: {left[:5]}")
        ok = False
    broken = whole_snapshots(root)
    if broken:
        sc.fail(f"{label}: snapshots not whole: {broken}")
        ok = False
    done = audit.run(["validate", "--project", str(root)], root)
    if done.code != 0:
        sc.fail(f"{label}: the project no longer validates: {done.out.strip()[-300:]}")
        ok = False
    return ok


def timed(audit: Audit, args: list[str], cwd: Path) -> tuple[Done, float]:
    """Run to the end; the run and its duration (the window the kills are drawn from)."""
    began = time.monotonic()
    done = audit.run(args, cwd)
    return done, time.monotonic() - began


def fresh_run(audit: Audit, command: str, state: int) -> tuple[Path, dict[str, bytes], float]:
    """A run of ``command`` on a fresh project in input state ``state`` (made once, then reused):
    its project folder, the tree it leaves, and how long it took (the window kills are drawn from)."""
    key = (command, state)
    if key not in audit.fresh_runs:
        ref = audit.project(f"fresh-{command}", state)
        args = [command, "--project", "."] + (["-q"] if command == "generate" else [])
        done, took = timed(audit, args, ref)
        if done.code != 0:
            raise AssertionError(f"a fresh {command} failed: {done.out.strip()[-300:]}")
        audit.fresh_runs[key] = (ref, tree(ref), took)
    return audit.fresh_runs[key]


def kill_generate_or_build(audit: Audit, command: str, kills: int) -> Scenario:
    """SIGKILL ``generate`` or ``build`` at random moments; the next run must finish the job."""
    sc = Scenario(f"kill {command}", "SIGKILL to the process group")
    args = [command, "--project", "."] + (["-q"] if command == "generate" else [])
    root = audit.project(f"kill-{command}", 0)
    _done, window = timed(audit, args, root)
    state, attempts = 0, 0
    while sc.runs < kills and attempts < kills * 4:
        attempts += 1
        state = (state + 1) % len(STATES)
        ref, want, _took = fresh_run(audit, command, state)  # what a recovered run must leave
        audit.set_state(root, state)  # new input: the run must write
        killed = audit.run_killed(args, root, audit.rng.uniform(0.0, window))
        if not killed.killed:
            continue  # it finished first: not a kill
        sc.runs += 1
        label = f"kill {sc.runs}"
        done = audit.run(args, root)
        if done.code != 0:
            sc.fail(f"{label}: the next {command} failed: {done.out.strip()[-300:]}")
            continue
        if recovered_output(audit, sc, root, _moved(want, ref, root), label):
            sc.recovered += 1
    return _enough(sc, kills)


def _enough(sc: Scenario, kills: int) -> Scenario:
    """``sc``, failed when fewer kills landed than asked for (each run finished before its kill)."""
    if sc.runs < kills:
        sc.fail(f"only {sc.runs} of {kills} kills landed before the run ended")
    return sc


def kill_record(audit: Audit, kills: int) -> Scenario:
    """SIGKILL ``record`` at random moments; the next record must land whole and sweep the leftovers."""
    sc = Scenario("kill record", "SIGKILL to the process group")
    root = audit.project("kill-record", 0)

    def args(n: int) -> list[str]:
        minute = f"2025-01-10T{9 + n // 60:02d}:{n % 60:02d}:00Z"
        return ["record", "1", "--project", ".", "--metric", f"warnings={n % 9}", "--at", minute, "--label", f"r{n}"]

    _done, window = timed(audit, args(0), root)
    attempts, n = 0, 1
    while sc.runs < kills and attempts < kills * 4:
        attempts += 1
        before = tree(root)
        first, second = n, n + 1
        n += 2
        killed = audit.run_killed(args(first), root, audit.rng.uniform(0.0, window))
        if not killed.killed:
            continue  # it landed before the kill: not a kill
        sc.runs += 1
        label = f"kill {sc.runs}"
        landed = any(k not in before and k.endswith(".json") for k in tree(root))
        done = audit.run(args(second), root)
        if done.code != 0:
            sc.fail(f"{label}: the next record failed: {done.out.strip()[-300:]}")
            continue
        # what a fresh copy of the project before the kill gets from the records that landed
        ref = audit.fresh("fresh-record") / "p"
        shutil.copytree(root, ref, symlinks=True)
        for rel in set(tree(root)) - set(before):
            (ref / rel).unlink()
        for which in ([first] if landed else []) + [second]:
            if audit.run(args(which), ref).code != 0:
                sc.fail(f"{label}: a fresh record failed")
        if recovered_output(audit, sc, root, tree(ref), label):
            sc.recovered += 1
    return _enough(sc, kills)


def blob_ids(files: dict[str, bytes]) -> dict[str, str]:
    """The git blob id of each file's bytes, as ``git ls-tree`` names them."""
    return {k: hashlib.sha1(b"blob %d\0" % len(v) + v).hexdigest() for k, v in files.items()}


def kill_deploy(audit: Audit, kills: int) -> Scenario:
    """SIGKILL ``deploy`` at random moments; the next deploy must publish what a fresh build
    makes (plus ``.nojekyll``) and leave the project as that build leaves it, less the site."""
    sc = Scenario("kill deploy", "SIGKILL to the process group; remote: a local bare repository")
    args = ["deploy", "--project", "."]
    root = audit.project("kill-deploy", 0, git=True)
    remote = root.parent / f"{root.name}.git"
    _done, window = timed(audit, args, root)
    state, attempts = 0, 0
    while sc.runs < kills and attempts < kills * 4:
        attempts += 1
        state = (state + 1) % len(STATES)
        ref, built, _took = fresh_run(audit, "build", state)
        site = {k.removeprefix("site/"): v for k, v in built.items() if k.startswith("site/")}
        want_published = blob_ids({**site, ".nojekyll": b""})
        want = _moved({k: v for k, v in built.items() if not k.startswith("site/")}, ref, root)
        audit.set_state(root, state)
        audit.commit(root, f"state {state}")
        killed = audit.run_killed(args, root, audit.rng.uniform(0.0, window))
        if not killed.killed:
            continue
        sc.runs += 1
        label = f"kill {sc.runs}"
        done = audit.run(args, root)
        if done.code != 0:
            sc.fail(f"{label}: the next deploy failed: {done.out.strip()[-300:]}")
            continue
        ok = recovered_output(audit, sc, root, want, label)
        listing = audit.git(remote, "ls-tree", "-r", "gh-pages").splitlines()
        published = {line.split("\t", 1)[1]: line.split()[2] for line in listing}
        if published != want_published:
            differ = sorted(
                k for k in set(published) | set(want_published) if published.get(k) != want_published.get(k)
            )
            sc.fail(f"{label}: the published gh-pages tree differs from a fresh build's site: {differ[:5]}")
            ok = False
        if ok:
            sc.recovered += 1
    return _enough(sc, kills)


def concurrent_records(audit: Audit, count: int) -> Scenario:
    """``count`` records started at once, in the same second: all land, and the project validates."""
    sc = Scenario("concurrent record", f"{count} at once, one --at")
    root = audit.project("concurrent", 0)
    before = set(tree(root))
    procs = [
        audit.start(
            ["record", "1", "--project", ".", "--metric", f"warnings={i}", "--at", "2025-01-10T09:00:00Z"], root
        )
        for i in range(count)
    ]
    outs = [(p, p.communicate(timeout=300)[0]) for p in procs]
    sc.runs = count
    landed = sorted(set(tree(root)) - before)
    values = sorted(json.loads((root / p).read_text())["metrics"]["warnings"] for p in landed)
    for p, out in outs:
        if p.returncode != 0:
            sc.fail(f"a record failed: {out.strip()[-300:]}")
    if values != list(range(count)):
        sc.fail(f"{len(landed)} of {count} snapshots landed (values {values})")
    if temp_leftovers(root):
        sc.fail(f"temp files left: {temp_leftovers(root)}")
    done = audit.run(["validate", "--project", "."], root)
    if done.code != 0:
        sc.fail(f"the project no longer validates: {done.out.strip()[-300:]}")
    if not sc.failures:
        sc.recovered = count
    return sc


# ----------------------------------------------------------------------------- disks
@dataclass
class Writer:
    """A writing command: how to set up its project, its arguments, and the folder it writes into."""

    name: str
    setup: Callable[[Audit, Path], None]
    args: Callable[[Path], list[str]]
    target: Callable[[Path], Path]  # the folder made read-only


def _generated(audit: Audit, root: Path, command: str) -> None:
    """Output of an older input state, so that the command has to write."""
    audit.set_state(root, 0)
    audit.run([command, "--project", "."] + (["-q"] if command == "generate" else []), root)
    audit.set_state(root, 2)


def _synced(audit: Audit, root: Path) -> None:
    """A repository whose history shows a task done."""
    audit.set_state(root, 0)
    audit.git(root, "init", "-q", "-b", "main")
    audit.commit(root, "plan")
    (root / "src").mkdir(exist_ok=True)
    (root / "src/a.py").write_text("a = 1\n")
    audit.git(root, "add", "src")
    audit.git(root, "commit", "-q", "-m", "Task 1.1: alpha\n\nTask-Done: 1.1")


WRITERS = [
    Writer(
        "generate",
        lambda a, r: _generated(a, r, "generate"),
        lambda r: ["generate", "--project", str(r), "-q"],
        lambda r: r / "docs",
    ),
    Writer(
        "record",
        lambda a, r: None,
        lambda r: ["record", "1", "--project", str(r), "--metric", "warnings=4", "--at", "2025-01-10T09:00:00Z"],
        lambda r: r / "phases/phase-01/metrics",
    ),
    Writer(
        "freeze",
        lambda a, r: None,
        lambda r: ["freeze", "1", "--project", str(r), "--at", "2025-01-06T09:00:00Z"],
        lambda r: r / "phases/phase-01",
    ),
    Writer(
        "handoff --output",
        lambda a, r: (r / "out").mkdir(),
        lambda r: ["handoff", "1", "--project", str(r), "--output", str(r / "out/HANDOFF.md")],
        lambda r: r / "out",
    ),
    Writer(
        "build",
        # no site yet: a build first empties the site folder, which would make room on the disk
        lambda a, r: a.set_state(r, 2),
        lambda r: ["build", "--project", str(r)],
        lambda r: r / "site",
    ),
    Writer(
        "measure",
        lambda a, r: None,
        lambda r: ["measure", "1", "--project", str(r), "--at", "2025-01-10T09:00:00Z"],
        lambda r: r / "phases/phase-01/metrics",
    ),
    Writer("sync", _synced, lambda r: ["sync", "1", "--project", str(r)], lambda r: r / "phases/phase-01/metrics"),
    Writer(
        "init",
        lambda a, r: (r / "phases").rename(r / "old-phases"),
        lambda r: ["init", str(r / "new"), "--start", "2025-01-06"],
        lambda r: r,
    ),
]


def obstructed(
    audit: Audit, sc: Scenario, w: Writer, root: Path, want: dict[str, bytes], preexec: Callable[[], None] | None
) -> bool:
    """Run ``w`` in ``root`` while it cannot write: a clean refusal, nothing half-written."""
    before = tree(root)
    done = audit.run(w.args(root), root, preexec)
    ok = True
    if (
        done.code != 1
        or "Traceback" in done.out
        or not any(line.startswith("Error: ") for line in done.out.splitlines())
    ):
        sc.fail(
            f"{w.name}: expected exit 1 with an Error: line and no traceback, got {done.code}: {done.out.strip()[-400:]}"
        )
        ok = False
    after = tree(root)
    half = sorted(k for k, v in after.items() if v != before.get(k) and v != want.get(k))
    lost = sorted(k for k in before if k not in after and k in want)
    if half or lost:
        sc.fail(f"{w.name}: half-written {half[:5]}, lost {lost[:5]}")
        ok = False
    return ok


def disk_scenario(audit: Audit, w: Writer, kind: str) -> Scenario:
    """One writing command on a full disk (``kind`` 'full') or into a read-only folder ('ro')."""
    method = audit.disk_method() if kind == "full" else audit.readonly_method()
    sc = Scenario(
        f"{'full disk' if kind == 'full' else 'read-only'}: {w.name}", method or "skipped: root without mount rights"
    )
    if not method:
        return sc
    extras = w.name in ("measure",)
    if w.name not in audit.fresh_writes:  # what a run that never failed leaves (made once)
        ref = audit.project(f"ref-{w.name.split()[0]}", 0, extras=extras)
        w.setup(audit, ref)
        done = audit.run(w.args(ref), ref)
        if done.code != 0:
            sc.fail(f"{w.name}: the unobstructed run failed: {done.out.strip()[-300:]}")
            return sc
        audit.fresh_writes[w.name] = (ref, tree(ref))
    ref, want = audit.fresh_writes[w.name]
    sc.runs = 1
    if kind == "full":
        with audit.full_disk() as (disk, preexec):
            root = disk / "proj"
            shutil.copytree(audit.project(f"src-{w.name.split()[0]}", 0, extras=extras), root, symlinks=True)
            w.setup(audit, root)
            filler = audit.fill(disk) if preexec is None else None
            clean = obstructed(audit, sc, w, root, _moved(want, ref, root), preexec)
            if filler is not None:
                filler.unlink()
            again = audit.run(w.args(root), root)
            if again.code == 0 and tree(root) == _moved(want, ref, root) and not temp_leftovers(root):
                sc.recovered += clean
            elif again.code != 0:
                sc.fail(f"{w.name}: with room again, the run failed: {again.out.strip()[-300:]}")
            else:
                sc.fail(
                    f"{w.name}: with room again, the output differs from a run that never failed: {_diff(tree(root), _moved(want, ref, root))}"
                )
    else:
        root = audit.project(f"ro-{w.name.split()[0]}", 0, extras=extras)
        w.setup(audit, root)
        target = w.target(root)
        target.mkdir(parents=True, exist_ok=True)
        wanted = _moved(want, ref, root)
        with audit.read_only(target):
            clean = obstructed(audit, sc, w, root, wanted, None)
        again = audit.run(w.args(root), root)
        if again.code == 0 and tree(root) == wanted and not temp_leftovers(root):
            sc.recovered += clean
        elif again.code != 0:
            sc.fail(f"{w.name}: writable again, the run failed: {again.out.strip()[-300:]}")
        else:
            sc.fail(
                f"{w.name}: writable again, the output differs from a run that never failed: {_diff(tree(root), wanted)}"
            )
    return sc


def _diff(got: dict[str, bytes], want: dict[str, bytes]) -> str:
    """What differs between two trees, in a few names."""
    extra = sorted(set(got) - set(want))
    missing = sorted(set(want) - set(got))
    differ = sorted(k for k in set(got) & set(want) if got[k] != want[k])
    return f"extra {extra[:5]}, missing {missing[:5]}, differ {differ[:5]}"


def _moved(want: dict[str, bytes], ref: Path, root: Path) -> dict[str, bytes]:
    """``want`` (a tree of ``ref``) with the project's own path written as ``root``'s (init, sync name it)."""
    a, b = os.fsencode(ref), os.fsencode(root)
    return {k: v.replace(a, b) for k, v in want.items()}


# ----------------------------------------------------------------------------- main
KILLED = ("generate", "record", "build", "deploy")


def scenarios(
    audit: Audit, kills: int, concurrent: int, only: set[str] | None
) -> Iterator[tuple[str, Callable[[], Scenario]]]:
    """Every scenario, as its name and a call that runs it (those named in ``only``, when given)."""

    def wanted(*groups: str) -> bool:
        return only is None or any(g in only for g in groups)

    for command in KILLED:
        if wanted(f"kill-{command}", "kill"):
            if command == "record":
                yield f"kill {command}", lambda: kill_record(audit, kills)
            elif command == "deploy":
                yield f"kill {command}", lambda: kill_deploy(audit, kills)
            else:
                yield f"kill {command}", lambda c=command: kill_generate_or_build(audit, c, kills)  # type: ignore[misc]
    if wanted("concurrent"):
        yield "concurrent record", lambda: concurrent_records(audit, concurrent)
    for kind in ("full", "ro"):
        for w in WRITERS:
            if wanted(f"{kind}-{w.name.split()[0]}", kind):
                yield f"{kind} {w.name}", lambda w=w, k=kind: disk_scenario(audit, w, k)  # type: ignore[misc]


def in_namespace(argv: list[str]) -> None:
    """As root, run again in a private mount namespace (mounts there are seen by no one else and
    vanish with the audit); elsewhere, or when that is refused, go on here."""
    if os.environ.get(NS_MARK) or os.geteuid() != 0 or shutil.which("unshare") is None:
        return
    probe = subprocess.run(["unshare", "-m", "--propagation", "private", "true"], capture_output=True)
    if probe.returncode != 0:
        return
    os.environ[NS_MARK] = "1"
    sys.stdout.flush()
    os.execvp(
        "unshare", ["unshare", "-m", "--propagation", "private", sys.executable, os.path.abspath(__file__), *argv]
    )


def main(argv: list[str] | None = None) -> int:
    """Run the audit; print the table; 0 when every scenario recovered, 1 otherwise."""
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0], formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--kills", type=int, default=30, help="SIGKILLs of each of generate, record, build, deploy (default 30)"
    )
    parser.add_argument("--concurrent", type=int, default=20, help="records started at once (default 20)")
    parser.add_argument(
        "--seed", type=int, default=None, help="the seed of the kill moments (default: random, printed)"
    )
    parser.add_argument(
        "--only",
        action="append",
        help="run only these scenarios: kill-generate, kill-record, kill-build, kill-deploy, concurrent, "
        "full, ro, or full-COMMAND / ro-COMMAND (repeatable)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder (its path is printed)")
    opts = parser.parse_args(argv)
    seed = opts.seed if opts.seed is not None else random.randrange(1 << 30)
    work = Path(tempfile.mkdtemp(prefix="phasedocs-audit-"))
    rows: list[Scenario] = []
    try:
        audit = Audit(work, seed)
        audit.warm_up()
        print(f"phasedocs audit: seed {seed}, work folder {work}", flush=True)
        for name, run in scenarios(audit, opts.kills, opts.concurrent, set(opts.only) if opts.only else None):
            before = digest(audit.home)
            began = time.monotonic()
            try:
                row = run()
            except Exception as exc:  # the audit's own setup failed: a failure of the scenario, not a crash
                row = Scenario(name)
                row.fail(f"the scenario could not run: {type(exc).__name__}: {exc}")
            if digest(audit.home) != before:
                row.fail("the decoy folder outside the project changed")
                make_decoy(audit.home)
            seconds = time.monotonic() - began
            print(
                f"  {row.name}: {row.runs} runs, {row.recovered} recovered, {len(row.failures)} failures ({seconds:.0f} s)"
            )
            sys.stdout.flush()
            rows.append(row)
    finally:
        if not opts.keep:
            shutil.rmtree(work, ignore_errors=True)
    print()
    print(table(rows))
    runs, recovered, failures = (
        sum(r.runs for r in rows),
        sum(r.recovered for r in rows),
        sum(len(r.failures) for r in rows),
    )
    failed = failures > 0 or recovered != runs
    print(f"\n{'FAILED' if failed else 'ok'}: {runs} runs, {recovered} recovered, {failures} failures")
    return 1 if failed else 0


if __name__ == "__main__":
    in_namespace(sys.argv[1:])
    sys.exit(main())
