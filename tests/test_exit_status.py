"""``timeline build`` exit statuses, as CI scripts rely on them.

0: the site was written and nothing was skipped (warnings and notes do not count).
1: something was skipped (unless ``--keep-going``), or no site was written at all (whatever the
   flags: the previous site is left in place and the build must not look successful).
2: the command line itself is wrong.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import REPO

GOOD = "---\ntitle: Talks resume\ndate: 2024-03-01\n---\nTalks resumed in Geneva on March 3, 2024.\n"
UNDATED = "Notes\nThe talks resumed last week and ended two days later.\n"  # a warning, nothing skipped
BAD = "---\ntitle: Broken\ndate: soon\n---\nx\n"


def run_build(site: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.run(
        [sys.executable, "-m", "timeline", "build", *args], cwd=site, env=env, capture_output=True, text=True, timeout=120
    )


def make_site(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return root


CASES = [
    # (name, site files, arguments, expected status, page that must exist afterwards, words of the message)
    ("clean", {"content/good.md": GOOD}, [], 0, "articles/good/index.html", "0 errors, 0 warnings"),
    ("warning only", {"content/good.md": GOOD, "content/undated.txt": UNDATED}, [], 0, "articles/undated/index.html",
     "warning: content/undated.txt"),
    ("skipped", {"content/good.md": GOOD, "content/bad.md": BAD}, [], 1, "articles/good/index.html", "error: content/bad.md:3"),
    ("skipped, keep going", {"content/good.md": GOOD, "content/bad.md": BAD}, ["--keep-going"], 0, "articles/good/index.html",
     "error: content/bad.md:3"),
    ("only bad articles, keep going", {"content/bad.md": BAD}, ["--keep-going"], 0, "index.html", "1 error,"),
    ("no content folder, keep going", {"timeline.toml": 'title = "T"\n'}, ["--keep-going"], 1, None,
     "error: content: content folder not found"),
    ("output is the content folder, keep going", {"content/good.md": GOOD}, ["--keep-going", "--output", "content"], 1, None,
     "choose a separate folder"),
    ("broken settings file", {"content/good.md": GOOD, "timeline.toml": "title = \n"}, ["--keep-going"], 1, None, "timeline.toml"),
    ("unknown option", {"content/good.md": GOOD}, ["--no-such-flag"], 2, None, "No such option"),
    ("dask without a scheduler", {"content/good.md": GOOD}, ["--executor", "dask"], 2, None, "--scheduler"),
]


@pytest.mark.parametrize("files, args, status, page, said", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_exit_status(tmp_path, files, args, status, page, said):
    site = make_site(tmp_path, files)
    done = run_build(site, *args)
    assert done.returncode == status, done.stderr
    assert "Traceback" not in done.stderr
    assert said in done.stderr
    if page is not None:
        assert (site / "output" / page).is_file()
    elif status == 1:
        assert not (site / "output").exists()
        assert done.stderr.strip(), "a failed build must say why"


def test_fatal_error_keeps_the_previous_site_and_fails_even_when_told_to_keep_going(tmp_path):
    site = make_site(tmp_path, {"content/good.md": GOOD})
    assert run_build(site).returncode == 0
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    done = run_build(site, "--keep-going", "--content", "contnet")  # a typo must not empty the site
    assert done.returncode == 1
    assert "error: contnet: content folder not found" in done.stderr
    assert "previous site" in done.stderr
    assert {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()} == before
