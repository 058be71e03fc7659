"""One connection pool per origin behind one httpx client, for a run over many sites.

httpcore's pool scans all of its connections, under one lock, on every request and every
response close: shared by a run over hundreds of hosts, one pool of a few hundred connections
cost more CPU than the requests themselves (bench/many_sources.py). Here each origin has a small
pool of its own, all of them sharing one TLS context; pools of origins no request uses are closed
once more than `keep` are open, so a run over 5,000 sites holds a bounded number of sockets.
"""

from __future__ import annotations

import ssl
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import httpx


@dataclass
class _Pool:
    transport: httpx.BaseTransport
    active: int = 0  # requests whose response is not closed yet


class _ReleasingStream(httpx.SyncByteStream):
    """A response body that tells its pool when it is closed."""

    def __init__(self, stream: httpx.SyncByteStream, release: Callable[[], None]) -> None:
        self._stream = stream
        self._release: Callable[[], None] | None = release

    def __iter__(self) -> Iterator[bytes]:
        yield from self._stream

    def close(self) -> None:
        try:
            self._stream.close()
        finally:
            release, self._release = self._release, None
            if release is not None:
                release()


class HostPools(httpx.BaseTransport):
    """Routes each request to its origin's own transport, made by `make(ssl_context)` on first use."""

    def __init__(self, make: Callable[[ssl.SSLContext], httpx.BaseTransport], *, keep: int) -> None:
        self._make = make
        self._keep = keep
        self._ssl = httpx.create_ssl_context(trust_env=False)  # once: it loads the CA bundle
        self._pools: OrderedDict[tuple[bytes, bytes, int | None], _Pool] = OrderedDict()
        self._lock = threading.Lock()

    def open_pools(self) -> int:
        with self._lock:
            return len(self._pools)

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        url = request.url
        key = (url.raw_scheme, url.raw_host, url.port)
        with self._lock:
            pool = self._pools.get(key)
            if pool is None:
                pool = self._pools[key] = _Pool(self._make(self._ssl))
            self._pools.move_to_end(key)
            pool.active += 1
            unused = self._unused_beyond_keep()
        for transport in unused:
            transport.close()
        try:
            response = pool.transport.handle_request(request)
        except BaseException:
            self._release(pool)
            raise
        assert isinstance(response.stream, httpx.SyncByteStream)
        return httpx.Response(
            status_code=response.status_code,
            headers=response.headers,
            stream=_ReleasingStream(response.stream, lambda: self._release(pool)),
            extensions=response.extensions,
        )

    def _release(self, pool: _Pool) -> None:
        with self._lock:
            pool.active -= 1

    def _unused_beyond_keep(self) -> list[httpx.BaseTransport]:
        """The least recently used pools with no request in flight, past `keep` (under the lock)."""
        surplus = len(self._pools) - self._keep
        unused: list[httpx.BaseTransport] = []
        if surplus <= 0:
            return unused
        for key, pool in list(self._pools.items()):
            if len(unused) >= surplus:
                break
            if pool.active == 0:
                unused.append(self._pools.pop(key).transport)
        return unused

    def close(self) -> None:
        with self._lock:
            pools, self._pools = list(self._pools.values()), OrderedDict()
        for pool in pools:
            pool.transport.close()
