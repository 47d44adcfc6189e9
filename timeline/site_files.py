"""The files a static host reads beside the pages: sitemap.xml, robots.txt, .nojekyll, CNAME.

Only the sitemap (and the robots.txt line naming it) holds absolute URLs, because the sitemap
protocol requires them; without a full base URL there is no sitemap.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Iterable, Iterator
from urllib.parse import quote

from timeline.config import SiteConfig

NOT_FOUND_PAGE = "404.html"
SITEMAP = "sitemap.xml"
SITEMAP_NS = "http://www.sitemaps.org/schemas/sitemap/0.9"
SITEMAP_MAX_URLS = 50_000  # per file, by the protocol; more pages get a sitemap index


def page_url(config: SiteConfig, page_path: str) -> str | None:
    """The public URL of a page, as a folder URL for index pages ("articles/x/")."""
    return config.absolute_url(quote(page_path.removesuffix("index.html")))


def is_listed_page(path: str) -> bool:
    """Pages a search engine should know about: every HTML page except the 404 page."""
    return path.endswith(".html") and path != NOT_FOUND_PAGE


def sitemap_files(config: SiteConfig, page_paths: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """(path, data) of sitemap.xml, split into parts under a sitemap index past the protocol's limit."""
    if config.absolute_url() is None:
        return
    urls = [page_url(config, path) for path in page_paths]
    if len(urls) <= SITEMAP_MAX_URLS:
        yield SITEMAP, _xml("urlset", "url", urls)
        return
    parts = []
    for number, start in enumerate(range(0, len(urls), SITEMAP_MAX_URLS), 1):
        name = f"sitemap-{number}.xml"
        parts.append(config.absolute_url(name))
        yield name, _xml("urlset", "url", urls[start : start + SITEMAP_MAX_URLS])
    yield SITEMAP, _xml("sitemapindex", "sitemap", parts)


def robots_txt(config: SiteConfig) -> bytes:
    lines = ["User-agent: *", "Disallow:"]
    sitemap = config.absolute_url(SITEMAP)
    if sitemap:
        lines += ["", f"Sitemap: {sitemap}"]
    return ("\n".join(lines) + "\n").encode()


def cname_file(config: SiteConfig) -> bytes | None:
    """GitHub Pages reads the custom domain from CNAME on branch deploys; Actions deploys ignore it."""
    return f"{config.cname}\n".encode() if config.cname else None


def _xml(root_tag: str, item_tag: str, locations: list[str]) -> bytes:
    root = ET.Element(root_tag, xmlns=SITEMAP_NS)
    for location in locations:
        ET.SubElement(ET.SubElement(root, item_tag), "loc").text = location
    ET.indent(root)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n").encode()
