"""Live preview latency: from saving one article to the reload signal, and to the new page served.

    python bench/serve_latency.py [-n 2452] [--edits 20] [--work DIR]
    python bench/serve_latency.py --content content       # the example site instead

The first N silver stories become a Markdown content folder (``bench/corpus.py``). A full
``timeline build`` runs first in a fresh process, without cache (the reference time, which also
fills the cache as a previous build would have); then ``timeline serve`` starts as a user starts
it, and this script follows its event stream as a browser page does. Each edit saves one article
(a different one each time, spread over the corpus) with a new dated sentence and measures:
  signal   save -> the event announcing the rebuilt site arrives
  served   save -> the article's page, fetched after the signal, holds the new sentence
Medians and worst cases over the edits; the target is a median under 0.3 s and worst under 1 s.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO))
from corpus import write_corpus  # noqa: E402

from timeline.articles import slugify  # noqa: E402
from timeline.events import article_page  # noqa: E402

ENV = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))


def timed_build(site: Path) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "timeline", "build", "--keep-going"], cwd=site, env=ENV, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"timeline build failed:\n{done.stderr[-2000:]}")
    print(done.stderr.strip().splitlines()[-1], file=sys.stderr)
    return seconds


class Events:
    def __init__(self, port: int):
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.connection.request("GET", "/__timeline__/events")
        self.response = self.connection.getresponse()  # kept: its file closes with it
        self.stream = self.response.fp

    def next(self) -> dict:
        while True:
            line = self.stream.readline()
            if not line:
                raise SystemExit("the event stream ended")
            if line.startswith(b"data: "):
                return json.loads(line[6:])


def fetch(port: int, path: str) -> bytes:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path)
        return connection.getresponse().read()
    finally:
        connection.close()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=None, help="articles (default: all 2,452)")
    parser.add_argument("--edits", type=int, default=20)
    parser.add_argument("--work", type=Path, help="folder for the site (default: a temporary one, removed after)")
    parser.add_argument("--content", type=Path, help="a content folder to copy instead of the silver stories")
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="serve-latency-"))
    site = work / "site"
    shutil.rmtree(site, ignore_errors=True)
    if args.content:
        shutil.copytree(args.content, site / "content")
    else:
        write_corpus(site / "content", args.n)
    articles = sorted(p for p in (site / "content").rglob("*") if p.suffix in (".md", ".txt"))
    count = len(articles)
    print(f"{count} articles in {site}", file=sys.stderr)
    build_seconds = timed_build(site)

    server = subprocess.Popen(
        [sys.executable, "-m", "timeline", "serve", "--port", "0"], cwd=site, env=ENV,
        stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True,
    )
    try:
        port = None
        while port is None:
            line = server.stderr.readline()
            if not line:
                raise SystemExit("timeline serve ended before serving")
            if match := re.search(r"http://127\.0\.0\.1:(\d+)/", line):
                port = int(match[1])
        events = Events(port)
        state = events.next()
        while state["build"] == 0:
            state = events.next()
        last_build = state["build"]

        signal_times, served_times = [], []
        step = max(1, len(articles) // args.edits)
        for i in range(args.edits):
            path = articles[(i * step) % len(articles)]
            token = f"Benchmark edit {i}"
            text = path.read_text(encoding="utf-8")
            saved = time.perf_counter()
            path.write_text(text + f"\n{token} came on March {i % 28 + 1}, 2004.\n", encoding="utf-8")
            while True:
                state = events.next()
                if state["building"]:
                    continue
                if state["status"] != "ok":
                    raise SystemExit(f"the rebuild failed: {state['problems']}")
                if state["build"] > last_build:
                    last_build = state["build"]
                    break
            signal_times.append(time.perf_counter() - saved)
            page = fetch(port, "/" + article_page(slugify(path.stem)))
            served_times.append(time.perf_counter() - saved)
            if token.encode() not in page:
                raise SystemExit(f"the page of {path.name} did not show the edit after the signal")
            print(f"edit {i + 1:2}: signal {signal_times[-1]:.3f} s, served {served_times[-1]:.3f} s", file=sys.stderr)
            time.sleep(0.3)  # an editor does not save twice within the same moment
    finally:
        server.terminate()
        server.communicate(timeout=60)
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)

    print(f"\n{count} articles, {args.edits} edits, one article saved each time")
    print("| measure | median s | worst s |")
    print("| --- | ---: | ---: |")
    print(f"| save -> reload signal | {statistics.median(signal_times):.3f} | {max(signal_times):.3f} |")
    print(f"| save -> new page served | {statistics.median(served_times):.3f} | {max(served_times):.3f} |")
    print(f"| full `timeline build` (fresh process, no cache) | {build_seconds:.2f} | |")


if __name__ == "__main__":
    main()
