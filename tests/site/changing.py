"""A news site whose pages change between runs: retitled, extended, corrected, gone, failing.

Each story is served with Last-Modified and an ETag (the server answers 304 to a matching
conditional GET) and listed in an Atom feed whose `<updated>` says when the story last changed.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from html import escape
from xml.sax.saxutils import quoteattr

from tests.site.fixtures import FixtureArticle
from tests.site.pages import article_page
from tests.site.server import LocalSite, Request, Response

SITE_NAME = "Changing Chronicle"


@dataclass(frozen=True)
class Story:
    """One page as the site serves it now."""

    slug: str
    title: str
    paragraphs: tuple[str, ...]
    published: datetime
    changed_at: datetime
    status: int = 200
    byline: str = "Staff reporter"
    # The feed's <updated>; None lists the entry with its publication date only.
    listed_updated: datetime | None = None


class ChangingSite(LocalSite):
    """Stories at /story/<slug>.html, listed in /feed.xml (Atom)."""

    def __init__(self) -> None:
        super().__init__()
        self.stories: dict[str, Story] = {}
        self._state = threading.Lock()
        self.route("/feed.xml", self._feed)

    def publish(self, slug: str, article: FixtureArticle) -> str:
        """Serve a story made of a recorded article's title and paragraphs; return its URL."""
        now = datetime.now(UTC)
        story = Story(slug, article.title, tuple(article.paragraphs), article.published, now)
        with self._state:
            self.stories[slug] = story
        return self.route(f"/story/{slug}.html", lambda request: self._page(slug, request))

    def story(self, slug: str) -> Story:
        with self._state:
            return self.stories[slug]

    def change(self, slug: str, *, listed: bool = False, **changes: object) -> None:
        """Change a story (title, paragraphs, status, byline); `listed` also makes the feed say so."""
        now = datetime.now(UTC)
        with self._state:
            story = replace(self.stories[slug], changed_at=now, **changes)  # type: ignore[arg-type]
            self.stories[slug] = replace(story, listed_updated=now if listed else story.listed_updated)

    def shift(self, delta: timedelta) -> None:
        """Move every time the site has served `delta` into the past (the clock moved on by it)."""
        with self._state:
            for slug, story in self.stories.items():
                listed = story.listed_updated - delta if story.listed_updated else None
                self.stories[slug] = replace(
                    story, changed_at=story.changed_at - delta, listed_updated=listed
                )

    def story_url(self, slug: str) -> str:
        return self.url(f"/story/{slug}.html")

    def _page(self, slug: str, request: Request) -> Response:
        story = self.story(slug)
        if story.status != 200:
            return Response(status=story.status, body=b"<html><body><h1>Gone</h1></body></html>")
        html = article_page(
            title=story.title,
            paragraphs=story.paragraphs,
            canonical=self.story_url(slug),
            published=story.published,
            site_name=SITE_NAME,
            byline=story.byline,
        )
        return Response(body=html.encode(), last_modified=story.changed_at)

    def _feed(self, request: Request) -> Response:
        with self._state:
            stories = list(self.stories.values())
        entries = "".join(
            "  <entry>\n"
            f"    <title>{escape(s.title)}</title>\n"
            f'    <link rel="alternate" type="text/html" href={quoteattr(self.story_url(s.slug))}/>\n'
            f"    <id>{escape(self.story_url(s.slug))}</id>\n"
            f"    <published>{s.published.isoformat()}</published>\n"
            + (f"    <updated>{s.listed_updated.isoformat()}</updated>\n" if s.listed_updated else "")
            + "  </entry>\n"
            for s in stories
        )
        body = (
            '<?xml version="1.0" encoding="utf-8"?>\n<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f"  <title>{SITE_NAME}</title>\n  <id>{escape(self.base_url)}/</id>\n"
            f"  <updated>{datetime.now(UTC).isoformat()}</updated>\n{entries}</feed>\n"
        )
        return Response(body=body.encode(), content_type="application/atom+xml; charset=utf-8")
