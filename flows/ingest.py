"""The scheduled ingest flow: every configured source, new articles only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import State, flow, get_run_logger
from prefect.runtime import flow_run
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner
from sqlalchemy.exc import SQLAlchemyError

from flows.run import prepare, run_sources
from flows.summary import RunSummary, final_state, publish_stats
from newsflow.errors import DatabaseUnavailable
from storage.articles import source_stats
from storage.db import read_scope


def ingest_run_name() -> str:
    """Flow run names that say which slot ran: ingest-2025-06-03T12-00 (UTC)."""
    # The scheduled time, not the start: a run that starts late keeps its slot's name.
    when = flow_run.scheduled_start_time or datetime.now(UTC)
    return f"ingest-{when.astimezone(UTC):%Y-%m-%dT%H-%M}"


@flow(
    name="ingest",
    flow_run_name=ingest_run_name,
    # Bounded pool; NEWSFLOW_SOURCE_CONCURRENCY (at most 16) sets how many sources run at once.
    # (Prefect types the runner invariantly, hence the ignore.)
    task_runner=ThreadPoolTaskRunner[Any](max_workers=16),  # type: ignore[arg-type]
    log_prints=False,
    persist_result=False,
)
def ingest(sources_path: str | None = None, source_names: list[str] | None = None) -> State[RunSummary]:
    """Discover, fetch, extract, dedupe and store new articles of the configured sources."""
    prepared = prepare(sources_path, source_names)
    try:
        summary = run_sources("ingest", prepared.sources, prepared.config)
    except DatabaseUnavailable as exc:
        # A state, not a raise: Prefect would log the exception with a traceback.
        return Failed(message=str(exc), data=exc)
    _publish_stats(prepared.settings.database_url)
    return final_state(summary)


def _publish_stats(database_url: str) -> None:
    """The `ingest-stats` artifact; a database that fails this read does not fail the run (its
    articles are stored): the artifact is left out, with a warning."""
    try:
        with read_scope(database_url) as session:
            stats = source_stats(session)
    except SQLAlchemyError as exc:
        get_run_logger().warning("no ingest-stats artifact: reading the statistics failed (%s)", exc)
        return
    publish_stats("ingest", stats)
