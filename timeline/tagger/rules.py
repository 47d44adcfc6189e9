"""Loading and compiling the rule and lexicon data files.

The data files (``data/lexicon.yaml``, ``data/rules.yaml``) hold every word
list, pattern and value template; this module turns them, once and lazily,
into compiled regular expressions and normalisation tables.
"""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from re import _constants as sre, _parser as sre_parse  # the regex parser, to read a pattern's first characters

__all__ = ["Rule", "Grammar", "grammar", "fast_grammar", "compiled_grammar", "load_yaml"]


def load_yaml(name: str):
    import yaml

    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = resources.files("timeline.tagger").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=loader)


@dataclass
class Table:
    name: str
    group: str
    entries: dict[str, str]
    regex: str  # alternation, without group


@dataclass
class Rule:
    name: str
    regex: re.Pattern  # the match is group MATCH (see ``_rule_regex``, ``fast_grammar``)
    body: str  # the pattern, macros expanded: the regex finds it as a whole word
    type: str | None
    values: tuple[str, ...]
    mod: str | None = None
    quant: str | None = None
    freq: str | None = None
    tense: str | None = None
    priority: int = 0
    negative: bool = False
    triggers: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()  # triggers too, one of which every match holds besides
    # The regex minding case, for lower-cased text (``lowercase_pattern``, ``engine._lower_cased``);
    # None when the pattern minds case itself.
    regex_lowercase: re.Pattern | None = None
    modes: tuple[str, ...] = ()
    anchor: str | None = None
    examples: list = field(default_factory=list)


@dataclass
class Grammar:
    rules: list[Rule]
    tables: dict[str, Table]          # by group name
    by_name: dict[str, Table]
    example_dct: object
    tense: re.Pattern  # groups f (future cue) and p (past cue)
    # The same cues minding case, for lower-cased text (None when the data's cues are not all
    # in lower case): a regex that ignores case enters every alternative at every place, one that
    # minds it passes over those whose first letter differs (``engine._tense_cues_in``).
    tense_lowercase: re.Pattern | None
    word_tables: dict[str, re.Pattern]  # group -> regex finding a table key in a text
    triggers: dict[str, list[str]]        # trigger name -> word prefixes
    trigger_index: dict[str, list[tuple[str, str, bool]]]  # first 3 letters -> (prefix, trigger, capital)
    trigger_words: re.Pattern  # the words of lower-cased text a trigger may start (``_trigger_words``)
    window: int


# The group holding a rule's match: the regex may consume only its first character (``_rule_regex``).
MATCH = "_match"


# Compiling the fast regexes (0.2 - 0.35 s, with the rules' lower-case forms) pays for itself after
# some 200 wire stories tagged with them: a process switches to them once it has tagged this much
# text, or compiles them first when it is to tag this many articles (``tagging.warm_up``).
FAST_AFTER_CHARS = 300_000
FAST_AFTER_ARTICLES = 200


@lru_cache(maxsize=1)
def fast_grammar() -> Grammar:
    """``grammar()`` with each rule's regex made to start with the characters its matches can
    start with (``_rule_regex``): it scans text twice as fast, but takes as long to compile as
    tagging a few hundred articles with the plain one (``engine.run`` uses it once compiled, or
    once the process has tagged ``FAST_AFTER_CHARS``). Kept compiled in the user's cache folder (``_sources``)."""
    from timeline.compiled import load_or_build

    return _saved_fast_grammar() or load_or_build(
        "fast-grammar", _sources(), lambda: _grammar(lambda body, flags=re.IGNORECASE: _rule_regex(body, flags) or _plain_regex(body, flags))
    )


@lru_cache(maxsize=1)
def _saved_fast_grammar() -> Grammar | None:
    from timeline.compiled import load

    return load("fast-grammar", _sources())


def compiled_grammar() -> Grammar:
    """The fast grammar when this process has it or an earlier one saved it, else the plain one
    (the same rules and tables): what to read tables from without compiling the other."""
    return fast_grammar() if fast_grammar.cache_info().currsize or _saved_fast_grammar() is not None else grammar()


def _plain_regex(body: str, flags: int = re.IGNORECASE) -> re.Pattern:
    """A rule's regex: ``body`` as a whole word (not preceded or followed by a word character)."""
    return re.compile(rf"(?<!\w)(?P<{MATCH}>{body})(?!\w)", flags)


def _rule_regex(body: str, flags: int = re.IGNORECASE) -> re.Pattern | None:
    """``_plain_regex(body)`` made fast, or None when the characters a match can start with are
    not known. The regex consumes only that first character and looks around it for the match: a
    pattern that starts with a character class lets the regex engine skip, in a fast loop, every
    position where no match can start, where it otherwise tries the whole pattern at every
    character of the text. Matches then come at every start, overlapping (the engine moves on by
    one character): ``engine._matches`` drops those that start inside the previous one, as a plain
    search would never have found them."""
    first = _first_chars(body)
    if first is None:
        return None
    # (?s:.) is the first character, whatever it is; (?<!\w.): nothing of a word before it.
    return re.compile(rf"(?-i:{first})(?<!\w(?s:.))(?<=(?=(?P<{MATCH}>{body})(?!\w))(?s:.))", flags)


# What a pattern holds that lower case must leave as it is: escapes, group names, and the flags
# and group syntax that begin with "(?" ("(?P<name>", "(?P=name)").
_KEEP_CASE = re.compile(r"\\.|\(\?P[<=][^>)]*[>)]|\(\?")


def lowercase_pattern(body: str) -> str | None:
    """``body`` for lower-cased text, minding case: what it matches ignoring case in a text, it
    matches in that text lower-cased (its letters lower-cased, but for escapes and group names),
    for the texts ``engine._lower_cased`` lower-cases.
    None when the pattern minds case in a part of its own ("(?-i:May)") or is not ASCII."""
    if "(?-i" in body or not body.isascii():
        return None
    parts, at = [], 0
    for kept in _KEEP_CASE.finditer(body):
        parts += [body[at : kept.start()].lower(), kept.group()]
        at = kept.end()
    parts.append(body[at:].lower())
    return "".join(parts)


# The regex parser's names for the characters a position can hold.
_CATEGORIES = {sre.CATEGORY_DIGIT: r"\d", sre.CATEGORY_SPACE: r"\s", sre.CATEGORY_WORD: r"\w"}


def _first_chars(body: str) -> str | None:
    """A character class holding every character a match of ``body`` (case-insensitive) can start
    with, or None when that is not known (the pattern may match empty text, or start with any
    character). It is written as the ASCII characters no match starts with: any non-ASCII one is
    in it, as case-insensitive matching folds a few of them into ASCII letters (the Kelvin sign
    into k), and a class of every non-ASCII character takes long to compile."""
    try:
        items, empty = _starts(sre_parse.parse(body, re.IGNORECASE).data, True)
    except (re.error, TypeError, ValueError, AttributeError):  # a parser of another Python version
        return None
    if items is None or empty:
        return None
    categories = [re.compile(_CATEGORIES[item]) for item in items if isinstance(item, int)]
    excluded = [c for c in map(chr, range(128)) if c not in items and not any(category.match(c) for category in categories)]
    return f"[^{re.escape(''.join(excluded))}]" if excluded else None


def _starts(ops, ignore_case: bool) -> tuple[set | None, bool]:
    """The characters (and categories) a match of the parsed ``ops`` can start with (None: any),
    and whether it can be empty. Look-arounds are passed over: the set may hold more than can
    start a match, never less."""
    found: set = set()
    for op, av in ops:
        if op in (sre.AT, sre.ASSERT, sre.ASSERT_NOT):
            continue
        if op is sre.LITERAL:
            return _chars(found, [(op, av)], ignore_case), False
        if op is sre.IN:
            return _chars(found, av, ignore_case), False
        if op is sre.BRANCH:
            empty = False
            for alternative in av[1]:
                items, can_be_empty = _starts(alternative.data, ignore_case)
                if items is None:
                    return None, False
                found |= items
                empty = empty or can_be_empty
        elif op is sre.SUBPATTERN:
            _, add_flags, del_flags, pattern = av
            inner_case = (ignore_case or bool(add_flags & sre.SRE_FLAG_IGNORECASE)) and not del_flags & sre.SRE_FLAG_IGNORECASE
            items, empty = _starts(pattern.data, inner_case)
        elif op in (sre.MAX_REPEAT, sre.MIN_REPEAT, sre.POSSESSIVE_REPEAT):
            least, _, pattern = av
            items, empty = _starts(pattern.data, ignore_case)
            empty = empty or least == 0
        elif op is sre.ATOMIC_GROUP:
            items, empty = _starts(av.data, ignore_case)
        else:  # any character, a back-reference...
            return None, False
        if op is not sre.BRANCH:
            if items is None:
                return None, False
            found |= items
        if not empty:
            return found, False
    return found, True


def _chars(found: set, charset, ignore_case: bool) -> set | None:
    for op, av in charset:
        if op is sre.LITERAL:
            codes = [av]
        elif op is sre.RANGE and av[1] - av[0] < 256:
            codes = list(range(av[0], av[1] + 1))
        elif op is sre.CATEGORY and av in _CATEGORIES:
            found.add(av)
            continue
        else:  # a negated class, a wide range, another category
            return None
        for code in codes:
            c = chr(code)
            found.update((c, c.lower(), c.upper()) if ignore_case else (c,))
    return found


_MACRO = re.compile(r"\{([A-Z][A-Z0-9_]*)(?::([0-9a-z_]+))?\}")


def _spaces(pattern: str) -> str:
    """A plain space stands for a run of white space; for one white-space
    character inside a character class or a look-behind (fixed width)."""
    out = []
    in_class = False
    escaped = False
    stack: list[bool] = []  # for each open group: is it a look-behind?
    i = 0
    while i < len(pattern):
        ch = pattern[i]
        i += 1
        if escaped:
            out.append(ch)
            escaped = False
            continue
        if ch == "\\":
            out.append(ch)
            escaped = True
            continue
        if in_class:
            if ch == "]":
                in_class = False
            out.append("\\s" if ch == " " else ch)
            continue
        if ch == "[":
            in_class = True
            out.append(ch)
        elif ch == "(":
            stack.append(pattern.startswith("?<=", i) or pattern.startswith("?<!", i))
            out.append(ch)
        elif ch == ")":
            if stack:
                stack.pop()
            out.append(ch)
        elif ch == " ":
            if any(stack):
                out.append("\\s")
            elif i < len(pattern) and pattern[i] == "?":
                out.append(r"\s*")   # " ?" is optional white space
                i += 1
            else:
                out.append(r"\s+")
        else:
            out.append(ch)
    return "".join(out)


def _key_regex(key: str, title: bool, abbrev: bool) -> list[str]:
    forms = [key]
    if title:
        forms = sorted({key[:1].upper() + key[1:], key.upper()})
    outs = []
    for f in forms:
        r = re.escape(f).replace(r"\ ", " ").replace(" ", r"\s+")
        if abbrev:
            r += r"\.?"
        outs.append(r)
    return outs


def _alternation(alts: list[str], with_case: bool) -> str:
    """``"|".join(alts)``, with the alternatives that start with the same letter grouped behind it
    ("t(?:wenty|hirty|hree)"); ``with_case``: the alternation is matched case-sensitively. The
    regex engine then tries one alternative per first letter where it tried every word of a list,
    at every word of every window: a fifth of the tagger's time. The match is the same:
    alternatives that start with different letters never match at the same place, and those of
    one letter keep their order."""
    groups: dict[str, list[str]] = {}
    for alt in alts:
        first = alt[:1]
        if not (first.isascii() and first.isalnum()):
            return "|".join(alts)
        groups.setdefault(first if with_case else first.lower(), []).append(alt[1:])
    return "|".join(first + (f"(?:{'|'.join(rests)})" if len(rests) > 1 else rests[0]) for first, rests in groups.items())


def _trie(words: list[str]) -> str:
    """An alternation of the sorted ``words`` as a tree of their letters ("t(?:h(?:r|u)|ue)"): the
    engine tries one branch per letter where it tried every word."""
    if not words[0]:
        return f"(?:{_trie(words[1:])})?" if len(words) > 1 else ""
    branches: dict[str, list[str]] = {}
    for word in words:
        branches.setdefault(word[0], []).append(word[1:])
    alternatives = [re.escape(first) + _trie(rests) for first, rests in branches.items()]
    return alternatives[0] if len(alternatives) == 1 else f"(?:{'|'.join(alternatives)})"


def _trigger_words(starts: list[str]) -> re.Pattern:
    """The words of a lower-cased text that begin with one of ``starts`` (the triggers' first three
    letters), a digit or a character beyond ASCII (where ``str.isdigit`` holds digits that ``\\d``
    does not: "²"), as group 1. Each match passes over the other words before its own inside the
    regex engine (in some 0.6 of the time of a loop over every word in Python); every search
    succeeds (at the end of the text, with an empty group), so none is started again inside a word."""
    start = _trie(sorted(starts))
    return re.compile(rf"\W*+(?:(?!{start}|[\d\x80-\U0010ffff])\w++\W*+)*+({start}\w*|[\d\x80-\U0010ffff]\w*|\Z)")


def _build_table(name: str, spec: dict) -> Table:
    entries = {str(k).lower(): str(v) for k, v in spec["entries"].items()}
    title = spec.get("case") == "title"
    alts = []
    keys = sorted(entries, key=len, reverse=True)
    for k in keys:
        # a key that is a strict prefix of another key with the same value
        # is an abbreviation ("jan" of "january"): it may take a period.
        abbrev = title and any(o != k and o.startswith(k) and entries[o] == entries[k] for o in entries)
        alts.extend(_key_regex(k, title, abbrev))
    regex = _alternation(alts, title)
    if title:
        regex = f"(?-i:{regex})"
    return Table(name, spec.get("group", name), entries, regex)


def _num_regex(table: Table) -> str:
    tens = [k for k, v in table.entries.items() if v.isdigit() and 20 <= int(v) <= 90 and int(v) % 10 == 0]
    ones = [k for k, v in table.entries.items() if v.isdigit() and 1 <= int(v) <= 9 and k not in ("a", "an")]
    compound = f"(?:{'|'.join(tens)})[-\\s](?:{'|'.join(ones)})"
    return rf"(?:\d{{1,3}}(?:\.\d+)?(?![\d,])|{compound}|{table.regex})"


# Every tense cue starts a word, or is "'ll": tried only there, the cues cost a third less than
# tried at every character (a test checks that no cue of the data is lost).
_TENSE_START = r"(?=\b|')"


def _tense_cues(tense: dict) -> str:
    """The cues of the data, as groups f (future), w (weak future, "would") and p (past)."""
    return f"(?:(?P<f>{tense.get('future', '(?!)')})|(?P<w>{tense.get('weak_future', '(?!)')})|(?P<p>{tense.get('past', '(?!)')}))"


@lru_cache(maxsize=1)
def grammar() -> Grammar:
    """The rules and tables of the data files, each rule's regex a plain search (``_plain_regex``)."""
    from timeline.compiled import load_or_build

    return load_or_build("grammar", _sources(), lambda: _grammar(_plain_regex))


@lru_cache(maxsize=1)
def _sources() -> tuple[bytes, ...]:
    """What a grammar is built from: this code and the data files (read once; both grammars ask).
    Grammars are kept in the user's cache folder (``timeline.compiled``): compiling the rules'
    regexes is most of the time of a process that tags one article."""
    from pathlib import Path

    data = resources.files("timeline.tagger").joinpath("data")
    return (Path(__file__).read_bytes(), *(data.joinpath(name).read_bytes() for name in ("lexicon.yaml", "rules.yaml")))


@lru_cache(maxsize=1)
def _data_files() -> tuple[dict, dict]:
    return load_yaml("lexicon.yaml"), load_yaml("rules.yaml")


def _grammar(rule_regex: Callable[..., re.Pattern]) -> Grammar:
    lex, data = _data_files()
    tables: dict[str, Table] = {}
    by_name: dict[str, Table] = {}
    macros: dict[str, tuple[str, str | None]] = {}   # name -> (regex, group)
    for name, spec in lex.items():
        if not isinstance(spec, dict) or "entries" not in spec:
            continue
        t = _build_table(name, spec)
        by_name[name] = t
        if t.group in tables:  # several tables of one group: merge them
            old = tables[t.group]
            tables[t.group] = Table(old.name, old.group, {**t.entries, **old.entries},
                                    f"{old.regex}|{t.regex}")
        else:
            tables[t.group] = t
        macro = spec.get("macro")
        if macro:
            macros[macro] = (t.regex, t.group)
    if "NUMWORD" in macros:
        macros["NUM"] = (_num_regex(tables["num"]), "num")
    for name, regex in (data.get("macros") or {}).items():
        if isinstance(regex, list):  # words, matched as written
            if not all(isinstance(word, str) for word in regex):  # YAML reads a bare no as false
                raise ValueError(f"macro {name}: quote {[w for w in regex if not isinstance(w, str)]}: every word must be text")
            regex = "(?-i:" + _alternation([alt for word in regex for alt in _key_regex(word, False, False)], True) + ")"
        macros[name] = (regex, None)

    def expand(pattern: str, depth: int = 0) -> str:
        def sub(m: re.Match) -> str:
            name, suffix = m.group(1), m.group(2)
            if name not in macros:
                raise ValueError(f"unknown macro {{{name}}}")
            regex, group = macros[name]
            regex = expand(regex, depth + 1) if depth < 4 else regex
            if group:
                return f"(?P<{group}{suffix or ''}>{regex})"
            if suffix:  # rename the groups inside a static macro
                regex = re.sub(r"\(\?P<([a-z_]+)>", lambda g: f"(?P<{g.group(1)}{suffix}>", regex)
            return regex
        return _MACRO.sub(sub, pattern)

    rules = []
    for spec in data["rules"]:
        body = expand(_spaces(spec["pattern"]))
        try:
            regex = rule_regex(body)
            lowercase = lowercase_pattern(body)
            regex_lowercase = rule_regex(lowercase, 0) if lowercase is not None else None
        except re.error as exc:
            raise ValueError(f"rule {spec['name']}: {exc}") from None
        values = spec.get("value")
        if values is None:
            values = ()
        elif isinstance(values, str):
            values = (values,)
        else:
            values = tuple(values)
        rules.append(Rule(
            name=spec["name"], regex=regex, body=body, type=spec.get("type"), values=values,
            mod=spec.get("mod"), quant=spec.get("quant"), freq=spec.get("freq"),
            tense=spec.get("tense"), priority=int(spec.get("priority", 0)),
            negative=bool(spec.get("negative", False)), examples=spec.get("examples") or [],
            triggers=tuple(spec.get("triggers") or ()),
            requires=tuple(spec.get("requires") or ()),
            regex_lowercase=regex_lowercase,
            modes=tuple(spec.get("modes") or ()), anchor=spec.get("anchor"),
        ))
    triggers = {name: [str(p) for p in words] for name, words in (data.get("triggers") or {}).items()}
    trigger_index: dict[str, list[tuple[str, str, bool]]] = {}
    for name, words in triggers.items():
        for w in words:
            if w == "0":
                continue
            if len(w) < 3:
                raise ValueError(f"trigger {name}: prefix {w!r} shorter than 3 letters")
            trigger_index.setdefault(w[:3].lower(), []).append((w.lower(), name, w[0].isupper()))
    for r in rules:
        for t in r.triggers + r.requires:
            if t not in triggers:
                raise ValueError(f"rule {r.name}: unknown trigger {t}")
    tense = data.get("tense") or {}
    cues = _tense_cues(tense)
    word_tables = {}
    for g, t in tables.items():
        word_tables[g] = re.compile(rf"(?<!\w)(?:{t.regex})(?!\w)", re.IGNORECASE)
    return Grammar(
        rules=rules, tables=tables, by_name=by_name, example_dct=data.get("example_dct"),
        tense=re.compile(_TENSE_START + cues, re.IGNORECASE),
        tense_lowercase=re.compile(_TENSE_START + cues) if all(c == c.lower() for c in tense.values()) else None,
        word_tables=word_tables,
        triggers=triggers, trigger_index=trigger_index, trigger_words=_trigger_words(list(trigger_index)),
        window=int(data.get("trigger_window", 60)),
    )
