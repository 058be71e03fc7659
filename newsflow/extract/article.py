"""Turn one HTML page into a clean, normalized article: trafilatura plus the page's own metadata.

Metadata prefers what the page declares (JSON-LD, meta tags) and falls back to trafilatura's
guesses from the markup, each computed only if asked for (markup_guesses). The steps keep an
order: the headline, the authors and the dates (headline, authors, publication) read the tree
before body deletes consent bars, scripts and furniture from it, and the dates come after the
authors, as a page dated nowhere else may print its date beside its author's name.
"""

from __future__ import annotations

import functools
from datetime import UTC, datetime

from lxml import html as lxml_html

from newsflow.errors import ExtractionError
from newsflow.extract.authors import page_authors
from newsflow.extract.body import MIN_TEXT_CHARS, article_body
from newsflow.extract.dates import choose_published
from newsflow.extract.headline import shown_title
from newsflow.extract.language import detect_language, normalize_language
from newsflow.extract.markup_guesses import MarkupGuesses
from newsflow.extract.metadata import PageMetadata, read_metadata
from newsflow.extract.mojibake import repair_page
from newsflow.extract.publication import modified_at, publication_dates
from newsflow.extract.residue import drop_author_bio, drop_leading_byline
from newsflow.extract.titles import normalize_title
from newsflow.extract.tree import parse_html
from newsflow.records import ExtractedArticle, PageHints
from newsflow.urls import canonicalize_url, resource_url


def _parse(html: str, url: str) -> lxml_html.HtmlElement:
    # trafilatura's own parser settings: the same tree then serves our metadata reading and
    # trafilatura's extraction, parsed once.
    tree = parse_html(html)
    if tree is None:
        raise ExtractionError(f"{url}: the page is not parseable HTML")
    return tree


def _language(meta: PageMetadata, text: str) -> str | None:
    return normalize_language(meta.language) or detect_language(text)


def extract_article(
    html: str, *, url: str, hints: PageHints | None = None, now: datetime | None = None
) -> ExtractedArticle:
    """Extract the article on `html` fetched from `url`; raise ExtractionError when there is none."""
    hints = hints or PageHints()
    now = now or datetime.now(UTC)
    html = repair_page(html)
    tree = _parse(html, url)
    meta = read_metadata(tree)
    canonical = canonicalize_url(meta.canonical_url, base=url) if meta.canonical_url else None
    # The site is the one the page says it lives on: a copy served from elsewhere (a mirror, an
    # archive replayed on another host) names the same outlet, which no author may be, and a date
    # in its address is the original's, not the copy's.
    home = canonical or url
    # trafilatura's guesses from the markup, each computed only if asked for.
    guesses = MarkupGuesses(tree, home)
    site_name = meta.site_name or guesses.field("sitename")
    # The headline the page shows; the declared ones are often SEO variants of it. trafilatura's
    # guess comes last: without a declared title it takes the first <h1>, a blog's masthead.
    title_raw = (
        shown_title(meta) or meta.headline or meta.og_title or meta.html_title or guesses.field("title")
    )
    # trafilatura's author guess from the markup, made only if page_authors asks for it.
    guessed = functools.partial(guesses.author, site_name=site_name, reviewers=meta.reviewers)
    authors = page_authors(tree, html, meta, url=home, site_name=site_name, guessed=guessed)
    dates = publication_dates(tree, html, meta, url=home, now=now, authors=authors)
    published_at, published_source, published_note = choose_published(
        dates, listed=hints.listed_published_at, now=now
    )
    published_day = next(
        (c.local_day for c in dates if c.value == published_at and c.source == published_source),
        published_at.date() if published_at else None,
    )
    # article_body deletes consent bars, scripts and furniture from the tree: all that reads it
    # comes first.
    text = article_body(tree, url, meta, canonical)
    # The author box under the article ("Jane Doe is a finance writer ...") and the byline and
    # dateline over it are not the article (BENCHMARKS.md, issue #12).
    without_bio = drop_author_bio(text, authors)
    if len(without_bio) >= MIN_TEXT_CHARS:
        text = without_bio
    without_byline = drop_leading_byline(text, authors)
    if len(without_byline) >= MIN_TEXT_CHARS:
        text = without_byline
    return ExtractedArticle(
        url=canonical or canonicalize_url(url) or url,
        title=normalize_title(title_raw or hints.listed_title, site_name=site_name),
        text=text,
        authors=authors,
        published_at=published_at,
        published_at_source=published_source,
        published_at_note=published_note,
        published_day=published_day,
        modified_at=modified_at(meta, now, published_day),
        language=_language(meta, text),
        site_name=site_name,
        description=meta.description,
        image=resource_url(meta.image, base=home),
        tags=meta.keywords,
        paywalled=None if meta.accessible_for_free is None else not meta.accessible_for_free,
    )
