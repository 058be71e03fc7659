"""parse_sitemap on recorded sitemap indexes, url sets, Google News, gzip and text sitemaps."""

from __future__ import annotations

import gzip
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.discover.sitemaps import SitemapDocument, parse_sitemap
from newsflow.errors import FeedError
from newsflow.records import DiscoveredUrl

FIXTURES = Path(__file__).parents[1] / "fixtures" / "feeds"
BASE = "https://www.example-news.com/sitemaps/"
ARTICLES_URL = BASE + "articles-2025-06.xml.gz"


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def _found(
    url: str,
    published_at: datetime | None = None,
    title: str | None = None,
    *,
    in_: str,
    lastmod: datetime | bool | None = True,
) -> DiscoveredUrl:
    """`lastmod` True: the entry's lastmod is its published_at (a plain sitemap)."""
    updated = published_at if lastmod is True else (lastmod or None)
    return DiscoveredUrl(url, "example", in_, published_at, title, updated)


def test_sitemap_index_lists_web_children_once() -> None:
    document = parse_sitemap(_read("sitemap-index.xml"), url=BASE + "index.xml", source="example")
    assert document == SitemapDocument(
        urls=(),
        sitemaps=(
            "https://www.example-news.com/sitemaps/news.xml",
            "https://www.example-news.com/sitemaps/articles-2025-06.xml.gz",
            "https://www.example-news.com/sitemaps/articles.xml?yyyy=2025&mm=05",
            "https://www.example-news.com/sitemaps/video.xml",
        ),
    )
    assert not any(child.startswith("file:") for child in document.sitemaps)


def test_gzipped_urlset() -> None:
    document = parse_sitemap(_read("sitemap-articles.xml.gz"), url=ARTICLES_URL, source="example")
    assert document.sitemaps == ()
    assert document.urls == (
        _found(
            "https://www.example-news.com/politics/2025/06/03/budget-vote",
            datetime(2025, 6, 3, 7, 15, tzinfo=UTC),
            in_=ARTICLES_URL,
        ),
        _found(
            "https://www.example-news.com/world/2025/06/02/summit-ends",
            datetime(2025, 6, 2, tzinfo=UTC),
            in_=ARTICLES_URL,
        ),
        _found("https://www.example-news.com/culture/2025/05/31/festival-review", in_=ARTICLES_URL),
    )
    # image:title belongs to the picture, not the article
    assert all(item.title is None for item in document.urls)


def test_gzipped_fixture_matches_its_source() -> None:
    assert gzip.decompress(_read("sitemap-articles.xml.gz")) == _read("sitemap-articles.xml")
    plain = parse_sitemap(_read("sitemap-articles.xml"), url=ARTICLES_URL, source="example")
    assert parse_sitemap(_read("sitemap-articles.xml.gz"), url=ARTICLES_URL, source="example") == plain


def test_google_news_sitemap_prefers_publication_date_and_news_title() -> None:
    url = BASE + "news.xml"
    document = parse_sitemap(_read("news-sitemap.xml"), url=url, source="example")
    assert document.urls == (
        # publication_date (07:15Z), not the later lastmod (09:42Z), which says when it changed
        _found(
            "https://www.example-news.com/politics/2025/06/03/budget-vote",
            datetime(2025, 6, 3, 7, 15, tzinfo=UTC),
            "Parliament passes budget & tax package after all-night session",
            in_=url,
            lastmod=datetime(2025, 6, 3, 9, 42, tzinfo=UTC),
        ),
        # video:publication_date and video:title are not the news ones: lastmod, no title
        _found(
            "https://www.example-news.com/video/2025/06/03/budget-explained",
            datetime(2025, 6, 3, 12, 0, tzinfo=UTC),
            in_=url,
        ),
        _found(
            "https://www.example-news.com/world/2025/06/03/quake-aid",
            datetime(2025, 6, 3, tzinfo=UTC),
            "Aid arrives after earthquake",
            in_=url,
            lastmod=None,  # no lastmod: nothing says it changed
        ),
    )


def test_plain_text_sitemap() -> None:
    url = BASE + "sitemap.txt"
    document = parse_sitemap(_read("sitemap.txt"), url=url, source="example")
    assert document == SitemapDocument(
        urls=(
            _found("https://www.example-news.com/politics/2025/06/03/budget-vote", in_=url),
            _found("https://www.example-news.com/world/2025/06/02/summit-ends", in_=url),
        )
    )


@pytest.mark.parametrize(
    "namespace",
    [
        'xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"',
        'xmlns="http://www.google.com/schemas/sitemap/0.84"',
        "",
    ],
)
def test_urlset_namespace_variants(namespace: str) -> None:
    data = (
        f"<urlset {namespace}><url><loc>https://a.example/x</loc><lastmod>2025-06-03</lastmod></url></urlset>"
    )
    document = parse_sitemap(data.encode(), url="https://a.example/sitemap.xml", source="example")
    assert [(item.url, item.published_at) for item in document.urls] == [
        ("https://a.example/x", datetime(2025, 6, 3, tzinfo=UTC))
    ]


def test_a_large_urlset_streams_through_in_order() -> None:
    count = 5_000
    entries = "".join(
        f"<url><loc>https://a.example/{i}</loc><lastmod>2025-06-03</lastmod></url>\n" for i in range(count)
    )
    data = f'<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n{entries}</urlset>'.encode()
    document = parse_sitemap(data, url="https://a.example/sitemap.xml", source="example")
    assert [item.url for item in document.urls] == [f"https://a.example/{i}" for i in range(count)]
    assert all(item.published_at == datetime(2025, 6, 3, tzinfo=UTC) for item in document.urls)


def test_a_bom_and_blank_lines_before_the_root_are_tolerated() -> None:
    data = b"\xef\xbb\xbf\n  \n<urlset><url><loc>https://a.example/x</loc></url></urlset>"
    document = parse_sitemap(data, url="https://a.example/sitemap.xml", source="example")
    assert [item.url for item in document.urls] == ["https://a.example/x"]


def test_a_sitemap_cut_off_midway_is_a_feed_error() -> None:
    # Streaming must not turn a broken document into a partial listing.
    data = _read("sitemap-articles.xml")
    with pytest.raises(FeedError, match="not well-formed XML"):
        parse_sitemap(data[: len(data) // 2], url=ARTICLES_URL, source="example")


@pytest.mark.parametrize(
    ("fixture", "message"),
    [
        ("xxe-sitemap.xml", "refused hostile XML: it declares an external entity"),
        ("billion-laughs.xml", "refused hostile XML: it declares the DTD entity"),
        ("html-as-feed.html", "not well-formed XML"),
        ("rss2.xml", "root element is <rss>, not <urlset> or <sitemapindex>"),
        ("garbage.bin", "neither XML nor UTF-8 text"),
    ],
)
def test_not_a_sitemap_is_a_feed_error(fixture: str, message: str) -> None:
    started = time.perf_counter()
    with pytest.raises(FeedError, match=message) as raised:
        parse_sitemap(_read(fixture), url=ARTICLES_URL, source="example")
    assert str(raised.value).startswith(ARTICLES_URL + ": ")
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty body"),
        (gzip.compress(b"  \n"), "empty body"),
        (b"Welcome to our site!\nNothing to see here.\n", "no URLs in this text body"),
    ],
)
def test_empty_or_urlless_body_is_a_feed_error(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message):
        parse_sitemap(data, url=ARTICLES_URL, source="example")


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"<urlset>" + b" " * (51 * 1024 * 1024) + b"</urlset>", compresslevel=1)
    with pytest.raises(FeedError, match="decompression bomb"):
        parse_sitemap(bomb, url=ARTICLES_URL, source="example")


def test_xxe_sitemap_leaks_nothing(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN-51c0-do-not-leak")
    data = _read("xxe-sitemap.xml").replace(b"file:///etc/passwd", secret.as_uri().encode())
    with pytest.raises(FeedError) as raised:
        parse_sitemap(data, url=ARTICLES_URL, source="example")
    assert "TOKEN-51c0" not in str(raised.value)
