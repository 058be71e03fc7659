"""Refresh's reads and writes: the stored articles due for a refetch, and what a refetch did to
them (a new version with the old one kept as a revision, the same version, 304, gone, failed).
A changed article is written, and deduplicated again, by re-extraction's path (storage.reextraction)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlmodel import Session, col

from newsflow.records import (
    EXTRACTED_FIELDS,
    DiscoveredUrl,
    FetchOutcome,
    Outcome,
    PageHints,
    ProcessedArticle,
    Validators,
)
from newsflow.reextraction import LISTING, StoredArticle
from newsflow.refresh import DueArticle, listing_says_changed, schedule_after
from newsflow.revision import ArticleVersion, compare, keep_as_revision
from newsflow.storage.models import Article, ArticleRevision
from newsflow.storage.reextraction import _COLUMNS, _stored, apply_reextraction
from newsflow.storage.repository import _chunks, fitted_fields, record_outcomes
from newsflow.storage.types import utc_from_raw

_DUE_COLUMNS = tuple(
    col(getattr(Article, name))
    for name in (
        "id",
        "fetched_url",
        "source",
        "first_seen_at",
        "refreshes_done",
        "fetched_at",
        "etag",
        "last_modified",
        "published_at",
        "published_at_source",
    )
)


def _due(row: Sequence[Any]) -> DueArticle:
    (
        article_id,
        url,
        source,
        first_seen,
        done,
        fetched_at,
        etag,
        last_modified,
        published,
        published_source,
    ) = row
    published = utc_from_raw(published)
    return DueArticle(
        article_id,
        url,
        source,
        utc_from_raw(first_seen) or datetime.now(UTC),
        int(done or 0),
        utc_from_raw(fetched_at),
        Validators(etag, last_modified) if etag or last_modified else None,
        # A date the page lacked and its listing gave is given again (as re-extraction does).
        PageHints(listed_published_at=published) if published_source == LISTING else PageHints(),
    )


def sources_with_due_articles(session: Session, *, sources: Sequence[str], now: datetime) -> set[str]:
    """Which of `sources` have stored, not removed articles whose refresh age came by `now`: one
    read for a group, instead of one per source that most often finds none."""
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(sources))):
        query = (
            select(col(Article.source))
            .where(
                col(Article.source).in_(chunk),
                col(Article.refresh_due_at) <= now,
                col(Article.removed_at).is_(None),
            )
            .distinct()
        )
        found.update(session.execute(query).scalars())
    return found


def due_articles(
    session: Session,
    *,
    source: str,
    now: datetime,
    limit: int,
    listed: Sequence[DiscoveredUrl] = (),
    scheduled: bool = True,
) -> list[DueArticle]:
    """Up to `limit` of the source's stored, not removed articles to fetch again: first those a
    listing says changed since our last fetch, then (unless not `scheduled`: known to have none)
    those whose refresh age came, oldest due first."""
    if limit <= 0:
        return []
    found: dict[int, DueArticle] = {}
    updated = {u.url: u.updated_at for u in listed if u.updated_at is not None}
    for chunk in _chunks(list(updated)):
        rows = session.execute(
            select(*_DUE_COLUMNS, col(Article.url)).where(
                col(Article.source) == source,
                col(Article.url).in_(chunk),
                col(Article.removed_at).is_(None),
            )
        ).all()
        for *row, url in rows:
            due = _due(row)
            last = due.fetched_at or due.first_seen_at
            if listing_says_changed(updated.get(url), last) and len(found) < limit:
                found[due.article_id] = due
    if scheduled and len(found) < limit:
        rows = session.execute(
            select(*_DUE_COLUMNS)
            .where(
                col(Article.source) == source,
                col(Article.refresh_due_at) <= now,
                col(Article.removed_at).is_(None),
            )
            .order_by(col(Article.refresh_due_at), col(Article.id))
            .limit(limit)
        ).all()
        for due in map(_due, rows):
            if len(found) < limit:
                found.setdefault(due.article_id, due)
    return list(found.values())


@dataclass(frozen=True, slots=True)
class RefreshResult:
    """What a batch of refetches came to: one outcome per due article."""

    outcomes: list[FetchOutcome]
    revisions: int


def apply_refresh(
    session: Session,
    *,
    due: Sequence[DueArticle],
    articles: Sequence[ProcessedArticle],
    outcomes: Sequence[FetchOutcome],
    ages: Sequence[timedelta],
    threshold: float,
    now: datetime,
    run_id: str | None,
) -> RefreshResult:
    """Store what refetching `due` gave: a changed article takes the new version (its previous
    one kept as a revision unless an identical revision is kept), a 304 or the same page only
    moves the schedule, a 404/410 marks the row removed, a failure keeps the stored version."""
    by_url = {d.url: d for d in due}
    fresh = {a.fetched_url: a for a in articles if a.fetched_url in by_url}
    stored = _stored_by_id(session, [by_url[url].article_id for url in fresh])
    pairs = [
        (stored[by_url[url].article_id], item)
        for url, item in fresh.items()
        if by_url[url].article_id in stored
    ]
    revisions = 0
    versions_changed: set[str] = set()
    for old, item in pairs:
        if _keep_revision(session, old, item, by_url[old.fetched_url], now=now):
            revisions += 1
        if _version(_stored_values(old)).key != _version(fitted_fields(item.article)).key:
            versions_changed.add(old.fetched_url)
    apply_reextraction(session, pairs=pairs, threshold=threshold, now=now)
    results: list[FetchOutcome] = []
    for url, item in fresh.items():
        kind = Outcome.UPDATED if url in versions_changed else Outcome.UNCHANGED
        results.append(FetchOutcome(url, item.source, kind, now, item.http_status))
    results.extend(
        replace(o, outcome=Outcome.REFRESH_FAILED) if o.outcome is Outcome.ERROR else o
        for o in outcomes
        if o.url in by_url and o.url not in fresh
    )
    outcome_by_url = {o.url: o for o in results}
    settled = [
        _settled(each, outcome_by_url.get(each.url), fresh.get(each.url), ages=ages, now=now) for each in due
    ]
    if settled:
        # One executemany by primary key (grouped by the columns set), not a round trip per row.
        session.execute(update(Article), settled)
    record_outcomes(session, outcomes=results, run_id=run_id)
    return RefreshResult(results, revisions)


def _settled(
    item: DueArticle,
    outcome: FetchOutcome | None,
    fresh: ProcessedArticle | None,
    *,
    ages: Sequence[timedelta],
    now: datetime,
) -> dict[str, Any]:
    """The row's new schedule, last fetch, validators and removal after its refetch, by id."""
    done, next_due = schedule_after(item.first_seen_at, item.refreshes_done, now, ages)
    values: dict[str, Any] = {"id": item.article_id, "refreshes_done": done, "refresh_due_at": next_due}
    kind = outcome.outcome if outcome is not None else Outcome.ERROR
    if kind is Outcome.REMOVED:
        values.update(removed_at=now, refresh_due_at=None)
    elif kind in (Outcome.UPDATED, Outcome.UNCHANGED, Outcome.NOT_MODIFIED):
        values["fetched_at"] = now
        if fresh is not None and fresh.validators is not None:
            values.update(etag=fresh.validators.etag, last_modified=fresh.validators.last_modified)
        if fresh is not None and fresh.archived is not None:
            # The row's raw page is the one its version came from: `newsflow reextract` must not
            # bring an older version back from the first fetch's record.
            location = fresh.archived
            values.update(warc_file=location.file, warc_offset=location.offset, warc_length=location.length)
    return values


def _stored_by_id(session: Session, ids: Sequence[int]) -> dict[int, StoredArticle]:
    found: dict[int, StoredArticle] = {}
    for start in range(0, len(ids), 500):
        chunk = list(ids[start : start + 500])
        for row in session.execute(select(*_COLUMNS).where(col(Article.id).in_(chunk))).all():
            article = _stored(row)
            found[article.id] = article
    return found


def _stored_values(stored: StoredArticle) -> dict[str, object]:
    return dict(zip(EXTRACTED_FIELDS, stored.fields, strict=True))


def _utc(value: object) -> datetime | None:
    return value.astimezone(UTC) if isinstance(value, datetime) else None


def _version(values: dict[str, object]) -> ArticleVersion:
    """The revision-making parts of an article's column values; times in UTC so that a stored and
    a fresh value of one instant compare equal."""
    title, text, authors = values["title"], values["text"], values["authors"]
    return ArticleVersion(
        title if isinstance(title, str) else None,
        text if isinstance(text, str) else "",
        tuple(str(a) for a in authors) if isinstance(authors, list | tuple) else (),
        _utc(values["published_at"]),
        _utc(values["modified_at"]),
    )


def _keep_revision(
    session: Session, stored: StoredArticle, fresh: ProcessedArticle, due: DueArticle, *, now: datetime
) -> bool:
    """Write the stored version as a revision when the fresh one differs and no identical
    revision is kept already; whether one was written."""
    old_values = _stored_values(stored)
    old, new = _version(old_values), _version(fitted_fields(fresh.article))
    if old.key == new.key:
        return False
    kept = session.execute(
        select(col(ArticleRevision.version_key)).where(col(ArticleRevision.article_id) == stored.id)
    ).scalars()
    if not keep_as_revision(old, set(kept)):
        return False
    change = compare(old, new)
    session.add(
        ArticleRevision(
            article_id=stored.id,
            version_key=old.key,
            title=old.title,
            text=old.text,
            authors=list(old.authors),
            published_at=old.published_at,
            modified_at=old.modified_at,
            content_hash=stored.content_hash,
            fetched_at=due.fetched_at or due.first_seen_at,
            replaced_at=now,
            words_added=change.words_added,
            words_removed=change.words_removed,
            title_changed=change.title_changed,
            summary=change.summary()[:256],
        )
    )
    session.flush()
    return True


def article_revisions(session: Session, *, article_id: int) -> list[ArticleRevision]:
    """The kept earlier versions of an article, oldest first."""
    return list(
        session.execute(
            select(ArticleRevision)
            .where(col(ArticleRevision.article_id) == article_id)
            .order_by(col(ArticleRevision.replaced_at), col(ArticleRevision.id))
        ).scalars()
    )
