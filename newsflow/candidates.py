"""Which discovered URLs a run fetches, and in what batches."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from itertools import chain
from typing import TypeVar

from newsflow.records import DiscoveredUrl

T = TypeVar("T")


def unique_by_url(urls: Iterable[DiscoveredUrl]) -> list[DiscoveredUrl]:
    """One entry per URL, keeping the one that carries a date when listings disagree."""
    best: dict[str, DiscoveredUrl] = {}
    for item in urls:
        current = best.get(item.url)
        if current is None or (current.published_at is None and item.published_at is not None):
            best[item.url] = item
    return list(best.values())


def retry_candidates(
    retry: Iterable[str], *, source: str, listed: Iterable[str], listings: Iterable[str]
) -> list[DiscoveredUrl]:
    """Pages that failed in earlier runs and are not listed again. Failed feeds and sitemaps
    (`listings`) are retried as listings, never as article pages."""
    pending = dict.fromkeys(retry)
    # Struck from the (at most a thousand) retries, not gathered into a set of every listed URL.
    for url in chain(listed, listings):
        pending.pop(url, None)
    return [DiscoveredUrl(url=url, source=source, found_in="retry") for url in pending]


def cap(candidates: list[DiscoveredUrl], limit: int) -> tuple[list[DiscoveredUrl], bool]:
    """The first `limit` candidates, and whether any were left for the next run."""
    return candidates[:limit], len(candidates) > limit


def chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Consecutive slices of `size` items (the last may be shorter)."""
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def ramped_chunks(items: Sequence[T], size: int) -> Iterator[list[T]]:
    """Chunks of `size`, after a quarter-size chunk and a half-size one: the extraction workers
    start on the first pages while the next ones are fetched, instead of idling through the
    fetch of a whole first batch (bench/throughput.py)."""
    start, step = 0, max(1, size // 4)
    while start < len(items):
        yield list(items[start : start + step])
        start += step
        step = min(size, step * 2)
