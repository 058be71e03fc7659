"""Politeness: the per-host limiter, shared by every source of a run; crawl-delay; conditional GET."""

from __future__ import annotations

import itertools
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from newsflow.fetch.politeness import HostLimiter, limiter_for_run
from newsflow.flows.ingest import ingest
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article, FeedState, FetchEvent
from tests.site import FixtureArticle, NewsSite, Request, Response, load_fixture_articles

ARTICLES = load_fixture_articles()
EPSILON = 1e-3  # the limiter and the threads here read the same monotonic clock
# The site sees a request a little after its slot was granted, by a varying amount.
NETWORK_JITTER = 0.1


def run_together(threads: list[threading.Thread], *, timeout: float) -> None:
    """Start every thread, then wait for each."""
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)


def starts_of(limiter: HostLimiter, host: str, count: int, *, hold: float = 0.0) -> list[float]:
    """Start times of `count` requests to `host` racing for the limiter's slots."""
    starts: list[float] = []
    lock = threading.Lock()

    def request() -> None:
        with limiter.slot(host):
            with lock:
                starts.append(time.monotonic())
            time.sleep(hold)  # the request's duration, not an assertion

    threads = [threading.Thread(target=request) for _ in range(count)]
    run_together(threads, timeout=10)
    return sorted(starts)


def gaps(times: list[float]) -> list[float]:
    return [later - earlier for earlier, later in itertools.pairwise(times)]


def test_limiter_caps_concurrent_requests_per_host() -> None:
    limiter = HostLimiter(max_concurrency=2, min_delay=0)
    active, peak = 0, 0
    lock = threading.Lock()

    def request(host: str) -> None:
        nonlocal active, peak
        with limiter.slot(host):
            with lock:
                active += 1
                peak = max(peak, active)
            time.sleep(0.05)
            with lock:
                active -= 1

    threads = [threading.Thread(target=request, args=("a.example",)) for _ in range(6)]
    run_together(threads, timeout=10)
    assert peak == 2


def test_a_freed_slot_wakes_one_waiter_and_every_request_gets_through() -> None:
    # 16 fetch threads on a host with 4 slots: waking every waiter on every release made each
    # request re-check the limiter about a dozen times (CPU the fetching process needs elsewhere).
    checks = 0

    def clock() -> float:
        nonlocal checks
        checks += 1
        return time.monotonic()

    limiter = HostLimiter(max_concurrency=4, min_delay=0, clock=clock)
    active, peak, done = 0, 0, 0
    lock = threading.Lock()

    def fetch_thread() -> None:
        nonlocal active, peak, done
        for _ in range(8):
            with limiter.slot("a.example"):
                with lock:
                    active += 1
                    peak = max(peak, active)
                time.sleep(0.002)
                with lock:
                    active -= 1
                    done += 1

    threads = [threading.Thread(target=fetch_thread) for _ in range(16)]
    run_together(threads, timeout=20)
    assert done == 128 and peak == 4
    # About 2.75 checks per request (on arrival, on waking, to book its start); waking every
    # waiter on every release took 7.5.
    assert checks <= 4 * 128


def test_limiter_spaces_request_starts() -> None:
    limiter = HostLimiter(max_concurrency=4, min_delay=0.05)
    assert all(gap >= 0.05 - EPSILON for gap in gaps(starts_of(limiter, "a.example", 4)))


def test_an_idle_host_leaves_no_state_behind_unless_a_delay_is_pending() -> None:
    # A run over thousands of hosts, each asked a few times, must not keep a record per host.
    limiter = HostLimiter(max_concurrency=1, min_delay=0)
    hosts = [f"h{n}.example" for n in range(200)]
    for host in hosts:
        with limiter.slot(host):
            pass
    limiter.push_back("pushed.example", 30)
    with limiter.slot("busy.example"):
        waiter = threading.Thread(target=lambda: starts_of(limiter, "busy.example", 1))
        waiter.start()
        deadline = time.monotonic() + 10
        while "busy.example" not in limiter._waiting and time.monotonic() < deadline:
            time.sleep(0.01)  # until the waiter waits for busy.example's one slot
        assert "busy.example" in limiter._hosts  # its condition stays while someone waits
    waiter.join(timeout=5)
    remembered = set(limiter._hosts) | set(limiter._active) | set(limiter._next_start)
    assert remembered == {"pushed.example"}  # the pushed-back host keeps its time; the rest is gone
    spaced = HostLimiter(max_concurrency=4, min_delay=0.05)  # a delay still spaces a host's requests
    assert all(gap >= 0.05 - EPSILON for gap in gaps(starts_of(spaced, "a.example", 3)))


def test_crawl_delay_raises_the_delay_of_one_host_only() -> None:
    limiter = HostLimiter(max_concurrency=4, min_delay=0.01)
    limiter.set_delay("slow.example", 0.08)
    limiter.set_delay("slow.example", 0.02)  # never lowered within a run
    assert limiter.delay_for("slow.example") == 0.08 and limiter.delay_for("other.example") == 0.01
    assert all(gap >= 0.08 - EPSILON for gap in gaps(starts_of(limiter, "slow.example", 3)))


def test_push_back_holds_one_host_and_not_the_others() -> None:
    limiter = HostLimiter(max_concurrency=4, min_delay=0)
    order: list[str] = []
    pushed_at = time.monotonic()
    limiter.push_back("busy.example", 0.2)

    def request(host: str) -> None:
        with limiter.slot(host):
            order.append(host)

    threads = [threading.Thread(target=request, args=(host,)) for host in ("busy.example", "free.example")]
    run_together(threads, timeout=10)
    assert order == ["free.example", "busy.example"]
    assert starts_of(limiter, "busy.example", 1)[0] - pushed_at >= 0.2 - EPSILON


def test_one_limiter_per_run() -> None:
    first = limiter_for_run("run-1", max_concurrency=2, min_delay=0)
    assert limiter_for_run("run-1", max_concurrency=2, min_delay=0) is first
    assert limiter_for_run("run-2", max_concurrency=2, min_delay=0) is not first


# End to end, through the real flow.


def write_sources(path: Path, sources: dict[str, dict[str, list[str]]]) -> Path:
    lines = ["sources:"]
    for name, lists in sources.items():
        lines.append(f"  - name: {name}")
        lines.extend(f"    {key}: {urls!r}".replace("'", '"') for key, urls in lists.items())
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def run_ingest(sources: Path, monkeypatch: pytest.MonkeyPatch, database_url: str) -> Any:
    monkeypatch.setenv("DATABASE_URL", database_url)
    state = ingest(sources_path=str(sources), return_state=True)
    assert state.is_completed(), state.message
    return state


class ConcurrencyProbe:
    """Serves articles slowly and remembers how many were being served at once."""

    def __init__(self, site: NewsSite, hold: float) -> None:
        self.site, self.hold, self.active, self.peak = site, hold, 0, 0
        self.lock = threading.Lock()

    def serve(self, article: FixtureArticle) -> str:
        def handler(request: Request) -> Response:
            with self.lock:
                self.active += 1
                self.peak = max(self.peak, self.active)
            self.site.stopping.wait(self.hold)
            with self.lock:
                self.active -= 1
            return Response(body=article.html)

        return self.site.route(f"/slow/{article.id}.html", handler)


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite.start(articles=ARTICLES[:3], widget=False) as running:
        yield running


@pytest.mark.usefixtures("prefect_harness")
def test_two_sources_on_one_host_share_its_concurrency_and_delay(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("NEWSFLOW_PER_HOST_CONCURRENCY", "1")
    monkeypatch.setenv("NEWSFLOW_PER_HOST_DELAY", "0.3")
    monkeypatch.setenv("NEWSFLOW_USER_AGENT", "newsflow/0.1 (+mailto:newsroom-ops@example.org)")
    probe = ConcurrencyProbe(site, hold=0.1)
    first = site.add_feed("/one.xml", urls=[probe.serve(a) for a in ARTICLES[3:6]])
    second = site.add_feed("/two.xml", urls=[probe.serve(a) for a in ARTICLES[6:9]])
    sources = write_sources(
        tmp_path / "sources.yaml", {"one": {"feeds": [first]}, "two": {"feeds": [second]}}
    )
    run_ingest(sources, monkeypatch, database_url)

    assert probe.peak == 1
    spacing = gaps([r.at for r in site.requests])
    assert all(gap >= 0.3 - NETWORK_JITTER for gap in spacing), spacing
    # The configured user agent went out with every request, robots.txt included.
    assert {r.headers.get("user-agent") for r in site.requests} == {
        "newsflow/0.1 (+mailto:newsroom-ops@example.org)"
    }
    with session_scope(database_url) as session:
        assert len(session.exec(select(Article)).all()) == 6


@pytest.mark.usefixtures("prefect_harness")
def test_robots_disallow_and_crawl_delay_are_obeyed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with NewsSite.start(articles=ARTICLES[:4], widget=False, crawl_delay=0.4) as site:
        banned = site.url(f"/news/{ARTICLES[0].id}.html")
        site.set_robots(disallow=[f"/news/{ARTICLES[0].id}.html"], crawl_delay=0.4)
        sources = write_sources(tmp_path / "sources.yaml", {"daily": {"feeds": [site.url("/feed.xml")]}})
        run_ingest(sources, monkeypatch, database_url)
        article_starts = [r.at for r in site.requests if r.path.startswith("/news/")]
        assert site.count(f"/news/{ARTICLES[0].id}.html") == 0 and site.count("/robots.txt") == 1

    assert len(article_starts) == 3
    assert all(gap >= 0.4 - NETWORK_JITTER for gap in gaps(article_starts)), gaps(article_starts)
    with session_scope(database_url) as session:
        [event] = session.exec(select(FetchEvent).where(FetchEvent.url == banned)).all()
    assert event.outcome == "skipped" and "robots.txt" in (event.error or "")


@pytest.mark.usefixtures("prefect_harness")
def test_a_robots_txt_read_by_the_last_run_is_not_asked_again_and_still_rules_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with NewsSite.start(articles=ARTICLES[:5], widget=False) as site:
        paths = site.article_paths()
        site.set_robots(disallow=[paths[0]], crawl_delay=0.4)
        first = {"daily": {"feeds": [site.add_feed("/first.xml", urls=paths[1:3])]}}
        run_ingest(write_sources(tmp_path / "first.yaml", first), monkeypatch, database_url)
        assert site.count("/robots.txt") == 1
        # The next run lists the banned page and two new ones: robots.txt is not asked again, yet
        # its Disallow and its Crawl-delay, read by the first run, hold.
        site.reset_requests()
        second = {**first, "more": {"feeds": [site.add_feed("/second.xml", urls=[paths[0], *paths[3:5]])]}}
        sources = write_sources(tmp_path / "second.yaml", second)
        run_ingest(sources, monkeypatch, database_url)
        assert site.count("/robots.txt") == 0 and site.count(paths[0]) == 0
        starts = [r.at for r in site.requests if r.path in paths[3:5]]
        assert len(starts) == 2 and gaps(starts)[0] >= 0.4 - NETWORK_JITTER, gaps(starts)
        # Asked to, every run reads it afresh.
        site.reset_requests()
        monkeypatch.setenv("NEWSFLOW_ROBOTS_CACHE_SECONDS", "0")
        run_ingest(sources, monkeypatch, database_url)
        assert site.count("/robots.txt") == 1


@pytest.mark.usefixtures("prefect_harness")
def test_a_robots_txt_that_failed_is_asked_again_by_the_next_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with NewsSite.start(articles=ARTICLES[:2], widget=False) as site:
        site.route("/robots.txt", lambda request: Response(status=503, body=b"busy"))
        sources = write_sources(tmp_path / "sources.yaml", {"daily": {"feeds": [site.url("/feed.xml")]}})
        for _ in range(2):  # a 503 is complete disallow for now, not a file to keep
            monkeypatch.setenv("DATABASE_URL", database_url)
            ingest(sources_path=str(sources), return_state=True)
        assert site.count("/robots.txt") == 2 and site.count("/feed.xml") == 0


@pytest.mark.usefixtures("prefect_harness")
def test_a_crawl_delay_learnt_in_one_run_does_not_slow_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with NewsSite.start(articles=[], widget=False, crawl_delay=1.5) as slow:
        sources = write_sources(tmp_path / "slow.yaml", {"slow": {"feeds": [slow.url("/empty.xml")]}})
        monkeypatch.setenv("DATABASE_URL", database_url)
        ingest(sources_path=str(sources), return_state=True)
    # Same host (127.0.0.1), another port, no crawl-delay: the next run owes it nothing.
    with NewsSite.start(articles=ARTICLES[:3], widget=False) as fast:
        sources = write_sources(tmp_path / "fast.yaml", {"fast": {"feeds": [fast.url("/feed.xml")]}})
        run_ingest(sources, monkeypatch, database_url)
        starts = [r.at for r in fast.requests]
    assert len(starts) == 5 and max(gaps(starts)) < 1.5, gaps(starts)


@pytest.mark.usefixtures("prefect_harness")
def test_sitemaps_are_fetched_conditionally_and_an_unchanged_index_still_reveals_new_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with NewsSite.start(articles=ARTICLES[:3], widget=False) as site:
        # An index whose bytes never change, as on many real sites, over a child that does.
        body = (
            '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"<sitemap><loc>{site.url('/sitemaps/news.xml')}</loc></sitemap></sitemapindex>"
        ).encode()
        fixed = Response(
            body=body, content_type="application/xml", last_modified=datetime(2019, 11, 25, tzinfo=UTC)
        )
        index = site.route("/static-index.xml", lambda request: fixed)
        sources = write_sources(tmp_path / "sources.yaml", {"daily": {"sitemaps": [index]}})
        run_ingest(sources, monkeypatch, database_url)
        with session_scope(database_url) as session:
            states = {s.url: s for s in session.exec(select(FeedState)).all()}
            assert len(session.exec(select(Article)).all()) == 3
        assert states[site.url("/sitemaps/news.xml")].etag

        site.reset_requests()
        run_ingest(sources, monkeypatch, database_url)
        news = [r for r in site.requests if r.path == "/sitemaps/news.xml"]
        assert len(news) == 1 and "if-none-match" in news[0].headers
        assert not [r for r in site.requests if r.path.startswith("/news/")]

        site.reset_requests()
        late = site.publish(ARTICLES[3])
        run_ingest(sources, monkeypatch, database_url)
        assert [r.path for r in site.requests if r.path.startswith("/news/")] == [
            late.removeprefix(site.base_url)
        ]
        with session_scope(database_url) as session:
            assert len(session.exec(select(Article)).all()) == 4


@pytest.mark.usefixtures("prefect_harness")
def test_urls_beyond_the_per_run_cap_are_fetched_by_the_next_run(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("NEWSFLOW_MAX_URLS_PER_SOURCE", "2")
    sources = write_sources(tmp_path / "sources.yaml", {"daily": {"feeds": [site.url("/feed.xml")]}})
    run_ingest(sources, monkeypatch, database_url)
    # The feed is unchanged, but the listing was not worked through: no 304 may hide the rest.
    run_ingest(sources, monkeypatch, database_url)
    with session_scope(database_url) as session:
        assert len(session.exec(select(Article)).all()) == 3
