"""The raw archive: every response the fetcher reads, kept as WARC records (request and response,
headers as received) in rotating .warc.gz files on a local folder or any fsspec filesystem.

A run writes one archive for all its sources (a file per source and run made 48,000 small files a
day for 500 sources every 15 minutes); a file is named for what wrote it, under the day's folder.

Each record is its own gzip member, written whole and flushed before its location is handed out,
so that a location stored in the database always points at a complete record, and a crash can
at worst leave a partial member at the end of a file, which readers report and skip.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import socket
import threading
import uuid
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from io import BytesIO
from typing import IO, Any, Protocol
from urllib.parse import urlsplit

import fsspec
from fsspec.implementations.local import LocalFileSystem
from warcio.archiveiterator import ArchiveIterator
from warcio.exceptions import ArchiveLoadFailed
from warcio.warcwriter import WARCWriter

from newsflow.errors import ArchiveError, ConfigError
from newsflow.records import ArchiveLocation, HttpExchange

ARCHIVE_OFF = "off"
# zlib level 3: half the CPU of level 6 (gzip's default; warcio's own is 9) for files about 12 %
# larger, so that the archive stays within its share of the throughput (bench/archive_write.py).
GZIP_LEVEL = 3
_SERIAL = itertools.count(1)  # file serial numbers, unique in this process


class ArchiveSink(Protocol):
    """Where the fetcher puts each response it read."""

    def write(self, exchange: HttpExchange) -> ArchiveLocation: ...


def archive_filesystem(root: str) -> tuple[fsspec.AbstractFileSystem, str]:
    """The filesystem and root path of an archive setting (a folder or an fsspec URL)."""
    try:
        fs, path = fsspec.core.url_to_fs(root)
    except (ImportError, ValueError) as exc:
        raise ConfigError(
            f"NEWSFLOW_ARCHIVE: cannot use {root!r} ({exc}); use a folder, an fsspec URL such as "
            "s3://bucket/warc (with its fsspec package installed), or off"
        ) from exc
    return fs, path.rstrip("/")


def file_url(fs: fsspec.AbstractFileSystem, path: str) -> str:
    """How a file is named in the database: a local path as is, anything else as a full URL."""
    return path if isinstance(fs, LocalFileSystem) else str(fs.unstrip_protocol(path))


def gzip_member(*parts: bytes, level: int = GZIP_LEVEL) -> bytes:
    """`parts`, concatenated, as one complete gzip member (without copying them together first)."""
    compressor = zlib.compressobj(level, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    return b"".join([*(compressor.compress(part) for part in parts), compressor.flush()])


def _warc_date(when: datetime) -> str:
    return when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _digest(*parts: bytes) -> str:
    digest = hashlib.sha1()
    for part in parts:
        digest.update(part)
    return "sha1:" + base64.b32encode(digest.digest()).decode("ascii")


def _http_head(first_line: str, headers: tuple[tuple[str, str], ...]) -> bytes:
    lines = [first_line, *(f"{name}: {value}" for name, value in headers), "", ""]
    return "\r\n".join(lines).encode("latin-1", errors="replace")


def _record(
    kind: str, record_id: str, exchange: HttpExchange, head: bytes, *extra: tuple[str, str]
) -> list[bytes]:
    """One WARC/1.0 record of an HTTP message (`head`, then the body for a response), in parts."""
    payload = exchange.body if kind == "response" else b""
    fields = [
        ("WARC-Type", kind),
        ("WARC-Record-ID", record_id),
        ("WARC-Date", _warc_date(exchange.fetched_at)),
        ("WARC-Target-URI", exchange.url),
        *extra,
        ("WARC-Payload-Digest", _digest(payload)),
        ("WARC-Block-Digest", _digest(head, payload)),
        ("Content-Type", f"application/http; msgtype={kind}"),
        ("Content-Length", str(len(head) + len(payload))),
    ]
    warc_head = "WARC/1.0\r\n" + "".join(f"{name}: {value}\r\n" for name, value in fields) + "\r\n"
    return [warc_head.encode("utf-8"), head, payload, b"\r\n\r\n"]


def exchange_records(exchange: HttpExchange) -> tuple[list[bytes], list[bytes]]:
    """The WARC response and request records of one exchange, uncompressed, each in parts (the
    body is not copied: a page can be megabytes, and every page is archived)."""
    response_id, request_id = (f"<urn:uuid:{uuid.uuid4()}>" for _ in range(2))
    status = f"{exchange.http_version} {exchange.status} {exchange.reason}".rstrip()
    response = _record("response", response_id, exchange, _http_head(status, exchange.response_headers))
    parts = urlsplit(exchange.url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request_line = f"{exchange.method} {target} {exchange.http_version}"
    request = _record(
        "request",
        request_id,
        exchange,
        _http_head(request_line, exchange.request_headers),
        ("WARC-Concurrent-To", response_id),
    )
    return response, request


def _serialized(record: Any) -> bytes:
    buffer = BytesIO()
    WARCWriter(buffer, gzip=False).write_record(record)
    return buffer.getvalue()


def warcinfo_record(filename: str) -> bytes:
    """The warcinfo record that opens each file: who wrote it, and how."""
    writer = WARCWriter(BytesIO(), gzip=False)
    info = {
        "software": "newsflow",
        "hostname": socket.gethostname(),
        "format": "WARC File Format 1.0",
        "description": "raw responses read by newsflow's fetcher; one gzip member per record",
    }
    return _serialized(writer.create_warcinfo_record(filename, info))


class WarcArchive:
    """A run's rotating archive files, named `label`-...; thread-safe (every fetch thread of the
    run's sources writes to it)."""

    def __init__(self, root: str, *, label: str, max_file_bytes: int) -> None:
        self._fs, self._root = archive_filesystem(root)
        self._label = label
        self._max_file_bytes = max_file_bytes
        self._lock = threading.Lock()
        self._file: IO[bytes] | None = None
        self._url = ""
        self._size = 0
        self.files: list[str] = []  # every file this archive wrote, in order

    def write(self, exchange: HttpExchange) -> ArchiveLocation:
        """Append the exchange's response and request records; where the response lies."""
        response, request = exchange_records(exchange)
        # Compressed outside the lock (zlib releases the GIL): fetch threads compress in parallel.
        response_member = gzip_member(*response)
        both = response_member + gzip_member(*request)
        with self._lock:
            try:
                if self._file is None or self._size + len(both) > self._max_file_bytes:
                    self._rotate()
                assert self._file is not None
                offset = self._size
                self._file.write(both)
                self._file.flush()
            except OSError as exc:
                raise ArchiveError(
                    f"{self._url or self._root}: cannot write the raw archive ({exc}); "
                    "free some space, fix NEWSFLOW_ARCHIVE, or set it to off"
                ) from exc
            self._size += len(both)
            return ArchiveLocation(self._url, offset, len(response_member))

    def _rotate(self) -> None:
        self._close_file()
        now = datetime.now(UTC)
        name = f"{self._label}-{now:%Y%m%d%H%M%S}-{socket.gethostname()}-{os.getpid()}-{next(_SERIAL):05d}.warc.gz"
        folder = f"{self._root}/{now:%Y-%m-%d}"
        path = f"{folder}/{name}"
        self._fs.makedirs(folder, exist_ok=True)
        self._file = self._fs.open(path, "wb")
        self._url = file_url(self._fs, path)
        self.files.append(self._url)
        info = gzip_member(warcinfo_record(name))
        self._file.write(info)
        self._file.flush()
        self._size = len(info)

    def _close_file(self) -> None:
        if self._file is not None:
            self._file.close()
            self._file = None

    def close(self) -> None:
        with self._lock:
            self._close_file()


@contextmanager
def open_archive(root: str, *, label: str, max_file_bytes: int) -> Iterator[WarcArchive | None]:
    """An archive whose files are named `label`-... (None when `root` is "off"), closed at the end;
    no file is made before the first record."""
    if root.strip().lower() == ARCHIVE_OFF:
        yield None
        return
    archive = WarcArchive(root, label=label, max_file_bytes=max_file_bytes)
    try:
        yield archive
    finally:
        archive.close()


@dataclass(frozen=True, slots=True)
class ArchivedResponse:
    """A response read back from the archive, its body decoded as the client decoded it."""

    url: str
    status: int
    content_type: str | None
    body: bytes
    fetched_at: str | None


def parse_response_member(member: bytes, *, where: str) -> ArchivedResponse:
    """The response record in one gzip member; ArchiveError naming `where` if it is not one."""
    try:
        data = zlib.decompress(member, zlib.MAX_WBITS | 16)
    except zlib.error as exc:
        raise ArchiveError(
            f"{where}: the archived record is damaged ({exc}); it cannot be read back"
        ) from exc
    try:
        record = next(iter(ArchiveIterator(BytesIO(data))), None)
        if record is None or record.rec_type != "response" or record.http_headers is None:
            raise ArchiveError(f"{where}: no archived response at this location")
        body = record.content_stream().read()
        status = int(record.http_headers.get_statuscode())
    except (ArchiveLoadFailed, EOFError, ValueError, zlib.error) as exc:
        raise ArchiveError(
            f"{where}: the archived record is damaged ({exc}); it cannot be read back"
        ) from exc
    return ArchivedResponse(
        url=(record.rec_headers.get_header("WARC-Target-URI") or "").strip("<> "),
        status=status,
        content_type=record.http_headers.get_header("Content-Type"),
        body=body,
        fetched_at=record.rec_headers.get_header("WARC-Date"),
    )


class ArchiveReader:
    """Reads records back by their location, keeping the files it opened until closed."""

    def __init__(self) -> None:
        self._open: dict[str, IO[bytes]] = {}

    def read(self, location: ArchiveLocation) -> ArchivedResponse:
        where = f"{location.file} at offset {location.offset}"
        try:
            handle = self._open.get(location.file)
            if handle is None:
                fs, path = fsspec.core.url_to_fs(location.file)
                handle = self._open[location.file] = fs.open(path, "rb")
            handle.seek(location.offset)
            member = handle.read(location.length)
        except (OSError, ValueError) as exc:
            raise ArchiveError(
                f"{where}: cannot read the raw archive ({exc}); is NEWSFLOW_ARCHIVE's storage there?"
            ) from exc
        if len(member) < location.length:
            raise ArchiveError(f"{where}: the archive file ends inside the record (truncated)")
        return parse_response_member(member, where=where)

    def close(self) -> None:
        for handle in self._open.values():
            handle.close()
        self._open.clear()

    def __enter__(self) -> ArchiveReader:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()
