"""End to end: articles in a temporary site -> output/ with pages and events.json."""

import json
import shutil
from html.parser import HTMLParser
from urllib.parse import urljoin

import pytest

from conftest import REPO, SEED, needs_shared
from timeline.build import build_site

ISO_DAY = r"^\d{4}-\d{2}-\d{2}$"


class Page(HTMLParser):
    """The parts of a page the tests look at: links, ids, marked dates, times."""

    def __init__(self, text: str):
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()
        self.dates: list[tuple[str, str]] = []  # (href, text) of highlighted expressions
        self.times: list[str] = []
        self.title = ""
        self._in_date: str | None = None
        self._in_title = False
        self._date_text = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if "id" in a:
            self.ids.add(a["id"])
        if tag in ("a", "link") and a.get("href"):
            self.links.append(a["href"])
        if tag == "time":
            self.times.append(a.get("datetime", ""))
        if tag == "a" and "date" in (a.get("class") or "").split():
            self._in_date, self._date_text = a["href"], ""
        self._in_title = tag == "title"

    def handle_endtag(self, tag):
        if tag == "a" and self._in_date is not None:
            self.dates.append((self._in_date, self._date_text))
            self._in_date = None
        self._in_title = False

    def handle_data(self, data):
        if self._in_date is not None:
            self._date_text += data
        if self._in_title:
            self.title += data


def validate_events_json(document: dict) -> None:
    """The contract of events.json (README, "events.json")."""
    import re

    assert set(document) >= {"events"} and isinstance(document["events"], list)
    for event in document["events"]:
        assert isinstance(event["id"], str) and event["id"]
        assert isinstance(event["value"], str)
        assert re.match(ISO_DAY, event["start"]) and re.match(ISO_DAY, event["end"])
        assert event["start"] <= event["end"]
        assert event["precision"] in {"day", "week", "month", "season", "quarter", "year", "decade", "century"}
        assert isinstance(event["title"], str) and event["title"]
        assert event["sources"]
        for source in event["sources"]:
            assert isinstance(source["article"], str) and isinstance(source["title"], str)
            assert source["url"] is None or isinstance(source["url"], str)
            assert source["published"] is None or re.match(ISO_DAY, source["published"])
            assert isinstance(source["expression"], str) and isinstance(source["sentence"], str)
            start, end = source["offset"]
            assert isinstance(start, int) and isinstance(end, int)
            if source.get("origin", "text") in ("text", "override"):
                assert 0 <= start < end and source["expression"] in source["sentence"]
            else:  # written by hand: no place in an article's text
                assert (start, end) == (0, 0)


def test_seed_article_builds_a_dated_timeline(site):
    needs_shared(SEED)
    shutil.copy(SEED, site.content / SEED.name)
    result = build_site(site.config())
    assert not result.errors, result.problems
    notes = [str(p) for p in result.problems]
    assert any(
        'no date given; inferred 2023 from "Sunday, Sept. 10" (candidates 2017, 2023)' in n for n in notes
    ), notes

    document = json.loads((site.output / "events.json").read_text())
    validate_events_json(document)
    by_value = {}
    for event in document["events"]:
        for source in event["sources"]:
            by_value.setdefault(event["value"], []).append(source["expression"])
    assert "Sunday, Sept. 10" in by_value.get("2023-09-10", [])
    assert "2006" in by_value.get("2006", [])
    expressions = [s["expression"] for e in document["events"] for s in e["sources"]]
    for not_a_date in ("We", "now", "one-on-one", "10, and"):
        assert not_a_date not in expressions
    assert not any(e.lower().startswith("we") for e in expressions)

    page = Page((site.output / "articles" / SEED.stem / "index.html").read_text())
    marked = dict((text, href) for href, text in page.dates)
    assert "Sunday, Sept. 10" in marked and "2006" in marked
    index = Page((site.output / "index.html").read_text())
    for href in marked.values():
        assert href.startswith("../../index.html#")
        assert href.split("#")[1] in index.ids


def test_example_site_builds_with_working_links(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    from timeline.config import load_config

    result = build_site(load_config(tmp_path))
    assert not result.errors, result.problems
    output = tmp_path / "output"
    validate_events_json(json.loads((output / "events.json").read_text()))
    # 404.html is served at any depth, so its links start from the base path (tests/test_site_files.py).
    pages = sorted(p for p in output.rglob("*.html") if p.name != "404.html")
    assert len(list(output.glob("articles/*/index.html"))) == len(list((tmp_path / "content").iterdir()))
    assert (output / "actors" / "north-korea" / "index.html") in pages and (output / "2023" / "index.html") in pages
    for page_file in pages:
        page = Page(page_file.read_text())
        assert page.title
        for link in page.links:
            if "://" in link or link.startswith(("mailto:", "#")):
                continue
            target, _, fragment = link.partition("#")
            resolved = (page_file.parent / target).resolve()
            assert resolved.is_file(), f"{page_file.relative_to(output)} links to missing {link}"
            assert not link.startswith("/"), f"{link} is not page-relative"
            if fragment:
                assert fragment in Page(resolved.read_text()).ids, link
        for datetime_value in page.times:
            assert datetime_value


def test_events_sorted_chronologically_with_mixed_precision(tmp_path):
    shutil.copytree(REPO / "content", tmp_path / "content")
    from timeline.config import load_config

    build_site(load_config(tmp_path))
    events = json.loads((tmp_path / "output" / "events.json").read_text())["events"]
    rank = {p: i for i, p in enumerate(["century", "decade", "year", "half", "season", "quarter", "month", "week", "day"])}
    keys = [(e["start"], rank[e["precision"]]) for e in events]
    assert keys == sorted(keys)
    values = {e["value"] for e in events}
    assert {"2006-10-09", "2006-10-14", "2023-09-10", "2023-09-13", "2000-07"} <= values


def test_bad_article_is_reported_and_others_still_build(site):
    site.add("good.md", "---\ntitle: Good\ndate: 2023-09-13\n---\nThe talks took place on Sept. 13, 2023.")
    site.add("broken.md", "---\ntitle: [oops\ndate: 2023-09-13\n---\nText")
    result = build_site(site.config())
    assert len(result.errors) == 1
    error = result.errors[0]
    assert (error.path, error.line) == ("content/broken.md", 3) and "flow sequence opened at line 2" in error.message
    assert (site.output / "articles" / "good" / "index.html").is_file()
    assert not (site.output / "articles" / "broken").exists()


def test_template_error_keeps_previous_site(site):
    site.add("a.md", "---\ntitle: A\ndate: 2023-09-13\n---\nOn Sept. 13, 2023 it happened.")
    assert build_site(site.config()).site_written
    before = (site.output / "index.html").read_bytes()
    theme = site.root / "mytheme" / "templates"
    theme.mkdir(parents=True)
    (theme / "index.html").write_text("{% extends 'base.html' %}\n{% block main %}{% if %}{% endblock %}")
    (site.root / "timeline.toml").write_text('theme = "mytheme"\n')
    result = build_site(site.config())
    assert not result.site_written
    assert result.errors[0].path.endswith("index.html") and result.errors[0].line == 2
    assert (site.output / "index.html").read_bytes() == before


class EntryPart(HTMLParser):
    """The links (as absolute URLs) and the text of one entry (``li`` with its id) of a page."""

    def __init__(self, text: str, entry_id: str, page_url: str):
        super().__init__()
        self.entry_id, self.page_url = entry_id, page_url
        self.depth = 0  # open elements inside the entry (0: outside it)
        self.links: list[str] = []
        self.text = ""
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.depth == 0 and tag == "li" and a.get("id") == self.entry_id:
            self.depth = 1
        elif self.depth:
            self.depth += 1
            if tag == "a":
                self.links.append(urljoin(self.page_url, a["href"]))

    def handle_endtag(self, tag):
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.depth:
            self.text += data


def test_an_entry_on_the_timeline_year_and_actor_pages_links_from_each_page(site):
    """An entry's HTML is made once a build for the timeline, its year's page and its actors'
    pages: each page has it with links that lead, from that page, to the same places."""
    for name, outlet in (("a", "Wire"), ("b", "Paper")):
        site.add(f"{name}.md", f"---\ntitle: Talks {name}\ndate: 2006-10-10\nsource: {outlet}\ntags: [talks]\n---\n"
                 "North Korea said on Monday, Oct. 9, 2006, that it had tested a nuclear device.\n")
    site.add("c.md", "---\ntitle: Other\ndate: 2006-11-02\n---\nJapan said on Nov. 1, 2006, that it would tighten sanctions.\n")
    assert build_site(site.config()).site_written
    output = site.output
    events = json.loads((output / "events.json").read_text())["events"]
    entry = next(e for e in events if e["value"] == "2006-10-09")
    untagged = next(e for e in events if e["value"] == "2006-11-01")
    base = "https://example.org/site/"
    for shown in (entry, untagged):
        on_timeline = EntryPart((output / "index.html").read_text(), shown["id"], base + "index.html")
        actor_pages = [link.removeprefix(base) for link in on_timeline.links if "/actors/" in link]
        assert len(actor_pages) == len(shown["actors"]) > 0
        parts = []
        for page in ("index.html", "2006/index.html", *actor_pages):
            part = EntryPart((output / page).read_text(), shown["id"], base + page)
            assert part.links and part.text.strip(), page
            parts.append(part)
        for part in parts[1:]:
            assert part.text.replace("talks", "") == parts[0].text.replace("talks", "")  # the timeline shows tags
            assert part.links == parts[0].links
        for link in parts[0].links:
            assert (output / link.removeprefix(base).partition("#")[0]).is_file(), link


def test_user_theme_overrides_file_by_file(site):
    site.add("a.md", "---\ntitle: A\ndate: 2023-09-13\n---\nOn Sept. 13, 2023 it happened.")
    theme = site.root / "mytheme"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "templates" / "article.html").write_text("<!doctype html><title>{{ article.title }}</title><p class=custom>{{ body | safe }}</p>")
    (theme / "static" / "extra.css").write_text("p{}")
    (site.root / "timeline.toml").write_text('title = "My site"\ntheme = "mytheme"\n')
    result = build_site(site.config())
    assert result.site_written
    assert 'class=custom' in (site.output / "articles" / "a" / "index.html").read_text()
    assert "My site" in (site.output / "index.html").read_text()  # default index.html still used
    assert (site.output / "static" / "extra.css").is_file() and (site.output / "static" / "style.css").is_file()


@pytest.mark.parametrize("bad", [".", "content"])
def test_output_folder_that_would_destroy_sources_is_refused(site, bad):
    site.add("a.md", "---\ntitle: A\n---\ntext")
    result = build_site(site.config(output=site.root / bad))
    assert not result.site_written
    assert "refusing" in str(result.errors[-1]) or "contains" in str(result.errors[-1])
    assert (site.content / "a.md").is_file()


def test_cache_retags_only_changed_articles(site, monkeypatch):
    from timeline import tagging as tagging_module
    from timeline.build import ArticleCache

    site.add("a.md", "---\ntitle: A\ndate: 2023-09-13\n---\nThe talks were held on Sept. 13, 2023.")
    site.add("b.md", "---\ntitle: B\ndate: 2006-10-14\n---\nThe vote came on Saturday.")
    cache = ArticleCache()
    build_site(site.config(), cache)
    tagged: list[str] = []
    real = tagging_module.date_article
    monkeypatch.setattr(tagging_module, "date_article", lambda a, *rest: tagged.append(a.slug) or real(a, *rest))
    monkeypatch.setattr(tagging_module, "FORK_FEW", False)  # tagged in this process, to be counted
    build_site(site.config(), cache)
    assert tagged == []
    site.add("b.md", "---\ntitle: B\ndate: 2006-10-14\n---\nThe vote came on Friday.")
    result = build_site(site.config(), cache)
    assert tagged == ["b"]
    assert "2006-10-13" in {e.value for e in result.timeline.entries}
    (site.content / "a.md").unlink()
    assert [d.article.slug for d in build_site(site.config(), cache).articles] == ["b"]
