"""``timeline extract``: the date expressions the tagger finds in one article or in raw text."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import click

from timeline.commands.options import parse_day


@click.command()
@click.argument("path", type=click.Path(allow_dash=True))
@click.option("--dct", callback=parse_day, metavar="YYYY-MM-DD", help="Reference (publication) date.")
@click.option(
    "--mode",
    type=click.Choice(["news", "narrative"]),
    default=None,
    help="Resolve against the publication date (news) or the last mentioned date (narrative).",
)
@click.option(
    "--json", "as_json", is_flag=True,
    help="Print JSON: [{start, end, text, type, value}]; for an article also override (true when an inline override gave the value).",
)
def extract(path, dct, mode, as_json) -> None:
    """Print the date expressions found in one article, or in plain text from stdin ("-")."""
    from timeline.tagger import extract_json

    if path == "-":
        # Raw text exactly as given: offsets count characters of this text.
        text = sys.stdin.buffer.read().decode("utf-8", errors="replace")
        found = extract_json(text, dct, mode or "news")
    else:
        found = _extract_article(Path(path), dct, mode)
    if as_json:
        click.echo(json.dumps(found, ensure_ascii=False))
        return
    for item in found:
        mark = "  (override)" if item.get("override") else ""
        click.echo(f"{item['start']:>6}-{item['end']:<6} {item['type']:<8} {item['value']:<14} {item['text']}{mark}")


def _extract_article(path: Path, dct: date | None, mode: str | None) -> list[dict]:
    from timeline.articles import read_article
    from timeline.dating import date_article
    from timeline.problems import ContentError

    file = path.resolve()
    try:
        article = read_article(file, file.parent)
    except ContentError as e:
        raise click.ClickException(str(e.problem(str(path)))) from None
    if dct is not None:
        article = replace(article, published=dct)
    if mode is not None:
        article = replace(article, mode=mode)
    dated = date_article(article, date.today(), str(path))
    for note in dated.notes:
        click.echo(f"{note.severity}: {note}" if note.severity != "info" else str(note), err=True)
    # Offsets are in the article's plain text, where an override is its bracketed text alone.
    return [
        {"start": t.start, "end": t.end, "text": t.text, "type": t.type, "value": t.value, "override": dated.is_override(t)}
        for t in dated.timexes
    ]
