"""Reading stored articles: filtered listings streamed in batches, one article, its duplicates,
and per-source statistics. Session first, keywords after, as in storage.repository."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Literal

from sqlalchemy import ColumnElement, Select, and_, case, column, func, literal_column, or_, select, table
from sqlmodel import Session, col
from sqlmodel import select as sm_select

from newsflow.export import COLUMNS, ArticleRecord
from newsflow.selection import ArticleFilter, fts5_query
from newsflow.stats import SourceStats
from newsflow.storage.models import Article, SourceHealth

# Rows fetched from the database at a time: PostgreSQL streams them through a server-side
# cursor, SQLite steps its cursor; either way memory holds one batch, not the result.
STREAM_BATCH = 1000
Order = Literal["newest", "id"]


def _columns() -> list[Any]:
    return [col(getattr(Article, name)) for name in COLUMNS]


def _record(row: Sequence[Any]) -> ArticleRecord:
    values = dict(zip(COLUMNS, row, strict=True))
    values["authors"] = tuple(values["authors"] or ())
    values["tags"] = tuple(values["tags"] or ())
    return ArticleRecord(**values)


def _search_condition(session: Session, words: tuple[str, ...]) -> ColumnElement[bool]:
    """Every word in the title or the text, through the database's full-text index (0005)."""
    if session.get_bind().dialect.name == "sqlite":
        fts = table("article_fts", column("rowid"))
        matching = select(fts.c.rowid).where(literal_column("article_fts").op("MATCH")(fts5_query(words)))
        return col(Article.id).in_(matching)
    query = func.plainto_tsquery(literal_column("'simple'"), " ".join(words))
    return literal_column("article.search").op("@@")(query)


def _conditions(session: Session, filters: ArticleFilter) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if filters.sources:
        conditions.append(col(Article.source).in_(filters.sources))
    if filters.since is not None:
        conditions.append(col(Article.published_at) >= filters.since)
    if filters.until is not None:
        conditions.append(col(Article.published_at) < filters.until)
    if filters.languages:
        conditions.append(func.lower(col(Article.language)).in_(filters.languages))
    if filters.search:
        conditions.append(_search_condition(session, filters.search))
    if filters.first_id is not None:
        conditions.append(col(Article.id) >= filters.first_id)
    if filters.last_id is not None:
        conditions.append(col(Article.id) <= filters.last_id)
    if not filters.duplicates:
        conditions.append(col(Article.duplicate_of).is_(None))
    return conditions


def select_articles(session: Session, *, filters: ArticleFilter, order: Order = "newest") -> Select[Any]:
    """The query for `filters`: newest published first (undated last), or by id for exports."""
    query = select(*_columns()).where(and_(True, *_conditions(session, filters)))
    if order == "newest":
        query = query.order_by(col(Article.published_at).desc().nulls_last(), col(Article.id).desc())
    else:
        query = query.order_by(col(Article.id))
    return query.limit(filters.limit) if filters.limit is not None else query


def iter_articles(
    session: Session, *, filters: ArticleFilter, order: Order = "newest", batch: int = STREAM_BATCH
) -> Iterator[ArticleRecord]:
    """The articles matching `filters`, streamed `batch` rows at a time (constant memory)."""
    query = select_articles(session, filters=filters, order=order)
    result = session.connection().execution_options(yield_per=batch).execute(query)
    for partition in result.partitions():
        for row in partition:
            yield _record(row)


def find_article(session: Session, *, key: str) -> ArticleRecord | None:
    """One article by id (digits) or by URL (canonical or as fetched)."""
    if key.isdigit():
        condition = col(Article.id) == int(key)
    else:
        condition = or_(col(Article.url) == key, col(Article.fetched_url) == key)
    row = session.connection().execute(select(*_columns()).where(condition).limit(1)).first()
    return _record(row) if row is not None else None


def duplicates_of(session: Session, *, article_id: int) -> list[ArticleRecord]:
    """The articles stored as duplicates of `article_id`, oldest first."""
    query = select(*_columns()).where(col(Article.duplicate_of) == article_id).order_by(col(Article.id))
    return [_record(row) for row in session.connection().execute(query)]


def known_sources(session: Session) -> list[str]:
    """Every source that has stored articles or has a health record, sorted."""
    stored = set(session.exec(sm_select(Article.source).distinct()).all())
    stored.update(session.exec(sm_select(SourceHealth.source)).all())
    return sorted(stored)


def source_stats(session: Session) -> list[SourceStats]:
    """Per source (every source with articles or a health record): counts, shares and health."""
    duplicate = case((col(Article.duplicate_of).is_not(None), 1), else_=0)
    dated = case((col(Article.published_at).is_not(None), 1), else_=0)
    # authors is a JSON array: both databases have json_array_length for it.
    with_authors = case((func.json_array_length(col(Article.authors)) > 0, 1), else_=0)
    counts = {
        row[0]: row[1:]
        for row in session.connection().execute(
            select(
                col(Article.source),
                func.count(),
                func.sum(duplicate),
                func.sum(dated),
                func.sum(with_authors),
            ).group_by(col(Article.source))
        )
    }
    languages: dict[str, list[tuple[str, int]]] = {}
    for source, language, count in session.connection().execute(
        select(col(Article.source), col(Article.language), func.count())
        .where(col(Article.language).is_not(None))
        .group_by(col(Article.source), col(Article.language))
    ):
        languages.setdefault(source, []).append((str(language), int(count)))
    health = {h.source: h for h in session.exec(sm_select(SourceHealth)).all()}
    stats: list[SourceStats] = []
    for source in sorted(set(counts) | set(health)):
        total, duplicates, dated_count, authored = (int(v or 0) for v in counts.get(source, (0, 0, 0, 0)))
        record = health.get(source)
        stats.append(
            SourceStats(
                source=source,
                articles=total - duplicates,
                duplicates=duplicates,
                dated=dated_count,
                with_authors=authored,
                languages=tuple(sorted(languages.get(source, []), key=lambda pair: (-pair[1], pair[0]))),
                last_success_at=record.last_success_at if record else None,
                consecutive_failures=record.consecutive_failures if record else 0,
                blocked=record.blocked if record else False,
                last_error=record.last_error if record else None,
            )
        )
    return stats
