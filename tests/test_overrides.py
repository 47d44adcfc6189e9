"""Inline date overrides: [text](date:VALUE), [text](date:none), and ignore_dates in front matter."""

import json
from datetime import date
from html.parser import HTMLParser
from pathlib import Path

from test_cli import run

from timeline.articles import parse_article
from timeline.build import build_site
from timeline.dating import date_article
from timeline.document import from_markdown, from_plain_text
from timeline.events import extract_events

TODAY = date(2026, 1, 1)


def dated(text: str, name: str = "a.md"):
    article = parse_article(text, Path("/site/content") / name, Path("/site/content"))
    return date_article(article, TODAY, f"content/{name}")


def values(d) -> dict[str, str]:
    return {t.text: t.value for t in d.timexes}


ARTICLE = """---
title: Kim goes to Russia
date: 2023-09-12
---
North Korean media said Kim left Pyongyang on [Sunday](date:2023-09-03), aboard his train.
The [1718](date:none) committee of the council was set up in October 2006.
Putin and Kim will meet at [the summit](date:2023-09-13) in the Amur region.
"""


def test_value_none_and_undetected_phrase():
    d = dated(ARTICLE)
    found = values(d)
    # The tagger reads "Sunday" as 2023-09-10 (the last Sunday); the override says otherwise.
    assert found["Sunday"] == "2023-09-03"
    assert "1718" not in found and found["October 2006"] == "2006-10"
    assert found["the summit"] == "2023-09-13"  # a phrase no tagger would date
    overridden = {t.text for t in d.timexes if d.is_override(t)}
    assert overridden == {"Sunday", "the summit"}
    # The plain text holds the bracketed text alone, and offsets point at it.
    assert "](date:" not in d.document.text and "[" not in d.document.text
    for t in d.timexes:
        assert d.document.text[t.start : t.end] == t.text
    assert d.notes == ()


def test_override_replaces_every_expression_it_overlaps():
    d = dated("---\ntitle: T\ndate: 2023-09-12\n---\nKim left on [Sunday](date:2023-09-03), Sept. 10, by train.\n")
    assert [(t.text, t.value) for t in d.timexes] == [("Sunday", "2023-09-03")]


def test_override_values_at_every_precision():
    body = " ".join(
        f"Event {i} happened [then](date:{value})." for i, value in enumerate(["2023-09-10", "2023-09", "2023", "2023-W37", "2023-Q1", "2023-SU", "199"])
    )
    d = dated(f"---\ntitle: T\ndate: 2023-09-12\n---\n{body}\n")
    assert [t.value for t in d.timexes] == ["2023-09-10", "2023-09", "2023", "2023-W37", "2023-Q1", "2023-SU", "199"]
    events = extract_events(d)
    assert [e.span.precision for e in events] == ["day", "month", "year", "week", "quarter", "season", "decade"]
    assert {e.mention.origin for e in events} == {"override"}


def test_invalid_value_is_an_error_naming_file_line_and_column():
    d = dated("---\ntitle: T\ndate: 2023-09-12\n---\nFirst line.\nKim left on [Sunday](date:2023-9-10) by train.\n")
    errors = [n for n in d.notes if n.severity == "error"]
    assert len(errors) == 1
    assert (errors[0].path, errors[0].line, errors[0].column) == ("content/a.md", 6, 13)
    assert "2023-9-10" in errors[0].message and "YYYY-MM-DD" in errors[0].message
    # The article is kept; the text reads as written, without the syntax.
    assert "Kim left on Sunday by train." in d.document.text


def test_none_that_matches_nothing_is_reported():
    d = dated("---\ntitle: T\ndate: 2023-09-12\n---\nThe [vote](date:none) passed.\n")
    (note,) = d.notes
    assert (note.severity, note.kind, note.line, note.column) == ("warning", "unused-override", 5, 5)


def test_code_keeps_the_syntax_literally():
    d = dated("---\ntitle: T\ndate: 2023-09-12\n---\nWrite `[Sunday](date:2023-09-10)` to fix a date.\n")
    assert "[Sunday](date:2023-09-10)" in d.document.text
    assert d.document.overrides == () and d.overridden == ()


def test_overrides_in_plain_text_articles():
    d = dated("Kim's trip\n\nHe left on [Sunday](date:2023-09-03) and [1718](date:none) stands.\n", "a.txt")
    assert values(d) == {"Sunday": "2023-09-03"}
    (override, _) = d.document.overrides
    assert (d.article.body_line + override.line - 1, override.column) == (3, 12)  # line 3 of the file


def test_ignore_dates():
    text = """---
title: T
date: 2023-09-12
ignore_dates: ["october 2006", Tuesday]
---
The vote came in October 2006. Talks began on Tuesday, and again in May 2023.
"""
    d = dated(text)
    assert values(d) == {"May 2023": "2023-05"}
    d = dated(text.replace("Tuesday]", "Tuesday, Friday]"))
    (note,) = d.notes
    assert (note.kind, note.line) == ("unused-override", 4) and '"Friday"' in note.message


def test_markers_never_leak():
    # Private-use characters in a source cannot pose as override markers.
    doc = from_markdown("A \ue000\U000F0000odd\ue001 text and [a date](date:2020).")
    assert "\ue000" not in doc.text and "\ue000" not in doc.html
    assert [(o.text, o.value) for o in doc.overrides] == [("a date", "2020")]
    doc = from_markdown("![photo of [Sunday](date:2023-09-10)](x.png) and text.")
    assert "\ue000" not in doc.html and "date:" not in doc.html
    assert from_plain_text("no overrides here").overrides == ()


class _Page(HTMLParser):
    """Links and text of an article page's body."""

    def __init__(self):
        super().__init__()
        self.in_body = 0
        self.links: list[dict] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "div" and attrs.get("class") == "article-body":
            self.in_body = 1
        elif self.in_body:
            self.in_body += tag == "div"
            if tag == "a":
                self.links.append(attrs)

    def handle_endtag(self, tag):
        if self.in_body and tag == "div":
            self.in_body -= 1

    def handle_data(self, data):
        if self.in_body:
            self.text.append(data)


def test_article_page_shows_no_trace_of_the_syntax(site):
    site.add("kim.md", ARTICLE)
    result = build_site(site.config())
    assert result.site_written and not result.errors, result.problems
    page = _Page()
    page.feed((site.output / "articles" / "kim" / "index.html").read_text())
    text = " ".join("".join(page.text).split())
    assert "Kim left Pyongyang on Sunday, aboard his train." in text
    assert "The 1718 committee of the council" in text and "will meet at the summit in the Amur region" in text
    assert "date:" not in text and "[" not in text and "](" not in text
    # Every link is an ordinary date link to the timeline; none comes from the override syntax.
    assert page.links and all(link["href"].startswith("../../index.html#e-") for link in page.links)
    events = json.loads((site.output / "events.json").read_text())["events"]
    sunday = next(e for e in events if e["value"] == "2023-09-03")
    (source,) = sunday["sources"]
    assert (source["expression"], source["origin"]) == ("Sunday", "override")
    assert not any(s["expression"] == "1718" for e in events for s in e["sources"])
    assert any(link["href"].endswith("#" + sunday["id"]) for link in page.links)


def test_extract_reports_overrides(tmp_path):
    path = tmp_path / "kim.md"
    path.write_text(ARTICLE)
    done = run("extract", str(path), "--json")
    assert done.returncode == 0, done.stderr
    found = json.loads(done.stdout)
    for item in found:
        assert {"start", "end", "text", "type", "value"} <= set(item)
    by_text = {item["text"]: item for item in found}
    assert by_text["Sunday"]["override"] is True and by_text["Sunday"]["value"] == "2023-09-03"
    assert by_text["the summit"]["override"] is True
    assert by_text["October 2006"]["override"] is False
    assert "1718" not in by_text
    plain = run("extract", str(path)).stdout
    assert "(override)" in next(line for line in plain.splitlines() if "Sunday" in line)
