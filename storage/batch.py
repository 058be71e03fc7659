"""Store one batch of a source's pages: its articles and every fetch outcome, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session

from newsflow.records import FetchOutcome, Outcome, ProcessedArticle
from newsflow.storage.group_commit import commit_together
from newsflow.storage.repository import record_outcomes, store_articles
from newsflow.storage.retry import run_transaction


@dataclass(frozen=True, slots=True)
class StoredBatch:
    """Every outcome of the batch (one per article added), whether it was stored row by row, and
    the ids of the article rows it wrote: new originals and new duplicates."""

    outcomes: list[FetchOutcome]
    row_by_row: bool = False
    original_ids: tuple[int, ...] = ()
    duplicate_ids: tuple[int, ...] = ()


@dataclass(frozen=True, slots=True)
class _Committed:
    outcomes: list[FetchOutcome]
    original_ids: list[int]
    duplicate_ids: list[int]


def store_batch(
    database_url: str,
    *,
    articles: Sequence[ProcessedArticle],
    outcomes: Sequence[FetchOutcome],
    run_id: str | None,
    threshold: float,
    now: datetime,
    retry_seconds: float,
    refresh_ages: Sequence[timedelta] = (),
) -> StoredBatch:
    """Dedupe and store `articles` and record `outcomes` atomically. A row the database refuses
    must not lose the batch: then each article is stored on its own, and a refused one becomes an
    `error` outcome (retried next run). A database outage is waited out for `retry_seconds`, the
    transaction run again whole; past that, DatabaseUnavailable."""

    def commit(items: Sequence[ProcessedArticle], extra: Sequence[FetchOutcome]) -> _Committed:
        work = partial(
            _commit,
            articles=items,
            outcomes=extra,
            run_id=run_id,
            threshold=threshold,
            now=now,
            refresh_ages=refresh_ages,
        )
        # In a transaction shared with the batches other sources store at the same moment.
        return commit_together(database_url, work, budget=retry_seconds)

    try:
        whole = commit(articles, outcomes)
        return StoredBatch(whole.outcomes, False, tuple(whole.original_ids), tuple(whole.duplicate_ids))
    except (DataError, IntegrityError):
        pass
    stored: list[FetchOutcome] = []
    refused: list[FetchOutcome] = []
    original_ids: list[int] = []
    duplicate_ids: list[int] = []
    for item in articles:
        try:
            one = commit([item], [])
            stored.extend(one.outcomes)
            original_ids.extend(one.original_ids)
            duplicate_ids.extend(one.duplicate_ids)
        except (DataError, IntegrityError) as error:
            refused.append(
                FetchOutcome(
                    item.fetched_url,
                    item.source,
                    Outcome.ERROR,
                    now,
                    item.http_status,
                    f"{item.fetched_url}: could not be stored ({str(error.orig).strip()})",
                )
            )
    everything = [*outcomes, *refused]
    run_transaction(
        database_url,
        lambda session: record_outcomes(session, outcomes=everything, run_id=run_id),
        budget=retry_seconds,
    )
    return StoredBatch([*outcomes, *refused, *stored], True, tuple(original_ids), tuple(duplicate_ids))


def _commit(
    session: Session,
    *,
    articles: Sequence[ProcessedArticle],
    outcomes: Sequence[FetchOutcome],
    run_id: str | None,
    threshold: float,
    now: datetime,
    refresh_ages: Sequence[timedelta],
) -> _Committed:
    """One transaction: the articles, their ok/duplicate outcomes and `outcomes`; all of them."""
    stored = store_articles(session, items=articles, threshold=threshold, now=now, refresh_ages=refresh_ages)
    mine = [
        FetchOutcome(
            item.fetched_url,
            item.source,
            Outcome.DUPLICATE if result.already_stored or result.verdict.of is not None else Outcome.OK,
            now,
            item.http_status,
        )
        for item, result in zip(articles, stored, strict=True)
    ]
    record_outcomes(session, outcomes=[*outcomes, *mine], run_id=run_id)
    written = [r for r in stored if not r.already_stored and r.article_id is not None]
    return _Committed(
        [*outcomes, *mine],
        [r.article_id for r in written if r.verdict.of is None and r.article_id is not None],
        [r.article_id for r in written if r.verdict.of is not None and r.article_id is not None],
    )
