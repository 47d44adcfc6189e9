"""``timeline serve``: build, serve the site under its base path, and rebuild and reload on every save."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from timeline.commands.options import load_site_config, site_options

DEFAULT_PORT = 8000


@click.command()
@site_options
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on. Any but this machine's loopback lets other machines read the preview.")
@click.option("--port", type=click.IntRange(0, 65535), default=DEFAULT_PORT, show_default=True, help="Port to listen on; when the default is taken, the next free one. 0: any free port.")
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a web browser.")
@click.option("--poll", is_flag=True, help="Notice changes by polling the files (network mounts, some containers).")
@click.pass_context
def serve(ctx, content, output, config_file, base_url, host, port, open_browser, poll) -> None:
    """Build the site, serve it, and rebuild and reload open pages whenever a file changes."""
    from timeline.config import CONFIG_NAME, load_config
    from timeline.serve.server import is_loopback
    from timeline.serve.session import ListenError, Preview

    config = load_site_config(content, output, config_file, base_url)
    config_path = Path(config_file).resolve() if config_file else Path(".").resolve() / CONFIG_NAME

    def echo(line: str) -> None:
        click.echo(line, err=True)

    def load():
        return load_config(".", config_file, content=content, output=output, base_url=base_url)

    preview = Preview(config, load, config_path, echo, poll=poll)
    explicit_port = ctx.get_parameter_source("port") != click.core.ParameterSource.DEFAULT
    try:
        bound = preview.listen(host, port, next_free=not explicit_port)
    except ListenError as e:
        preview.stop()
        raise click.ClickException(str(e)) from None
    if bound != port and port:
        echo(f"port {port} is in use; serving on port {bound} instead")
    warning = host_warning(host, bound, is_loopback(host))
    if warning:
        echo(warning)
    url = preview.url(host)
    restore = _stop_on_sigterm()
    try:
        preview.start()
        echo(f"Serving {config.title} at {url} (Ctrl-C to stop)")
        if open_browser:
            import webbrowser

            threading.Thread(target=webbrowser.open, args=(url,), daemon=True).start()
        preview.build()
        threading.Event().wait()  # until Ctrl-C
    except KeyboardInterrupt:
        pass
    finally:
        try:
            preview.stop(on_wait=lambda: echo("waiting for the build in progress to finish (Ctrl-C again to quit now)"))
        except KeyboardInterrupt:
            pass  # the build thread is a daemon: the process ends without it; the output folder stays whole
        restore()
    echo("stopped")


def host_warning(host: str, port: int, loopback: bool) -> str | None:
    if loopback:
        return None
    return (
        f"warning: listening on {host or 'every address'}: anyone who can reach this machine on port {port} can read "
        "the preview, drafts included (the default, --host 127.0.0.1, keeps it to this machine)"
    )


def _stop_on_sigterm():
    """Make SIGTERM stop the server as Ctrl-C does (cleanly); returns what puts the old handler back."""
    if threading.current_thread() is not threading.main_thread():
        return lambda: None

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    return lambda: signal.signal(signal.SIGTERM, previous)
