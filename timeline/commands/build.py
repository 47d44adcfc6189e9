"""``timeline build``: build the site into the output folder."""

from __future__ import annotations

import sys

import click

from timeline.commands.options import load_site_config, site_options


@click.command()
@site_options
@click.option("--keep-going", is_flag=True, help="Exit with status 0 even when some articles were skipped.")
def build(content, output, config_file, base_url, keep_going) -> None:
    """Build the site into the output folder."""
    from timeline.build import build_site

    config = load_site_config(content, output, config_file, base_url)
    result = build_site(config)
    for problem in result.problems:
        click.echo(f"{problem.severity}: {problem}" if problem.severity != "info" else str(problem), err=True)
    click.echo(result.summary(), err=True)
    if not result.site_written:
        click.echo("the previous site in the output folder was left as it was", err=True)
        sys.exit(1)
    if result.errors and not keep_going:
        sys.exit(1)
