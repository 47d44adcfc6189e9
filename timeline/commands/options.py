"""Options and helpers shared by the subcommands."""

from __future__ import annotations

from datetime import date

import click

from timeline.config import ConfigError, SiteConfig, load_config


def site_options(command):
    """--content, --output, --config and --base-url: where the site is and how it is served."""
    for option in reversed(
        [
            click.option("--content", type=click.Path(file_okay=False), help="Content folder (default: content)."),
            click.option("--output", type=click.Path(file_okay=False), help="Output folder (default: output)."),
            click.option("--config", "config_file", type=click.Path(dir_okay=False), help="Settings file (default: ./timeline.toml)."),
            click.option("--base-url", help="Full URL or path the site is served under, e.g. /my-repo/."),
        ]
    ):
        command = option(command)
    return command


def load_site_config(content, output, config_file, base_url) -> SiteConfig:
    try:
        return load_config(".", config_file, content=content, output=output, base_url=base_url)
    except ConfigError as e:
        raise click.ClickException(str(e)) from None


def parse_day(ctx, param, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date; use YYYY-MM-DD") from None
