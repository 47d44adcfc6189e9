"""An article body as sanitized HTML plus the plain text the tagger reads, with a map between them.

The tagger works on plain text; the page shows HTML. ``Document`` keeps the HTML cut into tags and
text runs, each text run knowing where it starts in the plain text, so tagged spans can be wrapped
in the HTML afterwards without re-parsing it.
"""

from __future__ import annotations

import html
import re
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import markdown
import nh3

# Tags after which the plain text gets a line break, so sentences never run across blocks.
_BLOCK_TAGS = frozenset(
    "p div li ul ol h1 h2 h3 h4 h5 h6 blockquote pre table tr td th br hr dd dt dl figure figcaption".split()
)
# A tag, with quoted attribute values that may contain ">".
_TAG = re.compile(r"<(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_TAG_NAME = re.compile(r"</?\s*([a-zA-Z0-9]+)")

_ALLOWED_TAGS = nh3.ALLOWED_TAGS  # ordinary formatting, links and images


@dataclass(frozen=True)
class Piece:
    """A run of the HTML: a tag (``text_start`` None) or text (``html`` escaped, ``text`` unescaped)."""

    html: str
    text: str = ""
    text_start: int | None = None


@dataclass(frozen=True)
class Document:
    pieces: tuple[Piece, ...]
    text: str

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
    pieces: list[Piece] = []
    text_parts: list[str] = []
    length = 0
    pos = 0

    def add_text(raw: str) -> None:
        nonlocal length
        if not raw:
            return
        # A line break inside a paragraph is a soft wrap: read it as a space (same length, so
        # offsets hold) and keep "\n" for block boundaries, where sentences always end.
        text = html.unescape(raw).replace("\n", " ")
        pieces.append(Piece(raw, text, length))
        text_parts.append(text)
        length += len(text)

    for match in _TAG.finditer(source):
        add_text(source[pos : match.start()])
        tag = match.group()
        pieces.append(Piece(tag))
        name = _TAG_NAME.match(tag)
        if name and name.group(1).lower() in _BLOCK_TAGS and text_parts and not text_parts[-1].endswith("\n"):
            text_parts.append("\n")
            length += 1
        pos = match.end()
    add_text(source[pos:])
    return Document(tuple(pieces), "".join(text_parts))


def sanitize(fragment: str) -> str:
    """Remove scripts, event handlers, javascript:/data: URLs, frames, styles and forms."""
    return nh3.clean(
        fragment,
        tags=_ALLOWED_TAGS,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer",
    )


# Setting up a Markdown converter costs as much as converting an article: each thread keeps one
# and resets it between articles (reset() clears footnotes, abbreviations and references).
_converters = threading.local()


def _markdown_to_html(source: str) -> str:
    converter = getattr(_converters, "markdown", None)
    if converter is None:
        converter = _converters.markdown = markdown.Markdown(extensions=["extra", "sane_lists"], output_format="html")
    return converter.reset().convert(source)


def from_markdown(source: str) -> Document:
    return from_html(sanitize(_markdown_to_html(source)))


def from_plain_text(source: str) -> Document:
    """Plain text: each non-blank line (or block of lines) is a paragraph, the text kept as written."""
    pieces: list[Piece] = []
    text_parts: list[str] = []
    length = 0
    for paragraph in re.split(r"\n\s*\n|\n", source.strip()):
        if not paragraph.strip():
            continue
        if text_parts:
            text_parts.append("\n")
            length += 1
        pieces.append(Piece("<p>"))
        pieces.append(Piece(html.escape(paragraph, quote=False), paragraph, length))
        pieces.append(Piece("</p>"))
        text_parts.append(paragraph)
        length += len(paragraph)
    return Document(tuple(pieces), "".join(text_parts))
