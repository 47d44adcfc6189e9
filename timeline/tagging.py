"""Tagging many articles in parallel through the standard ``concurrent.futures.Executor`` interface.

Tagging is the costly, embarrassingly parallel stage. Work is sent as the file's bytes (a remote
worker needs no access to the content folder) in small batches, and results come back as a stream
in completion order, with a bounded number of batches in flight so memory does not grow with the
archive. The executor is a local process pool by default, or a Dask cluster's executor.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Executor, Future, wait
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from typing import TYPE_CHECKING

from timeline.problems import ContentError, Problem

if TYPE_CHECKING:  # imported when tagging: a build with nothing to tag needs none of them
    from timeline.cache import TaggedArticle
    from timeline.dating import DatedArticle
    from timeline.events import Event

EXECUTORS = ("process", "dask")
# Tag the few articles of a small rebuild in a forked child, while the build loads its cache.
FORK_FEW = True
# Fewer changed articles than this are tagged in this process: starting workers costs more.
POOL_THRESHOLD = 24
BATCH_SIZE = 8


class ExecutorError(Exception):
    """The requested executor cannot be used (Dask missing, scheduler unreachable)."""


@dataclass(frozen=True)
class TagJob:
    key: str
    path: Path
    content_dir: Path
    shown_path: str
    data: bytes
    today: date
    timezone: str = "UTC"  # the site's, for publication times written without an offset
    # The cache folder, when the worker shares this machine's disk: it stores the full tagged
    # article itself and sends back only the small summary.
    store: Path | None = None


@dataclass(frozen=True)
class TagOutcome:
    job_key: str
    path: Path
    dated: DatedArticle | None
    problem: Problem | None
    # What the build keeps of the article, with its events and what merging compares of each
    # (computed here so that it runs in parallel too).
    summary: TaggedArticle | None = None
    stored: bool = False  # ``dated`` is in the cache already (and not sent back)

    @property
    def events(self) -> Sequence[Event]:
        return self.summary.events if self.summary is not None else ()


def date_article(article, today: date, shown_path: str) -> DatedArticle:
    """``dating.date_article``, imported when an article is first tagged (the Markdown reader and
    the tagger take a while to import, and a build with nothing to tag needs neither)."""
    from timeline.dating import date_article as dated

    return dated(article, today, shown_path)


def tag_one(job: TagJob) -> TagOutcome:
    from timeline.actors import default_index
    from timeline.articles import decode_article, parse_article
    from timeline.cache import summarize
    from timeline.chronology import features_fingerprint, features_of
    from timeline.events import extract_events

    def failed(message: str) -> TagOutcome:
        return TagOutcome(job.key, job.path, None, Problem(job.shown_path, message))

    try:
        article = parse_article(decode_article(job.path, job.data), job.path, job.content_dir, job.timezone)
        dated = date_article(article, job.today, job.shown_path)
        events = tuple(extract_events(dated))
        features = features_of(events, default_index())
    except ContentError as e:
        return TagOutcome(job.key, job.path, None, e.problem(job.shown_path))
    except RecursionError:
        # The Markdown renderer recurses once per nesting level of lists and quotes.
        return failed("Markdown nested too deeply to render; flatten the lists or quotes (skipped)")
    except Exception as e:  # noqa: BLE001 - one article must never stop the build
        return failed(
            f"could not be processed ({type(e).__name__}: {e}); skipped. This is a bug in timeline:"
            " please report it with this file"
        )
    summary = summarize(job.key, dated, list(events), job.today, features, features_fingerprint())
    return TagOutcome(job.key, job.path, dated, None, summary)


def warm_up(articles: int = 0) -> None:
    """Load what tagging needs and compile the tagger's grammar: run in each local worker while
    the main process still reads the content folder. ``articles``: about how many the worker will
    tag; for a few hundred, the rules' faster regexes pay for their compiling (``fast_grammar``)."""
    from timeline.actors import default_index
    from timeline.document import from_markdown
    from timeline.tagger import tag
    from timeline.tagger.rules import FAST_AFTER_ARTICLES, fast_grammar

    default_index()
    from_markdown("*Warm* up.")  # Markdown syntax: plain text would not build the converter
    if articles >= FAST_AFTER_ARTICLES:
        fast_grammar()
    tag("The talks opened on Monday, May 5, 2003.", date(2003, 5, 1))


def tag_batch(jobs: list[TagJob]) -> list[TagOutcome]:
    """Tag ``jobs``; where they name the cache folder (a worker on this machine), store the full
    articles there and send back only the summaries."""
    from timeline.cache import save_articles

    outcomes = [tag_one(job) for job in jobs]
    store = jobs[0].store if jobs else None
    tagged = [(o.job_key, o.dated) for o in outcomes if o.dated is not None]
    if store is not None and tagged and save_articles(store, tagged):
        outcomes = [replace(o, dated=None, stored=True) if o.dated is not None else o for o in outcomes]
    return outcomes


def default_jobs() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class ExecutorSpec:
    """How to run the tagging stage: ``jobs`` local processes, or a Dask scheduler's workers."""

    kind: str = "process"
    jobs: int | None = None  # None: all cores
    scheduler: str | None = None  # Dask scheduler address, e.g. tcp://host:8786
    connect_seconds: float = 10.0  # how long to wait for the scheduler

    @property
    def workers(self) -> int:
        return self.jobs or default_jobs()


@contextmanager
def open_executor(spec: ExecutorSpec) -> Iterator[Executor | None]:
    """The executor for ``spec``; None means "tag in this process"."""
    if spec.kind == "dask":
        try:
            from distributed import Client
        except ImportError:
            raise ExecutorError("the Dask executor needs dask.distributed: pip install 'timeline[dask]'") from None
        if not spec.scheduler:
            raise ExecutorError("--executor dask needs --scheduler tcp://host:8786")
        try:
            client = Client(spec.scheduler, timeout=f"{spec.connect_seconds}s")
        except (OSError, TimeoutError) as e:
            raise ExecutorError(f"cannot reach the Dask scheduler at {spec.scheduler}: {e}") from None
        try:
            yield client.get_executor()
        finally:
            client.close()
        return
    if spec.workers <= 1:
        yield None
        return
    from concurrent.futures import ProcessPoolExecutor

    with ProcessPoolExecutor(max_workers=spec.workers) as pool:
        yield pool


def tag_stream(
    jobs: list[TagJob],
    spec: ExecutorSpec,
    executor: Executor | None = None,
    on_done: Callable[[int], None] | None = None,
) -> Iterator[TagOutcome]:
    """Tag ``jobs`` and yield each outcome as soon as it is ready (completion order).

    ``executor`` overrides ``spec`` (e.g. an executor a caller keeps open across builds).
    """
    done = 0
    if executor is None and (len(jobs) < POOL_THRESHOLD or (spec.kind == "process" and spec.workers <= 1)):
        for job in jobs:
            yield tag_one(job)
            done += 1
            if on_done:
                on_done(done)
        return
    if executor is not None:
        yield from _stream(executor, jobs, 4 * spec.workers, on_done)
        return
    with open_executor(spec) as opened:
        assert opened is not None  # one local worker was handled above
        yield from _stream(opened, jobs, 4 * spec.workers, on_done)


def _batches(jobs: list[TagJob], size: int) -> Iterable[list[TagJob]]:
    for i in range(0, len(jobs), size):
        yield jobs[i : i + size]


def _stream(executor: Executor, jobs: list[TagJob], window: int, on_done) -> Iterator[TagOutcome]:
    # At most ``window`` batches in flight: results are consumed as they come, never all held.
    size = max(1, min(BATCH_SIZE, len(jobs) // (window or 1) or 1))
    batches = iter(_batches(jobs, size))
    pending: set[Future] = set()
    done = 0
    for batch in batches:
        pending.add(executor.submit(tag_batch, batch))
        if len(pending) >= window:
            break
    while pending:
        finished, pending = wait(pending, return_when=FIRST_COMPLETED)
        for future in finished:
            try:
                outcomes = future.result()
            except Exception as e:  # a worker that died or lacks this version of timeline
                for other in pending:
                    other.cancel()
                raise ExecutorError(
                    f"tagging failed on the executor ({type(e).__name__}: {e}); "
                    "its workers need the same version of timeline installed"
                ) from None
            for outcome in outcomes:
                yield outcome
                done += 1
            if on_done:
                on_done(done)
            nxt = next(batches, None)
            if nxt is not None:
                pending.add(executor.submit(tag_batch, nxt))
