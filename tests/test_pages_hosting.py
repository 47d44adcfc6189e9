"""The example site as GitHub Pages serves it: under /my-repo/, at the root of a host, and
opened from file://. Every internal link, stylesheet, script and image must load, in headless
Chromium and over plain HTTP, and a missing URL at any depth gets a styled 404 page."""

from __future__ import annotations

import shutil
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from conftest import REPO
from crawl import BrowserWatch, crawl_browser, crawl_http, http_get
from static_host import StaticHost
from timeline.build import build_site
from timeline.config import load_config
from timeline.site_files import SITEMAP_NS

PUBLIC = "https://example.github.io/my-repo/"
SERVINGS = {
    # name: (base URL given to the build, where the host serves the output)
    "project": (PUBLIC, "/my-repo/"),
    "root": ("", "/"),
}


@pytest.fixture(scope="module")
def outputs(tmp_path_factory):
    """The example site (content/) built once per base URL."""
    built: dict[str, Path] = {}

    def output(base_url: str) -> Path:
        if base_url not in built:
            root = tmp_path_factory.mktemp("site")
            shutil.copytree(REPO / "content", root / "content")
            result = build_site(load_config(root, base_url=base_url, today=date(2026, 11, 28)))
            assert result.site_written and not result.errors, [str(p) for p in result.problems]
            built[base_url] = root / "output"
        return built[base_url]

    return output


def html_pages(output: Path) -> set[str]:
    """Every page of the site (output-relative), the 404 page aside."""
    return {p.relative_to(output).as_posix() for p in output.rglob("*.html")} - {"404.html"}


def page_paths(urls, prefix: str) -> set[str]:
    """Output-relative files of visited page URLs ("" and folder URLs mean their index.html)."""
    paths = set()
    for url in urls:
        rel = url[len(prefix) :].split("#")[0]
        paths.add(rel + "index.html" if rel == "" or rel.endswith("/") else rel)
    return paths


@pytest.mark.parametrize("serving", SERVINGS)
def test_every_internal_reference_resolves_over_http(outputs, serving):
    base_url, mount = SERVINGS[serving]
    output = outputs(base_url)
    with StaticHost(output, mount) as host:
        report = crawl_http(host.url(), host.url(), public_base=base_url or None)
    assert report.failures == []
    assert page_paths(report.pages, host.url()) == html_pages(output)
    assert host.url("static/style.css") in report.resources
    assert report.references > 3 * len(report.pages)


def test_project_site_sitemap_and_robots_name_the_crawled_pages(outputs):
    output = outputs(PUBLIC)
    with StaticHost(output, "/my-repo/") as host:
        status, kind, body = http_get(host.url("sitemap.xml"))
        assert status == 200
        urlset = ET.fromstring(body)
        assert urlset.tag == f"{{{SITEMAP_NS}}}urlset"
        locations = [url.findtext(f"{{{SITEMAP_NS}}}loc") for url in urlset]
        assert all(loc.startswith(PUBLIC) for loc in locations)
        for loc in locations:
            status, kind, _ = http_get(host.url(loc[len(PUBLIC) :]))
            assert (status, kind) == (200, "text/html"), loc
        assert page_paths(locations, PUBLIC) == html_pages(output)

        status, _, robots = http_get(host.url("robots.txt"))
        assert status == 200
        assert f"Sitemap: {PUBLIC}sitemap.xml" in robots.decode().splitlines()


@pytest.mark.parametrize("serving", SERVINGS)
def test_every_internal_reference_loads_in_chromium(outputs, page, serving):
    base_url, mount = SERVINGS[serving]
    output = outputs(base_url)
    with StaticHost(output, mount) as host:
        report = crawl_browser(page, host.url(), host.url())
    assert report.failures == []
    assert page_paths(report.pages, host.url()) == html_pages(output)
    assert host.url("static/style.css") in report.resources


def test_site_opened_from_file_urls_in_chromium(outputs, page):
    # The project build: its links are page-relative, so the same files work from disk.
    output = outputs(PUBLIC)
    report = crawl_browser(page, (output / "index.html").as_uri(), output.as_uri() + "/")
    assert report.failures == []
    assert page_paths(report.pages, output.as_uri() + "/") == html_pages(output)
    assert (output / "static" / "style.css").as_uri() in report.resources


@pytest.mark.parametrize("serving", SERVINGS)
def test_missing_deep_url_gets_the_styled_404_page(outputs, page, serving):
    base_url, mount = SERVINGS[serving]
    with StaticHost(outputs(base_url), mount) as host:
        missing = host.url("a/b/c/missing")
        watch = BrowserWatch(page, expected_errors={missing})
        response = page.goto(missing, wait_until="load")
        assert response.status == 404
        assert page.locator("h1").inner_text() == "Page not found"
        # The stylesheet loaded from this depth and applies: the theme's body font and the header rule.
        assert page.evaluate("[...document.styleSheets].some(s => s.href && s.href.endsWith('/static/style.css'))")
        assert page.evaluate("getComputedStyle(document.body).fontFamily").startswith("Charter")
        assert page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") == "solid"
        assert watch.failures == []
        page.locator("a.home").click()
        page.wait_for_load_state()
        assert urlsplit(page.url).path == mount + "index.html"
        assert page.locator("h1").inner_text() == "Timeline"
        assert watch.failures == []


def test_folder_urls_and_misses_are_served_as_pages_serves_them(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("<p>a</p>")
    (tmp_path / "about.html").write_text("<p>about</p>")
    (tmp_path / "404.html").write_text("<p>missing</p>")
    with StaticHost(tmp_path, "/r/") as host:
        assert host.resolve("/r/a/") == (200, tmp_path / "a" / "index.html")
        assert host.resolve("/r/a") == (301, "/r/a/")
        assert host.resolve("/r") == (301, "/r/")
        assert host.resolve("/r/about") == (200, tmp_path / "about.html")
        assert host.resolve("/r/../r/x/y") == (404, tmp_path / "404.html")
        assert host.resolve("/elsewhere/") == (404, None)
        status, kind, body = http_get(host.url("x/y/z"))
        assert (status, body) == (404, b"<p>missing</p>")
