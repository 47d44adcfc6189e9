"""Incremental builds: what the cache keeps, what invalidates it, what gets rewritten."""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from conftest import element_text
from timeline import cache as cache_module
from timeline import tagging as tagging_module
from timeline.build import ArticleCache, build_site


def article(title: str, day: str | None, body: str) -> str:
    return f"---\ntitle: {title}\n" + (f"date: {day}\n" if day else "") + f"---\n{body}\n"


@pytest.fixture
def counted(monkeypatch):
    """The slugs of the articles tagged, in the order they were tagged (in this process)."""
    tagged: list[str] = []
    real = tagging_module.date_article
    monkeypatch.setattr(tagging_module, "date_article", lambda a, *rest: tagged.append(a.slug) or real(a, *rest))
    return tagged


@pytest.fixture
def three(site):
    site.add("a.md", article("Alpha", "2023-09-13", "The talks were held on Sept. 13, 2023."))
    site.add("b.md", article("Beta", "2006-10-14", "The vote came on Saturday."))
    site.add("c.md", article("Gamma", None, "The summit opened on Sunday, Sept. 10, 2023 in Vladivostok."))
    return site


def files_of(output: Path) -> dict[str, os.stat_result]:
    return {p.relative_to(output).as_posix(): p.stat() for p in output.rglob("*") if p.is_file()}


def test_disk_cache_survives_the_process(three, counted):
    first = build_site(three.config())
    assert sorted(counted) == ["a", "b", "c"] and first.articles_tagged == 3
    counted.clear()
    again = build_site(three.config(), ArticleCache())  # a new process: only the disk cache is left
    assert counted == [] and again.articles_tagged == 0
    assert again.pages_written == 0 and again.pages_unchanged == first.pages_written
    assert again.timeline.entries == first.timeline.entries  # computed on demand, same as before
    assert (three.root / ".timeline-cache").is_dir()


def test_unchanged_build_leaves_every_file_untouched(three):
    build_site(three.config())
    before = files_of(three.output)
    result = build_site(three.config())
    assert result.pages_written == 0 and result.pages_unchanged == len(before)
    after = files_of(three.output)
    assert {k: (s.st_ino, s.st_mtime_ns) for k, s in after.items()} == {k: (s.st_ino, s.st_mtime_ns) for k, s in before.items()}
    assert "3 articles" in result.summary() and "0 pages written" in result.summary()


def test_one_changed_article_rewrites_only_what_depends_on_it(three, counted):
    build_site(three.config())
    before = files_of(three.output)
    counted.clear()
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    result = build_site(three.config())
    assert counted == ["b"]
    after = files_of(three.output)
    rewritten = {k for k in after if after[k].st_ino != before[k].st_ino}
    # The article's page and what shows the whole timeline; the other articles' pages stay.
    timeline_files = {"index.html", "2006/index.html", "events.json", "feed.xml", "events.ics", "events.csv", "timelinejs.json"}
    assert rewritten == {"articles/b/index.html"} | timeline_files
    assert result.pages_written == len(rewritten) and result.pages_unchanged == len(after) - len(rewritten)
    values = {e["value"] for e in json.loads((three.output / "events.json").read_text())["events"]}
    assert "2006-10-13" in values and "2006-10-14" not in values


def test_page_settings_re_render_without_re_tagging(three, counted):
    build_site(three.config())
    counted.clear()
    (three.root / "timeline.toml").write_text('title = "Renamed site"\n')
    result = build_site(three.config())
    assert counted == []
    html_pages = list(three.output.rglob("*.html"))
    assert len(html_pages) >= 4 and result.pages_written >= len(html_pages)  # every page carries the title
    for page in ["index.html", "articles/a/index.html"]:
        assert "Renamed site" in element_text((three.output / page).read_text(), "title")


def test_today_invalidates_only_undated_articles(three, counted):
    build_site(three.config())
    counted.clear()
    build_site(three.config(today=date(2027, 1, 5)))
    assert counted == ["c"]


def test_tagger_change_invalidates_every_article(three, counted, monkeypatch):
    build_site(three.config())
    counted.clear()
    monkeypatch.setattr("timeline.build.tagging_fingerprint", lambda: "0" * 64)
    build_site(three.config())
    assert sorted(counted) == ["a", "b", "c"]
    assert [p.name for p in (three.root / ".timeline-cache").glob("tagged-*")] == ["tagged-" + "0" * 20]


def test_fingerprint_covers_tagger_code_and_data(tmp_path):
    package = Path(cache_module.__file__).parent
    copy = tmp_path / "timeline"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__"))
    base = cache_module.tagging_fingerprint(copy)
    assert base == cache_module.tagging_fingerprint(copy)
    data_files = sorted((copy / "tagger" / "data").iterdir())
    assert data_files
    data_files[0].write_text(data_files[0].read_text() + "\n# edited\n")
    with_data = cache_module.tagging_fingerprint(copy)
    engine = copy / "tagger" / "engine.py"
    engine.write_text(engine.read_text() + "\n# edited\n")
    with_code = cache_module.tagging_fingerprint(copy)
    assert len({base, with_data, with_code}) == 3
    (copy / "render.py").write_text("# pages only\n")
    assert cache_module.tagging_fingerprint(copy) == with_code  # rendering code does not re-tag


def test_unreadable_cache_entries_are_misses(three, counted):
    build_site(three.config())
    for entry in (three.root / ".timeline-cache").rglob("*.pickle"):
        entry.write_bytes(b"not a pickle")
    counted.clear()
    result = build_site(three.config(), ArticleCache())
    assert sorted(counted) == ["a", "b", "c"]
    assert not result.errors and result.site_written


def test_lost_article_entry_is_tagged_again_to_render_its_page(three, counted):
    build_site(three.config())
    shutil.rmtree(next((three.root / ".timeline-cache").glob("tagged-*")) / "articles")
    shutil.rmtree(three.output / "articles" / "a")
    result = build_site(three.config(), ArticleCache())
    assert not result.errors and (three.output / "articles" / "a" / "index.html").is_file()


def test_hand_edited_output_file_is_rewritten(three):
    build_site(three.config())
    page = three.output / "articles" / "a" / "index.html"
    good = page.read_bytes()
    page.write_text("edited by hand, and longer than before")
    result = build_site(three.config())
    assert page.read_bytes() == good and result.pages_written == 1


def test_interrupted_write_keeps_previous_site(three, monkeypatch):
    build_site(three.config())
    before = {k: (three.output / k).read_bytes() for k in files_of(three.output)}
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    from timeline import render

    def broken(renderer, site):
        yield render.OutputFile("partial.html", b"half")
        raise KeyboardInterrupt

    monkeypatch.setattr(render, "PRODUCERS", render.PRODUCERS[:1] + (broken,))
    with pytest.raises(KeyboardInterrupt):
        build_site(three.config())
    assert {k: (three.output / k).read_bytes() for k in files_of(three.output)} == before
    assert not list(three.root.glob(".output.building-*"))


def test_replaced_sites_are_removed(three):
    build_site(three.config())
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    build_site(three.config())
    assert list(three.root.glob(".output.previous-*")) == []
    leftover = three.root / ".output.previous-999999999" / "articles" / "a"  # from a killed build
    leftover.mkdir(parents=True)
    (leftover / "index.html").write_text("old")
    (three.root / ".elsewhere").mkdir()
    build_site(three.config())
    assert not (three.root / ".output.previous-999999999").exists()
    assert (three.root / ".elsewhere").is_dir() and (three.output / "index.html").is_file()


def test_serve_style_cache_rebuilds_incrementally(three, counted):
    cache = ArticleCache()
    build_site(three.config(), cache)
    counted.clear()
    three.add("a.md", article("Alpha", "2023-09-13", "The talks were held on Sept. 14, 2023."))
    result = build_site(three.config(), cache)
    assert counted == ["a"] and result.pages_written > 0
    assert result.pages_unchanged >= 2  # the pages of articles b and c
    (three.content / "c.md").unlink()
    result = build_site(three.config(), cache)
    assert sorted(d.article.slug for d in result.articles) == ["a", "b"]
    assert not (three.output / "articles" / "c").exists()


def test_files_untouched_since_the_last_build_are_not_read(three, monkeypatch):
    old = 1_600_000_000
    for file in three.content.iterdir():
        os.utime(file, (old, old))
    build_site(three.config())
    opened: list[str] = []
    from timeline import build as build_module

    real = build_module.read_article_bytes
    monkeypatch.setattr(build_module, "read_article_bytes", lambda path: opened.append(path.name) or real(path))
    build_site(three.config())
    assert opened == []
    # A file whose size or modification time differs from what the cache saw is read again.
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    os.utime(three.content / "b.md", (old, old))
    result = build_site(three.config())
    assert opened == ["b.md"] and result.articles_tagged == 1


def test_serve_style_cache_keeps_the_theme_until_a_theme_file_changes(three):
    cache = ArticleCache()
    theme = three.root / "mytheme" / "templates"
    theme.mkdir(parents=True)
    (three.root / "timeline.toml").write_text('theme = "mytheme"\n')
    build_site(three.config(), cache)
    kept = cache.theme(three.config().theme_dir)
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    build_site(three.config(), cache)
    assert cache.theme(three.config().theme_dir) is kept  # templates compiled once
    # A template added to the user theme replaces the default one at once.
    (theme / "article.html").write_text('{% extends "base.html" %}{% block title %}Custom {{ article.title }}{% endblock %}')
    build_site(three.config(), cache)
    assert cache.theme(three.config().theme_dir) is not kept
    assert element_text((three.output / "articles" / "b" / "index.html").read_text(), "title") == "Custom Beta"
