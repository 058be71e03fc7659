"""What one source's run came to: per-outcome counts, the failures, and the source's verdict."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from newsflow.fetch.fetcher import BLOCKING_STATUSES
from newsflow.records import FetchOutcome, Outcome

MAX_LISTED_FAILURES = 50
STAGES = ("discover", "fetch", "extract", "store")


@dataclass(repr=False)
class SourceReport:
    """What happened to one source in one run."""

    source: str
    discovered: int = 0
    fetched: int = 0
    new: int = 0
    duplicate: int = 0
    not_modified: int = 0
    failed: int = 0
    skipped: int = 0
    out_of_window: int = 0
    # Stored articles fetched again (newsflow.refresh), and those that came back changed.
    refreshed: int = 0
    updated: int = 0
    removed: int = 0
    blocked: bool = False
    error: str | None = None  # set when the source as a whole failed
    # The source stopped because the database stayed away past its retry budget (`error` says
    # so): the whole run stops then, not only this source.
    database_unavailable: bool = False
    failures: list[tuple[str, str]] = field(default_factory=list)  # (url, reason), capped
    # Page outcomes counted, and how many of them were a 401/403/429/451 wall (for the verdict).
    pages: int = field(default=0, repr=False)
    walled: int = field(default=0, repr=False)
    wall_statuses: set[int] = field(default_factory=set, repr=False)
    # Wall seconds per stage (STAGES). Stages overlap: pages are fetched while others are extracted.
    seconds: dict[str, float] = field(default_factory=dict)

    def __repr__(self) -> str:
        # Short: Prefect puts it in log lines about the task run's state.
        status = f"failed: {self.error}" if self.error else "blocked" if self.blocked else "ok"
        return f"SourceReport({self.source}: {self.new} new, {self.duplicate} duplicate, {status})"

    def add_seconds(self, stage: str, seconds: float) -> None:
        self.seconds[stage] = self.seconds.get(stage, 0.0) + seconds

    @property
    def source_failed(self) -> bool:
        return self.error is not None

    def add_failure(self, url: str, reason: str) -> None:
        if len(self.failures) < MAX_LISTED_FAILURES:
            self.failures.append((url, reason))

    def count_pages(self, outcomes: Iterable[FetchOutcome]) -> None:
        """Count the outcomes of article pages (not listings) into the report."""
        for outcome in outcomes:
            self.pages += 1
            # A paywall's teaser answered 401 and stored is an article, not a wall.
            if outcome.http_status in BLOCKING_STATUSES and outcome.outcome in (
                Outcome.ERROR,
                Outcome.SKIPPED,
            ):
                self.walled += 1
                self.wall_statuses.add(outcome.http_status)
            if outcome.outcome is Outcome.OK:
                self.new += 1
            elif outcome.outcome is Outcome.DUPLICATE:
                self.duplicate += 1
            elif outcome.outcome is Outcome.OUT_OF_WINDOW:
                self.out_of_window += 1
            elif outcome.outcome is Outcome.SKIPPED:
                self.skipped += 1
                self.add_failure(outcome.url, outcome.error or "skipped")
            elif outcome.outcome is Outcome.ERROR:
                self.failed += 1
                self.add_failure(outcome.url, outcome.error or "failed")

    def count_refreshes(self, outcomes: Iterable[FetchOutcome]) -> None:
        """Count the outcomes of refetched stored articles into the report."""
        for outcome in outcomes:
            self.refreshed += 1
            if outcome.outcome is Outcome.UPDATED:
                self.updated += 1
            elif outcome.outcome is Outcome.REMOVED:
                self.removed += 1
            elif outcome.outcome in (Outcome.REFRESH_FAILED, Outcome.ERROR, Outcome.SKIPPED):
                self.add_failure(outcome.url, f"refetch: {outcome.error or 'failed'}")

    def count_listings(self, outcomes: Iterable[FetchOutcome]) -> None:
        """Count the outcomes of the source's feeds and sitemaps into the report."""
        for outcome in outcomes:
            if outcome.outcome is Outcome.NOT_MODIFIED:
                self.not_modified += 1
            elif outcome.outcome in (Outcome.ERROR, Outcome.SKIPPED):
                self.add_failure(outcome.url, outcome.error or "listing failed")


@dataclass(frozen=True, slots=True)
class SourceVerdict:
    """Whether a source's run went well; `error` says why not."""

    ok: bool
    blocked: bool
    error: str | None


def judge_source(
    report: SourceReport, *, listing_errors: Iterable[str], listings_failed: bool, listings_blocked: bool
) -> SourceVerdict:
    """A source failed when every listing failed, and is blocked when its listings or every one of
    its pages answered with a wall (401/403/429/451): served listings and walled pages are a
    blocked source, not "0 new articles"."""
    error = None
    if listings_failed:
        error = f"every feed and sitemap failed: {'; '.join(e for e in listing_errors if e)}"
    walled = report.pages > 0 and report.walled == report.pages
    if walled and error is None:
        statuses = " or ".join(str(s) for s in sorted(report.wall_statuses))
        error = f"blocked: all {report.pages} pages answered HTTP {statuses}"
    return SourceVerdict(
        ok=not listings_failed and not walled, blocked=listings_blocked or walled, error=error
    )
