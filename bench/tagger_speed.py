"""Speed of the temporal tagger: cold start, documents per second, linearity.

    python bench/tagger_speed.py [CORPUS_DIR]

Cold start is measured in a fresh interpreter (import + first document).
Linearity: the same news text repeated to 100 KB ... 1 MB must take time in
proportion to its length (the printed µs/KB stays flat).
"""
from __future__ import annotations

import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "tempeval3" / "tbaq" / "TimeBank"

SAMPLE = (
    "North Korean state media confirmed that Kim left Pyongyang for Russia on Sunday, Sept. 10, and "
    "that he was accompanied by top military officials. Officials said last week that a deal signed in "
    "2006 would expire next year; the talks lasted five days. Shares rose 12% to $2,006 on Tuesday, "
    "a year after the third-quarter loss. Resolution 1718 was adopted in October 2006.\n"
)

COLD = (
    "import time; t = time.perf_counter(); from datetime import date; from timeline.tagger import tag; "
    "tag({text!r}, date(2023, 9, 10)); print(time.perf_counter() - t)"
)


def cold_start(text: str) -> float:
    out = subprocess.run([sys.executable, "-c", COLD.format(text=text)], cwd=ROOT, capture_output=True,
                         text=True, check=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    return float(out.stdout.strip())


def main(argv: list[str]) -> int:
    from timeline.tagger import tag

    corpus = Path(argv[0]) if argv else DEFAULT_CORPUS
    texts: list[tuple[str, date | None]] = []
    if corpus.is_dir():
        from tempeval import load_corpus
        texts = [(d.text, d.dct) for d in load_corpus(corpus)]
    if not texts:
        texts = [(SAMPLE * 5, date(2023, 9, 10))] * 100
    first = texts[0][0][:2000]
    print(f"cold start (import + first document): {min(cold_start(first) for _ in range(3)):.3f} s")
    tag("warm up on Sept. 10, 2006", date(2006, 9, 10))
    t = time.perf_counter()
    for text, dct in texts:
        tag(text, dct)
    el = time.perf_counter() - t
    kb = sum(len(x) for x, _ in texts) / 1024
    print(f"{len(texts)} documents, {kb:.0f} KB: {len(texts) / el:.0f} docs/s, {kb / el:.0f} KB/s")
    # one 50 KB unit of news text repeated, so that every size has the same density
    unit = "\n".join(x for x, _ in texts)[:50_000]
    for size in (100_000, 250_000, 500_000, 1_000_000):
        big = (unit * (size // len(unit) + 1))[:size]
        t = time.perf_counter()
        n = len(tag(big, date(2000, 1, 1)))
        el = time.perf_counter() - t
        print(f"  {size / 1e6:.2f} MB: {el:.3f} s, {el * 1e6 / (size / 1024):.0f} µs/KB, {n} timexes")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
