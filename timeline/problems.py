"""What a build tells the user about their files: errors, warnings and notes, each with a place."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Problem:
    path: str  # as shown to the user: relative to the site folder where possible
    message: str
    line: int | None = None
    column: int | None = None
    severity: str = "error"  # "error" | "warning" | "info"
    kind: str = ""  # what it is about, for `timeline check`: "override", "inferred-date", ...

    def __str__(self) -> str:
        return f"{place(self.path, self.line, self.column)}: {self.message}"


class ContentError(Exception):
    """One input file that cannot be used. Carries the place so the message can name it."""

    def __init__(self, path: Path | str, message: str, line: int | None = None, column: int | None = None):
        super().__init__(message)
        self.path = str(path)
        self.message = message
        self.line = line
        self.column = column

    def __reduce__(self):  # pickled with all its fields (a forked renderer sends it back)
        return (ContentError, (self.path, self.message, self.line, self.column))

    def problem(self, shown_path: str | None = None) -> Problem:
        return Problem(shown_path or self.path, self.message, self.line, self.column, "error")


def display_path(path: Path, base: Path) -> str:
    """A path relative to ``base`` when it is inside it, else absolute."""
    try:
        return path_text(path.relative_to(base).as_posix())
    except ValueError:
        return path_text(path)


def path_text(path: Path | str) -> str:
    """A file name as the text it spells, whatever the locale: names are read as UTF-8 (under a C or
    Latin-1 locale Python would decode them otherwise, and pages, links and ids would change with
    it); bytes that are not UTF-8 show as U+FFFD."""
    return os.fsencode(path).decode("utf-8", "replace")


def is_utf8_name(path: Path | str) -> bool:
    try:
        os.fsencode(path).decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def os_path(text: str) -> str:
    """The inverse of ``path_text`` for a valid name: the name as this process's file functions take it."""
    return os.fsdecode(text.encode("utf-8"))


def count(n: int, noun: str) -> str:
    """``n`` and the noun, plural unless ``n`` is 1: "1 warning", "2 warnings"."""
    return f"{n} {noun}" + ("" if n == 1 else "s")


def place(path: str, line: int | None = None, column: int | None = None) -> str:
    """``file:line:column`` as far as each is known."""
    if line is None:
        return path
    return f"{path}:{line}" if column is None else f"{path}:{line}:{column}"
