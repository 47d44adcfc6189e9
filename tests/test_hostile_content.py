"""Hostile content never runs in a reader's browser.

Classic XSS payloads go into every place an article can carry text: the Markdown body (raw and as
words of a dated sentence, so they reach event titles, quotes, JSON and exports), front matter
(title, source, url, tags, authors, actors), a plain-text article and the site settings. The built
site is served on 127.0.0.1 and every page is loaded in headless Chromium, where any alert, confirm
or prompt, or any request to the beacon URL, means a payload ran. The pages are also parsed: no
script, frame, style, form or event-handler attribute may come from content, every link keeps a
safe scheme, and the JSON embedded in the timeline page still parses to the hostile strings.
"""

from __future__ import annotations

import csv
import html
import io
import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

import icalendar
import pytest
import yaml

from conftest import element_text
from static_host import StaticHost
from timeline.build import build_site

BEACON = "/xss-ran"
PAYLOADS = [
    "<script>alert(1)</script>",
    "<SCRIPT SRC=/xss-ran.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</script>",
    "</script><script>alert(1)</script>",
    "<!--<script>alert(1)//-->",
    "<img src=x onerror=alert(1)>",
    '<img src="x" onerror="fetch(\'/xss-ran\')">',
    "<img src=x onerror=\\u0061lert(1)>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
    "<body onload=alert(1)>",
    '<iframe src="javascript:alert(1)"></iframe>',
    '<iframe srcdoc="<script>parent.alert(1)</script>"></iframe>',
    '<object data="javascript:alert(1)"></object><embed src="javascript:alert(1)">',
    '<a href="javascript:alert(1)">click</a>',
    '<a href="JaVaScRiPt:alert(1)">click</a>',
    '<a href="&#106;avascript:alert(1)">click</a>',
    '<a href="java&#x09;script:alert(1)">click</a>',
    '<a href="&#0000106&#0000097&#0000118&#0000097&#0000115&#0000099&#0000114&#0000105&#0000112&#0000116&#0000058alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">click</a>',
    '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+">',
    "[click me](javascript:alert(1))",
    "![picture](javascript:alert(1))",
    "[x](data:text/html,<script>alert(1)</script>)",
    "[x](  javascript:alert(1)  )",
    "<style>body{background:url(\"javascript:alert(1)\")}</style>",
    '<div style="background-image:url(javascript:alert(1))">styled</div>',
    '<form action="javascript:alert(1)"><input type="submit" value="go"></form>',
    "<input autofocus onfocus=alert(1)>",
    '<button formaction="javascript:alert(1)">go</button>',
    "<details open ontoggle=alert(1)><summary>x</summary></details>",
    '<video><source onerror="alert(1)"></video>',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="javascript:alert(1)//">',
    '"><script>alert(1)</script>',
    "' onmouseover='alert(1)' x='",
    '" autofocus onfocus="alert(1)',
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "\\u003cscript\\u003ealert(1)\\u003c/script\\u003e",
    "line\u2028separator\u2029<script>alert(1)</script>",
    "{{ 7 * 7 }}{% raw %}",
]
# Front matter `url:` values that are not web addresses: the article is refused, naming the line.
HOSTILE_URLS = [
    "javascript:alert(1)",
    " JavaScript:alert(1)",
    "java\tscript:alert(1)",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox(1)",
    "//evil.example/x",
]
SETTINGS = (
    'title = "</title><script>alert(1)</script>"\n'
    "description = \"\\\" onload=\\\"alert(1)\"\n"
    'base_url = "https://example.org/site/"\n'
)

# Elements that must not come from content (the theme's own scripts, links, metas and filter form aside).
FORBIDDEN = {"script", "iframe", "frame", "frameset", "object", "embed", "style", "form", "input", "button",
             "select", "textarea", "base", "meta", "link", "svg", "math", "video", "audio", "source"}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "data", "poster", "srcset", "background"}


def literal(text: str) -> str:
    """Markdown that shows ``text`` as written: Markdown's punctuation backslash-escaped, HTML's escaped."""
    return html.escape(re.sub(r"([\\`*_{}\[\]()#+\-.!])", r"\\\1", text), quote=False)


def article(i: int, payload: str) -> str:
    meta = {
        "title": f"{payload} title {i}",
        "date": "2024-03-01",
        "source": payload,
        "url": "https://example.org/story?q=" + payload,
        "tags": [payload, f"tag{i}"],
        "authors": [payload],
        "actors": [f"Group{i} {payload}"],
        "events": [  # written by hand
            {"date": f"2024-05-{1 + i % 28:02d}", "title": f"{payload} event {i}", "actors": [f"Hand{i} {payload}"],
             "url": "https://example.org/event?q=" + payload},
        ],
    }
    day = 1 + i % 28
    body = (
        f"On March {day}, 2024, Group{i} {literal(payload)} met in Geneva.\n\n"  # as words: events, actors
        f"{payload}\n\n"  # raw: the sanitizer's job
        f"Talks ended on April {day}, 2024 after {payload} was said.\n\n"
        f"They meet again on [{payload}](date:2024-06-{day:02d}).\n"  # an inline date override
    )
    return "---\n" + yaml.safe_dump(meta, allow_unicode=True, sort_keys=False) + "---\n" + body


@dataclass
class PageMarkup(HTMLParser):
    """What a page holds that could run code: elements, event handlers, URLs, inline styles."""

    elements: list[tuple[str, dict]] = field(default_factory=list)
    index_json: list[str] = field(default_factory=list)
    _in_index: bool = False

    def __post_init__(self):
        super().__init__(convert_charrefs=True)

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))
        self._in_index = tag == "script" and dict(attrs).get("id") == "timeline-index"

    def handle_endtag(self, tag):
        self._in_index = False

    def handle_data(self, data):
        if self._in_index:
            self.index_json.append(data)


def markup_problems(text: str) -> tuple[list[str], PageMarkup]:
    parser = PageMarkup()
    parser.feed(text)
    parser.close()
    problems = []
    in_filters = False
    for tag, attrs in parser.elements:
        if tag == "form":
            in_filters = attrs.get("class") == "filters"
        for name, value in attrs.items():
            if name.startswith("on"):
                problems.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and value is not None:
                scheme = urlsplit(value.strip()).scheme.lower()
                if scheme not in ("", "http", "https", "mailto"):
                    problems.append(f"<{tag} {name}={value!r}>")
            if name == "style" and not (tag == "section" and value.startswith("--entries:")):
                problems.append(f"<{tag} style={value!r}>")
            if name == "srcdoc":
                problems.append(f"<{tag} srcdoc>")
        if tag == "script":
            theme_index = attrs.get("type") == "application/json" and attrs.get("id") == "timeline-index" and "src" not in attrs
            theme_script = "type" not in attrs and (attrs.get("src") or "").endswith("static/timeline.js")
            if not (theme_index or theme_script):
                problems.append(f"<script {attrs}>")
        elif tag in ("meta", "link"):
            if "http-equiv" in attrs or (tag == "link" and attrs.get("rel") not in ("stylesheet", "icon", "canonical", "alternate")):
                problems.append(f"<{tag} {attrs}>")
        elif tag in ("input", "select", "button") and in_filters:
            pass  # the theme's filter form
        elif tag == "form" and in_filters:
            pass
        elif tag in FORBIDDEN:
            problems.append(f"<{tag}>")
    return problems, parser


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    from datetime import date

    from timeline.config import load_config

    root = tmp_path_factory.mktemp("hostile")
    content = root / "content"
    content.mkdir()
    (root / "timeline.toml").write_text(SETTINGS)
    for i, payload in enumerate(PAYLOADS):
        (content / f"payload-{i:02d}.md").write_text(article(i, payload), encoding="utf-8")
    for i, url in enumerate(HOSTILE_URLS):
        meta = yaml.safe_dump({"title": f"Bad link {i}", "date": "2024-03-01", "url": url})
        (content / f"bad-url-{i}.md").write_text(f"---\n{meta}---\nSigned on May 5, 2024.\n")
    (content / "events.yaml").write_text(
        yaml.safe_dump(
            [
                {"date": f"2023-07-{1 + i % 28:02d}", "title": f"{p} file event", "actors": [p],
                 "sources": [{"title": p, "url": "https://example.org/source?q=" + p, "outlet": p, "published": "2023-07-30"}]}
                for p in PAYLOADS
            ],
            allow_unicode=True,
        ),
        encoding="utf-8",
    )
    (content / "plain.txt").write_text(
        "</title><script>alert(1)</script>\n" + "\n".join(f"On June 2, 2024 it read {p} aloud." for p in PAYLOADS) + "\n"
    )
    result = build_site(load_config(root, today=date(2026, 11, 28)))
    assert result.site_written, [str(p) for p in result.problems]
    return root / "output", result


def test_hostile_urls_are_refused_with_their_line(hostile_site):
    _, result = hostile_site
    errors = {p.path: p for p in result.errors}
    assert sorted(errors) == sorted(f"content/bad-url-{i}.md" for i in range(len(HOSTILE_URLS)))
    for problem in errors.values():
        assert problem.line is not None and "https://" in problem.message, str(problem)
    built = {d.article.slug for d in result.articles}
    assert {f"payload-{i:02d}" for i in range(len(PAYLOADS))} | {"plain"} <= built


def test_no_page_carries_script_from_content(hostile_site):
    output, _ = hostile_site
    pages = sorted(output.rglob("*.html"))
    assert len(pages) > len(PAYLOADS)
    found = {}
    for page in pages:
        problems, parser = markup_problems(page.read_text(encoding="utf-8"))
        if problems:
            found[page.relative_to(output).as_posix()] = problems
        if parser.index_json:
            index = json.loads("".join(parser.index_json))  # "</script>" inside did not end it
            assert set(PAYLOADS) <= set(index["tags"])
            # (names with runs of spaces or line separators are not recognised in sentences at all)
            names = {f"Group{i} {p}" for i, p in enumerate(PAYLOADS) if " ".join(p.split()) == p}
            assert names <= {name for _, name in index["actors"]}
    assert found == {}


def test_payloads_stay_text(hostile_site):
    """Escaped, not dropped: each title shows as written (and a template tag in it is not run)."""
    output, _ = hostile_site
    for i, payload in enumerate(PAYLOADS):
        text = (output / "articles" / f"payload-{i:02d}" / "index.html").read_text(encoding="utf-8")

        assert element_text(text, "h1") == f"{payload} title {i}"


def test_exports_parse_and_carry_no_script(hostile_site):
    output, _ = hostile_site
    events = json.loads((output / "events.json").read_text(encoding="utf-8"))["events"]
    sentences = {s["sentence"] for e in events for s in e["sources"]}
    assert any("</script><script>alert(1)</script>" in s for s in sentences)
    timelinejs = json.loads((output / "timelinejs.json").read_text(encoding="utf-8"))
    fragments = [timelinejs["title"]["text"]["headline"], timelinejs["title"]["text"]["text"]]
    fragments += [slide["text"]["headline"] for slide in timelinejs["events"]]
    fragments += [slide["text"]["text"] for slide in timelinejs["events"]]  # TimelineJS shows these as HTML
    feed = ET.parse(output / "feed.xml").getroot()
    fragments += [c.text or "" for c in feed.iter("{http://www.w3.org/2005/Atom}content")]
    for fragment in fragments:
        problems, parser = markup_problems(fragment)
        assert problems == [], fragment
        assert {tag for tag, _ in parser.elements} <= {"p", "ul", "li", "blockquote", "a"}, fragment
    calendar = icalendar.Calendar.from_ical((output / "events.ics").read_bytes())
    assert len(calendar.walk("VEVENT")) == len(events)
    rows = list(csv.reader(io.StringIO((output / "events.csv").read_text(encoding="utf-8"))))
    assert len(rows) == len(events) + 1


def test_no_payload_runs_in_the_browser(hostile_site, page):
    output, _ = hostile_site
    ran: list[str] = []
    page.on("dialog", lambda dialog: (ran.append(f"{dialog.type}: {dialog.message}"), dialog.dismiss()))
    pages = sorted(p.relative_to(output).as_posix() for p in output.rglob("*.html"))
    # Actor pages differ only by the actor's name (their entries are the timeline's, loaded with the
    # index): a quarter of them is enough in the browser; all are parsed above.
    actor_pages = [p for p in pages if p.startswith("actors/") and p != "actors/index.html"]
    pages = [p for p in pages if p not in actor_pages] + actor_pages[::4]
    with StaticHost(output) as host:
        for rel in pages:
            page.goto(host.url(rel), wait_until="load")
            page.wait_for_timeout(10)  # onfocus / ontoggle / timers fire just after load
            found = page.evaluate(
                """() => {
                    const bad = [];
                    for (const el of document.querySelectorAll('*')) {
                        for (const attr of el.attributes) if (attr.name.startsWith('on')) bad.push(el.tagName + ' ' + attr.name);
                    }
                    for (const a of document.querySelectorAll('a[href], area[href]')) {
                        if (!['http:', 'https:', 'mailto:'].includes(a.protocol)) bad.push('link ' + a.href);
                    }
                    for (const el of document.querySelectorAll('iframe, frame, object, embed, style, base, svg, math')) bad.push(el.tagName);
                    for (const s of document.scripts) {
                        if (s.type !== 'application/json' && !s.src.endsWith('/static/timeline.js')) bad.push('script ' + s.outerHTML.slice(0, 60));
                    }
                    return bad;
                }"""
            )
            assert found == [], rel
            if rel == "index.html":
                tags = page.evaluate("() => JSON.parse(document.getElementById('timeline-index').textContent).tags")
                assert set(PAYLOADS) <= set(tags)
                # The filters (the theme's script) put the hostile tag names into the page as text.
                options = page.evaluate("() => [...document.querySelectorAll('select[name=tag] option')].map(o => o.textContent)")
                assert set(PAYLOADS) <= set(options)
    assert ran == []
    assert [path for path, _ in host.requests if path.startswith(BEACON)] == []
    assert len(host.requests) >= len(pages)


def test_text_posing_as_a_piece_marker_stays_text():
    """A page's reused pieces stand in its text as markers until spliced; only this page's
    markers (its renderer's random nonce) are replaced, whatever the text holds."""
    import secrets

    from timeline.render import _Made, _Splicer

    splicer = _Splicer(secrets.token_hex(6))
    forged = "\ue000" + "0" * 12 + ":0\ue001"
    real = splicer.marker(_Made("k", b"<b>piece</b>", ()))
    data, pieces = splicer.splice(f"a {forged} b {real} c")
    before = f"a {forged} b ".encode()
    assert data == before + b"<b>piece</b> c"
    assert pieces == (("k", len(before), len(before) + len(b"<b>piece</b>")),)
