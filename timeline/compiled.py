"""What a process builds from the package's data (the tagger's grammar, the actor index), kept in
the user's cache folder so the next process loads it instead of building it again.

Building them is mostly compiling regular expressions, a tenth of a second or more: most of the
time of a process that tags one edited article. Python keeps no compiled pattern across processes
(a pickled pattern is compiled again when loaded), so each pattern is saved with its compiled code,
which ``_sre.compile`` turns back into the same pattern at once; a pattern that does not come back
equal (same flags, text and code) is saved as text and compiled on loading.

Each file is named by the digest of what it was built from (the sources' bytes) and of the Python
that compiled it; any doubt (an unreadable file) means building again.
"""

from __future__ import annotations

import copyreg
import hashlib
import io
import os
import pickle
import re
import sys
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import TypeVar

import _sre
from re import _compiler, _parser

T = TypeVar("T")


def load_or_build(name: str, sources: Iterable[bytes], build: Callable[[], T], folder: Path | None = None) -> T:
    """``build()``, or what an earlier process saved of it for the same ``sources`` and Python
    in ``folder`` (default: ``cache_folder()``)."""
    folder, key = folder or cache_folder(), _key(sources)
    value = _load(folder, name, key)
    if value is None:
        value = build()
        if folder is not None:
            _save(folder, name, key, value)
    return value


def load(name: str, sources: Iterable[bytes], folder: Path | None = None):
    """What an earlier process saved under ``name`` for the same ``sources`` and Python, or None."""
    return _load(folder or cache_folder(), name, _key(sources))


def _load(folder: Path | None, name: str, key: str):
    try:
        with open(folder / f"{name}-{key}.pickle", "rb") as f:  # type: ignore[operator]
            return pickle.load(f)
    except Exception:  # none, missing, unreadable or from another version: to be built
        return None


def cache_folder() -> Path | None:
    """The user's cache folder for timeline, as Hugo and pip keep theirs: ``$XDG_CACHE_HOME/timeline``,
    by default ``~/.cache/timeline``; None when there is no home folder."""
    try:
        return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "timeline"
    except RuntimeError:  # Path.home(): no HOME, and the user is not in the password database
        return None


def _key(sources: Iterable[bytes]) -> str:
    digest = hashlib.sha256(f"{sys.version}\0{_sre.MAGIC}\0".encode())
    for source in sources:
        digest.update(hashlib.sha256(source).digest())
    return digest.hexdigest()[:32]


def _save(folder: Path, name: str, key: str, value: object) -> None:
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
    pickler.dispatch_table = {**copyreg.dispatch_table, re.Pattern: _reduce_pattern}
    path = folder / f"{name}-{key}.pickle"
    try:
        pickler.dump(value)
        folder.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
        temporary.write_bytes(buffer.getvalue())
        os.replace(temporary, path)  # processes building at once each write a whole file
        for other in folder.glob(f"{name}-*"):  # built by another version, or left by a killed process
            if other != path:
                other.unlink(missing_ok=True)
    except (OSError, pickle.PicklingError):  # no cache folder to write to: build in every process
        pass


def _reduce_pattern(pattern: re.Pattern):
    args = _compiled_code(pattern)
    return (_sre.compile, args) if args is not None else (re.compile, (pattern.pattern, pattern.flags))


def _compiled_code(pattern: re.Pattern) -> tuple | None:
    """The arguments of ``_sre.compile`` that make ``pattern`` again (as ``re.compile`` does), or None."""
    try:
        parsed = _parser.parse(pattern.pattern, pattern.flags)
        code = [int(op) for op in _compiler._code(parsed, pattern.flags)]
        groups = parsed.state.groupdict
        names = [None] * parsed.state.groups
        for group, index in groups.items():
            names[index] = group
        args = (pattern.pattern, pattern.flags | parsed.state.flags, code, parsed.state.groups - 1, dict(groups), tuple(names))
        if _sre.compile(*args) == pattern:  # patterns are equal when their flags, text and code are
            return args
    except Exception:  # another Python's compiler: the pattern is saved as text
        pass
    return None
