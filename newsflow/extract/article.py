"""Turn one HTML page into a clean, normalized article: trafilatura plus the page's own metadata.

The body is trafilatura's recall mode without comments, with the default mode as a second
opinion on short results (chosen on halves of two dev sets: BENCHMARKS.md, issue #12), minus a
leading headline and standfirst and minus residue lines. Metadata prefers what the page declares (JSON-LD, meta tags) and falls
back to trafilatura's guesses from the markup.
"""

from __future__ import annotations

import contextlib
import re
from datetime import UTC, datetime, time
from html import unescape
from typing import Any

import trafilatura
from lxml import html as lxml_html
from trafilatura.htmlprocessing import prune_unwanted_nodes
from trafilatura.json_metadata import normalize_authors as trafilatura_authors
from trafilatura.metadata import (
    META_URL,
    examine_meta,
    extract_meta_json,
    extract_metainfo,
    extract_sitename,
    extract_title,
    extract_url,
)
from trafilatura.settings import Document
from trafilatura.utils import line_processing
from trafilatura.xpaths import AUTHOR_DISCARD_XPATHS, AUTHOR_XPATHS

from newsflow.errors import ExtractionError
from newsflow.extract.dates import (
    DatedValue,
    choose_published,
    date_from_url,
    is_plausible,
    read_date,
    visible_dates,
)
from newsflow.extract.metadata import PageMetadata, read_metadata
from newsflow.extract.normalize import (
    byline_names,
    detect_language,
    is_outlet,
    name_line_authors,
    normalize_authors,
    normalize_language,
    normalize_title,
)
from newsflow.extract.residue import clean_text, strip_header
from newsflow.extract.tree import parse_html
from newsflow.records import ExtractedArticle, PageHints
from newsflow.urls import canonicalize_url

MIN_TEXT_CHARS = 200
# A recall-mode body with less than this share of the page's <p> text may be a fragment: see _body.
SECOND_OPINION_SHARE = 0.3
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:·•»«]\s+")


def _parse(html: str, url: str) -> lxml_html.HtmlElement:
    # trafilatura's own parser settings: the same tree then serves our metadata reading and
    # trafilatura's extraction, parsed once.
    tree = parse_html(html)
    if tree is None:
        raise ExtractionError(f"{url}: the page is not parseable HTML")
    return tree


def _trafilatura(page: str | lxml_html.HtmlElement, url: str, *, recall: bool) -> Any:
    return trafilatura.bare_extraction(
        page,
        url=url,
        with_metadata=False,
        include_comments=False,
        include_tables=True,
        favor_recall=recall,
        # Never fast: the readability/jusText comparison is worth 2 points of word F1 on the
        # WCXB pages (0.916 -> 0.937), far more than its cost (BENCHMARKS.md, issue #12).
        fast=False,
    )


class _MarkupGuesses:
    """trafilatura's metadata guesses from the markup, each computed only when asked for.

    Field by field, what trafilatura.metadata.extract_metadata gives, without its cost: that runs
    htmldate and a copy of the tree for the author on every call, whichever field was wanted.
    Pages with JSON-LD or meta tags rarely ask.
    """

    def __init__(self, tree: lxml_html.HtmlElement, url: str) -> None:
        self._tree = tree
        self._url = url
        self._declared: Document | None = None
        self._values: dict[str, Any] = {}
        self._consumed = False

    def _meta(self) -> Document:
        # Meta tags, then JSON-LD over them, as extract_metadata starts.
        if self._declared is None:
            declared = examine_meta(self._tree)
            if declared.author and " " not in declared.author:
                declared.author = None
            # trafilatura's JSON-LD reader has bugs; extract_metadata ignores them too.
            with contextlib.suppress(Exception):
                declared = extract_meta_json(self._tree, declared)
            self._declared = declared
        return self._declared

    def field(self, name: str) -> Any:
        if name not in self._values:
            if self._consumed:
                raise RuntimeError("markup guesses asked for after author() pruned the tree")
            self._values[name] = _trimmed(self._compute(name))
        return self._values[name]

    def author_last(self) -> str | None:
        """trafilatura's author guess, pruning the page's tree in place: ask for it last.

        extract_author copies the whole tree before pruning it, which costs more than the rest
        of the guesses; once the body is extracted nobody needs the tree, so prune it instead.
        """
        declared = self._meta().author
        self._consumed = True
        if declared:
            return str(_trimmed(declared))
        author = extract_metainfo(
            prune_unwanted_nodes(self._tree, AUTHOR_DISCARD_XPATHS), AUTHOR_XPATHS, len_limit=120
        )
        normalized = trafilatura_authors(None, author) if author else None
        return str(_trimmed(normalized)) if normalized else None

    def _compute(self, name: str) -> Any:
        declared = self._meta()
        if name == "title":
            return declared.title or extract_title(self._tree)
        if name == "sitename":
            return self._sitename()
        return _field(declared, name)

    def _page_url(self) -> str | None:
        declared = self._meta()
        return declared.url or extract_url(self._tree, self._url)

    def _sitename(self) -> str | None:
        sitename = self._meta().sitename or extract_sitename(self._tree)
        if sitename:
            sitename = sitename.lstrip("@")
            if sitename and "." not in sitename and not sitename[0].isupper():
                sitename = sitename.title()
            return sitename or None
        url = self._page_url()
        match = META_URL.match(url) if url else None
        return match[1] if match else None


def _trimmed(value: Any) -> Any:
    # What Document.clean_and_trim does to each string field.
    if not isinstance(value, str):
        return value
    if len(value) > 10000:
        value = value[:9999] + "…"
    return line_processing(unescape(value))


def _field(doc: Any, name: str) -> Any:
    return getattr(doc, name, None) if doc is not None else None


def _title_variants(meta: PageMetadata) -> list[str]:
    """Every form the headline takes on the page, to recognize it at the top of the body."""
    variants = [meta.headline, meta.og_title, meta.html_title, meta.h1]
    parts = [
        part for v in variants if v for part in _TITLE_SEPARATORS.split(v) if len(part) >= 15 and part != v
    ]
    return [v for v in variants if v] + parts


def _finish(raw: str, meta: PageMetadata) -> str:
    text = strip_header(raw, titles=_title_variants(meta), standfirst=meta.description)
    return clean_text(text, site_name=meta.site_name)


def _body(tree: lxml_html.HtmlElement, url: str, meta: PageMetadata) -> str:
    def finish(doc: Any) -> str:
        return _finish(str(_field(doc, "text") or ""), meta)

    # Recall mode first: precision mode drops whole sections and short articles (3 points of
    # recall on the WCXB pages). Recall mode in turn sometimes stops at the first block of a
    # long page: when it keeps under SECOND_OPINION_SHARE of the page's paragraph text, the
    # default mode gets a say, and the longer text wins.
    text = finish(_trafilatura(tree, url, recall=True))
    if len(text) < SECOND_OPINION_SHARE * meta.paragraph_chars:
        other = finish(_trafilatura(tree, url, recall=False))
        if len(other) > len(text):
            text = other
    if len(text) < MIN_TEXT_CHARS and meta.article_body:
        text = _finish(meta.article_body, meta)
    if len(text) < MIN_TEXT_CHARS:
        raise ExtractionError(f"{url}: no article text found ({len(text)} characters after cleaning)")
    return text


def _date_candidates(meta: PageMetadata, url: str, now: datetime) -> list[DatedValue]:
    """The page's dates, most trusted first: a declared date the byline shows, the other declared
    dates, the URL's, then the byline's own (a date labelled as an update last)."""
    declared = [c for c in (read_date(raw, source) for source, raw in meta.published) if c is not None]
    shown = visible_dates(meta.byline)
    first_shown = {day for day, updated in shown if not updated}
    confirmed = [c for c in declared if c.local_day in first_shown and is_plausible(c.value, now=now)]
    found = confirmed + [c for c in declared if c not in confirmed]
    from_url = date_from_url(url)
    if from_url is not None:
        found.append(DatedValue(from_url, "url", has_time=False))
    # Unlabelled dates first, then "Updated ..." ones: a page that shows only an update date
    # still dates the article (the WCXB gold reads it so).
    for day, _updated in sorted(shown, key=lambda item: item[1]):
        found.append(
            DatedValue(datetime.combine(day, time(0, 0), tzinfo=UTC), "byline", has_time=False, day=day)
        )
    return found


def _authors(meta: PageMetadata, site_name: str | None, url: str) -> tuple[str, ...]:
    """Declared authors, else the visible "By ..." line; the line also wins over a declared
    "person" who is only the site itself ("Cleveland Clinic" signing a page its byline credits
    to a dietitian)."""
    declared = normalize_authors(meta.authors, site_name=site_name, url=url, people=meta.people)
    if declared and not is_outlet(declared, site_name=site_name, url=url):
        return declared
    shown = byline_names(meta.byline, site_name=site_name, url=url)
    return shown or declared or name_line_authors(meta.byline, headline=meta.h1, site_name=site_name, url=url)


def _modified(meta: PageMetadata, now: datetime) -> datetime | None:
    for source, raw in meta.modified:
        parsed = read_date(raw, source)
        if parsed and is_plausible(parsed.value, now=now):
            return parsed.value
    return None


def _language(meta: PageMetadata, text: str) -> str | None:
    return normalize_language(meta.language) or detect_language(text)


def extract_article(
    html: str, *, url: str, hints: PageHints | None = None, now: datetime | None = None
) -> ExtractedArticle:
    """Extract the article on `html` fetched from `url`; raise ExtractionError when there is none."""
    hints = hints or PageHints()
    now = now or datetime.now(UTC)
    tree = _parse(html, url)
    meta = read_metadata(tree)
    # Markup guesses read the tree as parsed; only the author guess changes it, so it comes last.
    guesses = _MarkupGuesses(tree, url)
    site_name = meta.site_name or guesses.field("sitename")
    # The headline the page shows; the declared ones are often SEO variants of it.
    title_raw = meta.h1 or meta.headline or meta.og_title or guesses.field("title") or meta.html_title
    dates = _date_candidates(meta, url, now)
    published_at, published_source, published_note = choose_published(
        dates, listed=hints.listed_published_at, now=now
    )
    published_day = next(
        (c.local_day for c in dates if c.value == published_at and c.source == published_source),
        published_at.date() if published_at else None,
    )
    # trafilatura works on its own copy of the tree, so the tree is intact for the author guess.
    text = _body(tree, url, meta)
    # Declared authors, else the visible "By ..." line, else trafilatura's guess from the markup
    # (the byline first: as good on the dev halves, and cheaper).
    authors = _authors(meta, site_name, url) or normalize_authors(
        guesses.author_last(), site_name=site_name, url=url
    )
    canonical = canonicalize_url(meta.canonical_url, base=url) if meta.canonical_url else None
    return ExtractedArticle(
        url=canonical or canonicalize_url(url) or url,
        title=normalize_title(title_raw or hints.listed_title, site_name=site_name),
        text=text,
        authors=authors,
        published_at=published_at,
        published_at_source=published_source,
        published_at_note=published_note,
        published_day=published_day,
        modified_at=_modified(meta, now),
        language=_language(meta, text),
        site_name=site_name,
        description=meta.description,
        image=meta.image,
        tags=meta.keywords,
        paywalled=None if meta.accessible_for_free is None else not meta.accessible_for_free,
    )
