"""Store one batch of a source's pages: its articles and every fetch outcome, in one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import DataError, IntegrityError

from newsflow.records import FetchOutcome, Outcome, ProcessedArticle
from storage.db import session_scope
from storage.repository import record_outcomes, store_articles


@dataclass(frozen=True, slots=True)
class StoredBatch:
    """Every outcome of the batch (one per article added), and whether it was stored row by row."""

    outcomes: list[FetchOutcome]
    row_by_row: bool = False


def store_batch(
    database_url: str,
    *,
    articles: Sequence[ProcessedArticle],
    outcomes: Sequence[FetchOutcome],
    run_id: str | None,
    threshold: float,
    now: datetime,
) -> StoredBatch:
    """Dedupe and store `articles` and record `outcomes` atomically. A row the database refuses
    must not lose the batch: then each article is stored on its own, and a refused one becomes an
    `error` outcome (retried next run)."""
    try:
        return StoredBatch(_commit(database_url, articles, outcomes, run_id, threshold, now))
    except (DataError, IntegrityError):
        pass
    stored: list[FetchOutcome] = []
    refused: list[FetchOutcome] = []
    for item in articles:
        try:
            stored.extend(_commit(database_url, [item], [], run_id, threshold, now))
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
    with session_scope(database_url) as session:
        record_outcomes(session, outcomes=[*outcomes, *refused], run_id=run_id)
    return StoredBatch([*outcomes, *refused, *stored], row_by_row=True)


def _commit(
    database_url: str,
    articles: Sequence[ProcessedArticle],
    outcomes: Sequence[FetchOutcome],
    run_id: str | None,
    threshold: float,
    now: datetime,
) -> list[FetchOutcome]:
    """One transaction: the articles, their ok/duplicate outcomes and `outcomes`; all of them."""
    with session_scope(database_url) as session:
        stored = store_articles(session, items=articles, threshold=threshold, now=now)
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
    return [*outcomes, *mine]
