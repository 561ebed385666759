"""Hostile strings in every text field: no traceback, nothing written outside, no live markup."""

from __future__ import annotations

import json
import re
from pathlib import Path

import markdown
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import PROJECT_YAML, tree
from phasedocs.cli import main
from phasedocs.errors import PhasedocsError
from phasedocs.site.build import build
from support import LiveMarkup, edit, live_markup

pytestmark = pytest.mark.fuzz

FRAGMENTS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "</title><svg onload=alert(1)>",
    '"><b onmouseover=alert(1)>',
    "' onfocus='alert(1)",
    "&lt;img src=x onerror=alert(1)&gt;",
    "&#60;script&#62;alert(1)",
    "[x](javascript:alert(1))",
    "<a href=javascript:alert(1)>x</a>",
    "$(touch pwned)",
    "`touch pwned`",
    "; rm -rf ~",
    "{{ 7*7 }}",
    "{% raw %}",
    "{#",
    "| a | b |",
    "\n# heading\n",
    "```",
    "~~~",
    "<!--",
    "-->",
    "$\\frac{1}{2}$",
    "$5 and $10",
    "\\",
    "*_[]",
    "=====",
    "1. list",
    "> quote",
    "- item",
    "<br/>",
    "#34;",
    "%s%d",
    "\u202e",
    "\x00",
    "\x1b[31m",
    "ü",
    "𝕏",
    "\t",
]
hostile = st.lists(st.sampled_from(FRAGMENTS) | st.text(min_size=1, max_size=12), min_size=1, max_size=4).map("".join)
text = hostile.filter(lambda s: s.strip() and "\x00" not in s)


def project_files(t: list[str]) -> dict[str, str]:
    """A small project with a hostile string in each free-text field (JSON is YAML)."""

    def j(value: object) -> str:  # YAML reads JSON, but not its surrogate-pair escapes nor raw C1 controls
        return re.sub(r"[\x7f-\x9f]", lambda m: f"\\u{ord(m.group()):04x}", json.dumps(value, ensure_ascii=False))

    project = edit(
        edit(PROJECT_YAML, "name: Demo", f"name: {j(t[0])}"), "summary: A small demo project", f"summary: {j(t[1])}"
    )
    project = edit(
        edit(project, "coordinator: Lead", f"coordinator: {j(t[2])}"), "operator: Ops", f"operator: {j(t[3])}"
    )
    phase = {
        "number": 1,
        "title": t[4],
        "summary": t[5],
        "created": "2025-01-06T09:00:00Z",
        "start": "2025-01-06T09:00:00Z",
        "tasks": [
            {
                "id": "1.1",
                "slug": "alpha",
                "title": t[6],
                "role": t[7],
                "agent": t[8],
                "goal": t[9],
                "duration_days": 2,
                "objectives": [{"title": t[10], "steps": [t[11]]}],
                "deliverables": [t[12]],
                "files": [t[13]],
                "criteria": [
                    {"text": t[14], "metric": "warnings", "target": "< 10"},
                    {"text": t[15], "metric": "version", "target": "== 1.0"},
                ],
            },
            {
                "id": "1.2",
                "slug": "beta",
                "title": t[16],
                "role": "dev",
                "duration_days": 1,
                "depends_on": ["1.1"],
                "files": [t[13]],
                "criteria": [{"text": t[17], "id": "reviewed"}],
            },
        ],
        "success_criteria": [{"text": t[18], "metric": "warnings", "target": "< 20"}],
        "deliverables": [t[19]],
        "tips": [t[20]],
        "troubleshooting": [{"problem": t[21], "fixes": [t[22]]}],
        "references": [{"title": t[23], "path": t[24]}, {"title": t[25], "url": "https://example.com/x"}],
    }
    snapshot = {
        "timestamp": "2025-01-07T09:00:00Z",
        "label": t[26],
        "kind": "baseline",
        "metrics": {"warnings": 12, "version": t[27]},
        "tasks": {"1.1": "in_progress"},
        "checks": {"reviewed": False},
    }
    # notes reach the dashboard, the handoff and the task pages: a blocker's reason, an update's note
    later = {
        "timestamp": "2025-01-08T09:00:00Z",
        "note": t[0] or "-",
        "tasks": {"1.1": {"state": "blocked", "note": t[1] or "-"}},
    }
    return {
        "phases/project.yaml": project,
        "phases/phase-01/phase.yaml": j(phase),
        "phases/phase-01/metrics/a.json": json.dumps(snapshot),
        "phases/phase-01/metrics/b.json": json.dumps(later),
    }


def write(root: Path, files: dict[str, str]) -> None:
    for rel, content in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(content, encoding="utf-8")


EXTENSIONS = ["tables", "attr_list", "md_in_html", "admonition", "toc", "pymdownx.tasklist", "pymdownx.superfences"]


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.lists(text, min_size=28, max_size=28))
def test_hostile_text_everywhere_generates_safely(tmp_path_factory, runner, t):
    base = tmp_path_factory.mktemp("fuzz")
    root = base / "proj"
    write(root, project_files(t))
    before = tree(base)
    result = runner.invoke(main, ["generate", "--project", str(root), "-q"])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    after = tree(base)
    outside = {
        k
        for k in set(after) | set(before)
        if not k.startswith(("proj/docs/", "proj/.cache/")) and after.get(k) != before.get(k)
    }
    assert outside == set()
    if result.exit_code == 1:  # a refusal names a file and a place
        assert result.output.startswith(("phases/", "Error: ")), result.output
        return
    for page in sorted((root / "docs").rglob("*.md")):
        parser = LiveMarkup()
        parser.feed(markdown.markdown(page.read_text(encoding="utf-8"), extensions=EXTENSIONS))
        assert parser.found == [], page


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(st.lists(text, min_size=28, max_size=28))
def test_hostile_text_everywhere_builds_a_site_with_no_live_markup(tmp_path_factory, t):
    base = tmp_path_factory.mktemp("fuzzsite")
    root = base / "proj"
    write(root, project_files(t))
    try:
        site = build(root, base / "site")
    except PhasedocsError as exc:  # a clean refusal (a value the format does not allow) is fine too
        assert exc.format_message().startswith("phases/"), exc.format_message()
        return
    assert live_markup(site) == []


TOKENS = [
    "",
    "-",
    ":",
    "[",
    "]",
    "{",
    "}",
    "'",
    '"',
    "\n",
    "  ",
    "null",
    "true",
    "1e400",
    "-1",
    "0",
    "9" * 30,
    "&a",
    "*a",
    "!!python/object",
    "<<",
    "~",
    ".inf",
    "2025-13-45",
    "\t",
    "%",
    "{{",
    "}}",
    "{%",
    "#",
    ",",
    "\\",
    "\x00",
    "é",
]
EDITS = st.lists(
    st.tuples(st.integers(0, 10**6), st.sampled_from(TOKENS), st.sampled_from([0, 0, 1, 3])), min_size=1, max_size=3
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(which=st.integers(0, 3), edits=EDITS)
def test_random_edits_of_any_input_file_never_crash(project, runner, which, edits):
    root = project(example=True)
    site = root / "site_config/site.yaml"
    site.parent.mkdir(exist_ok=True)
    site.write_text("palette:\n  primary: indigo\ncharts:\n  width: 8.0\n  colors:\n    task: '#3f51b5'\n")
    targets = [
        root / "phases/project.yaml",
        root / "phases/phase-07/phase.yaml",
        site,
        *sorted((root / "phases/phase-07/metrics").glob("*.json")),
    ]
    target = targets[which]
    text = target.read_text()
    for at, token, cut in edits:
        k = at % (len(text) + 1)
        text = text[:k] + token + text[k + cut :]
    target.write_text(text)
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert result.exit_code in (0, 1), result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    if result.exit_code == 1:
        assert re.match(r"(phases|site_config)/\S+(:\d+:\d+)?: ", result.output), result.output
    else:  # what validates, generates: no later stage meets a value it cannot handle
        generated = runner.invoke(main, ["generate", "--project", str(root), "-q"])
        assert generated.exit_code == 0 and generated.exception is None, (generated.output, generated.exception)
