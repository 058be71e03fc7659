"""Shared by the ingest and backfill flows: load configuration, run source tasks, summarize."""

from __future__ import annotations

import contextlib
import queue
import threading
import time
from collections import deque
from dataclasses import dataclass
from pathlib import Path
from typing import TypeAlias
from uuid import UUID

from prefect import State
from prefect.artifacts import create_progress_artifact, update_progress_artifact
from prefect.context import TagsContext
from prefect.futures import PrefectFuture
from prefect.runtime import flow_run

from newsflow.errors import ConfigError, DatabaseUnavailable
from newsflow.flows.summary import RunSummary
from newsflow.records import DateWindow, Source
from newsflow.report import SourceReport
from newsflow.runtime.stop import reclaim_sigterm, stop_requested, wait_awake
from newsflow.settings import RunConfig, Settings, load_settings
from newsflow.source_groups import group_label, groups_in_flight, source_groups
from newsflow.sources import load_sources, select_sources
from newsflow.storage.db import checkpoint, upgrade
from newsflow.tasks.ingest_group import SourceSlots, ingest_sources
from newsflow.tasks.progress import ProgressCallback, progress_callback
from newsflow.tasks.run_fetcher import run_fetcher

GroupFuture: TypeAlias = PrefectFuture[list[SourceReport] | State[list[SourceReport]]]


@dataclass(frozen=True)
class Prepared:
    """What a flow run needs before its first task: settings, sources, a migrated database."""

    settings: Settings
    sources: list[Source]
    config: RunConfig


def read_sources_file(path: Path) -> list[Source]:
    """Read and validate a sources file; ConfigError says what to fix."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise ConfigError(
            f"sources file {path} not found; pass --sources PATH or set NEWSFLOW_SOURCES"
        ) from exc
    except OSError as exc:
        raise ConfigError(f"cannot read sources file {path}: {exc}") from exc
    return load_sources(text, path=str(path))


def prepare(sources_path: str | None, source_names: list[str] | None) -> Prepared:
    """Settings, the selected sources and an up-to-date schema; raises NewsflowError on bad setup."""
    settings = load_settings(**({"sources": sources_path} if sources_path else {}))
    sources = select_sources(read_sources_file(settings.sources), source_names, path=str(settings.sources))
    upgrade(settings.database_url)
    return Prepared(settings, sources, RunConfig.from_settings(settings))


def run_sources(
    kind: str, sources: list[Source], config: RunConfig, *, window: DateWindow | None = None
) -> RunSummary:
    """Run the sources in task runs of one source or a group, at most `config.source_concurrency`
    sources at a time; gather their reports (none for a source a stop kept from starting).
    DatabaseUnavailable when a source gave up on the database: the run stops."""
    reclaim_sigterm()  # SIGTERM stops the run like Ctrl-C (the `newsflow` command's handler)
    run_id = str(flow_run.get_id() or "") or None
    # The CLI's bars (None in a served or deployed run), and an ingest's progress artifact.
    progress = ArtifactProgress(kind, progress_callback()) if window is None else progress_callback()
    try:
        # One client, robots.txt cache, host limiter and raw archive for every source of the run.
        with run_fetcher(sources, config, run_id, label=kind) if run_id else contextlib.nullcontext():
            reports = _source_reports(kind, sources, config, run_id=run_id, window=window, progress=progress)
    finally:
        if isinstance(progress, ArtifactProgress):
            progress.finish()
    checkpoint(config.database_url)  # the SQLite file alone is complete after every run
    return RunSummary(kind, [reports[source.name] for source in sources if source.name in reports])


class ArtifactProgress:
    """Pages done of pages to fetch across a run's sources, as the run's `<kind>-progress` artifact
    (the UI shows it while the run goes on); passes every tick on to `forward` (the CLI's bars)."""

    def __init__(self, kind: str, forward: ProgressCallback | None, *, every: float = 2.0) -> None:
        self._forward = forward
        self._every = every
        self._lock = threading.Lock()
        self._pages: dict[str, tuple[int, int]] = {}  # sources under way
        self._finished = (0, 0)  # pages done and to do of the sources done: one entry less each
        self._published = 0.0
        # Created here, in the flow's thread, so it belongs to the flow run (ticks come from tasks).
        artifact = create_progress_artifact(
            progress=0.0, key=f"{kind}-progress", description="Pages done of the pages this run fetches"
        )
        self._artifact = artifact if isinstance(artifact, UUID) else None

    def __call__(self, source: str, done: int, total: int) -> None:
        if self._forward is not None:
            self._forward(source, done, total)
        with self._lock:
            if done >= total:
                self._pages.pop(source, None)
                self._finished = (self._finished[0] + done, self._finished[1] + total)
            else:
                self._pages[source] = (done, total)
            now = time.monotonic()
            if now - self._published < self._every:
                return
            self._published = now
        self._publish()

    def percent(self) -> float:
        with self._lock:
            done = self._finished[0] + sum(d for d, _ in self._pages.values())
            total = self._finished[1] + sum(t for _, t in self._pages.values())
        return 100.0 * done / total if total else 0.0

    def _publish(self, percent: float | None = None) -> None:
        if self._artifact is not None:
            update_progress_artifact(
                artifact_id=self._artifact, progress=self.percent() if percent is None else percent
            )

    def finish(self) -> None:
        self._publish(100.0)


def _source_reports(
    kind: str,
    sources: list[Source],
    config: RunConfig,
    *,
    run_id: str | None,
    window: DateWindow | None,
    progress: ProgressCallback | None,
) -> dict[str, SourceReport]:
    # Task runs carry no tags (the flow run has them): Prefect asks its API for concurrency slots
    # of every tagged task run, a round trip and a lease per source.
    with TagsContext(current_tags=set()):
        return _run_tasks(kind, sources, config, run_id=run_id, window=window, progress=progress)


def _run_tasks(
    kind: str,
    sources: list[Source],
    config: RunConfig,
    *,
    run_id: str | None,
    window: DateWindow | None,
    progress: ProgressCallback | None,
) -> dict[str, SourceReport]:
    """One task run per group of sources (newsflow.source_groups), a few groups open at a time,
    their sources sharing the run's `config.source_concurrency` slots."""
    waiting = deque(source_groups(sources, config.source_concurrency))
    open_groups = groups_in_flight(len(waiting[0]) if waiting else 1, config.source_concurrency)
    slots = SourceSlots(config.source_concurrency)
    running: list[tuple[list[Source], GroupFuture]] = []
    done: queue.SimpleQueue[GroupFuture] = queue.SimpleQueue()
    reports: dict[str, SourceReport] = {}
    outage: str | None = None
    while waiting or running:
        if stop_requested():
            waiting.clear()  # Ctrl-C: the sources running finish their batch in flight
        while waiting and len(running) < open_groups:
            group = waiting.popleft()
            label = group_label([source.name for source in group])
            future = ingest_sources.submit(label, group, config, run_id, window, progress, slots)
            future.add_done_callback(done.put)
            running.append((group, future))
        if not running:
            break
        finished = wait_awake(done)  # this thread must wake up to run the Ctrl-C/SIGTERM handler
        group = next(g for g, future in running if future is finished)
        running = [(g, f) for g, f in running if f is not finished]
        for report in _group_reports(group, finished.result(raise_on_failure=False)):
            reports[report.source] = report
            if report.database_unavailable:
                # No source starts on a database that is gone; the running ones meet the same
                # outage and give up within their own retry budget, or finish if it comes back.
                outage, waiting = outage or report.error, deque()
    if outage is not None:
        raise DatabaseUnavailable(outage)
    return reports


def _group_reports(group: list[Source], result: object) -> list[SourceReport]:
    """A group's reports; a group task that crashed (an exception) is each of its sources'
    failure, not the run's. (A failed group's task run still carries its reports.)"""
    if isinstance(result, list):
        return [report for report in result if isinstance(report, SourceReport)]
    return [SourceReport(source.name, error=f"{type(result).__name__}: {result}") for source in group]
