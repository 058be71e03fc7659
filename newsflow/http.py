"""The one HTTP client factory and the fetch function: timeouts, size caps, SSRF guard, retries."""

from __future__ import annotations

import ipaddress
import socket
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

import httpx

from newsflow.canonical import host_of
from newsflow.errors import (
    ConnectionFailed,
    FetchError,
    FetchTimeout,
    ForbiddenHost,
    HttpStatusError,
    ResponseTooLarge,
)

_DNS_FAILURE = "Name or service not known"
_RETRY_STATUSES = frozenset({408, 425, 429, 500, 502, 503, 504})


@dataclass(frozen=True, slots=True)
class FetchPolicy:
    """Plain values that shape every request of a run."""

    user_agent: str
    connect_timeout: float = 5.0
    read_timeout: float = 15.0
    max_bytes: int = 5_000_000
    max_retries: int = 2
    max_retry_after: float = 30.0
    allowed_hosts: frozenset[str] = field(default_factory=frozenset)
    max_connections: int = 32


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


def _is_public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    return ip.is_global and not ip.is_multicast


def guard_url(url: str, allowed_hosts: frozenset[str]) -> None:
    """Raise ForbiddenHost unless `url` is http(s) to a public address or a configured source host."""
    scheme = url.split(":", 1)[0].lower()
    if scheme not in ("http", "https"):
        raise ForbiddenHost(url, f"{url}: only http and https URLs are fetched, not {scheme}:")
    host = host_of(url)
    if not host:
        raise ForbiddenHost(url, f"{url}: the URL has no host")
    if host in allowed_hosts:
        return
    try:
        infos = socket.getaddrinfo(host.strip("[]"), None, proto=socket.IPPROTO_TCP)
    except (socket.gaierror, UnicodeError) as exc:
        raise FetchError(url, f"{url}: cannot resolve host {host} ({exc})") from exc
    for info in infos:
        if not _is_public(str(info[4][0])):
            raise ForbiddenHost(
                url,
                f"{url}: host {host} resolves to the private address {info[4][0]}; only public hosts "
                "and the hosts of configured source URLs are fetched",
            )


def build_client(policy: FetchPolicy) -> httpx.Client:
    """An httpx client with our timeouts, headers and a redirect-by-redirect SSRF guard."""

    def check_request(request: httpx.Request) -> None:
        guard_url(str(request.url), policy.allowed_hosts)

    return httpx.Client(
        headers={
            "User-Agent": policy.user_agent,
            "Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8",
        },
        timeout=httpx.Timeout(policy.read_timeout, connect=policy.connect_timeout),
        limits=httpx.Limits(
            max_connections=policy.max_connections, max_keepalive_connections=policy.max_connections
        ),
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


def _read_capped(response: httpx.Response, url: str, max_bytes: int, deadline: float) -> bytes:
    declared = response.headers.get("content-length")
    if (
        declared
        and declared.isdigit()
        and int(declared) > max_bytes
        and "content-encoding" not in response.headers
    ):
        raise ResponseTooLarge(
            url, f"{url}: the response is {int(declared):,} bytes, over the cap of {max_bytes:,}"
        )
    chunks: list[bytes] = []
    total = 0
    # iter_bytes yields decompressed data, so the cap also stops gzip bombs.
    for chunk in response.iter_bytes():
        total += len(chunk)
        if total > max_bytes:
            raise ResponseTooLarge(
                url, f"{url}: the body exceeds the cap of {max_bytes:,} bytes (after decompression)"
            )
        if time.monotonic() > deadline:
            raise FetchTimeout(url, f"{url}: the body took longer than the time limit to arrive")
        chunks.append(chunk)
    return b"".join(chunks)


def fetch_once(
    client: httpx.Client,
    url: str,
    *,
    max_bytes: int,
    total_timeout: float,
    headers: dict[str, str] | None = None,
) -> FetchResponse:
    """One GET with a size cap and an overall time limit; HTTP errors raise HttpStatusError."""
    deadline = time.monotonic() + total_timeout
    try:
        with client.stream("GET", url, headers=headers) as response:
            if response.status_code == 304:
                return FetchResponse(url, str(response.url), 304, b"", response.headers.get("content-type"))
            if response.status_code >= 400:
                reason = response.reason_phrase or "error"
                raise HttpStatusError(
                    url,
                    f"{url}: HTTP {response.status_code} {reason}",
                    status=response.status_code,
                    retry_after=retry_after_seconds(response.headers.get("retry-after")),
                )
            body = _read_capped(response, url, max_bytes, deadline)
            return FetchResponse(
                url=url,
                final_url=str(response.url),
                status=response.status_code,
                body=body,
                content_type=response.headers.get("content-type"),
                etag=response.headers.get("etag"),
                last_modified=response.headers.get("last-modified"),
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
    except httpx.TransportError as exc:
        raise ConnectionFailed(
            url, f"{url}: connection failed ({type(exc).__name__}: {exc or 'no detail'})"
        ) from exc
    except httpx.InvalidURL as exc:
        raise FetchError(url, f"{url}: invalid URL ({exc})") from exc


def is_transient(error: FetchError) -> bool:
    """Whether trying again later (in this run or the next) might succeed."""
    if isinstance(error, HttpStatusError):
        return error.status in _RETRY_STATUSES
    return isinstance(error, ConnectionFailed | FetchTimeout)
