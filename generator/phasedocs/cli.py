"""The command line: a thin click layer over functions that do the work.

Each command imports its module inside the function (as mkdocs' ``__main__`` does), so
``validate`` and ``handoff`` never pay for matplotlib or mkdocs. Errors are
:class:`~phasedocs.errors.PhasedocsError` subclasses: click prints them and exits 1.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from phasedocs import __version__

project_option = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The project folder (the one holding phases/).",
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
    "--at", default=None, metavar="TIMESTAMP", help="When the values were measured [default: now]."
)

engine_option = click.option(
    "--engine",
    type=click.Choice(["mkdocs", "zensical"]),
    default="mkdocs",
    show_default=True,
    help="The site engine: MkDocs with Material, or Zensical (pip install 'phasedocs[zensical]').",
)


class _Group(click.Group):
    """The command group: every byte any command prints goes through :class:`WorkflowSafe`."""

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


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="phasedocs")
def main() -> None:
    """phasedocs: coordination documents as a pure function of phase data."""
    from phasedocs.output.writer import exit_on_terminate

    exit_on_terminate()


@main.command()
@project_option
@click.option(
    "--no-cache", is_flag=True, help="Validate in full even if the inputs are unchanged since the last clean run."
)
def validate(project_dir: Path, no_cache: bool) -> None:
    """Check phases/ against the input format; print every error found."""
    from phasedocs.output import caches as stamp

    if not no_cache:
        cached = stamp.cached_result(project_dir)
        if cached is not None:
            click.echo(cached)
            return
    from phasedocs.input.project import load_project

    project = load_project(project_dir)
    tasks = sum(len(p.phase.tasks) for p in project.phases)
    snaps = sum(len(p.snapshots) for p in project.phases)
    message = f"ok: {len(project.phases)} phase(s), {tasks} task(s), {snaps} snapshot(s)"
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
@click.option("--force", is_flag=True, help="Replace generated files even if they were edited by hand.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def generate(project_dir: Path, out_dir: Path | None, force: bool, quiet: bool) -> None:
    """Write the documents, charts and final-metrics.json into the output folder."""
    from phasedocs.pipeline import generate as run

    out = out_dir if out_dir is not None else project_dir / "docs"
    try:
        result, report = run(project_dir, out, force=force, progress=_progress(quiet))
    finally:
        if not quiet and sys.stderr.isatty():
            click.echo("\r\033[K", err=True, nl=False)  # the live line gives way to the summary or error
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


@main.command()
@project_option
@click.option(
    "-a", "--dev-addr", default=None, metavar="HOST:PORT", help="Address to serve on [default: 127.0.0.1:8000]."
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
    from phasedocs.output.writer import write_user_file
    from phasedocs.pipeline import handoff as run

    text = run(project_dir, phase, output)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_user_file(output, text, force=force)


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
    type=click.Path(dir_okay=False, path_type=Path),
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
@click.option("--accept", is_flag=True, help="Record values that look like a slip of unit (a ratio above 1).")
def record(phase: str, project_dir: Path, **flags: object) -> None:
    """Append a metric snapshot to PHASE (validated first; never overwrites)."""
    from phasedocs.commands.record import record as run

    path = run(project_dir, phase, **flags)
    click.echo(f"recorded {path}")


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
    for line in done.missing:
        click.echo(f"skipped {line}", err=True)
    click.echo(f"recorded {done.path}")


@main.command()
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
@click.option("--strict", is_flag=True, help="Fail on criteria not met yet too (work still going on).")
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
def freeze(phase: str, project_dir: Path, replan: bool, reason: str | None, at: str | None) -> None:
    """Freeze PHASE's schedule as its plan (phases/phase-NN/plan.json); never overwrites."""
    from phasedocs.commands.freeze import freeze as run

    path = run(project_dir, phase, replan=replan, reason=reason, at=at)
    click.echo(f"{'re-planned' if replan else 'froze the plan'} in {path}")


@main.command()
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path), default=".")
def init(directory: Path) -> None:
    """Create a new project in DIRECTORY: phases/, site_config/, mkdocs.yml, Pages workflow."""
    from phasedocs.commands.init import init as run

    created, skipped = run(directory)
    for rel in created:
        click.echo(f"created {directory / rel}")
    for rel in skipped:
        click.echo(f"kept your {directory / rel}: add the lines 'site/', 'docs/' and '.cache/' to it")
    click.echo("next: phasedocs validate && phasedocs build, then push to publish with GitHub Pages")
    click.echo(
        "when a phase is handed off: phasedocs freeze NN, and commit its plan.json "
        "(documents then measure what happens against that plan)"
    )


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
    """Write JSON Schemas of project.yaml, phase.yaml and a snapshot (for editors)."""
    from phasedocs.commands.schema import write_schemas

    for path in write_schemas(out_dir):
        click.echo(str(path))


if __name__ == "__main__":  # pragma: no cover
    main()
