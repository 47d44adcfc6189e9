"""The merging rules, one by one, on events built from real sentences."""

from datetime import date
from pathlib import Path

from timeline.actors import default_index
from timeline.articles import parse_article
from timeline.chronology import date_relation, merge, same_event
from timeline.dating import date_article
from timeline.events import Event, Mention, extract_events
from timeline.exports import events_document
from timeline.tagger.values import value_span


def event(value: str, sentence: str, article: str, published=date(2023, 9, 13), expression="x") -> Event:
    mention = Mention(article, article.title(), f"articles/{article}/index.html", None, None, published, expression, sentence, (0, 4))
    return Event(value, value_span(value), sentence[:30], mention, default_index().find(sentence))


TRAIN = "Kim Jong Un's armoured train crossed the border into Russia on Tuesday, Russian media said."
TRAIN_2 = "On Tuesday the armoured train carrying Kim Jong Un crossed the border into Russia."
CONFIRM = "North Korean state media confirmed on Tuesday that Kim Jong Un was travelling to Russia for talks."


def test_same_event_from_two_outlets_merges():
    a, b = event("2023-09-12", TRAIN, "a"), event("2023-09-12", TRAIN_2, "b")
    assert same_event(a, b)
    (entry,) = merge([a, b]).entries
    assert [m.article for m in entry.sources] == ["a", "b"]
    # A leader brings their country along.
    assert [x.name for x in entry.actors] == ["Kim Jong Un", "Russia", "North Korea"]


def test_different_events_on_the_same_day_stay_apart():
    a, b, c = event("2023-09-12", TRAIN, "a"), event("2023-09-12", CONFIRM, "b"), event("2023-09-12", TRAIN_2, "c")
    assert not same_event(a, b)
    entries = merge([a, b, c]).entries
    assert sorted(len(e.sources) for e in entries) == [1, 2]


def test_no_shared_actor_no_merge():
    a = event("2023-09-12", "Seoul announced new sanctions on shipping firms.", "a")
    b = event("2023-09-12", "Tokyo announced new sanctions on shipping firms.", "b")
    assert not same_event(a, b)


def test_precision_merge_takes_the_finer_date():
    coarse = event("2000", "Putin became the first Kremlin leader to visit Pyongyang in 2000, meeting Kim Jong Il.", "a", date(2023, 9, 13))
    fine = event("2000-07", "In July 2000 Putin made a visit to Pyongyang, the first by a Kremlin leader, and met Kim Jong Il.", "b", date(2019, 4, 25))
    assert date_relation(coarse, fine) == "nested" and same_event(coarse, fine)
    (entry,) = merge([coarse, fine]).entries
    assert entry.value == "2000-07" and entry.span.precision == "month"
    assert entry.disputed == () and len(entry.sources) == 2
    other_year = event("2000", "Putin won the presidential election in 2000 with 53 percent of the vote.", "c")
    assert not same_event(other_year, fine)


def test_disagreeing_sources_keep_both_dates():
    a = event("2023-09-12", "Kim Jong Un met Vladimir Putin at the Vostochny cosmodrome for talks on satellites and arms.", "a")
    b = event("2023-09-12", "Putin and Kim Jong Un held talks at the Vostochny cosmodrome about satellites and arms.", "b")
    c = event("2023-09-13", "Kim Jong Un held talks with Putin at the Vostochny cosmodrome on satellites and arms.", "c")
    assert date_relation(a, c) == "near" and same_event(a, c)
    (entry,) = merge([c, a, b]).entries
    assert entry.value == "2023-09-12"  # the majority's date
    assert [(claim.value, [m.article for m in claim.sources]) for claim in entry.disputed] == [
        ("2023-09-12", ["a", "b"]),
        ("2023-09-13", ["c"]),
    ]
    doc = events_document(merge([a, b, c]))["events"][0]
    assert {s["article"]: s["value"] for s in doc["sources"]} == {"a": "2023-09-12", "b": "2023-09-12", "c": "2023-09-13"}
    assert [d["value"] for d in doc["disputed"]] == ["2023-09-12", "2023-09-13"]


def test_far_apart_dates_and_one_articles_two_dates_never_merge():
    a = event("2023-09-12", "Kim Jong Un met Vladimir Putin at the Vostochny cosmodrome for talks.", "a")
    far = event("2024-06-19", "Kim Jong Un met Vladimir Putin at the Vostochny cosmodrome for talks.", "b")
    same_article = event("2023-09-13", "Kim Jong Un met Vladimir Putin at the Vostochny cosmodrome for talks.", "a")
    assert not same_event(a, far) and not same_event(a, same_article)


def test_merge_is_order_independent():
    events = [event("2023-09-12", TRAIN, "a"), event("2023-09-12", CONFIRM, "b"), event("2023-09-12", TRAIN_2, "c")]
    first = [(e.id, [m.article for m in e.sources]) for e in merge(events).entries]
    assert first == [(e.id, [m.article for m in e.sources]) for e in merge(events[::-1]).entries]


def extract(body: str, tmp_path: Path) -> list[Event]:
    article = parse_article(f"---\ntitle: T\ndate: 2023-09-12\n---\n{body}\n", tmp_path / "a.md", tmp_path)
    return extract_events(date_article(article, date(2026, 1, 1), "a.md"), default_index())


def test_ranges_become_one_event_spanning_both_dates(tmp_path: Path):
    events = extract(
        "Sanctions on Iran were in force from 2014 to 2016. The talks ran 2009-2010. "
        "The offensive lasted from March 3 to May 5, 2022. Pyongyang tested missiles in 2017 and 2019.",
        tmp_path,
    )
    ranges = [(e.value, e.range_end, e.span.start.isoformat(), e.span.end.isoformat(), e.mention.expression) for e in events if e.range_end]
    assert ranges == [
        ("2014", "2016", "2014-01-01", "2016-12-31", "2014 to 2016"),
        ("2009", "2010", "2009-01-01", "2010-12-31", "2009-2010"),
        ("2022-03-03", "2022-05-05", "2022-03-03", "2022-05-05", "March 3 to May 5, 2022"),
    ]
    # "in 2017 and 2019" is two dates, not a range ("and" needs "between").
    assert [e.value for e in events if not e.range_end] == ["2017", "2019"]
    timeline = merge(events)
    entry = next(e for e in timeline.entries if e.range_end == "2016")
    assert entry.label == "2014 – 2016"
    assert events_document(timeline)["events"][entry_index(timeline, entry)]["range"] == {"start": "2014", "end": "2016", "label": "2014 – 2016"}
    assert events[0].actors[0].name == "Iran"


def test_a_bare_month_opens_a_range(tmp_path: Path):
    events = extract(
        "Troops massed between March and May 2022. Fuel ran short from November to February 2023. "
        "Nothing happened from March and May 2021.",
        tmp_path,
    )
    assert [(e.value, e.range_end, e.mention.expression) for e in events] == [
        ("2022-03", "2022-05", "March and May 2022"),
        ("2022-11", "2023-02", "November to February 2023"),  # the winter before: November of 2022
        ("2021-05", None, "May 2021"),  # "from ... and" is no range
    ]
    assert events[0].span.start.isoformat() == "2022-03-01" and events[0].span.end.isoformat() == "2022-05-31"


def test_a_range_of_months_without_a_year(tmp_path: Path):
    events = extract("Talks were held between March and May, officials said. Drills ran from January to March.", tmp_path)
    assert [(e.value, e.range_end, e.mention.expression) for e in events] == [
        ("2023-03", "2023-05", "March and May"),
        ("2023-01", "2023-03", "January to March"),
    ]


def entry_index(timeline, entry) -> int:
    return timeline.entries.index(entry)


def test_events_json_keeps_its_contract_and_adds_fields(tmp_path: Path):
    doc = events_document(merge(extract("Pyongyang said on Sept. 10 that Kim left for Russia.", tmp_path)))
    (item,) = doc["events"]
    assert {"id", "value", "start", "end", "precision", "title", "sources", "actors", "range", "disputed"} <= set(item)
    assert {"article", "title", "url", "published", "expression", "sentence", "offset"} <= set(item["sources"][0])
    assert item["actors"] == ["North Korea", "Russia"]
    assert item["range"] is None and item["disputed"] is None


def test_amounts_and_rare_words_weigh_in():
    # Same day, same market words, different amounts: two reports, not one.
    a = event("2006-11-30", "The benchmark Korea Composite Stock Price Index rose 9.66 points to 1,432.21 on Thursday.", "a")
    b = event("2006-11-30", "The VN-Index rose 16.47 points, or 2.67 percent, to 633.05 on Thursday.", "b")
    assert not same_event(a, b)
    b_without_amounts = event("2006-11-30", "The VN-Index rose several points on Thursday.", "b")
    assert same_event(a, b_without_amounts)  # the words alone would merge them: the amounts keep them apart
    # Few shared words, but rare ones and the same death toll: one earthquake.
    c = event("2005-10-08", "Aid followed the October 8 earthquake which killed more than 73,000 people in Kashmir.", "c")
    d = event("2005-10-08", "A powerful earthquake hit northern Pakistan on Oct. 8, killing more than 73,000 people.", "d")
    assert same_event(c, d)
