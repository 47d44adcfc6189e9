"""One live preview: the builder, the HTTP server, the file watcher and the reload channel,
started and stopped together (by ``timeline serve``, or in-process by tests and benchmarks)."""

from __future__ import annotations

import errno
import secrets
import threading
from collections.abc import Callable
from pathlib import Path

from timeline.config import SiteConfig
from timeline.serve.builder import PreviewBuilder
from timeline.serve.livereload import PreviewState, ReloadChannel
from timeline.serve.server import PreviewServer
from timeline.serve.watch import Debouncer, RebuildLoop, Watcher, WatchPlan

PORTS_TRIED = 20  # when the preferred port is taken: the next free one among the following


class ListenError(Exception):
    """The server cannot listen where asked; the message says why and what to do."""


class Preview:
    def __init__(
        self,
        config: SiteConfig,
        load_config: Callable[[], SiteConfig],
        config_path: Path,
        echo: Callable[[str], None],
        *,
        poll: bool = False,
        debouncer: Debouncer | None = None,
        workers: int = 16,
    ):
        self._config_path = config_path
        self._echo = echo
        self._poll = poll
        self._workers = workers
        self.channel = ReloadChannel(PreviewState(server=secrets.token_hex(6)))
        self.builder = PreviewBuilder(load_config, self.channel, echo, config.site_dir)
        self._first_config = config
        self.loop = RebuildLoop(self._rebuild, debouncer)
        self.server: PreviewServer | None = None
        self._http: threading.Thread | None = None
        self._watcher: Watcher | None = None

    def listen(self, host: str, port: int, next_free: bool = False) -> int:
        """Bind the server; with ``next_free``, try the following ports when ``port`` is taken."""
        candidates = list(range(port, min(port + PORTS_TRIED, 65536))) if next_free and port else [port]
        for candidate in candidates:
            try:
                self.server = PreviewServer((host, candidate), self.builder, self.channel, workers=self._workers)
                return self.server.port
            except OSError as e:
                if e.errno != errno.EADDRINUSE:
                    raise ListenError(f"cannot listen on {host} port {candidate}: {e.strerror or e}") from None
        if len(candidates) == 1:
            raise ListenError(f"port {port} on {host} is already in use: stop what uses it, or choose another with --port")
        raise ListenError(f"ports {candidates[0]} to {candidates[-1]} on {host} are all in use; choose a free one with --port")

    def url(self, host: str | None = None) -> str:
        assert self.server is not None
        host = host or self.server.server_address[0]
        if host in ("", "0.0.0.0", "::"):
            host = "127.0.0.1"  # listening everywhere: this machine's own address works
        config = self.builder.config or self._first_config
        return f"http://{f'[{host}]' if ':' in host else host}:{self.server.port}{config.base_path}"

    def start(self) -> None:
        """Serve and watch. Call ``build()`` next: until it finishes, pages wait or see a placeholder."""
        assert self.server is not None, "listen() first"
        # Polled for shutdown five times a second: Ctrl-C stops the server without a wait.
        self._http = threading.Thread(target=self.server.serve_forever, args=(0.2,), name="timeline-serve-http")
        self._http.start()
        self._watcher = Watcher(self.loop.add, poll=self._poll, warn=self._echo)
        self._watcher.watch(WatchPlan.for_site(self._first_config, self._config_path))  # no edit is missed
        self.loop.start()

    def build(self, changed: frozenset[str] = frozenset()) -> PreviewState:
        """Build now (the first build; later ones follow the changes the watcher reports)."""
        return self._rebuild(changed)

    def _rebuild(self, changed: frozenset[str]) -> PreviewState:
        state = self.builder.rebuild(changed)
        if self._watcher is not None and self.builder.config is not None:
            self._watcher.watch(WatchPlan.for_site(self.builder.config, self._config_path))
        return state

    def stop(self, on_wait: Callable[[], None] | None = None) -> None:
        """Stop watching, finish the build in progress, close every connection, end every thread.
        ``on_wait`` is called when a build is still running after half a second."""
        if self._watcher is not None:
            self._watcher.stop()
        if not self.loop.stop(timeout=0.5):
            if on_wait:
                on_wait()
            self.loop.stop()
        if self.server is not None:
            if self._http is not None:
                self.server.shutdown()
            self.channel.close()  # ends the open event streams
            self.server.server_close()
        else:
            self.channel.close()
        if self._http is not None:
            self._http.join()
