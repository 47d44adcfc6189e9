"""A build killed at any moment never leaves a broken site.

``timeline build`` runs as a subprocess on a site of over a hundred articles and is killed with
SIGKILL (the whole process group, tagging workers included) at seeded random moments spread over
the whole build: half while articles are read and tagged, half while the new site is written.
After every kill the output folder must be exactly the site that was there before or the new one,
compared file by file with reference builds; a following build must remove what the killed one
left beside the output folder and write exactly the new site.
"""

from __future__ import annotations

import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import REPO
from timeline.output import clean_leftovers

ARTICLES = 120
KILL_POINTS = 24
CHECK_EVERY = 6  # a complete build after every this many kills (and at the end)
PLACES = ["Geneva", "Vienna", "Seoul", "Moscow", "Kyiv", "Doha", "Cairo", "Lima", "Oslo", "Hanoi"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September", "October"]


def write_version(content: Path, version: str) -> None:
    """Version "a" or "b" of the site's articles: b retitles some, rewrites others, drops and adds a few."""
    shutil.rmtree(content, ignore_errors=True)
    content.mkdir(parents=True)
    names = range(ARTICLES) if version == "a" else range(10, ARTICLES + 10)
    for i in names:
        place, month, year = PLACES[i % len(PLACES)], MONTHS[i % len(MONTHS)], 2000 + i % 24
        title = f"Talks in {place}, part {i}" + (" (updated)" if version == "b" and i % 3 == 0 else "")
        body = (
            f"Delegates of {place} met on {month} {1 + i % 28}, {year}. Trade talks resumed two days later, "
            f"and a report on case {i} followed in {MONTHS[(i + 3) % len(MONTHS)]} {year + 1}."
        )
        if version == "b" and i % 7 == 0:
            body += f" A second round was held on {MONTHS[(i + 5) % len(MONTHS)]} {3 + i % 20}, {year + 2}."
        folder = content / f"y{year}"
        folder.mkdir(exist_ok=True)
        (folder / f"talks-{i:03d}.md").write_text(
            f"---\ntitle: {title}\ndate: {year}-{1 + i % 12:02d}-{1 + i % 28:02d}\ntags: [t{i % 5}]\n---\n{body}\n"
        )


def snapshot(output: Path) -> dict[str, bytes]:
    """Every file of the site by path; anything but files and folders fails the test."""
    files: dict[str, bytes] = {}
    for path in sorted(output.rglob("*")):
        if path.is_symlink() or not (path.is_file() or path.is_dir()):
            raise AssertionError(f"unexpected entry in the output folder: {path}")
        if path.is_file():
            files[path.relative_to(output).as_posix()] = path.read_bytes()
    return files


def leftovers(site: Path) -> list[str]:
    return sorted(p.name for p in site.iterdir() if p.name.startswith(".output."))


def start_build(site: Path) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "timeline", "build", "--jobs", "2"],
        cwd=site, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group: the kill takes the tagging workers too
    )


def complete_build(site: Path) -> None:
    process = start_build(site)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 0, stderr.decode()


def timed_reference(site: Path) -> tuple[float, float]:
    """Build ``site`` from scratch; returns when writing started (a staging folder appeared) and the total time."""
    started = time.monotonic()
    process = start_build(site)
    writing = None
    while process.poll() is None:
        if writing is None and leftovers(site):
            writing = time.monotonic() - started
        time.sleep(0.004)
    total = time.monotonic() - started
    assert process.returncode == 0, process.stderr.read().decode()
    return (writing if writing is not None else total * 0.8), total


def kill_points(writing: float, total: float, rng: random.Random) -> list[tuple[str, float]]:
    """(anchor, delay): half the kills come a random time after the build starts, spread over the
    reading and tagging part; half a random time after the staging folder appears, spread over the
    writing part (anchored there so a slower or faster machine still kills while writing)."""
    half = KILL_POINTS // 2
    early = [("start", writing * (i + rng.random()) / half) for i in range(half)]
    late = [("writing", (total - writing) * (i + rng.random()) / half) for i in range(KILL_POINTS - half)]
    points = early + late
    rng.shuffle(points)
    return points


def wait_for_writing(site: Path, process: subprocess.Popen) -> None:
    while process.poll() is None and not leftovers(site):
        time.sleep(0.002)


def test_killed_builds_leave_a_complete_site(tmp_path):
    rng = random.Random(9)
    site, reference_b = tmp_path / "site", tmp_path / "reference-b"
    write_version(site / "content", "a")
    write_version(reference_b / "content", "b")
    timed_reference(site)
    writing, total = timed_reference(reference_b)
    sites = {"a": snapshot(site / "output"), "b": snapshot(reference_b / "output")}
    assert sites["a"].keys() != sites["b"].keys() and len(sites["b"]) > ARTICLES

    landed = while_writing = 0
    current = "a"
    for round_, (anchor, delay) in enumerate(kill_points(writing, total, rng), 1):
        target = "b" if current == "a" else "a"
        write_version(site / "content", target)
        # Without tagged articles every build takes the full time; without the output record too,
        # every file is written anew instead of linked from the previous site.
        cache = site / ".timeline-cache"
        for entry in list(cache.glob("tagged-*") if round_ % 2 else cache.glob("*")):
            shutil.rmtree(entry) if entry.is_dir() else entry.unlink()
        before = snapshot(site / "output")
        process = start_build(site)
        if anchor == "writing":
            wait_for_writing(site, process)
        time.sleep(delay)
        if process.poll() is None:
            landed += 1
            os.killpg(process.pid, signal.SIGKILL)
        process.wait()
        process.stderr.close()
        while_writing += any(name.startswith(".output.building-") for name in leftovers(site))
        after = snapshot(site / "output")
        assert after == before or after == sites[target], f"kill {round_} ({delay:.2f} s after {anchor}) left a mixed site"
        current = next(name for name, files in sites.items() if files == after)
        if round_ % CHECK_EVERY == 0:
            complete_build(site)
            assert snapshot(site / "output") == sites[target]
            assert leftovers(site) == []
            current = target

    print(f"\nkill points {KILL_POINTS}, landed {landed}, while writing {while_writing}, writing at {writing:.2f} of {total:.2f} s")
    assert landed >= KILL_POINTS // 2, f"only {landed} of {KILL_POINTS} kills hit a running build"
    assert while_writing >= KILL_POINTS // 4, f"only {while_writing} kills hit the writing of the site"


def _dead_pid() -> int:
    process = subprocess.Popen([sys.executable, "-c", "pass"])
    process.wait()
    return process.pid


def _site_folder(path: Path, marker: str) -> Path:
    path.mkdir(parents=True)
    (path / "index.html").write_text(marker)
    return path


def test_clean_leftovers_removes_dead_builds_staging(tmp_path):
    output = _site_folder(tmp_path / "output", "current")
    dead = _dead_pid()
    staging = _site_folder(tmp_path / f".output.building-{dead}", "half written")
    other_site = _site_folder(tmp_path / f".public.building-{dead}", "another output folder's")
    assert clean_leftovers(output) == [staging]
    assert not staging.exists() and other_site.exists()
    assert (output / "index.html").read_text() == "current"


def test_clean_leftovers_restores_previous_site_when_output_is_missing(tmp_path):
    dead = _dead_pid()
    _site_folder(tmp_path / f".output.previous-{dead}", "previous")
    output = tmp_path / "output"
    clean_leftovers(output)
    assert (output / "index.html").read_text() == "previous"
    assert [p.name for p in tmp_path.iterdir()] == ["output"]


def test_clean_leftovers_drops_previous_site_when_output_is_in_place(tmp_path):
    output = _site_folder(tmp_path / "output", "new")
    previous = _site_folder(tmp_path / f".output.previous-{_dead_pid()}", "previous")
    assert clean_leftovers(output) == [previous]
    assert (output / "index.html").read_text() == "new"


def test_clean_leftovers_leaves_running_builds_alone(tmp_path):
    output = _site_folder(tmp_path / "output", "current")
    running = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        staging = _site_folder(tmp_path / f".output.building-{running.pid}", "being written")
        previous = _site_folder(tmp_path / f".output.previous-{running.pid}", "being swapped")
        assert clean_leftovers(output) == []
        assert staging.exists() and previous.exists()
    finally:
        running.kill()
        running.wait()
    assert set(clean_leftovers(output)) == {staging, previous}


def test_swap_without_atomic_exchange_survives_a_kill_between_renames(tmp_path, monkeypatch):
    """Where renameat2 exchange is missing the swap is two renames; dying between them must lose nothing."""
    import timeline.output as output_module
    from timeline.render import OutputFile

    output = tmp_path / "output"
    output_module.write_site(output, [OutputFile("index.html", b"first")])
    monkeypatch.setattr(output_module, "_exchange", lambda a, b: False)
    output_module.write_site(output, [OutputFile("index.html", b"second")])
    assert (output / "index.html").read_bytes() == b"second"

    real_rename = Path.rename

    def rename(self, target):
        if Path(target) == output.resolve():
            raise KeyboardInterrupt  # the build dies after moving the site aside
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(KeyboardInterrupt):
        output_module.write_site(output, [OutputFile("index.html", b"third")])
    monkeypatch.setattr(Path, "rename", real_rename)
    assert not output.exists()
    output_module.clean_leftovers(output)  # what the next build does first
    assert (output / "index.html").read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == ["output"]


def test_orphaned_cache_temporaries_are_removed(site):
    """A build killed while saving a cache entry leaves a temporary file; a later build removes it
    once it is clearly not being written (a fresh one may belong to a build running now)."""
    from timeline.build import build_site
    from timeline.cache import CACHE_DIR, STALE_TEMPORARY_SECONDS

    site.add("a.md", "# A\n\nSigned on May 2, 2021.\n")
    assert build_site(site.config()).site_written
    [tagged] = (site.root / CACHE_DIR).glob("tagged-*")
    orphans = [tagged / ".tmp-index", tagged / ".tmp-merge"]
    fresh = tagged / ".tmp-fresh"
    for path in [*orphans, fresh]:
        path.write_bytes(b"half a pickle")
    old = time.time() - STALE_TEMPORARY_SECONDS - 60
    for path in orphans:
        os.utime(path, (old, old))
    site.add("b.md", "# B\n\nRatified on June 9, 2021.\n")  # a change: the cache index is rewritten
    assert build_site(site.config()).site_written
    assert [p.exists() for p in orphans] == [False, False] and fresh.exists()
