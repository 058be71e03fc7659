"""Named misbehaving endpoints under /fault/: errors, retries, hangs, floods, bombs, junk, loops.

Each `/fault/<name>` path is documented in `FAULT_PATHS`. Retry endpoints count attempts per
path-with-query, so `/fault/503-then-ok?n=2` has its own counter.
"""

from __future__ import annotations

import random
import struct
import threading
import zlib
from collections.abc import Iterator
from functools import cache

from tests.site.server import LocalSite, Request, Response

HUGE_BYTES = 200 * 2**20
BOMB_SEGMENT_ZEROS = 10 * 2**20
BOMB_SEGMENTS = 1024  # 10 MiB of zeros each: ~10 MiB on the wire, 10 GiB inflated
HANG_SECONDS = 60.0
SLOW_SECONDS = 3.0

FAULT_PATHS: dict[str, str] = {
    "/fault/ok": "200 with a full article (the good variant on its own)",
    "/fault/500": "500 Internal Server Error, every time",
    "/fault/503-then-ok": "503 with Retry-After: 1 twice, then a full article",
    "/fault/429-then-ok": "429 with Retry-After: 1 once, then a full article",
    "/fault/slow": f"a full article after {SLOW_SECONDS:g} s",
    "/fault/hang": f"accepts, then sends nothing for {HANG_SECONDS:g} s and closes",
    "/fault/huge": "200 text/html, chunked, streams 200 MiB until the client hangs up",
    "/fault/huge-declared": "200 text/html with Content-Length: 200 MiB, streamed",
    "/fault/gzip-bomb": "Content-Encoding: gzip, ~10 MiB that inflates to 10 GiB of zeros",
    "/fault/binary": "a PNG image served as text/html",
    "/fault/garbage": "64 KiB of random bytes served as text/html",
    "/fault/redirect": "301 to /fault/ok",
    "/fault/redirect-loop": "302 to /fault/redirect-loop-b, which 302s back",
    "/fault/404": "404 Not Found",
    "/fault/410": "410 Gone",
    "/fault/empty": "200 text/html with an empty body",
    "/fault/402-teaser": "402 Payment Required with the article's page (a paywall's teaser)",
    "/fault/401": "401 Unauthorized with a sign-in page and no article",
}


class FaultEndpoints:
    """Registers the /fault/ routes on a site; `good_pages` are the article bytes served on success."""

    def __init__(self, site: LocalSite, *, good_pages: dict[str, bytes]) -> None:
        self._site = site
        self._good = good_pages
        self._attempts: dict[str, int] = {}
        self._lock = threading.Lock()
        handlers = {
            "/fault/ok": lambda r: self._article("/fault/ok"),
            "/fault/500": lambda r: _error(500, "Internal Server Error"),
            "/fault/503-then-ok": lambda r: self._then_ok(r, status=503, failures=2),
            "/fault/429-then-ok": lambda r: self._then_ok(r, status=429, failures=1),
            "/fault/slow": self._slow,
            "/fault/hang": lambda r: Response(silent_for=HANG_SECONDS),
            "/fault/huge": lambda r: Response(stream=lambda: _huge_html(HUGE_BYTES)),
            "/fault/huge-declared": lambda r: Response(
                stream=lambda: _huge_html(HUGE_BYTES), content_length=HUGE_BYTES
            ),
            "/fault/gzip-bomb": lambda r: Response(
                stream=_gzip_bomb, content_length=gzip_bomb_size(), headers={"Content-Encoding": "gzip"}
            ),
            "/fault/binary": lambda r: Response(body=png_image()),
            "/fault/garbage": lambda r: Response(body=random.Random(1337).randbytes(64 * 1024)),
            "/fault/redirect": lambda r: _redirect(301, "/fault/ok"),
            "/fault/redirect-loop": lambda r: _redirect(302, "/fault/redirect-loop-b"),
            "/fault/redirect-loop-b": lambda r: _redirect(302, "/fault/redirect-loop"),
            "/fault/404": lambda r: _error(404, "Not Found"),
            "/fault/410": lambda r: _error(410, "Gone"),
            "/fault/empty": lambda r: Response(body=b""),
            "/fault/402-teaser": lambda r: Response(status=402, body=self._good["/fault/402-teaser"]),
            "/fault/401": lambda r: _error(401, "Unauthorized"),
        }
        for path, handler in handlers.items():
            site.route(path, handler)

    def attempts(self, target: str) -> int:
        """How many times a retry endpoint (path with query) has been requested."""
        with self._lock:
            return self._attempts.get(target, 0)

    def reset(self) -> None:
        with self._lock:
            self._attempts.clear()

    def _article(self, path: str) -> Response:
        return Response(body=self._good[path])

    def _then_ok(self, request: Request, *, status: int, failures: int) -> Response:
        with self._lock:
            attempt = self._attempts.get(request.target, 0) + 1
            self._attempts[request.target] = attempt
        if attempt <= failures:
            reason = "Service Unavailable" if status == 503 else "Too Many Requests"
            return _error(status, reason, headers={"Retry-After": "1"})
        return self._article(request.path)

    def _slow(self, request: Request) -> Response:
        self._site.stopping.wait(SLOW_SECONDS)
        return self._article(request.path)


def _error(status: int, reason: str, *, headers: dict[str, str] | None = None) -> Response:
    body = f"<html><head><title>{status} {reason}</title></head><body><h1>{reason}</h1></body></html>"
    return Response(status=status, body=body.encode(), headers=headers or {})


def _redirect(status: int, location: str) -> Response:
    return Response(status=status, body=b"", headers={"Location": location})


def _huge_html(total: int) -> Iterator[bytes]:
    """Yield exactly `total` bytes of valid-looking HTML in 64 KiB chunks."""
    head = b"<!DOCTYPE html><html><head><title>Endless</title></head><body><article>"
    paragraph = b"<p>" + b"All work and no play makes Jack a dull boy. " * 20 + b"</p>\n"
    filler = paragraph * (65536 // len(paragraph))
    yield head
    sent = len(head)
    while sent < total:
        chunk = filler[: total - sent]
        sent += len(chunk)
        yield chunk


@cache
def _bomb_parts() -> tuple[bytes, bytes, bytes]:
    # A full flush byte-aligns the stream and forgets history, so one segment can be repeated.
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    segment = compressor.compress(bytes(BOMB_SEGMENT_ZEROS)) + compressor.flush(zlib.Z_FULL_FLUSH)
    final_block = zlib.compressobj(9, zlib.DEFLATED, -15).flush()
    inflated = BOMB_SEGMENT_ZEROS * BOMB_SEGMENTS
    header = b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    trailer = final_block + struct.pack("<II", crc32_of_zeros(inflated), inflated & 0xFFFFFFFF)
    return header, segment, trailer


def gzip_bomb_size() -> int:
    header, segment, trailer = _bomb_parts()
    return len(header) + len(segment) * BOMB_SEGMENTS + len(trailer)


def _gzip_bomb() -> Iterator[bytes]:
    header, segment, trailer = _bomb_parts()
    batch = segment * max(1, 65536 // len(segment))
    per_batch = len(batch) // len(segment)
    yield header
    remaining = BOMB_SEGMENTS
    while remaining > 0:
        count = min(per_batch, remaining)
        yield batch if count == per_batch else segment * count
        remaining -= count
    yield trailer


def crc32_of_zeros(length: int) -> int:
    """CRC-32 of `length` zero bytes in O(log length): a zero byte acts linearly on the register."""
    mask = 0xFFFFFFFF
    one_byte = [~zlib.crc32(b"\0", ~(1 << bit) & mask) & mask for bit in range(32)]
    result = [1 << bit for bit in range(32)]
    while length:
        if length & 1:
            result = [_apply(one_byte, column) for column in result]
        one_byte = [_apply(one_byte, column) for column in one_byte]
        length >>= 1
    return ~_apply(result, mask) & mask


def _apply(columns: list[int], register: int) -> int:
    value = 0
    for column in columns:
        if register & 1:
            value ^= column
        register >>= 1
    return value


@cache
def png_image() -> bytes:
    """A real 128x128 PNG of noise."""
    rng = random.Random(7)
    rows = b"".join(b"\x00" + rng.randbytes(128 * 3) for _ in range(128))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    header = struct.pack(">IIBBBBB", 128, 128, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )
