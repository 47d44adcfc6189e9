"""Score the "same event" rule (timeline.chronology.same_event) on labelled sentence pairs.

    python bench/merge_eval.py [--pairs bench/merge_pairs.yaml] [--errors]

Each pair is two dated sentences from different articles, labelled same event or not (see the
data file). Prints precision and recall of the "same" decisions; target both >= 0.9.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from timeline.actors import default_index  # noqa: E402
from timeline.chronology import date_relation, same_event  # noqa: E402
from timeline.events import Event, Mention  # noqa: E402
from timeline.tagger.values import value_span  # noqa: E402


def as_event(side: dict, article: str) -> Event:
    value, text = str(side["date"]), side["text"]
    span = value_span(value)
    if span is None:
        raise SystemExit(f"not a date value: {value!r}")
    mention = Mention(article, article, f"articles/{article}/index.html", None, None, None, value, text, (0, len(value)))
    return Event(value, span, text[:80], mention, default_index().find(text))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pairs", type=Path, default=Path(__file__).with_name("merge_pairs.yaml"))
    parser.add_argument("--errors", action="store_true", help="list the pairs decided wrongly")
    # Pairs marked `heldout` were written after the thresholds were chosen: their score is the honest one.
    args = parser.parse_args()
    pairs = yaml.safe_load(args.pairs.read_text(encoding="utf-8"))["pairs"]
    tuned = [p for p in pairs if not p.get("heldout")]
    heldout = [p for p in pairs if p.get("heldout")]
    for label, subset in (("tuning set", tuned), ("held-out set", heldout), ("all pairs", pairs)):
        if subset:
            print(f"== {label}")
            score(subset, args.errors and label == "all pairs")


def score(pairs: list[dict], show_errors: bool) -> None:
    tp = fp = fn = tn = 0
    wrong = []
    by_relation: dict[str, list[int]] = {}
    for i, pair in enumerate(pairs):
        a, b = as_event(pair["a"], "a"), as_event(pair["b"], "b")
        decided, truth = same_event(a, b), bool(pair["same"])
        tp += decided and truth
        fp += decided and not truth
        fn += truth and not decided
        tn += not decided and not truth
        counts = by_relation.setdefault(date_relation(a, b), [0, 0])
        counts[0] += decided == truth
        counts[1] += 1
        if decided != truth:
            wrong.append((i, truth, pair))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    print(f"{len(pairs)} pairs ({tp + fn} same, {fp + tn} different)")
    print(f"precision {precision:.3f}  recall {recall:.3f}  F1 {f1:.3f}   (tp {tp}, fp {fp}, fn {fn}, tn {tn})")
    print("correct by date relation: " + ", ".join(f"{k} {c}/{n}" for k, (c, n) in sorted(by_relation.items())))
    if show_errors:
        for i, truth, pair in wrong:
            kind = "missed merge" if truth else "false merge"
            print(f"\n#{i} {kind}\n  a {pair['a']['date']}: {pair['a']['text']}\n  b {pair['b']['date']}: {pair['b']['text']}")


if __name__ == "__main__":
    main()
