"""A source's HTML pages out of a WARC archive (plain or gzipped), for backfills from archives like
CC-NEWS; reads an open stream and never touches the network."""

from __future__ import annotations

import zlib
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


@dataclass(frozen=True, slots=True)
class DamagedRecord:
    """A record that could not be read: where it starts (or where reading failed), and why."""

    where: str
    offset: int
    reason: str


def iter_warc_pages(
    stream: BinaryIO, *, hosts: set[str], source: str, max_body_bytes: int = MAX_BODY_BYTES
) -> Iterator[WarcPage]:
    """Yield the HTML responses in `stream` whose host is in `hosts`; skip everything else.
    FeedError at the first damaged record (read_warc goes on past it)."""
    for item in read_warc(stream, hosts=hosts, source=source, max_body_bytes=max_body_bytes):
        if isinstance(item, DamagedRecord):
            raise FeedError(item.reason)
        yield item


_READ_ERRORS = (ArchiveLoadFailed, EOFError, OSError, ValueError, zlib.error)


def read_warc(
    stream: BinaryIO, *, hosts: set[str], source: str, max_body_bytes: int = MAX_BODY_BYTES
) -> Iterator[WarcPage | DamagedRecord]:
    """Like iter_warc_pages, but a damaged record is yielded as such and, when the stream can
    seek, reading goes on at the next record that decompresses (gzip) or parses (plain WARC)."""
    wanted = {host.lower().rstrip(".") for host in hosts}
    where = str(getattr(stream, "name", "WARC stream"))
    seekable = stream.seekable()
    last_good = stream.tell() - 1 if seekable else -1  # start of the last record read whole
    while True:
        iterator = ArchiveIterator(stream)
        current: int | None = None
        try:
            for record in iterator:
                current = int(iterator.offset)  # where this record starts (warcio keeps it absolute)
                try:
                    page = _page(record, hosts=wanted, source=source, max_body_bytes=max_body_bytes)
                except FeedError as error:  # cut short: the file ends inside this record
                    yield DamagedRecord(where, current, str(error))
                    return
                last_good, current = current, None
                if page is not None:
                    yield page
            return
        except _READ_ERRORS as error:
            detail = str(error)[:120]
            # Reading the next record failed: warcio's offset is where the last one ended.
            damaged = current if current is not None else int(iterator.offset)
        if not seekable:
            yield DamagedRecord(where, damaged, _unreadable(where, damaged, detail) + "; the rest is skipped")
            return
        resume = _next_record(stream, after=max(damaged, last_good) + 1)
        yield DamagedRecord(where, damaged, _unreadable(where, damaged, detail))
        if resume is None:
            return
        stream.seek(resume)
        last_good = resume - 1


def _unreadable(where: str, offset: int, detail: str) -> str:
    return f"{where}: unreadable WARC record at offset {offset} ({detail}); check that the file is a complete WARC"


_GZIP_MAGIC = b"\x1f\x8b\x08"
_WARC_MAGIC = b"WARC/1."
_SCAN_BLOCK = 1 << 20
_MEMBER_READ = 1 << 16


def _next_record(stream: BinaryIO, *, after: int) -> int | None:
    """The offset of the first readable record start after `after`: a gzip member that inflates
    whole to a WARC header, or a plain "WARC/1." line."""
    position = max(after, 0)
    while True:
        stream.seek(position)
        block = stream.read(_SCAN_BLOCK + 8)
        if len(block) < 8:
            return None
        for found in sorted(_starts(block, first=position == 0)):
            if found >= _SCAN_BLOCK and len(block) > _SCAN_BLOCK:
                break
            if _readable_at(stream, position + found):
                return position + found
        position += _SCAN_BLOCK


def _readable_at(stream: BinaryIO, offset: int) -> bool:
    stream.seek(offset)
    head = stream.read(len(_WARC_MAGIC))
    if head == _WARC_MAGIC:
        return True
    inflater = zlib.decompressobj(zlib.MAX_WBITS | 16)
    data = head
    start = b""
    try:
        while not inflater.eof and data:
            inflated = inflater.decompress(data)
            if len(start) < len(_WARC_MAGIC):
                start += inflated[: len(_WARC_MAGIC)]
            data = stream.read(_MEMBER_READ)
    except zlib.error:
        return False
    return inflater.eof and start.startswith(_WARC_MAGIC)


def _starts(block: bytes, *, first: bool) -> Iterator[int]:
    for magic in (_GZIP_MAGIC, _WARC_MAGIC):
        found = block.find(magic, 0)
        while found != -1:
            if magic is _GZIP_MAGIC or (found == 0 and first) or block[found - 1 : found] == b"\n":
                yield found
            found = block.find(magic, found + 1)


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
) -> Iterator[FetchedPage | FetchOutcome | DamagedRecord]:
    """The source's HTML pages in a WARC; records crawled before the window cannot be in it.
    A damaged record is passed on, for the run's report, and reading goes on past it."""
    for record in read_warc(stream, hosts=hosts, source=source):
        if isinstance(record, DamagedRecord):
            yield record
            continue
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
