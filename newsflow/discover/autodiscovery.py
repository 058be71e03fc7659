"""Find a site's feeds and sitemaps from one of its pages, and rank them: pure, no fetching.

`newsflow sources add` fetches (newsflow.discover.site_probe); these functions only read what
was fetched: a page's `<link rel="alternate">` tags, robots.txt `Sitemap:` lines, and the parsed
listings' entries (how many, how fresh).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Literal
from urllib.parse import urljoin, urlsplit, urlunsplit

from newsflow.extract.tree import parse_html
from newsflow.records import DiscoveredUrl

ListingKind = Literal["feed", "sitemap"]

# Where sites put a feed when their pages do not announce one.
COMMON_FEED_PATHS = ("/feed", "/rss", "/rss.xml", "/feed.xml", "/atom.xml", "/index.xml", "/feed.json")
# Where sites put a sitemap when robots.txt does not say.
COMMON_SITEMAP_PATHS = ("/sitemap.xml", "/sitemap_index.xml", "/news-sitemap.xml", "/sitemap-news.xml")

_FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/feed+json",
        "application/json",
        "text/xml",
        "application/xml",
    }
)
# A <link type="application/json"> is usually the WordPress REST API, not a JSON Feed.
_JSON_API_HINTS = ("/wp-json", "oembed")
_SITEMAP_LINE = re.compile(r"^\s*sitemap\s*:\s*(\S+)", re.IGNORECASE | re.MULTILINE)
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")
_NEWS_HINT = re.compile(r"news", re.IGNORECASE)


def feed_links(html: str, *, page_url: str) -> list[str]:
    """The feed URLs a page announces in `<link rel="alternate" type=…>`, absolute, in page order."""
    tree = parse_html(html)
    if tree is None:
        return []
    found: dict[str, None] = {}
    for link in tree.iter("link"):
        rel = (link.get("rel") or "").lower().split()
        kind = (link.get("type") or "").split(";", 1)[0].strip().lower()
        href = (link.get("href") or "").strip()
        if "alternate" not in rel or kind not in _FEED_TYPES or not href:
            continue
        url = _absolute(href, base=page_url)
        if url is None or (kind == "application/json" and any(h in url for h in _JSON_API_HINTS)):
            continue
        found.setdefault(url, None)
    return list(found)


def robots_sitemaps(text: str, *, robots_url: str) -> list[str]:
    """The `Sitemap:` URLs of a robots.txt (they apply to every user agent), absolute, in order."""
    found: dict[str, None] = {}
    for match in _SITEMAP_LINE.finditer(text):
        url = _absolute(match.group(1), base=robots_url)
        if url is not None:
            found.setdefault(url, None)
    return list(found)


def site_root(url: str) -> str:
    """'scheme://host[:port]' of `url`."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))


def common_urls(url: str, paths: Sequence[str]) -> list[str]:
    """The common feed or sitemap `paths` on the site of `url`."""
    root = site_root(url)
    return [root + path for path in paths]


def source_name_for(url: str) -> str:
    """A source name from the host: 'www.example.co.uk' -> 'example-co-uk'."""
    host = (urlsplit(url).hostname or "").lower().removeprefix("www.")
    return _SLUG_CHARS.sub("-", host).strip("-")[:63] or "source"


def _absolute(href: str, *, base: str) -> str | None:
    try:
        url = urljoin(base, href.strip())
        parts = urlsplit(url)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return urlunsplit((parts.scheme.lower(), parts.netloc.lower(), parts.path or "/", parts.query, ""))


@dataclass(frozen=True, slots=True)
class ListingProbe:
    """One candidate feed or sitemap as fetched: what it lists, or why it is of no use."""

    url: str
    kind: ListingKind
    items: int = 0
    newest: datetime | None = None
    error: str | None = None  # set when it could not be fetched or parsed
    children: tuple[str, ...] = ()  # a sitemap index's sitemaps

    @property
    def usable(self) -> bool:
        return self.error is None and self.items > 0


def probe_of(url: str, kind: ListingKind, entries: Sequence[DiscoveredUrl]) -> ListingProbe:
    """Summarize a parsed listing: how many entries, and the newest date among them."""
    dates = [e.published_at for e in entries if e.published_at is not None]
    return ListingProbe(url, kind, items=len(entries), newest=max(dates, default=None))


def merged(
    index: ListingProbe, children: Sequence[ListingProbe], entries: Iterable[DiscoveredUrl]
) -> ListingProbe:
    """A sitemap index judged by the children read: their distinct entries, their newest date."""
    if not any(c.error is None for c in children):
        return replace(index, error=index.error or "none of its sitemaps could be read")
    distinct = list({e.url: e for e in entries}.values())
    return replace(probe_of(index.url, index.kind, distinct), children=index.children)


def rank(probes: Iterable[ListingProbe], *, now: datetime) -> list[ListingProbe]:
    """Usable listings first, then by freshness of their newest entry (by day: an undated listing
    comes after every dated one), then by how many entries they list."""

    def key(probe: ListingProbe) -> tuple[int, float, int, int]:
        age_days = (now - probe.newest).total_seconds() // 86400 if probe.newest else float("inf")
        return (0 if probe.usable else 1, max(age_days, 0.0), -probe.items, _not_news(probe))

    return sorted(probes, key=key)


def _not_news(probe: ListingProbe) -> int:
    return 0 if _NEWS_HINT.search(urlsplit(probe.url).path) else 1


@dataclass(frozen=True, slots=True)
class Choice:
    """The listings a new source gets: the best feed and the best sitemap, when there are any."""

    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()

    @property
    def empty(self) -> bool:
        return not self.feeds and not self.sitemaps


def choose(ranked: Sequence[ListingProbe], *, given: str | None = None) -> Choice:
    """The first usable feed and the first usable sitemap of a ranked list; the listing the user
    `given` by its address comes first of its kind, when it is usable."""
    ranked = sorted(ranked, key=lambda p: p.url != given)  # stable: the ranking otherwise holds
    feed = next((p.url for p in ranked if p.usable and p.kind == "feed"), None)
    sitemap = next((p.url for p in ranked if p.usable and p.kind == "sitemap"), None)
    return Choice(feeds=(feed,) if feed else (), sitemaps=(sitemap,) if sitemap else ())


def recent(entries: Iterable[DiscoveredUrl], count: int) -> list[DiscoveredUrl]:
    """The `count` newest entries (dated ones first, newest first; undated in listing order)."""
    first: dict[str, DiscoveredUrl] = {}
    for entry in entries:
        first.setdefault(entry.url, entry)
    dated = [e for e in first.values() if e.published_at is not None]
    dated.sort(key=_published, reverse=True)
    undated = [e for e in first.values() if e.published_at is None]
    return [*dated, *undated][:count]


def _published(entry: DiscoveredUrl) -> datetime:
    assert entry.published_at is not None
    return entry.published_at
