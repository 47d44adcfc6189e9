"""Regression floors of the temporal tagger on a fixed TempEval-3 subset.

Runs the evaluation harness (bench/tempeval.py) on the first documents of
TimeBank and AQUAINT and asserts figures a little under the measured ones.
Skipped when the shared corpora are not available.
"""
from __future__ import annotations

import importlib.util
import sys
import time
from datetime import date
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TBAQ = ROOT.parent / "shared" / "corpora" / "tempeval3" / "tbaq"

pytestmark = pytest.mark.skipif(not TBAQ.is_dir(), reason=f"TempEval-3 corpus not found at ../shared/corpora/tempeval3/tbaq")


def _harness():
    if "timeline_bench_tempeval" in sys.modules:
        return sys.modules["timeline_bench_tempeval"]
    spec = importlib.util.spec_from_file_location("timeline_bench_tempeval", ROOT / "bench" / "tempeval.py")
    mod = importlib.util.module_from_spec(spec)
    sys.modules["timeline_bench_tempeval"] = mod
    spec.loader.exec_module(mod)
    return mod


# corpus, number of documents, floors (strict F1, relaxed F1, value F1, DATE value F1)
SUBSETS = [
    ("TimeBank", 60, dict(strict_f1=0.89, relaxed_f1=0.93, value_f1=0.825, date_value_f1=0.835)),
    ("AQUAINT", 30, dict(strict_f1=0.915, relaxed_f1=0.96, value_f1=0.775, date_value_f1=0.785)),
]


@pytest.mark.parametrize("corpus,n,floors", SUBSETS, ids=[s[0] for s in SUBSETS])
def test_tempeval_floors(corpus, n, floors):
    h = _harness()
    docs = h.load_corpus(TBAQ / corpus)[:n]
    score, _ = h.evaluate(docs)
    got = score.figures()
    low = {k: round(got[k], 3) for k, floor in floors.items() if got[k] < floor}
    assert not low, f"{corpus}: below floor {low} (all: { {k: round(got[k], 3) for k in floors} })"


def test_harness_offsets_match_text():
    h = _harness()
    for doc in h.load_corpus(TBAQ / "AQUAINT")[:10]:
        for g in doc.gold:
            assert g.text == doc.text[g.start:g.end]
            assert g.text.strip(), g


def test_linear_time_on_long_text():
    from timeline.tagger import tag

    h = _harness()
    unit = "\n".join(d.text for d in h.load_corpus(TBAQ / "TimeBank")[:30])[:25_000]
    small = unit * 2
    large = unit * 20
    tag(small, date(1998, 1, 1))
    t = time.perf_counter()
    tag(small, date(1998, 1, 1))
    t_small = time.perf_counter() - t
    t = time.perf_counter()
    tag(large, date(1998, 1, 1))
    t_large = time.perf_counter() - t
    # ten times the text: well under twenty times the time
    assert t_large < 20 * t_small, (t_small, t_large)
