"""A pool per origin behind one client: made once per origin, idle ones closed past `keep`."""

from __future__ import annotations

import ssl
from typing import ClassVar

import httpx

from newsflow.fetch.host_pools import HostPools


class Origin(httpx.MockTransport):
    """Answers with the origin's host; remembers being closed."""

    made: ClassVar[list[Origin]] = []

    def __init__(self, ssl_context: ssl.SSLContext) -> None:
        super().__init__(lambda request: httpx.Response(200, text=request.url.host))
        self.ssl_context = ssl_context
        self.closed = False
        Origin.made.append(self)

    def close(self) -> None:
        self.closed = True


def test_each_origin_gets_one_pool_and_all_share_one_tls_context() -> None:
    Origin.made = []
    with httpx.Client(transport=HostPools(Origin, keep=10)) as client:
        for url in ["http://a.example/1", "http://a.example/2", "https://a.example/", "http://b.example:81/"]:
            assert client.get(url).text == httpx.URL(url).host
    assert len(Origin.made) == 3  # http://a, https://a, http://b:81
    assert len({id(o.ssl_context) for o in Origin.made}) == 1
    assert all(o.closed for o in Origin.made)  # closing the client closes every pool


def test_idle_pools_past_keep_close_oldest_first_and_a_pool_in_use_stays() -> None:
    Origin.made = []
    pools = HostPools(Origin, keep=2)
    with httpx.Client(transport=pools) as client:
        with client.stream("GET", "http://busy.example/") as busy:  # a response still open
            for host in ("one", "two", "three"):
                client.get(f"http://{host}.example/")
            assert pools.open_pools() == 2
            first, one, two, three = Origin.made
            assert not first.closed and one.closed and two.closed and not three.closed
            busy.read()
        client.get("http://four.example/")
        assert first.closed and pools.open_pools() == 2
