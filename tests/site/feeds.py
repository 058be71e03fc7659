"""Pure renderers for the discovery documents a news site publishes: RSS, Atom, JSON Feed, sitemaps."""

from __future__ import annotations

import gzip
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from email.utils import format_datetime
from xml.sax.saxutils import escape, quoteattr

PUBLICATION_NAME = "Newsflow Local Gazette"


@dataclass(frozen=True)
class FeedItem:
    """One entry of a feed or sitemap; `url` is absolute and may carry tracking parameters."""

    url: str
    title: str
    published: datetime
    summary: str = ""


def rss(items: Sequence[FeedItem], *, site_url: str, title: str = PUBLICATION_NAME) -> bytes:
    """Render an RSS 2.0 channel."""
    entries = "".join(
        "    <item>\n"
        f"      <title>{escape(item.title)}</title>\n"
        f"      <link>{escape(item.url)}</link>\n"
        f'      <guid isPermaLink="true">{escape(item.url)}</guid>\n'
        f"      <pubDate>{format_datetime(item.published)}</pubDate>\n"
        f"      <description>{escape(item.summary)}</description>\n"
        "    </item>\n"
        for item in items
    )
    build_date = format_datetime(_latest(items)) if items else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom">\n'
        "  <channel>\n"
        f"    <title>{escape(title)}</title>\n"
        f"    <link>{escape(site_url)}/</link>\n"
        "    <description>Latest news</description>\n"
        "    <language>en</language>\n"
        f"    <lastBuildDate>{build_date}</lastBuildDate>\n"
        f"{entries}"
        "  </channel>\n"
        "</rss>\n"
    ).encode()


def atom(items: Sequence[FeedItem], *, site_url: str, title: str = PUBLICATION_NAME) -> bytes:
    """Render an Atom 1.0 feed."""
    entries = "".join(
        "  <entry>\n"
        f"    <title>{escape(item.title)}</title>\n"
        f'    <link rel="alternate" type="text/html" href={quoteattr(item.url)}/>\n'
        f"    <id>{escape(item.url)}</id>\n"
        f"    <published>{item.published.isoformat()}</published>\n"
        f"    <updated>{item.published.isoformat()}</updated>\n"
        f"    <summary>{escape(item.summary)}</summary>\n"
        "  </entry>\n"
        for item in items
    )
    updated = _latest(items).isoformat() if items else "2019-12-01T00:00:00+00:00"
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<feed xmlns="http://www.w3.org/2005/Atom">\n'
        f"  <title>{escape(title)}</title>\n"
        f"  <link href={quoteattr(site_url + '/')}/>\n"
        f"  <id>{escape(site_url)}/</id>\n"
        f"  <updated>{updated}</updated>\n"
        f"{entries}"
        "</feed>\n"
    ).encode()


def json_feed(items: Sequence[FeedItem], *, site_url: str, title: str = PUBLICATION_NAME) -> bytes:
    """Render a JSON Feed 1.1 document."""
    document = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": site_url + "/",
        "feed_url": site_url + "/feed.json",
        "items": [
            {
                "id": item.url,
                "url": item.url,
                "title": item.title,
                "summary": item.summary,
                "date_published": item.published.isoformat(),
            }
            for item in items
        ],
    }
    return json.dumps(document, indent=2, ensure_ascii=False).encode()


def sitemap_index(sitemaps: Sequence[tuple[str, datetime]]) -> bytes:
    """Render a sitemap index from (absolute URL, lastmod) pairs."""
    entries = "".join(
        f"  <sitemap>\n    <loc>{escape(url)}</loc>\n    <lastmod>{lastmod.isoformat()}</lastmod>\n  </sitemap>\n"
        for url, lastmod in sitemaps
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}"
        "</sitemapindex>\n"
    ).encode()


def urlset(items: Sequence[FeedItem], *, compress: bool = False) -> bytes:
    """Render a plain sitemap with lastmod; `compress` gzips it as `.xml.gz` files are."""
    entries = "".join(
        f"  <url>\n    <loc>{escape(item.url)}</loc>\n    <lastmod>{item.published.isoformat()}</lastmod>\n  </url>\n"
        for item in items
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">\n'
        f"{entries}"
        "</urlset>\n"
    ).encode()
    return gzip.compress(document, mtime=0) if compress else document


def news_sitemap(items: Sequence[FeedItem], *, publication: str = PUBLICATION_NAME) -> bytes:
    """Render a Google News sitemap with news:publication_date and news:title."""
    entries = "".join(
        "  <url>\n"
        f"    <loc>{escape(item.url)}</loc>\n"
        "    <news:news>\n"
        "      <news:publication>\n"
        f"        <news:name>{escape(publication)}</news:name>\n"
        "        <news:language>en</news:language>\n"
        "      </news:publication>\n"
        f"      <news:publication_date>{item.published.isoformat()}</news:publication_date>\n"
        f"      <news:title>{escape(item.title)}</news:title>\n"
        "    </news:news>\n"
        "  </url>\n"
        for item in items
    )
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"\n'
        '        xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">\n'
        f"{entries}"
        "</urlset>\n"
    ).encode()


def robots_txt(
    *, disallow: Sequence[str] = (), crawl_delay: float | None = None, sitemap: str | None = None
) -> str:
    """Render robots.txt for all user agents; with no `disallow`, everything is allowed."""
    lines = ["User-agent: *"]
    lines += [f"Disallow: {path}" for path in disallow] or ["Disallow:"]
    if crawl_delay is not None:
        lines.append(f"Crawl-delay: {crawl_delay:g}")
    if sitemap is not None:
        lines += ["", f"Sitemap: {sitemap}"]
    return "\n".join(lines) + "\n"


def _latest(items: Sequence[FeedItem]) -> datetime:
    return max(item.published for item in items)
