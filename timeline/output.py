"""Writing stage: put the rendered site on disk without ever leaving a half-written one.

The site is written into a fresh folder beside the output folder and swapped in only when
complete, so an interrupted (even killed) build leaves the previous site intact. Files whose bytes
did not change are hard links to the previous site's files rather than new copies: they keep their
bytes, inode and modification time (a deploy by rsync or git sees only real changes), and the
staging folder costs a link per unchanged file instead of a write. Nothing is ever written into a
linked file: new content always goes to a new file, so the previous site cannot be altered.
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import os
import re
import shutil
import sys
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from typing import TYPE_CHECKING

from timeline.cache import OutputManifest, OutputRecord, PackedPieces

if TYPE_CHECKING:
    from concurrent.futures import Future

    from timeline.render import OutputFile


class OutputError(Exception):
    pass


@dataclass(frozen=True)
class WriteReport:
    written: int  # files whose bytes are new
    bytes: int  # bytes of those files
    unchanged: int = 0  # files kept from the previous site
    manifest: OutputManifest | None = None  # the site now in the output folder


def check_output_dir(output_dir: Path, protected: Iterable[Path]) -> None:
    """Refuse an output folder whose replacement would delete something that is not build output."""
    output_dir = output_dir.resolve()
    dangerous = {Path("/"), Path.home().resolve()}
    for folder in protected:
        folder = folder.resolve()
        dangerous.add(folder)
        if folder.is_relative_to(output_dir):
            raise OutputError(f"output folder {output_dir} contains {folder}; choose a separate folder like 'output'")
    if output_dir in dangerous:
        raise OutputError(f"refusing to use {output_dir} as the output folder: it would be replaced by the build")


def _keep(previous: Path, target: Path | str) -> None:
    """Put the previous site's file into the new one: a hard link, or a copy where links fail.
    Whatever stood at ``target`` (a spare site's older file) is unlinked, never written into."""
    try:
        os.link(previous, target)
    except FileExistsError:
        _unlink(target)
        _keep(previous, target)
    except OSError:
        _unlink(target)
        shutil.copy2(previous, target)


def _write_new(target: Path | str, data: bytes) -> None:
    """Write ``data`` as a new file: one a spare site had there may be linked to a live site's,
    so it is removed, never written into."""
    try:
        f = open(target, "xb")
    except FileExistsError:
        _unlink(target)
        f = open(target, "xb")
    with f:
        f.write(data)


def _unlink(path: Path | str) -> None:
    """Remove what stands at ``path``: a file, or a folder a spare site had where a file goes now."""
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    except IsADirectoryError:
        shutil.rmtree(path)


def write_site(output_dir: Path, files: Iterable[OutputFile], previous: OutputManifest | None = None, spare: Path | None = None) -> WriteReport:
    """Write ``files`` as the new site. ``previous`` describes the site now in ``output_dir``:
    its unchanged files are carried over, and a file given without data must be one of them.
    ``spare``: where to keep the replaced site (see ``SiteWriter``)."""
    writer = SiteWriter(output_dir, previous, spare)
    try:
        writer.write(files)
    except BaseException:
        writer.abort()
        raise
    return writer.finish()


@dataclass
class Placed:
    """What one writer placed into the staging folder (sent back by a forked writer)."""

    records: dict[str, OutputRecord]
    sources: dict[str, str]
    written: int = 0
    bytes: int = 0
    unchanged: int = 0
    mirrored: bool = True  # every file was also linked into the mirror (see SiteWriter)


class SiteWriter:
    """The new site, made in a staging folder beside the output folder and swapped in whole.

    ``spare``: where to keep the replaced site instead of deleting it. The next build makes its
    staging folder from it, changing only the files that differ, rather than making every folder
    and link again (thousands of directory operations for a large site). What the spare holds is
    read from the folder itself, never assumed: a file is kept only when it is the very file (same
    inode) the site now has, anything else is replaced or removed.

    ``write`` may also run in a forked copy of the process, for another part of the site; its
    ``placed`` then joins this one's through ``absorb``."""

    def __init__(self, output_dir: Path, previous: OutputManifest | None = None, spare: Path | None = None):
        output_dir = output_dir.resolve()
        if output_dir.exists() and not output_dir.is_dir():
            raise OutputError(f"output folder {output_dir} is a file; remove it or choose another output folder")
        output_dir.parent.mkdir(parents=True, exist_ok=True)
        clean_leftovers(output_dir)
        self.output_dir = output_dir
        self.previous = previous or OutputManifest()
        self.spare = spare
        self.staging = _staging_name(output_dir, "building", os.getpid())
        shutil.rmtree(self.staging, ignore_errors=True)
        # What the staging folder holds already: path -> inode.
        present = _claim_spare(spare, self.staging, self.previous) if spare is not None else None
        if present is None:
            self.staging.mkdir()
            present = {}
        self.present = present
        folders: set[str] = {""} | {_folder_of(rel) for rel in present}
        self.folders = folders | {parent for rel in list(folders) for parent in _parents(rel)}
        self.placed = Placed({}, {})
        self._placer: _Placer | None = None
        # The first site in a folder replaces none, so there would be no spare for the next
        # build: each file is also linked into a mirror as it is placed (beside the rendering,
        # on the writer threads), and the mirror becomes the spare.
        self.mirror: Path | None = None
        if spare is not None:
            mirror = spare.with_name(spare.name + ".new")
            shutil.rmtree(mirror, ignore_errors=True)  # a killed build's
            if not present and not output_dir.exists():
                try:
                    mirror.mkdir(parents=True)
                    self.mirror = mirror
                except OSError:
                    pass

    def write(self, files: Iterable[OutputFile]) -> Placed:
        """Place ``files`` into the staging folder; returns what this writer placed so far."""
        previous, output_dir, placed = self.previous, self.output_dir, self.placed
        records, sources = placed.records, placed.sources
        if self._placer is None:  # started here: a forked writer needs a thread of its own
            self._placer = _Placer(self.staging, self.folders, self.mirror)
        placer = self._placer
        for file in files:
            if file.path.startswith("/") or ".." in file.path.split("/"):
                raise OutputError(f"{file.source}: output path {file.path!r} leaves the output folder")
            if file.path in sources:
                raise OutputError(_twice(file.path, sources[file.path], file.source))
            sources[file.path] = file.source
            before = previous.files.get(file.path)
            have = self.present.pop(file.path, None)
            if file.data is None:
                if before is None or not previous.intact(output_dir, file.path):
                    raise OutputError(f"{file.path} changed in the output folder during the build; build again")
                keep, sha = True, before.sha
            else:
                sha = hashlib.sha256(file.data).hexdigest()
                keep = before is not None and before.sha == sha and previous.intact(output_dir, file.path)
            pieces = PackedPieces.of(file.pieces) if file.data is not None else previous.pieces_of(file.path)
            record = OutputRecord(file.inputs, sha, 0, 0, pieces)
            if keep:
                placed.unchanged += 1
                assert before is not None
                if have is not None and have == before.ino:
                    # The spare holds this very file already.
                    records[file.path] = OutputRecord(file.inputs, sha, before.size, before.mtime_ns, pieces, ino=before.ino)
                    continue
                placer.place(file.path, record, output_dir / file.path, None)
            else:
                placer.place(file.path, record, None, file.data)
                placed.written += 1
                placed.bytes += len(file.data)  # type: ignore[arg-type]
        records.update(placer.finish())
        placed.mirrored = placed.mirrored and placer.mirrored
        self._placer = None
        return placed

    def absorb(self, other: Placed) -> None:
        """Take in what a forked writer placed for another part of the site."""
        for path, source in other.sources.items():
            if path in self.placed.sources:
                raise OutputError(_twice(path, self.placed.sources[path], source))
            self.placed.sources[path] = source
            self.present.pop(path, None)
        self.placed.records.update(other.records)
        self.placed.written += other.written
        self.placed.bytes += other.bytes
        self.placed.unchanged += other.unchanged
        self.placed.mirrored = self.placed.mirrored and other.mirrored

    def finish(self) -> WriteReport:
        """Swap the new site in (unless it is the one in place) and keep or remove the old one."""
        staging, spare, placed = self.staging, self.spare, self.placed
        manifest = OutputManifest(files=placed.records)
        try:
            _remove(staging, self.present)
            # The folders as left, to tell next time whether anything was added to or removed from them.
            manifest.folders = _folder_times(staging, placed.records)
            if not (placed.written == 0 and self.output_dir.is_dir() and set(placed.records) == set(self.previous.files)):
                _swap_in(staging, self.output_dir)
                # The staging name now holds the replaced site (or nothing): the next spare.
                manifest.spare_files = {rel: r.ino for rel, r in self.previous.files.items()}
                manifest.spare_folders = dict(self.previous.folders)
                if self.mirror is not None and placed.mirrored:
                    # The first site: the mirror of it is the spare.
                    try:
                        shutil.rmtree(staging, ignore_errors=True)
                        os.rename(self.mirror, staging)
                        manifest.spare_files = {rel: r.ino for rel, r in placed.records.items()}
                        manifest.spare_folders = _folder_times(staging, placed.records)
                        self.mirror = None
                    except OSError:
                        pass
            else:
                # Nothing changed: the site in place is already exactly this one, and so is staging.
                manifest.spare_files = {rel: r.ino for rel, r in placed.records.items()}
                manifest.spare_folders = dict(manifest.folders)
        except BaseException:
            self.abort()
            raise
        if spare is not None and staging.is_dir():
            try:
                os.rename(staging, spare)
            except OSError:  # another file system: no spare
                shutil.rmtree(staging, ignore_errors=True)
        else:
            shutil.rmtree(staging, ignore_errors=True)
        if self.mirror is not None:
            shutil.rmtree(self.mirror, ignore_errors=True)
        return WriteReport(placed.written, placed.bytes, placed.unchanged, manifest)

    def abort(self) -> None:
        if self._placer is not None:
            self._placer.stop()
            self._placer = None
        shutil.rmtree(self.staging, ignore_errors=True)
        if self.mirror is not None:
            shutil.rmtree(self.mirror, ignore_errors=True)


def _twice(path: str, first: str, second: str) -> str:
    return f"two files would be written to {path}: from {first} and from {second}; rename one of them"


class _Placer:
    """Puts files into the staging folder on a thread of its own. Making folders, linking and
    writing are system calls, which let the rendering of the next pages go on meanwhile. Files
    go to the thread in batches: one hand-over per file cost as much as writing it."""

    # Rendered bytes handed over and not yet written, at most; links cost no memory, so a site's
    # worth of them may wait while rendering goes on.
    WINDOW_BYTES = 64 << 20
    BATCH_FILES = 64

    def __init__(self, staging: Path, folders: set[str], mirror: Path | None = None):
        self.staging = str(staging)
        self.folders = folders
        self.mirror = str(mirror) if mirror is not None else None
        self.mirrored = True
        self.mirror_folders: set[str] = {""}
        from concurrent.futures import ThreadPoolExecutor

        self.pool = ThreadPoolExecutor(1, thread_name_prefix="timeline-write")
        self.waiting: deque[tuple[Future, int]] = deque()
        self.pending = 0  # bytes
        self.batch: list[tuple[str, OutputRecord, Path | None, bytes | None]] = []
        self.batch_bytes = 0
        self.placed: dict[str, OutputRecord] = {}

    def place(self, rel: str, record: OutputRecord, keep_from: Path | None, data: bytes | None) -> None:
        self.batch.append((rel, record, keep_from, data))
        self.batch_bytes += len(data) if data is not None else 0
        if len(self.batch) >= self.BATCH_FILES:
            self._hand_over()

    def _hand_over(self) -> None:
        if not self.batch:
            return
        batch, size = self.batch, self.batch_bytes
        self.batch, self.batch_bytes = [], 0
        self.waiting.append((self.pool.submit(self._place_all, batch), size))
        self.pending += size
        while self.waiting and (self.pending > self.WINDOW_BYTES or self.waiting[0][0].done()):
            future, size = self.waiting.popleft()
            self.pending -= size
            future.result()  # raises what the thread raised

    def _place_all(self, batch: list[tuple[str, OutputRecord, Path | None, bytes | None]]) -> None:
        for item in batch:
            self._place(*item)

    def _place(self, rel: str, record: OutputRecord, keep_from: Path | None, data: bytes | None) -> None:
        folder = _folder_of(rel)
        if folder not in self.folders:
            _make_folder(Path(self.staging), folder)
            self.folders.add(folder)
            self.folders.update(_parents(folder))
        target = f"{self.staging}/{rel}"
        if keep_from is not None:
            _keep(keep_from, target)
        else:
            _write_new(target, data)  # type: ignore[arg-type]
        st = os.stat(target)
        self.placed[rel] = OutputRecord(record.inputs, record.sha, st.st_size, st.st_mtime_ns, record.pieces, ino=st.st_ino)
        if self.mirror is not None and self.mirrored:
            try:
                if folder not in self.mirror_folders:
                    os.makedirs(f"{self.mirror}/{folder}", exist_ok=True)
                    self.mirror_folders.add(folder)
                os.link(target, f"{self.mirror}/{rel}")
            except OSError:  # another file system, or no hard links: no mirror
                self.mirrored = False

    def finish(self) -> dict[str, OutputRecord]:
        try:
            self._hand_over()
            while self.waiting:
                self.waiting.popleft()[0].result()
        finally:
            self.pool.shutdown()
        return self.placed

    def stop(self) -> None:
        for future, _ in self.waiting:
            future.cancel()
        self.pool.shutdown(wait=True)


def _folder_times(staging: Path, records: dict[str, OutputRecord]) -> dict[str, int]:
    """Modification time of each folder of the site but the top one (which renames touch)."""
    folders = {_folder_of(rel) for rel in records}
    folders |= {parent for folder in list(folders) for parent in _parents(folder)}
    folders.discard("")
    times: dict[str, int] = {}
    top = f"{staging}/"  # joined as strings: a Path per folder is most of the time of this
    for folder in folders:
        try:
            times[folder] = os.stat(top + folder).st_mtime_ns
        except OSError:
            pass
    return times


def _claim_spare(spare: Path, staging: Path, previous: OutputManifest) -> dict[str, int] | None:
    """Make the spare site the staging folder, and list its files with their inodes; None when
    there is none to use. A build killed from here on leaves it as a leftover of its own.

    A folder whose modification time is as recorded when the spare was a site holds exactly the
    files recorded then (adding, removing or replacing an entry changes the time); any other
    folder, and the top one, is read, and what it holds that the record does not is removed."""
    try:
        os.rename(spare, staging)
    except OSError:
        shutil.rmtree(spare, ignore_errors=True)
        return None
    recorded: dict[str, dict[str, int]] = {}
    for rel, ino in previous.spare_files.items():
        recorded.setdefault(_folder_of(rel), {})[rel] = ino
    found: dict[str, int] = {}

    def read(folder: str) -> None:
        """List a folder's files and read its folders that changed; remove unknown folders."""
        with os.scandir(staging / folder if folder else staging) as entries:
            for entry in entries:
                rel = f"{folder}/{entry.name}" if folder else entry.name
                if not entry.is_dir(follow_symlinks=False):
                    found[rel] = entry.inode()
                elif rel not in previous.spare_folders:
                    shutil.rmtree(entry.path)  # not a folder of that site
                else:
                    visit(rel)

    def visit(folder: str) -> None:
        try:
            same = os.stat(f"{staging}/{folder}").st_mtime_ns == previous.spare_folders[folder]
        except OSError:
            return
        if not same:
            read(folder)
            return
        found.update(recorded.get(folder, {}))
        for sub in children.get(folder, ()):
            visit(sub)

    children: dict[str, list[str]] = {}
    for folder in previous.spare_folders:
        children.setdefault(_folder_of(folder), []).append(folder)
    try:
        read("")
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        return None
    return found


def _make_folder(staging: Path, folder: str) -> None:
    """Make ``folder`` in the staging folder, removing a spare site's file where it goes."""
    try:
        (staging / folder).mkdir(parents=True, exist_ok=True)
    except (FileExistsError, NotADirectoryError):
        for part in reversed([folder, *_parents(folder)][:-1]):
            if (staging / part).is_file() or (staging / part).is_symlink():
                os.unlink(staging / part)
        (staging / folder).mkdir(parents=True, exist_ok=True)


def _folder_of(rel: str) -> str:
    """``posixpath.dirname`` of a path within the site ("articles/x/index.html" -> "articles/x"),
    as one string method: a build asks it some 20,000 times."""
    return rel.rpartition("/")[0]


def _parents(folder: str) -> list[str]:
    found = []
    while folder:
        folder = _folder_of(folder)
        found.append(folder)
    return found


def _remove(staging: Path, files: dict[str, int]) -> None:
    """Remove files no longer in the site from the staging folder, and folders left empty."""
    folders: set[str] = set()
    for rel in files:
        _unlink(staging / rel)
        folders.update(f for f in [_folder_of(rel), *_parents(_folder_of(rel))] if f)
    for folder in sorted(folders, key=len, reverse=True):
        try:
            os.rmdir(staging / folder)
        except OSError:  # not empty: still holds files of the site
            pass


# Folders a build makes beside the output folder: ".output.building-<pid>" while writing (and, after
# the swap, the previous site being deleted) and ".output.previous-<pid>" where atomic exchange is
# not available. The pid says which build owns it, so a later build removes only dead builds' ones.
_LEFTOVER = re.compile(r"^\.(?P<name>.+)\.(?P<kind>building|previous)-(?P<pid>\d+)$")


def _staging_name(output_dir: Path, kind: str, pid: int) -> Path:
    return output_dir.parent / f".{output_dir.name}.{kind}-{pid}"


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False  # our own leftover from an earlier build in this process
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def clean_leftovers(output_dir: Path) -> list[Path]:
    """Remove the staging folders of builds of this output folder that were killed; a killed build's
    previous site is put back when the output folder itself is missing. Returns what was removed."""
    removed: list[Path] = []
    if not output_dir.parent.is_dir():
        return removed
    for entry in sorted(output_dir.parent.iterdir()):
        match = _LEFTOVER.match(entry.name)
        if not match or match["name"] != output_dir.name or not entry.is_dir() or entry.is_symlink():
            continue
        if _alive(int(match["pid"])):
            continue  # another build of the same site is running right now
        if match["kind"] == "previous" and not output_dir.exists():
            entry.rename(output_dir)
            continue
        shutil.rmtree(entry, ignore_errors=True)
        removed.append(entry)
    return removed


def _swap_in(staging: Path, output_dir: Path) -> None:
    """Make ``staging`` the output folder in one step; afterwards ``staging`` holds the previous site."""
    if not output_dir.exists():
        staging.rename(output_dir)
        staging.mkdir()
        return
    if _exchange(staging, output_dir):
        return
    # No atomic exchange here: two renames, with the previous site kept under a name that
    # clean_leftovers() restores if the build dies between them.
    previous = _staging_name(output_dir, "previous", os.getpid())
    output_dir.rename(previous)
    staging.rename(output_dir)
    previous.rename(staging)


_RENAME_EXCHANGE = 2


def _exchange(a: Path, b: Path) -> bool:
    """Swap two folders atomically with Linux renameat2(RENAME_EXCHANGE); False where unsupported."""
    if sys.platform != "linux":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    at_fdcwd = -100
    result = renameat2(at_fdcwd, os.fsencode(a), at_fdcwd, os.fsencode(b), _RENAME_EXCHANGE)
    if result == 0:
        return True
    error = ctypes.get_errno()
    if error in (errno.ENOSYS, errno.EINVAL, errno.EOPNOTSUPP):
        return False  # kernel or file system without exchange
    raise OSError(error, os.strerror(error), str(b))
