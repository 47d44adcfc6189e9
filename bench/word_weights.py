"""Regenerate timeline/data/common_words.tsv: how common each (stemmed) content word is in news.

    python bench/word_weights.py [../shared/corpora/tempeval3/silver]

The merge rule weighs shared words by rarity: two reports sharing "Hariri" and "bombing" say more
than two sharing "percent" and "dollars". This counts, over a corpus of wire stories, the share of
stories each stem appears in, and keeps the stems found in at least 1% of them (rarer words all
weigh the most, so they need no entry).
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from timeline.chronology import content_words  # noqa: E402

MIN_SHARE = 0.01


def main() -> None:
    corpus = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT.parent / "shared" / "corpora" / "tempeval3" / "silver"
    files = sorted(corpus.glob("*.tml"))
    if not files:
        raise SystemExit(f"{corpus}: no .tml stories found")
    counts: Counter[str] = Counter()
    for file in files:
        raw = file.read_text(encoding="utf-8", errors="replace")
        body = re.search(r"<TEXT>(.*)</TEXT>", raw, re.S)
        text = re.sub(r"<[^>]+>", "", body.group(1) if body else raw)
        counts.update(content_words(text))
    out = ROOT / "timeline" / "data" / "common_words.tsv"
    lines = [
        "# stem<TAB>share of news stories containing it (regenerate: python bench/word_weights.py)",
        f"# {len(files)} stories",
    ]
    for stem, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        if n / len(files) >= MIN_SHARE:
            lines.append(f"{stem}\t{n / len(files):.4f}")
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{out.relative_to(ROOT)}: {len(lines) - 2} stems from {len(files)} stories")


if __name__ == "__main__":
    main()
