"""A plain static file server on 127.0.0.1 that serves a folder the way GitHub Pages does.

The folder is served under a mount path ("/" or "/my-repo/"): a folder URL serves its
index.html (a folder URL without the trailing slash redirects to it), "/page" also finds
"page.html", and any miss under the mount gets the folder's 404.html with status 404.
"""

from __future__ import annotations

import mimetypes
import threading
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import unquote, urlsplit


class StaticHost:
    def __init__(self, root: Path, mount: str = "/"):
        assert mount.startswith("/") and mount.endswith("/")
        self.root = root.resolve()
        self.mount = mount
        self.requests: list[tuple[str, int]] = []  # (path, status) of every request served
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def url(self, path: str = "") -> str:
        return self.origin + self.mount + path.lstrip("/")

    def __enter__(self) -> StaticHost:
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join()

    def resolve(self, url_path: str) -> tuple[int, Path | str | None]:
        """(status, file to send | redirect location | None) for a request path."""
        if not url_path.startswith(self.mount):
            if url_path + "/" == self.mount:
                return HTTPStatus.MOVED_PERMANENTLY, self.mount
            return HTTPStatus.NOT_FOUND, None  # outside the site: not ours to answer
        rel = url_path[len(self.mount) :]
        target = (self.root / rel).resolve()
        if target.is_relative_to(self.root):
            if target.is_dir():
                if rel and not url_path.endswith("/"):
                    return HTTPStatus.MOVED_PERMANENTLY, url_path + "/"
                target = target / "index.html"
            if target.is_file():
                return HTTPStatus.OK, target
            with_html = target.with_name(target.name + ".html")
            if rel and with_html.is_file():
                return HTTPStatus.OK, with_html
        not_found = self.root / "404.html"
        return HTTPStatus.NOT_FOUND, not_found if not_found.is_file() else None

    def _handler(self):
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                self._respond(send_body=True)

            def do_HEAD(self):
                self._respond(send_body=False)

            def _respond(self, send_body: bool):
                path = unquote(urlsplit(self.path).path)
                status, found = host.resolve(path)
                host.requests.append((path, int(status)))
                self.send_response(status)
                if status == HTTPStatus.MOVED_PERMANENTLY:
                    self.send_header("Location", str(found))
                    body = b""
                elif isinstance(found, Path):
                    body = found.read_bytes()
                    kind = mimetypes.guess_type(found.name)[0] or "application/octet-stream"
                    self.send_header("Content-Type", kind + ("; charset=utf-8" if kind.startswith("text/") else ""))
                else:
                    body = b"not found\n"
                    self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                if send_body:
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler
