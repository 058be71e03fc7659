"""discover() with section pages and a source's include/exclude, against a local site."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from newsflow.discover.listings import NO_ARTICLE_LINKS, Validators, discover
from newsflow.fetch.client import FetchPolicy, allowed_origins, build_client
from newsflow.fetch.fetcher import Fetcher
from newsflow.fetch.politeness import HostLimiter
from newsflow.records import Outcome, Source
from tests.site.feeds import FeedItem, rss
from tests.site.shapes import PAGES_MODIFIED, ShapedSite


@pytest.fixture
def site() -> Iterator[ShapedSite]:
    with ShapedSite.start("sections") as running:
        yield running


@pytest.fixture
def fetcher(site: ShapedSite) -> Iterator[Fetcher]:
    policy = FetchPolicy(
        user_agent="newsflow/0.1", allowed_hosts=allowed_origins([site.url("/")]), read_timeout=5
    )
    with build_client(policy) as client:
        yield Fetcher(client, policy, HostLimiter(max_concurrency=4, min_delay=0), respect_robots=True)


def _nothing_known(_url: str) -> Validators | None:
    return None


def test_pages_list_their_article_links_and_a_page_without_any_is_an_error(
    site: ShapedSite, fetcher: Fetcher
) -> None:
    source = Source(name="s", pages=(site.url("/world"), site.url("/business"), site.url("/about")))
    found = discover(source, fetcher, known=_nothing_known, max_bytes=1_000_000)
    assert sorted(u.url for u in found.urls) == sorted(site.article_urls())
    assert all(u.found_in in source.pages and u.published_at is None for u in found.urls)
    outcomes = {o.url: o for o in found.outcomes}
    assert outcomes[site.url("/about")].outcome is Outcome.ERROR
    assert outcomes[site.url("/about")].error == f"{site.url('/about')}: {NO_ARTICLE_LINKS}"
    assert (found.listings_ok, found.listings_failed, found.failed_entirely) == (2, 1, False)
    assert set(found.validators) == {site.url("/world"), site.url("/business")}


def test_pages_are_asked_conditionally_like_feeds(site: ShapedSite, fetcher: Fetcher) -> None:
    first = discover(
        Source(name="s", pages=(site.url("/world"),)), fetcher, known=_nothing_known, max_bytes=10**6
    )
    validators = first.validators[site.url("/world")]
    assert validators[1] is not None and PAGES_MODIFIED.strftime("%d %b %Y") in validators[1]
    again = discover(
        Source(name="s", pages=(site.url("/world"),)), fetcher, known=lambda url: validators, max_bytes=10**6
    )
    assert again.urls == [] and [o.outcome for o in again.outcomes] == [Outcome.NOT_MODIFIED]


def test_include_and_exclude_apply_to_feeds_and_pages_alike(site: ShapedSite, fetcher: Fetcher) -> None:
    items = [FeedItem(url, "t", PAGES_MODIFIED) for url in site.article_urls()]
    feed = site.add_page("/all.rss", rss(items, site_url=site.base_url), content_type="application/rss+xml")
    world_only = Source(name="s", feeds=(feed,), pages=(site.url("/"),), exclude=("/business/",))
    found = discover(world_only, fetcher, known=_nothing_known, max_bytes=1_000_000)
    assert {u.url for u in found.urls} == set(site.article_urls("world"))
    assert {u.found_in for u in found.urls} == {feed, site.url("/")}
    included = Source(name="s", feeds=(feed,), include=("/business/",))
    found = discover(included, fetcher, known=_nothing_known, max_bytes=1_000_000)
    assert {u.url for u in found.urls} == set(site.article_urls("business"))
