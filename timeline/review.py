"""Review stage of ``timeline check``: what an editor should look at, each with its place and sentence.

It reads what a build made (without writing a site) and lists:

- errors: everything the build reports as an error (broken front matter, an invalid override, a
  bad entry of the events file, ...);
- ``inferred-date``: an article without a publication date, and what the date was inferred from;
- ``low-confidence``: a date read with low confidence, and its other readings;
- ``unresolved``: an expression found but not resolved to a date;
- ``past-as-future``: a sentence told in the past whose date falls after the publication date;
- ``unused-override``: an override or ``ignore_dates`` entry that matches no date expression;
- ``disputed``: an event whose sources disagree on its date.

Errors make ``timeline check`` exit with status 1 and ``timeline build --strict`` write nothing;
the others are warnings.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files

import yaml

from timeline.build import BuildResult
from timeline.chronology import date_label
from timeline.config import SiteConfig
from timeline.dating import DatedArticle
from timeline.document import source_places
from timeline.events import EVENT_TYPES, Mention, sentence_bounds
from timeline.manual import EVENTS_FILE
from timeline.problems import display_path, place
from timeline.tagger.values import value_span

LOW_CONFIDENCE = 0.75  # below this, a reading is worth a look (a weekday with no tense cue is 0.6)
# Notes the build makes that the review reports in more detail, expression by expression.
_DETAILED_HERE = ("inferred-date", "unresolved")


@dataclass(frozen=True)
class Finding:
    path: str  # as shown to the user: relative to the site folder where possible
    line: int | None
    column: int | None
    kind: str  # "error", or one of the warning kinds listed in the module docstring
    severity: str  # "error" | "warning"
    message: str
    sentence: str = ""
    alternatives: tuple[str, ...] = ()  # other readings (TIMEX3 values), other candidate years

    @property
    def place(self) -> str:
        return place(self.path, self.line, self.column)

    def __str__(self) -> str:
        return f"{self.place}: {self.kind}: {self.message}"

    def as_json(self) -> dict:
        return {
            "file": self.path,
            "line": self.line,
            "column": self.column,
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "sentence": self.sentence or None,
            "alternatives": list(self.alternatives),
        }


@dataclass(frozen=True)
class TenseCues:
    past: frozenset[str]
    future: frozenset[str]
    not_past: frozenset[str]

    def told_in_past(self, sentence: str) -> bool:
        """Whether a sentence is told in the past: a past cue and no future cue (see data/tense.yaml)."""
        words = re.findall(r"[A-Za-z'’-]+", sentence.replace("’", "'"))
        lowered = [w.lower() for w in words]
        if any(w in self.future or w.endswith("'ll") for w in lowered):
            return False
        return any(
            low in self.past
            or (word[0].islower() and len(word) >= 5 and low.endswith("ed") and low not in self.not_past)
            for word, low in zip(words, lowered)
        )


@cache
def tense_cues() -> TenseCues:
    data = yaml.safe_load(files("timeline").joinpath("data/tense.yaml").read_text(encoding="utf-8"))
    return TenseCues(*(frozenset(str(w).lower() for w in data[key]) for key in ("past", "future", "not_past")))


@dataclass
class _Places:
    """Where each mention of the site is written, to place findings about timeline entries."""

    # (article slug, start of the expression in its plain text) -> (path, line, column)
    by_mention: dict[tuple[str, int], tuple[str, int | None, int | None]] = field(default_factory=dict)
    by_article: dict[str, str] = field(default_factory=dict)  # slug -> shown path

    def of(self, mention: Mention, events_file: str) -> tuple[str, int | None, int | None]:
        if mention.origin == "events file":
            return events_file, mention.line, None
        if not mention.in_text:
            return self.by_article.get(mention.article, mention.article), mention.line, None
        # A range's mention starts where its first date does.
        return self.by_mention.get((mention.article, mention.offset[0])) or (self.by_article.get(mention.article, mention.article), None, None)


def review(config: SiteConfig, result: BuildResult) -> list[Finding]:
    """Every finding about the site ``result`` was built from, by file and line."""
    findings: list[Finding] = []
    places = _Places()
    override_sentences: dict[tuple[str, int, int], str] = {}  # the sentence of each override, by place
    for tagged in result.articles:
        dated = result.load_article(tagged)
        shown = display_path(config.content_dir / tagged.article.rel_path, config.site_dir)
        places.by_article[tagged.article.slug] = shown
        findings.extend(review_article(dated, shown, places))
        for override in dated.document.overrides:
            line = dated.article.body_line + override.line - 1
            override_sentences[(shown, line, override.column)] = sentence_around(dated.document.text, override.start, override.end)
    for problem in result.problems:
        sentence = override_sentences.get((problem.path, problem.line, problem.column), "")
        if problem.severity == "error":
            findings.append(Finding(problem.path, problem.line, problem.column, "error", "error", problem.message, sentence))
        elif problem.severity == "warning" and problem.kind not in _DETAILED_HERE:
            kind = problem.kind or "warning"
            findings.append(Finding(problem.path, problem.line, problem.column, kind, "warning", problem.message, sentence))
    events_file = display_path(config.content_dir / EVENTS_FILE, config.site_dir)
    timeline = result.timeline
    for entry in timeline.entries if timeline is not None else ():
        if not entry.disputed:
            continue
        first = entry.sources[0]
        path, line, column = places.of(first, events_file)
        claims = "; ".join(
            f"{claim.label} according to " + ", ".join(_source_name(m, places, events_file) for m in claim.sources)
            for claim in entry.disputed
        )
        findings.append(
            Finding(
                path, line, column, "disputed", "warning",
                f'sources disagree on the date of "{entry.title}": {claims}; the timeline shows {entry.label}',
                first.sentence, tuple(claim.value for claim in entry.disputed if claim.value != entry.value),
            )
        )
    findings.sort(key=lambda f: (f.path, f.line or 0, f.column or 0, f.kind, f.message))
    return findings


def _source_name(mention: Mention, places: _Places, events_file: str) -> str:
    return places.of(mention, events_file)[0] if mention.article else f"{mention.article_title} ({events_file})"


def review_article(dated: DatedArticle, shown: str, places: _Places | None = None) -> list[Finding]:
    """The warnings about one article's dates."""
    article, text = dated.article, dated.document.text
    findings: list[Finding] = []
    bounds = sentence_bounds(text)

    def sentence_at(start: int, end: int) -> str:
        return sentence_around(text, start, end, bounds)

    spans = [(t.start, t.end) for t in dated.timexes]
    guess = dated.reference_guess if dated.reference_inferred else None
    if guess is not None:
        spans.append((guess.start, guess.end))
    located = dict(zip(spans, _file_places(dated, sorted(set(spans)))))

    def finding(start: int, end: int, kind: str, message: str, alternatives: Iterable[str] = ()) -> Finding:
        line, column = located.get((start, end)) or (None, None)
        return Finding(shown, line, column, kind, "warning", message, sentence_at(start, end), tuple(alternatives))

    if guess is not None:
        others = [str(year) for year in guess.candidates if year != dated.reference.year]
        also = f"; other candidate years: {', '.join(others)}" if others else ""
        findings.append(
            finding(
                guess.start, guess.end, "inferred-date",
                f'no publication date: year {dated.reference.year} inferred from "{guess.expression}"{also};'
                " add 'date: YYYY-MM-DD' to the front matter",
                others,
            )
        )
    if places is not None:
        for timex in dated.timexes:
            if (where := located.get((timex.start, timex.end))) is not None:
                places.by_mention[(article.slug, timex.start)] = (shown, *where)
    cues = tense_cues()
    for timex in dated.timexes:
        if timex.type not in EVENT_TYPES or dated.is_override(timex):
            continue
        fix = f"fix it with [{timex.text}](date:VALUE)"
        if not timex.resolved:
            why = "the article has no publication date (add 'date: YYYY-MM-DD')" if dated.reference is None else fix
            findings.append(finding(timex.start, timex.end, "unresolved", f'"{timex.text}" was found but not resolved to a date; {why}'))
            continue
        span = value_span(timex.value)
        if span is None:
            continue
        if timex.confidence < LOW_CONFIDENCE:
            readings = [f"{_label(v)} ({v})" for v in timex.alternatives]
            other = f"; other readings: {', '.join(readings)}" if readings else ""
            if timex.alternatives:  # the fix for the likeliest other reading, ready to paste
                fix = f"fix it with [{timex.text}](date:{timex.alternatives[0]})"
            findings.append(
                finding(
                    timex.start, timex.end, "low-confidence",
                    f'"{timex.text}" read as {_label(timex.value)} ({timex.value}) with confidence'
                    f" {timex.confidence:.1f}{other}; if that is wrong, {fix}",
                    timex.alternatives,
                )
            )
        reference = dated.reference
        if reference is not None and span.start > reference and cues.told_in_past(sentence_at(timex.start, timex.end)):
            findings.append(
                finding(
                    timex.start, timex.end, "past-as-future",
                    f'"{timex.text}" read as {_label(timex.value)}, after the publication date {reference.isoformat()},'
                    f" in a sentence told in the past; if that is wrong, {fix}",
                )
            )
    return findings


def sentence_around(text: str, start: int, end: int, bounds: list[tuple[int, int]] | None = None) -> str:
    """The sentence of ``text`` that holds the span, on one line."""
    for s, e in bounds if bounds is not None else sentence_bounds(text):
        if s <= start < e or s < end <= e:
            return " ".join(text[s:e].split())
    return " ".join(text[start:end].split())


def _file_places(dated: DatedArticle, spans: list[tuple[int, int]]) -> list[tuple[int, int] | None]:
    """(line, column) in the article's file of each plain-text span."""
    article = dated.article
    overrides = {(o.start, o.end): (o.line, o.column) for o in dated.document.overrides}
    found = source_places(article.body, dated.document.text, spans)
    places = []
    for span, place in zip(spans, found):
        place = overrides.get(span, place)
        places.append(None if place is None else (article.body_line + place[0] - 1, place[1]))
    return places


def _label(value: str) -> str:
    span = value_span(value)
    return date_label(value, span) if span is not None else value


def counts(findings: list[Finding]) -> tuple[int, int]:
    """(errors, warnings)."""
    errors = sum(f.severity == "error" for f in findings)
    return errors, len(findings) - errors


