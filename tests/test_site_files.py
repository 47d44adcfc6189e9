"""The files beside the pages (404.html, sitemap.xml, robots.txt, .nojekyll, CNAME), Open Graph
tags, where absolute URLs may appear, and two pages claiming one output path."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from html.parser import HTMLParser
from pathlib import Path

import pytest

from timeline import render
from timeline.build import build_site
from timeline.config import ConfigError
from timeline.output import OutputError, write_site
from timeline.render import OutputFile
from timeline.site_files import SITEMAP_NS, sitemap_files

ARTICLE = """---
title: Talks resume in Geneva
date: 2024-03-12
---
Negotiators met again in Geneva on Monday, 11 March 2024, after a pause of three months.
"""
NS = {"s": SITEMAP_NS}


class Head(HTMLParser):
    """Every URL-valued attribute of a page, and its Open Graph properties."""

    def __init__(self, text: str):
        super().__init__()
        self.urls: list[tuple[str, str, str]] = []  # (tag, rel or attribute, url)
        self.og: dict[str, str] = {}
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        for attr in ("href", "src"):
            if a.get(attr):
                self.urls.append((tag, a.get("rel") or attr, a[attr]))
        if tag == "meta" and (a.get("property") or "").startswith("og:"):
            self.og[a["property"]] = a.get("content", "")


def built(site, **config) -> Path:
    site.add("talks.md", ARTICLE)
    result = build_site(site.config(**config))
    assert result.site_written, [str(p) for p in result.problems]
    return site.output


def test_absolute_urls_only_in_canonical_and_open_graph(site):
    output = built(site, base_url="https://example.github.io/my-repo/")
    for page, canonical in [
        ("index.html", "https://example.github.io/my-repo/"),
        ("articles/talks/index.html", "https://example.github.io/my-repo/articles/talks/"),
    ]:
        head = Head((output / page).read_text())
        absolute = [(tag, rel, url) for tag, rel, url in head.urls if url.startswith(("/", "http:", "https:"))]
        # Links to the original articles leave the site; nothing else of ours is absolute.
        assert [u for u in absolute if "example.github.io" in u[2] or u[2].startswith("/")] == [("link", "canonical", canonical)]
        assert head.og["og:url"] == canonical
        assert head.og["og:site_name"] == "Timeline"
    article = Head((output / "articles/talks/index.html").read_text())
    assert article.og["og:type"] == "article" and article.og["og:title"] == "Talks resume in Geneva"
    assert Head((output / "index.html").read_text()).og["og:type"] == "website"


def test_without_a_full_base_url_there_is_no_canonical_og_or_sitemap(site):
    output = built(site, base_url="/my-repo/")
    head = Head((output / "index.html").read_text())
    assert head.og == {} and all(rel != "canonical" for _, rel, _ in head.urls)
    assert not (output / "sitemap.xml").exists()
    assert "Sitemap" not in (output / "robots.txt").read_text()
    # The 404 page still starts its links from the base path.
    not_found = Head((output / "404.html").read_text())
    assert ("link", "stylesheet", "/my-repo/static/style.css") in not_found.urls
    assert all(url.startswith("/my-repo/") or url.startswith("#") for _, _, url in not_found.urls)


def test_404_page_at_the_root_of_a_host(site):
    output = built(site)
    not_found = Head((output / "404.html").read_text())
    assert ("link", "stylesheet", "/static/style.css") in not_found.urls
    assert not any(rel == "canonical" for _, rel, _ in not_found.urls)


def test_sitemap_follows_the_protocol(site):
    output = built(site, base_url="https://example.github.io/my-repo")  # no trailing slash, as Actions gives it
    tree = ET.parse(output / "sitemap.xml")
    root = tree.getroot()
    assert root.tag == f"{{{SITEMAP_NS}}}urlset"
    assert (output / "sitemap.xml").read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    locations = []
    for url in root:
        assert url.tag == f"{{{SITEMAP_NS}}}url"
        assert [child.tag for child in url] == [f"{{{SITEMAP_NS}}}loc"]
        locations.append(url.findtext("s:loc", namespaces=NS))
    assert locations == ["https://example.github.io/my-repo/", "https://example.github.io/my-repo/articles/talks/"]
    assert all(len(loc) < 2048 for loc in locations)
    robots = (output / "robots.txt").read_text().splitlines()
    assert robots[:2] == ["User-agent: *", "Disallow:"]
    assert "Sitemap: https://example.github.io/my-repo/sitemap.xml" in robots


def test_large_sites_get_a_sitemap_index(site, monkeypatch):
    from timeline import site_files

    monkeypatch.setattr(site_files, "SITEMAP_MAX_URLS", 2)
    config = site.config(base_url="https://example.org/")
    files = dict(sitemap_files(config, ["index.html", "a/index.html", "b/index.html", "c.html", "d/index.html"]))
    assert sorted(files) == ["sitemap-1.xml", "sitemap-2.xml", "sitemap-3.xml", "sitemap.xml"]
    index = ET.fromstring(files["sitemap.xml"])
    assert index.tag == f"{{{SITEMAP_NS}}}sitemapindex"
    parts = [loc.text for loc in index.iterfind("s:sitemap/s:loc", NS)]
    assert parts == [f"https://example.org/sitemap-{n}.xml" for n in (1, 2, 3)]
    listed = [loc.text for n in (1, 2, 3) for loc in ET.fromstring(files[f"sitemap-{n}.xml"]).iterfind("s:url/s:loc", NS)]
    assert listed == ["https://example.org/", "https://example.org/a/", "https://example.org/b/", "https://example.org/c.html", "https://example.org/d/"]


def test_nojekyll_always_and_cname_when_configured(site):
    output = built(site)
    assert (output / ".nojekyll").read_bytes() == b""
    assert not (output / "CNAME").exists()
    (site.root / "timeline.toml").write_text('cname = "timeline.example.org"\n')
    output = built(site)
    assert (output / "CNAME").read_text() == "timeline.example.org\n"


@pytest.mark.parametrize("bad", ["https://timeline.example.org", "timeline.example.org/news", "localhost", "-x.example.org"])
def test_cname_must_be_a_bare_domain(site, bad):
    (site.root / "timeline.toml").write_text(f'cname = "{bad}"\n')
    with pytest.raises(ConfigError, match="timeline.toml: 'cname' must be a bare domain name"):
        site.config()


def test_two_files_for_one_path_name_both_sources(tmp_path):
    files = [OutputFile("articles/a/index.html", b"1", "content/a.md"), OutputFile("articles/a/index.html", b"2", "template about.html")]
    with pytest.raises(OutputError) as raised:
        write_site(tmp_path / "output", files)
    assert str(raised.value) == (
        "two files would be written to articles/a/index.html: from content/a.md and from template about.html; rename one of them"
    )
    assert not (tmp_path / "output").exists()


def test_a_fixed_page_colliding_with_an_article_is_an_error_and_keeps_the_last_site(site, monkeypatch):
    output = built(site)
    before = (output / "index.html").read_bytes()

    def fixed_page(renderer, _site):  # a page kind whose path happens to be an article's
        yield renderer.page("404.html", "articles/talks/index.html")

    monkeypatch.setattr(render, "PRODUCERS", render.PRODUCERS + (fixed_page,))
    site.add("more.md", ARTICLE.replace("Talks resume", "More talks"))
    result = build_site(site.config())
    assert not result.site_written
    (problem,) = result.errors
    assert "articles/talks/index.html: from content/talks.md and from template 404.html" in problem.message
    assert (output / "index.html").read_bytes() == before
    assert not (output / "articles" / "more").exists()
