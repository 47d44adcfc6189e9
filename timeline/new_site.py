"""A new site from the starter files in ``timeline/scaffold/``.

The scaffold folder mirrors the new site, except that a leading ``dot-`` in a name stands for a
leading dot (``dot-github/`` -> ``.github/``): hidden files would be skipped by package data and
would act on this repository itself (a ``.gitignore``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import metadata, resources
from importlib.resources.abc import Traversable
from pathlib import Path, PurePosixPath

from timeline import __version__

PACKAGE_PLACEHOLDER = "@TIMELINE_PACKAGE@"
_FORBIDDEN_IN_REQUIREMENT = set("'\"\\\n\r$`")


class NewSiteError(Exception):
    pass


@dataclass(frozen=True)
class StarterFile:
    path: PurePosixPath  # in the new site
    data: bytes


def starter_files(package_requirement: str) -> list[StarterFile]:
    """The files of a new site; the Pages workflow installs timeline with ``package_requirement``."""
    if set(package_requirement) & _FORBIDDEN_IN_REQUIREMENT:
        raise NewSiteError(f"the package requirement {package_requirement!r} may not contain quotes, backslashes, $ or `")
    files = []
    for rel, source in _walk(resources.files("timeline") / "scaffold", PurePosixPath()):
        data = source.read_bytes()
        if rel.suffix in (".yml", ".yaml"):
            data = data.replace(PACKAGE_PLACEHOLDER.encode(), package_requirement.encode())
        files.append(StarterFile(rel, data))
    return sorted(files, key=lambda f: f.path)


def existing_files(site_dir: Path, files: list[StarterFile]) -> list[PurePosixPath]:
    return [f.path for f in files if (site_dir / f.path).exists()]


def write_new_site(site_dir: Path, files: list[StarterFile], force: bool = False) -> list[PurePosixPath]:
    """Write the starter files; without ``force``, refuse (writing nothing) if any already exists."""
    clashing = existing_files(site_dir, files)
    if clashing and not force:
        names = ", ".join(str(p) for p in clashing)
        raise NewSiteError(f"{site_dir}: would overwrite {names}; use --force to overwrite")
    for file in files:
        target = site_dir / file.path
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(file.data)
        except OSError as e:
            raise NewSiteError(f"{target}: cannot write ({e.strerror})") from None
    return [f.path for f in files]


def installed_requirement() -> str:
    """A pip requirement that installs this same timeline on another machine, or "" if there is none.

    From a package index: "timeline==VERSION"; from a Git URL: that URL at the installed commit.
    An install from a local folder or file cannot be repeated elsewhere.
    """
    try:
        dist = metadata.distribution("timeline")
    except metadata.PackageNotFoundError:
        return ""
    if dist.version != __version__:  # another installed copy, not the code running now
        return ""
    direct = dist.read_text("direct_url.json")
    if direct is None:
        return f"timeline=={dist.version}"
    try:
        origin = json.loads(direct)
    except ValueError:
        return ""
    url = origin.get("url", "")
    if url.startswith("file:"):
        return ""
    vcs = origin.get("vcs_info")
    if vcs:
        requirement = f"timeline @ {vcs['vcs']}+{url}"
        if vcs.get("commit_id"):
            requirement += f"@{vcs['commit_id']}"
    elif "archive_info" in origin:
        requirement = f"timeline @ {url}"
    else:
        return ""
    if origin.get("subdirectory"):
        requirement += f"#subdirectory={origin['subdirectory']}"
    return requirement


def _walk(folder: Traversable, rel: PurePosixPath):
    for entry in folder.iterdir():
        name = entry.name
        if name == "__pycache__":
            continue
        target = rel / ("." + name.removeprefix("dot-") if name.startswith("dot-") else name)
        if entry.is_dir():
            yield from _walk(entry, target)
        else:
            yield target, entry
