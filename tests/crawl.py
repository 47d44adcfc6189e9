"""Crawl a built site from its index and check every internal reference: over plain HTTP
(parsing the HTML) and in headless Chromium (what a visitor's browser actually loads)."""

from __future__ import annotations

import urllib.error
import urllib.request
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urldefrag, urljoin, urlsplit
from urllib.request import url2pathname

# The references a page makes: (tag, attribute) pairs whose value is a URL.
URL_ATTRIBUTES = {("a", "href"), ("link", "href"), ("script", "src"), ("img", "src"), ("source", "src")}


@dataclass
class CrawlReport:
    pages: list[str] = field(default_factory=list)  # HTML pages visited
    resources: set[str] = field(default_factory=set)  # other internal files fetched
    references: int = 0  # internal references checked (links, stylesheets, scripts, images, fragments)
    external: int = 0  # references that leave the site (not followed)
    failures: list[str] = field(default_factory=list)


class PageRefs(HTMLParser):
    """The URLs a page refers to (with Open Graph's og:url) and the ids it defines."""

    def __init__(self, text: str):
        super().__init__(convert_charrefs=True)
        self.refs: list[tuple[str, str]] = []  # (what, url)
        self.ids: set[str] = set()
        self.feed(text)

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if a.get("id"):
            self.ids.add(a["id"])
        for t, attr in URL_ATTRIBUTES:
            if tag == t and a.get(attr):
                what = f"{tag}[{a.get('rel', '')}]" if tag == "link" else tag
                self.refs.append((what, a[attr]))
        if tag == "meta" and a.get("property") == "og:url":
            self.refs.append(("og:url", a.get("content", "")))


def page_key(url: str) -> str:
    """A folder URL and its index.html are the same page."""
    return url + "index.html" if url.endswith("/") else url


def http_get(url: str) -> tuple[int, str, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, response.headers.get_content_type(), response.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers.get_content_type(), e.read()


def crawl_http(start: str, site_prefix: str, public_base: str | None = None) -> CrawlReport:
    """Fetch ``start`` and everything internal it leads to. URLs under ``public_base`` (the
    configured base URL, as in canonical links) stand for the same paths under ``site_prefix``."""
    report = CrawlReport()
    fetched: dict[str, tuple[int, str, bytes]] = {}
    ids: dict[str, set[str]] = {}

    def local(url: str) -> str:
        if public_base and url.startswith(public_base):
            return site_prefix + url[len(public_base) :]
        return url

    def get(url: str) -> tuple[int, str, bytes]:
        if url not in fetched:
            fetched[url] = http_get(url)
            status, kind, body = fetched[url]
            if status == 200 and kind == "text/html":
                ids[url] = PageRefs(body.decode()).ids
        return fetched[url]

    queue = [start]
    visited: set[str] = set()
    while queue:
        page_url = queue.pop(0)
        if page_key(page_url) in visited:
            continue
        visited.add(page_key(page_url))
        status, kind, body = get(page_url)
        if status != 200 or kind != "text/html":
            report.failures.append(f"{page_url}: HTTP {status} {kind}")
            continue
        report.pages.append(page_url)
        for what, ref in PageRefs(body.decode()).refs:
            target, fragment = urldefrag(local(urljoin(page_url, ref)))
            if not target.startswith(site_prefix):
                report.external += 1
                continue
            report.references += 1
            status, kind, _ = get(target)
            if status != 200:
                report.failures.append(f"{page_url}: {what} {ref} -> HTTP {status}")
                continue
            if kind == "text/html":
                queue.append(target)
                if fragment and fragment not in ids[target]:
                    report.failures.append(f"{page_url}: {what} {ref} -> no element #{fragment}")
            else:
                report.resources.add(target)
    return report


_PAGE_FACTS = """() => ({
  refs: [...document.querySelectorAll('a[href], link[href], script[src], img[src]')]
        .map(e => [e.tagName.toLowerCase(), e.href || e.src]),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id),
  sheets: [...document.querySelectorAll('link[rel~=stylesheet]')].map(l => [l.href, l.sheet !== null]),
  images: [...document.images].map(i => [i.src, i.complete && i.naturalWidth > 0]),
})"""


class BrowserWatch:
    """Failed requests, HTTP errors, console errors and uncaught exceptions of a page."""

    def __init__(self, page, expected_errors: set[str] = frozenset()):
        self.failures: list[str] = []
        self.expected = expected_errors  # URLs whose error status is the point (a 404 page)
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)
        page.on("console", self._console)
        page.on("pageerror", lambda e: self.failures.append(f"page error: {e}"))

    def _request_failed(self, request) -> None:
        # ERR_ABORTED: the browser cancelled a request still running (a favicon) when the crawl
        # moved to the next page; the crawl requests every such file itself.
        if "ERR_ABORTED" not in (request.failure or ""):
            self.failures.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response) -> None:
        if response.status >= 400 and response.url not in self.expected:
            self.failures.append(f"HTTP {response.status}: {response.url}")

    def _console(self, message) -> None:
        if message.type == "error" and message.location.get("url") not in self.expected:
            self.failures.append(f"console error: {message.text} ({message.location.get('url')})")


def is_page_url(url: str) -> bool:
    path = urlsplit(url).path
    return path.endswith((".html", "/"))


def crawl_browser(page, start: str, site_prefix: str) -> CrawlReport:
    """Open ``start`` in the browser and every internal page it links to, directly or not.

    Pages are visited; other internal files are requested (or, from file://, looked up on disk);
    stylesheets and images must have loaded; link fragments must name an element."""
    report = CrawlReport()
    watch = BrowserWatch(page)
    page_ids: dict[str, set[str]] = {}
    fragments: list[tuple[str, str, str]] = []  # (from page, target page, fragment)
    queue = [start]
    while queue:
        url = queue.pop(0)
        if page_key(url) in page_ids:
            continue
        response = page.goto(url, wait_until="load")
        if response is not None and not response.ok:
            report.failures.append(f"{url}: HTTP {response.status}")
        facts = page.evaluate(_PAGE_FACTS)
        page_ids[page_key(url)] = set(facts["ids"])
        report.pages.append(url)
        for href, loaded in facts["sheets"] + facts["images"]:
            if href.startswith(site_prefix) and not loaded:
                report.failures.append(f"{url}: {href} did not load")
        for tag, ref in facts["refs"]:
            target, fragment = urldefrag(ref)
            if not target.startswith(site_prefix):
                report.external += 1
                continue
            report.references += 1
            if fragment:
                fragments.append((url, target, fragment))
            if tag == "a" and is_page_url(target):
                queue.append(target)
            elif target not in report.resources:
                report.resources.add(target)
                _check_resource(page, url, tag, target, report)
    for source, target, fragment in fragments:
        if page_key(target) in page_ids and fragment not in page_ids[page_key(target)]:
            report.failures.append(f"{source}: link to {target}#{fragment}: no such element")
    report.failures += watch.failures
    return report


def _check_resource(page, source: str, what: str, target: str, report: CrawlReport) -> None:
    if target.startswith("file:"):
        if not Path(url2pathname(urlsplit(target).path)).is_file():
            report.failures.append(f"{source}: {what} {target}: no such file")
        return
    response = page.request.get(target)
    if not response.ok:
        report.failures.append(f"{source}: {what} {target}: HTTP {response.status}")
