"""Article links on a site's homepage and section pages: same site, article-shaped, filtered.

A link is taken when its URL has the shape of an article (a date in the path, a numeric or hash
id; a long slug outside the page's menus, header and footer) or, for a shorter slug, when its
context says headline (the link sits in a heading or an <article>, or its text is a sentence). Navigation (sections, tags, authors, pages
of a listing, account pages) and files are left out. A source's `include` patterns, when given,
decide instead of the shape; its `exclude` patterns always drop.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from posixpath import splitext
from typing import Any
from urllib.parse import urlsplit

from newsflow.extract.tree import parse_html
from newsflow.records import DiscoveredUrl
from newsflow.source_filters import url_allowed
from newsflow.urls import canonicalize_url

_DATE_IN_PATH = re.compile(
    r"/(19|20)\d\d/(0?[1-9]|1[0-2])(/|$)|(19|20)\d\d-[01]\d-[0-3]\d|/(19|20)\d\d[01]\d[0-3]\d(/|$)"
)
_NUMERIC_ID = re.compile(r"\d{5,}")
_HASH_ID = re.compile(r"^[a-z0-9]{20,}$", re.IGNORECASE)
_WORD_SPLIT = re.compile(r"[-_]+")
_PAGE_EXTENSIONS = frozenset({"", ".html", ".htm", ".shtml", ".php", ".asp", ".aspx", ".ece", ".cms"})
# First path segments of pages that list or frame articles rather than being one.
_NAVIGATION = frozenset(
    {
        "about",
        "about-us",
        "account",
        "author",
        "authors",
        "categories",
        "category",
        "contact",
        "contact-us",
        "cookies",
        "faq",
        "feed",
        "feeds",
        "help",
        "login",
        "newsletter",
        "newsletters",
        "page",
        "privacy",
        "privacy-policy",
        "profile",
        "register",
        "rss",
        "search",
        "signin",
        "subscribe",
        "tag",
        "tags",
        "terms",
        "topic",
        "topics",
    }
)
_HEADLINE_TAGS = frozenset({"h1", "h2", "h3", "h4", "article"})
_FRAME_TAGS = frozenset({"nav", "header", "footer"})
_SLUG_WORDS = 4  # a last segment of this many words is an article's slug
_SHORT_SLUG_WORDS = 2  # with a headline context
_HEADLINE_WORDS = 4


def article_links(
    html: str,
    *,
    page_url: str,
    source: str,
    include: Sequence[str] = (),
    exclude: Sequence[str] = (),
) -> list[DiscoveredUrl]:
    """The article URLs a section page links to, canonical, in page order, one per URL."""
    tree = parse_html(html)
    if tree is None:
        return []
    site = _site(page_url)
    page = canonicalize_url(page_url)
    found: dict[str, DiscoveredUrl] = {}
    for anchor in tree.iter("a"):
        url = canonicalize_url(anchor.get("href") or "", base=page_url)
        if url is None or url == page or url in found or _site(url) != site:
            continue
        text = " ".join(anchor.text_content().split())
        if include:
            wanted = url_allowed(url, include=include, exclude=exclude)
        else:
            wanted = _looks_like_article(url, text, anchor) and url_allowed(url, include=(), exclude=exclude)
        if wanted:
            title = text if len(text.split()) >= _HEADLINE_WORDS else None
            found[url] = DiscoveredUrl(url, source, page_url, None, title)
    return list(found.values())


def _site(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def _looks_like_article(url: str, text: str, anchor: Any) -> bool:
    path = urlsplit(url).path
    segments = [s for s in path.split("/") if s]
    if not segments or segments[0].lower() in _NAVIGATION:
        return False
    stem, extension = splitext(segments[-1])
    if extension.lower() not in _PAGE_EXTENSIONS:
        return False
    if _DATE_IN_PATH.search(path) and (len(segments) > 3 or not stem.isdigit()):
        return True
    if _NUMERIC_ID.search(stem) or _HASH_ID.match(stem):
        return True
    # A slug alone does not make an article in the page's frame (menus, header, footer).
    ancestors = {getattr(a, "tag", None) for a in anchor.iterancestors()}
    if ancestors & _FRAME_TAGS:
        return False
    words = [w for w in _WORD_SPLIT.split(stem) if w]
    if len(words) >= _SLUG_WORDS:
        return True
    return len(words) >= _SHORT_SLUG_WORDS and (
        len(text.split()) >= _HEADLINE_WORDS or bool(ancestors & _HEADLINE_TAGS)
    )
