"""A run's summary: per-source counts, the final state's message, and the Prefect artifacts."""

from __future__ import annotations

from dataclasses import dataclass, field

from prefect import State
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.states import Cancelled, Completed, Failed

from newsflow.report import STAGES, SourceReport
from newsflow.runtime.stop import stop_requested
from newsflow.stats import SourceStats, stats_row

COLUMNS = (
    "source",
    "discovered",
    "fetched",
    "new",
    "duplicate",
    "not_modified",
    "failed",
    "skipped",
    "refreshed",
    "updated",
)


@dataclass
class RunSummary:
    """Every source's report for one run."""

    kind: str
    reports: list[SourceReport] = field(default_factory=list)

    @property
    def all_sources_failed(self) -> bool:
        return bool(self.reports) and all(r.source_failed for r in self.reports)

    @property
    def unhealthy(self) -> list[SourceReport]:
        return [r for r in self.reports if r.source_failed or r.blocked]

    def total(self, name: str) -> int:
        return sum(int(getattr(r, name)) for r in self.reports)

    @property
    def stored(self) -> int:
        """Article rows this run wrote (new originals and duplicates)."""
        return self.total("new") + self.total("duplicate")

    def message(self) -> str:
        counts = (
            f"{self.total('new')} new, {self.total('duplicate')} duplicate, "
            f"{self.total('failed')} failed, {self.total('skipped')} skipped"
        )
        # Blocked sources are named as such: a 403 wall is not "0 new articles".
        names = ", ".join(f"{r.source} (blocked)" if r.blocked else r.source for r in self.unhealthy)
        if self.all_sources_failed:
            return f"every source failed ({counts}): {names}"
        if self.total("refreshed"):
            counts += f", {self.total('refreshed')} refreshed, {self.total('updated')} updated"
        parts = [counts]
        if self.unhealthy:
            parts.append("unhealthy: " + names)
        if self.total("failed"):
            # A backfill does not retry on its own; running the same window again does.
            retry = "next run" if self.kind == "ingest" else "when this window is backfilled again"
            parts.append(f"{self.total('failed')} pages failed and will be retried {retry}")
        return "; ".join(parts)

    def rows(self) -> list[dict[str, str | int | float]]:
        rows: list[dict[str, str | int | float]] = []
        for report in self.reports:
            row: dict[str, str | int | float] = {name: getattr(report, name) for name in COLUMNS}
            row["status"] = "blocked" if report.blocked else ("failed" if report.source_failed else "ok")
            # The UI shows this table, not the log: a failed source's row says why.
            row["reason"] = report.error or ""
            # Wall seconds per stage; stages overlap, so they add up to more than the run took.
            row.update({f"{stage}_s": round(report.seconds.get(stage, 0.0), 2) for stage in STAGES})
            rows.append(row)
        return rows

    def failures_markdown(self) -> str:
        lines = [f"# Failures in this {self.kind} run", ""]
        for report in self.reports:
            if not report.failures and not report.error:
                continue
            lines.append(f"## {report.source}")
            if report.error:
                lines.append(f"**Source failed:** {report.error}")
            lines.extend(f"- `{url}`: {_without_prefix(reason, url)}" for url, reason in report.failures)
            lines.append("")
        return "\n".join(lines) if len(lines) > 2 else f"No failures in this {self.kind} run."


def _without_prefix(reason: str, url: str) -> str:
    """A listing's error names its address first ("<url>: HTTP 404"); the list item already does."""
    return reason.removeprefix(f"{url}: ") or reason


def publish_artifacts(summary: RunSummary) -> None:
    """Attach the per-source table and the failure list to the current flow run."""
    create_table_artifact(
        key=f"{summary.kind}-summary",
        table=summary.rows(),
        description=f"Per-source counts of this {summary.kind} run: {summary.message()}",
    )
    create_markdown_artifact(
        key=f"{summary.kind}-failures",
        markdown=summary.failures_markdown(),
        description=f"Pages and listings that failed in this {summary.kind} run, with reasons",
    )


def publish_stats(kind: str, stats: list[SourceStats]) -> None:
    """Attach the per-source statistics of everything stored (as `newsflow stats` prints them)."""
    create_table_artifact(
        key=f"{kind}-stats",
        table=[stats_row(s) for s in stats],
        description="Per source, everything stored so far: articles, duplicates, share dated and with "
        "authors, languages, last success, consecutive failures, blocked (as `newsflow stats`)",
    )


def interrupted_message(summary: RunSummary) -> str:
    return f"interrupted: {summary.stored} stored; run the same command to resume"


def final_state(summary: RunSummary) -> State[RunSummary]:
    """Completed (with a message when pages failed), Failed when every source failed, Cancelled
    when Ctrl-C stopped the run."""
    publish_artifacts(summary)
    if stop_requested():
        return Cancelled(message=interrupted_message(summary), data=summary)
    if summary.all_sources_failed:
        return Failed(message=summary.message(), data=summary)
    return Completed(message=summary.message(), data=summary)
