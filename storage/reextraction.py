"""Re-extraction's reads and writes: stored articles with their archive locations, and the update
of those a fresh extraction changed, dedup links included (newsflow.dedupe.plan, as at insert)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlmodel import Session, col

from newsflow.dedupe.fingerprint import fingerprint
from newsflow.dedupe.plan import plan_batch
from newsflow.dedupe.verdict import DuplicateKind
from newsflow.records import EXTRACTED_FIELDS, ArchiveLocation, ExtractedArticle, ProcessedArticle
from newsflow.reextraction import StoredArticle, changed_fields
from newsflow.storage.models import LSH_COLUMNS, Article, article_lsh
from newsflow.storage.repository import (
    _bulk_insert,
    _chunks,
    _demote,
    _stored_candidates,
    fitted_fields,
    lock_for_dedup,
)

_COLUMNS = tuple(
    col(getattr(Article, name))
    for name in (
        "id",
        "url",
        "fetched_url",
        "source",
        "content_hash",
        "warc_file",
        "warc_offset",
        "warc_length",
        *EXTRACTED_FIELDS,
    )
)


def _stored(row: Sequence[Any]) -> StoredArticle:
    article_id, url, fetched_url, source, content_hash, warc_file, offset, length, *fields = row
    location = ArchiveLocation(warc_file, offset, length) if warc_file and length else None
    return StoredArticle(article_id, url, fetched_url, source, content_hash, tuple(fields), location)


def archived_articles(
    session: Session,
    *,
    after_id: int,
    limit: int,
    since: datetime | None = None,
    until: datetime | None = None,
    sources: Collection[str] = (),
) -> list[StoredArticle]:
    """The next `limit` articles by id after `after_id` that have a raw page in the archive,
    published between `since` and `until` (inclusive), of `sources` (all when empty)."""
    query = (
        select(*_COLUMNS)
        .where(col(Article.id) > after_id, col(Article.warc_file).is_not(None))
        .order_by(col(Article.id))
        .limit(limit)
    )
    if since is not None:
        query = query.where(col(Article.published_at) >= since)
    if until is not None:
        query = query.where(col(Article.published_at) <= until)
    if sources:
        query = query.where(col(Article.source).in_(list(sources)))
    return [_stored(row) for row in session.execute(query).all()]


def stored_by_url(session: Session, *, urls: Sequence[str], source: str) -> dict[str, StoredArticle]:
    """The source's stored articles whose fetched or canonical URL is among `urls`, by that URL."""
    found: dict[str, StoredArticle] = {}
    for chunk in _chunks(list(dict.fromkeys(urls))):
        query = select(*_COLUMNS).where(
            col(Article.source) == source,
            or_(col(Article.fetched_url).in_(chunk), col(Article.url).in_(chunk)),
        )
        for row in session.execute(query).all():
            stored = _stored(row)
            found.setdefault(stored.fetched_url, stored)
            found.setdefault(stored.url, stored)
    return found


def apply_reextraction(
    session: Session,
    *,
    pairs: Sequence[tuple[StoredArticle, ProcessedArticle]],
    threshold: float,
    now: datetime,
) -> list[bool]:
    """Write the fresh extraction of each changed article; whether each one changed. Articles
    whose text or date changed are deduplicated again, with the stored articles that pointed at
    them, as a batch of new articles would be (dedupe.plan)."""
    changed: list[bool] = []
    replan: list[tuple[int, ProcessedArticle]] = []
    for stored, fresh in pairs:
        values = fitted_fields(fresh.article)
        different = changed_fields(stored, tuple(values[name] for name in EXTRACTED_FIELDS))
        new_hash = fresh.fingerprint.content_hash != stored.content_hash
        changed.append(bool(different) or new_hash)
        if not changed[-1]:
            continue
        session.execute(
            update(Article)
            .where(col(Article.id) == stored.id)
            .values(
                **values,
                content_hash=fresh.fingerprint.content_hash,
                minhash=fresh.fingerprint.signature,
                updated_at=now,
            )
        )
        if new_hash or "published_at" in different:
            replan.append((stored.id, fresh))
    if replan:
        _deduplicate_again(session, replan, threshold=threshold, now=now)
    return changed


_FOLLOWER_COLUMNS = ("id", "url", "fetched_url", "source", "text", "published_at")


def _followers(session: Session, ids: Collection[int]) -> list[tuple[int, ProcessedArticle]]:
    """The stored duplicates of `ids` (not among them), as articles to deduplicate again."""
    rows = session.execute(
        select(*(col(getattr(Article, name)) for name in _FOLLOWER_COLUMNS))
        .where(col(Article.duplicate_of).in_(list(ids)), col(Article.id).not_in(list(ids)))
        .order_by(col(Article.id))
    ).all()
    return [
        (
            article_id,
            ProcessedArticle(
                ExtractedArticle(url=url, title=None, text=text, published_at=published_at),
                fingerprint(text),
                fetched_url,
                source,
            ),
        )
        for article_id, url, fetched_url, source, text, published_at in rows
        if article_id is not None
    ]


def _deduplicate_again(
    session: Session, items: list[tuple[int, ProcessedArticle]], *, threshold: float, now: datetime
) -> None:
    lock_for_dedup(session)
    items = items + _followers(session, [article_id for article_id, _ in items])
    ids = [article_id for article_id, _ in items]
    session.execute(delete(article_lsh).where(article_lsh.c.article_id.in_(ids)))
    mine = set(ids)
    candidates = [
        c
        for c in _stored_candidates(session, [item for _, item in items])
        if c.fingerprint.article_id not in mine
    ]
    # Every item is planned as new (no stored URLs): provisional id -(position + 1) is items[position].
    plan = plan_batch([item for _, item in items], stored=candidates, stored_urls=(), threshold=threshold)
    real = {-(position + 1): article_id for position, article_id in enumerate(ids)}
    lsh_rows: list[tuple[int, ...]] = []
    for planned in plan.articles:
        assert planned.provisional_id is not None
        article_id, verdict = real[planned.provisional_id], planned.verdict
        original = real.get(verdict.of, verdict.of) if verdict.of is not None else None
        kind = None if verdict.kind is DuplicateKind.NONE else verdict.kind.value
        session.execute(
            update(Article)
            .where(col(Article.id) == article_id)
            .where(
                or_(
                    col(Article.duplicate_of).is_distinct_from(original),
                    col(Article.duplicate_kind).is_distinct_from(kind),
                )
            )
            .values(duplicate_of=original, duplicate_kind=kind, updated_at=now)
        )
        if verdict.kind is DuplicateKind.NONE:
            lsh_rows.append((article_id, *planned.item.fingerprint.bands))
    _bulk_insert(session, "article_lsh", ("article_id", *LSH_COLUMNS), lsh_rows)
    for demotion in plan.demotions:
        _demote(
            session, old_id=demotion.stored_id, new_id=real[demotion.original], kind=demotion.kind, now=now
        )
