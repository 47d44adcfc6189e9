"""Machine-readable forms of the timeline."""

from __future__ import annotations

import csv
import heapq
import html
import io
import json
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from functools import cache
from urllib.parse import urlsplit

from timeline.chronology import DateClaim, Entry, Timeline, group_label
from timeline.config import SiteConfig
from timeline.events import Mention
from timeline.manual import EVENTS_FILE
from timeline.tagger.values import Span, value_span

EVENTS_FILE_STEM = EVENTS_FILE.rsplit(".", 1)[0]


def _range(entry: Entry) -> dict | None:
    """A range entry's two ends, as TIMEX3 values, with the label shown for the span."""
    if entry.range_end is None:
        return None
    return {"start": entry.value, "end": entry.range_end, "label": entry.label}


def _claim(claim: DateClaim) -> dict:
    return {
        "value": claim.value,
        "start": claim.span.start.isoformat(),
        "end": claim.span.end.isoformat(),
        "precision": claim.span.precision,
        "label": claim.label,
        "range": {"start": claim.value, "end": claim.range_end} if claim.range_end else None,
        "sources": [{"article": _article(m), "expression": m.expression, "offset": _offset(m)} for m in claim.sources],
    }


def _offset(mention: Mention) -> list[int]:
    """The expression's place in the article's plain text; [0, 0] for an event written by hand
    (its ``origin`` says so), which keeps the documented shape for every consumer."""
    return list(mention.offset) if mention.in_text else [0, 0]


def _article(mention: Mention) -> str:
    """The source's article slug; a source of the events file is named after that file."""
    return mention.article or EVENTS_FILE_STEM


def source_values(entry: Entry) -> dict[tuple[str, tuple[int, int]], str]:
    """What date each source of a disputed entry gives."""
    return {(m.article, m.offset): c.value for c in entry.disputed for m in c.sources}


def _says(entry: Entry, mention: Mention, values: dict) -> str:
    return values.get((mention.article, mention.offset), entry.value)


def event_document(entry: Entry) -> dict:
    """One event of ``events.json``."""
    says = source_values(entry)
    return {
        "id": entry.id,
        "value": entry.value,
        "start": entry.span.start.isoformat(),
        "end": entry.span.end.isoformat(),
        "precision": entry.span.precision,
        "label": entry.label,
        "title": entry.title,
        "sources": [
            {
                "article": _article(m),
                "title": m.article_title,
                "url": m.url,
                "published": m.published.isoformat() if m.published else None,
                "outlet": m.outlet,
                "expression": m.expression,
                "sentence": m.sentence,
                "offset": _offset(m),
                "value": _says(entry, m, says),
                "origin": m.origin,
            }
            for m in entry.sources
        ],
        "actors": [a.name for a in entry.actors],
        "range": _range(entry),
        # When the sources disagree on the date: every date given, and who gives it (else null).
        "disputed": [_claim(c) for c in entry.disputed] or None,
    }


def events_document(timeline: Timeline) -> dict:
    """The ``events.json`` document: a stable, documented shape (see README)."""
    return {"events": [event_document(entry) for entry in timeline.entries]}


@dataclass(frozen=True)
class EntryFile:
    """A file made of one piece per timeline entry, between a head and a tail: a rebuild can
    reuse the pieces of entries that did not change (see ``render.entry_file``)."""

    head: bytes
    piece: Callable[[Entry], bytes]
    separator: bytes = b""
    tail: bytes = b""
    tail_after_pieces: bytes = b""  # what ends the last piece, when there is one

    def build(self, entries: Iterable[Entry]) -> bytes:
        pieces = [self.piece(entry) for entry in entries]
        return self.head + self.separator.join(pieces) + (self.tail_after_pieces if pieces else b"") + self.tail


# One encoder for every line: ``json.dumps`` with options makes an encoder for each call.
_JSON_LINE = json.JSONEncoder(ensure_ascii=False, separators=(", ", ": "))


def _json_line(document: dict) -> bytes:
    return _JSON_LINE.encode(document).encode()


def events_json_file() -> EntryFile:
    """``events.json`` with one event per line: readable and diffable, and written by the C JSON
    encoder (an indented dump goes through the much slower pure-Python one)."""
    return EntryFile(b'{"events": [\n', lambda entry: _json_line(event_document(entry)), b",\n", b"]}\n", b"\n")



# --- Atom feed, iCalendar, TimelineJS, CSV -------------------------------------------------------

ATOM = "http://www.w3.org/2005/Atom"
FEED_SIZE = 50


def _entry_url(config: SiteConfig, entry: Entry) -> str:
    """The entry on the timeline page: absolute when the site has a full base URL."""
    return (config.absolute_url("index.html") or "index.html") + "#" + entry.id


def _feed_id(config: SiteConfig) -> str:
    return config.absolute_url("") or uuid.uuid5(uuid.NAMESPACE_URL, "timeline:" + config.title).urn


def newest_published(entry: Entry) -> date | None:
    sources = entry.sources
    if len(sources) == 1:  # most entries: the feed asks for every one of them
        return sources[0].published
    return max((m.published for m in sources if m.published), default=None)


def _sources_html(entry: Entry) -> str:
    values = source_values(entry)
    items = []
    for m in entry.sources:
        cite = html.escape(m.article_title) + (f", {html.escape(m.outlet)}" if m.outlet else "")
        if m.url:
            cite = f'<a href="{html.escape(m.url)}">{cite}</a>'
        said = f" (gives {html.escape(values[(m.article, m.offset)])})" if (m.article, m.offset) in values else ""
        items.append(f"<li><blockquote>{html.escape(m.sentence)}</blockquote> {cite}{said}</li>")
    disputed = "<p>The sources disagree on the date.</p>" if entry.disputed else ""
    return f"<p>{html.escape(entry.label)}</p>{disputed}<ul>{''.join(items)}</ul>"


def atom_feed(timeline: Timeline, config: SiteConfig, size: int = FEED_SIZE) -> bytes:
    """``feed.xml``: the entries most recently reported (by their sources' publication dates)."""
    dated = ((published, e) for e in timeline.entries if (published := newest_published(e)))
    newest = heapq.nlargest(size, dated, key=lambda pair: (pair[0], pair[1].id))  # the sort's first ``size``

    def stamp(day: date) -> str:
        return day.isoformat() + "T00:00:00Z"

    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed")
    ET.SubElement(feed, f"{{{ATOM}}}id").text = _feed_id(config)
    ET.SubElement(feed, f"{{{ATOM}}}title").text = config.title
    if config.description:
        ET.SubElement(feed, f"{{{ATOM}}}subtitle").text = config.description
    # With no dated source there is nothing to date the feed by: the epoch, not the build's day.
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = stamp(newest[0][0] if newest else date(1970, 1, 1))
    ET.SubElement(ET.SubElement(feed, f"{{{ATOM}}}author"), f"{{{ATOM}}}name").text = config.title
    ET.SubElement(feed, f"{{{ATOM}}}link", href=config.absolute_url("") or "index.html")
    if config.absolute_url("feed.xml"):
        ET.SubElement(feed, f"{{{ATOM}}}link", rel="self", href=config.absolute_url("feed.xml"))
    for published, entry in newest:
        item = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(item, f"{{{ATOM}}}id").text = uuid.uuid5(uuid.NAMESPACE_URL, _feed_id(config) + "#" + entry.id).urn
        ET.SubElement(item, f"{{{ATOM}}}title").text = f"{entry.label}: {entry.title}"
        ET.SubElement(item, f"{{{ATOM}}}updated").text = stamp(published)
        ET.SubElement(item, f"{{{ATOM}}}link", href=_entry_url(config, entry))
        for actor in entry.actors:
            ET.SubElement(item, f"{{{ATOM}}}category", term=actor.slug, label=actor.name)
        ET.SubElement(item, f"{{{ATOM}}}content", type="html").text = _sources_html(entry)
    return ET.tostring(feed, encoding="utf-8", xml_declaration=True) + b"\n"


@cache
def _ical_properties() -> dict[str, tuple[bytes, Callable[[object], bytes]]]:
    """The properties of an event in ``events.ics``, in the order icalendar writes them: each
    one's line up to its value, and icalendar's value type for it (the one ``Event.add`` picks).
    Days and times in UTC, which need no escaping, are written as those types write them: making
    a value type for each was a third of the calendar's time (its parameters, a time's zone)."""
    from icalendar.prop import vCategory, vText, vUri

    def text(value) -> bytes:
        return vText(value).to_ical()

    def day(value) -> bytes:  # vDate: DATE
        return f"{value.year:04}{value.month:02}{value.day:02}".encode()

    def utc_time(value) -> bytes:  # vDatetime: DATE-TIME, of a time in UTC
        assert value.utcoffset() == timedelta(0), "DTSTAMP in UTC"
        return f"{value.year:04}{value.month:02}{value.day:02}T{value.hour:02}{value.minute:02}{value.second:02}Z".encode()

    return {
        "SUMMARY": (b"SUMMARY:", text),
        "DTSTART": (b"DTSTART;VALUE=DATE:", day),
        "DTEND": (b"DTEND;VALUE=DATE:", day),
        "DTSTAMP": (b"DTSTAMP:", utc_time),
        "UID": (b"UID:", text),
        "CATEGORIES": (b"CATEGORIES:", lambda value: vCategory(value).to_ical()),
        "DESCRIPTION": (b"DESCRIPTION:", text),
        "URL": (b"URL:", lambda value: vUri(value).to_ical()),
    }


def ical_event(properties: dict[str, object]) -> bytes:
    """What icalendar writes for an event of these properties (upper-case name -> value, as
    ``Event.add`` takes it), byte for byte (a property test compares them): icalendar's value
    types write the values, in lines folded as it folds them (``fold_line``). An
    ``icalendar.Event`` for each entry, or icalendar's property lines, were most of the time of a
    large calendar: they type, check and parse again what this writes as it is."""
    known = _ical_properties()
    assert properties.keys() <= known.keys(), "a property events.ics does not write"
    lines = [b"BEGIN:VEVENT"]
    for name, (start, value) in known.items():
        if name in properties:
            lines.append(fold_line(start + value(properties[name])))
    lines.append(b"END:VEVENT\r\n")
    return b"\r\n".join(lines)


def fold_line(data: bytes, limit: int = 75) -> bytes:
    """icalendar's ``foldline`` on UTF-8 bytes, byte for byte (a property test compares them).
    icalendar folds character by character, which was most of the time of a large calendar: this
    cuts whole pieces of up to ``limit - 1`` octets, at character boundaries, keeping a piece's
    last backslash or caret with the next piece (an escape is never split)."""
    if len(data) < limit:
        return data
    pieces = []
    start, end = 0, len(data)
    while end - start >= limit:
        cut = start + limit - 1
        while data[cut] & 0xC0 == 0x80:  # inside a character
            cut -= 1
        if data[cut - 1] in b"\\^" and cut - 1 > start:
            cut -= 1
        pieces.append(data[start:cut])
        start = cut
    pieces.append(data[start:])
    return b"\r\n ".join(pieces)


def icalendar_entry_file(config: SiteConfig) -> EntryFile:
    """``events.ics``: every entry as an all-day event over its span (a day, a month, a year...).
    The calendar's own lines come from an empty calendar and each event is written on its own, so a
    rebuild reuses the events of unchanged entries (icalendar writes a calendar as its lines, then
    its events, then its end)."""
    import icalendar  # only builds that write events.ics need it

    host = urlsplit(config.base_url).hostname or "timeline"
    with_url = bool(config.absolute_url())

    def vevent(entry: Entry) -> bytes:
        # DTSTAMP is required: when the entry was last reported (its newest source), never the
        # build's day, so the file changes only when the content does.
        reported = newest_published(entry) or entry.span.start
        lines = [entry.label] + [f"{m.sentence} — {m.article_title}" + (f", {m.outlet}" if m.outlet else "") for m in entry.sources]
        properties: dict[str, object] = {
            "UID": f"{entry.id}@{host}",
            "DTSTAMP": datetime.combine(reported, datetime.min.time(), tzinfo=timezone.utc),
            "DTSTART": entry.span.start,
            "DTEND": entry.span.end + timedelta(days=1),  # DTEND of an all-day event is exclusive
            "SUMMARY": entry.title + (" (date disputed)" if entry.disputed else ""),
            "DESCRIPTION": "\n\n".join(lines),
        }
        if entry.actors:
            properties["CATEGORIES"] = [a.name for a in entry.actors]
        if with_url:
            properties["URL"] = _entry_url(config, entry)
        return ical_event(properties)

    calendar = icalendar.Calendar()
    calendar.add("prodid", "-//timeline//events//EN")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", config.title)
    end = b"END:VCALENDAR\r\n"
    empty = calendar.to_ical()
    assert empty.endswith(end)
    return EntryFile(empty[: -len(end)], vevent, tail=end)



def _timelinejs_date(value_span_: Span, day: date, label: str | None = None) -> dict:
    """A TimelineJS3 date object at the span's precision (year; year-month; year-month-day)."""
    result: dict = {"year": day.year}
    if value_span_.precision in ("month", "season", "quarter", "half", "week", "day"):
        result["month"] = day.month
    if value_span_.precision in ("week", "day"):
        result["day"] = day.day
    if label:
        result["display_date"] = label
    return result


def timelinejs_slide(entry: Entry) -> dict:
    slide: dict = {
        "unique_id": entry.id,
        "start_date": _timelinejs_date(entry.span, entry.span.start),
        "text": {"headline": html.escape(entry.title), "text": _sources_html(entry)},
        "display_date": entry.label,
    }
    end_span = value_span(entry.range_end) if entry.range_end else entry.span
    multi = entry.range_end or entry.span.precision in ("decade", "century", "season", "quarter", "half")
    if multi and end_span is not None:
        slide["end_date"] = _timelinejs_date(end_span, entry.span.end)
    slide["group"] = group_label(entry.span)
    return slide


def _timelinejs_title(config: SiteConfig) -> dict:
    return {"text": {"headline": html.escape(config.title), "text": html.escape(config.description)}}



def timelinejs_entry_file(config: SiteConfig) -> EntryFile:
    """``timelinejs.json``: Knight Lab TimelineJS3's JSON format (a title slide, then one slide per
    entry), one slide per line by the C JSON encoder (as ``events_json_file``)."""
    head = b'{"title": ' + _json_line(_timelinejs_title(config)) + b', "events": [\n'
    return EntryFile(head, lambda entry: _json_line(timelinejs_slide(entry)), b",\n", b"]}\n", b"\n")



CSV_COLUMNS = (
    "id", "value", "start", "end", "precision", "label", "title", "actors", "range_end", "disputed",
    "source_count", "articles", "outlets", "expressions", "urls",
)


def _csv_row(cells: list) -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerow(cells)
    return out.getvalue().encode("utf-8")


def _inert(cell: object) -> object:
    """A text cell a spreadsheet would run as a formula ("=HYPERLINK(...)", "+1", "@SUM") gets a
    leading apostrophe, which spreadsheets show as text (OWASP's advice for CSV injection)."""
    if isinstance(cell, str) and cell[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return "'" + cell
    return cell


def csv_row(e: Entry) -> bytes:
    return _csv_row(
        list(map(_inert, [
            e.id, e.value, e.span.start.isoformat(), e.span.end.isoformat(), e.span.precision, e.label, e.title,
            " | ".join(a.name for a in e.actors),
            e.range_end or "",
            " | ".join(f"{c.value}: {', '.join(m.article for m in c.sources)}" for c in e.disputed),
            len(e.sources),
            " | ".join(m.article for m in e.sources),
            " | ".join(m.outlet or "" for m in e.sources),
            " | ".join(m.expression for m in e.sources),
            " | ".join(m.url or "" for m in e.sources),
        ]))
    )


def events_csv_file() -> EntryFile:
    """``events.csv``: one row per entry; lists within a cell are separated by " | "."""
    return EntryFile(_csv_row(list(CSV_COLUMNS)), csv_row)
