"""A local news site and a mirror, served on 127.0.0.1 from threads, for end-to-end tests.

with NewsSite.start() as site, MirrorSite.start(origin=site) as mirror:
    site.url("/feed.xml"); site.requests; mirror.syndicated
"""

from tests.site.encodings import CP1251, ENCODED_ARTICLES, LATIN1, EncodedArticle
from tests.site.faults import FAULT_PATHS
from tests.site.feeds import FeedItem
from tests.site.fixtures import FixtureArticle, SeedArticle, load_fixture_articles, load_seed_article
from tests.site.hostile import BILLION_LAUGHS_PATH, XXE_PATH
from tests.site.mirror import MirroredArticle, MirrorSite
from tests.site.news import FAULT_ARTICLE_IDS, FBCLID, RSS_TRACKING, NewsSite, article_path
from tests.site.server import LocalSite, RecordedRequest, Request, Response

__all__ = [
    "BILLION_LAUGHS_PATH",
    "CP1251",
    "ENCODED_ARTICLES",
    "FAULT_ARTICLE_IDS",
    "FAULT_PATHS",
    "FBCLID",
    "LATIN1",
    "RSS_TRACKING",
    "XXE_PATH",
    "EncodedArticle",
    "FeedItem",
    "FixtureArticle",
    "LocalSite",
    "MirrorSite",
    "MirroredArticle",
    "NewsSite",
    "RecordedRequest",
    "Request",
    "Response",
    "SeedArticle",
    "article_path",
    "load_fixture_articles",
    "load_seed_article",
]
