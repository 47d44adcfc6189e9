"""The exports, read back by parsers: Atom (XML), iCalendar (icalendar), TimelineJS3 JSON, CSV."""

import calendar
import csv
import io
import json
import xml.etree.ElementTree as ET
from datetime import date, timedelta
from pathlib import Path

import icalendar
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from timeline.build import build_site

ATOM = "{http://www.w3.org/2005/Atom}"

ARTICLES = {
    "train.md": """---
title: Kim's train enters Russia
date: 2023-09-12
source: Desk A
tags: [diplomacy, russia-dprk]
---
Kim Jong Un's armoured train crossed the border into Russia on Tuesday, Russian media said.
Sanctions on Pyongyang were tightened from 2016 to 2017.
""",
    "train-b.md": """---
title: Train crosses the border
date: 2023-09-13
source: Desk B
tags: [rail]
---
On Tuesday, Sept. 12, the armoured train carrying Kim Jong Un crossed the border into Russia.
""",
    "summit.md": """---
title: Summit </script><b>at</b> Vostochny
date: 2023-09-14
url: https://example.org/summit?a=1&b=2
---
Kim Jong Un held talks with Vladimir Putin at the Vostochny cosmodrome about satellites and arms on Sept. 13.
""",
    "summit-b.md": """---
title: Putin meets Kim
date: 2023-09-15
---
Vladimir Putin and Kim Jong Un held talks at the Vostochny cosmodrome about satellites and arms on Sept. 14.
""",
    "summit-c.md": """---
title: Leaders meet at the cosmodrome
date: 2023-09-16
---
Putin met Kim Jong Un at the Vostochny cosmodrome for talks on satellites and arms on Sept. 13.
""",
}


@pytest.fixture
def built(site):
    for name, text in ARTICLES.items():
        site.add(name, text)
    (site.root / "timeline.toml").write_text('title = "Korea & Russia"\nbase_url = "https://example.org/tl/"\n')
    result = build_site(site.config())
    assert result.site_written and not result.errors, result.problems
    return site.output


def test_events_json_fields(built):
    events = json.loads((built / "events.json").read_text())["events"]
    train = next(e for e in events if e["value"] == "2023-09-12")
    assert [s["article"] for s in train["sources"]] == ["train", "train-b"]
    assert train["actors"] == ["Kim Jong Un", "Russia", "North Korea"]
    summit = next(e for e in events if e["disputed"])
    assert summit["value"] == "2023-09-13"
    assert [(d["value"], [s["article"] for s in d["sources"]]) for d in summit["disputed"]] == [
        ("2023-09-13", ["summit", "summit-c"]),
        ("2023-09-14", ["summit-b"]),
    ]
    sanctions = next(e for e in events if e["range"])
    assert (sanctions["start"], sanctions["end"], sanctions["range"]["end"]) == ("2016-01-01", "2017-12-31", "2017")


def test_atom_feed(built):
    root = ET.parse(built / "feed.xml").getroot()
    assert root.tag == ATOM + "feed"
    assert root.findtext(ATOM + "title") == "Korea & Russia"
    assert root.findtext(ATOM + "id") == "https://example.org/tl/"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == "https://example.org/tl/feed.xml"
    assert root.find(f"{ATOM}author/{ATOM}name") is not None
    entries = root.findall(ATOM + "entry")
    updated = [e.findtext(ATOM + "updated") for e in entries]
    assert updated == sorted(updated, reverse=True) and updated[0] == root.findtext(ATOM + "updated") == "2023-09-16T00:00:00Z"
    ids = [e.findtext(ATOM + "id") for e in entries]
    assert len(set(ids)) == len(ids) and all(i.startswith("urn:uuid:") for i in ids)
    for entry in entries:
        assert entry.findtext(ATOM + "title")
        assert entry.find(ATOM + "link").get("href").startswith("https://example.org/tl/index.html#e-")
        assert entry.find(ATOM + "content").get("type") == "html"
    # The HTML inside is escaped text: the summit article's markup-like title survives as text.
    html_content = "".join(e.findtext(ATOM + "content") for e in entries)
    assert "Summit &lt;/script&gt;" in html_content
    assert {c.get("label") for c in root.iter(ATOM + "category")} >= {"Russia", "Kim Jong Un"}


def test_icalendar(built):
    calendar = icalendar.Calendar.from_ical((built / "events.ics").read_bytes())
    events = calendar.walk("VEVENT")
    json_events = json.loads((built / "events.json").read_text())["events"]
    assert len(events) == len(json_events)
    for event, item in zip(events, json_events):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        # All-day: plain dates, end exclusive.
        assert type(start) is date and type(end) is date
        assert start.isoformat() == item["start"] and (end - timedelta(days=1)).isoformat() == item["end"]
        assert str(event["uid"]).startswith(item["id"] + "@")
        assert event.get("dtstamp") is not None
    day = next(e for e in events if e.decoded("dtstart") == date(2023, 9, 12))
    assert day.decoded("dtend") == date(2023, 9, 13)
    assert "crossed the border" in str(day["summary"])


def test_timelinejs_json_has_the_documented_shape(built):
    doc = json.loads((built / "timelinejs.json").read_text())
    assert set(doc) <= {"title", "events", "eras", "scale"}
    assert doc["title"]["text"]["headline"] == "Korea &amp; Russia"  # headlines are HTML in TimelineJS
    allowed_slide = {"start_date", "end_date", "text", "media", "group", "display_date", "background", "autolink", "unique_id"}
    allowed_date = {"year", "month", "day", "hour", "minute", "second", "millisecond", "display_date"}
    dates = [slide[key] for slide in doc["events"] for key in ("start_date", "end_date") if key in slide]
    for slide in doc["events"]:
        assert set(slide) <= allowed_slide
        assert set(slide["text"]) <= {"headline", "text"} and slide["text"]["headline"]
    assert all(set(d) <= allowed_date and isinstance(d["year"], int) for d in dates)
    # This site has days and years alone.
    with_month = [d for d in dates if "month" in d]
    with_day = [d for d in dates if "day" in d]
    assert with_day and len(dates) > len(with_month)
    assert [d["month"] for d in with_month if not 1 <= d["month"] <= 12] == []
    # A day only within a month, and one that month has.
    assert all("month" in d and 1 <= d["day"] <= calendar.monthrange(d["year"], d["month"])[1] for d in with_day)
    day = next(s for s in doc["events"] if s["start_date"] == {"year": 2023, "month": 9, "day": 12})
    assert "end_date" not in day
    span = next(s for s in doc["events"] if "end_date" in s)
    assert (span["start_date"], span["end_date"]) == ({"year": 2016}, {"year": 2017})


def test_csv(built):
    rows = list(csv.DictReader(io.StringIO((built / "events.csv").read_text(encoding="utf-8"))))
    json_events = json.loads((built / "events.json").read_text())["events"]
    assert [r["id"] for r in rows] == [e["id"] for e in json_events]
    train = next(r for r in rows if r["value"] == "2023-09-12")
    assert train["articles"] == "train | train-b" and train["actors"] == "Kim Jong Un | Russia | North Korea" and train["source_count"] == "2"
    assert next(r for r in rows if r["disputed"])["disputed"] == "2023-09-13: summit, summit-c | 2023-09-14: summit-b"


def entry_items(html_text: str) -> list[dict]:
    """Each timeline entry (li.event) of a page: id, classes, <time datetime>s and links inside it."""
    from html.parser import HTMLParser

    class Entries(HTMLParser):
        def __init__(self):
            super().__init__()
            self.items: list[dict] = []
            self.depth = 0  # li nesting inside the current entry

        def handle_starttag(self, tag, attrs):
            a = dict(attrs)
            if tag == "li" and self.depth:
                self.depth += 1
            elif tag == "li" and "event" in (a.get("class") or "").split():
                self.items.append({"id": a["id"], "class": a["class"].split(), "times": [], "links": []})
                self.depth = 1
            elif self.depth and tag == "time":
                self.items[-1]["times"].append(a["datetime"])
            elif self.depth and tag == "a":
                self.items[-1]["links"].append(a["href"])

        def handle_endtag(self, tag):
            if tag == "li" and self.depth:
                self.depth -= 1

    parser = Entries()
    parser.feed(html_text)
    return parser.items


def test_disputed_entry_shows_who_says_what(built):
    items = {i["id"]: i for i in entry_items((built / "index.html").read_text())}
    summit = next(e for e in json.loads((built / "events.json").read_text())["events"] if e["disputed"])
    item = items[summit["id"]]
    assert "disputed" in item["class"]
    # The entry's date, then each claimed date, then each source's publication date.
    assert item["times"][0] == "2023-09-13" and {"2023-09-13", "2023-09-14"} <= set(item["times"][1:3])
    assert "articles/summit-b/index.html" in item["links"]


def test_filter_index_cannot_end_its_script(site):
    from html.parser import HTMLParser

    site.add("x.md", "---\ntitle: T\ndate: 2023-09-12\ntags: ['</script><script>alert(1)</script>', 'a & b']\n---\nPyongyang fired a missile on Tuesday.\n")
    assert build_site(site.config()).site_written

    class Scripts(HTMLParser):
        def __init__(self):
            super().__init__()
            self.scripts: list[tuple[dict, str]] = []
            self.inside: dict | None = None

        def handle_starttag(self, tag, attrs):
            if tag == "script":
                self.inside = dict(attrs)
                self.scripts.append((self.inside, ""))

        def handle_data(self, data):
            if self.inside is not None:
                attrs, text = self.scripts[-1]
                self.scripts[-1] = (attrs, text + data)

        def handle_endtag(self, tag):
            if tag == "script":
                self.inside = None

    parser = Scripts()
    parser.feed((site.output / "index.html").read_text())
    assert [attrs.get("type", attrs.get("src")) for attrs, _ in parser.scripts] == ["application/json", "static/timeline.js"]
    index = json.loads(parser.scripts[0][1])
    assert set(index["tags"]) == {"</script><script>alert(1)</script>", "a & b"}
    assert index["actors"] == [["north-korea", "North Korea"]]


def test_article_page_links_both_ends_of_a_range_to_the_range_entry(site):
    import re as regex

    site.add("r.md", "---\ntitle: R\ndate: 2023-09-12\n---\nSanctions on Pyongyang lasted from 2014 to 2016.\n")
    assert build_site(site.config()).site_written
    (entry,) = json.loads((site.output / "events.json").read_text())["events"]
    assert entry["range"]["end"] == "2016" and entry["actors"] == ["North Korea"]
    page = (site.output / "articles" / "r" / "index.html").read_text()
    assert regex.findall(r'href="\.\./\.\./index\.html#([^"]+)"', page) == [entry["id"], entry["id"]]
    (item,) = entry_items((site.output / "2014" / "index.html").read_text())
    assert item["id"] == entry["id"] and "range" in item["class"]
    assert item["times"][:2] == ["2014", "2016"]  # the span's two ends
    assert "../actors/north-korea/index.html" in item["links"] and "../2014/index.html" in item["links"]


def test_output_does_not_depend_on_hash_order(site, tmp_path):
    import os
    import subprocess
    import sys

    from conftest import REPO

    for name, text in ARTICLES.items():
        site.add(name, text)
    outputs = []
    for seed in ("1", "2"):
        out = tmp_path / f"out-{seed}"
        env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(REPO))
        subprocess.run(
            [sys.executable, "-m", "timeline", "build", "--content", str(site.content), "--output", str(out)],
            cwd=site.root, env=env, check=True, capture_output=True,
        )
        outputs.append({p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()})
    assert outputs[0].keys() == outputs[1].keys()
    assert [k for k in outputs[0] if outputs[0][k] != outputs[1][k]] == []


def test_icalendar_written_event_by_event_is_the_calendar_icalendar_writes(built):
    """events.ics is put together from one piece per entry (so rebuilds reuse them): the result is
    byte for byte what the icalendar package writes for the whole calendar."""
    data = (built / "events.ics").read_bytes()
    calendar = icalendar.Calendar.from_ical(data)
    assert len(calendar.walk("VEVENT")) == 3
    assert calendar.to_ical() == data


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.characters(blacklist_categories=("Cs",)), max_size=300),
    st.lists(st.text(max_size=40), max_size=3),
    st.dates(),
    st.integers(0, 400),
    st.booleans(),
)
def test_calendar_events_are_what_icalendar_writes(text, names, start, days, with_url):
    """events.ics writes each event's values through icalendar's value types, without building
    an icalendar.Event or its property lines: the bytes are what icalendar writes for that Event."""
    from datetime import datetime, timedelta, timezone

    from urllib.parse import quote

    from timeline.exports import ical_event

    end = start + timedelta(days=days) if start.toordinal() + days <= date.max.toordinal() else start
    properties = {
        "UID": f"e-{days}@example.org",
        "DTSTAMP": datetime.combine(start, datetime.min.time(), tzinfo=timezone.utc),
        "DTSTART": start,
        "DTEND": end,
        "SUMMARY": text,
        "DESCRIPTION": "\n\n".join([text, *names]),
    }
    if names:
        properties["CATEGORIES"] = names
    if with_url:
        properties["URL"] = f"https://example.org/tl/#{quote(text[:20])}"
    event = icalendar.Event()
    for name, value in properties.items():
        event.add(name.lower(), value)
    assert ical_event(properties) == event.to_ical()


@settings(max_examples=1000, deadline=None)
@given(st.text(st.sampled_from("ab\\^;,é—😀\t") | st.characters(blacklist_categories=("Cs",), blacklist_characters="\n\r"), max_size=400))
def test_lines_fold_as_icalendar_folds_them(line):
    from icalendar.parser import Contentline

    from timeline.exports import fold_line

    assert fold_line(line.encode()) == Contentline(line).to_ical()


def test_csv_cells_never_run_as_spreadsheet_formulas(site):
    site.add("f.md", '---\ntitle: F\ndate: 2024-03-01\nsource: "=HYPERLINK(\\"http://x\\")"\n---\n=cmd|calc on March 1, 2024 the talks ended.\n')
    assert build_site(site.config()).site_written
    rows = list(csv.DictReader(io.StringIO((site.output / "events.csv").read_text(encoding="utf-8"))))
    assert rows
    for row in rows:
        for column, cell in row.items():
            assert cell[:1] not in ("=", "+", "-", "@"), (column, cell)
    assert rows[0]["outlets"] == "'=HYPERLINK(\"http://x\")" and rows[0]["title"].startswith("'=cmd")


@settings(max_examples=200, deadline=None)
@given(
    st.lists(st.integers(0, 60), unique=True, max_size=40),
    st.lists(st.integers(0, 80), unique=True, max_size=40),
    st.sets(st.integers(0, 80)),
    st.sampled_from([b"", b",\n"]),
)
def test_an_entry_file_made_from_the_last_ones_pieces_is_the_file_made_afresh(before, after, edited, separator):
    """A rebuild copies the pieces of unchanged entries from the previous file, runs of them at
    once: whatever entries came, went, moved or changed, the bytes and the recorded pieces are those
    of the file made without it."""
    from dataclasses import dataclass

    from timeline.cache import Pieces
    from timeline.config import SiteConfig
    from timeline.exports import EntryFile
    from timeline.render import SiteRenderer, Theme

    @dataclass(frozen=True)
    class Item:
        id: str
        text: str

    shape = EntryFile(b"[\n", lambda item: item.text.encode(), separator, b"]\n", b"\n")

    def made(items, previous=None):
        renderer = SiteRenderer(SiteConfig(Path("."), Path("content"), Path("output")), Theme(None), fingerprint="test")
        renderer.tokens = {item.id: f"{item.id}:{item.text}" for item in items}
        if previous is not None:
            renderer.previous_pieces = lambda path: Pieces(previous.data, previous.pieces)
        return renderer.entry_file("list.txt", "list", shape, tuple(items))

    old = [Item(f"e{n}", f"entry {n} " * (n % 3 + 1)) for n in before]
    new = [Item(f"e{n}", f"entry {n} " * (n % 3 + 1) + ("(edited)" if n in edited else "")) for n in after]
    first = made(old)
    again, afresh = made(new, first), made(new)
    assert again.data == afresh.data
    assert again.pieces == afresh.pieces
    assert all(again.data[start:end] == shape.piece(item) for (_, start, end), item in zip(again.pieces, new))
