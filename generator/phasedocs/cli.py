"""The command line: a thin click layer over functions that do the work.

Each command imports its module inside the function (as mkdocs' ``__main__`` does), so
``validate`` and ``handoff`` never pay for matplotlib or mkdocs. Errors are
:class:`~phasedocs.errors.PhasedocsError` subclasses: click prints them and exits 1.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from phasedocs import __version__


def find_project(start: Path) -> Path | None:
    """The first of ``start`` and its parents that holds ``phases/project.yaml``, as git finds
    its top level; the search never climbs above a git top level (a folder holding ``.git``)
    nor the filesystem root. None when there is none."""
    here = Path(os.path.abspath(start))
    for folder in (here, *here.parents):
        if (folder / "phases" / "project.yaml").is_file():
            return folder
        if (folder / ".git").exists():
            return None
    return None


def _project_dir(ctx: click.Context, param: click.Parameter, value: Path | None) -> Path:
    """--project, or the project found from the current folder upward (said on stderr when
    it is not the current folder, as later messages name paths relative to it)."""
    if value is not None:
        return value
    found = find_project(Path.cwd())
    if found is None or found == Path(os.path.abspath(".")):
        return Path(".")  # not found: the usual message ('run phasedocs init or pass --project')
    rel = Path(os.path.relpath(found))
    click.echo(f"phasedocs: project {found} (found above the current folder)", err=True)
    return rel


project_option = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    callback=_project_dir,
    help="The project folder (the one holding phases/) [default: the current folder or the first above it that "
    "holds phases/project.yaml, as git finds its top level].",
)


# the options of a snapshot, shared by record and measure (both write one through the same checks)
task_option = click.option(
    "--task",
    "tasks",
    multiple=True,
    metavar="ID=STATE",
    help="A task state: pending, in_progress, complete or blocked.",
)
note_option = click.option(
    "--note",
    "notes",
    multiple=True,
    metavar="[ID=]TEXT",
    help="Why: ID=TEXT for a task (a blocker's reason), plain TEXT for the whole snapshot.",
)
label_option = click.option("--label", default=None, help="Short name shown in tables and charts.")
at_option = click.option(
    "--at",
    default=None,
    metavar="TIMESTAMP",
    help="When the values were measured, ISO 8601 (2025-10-24T16:00:00Z); a time without a zone "
    "(2025-10-24T16:00) is read in the project's timezone [default: now].",
)

engine_option = click.option(
    "--engine",
    type=click.Choice(["mkdocs", "zensical"]),
    default="mkdocs",
    show_default=True,
    help="The site engine: MkDocs with Material, or Zensical (pip install 'phasedocs[zensical]').",
)


class _Main(click.Group):
    """The command group: refuses arguments that are not text, prints the errors of the
    operating system (a full disk, a read-only folder) as errors of ours, without a traceback,
    and sends every byte any command prints through :class:`~phasedocs.errors.WorkflowSafe`."""

    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Run a command with stdout and stderr made safe for CI logs (see ``workflow_safe``)."""
        from phasedocs.errors import WorkflowSafe

        saved = sys.stdout, sys.stderr
        out, err = WorkflowSafe(sys.stdout), WorkflowSafe(sys.stderr)
        sys.stdout, sys.stderr = out, err
        try:
            return super().main(*args, **kwargs)
        finally:
            for stream in (out, err):
                stream.close_line()
            sys.stdout, sys.stderr = saved

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Refuse an argument holding bytes that are not UTF-8, before any command runs: such
        a name cannot be printed, nor written into a snapshot, a document or a log."""
        from phasedocs.errors import Abort, printable

        for i, arg in enumerate(args):
            if any("\ud800" <= ch <= "\udfff" for ch in arg):
                option = args[i - 1] if i and args[i - 1].startswith("-") and "=" not in args[i - 1] else None
                name = option or (arg.partition("=")[0] if arg.startswith("--") else "argument")
                raise Abort(
                    f"{printable(name)} {printable(arg)}: holds bytes that are not UTF-8 text; "
                    "write it in UTF-8 (rename a file or folder whose name is not)"
                )
        return super().parse_args(ctx, args)

    def invoke(self, ctx: click.Context) -> object:
        """Run the command; an :class:`OSError` it did not handle becomes an error naming the path."""
        import errno

        from phasedocs.errors import os_error

        try:
            return super().invoke(ctx)
        except OSError as exc:
            if exc.errno == errno.EPIPE:  # the reader went away (| head): click's own handling
                raise
            raise os_error(exc) from None


@click.group(cls=_Main, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="phasedocs")
def main() -> None:
    """phasedocs: coordination documents as a pure function of phase data."""
    from phasedocs.output.writer import exit_on_terminate

    exit_on_terminate()


def _sweep(project_dir: Path) -> None:
    """Remove the temp files killed records left in metrics folders, saying so in one line."""
    from phasedocs.errors import printable
    from phasedocs.output.leftovers import sweep_snapshot_temps

    removed = sweep_snapshot_temps(project_dir)
    if removed:
        n = len(removed)
        click.echo(
            printable(f"removed {n} temp file{'s' if n != 1 else ''} left by a killed record: {', '.join(removed)}"),
            err=True,
        )


@main.command()
@click.argument("phase", required=False)
@project_option
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="Also append what the evidence changed, as markdown, to FILE ($GITHUB_STEP_SUMMARY).",
)
def sync(phase: str | None, project_dir: Path, summary: Path | None) -> None:
    """Record one snapshot of what the git history shows of the phase's tasks (default: the phase under way)."""
    from phasedocs.commands.sync import summary_markdown
    from phasedocs.commands.sync import sync as run

    result = run(project_dir, phase)
    if summary is not None:
        from phasedocs.commands.check import append_summary

        append_summary(summary, summary_markdown(result))
    if result.path is None and result.evidence is None:
        click.echo(f"nothing new in {result.commits} commits: every task's evidence is recorded already")
    elif result.path is None:
        click.echo(f"no new task state in {result.commits} commits: every task's state is recorded already")
    else:
        click.echo(f"recorded {result.path}: evidence for {', '.join(result.tasks)}")
    if result.evidence is not None:
        click.echo(f"wrote {result.evidence}: what the history shows, compared with the recorded states by generate")
    if result.shallow:
        click.echo(
            "note: this clone is shallow, so history before its depth is missing; "
            "fetch the whole history (git fetch --unshallow, or fetch-depth: 0 in CI)",
            err=True,
        )


@main.command()
@project_option
@click.option(
    "--no-cache", is_flag=True, help="Validate in full even if the inputs are unchanged since the last clean run."
)
def validate(project_dir: Path, no_cache: bool) -> None:
    """Check phases/ against the input format; print every error found."""
    from phasedocs.output import caches as stamp
    from phasedocs.paths import escapes

    mkdocs = project_dir / "mkdocs.yml"
    try:  # a mkdocs.yml without the word loads no YAML parser: a stamped validate stays cheap
        hooks = mkdocs.is_file() and not escapes(project_dir, mkdocs) and b"hooks" in mkdocs.read_bytes()
    except OSError:
        hooks = False
    if hooks:
        from phasedocs.input.mkdocs_yml import hook_warnings

        for line in hook_warnings(project_dir):  # code, not settings: named on every run, cached or not
            click.echo(line, err=True)
    _sweep(project_dir)
    if not no_cache:
        cached = stamp.cached_result(project_dir)
        if cached is not None:
            click.echo(cached)
            return
    from phasedocs.errors import printable
    from phasedocs.input.project import load_project

    project = load_project(project_dir)
    tasks = sum(len(p.phase.tasks) for p in project.phases)
    snaps = sum(len(p.snapshots) for p in project.phases)
    message = f"ok: {len(project.phases)} phase(s), {tasks} task(s), {snaps} snapshot(s)"
    for warning in project.warnings:
        click.echo(printable(f"warning: {warning}"), err=True)
    if not project.warnings:  # a stamp would silence the warnings on the next run
        stamp.remember(project_dir, message)
    click.echo(message)


def _progress(quiet: bool):
    """A progress report: one live line on a terminal, plain lines in logs, nothing when quiet."""
    if quiet:
        return lambda what, done, total: None
    if sys.stderr.isatty():
        return lambda what, done, total: click.echo(f"\r\033[K[{done}/{total}] {what}", err=True, nl=False)
    return lambda what, done, total: None if what.endswith("unchanged") else click.echo(what, err=True)


@main.command()
@project_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Output folder [default: PROJECT/docs].",
)
@click.option(
    "--force",
    is_flag=True,
    help="Replace files phasedocs wrote even if they were edited by hand (never a file it did not write).",
)
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def generate(project_dir: Path, out_dir: Path | None, force: bool, quiet: bool) -> None:
    """Write the documents, charts and final-metrics.json into the output folder."""
    from phasedocs.errors import printable
    from phasedocs.pipeline import generate as run
    from phasedocs.site.adopt import default_out

    out = out_dir if out_dir is not None else default_out(project_dir)
    _sweep(project_dir)
    try:
        result, report = run(project_dir, out, force=force, progress=_progress(quiet))
    finally:
        if not quiet and sys.stderr.isatty():
            click.echo("\r\033[K", err=True, nl=False)  # the live line gives way to the summary or error
    for warning in result.warnings:
        click.echo(printable(f"warning: {warning}"), err=True)
    if not quiet:
        click.echo(
            f"{len(report.written)} written, {len(report.unchanged) + len(result.keep)} unchanged, "
            f"{len(report.removed)} removed in {out}"
        )
        for rel in report.kept_edited:
            click.echo(f"kept {out / rel}: no longer generated, but edited by hand", err=True)


@main.command()
@project_option
@click.option(
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Where to build [default: from mkdocs.yml, else PROJECT/site].",
)
@click.option("--strict", is_flag=True, help="Fail on any warning of the engine.")
@engine_option
def build(project_dir: Path, site_dir: Path | None, strict: bool, engine: str) -> None:
    """Generate everything and build the site (MkDocs Material, or Zensical)."""
    if engine == "zensical":
        from phasedocs.site.zensical import build as run
    else:
        from phasedocs.site.build import build as run
        from phasedocs.site.config import log_to_terminal

        log_to_terminal("WARNING")
    out = run(project_dir, site_dir, strict)
    click.echo(f"site built in {out}")


def _dev_addr(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """``--dev-addr`` checked before a server starts: HOST:PORT with a port from 1 to 65535."""
    if value is None:
        return None
    from phasedocs.errors import Abort, printable

    host, sep, port = value.rpartition(":")
    if not sep or not host or not port.isascii() or not port.isdigit() or len(port) > 5 or not 1 <= int(port) <= 65535:
        raise Abort(
            f"--dev-addr {printable(value)}: expected HOST:PORT with a port from 1 to 65535; "
            "pass e.g. --dev-addr 127.0.0.1:8001"
        )
    return value


@main.command()
@project_option
@click.option(
    "-a",
    "--dev-addr",
    default=None,
    metavar="HOST:PORT",
    callback=_dev_addr,
    help="Address to serve on [default: 127.0.0.1:8000].",
)
@engine_option
def serve(project_dir: Path, dev_addr: str | None, engine: str) -> None:
    """Serve the site with live reload when a phase or snapshot changes."""
    if engine == "zensical":
        from phasedocs.site import zensical

        zensical.serve(project_dir, dev_addr)
        return
    from phasedocs.site.build import serve as run
    from phasedocs.site.config import log_to_terminal

    log_to_terminal("INFO")
    run(project_dir, dev_addr)


@main.command()
@project_option
@click.option("--remote", default="origin", show_default=True, help="The git remote to push to.")
@click.option("--branch", default="gh-pages", show_default=True, help="The branch GitHub Pages serves.")
@click.option("-m", "--message", default=None, help="Commit message [default: Deploy phase docs from <sha>].")
@engine_option
def deploy(project_dir: Path, remote: str, branch: str, message: str | None, engine: str) -> None:
    """Build and publish the site to a gh-pages branch (a new commit on top of it)."""
    from phasedocs.site.config import log_to_terminal
    from phasedocs.site.deploy import deploy as run
    from phasedocs.site.deploy import uncommitted_inputs

    log_to_terminal("WARNING")
    changed = uncommitted_inputs(project_dir)
    if changed:
        shown = ", ".join(changed[:5]) + (f" and {len(changed) - 5} more" if len(changed) > 5 else "")
        click.echo(
            f"warning: uncommitted changes ({shown}) are published, but the commit the deploy names does not hold "
            "them; commit them to keep the site and the repository in step",
            err=True,
        )
    sha = run(project_dir, remote, branch, message, engine=engine)
    click.echo(f"deployed {sha[:12]} to {remote}/{branch}")


@main.command()
@click.argument("phase")
@project_option
@click.option(
    "--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE instead of stdout."
)
@click.option("--force", is_flag=True, help="Replace FILE even if it is not a handoff of this phase.")
def handoff(phase: str, project_dir: Path, output: Path | None, force: bool) -> None:
    """Print the COORDINATOR-HANDOFF document of PHASE (e.g. 7)."""
    from phasedocs.output.writer import check_user_file, write_user_file
    from phasedocs.pipeline import handoff_files, printed_handoff

    if output is None:
        text, stale = printed_handoff(project_dir, phase)
        click.echo(text, nl=False)
        if stale:  # on stderr: the document itself stays the same wherever it is printed
            click.echo(
                f"note: the handoff names {len(stale)} task file(s) missing or out of date here "
                f"(first: {stale[0]}); run `phasedocs generate` before launching, or "
                f"`phasedocs handoff {phase} --output FILE` to write the task files beside FILE",
                err=True,
            )
        return
    # the handoff and the task files its commands name: all checked before the first is written
    files = handoff_files(project_dir, phase, output)
    for path, text in files.items():
        check_user_file(
            path, text, force=force, what="a handoff of this phase" if path == output else "this task's file"
        )
    for path, text in files.items():
        write_user_file(path, text, force=True)
    if len(files) > 1:
        folder = next(iter(files.keys() - {output})).parent
        click.echo(f"wrote {output} and, in {folder}, the {len(files) - 1} task file(s) its commands name")


@main.command()
@click.argument("phase")
@project_option
@click.option(
    "--metric",
    "metrics",
    multiple=True,
    metavar="KEY=VALUE",
    help="A metric value (typed by the catalogue; null = not measured).",
)
@task_option
@click.option("--check", "checks", multiple=True, metavar="ID=true|false", help="A hand-checked criterion.")
@note_option
@click.option(
    "--health",
    default=None,
    type=click.Choice(["on_track", "at_risk", "off_track"]),
    help="Your call on the phase, shown beside the computed one.",
)
@click.option(
    "--from-json",
    type=click.Path(path_type=Path),
    default=None,
    help="A JSON file of values (a CI tool's output); the flags win.",
)
@at_option
@label_option
@click.option(
    "--kind",
    default=None,
    type=click.Choice(["baseline", "progress", "final"]),
    help="Snapshot kind [default: progress].",
)
@click.option(
    "--waive",
    "waive",
    multiple=True,
    metavar="ID=DEP,DEP",
    help="Dependencies task ID went ahead of (recorded in progress or complete before them); needs --note ID=TEXT.",
)
@click.option(
    "--task-metric",
    "task_metrics",
    multiple=True,
    metavar="ID:KEY=VALUE",
    help="A value of catalogue metric KEY for task ID alone (what it cost: 7.1:cost_usd=3.2).",
)
@click.option("--accept", is_flag=True, help="Record values that look like a slip of unit (a ratio above 1).")
def record(phase: str, project_dir: Path, **flags: object) -> None:
    """Append a metric snapshot to PHASE (validated first; never overwrites)."""
    from phasedocs.commands.record import record as run

    _sweep(project_dir)
    path, warning = run(project_dir, phase, **flags)
    click.echo(f"recorded {path}")
    if warning:
        click.echo(f"warning: {warning}", err=True)


@main.command()
@click.argument("phase", required=False)
@project_option
@task_option
@note_option
@label_option
@at_option
@click.option("--allow-missing", is_flag=True, help="Record the metrics whose reports exist; skip the missing ones.")
@click.option("--if-declared", is_flag=True, help="Succeed, recording nothing, when no metric declares extract:.")
def measure(
    phase: str | None,
    project_dir: Path,
    tasks: tuple[str, ...],
    notes: tuple[str, ...],
    label: str | None,
    at: str | None,
    allow_missing: bool,
    if_declared: bool,
) -> None:
    """Record one snapshot of PHASE from the tool reports the catalogue declares (extract:).

    Without PHASE, the phase under way (else the first not complete).
    """
    from phasedocs.commands.measure import measure as run
    from phasedocs.errors import printable

    _sweep(project_dir)
    done = run(
        project_dir,
        phase,
        allow_missing=allow_missing,
        if_declared=if_declared,
        tasks=tasks,
        notes=notes,
        label=label,
        at=at,
    )
    if done.path is None:
        click.echo("no metric declares extract: nothing to measure")
        return
    for key, value in done.values.items():
        click.echo(printable(f"{key} = {value} ({', '.join(done.sources[key])})"))
    for tid, own in done.task_values.items():
        for key, value in own.items():
            where = ", ".join(done.sources[f"{key} of task {tid}"])
            click.echo(printable(f"{key} of task {tid} = {value} ({where})"))
    for line in done.missing:
        click.echo(f"skipped {line}", err=True)
    click.echo(f"recorded {done.path}")


class _Check(click.Command):
    """``check``, which prints JSON with ``--format json``: ``--json``, as other tools spell
    it, is refused with the option to use (one spelling, never two that could disagree)."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        """Parse as click does; an unknown ``--json`` names ``--format json``."""
        try:
            return super().parse_args(ctx, args)
        except click.NoSuchOption as exc:
            if exc.option_name != "--json":
                raise
            raise click.NoSuchOption(
                "--json", message="No such option '--json'. Did you mean '--format json'?", ctx=ctx
            ) from None


@main.command(cls=_Check)
@click.argument("phases", nargs=-1)
@project_option
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json"]),
    default="text",
    show_default=True,
    help="How to print the findings.",
)
@click.option(
    "--summary",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    metavar="FILE",
    help="Append the markdown report to FILE (e.g. $GITHUB_STEP_SUMMARY).",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on every finding too: criteria not met yet (work still going on), implausible claims, recorded states the git history disagrees with.",
)
def check(phases: tuple[str, ...], project_dir: Path, fmt: str, summary: Path | None, strict: bool) -> None:
    """Exit 1 when a settled criterion is missed or a metric regressed past its threshold.

    PHASES default to every phase. Criteria not met yet are reported but pass, unless --strict.
    """
    from phasedocs.commands.check import append_summary
    from phasedocs.commands.check import check as run

    report = run(project_dir, phases, strict=strict)
    if fmt == "json":
        click.echo(report.json().decode("utf-8"), nl=False)
    elif fmt == "markdown":
        click.echo(report.markdown())
    else:
        click.echo(report.text(), nl=False)
    if summary is not None:
        append_summary(summary, report.markdown())
    if not report.ok:
        raise SystemExit(1)


@main.command()
@click.argument("phase")
@project_option
@click.option("--replan", is_flag=True, help="Record a new plan beside the earlier ones (needs --reason).")
@click.option("--reason", default=None, metavar="TEXT", help="Why the plan changes (with --replan).")
@click.option("--at", default=None, metavar="TIMESTAMP", help="When the plan was agreed [default: now].")
@click.option(
    "--from",
    "since",
    default=None,
    metavar="TIMESTAMP",
    help="With --replan: schedule the remaining work from this time [default: the latest snapshot].",
)
def freeze(phase: str, project_dir: Path, replan: bool, reason: str | None, at: str | None, since: str | None) -> None:
    """Freeze PHASE's schedule as its plan (phases/phase-NN/plan.json); never overwrites."""
    from phasedocs.commands.freeze import freeze as run
    from phasedocs.commands.freeze import replan_lines
    from phasedocs.errors import printable

    path = run(project_dir, phase, replan=replan, reason=reason, at=at, since=since)
    click.echo(f"{'re-planned' if replan else 'froze the plan'} in {path}")
    for line in replan_lines(path) if replan else []:
        click.echo(printable(f"  {line}"))


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
@click.option(
    "--start",
    default=None,
    metavar="DATE",
    help="When phase 1 begins: YYYY-MM-DD (09:00 UTC) or a time with its zone [default: the next working morning].",
)
@click.option("--yes", is_flag=True, help="In a repository with a site of its own: apply the changes shown.")
def init(directory: Path, start: str | None, yes: bool) -> None:
    """Create a new project in DIRECTORY: phases/, site_config/, mkdocs.yml, Pages workflow.

    In a repository with its own mkdocs.yml or docs/, phasedocs goes beside them: the
    changes to mkdocs.yml are shown first and applied with --yes.
    """
    from phasedocs.commands.init import adoption_files, beside_site
    from phasedocs.commands.init import init as run
    from phasedocs.site import adopt

    if beside_site(directory) and not yes:
        plan = adopt.plan(directory)
        click.echo(f"{directory} has a site of its own: phasedocs goes beside it, under {adopt.PREFIX}/.")
        for rel in adoption_files(directory, plan):
            if not (directory / rel).exists():
                click.echo(f"  would create {directory / rel}")
        if plan.diff:
            click.echo("would change mkdocs.yml:")
            click.echo(plan.diff, nl=False)
        for note in plan.notes:
            click.echo(f"note: {note}")
        click.echo("nothing written: run `phasedocs init --yes` to apply")
        return
    beside = beside_site(directory)
    had_mkdocs = (directory / "mkdocs.yml").is_file()  # a site's own, changed; else init writes one
    created, skipped = run(directory, start, yes=True)
    ignored = "'site/', 'docs/phases/' and '.cache/'" if beside else "'site/', 'docs/' and '.cache/'"
    for rel in created:
        click.echo(f"{'changed' if rel == 'mkdocs.yml' and had_mkdocs else 'created'} {directory / rel}")
    for rel in skipped:
        if rel == ".gitignore":
            click.echo(f"kept your {directory / rel}: add the lines {ignored} to it")
        else:
            click.echo(f"kept your {directory / rel}")
    click.echo("next: phasedocs validate && phasedocs build, then push to publish with GitHub Pages")
    click.echo(
        "when a phase is handed off: phasedocs freeze NN, and commit its plan.json "
        "(documents then measure what happens against that plan)"
    )


@main.command("import")
@click.argument("source", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--phase",
    "number",
    type=click.IntRange(min=0),
    default=None,
    help="The phase number [default: the one the documents name].",
)
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=None,
    help="The new project folder; must not exist or be empty [default: SOURCE's name + '-phasedocs'].",
)
def import_(source: Path, number: int | None, out_dir: Path | None) -> None:
    """A phasedocs project from a folder of hand-written coordination documents, with IMPORT-REPORT.md."""
    from phasedocs.commands.importer import import_package

    target = out_dir or Path(f"{source.resolve().name}-phasedocs")
    ported, _ = import_package(source, target, number)
    tasks = ported.phase["tasks"]
    click.echo(f"imported phase {ported.number}: {len(tasks)} tasks into {target}")
    click.echo(f"{len(ported.decisions)} disagreements between the documents: read {target / 'IMPORT-REPORT.md'}")
    click.echo(f"next: cd {target} && phasedocs validate && phasedocs generate")


@main.command()
@click.option(
    "--output",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Folder for the schema files.",
)
def schema(out_dir: Path) -> None:
    """Write JSON Schemas of project.yaml, phase.yaml, a snapshot, plan.json and evidence.json (for editors)."""
    from phasedocs.commands.schema import write_schemas

    for path in write_schemas(out_dir):
        click.echo(str(path))


if __name__ == "__main__":  # pragma: no cover
    main()
