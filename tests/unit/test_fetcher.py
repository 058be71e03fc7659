"""The Fetcher: robots.txt once per origin, RFC 9309 on failures, retries and Retry-After, page checks."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from newsflow.fetch.client import FetchPolicy, FetchResponse, allowed_origins, build_client
from newsflow.fetch.fetcher import Fetcher, check_page_body
from newsflow.fetch.politeness import HostLimiter
from newsflow.records import DiscoveredUrl, FetchedPage, FetchOutcome, Outcome, Validators
from newsflow.refresh import DueArticle
from tests.site import NewsSite, Response, load_fixture_articles

ARTICLES = load_fixture_articles()[:6]


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite.start(articles=ARTICLES, widget=False) as running:
        yield running


def make_fetcher(site: NewsSite, **policy: object) -> Fetcher:
    values: dict[str, object] = {"read_timeout": 1.0, "connect_timeout": 1.0, "max_retry_after": 5.0}
    values.update(policy)
    settings = FetchPolicy(
        user_agent="newsflow/0.1 (+mailto:ops@example.org)",
        allowed_hosts=allowed_origins([site.url("/")]),
        **values,  # type: ignore[arg-type]
    )
    return Fetcher(
        build_client(settings), settings, HostLimiter(max_concurrency=4, min_delay=0), respect_robots=True
    )


def items(site: NewsSite, paths: list[str]) -> list[DiscoveredUrl]:
    return [DiscoveredUrl(site.url(path), "daily", site.url("/feed.xml")) for path in paths]


def test_robots_txt_is_read_once_per_origin_however_many_fetch_at_once(site: NewsSite) -> None:
    results = make_fetcher(site).fetch_pages(items(site, site.article_paths()), concurrency=6)
    assert all(isinstance(result, FetchedPage) for result in results)
    assert site.count("/robots.txt") == 1


def test_each_robots_txt_read_is_handed_out_once_whichever_source_asks(site: NewsSite) -> None:
    # Every source of a run shares the run's fetcher: a file read for one must be kept once, not
    # once per source that finishes after it.
    shared = make_fetcher(site)
    shared.fetch_pages(items(site, site.article_paths()[:1]), concurrency=1)
    [kept] = shared.take_robots_read()
    assert kept.origin == site.url("").rstrip("/") and "User-agent" in kept.text
    assert shared.take_robots_read() == []
    # Known, it is not asked again by another fetcher.
    other = make_fetcher(site)
    other.know_robots([kept])
    other.fetch_pages(items(site, site.article_paths()[1:2]), concurrency=1)
    assert site.count("/robots.txt") == 1 and other.take_robots_read() == []


def test_a_disallowed_page_is_skipped_for_good_and_never_requested(site: NewsSite) -> None:
    banned = site.article_paths()[0]
    site.set_robots(disallow=[banned])
    [outcome] = make_fetcher(site).fetch_pages(items(site, [banned]), concurrency=1)
    assert isinstance(outcome, FetchOutcome) and outcome.outcome is Outcome.SKIPPED
    assert "disallowed by robots.txt" in (outcome.error or "")
    assert site.count(banned) == 0


@pytest.mark.parametrize(("status", "expected"), [(503, 503), (429, 429)])
def test_an_unreadable_robots_txt_defers_the_pages_without_settling_them(
    site: NewsSite, status: int, expected: int
) -> None:
    site.add_page("/robots.txt", b"busy", status=status)
    results = make_fetcher(site).fetch_pages(items(site, site.article_paths()[:2]), concurrency=2)
    for outcome in results:
        assert isinstance(outcome, FetchOutcome) and outcome.outcome is Outcome.ERROR
        assert f"robots.txt answered HTTP {expected}" in (outcome.error or "")
        assert outcome.http_status == expected
    assert not [path for path in site.requested_paths() if path.startswith("/news/")]


def test_a_missing_robots_txt_allows_everything(site: NewsSite) -> None:
    site.add_page("/robots.txt", b"not here", status=404)
    [page] = make_fetcher(site).fetch_pages(items(site, site.article_paths()[:1]), concurrency=1)
    assert isinstance(page, FetchedPage)


def test_a_retry_after_beyond_the_limit_defers_the_page_to_the_next_run(site: NewsSite) -> None:
    site.route("/busy", lambda r: Response(status=429, body=b"slow down", headers={"Retry-After": "3600"}))
    [outcome] = make_fetcher(site).fetch_pages(items(site, ["/busy"]), concurrency=1)
    assert isinstance(outcome, FetchOutcome) and outcome.outcome is Outcome.ERROR
    assert outcome.http_status == 429 and "HTTP 429" in (outcome.error or "")
    assert site.count("/busy") == 1


def test_retry_after_is_waited_for_then_the_page_is_fetched(site: NewsSite) -> None:
    [page] = make_fetcher(site).fetch_pages(items(site, ["/fault/429-then-ok?run=unit"]), concurrency=1)
    assert isinstance(page, FetchedPage)
    first, second = (r.at for r in site.requests if r.path == "/fault/429-then-ok?run=unit")
    assert second - first >= 1.0 - 0.05  # less the varying delay before the site sees a request


def test_permanent_and_transient_failures(site: NewsSite) -> None:
    paths = ["/fault/404", "/fault/410", "/fault/binary", "/fault/500?run=unit"]
    outcomes = make_fetcher(site, max_retries=0).fetch_pages(items(site, paths), concurrency=4)
    assert [o.outcome for o in outcomes if isinstance(o, FetchOutcome)] == [
        Outcome.SKIPPED,
        Outcome.SKIPPED,
        Outcome.SKIPPED,
        Outcome.ERROR,
    ]


@pytest.mark.parametrize(
    ("content_type", "body", "reason"),
    [
        ("application/pdf", b"%PDF-1.7 ...", "not a web page"),
        ("text/html", b"   \n", "empty"),
        ("text/html", b"\x89PNG\r\n\x1a\n....", "binary"),
        ("text/html", b"just words, no markup at all", "no HTML markup"),
    ],
)
def test_page_checks(content_type: str, body: bytes, reason: str) -> None:
    from newsflow.errors import UnsupportedContent

    response = FetchResponse("http://example.com/a", "http://example.com/a", 200, body, content_type)
    with pytest.raises(UnsupportedContent, match=reason):
        check_page_body(response)


def _due(url: str, validators: Validators | None = None) -> DueArticle:
    return DueArticle(1, url, "daily", datetime.now(UTC), 0, None, validators)


def test_a_refetch_is_conditional_and_says_304_removed_or_failed(site: NewsSite) -> None:
    fetcher = make_fetcher(site, max_retries=0)
    path = site.article_paths()[0]
    site.route(
        "/dated.html",
        lambda _: Response(body=b"<html><p>Text.</p></html>", last_modified=datetime(2026, 1, 1, tzinfo=UTC)),
    )
    first = fetcher.fetch_page(items(site, ["/dated.html"])[0])
    assert isinstance(first, FetchedPage) and first.validators is not None and first.validators.etag
    # The stored validators go back as If-None-Match / If-Modified-Since: the site answers 304.
    again = fetcher.refetch_page(_due(site.url("/dated.html"), first.validators))
    assert isinstance(again, FetchOutcome) and (again.outcome, again.http_status) == (
        Outcome.NOT_MODIFIED,
        304,
    )
    sent = site.requests[-1].headers
    assert sent["if-none-match"] == first.validators.etag and "if-modified-since" in sent
    # Without validators, the page itself, with the stored hints.
    page = fetcher.refetch_page(_due(site.url(path)))
    assert isinstance(page, FetchedPage) and page.url == site.url(path)
    for status, expected in ((404, Outcome.REMOVED), (410, Outcome.REMOVED), (503, Outcome.ERROR)):
        site.add_page(f"/s{status}.html", b"<html>no</html>", status=status)
        outcome = fetcher.refetch_page(_due(site.url(f"/s{status}.html")))
        assert isinstance(outcome, FetchOutcome) and (outcome.outcome, outcome.http_status) == (
            expected,
            status,
        )


def test_a_paywall_answer_with_a_page_is_kept_and_one_without_is_the_wall_it_was(site: NewsSite) -> None:
    fetcher = make_fetcher(site, max_retries=0)
    teaser = b"<html><body><h1>Bridge reopens</h1><p>The first lines, then a paywall.</p></body></html>"
    site.add_page("/teaser.html", teaser, status=402)
    site.add_page("/login.html", b"", status=401)
    page, wall = fetcher.fetch_pages(items(site, ["/teaser.html", "/login.html"]), concurrency=2)
    assert isinstance(page, FetchedPage) and (page.status, page.body) == (402, teaser)
    assert isinstance(wall, FetchOutcome) and (wall.outcome, wall.http_status) == (Outcome.ERROR, 401)
    assert wall.error is not None and "HTTP 401" in wall.error
    # A stored article answering 402 on a refresh keeps its stored version: the refresh failed.
    again = fetcher.refetch_page(_due(site.url("/teaser.html")))
    assert isinstance(again, FetchOutcome) and (again.outcome, again.http_status) == (Outcome.ERROR, 402)
