from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from timeline.articles import decode_article, find_article_files, parse_article, read_article, slugify
from timeline.problems import ContentError

CONTENT = Path("/site/content")


def parse(name: str, text: str):
    return parse_article(text, CONTENT / name, CONTENT)


def test_markdown_front_matter_fields():
    article = parse(
        "world/summit.md",
        "---\ntitle: Leaders meet\ndate: 2023-09-13\nsource: Wire\nurl: https://example.org/a\n"
        "tags: [Russia, North Korea]\nauthors: A. Writer, B. Writer\nmode: narrative\n---\nBody text.\n",
    )
    assert article.title == "Leaders meet"
    assert article.published == date(2023, 9, 13)
    assert article.source == "Wire" and article.url == "https://example.org/a"
    assert article.tags == ("Russia", "North Korea")
    assert article.authors == ("A. Writer", "B. Writer")
    assert article.mode == "narrative"
    assert article.body == "Body text.\n"
    assert article.body_line == 10
    assert article.slug == "summit" and article.rel_path == "world/summit.md"


def test_datetime_with_offset_keeps_local_date():
    article = parse("a.md", "---\ntitle: T\ndate: 2023-09-13T23:30:00+09:00\n---\nx")
    assert article.published == date(2023, 9, 13)
    assert article.published_at == datetime(2023, 9, 13, 23, 30, tzinfo=timezone(timedelta(hours=9)))


def test_text_article_first_line_is_title():
    article = parse("Seed Story.txt", "\nA title\nFirst paragraph.\nSecond.")
    assert article.title == "A title"
    assert article.body == "First paragraph.\nSecond."
    assert article.body_line == 3
    assert article.format == "text"
    assert article.slug == "seed-story"


def test_markdown_heading_as_title():
    article = parse("a.md", "# The heading\n\nText")
    assert article.title == "The heading"
    assert article.body.strip() == "Text"


@pytest.mark.parametrize(
    "name,text,line,fragment",
    [
        ("a.md", "---\ntitle: [unclosed\n---\n", 2, "not valid YAML"),
        ("a.md", "---\ntitle: x\nbody without end", 1, "never closed"),
        ("a.md", "---\ntitle: x\ndate: soon\n---\n", 3, "'soon' is not a date"),
        ("a.md", "---\ntitle: x\ntags: 5\n---\n", 3, "list of names"),
        ("a.md", "---\ntitle: x\nmode: poetry\n---\n", 3, "news, narrative"),
        ("a.md", "---\n- a list\n---\n", 2, "mapping"),
        ("a.md", "just text, no title", 1, "no title"),
        ("a.txt", "  \n\n", 1, "empty article"),
    ],
)
def test_bad_articles_name_the_line(name, text, line, fragment):
    with pytest.raises(ContentError) as caught:
        parse(name, text)
    assert caught.value.line == line
    assert fragment in caught.value.message


def test_non_utf8_names_the_line(tmp_path):
    path = tmp_path / "bad.txt"
    path.write_bytes(b"Title\nfine line\nbad \xff byte\n")
    with pytest.raises(ContentError) as caught:
        read_article(path, tmp_path)
    assert caught.value.line == 3 and "UTF-8" in caught.value.message


def test_bom_and_line_endings_are_normalised():
    assert decode_article(Path("x"), "\ufeffA\r\nB\rC".encode("utf-8")) == "A\nB\nC"
    assert decode_article(Path("x"), b"\xef\xbb\xbfTitle\n") == "Title\n"


def test_find_article_files_is_sorted_and_skips_hidden(tmp_path):
    for rel in ["b.md", "a/c.txt", ".hidden/x.md", ".swp.md", "img.png", "a/b.markdown"]:
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x")
    found = [Path(p).relative_to(tmp_path).as_posix() for p in find_article_files(tmp_path)]
    assert found == ["b.md", "a/b.markdown", "a/c.txt"]


def test_slugify():
    assert slugify("Kim–Putin Summit, 2023") == "kimputin-summit-2023"
    assert slugify("Ünïcode  title") == "unicode-title"
    assert slugify("!!!") == "article"
