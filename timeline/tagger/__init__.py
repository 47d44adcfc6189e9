"""Temporal tagger: finds dates, times, durations and sets in news text.

    >>> from datetime import date
    >>> [(t.text, t.value) for t in tag("He left on Sunday, Sept. 10.", date(2023, 9, 10))]
    [('Sunday, Sept. 10', '2023-09-10')]

Rules, word lists and normalisation tables live in ``data/`` and are
compiled lazily on first use.
"""
from __future__ import annotations

import datetime

from .types import ReferenceGuess, Timex

__all__ = ["Timex", "ReferenceGuess", "tag", "infer_reference_date", "extract_json"]

MODES = ("news", "narrative")


def tag(text: str, dct: datetime.date | datetime.datetime | None = None, mode: str = "news") -> list[Timex]:
    """Find the temporal expressions of `text`, resolved against `dct`.

    mode "news": relative expressions resolve against `dct` (publication date);
    mode "narrative": against the last mentioned date, falling back to `dct`.
    The result is sorted by start, non-overlapping. Never raises on a str.
    """
    from .engine import run
    from .rules import compiled_grammar

    if not isinstance(text, str) or not text:
        return []
    if mode not in MODES:
        mode = "news"
    compiled_grammar()  # a broken rules file is an error to report, not a text without dates
    try:
        return run(text, dct, mode)
    except (ValueError, OverflowError, IndexError, KeyError, TypeError, RecursionError):  # pragma: no cover
        # the contract: never raise on a str; a rule that trips on odd input yields nothing
        return []


def infer_reference_date(text: str, today: datetime.date) -> ReferenceGuess | None:
    """Guess the publication date of an undated article (see reference.py)."""
    from .reference import infer

    return infer(text, today)


def extract_json(text: str, dct: datetime.date | datetime.datetime | None = None, mode: str = "news") -> list[dict]:
    """The records printed by ``timeline extract --json``: one shared code path."""
    return [
        {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value}
        for t in tag(text, dct, mode)
    ]
