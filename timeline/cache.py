"""What a build keeps between builds: tagged articles and the previous output, in ``.timeline-cache/``.

Tagging is the costly stage, so its result is kept per article, keyed by everything it depends on:
the file's bytes, its place, and the fingerprint of the code and data that read and tag it (the
tagger's rules and word lists included). Today's date matters only to undated articles, so it is
stored with the entry and checked only for them. Settings that affect only the pages (title, theme,
base URL) are not part of this key: changing them re-renders pages without re-tagging.

Entries are pickles of our own dataclasses, in a folder named after the tool fingerprint: a cache
written by another version is never read, and any entry that fails to load is a miss.
"""

from __future__ import annotations

import hashlib
import os
import pickle
import shutil
import tempfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from timeline import __version__
from timeline.articles import Article
from timeline.dating import DatedArticle
from timeline.events import Event
from timeline.problems import Problem

CACHE_DIR = ".timeline-cache"
FORMAT = 1

_PACKAGE = Path(__file__).resolve().parent
# The code and data that turn an article file into tagged events: a change to any of them
# (a tagger rule, a word list, the Markdown reading) invalidates every cached article.
_TAGGING_SOURCES = (
    "articles.py", "document.py", "dating.py", "events.py", "manual.py", "overrides.py", "problems.py", "cache.py", "tagger",
)


def tagging_fingerprint(package: Path = _PACKAGE) -> str:
    """Digest of the tool version and every source and data file that tagging depends on."""
    files: list[Path] = []
    for name in _TAGGING_SOURCES:
        path = package / name
        if path.is_dir():
            files.extend(p for p in path.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
        elif path.is_file():
            files.append(path)
    rel = [p.relative_to(package) for p in files]
    digest = hashlib.sha256(f"{FORMAT}\0{__version__}\0".encode())
    for r, p in sorted(zip(rel, files)):
        digest.update(r.as_posix().encode() + b"\0" + p.read_bytes() + b"\0")
    return digest.hexdigest()


def article_key(data: bytes, rel_path: str, shown_path: str, fingerprint: str) -> str:
    """Cache key of one article file: its bytes, where it is, and the tagging fingerprint."""
    digest = hashlib.sha256(data)
    digest.update(f"\0{rel_path}\0{shown_path}\0{fingerprint}".encode())
    return digest.hexdigest()


@dataclass(frozen=True)
class TaggedArticle:
    """What the build keeps of a tagged article for the whole run: small, whatever the body's size.

    ``article`` is the article's metadata with its body dropped; the full ``DatedArticle`` (body,
    document, date expressions) stays in the cache and is loaded only to render the article's page.
    """

    key: str
    article: Article
    reference: date | None
    reference_inferred: bool
    events: tuple[Event, ...]
    notes: tuple[Problem, ...]
    links: tuple[tuple[int, int], ...]  # spans of the date expressions, to find their entries
    today: date | None = None  # the day an undated article was judged against; None when it did not matter
    seen: FileSeen | None = None  # the file as last read, to skip reading it while it stays so

    def valid_on(self, today: date) -> bool:
        return self.today is None or self.today == today


@dataclass(frozen=True)
class FileSeen:
    """An article file as a build read it: where it was shown from, its size and modification time."""

    shown: str
    size: int
    mtime_ns: int


@dataclass(frozen=True)
class ArticleStamp:
    """The little a build needs to know an article is unchanged and to report on it."""

    key: str
    today: date | None
    slug: str
    notes: tuple[Problem, ...]
    seen: FileSeen | None = None

    def valid_on(self, today: date) -> bool:
        return self.today is None or self.today == today


def stamps_of(index: dict[str, TaggedArticle]) -> dict[str, ArticleStamp]:
    return {rel: ArticleStamp(r.key, r.today, r.article.slug, r.notes, r.seen) for rel, r in index.items()}


def summarize(key: str, dated: DatedArticle, events: list[Event], today: date) -> TaggedArticle:
    from dataclasses import replace

    return TaggedArticle(
        key=key,
        article=replace(dated.article, body=""),
        reference=dated.reference,
        reference_inferred=dated.reference_inferred,
        events=tuple(events),
        notes=dated.notes,
        links=tuple((t.start, t.end) for t in dated.timexes),
        today=None if dated.article.published is not None else today,
    )


def _load(path: Path):
    """A pickled entry, or None when it is missing or unreadable (a miss, never an error)."""
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except Exception:
        return None


def _save(path: Path, value) -> bool:
    """Write atomically (temporary file + rename), so a killed build never leaves a torn entry."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as f:
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        return True
    except OSError:
        return False


@dataclass
class DiskStore:
    """Tagged articles on disk: an index of small ``TaggedArticle`` records plus one file per
    ``DatedArticle``. When the folder cannot be written, entries are kept in memory instead."""

    root: Path | None
    fingerprint: str
    _memory: dict[str, DatedArticle] = field(default_factory=dict)

    @classmethod
    def open(cls, site_dir: Path, fingerprint: str) -> DiskStore:
        base = site_dir / CACHE_DIR
        root = base / f"tagged-{fingerprint[:20]}"
        try:
            root.mkdir(parents=True, exist_ok=True)
            # Entries of other tool versions can never be read again: remove them.
            for old in base.glob("tagged-*"):
                if old != root:
                    shutil.rmtree(old, ignore_errors=True)
            (base / "CACHEDIR.TAG").exists() or (base / "CACHEDIR.TAG").write_text(
                "Signature: 8a477f597d28d172789f06886806bc55\n# timeline build cache; safe to delete.\n"
            )
        except OSError:
            return cls(None, fingerprint)
        return cls(root, fingerprint)

    def _article_path(self, key: str) -> Path:
        assert self.root is not None
        return self.root / "articles" / key[:2] / f"{key}.pickle"

    def load_index(self) -> dict[str, TaggedArticle]:
        if self.root is None:
            return {}
        index = _load(self.root / "index.pickle")
        return index if isinstance(index, dict) else {}

    def load_stamps(self) -> dict[str, ArticleStamp]:
        """The stamp of every indexed article: a small file, enough to see that nothing changed
        without loading the index itself."""
        if self.root is None:
            return {}
        stamps = _load(self.root / "stamps.pickle")
        return stamps if isinstance(stamps, dict) else {}

    def save_index(self, index: dict[str, TaggedArticle]) -> None:
        if self.root is not None:
            # The stamps are written last: a killed build leaves them absent, never describing
            # an index other than the one on disk.
            (self.root / "stamps.pickle").unlink(missing_ok=True)
            if _save(self.root / "index.pickle", index):
                _save(self.root / "stamps.pickle", stamps_of(index))

    def put_article(self, key: str, dated: DatedArticle) -> None:
        if self.root is None or not _save(self._article_path(key), dated):
            self._memory[key] = dated

    def get_article(self, key: str) -> DatedArticle | None:
        if key in self._memory:
            return self._memory[key]
        if self.root is None:
            return None
        dated = _load(self._article_path(key))
        return dated if isinstance(dated, DatedArticle) else None

    def keep_only(self, keys: set[str]) -> None:
        """Remove entries of articles that changed or no longer exist."""
        for key in set(self._memory) - keys:
            del self._memory[key]
        if self.root is None:
            return
        folder = self.root / "articles"
        for path in folder.glob("*/*.pickle") if folder.is_dir() else ():
            if path.stem not in keys:
                path.unlink(missing_ok=True)


@dataclass(frozen=True)
class OutputRecord:
    """One file of the last site written: what it was made from, and how to tell it is untouched."""

    inputs: str  # digest of what the file was rendered from; "" when unknown
    sha: str  # digest of its bytes
    size: int
    mtime_ns: int


@dataclass
class OutputManifest:
    """The files of the last site written to one output folder, to reuse those that did not change."""

    site_digest: str = ""
    entries: int = 0  # timeline entries of that site, for the summary line
    files: dict[str, OutputRecord] = field(default_factory=dict)

    @staticmethod
    def path(site_dir: Path, output_dir: Path) -> Path:
        name = hashlib.sha256(str(output_dir.resolve()).encode()).hexdigest()[:16]
        return site_dir / CACHE_DIR / f"output-{name}.pickle"

    @classmethod
    def load(cls, site_dir: Path, output_dir: Path) -> OutputManifest:
        found = _load(cls.path(site_dir, output_dir))
        return found if isinstance(found, OutputManifest) else cls()

    def save(self, site_dir: Path, output_dir: Path) -> None:
        _save(self.path(site_dir, output_dir), self)

    def intact(self, output_dir: Path, rel: str) -> bool:
        """The file is still there exactly as the last build wrote it."""
        record = self.files.get(rel)
        if record is None:
            return False
        try:
            st = os.stat(output_dir / rel)
        except OSError:
            return False
        return st.st_size == record.size and st.st_mtime_ns == record.mtime_ns

    def all_intact(self, output_dir: Path) -> bool:
        return bool(self.files) and all(self.intact(output_dir, rel) for rel in self.files)
