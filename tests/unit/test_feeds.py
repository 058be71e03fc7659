"""parse_feed on recorded RSS 2.0, RSS 1.0, Atom and JSON feeds, and on things that are not feeds."""

from __future__ import annotations

import gzip
import time
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path

import pytest

from newsflow.discover.feeds import listing_datetime, parse_feed
from newsflow.errors import FeedError
from newsflow.records import DiscoveredUrl

FIXTURES = Path(__file__).parents[1] / "fixtures" / "feeds"

RSS2_URL = "https://www.example-news.com/politics/rss.xml"
RSS2_EXPECTED = [
    # utm_* dropped; the later duplicate of this article (utm_source=twitter) is folded in.
    (
        "https://www.example-news.com/politics/2025/06/03/budget-vote",
        datetime(2025, 6, 3, 7, 15, tzinfo=UTC),
        "Parliament passes budget & tax package after all-night session",
    ),
    # relative link resolved against the feed URL; title whitespace collapsed
    (
        "https://www.example-news.com/world/2025/06/02/summit-ends",
        datetime(2025, 6, 2, 22, 40, tzinfo=UTC),
        "Summit ends without joint statement",
    ),
    # no <link>, but a permalink guid; EST is UTC-5
    (
        "https://www.example-news.com/business/2025/06/02/rates-held",
        datetime(2025, 6, 2, 17, 0, tzinfo=UTC),
        "Interest rates held at 4.25%",
    ),
]
RDF_URL = "https://nachrichten.example.de/index.rdf"
RDF_EXPECTED = [
    (
        "https://nachrichten.example.de/wirtschaft/energiepreise-sinken-100.html",
        datetime(2025, 6, 3, 12, 0, tzinfo=UTC),
        "Energiepreise sinken für Verbraucher",
    ),
    (
        "https://nachrichten.example.de/sport/pokalfinale-berlin-101.html",
        datetime(2025, 6, 1, 0, 0, tzinfo=UTC),
        "Pokalfinale in Berlin: Größter Andrang seit Jahren",
    ),
]
ATOM_URL = "https://blog.example.org/feed.atom"
ATOM_EXPECTED = [
    # published wins over updated; the alternate link, not the edit link; markup stripped
    (
        "https://blog.example.org/2025/06/court-data-retention/",
        datetime(2025, 6, 3, 9, 30, tzinfo=UTC),
        "Court rules on data retention law",
    ),
    (
        "https://blog.example.org/2025/06/strike-dates-correction/",
        datetime(2025, 6, 2, 18, 45, 30, tzinfo=UTC),
        "Correction: transport strike dates",
    ),
]
JSON_URL = "https://daily.example.net/feed.json"
JSON_EXPECTED = [
    (
        "https://daily.example.net/2025/06/03/monsoon-arrives",
        datetime(2025, 6, 3, 4, 30, tzinfo=UTC),
        "Monsoon arrives early in Kerala",
    ),
    (
        "https://daily.example.net/2025/06/02/markets-close-higher",
        datetime(2025, 6, 2, 16, 30, tzinfo=UTC),
        "Markets close higher",
    ),
]


def _read(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


@pytest.mark.parametrize(
    ("fixture", "url", "expected"),
    [
        ("rss2.xml", RSS2_URL, RSS2_EXPECTED),
        ("rss1.rdf", RDF_URL, RDF_EXPECTED),
        ("atom.xml", ATOM_URL, ATOM_EXPECTED),
        ("jsonfeed.json", JSON_URL, JSON_EXPECTED),
    ],
)
def test_recorded_feeds(fixture: str, url: str, expected: list[tuple[str, datetime, str]]) -> None:
    found = parse_feed(_read(fixture), url=url, source="example")
    # The entry's own `updated` is tested on its own (test_an_entry_updated_after_publication...).
    found = [replace(u, updated_at=None) for u in found]
    assert found == [DiscoveredUrl(link, "example", url, when, title) for link, when, title in expected]
    assert all(item.published_at is not None and item.published_at.tzinfo is UTC for item in found)


@pytest.mark.parametrize("fixture", ["rss2.xml", "atom.xml", "jsonfeed.json"])
def test_unusable_links_are_dropped(fixture: str) -> None:
    urls = [item.url for item in parse_feed(_read(fixture), url=RSS2_URL, source="example")]
    for unwanted in ("mailto:", "tag:", "utm_", "fbclid", ".mp3", "api/posts"):
        assert not any(unwanted in url for url in urls)


def test_gzipped_feed_reads_like_the_plain_one() -> None:
    plain = parse_feed(_read("rss2.xml"), url=RSS2_URL, source="example")
    assert parse_feed(gzip.compress(_read("rss2.xml")), url=RSS2_URL, source="example") == plain


def test_a_truncated_feed_keeps_the_entries_before_the_break() -> None:
    data = _read("rss2.xml")
    found = parse_feed(data[: data.index(b"Interest rates")], url=RSS2_URL, source="example")
    assert [item.url for item in found] == [link for link, _, _ in RSS2_EXPECTED[:2]]


def test_an_empty_but_valid_feed_is_not_an_error() -> None:
    data = b'<?xml version="1.0"?><rss version="2.0"><channel><title>Quiet day</title></channel></rss>'
    assert parse_feed(data, url=RSS2_URL, source="example") == []


def test_a_utf8_bom_before_json_is_tolerated() -> None:
    found = parse_feed(b"\xef\xbb\xbf\n" + _read("jsonfeed.json"), url=JSON_URL, source="example")
    assert [item.url for item in found] == [link for link, _, _ in JSON_EXPECTED]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty body"),
        (b" \r\n\t ", "empty body"),
        (_read("html-as-feed.html"), "not a web page"),
        (_read("garbage.bin"), "did not parse as a feed"),
        (b"<html><body><p>Hello</p></body></html>", "not RSS, Atom or RDF"),
        (b'{"version": "1.0", "items": []}', "not a JSON Feed"),
        (b'{"version": "https://jsonfeed.org/version/1.1", "items": {}}', "no 'items' list"),
        (b'{"version": "https://jsonfeed.org/version/1', "does not parse"),
        (b"[1, 2, 3]", "not a JSON Feed"),
    ],
)
def test_not_a_feed_is_a_feed_error_naming_the_url(data: bytes, message: str) -> None:
    with pytest.raises(FeedError, match=message) as raised:
        parse_feed(data, url=RSS2_URL, source="example")
    assert str(raised.value).startswith(RSS2_URL + ": ")


def test_billion_laughs_is_refused_quickly() -> None:
    started = time.perf_counter()
    with pytest.raises(FeedError, match="refused hostile XML"):
        parse_feed(_read("billion-laughs.xml"), url=RSS2_URL, source="example")
    assert time.perf_counter() - started < 0.5


def test_xxe_feed_is_refused() -> None:
    with pytest.raises(FeedError, match="external entity 'xxe'"):
        parse_feed(_read("xxe.xml"), url=RSS2_URL, source="example")


def test_xxe_never_leaks_a_local_file(tmp_path: Path) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("TOKEN-93ab-do-not-leak")
    data = _read("xxe.xml").replace(b"file:///etc/passwd", secret.as_uri().encode())
    with pytest.raises(FeedError) as raised:
        parse_feed(data, url=RSS2_URL, source="example")
    assert "TOKEN-93ab" not in str(raised.value)


def test_a_body_that_is_a_file_path_is_not_opened(tmp_path: Path) -> None:
    # feedparser.parse(bytes) opens the bytes as a path when such a file exists.
    feed = tmp_path / "local.xml"
    feed.write_bytes(_read("rss2.xml"))
    with pytest.raises(FeedError):
        parse_feed(str(feed).encode(), url=RSS2_URL, source="example")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-06-03T10:00:00+05:30", datetime(2025, 6, 3, 4, 30, tzinfo=UTC)),
        ("2025-06-03T08:00:00.250-04:00", datetime(2025, 6, 3, 12, 0, 0, 250000, tzinfo=UTC)),
        ("2025-06-02T16:30:00Z", datetime(2025, 6, 2, 16, 30, tzinfo=UTC)),
        ("2025-06-01", datetime(2025, 6, 1, tzinfo=UTC)),
        ("Tue, 03 Jun 2025 09:15:00 GMT", datetime(2025, 6, 3, 9, 15, tzinfo=UTC)),
        ("1970-01-01T00:00:00Z", None),
        ("not a date", None),
        ("", None),
        (None, None),
    ],
)
def test_listing_datetime(text: str | None, expected: datetime | None) -> None:
    assert listing_datetime(text) == expected


def test_an_entry_updated_after_publication_says_when_it_changed() -> None:
    """Atom's <updated> and JSON Feed's date_modified are the listing's word that a page changed
    (a stored article is then fetched again at once, newsflow.refresh)."""
    atom = b"""<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom"><title>t</title><id>x</id><updated>2026-11-30T10:00:00Z</updated>
  <entry><title>Changed</title><link href="https://e.org/a"/><id>a</id>
    <published>2026-11-29T08:00:00Z</published><updated>2026-11-30T09:30:00+01:00</updated></entry>
  <entry><title>Never</title><link href="https://e.org/b"/><id>b</id>
    <published>2026-11-29T08:00:00Z</published></entry>
</feed>"""
    changed, never = parse_feed(atom, url="https://e.org/atom.xml", source="example")
    assert changed.published_at == datetime(2026, 11, 29, 8, 0, tzinfo=UTC)
    assert changed.updated_at == datetime(2026, 11, 30, 8, 30, tzinfo=UTC)
    assert never.updated_at is None
    json_feed = (
        b'{"version": "https://jsonfeed.org/version/1.1", "title": "t", "items": [{"id": "1", '
        b'"url": "https://e.org/c", "date_published": "2026-11-29T08:00:00Z", '
        b'"date_modified": "2026-11-30T08:00:00Z"}]}'
    )
    (item,) = parse_feed(json_feed, url="https://e.org/feed.json", source="example")
    assert item.updated_at == datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
