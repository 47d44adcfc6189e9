"""Event extraction: every resolved calendar date in an article becomes a dated event.

An event is the sentence around a date expression, a short title made from it, and the exact
expression that dated it. Durations, sets and vague references ("now", "recently") are not events.

Ranges: two date expressions joined as "from X to Y", "X-Y" or "between X and Y" are one event
whose span runs from the start of X to the end of Y (``range_end`` holds Y's value).

Events written by hand (front matter ``events:``, the site's events file) become events too: the
date as written is their expression and their title is their sentence.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date

from typing import TYPE_CHECKING

from timeline.actors import Actor, ActorIndex
from timeline.tagger.values import Span, value_span

if TYPE_CHECKING:  # annotations only: importing them (Markdown, YAML) is for when they are used
    from timeline.articles import Article
    from timeline.dating import DatedArticle
    from timeline.manual import ManualEvent
    from timeline.tagger import Timex

EVENT_TYPES = ("DATE", "TIME")
TITLE_LENGTH = 110

# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen col lt sgt capt gov sen rep rev st jr sr vs no inc corp co ltd "
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun "
    "u.s u.k u.n e.u a.m p.m i.e e.g etc".split()
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n")
_PREPOSITIONS = ("on", "in", "at", "since", "from", "between", "by", "during", "until", "till", "before", "after", "as of", "earlier", "later")
_LEADING_PREPOSITION = re.compile(rf"\b(?:{'|'.join(_PREPOSITIONS)})\s*$", re.I)
_LONGEST_PREPOSITION = max(map(len, _PREPOSITIONS))
# What joins the two ends of a range, and what must come before the first end for that joiner.
_RANGE_DASH = re.compile(r"^\s*[-–—]\s*$")
_RANGE_WORD = re.compile(r"^\s+(to|through|until|till|and)\s+$", re.I)
_RANGE_OPENER = {"to": "from", "through": "from", "until": "from", "till": "from", "and": "between"}
# "between March and May 2022": the first month carries no year, so it is no date expression of
# its own; it opens a range ending in the month expression that follows.
_MONTH_NUMBER = {name.lower(): n for n, name in enumerate(calendar.month_name) if name}
_OPEN_MONTH = re.compile(
    r"\b(between|from)\s+(" + "|".join(_MONTH_NUMBER) + r")\s*(and|to|through|until|till|-|–|—)\s*$", re.I
)


# Where a mention comes from: found in the text, fixed by an inline override, written by hand in
# an article's front matter or in the site's events file.
ORIGINS = ("text", "override", "front matter", "events file")


@dataclass(frozen=True)
class Mention:
    """One source's word for an event: which article, which expression, which sentence."""

    article: str  # the article's slug; "" for a source of the events file, which has no article
    article_title: str  # or the source's title
    article_path: str | None  # the article's page, relative to the site root
    outlet: str | None
    url: str | None
    published: date | None
    expression: str
    sentence: str
    # The expression's span in the article's plain text. Events written by hand have none: theirs
    # is negative, unique within the article (or file), so every mention stays distinct.
    offset: tuple[int, int]
    origin: str = "text"  # one of ORIGINS
    line: int | None = None  # where an event written by hand is written

    @property
    def in_text(self) -> bool:
        return self.origin in ("text", "override")


@dataclass(frozen=True)
class Event:
    value: str  # TIMEX3 value
    span: Span  # for a range, from the start of its first date to the end of its last
    title: str
    mention: Mention
    actors: tuple[Actor, ...] = ()
    range_end: str | None = None  # TIMEX3 value of a range's last date
    named_actors: tuple[str, ...] = ()  # actors an event written by hand names (else found in its sentence)


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Start and end of each sentence of ``text`` (ends exclusive, surrounding space trimmed)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group() != "\n":
            word = re.search(r"([\w.]+)[.!?][\"'”’)\]]*$", text[max(start, end - 12) : end])
            # An abbreviation or an initial ("J. Smith") ends no sentence; a number does ("on July 5. The").
            if word and (word.group(1).lower() in _ABBREVIATIONS or (len(word.group(1)) == 1 and word.group(1).isalpha())):
                continue
        bounds.append((start, end))
        start = end
    bounds.append((start, len(text)))
    trimmed = []
    for s, e in bounds:
        while s < e and text[s].isspace():
            s += 1
        while e > s and text[e - 1].isspace():
            e -= 1
        if e > s:
            trimmed.append((s, e))
    return trimmed


def _before_date(text: str) -> str:
    """``text`` (what comes before a date in its sentence) without the preposition that ends it
    ("... left for Russia on"): searched for among its last characters, not tried at every one."""
    text = text.rstrip()
    if preposition := _LEADING_PREPOSITION.search(text, max(0, len(text) - _LONGEST_PREPOSITION)):
        text = text[: preposition.start()]
    return text.rstrip(" ,;:")


def make_title(sentence: str, expression_start: int, expression_end: int) -> str:
    """A short title: the sentence without its date expression, trimmed to a readable length."""
    before = _before_date(sentence[:expression_start])
    after = sentence[expression_end:].lstrip(" ,;:")
    title = (before + (" " if before and after else "") + after).strip()
    title = re.sub(r"\s+([,.;:])", r"\1", re.sub(r"\s{2,}", " ", title))
    title = title.strip(" \"'“”‘’").rstrip(".;:,")
    if not title:
        title = sentence.strip()
    if len(title) > TITLE_LENGTH:
        cut = title.rfind(" ", 0, TITLE_LENGTH)
        title = title[: cut if cut > 40 else TITLE_LENGTH].rstrip(" ,;:") + "…"
    return title[:1].upper() + title[1:]


def range_end(text: str, first: Timex, second: Timex) -> Span | None:
    """The span of ``second`` when it closes a range opened by ``first`` ("from 2014 to 2016")."""
    if first.type != "DATE" or second.type != "DATE" or not second.resolved:
        return None
    between = text[first.end : second.start]
    word = _RANGE_WORD.match(between)
    if word:
        opener = _RANGE_OPENER[word.group(1).lower()]
        if not re.search(rf"\b{opener}\s*$", text[max(0, first.start - 12) : first.start], re.I):
            return None
    elif not _RANGE_DASH.match(between):
        return None
    return value_span(second.value)


def _month_opening(text: str, timex: Timex, span: Span) -> tuple[int, Span] | None:
    """Where a range opened by a bare month name begins, and that month's span, when ``timex`` (a
    month or day) closes it: "between March and May 2022", "from January to March 3, 2021"."""
    if timex.type != "DATE" or span.precision not in ("month", "day"):
        return None
    match = _OPEN_MONTH.search(text, max(0, timex.start - 40), timex.start)
    if match is None or match.end() != timex.start:
        return None
    connector = match.group(3).lower()
    if connector.isalpha() and _RANGE_OPENER[connector] != match.group(1).lower():
        return None
    month = _MONTH_NUMBER[match.group(2).lower()]
    year = span.start.year if month <= span.start.month else span.start.year - 1
    first = value_span(f"{year:04d}-{month:02d}")
    return (match.start(2), first) if first is not None else None


def _range_start(value: str, span: Span, end: Span) -> tuple[str, Span]:
    """The first end of a range; when it gave no year ("March 3 to May 5, 2022", "November to
    February 2022") and lands after the range's end, it takes the end's year, or the year before."""
    if span.start > end.end and re.match(r"\d{4}", value):
        for year in (end.end.year, end.end.year - 1):
            moved = f"{year:04d}" + value[4:]
            moved_span = value_span(moved)
            if moved_span is not None and moved_span.start <= end.end:
                return moved, moved_span
    return value, span


def extract_events(dated: DatedArticle, actors: ActorIndex | None = None) -> list[Event]:
    article, text = dated.article, dated.document.text
    bounds = sentence_bounds(text)
    events: list[Event] = []
    timexes = [t for t in dated.timexes if t.type in EVENT_TYPES and t.resolved and value_span(t.value)]
    k = 0
    i = 0
    while i < len(timexes):
        timex = timexes[i]
        value, span = timex.value, value_span(timex.value)
        start, end, last_value = timex.start, timex.end, None
        closing = range_end(text, timex, timexes[i + 1]) if i + 1 < len(timexes) else None
        opened = _month_opening(text, timex, span) if closing is None else None
        if opened is not None:
            start, first_span = opened
            value, last_value = f"{first_span.start.year:04d}-{first_span.start.month:02d}", timex.value
            span = Span(first_span.start, span.end, "month")
        elif closing is not None:
            value, span = _range_start(value, span, closing)
            if span.start <= closing.end:
                last_value, end = timexes[i + 1].value, timexes[i + 1].end
                span = Span(span.start, closing.end, span.precision)
                i += 1
        i += 1
        while k < len(bounds) - 1 and bounds[k][1] <= start:
            k += 1
        s, e = bounds[k] if bounds else (0, len(text))
        s, e = min(s, start), max(e, end)
        sentence = text[s:e]
        mention = Mention(
            article=article.slug,
            article_title=article.title,
            article_path=article_page(article.slug),
            outlet=article.source,
            url=article.url,
            published=article.published,
            expression=text[start:end],
            sentence=" ".join(sentence.split()),
            offset=(start, end),
            origin="override" if dated.is_override(timex) else "text",
        )
        title = make_title(sentence, start - s, end - s)
        found = actors.find(sentence) if actors is not None else ()
        events.append(Event(value, span, title, mention, found, last_value))
    events.extend(front_matter_events(article))
    return events


def front_matter_events(article: Article) -> list[Event]:
    """The events of an article's ``events:``, each citing the article."""
    events = []
    for number, manual in enumerate(article.events, 1):
        mention = Mention(
            article.slug, article.title, article_page(article.slug), article.source, manual.url or article.url,
            article.published, manual.written, manual.title, (-number, -number), "front matter", manual.line,
        )
        events.append(_hand_written(manual, mention))
    return events


def standalone_events(entries: list[ManualEvent]) -> list[Event]:
    """The events of the site's events file: one event per source, all telling the same thing,
    which the merge makes one entry (same date, same sentence)."""
    events = []
    for number, manual in enumerate(entries, 1):
        for k, source in enumerate(manual.sources, 1):
            mention = Mention(
                "", source.title, None, source.outlet, source.url, source.published,
                manual.written, manual.title, (-number, -k), "events file", manual.line,
            )
            events.append(_hand_written(manual, mention))
    return events


def _hand_written(manual: ManualEvent, mention: Mention) -> Event:
    span = value_span(manual.value)
    assert span is not None  # checked when read
    return Event(manual.value, span, manual.title, mention, named_actors=manual.actors)


def article_page(slug: str) -> str:
    return f"articles/{slug}/index.html"
