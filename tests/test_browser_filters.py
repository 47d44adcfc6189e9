"""Filtering and searching the timeline page in headless Chromium; actor and year pages without JS."""

import json

import pytest

from test_exports import ARTICLES
from timeline.build import build_site

EXTRA = """---
title: Old sanctions
date: 2006-10-14
tags: [sanctions]
---
The Security Council adopted Resolution 1718 against North Korea on Oct. 14, 2006.
"""


@pytest.fixture
def output(site):
    for name, text in ARTICLES.items():
        site.add(name, text)
    site.add("sanctions.md", EXTRA)
    assert build_site(site.config()).site_written
    return site.output


def visible_ids(page) -> list[str]:
    return page.eval_on_selector_all("li.event", "els => els.filter(e => e.offsetParent !== null).map(e => e.id)")


def test_filter_by_actor_tag_year_and_search(output, page):
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    events = json.loads((output / "events.json").read_text())["events"]
    page.goto((output / "index.html").as_uri())
    form = page.locator("form.filters")
    assert form.is_visible()
    assert len(visible_ids(page)) == len(events)

    page.locator("select[name=actor]").select_option(label="UN Security Council")
    expected = [e["id"] for e in events if "UN Security Council" in e["actors"]]
    page.wait_for_function("n => document.querySelector('.filter-status').textContent.startsWith(n + ' of')", arg=len(expected))
    assert visible_ids(page) == expected and expected
    assert "actor=un-security-council" in page.url
    # The 2023 section has no Security Council entry here, so it is hidden as a whole.
    assert not page.locator("section#y-2023").is_visible()

    page.get_by_role("button", name="Clear").click()
    page.wait_for_function("document.querySelector('.filter-status').textContent === ''")
    assert len(visible_ids(page)) == len(events)

    # Keyboard: type into the search box, words are matched case-insensitively in any order.
    page.get_by_role("searchbox", name="Search").focus()
    page.keyboard.type("COSMODROME satellites")
    expected = [e["id"] for e in events if "cosmodrome" in " ".join(s["sentence"] for s in e["sources"]).lower()]
    page.wait_for_function("n => document.querySelector('.filter-status').textContent.startsWith(n + ' of')", arg=len(expected))
    assert visible_ids(page) == expected and len(expected) == 1

    page.get_by_role("searchbox", name="Search").fill("no such words anywhere")
    page.wait_for_function("document.querySelector('.no-match').hidden === false")
    assert visible_ids(page) == []

    page.get_by_role("searchbox", name="Search").fill("")
    page.locator("select[name=tag]").select_option(label="rail")
    page.locator("select[name=year]").select_option(label="2023")
    expected = [e["id"] for e in events if any(s["article"] == "train-b" for s in e["sources"])]
    page.wait_for_function("n => document.querySelector('.filter-status').textContent.startsWith(n + ' of')", arg=len(expected))
    assert visible_ids(page) == expected
    assert errors == []


def test_filters_restore_from_the_address(output, page):
    page.goto((output / "index.html").as_uri() + "?year=2006")
    page.wait_for_function("document.querySelector('.filter-status').textContent !== ''")
    assert [page.locator(f"#{i} time").first.get_attribute("datetime")[:4] for i in visible_ids(page)] == ["2006"]


def test_without_javascript_links_lead_to_actor_and_year_pages(output, browser):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        page.goto((output / "index.html").as_uri())
        assert not page.locator("form.filters").is_visible()
        page.locator("li.event a.actor", has_text="North Korea").first.click()
        page.wait_for_load_state()
        assert page.url.endswith("/actors/north-korea/index.html")
        assert page.locator("h1").inner_text() == "North Korea"
        assert page.locator("li.event").count() >= 1
        page.locator("li.event a.year-link").first.click()
        page.wait_for_load_state()
        assert page.url.endswith("/2006/index.html") and page.locator("h1").inner_text() == "2006"
    finally:
        context.close()
