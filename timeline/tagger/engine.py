"""The tagging engine: extraction (pass 1) and resolution (pass 2).

Pass 1 runs every rule of ``data/rules.yaml`` over the text, keeps the
longest non-overlapping matches and fills each rule's value template with
the normalised groups. Values may stay underspecified (``XXXX-09-10``,
``XXXX-WXX-7``, ``@D-1``, ``^Y-1``).

Pass 2 walks the matches in text order and resolves them against the
reference time: the publication date in ``news`` mode, the last mentioned
date in ``narrative`` mode; ``^`` values always anchor on the last mentioned
date ("a year earlier"). Month-days, months, weekdays, seasons and quarters
without a year take the direction of the clause tense.
"""
from __future__ import annotations

import datetime
import re
from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import replace
from datetime import date, timedelta

from .rules import FAST_AFTER_CHARS, MATCH, Grammar, Rule, compiled_grammar, fast_grammar
from .types import Timex
from .values import PRECISION_UNIT, Span, format_at, shift, value_span

_TEMPLATE = re.compile(r"\{([^{}]+)\}")
_IDENT = re.compile(r"^[a-z][a-z0-9_]*$")
_WS = re.compile(r"\s+")

_VALUE_OK = re.compile(
    r"^(?:PRESENT_REF|PAST_REF|FUTURE_REF"
    r"|P(?:[0-9X.]+(?:Y|M|W|D|E|C|L|WE|Q|H)|T[0-9X.]+(?:H|M|S))+"
    r"|PT[0-9X.]+[HMS](?:[0-9X.]+[MS])?"
    r"|[0-9X]{2}|[0-9X]{3}"
    r"|[0-9X]{4}(?:-(?:[0-9X]{2}(?:-[0-9X]{2})?|W[0-9X]{2}(?:-(?:[1-7X]|WE))?|Q[1-4X]|H[12X]|SP|SU|FA|WI))?"
    r"(?:T(?:MO|AF|EV|NI|DT|\d{2}(?::\d{2})?))?"
    r")$"
)


# ------------------------------------------------------------------ pass 1

def _norm_key(s: str) -> str:
    return _WS.sub(" ", s.strip().lower()).rstrip(".")


def _num(s: str, g: Grammar) -> str | None:
    key = _norm_key(s)
    t = g.tables["num"].entries
    if key in t:
        return t[key]
    key = key.replace(",", "")
    try:
        float(key)
        return key
    except ValueError:
        pass
    total = 0
    for part in re.split(r"[-\s]+", key):
        if part not in t or not t[part].isdigit():
            return None
        total += int(t[part])
    return str(total)


def _spoken_year(s: str | None, g: Grammar) -> str | None:
    """"nineteen ninety-six" -> 1996, "two thousand and one" -> 2001."""
    if not s:
        return None
    words = [w for w in re.split(r"[-\s]+", s.lower()) if w not in ("and", "hundred")]
    t = g.tables["num"].entries
    if words[:2] == ["two", "thousand"]:
        rest = sum(int(t.get(w, "0")) for w in words[2:] if t.get(w, "0").isdigit())
        return f"{2000 + rest:04d}"
    if not words or words[0] not in t:
        return None
    century = int(t[words[0]])
    rest = 0
    for w in words[1:]:
        if w == "o":
            continue
        v = t.get(w)
        if v is None or not v.isdigit():
            return None
        rest += int(v)
    return f"{century * 100 + rest:04d}"


def _year4(s: str) -> str:
    if len(s) == 2:
        n = int(s)
        return f"{1900 + n if n >= 30 else 2000 + n}"
    return s


class _Fields:
    """Lazy normalised view of a match's groups, for template filling."""

    __slots__ = ("m", "g", "cache", "text")

    def __init__(self, m: re.Match, g: Grammar):
        self.m = m
        self.g = g
        self.cache: dict[str, str | None] = {}
        self.text = m.group(MATCH)

    def raw(self, name: str) -> str | None:
        try:
            return self.m.group(name)
        except IndexError:
            return None

    def get(self, name: str) -> str | None:
        if name in self.cache:
            return self.cache[name]
        v = self._compute(name)
        self.cache[name] = v
        return v

    def _compute(self, name: str) -> str | None:
        g = self.g
        if name.endswith("_of_text"):
            group = name[: -len("_of_text")]
            rx = g.word_tables.get(group)
            if rx is None:
                return None
            found = rx.search(self.text)
            if not found:
                if group == "weekday":  # plurals "Mondays"
                    found = rx.search(self.text.rstrip("sS"))
                if not found:
                    if group == "unit":
                        k = _norm_key(self.text).split()[-1].split("-")[0]
                        return g.tables["unit"].entries.get(k) or g.tables["unit"].entries.get(k.rstrip("s"))
                    return None
            return self._table(group, found.group(0))
        if name == "hour24":
            h = self.get("hour")
            if h is None:
                return None
            n = int(h)
            ap = (self.raw("ampm") or "").lower()
            if ap in ("afternoon", "evening", "night") and n < 12 and not (ap == "night" and n < 5):
                n += 12   # "4 in the afternoon", "10 at night" (but "2 at night" is 02:00)
            elif ap.startswith("p") and n < 12:
                n += 12
            elif ap.startswith("a") and n == 12:
                n = 0
            return f"{n:02d}"
        if name == "ordday":   # "March eighth": an ordinal word as the day of the month
            o = self.get("ord")
            return f"{int(o):02d}" if o and o.isdigit() and 1 <= int(o) <= 31 else None
        if name == "spoken":
            return _spoken_year(self.raw("spoken"), g)
        if name == "century":
            o = self.get("ord")
            if o is None or not o.isdigit():
                return None
            return f"{int(o) - 1:02d}"
        raw = self.raw(name)
        if raw is None:
            return None
        base = name.rstrip("0123456789")
        if base == "num":
            return _num(raw, g)
        if base in ("year",):
            return _year4(raw)
        if base == "yy":
            return _year4(raw)
        if base == "decade":
            return raw[:3]
        if base == "sdecade":
            return "19" + raw[0]
        if base in ("day", "hour", "minute"):
            return f"{int(raw):02d}"
        if base == "half":
            return "1" if raw.lower() in ("first", "1st") else "2"
        if base == "month" and raw.isdigit():
            return f"{int(raw):02d}"
        if base == "ord":
            v = self._table(base, raw)
            if v is None:
                digits = re.sub(r"\D", "", raw)
                return digits or None
            return v
        return self._table(base, raw)

    def _table(self, group: str, raw: str) -> str | None:
        t = self.g.tables.get(group)
        if t is None:
            return raw
        key = _norm_key(raw)
        v = t.entries.get(key)
        if v is None and key.endswith("s"):
            v = t.entries.get(key[:-1])
        if v is None and key.endswith("-"):
            v = t.entries.get(key[:-1])
        return v

    def fill(self, template: str | None, strict: bool = True) -> str | None:
        """Fill a template; None when a field without fallback is missing."""
        if template is None:
            return None
        missing = False

        def sub(mm: re.Match) -> str:
            nonlocal missing
            spec = mm.group(1)
            if "?" in spec:
                names, prefix = spec.split("?", 1)
                for name in names.split("|"):
                    v = self.get(name)
                    if v:
                        return f"{prefix}{v}"
                return ""
            for alt in spec.split("|"):
                if _IDENT.match(alt):
                    v = self.get(alt)
                    if v:
                        return v
                else:
                    return alt
            missing = True
            return ""

        out = _TEMPLATE.sub(sub, template)
        if missing and strict:
            return None
        return out


def _duration_fix(v: str) -> str:
    """P5TH -> PT5H; decades P1E, centuries P1C; half units in the next smaller unit."""
    m = re.match(r"^P([0-9X.]+)(TH|TM|TS|DE|CE|Q|Y|M|W|D|WE)$", v)
    if not m:
        return v
    n, u = m.groups()
    if n != "X":
        try:
            f = float(n)
        except ValueError:
            return v
        if f != int(f):
            smaller = {"Y": (12, "M"), "M": (30, "D"), "D": (24, "TH"), "TH": (60, "TM"), "W": (7, "D"),
                       "TM": (60, "TS"), "DE": (10, "Y"), "Q": (3, "M")}
            if u in smaller:
                k, u2 = smaller[u]
                whole = int(f)
                if whole and u in ("Y", "D", "TH", "TM"):
                    # "2 1/2 years" -> P2Y6M, "5 1/2 hours" -> PT5H30M (TimeML combined form)
                    head = _duration_fix(f"P{whole}{u}")
                    tail = _duration_fix(f"P{int(round((f - whole) * k))}{u2}")[1:]
                    if "T" in head and tail.startswith("T"):
                        tail = tail[1:]
                    return head + tail
                return _duration_fix(f"P{int(round(f * k))}{u2}")
            n = str(max(1, int(round(f))))
        else:
            n = str(int(f))
    if u in ("TH", "TM", "TS"):
        return f"PT{n}{u[1]}"
    if u == "DE":
        return f"P{n}E"
    if u == "CE":
        return f"P{n}C"
    return f"P{n}{u}"


class _Cand:
    __slots__ = ("start", "end", "rule", "m")

    def __init__(self, start: int, end: int, rule: Rule, m: re.Match):
        self.start, self.end, self.rule, self.m = start, end, rule, m


_WORD = re.compile(r"\w+")


def _trigger_spans(text: str, g: Grammar, lowered: str | None = None) -> dict[str, list[tuple[int, int]]]:
    """Spans of the trigger words of the text, by trigger name (one pass). ``lowered``: ``text``
    in lower case, when that keeps every offset (``_lower_cased``): only the words that start like
    a trigger or with a digit are then looked at here (``Grammar.trigger_words``)."""
    index = g.trigger_index
    found: dict[str, list[tuple[int, int]]] = {}
    if lowered is None:
        words = ((m.span(), m.group().lower()) for m in _WORD.finditer(text))
    else:
        words = ((m.span(1), m.group(1)) for m in g.trigger_words.finditer(lowered))
    for span, lw in words:
        if not lw:  # the end of the text (``trigger_words``)
            break
        if lw[0].isdigit():
            found.setdefault("DIGIT", []).append(span)
            continue
        cands = index.get(lw[:3])
        if not cands:
            continue
        for prefix, name, need_cap in cands:
            if lw.startswith(prefix) and (not need_cap or text[span[0]].isupper()):
                found.setdefault(name, []).append(span)
    return found


def _spans(text: str, g: Grammar, cache: dict, lowered: str | None) -> dict[str, list[tuple[int, int]]]:
    """``_trigger_spans`` of the text, found once for all its rules (kept in ``cache``)."""
    found = cache.get("#spans")
    if found is None:
        found = cache["#spans"] = _trigger_spans(text, g, lowered)
    return found


def _windows(text: str, g: Grammar, names: tuple[str, ...], cache: dict, lowered: str | None = None) -> list[tuple[int, int]]:
    """Merged text windows around the occurrences of the given triggers."""
    if names in cache:
        return cache[names]
    found = _spans(text, g, cache, lowered)
    n = len(text)
    w = g.window
    spans = []
    for name in names:
        spans.extend(found.get(name, ()))
    spans.sort()
    out: list[tuple[int, int]] = []
    for s, e in spans:
        lo = max(0, s - w)
        hi = min(n, e + w)
        if out and lo <= out[-1][1]:
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    # widen each window to whole words so that no word is cut at its edges
    fixed: list[tuple[int, int]] = []
    for lo, hi in out:
        k = 0
        while lo > 0 and k < 40 and (text[lo - 1].isalnum() or text[lo - 1] in "_'.$"):
            lo -= 1
            k += 1
        k = 0
        while hi < n and k < 40 and (text[hi].isalnum() or text[hi] == "_"):
            hi += 1
            k += 1
        hi = min(n, hi + 1)
        if fixed and lo <= fixed[-1][1]:
            fixed[-1] = (fixed[-1][0], max(hi, fixed[-1][1]))
        else:
            fixed.append((lo, hi))
    cache[names] = fixed
    return fixed


def _holding(
    text: str, g: Grammar, windows: Sequence[tuple[int, int]], names: tuple[str, ...], cache: dict, lowered: str | None = None
) -> list[tuple[int, int]]:
    """The ``windows`` that meet a word of one of the triggers ``names`` (a rule's ``requires``)."""
    found = _spans(text, g, cache, lowered)
    spans = sorted(span for name in names for span in found.get(name, ()))
    ends = [end for _, end in spans]
    kept = []
    for lo, hi in windows:
        at = bisect_right(ends, lo)  # the first word that ends inside the window or after it
        if at < len(spans) and spans[at][0] < hi:
            kept.append((lo, hi))
    return kept


def _matches(text: str, rule: Rule, g: Grammar, cache: dict, lowered: str | None = None):
    """The rule's matches, as a search from left to right finds them: each starts after the
    previous one ends (a fast regex also finds those starting inside it, see ``rules._rule_regex``).
    ``lowered``: ``text`` in lower case, when that keeps its matches (``_lower_cased``): a rule whose
    regex has a form minding case (``Rule.regex_lowercase``) searches it, passing over the
    alternatives whose first letter differs; the match's groups are then in lower case."""
    regex = rule.regex
    if lowered is not None and rule.regex_lowercase is not None:
        regex, searched = rule.regex_lowercase, lowered
    else:
        searched = text
    windows = _windows(text, g, rule.triggers, cache, lowered) if rule.triggers else ((0, len(text)),)
    if rule.requires:
        key = (rule.triggers, rule.requires)
        if key not in cache:
            cache[key] = _holding(text, g, windows, rule.requires, cache, lowered)
        windows = cache[key]
    end = 0
    for lo, hi in windows:
        for m in regex.finditer(searched, lo, hi):
            if m.start(MATCH) >= end:
                end = m.end(MATCH)
                yield m


# Letters that a regex ignoring case takes for an ASCII letter, but that lower-casing leaves apart
# ("ı" for "i", "ſ" for "s"); every other character of Unicode keeps in lower case what the
# tagger's ASCII patterns and classes (\w, \d, \s) make of it (a test checks them all).
_FOLDED_APART = ("ı", "ſ")


def _lower_cased(text: str) -> str | None:
    """``text`` in lower case, where that keeps every offset and every match of a pattern written
    in ASCII, else None: ASCII text, and any other but for "İ" (which lower-cases to two
    characters) and ``_FOLDED_APART``. Curly quotes and accented names are then no slower."""
    lowered = text.lower()
    if text.isascii():
        return lowered
    if len(lowered) != len(text) or any(letter in text for letter in _FOLDED_APART):
        return None
    return lowered


def extract(text: str, g: Grammar, mode: str = "news") -> list[_Cand]:
    cands: list[_Cand] = []
    cache: dict = {}
    lowered = _lower_cased(text)
    for rule in g.rules:
        if rule.modes and mode not in rule.modes:
            continue
        for m in _matches(text, rule, g, cache, lowered):
            s, e = m.span(MATCH)
            if "t" in rule.regex.groupindex and m.group("t") is not None:
                s, e = m.span("t")
            if e > s:
                cands.append(_Cand(s, e, rule, m))
    cands.sort(key=lambda c: (c.start - c.end, -c.rule.priority, c.start))
    taken = bytearray(len(text) + 1)
    chosen = []
    for c in cands:
        if taken.find(1, c.start, c.end) != -1:
            continue
        taken[c.start:c.end] = b"\x01" * (c.end - c.start)
        if not c.rule.negative:
            chosen.append(c)
    chosen.sort(key=lambda c: c.start)
    return chosen


# ------------------------------------------------------------------ pass 2

_REL = re.compile(r"^([@^~])(DE|CE|WE|TH|TM|D|W|M|Y|Q|H|P)([+-](?:\d+(?:\.\d+)?|X))((?:T|-).+)?$")
_MD = re.compile(r"^XXXX-(\d{2})-(\d{2})(?:W([1-7]))?(T.+)?$")
_M = re.compile(r"^XXXX-(\d{2})$")
_WD = re.compile(r"^XXXX-WXX-([1-7])(T.+)?$")
_SEAS = re.compile(r"^XXXX-(SP|SU|FA|WI)$")
_NTH = re.compile(r"^(XXXX|\d{4})-(\d{2})-N([1-5L])-([1-7])(?:\+(\d))?$")
_QH = re.compile(r"^XXXX-([QH])([1-4])$")

_UNDERSPEC = {"D": "XXXX-XX-XX", "W": "XXXX-WXX", "WE": "XXXX-WXX-WE", "M": "XXXX-XX", "Q": "XXXX-QX",
              "H": "XXXX-HX", "Y": "XXXX", "DE": "XXX", "CE": "XX", "TH": "XXXX-XX-XX", "TM": "XXXX-XX-XX"}


_ADJACENT = 2
_REPORTING_PERIODS = frozenset({"P6M", "P9M", "P1Y", "P12M"})
_REPORTING = re.compile(r"(?:said|says|told|announced|reported|added|stated)$", re.IGNORECASE)
_DEADLINE = re.compile(r"\b(?:until|till|postponed to)\s+(?:at\s+)?$", re.IGNORECASE)
# "by February", "loans through January": the end of a span, usually ahead;
# not strong enough for a weekday ("had filed reports by Wednesday")
_DEADLINE_MONTH = re.compile(r"\b(?:by|through)\s+$", re.IGNORECASE)
_PLUPERFECT = re.compile(r"\W*(?:\w+\W+){0,3}had\b", re.IGNORECASE)   # "By March, the army had taken"


def _tense_cues_in(text: str, g: Grammar):
    """The tense cues of ``text``: matched in lower case where that keeps them (``_lower_cased``),
    nearly three times as fast as ignoring case (``Grammar.tense_lowercase``)."""
    lowered = _lower_cased(text) if g.tense_lowercase is not None else None
    return g.tense_lowercase.finditer(lowered) if lowered is not None else g.tense.finditer(text)


def _clause_tense(text: str, start: int, end: int, g: Grammar, weak: bool = True) -> int | None:
    """+1 / -1 from the tense cue nearest to the expression in its sentence.

    With weak=False, cues of a future seen from the past ("would") do not count.
    """
    lo = max(0, start - 160)
    left = text[lo:start]
    cut = max(left.rfind(". "), left.rfind("\n"), left.rfind("? "), left.rfind("! "), left.rfind('."'))
    if cut != -1:
        left = left[cut + 1:]
    right = text[end:end + 80]
    stop = re.search(r"[.;!?\n]", right)
    if stop:
        right = right[: stop.start()]

    def sign(m: re.Match) -> int | None:
        if m.group("f"):
            return 1
        if m.group("w"):
            return 1 if weak else None
        return -1

    if _DEADLINE.search(left) and not _PLUPERFECT.match(right):
        # "until Tuesday", "postponed until Tuesday morning": a deadline ahead
        return 1
    if weak and _DEADLINE_MONTH.search(left) and not _PLUPERFECT.match(right):
        return 1
    best = None
    for m in _tense_cues_in(left, g):
        v = sign(m)
        if v is None:
            continue
        dist = len(left) - m.end()
        if best is None or dist <= best[0]:
            best = (dist, v)
    for m in _tense_cues_in(right, g):
        v = sign(m)
        if v is None:
            continue
        if best is not None and _REPORTING.match(m.group()):
            # "... will leave Thursday, Castro said": the reporting frame
            # after the expression does not set the tense of the event
            break
        dist = m.start() + 2   # a cue before the expression wins a tie
        if best is None or dist < best[0]:
            best = (dist, v)
        break
    if best is None:
        return None
    # a cue right next to the expression ("ended Jan. 31", "will open
    # Sept. 3") governs it: the resolver may then look up to a year away
    return best[1] * (2 if best[0] <= _ADJACENT else 1)


def _sign(tense: int | None) -> int | None:
    return None if not tense else (1 if tense > 0 else -1)


def _pick(options: list[tuple[date, str]], ref: date, tense: int | None, near: int) -> tuple[str, list[str]]:
    """Choose among candidate periods (start, value).

    The nearest one to the reference wins; the clause tense overrides it
    when the candidate in the tense direction lies within `near` days.
    """
    options.sort()
    best = min(options, key=lambda o: abs((o[0] - ref).days))
    if tense == 1 and best[0] < ref:
        fut = [o for o in options if o[0] >= ref]
        if fut and (fut[0][0] - ref).days <= near:
            best = fut[0]
    elif tense == -1 and best[0] > ref:
        past = [o for o in options if o[0] <= ref]
        if past and (ref - past[-1][0]).days <= near:
            best = past[-1]
    alts = [o[1] for o in options if o[1] != best[1]]
    return best[1], alts


def _period_contains(span: Span, ref: date) -> bool:
    return span.start <= ref <= span.end


class Resolver:
    def __init__(self, text: str, dct: date | None, mode: str, g: Grammar):
        self.text = text
        self.dct = dct
        self.narrative = mode == "narrative"
        self.g = g
        self.last: tuple[str, Span] | None = None      # last mentioned date value
        self.last_quarter: str | None = None           # last mentioned quarter value
        # a longer reporting period ("the first nine months", "the first
        # half") mentioned after the last quarter: "a year earlier" then
        # compares with that period, at the granularity of a year
        self.longer_period_since_quarter = False

    def ref(self, anaphoric: bool = False) -> date | None:
        if (self.narrative or anaphoric) and self.last is not None:
            return self.last[1].start
        return self.dct

    def note(self, value: str, type_: str, comparison: bool = False, fiscal: bool = False) -> None:
        """Remember a resolved date as the anchor of later anaphoric ones.

        A quarter becomes the reporting quarter ("the quarter", "the latest
        period", "a year earlier") unless it is a comparison period ("the
        1988 period") or an outlook: a quarter that has not begun by the
        publication date ("through the third quarter of 1990"), or the
        current quarter once an ended one is being reported on
        ("fourth-quarter results" in a November report on the third). An
        earlier quarter than the reported one is a look back ("after a flat
        second quarter"), unless named as a fiscal quarter: another
        company's report in a round-up.
        """
        if type_ in ("DATE", "TIME"):
            span = value_span(value)
            if span is not None:
                self.last = (value, span)
                if span.precision == "quarter":
                    if comparison:
                        return
                    if self.last_quarter is not None and span.start < value_span(self.last_quarter).start \
                            and not fiscal:
                        return
                    if self.dct is not None and span.end >= self.dct:
                        if span.start > self.dct or self.last_quarter is not None:
                            return
                    self.last_quarter = value
                    self.longer_period_since_quarter = False
                elif span.precision == "half":
                    self.longer_period_since_quarter = True
        elif type_ == "DURATION" and value in _REPORTING_PERIODS:
            self.longer_period_since_quarter = True

    def resolve(self, value: str, tense_spec: str | None, start: int, end: int,
                anaphoric: bool = False) -> tuple[str, bool, float, tuple[str, ...]]:
        """Return (value, resolved, confidence, alternatives)."""
        m = _REL.match(value)
        if m:
            return self._relative(m)
        if value.endswith("-Q^"):
            if self.last_quarter and not self.longer_period_since_quarter:
                return value[:-1] + self.last_quarter[-1], True, 0.8, ()
            return value[:-3], True, 0.6, ()
        m = _NTH.match(value)
        if m:
            return self._nth_weekday(m, tense_spec, start, end, anaphoric)
        if not value.startswith("XXXX"):
            return value, True, 1.0, ()
        ref = self.ref(anaphoric)
        if ref is None:
            return re.sub(r"W[1-7](?=T|$)", "", value) if _MD.match(value) else value, False, 0.5, ()
        tense: int | None
        if tense_spec:
            tense = int(tense_spec)
        else:
            tense = _clause_tense(self.text, start, end, self.g, weak=not _WD.match(value))
        near_md, near_m = (360, 360) if tense in (-2, 2) else (240, 300)
        tense = _sign(tense)
        confidence = 1.0 if tense is not None else 0.7
        try:
            m = _MD.match(value)
            if m:
                mo, d = int(m[1]), int(m[2])
                wd = int(m[3]) if m[3] else None
                suffix = m[4] or ""
                opts = []
                for y in (ref.year - 1, ref.year, ref.year + 1):
                    try:
                        opts.append((date(y, mo, d), f"{y:04d}-{mo:02d}-{d:02d}{suffix}"))
                    except ValueError:
                        pass
                if not opts:
                    return value, False, 0.3, ()
                if wd is not None:
                    # "Thursday, April 6": the weekday pins the year
                    pinned = [o for o in opts if o[0].isoweekday() == wd]
                    if len(pinned) == 1:
                        return pinned[0][1], True, 1.0, ()
                v, alts = _pick(opts, ref, tense, near_md)
                return v, True, confidence, tuple(alts[:2])
            m = _M.match(value)
            if m:
                mo = int(m[1])
                if tense_spec == "+0":
                    return f"{ref.year:04d}-{mo:02d}", True, 1.0, ()
                ref_m = ref.replace(day=1)
                opts = [(date(y, mo, 1), f"{y:04d}-{mo:02d}") for y in (ref.year - 1, ref.year, ref.year + 1)]
                if tense_spec in ("-1", "+1"):
                    # "last November", "next March": strictly before / after this month
                    if tense_spec == "-1":
                        v = [o for o in opts if o[0] < ref_m][-1][1]
                    else:
                        v = [o for o in opts if o[0] > ref_m][0][1]
                    return v, True, 1.0, ()
                v, alts = _pick(opts, ref_m, tense, near_m)
                return v, True, confidence, tuple(alts[:2])
            m = _WD.match(value)
            if m:
                wd = int(m[1])
                suffix = m[2] or ""
                delta = wd - ref.isoweekday()
                same_week = ref + timedelta(days=delta)
                prev = same_week if delta <= 0 else same_week - timedelta(days=7)
                nxt = same_week if delta >= 0 else same_week + timedelta(days=7)
                if tense_spec == "-1" and prev == ref:
                    prev = ref - timedelta(days=7)
                if tense_spec == "+1" and nxt == ref:
                    nxt = ref + timedelta(days=7)
                if tense_spec == "+0":
                    chosen, other = same_week, None
                elif tense == 1:
                    chosen, other = nxt, prev
                else:
                    chosen, other = prev, nxt
                alts = (other.isoformat() + suffix,) if tense is None and other else ()
                return chosen.isoformat() + suffix, True, (0.6 if tense is None else 0.9), alts
            m = _SEAS.match(value)
            if m:
                s = m[1]
                y = ref.year
                if s == "WI" and ref.month <= 2:
                    y -= 1
                span = value_span(f"{y:04d}-{s}")
                if tense_spec == "-1":
                    if span.start > ref or _period_contains(span, ref):
                        y -= 1
                elif tense_spec == "+1":
                    if span.end >= ref:
                        y += 1
                elif tense_spec != "+0":
                    if tense == -1 and span.start > ref:
                        y -= 1
                    elif tense == 1 and span.end < ref:
                        y += 1
                return f"{y:04d}-{s}", True, confidence, ()
            m = _QH.match(value)
            if m:
                kind, n = m[1], int(m[2])
                y = ref.year
                span = value_span(f"{y:04d}-{kind}{n}")
                if tense_spec == "-1":
                    if span.start > ref or _period_contains(span, ref):
                        y -= 1
                elif tense_spec == "+1":
                    if span.end >= ref:
                        y += 1
                elif tense_spec != "+0" and span.start > ref:
                    # financial news reports on quarters that have begun
                    y -= 1
                return f"{y:04d}-{kind}{n}", True, 0.9, ()
        except (ValueError, OverflowError, AttributeError, IndexError):
            return value, False, 0.3, ()
        return value, False, 0.5, ()

    def _nth_weekday(self, m: re.Match, tense_spec, start, end, anaphoric):
        """Movable holidays: the n-th (or last) weekday of a month."""
        mo, nth, wd, plus = int(m[2]), m[3], int(m[4]), int(m[5] or 0)

        def day_in(y: int) -> date:
            if nth == "L":
                d = date(y + (mo == 12), mo % 12 + 1, 1) - timedelta(days=1)
                d -= timedelta(days=(d.isoweekday() - wd) % 7)
            else:
                d = date(y, mo, 1)
                d += timedelta(days=(wd - d.isoweekday()) % 7 + 7 * (int(nth) - 1))
            return d + timedelta(days=plus)

        if m[1] != "XXXX":
            return day_in(int(m[1])).isoformat(), True, 1.0, ()
        ref = self.ref(anaphoric)
        if ref is None:
            return f"XXXX-{mo:02d}-XX", False, 0.5, ()
        opts = [(day_in(y), day_in(y).isoformat()) for y in (ref.year - 1, ref.year, ref.year + 1)]
        if tense_spec in ("-1", "+1"):
            if tense_spec == "-1":
                return [o for o in opts if o[0] < ref][-1][1], True, 1.0, ()
            return [o for o in opts if o[0] > ref][0][1], True, 1.0, ()
        tense = _sign(_clause_tense(self.text, start, end, self.g))
        v, alts = _pick(opts, ref, tense, 240)
        return v, True, 0.8, tuple(alts[:1])

    def _weekend(self, base: date, n: int) -> str:
        """"the weekend": the one just past early in the week, else the coming one."""
        wd = base.isoweekday()
        if n == 0 and wd <= 3:
            base = base - timedelta(days=7)
        d = base + timedelta(weeks=n)
        y, w, _ = d.isocalendar()
        return f"{y:04d}-W{w:02d}-WE"

    def _relative(self, m: re.Match) -> tuple[str, bool, float, tuple[str, ...]]:
        kind, unit, amount, suffix = m[1], m[2], m[3], m[4] or ""
        sign = -1 if amount[0] == "-" else 1
        if amount[1:] == "X":
            return ("PAST_REF" if sign < 0 else "FUTURE_REF"), True, 0.8, ()
        n = sign * int(round(float(amount[1:])))
        out_unit = unit
        base = None
        if unit == "P":
            # "the same period last year": the period last mentioned, n years
            # back, at its own precision (a reported quarter, "March 1997")
            # ("the first nine months ... the same period last year": a year)
            unit = out_unit = "Y"
            if not self.last_quarter and self.last is not None and self.last[1].precision != "season":
                out_unit = PRECISION_UNIT.get(self.last[1].precision, "Y")
        if unit == "Q" and kind == "^":
            # "the quarter", "the year-ago quarter": the last quarter mentioned
            if self.last_quarter:
                base = value_span(self.last_quarter).start
            elif self.dct is not None:
                base = shift(self.dct, "Q", -1)
        elif unit == "Y" and self.last_quarter and kind in "^~" and not suffix \
                and not self.longer_period_since_quarter:
            # "a year earlier", "a year ago" in a report on a quarter: that quarter
            lq = value_span(self.last_quarter).start
            if kind == "^" or (self.dct is not None and abs((self.dct - lq).days) < 200):
                base, unit, n, out_unit = lq, "Q", 4 * n, "Q"
        if kind == "~":
            kind = "@"
        if base is None:
            if kind == "^" and self.last is not None:
                base = self.last[1].start
            else:
                base = self.ref()
        if base is None:
            return _UNDERSPEC.get(unit, "XXXX-XX-XX"), False, 0.5, ()
        try:
            if unit == "WE":
                return self._weekend(base, n), True, 0.8, ()
            d = shift(base, unit, n)
        except (ValueError, OverflowError):
            return _UNDERSPEC.get(unit, "XXXX"), False, 0.3, ()
        if unit in ("TH", "TM"):
            return d.isoformat(), True, 0.8, ()
        v = format_at(d, out_unit)
        if suffix:
            if unit == "D" and suffix.startswith("T"):
                v += suffix
            elif unit == "Y" and suffix.startswith("-"):
                v += suffix
        return v, True, (1.0 if kind == "@" else 0.8), ()


# ------------------------------------------------------------------ driver

def _as_date(dct) -> date | None:
    if dct is None:
        return None
    if isinstance(dct, datetime.datetime):
        return dct.date()
    if isinstance(dct, date):
        return dct
    if isinstance(dct, str):
        try:
            return date.fromisoformat(dct[:10])
        except ValueError:
            return None
    return None


# Text tagged by this process so far, in characters (see ``rules.FAST_AFTER_CHARS``): a rebuild's
# few articles never pay for compiling the fast regexes.
_tagged = [0]


def run(text: str, dct=None, mode: str = "news") -> list[Timex]:
    _tagged[0] += len(text)
    g = fast_grammar() if _tagged[0] > FAST_AFTER_CHARS else compiled_grammar()
    ref = _as_date(dct)
    resolver = Resolver(text, ref, mode, g)
    out: list[Timex] = []
    clock_times: list[int] = []     # clock times that take the day of their sentence
    for c in extract(text, g, mode):
        rule = c.rule
        f = _Fields(c.m, g)
        value = None
        for tpl in rule.values:
            value = f.fill(tpl)
            if value:
                break
        if not value:
            continue
        if value.startswith("P") and rule.type in ("DURATION", "SET"):
            value = _duration_fix(value)
        tense_spec = f.fill(rule.tense, strict=False) if rule.tense else None
        if tense_spec == "":
            tense_spec = None
        rel = False
        comparison_period = value.endswith("-Q^")   # "the 1988 period": not the reporting quarter
        clock_time = value.startswith("&")
        if clock_time:
            value = "@" + value[1:]
        if rule.type == "SET":
            resolved, conf, alts = True, 1.0, ()
        else:
            anaphoric = bool(rule.anchor) and f.fill(rule.anchor, strict=False) == "^"
            rel = value[:1] in "^~" or anaphoric or clock_time
            try:
                value, resolved, conf, alts = resolver.resolve(value, tense_spec, c.start, c.end, anaphoric)
            except (ValueError, OverflowError, IndexError, AttributeError):
                # calendar overflow near year 1 or 9999: keep the underspecified form
                resolved, conf, alts = False, 0.3, ()
        if not _VALUE_OK.match(value):
            continue
        type_ = rule.type or "DATE"
        if type_ == "DATE" and "T" in value[4:] and value[:1].isdigit():
            type_ = "TIME"
        mod = f.fill(rule.mod, strict=False) if rule.mod else None
        quant = f.fill(rule.quant, strict=False) if rule.quant else None
        freq = f.fill(rule.freq, strict=False) if rule.freq else None
        if quant:
            quant = g.tables["quant"].entries.get(quant.lower(), quant.upper()) if "quant" in g.tables else quant.upper()
        if not rel:  # anaphoric values do not become anchors themselves
            resolver.note(value, type_, comparison=comparison_period,
                          fiscal="fiscal" in c.m.group(MATCH).lower())
        if clock_time and resolved:
            clock_times.append(len(out))
        out.append(Timex(
            start=c.start, end=c.end, text=text[c.start:c.end], type=type_, value=value,
            mod=mod or None, quant=quant or None, freq=freq or None,
            resolved=resolved, confidence=conf, alternatives=alts,
        ))
    for i in clock_times:
        out[i] = _on_day_of_sentence(text, out, i)
    return out


_SENTENCE_END = re.compile(r"(?<!\b[ap]\.m)(?<!\b[A-Z])[.!?][\"'`]*\s+[\"'`]*[A-Z]")
_DAY_VALUE = re.compile(r"^\d{4}-\d{2}-\d{2}")


def _on_day_of_sentence(text: str, out: list[Timex], i: int) -> Timex:
    """A clock time takes the day named in its sentence ("at 10:35 a.m.
    (0735 GMT) Friday", "leave at 4 in the morning, Thursday"), else keeps
    the reference day."""
    t = out[i]
    best = None
    for j, o in enumerate(out):
        if j == i or not _DAY_VALUE.match(o.value):
            continue
        lo, hi = (o.end, t.start) if o.end <= t.start else (t.end, o.start)
        if hi - lo > 200 or _SENTENCE_END.search(text, lo, hi):
            continue
        if best is None or hi - lo < best[0]:
            best = (hi - lo, o)
    if best is None or best[1].value[:10] == t.value[:10]:
        return t
    return replace(t, value=best[1].value[:10] + t.value[10:])
