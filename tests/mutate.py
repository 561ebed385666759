"""Mutation testing (``make mutate``): mutmut over the input, facts, render and output code.

mutmut imports the mutated package from ``mutants/src/`` (its own convention), so the run
happens in a staging folder, ``.mutate/``, where ``generator/phasedocs`` is laid out as
``src/phasedocs`` next to copies of the tests and the three folders they read. The score
(killed / all mutants, timeouts counted as killed) is printed at the end; the exit status
is 1 under ``--fail-under`` (90 by default). Each run starts from a fresh stage. Not part
of ``make test``: every mutant of over 8,000 runs the tests that reach it, which takes
hours on two cores. ``--sample N`` tests a seeded random sample of N mutants instead and
prints the estimate with its 95% interval (``make mutate SAMPLE=600``: under an hour). Not
collected by pytest (the name does not start with ``test_``).

    .venv/bin/python tests/mutate.py [--fail-under 90] [--max-children N] [--sample N --seed S]
"""

from __future__ import annotations

import argparse
import importlib.util
import math
import os
import random
import re
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
STAGE = REPO / ".mutate"

#: What is mutated: the pipeline's core stages (site, charts and commands are glue
#: tested end to end; their mutants mostly change wording or drawing).
TARGETS = ["input", "facts", "forecast.py", "gate.py", "dates.py", "formats.py", "render", "output"]
#: Tests left out of the mutant runs: the browser (minutes each), the fuzz and scale runs
#: (minutes of hypothesis and large projects per mutant), the packaging tests (they build
#: a wheel of the original code), and the one that builds the repository through the
#: installed plugin (it sees the original code too).
DESELECT = [
    "-m", "not browser",
    "--ignore", "tests/security/test_sec_fuzz.py",
    "--ignore", "tests/security/test_sec_scale.py",
    "--ignore", "tests/test_layout.py",
    "--deselect", "tests/test_site.py::test_the_repository_builds_strict_through_plain_mkdocs",
    # a second generate in a subprocess sees other code mtimes than mutmut's process
    # (its stats pass), so the code fingerprint differs and the group re-renders
    "--deselect", "tests/test_writer.py::test_a_no_change_run_does_not_even_import_matplotlib",
    # seconds per mutant that reaches them, checking what is not mutated (git deploy, the
    # second engine, serve, worker processes); the input, facts and output code they pass
    # through is checked by faster tests
    "--ignore", "tests/security/test_sec_deploy.py",
    "--ignore", "tests/test_engines.py",
    "--deselect", "tests/test_site.py::test_serve_",
    "--deselect", "tests/test_site.py::test_deploy_",
    "--deselect", "tests/test_site.py::test_state_symbols_on_the_site_need_no_emoji_font",
    "--deselect", "tests/test_charts.py::test_two_processes_write_byte_identical_trees",
    "--deselect", "tests/test_charts.py::test_parallel_drawing_gives_the_same_bytes",
    "--deselect", "tests/security/test_sec_writes.py::test_concurrent_runs_on_one_folder_queue_instead_of_refusing_each_other",
]  # fmt: skip
#: Repository files the tests read besides the package and the data folders.
FILES = ["mkdocs.yml", "README.md"]


def stage(targets: list[str]) -> None:
    """Lay out the staging folder: src/phasedocs, tests, data folders, pyproject with mutmut's settings."""
    # a fresh stage every run: mutmut trusts a mutant file newer than its source, and the
    # copies keep the checkout's times, so a kept mutants/ would hide changed code
    if STAGE.exists():
        shutil.rmtree(STAGE)
    # mutants/src exists before mutmut starts: Python caches "no such folder" for a path entry
    # and would never look there again, importing another copy instead
    (STAGE / "mutants" / "src").mkdir(parents=True)
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "artifacts")
    shutil.copytree(REPO / "generator" / "phasedocs", STAGE / "src" / "phasedocs", ignore=ignore)
    for name in ("tests", "templates", "phases", "site_config", "bench", "manual"):
        shutil.copytree(REPO / name, STAGE / name, ignore=ignore)
    for name in FILES:
        shutil.copy2(REPO / name, STAGE / name)
    text = (REPO / "pyproject.toml").read_text(encoding="utf-8")
    # the whole package is copied (mutants/src/phasedocs must be a package that wins over
    # the editable install); only the targets are mutated
    only = ", ".join(f'"src/phasedocs/{t}/*"' if not t.endswith(".py") else f'"src/phasedocs/{t}"' for t in targets)
    copies = ", ".join(f'"{n}"' for n in ("templates", "phases", "site_config", "bench", "manual", *FILES))
    args = ", ".join(f'"{a}"' for a in DESELECT)
    text += (
        "\n[tool.mutmut]\n"
        'source_paths = ["src/phasedocs"]\n'
        f"only_mutate = [{only}]\n"
        f"also_copy = [{copies}]\n"
        f'pytest_add_cli_args = [{args}, "-p", "no:cacheprovider"]\n'
        "mutate_only_covered_lines = true\n"
        # mutmut stops a mutant's tests after this many times their usual CPU time, twice
        # over (15 by default: 50 minutes for a mutant reaching the whole suite, which is
        # what an endless loop costs); CPU time does not grow on a busy machine
        "timeout_multiplier = 5.0\n"
    )
    (STAGE / "pyproject.toml").write_text(text, encoding="utf-8")


#: The data a mutant's test run may hold: a mutant that removes a size guard (the YAML alias
#: limit) makes its test grow without end; at this limit it fails with MemoryError (killed)
#: instead of taking the machine's memory. The suite itself stays under 1 GiB.
MEMORY_LIMIT = 4 << 30


def limit_memory() -> None:
    """Cap the data segment of mutmut and the test runs it forks (their children inherit it)."""
    import resource

    resource.setrlimit(resource.RLIMIT_DATA, (MEMORY_LIMIT, MEMORY_LIMIT))


def isolated_python() -> Path:
    """An interpreter that sees this venv's packages but not the editable install of phasedocs.

    The editable install puts the checkout's package on every path; a test would then mix
    mutated modules with original ones. A bare venv whose one .pth names this venv's
    site-packages sees the libraries (mutmut, pytest, MkDocs...) and only the staged package.
    """
    venv = STAGE / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site = Path(sysconfig.get_paths()["purelib"])
    (own,) = venv.glob("lib/python*/site-packages")
    (own / "libraries.pth").write_text(f"{site}\n", encoding="utf-8")  # a path line: its .pth files are not run
    return venv / "bin" / "python"


def statuses(results: str) -> dict[str, str]:
    """Mutant name -> status (killed, survived, not checked...) from ``mutmut results --all true``."""
    return {m.group(1): m.group(2).strip() for m in re.finditer(r"^\s*(\S+__mutmut_\d+): (.+)$", results, re.MULTILINE)}


def score(status: dict[str, str]) -> tuple[int, int, dict[str, int]]:
    """(killed, total, count per status) of the mutants in ``status``."""
    counts: dict[str, int] = {}
    for state in status.values():
        counts[state] = counts.get(state, 0) + 1
    killed = counts.get("killed", 0) + counts.get("timeout", 0)
    # a mutant no test reaches is a survivor: nothing would notice the bug
    total = sum(n for state, n in counts.items() if state not in ("skipped", "not checked"))
    return killed, total, counts


def wilson(killed: int, total: int, z: float = 1.96) -> tuple[float, float]:
    """The 95% Wilson score interval of the share ``killed / total`` (a sample's estimate)."""
    p = killed / total
    centre = p + z * z / (2 * total)
    half = z * math.sqrt(p * (1 - p) / total + z * z / (4 * total * total))
    return (centre - half) / (1 + z * z / total), (centre + half) / (1 + z * z / total)


def main() -> int:
    """Stage, run mutmut, print the score."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--fail-under", type=float, default=90.0, help="lowest acceptable score, in percent")
    parser.add_argument("--max-children", type=int, default=os.cpu_count() or 2)
    parser.add_argument(
        "--only",
        nargs="+",
        metavar="PATH",
        help="mutate only these (e.g. input/targets.py render); default: all targets",
    )
    parser.add_argument("--sample", type=int, metavar="N", help="test a random sample of N mutants: an estimate")
    parser.add_argument("--seed", type=int, default=0, help="the sample's seed (the same seed, the same sample)")
    opts = parser.parse_args()
    if importlib.util.find_spec("mutmut") is None:
        print("mutmut is not installed: .venv/bin/pip install -e '.[mutate]'", file=sys.stderr)
        return 2
    stage(opts.only or TARGETS)
    python = isolated_python()
    # subprocesses the tests start (python -m phasedocs, mkdocs build) import the staged
    # original: mutated code outside mutmut's own process has no mutmut to report to;
    # PHASEDOCS_MUTATE: conftest's fewer hypothesis examples
    env = {**os.environ, "PYTHONPATH": str(STAGE / "src"), "PHASEDOCS_MUTATE": "1"}
    mutmut = [str(python), "-m", "mutmut"]

    def results() -> dict[str, str]:
        done = subprocess.run([*mutmut, "results", "--all", "true"], cwd=STAGE, env=env, capture_output=True, text=True)
        return statuses(done.stdout)

    chosen: list[str] = []
    if opts.sample:
        # a run naming a mutant that does not exist makes the mutants and maps the tests, then
        # stops, testing none (mutmut ends it with an assertion: its output is kept from view)
        print("making the mutants and mapping the tests to them...")
        prep = subprocess.run(
            [*mutmut, "run", "phasedocs.none.x_none__mutmut_1"], cwd=STAGE, env=env, capture_output=True, text=True
        )
        everyone = list(results())
        if not everyone:
            print(prep.stdout[-3000:], prep.stderr[-3000:], sep="\n", file=sys.stderr)
            return 1
        chosen = sorted(random.Random(opts.seed).sample(everyone, min(opts.sample, len(everyone))))
        print(f"testing a sample of {len(chosen)} of {len(everyone)} mutants (seed {opts.seed})")
    run = [*mutmut, "run", "--max-children", str(opts.max_children), *chosen]
    subprocess.run(run, cwd=STAGE, env=env, check=False, preexec_fn=limit_memory)
    status = results()
    if chosen:
        status = {name: status.get(name, "not checked") for name in chosen}
    survivors = [name for name, state in status.items() if state == "survived"]
    killed, total, counts = score(status)
    if not total:
        print("mutmut tested no mutant: see its output above", file=sys.stderr)
        return 1
    pct = 100.0 * killed / total
    print(f"\nmutants: {', '.join(f'{n} {s}' for s, n in sorted(counts.items()))}")
    if survivors:
        print(f"survivors (first 40 of {len(survivors)}; `cd .mutate && venv/bin/python -m mutmut show NAME`):")
        for name in survivors[:40]:
            print(f"  {name}")
    print(f"mutation score: {killed}/{total} = {pct:.1f}% (target >= {opts.fail_under:g}%)")
    if chosen:
        low, high = wilson(killed, total)
        print(f"a sample: the score of all mutants is within {100 * low:.1f}%..{100 * high:.1f}% (95% interval)")
    return 0 if pct >= opts.fail_under else 1


if __name__ == "__main__":
    sys.exit(main())
