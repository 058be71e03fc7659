"""Small news sites in the shapes `newsflow sources add` and section-page ingest meet.

- `link-feeds`: the pages announce an RSS and an Atom feed in <link> tags, at addresses no
  common-path guess would find; there is no sitemap.
- `robots-sitemap`: no feed; robots.txt names a sitemap index at an unusual path, whose children
  are a news sitemap and an archive sitemap.
- `sections`: no feed and no sitemap; a homepage and section pages link the articles, among
  navigation, tag, author, pagination, share and footer links.
- `blocked`: every path answers 403 (a bot wall); `robots-blocked`: robots.txt disallows all.

Articles are recorded AEB pages served at dated slug paths (/world/2019/11/25/<slug>), with their
canonical links pointed at the local copy.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import UTC, datetime
from html import escape
from typing import Literal

from tests.site import feeds
from tests.site.feeds import FeedItem
from tests.site.fixtures import FixtureArticle, load_fixture_articles
from tests.site.pages import rewrite_canonical
from tests.site.server import LocalSite, Response

Shape = Literal["link-feeds", "robots-sitemap", "sections", "blocked", "robots-blocked"]
SECTIONS = ("world", "business")
PAGES_MODIFIED = datetime(2019, 11, 25, 12, 0, tzinfo=UTC)
_SLUG = re.compile(r"[^a-z0-9]+")


def slug(title: str) -> str:
    return _SLUG.sub("-", title.lower()).strip("-")[:80] or "article"


class ShapedSite(LocalSite):
    """A news site of one `Shape`, publishing `articles` (default: six recorded pages)."""

    def __init__(self, shape: Shape, *, articles: Sequence[FixtureArticle] | None = None) -> None:
        super().__init__()
        self.shape = shape
        self.articles = list(articles if articles is not None else load_fixture_articles()[:6])
        self.paths = {
            a.id: f"/{SECTIONS[i % 2]}/{a.published:%Y/%m/%d}/{slug(a.title)}"
            for i, a in enumerate(self.articles)
        }
        if shape == "blocked":
            self.route("/", _wall)
            for path in ("/robots.txt", *self.paths.values()):
                self.route(path, _wall)
            return
        for article in self.articles:
            path = self.paths[article.id]
            self.add_page(path, rewrite_canonical(article.html, self.url(path)))
        # Section pages answer conditional GETs, as feeds do; "about" links no article.
        for path, section in (("/", None), *((f"/{s}", s) for s in SECTIONS), ("/about", "about")):
            page = Response(body=self.section_page(section).encode(), last_modified=PAGES_MODIFIED)
            self.route(path, lambda r, page=page: page)
        self._add_listings(shape)

    def article_urls(self, section: str | None = None) -> list[str]:
        return [
            self.url(path)
            for i, path in enumerate(self.paths.values())
            if section is None or SECTIONS[i % 2] == section
        ]

    def _items(self) -> list[FeedItem]:
        return [FeedItem(self.url(self.paths[a.id]), a.title, a.published) for a in self.articles]

    def _add_listings(self, shape: Shape) -> None:
        if shape == "robots-blocked":
            self.add_page("/robots.txt", "User-agent: *\nDisallow: /\n", content_type="text/plain")
            return
        if shape == "link-feeds":
            self.add_page(
                "/data/main-rss",
                feeds.rss(self._items(), site_url=self.base_url),
                content_type="application/rss+xml",
            )
            self.add_page(
                "/data/world-atom",
                feeds.atom(self._items()[::2], site_url=self.base_url),
                content_type="application/atom+xml",
            )
        if shape == "robots-sitemap":
            index = self.url("/maps/index-2019.xml")
            self.add_page(
                "/robots.txt",
                feeds.robots_txt(disallow=["/search"], sitemap=index),
                content_type="text/plain",
            )
            newest = max(a.published for a in self.articles)
            children = [(self.url("/maps/news.xml"), newest), (self.url("/maps/archive.xml"), newest)]
            self.add_page(
                "/maps/index-2019.xml", feeds.sitemap_index(children), content_type="application/xml"
            )
            self.add_page("/maps/news.xml", feeds.news_sitemap(self._items()), content_type="application/xml")
            self.add_page("/maps/archive.xml", feeds.urlset(self._items()), content_type="application/xml")

    def section_page(self, section: str | None) -> str:
        """The homepage (section None) or a section page, with the links a real one carries."""
        head = ""
        if self.shape == "link-feeds":
            head = (
                f'<link rel="alternate" type="application/rss+xml" title="Main" href="/data/main-rss">'
                f'<link rel="alternate" type="application/atom+xml" title="World" href="{self.url("/data/world-atom")}">'
            )
        nav = "".join(f'<li><a href="/{s}">{s.title()}</a></li>' for s in SECTIONS)
        teasers = []
        for i, article in enumerate(self.articles):
            if section is not None and SECTIONS[i % 2] != section:  # "about": none
                continue
            path = self.paths[article.id]
            teasers.append(
                f'<article class="teaser"><a href="{path}"><img src="/img/{i}.jpg" alt=""></a>'
                f'<h2><a href="{path}">{escape(article.title)}</a></h2>'
                f"<p>{escape(' '.join(article.body.split()[:25]))}…</p>"
                f'<a href="{path}#comments">Comments</a> '
                f'<a href="/author/jane-doe">Jane Doe</a> <a href="/tag/politics">Politics</a></article>'
            )
        return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{feeds.PUBLICATION_NAME}</title>{head}</head>
<body>
<header><a href="/" class="logo">{feeds.PUBLICATION_NAME}</a>
<nav><ul><li><a href="/">Home</a></li>{nav}<li><a href="/search?q=">Search</a></li>
<li><a href="/subscribe">Subscribe</a></li><li><a href="/login">Sign in</a></li></ul></nav></header>
<main><h1>{escape(section.title() if section else "Latest news")}</h1>
{"".join(teasers)}
<nav class="pagination"><a href="/page/2">Next page</a> <a href="?page=2">2</a></nav></main>
<aside><a href="https://twitter.com/intent/tweet?url={self.base_url}">Share on Twitter</a>
<a href="https://elsewhere.example/2019/11/25/a-story-on-another-site-entirely">Partner story</a></aside>
<footer><a href="/about">About us</a> <a href="/privacy-policy">Privacy</a> <a href="/contact">Contact</a>
<a href="/feeds">All feeds</a> <a href="mailto:desk@example.org">Write to us</a></footer>
</body></html>"""


def _wall(request: object) -> Response:
    return Response(status=403, body=b"<h1>Access denied</h1><p>Automated access is not allowed.</p>")
