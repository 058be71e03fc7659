"""Open a WARC file for reading: a local path, or streamed from an http(s) URL without buffering it."""

from __future__ import annotations

import io
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

import httpx

from newsflow.errors import FeedError


class _IterStream(io.RawIOBase):
    """A read-only file over an iterator of byte chunks (warcio wants a file, httpx gives chunks)."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def readable(self) -> bool:
        return True

    def readinto(self, target: bytearray | memoryview) -> int:  # type: ignore[override]
        while not self._buffer:
            try:
                self._buffer = next(self._chunks)
            except StopIteration:
                return 0
        size = min(len(target), len(self._buffer))
        target[:size] = self._buffer[:size]
        self._buffer = self._buffer[size:]
        return size


@contextmanager
def open_warc(location: str, client: httpx.Client) -> Iterator[BinaryIO]:
    """Open a WARC from a local path or stream it from an http(s) URL."""
    if location.startswith(("http://", "https://")):
        with client.stream("GET", location) as response:
            if response.status_code != 200:
                raise FeedError(f"{location}: HTTP {response.status_code} fetching the WARC file")
            yield io.BufferedReader(_IterStream(response.iter_raw()))
        return
    path = Path(location).expanduser()
    try:
        handle = path.open("rb")
    except OSError as exc:
        raise FeedError(
            f"{location}: cannot open the WARC file ({exc.strerror}); check the source's 'warcs'"
        ) from exc
    with handle:
        yield handle
