"""Re-extraction's tasks: read stored pages back (from the archive or a WARC from elsewhere),
extract them in the extraction pool, and write what changed. Each batch is one pass of these."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

from prefect import task
from prefect.cache_policies import NO_CACHE
from sqlmodel import Session

from newsflow.discover.warc import DamagedRecord, WarcPage, read_warc
from newsflow.errors import ArchiveError, FeedError
from newsflow.fetch.archive import ArchiveReader
from newsflow.fetch.client import FetchPolicy, allowed_origins, build_client
from newsflow.fetch.warc_stream import open_warc
from newsflow.records import FetchedPage, FetchOutcome, ProcessedArticle, Source
from newsflow.reextraction import ReextractReport, StoredArticle, archived_page
from newsflow.settings import RunConfig
from newsflow.sources import article_hosts
from newsflow.storage.reextraction import apply_reextraction, archived_articles, stored_by_url
from newsflow.storage.retry import run_transaction
from newsflow.tasks.extraction_pool import submit_extraction
from newsflow.urls import canonicalize_url

Pairs = list[tuple[StoredArticle, FetchedPage]]


@task(name="load-archived-articles", cache_policy=NO_CACHE)
def load_archived(
    config: RunConfig, *, after_id: int, since: datetime | None, until: datetime | None, sources: list[str]
) -> list[StoredArticle]:
    """The next batch of stored articles with a raw page in the archive."""

    def load(session: Session) -> list[StoredArticle]:
        return archived_articles(
            session,
            after_id=after_id,
            limit=config.batch_size,
            since=since,
            until=until,
            sources=sources,
        )

    return run_transaction(config.database_url, load, budget=config.db_retry_seconds)


@task(name="read-archived-pages", cache_policy=NO_CACHE)
def read_archived(batch: list[StoredArticle]) -> tuple[Pairs, ReextractReport]:
    """Each article's raw page, read back from the archive (no network); unreadable ones reported."""
    report = ReextractReport()
    pairs: Pairs = []
    with ArchiveReader() as reader:
        for stored in batch:
            assert stored.location is not None
            try:
                record = reader.read(stored.location)
            except ArchiveError as error:
                report.fail(stored.fetched_url, str(error))
                continue
            report.read += 1
            page = archived_page(
                stored,
                final_url=record.url,
                status=record.status,
                body=record.body,
                content_type=record.content_type,
            )
            pairs.append((stored, page))
    return pairs, report


def warc_batches(
    config: RunConfig, paths: Sequence[str], source: Source
) -> Iterator[tuple[list[WarcPage], ReextractReport]]:
    """The source's pages in WARC files from elsewhere, a batch at a time, with the damaged
    records and unopenable files of each stretch reported."""
    hosts = article_hosts(source)
    policy = FetchPolicy.for_run(config, allowed_origins(paths))
    with build_client(policy) as client:
        for path in paths:
            pages: list[WarcPage] = []
            report = ReextractReport()
            try:
                with open_warc(path, client) as stream:
                    for item in read_warc(stream, hosts=hosts, source=source.name):
                        if isinstance(item, DamagedRecord):
                            report.fail(f"{path}@{item.offset}", item.reason)
                            continue
                        pages.append(item)
                        if len(pages) >= config.batch_size:
                            yield pages, report
                            pages, report = [], ReextractReport()
            except FeedError as error:
                report.fail(path, str(error).removeprefix(f"{path}: "))  # the line names the path once
            yield pages, report


@task(name="match-stored-articles", cache_policy=NO_CACHE)
def match_stored(config: RunConfig, pages: list[WarcPage], source: str) -> tuple[Pairs, ReextractReport]:
    """The stored articles the WARC pages are the raw pages of; pages of no stored article are counted."""
    report = ReextractReport()
    urls = {page.url: canonicalize_url(page.url) or page.url for page in pages}
    stored = run_transaction(
        config.database_url,
        lambda session: stored_by_url(session, urls=list(urls.values()), source=source),
        budget=config.db_retry_seconds,
    )
    pairs: Pairs = []
    for page in pages:
        match = stored.get(urls[page.url])
        report.read += 1
        if match is None or not 200 <= page.status < 300:
            report.not_stored += 1
            continue
        pairs.append(
            (
                match,
                archived_page(
                    match,
                    final_url=page.url,
                    status=page.status,
                    body=page.body,
                    content_type=page.content_type,
                ),
            )
        )
    return pairs, report


@task(name="extract-pages", cache_policy=NO_CACHE)
def extract_pages(pages: list[FetchedPage], workers: int) -> list[ProcessedArticle | FetchOutcome]:
    """Extract a batch in the extraction pool (tasks.extraction_pool), as ingest does."""
    return submit_extraction(pages, workers=workers).result()


@task(name="store-reextraction", cache_policy=NO_CACHE)
def store_reextraction(
    config: RunConfig, pairs: Pairs, results: list[ProcessedArticle | FetchOutcome]
) -> ReextractReport:
    """Update the articles a fresh extraction changed, in one transaction; count the rest."""
    report = ReextractReport()
    fresh: list[tuple[StoredArticle, ProcessedArticle]] = []
    for (stored, _), result in zip(pairs, results, strict=True):
        if isinstance(result, FetchOutcome):
            report.fail(stored.fetched_url, result.error or result.outcome.value)
        else:
            fresh.append((stored, result))
    now = datetime.now(UTC)
    changed = run_transaction(
        config.database_url,
        lambda session: apply_reextraction(
            session, pairs=fresh, threshold=config.near_duplicate_threshold, now=now
        ),
        budget=config.db_retry_seconds,
    )
    report.changed = sum(changed)
    report.unchanged = len(changed) - report.changed
    return report
