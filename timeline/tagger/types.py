"""Public data types of the temporal tagger."""
from __future__ import annotations

import datetime
from dataclasses import dataclass


# Without slots: the cache pickles an article's expressions, and a frozen dataclass with slots is
# pickled and unpickled through Python methods of its own, one call per expression (twice the time).
@dataclass(frozen=True)
class Timex:
    """A temporal expression found in a text (TIMEX3 attributes plus offsets)."""

    start: int
    end: int
    text: str
    type: str
    value: str
    mod: str | None = None
    quant: str | None = None
    freq: str | None = None
    resolved: bool = True
    confidence: float = 1.0
    alternatives: tuple[str, ...] = ()


@dataclass(frozen=True)
class ReferenceGuess:
    """A publication date inferred from the text of an undated article."""

    date: datetime.date
    expression: str
    start: int
    end: int
    candidates: tuple[int, ...]
