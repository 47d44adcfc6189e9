"""A long fuzz run of the properties the test suite checks briefly (``tests/properties.py``).

    python bench/fuzz.py                      # 20,000 examples per property
    python bench/fuzz.py -n 100000 --seed 7   # more, from another seed
    python bench/fuzz.py --only tagger

Properties: any Unicode text through the tagger (with any reference date and mode), and any bytes
as an article file through reading and the whole per-article stage. The run goes in chunks with
successive seeds, so a failure (shrunk to a small example by Hypothesis) is recorded and the run
goes on; distinct failures are printed at the end. Exit status 1 when any property failed.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "tests")]

from hypothesis import HealthCheck, given, seed, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.errors import HypothesisException  # noqa: E402

import properties  # noqa: E402

PROPERTIES = {
    "tagger": ((properties.tagger_texts, properties.reference_dates, properties.modes), properties.check_tagging),
    "article": ((properties.article_bytes, properties.article_suffixes), properties.check_article),
}


def fuzz(name: str, examples: int, chunk: int, first_seed: int) -> tuple[int, dict[str, str]]:
    """Run ``examples`` examples of one property; returns examples run and failures by kind."""
    strategies, check = PROPERTIES[name]
    run = 0
    failures: dict[str, str] = {}
    chunk_seed = first_seed
    while run < examples:
        calls = 0

        def counted(args):
            nonlocal calls
            calls += 1
            check(*args)

        size = min(chunk, examples - run)
        test = seed(chunk_seed)(
            settings(max_examples=size, deadline=None, database=None, suppress_health_check=list(HealthCheck))(
                given(st.tuples(*strategies))(counted)
            )
        )
        try:
            test()
        except HypothesisException:
            raise  # the harness itself is wrong: no point going on
        except Exception as e:  # noqa: BLE001 - a failing property is what we are looking for
            kind = f"{type(e).__name__}: {str(e).splitlines()[0] if str(e) else ''}"
            if kind not in failures:
                failures[kind] = "\n    ".join(getattr(e, "__notes__", []))
                print(f"  {name}: failed with seed {chunk_seed}: {kind}\n    {failures[kind]}", flush=True)
        run += max(calls, 1)
        chunk_seed += 1
    return run, failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("-n", "--examples", type=int, default=20_000, help="examples per property (default 20,000)")
    parser.add_argument("--chunk", type=int, default=1_000, help="examples per Hypothesis run (each with its own seed)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--only", choices=sorted(PROPERTIES), action="append", help="run only this property")
    args = parser.parse_args()
    failed = False
    for name in args.only or list(PROPERTIES):
        started = time.perf_counter()
        run, failures = fuzz(name, args.examples, args.chunk, args.seed)
        seconds = time.perf_counter() - started
        print(f"{name}: {run:,} examples run in {seconds:.0f} s, {len(failures)} distinct failures", flush=True)
        for kind, example in failures.items():
            print(f"  {kind}\n    {example}")
        failed = failed or bool(failures)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
