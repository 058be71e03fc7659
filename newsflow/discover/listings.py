"""Find a source's article URLs in its feeds, sitemaps (recursing into sitemap indexes) and
section pages, and keep those its include/exclude patterns let through."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

from newsflow.charset import decode_body
from newsflow.discover.feeds import parse_feed
from newsflow.discover.section_pages import article_links
from newsflow.discover.sitemaps import parse_sitemap
from newsflow.errors import FeedError, FetchError, HttpStatusError
from newsflow.fetch.fetcher import BLOCKING_STATUSES, Fetcher, check_page_body, outcome_for_error
from newsflow.records import DiscoveredUrl, FetchOutcome, Outcome, Source
from newsflow.source_filters import allowed_urls

MAX_SITEMAPS_PER_SOURCE = 50

Validators = tuple[str | None, str | None]  # (ETag, Last-Modified)


@dataclass
class Discovery:
    """What one source's listings yielded, and how each listing fetch went."""

    urls: list[DiscoveredUrl] = field(default_factory=list)
    outcomes: list[FetchOutcome] = field(default_factory=list)
    validators: dict[str, Validators] = field(default_factory=dict)
    listings_ok: int = 0
    listings_failed: int = 0
    blocked: bool = False

    @property
    def failed_entirely(self) -> bool:
        return self.listings_ok == 0 and self.listings_failed > 0

    def validators_to_save(self, *, backfill: bool, urls_left_over: bool) -> dict[str, Validators]:
        """The listings' ETag/Last-Modified to remember for the next conditional GET, once the
        articles they listed are stored (a run that dies midway re-reads the listing next time).
        None after a backfill (it sends no conditional requests) or when URLs were left for the
        next run: a 304 would hide them from it."""
        return {} if backfill or urls_left_over else dict(self.validators)


def _conditional_headers(validators: Validators | None) -> dict[str, str]:
    headers: dict[str, str] = {}
    if validators:
        etag, last_modified = validators
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
    return headers


@dataclass(frozen=True, slots=True)
class _Listing:
    """One listing fetched and parsed: its records, and none of its body."""

    status: int
    validators: Validators = (None, None)
    urls: Sequence[DiscoveredUrl] = ()
    children: tuple[str, ...] = ()
    error: str | None = None  # the body did not parse as a feed or sitemap


def _read_listing(
    fetcher: Fetcher, kind: str, url: str, *, source: Source, headers: dict[str, str], max_bytes: int
) -> _Listing:
    """Fetch and parse one feed, sitemap or section page; FetchError propagates, a parse failure
    (or a page without article links) is returned."""
    # A body may be tens of MB: it lives in this frame only, never while the next listing downloads.
    response = fetcher.get(url, headers=headers, max_bytes=max_bytes)
    if response.status == 304:
        return _Listing(304)
    validators: Validators = (response.etag, response.last_modified)
    if kind == "page":
        check_page_body(response)
        return _page_listing(
            response.body, response.content_type, response.final_url, response.status, source, validators
        )
    try:
        if kind == "feed":
            return _Listing(
                response.status,
                validators,
                parse_feed(response.body, url=response.final_url, source=source.name),
            )
        document = parse_sitemap(response.body, url=response.final_url, source=source.name)
    except FeedError as error:
        return _Listing(response.status, error=str(error))
    if document.sitemaps:
        # An index is read in full every run: a 304 would hide its children, which
        # change while the index often does not. Each child has its own validators.
        validators = (None, None)
    return _Listing(response.status, validators, document.urls, document.sitemaps)


NO_ARTICLE_LINKS = "no article links on this page; check that it is a homepage or section page, or set the source's 'include' patterns"


def _page_listing(
    body: bytes, content_type: str | None, url: str, status: int, source: Source, validators: Validators
) -> _Listing:
    links = article_links(
        decode_body(body, content_type),
        page_url=url,
        source=source.name,
        include=source.include,
        exclude=source.exclude,
    )
    if not links:
        return _Listing(status, error=f"{url}: {NO_ARTICLE_LINKS}")
    return _Listing(status, validators, links)


def discover(
    source: Source,
    fetcher: Fetcher,
    *,
    known: Callable[[str], Validators | None],
    max_bytes: int,
    conditional: bool = True,
) -> Discovery:
    """Fetch and parse every feed, sitemap and section page of `source`; failures become outcomes,
    never raise. The URLs kept are those the source's include/exclude patterns let through."""
    result = Discovery()
    listings: deque[tuple[str, str]] = deque(
        [
            *(("feed", url) for url in source.feeds),
            *(("sitemap", url) for url in source.sitemaps),
            *(("page", url) for url in source.pages),
        ]
    )
    seen: set[str] = set()
    while listings and len(seen) < MAX_SITEMAPS_PER_SOURCE + len(source.feeds) + len(source.pages):
        kind, url = listings.popleft()
        if url in seen:
            continue
        seen.add(url)
        # Asked per listing, child sitemaps included: each has validators of its own.
        headers = _conditional_headers(known(url)) if conditional else {}
        now = datetime.now(UTC)
        try:
            listing = _read_listing(fetcher, kind, url, source=source, headers=headers, max_bytes=max_bytes)
        except FetchError as error:
            result.listings_failed += 1
            result.blocked |= isinstance(error, HttpStatusError) and error.status in BLOCKING_STATUSES
            result.outcomes.append(outcome_for_error(error, source=source.name))
            continue
        if listing.status == 304:
            result.listings_ok += 1
            result.outcomes.append(FetchOutcome(url, source.name, Outcome.NOT_MODIFIED, now, 304))
            continue
        if listing.error is not None:
            result.listings_failed += 1
            result.outcomes.append(
                FetchOutcome(url, source.name, Outcome.ERROR, now, listing.status, listing.error)
            )
            continue
        listings.extend(("sitemap", child) for child in listing.children)
        result.listings_ok += 1
        result.urls.extend(listing.urls)
        result.validators[url] = listing.validators
        result.outcomes.append(FetchOutcome(url, source.name, Outcome.OK, now, listing.status))
    result.urls = allowed_urls(result.urls, source)
    return result
