"""Two builds of the same input write byte-identical sites, so a deploy diff shows only real changes.

The builds run as a user runs them (subprocesses) and differ in everything that must not matter:
the hash seed, the order in which the files were created and in which directories list them, the
locale (a UTF-8 one, and plain C with Python's UTF-8 mode off, where file names decode as ASCII),
the time zone, tagging in this process or in a pool of workers, and the folders the site lives in.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from conftest import REPO

TOML = """title = "Déterminisme — a test"
description = "Same input, same bytes"
base_url = "https://example.org/repo/"

[actors]
"Żółw Group" = ["Zolw", "the Turtles"]
"""

# File system order reversed in the second build: every directory listing comes back backwards.
REVERSED_LISTINGS = """
import os, sys
_scandir, _listdir = os.scandir, os.listdir

class _Backwards:
    def __init__(self, it):
        with it:
            self.entries = iter(list(it)[::-1])
    def __iter__(self):
        return self
    def __next__(self):
        return next(self.entries)
    def __enter__(self):
        return self
    def __exit__(self, *exc):
        return False
    def close(self):
        pass

os.scandir = lambda path=".": _Backwards(_scandir(path))
os.listdir = lambda path=".": _listdir(path)[::-1]
from timeline.cli import main
sys.argv[0] = "timeline"
main()
"""


def articles() -> dict[str, str]:
    """Relative path -> text: the example site's articles plus generated ones meant to tempt
    nondeterminism (non-ASCII names, tags differing only in case, shared and disputed events)."""
    found = {p.relative_to(REPO / "content").as_posix(): p.read_text() for p in sorted((REPO / "content").rglob("*.*"))}
    tags = ["Économie", "économie", "zeta", "Alpha", "alpha", "Ωmega", "ñandú"]
    places = ["Genève", "Kyiv", "Seoul", "Doha", "Lima", "Oslo"]
    for i in range(26):
        place = places[i % len(places)]
        folder = ["", "région/", "zeta/", "Ämter/"][i % 4]
        name = f"{folder}{['über', 'talks', 'çà-et-là', 'Zebra', 'alpha'][i % 5]}-{i:02d}.md"
        day = 3 + i % 5  # several articles report the same few days: merges and disputes
        found[name] = (
            f"---\ntitle: Talks in {place} “{i}” & more\ndate: 2024-03-{10 + i % 9:02d}\n"
            f"source: Wire {i % 3}\nurl: https://example.org/{i}?a=1&b=2\n"
            f"tags: [{tags[i % len(tags)]}, {tags[(i + 3) % len(tags)]}]\n"
            f"actors: [Żółw Group, Delegation {i % 4}]\n---\n"
            f"The Żółw Group and Delegation {i % 4} met in {place} on March {day}, 2024, to discuss 12,000 tonnes "
            f"of grain. The Turtles said talks would resume on March {day + 7}, 2024.\n\nEarlier, in 2019, a first "
            f"round failed. Officials described {['the 1990s', 'last week', 'two days later', 'Sunday'][i % 4]} as decisive.\n"
        )
    # The same page name twice: the first in file order is built, the other reported.
    found["région/same-name.md"] = "# Same name, first\n\nIt was signed on May 2, 2021.\n"
    found["zeta/same-name.md"] = "# Same name, second\n\nIt was ratified on June 9, 2021.\n"
    found["undated-notes.txt"] = "Notes without a date\nKim left Pyongyang on Sunday, Sept. 10, aboard his train.\n"
    return found


def make_site(root: Path, backwards: bool) -> Path:
    (root / "content").mkdir(parents=True)
    (root / "timeline.toml").write_text(TOML)
    items = list(articles().items())
    for rel, text in reversed(items) if backwards else items:
        path = root / "content" / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def build(site: Path, *, env: dict[str, str], args: list[str], backwards: bool) -> dict[str, bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "PYTHON"))} | env
    env["PYTHONPATH"] = str(REPO)
    program = ["-c", REVERSED_LISTINGS, "build"] if backwards else ["-m", "timeline", "build"]
    done = subprocess.run([sys.executable, *program, *args], cwd=site, env=env, capture_output=True, timeout=120)
    stderr = done.stderr.decode("utf-8", "replace")
    assert done.returncode == 0, stderr
    assert "error: content/zeta/same-name.md" in stderr
    assert "Traceback" not in stderr
    output = site / "output"
    return {p.relative_to(output).as_posix(): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def test_builds_are_byte_identical_whatever_seed_order_locale_and_workers(tmp_path):
    first = build(
        make_site(tmp_path / "one", backwards=False),
        env={"PYTHONHASHSEED": "0", "LC_ALL": "C.UTF-8", "TZ": "UTC"},
        args=["--jobs", "1", "--keep-going"],
        backwards=False,
    )
    second = build(
        make_site(tmp_path / "a different place" / "two", backwards=True),
        env={"PYTHONHASHSEED": "4242", "LC_ALL": "C", "PYTHONUTF8": "0", "TZ": "Pacific/Kiritimati"},
        args=["--jobs", "2", "--keep-going"],
        backwards=True,
    )
    assert any("ber-" in path for path in first), "the non-ASCII file names must reach the site"
    assert len(first) > 40
    assert sorted(first) == sorted(second)
    assert [path for path in first if first[path] != second[path]] == []


def test_output_does_not_depend_on_the_day_of_the_build(site):
    """Dated articles give the same site whatever day it is built (the calendar's stamps included)."""
    from timeline.build import build_site

    for rel, text in articles().items():
        if not rel.endswith(".txt") and "same-name" not in rel:  # an undated article is judged against today
            site.add(rel, text)
    sites = []
    for today in (date(2025, 1, 1), date(2031, 6, 30)):
        shutil.rmtree(site.root / ".timeline-cache", ignore_errors=True)
        result = build_site(site.config(today=today))
        assert result.site_written and not result.errors and not any(p.severity == "warning" for p in result.problems)
        sites.append({p.relative_to(site.output).as_posix(): p.read_bytes() for p in site.output.rglob("*") if p.is_file()})
    assert [path for path in sites[0] if sites[0][path] != sites[1].get(path)] == []
