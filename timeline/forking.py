"""Run a function in a forked copy of this process and get its result back.

Rendering a whole site after a cold build is CPU work on data already in memory (the merged
timeline, the tagged articles): a forked child sees all of it without copying or pickling, and
renders half of the pages on the other core. Only its (small) result comes back, pickled.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import tempfile
import threading
from collections.abc import Callable
from typing import Any


def can_fork() -> bool:
    """Only a process with one thread forks: a thread's locks (imports, output) would stay held
    in the child forever (``timeline serve`` builds beside its server and watcher threads)."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Inbox:
    """One message for a forked child from its parent, sent when the parent has it (the child
    starts its work before): see ``Forked``. The message goes through an unnamed file, so the
    parent never waits for the child to read it; a pipe only says that it is there."""

    def __init__(self) -> None:
        self._file = tempfile.TemporaryFile()
        self._ready, self._signal = os.pipe()

    def send(self, message: Any) -> None:
        """In the parent: hand the child ``message``."""
        data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
        self._file.write(data)
        self._file.flush()
        try:
            os.write(self._signal, len(data).to_bytes(8, "little"))
        except BrokenPipeError:  # the child has ended: its result says why
            pass

    def ready(self) -> bool:
        """In the child: whether the message has come."""
        return bool(select.select([self._ready], [], [], 0)[0])

    def receive(self) -> Any:
        """In the child: the message, waiting for it."""
        header = b""
        while len(header) < 8:
            more = os.read(self._ready, 8 - len(header))
            if not more:
                raise RuntimeError("the parent process ended before sending its message")
            header += more
        size = int.from_bytes(header, "little")
        parts: list[bytes] = []
        while size > (done := sum(map(len, parts))):
            parts.append(os.pread(self._file.fileno(), size - done, done))
        return pickle.loads(b"".join(parts))

    def close(self) -> None:
        self._file.close()
        for fd in (self._ready, self._signal):
            try:
                os.close(fd)
            except OSError:
                pass


class Forked:
    """``fn()`` running in a child process; ``result()`` waits for it and returns its value or
    raises what it raised. Call ``stop()`` to end it early. With an ``inbox``, ``fn`` may wait
    there for what the parent sends after the fork (``Inbox.send``)."""

    def __init__(self, fn: Callable[[], Any], inbox: Inbox | None = None):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
            if inbox is not None:
                os.close(inbox._signal)  # the parent's end: its exit then ends a wait for the message
            code = 0
            try:
                try:
                    message = ("value", fn())
                except BaseException as e:  # noqa: BLE001 - everything goes back to the parent
                    message = ("error", e)
                    code = 1
                try:
                    data = pickle.dumps(message, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as e:  # noqa: BLE001 - an exception that does not pickle
                    data = pickle.dumps(("error", RuntimeError(f"{type(message[1]).__name__}: {message[1]} ({e})")))
                with os.fdopen(write, "wb") as out:
                    out.write(data)
            finally:
                os._exit(code)  # no atexit handlers, no flushing of the parent's buffers
        os.close(write)
        if inbox is not None:
            os.close(inbox._ready)
            inbox._ready = -1
        self.pid = pid
        self._read = read
        self._reaped = False

    def result(self) -> Any:
        try:
            with os.fdopen(self._read, "rb") as source:
                data = source.read()
        finally:
            os.waitpid(self.pid, 0)
            self._reaped = True
        if not data:
            raise RuntimeError("the rendering process ended without a result")
        kind, value = pickle.loads(data)
        if kind == "error":
            raise value
        return value

    def stop(self) -> None:
        if self._reaped:  # its process id may belong to another process by now
            return
        self._reaped = True
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        try:
            os.close(self._read)
        except OSError:
            pass
