"""The run's shared fetcher: one client, robots.txt cache and limiter for every source of a run."""

from __future__ import annotations

from dataclasses import replace

from newsflow.records import Source
from newsflow.settings import RunConfig, load_settings
from newsflow.tasks.run_fetcher import MAX_POOLED_CONNECTIONS, pool_size, run_fetcher, source_fetcher

ONE = Source("one", feeds=("http://127.0.0.1:8001/feed.xml",))
TWO = Source("two", sitemaps=("http://127.0.0.2:8002/sitemap.xml",))
STRANGER = Source("stranger", feeds=("http://127.0.0.3:8003/feed.xml",))


def config(**changes: object) -> RunConfig:
    return replace(RunConfig.from_settings(load_settings(database_url="sqlite:///x.db")), **changes)  # type: ignore[arg-type]


def test_the_sources_of_a_run_share_its_fetcher_and_others_get_their_own() -> None:
    with run_fetcher([ONE, TWO], config(), "run-1", label="ingest") as shared:
        assert shared.allowed_origins == {"127.0.0.1:8001", "127.0.0.2:8002"}
        with source_fetcher(ONE, config(), "run-1") as one, source_fetcher(TWO, config(), "run-1") as two:
            assert one is two is shared
        # A source the run was not opened for must not widen the SSRF guard: a fetcher of its own.
        with source_fetcher(STRANGER, config(), "run-1") as own:
            assert own is not shared and own.allowed_origins == {"127.0.0.3:8003"}
        # Another run does not borrow this one's.
        with source_fetcher(ONE, config(), "run-2") as other:
            assert other is not shared
    with source_fetcher(ONE, config(), "run-1") as after:
        assert after is not shared
    assert shared.client.is_closed


def test_the_pool_holds_a_connection_per_host_slot_of_every_source_in_flight_within_a_cap() -> None:
    assert pool_size(config(source_concurrency=32, fetch_concurrency=16, per_host_concurrency=4)) == 128
    assert pool_size(config(source_concurrency=1, fetch_concurrency=16, per_host_concurrency=4)) == 16
    assert pool_size(config(source_concurrency=128, fetch_concurrency=64, per_host_concurrency=64)) == (
        MAX_POOLED_CONNECTIONS
    )
