"""Turn a fetched page into an article ready to store, or an outcome that says why not."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from newsflow.charset import decode_body
from newsflow.dedupe.fingerprint import fingerprint
from newsflow.errors import ExtractionError
from newsflow.extract.article import extract_article
from newsflow.records import PAYWALL_STATUSES, FetchedPage, FetchOutcome, Outcome, ProcessedArticle

MAX_URL_LENGTH = 2048


def process_page(page: FetchedPage) -> ProcessedArticle | FetchOutcome:
    """Extract, clean, normalize and fingerprint one page; never raises for a bad page."""
    try:
        html = decode_body(page.body, page.content_type)
        article = extract_article(html, url=page.final_url, hints=page.hints)
    except ExtractionError as exc:
        if page.status in PAYWALL_STATUSES:
            # A login or payment wall without a teaser: the wall it was, tried again next run.
            reason = f"{page.url}: HTTP {page.status} and no article on the page"
            return FetchOutcome(page.url, page.source, Outcome.ERROR, datetime.now(UTC), page.status, reason)
        return FetchOutcome(page.url, page.source, Outcome.SKIPPED, datetime.now(UTC), page.status, str(exc))
    except Exception as exc:  # a parser bug on one page must not sink the batch
        return FetchOutcome(
            page.url,
            page.source,
            Outcome.ERROR,
            datetime.now(UTC),
            page.status,
            f"{page.url}: extraction failed ({type(exc).__name__}: {exc})",
        )
    if len(page.url) > MAX_URL_LENGTH:
        return FetchOutcome(
            page.url,
            page.source,
            Outcome.SKIPPED,
            datetime.now(UTC),
            page.status,
            f"{page.url[:200]}...: the URL is longer than {MAX_URL_LENGTH} characters",
        )
    if page.status in PAYWALL_STATUSES:
        article = replace(article, paywalled=True)
    if len(article.url) > MAX_URL_LENGTH:
        # An absurd canonical link is the page's mistake; the fetched URL identifies it as well.
        article = replace(article, url=page.url)
    return ProcessedArticle(
        article=article,
        fingerprint=fingerprint(article.text),
        fetched_url=page.url,
        source=page.source,
        http_status=page.status,
        archived=page.archived,
        validators=page.validators,
    )


def process_pages(pages: list[FetchedPage]) -> list[ProcessedArticle | FetchOutcome]:
    """process_page over a batch (the unit sent to an extraction worker process)."""
    return [process_page(page) for page in pages]
