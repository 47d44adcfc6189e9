"""Build speed of timeline against Pelican and Hugo on the same wire stories.

    python bench/build_speed.py [--sizes 250 1000 2452] [--runs 3] [--work DIR]

For each N, the first N silver stories become a content folder (``bench/corpus.py``) and are built:
  timeline cold        no cache, no previous output
  timeline unchanged   again, nothing changed
  timeline one-changed again, one article edited (the first rebuild after the cold build)
  timeline next-change the same article edited again (an editor's next save)
  pelican              full build, default theme, feeds off, relative URLs, no content cache
  hugo                 full build, two minimal templates
Every run is a fresh process, measured from outside: wall seconds, CPU seconds (user + system,
the process and its workers), peak RSS (the largest single process, from getrusage of the
children), and files written (files in the output whose modification time is from this run).
Figures are medians of --runs runs. Each run builds every row once, the anchors right after ours,
and a ratio is the median over the runs of our time divided by the anchor's time of the same run:
this machine's speed drifts by a third within minutes, and pairing the runs keeps that drift out
of the ratios. Pelican (pip) and Hugo (apt) are installed when missing.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
from corpus import tml_to_markdown, silver_files  # noqa: E402

# Runs a command and prints its resource use as JSON; being a fresh process per run, its
# RUSAGE_CHILDREN describes that command alone.
_MEASURE = r"""
import json, resource, subprocess, sys, time
start = time.perf_counter()
proc = subprocess.run(sys.argv[2:], cwd=sys.argv[1], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
wall = time.perf_counter() - start
use = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"rc": proc.returncode, "wall": wall, "cpu": use.ru_utime + use.ru_stime,
                  "rss_mb": use.ru_maxrss / 1024, "stderr": proc.stderr[-2000:]}))
"""

PELICAN_CONF = """
AUTHOR = "bench"
SITENAME = "bench"
SITEURL = ""
TIMEZONE = "UTC"
DEFAULT_LANG = "en"
RELATIVE_URLS = True
FEED_ALL_ATOM = None
FEED_ALL_RSS = None
CATEGORY_FEED_ATOM = None
CATEGORY_FEED_RSS = None
TRANSLATION_FEED_ATOM = None
AUTHOR_FEED_ATOM = None
AUTHOR_FEED_RSS = None
TAG_FEED_ATOM = None
LOAD_CONTENT_CACHE = False
CACHE_CONTENT = False
DEFAULT_PAGINATION = False
SLUGIFY_SOURCE = "basename"  # page names from file names, as timeline does (wire titles repeat)
"""

HUGO_CONF = """baseURL = "/"
relativeURLs = true
disableKinds = ["taxonomy", "term", "RSS", "sitemap", "robotsTXT", "404"]
"""
HUGO_SINGLE = """<!doctype html><html><head><meta charset="utf-8"><title>{{ .Title }}</title></head>
<body><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }} {{ .Params.source }}</p>{{ .Content }}</body></html>
"""
HUGO_LIST = """<!doctype html><html><head><meta charset="utf-8"><title>{{ .Site.Title }}</title></head>
<body><ul>{{ range .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}</li>{{ end }}</ul></body></html>
"""


def ensure_anchors() -> None:
    try:
        import pelican  # noqa: F401
    except ImportError:
        print("installing pelican ...", file=sys.stderr)
        subprocess.run([sys.executable, "-m", "pip", "install", "-q", "pelican"], check=True)
    if shutil.which("hugo") is None:
        print("installing hugo ...", file=sys.stderr)
        subprocess.run(["apt-get", "install", "-y", "-q", "hugo"], check=True, stdout=subprocess.DEVNULL)


def write_sites(root: Path, n: int) -> dict[str, Path]:
    """The same N articles as a timeline site, a Pelican site and a Hugo site."""
    ours, pel, hugo = root / "timeline", root / "pelican", root / "hugo"
    for site in (ours / "content", pel / "content", hugo / "content" / "posts", hugo / "layouts" / "_default"):
        site.mkdir(parents=True, exist_ok=True)
    for file in silver_files(n):
        doc_id, article = tml_to_markdown(file.read_text(encoding="utf-8"))
        name = f"{doc_id or file.stem}.md"
        (ours / "content" / name).write_text(article, encoding="utf-8")
        (hugo / "content" / "posts" / name).write_text(article, encoding="utf-8")
        # Pelican's Markdown reader takes "Key: value" lines, not YAML.
        meta, _, body = article.removeprefix("---\n").partition("\n---\n")
        lines = []
        for line in meta.splitlines():
            key, _, value = line.partition(": ")
            value = json.loads(value) if value.startswith('"') else value
            lines.append(f"{key.capitalize()}: {value}")
        (pel / "content" / name).write_text("\n".join(lines) + "\n\n" + body, encoding="utf-8")
    (pel / "pelicanconf.py").write_text(PELICAN_CONF)
    (hugo / "hugo.toml").write_text(HUGO_CONF)
    (hugo / "layouts" / "_default" / "single.html").write_text(HUGO_SINGLE)
    (hugo / "layouts" / "_default" / "list.html").write_text(HUGO_LIST)
    return {"timeline": ours, "pelican": pel, "hugo": hugo}


def measure(cwd: Path, command: list[str], output: Path) -> dict:
    env = dict(os.environ, PYTHONPATH=str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    marker = output.parent / ".bench-start"
    marker.write_text("")
    start_ns = marker.stat().st_mtime_ns
    proc = subprocess.run(
        [sys.executable, "-c", _MEASURE, str(cwd), *command], capture_output=True, text=True, env=env, check=True
    )
    run = json.loads(proc.stdout)
    if run["rc"] != 0:
        raise SystemExit(f"{' '.join(command)} failed in {cwd}:\n{run['stderr']}")
    run["files"] = sum(1 for p in output.rglob("*") if p.is_file() and p.stat().st_mtime_ns >= start_ns)
    return run


ANCHORS = ("pelican", "hugo")


def median_of(runs: list[dict], anchors: dict[str, list[dict]]) -> dict:
    """The median of each figure, and of our wall time over each anchor's in the same run."""
    row = {k: statistics.median(r[k] for r in runs) for k in ("wall", "cpu", "rss_mb", "files")}
    for name, anchor_runs in anchors.items():
        row[f"/{name}"] = statistics.median(r["wall"] / a["wall"] for r, a in zip(runs, anchor_runs))
    return row


def bench_size(root: Path, n: int, runs: int, jobs: int | None) -> dict[str, dict]:
    sites = write_sites(root / f"n{n}", n)
    ours = sites["timeline"]
    build = [sys.executable, "-m", "timeline", "build"] + (["--jobs", str(jobs)] if jobs else [])
    results: dict[str, list[dict]] = {k: [] for k in ("cold", "unchanged", "one-changed", "next-change", "pelican", "hugo")}
    edited = next(iter(sorted((ours / "content").glob("*.md"))))
    original = edited.read_text(encoding="utf-8")
    for i in range(runs):
        # Each anchor beside the rows it is compared with: Pelican before the cold build, Hugo
        # after the rebuilds.
        shutil.rmtree(sites["pelican"] / "output", ignore_errors=True)
        results["pelican"].append(
            measure(sites["pelican"], [sys.executable, "-m", "pelican", "content", "-o", "output", "-s", "pelicanconf.py", "-q"], sites["pelican"] / "output")
        )
        shutil.rmtree(ours / ".timeline-cache", ignore_errors=True)
        shutil.rmtree(ours / "output", ignore_errors=True)
        results["cold"].append(measure(ours, build, ours / "output"))
        results["unchanged"].append(measure(ours, build, ours / "output"))
        edited.write_text(original + f"\nThe talks resumed on Monday, run {i}.\n", encoding="utf-8")
        results["one-changed"].append(measure(ours, build, ours / "output"))
        # The editor's next save: the same article again, after a first rebuild.
        edited.write_text(original + f"\nThe talks resumed on Tuesday, run {i}.\n", encoding="utf-8")
        results["next-change"].append(measure(ours, build, ours / "output"))
        edited.write_text(original, encoding="utf-8")
        shutil.rmtree(sites["hugo"] / "public", ignore_errors=True)
        results["hugo"].append(measure(sites["hugo"], ["hugo", "--quiet"], sites["hugo"] / "public"))
    anchors = {name: results[name] for name in ANCHORS}
    return {k: median_of(v, anchors if k not in ANCHORS else {}) for k, v in results.items()}


def report(table: dict[int, dict[str, dict]], runs: int) -> str:
    lines = [
        f"medians of {runs} runs; wall and CPU in seconds, peak RSS in MB (largest process); "
        "ratios: median of the runs' own ratios",
        "",
    ]
    head = f"{'N':>5}  {'build':<12} {'wall':>7} {'cpu':>7} {'rss':>6} {'files':>6}  {'/pelican':>8} {'/hugo':>7}"
    lines += [head, "-" * len(head)]
    for n, rows in table.items():
        for name, row in rows.items():
            ratios = f"{row['/pelican']:8.2f} {row['/hugo']:7.2f}" if name not in ANCHORS else ""
            lines.append(
                f"{n:>5}  {name:<12} {row['wall']:7.2f} {row['cpu']:7.2f} {row['rss_mb']:6.0f} {row['files']:6.0f}  {ratios}"
            )
        lines.append("")
    sizes = list(table)
    if len(sizes) > 1:
        first, last = sizes[0], sizes[-1]
        per = [table[n]["cold"]["wall"] / n * 1000 for n in sizes]
        lines.append(
            "linearity (cold seconds per 1,000 articles): "
            + ", ".join(f"N={n}: {p:.2f}" for n, p in zip(sizes, per))
            + f"; N x{last / first:.1f} -> time x{table[last]['cold']['wall'] / table[first]['cold']['wall']:.1f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[250, 1000, 2452])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=None, help="timeline --jobs (default: all cores)")
    parser.add_argument("--work", type=Path, default=None, help="folder for the generated sites (default: a temporary one)")
    parser.add_argument("--json", type=Path, default=None, help="also write the medians here")
    args = parser.parse_args(argv)
    ensure_anchors()
    # Compiled bytecode, as an installed package has it (the environment may forbid writing it).
    subprocess.run([sys.executable, "-m", "compileall", "-q", str(REPO / "timeline")], check=True, stdout=subprocess.DEVNULL)
    work = args.work or Path(tempfile.mkdtemp(prefix="timeline-bench-"))
    table = {}
    for n in args.sizes:
        print(f"N={n} ...", file=sys.stderr)
        table[n] = bench_size(work, n, args.runs, args.jobs)
    print(report(table, args.runs))
    if args.json:
        args.json.write_text(json.dumps({str(n): rows for n, rows in table.items()}, indent=1))
    if args.work is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
