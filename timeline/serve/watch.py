"""Which file changes matter to the preview, and when to rebuild for them.

The content, theme and settings file are watched; the output folder and the build cache never
are (a build would trigger itself). Editors save in bursts (a swap file, a backup, a temporary file
renamed over the article), and a ``git checkout`` touches hundreds of files at once: changes are
collected until the files have been quiet for a moment, then rebuilt once.
"""

from __future__ import annotations

import os
import threading
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from watchdog.events import FileSystemEventHandler

from timeline.config import SiteConfig

# Names editors and tools write beside the file being saved, never content: Vim's swap files,
# backups ("article.md~"), generic temporary files, JetBrains' safe-write files.
TEMP_SUFFIXES = (".swp", ".swx", ".swo", "~", ".tmp", "___jb_tmp___", "___jb_old___")
# Vim checks that it may write in a folder by creating "4913" (then 5036, 5159, ... if taken).
_VIM_PROBE_FIRST, _VIM_PROBE_STEP = 4913, 123


def is_editor_temp(name: str) -> bool:
    """Whether a file name is an editor's temporary or backup file rather than something to build.

    Hidden names cover Emacs locks (".#article.md"), gedit's ".goutputstream-XXXXXX", Vim's
    ".article.md.swp" and system files (".DS_Store"); "#article.md#" is Emacs's auto-save.
    """
    if not name or name.startswith("."):
        return True
    if name.lower().endswith(TEMP_SUFFIXES):
        return True
    if len(name) > 1 and name.startswith("#") and name.endswith("#"):
        return True
    if name.isdigit() and int(name) >= _VIM_PROBE_FIRST and (int(name) - _VIM_PROBE_FIRST) % _VIM_PROBE_STEP == 0:
        return True
    return False


@dataclass(frozen=True)
class WatchPlan:
    """What the preview watches: folders with everything below them, and single files."""

    folders: tuple[Path, ...]  # content and theme folders
    files: tuple[Path, ...]  # the settings file (watched through its folder, even before it exists)
    ignored: tuple[Path, ...]  # never relevant, even inside a watched folder: the output folder

    @classmethod
    def for_site(cls, config: SiteConfig, config_file: Path) -> WatchPlan:
        folders = [config.content_dir] + ([config.theme_dir] if config.theme_dir else [])
        return cls(tuple(folders), (config_file,), (config.output_dir,))

    def relevant(self, path: str | Path) -> bool:
        """Whether a change at ``path`` can change the site."""
        path = Path(path)
        if any(path == folder or path.is_relative_to(folder) for folder in self.ignored):
            return False
        if path in self.files:
            return True
        for folder in self.folders:
            if path == folder:
                return True  # the folder itself appeared, vanished or was renamed
            if path.is_relative_to(folder):
                parts = path.relative_to(folder).parts
                # Hidden folders (".git", the build's staging folders) hold nothing the build reads.
                return not any(part.startswith(".") for part in parts[:-1]) and not is_editor_temp(parts[-1])
        return False

    def schedules(self) -> set[tuple[Path, bool]]:
        """(folder, recursive) to hand to the observer: those that exist now."""
        wanted = {(folder, True) for folder in self.folders if folder.is_dir()}
        wanted |= {(file.parent, False) for file in self.files if file.parent.is_dir()}
        # A folder watched recursively already reports what a non-recursive watch of it would.
        return {(f, r) for f, r in wanted if r or (f, True) not in wanted}


# Reading a file or closing it unwritten changes nothing; a folder's "modified" repeats what the
# events of the files in it say.
_QUIET_EVENTS = {"opened", "closed_no_write"}


def event_paths(event_type: str, is_directory: bool, src_path: str | bytes, dest_path: str | bytes = "") -> list[str]:
    """The paths a file system event may have changed. A rename counts at both ends: an atomic
    save renames a temporary file over the article (only the destination is content), and a
    rename away from an article removes it."""
    if event_type in _QUIET_EVENTS or (is_directory and event_type == "modified"):
        return []
    paths = [os.fsdecode(src_path)]
    if event_type == "moved" and dest_path:
        paths.append(os.fsdecode(dest_path))
    return paths


class Debouncer:
    """Collects changed paths and says when a burst of changes is over.

    A burst ends when no change came for ``quiet`` seconds, or ``longest`` seconds after it began
    (so a file rewritten continuously still gets rebuilt). Time is passed in, for testing.
    """

    def __init__(self, quiet: float = 0.05, longest: float = 2.0):
        self.quiet = quiet
        self.longest = longest
        self._pending: set[str] = set()
        self._first = 0.0
        self._last = 0.0

    def add(self, path: str, now: float) -> None:
        if not self._pending:
            self._first = now
        self._pending.add(path)
        self._last = now

    def due_in(self, now: float) -> float | None:
        """Seconds until the pending changes should be built (0: now); None when nothing is pending."""
        if not self._pending:
            return None
        return max(0.0, min(self._last + self.quiet, self._first + self.longest) - now)

    def take(self, now: float) -> frozenset[str]:
        """The paths of a finished burst (and forget them); empty while the burst goes on."""
        if self.due_in(now) != 0.0:
            return frozenset()
        taken, self._pending = frozenset(self._pending), set()
        return taken


class RebuildLoop:
    """Calls ``action(changed_paths)`` in one background thread, once per burst of changes.

    Changes that arrive while the action runs are collected and make one more call afterwards.
    """

    def __init__(
        self,
        action: Callable[[frozenset[str]], None],
        debouncer: Debouncer | None = None,
        clock: Callable[[], float] = time.monotonic,
    ):
        self._action = action
        self._debouncer = debouncer or Debouncer()
        self._clock = clock
        self._changed = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._run, name="timeline-rebuild", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def add(self, path: str) -> None:
        with self._changed:
            self._debouncer.add(path, self._clock())
            self._changed.notify()

    def stop(self, timeout: float | None = None) -> bool:
        """Stop after the action in progress, if any; False when it is still running after ``timeout``."""
        with self._changed:
            self._stopping = True
            self._changed.notify()
        if self._thread.is_alive():
            self._thread.join(timeout)
        return not self._thread.is_alive()

    def _run(self) -> None:
        with self._changed:
            while not self._stopping:
                wait = self._debouncer.due_in(self._clock())
                if wait is None or wait > 0:
                    self._changed.wait(wait)
                    continue
                changed = self._debouncer.take(self._clock())
                self._changed.release()
                try:
                    self._action(changed)
                except Exception:  # noqa: BLE001 - the loop must go on watching whatever happens
                    traceback.print_exc()
                finally:
                    self._changed.acquire()


class Watcher:
    """A watchdog observer on a ``WatchPlan``; reports each relevant changed path to ``on_change``.

    ``poll`` uses stat polling instead of kernel notifications (network mounts, some containers);
    when the kernel refuses more watches, it falls back to polling and says so through ``warn``.
    """

    def __init__(self, on_change: Callable[[str], None], poll: bool = False, warn: Callable[[str], None] = print):
        self._on_change = on_change
        self._warn = warn
        self._poll = poll
        self._plan: WatchPlan | None = None
        self._scheduled: set[tuple[Path, bool]] = set()
        self._observer = self._new_observer()
        self._observer.start()

    def _new_observer(self):
        if self._poll:
            from watchdog.observers.polling import PollingObserver

            return PollingObserver(timeout=0.5)
        from watchdog.observers import Observer

        return Observer()

    def watch(self, plan: WatchPlan) -> None:
        """Watch what ``plan`` names (again, if folders appeared or the settings moved them)."""
        wanted = plan.schedules()
        if plan == self._plan and wanted == self._scheduled:
            return
        self._plan = plan
        handler = _Handler(self)
        try:
            self._schedule(handler, wanted)
        except OSError as e:
            if self._poll:
                raise
            self._warn(f"cannot watch the files with kernel notifications ({e.strerror or e}); polling instead")
            self._observer.stop()
            self._observer.join()
            self._poll = True
            self._observer = self._new_observer()
            self._observer.start()
            self._schedule(handler, wanted)

    def _schedule(self, handler: _Handler, wanted: Iterable[tuple[Path, bool]]) -> None:
        self._observer.unschedule_all()
        self._scheduled = set()
        for folder, recursive in sorted(wanted):
            self._observer.schedule(handler, str(folder), recursive=recursive)
            self._scheduled.add((folder, recursive))

    def _dispatch(self, event) -> None:
        plan = self._plan
        if plan is None:
            return
        for path in event_paths(event.event_type, event.is_directory, event.src_path, getattr(event, "dest_path", "")):
            if plan.relevant(path):
                self._on_change(path)

    def stop(self) -> None:
        self._observer.stop()
        self._observer.join()


class _Handler(FileSystemEventHandler):
    def __init__(self, watcher: Watcher):
        super().__init__()
        self._watcher = watcher

    def dispatch(self, event) -> None:
        self._watcher._dispatch(event)
