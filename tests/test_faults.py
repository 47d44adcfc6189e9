"""Fault suite: each bad input alone and all of them together in one site.

Every fault must give a message naming the file (and line where there is one) and what to do, the
good article must still be built, ``timeline build`` must exit non-zero when anything was skipped
(zero with ``--keep-going``), and no traceback may ever reach the user. The CLI runs in a subprocess,
as a user runs it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest

from conftest import REPO
from timeline.articles import MAX_ARTICLE_BYTES

GOOD = "---\ntitle: Talks resume\ndate: 2024-03-01\n---\nTalks resumed in Geneva on March 3, 2024.\n"
GOOD_PAGE = "articles/good/index.html"


def run_build(site_dir: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "timeline", "build", *args],
        cwd=site_dir, env=env, capture_output=True, text=True, timeout=120,
    )


def write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data if isinstance(data, bytes) else data.encode())


@dataclass(frozen=True)
class Fault:
    """A bad (or merely unusual) input: how to make it, and what the build must say about it."""

    name: str
    make: object  # (content folder) -> None
    shown: str | None  # the path the message must name; None when the input is fine
    line: int | None = None
    advice: str = ""  # words of the "what to do" part of the message
    page: str | None = None  # the page it must produce when it is fine


def _nested_lists(content: Path) -> None:
    write(content / "nested-lists.md", "# Deep lists\n\n" + "".join("    " * i + "- item\n" for i in range(150)))


def _nested_quotes(content: Path) -> None:
    write(content / "nested-quotes.md", "# Deep quotes\n\n" + ">" * 3000 + " on May 2, 2020 it ended\n")


def _symlink_loop(content: Path) -> None:
    (content / "loop-a.md").symlink_to("loop-b.md")
    (content / "loop-b.md").symlink_to("loop-a.md")


def _fifo(content: Path) -> None:
    os.mkfifo(content / "pipe.md")


def _big(content: Path) -> None:
    with open(content / "huge.md", "wb") as f:
        f.write(b"# Huge\n\n")
        f.truncate(20 * 2**20)  # sparse: a 20 MB file without writing 20 MB


def _long_line(content: Path) -> None:
    write(content / "long-line.md", "# One line\n\n" + "On May 1, 2020 they met. " * (5 * 2**20 // 25))


def _image(content: Path) -> None:
    png = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
    write(content / "photo.png", png)  # not an article: ignored
    write(content / "photo.md", png)  # an image with an article's name: an error


FAULTS = [
    Fault("malformed-yaml", lambda c: write(c / "bad-yaml.md", "---\ntitle: [unclosed\ndate: 2024-01-01\n---\nx\n"),
          "content/bad-yaml.md", 3, "YAML"),
    Fault("date-soon", lambda c: write(c / "soon.md", "---\ntitle: Soon\ndate: soon\n---\nx\n"),
          "content/soon.md", 3, "YYYY-MM-DD"),
    Fault("tags-5", lambda c: write(c / "tags.md", "---\ntitle: Tags\ntags: 5\n---\nx\n"),
          "content/tags.md", 3, "like [a, b]"),
    Fault("title-mapping", lambda c: write(c / "title-map.md", "---\ntitle: {a: 1}\n---\nx\n"),
          "content/title-map.md", 2, "expected text"),
    Fault("front-matter-list", lambda c: write(c / "list.md", "---\n- a\n- b\n---\nx\n"),
          "content/list.md", 2, "key: value"),
    Fault("unclosed-front-matter", lambda c: write(c / "unclosed.md", "---\ntitle: Open\ndate: 2024-01-01\nBody.\n"),
          "content/unclosed.md", 1, "add a line '---'"),
    Fault("non-utf8", lambda c: write(c / "latin1.txt", "Title\nCaf\xe9 on May 1, 2020\n".encode("latin-1")),
          "content/latin1.txt", 2, "save the file as UTF-8"),
    Fault("non-utf8-file-name", lambda c: write(c / os.fsdecode(b"caf\xe9.md"), "# Cafe\n\nOpened on May 1, 2020.\n"),
          "content/caf\ufffd.md", None, "rename the file"),
    Fault("nul-bytes", lambda c: write(c / "nul.md", b"# Nul\n\nsome\x00thing\n"), "content/nul.md", None, "not a text article"),
    Fault("binary", lambda c: write(c / "binary.md", bytes(range(256)) * 8), "content/binary.md", None, "move it out"),
    Fault("image", _image, "content/photo.md", None, "not a text article"),
    Fault("empty-md", lambda c: write(c / "empty.md", b""), "content/empty.md", 1, "add 'title:'"),
    Fault("empty-txt", lambda c: write(c / "empty.txt", b""), "content/empty.txt", 1, "must be its title"),
    Fault("no-title", lambda c: write(c / "untitled.md", "---\ndate: 2024-01-01\n---\nJust text.\n"),
          "content/untitled.md", 4, "add 'title:'"),
    Fault("bad-mode", lambda c: write(c / "mode.md", "---\ntitle: M\nmode: poem\n---\nx\n"), "content/mode.md", 3, "news"),
    Fault("20MB", _big, "content/huge.md", None, "split it"),
    Fault("5MB-line", _long_line, "content/long-line.md", None, "split it"),
    Fault("nested-lists", _nested_lists, "content/nested-lists.md", 103, "flatten"),
    Fault("symlink-loop", _symlink_loop, "content/loop-a.md", None, "fix its permissions or the link"),
    Fault("fifo", _fifo, "content/pipe.md", None, "move it out"),
    Fault("same-slug", lambda c: (write(c / "same.md", "# One\n\nx\n"), write(c / "sub/same.md", "# Two\n\nx\n")),
          "content/sub/same.md", None, "rename one"),
    Fault("feb-30-front-matter", lambda c: write(c / "feb30.md", "---\ntitle: F\ndate: 2024-02-30\n---\nx\n"),
          "content/feb30.md", 3, "YYYY-MM-DD"),
    Fault("year-0-front-matter", lambda c: write(c / "year0.md", "---\ntitle: Z\ndate: 0000-01-01\n---\nx\n"),
          "content/year0.md", 3, "year 1 to 9999"),
    Fault("year-10000-front-matter", lambda c: write(c / "far.md", "---\ntitle: Far\ndate: 10000-01-01\n---\nx\n"),
          "content/far.md", 3, "year 1 to 9999"),
    # Unusual but fine: these must build.
    Fault("bom", lambda c: write(c / "bom.md", b"\xef\xbb\xbf---\ntitle: BOM\ndate: 2024-01-02\n---\nOn Jan. 5, 2024 it rained.\n"),
          None, page="articles/bom/index.html"),
    Fault("crlf", lambda c: write(c / "crlf.md", b"---\r\ntitle: CRLF\r\ndate: 2024-01-02\r\n---\r\nOn Jan. 6, 2024 it rained.\r\n"),
          None, page="articles/crlf/index.html"),
    Fault("cr", lambda c: write(c / "cr.md", b"---\rtitle: CR\rdate: 2024-01-02\r---\rOn Jan. 7, 2024 it rained.\r"),
          None, page="articles/cr/index.html"),
    Fault("nested-quotes", _nested_quotes, None, page="articles/nested-quotes/index.html"),
    Fault("extreme-dates", lambda c: write(c / "extreme.md", "---\ntitle: Extreme\ndate: 2024-01-01\n---\n"
          "It happened on Feb. 30. It was year 0. Settlers came in 10,000 BC. Robots rule in the year 3000.\n"),
          None, page="articles/extreme/index.html"),
]


def message_for(stderr: str, shown: str) -> str:
    lines = [line for line in stderr.splitlines() if re.match(rf"error: {re.escape(shown)}[:\s]", line)]
    assert lines, f"no error names {shown}:\n{stderr}"
    return lines[0]


def check_fault(fault: Fault, stderr: str, output: Path) -> None:
    assert "Traceback" not in stderr
    assert "bug in timeline" not in stderr, stderr
    assert (output / GOOD_PAGE).is_file(), "the good article was not built"
    if fault.shown is None:
        assert (output / fault.page).is_file(), stderr
        return
    message = message_for(stderr, fault.shown)
    place = f"error: {fault.shown}:{fault.line}:" if fault.line else f"error: {fault.shown}: "
    assert message.startswith(place), message
    assert fault.advice in message, message


@pytest.mark.parametrize("fault", FAULTS, ids=[f.name for f in FAULTS])
def test_each_fault_alone(fault, tmp_path):
    content = tmp_path / "content"
    write(content / "good.md", GOOD)
    fault.make(content)
    done = run_build(tmp_path)
    check_fault(fault, done.stderr, tmp_path / "output")
    assert done.returncode == (0 if fault.shown is None else 1), done.stderr


def test_all_faults_together(tmp_path):
    content = tmp_path / "content"
    write(content / "good.md", GOOD)
    for fault in FAULTS:
        fault.make(content)
    done = run_build(tmp_path)
    assert done.returncode == 1, done.stderr
    for fault in FAULTS:
        check_fault(fault, done.stderr, tmp_path / "output")
    kept = run_build(tmp_path, "--keep-going")
    assert kept.returncode == 0, kept.stderr
    assert "Traceback" not in kept.stderr


def test_template_syntax_error_keeps_previous_site(tmp_path):
    write(tmp_path / "content/good.md", GOOD)
    assert run_build(tmp_path).returncode == 0
    before = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "output").rglob("*") if p.is_file()}
    write(tmp_path / "timeline.toml", 'theme = "mytheme"\n')
    write(tmp_path / "mytheme/templates/article.html", '{% extends "base.html" %}\n{% block main %}\n{% if %}\n{% endblock %}\n')
    done = run_build(tmp_path, "--keep-going")
    assert done.returncode == 1
    assert "Traceback" not in done.stderr
    assert re.search(r"error: \S*article\.html:3: template error", done.stderr), done.stderr
    assert "previous site" in done.stderr
    after = {p.relative_to(tmp_path): p.read_bytes() for p in (tmp_path / "output").rglob("*") if p.is_file()}
    assert after == before


def test_unreadable_file_is_reported(site, monkeypatch):
    """Root reads any file whatever its mode, so the read error is made by a patched read."""
    from timeline.build import build_site

    site.add("good.md", GOOD)
    locked = site.add("locked.md", "# Locked\n\nx\n")
    real_read = Path.read_bytes

    def read_bytes(self):
        if self == locked:
            raise PermissionError(13, "Permission denied", str(self))
        return real_read(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    result = build_site(site.config())
    [problem] = result.errors
    assert problem.path == "content/locked.md"
    assert "Permission denied" in problem.message and "fix its permissions" in problem.message
    assert [d.article.slug for d in result.articles] == ["good"]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode; covered by the patched read above")
def test_unreadable_file_by_mode(tmp_path):
    write(tmp_path / "content/good.md", GOOD)
    locked = tmp_path / "content/locked.md"
    write(locked, "# Locked\n\nx\n")
    locked.chmod(0)
    done = run_build(tmp_path)
    assert done.returncode == 1
    assert "error: content/locked.md: cannot read file" in done.stderr


def test_article_size_limit_is_exact(site):
    from timeline.build import build_site

    site.add("good.md", GOOD)
    site.add("at-limit.md", b"# At the limit\n\n" + b"x" * (MAX_ARTICLE_BYTES - 16))
    site.add("over.md", b"# Over\n\n" + b"x" * (MAX_ARTICLE_BYTES - 7))
    result = build_site(site.config())
    assert [p.path for p in result.errors] == ["content/over.md"]
    assert {d.article.slug for d in result.articles} == {"good", "at-limit"}


def test_recursion_in_rendering_is_an_error_not_a_crash(site, monkeypatch):
    """Nesting the indentation check lets through (e.g. "- - - - ...") may still hit the recursion limit."""
    import timeline.dating
    from timeline.build import build_site

    site.add("good.md", GOOD)
    site.add("deep.md", "# Deep\n\nx\n")
    real = timeline.dating.from_markdown

    def from_markdown(source):
        if source.strip() == "x":
            raise RecursionError("maximum recursion depth exceeded")
        return real(source)

    monkeypatch.setattr(timeline.dating, "from_markdown", from_markdown)
    result = build_site(site.config())
    [problem] = result.errors
    assert problem.path == "content/deep.md" and "nested too deeply" in problem.message


@pytest.mark.parametrize("phrase", ["Feb. 30", "Feb. 30, 2023", "year 0", "10,000 BC", "the year 3000", "Feb. 29, 2023"])
def test_extreme_dates_through_tagger_and_value_span(phrase):
    from timeline.tagger import tag
    from timeline.tagger.values import value_span

    text = f"It happened on {phrase} according to officials."
    for timex in tag(text, date(2024, 1, 1)):
        assert text[timex.start : timex.end] == timex.text
        span = value_span(timex.value)  # never raises
        if span is not None:
            assert span.start <= span.end
