"""Rendered documents: golden files, escaping, overrides, template errors, no leaks."""

from __future__ import annotations

import re
from html import unescape
from pathlib import Path

import markdown
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import REPO, compare_golden, documents, minimal
from phasedocs.cli import main
from phasedocs.render.filters import code, fence, md, tidy
from support import PROTOCOL, alpha, beta, criterion, edit, phase_yaml, project_yaml

GOLDEN = REPO / "tests" / "golden" / "eventmesh"
EXTENSIONS = ["tables", "attr_list", "admonition", "pymdownx.superfences", "pymdownx.tasklist", "md_in_html"]


def generate(runner, root: Path, out: Path | None = None, *args: str):
    out = out or root / "docs"
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), *args])
    return result, out


def test_golden_files(generated, update_golden):
    compare_golden(documents(generated(example=True) / "docs"), GOLDEN, update_golden)


def test_the_output_set_is_complete(generated):
    out = generated(example=True) / "docs"
    names = set(documents(out))
    assert names == {
        "index.md",
        "roadmap.md",
        "feed.xml",
        "status.json",
        "phase-07/badge.json",
        *(
            f"phase-07/{d}"
            for d in (
                "README.md",
                "COORDINATION-SUMMARY.md",
                "AGENT-BRIEFING.md",
                "COORDINATION-DASHBOARD.md",
                "COORDINATOR-HANDOFF.md",
                "COMPLETION-REPORT.md",
                "final-metrics.json",
            )
        ),
        "phase-07/task-7.1-build-infra.md",
        "phase-07/task-7.2-config-system.md",
        "phase-07/task-7.3-code-quality.md",
        "phase-07/task-7.4-release-prep.md",
    }


def test_example_says_2_4_days_and_never_3_4(generated):
    out = generated(example=True) / "docs"
    readme = (out / "phase-07/README.md").read_text()
    assert "**Planned duration:** 2.4 days (critical path: 7.1 and 7.2 in parallel)." in readme
    assert "**Planned completion:** 2025-10-25 17:36 UTC." in readme
    for rel, data in documents(out).items():
        assert b"3.4 days" not in data, rel
        # 7.1 and 7.2 run side by side: written as a chain they would read as 4.8 days
        assert "7.1 → 7.2".encode() not in data, rel


def cramped_headings(text: str) -> list[str]:
    """Headings (outside code fences) without a blank line before them."""
    found, fenced, previous = [], False, ""
    for line in text.splitlines():
        if line.startswith(("```", "~~~")):
            fenced = not fenced
        elif not fenced and line.startswith("#") and previous.strip():
            found.append(f"{previous!r} -> {line!r}")
        previous = line
    return found


@pytest.mark.parametrize("optional", ["kept", "dropped", "finished"])
def test_every_heading_starts_its_own_block(project, runner, optional):
    import yaml

    root = project(example=True)
    if optional == "finished":  # the reports' done-phase sections
        (root / "phases/phase-07/metrics/zz-final.json").write_text(
            '{"timestamp": "2025-10-26T09:00:00Z", "kind": "final", "metrics": {"clippy_warnings": 30},'
            ' "tasks": {"7.1": "complete", "7.2": "complete", "7.3": "complete", "7.4": "complete"}}'
        )
    if optional == "dropped":  # each optional section absent: what precedes the next heading changes
        path = root / "phases/phase-07/phase.yaml"
        data = yaml.safe_load(path.read_text())
        for key in ("references", "troubleshooting", "tips", "deliverables", "success_criteria", "summary"):
            data.pop(key, None)
        path.write_text(yaml.safe_dump(data, sort_keys=False))
    result, out = generate(runner, root)
    assert result.exit_code == 0, result.output
    for rel, data in documents(out).items():
        if rel.endswith(".md"):
            assert cramped_headings(data.decode()) == [], rel


def test_handoff_command_prints_the_generated_document_with_links_from_the_project(generated, runner):
    root = generated(example=True)
    out = root / "docs"
    result = runner.invoke(main, ["handoff", "7", "--project", str(root)])
    assert (result.exit_code, result.stderr) == (0, "")
    generated = (out / "phase-07/COORDINATOR-HANDOFF.md").read_text()
    assert "](COORDINATION-DASHBOARD.md)" in generated
    # read away from the package, each link names its file from the project, as the commands do
    assert result.stdout == re.sub(r"\]\((?![#]|https?:)([^)\s]+)\)", r"](docs/phase-07/\1)", generated)


def test_a_printed_handoff_names_files_from_the_project_and_says_when_they_are_missing(project, runner):
    root = project(minimal(**SPAWN))  # a fresh clone: docs/ (ignored by git) was never generated
    result = runner.invoke(main, ["handoff", "1", "--project", str(root)])
    assert result.exit_code == 0
    assert _spawned_files(result.stdout) == ["docs/phase-01/task-1.1-alpha.md"]
    assert "[task-1.1-alpha.md](docs/phase-01/task-1.1-alpha.md)" in result.stdout
    assert "[dashboard](docs/phase-01/COORDINATION-DASHBOARD.md)" in result.stdout
    assert result.stderr == (
        "note: the handoff names 2 task file(s) missing or out of date here (first: docs/phase-01/task-1.1-alpha.md); "
        "run `phasedocs generate` before launching, or `phasedocs handoff 1 --output FILE` to write the task files "
        "beside FILE\n"
    )
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    result = runner.invoke(main, ["handoff", "1", "--project", str(root)])
    assert (result.exit_code, result.stderr) == (0, "")
    assert all((root / n).is_file() for n in _spawned_files(result.stdout))
    # an edit to the data after generate: the task file named is out of date again
    phase = root / "phases/phase-01/phase.yaml"
    phase.write_text(edit(phase.read_text(), "title: Alpha", "title: Alpha two"))
    result = runner.invoke(main, ["handoff", "1", "--project", str(root)])
    assert "missing or out of date" in result.stderr


def test_handoff_output_file_is_written_and_foreign_file_refused(project, runner, tmp_path):
    root = project(example=True)
    target = tmp_path / "handoff.md"
    assert runner.invoke(main, ["handoff", "07", "--project", str(root), "--output", str(target)]).exit_code == 0
    assert target.read_text().startswith("# Phase 7: Coordinator Handoff\n")
    mine = tmp_path / "mine.md"
    mine.write_text("my notes\n")
    result = runner.invoke(main, ["handoff", "7", "--project", str(root), "--output", str(mine)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {mine} exists and is not a handoff of this phase; choose another file or use --force\n",
    )
    assert mine.read_text() == "my notes\n"


def test_handoff_unknown_phase(project, runner):
    result = runner.invoke(main, ["handoff", "9", "--project", str(project(example=True))])
    assert (result.exit_code, result.output) == (1, "Error: no phase 9 in this project (phases: 7)\n")


# ----------------------------------------------------------------------------- another project
OTHER_PROJECT = """\
name: Harbor
summary: Container registry rewrite
coordinator: Platform Lead
operator: On-call Engineer
calendar: workdays
timezone: Europe/Berlin
metrics:
  p95_latency: {label: P95 Latency, unit: seconds, better: lower}
  coverage: {label: Coverage, unit: percent, better: higher}
protocol:
  session: 'harbor-{{ phase.number }}'
  memory_key: 'harbor/{{ phase.number }}/{{ task.key }}'
  before: ['gh issue develop {{ task.id }} --checkout']
  during: ['gh pr comment --body {{ (task.title ~ ": progress") | shell }}']
  after: ['gh pr ready']
  monitor: ['gh pr list --label phase-{{ phase.number }}']
  spawn: 'gh workflow run agent.yml -f task={{ task.id }}'
  monitor_every_minutes: 30
"""


def harbor_phase(n: int) -> str:
    return f"""\
number: {n}
title: Stage {n}
created: 2025-03-03T08:00:00+01:00
start: 2025-03-03T08:00:00+01:00
summary: Storage backend work, stage {n}.
tasks:
  - id: "S{n}"
    slug: storage
    title: Storage Driver
    role: storage-engineer
    agent: Storage Engineer
    duration_days: 3
    files: [pkg/storage]
    criteria:
      - text: Fast reads
        metric: p95_latency
        target: "<= 0.2"
  - id: "A{n}"
    slug: api
    title: API Layer
    role: api-engineer
    duration_days: 2
    files: [pkg/storage/api.go]
  - id: "R{n}"
    slug: release
    title: Release
    role: release-manager
    duration_days: 1
    depends_on: ["S{n}", "A{n}"]
"""


def test_another_project_leaks_nothing_of_the_example(project, runner):
    root = project(
        {
            "phases/project.yaml": OTHER_PROJECT,
            "phases/phase-01/phase.yaml": harbor_phase(1),
            "phases/phase-02/phase.yaml": harbor_phase(2),
            "phases/phase-01/metrics/a.json": '{"timestamp": "2025-03-03T08:00:00+01:00", "kind": "baseline", "metrics": {"p95_latency": 0.4}, "tasks": {"S1": "in_progress"}}',
        }
    )
    result, out = generate(runner, root)
    assert result.exit_code == 0, result.output
    text = "\n".join(v.decode() for v in documents(out).values())
    for word in (
        "claude-flow",
        "npx",
        "EventMesh",
        "riptide",
        "Riptide",
        "clippy",
        "swarm",
        "Phase 7",
        "7.1",
        "cicd-engineer",
    ):
        assert word not in text, word
    brief = (out / "phase-01/AGENT-BRIEFING.md").read_text()
    assert "gh issue develop S1 --checkout" in brief
    assert "**Memory key:** `harbor/1/storage` · **Session:** `harbor-1`" in brief
    summary = (out / "phase-01/COORDINATION-SUMMARY.md").read_text()
    assert "| Planned start | 2025-03-03 08:00 CET |" in summary
    # 3 working days from Monday 08:00 CET, then release 1 day: Friday 08:00 CET
    assert "| Planned completion | 2025-03-07 08:00 CET |" in summary
    assert (
        "Tasks S1 and A1 may run at the same time and both touch `pkg/storage` "
        "(the folder, and `pkg/storage/api.go` in it): agree who edits first, or merge through git." in summary
    )
    index = (out / "index.md").read_text()
    assert "| [Phase 2: Stage 2](phase-02/README.md) | 📋 planned | 0/3 (0%) |" in index
    assert "| [Phase 1: Stage 1](phase-01/README.md) | 🔄 active | 0/3 (0%) |" in index


# ----------------------------------------------------------------------------- escaping
HOSTILE = "A|B\nC `x` <script>alert(1)</script> [x](javascript:alert(1)) {{ 7*7 }}"


def test_hostile_title_renders_as_literal_text(project, runner):
    phase = phase_yaml([alpha(title=HOSTILE), beta()])
    _, out = generate(runner, project(minimal(**{"phases/phase-01/phase.yaml": phase})))
    readme = (out / "phase-01/README.md").read_text()
    escaped = r"A\|B C \`x\` &lt;script>alert(1)&lt;/script> \[x\](javascript:alert(1)) \{\{ 7\*7 \}\}"
    assert (
        f"| [1.1 {escaped}](task-1.1-alpha.md) **critical** | dev (`dev`) | 2 days | day 0 to 2 | 0 days | 🟢 ready: can start now |"
        in readme
    )
    html = markdown.markdown(readme, extensions=EXTENSIONS)
    assert "<script" not in html
    assert not re.search(r"""\bhref\s*=\s*["']?\s*javascript:""", html, re.I)  # no script link, in any tag
    assert "[x](javascript:alert(1))" in html  # the text is there, as text
    row = next(tr for tr in re.findall(r"<tr>(.*?)</tr>", html, re.S) if "alpha" in tr)
    assert row.count("<td") == 6  # the pipe did not split the cell


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("plain", "plain"),
        ("a|b", r"a\|b"),
        ("<b>", "&lt;b>"),
        ("&lt;", "&amp;lt;"),
        ("Q & A", "Q & A"),
        ("- item", r"\- item"),
        ("1. first", r"1\. first"),
        ("7.1", "7.1"),
        ("> quote", r"\> quote"),
        ("# head", r"\# head"),
        ("line\nbreak", "line break"),
        ("{{ 7*7 }}", r"\{\{ 7\*7 \}\}"),
        ("==", "&#61;="),
        ("a = b", "a = b"),
        ("[x](javascript:alert(1))", r"\[x\](javascript:alert(1))"),
    ],
)
def test_md(text, expected):
    assert md(text) == expected


def plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", "", html))).strip()


@pytest.mark.fuzz
@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=60))
def test_md_round_trips_through_markdown(text):
    html = markdown.markdown(f"x {md(text)} x", extensions=EXTENSIONS)
    visible = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)
    assert plain(html) == re.sub(r"\s+", " ", f"x {visible.strip()} x").strip()
    assert "<a " not in html and "<script" not in html


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.text(alphabet=st.characters(blacklist_categories=("Cs", "Cc")), max_size=20), min_size=3, max_size=3)
)
def test_table_cells_keep_the_column_count(cells):
    table = "| a | b | c |\n|---|---|---|\n| " + " | ".join(md(c) or "-" for c in cells) + " |\n"
    html = markdown.markdown(table, extensions=EXTENSIONS)
    assert html.count("<td") == 3


@given(st.text(max_size=40))
def test_code_span_holds_any_text(text):
    text = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", "", text)  # dropped by code()
    html = markdown.markdown(code(text), extensions=EXTENSIONS)
    if text.strip():
        assert html.count("<code>") == 1
        assert unescape(re.sub(r"</?(p|code)>", "", html)) == re.sub(r"\s+", " ", text).strip()
    else:
        assert html == "<p>—</p>"


@pytest.mark.fuzz
@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\r"), max_size=30),
        min_size=1,
        max_size=4,
    )
)
def test_fence_holds_any_lines(lines):
    block = fence(lines, "bash")
    html = markdown.markdown(block, extensions=EXTENSIONS)
    assert html.count("<code") == 1


def test_a_phase_without_criteria_says_so(project, runner):

    bare = phase_yaml([alpha(criteria=None), beta()])
    assert "criteria" not in bare
    result, out = generate(runner, project(minimal(**{"phases/phase-01/phase.yaml": bare})), None, "-q")
    assert result.exit_code == 0, result.output
    for page in ("COORDINATION-DASHBOARD.md", "COORDINATION-SUMMARY.md"):
        assert "| Criteria | none defined |" in (out / "phase-01" / page).read_text(), page
    assert "Criteria: none defined." in (out / "phase-01/COMPLETION-REPORT.md").read_text()


def test_a_code_span_is_longer_than_any_run_of_backticks_inside_and_padded_at_a_backtick_edge():
    assert code("make test") == "`make test`"
    assert code("a `b` c") == "``a `b` c``"
    assert code("x``") == "``` x`` ```"
    assert code("`x") == "`` `x ``"
    assert code("") == "—"


def test_a_fence_is_longer_than_any_run_of_backticks_inside():
    assert fence(["make", "echo ``"], "bash") == "```bash\nmake\necho ``\n```"
    assert fence("make") == "```bash\nmake\n```"  # shell commands unless told otherwise
    assert fence(["```", "`````x"], "text") == "``````text\n```\n`````x\n``````"


def test_tidy():
    assert tidy("a\n\n\n\nb  \n```\nx\n\n\ny\n```\n\n\n") == "a\n\nb\n```\nx\n\n\ny\n```\n"


# ----------------------------------------------------------------------------- templates
def test_a_line_holding_only_a_block_tag_leaves_no_trace(project, runner):
    template = "# Tasks\n  {% for t in p.tasks %}\n- {{ t.id }}\n  {% endfor %}\nend\n"
    _, out = generate(runner, project(minimal(**{"templates/README.md.j2": template})))
    assert (out / "phase-01/README.md").read_text() == "# Tasks\n- 1.1\n- 1.2\nend\n"


def test_project_template_overrides_a_builtin(project, runner):
    root = project(
        minimal(**{"templates/README.md.j2": "# {{ p.phase.title | md }} has {{ p.tasks | length }} tasks\n"})
    )
    _, out = generate(runner, root)
    assert (out / "phase-01/README.md").read_text() == "# First has 2 tasks\n"
    assert (out / "phase-01/AGENT-BRIEFING.md").read_text().startswith("# Phase 1: Agent Briefing")


def test_templates_are_compiled_once_a_process_and_again_once_edited(project, runner, monkeypatch):
    """A long-lived process (serve, the plugin's rebuilds) compiles each template once, shared
    by every run's environment; an edited template is compiled from its new text, and one the
    sandbox refuses is refused on every run."""
    from phasedocs.render import renderer
    from phasedocs.sandbox import LimitedSandbox

    compiled: list[str] = []
    real = LimitedSandbox.compile

    def spy(self, source, name=None, *args, **kwargs):
        if name is not None:  # the documents' templates (protocol strings have no name)
            compiled.append(name)
        return real(self, source, name, *args, **kwargs)

    monkeypatch.setattr(LimitedSandbox, "compile", spy)
    monkeypatch.setattr(renderer, "COMPILED", renderer.CompiledTemplates())  # none from earlier tests
    readme = "templates/README.md.j2"
    root = project(minimal(**{readme: "# {{ p.phase.title | md }} once\n"}))
    result, out = generate(runner, root, None, "--force")
    assert result.exit_code == 0, result.output
    assert {"README.md.j2", "AGENT-BRIEFING.md.j2", "task.md.j2"} <= set(compiled)
    assert len(compiled) == len(set(compiled))  # each once, though a task file is rendered per task
    compiled.clear()
    result, out = generate(runner, root, None, "--force")
    assert (result.exit_code, compiled) == (0, [])
    (root / readme).write_text("# {{ p.phase.title | md }} edited\n")
    result, out = generate(runner, root, None, "--force")
    assert (result.exit_code, compiled) == (0, ["README.md.j2"])
    assert (out / "phase-01/README.md").read_text() == "# First edited\n"
    (root / readme).write_text("# ok\n{% if %}\n")
    for _ in range(2):
        result, _ = generate(runner, root, None, "--force")
        assert (result.exit_code, result.output) == (
            1,
            "templates/README.md.j2:2: Expected an expression, got 'end of statement block'\n",
        )


def test_template_typo_names_template_and_line(project, runner):
    root = project(minimal(**{"templates/README.md.j2": "# ok\n\n{{ p.phase.titel }}\n"}))
    result, out = generate(runner, root)
    assert result.exit_code == 1
    assert (
        result.output
        == "templates/README.md.j2:3: undefined: 'phasedocs.input.models.Phase object' has no attribute 'titel'\n"
    )
    assert not out.exists()


def test_template_syntax_error_names_template_and_line(project, runner):
    root = project(minimal(**{"templates/README.md.j2": "# ok\n{% if %}\n"}))
    result, _ = generate(runner, root)
    assert (result.exit_code, result.output) == (
        1,
        "templates/README.md.j2:2: Expected an expression, got 'end of statement block'\n",
    )


def test_templates_cannot_reach_python_internals(project, runner):
    root = project(minimal(**{"templates/README.md.j2": "{{ p.__class__.__mro__ }}\n"}))
    result, _ = generate(runner, root)
    assert (result.exit_code, result.output) == (
        1,
        "templates/README.md.j2:1: not allowed: access to attribute '__class__' of 'PhaseFacts' object is unsafe.\n",
    )


def test_completion_report_tells_the_truth_about_a_regression(project, runner):
    phase = phase_yaml([alpha(criteria=[criterion("Few warnings", "warnings", "< 20")]), beta()])
    root = project(
        minimal(
            **{
                "phases/phase-01/phase.yaml": phase,
                "phases/phase-01/metrics/a.json": '{"timestamp": "2025-01-06T09:00:00Z", "kind": "baseline", "metrics": {"warnings": 12}}',
                "phases/phase-01/metrics/b.json": '{"timestamp": "2025-01-09T09:00:00Z", "kind": "final", "metrics": {"warnings": 34}, '
                '"tasks": {"1.1": "complete", "1.2": "complete"}}',
            }
        )
    )
    _, out = generate(runner, root)
    report = (out / "phase-01/COMPLETION-REPORT.md").read_text()
    assert "All 2 tasks are complete: finished 2025-01-09 09:00 UTC, on time." in report
    assert "Criteria: 1 missed." in report
    assert "| Few warnings | &lt; 20 | 12 | 34 | +183.3% | ❌ missed |" in report
    assert '!!! failure "1 criterion missed"\n    - 1.1: Few warnings (target &lt; 20, achieved 34)' in report
    dashboard = (out / "phase-01/COORDINATION-DASHBOARD.md").read_text()
    assert (
        '!!! failure "Missed: Few warnings"\n    1.1 is complete, but the target &lt; 20 was not reached: current 34.'
        in dashboard
    )
    assert "Not met yet" not in dashboard


def test_the_example_at_baseline_says_nothing_is_missed_started_or_ticked(generated):
    out = generated(example=True) / "docs"
    for rel, data in documents(out).items():
        text = data.decode()
        # no criterion can be missed before its work ends: no ❌, no "missed" state, no failure box
        assert "❌" not in text and '"state": "missed"' not in text and "!!! failure" not in text, rel
    dashboard = (out / "phase-07/COORDINATION-DASHBOARD.md").read_text()
    # 7.3's "Clippy warnings below 20" holds at baseline, but 7.3 has not started: not met, on track so far
    assert (
        "| 7.3 | Clippy warnings below 20 workspace-wide | &lt; 20 | 12 | 12 | 0% | 🔵 on track so far |" in dashboard
    )
    assert "✅" not in dashboard
    assert "| [7.3 Code Quality](task-7.3-code-quality.md) (Code Reviewer) | 🟢 ready: can start now |" in dashboard
    report = (out / "phase-07/COMPLETION-REPORT.md").read_text()
    assert "The phase has not started" in report


@pytest.mark.parametrize(
    ("v", "unit", "shown"),
    [
        (None, "count", "TBD"),
        (True, "count", "yes"),
        ("626/630", "ratio", "626/630"),
        ("v1.*2*", "text", "v1.\\*2\\*"),
        (0.5, "ratio", "50%"),
        (95, "percent", "95%"),
        (1.5, "seconds", "1.5 s"),
    ],
)
def test_a_value_in_its_unit(v, unit, shown):
    from phasedocs.render.filters import value

    assert value(v, unit) == shown


def test_health_words_and_a_dash_for_none():
    from phasedocs.render.filters import HEALTH, health

    assert (health(None), health(""), health("nonsense")) == ("—", "—", "—")
    assert all(health(key) == words for key, words in HEALTH.items())


def test_trend_arrows_say_which_way_and_whether_better():
    from types import SimpleNamespace

    from phasedocs.render.filters import trend

    def m(way, improving):
        return SimpleNamespace(trend=way, improving=improving)

    assert [trend(m("up", True)), trend(m("down", False)), trend(m("flat", None)), trend(m(None, None))] == [
        "↑ better",
        "↓ worse",
        "→",
        "—",
    ]


def test_the_protocol_scope_of_the_project_a_phase_and_its_tasks(project):
    from phasedocs.input.project import load_project
    from phasedocs.input.protocol import scope

    loaded = load_project(project(minimal()))
    ctx = scope(loaded.config, loaded.phases[0].phase, "out/docs/")
    assert ctx["project"] == {
        "name": "Demo",
        "summary": "A small demo project",
        "coordinator": "Lead",
        "operator": "Ops",
        "repo_url": "",
    }
    phase = ctx["phase"]
    assert {k: v for k, v in phase.items() if k != "tasks"} == {
        "number": 1,
        "folder": "phase-01",
        "docs": "out/docs/phase-01",
        "title": "First",
        "summary": "",
    }
    assert phase["tasks"][1] == {
        "id": "1.2",
        "slug": "beta",
        "key": "beta",  # the memory key: the slug unless the task names one
        "title": "Beta",
        "role": "dev",
        "agent": "dev",
        "goal": "",
        "duration_days": 1,
        "depends_on": ["1.1"],
        "assignees": [],  # the agents that run it (with agents: and assignee:)
        "file": "out/docs/phase-01/task-1.2-beta.md",
        "links": {},  # a task's links: none given
    }


def _spawned_files(text: str) -> list[str]:
    """The task files that a document's spawn commands name."""
    return re.findall(r"agent --task-file (\S+?)`?$", text, re.M)


SPAWN = {"phases/project.yaml": project_yaml(protocol={**PROTOCOL, "spawn": "agent --task-file {{ task.file }}"})}


@pytest.mark.parametrize("where", ["in the project", "outside the project"])
def test_a_handoff_written_on_its_own_writes_the_task_files_its_commands_name(project, runner, tmp_path, where):
    root = project(minimal(**SPAWN))  # a fresh clone: docs/ (ignored by git) was never generated
    out = (root / "handoffs" if where == "in the project" else tmp_path / "elsewhere") / "HANDOFF.md"
    result = runner.invoke(main, ["handoff", "1", "--project", str(root), "--output", str(out)])
    assert result.exit_code == 0, result.output
    folder = out.parent / "HANDOFF-tasks"
    assert result.output == f"wrote {out} and, in {folder}, the 2 task file(s) its commands name\n"
    text = out.read_text()
    named = _spawned_files(text)
    assert named == (
        ["handoffs/HANDOFF-tasks/task-1.1-alpha.md"] if where == "in the project" else [f"{folder}/task-1.1-alpha.md"]
    )
    # commands run in the project; every file they name is there, and is the task's document
    assert all((root / n).read_text().startswith("# Task 1.1: Alpha") for n in named)
    assert "[task-1.1-alpha.md](HANDOFF-tasks/task-1.1-alpha.md)" in text  # its link too
    assert not (root / "docs").exists()


def test_with_a_site_url_commands_name_the_published_task_pages_everywhere(project, runner, tmp_path):
    root = project(minimal(**SPAWN, **{"site_config/site.yaml": "site_url: https://acme.example/plans/\n"}))
    page = "https://acme.example/plans/phase-01/task-1.1-alpha/"
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    assert _spawned_files((root / "docs/phase-01/COORDINATOR-HANDOFF.md").read_text()) == [page]
    printed = runner.invoke(main, ["handoff", "1", "--project", str(root)]).output
    assert _spawned_files(printed) == [page]
    out = tmp_path / "HANDOFF.md"
    result = runner.invoke(main, ["handoff", "1", "--project", str(root), "--output", str(out)])
    assert (result.exit_code, result.output) == (0, "")
    assert _spawned_files(out.read_text()) == [page] and not (tmp_path / "HANDOFF-tasks").exists()


def test_a_foreign_file_where_a_task_file_goes_refuses_the_whole_handoff(project, runner, tmp_path):
    root = project(minimal(**SPAWN))
    out = tmp_path / "HANDOFF.md"
    mine = tmp_path / "HANDOFF-tasks/task-1.2-beta.md"
    mine.parent.mkdir()
    mine.write_text("my notes\n")
    result = runner.invoke(main, ["handoff", "1", "--project", str(root), "--output", str(out)])
    assert (result.exit_code, result.output) == (
        1,
        f"Error: {mine} exists and is not this task's file; choose another file or use --force\n",
    )
    assert not out.exists() and sorted(p.name for p in mine.parent.iterdir()) == ["task-1.2-beta.md"]
