"""``timeline build``: build the site into the output folder."""

from __future__ import annotations

import sys

import click

from timeline.commands.options import load_site_config, site_options


@click.command()
@site_options
@click.option("--keep-going", is_flag=True, help="Exit with status 0 even when some articles were skipped.")
@click.option(
    "--jobs", "-j", type=click.IntRange(min=1), default=None,
    help="Articles tagged in parallel (default: one per core; 1 tags in this process).",
)
@click.option(
    "--executor", type=click.Choice(["process", "dask"]), default="process", show_default=True,
    help="Where tagging runs: local processes, or the workers of a Dask cluster.",
)
@click.option("--scheduler", metavar="ADDRESS", help="Dask scheduler address for --executor dask, e.g. tcp://host:8786.")
@click.option(
    "--strict", is_flag=True,
    help="Write nothing when the content has errors (those `timeline check` reports as errors): the site in place stays.",
)
def build(content, output, config_file, base_url, keep_going, jobs, executor, scheduler, strict) -> None:
    """Build the site into the output folder."""
    import gc

    # The process ends after the build: cyclic garbage collection, which would scan the build's
    # millions of long-lived objects over and over, is not worth running.
    gc.disable()
    from timeline.build import write_without_errors, build_site
    from timeline.progress import ProgressLine, wanted
    from timeline.tagging import ExecutorSpec

    if executor == "dask" and not scheduler:
        raise click.UsageError("--executor dask needs --scheduler ADDRESS (e.g. tcp://host:8786)")
    config = load_site_config(content, output, config_file, base_url)
    progress = ProgressLine(sys.stderr) if wanted(sys.stderr) else None
    try:
        result = build_site(config, executor=ExecutorSpec(executor, jobs, scheduler), progress=progress, write_if=write_without_errors if strict else None)
    finally:
        if progress:
            progress.close()
    for problem in result.problems:
        click.echo(f"{problem.severity}: {problem}" if problem.severity != "info" else str(problem), err=True)
    click.echo(result.summary(), err=True)
    if not result.site_written:
        if strict and result.errors:
            click.echo("--strict: the content has errors, so no site was written", err=True)
        click.echo("the previous site in the output folder was left as it was", err=True)
        sys.exit(1)
    if result.errors and not keep_going:
        sys.exit(1)
