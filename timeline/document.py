"""An article body as sanitized HTML plus the plain text the tagger reads, with a map between them.

The tagger works on plain text; the page shows HTML. ``Document`` keeps the HTML cut into tags and
text runs, each text run knowing where it starts in the plain text, so tagged spans can be wrapped
in the HTML afterwards without re-parsing it.

Date overrides: ``[Sunday](date:2023-09-10)`` (or ``date:none``) is read as its bracketed text
alone, and the document records where that text is in the plain text, the value written and
where the override is in the source. In Markdown an inline pattern ranked above links takes the
syntax (so code spans keep it literally) and wraps the text in private-use marker characters,
which survive rendering and sanitizing and are taken out when the plain text is derived.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import markdown

# Tags after which the plain text gets a line break, so sentences never run across blocks.
_BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr td th br hr dd dt dl figure figcaption".split()
)
# A tag, with quoted attribute values that may contain ">".
_TAG = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")

# [text](date:VALUE): the text, and VALUE (a TIMEX3 date value, or "none"; checked by the tagging stage).
OVERRIDE = re.compile(r"\[([^\[\]\n]+)\]\(\s*date:\s*([^()\s]*)\s*\)")
# Markers around an override's text in the rendered HTML: open, the override's number (one
# character of plane 15), close. Private-use characters never occur in news text; any found in a
# source are removed before rendering so they cannot be mistaken for ours.
_OPEN, _CLOSE, _NUMBER_BASE = "\ue000", "\ue001", 0xF0000
_MARKERS = re.compile("[\ue000\ue001\U000F0000-\U000FFFFD]")
# Link targets and HTML tags, blanked out when looking for an expression in the source.
_NOT_TEXT = re.compile(r"\]\([^()\n]*(?:\([^()\n]*\)[^()\n]*)*\)|<[^<>\n]*>")


@dataclass(frozen=True)
class Piece:
    """A run of the HTML: a tag (``text_start`` None) or text (``html`` escaped, ``text`` unescaped)."""

    html: str
    text: str = ""
    text_start: int | None = None


@dataclass(frozen=True)
class Override:
    """``[text](date:VALUE)`` in an article: its text's span in the plain text, and where it is written."""

    start: int
    end: int
    text: str
    value: str  # as written after "date:"; "none" means "not a date"
    line: int  # of the "[" in the source, 1-based
    column: int


@dataclass(frozen=True)
class Document:
    pieces: tuple[Piece, ...]
    text: str
    overrides: tuple[Override, ...] = ()

    @property
    def html(self) -> str:
        return "".join(p.html for p in self.pieces)

    def wrap(self, spans: Sequence[tuple[int, int]], wrapper: Callable[[int, str], str]) -> str:
        """The HTML with each plain-text span ``spans[i]`` (sorted, non-overlapping) wrapped:
        ``wrapper(i, inner_html)`` returns the replacement. A span crossing a tag is wrapped piecewise."""
        out: list[str] = []
        k = 0
        for piece in self.pieces:
            if piece.text_start is None:
                out.append(piece.html)
                continue
            start, text = piece.text_start, piece.text
            end = start + len(text)
            while k < len(spans) and spans[k][1] <= start:
                k += 1
            pos, j = 0, k
            while j < len(spans) and spans[j][0] < end:
                s = max(spans[j][0] - start, 0)
                e = min(spans[j][1] - start, len(text))
                out.append(html.escape(text[pos:s], quote=False))
                out.append(wrapper(j, html.escape(text[s:e], quote=False)))
                pos = e
                j += 1
            out.append(html.escape(text[pos:], quote=False) if pos else piece.html)
        return "".join(out)


def from_html(source: str) -> Document:
    """Split sanitized HTML into pieces and derive its plain text."""
    return _from_html(source)[0]


def _from_html(source: str) -> tuple[Document, list[tuple[int, int, int]]]:
    """The document, and (override number, start, end) for each override marked in ``source``."""
    pieces: list[Piece] = []
    text_parts: list[str] = []
    length = 0
    pos = 0
    marked: list[tuple[int, int, int]] = []
    open_marks: list[int | None] = []  # the plain-text start of each override opened and not closed
    opened: list[int] = []

    def add_run(raw: str) -> None:
        nonlocal length
        if not raw:
            return
        # A line break inside a paragraph is a soft wrap: read it as a space (same length, so
        # offsets hold) and keep "\n" for block boundaries, where sentences always end.
        text = html.unescape(raw).replace("\n", " ")
        pieces.append(Piece(raw, text, length))
        text_parts.append(text)
        length += len(text)

    def add_text(raw: str) -> None:
        if _OPEN not in raw and _CLOSE not in raw:
            add_run(raw)
            return
        at = 0
        for marker in _MARKERS.finditer(raw):
            add_run(raw[at : marker.start()])
            at = marker.end()
            char = marker.group()
            if char == _OPEN:
                open_marks.append(None)
            elif char == _CLOSE:
                if opened:
                    marked.append((opened.pop(), open_marks.pop() or 0, length))
            elif open_marks and open_marks[-1] is None:
                open_marks[-1] = length
                opened.append(ord(char) - _NUMBER_BASE)
        add_run(raw[at:])

    for match in _TAG.finditer(source):
        add_text(source[pos : match.start()])
        tag = match.group()
        if _OPEN in tag:  # an override inside an attribute (an image's alt text): plain text there
            tag = _MARKERS.sub("", tag)
        pieces.append(Piece(tag))
        name = _TAG_NAME.match(tag)
        if name and name.group(1).lower() in _BLOCK_TAGS and text_parts and not text_parts[-1].endswith("\n"):
            text_parts.append("\n")
            length += 1
        pos = match.end()
    add_text(source[pos:])
    return Document(tuple(pieces), "".join(text_parts)), marked


def sanitize(fragment: str) -> str:
    """Remove scripts, event handlers, javascript:/data: URLs, frames, styles and forms."""
    import nh3

    return nh3.clean(
        fragment,
        tags=nh3.ALLOWED_TAGS,  # ordinary formatting, links and images
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


# Setting up a Markdown converter costs as much as converting an article: each thread keeps one
# and resets it between articles (reset() clears footnotes, abbreviations and references).
_converters = threading.local()


@cache
def _override_pattern() -> type:
    """The inline pattern of ``[text](date:VALUE)`` overrides. Markdown is imported only to convert
    (loading a tagged article to render its page needs these classes, not Markdown: 30 - 50 ms)."""
    from xml.etree import ElementTree

    from markdown.inlinepatterns import InlineProcessor

    class OverridePattern(InlineProcessor):
        """``[text](date:VALUE)``: the text, between markers, in an element the sanitizer drops."""

        def __init__(self, md: markdown.Markdown):
            super().__init__(OVERRIDE.pattern, md)
            self.found: list[tuple[str, str]] = []  # (text, value) of each override, numbered in order

        def handleMatch(self, m: re.Match, data: str):  # noqa: N802 - Markdown's name
            number = len(self.found)
            self.found.append((m.group(1), m.group(2)))
            element = ElementTree.Element("date-override")
            element.text = _OPEN + chr(_NUMBER_BASE + number) + m.group(1) + _CLOSE
            return element, m.start(0), m.end(0)

    return OverridePattern


def _extensions() -> list:
    """"extra" (the parts its own module lists) and "sane_lists", as instances: a name is looked
    up among the entry points of every installed package first (20 - 30 ms in each process that tags)."""
    from importlib import import_module

    from markdown.extensions import extra

    return [import_module(f"markdown.extensions.{name}").makeExtension() for name in (*extra.extensions, "sane_lists")]


def _converter():
    """This thread's Markdown converter, and its overrides' pattern."""
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        import markdown

        converter = _converters.markdown = markdown.Markdown(extensions=_extensions(), output_format="html")
        # Above links (160), below code spans, escapes and [text][ref] references.
        _converters.overrides = _override_pattern()(converter)
        converter.inlinePatterns.register(_converters.overrides, "date_override", 165)
    return converter, _converters.overrides


# Text that Markdown (with "extra" and "sane_lists") reads as plain paragraphs: no character and
# no line start it gives a meaning to, no whitespace but spaces and newlines, no control
# character, no trailing space. Wire copy nearly always is such text; its document is made here
# directly: what reading the sanitized HTML Markdown makes of it gives (property tests compare
# each step), at a fraction of the cost. The characters are one class, the line starts are looked
# for after newlines: one regex of alternatives tried each of them at every character (a
# twentieth of the time of tagging wire copy). The class's white space is every character
# ``str.isspace`` holds but space and newline (a test compares it with ``[^\S \n]``).
_SYNTAX_CHARACTERS = re.compile(
    r"[\\`*_\[\]<>{}|~&!^\x00-\x09\x0b-\x1f\x7f\x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
)
_SYNTAX_LINE_START = re.compile(r"\n(?: |[-+:=>#]|\d+[.)])")  # searched in the text after a newline
_BLANK_LINES = re.compile(r"\n{2,}")


def _has_markdown_syntax(source: str) -> bool:
    return bool(
        _SYNTAX_CHARACTERS.search(source)
        or _SYNTAX_LINE_START.search("\n" + source)
        or " \n" in source
        or source.endswith(" ")
    )


def _plain_paragraphs(source: str) -> list[str] | None:
    """The paragraphs of ``source`` when it is plain paragraphs, else None."""
    if _has_markdown_syntax(source):
        return None
    return [p for p in _BLANK_LINES.split(source.strip("\n")) if p]


def _plain_paragraphs_document(source: str) -> Document | None:
    """The document of ``source`` when it is plain paragraphs, else None: what ``_from_html``
    reads in the sanitized HTML of them (``<p>`` each, escaped), without writing,
    sanitizing and reading that HTML, which was a tenth of the time of tagging wire copy. A
    paragraph's end is a line break of the text, the newline between two paragraphs a space."""
    paragraphs = _plain_paragraphs(source)
    if paragraphs is None:
        return None
    pieces: list[Piece] = []
    text_parts: list[str] = []
    length = 0
    for paragraph in paragraphs:
        if pieces:
            pieces.append(Piece("\n", " ", length))
            text_parts.append(" \n")
            length += 2
        text = paragraph.replace("\n", " ")
        pieces += (Piece("<p>"), Piece(html.escape(paragraph, quote=False), text, length), Piece("</p>"))
        text_parts.append(text + "\n")
        length += len(text) + 1
    return Document(tuple(pieces), "".join(text_parts))


def _markdown_to_html(source: str) -> str:
    converter, overrides = _converter()
    overrides.found = []
    return converter.reset().convert(source)


def from_markdown(source: str) -> Document:
    source = _MARKERS.sub("", source)
    plain = _plain_paragraphs_document(source)
    if plain is not None:
        return plain
    document, marked = _from_html(sanitize(_markdown_to_html(source)))
    if not marked:
        return document
    found = _converter()[1].found
    written = [(m.group(1), m.group(2), *_place(source, m.start())) for m in OVERRIDE.finditer(source)]
    overrides = []
    for number, start, end in sorted(marked, key=lambda mark: mark[1]):
        text, value = found[number]
        # Where it is written: the first unused occurrence with this text and value (the text
        # Markdown saw may differ from the source's when it holds code or escapes: then by value).
        k = next((i for i, w in enumerate(written) if w[:2] == (text, value)), None)
        if k is None:
            k = next((i for i, w in enumerate(written) if w[1] == value), None)
        line, column = written.pop(k)[2:] if k is not None else (1, 1)
        overrides.append(Override(start, end, document.text[start:end], value, line, column))
    return Document(document.pieces, document.text, tuple(overrides))


def _place(source: str, index: int) -> tuple[int, int]:
    """1-based line and column of ``source[index]``."""
    return source.count("\n", 0, index) + 1, index - source.rfind("\n", 0, index)


_PARAGRAPH_BREAK = re.compile(r"\n\s*\n|\n")


def from_plain_text(source: str) -> Document:
    """Plain text: each non-blank line (or block of lines) is a paragraph, the text kept as written
    (but for date overrides, which are read as their bracketed text)."""
    pieces: list[Piece] = []
    text_parts: list[str] = []
    overrides: list[Override] = []
    length = 0
    stripped = source.strip()
    lead = len(source) - len(source.lstrip())
    bounds, at = [], 0
    for brk in _PARAGRAPH_BREAK.finditer(stripped):
        bounds.append((at, brk.start()))
        at = brk.end()
    bounds.append((at, len(stripped)))
    for first, last in bounds:
        paragraph = stripped[first:last]
        if not paragraph.strip():
            continue
        if text_parts:
            text_parts.append("\n")
            length += 1
        if "](date:" in paragraph or "]( date:" in paragraph or OVERRIDE.search(paragraph):
            plain, at = [], 0
            for match in OVERRIDE.finditer(paragraph):
                plain.append(paragraph[at : match.start()])
                start = length + sum(map(len, plain))
                line, column = _place(source, lead + first + match.start())
                overrides.append(Override(start, start + len(match.group(1)), match.group(1), match.group(2), line, column))
                plain.append(match.group(1))
                at = match.end()
            plain.append(paragraph[at:])
            paragraph = "".join(plain)
        pieces.append(Piece("<p>"))
        pieces.append(Piece(html.escape(paragraph, quote=False), paragraph, length))
        pieces.append(Piece("</p>"))
        text_parts.append(paragraph)
        length += len(paragraph)
    return Document(tuple(pieces), "".join(text_parts), tuple(overrides))


def source_places(source: str, text: str, spans: Sequence[tuple[int, int]]) -> list[tuple[int, int] | None]:
    """Where each plain-text span (sorted) is written in ``source``: 1-based (line, column), or None.

    Rendering Markdown drops markup, so a span's place is found by looking for its words in the
    source, in order from the previous one's, with link targets and HTML tags blanked out and any
    run of white space (a soft line break) matching any other."""
    masked = _NOT_TEXT.sub(lambda m: "]" + " " * (len(m.group()) - 1) if m.group()[0] == "]" else " " * len(m.group()), source)
    places: list[tuple[int, int] | None] = []
    cursor = 0
    for start, end in spans:
        words = text[start:end].split()
        if not words:
            places.append(None)
            continue
        # Between words: white space, or emphasis and code marks ("**the** summit").
        pattern = r"[\s*_`~]+".join(re.escape(word) for word in words)
        if words[0][0].isalnum() or words[0][0] == "_":
            pattern = r"(?<!\w)" + pattern
        if words[-1][-1].isalnum() or words[-1][-1] == "_":
            pattern += r"(?!\w)"
        regex = re.compile(pattern)
        found = regex.search(masked, cursor) or regex.search(masked)
        if found is None:
            places.append(None)
            continue
        cursor = max(cursor, found.end())
        places.append(_place(source, found.start()))
    return places
