"""Event extraction: every resolved calendar date in an article becomes a dated event.

An event is the sentence around a date expression, a short title made from it, and the exact
expression that dated it. Durations, sets and vague references ("now", "recently") are not events.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

from timeline.dating import DatedArticle
from timeline.tagger.values import Span, value_span

EVENT_TYPES = ("DATE", "TIME")
TITLE_LENGTH = 110

# Abbreviations whose full stop does not end a sentence.
_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof gen col lt sgt capt gov sen rep rev st jr sr vs no inc corp co ltd "
    "jan feb mar apr jun jul aug sep sept oct nov dec mon tue tues wed thu thur thurs fri sat sun "
    "u.s u.k u.n e.u a.m p.m i.e e.g etc".split()
)
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*(?=\s+[\"'“‘(\[]?[A-Z0-9])|\n")
_LEADING_PREPOSITION = re.compile(
    r"\b(?:on|in|at|since|from|by|during|until|till|before|after|as of|earlier|later)\s*$", re.I
)


@dataclass(frozen=True)
class Mention:
    """One source's word for an event: which article, which expression, which sentence."""

    article: str  # the article's slug
    article_title: str
    article_path: str  # the article's page, relative to the site root
    outlet: str | None
    url: str | None
    published: date | None
    expression: str
    sentence: str
    offset: tuple[int, int]  # the expression's span in the article's plain text


@dataclass(frozen=True)
class Event:
    value: str  # TIMEX3 value
    span: Span
    title: str
    mention: Mention


def sentence_bounds(text: str) -> list[tuple[int, int]]:
    """Start and end of each sentence of ``text`` (ends exclusive, surrounding space trimmed)."""
    bounds: list[tuple[int, int]] = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        end = match.end()
        if match.group() != "\n":
            word = re.search(r"([\w.]+)[.!?][\"'”’)\]]*$", text[max(start, end - 12) : end])
            if word and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1):
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


def make_title(sentence: str, expression_start: int, expression_end: int) -> str:
    """A short title: the sentence without its date expression, trimmed to a readable length."""
    before = _LEADING_PREPOSITION.sub("", sentence[:expression_start].rstrip()).rstrip(" ,;:")
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


def extract_events(dated: DatedArticle) -> list[Event]:
    article, text = dated.article, dated.document.text
    bounds = sentence_bounds(text)
    events: list[Event] = []
    k = 0
    for timex in dated.timexes:
        if timex.type not in EVENT_TYPES or not timex.resolved:
            continue
        span = value_span(timex.value)
        if span is None:
            continue
        while k < len(bounds) - 1 and bounds[k][1] <= timex.start:
            k += 1
        s, e = bounds[k] if bounds else (0, len(text))
        s, e = min(s, timex.start), max(e, timex.end)
        sentence = text[s:e]
        mention = Mention(
            article=article.slug,
            article_title=article.title,
            article_path=article_page(article.slug),
            outlet=article.source,
            url=article.url,
            published=article.published,
            expression=timex.text,
            sentence=" ".join(sentence.split()),
            offset=(timex.start, timex.end),
        )
        title = make_title(sentence, timex.start - s, timex.end - s)
        events.append(Event(timex.value, span, title, mention))
    return events


def article_page(slug: str) -> str:
    return f"articles/{slug}/index.html"
