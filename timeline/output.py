"""Writing stage: put the rendered site on disk without ever leaving a half-written one.

The site is written into a fresh folder beside the output folder and swapped in only when
complete, so an interrupted build leaves the previous site intact.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from timeline.render import OutputFile


class OutputError(Exception):
    pass


@dataclass(frozen=True)
class WriteReport:
    written: int
    bytes: int


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


def write_site(output_dir: Path, files: Iterable[OutputFile]) -> WriteReport:
    output_dir = output_dir.resolve()
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = output_dir.parent / f".{output_dir.name}.building-{os.getpid()}"
    previous = output_dir.parent / f".{output_dir.name}.previous-{os.getpid()}"
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    written = total = 0
    sources: dict[str, str] = {}
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
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.data)
            written += 1
            total += len(file.data)
        if output_dir.exists():
            output_dir.rename(previous)
        staging.rename(output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    shutil.rmtree(previous, ignore_errors=True)
    return WriteReport(written, total)
