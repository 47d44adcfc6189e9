"""Properties every input must satisfy, with the Hypothesis strategies that generate the inputs.

Shared by the test suite (a short run, ``test_properties.py``) and ``bench/fuzz.py`` (a long one).

- Any Unicode text through the tagger, with any reference date (or none) and either mode: no
  exception; expressions sorted, non-overlapping, inside the text and spelling it exactly; each
  value of the TIMEX3 value grammar for its type; ``value_span`` never fails on a value.
- Any bytes as an article file: an ``Article`` or a ``ContentError`` whose message names the
  problem (and a line inside the file when it gives one); through the whole per-article stage
  (reading, Markdown, tagging, events) never the "bug in timeline" report of an unexpected error.
"""

from __future__ import annotations

import re
from datetime import date, timezone
from pathlib import Path

import yaml
from hypothesis import strategies as st

from timeline.articles import decode_article, parse_article
from timeline.problems import ContentError
from timeline.tagger import tag
from timeline.tagger.values import value_span
from timeline.tagging import TagJob, tag_one

# --- the TIMEX3 value grammar (TimeML 1.2.1, with X for unknown digits) -------------------------
_D = r"[\dX]"
_DATE = (
    rf"(?:{_D}{{2}}|{_D}{{3}}"  # century "20", decade "199"
    rf"|{_D}{{4}}(?:-(?:{_D}{{2}}(?:-{_D}{{2}})?|W{_D}{{2}}(?:-(?:WE|[1-7]))?|Q[1-4X]|H[12X]|SP|SU|FA|WI))?)"
)
_TIME = rf"{_DATE}T(?:{_D}{{2}}(?::{_D}{{2}}(?::{_D}{{2}}(?:\.\d+)?)?)?|MO|MI|AF|EV|NI|DT)(?:Z|[+-]\d{{2}}(?::?\d{{2}})?)?"
_AMOUNT = r"(?:\d+(?:\.\d+)?|X)"
_DURATION = rf"P(?:(?:{_AMOUNT}(?:WE|DE|CE|[YMWDECLQH]))+(?:T(?:{_AMOUNT}[HMS])+)?|T(?:{_AMOUNT}[HMS])+)"
_REF = r"PRESENT_REF|PAST_REF|FUTURE_REF"
VALUE_GRAMMAR = {
    "DATE": re.compile(rf"{_DATE}|{_REF}"),
    "TIME": re.compile(rf"{_TIME}|{_DATE}|{_REF}"),  # a time of day whose date is unknown: "XXXX-XX-XX"
    "DURATION": re.compile(_DURATION),
    "SET": re.compile(rf"{_TIME}|{_DATE}|{_DURATION}"),
}
MODS = {None, "BEFORE", "AFTER", "ON_OR_BEFORE", "ON_OR_AFTER", "LESS_THAN", "MORE_THAN", "EQUAL_OR_LESS",
        "EQUAL_OR_MORE", "START", "MID", "END", "APPROX"}

# --- strategies ----------------------------------------------------------------------------------
_WORDS = (
    "January February March April May June July August September October November December "
    "Jan. Feb. Mar. Apr. Aug. Sept. Sep. Oct. Nov. Dec. Monday Tuesday Wednesday Thursday Friday Saturday Sunday "
    "Mon. Tues. last next this that coming past ago later earlier before after since until till from to between "
    "and or the of in on at by early late mid- end beginning first second third fourth fifth nine eighth thirty-first "
    "quarter half year years month months week weeks weekend day days decade decades century centuries hour hours "
    "minute minutes 1990s '90s 80s BC B.C. AD a.m. p.m. noon midnight morning afternoon evening night tonight today "
    "yesterday tomorrow now recently currently every each twice daily weekly annually fortnight spring summer fall "
    "autumn winter Christmas Easter FY fiscal Q1 Q4 H2 week 53 W52 -- – — / : , . ' ( ) one two ten dozen several "
    "a an few same previous following prior former nearly about around more than less within over"
).split()
_TOKEN = st.one_of(
    st.sampled_from(_WORDS),
    st.integers(-100_000, 100_000_000).map(str),
    st.integers(0, 99).map(lambda n: f"{n:02d}"),
    st.text(max_size=4),
)
_SEPARATOR = st.sampled_from([" ", " ", " ", "", ", ", "\n", "-", "/", ". "])


@st.composite
def _word_soup(draw) -> str:
    tokens = draw(st.lists(_TOKEN, max_size=40))
    return "".join(token + draw(_SEPARATOR) for token in tokens)


@st.composite
def _overrides(draw) -> str:
    """Text with inline date overrides, "[Friday](date:2023-09-15)", well formed or not."""
    parts = []
    for _ in range(draw(st.integers(0, 4))):
        words = draw(_word_soup())
        value = draw(st.one_of(st.sampled_from(["2023-09-15", "none", "2023-W37", "199", "XXXX", "2023-02-30", ""]),
                               st.text(max_size=8)))
        parts.append(draw(st.sampled_from(["[{w}](date:{v})", "[{w}](date:{v}", "[{w}]", "[]({v})"])).format(w=words, v=value))
        parts.append(draw(_word_soup()))
    return " ".join(parts)


tagger_texts = st.one_of(st.text(), _word_soup())
reference_dates = st.one_of(
    st.none(),
    st.dates(),
    st.sampled_from([date(1, 1, 1), date(9999, 12, 31), date(2024, 2, 29), date(2000, 1, 1)]),
    st.datetimes(),
    st.datetimes(timezones=st.just(timezone.utc)),
)
modes = st.sampled_from(["news", "narrative"])

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=30), st.dates().map(str),
    st.sampled_from(["2024-02-30", "0000-01-01", "10000-01-01", "2024-03-01T10:00:00+02:00", "soon", "news", "poem"]),
)
_VALUES = st.recursive(_SCALARS, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=3), max_leaves=8)
_KEYS = st.sampled_from(
    ["title", "date", "source", "url", "tags", "authors", "actors", "mode", "timezone", "ignore_dates", "events", "other"]
)


@st.composite
def _front_matter_article(draw) -> bytes:
    meta = draw(st.dictionaries(_KEYS, _VALUES, max_size=6))
    try:
        front = yaml.safe_dump(meta, allow_unicode=True) if draw(st.booleans()) else draw(st.text(max_size=80))
    except yaml.YAMLError:
        front = ""
    opener = draw(st.sampled_from(["---\n", "---\n", "", "\ufeff---\n", "---"]))
    closer = draw(st.sampled_from(["---\n", "...\n", "", "--- \n"]))
    body = draw(st.one_of(_word_soup(), st.text(max_size=200), _overrides()))
    text = opener + front + closer + draw(st.sampled_from(["", "# ", "\n# "])) + body
    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    encoding = draw(st.sampled_from(["utf-8", "utf-8", "utf-8-sig", "utf-16", "latin-1"]))
    return text.replace("\n", newline).encode(encoding, "replace")


article_bytes = st.one_of(st.binary(max_size=600), _front_matter_article())
article_suffixes = st.sampled_from([".md", ".txt", ".markdown"])


# --- the properties ------------------------------------------------------------------------------
def check_tagging(text: str, dct, mode: str) -> None:
    timexes = tag(text, dct, mode)
    end = 0
    for timex in timexes:
        assert end <= timex.start < timex.end <= len(text), f"span {timex.start}:{timex.end} overlaps or leaves the text"
        assert text[timex.start : timex.end] == timex.text, f"{timex.text!r} is not the text at {timex.start}"
        assert timex.type in VALUE_GRAMMAR, timex.type
        assert VALUE_GRAMMAR[timex.type].fullmatch(timex.value), f"{timex.type} value {timex.value!r} of {timex.text!r}"
        assert timex.mod in MODS, timex.mod
        span = value_span(timex.value)
        assert span is None or span.start <= span.end
        end = timex.end


CONTENT = Path("content")


def check_article(data: bytes, suffix: str) -> None:
    path = CONTENT / f"fuzzed{suffix}"
    shown = f"content/fuzzed{suffix}"
    try:
        article = parse_article(decode_article(path, data), path, CONTENT)
    except ContentError as e:
        assert e.message.strip(), "an error without a message"
        lines = data.count(b"\n") + data.count(b"\r") + 1
        assert e.line is None or 1 <= e.line <= lines + 1, f"line {e.line} of a {lines}-line file"
        assert str(e.problem(shown)).startswith(shown)
    else:
        assert article.title.strip() and article.slug and article.rel_path == f"fuzzed{suffix}"
        assert article.body_line >= 1
    outcome = tag_one(TagJob("key", path, CONTENT, shown, data, date(2024, 1, 1)))
    if outcome.problem is not None:
        assert "bug in timeline" not in outcome.problem.message, outcome.problem.message
    else:
        assert outcome.dated is not None
        text = outcome.dated.document.text
        for event in outcome.events:
            start, end = event.mention.offset
            assert text[start:end] == event.mention.expression
