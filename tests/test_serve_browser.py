"""Live preview in headless Chromium: saves reload the page, errors show over it, stylesheets swap
in place."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from preview_host import article, running_preview

WAIT_MS = 15_000


@pytest.fixture
def running(tmp_path: Path):
    content = tmp_path / "content"
    content.mkdir()
    (content / "a.md").write_text(article("Alpha", "2006-10-14", "The Security Council voted in Geneva on Saturday."))
    (content / "b.md").write_text(article("Beta", "2023-09-12", "Kim left Pyongyang on Sunday, Sept. 10."))
    theme = tmp_path / "mytheme" / "static"
    theme.mkdir(parents=True)
    (theme / "style.css").write_text((_default_css()) + "\nbody { background-color: rgb(255, 255, 255); }\n")
    (tmp_path / "timeline.toml").write_text('title = "Browser preview"\nbase_url = "/my-repo/"\ntheme = "mytheme"\n')
    with running_preview(tmp_path) as preview:
        yield preview


def _default_css() -> str:
    from timeline.theme_files import DEFAULT_THEME

    return (DEFAULT_THEME / "static" / "style.css").read_text()


def body_text(page) -> str:
    return page.evaluate("() => document.body.innerText")


def wait_for_text(page, text: str) -> None:
    page.wait_for_function("t => document.body.innerText.includes(t)", arg=text, timeout=WAIT_MS)


def test_saving_an_article_reloads_the_page_in_place_and_by_atomic_rename(page, running):
    page.goto(running.url())
    assert "Geneva" in body_text(page)
    page.evaluate("() => { window.__marker = 'before' }")

    a = running.root / "content" / "a.md"
    a.write_text(article("Alpha", "2006-10-14", "The Security Council voted in Geneva on Saturday. Envoys met in Zanzibar on Nov. 3, 2006."))
    wait_for_text(page, "Zanzibar")
    assert page.evaluate("() => window.__marker") is None  # a reload, not a patch
    assert page.url == running.url()

    # The way many editors save: write a temporary file, rename it over the article.
    page.evaluate("() => { window.__marker = 'before' }")
    temporary = a.with_name("a.md.tmp")
    temporary.write_text(article("Alpha", "2006-10-14", "The Security Council voted in Geneva on Saturday. Envoys met in Lusaka on Nov. 3, 2006."))
    os.replace(temporary, a)
    wait_for_text(page, "Lusaka")
    assert "Zanzibar" not in body_text(page) and page.evaluate("() => window.__marker") is None


def test_broken_front_matter_shows_an_overlay_until_fixed(page, running):
    page.goto(running.url("articles/a/"))
    assert "Geneva" in body_text(page)
    a = running.root / "content" / "a.md"
    a.write_text("---\ntitle: Alpha\ndate: 2006-10-14\ntags: [unclosed\n---\nThe Security Council voted in Geneva on Saturday.\n")
    problem = page.locator("timeline-build-problems li")
    problem.wait_for(timeout=WAIT_MS)
    text = problem.inner_text()
    assert text.startswith("content/a.md:4") and "YAML" in text
    assert "last good site" in page.locator("timeline-build-problems strong").inner_text()
    assert "Geneva" in body_text(page)  # the last good page, underneath

    a.write_text(article("Alpha", "2006-10-14", "The Security Council voted in Geneva on Saturday. Envoys met in Zanzibar on Nov. 3, 2006."))
    wait_for_text(page, "Zanzibar")
    assert page.locator("timeline-build-problems").count() == 0


def test_stylesheet_change_applies_without_navigation(page, running):
    page.goto(running.url())
    background = "() => getComputedStyle(document.body).backgroundColor"
    assert page.evaluate(background) == "rgb(255, 255, 255)"
    page.evaluate("() => { window.__marker = 'still here' }")
    css = running.root / "mytheme" / "static" / "style.css"
    css.write_text(_default_css() + "\nbody { background-color: rgb(10, 20, 30); }\n")
    page.wait_for_function(f"() => ({background})() === 'rgb(10, 20, 30)'", timeout=WAIT_MS)
    assert page.evaluate("() => window.__marker") == "still here"
    hrefs = page.evaluate("() => [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.getAttribute('href'))")
    assert len(hrefs) == 1 and "timeline-build=2" in hrefs[0]


def test_a_long_rebuild_is_announced_on_the_page(page, running, monkeypatch):
    from timeline.serve import builder as builder_module

    real = builder_module.build_site

    def slow(*args, **kwargs):
        time.sleep(1.5)
        return real(*args, **kwargs)

    monkeypatch.setattr(builder_module, "build_site", slow)
    page.goto(running.url())
    (running.root / "content" / "a.md").write_text(article("Alpha", "2006-10-14", "Envoys met in Zanzibar on Nov. 3, 2006."))
    badge = page.locator("timeline-building div")
    badge.wait_for(timeout=WAIT_MS)
    assert badge.inner_text() == "Rebuilding\u2026"
    wait_for_text(page, "Zanzibar")
    assert page.locator("timeline-building").count() == 0
