"""Events written by hand: ``events:`` in an article's front matter, and the site's ``content/events.yaml``.

Both are lists of ``{date, title, actors, url}``; an entry of the events file has no article, so it
names its ``sources`` instead. Dates are TIMEX3 values ("2023-09-10", "2023-09", "2023", "2023-W37",
"2023-Q1", "199" for the 1990s). Every entry is checked, and a mistake is reported with the line
it is on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from timeline.problems import ContentError, Problem
from timeline.tagger.values import value_span

if TYPE_CHECKING:  # imported where events are read: a site without any needs no YAML parser
    import yaml

EVENTS_FILE = "events.yaml"  # in the content folder
DATE_HELP = "write YYYY-MM-DD, or a TIMEX3 value such as 2023-09, 2023, 2023-W37 or 2023-Q1"
_EVENT_KEYS = ("date", "title", "actors", "url")
_FILE_EVENT_KEYS = ("date", "title", "actors", "sources")
_SOURCE_KEYS = ("title", "url", "outlet", "published")


@dataclass(frozen=True)
class Source:
    """Where a standalone event is reported."""

    title: str
    url: str | None = None
    outlet: str | None = None
    published: date | None = None


@dataclass(frozen=True)
class ManualEvent:
    value: str  # TIMEX3 value
    written: str  # the date as written
    title: str
    actors: tuple[str, ...] = ()
    url: str | None = None
    sources: tuple[Source, ...] = ()  # events file only
    line: int | None = None  # where the entry starts in its file


class Invalid(Exception):
    """One entry that cannot be used, with the line of the culprit."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message, self.line = message, line


@cache
def _loader() -> type:
    """YAML's safe loader, but dates stay text, so an impossible one is reported by our check, with its line."""
    import yaml

    class Loader(yaml.SafeLoader):
        pass

    Loader.add_constructor("tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str)
    return Loader


def date_value(written: object) -> str | None:
    """The TIMEX3 value of a date as written by hand, or None when it is no calendar date."""
    if isinstance(written, bool) or not isinstance(written, (str, int)):
        return None
    value = str(written).strip().upper()
    if "T" in value[4:] and len(value) > 10:  # a date and time: the day is what the timeline shows
        value = value[:10]
    span = value_span(value)
    return value if span is not None and not value.startswith("P") else None


@dataclass(frozen=True)
class Lines:
    """Line numbers of a mapping in a YAML document: its own, and each key's."""

    line: int | None
    keys: dict[str, int]

    def of(self, key: str) -> int | None:
        return self.keys.get(key, self.line)


def item_lines(node: yaml.Node | None, first_line: int) -> list[Lines]:
    """For a sequence node, the lines of each item (``first_line``: the document's first line)."""
    import yaml

    if not isinstance(node, yaml.SequenceNode):
        return []
    found = []
    for item in node.value:
        keys = {}
        if isinstance(item, yaml.MappingNode):
            keys = {k.value: k.start_mark.line + first_line for k, _ in item.value if isinstance(k, yaml.ScalarNode)}
        found.append(Lines(item.start_mark.line + first_line, keys))
    return found


def mapping_value(node: yaml.Node | None, key: str) -> yaml.Node | None:
    import yaml

    if not isinstance(node, yaml.MappingNode):
        return None
    return next((v for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == key), None)


def _text(item: dict, key: str, lines: Lines, where: str, required: bool = False) -> str | None:
    value = item.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise Invalid(f"{where}: '{key}' is missing", lines.line)
        return None
    if isinstance(value, (dict, list)):
        raise Invalid(f"{where}: '{key}' must be text, got a {type(value).__name__}", lines.of(key))
    return str(value).strip()


def _url(item: dict, lines: Lines, where: str) -> str | None:
    url = _text(item, "url", lines, where)
    if url is not None and not url.lower().startswith(("https://", "http://")):
        raise Invalid(f"{where}: url {url!r} must start with https:// or http://", lines.of("url"))
    return url


def _names(item: dict, key: str, lines: Lines, where: str) -> tuple[str, ...]:
    value = item.get(key)
    if value is None:
        return ()
    if isinstance(value, str):
        value = [part for part in value.split(",")]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise Invalid(f"{where}: '{key}' must be a list of names, like [Russia, North Korea]", lines.of(key))
    return tuple(v.strip() for v in value if v.strip())


def _keys(item: object, allowed: tuple[str, ...], lines: Lines, where: str) -> dict:
    if not isinstance(item, dict):
        raise Invalid(f"{where}: expected 'date: ...' and 'title: ...' lines, got {item!r}", lines.line)
    unknown = [str(k) for k in item if k not in allowed]
    if unknown:
        raise Invalid(
            f"{where}: unknown key '{unknown[0]}' (an event has {', '.join(allowed)})", lines.of(unknown[0])
        )
    return item


def _date(item: dict, lines: Lines, where: str) -> tuple[str, str]:
    written = item.get("date")
    if written is None:
        raise Invalid(f"{where}: 'date' is missing", lines.line)
    value = date_value(written)
    if value is None:
        raise Invalid(f"{where}: date {str(written)!r} is not a date: {DATE_HELP}", lines.of("date"))
    return value, str(written).strip()


def front_matter_event(item: object, lines: Lines, number: int) -> ManualEvent:
    """One entry of an article's ``events:``."""
    where = f"event {number}"
    item = _keys(item, _EVENT_KEYS, lines, where)
    value, written = _date(item, lines, where)
    return ManualEvent(
        value,
        written,
        _text(item, "title", lines, where, required=True) or "",
        _names(item, "actors", lines, where),
        _url(item, lines, where),
        line=lines.line,
    )


def file_event(item: object, lines: Lines, source_lines: list[Lines], number: int) -> ManualEvent:
    """One entry of the events file, with its sources."""
    where = f"event {number}"
    item = _keys(item, _FILE_EVENT_KEYS, lines, where)
    value, written = _date(item, lines, where)
    title = _text(item, "title", lines, where, required=True) or ""
    sources = item.get("sources")
    if not isinstance(sources, list) or not sources:
        raise Invalid(
            f"{where}: 'sources' must list where the event is reported, each with a title (and url, outlet, published)",
            lines.of("sources"),
        )
    found = []
    for k, source in enumerate(sources):
        at = source_lines[k] if k < len(source_lines) else Lines(lines.of("sources"), {})
        said = f"{where}, source {k + 1}"
        source = _keys(source, _SOURCE_KEYS, at, said) if isinstance(source, dict) else {"title": source}
        published = source.get("published")
        day = None
        if published is not None:
            try:
                day = date.fromisoformat(str(published).strip()[:10])
            except ValueError:
                raise Invalid(f"{said}: published {str(published)!r} is not a date: write YYYY-MM-DD", at.of("published")) from None
        found.append(
            Source(_text(source, "title", at, said, required=True) or "", _url(source, at, said), _text(source, "outlet", at, said), day)
        )
    return ManualEvent(value, written, title, _names(item, "actors", lines, where), None, tuple(found), lines.line)


def read_events_file(path: Path, shown: str) -> tuple[list[ManualEvent], list[Problem]]:
    """The standalone events of ``path``. An entry with a mistake is reported and left out; the
    others are kept."""
    import yaml

    from timeline.articles import decode_article, read_article_bytes

    try:
        text = decode_article(path, read_article_bytes(path))
    except ContentError as e:
        return [], [e.problem(shown)]
    try:
        root = yaml.compose(text, Loader=_loader())
        data = yaml.load(text, Loader=_loader())
    except yaml.YAMLError as e:
        mark, context = getattr(e, "problem_mark", None), getattr(e, "context_mark", None)
        if mark is not None and context is not None and mark.line >= text.rstrip("\n").count("\n"):
            mark = context  # the parser ran off the end: the construct it was in is the culprit
        reason = getattr(e, "problem", None) or str(e)
        line, column = (mark.line + 1, mark.column + 1) if mark is not None else (None, None)
        return [], [Problem(shown, f"not valid YAML: {reason}", line, column, kind="events-file")]
    if data is None:
        return [], []
    if isinstance(data, dict) and set(data) == {"events"}:
        data, root = data["events"], mapping_value(root, "events")
    if not isinstance(data, list):
        return [], [Problem(shown, "expected a list of events, each starting with '- date: ...'", 1, kind="events-file")]
    events, problems = [], []
    for number, (item, lines) in enumerate(zip(data, item_lines(root, 1)), 1):
        item_node = root.value[number - 1] if isinstance(root, yaml.SequenceNode) else None
        try:
            events.append(file_event(item, lines, item_lines(mapping_value(item_node, "sources"), 1), number))
        except Invalid as e:
            problems.append(Problem(shown, f"{e.message} (left out)", e.line, kind="events-file"))
    return events, problems
