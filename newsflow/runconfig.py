"""The plain values one ingest run passes to its tasks (no clients, engines or secrets objects)."""

from __future__ import annotations

from dataclasses import dataclass

from newsflow.http import FetchPolicy
from newsflow.settings import Settings


@dataclass(frozen=True, slots=True)
class RunConfig:
    """Everything a source task needs, derived once from Settings at the edge."""

    database_url: str
    user_agent: str
    connect_timeout: float
    read_timeout: float
    max_page_bytes: int
    max_feed_bytes: int
    fetch_concurrency: int
    source_concurrency: int
    per_host_concurrency: int
    per_host_delay: float
    extract_workers: int
    batch_size: int
    max_retries: int
    max_retry_after: float
    max_urls_per_source: int
    respect_robots: bool
    near_duplicate_threshold: float

    @classmethod
    def from_settings(cls, settings: Settings) -> RunConfig:
        return cls(
            database_url=settings.database_url,
            user_agent=settings.user_agent,
            connect_timeout=settings.connect_timeout,
            read_timeout=settings.read_timeout,
            max_page_bytes=settings.max_page_bytes,
            max_feed_bytes=settings.max_feed_bytes,
            fetch_concurrency=settings.fetch_concurrency,
            source_concurrency=settings.source_concurrency,
            per_host_concurrency=settings.per_host_concurrency,
            per_host_delay=settings.per_host_delay,
            extract_workers=settings.extract_workers,
            batch_size=settings.batch_size,
            max_retries=settings.max_retries,
            max_retry_after=settings.max_retry_after,
            max_urls_per_source=settings.max_urls_per_source,
            respect_robots=settings.respect_robots,
            near_duplicate_threshold=settings.near_duplicate_threshold,
        )

    def fetch_policy(self, allowed_hosts: frozenset[str]) -> FetchPolicy:
        return FetchPolicy(
            user_agent=self.user_agent,
            connect_timeout=self.connect_timeout,
            read_timeout=self.read_timeout,
            max_bytes=self.max_page_bytes,
            max_retries=self.max_retries,
            max_retry_after=self.max_retry_after,
            allowed_hosts=allowed_hosts,
            max_connections=max(self.fetch_concurrency, 4),
        )
