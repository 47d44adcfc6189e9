"""Tests of the temporal tagger: seed article, rule examples, properties."""
from __future__ import annotations

import datetime
import random
import re
from datetime import date
from pathlib import Path

import pytest

from timeline.tagger import ReferenceGuess, Timex, extract_json, infer_reference_date, tag
from timeline.tagger.rules import grammar
from timeline.tagger.values import Span, value_span

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT.parent / "shared" / "seed" / "us-warns-north-korea-arms-deal.txt"

VALUE_RE = re.compile(
    r"^(?:PRESENT_REF|PAST_REF|FUTURE_REF|P[0-9X.TYMWDHSEQCL]+|[0-9X]{2,4}"
    r"|[0-9X]{4}-(?:[0-9X]{2}(?:-[0-9X]{2})?|W[0-9X]{2}(?:-(?:[1-7X]|WE))?|Q[1-4X]|H[12X]|SP|SU|FA|WI)"
    r"(?:T(?:MO|AF|EV|NI|\d{2}(?::\d{2})?))?"
    r"|[0-9X]{4}-[0-9X]{2}-[0-9X]{2}T(?:MO|AF|EV|NI|\d{2}(?::\d{2})?))$"
)


def values(text, dct=date(2023, 9, 10), mode="news"):
    return [(t.text, t.value) for t in tag(text, dct, mode)]


# ------------------------------------------------------------------ seed article

@pytest.fixture(scope="module")
def seed_body():
    if not SEED.exists():
        pytest.skip("shared seed article not available (../shared/seed)")
    return SEED.read_text(encoding="utf-8").split("\n", 1)[1]


def test_seed_reference_date(seed_body):
    guess = infer_reference_date(seed_body, date(2026, 11, 28))
    assert isinstance(guess, ReferenceGuess)
    assert guess.date == date(2023, 9, 10)
    assert guess.expression == "Sunday, Sept. 10"
    assert seed_body[guess.start:guess.end] == "Sunday, Sept. 10"
    assert guess.candidates == (2017, 2023)


def test_seed_tags(seed_body):
    got = tag(seed_body, date(2023, 9, 10))
    pairs = [(t.text, t.value) for t in got]
    assert ("Sunday, Sept. 10", "2023-09-10") in pairs
    assert ("2006", "2006") in pairs
    i = seed_body.index("including one in 2006") + len("including one in ")
    assert any(t.start == i and t.end == i + 4 for t in got)
    texts = {t.text for t in got}
    for bad in ("We", "we", "now", "one-on-one", "10, and", "one"):
        assert bad not in texts


# ------------------------------------------------------------------ rule examples

def _examples():
    g = grammar()
    for rule in g.rules:
        for ex in rule.examples:
            yield pytest.param(rule.name, *(list(ex) + [None] * (3 - len(ex))), id=f"{rule.name}:{ex[0]}")


@pytest.mark.parametrize("rule,text,expected,extent", list(_examples()))
def test_rule_examples(rule, text, expected, extent):
    dct = grammar().example_dct
    got = tag(text, dct)
    if expected is None:
        assert got == [], f"{rule}: expected nothing in {text!r}, got {got}"
        return
    assert any(t.value == expected for t in got), f"{rule}: {text!r} -> {[(t.text, t.value) for t in got]}"
    if extent is not None:
        assert any(t.text == extent and t.value == expected for t in got), [(t.text, t.value) for t in got]


# ------------------------------------------------------------------ milestone behaviours

def test_full_dates():
    assert values("Oct. 9, 2006") == [("Oct. 9, 2006", "2006-10-09")]
    assert values("9 October 2006") == [("9 October 2006", "2006-10-09")]
    assert values("2006-10-09") == [("2006-10-09", "2006-10-09")]


def test_ranges_are_two_dates():
    assert values("from 2014 to 2016") == [("2014", "2014"), ("2016", "2016")]
    assert values("in 2009-2010") == [("2009", "2009"), ("2010", "2010")]


def test_not_dates():
    for text in ["Resolution 1718", "2,006 troops", "$2006", "We urge", "one-on-one talks",
                 "you may leave", "10, and then"]:
        assert tag(text, date(2023, 9, 10)) == [], text


def test_relative():
    d = date(2023, 9, 10)
    assert values("yesterday", d) == [("yesterday", "2023-09-09")]
    assert values("last week", d) == [("last week", "2023-W35")]
    assert values("next month", d) == [("next month", "2023-10")]
    assert values("this year", d) == [("this year", "2023")]
    assert values("the 1990s", d) == [("the 1990s", "199")]
    assert values("on Tuesday", d) == [("Tuesday", "2023-09-05")]


def test_narrative_mode():
    text = "The talks began on Oct. 9, 2006. Five days later, they ended."
    got = values(text, None, "narrative")
    assert ("Five days later", "2006-10-14") in got


def test_unresolved_without_dct():
    got = tag("They met on Sept. 10.", None)
    assert got[0].value == "XXXX-09-10" and got[0].resolved is False


def test_weekday_confidence():
    t = tag("Officials spoke Friday", date(2023, 9, 10))
    assert t and t[0].value == "2023-09-08"
    t = tag("Friday", date(2023, 9, 10))[0]
    assert t.confidence < 1 and t.alternatives


def test_extract_json_fields():
    out = extract_json("It happened on Oct. 9, 2006.", date(2023, 9, 10))
    assert out == [{"start": 15, "end": 27, "text": "Oct. 9, 2006", "type": "DATE", "value": "2006-10-09"}]


# ------------------------------------------------------------------ value spans

@pytest.mark.parametrize("value,start,end,precision", [
    ("2023-09-10", date(2023, 9, 10), date(2023, 9, 10), "day"),
    ("2023-W37", date(2023, 9, 11), date(2023, 9, 17), "week"),
    ("2023-09", date(2023, 9, 1), date(2023, 9, 30), "month"),
    ("2023-SU", date(2023, 6, 1), date(2023, 8, 31), "season"),
    ("2023-WI", date(2023, 12, 1), date(2024, 2, 29), "season"),
    ("2023-Q1", date(2023, 1, 1), date(2023, 3, 31), "quarter"),
    ("2023-H1", date(2023, 1, 1), date(2023, 6, 30), "half"),
    ("2023", date(2023, 1, 1), date(2023, 12, 31), "year"),
    ("199", date(1990, 1, 1), date(1999, 12, 31), "decade"),
    ("19", date(1900, 1, 1), date(1999, 12, 31), "century"),
    ("2023-09-10T14:30", date(2023, 9, 10), date(2023, 9, 10), "day"),
    ("2023-09-10TMO", date(2023, 9, 10), date(2023, 9, 10), "day"),
])
def test_value_span(value, start, end, precision):
    assert value_span(value) == Span(start, end, precision)


@pytest.mark.parametrize("value", ["P3Y", "PT5H", "PRESENT_REF", "PAST_REF", "FUTURE_REF", "XXXX-09-10",
                                   "XXXX-WXX-7", "", "garbage", "2023-13"])
def test_value_span_none(value):
    assert value_span(value) is None


# ------------------------------------------------------------------ properties

def _check(text, got):
    last = 0
    for t in got:
        assert isinstance(t, Timex)
        assert 0 <= t.start < t.end <= len(text)
        assert t.start >= last
        last = t.end
        assert t.text == text[t.start:t.end]
        assert t.type in ("DATE", "TIME", "DURATION", "SET")
        assert VALUE_RE.match(t.value), t.value


def test_random_unicode_never_raises():
    rnd = random.Random(7)
    pieces = ["Sept. 10", " 2006", "May", "now", "last", " week", "ago", "\u00e9t\u00e9", "\u200b", "\n",
              "Friday", "5 p.m.", "2009-2010", "the 1990s", "$", ",", "one-on-one", "\U0001F600", "0", "9"]
    for _ in range(300):
        text = "".join(rnd.choice(pieces) if rnd.random() < 0.7 else chr(rnd.randrange(1, 0x2FFF))
                       for _ in range(rnd.randrange(0, 25)))
        for mode in ("news", "narrative"):
            for dct in (None, date(2023, 9, 10), datetime.datetime(1998, 2, 1, 12, 0)):
                _check(text, tag(text, dct, mode))


def test_extreme_reference_dates_do_not_raise():
    text = "Last year, on Thanksgiving, a year ago, the third quarter, next Monday, Sept. 10 and in the 1990s."
    for dct in (date(1, 1, 2), date(9999, 12, 30), date(2000, 2, 29)):
        for mode in ("news", "narrative"):
            _check(text, tag(text, dct, mode))


def test_import_does_not_load_dateparser():
    import subprocess
    import sys

    code = "import sys, timeline.tagger; print('dateparser' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert out.stdout.strip() == "False"


def test_word_lists_grouped_by_first_letter_match_as_the_plain_alternation():
    """The lexicon's alternations are grouped by first letter for speed: at every place of any
    text, the grouped and the plain alternation match the same (first) way, with or without case."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from timeline.tagger.rules import _alternation

    words = st.text("abAB ", min_size=1, max_size=4).filter(lambda w: w[0] != " ")
    texts = st.text("abAB .", max_size=12)

    @settings(max_examples=400, deadline=None)
    @given(st.lists(words, min_size=1, max_size=8), texts, st.booleans())
    def check(keys, text, with_case):
        alts = [re.escape(k).replace(" ", r"\s+") + (r"\.?" if i % 3 == 0 else "") for i, k in enumerate(keys)]
        flags = 0 if with_case else re.IGNORECASE
        plain = re.compile(f"(?:{'|'.join(alts)})(?P<rest>a*)", flags)
        grouped = re.compile(f"(?:{_alternation(alts, with_case)})(?P<rest>a*)", flags)
        for at in range(len(text) + 1):
            a, b = plain.match(text, at), grouped.match(text, at)
            assert (a and a.span("rest")) == (b and b.span("rest"))

    check()


def test_first_characters_of_a_pattern():
    from timeline.tagger.rules import _first_chars

    digits = re.compile(_first_chars(r"\d{4}"))
    assert digits.match("7") and not digits.match("a")
    words = re.compile(_first_chars(r"(?:the\s+)?(?-i:May)|year"))
    assert all(words.match(c) for c in "tTyYM\u212a") and not any(words.match(c) for c in "m 1x")
    assert _first_chars(r"(?:ago)?") is None  # may match nothing
    assert _first_chars(r".x") is None and _first_chars(r"[^a]b") is None  # may start with anything


def test_rules_match_as_a_plain_search_for_the_whole_word():
    """A rule's fast regex consumes only the first character of a match where it knows which
    characters can start one (``rules._rule_regex``): with the overlapping matches dropped, every
    rule finds at every place of any text what a plain search for its pattern as a whole word finds."""
    from dataclasses import replace

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from timeline.tagger.engine import _matches
    from timeline.tagger.rules import MATCH, fast_grammar

    g = fast_grammar()
    rules = [replace(rule, triggers=()) for rule in g.rules]  # the whole text, not windows around triggers
    plain = [re.compile(rf"(?<!\w)(?:{rule.body})(?!\w)", re.IGNORECASE) for rule in rules]
    examples = [example[0] for rule in rules for example in rule.examples] + ["x", "9", "'", "(", "\u212a", "\n"]

    @settings(max_examples=60, deadline=None)
    @given(st.lists(st.sampled_from(examples), min_size=1, max_size=6), st.sampled_from(["", " ", "\n", "-", ", "]))
    def check(pieces, separator):
        text = separator.join(pieces)
        for rule, regex in zip(rules, plain):
            expected = [(m.span(), m.groupdict()) for m in regex.finditer(text)]
            got = [(m.span(MATCH), {k: v for k, v in m.groupdict().items() if k != MATCH}) for m in _matches(text, rule, g, {})]
            assert got == expected, rule.name

    check()


def test_a_rule_runs_only_where_its_required_words_are():
    """A rule with ``requires`` runs in those windows of its triggers that hold one of the words
    (``engine._holding``): "three days later" is a window of UNIT, but not one with "ago"."""
    from timeline.tagger.engine import _holding, _matches, _windows
    from timeline.tagger.rules import MATCH, fast_grammar

    g = fast_grammar()
    rule = next(r for r in g.rules if r.name == "date_rel_unit_ago")
    assert rule.requires == ("AGO",)
    text = "Three days later the talks resumed in Geneva, where the delegations had met before. They had failed two years ago."
    cache: dict = {}
    windows = _windows(text, g, rule.triggers, cache)
    kept = _holding(text, g, windows, rule.requires, cache)
    assert len(windows) == 2 and kept == windows[1:]
    assert [text[slice(*m.span(MATCH))] for m in _matches(text, rule, g, {})] == ["two years ago"]
    assert _holding("Three days later", g, [(0, 16)], ("AGO",), {}) == []


def test_tense_cues_in_lower_case_are_the_cues():
    """Text is searched for tense cues in lower case (``Grammar.tense_lowercase``): the same cues,
    of the same kind, at the same places as the regex that ignores case, whatever the case, with
    letters and quotes beyond ASCII too (and those that lower case would move or fold apart)."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from timeline.tagger.engine import _tense_cues_in
    from timeline.tagger.rules import fast_grammar, load_yaml

    g = fast_grammar()
    assert g.tense_lowercase is not None
    tense = load_yaml("rules.yaml")["tense"]
    words = [w for cue in tense.values() for w in re.findall(r"[a-z']{2,}", cue)] + ["be", "being", "x", "1", "Dubbed", "İt"]
    words += ["Élysée", "naïve", "Straße", "ſaid", "wıll", "\u212aept", "²"]

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(words), st.sampled_from([str.lower, str.upper, str.title])), min_size=1, max_size=8), st.sampled_from([" ", "", "-", ", ", " – ", "’", "“"]))
    def check(pieces, separator):
        text = separator.join(case(word) for word, case in pieces)
        found = [(m.span(), m.lastgroup) for m in _tense_cues_in(text, g)]
        assert found == [(m.span(), m.lastgroup) for m in g.tense.finditer(text)]

    check()


def test_trigger_words_in_lower_case_are_the_trigger_words():
    """In lower-cased text the trigger words are found by one regex that passes over the other
    words (``Grammar.trigger_words``): the same words, at the same places, for the same triggers
    as a look at every word, whatever the case, the separators, the text's ends and the letters
    and digits beyond ASCII."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from timeline.tagger.engine import _lower_cased, _trigger_spans
    from timeline.tagger.rules import fast_grammar

    g = fast_grammar()
    prefixes = [prefix for listed in g.trigger_index.values() for prefix, _, _ in listed]
    words = prefixes + [p[:2] for p in prefixes] + [p + "s" for p in prefixes] + ["may", "x", "_may", "1990s", "3rd", "a1", "maybe"]
    words += ["Élysée", "²3", "٣", "\u212aelvin", "ſunday", "İstanbul", "Straße", "mayé"]

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(words), st.sampled_from([str.lower, str.upper, str.title])), min_size=0, max_size=10),
           st.sampled_from([" ", "", "-", ", ", "'", "\n", " – ", "“"]), st.sampled_from(["", " ", ".", "”"]))
    def check(pieces, separator, edge):
        text = edge + separator.join(case(word) for word, case in pieces) + edge
        lowered = _lower_cased(text)
        if lowered is not None:
            assert _trigger_spans(text, g, lowered) == _trigger_spans(text, g)

    check()
    text = "On Monday, may 5 and May 6, 1990, “²3”"
    assert _trigger_spans(text, g, _lower_cased(text)) == _trigger_spans(text, g) != {}


def test_lower_case_keeps_what_ascii_patterns_make_of_every_character():
    """Text beyond ASCII is searched in lower case too (``engine._lower_cased``), but for the
    characters that lower case moves or folds apart from what a pattern ignoring case takes them
    for: of every other character of Unicode, lower case keeps the length, the ASCII letter that
    matches it ignoring case (if any), and whether it is a word character, a digit or a space."""
    import string
    import sys

    from timeline.tagger.engine import _FOLDED_APART, _lower_cased

    everything = "".join(chr(code) for code in range(0x80, sys.maxunicode + 1) if not 0xD800 <= code <= 0xDFFF)
    letter = re.compile("[a-z]", re.IGNORECASE)
    apart = {m.group() for m in letter.finditer(everything) if m.group().lower() not in string.ascii_lowercase}
    classes = [re.compile(pattern) for pattern in (r"\w", r"\d", r"\s")]
    for character in everything:
        lower = character.lower()
        if lower != character and (
            len(lower) != 1
            or (lower in string.ascii_lowercase) != bool(letter.fullmatch(character))
            or any(bool(c.fullmatch(character)) != bool(c.fullmatch(lower)) for c in classes)
        ):
            apart.add(character)
    assert apart == {*_FOLDED_APART, "İ"}
    assert _lower_cased("“Élysée” – Straße") == "“élysée” – straße"
    assert _lower_cased("İstanbul") is None and _lower_cased("ſunday") is None


def test_a_pattern_in_lower_case_keeps_escapes_and_group_names():
    from timeline.tagger.rules import lowercase_pattern

    assert lowercase_pattern(r"(?P<Unit>Mon|TUE)\W\D[A-Z](?P=Unit)(?:Sept\.)") == r"(?P<Unit>mon|tue)\W\D[a-z](?P=Unit)(?:sept\.)"
    assert lowercase_pattern(r"(?-i:May) 1") is None and lowercase_pattern("Mai–Juni") is None


def test_rules_match_lower_cased_text_as_they_match_the_text():
    """A rule with a form minding case searches text lower-cased (``Rule.regex_lowercase``): on
    texts of every rule's examples, in every case, between ASCII or other characters, it finds
    what its regex ignoring case finds in the text, each group at the same place; and the tagger
    tags the same."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from timeline.tagger import tag
    from timeline.tagger import engine
    from timeline.tagger.engine import _matches
    from timeline.tagger.rules import fast_grammar

    g = fast_grammar()
    rules = [rule for rule in g.rules if rule.regex_lowercase is not None]
    assert len(rules) >= 40
    examples = [example[0] for rule in g.rules for example in rule.examples if example[0].isascii()]

    def places(matches):
        return [{name: m.span(name) for name in m.re.groupindex} for m in matches]

    @settings(max_examples=100, deadline=None)
    @given(st.lists(st.tuples(st.sampled_from(examples), st.sampled_from([str, str.lower, str.upper, str.title])), min_size=1, max_size=5),
           st.sampled_from([" ", ". ", "\n", " – ", "” ", " Élysée "]))
    def check(pieces, separator):
        text = separator.join(case(example) for example, case in pieces)
        for rule in rules:
            lowered = places(_matches(text, rule, g, {}, engine._lower_cased(text)))
            assert lowered == places(_matches(text, rule, g, {})), rule.name
        found = tag(text, date(2023, 9, 10))
        real = engine._lower_cased
        try:  # the same text, never lower-cased
            engine._lower_cased = lambda text: None
            assert tag(text, date(2023, 9, 10)) == found
        finally:
            engine._lower_cased = real

    check()


def test_required_words_lose_no_match():
    """Every match of a rule holds one of its ``requires`` words: on any text, the rule finds in the
    windows that hold one what it finds in all the windows of its triggers."""
    from dataclasses import replace

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from timeline.tagger.engine import _matches
    from timeline.tagger.rules import MATCH, fast_grammar

    g = fast_grammar()
    rules = [rule for rule in g.rules if rule.requires]
    assert len(rules) >= 5
    examples = [example[0] for rule in g.rules for example in rule.examples]
    examples += ["ago", "agony", "1/2", "half", "old", "aged", "times", "prior", "today", "morning", "x", "9"]

    @settings(max_examples=150, deadline=None)
    @given(st.lists(st.sampled_from(examples), min_size=1, max_size=8), st.sampled_from(["", " ", "\n", "-", ", "]))
    def check(pieces, separator):
        text = separator.join(pieces)
        for rule in rules:
            everywhere = [m.span(MATCH) for m in _matches(text, replace(rule, requires=()), g, {})]
            assert [m.span(MATCH) for m in _matches(text, rule, g, {})] == everywhere, rule.name

    check()


def test_tense_cues_are_found_where_words_start():
    """The tense cues are tried only where a word starts (or at "'ll"): at every place of any
    text, they match as the cues of the data tried everywhere."""
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from timeline.tagger.rules import _tense_cues, grammar, load_yaml

    tense = load_yaml("rules.yaml")["tense"]
    everywhere = re.compile(_tense_cues(tense), re.IGNORECASE)
    words = [w for cue in tense.values() for w in re.findall(r"[a-z']{2,}", cue)] + ["be", "being", "x", "1"]

    @settings(max_examples=300, deadline=None)
    @given(st.lists(st.sampled_from(words), min_size=1, max_size=8), st.sampled_from([" ", "", "-", ", "]))
    def check(pieces, separator):
        text = separator.join(pieces)
        for at in range(len(text) + 1):
            a, b = everywhere.match(text, at), grammar().tense.match(text, at)
            assert (a and (a.span(), a.lastgroup)) == (b and (b.span(), b.lastgroup))

    check()
