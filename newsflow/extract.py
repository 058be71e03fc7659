"""Turn one HTML page into a clean, normalized article: trafilatura plus the page's own metadata.

The body is trafilatura's precision mode without comments (measured best on the dev half of
the article-extraction benchmark: see BENCHMARKS.md), minus a leading headline and standfirst
and minus residue lines. Metadata prefers what the page declares (JSON-LD, meta tags) and falls
back to trafilatura's guesses from the markup.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import trafilatura
from lxml import html as lxml_html
from trafilatura.metadata import extract_metadata
from trafilatura.utils import load_html

from newsflow.canonical import canonicalize_url
from newsflow.clean import clean_text, strip_header
from newsflow.dates import DatedValue, choose_published, date_from_url, is_plausible, read_date
from newsflow.errors import ExtractionError
from newsflow.metadata import PageMetadata, read_metadata
from newsflow.normalize import (
    detect_language,
    normalize_authors,
    normalize_language,
    normalize_title,
)
from newsflow.records import ExtractedArticle, PageHints

MIN_TEXT_CHARS = 200
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»«]\s+")


def _parse(html: str, url: str) -> lxml_html.HtmlElement:
    # trafilatura's own loader and parser settings: the same tree then serves our metadata
    # reading and trafilatura's extraction, parsed once.
    tree = load_html(html)
    if tree is None:
        raise ExtractionError(f"{url}: the page is not parseable HTML")
    return tree


# No extensive search: it guesses dates from copyright lines and free text.
_DATE_SEARCH = {"extensive_search": False, "original_date": True}


def _trafilatura(page: str | lxml_html.HtmlElement, url: str, *, recall: bool = False) -> Any:
    return trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        favor_precision=not recall,
        favor_recall=recall,
        # The readability/jusText comparison costs a third of the time and changed one page in
        # 88 (F1 0.9764 -> 0.9763); the recall-mode retry below keeps it for pages that come out short.
        fast=not recall,
    )


class _MarkupGuesses:
    """trafilatura's metadata guesses from the markup, computed only if the page's own fall short.

    They cost about a third of an extraction, and pages with JSON-LD or meta tags rarely need them.
    """

    def __init__(self, tree: lxml_html.HtmlElement, url: str) -> None:
        self._tree = tree
        self._url = url
        self._doc: Any = None
        self._done = False

    def get(self) -> Any:
        if not self._done:
            self._doc = extract_metadata(self._tree, default_url=self._url, date_config=_DATE_SEARCH)
            self._done = True
        return self._doc

    def field(self, name: str) -> Any:
        return _field(self.get(), name)

    def field_if_computed(self, name: str) -> Any:
        return _field(self._doc, name) if self._done else None


def _field(doc: Any, name: str) -> Any:
    return getattr(doc, name, None) if doc is not None else None


def _title_variants(meta: PageMetadata) -> list[str]:
    """Every form the headline takes on the page, to recognize it at the top of the body."""
    variants = [meta.headline, meta.og_title, meta.html_title, meta.h1]
    parts = [
        part for v in variants if v for part in _TITLE_SEPARATORS.split(v) if len(part) >= 15 and part != v
    ]
    return [v for v in variants if v] + parts


def _body(html: str, url: str, meta: PageMetadata, doc: Any) -> str:
    def finish(raw: str) -> str:
        text = strip_header(raw, titles=_title_variants(meta), standfirst=meta.description)
        return clean_text(text, site_name=meta.site_name)

    text = finish(str(_field(doc, "text") or ""))
    if len(text) < MIN_TEXT_CHARS:
        # Precision mode can discard a whole short article; recall mode keeps more of the page.
        text = finish(str(_field(_trafilatura(html, url, recall=True), "text") or ""))
    if len(text) < MIN_TEXT_CHARS and meta.article_body:
        text = finish(meta.article_body)
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError(f"{url}: no article text found ({len(text)} characters after cleaning)")
    return text


def _date_candidates(
    meta: PageMetadata, url: str, guesses: _MarkupGuesses, now: datetime
) -> list[DatedValue]:
    candidates = [read_date(raw, source) for source, raw in meta.published]
    from_url = date_from_url(url)
    if from_url is not None:
        candidates.append(DatedValue(from_url, "url", has_time=False))
    found = [c for c in candidates if c is not None]
    # htmldate reads the markup further (it never falls back to today); being the least trusted,
    # it only matters when nothing above gave a plausible date.
    if not any(is_plausible(c.value, now=now) for c in found):
        from_markup = read_date(guesses.field("date"), "htmldate")
        if from_markup is not None:
            found.append(from_markup)
    return found


def _modified(meta: PageMetadata, now: datetime) -> datetime | None:
    for source, raw in meta.modified:
        parsed = read_date(raw, source)
        if parsed and is_plausible(parsed.value, now=now):
            return parsed.value
    return None


def _language(meta: PageMetadata, text: str) -> str | None:
    return normalize_language(meta.language) or detect_language(text)


def _tags(meta: PageMetadata, guesses: _MarkupGuesses) -> tuple[str, ...]:
    # Markup categories are worth keeping, not worth computing the markup guesses for.
    found = [
        *meta.keywords,
        *(guesses.field_if_computed("categories") or []),
        *(guesses.field_if_computed("tags") or []),
    ]
    return tuple(t for t in dict.fromkeys(found) if t)[:30]


def extract_article(
    html: str, *, url: str, hints: PageHints | None = None, now: datetime | None = None
) -> ExtractedArticle:
    """Extract the article on `html` fetched from `url`; raise ExtractionError when there is none."""
    hints = hints or PageHints()
    now = now or datetime.now(UTC)
    tree = _parse(html, url)
    meta = read_metadata(tree)
    # Markup guesses read the tree as parsed, so everything that may need them comes first:
    # trafilatura then prunes the same tree in place while extracting the body.
    guesses = _MarkupGuesses(tree, url)
    site_name = meta.site_name or guesses.field("sitename")
    title_raw = meta.headline or meta.og_title or guesses.field("title") or meta.html_title
    authors = normalize_authors(meta.authors, site_name=site_name, url=url) or normalize_authors(
        guesses.field("author"), site_name=site_name, url=url
    )
    published_at, published_source = choose_published(
        _date_candidates(meta, url, guesses, now), listed=hints.listed_published_at, now=now
    )
    text = _body(html, url, meta, _trafilatura(tree, url))
    canonical = canonicalize_url(meta.canonical_url, base=url) if meta.canonical_url else None
    return ExtractedArticle(
        url=canonical or canonicalize_url(url) or url,
        title=normalize_title(title_raw or hints.listed_title, site_name=site_name),
        text=text,
        authors=authors,
        published_at=published_at,
        published_at_source=published_source,
        modified_at=_modified(meta, now),
        language=_language(meta, text),
        site_name=site_name,
        description=meta.description or guesses.field_if_computed("description"),
        image=meta.image,
        tags=_tags(meta, guesses),
    )
