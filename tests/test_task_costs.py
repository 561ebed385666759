"""What each task cost: task-scoped metrics in snapshots, budgets on them, the agents' JSON-lines
logs read by ``measure``, and the cost lines of the dashboard and the completion report."""

from __future__ import annotations

import json

from hypothesis import given
from hypothesis import strategies as st

from conftest import minimal, tree
from phasedocs.cli import main
from support import alpha, beta, criterion, edit, phase_yaml, project_yaml, snapshot

J = "phases/phase-01/metrics/a.json"

COSTS = project_yaml(
    extra_metrics={
        "cost_usd": {"label": "Cost", "unit": "usd", "better": "lower"},
        "tokens": {"label": "Tokens", "unit": "count", "better": "lower"},
    }
)

BUDGET_PHASE = phase_yaml(
    [
        alpha(files=None, criteria=[criterion("Within budget", "cost_usd", "<= 5")]),
        beta(role="qa", agent="QA Engineer"),
    ]
)


def costed(**files: str) -> dict[str, str]:
    return minimal(**{"phases/project.yaml": COSTS, "phases/phase-01/phase.yaml": BUDGET_PHASE, **files})


# ------------------------------------------------------------------ validation


def test_task_metrics_must_be_catalogue_metrics_of_their_unit(project, runner):
    text = (
        '{"timestamp": "2025-01-06T10:00:00Z",\n'
        ' "tasks": {"1.1": {"state": "in_progress",\n'
        '                   "metrics": {"cost": 3.2, "tokens": "many", "cost_usd": 1e300}}}}\n'
    )
    root = project(costed(**{J: text}))
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    # located at the task's metrics (errors sorted by place, then field)
    assert result.output.splitlines() == [
        f"{J}:3:31: tasks[\"1.1\"].metrics.cost: unknown metric 'cost'; did you mean 'cost_usd'?",
        f'{J}:3:31: tasks["1.1"].metrics.cost_usd: 1e300 is out of range; '
        "a value must be a finite number between -1e15 and 1e15",
        f"{J}:3:31: tasks[\"1.1\"].metrics.tokens: expected a number (count), got 'many'",
        "3 errors in 1 file",
    ]


def test_a_jsonl_glob_may_name_only_the_task_id_or_key(project, runner):
    bad = edit(
        COSTS,
        "  tokens: {label: Tokens, unit: count, better: lower}\n",
        '  tokens: {label: Tokens, unit: count, extract: {jsonl: "logs/{{ task.title }}/*.jsonl", pointer: /n}}\n',
    )
    root = project(costed(**{"phases/project.yaml": bad}))
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        "metrics.tokens.extract: 'logs/{{ task.title }}/*.jsonl' names no task; a jsonl glob is per task: "
        "put {{ task.id }} or {{ task.key }} in it, e.g. logs/{{ task.id }}/*.jsonl"
    ) in result.output


def test_a_jsonl_glob_holds_no_other_template(project, runner):
    bad = edit(
        COSTS,
        "  tokens: {label: Tokens, unit: count, better: lower}\n",
        "  tokens: {label: Tokens, unit: count, extract: {jsonl: 'logs/{{ task.id }}/{% if 1 %}x{% endif %}', pointer: /n}}\n",
    )
    root = project(costed(**{"phases/project.yaml": bad}))
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        "metrics.tokens.extract: 'logs/{{ task.id }}/{% if 1 %}x{% endif %}': only {{ task.id }} and {{ task.key }} "
        "may stand between braces in a jsonl glob"
    ) in result.output


def test_a_cost_extractor_needs_prices(project, runner):
    bad = edit(
        COSTS,
        "  cost_usd: {label: Cost, unit: usd, better: lower}\n",
        "  cost_usd: {label: Cost, unit: usd, extract: {jsonl: 'logs/{{ task.id }}/*.jsonl', "
        "model: /model, input: /in, output: /out}}\n",
    )
    root = project(costed(**{"phases/project.yaml": bad}))
    result = runner.invoke(main, ["validate", "--project", str(root)])
    assert result.exit_code == 1
    assert (
        "metric cost_usd turns tokens into cost, but there are no prices; add "
        "prices: {MODEL: {input: USD_PER_MTOK, output: USD_PER_MTOK}}"
    ) in result.output


# ------------------------------------------------------------------ record


def test_record_task_metric_keeps_the_state_and_goes_through_the_checks(project, runner):
    root = project(costed(**{J: snapshot("2025-01-06T10:00:00Z", tasks={"1.1": "in_progress"})}))
    args = ["record", "1", "--project", str(root), "--at", "2025-01-06T12:00:00Z"]
    result = runner.invoke(main, [*args, "--task-metric", "1.1:cost_usd=3.2", "--task-metric", "1.1:tokens=1200000"])
    assert result.exit_code == 0, result.output
    written = [p for p in tree(root / "phases/phase-01/metrics") if p != "a.json"]
    data = json.loads((root / "phases/phase-01/metrics" / written[0]).read_text())
    assert data["tasks"] == {"1.1": {"state": "in_progress", "metrics": {"cost_usd": 3.2, "tokens": 1200000}}}

    before = tree(root)
    result = runner.invoke(
        main,
        [
            *args,
            "--task-metric",
            "1.9:cost_usd=1",
            "--task-metric",
            "1.1:cost=1",
            "--task-metric",
            "1.1:tokens=lots",
            "--task-metric",
            "1.1=3",
        ],
    )
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [
        "  --task-metric 1.9:cost_usd=1: unknown task '1.9' (known: 1.1, 1.2)",
        "  --task-metric 1.1:cost=1: unknown metric 'cost'; did you mean 'cost_usd'?",
        "  --task-metric 1.1:tokens=lots: expected a number (count) or null, got 'lots'",
        "  --task-metric 1.1=3: write --task-metric ID:KEY=VALUE, e.g. --task-metric 7.1:cost_usd=3.2",
    ]
    assert tree(root) == before
    # then the snapshot's own checks, as for a file
    result = runner.invoke(main, [*args, "--task-metric", "1.1:cost_usd=-2"])
    assert result.exit_code == 1
    assert result.output.splitlines()[1:] == [
        '  tasks["1.1"].metrics.cost_usd: -2 is negative; an amount of money spent is 0 or more'
    ]
    assert tree(root) == before


def test_record_task_metric_with_a_task_state_and_a_note(project, runner):
    root = project(costed(**{J: snapshot("2025-01-06T10:00:00Z", tasks={"1.1": "in_progress"})}))
    result = runner.invoke(
        main,
        [
            "record",
            "1",
            "--project",
            str(root),
            "--at",
            "2025-01-06T12:00:00Z",
            "--task-metric",
            "1.1:cost_usd=4",
            "--task",
            "1.1=complete",
            "--note",
            "1.1=shipped",
        ],
    )
    assert result.exit_code == 0, result.output
    written = [p for p in tree(root / "phases/phase-01/metrics") if p != "a.json"]
    data = json.loads((root / "phases/phase-01/metrics" / written[0]).read_text())
    assert data["tasks"] == {"1.1": {"state": "complete", "note": "shipped", "metrics": {"cost_usd": 4}}}


# ------------------------------------------------------------------ budgets


def check(runner, root):
    result = runner.invoke(main, ["check", "--project", str(root)])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def test_a_budget_is_judged_on_the_tasks_own_value_and_settled_missed_fails_check(project, runner):
    # the phase-wide cost (all tasks together) is 9: the budget reads task 1.1's own 6.5
    running = {
        J: json.dumps(
            {
                "timestamp": "2025-01-06T10:00:00Z",
                "metrics": {"cost_usd": 9},
                "tasks": {"1.1": {"state": "in_progress", "metrics": {"cost_usd": 6.5}}},
            }
        )
    }
    root = project(costed(**running))
    result = check(runner, root)
    assert result.exit_code == 0
    assert "  note not met yet: 1.1: Within budget: target <= 5, value 6.5 (task 1.1's own value)" in result.output

    done = {"phases/phase-01/metrics/b.json": snapshot("2025-01-07T10:00:00Z", tasks={"1.1": "complete"})}
    root = project(costed(**running, **done))
    result = check(runner, root)
    assert result.exit_code == 1
    assert result.output == (
        "phase 1: First\n"
        "  FAIL missed: 1.1: Within budget: target <= 5, value 6.5 (task 1.1's own value) since 2025-01-07T10:00:00Z\n"
        "check: 1 failure\n"
    )


def test_a_budget_kept_is_met_and_one_never_measured_stays_pending(project, runner):
    within = snapshot("2025-01-07T10:00:00Z", tasks={"1.1": {"state": "complete", "metrics": {"cost_usd": 4.99}}})
    root = project(costed(**{J: within}))
    assert check(runner, root).exit_code == 0
    # task metrics recorded for another task only: 1.1's budget has no value of its own
    other = snapshot(
        "2025-01-07T10:00:00Z",
        metrics={"cost_usd": 1},
        tasks={"1.1": "complete", "1.2": {"state": "in_progress", "metrics": {"cost_usd": 1}}},
    )
    root = project(costed(**{J: other}))
    out = root / "out"
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"]).exit_code == 0
    final = json.loads((out / "phase-01" / "final-metrics.json").read_text())
    budget = next(c for c in final["criteria"] if c["scope"] == "1.1")
    assert (budget["state"], budget["value"]) == ("pending", None)  # never the phase's 1


# ------------------------------------------------------------------ documents


def test_the_dashboard_and_completion_report_show_cost_per_task_agent_and_total(project, runner):
    snaps = {
        J: snapshot(
            "2025-01-06T10:00:00Z", tasks={"1.1": {"state": "complete", "metrics": {"cost_usd": 6.5, "tokens": 1200}}}
        ),
        "phases/phase-01/metrics/b.json": snapshot(
            "2025-01-07T10:00:00Z", tasks={"1.2": {"state": "complete", "metrics": {"cost_usd": 0.25, "tokens": 300}}}
        ),
    }
    root = project(costed(**snaps))
    out = root / "out"
    result = runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"])
    assert result.exit_code == 0, result.output
    table = [
        "| Task | Agent | Cost | Tokens | Budget |",
        "|---|---|---|---|---|",
        "| 1.1 Alpha | dev | 6.50 USD | 1,200 | Cost &lt;= 5.00 USD: ❌ missed |",
        "| 1.2 Beta | QA Engineer | 0.25 USD | 300 | none set |",
        "| **Total** | | 6.75 USD | 1,500 | |",
        "",
        "| Agent | Tasks | Cost | Tokens |",
        "|---|---|---|---|",
        "| dev | 1 | 6.50 USD | 1,200 |",
        "| QA Engineer | 1 | 0.25 USD | 300 |",
    ]
    for doc in ("COORDINATION-DASHBOARD.md", "COMPLETION-REPORT.md"):
        lines = (out / "phase-01" / doc).read_text().splitlines()
        start = lines.index("## Cost")
        body = lines[start + 4 : start + 4 + len(table)]
        assert body == table, doc
    # the task's criteria: its budget against its own value, no baseline (a phase-wide one is not its own)
    task_file = (out / "phase-01" / "task-1.1-alpha.md").read_text()
    assert "| Within budget | &lt;= 5.00 USD | — | 6.50 USD (task 1.1's own) | — | ❌ missed |" in task_file
    tasks = json.loads((out / "phase-01" / "final-metrics.json").read_text())["tasks"]
    assert [t["metrics"] for t in tasks] == [{"cost_usd": 6.5, "tokens": 1200}, {"cost_usd": 0.25, "tokens": 300}]


def test_without_task_metrics_no_cost_section(project, runner):
    root = project(costed())
    out = root / "out"
    assert runner.invoke(main, ["generate", "--project", str(root), "--out", str(out), "-q"]).exit_code == 0
    assert "## Cost" not in (out / "phase-01" / "COORDINATION-DASHBOARD.md").read_text()


# ------------------------------------------------------------------ measure: agents' logs

LOGS = edit(
    COSTS,
    "  cost_usd: {label: Cost, unit: usd, better: lower}\n  tokens: {label: Tokens, unit: count, better: lower}\n",
    "  cost_usd: {label: Cost, unit: usd, better: lower, extract: {jsonl: 'logs/{{ task.id }}/*.jsonl',\n"
    "             model: /message/model, input: /message/usage/input_tokens, output: /message/usage/output_tokens}}\n"
    "  tokens: {label: Tokens, unit: count, extract: {jsonl: 'logs/{{ task.id }}/*.jsonl',\n"
    "           pointer: /message/usage/output_tokens}}\n",
) + ("prices:\n  big-model: {input: 3, output: 15}\n  small-model: {input: 0.8, output: 4}\n")


def line(model: str | None, inp: int | None = None, out: int | None = None, **extra) -> str:
    usage = {k: v for k, v in (("input_tokens", inp), ("output_tokens", out)) if v is not None}
    message = {"usage": usage, **({"model": model} if model is not None else {}), **extra}
    return json.dumps({"type": "assistant", "message": message})


def measure(runner, root, *args):
    result = runner.invoke(main, ["measure", "1", "--project", str(root), "--at", "2025-01-06T12:00:00Z", *args])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result


def logs_project(project, **logs: str):
    files = minimal(
        **{
            "phases/project.yaml": LOGS,
            "phases/phase-01/phase.yaml": BUDGET_PHASE,
            J: snapshot("2025-01-06T10:00:00Z", tasks={"1.1": "in_progress"}),
        }
    )
    files.update(logs)
    return project(files)


def test_measure_sums_each_tasks_logs_and_prices_their_tokens(project, runner):
    root = logs_project(
        project,
        **{
            # two files, two models, lines without usage (a user turn, a summary) add nothing
            "logs/1.1/a.jsonl": "\n".join(
                [
                    json.dumps({"type": "user", "message": {"content": "hi"}}),
                    line("big-model", 1000, 200),
                    "",
                    line("small-model", 5000, 1000),
                ]
            )
            + "\n",
            "logs/1.1/b.jsonl": line("big-model", 2000, 300) + "\r\n" + json.dumps({"type": "summary"}),
            "logs/1.2/a.jsonl": line("small-model", 100, 10) + "\n",
            "logs/other.jsonl": line("big-model", 10**9, 10**9) + "\n",  # no task's: never read
        },
    )
    result = measure(runner, root)
    assert result.exit_code == 0, result.output
    # 1.1: big 3000 in, 500 out: 3000*3 + 500*15 = 16500; small 5000*0.8 + 1000*4 = 8000; / 1e6
    # 1.2: small 100*0.8 + 10*4 = 120 / 1e6
    assert result.output.splitlines()[:4] == [
        "cost_usd of task 1.1 = 0.0245 (logs/1.1/a.jsonl, logs/1.1/b.jsonl)",
        "tokens of task 1.1 = 1500 (logs/1.1/a.jsonl, logs/1.1/b.jsonl)",
        "cost_usd of task 1.2 = 0.00012 (logs/1.2/a.jsonl)",
        "tokens of task 1.2 = 10 (logs/1.2/a.jsonl)",
    ]
    written = [p for p in tree(root / "phases/phase-01/metrics") if p != "a.json"]
    data = json.loads((root / "phases/phase-01/metrics" / written[0]).read_text())
    assert data["tasks"] == {
        "1.1": {"state": "in_progress", "metrics": {"cost_usd": 0.0245, "tokens": 1500}},
        "1.2": {"state": "pending", "metrics": {"cost_usd": 0.00012, "tokens": 10}},
    }


def refused(runner, root) -> list[str]:
    before = tree(root / "phases")
    result = measure(runner, root)
    assert result.exit_code == 1
    assert tree(root / "phases") == before  # nothing recorded
    return result.output.splitlines()


def test_a_malformed_line_is_named_by_file_and_line(project, runner):
    root = logs_project(project, **{"logs/1.1/a.jsonl": line("big-model", 1, 1) + "\n{not json\n"})
    lines = refused(runner, root)
    assert lines[0] == "Error: nothing recorded:"
    assert lines[1].startswith(
        "  cost_usd of task 1.1: logs/1.1/a.jsonl:2: not a JSON value (Expecting property name enclosed in double quotes"
    )
    assert lines[2].startswith("  tokens of task 1.1: logs/1.1/a.jsonl:2: not a JSON value (")


def test_a_huge_or_negative_or_non_finite_count_is_refused(project, runner):
    for text, shown in (
        (line("big-model", 1, 10**400), "a number of 401 digits"),
        (line("big-model", 1, -5), "-5"),
        ('{"message": {"model": "big-model", "usage": {"output_tokens": NaN}}}', None),
        (line("big-model", 1, "12"), '"12"'),
    ):
        root = logs_project(project, **{"logs/1.1/a.jsonl": "\n" + text + "\n"})
        lines = refused(runner, root)
        if shown is None:
            assert lines[1] == "  cost_usd of task 1.1: logs/1.1/a.jsonl:2: not a JSON value (NaN is no JSON number)"
        else:
            assert lines[1] == (
                f"  cost_usd of task 1.1: logs/1.1/a.jsonl:2: /message/usage/output_tokens is {shown}; "
                "a count is a number from 0 to 1e+15"
            )


def test_an_unknown_model_is_an_error_with_the_fix_and_a_lone_surrogate_stays_escaped(project, runner):
    root = logs_project(project, **{"logs/1.1/a.jsonl": line("mystery\u001b[31m", 1, 1) + "\n"})
    lines = refused(runner, root)
    assert lines[1] == (
        "  cost_usd of task 1.1: logs/1.1/*.jsonl: model 'mystery\\x1b[31m' has no price (priced: big-model, "
        "small-model); add it to phases/project.yaml: prices: {mystery\\x1b[31m: "
        "{input: USD_PER_MTOK, output: USD_PER_MTOK}}"
    )
    root = logs_project(
        project, **{"logs/1.1/a.jsonl": '{"message": {"model": "\\ud800", "usage": {"input_tokens": 1}}}\n'}
    )
    lines = refused(runner, root)
    assert "'\\ud800' has no price" in lines[1]
    root = logs_project(project, **{"logs/1.1/a.jsonl": line(None, 1, 1) + "\n"})
    lines = refused(runner, root)
    assert lines[1] == (
        "  cost_usd of task 1.1: logs/1.1/a.jsonl:1: it counts tokens, but /message/model holds nothing, "
        "not the model's name"
    )


def test_a_log_outside_the_project_is_refused(project, runner, tmp_path):
    outside = tmp_path / "secret"
    outside.mkdir()
    (outside / "x.jsonl").write_text(line("big-model", 1, 1) + "\n")
    root = logs_project(project)
    (root / "logs").mkdir()
    (root / "logs" / "1.1").symlink_to(outside)
    lines = refused(runner, root)
    assert lines[1].startswith("  cost_usd of task 1.1: logs/1.1: ")


# ------------------------------------------------------------------ the parser


@given(
    values=st.lists(st.one_of(st.integers(0, 10**12), st.floats(0, 1e9, allow_nan=False)), max_size=30),
    noise=st.lists(st.booleans(), max_size=30),
    cuts=st.lists(st.integers(0, 5000), max_size=8),
)
def test_jsonl_sum_is_the_sum_of_the_pointer_however_the_bytes_arrive(values, noise, cuts):
    lines = []
    for i, v in enumerate(values):
        lines.append(json.dumps({"u": {"n": v}, "t": "x\n" if i % 2 else "é"}))
        if i < len(noise) and noise[i]:
            lines.append(json.dumps({"other": [1, 2]}))  # a line without the pointer adds nothing
            lines.append("   ")
    from phasedocs.input.reports import jsonl_sum

    data = "\n".join(lines).encode()
    points = sorted({min(c, len(data)) for c in cuts})
    chunks = [data[a:b] for a, b in zip([0, *points], [*points, len(data)], strict=True)]
    total = 0
    for v in values:
        total += v
    assert jsonl_sum(chunks, "/u/n") == total


@given(st.binary(max_size=200))
def test_jsonl_sum_never_fails_but_with_a_line_fault(data):
    from phasedocs.input.reports import LineFault, jsonl_sum

    try:
        total = jsonl_sum([data], "/n")
    except LineFault as exc:
        assert exc.line >= 1
    else:
        assert total >= 0


# ------------------------------------------------------------------ schema


def test_the_schemas_cover_task_metrics_prices_and_the_jsonl_extractor():
    import yaml
    from jsonschema import Draft202012Validator

    from phasedocs.commands.schema import schemas

    found = {name.split(".")[0]: Draft202012Validator(json.loads(text)) for name, text in schemas().items()}
    entry = {"timestamp": "2025-01-06T10:00:00Z", "tasks": {"1.1": {"state": "complete", "metrics": {"cost_usd": 3.2}}}}
    assert not list(found["snapshot"].iter_errors(entry))
    project = yaml.safe_load(LOGS)
    assert not list(found["project"].iter_errors(project))
    project["prices"]["big-model"]["output"] = -1
    assert list(found["project"].iter_errors(project))
    project["prices"]["big-model"] = {"input": 1}
    assert list(found["project"].iter_errors(project))


def test_a_usage_tools_json_report_per_task_is_read_as_one_document(project, runner):
    # a usage tool writes one pretty-printed JSON report per task: the glob names .json files
    reports = edit(
        LOGS, "'logs/{{ task.id }}/*.jsonl',\n           pointer:", "'usage/{{ task.id }}.json',\n           pointer:"
    )
    report = {"message": {"model": "big-model", "usage": {"input_tokens": 10, "output_tokens": 1234}}}
    root = logs_project(
        project,
        **{
            "phases/project.yaml": reports,
            "logs/1.1/a.jsonl": line("big-model", 1000, 200) + "\n",
            "usage/1.1.json": json.dumps(report, indent=2) + "\n",
        },
    )
    result = measure(runner, root)
    assert result.exit_code == 0, result.output
    assert "tokens of task 1.1 = 1234 (usage/1.1.json)" in result.output.splitlines()
    (root / "usage/1.1.json").write_text('{"message": {"usage": {"output_tokens": -1}}}\n')
    assert refused(runner, root)[-1].endswith(
        "usage/1.1.json:1: /message/usage/output_tokens is -1; a count is a number from 0 to 1e+15"
    )
