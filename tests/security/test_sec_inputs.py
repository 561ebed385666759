"""Hostile or absurd inputs that validate accepted and then crashed, hung or misread.

Every one exits 1 from ``validate`` with file, line, field and the limit, or is read right.
"""

from __future__ import annotations

import json
import re
import time

import pytest

from conftest import PHASE_YAML, minimal
from phasedocs.cli import main
from support import PROTOCOL, Raw, alpha, beta, criterion, phase_yaml, project_yaml


def _validate(runner, root):
    return runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])


def _snap(text: str) -> dict[str, str]:
    return minimal(**{"phases/phase-01/metrics/a.json": text})


# ----------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(
    ("value", "shown"),
    [("1e400", "1e400"), ("-1e400", "-1e400"), ("1" + "0" * 400, "1000000000…"), ("2e15", "2e15")],
)
def test_numbers_out_of_range_in_a_snapshot_are_refused(project, runner, value, shown):
    root = project(_snap(f'{{"timestamp": "2025-01-06T09:00:00Z",\n "metrics": {{"warnings": {value}}}}}'))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        f"phases/phase-01/metrics/a.json:2:26: metrics.warnings: {shown} is out of range; "
        "a value must be a finite number between -1e15 and 1e15"
    )


def test_a_number_too_long_to_read_is_refused_not_crashed(project, runner):
    root = project(_snap('{"timestamp": "2025-01-06T09:00:00Z", "metrics": {"warnings": %s}}' % ("9" * 5000)))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert "metrics.warnings: 9999999999… is out of range" in result.output


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("1" * 5000, "1111111111…"),  # int() refuses more than 4,300 digits
        ("0x" + "f" * 5000, "0xffffffff…"),  # short to read, 6,000 digits to print
        ("1:" * 5000 + "1", "1:1:1:1:1:…"),  # base 60: built by repeated multiplication
        ("-1_000_000_000_000_001", "-1_000_000…"),
    ],
)
def test_a_yaml_number_too_long_to_read_is_refused_not_crashed(project, runner, number, shown):
    root = project(
        minimal(**{"phases/phase-01/phase.yaml": phase_yaml(tasks=[alpha(duration_days=Raw(number)), beta()])})
    )
    result = _validate(runner, root)
    assert (result.exit_code, result.output) == (
        1,
        f"phases/phase-01/phase.yaml:10:20: tasks[0].duration_days: '{shown}' is out of range; a value must be "
        "a finite number between -1e15 and 1e15 (quote it if it is text)\n1 error in 1 file\n",
    )


def test_a_yaml_number_as_a_key_stays_text_however_long(project, runner):
    from phasedocs.input.loader import parse_yaml

    assert parse_yaml(f"{'1' * 1000}: a\n0x{'f' * 50}: b\n", "f.yaml").data == {"1" * 1000: "a", "0x" + "f" * 50: "b"}


def test_an_unquoted_day_its_month_lacks_is_an_error_not_a_traceback(project, runner):
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase_yaml(created="2025-02-30")}))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert isinstance(result.exception, SystemExit), result.exception  # a refusal, not a crash
    assert result.output.startswith("phases/phase-01/phase.yaml:3:10: created: ")


@pytest.mark.parametrize(
    ("duration", "message"),
    [
        ("1.0e+12", "tasks[0].duration_days: must be at most 365 days (split a longer task)"),
        ("1e12", "tasks[0].duration_days: must be at most 365 days (split a longer task)"),  # YAML: the text '1e12'
        ('"2e3"', "tasks[0].duration_days: must be at most 365 days (split a longer task)"),
        (".inf", "tasks[0].duration_days: '.inf' is not a finite number"),
        ("true", "tasks[0].duration_days: expected a number, got true"),
        ("0", "tasks[0].duration_days: must be more than 0, got the number 0"),
    ],
)
def test_durations_are_bounded_numbers(project, runner, duration, message):
    root = project(
        minimal(**{"phases/phase-01/phase.yaml": phase_yaml(tasks=[alpha(duration_days=Raw(duration)), beta()])})
    )
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert f"phases/phase-01/phase.yaml:10:20: {message}" in result.output.splitlines()


def _chain(tasks: int) -> dict[str, str]:
    """A workdays project whose one phase is a chain of ``tasks`` tasks of 365 days each."""
    lines = "".join(
        f'  - {{id: "1.{i}", slug: t{i}, title: T{i}, role: dev, duration_days: 365{", depends_on: [" + chr(34) + f"1.{i - 1}" + chr(34) + "]" if i else ""}}}\n'
        for i in range(tasks)
    )
    phase = "number: 1\ntitle: Long\ncreated: 2025-01-06T09:00:00Z\nstart: 2025-01-06T09:00:00Z\ntasks:\n" + lines
    return minimal(
        **{
            "phases/project.yaml": project_yaml(calendar="workdays"),
            "phases/phase-01/phase.yaml": phase,
        }
    )


def test_a_phase_longer_than_ten_years_is_refused_quickly(project, runner):
    root = project(_chain(60))
    began = time.monotonic()
    result = _validate(runner, root)
    assert time.monotonic() - began < 20  # it once hung for minutes; a generous bound, not a benchmark
    assert result.exit_code == 1
    assert (
        "phases/phase-01/phase.yaml:6:3: tasks: the critical path is 21900 days; a phase may last at most 3650 days (split it into phases)"
        in result.output
    )


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("created", "9999-12-31T23:00:00Z", "created: 9999-12-31T23:00:00Z is outside the years 1970 to 2200"),
        ("start", "1066-10-14T09:00:00Z", "start: 1066-10-14T09:00:00Z is outside the years 1970 to 2200"),
    ],
)
def test_dates_are_within_a_sane_window(project, runner, field, value, message):
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase_yaml(**{field: value})}))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert message in result.output


def test_a_snapshot_in_year_9999_is_refused(project, runner):
    root = project(_snap('{"timestamp": "9999-12-31T23:00:00Z"}'))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert (
        "phases/phase-01/metrics/a.json:1:15: timestamp: 9999-12-31T23:00:00Z is outside the years 1970 to 2200"
        in result.output
    )


def test_record_refuses_a_timestamp_out_of_the_window(project, runner):
    root = project(minimal())
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--at", "9999-12-31T23:00:00Z"])
    assert result.exit_code == 1
    assert (
        result.output
        == "Error: nothing recorded:\n  timestamp: 9999-12-31T23:00:00Z is outside the years 1970 to 2200\n"
    )
    assert not (root / "phases/phase-01/metrics").exists()


@pytest.mark.parametrize("value", ["1e999", "-1e999", "inf", "nan", "1e16"])
def test_record_refuses_numbers_out_of_range(project, runner, value):
    root = project(minimal())
    result = runner.invoke(
        main, ["record", "1", "--project", str(root), "--metric", f"warnings={value}", "--at", "2025-01-07T09:00:00Z"]
    )
    assert result.exit_code == 1, result.output
    assert result.output.startswith(f"Error: nothing recorded:\n  --metric warnings={value}: ")
    assert not (root / "phases/phase-01/metrics").exists()


# ----------------------------------------------------------------------------- structure
def test_deeply_nested_json_is_refused(project, runner):
    root = project(
        _snap('{"timestamp": "2025-01-06T09:00:00Z", "metrics": {"warnings": ' + "[" * 100_000 + "]" * 100_000 + "}}")
    )
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert (
        "phases/phase-01/metrics/a.json:1:1: nested more than 32 levels deep; a snapshot is a flat object"
        in result.output
    )


@pytest.mark.parametrize(
    ("depth", "message"),
    [
        (100, "tips[0]" + "[0]" * 30 + ": nested more than 32 levels deep"),
        # current PyYAML wheels' libyaml refuses this itself; with an older one our own bound does
        (5000, ("not valid YAML: exceeded maximum nesting depth", "nested more than 32 levels deep")),
    ],
)
def test_deeply_nested_yaml_is_refused(project, runner, depth, message):
    root = project(minimal(**{"phases/phase-01/phase.yaml": PHASE_YAML + "tips: " + "[" * depth + "]" * depth + "\n"}))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert any(m in result.output for m in ([message] if isinstance(message, str) else message)), result.output
    assert "Traceback" not in result.output


def test_duplicate_keys_in_json_are_refused_like_yaml(project, runner):
    root = project(_snap('{"timestamp": "2025-01-06T09:00:00Z",\n "metrics": {"warnings": 3,\n  "warnings": 4}}'))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert (
        "phases/phase-01/metrics/a.json:3:3: metrics.warnings: duplicate key 'warnings'; keep one of them"
        in result.output
    )


# ----------------------------------------------------------------------------- names
@pytest.mark.parametrize(
    "folder",
    ["phase-٠١", "phase-01\n", "phase-1", "phase-01 "],
)
def test_phase_folders_are_phase_and_ascii_digits(project, runner, folder):
    files = minimal()
    files[f"phases/{folder}/phase.yaml"] = files.pop("phases/phase-01/phase.yaml")
    root = project(files)
    result = _validate(runner, root)
    assert result.exit_code == 1
    shown = folder.replace("\n", "\\n")  # a control character is written as its escape
    assert (
        f"phases/{shown}: a phase folder is named phase-NN (digits 0-9, two or more, e.g. phase-07); rename it"
        in result.output
    )


def test_a_folder_with_extra_zeros_is_the_phase_and_commands_point_at_it(project, runner):
    files = minimal(
        **{"phases/project.yaml": project_yaml(protocol={**PROTOCOL, "spawn": "agent --file {{ task.file }}"})}
    )
    files["phases/phase-001/phase.yaml"] = files.pop("phases/phase-01/phase.yaml")
    root = project(files)
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    handoff = (root / "docs/phase-001/COORDINATOR-HANDOFF.md").read_text()
    assert "agent --file docs/phase-001/task-1.1-alpha.md" in handoff
    assert (root / "docs/phase-001/task-1.1-alpha.md").is_file()
    assert "phase-01/" not in handoff.replace("phase-001/", "")


def test_two_folders_for_one_phase_number_are_refused(project, runner):
    root = project(minimal(**{"phases/phase-001/phase.yaml": PHASE_YAML}))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert (
        "phases/phase-01/phase.yaml:1:9: number: phase 1 is defined twice (also in phases/phase-001/phase.yaml); keep one folder per phase"
        in result.output
    )


@pytest.mark.parametrize("slug", ['"alpha\\n"', '"alpha\\t"', '"ａｌｐｈａ"'])
def test_slugs_and_ids_are_plain_ascii(project, runner, slug):
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase_yaml(tasks=[alpha(slug=Raw(slug)), beta()])}))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert "tasks[0].slug: slug " in result.output


def test_same_second_records_sort_by_their_number(project, runner):
    files = minimal()
    for n in range(1, 13):
        name = "2025-01-07T09-00-00Z-progress" + ("" if n == 1 else f"~{n}")
        files[f"phases/phase-01/metrics/{name}.json"] = json.dumps(
            {"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": n}}
        )
    root = project(files)
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    data = json.loads((root / "docs/phase-01/final-metrics.json").read_text())
    assert data["metrics"]["warnings"]["current"] == 12


def test_the_scaffold_monitor_command_opens_a_file_that_exists(tmp_path, runner):
    root = tmp_path / "new"
    assert runner.invoke(main, ["init", str(root)]).exit_code == 0
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    handoff = (root / "docs/phase-01/COORDINATOR-HANDOFF.md").read_text()
    line = next(
        x for x in handoff.splitlines() if x.startswith("phasedocs generate") and "COORDINATION-DASHBOARD.md" in x
    )
    path = line.split()[-1].strip("'")
    assert (root / path).is_file(), line


# ----------------------------------------------------------------------------- record
def test_record_from_json_refuses_a_metrics_list(project, runner, tmp_path):
    root = project(minimal())
    source = tmp_path / "ci.json"
    source.write_text('{"metrics": [1, 2]}')
    result = runner.invoke(
        main, ["record", "1", "--project", str(root), "--from-json", str(source), "--at", "2025-01-07T09:00:00Z"]
    )
    assert result.exit_code == 1
    assert (
        result.output == f"Error: nothing recorded:\n  {source}: metrics: expected a mapping (key: value), got a list\n"
    )
    assert not (root / "phases/phase-01/metrics").exists()


@pytest.mark.parametrize(
    ("at", "problem"),
    [
        (
            "2025-03-30T02:30:00",
            "--at 2025-03-30T02:30:00: this local time does not exist in Europe/Berlin (the clocks skip it); give the offset, e.g. +01:00 or +02:00",
        ),
        (
            "2025-10-26T02:30:00",
            "--at 2025-10-26T02:30:00: this local time happens twice in Europe/Berlin (the clocks go back); give the offset, e.g. +01:00 or +02:00",
        ),
    ],
)
def test_record_refuses_local_times_that_do_not_exist_or_repeat(project, runner, at, problem):
    root = project(minimal(**{"phases/project.yaml": project_yaml(timezone="Europe/Berlin")}))
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--at", at])
    assert result.exit_code == 1
    assert result.output == f"Error: nothing recorded:\n  {problem}\n"


def test_record_check_false_is_stored_false(project, runner):
    phase = phase_yaml(tasks=[alpha(criteria=[criterion("Reviewed", id="reviewed")]), beta()])
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase}))
    for value in ("false", "FALSE", "true"):
        result = runner.invoke(
            main,
            ["record", "1", "--project", str(root), "--check", f"reviewed={value}", "--at", "2025-01-07T09:00:00Z"],
        )
        assert result.exit_code == 0, result.output
    stored = [
        json.loads(p.read_text())["checks"]["reviewed"] for p in sorted((root / "phases/phase-01/metrics").iterdir())
    ]
    assert stored == [False, False, True]


def test_record_names_files_in_utc_whatever_the_zone(project, runner):
    root = project(minimal(**{"phases/project.yaml": project_yaml(timezone="Asia/Tokyo")}))
    result = runner.invoke(main, ["record", "1", "--project", str(root), "--at", "2025-01-07T09:00:00+09:00"])
    assert result.exit_code == 0
    (path,) = (root / "phases/phase-01/metrics").iterdir()
    assert path.name == "2025-01-07T00-00-00Z-progress.json"
    assert json.loads(path.read_text())["timestamp"] == "2025-01-07T09:00:00+09:00"


# ----------------------------------------------------------------------------- site.yaml and charts
@pytest.mark.parametrize(
    ("site_yaml", "line"),
    [
        (
            "charts:\n  colors:\n    task: notacolour\n",
            "site_config/site.yaml:3:11: charts.colors.task: 'notacolour' is not a colour; write '#rrggbb' or a name such as 'steelblue' or 'tab:blue'",
        ),
        (
            "palette:\n  primary: hotpink\n",
            "site_config/site.yaml:2:12: palette.primary: 'hotpink' is not allowed; use one of ",
        ),
        (
            "site_url: javascript:alert(1)\n",
            "site_config/site.yaml:1:11: site_url: 'javascript:alert(1)' is not an http(s) URL",
        ),
        ("charts: [1, 2\n", "site_config/site.yaml:2:1: not valid YAML: "),
    ],
)
def test_validate_checks_the_site_settings_too(project, runner, site_yaml, line):
    root = project(minimal(**{"site_config/site.yaml": site_yaml}))
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 1  # never from a stale stamp
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(line)


def test_a_changed_site_yaml_is_validated_again(project, runner):
    root = project(minimal())
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 0
    (root / "site_config").mkdir()
    (root / "site_config/site.yaml").write_text("palette:\n  primary: hotpink\n")
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 1


@pytest.mark.parametrize("title", ["Cost $5 and $10", "Broken $\\undefinedcmd$ math", "$x^2$"])
def test_chart_text_is_never_read_as_mathtext(title):
    from phasedocs.charts import drawing
    from phasedocs.charts import specs as charts
    from phasedocs.input.site_config import ChartStyle

    spec = charts.GanttSpec(
        title=title,
        bars=(charts.GanttBar("1.1", title, 0.0, 1.0, 0.0, True, False),),
        arrows=(),
        total=1.0,
        today=None,
        day_labels=("Mon",),
        alt=title,
    )
    svg = drawing.draw(spec, ChartStyle()).decode()
    texts = re.findall(r"<text[^>]*>([^<]*)</text>", svg)
    assert texts.count(title) == 2  # the title and the bar's label, as written: not a formula in pieces


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("< 1e400", "'1e400' is out of range; a number in a target is at most 1e15 in size"),
        ("< 1e300", "'1e300' is out of range; a number in a target is at most 1e15 in size"),
        ("-1e300%..-25%", "'-1e300%' is out of range; a number in a target is at most 1e15 in size"),
        (">= 1/1e-300", "'1/1e-300' is out of range; a number in a target is at most 1e15 in size"),
    ],
)
def test_numbers_in_targets_are_bounded(project, runner, target, message):
    root = project(
        minimal(
            **{
                "phases/phase-01/phase.yaml": phase_yaml(
                    tasks=[alpha(criteria=[criterion("Few warnings", "warnings", Raw(f'"{target}"'))]), beta()]
                )
            }
        )
    )
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert f"phases/phase-01/phase.yaml:15:17: tasks[0].criteria[0].target: {message}" in result.output


@pytest.mark.scale  # a ten-year phase: a big project
def test_a_ten_year_workdays_phase_is_computed_quickly(project, runner):
    root = project(_chain(10))
    began = time.monotonic()
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert time.monotonic() - began < 30  # it took 34 s with a label per day and day-by-day date arithmetic
    assert result.exit_code == 0, result.output
    data = json.loads((root / "docs/phase-01/final-metrics.json").read_text())
    assert data["schedule"]["finish"] == "2039-01-03T09:00:00Z"  # 3650 working days: 730 weeks on


def test_values_quoted_in_errors_cannot_forge_log_lines(project, runner):
    """A newline in a value must not start a line: GitHub Actions runs '::error ...' lines as commands."""
    snapshot = json.dumps(
        {
            "timestamp": "2025-01-07T09:00:00Z",
            "kind": "x\n::error title=pwned::owned\n\x1b[31mred\u202e",
            "metrics": {"warnings\n::warning::k": 1},
        }
    )
    root = project(_snap(snapshot))
    result = _validate(runner, root)
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert len(lines) == 4 and lines[-1] == "3 errors in 1 file"  # the kind's escape and override too
    assert (
        not [line for line in lines if line.startswith("::")]
        and "\x1b" not in result.output
        and "\u202e" not in result.output
    )
    assert "kind: 'x\\n::error title=pwned::owned\\n\\x1b[31mred\\u202e' is not allowed" in lines[0]


def test_commands_stay_one_line_whatever_the_title_holds(project, runner):
    phase = phase_yaml(tasks=[alpha(title="Alpha\n::error::owned"), beta()])  # written as a YAML escape
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase}))
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    task_file = (root / "docs/phase-01/task-1.1-alpha.md").read_text()
    assert "gh pr create --title 'Alpha ::error::owned'" in task_file
    assert not [line for line in task_file.splitlines() if line.startswith("::")]


def test_an_oversized_input_file_is_refused_before_it_is_read(project, runner, monkeypatch):
    from phasedocs.input import loader

    monkeypatch.setattr(loader, "MAX_FILE_BYTES", 1024)
    root = project(_snap(json.dumps({"timestamp": "2025-01-07T09:00:00Z", "label": "x" * 2000})))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert "phases/phase-01/metrics/a.json: is 0 MB; an input file may be at most 0 MB (split it)" in result.output


def test_a_named_pipe_among_the_snapshots_is_refused_not_waited_on(project, runner):
    import os

    root = project(minimal())
    (root / "phases/phase-01/metrics").mkdir()
    os.mkfifo(root / "phases/phase-01/metrics/a.json")
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 1  # the stamp does not read it either
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert "phases/phase-01/metrics/a.json: not a regular file; replace it with a file" in result.output


# ----------------------------------------------------------------------------- hidden characters
HIDDEN = {
    "\x00": "U+0000 (a control character)",
    "\x01": "U+0001 (a control character)",
    "\x1b": "U+001B (a control character)",
    "\u202e": "U+202E (right-to-left override)",
    "\u2066": "U+2066 (left-to-right isolate)",
    "\u200b": "U+200B (zero width space)",
    "\u200d": "U+200D (zero width joiner)",
    "\u2060": "U+2060 (word joiner)",
    "\ufeff": "U+FEFF (zero width no-break space)",
}
_HIDDEN_RULE = (
    "; control, bidirectional and zero-width characters are not allowed in text "
    "(they hide or reorder what readers see); remove it"
)


@pytest.mark.parametrize("char", list(HIDDEN))
def test_a_character_readers_cannot_see_is_refused_where_it_is_written(project, runner, char):
    """One rule for every input: refused with file, line, column and the code point, so no
    document, chart, feed or JSON file can carry it (a NUL made the SVG charts ill-formed XML)."""
    phase = phase_yaml(tasks=[alpha(title=f"Al{char}pha"), beta()])  # written with JSON's escapes
    snapshot = json.dumps({"timestamp": "2025-01-07T09:00:00Z", "note": f"n{char}", "metrics": {"warnings": 3}})
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase, "phases/phase-01/metrics/a.json": snapshot}))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"phases/phase-01/metrics/a.json:1:47: note: holds {HIDDEN[char]} at character 2{_HIDDEN_RULE}",
        f"phases/phase-01/phase.yaml:8:12: tasks[0].title: holds {HIDDEN[char]} at character 3{_HIDDEN_RULE}",
        "2 errors in 2 files",
    ]
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 1
    assert not (root / "docs").exists()


def test_record_refuses_a_hidden_character_in_a_label_or_note(project, runner):
    root = project(minimal())
    result = runner.invoke(
        main,
        ["record", "1", "--project", str(root), "--label", "b\u202e1", "--note", "x\u200by", "--metric", "warnings=3"],
    )
    assert result.exit_code == 1
    assert f"  label: holds U+202E (right-to-left override) at character 2{_HIDDEN_RULE}" in result.output
    assert f"  note: holds U+200B (zero width space) at character 2{_HIDDEN_RULE}" in result.output
    assert not (root / "phases/phase-01/metrics").exists()


def test_tabs_and_newlines_stay_allowed_in_text(project, runner):
    phase = phase_yaml(tasks=[alpha(title="Al\tpha\nline"), beta()])
    assert _validate(runner, project(minimal(**{"phases/phase-01/phase.yaml": phase}))).exit_code == 0


# ----------------------------------------------------------------------------- CI log lines
FORGED = "ok ##[error]pwned\n::error file=x::pwned\r::warning::pwned\n\t ::notice::pwned ##vso[task.complete]"


def _runner_would_run(output: str) -> list[str]:
    """The lines of ``output`` GitHub's runner reads as workflow commands: ``::`` at the start of
    a line once trimmed (lines end at \\n or \\r), ``##[`` anywhere (and Azure's ``##vso[``)."""
    return [
        line
        for line in re.split(r"[\r\n]", output)
        if line.strip().startswith("::") or "##[" in line or "##vso[" in line
    ]


def test_no_line_of_text_passes_for_a_workflow_command():
    from hypothesis import given
    from hypothesis import strategies as st

    from phasedocs.errors import workflow_safe

    pieces = st.sampled_from(["::", "##[", "##vso[", "#", ":", "\n", "\r", " ", "\t", "\u3000", "x", "\\", '"'])

    @given(st.lists(pieces | st.text(max_size=3), max_size=12).map("".join))
    def check(text):
        assert _runner_would_run(workflow_safe(text)) == []
        assert json.loads(workflow_safe(json.dumps(text))) == text  # JSON output reads back as it was
        assert json.loads(workflow_safe(json.dumps(text, ensure_ascii=False))) == text

    check()


def test_no_command_prints_user_text_as_a_workflow_command(project, runner):
    """Every output of every command, stdout and stderr, goes through one filter."""
    phase = phase_yaml(tasks=[alpha(title=FORGED, criteria=[criterion(FORGED, "warnings", "< 10")]), beta()])
    version = {"label": "Version", "unit": "text", "extract": {"json": "v.json", "pointer": "/v"}}
    catalogue = project_yaml(extra_metrics={"version": version})
    root = project(minimal(**{"phases/project.yaml": catalogue, "phases/phase-01/phase.yaml": phase}))
    (root / "v.json").write_text(json.dumps({"v": FORGED}))
    args = ["--project", str(root)]
    runs = {
        "measure": ["measure", "1", *args, "--at", "2025-01-06T10:00:00Z", "--label", FORGED],
        "record": ["record", "1", *args, "--at", "2025-01-07T10:00:00Z", "--metric", "warnings=30", "--note", FORGED],
        "validate": ["validate", *args, "--no-cache"],
        "generate": ["generate", *args],
        "check": ["check", *args],
        "check --format json": ["check", *args, "--format", "json"],
        "check --format markdown": ["check", *args, "--format", "markdown"],
        "handoff": ["handoff", "1", *args],
    }
    for name, argv in runs.items():
        result = runner.invoke(main, argv)
        assert result.exit_code == 0, (name, result.output)
        output = result.stdout + result.stderr
        assert _runner_would_run(output) == [], name
        if name == "check --format json":
            assert [f["subject"] for f in json.loads(result.stdout)["findings"]] == [f"1.1: {FORGED}"]
        if name == "measure":  # the report's text, escaped where the runner would read it
            assert result.stdout.startswith("version = ok #\\u0023[error]pwned\\n::error file=x::pwned\\r")
    # a refusal that quotes the snapshot's content: validate's errors
    (root / "phases/phase-01/metrics/z.json").write_text(
        json.dumps({"timestamp": "2025-01-08T10:00:00Z", "kind": FORGED})
    )
    result = runner.invoke(main, ["validate", *args, "--no-cache"])
    assert result.exit_code == 1 and "#\\u0023[error]pwned" in result.output
    assert _runner_would_run(result.stdout + result.stderr) == []
