"""The merge kept between builds: re-merged where events changed, equal to merging from scratch."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from timeline import merge_state as merge_state_module
from timeline.actors import ActorName
from timeline.articles import Article
from timeline.build import ArticleCache, build_site
from timeline.cache import TaggedArticle
from timeline.chronology import merge
from timeline.events import Event, Mention
from timeline.merge_state import merge_state
from timeline.tagger.values import value_span

from merge_sentences import SENTENCES as SHARED

# The treaty (0-2) and train (3-4) sentences, the bank (5-6), one naming a group (7), no content words (8).
SENTENCES = [*SHARED[:5], SHARED[6], SHARED[8], "Wagner fighters crossed the border after talks in Baghdad.", SHARED[12]]
VALUES = ["2000-01-02", "2000-01-03", "2000-01-05", "2000-01", "2000", "199", "19", "2000-W01"]


def record(slug: str, key: str, items: list[tuple[str, str | tuple[str, str]]], actors=()) -> TaggedArticle:
    """A tagged article whose events are (value or (range start, range end), sentence)."""
    published = date(2000, 1, 1 + sum(map(ord, slug)) % 9)
    article = Article(None, f"{slug}.md", slug, slug, "", 1, "markdown", published, actors=actors)
    events = []
    for i, (value, sentence) in enumerate(items):
        end = None
        if isinstance(value, tuple):
            value, end = value
        span = value_span(value)
        if end:
            span = replace(span, end=value_span(end).end)
        mention = Mention(slug, slug, f"articles/{slug}/index.html", None, None, published, "x", sentence, (i, i + 1))
        events.append(Event(value, span, sentence[:20], mention, (), end))
    return TaggedArticle(key, article, published, False, tuple(events), (), ())


def shown(timeline) -> list:
    return [(e.id, e.value, [(m.article, m.offset) for m in e.sources], [a.name for a in e.actors], e.disputed) for e in timeline.entries]


items = st.lists(st.tuples(st.sampled_from(VALUES + [("1999", "2001")]), st.sampled_from(SENTENCES)), max_size=6)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(items, min_size=2, max_size=8), st.data())
def test_remerge_after_any_change_equals_merging_from_scratch(articles, data):
    records = [record(f"a{i}", f"k{i}", evs) for i, evs in enumerate(articles)]
    state = merge_state(records, ())
    changed = list(records)
    for i in data.draw(st.sets(st.integers(0, len(records) - 1), max_size=2)):
        changed[i] = record(f"a{i}", f"k{i}-v2", data.draw(items))  # edited: a new key, new events
    if data.draw(st.booleans()):
        changed.pop(data.draw(st.integers(0, len(changed) - 1)))  # deleted
    if data.draw(st.booleans()):
        changed.append(record("new", "k-new", data.draw(items)))  # added
    incremental = merge_state(changed, (), state, full_merge_share=1e9)  # never from scratch
    scratch = merge_state(changed, (), None)
    assert shown(incremental.timeline()) == shown(scratch.timeline())
    assert incremental.tokens() == scratch.tokens()
    assert {k: set(v) for k, v in incremental.partners.items()} == {k: set(v) for k, v in scratch.partners.items()}
    # And both are the merge of the events as they are.
    from timeline.actors import default_index

    plain = merge([replace(e, actors=default_index().find(e.mention.sentence)) for r in changed for e in r.events])
    assert shown(incremental.timeline()) == shown(plain)


def test_only_the_changed_group_is_merged_again(monkeypatch):
    a = record("a", "ka", [("2000-01-02", SENTENCES[0]), ("2000-01-02", SENTENCES[5])])
    b = record("b", "kb", [("2000-01-02", SENTENCES[1])])
    c = record("c", "kc", [("2000-01-02", SENTENCES[6])])
    state = merge_state([a, b, c], ())
    assert sorted(len(e.sources) for e in state.timeline().entries) == [2, 2]  # the treaty, the bank
    clustered: list[list] = []
    real = merge_state_module.cluster_profiles
    monkeypatch.setattr(merge_state_module, "cluster_profiles", lambda ps, *rest: clustered.append([p.event.mention.article for p in ps]) or real(ps, *rest))
    b2 = record("b", "kb2", [("2000-01-02", SENTENCES[2])])
    again = merge_state([a, b2, c], (), state, full_merge_share=1e9)
    # The treaty group (a's first event, b's old and new event) only; the bank group is kept.
    assert clustered == [["a", "b"]]
    assert [c for c in again.clusters if "kc" in {m[0] for m in c.members}] == [c for c in state.clusters if "kc" in {m[0] for m in c.members}]
    clustered.clear()
    assert merge_state([a, b2, c], (), again, full_merge_share=1e9) is again and clustered == []  # nothing changed


def test_site_actor_names_merge_everything_again():
    a = record("a", "ka", [("2000-01-02", SENTENCES[7])])
    state = merge_state([a], ())
    assert shown(state.timeline())[0][3] == ["Iraq"]
    with_wagner = merge_state([a], (ActorName("Wagner Group", ("Wagner",)),), state)
    assert with_wagner.fingerprint != state.fingerprint
    assert shown(with_wagner.timeline())[0][3] == ["Wagner Group", "Iraq"]
    # The same name from another article's front matter.
    b = record("b", "kb", [("2000", SENTENCES[6])], actors=(ActorName("Wagner Group", ("Wagner",)),))
    assert shown(merge_state([a, b], (), state).timeline())[1][3] == ["Wagner Group", "Iraq"]


def test_merge_code_change_merges_everything_again(monkeypatch):
    a = record("a", "ka", [("2000-01-02", SENTENCES[0])])
    b = record("b", "kb", [("2000-01-02", SENTENCES[1])])
    state = merge_state([a, b], ())
    monkeypatch.setattr(merge_state_module, "features_fingerprint", lambda: "other merge code")
    clustered = []
    real = merge_state_module.cluster_profiles
    monkeypatch.setattr(merge_state_module, "cluster_profiles", lambda ps, *rest: clustered.append(len(ps)) or real(ps, *rest))
    again = merge_state([a, b], (), state, full_merge_share=1e9)
    assert again is not state and clustered == [2]


def article(title: str, day: str, body: str, extra: str = "") -> str:
    return f"---\ntitle: {title}\ndate: {day}\n{extra}---\n{body}\n"


@pytest.fixture
def wire(site):
    site.add("a.md", article("A", "2023-09-13", "Kim Jong Un's armoured train crossed the border into Russia on Tuesday, Russian media said."))
    site.add("b.md", article("B", "2023-09-13", "On Tuesday the armoured train carrying Kim Jong Un crossed the border into Russia."))
    site.add("c.md", article("C", "2023-09-14", "The central bank raised rates on Wednesday as prices rose."))
    return site


def test_build_keeps_the_merge_and_agrees_with_a_fresh_build(wire, tmp_path):
    build_site(wire.config())
    wire.add("c.md", article("C", "2023-09-14", "The central bank raised rates on Thursday as prices rose again."))
    wire.add("d.md", article("D", "2023-09-14", "Kim Jong Un's train crossed into Russia on Tuesday, state media said."))
    cache = ArticleCache()
    incremental = build_site(wire.config(), cache)
    assert cache.merge is not None and any(c.entry.value == "2023-09-14" for c in cache.merge.clusters)
    events = json.loads((wire.output / "events.json").read_text())["events"]
    # From scratch: no cache at all.
    import shutil

    shutil.rmtree(wire.root / ".timeline-cache")
    fresh = build_site(wire.config())
    assert shown(incremental.timeline) == shown(fresh.timeline)
    assert json.loads((wire.output / "events.json").read_text())["events"] == events
    train = next(e for e in events if len(e["sources"]) == 3)
    assert {s["article"] for s in train["sources"]} == {"a", "b", "d"}


def test_front_matter_actor_reaches_other_articles_entries(wire):
    build_site(wire.config())
    wire.add("e.md", article("E", "2023-09-20", "Nothing dated here.", "actors:\n  Central Bank of Russia: [central bank]\n"))
    build_site(wire.config())
    events = json.loads((wire.output / "events.json").read_text())["events"]
    assert next(e for e in events if e["sources"][0]["article"] == "c")["actors"] == ["Central Bank of Russia"]


def test_partners_found_in_two_processes_give_the_same_merge(tmp_path):
    # In a fresh interpreter: a process with other threads (this session may have some) never forks.
    import subprocess
    import sys

    script = tmp_path / "two.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(Path(__file__).parent)!r})\n"
        "from test_merge_state import *\n"
        "import timeline.merge_state as m\n"
        "records = [record(f'a{i}', f'k{i}', [(VALUES[(i + j) % len(VALUES)], SENTENCES[(i * j) % len(SENTENCES)]) for j in range(4)]) for i in range(30)]\n"
        "one = merge_state(records, ())\n"
        "forks = []\n"
        "real = m.Forked\n"
        "m.PARALLEL_EVENTS = 10\n"
        "m.Forked = lambda fn: forks.append(1) or real(fn)\n"
        "two = merge_state(records, (), processes=2)\n"
        "assert forks == [1], forks\n"
        "assert shown(two.timeline()) == shown(one.timeline()) and two.tokens() == one.tokens()\n"
        "assert {k: set(v) for k, v in two.partners.items()} == {k: set(v) for k, v in one.partners.items()}\n"
        "assert any(len(e.sources) > 1 for e in one.timeline().entries)\n"
        "print('ok')\n"
    )
    repo = Path(__file__).resolve().parents[1]
    done = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, env={"PYTHONPATH": str(repo), "PATH": "/usr/bin:/bin"})
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr


def test_events_file_edits_merge_again_like_a_fresh_build(site, tmp_path):
    import shutil

    import test_manual_events as manual

    site.add("train.md", manual.ARTICLE)
    site.add("events.yaml", manual.EVENTS_FILE)
    build_site(site.config())
    # The events file gains an event naming a new actor, and loses the week of talks.
    edited = manual.EVENTS_FILE.split("- date: 2022-W08")[0] + (
        "- date: 2023-09-12\n  title: The train crosses into Russia\n  actors: [Khasan Border Post]\n"
        "  sources:\n    - title: Border desk\n"
    )
    site.add("events.yaml", edited)
    again = build_site(site.config(), ArticleCache())
    fresh = tmp_path / "fresh"
    shutil.copytree(site.content, fresh / "content")
    from timeline.config import load_config

    scratch = build_site(load_config(fresh, today=date(2026, 11, 28)))
    assert shown(again.timeline) == shown(scratch.timeline)
    assert json.loads((site.output / "events.json").read_text()) == json.loads((fresh / "output" / "events.json").read_text())
    crossing = [e for e in again.timeline.entries if e.value == "2023-09-12"]
    assert any("Khasan Border Post" in [a.name for a in e.actors] for e in crossing)
    assert not [e for e in again.timeline.entries if e.value == "2022-W08"]


def test_an_unpickled_actor_or_span_is_one_object_however_often_it_comes():
    """Each article's events are unpickled apart, and many name the same actors and dates: an
    actor or a span comes back as one object, so the saved merge holds it once (and loads it once)."""
    import pickle

    from timeline.actors import Actor

    france, day = Actor("France", "france", "country"), value_span("2003-05-05")
    first, second = pickle.loads(pickle.dumps((france, day))), pickle.loads(pickle.dumps((Actor("France", "france", "country"), value_span("2003-05-05"))))
    assert first == (france, day) and first[0] is second[0] and first[1] is second[1]
    assert pickle.loads(pickle.dumps(Actor("France", "france", "other"))) != france
    many = [(Actor("France", "france", "country"), value_span("2003-05-05")) for _ in range(100)]
    assert len(pickle.dumps(pickle.loads(pickle.dumps(many)))) < len(pickle.dumps(many)) / 4
