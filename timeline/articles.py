"""Reading articles: Markdown with YAML front matter, or plain text whose first line is the title."""

from __future__ import annotations

import os
import re
import stat
import unicodedata
from dataclasses import dataclass
from functools import cache
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from timeline.actors import ActorName
from timeline.manual import Invalid, Lines, ManualEvent, front_matter_event, item_lines, mapping_value
from timeline.problems import ContentError, path_text

ARTICLE_SUFFIXES = (".md", ".markdown", ".txt")
MODES = ("news", "narrative")
# A news article is tens of kilobytes; a larger file is a dump, a book or binary data. The limit also
# bounds build time: tagging runs at some 7 s per MB, so one 20 MB file would stall every build.
MAX_ARTICLE_BYTES = 2 * 1024 * 1024

# Markdown nests lists and quotes by indentation; the renderer recurses once per level and slows
# down with depth, so text indented this far (some 100 levels) is refused before it is rendered.
MAX_INDENT_COLUMNS = 400
_DEEP_INDENT = re.compile(rf"^[ \t]{{{MAX_INDENT_COLUMNS},}}", re.M)

_FRONT_MATTER_END = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.M)
# `url:` is shown as a link: only a web address, never javascript:, data: or a scheme-less path.
_WEB_ADDRESS = re.compile(r"https?://[^\s/?#]+[^\x00-\x1f\x7f]*", re.IGNORECASE)


@cache
def _yaml_loaders() -> tuple[type | None, type]:
    """(libyaml's loader if present, the pure-Python one): YAML's safe loader, but dates stay
    text: PyYAML would raise a bare ValueError on an impossible date like 2024-02-30, while our
    own check reports it with its line. Made when first needed (importing yaml takes a while)."""
    import yaml

    class _FrontMatterLoader(yaml.SafeLoader):
        pass

    _FrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
    fast: type | None = None
    if hasattr(yaml, "CSafeLoader"):  # libyaml: several times faster

        class _FastFrontMatterLoader(yaml.CSafeLoader):  # type: ignore[name-defined]
            pass

        _FastFrontMatterLoader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
        fast = _FastFrontMatterLoader
    return fast, _FrontMatterLoader


@dataclass(frozen=True)
class IgnoredDate:
    """An ``ignore_dates:`` entry: expressions with this text are not dates in this article."""

    text: str
    line: int | None = None


@dataclass(frozen=True)
class Article:
    path: Path
    rel_path: str  # relative to the content folder, with "/"
    slug: str
    title: str
    body: str  # Markdown or plain text, without front matter or title line
    body_line: int  # 1-based line of the file where the body starts
    format: str  # "markdown" | "text"
    published: date | None = None
    published_at: datetime | None = None  # when front matter gives a time too
    source: str | None = None  # the outlet
    url: str | None = None
    tags: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    mode: str = "news"
    actors: tuple[ActorName, ...] = ()  # front matter `actors:`: names to recognise as actors
    timezone: str | None = None  # IANA name; the publication day is the day there
    ignore_dates: tuple[IgnoredDate, ...] = ()
    events: tuple[ManualEvent, ...] = ()  # front matter `events:`, written by hand


def slugify(text: str) -> str:
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = re.sub(r"[^\w\s-]", "", text.lower())
    return re.sub(r"[-\s_]+", "-", text).strip("-") or "article"


def find_article_files(content_dir: Path) -> list[str]:
    """Every article file below ``content_dir``, in a stable order, skipping hidden files and
    folders. As strings: a build looks at each one's size and time, and reads only the changed
    ones, so a Path for each was most of the time of finding them."""
    found: list[str] = []
    for root, dirs, files in os.walk(content_dir, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith((".", "_")))
        for name in sorted(files):
            if not name.startswith(".") and name.lower().endswith(ARTICLE_SUFFIXES):
                found.append(os.path.join(root, name))
    return found


def decode_article(path: Path, data: bytes) -> str:
    """Bytes to text with "\\n" line ends; non-UTF-8 bytes are an error naming the line."""
    if b"\x00" in data:
        # Checked first: for binary data (an image, a PDF) "not UTF-8 at line 7" would mislead.
        raise ContentError(path, "binary data (NUL bytes), not a text article: move it out of the content folder")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        raise ContentError(
            path, f"not valid UTF-8 (byte 0x{data[e.start]:02x}); save the file as UTF-8", line
        ) from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_article_bytes(path: Path) -> bytes:
    try:
        info = path.stat()
        if not stat.S_ISREG(info.st_mode):
            # Reading a FIFO or a device would block or never end.
            raise ContentError(path, "not a regular file (a pipe, device or socket): move it out of the content folder")
        size = info.st_size
        if size > MAX_ARTICLE_BYTES:
            raise ContentError(
                path, f"file is {size / 2**20:.1f} MB, over the {MAX_ARTICLE_BYTES // 2**20} MB limit for an article;"
                " split it into several articles or move it out of the content folder"
            )
        return path.read_bytes()
    except OSError as e:
        raise ContentError(
            path, f"cannot read file ({e.strerror}); fix its permissions or the link, or move it out of the content folder"
        ) from None


def read_article(path: Path, content_dir: Path, site_timezone: str = "UTC") -> Article:
    return parse_article(decode_article(path, read_article_bytes(path)), path, content_dir, site_timezone)


def parse_article(text: str, path: Path, content_dir: Path, site_timezone: str = "UTC") -> Article:
    """``site_timezone``: where a publication time is placed when the article names no timezone."""
    rel_path = path_text(path.relative_to(content_dir).as_posix() if path.is_relative_to(content_dir) else path.name)
    slug = slugify(path_text(path.stem))
    if path.suffix.lower() == ".txt":
        return _parse_text(text, path, rel_path, slug)
    return _parse_markdown(text, path, rel_path, slug, site_timezone)


def _parse_text(text: str, path: Path, rel_path: str, slug: str) -> Article:
    lines = text.split("\n")
    # The title is the first non-blank line.
    for index, line in enumerate(lines):
        if line.strip():
            body = "\n".join(lines[index + 1 :])
            return Article(path, rel_path, slug, line.strip(), body, index + 2, "text")
    raise ContentError(path, "empty article: the first line must be its title", 1)


def _parse_markdown(text: str, path: Path, rel_path: str, slug: str, site_timezone: str = "UTC") -> Article:
    meta: dict = {}
    raw = ""
    body, body_line = text, 1
    if text.startswith("---\n") or text == "---":
        end = _FRONT_MATTER_END.search(text, 4)
        if end is None:
            raise ContentError(path, "front matter opened with '---' is never closed: add a line '---' after it", 1)
        raw = text[4 : end.start()]
        import yaml

        try:
            loaded = _load_yaml(raw)
        except yaml.YAMLError as e:
            mark = getattr(e, "problem_mark", None)
            context = getattr(e, "context_mark", None)
            if mark is not None and context is not None and mark.line >= raw.count("\n"):
                # The parser ran off the end of the front matter: the construct it was in is the culprit.
                mark = context
            line = mark.line + 2 if mark is not None else 1
            column = mark.column + 1 if mark is not None else None
            reason = getattr(e, "problem", None) or str(e)
            if getattr(e, "context", None) and context is not None and context is not mark:
                reason += f" {e.context} opened at line {context.line + 2}"
            raise ContentError(path, f"front matter is not valid YAML: {reason}", line, column) from None
        if loaded is None:
            loaded = {}
        if not isinstance(loaded, dict):
            raise ContentError(path, "front matter must be a mapping of 'key: value' lines", 2)
        meta = loaded
        body_line = text.count("\n", 0, end.end()) + 2
        body = text[end.end() + 1 :]
    fields = _front_matter_fields(meta, path, text, raw, site_timezone)
    title = fields.pop("title", None)
    if not title:
        # No title in front matter: a leading "# Heading" is the title.
        heading = re.match(r"\s*#[ \t]+(.*?\S)[ \t]*#*[ \t]*(?:\n|$)", body)
        if heading is None:
            raise ContentError(path, "no title: add 'title:' to the front matter or start with a '# Heading'", body_line)
        title = heading.group(1)
        body_line += body.count("\n", 0, heading.end())
        body = body[heading.end() :]
    deep = _DEEP_INDENT.search(body)
    if deep is not None and len(deep.group().expandtabs(4)) >= MAX_INDENT_COLUMNS:
        raise ContentError(
            path,
            f"a line is indented {len(deep.group().expandtabs(4))} columns (lists or quotes nested over"
            f" {MAX_INDENT_COLUMNS // 4} levels deep); flatten the nesting",
            body_line + body.count("\n", 0, deep.start()),
        )
    return Article(path, rel_path, slug, title, body, body_line, "markdown", **fields)


def _load_yaml(raw: str):
    """Front matter through libyaml when present; on an error, parse again
    with the pure-Python loader, whose messages and marks are the ones we report."""
    import yaml

    fast, slow = _yaml_loaders()
    if fast is not None:
        try:
            return yaml.load(raw, Loader=fast)
        except yaml.YAMLError:
            pass
    return yaml.load(raw, Loader=slow)


def _front_matter_fields(meta: dict, path: Path, text: str, raw: str = "", site_timezone: str = "UTC") -> dict:
    def line_of(key: str) -> int | None:
        match = re.search(rf"^{re.escape(str(key))}\s*:", text, re.M)
        return text.count("\n", 0, match.start()) + 1 if match else None

    def fail(key: str, message: str, line: int | None = None):
        raise ContentError(path, f"front matter '{key}': {message}", line or line_of(key))

    composed: list = []

    def node(key: str):
        """The YAML node of a front matter key, for the lines of its items (parsed when needed)."""
        if not composed:
            import yaml

            composed.append(yaml.compose(raw, Loader=_yaml_loaders()[1]))
        return mapping_value(composed[0], key)

    fields: dict = {}
    for key in ("title", "source", "url"):
        if meta.get(key) is not None:
            value = meta[key]
            if isinstance(value, (dict, list)):
                fail(key, f"expected text, got {type(value).__name__}")
            fields[key] = str(value).strip()
    if "url" in fields and not _WEB_ADDRESS.fullmatch(fields["url"]):
        fail("url", f"{fields['url']!r} is not a web address: write it as https://... (or remove the line)")
    for key in ("tags", "authors"):
        value = meta.get(key)
        if value is None:
            continue
        if isinstance(value, str):
            value = [part.strip() for part in value.split(",") if part.strip()]
        if not isinstance(value, list) or not all(isinstance(v, (str, int, float)) for v in value):
            fail(key, "expected a list of names, like [a, b]")
        fields[key] = tuple(str(v) for v in value)
    if meta.get("actors") is not None:
        fields["actors"] = _actor_names(meta["actors"], lambda message: fail("actors", message))
    if "mode" in meta and meta["mode"] is not None:
        if meta["mode"] not in MODES:
            fail("mode", f"expected one of {', '.join(MODES)}, got {meta['mode']!r}")
        fields["mode"] = meta["mode"]
    if meta.get("date") is not None:
        value = meta["date"]
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
            except ValueError:
                fail("date", f"{meta['date']!r} is not a date: write it as YYYY-MM-DD (year 1 to 9999) or YYYY-MM-DDTHH:MM+HH:MM")
        if isinstance(value, datetime):
            fields["published_at"] = value
            fields["published"] = value.date()
        elif isinstance(value, date):
            fields["published"] = value
        else:
            fail("date", f"{value!r} is not a date: write it as YYYY-MM-DD")
    # A time without offset is read as the article's or else the site's local time (as Hugo's
    # timeZone). A time with an offset keeps its own day, unless the article names the place it
    # appeared: 22:30 UTC is the next morning in Seoul.
    zone = ZoneInfo(site_timezone)  # the site's setting, checked when the settings were read
    if meta.get("timezone") is not None:
        name = meta["timezone"]
        try:
            zone = ZoneInfo(str(name).strip())
        except (ZoneInfoNotFoundError, ValueError):
            fail("timezone", f"unknown timezone {name!r}: use an IANA name like 'Asia/Seoul' or 'Europe/Paris'")
        fields["timezone"] = str(name).strip()
    published_at = fields.get("published_at")
    if published_at is not None:
        if published_at.tzinfo is None:
            published_at = published_at.replace(tzinfo=zone)
        elif "timezone" in fields:
            published_at = published_at.astimezone(zone)
        fields["published_at"], fields["published"] = published_at, published_at.date()
    if meta.get("ignore_dates") is not None:
        value = meta["ignore_dates"]
        if isinstance(value, (str, int)):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, (str, int)) for v in value):
            fail("ignore_dates", 'expected a list of expressions that are not dates here, like ["May"]')
        lines = item_lines(node("ignore_dates"), 2)
        fields["ignore_dates"] = tuple(
            IgnoredDate(str(v).strip(), lines[i].line if i < len(lines) else line_of("ignore_dates"))
            for i, v in enumerate(value)
            if str(v).strip()
        )
    if meta.get("events") is not None:
        value = meta["events"]
        if not isinstance(value, list):
            fail("events", "expected a list of events, each starting with '- date: ...' and a 'title:'")
        lines = item_lines(node("events"), 2)
        events = []
        for i, item in enumerate(value):
            try:
                events.append(front_matter_event(item, lines[i] if i < len(lines) else Lines(line_of("events"), {}), i + 1))
            except Invalid as e:
                fail("events", e.message, e.line)
        fields["events"] = tuple(events)
    return fields


def _actor_names(value: object, fail) -> tuple[ActorName, ...]:
    """``actors: [Wagner Group, ...]`` or ``actors: {Wagner Group: [Wagner, PMC Wagner]}``."""
    if isinstance(value, str):
        value = [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(ActorName(v.strip()) for v in value if v.strip())
    if isinstance(value, dict):
        names = []
        for name, aliases in value.items():
            if isinstance(aliases, str):
                aliases = [aliases]
            if aliases is None:
                aliases = []
            if not isinstance(name, str) or not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
                fail(f"{name!r}: expected a list of other names")
            names.append(ActorName(name.strip(), tuple(a.strip() for a in aliases)))
        return tuple(names)
    fail("expected a list of names, like [Wagner Group, IAEA], or a mapping name: [other names]")
    return ()
