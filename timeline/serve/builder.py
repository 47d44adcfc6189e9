"""Rebuilding for the preview: incremental builds, what changed for the browser, errors shown once.

One ``ArticleCache`` lives as long as the server, so a rebuild re-reads and re-tags only the
articles that changed, and ``write_site`` rewrites only the files whose bytes changed and swaps the
new site in whole. A build that brings a new error (an article that no longer reads, a template
that no longer compiles, a settings file that no longer parses) is not written: the last good site
stays in the output folder and the browser shows the error over it until a build without it.
"""

from __future__ import annotations

import re
import threading
import time
import traceback
from collections.abc import Callable, Collection, Iterator
from contextlib import contextmanager
from pathlib import Path

from timeline.build import ArticleCache, BuildResult, build_site
from timeline.config import ConfigError, SiteConfig
from timeline.problems import Problem, display_path
from timeline.serve.livereload import PreviewState, ReloadChannel

_STYLESHEET = ".css"
_TOML_PLACE = re.compile(r"\(at line (\d+), column (\d+)\)")


class BuildGate:
    """Lets a request arriving during a rebuild wait for the finished site."""

    def __init__(self) -> None:
        self._idle = threading.Condition()
        self._building = False

    @contextmanager
    def building(self) -> Iterator[None]:
        with self._idle:
            self._building = True
        try:
            yield
        finally:
            with self._idle:
                self._building = False
                self._idle.notify_all()

    def wait(self, timeout: float | None) -> bool:
        """Wait until no build runs, at most ``timeout`` seconds; False if one still runs."""
        with self._idle:
            return self._idle.wait_for(lambda: not self._building, timeout)


def config_problem(error: ConfigError, site_dir: Path) -> Problem:
    """A settings error as a problem with a place: "timeline.toml:3:7: ..." where the file says."""
    text = str(error)
    path, sep, message = text.partition(": ")
    if not sep or not path.endswith(".toml"):
        return Problem("settings", text)
    place = _TOML_PLACE.search(message)
    line, column = (int(place[1]), int(place[2])) if place else (None, None)
    return Problem(display_path(Path(path), site_dir), message, line, column)


class PreviewBuilder:
    """Runs the preview's builds (one at a time) and publishes what each means for open pages."""

    def __init__(
        self,
        load_config: Callable[[], SiteConfig],
        channel: ReloadChannel,
        echo: Callable[[str], None],
        site_dir: Path,
    ):
        self._load_config = load_config
        self.channel = channel
        self._echo = echo
        self._site_dir = site_dir
        self.gate = BuildGate()
        self.cache = ArticleCache()
        self.config: SiteConfig | None = None
        self.seconds = 0.0  # duration of the latest build
        # The files with errors when the site in the output folder was written; None before the
        # first build. A later build with errors in other files is not written.
        self._accepted_errors: frozenset[str] | None = None
        self._reported: set[str] = set()  # problems printed for the previous build
        self._lock = threading.Lock()

    def rebuild(self, changed: Collection[str] = ()) -> PreviewState:
        """Build now; never raises for anything the site's files contain."""
        with self._lock, self.gate.building():
            started = time.perf_counter()
            self.channel.publish(self.channel.state.changed(building=True))
            try:
                state = self._rebuild(changed)
            except Exception as e:  # noqa: BLE001 - the preview outlives any build
                message = (
                    f"the build stopped unexpectedly ({type(e).__name__}: {e}); the last good site is still "
                    "served. This is a bug in timeline: please report it with the text below"
                )
                problem = Problem("timeline", message)
                self._report([problem], details={str(problem): traceback.format_exc()})
                state = self._next_state("failed", (problem,), changed=None)
            self.seconds = time.perf_counter() - started
            self.channel.publish(state)  # before the gate opens: waiting requests see the new state
        return state

    def _rebuild(self, changed: Collection[str]) -> PreviewState:
        try:
            config = self._load_config()
        except ConfigError as e:
            problem = config_problem(e, self._site_dir)
            self._report([problem])
            self._echo("settings not applied: the preview keeps the last good site until they are fixed")
            return self._next_state("failed", (problem,), changed=None)
        if self.config is not None and config.output_dir != self.config.output_dir:
            self._accepted_errors = None  # nothing of ours is in the new output folder yet
        self.config = config
        before = self._output_files(config)
        result = build_site(config, self.cache, write_if=self._may_write)
        errors = tuple(result.errors)
        self._report(result.problems)
        prefix = f"{self._describe(changed, config)}: " if changed else ""
        if not result.site_written:
            new = sorted({p.path for p in errors} - (self._accepted_errors or frozenset()))
            until = f" until {', '.join(new)} {'is' if len(new) == 1 else 'are'} fixed" if new else ""
            self._echo(f"{prefix}not written; the preview keeps the last good site{until}")
            return self._next_state("failed", errors, changed=None)
        self._echo(prefix + result.summary())
        self._accepted_errors = frozenset(p.path for p in errors)
        return self._next_state("errors" if errors else "ok", errors, changed=self._changed_files(before, config, result))

    def _may_write(self, problems: list[Problem]) -> bool:
        if self._accepted_errors is None:
            return True
        return {p.path for p in problems if p.severity == "error"} <= self._accepted_errors

    def _next_state(self, status: str, problems: tuple[Problem, ...], changed: set[str] | None) -> PreviewState:
        """The state after this build. ``changed``: output files whose bytes changed (None: unknown
        because nothing was written)."""
        state = self.channel.state
        build, pages = state.build, state.pages
        if build == 0:  # the first build: pages served before it (a placeholder, or nothing) reload
            build = pages = 1
        elif changed:
            build += 1
            if not all(path.endswith(_STYLESHEET) for path in changed):
                pages = build
        return state.changed(build=build, pages=pages, status=status, problems=problems, building=False)

    def _output_files(self, config: SiteConfig) -> dict[str, str] | None:
        manifest = self.cache.manifests.get(config.output_dir.resolve())
        return {path: record.sha for path, record in manifest.files.items()} if manifest else None

    def _changed_files(self, before: dict[str, str] | None, config: SiteConfig, result: BuildResult) -> set[str]:
        after = self._output_files(config)
        if after is None or after == before:
            return set()
        if before is None:
            return set(after) if result.pages_written else set()
        return {path for path in before.keys() | after.keys() if before.get(path) != after.get(path)}

    def _describe(self, changed: Collection[str], config: SiteConfig) -> str:
        if len(changed) == 1:
            return display_path(Path(next(iter(changed))), config.site_dir) + " changed"
        return f"{len(changed)} files changed"

    def _report(self, problems: list[Problem], details: dict[str, str] | None = None) -> None:
        """Print the problems not printed for the previous build: an error that stays is shown once."""
        reported = set()
        for problem in problems:
            line = f"{problem.severity}: {problem}" if problem.severity != "info" else str(problem)
            reported.add(line)
            if line not in self._reported:
                self._echo(line)
                if details and str(problem) in details:
                    self._echo(details[str(problem)].rstrip())
        self._reported = reported
