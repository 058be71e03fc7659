"""The one HTTP client factory and the fetch function: timeouts, size caps, SSRF guard, retries."""

from __future__ import annotations

import ipaddress
import socket
import ssl
import time
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from urllib.parse import urlsplit

import httpcore
import httpx

from newsflow.errors import (
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    ForbiddenHost,
    HttpStatusError,
    ResponseTooLarge,
)
from newsflow.fetch.host_pools import HostPools
from newsflow.records import ArchiveLocation, HttpExchange
from newsflow.settings import RunConfig
from newsflow.urls import host_of

_DNS_FAILURE = "Name or service not known"
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})
_DEFAULT_PORTS = {"http": 80, "https": 443}
_INFLATE_STEP = 256 * 1024  # decompressed bytes produced per step, so the cap is checked often
# IPv6 prefixes that carry an IPv4 address inside (NAT64); the IPv4 part decides.
_NAT64 = ipaddress.ip_network("64:ff9b::/96")


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Plain values that shape every request of a run.

    `allowed_hosts` holds origins ("host:port", see `allowed_origins`) that may be fetched even
    though they resolve to a private address: the configured source URLs' own servers.
    """

    user_agent: str
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_bytes: int = 5_000_000
    max_retries: int = 2
    max_retry_after: float = 30.0
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)
    max_connections: int = 32  # kept open at most, over every origin (idle origins' pools close)
    max_connections_per_host: int = 16

    @classmethod
    def for_run(
        cls, config: RunConfig, allowed_hosts: frozenset[str], *, max_connections: int | None = None
    ) -> FetchPolicy:
        """The policy of a run's fetches (of one source, or of every source sharing one client)."""
        return cls(
            user_agent=config.user_agent,
            connect_timeout=config.connect_timeout,
            read_timeout=config.read_timeout,
            max_bytes=config.max_page_bytes,
            max_retries=config.max_retries,
            max_retry_after=config.max_retry_after,
            allowed_hosts=allowed_hosts,
            max_connections=max_connections or max(config.fetch_concurrency, 4),
            max_connections_per_host=max(1, min(config.fetch_concurrency, config.per_host_concurrency)),
        )


@dataclass(frozen=True, slots=True)
class FetchResponse:
    """A complete, size-capped HTTP response."""

    url: str
    final_url: str
    status: int
    body: bytes
    content_type: str | None
    etag: str | None = None
    last_modified: str | None = None
    exchange: HttpExchange | None = None  # kept when asked for (keep_exchange), for the archive
    archived: ArchiveLocation | None = None  # where the fetcher archived it


def _origin(host: str, port: int) -> str:
    host = host.strip("[]").lower()
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def origin_of(url: str) -> str | None:
    """'host:port' of an http(s) URL, the port defaulting by scheme; None for anything else."""
    try:
        parts = urlsplit(url.strip())
        port = parts.port or _DEFAULT_PORTS.get(parts.scheme.lower())
    except ValueError:
        return None
    if not parts.hostname or port is None:
        return None
    return _origin(parts.hostname, port)


def allowed_origins(urls: Iterable[str]) -> frozenset[str]:
    """The origins of configured source URLs; a URL without a port allows both web ports.

    Ports matter: a source on 127.0.0.1:8080 must not open every local service on 127.0.0.1.
    """
    found: set[str] = set()
    for url in urls:
        try:
            parts = urlsplit(url.strip())
            port = parts.port
        except ValueError:
            continue
        if not parts.hostname or parts.scheme.lower() not in _DEFAULT_PORTS:
            continue
        ports = [port] if port is not None else list(_DEFAULT_PORTS.values())
        found.update(_origin(parts.hostname, p) for p in ports)
    return frozenset(found)


def is_public_address(address: str) -> bool:
    """Whether an IP address is globally routable (IPv4 inside IPv6 judged by its IPv4 part)."""
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address):
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None)
        if embedded is None and ip in _NAT64:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
        if embedded is None and int(ip) >> 32 == 0:
            embedded = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)  # deprecated ::a.b.c.d
        if embedded is not None:
            return is_public_address(str(embedded))
    return ip.is_global and not ip.is_multicast


def _resolve(url: str, host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host.strip("[]"), port, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise ConnectionFailed(url, f"{url}: cannot resolve host {host} ({exc})") from exc
    return list(dict.fromkeys(str(info[4][0]) for info in infos))


def _public_addresses(url: str, host: str, port: int) -> list[str]:
    addresses = _resolve(url, host, port)
    for address in addresses:
        if not is_public_address(address):
            raise ForbiddenHost(
                url,
                f"{url}: host {host} resolves to the private address {address}; only public hosts "
                "and the hosts of configured source URLs are fetched",
            )
    return addresses


def guard_url(url: str, allowed_hosts: frozenset[str]) -> None:
    """Raise ForbiddenHost unless `url` is http(s) to a public address or a configured source origin."""
    scheme = url.split(":", 1)[0].lower()
    if scheme not in _DEFAULT_PORTS:
        raise ForbiddenHost(url, f"{url}: only http and https URLs are fetched, not {scheme}:")
    origin = origin_of(url)
    host = host_of(url)
    if origin is None or not host:
        raise ForbiddenHost(url, f"{url}: the URL has no host")
    if origin in allowed_hosts:
        return
    _public_addresses(url, host, int(origin.rsplit(":", 1)[1]))


class _GuardedBackend(httpcore.SyncBackend):
    """Checks the address again at connect time and connects to exactly that address.

    The request hook resolves the host too, but DNS may answer differently a moment later
    (DNS rebinding); only the address actually dialled counts.
    """

    def __init__(self, allowed_hosts: frozenset[str]) -> None:
        self._allowed = allowed_hosts

    def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        if _origin(host, port) in self._allowed:
            return super().connect_tcp(host, port, timeout, local_address, socket_options)
        failure: httpcore.ConnectError | None = None
        for address in _public_addresses(f"//{_origin(host, port)}", host, port):
            try:
                return super().connect_tcp(address, port, timeout, local_address, socket_options)
            except httpcore.ConnectError as exc:
                failure = exc
        raise failure or httpcore.ConnectError(f"no address for {host}")

    def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.NetworkStream:
        raise ForbiddenHost(path, f"{path}: unix sockets are never fetched")


def build_client(policy: FetchPolicy) -> httpx.Client:
    """An httpx client with our timeouts, headers and a redirect-by-redirect SSRF guard."""

    def check_request(request: httpx.Request) -> None:
        guard_url(str(request.url), policy.allowed_hosts)

    backend = _GuardedBackend(policy.allowed_hosts)

    def origin_transport(ssl_context: ssl.SSLContext) -> httpx.HTTPTransport:
        transport = httpx.HTTPTransport(
            verify=ssl_context,
            limits=httpx.Limits(
                max_connections=policy.max_connections_per_host,
                max_keepalive_connections=policy.max_connections_per_host,
            ),
            trust_env=False,
        )
        # httpx does not take a network backend; its pool does, and reads it on every new connection.
        transport._pool._network_backend = backend
        return transport

    # A pool per origin: one pool over hundreds of hosts costs more CPU than the requests.
    transport = HostPools(origin_transport, keep=max(1, policy.max_connections // 2))
    return httpx.Client(
        headers={
            "User-Agent": policy.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
            # Only what _decoded_chunks inflates under the cap.
            "Accept-Encoding": "gzip, deflate",
        },
        timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
        transport=transport,
        follow_redirects=True,
        max_redirects=10,
        event_hooks={"request": [check_request]},
        trust_env=False,
    )


def retry_after_seconds(value: str | None, *, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta seconds or HTTP date)."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def _inflate(raw: Iterable[bytes], wbits: int, url: str) -> Iterator[bytes]:
    """Inflate gzip or zlib data a bounded step at a time: a bomb never lands in memory whole."""
    inflater = zlib.decompressobj(wbits)
    try:
        for data in raw:
            while data:
                yield inflater.decompress(data, _INFLATE_STEP)
                data = inflater.unconsumed_tail
                if inflater.eof and inflater.unused_data:
                    # Concatenated gzip members: start over on the rest.
                    data, inflater = inflater.unused_data, zlib.decompressobj(wbits)
        yield inflater.flush()
    except zlib.error as exc:
        raise FetchError(url, f"{url}: the body could not be decompressed ({exc})") from exc


def _kept(chunks: Iterator[bytes], kept: list[bytes]) -> Iterator[bytes]:
    for chunk in chunks:
        kept.append(chunk)
        yield chunk


def _decoded_chunks(response: httpx.Response, url: str, raw_kept: list[bytes] | None) -> Iterator[bytes]:
    encoding = response.headers.get("content-encoding", "").strip().lower()
    if encoding in ("", "identity"):
        return response.iter_raw()
    raw = response.iter_raw() if raw_kept is None else _kept(response.iter_raw(), raw_kept)
    if encoding in ("gzip", "x-gzip"):
        return _inflate(raw, zlib.MAX_WBITS | 16, url)
    if encoding == "deflate":
        first = next(raw, b"")
        # "deflate" is zlib-wrapped by the standard and raw deflate by some servers.
        wrapped = len(first) >= 2 and (first[0] & 0x0F) == 8 and int.from_bytes(first[:2], "big") % 31 == 0
        return _inflate(_prepend(first, raw), zlib.MAX_WBITS if wrapped else -zlib.MAX_WBITS, url)
    if raw_kept is not None:
        # An encoding we did not ask for: httpx's decoder, still capped below; the archive keeps
        # the decoded body under the headers as received, so it is read back by its encoding.
        return _kept(response.iter_bytes(), raw_kept)
    return response.iter_bytes()


def _prepend(first: bytes, rest: Iterator[bytes]) -> Iterator[bytes]:
    yield first
    yield from rest


def _read_capped(
    response: httpx.Response, url: str, max_bytes: int, deadline: float, raw_kept: list[bytes] | None = None
) -> bytes:
    declared = response.headers.get("content-length")
    if (
        declared
        and declared.isdigit()
        and int(declared) > max_bytes
        and "content-encoding" not in response.headers
    ):
        raise ResponseTooLarge(
            url, f"{url}: the declared size of {int(declared):,} bytes exceeds the cap of {max_bytes:,} bytes"
        )
    chunks: list[bytes] = []
    total = 0
    for chunk in _decoded_chunks(response, url, raw_kept):
        total += len(chunk)
        if total > max_bytes:
            raise ResponseTooLarge(
                url, f"{url}: the body exceeds the cap of {max_bytes:,} bytes (after decompression)"
            )
        if time.monotonic() > deadline:
            raise FetchTimeout(url, f"{url}: timed out: the body took longer than the time limit to arrive")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_once(
    client: httpx.Client,
    url: str,
    *,
    max_bytes: int,
    total_timeout: float,
    headers: dict[str, str] | None = None,
    keep_exchange: bool = False,
    read_statuses: frozenset[int] = frozenset(),
) -> FetchResponse:
    """One GET with a size cap and an overall time limit; HTTP errors raise HttpStatusError, except
    `read_statuses`, whose answers are read like a success. With `keep_exchange`, the response
    carries its request and response as received."""
    try:
        return _fetch(
            client,
            url,
            max_bytes=max_bytes,
            total_timeout=total_timeout,
            headers=headers,
            keep_exchange=keep_exchange,
            read_statuses=read_statuses,
        )
    except (ForbiddenHost, ConnectionFailed) as exc:
        if exc.url in (url, _normalized(url)):
            raise
        # The guard refused a redirect hop: the row belongs to the URL we were asked for.
        raise type(exc)(url, f"{url}: led to {exc}") from exc


def _normalized(url: str) -> str:
    try:
        return str(httpx.URL(url))
    except httpx.InvalidURL:
        return url


def _fetch(
    client: httpx.Client,
    url: str,
    *,
    max_bytes: int,
    total_timeout: float,
    headers: dict[str, str] | None,
    keep_exchange: bool,
    read_statuses: frozenset[int] = frozenset(),
) -> FetchResponse:
    deadline = time.monotonic() + total_timeout
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return FetchResponse(url, str(response.url), 304, b"", response.headers.get("content-type"))
            if response.status_code >= 400 and response.status_code not in read_statuses:
                reason = response.reason_phrase or "error"
                raise HttpStatusError(
                    url,
                    f"{url}: HTTP {response.status_code} {reason}",
                    status=response.status_code,
                    retry_after=retry_after_seconds(response.headers.get("retry-after")),
                )
            raw: list[bytes] | None = [] if keep_exchange else None
            body = _read_capped(response, url, max_bytes, deadline, raw)
            return FetchResponse(
                url=url,
                final_url=str(response.url),
                status=response.status_code,
                body=body,
                content_type=response.headers.get("content-type"),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
                exchange=None if raw is None else _exchange(response, body if not raw else b"".join(raw)),
            )
    except httpx.TooManyRedirects as exc:
        raise FetchError(url, f"{url}: too many redirects (a redirect loop?)") from exc
    except httpx.TimeoutException as exc:
        raise FetchTimeout(url, f"{url}: timed out ({type(exc).__name__})") from exc
    except httpx.DecodingError as exc:
        raise FetchError(url, f"{url}: the body could not be decompressed ({exc})") from exc
    except httpx.ConnectError as exc:
        if _DNS_FAILURE in str(exc) or "name resolution" in str(exc).lower():
            raise ConnectionFailed(
                url, f"{url}: cannot resolve host {host_of(url)} (offline, or a typo in the URL?)"
            ) from exc
        raise ConnectionFailed(url, f"{url}: cannot connect ({exc or 'no detail'})") from exc
    except httpx.UnsupportedProtocol as exc:
        raise ForbiddenHost(url, f"{url}: only http and https URLs are fetched ({exc})") from exc
    except httpx.TransportError as exc:
        raise ConnectionFailed(
            url, f"{url}: connection failed ({type(exc).__name__}: {exc or 'no detail'})"
        ) from exc
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"{url}: invalid URL ({exc})") from exc


_FRAMING_HEADERS = frozenset({"transfer-encoding"})
_INFLATED_HERE = frozenset({"", "identity", "gzip", "x-gzip", "deflate"})


def _exchange(response: httpx.Response, body: bytes) -> HttpExchange:
    """The request and response as received, for the archive. httpx has undone the chunked
    framing, and an encoding we did not ask for has been decoded: their headers are kept under
    X-Archive-Orig- names (as web archives do), so that a WARC reader does not undo them again."""
    encoding = response.headers.get("content-encoding", "").strip().lower()
    renamed = _FRAMING_HEADERS if encoding in _INFLATED_HERE else _FRAMING_HEADERS | {"content-encoding"}
    headers = tuple(
        (f"X-Archive-Orig-{name}" if name.lower() in renamed else name, value)
        for name, value in _as_sent(response.headers)
    )
    request = response.request
    return HttpExchange(
        url=str(response.url),
        method=request.method,
        request_headers=_as_sent(request.headers),
        http_version=response.http_version,
        status=response.status_code,
        reason=response.reason_phrase,
        response_headers=headers,
        body=body,
        fetched_at=datetime.now(UTC),
    )


def _as_sent(headers: httpx.Headers) -> tuple[tuple[str, str], ...]:
    """Header names in their own case, values as bytes read as Latin-1 (HTTP's own charset)."""
    return tuple((name.decode("latin-1"), value.decode("latin-1")) for name, value in headers.raw)


def is_transient(error: FetchError) -> bool:
    """Whether trying again later (in this run or the next) might succeed."""
    if isinstance(error, HttpStatusError):
        return error.status in _RETRY_STATUSES
    return isinstance(error, ConnectionFailed | FetchTimeout)
