"""One build, in one visible pass: read articles -> tag dates -> extract events -> merge -> render -> write."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import jinja2

from timeline.articles import Article, find_article_files, read_article
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


def read_articles(config: SiteConfig, problems: list[Problem]) -> list[Article]:
    """Every readable article; each unreadable one becomes an error and is skipped."""
    articles: list[Article] = []
    by_slug: dict[str, Article] = {}
    if not config.content_dir.is_dir():
        problems.append(Problem(display_path(config.content_dir, config.site_dir), "content folder not found"))
        return articles
    for path in find_article_files(config.content_dir):
        shown = display_path(path, config.site_dir)
        try:
            article = read_article(path, config.content_dir)
        except ContentError as e:
            problems.append(e.problem(shown))
            continue
        if article.slug in by_slug:
            other = display_path(by_slug[article.slug].path, config.site_dir)
            problems.append(
                Problem(shown, f"same page name '{article.slug}' as {other}; rename one of them (skipped)")
            )
            continue
        by_slug[article.slug] = article
        articles.append(article)
    return articles


def build_site(config: SiteConfig) -> BuildResult:
    started = time.perf_counter()
    result = BuildResult()
    problems = result.problems

    articles = read_articles(config, problems)
    for article in articles:
        dated = date_article(article, config.today, display_path(article.path, config.site_dir))
        problems.extend(dated.notes)
        result.articles.append(dated)
    events = [event for dated in result.articles for event in extract_events(dated)]
    result.timeline = merge(events)

    try:
        check_output_dir(config.output_dir, [config.site_dir, config.content_dir] + ([config.theme_dir] if config.theme_dir else []))
        report = write_site(config.output_dir, render_site(config, result.articles, result.timeline))
    except jinja2.TemplateSyntaxError as e:
        problems.append(Problem(e.filename or e.name or "template", f"template error: {e.message}", e.lineno))
    except jinja2.TemplateError as e:
        problems.append(Problem("theme", f"template error: {e}"))
    except OutputError as e:
        problems.append(Problem(display_path(config.output_dir, config.site_dir), str(e)))
    else:
        result.pages_written = report.written
        result.site_written = True
    result.seconds = time.perf_counter() - started
    return result
