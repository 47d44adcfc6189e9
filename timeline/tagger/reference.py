"""Inferring the publication date of an article that carries none.

A weekday named together with a month-day ("Sunday, Sept. 10") is only
true in some years; the latest such year that is not after `today` and is
later than every explicit past year the article mentions is the guess.
"""
from __future__ import annotations

import re
from datetime import date

from .rules import compiled_grammar
from .types import ReferenceGuess

WINDOW_YEARS = 30


def _pin_regex():
    g = compiled_grammar()
    wd = g.by_name["weekdays"].regex
    mo = g.by_name["months"].regex
    return re.compile(
        rf"(?<!\w)(?P<weekday>{wd}),?\s+(?P<month>{mo})\s+(?P<day>3[01]|[12][0-9]|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
        rf"(?:,?\s+(?P<year>1[6-9]\d\d|20\d\d)(?!\d))?",
        re.IGNORECASE,
    )


_PIN = None


def infer(text: str, today: date) -> ReferenceGuess | None:
    global _PIN
    if not isinstance(text, str) or not text:
        return None
    if _PIN is None:
        _PIN = _pin_regex()
    g = compiled_grammar()
    from .engine import run

    mentioned = []
    for t in run(text, None, "news"):
        if t.type == "DATE" and re.fullmatch(r"\d{4}(?:-\d\d(?:-\d\d)?)?", t.value):
            y = int(t.value[:4])
            before = text[max(0, t.start - 12):t.start].lower()
            if y <= today.year and not re.search(r"\b(?:by|until|till|through|to)\s+$", before):
                mentioned.append(y)
    floor = max(mentioned) if mentioned else None
    for m in _PIN.finditer(text):
        wd = int(g.tables["weekday"].entries[m["weekday"].lower()])
        mo = int(g.tables["month"].entries[m["month"].lower().rstrip(".")])
        day = int(m["day"])
        years = [int(m["year"])] if m["year"] else range(today.year - WINDOW_YEARS, today.year + 1)
        cands = []
        for y in years:
            try:
                d = date(y, mo, day)
            except ValueError:
                continue
            if d.isoweekday() != wd or d > today:
                continue
            if floor is not None and y <= floor and not m["year"]:
                continue
            cands.append(y)
        if cands:
            best = max(cands)
            return ReferenceGuess(date=date(best, mo, day), expression=m.group(0), start=m.start(),
                                  end=m.end(), candidates=tuple(sorted(cands)))
    return None
