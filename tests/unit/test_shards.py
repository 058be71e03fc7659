"""Splitting sources into shards by host: each source once, each host in one shard, stable."""

from __future__ import annotations

import random

import pytest

from newsflow.records import Source
from newsflow.shards import shard_of, source_hosts, split_by_host


def site(index: int) -> Source:
    return Source(f"site-{index}", feeds=(f"https://news{index}.example/feed.xml",))


def shard_by_name(split: list[list[Source]]) -> dict[str, int]:
    return {source.name: shard for shard, group in enumerate(split) for source in group}


def test_every_source_lands_in_exactly_one_shard_in_its_order() -> None:
    sources = [site(i) for i in range(200)]
    split = split_by_host(sources, 3)
    assert len(split) == 3
    assert sorted(s.name for group in split for s in group) == sorted(s.name for s in sources)
    for group in split:
        assert group == sorted(group, key=sources.index)


def test_sources_sharing_a_host_share_a_shard_even_through_a_chain() -> None:
    # a and b share a feed host; b and c share a sitemap host; d names c's article host.
    a = Source("a", feeds=("https://one.example/a.xml",))
    b = Source("b", feeds=("https://one.example/b.xml",), sitemaps=("https://two.example/s.xml",))
    c = Source("c", sitemaps=("https://two.example/other.xml",), hosts=("www.three.example",))
    d = Source("d", feeds=("https://feeds.four.example/rss",), hosts=("www.three.example",))
    others = [site(i) for i in range(60)]
    for shards in (2, 3, 7):
        split = split_by_host([a, *others, b, c, d], shards)
        where = shard_by_name(split)
        assert where["a"] == where["b"] == where["c"] == where["d"]
        owners: dict[str, set[int]] = {}
        for shard, group in enumerate(split):
            for source in group:
                for host in source_hosts(source):
                    owners.setdefault(host, set()).add(shard)
        assert all(len(shards_of_host) == 1 for shards_of_host in owners.values()), owners


def test_the_split_is_stable_whatever_the_order_and_the_other_sources() -> None:
    sources = [site(i) for i in range(300)]
    where = shard_by_name(split_by_host(sources, 4))
    shuffled = sources[:]
    random.Random(7).shuffle(shuffled)
    assert shard_by_name(split_by_host(shuffled, 4)) == where
    # Half the sources gone: the others stay where they were.
    assert shard_by_name(split_by_host(sources[::2], 4)) == {s.name: where[s.name] for s in sources[::2]}
    # A known value: the hash is SHA-256, the same in every process and on every machine.
    # (Python's own hash() of a str changes from one process to the next.)
    assert [shard_of(f"news{i}.example", 4) for i in (1, 2, 3)] == [0, 3, 3]
    assert shard_of("NEWS1.example", 4) == 0


def test_distinct_hosts_spread_evenly() -> None:
    split = split_by_host([site(i) for i in range(2000)], 4)
    assert all(400 <= len(group) <= 600 for group in split), [len(g) for g in split]


def test_one_shard_keeps_everything_and_zero_is_refused() -> None:
    sources = [site(i) for i in range(5)]
    assert split_by_host(sources, 1) == [sources]
    with pytest.raises(ValueError, match="at least 1"):
        split_by_host(sources, 0)
