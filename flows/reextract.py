"""The reextract flow: extract stored articles again from their raw pages (no network) and update
those that changed; or from WARC files from elsewhere, for one source."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime

from prefect import flow, get_run_logger

from newsflow.errors import ConfigError
from newsflow.flows.backfill import day_window
from newsflow.flows.run import read_sources_file
from newsflow.records import Source
from newsflow.reextraction import ReextractReport
from newsflow.settings import RunConfig, load_settings
from newsflow.sources import select_sources
from newsflow.storage.db import upgrade
from newsflow.tasks.extraction_pool import resolve_workers
from newsflow.tasks.reextract import (
    Pairs,
    extract_pages,
    load_archived,
    match_stored,
    read_archived,
    store_reextraction,
    warc_batches,
)


def publication_bounds(since: date | None, until: date | None) -> tuple[datetime | None, datetime | None]:
    """Whole UTC days from `since` to `until`, both inclusive; open-ended on a missing side."""
    start = day_window(since).start if since else None
    end = day_window(until).end if until else None
    if start and end and start > end:
        raise ConfigError(f"--since {since} is after --until {until}; give the earlier day first")
    return start, end


def _from_archive(
    config: RunConfig, bounds: tuple[datetime | None, datetime | None], sources: list[str]
) -> Iterator[tuple[Pairs, ReextractReport]]:
    after_id = 0
    while True:
        batch = load_archived(config, after_id=after_id, since=bounds[0], until=bounds[1], sources=sources)
        if not batch:
            return
        after_id = batch[-1].id
        yield read_archived(batch)


def _from_warcs(
    config: RunConfig, paths: list[str], source: Source
) -> Iterator[tuple[Pairs, ReextractReport]]:
    for pages, report in warc_batches(config, paths, source):
        pairs, matched = match_stored(config, pages, source.name)
        report.merge(matched)
        yield pairs, report


def warc_source(sources_path: str | None, source_names: list[str] | None) -> Source:
    """The one source whose hosts a WARC from elsewhere is read for; ConfigError unless exactly one."""
    settings = load_settings(**({"sources": sources_path} if sources_path else {}))
    if not source_names or len(source_names) != 1:
        raise ConfigError("--warc needs exactly one --source NAME: the source whose pages the files hold")
    [source] = select_sources(read_sources_file(settings.sources), source_names, path=str(settings.sources))
    return source


# The docstring's Args section is each parameter's help in the UI's Custom run form (Prefect reads it).
@flow(name="reextract", flow_run_name="reextract-{since}-to-{until}", persist_result=False)
def reextract(
    since: date | None = None,
    until: date | None = None,
    source_names: list[str] | None = None,
    warc_paths: list[str] | None = None,
    sources_path: str | None = None,
) -> ReextractReport:
    """Extract stored articles published between `since` and `until` (UTC days, inclusive; all
    when unset) again from the archive, and update those that changed. With `warc_paths`, read
    the pages of the one source in `source_names` from those WARC files instead.

    Args:
        since: The first publication day (UTC), inclusive; empty: from the oldest article.
        until: The last publication day (UTC), inclusive; empty: up to the newest article.
        source_names: Only these sources' articles; empty: every source's. One source with warc_paths.
        warc_paths: Read the pages from these WARC files (paths or URLs) instead of the archive.
        sources_path: The sources file to read; empty: NEWSFLOW_SOURCES, else sources.yaml.
    """
    settings = load_settings(**({"sources": sources_path} if sources_path else {}))
    upgrade(settings.database_url)
    config = RunConfig.from_settings(settings)
    bounds = publication_bounds(since, until)
    workers = resolve_workers(config.extract_workers)
    if warc_paths:
        batches = _from_warcs(config, warc_paths, warc_source(sources_path, source_names))
    else:
        batches = _from_archive(config, bounds, source_names or [])
    report = ReextractReport()
    for pairs, read in batches:
        report.merge(read)
        if pairs:
            results = extract_pages([page for _, page in pairs], workers)
            report.merge(store_reextraction(config, pairs, results))
    logger = get_run_logger()
    for where, reason in report.failures:
        logger.warning("%s: %s", where, reason)
    logger.info(report.message())
    return report
