from __future__ import annotations

from datetime import date
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SEED = SHARED / "seed" / "us-warns-north-korea-arms-deal.txt"


def needs_shared(path: Path) -> None:
    """Skip, with the reason, when the shared corpora beside the checkout are absent."""
    if not path.exists():
        pytest.skip(f"{path} not found: the shared material beside the repository is not available here")


@pytest.fixture
def site(tmp_path: Path):
    """A fresh site folder with an empty content folder; returns a helper to add files."""

    class Site:
        root = tmp_path
        content = tmp_path / "content"
        output = tmp_path / "output"

        def add(self, rel: str, text: str | bytes) -> Path:
            path = self.content / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            if isinstance(text, bytes):
                path.write_bytes(text)
            else:
                path.write_text(text, encoding="utf-8")
            return path

        def config(self, **overrides):
            from timeline.config import load_config

            overrides.setdefault("today", date(2026, 11, 28))
            return load_config(self.root, **overrides)

    Site.content.mkdir()
    return Site()


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    """Headless Debian Chromium driven by Playwright (its own browser download is not used)."""
    import shutil

    playwright_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    executable = shutil.which("chromium") or CHROMIUM
    if not Path(executable).exists():
        pytest.skip("Chromium is not installed (tests/install-and-run.sh installs it)")
    with playwright_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context()
    page = context.new_page()
    yield page
    context.close()


def element_text(page: str, tag: str) -> str:
    """The text of the first ``tag`` element of an HTML page, character references decoded."""

    class Text(HTMLParser):
        inside, done, text = False, False, ""

        def handle_starttag(self, name, attrs):
            self.inside = name == tag and not self.done

        def handle_endtag(self, name):
            if self.inside and name == tag:
                self.inside, self.done = False, True

        def handle_data(self, data):
            if self.inside:
                self.text += data

    parser = Text(convert_charrefs=True)
    parser.feed(page)
    return parser.text
