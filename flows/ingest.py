"""The scheduled ingest flow: every configured source, new articles only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from prefect import State, flow
from prefect.runtime import flow_run
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner

from flows.run import prepare, run_sources
from flows.summary import RunSummary, final_state
from newsflow.errors import DatabaseUnavailable
from newsflow.settings import MAX_SOURCE_CONCURRENCY


def ingest_run_name() -> str:
    """Flow run names that say which slot ran: ingest-2025-06-03T12-00 (UTC)."""
    # The scheduled time, not the start: a run that starts late keeps its slot's name.
    when = flow_run.scheduled_start_time or datetime.now(UTC)
    return f"ingest-{when.astimezone(UTC):%Y-%m-%dT%H-%M}"


@flow(
    name="ingest",
    flow_run_name=ingest_run_name,
    # Bounded pool, its threads started as needed; RunConfig.source_concurrency (derived from the
    # CPU count, or NEWSFLOW_SOURCE_CONCURRENCY) sets how many sources run at once.
    # (Prefect types the runner invariantly, hence the ignore.)
    task_runner=ThreadPoolTaskRunner[Any](max_workers=MAX_SOURCE_CONCURRENCY),  # type: ignore[arg-type]
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
    return final_state(summary)
