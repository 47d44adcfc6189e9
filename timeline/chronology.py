"""The timeline: events of all articles merged and ordered.

Ordering rule for mixed precision: an entry sits at the start of its span, and among entries that
start on the same day the coarser one comes first. So "2006" opens 2006, "October 2006" comes
before "9 October 2006", and "the 1990s" comes before "1990". Ties are broken by title, then by
id, so the order never depends on file order.

Merging rule (same event, several sources) -- see ``same_event``; deterministic, order-free:

1. Dates must be compatible: the same value; or overlapping spans ("2000" holds "July 2000": the
   entry takes the finer date); or, when the sources disagree, spans at most a week apart (or the
   shorter span's length, for coarse dates) -- then the entry keeps every date and is marked disputed.
   A range matches only the same range. Two dates of one article never merge: an article that
   gives two dates is telling two things.
2. Actors must not contradict: when both sentences name actors, they share at least one.
3. The sentences must share content words (stemmed, without stop words, date words or actor
   names): at least two (or all of a shorter sentence's, for the same date). Shared words are
   weighed by rarity in news (``data/common_words.tsv``: "Hariri" says more than "percent"); the
   score is the weight shared over the lighter sentence's weight. It is raised when both
   sentences give the same amount ("73,000 dead"), lowered when both give amounts and none agree
   ("rose 0.8 percent" / "rose 0.2 percent") or when each names an actor the other does not.
   The score must reach a threshold that rises as the dates agree less: same value 0.35,
   nested 0.4, disputed 0.6 with a shared actor and three shared words.
   ``bench/merge_eval.py`` scores the rule on labelled pairs.

Entries are single-link clusters of events built in source order (publication date, article,
offset). Among the dates of an entry, dates that overlap count as one claim told at its finest
precision; the claim with most sources (then the finest, then the first reported) is the entry's
date, and the others are listed in ``disputed``.
"""

from __future__ import annotations

import hashlib
import math
import re
import zlib
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from itertools import chain
from dataclasses import dataclass, replace
from datetime import date, timedelta
from functools import cache, cached_property, lru_cache
from importlib.resources import files
from typing import TypeVar

from timeline.actors import Actor, ActorIndex, default_index
from timeline.events import Event, Mention
from timeline.tagger.values import Span, value_span

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
    until against between including one two three new last next week month year day today
    january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday morning afternoon evening night
    yesterday tomorrow earlier later ago early late jan feb mar apr jun jul aug sep sept oct nov dec""".split()
)
# How many content words two sentences must share, as a share of the smaller set, to be one event:
# the less the dates agree, the more the words must.
SIMILARITY_THRESHOLD = 0.35  # same date value
NESTED_THRESHOLD = 0.4  # one date within the other ("2000" and "July 2000")
DISPUTED_THRESHOLD = 0.6  # dates apart: the same event only if the sentences clearly tell it
DISPUTE_WINDOW_DAYS = 7  # how far apart two disputed dates may be (or the shorter span's length)
RARE_SHARE = 0.005  # words found in fewer news stories than this all weigh the same (the most)
QUANTITY_PENALTY = 0.35  # when both sentences give amounts and none agree
QUANTITY_BONUS = 1.5  # when they share an amount
ACTOR_PENALTY = 0.5  # when each sentence names an actor the other does not
_NUMBER = re.compile(r"\d[\d,]*(?:\.\d+)?")
_SUFFIXES = ("ations", "ation", "ings", "ing", "edly", "ed", "es", "s")


@dataclass(frozen=True)
class DateClaim:
    """One date an entry's sources give, and which sources give it."""

    value: str
    span: Span
    sources: tuple[Mention, ...]
    range_end: str | None = None

    @property
    def label(self) -> str:
        return range_label(self.value, self.span, self.range_end)

    @property
    def datetime(self) -> str:
        return html_datetime(self.value, value_span(self.value) or self.span)


@dataclass(frozen=True)
class Entry:
    id: str
    value: str
    span: Span
    title: str
    sources: tuple[Mention, ...]
    actors: tuple[Actor, ...] = ()
    range_end: str | None = None  # a range entry's last date (its span covers the whole range)
    disputed: tuple[DateClaim, ...] = ()  # every date the sources give, when they disagree

    @property
    def label(self) -> str:
        return range_label(self.value, self.span, self.range_end)

    @property
    def group_slug(self) -> str:
        return group_slug(group_label(self.span))

    @property
    def group_label(self) -> str:
        return group_label(self.span)

    @property
    def times(self) -> tuple[tuple[str, str], ...]:
        """(datetime attribute, label) for each end shown: one for a date, two for a range."""
        if self.range_end is None:
            return ((html_datetime(self.value, self.span), self.label),)
        first, last = value_span(self.value) or self.span, value_span(self.range_end) or self.span
        return (
            (html_datetime(self.value, first), date_label(self.value, first)),
            (html_datetime(self.range_end, last), date_label(self.range_end, last)),
        )

    @property
    def sort_key(self) -> tuple:
        return (self.span.start, _COARSENESS.get(self.span.precision, 0), self.title, self.id)


T = TypeVar("T")
# A run ends after an item whose key hashes to a multiple of this: runs of about this many items.
RUN_CUT = 32


def in_runs(items: Iterable[T], key: Callable[[T], str]) -> tuple[tuple[T, ...], ...]:
    """``items`` in runs, each ended by an item whose key hashes (CRC-32) to a multiple of
    ``RUN_CUT``, or by the end. Where a run ends depends on its last item alone: an item that comes
    or goes changes its own run, every other run stays as it was (dates would not do: a news
    archive puts a thousand events in one busy month)."""
    runs: list[tuple[T, ...]] = []
    run: list[T] = []
    for item in items:
        run.append(item)
        if zlib.crc32(key(item).encode()) % RUN_CUT == 0:
            runs.append(tuple(run))
            run = []
    if run:
        runs.append(tuple(run))
    return tuple(runs)


@dataclass(frozen=True)
class YearGroup:
    label: str  # "2023", "the 1990s"
    anchor: str  # fragment id
    entries: tuple[Entry, ...]

    @property
    def slug(self) -> str:
        return group_slug(self.label)

    @cached_property
    def runs(self) -> tuple[tuple[Entry, ...], ...]:
        """The entries in short runs (``in_runs``, by entry id): a page shows a large group a run
        at a time, so an edit makes one run again, not the whole group."""
        return in_runs(self.entries, lambda e: e.id)


@dataclass(frozen=True)
class ActorGroup:
    actor: Actor
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
    def actor_groups(self) -> tuple[ActorGroup, ...]:
        """Each actor with its entries (in timeline order), actors by name."""
        by_actor: dict[Actor, list[Entry]] = {}
        for entry in self.entries:
            for actor in entry.actors:
                by_actor.setdefault(actor, []).append(entry)
        return tuple(ActorGroup(a, tuple(by_actor[a])) for a in sorted(by_actor, key=lambda a: (a.name.lower(), a.slug)))

    @cached_property
    def _by_article(self) -> dict[str, dict[tuple[int, int], Entry]]:
        found: dict[str, dict[tuple[int, int], Entry]] = defaultdict(dict)
        for entry in self.entries:
            for m in entry.sources:
                found[m.article][m.offset] = entry
        return found

    def entry_for(self, article: str, offset: tuple[int, int]) -> Entry | None:
        """The entry that cites this expression of this article (or the range that contains it)."""
        mentions = self._by_article.get(article, {})
        found = mentions.get(offset)
        if found is not None:
            return found
        for (start, end), entry in mentions.items():
            if start <= offset[0] and offset[1] <= end:
                return entry
        return None


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


def range_label(value: str, span: Span, range_end: str | None) -> str:
    """A date, or a range "2014 – 2016" with each end at its own precision."""
    if range_end is None:
        return date_label(value, span)
    end = value_span(range_end)
    first = value_span(value) or span
    if end is None:
        return date_label(value, first)
    return f"{date_label(value, first)} – {date_label(range_end, end)}"


def html_datetime(value: str, span: Span) -> str:
    """A valid HTML ``datetime`` for a date at its precision: "2006", "2006-10", "2006-W41", "2006-10-09"."""
    match span.precision:
        case "year":
            return f"{span.start.year:04d}"
        case "month":
            return f"{span.start.year:04d}-{span.start.month:02d}"
        case "week" if re.fullmatch(r"\d{4}-W\d{2}", value):
            return value
    return span.start.isoformat()


@lru_cache(maxsize=4096)  # a few hundred labels, asked for by every entry on every page that lists it
def group_slug(label: str) -> str:
    """The page name of a year group: "2023", "1990s", "20th-century"."""
    return re.sub(r"\W+", "-", label.removeprefix("the ")).strip("-")


def group_label(span: Span) -> str:
    if span.precision == "decade":
        return f"the {span.start.year}s"
    if span.precision == "century":
        return f"the {ordinal(span.start.year // 100 + 1)} century"
    return str(span.start.year)


# Cached: a wire story's words recur across events, and the cache hands back one string per stem,
# which the index's pickle then stores once.
@lru_cache(maxsize=1 << 16)
def _stem(word: str) -> str:
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= 4:
            word = word[: -len(suffix)]
            break
    return word[:6]


_WORD_RUN = re.compile(r"[a-z][a-z'-]+")


@lru_cache(maxsize=1 << 16)
def _content_stem(word: str) -> str | None:
    """What a word of a lower-cased sentence adds to its content words: its stem, or None for a
    stop word or a short one. A crude stem (suffix cut, then six letters) lets
    "sanctions"/"sanctioned", "crossed"/"crossing" meet."""
    word = word.removesuffix("'s").rstrip("'")
    return _stem(word) if word not in _STOPWORDS and len(word) > 2 else None


def content_words(sentence: str) -> frozenset[str]:
    stems = set(map(_content_stem, _WORD_RUN.findall(sentence.lower().replace("’", "'"))))
    stems.discard(None)
    return frozenset(stems)


@dataclass(frozen=True)
class EventProfile:
    """What ``same_event`` compares, computed once per event."""

    event: Event
    words: frozenset[str]
    actors: frozenset[str]
    quantities: frozenset[str]
    weight: float = 0.0  # of all its words
    first_day: int = 0  # the span as day ordinals, for a quick "too far apart" test
    last_day: int = 0


@cache
def word_shares() -> dict[str, float]:
    """Share of news stories each common stem appears in (data/common_words.tsv)."""
    shares: dict[str, float] = {}
    for line in files("timeline").joinpath("data/common_words.tsv").read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            stem, share = line.split("\t")
            shares[stem] = float(share)
    return shares


@cache
def word_weight(stem: str) -> float:
    """Rarer words weigh more: -log(share of stories with the word); words not listed are rare."""
    return -math.log(max(word_shares().get(stem, RARE_SHARE), RARE_SHARE))


def quantities(sentence: str) -> frozenset[str]:
    """The numbers of a sentence that are amounts, not dates (no years, no day numbers)."""
    found = set()
    for number in _NUMBER.findall(sentence):
        plain = number.replace(",", "")
        if re.fullmatch(r"\d+", plain) and (int(plain) <= 31 or 1800 <= int(plain) <= 2100):
            continue
        found.add(plain)
    return frozenset(found)


def event_profile(event: Event, mentions: list[tuple[int, int, Actor]] | None = None) -> EventProfile:
    """``mentions``: ``default_index().mentions`` of the event's sentence, when known."""
    sentence = event.mention.sentence
    # Actor names (and the known names they go by) are compared as actors, not as words.
    for start, end, _ in reversed(default_index().mentions(sentence) if mentions is None else mentions):
        sentence = sentence[:start] + " " + sentence[end:]
    for actor in event.actors:
        sentence = sentence.replace(actor.name, " ")
    words = content_words(sentence)
    span = event.span
    return EventProfile(
        event, words, frozenset(a.slug for a in event.actors), quantities(sentence), _weight(words),
        span.start.toordinal(), span.end.toordinal(),
    )


@dataclass(frozen=True)
class EventFeatures:
    """What merging compares of an event, found with the actor names every site knows: computed
    once when the article is tagged (see ``event_features``), not at every merge."""

    actors: tuple[Actor, ...]
    words: frozenset[str]
    quantities: frozenset[str]
    weight: float


# The code and data that features and merging depend on.
_FEATURE_SOURCES = ("chronology.py", "actors.py", "data/actors.yaml", "data/common_words.tsv")


@cache
def features_fingerprint() -> str:
    """Digest of what ``event_features`` and the merge depend on: features computed under another
    digest (another version, other actor data) are computed again."""
    from timeline import __version__

    digest = hashlib.sha256(__version__.encode())
    package = files("timeline")
    for name in _FEATURE_SOURCES:
        digest.update(b"\0" + package.joinpath(name).read_bytes())
    return digest.hexdigest()


def event_features(event: Event, actors: ActorIndex) -> EventFeatures:
    mentions = actors.mentions(event.mention.sentence)
    found = actors.named(mentions)
    profile = event_profile(replace(event, actors=found), mentions if actors is default_index() else None)
    return EventFeatures(found, profile.words, profile.quantities, profile.weight)


def features_of(events: Iterable[Event], actors: ActorIndex) -> tuple[EventFeatures, ...]:
    """``event_features`` of each event. They follow from the event's sentence alone, and a sixth of
    a wire story's events share theirs with another: each sentence is looked at once."""
    by_sentence: dict[str, EventFeatures] = {}
    return tuple(by_sentence.get(e.mention.sentence) or by_sentence.setdefault(e.mention.sentence, event_features(e, actors)) for e in events)


def profile_of(event: Event, features: EventFeatures) -> EventProfile:
    """The profile ``event_profile`` would give ``event`` with ``features.actors`` attached."""
    span = event.span
    return EventProfile(
        replace(event, actors=features.actors), features.words, frozenset(a.slug for a in features.actors),
        features.quantities, features.weight, span.start.toordinal(), span.end.toordinal(),
    )


def date_relation(a: Event, b: Event) -> str:
    """"same", "nested" (spans overlap), "near" (disjoint but close) or "far"."""
    if a.value == b.value and a.range_end == b.range_end:
        return "same"
    if a.range_end is not None or b.range_end is not None:
        return "far"
    sa, sb = a.span, b.span
    if sa.start <= sb.end and sb.start <= sa.end:
        return "nested"
    gap = (max(sa.start, sb.start) - min(sa.end, sb.end)).days - 1
    return "near" if gap <= dispute_window(sa, sb) else "far"


def dispute_window(a: Span, b: Span) -> int:
    """How many days apart two disagreeing dates may be: a week, or the shorter span's length
    ("2000" vs "2001" may be one event misdated; "2000" vs "3 March 2001" may not)."""
    return max(DISPUTE_WINDOW_DAYS, min((a.end - a.start).days, (b.end - b.start).days) + 1)


def same_profile(pa: EventProfile, pb: EventProfile) -> bool:
    # Cheapest tests first; each only returns False where a later test would also have.
    gap = max(pa.first_day, pb.first_day) - min(pa.last_day, pb.last_day) - 1
    shorter = min(pa.last_day - pa.first_day, pb.last_day - pb.first_day) + 1
    if gap > max(DISPUTE_WINDOW_DAYS, shorter):  # quick: what date_relation would call "far"
        return False
    wa, wb = pa.words, pb.words
    common = wa & wb
    shared = len(common)
    if wa and wb and shared < 2 and shared < len(wa) and shared < len(wb):
        return False  # fewer shared words than any relation needs (see below)
    # Cheap bound first: even with every bonus, too little shared weight can never pass.
    if common and _weight(common) * QUANTITY_BONUS < SIMILARITY_THRESHOLD * min(pa.weight, pb.weight):
        return False
    a, b = pa.event, pb.event
    relation = date_relation(a, b)
    if relation == "far":
        return False
    if relation != "same" and a.mention.article == b.mention.article:
        return False
    shared_actor = bool(pa.actors & pb.actors)
    if pa.actors and pb.actors and not shared_actor:
        return False
    if not wa or not wb:
        return relation == "same" and " ".join(a.mention.sentence.lower().split()) == " ".join(b.mention.sentence.lower().split())
    # Two dates that differ need two shared words; the same date, two (or all of a shorter sentence's).
    if shared < (min(2, len(wa), len(wb)) if relation == "same" else 2):
        return False
    score = _weight(common) / min(pa.weight, pb.weight)
    if pa.quantities & pb.quantities:
        score *= QUANTITY_BONUS  # the same "73,000 dead" in both
    elif pa.quantities and pb.quantities:
        score *= QUANTITY_PENALTY  # "rose 0.8 percent" and "rose 0.2 percent" are two reports
    if pa.actors - pb.actors and pb.actors - pa.actors:
        score *= ACTOR_PENALTY  # each names someone the other does not: Australia's troops, Italy's
    if relation == "same":
        return score >= SIMILARITY_THRESHOLD
    if relation == "nested":
        return score >= NESTED_THRESHOLD
    return shared_actor and shared >= 3 and score >= DISPUTED_THRESHOLD


def words_may_match(words_a: frozenset[str], weight_a: float, words_b: frozenset[str], weight_b: float) -> bool:
    """False where ``same_profile`` of two ordinary events with these words and weights is False
    by its word tests alone: what an event's merge features tell without unpacking the event."""
    common = words_a & words_b
    shared = len(common)
    if words_a and words_b and shared < 2 and shared < len(words_a) and shared < len(words_b):
        return False
    return not common or _weight(common) * QUANTITY_BONUS >= SIMILARITY_THRESHOLD * min(weight_a, weight_b)


def _weight(words: frozenset[str]) -> float:
    return math.fsum(map(word_weight, words))  # exactly rounded: the same whatever the set order


def same_event(a: Event, b: Event) -> bool:
    """Whether two dated sentences report the same happening (the rule is in the module docstring)."""
    return same_profile(event_profile(a), event_profile(b))


def source_order(event: Event) -> tuple:
    m = event.mention
    return (m.published or date.max, m.article, m.offset)


_LONG_SPAN_YEARS = 12


def _blocking_keys(profile: EventProfile) -> list[tuple]:
    """Index keys under which a possibly-same event must also appear: a shared word in a nearby year."""
    event = profile.event
    if event.range_end is not None or event.span.end.year - event.span.start.year > _LONG_SPAN_YEARS:
        years: range | tuple = (event.value,)  # ranges and decades only ever merge with their equals
        if event.range_end is not None:
            years = (f"{event.value}/{event.range_end}",)
    else:
        # Any partner lies within the dispute window, which is at most this event's own length.
        reach = timedelta(days=dispute_window(event.span, event.span) + 1)
        first = max(event.span.start, date.min + reach) - reach
        last = min(event.span.end, date.max - reach) + reach
        years = range(first.year, last.year + 1)
    if not profile.words:
        return [("=", " ".join(event.mention.sentence.lower().split()), event.value)]
    return [(word, year) for word in profile.words for year in years]


def merge(events: list[Event]) -> Timeline:
    """Group events that report the same happening into entries, ordered chronologically."""
    profiles = [event_profile(event) for event in sorted(events, key=source_order)]
    entries = [entry_of([profiles[i].event for i in cluster]) for cluster in cluster_profiles(profiles)]
    entries.sort(key=lambda e: e.sort_key)
    return Timeline(tuple(entries))


# Spans up to this many days are indexed by short buckets of days, longer ones by year: an event
# then meets, as possible partners, only the events of the few weeks around it.
_FINE_SPAN_DAYS = 62
_BUCKET_DAYS = 16


def is_loose(profile: EventProfile) -> bool:
    """Ranges, very long spans and sentences without content words: ``_blocking_keys`` files
    them under their value or sentence, so they only ever meet each other."""
    event = profile.event
    return not profile.words or event.range_end is not None or event.span.end.year - event.span.start.year > _LONG_SPAN_YEARS


def reach_days(profile: EventProfile) -> tuple[int, int]:
    """The days within which any partner's span must start or end (see ``_blocking_keys``)."""
    reach = dispute_window(profile.event.span, profile.event.span) + 1
    return profile.first_day - reach, profile.last_day + reach


def year_of_day(day: int) -> int:
    return date.fromordinal(min(max(day, 1), date.max.toordinal())).year


def cluster_profiles(
    profiles: list[EventProfile],
    partners: list[list[int]] | None = None,
    split: Callable[[Callable[[range], dict[int, list[int]]], int], dict[int, list[int]]] | None = None,
) -> list[list[int]]:
    """Single-link clusters of ``profiles`` (given in source order), as lists of positions.

    The rule: each event, in order, joins the first cluster (in order of creation) that is a
    candidate for it and holds an event ``same_profile`` as it, else starts a new cluster. A cluster is a
    candidate when it shares ``_blocking_keys`` with the event: two words in nearby years (or one,
    from a sentence of one word). Loose events (``is_loose``) have keys of another kind, so they
    only meet each other and are clustered apart, as written. For the others the search is
    turned around: ``same_profile`` needs shared words and spans within reach of each other, and whenever
    it holds the partner's cluster is a candidate; so each event's earlier partners are looked up
    by (word, a few days' bucket) for short spans and (word, year) for long ones, and the event
    joins the earliest cluster holding one. Finding partners is most of the work, and each
    event's are found independently: ``split(find, count)`` may share it out (``find`` takes a
    range of positions); the default finds them all here.
    ``tests/test_merge_index.py`` checks the result against the rule as written.

    ``partners``, when given, receives for each ordinary event every earlier event ``same_profile`` as it
    (for loose events, nothing): what an incremental merge needs to know which events can affect
    which (see ``timeline.merge_state``).
    """
    index = _PartnerIndex(profiles)
    found = split(index.partners, len(profiles)) if split is not None else index.partners(range(len(profiles)))
    cluster_of: list[int] = []
    members: list[list[int]] = []
    short: list[bool] = []  # whether a cluster has a sentence of fewer than two content words
    loose_index: dict[tuple, list[int]] = defaultdict(list)  # loose events' clusters by blocking key
    for pos, profile in enumerate(profiles):
        home = None
        words = profile.words
        if index.loose[pos]:
            hit: dict[object, set[int]] = defaultdict(set)
            keys = _blocking_keys(profile)
            for key in keys:
                clusters = loose_index.get(key)
                if clusters:
                    hit[key[0] if key[0] != "=" else key].update(clusters)
            shared_words = Counter(chain.from_iterable(hit.values()))
            need = min(2, len(words)) if words else 1
            for c in sorted(c for c, n in shared_words.items() if n >= need or short[c]):
                if any(same_profile(profile, profiles[m]) for m in members[c]):
                    home = c
                    break
            for key in keys:
                loose_index[key].append(len(members) if home is None else home)
        else:
            same = found.get(pos, ())
            if same:
                home = min(cluster_of[m] for m in same)
        if partners is not None:
            partners.append(list(found.get(pos, ())))
        if home is None:
            home = len(members)
            members.append([])
            short.append(False)
        members[home].append(pos)
        cluster_of.append(home)
        short[home] = short[home] or len(words) < 2
    return members


class _PartnerIndex:
    """The earlier partners (``same_profile``) of ordinary events, found through an index of them by
    word and time (``partners``)."""

    def __init__(self, profiles: list[EventProfile]):
        self.profiles = profiles
        self.loose = [is_loose(p) for p in profiles]
        self.single_word = {pos for pos, p in enumerate(profiles) if len(p.words) == 1 and not self.loose[pos]}
        self.first_days = [p.first_day for p in profiles]
        self.last_days = [p.last_day for p in profiles]

    def partners(self, positions: range) -> dict[int, list[int]]:
        """For each ordinary event at ``positions``, the earlier events ``same_profile`` as it (in order).

        The index is built in the same pass, in order: when an event is looked up, it holds exactly
        the events before it. (Two processes that share the lookups each build it: building it
        takes less than a tenth of the time, and no list is cut down to the earlier events.)"""
        profiles, loose, single_word = self.profiles, self.loose, self.single_word
        first_days, last_days = self.first_days, self.last_days
        fine: dict[tuple, list[int]] = defaultdict(list)  # short spans by (word, bucket of days)
        fine_by_year: dict[tuple, list[int]] = defaultdict(list)  # the same, by (word, year)
        coarse: dict[tuple, list[int]] = defaultdict(list)  # longer spans by (word, year)
        found: dict[int, list[int]] = {}
        for pos in range(positions[-1] + 1 if positions else 0):
            if loose[pos]:
                continue
            profile = profiles[pos]
            words = profile.words
            short_span = profile.last_day - profile.first_day < _FINE_SPAN_DAYS
            if pos in positions:
                first, last = reach_days(profile)
                year_range = range(year_of_day(first), year_of_day(last) + 1)
                buckets = range(first // _BUCKET_DAYS, last // _BUCKET_DAYS + 1)
                seen: set[int] = set()  # earlier events sharing a word
                twice: set[int] = set()  # ... sharing two
                for word in words:
                    found_here: set[int] = set()
                    if short_span:
                        for b in buckets:
                            if listed := fine.get((word, b)):
                                found_here.update(listed)
                    else:
                        for y in year_range:
                            if listed := fine_by_year.get((word, y)):
                                found_here.update(listed)
                    for y in year_range:
                        if listed := coarse.get((word, y)):
                            found_here.update(listed)
                    if found_here:
                        twice |= found_here & seen
                        seen |= found_here
                if seen:
                    # same_profile needs two shared words, or all of a one-word sentence's.
                    possible = seen if len(words) == 1 else twice | (seen & single_word)
                    # Earlier events whose span meets this event's reach (buckets only bound it to weeks).
                    same = sorted(m for m in possible if first_days[m] <= last and last_days[m] >= first and same_profile(profile, profiles[m]))
                    if same:
                        found[pos] = same
            span_years = range(year_of_day(profile.first_day), year_of_day(profile.last_day) + 1)
            if short_span:
                span_buckets = range(profile.first_day // _BUCKET_DAYS, profile.last_day // _BUCKET_DAYS + 1)
                for word in words:
                    for b in span_buckets:
                        fine[(word, b)].append(pos)
                    for y in span_years:
                        fine_by_year[(word, y)].append(pos)
            else:
                for word in words:
                    for y in span_years:
                        coarse[(word, y)].append(pos)
        return found


def _span_days(span: Span) -> int:
    return (span.end - span.start).days


def _claims(cluster: list[Event]) -> list[tuple[Event, list[Event]]]:
    """The cluster's dates as claims: overlapping dates are one claim, told by its finest date."""
    finest_first = sorted(cluster, key=lambda e: (_span_days(e.span), source_order(e)))
    claims: list[tuple[Event, list[Event]]] = []
    for event in finest_first:
        for head, members in claims:
            if date_relation(head, event) in ("same", "nested"):
                members.append(event)
                break
        else:
            claims.append((event, [event]))
    return claims


def entry_of(cluster: list[Event]) -> Entry:
    claims = _claims(cluster)

    def weight(claim: tuple[Event, list[Event]]) -> tuple:
        head, members = claim
        articles = len({e.mention.article for e in members})
        return (-articles, _span_days(head.span), min(source_order(e) for e in members))

    claims.sort(key=weight)
    head, members = claims[0]
    first = min(members, key=source_order)
    digest = hashlib.sha1(f"{first.mention.article}:{first.mention.offset}".encode()).hexdigest()[:8]
    entry_id = f"e-{re.sub(r'[^0-9A-Za-z]+', '-', head.value)}-{digest}"
    actors: dict[Actor, None] = {}
    for event in cluster:
        for actor in event.actors:
            actors.setdefault(actor, None)
    disputed: tuple[DateClaim, ...] = ()
    if len(claims) > 1:
        disputed = tuple(
            DateClaim(h.value, h.span, tuple(e.mention for e in sorted(m, key=source_order)), h.range_end)
            for h, m in claims
        )
    title_source = min((e for e in members if e.value == head.value), key=source_order)
    return Entry(
        entry_id,
        head.value,
        head.span,
        title_source.title,
        tuple(e.mention for e in cluster),
        tuple(actors),
        head.range_end,
        disputed,
    )
