"""A live preview of a test site, run in this process on 127.0.0.1 and a free port."""

from __future__ import annotations

import http.client
import json
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from timeline.config import load_config
from timeline.serve.session import Preview
from timeline.serve.watch import Debouncer

TODAY = date(2026, 11, 28)


def article(title: str, day: str, body: str) -> str:
    return f"---\ntitle: {title}\ndate: {day}\n---\n{body}\n"


class RunningPreview:
    def __init__(self, preview: Preview, root: Path, lines: list[str]):
        self.preview = preview
        self.root = root
        self.lines = lines  # what the terminal would show

    @property
    def port(self) -> int:
        return self.preview.server.port

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def state(self):
        return self.preview.channel.state

    def url(self, path: str = "") -> str:
        return self.preview.url() + path

    def get(self, target: str, headers: dict[str, str] | None = None, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for a request target sent as it is."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=20)
        try:
            given = {name.lower() for name in headers or {}}
            connection.putrequest(method, target, skip_host="host" in given, skip_accept_encoding=True)
            for name, value in (headers or {}).items():
                connection.putheader(name, value)
            connection.endheaders()
            response = connection.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            connection.close()

    def raw(self, request: bytes) -> bytes:
        """Send bytes exactly as given (no client normalises the path) and read the whole answer."""
        with socket.create_connection(("127.0.0.1", self.port), timeout=20) as s:
            s.sendall(request)
            chunks = []
            while chunk := s.recv(65536):
                chunks.append(chunk)
        return b"".join(chunks)

    def wait_for(self, condition, seconds: float = 15.0) -> None:
        deadline = time.monotonic() + seconds
        while not condition():
            assert time.monotonic() < deadline, f"timed out; terminal said: {self.lines}"
            time.sleep(0.02)


@contextmanager
def running_preview(root: Path, *, debouncer: Debouncer | None = None, workers: int = 16) -> Iterator[RunningPreview]:
    """Serve the site in ``root`` (a folder with ``content/`` and maybe ``timeline.toml``)."""
    lines: list[str] = []
    config_path = root / "timeline.toml"

    def load():
        return load_config(root, today=TODAY)

    preview = Preview(load(), load, config_path, lines.append, debouncer=debouncer or Debouncer(quiet=0.05), workers=workers)
    preview.listen("127.0.0.1", 0)
    try:
        preview.start()
        preview.build()
        yield RunningPreview(preview, root, lines)
    finally:
        preview.stop()


class EventStream:
    """The preview's Server-Sent Events, read as a browser's EventSource would."""

    def __init__(self, port: int):
        self._connection = http.client.HTTPConnection("127.0.0.1", port, timeout=20)
        self._connection.request("GET", "/__timeline__/events")
        self.response = self._connection.getresponse()

    def next(self, building: bool = False) -> dict:
        """The next state; those saying a rebuild started are skipped unless ``building``."""
        data: list[str] = []
        while True:
            line = self.response.fp.readline()
            if not line:
                raise EOFError("the event stream ended")
            line = line.decode().rstrip("\n")
            if line.startswith("data: "):
                data.append(line[6:])
            elif not line and data:
                state = json.loads("\n".join(data))
                if building or not state["building"]:
                    return state
                data = []

    def close(self) -> None:
        self._connection.close()


class Scripts(HTMLParser):
    """The ``<script>`` elements of a page, as (attributes) dicts."""

    def __init__(self, page: bytes):
        super().__init__()
        self.scripts: list[dict[str, str | None]] = []
        self.title = ""
        self._in_title = False
        self.feed(page.decode("utf-8"))

    def handle_starttag(self, tag, attrs):
        if tag == "script":
            self.scripts.append(dict(attrs))
        self._in_title = tag == "title"

    def handle_data(self, data):
        if self._in_title:
            self.title += data

    def handle_endtag(self, tag):
        self._in_title = False

    def reload_scripts(self) -> list[dict[str, str | None]]:
        return [s for s in self.scripts if s.get("src") == "/__timeline__/livereload.js"]
