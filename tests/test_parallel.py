"""Tagging through executors: a local process pool and a Dask cluster give the same site as one process."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from timeline.build import build_site
from timeline.tagging import POOL_THRESHOLD, ExecutorSpec

REPO = Path(__file__).resolve().parents[1]
DAYS = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"]


def many(site, n: int = POOL_THRESHOLD + 6) -> None:
    for i in range(n):
        day = f"2020-03-{i % 28 + 1:02d}"
        site.add(f"a{i:02d}.md", f"---\ntitle: Story {i}\ndate: {day}\n---\nTalks resumed on {DAYS[i % 7]}. A deal was signed in May {2000 + i}.\n")


def site_bytes(output: Path) -> dict[str, bytes]:
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def reference(tmp_path: Path, changed: dict[str, str] | None = None) -> dict[str, bytes]:
    """The site of ``many`` (with ``changed`` files), built in one process."""
    from datetime import date

    from timeline.config import load_config

    ref = tmp_path / f"reference-{len(list(tmp_path.glob('reference-*')))}"
    (ref / "content").mkdir(parents=True)
    for i in range(POOL_THRESHOLD + 6):
        day = f"2020-03-{i % 28 + 1:02d}"
        (ref / "content" / f"a{i:02d}.md").write_text(
            f"---\ntitle: Story {i}\ndate: {day}\n---\nTalks resumed on {DAYS[i % 7]}. A deal was signed in May {2000 + i}.\n"
        )
    for name, text in (changed or {}).items():
        (ref / "content" / name).write_text(text)
    assert build_site(load_config(ref, today=date(2026, 11, 28)), executor=ExecutorSpec(jobs=1)).site_written
    return site_bytes(ref / "output")


def test_process_pool_builds_the_same_site(site, tmp_path, monkeypatch):
    from timeline.cache import DiskStore

    many(site)
    stored_here: list[str] = []
    real = DiskStore.put_articles
    monkeypatch.setattr(DiskStore, "put_articles", lambda self, items: stored_here.extend(k for k, _ in items) or real(self, items))
    result = build_site(site.config(), executor=ExecutorSpec(jobs=2))
    assert result.articles_tagged == POOL_THRESHOLD + 6 and not result.errors
    assert stored_here == []  # the workers stored the tagged articles themselves
    assert site_bytes(site.output) == reference(tmp_path)


def test_dask_local_cluster_builds_the_same_site(site, tmp_path):
    distributed = pytest.importorskip("distributed", reason="dask.distributed not installed (pip install '.[dask]')")
    many(site)
    with distributed.LocalCluster(
        n_workers=1, threads_per_worker=2, processes=False, protocol="tcp://", host="127.0.0.1", dashboard_address=None
    ) as cluster:
        spec = ExecutorSpec("dask", jobs=2, scheduler=cluster.scheduler_address)
        result = build_site(site.config(), executor=spec)
    assert result.articles_tagged == POOL_THRESHOLD + 6 and not result.errors, result.problems
    assert site_bytes(site.output) == reference(tmp_path)


def test_unreachable_scheduler_is_a_clear_error(site):
    pytest.importorskip("distributed", reason="dask.distributed not installed (pip install '.[dask]')")
    many(site)
    result = build_site(site.config(), executor=ExecutorSpec("dask", scheduler="tcp://127.0.0.1:9", connect_seconds=1))
    assert not result.site_written
    assert result.errors and "cannot reach the Dask scheduler at tcp://127.0.0.1:9" in result.errors[0].message


def test_progress_only_on_a_terminal(site):
    from timeline.progress import ProgressLine, wanted

    assert not wanted(io.StringIO())
    shown = io.StringIO()
    line = ProgressLine(shown, delay=0)
    line("tagging", 3, 6)
    assert shown.getvalue().startswith("\rtagging") and "3/6" in shown.getvalue()
    line.close()

    many(site, 3)
    piped = subprocess.run(
        [sys.executable, "-m", "timeline", "build", "--jobs", "2"],
        cwd=site.root, capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"},
    )
    assert piped.returncode == 0, piped.stderr
    assert "\r" not in piped.stderr
    summary = piped.stderr.strip().splitlines()[-1]
    assert summary.startswith("3 articles, ") and "pages written" in summary and "unchanged" in summary


# One build in a fresh interpreter, which has no other thread (a process with threads, as this
# test session may be after the Dask tests, never forks): how many forks, and what it reported.
ONE_BUILD = """
import json, sys
from datetime import date
import timeline.build as build
import timeline.merge_state as merging
from timeline.config import load_config
from timeline.tagging import ExecutorSpec
build.PARALLEL_PAGES = 1
forks = []
real = build.Forked
build.Forked = lambda fn: forks.append(fn.__qualname__.split(".")[0]) or real(fn)
result = build.build_site(load_config(sys.argv[1], today=date(2026, 11, 28)), executor=ExecutorSpec(jobs=2))
print(json.dumps({
    "forks": forks.count("_build"),  # rendering
    "tagging_forks": forks.count("_scan"),
    "written": result.site_written,
    "errors": [[e.path, e.message, e.line] for e in result.errors],
}))
"""


def build_in_fresh_process(root: Path) -> dict:
    import json

    done = subprocess.run(
        [sys.executable, "-c", ONE_BUILD, str(root)], capture_output=True, text=True, env={"PYTHONPATH": str(REPO), "PATH": "/usr/bin:/bin"}
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_two_rendering_processes_make_the_same_site(site, tmp_path):
    many(site)
    first = build_in_fresh_process(site.root)
    # Article pages and the calendar in one forked copy, the other exports in another.
    assert first == {"forks": 2, "tagging_forks": 0, "written": True, "errors": []}
    assert site_bytes(site.output) == reference(tmp_path)
    # A later build with most pages unchanged checks the article, actor and year pages, and makes
    # the calendar, in one forked copy.
    edited = "---\ntitle: Story 0\ndate: 2020-03-01\n---\nTalks resumed on Tuesday.\n"
    site.add("a00.md", edited)
    assert build_in_fresh_process(site.root)["forks"] == 1
    assert site_bytes(site.output) == reference(tmp_path, {"a00.md": edited})


def test_errors_in_the_second_rendering_process_are_reported(site):
    many(site, 4)
    theme = site.root / "mytheme" / "templates"
    theme.mkdir(parents=True)
    (site.root / "timeline.toml").write_text('theme = "mytheme"\n')
    (theme / "article.html").write_text("{% extends 'base.html' %}{% block main %}{{ article.title }}{% endblock %}\n")
    assert build_in_fresh_process(site.root)["written"]
    before = site_bytes(site.output)
    (theme / "article.html").write_text("{% extends 'base.html' %}{% block main %}{{ article.title }{% endblock %}\n")
    result = build_in_fresh_process(site.root)
    assert result["forks"] == 2 and not result["written"] and site_bytes(site.output) == before
    ((path, message, line),) = result["errors"]
    assert message.startswith("template error") and path.endswith("article.html") and line == 1


def test_a_process_with_threads_does_not_fork(site, monkeypatch):
    import threading

    from timeline import build as build_module
    from timeline.forking import can_fork

    monkeypatch.setattr(build_module, "PARALLEL_PAGES", 1)
    forks: list[int] = []
    real = build_module.Forked
    monkeypatch.setattr(build_module, "Forked", lambda fn: forks.append(1) or real(fn))
    many(site, 4)
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)
    other.start()
    try:
        assert not can_fork()
        assert build_site(site.config(), executor=ExecutorSpec(jobs=2)).site_written
    finally:
        stop.set()
        other.join()
    assert forks == []


def test_a_few_changed_articles_are_tagged_in_a_child_while_the_cache_loads(site, tmp_path):
    many(site, 4)
    assert build_in_fresh_process(site.root)["written"]
    site.add("a01.md", "---\ntitle: Story 1\ndate: 2020-03-02\n---\nTalks resumed on Friday. A deal was signed in May 2001.\n")
    site.add("bad.md", "---\ntitle: [unclosed\n---\nBody\n")
    result = build_in_fresh_process(site.root)
    assert result["tagging_forks"] == 1 and result["forks"] == 1 and result["written"]
    ((path, message, line),) = result["errors"]
    assert path.endswith("bad.md") and "front matter" in message
    (site.content / "bad.md").unlink()
    build_in_fresh_process(site.root)
    ref = tmp_path / "ref"
    shutil.copytree(site.content, ref / "content")
    from datetime import date

    from timeline.config import load_config

    assert build_site(load_config(ref, today=date(2026, 11, 28)), executor=ExecutorSpec(jobs=1)).site_written
    assert site_bytes(site.output) == site_bytes(ref / "output")
