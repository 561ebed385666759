"""phasedocs measure: metrics read from real tool reports, recorded like `record` does."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from conftest import REPO, tree
from phasedocs.cli import main
from phasedocs.input.reports import junit_counts, pointer_get
from support import alpha, beta, criterion, edit, phase_yaml

REPORTS = REPO / "tests" / "data" / "reports"

CATALOGUE = """\
name: Demo
calendar: calendar
timezone: UTC
metrics:
  pass_rate: {label: Pass Rate, unit: ratio, better: higher, extract: {junit: "reports/*.xml", value: pass_rate}}
  failures: {label: Failures, unit: count, better: lower, extract: {junit: "reports/*.xml", value: failures}}
  skipped: {label: Skipped, unit: count, extract: {junit: "reports/*.xml", value: skipped}}
  lines: {label: Line coverage, unit: percent, better: higher, extract: {cobertura: cov/coverage.xml, value: line_rate}}
  branches: {label: Branch coverage, unit: percent, better: higher, extract: {cobertura: cov/coverage.xml, value: branch_rate}}
  line_share: {label: Line share, unit: ratio, extract: {cobertura: cov/coverage.xml, value: line_rate}}
  mean: {label: Mean time, unit: seconds, better: lower, extract: {json: bench/hyperfine.json, pointer: /results/0/mean}}
  sources: {label: Source files, unit: count, extract: {count: "src/**/*.py"}}
  todos: {label: TODOs, unit: count, better: lower, extract: {grep: src/app.py, pattern: "TODO|FIXME"}}
"""

PYTEST_SAMPLE = """\
import pytest

@pytest.fixture
def broken():
    raise RuntimeError("setup fails")

def test_one():
    assert 1 + 1 == 2

def test_two():
    assert "a".upper() == "A"

def test_fails():
    assert 1 == 2

@pytest.mark.skip(reason="not today")
def test_skipped():
    pass

def test_errors(broken):
    pass
"""

COVERED = """\
def pick(x):
    if x:
        return 1
    return 2


pick(True)
"""


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


@pytest.fixture(scope="module")
def tool_reports(tmp_path_factory) -> dict[str, bytes]:
    """A JUnit report that pytest itself writes, and a Cobertura report that coverage.py writes."""
    work = tmp_path_factory.mktemp("tools")
    write(work, {"test_sample.py": PYTEST_SAMPLE, "covered.py": COVERED, "empty.ini": "[pytest]\n"})
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "COV_CORE", "COVERAGE"))}
    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-c", "empty.ini", "-p", "no:cacheprovider", "-q", "--junitxml=junit.xml"],
        cwd=work,
        capture_output=True,
        text=True,
        env=env,
    )
    assert run.returncode == 1, run.stdout  # one failure, one error: pytest says so
    for args in (["run", "--branch", "covered.py"], ["xml", "-o", "coverage.xml"]):
        done = subprocess.run(
            [sys.executable, "-m", "coverage", *args], cwd=work, capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
    return {"junit": (work / "junit.xml").read_bytes(), "coverage": (work / "coverage.xml").read_bytes()}


@pytest.fixture
def measured_project(project, tool_reports):
    root = project(
        {
            "phases/project.yaml": CATALOGUE,
            "phases/phase-01/phase.yaml": phase_yaml(
                [alpha(criteria=[criterion("Few warnings", "failures", "< 10")]), beta()]
            ),
            "bench/hyperfine.json": json.dumps({"results": [{"command": "build", "mean": 1.2345, "stddev": 0.1}]}),
            "src/app.py": "x = 1  # TODO: tidy\ny = 2\n# FIXME later\nz = 'TODO'\n",
            "src/pkg/mod.py": "",
            "src/pkg/notes.txt": "",
        }
    )
    (root / "src/old.py").mkdir()  # a folder whose name matches the glob: not a file, not counted
    (root / "reports").mkdir()
    (root / "reports/pytest.xml").write_bytes(tool_reports["junit"])
    (root / "cov").mkdir()
    (root / "cov/coverage.xml").write_bytes(tool_reports["coverage"])
    return root


def measure(runner, root: Path, *args: str):
    result = runner.invoke(main, ["measure", "1", "--project", str(root), "--at", "2025-01-07T09:00:00Z", *args])
    # exit 1 must be a refusal, never a crash that CliRunner turned into one
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def snapshots(root: Path) -> list[dict]:
    return [json.loads(p.read_text()) for p in sorted((root / "phases/phase-01/metrics").glob("*.json"))]


def test_measure_records_what_pytest_and_coverage_wrote(runner, measured_project):
    root = measured_project
    result = measure(runner, root, "--label", "CI 1a2b3c4", "--task", "1.1=in_progress")
    assert result.exit_code == 0, result.output
    (snap,) = snapshots(root)
    assert snap == {
        "timestamp": "2025-01-07T09:00:00Z",
        "label": "CI 1a2b3c4",
        "metrics": {
            # 5 tests: 2 passed, 1 failed, 1 skipped, 1 error in setup; a pass rate over the 4 that ran
            "pass_rate": "2/4",
            "failures": 1,
            "skipped": 1,
            # 5 statements, 4 run (return 2 is not): 80%; the if took 1 of its 2 branches: 50%
            "lines": 80.0,
            "branches": 50.0,
            "line_share": 0.8,  # the same rate for a ratio metric
            "mean": 1.2345,
            "sources": 2,  # src/**/*.py: app.py and pkg/mod.py, not notes.txt nor the folder old.py
            "todos": 3,  # lines holding TODO or FIXME, the quoted one too
        },
        "tasks": {"1.1": "in_progress"},
        "checks": {},
    }
    assert result.output.splitlines()[0] == "pass_rate = 2/4 (reports/pytest.xml)"
    assert result.output.splitlines()[-1].startswith(f"recorded {root}/phases/phase-01/metrics/2025-01-07T09-00-00Z")
    # the snapshot is valid input like any other
    assert runner.invoke(main, ["validate", "--project", str(root), "--no-cache"]).exit_code == 0


def test_junit_counts_of_a_report_pytest_wrote(tool_reports):
    import xml.etree.ElementTree as ET

    counts = junit_counts(ET.fromstring(tool_reports["junit"]))
    assert counts == {"tests": 5, "passed": 2, "failures": 1, "errors": 1, "skipped": 1}


def test_reports_of_other_writers_jest_junit_and_istanbul_cobertura(project, runner):
    """Samples written by jest 30.5 with jest-junit 17 and Istanbul's cobertura reporter (tests/data/reports)."""
    catalogue = edit(
        edit(CATALOGUE, '"reports/*.xml"', "reports/jest-junit.xml"), "cov/coverage.xml", "reports/jest-cobertura.xml"
    )
    keep = ("pass_rate", "failures", "skipped", "lines", "branches", "line_share")
    lines = [x for x in catalogue.splitlines() if not x.startswith("  ") or x.split(":")[0].strip() in keep]
    root = project(
        {
            "phases/project.yaml": "\n".join(lines) + "\n",
            "phases/phase-01/phase.yaml": phase_yaml(
                [alpha(criteria=[criterion("Few failures", "failures", "< 10")]), beta()]
            ),
        }
    )
    (root / "reports").mkdir()
    for name in ("jest-junit.xml", "jest-cobertura.xml"):
        (root / "reports" / name).write_bytes((REPORTS / name).read_bytes())
    result = measure(runner, root)
    assert result.exit_code == 0, result.output
    # 4 tests: 2 passed, 1 failed, 1 skipped; Istanbul's DOCTYPE (an external DTD, never fetched) is accepted
    assert snapshots(root)[0]["metrics"] == {
        "pass_rate": "2/3",
        "failures": 1,
        "skipped": 1,
        "lines": 66.66,
        "branches": 0.0,
        "line_share": 0.6666,
    }


def test_several_junit_files_are_summed(project, runner, measured_project, tool_reports):
    root = measured_project
    (root / "reports/second.xml").write_bytes(tool_reports["junit"])
    assert measure(runner, root).exit_code == 0
    assert snapshots(root)[0]["metrics"]["pass_rate"] == "4/8"
    assert snapshots(root)[0]["metrics"]["failures"] == 2


BILLION_LAUGHS = (
    '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(f'<!ENTITY lol{i} "{("&lol" + (str(i - 1) if i > 1 else "") + ";") * 10}">' for i in range(1, 10))
    + ']><testsuites tests="&lol9;"/>'
)
EXTERNAL_ENTITY = (
    '<?xml version="1.0"?><!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><testsuites>&xxe;</testsuites>'
)


@pytest.mark.parametrize("hostile", [BILLION_LAUGHS, EXTERNAL_ENTITY], ids=["billion-laughs", "external-entity"])
def test_a_hostile_report_is_refused_at_once_and_nothing_is_recorded(runner, measured_project, hostile):
    root = measured_project
    (root / "reports/pytest.xml").write_text(hostile)
    before = tree(root / "phases")
    result = measure(runner, root)  # refused before any entity is expanded: the message says why
    assert result.exit_code == 1
    assert result.output.startswith("Error: nothing recorded:\n")
    assert (
        "  pass_rate: reports/pytest.xml: refused, it declares entities; test and coverage reports need none "
        "(a report with one is broken or hostile)\n" in result.output
    )
    assert tree(root / "phases") == before


def test_a_missing_report_names_the_metric_and_the_path(runner, measured_project):
    root = measured_project
    (root / "cov/coverage.xml").unlink()
    result = measure(runner, root)
    assert result.exit_code == 1
    assert result.output == (
        "Error: nothing recorded:\n"
        "  lines: cov/coverage.xml: no such file (has the tool run, and written its report there?)\n"
        "  branches: cov/coverage.xml: no such file (has the tool run, and written its report there?)\n"
        "  line_share: cov/coverage.xml: no such file (has the tool run, and written its report there?)\n"
        "  (--allow-missing records the metrics whose reports exist)\n"
    )
    assert snapshots(root) == []
    result = measure(runner, root, "--allow-missing")
    assert result.exit_code == 0, result.output
    assert "lines" not in snapshots(root)[0]["metrics"] and snapshots(root)[0]["metrics"]["failures"] == 1


def test_a_report_symlinked_out_of_the_project_is_refused(runner, measured_project, tmp_path):
    root = measured_project
    outside = tmp_path / "secret.json"
    outside.write_text('{"results": [{"mean": 42}]}')
    (root / "bench/hyperfine.json").unlink()
    (root / "bench/hyperfine.json").symlink_to(outside)
    result = measure(runner, root)
    assert result.exit_code == 1
    assert "  mean: bench/hyperfine.json: a symlink that leads outside the project" in result.output
    assert snapshots(root) == []


@pytest.mark.parametrize(
    ("extract", "message"),
    [
        (
            "{count: ../elsewhere/*.py}",
            "metrics.n.extract.count: '../elsewhere/*.py' leaves the project ('..'); reports must lie inside it",
        ),
        (
            "{grep: /etc/passwd, pattern: root}",
            "metrics.n.extract.grep: '/etc/passwd' is absolute; give a path relative to the project",
        ),
        (
            "{junit: r.xml}",
            "metrics.n.extract: junit needs value: one of pass_rate, tests, passed, failures, errors, skipped",
        ),
        ("{json: a.json}", "metrics.n.extract: json needs pointer: an RFC 6901 pointer such as /mean"),
        (
            "{json: a.json, pointer: mean}",
            "metrics.n.extract: pointer 'mean' must start with '/' (RFC 6901), e.g. /results/0/mean",
        ),
        (
            "{count: a, grep: b, pattern: x}",
            "metrics.n.extract: give exactly one extractor of junit, cobertura, json, count, grep, jsonl (given: count and grep)",
        ),
        (
            "{grep: a.log, pattern: '('}",
            "phases/project.yaml:3:39: metrics.n.extract: pattern '(' is not a regular expression RE2 can run "
            "(missing ): (); RE2 has no backreferences or lookaround\n",
        ),
        (  # RE2 matches in linear time: it has no backreferences (nor lookaround), which backtrack
            r"{grep: a.log, pattern: '(a)\1'}",
            "phases/project.yaml:3:39: metrics.n.extract: pattern '(a)\\\\1' is not a regular expression RE2 can run "
            "(invalid escape sequence: \\1); RE2 has no backreferences or lookaround\n",
        ),
        (
            "{cobertura: c.xml, value: line_rate}",
            "metrics.n: cobertura line_rate is a rate: set unit: ratio (0.95) or percent (95)",
        ),
    ],
)
def test_validate_refuses_bad_extractors(project, runner, extract, message):
    catalogue = f"name: Demo\nmetrics:\n  n: {{label: N, unit: count, extract: {extract}}}\n"
    root = project(
        {
            "phases/project.yaml": catalogue,
            "phases/phase-01/phase.yaml": phase_yaml([alpha(criteria=[criterion("Few n", "n", "< 10")]), beta()]),
        }
    )
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert result.exit_code == 1
    assert message in result.output


def test_measure_without_extractors_says_what_to_add(project, runner):
    from conftest import minimal

    result = measure(runner, project(minimal()))
    assert result.exit_code == 1
    assert result.output == (
        "Error: no metric of phases/project.yaml declares extract:, so there is nothing to measure; "
        "add one, e.g. extract: {junit: reports/junit.xml, value: pass_rate}\n"
    )


@given(st.text(max_size=12), st.integers(-5, 5))
@example("~1", 0)  # escaped as ~01: decoding ~0 before ~1 would read it as '/'
@example("a/b~c", 1)
def test_a_json_pointer_reaches_any_key_once_escaped(key, value):
    token = key.replace("~", "~0").replace("/", "~1")
    assert pointer_get({key: {"x": [value]}}, f"/{token}/x/0") == value


def test_json_pointer_errors_say_where_they_stop():
    data = {"results": [{"mean": 1}]}
    for pointer, message in [
        ("/results/1/mean", "no item '1' at /results (a list of 1)"),
        ("/results/01", "no item '01' at /results (a list of 1)"),
        ("/result", "no key 'result' at /"),
        ("/results/0/mean/x", "/results/0/mean holds a int, not an object or a list"),
    ]:
        with pytest.raises(KeyError) as exc:
            pointer_get(data, pointer)
        assert exc.value.args[0] == message


def test_if_declared_succeeds_with_nothing_to_measure(project, runner):
    from conftest import minimal

    root = project(minimal())
    result = runner.invoke(main, ["measure", "--project", str(root), "--if-declared"])
    assert (result.exit_code, result.output) == (0, "no metric declares extract: nothing to measure\n")
    assert not (root / "phases/phase-01/metrics").exists()


def test_without_a_phase_measure_takes_the_one_under_way(runner, measured_project):
    root = measured_project
    first = alpha(id="2.1", criteria=[criterion("Few failures", "failures", "< 10")])
    two = phase_yaml([first, beta(id="2.2", depends_on=["2.1"])], number=2)
    (root / "phases/phase-02").mkdir()
    (root / "phases/phase-02/phase.yaml").write_text(two)
    # nothing started anywhere: the first phase not complete
    args = ["measure", "--project", str(root), "--at"]
    assert runner.invoke(main, [*args, "2025-01-07T09:00:00Z"]).exit_code == 0
    assert len(snapshots(root)) == 1
    (root / "phases/phase-02/metrics").mkdir()
    (root / "phases/phase-02/metrics/a.json").write_text(
        json.dumps({"timestamp": "2025-01-07T10:00:00Z", "tasks": {"2.1": "in_progress"}})
    )
    result = runner.invoke(main, [*args, "2025-01-08T09:00:00Z"])
    assert result.exit_code == 0, result.output
    assert len(list((root / "phases/phase-02/metrics").glob("*.json"))) == 2  # phase 2 is under way
    (root / "phases/phase-01/metrics/z.json").write_text(
        json.dumps({"timestamp": "2025-01-08T10:00:00Z", "tasks": {"1.1": "in_progress"}})
    )
    result = runner.invoke(main, [*args, "2025-01-09T09:00:00Z"])
    assert (result.exit_code, result.output) == (
        1,
        "Error: several phases are under way (1, 2); name the one to measure: phasedocs measure PHASE\n",
    )


def test_an_unreadable_report_stops_measure_with_exit_1_and_no_traceback(runner, measured_project, monkeypatch):
    root = measured_project
    target = root / "cov/coverage.xml"
    real_open = Path.open

    def no_open(self, *args, **kwargs):  # root is not stopped by chmod 000: the refusal is simulated
        if self == target:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", no_open)
    result = measure(runner, root)
    assert result.exit_code == 1
    assert "  lines: cov/coverage.xml: cannot read: Permission denied; check the file's permissions\n" in result.output
    assert "Traceback" not in result.output
    assert snapshots(root) == []
