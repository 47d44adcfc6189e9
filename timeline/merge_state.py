"""The merged timeline kept between builds, and merged again only where events changed.

Merging (``chronology.cluster_profiles``) takes events in source order, and each joins the first
cluster holding an event ``same_profile`` as it. Which cluster an event joins therefore depends only on
the events it is the same as: the events fall into groups linked by ``same_profile`` that never affect
each other. When articles change, only the groups that held their old events, or that hold a
partner of one of their new events, are clustered again; every other entry is kept as it was.
Loose events (ranges, centuries, sentences without content words; a few hundred) only meet each
other and are clustered again, all together, whenever one of them comes or goes.

The state holds, besides the entries, only which events are the same as which. What merging
compares of each event comes with the tagged article (``TaggedArticle.features``, found with the
actor names every site knows); events whose sentence holds one of the site's own actor names are
looked at again with them. The merge code, the actor data and the site's actor names are the
state's fingerprint; an article that changed shows as its old events removed and new ones added.
"""

from __future__ import annotations

import hashlib
import re
from bisect import insort
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace

from timeline.actors import Actor, ActorIndex, ActorName, default_index, slugify
from timeline.cache import TaggedArticle, event_days
from timeline.events import Event
from timeline.forking import Forked, can_fork
from timeline.chronology import (
    Entry,
    EventFeatures,
    EventProfile,
    Timeline,
    cluster_profiles,
    entry_of,
    event_features,
    event_profile,
    features_fingerprint,
    is_loose,
    profile_of,
    reach_days,
    same_profile,
    source_order,
    words_may_match,
)

EventRef = tuple[str, int]  # (the article's cache key, the event's position among the article's events)

# Merge everything again when more than this share of the events changed: the groups would cover most.
FULL_MERGE_SHARE = 0.3


@dataclass(frozen=True)
class Cluster:
    members: tuple[EventRef, ...]  # in source order
    entry: Entry
    token: str  # digest of the members and the fingerprint: equal tokens, equal entries
    loose: bool = False


@dataclass
class MergeState:
    fingerprint: str
    clusters: list[Cluster]  # in timeline order (their entries' ``sort_key``)
    partners: dict[EventRef, tuple[EventRef, ...]]  # ordinary events with partners: the events same_profile as each

    def timeline(self) -> Timeline:
        return Timeline(tuple(c.entry for c in self.clusters))

    def clusters_changed(self, changes: dict[str, Cluster | None]) -> list[Cluster]:
        """The clusters with saved changes applied (by token: a cluster added or replaced, None
        for one removed), in timeline order (``cache.DiskStore.load_merge``)."""
        return _in_timeline_order([c for c in self.clusters if c.token not in changes], (c for c in changes.values() if c is not None))

    def tokens(self) -> dict[str, str]:
        """Entry id -> token."""
        return {c.entry.id: c.token for c in self.clusters}

    def article_tokens(self) -> dict[str, tuple[str, ...]]:
        """Article key -> the tokens of the entries holding its events, sorted."""
        found: dict[str, set[str]] = {}
        for cluster in self.clusters:
            for key, _ in cluster.members:
                found.setdefault(key, set()).add(cluster.token)
        return {key: tuple(sorted(tokens)) for key, tokens in found.items()}


def site_actor_names(records: Iterable[TaggedArticle], site_actors: tuple[ActorName, ...]) -> tuple[ActorName, ...]:
    """The actor names a site adds: from its settings and its articles' front matter."""
    return site_actors + tuple(name for record in records for name in record.article.actors)


# The form of a saved state: a state saved in another form is merged afresh.
STATE_FORMAT = 2  # 2: clusters in timeline order


def merge_fingerprint(names: tuple[ActorName, ...]) -> str:
    return hashlib.sha256(f"{STATE_FORMAT}\0{features_fingerprint()}\0{sorted(set(names), key=repr)!r}".encode()).hexdigest()


class _Events:
    """The site's events by reference, each profiled when first asked for."""

    def __init__(self, records: list[TaggedArticle], names: tuple[ActorName, ...], standalone: tuple[Event, ...] = ()):
        self.events: dict[str, Sequence[Event]] = {record.key: record.events for record in records}
        # Each event's first and last day, read without unpacking the events (``TaggedArticle.days``).
        self.days: dict[str, tuple[int, ...]] = {record.key: record.days for record in records}
        fingerprint = features_fingerprint()
        self.features: dict[str, tuple[EventFeatures, ...]] = {
            r.key: r.features for r in records if len(r.features) == len(r.events) and r.features_fp == fingerprint
        }
        self.naming = {r.key for r in records if r.named_actors}  # articles with events that name their actors
        if standalone:
            # The events file's events, under a key of their own content.
            key = "events-file:" + hashlib.sha256(repr(standalone).encode()).hexdigest()
            self.events[key] = standalone
            self.days[key] = event_days(standalone)
        self.names = names
        strings = sorted({s.strip() for n in names for s in (n.name, *n.aliases) if s.strip()}, key=len, reverse=True)
        # A sentence without any of the site's own names has the actors every site finds in it.
        self.site_names = re.compile("|".join(map(re.escape, strings))) if strings else None
        self._site_index: ActorIndex | None = None
        self._profiles: dict[EventRef, EventProfile] = {}

    def refs(self) -> list[EventRef]:
        return [(key, i) for key, events in self.events.items() for i in range(len(events))]

    def event(self, ref: EventRef) -> Event:
        return self.events[ref[0]][ref[1]]

    def _site(self) -> ActorIndex:
        if self._site_index is None:
            self._site_index = ActorIndex.for_site(self.names)
        return self._site_index

    def words_and_weight(self, ref: EventRef) -> tuple[frozenset[str], float] | None:
        """The words and weight ``profile(ref)`` has, when known without unpacking the events:
        those of the article's merge features, unless the site's or the event's own actor names
        make the profile anew (None then)."""
        found = self._profiles.get(ref)
        if found is not None:
            return found.words, found.weight
        features = self.features.get(ref[0])
        if features is None or self.site_names is not None or ref[0] in self.naming:
            return None
        return features[ref[1]].words, features[ref[1]].weight

    def profile(self, ref: EventRef) -> EventProfile:
        found = self._profiles.get(ref)
        if found is None:
            event = self.events[ref[0]][ref[1]]
            features = self.features.get(ref[0])
            if event.named_actors:  # an event written by hand names its actors
                actors = self._site()
                named = (
                    actors.names.get(name) or actors.by_slug.get(slugify(name)) or Actor(name, slugify(name))
                    for name in event.named_actors
                )
                found = event_profile(replace(event, actors=tuple(dict.fromkeys(named))))
            elif self.site_names is not None and self.site_names.search(event.mention.sentence):
                found = event_profile(replace(event, actors=self._site().find(event.mention.sentence)))
            elif features is not None:
                found = profile_of(event, features[ref[1]])
            else:
                found = profile_of(event, event_features(event, default_index()))
            self._profiles[ref] = found
        return found


def merge_state(
    records: list[TaggedArticle],
    site_actors: tuple[ActorName, ...],
    previous: MergeState | None = None,
    full_merge_share: float = FULL_MERGE_SHARE,
    processes: int = 1,
    standalone: tuple[Event, ...] = (),
) -> MergeState:
    """The merge of the events of ``records`` and ``standalone`` ones (the events file's),
    reusing ``previous`` where nothing it depends on changed. ``processes``: with 2 or more, a
    large merge finds partners in two processes."""
    named = {name for r in records for name in r.named_actors} | {n for e in standalone for n in e.named_actors}
    names = site_actor_names(records, site_actors) + tuple(ActorName(name) for name in sorted(named))
    fingerprint = merge_fingerprint(names)
    events = _Events(records, names, standalone)
    current = events.refs()
    if previous is not None and previous.fingerprint == fingerprint:
        before = {ref for cluster in previous.clusters for ref in cluster.members}
        now = set(current)
        removed = [ref for ref in before if ref not in now]
        added = [ref for ref in current if ref not in before]
        if not removed and not added:
            return previous
        if len(removed) + len(added) <= full_merge_share * len(current):
            return _remerge(previous, events, removed, added, processes)
    return _remerge(MergeState(fingerprint, [], {}), events, [], current, processes)


# Events from which finding partners in two processes pays for the fork.
PARALLEL_EVENTS = 4000


def _in_two(find: Callable[[range], dict[int, list[int]]], count: int) -> dict[int, list[int]]:
    """``find`` over every position, half of them (alternate ones) in a forked copy of this process."""
    forked = Forked(lambda: find(range(1, count, 2)))
    try:
        found = find(range(0, count, 2))
    except BaseException:
        forked.stop()
        raise
    found.update(forked.result())
    return found


def _remerge(state: MergeState, events: _Events, removed: list[EventRef], added: list[EventRef], processes: int = 1) -> MergeState:
    gone = set(removed)
    old_loose = {ref for c in state.clusters if c.loose for ref in c.members}
    added_loose = [ref for ref in added if is_loose(events.profile(ref))]
    ordinary_added = [ref for ref in added if not is_loose(events.profile(ref))]
    # The groups to cluster again: those of the removed events and of the new events' partners.
    seeds = {ref for ref in removed if ref not in old_loose}
    if ordinary_added and state.clusters:  # a first merge has nothing kept to look through
        # The kept ordinary events: every event now but the added ones and the loose ones.
        seeds.update(_partners_among(events, old_loose.union(added), ordinary_added))
    touched = _group_of(seeds, state.partners)
    redo_loose = bool(added_loose) or not gone.isdisjoint(old_loose)
    affected = touched | gone | (old_loose if redo_loose else set())

    clusters = [c for c in state.clusters if affected.isdisjoint(c.members)]  # still in timeline order
    made: list[Cluster] = []
    partners = {ref: found for ref, found in state.partners.items() if ref not in affected}

    def cluster(refs: list[EventRef], loose: bool) -> None:
        profiles = {ref: events.profile(ref) for ref in refs}
        refs.sort(key=lambda ref: source_order(profiles[ref].event))
        ordered = [profiles[ref] for ref in refs]
        earlier: list[list[int]] | None = None if loose else []
        split = _in_two if not loose and processes > 1 and len(ordered) >= PARALLEL_EVENTS and can_fork() else None
        for members in cluster_profiles(ordered, earlier, split):
            member_refs = tuple(refs[i] for i in members)
            token = hashlib.sha256(repr((state.fingerprint, member_refs)).encode()).hexdigest()[:32]
            made.append(Cluster(member_refs, entry_of([ordered[i].event for i in members]), token, loose))
        for pos, found in enumerate(earlier or ()):
            for other in found:
                a, b = refs[pos], refs[other]
                partners[a] = partners.get(a, ()) + (b,)
                partners[b] = partners.get(b, ()) + (a,)

    cluster([ref for ref in touched if ref not in gone] + ordinary_added, False)
    if redo_loose:
        cluster([ref for ref in old_loose if ref not in gone] + added_loose, True)
    return MergeState(state.fingerprint, _in_timeline_order(clusters, made), partners)


def _in_timeline_order(kept: list[Cluster], new: Iterable[Cluster]) -> list[Cluster]:
    """``kept`` (in timeline order) with ``new`` clusters put in place: a few by bisection, not
    making every cluster's sort key; many by sorting."""
    new = list(new)
    if len(new) * 8 > len(kept):
        return sorted(kept + new, key=_timeline_order)
    for cluster in new:
        insort(kept, cluster, key=_timeline_order)
    return kept


def _timeline_order(cluster: Cluster) -> tuple:
    return cluster.entry.sort_key


def _group_of(seeds: set[EventRef], partners: dict[EventRef, tuple[EventRef, ...]]) -> set[EventRef]:
    """Every event linked to ``seeds`` by a chain of ``same_profile``."""
    group = set(seeds)
    stack = list(seeds)
    while stack:
        for other in partners.get(stack.pop(), ()):
            if other not in group:
                group.add(other)
                stack.append(other)
    return group


def _partners_among(events: _Events, excluded: set[EventRef], new: list[EventRef]) -> set[EventRef]:
    """The events, but ``excluded`` ones, that are ``same_profile`` as one of ``new``. Only an event
    whose days meet a new one's reach (``reach_days``) can be: any other is too far for it."""
    reaches = [(profile, *reach_days(profile)) for profile in map(events.profile, new)]
    low, high = min(first for _, first, _ in reaches), max(last for _, _, last in reaches)
    found: set[EventRef] = set()
    for key, days in events.days.items():
        for at in range(0, len(days), 2):
            first, last = days[at], days[at + 1]
            if last < low or first > high or (ref := (key, at // 2)) in excluded:
                continue
            # A year or a month reaches thousands of events: most are ruled out by their words alone.
            known = events.words_and_weight(ref)
            for profile, reach_first, reach_last in reaches:
                if (
                    first <= reach_last
                    and last >= reach_first
                    and (known is None or words_may_match(profile.words, profile.weight, *known))
                    and same_profile(profile, events.profile(ref))
                ):
                    found.add(ref)
                    break
    return found
