"""The preview's HTTP server: the output folder under the site's base path, and nothing else.

Requests are answered by a fixed pool of threads (a burst of clients waits in the listen queue
instead of starting a thread each), the live reload streams are handed to the ``ReloadChannel``,
and a request that arrives during a rebuild waits for it, for a moment: a long rebuild of a large
site must not stall the browser, and the site in the output folder is always a complete one (it is
swapped in whole), so after the wait the last good site is served and the reload signal follows.

Only files inside the output folder are served: a request path that would leave it (``..``,
encoded as ``%2e%2e`` or ``..%2f``, a doubled slash, a backslash, a NUL byte) or a symbolic link
that points out of it gets 404.
"""

from __future__ import annotations

import mimetypes
import os
import socket
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from urllib.parse import unquote

from timeline.serve.builder import PreviewBuilder
from timeline.serve.livereload import EVENTS_URL, SCRIPT_FILE, SCRIPT_URL, ReloadChannel, inject_script
from timeline.site_files import NOT_FOUND_PAGE

# Types the platform's table may lack or name differently; the preview answers the same everywhere.
_TYPES = {
    ".html": "text/html", ".css": "text/css", ".js": "text/javascript", ".json": "application/json",
    ".xml": "application/xml", ".ics": "text/calendar", ".csv": "text/csv", ".svg": "image/svg+xml",
    ".txt": "text/plain", ".webmanifest": "application/manifest+json",
}
_LOOPBACK_NAMES = {"localhost", "127.0.0.1", "::1", "[::1]"}

_PLACEHOLDER = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Building the site\xe2\x80\xa6</title></head>
<body><p>Building the site\xe2\x80\xa6 this page reloads when it is ready.</p></body></html>
"""
_NOT_FOUND = b"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Not found</title></head>
<body><h1>Not found</h1><p>No such page in the site.</p></body></html>
"""


@dataclass(frozen=True)
class Located:
    """What a request path leads to: a file to send, a redirect, or nothing (404)."""

    status: HTTPStatus
    file: Path | None = None
    location: str | None = None


NOT_FOUND = Located(HTTPStatus.NOT_FOUND)


def locate(target: str, query: str, base_path: str, root: Path) -> Located:
    """Map a request target (the path part, still percent-encoded) to a file of ``root`` served
    under ``base_path``. Never returns a file outside ``root``, however the path is spelled."""
    if not target.startswith("/"):
        return NOT_FOUND  # "*", or an absolute URL as target: not a path of this site
    try:
        path = unquote(target, errors="strict")
    except UnicodeDecodeError:
        return NOT_FOUND
    if "\0" in path or "\\" in path:
        return NOT_FOUND
    again = ("?" + query) if query else ""
    if base_path != "/" and (path == "/" or path + "/" == base_path):
        return Located(HTTPStatus.FOUND, location=base_path + again)
    if not path.startswith(base_path):
        return NOT_FOUND
    parts = path[len(base_path) :].split("/")
    # Empty parts ("//") would make an absolute path of what follows; "." and ".." walk about.
    if any(part in ("", ".", "..") for part in parts[:-1]) or parts[-1] in (".", ".."):
        return NOT_FOUND
    real_root = os.path.realpath(root)
    inside = real_root.rstrip(os.sep) + os.sep

    def contained(candidate: str) -> str | None:
        real = os.path.realpath(candidate)  # follows symbolic links: they must stay inside too
        return real if real == real_root or real.startswith(inside) else None

    found = contained(os.path.join(real_root, *[part for part in parts if part]))
    if found is None:
        return NOT_FOUND
    if os.path.isdir(found):
        if parts[-1]:
            return Located(HTTPStatus.FOUND, location=target + "/" + again)
        found = contained(os.path.join(found, "index.html"))
    elif not os.path.isfile(found) and parts[-1]:
        found = contained(found + ".html")  # "/about" serves about.html, as GitHub Pages does
    if found is None or not os.path.isfile(found):
        return NOT_FOUND
    return Located(HTTPStatus.OK, file=Path(found))


def content_type(path: Path) -> str:
    kind = _TYPES.get(path.suffix.lower()) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    return kind + ("; charset=utf-8" if kind.startswith("text/") or kind in ("application/json", "application/xml") else "")


def is_loopback(host: str) -> bool:
    """Whether every address ``host`` names is this machine's loopback."""
    import ipaddress

    if host in _LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        pass
    try:
        infos = socket.getaddrinfo(host, None)
    except OSError:
        return False
    return bool(infos) and all(ipaddress.ip_address(info[4][0].split("%")[0]).is_loopback for info in infos)


class PreviewServer(HTTPServer):
    """Serves the preview builder's output folder with a bounded pool of threads."""

    request_queue_size = 512  # a burst of clients waits in the kernel's queue, not refused
    allow_reuse_address = True  # a restart may bind at once; a port in use is still refused

    def __init__(
        self,
        address: tuple[str, int],
        builder: PreviewBuilder,
        channel: ReloadChannel,
        *,
        workers: int = 16,
        wait_for_build: float = 2.0,
    ):
        self.address_family = socket.AF_INET6 if ":" in address[0] else socket.AF_INET
        self.builder = builder
        self.channel = channel
        self.wait_for_build = wait_for_build
        self.workers = workers
        # Host names a browser may use for us; None: any. Checking it keeps other web sites from
        # reading the preview through a host name of theirs that resolves to 127.0.0.1.
        self.allowed_hosts: set[str] | None = set(_LOOPBACK_NAMES) if is_loopback(address[0]) else None
        self._detached: set[socket.socket] = set()
        self._pool: ThreadPoolExecutor | None = None
        super().__init__(address, PreviewHandler)  # binds; the port is known from here on
        self._pool = ThreadPoolExecutor(workers, thread_name_prefix=f"timeline-serve-{self.port}")

    @property
    def port(self) -> int:
        return self.server_address[1]

    def process_request(self, request, client_address) -> None:
        self._pool.submit(self._process, request, client_address)

    def _process(self, request, client_address) -> None:
        try:
            self.finish_request(request, client_address)
        except Exception:  # noqa: BLE001 - one request must not end the worker
            self.handle_error(request, client_address)
        finally:
            self.shutdown_request(request)

    def detach(self, request: socket.socket) -> None:
        """The connection now belongs to the reload channel: do not close it after the response."""
        self._detached.add(request)

    def shutdown_request(self, request) -> None:
        if request in self._detached:
            self._detached.discard(request)
            return
        super().shutdown_request(request)

    def handle_error(self, request, client_address) -> None:
        error = sys.exc_info()[1]
        if isinstance(error, (ConnectionError, TimeoutError)):
            return  # the browser went away: nothing to tell
        print(f"preview server: request from {client_address[0]} failed: {type(error).__name__}: {error}", file=sys.stderr)

    def server_close(self) -> None:
        super().server_close()
        if self._pool is not None:
            self._pool.shutdown(wait=True)


class PreviewHandler(BaseHTTPRequestHandler):
    server: PreviewServer
    server_version = "timeline-preview"
    timeout = 5  # seconds a client may take to send its request: slow ones cannot hold a worker

    def do_GET(self) -> None:
        self._respond(send_body=True)

    def do_HEAD(self) -> None:
        self._respond(send_body=False)

    def log_message(self, format: str, *args) -> None:
        pass  # the terminal shows builds and problems, not every request

    def _respond(self, send_body: bool) -> None:
        server = self.server
        host = self.headers.get("Host")
        if host is not None and server.allowed_hosts is not None and _host_name(host) not in server.allowed_hosts:
            self._send(HTTPStatus.FORBIDDEN, b"This preview answers only to 127.0.0.1 and localhost.\n", "text/plain; charset=utf-8", send_body)
            return
        target, _, query = self.path.partition("?")
        if target == EVENTS_URL and send_body:
            self._events()
            return
        if target == SCRIPT_URL:
            self._send(HTTPStatus.OK, SCRIPT_FILE.read_bytes(), "text/javascript; charset=utf-8", send_body)
            return
        server.builder.gate.wait(server.wait_for_build)
        state = server.channel.state
        config = server.builder.config
        if state.build == 0 or config is None:
            self._send(HTTPStatus.SERVICE_UNAVAILABLE, inject_script(_PLACEHOLDER, state), "text/html; charset=utf-8", send_body, {"Retry-After": "1"})
            return
        found = locate(target, query, config.base_path, config.output_dir)
        if found.location is not None:
            self._send(found.status, b"", "text/plain; charset=utf-8", send_body, {"Location": found.location})
            return
        file = found.file
        if file is None:
            located = locate(config.base_path + NOT_FOUND_PAGE, "", config.base_path, config.output_dir)
            file = located.file
        try:
            body = file.read_bytes() if file is not None else _NOT_FOUND
        except OSError:  # replaced by a rebuild between finding and reading it
            file, body = None, _NOT_FOUND
        kind = content_type(file) if file is not None else "text/html; charset=utf-8"
        if kind.startswith("text/html"):
            body = inject_script(body, state)
        self._send(found.status, body, kind, send_body)

    def _send(self, status: HTTPStatus, body: bytes, kind: str, send_body: bool, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-cache")
        self.send_header("X-Content-Type-Options", "nosniff")
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        if send_body:
            self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        self.wfile.flush()
        if self.server.channel.subscribe(self.connection):
            self.server.detach(self.request)


def _host_name(host: str) -> str:
    """The name in a Host header, without the port: "localhost:8000" -> "localhost", "[::1]:80" -> "[::1]"."""
    host = host.strip().lower()
    if host.startswith("["):
        return host.partition("]")[0] + "]"
    return host.rpartition(":")[0] if ":" in host else host
