"""Rendering stage: the timeline and articles through the theme's Jinja2 templates into pages.

Every internal URL is page-relative (``url()`` in templates), so the site works at the root of a
host, under a sub-path such as ``/repo/`` on GitHub Pages, and opened from ``file://``.
"""

from __future__ import annotations

import hashlib
import html
import posixpath
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from timeline import site_files
from timeline.chronology import Timeline
from timeline import __version__
from timeline.cache import TaggedArticle
from timeline.config import SiteConfig
from timeline.dating import DatedArticle
from timeline.events import article_page
from timeline.exports import atom_feed, events_csv, events_json, icalendar_file, timelinejs_json
from timeline.navigation import entry_tags, filter_index, script_json
from timeline.problems import display_path
from timeline.theme_files import DEFAULT_THEME


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the output folder, with "/"
    data: bytes | None  # None: the previous build's file, whose inputs are unchanged, is kept
    source: str = ""  # what it was made from, to name in errors
    inputs: str = ""  # digest of everything the file is made from, when the producer knows it


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

    def fingerprint(self) -> str:
        """Digest of every template and static file in use: any edit re-renders the pages."""
        digest = hashlib.sha256()
        for folder in self.folders:
            for file in sorted(folder.rglob("*")):
                if file.is_file() and "__pycache__" not in file.parts:
                    digest.update(file.relative_to(folder).as_posix().encode() + b"\0" + file.read_bytes())
        return digest.hexdigest()

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


_PACKAGE = Path(__file__).resolve().parent
# Code that shapes the pages from tagged articles: a change to any of it re-renders every page.
_RENDER_SOURCES = (
    "render.py", "chronology.py", "exports.py", "config.py", "site_files.py", "navigation.py", "build.py",
    "actors.py", "manual.py", "data/actors.yaml", "data/common_words.tsv",
)


def render_fingerprint(config: SiteConfig, theme: Theme) -> str:
    """Digest of everything every page depends on besides its own article: settings, theme, code."""
    digest = hashlib.sha256(__version__.encode())
    settings = {k: v for k, v in vars(config).items() if k != "today"}  # today only affects tagging
    digest.update(repr(sorted((k, str(v)) for k, v in settings.items())).encode())
    for name in _RENDER_SOURCES:
        digest.update((_PACKAGE / name).read_bytes())
    digest.update(theme.fingerprint().encode())
    return digest.hexdigest()


class SiteRenderer:
    def __init__(
        self,
        config: SiteConfig,
        theme: Theme,
        fingerprint: str = "",
        reusable: Callable[[str, str], bool] | None = None,
    ):
        self.config = config
        self.theme = theme
        self.fingerprint = fingerprint or render_fingerprint(config, theme)
        # Whether the previous build's file at a path was made from exactly these inputs.
        self.reusable = reusable or (lambda path, inputs: False)

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

    def article_inputs(self, tagged: TaggedArticle, timeline: Timeline) -> str:
        """Digest of what an article's page is made from: the article, the entries its dates link
        to, and what every page depends on. Equal digests mean an identical page."""
        digest = hashlib.sha256(f"{self.fingerprint}\0{tagged.key}".encode())
        for start, end in tagged.links:
            entry = timeline.entry_for(tagged.article.slug, (start, end))
            digest.update(f"\0{entry.id}:{entry.span.start}" .encode() if entry else b"\0-")
        return digest.hexdigest()

    def article_page(self, dated: DatedArticle, timeline: Timeline, inputs: str = "") -> OutputFile:
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
        return OutputFile(page.path, page.data, display_path(dated.article.path, self.config.site_dir), inputs)


@dataclass(frozen=True)
class Site:
    """Everything the pages are made from: the tagged articles and the merged timeline.

    ``articles`` hold each article's metadata and events, not its body: a page that needs the
    full article gets it from ``load`` one at a time, so rendering does not hold every body at once.
    """

    articles: tuple[TaggedArticle, ...]  # newest publication first, undated last
    timeline: Timeline
    load: Callable[[TaggedArticle], DatedArticle] = field(repr=False, default=None)  # type: ignore[assignment]


def timeline_pages(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    tags = entry_tags(site.timeline, {d.article.slug: d.article.tags for d in site.articles})
    yield renderer.page(
        "index.html",
        "index.html",
        timeline=site.timeline,
        articles=site.articles,
        entry_tags=tags,
        filter_json=script_json(filter_index(site.timeline, tags)),
    )


def actor_pages(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    """``actors/<slug>/index.html``: every entry naming the actor, and an index of actors."""
    groups = site.timeline.actor_groups
    yield renderer.page("actors.html", "actors/index.html", actor_groups=groups)
    for group in groups:
        timeline = Timeline(group.entries)
        yield renderer.page("actor.html", f"actors/{group.actor.slug}/index.html", actor=group.actor, timeline=timeline)


def year_pages(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    """``<year>/index.html`` ("2023/", "1990s/"): the entries of one year group."""
    for group in site.timeline.groups:
        yield renderer.page("year.html", f"{group.slug}/index.html", group=group, years=site.timeline.groups)


def article_pages(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    for tagged in site.articles:
        path = article_page(tagged.article.slug)
        inputs = renderer.article_inputs(tagged, site.timeline)
        if renderer.reusable(path, inputs):
            yield OutputFile(path, None, display_path(tagged.article.path, renderer.config.site_dir), inputs)
        else:
            yield renderer.article_page(site.load(tagged), site.timeline, inputs)


def data_files(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    yield OutputFile("events.json", events_json(site.timeline), "events")


def export_files(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    yield OutputFile("feed.xml", atom_feed(site.timeline, renderer.config), "feed")
    yield OutputFile("events.ics", icalendar_file(site.timeline, renderer.config), "calendar")
    yield OutputFile("timelinejs.json", timelinejs_json(site.timeline, renderer.config), "timelinejs")
    yield OutputFile("events.csv", events_csv(site.timeline), "csv")


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
PRODUCERS = (
    timeline_pages,
    article_pages,
    actor_pages,
    year_pages,
    not_found_page,
    data_files,
    export_files,
    static_files,
    host_files,
)


def newest_first(articles: list[TaggedArticle]) -> tuple[TaggedArticle, ...]:
    return tuple(
        sorted(
            articles,
            key=lambda d: (d.article.published is None, -(d.article.published.toordinal() if d.article.published else 0), d.article.slug),
        )
    )


def render_site(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    pages: list[str] = []
    for producer in PRODUCERS:
        for file in producer(renderer, site):
            if site_files.is_listed_page(file.path):
                pages.append(file.path)
            yield file
    # The sitemap lists the pages the producers made, so a new kind of page needs no change here.
    for path, data in site_files.sitemap_files(renderer.config, pages):
        yield OutputFile(path, data, "sitemap")
