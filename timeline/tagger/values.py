"""TIMEX3 values as calendar spans, and the calendar arithmetic of the resolver.

Pure functions, no state: the timeline model uses :func:`value_span` to sort
and display dated events at the precision the text gave.
"""
from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

__all__ = ["Span", "value_span", "PRECISIONS"]

PRECISIONS = ("day", "week", "month", "season", "quarter", "half", "year", "decade", "century")


@dataclass(frozen=True)
class Span:
    """An inclusive calendar interval and the precision it was given with."""

    start: date
    end: date
    precision: str

    def __reduce__(self):
        # Unpickled as one object for each span, however many events have it: a saved merge then
        # holds each span (and its two dates) once.
        return (_span, (self.start, self.end, self.precision))


@lru_cache(maxsize=1 << 16)
def _span(start: date, end: date, precision: str) -> Span:
    return Span(start, end, precision)


_DAY = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:T.*)?$")
_WEEK = re.compile(r"^(\d{4})-W(\d{2})(-WE)?$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")
_SEASON = re.compile(r"^(\d{4})-(SP|SU|FA|WI)$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
_HALF = re.compile(r"^(\d{4})-H([12])$")
_YEAR = re.compile(r"^(\d{4})$")
_DECADE = re.compile(r"^(\d{3})$")
_CENTURY = re.compile(r"^(\d{2})$")

_SEASON_MONTHS = {"SP": (3, 5), "SU": (6, 8), "FA": (9, 11), "WI": (12, 2)}


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def week_start(year: int, week: int) -> date:
    return date.fromisocalendar(year, week, 1)


def value_span(value: str) -> Span | None:
    """The calendar span of a TIMEX3 DATE or TIME value, or None.

    None for durations, sets, PRESENT_REF/PAST_REF/FUTURE_REF and any value
    that still contains an X.
    """
    if not isinstance(value, str) or not value or "X" in value or value[0] == "P":
        return None
    try:
        m = _DAY.match(value)
        if m:
            d = date(int(m[1]), int(m[2]), int(m[3]))
            return Span(d, d, "day")
        m = _WEEK.match(value)
        if m:
            start = week_start(int(m[1]), int(m[2]))
            if m[3]:
                return Span(start + timedelta(days=5), start + timedelta(days=6), "week")
            return Span(start, start + timedelta(days=6), "week")
        m = _MONTH.match(value)
        if m:
            y, mo = int(m[1]), int(m[2])
            return Span(date(y, mo, 1), month_end(y, mo), "month")
        m = _SEASON.match(value)
        if m:
            y = int(m[1])
            first, last = _SEASON_MONTHS[m[2]]
            end_year = y + 1 if last < first else y
            return Span(date(y, first, 1), month_end(end_year, last), "season")
        m = _QUARTER.match(value)
        if m:
            y, q = int(m[1]), int(m[2])
            return Span(date(y, 3 * q - 2, 1), month_end(y, 3 * q), "quarter")
        m = _HALF.match(value)
        if m:
            y, h = int(m[1]), int(m[2])
            return Span(date(y, 6 * h - 5, 1), month_end(y, 6 * h), "half")
        m = _YEAR.match(value)
        if m:
            y = int(m[1])
            return Span(date(y, 1, 1), date(y, 12, 31), "year")
        m = _DECADE.match(value)
        if m:
            y = int(m[1]) * 10
            return Span(date(max(y, 1), 1, 1), date(y + 9, 12, 31), "decade")
        m = _CENTURY.match(value)
        if m:
            y = int(m[1]) * 100
            return Span(date(max(y, 1), 1, 1), date(y + 99, 12, 31), "century")
    except ValueError:
        return None
    return None


# ---------------------------------------------------------------- arithmetic

def add_months(d: date, n: int) -> date:
    m = d.month - 1 + n
    y = d.year + m // 12
    m = m % 12 + 1
    return date(y, m, min(d.day, calendar.monthrange(y, m)[1]))


def format_at(d: date, unit: str) -> str:
    """The value of the period of granularity `unit` that contains `d`."""
    if unit == "D":
        return d.isoformat()
    if unit in ("W", "WE"):
        y, w, _ = d.isocalendar()
        return f"{y:04d}-W{w:02d}" + ("-WE" if unit == "WE" else "")
    if unit == "M":
        return f"{d.year:04d}-{d.month:02d}"
    if unit == "Q":
        return f"{d.year:04d}-Q{(d.month - 1) // 3 + 1}"
    if unit == "H":
        return f"{d.year:04d}-H{(d.month - 1) // 6 + 1}"
    if unit == "Y":
        return f"{d.year:04d}"
    if unit == "DE":
        return f"{d.year // 10:03d}"
    if unit == "CE":
        return f"{d.year // 100:02d}"
    return d.isoformat()


def shift(d: date, unit: str, n: int) -> date:
    """`d` moved by `n` units (D, W, WE, M, Q, H, Y, DE, CE)."""
    if unit == "D":
        return d + timedelta(days=n)
    if unit in ("W", "WE"):
        return d + timedelta(weeks=n)
    if unit == "M":
        return add_months(d, n)
    if unit == "Q":
        return add_months(d, 3 * n)
    if unit == "H":
        return add_months(d, 6 * n)
    if unit == "Y":
        return add_months(d, 12 * n)
    if unit == "DE":
        return add_months(d, 120 * n)
    if unit == "CE":
        return add_months(d, 1200 * n)
    return d


PRECISION_UNIT = {"day": "D", "week": "W", "month": "M", "season": "Q", "quarter": "Q",
                  "half": "H", "year": "Y", "decade": "DE", "century": "CE"}
