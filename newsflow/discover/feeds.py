"""Parse RSS 2.0, RSS 1.0 (RDF), Atom and JSON Feed bodies into discovered article URLs."""

from __future__ import annotations

import calendar
import io
import json
import time
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

import feedparser
import lxml.html

from newsflow.discover.xml_safety import ensure_safe_xml, maybe_gunzip
from newsflow.errors import FeedError
from newsflow.extract.dates import parse_datetime, to_utc
from newsflow.records import DiscoveredUrl
from newsflow.urls import canonicalize_url

_BOMS = (b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")
_JSON_FEED_VERSION_PREFIX = "https://jsonfeed.org/version/"
# feedparser flags these as bozo although the document parsed fine.
_BENIGN_BOZO = (feedparser.CharacterEncodingOverride, feedparser.NonXMLContentType)
_DATE_KEYS = ("published", "updated", "created")

# What one feed entry says: (link as written, published or updated instant, title, updated
# instant: a later edit, which makes a stored article due for a refetch).
ListingEntry = tuple[str | None, datetime | None, str | None, datetime | None]
# Placeholder dates such as 1970-01-01 in CMS output mean "unknown".
_EARLIEST_YEAR = 1990


def parse_feed(data: bytes, *, url: str, source: str) -> list[DiscoveredUrl]:
    """The article URLs listed in a feed body, in feed order, one per canonical URL."""
    data = maybe_gunzip(data, what=url)
    head = data.lstrip()
    for bom in _BOMS:
        head = head.removeprefix(bom).lstrip()
    if not head:
        raise FeedError(f"{url}: empty body where a feed was expected; check the feed URL")
    if head.startswith((b"{", b"[")):
        found = _json_feed_entries(head, url=url)
    else:
        found = _xml_feed_entries(data, url=url)
    return discovered_urls(found, url=url, source=source)


def listing_datetime(value: object) -> datetime | None:
    """A feed or sitemap date in UTC: ISO 8601 read exactly, anything else leniently."""
    if not isinstance(value, str) or not value.strip():
        return None
    # JSON Feed and sitemaps mandate RFC 3339 / W3C datetimes; read their offsets exactly
    # before handing odd publisher formats to the lenient parser.
    try:
        exact = to_utc(datetime.fromisoformat(value.strip()))
    except ValueError:
        lenient = parse_datetime(value)
        return lenient[0] if lenient else None
    return exact if exact.year >= _EARLIEST_YEAR else None


def discovered_urls(found: Iterable[ListingEntry], *, url: str, source: str) -> list[DiscoveredUrl]:
    """Canonical article URLs of a listing's entries, first occurrence kept, non-web links dropped."""
    result: dict[str, DiscoveredUrl] = {}
    for link, published_at, title, updated_at in found:
        canonical = canonicalize_url(link, base=url) if link else None
        if canonical and canonical not in result:
            result[canonical] = DiscoveredUrl(canonical, source, url, published_at, title, updated_at)
    return list(result.values())


def _clean_title(value: object) -> str | None:
    if not isinstance(value, str):
        return None
    return " ".join(value.split()) or None


def _xml_feed_entries(data: bytes, *, url: str) -> list[ListingEntry]:
    # feedparser's loose parser would expand declared entities: screen the DTD first.
    ensure_safe_xml(data, what=url)
    # A bytes argument may be read as a file name by feedparser; a stream never is.
    # Saying "XML" up front keeps bozo for real parse errors, not for a missing header.
    headers = {"content-location": url, "content-type": "application/xml"}
    parsed = feedparser.parse(io.BytesIO(data), response_headers=headers, sanitize_html=False)
    entries = parsed.get("entries") or []
    bozo = parsed.get("bozo_exception") if parsed.get("bozo") else None
    if not entries and (not parsed.get("version") or (bozo and not isinstance(bozo, _BENIGN_BOZO))):
        why = f"it did not parse as a feed ({bozo})" if bozo else "it is not RSS, Atom or RDF"
        raise FeedError(f"{url}: no feed entries: {why}; check that the URL serves a feed, not a web page")
    return [
        (_entry_link(entry), _entry_date(entry), _entry_title(entry), _entry_date(entry, keys=("updated",)))
        for entry in entries
    ]


def _field(entry: Mapping[str, Any], key: str) -> Any:
    # Plain dict lookup: FeedParserDict maps a missing "updated" to "published" with a warning.
    return dict.get(entry, key) if isinstance(entry, dict) else entry.get(key)


def _entry_title(entry: Mapping[str, Any]) -> str | None:
    title = _field(entry, "title")
    detail = _field(entry, "title_detail") or {}
    if isinstance(title, str) and title.strip() and "html" in str(detail.get("type", "")):
        title = lxml.html.fragment_fromstring(title, create_parent="span").text_content()
    return _clean_title(title)


def _entry_link(entry: Mapping[str, Any]) -> str | None:
    link = _field(entry, "link")
    if isinstance(link, str) and link.strip():
        return link
    # Atom entries may carry only non-alternate links, or an alternate one without rel.
    for candidate in _field(entry, "links") or []:
        if candidate.get("rel", "alternate") == "alternate" and candidate.get("href"):
            return str(candidate["href"])
    return None


def _entry_date(entry: Mapping[str, Any], keys: tuple[str, ...] = _DATE_KEYS) -> datetime | None:
    for key in keys:
        # feedparser already normalized these to UTC, and knows more feed date dialects.
        struct = _field(entry, f"{key}_parsed")
        if isinstance(struct, time.struct_time) and struct.tm_year >= _EARLIEST_YEAR:
            return datetime.fromtimestamp(calendar.timegm(struct), tz=UTC)
        parsed = listing_datetime(_field(entry, key))
        if parsed:
            return parsed
    return None


def _json_feed_entries(data: bytes, *, url: str) -> list[ListingEntry]:
    try:
        document = json.loads(data)
    except (ValueError, UnicodeDecodeError) as error:
        raise FeedError(
            f"{url}: body looks like JSON but does not parse ({error}); check the feed URL"
        ) from error
    version = document.get("version") if isinstance(document, dict) else None
    if not isinstance(version, str) or not version.startswith(_JSON_FEED_VERSION_PREFIX):
        raise FeedError(f"{url}: JSON body is not a JSON Feed (no jsonfeed.org version); check the feed URL")
    items = document.get("items")
    if not isinstance(items, list):
        raise FeedError(f"{url}: JSON Feed has no 'items' list; check the feed URL")
    return [_json_item(item) for item in items if isinstance(item, dict)]


def _json_item(item: dict[str, Any]) -> ListingEntry:
    link = item.get("url")
    published_at = listing_datetime(item.get("date_published")) or listing_datetime(item.get("date_modified"))
    updated_at = listing_datetime(item.get("date_modified"))
    return (
        (link if isinstance(link, str) else None),
        published_at,
        _clean_title(item.get("title")),
        updated_at,
    )
