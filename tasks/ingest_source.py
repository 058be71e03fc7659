"""The per-source task: discover → fetch → extract → dedupe → store, in batches that stream through."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime
from itertools import chain

import httpx
from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from newsflow.discover.listings import Discovery, discover
from newsflow.discover.warc_files import open_warc, warc_pages
from newsflow.errors import FeedError
from newsflow.fetch.client import FetchPolicy, allowed_origins, build_client
from newsflow.fetch.fetcher import BLOCKING_STATUSES, Fetcher
from newsflow.fetch.politeness import HostLimiter, limiter_for_run
from newsflow.records import (
    DateWindow,
    DiscoveredUrl,
    FetchedPage,
    FetchOutcome,
    Outcome,
    ProcessedArticle,
    Source,
)
from newsflow.settings import RunConfig
from newsflow.sources import article_hosts
from storage.db import session_scope
from storage.repository import (
    dates_left_out,
    get_feed_state,
    record_outcomes,
    retryable_urls,
    save_feed_state,
    settled_urls,
    store_articles,
    update_source_health,
)
from tasks.extraction_pool import prestart, resolve_workers, submit_extraction
from tasks.report import SourceReport

Progress = Callable[[str, int, int], None]  # (source, done, total)
Batch = tuple[list[FetchedPage], list[FetchOutcome]]  # pages to extract, URLs that already failed
_SETTLED_CHUNK = 500  # URLs per settled-URL lookup, as storage's own IN-list chunks


def shared_limiter(config: RunConfig, run_id: str | None) -> HostLimiter:
    """One host limiter per run, so all sources of a run share each host's budget."""
    return limiter_for_run(
        run_id, max_concurrency=config.per_host_concurrency, min_delay=config.per_host_delay
    )


def _chunks(items: Sequence[DiscoveredUrl], size: int) -> Iterator[list[DiscoveredUrl]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def ramped_chunks(items: Sequence[DiscoveredUrl], size: int) -> Iterator[list[DiscoveredUrl]]:
    """Chunks of `size`, after a quarter-size chunk and a half-size one: the extraction workers
    start on the first pages while the next ones are fetched, instead of idling through the
    fetch of a whole first batch (bench/throughput.py)."""
    start, step = 0, max(1, size // 4)
    while start < len(items):
        yield list(items[start : start + step])
        start += step
        step = min(size, step * 2)


def _unique(urls: list[DiscoveredUrl]) -> list[DiscoveredUrl]:
    """One entry per URL, keeping the one that carries a date when listings disagree."""
    best: dict[str, DiscoveredUrl] = {}
    for item in urls:
        current = best.get(item.url)
        if current is None or (current.published_at is None and item.published_at is not None):
            best[item.url] = item
    return list(best.values())


def _unsettled(session: Session, found: list[DiscoveredUrl]) -> list[DiscoveredUrl]:
    """The URLs no earlier run stored or settled, asked a chunk at a time: a set of every settled
    URL of a big sitemap would be one more copy of it."""
    fresh: list[DiscoveredUrl] = []
    for chunk in _chunks(found, _SETTLED_CHUNK):
        settled = settled_urls(session, [u.url for u in chunk])
        fresh.extend(u for u in chunk if u.url not in settled)
    return fresh


@dataclass
class SourcePipeline:
    """Runs one source through every stage; holds no HTML beyond two batches at a time."""

    source: Source
    config: RunConfig
    run_id: str | None = None
    window: DateWindow | None = None
    progress: Progress | None = None
    # Page outcomes of this run, and how many of them were a 401/403/429/451 wall.
    _pages: int = field(default=0, init=False, repr=False)
    _walled: int = field(default=0, init=False, repr=False)
    _wall_statuses: set[int] = field(default_factory=set, init=False, repr=False)
    _truncated: bool = field(default=False, init=False, repr=False)  # more URLs than one run takes

    def run(self) -> SourceReport:
        report = SourceReport(self.source.name)
        # Origins (host and port), not bare hosts: a source on 127.0.0.1:8080 opens no other local port.
        policy = FetchPolicy.for_run(
            self.config, allowed_origins([*self.source.feeds, *self.source.sitemaps, *self.source.warcs])
        )
        with build_client(policy) as client:
            fetcher = Fetcher(
                client,
                policy,
                shared_limiter(self.config, self.run_id),
                respect_robots=self.config.respect_robots,
            )
            discovery = self._discover(fetcher)
            candidates = self._candidates(discovery, report)
            # Only the candidates go on; the rest of a 50,000-URL sitemap need not outlive this line.
            discovery.urls.clear()
            self._consume(self._fetched_batches(fetcher, candidates), report, total=len(candidates))
            if self.window is not None and self.source.warcs:
                self._consume(self._warc_batches(client, report), report, total=0)
        self._finish(discovery, report)
        return report

    def _discover(self, fetcher: Fetcher) -> Discovery:
        def known(url: str) -> tuple[str | None, str | None] | None:
            with session_scope(self.config.database_url) as session:
                state = get_feed_state(session, url)
                return (state.etag, state.last_modified) if state is not None else None

        # A backfill needs the full listings, so it never sends conditional requests.
        return discover(
            self.source,
            fetcher,
            known=known,
            max_bytes=self.config.max_feed_bytes,
            conditional=self.window is None,
        )

    def _candidates(self, discovery: Discovery, report: SourceReport) -> list[DiscoveredUrl]:
        found = _unique(discovery.urls)
        report.discovered = len(found)
        if self.window is not None:
            kept = [u for u in found if u.published_at is None or self.window.contains(u.published_at)]
            report.out_of_window += len(found) - len(kept)
            found = kept
        with session_scope(self.config.database_url) as session:
            retry = [] if self.window else retryable_urls(session, source=self.source.name)
            if self.window is not None:
                found = self._drop_known_outside(found, session, report)
            fresh = _unsettled(session, found)
        fresh.extend(self._retries(retry, fresh, discovery))
        self._truncated = len(fresh) > self.config.max_urls_per_source
        return fresh[: self.config.max_urls_per_source]

    def _retries(
        self, retry: list[str], fresh: list[DiscoveredUrl], discovery: Discovery
    ) -> list[DiscoveredUrl]:
        """Pages that failed before and are not listed again; failed feeds and sitemaps are
        retried as listings, never as article pages."""
        pending = dict.fromkeys(retry)
        # Struck from the (at most a thousand) retries, not gathered into a set of every listed URL.
        for url in chain(
            (u.url for u in fresh),
            (o.url for o in discovery.outcomes),
            self.source.feeds,
            self.source.sitemaps,
        ):
            pending.pop(url, None)
        return [DiscoveredUrl(url=url, source=self.source.name, found_in="retry") for url in pending]

    def _drop_known_outside(
        self, found: list[DiscoveredUrl], session: Session, report: SourceReport
    ) -> list[DiscoveredUrl]:
        """Undated URLs an earlier backfill fetched: refetch only those dated inside this window."""
        assert self.window is not None
        known = dates_left_out(session, urls=[u.url for u in found if u.published_at is None])
        kept = [
            u
            for u in found
            if u.url not in known or ((when := known[u.url]) is not None and self.window.contains(when))
        ]
        report.out_of_window += len(found) - len(kept)
        return kept

    def _fetched_batches(self, fetcher: Fetcher, candidates: list[DiscoveredUrl]) -> Iterator[Batch]:
        for batch in ramped_chunks(candidates, self.config.batch_size):
            results = fetcher.fetch_pages(batch, concurrency=self.config.fetch_concurrency)
            yield (
                [r for r in results if isinstance(r, FetchedPage)],
                [r for r in results if isinstance(r, FetchOutcome)],
            )

    def _warc_batches(self, client: httpx.Client, report: SourceReport) -> Iterator[Batch]:
        """Pages of the source's hosts from its WARC files; already stored URLs are skipped."""
        hosts = article_hosts(self.source)
        for location in self.source.warcs:
            pages: list[FetchedPage] = []
            failures: list[FetchOutcome] = []
            try:
                with open_warc(location, client) as stream:
                    for item in warc_pages(stream, source=self.source.name, hosts=hosts, window=self.window):
                        if isinstance(item, FetchOutcome):
                            failures.append(item)
                            continue
                        pages.append(item)
                        if len(pages) >= self.config.batch_size:
                            yield self._unsettled(pages), failures
                            pages, failures = [], []
            except FeedError as error:
                report.add_failure(location, str(error))
                failures.append(
                    FetchOutcome(
                        location, self.source.name, Outcome.ERROR, datetime.now(UTC), None, str(error)
                    )
                )
            yield self._unsettled(pages), failures

    def _unsettled(self, pages: list[FetchedPage]) -> list[FetchedPage]:
        with session_scope(self.config.database_url) as session:
            settled = settled_urls(session, [p.url for p in pages])
        return [p for p in pages if p.url not in settled]

    def _consume(self, batches: Iterator[Batch], report: SourceReport, *, total: int) -> None:
        """Extract each batch while the previous one is stored and the next one fetched."""
        workers = resolve_workers(self.config.extract_workers)
        if total:
            # Worker start-up overlaps the first batch's fetch; a run with nothing new never pays it.
            prestart(workers)
        pending: tuple[Future[list[ProcessedArticle | FetchOutcome]], list[FetchOutcome], int] | None = None
        done = 0
        self._tick(0, total)
        for pages, failures in batches:
            report.fetched += len(pages)
            future = submit_extraction(pages, workers=workers)
            if pending is not None:
                done += self._store(*pending, report)
                self._tick(done, total)
            pending = (future, failures, len(pages) + len(failures))
        if pending is not None:
            done += self._store(*pending, report)
            self._tick(done, total)

    def _tick(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(self.source.name, done, total)

    def _store(
        self,
        future: Future[list[ProcessedArticle | FetchOutcome]],
        outcomes: list[FetchOutcome],
        size: int,
        report: SourceReport,
    ) -> int:
        now = datetime.now(UTC)
        outcomes = list(outcomes)
        articles: list[ProcessedArticle] = []
        for result in future.result():
            if isinstance(result, FetchOutcome):
                outcomes.append(result)
            elif self.window is not None and not self._in_window(result):
                outcomes.append(
                    FetchOutcome(
                        result.fetched_url,
                        result.source,
                        Outcome.OUT_OF_WINDOW,
                        now,
                        result.http_status,
                        f"published {result.article.published_at or 'on an unknown date'}, outside the window",
                        result.article.published_at,
                    )
                )
            else:
                articles.append(result)
        try:
            self._commit(articles, outcomes, now)
        except (DataError, IntegrityError) as exc:
            # One bad row must not lose the batch: store the articles one by one instead.
            logger = get_run_logger()
            logger.warning("batch insert failed (%s); storing one article at a time", type(exc).__name__)
            for item in articles:
                try:
                    self._commit([item], [], now)
                except (DataError, IntegrityError) as row_error:
                    outcomes.append(
                        FetchOutcome(
                            item.fetched_url,
                            item.source,
                            Outcome.ERROR,
                            now,
                            item.http_status,
                            f"{item.fetched_url}: could not be stored ({str(row_error.orig).strip()})",
                        )
                    )
            with session_scope(self.config.database_url) as session:
                record_outcomes(session, outcomes=outcomes, run_id=self.run_id)
        for outcome in outcomes:
            self._count(outcome, report)
        self._pages += len(outcomes)
        walled = [o.http_status for o in outcomes if o.http_status in BLOCKING_STATUSES]
        self._walled += len(walled)
        self._wall_statuses.update(status for status in walled if status is not None)
        return size

    def _commit(self, articles: list[ProcessedArticle], outcomes: list[FetchOutcome], now: datetime) -> None:
        """Store articles and their outcomes in one transaction; `outcomes` gains one per article."""
        with session_scope(self.config.database_url) as session:
            stored = store_articles(
                session, items=articles, threshold=self.config.near_duplicate_threshold, now=now
            )
            mine = [
                FetchOutcome(
                    item.fetched_url,
                    item.source,
                    Outcome.DUPLICATE
                    if result.already_stored or result.verdict.of is not None
                    else Outcome.OK,
                    now,
                    item.http_status,
                )
                for item, result in zip(articles, stored, strict=True)
            ]
            record_outcomes(session, outcomes=[*outcomes, *mine], run_id=self.run_id)
        outcomes.extend(mine)

    def _in_window(self, item: ProcessedArticle) -> bool:
        assert self.window is not None
        published = item.article.published_at
        return published is not None and self.window.contains(published)

    @staticmethod
    def _count(outcome: FetchOutcome, report: SourceReport) -> None:
        if outcome.outcome is Outcome.OK:
            report.new += 1
        elif outcome.outcome is Outcome.DUPLICATE:
            report.duplicate += 1
        elif outcome.outcome is Outcome.OUT_OF_WINDOW:
            report.out_of_window += 1
        elif outcome.outcome is Outcome.SKIPPED:
            report.skipped += 1
            report.add_failure(outcome.url, outcome.error or "skipped")
        elif outcome.outcome is Outcome.ERROR:
            report.failed += 1
            report.add_failure(outcome.url, outcome.error or "failed")

    def _finish(self, discovery: Discovery, report: SourceReport) -> None:
        now = datetime.now(UTC)
        report.blocked = discovery.blocked
        report.not_modified = sum(o.outcome is Outcome.NOT_MODIFIED for o in discovery.outcomes)
        for outcome in discovery.outcomes:
            if outcome.outcome is Outcome.ERROR or outcome.outcome is Outcome.SKIPPED:
                report.add_failure(outcome.url, outcome.error or "listing failed")
        if discovery.failed_entirely:
            reasons = "; ".join(o.error or "" for o in discovery.outcomes if o.error)
            report.error = f"every feed and sitemap failed: {reasons}"
        # Listings served but every page walled off is a blocked source, not "0 new articles".
        walled = self._pages > 0 and self._walled == self._pages
        if walled and report.error is None:
            statuses = " or ".join(str(s) for s in sorted(self._wall_statuses))
            report.error = f"blocked: all {self._pages} pages answered HTTP {statuses}"
        report.blocked = discovery.blocked or walled
        with session_scope(self.config.database_url) as session:
            record_outcomes(session, outcomes=discovery.outcomes, run_id=self.run_id)
            # Validators are saved only now, after the articles they listed are stored,
            # so a run that dies midway re-reads the listing next time.
            # Nor when URLs were left for the next run: a 304 would hide them from it.
            if self.window is None and not self._truncated:
                for url, (etag, last_modified) in discovery.validators.items():
                    save_feed_state(session, url=url, etag=etag, last_modified=last_modified, now=now)
            update_source_health(
                session,
                source=self.source.name,
                ok=not discovery.failed_entirely and not walled,
                blocked=report.blocked,
                error=report.error,
                now=now,
            )


@task(name="ingest-source", task_run_name="ingest-{source.name}", cache_policy=NO_CACHE, log_prints=False)
def ingest_source(
    source: Source, config: RunConfig, run_id: str | None = None, window: DateWindow | None = None
) -> SourceReport:
    """Ingest one source; page failures are counted and recorded, never raised."""
    logger = get_run_logger()
    report = SourcePipeline(source, config, run_id=run_id, window=window, progress=current_progress()).run()
    logger.info(
        "%s: %d discovered, %d fetched, %d new, %d duplicate, %d failed, %d skipped",
        source.name,
        report.discovered,
        report.fetched,
        report.new,
        report.duplicate,
        report.failed,
        report.skipped,
    )
    if report.error:
        logger.warning("%s failed: %s", source.name, report.error)
    return report


_progress: Progress | None = None


def set_progress(callback: Progress | None) -> None:
    """Install a progress callback for source tasks of this process (the CLI's progress bars)."""
    global _progress
    _progress = callback


def current_progress() -> Progress | None:
    return _progress
