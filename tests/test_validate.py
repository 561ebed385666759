"""Every kind of bad input: its exact message, exit status 1, and nothing written."""

from __future__ import annotations

import pytest

from conftest import PHASE_YAML, PROJECT_YAML, minimal, tree
from phasedocs.cli import main
from phasedocs.input.targets import FORMS
from support import Raw, alpha, beta, edit, phase_yaml, project_yaml

P = "phases/phase-01/phase.yaml"
J = "phases/phase-01/metrics/a.json"


def phase(old: str, new: str) -> dict[str, str]:
    assert old in PHASE_YAML
    return {P: edit(PHASE_YAML, old, new, 1)}


def proj(old: str, new: str) -> dict[str, str]:
    assert old in PROJECT_YAML
    return {"phases/project.yaml": edit(PROJECT_YAML, old, new, 1)}


def snap(text: str) -> dict[str, str]:
    return {J: text}


CASES = {
    "unquoted task id": (
        {P: phase_yaml([alpha(id=Raw("1.10")), beta(depends_on=[Raw("1.10")])])},
        [
            f'{P}:6:9: tasks[0].id: task id 1.10 is a number to YAML (YAML reads 1.10 as 1.1); quote it: "1.10"',
            f'{P}:21:18: tasks[1].depends_on[0]: task id 1.10 is a number to YAML (YAML reads 1.10 as 1.1); quote it: "1.10"',
        ],
    ),
    "unknown dependency": (
        phase('depends_on: ["1.1"]', 'depends_on: ["1.9"]'),
        [f"{P}:21:18: tasks[1].depends_on[0]: unknown task '1.9' (known: 1.1, 1.2)"],
    ),
    "cycle": (
        phase("    files: [src/a.py]", '    depends_on: ["1.2"]\n    files: [src/a.py]'),
        [f"{P}:11:18: tasks[0].depends_on[0]: dependency cycle 1.1 -> 1.2 -> 1.1; remove one of these dependencies"],
    ),
    "duplicate task id": (
        phase('id: "1.2"', 'id: "1.1"'),
        [
            f"{P}:16:9: tasks[1].id: task id '1.1' is used twice (also tasks[0]); make it unique",
            f"{P}:21:18: tasks[1].depends_on[0]: task '1.1' cannot depend on itself",
        ],
    ),
    "ids, keys and slugs with characters that break file names or keys": (
        {
            P: edit(
                edit(edit(PHASE_YAML, 'id: "1.1"', 'id: "1 1"'), '["1.1"]', '["1 1"]'),
                "    slug: beta\n",
                "    slug: ../beta\n    key: a b\n    criteria:\n      - text: Done\n        id: is done\n",
            )
        },
        [
            f"{P}:6:9: tasks[0].id: task id '1 1' may hold only letters, digits, '.', '_' and '-'",
            f"{P}:17:11: tasks[1].slug: slug '../beta' must be a plain file-name segment (no '/', '..' or leading dot)",
            f"{P}:18:10: tasks[1].key: key 'a b' may hold only letters, digits, '_', '.' and '-'",
            f"{P}:21:13: tasks[1].criteria[0].id: criterion id 'is done' may hold only letters, digits, '.', '_' and '-'",
        ],
    ),
    "zero duration": (
        phase("duration_days: 2", "duration_days: 0"),
        [f"{P}:10:20: tasks[0].duration_days: must be more than 0, got the number 0"],
    ),
    "folder number": (
        phase("number: 1", "number: 2"),
        [f"{P}:1:9: number: is 2 but the folder is phase-01; make them agree"],
    ),
    "bad target": (
        phase('target: "< 10"', 'target: "about 10"'),
        [f"{P}:15:17: tasks[0].criteria[0].target: 'about 10' is not a target; write one of {FORMS}"],
    ),
    "unknown criterion metric": (
        phase("metric: warnings", "metric: warnigns"),
        [
            f"{P}:14:17: tasks[0].criteria[0].metric: unknown metric 'warnigns'; add it to the catalogue in "
            "phases/project.yaml (known: build_time, pass_rate, version, warnings)"
        ],
    ),
    "unsafe slug": (
        phase("slug: alpha", "slug: ../evil"),
        [f"{P}:7:11: tasks[0].slug: slug '../evil' must be a plain file-name segment (no '/', '..' or leading dot)"],
    ),
    "hidden slug": (
        phase("slug: alpha", "slug: .hidden"),
        [f"{P}:7:11: tasks[0].slug: slug '.hidden' must be a plain file-name segment (no '/', '..' or leading dot)"],
    ),
    "misspelt field": (
        phase('depends_on: ["1.1"]', 'dependson: ["1.1"]'),
        [f"{P}:21:16: tasks[1].dependson: unknown field 'dependson'; did you mean 'depends_on'?"],
    ),
    "start without zone": (
        phase("start: 2025-01-06T09:00:00Z", "start: 2025-01-06T09:00:00"),
        [f"{P}:4:8: start: '2025-01-06T09:00:00' has no time zone; add 'Z' (UTC) or an offset such as +02:00"],
    ),
    "text target on a count": (
        phase('target: "< 10"', 'target: "== many"'),
        [f"{P}:15:17: tasks[0].criteria[0].target: 'many' is not a number, but metric 'warnings' is a count"],
    ),
    "measured criterion without target": (
        phase('        target: "< 10"\n', ""),
        [f"{P}:13:9: tasks[0].criteria[0]: a measured criterion needs both metric and target; add target"],
    ),
    "no tasks": (
        {P: PHASE_YAML.split("tasks:")[0] + "tasks: []\n"},
        [f"{P}:5:8: tasks: needs at least one entry"],
    ),
    "empty phase file": (
        {P: ""},
        [f"{P}: expected a mapping of fields, got an empty file"],
    ),
    "duplicate key": (
        phase("title: First", "title: First\ntitle: Again"),
        [f"{P}:3:1: title: duplicate key 'title' (first on line 2); keep one of them"],
    ),
    "snapshot unknown metric": (
        snap('{"timestamp": "2025-01-06T09:00:00Z", "metrics": {"warnigns": 3}}'),
        [f"{J}:1:63: metrics.warnigns: unknown metric 'warnigns'; did you mean 'warnings'?"],
    ),
    "snapshot metric unlike any": (
        snap('{"timestamp": "2025-01-06T09:00:00Z", "metrics": {"zzz": 3}}'),
        [f"{J}:1:58: metrics.zzz: unknown metric 'zzz'; add it to the catalogue in phases/project.yaml"],
    ),
    "a character YAML does not allow": (
        phase("title: First", "title: Fi\x07rst"),
        [
            f"{P}:2:10: not valid YAML: the character #x0007 is not allowed (control characters are not allowed); remove it"
        ],
    ),
    "snapshot values of the wrong unit": (
        snap(
            '{"timestamp": "2025-01-06T09:00:00Z", "metrics": {"warnings": "many", "pass_rate": "x/y", "version": 2, "build_time": true}}'
        ),
        [
            f"{J}:1:63: metrics.warnings: expected a number (count), got 'many'",
            f"{J}:1:84: metrics.pass_rate: expected a number or a ratio such as '626/630', got 'x/y'",
            f"{J}:1:102: metrics.version: expected text, got the number 2",
            f"{J}:1:119: metrics.build_time: expected a number (seconds), got true",
        ],
    ),
    "snapshot bad state and unknown task": (
        snap('{"timestamp": "2025-01-06T09:00:00Z", "tasks": {"1.1": "done", "1.9": "complete"}}'),
        [
            f"{J}:1:56: tasks[\"1.1\"]: 'done' is not allowed; use one of 'pending', 'in_progress', 'complete' or 'blocked'",
            f"{J}:1:71: tasks[\"1.9\"]: unknown task '1.9' (known: 1.1, 1.2)",
        ],
    ),
    "snapshot unknown check": (
        snap('{"timestamp": "2025-01-06T09:00:00Z", "checks": {"nope": true}}'),
        [f"{J}:1:58: checks.nope: unknown hand-checked criterion 'nope' (known: none)"],
    ),
    "impossible holidays, unquoted or quoted": (
        proj("calendar: calendar", 'calendar: workdays\nholidays: [2026-02-29, "2026-04-31", 2026-13-01]'),
        [
            "phases/project.yaml:6:12: holidays[0]: 2026-02-29 is not a date (February 2026 has 28 days)",
            "phases/project.yaml:6:24: holidays[1]: 2026-04-31 is not a date (April 2026 has 30 days)",
            "phases/project.yaml:6:38: holidays[2]: 2026-13-01 is not a date (there is no month 13; months run 01 to 12)",
        ],
    ),
    "impossible created and start": (
        {P: phase_yaml(created="2026-11-31T09:00:00Z", start="2026-11-02T25:00:00Z")},
        [
            f"{P}:3:10: created: 2026-11-31T09:00:00Z is not a date (November 2026 has 30 days)",
            f"{P}:4:8: start: 2026-11-02T25:00:00Z is not a date-time (hours run 00 to 23)",
        ],
    ),
    "impossible snapshot times": (
        snap(
            '{"timestamp": "2025-02-29T09:00:00Z", "tasks": {"1.1": {"state": "in_progress", "at": "2025-01-06T09:60:00Z"}}}'
        ),
        [
            f"{J}:1:15: timestamp: 2025-02-29T09:00:00Z is not a date (February 2025 has 28 days)",
            f'{J}:1:87: tasks["1.1"].at: 2025-01-06T09:60:00Z is not a date-time (minutes run 00 to 59)',
        ],
    ),
    "snapshot without timestamp": (
        snap('{"metrics": {}}'),
        [f"{J}:1:1: timestamp: required field is missing; add it"],
    ),
    "snapshot timestamp without zone": (
        snap('{"timestamp": "2025-01-06T09:00:00"}'),
        [f"{J}:1:15: timestamp: '2025-01-06T09:00:00' has no time zone; add 'Z' (UTC) or an offset such as +02:00"],
    ),
    "snapshot NaN": (
        snap('{"timestamp": "2025-01-06T09:00:00Z", "metrics": {"warnings": NaN}}'),
        [f"{J}:1:63: NaN is not a number JSON allows; write a number or null"],
    ),
    "snapshot truncated": (
        snap('{"timestamp": "2025-01-06T09:00:00Z", "metrics": {'),
        [
            f"{J}:1:51: not valid JSON: Expecting property name enclosed in double quotes (the file ends too early: is it truncated?)"
        ],
    ),
    "snapshot not an object": (
        snap("[]"),
        [f"{J}:1:1: a snapshot must be a JSON object {{...}}, not list"],
    ),
    "two baselines": (
        {
            J: '{"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline"}',
            "phases/phase-01/metrics/b.json": '{"timestamp": "2025-01-07T09:00:00Z", "kind": "baseline"}',
        },
        [
            "phases/phase-01/metrics/b.json:1:47: kind: a second baseline snapshot (the first is phases/phase-01/metrics/a.json); make this one 'progress'"
        ],
    ),
    "protocol reaches for internals": (
        proj("spawn: 'gh workflow run agent.yml -f task={{ task.id }}'", "spawn: '{{ task.__class__.__mro__ }}'"),
        [
            "phases/project.yaml:17:10: protocol.spawn: '__mro__' reaches for Python internals and is not allowed; use the fields of phase, task or project"
        ],
    ),
    "protocol unknown variable": (
        proj("session: 'demo-{{ phase.number }}'", "session: 'demo-{{ task.id }}'"),
        ["phases/project.yaml:13:12: protocol.session: unknown variable 'task' (available here: phase, project)"],
    ),
    "protocol unknown variable inside a loop": (
        proj(
            "session: 'demo-{{ phase.number }}'", "session: '{% for t in phase.tasks %}{{ t.id }}{{ x }}{% endfor %}'"
        ),
        ["phases/project.yaml:13:12: protocol.session: unknown variable 'x' (available here: phase, project)"],
    ),
    "protocol unknown field": (
        proj("session: 'demo-{{ phase.number }}'", "session: 'demo-{{ phase.nmber }}'"),
        [
            "phases/project.yaml:13:12: protocol.session: phase has no field 'nmber' (it has: number, folder, docs, title, summary, tasks)"
        ],
    ),
    "protocol syntax": (
        proj("session: 'demo-{{ phase.number }}'", "session: 'demo-{{ phase.number '"),
        [
            "phases/project.yaml:13:12: protocol.session: template syntax error: unexpected end of template, expected 'end of print statement'."
        ],
    ),
    "unknown time zone": (
        proj("timezone: UTC", "timezone: Mars/Base"),
        [
            "phases/project.yaml:6:11: timezone: unknown time zone 'Mars/Base'; use an IANA name such as 'UTC' or 'Europe/Berlin'"
        ],
    ),
    "misspelt time zone": (
        proj("timezone: UTC", "timezone: America/Chicgo"),
        ["phases/project.yaml:6:11: timezone: unknown time zone 'America/Chicgo'; did you mean 'America/Chicago'?"],
    ),
    "time zone in lower case": (
        proj("timezone: UTC", "timezone: europe/berlin"),
        ["phases/project.yaml:6:11: timezone: unknown time zone 'europe/berlin'; did you mean 'Europe/Berlin'?"],
    ),
    "an offset is not a zone": (
        proj("timezone: UTC", "timezone: UTC+2"),
        [
            "phases/project.yaml:6:11: timezone: unknown time zone 'UTC+2'; use an IANA name such as 'UTC' or 'Europe/Berlin'"
        ],
    ),
    "metric key with a space": (
        proj(
            "  version: {label: Version, unit: text}",
            "  version: {label: Version, unit: text}\n  build size: {label: Size, unit: bytes}",
        ),
        ["phases/project.yaml:8:3: metrics: metric key 'build size' may hold only letters, digits, '_', '.' and '-'"],
    ),
    "unknown unit": (
        proj("unit: count", "unit: widgets"),
        [
            "phases/project.yaml:8:37: metrics.warnings.unit: 'widgets' is not allowed; use one of 'count', 'seconds', 'percent', 'ratio', 'bytes', 'usd' or 'text'"
        ],
    ),
    "object-building tag": (
        proj("name: Demo", "name: !!python/object/apply:os.system ['true']"),
        [
            "phases/project.yaml:1:7: name: tag 'tag:yaml.org,2002:python/object/apply:os.system' is not allowed; remove it"
        ],
    ),
    "badly named phase folder": (
        {"phases/phase-1/phase.yaml": PHASE_YAML},
        ["phases/phase-1: a phase folder is named phase-NN (digits 0-9, two or more, e.g. phase-07); rename it"],
    ),
    "every faulty phase folder, not the first alone": (
        {
            "phases/phase-0/phase.yaml": PHASE_YAML,
            "phases/phase-02/notes.md": "no phase here",
            "phases/phase-3/phase.yaml": PHASE_YAML,
            "phases/phase-04/notes.md": "nor here",
        },
        [
            "phases/phase-0: a phase folder is named phase-NN (digits 0-9, two or more, e.g. phase-07); rename it",
            "phases/phase-02/phase.yaml: not found; every phase folder needs a phase.yaml",
            "phases/phase-04/phase.yaml: not found; every phase folder needs a phase.yaml",
            "phases/phase-3: a phase folder is named phase-NN (digits 0-9, two or more, e.g. phase-07); rename it",
        ],
    ),
    "after_phase naming no phase": (
        phase("start: 2025-01-06T09:00:00Z\n", "start: 2025-01-06T09:00:00Z\nafter_phase: 9\n"),
        [
            f"{P}:5:14: after_phase: there is no phase 9 in this project (phases: 1); "
            "name the phase this one follows (or one before the first), or remove after_phase"
        ],
    ),
    "after_phase naming itself": (
        phase("start: 2025-01-06T09:00:00Z\n", "start: 2025-01-06T09:00:00Z\nafter_phase: 1\n"),
        [f"{P}:5:14: after_phase: phase 1 cannot follow itself; name the phase before it"],
    ),
    "a snapshot written as YAML": (
        {"phases/phase-01/metrics/day2.yaml": "timestamp: 2025-01-07T09:00:00Z\nmetrics: {warnings: 4}\n"},
        [
            "phases/phase-01/metrics/day2.yaml: a snapshot is a JSON file (metrics/*.json), so this one is not read; "
            "convert it to JSON as day2.json, or record it with 'phasedocs record'"
        ],
    ),
    "a Windows absolute path in files": (
        phase("files: [src/a.py]", "files: ['C:\\repo\\src\\a.py']"),
        [
            f"{P}:11:13: tasks[0].files[0]: 'C:\\repo\\src\\a.py' is an absolute path; "
            "write it relative to the repository's top folder (e.g. src/app.py)"
        ],
    ),
}


def summary(lines: list[str]) -> str:
    files = {line.split(":", 1)[0] for line in lines}
    n, f = len(lines), len(files)
    return f"{n} error{'s' if n != 1 else ''} in {f} file{'s' if f != 1 else ''}"


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_bad_input(case, project, runner):
    files, lines = CASES[case]
    root = project(minimal(**files))
    out = root / "docs"
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out)])
    assert result.exit_code == 1
    assert result.output == "\n".join(lines) + "\n" + summary(lines) + "\n"
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert not out.exists()  # nothing written


def test_validate_reports_all_errors_of_all_files(project, runner):
    files = minimal(**phase('depends_on: ["1.1"]', 'depends_on: ["1.9"]'))
    files[J] = '{"timestamp": "2025-01-06T09:00:00"}'
    files["phases/project.yaml"] = project_yaml(timezone="Nowhere")
    result = runner.invoke(main, ["validate", "--project", str(project(files))])
    assert result.exit_code == 1
    assert result.output.splitlines()[-1] == "3 errors in 3 files"


def test_every_unreadable_snapshot_is_reported_not_only_the_first(project, runner):
    files = minimal()
    files["phases/phase-01/metrics/a.json"] = '{"timestamp": '
    files["phases/phase-01/metrics/b.json"] = '{"timestamp": "2025-01-07T09:00:00Z"}'
    files["phases/phase-01/metrics/c.json"] = "[1, 2"
    result = runner.invoke(main, ["validate", "--project", str(project(files))])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert [x.split(":")[0] for x in lines[:-1]] == ["phases/phase-01/metrics/a.json", "phases/phase-01/metrics/c.json"]
    assert lines[-1] == "2 errors in 2 files"


def test_a_faulty_phase_does_not_hide_its_snapshots_catalogue_errors(project, runner):
    files = minimal(**phase("duration_days: 2", "duration_days: 0"))
    files[J] = '{"timestamp": "2025-01-06T09:00:00", "metrics": {"warnigns": 3}}'
    result = runner.invoke(main, ["validate", "--project", str(project(files))])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        f"{J}:1:15: timestamp: '2025-01-06T09:00:00' has no time zone; add 'Z' (UTC) or an offset such as +02:00",
        f"{J}:1:62: metrics.warnigns: unknown metric 'warnigns'; did you mean 'warnings'?",
        f"{P}:10:20: tasks[0].duration_days: must be more than 0, got the number 0",
        "3 errors in 2 files",
    ]


def test_a_fault_elsewhere_in_project_yaml_does_not_hide_the_protocols(project, runner):
    files = minimal(**proj("spawn: 'gh workflow run agent.yml -f task={{ task.id }}'", "spawn: '{{ task.__class__ }}'"))
    files["phases/project.yaml"] = edit(files["phases/project.yaml"], "timezone: UTC", "timezone: Mars/Base")
    result = runner.invoke(main, ["validate", "--project", str(project(files))])
    assert result.output.splitlines() == [
        "phases/project.yaml:6:11: timezone: unknown time zone 'Mars/Base'; use an IANA name such as 'UTC' or 'Europe/Berlin'",
        "phases/project.yaml:17:10: protocol.spawn: '__class__' reaches for Python internals and is not allowed; use the fields of phase, task or project",
        "2 errors in 1 file",
    ]


def test_a_fault_elsewhere_in_project_yaml_does_not_hide_catalogue_errors(project, runner):
    files = minimal(**snap('{"timestamp": "2025-01-06T09:00:00Z", "metrics": {"warnigns": 3}}'))
    files["phases/project.yaml"] = edit(files["phases/project.yaml"], "timezone: UTC", "timezone: Mars/Base")
    result = runner.invoke(main, ["validate", "--project", str(project(files))])
    assert result.output.splitlines() == [
        f"{J}:1:63: metrics.warnigns: unknown metric 'warnigns'; did you mean 'warnings'?",
        "phases/project.yaml:6:11: timezone: unknown time zone 'Mars/Base'; use an IANA name such as 'UTC' or 'Europe/Berlin'",
        "2 errors in 2 files",
    ]


def test_protocol_loop_variables_are_not_unknown(project, runner):
    files = minimal(
        **proj("session: 'demo-{{ phase.number }}'", "session: '{% for t in phase.tasks %}{{ t.id }} {% endfor %}'")
    )
    result = runner.invoke(main, ["validate", "--project", str(project(files))])
    assert (result.exit_code, result.output) == (0, "ok: 1 phase(s), 2 task(s), 0 snapshot(s)\n")


def test_missing_project_file(tmp_path, runner):
    result = runner.invoke(main, ["validate", "--project", str(tmp_path)])
    assert result.exit_code == 1
    assert result.output == (
        f"phases/project.yaml: not found in {tmp_path}; run 'phasedocs init' or pass --project DIR\n1 error in 1 file\n"
    )


def test_example_validates(runner, project):
    result = runner.invoke(main, ["validate", "--project", str(project(example=True))])
    assert (result.exit_code, result.output) == (0, "ok: 1 phase(s), 4 task(s), 1 snapshot(s)\n")


def test_a_refused_generate_leaves_existing_output_untouched(project, runner):
    root = project(minimal())
    out = root / "docs"
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(out)]).exit_code == 0
    before = tree(out)
    (root / J).parent.mkdir(parents=True, exist_ok=True)
    (root / J).write_text('{"timestamp": "2025-01-07T09:00:00Z", "metrics": {"warnings": "x"}}')
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out)])
    assert result.exit_code == 1
    assert tree(out) == before


def test_a_clean_result_is_stamped_and_any_change_revalidates(project, runner):
    root = project(minimal())
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 0
    assert (root / ".cache/phasedocs/validated.json").is_file()
    (root / P).write_text(phase_yaml([alpha(), beta(duration_days=-1)]))
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        result.output
        == f"{P}:20:20: tasks[1].duration_days: must be more than 0, got the number -1\n1 error in 1 file\n"
    )
    (root / "phases/phase-01/metrics").mkdir()
    (root / P).write_text(PHASE_YAML)  # back as it was, plus an empty folder: still a change of the tree
    assert runner.invoke(main, ["validate", "--project", str(root)]).exit_code == 0


def test_validate_uses_pydantic_core_only_and_a_stamped_one_nothing(project):
    import subprocess
    import sys

    from conftest import REPO

    root = project(minimal())
    code = (
        "import sys\nfrom phasedocs.cli import main\n"
        f"try:\n    main(['validate', '--project', {str(root)!r}])\nexcept SystemExit as e:\n    assert e.code == 0\n"
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'pydantic', 'pydantic_core', 'jinja2', 'yaml'}))\n"
    )
    first = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    second = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    # pydantic's Python layer (BaseModel, schema generation) costs more than a whole run
    assert first.stdout.splitlines() == [
        "ok: 1 phase(s), 2 task(s), 0 snapshot(s)",
        "['jinja2', 'pydantic_core', 'yaml']",
    ]
    assert second.stdout.splitlines() == ["ok: 1 phase(s), 2 task(s), 0 snapshot(s)", "[]"]


def test_a_cycle_is_found_wherever_it_starts():
    from phasedocs.input.project import find_cycle

    # the walk starts at a, which is on no cycle; b and c depend on each other
    assert find_cycle({"a": ["b"], "b": ["c"], "c": ["b"], "d": []}) == ["b", "c", "b"]
    assert find_cycle({"a": ["b"], "b": ["c"], "c": []}) is None


@pytest.mark.parametrize("inside", ["the project", "the git top level"])
def test_an_absolute_path_in_files_is_refused_with_its_relative_spelling(project, runner, inside):
    root = project(minimal())
    top = root if inside == "the project" else root.parent
    (top / ".git").mkdir()
    absolute = top / "svc/x.py"  # beside phases/, or beside the project's folder in the repository
    (root / P).write_text(phase_yaml([alpha(files=["src/a.py", absolute]), beta()]))
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert (result.exit_code, result.output) == (
        1,
        f"{P}:11:23: tasks[0].files[1]: '{absolute}' is an absolute path; write it relative to the repository: "
        "svc/x.py\n1 error in 1 file\n",
    )


def test_an_absolute_path_outside_the_repository_gets_the_general_fix(project, runner):
    root = project(minimal(**phase("files: [src/a.py]", "files: [/srv/elsewhere/a.py]")))
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.output.splitlines()[0] == (
        f"{P}:11:13: tasks[0].files[0]: '/srv/elsewhere/a.py' is an absolute path; "
        "write it relative to the repository's top folder (e.g. src/app.py)"
    )


def test_files_in_metrics_that_are_not_snapshots_are_named_and_nothing_is_stamped(project, runner):
    files = minimal(
        **{
            "phases/phase-01/metrics/a.json": '{"timestamp": "2025-01-07T09:00:00Z"}',
            "phases/phase-01/metrics/notes.txt": "day 2 went well\n",
            "phases/phase-01/metrics/old/b.json": '{"timestamp": "2025-01-08T09:00:00Z"}',
            "phases/phase-01/metrics/.gitkeep": "",
        }
    )
    root = project(files)
    for _ in range(2):  # the second run is not silenced by a stamp
        result = runner.invoke(main, ["validate", "--project", str(root)])
        assert (result.exit_code, result.stdout) == (0, "ok: 1 phase(s), 2 task(s), 1 snapshot(s)\n")
        assert result.stderr == (
            "warning: phases/phase-01/metrics/notes.txt: not a snapshot (only metrics/*.json files are read); "
            "move it out of metrics/\n"
            "warning: phases/phase-01/metrics/old: a folder, not read; snapshots are the *.json files of metrics/ itself\n"
        )
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert (result.exit_code, result.stdout) == (0, "")
    assert "warning: phases/phase-01/metrics/notes.txt: not a snapshot" in result.stderr


def test_after_phase_may_name_a_phase_before_the_first_the_project_holds(project, runner):
    """Phase 7 after phase 6, tracked before phasedocs came (the shared example): history, not a typo."""
    root = project(example=True)
    assert "after_phase: 6" in (root / "phases/phase-07/phase.yaml").read_text()
    assert runner.invoke(main, ["validate", "--project", str(root), "--no-cache"]).exit_code == 0
