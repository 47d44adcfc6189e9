"""The built example site, looked at in headless Chromium."""

import shutil

from conftest import REPO
from timeline.build import build_site
from timeline.config import load_config


def test_index_renders_and_date_links_land_on_entries(tmp_path, page):
    shutil.copytree(REPO / "content", tmp_path / "content")
    assert build_site(load_config(tmp_path)).site_written
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("requestfailed", lambda r: errors.append(r.url))
    page.goto((tmp_path / "output" / "index.html").as_uri())
    assert page.locator("h1").inner_text() == "Timeline"
    assert page.locator("li.event").count() >= 5
    # The stylesheet is applied (custom properties resolve to the theme's colours).
    assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("Charter")
    page.locator(".article-list a").first.click()
    page.wait_for_load_state()
    first_date = page.locator("a.date").first
    first_date.click()
    page.wait_for_load_state()
    assert page.url.split("#")[0].endswith("/output/index.html")
    target = page.url.split("#")[1]
    assert page.evaluate("id => document.getElementById(id) !== null", target)
    assert errors == []
