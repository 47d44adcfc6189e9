"""Rendering stage: the timeline and articles through the theme's Jinja2 templates into pages.

Every internal URL is page-relative (``url()`` in templates), so the site works at the root of a
host, under a sub-path such as ``/repo/`` on GitHub Pages, and opened from ``file://``.
"""

from __future__ import annotations

import html
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import jinja2

from timeline import site_files
from timeline.chronology import Timeline
from timeline.config import SiteConfig
from timeline.dating import DatedArticle
from timeline.events import article_page
from timeline.exports import events_json
from timeline.problems import display_path
from timeline.theme_files import DEFAULT_THEME


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the output folder, with "/"
    data: bytes
    source: str = ""  # what it was made from, to name in errors


class Theme:
    """Templates and static files: the user's theme first, then the default theme, file by file."""

    def __init__(self, user_theme: Path | None):
        self.folders = [p for p in (user_theme, DEFAULT_THEME) if p is not None]
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p / "templates") for p in self.folders]),
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )

    def static_files(self) -> Iterator[tuple[str, Path]]:
        """(path in output, file) for each static file; a user's file replaces the default's."""
        seen: set[str] = set()
        for folder in self.folders:
            static = folder / "static"
            for file in sorted(static.rglob("*")) if static.is_dir() else ():
                rel = "static/" + file.relative_to(static).as_posix()
                if file.is_file() and rel not in seen:
                    seen.add(rel)
                    yield rel, file


def relative_root(page_path: str) -> str:
    """The prefix that leads from a page back to the site root: "" or "../../"."""
    depth = page_path.count("/")
    return "../" * depth


class SiteRenderer:
    def __init__(self, config: SiteConfig, theme: Theme):
        self.config = config
        self.theme = theme

    def page(self, template: str, path: str, *, from_any_depth: bool = False, **context) -> OutputFile:
        """Render one page. ``from_any_depth``: the host serves it at other URLs too (404.html), so
        its links start from the base path ("/repo/static/...") and it has no canonical URL."""
        root = self.config.base_path if from_any_depth else relative_root(path)

        def url(target: str) -> str:
            return posixpath.join(root, target) if target else (root or "./") + "index.html"

        rendered = self.theme.env.get_template(template).render(
            site=self.config,
            page_path=path,
            root=root,
            url=url,
            canonical=None if from_any_depth else site_files.page_url(self.config, path),
            **context,
        )
        return OutputFile(path, rendered.encode(), f"template {template}")

    def article_page(self, dated: DatedArticle, timeline: Timeline) -> OutputFile:
        path = article_page(dated.article.slug)
        root = relative_root(path)
        spans = [(t.start, t.end) for t in dated.timexes]

        def wrapper(i: int, inner: str) -> str:
            timex = dated.timexes[i]
            entry = timeline.entry_for(dated.article.slug, (timex.start, timex.end))
            attrs = f'class="date date-{timex.type.lower()}" title="{html.escape(timex.value)}"'
            if entry is None:
                return f"<span {attrs}>{inner}</span>"
            href = html.escape(f"{root}index.html#{entry.id}")
            return f'<a {attrs} href="{href}"><time datetime="{entry.span.start.isoformat()}">{inner}</time></a>'

        body = dated.document.wrap(spans, wrapper)
        page = self.page("article.html", path, article=dated.article, dated=dated, body=body)
        return OutputFile(page.path, page.data, display_path(dated.article.path, self.config.site_dir))


@dataclass(frozen=True)
class Site:
    """Everything the pages are made from: the dated articles and the merged timeline."""

    articles: tuple[DatedArticle, ...]  # newest publication first, undated last
    timeline: Timeline


def timeline_pages(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    yield renderer.page("index.html", "index.html", timeline=site.timeline, articles=site.articles)


def article_pages(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    for dated in site.articles:
        yield renderer.article_page(dated, site.timeline)


def data_files(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    yield OutputFile("events.json", events_json(site.timeline), "events")


def static_files(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    for rel, file in renderer.theme.static_files():
        yield OutputFile(rel, file.read_bytes(), str(file))


def not_found_page(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    yield renderer.page("404.html", site_files.NOT_FOUND_PAGE, from_any_depth=True)


def host_files(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    """robots.txt, and what GitHub Pages reads on a branch deploy: .nojekyll (serve files as they
    are, no Jekyll) and CNAME (the custom domain)."""
    yield OutputFile("robots.txt", site_files.robots_txt(renderer.config), "robots.txt")
    yield OutputFile(".nojekyll", b"", ".nojekyll")
    cname = site_files.cname_file(renderer.config)
    if cname is not None:
        yield OutputFile("CNAME", cname, "the cname setting")


# Each producer turns the site model into output files; a new kind of page is one more producer.
PRODUCERS = (timeline_pages, article_pages, not_found_page, data_files, static_files, host_files)


def render_site(config: SiteConfig, articles: list[DatedArticle], timeline: Timeline) -> Iterator[OutputFile]:
    renderer = SiteRenderer(config, Theme(config.theme_dir))
    ordered = sorted(
        articles,
        key=lambda d: (d.article.published is None, -(d.article.published.toordinal() if d.article.published else 0), d.article.slug),
    )
    site = Site(tuple(ordered), timeline)
    pages: list[str] = []
    for producer in PRODUCERS:
        for file in producer(renderer, site):
            if site_files.is_listed_page(file.path):
                pages.append(file.path)
            yield file
    # The sitemap lists the pages the producers made, so a new kind of page needs no change here.
    for path, data in site_files.sitemap_files(renderer.config, pages):
        yield OutputFile(path, data, "sitemap")
