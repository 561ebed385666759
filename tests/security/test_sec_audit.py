"""The audit script (``tests/security/audit.py``) with small counts, so that it cannot rot, and
its checks on made-up failures, so that a failure cannot pass it unseen."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import audit
import pytest

from conftest import REPO

pytestmark = pytest.mark.scale  # left out of `make test-fast`; `make test` runs it

SCRIPT = REPO / "tests/security/audit.py"


def test_the_audit_recovers_from_every_kill_full_disk_and_read_only_folder():
    """Every scenario, with 1 kill each (every path of the script, in about a minute of CPU on
    two cores) and 20 concurrent records: every row recovered."""
    done = subprocess.run(
        [sys.executable, str(SCRIPT), "--kills", "1", "--concurrent", "20", "--seed", "7"],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    rows = {
        m.group(1).strip(): m.groups()[1:] for m in re.finditer(r"^(\S.{33}) +(\d+) +(\d+) +(\d+)  ", done.stdout, re.M)
    }
    names = ["kill generate", "kill record", "kill build", "kill deploy", "concurrent record"]
    names += [f"{kind}: {w.name}" for kind in ("full disk", "read-only") for w in audit.WRITERS]
    assert sorted(rows) == sorted(names)
    for name in names:  # a disk row has no runs only where it cannot be made (root without mount rights)
        runs, recovered, failures = rows[name]
        assert (recovered, failures) == (runs, "0"), name
    assert [rows[n][0] for n in names[:5]] == ["1", "1", "1", "1", "20"]
    assert done.stdout.splitlines()[-1].startswith("ok: ")


@pytest.fixture
def auditor(tmp_path):
    """An audit in a work folder of its own (no warm-up: these tests run nothing that draws)."""
    return audit.Audit(tmp_path, seed=1)


def test_a_leftover_temp_file_a_changed_output_and_a_broken_snapshot_are_failures(auditor):
    root = auditor.project("p", 0)
    want = audit.tree(root)
    sc = audit.Scenario("s")
    assert audit.recovered_output(auditor, sc, root, want, "k") and sc.failures == []
    (root / "phases/phase-01/metrics/.x.json.123.abcdefgh.tmp").write_text("{")
    (root / "phases/phase-01/metrics/s0.json").write_text('{"timestamp": "2025-01-07T09:00:00Z", "metr')
    assert not audit.recovered_output(auditor, sc, root, want, "k")
    assert [f.split(":")[1].strip() for f in sc.failures] == [
        "output differs from a fresh run's (extra ['phases/phase-01/metrics/.x.json.123.abcdefgh.tmp'], "
        "missing [], differ ['phases/phase-01/metrics/s0.json'])",
        "temp files left after the next run",
        "snapshots not whole",
        "the project no longer validates",
    ]


def test_a_command_that_succeeds_or_writes_what_no_run_would_under_a_full_disk_is_a_failure(auditor):
    root = auditor.project("p", 0)
    want = audit.tree(root)
    sc = audit.Scenario("s")
    refused = audit.Writer("refused", lambda a, r: None, lambda r: ["record", "1", "--metric", "nope=1"], lambda r: r)
    assert audit.obstructed(auditor, sc, refused, root, want, None)  # a clean refusal that wrote nothing
    assert sc.failures == []
    args = ["record", "1", "--metric", "warnings=1", "--at", "2025-01-10T09:00:00Z"]
    wrote = audit.Writer("wrote", lambda a, r: None, lambda r: args, lambda r: r)
    assert not audit.obstructed(auditor, sc, wrote, root, want, None)
    assert sc.failures[0].startswith("wrote: expected exit 1 with an Error: line and no traceback, got 0")
    assert (
        sc.failures[1] == "wrote: half-written ['phases/phase-01/metrics/2025-01-10T09-00-00Z-progress.json'], lost []"
    )


def test_the_decoy_digest_sees_any_change(auditor):
    home = auditor.home
    first = audit.digest(home)
    (home / ".ssh/id_rsa").chmod(0o644)
    second = audit.digest(home)
    (home / ".cache/matplotlib").mkdir(parents=True)
    third = audit.digest(home)
    assert len({first, second, third}) == 3


def test_a_failed_scenario_fails_the_audit(monkeypatch, capsys):
    def failing(*args, **kwargs):
        sc = audit.Scenario("kill nothing", "made up", runs=1)
        sc.fail("kill 1: the next run failed")
        yield "kill nothing", lambda: sc

    monkeypatch.setattr(audit.Audit, "warm_up", lambda self: None)
    monkeypatch.setattr(audit, "scenarios", failing)
    assert audit.main(["--seed", "1"]) == 1
    out = capsys.readouterr().out
    assert "FAIL kill nothing: kill 1: the next run failed" in out
    assert out.rstrip().endswith("FAILED: 1 runs, 0 recovered, 1 failures")


def test_the_readme_names_the_audit():
    assert "tests/security/audit.py" in (REPO / "README.md").read_text()
    assert Path(audit.__file__).resolve() == SCRIPT
