"""One Fetcher per flow run, shared by every source task of the run.

A run over hundreds of sources paid, per source, an HTTP client of its own (a TLS context, a
connection pool), a robots.txt cache of its own and archive files of its own. Shared, the run has
one client whose pool keeps connections per host, the run's host limiter
(newsflow.fetch.politeness), one robots.txt per origin, however many sources live on it
(politeness stays per host), and one raw archive.

The SSRF guard of the shared client allows the origins of every source of the run: a configured
source's server may be on a private address, whichever source's page links to it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager

from newsflow.fetch.archive import open_archive
from newsflow.fetch.client import FetchPolicy, allowed_origins, build_client
from newsflow.fetch.fetcher import Fetcher
from newsflow.fetch.politeness import HostLimiter, limiter_for_run
from newsflow.records import Source
from newsflow.settings import RunConfig

# Connections the shared client keeps at most: enough for every source in flight to use its
# hosts' slots, few enough for the process's file descriptors. Idle ones are closed first.
MAX_POOLED_CONNECTIONS = 512

_fetchers: dict[str, Fetcher] = {}
_lock = threading.Lock()


def shared_limiter(config: RunConfig, run_id: str | None) -> HostLimiter:
    """One host limiter per run, so all sources of a run share each host's budget."""
    return limiter_for_run(
        run_id, max_concurrency=config.per_host_concurrency, min_delay=config.per_host_delay
    )


def source_urls(sources: Sequence[Source]) -> list[str]:
    """Every configured URL of `sources`: their servers may be on private addresses."""
    return [url for source in sources for url in (*source.listings, *source.warcs)]


def pool_size(config: RunConfig) -> int:
    """Connections for `source_concurrency` sources, each fetching up to `fetch_concurrency` pages
    at once, bounded by MAX_POOLED_CONNECTIONS."""
    wanted = config.source_concurrency * min(config.fetch_concurrency, config.per_host_concurrency)
    return max(config.fetch_concurrency, 4, min(wanted, MAX_POOLED_CONNECTIONS))


@contextmanager
def open_fetcher(
    sources: Sequence[Source], config: RunConfig, run_id: str | None, *, label: str
) -> Iterator[Fetcher]:
    """A Fetcher for `sources` with the run's host limiter, its own client and its own archive
    (files named `label`-...), both closed on exit."""
    policy = FetchPolicy.for_run(
        config, allowed_origins(source_urls(sources)), max_connections=pool_size(config)
    )
    archive_files = open_archive(config.archive, label=label, max_file_bytes=config.archive_file_bytes)
    with build_client(policy) as client, archive_files as archive:
        yield Fetcher(
            client,
            policy,
            shared_limiter(config, run_id),
            respect_robots=config.respect_robots,
            archive=archive,
        )


@contextmanager
def run_fetcher(
    sources: Sequence[Source], config: RunConfig, run_id: str, *, label: str
) -> Iterator[Fetcher]:
    """The run's shared Fetcher, archiving to files named `label`-..., found by
    `source_fetcher(..., run_id)` while the block runs."""
    with open_fetcher(sources, config, run_id, label=label) as fetcher:
        with _lock:
            _fetchers[run_id] = fetcher
        try:
            yield fetcher
        finally:
            with _lock:
                if _fetchers.get(run_id) is fetcher:
                    del _fetchers[run_id]


@contextmanager
def source_fetcher(source: Source, config: RunConfig, run_id: str | None) -> Iterator[Fetcher]:
    """The run's shared Fetcher when the run opened one and it may fetch `source`; else one of
    the source's own (archiving to files named for the source), for the task's duration."""
    with _lock:
        shared = _fetchers.get(run_id) if run_id is not None else None
    if shared is not None and allowed_origins(source_urls([source])) <= shared.allowed_origins:
        yield shared
        return
    with open_fetcher([source], config, run_id, label=source.name) as own:
        yield own
