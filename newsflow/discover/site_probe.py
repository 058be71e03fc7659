"""Probe a site for its feeds and sitemaps through a Fetcher: what `newsflow sources add` reads.

The start page is fetched (its failures raise: the command answers with one line); every
candidate listing after it is read and summarized, its failure kept as the probe's error.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from newsflow.charset import decode_body
from newsflow.discover.autodiscovery import (
    COMMON_FEED_PATHS,
    COMMON_SITEMAP_PATHS,
    Choice,
    ListingKind,
    ListingProbe,
    choose,
    common_urls,
    feed_links,
    merged,
    probe_of,
    rank,
    robots_sitemaps,
    site_root,
)
from newsflow.discover.feeds import parse_feed
from newsflow.discover.section_pages import article_links
from newsflow.discover.sitemaps import parse_sitemap
from newsflow.errors import FeedError, FetchError
from newsflow.fetch.fetcher import Fetcher
from newsflow.records import DiscoveredUrl

CHILD_SITEMAPS_READ = 3  # of a sitemap index, to judge it (news-named children first)


@dataclass
class SiteProbe:
    """A site's candidate listings, ranked, the ones chosen, and the entries each listed."""

    start_url: str
    final_url: str
    ranked: list[ListingProbe] = field(default_factory=list)
    choice: Choice = field(default_factory=Choice)
    entries: dict[str, list[DiscoveredUrl]] = field(default_factory=dict)
    article_links: int = 0  # article links on the start page, for a site with no listing

    def chosen_entries(self) -> list[DiscoveredUrl]:
        """The entries of the chosen listings, feeds first."""
        return [e for url in (*self.choice.feeds, *self.choice.sitemaps) for e in self.entries.get(url, [])]


class _Reader:
    """Reads candidate listings once each, remembering their entries."""

    def __init__(self, fetcher: Fetcher, *, source: str, max_bytes: int) -> None:
        self.fetcher = fetcher
        self.source = source
        self.max_bytes = max_bytes
        self.entries: dict[str, list[DiscoveredUrl]] = {}

    def read(self, url: str, kind: ListingKind) -> ListingProbe:
        try:
            response = self.fetcher.get(url, max_bytes=self.max_bytes)
            if kind == "feed":
                entries = parse_feed(response.body, url=response.final_url, source=self.source)
                self.entries[url] = entries
                return probe_of(url, kind, entries)
            document = parse_sitemap(response.body, url=response.final_url, source=self.source)
        except (FetchError, FeedError) as error:
            return ListingProbe(url, kind, error=str(error))
        self.entries[url] = list(document.urls)
        return replace(probe_of(url, kind, document.urls), children=document.sitemaps)


def probe_site(url: str, fetcher: Fetcher, *, source: str, max_bytes: int, now: datetime) -> SiteProbe:
    """Fetch `url`, find and read the site's feeds and sitemaps, rank them and choose.
    FetchError when the start page itself cannot be fetched."""
    page = fetcher.get(url, max_bytes=max_bytes)
    result = SiteProbe(url, page.final_url)
    reader = _Reader(fetcher, source=source, max_bytes=max_bytes)
    html = decode_body(page.body, page.content_type)
    result.article_links = len(article_links(html, page_url=page.final_url, source=source))
    announced = feed_links(html, page_url=page.final_url)
    if _is_listing_type(page.content_type):  # the address given is a feed (or sitemap) itself
        announced.insert(0, url)
    probes = [reader.read(feed, "feed") for feed in announced]
    if not any(p.usable for p in probes):
        probes += [reader.read(feed, "feed") for feed in common_urls(page.final_url, COMMON_FEED_PATHS)]
    probes += _given_sitemap(reader, url, probes)
    for sitemap in _sitemap_candidates(fetcher, page.final_url):
        if sitemap not in reader.entries:
            probes += _read_sitemap(reader, sitemap)
    result.ranked = rank(probes, now=now)
    result.choice = choose(result.ranked, given=url)
    result.entries = reader.entries
    return result


def _is_listing_type(content_type: str | None) -> bool:
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    return kind.endswith(("xml", "json")) and "html" not in kind


def _sitemap_candidates(fetcher: Fetcher, page_url: str) -> list[str]:
    robots_url = site_root(page_url) + "/robots.txt"
    try:
        robots = fetcher.get(robots_url, max_bytes=500_000)
        listed = robots_sitemaps(decode_body(robots.body, robots.content_type), robots_url=robots_url)
    except FetchError:
        listed = []
    return listed or common_urls(page_url, COMMON_SITEMAP_PATHS)


def _given_sitemap(reader: _Reader, url: str, probes: list[ListingProbe]) -> list[ListingProbe]:
    """The address given, read as a sitemap when it is XML that did not read as a feed."""
    given = next((p for p in probes if p.url == url and p.kind == "feed"), None)
    return _read_sitemap(reader, url) if given is not None and given.error else []


def _read_sitemap(reader: _Reader, url: str) -> list[ListingProbe]:
    """The sitemap's probe; an index is judged by a few children, which are candidates too."""
    probe = reader.read(url, "sitemap")
    if not probe.children:
        return [probe]
    news = [c for c in probe.children if "news" in c.lower()]
    picked = list(dict.fromkeys([*news, *probe.children]))[:CHILD_SITEMAPS_READ]
    children = [reader.read(child, "sitemap") for child in picked]
    reader.entries[url] = [e for child in picked for e in reader.entries.get(child, [])]
    return [merged(probe, children, reader.entries[url]), *(c for c in children if not c.children)]
