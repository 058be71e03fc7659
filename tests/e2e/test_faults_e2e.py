"""The real ingest flow against the site's fault endpoints, legacy encodings and hostile feeds."""

from __future__ import annotations

import itertools
import resource
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from newsflow.flows.ingest import ingest
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article, FetchEvent
from tests.site import (
    BILLION_LAUGHS_PATH,
    ENCODED_ARTICLES,
    FAULT_ARTICLE_IDS,
    XXE_PATH,
    LocalSite,
    NewsSite,
    load_fixture_articles,
)

pytestmark = pytest.mark.usefixtures("prefect_harness")

GIB = 2**30
# Each failure, by the words a person reading fetch_event.error would look for.
EXPECTED_FAILURES: dict[str, tuple[str, str]] = {
    "/fault/500": ("error", "HTTP 500"),
    "/fault/hang": ("error", "timed out"),
    "/fault/slow": ("error", "timed out"),
    "/fault/huge": ("skipped", "exceeds the cap"),
    "/fault/huge-declared": ("skipped", "exceeds the cap"),
    "/fault/gzip-bomb": ("skipped", "exceeds the cap"),
    "/fault/binary": ("skipped", "binary"),
    "/fault/garbage": ("skipped", "binary"),
    "/fault/redirect-loop": ("error", "redirect"),
    "/fault/404": ("skipped", "HTTP 404"),
    "/fault/410": ("skipped", "HTTP 410"),
    "/fault/empty": ("skipped", "empty"),
    "/fault/401": ("error", "HTTP 401"),
}
GOOD = ("/fault/ok", "/fault/503-then-ok", "/fault/429-then-ok", "/fault/402-teaser")


@pytest.fixture
def site() -> Iterator[NewsSite]:
    # Articles other than those the fault endpoints serve, so every good page is its own row.
    articles = [a for a in load_fixture_articles() if a.id not in FAULT_ARTICLE_IDS.values()][:3]
    with NewsSite.start(articles=articles, widget=False) as running:
        yield running


def run_ingest(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    feeds: list[str],
    sitemaps: tuple[str, ...] = (),
) -> Any:
    sources = tmp_path / "sources.yaml"
    text = f"sources:\n  - name: daily\n    feeds: {feeds!r}\n    sitemaps: {list(sitemaps)!r}\n"
    sources.write_text(text.replace("'", '"'), encoding="utf-8")
    monkeypatch.setenv("DATABASE_URL", database_url)
    return ingest(sources_path=str(sources), return_state=True)


def events_by_path(database_url: str, site: NewsSite) -> dict[str, list[FetchEvent]]:
    with session_scope(database_url) as session:
        events = session.exec(select(FetchEvent)).all()
    found: dict[str, list[FetchEvent]] = {}
    for event in events:
        found.setdefault(event.url.removeprefix(site.base_url), []).append(event)
    return found


def test_every_fault_is_one_readable_event_and_every_good_page_is_stored(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("NEWSFLOW_READ_TIMEOUT", "0.5")
    # Connecting is not under test: a generous limit rides out the site's short listen backlog.
    monkeypatch.setenv("NEWSFLOW_CONNECT_TIMEOUT", "2")
    monkeypatch.setenv("NEWSFLOW_MAX_PAGE_BYTES", "2000000")
    started = time.monotonic()
    state = run_ingest(tmp_path, monkeypatch, database_url, [site.url("/faults.xml"), site.url("/feed.xml")])
    elapsed = time.monotonic() - started

    assert state.is_completed(), state.message
    assert elapsed < 45, f"the run took {elapsed:.1f} s"
    # ru_maxrss is in KiB on Linux: the 200 MiB body and the 10 GiB bomb were cut, not buffered.
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    assert peak < GIB, f"peak RSS {peak / 2**20:.0f} MiB"

    events = events_by_path(database_url, site)
    for path, (outcome, reason) in EXPECTED_FAILURES.items():
        rows = events.get(path, [])
        assert len(rows) == 1, (path, [(e.outcome, e.error) for e in rows])
        assert rows[0].outcome == outcome, (path, rows[0].error)
        assert rows[0].error is not None and reason in rows[0].error, (path, rows[0].error)
        assert path in rows[0].error  # the reason names the URL
    for path in GOOD:
        assert [e.outcome for e in events[path]] == ["ok"], (path, [e.error for e in events[path]])
    # The redirect lands on /fault/ok: stored once, the second copy is a duplicate.
    assert [e.outcome for e in events["/fault/redirect"]] in (["ok"], ["duplicate"])
    # Retry-After was honoured: the site saw every retry, spaced by at least its Retry-After.
    assert site.faults.attempts("/fault/503-then-ok") == 3
    assert site.faults.attempts("/fault/429-then-ok") == 2
    for path in ("/fault/503-then-ok", "/fault/429-then-ok"):
        times = [r.at for r in site.requests if r.path == path]
        # Retry-After: 1, less the varying delay between a slot being granted and the site seeing it.
        assert all(later - earlier >= 0.95 for earlier, later in itertools.pairwise(times)), times

    with session_scope(database_url) as session:
        rows = {a.fetched_url.removeprefix(site.base_url): a for a in session.exec(select(Article)).all()}
    stored = set(rows)
    assert {*GOOD, *(f"/news/{a.id}.html" for a in site.articles)} <= stored
    assert not stored & set(EXPECTED_FAILURES)
    # The paywall's teaser is stored and marked so; the free pages say nothing of a paywall.
    assert rows["/fault/402-teaser"].paywalled is True
    assert rows["/fault/ok"].paywalled is None


def test_legacy_encodings_are_stored_as_correct_text(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    feed = site.add_feed("/enc.xml", urls=[article.path for article in ENCODED_ARTICLES])
    assert run_ingest(tmp_path, monkeypatch, database_url, [feed]).is_completed()
    with session_scope(database_url) as session:
        rows = {a.fetched_url.removeprefix(site.base_url): a for a in session.exec(select(Article)).all()}
    for article in ENCODED_ARTICLES:
        row = rows[article.path]
        assert row.title == article.title
        for paragraph in article.paragraphs:
            assert paragraph in row.text, (article.encoding, paragraph[:40])
        assert "\ufffd" not in row.text and "Ã" not in row.text and "Ð" not in row.text


def test_hostile_feeds_are_refused_and_the_run_goes_on(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    feeds = [site.url(BILLION_LAUGHS_PATH), site.url(XXE_PATH), site.url("/feed.xml")]
    # The same documents offered as sitemaps go through the sitemap parser.
    sitemaps = (site.url(BILLION_LAUGHS_PATH + "?as=sitemap"), site.url(XXE_PATH + "?as=sitemap"))
    started = time.monotonic()
    state = run_ingest(tmp_path, monkeypatch, database_url, feeds, sitemaps)
    assert state.is_completed(), state.message
    assert time.monotonic() - started < 30

    events = events_by_path(database_url, site)
    for path in (BILLION_LAUGHS_PATH, XXE_PATH, *(url.removeprefix(site.base_url) for url in sitemaps)):
        [event] = events[path]
        assert event.outcome == "error" and event.error is not None
        assert "entit" in event.error.lower() and path in event.error, event.error
    with session_scope(database_url) as session:
        articles = session.exec(select(Article)).all()
    assert len(articles) == len(site.articles)
    passwd = Path("/etc/passwd").read_text(encoding="utf-8").splitlines()[0]
    for article in articles:
        assert passwd not in (article.text + (article.title or "")) and "lollol" not in article.text
    # A second run does not fetch the refused feeds as if they were article pages.
    site.reset_requests()
    assert run_ingest(tmp_path, monkeypatch, database_url, feeds, sitemaps).is_completed()
    assert site.count(BILLION_LAUGHS_PATH) == 2 and site.count(XXE_PATH) == 2  # feed + sitemap


def test_no_request_leaves_for_private_addresses_or_other_local_ports(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with LocalSite.start() as bystander:
        # Another service on the same loopback host: not a configured source, so off limits.
        bystander.add_page("/admin", "<html><body><p>secret</p></body></html>")
        targets = {
            "/go/other-port": bystander.url("/admin"),
            "/go/loopback-2": f"http://127.0.0.2:{site.port}/news/x.html",
            "/go/metadata": "http://169.254.169.254/latest/meta-data/",
            "/go/file": "file:///etc/passwd",
        }
        for path, target in targets.items():
            site.add_page(path, b"", status=302, headers={"Location": target})
        listed = [
            f"http://127.0.0.2:{site.port}/news/x.html",
            "http://169.254.169.254/latest/meta-data/",
            "http://10.0.0.1/",
            bystander.url("/admin"),
            "file:///etc/passwd",
            *targets,
            f"/news/{site.articles[0].id}.html",
        ]
        feed = site.add_feed("/ssrf.xml", urls=listed)
        assert run_ingest(tmp_path, monkeypatch, database_url, [feed]).is_completed()
        assert bystander.requests == []

    with session_scope(database_url) as session:
        events = {e.url: e for e in session.exec(select(FetchEvent)).all()}
        stored = [a.fetched_url for a in session.exec(select(Article)).all()]
    assert stored == [site.url(f"/news/{site.articles[0].id}.html")]
    refused = [
        f"http://127.0.0.2:{site.port}/news/x.html",
        "http://169.254.169.254/latest/meta-data/",
        "http://10.0.0.1/",
        bystander.url("/admin"),
        *(site.url(path) for path in targets if path != "/go/file"),
    ]
    for url in refused:
        assert events[url].outcome == "skipped", (url, events[url].error)
        assert "private address" in (events[url].error or ""), (url, events[url].error)
    assert "only http and https" in (events[site.url("/go/file")].error or "")
    assert events[site.url("/go/file")].outcome == "skipped"
    # A file: URL in a feed is no web URL: it never even becomes a candidate.
    assert not [url for url in events if url.startswith("file:")]
