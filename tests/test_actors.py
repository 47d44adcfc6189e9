from pathlib import Path

import pytest

from timeline.actors import ActorIndex, ActorName, default_index
from timeline.articles import parse_article
from timeline.config import ConfigError, load_config
from timeline.problems import ContentError


def names(text: str, index: ActorIndex | None = None) -> list[str]:
    return [a.name for a in (index or default_index()).find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Pyongyang fired a missile.", ["North Korea"]),
        ("The Kremlin denied the report.", ["Russia"]),
        ("Washington imposed sanctions.", ["United States"]),
        ("The White House and the U.S. Treasury acted.", ["United States"]),
        ("Officials in Kyiv and Kiev agreed.", ["Ukraine"]),
        ("The DPRK and the ROK talked.", ["North Korea", "South Korea"]),
        ("North Korean troops and Russian engineers.", ["North Korea", "Russia"]),
        ("The UN Security Council and NATO met; the EU and the IAEA watched.", ["UN Security Council", "NATO", "European Union", "IAEA"]),
        ("Kim Jong Un met Vladimir Putin; Putin smiled.", ["Kim Jong Un", "Vladimir Putin", "North Korea", "Russia"]),
        ("Russia's army", ["Russia"]),
        ("Papua New Guinea and Guinea-Bissau", ["Papua New Guinea", "Guinea-Bissau"]),
    ],
)
def test_names_demonyms_and_seats_of_power_resolve_to_actors(text, expected):
    assert names(text) == expected


def test_no_false_actors_from_longer_names_or_common_words():
    assert names("The Washington Post reported from Latin America.") == []
    assert names("Let us go; Chadian officials declined.") == []  # "us" is not the US; no "Chad" inside "Chadian"
    assert names("Chinese officials met the Chinese envoy.") == ["China"]  # each actor once


def test_country_names_come_from_pycountry():
    # Not in the curated file: only ISO 3166 knows it.
    assert names("Officials from Burkina Faso arrived.") == ["Burkina Faso"]
    assert default_index().by_slug["north-korea"].kind == "country"


def test_site_actors_add_names_and_aliases():
    index = default_index().with_names([ActorName("Wagner Group", ("Wagner", "PMC Wagner")), ActorName("North Korea", ("the Hermit Kingdom",))])
    assert names("Wagner fighters reached the Hermit Kingdom.", index) == ["Wagner Group", "North Korea"]
    assert index.by_slug["wagner-group"].name == "Wagner Group"
    assert names("Wagner fighters") == []  # the shared default index is untouched


def test_actors_table_in_settings(tmp_path: Path):
    (tmp_path / "timeline.toml").write_text('[actors]\n"Wagner Group" = ["Wagner", "PMC Wagner"]\n"Hamas" = "Hamas"\n')
    config = load_config(tmp_path)
    assert config.actors == (ActorName("Wagner Group", ("Wagner", "PMC Wagner")), ActorName("Hamas", ("Hamas",)))
    (tmp_path / "timeline.toml").write_text('[actors]\n"Wagner Group" = 3\n')
    with pytest.raises(ConfigError, match="Wagner Group"):
        load_config(tmp_path)


def test_front_matter_actors(tmp_path: Path):
    text = "---\ntitle: T\nactors: [Wagner Group, Hamas]\n---\nBody\n"
    article = parse_article(text, tmp_path / "a.md", tmp_path)
    assert article.actors == (ActorName("Wagner Group"), ActorName("Hamas"))
    mapped = parse_article("---\ntitle: T\nactors:\n  Wagner Group: [Wagner]\n---\nBody\n", tmp_path / "a.md", tmp_path)
    assert mapped.actors == (ActorName("Wagner Group", ("Wagner",)),)
    with pytest.raises(ContentError) as e:
        parse_article("---\ntitle: T\nactors: 3\n---\nBody\n", tmp_path / "a.md", tmp_path)
    assert e.value.problem("a.md").line == 3


def test_names_sharing_a_page_name_are_one_actor(site):
    """"U.S. Navy" and "US Navy" would both get actors/us-navy/: one actor, not a build that fails."""
    from timeline.build import build_site

    site.add("a.md", "---\ntitle: A\ndate: 2024-03-01\nactors: [U.S. Navy]\n---\nThe U.S. Navy sailed on March 2, 2024.\n")
    site.add("b.md", "---\ntitle: B\ndate: 2024-03-05\nactors: [US Navy]\n---\nThe US Navy docked on April 9, 2024.\n")
    result = build_site(site.config())
    assert result.site_written, [str(p) for p in result.problems]
    groups = result.timeline.actor_groups
    assert [(g.actor.name, g.actor.slug, len(g.entries)) for g in groups] == [("U.S. Navy", "us-navy", 2)]
