"""One source through discover → fetch → extract → dedupe → store, in batches that stream through.

Policies live in the core (newsflow.candidates, newsflow.window, newsflow.report) and storage
(storage.batch); this module only composes them and keeps at most two batches of HTML alive.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import lru_cache, partial
from typing import TypeVar

import httpx
from prefect import get_run_logger
from sqlmodel import Session

from newsflow.candidates import cap, chunks, ramped_chunks, retry_candidates, unique_by_url
from newsflow.discover.listings import Discovery, discover
from newsflow.discover.warc import DamagedRecord, warc_pages
from newsflow.errors import DatabaseUnavailable, FeedError, Interrupted
from newsflow.fetch.fetcher import Fetcher, robots_origin
from newsflow.fetch.politeness import HostLimiter
from newsflow.fetch.warc_stream import open_warc
from newsflow.records import (
    DateWindow,
    DiscoveredUrl,
    FetchedPage,
    FetchOutcome,
    Outcome,
    ProcessedArticle,
    RobotsFile,
    Source,
)
from newsflow.refresh import DueArticle, RefreshBudget, parse_refresh_ages
from newsflow.report import SourceReport, judge_source
from newsflow.runtime.stop import stop_requested
from newsflow.settings import RunConfig
from newsflow.source_filters import by_language, max_pages
from newsflow.sources import article_hosts
from newsflow.storage.batch import store_batch
from newsflow.storage.group_commit import commit_together
from newsflow.storage.refresh import RefreshResult, apply_refresh, due_articles, sources_with_due_articles
from newsflow.storage.repository import (
    dates_left_out,
    feed_validators,
    get_feed_state,
    record_outcomes,
    retryable_urls,
    save_feed_state,
    save_robots,
    saved_robots,
    settled_urls,
    sources_with_failed_pages,
    update_source_health,
)
from newsflow.storage.retry import run_transaction
from newsflow.tasks.events import emit_articles_stored, emit_source_unhealthy
from newsflow.tasks.extraction_pool import prestart, resolve_workers, submit_extraction
from newsflow.tasks.progress import ProgressCallback
from newsflow.tasks.run_fetcher import shared_limiter, source_fetcher
from newsflow.window import listed_in_window, split_by_window

T = TypeVar("T")
Batch = tuple[list[FetchedPage], list[FetchOutcome]]  # pages to extract, URLs that already failed
Extracted = Future[list[ProcessedArticle | FetchOutcome]]
_SETTLED_CHUNK = 500  # URLs per settled-URL lookup, as storage's own IN-list chunks


def refresh_budget(run_id: str | None, total: int) -> RefreshBudget:
    """The run's refetch budget, shared by its sources (a task outside a run has its own)."""
    return RefreshBudget(total) if run_id is None else _run_budget(run_id, total)


@lru_cache(maxsize=64)  # the runs in flight in one process, and a few finished ones
def _run_budget(run_id: str, total: int) -> RefreshBudget:
    return RefreshBudget(total)


def _unsettled(session: Session, found: Sequence[DiscoveredUrl]) -> list[DiscoveredUrl]:
    """The URLs no earlier run stored or settled, asked a chunk at a time: a set of every settled
    URL of a big sitemap would be one more copy of it."""
    fresh: list[DiscoveredUrl] = []
    for chunk in chunks(found, _SETTLED_CHUNK):
        settled = settled_urls(session, urls=[u.url for u in chunk])
        fresh.extend(u for u in chunk if u.url not in settled)
    return fresh


@dataclass(frozen=True)
class GroupReads:
    """What a group's sources would each read before fetching, read once for the whole group.

    `urls` are the listing URLs looked up and `saved` the (ETag, Last-Modified) of those that had
    any; a listing found later (a sitemap named in robots.txt, a sitemap index's children) is
    looked up when it is fetched. `with_failed_pages` and `with_due` name the sources for which
    the per-source reads of failed pages to retry and of articles due for a refetch can find
    anything (as of the group's start: an article falling due meanwhile waits for the next run).
    """

    urls: frozenset[str]
    saved: dict[str, tuple[str | None, str | None]]
    with_failed_pages: frozenset[str]
    with_due: frozenset[str]
    robots: tuple[RobotsFile, ...] = ()  # of the listings' origins, read within the cache's time


def read_group(sources: Sequence[Source], config: RunConfig) -> GroupReads | None:
    """GroupReads for `sources`, in one read transaction (an ingest's: a backfill neither asks
    conditionally nor retries nor refreshes); None when the read fails (each source then reads,
    and meets the outage, itself)."""
    urls = frozenset(url for source in sources for url in source.listings)
    names = [source.name for source in sources]
    now = datetime.now(UTC)
    robots_since = now - timedelta(seconds=config.robots_cache_seconds)
    with_robots = config.respect_robots and config.robots_cache_seconds > 0

    def read(session: Session) -> GroupReads:
        return GroupReads(
            urls,
            feed_validators(session, urls=urls),
            frozenset(sources_with_failed_pages(session, sources=names)),
            frozenset(sources_with_due_articles(session, sources=names, now=now)),
            tuple(saved_robots(session, origins={robots_origin(url) for url in urls}, since=robots_since))
            if with_robots
            else (),
        )

    try:
        return run_transaction(config.database_url, read, budget=config.db_retry_seconds, read_only=True)
    except DatabaseUnavailable:
        return None


@dataclass
class _InFlight:
    """A batch being extracted: its future, the URLs that already failed, and its timing."""

    extracted: Extracted
    failures: list[FetchOutcome]
    size: int
    urls: list[str] = field(default_factory=list)  # of the pages being extracted
    submitted: float = field(default_factory=time.monotonic)
    finished: list[float] = field(default_factory=list)  # set by the future's callback

    def __post_init__(self) -> None:
        # The callback holds the list, not self: self holds the future, and a future keeps its
        # callbacks, so a callback holding self would keep the batch's articles in a cycle.
        finished = self.finished
        self.extracted.add_done_callback(lambda _: finished.append(time.monotonic()))

    def extract_seconds(self) -> float:
        """Submit to done, once done (the callback may run just after result() returns)."""
        return (self.finished[0] if self.finished else time.monotonic()) - self.submitted


def _out_of_window(item: ProcessedArticle, now: datetime) -> FetchOutcome:
    published = item.article.published_at
    return FetchOutcome(
        item.fetched_url,
        item.source,
        Outcome.OUT_OF_WINDOW,
        now,
        item.http_status,
        f"published {published or 'on an unknown date'}, outside the window",
        published,
    )


@dataclass
class SourcePipeline:
    """Runs one source through every stage; holds no HTML beyond two batches at a time."""

    source: Source
    config: RunConfig
    run_id: str | None = None
    window: DateWindow | None = None
    progress: ProgressCallback | None = None
    group: GroupReads | None = None  # what its group's sources read at once

    def run(self) -> SourceReport:
        report = SourceReport(self.source.name)
        # The run's shared fetcher (one client, robots.txt cache, host limiter and archive for
        # every source), or one of this source's own when the task runs outside a run that opened one.
        with source_fetcher(self.source, self.config, self.run_id) as fetcher:
            if self.group is not None:
                fetcher.know_robots(self.group.robots)
            self._slow_down(shared_limiter(self.config, self.run_id))
            started = time.monotonic()
            try:
                discovery = self._discover(fetcher)
            except Interrupted:  # Ctrl-C before any page: nothing to store or to judge
                return report
            candidates, due = self._candidates(discovery, report)
            report.add_seconds("discover", time.monotonic() - started)
            # Only the candidates go on; the rest of a 50,000-URL sitemap need not outlive this line.
            discovery.urls.clear()
            candidates, left_over = cap(candidates, max_pages(self.source, self.config.max_urls_per_source))
            self._consume(self._fetched_batches(fetcher, candidates, report), report, total=len(candidates))
            # Refetches come after the new pages, so that new articles are never starved by them.
            if due and not stop_requested():
                self._consume(
                    self._refetched_batches(fetcher, due, report),
                    report,
                    total=len(due),
                    store=partial(self._store_refresh, due={d.url: d for d in due}),
                )
            if self.window is not None and self.source.warcs:
                self._consume(self._warc_batches(fetcher.client, report), report, total=0)
            # Taken even when not kept: the run's fetcher would hold every origin's file till its end.
            robots_read = fetcher.take_robots_read()
        kept = robots_read if self.config.robots_cache_seconds else []
        self._finish(discovery, report, urls_left_over=left_over or stop_requested(), robots=kept)
        return report

    def _refresh_wanted(self) -> int:
        """How many stored articles this source may refetch this run, taken from the run's budget
        (give back what due_articles did not find). A backfill (and its WARC input) never
        refreshes: it reads a window of the past."""
        if self.window is not None or not parse_refresh_ages(self.config.refresh_ages):
            return 0
        return refresh_budget(self.run_id, self.config.max_refresh_per_run).take(
            self.config.max_refresh_per_run
        )

    def _slow_down(self, limiter: HostLimiter) -> None:
        """The source's own `delay` between requests to its hosts, above the run's."""
        if self.source.delay:
            for host in article_hosts(self.source):
                limiter.set_delay(host, self.source.delay)

    def _discover(self, fetcher: Fetcher) -> Discovery:
        def known(url: str) -> tuple[str | None, str | None] | None:
            if self.group is not None and url in self.group.urls:
                return self.group.saved.get(url)

            def validators(session: Session) -> tuple[str | None, str | None] | None:
                state = get_feed_state(session, url=url)
                return (state.etag, state.last_modified) if state is not None else None

            return self._transaction(validators, read_only=True)

        # A backfill needs the full listings, so it never sends conditional requests.
        return discover(
            self.source,
            fetcher,
            known=known,
            max_bytes=self.config.max_feed_bytes,
            conditional=self.window is None,
        )

    def _candidates(
        self, discovery: Discovery, report: SourceReport
    ) -> tuple[list[DiscoveredUrl], list[DueArticle]]:
        """Listed URLs not settled by an earlier run (in the window, for a backfill), then the
        pages that failed before and are not listed again; and the stored articles to fetch again
        this run, within the run's budget. One read transaction."""
        found = unique_by_url(discovery.urls)
        report.discovered = len(found)
        if self.window is not None:
            window = self.window

            def in_window(session: Session) -> tuple[list[DiscoveredUrl], int]:
                kept, outside = self._in_window(found, window, session)
                return _unsettled(session, kept), outside

            # The report is counted once the transaction is through, not once per attempt.
            kept, outside = self._transaction(in_window, read_only=True)
            report.out_of_window += outside
            return kept, []

        wanted = self._refresh_wanted()
        now = datetime.now(UTC)
        listed_updates = [u for u in found if u.updated_at is not None]

        name, group = self.source.name, self.group

        def read(session: Session) -> tuple[list[str], list[DiscoveredUrl], list[DueArticle]]:
            retry = (
                retryable_urls(session, source=name)
                if group is None or name in group.with_failed_pages
                else []
            )
            due = (
                due_articles(
                    session,
                    source=name,
                    now=now,
                    limit=wanted,
                    listed=listed_updates,
                    scheduled=group is None or name in group.with_due,
                )
                if wanted
                else []
            )
            return retry, _unsettled(session, found), due

        retry, fresh, due = self._transaction(read, read_only=True)
        if wanted:
            refresh_budget(self.run_id, self.config.max_refresh_per_run).give_back(wanted - len(due))
        listed = (u.url for u in fresh)
        listings = [o.url for o in discovery.outcomes] + list(self.source.listings)
        candidates = retry_candidates(retry, source=self.source.name, listed=listed, listings=listings)
        return fresh + candidates, due

    @staticmethod
    def _in_window(
        found: list[DiscoveredUrl], window: DateWindow, session: Session
    ) -> tuple[list[DiscoveredUrl], int]:
        """The URLs listed (or stored earlier as left out) in the window, and how many were not."""
        page_dates = dates_left_out(session, urls=[u.url for u in found if u.published_at is None])
        kept, outside = listed_in_window(found, window, page_dates=page_dates)
        return kept, len(outside)

    def _transaction(self, work: Callable[[Session], T], *, read_only: bool = False) -> T:
        """`work` in one transaction, run again whole while the database restarts (storage.retry)."""
        return run_transaction(
            self.config.database_url, work, budget=self.config.db_retry_seconds, read_only=read_only
        )

    def _fetched_batches(
        self, fetcher: Fetcher, candidates: list[DiscoveredUrl], report: SourceReport
    ) -> Iterator[Batch]:
        for batch in ramped_chunks(candidates, self.config.batch_size):
            if stop_requested():  # Ctrl-C: the batches already fetched are stored, no new one
                return
            started = time.monotonic()
            try:
                results = fetcher.fetch_pages(batch, concurrency=self.config.fetch_concurrency)
            except Interrupted:  # Ctrl-C mid-batch: drop it whole, the next run fetches it again
                return
            report.add_seconds("fetch", time.monotonic() - started)
            yield (
                [r for r in results if isinstance(r, FetchedPage)],
                [r for r in results if isinstance(r, FetchOutcome)],
            )

    def _refetched_batches(
        self, fetcher: Fetcher, due: list[DueArticle], report: SourceReport
    ) -> Iterator[Batch]:
        for batch in chunks(due, self.config.batch_size):
            if stop_requested():
                return
            started = time.monotonic()
            try:
                results = fetcher.refetch_pages(list(batch), concurrency=self.config.fetch_concurrency)
            except Interrupted:
                return
            report.add_seconds("fetch", time.monotonic() - started)
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
                        if isinstance(item, DamagedRecord):
                            report.add_failure(f"{location}@{item.offset}", item.reason)
                            continue
                        if isinstance(item, FetchOutcome):
                            failures.append(item)
                            continue
                        pages.append(item)
                        if stop_requested():
                            return
                        if len(pages) >= self.config.batch_size:
                            yield self._unstored(pages), failures
                            pages, failures = [], []
            except FeedError as error:
                report.add_failure(location, str(error))
                failures.append(
                    FetchOutcome(
                        location, self.source.name, Outcome.ERROR, datetime.now(UTC), None, str(error)
                    )
                )
            yield self._unstored(pages), failures

    def _unstored(self, pages: list[FetchedPage]) -> list[FetchedPage]:
        urls = [p.url for p in pages]
        settled = self._transaction(lambda session: settled_urls(session, urls=urls), read_only=True)
        return [p for p in pages if p.url not in settled]

    def _consume(
        self,
        batches: Iterator[Batch],
        report: SourceReport,
        *,
        total: int,
        store: Callable[[_InFlight, SourceReport], int] | None = None,
    ) -> None:
        """Extract each batch while the previous one is stored (by `store`: new articles by
        default) and the next one fetched."""
        store = store or self._store
        workers = resolve_workers(self.config.extract_workers)
        if total:
            # Worker start-up overlaps the first batch's fetch; a run with nothing new never pays it.
            prestart(workers)
        pending: _InFlight | None = None
        done = 0
        self._tick(0, total)
        for pages, failures in batches:
            report.fetched += len(pages)
            in_flight = _InFlight(
                submit_extraction(pages, workers=workers),
                failures,
                len(pages) + len(failures),
                urls=[p.url for p in pages],
            )
            if pending is not None:
                done += store(pending, report)
                self._tick(done, total)
            pending = in_flight
        if pending is not None:
            done += store(pending, report)
            self._tick(done, total)

    def _tick(self, done: int, total: int) -> None:
        if self.progress is not None:
            self.progress(self.source.name, done, total)

    def _store(self, batch: _InFlight, report: SourceReport) -> int:
        """Store one extracted batch; the number of pages it settled."""
        now = datetime.now(UTC)
        results = batch.extracted.result()
        report.add_seconds("extract", batch.extract_seconds())
        outcomes = [*batch.failures, *(r for r in results if isinstance(r, FetchOutcome))]
        articles, off_language = by_language(
            (r for r in results if isinstance(r, ProcessedArticle)), self.source, now=now
        )
        outcomes.extend(off_language)
        for item in articles:
            if item.article.published_at_note:  # the database keeps the closed vocabulary only
                # At DEBUG: one line per page would fill the terminal and the run's log on a big run.
                get_run_logger().debug(
                    "%s: dated by its listing (%s)", item.fetched_url, item.article.published_at_note
                )
        if self.window is not None:
            window = self.window
            articles, outside = split_by_window(
                articles, window, lambda a: a.article.published_at, keep_undated=False
            )
            outcomes.extend(_out_of_window(item, now) for item in outside)
        started = time.monotonic()
        stored = store_batch(
            self.config.database_url,
            articles=articles,
            outcomes=outcomes,
            run_id=self.run_id,
            threshold=self.config.near_duplicate_threshold,
            now=now,
            retry_seconds=self.config.db_retry_seconds,
            refresh_ages=parse_refresh_ages(self.config.refresh_ages) if self.window is None else (),
        )
        report.add_seconds("store", time.monotonic() - started)
        emit_articles_stored(
            self.source.name,
            original_ids=stored.original_ids,
            duplicate_ids=stored.duplicate_ids,
            run_kind="ingest" if self.window is None else "backfill",
        )
        if stored.row_by_row:
            get_run_logger().warning("a batch insert failed; its articles were stored one at a time")
        report.count_pages(stored.outcomes)
        return batch.size

    def _store_refresh(self, batch: _InFlight, report: SourceReport, *, due: dict[str, DueArticle]) -> int:
        """Store one extracted batch of refetched articles (storage.refresh); the number settled."""
        now = datetime.now(UTC)
        results = batch.extracted.result()
        report.add_seconds("extract", batch.extract_seconds())
        mine = [due[url] for url in (*batch.urls, *(o.url for o in batch.failures)) if url in due]
        articles = [r for r in results if isinstance(r, ProcessedArticle)]
        outcomes = [*batch.failures, *(r for r in results if isinstance(r, FetchOutcome))]
        ages = parse_refresh_ages(self.config.refresh_ages)
        started = time.monotonic()

        def work(session: Session) -> RefreshResult:
            return apply_refresh(
                session,
                due=mine,
                articles=articles,
                outcomes=outcomes,
                ages=ages,
                threshold=self.config.near_duplicate_threshold,
                now=now,
                run_id=self.run_id,
            )

        result = self._transaction(work)
        report.add_seconds("store", time.monotonic() - started)
        report.count_refreshes(result.outcomes)
        for outcome in result.outcomes:
            if outcome.outcome is Outcome.UPDATED:
                get_run_logger().info("%s: a new version stored", outcome.url)
        return batch.size

    def _finish(
        self, discovery: Discovery, report: SourceReport, *, urls_left_over: bool, robots: list[RobotsFile]
    ) -> None:
        now = datetime.now(UTC)
        report.count_listings(discovery.outcomes)
        verdict = judge_source(
            report,
            listing_errors=[o.error or "" for o in discovery.outcomes],
            listings_failed=discovery.failed_entirely,
            listings_blocked=discovery.blocked,
        )
        interrupted = stop_requested()  # a run stopped by Ctrl-C says nothing of the source's health
        if not interrupted:
            report.error, report.blocked = verdict.error, verdict.blocked
        validators = discovery.validators_to_save(
            backfill=self.window is not None, urls_left_over=urls_left_over
        )

        def settle(session: Session) -> int:
            record_outcomes(session, outcomes=discovery.outcomes, run_id=self.run_id)
            for url, (etag, last_modified) in validators.items():
                save_feed_state(session, url=url, etag=etag, last_modified=last_modified, now=now)
            save_robots(session, files=robots)  # what the run read since, by any source
            if interrupted:
                return 0
            return update_source_health(
                session,
                source=self.source.name,
                ok=verdict.ok,
                blocked=verdict.blocked,
                error=verdict.error,
                now=now,
            )

        # Sources finish by the hundred: their settling rows go in with others' (storage.group_commit).
        failures = commit_together(self.config.database_url, settle, budget=self.config.db_retry_seconds)
        if not interrupted and (not verdict.ok or verdict.blocked):
            emit_source_unhealthy(
                self.source.name, error=verdict.error, blocked=verdict.blocked, consecutive_failures=failures
            )

    def record_crash(self, exc: Exception) -> None:
        """An unforeseen error ended this source's run: count it in the source's health and announce
        it as any failed source. Never raises: the error itself is what the caller reports."""
        error = f"crashed: {type(exc).__name__}: {exc}"

        def settle(session: Session) -> int:
            return update_source_health(
                session, source=self.source.name, ok=False, blocked=False, error=error, now=datetime.now(UTC)
            )

        try:
            failures = self._transaction(settle)
        except Exception:  # the database may be what failed; the event still goes out
            logging.getLogger(__name__).warning(
                "%s: could not record the crash in source health", self.source.name
            )
            failures = 0
        emit_source_unhealthy(self.source.name, error=error, blocked=False, consecutive_failures=failures)
