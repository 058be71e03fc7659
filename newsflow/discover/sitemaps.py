"""Parse XML, gzipped, Google News and plain-text sitemaps into article URLs and child sitemaps."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import urljoin, urlsplit

from lxml import etree

from newsflow.discover.feeds import discovered_urls, listing_datetime
from newsflow.discover.xml_safety import XmlEvent, completed_children, iter_xml, maybe_gunzip
from newsflow.errors import FeedError
from newsflow.records import DiscoveredUrl

_BOM = b"\xef\xbb\xbf"
_NON_SPACE = re.compile(rb"\S")


@dataclass(frozen=True, slots=True)
class SitemapDocument:
    """One sitemap's article URLs, or, for a sitemap index, the child sitemaps to fetch next."""

    urls: tuple[DiscoveredUrl, ...] = ()
    sitemaps: tuple[str, ...] = ()


def parse_sitemap(data: bytes, *, url: str, source: str) -> SitemapDocument:
    """Parse a sitemap body (urlset, sitemapindex, Google News, gzip or plain text)."""
    # A .xml.gz body arrives still compressed unless the server also sent Content-Encoding,
    # so the magic bytes, not the file name, decide.
    data = maybe_gunzip(data, what=url).removeprefix(_BOM)
    # A search, not data.strip(): a 50,000-URL sitemap is tens of MB, and a strip copies it.
    first = _NON_SPACE.search(data)
    if first is None:
        raise FeedError(f"{url}: empty body where a sitemap was expected; check the sitemap URL")
    if first.group() == b"<":
        return _parse_xml_sitemap(data, url=url, source=source)
    return SitemapDocument(urls=_parse_text_sitemap(data, url=url, source=source))


def _local(element: Any) -> str:
    # Publishers use the 0.9 namespace, Google's old 0.84 one, or none at all: match local names.
    tag = element.tag
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def _child(element: Any, name: str) -> Any:
    return next((child for child in element if _local(child) == name), None)


def _text(element: Any) -> str | None:
    text = element.text if element is not None else None
    return (text.strip() or None) if isinstance(text, str) else None


def _parse_xml_sitemap(data: bytes, *, url: str, source: str) -> SitemapDocument:
    # Streamed: each <url> becomes a small record and leaves the tree before the next is read.
    events = iter_xml(data, what=url)
    kind = _local(_root(events, url=url))
    if kind == "urlset":
        entries = (_url_entry(node) for node in _children_named(events, "url"))
        return SitemapDocument(urls=tuple(discovered_urls(entries, url=url, source=source)))
    if kind == "sitemapindex":
        locs = (_text(_child(node, "loc")) for node in _children_named(events, "sitemap"))
        return SitemapDocument(sitemaps=_child_sitemaps(locs, url=url))
    # Read to the end first: a document that is not even well-formed is reported as such.
    for _ in completed_children(events):
        pass
    raise FeedError(
        f"{url}: root element is <{kind}>, not <urlset> or <sitemapindex>; check that the URL serves a sitemap"
    )


def _root(events: Iterator[XmlEvent], *, url: str) -> Any:
    for _, element in events:
        return element
    raise FeedError(f"{url}: empty XML document; check that the URL serves XML")


def _children_named(events: Iterator[XmlEvent], name: str) -> Iterator[Any]:
    return (node for node in completed_children(events) if _local(node) == name)


def _url_entry(node: Any) -> tuple[str | None, datetime | None, str | None, datetime | None]:
    loc = _text(_child(node, "loc"))
    news = _child(node, "news")
    # A news sitemap's publication date is the article's; lastmod may be a later edit.
    published = _text(_child(news, "publication_date")) if news is not None else None
    title = _text(_child(news, "title")) if news is not None else None
    lastmod = listing_datetime(_text(_child(node, "lastmod")))
    published_at = listing_datetime(published) or lastmod
    return loc, published_at, " ".join(title.split()) if title else None, lastmod


def _child_sitemaps(locs: Iterable[str | None], *, url: str) -> tuple[str, ...]:
    # Child sitemaps are fetch targets, not article identities: resolve them but keep their
    # query strings as written, and never follow one off the web (file:, ftp:...).
    children: dict[str, None] = {}
    for loc in locs:
        if not loc:
            continue
        try:
            resolved = urljoin(url, loc)
            parts = urlsplit(resolved)
        except ValueError:
            continue
        if parts.scheme.lower() in ("http", "https") and parts.hostname:
            children.setdefault(resolved, None)
    return tuple(children)


def _parse_text_sitemap(data: bytes, *, url: str, source: str) -> tuple[DiscoveredUrl, ...]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as error:
        raise FeedError(
            f"{url}: neither XML nor UTF-8 text ({error}); check that the URL serves a sitemap"
        ) from error
    # Text sitemaps list absolute URLs only; anything else means this is not a sitemap.
    entries = ((line, None, None, None) for line in map(str.strip, text.splitlines()) if "://" in line)
    urls = tuple(discovered_urls(entries, url=url, source=source))
    if not urls:
        raise FeedError(f"{url}: no URLs in this text body; check that the URL serves a sitemap")
    return urls
