"""Rendering stage: the timeline and articles through the theme's Jinja2 templates into pages.

Every internal URL is page-relative (``url()`` in templates), so the site works at the root of a
host, under a sub-path such as ``/repo/`` on GitHub Pages, and opened from ``file://``.
"""

from __future__ import annotations

import hashlib
import html
import os
import re
import secrets
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import cached_property
from itertools import groupby
from pathlib import Path
from typing import TYPE_CHECKING

from timeline import site_files
from timeline import __version__
from timeline.cache import Pieces, TaggedArticle
from timeline.config import SiteConfig
from timeline.problems import display_path

if TYPE_CHECKING:  # imported where pages are made: a build with nothing to do needs none of them
    from timeline.chronology import Entry, Timeline
    from timeline.dating import DatedArticle
    from timeline.exports import EntryFile
from timeline.theme_files import DEFAULT_THEME


Piece = tuple[str, int, int]  # (key, start, end): bytes of a file made from one key alone


@dataclass(frozen=True)
class OutputFile:
    path: str  # relative to the output folder, with "/"
    data: bytes | None  # None: the previous build's file, whose inputs are unchanged, is kept
    source: str = ""  # what it was made from, to name in errors
    inputs: str = ""  # digest of everything the file is made from, when the producer knows it
    pieces: tuple[Piece, ...] = ()  # parts of ``data`` that the next build may reuse by key


class Theme:
    """Templates and static files: the user's theme first, then the default theme, file by file.
    ``cache_dir``: where compiled templates are kept between builds (compiling them is a tenth of
    a second at every start)."""

    def __init__(self, user_theme: Path | None, cache_dir: Path | None = None):
        self.folders = [p for p in (user_theme, DEFAULT_THEME) if p is not None]
        self.cache_dir = cache_dir

    @cached_property
    def env(self):
        """The Jinja2 environment (made when first rendering: a build with nothing to do needs none)."""
        import jinja2

        cache_dir = self.cache_dir
        return jinja2.Environment(
            loader=jinja2.FileSystemLoader([str(p / "templates") for p in self.folders]),
            bytecode_cache=jinja2.FileSystemBytecodeCache(str(cache_dir)) if cache_dir is not None and _usable(cache_dir) else None,
            autoescape=True,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            # A theme whose files change is a new Theme (``ArticleCache.theme``): no template's
            # file is looked at again for each page.
            auto_reload=False,
        )

    def fingerprint(self) -> str:
        """Digest of every template and static file in use: any edit re-renders the pages."""
        digest = hashlib.sha256()
        for folder in self.folders:
            for file in sorted(folder.rglob("*")):
                if file.is_file() and "__pycache__" not in file.parts:
                    digest.update(os.fsencode(file.relative_to(folder)) + b"\0" + file.read_bytes())
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


@dataclass(frozen=True)
class _Made:
    """A piece of a page: its key, its bytes, and the pieces within it (offsets from its start)."""

    key: str
    raw: bytes | memoryview  # a view of the previous file for a piece it had
    inner: tuple[Piece, ...] = ()


class _Splicer:
    """Pieces stand in the template's output as short markers, and their bytes are put in place
    of the markers once the page is rendered: a large page's reused parts are never decoded,
    copied into Markup, escaped, joined and encoded again. Markers carry a random nonce, so no
    text can pass for one (a renderer's, drawn once: a page's own cost a system call that took up
    to 40 microseconds); a template must print ``cached()`` as it is."""

    # Any marker: one with another nonce is left as text. One pattern for every page (compiling
    # one per page, for its nonce, cost a tenth of a millisecond a page).
    MARKER = re.compile("\ue000([0-9a-f]{12}):(\\d+)\ue001")

    def __init__(self, nonce: str) -> None:
        self.nonce = nonce
        self.issued: list[_Made] = []
        self.open, self.close = f"\ue000{self.nonce}:", "\ue001"

    def marker(self, piece: _Made) -> str:
        self.issued.append(piece)
        return f"{self.open}{len(self.issued) - 1}{self.close}"

    def splice(self, text: str) -> tuple[bytes, tuple[Piece, ...]]:
        """``text`` with each marker replaced by its piece's bytes, and where every piece stands."""
        parts: list[bytes] = []
        found: list[Piece] = []
        at = 0
        pos = 0
        for match in self.MARKER.finditer(text):
            if match.group(1) != self.nonce:
                continue
            before = text[pos : match.start()].encode()
            parts.append(before)
            at += len(before)
            piece = self.issued[int(match.group(2))]
            parts.append(piece.raw)
            found.append((piece.key, at, at + len(piece.raw)))
            found.extend((key, at + s, at + e) for key, s, e in piece.inner)
            at += len(piece.raw)
            pos = match.end()
        parts.append(text[pos:].encode())
        return b"".join(parts), tuple(found)


def by_month(articles: Iterable[TaggedArticle]) -> list[tuple[TaggedArticle, ...]]:
    """Articles in runs of the same month of publication (undated ones in one run), in order; a
    month of many articles cut into shorter runs (``chronology.in_runs``, by slug)."""
    from timeline.chronology import in_runs

    runs: list[tuple[TaggedArticle, ...]] = []
    for month, run in groupby(articles, key=lambda a: (a.article.published.year, a.article.published.month) if a.article.published else None):
        runs.extend(in_runs(run, lambda a: a.article.slug))
    return runs


def _usable(folder: Path) -> bool:
    try:
        folder.mkdir(parents=True, exist_ok=True)
        return os.access(folder, os.W_OK)
    except OSError:
        return False


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
    """Renders pages. Between builds it reuses what did not change: whole files whose inputs are
    unchanged (``reusable``), and, in a file that must be made again, the pieces made from
    timeline entries that did not change (``previous_pieces``; an entry's ``token`` is a digest of
    the events it merges)."""

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
        # The pieces of the previous build's file at a path, by key.
        self.previous_pieces: Callable[[str], Pieces] = lambda path: Pieces(b"", ())
        self.tokens: Mapping[str, str] = {}  # entry id -> token
        # Article key -> tokens of the entries holding its events, made when first asked for: in a
        # rebuild, by the forked copy that makes the article pages, beside this process.
        self.article_tokens: Callable[[], Mapping[str, tuple[str, ...]]] | None = None
        self._article_tokens: Mapping[str, tuple[str, ...]] | None = None
        self._made: dict[str, _Made] = {}  # pieces made in this build, by key
        # Pieces made for any page, with marks where url() put the page's root (see ``page``).
        self._shared: dict[tuple[str, str, str], bytes] = {}
        # Tokens of the entry sequences asked for (the timeline's, a group's), by identity; the
        # sequence is kept with them, so its id is not reused. Several files list every entry.
        self._entry_tokens: dict[int, tuple[object, list[str] | None]] = {}
        self._nonce = secrets.token_hex(6)
        self._link_marks = (f"\ue002{self._nonce}\ue003", f"\ue002{self._nonce}\ue004")

    def forget_pieces(self) -> None:
        """Drop the pieces made so far: a kind of page reuses its own (an entry on several actor
        pages), and holding every page's would hold the whole site in memory."""
        self._made.clear()

    def inputs(self, *parts: str) -> str:
        """Digest of a file's inputs: ``parts`` and what every page depends on."""
        return hashlib.sha256("\0".join((self.fingerprint, *parts)).encode()).hexdigest()

    def _token(self, item) -> str | None:
        """An entry's token, a run of entries' (their tokens), a year group's (its label and its
        entries' tokens), an article's (its cache key) or a run of articles' (their keys); None if
        unknown."""
        from timeline.chronology import Entry, YearGroup

        if isinstance(item, Entry):
            return self.tokens.get(item.id)
        if isinstance(item, TaggedArticle):
            return item.key
        if isinstance(item, tuple) and item and isinstance(item[0], Entry):
            tokens = self.entry_tokens(item)
            return None if tokens is None else hashlib.sha1("\0".join(tokens).encode()).hexdigest()
        if isinstance(item, tuple) and item and all(isinstance(a, TaggedArticle) for a in item):
            return hashlib.sha1("\0".join(a.key for a in item).encode()).hexdigest()
        if isinstance(item, YearGroup):
            tokens = self.entry_tokens(item.entries)
            return None if tokens is None else hashlib.sha1("\0".join([item.label, item.anchor, *tokens]).encode()).hexdigest()
        return None

    def entry_tokens(self, entries: Sequence[Entry]) -> list[str] | None:
        """The entries' tokens, or None when one is unknown (then nothing made from them is reused)."""
        known = self._entry_tokens.get(id(entries))
        if known is not None and known[0] is entries:
            return known[1]
        tokens = [self.tokens.get(e.id) for e in entries]
        found = None if None in tokens else tokens
        self._entry_tokens[id(entries)] = (entries, found)  # type: ignore[assignment]
        return found  # type: ignore[return-value]

    def prepare(self, site: Site) -> None:
        """Work out what every kind of page uses, once, before forked copies of this process
        share the rendering: the template environment, the timeline's groups and their tokens."""
        self.theme.env
        timeline = site.timeline
        self.entry_tokens(timeline.entries)
        for group in timeline.groups:
            self.entry_tokens(group.entries)
        timeline.actor_groups

    def page(self, template: str, path: str, *, from_any_depth: bool = False, **context) -> OutputFile:
        """Render one page. ``from_any_depth``: the host serves it at other URLs too (404.html), so
        its links start from the base path ("/repo/static/...") and it has no canonical URL."""
        root = self.config.base_path if from_any_depth else relative_root(path)
        splicer = _Splicer(self._nonce)
        previous: Pieces | None = None
        # What url() puts before a page-relative target, and before "index.html" for the home page;
        # while a piece is made for every page, marks that each page replaces with its own.
        prefix = root if not root or root.endswith("/") else root + "/"
        home = root or "./"
        links = prefix, home
        marks = self._link_marks

        def url(target: str) -> str:
            if not target:
                return links[1] + "index.html"
            if target.startswith("/"):
                return target
            return links[0] + target

        def own_links(raw: bytes) -> bytes:
            return raw.replace(marks[0].encode(), prefix.encode()).replace(marks[1].encode(), home.encode())

        from markupsafe import Markup

        def cached(macro, item, *args, **derived) -> Markup:
            """``macro(item, *args, **derived)``, reused from the previous build while ``item`` (an
            entry, or a year group) is unchanged. ``derived`` arguments are left out of the key:
            they must follow from the item's articles (as the tags of their entries do).

            Within a build, a piece is made once for every page that shows it (an entry on the
            timeline, its year's page): its links through url() are the only part that differs."""
            nonlocal previous, links
            token = self._token(item)
            if token is None:
                return macro(item, *args, **derived)
            name = getattr(macro, "name", "")
            key = hashlib.sha1(f"{self.fingerprint}\0{token}\0{name}\0{root}\0{args!r}".encode()).hexdigest()
            piece = self._made.get(key)
            if piece is None:
                if previous is None:
                    previous = self.previous_pieces(path)
                old = previous.get(key)
                if old is not None:
                    piece = _Made(key, old[0], old[1])
                else:
                    shared = (token, name, repr(args)) if not derived else None
                    raw = self._shared.get(shared) if shared else None
                    if raw is None:
                        outer, links = links, marks
                        try:
                            text = str(macro(item, *args, **derived))
                        finally:
                            links = outer
                        if not shared or "\ue000" in text:  # with pieces of this page in it: for this page only
                            piece = _Made(key, *splicer.splice(text.replace(marks[0], prefix).replace(marks[1], home)))
                        else:
                            raw = self._shared[shared] = text.encode()
                    if raw is not None:
                        piece = _Made(key, own_links(raw))
                if not piece.inner:
                    # Kept for the other pages of this kind (an entry on several actor pages); a
                    # piece holding pieces (a run, a year section) belongs to one page, and
                    # keeping it would hold a second copy of every entry in it.
                    self._made[key] = piece
            return Markup(splicer.marker(piece))

        rendered = self.theme.env.get_template(template).render(
            site=self.config,
            page_path=path,
            root=root,
            url=url,
            canonical=None if from_any_depth else site_files.page_url(self.config, path),
            cached=cached,
            by_month=by_month,
            **context,
        )
        data, pieces = splicer.splice(rendered)
        # The template's objects refer to one another (and to ``cached``), and a build runs
        # without the cyclic collector: what they hold of this page is let go here, or every
        # page's pieces and the previous file's bytes would stay until the build ends.
        splicer.issued.clear()
        previous = None
        return OutputFile(path, data, f"template {template}", pieces=pieces)

    def entry_file(self, path: str, source: str, shape: EntryFile, entries: tuple[Entry, ...], *salt: str) -> OutputFile:
        """A file of one piece per entry (``exports.EntryFile``): kept whole when no entry changed,
        else made with the unchanged entries' pieces of the previous build."""
        tokens = self.entry_tokens(entries)
        if tokens is None:
            return OutputFile(path, shape.build(entries), source)
        inputs = self.inputs(path, *salt, *tokens)
        if self.reusable(path, inputs):
            return OutputFile(path, None, source, inputs)
        previous = self.previous_pieces(path)
        # A piece's key: what every piece of this file shares (settings, theme, code), then the token.
        shared = hashlib.sha1(f"{self.fingerprint}\0{chr(0).join(salt)}".encode()).hexdigest()[:16]
        keys = [shared + token for token in tokens]
        spans, old = previous.spans(keys), previous.data
        parts = [shape.head]
        pieces: list[Piece] = []
        at = len(shape.head)
        separator = shape.separator
        gap = len(separator)
        # Reused pieces that stood one after the other, with the separator between them, are
        # copied as one slice of the previous file: an edit leaves long runs of them.
        lo = hi = -1
        for i, (entry, key) in enumerate(zip(entries, keys)):
            if i:
                at += gap
            span = spans[i]
            if span is not None and hi >= 0 and span[0] == hi + gap:
                hi = span[1]
            else:
                if hi >= 0:
                    parts.append(old[lo:hi])
                    hi = -1
                if i:
                    parts.append(separator)
                if span is None:
                    data = shape.piece(entry)
                    parts.append(data)
                    pieces.append((key, at, at + len(data)))
                    at += len(data)
                    continue
                lo, hi = span
            end = at + span[1] - span[0]
            pieces.append((key, at, end))
            at = end
        if hi >= 0:
            parts.append(old[lo:hi])
        parts.append((shape.tail_after_pieces if entries else b"") + shape.tail)
        return OutputFile(path, b"".join(parts), source, inputs, tuple(pieces))

    def article_inputs(self, tagged: TaggedArticle, timeline: Timeline) -> str:
        """Digest of what an article's page is made from: the article, the entries its dates link
        to, and what every page depends on. Equal digests mean an identical page.

        The entries its dates link to are those holding its events: with their tokens known
        (``article_tokens``), they stand for the entries without looking each one up."""
        if self.article_tokens is not None:
            if self._article_tokens is None:
                self._article_tokens = self.article_tokens()
            tokens = self._article_tokens.get(tagged.key, ())
            return hashlib.sha256("\0".join((self.fingerprint, "tokens", tagged.key, *tokens)).encode()).hexdigest()
        digest = hashlib.sha256(f"{self.fingerprint}\0{tagged.key}".encode())
        for start, end in tagged.links:
            entry = timeline.entry_for(tagged.article.slug, (start, end))
            digest.update(f"\0{entry.id}:{entry.span.start}" .encode() if entry else b"\0-")
        return digest.hexdigest()

    def article_page(self, dated: DatedArticle, timeline: Timeline, inputs: str, source: str) -> OutputFile:
        """``source``: the article's file as the user sees it, for errors."""
        from timeline.events import article_page

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
        return OutputFile(page.path, page.data, source, inputs)


@dataclass(frozen=True)
class Site:
    """Everything the pages are made from: the tagged articles and the merged timeline.

    ``articles`` hold each article's metadata and events, not its body: pages that need the full
    articles get them from ``load``, one at a time as it yields them, so rendering does not hold
    every body at once.
    """

    articles: tuple[TaggedArticle, ...]  # newest publication first, undated last
    timeline: Timeline
    load: Callable[[Sequence[TaggedArticle]], Iterator[DatedArticle]] = field(repr=False, default=None)  # type: ignore[assignment]


def _kept(renderer: SiteRenderer, path: str, source: str, *parts: str) -> tuple[OutputFile | None, str]:
    """(the previous file, when made from the same inputs; the inputs digest)."""
    inputs = renderer.inputs(path, *parts)
    return (OutputFile(path, None, source, inputs) if renderer.reusable(path, inputs) else None), inputs


def timeline_pages(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    tokens = renderer.entry_tokens(site.timeline.entries)
    keys = [d.key for d in site.articles]
    if tokens is not None:
        kept, inputs = _kept(renderer, "index.html", "timeline page", *tokens, "articles", *keys)
        if kept is not None:
            yield kept
            return
    from timeline.navigation import entry_tags, filter_index, script_json

    tags = entry_tags(site.timeline, {d.article.slug: d.article.tags for d in site.articles})
    page = renderer.page(
        "index.html",
        "index.html",
        timeline=site.timeline,
        articles=site.articles,
        entry_tags=tags,
        filter_json=script_json(filter_index(site.timeline, tags)),
    )
    yield replace(page, inputs=inputs) if tokens is not None else page


def actor_pages(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    """``actors/<slug>/index.html``: every entry naming the actor, and an index of actors."""
    groups = site.timeline.actor_groups
    listing = [f"{g.actor.slug}:{g.actor.name}:{len(g.entries)}" for g in groups]
    kept, inputs = _kept(renderer, "actors/index.html", "actors page", *listing)
    yield kept or replace(renderer.page("actors.html", "actors/index.html", actor_groups=groups), inputs=inputs)
    for group in groups:
        path = f"actors/{group.actor.slug}/index.html"
        tokens = renderer.entry_tokens(group.entries)
        if tokens is not None:
            kept, inputs = _kept(renderer, path, "actor page", repr(group.actor), *tokens)
            if kept is not None:
                yield kept
                continue
        from timeline.chronology import Timeline

        page = renderer.page("actor.html", path, actor=group.actor, timeline=Timeline(group.entries))
        yield replace(page, inputs=inputs) if tokens is not None else page


def year_pages(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    """``<year>/index.html`` ("2023/", "1990s/"): the entries of one year group."""
    years = site.timeline.groups
    nav = [f"{g.slug}:{g.label}" for g in years]
    for group in years:
        path = f"{group.slug}/index.html"
        tokens = renderer.entry_tokens(group.entries)
        if tokens is not None:
            kept, inputs = _kept(renderer, path, "year page", group.label, *nav, "entries", *tokens)
            if kept is not None:
                yield kept
                continue
        page = renderer.page("year.html", path, group=group, years=years)
        yield replace(page, inputs=inputs) if tokens is not None else page


def article_pages(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    from timeline.events import article_page

    # The article's file as the user sees it, for errors (display_path, without pathlib for each).
    content = display_path(renderer.config.content_dir, renderer.config.site_dir).rstrip("/") + "/"
    content = "" if content == "./" else content
    paths = [article_page(tagged.article.slug) for tagged in site.articles]
    inputs = [renderer.article_inputs(tagged, site.timeline) for tagged in site.articles]
    made = [not renderer.reusable(path, digest) for path, digest in zip(paths, inputs)]
    loaded = site.load([tagged for tagged, make in zip(site.articles, made) if make])
    for tagged, path, digest, make in zip(site.articles, paths, inputs, made):
        source = content + tagged.article.rel_path
        yield renderer.article_page(next(loaded), site.timeline, digest, source) if make else OutputFile(path, None, source, digest)


def data_files(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    from timeline.exports import events_json_file

    yield renderer.entry_file("events.json", "events", events_json_file(), site.timeline.entries)


def feed_file(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    from timeline.exports import atom_feed

    yield OutputFile("feed.xml", atom_feed(site.timeline, renderer.config), "feed")


def export_files(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    from timeline.exports import events_csv_file, timelinejs_entry_file

    config = renderer.config
    yield renderer.entry_file("timelinejs.json", "timelinejs", timelinejs_entry_file(config), site.timeline.entries)
    yield renderer.entry_file("events.csv", "csv", events_csv_file(), site.timeline.entries)


def calendar_file(renderer: SiteRenderer, site: Site) -> Iterator[OutputFile]:
    """``events.ics``: apart from the other exports, as the icalendar package takes a while."""
    from timeline.exports import icalendar_entry_file

    yield renderer.entry_file("events.ics", "calendar", icalendar_entry_file(renderer.config), site.timeline.entries)


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
    feed_file,
    export_files,
    calendar_file,
    static_files,
    host_files,
)


def import_renderers() -> None:
    """Import what making every kind of file needs: the template engine, the calendar's value
    types, the classes full articles are read back into. A build does this while it waits for
    something else (a child tagging an edited article), so the copies that share the rendering
    inherit them instead of each importing its own."""
    import icalendar  # noqa: F401
    import jinja2  # noqa: F401

    from timeline import dating  # noqa: F401


def newest_first(articles: list[TaggedArticle]) -> tuple[TaggedArticle, ...]:
    return tuple(
        sorted(
            articles,
            key=lambda d: (d.article.published is None, -(d.article.published.toordinal() if d.article.published else 0), d.article.slug),
        )
    )


def render_part(renderer: SiteRenderer, site: Site, producers: Iterable[int], pages: list[list[str]]) -> Iterator[OutputFile]:
    """The files of some ``PRODUCERS`` (by position); ``pages[i]`` receives the listed pages of the i-th."""
    for i in producers:
        for file in PRODUCERS[i](renderer, site):
            if site_files.is_listed_page(file.path):
                pages[i].append(file.path)
            yield file
        renderer.forget_pieces()


def sitemap(renderer: SiteRenderer, pages: list[list[str]]) -> Iterator[OutputFile]:
    """The sitemap lists the pages the producers made, so a new kind of page needs no change here."""
    for path, data in site_files.sitemap_files(renderer.config, [page for made in pages for page in made]):
        yield OutputFile(path, data, "sitemap")
