"""Benchmarks: every figure is a ratio of two times measured in this one run.

Absolute seconds drift from run to run on shared machines; a ratio to a baseline
measured alongside it does not (much). Prints a table and writes bench/out/bench.json
for comparison between commits. Run with `make bench` (or `python bench/run.py --quick`).
"""

from __future__ import annotations

import argparse
import compileall
import json
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import synth  # noqa: E402

PY = sys.executable
# the console script users run (``python -m`` would add runpy's start-up to every figure)
_SCRIPT = Path(PY).parent / "phasedocs"
PHASEDOCS = [str(_SCRIPT)] if _SCRIPT.exists() else [PY, "-m", "phasedocs"]
ROWS: list[dict[str, object]] = []
# targets hold for the full-size projects; --quick shrinks them, so its rows are not judged
JUDGE = True


def best(fn: Callable[[], object], repeat: int) -> float:
    """The fastest of ``repeat`` runs: the least disturbed by other load."""
    return best_interleaved({"run": fn}, repeat)["run"]


def best_interleaved(fns: dict[str, Callable[[], object]], repeat: int) -> dict[str, float]:
    """The fastest run of each of ``fns``, taking turns: a burst of load on the machine then
    slows every contender alike instead of whichever happened to be measuring."""
    times: dict[str, list[float]] = {name: [] for name in fns}
    for _ in range(repeat):
        for name, fn in fns.items():
            t = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t)
    return {name: min(ts) for name, ts in times.items()}


def sh(*cmd: str, cwd: Path = REPO) -> Callable[[], None]:
    def run() -> None:
        subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    return run


def row(
    figure: str, ours: float, base: float, base_name: str, target: float | None, note: str = "", unit: str = "s"
) -> None:
    ratio = ours / base if base else float("inf")
    ok = None if target is None or not JUDGE else ratio <= target
    ROWS.append(
        {
            "figure": figure,
            f"ours_{unit}": round(ours, 4),
            "baseline": base_name,
            f"baseline_{unit}": round(base, 4),
            "ratio": round(ratio, 3),
            "target": target,
            "ok": ok,
            "note": note,
        }
    )
    mark = (" (judged at full size only)" if target is not None else "") if ok is None else (" ok" if ok else " MISSED")
    print(
        f"{figure:<58} {ours:8.3f}{unit} / {base:8.3f}{unit} = {ratio:6.2f}x  target {'-' if target is None else f'<= {target}x'}{mark}  {note}",
        flush=True,
    )


_PEAK = """
import resource, sys
from phasedocs.cli import main
try:
    main(["generate", "--project", sys.argv[1], "--out", sys.argv[2], "-q"])
except SystemExit as exc:
    if exc.code:
        raise
usage = resource.getrusage
print(max(usage(resource.RUSAGE_SELF).ru_maxrss, usage(resource.RUSAGE_CHILDREN).ru_maxrss))
"""


def generate_peak(root: Path, out: Path) -> tuple[float, float]:
    """A full first run in a fresh process: (seconds, peak resident memory in MB, chart workers included)."""
    shutil.rmtree(out, ignore_errors=True)
    t = time.perf_counter()
    done = subprocess.run([PY, "-c", _PEAK, str(root), str(out)], cwd=REPO, check=True, capture_output=True, text=True)
    return time.perf_counter() - t, int(done.stdout.split()[-1]) / 1024


def generate(root: Path, out: Path) -> None:
    sh(*PHASEDOCS, "generate", "--project", str(root), "--out", str(out), "-q")()


def snapshot_then_generate(root: Path, out: Path) -> Callable[[], None]:
    """Each call records one new snapshot of phase 1, then regenerates: the everyday loop."""
    counter = iter(range(10_000))

    def run() -> None:
        n = next(counter)
        (root / "phases/phase-01/metrics" / f"zz{n:05d}.json").write_text(
            json.dumps({"timestamp": f"2025-03-01T{n % 24:02d}:00:00Z", "metrics": {"warnings": 10 + n % 7}})
        )
        generate(root, out)

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--quick", action="store_true", help="smaller projects, fewer repeats: a smoke run whose rows are not judged"
    )
    parser.add_argument(
        "--only", choices=["scale"], help="run only these rows (scale: one phase of 1,000, 2,000 and 5,000 tasks)"
    )
    args = parser.parse_args()
    global JUDGE
    JUDGE = not args.quick
    k = 4 if args.quick else 1  # shrink factor
    rep = 2 if args.quick else 5
    # pip writes bytecode when it installs a package, so the baseline's libraries never
    # compile at start-up; an editable install under PYTHONDONTWRITEBYTECODE (set on some
    # machines) would compile every module of ours on every run instead. Compile up front.
    compileall.compile_dir(REPO / "generator" / "phasedocs", quiet=1)
    work = Path(tempfile.mkdtemp(prefix="phasedocs-bench-"))
    try:
        if args.only == "scale":
            print(f"{'figure':<58} {'ours':>9}   {'baseline':>9}   ratio")
            run_scale(work, k, rep)
        else:
            run_all(work, k, rep)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    out = REPO / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    (out / "bench.json").write_text(json.dumps({"quick": args.quick, "rows": ROWS}, indent=2) + "\n")
    print(f"\nwritten {out / 'bench.json'}")


def run_all(work: Path, k: int, rep: int) -> None:
    from phasedocs.charts import drawing
    from phasedocs.charts import specs as charts
    from phasedocs.facts import compute
    from phasedocs.input.project import load_project
    from phasedocs.input.site_config import ChartStyle

    print(f"{'figure':<58} {'ours':>9}   {'baseline':>9}   ratio")
    # 1. start-up: validate and handoff against a bare import of their libraries
    example = work / "example"
    shutil.copytree(REPO / "phases", example / "phases")
    stamped = work / "stamped"
    shutil.copytree(REPO / "phases", stamped / "phases")
    sh(*PHASEDOCS, "validate", "--project", str(stamped))()
    t = best_interleaved(
        {
            "bare": sh(PY, "-c", "import yaml, pydantic, jinja2"),
            "cold": sh(*PHASEDOCS, "validate", "--no-cache", "--project", str(example)),
            "stamped": sh(*PHASEDOCS, "validate", "--project", str(stamped)),
            "handoff": sh(*PHASEDOCS, "handoff", "7", "--project", str(example)),
        },
        rep * 4,
    )
    bare = "import yaml, pydantic, jinja2"
    row("validate example, cold (no stamp)", t["cold"], t["bare"], bare, 1.5)
    row("validate example, inputs unchanged (stamped)", t["stamped"], t["bare"], bare, 1.5)
    row("handoff example", t["handoff"], t["bare"], bare, None)

    # 2. facts are linear in tasks + snapshots: 4x the input should cost about 4x
    small = synth.make(work / "facts-small", 1, 50 // k, 1250 // k)
    large = synth.make(work / "facts-large", 1, 200 // k, 5000 // k)
    t_small = best(lambda: compute(load_project(small)), rep)
    t_large = best(lambda: compute(load_project(large)), rep)
    row(
        f"load+facts {200 // k} tasks, {5000 // k} snapshots",
        t_large,
        t_small,
        f"{50 // k} tasks, {1250 // k} snapshots",
        5.0,
        "linear: 4x the input",
    )

    # 2b. the Monte Carlo forecast: a 200-task handoff with estimates against the same without
    # (no estimates and nothing finished: no spread, one run, no numpy), and the sampling alone
    plain_phase = synth.make(work / "mc-plain", 1, 200 // k, 1)
    spread_phase = synth.make(work / "mc-spread", 1, 200 // k, 1, estimates=True)
    t = best_interleaved(
        {
            "plain": sh(*PHASEDOCS, "handoff", "1", "--project", str(plain_phase)),
            "spread": sh(*PHASEDOCS, "handoff", "1", "--project", str(spread_phase)),
        },
        rep * 2,
    )
    row(
        f"handoff of a {200 // k}-task phase with estimates (forecast)",
        t["spread"],
        t["plain"],
        "the same handoff without estimates",
        1.5,
        "10,000 runs, numpy imported",
    )
    from phasedocs.facts import topological
    from phasedocs.forecast import Work, simulate

    tasks50 = load_project(synth.make(work / "mc-50", 1, 50, 1, estimates=True)).phases[0].phase.tasks
    work50 = [
        Work(t.id, t.depends_on, t.duration_days, low=t.estimate.low, high=t.estimate.high)
        for t in topological(list(tasks50))
        if t.estimate is not None
    ]
    simulate(work50, 0.0)  # numpy imported and warm
    row(
        "forecast: 10,000 runs over 50 tasks",
        best(lambda: simulate(work50, 0.0), rep),
        1.0,
        "1 s budget",
        0.25,
        "well under a second",
    )

    # 3. generate: full first run, no change, one snapshot (20 phases x 20 tasks = 400 tasks)
    p20 = synth.make(work / "p20", 20 // k, 20, 6)
    out20 = work / "out20"

    def full20() -> None:
        shutil.rmtree(out20, ignore_errors=True)
        drawing.DRAWN.clear()  # a first run draws every chart: none kept from the run before
        generate(p20, out20)

    t_full = best(full20, max(2, rep // 2))
    row(
        f"generate {20 // k} phases x 20 tasks: full first run",
        t_full,
        t_full,
        "itself",
        None,
        "renders every document and chart",
    )
    row("generate: no change", best(lambda: generate(p20, out20), rep), t_full, "full first run", 0.15)
    row(
        "generate: after one snapshot of one phase",
        best(snapshot_then_generate(p20, out20), rep),
        t_full,
        "full first run",
        0.3,
    )

    from phasedocs.pipeline import build

    def render_only() -> None:
        project = load_project(p20)
        build(project, compute(project), None, draw=False)

    row(
        "render every document of the same project (no charts)",
        best(render_only, max(2, rep // 2)),
        t_full,
        "full first run",
        None,
        "load, validate, facts and all markdown",
    )

    # 4. a full first run grows linearly with phases
    p10, p40 = synth.make(work / "p10", 10 // k, 10, 4), synth.make(work / "p40", 40 // k, 10, 4)

    def full(root: Path, out: Path) -> Callable[[], None]:
        def run() -> None:
            shutil.rmtree(out, ignore_errors=True)
            drawing.DRAWN.clear()
            generate(root, out)

        return run

    row(
        f"generate full first run: {40 // k} phases vs {10 // k}",
        best(full(p40, work / "o40"), max(2, rep // 2)),
        best(full(p10, work / "o10"), max(2, rep // 2)),
        f"{10 // k} phases",
        4.5,
        "4x the phases",
    )

    # 5. charts per second, serial and in parallel processes
    project = load_project(p20)
    facts = compute(project)
    specs = {f"{p.folder}/{name}": spec for p in facts.phases for name, spec in charts.phase_specs(p, facts).items()}
    style = ChartStyle()
    drawing.draw_all(dict(list(specs.items())[:1]), style, workers=1)  # matplotlib imported and warm
    drawing.DRAWN.clear()  # every chart drawn, none taken from the process's memory
    t_serial = best(lambda: drawing.draw_all(specs, style, workers=1), 1)
    drawing.DRAWN.clear()
    t_parallel = best(lambda: drawing.draw_all(specs, style), 1)
    row(
        f"draw {len(specs)} charts in parallel processes",
        t_parallel,
        t_serial,
        "one process",
        None,
        f"{len(specs) / t_parallel:.0f} charts/s parallel, {len(specs) / t_serial:.0f} serial",
    )

    # 6. a no-change run on a 50-phase project draws nothing
    p50 = synth.make(work / "p50", 50 // k, 6, 4)
    out50 = work / "out50"
    t_full50 = best(full(p50, out50), 1)
    generate(p50, out50)
    row(
        f"generate {50 // k} phases: no change (draws nothing)",
        best(lambda: generate(p50, out50), rep),
        t_full50,
        "full first run",
        0.15,
    )
    row(
        f"generate {50 // k} phases: after one snapshot of one phase",
        best(snapshot_then_generate(p50, out50), rep),
        t_full50,
        "full first run",
        0.3,
    )

    # 7. the site: phasedocs build against plain mkdocs on the same pages
    mk = str(Path(PY).parent / "mkdocs")
    plain = work / "plain"
    (plain / "docs").mkdir(parents=True)
    shutil.copytree(out50, plain / "docs", dirs_exist_ok=True)
    (plain / "mkdocs.yml").write_text("site_name: Plain\n")
    t_plain = best(sh(mk, "build", "-q", "-d", str(work / "plain-site"), cwd=plain), max(2, rep // 2))
    sh(*PHASEDOCS, "build", "--project", str(p50), "--site-dir", str(work / "site50"))()  # fills the chart cache
    t_site = best(sh(*PHASEDOCS, "build", "--project", str(p50), "--site-dir", str(work / "site50")), max(2, rep // 2))
    pages = sum(1 for _ in (work / "site50").rglob("index.html"))
    row(
        f"site of {50 // k} phases ({pages} pages): phasedocs build",
        t_site,
        t_plain,
        "plain mkdocs build, default config",
        1.5,
    )

    # 7b. the everyday site rebuild: one new snapshot, each engine against its own full (cold) build
    import importlib.util

    for engine in ("mkdocs", "zensical"):
        if engine == "zensical" and importlib.util.find_spec("zensical") is None:
            print(f"{'site rebuild, zensical':<58} skipped: pip install 'phasedocs[zensical]'")
            continue
        site_e = work / f"site50-{engine}"
        build_e = sh(*PHASEDOCS, "build", "--project", str(p50), "--site-dir", str(site_e), "--engine", engine)

        def cold(build_e: Callable[[], None] = build_e) -> None:
            shutil.rmtree(p50 / ".cache", ignore_errors=True)  # no page, chart or engine cache
            build_e()

        t_cold = best(cold, 1)

        counter = iter(range(10_000))

        def one_snapshot(build_e: Callable[[], None] = build_e, counter: Any = counter, engine: str = engine) -> None:
            n = next(counter)
            (p50 / "phases/phase-01/metrics" / f"site-{engine}-{n:05d}.json").write_text(
                json.dumps({"timestamp": f"2025-03-02T{n % 24:02d}:00:00Z", "metrics": {"warnings": 10 + n % 7}})
            )
            build_e()

        row(
            f"site of {50 // k} phases, {engine}: rebuild after one snapshot",
            best(one_snapshot, max(2, rep // 2)),
            t_cold,
            f"its own full build ({engine}, no cache)",
            0.3,
            "only the changed phase's pages and charts are made again",
        )

    ex_plain = work / "ex-plain"
    (ex_plain / "docs").mkdir(parents=True)
    generate(example, ex_plain / "docs")
    (ex_plain / "mkdocs.yml").write_text("site_name: Plain\ntheme: material\n")
    t_ex_plain = best(sh(mk, "build", "-q", "-d", str(work / "ex-plain-site"), cwd=ex_plain), rep)
    sh(*PHASEDOCS, "build", "--project", str(example), "--site-dir", str(work / "ex-site"))()
    t_ex = best(sh(*PHASEDOCS, "build", "--project", str(example), "--site-dir", str(work / "ex-site")), rep)
    row(
        "example site: phasedocs build",
        t_ex,
        t_ex_plain,
        "mkdocs build (Material) of the generated pages",
        None,
        f"the plugin's share: {max(0.0, (t_ex - t_ex_plain) / t_ex):.0%}",
    )

    # 7c. sync: the whole history read and mapped to tasks, against git's own read of it
    history = synth.make_git(work / "git-history", 200 // k, 50)
    metrics = history / "phases/phase-01/metrics"

    def sync_once() -> None:
        shutil.rmtree(metrics, ignore_errors=True)
        sh(*PHASEDOCS, "sync", "1", "--project", str(history))()

    t = best_interleaved({"git": sh("git", "-C", str(history), "log", "--all", "--name-only"), "sync": sync_once}, rep)
    row(
        f"sync: {200 // k * 50} commits, {200 // k} tasks",
        t["sync"],
        t["git"],
        "git log --all --name-only over the same history",
        None,
        "read, map to tasks, record",
    )

    run_scale(work, k, rep)


def run_scale(work: Path, k: int, rep: int) -> None:
    """One big phase: cost near-linear in tasks, memory bounded (charts capped at MAX_BARS,
    collisions grouped by file); a 5,000-task phase generates."""
    big1, big2 = synth.make(work / "t1000", 1, 1000 // k, 10), synth.make(work / "t2000", 1, 2000 // k, 10)
    runs1 = [generate_peak(big1, work / "o1000") for _ in range(max(1, rep // 2))]
    runs2 = [generate_peak(big2, work / "o2000") for _ in range(max(1, rep // 2))]
    t1, m1 = min(r[0] for r in runs1), max(r[1] for r in runs1)
    t2, m2 = min(r[0] for r in runs2), max(r[1] for r in runs2)
    row(
        f"generate one phase of {2000 // k} tasks vs {1000 // k}",
        t2,
        t1,
        f"{1000 // k} tasks",
        2.2,
        "about twice for twice the tasks",
    )
    row(f"peak memory, one phase of {1000 // k} tasks", m1, 600, "600 MB budget", 1.0, unit="MB")
    row(f"peak memory, one phase of {2000 // k} tasks", m2, 600, "600 MB budget", 1.0, unit="MB")
    big5 = synth.make(work / "t5000", 1, 5000 // k, 10)
    t5, m5 = generate_peak(big5, work / "o5000")
    row(
        f"generate one phase of {5000 // k} tasks vs {1000 // k}",
        t5,
        t1,
        f"{1000 // k} tasks",
        None,
        f"it generates; peak memory {m5:.0f} MB",
    )
    largest = largest_of(work / "o5000")
    row(
        f"largest document of the {5000 // k}-task phase",
        largest / 1e6,
        largest_of(work / "o1000") / 1e6,
        f"largest of the {1000 // k}-task phase",
        None,
        "linear output: 5x the tasks",
        unit="MB",
    )


def largest_of(out: Path) -> int:
    """The size of the largest markdown document under ``out``."""
    return max((f.stat().st_size for f in out.rglob("*.md")), default=1)


if __name__ == "__main__":
    main()
