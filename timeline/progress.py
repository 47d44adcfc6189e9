"""A progress line for long builds on a terminal; silent in CI logs and when output is piped."""

from __future__ import annotations

import os
import sys
import time
from typing import TextIO

# Builds shorter than this show nothing but the summary line.
DELAY_SECONDS = 1.0


def wanted(stream: TextIO) -> bool:
    """A progress line helps a person at a terminal; in a CI log or a pipe it is only noise."""
    return stream.isatty() and not os.environ.get("CI") and os.environ.get("TERM") != "dumb"


class ProgressLine:
    """``progress(stage, done, total)`` callback that redraws one line, after ``delay`` seconds."""

    def __init__(self, stream: TextIO | None = None, delay: float = DELAY_SECONDS, width: int = 30):
        self.stream = stream or sys.stderr
        self.started = time.monotonic()
        self.delay = delay
        self.width = width
        self.shown = False
        self._last = 0.0

    def __call__(self, stage: str, done: int, total: int) -> None:
        now = time.monotonic()
        if now - self.started < self.delay or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        filled = self.width * done // total if total else self.width
        bar = "#" * filled + "-" * (self.width - filled)
        self.stream.write(f"\r{stage:<8} [{bar}] {done}/{total}\x1b[K")
        self.stream.flush()
        self.shown = True

    def close(self) -> None:
        """Clear the line, so the summary that follows starts at the left margin."""
        if self.shown:
            self.stream.write("\r\x1b[K")
            self.stream.flush()
