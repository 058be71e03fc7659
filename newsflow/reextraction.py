"""Re-extraction of stored articles from their raw pages: what the database holds of an article,
what a fresh extraction changes in it, and the run's counts. Pure: storage reads and writes."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from newsflow.records import EXTRACTED_FIELDS, ArchiveLocation, ExtractedArticle, FetchedPage, PageHints

LISTING = "listing"  # newsflow.extract.dates: a date the page lacked, taken from its listing
MAX_FAILURES_KEPT = 50


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """An article as the database holds it, with the extracted fields in EXTRACTED_FIELDS order."""

    id: int
    url: str
    fetched_url: str
    source: str
    content_hash: str
    fields: tuple[object, ...]
    location: ArchiveLocation | None = None

    def value(self, name: str) -> object:
        return self.fields[EXTRACTED_FIELDS.index(name)]


def hints_for(stored: StoredArticle) -> PageHints:
    """What the listing told the first extraction, as far as the row keeps it: a date that came
    from the listing is given again, so that re-extraction does not lose it."""
    if stored.value("published_at_source") == LISTING:
        published = stored.value("published_at")
        return PageHints(listed_published_at=published if isinstance(published, datetime) else None)
    return PageHints()


def archived_page(
    stored: StoredArticle, *, final_url: str, status: int, body: bytes, content_type: str | None
) -> FetchedPage:
    """The page to extract again, as the fetcher first handed it over."""
    return FetchedPage(
        url=stored.fetched_url,
        final_url=final_url or stored.fetched_url,
        source=stored.source,
        status=status,
        body=body,
        content_type=content_type,
        hints=hints_for(stored),
        archived=stored.location,
    )


def changed_fields(stored: StoredArticle, fresh: tuple[object, ...]) -> tuple[str, ...]:
    """The names of the fields whose fresh value (as it would be stored) differs."""
    return tuple(
        name for name, old, new in zip(EXTRACTED_FIELDS, stored.fields, fresh, strict=True) if old != new
    )


def fresh_values(article: ExtractedArticle) -> dict[str, object]:
    """The compared fields of a fresh extraction, before storage fits them to its columns."""
    return {
        "title": article.title,
        "text": article.text,
        "authors": list(article.authors),
        "published_at": article.published_at,
        "published_at_source": article.published_at_source,
        "published_day": article.published_day,
        "modified_at": article.modified_at,
        "language": article.language,
        "paywalled": article.paywalled,
        "site_name": article.site_name,
        "description": article.description,
        "image": article.image,
        "tags": list(article.tags),
    }


@dataclass
class ReextractReport:
    """What a re-extraction run did: records read, articles changed or not, and what failed."""

    read: int = 0
    changed: int = 0
    unchanged: int = 0
    failed: int = 0
    not_stored: int = 0  # pages of a WARC from elsewhere whose URL no stored article has
    failures: list[tuple[str, str]] = field(default_factory=list)

    def fail(self, where: str, reason: str) -> None:
        self.failed += 1
        if len(self.failures) < MAX_FAILURES_KEPT:
            self.failures.append((where, reason))

    def merge(self, other: ReextractReport) -> None:
        self.read += other.read
        self.changed += other.changed
        self.unchanged += other.unchanged
        self.not_stored += other.not_stored
        for where, reason in other.failures:
            self.fail(where, reason)
        self.failed += other.failed - len(other.failures)

    def message(self) -> str:
        line = f"reextract: {self.read} read, {self.changed} changed, {self.unchanged} unchanged, {self.failed} failed"
        return line + (f", {self.not_stored} not stored (backfill them)" if self.not_stored else "")
