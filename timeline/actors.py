"""Actors: the countries, organisations and leaders an event is about.

Knowledge lives in ``data/actors.yaml`` (aliases, demonyms, capitals and seats of power) on top of
pycountry's ISO 3166 country names; a site adds its own names in ``timeline.toml`` and front matter.
Every name of every actor is compiled into one regular expression shaped as a prefix trie, so
finding the actors of a sentence is a single left-to-right scan however many names there are.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache, lru_cache
from importlib.resources import files


KINDS = ("country", "organisation", "person", "other")


def slugify(name: str) -> str:
    from timeline.articles import slugify as article_slug  # late: articles imports ActorName from here

    return article_slug(name)


@dataclass(frozen=True, order=True)
class Actor:
    name: str  # display name: "North Korea"
    slug: str  # page name: "north-korea"
    kind: str = "other"

    def __hash__(self) -> int:
        # Equal actors have equal slugs; a string keeps its hash, a tuple of fields makes it anew
        # (a rebuild looks up every entry's actors for the filters and the actor pages).
        return hash(self.slug)

    def __reduce__(self):
        # Unpickled as one object for each actor, however many articles name it: the saved merge
        # then holds each once (4,961 actors of the 2,452 wire stories were 203).
        return (_actor, (self.name, self.slug, self.kind))


@lru_cache(maxsize=1 << 14)
def _actor(name: str, slug: str, kind: str) -> Actor:
    return Actor(name, slug, kind)


@dataclass(frozen=True)
class ActorName:
    """A site-defined actor: its display name and the other names it goes by."""

    name: str
    aliases: tuple[str, ...] = ()


def _trie_pattern(names: Iterable[str]) -> str:
    """One regex matching any of ``names``, longest first, factored by common prefixes."""
    trie: dict = {}
    for name in names:
        node = trie
        for char in name:
            node = node.setdefault(char, {})
        node[""] = {}

    def pattern(node: dict) -> str:
        ends = "" in node
        branches = [re.escape(char) + pattern(child) for char, child in sorted(node.items()) if char]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        # Where a shorter name ends, the longer continuations are tried first (greedy "?").
        return "(?:" + body + ")?" if ends else body

    return pattern(trie)


class ActorIndex:
    """Recognises actors in text. Build once per site (``ActorIndex.for_site``); then ``find`` is cheap."""

    def __init__(self, names: dict[str, Actor | None], implied: dict[Actor, Actor] | None = None):
        self.names = dict(names)
        self.implied = dict(implied or {})  # a leader implies their country
        self.actors = tuple(sorted({a for a in self.names.values() if a is not None}))
        self.by_slug = {a.slug: a for a in self.actors}
        body = _trie_pattern(self.names) if self.names else "(?!)"
        # Names are proper nouns: a match must not sit inside a longer word ("Omani" is not "Oman").
        self._regex = re.compile(r"(?<![\w.])(?:" + body + r")(?!\w|\.\w)")

    def find(self, text: str) -> tuple[Actor, ...]:
        """The actors named in ``text``, in order of first mention, each once."""
        return self.named(self.mentions(text))

    def named(self, mentions: list[tuple[int, int, Actor]]) -> tuple[Actor, ...]:
        """The actors of ``mentions`` (of a text), in order, each once, with those they imply."""
        seen = dict.fromkeys(actor for _, _, actor in mentions)
        for actor in list(seen):
            if actor in self.implied:
                seen.setdefault(self.implied[actor], None)
        return tuple(seen)

    def mentions(self, text: str) -> list[tuple[int, int, Actor]]:
        """Where each actor name occurs in ``text``."""
        found = ((m.start(), m.end(), self.names.get(m.group())) for m in self._regex.finditer(text))
        return [(start, end, actor) for start, end, actor in found if actor is not None]

    def with_names(self, extra: Iterable[ActorName]) -> ActorIndex:
        """This index plus site-defined actors; a site's name for a known actor adds an alias to it."""
        names = dict(self.names)
        by_display = {a.name: a for a in self.actors}
        # Names that differ only in case or punctuation ("U.S. Navy", "US Navy") would share a
        # page: they are one actor, shown by the first name given.
        by_slug = {a.slug: a for a in self.actors}
        for item in extra:
            actor = by_display.get(item.name) or names.get(item.name)
            if actor is None:
                slug = slugify(item.name)
                actor = by_slug.get(slug) or Actor(item.name, slug, "other")
            by_display.setdefault(actor.name, actor)
            by_slug.setdefault(actor.slug, actor)
            for name in (item.name, *item.aliases):
                if name.strip():
                    names[name.strip()] = actor
        return ActorIndex(names, self.implied)

    @classmethod
    def for_site(cls, extra: Iterable[ActorName] = ()) -> ActorIndex:
        extra = tuple(extra)
        base = default_index()
        return base.with_names(extra) if extra else base


def _country_names() -> dict[str, Actor]:
    import pycountry

    data = _load_data()
    curated: dict = data.get("countries") or {}
    names: dict[str, Actor] = {}
    for country in pycountry.countries:
        extra = curated.get(country.alpha_2) or {}
        official = getattr(country, "official_name", None)
        common = getattr(country, "common_name", None)
        display = extra.get("name") or common or country.name
        actor = Actor(display, slugify(display), "country")
        # "Korea, Republic of" is a catalogue form that never appears in running text.
        candidates = [display, common, country.name, official]
        for key in ("aliases", "demonyms", "capitals"):
            candidates.extend(extra.get(key) or ())
        for name in candidates:
            if name and "," not in name:
                names.setdefault(name, actor)
                if name.startswith("the "):
                    names.setdefault("The " + name[4:], actor)
    return names


def _group_names(key: str, kind: str) -> tuple[dict[str, Actor], dict[Actor, str]]:
    """Names of organisations or leaders, and the country code each leader belongs to."""
    names: dict[str, Actor] = {}
    countries: dict[Actor, str] = {}
    for item in _load_data().get(key) or ():
        actor = Actor(item["name"], slugify(item["name"]), kind)
        if item.get("country"):
            countries[actor] = item["country"]
        for name in (item["name"], *(item.get("aliases") or ())):
            names.setdefault(name, actor)
    return names, countries


@cache
def _load_data() -> dict:
    import yaml

    # libyaml's loader when present: the pure-Python one takes a tenth of a second on this file.
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(files("timeline").joinpath("data/actors.yaml").read_text(encoding="utf-8"), Loader=loader) or {}


@cache
def default_index() -> ActorIndex:
    """Countries, organisations and leaders known to every site: built once, kept in the user's
    cache folder (``timeline.compiled``) until this code or the data changes, and loaded once per
    process (building it, mostly compiling its regex, takes a tenth of a second)."""
    from timeline.compiled import load_or_build

    return load_or_build("actors", _index_sources(), _default_index)


def _index_sources() -> list[bytes]:
    """What the default index is built from: this code, slugs, the actor data and pycountry's."""
    import importlib.util
    from pathlib import Path

    spec = importlib.util.find_spec("pycountry")
    here = Path(__file__)
    sources = [here.read_bytes(), here.with_name("articles.py").read_bytes(), files("timeline").joinpath("data/actors.yaml").read_bytes()]
    if spec is not None and spec.origin:
        sources.append((Path(spec.origin).parent / "databases" / "iso3166-1.json").read_bytes())
    return sources


def _default_index() -> ActorIndex:
    names: dict[str, Actor | None] = {name: None for name in _load_data().get("not_actors") or ()}
    countries = _country_names()
    names.update((k, v) for k, v in countries.items() if k not in names)
    implied: dict[Actor, Actor] = {}
    for key, kind in (("organisations", "organisation"), ("leaders", "person")):
        found, belongs_to = _group_names(key, kind)
        for name, actor in found.items():
            names.setdefault(name, actor)
        for actor, code in belongs_to.items():
            implied[actor] = _country_by_code(code, countries)
    return ActorIndex(names, implied)


def _country_by_code(code: str, countries: dict[str, Actor]) -> Actor:
    import pycountry

    country = pycountry.countries.get(alpha_2=code)
    if country is None:
        raise ValueError(f"actors data: unknown country code {code!r}")
    curated = (_load_data().get("countries") or {}).get(code) or {}
    return countries[curated.get("name") or getattr(country, "common_name", None) or country.name]
