"""What the preview rebuilds for: editor temp files filtered out, bursts of changes debounced."""

from __future__ import annotations

import os
import threading
import time
from pathlib import Path

import pytest

from timeline.serve.watch import Debouncer, RebuildLoop, Watcher, WatchPlan, event_paths, is_editor_temp


@pytest.mark.parametrize(
    "name",
    [
        ".article.md.swp", ".article.md.swx", "article.md.swp", "article.md~", "4913", "5036", "5159",
        ".#article.md", "#article.md#", "article.md.tmp", "ARTICLE.TMP", ".goutputstream-7XQ2C1",
        "article.md___jb_tmp___", ".DS_Store", "",
    ],
)
def test_editor_temp_files_are_recognised(name):
    assert is_editor_temp(name)


@pytest.mark.parametrize("name", ["article.md", "notes.txt", "2023.md", "4914", "5000", "#hashtag.md", "style.css", "base.html"])
def test_content_files_are_not_temp_files(name):
    assert not is_editor_temp(name)


@pytest.fixture
def plan(tmp_path: Path) -> WatchPlan:
    return WatchPlan(
        folders=(tmp_path / "content", tmp_path / "theme"),
        files=(tmp_path / "timeline.toml",),
        ignored=(tmp_path / "content" / "output",),
    )


def test_relevant_paths(plan, tmp_path):
    relevant = [
        "content/a.md", "content/sub/b.txt", "theme/static/style.css", "timeline.toml", "content",
    ]
    irrelevant = [
        "content/.a.md.swp", "content/a.md~", "content/4913", "content/.git/index", "content/.#a.md",
        "content/output/index.html", "content/output", "output/index.html", ".timeline-cache/x.pickle",
        ".output.building-123/index.html", "timeline.toml~", "README.md", "content/sub/.hidden/a.md",
    ]
    assert [p for p in relevant if not plan.relevant(tmp_path / p)] == []
    assert [p for p in irrelevant if plan.relevant(tmp_path / p)] == []


def test_event_paths():
    assert event_paths("modified", False, "/s/content/a.md") == ["/s/content/a.md"]
    assert event_paths("opened", False, "/s/content/a.md") == []
    assert event_paths("closed_no_write", False, "/s/content/a.md") == []
    assert event_paths("modified", True, "/s/content") == []  # its files report themselves
    assert event_paths("created", True, "/s/content/new") == ["/s/content/new"]
    # An atomic save renames a temporary file over the article: the destination is what changed.
    assert event_paths("moved", False, b"/s/content/a.md.tmp", b"/s/content/a.md") == ["/s/content/a.md.tmp", "/s/content/a.md"]


def test_debouncer_waits_for_quiet():
    d = Debouncer(quiet=0.1, longest=2.0)
    assert d.due_in(0.0) is None and d.take(0.0) == frozenset()
    d.add("a", 10.0)
    assert d.due_in(10.05) == pytest.approx(0.05)
    assert d.take(10.05) == frozenset()
    d.add("b", 10.08)  # still in the burst: the quiet period starts again
    assert d.take(10.15) == frozenset()
    assert d.take(10.18) == {"a", "b"}
    assert d.due_in(10.2) is None


def test_debouncer_500_file_checkout_is_one_batch():
    d = Debouncer(quiet=0.1, longest=2.0)
    batches = []
    now = 0.0
    for i in range(500):
        d.add(f"content/a{i}.md", now)
        now += 0.002
        if (taken := d.take(now)):
            batches.append(taken)
    now += 0.1
    batches.append(d.take(now))
    assert [len(b) for b in batches] == [500]


def test_debouncer_does_not_wait_forever_on_continuous_changes():
    d = Debouncer(quiet=0.1, longest=1.0)
    now, batches = 0.0, []
    while now < 2.5:
        d.add("content/log.md", now)
        now += 0.05
        if d.take(now):
            batches.append(now)
    assert len(batches) == 2 and batches[0] == pytest.approx(1.0, abs=0.06)


def test_rebuild_loop_runs_once_per_burst_and_again_for_changes_during_a_build():
    calls: list[frozenset[str]] = []
    started, release = threading.Event(), threading.Event()

    def action(changed):
        calls.append(changed)
        if len(calls) == 1:
            started.set()
            release.wait(5)

    loop = RebuildLoop(action, Debouncer(quiet=0.03, longest=1.0))
    loop.start()
    try:
        for name in ("a.md", "b.md", "a.md"):
            loop.add(name)
        assert started.wait(5)
        loop.add("c.md")  # arrives while the first build runs
        loop.add("d.md")
        release.set()
        deadline = time.monotonic() + 5
        while len(calls) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        time.sleep(0.1)
    finally:
        assert loop.stop(timeout=5)
    assert calls == [{"a.md", "b.md"}, {"c.md", "d.md"}]


def test_rebuild_loop_survives_a_failing_action(capsys):
    calls = []

    def action(changed):
        calls.append(changed)
        raise ValueError("boom")

    loop = RebuildLoop(action, Debouncer(quiet=0.01, longest=1.0))
    loop.start()
    try:
        loop.add("a")
        _wait_for(lambda: len(calls) == 1)
        loop.add("b")
        _wait_for(lambda: len(calls) == 2)
    finally:
        assert loop.stop(timeout=5)
    assert "ValueError: boom" in capsys.readouterr().err


def _wait_for(condition, seconds: float = 5.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.mark.parametrize("poll", [False, True], ids=["inotify", "poll"])
def test_watcher_sees_saves_and_ignores_temp_files_and_output(tmp_path, poll):
    content = tmp_path / "content"
    (content / "sub").mkdir(parents=True)
    output = tmp_path / "output"
    output.mkdir()
    seen: list[str] = []
    watcher = Watcher(seen.append, poll=poll)
    watcher.watch(WatchPlan((content,), (tmp_path / "timeline.toml",), (output,)))
    try:
        time.sleep(0.6 if poll else 0.05)  # the polling observer's first snapshot
        (content / ".a.md.swp").write_text("swap")
        (content / "4913").write_text("")
        (output / "index.html").write_text("built")
        (tmp_path / "README.md").write_text("not watched")
        # An atomic save: written to a temporary name, renamed over the article.
        (content / "sub" / "a.md.tmp").write_text("---\ntitle: A\n---\nSaved.")
        os.replace(content / "sub" / "a.md.tmp", content / "sub" / "a.md")
        (tmp_path / "timeline.toml").write_text('title = "T"\n')
        _wait_for(lambda: {str(content / "sub" / "a.md"), str(tmp_path / "timeline.toml")} <= set(seen))
    finally:
        watcher.stop()
    assert all(Path(p).name in ("a.md", "timeline.toml", "sub") for p in seen), seen


def test_git_checkout_of_500_files_is_one_rebuild(tmp_path):
    content = tmp_path / "content"
    content.mkdir()
    batches: list[frozenset[str]] = []
    loop = RebuildLoop(batches.append, Debouncer(quiet=0.3, longest=5.0))
    watcher = Watcher(loop.add)
    watcher.watch(WatchPlan((content,), (), ()))
    loop.start()
    try:
        for i in range(500):
            (content / f"article-{i:03}.md").write_text(f"---\ntitle: A{i}\n---\nText {i}.")
        _wait_for(lambda: batches)
        time.sleep(0.5)
    finally:
        watcher.stop()
        loop.stop(timeout=5)
    assert len(batches) == 1 and len({Path(p).name for p in batches[0]}) == 500
