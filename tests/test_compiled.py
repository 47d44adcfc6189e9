"""What processes build from the package's data is kept in the user's cache folder and loaded back
the same: patterns with their compiled code, rebuilt when a source changes."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from timeline import compiled


def test_patterns_come_back_equal_with_the_same_matches(tmp_path):
    from timeline.actors import _default_index
    from timeline.tagger.rules import _grammar, _plain_regex, _rule_regex

    fast = _grammar(lambda body, flags=re.IGNORECASE: _rule_regex(body, flags) or _plain_regex(body, flags))
    actors = _default_index()
    saved = compiled.load_or_build("test", [b"v1"], lambda: (fast, actors), tmp_path)
    assert saved[0] is fast  # the first call returns what it built
    grammar, index = compiled.load("test", [b"v1"], tmp_path)
    text = "On Sunday, Sept. 10, 2006, North Korea's envoy met U.N. officials; two weeks later, the 1990s talks resumed."
    patterns = [(rule.regex, loaded.regex) for rule, loaded in zip(fast.rules, grammar.rules)]
    patterns += [(fast.tense, grammar.tense), (fast.tense_lowercase, grammar.tense_lowercase), (actors._regex, index._regex)]
    patterns += [(rule.regex_lowercase, loaded.regex_lowercase) for rule, loaded in zip(fast.rules, grammar.rules) if rule.regex_lowercase]
    patterns += [(fast.word_tables[g], grammar.word_tables[g]) for g in fast.word_tables]
    assert len(patterns) > 100
    for original, loaded in patterns:
        assert loaded is not original
        assert loaded == original  # same flags, text and compiled code
        assert loaded.groupindex == original.groupindex
        assert [m.span() for m in loaded.finditer(text)] == [m.span() for m in original.finditer(text)]
    assert index.find(text) == actors.find(text)


def test_built_once_then_loaded_until_a_source_changes(tmp_path):
    builds = []

    def build():
        builds.append(1)
        return {"pattern": re.compile(r"(?P<year>\d{4})s?", re.IGNORECASE), "n": len(builds)}

    first = compiled.load_or_build("thing", [b"code", b"data"], build, tmp_path)
    again = compiled.load_or_build("thing", [b"code", b"data"], build, tmp_path)
    assert len(builds) == 1 and again == first and again["pattern"].match("1990S").group("year") == "1990"
    changed = compiled.load_or_build("thing", [b"code", b"data 2"], build, tmp_path)
    assert len(builds) == 2 and changed["n"] == 2
    assert len(list(tmp_path.glob("thing-*.pickle"))) == 1  # the other version's file is gone


def test_a_broken_file_or_no_folder_means_building_again(tmp_path):
    compiled.load_or_build("thing", [b"x"], lambda: 1, tmp_path)
    (saved,) = tmp_path.glob("thing-*.pickle")
    saved.write_bytes(b"not a pickle")
    assert compiled.load_or_build("thing", [b"x"], lambda: 2, tmp_path) == 2
    assert compiled.load("thing", [b"x"], tmp_path) == 2
    blocked = tmp_path / "file"
    blocked.write_text("")
    assert compiled.load_or_build("thing", [b"x"], lambda: 3, blocked / "cache") == 3  # nowhere to save


def test_a_pattern_whose_code_does_not_come_back_is_saved_as_text(tmp_path, monkeypatch):
    monkeypatch.setattr(compiled, "_compiled_code", lambda pattern: None)
    compiled.load_or_build("thing", [b"x"], lambda: re.compile("ab+c", re.I), tmp_path)
    assert compiled.load("thing", [b"x"], tmp_path) == re.compile("ab+c", re.I)


def test_the_cache_folder_follows_xdg(monkeypatch, tmp_path):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert compiled.cache_folder() == tmp_path / "timeline"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert compiled.cache_folder().parts[-2:] == (".cache", "timeline")


def test_the_package_keeps_its_grammars_and_actor_index(tmp_path):
    from timeline.actors import _index_sources
    from timeline.tagger.rules import _sources

    saved = {"grammar": _sources(), "fast-grammar": _sources(), "actors": _index_sources()}
    assert all(compiled.load(name, sources, tmp_path / "timeline") is None for name, sources in saved.items())
    code = "from timeline.actors import default_index; from timeline.tagger.rules import grammar, fast_grammar; default_index(); grammar(); fast_grammar()"
    subprocess.run([sys.executable, "-c", code], check=True, env={**os.environ, "XDG_CACHE_HOME": str(tmp_path)})
    assert all(compiled.load(name, sources, tmp_path / "timeline") is not None for name, sources in saved.items())


def test_without_a_home_folder_it_builds_every_time(monkeypatch):
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setattr(compiled.Path, "home", classmethod(lambda cls: (_ for _ in ()).throw(RuntimeError("no home"))))
    assert compiled.cache_folder() is None
    assert compiled.load_or_build("thing", [b"x"], lambda: 5) == 5
