"""Tagging stage: find and resolve the date expressions of one article.

The reference date is the article's publication date; without one it is inferred from the text
(a weekday named with a month-day pins the year), and the inference is reported to the user.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from timeline.articles import Article
from timeline.document import Document, from_markdown, from_plain_text
from timeline.problems import Problem
from timeline.tagger import Timex, infer_reference_date, tag


@dataclass(frozen=True)
class DatedArticle:
    article: Article
    document: Document
    reference: date | None  # the date relative expressions were resolved against
    reference_inferred: bool
    timexes: tuple[Timex, ...]
    notes: tuple[Problem, ...] = ()


def date_article(article: Article, today: date, shown_path: str) -> DatedArticle:
    document = from_markdown(article.body) if article.format == "markdown" else from_plain_text(article.body)
    text = document.text
    notes: list[Problem] = []
    reference, inferred = article.published, False
    if reference is None:
        guess = infer_reference_date(text, today)
        if guess is not None:
            reference, inferred = guess.date, True
            candidates = ", ".join(str(year) for year in guess.candidates)
            notes.append(
                Problem(
                    shown_path,
                    f'no date given; inferred {guess.date.year} from "{guess.expression}" (candidates {candidates})',
                    severity="info",
                )
            )
    timexes = tuple(tag(text, reference, article.mode))
    if reference is None:
        unresolved = [t.text for t in timexes if not t.resolved]
        if unresolved:
            shown = ", ".join(f'"{t}"' for t in unresolved[:5]) + (" ..." if len(unresolved) > 5 else "")
            notes.append(
                Problem(
                    shown_path,
                    f"no date given and none could be inferred; relative dates left unresolved: {shown}"
                    " (add 'date: YYYY-MM-DD' to the front matter)",
                    severity="warning",
                )
            )
    return DatedArticle(article, document, reference, inferred, timexes, tuple(notes))
