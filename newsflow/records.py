"""The records passed between pipeline stages: frozen, typed, free of I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum


@dataclass(frozen=True, slots=True)
class Source:
    """One configured news source."""

    name: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    warcs: tuple[str, ...] = ()
    hosts: tuple[
        str, ...
    ] = ()  # the sites' hosts, for filtering WARC records; default: hosts of feeds and sitemaps
    pages: tuple[str, ...] = ()  # homepage and section pages whose article links are listings too
    include: tuple[str, ...] = ()  # URL regexes: when given, a listed URL must match one
    exclude: tuple[str, ...] = ()  # URL regexes: a listed URL matching one is dropped
    language: tuple[str, ...] = ()  # ISO 639-1 codes to keep; empty keeps every language
    delay: float | None = None  # seconds between requests to the source's hosts, above the global delay
    max_pages: int | None = None  # article pages fetched per run, below NEWSFLOW_MAX_URLS_PER_SOURCE

    @property
    def listings(self) -> tuple[str, ...]:
        """Every URL the source lists articles in: feeds, sitemaps and pages."""
        return (*self.feeds, *self.sitemaps, *self.pages)


@dataclass(frozen=True, slots=True)
class RobotsFile:
    """An origin's robots.txt as read (empty text: it answered 4xx, no rules), and when."""

    origin: str
    text: str
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class DateWindow:
    """An inclusive range of publication instants (UTC) for a backfill."""

    start: datetime
    end: datetime

    def contains(self, when: datetime) -> bool:
        return self.start <= when <= self.end


@dataclass(frozen=True, slots=True)
class DiscoveredUrl:
    """An article URL found in a feed or sitemap, with what the listing said about it."""

    url: str
    source: str
    found_in: str
    published_at: datetime | None = None
    title: str | None = None
    updated_at: datetime | None = None  # a feed entry's `updated`, a sitemap's `lastmod`


@dataclass(frozen=True, slots=True)
class PageHints:
    """What discovery knew about a page before fetching it; extraction may use it."""

    listed_published_at: datetime | None = None
    listed_title: str | None = None


@dataclass(frozen=True, slots=True)
class ArchiveLocation:
    """Where the raw response of a page lies in the archive: one gzip member of a .warc.gz file."""

    file: str  # an fsspec URL or an absolute local path
    offset: int
    length: int  # bytes of the gzip member


@dataclass(frozen=True, slots=True)
class HttpExchange:
    """One HTTP request and its response as they went over the wire, for the raw archive (WARC)."""

    url: str  # the URL of the last request (after redirects)
    method: str
    request_headers: tuple[tuple[str, str], ...]
    http_version: str  # "HTTP/1.1"
    status: int
    reason: str
    response_headers: tuple[tuple[str, str], ...]
    body: bytes  # as received: still content-encoded (gzip stays gzip), without chunked framing
    fetched_at: datetime


@dataclass(frozen=True, slots=True)
class FetchedPage:
    """A successfully fetched HTML page, as bytes: it is decoded where it is extracted (a worker
    process), so the fetching process neither decodes it nor pickles text to the worker. A 401 or
    402 answer with a page is one too: the teaser a paywall shows (see PAYWALL_STATUSES)."""

    url: str
    final_url: str
    source: str
    status: int
    body: bytes
    content_type: str | None = None  # the Content-Type header, for the charset
    hints: PageHints = field(default_factory=PageHints)
    archived: ArchiveLocation | None = None  # the raw response in the archive, once written
    validators: Validators | None = None  # ETag and Last-Modified, for the next conditional GET


# "Unauthorized" and "Payment Required" with a page: the teaser of an article behind a paywall.
# It is stored with paywalled = true so users can tell it from the article.
PAYWALL_STATUSES = frozenset({401, 402})


@dataclass(frozen=True, slots=True)
class Validators:
    """A response's ETag and Last-Modified, sent back as If-None-Match and If-Modified-Since."""

    etag: str | None = None
    last_modified: str | None = None


class Outcome(StrEnum):
    OK = "ok"
    DUPLICATE = "duplicate"
    NOT_MODIFIED = "not_modified"
    SKIPPED = "skipped"
    OUT_OF_WINDOW = "out_of_window"
    ERROR = "error"
    # A refetch of a stored article (newsflow.refresh): a new version stored, the same version
    # again, or the page gone (404/410: the row is kept, marked removed). A 304 is NOT_MODIFIED.
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    REMOVED = "removed"
    # A refetch that failed (a timeout, a 5xx): not `error`, which marks a page never stored
    # that later runs retry (repository.retryable_urls); this one waits for its next age.
    REFRESH_FAILED = "refresh_failed"


@dataclass(frozen=True, slots=True)
class FetchOutcome:
    """What happened to one URL in one run; stored as a fetch_event row."""

    url: str
    source: str
    outcome: Outcome
    at: datetime
    http_status: int | None = None
    error: str | None = None
    published_at: datetime | None = None  # the page's date, when extraction read one


# The fields extraction gives an article, as the article table names them (and in its order):
# what a re-extraction or a refetch compares, and what storage writes for them.
EXTRACTED_FIELDS = (
    "title",
    "text",
    "authors",
    "published_at",
    "published_at_source",
    "published_day",
    "modified_at",
    "language",
    "paywalled",
    "site_name",
    "description",
    "image",
    "tags",
)


@dataclass(frozen=True, slots=True)
class ExtractedArticle:
    """A cleaned, normalized article as extraction produced it."""

    url: str
    title: str | None
    text: str
    authors: tuple[str, ...] = ()
    published_at: datetime | None = None
    published_at_source: str | None = None  # newsflow.extract.dates.PUBLISHED_SOURCES
    published_at_note: str | None = None  # why a page date was passed over (logged, not stored)
    modified_at: datetime | None = None
    language: str | None = None
    site_name: str | None = None
    description: str | None = None
    image: str | None = None
    tags: tuple[str, ...] = ()
    # The day published_at falls on where the page was published (its own timezone, as its
    # byline prints it); published_at itself is in UTC and can fall on the next or previous day.
    published_day: date | None = None
    # The page's JSON-LD isAccessibleForFree, negated; None when the page does not say.
    paywalled: bool | None = None


@dataclass(frozen=True, slots=True)
class Fingerprint:
    """What dedup needs to know about one article's text."""

    content_hash: str
    signature: bytes  # NUM_PERM little-endian uint32 values (newsflow.dedupe.fingerprint)
    bands: tuple[int, ...]  # LSH_BANDS signed 64-bit band hashes


@dataclass(frozen=True, slots=True)
class ProcessedArticle:
    """An extracted article ready for dedup and storage."""

    article: ExtractedArticle
    fingerprint: Fingerprint
    fetched_url: str
    source: str
    http_status: int = 200
    archived: ArchiveLocation | None = None
    validators: Validators | None = None
