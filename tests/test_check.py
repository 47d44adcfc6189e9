"""`timeline check` and `timeline build --strict`: each finding on a purpose-made article."""

import json

import pytest
from test_cli import run

from timeline.build import never_write, build_site
from timeline.review import Finding, review

ARTICLES = {
    # No date: the year is inferred from a weekday with a month-day.
    "inferred.txt": "Washington warns Pyongyang\nThe White House warned North Korea on Tuesday, Sept. 5, that it would pay a price.\n",
    # A weekday with no tense cue: read as last Friday, perhaps next Friday.
    "uncertain.md": "---\ntitle: Envoy\ndate: 2023-09-12\n---\nThe envoy arrives in Seoul on Friday.\n",
    # No date and nothing to infer one from.
    "unresolved.md": "---\ntitle: Talks\n---\nDiplomats met again.\nTalks resumed on Monday.\n",
    # Told in the past, dated after publication.
    "future.md": "---\ntitle: Departure\ndate: 2023-09-12\n---\nKim left Pyongyang on Sept. 20 aboard his armoured train.\n",
    # Overrides that change nothing.
    "unused.md": "---\ntitle: Vote\ndate: 2023-09-12\nignore_dates: [Friday]\n---\nThe [vote](date:none) passed on Monday.\n",
    # Three sources, two dates.
    "summit.md": "---\ntitle: Summit\ndate: 2023-09-14\n---\nKim Jong Un held talks with Vladimir Putin at the Vostochny cosmodrome about satellites and arms on Sept. 13.\n",
    "summit-b.md": "---\ntitle: Putin meets Kim\ndate: 2023-09-15\n---\nVladimir Putin and Kim Jong Un held talks at the Vostochny cosmodrome about satellites and arms on Sept. 14.\n",
    "summit-c.md": "---\ntitle: Leaders meet\ndate: 2023-09-16\n---\nPutin met Kim Jong Un at the Vostochny cosmodrome for talks on satellites and arms on Sept. 13.\n",
}
BROKEN = "---\ntitle: Broken\ndate: 2023-09-12\n---\nKim left on [Sunday](date:2023-9-10) by train.\n"


@pytest.fixture
def checked(site):
    for name, text in ARTICLES.items():
        site.add(name, text)
    site.add("broken.md", BROKEN)
    config = site.config()
    result = build_site(config, write_if=never_write)
    assert not site.output.exists()  # check writes no site
    return review(config, result)


def place(name: str, words: str) -> tuple[int, int]:
    """Line and column (1-based) of ``words`` in an article of ARTICLES."""
    text = (ARTICLES | {"broken.md": BROKEN})[name]
    at = text.index(words)
    return text.count("\n", 0, at) + 1, at - text.rfind("\n", 0, at)


def only(findings: list[Finding], kind: str, path: str) -> Finding:
    (found,) = [f for f in findings if f.kind == kind and f.path == path]
    return found


def test_each_finding_with_place_and_sentence(checked):
    inferred = only(checked, "inferred-date", "content/inferred.txt")
    assert (inferred.line, inferred.column, inferred.severity) == (*place("inferred.txt", "Tuesday"), "warning")
    assert "year 2023" in inferred.message and '"Tuesday, Sept. 5"' in inferred.message
    # Other years in which Sept. 5 was a Tuesday.
    assert "2017" in inferred.alternatives and "2023" not in inferred.alternatives
    assert inferred.sentence.startswith("The White House warned North Korea on Tuesday, Sept. 5")

    uncertain = only(checked, "low-confidence", "content/uncertain.md")
    assert (uncertain.line, uncertain.column) == place("uncertain.md", "Friday") == (5, 31)
    assert uncertain.alternatives == ("2023-09-15",) and "8 September 2023" in uncertain.message
    assert uncertain.sentence == "The envoy arrives in Seoul on Friday."

    unresolved = only(checked, "unresolved", "content/unresolved.md")
    assert (unresolved.line, unresolved.column) == place("unresolved.md", "Monday") and '"Monday"' in unresolved.message
    assert unresolved.sentence == "Talks resumed on Monday."

    future = only(checked, "past-as-future", "content/future.md")
    assert (future.line, future.column) == place("future.md", "Sept. 20") and "20 September 2023" in future.message

    unused = sorted((f.line, f.column) for f in checked if f.kind == "unused-override" and f.path == "content/unused.md")
    assert unused == [(4, None), place("unused.md", "[vote]")]

    disputed = only(checked, "disputed", "content/summit.md")
    assert disputed.line == 5 and disputed.alternatives == ("2023-09-14",)
    assert "13 September 2023" in disputed.message and "content/summit-b.md" in disputed.message

    error = only(checked, "error", "content/broken.md")
    assert (error.line, error.column, error.severity) == (*place("broken.md", "[Sunday]"), "error") and "2023-9-10" in error.message
    assert error.sentence == "Kim left on Sunday by train."


def test_sure_dates_and_overrides_raise_nothing(site):
    site.add("fine.md", "---\ntitle: Fine\ndate: 2023-09-12\n---\nKim left Pyongyang on Sunday, Sept. 10, 2023. He meets [Friday](date:2023-09-15) talks.\n")
    config = site.config()
    assert review(config, build_site(config, write_if=never_write)) == []


def test_check_command_exit_status_and_json(site):
    for name, text in ARTICLES.items():
        site.add(name, text)
    site.add("broken.md", BROKEN)
    done = run("check", "--format", "json", "--jobs", "1", cwd=site.root)
    assert done.returncode == 1, done.stderr
    document = json.loads(done.stdout)
    assert document["errors"] == 1 and document["warnings"] == len(document["findings"]) - 1
    for finding in document["findings"]:
        assert {"file", "line", "column", "kind", "severity", "message"} <= set(finding)
        assert finding["severity"] in ("error", "warning")
    kinds = {f["kind"] for f in document["findings"]}
    assert kinds == {"error", "inferred-date", "low-confidence", "unresolved", "past-as-future", "unused-override", "disputed"}
    assert not (site.root / "output").exists()

    (site.content / "broken.md").unlink()
    done = run("check", "--jobs", "1", cwd=site.root)
    assert done.returncode == 0, done.stderr  # warnings alone
    lines = done.stdout.splitlines()
    line, column = place("future.md", "Sept. 20")
    at = lines.index(next(text for text in lines if text.startswith(f"content/future.md:{line}:{column}: past-as-future: ")))
    assert lines[at + 1].strip() == "Kim left Pyongyang on Sept. 20 aboard his armoured train."
    assert "0 errors" in done.stderr


def test_build_strict_fails_on_errors_and_keeps_the_site(site):
    site.add("good.md", "---\ntitle: Good\ndate: 2023-09-12\n---\nKim left on Sunday.\n")
    assert run("build", "--strict", cwd=site.root).returncode == 0
    index = site.root / "output" / "index.html"
    before = index.read_bytes()
    site.add("broken.md", BROKEN)
    site.add("good.md", "---\ntitle: Changed\ndate: 2023-09-12\n---\nKim left on Sunday by train.\n")
    done = run("build", "--strict", cwd=site.root)
    line, column = place("broken.md", "[Sunday]")
    assert done.returncode == 1 and f"content/broken.md:{line}:{column}" in done.stderr and "--strict" in done.stderr
    assert index.read_bytes() == before  # the site in place was not replaced
    # Without --strict the same content builds (and exits 1 for the error unless --keep-going).
    assert run("build", "--keep-going", cwd=site.root).returncode == 0
    assert index.read_bytes() != before
