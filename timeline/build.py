"""One build, in one visible pass: read articles -> tag dates -> extract events -> merge -> render -> write.

Incremental by construction: each article's tagging result is cached (see ``timeline.cache``) and
re-done only when something it depends on changed; each page records the digest of its inputs and is
re-rendered only when that digest changes; files whose bytes are unchanged are carried over.

Memory: the build keeps, per article, only its metadata and events (``TaggedArticle``); full
articles (body, HTML, date expressions) stream from the taggers into the cache and back out one at a
time to render pages. The merged timeline (every event) is held whole: the index page needs it.
"""

from __future__ import annotations

import gc
import hashlib
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Executor
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

from timeline.articles import find_article_files, read_article_bytes
from timeline.cache import (
    CACHE_DIR,
    ArticleStamp,
    DiskStore,
    FileSeen,
    OutputManifest,
    PackedTuple,
    TaggedArticle,
    article_key,
    stamps_of,
    tagging_fingerprint,
)
from timeline.config import SiteConfig
from timeline.forking import Forked, can_fork
from timeline.output import OutputError, SiteWriter, check_output_dir, clean_leftovers
from timeline.problems import ContentError, Problem, count, display_path, is_utf8_name, os_path, path_text
from timeline import render
from timeline.render import Site, SiteRenderer, Theme, actor_pages, article_pages, calendar_file, data_files, export_files, feed_file, newest_first, render_part, sitemap
from timeline import tagging
from timeline.tagging import POOL_THRESHOLD, ExecutorError, ExecutorSpec, TagJob, open_executor, tag_batch, tag_one, tag_stream, warm_up

if TYPE_CHECKING:  # imported where used: a build with nothing to do needs none of them
    from timeline.chronology import Timeline
    from timeline.dating import DatedArticle
    from timeline.events import Event
    from timeline.merge_state import MergeState

# Full articles tagged in this process are stored this many at a time (one transaction each).
STORE_BATCH = 64

# progress(stage, done, total): called as work advances, for a progress bar.
Progress = Callable[[str, int, int], None]


# Whether to write the site, given the problems found in the content.
WritePolicy = Callable[[list[Problem]], bool]


def never_write(problems: list[Problem]) -> bool:
    """Read, tag and merge only (``timeline check``)."""
    return False


def write_without_errors(problems: list[Problem]) -> bool:
    """Write only when the content has no error (``timeline build --strict``)."""
    return not any(p.severity == "error" for p in problems)


class BuildResult:
    """What a build did. ``articles`` and ``timeline`` are computed on first use when the build
    itself did not need them (nothing changed)."""

    def __init__(self) -> None:
        self.problems: list[Problem] = []
        self.pages_written = 0
        self.pages_unchanged = 0
        self.article_count = 0
        self.articles_tagged = 0  # articles tagged in this build (the others came from the cache)
        self.event_count = 0
        self.seconds = 0.0
        self.site_written = False
        self._articles: list[TaggedArticle] | None = None
        self._timeline: Timeline | None = None
        self._load: Callable[[], list[TaggedArticle]] | None = None
        self._load_articles: Callable[[Sequence[TaggedArticle]], Iterator[DatedArticle]] | None = None
        self._merge: Callable[[], MergeState] | None = None
        self.standalone: tuple[Event, ...] = ()  # the events of the content folder's events file

    @property
    def articles(self) -> list[TaggedArticle]:
        if self._articles is None:
            self._articles = self._load() if self._load else []
        return self._articles

    @articles.setter
    def articles(self, value: list[TaggedArticle]) -> None:
        self._articles = value

    @property
    def timeline(self) -> Timeline | None:
        if self._timeline is None and self._merge is not None:
            self._timeline = self._merge().timeline()
        return self._timeline

    @timeline.setter
    def timeline(self, value: Timeline | None) -> None:
        self._timeline = value

    def load_article(self, tagged: TaggedArticle) -> DatedArticle:
        """The full article (body, document, date expressions) of one of ``articles``."""
        assert self._load_articles is not None
        return next(self._load_articles([tagged]))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    def summary(self) -> str:
        warnings = sum(p.severity == "warning" for p in self.problems)
        tagged = f" ({self.articles_tagged} tagged)" if self.articles_tagged != self.article_count else ""
        return (
            f"{count(self.article_count, 'article')}{tagged}, {count(self.event_count, 'event')}, "
            f"{count(self.pages_written, 'page')} written, {self.pages_unchanged} unchanged, "
            f"{count(len(self.errors), 'error')}, {count(warnings, 'warning')} in {self.seconds:.2f} s"
        )


class ArticleCache:
    """Tagged articles kept in memory between builds of one process (``timeline serve``).

    Pass the same cache to successive ``build_site`` calls: unchanged articles are then neither
    re-read from the disk cache nor re-tagged. The disk cache in ``.timeline-cache/`` gives the same
    between separate runs; this one saves loading it.
    """

    def __init__(self) -> None:
        self.fingerprint = ""
        self.stamps: dict[str, ArticleStamp] = {}
        self.index: dict[str, TaggedArticle] | None = None  # loaded when first needed
        self.merge: MergeState | None = None  # the last merge, loaded when first needed
        self.store: DiskStore | None = None
        self.manifests: dict[Path, OutputManifest] = {}
        self._theme: tuple[Path | None, str, Theme] | None = None

    def theme(self, folder: Path | None, cache_dir: Path | None = None) -> Theme:
        """The theme, kept with its compiled templates while none of its files changes (a file
        added to a user theme may replace a default one: any change starts afresh)."""
        fresh = Theme(folder, cache_dir)
        fingerprint = fresh.fingerprint()
        if self._theme is None or self._theme[:2] != (folder, fingerprint):
            self._theme = (folder, fingerprint, fresh)
        return self._theme[2]


@dataclass
class _Scan:
    """The articles of this build: which are as cached, which were tagged now, what failed."""

    order: list[str] = field(default_factory=list)  # paths in the content folder, in file order
    fresh: dict[str, TaggedArticle] = field(default_factory=dict)  # tagged in this build
    seen: dict[str, FileSeen | None] = field(default_factory=dict)  # unchanged bytes, file touched
    failed: dict[str, Problem] = field(default_factory=dict)
    tagged: int = 0
    # Articles being tagged in a forked child: (the child, the jobs, rel and seen of each job key).
    pending: tuple[Forked, list[TagJob], dict[str, str], dict[str, FileSeen | None]] | None = None


def with_features(record: TaggedArticle, fingerprint: str) -> TaggedArticle:
    """The record with its events' merge features computed under the current code and data,
    whose digest is ``fingerprint`` (``chronology.features_fingerprint()``): the tagger computes
    them; a newer merge code or actor list needs them again."""
    if record.features_fp == fingerprint and len(record.features) == len(record.events):
        return record
    from timeline.actors import default_index
    from timeline.chronology import features_of

    return replace(record, features=PackedTuple(features_of(record.events, default_index())), features_fp=fingerprint)


def scan_articles(
    config: SiteConfig,
    stamps: dict[str, ArticleStamp],
    store: DiskStore,
    executor: ExecutorSpec,
    progress: Progress | None = None,
) -> _Scan:
    """Read every article file; tag those whose cache entry does not match (in parallel)."""
    scan = _Scan()
    paths = find_article_files(config.content_dir)
    # Without a cache most articles are to be tagged: the workers start, and get ready, while
    # the files are read.
    early = executor.kind == "process" and executor.workers > 1 and not stamps and len(paths) >= POOL_THRESHOLD
    with open_executor(executor) if early else nullcontext() as pool:
        if pool is not None:
            for _ in range(executor.workers):
                pool.submit(warm_up, len(paths) // executor.workers)
        _scan(config, stamps, store, executor, progress, scan, paths, pool)
    return scan


def _scan(
    config: SiteConfig,
    stamps: dict[str, ArticleStamp],
    store: DiskStore,
    executor: ExecutorSpec,
    progress: Progress | None,
    scan: _Scan,
    paths: list[str],
    pool: Executor | None,
) -> None:
    jobs: list[TagJob] = []
    # Workers on this machine store full articles in the cache themselves; Dask's may be elsewhere.
    local_store = store.root if executor.kind == "process" else None
    # A file changed within the last second may change again within the same timestamp tick, so
    # its size and time vouch for nothing: it is always read and hashed, and its time not recorded.
    trust_before = time.time_ns() - 1_000_000_000
    seen_of: dict[str, FileSeen | None] = {}
    rel_of: dict[str, str] = {}
    # Plain string prefixes: pathlib's relative_to is most of the time of a build with no changes.
    content_prefix = str(config.content_dir).rstrip("/") + "/"
    site_prefix = str(config.site_dir).rstrip("/") + "/"
    for name in paths:
        shown = name[len(site_prefix) :] if name.startswith(site_prefix) else name
        rel = name[len(content_prefix) :] if name.startswith(content_prefix) else Path(name).relative_to(config.content_dir).as_posix()
        if os.sep != "/":  # pragma: no cover - Windows
            shown, rel = display_path(Path(name), config.site_dir), Path(name).relative_to(config.content_dir).as_posix()
        if not name.isascii():  # names are UTF-8 whatever the locale
            if not is_utf8_name(rel):
                scan.order.append(rel)
                scan.failed[rel] = Problem(path_text(shown), "file name is not valid UTF-8: rename the file (skipped)")
                continue
            shown, rel = path_text(shown), path_text(rel)
        scan.order.append(rel)
        stamp = stamps.get(rel)
        try:
            st = os.stat(name)
        except OSError:
            st = None
        if (
            st is not None
            and stamp is not None
            and stamp.seen == FileSeen(shown, st.st_size, st.st_mtime_ns)
            and st.st_mtime_ns < trust_before
            and stamp.valid_on(config.today)
        ):
            continue  # the file is as the cache saw it: not even read
        path = Path(name)
        try:
            data = read_article_bytes(path)
        except ContentError as e:
            scan.failed[rel] = e.problem(shown)
            continue
        key = article_key(data, rel, shown, store.fingerprint + config.timezone)
        seen = FileSeen(shown, st.st_size, st.st_mtime_ns) if st is not None and st.st_mtime_ns < trust_before else None
        if stamp is None or stamp.key != key or not stamp.valid_on(config.today):
            jobs.append(TagJob(key, path, config.content_dir, shown, data, config.today, config.timezone, local_store))
            seen_of[key] = seen
            rel_of[key] = rel
        elif stamp.seen != seen:
            scan.seen[rel] = seen  # same bytes, file touched: remember it as it is now

    def tagged(done: int) -> None:
        if progress:
            progress("tagging", done, len(jobs))

    scan.tagged = len(jobs)
    if pool is None and 0 < len(jobs) < POOL_THRESHOLD and tagging.FORK_FEW and executor.kind == "process" and executor.workers > 1 and can_fork():
        # A few articles: a forked child tags them (and compiles the tagger's grammar, a fixed
        # cost of every process that tags) while this process loads the cache (_finish_scan).
        scan.pending = (Forked(lambda: tag_batch(jobs)), jobs, rel_of, seen_of)
        return
    _take_outcomes(scan, store, tag_stream(jobs, executor, pool, on_done=tagged), rel_of, seen_of)


def _take_outcomes(scan: _Scan, store: DiskStore, outcomes, rel_of: dict[str, str], seen_of: dict[str, FileSeen | None]) -> None:
    from timeline.chronology import features_fingerprint

    # Full articles go to the cache a batch at a time (a local worker stored them itself); the
    # build keeps only the small summary.
    unstored: list[tuple[str, DatedArticle]] = []
    for outcome in outcomes:
        rel = rel_of[outcome.job_key]
        if outcome.problem is not None:
            scan.failed[rel] = outcome.problem
            continue
        if not outcome.stored:
            assert outcome.dated is not None
            unstored.append((outcome.job_key, outcome.dated))
            if len(unstored) >= STORE_BATCH:
                store.put_articles(unstored)
                unstored = []
        assert outcome.summary is not None
        record = scan.fresh[rel] = replace(with_features(outcome.summary, features_fingerprint()), seen=seen_of.get(outcome.job_key))
        for packed in (record.events, record.features):
            if isinstance(packed, PackedTuple):  # the merge reads them all: unpacked while workers still tag
                packed.unpacked()
    store.put_articles(unstored)


def _finish_scan(scan: _Scan, store: DiskStore) -> None:
    """Take the outcomes of articles tagged in a forked child (tag them here if it failed)."""
    if scan.pending is None:
        return
    child, jobs, rel_of, seen_of = scan.pending
    scan.pending = None
    try:
        outcomes = child.result()
    except Exception:  # the child died or its result did not come back: tag here
        outcomes = [tag_one(job) for job in jobs]
    _take_outcomes(scan, store, outcomes, rel_of, seen_of)


def usable_articles(config: SiteConfig, scan: _Scan, stamps: dict[str, ArticleStamp], problems: list[Problem]) -> list[str]:
    """Paths of the articles that go on the site, reporting failures, notes and clashing page names."""
    usable: list[str] = []
    by_slug: dict[str, str] = {}
    for rel in scan.order:
        if rel in scan.failed:
            problems.append(scan.failed[rel])
            continue
        stamp = stamps[rel]
        if stamp.slug in by_slug:
            shown = display_path(config.content_dir / os_path(rel), config.site_dir)
            other = display_path(config.content_dir / os_path(by_slug[stamp.slug]), config.site_dir)
            problems.append(Problem(shown, f"same page name '{stamp.slug}' as {other}; rename one of them (skipped)"))
            continue
        by_slug[stamp.slug] = rel
        problems.extend(stamp.notes)
        usable.append(rel)
    return usable


def _site_digest(rels: list[str], stamps: dict[str, ArticleStamp], render_fp: str, extra: bytes = b"") -> str:
    """Digest of everything the site is made from: the articles, the events file (``extra``), the
    settings, theme and code."""
    digest = hashlib.sha256(render_fp.encode())
    for rel in rels:
        digest.update(f"\0{rel}\0{stamps[rel].key}".encode())
    digest.update(b"\0events\0" + hashlib.sha256(extra).digest())
    return digest.hexdigest()


def read_standalone_events(config: SiteConfig, problems: list[Problem]) -> tuple[tuple[Event, ...], bytes]:
    """The events of ``content/events.yaml`` (none when it is absent), and its bytes for the site digest."""
    from timeline.manual import EVENTS_FILE

    path = config.content_dir / EVENTS_FILE
    if not path.is_file():
        return (), b""
    from timeline.events import standalone_events
    from timeline.manual import read_events_file

    try:
        data = path.read_bytes()
    except OSError:
        data = b""  # read_events_file reports it
    entries, found = read_events_file(path, display_path(path, config.site_dir))
    problems.extend(found)
    return tuple(standalone_events(entries)), data


def build_site(
    config: SiteConfig,
    cache: ArticleCache | None = None,
    *,
    executor: ExecutorSpec | None = None,
    progress: Progress | None = None,
    write_if: WritePolicy | None = None,
) -> BuildResult:
    """Build the whole site. Pass the same ``cache`` to successive builds of one process; between
    processes, the disk cache in ``.timeline-cache/`` makes rebuilds incremental.

    ``write_if`` is asked, with the problems found in the content, whether to render and write the
    site; when it says no, everything is still read and tagged (``result.articles``,
    ``result.timeline``) and the output folder stays as it is (``site_written`` False). See
    ``never_write`` and ``write_without_errors``."""
    started = time.perf_counter()
    # The cyclic garbage collector would scan the cached index and the merged timeline (a few
    # million objects, none in a cycle) again and again while pages are made: a fifth of a small
    # rebuild. It runs again when the build is over.
    collecting = gc.isenabled()
    gc.disable()
    try:
        result = _build(config, cache if cache is not None else ArticleCache(), executor, progress, write_if)
    finally:
        if collecting:
            gc.enable()
    result.seconds = time.perf_counter() - started
    return result


def _build(
    config: SiteConfig,
    cache: ArticleCache,
    executor: ExecutorSpec | None,
    progress: Progress | None,
    write_if: WritePolicy | None = None,
) -> BuildResult:
    result = BuildResult()
    problems = result.problems
    fingerprint = tagging_fingerprint()
    if (
        cache.store is not None
        and cache.store.fingerprint == fingerprint
        and cache.store.root == DiskStore.folder(config.site_dir, fingerprint)
        and cache.store.still_on_disk()
    ):
        store = cache.store  # it knows what its files hold: only changes need saving
    else:
        store = cache.store = DiskStore.open(config.site_dir, fingerprint)
    if cache.fingerprint != fingerprint:
        cache.fingerprint, cache.stamps, cache.index = fingerprint, store.load_stamps(), None

    if not config.content_dir.is_dir():
        # Fatal, not an empty site: a mistyped --content must not replace a good site with nothing.
        problems.append(
            Problem(
                display_path(config.content_dir, config.site_dir),
                "content folder not found: create it, or give the right one with --content or 'content =' in timeline.toml",
            )
        )
        return result
    try:
        scan = scan_articles(config, cache.stamps, store, executor or ExecutorSpec(), progress)
    except ExecutorError as e:
        problems.append(Problem("executor", str(e)))
        return result

    if scan.pending is not None:
        # While the child tags: load what this build will need (it loads nothing else meanwhile).
        if cache.index is None:
            cache.index = store.load_index()
        if cache.merge is None:
            cache.merge = store.load_merge()
        if write_if is not never_write and scan.pending[0].running():
            render.import_renderers()  # else the forked copies that render import what they need
        _finish_scan(scan, store)
    present = [rel for rel in scan.order if rel not in scan.failed]
    if scan.fresh or scan.seen or set(present) != set(cache.stamps):
        index = cache.index if cache.index is not None else store.load_index()
        index = {rel: scan.fresh.get(rel) or index.get(rel) for rel in present}
        from timeline.chronology import features_fingerprint

        fingerprint = features_fingerprint()
        index = {rel: record and with_features(record, fingerprint) for rel, record in index.items()}
        for rel, seen in scan.seen.items():
            if index.get(rel) is not None:
                index[rel] = replace(index[rel], seen=seen)
        if any(record is None for record in index.values()):  # stamps without index entries: retag all
            cache.stamps, cache.index = {}, {}
            return _build(config, cache, executor, progress, write_if)
        cache.index, cache.stamps = index, stamps_of(index)
        store.save_index(index, cache.stamps)
        store.keep_only({record.key for record in index.values()})

    def load_index() -> dict[str, TaggedArticle]:
        if cache.index is None:
            cache.index = store.load_index()
        return cache.index

    usable = usable_articles(config, scan, cache.stamps, problems)
    result.article_count, result.articles_tagged = len(usable), scan.tagged
    result._load = lambda: [load_index()[rel] for rel in usable]

    def merged() -> MergeState:
        from timeline.merge_state import MergeState, merge_state

        previous = cache.merge if cache.merge is not None else store.load_merge()
        if not isinstance(previous, MergeState):
            previous = None
        state = merge_state(result.articles, config.actors, previous, processes=(executor or ExecutorSpec()).workers, standalone=result.standalone)
        if state is not previous:
            store.save_merge(state)
        cache.merge = state
        return state

    result._merge = merged
    result.standalone, events_file = read_standalone_events(config, problems)

    def load(wanted: Sequence[TaggedArticle]) -> Iterator[DatedArticle]:
        stored = store.read_articles([tagged.key for tagged in wanted], whole_table=len(wanted) * 2 >= len(usable))
        for tagged, dated in zip(wanted, stored):
            if dated is None:  # the cache entry was lost: tag the article again
                path = config.content_dir / os_path(tagged.article.rel_path)
                job = TagJob(tagged.key, path, config.content_dir, display_path(path, config.site_dir), read_article_bytes(path), config.today, config.timezone)
                dated = tag_one(job).dated
                if dated is None:
                    raise ContentError(path, "changed during the build; build again")
                store.put_articles([(tagged.key, dated)])
            yield dated

    result._load_articles = load
    if write_if is not None and not write_if(problems):
        return result  # the site in place stays as it is
    clean_leftovers(config.output_dir)  # what a killed earlier build left

    output_dir = config.output_dir.resolve()
    try:
        check_output_dir(config.output_dir, [config.site_dir, config.content_dir] + ([config.theme_dir] if config.theme_dir else []))
        theme = cache.theme(config.theme_dir, config.site_dir / CACHE_DIR / "templates")
        renderer = SiteRenderer(config, theme)
        digest = _site_digest(usable, cache.stamps, renderer.fingerprint, events_file)
        previous = cache.manifests.get(output_dir) or OutputManifest.load(config.site_dir, output_dir)
        if previous.site_digest == digest and previous.all_intact(output_dir):
            # Nothing any page depends on changed, and the site in place is the one last written.
            result.pages_unchanged = len(previous.files)
            result.event_count = previous.entries
            result.site_written = True
        else:
            if progress:
                progress("merging", 0, 1)
            timeline = result.timeline
            assert timeline is not None
            result.event_count = len(timeline.entries)
            renderer.reusable = lambda path, inputs: (
                (record := previous.files.get(path)) is not None
                and record.inputs == inputs
                and previous.intact(output_dir, path)
            )
            renderer.previous_pieces = lambda path: previous.pieces(output_dir, path)
            renderer.tokens = cache.merge.tokens() if cache.merge is not None else {}
            renderer.article_tokens = cache.merge.article_tokens if cache.merge is not None else None
            site = Site(newest_first(result.articles), timeline, load)
            # The replaced site is kept in the cache, so the next build changes only what differs.
            spare = config.site_dir / CACHE_DIR / f"spare-{OutputManifest.path(config.site_dir, output_dir).stem}"
            writer = SiteWriter(output_dir, previous, spare)
            try:
                producers = render.PRODUCERS
                pages: list[list[str]] = [[] for _ in producers]
                everything = range(len(producers))
                parts = _forked_parts(config, executor, previous, renderer, scan.tagged, len(usable))
                if parts:
                    renderer.prepare(site)
                    sides = [[i for i, producer in enumerate(producers) if producer in part] for part in parts]
                    forked: list[Forked] = []
                    try:
                        for side in sides:
                            forked.append(Forked(lambda side=side: (writer.write(render_part(renderer, site, side, pages)), [pages[i] for i in side])))
                        writer.write(render_part(renderer, site, [i for i in everything if not any(i in side for side in sides)], pages))
                    except BaseException:
                        for child in forked:
                            child.stop()
                        raise
                    for side, child in zip(sides, forked):
                        placed, side_pages = child.result()
                        for i, made in zip(side, side_pages):
                            pages[i] = made
                        writer.absorb(placed)
                else:
                    files = render_part(renderer, site, everything, pages)
                    writer.write(_counting(files, len(usable) + 3, progress) if progress else files)
                writer.write(sitemap(renderer, pages))
            except BaseException:
                writer.abort()
                raise
            report = writer.finish()
            assert report.manifest is not None
            report.manifest.site_digest = digest
            report.manifest.render_fp = renderer.fingerprint
            report.manifest.entries = result.event_count
            report.manifest.save(config.site_dir, output_dir)
            cache.manifests = {output_dir: report.manifest}
            result.pages_written, result.pages_unchanged = report.written, report.unchanged
            result.site_written = True
    except OutputError as e:
        problems.append(Problem(display_path(config.output_dir, config.site_dir), str(e)))
    except ContentError as e:
        problems.append(e.problem())
    except Exception as e:
        problem = _template_problem(e)
        if problem is None:
            raise
        problems.append(problem)
    return result


def _template_problem(error: Exception) -> Problem | None:
    """The problem a theme's template error is for the user, or None for any other error."""
    import jinja2

    if isinstance(error, jinja2.TemplateSyntaxError):
        return Problem(error.filename or error.name or "template", f"template error: {error.message}", error.lineno)
    if isinstance(error, jinja2.TemplateError):
        return Problem("theme", f"template error: {error}")
    return None


# What forked copies of this process render, each part in a copy of its own, beside this process.
# When most pages are to be made: the article pages with the calendar; and the other exports; beside
# the timeline, year and actor pages, which show the same entries: made once in this process, an
# entry's HTML serves all three (``SiteRenderer.page``). Three processes share two cores: the
# longest part (this process's) ends last, alone, unless the other two hold about as much work.
COLD_PARTS = ((article_pages, calendar_file), (data_files, feed_file, export_files))
# When few pages change: the article pages (checked one by one), the CSV, TimelineJS and calendar
# files (with the icalendar package's import, when it was not imported while waiting), beside the
# timeline, year and actor pages (which share entries' HTML), events.json and the feed.
REBUILD_PARTS = ((article_pages, export_files, calendar_file),)
# Render in parts when the site has at least this many articles.
PARALLEL_PAGES = 400


def _forked_parts(
    config: SiteConfig, executor: ExecutorSpec | None, previous: OutputManifest, renderer: SiteRenderer, tagged: int, articles: int
) -> tuple[tuple, ...]:
    """The parts of the site to render in forked copies of this process (none: all here). Most
    pages are to be made when there is no site yet, another theme or settings, or most articles
    are new."""
    if not can_fork() or (executor or ExecutorSpec()).workers < 2 or articles < PARALLEL_PAGES:
        return ()
    if not previous.files or previous.render_fp != renderer.fingerprint or tagged * 2 > articles:
        return COLD_PARTS
    return REBUILD_PARTS


def _counting(files, total: int, progress: Progress):
    for done, file in enumerate(files, 1):
        progress("writing", min(done, total), total)
        yield file
