"""TempEval-3 style evaluation of the temporal tagger on TimeML corpora.

    python bench/tempeval.py CORPUS_DIR... [--errors] [--limit N]

For each corpus directory (a folder of .tml files) it runs the tagger on every
document's TEXT with its DCT, through the same code path as
``timeline extract --json`` (``timeline.tagger.extract_json``), and prints
strict and relaxed extent P/R/F1, value F1, type F1, DATE-only value F1 and
documents per second.

Definitions (TempEval-3): a system timex matches a gold timex when their
extents are identical (strict) or overlap (relaxed); an attribute is correct
when the extents overlap and the attribute is equal. Attribute precision is
over system timexes, recall over gold timexes; the DCT is excluded.
"""
from __future__ import annotations

import argparse
import html
import re
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from timeline.tagger import extract_json  # noqa: E402

_TAG = re.compile(r"<(/?)([A-Za-z0-9_]+)([^>]*?)(/?)>", re.S)
_ATTR = re.compile(r'([A-Za-z_:]+)\s*=\s*"([^"]*)"')


@dataclass
class Gold:
    start: int
    end: int
    text: str
    type: str
    value: str


@dataclass
class Doc:
    name: str
    text: str
    dct: date | None
    gold: list[Gold]


def parse_timeml(raw: str, name: str = "") -> Doc:
    """Plain TEXT (all tags stripped, entities unescaped) and gold TIMEX3s."""
    dct = None
    m = re.search(r"<DCT>(.*?)</DCT>", raw, re.S)
    if m:
        v = re.search(r'value="(\d{4}-\d{2}-\d{2})', m.group(1))
        if v:
            dct = date.fromisoformat(v.group(1))
    m = re.search(r"<TEXT>(.*?)</TEXT>", raw, re.S)
    body = m.group(1) if m else ""
    out: list[str] = []
    length = 0
    gold: list[Gold] = []
    open_timex: list[tuple[int, dict]] = []
    pos = 0
    for t in _TAG.finditer(body):
        chunk = html.unescape(body[pos:t.start()])
        out.append(chunk)
        length += len(chunk)
        pos = t.end()
        closing, tagname, attrs, selfclose = t.groups()
        if tagname != "TIMEX3":
            continue
        if closing:
            if open_timex:
                start, a = open_timex.pop()
                gold.append(Gold(start, length, "", a.get("type", ""), a.get("value", "")))
        elif not selfclose:
            open_timex.append((length, dict(_ATTR.findall(attrs))))
    chunk = html.unescape(body[pos:])
    out.append(chunk)
    text = "".join(out)
    for g in gold:
        g.text = text[g.start:g.end]
    gold.sort(key=lambda g: g.start)
    return Doc(name, text, dct, gold)


def load_corpus(path: Path) -> list[Doc]:
    return [parse_timeml(p.read_text(encoding="utf-8"), p.name) for p in sorted(path.glob("*.tml"))]


def _f1(p: float, r: float) -> float:
    return 2 * p * r / (p + r) if p + r else 0.0


class Score:
    def __init__(self) -> None:
        self.n_sys = self.n_gold = 0
        self.strict_sys = self.strict_gold = 0
        self.relaxed_sys = self.relaxed_gold = 0
        self.value_ok = self.type_ok = 0
        self.date_sys = self.date_gold = self.date_value_ok = 0
        self.errors: dict[str, list[str]] = defaultdict(list)

    def add(self, doc: Doc, sys_out: list[dict]) -> None:
        gold = doc.gold
        self.n_sys += len(sys_out)
        self.n_gold += len(gold)
        self.date_sys += sum(1 for s in sys_out if s["type"] == "DATE")
        self.date_gold += sum(1 for g in gold if g.type == "DATE")
        matched_gold: set[int] = set()
        # both lists are sorted by start: sweep
        gi = 0
        for s in sys_out:
            while gi < len(gold) and gold[gi].end <= s["start"]:
                gi += 1
            overlaps = [j for j in range(gi, len(gold)) if gold[j].start < s["end"]]
            overlaps = [j for j in overlaps if gold[j].end > s["start"]]
            if not overlaps:
                self.errors["false positive"].append(f"{doc.name}: {s['text']!r} {s['type']} {s['value']}")
                continue
            self.relaxed_sys += 1
            j = overlaps[0]
            g = gold[j]
            matched_gold.update(overlaps)
            if g.start == s["start"] and g.end == s["end"]:
                self.strict_sys += 1
                self.strict_gold += 1
            else:
                self.errors["extent"].append(f"{doc.name}: sys {s['text']!r} gold {g.text!r}")
            if g.value == s["value"]:
                self.value_ok += 1
                if g.type == "DATE" and s["type"] == "DATE":
                    self.date_value_ok += 1
            else:
                self.errors[f"value {g.type}"].append(
                    f"{doc.name}: {s['text']!r} sys {s['value']} gold {g.value} (gold text {g.text!r})")
            if g.type == s["type"]:
                self.type_ok += 1
            else:
                self.errors["type"].append(f"{doc.name}: {s['text']!r} sys {s['type']} gold {g.type}")
        self.relaxed_gold += len(matched_gold)
        for j, g in enumerate(gold):
            if j not in matched_gold:
                self.errors["missed"].append(f"{doc.name}: {g.text!r} {g.type} {g.value}")

    def figures(self) -> dict[str, float]:
        def prf(ok_sys: int, ok_gold: int, n_sys: int, n_gold: int):
            p = ok_sys / n_sys if n_sys else 0.0
            r = ok_gold / n_gold if n_gold else 0.0
            return p, r, _f1(p, r)

        sp, sr, sf = prf(self.strict_sys, self.strict_gold, self.n_sys, self.n_gold)
        rp, rr, rf = prf(self.relaxed_sys, self.relaxed_gold, self.n_sys, self.n_gold)
        _, _, vf = prf(self.value_ok, self.value_ok, self.n_sys, self.n_gold)
        _, _, tf = prf(self.type_ok, self.type_ok, self.n_sys, self.n_gold)
        _, _, df = prf(self.date_value_ok, self.date_value_ok, self.date_sys, self.date_gold)
        return {"strict_p": sp, "strict_r": sr, "strict_f1": sf, "relaxed_p": rp, "relaxed_r": rr,
                "relaxed_f1": rf, "value_f1": vf, "type_f1": tf, "date_value_f1": df,
                "n_gold": self.n_gold, "n_sys": self.n_sys}


def evaluate(docs: list[Doc]) -> tuple[Score, float]:
    score = Score()
    t0 = time.perf_counter()
    outputs = [extract_json(d.text, d.dct) for d in docs]
    elapsed = time.perf_counter() - t0
    for d, out in zip(docs, outputs):
        score.add(d, out)
    return score, (len(docs) / elapsed if elapsed else float("inf"))


def report(name: str, n_docs: int, score: Score, dps: float) -> str:
    f = score.figures()
    return (
        f"{name}: {n_docs} docs, {f['n_gold']} gold, {f['n_sys']} system timexes\n"
        f"  strict   P {f['strict_p']:.3f}  R {f['strict_r']:.3f}  F1 {f['strict_f1']:.3f}\n"
        f"  relaxed  P {f['relaxed_p']:.3f}  R {f['relaxed_r']:.3f}  F1 {f['relaxed_f1']:.3f}\n"
        f"  value F1 {f['value_f1']:.3f}   type F1 {f['type_f1']:.3f}   DATE value F1 {f['date_value_f1']:.3f}\n"
        f"  speed    {dps:.0f} docs/s"
    )


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpora", nargs="+", type=Path, help="folders of .tml files (searched recursively per child)")
    ap.add_argument("--errors", action="store_true", help="list mismatches grouped by kind")
    ap.add_argument("--kind", action="append", help="with --errors: only these kinds")
    ap.add_argument("--limit", type=int, default=0, help="first N documents per corpus")
    args = ap.parse_args(argv)
    total = Score()
    for path in args.corpora:
        docs = load_corpus(path)
        if args.limit:
            docs = docs[: args.limit]
        if not docs:
            print(f"{path}: no .tml files", file=sys.stderr)
            continue
        # warm up: compiling the rules is a one-off cost, not per-document speed
        extract_json("warm up on Sept. 10, 2006", date(2006, 9, 10))
        score, dps = evaluate(docs)
        print(report(path.name or str(path), len(docs), score, dps))
        if args.errors:
            for kind, items in sorted(score.errors.items(), key=lambda kv: -len(kv[1])):
                if args.kind and kind not in args.kind:
                    continue
                print(f"\n  -- {kind}: {len(items)}")
                counts = Counter(items)
                for item, n in counts.most_common():
                    print(f"     {n if n > 1 else ''} {item}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
