"""The timeline page's filter index: which actors, tags and year each entry has.

The index is embedded in the page as JSON (a file loaded by ``fetch`` would not work from
``file://``) and holds only small integers per entry; the text searched is the page's own text.
"""

from __future__ import annotations

import json

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from timeline.chronology import Timeline


class _Tags(dict):
    """Entry id -> tags, holding only the entries that have some; any other has none."""

    def __missing__(self, key: str) -> tuple[str, ...]:
        return ()


def entry_tags(timeline: Timeline, tags_by_article: dict[str, tuple[str, ...]]) -> dict[str, tuple[str, ...]]:
    """Each entry's tags: the tags of the articles it cites, in first-seen order."""
    tags_by_article = {article: tags for article, tags in tags_by_article.items() if tags}
    result: dict[str, tuple[str, ...]] = _Tags()
    if not tags_by_article:
        return result
    for entry in timeline.entries:
        seen: dict[str, None] = {}
        for mention in entry.sources:
            for tag in tags_by_article.get(mention.article, ()):
                seen.setdefault(tag, None)
        if seen:
            result[entry.id] = tuple(seen)
    return result


def filter_index(timeline: Timeline, tags: dict[str, tuple[str, ...]]) -> dict:
    """``{"actors": [[slug, name]...], "tags": [...], "years": [[slug, label]...],
    "entries": [[id, [actor indexes], [tag indexes], year index], ...]}`` in page order."""
    actors = [g.actor for g in timeline.actor_groups]
    # By slug: each actor has a page of its own, so no two share one (and a string keeps its hash).
    actor_at = {a.slug: i for i, a in enumerate(actors)}
    tag_names = sorted({t for ts in tags.values() for t in ts}, key=lambda t: (t.lower(), t))
    tag_at = {t: i for i, t in enumerate(tag_names)}
    years = list(timeline.groups)
    entries = []
    for y, group in enumerate(years):
        for entry in group.entries:
            found = tags.get(entry.id)
            entries.append([entry.id, [actor_at[a.slug] for a in entry.actors] if entry.actors else [], [tag_at[t] for t in found] if found else [], y])
    return {
        "actors": [[a.slug, a.name] for a in actors],
        "tags": tag_names,
        "years": [[g.slug, g.label] for g in years],
        "entries": entries,
    }


def script_json(data: object) -> str:
    """JSON safe inside ``<script type="application/json">``: no "</script>" or "<!--" can end it."""
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
