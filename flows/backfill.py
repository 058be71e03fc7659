"""The backfill flow: articles published in a date range, one subflow per day."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from uuid import UUID

from prefect import State, flow, get_run_logger, tags
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from newsflow.errors import DatabaseUnavailable
from newsflow.flows.run import prepare, run_sources
from newsflow.flows.summary import RunSummary, final_state
from newsflow.records import DateWindow, Source
from newsflow.report import SourceReport
from newsflow.runtime.stop import reclaim_sigterm, stop_requested
from newsflow.settings import MAX_SOURCE_CONCURRENCY, RunConfig, load_settings
from newsflow.window import days_between


def day_window(day: date) -> DateWindow:
    """The whole UTC day, both ends inclusive."""
    start = datetime.combine(day, time.min, tzinfo=UTC)
    return DateWindow(start, start + timedelta(days=1) - timedelta(microseconds=1))


@flow(
    name="backfill-day",
    flow_run_name="backfill-day-{day}",
    task_runner=ThreadPoolTaskRunner[Any](max_workers=MAX_SOURCE_CONCURRENCY),  # type: ignore[arg-type]
    persist_result=False,
)
def backfill_day(day: date, sources: list[Source]) -> list[SourceReport] | State[Any]:
    """Ingest the articles of one UTC day; a failed day is retried by backfilling that day alone."""
    # Subflow parameters are stored by the Prefect API and shown in its UI, so the run
    # configuration (with DATABASE_URL and its password) is rebuilt here, not passed in.
    config = RunConfig.from_settings(load_settings())
    try:
        return run_sources("backfill", sources, config, window=day_window(day)).reports
    except DatabaseUnavailable as exc:
        # A state, not a raise, so Prefect logs no traceback; calling this subflow raises `exc`.
        return Failed(message=str(exc), data=exc)


def _merge(summary: RunSummary, day: date, reports: list[SourceReport]) -> None:
    by_name = {r.source: r for r in summary.reports}
    for report in reports:
        total = by_name.get(report.source)
        if total is None:
            summary.reports.append(report)
            by_name[report.source] = report
            continue
        # Every day reads the same listings, so a URL is counted as discovered once, not per day.
        total.discovered = max(total.discovered, report.discovered)
        for name in (
            "fetched",
            "new",
            "duplicate",
            "not_modified",
            "failed",
            "skipped",
            "out_of_window",
        ):
            setattr(total, name, getattr(total, name) + getattr(report, name))
        total.blocked |= report.blocked
        for url, reason in report.failures:
            total.add_failure(url, reason)
        # A source failed only if it failed every day; a bad day is listed among its failures.
        if report.error and total.error is None:
            total.add_failure(f"day {day}", report.error)
        elif total.error and not report.error:
            total.add_failure("earlier days", total.error)
            total.error = None


# The docstring's Args section is each parameter's help in the UI's Custom run form (Prefect reads it).
@flow(
    name="backfill",
    flow_run_name="backfill-{since}-to-{until}",
    persist_result=False,
)
def backfill(
    since: date,
    until: date,
    source_names: list[str] | None = None,
    sources_path: str | None = None,
) -> State[RunSummary]:
    """Ingest the articles published between `since` and `until` (inclusive, UTC).

    Args:
        since: The first publication day (UTC), inclusive.
        until: The last publication day (UTC), inclusive.
        source_names: Only these sources (their `name` in the sources file); empty: every source.
        sources_path: The sources file to read; empty: NEWSFLOW_SOURCES, else sources.yaml.
    """
    reclaim_sigterm()
    logger = get_run_logger()
    days = days_between(since, until)
    prepared = prepare(sources_path, source_names)
    progress = create_progress_artifact(
        progress=0.0, key="backfill-progress", description=f"Days done of {since}..{until}"
    )
    assert isinstance(progress, UUID)  # the sync API returns the id, not a coroutine
    summary = RunSummary("backfill")
    for index, day in enumerate(days, start=1):
        if stop_requested():  # Ctrl-C: the days done are stored; the same command resumes
            break
        try:
            with tags("backfill"):
                reports = backfill_day(day, prepared.sources)
            assert isinstance(reports, list)  # a subflow's returned Failed state is raised, not returned
        except DatabaseUnavailable as exc:  # the next days would meet the same outage
            return Failed(message=str(exc), data=exc)
        except Exception as exc:  # one failed day must not stop the others
            logger.error("day %s failed: %s", day, exc)
            reports = [SourceReport(s.name, error=f"day {day}: {exc}") for s in prepared.sources]
        _merge(summary, day, reports)
        update_progress_artifact(artifact_id=progress, progress=100.0 * index / len(days))
    return final_state(summary)
