"""Telling open pages about rebuilds: the state of the preview, sent as Server-Sent Events.

Only the standard library on the server side: each page's ``EventSource`` holds one connection,
handed over by the HTTP server to the ``ReloadChannel``, which writes every new state to all of
them (and a comment now and then, to notice closed ones). The browser side is ``livereload.js``,
added to HTML responses by the preview server only.
"""

from __future__ import annotations

import json
import re
import socket
import threading
from dataclasses import dataclass, replace
from pathlib import Path

from timeline.problems import Problem

EVENTS_URL = "/__timeline__/events"
SCRIPT_URL = "/__timeline__/livereload.js"
SCRIPT_FILE = Path(__file__).with_name("livereload.js")


@dataclass(frozen=True)
class PreviewState:
    """What the preview has built, as every open page needs to know it."""

    server: str  # differs for each run of the server: a page from an earlier run reloads
    build: int = 0  # how many builds changed the site; 0 while the first build runs
    pages: int = 0  # the last build that changed more than stylesheets: older pages reload
    status: str = "building"  # "building" | "ok" | "errors" (written, some files skipped) | "failed" (site kept)
    problems: tuple[Problem, ...] = ()  # errors of the latest build
    building: bool = False  # a rebuild is running (pages say so when it takes a while)

    def to_json(self) -> str:
        problems = [{"path": p.path, "line": p.line, "message": p.message} for p in self.problems]
        return json.dumps(
            {
                "server": self.server, "build": self.build, "pages": self.pages, "status": self.status,
                "problems": problems, "building": self.building,
            }
        )

    def changed(self, **changes) -> PreviewState:
        return replace(self, **changes)


def script_tag(state: PreviewState) -> bytes:
    return (
        f'<script src="{SCRIPT_URL}" data-server="{state.server}" data-build="{state.build}"></script>\n'
    ).encode()


_BODY_END = re.compile(rb"</body\s*>", re.IGNORECASE)


def inject_script(page: bytes, state: PreviewState) -> bytes:
    """The page with the live reload script before its last ``</body>`` (or at its end)."""
    ends = list(_BODY_END.finditer(page))
    at = ends[-1].start() if ends else len(page)
    return page[:at] + script_tag(state) + page[at:]


class ReloadChannel:
    """The open event streams, and the state they are told about."""

    def __init__(self, state: PreviewState, heartbeat: float = 15.0, max_clients: int = 200):
        self._state = state
        self._clients: list[socket.socket] = []
        self._lock = threading.Lock()
        self._max_clients = max_clients
        self._heartbeat = heartbeat
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._beat, name="timeline-livereload", daemon=True)
        self._thread.start()

    @property
    def state(self) -> PreviewState:
        return self._state

    @property
    def client_count(self) -> int:
        with self._lock:
            return len(self._clients)

    def publish(self, state: PreviewState) -> None:
        with self._lock:
            self._state = state
            self._send_all(self._event(state))

    def subscribe(self, connection: socket.socket) -> bool:
        """Take over an HTTP connection whose event-stream headers were sent; tell it the state
        now. False when too many are open (the caller answers and closes it)."""
        with self._lock:
            if len(self._clients) >= self._max_clients:
                self._send_all(b": ping\n\n")  # drop the closed ones before refusing
                if len(self._clients) >= self._max_clients:
                    return False
            connection.settimeout(2.0)  # a stalled reader must not hold up the others
            if self._send(connection, b"retry: 1000\n" + self._event(self._state)):
                self._clients.append(connection)
        return True

    def close(self) -> None:
        self._stopping.set()
        with self._lock:
            for connection in self._clients:
                _close(connection)
            self._clients = []
        self._thread.join()

    @staticmethod
    def _event(state: PreviewState) -> bytes:
        return f"data: {state.to_json()}\n\n".encode()

    def _send_all(self, data: bytes) -> None:
        self._clients = [c for c in self._clients if self._send(c, data)]

    @staticmethod
    def _send(connection: socket.socket, data: bytes) -> bool:
        try:
            connection.sendall(data)
            return True
        except OSError:  # the page was closed or reloaded
            _close(connection)
            return False

    def _beat(self) -> None:
        while not self._stopping.wait(self._heartbeat):
            with self._lock:
                self._send_all(b": ping\n\n")


def _close(connection: socket.socket) -> None:
    try:
        connection.shutdown(socket.SHUT_RDWR)
    except OSError:
        pass
    connection.close()
