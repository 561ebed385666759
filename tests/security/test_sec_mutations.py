"""Guards for bugs that once passed the whole suite (each seen failing with its mutation)."""

from __future__ import annotations

import re

import markdown
import pytest

from conftest import PHASE_YAML, minimal
from phasedocs.cli import main
from phasedocs.facts import compute
from phasedocs.input.project import load_project
from phasedocs.render.filters import md, url
from phasedocs.render.mermaid import mermaid_graph
from support import alpha, beta, criterion, phase_yaml


@pytest.mark.parametrize(
    "value",
    [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "javascript&#58;alert(1)",
        "javascript&colon;alert(1)",
        "&#106;avascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html,<script>alert(1)</script>",
        "file:///etc/passwd",
    ],
)
def test_the_url_filter_lets_no_script_url_through(value):
    assert url(value) == "#"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://example.com/a b", "https://example.com/a%20b"),
        ("http://example.com/x?a=1&b=2", "http://example.com/x?a=1&b=2"),
        ("docs/phase-07/README.md", "docs/phase-07/README.md"),
        ("notes (draft).md", "notes%20%28draft%29.md"),
        ('a"b<c>', "a%22b%3Cc%3E"),
    ],
)
def test_the_url_filter_keeps_plain_links(value, expected):
    assert url(value) == expected


def test_a_reference_path_with_a_script_url_is_no_link_in_the_built_html(project, runner):
    phase = (
        PHASE_YAML
        + 'references:\n  - {title: Evil, path: "java\\tscript:alert(1)"}\n  - {title: Good, path: docs/guide.md}\n'
    )
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase}))
    assert runner.invoke(main, ["generate", "--project", str(root), "-q"]).exit_code == 0
    text = (root / "docs/phase-01/COORDINATOR-HANDOFF.md").read_text()
    html = markdown.markdown(text, extensions=["tables", "attr_list", "md_in_html", "admonition"])
    hrefs = re.findall(r'href="([^"]*)"', html)
    assert (
        "<code>docs/guide.md</code>" in html and "<code>java script:alert(1)</code>" in html
    )  # paths are shown, not linked
    assert hrefs and not [h for h in hrefs if re.sub(r"\s", "", h).lower().startswith("javascript")]


def test_markdown_escaping_never_makes_a_link():
    html = markdown.markdown(f"x {md('[x](javascript:alert(1)) <a href=javascript:alert(2)>y</a>')} x")
    assert not re.search(r"<a\b", html)
    assert not re.search(r"<[^>]*\bhref\s*=", html)


def test_mermaid_labels_hold_no_raw_quote_or_markup(project):
    title = 'Say "hi"] --> X[<img src=x onerror=alert(1)>'
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase_yaml([alpha(title=title), beta()])}))
    facts = compute(load_project(root))
    graph = mermaid_graph(facts.phases[0])
    nodes = [line for line in graph.splitlines() if line.startswith("  T") and "[" in line]
    assert len(nodes) == 2
    for line in nodes:
        assert re.fullmatch(r'  T\d+\["[^"<>\[\]]*"\]', line.replace("<br/>", " ", 1)), (
            line
        )  # the one line break is ours
    assert "#34;" in nodes[0] and "#60;" in nodes[0]


def test_duplicate_criterion_ids_are_refused(project, runner):
    twice = [criterion("Reviewed", id="reviewed"), criterion("Reviewed again", id="reviewed")]
    phase = phase_yaml([alpha(criteria=twice), beta()])
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase}))
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert result.exit_code == 1
    assert (
        "tasks[0].criteria[1].id: criterion id 'reviewed' is used twice in this phase (also tasks[0].criteria[0]); make it unique"
        in result.output
    )


def test_a_text_metric_takes_only_equality_targets(project, runner):
    phase = phase_yaml([alpha(criteria=[criterion("Few warnings", "version", "< 10")]), beta()])
    root = project(minimal(**{"phases/phase-01/phase.yaml": phase}))
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert result.exit_code == 1
    assert "tasks[0].criteria[0].target: metric 'version' is text; only '== V' targets apply to it" in result.output


def test_a_drawing_that_fails_half_way_leaves_no_open_figure(monkeypatch):
    import dataclasses

    import matplotlib.pyplot as plt

    from phasedocs.charts import drawing, registry
    from phasedocs.charts import specs as charts
    from phasedocs.input.site_config import ChartStyle

    def failing(plt_, spec, style):
        plt_.figure()
        raise ValueError("half-way")

    spec = charts.GanttSpec("t", (), (), 1.0, None, ("Mon",), "alt")
    gantt = registry.chart_of(spec)
    failing_gantt = dataclasses.replace(gantt, draw=failing)
    monkeypatch.setattr(registry, "_CHARTS", [failing_gantt if c is gantt else c for c in registry._CHARTS])
    with pytest.raises(ValueError, match="half-way"):
        drawing.draw(spec, ChartStyle())
    assert plt.get_fignums() == []
