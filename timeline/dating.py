"""Tagging stage: find and resolve the date expressions of one article.

The reference date is the article's publication date; without one it is inferred from the text
(a weekday named with a month-day pins the year), and the inference is reported to the user.
The editor's overrides (inline ``[text](date:VALUE)``, front matter ``ignore_dates``) are applied
to what the tagger found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from timeline.articles import Article
from timeline.document import Document, from_markdown, from_plain_text
from timeline.overrides import apply_overrides
from timeline.problems import Problem
from timeline.tagger import ReferenceGuess, Timex, infer_reference_date, tag


@dataclass(frozen=True)
class DatedArticle:
    article: Article
    document: Document
    reference: date | None  # the date relative expressions were resolved against
    reference_inferred: bool
    timexes: tuple[Timex, ...]
    notes: tuple[Problem, ...] = ()
    overridden: tuple[tuple[int, int], ...] = ()  # spans of the expressions an override dated
    reference_guess: ReferenceGuess | None = None  # what the inferred reference date rests on

    def is_override(self, timex: Timex) -> bool:
        return (timex.start, timex.end) in self.overridden


def date_article(article: Article, today: date, shown_path: str) -> DatedArticle:
    document = from_markdown(article.body) if article.format == "markdown" else from_plain_text(article.body)
    text = document.text
    notes: list[Problem] = []
    reference, inferred, guess = article.published, False, None
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
                    kind="inferred-date",
                )
            )
    edited = apply_overrides(tag(text, reference, article.mode), document.overrides, article.ignore_dates, shown_path, article.body_line)
    timexes = edited.timexes
    notes.extend(edited.problems)
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
                    kind="unresolved",
                )
            )
    return DatedArticle(article, document, reference, inferred, timexes, tuple(notes), edited.spans, guess)
