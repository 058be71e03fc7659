"""discover() against a local site: feeds, sitemap indexes and their children, failures, 304s."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from newsflow.discover.listings import Validators, discover
from newsflow.fetch.client import FetchPolicy, allowed_origins, build_client
from newsflow.fetch.fetcher import Fetcher
from newsflow.fetch.politeness import HostLimiter
from newsflow.records import Outcome, Source
from tests.site.feeds import FeedItem, news_sitemap, rss, sitemap_index, urlset
from tests.site.server import LocalSite, Request, Response

WHEN = datetime(2025, 6, 3, 7, 15, tzinfo=UTC)


@pytest.fixture
def site() -> Iterator[LocalSite]:
    with LocalSite.start() as running:
        yield running


@pytest.fixture
def fetcher(site: LocalSite) -> Iterator[Fetcher]:
    policy = FetchPolicy(
        user_agent="newsflow/0.1 (+mailto:ops@example.org)",
        allowed_hosts=allowed_origins([site.url("/")]),
        read_timeout=1.0,
        connect_timeout=1.0,
    )
    with build_client(policy) as client:
        yield Fetcher(client, policy, HostLimiter(max_concurrency=4, min_delay=0), respect_robots=True)


def _items(site: LocalSite, *paths: str) -> list[FeedItem]:
    return [FeedItem(site.url(path), f"Story {path}", WHEN) for path in paths]


def _nothing_known(_url: str) -> Validators | None:
    return None


def test_feed_and_sitemap_index_with_children(site: LocalSite, fetcher: Fetcher) -> None:
    feed = site.add_page(
        "/feed.xml", rss(_items(site, "/a"), site_url=site.base_url), headers={"ETag": '"f1"'}
    )
    articles = site.add_page("/articles.xml", urlset(_items(site, "/b", "/c")), headers={"ETag": '"a1"'})
    news = site.add_page("/news.xml", news_sitemap(_items(site, "/a", "/d")))
    index = site.add_page(
        "/index.xml", sitemap_index([(articles, WHEN), (news, WHEN)]), headers={"ETag": '"i1"'}
    )
    source = Source("daily", feeds=(feed,), sitemaps=(index,))

    found = discover(source, fetcher, known=_nothing_known, max_bytes=1_000_000)

    assert [(u.url, u.found_in) for u in found.urls] == [
        (site.url("/a"), feed),
        (site.url("/b"), articles),
        (site.url("/c"), articles),
        (site.url("/a"), news),
        (site.url("/d"), news),
    ]
    assert [(o.url, o.outcome, o.http_status) for o in found.outcomes] == [
        (url, Outcome.OK, 200) for url in (feed, index, articles, news)
    ]
    # An index is re-read every run, so its validators are never kept; its children's are.
    assert found.validators == {
        feed: ('"f1"', None),
        index: (None, None),
        articles: ('"a1"', None),
        news: (None, None),
    }
    assert (found.listings_ok, found.listings_failed, found.blocked) == (4, 0, False)


def test_a_listing_that_does_not_parse_is_an_outcome_and_the_rest_go_on(
    site: LocalSite, fetcher: Fetcher
) -> None:
    broken = site.add_page("/broken.xml", "<html><body>Sorry, we moved</body>")
    good = site.add_page("/good.xml", urlset(_items(site, "/a")))
    source = Source("daily", sitemaps=(broken, good))

    found = discover(source, fetcher, known=_nothing_known, max_bytes=1_000_000)

    assert [u.url for u in found.urls] == [site.url("/a")]
    [failed, ok] = found.outcomes
    assert (failed.url, failed.outcome, failed.http_status) == (broken, Outcome.ERROR, 200)
    assert "not well-formed XML" in (failed.error or "")
    assert ok.outcome is Outcome.OK
    assert broken not in found.validators
    assert (found.listings_ok, found.listings_failed, found.failed_entirely) == (1, 1, False)


def test_not_modified_and_forbidden_listings(site: LocalSite, fetcher: Fetcher) -> None:
    def conditional(request: Request) -> Response:
        if request.headers.get("if-none-match") == '"v1"':
            return Response(status=304)
        return Response(body=rss(_items(site, "/a"), site_url=site.base_url), headers={"ETag": '"v1"'})

    unchanged = site.route("/unchanged.xml", conditional)
    walled = site.add_page("/walled.xml", "no", status=403)
    source = Source("daily", feeds=(unchanged, walled))

    found = discover(
        source,
        fetcher,
        known=lambda url: ('"v1"', None) if url == unchanged else None,
        max_bytes=1_000_000,
    )

    assert found.urls == []
    assert [(o.url, o.outcome, o.http_status) for o in found.outcomes] == [
        (unchanged, Outcome.NOT_MODIFIED, 304),
        (walled, Outcome.ERROR, 403),
    ]
    assert found.validators == {}
    assert (found.listings_ok, found.listings_failed, found.blocked) == (1, 1, True)
