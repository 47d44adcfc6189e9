"""The fast merge finds exactly the clusters of the rule as written: every event, in source order,
joins the first candidate cluster holding an event it is the same as."""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import date
from itertools import chain

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline import chronology
from timeline.actors import default_index
from timeline.events import Event, Mention
from timeline.tagger.values import Span, value_span

from merge_sentences import SENTENCES


def reference_clusters(events: list[Event]) -> list[list[Event]]:
    """The merge rule, written plainly: every earlier cluster that shares blocking keys is a
    candidate, and every member of a candidate is compared."""
    clusters: list[list[chronology.EventProfile]] = []
    short: list[bool] = []
    index: dict[tuple, list[int]] = defaultdict(list)
    for event in sorted(events, key=chronology.source_order):
        profile = chronology.event_profile(event)
        keys = chronology._blocking_keys(profile)
        by_word: dict[object, set[int]] = defaultdict(set)
        for key in keys:
            by_word[key[0] if key[0] != "=" else key].update(index.get(key, ()))
        shared = Counter(chain.from_iterable(by_word.values()))
        need = min(2, len(profile.words)) if profile.words else 1
        candidates = sorted(c for c, n in shared.items() if n >= need or short[c])
        home = next((c for c in candidates if any(chronology.same_profile(profile, o) for o in clusters[c])), None)
        if home is None:
            home = len(clusters)
            clusters.append([])
            short.append(False)
        clusters[home].append(profile)
        short[home] = short[home] or len(profile.words) < 2
        for key in keys:
            index[key].append(home)
    return [[p.event for p in cluster] for cluster in clusters]


VALUES = [
    "1999-12-28", "1999-12-30", "2000-01-02", "2000-01-03", "2000-01-05", "2000-01-20", "2000-02-14",
    "2000-W01", "2000-01", "2000-02", "1999-12", "2000-Q1", "2000-H1", "2000-WI", "2000", "1999", "2001",
    "199", "200", "19", "20",
]
RANGES = [("1999", "2001"), ("2000-01-02", "2000-01-20"), ("19", "20")]


@st.composite
def event_lists(draw) -> list[Event]:
    events = []
    for i in range(draw(st.integers(1, 40))):
        sentence = draw(st.sampled_from(SENTENCES))
        article = draw(st.sampled_from("abcdefg"))
        published = date(2000, 1, 1 + "abcdefg".index(article) % 3)
        if draw(st.integers(0, 9)) == 0:
            value, end = draw(st.sampled_from(RANGES))
            first, last = value_span(value), value_span(end)
            span = Span(first.start, last.end, first.precision)
        else:
            value, end = draw(st.sampled_from(VALUES)), None
            span = value_span(value)
        mention = Mention(article, article, f"articles/{article}/index.html", None, None, published, "x", sentence, (i, i + 1))
        events.append(Event(value, span, sentence[:20], mention, default_index().find(sentence), end))
    return events


def identities(clusters) -> list[list[tuple]]:
    return sorted(sorted((e.mention.article, e.mention.offset) for e in cluster) for cluster in clusters)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event_lists())
def test_fast_merge_equals_the_plain_rule(events):
    profiles = [chronology.event_profile(e) for e in sorted(events, key=chronology.source_order)]
    fast = [[profiles[i].event for i in cluster] for cluster in chronology.cluster_profiles(profiles)]
    assert identities(fast) == identities(reference_clusters(events))
