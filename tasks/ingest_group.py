"""The source task: one Prefect task run ingests a group of sources (newsflow.source_groups), each
through its own SourcePipeline, at once, within the run's source slots.

A run with few sources gives each its own task run (a group of one, run in the task's thread);
hundreds of sources share a few dozen task runs, whose logs, return value and final state still
say what each source came to.
"""

from __future__ import annotations

import contextvars
import logging
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager

from prefect import State, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from prefect.states import Cancelled, Completed, Failed

from newsflow.errors import DatabaseUnavailable
from newsflow.records import DateWindow, Source
from newsflow.report import SourceReport
from newsflow.runtime.stop import stop_requested
from newsflow.settings import RunConfig
from newsflow.source_groups import failure_message
from newsflow.tasks.ingest_source import GroupReads, SourcePipeline, read_group
from newsflow.tasks.progress import ProgressCallback

# How often a source waiting for a slot looks whether the run was stopped meanwhile.
_STOP_CHECK_SECONDS = 1.0


class SourceSlots:
    """At most `size` sources of a run in flight across all its group task runs. Closed (by a
    database outage), or once a stop was requested, it grants no more slots: sources not yet
    started are not started. A plain class: Prefect would copy a dataclass task argument."""

    def __init__(self, size: int) -> None:
        self._free = threading.BoundedSemaphore(max(1, size))
        self._closed = threading.Event()

    def close(self) -> None:
        self._closed.set()

    def _open(self) -> bool:
        return not (self._closed.is_set() or stop_requested())

    @contextmanager
    def slot(self) -> Iterator[bool]:
        """True and a slot held for the block, or False when no source may start any more."""
        while not self._free.acquire(timeout=_STOP_CHECK_SECONDS):
            if not self._open():
                yield False
                return
        try:
            yield self._open()
        finally:
            self._free.release()


def _ingest_one(
    source: Source,
    config: RunConfig,
    slots: SourceSlots,
    run_id: str | None,
    window: DateWindow | None,
    progress: ProgressCallback | None,
    group: GroupReads | None,
    *,
    in_group: bool = False,
) -> SourceReport | None:
    """One source's report, or None when it was never started (a stop, an outage)."""
    logger = get_run_logger()
    with slots.slot() as granted:
        if not granted:
            return None
        pipeline = SourcePipeline(
            source, config, run_id=run_id, window=window, progress=progress, group=group
        )
        try:
            report = pipeline.run()
        except DatabaseUnavailable as exc:
            # No source of the run starts on a database that is gone; the flow stops the run.
            slots.close()
            return SourceReport(source.name, error=str(exc), database_unavailable=True)
        except Exception as exc:
            # A bug, most likely: this source's run is lost, not its group's nor the run's. Its
            # health counts it; the task run's log keeps the traceback.
            if not stop_requested():
                pipeline.record_crash(exc)
            logger.error("%s: crashed", source.name, exc_info=exc)
            return SourceReport(source.name, error=f"{type(exc).__name__}: {exc}")
    logger.log(_line_level(report, in_group=in_group), "%s: %s", source.name, counts_line(report))
    return report


def _line_level(report: SourceReport, *, in_group: bool) -> int:
    """INFO for a source with something to tell; DEBUG for one with nothing (the common case of a
    scheduled run over hundreds of sources) and, in a group, for one that merely stored pages: the
    group's line sums them and the run's summary table lists every source. 500 such lines cost
    seconds of a run's CPU, in Prefect's console and API log handlers and in its server."""
    if report.error or report.blocked or report.failed:
        return logging.INFO
    eventful = report.fetched or report.refreshed
    return logging.INFO if eventful and not in_group else logging.DEBUG


def counts_line(report: SourceReport) -> str:
    """A report's counts as its log line says them (a group's summed report too)."""
    refreshed = (
        f"; {report.refreshed} refreshed, {report.updated} updated, {report.removed} removed"
        if report.refreshed
        else ""
    )
    status = f"; failed: {report.error}" if report.error else "; blocked" if report.blocked else ""
    return (
        f"{report.discovered} discovered, {report.fetched} fetched, {report.new} new, "
        f"{report.duplicate} duplicate, {report.failed} failed, {report.skipped} skipped{refreshed}{status}"
    )


def _group_total(reports: list[SourceReport]) -> SourceReport:
    """The group's counts summed (its failed and blocked sources have lines of their own)."""
    total = SourceReport("")
    for name in _SUMMED:
        setattr(total, name, sum(getattr(report, name) for report in reports))
    return total


_SUMMED = (
    "discovered",
    "fetched",
    "new",
    "duplicate",
    "failed",
    "skipped",
    "refreshed",
    "updated",
    "removed",
)


class GroupReports(list[SourceReport]):
    """A group's reports, shown as a count: Prefect logs a failed task run's state with its
    result's repr, which for a group of 16 sources was 16 reports on one line."""

    def __repr__(self) -> str:
        return f"[{len(self)} source report{'s' if len(self) != 1 else ''}]"


def _group_state(reports: list[SourceReport]) -> list[SourceReport] | State[list[SourceReport]]:
    """Failed, naming each failed or blocked source with its reason, so the UI's run graph and
    dashboard count the group; else its reports (Completed naming a blocked source, if any).
    Cancelled when a stop (Ctrl-C) cut its sources short: the UI must not call them done."""
    reports = GroupReports(reports)
    if stop_requested():
        return Cancelled(message=f"interrupted: {sum(r.new for r in reports)} new stored", data=reports)
    failed = [(r.source, r.error) for r in reports if r.error]
    if failed:
        return Failed(message=failure_message(failed), data=reports)
    blocked = [r.source for r in reports if r.blocked]
    if blocked:
        return Completed(message="blocked: " + ", ".join(blocked), data=reports)
    return reports


class _NoEmptyTraceback(logging.Filter):
    """Prefect logs a task run that returns a Failed state with exc_info and no exception, which
    prints a stray "NoneType: None" under the line; a failed source is not a crash."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info is not None and record.exc_info[0] is None:
            record.exc_info = None
        return True


logging.getLogger("prefect.task_runs").addFilter(_NoEmptyTraceback())


@task(name="ingest-source", task_run_name="ingest-{label}", cache_policy=NO_CACHE, log_prints=False)
def ingest_sources(
    label: str,
    sources: list[Source],
    config: RunConfig,
    run_id: str | None = None,
    window: DateWindow | None = None,
    progress: ProgressCallback | None = None,
    slots: SourceSlots | None = None,
) -> list[SourceReport] | State[list[SourceReport]]:
    """Ingest a group of sources at once, each within `slots` (the run's; else the group's own);
    page failures are counted and recorded, never raised. The reports of the sources that started,
    in the group's order; a group with a failed source ends Failed, naming it and the reason."""
    slots = slots if slots is not None else SourceSlots(len(sources))
    # An ingest reads what its sources would each read first (validators, retries, refetches) at once.
    group = read_group(sources, config) if window is None else None
    if len(sources) == 1:  # one source: in the task's own thread, as a task per source always ran
        found = [_ingest_one(sources[0], config, slots, run_id, window, progress, group)]
    else:
        # Each thread gets its own copy of the task run's context, for its logger and events.
        with ThreadPoolExecutor(max_workers=len(sources), thread_name_prefix="source") as pool:
            futures = [
                pool.submit(
                    contextvars.copy_context().run,
                    _ingest_one,
                    source,
                    config,
                    slots,
                    run_id,
                    window,
                    progress,
                    group,
                    in_group=True,
                )
                for source in sources
            ]
            found = [future.result() for future in futures]
    started = [report for report in found if report is not None]
    if len(sources) > 1:
        get_run_logger().info("%d sources: %s", len(started), counts_line(_group_total(started)))
    return _group_state(started)
