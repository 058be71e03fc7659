"""The main local news site: recorded articles, the widget page, feeds, sitemaps, robots, faults."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Literal
from urllib.parse import urljoin

from tests.site import feeds, hostile
from tests.site.encodings import ENCODED_ARTICLES, EncodedArticle
from tests.site.faults import FAULT_PATHS, FaultEndpoints
from tests.site.feeds import FeedItem
from tests.site.fixtures import FixtureArticle, SeedArticle, load_fixture_articles, load_seed_article
from tests.site.pages import rewrite_canonical, widget_page
from tests.site.server import LocalSite, Request, Response

FeedKind = Literal["rss", "atom", "json"]

RSS_TRACKING = "utm_source=rss&utm_medium=feed"
FBCLID = "fbclid=IwAR0xQ3lLoremIpsumTrackingToken_9f8e7d"
FAULT_ARTICLE_IDS: dict[str, str] = {
    "/fault/ok": "3cb5e2f46626d5bb0345759453036f7eabc0b0c7796b796513606bf693060ced",
    "/fault/503-then-ok": "06e5123e4ef7cfb4533250dc45d1e03d0838fc66223f45c583c4d12f48b4da85",
    "/fault/429-then-ok": "42aad16bde9288623543642a9ce1a396be83e2db44aa2ff8cbbfe46e14abd7cc",
    "/fault/slow": "7de5241947a5f7147fe9787c6f6fa16685bfe66e6c35510a68780f27690dc4f0",
    "/fault/402-teaser": "7dfc3e359d7c0ca48ac9046ae5759286cedf80abe7526fc6c6e6546b9ba43e33",
}
_CONTENT_TYPES: dict[FeedKind, str] = {
    "rss": "application/rss+xml; charset=utf-8",
    "atom": "application/atom+xml; charset=utf-8",
    "json": "application/feed+json; charset=utf-8",
}
_RENDERERS = {"rss": feeds.rss, "atom": feeds.atom, "json": feeds.json_feed}


def article_path(article: FixtureArticle) -> str:
    return f"/news/{article.id}.html"


class NewsSite(LocalSite):
    """A news site on 127.0.0.1 serving the fixture articles and every discovery document.

    Paths: `/`, `/news/<id>.html`, the widget page `/news/<seed slug>.html`, `/feed.xml`,
    `/atom.xml`, `/feed.json`, `/empty.xml`, `/faults.xml`, `/sitemap_index.xml`,
    `/sitemaps/articles-1.xml.gz`, `/sitemaps/news.xml`, `/robots.txt`, `/enc/latin1.html`,
    `/enc/cp1251.html`, `/hostile/billion-laughs.xml`, `/hostile/xxe.xml` and `FAULT_PATHS`.
    """

    def __init__(
        self,
        *,
        articles: Sequence[FixtureArticle] | None = None,
        widget: bool = True,
        canonical_to_local: bool = False,
        disallow: Sequence[str] = (),
        crawl_delay: float | None = None,
    ) -> None:
        super().__init__()
        self.canonical_to_local = canonical_to_local
        self.seed: SeedArticle | None = load_seed_article() if widget else None
        self._articles: list[FixtureArticle] = []
        self._version = 0
        self._state = threading.Lock()
        self.set_robots(disallow=disallow, crawl_delay=crawl_delay)
        for article in load_fixture_articles() if articles is None else articles:
            self.publish(article)
        if self.seed is not None:
            self.route(self.widget_path, lambda r: Response(body=self._widget_html()))
        self._add_discovery_routes()
        self._add_encoded_routes()
        pool = {article.id: article for article in load_fixture_articles()}
        self.fault_articles: dict[str, FixtureArticle] = {
            path: pool[article_id] for path, article_id in FAULT_ARTICLE_IDS.items()
        }
        good_pages = {
            path: self._article_html(article, path) for path, article in self.fault_articles.items()
        }
        self.faults = FaultEndpoints(self, good_pages=good_pages)
        self.add_feed("/faults.xml", urls=list(FAULT_PATHS))
        self.add_feed("/empty.xml", urls=[])

    @property
    def widget_path(self) -> str:
        assert self.seed is not None, "this site was started with widget=False"
        return f"/news/{self.seed.slug}.html"

    @property
    def articles(self) -> list[FixtureArticle]:
        """The published fixture articles, in publication order."""
        with self._state:
            return list(self._articles)

    def publish(self, article: FixtureArticle) -> str:
        """Serve `article` and list it in feeds and sitemaps from now on; return its URL."""
        with self._state:
            if article not in self._articles:
                self._articles.append(article)
                self._version += 1
        path = article_path(article)
        return self.route(path, lambda r: Response(body=self._article_html(article, path)))

    def article_paths(self) -> list[str]:
        """Paths of every article page listed in the feeds: the fixtures, then the widget page."""
        paths = [article_path(article) for article in self.articles]
        return [*paths, self.widget_path] if self.seed is not None else paths

    def article_urls(self) -> list[str]:
        return [self.url(path) for path in self.article_paths()]

    def feed_items(self) -> list[FeedItem]:
        """The entries of /feed.xml as listed: newest first, some with tracking parameters, one twice."""
        clean = sorted(self._clean_items(), key=lambda item: item.published, reverse=True)
        listed = [_with_tracking(item, index) for index, item in enumerate(clean)]
        if clean:
            first = clean[0]
            listed.append(
                FeedItem(f"{first.url}?{RSS_TRACKING}", first.title, first.published, first.summary)
            )
        return listed

    def add_feed(self, path: str, *, urls: Sequence[str], kind: FeedKind = "rss") -> str:
        """Serve a feed listing `urls` (paths resolve against this site) at `path`; return its URL."""
        start = datetime.fromisoformat("2019-11-25T12:00:00+00:00")
        items = [
            FeedItem(urljoin(self.base_url + "/", url), f"Item {index + 1}", start - timedelta(hours=index))
            for index, url in enumerate(urls)
        ]
        body = _RENDERERS[kind](items, site_url=self.base_url)
        response = Response(body=body, content_type=_CONTENT_TYPES[kind], last_modified=start)
        return self.route(path, lambda r: response)

    def set_robots(self, *, disallow: Sequence[str] = (), crawl_delay: float | None = None) -> None:
        """Replace robots.txt; with no arguments every path is allowed."""
        text = feeds.robots_txt(
            disallow=disallow, crawl_delay=crawl_delay, sitemap=self.url("/sitemap_index.xml")
        )
        self.add_page("/robots.txt", text, content_type="text/plain; charset=utf-8")

    def encoded_article(self, path: str) -> EncodedArticle:
        return next(article for article in ENCODED_ARTICLES if article.path == path)

    def _article_html(self, article: FixtureArticle, path: str) -> bytes:
        return rewrite_canonical(article.html, self.url(path)) if self.canonical_to_local else article.html

    def _widget_html(self) -> bytes:
        assert self.seed is not None
        related = [(article_path(article), article.title) for article in self.articles[:4]]
        return widget_page(self.seed, canonical=self.url(self.widget_path), related=related).encode()

    def _clean_items(self) -> list[FeedItem]:
        items = [
            FeedItem(self.url(article_path(a)), a.title, a.published, " ".join(a.body.split()[:40]))
            for a in self.articles
        ]
        if self.seed is not None:
            summary = " ".join(self.seed.body.split()[:40])
            items.append(FeedItem(self.url(self.widget_path), self.seed.title, self.seed.published, summary))
        return items

    def _last_modified(self) -> datetime:
        with self._state:
            version = self._version
        newest = max(
            (item.published for item in self._clean_items()),
            default=datetime.fromisoformat("2019-12-01T00:00:00+00:00"),
        )
        return newest + timedelta(minutes=version)

    def _feed(self, kind: FeedKind) -> Response:
        body = _RENDERERS[kind](self.feed_items(), site_url=self.base_url)
        return Response(body=body, content_type=_CONTENT_TYPES[kind], last_modified=self._last_modified())

    def _xml(self, body: bytes, content_type: str = "application/xml; charset=utf-8") -> Response:
        return Response(body=body, content_type=content_type, last_modified=self._last_modified())

    def _add_discovery_routes(self) -> None:
        self.route("/", self._home)
        self.route("/feed.xml", lambda r: self._feed("rss"))
        self.route("/atom.xml", lambda r: self._feed("atom"))
        self.route("/feed.json", lambda r: self._feed("json"))
        self.route("/sitemap_index.xml", self._sitemap_index)
        self.route(
            "/sitemaps/articles-1.xml.gz",
            lambda r: self._xml(feeds.urlset(self._clean_items(), compress=True), "application/gzip"),
        )
        self.route("/sitemaps/news.xml", lambda r: self._xml(feeds.news_sitemap(self._clean_items())))
        some_article = self.url(self.article_paths()[0]) if self.article_paths() else self.url("/")
        self.add_page(
            hostile.BILLION_LAUGHS_PATH,
            hostile.billion_laughs(article_url=some_article),
            content_type="application/rss+xml",
        )
        self.add_page(
            hostile.XXE_PATH, hostile.xxe(article_url=some_article), content_type="application/rss+xml"
        )

    def _add_encoded_routes(self) -> None:
        for article in ENCODED_ARTICLES:
            self.add_page(
                article.path,
                article.render(canonical=self.url(article.path)),
                content_type=article.content_type,
            )

    def _sitemap_index(self, request: Request) -> Response:
        lastmod = self._last_modified()
        children = [
            (self.url("/sitemaps/articles-1.xml.gz"), lastmod),
            (self.url("/sitemaps/news.xml"), lastmod),
        ]
        return self._xml(feeds.sitemap_index(children))

    def _home(self, request: Request) -> Response:
        links = "\n".join(f'<li><a href="{path}">{path}</a></li>' for path in self.article_paths())
        page = f"<!DOCTYPE html><html><head><title>{feeds.PUBLICATION_NAME}</title></head><body><h1>{feeds.PUBLICATION_NAME}</h1><ul>{links}</ul></body></html>"
        return Response(body=page.encode())


def _with_tracking(item: FeedItem, index: int) -> FeedItem:
    if index % 5 == 1:
        return FeedItem(f"{item.url}?{RSS_TRACKING}", item.title, item.published, item.summary)
    if index % 7 == 3:
        return FeedItem(f"{item.url}?{FBCLID}", item.title, item.published, item.summary)
    return item
