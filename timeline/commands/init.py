"""``timeline init``: start a new site, ready to publish on GitHub Pages."""

from __future__ import annotations

from pathlib import Path

import click


@click.command()
@click.argument("directory", default=".", type=click.Path(file_okay=False))
@click.option("--force", is_flag=True, help="Overwrite starter files that already exist.")
@click.option(
    "--package",
    metavar="REQUIREMENT",
    help="What the Pages workflow installs timeline with, e.g. 'timeline @ git+https://github.com/OWNER/REPO@TAG' "
    "(default: this timeline, when it was installed from an index or a Git URL).",
)
def init(directory, force, package) -> None:
    """Create a new site in DIRECTORY (default: here): settings, an example article, .gitignore
    and a GitHub Actions workflow that publishes the site on GitHub Pages."""
    from timeline.new_site import NewSiteError, installed_requirement, starter_files, write_new_site

    site_dir = Path(directory)
    requirement = installed_requirement() if package is None else package.strip()
    try:
        written = write_new_site(site_dir, starter_files(requirement), force=force)
    except NewSiteError as e:
        raise click.ClickException(str(e)) from None
    for path in written:
        click.echo(f"wrote {site_dir / path}")
    if not requirement:
        click.echo(
            "note: this timeline was installed from a local folder, which GitHub cannot install from. "
            "Say what the workflow should install: TIMELINE_PACKAGE in .github/workflows/pages.yml, "
            "a repository variable of that name, or `timeline init --force --package REQUIREMENT`.",
            err=True,
        )
    where = "" if site_dir == Path(".") else f"cd {directory} && "
    click.echo(
        f"\nNext: {where}timeline build, then open output/index.html.\n"
        "To publish: push to GitHub and choose Settings > Pages > Source: GitHub Actions."
    )
