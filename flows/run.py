"""Shared by the ingest and backfill flows: load configuration, run source tasks, summarize."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run

from flows.summary import RunSummary
from newsflow.errors import ConfigError, DatabaseUnavailable
from newsflow.records import DateWindow, Source
from newsflow.report import SourceReport
from newsflow.settings import RunConfig, Settings, load_settings
from newsflow.sources import load_sources, select_sources
from storage.db import upgrade
from tasks.ingest_source import ingest_source
from tasks.progress import progress_callback


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
    """Run one task per source, at most `config.source_concurrency` at a time; gather their reports.
    DatabaseUnavailable when a source gave up on the database: the run stops."""
    run_id = str(flow_run.get_id() or "") or None
    progress = progress_callback()  # the CLI's bars; None in a served or deployed run
    waiting = list(sources)
    running: list[tuple[Source, PrefectFuture[SourceReport]]] = []
    reports: dict[str, SourceReport] = {}
    outage: str | None = None
    while waiting or running:
        while waiting and len(running) < config.source_concurrency:
            source = waiting.pop(0)
            task = ingest_source.with_options(tags=[source.name, kind])
            running.append((source, task.submit(source, config, run_id, window, progress)))
        finished = next(as_completed([future for _, future in running]))
        source = next(s for s, future in running if future is finished)
        running = [(s, f) for s, f in running if f is not finished]
        try:
            reports[source.name] = finished.result()
        except Exception as exc:  # a crashed source task is that source's failure, not the run's
            reports[source.name] = SourceReport(source.name, error=f"{type(exc).__name__}: {exc}")
        if reports[source.name].database_unavailable:
            # No source starts on a database that is gone; the running ones meet the same outage
            # and give up within their own retry budget, or finish if it comes back.
            outage, waiting = outage or reports[source.name].error, []
    if outage is not None:
        raise DatabaseUnavailable(outage)
    return RunSummary(kind, [reports[source.name] for source in sources])
