"""Turn the silver TempEval-3 corpus into a content folder of Markdown articles.

    python bench/corpus.py OUT_DIR [-n N]

Each ``.tml`` wire story becomes ``OUT_DIR/<doc id>.md`` with front matter: the title from
``<TITLE>`` (or the first sentence), the date from the document creation time, and the outlet from
the document id's prefix (AFP, Xinhua). Annotations are dropped; paragraphs are kept.
"""

from __future__ import annotations

import argparse
import html
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SILVER = REPO.parent / "shared" / "corpora" / "tempeval3" / "silver"
OUTLETS = {"AFP": "AFP", "XIN": "Xinhua"}

_TAG = re.compile(r"<[^>]+>")
_DCT_VALUE = re.compile(r'<DCT>.*?value="(\d{4}-\d{2}-\d{2})', re.S)
_FIRST_SENTENCE = re.compile(r"^(.+?[.!?])(?:\s|$)", re.S)


def _element(source: str, name: str) -> str | None:
    match = re.search(rf"<{name}>(.*?)</{name}>", source, re.S)
    return match.group(1) if match else None


def _plain(fragment: str) -> str:
    return html.unescape(_TAG.sub("", fragment))


def _yaml_string(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def tml_to_markdown(source: str) -> tuple[str, str]:
    """(doc id, Markdown article with front matter) for one TimeML document."""
    doc_id = _plain(_element(source, "DOCID") or "").strip()
    text = _plain(_element(source, "TEXT") or "")
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", text)]
    paragraphs = [p for p in paragraphs if p]
    title_xml = _element(source, "TITLE")
    title = " ".join(_plain(title_xml).split()) if title_xml else ""
    if not title and paragraphs:
        first = _FIRST_SENTENCE.match(paragraphs[0])
        title = (first.group(1) if first else paragraphs[0])[:120]
    lines = ["---", f"title: {_yaml_string(title or doc_id)}"]
    dct = _DCT_VALUE.search(source)
    if dct:
        lines.append(f"date: {dct.group(1)}")
    outlet = OUTLETS.get(doc_id.split("_", 1)[0])
    if outlet:
        lines.append(f"source: {outlet}")
    lines.append("---")
    # Markdown would read a leading "1." or "*" as a list: escape it so the text stays as written.
    body = [re.sub(r"^(\d+)([.)])", r"\1\\\2", re.sub(r"^([*+#>-])", r"\\\1", p)) for p in paragraphs]
    return doc_id, "\n".join(lines) + "\n\n" + "\n\n".join(body) + "\n"


def silver_files(n: int | None = None, silver: Path = SILVER) -> list[Path]:
    files = sorted(silver.glob("*.tml"))
    if not files:
        raise SystemExit(f"no .tml files in {silver}: the shared corpora beside the repository are needed")
    return files if n is None else files[:n]


def write_corpus(out_dir: Path, n: int | None = None, silver: Path = SILVER) -> int:
    out_dir.mkdir(parents=True, exist_ok=True)
    files = silver_files(n, silver)
    for file in files:
        doc_id, article = tml_to_markdown(file.read_text(encoding="utf-8"))
        (out_dir / f"{doc_id or file.stem}.md").write_text(article, encoding="utf-8")
    return len(files)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("out_dir", type=Path)
    parser.add_argument("-n", type=int, default=None, help="number of articles (default: all)")
    parser.add_argument("--silver", type=Path, default=SILVER, help="folder of .tml files")
    args = parser.parse_args(argv)
    count = write_corpus(args.out_dir, args.n, args.silver)
    print(f"{count} articles written to {args.out_dir}", file=sys.stderr)


if __name__ == "__main__":
    main()
