"""Turn one HTML page into a clean, normalized article: trafilatura plus the page's own metadata."""

from __future__ import annotations

from datetime import UTC, datetime

import trafilatura
from lxml import etree
from lxml import html as lxml_html

from newsflow.canonical import canonicalize_url
from newsflow.clean import clean_text
from newsflow.dates import date_from_url, is_plausible, parse_datetime
from newsflow.errors import ExtractionError
from newsflow.metadata import PageMetadata, read_metadata
from newsflow.normalize import normalize_authors, normalize_language, normalize_title
from newsflow.records import ExtractedArticle, PageHints

MIN_TEXT_CHARS = 200


def _parse(html: str, url: str) -> lxml_html.HtmlElement:
    try:
        tree = lxml_html.document_fromstring(html)
    except (etree.ParserError, ValueError) as exc:
        raise ExtractionError(f"{url}: the page is not parseable HTML ({exc})") from exc
    return tree


def _published(meta: PageMetadata, url: str, hints: PageHints, fallback: str | None, now: datetime) -> tuple[datetime | None, str | None]:
    candidates: list[tuple[str, str]] = list(meta.published)
    best_date_only: tuple[datetime, str] | None = None
    for source, raw in candidates:
        parsed = parse_datetime(raw)
        if parsed is None or not is_plausible(parsed[0], now=now):
            continue
        if parsed[1]:
            return parsed[0], source
        best_date_only = best_date_only or (parsed[0], source)
    if hints.listed_published_at and is_plausible(hints.listed_published_at, now=now):
        listed = hints.listed_published_at
        if best_date_only is None or listed.date() == best_date_only[0].date():
            return listed, "listing"
    if best_date_only:
        return best_date_only
    from_url = date_from_url(url)
    if from_url and is_plausible(from_url, now=now):
        return from_url, "url"
    parsed_fallback = parse_datetime(fallback)
    if parsed_fallback and is_plausible(parsed_fallback[0], now=now):
        return parsed_fallback[0], "trafilatura"
    return None, None


def _modified(meta: PageMetadata, now: datetime) -> datetime | None:
    for _source, raw in meta.modified:
        parsed = parse_datetime(raw)
        if parsed and is_plausible(parsed[0], now=now):
            return parsed[0]
    return None


def extract_article(html: str, *, url: str, hints: PageHints | None = None, now: datetime | None = None) -> ExtractedArticle:
    """Extract the article on `html` fetched from `url`; raise ExtractionError when there is none."""
    hints = hints or PageHints()
    now = now or datetime.now(UTC)
    tree = _parse(html, url)
    meta = read_metadata(tree)
    doc = trafilatura.bare_extraction(
        html,
        url=url,
        with_metadata=True,
        include_comments=False,
        include_tables=True,
        favor_precision=False,
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    raw_text = str(getattr(doc, "text", "") or "") if doc is not None else ""
    text = clean_text(raw_text)
    if len(text) < MIN_TEXT_CHARS and meta.article_body:
        text = clean_text(meta.article_body)
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError(f"{url}: no article text found ({len(text)} characters after cleaning)")
    site_name = meta.site_name or (getattr(doc, "sitename", None) if doc is not None else None)
    title_raw = meta.headline or meta.og_title or (getattr(doc, "title", None) if doc else None) or meta.html_title
    authors_raw: list[str] | tuple[str, ...] | str | None = meta.authors or (getattr(doc, "author", None) if doc else None)
    published_at, published_source = _published(meta, url, hints, getattr(doc, "date", None) if doc else None, now)
    canonical = canonicalize_url(meta.canonical_url, base=url) if meta.canonical_url else None
    tags = tuple(dict.fromkeys([*meta.keywords, *((getattr(doc, "categories", None) or []) if doc else []), *((getattr(doc, "tags", None) or []) if doc else [])]))
    return ExtractedArticle(
        url=canonical or canonicalize_url(url) or url,
        title=normalize_title(title_raw or hints.listed_title, site_name=site_name),
        text=text,
        authors=normalize_authors(authors_raw, site_name=site_name),
        published_at=published_at,
        published_at_source=published_source,
        modified_at=_modified(meta, now),
        language=normalize_language(meta.language or (getattr(doc, "language", None) if doc else None)),
        site_name=site_name,
        description=meta.description or (getattr(doc, "description", None) if doc else None),
        image=meta.image,
        tags=tuple(t for t in tags if t)[:30],
    )
