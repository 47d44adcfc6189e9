"""Property tests (Hypothesis), a short derandomized run; ``bench/fuzz.py`` runs the same properties long.

The properties and the strategies are in ``properties.py``.
"""

from __future__ import annotations

from datetime import date, datetime

from hypothesis import HealthCheck, example, given, settings

import properties

SHORT = settings(max_examples=150, deadline=None, database=None, derandomize=True,
                 suppress_health_check=[HealthCheck.too_slow])


@SHORT
@given(properties.tagger_texts, properties.reference_dates, properties.modes)
@example("", None, "news")
@example("next year, the following day, in 9999 and the year after", date(9999, 12, 31), "news")
@example("last year, the day before, a century ago", date(1, 1, 1), "narrative")
@example("Feb. 30, Sept. 31 2023, week 53 of 2021, the 31st", datetime(2024, 2, 29, 23, 59), "news")
@example("\x00\ud800 March\u00a05,\u20092024 \U0001f600 12:61 p.m. 25:00", date(2024, 3, 1), "news")
@example("99999999999999999999 years ago in 10,000 BC", date(2024, 3, 1), "news")
def test_any_text_through_the_tagger(text, dct, mode):
    properties.check_tagging(text, dct, mode)


@SHORT
@given(properties.article_bytes, properties.article_suffixes)
@example(b"", ".md")
@example(b"\xef\xbb\xbf", ".txt")
@example(b"---", ".md")
@example(b"---\n---\n", ".md")
@example(b"---\ntitle: !!python/object/apply:os.system [echo hi]\n---\nx\n", ".md")
@example(b"---\n&a [*a]\n---\n", ".md")
@example(b"---\ntitle: x\ndate: 2024-02-30\n---\n", ".md")
@example(b"\xff\xfe" + "title\n".encode("utf-16-le"), ".txt")
@example(b"# \n\n", ".md")
@example(b"---\n---\n#  ", ".md")  # found by bench/fuzz.py: a heading of spaces gave a blank title
def test_any_bytes_as_an_article(data, suffix):
    properties.check_article(data, suffix)
