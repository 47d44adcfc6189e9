"""An editor's word over the tagger's: inline ``[text](date:VALUE)`` overrides and ``ignore_dates``.

Applied to the tagger's output, never inside it: an override replaces every expression its text
overlaps (``date:none`` only removes them; a phrase the tagger did not see becomes a new date),
and an expression whose text is listed in ``ignore_dates`` is dropped. Overrides that change
nothing are reported, so a stale one does not linger unnoticed.
"""

from __future__ import annotations

from dataclasses import dataclass

from timeline.document import Override
from timeline.manual import DATE_HELP, date_value
from timeline.problems import Problem
from timeline.tagger import Timex

NOT_A_DATE = "none"


@dataclass(frozen=True)
class Overridden:
    timexes: tuple[Timex, ...]
    spans: tuple[tuple[int, int], ...]  # the expressions whose value an override gave
    problems: tuple[Problem, ...]


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def apply_overrides(
    timexes: list[Timex],
    overrides: tuple[Override, ...],
    ignored: tuple,  # IgnoredDate entries of the front matter
    shown_path: str,
    body_line: int,
) -> Overridden:
    """The expressions of an article once its overrides and ``ignore_dates`` are applied."""
    problems: list[Problem] = []
    kept = list(timexes)
    for entry in ignored:
        before = len(kept)
        kept = [t for t in kept if not _same_words(t.text, entry.text)]
        if len(kept) == before:
            problems.append(
                Problem(
                    shown_path,
                    f'ignore_dates: no date expression reads "{entry.text}"; remove the entry',
                    entry.line,
                    severity="warning",
                    kind="unused-override",
                )
            )
    spans: list[tuple[int, int]] = []
    for override in overrides:
        line = body_line + override.line - 1
        overlapping = [t for t in kept if t.start < override.end and override.start < t.end]
        if override.value.lower() == NOT_A_DATE:
            if not overlapping:
                problems.append(
                    Problem(
                        shown_path,
                        f'"{override.text}" is marked date:none, but no date was read there; remove the override',
                        line,
                        override.column,
                        severity="warning",
                        kind="unused-override",
                    )
                )
            kept = [t for t in kept if t not in overlapping]
            continue
        value = date_value(override.value)
        if value is None:
            problems.append(
                Problem(
                    shown_path,
                    f'date override "{override.value}" of "{override.text}" is not a date: {DATE_HELP}; or date:none',
                    line,
                    override.column,
                    kind="override",
                )
            )
            continue
        kept = [t for t in kept if t not in overlapping]
        kept.append(Timex(override.start, override.end, override.text, "DATE", value))
        spans.append((override.start, override.end))
    kept.sort(key=lambda t: (t.start, t.end))
    return Overridden(tuple(kept), tuple(spans), tuple(problems))
