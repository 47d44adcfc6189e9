"""Tagging throughput through a Dask cluster with 1 and 2 local workers (and the process pool).

    python bench/dask_throughput.py [-n 500] [--workers 1 2] [--runs 3]

Each run is a cold ``timeline build`` (no cache) of the first N silver stories in a fresh process:
``--executor dask --scheduler`` pointing at a LocalCluster on loopback with K single-threaded worker
processes, then ``--jobs K`` with the local process pool for comparison. Prints median wall seconds
and articles per second. Needs dask.distributed (pip install '.[dask]').
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "bench"))
# The scheduler (in this process) and the workers (its children) load this checkout's timeline.
sys.path.insert(0, str(REPO))
os.environ["PYTHONPATH"] = str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")
from corpus import write_corpus  # noqa: E402


def cold_build(site: Path, options: list[str]) -> float:
    shutil.rmtree(site / ".timeline-cache", ignore_errors=True)
    shutil.rmtree(site / "output", ignore_errors=True)
    env = dict(os.environ, PYTHONPATH=str(REPO))
    start = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "timeline", "build", *options], cwd=site, env=env, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(proc.stderr)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("-n", type=int, default=500)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args(argv)
    from distributed import LocalCluster

    site = Path(tempfile.mkdtemp(prefix="timeline-dask-"))
    try:
        write_corpus(site / "content", args.n)
        print(f"{args.n} articles, cold builds, medians of {args.runs} runs")
        for k in args.workers:
            with LocalCluster(
                n_workers=k, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
            ) as cluster:
                options = ["--executor", "dask", "--scheduler", cluster.scheduler_address, "--jobs", str(k)]
                dask = statistics.median(cold_build(site, options) for _ in range(args.runs))
            pool = statistics.median(cold_build(site, ["--jobs", str(k)]) for _ in range(args.runs))
            print(
                f"{k} worker(s): dask {dask:6.2f} s = {args.n / dask:6.1f} articles/s;"
                f" process pool {pool:6.2f} s = {args.n / pool:6.1f} articles/s"
            )
    finally:
        shutil.rmtree(site, ignore_errors=True)


if __name__ == "__main__":
    main()
