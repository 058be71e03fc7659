"""Finding and ranking a site's listings from what was fetched: <link> tags, robots.txt, entries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from newsflow.discover.autodiscovery import (
    ListingProbe,
    choose,
    common_urls,
    feed_links,
    merged,
    probe_of,
    rank,
    recent,
    robots_sitemaps,
    source_name_for,
)
from newsflow.records import DiscoveredUrl

NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
SECTION = (Path(__file__).resolve().parent.parent / "fixtures" / "pages" / "section-world.html").read_text()

HOMEPAGE = """<!doctype html><html><head>
<link rel="alternate" type="application/rss+xml" title="All" href="/feeds/all.rss">
<link rel="alternate" type="application/atom+xml" href="https://cdn.example.org/atom">
<link rel="alternate" type="application/feed+json" href="feed.json">
<link rel="alternate" type="application/json" href="https://example.org/wp-json/wp/v2/pages/2">
<link rel="alternate" type="text/html" hreflang="fr" href="/fr/">
<link rel="alternate" type="application/rss+xml" href="/feeds/all.rss">
<link rel="stylesheet" type="text/css" href="/a.css">
<link rel="alternate" type="application/rss+xml" href="ftp://example.org/feed">
</head><body><a href="/rss">not a link tag</a></body></html>"""


def test_feed_links_are_the_announced_feeds_absolute_and_once() -> None:
    assert feed_links(HOMEPAGE, page_url="https://example.org/news/") == [
        "https://example.org/feeds/all.rss",
        "https://cdn.example.org/atom",
        "https://example.org/news/feed.json",
    ]
    assert feed_links(SECTION, page_url="https://www.harbourherald.example/world") == [
        "https://www.harbourherald.example/world/rss"
    ]
    assert feed_links("<html><body>no head</body></html>", page_url="https://example.org/") == []


def test_robots_sitemap_lines_are_read_whatever_the_group_or_case() -> None:
    robots = (
        "User-agent: *\nDisallow: /search\n\nSitemap: https://example.org/news-sitemap.xml\n"
        "user-agent: other\nsitemap:/relative.xml # a comment\nSITEMAP: https://example.org/news-sitemap.xml\n"
    )
    assert robots_sitemaps(robots, robots_url="https://example.org/robots.txt") == [
        "https://example.org/news-sitemap.xml",
        "https://example.org/relative.xml",
    ]
    assert robots_sitemaps("User-agent: *\nDisallow:\n", robots_url="https://example.org/robots.txt") == []


def test_common_urls_and_names_come_from_the_site() -> None:
    assert common_urls("https://News.Example.org:8443/a/b?c", ("/feed",)) == [
        "https://news.example.org:8443/feed"
    ]
    assert source_name_for("https://www.theguardian.com/world") == "theguardian-com"
    assert source_name_for("http://127.0.0.1:8080/") == "127-0-0-1"


def _entries(*days_ago: int | None) -> list[DiscoveredUrl]:
    return [
        DiscoveredUrl(f"https://e.org/{i}", "s", "l", None if d is None else NOW - timedelta(days=d))
        for i, d in enumerate(days_ago)
    ]


def test_fresh_listings_rank_first_then_bigger_ones_and_broken_ones_last() -> None:
    stale_big = probe_of("https://e.org/sitemap.xml", "sitemap", _entries(*([30] * 500)))
    fresh = probe_of("https://e.org/feed", "feed", _entries(0, 1, 2))
    fresh_bigger = probe_of("https://e.org/rss.xml", "feed", _entries(0, *([1] * 40)))
    undated = probe_of("https://e.org/atom.xml", "feed", _entries(None, None))
    broken = ListingProbe("https://e.org/feed.xml", "feed", error="HTTP 500")
    empty = probe_of("https://e.org/index.xml", "feed", [])
    ranked = rank([broken, undated, stale_big, fresh, empty, fresh_bigger], now=NOW)
    assert [p.url for p in ranked[:4]] == [fresh_bigger.url, fresh.url, stale_big.url, undated.url]
    assert {p.url for p in ranked[4:]} == {broken.url, empty.url}
    assert choose(ranked).feeds == (fresh_bigger.url,)
    assert choose(ranked).sitemaps == (stale_big.url,)
    assert choose([broken, empty]).empty
    # The address the user gave wins its kind when it is usable, and only then.
    assert choose(ranked, given=undated.url).feeds == (undated.url,)
    assert choose(ranked, given=broken.url).feeds == (fresh_bigger.url,)


def test_a_news_sitemap_wins_a_tie_and_an_index_counts_distinct_entries() -> None:
    news = probe_of("https://e.org/news-sitemap.xml", "sitemap", _entries(0, 1))
    other = probe_of("https://e.org/pages.xml", "sitemap", _entries(0, 1))
    assert [p.url for p in rank([other, news], now=NOW)] == [news.url, other.url]
    index = ListingProbe("https://e.org/index.xml", "sitemap", children=(news.url, other.url))
    judged = merged(index, [news, other], [*_entries(0, 1), *_entries(0, 1)])
    assert (judged.items, judged.newest, judged.children) == (2, NOW, index.children)
    failed = merged(index, [ListingProbe(news.url, "sitemap", error="HTTP 404")], [])
    assert not failed.usable and failed.error


def test_recent_takes_the_newest_dated_entries_then_undated_once_each() -> None:
    entries = _entries(3, None, 0, 5, None, 1)
    entries.append(entries[2])
    picked = recent(entries, 5)
    assert [e.url for e in picked] == [
        "https://e.org/2",
        "https://e.org/5",
        "https://e.org/0",
        "https://e.org/3",
        "https://e.org/1",
    ]
