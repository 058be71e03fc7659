"""The HTTP client: SSRF guard by origin and at connect time, size caps that stop bombs, readable errors."""

from __future__ import annotations

import gzip
import socket
import tracemalloc
import zlib
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from newsflow.errors import ConnectionFailed, FetchError, FetchTimeout, ForbiddenHost, ResponseTooLarge
from newsflow.fetch.client import (
    FetchPolicy,
    allowed_origins,
    build_client,
    fetch_once,
    guard_url,
    is_public_address,
    is_transient,
    retry_after_seconds,
)
from tests.site import LocalSite, NewsSite, Response

MIB = 2**20


@pytest.fixture(scope="module")
def site() -> Iterator[NewsSite]:
    with NewsSite.start(articles=[], widget=False) as running:
        yield running


def client_for(site: LocalSite, **policy: Any) -> httpx.Client:
    defaults: dict[str, Any] = {"read_timeout": 0.5, "connect_timeout": 0.5}
    return build_client(
        FetchPolicy(
            user_agent="newsflow-test", allowed_hosts=allowed_origins([site.url("/")]), **defaults | policy
        )
    )


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.2/",
        "http://10.0.0.1/",
        "http://169.254.169.254/latest/meta-data/",
        "http://[::1]/",
        "http://[::ffff:127.0.0.1]/",
        "http://0.0.0.0/",
        "http://2130706433/",  # 127.0.0.1 spelled as one number
        "http://192.168.1.1:8080/",
        "http://localhost/",
    ],
)
def test_private_addresses_are_refused(url: str) -> None:
    with pytest.raises(ForbiddenHost, match="private address"):
        guard_url(url, frozenset())


@pytest.mark.parametrize("url", ["file:///etc/passwd", "ftp://example.com/x", "gopher://127.0.0.1:70/"])
def test_only_http_and_https(url: str) -> None:
    with pytest.raises(ForbiddenHost, match="only http and https"):
        guard_url(url, frozenset())


def test_a_configured_origin_allows_its_own_port_only() -> None:
    allowed = allowed_origins(["http://127.0.0.1:8080/feed.xml"])
    guard_url("http://127.0.0.1:8080/news/1.html", allowed)
    for url in ("http://127.0.0.1:8081/", "http://127.0.0.1/", "http://127.0.0.2:8080/"):
        with pytest.raises(ForbiddenHost, match="private address"):
            guard_url(url, allowed)


def test_a_configured_url_without_port_allows_both_web_ports() -> None:
    allowed = allowed_origins(["https://intranet.example/rss", "/data/local.warc.gz"])
    assert allowed == {"intranet.example:80", "intranet.example:443"}


@pytest.mark.parametrize(
    ("address", "public"),
    [
        ("93.184.216.34", True),
        ("2606:2800:220:1:248:1893:25c8:1946", True),
        ("64:ff9b::7f00:1", False),  # NAT64 of 127.0.0.1
        ("2002:7f00:1::", False),  # 6to4 of 127.0.0.1
        ("::127.0.0.1", False),  # IPv4-compatible
        ("::ffff:10.0.0.1", False),
        ("100.64.0.1", False),  # carrier-grade NAT
        ("224.0.0.1", False),
        ("fe80::1%eth0", False),
    ],
)
def test_public_address(address: str, public: bool) -> None:
    assert is_public_address(address) is public


def test_dns_rebinding_is_caught_when_connecting(site: NewsSite, monkeypatch: pytest.MonkeyPatch) -> None:
    """A name that resolves public for the check and to loopback for the connection is never dialled."""
    real = socket.getaddrinfo
    answers = iter(["93.184.216.34"])

    def rebinding(host: str, port: Any, *args: Any, **kwargs: Any) -> Any:
        if host != "rebind.test":
            return real(host, port, *args, **kwargs)
        address = next(answers, "127.0.0.1")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (address, port or 0))]

    monkeypatch.setattr(socket, "getaddrinfo", rebinding)
    site.reset_requests()
    with client_for(site) as client, pytest.raises(ForbiddenHost, match=r"private address 127\.0\.0\.1"):
        fetch_once(client, f"http://rebind.test:{site.port}/fault/ok", max_bytes=MIB, total_timeout=5)
    assert site.requests == []


@pytest.mark.parametrize(
    ("target", "reason"),
    [
        ("http://127.0.0.2:{port}/fault/ok", "private address 127.0.0.2"),
        ("http://169.254.169.254/latest/meta-data/", "private address 169.254.169.254"),
        ("file:///etc/passwd", "only http and https"),
    ],
)
def test_a_redirect_hop_is_guarded_and_blamed_on_the_requested_url(
    site: NewsSite, target: str, reason: str
) -> None:
    url = site.add_page("/hop", b"", status=302, headers={"Location": target.format(port=site.port)})
    with client_for(site) as client, pytest.raises(ForbiddenHost, match=reason) as caught:
        fetch_once(client, url, max_bytes=MIB, total_timeout=5)
    assert caught.value.url == url and str(caught.value).startswith(f"{url}: led to ")


def test_a_redirect_to_another_local_port_is_refused(site: NewsSite) -> None:
    with LocalSite.start() as bystander:
        bystander.add_page("/admin", "<p>secret</p>")
        url = site.add_page("/hop-port", b"", status=302, headers={"Location": bystander.url("/admin")})
        with client_for(site) as client, pytest.raises(ForbiddenHost, match="private address"):
            fetch_once(client, url, max_bytes=MIB, total_timeout=5)
        assert bystander.requests == []


def test_the_gzip_bomb_is_cut_without_inflating_it_in_memory(site: NewsSite) -> None:
    url = site.url("/fault/gzip-bomb")
    with client_for(site) as client:
        with pytest.raises(ResponseTooLarge):  # once, so the site has built its bomb
            fetch_once(client, url, max_bytes=MIB, total_timeout=10)
        tracemalloc.start()
        try:
            with pytest.raises(ResponseTooLarge, match="exceeds the cap of 1,048,576 bytes"):
                fetch_once(client, url, max_bytes=MIB, total_timeout=10)
            peak = tracemalloc.get_traced_memory()[1]
        finally:
            tracemalloc.stop()
    # httpx's own decoder inflates each 64 KiB read whole: about 64 MiB at once.
    assert peak < 8 * MIB, f"{peak / MIB:.1f} MiB"


@pytest.mark.parametrize("path", ["/fault/huge", "/fault/huge-declared"])
def test_a_huge_body_is_cut_at_the_cap(site: NewsSite, path: str) -> None:
    with client_for(site) as client, pytest.raises(ResponseTooLarge, match="exceeds the cap"):
        fetch_once(client, site.url(path), max_bytes=MIB, total_timeout=10)


def test_a_server_that_never_answers_times_out(site: NewsSite) -> None:
    with (
        client_for(site, read_timeout=0.3) as client,
        pytest.raises(FetchTimeout, match="timed out") as caught,
    ):
        fetch_once(client, site.url("/fault/hang"), max_bytes=MIB, total_timeout=5)
    assert is_transient(caught.value)


def test_a_redirect_loop_is_a_readable_error(site: NewsSite) -> None:
    with client_for(site) as client, pytest.raises(FetchError, match="redirect loop"):
        fetch_once(client, site.url("/fault/redirect-loop"), max_bytes=MIB, total_timeout=5)


def _mock_client(body: bytes, encoding: str) -> httpx.Client:
    def handler(request: httpx.Request) -> httpx.Response:
        # A stream, as from the network: content= would make httpx decode it before we see it.
        return httpx.Response(200, headers={"Content-Encoding": encoding}, stream=httpx.ByteStream(body))

    return httpx.Client(transport=httpx.MockTransport(handler))


PAGE = b"<html><body>" + b"<p>Hello, world.</p>" * 500 + b"</body></html>"


@pytest.mark.parametrize(
    ("encoding", "body"),
    [
        ("gzip", gzip.compress(PAGE)),
        ("gzip", gzip.compress(PAGE[:100]) + gzip.compress(PAGE[100:])),  # two members
        ("deflate", zlib.compress(PAGE)),
        ("deflate", zlib.compress(PAGE)[2:-4]),  # raw deflate, as some servers send it
        ("identity", PAGE),
    ],
)
def test_content_encodings_decode_to_the_page(encoding: str, body: bytes) -> None:
    with _mock_client(body, encoding) as client:
        response = fetch_once(client, "http://example.com/a", max_bytes=MIB, total_timeout=5)
    assert response.body == PAGE


def test_a_corrupt_gzip_body_is_a_readable_error() -> None:
    corrupt = _mock_client(b"\x1f\x8b\x08\x00garbage-not-deflate", "gzip")
    with corrupt as client, pytest.raises(FetchError, match="could not be decompressed"):
        fetch_once(client, "http://example.com/a", max_bytes=MIB, total_timeout=5)


def test_an_unresolvable_host_is_transient() -> None:
    with pytest.raises(ConnectionFailed, match="cannot resolve host") as caught:
        guard_url("http://no-such-host.invalid/", frozenset())
    assert is_transient(caught.value)


def test_retry_after_reads_seconds_and_dates() -> None:
    from datetime import UTC, datetime

    now = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)
    assert retry_after_seconds("120") == 120
    assert retry_after_seconds("Tue, 03 Jun 2025 12:00:30 GMT", now=now) == 30
    assert retry_after_seconds("soon") is None and retry_after_seconds(None) is None


def test_the_user_agent_is_sent(site: NewsSite) -> None:
    site.reset_requests()
    policy = FetchPolicy(
        user_agent="newsflow/9 (+mailto:ops@example.org)", allowed_hosts=allowed_origins([site.url("/")])
    )
    with build_client(policy) as client:
        fetch_once(client, site.url("/fault/ok"), max_bytes=MIB, total_timeout=5)
    assert [r.headers["user-agent"] for r in site.requests] == ["newsflow/9 (+mailto:ops@example.org)"]


def test_responses_not_modified_and_errors(site: NewsSite) -> None:
    feed = site.url("/empty.xml")
    with client_for(site) as client:
        first = fetch_once(client, feed, max_bytes=MIB, total_timeout=5)
        assert first.etag and first.last_modified
        again = fetch_once(
            client, feed, max_bytes=MIB, total_timeout=5, headers={"If-None-Match": first.etag}
        )
        assert (again.status, again.body) == (304, b"")
        site.route("/teapot", lambda r: Response(status=418, body=b"no"))
        with pytest.raises(FetchError, match="HTTP 418"):
            fetch_once(client, site.url("/teapot"), max_bytes=MIB, total_timeout=5)
