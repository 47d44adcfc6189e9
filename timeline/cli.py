"""The ``timeline`` command: a group whose subcommands live in ``timeline.commands``."""

from __future__ import annotations

import os
import sys

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


def run() -> None:
    """The command line entry point: ``main``, then leave without tearing the interpreter down.

    A build holds millions of small objects (the tagged articles, the merged timeline); freeing
    them one by one at exit takes longer than a small rebuild's own work, and the operating system
    reclaims the memory at once. Output is flushed first; every file the build writes is closed
    by then."""
    try:
        main()
        code = 0
    except SystemExit as e:
        code = e.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
        code = 1
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code or 0)
