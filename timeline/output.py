"""Writing stage: put the rendered site on disk without ever leaving a half-written one.

The site is written into a fresh folder beside the output folder and swapped in only when
complete, so an interrupted (even killed) build leaves the previous site intact. Files whose bytes
did not change are hard links to the previous site's files rather than new copies: they keep their
bytes, inode and modification time (a deploy by rsync or git sees only real changes), and the
staging folder costs a link per unchanged file instead of a write. Nothing is ever written into a
linked file: new content always goes to a new file, so the previous site cannot be altered.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from timeline.cache import OutputManifest, OutputRecord
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


def remove_replaced_sites(output_dir: Path) -> None:
    """Delete what an interrupted build left of a replaced site (``.<output>.previous-*``)."""
    output_dir = output_dir.resolve()
    if output_dir.parent.is_dir():
        for folder in output_dir.parent.glob(f".{output_dir.name}.previous-*"):
            shutil.rmtree(folder, ignore_errors=True)


def _keep(previous: Path, target: Path) -> None:
    """Put the previous site's file into the new one: a hard link, or a copy where links fail."""
    try:
        os.link(previous, target)
    except OSError:
        shutil.copy2(previous, target)


def write_site(output_dir: Path, files: Iterable[OutputFile], previous: OutputManifest | None = None) -> WriteReport:
    """Write ``files`` as the new site. ``previous`` describes the site now in ``output_dir``:
    its unchanged files are carried over, and a file given without data must be one of them."""
    output_dir = output_dir.resolve()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    previous = previous or OutputManifest()
    staging = output_dir.parent / f".{output_dir.name}.building-{os.getpid()}"
    old_site = output_dir.parent / f".{output_dir.name}.previous-{os.getpid()}-{time.time_ns()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    written = unchanged = total = 0
    sources: dict[str, str] = {}
    records: dict[str, OutputRecord] = {}
    folders: set[Path] = {staging}
    try:
        for file in files:
            rel = PurePosixPath(file.path)
            if rel.is_absolute() or ".." in rel.parts:
                raise OutputError(f"{file.source}: output path {file.path!r} leaves the output folder")
            if file.path in sources:
                raise OutputError(
                    f"two files would be written to {file.path}: from {sources[file.path]} and from {file.source}; "
                    "rename one of them"
                )
            sources[file.path] = file.source
            target = staging / rel
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            before = previous.files.get(file.path)
            if file.data is None:
                if before is None or not previous.intact(output_dir, file.path):
                    raise OutputError(f"{file.path} changed in the output folder during the build; build again")
                _keep(output_dir / rel, target)
                sha = before.sha
                unchanged += 1
            else:
                sha = hashlib.sha256(file.data).hexdigest()
                if before is not None and before.sha == sha and previous.intact(output_dir, file.path):
                    _keep(output_dir / rel, target)
                    unchanged += 1
                else:
                    target.write_bytes(file.data)
                    written += 1
                    total += len(file.data)
            st = target.stat()
            records[file.path] = OutputRecord(file.inputs, sha, st.st_size, st.st_mtime_ns)
        if written == 0 and output_dir.is_dir() and set(records) == set(previous.files):
            # Nothing changed: the site in place is already exactly this one.
            shutil.rmtree(staging, ignore_errors=True)
        else:
            if output_dir.exists():
                output_dir.rename(old_site)
            staging.rename(output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(old_site, ignore_errors=True)
    return WriteReport(written, total, unchanged, OutputManifest(files=records))
