from html.parser import HTMLParser
from hypothesis import example, given, settings
from hypothesis import strategies as st

from timeline.document import from_markdown, from_plain_text


def test_markdown_plain_text_and_sanitizing():
    doc = from_markdown("On **Sunday, Sept. 10** & after.\n\n<script>alert(1)</script>\n\n[x](javascript:alert(1))")
    assert "On Sunday, Sept. 10 & after." in doc.text
    assert "<script" not in doc.html and "javascript:" not in doc.html
    assert "alert" not in doc.text


def test_wrap_marks_spans_across_tags_and_escapes():
    doc = from_markdown("Kim left on **Sunday**, Sept. 10 & <em>more</em>.")
    start = doc.text.index("Sunday")
    end = doc.text.index("10") + 2
    out = doc.wrap([(start, end)], lambda i, inner: f"<mark>{inner}</mark>")

    class Collect(HTMLParser):
        marked: list[str] = []
        depth = 0

        def handle_starttag(self, tag, attrs):
            self.depth += tag == "mark"

        def handle_endtag(self, tag):
            self.depth -= tag == "mark"

        def handle_data(self, data):
            if self.depth:
                self.marked.append(data)

    collect = Collect()
    collect.feed(out)
    assert "".join(collect.marked) == "Sunday, Sept. 10"
    assert "&amp;" in out


def test_plain_text_paragraphs_keep_offsets():
    doc = from_plain_text("First line 2006.\nSecond line.")
    assert doc.text == "First line 2006.\nSecond line."
    i = doc.text.index("2006")
    assert doc.wrap([(i, i + 4)], lambda k, h: f"[{h}]") == "<p>First line [2006].</p><p>Second line.</p>"


def test_reused_markdown_converter_keeps_nothing_between_articles():
    import markdown

    from timeline.document import _markdown_to_html

    first = "Talks[^1] with the *UN*.\n\n[^1]: A note.\n\n*[UN]: United Nations\n\n[ref]: https://example.org/\n"
    second = "The UN met [again][ref][^1].\n"
    for source in (first, second, first):
        fresh = markdown.markdown(source, extensions=["extra", "sane_lists"], output_format="html")
        assert _markdown_to_html(source) == fresh
    assert "<abbr" not in _markdown_to_html(second) and "footnote" not in _markdown_to_html(second)


def _plain_paragraphs_html(source: str) -> str | None:
    """The HTML of plain paragraphs (``document._plain_paragraphs``), as it is without Markdown."""
    import html

    from timeline.document import _plain_paragraphs

    paragraphs = _plain_paragraphs(source)
    return None if paragraphs is None else "\n".join(f"<p>{html.escape(p, quote=False)}</p>" for p in paragraphs)


def _markdown_itself(source: str) -> str:
    from timeline.document import _converter

    converter, overrides = _converter()
    overrides.found = []
    return converter.reset().convert(source)


_TOKENS = st.sampled_from(
    ["Talks", "resumed", "on", "May", "5,", "2003", "1986.", "12", "3)", "-", "--", "+", ":", "=", "===", "#", ">",
     "'", '"', "&", "&amp;", "<b>", "*", "_", "[x]", "(date:2003)", "é", "\u00a0", "\u2028", "\x02", "\t", " ", "  ",
     "\n", "\n\n", "\n \n", "\n\n\n", "http://example.org/a_b", "AT&T", "10:30", "a.m.", "U.S.", "Sino-Japanese"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TOKENS, max_size=30).map(" ".join) | st.lists(_TOKENS, max_size=30).map("".join))
def test_plain_paragraphs_are_made_as_markdown_makes_them(source):
    """Plain text skips the Markdown converter only where the converter would make the same HTML."""
    plain = _plain_paragraphs_html(source)
    if plain is not None:
        assert plain == _markdown_itself(source)


_ANY_TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=8)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TOKENS | _ANY_TEXT, max_size=30).map(" ".join) | st.lists(_TOKENS | _ANY_TEXT, max_size=30).map("".join))
@example("SEOUL, Oct. 9 - Talks resumed\non Monday.\n\n\nThe U.S. said \"it's serious\" & left.\n")
def test_plain_paragraphs_are_read_as_their_sanitized_html(source):
    """The document of plain paragraphs is made directly: the same as reading their HTML, sanitized
    (from the source without marker characters, as ``from_markdown`` reads it)."""
    from timeline.document import _MARKERS, _from_html, _plain_paragraphs_document, sanitize

    source = _MARKERS.sub("", source)
    plain = _plain_paragraphs_html(source)
    document = _plain_paragraphs_document(source)
    assert (document is None) == (plain is None)
    if plain is not None:
        assert document == _from_html(sanitize(plain))[0]


# Markdown syntax as one regex: what ``document._has_markdown_syntax`` looks for in parts.
_SYNTAX = r"[\\`*_\[\]<>{}|~&!^\x00-\x09\x0b-\x1f\x7f]|[^\S \n]|^ |^(?:[-+:=>#]|\d+[.)])| $"


def test_syntax_characters_are_the_punctuation_and_odd_white_space():
    """The class of syntax characters holds every white space character but space and newline."""
    import re

    from timeline.document import _SYNTAX_CHARACTERS

    one = re.compile(r"[\\`*_\[\]<>{}|~&!^\x00-\x09\x0b-\x1f\x7f]|[^\S \n]")
    assert [c for c in map(chr, range(0x110000)) if bool(_SYNTAX_CHARACTERS.match(c)) != bool(one.match(c))] == []


@settings(max_examples=1000, deadline=None)
@given(st.lists(_TOKENS | _ANY_TEXT, max_size=12).map(" ".join) | st.lists(_TOKENS | _ANY_TEXT, max_size=12).map("".join))
@example(" a")
@example("a \nb")
@example("a\n12) b")
@example("a ")
def test_markdown_syntax_is_found_where_one_regex_finds_it(source):
    import re

    from timeline.document import _has_markdown_syntax

    assert _has_markdown_syntax(source) == bool(re.search(_SYNTAX, source, re.M))


def test_wire_copy_takes_the_plain_path():
    source = "SEOUL, Oct. 9 - North Korea said it had carried out a test.\nOfficials met at 10:30 a.m.\n\n\nThe U.S. said \"it's serious\"."
    assert _plain_paragraphs_html(source) == _markdown_itself(source)
    assert _plain_paragraphs_html("Talks on **May 5**.") is None


def test_a_tagged_article_loads_without_importing_markdown(tmp_path):
    """Rendering an article's page loads it from the cache: that needs the document's classes, not
    the Markdown converter (a process that imports it takes 30 - 50 ms more)."""
    import pickle
    import subprocess
    import sys
    from datetime import date
    from pathlib import Path

    from timeline.tagging import TagJob, tag_one

    path = tmp_path / "a.md"
    path.write_text("---\ntitle: Talks\ndate: 2006-10-09\n---\nThe talks resumed on *Monday* in [Geneva](https://example.org).\n")
    dated = tag_one(TagJob("k", path, tmp_path, "a.md", path.read_bytes(), date(2026, 11, 28))).dated
    (tmp_path / "dated.pickle").write_bytes(pickle.dumps(dated))
    code = (
        "import pickle, sys; dated = pickle.load(open(sys.argv[1], 'rb'));"
        "assert dated.document.text.startswith('The talks resumed'), dated.document.text;"
        "print(sorted(m for m in ('markdown', 'nh3') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code, str(tmp_path / "dated.pickle")], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
