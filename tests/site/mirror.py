"""A second site (another host:port) that republishes some of the main site's articles."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from tests.site import feeds
from tests.site.feeds import FeedItem
from tests.site.fixtures import FixtureArticle
from tests.site.news import NewsSite, article_path
from tests.site.pages import article_page, rewrite_canonical
from tests.site.server import LocalSite, Response

# Syndication lags the original by days: far more than any time-of-day ambiguity in page dates.
REPUBLISH_DELAY = timedelta(days=2)

MIRROR_NAME = "Syndicate Daily"


@dataclass(frozen=True)
class MirroredArticle:
    """A copy on the mirror: `url` is the mirror's page, `origin_url` the main site's."""

    url: str
    origin_url: str
    article: FixtureArticle
    title: str
    paragraphs: tuple[str, ...]
    exact: bool

    @property
    def body(self) -> str:
        return "\n\n".join(self.paragraphs)


class MirrorSite(LocalSite):
    """Republishes `syndicate` articles with a new headline and footer, plus one exact copy.

    Syndicated copies live at `/syndicated/<id[:12]>.html` with rel=canonical to themselves and a
    closing "originally published by … Republished with permission." paragraph; the exact copy is
    the origin's HTML, byte for byte apart from canonical/og:url, at `/stories/<id[:12]>.html`.
    Both are listed in the mirror's own `/feed.xml`.
    """

    def __init__(
        self, *, origin: NewsSite, syndicate: Sequence[str] | None = None, exact_copy: str | None = "auto"
    ) -> None:
        super().__init__()
        available = [article for article in origin.articles if article.word_count >= 200]
        by_id = {article.id: article for article in origin.articles}
        chosen = available[:3] if syndicate is None else [by_id[article_id] for article_id in syndicate]
        self.copies: list[MirroredArticle] = [self._syndicate(origin, article) for article in chosen]
        if exact_copy is not None:
            remaining = [article for article in available if article not in chosen]
            original = remaining[0] if exact_copy == "auto" else by_id[exact_copy]
            self.copies.append(self._copy_exactly(origin, original))
        items = [
            FeedItem(copy.url, copy.title, copy.article.published + REPUBLISH_DELAY) for copy in self.copies
        ]
        self.route(
            "/feed.xml",
            lambda r: Response(
                body=feeds.rss(items, site_url=self.base_url, title=MIRROR_NAME),
                content_type="application/rss+xml; charset=utf-8",
                last_modified=max((item.published for item in items), default=None),
            ),
        )
        self.add_page("/robots.txt", feeds.robots_txt(), content_type="text/plain; charset=utf-8")

    @property
    def syndicated(self) -> list[MirroredArticle]:
        return [copy for copy in self.copies if not copy.exact]

    @property
    def exact_copy(self) -> MirroredArticle | None:
        return next((copy for copy in self.copies if copy.exact), None)

    def _syndicate(self, origin: NewsSite, article: FixtureArticle) -> MirroredArticle:
        path = f"/syndicated/{article.id[:12]}.html"
        origin_url = origin.url(article_path(article))
        footer = (
            f"This story was originally published by {feeds.PUBLICATION_NAME} at {origin_url}. "
            "Republished with permission."
        )
        copy = MirroredArticle(
            url=self.url(path),
            origin_url=origin_url,
            article=article,
            title=f"Report: {article.title}",
            paragraphs=(*article.paragraphs, footer),
            exact=False,
        )
        page = article_page(
            title=copy.title,
            paragraphs=copy.paragraphs,
            canonical=copy.url,
            published=article.published + REPUBLISH_DELAY,
            site_name=MIRROR_NAME,
            byline="Wire staff",
        ).encode()
        self.add_page(path, page)
        return copy

    def _copy_exactly(self, origin: NewsSite, article: FixtureArticle) -> MirroredArticle:
        path = f"/stories/{article.id[:12]}.html"
        copy = MirroredArticle(
            url=self.url(path),
            origin_url=origin.url(article_path(article)),
            article=article,
            title=article.title,
            paragraphs=tuple(article.paragraphs),
            exact=True,
        )
        self.add_page(path, rewrite_canonical(article.html, copy.url))
        return copy
