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
import threading
from collections.abc import Callable
from typing import Any


def can_fork() -> bool:
    """Only a process with one thread forks: a thread's locks (imports, output) would stay held
    in the child forever (``timeline serve`` builds beside its server and watcher threads)."""
    return hasattr(os, "fork") and threading.active_count() == 1


class Forked:
    """``fn()`` running in a child process; ``result()`` waits for it and returns its value or
    raises what it raised. Call ``stop()`` to end it early."""

    def __init__(self, fn: Callable[[], Any]):
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: never returns
            os.close(read)
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
        self.pid = pid
        self._read = read

    def running(self) -> bool:
        """Whether the child is still at work (its result has not begun to come)."""
        return not select.select([self._read], [], [], 0)[0]

    def result(self) -> Any:
        try:
            with os.fdopen(self._read, "rb") as source:
                data = source.read()
        finally:
            os.waitpid(self.pid, 0)
        if not data:
            raise RuntimeError("the rendering process ended without a result")
        kind, value = pickle.loads(data)
        if kind == "error":
            raise value
        return value

    def stop(self) -> None:
        try:
            os.kill(self.pid, signal.SIGTERM)
            os.waitpid(self.pid, 0)
        except (ProcessLookupError, ChildProcessError):
            pass
        try:
            os.close(self._read)
        except OSError:
            pass
