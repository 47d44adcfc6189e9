from datetime import date

from timeline.chronology import date_label, merge, same_event
from timeline.events import Event, Mention, make_title, sentence_bounds
from timeline.tagger.values import value_span


def event(value: str, sentence: str, article: str = "a", offset=(0, 4), published=date(2023, 9, 12)) -> Event:
    mention = Mention(article, article.upper(), f"articles/{article}/index.html", None, None, published, "x", sentence, offset)
    return Event(value, value_span(value), sentence[:20], mention)


def test_mixed_precisions_sort_coarse_first_at_span_start():
    values = ["2006-10-09", "2006", "2006-10", "2005-12-31", "199", "1990", "2006-FA", "2006-W41", "2006-Q4"]
    topics = "harvest election summit flood treaty strike launch census verdict".split()
    events = [event(v, f"The {topics[i]} happened in {v}", article=f"a{i}") for i, v in enumerate(values)]
    order = [e.value for e in merge(events).entries]
    assert order == ["199", "1990", "2005-12-31", "2006", "2006-FA", "2006-Q4", "2006-10", "2006-W41", "2006-10-09"]


def test_labels_at_own_precision():
    cases = {
        "2023-09-10": "10 September 2023",
        "2006-10": "October 2006",
        "2006": "2006",
        "199": "the 1990s",
        "19": "the 20th century",
        "2023-FA": "Autumn 2023",
        "2023-Q1": "1st quarter 2023",
    }
    for value, label in cases.items():
        assert date_label(value, value_span(value)) == label


def test_same_event_from_two_sources_merges():
    a = event("2006-10-09", "North Korea said it had carried out an underground nuclear test on Monday.", "a")
    b = event("2006-10-09", "Pyongyang conducted its first underground nuclear test on Oct. 9, seismic data showed.", "b")
    c = event("2006-10-09", "Stocks in Seoul fell sharply on Monday as investors sold shares.", "c")
    assert same_event(a, b) and not same_event(a, c)
    timeline = merge([a, b, c])
    assert len(timeline.entries) == 2
    merged = next(e for e in timeline.entries if len(e.sources) == 2)
    assert {m.article for m in merged.sources} == {"a", "b"}
    assert timeline.entry_for("b", (0, 4)) is merged


def test_different_dates_never_merge():
    a = event("2006-10-09", "North Korea carried out a nuclear test.", "a")
    b = event("2006-10-10", "North Korea carried out a nuclear test.", "b")
    assert len(merge([a, b]).entries) == 2


def test_entry_ids_are_stable_across_input_order():
    events = [event("2006", f"Sanctions sentence {i} about resolution", f"s{i}") for i in range(3)]
    assert [e.id for e in merge(events).entries] == [e.id for e in merge(events[::-1]).entries]


def test_groups_by_year_and_decade():
    events = [event(v, f"text {v}", v) for v in ["199", "2006", "2006-10-09", "2023-09-10"]]
    groups = merge(events).groups
    assert [g.label for g in groups] == ["the 1990s", "2006", "2023"]
    assert [len(g.entries) for g in groups] == [1, 2, 1]


def test_sentence_bounds_respect_abbreviations():
    text = "Kim left on Sunday, Sept. 10, by train. The U.S. warned him. Mr. Smith agreed.\nNew line"
    sentences = [text[s:e] for s, e in sentence_bounds(text)]
    assert sentences == ["Kim left on Sunday, Sept. 10, by train.", "The U.S. warned him.", "Mr. Smith agreed.", "New line"]


def test_a_number_ends_a_sentence_and_an_initial_does_not():
    text = "The missiles flew on July 5. The council met. J. Smith spoke."
    assert [text[s:e] for s, e in sentence_bounds(text)] == ["The missiles flew on July 5.", "The council met.", "J. Smith spoke."]


def test_title_drops_the_date_expression():
    sentence = "North Korean state media confirmed that Kim left Pyongyang for Russia on Sunday, Sept. 10, and that he was accompanied."
    start = sentence.index("Sunday")
    title = make_title(sentence, start, start + len("Sunday, Sept. 10"))
    assert "Sept. 10" not in title and " on " not in title[-40:]
    assert title.startswith("North Korean state media confirmed that Kim left Pyongyang for Russia")
    assert len(title) <= 111


def test_the_preposition_before_a_date_is_looked_for_among_the_last_characters():
    """The same as removing what the pattern finds anywhere before the end of the text."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from timeline.events import _LEADING_PREPOSITION, _before_date

    words = ["on", "in", "at", "since", "between", "as", "of", "earlier", "within", "Thin", "ON", "Until", "talks", "x", "1"]

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(words), max_size=6), st.sampled_from([" ", "  ", ", ", "\n", "-"]), st.sampled_from(["", " ", "  "]))
    def check(before, separator, space):
        text = separator.join(before) + space
        assert _before_date(text) == _LEADING_PREPOSITION.sub("", text.rstrip()).rstrip(" ,;:")

    check()
    assert _before_date("The talks opened within ") == "The talks opened within"
    assert _before_date("The talks opened on ") == "The talks opened"


def _pairwise_clusters(events: list[Event]) -> list[list[Event]]:
    """The merge rule spelled out naively: each event joins the first cluster holding a member it
    is ``same_event`` with."""
    clusters: list[list[Event]] = []
    for e in sorted(events, key=lambda e: (e.mention.published or date.max, e.mention.article, e.mention.offset)):
        home = next((c for c in clusters if any(same_event(e, o) for o in c)), None)
        if home is None:
            clusters.append([e])
        else:
            home.append(e)
    return clusters


def test_indexed_merge_clusters_exactly_like_pairwise_comparison():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    words = ["troops", "border", "talks", "sanctions", "vote", "summit", "the", "on", "rocket", "it"]
    sentences = st.lists(st.sampled_from(words), min_size=0, max_size=6).map(" ".join)

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(["2023-09-10", "2023", "2006-10"]), sentences), max_size=25))
    def check(items):
        events = [event(v, s or ".", article=f"a{i}", offset=(i, i + 4)) for i, (v, s) in enumerate(items)]
        expected = sorted(tuple(m.mention.article for m in c) for c in _pairwise_clusters(events))
        assert sorted(tuple(m.article for m in e.sources) for e in merge(events).entries) == expected

    check()


def test_runs_change_only_where_an_item_comes_or_goes():
    """Long lists are shown in runs, each a reused piece: the runs cover the items in order, each
    ends at a cut (or the end), and adding or removing an item leaves every run that does not hold
    it as it was, so a rebuild makes one run again."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    import zlib

    from timeline.chronology import RUN_CUT, in_runs

    def key(item: str) -> str:
        return item

    def cut(item: str) -> bool:
        return zlib.crc32(item.encode()) % RUN_CUT == 0

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.text("abcdefgh", min_size=1, max_size=6), unique=True, max_size=300), st.data())
    def check(items, data):
        runs = in_runs(items, key)
        assert [item for run in runs for item in run] == items
        assert not any(cut(item) for run in runs for item in run[:-1])
        assert all(cut(run[-1]) for run in runs[:-1])
        position = data.draw(st.integers(0, len(items)))
        if data.draw(st.booleans()) or not items:
            changed = items[:position] + ["new item"] + items[position:]
        else:
            changed = items[: min(position, len(items) - 1)] + items[min(position, len(items) - 1) + 1 :]
        before, after = set(runs), set(in_runs(changed, key))
        assert len(before - after) <= 2 and len(after - before) <= 2

    check()


def test_events_of_one_sentence_share_its_features():
    from timeline.actors import default_index
    from timeline.chronology import event_features, features_of

    said = "North Korea and South Korea resumed talks in Beijing on Sept. 10 after a pause since May."
    events = [event("2023-09-10", said), event("2023-05", said, offset=(70, 73)), event("2023-09", "Oil prices rose in Tokyo.")]
    actors = default_index()
    features = features_of(events, actors)
    assert list(features) == [event_features(e, actors) for e in events]
    assert features[0] is features[1] and features[2] is not features[0]
    assert [a.name for a in features[0].actors] == ["North Korea", "South Korea", "China"]  # Beijing: the seat of power


def test_words_rule_out_only_pairs_that_are_not_the_same():
    """``words_may_match`` (what a rebuild checks before unpacking an event) is False only where
    ``same_profile`` is False too, and does rule pairs out."""
    from itertools import product

    from merge_sentences import SENTENCES
    from timeline.chronology import event_profile, same_profile, words_may_match

    values = ["2000-01-02", "2000-01-03", "2000-01", "2000"]
    profiles = [event_profile(event(v, s, article=f"a{i}")) for i, (v, s) in enumerate(product(values, SENTENCES))]
    same = ruled_out = 0
    for a, b in product(profiles, repeat=2):
        if not words_may_match(a.words, a.weight, b.words, b.weight):
            ruled_out += 1
            assert not same_profile(a, b)
        elif a is not b and same_profile(a, b):
            same += 1
    assert same and ruled_out
