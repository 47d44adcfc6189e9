"""One build, in one visible pass: read articles -> tag dates -> extract events -> merge -> render -> write."""

from __future__ import annotations

import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from timeline import __version__
from timeline.articles import decode_article, find_article_files, parse_article, read_article_bytes
from timeline.chronology import Timeline, merge
from timeline.config import SiteConfig
from timeline.dating import DatedArticle, date_article
from timeline.events import extract_events
from timeline.output import OutputError, check_output_dir, write_site
from timeline.problems import ContentError, Problem, display_path
from timeline.render import render_site


@dataclass
class BuildResult:
    articles: list[DatedArticle] = field(default_factory=list)
    timeline: Timeline | None = None
    problems: list[Problem] = field(default_factory=list)
    pages_written: int = 0
    seconds: float = 0.0
    site_written: bool = False
    files: dict[str, bytes] | None = None  # the written site by output path, when asked for (live preview)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def summary(self) -> str:
        events = len(self.timeline.entries) if self.timeline else 0
        warnings = sum(p.severity == "warning" for p in self.problems)
        return (
            f"{len(self.articles)} articles, {events} timeline entries, {self.pages_written} files written, "
            f"{len(self.errors)} errors, {warnings} warnings in {self.seconds:.2f} s"
        )


class ArticleCache:
    """Tagged articles kept between builds, keyed by what they depend on.

    The key is the file's bytes, its place in the content folder, the tool version and the settings
    that change tagging (today's date, for undated articles), so an unchanged article is neither
    re-read nor re-tagged, and any change that matters invalidates exactly that article.
    """

    def __init__(self) -> None:
        self._entries: dict[str, tuple[str, DatedArticle]] = {}

    @staticmethod
    def key(rel_path: str, data: bytes, config: SiteConfig) -> str:
        digest = hashlib.sha256(data)
        digest.update(f"\0{rel_path}\0{__version__}\0{config.today.isoformat()}".encode())
        return digest.hexdigest()

    def get(self, rel_path: str, key: str) -> DatedArticle | None:
        found = self._entries.get(rel_path)
        return found[1] if found and found[0] == key else None

    def put(self, rel_path: str, key: str, dated: DatedArticle) -> None:
        self._entries[rel_path] = (key, dated)

    def keep_only(self, rel_paths: set[str]) -> None:
        """Forget articles that no longer exist."""
        for gone in set(self._entries) - rel_paths:
            del self._entries[gone]


def load_article(path: Path, config: SiteConfig, cache: ArticleCache) -> DatedArticle:
    """Read and tag one article, or take it from the cache when nothing it depends on changed."""
    shown = display_path(path, config.site_dir)
    rel_path = path.relative_to(config.content_dir).as_posix()
    data = read_article_bytes(path)
    key = cache.key(rel_path, data, config)
    dated = cache.get(rel_path, key)
    if dated is None:
        article = parse_article(decode_article(path, data), path, config.content_dir)
        dated = date_article(article, config.today, shown)
        cache.put(rel_path, key, dated)
    return dated


def load_articles(config: SiteConfig, cache: ArticleCache, problems: list[Problem]) -> list[DatedArticle]:
    """Every usable article, tagged; each unusable one becomes an error and is skipped."""
    loaded: list[DatedArticle] = []
    by_slug: dict[str, DatedArticle] = {}
    if not config.content_dir.is_dir():
        problems.append(Problem(display_path(config.content_dir, config.site_dir), "content folder not found"))
        return loaded
    paths = find_article_files(config.content_dir)
    cache.keep_only({p.relative_to(config.content_dir).as_posix() for p in paths})
    for path in paths:
        shown = display_path(path, config.site_dir)
        try:
            dated = load_article(path, config, cache)
        except ContentError as e:
            problems.append(e.problem(shown))
            continue
        slug = dated.article.slug
        if slug in by_slug:
            other = display_path(by_slug[slug].article.path, config.site_dir)
            problems.append(Problem(shown, f"same page name '{slug}' as {other}; rename one of them (skipped)"))
            continue
        by_slug[slug] = dated
        problems.extend(dated.notes)
        loaded.append(dated)
    return loaded


def build_site(config: SiteConfig, cache: ArticleCache | None = None, *, keep_files: bool = False) -> BuildResult:
    """Build the whole site. Pass the same ``cache`` to successive builds to rebuild incrementally.

    With ``keep_files`` the written files are also returned in ``result.files``, so a preview server
    can serve exactly the site that was written.
    """
    started = time.perf_counter()
    result = BuildResult()
    problems = result.problems

    result.articles = load_articles(config, cache or ArticleCache(), problems)
    events = [event for dated in result.articles for event in extract_events(dated)]
    result.timeline = merge(events)

    try:
        check_output_dir(config.output_dir, [config.site_dir, config.content_dir] + ([config.theme_dir] if config.theme_dir else []))
        files = render_site(config, result.articles, result.timeline)
        if keep_files:
            files = list(files)
        report = write_site(config.output_dir, files)
    except jinja2.TemplateSyntaxError as e:
        problems.append(Problem(e.filename or e.name or "template", f"template error: {e.message}", e.lineno))
    except jinja2.TemplateError as e:
        problems.append(Problem("theme", f"template error: {e}"))
    except OutputError as e:
        problems.append(Problem(display_path(config.output_dir, config.site_dir), str(e)))
    else:
        result.pages_written = report.written
        result.site_written = True
        if keep_files:
            result.files = {file.path: file.data for file in files}
    result.seconds = time.perf_counter() - started
    return result
