"""How the timeline page copes with a long timeline (default 10,000 entries) in headless Chromium.

    python bench/page_perf.py [--events 10000] [--keep DIR]

Makes a synthetic timeline (sentences from templates, real actor names, tags, 1990-2024), times
the merge, renders the timeline page with the default theme, then opens it in Chromium and
reports: load (DOMContentLoaded, load, filters ready), filtering by actor / year / tag, text
search (first search includes reading the entries' text), and frame times while scrolling.
Each filter time runs from the change until the frame after the page updated (two animation
frames), i.e. what a reader waits.
"""

from __future__ import annotations

import argparse
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from timeline.actors import default_index  # noqa: E402
from timeline.articles import Article  # noqa: E402
from timeline.chronology import merge  # noqa: E402
from timeline.config import SiteConfig  # noqa: E402
from timeline.dating import DatedArticle  # noqa: E402
from timeline.document import from_plain_text  # noqa: E402
from timeline.events import Event, Mention, article_page  # noqa: E402
from timeline.render import Site, SiteRenderer, Theme, static_files, timeline_pages  # noqa: E402
from timeline.tagger.values import value_span  # noqa: E402

SUBJECTS = ["North Korea", "Pyongyang", "Russia", "The Kremlin", "Washington", "China", "Beijing", "Japan", "Seoul",
            "Ukraine", "Kyiv", "NATO", "The EU", "The UN Security Council", "Iran", "The IAEA", "Vladimir Putin",
            "Kim Jong Un", "Xi Jinping", "Joe Biden", "Turkey", "India", "Germany", "France", "Britain"]
VERBS = ["announced", "tested", "rejected", "signed", "condemned", "proposed", "launched", "suspended", "approved",
         "denied", "hosted", "imposed", "lifted", "expanded", "criticised"]
OBJECTS = ["new sanctions on shipping firms", "a ballistic missile", "a trade agreement", "talks on grain exports",
           "a naval exercise near the strait", "a ceasefire proposal", "an arms deal", "a satellite launch",
           "a summit with regional leaders", "export controls on chips", "a loan to the central bank",
           "an inspection of nuclear sites", "a resolution on humanitarian aid", "border patrols", "a pipeline project"]
TAGS = ["diplomacy", "sanctions", "nuclear", "trade", "military", "energy", "elections", "security"]


def synthetic_events(n: int, seed: int = 7) -> tuple[list[Event], list[DatedArticle]]:
    rng = random.Random(seed)
    index = default_index()
    articles: list[DatedArticle] = []
    for i in range(max(1, n // 5)):
        published = date(1995, 1, 1) + timedelta(days=rng.randrange(30 * 365))
        article = Article(Path(f"a{i}.md"), f"a{i}.md", f"article-{i}", f"Article {i}", "", 1, "markdown",
                          published=published, source=f"Outlet {i % 13}", tags=tuple(rng.sample(TAGS, 2)))
        articles.append(DatedArticle(article, from_plain_text(""), published, False, ()))
    events: list[Event] = []
    for i in range(n):
        dated = articles[i % len(articles)]
        day = date(1990, 1, 1) + timedelta(days=rng.randrange(35 * 365))
        value = [day.isoformat(), day.isoformat()[:7], str(day.year)][rng.choice([0, 0, 0, 1, 2])]
        sentence = f"{rng.choice(SUBJECTS)} {rng.choice(VERBS)} {rng.choice(OBJECTS)} with {rng.choice(SUBJECTS)} in case {i}."
        mention = Mention(dated.article.slug, dated.article.title, article_page(dated.article.slug), dated.article.source,
                          None, dated.article.published, value, sentence, (i, i + len(value)))
        events.append(Event(value, value_span(value), sentence[:-1], mention, index.find(sentence)))
    return events, articles


FILTER_JS = """async ([name, value]) => {
  const form = document.querySelector('form.filters');
  const field = form.elements[name];
  const frame = () => new Promise(r => requestAnimationFrame(() => r()));
  const t0 = performance.now();
  field.value = value;
  field.dispatchEvent(new Event(name === 'q' ? 'input' : 'change', {bubbles: true}));
  await frame(); await frame();
  return [performance.now() - t0, document.querySelector('.filter-status').textContent];
}"""

SCROLL_JS = """async (ms) => {
  const times = [];
  let last = performance.now();
  const end = last + ms;
  const step = 120;  // a brisk mouse-wheel scroll
  while (performance.now() < end) {
    window.scrollBy(0, step);
    await new Promise(r => requestAnimationFrame(() => r()));
    const now = performance.now();
    times.push(now - last);
    last = now;
  }
  return times;
}"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="write the page here instead of a temporary folder")
    args = parser.parse_args()

    events, articles = synthetic_events(args.events)
    started = time.perf_counter()
    timeline = merge(events)
    merge_seconds = time.perf_counter() - started

    folder = args.keep or Path(tempfile.mkdtemp(prefix="timeline-perf-"))
    config = SiteConfig(site_dir=folder, content_dir=folder / "content", output_dir=folder)
    renderer = SiteRenderer(config, Theme(None))
    site = Site(tuple(articles), timeline)
    started = time.perf_counter()
    files = list(timeline_pages(renderer, site)) + list(static_files(renderer, site))
    render_seconds = time.perf_counter() - started
    for file in files:
        target = folder / file.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(file.data)
    page_bytes = (folder / "index.html").stat().st_size
    print(f"{len(events)} events -> {len(timeline.entries)} entries; merge {merge_seconds:.2f} s, "
          f"render {render_seconds:.2f} s, index.html {page_bytes / 2**20:.1f} MB")

    from playwright.sync_api import sync_playwright

    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, headless=True,
                                    args=["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"])
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto((folder / "index.html").as_uri())
        page.wait_for_selector("form.filters:not([hidden])")
        nav = page.evaluate("""() => { const n = performance.getEntriesByType('navigation')[0];
            return [n.responseEnd, n.domContentLoadedEventEnd, n.loadEventEnd, performance.now()]; }""")
        print(f"load: response {nav[0]:.0f} ms, DOMContentLoaded {nav[1]:.0f} ms, load {nav[2]:.0f} ms, "
              f"filters ready by {nav[3]:.0f} ms")
        actors = page.eval_on_selector_all("select[name=actor] option", "os => os.map(o => o.value).filter(Boolean)")
        years = page.eval_on_selector_all("select[name=year] option", "os => os.map(o => o.value).filter(Boolean)")
        steps = [
            ("actor", actors[0]), ("actor", actors[len(actors) // 2]), ("actor", ""),
            ("year", years[len(years) // 2]), ("year", ""),
            ("tag", "0"), ("tag", ""),
            ("q", "sanctions"), ("q", "sanctions ship"), ("q", "pipeline kremlin"), ("q", ""),
        ]
        for name, value in steps:
            ms, status = page.evaluate(FILTER_JS, [name, value])
            print(f"  {name}={value or '(all)':<18} {ms:7.1f} ms   {status or 'all shown'}")
        page.evaluate("window.scrollTo(0, 0)")
        frames = page.evaluate(SCROLL_JS, 3000)
        frames.sort()
        p95 = frames[int(len(frames) * 0.95) - 1]
        slow = sum(f > 50 for f in frames)
        print(f"scroll: {len(frames)} frames, median {statistics.median(frames):.1f} ms, p95 {p95:.1f} ms, "
              f"max {frames[-1]:.1f} ms, {slow} frames over 50 ms")
        browser.close()
    if not args.keep:
        shutil.rmtree(folder)


if __name__ == "__main__":
    main()
