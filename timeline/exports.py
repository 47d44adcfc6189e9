"""Machine-readable forms of the timeline."""

from __future__ import annotations

import json

from timeline.chronology import DateClaim, Entry, Timeline
from timeline.events import Mention


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
        "sources": [{"article": m.article, "expression": m.expression, "offset": list(m.offset)} for m in claim.sources],
    }


def source_values(entry: Entry) -> dict[tuple[str, tuple[int, int]], str]:
    """What date each source of a disputed entry gives."""
    return {(m.article, m.offset): c.value for c in entry.disputed for m in c.sources}


def _says(entry: Entry, mention: Mention, values: dict) -> str:
    return values.get((mention.article, mention.offset), entry.value)


def events_document(timeline: Timeline) -> dict:
    """The ``events.json`` document: a stable, documented shape (see README)."""
    events = []
    for entry in timeline.entries:
        says = source_values(entry)
        events.append(
            {
                "id": entry.id,
                "value": entry.value,
                "start": entry.span.start.isoformat(),
                "end": entry.span.end.isoformat(),
                "precision": entry.span.precision,
                "label": entry.label,
                "title": entry.title,
                "sources": [
                    {
                        "article": m.article,
                        "title": m.article_title,
                        "url": m.url,
                        "published": m.published.isoformat() if m.published else None,
                        "outlet": m.outlet,
                        "expression": m.expression,
                        "sentence": m.sentence,
                        "offset": list(m.offset),
                        "value": _says(entry, m, says),
                    }
                    for m in entry.sources
                ],
                "actors": [a.name for a in entry.actors],
                "range": _range(entry),
                # When the sources disagree on the date: every date given, and who gives it (else null).
                "disputed": [_claim(c) for c in entry.disputed] or None,
            }
        )
    return {"events": events}


def events_json(timeline: Timeline) -> bytes:
    return json.dumps(events_document(timeline), ensure_ascii=False, indent=1).encode() + b"\n"
