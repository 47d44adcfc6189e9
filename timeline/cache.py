"""What a build keeps between builds: tagged articles and the previous output, in ``.timeline-cache/``.

Tagging is the costly stage, so its result is kept per article, keyed by everything it depends on:
the file's bytes, its place, and the fingerprint of the code and data that read and tag it (the
tagger's rules and word lists included). Today's date matters only to undated articles, so it is
stored with the entry and checked only for them. Settings that affect only the pages (title, theme,
base URL) are not part of this key: changing them re-renders pages without re-tagging.

Entries are pickles of our own dataclasses (the full articles as rows of one SQLite table), in a
folder named after the tool fingerprint: a cache written by another version is never read, and any
entry that fails to load is a miss.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import shutil
import time
from array import array
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, fields, replace
from datetime import date
from pathlib import Path

from typing import TYPE_CHECKING, ClassVar, TypeVar

from timeline import __version__
from timeline.problems import Problem

if TYPE_CHECKING:  # imported where used: a build with nothing to do needs none of them
    from timeline.articles import Article
    from timeline.chronology import EventFeatures
    from timeline.dating import DatedArticle
    from timeline.events import Event

CACHE_DIR = ".timeline-cache"
FORMAT = 4
STALE_TEMPORARY_SECONDS = 600

T = TypeVar("T")

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
    digest.update(f"\0{rel_path}\0{shown_path}\0{fingerprint}".encode("utf-8", "surrogateescape"))
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
    events: Sequence[Event]  # a PackedTuple: see ``days`` and ``named_actors``
    notes: tuple[Problem, ...]
    links: tuple[tuple[int, int], ...]  # spans of the date expressions, to find their entries
    today: date | None = None  # the day an undated article was judged against; None when it did not matter
    seen: FileSeen | None = None  # the file as last read, to skip reading it while it stays so
    features: Sequence[EventFeatures] = ()  # what merging compares of each event (a PackedTuple)
    features_fp: str = ""  # chronology.features_fingerprint() they were computed under
    # What the merge reads of every event, without unpacking them: the first and last day
    # (ordinals) of each event's span, one after the other, and the actors events written by hand name.
    days: tuple[int, ...] = ()
    named_actors: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if len(self.days) != 2 * len(self.events):  # a new record (replace() passes them on)
            object.__setattr__(self, "days", event_days(self.events))
            object.__setattr__(self, "named_actors", tuple(dict.fromkeys(n for e in self.events for n in e.named_actors)))

    def valid_on(self, today: date) -> bool:
        return self.today is None or self.today == today


def event_days(events: Iterable[Event]) -> tuple[int, ...]:
    """The first and last day (ordinals) of each event's span, one after the other."""
    return tuple(day for e in events for day in (e.span.start.toordinal(), e.span.end.toordinal()))


class PackedTuple(Sequence[T]):
    """A tuple kept pickled (one bytes object) until first read, with its length known. What the
    index keeps of each article's events and their merge features: a rebuild merges again only
    the events near the edited ones (of a few hundred articles in thousands), and the others'
    250,000 small objects were two thirds of the time of loading the index, and of saving it after
    a cold build. Pickled once, where the article is tagged: the bytes then travel as they are."""

    __slots__ = ("_items", "_packed", "_count")

    def __init__(self, items: Iterable[T] = (), packed: bytes | None = None, count: int = 0):
        self._items: tuple[T, ...] | None = tuple(items) if packed is None else None
        self._packed = packed
        self._count = len(self._items) if self._items is not None else count

    def __reduce__(self):
        if self._packed is None:
            self._packed = pickle.dumps(self._items, protocol=pickle.HIGHEST_PROTOCOL)
        return (PackedTuple, ((), self._packed, self._count))

    def unpacked(self) -> tuple[T, ...]:
        if self._items is None:
            self._items = pickle.loads(self._packed)  # type: ignore[arg-type]
        return self._items

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index):
        return self.unpacked()[index]

    def __iter__(self):
        return iter(self.unpacked())

    def __eq__(self, other: object) -> bool:
        return isinstance(other, (PackedTuple, tuple)) and tuple(self) == tuple(other)

    def __hash__(self) -> int:
        return hash(self.unpacked())

    def __repr__(self) -> str:
        return f"PackedTuple({self.unpacked()!r})"


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


def summarize(
    key: str, dated: DatedArticle, events: list[Event], today: date, features: tuple[EventFeatures, ...] = (), features_fp: str = ""
) -> TaggedArticle:
    return TaggedArticle(
        key=key,
        article=replace(dated.article, body=""),
        reference=dated.reference,
        reference_inferred=dated.reference_inferred,
        events=PackedTuple(events),
        notes=dated.notes,
        links=tuple((t.start, t.end) for t in dated.timexes),
        today=None if dated.article.published is not None else today,
        features=PackedTuple(features),
        features_fp=features_fp,
    )


@contextmanager
def _no_collection():
    """Cyclic garbage collection paused: unpickling or pickling a large index creates many objects
    and no cycles, and the collector would otherwise scan every live object several times over."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(path: Path):
    """A pickled entry, or None when it is missing or unreadable (a miss, never an error)."""
    try:
        with path.open("rb") as f, _no_collection():
            return pickle.load(f)
    except Exception:
        return None


def _save(path: Path, value) -> bool:
    """Write atomically (temporary file + rename), so a killed build never leaves a torn entry."""
    try:
        # Named for this process and entry (no one else writes it): mkstemp's random names cost a
        # tenth of a millisecond per article.
        tmp = path.with_name(f".tmp-{os.getpid()}-{path.name}")
        flags = os.O_WRONLY | os.O_CREAT | os.O_TRUNC
        try:
            fd = os.open(tmp, flags, 0o600)
        except FileNotFoundError:  # the entry's folder is made once, not asked for at every save
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(tmp, flags, 0o600)
        with os.fdopen(fd, "wb") as f, _no_collection():
            pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, path)
        return True
    except OSError:
        return False


def _entries(folder: Path | str) -> list[os.DirEntry]:
    try:
        return list(os.scandir(folder))
    except OSError:
        return []


ARTICLES_FILE = "articles.sqlite"


class ArticleTable:
    """The full tagged articles of a cache folder, in one SQLite file (``ARTICLES_FILE``).

    One file per article cost more than tagging it: creating a file is a slow system call, a
    SQLite row is not. SQLite's transactions keep each entry whole when a build is killed, and its
    write-ahead log lets the tagging workers add rows while others read. Any failure is a miss
    (the article is tagged again), and a damaged file is replaced."""

    def __init__(self, folder: Path):
        self.path = folder / ARTICLES_FILE
        self._connection = None
        self._pid = 0
        self._inherited: list = []  # a parent's connections, held unused: never share one across fork

    def _connect(self):
        import sqlite3

        if self._connection is not None and self._pid == os.getpid():
            return self._connection
        if self._connection is not None:
            self._inherited.append(self._connection)
        self._connection = None
        for attempt in (1, 2):
            try:
                # Not tied to a thread: ``timeline serve`` rebuilds on another thread than its first build.
                connection = sqlite3.connect(self.path, timeout=60, isolation_level=None, check_same_thread=False)
                connection.execute("PRAGMA journal_mode=WAL")
                # A cache: never wait for the disk. A build killed at any point leaves whole
                # entries; only a power cut could damage the file, and a damaged file is replaced.
                connection.execute("PRAGMA synchronous=OFF")
                # A rowid table: entries of kilobytes would make a WITHOUT ROWID tree deep and sparse.
                connection.execute("CREATE TABLE IF NOT EXISTS articles (key TEXT PRIMARY KEY, data BLOB NOT NULL)")
            except sqlite3.DatabaseError:
                if attempt == 2:
                    raise
                self._start_afresh()  # not a database
                continue
            self._connection, self._pid = connection, os.getpid()
            return connection

    def _start_afresh(self) -> None:
        if self._connection is not None and self._pid == os.getpid():
            self._connection.close()
        self._connection = None
        for suffix in ("", "-wal", "-shm"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)

    def _run(self, action, failed):
        """``action(connection)``, or ``failed`` when SQLite or the disk fails (a miss). A file
        SQLite finds damaged ("database disk image is malformed") is replaced rather than missed
        from then on; busy or locked is not damage."""
        import sqlite3

        try:
            return action(self._connect())
        except sqlite3.Error as e:
            if type(e) is sqlite3.DatabaseError:
                self._start_afresh()
            return failed
        except OSError:
            return failed

    @staticmethod
    def _transaction(connection, statement: str, rows: list[tuple]) -> bool:
        with connection:  # one transaction: committed whole, or rolled back
            connection.execute("BEGIN IMMEDIATE")
            connection.executemany(statement, rows)
        return True

    def put(self, items: list[tuple[str, DatedArticle]]) -> bool:
        """Store ``(key, article)`` pairs in one transaction; False when they could not be stored."""
        rows = [(key, pickle.dumps(dated, protocol=pickle.HIGHEST_PROTOCOL)) for key, dated in items]
        return self._run(lambda c: self._transaction(c, "INSERT OR REPLACE INTO articles VALUES (?, ?)", rows), False)

    def get(self, key: str) -> DatedArticle | None:
        return next(self.read([key]))

    def read(self, keys: list[str], whole_table: bool = False) -> Iterator[DatedArticle | None]:
        """The stored article of each of ``keys`` in turn (None for one missing or unreadable),
        each unpickled when its turn comes. A query for each article was half the time of making
        its page: the rows come a few hundred to a query, or with ``whole_table`` (when most of
        the table is asked for) from one pass over it, the order they lie in on disk, which took a
        tenth of the time of looking them up by key."""
        from timeline.dating import DatedArticle

        for chunk, rows in self._rows(keys, whole_table):
            for key in chunk:
                data = rows.pop(key, None)  # its bytes let go once read
                try:
                    with _no_collection():
                        dated = pickle.loads(data) if data is not None else None
                except Exception:  # an unreadable entry is a miss
                    dated = None
                yield dated if isinstance(dated, DatedArticle) else None

    def _rows(self, keys: list[str], whole_table: bool) -> Iterator[tuple[list[str], dict[str, bytes]]]:
        """``keys`` in chunks, each with the stored rows of its keys (none when SQLite fails)."""
        if whole_table:
            wanted = set(keys)
            yield keys, self._run(lambda c: {key: data for key, data in c.execute("SELECT key, data FROM articles") if key in wanted}, {})
            return
        for start in range(0, len(keys), _KEYS_PER_QUERY):
            chunk = keys[start : start + _KEYS_PER_QUERY]
            query = f"SELECT key, data FROM articles WHERE key IN ({', '.join('?' * len(chunk))})"
            yield chunk, dict(self._run(lambda c: c.execute(query, chunk).fetchall(), []))

    def keep_only(self, keys: set[str]) -> None:
        def remove_others(connection) -> None:
            gone = [(key,) for (key,) in connection.execute("SELECT key FROM articles") if key not in keys]
            if gone:
                self._transaction(connection, "DELETE FROM articles WHERE key = ?", gone)

        self._run(remove_others, None)


# Keys in one query: within SQLite's smallest limit on a statement's parameters (999).
_KEYS_PER_QUERY = 500

# The tables a tagging worker stores into, kept open between its batches: closing the last
# connection to a table folds its log into the file, which would then happen at every batch.
_worker_tables: dict[Path, ArticleTable] = {}


def save_articles(root: Path, items: list[tuple[str, DatedArticle]]) -> bool:
    """Store tagged articles in the cache folder ``root`` (``DiskStore.root``); False when they cannot be."""
    table = _worker_tables.get(root)
    if table is None:
        if len(_worker_tables) >= 4:  # a long-lived process that tags for many sites
            _worker_tables.clear()
        table = _worker_tables[root] = ArticleTable(root)
    return table.put(items)


def _changes(before: dict | None, now: dict, earlier: dict | None) -> dict | None:
    """``earlier`` (changes since a whole save) plus what differs from ``before`` to ``now``
    (unchanged values are the same objects); None when ``before`` is not known."""
    if before is None or earlier is None:
        return None
    changes = dict(earlier)
    for key, value in now.items():
        if before.get(key) is not value:
            changes[key] = value
    for key in before:
        if key not in now:
            changes[key] = None
    return changes


def _apply(values: dict, changes: dict) -> None:
    for key, value in changes.items():
        if value is None:
            values.pop(key, None)
        else:
            values[key] = value


@dataclass
class DiskStore:
    """Tagged articles on disk: an index of small ``TaggedArticle`` records, and the full
    ``DatedArticle`` of each in an ``ArticleTable``. When the folder cannot be written, entries are
    kept in memory instead. The index and the merge are saved as a whole now and then, and as the
    changes since in between."""

    # Changes kept apart from the whole index up to this many records (or an eighth of them).
    CHANGES_LIMIT: ClassVar[int] = 64

    root: Path | None
    fingerprint: str
    _memory: dict[str, DatedArticle] = field(default_factory=dict)
    # What the files hold (as last loaded or saved by this store), and the changes file's content.
    _index_on_disk: dict | None = field(default=None, repr=False)
    _index_changes: dict | None = field(default=None, repr=False)
    _merge_on_disk: object = field(default=None, repr=False)
    _merge_changes: tuple | None = field(default=None, repr=False)
    _table: ArticleTable | None = field(default=None, repr=False)

    @staticmethod
    def folder(site_dir: Path, fingerprint: str) -> Path:
        return site_dir / CACHE_DIR / f"tagged-{fingerprint[:20]}"

    @classmethod
    def open(cls, site_dir: Path, fingerprint: str) -> DiskStore:
        base = site_dir / CACHE_DIR
        root = cls.folder(site_dir, fingerprint)
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

    def still_on_disk(self) -> bool:
        """Whether the files this store knows are still there: between builds of one process
        (``timeline serve``) the user may delete the cache, and an open table would then be
        written on in vain."""
        return self.root is None or (self.root.is_dir() and (self._table is None or self._table.path.exists()))

    @property
    def _articles(self) -> ArticleTable:
        assert self.root is not None
        if self._table is None:
            self._table = ArticleTable(self.root)
        return self._table

    def load_index(self) -> dict[str, TaggedArticle]:
        """The index as last saved: the whole index of some build, and the records changed since."""
        if self.root is None:
            return {}
        base = _load(self.root / "index.pickle")
        index = base if isinstance(base, dict) else {}
        changes = _load(self.root / "index-changes.pickle")
        changes = changes if isinstance(changes, dict) else {}
        if changes:
            index = dict(index)
            for rel, record in changes.items():
                if record is None:
                    index.pop(rel, None)
                else:
                    index[rel] = record
        # Without a whole index on disk there is nothing for changes to apply to.
        self._index_on_disk, self._index_changes = (index, changes) if isinstance(base, dict) else (None, None)
        return index

    def load_stamps(self) -> dict[str, ArticleStamp]:
        """The stamp of every indexed article: a small file, enough to see that nothing changed
        without loading the index itself."""
        if self.root is None:
            return {}
        stamps = _load(self.root / "stamps.pickle")
        return stamps if isinstance(stamps, dict) else {}

    def save_index(self, index: dict[str, TaggedArticle], stamps: dict[str, ArticleStamp] | None = None) -> None:
        """Save the index: only the records changed since the whole index was last written, while
        they are few (rewriting every record for one edited article is most of a small rebuild).
        ``stamps``: ``stamps_of(index)``, when the caller has them."""
        if self.root is None:
            return
        # The stamps are written last: a killed build leaves them absent, never describing an
        # index other than the one on disk.
        (self.root / "stamps.pickle").unlink(missing_ok=True)
        changes = _changes(self._index_on_disk, index, self._index_changes)
        if changes is not None and len(changes) <= max(self.CHANGES_LIMIT, len(index) // 8):
            saved = _save(self.root / "index-changes.pickle", changes)
        else:
            # The changes file goes first: never applied to a whole index written after it.
            (self.root / "index-changes.pickle").unlink(missing_ok=True)
            changes, saved = {}, _save(self.root / "index.pickle", index)
        if saved:
            self._index_on_disk, self._index_changes = index, changes
            _save(self.root / "stamps.pickle", stamps if stamps is not None else stamps_of(index))
        else:
            self._index_on_disk = self._index_changes = None

    def load_merge(self):
        """The last merge of the site's events (a ``merge_state.MergeState``), or None: a whole
        merge of some build, and the clusters and partners changed since (the merge is exact
        from any earlier merge, so an older one left by a killed build only means more work)."""
        from timeline.merge_state import MergeState

        if self.root is None:
            return None
        state = _load(self.root / "merge.pickle")
        if not isinstance(state, MergeState) or not all(hasattr(state, f.name) for f in fields(MergeState)):
            self._merge_on_disk = self._merge_changes = None
            return None
        changes = _load(self.root / "merge-changes.pickle")
        if not (isinstance(changes, tuple) and len(changes) == 3 and changes[0] == state.fingerprint):
            self._merge_on_disk, self._merge_changes = state, ({}, {})
            return state
        _, cluster_changes, partner_changes = changes
        try:
            clusters = state.clusters_changed(cluster_changes)
            partners = dict(state.partners)
            _apply(partners, partner_changes)
        except (AttributeError, TypeError):  # written by another version
            self._merge_on_disk = self._merge_changes = None
            return None
        state = MergeState(state.fingerprint, clusters, partners)
        self._merge_on_disk, self._merge_changes = state, (cluster_changes, partner_changes)
        return state

    def save_merge(self, state) -> None:
        """Save a merge: only what changed since the whole merge was last written, while it is little."""
        if self.root is None:
            return
        before = self._merge_on_disk
        changes = None
        if before is not None and self._merge_changes is not None and before.fingerprint == state.fingerprint:
            clusters = _changes({c.token: c for c in before.clusters}, {c.token: c for c in state.clusters}, self._merge_changes[0])
            partners = _changes(before.partners, state.partners, self._merge_changes[1])
            if clusters is not None and partners is not None and len(clusters) + len(partners) <= max(4 * self.CHANGES_LIMIT, len(state.clusters) // 8):
                changes = (clusters, partners)
        if changes is not None:
            saved = _save(self.root / "merge-changes.pickle", (state.fingerprint, *changes))
        else:
            (self.root / "merge-changes.pickle").unlink(missing_ok=True)
            changes, saved = ({}, {}), _save(self.root / "merge.pickle", state)
        self._merge_on_disk, self._merge_changes = (state, changes) if saved else (None, None)

    def put_articles(self, items: list[tuple[str, DatedArticle]]) -> None:
        if not items:
            return
        if self.root is None or not self._articles.put(items):
            self._memory.update(items)

    def get_article(self, key: str) -> DatedArticle | None:
        return next(self.read_articles([key]))

    def read_articles(self, keys: list[str], whole_table: bool = False) -> Iterator[DatedArticle | None]:
        """The full tagged article of each of ``keys`` in turn, None where the cache holds none;
        ``whole_table``: most of the cache's articles are asked for (see ``ArticleTable.read``)."""
        stored = self._articles.read([key for key in keys if key not in self._memory], whole_table) if self.root is not None else iter(())
        for key in keys:
            yield self._memory[key] if key in self._memory else next(stored, None)

    def keep_only(self, keys: set[str]) -> None:
        """Remove entries of articles that changed or no longer exist."""
        for key in set(self._memory) - keys:
            del self._memory[key]
        if self.root is None:
            return
        self._articles.keep_only(keys)
        # Temporary files of killed builds: a live write takes milliseconds, so old ones are orphans.
        stale = time.time() - STALE_TEMPORARY_SECONDS
        for entry in _entries(self.root):
            try:
                if entry.name.startswith(".tmp-") and entry.stat().st_mtime < stale:
                    os.unlink(entry.path)
            except OSError:
                pass


@dataclass(frozen=True)
class PackedPieces:
    """The pieces of a file, (key, start, end) each, packed into two flat values: a site's are some
    100,000, and as tuples of their own they took longer to load and to save than the rest of the
    manifest, though a rebuild reads those of a few files only."""

    keys: str = ""  # joined by NUL (keys are digests)
    spans: bytes = b""  # start and end of each, as array("q")

    @classmethod
    def of(cls, pieces: Iterable[tuple[str, int, int]]) -> PackedPieces:
        pieces = tuple(pieces)
        if not pieces:
            return NO_PIECES
        return cls("\0".join(key for key, _, _ in pieces), array("q", [n for _, start, end in pieces for n in (start, end)]).tobytes())

    def unpack(self) -> tuple[tuple[str, int, int], ...]:
        if not self.spans:
            return ()
        spans = array("q")
        spans.frombytes(self.spans)
        return tuple(zip(self.keys.split("\0"), spans[0::2], spans[1::2]))

    def __bool__(self) -> bool:
        return bool(self.spans)


NO_PIECES = PackedPieces()


@dataclass(frozen=True)
class OutputRecord:
    """One file of the last site written: what it was made from, and how to tell it is untouched."""

    inputs: str  # digest of what the file was rendered from; "" when unknown
    sha: str  # digest of its bytes
    size: int
    mtime_ns: int
    pieces: PackedPieces = field(default_factory=lambda: NO_PIECES)  # parts made from one key, to reuse
    ino: int = 0  # inode: a spare site (see output.write_site) may hold this very file


class Pieces:
    """The pieces of one file of the last site, by key: ``get(key)`` gives a piece's bytes and the
    pieces within it (offsets from its start), worked out only for the pieces asked for."""

    def __init__(self, data: bytes, recorded: Iterable[tuple[str, int, int]]):
        # A view: a piece is a slice of the file, not a copy of its bytes until the new file is
        # joined (a rebuild reuses nearly all of some 35 MB of timeline-wide files).
        self.data = memoryview(data)
        # Recorded in document order, each piece before the pieces within it.
        self.recorded = sorted(recorded, key=lambda p: (p[1], -p[2]))
        self.at = {key: i for i, (key, _, _) in enumerate(self.recorded)}

    def __len__(self) -> int:
        return len(self.recorded)

    def spans(self, keys: list[str]) -> list[tuple[int, int] | None]:
        """Where each piece stands in ``data`` (None for a key not recorded)."""
        at, recorded = self.at, self.recorded
        return [None if (i := at.get(key)) is None else recorded[i][1:] for key in keys]

    def get(self, key: str) -> tuple[memoryview, tuple[tuple[str, int, int], ...]] | None:
        i = self.at.get(key)
        if i is None:
            return None
        recorded = self.recorded
        _, start, end = recorded[i]
        inner = []
        i += 1
        while i < len(recorded) and recorded[i][1] < end:
            other, s, e = recorded[i]
            inner.append((other, s - start, e - start))
            i += 1
        return self.data[start:end], tuple(inner)


@dataclass
class OutputManifest:
    """The files of the last site written to one output folder, to reuse those that did not change."""

    site_digest: str = ""
    render_fp: str = ""  # the render fingerprint the site was made with
    entries: int = 0  # timeline entries of that site, for the summary line
    files: dict[str, OutputRecord] = field(default_factory=dict)
    folders: dict[str, int] = field(default_factory=dict)  # modification times of the site's folders
    # The replaced site kept as a spare (see output.write_site): its files' inodes, its folders' times.
    spare_files: dict[str, int] = field(default_factory=dict)
    spare_folders: dict[str, int] = field(default_factory=dict)
    # The pieces of the files are kept in a file of their own, read only when pages are made (a
    # build with nothing to do needs none): path -> (size, mtime_ns, pieces) of the file then.
    _pieces_file: Path | None = field(default=None, repr=False, compare=False)
    _pieces: dict | None = field(default=None, repr=False, compare=False)

    @staticmethod
    def path(site_dir: Path, output_dir: Path) -> Path:
        name = hashlib.sha256(os.fsencode(output_dir.resolve())).hexdigest()[:16]
        return site_dir / CACHE_DIR / f"output-{name}.pickle"

    @classmethod
    def load(cls, site_dir: Path, output_dir: Path) -> OutputManifest:
        path = cls.path(site_dir, output_dir)
        found = _load(path)
        # One written by another version may lack fields: then it is no use.
        if not isinstance(found, OutputManifest) or not all(hasattr(found, f.name) for f in fields(cls)):
            return cls()
        found._pieces_file, found._pieces = path.with_suffix(".pieces"), None
        return found

    def save(self, site_dir: Path, output_dir: Path) -> bool:
        path = self.path(site_dir, output_dir)
        pieces = {rel: (r.size, r.mtime_ns, self.pieces_of(rel)) for rel, r in self.files.items()}
        bare = replace(self, files={rel: replace(r, pieces=NO_PIECES) if r.pieces else r for rel, r in self.files.items()}, _pieces_file=None, _pieces=None)
        return _save(path.with_suffix(".pieces"), {rel: p for rel, p in pieces.items() if p[2]}) and _save(path, bare)

    def pieces_of(self, rel: str) -> PackedPieces:
        """The recorded pieces of a file (see ``pieces``)."""
        record = self.files.get(rel)
        if record is None:
            return NO_PIECES
        if record.pieces or self._pieces_file is None:
            return record.pieces
        if self._pieces is None:
            loaded = _load(self._pieces_file)
            self._pieces = loaded if isinstance(loaded, dict) else {}
        size, mtime_ns, pieces = self._pieces.get(rel, (0, 0, NO_PIECES))
        # Recorded for the file as it is in this manifest, or not at all.
        return pieces if (size, mtime_ns) == (record.size, record.mtime_ns) and isinstance(pieces, PackedPieces) else NO_PIECES

    def intact(self, output_dir: Path, rel: str) -> bool:
        """The file is still there exactly as the last build wrote it."""
        record = self.files.get(rel)
        if record is None:
            return False
        try:
            # A string path: a Path per file was most of the cost of checking a whole site.
            st = os.stat(f"{os.fspath(output_dir)}/{rel}")
        except OSError:
            return False
        return st.st_size == record.size and st.st_mtime_ns == record.mtime_ns

    def pieces(self, output_dir: Path, rel: str) -> Pieces:
        """The reusable pieces of a file of the last site (none when it was changed since)."""
        record = self.files.get(rel)
        recorded = self.pieces_of(rel)
        if record is None or not recorded or not self.intact(output_dir, rel):
            return Pieces(b"", ())
        try:
            data = (output_dir / rel).read_bytes()
        except OSError:
            return Pieces(b"", ())
        if len(data) != record.size:
            return Pieces(b"", ())
        return Pieces(data, recorded.unpack())

    def all_intact(self, output_dir: Path) -> bool:
        return bool(self.files) and all(self.intact(output_dir, rel) for rel in self.files)
