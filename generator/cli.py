"""The command line: a thin click layer over functions that do the work.

Each command imports its module inside the function (as mkdocs' ``__main__`` does), so
``validate`` and ``handoff`` never pay for matplotlib or mkdocs. Errors are
:class:`~generator.errors.PhasedocsError` subclasses: click prints them and exits 1.
"""

from __future__ import annotations

from pathlib import Path

import click

from . import __version__

project_option = click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=".",
    show_default=True,
    help="The project folder (the one holding phases/).",
)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="phasedocs")
def main() -> None:
    """phasedocs: coordination documents as a pure function of phase data."""


@main.command()
@project_option
def validate(project_dir: Path) -> None:
    """Check phases/ against the input format; print every error found."""
    from .validate import load_project

    project = load_project(project_dir)
    tasks = sum(len(p.phase.tasks) for p in project.phases)
    snaps = sum(len(p.snapshots) for p in project.phases)
    click.echo(f"ok: {len(project.phases)} phase(s), {tasks} task(s), {snaps} snapshot(s)")


@main.command()
@project_option
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=None, help="Output folder [default: PROJECT/docs].")
@click.option("--force", is_flag=True, help="Replace generated files even if they were edited by hand.")
@click.option("-q", "--quiet", is_flag=True, help="Print nothing on success.")
def generate(project_dir: Path, out_dir: Path | None, force: bool, quiet: bool) -> None:
    """Write the documents, charts and final-metrics.json into the output folder."""
    from .build import generate as run

    out = out_dir if out_dir is not None else project_dir / "docs"
    result, report = run(project_dir, out, force=force)
    if not quiet:
        click.echo(
            f"{len(report.written)} written, {len(report.unchanged) + len(result.keep)} unchanged, "
            f"{len(report.removed)} removed in {out}"
        )
        for rel in report.kept_edited:
            click.echo(f"kept {out / rel}: no longer generated, but edited by hand", err=True)


@main.command()
@click.argument("phase")
@project_option
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None, help="Write to FILE instead of stdout.")
@click.option("--force", is_flag=True, help="Replace FILE even if it is not a handoff of this phase.")
def handoff(phase: str, project_dir: Path, output: Path | None, force: bool) -> None:
    """Print the COORDINATOR-HANDOFF document of PHASE (e.g. 7)."""
    from .build import handoff as run
    from .build import write_user_file

    text = run(project_dir, phase)
    if output is None:
        click.echo(text, nl=False)
    else:
        write_user_file(output, text, force=force)


@main.command()
@click.option("--output", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("schemas"), show_default=True, help="Folder for the schema files.")
def schema(out_dir: Path) -> None:
    """Write JSON Schemas of project.yaml, phase.yaml and a snapshot (for editors)."""
    from .schema import write_schemas

    for path in write_schemas(out_dir):
        click.echo(str(path))


if __name__ == "__main__":  # pragma: no cover
    main()
