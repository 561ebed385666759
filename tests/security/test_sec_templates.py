"""Templates from pull requests: protocol strings and a project's templates/ stay in the sandbox,
within time and memory, and user text never runs as a command."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import time

import pytest

from conftest import PROJECT_YAML, minimal
from phasedocs.cli import main
from support import edit


def _protocol(line: str) -> dict[str, str]:
    """The demo project with one more 'before' command."""
    project = edit(PROJECT_YAML, "  before: ['gh issue develop {{ task.id }}']", f"  before:\n    - {json.dumps(line)}")
    return minimal(**{"phases/project.yaml": project})


def _validate(runner, root):
    began = time.monotonic()
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    # each of these once took many seconds or gigabytes; a generous bound, not a benchmark
    assert time.monotonic() - began < 10
    return result


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("{{ 'a' * 10**9 }}", "cannot render: repeating a value 1,000,000,000 times is over the limit of 10,000"),
        (
            "{% for i in range(10**9) %}x{% endfor %}",
            "cannot render: an argument of 1,000,000,000 is over the limit of 100,000",
        ),
        (
            "{% for i in range(900) %}{{ i }}{% endfor %}{% for i in range(900) %}{% endfor %}",
            "cannot render: range() may yield 1,000 items in all per template; this one asks for more",
        ),
        ("{{ 10 ** 10 ** 10 }}", "cannot render: 10000000000 ** 10 is over the limit of 2**128"),
        ("{{ 'x'.ljust(10**9) }}", "cannot render: an argument of 1,000,000,000 is over the limit of 100,000"),
        ("{{ '%999999999d' % 1 }}", "cannot render: a format width of 999,999,999 is over the limit of 100,000"),
        (
            "{% set a = task.id ~ task.id ~ task.id ~ task.id %}{% set b = a ~ a ~ a ~ a ~ a ~ a ~ a ~ a %}{% set c = b ~ b ~ b ~ b ~ b ~ b ~ b ~ b %}{% set d = c ~ c ~ c ~ c ~ c ~ c ~ c ~ c %}{{ d ~ d }}",
            "cannot render: a value of more than 10,000 characters is over the limit",
        ),
        (
            "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}{{ f(1) }}",
            "a macro is not allowed here (a protocol string is one command)",
        ),
        (
            "{% for a in phase.tasks %}{% for b in phase.tasks %}x{% endfor %}{% endfor %}",
            "loops nest more than 1 deep here; the limit is 1",
        ),
        (
            '{{ "{0.__class__.__mro__}".format(phase) }}',
            "cannot render: access to attribute '__class__' of 'dict' object is unsafe.",
        ),
        (
            "{% for t in phase.tasks %}{{ t.titel }}{% endfor %}",
            "cannot render: 'dict object' has no attribute 'titel'",
        ),
    ],
)
def test_protocol_strings_are_refused_past_each_limit(project, runner, line, message):
    root = project(_protocol(line))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith("phases/project.yaml:16:7: protocol.before[0]: ")
    assert message in result.output.splitlines()[0]


@pytest.mark.parametrize(
    ("template", "message"),
    [
        (
            "{% macro f(n) %}{{ f(n) }}{{ f(n) }}{% endmacro %}\n{{ f(1) }}",
            "templates/index.md.j2:1: macro 'f' calls itself; recursion is not allowed in templates",
        ),
        (
            "{% macro f() %}{{ g() }}{% endmacro %}{% macro g() %}{{ f() }}{% endmacro %}{{ f() }}",
            "macro 'f' calls itself; recursion is not allowed in templates",
        ),
        (
            "x\n{{ 'x'.ljust(10**9) }}",
            "templates/index.md.j2:2: over a limit: an argument of 1,000,000,000 is over the limit of 100,000",
        ),
        (
            "{{ 'ab' * 10**8 }}",
            "templates/index.md.j2:1: over a limit: repeating a value 100,000,000 times is over the limit of 20,000,000",
        ),
        (
            "{% for a in range(2) %}{% for b in range(2) %}{% for c in range(2) %}{% for d in range(2) %}\n{% for e in range(2) %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}{% endfor %}",
            "templates/index.md.j2:2: loops nest more than 4 deep here; the limit is 4",
        ),
        (
            "{% for a in range(1000) %}{% for b in range(1000) %}{% for c in range(1000) %}{% endfor %}{% endfor %}{% endfor %}",
            "range() may yield 100,000 items in all per template; this one asks for more",
        ),
        (
            "{{ facts.__class__ }}",
            "templates/index.md.j2:1: not allowed: access to attribute '__class__' of 'ProjectFacts' object is unsafe.",
        ),
        ("{{ factz }}", "templates/index.md.j2:1: undefined: 'factz' is undefined"),
        # issue 25, 8: loops over strings, growing lists, and intermediate values
        (
            "{% set s = 'x' * 2000 %}\n{% for a in s %}{% for b in s %}{% endfor %}{% endfor %}",
            "templates/index.md.j2:2: over a limit: loops may run 1,000,000 times in all per template; this one runs more",
        ),
        (
            "{% set l = [] %}{% for a in range(3) %}\n{% set _ = l.append(a) %}{% endfor %}",
            "templates/index.md.j2:2: not allowed: access to attribute 'append' of 'list' object is unsafe.",
        ),
        (
            "{% set d = {} %}{% set _ = d.update({'a': 1}) %}",
            "templates/index.md.j2:1: not allowed: access to attribute 'update' of 'dict' object is unsafe.",
        ),
        (
            "{% set s = 'x' * 10000 %}\n{{ s.replace('x', s) }}",
            "templates/index.md.j2:2: over a limit: replace() would make a value of 100,000,000 characters, over the limit of 20,000,000",
        ),
        (
            "{% set s = 'x' * 10000 %}{{ s | replace('x', s) }}",
            "templates/index.md.j2:1: over a limit: replace() would make a value of 100,000,000 characters, over the limit of 20,000,000",
        ),
        (
            "{% set s = 'x' * 10000 %}{{ ('{0}' * 3000).format(s) }}",
            "templates/index.md.j2:1: over a limit: format() would make a value of 30,009,000 characters, over the limit of 20,000,000",
        ),
        (
            "{% set s = 'x' * 10000 %}{% set l = [s] * 1500 %}{{ (s ~ s).join(l) }}",
            "templates/index.md.j2:1: over a limit: join() would make a value of 44,980,000 characters, over the limit of 20,000,000",
        ),
        (
            "{% set s = 'x' * 10000 %}{% set l = [s] * 1000 %}{{ (l + l + l) | join('') }}",
            "templates/index.md.j2:1: over a limit: a value of more than 20,000,000 characters is over the limit",
        ),
        (
            "{% set s = ('x' * 100 ~ '\n') * 1000 %}{{ s | indent(50000) }}",
            "templates/index.md.j2:2: over a limit: indent() would make a value of 50,151,000 characters, over the limit of 20,000,000",
        ),
    ],
)
def test_a_projects_templates_are_bounded_too(project, runner, template, message):
    root = project(minimal(**{"templates/index.md.j2": template}))
    began = time.monotonic()
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert time.monotonic() - began < 20
    assert result.exit_code == 1
    assert message in result.output
    assert not (root / "docs").exists()


HOSTILE_TITLE = "Build $(touch pwned) `touch pwned2` infra; touch pwned3 'quoted' \"double\" !! \\ end"


def _paste(command: str, cwd) -> list[str]:
    """Run ``command`` as an operator pasting it would, with its program replaced by one that
    prints its arguments; the arguments, one per line."""
    program = command.split()[0]
    proc = subprocess.run(
        ["bash", "-c", f'{program}() {{ printf "%s\\n" "$@"; }}\n' + command], cwd=cwd, capture_output=True, text=True
    )
    assert proc.returncode == 0, proc.stderr
    assert list(cwd.iterdir()) == [], "the command ran something"
    return proc.stdout.splitlines()


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize(
    ("line", "argument"),
    [
        ("tool note --title {{ task.title }}", HOSTILE_TITLE),  # bare
        ('tool note --title "{{ task.title }}"', HOSTILE_TITLE),  # inside double quotes
        ("tool note --title '{{ task.title }}'", HOSTILE_TITLE),  # inside single quotes
        (
            'tool note --title "Task {{ task.id }}: {{ task.title }} (by {{ task.role }})"',
            f"Task 1.1: {HOSTILE_TITLE} (by dev)",
        ),
        ("tool note --title {{ task.title | shell }}", HOSTILE_TITLE),  # the explicit form, not quoted twice
        ("tool note --title {{ ('Task ' ~ task.id ~ ': ' ~ task.title) | shell }}", f"Task 1.1: {HOSTILE_TITLE}"),
    ],
)
def test_user_text_in_a_command_is_text_wherever_it_stands(project, runner, tmp_path, line, argument):
    root = project(_protocol(line))
    phase = root / "phases/phase-01/phase.yaml"
    phase.write_text(edit(phase.read_text(), "title: Alpha", f"title: {json.dumps(HOSTILE_TITLE)}"))
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    task_file = (root / "docs/phase-01/task-1.1-alpha.md").read_text()
    (command,) = [x for x in task_file.splitlines() if x.startswith("tool note")]
    work = tmp_path / "paste"
    work.mkdir()
    assert _paste(command, work) == ["note", "--title", argument]


def test_ordinary_text_reads_as_written_inside_quotes():
    from phasedocs.input.protocol import escape_for

    for context in ("double", "single"):
        assert escape_for("Code Quality & Cleanup (v2)", context) == "Code Quality & Cleanup (v2)"
    assert escape_for("cicd-engineer", "bare") == "cicd-engineer"
    assert escape_for("Code Quality", "bare") == "'Code Quality'"  # one argument, not two


def test_the_quote_context_ends_where_its_quote_closes():
    from phasedocs.input.protocol import check_template, render_string

    ctx = {"task": {"title": "Code Quality"}}
    for source, out in [
        ("note 'x' {{ task.title }}", "note 'x' 'Code Quality'"),  # after '...': bare, quoted whole
        ('note "x" {{ task.title }}', "note \"x\" 'Code Quality'"),  # after "...": bare too
        ("note 'x {{ task.title }}'", "note 'x Code Quality'"),  # inside '...': as written
    ]:
        check_template(source, {"task"})
        assert render_string(source, ctx) == out, source


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
@pytest.mark.parametrize("protocol", ["shipped", "shell"])
def test_commands_built_from_hostile_titles_run_nothing_when_pasted(project, runner, tmp_path, protocol):
    """The example as shipped (FORMAT.md's protocol: titles in double quotes, escaped where they
    stand) and the same commands quoted with the explicit ``| shell`` filter."""
    root = project(example=True)
    text = (root / "phases/project.yaml").read_text()
    assert "| shell" not in text.split("\nprotocol:", 1)[1]
    if protocol == "shell":
        text = edit(
            text,
            """--description "Task {{ task.id }}: {{ task.title }}\"""",
            """--description {{ ("Task " ~ task.id ~ ": " ~ task.title) | shell }}""",
        )
        text = edit(
            text,
            """--message "{{ task.title }}: [progress]\"""",
            """--message {{ (task.title ~ ": [progress]") | shell }}""",
        )
        text = edit(
            text,
            "--type {{ task.role }} --task-file {{ task.file }}",
            "--type {{ task.role | shell }} --task-file {{ task.file | shell }}",
        )
        (root / "phases/project.yaml").write_text(text)
    phase = root / "phases/phase-07/phase.yaml"
    text = phase.read_text()
    assert "    title: Build Infrastructure\n" in text
    phase.write_text(edit(text, "    title: Build Infrastructure\n", f"    title: {json.dumps(HOSTILE_TITLE)}\n", 1))
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert result.exit_code == 0, result.output
    task_file = (root / "docs/phase-07/task-7.1-build-infra.md").read_text()
    commands = [line for line in task_file.splitlines() if line.startswith("npx ")]
    assert len(commands) >= 5
    work = tmp_path / "paste"
    work.mkdir()
    printed = [_paste(command, work) for command in commands]
    assert ["claude-flow@alpha", "hooks", "pre-task", "--description", f"Task 7.1: {HOSTILE_TITLE}"] in printed
    assert ["claude-flow@alpha", "hooks", "notify", "--message", f"{HOSTILE_TITLE}: [progress]"] in printed


def test_the_example_and_the_scaffold_validate(project, runner, tmp_path):
    assert runner.invoke(main, ["validate", "--project", str(project(example=True)), "--no-cache"]).exit_code == 0
    assert runner.invoke(main, ["init", str(tmp_path / "new")]).exit_code == 0
    assert runner.invoke(main, ["validate", "--project", str(tmp_path / "new"), "--no-cache"]).exit_code == 0


def test_internals_are_refused_by_subscript_too_and_a_computed_key_is_left_to_the_sandbox():
    from phasedocs.input.protocol import ProtocolError, check_template

    with pytest.raises(ProtocolError, match=r"^'__class__' reaches for Python internals and is not allowed"):
        check_template('{{ task["__class__"] }}', {"task"})
    check_template("{{ task[task.id] }}", {"task"})  # no constant to judge: the sandbox decides at render time


def test_a_render_has_a_time_budget(project, runner, monkeypatch):
    from phasedocs import sandbox

    monkeypatch.setattr(sandbox, "RENDER_SECONDS", -1.0, raising=False)  # already over: no waiting in a test
    root = project(minimal(**{"templates/index.md.j2": "# Index\n{% for t in ['a', 'b'] %}{{ t }}{% endfor %}\n"}))
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert result.exit_code == 1
    # the first document rendered is refused, naming its template and line
    assert re.fullmatch(
        r"templates/[A-Za-z-]+\.md\.j2:[0-9]+: over a limit: rendering took more than the -1 seconds a template may take\n",
        result.output,
    ), result.output
    assert not (root / "docs").exists()


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ('note "$(echo {{ task.title }})"', "{{ task.title }} stands after $( ), backticks"),
        ('note "`echo {{ task.title }}`"', "{{ task.title }} stands after $( ), backticks"),
        ("note $'{{ task.title }}'", "{{ task.title }} stands after $( ), backticks"),
        ('note "${X:-{{ task.title }}}"', "{{ task.title }} stands after $( ), backticks"),
        ("note <(echo {{ task.title }})", "{{ task.title }} stands after $( ), backticks"),
        ('note "{{ task.title | shell }}"', "{{ task.title | shell }} stands inside double quotes, which undo"),
        ("note '{{ task.title | shell }}'", "{{ task.title | shell }} stands inside single quotes, which undo"),
        ("bash -c 'note {{ task.title }}'", "{{ task.title }} stands in the arguments of 'bash', which reads them"),
        ('x && sh -c "note {{ task.title }}"', "{{ task.title }} stands in the arguments of 'sh', which reads them"),
        ("ssh host \"note '{{ task.title }}'\"", "{{ task.title }} stands in the arguments of 'ssh', which"),
        ("tmux send-keys -t s '{{ task.title }}' Enter", "{{ task.title }} stands in the arguments of 'tmux'"),
        ("eval note {{ task.title }}", "{{ task.title }} stands in the arguments of 'eval', which reads them"),
        ("env X=1 /bin/zsh -c 'note {{ task.title }}'", "{{ task.title }} stands in the arguments of 'zsh'"),
    ],
)
def test_a_value_where_its_escaping_cannot_be_proven_is_refused(project, runner, line, message):
    root = project(_protocol(line))
    result = _validate(runner, root)
    assert result.exit_code == 1
    assert result.output.splitlines()[0].startswith(f"phases/project.yaml:16:7: protocol.before[0]: {message}")


@pytest.mark.skipif(shutil.which("bash") is None, reason="needs bash")
def test_templates_that_validate_run_no_hostile_value(tmp_path):
    """Random templates of quoting patterns x hostile values, run in a real bash: either the
    template is refused, or nothing the value says runs."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    from phasedocs.input.protocol import ProtocolError, check_template, render_string

    patterns = [
        "{v}",
        '"{v}"',
        "'{v}'",
        '"x {v} y"',
        "'x {v} y'",
        "pre{v}post",
        '"$(echo {v})"',
        "$(echo {v})",
        '"`echo {v}`"',
        "$'{v}'",
        '"${{X:-{v}}}"',
        "<<EOF\n{v}\nEOF",
        '"{s}"',
        "'{s}'",
        "{s}",
        '"a" {v}',
        "'a' {v}",
        '"$HOME" {v}',
        "\"$(date)\" '{v}'",
        "; bash -c '{v}'",
        '; bash -c "echo {v}"',
        "; bash -c 'printf %s \"$1\"' _ {v}",
        "; X={v} bash -c 'printf %s \"$X\"'",
        "; eval {v}",
        "; sh -c {v}",
    ]
    payloads = [
        "$(touch PWNED)",
        "`touch PWNED`",
        "'; touch PWNED; '",
        '"; touch PWNED; "',
        "a\ntouch PWNED",
        "x && touch PWNED",
        "'\"'\"'$(touch PWNED)'\"'\"'",
        "\\$(touch PWNED)",
        "é $(touch PWNED) ü",
        "!!",
    ]
    work = tmp_path / "run"
    work.mkdir()

    @settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
    @given(st.lists(st.sampled_from(patterns), min_size=1, max_size=3), st.sampled_from(payloads), st.text(max_size=4))
    def check(parts, payload, junk):
        source = "printf %s " + " ".join(p.format(v="{{ task.title }}", s="{{ task.title | shell }}") for p in parts)
        try:
            check_template(source, {"task"})
        except ProtocolError:
            return
        command = render_string(source, {"task": {"title": payload + junk}})
        subprocess.run(["bash", "-c", command], cwd=work, capture_output=True, timeout=10)
        assert not (work / "PWNED").exists(), command

    check()
