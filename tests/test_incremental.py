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
from timeline import render
from timeline.build import ArticleCache, build_site
from timeline.cache import ARTICLES_FILE


def article(title: str, day: str | None, body: str) -> str:
    return f"---\ntitle: {title}\n" + (f"date: {day}\n" if day else "") + f"---\n{body}\n"


@pytest.fixture
def counted(monkeypatch):
    """The slugs of the articles tagged, in the order they were tagged (in this process)."""
    tagged: list[str] = []
    real = tagging_module.date_article
    monkeypatch.setattr(tagging_module, "date_article", lambda a, *rest: tagged.append(a.slug) or real(a, *rest))
    monkeypatch.setattr(tagging_module, "FORK_FEW", False)  # tagged in this process, to be counted
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


@pytest.mark.parametrize("damage", ["removed", "not a database", "malformed"])
def test_lost_article_entry_is_tagged_again_to_render_its_page(three, counted, damage):
    build_site(three.config())
    (table,) = (three.root / ".timeline-cache").glob(f"tagged-*/{ARTICLES_FILE}")
    for suffix in ("-wal", "-shm"):
        Path(f"{table}{suffix}").unlink(missing_ok=True)
    data = table.read_bytes()
    table.unlink()
    if damage == "not a database":
        table.write_bytes(b"not a database" * 100)
    elif damage == "malformed":  # a valid header over damaged pages
        table.write_bytes(data[:100] + b"\xa5" * (len(data) - 100))
    shutil.rmtree(three.output / "articles" / "a")
    result = build_site(three.config(), ArticleCache())
    assert not result.errors and (three.output / "articles" / "a" / "index.html").is_file()
    # The damaged file was replaced, and the article tagged again stored: it is found from now on.
    again = build_site(three.config(), cache := ArticleCache())
    assert cache.store.get_article(next(r for r in again.articles if r.article.slug == "a").key) is not None


@pytest.mark.parametrize("whole_table", [False, True])
def test_articles_are_read_back_in_the_order_asked(three, whole_table):
    """By key, or in one pass over the table when most of it is asked for: each article in turn,
    None for one the cache does not hold."""
    result = build_site(three.config(), cache := ArticleCache())
    records = sorted(result.articles, key=lambda r: r.article.slug, reverse=True)
    keys = [records[0].key, "not-a-key", *(r.key for r in records[1:])]
    read = list(cache.store.read_articles(keys, whole_table=whole_table))
    assert [d and d.article.slug for d in read] == [records[0].article.slug, None, *(r.article.slug for r in records[1:])]


def test_hand_edited_output_file_is_rewritten(three):
    build_site(three.config())
    page = three.output / "articles" / "a" / "index.html"
    good = page.read_bytes()
    page.write_text("edited by hand, and longer than before")
    result = build_site(three.config())
    assert page.read_bytes() == good and result.pages_written == 1


def _interrupted(renderer, site):
    """A producer that makes a file, then is interrupted (Ctrl-C)."""
    yield render.OutputFile("partial.html", b"half")
    raise KeyboardInterrupt


def test_interrupted_write_keeps_previous_site(three, monkeypatch):
    build_site(three.config())
    before = {k: (three.output / k).read_bytes() for k in files_of(three.output)}
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    monkeypatch.setattr(render, "PRODUCERS", render.PRODUCERS[:1] + (_interrupted,))
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


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def fresh_build(site, tmp_path: Path) -> dict[str, bytes]:
    """The site built from nothing, elsewhere: what the output folder must equal."""
    copy = tmp_path / "fresh"
    shutil.rmtree(copy, ignore_errors=True)
    shutil.copytree(site.content, copy / "content")
    from timeline.config import load_config

    build_site(load_config(copy, today=date(2026, 11, 28)))
    return tree(copy / "output")


def spare_of(site) -> Path:
    (found,) = (site.root / ".timeline-cache").glob("spare-*")
    return found


def test_kept_replaced_site_makes_the_next_site_exactly(three, tmp_path):
    build_site(three.config())
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    build_site(three.config())
    spare = spare_of(three)
    assert (spare / "articles" / "a" / "index.html").is_file()  # the replaced site, kept
    # Someone drops a file into the output folder, and edits one inside the kept site.
    (three.output / "stray.txt").write_text("not ours")
    (three.output / "articles" / "a" / "notes").mkdir()
    (three.output / "articles" / "a" / "notes" / "stray.txt").write_text("not ours either")
    (three.output / "2006" / "stray.txt").write_text("nor this")
    (spare / "articles" / "c" / "index.html").unlink()
    (spare / "articles" / "c" / "index.html").write_text("tampered")
    three.add("a.md", article("Alpha", "2023-09-13", "The talks were held on Sept. 14, 2023."))
    (three.content / "c.md").unlink()
    build_site(three.config())
    assert tree(three.output) == fresh_build(three, tmp_path)
    three.add("d.md", article("Delta", "2023-09-20", "The summit closed on Sept. 19, 2023."))
    build_site(three.config())
    build_site(three.config())  # nothing changed
    assert not [path for path in tree(three.output) if "stray" in path]
    assert tree(three.output) == fresh_build(three, tmp_path)


def test_unchanged_files_need_no_work_with_a_kept_site(three, monkeypatch):
    build_site(three.config())
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    build_site(three.config())
    three.add("a.md", article("Alpha", "2023-09-13", "The talks were held on Sept. 14, 2023."))
    from timeline import output

    placed: list[str] = []
    keep, write = output._keep, output._write_new
    monkeypatch.setattr(output, "_keep", lambda old, target: placed.append(Path(target).parent.name) or keep(old, target))
    monkeypatch.setattr(output, "_write_new", lambda target, data: placed.append(Path(target).parent.name) or write(target, data))
    build_site(three.config())
    # b's page changed in the build before: it is linked again. c's page is in place already.
    assert "b" in placed and "a" in placed and "c" not in placed


def test_a_merge_saved_as_changes_loads_in_timeline_order(three, tmp_path):
    """The entries of an edit are saved as changes to the merge; loaded by the next build, they
    stand in timeline order among the others, as a fresh build has them."""
    for i in range(12):  # enough events that an edit is merged again in part, not afresh
        three.add(f"m{i}.md", article(f"Meeting {i}", "2010-05-20", f"Delegates of group {i} met on May {i + 1}, 2010."))
    build_site(three.config())
    three.add("a.md", article("Alpha", "2023-09-13", "Talks began on Jan. 5, 1990. The talks were held on Sept. 14, 2023."))
    build_site(three.config())
    assert list((three.root / ".timeline-cache").glob("tagged-*/merge-changes.pickle"))  # saved as changes
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Thursday."))
    build_site(three.config())
    assert tree(three.output) == fresh_build(three, tmp_path)


def test_build_killed_while_using_the_kept_site_leaves_the_site(three, monkeypatch, tmp_path):
    build_site(three.config())
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    build_site(three.config())
    before = tree(three.output)
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Thursday."))
    monkeypatch.setattr(render, "PRODUCERS", render.PRODUCERS[:2] + (_interrupted,))
    with pytest.raises(KeyboardInterrupt):
        build_site(three.config())
    assert tree(three.output) == before
    monkeypatch.undo()
    build_site(three.config())
    assert tree(three.output) == fresh_build(three, tmp_path)


def test_unchanged_entries_are_not_made_again(three, monkeypatch):
    three.add("d.md", article("Delta", "2023-09-20", "The summit closed on Sept. 19, 2023. Talks resume on Sept. 25, 2023."))
    build_site(three.config())
    from timeline import exports

    made: list[str] = []
    real = exports.event_document
    monkeypatch.setattr(exports, "event_document", lambda entry: made.append(entry.id) or real(entry))
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    result = build_site(three.config())
    # events.json is written again, from the old lines of every entry but b's.
    assert len(made) == 1 and len(result.timeline.entries) >= 4
    events = json.loads((three.output / "events.json").read_text())["events"]
    assert [e["id"] for e in events] == [e.id for e in result.timeline.entries]


def test_theme_change_makes_every_entry_again(three, tmp_path):
    build_site(three.config())
    from timeline.theme_files import DEFAULT_THEME

    theme = three.root / "mytheme" / "templates"
    theme.mkdir(parents=True)
    original = (DEFAULT_THEME / "templates" / "_entry.html").read_text()
    (theme / "_entry.html").write_text(original.replace('<h3 class="event-title">', '<h3 class="event-title mine">'))
    (three.root / "timeline.toml").write_text('theme = "mytheme"\n')
    build_site(three.config())
    for page in ["index.html", "2006/index.html", "2023/index.html"]:
        text = (three.output / page).read_text()
        assert text.count('class="event-title mine"') == text.count('class="event-title')


def test_only_changed_entries_are_rendered_again(three, monkeypatch):
    from timeline import render
    from timeline.theme_files import DEFAULT_THEME

    rendered: list[str] = []
    real_init = render.Theme.__init__

    def counting_theme(self, user_theme, *rest):
        real_init(self, user_theme, *rest)
        self.env.globals["counted"] = lambda entry_id: rendered.append(entry_id) or ""

    monkeypatch.setattr(render.Theme, "__init__", counting_theme)
    theme = three.root / "mytheme" / "templates"
    theme.mkdir(parents=True)
    original = (DEFAULT_THEME / "templates" / "_entry.html").read_text()
    (theme / "_entry.html").write_text(original.replace('<h3 class="event-title">', '{{ counted(entry.id) }}<h3 class="event-title">'))
    (three.root / "timeline.toml").write_text('theme = "mytheme"\n')
    first = build_site(three.config())
    assert set(rendered) == {e.id for e in first.timeline.entries}
    rendered.clear()
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    second = build_site(three.config())
    changed = {e.id for e in second.timeline.entries if any(m.article == "b" for m in e.sources)}
    assert rendered and set(rendered) <= changed
    # The 2023 section was kept whole last time; now c changes: a's entries still come from before.
    rendered.clear()
    three.add("c.md", article("Gamma", None, "The summit opened on Monday, Sept. 11, 2023 in Vladivostok."))
    third = build_site(three.config())
    changed = {e.id for e in third.timeline.entries if any(m.article == "c" for m in e.sources)}
    assert rendered and set(rendered) <= changed


def test_pieces_recorded_for_another_state_of_a_file_are_not_used(three, tmp_path):
    build_site(three.config())
    (pieces,) = (three.root / ".timeline-cache").glob("output-*.pieces")
    stale = pieces.read_bytes()
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    build_site(three.config(), ArticleCache())
    pieces.write_bytes(stale)  # as if the build before had been killed before recording its pieces
    three.add("a.md", article("Alpha", "2023-09-13", "The talks were held on Sept. 14, 2023."))
    build_site(three.config(), ArticleCache())
    assert tree(three.output) == fresh_build(three, tmp_path)


def test_small_changes_save_only_the_changed_records(three, tmp_path, monkeypatch):
    build_site(three.config())
    (folder,) = (three.root / ".timeline-cache").glob("tagged-*")
    whole = {name: (folder / name).stat().st_mtime_ns for name in ("index.pickle", "merge.pickle")}
    for day in ("Friday", "Thursday", "Wednesday"):
        three.add("b.md", article("Beta", "2006-10-14", f"The vote came on {day}."))
        last = ArticleCache()  # a new process each time: only the disk cache
        build_site(three.config(), last)
    assert {name: (folder / name).stat().st_mtime_ns for name in whole} == whole
    from timeline.cache import DiskStore, tagging_fingerprint

    store = DiskStore.open(three.root, tagging_fingerprint())
    assert store.load_index() == last.index
    assert sorted(c.token for c in store.load_merge().clusters) == sorted(c.token for c in last.merge.clusters)
    assert (folder / "index-changes.pickle").is_file() and (folder / "merge-changes.pickle").is_file()
    assert tree(three.output) == fresh_build(three, tmp_path)
    again = build_site(three.config(), ArticleCache())
    assert again.articles_tagged == 0 and again.pages_written == 0
    assert {e.value for e in again.timeline.entries} >= {"2006-10-11"}
    # Past the limit the whole index is written again, and the changes file goes.
    from timeline.cache import DiskStore

    monkeypatch.setattr(DiskStore, "CHANGES_LIMIT", 0)
    three.add("a.md", article("Alpha", "2023-09-13", "The talks were held on Sept. 14, 2023."))
    build_site(three.config(), ArticleCache())
    assert (folder / "index.pickle").stat().st_mtime_ns != whole["index.pickle"]
    assert not (folder / "index-changes.pickle").exists() and not (folder / "merge-changes.pickle").exists()
    assert tree(three.output) == fresh_build(three, tmp_path)


def test_a_manifest_of_an_older_version_is_no_use_and_no_error(three, tmp_path):
    import pickle

    from timeline.cache import OutputManifest

    build_site(three.config())
    path = OutputManifest.path(three.root, three.output)
    old = pickle.loads(path.read_bytes())
    del old.__dict__["spare_folders"]  # as a version without the field wrote it
    path.write_bytes(pickle.dumps(old))
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    result = build_site(three.config(), ArticleCache())
    assert result.site_written and not result.errors
    assert tree(three.output) == fresh_build(three, tmp_path)


def test_an_article_page_follows_its_entry_when_another_article_joins_it(site, tmp_path):
    train = "Kim Jong Un's armoured train crossed the border into Russia on Tuesday, Russian media said."
    site.add("late.md", article("Late", "2023-09-14", train.replace("Tuesday", "Sept. 12")))
    site.add("other.md", article("Other", "2023-09-10", "The central bank raised rates on Friday."))
    build_site(site.config())
    before = (site.output / "articles" / "late" / "index.html").read_text()
    # An earlier report of the same crossing: the entry's first source, and so its id, changes.
    site.add("early.md", article("Early", "2023-09-13", train.replace("Tuesday", "Sept. 12")))
    result = build_site(site.config(), ArticleCache())
    (entry,) = [e for e in result.timeline.entries if len(e.sources) == 2]
    page = (site.output / "articles" / "late" / "index.html").read_text()
    assert page != before and f"#{entry.id}" in page
    assert tree(site.output) == fresh_build(site, tmp_path)


def test_the_first_site_leaves_a_spare_for_the_next_build(three, tmp_path, monkeypatch):
    build_site(three.config())
    spare = spare_of(three)
    site_files = files_of(three.output)
    assert {rel: st.st_ino for rel, st in files_of(spare).items()} == {rel: st.st_ino for rel, st in site_files.items()}
    from timeline import output

    made: list[str] = []
    real = output._make_folder
    monkeypatch.setattr(output, "_make_folder", lambda staging, folder: made.append(folder) or real(staging, folder))
    three.add("b.md", article("Beta", "2006-10-14", "The vote came on Friday."))
    build_site(three.config())
    assert made == []  # every folder was there already
    assert tree(three.output) == fresh_build(three, tmp_path)


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


def test_damaged_article_table_is_replaced(tmp_path):
    """SQLite reports damaged pages as they are read: the table then starts afresh instead of
    missing every entry from then on."""
    import sqlite3

    from timeline.cache import ArticleTable

    table = ArticleTable(tmp_path)
    assert table.put([(f"k{i}", "x" * 5000) for i in range(20)])
    table._connection.close()  # fold the write-ahead log into the file
    data = table.path.read_bytes()
    assert len(data) > 8192 and not Path(f"{table.path}-wal").exists()
    table.path.write_bytes(data[:4096] + b"\xa5" * (len(data) - 4096))  # schema page intact, rows damaged
    damaged = ArticleTable(tmp_path)
    assert damaged.get("k5") is None
    assert damaged.put([("new", "y")])
    with sqlite3.connect(table.path) as check:
        assert check.execute("SELECT key FROM articles").fetchall() == [("new",)]


def test_cache_folder_deleted_between_builds_of_one_process(three):
    """``timeline serve`` keeps its cache between builds: when the user deletes
    ``.timeline-cache/`` meanwhile, articles tagged next are stored in a new table on disk, not in
    the deleted one."""
    cache = ArticleCache()
    build_site(three.config(), cache)
    shutil.rmtree(three.root / ".timeline-cache")
    (three.content / "a.md").write_text((three.content / "a.md").read_text() + "\nMore talks on May 3, 2021.\n")
    result = build_site(three.config(), cache)
    assert not result.errors and result.articles_tagged == 1
    (table,) = (three.root / ".timeline-cache").glob(f"tagged-*/{ARTICLES_FILE}")
    key = next(r for r in result.articles if r.article.slug == "a").key
    from timeline.cache import ArticleTable

    assert ArticleTable(table.parent).get(key) is not None


def test_the_index_keeps_events_and_features_packed_until_read(three):
    """A rebuild reads the events of the articles near an edit only: the others stay one bytes
    object each, counted, with their days and hand-named actors at hand."""
    first = build_site(three.config())
    from timeline.cache import DiskStore, PackedTuple, tagging_fingerprint

    index = DiskStore.open(three.root, tagging_fingerprint()).load_index()
    for rel, record in index.items():
        fresh = first.articles[[r.article.rel_path for r in first.articles].index(rel)]
        for packed in (record.events, record.features):
            assert isinstance(packed, PackedTuple) and packed._items is None
        assert len(record.events) == len(fresh.events) == len(record.features) > 0
        assert record.events._items is None  # counted without unpacking
        spans = [(e.span.start.toordinal(), e.span.end.toordinal()) for e in fresh.events]
        assert list(zip(record.days[::2], record.days[1::2])) == spans
        assert record.events == fresh.events and list(record.features) == list(fresh.features)
        assert record == fresh
