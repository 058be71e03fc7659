"""The scheduled ingest flow: every configured source, new articles only."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from prefect import State, flow, get_run_logger
from prefect.runtime import deployment, flow_run
from prefect.states import Failed
from prefect.task_runners import ThreadPoolTaskRunner
from pydantic import Field
from sqlalchemy.exc import SQLAlchemyError

from newsflow.errors import DatabaseUnavailable
from newsflow.flows.run import prepare, run_sources
from newsflow.flows.shards import merge_shards, run_shard_deployments
from newsflow.flows.summary import RunSummary, final_state, publish_stats
from newsflow.settings import MAX_SOURCE_CONCURRENCY
from newsflow.shards import split_by_host
from newsflow.storage.articles import source_stats
from newsflow.storage.db import read_scope

MAX_SHARDS = 256


def ingest_run_name() -> str:
    """Flow run names that say which slot ran: ingest-2025-06-03T12-00 (UTC), and a shard's
    ingest-2025-06-03T12-00-shard-1-of-4."""
    # The scheduled time, not the start: a run that starts late keeps its slot's name.
    when = flow_run.scheduled_start_time or datetime.now(UTC)
    name = f"ingest-{when.astimezone(UTC):%Y-%m-%dT%H-%M}"
    shard = flow_run.parameters.get("shard")
    if isinstance(shard, int):
        name += f"-shard-{shard + 1}-of-{flow_run.parameters.get('shards')}"
    return name


# The docstring's Args section is each parameter's help in the UI's Custom run form (Prefect reads it).
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
def ingest(
    sources_path: str | None = None,
    source_names: list[str] | None = None,
    shards: Annotated[int, Field(ge=1, le=MAX_SHARDS)] = 1,
    shard: Annotated[int, Field(ge=0, lt=MAX_SHARDS)] | None = None,
) -> State[RunSummary]:
    """Discover, fetch, extract, dedupe and store new articles of the configured sources.

    Args:
        sources_path: The sources file to read; empty: NEWSFLOW_SOURCES, else sources.yaml.
        source_names: Only these sources (their `name` in the sources file); empty: every source.
        shards: Above 1, split the sources by host into that many runs of the ingest/shard
            deployment, for several workers (README, "Scale out").
        shard: Set by a sharded run on its shard runs: the one shard (0 to shards - 1) to ingest.
    """
    if shard is not None and shard >= shards:
        return Failed(message=f"shard {shard} is not one of the {shards} shards (0 to {shards - 1})")
    prepared = prepare(sources_path, source_names)
    try:
        if shards == 1:
            summary = run_sources("ingest", prepared.sources, prepared.config)
        else:
            split = split_by_host(prepared.sources, shards)
            if shard is not None:
                summary = run_sources("ingest", split[shard], prepared.config)
            elif deployment.id is not None:
                reports = run_shard_deployments(split, sources_path, source_names)
                summary = merge_shards("ingest", prepared.sources, reports, split)
            else:
                # Not deployed (a script, a test): the shards run here, one after another.
                reports = [
                    _shard_here(sources_path, source_names, shards, k) if group else []
                    for k, group in enumerate(split)
                ]
                summary = merge_shards("ingest", prepared.sources, reports, split)
    except DatabaseUnavailable as exc:
        # A state, not a raise: Prefect would log the exception with a traceback.
        return Failed(message=str(exc), data=exc)
    if shard is None:  # the whole ingest's table, once (not per shard)
        _publish_stats(prepared.settings.database_url)
    return final_state(summary)


def _shard_here(
    sources_path: str | None, source_names: list[str] | None, shards: int, shard: int
) -> list[Any]:
    """One shard as a subflow of this run; its sources' reports."""
    state = ingest(sources_path, source_names, shards, shard, return_state=True)
    result = state.result(raise_on_failure=False)
    if isinstance(result, DatabaseUnavailable):
        raise result
    return result.reports if isinstance(result, RunSummary) else []


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
