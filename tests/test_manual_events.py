"""Events written by hand (front matter events:, content/events.yaml) and the front matter timezone."""

import json
from datetime import date
from pathlib import Path

import pytest

from timeline.articles import parse_article
from timeline.build import ArticleCache, build_site
from timeline.problems import ContentError

from test_build import validate_events_json

CONTENT = Path("/site/content")


def parse(text: str):
    return parse_article(text, CONTENT / "a.md", CONTENT)


def test_timezone_gives_the_local_publication_day():
    text = "---\ntitle: T\ndate: 2023-09-12T22:30:00Z\n{}---\nBody on Tuesday.\n"
    assert parse(text.format("")).published == date(2023, 9, 12)
    seoul = parse(text.format("timezone: Asia/Seoul\n"))
    assert seoul.published == date(2023, 9, 13) and seoul.timezone == "Asia/Seoul"
    # A time without offset is that place's time.
    naive = parse("---\ntitle: T\ndate: 2023-09-12T23:30:00\ntimezone: America/New_York\n---\nx\n")
    assert naive.published == date(2023, 9, 12) and naive.published_at.utcoffset().total_seconds() == -4 * 3600
    # The site's timezone places times written without offset; a time with an offset keeps its day.
    in_site = parse_article("---\ntitle: T\ndate: 2023-09-12T23:30:00\n---\nx\n", CONTENT / "a.md", CONTENT, "Asia/Seoul")
    assert in_site.published == date(2023, 9, 12) and in_site.published_at.utcoffset().total_seconds() == 9 * 3600
    assert parse_article(text.format(""), CONTENT / "a.md", CONTENT, "Asia/Seoul").published == date(2023, 9, 12)
    with pytest.raises(ContentError) as caught:
        parse("---\ntitle: T\ndate: 2023-09-12\ntimezone: Mars/Olympus\n---\nx\n")
    assert caught.value.line == 4 and "Mars/Olympus" in caught.value.message


@pytest.mark.parametrize(
    "events, line, words",
    [
        ("events:\n  - title: No date\n", 6, "'date' is missing"),
        ("events:\n  - date: 2023-02-30\n    title: Bad day\n", 6, "2023-02-30"),
        ("events:\n  - date: 2023-09-13\n    title: Fine\n  - date: 2023-09-14\n", 8, "'title' is missing"),
        ("events:\n  - date: 2023\n    title: x\n    actor: [Russia]\n", 8, "unknown key 'actor'"),
        ("events:\n  - date: 2023\n    title: x\n    url: javascript:alert(1)\n", 8, "https://"),
        ("events: 2023\n", 5, "list of events"),
    ],
)
def test_front_matter_event_errors_name_their_line(events, line, words):
    with pytest.raises(ContentError) as caught:
        parse(f"---\ntitle: T\ndate: 2023-09-12\nsource: Desk\n{events}---\nBody.\n")
    assert caught.value.line == line and words in caught.value.message


def events_of(output: Path) -> list[dict]:
    return json.loads((output / "events.json").read_text())["events"]


ARTICLE = """---
title: Kim's train reaches Russia
date: 2023-09-12
source: Example Desk
url: https://example.org/train
events:
  - date: 2023-09-13
    title: Putin and Kim meet at the Vostochny Cosmodrome
    actors: [Russia, Kim Jong Un, Wagner Group]
  - date: 2019-04
    title: Kim's earlier visit to Vladivostok
    url: https://example.org/2019
---
Kim Jong Un's armoured train crossed the border into Russia on Tuesday.
"""

EVENTS_FILE = """# Events with no article of their own
- date: 2023-09-13
  title: Putin and Kim meet at the Vostochny Cosmodrome
  actors: [Russia, North Korea]
  sources:
    - title: Putin hosts Kim at the cosmodrome
      url: https://example.org/vostochny
      outlet: Example Wire
      published: 2023-09-13
    - title: Second report of the meeting
      outlet: Other Wire
- date: 2022-W08
  title: Week of talks on the border
  sources:
    - title: Border diary
"""


def test_hand_written_events_join_the_timeline_with_their_sources(site):
    site.add("train.md", ARTICLE)
    site.add("events.yaml", EVENTS_FILE)
    result = build_site(site.config())
    assert result.site_written and not result.problems, result.problems
    assert result.article_count == 1  # events.yaml is not an article
    assert not (site.output / "articles" / "events").exists()
    validate_events_json({"events": events_of(site.output)})
    events = {e["title"]: e for e in events_of(site.output)}

    earlier = events["Kim's earlier visit to Vladivostok"]
    assert (earlier["value"], earlier["precision"]) == ("2019-04", "month")
    (source,) = earlier["sources"]
    assert source["article"] == "train" and source["title"] == "Kim's train reaches Russia"
    assert source["url"] == "https://example.org/2019" and source["outlet"] == "Example Desk"
    assert (source["expression"], source["origin"], source["offset"]) == ("2019-04", "front matter", [0, 0])

    # The front matter event and the events file's event tell the same thing: one entry, three sources.
    summit = events["Putin and Kim meet at the Vostochny Cosmodrome"]
    assert summit["value"] == "2023-09-13"
    by_title = {s["title"]: s for s in summit["sources"]}
    assert set(by_title) == {"Kim's train reaches Russia", "Putin hosts Kim at the cosmodrome", "Second report of the meeting"}
    wire = by_title["Putin hosts Kim at the cosmodrome"]
    assert (wire["article"], wire["outlet"], wire["url"], wire["published"]) == ("events", "Example Wire", "https://example.org/vostochny", "2023-09-13")
    assert (wire["origin"], wire["offset"], wire["expression"]) == ("events file", [0, 0], "2023-09-13")
    assert by_title["Kim's train reaches Russia"]["origin"] == "front matter"
    assert summit["actors"] == ["Russia", "Kim Jong Un", "Wagner Group", "North Korea"]

    week = events["Week of talks on the border"]
    assert (week["precision"], week["start"], [s["title"] for s in week["sources"]]) == ("week", "2022-02-21", ["Border diary"])
    # The text's own event is there too, unchanged.
    crossing = next(e for e in events.values() if e["value"] == "2023-09-12")
    at = "Kim Jong Un's armoured train crossed the border into Russia on Tuesday.".index("Tuesday")
    assert crossing["sources"][0]["origin"] == "text" and crossing["sources"][0]["offset"] == [at, at + len("Tuesday")]

    # The timeline page cites a source of the events file by its own address; the actor gets a page.
    page = (site.output / "index.html").read_text()
    assert '<a href="https://example.org/vostochny" rel="noopener noreferrer">Putin hosts Kim at the cosmodrome</a>' in page
    assert (site.output / "actors" / "wagner-group" / "index.html").is_file()


def test_events_file_errors_name_file_and_line_and_keep_the_rest(site):
    site.add("events.yaml", EVENTS_FILE.replace("2022-W08", "2022-W99").replace("      published: 2023-09-13", "      published: yesterday"))
    result = build_site(site.config())
    errors = [(p.path, p.line) for p in result.errors]
    assert errors == [("content/events.yaml", 9), ("content/events.yaml", 12)], result.problems
    assert "yesterday" in result.errors[0].message and "2022-W99" in result.errors[1].message
    # The entries in error are left out, the site is built.
    assert result.site_written and events_of(site.output) == []

    site.add("events.yaml", "- date: 2023\n  title: [unclosed\n")
    (problem,) = build_site(site.config()).errors
    assert problem.path == "content/events.yaml" and problem.line == 2 and "YAML" in problem.message


def test_changing_the_events_file_rebuilds_the_site(site):
    site.add("train.md", ARTICLE)
    cache = ArticleCache()
    build_site(site.config(), cache)
    site.add("events.yaml", EVENTS_FILE)
    result = build_site(site.config(), cache)
    assert result.articles_tagged == 0 and result.pages_written > 0
    assert any(e["title"] == "Week of talks on the border" for e in events_of(site.output))
    (site.content / "events.yaml").unlink()
    build_site(site.config(), cache)
    assert not any(e["title"] == "Week of talks on the border" for e in events_of(site.output))
