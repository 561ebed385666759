"""The Monte Carlo forecast against hand-derived numbers and an independent enumeration."""

from __future__ import annotations

import itertools
import math
import subprocess
import sys
from datetime import UTC, datetime, timedelta

import pytest

from conftest import PROJECT_YAML
from phasedocs.forecast import Work, simulate
from support import facts_of, phase_yaml, project_yaml, snapshot, task


def tri_inverse(u: float, a: float, c: float, b: float) -> float:
    """The triangular distribution's quantile, written out independently of the code under test."""
    if u < (c - a) / (b - a):
        return a + math.sqrt(u * (b - a) * (c - a))
    return b - math.sqrt((1 - u) * (b - a) * (b - c))


def quantile(xs: list[float], q: float) -> float:
    xs = sorted(xs)
    pos = (len(xs) - 1) * q
    lo = math.floor(pos)
    hi = min(lo + 1, len(xs) - 1)
    return xs[lo] + (xs[hi] - xs[lo]) * (pos - lo)


def test_one_triangular_task_matches_its_closed_form():
    # low 1, mode 2, high 4: F(mode) = 1/3, so p50 = 4 - sqrt(0.5 * 3 * 2) = 4 - sqrt(3)
    out = simulate([Work("a", (), 2.0, low=1.0, high=4.0)], 0.0)
    assert out.spread == "estimates"
    assert out.runs == 10_000
    assert out.p50 == pytest.approx(4 - math.sqrt(3), abs=0.03)  # 2.268
    assert out.p85 == pytest.approx(4 - math.sqrt(0.15 * 6), abs=0.03)  # 3.051
    assert out.p95 == pytest.approx(4 - math.sqrt(0.05 * 6), abs=0.03)  # 3.452
    assert out.criticality == {"a": 1.0}


def test_a_chain_of_three_matches_a_brute_force_enumeration():
    chain = [
        Work("a", (), 2.0, low=1.0, high=4.0),
        Work("b", ("a",), 3.0, low=2.0, high=3.5),
        Work("c", ("b",), 1.0, low=0.5, high=3.0),
    ]
    # enumerate 60 equally likely quantiles of each duration: 216,000 equally likely sums
    n = 60
    grids = [[tri_inverse((k + 0.5) / n, w.low, w.duration, w.high) for k in range(n)] for w in chain]
    sums = [x + y + z for x, y, z in itertools.product(*grids)]
    out = simulate(chain, 0.0)
    assert out.p50 == pytest.approx(quantile(sums, 0.50), abs=0.05)
    assert out.p85 == pytest.approx(quantile(sums, 0.85), abs=0.05)
    assert out.p95 == pytest.approx(quantile(sums, 0.95), abs=0.06)
    assert out.p50 < out.p85 < out.p95
    assert out.criticality == {"a": 1.0, "b": 1.0, "c": 1.0}  # a chain: every task on every path


def test_criticality_is_one_on_every_path_and_zero_on_none():
    work = [
        Work("start", (), 1.0),
        Work("left", ("start",), 2.0, low=1.0, high=3.0),
        Work("right", ("start",), 2.0, low=1.0, high=3.0),
        Work("end", ("left", "right"), 1.0),
        Work("side", (), 0.5),  # never longer than the 3 days the rest takes at least
    ]
    out = simulate(work, 0.0)
    assert out.criticality["start"] == 1.0
    assert out.criticality["end"] == 1.0
    assert out.criticality["side"] == 0.0
    # two equal branches: each decides about half the runs, and one of them always does
    assert out.criticality["left"] == pytest.approx(0.5, abs=0.03)
    assert out.criticality["left"] + out.criticality["right"] == pytest.approx(1.0, abs=1e-9)


def test_without_spread_every_percentile_is_the_plan_and_numpy_is_not_needed():
    work = [Work("a", (), 2.0), Work("b", ("a",), 1.5), Work("c", (), 1.0)]
    out = simulate(work, 0.0, ratios=[1.0, 1.0])  # finished exactly on plan: no spread to learn
    assert (out.p50, out.p85, out.p95, out.runs, out.spread) == (3.5, 3.5, 3.5, 1, "none")
    assert out.criticality == {"a": 1.0, "b": 1.0, "c": 0.0}
    code = "import sys; from phasedocs.forecast import Work, simulate; simulate([Work('a', (), 1.0)], 0.0); print('numpy' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "False"


def test_history_spreads_tasks_without_estimates():
    # finished tasks took 1x, 1.5x and 2x their plan: a 2-day task takes 2, 3 or 4 days, equally likely
    out = simulate([Work("a", (), 2.0)], 0.0, ratios=[2.0, 1.0, 1.5])
    assert out.spread == "history"
    assert (out.p50, out.p95) == (3.0, 4.0)
    assert out.p85 == 4.0


def test_time_already_worked_is_spent_and_an_overrun_gets_the_share_again():
    # worked 3 of an estimate 1..4: only durations above 3 remain possible, so at most 1 day is left
    out = simulate([Work("a", (), 2.0, worked=3.0, low=1.0, high=4.0)], 5.0)
    assert 5.0 < out.p50 < out.p95 <= 6.0
    # worked past the high end: a quarter of the plan again, from now
    out = simulate([Work("a", (), 2.0, worked=4.5, low=1.0, high=4.0)], 5.0)
    assert (out.p50, out.p95) == (5.5, 5.5)


def test_finished_work_is_fixed_and_nothing_starts_before_now():
    work = [Work("a", (), 2.0, finished_at=3.0), Work("b", ("a",), 1.0, low=0.5, high=1.5)]
    out = simulate(work, 4.0)
    assert out.criticality == {"a": 0.0, "b": 1.0}  # finished work delays nothing
    assert out.p50 == pytest.approx(5.0, abs=0.03)  # b starts now (4.0), not when a finished (3.0)


def test_the_same_inputs_and_seed_give_the_same_numbers():
    work = [Work("a", (), 2.0, low=1.0, high=4.0), Work("b", ("a",), 1.0, low=0.5, high=3.0)]
    assert simulate(work, 0.0) == simulate(work, 0.0)
    assert simulate(work, 0.0, seed=1).p50 != simulate(work, 0.0).p50


def test_the_phase_forecast_in_final_metrics(project):
    tasks = [task("1", 2, estimate={"low": 1, "high": 4}), task("2", 1, ("1",))]
    files = {
        "phases/project.yaml": PROJECT_YAML,
        "phases/phase-01/phase.yaml": phase_yaml(tasks),
        "phases/phase-01/metrics/a.json": snapshot("2025-01-06T09:00:00Z", "baseline"),
    }
    _, fm = facts_of(project, files)
    forecast = fm[1]["schedule"]["forecast"]
    assert forecast["runs"] == 10_000 and forecast["seed"] == 0 and forecast["spread"] == "estimates"
    # task 1 alone spreads: p50 = (4 - sqrt 3) + 1 = 3.268 days after Monday 09:00, Thursday about 15:26
    p50 = datetime.fromisoformat(forecast["p50"])
    expected = datetime(2025, 1, 6, 9, tzinfo=UTC) + timedelta(days=5 - math.sqrt(3))
    assert abs((p50 - expected).total_seconds()) < 0.03 * 86400
    assert [t["criticality"] for t in fm[1]["tasks"]] == [1, 1]


def test_history_draws_only_durations_longer_than_the_time_already_worked():
    # 2 days planned, 1.5 worked; the history says 0.5, 1, 1.5 or 4 days: only 4 is still possible, 2.5 left
    out = simulate([Work("a", (), 2.0, worked=1.5)], 10.0, ratios=[0.25, 0.5, 0.75, 2.0])
    assert (out.spread, out.p50, out.p95) == ("history", 12.5, 12.5)


def test_the_history_holds_every_finished_task_that_took_measurable_time(project):
    from phasedocs.facts import compute, history_ratios
    from phasedocs.input.project import load_project
    from support import SNAPSHOTS, files

    # 1.1 took half its day, 1.2 twice its day; a task recorded complete at once took no measurable time
    snaps = {**SNAPSHOTS, "e.json": {**SNAPSHOTS["e.json"], "tasks": {"1.3": "complete"}}}
    f = compute(load_project(project(files(snaps))))
    assert history_ratios(f.phases) == (0.5, 2.0, 1.5)  # 1.3: day 1 to day 4, 3 days for 2
    snaps["e.json"]["tasks"] = {"1.3": "complete"}
    snaps["b.json"] = {**snaps["b.json"], "tasks": {"1.1": {"state": "complete", "at": "2025-01-06T21:00:00Z"}}}
    f = compute(load_project(project(files(snaps))))
    assert history_ratios(f.phases) == (0.5, 2.0)  # 1.3 was never seen in progress


def test_the_triangular_cdf_and_its_inverse_are_exact():
    import numpy as np

    from phasedocs.forecast import _triangular_cdf, _triangular_inverse

    a, c, b = 1.0, 2.0, 4.0
    xs = np.array([0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 5.0])
    # by hand: (x-a)^2 / ((b-a)(c-a)) up to the mode, 1 - (b-x)^2 / ((b-a)(b-c)) after it
    expected = [0.0, 0.0, 0.25 / 3, 1 / 3, 1 - 1 / 6, 1.0, 1.0]
    assert _triangular_cdf(xs, a, c, b, np).tolist() == pytest.approx(expected, abs=1e-12)
    us = np.linspace(0, 1, 41)
    assert _triangular_cdf(_triangular_inverse(us, a, c, b, np), a, c, b, np).tolist() == pytest.approx(
        us.tolist(), abs=1e-12
    )
    # a mode at either end
    assert _triangular_cdf(np.array([1.5]), 1.0, 1.0, 2.0, np).tolist() == pytest.approx([0.75])
    assert _triangular_cdf(np.array([1.5]), 1.0, 2.0, 2.0, np).tolist() == pytest.approx([0.25])


def test_triangular_cdf_and_its_inverse_at_known_points():
    import numpy as np

    from phasedocs.forecast import _triangular_cdf, _triangular_inverse

    # low 0, mode 2, high 4: P(D <= 1) = 1 / (4 * 2); P(D <= 3) = 1 - 1 / (4 * 2)
    x = np.asarray([0.0, 1.0, 2.0, 3.0, 4.0])
    assert _triangular_cdf(x, 0, 2, 4, np).tolist() == [0.0, 0.125, 0.5, 0.875, 1.0]
    assert _triangular_inverse(np.asarray([0.125, 0.5, 0.875]), 0, 2, 4, np).tolist() == [1.0, 2.0, 3.0]
    # the mode at an end
    assert _triangular_cdf(np.asarray([0.0, 2.0]), 0, 0, 4, np).tolist() == [0.0, 0.75]
    assert _triangular_cdf(np.asarray([2.0, 4.0]), 0, 4, 4, np).tolist() == [0.25, 1.0]


@pytest.mark.parametrize("worked", [6.0, 9.0])
def test_work_past_the_high_end_is_given_the_planned_overrun(worked):
    import numpy as np

    from phasedocs.forecast import _remaining

    w = Work("a", (), 4.0, worked=worked, low=2.0, high=6.0)
    left = _remaining(w, np.asarray([0.0, 0.5, 0.999]), (), 0.25, np)
    assert left.tolist() == [1.0, 1.0, 1.0]  # 4 days x 0.25


def test_history_shorter_than_the_work_done_is_given_the_planned_overrun():
    import numpy as np

    from phasedocs.forecast import _remaining

    w = Work("a", (), 2.0, worked=3.0)
    assert _remaining(w, np.asarray([0.0, 0.99]), (0.5, 1.0, 1.4), 0.5, np).tolist() == [1.0, 1.0]
    # the ratios above the work done are drawn from: 2 x 1.4 - 2.5 and 2 x 2.0 - 2.5
    w = Work("a", (), 2.0, worked=2.5)
    assert _remaining(w, np.asarray([0.0, 0.99]), (0.5, 1.0, 1.4, 2.0), 0.5, np).tolist() == pytest.approx([0.3, 1.5])


def test_the_project_seed_is_the_one_the_runs_use(project):
    tasks = [task("1", 2, estimate={"low": 1, "high": 4})]
    results = {}
    for seed in (0, 7):
        catalogue = project_yaml(forecast={"runs": 1000, "seed": seed})
        files = {"phases/project.yaml": catalogue, "phases/phase-01/phase.yaml": phase_yaml(tasks)}
        _, fm = facts_of(project, files)
        results[seed] = fm[1]["schedule"]["forecast"]
    assert (results[0]["seed"], results[7]["seed"]) == (0, 7)
    assert results[0]["p50"] != results[7]["p50"]  # another seed, other draws: another median


def test_the_spread_names_what_it_comes_from():
    estimated = Work("a", (), 2.0, low=1.0, high=4.0)
    plain = Work("b", ("a",), 1.0)
    assert simulate([estimated, plain], 0.0, ratios=(1.0, 1.5), runs=100).spread == "estimates and history"
    assert simulate([estimated, plain], 0.0, runs=100).spread == "estimates"
    alone = Work("c", (), 1.0)
    assert simulate([alone], 0.0, ratios=(1.0, 1.5), runs=100).spread == "history"
    assert simulate([alone], 0.0, ratios=(1.2, 1.2), runs=100).spread == "none"  # one ratio is no spread


# -- bounded memory and a bounded size (issue 25, 8a) ---------------------------------------


def _wide(n: int) -> list[Work]:
    """``n`` estimated tasks: pairs in a chain and a fan, so criticality varies between runs."""
    return [
        Work(
            f"t{i}",
            (f"t{i - 1}",) if i % 3 else (),
            1.0 + i % 4,
            low=0.5,
            high=2.0 + i % 4 + i % 3,
            worked=0.2 * (i % 2),
        )
        for i in range(n)
    ]


def test_runs_in_batches_give_the_numbers_of_one_pass(monkeypatch):
    from phasedocs import forecast

    work = _wide(30)
    whole = simulate(work, 0.5, ratios=(0.8, 1.0, 1.7), runs=301, seed=3)
    # the draws of rng.random((tasks, runs)), computed here independently of the batching
    import numpy as np

    assert np.array_equal(
        np.concatenate(list(forecast._draws(np, 30, 301, 3)), axis=1), np.random.default_rng(3).random((30, 301))
    )
    for cells in (30, 31, 30 * 100, 30 * 300):  # one run per batch, a ragged last batch, a few, two
        monkeypatch.setattr(forecast, "BATCH_CELLS", cells)
        assert simulate(work, 0.5, ratios=(0.8, 1.0, 1.7), runs=301, seed=3) == whole


@pytest.mark.scale
def test_the_forecast_holds_one_batch_of_runs_in_memory_not_all_of_them(monkeypatch):
    import tracemalloc

    from phasedocs import forecast

    # batches of 100,000 draws (800 kB); 500 tasks x 4,000 runs all at once took over 40 MB
    monkeypatch.setattr(forecast, "BATCH_CELLS", 100_000, raising=False)
    tracemalloc.start()
    try:
        out = simulate(_wide(500), 0.0, runs=4_000)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert out.runs == 4_000 and 0 < out.p50 < out.p85 < out.p95
    assert peak < 12_000_000


def test_runs_times_tasks_is_bounded_at_validation(project, runner):
    from phasedocs.cli import main

    tasks = [task(str(i), 1) for i in range(1, 502)]
    catalogue = project_yaml(forecast={"runs": 100000})
    root = project({"phases/project.yaml": catalogue, "phases/phase-01/phase.yaml": phase_yaml(tasks)})
    result = runner.invoke(main, ["validate", "--project", str(root), "--no-cache"])
    assert (result.exit_code, result.output) == (
        1,
        "phases/project.yaml:7:18: forecast.runs: 100,000 runs over the 501 tasks of phase 1 are 50,100,000 "
        "task-runs, more than the 50,000,000 a forecast may take; set forecast.runs to at most 99,800\n"
        "1 error in 1 file\n",
    )
    fits = project_yaml(forecast={"runs": 99800})
    (root / "phases/project.yaml").write_text(fits)
    assert runner.invoke(main, ["validate", "--project", str(root), "--no-cache"]).exit_code == 0
