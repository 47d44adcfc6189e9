"""The preview server: only the site, under its base path; rebuilds, errors and the reload signal;
200 concurrent clients while rebuilds run."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import pytest

from preview_host import EventStream, Scripts, article, running_preview
from timeline.serve import builder as builder_module
from timeline.serve.server import content_type, is_loopback, locate
from timeline.commands.serve import host_warning

SECRET = "SECRET-7f3a"


def make_site(root: Path) -> Path:
    content = root / "content"
    content.mkdir()
    (content / "a.md").write_text(article("Alpha", "2006-10-14", "The Security Council voted on Saturday."))
    (content / "b.md").write_text(article("Beta", "2023-09-12", "Kim left Pyongyang on Sunday, Sept. 10."))
    (root / "timeline.toml").write_text(f'title = "Preview test"\nbase_url = "/my-repo/"\n# {SECRET}\n')
    (root / "secret.txt").write_text(SECRET)
    return root


@pytest.fixture
def site_root(tmp_path: Path) -> Path:
    return make_site(tmp_path)


@pytest.fixture
def running(site_root):
    """A preview of its own, for tests that change the site."""
    with running_preview(site_root) as preview:
        yield preview


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """One preview shared by the tests that only read."""
    with running_preview(make_site(tmp_path_factory.mktemp("served"))) as preview:
        yield preview


def test_serves_the_site_under_its_base_path(served):
    status, headers, body = served.get("/")
    assert (status, headers["location"]) == (302, "/my-repo/")
    assert served.get("/my-repo")[1]["location"] == "/my-repo/"
    status, headers, body = served.get("/my-repo/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    page = Scripts(body)
    assert page.title.strip() == "Preview test"
    [script] = page.reload_scripts()
    assert script["data-build"] == "1" and script["data-server"] == served.state.server
    assert body.rstrip().endswith(b"</html>")  # the script went inside the body
    status, headers, _ = served.get("/my-repo/articles/a?x=1")
    assert (status, headers["location"]) == (302, "/my-repo/articles/a/?x=1")
    status, _, body = served.get("/my-repo/articles/a/")
    assert status == 200 and "Alpha" in Scripts(body).title
    status, headers, body = served.get("/my-repo/static/style.css")
    assert status == 200 and headers["content-type"] == "text/css; charset=utf-8"
    assert body == (served.root / "output" / "static" / "style.css").read_bytes()  # nothing injected
    status, headers, body = served.get("/my-repo/events.json")
    assert status == 200 and headers["content-type"] == "application/json; charset=utf-8"
    assert json.loads(body)["events"]
    status, headers, body = served.get("/my-repo/static/style.css", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_missing_pages_get_the_sites_404_page_with_status_404(served):
    for target in ("/my-repo/no/such/page/", "/elsewhere/index.html", "/my-repofoo"):
        status, _, body = served.get(target)
        assert status == 404, target
        assert Scripts(body).reload_scripts(), target  # the overlay can show there too
    assert b"/my-repo/static/style.css" in served.get("/my-repo/nowhere")[2]  # the site's own 404.html


TRAVERSALS = [
    "/my-repo/../timeline.toml",
    "/my-repo/../secret.txt",
    "/my-repo/static/../../secret.txt",
    "/my-repo/%2e%2e/secret.txt",
    "/my-repo/%2E%2E/secret.txt",
    "/my-repo/..%2fsecret.txt",
    "/my-repo/..%2Fsecret.txt",
    "/my-repo/%2e%2e%2fsecret.txt",
    "/my-repo/.%2e/secret.txt",
    "/my-repo/..%5csecret.txt",
    "/my-repo/..\\secret.txt",
    "/my-repo/%252e%252e/secret.txt",
    "/my-repo//etc/passwd",
    "/my-repo/%2fetc%2fpasswd",
    "/my-repo/%2F" + "%2e%2e/" * 8 + "etc/passwd",
    "//etc/passwd",
    "/etc/passwd",
    "/../secret.txt",
    "http://127.0.0.1/my-repo/../secret.txt",
    "/my-repo/index.html%00",
    "/my-repo/%00/../secret.txt",
    "/my-repo/index.html%00.css",
    "/my-repo/%c0%ae%c0%ae/secret.txt",
]


@pytest.mark.parametrize("target", TRAVERSALS)
def test_paths_leaving_the_output_folder_get_404(served, target):
    # Sent byte for byte: clients such as urllib would normalise "../" before sending.
    answer = served.raw(f"GET {target} HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n".encode("latin-1"))
    assert answer.startswith(b"HTTP/1.0 404 "), answer[:80]
    assert SECRET.encode() not in answer and b"root:" not in answer


def test_raw_nul_byte_in_the_request_line_gets_404(served):
    answer = served.raw(b"GET /my-repo/index.html\x00/../../secret.txt HTTP/1.0\r\n\r\n")
    assert answer.startswith(b"HTTP/1.0 404 ") and SECRET.encode() not in answer


def test_symbolic_links_out_of_the_output_folder_get_404(running):
    output = running.root / "output"
    (output / "leak.txt").symlink_to(running.root / "secret.txt")
    (output / "leakdir").symlink_to(running.root)
    (output / "static" / "inside.css").symlink_to(output / "static" / "style.css")
    for target in ("/my-repo/leak.txt", "/my-repo/leakdir/secret.txt", "/my-repo/leakdir/"):
        status, _, body = running.get(target)
        assert status == 404 and SECRET.encode() not in body, target
    assert running.get("/my-repo/static/inside.css")[0] == 200  # a link that stays inside is fine


def test_other_host_names_are_refused(served):
    # A page of another site whose host name resolves to 127.0.0.1 must not read the preview.
    assert served.get("/my-repo/", {"Host": "attacker.example"})[0] == 403
    assert served.get("/my-repo/", {"Host": f"localhost:{served.port}"})[0] == 200
    assert served.get("/my-repo/", {"Host": f"[::1]:{served.port}"})[0] == 200


def test_locate_never_leaves_the_root(tmp_path):
    root = tmp_path / "out"
    (root / "sub").mkdir(parents=True)
    (root / "index.html").write_text("i")
    (root / "sub" / "index.html").write_text("s")
    (root / "about.html").write_text("a")
    assert locate("/", "", "/", root).file == root / "index.html"
    assert locate("/sub", "q=1", "/", root).location == "/sub/?q=1"
    assert locate("/about", "", "/", root).file == root / "about.html"
    assert locate("/r/", "", "/r/", root).file == root / "index.html"
    for target in ("/sub/../../x", "/%2e%2e/x", "*", "/sub/%00", "/\\x", "/%ff"):
        assert locate(target, "", "/", root).file is None, target


def test_content_types():
    assert content_type(Path("a/feed.xml")) == "application/xml; charset=utf-8"
    assert content_type(Path("events.ics")) == "text/calendar; charset=utf-8"
    assert content_type(Path("favicon.svg")) == "image/svg+xml"


def test_loopback_and_the_warning_for_other_addresses():
    assert is_loopback("127.0.0.1") and is_loopback("localhost") and is_loopback("::1")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.0.2.7")
    assert host_warning("127.0.0.1", 8000, True) is None
    warning = host_warning("0.0.0.0", 8000, False)
    assert warning.startswith("warning:") and "0.0.0.0" in warning and "8000" in warning


def test_edits_rebuild_incrementally_and_signal_pages(running):
    events = EventStream(running.port)
    try:
        first = events.next()
        assert (first["build"], first["pages"], first["status"], first["problems"]) == (1, 1, "ok", [])
        page_before = (running.root / "output" / "articles" / "b" / "index.html").stat()
        (running.root / "content" / "a.md").write_text(
            article("Alpha", "2006-10-14", "The Security Council voted on Saturday. Talks resumed on Oct. 20, 2006.")
        )
        started = events.next(building=True)
        assert started["building"] and started["build"] == 1  # pages may say a rebuild runs
        state = events.next(building=True)
        assert (state["build"], state["pages"], state["status"], state["building"]) == (2, 2, "ok", False)
        assert any("a.md changed: 2 articles (1 tagged)" in line for line in running.lines)
        page_after = (running.root / "output" / "articles" / "b" / "index.html").stat()
        assert (page_after.st_ino, page_after.st_mtime_ns) == (page_before.st_ino, page_before.st_mtime_ns)
        body = running.get("/my-repo/")[2]
        assert b"Talks resumed" in body and Scripts(body).reload_scripts()[0]["data-build"] == "2"
    finally:
        events.close()


def test_stylesheet_only_change_keeps_pages_current(site_root):
    theme = site_root / "mytheme" / "static"
    theme.mkdir(parents=True)
    (theme / "style.css").write_text("body { color: black; }\n")
    with (site_root / "timeline.toml").open("a") as f:
        f.write('theme = "mytheme"\n')
    with running_preview(site_root) as running:
        events = EventStream(running.port)
        try:
            assert events.next()["build"] == 1
            (theme / "style.css").write_text("body { color: rebeccapurple; }\n")
            state = events.next()
            assert (state["build"], state["pages"]) == (2, 1)  # pages from build 1 are current
            assert b"rebeccapurple" in running.get("/my-repo/static/style.css")[2]
        finally:
            events.close()


def test_broken_article_keeps_the_last_good_site_until_fixed(running):
    events = EventStream(running.port)
    index = running.root / "output" / "index.html"
    try:
        events.next()
        good = index.read_bytes()
        a = running.root / "content" / "a.md"
        fixed = a.read_text()
        a.write_text("---\ntitle: [Alpha\ndate: 2006-10-14\n---\nText.\n")
        state = events.next()
        assert state["status"] == "failed" and state["build"] == 1
        [problem] = state["problems"]
        assert problem["path"] == "content/a.md" and problem["line"] == 3 and "YAML" in problem["message"]
        assert index.read_bytes() == good  # the last good site, Alpha included
        assert b"Alpha" in running.get("/my-repo/articles/a/")[2]
        # Another save while it is broken: the error is not printed again.
        (running.root / "content" / "b.md").write_text(article("Beta", "2023-09-12", "Kim left on Sunday, Sept. 10."))
        assert events.next()["status"] == "failed"
        assert sum("content/a.md:3" in line for line in running.lines) == 1
        a.write_text(fixed)
        state = events.next()
        assert (state["status"], state["problems"]) == ("ok", [])
        assert state["build"] == 2 and state["pages"] == 2  # b.md's edit is published now
        assert b"Kim left on " in running.get("/my-repo/articles/b/")[2]
    finally:
        events.close()


def test_settings_are_reloaded_and_broken_settings_name_their_line(running):
    events = EventStream(running.port)
    toml = running.root / "timeline.toml"
    try:
        events.next()
        toml.write_text('title = "Renamed"\nbase_url = "/my-repo/"\n')
        assert events.next()["pages"] == 2
        assert Scripts(running.get("/my-repo/")[2]).title.strip() == "Renamed"
        toml.write_text('title = "Renamed\nbase_url = "/my-repo/"\n')
        state = events.next()
        [problem] = state["problems"]
        assert state["status"] == "failed" and problem["path"] == "timeline.toml" and problem["line"] == 1
        assert running.get("/my-repo/")[0] == 200  # still served
        toml.write_text('title = "Renamed"\nbase_url = "/other/"\n')
        state = events.next()
        assert state["status"] == "ok" and running.get("/other/")[0] == 200
    finally:
        events.close()


def test_template_error_names_the_template_and_keeps_the_site(site_root):
    templates = site_root / "mytheme" / "templates"
    templates.mkdir(parents=True)
    with (site_root / "timeline.toml").open("a") as f:
        f.write('theme = "mytheme"\n')
    with running_preview(site_root) as running:
        events = EventStream(running.port)
        try:
            events.next()
            (templates / "base.html").write_text("<html>\n<body>\n{% if %}\n</body></html>\n")
            state = events.next()
            [problem] = state["problems"]
            assert state["status"] == "failed" and problem["path"].endswith("base.html") and problem["line"] == 3
            assert b"Preview test" in running.get("/my-repo/")[2]
            (templates / "base.html").unlink()
            assert events.next()["status"] == "ok"
        finally:
            events.close()


def test_a_crashing_build_is_reported_and_the_server_goes_on(running, monkeypatch):
    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(builder_module, "build_site", broken)
    state = running.preview.build(frozenset({"x"}))
    assert state.status == "failed" and "disk on fire" in state.problems[0].message
    assert running.get("/my-repo/")[0] == 200


def test_requests_during_a_rebuild_wait_for_the_finished_site(running, monkeypatch):
    real = builder_module.build_site
    entered = threading.Event()

    def slow(*args, **kwargs):
        entered.set()
        time.sleep(0.6)
        return real(*args, **kwargs)

    monkeypatch.setattr(builder_module, "build_site", slow)
    (running.root / "content" / "a.md").write_text(article("Alpha", "2006-10-14", "A new sentence on Oct. 30, 2006."))
    rebuild = threading.Thread(target=running.preview.build, args=(frozenset({"a.md"}),))
    rebuild.start()
    assert entered.wait(5)
    status, _, body = running.get("/my-repo/articles/a/")  # sent while the build runs
    rebuild.join()
    assert status == 200 and b"A new sentence" in body


def test_first_build_placeholder_reloads_when_ready(site_root, monkeypatch):
    from timeline.config import load_config
    from timeline.serve.session import Preview

    release = threading.Event()
    real = builder_module.build_site
    monkeypatch.setattr(builder_module, "build_site", lambda *a, **k: release.wait(10) and real(*a, **k))
    load = lambda: load_config(site_root)  # noqa: E731
    preview = Preview(load(), load, site_root / "timeline.toml", lambda line: None)
    preview.listen("127.0.0.1", 0)
    preview.start()
    first = threading.Thread(target=preview.build)
    first.start()
    try:
        preview.server.wait_for_build = 0.1
        from preview_host import RunningPreview

        running = RunningPreview(preview, site_root, [])
        status, headers, body = running.get("/my-repo/")
        assert status == 503 and headers["retry-after"] == "1"
        assert Scripts(body).reload_scripts()[0]["data-build"] == "0"
        release.set()
        first.join()
        assert preview.channel.state.pages == 1  # newer than the placeholder's build 0: it reloads
    finally:
        release.set()
        first.join()
        preview.stop()


def test_200_concurrent_clients_while_rebuilds_run(running):
    clients, rounds = 200, 3
    targets = ["/my-repo/", "/my-repo/articles/a/", "/my-repo/static/style.css", "/my-repo/events.json"]
    failures: list[str] = []
    statuses: list[int] = []
    go = threading.Barrier(clients + 1)
    stop = threading.Event()
    workers_seen = [0]
    pool = f"timeline-serve-{running.port}_"  # the names of this server's worker threads

    def client(i: int) -> None:
        go.wait()
        for r in range(rounds):
            target = targets[(i + r) % len(targets)]
            try:
                status, _, body = running.get(target)
                statuses.append(status)
                if status != 200 or not body:
                    failures.append(f"{target}: {status}")
            except Exception as e:  # noqa: BLE001 - every failure counts
                failures.append(f"{target}: {type(e).__name__}: {e}")

    def rebuilds() -> None:
        n = 0
        while not stop.is_set():
            n += 1
            (running.root / "content" / "a.md").write_text(article("Alpha", "2006-10-14", f"Edit {n} on Oct. 20, 2006."))
            running.preview.build(frozenset({"a.md"}))
            workers_seen[0] = max(workers_seen[0], sum(t.name.startswith(pool) for t in threading.enumerate()))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    builder = threading.Thread(target=rebuilds)
    builder.start()
    go.wait()
    for t in threads:
        t.join(60)
    builds_meanwhile = running.state.build - 1
    stop.set()
    builder.join(30)
    assert failures == [] and len(statuses) == clients * rounds
    assert builds_meanwhile >= 2
    assert 0 < workers_seen[0] <= running.preview.server.workers


def test_stopping_ends_every_thread_and_stream(site_root):
    before = set(threading.enumerate())
    with running_preview(site_root) as running:
        events = EventStream(running.port)
        assert events.next()["build"] == 1
        assert running.get("/my-repo/")[0] == 200
    left = [t.name for t in threading.enumerate() if t not in before]
    assert left == []
    with pytest.raises(EOFError):
        events.next()
    events.close()
