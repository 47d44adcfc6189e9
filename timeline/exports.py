"""Machine-readable forms of the timeline."""

from __future__ import annotations

import json

from timeline.chronology import Timeline


def events_document(timeline: Timeline) -> dict:
    """The ``events.json`` document: a stable, documented shape (see README)."""
    events = []
    for entry in timeline.entries:
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
                    }
                    for m in entry.sources
                ],
            }
        )
    return {"events": events}


def events_json(timeline: Timeline) -> bytes:
    """``events.json`` with one event per line: readable and diffable, and written by the C JSON
    encoder (an indented dump goes through the much slower pure-Python one)."""
    events = events_document(timeline)["events"]
    lines = ",\n".join(json.dumps(event, ensure_ascii=False, separators=(", ", ": ")) for event in events)
    return ('{"events": [\n' + lines + ("\n" if events else "") + "]}\n").encode()
