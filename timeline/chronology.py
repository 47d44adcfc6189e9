"""The timeline: events of all articles merged and ordered.

Ordering rule for mixed precision: an entry sits at the start of its span, and among entries that
start on the same day the coarser one comes first. So "2006" opens 2006, "October 2006" comes
before "9 October 2006", and "the 1990s" comes before "1990". Ties are broken by title, then by
id, so the order never depends on file order.

Merging rule (same event, several sources): two events are one when their dates have the same
value and their sentences share enough content words (see ``same_event``).
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import date
from functools import cached_property

from timeline.events import Event, Mention
from timeline.tagger.values import Span

PRECISIONS = ("century", "decade", "year", "half", "season", "quarter", "month", "week", "day")
_COARSENESS = {p: i for i, p in enumerate(PRECISIONS)}
MONTHS = (
    "January February March April May June July August September October November December".split()
)
_SEASONS = {"SP": "Spring", "SU": "Summer", "FA": "Autumn", "WI": "Winter"}
_STOPWORDS = frozenset(
    """a an the and or but of to in on at by for from with without as is are was were be been being has
    have had will would shall should can could may might must do does did not no that this these those
    it its he she they them his her their we our us you your i me my who whom which what when where why
    how than then there here also said says say told according after before about into over under
    more most some any all each other such only own same so very just up out if while during since
    until against between including one two three new last next week month year day today""".split()
)
# How many content words two sentences must share, as a share of the smaller set, to be one event.
SIMILARITY_THRESHOLD = 0.34


@dataclass(frozen=True)
class Entry:
    id: str
    value: str
    span: Span
    title: str
    sources: tuple[Mention, ...]

    @property
    def label(self) -> str:
        return date_label(self.value, self.span)

    @property
    def sort_key(self) -> tuple:
        return (self.span.start, _COARSENESS.get(self.span.precision, 0), self.title, self.id)


@dataclass(frozen=True)
class YearGroup:
    label: str  # "2023", "the 1990s"
    anchor: str  # fragment id
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Timeline:
    entries: tuple[Entry, ...]

    @cached_property
    def groups(self) -> tuple[YearGroup, ...]:
        groups: dict[str, list[Entry]] = {}
        for entry in self.entries:
            groups.setdefault(group_label(entry.span), []).append(entry)
        return tuple(
            YearGroup(label, "y-" + re.sub(r"\W+", "-", label).strip("-"), tuple(items))
            for label, items in groups.items()
        )

    @cached_property
    def _by_mention(self) -> dict[tuple[str, tuple[int, int]], Entry]:
        return {(m.article, m.offset): e for e in self.entries for m in e.sources}

    def entry_for(self, article: str, offset: tuple[int, int]) -> Entry | None:
        """The entry that cites this expression of this article."""
        return self._by_mention.get((article, offset))


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def date_label(value: str, span: Span) -> str:
    """A date at its own precision: "10 September 2023", "October 2006", "2006", "the 1990s"."""
    start = span.start
    match span.precision:
        case "day":
            return f"{start.day} {MONTHS[start.month - 1]} {start.year}"
        case "week":
            return f"week of {start.day} {MONTHS[start.month - 1]} {start.year}"
        case "month":
            return f"{MONTHS[start.month - 1]} {start.year}"
        case "season":
            return f"{_SEASONS.get(value[-2:], 'Season')} {value[:4]}"
        case "quarter":
            return f"{ordinal(int(value[-1]))} quarter {value[:4]}"
        case "half":
            return f"{ordinal(int(value[-1]))} half {value[:4]}"
        case "year":
            return str(start.year)
        case "decade":
            return f"the {start.year}s"
        case "century":
            return f"the {ordinal(start.year // 100 + 1)} century"
    return value


def group_label(span: Span) -> str:
    if span.precision == "decade":
        return f"the {span.start.year}s"
    if span.precision == "century":
        return f"the {ordinal(span.start.year // 100 + 1)} century"
    return str(span.start.year)


def content_words(sentence: str) -> frozenset[str]:
    words = re.findall(r"[A-Za-z][A-Za-z'-]+", sentence.lower())
    # A crude stem (first six letters) lets "sanctions"/"sanctioned" and "visit"/"visited" meet.
    return frozenset(w[:6] for w in words if w not in _STOPWORDS and len(w) > 2)


def same_event(a: Event, b: Event) -> bool:
    """Same date value and sentences that share enough content words."""
    if a.value != b.value:
        return False
    wa, wb = content_words(a.mention.sentence), content_words(b.mention.sentence)
    if not wa or not wb:
        return a.mention.sentence == b.mention.sentence
    return len(wa & wb) / min(len(wa), len(wb)) >= SIMILARITY_THRESHOLD


def _similar(wa: frozenset[str], wb: frozenset[str], a: Event, b: Event) -> bool:
    """``same_event`` for two events of the same value whose content words are known."""
    if not wa or not wb:
        return a.mention.sentence == b.mention.sentence
    return len(wa & wb) / min(len(wa), len(wb)) >= SIMILARITY_THRESHOLD


def _source_order(event: Event) -> tuple:
    m = event.mention
    return (m.published or date.max, m.article, m.offset)


def merge(events: list[Event]) -> Timeline:
    """Group events that report the same happening into entries, ordered chronologically."""
    by_value: dict[str, list[Event]] = defaultdict(list)
    for event in sorted(events, key=_source_order):
        by_value[event.value].append(event)
    entries: list[Entry] = []
    for value, group in by_value.items():
        # Each event joins the first cluster holding a member it is ``same_event`` with. Only
        # members sharing a content word (or, without content words, the same sentence) can be:
        # an index from words to clusters finds those candidates without comparing every pair.
        clusters: list[list[int]] = []
        words = [content_words(e.mention.sentence) for e in group]
        by_word: dict[str, set[int]] = defaultdict(set)  # content word -> clusters holding it
        by_sentence: dict[str, set[int]] = defaultdict(set)  # for events without content words
        for i, event in enumerate(group):
            wi = words[i]
            if wi:
                candidates = sorted({c for w in wi for c in by_word.get(w, ())})
            else:
                candidates = sorted(by_sentence.get(event.mention.sentence, ()))
            home = next(
                (c for c in candidates if any(_similar(wi, words[j], event, group[j]) for j in clusters[c])), None
            )
            if home is None:
                home = len(clusters)
                clusters.append([])
            clusters[home].append(i)
            for w in wi:
                by_word[w].add(home)
            if not wi:
                by_sentence[event.mention.sentence].add(home)
        for indexes in clusters:
            cluster = [group[i] for i in indexes]
            first = cluster[0]
            digest = hashlib.sha1(f"{first.mention.article}:{first.mention.offset}".encode()).hexdigest()[:8]
            entry_id = f"e-{re.sub(r'[^0-9A-Za-z]+', '-', value)}-{digest}"
            entries.append(Entry(entry_id, value, first.span, first.title, tuple(e.mention for e in cluster)))
    entries.sort(key=lambda e: e.sort_key)
    return Timeline(tuple(entries))
