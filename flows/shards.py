"""Scale out: one ingest split into K shards by host, each shard a flow run of its own.

Under a deployment, the ingest run starts one run of the `ingest/shard` deployment per shard
(Prefect's run_deployment), which the work pool's workers pick up, on as many machines as there
are workers, and waits for them. Every host is in exactly one shard (newsflow.shards), so each
shard's per-host politeness needs no word with the others. Each shard run publishes its own
`ingest-summary` table; the ingest run reads them back and publishes the summary of the whole
ingest. Run outside a deployment (a test, a script), the shards run here, one after another.
"""

from __future__ import annotations

import json
from typing import Any

from prefect import get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId, ArtifactFilterKey
from prefect.client.schemas.objects import FlowRun
from prefect.deployments import run_deployment
from prefect.runtime import flow_run

from newsflow.flows.summary import COLUMNS, RunSummary
from newsflow.records import Source
from newsflow.report import STAGES, SourceReport

SHARD_DEPLOYMENT = "ingest/shard"  # deployments.yaml: the ingest flow, no schedule, no limit


def shard_run_name(parent: str, shard: int, shards: int) -> str:
    """ingest-2025-06-03T12-00-shard-1-of-4: the parent's name and the shard, counted from 1
    (the flow's own naming, flows.ingest.ingest_run_name, then puts the shard run's slot first)."""
    return f"{parent}-shard-{shard + 1}-of-{shards}"


COUNT_COLUMNS = COLUMNS[1:]  # the summary table's counts, after its source column


def report_from_row(row: dict[str, Any], *, failed_as: str) -> SourceReport:
    """A source's report read back from a summary table row (flows.summary.RunSummary.rows)."""
    report = SourceReport(str(row["source"]))
    for name in COUNT_COLUMNS:
        setattr(report, name, int(row.get(name) or 0))
    report.blocked = row.get("status") == "blocked"
    if row.get("status") in ("blocked", "failed"):
        # A shard's table says why (its `reason`); one published before that column names the run.
        report.error = str(row.get("reason") or failed_as)
    report.seconds = {stage: float(row.get(f"{stage}_s") or 0.0) for stage in STAGES}
    return report


def _summary_rows(flow_run_id: Any) -> list[dict[str, Any]] | None:
    """The `ingest-summary` table a shard run published, or None if it published none."""
    with get_client(sync_client=True) as client:
        artifacts = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["ingest-summary"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
            )
        )
    for artifact in artifacts:
        data = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
        if isinstance(data, list):
            return data
    return None


@task(name="ingest-shard", task_run_name="shard-{shard}-of-{shards}", cache_policy=NO_CACHE)
def ingest_shard(
    shard: int, shards: int, sources_path: str | None, source_names: list[str] | None, parent: str
) -> list[SourceReport]:
    """Run shard `shard` as a flow run of SHARD_DEPLOYMENT on the work pool; its sources' reports."""
    name = shard_run_name(parent, shard, shards)
    child = run_deployment(
        SHARD_DEPLOYMENT,
        parameters={
            "sources_path": sources_path,
            "source_names": source_names,
            "shards": shards,
            "shard": shard,
        },
        flow_run_name=name,
        timeout=None,  # wait for it, however long the shard takes
        idempotency_key=f"{flow_run.get_id()}-shard-{shard}",  # a retried parent starts no twin
        as_subflow=True,
    )
    assert isinstance(child, FlowRun)  # the sync API returns the run, not a coroutine
    state = child.state
    rows = _summary_rows(child.id)
    if rows is None:
        get_run_logger().error("%s ended %s without a summary", name, state.type.value if state else "?")
        return []
    verdict = f"see flow run {name}"
    return [report_from_row(row, failed_as=verdict) for row in rows]


def merge_shards(
    kind: str, sources: list[Source], shard_reports: list[list[SourceReport]], split: list[list[Source]]
) -> RunSummary:
    """One summary in the sources' order; a source its shard did not report on failed with why."""
    reported: dict[str, SourceReport] = {}
    for shard, reports in enumerate(shard_reports):
        for report in reports:
            reported[report.source] = report
        for source in split[shard]:
            if source.name not in reported:
                reported[source.name] = SourceReport(
                    source.name, error=f"shard {shard + 1} of {len(split)} did not report on it"
                )
    return RunSummary(kind, [reported[source.name] for source in sources])


def run_shard_deployments(
    split: list[list[Source]], sources_path: str | None, source_names: list[str] | None
) -> list[list[SourceReport]]:
    """Every non-empty shard as a run of SHARD_DEPLOYMENT, all at once; their reports."""
    parent = flow_run.get_name() or "ingest"
    shards = len(split)
    futures = {
        shard: ingest_shard.submit(shard, shards, sources_path, source_names, parent)
        for shard, group in enumerate(split)
        if group
    }
    reports: list[list[SourceReport]] = [[] for _ in split]
    for shard, future in futures.items():
        result = future.result(raise_on_failure=False)
        reports[shard] = result if isinstance(result, list) else []
    return reports
