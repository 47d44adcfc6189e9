"""``timeline serve`` as a user runs it: the address it prints, a port in use, Ctrl-C."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import REPO
from preview_host import Scripts, article

from timeline.config import load_config
from timeline.serve.session import ListenError, Preview


def serve(site: Path, *args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(REPO))
    return subprocess.Popen(
        [sys.executable, "-m", "timeline", "serve", *args],
        cwd=site, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )


def read_until(stream, pattern: str, seconds: float = 30.0) -> tuple[re.Match, list[str]]:
    lines: list[str] = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        line = stream.readline()
        if not line:
            break
        lines.append(line)
        if match := re.search(pattern, line):
            return match, lines
    raise AssertionError(f"{pattern!r} not printed; got {lines}")


@pytest.fixture
def site_dir(tmp_path: Path) -> Path:
    (tmp_path / "content").mkdir()
    (tmp_path / "content" / "a.md").write_text(article("Alpha", "2006-10-14", "The Security Council voted on Saturday."))
    (tmp_path / "timeline.toml").write_text('title = "CLI preview"\nbase_url = "https://user.github.io/my-repo/"\n')
    return tmp_path


def test_serve_builds_serves_and_stops_cleanly_on_ctrl_c(site_dir):
    process = serve(site_dir, "--port", "0")
    try:
        match, _ = read_until(process.stderr, r"Serving CLI preview at (http://127\.0\.0\.1:\d+/my-repo/) \(Ctrl-C to stop\)")
        read_until(process.stderr, r"1 article, \d+ events?")
        with urllib.request.urlopen(match[1], timeout=10) as response:
            page = Scripts(response.read())
        assert page.title.strip() == "CLI preview" and page.reload_scripts()
        process.send_signal(signal.SIGINT)
        _, err = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0
    assert "Traceback" not in err and err.strip().endswith("stopped")


def test_explicit_port_in_use_is_a_clear_error(site_dir):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        process = serve(site_dir, "--port", str(port))
        _, err = process.communicate(timeout=30)
    assert process.returncode == 1
    assert f"port {port} on 127.0.0.1 is already in use" in err and "--port" in err and "Traceback" not in err


def test_taken_default_port_moves_to_the_next_free_one(site_dir):
    config = load_config(site_dir)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        preview = Preview(config, lambda: config, site_dir / "timeline.toml", lambda line: None)
        try:
            assert preview.listen("127.0.0.1", port, next_free=True) not in (port, 0)
            with pytest.raises(ListenError, match="already in use"):
                Preview(config, lambda: config, site_dir / "timeline.toml", lambda line: None).listen("127.0.0.1", port)
        finally:
            preview.stop()


def test_built_sites_carry_no_reload_script(site_dir):
    env = dict(os.environ, PYTHONPATH=str(REPO))
    done = subprocess.run([sys.executable, "-m", "timeline", "build"], cwd=site_dir, env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    pages = list((site_dir / "output").rglob("*.html"))
    assert len(pages) > 3
    for page in pages:
        scripts = Scripts(page.read_bytes()).scripts
        assert not [s for s in scripts if "__timeline__" in (s.get("src") or "")], page
