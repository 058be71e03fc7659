"""Splitting a run's sources into K shards by host, so that each shard can run on another machine.

Politeness is per host (robots.txt, crawl-delay, the per-host cap), and a shard's limiter knows
only its own requests. So every host belongs to exactly one shard: sources that share a host
(a feed on one, a sitemap on another, articles on a third) are bound into one group, and a group
goes to the shard its smallest host hashes to. The hash is stable (SHA-256, not Python's
salted hash()), so a host stays in the same shard run after run and on every machine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence

from newsflow.records import Source
from newsflow.sources import article_hosts
from newsflow.urls import host_of


def source_hosts(source: Source) -> set[str]:
    """Every host a source's requests go to, as far as its configuration says: its listings' and
    WARC files' hosts, and its article hosts."""
    listed = {host_of(url) for url in (*source.feeds, *source.sitemaps, *source.warcs)}
    return {host for host in listed if host} | article_hosts(source)


def shard_of(host: str, shards: int) -> int:
    """The shard (0 .. shards-1) a host belongs to, the same in every process."""
    digest = hashlib.sha256(host.lower().encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") % shards


def split_by_host(sources: Sequence[Source], shards: int) -> list[list[Source]]:
    """`sources` in `shards` lists (some maybe empty), in their order, no host in two lists."""
    if shards < 1:
        raise ValueError(f"shards must be at least 1, not {shards}")
    # Union-find over sources: two sources sharing a host are one group.
    parent = list(range(len(sources)))

    def root(index: int) -> int:
        while parent[index] != index:
            parent[index] = parent[parent[index]]
            index = parent[index]
        return index

    first_with: dict[str, int] = {}
    hosts = [source_hosts(source) for source in sources]
    for index, source_host_set in enumerate(hosts):
        for host in source_host_set:
            other = first_with.setdefault(host, index)
            parent[root(index)] = root(other)
    group_hosts: dict[int, set[str]] = {}
    for index, source_host_set in enumerate(hosts):
        group_hosts.setdefault(root(index), set()).update(source_host_set or {sources[index].name})
    split: list[list[Source]] = [[] for _ in range(shards)]
    for index, source in enumerate(sources):
        split[shard_of(min(group_hosts[root(index)]), shards)].append(source)
    return split
