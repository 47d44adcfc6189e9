"""The ``timeline`` command: a group whose subcommands live in ``timeline.commands``."""

from __future__ import annotations

import click

from timeline import __version__
from timeline.commands import build, check, extract, init, serve


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="timeline")
def main() -> None:
    """Turn news articles into a sourced, chronological timeline site."""


main.add_command(build.build)
main.add_command(check.check)
main.add_command(extract.extract)
main.add_command(init.init)
main.add_command(serve.serve)
