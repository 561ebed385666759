"""gate.py on facts made by hand: what a finding holds, word for word."""

from __future__ import annotations

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest

from phasedocs.facts import MetricFacts
from phasedocs.facts.gate import Finding, findings, phase_findings, regression
from phasedocs.input.models import Metric
from phasedocs.input.records import parse

T = [datetime(2025, 1, 6 + i, 9, tzinfo=UTC) for i in range(4)]


def facts(values: list[float], rule: str, *, better: str = "lower", baseline_is_first: bool = False) -> MetricFacts:
    """MetricFacts of a metric ``w`` with ``regress: {by: rule...}`` and ``values`` in time order."""
    by, _, against = rule.partition(" against ")
    metric = parse(
        Metric,
        {"label": "W", "unit": "count", "better": better, "regress": {"by": by, "against": against or "previous"}},
    )
    series = tuple(zip(T, values, strict=False))
    baseline = None if baseline_is_first else values[0]  # as the facts leave it when the baseline has none
    return MetricFacts("w", metric, baseline, values[-1], None, series, baseline_is_first, None, None)


def test_a_regression_finding_holds_what_and_by_how_much():
    assert regression(facts([10, 13.5], "3")) == Finding(
        0, "regressed", "W", "10 → 13.5: worse by 3.5 against the previous value (threshold 3)", T[1], "w", 13.5, 10.0
    )


def test_a_relative_regression_from_zero():
    found = regression(facts([0, 2], "10%"))
    assert found is not None
    assert found.detail == "0 → 2: worse by from zero against the previous value (threshold 10%)"


def test_against_the_baseline_when_it_is_the_first_value():
    found = regression(facts([5, 9, 12], "50% against baseline", baseline_is_first=True))
    assert found is not None and found.reference == 5.0


@pytest.mark.parametrize(("values", "found"), [([10, 10], False), ([10, 11], True), ([12, 10, 11], True)])
def test_any_worsening_past_a_zero_threshold(values, found):
    assert (regression(facts(values, "0")) is not None) is found


def hand(scope: str, state: str, *, metric: str | None = "w", value=None, change=None, target="<= 5", first=False):
    """A CriterionFacts stand-in."""
    criterion = SimpleNamespace(text=f"{scope} {state}", target=target, metric=metric, id="c1")
    return SimpleNamespace(
        scope=scope,
        state=state,
        criterion=criterion,
        value=value,
        change_pct=change,
        measured=metric is not None,
        baseline_is_first=first,
        task_scoped=False,
        metric=SimpleNamespace(label="W") if metric else None,
    )


def phase(number: int, criteria: list, metrics: list = (), state: str = "active"):
    task = SimpleNamespace(actual_finish=T[2])
    return SimpleNamespace(
        number=number,
        state=state,
        criteria=criteria,
        metrics=list(metrics),
        actual_finish=T[3],
        task=lambda _id: task,
        tasks=[],
        snapshots=[],
        source=SimpleNamespace(snapshots=[]),
        phase=SimpleNamespace(start=T[0]),
        plan=None,
        schedule=SimpleNamespace(total_days=3.0),
        evidence=None,
    )


def test_findings_of_a_phase_in_order_missed_regressed_then_not_met_yet():
    p = phase(
        2,
        [
            hand("phase", "off_track", value=7.0),
            hand("phase", "missed", value=9.0, change=12.5),
            hand("1.1", "missed", metric=None, value=False, target=None),
            hand("phase", "met", value=1.0),
        ],
        [facts([10, 14], "3")],
    )
    got = phase_findings(p)
    assert [(f.phase, f.kind, f.subject, f.detail, f.since, f.value, f.reference) for f in got] == [
        (2, "missed", "phase: phase missed", "target <= 5, value 9 (+12.50% from the baseline)", T[3], 9.0, "<= 5"),
        (2, "missed", "1.1: 1.1 missed", "checked by hand: recorded false", T[2], "false", "checked by hand"),
        (2, "regressed", "W", "10 → 14: worse by 4 against the previous value (threshold 3)", T[1], 14.0, 10.0),
        (2, "off_track", "phase: phase off_track", "target <= 5, value 7", None, 7.0, "<= 5"),
    ]
    assert [f.fails for f in got] == [True, True, True, False]


def test_findings_default_to_every_phase_and_are_the_ones_computed_with_the_facts():
    one, three = phase(1, [hand("phase", "missed", value=9.0)]), phase(3, [])
    one.gate, three.gate = phase_findings(one), phase_findings(three)
    project = SimpleNamespace(phases=[one, three])
    assert [f.phase for f in findings(project)] == [1]
    assert findings(project, []) == []
    one.gate = ()  # check reads the verdict stored with the facts, never a second computation
    assert findings(project) == []


def test_a_complete_phase_fails_on_criteria_never_settled_after_the_missed_ones():
    criteria = [
        hand("phase", "pending", target=">= 5"),
        hand("1.1", "missed", value=9.0, change=-10.0, first=True),
        hand("1.2", "pending", metric=None, target=None),
        hand("phase", "met", value=1.0),
    ]
    got = phase_findings(phase(4, criteria, state="complete"))
    assert [(f.kind, f.subject, f.detail, f.since, f.fails, f.words) for f in got] == [
        ("missed", "1.1: 1.1 missed", "target <= 5, value 9 (-10.00% from the first value)", T[2], True, "missed"),
        (
            "unsettled",
            "phase: phase pending",
            "never measured: no snapshot holds a value of W (w), target >= 5",
            T[3],
            True,
            "never settled",
        ),
        (
            "unsettled",
            "1.2: 1.2 pending",
            "never checked: no snapshot records the hand check c1; record it: phasedocs record 4 --check c1=true (or =false)",
            T[2],
            True,
            "never settled",
        ),
    ]
    # while the phase goes on, a criterion with no value yet is no finding
    assert [f.kind for f in phase_findings(phase(4, criteria, state="active"))] == ["missed"]
