"""A source's HTML pages out of a WARC archive (plain or gzipped), for backfills from archives like
CC-NEWS; reads an open stream and never touches the network."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, BinaryIO

from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed

from newsflow.discover.feeds import listing_datetime
from newsflow.errors import FeedError
from newsflow.records import DateWindow, FetchedPage, FetchOutcome, Outcome, PageHints
from newsflow.urls import canonicalize_url, host_of

# Larger bodies are galleries, PDFs mislabelled as HTML or endless listings, not articles.
MAX_BODY_BYTES = 10 * 1024 * 1024
_HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})


@dataclass(frozen=True, slots=True)
class WarcPage:
    """One archived HTTP response holding an HTML page."""

    url: str
    source: str
    fetched_at: datetime | None
    status: int
    content_type: str
    body: bytes


def host_matches(host: str, hosts: set[str]) -> bool:
    """True when `host` is one of `hosts` or a subdomain of one."""
    host = host.lower().rstrip(".")
    return any(host == allowed or host.endswith("." + allowed) for allowed in hosts)


def iter_warc_pages(
    stream: BinaryIO, *, hosts: set[str], source: str, max_body_bytes: int = MAX_BODY_BYTES
) -> Iterator[WarcPage]:
    """Yield the HTML responses in `stream` whose host is in `hosts`; skip everything else."""
    wanted = {host.lower().rstrip(".") for host in hosts}
    where = str(getattr(stream, "name", "WARC stream"))
    try:
        for record in ArchiveIterator(stream):
            page = _page(record, hosts=wanted, source=source, max_body_bytes=max_body_bytes)
            if page is not None:
                yield page
    except (ArchiveLoadFailed, EOFError, OSError, ValueError) as error:
        raise FeedError(
            f"{where}: unreadable WARC ({error}); check that the file is a complete WARC"
        ) from error


def _truncated(record: Any) -> bool:
    # warcio hands out a short body without complaint when the file ends mid-record; the raw
    # reader still expecting bytes at end of file gives it away. (A chunked body may leave its
    # final CRLF unread, which is why "bytes left" alone is not enough.)
    raw = record.raw_stream
    return getattr(raw, "limit", 0) > 0 and raw.read(1) == b""


def _page(record: Any, *, hosts: set[str], source: str, max_body_bytes: int) -> WarcPage | None:
    if record.rec_type != "response" or record.http_headers is None:
        return None
    # WARC 1.1 writers may wrap the URI in angle brackets.
    url = (record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> ")
    if not host_matches(host_of(url), hosts):
        return None
    content_type = record.http_headers.get_header("Content-Type") or ""
    if content_type.split(";")[0].strip().lower() not in _HTML_TYPES:
        return None
    # Skip an oversized record without reading it; reading one byte past the cap also bounds
    # a small gzip payload that content_stream() would inflate.
    if record.payload_length > max_body_bytes:
        return None
    body = record.content_stream().read(max_body_bytes + 1)
    if len(body) > max_body_bytes:
        return None
    if _truncated(record):
        raise FeedError(
            f"{url}: WARC record ends before its declared length; the WARC file is truncated; download it again"
        )
    try:
        status = int(record.http_headers.get_statuscode())
    except (TypeError, ValueError):
        return None
    fetched_at = listing_datetime(record.rec_headers.get_header("WARC-Date"))
    return WarcPage(url, source, fetched_at, status, content_type, body)


def warc_pages(
    stream: BinaryIO,
    *,
    source: str,
    hosts: set[str],
    window: DateWindow | None,
) -> Iterator[FetchedPage | FetchOutcome]:
    """The source's HTML pages in a WARC; records crawled before the window cannot be in it."""
    for record in iter_warc_pages(stream, hosts=hosts, source=source):
        url = canonicalize_url(record.url)
        if url is None:
            continue
        if window is not None and record.fetched_at is not None and record.fetched_at < window.start:
            continue
        if not 200 <= record.status < 300:
            yield FetchOutcome(
                url,
                source,
                Outcome.SKIPPED,
                datetime.now(UTC),
                record.status,
                f"{url}: archived as HTTP {record.status}",
            )
            continue
        yield FetchedPage(
            url=url,
            final_url=url,
            source=source,
            status=record.status,
            body=record.body,
            content_type=record.content_type,
            hints=PageHints(),
        )
