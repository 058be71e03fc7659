"""Repository functions: the only code that turns records into rows. Session first, keywords after."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import bindparam, delete, func, null, text, union_all, update
from sqlalchemy import select as sa_select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, SQLModel, col, select

from newsflow.dedupe.plan import PlannedArticle, StoredCandidate, plan_batch
from newsflow.dedupe.verdict import DuplicateKind, DuplicateVerdict, StoredFingerprint, at_home
from newsflow.records import (
    EXTRACTED_FIELDS,
    ExtractedArticle,
    FetchOutcome,
    Outcome,
    ProcessedArticle,
    RobotsFile,
)
from newsflow.reextraction import fresh_values
from newsflow.refresh import first_refresh_at
from newsflow.storage.models import (
    LSH_COLUMNS,
    Article,
    FeedState,
    FetchEvent,
    RobotsTxt,
    SourceHealth,
    article_lsh,
)
from newsflow.storage.types import utc_from_raw

# Outcomes after which a URL is not fetched again: it is stored, or it will never be an article.
SETTLED_OUTCOMES = (Outcome.OK.value, Outcome.DUPLICATE.value, Outcome.SKIPPED.value)
_DEDUP_LOCK_ID = 734502
_CHUNK = 500


@dataclass(frozen=True, slots=True)
class StoredArticle:
    """What storing one processed article did."""

    fetched_url: str
    url: str
    article_id: int | None
    verdict: DuplicateVerdict
    already_stored: bool


def _chunks(items: Sequence[str], size: int = _CHUNK) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _settled_statement() -> Any:
    # One statement, not three: every source of a run asks this, most with a URL or two. Built
    # once: building and keying it took most of the CPU of a call.
    urls: Any = bindparam("urls", expanding=True)
    stored = sa_select(col(Article.url), col(Article.fetched_url)).where(col(Article.url).in_(urls))
    fetched = sa_select(col(Article.fetched_url), null()).where(col(Article.fetched_url).in_(urls))
    settled = sa_select(col(FetchEvent.url), null()).where(
        col(FetchEvent.url).in_(urls), col(FetchEvent.outcome).in_(SETTLED_OUTCOMES)
    )
    return union_all(stored, fetched, settled)


_SETTLED = _settled_statement()


def settled_urls(session: Session, *, urls: Iterable[str]) -> set[str]:
    """The URLs among `urls` that an earlier run stored or settled for good."""
    wanted = list(dict.fromkeys(urls))
    found: set[str] = set()
    for chunk in _chunks(wanted):
        for url, fetched_url in session.execute(_SETTLED, {"urls": list(chunk)}):
            # A URL stored from a copy fetched on another host (a mirror declaring it canonical)
            # is not settled: fetched from its own host, its page takes the row over (dedupe.plan).
            if fetched_url is None or at_home(url, fetched_url):
                found.add(url)
    return found


def lock_for_dedup(session: Session) -> None:
    """Serialize dedup-and-insert across concurrent runs (SQLite already serializes writers)."""
    if session.get_bind().dialect.name == "postgresql":
        session.connection().execute(text(f"SELECT pg_advisory_xact_lock({_DEDUP_LOCK_ID})"))


def _stored_candidates(session: Session, items: Sequence[ProcessedArticle]) -> list[StoredCandidate]:
    """Stored originals sharing a content hash or an LSH band with any of `items`."""
    found: dict[int, StoredCandidate] = {}
    connection = session.connection()
    for start in range(0, len(items), _CHUNK):
        chunk = items[start : start + _CHUNK]
        for row in connection.exec_driver_sql(_band_query(chunk)):
            if row[_DUPLICATE_OF] is None:
                found[row[0]] = _candidate(row)
        hashes = list({item.fingerprint.content_hash for item in chunk})
        # An original stored without LSH bands (it cannot happen through store_articles, but
        # the content hash is the cheaper guarantee): found by its hash alone.
        for row in connection.execute(_BY_HASH, {"hashes": hashes}):
            if row[0] is not None and row[_DUPLICATE_OF] is None and row[0] not in found:
                found[row[0]] = _candidate(row)
    return list(found.values())


# The columns both candidate queries read, in this order; the band query adds the bands after them.
_CANDIDATE_COLUMNS = ("id", "content_hash", "minhash", "published_at", "duplicate_of", "url", "fetched_url")
_DUPLICATE_OF = _CANDIDATE_COLUMNS.index("duplicate_of")
_BY_HASH = sa_select(*(col(getattr(Article, name)) for name in _CANDIDATE_COLUMNS)).where(
    col(Article.content_hash).in_(bindparam("hashes", expanding=True))
)


def _candidate(row: Sequence[Any]) -> StoredCandidate:
    article_id, content_hash, minhash, published_at, _, url, fetched_url, *bands = row
    return StoredCandidate(
        StoredFingerprint(
            article_id, content_hash, minhash, utc_from_raw(published_at), url, at_home(url, fetched_url)
        ),
        tuple(bands),
    )


def _band_query(items: Sequence[ProcessedArticle]) -> str:
    """Originals sharing a band hash with `items`, with their bands: one `band_i IN (...)` term per
    band, so each term searches that band's index (SQLite's multi-index OR, PostgreSQL's BitmapOr)."""
    # Integers written into the SQL text: compiling hundreds of bound parameters per query cost
    # more than the index search itself (bench/storage_upsert.py).
    terms = " OR ".join(
        f"l.{name} IN ({','.join(map(str, {int(item.fingerprint.bands[band]) for item in items}))})"
        for band, name in enumerate(LSH_COLUMNS)
    )
    return (
        f"SELECT {', '.join(f'a.{name}' for name in _CANDIDATE_COLUMNS)}, "
        f"{', '.join(f'l.{name}' for name in LSH_COLUMNS)} "
        f"FROM article_lsh l JOIN article a ON a.id = l.article_id WHERE {terms}"
    )


def _clip(value: str | None, limit: int) -> str | None:
    return value[:limit] if value is not None else None


_ARTICLE_COLUMNS = (
    "url",
    "fetched_url",
    "source",
    *EXTRACTED_FIELDS,
    "content_hash",
    "minhash",
    "duplicate_of",
    "duplicate_kind",
    "first_seen_at",
    "updated_at",
    "warc_file",
    "warc_offset",
    "warc_length",
    "etag",
    "last_modified",
    "fetched_at",
    "refresh_due_at",
)
# One encoder: json.dumps with options builds a new one per call.
_to_json = json.JSONEncoder(ensure_ascii=False).encode


def fitted_fields(article: ExtractedArticle) -> dict[str, Any]:
    """The extracted fields of `article` (newsflow.records.EXTRACTED_FIELDS) as the columns
    take them. Metadata comes from pages we do not control: fit it rather than fail the batch."""
    values = fresh_values(article)
    values["published_at_source"] = _clip(article.published_at_source, 64)
    values["language"] = _clip(article.language, 8)
    values["site_name"] = _clip(article.site_name, 256)
    values["image"] = article.image if article.image is None or len(article.image) <= 2048 else None
    return values


def _article_row(
    item: ProcessedArticle, verdict: DuplicateVerdict, *, now: object, due: object, to_db: _TimeToDb
) -> tuple[object, ...]:
    """The article's values in _ARTICLE_COLUMNS order, as the column types would have sent them."""
    article = item.article
    fields = fitted_fields(article)
    return (
        article.url,
        item.fetched_url,
        item.source,
        fields["title"],
        fields["text"],
        _to_json(fields["authors"]),
        to_db(fields["published_at"]),
        fields["published_at_source"],
        _day_to_db(fields["published_day"]),
        to_db(fields["modified_at"]),
        fields["language"],
        fields["paywalled"],
        fields["site_name"],
        fields["description"],
        fields["image"],
        _to_json(fields["tags"]),
        item.fingerprint.content_hash,
        item.fingerprint.signature,
        verdict.of,
        None if verdict.kind is DuplicateKind.NONE else verdict.kind.value,
        now,
        now,
        *_archived(item),
        _clip(item.validators.etag, 512) if item.validators else None,
        _clip(item.validators.last_modified, 128) if item.validators else None,
        now,
        due,
    )


def _day_to_db(day: date | None) -> str | None:
    # The ISO text is what SQLAlchemy's Date stores on SQLite, and what COPY reads on PostgreSQL.
    return day.isoformat() if day is not None else None


def _archived(item: ProcessedArticle) -> tuple[str | None, int | None, int | None]:
    location = item.archived
    return (None, None, None) if location is None else (location.file, location.offset, location.length)


def store_articles(
    session: Session,
    *,
    items: Sequence[ProcessedArticle],
    threshold: float,
    now: datetime,
    refresh_ages: Sequence[timedelta] = (),
) -> list[StoredArticle]:
    """Dedupe `items` against the database and each other (dedupe.plan), then insert them in bulk,
    each due for its first refetch at the first of `refresh_ages` (never, when empty)."""
    if not items:
        return []
    lock_for_dedup(session)
    existing, away = _stored_by_url(session, {item.article.url for item in items})
    plan = plan_batch(
        items,
        stored=_stored_candidates(session, items),
        stored_urls=existing,
        stored_away=away,
        threshold=threshold,
    )
    real_ids = _insert_planned(session, plan.to_insert, now=now, due=first_refresh_at(now, refresh_ages))
    _rehome(session, [(existing[p.item.article.url], p.item) for p in plan.articles if p.rehome], now=now)
    for demotion in plan.demotions:
        _demote(
            session,
            old_id=demotion.stored_id,
            new_id=real_ids[demotion.original],
            kind=demotion.kind,
            now=now,
        )
    results: list[StoredArticle] = []
    for planned in plan.articles:
        item, verdict = planned.item, planned.verdict
        if planned.provisional_id is None:
            results.append(
                StoredArticle(
                    item.fetched_url,
                    item.article.url,
                    existing.get(item.article.url),
                    verdict,
                    already_stored=not planned.rehome,
                )
            )
            continue
        results.append(
            StoredArticle(
                item.fetched_url,
                item.article.url,
                real_ids[planned.provisional_id],
                _resolved(verdict, real_ids),
                False,
            )
        )
    analyze_dedup_tables(session)
    return results


def _resolved(verdict: DuplicateVerdict, real_ids: dict[int, int]) -> DuplicateVerdict:
    """The verdict with a provisional original's id replaced by the id it was inserted under."""
    if verdict.of is not None and verdict.of < 0:
        return DuplicateVerdict(verdict.kind, real_ids[verdict.of], verdict.similarity)
    return verdict


# From this many stored originals on, PostgreSQL needs statistics to plan the band query well.
ANALYZE_AT_ROWS = 500
_analyzed: set[str] = set()  # databases (by URL) whose dedup tables have statistics


def analyze_dedup_tables(session: Session) -> bool:
    """On PostgreSQL, ANALYZE `article` and `article_lsh` once they hold ANALYZE_AT_ROWS rows and
    have never been analyzed; True if it ran.

    Without statistics (a new database, until autovacuum's first pass a minute or more later) the
    planner hash-joins full scans of both tables for every batch's band query, so storing slows
    with every article stored (BENCHMARKS.md, Storage). With them, it reads the band indexes.
    """
    connection = session.connection()
    if connection.dialect.name != "postgresql":
        return False
    key = connection.engine.url.render_as_string(hide_password=True)
    if key in _analyzed:
        return False
    reltuples = connection.exec_driver_sql(
        "SELECT reltuples FROM pg_class WHERE oid = 'article_lsh'::regclass"
    ).scalar()
    if reltuples is not None and reltuples > 0:
        _analyzed.add(key)
        return False
    count = connection.exec_driver_sql(
        f"SELECT count(*) FROM (SELECT 1 FROM article_lsh LIMIT {ANALYZE_AT_ROWS}) AS sample"
    ).scalar()
    if (count or 0) < ANALYZE_AT_ROWS:
        return False
    connection.exec_driver_sql("ANALYZE article_lsh")
    connection.exec_driver_sql("ANALYZE article")
    _analyzed.add(key)
    return True


def _demote(session: Session, *, old_id: int, new_id: int, kind: DuplicateKind, now: datetime) -> None:
    """Make a stored original (and its duplicates) point at an earlier-published copy."""
    connection = session.connection()
    connection.execute(
        update(Article).where(col(Article.duplicate_of) == old_id).values(duplicate_of=new_id, updated_at=now)
    )
    connection.execute(
        update(Article)
        .where(col(Article.id) == old_id)
        .values(duplicate_of=new_id, duplicate_kind=kind.value, updated_at=now)
    )
    connection.execute(delete(article_lsh).where(article_lsh.c.article_id == old_id))


def _insert_planned(
    session: Session, planned: Sequence[PlannedArticle], *, now: datetime, due: datetime | None
) -> dict[int, int]:
    """Insert the plan's new rows (originals come first); their real ids by provisional id."""
    to_db = _time_to_db(session)
    now_value, due_value = to_db(now), to_db(due)
    real_ids: dict[int, int] = {}
    originals = [a for a in planned if a.verdict.kind is DuplicateKind.NONE]
    duplicates = [a for a in planned if a.verdict.kind is not DuplicateKind.NONE]
    if originals:
        ids = _insert_articles(
            session,
            [_article_row(a.item, a.verdict, now=now_value, due=due_value, to_db=to_db) for a in originals],
        )
        lsh_rows: list[tuple[int, ...]] = []
        for article, article_id in zip(originals, ids, strict=True):
            assert article.provisional_id is not None
            real_ids[article.provisional_id] = article_id
            lsh_rows.append((article_id, *article.item.fingerprint.bands))
        _bulk_insert(session, "article_lsh", ("article_id", *LSH_COLUMNS), lsh_rows)
    if duplicates:
        rows = [
            _article_row(a.item, _resolved(a.verdict, real_ids), now=now_value, due=due_value, to_db=to_db)
            for a in duplicates
        ]
        ids = _insert_articles(session, rows)
        for article, article_id in zip(duplicates, ids, strict=True):
            assert article.provisional_id is not None
            real_ids[article.provisional_id] = article_id
    return real_ids


def _insert_articles(session: Session, rows: list[tuple[object, ...]]) -> list[int]:
    """Bulk-insert article rows; their new ids, in the order of `rows`."""
    if not rows:
        return []
    ids = _new_article_ids(session, len(rows))
    _bulk_insert(
        session, "article", ("id", *_ARTICLE_COLUMNS), [(i, *row) for i, row in zip(ids, rows, strict=True)]
    )
    return ids


def _new_article_ids(session: Session, count: int) -> list[int]:
    """Ids for `count` new articles, taken before the insert so that no query has to find them after."""
    connection = session.connection()
    if connection.dialect.name == "postgresql":
        sequence = "pg_get_serial_sequence('article', 'id')"
        return list(
            connection.exec_driver_sql(
                f"SELECT nextval({sequence}) FROM generate_series(1, {int(count)})"
            ).scalars()
        )
    # SQLite: this transaction holds the write lock (BEGIN IMMEDIATE), so nobody else can take
    # the ids after the current largest one before we insert them.
    largest = connection.exec_driver_sql("SELECT COALESCE(MAX(id), 0) FROM article").scalar_one()
    return list(range(int(largest) + 1, int(largest) + 1 + count))


# Statements every source's store runs, built once: building and keying one took most of its CPU.
_STORED_BY_URL = sa_select(col(Article.url), col(Article.id), col(Article.fetched_url)).where(
    col(Article.url).in_(bindparam("urls", expanding=True))
)


def _stored_by_url(session: Session, urls: Iterable[str]) -> tuple[dict[str, int], set[str]]:
    """The ids of the stored articles among `urls`, and which of those URLs were stored from a copy
    fetched on another host."""
    found: dict[str, int] = {}
    away: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(urls))):
        for url, article_id, fetched_url in session.execute(_STORED_BY_URL, {"urls": list(chunk)}):
            if article_id is not None:
                found[url] = article_id
                if not at_home(url, fetched_url):
                    away.add(url)
    return found, away


def _rehome(session: Session, items: Sequence[tuple[int, ProcessedArticle]], *, now: datetime) -> None:
    """Give stored rows the page fetched from their URL's own host: its source, text and metadata.
    The row keeps its URL, id, age and place among duplicates; an original's LSH bands follow its
    text."""
    for article_id, item in items:
        warc_file, warc_offset, warc_length = _archived(item)
        session.execute(
            update(Article)
            .where(col(Article.id) == article_id)
            .values(
                **fitted_fields(item.article),
                fetched_url=item.fetched_url,
                source=item.source,
                content_hash=item.fingerprint.content_hash,
                minhash=item.fingerprint.signature,
                updated_at=now,
                warc_file=warc_file,
                warc_offset=warc_offset,
                warc_length=warc_length,
                etag=_clip(item.validators.etag, 512) if item.validators else None,
                last_modified=_clip(item.validators.last_modified, 128) if item.validators else None,
                fetched_at=now,
            )
        )
        bands = {name: int(band) for name, band in zip(LSH_COLUMNS, item.fingerprint.bands, strict=True)}
        session.execute(update(article_lsh).where(article_lsh.c.article_id == article_id).values(**bands))


def _bulk_insert(
    session: Session, table: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Append many rows fast: COPY on PostgreSQL, one prepared executemany on SQLite."""
    if not rows:
        return
    connection = session.connection()
    names = ", ".join(columns)
    if connection.dialect.name == "postgresql":
        driver = connection.connection.driver_connection
        assert driver is not None
        with driver.cursor() as cursor, cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    placeholders = ", ".join("?" for _ in columns)
    connection.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({placeholders})", list(rows))


def record_outcomes(session: Session, *, outcomes: Sequence[FetchOutcome], run_id: str | None) -> None:
    """Append one fetch_event row per outcome."""
    to_db = _time_to_db(session)
    _bulk_insert(
        session,
        "fetch_event",
        ("url", "source", "outcome", "http_status", "error", "run_id", "published_at", "at"),
        [
            (
                o.url,
                o.source,
                o.outcome.value,
                o.http_status,
                o.error,
                run_id,
                to_db(o.published_at),
                to_db(o.at),
            )
            for o in outcomes
        ],
    )


_TimeToDb = Callable[[datetime | None], object]


def _time_to_db(session: Session) -> _TimeToDb:
    """How raw inserts must send times: what UTCDateTime would have stored."""
    if session.get_bind().dialect.name != "sqlite":
        return lambda when: None if when is None else when.astimezone(UTC)

    # SQLAlchemy's text form of naive UTC on SQLite, so that comparisons and reads see one format.
    def to_sqlite(when: datetime | None) -> object:
        return (
            None if when is None else when.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")
        )

    return to_sqlite


def dates_left_out(session: Session, *, urls: Iterable[str]) -> dict[str, datetime | None]:
    """For URLs a backfill fetched and left out of its window: the page's date (None: it has none)."""
    wanted = list(dict.fromkeys(urls))
    found: dict[str, datetime | None] = {}
    for chunk in _chunks(wanted):
        rows = session.exec(
            select(FetchEvent.url, FetchEvent.published_at, FetchEvent.at)
            .where(col(FetchEvent.url).in_(chunk), col(FetchEvent.outcome) == Outcome.OUT_OF_WINDOW.value)
            .order_by(col(FetchEvent.at))
        ).all()
        found.update((url, published_at) for url, published_at, _ in rows)  # the latest wins
    return found


def get_feed_state(session: Session, *, url: str) -> FeedState | None:
    """The validators saved from the last fetch of a feed or sitemap."""
    return session.get(FeedState, url)


def feed_validators(session: Session, *, urls: Iterable[str]) -> dict[str, tuple[str | None, str | None]]:
    """(ETag, Last-Modified) saved from the last fetch of each of `urls` that has been fetched."""
    found: dict[str, tuple[str | None, str | None]] = {}
    for chunk in _chunks(list(dict.fromkeys(urls))):
        rows = session.exec(
            select(FeedState.url, FeedState.etag, FeedState.last_modified).where(
                col(FeedState.url).in_(chunk)
            )
        ).all()
        found.update((url, (etag, last_modified)) for url, etag, last_modified in rows)
    return found


def saved_robots(session: Session, *, origins: Iterable[str], since: datetime) -> list[RobotsFile]:
    """The robots.txt of each of `origins` read at or after `since` by an earlier run."""
    found: list[RobotsFile] = []
    for chunk in _chunks(list(dict.fromkeys(origins))):
        rows = session.execute(
            sa_select(col(RobotsTxt.origin), col(RobotsTxt.text), col(RobotsTxt.fetched_at)).where(
                col(RobotsTxt.origin).in_(chunk), col(RobotsTxt.fetched_at) >= since
            )
        )
        found.extend(RobotsFile(origin, text, utc_from_raw(at) or since) for origin, text, at in rows)
    return found


def save_robots(session: Session, *, files: Sequence[RobotsFile]) -> None:
    """Remember robots.txt files as read, replacing what an earlier run read."""
    if not files:
        return
    connection = session.connection()
    rows = [{"origin": f.origin, "text": f.text, "fetched_at": f.fetched_at} for f in files]
    connection.execute(_robots_upsert(connection.dialect.name), rows)


@cache
def _robots_upsert(dialect: str) -> Any:
    statement = _dialect_insert(dialect, RobotsTxt).values(
        origin=bindparam("origin"), text=bindparam("text"), fetched_at=bindparam("fetched_at")
    )
    return statement.on_conflict_do_update(
        index_elements=["origin"],
        set_={"text": statement.excluded.text, "fetched_at": statement.excluded.fetched_at},
    )


def save_feed_state(
    session: Session, *, url: str, etag: str | None, last_modified: str | None, now: datetime
) -> None:
    """Remember a feed's ETag and Last-Modified for the next conditional GET."""
    # An upsert, not read-then-insert: two runs reading the same feed at once both insert.
    values = {"url": url, "etag": etag, "last_modified": last_modified, "checked_at": now}
    connection = session.connection()  # Core: an ORM session would take a dict of values for a bulk insert
    connection.execute(_feed_state_upsert(connection.dialect.name), values)


@cache
def _feed_state_upsert(dialect: str) -> Any:
    # Built once per dialect, with bound values: every source of a run saves its feeds' state.
    statement = _dialect_insert(dialect, FeedState).values(
        url=bindparam("url"),
        etag=bindparam("etag"),
        last_modified=bindparam("last_modified"),
        checked_at=bindparam("checked_at"),
    )
    return statement.on_conflict_do_update(
        index_elements=["url"],
        set_={
            "etag": statement.excluded.etag,
            "last_modified": statement.excluded.last_modified,
            "checked_at": statement.excluded.checked_at,
        },
    )


def update_source_health(
    session: Session, *, source: str, ok: bool, blocked: bool, error: str | None, now: datetime
) -> int:
    """Record one run's result for a source: success resets the failure count. Its consecutive
    failures now."""
    # One statement, so that two runs finishing the same source at once neither collide on the
    # insert nor lose a failure count. RETURNING (SQLite 3.35+, PostgreSQL): no read after it.
    connection = session.connection()
    values: dict[str, Any] = {"source": source, "at": now}
    if not ok:
        values.update(blocked=blocked, error=error)
    return int(connection.execute(_health_upsert(connection.dialect.name, ok=ok), values).scalar_one())


@cache
def _health_upsert(dialect: str, *, ok: bool) -> Any:
    # Built once per dialect and kind, with bound values: every source of a run ends with it.
    if ok:
        values: dict[str, Any] = {
            "consecutive_failures": 0,
            "last_success_at": bindparam("at"),
            "blocked": False,
            "last_error": None,
        }
        on_conflict = dict(values)
    else:
        values = {
            "consecutive_failures": 1,
            "last_failure_at": bindparam("at"),
            "blocked": bindparam("blocked"),
            "last_error": bindparam("error"),
        }
        on_conflict = {**values, "consecutive_failures": col(SourceHealth.consecutive_failures) + 1}
    statement = _dialect_insert(dialect, SourceHealth).values(source=bindparam("source"), **values)
    return statement.on_conflict_do_update(index_elements=["source"], set_=on_conflict).returning(
        col(SourceHealth.consecutive_failures)
    )


def _dialect_insert(dialect: str, model: type[SQLModel]) -> Any:
    """The dialect's INSERT, which has ON CONFLICT DO UPDATE (SQLite and PostgreSQL alike)."""
    return postgresql_insert(model) if dialect == "postgresql" else sqlite_insert(model)


def count_articles(session: Session, *, originals_only: bool = False) -> int:
    """How many article rows there are (originals only, if asked)."""
    query = select(func.count()).select_from(Article)
    if originals_only:
        query = query.where(col(Article.duplicate_of).is_(None))
    return int(session.exec(query).one())


def sources_with_failed_pages(session: Session, *, sources: Iterable[str]) -> set[str]:
    """Which of `sources` have pages that failed in earlier runs (those whose retryable_urls can
    find anything): one read for a group, instead of one per source that most often finds none."""
    found: set[str] = set()
    for chunk in _chunks(list(dict.fromkeys(sources))):
        query = (
            select(FetchEvent.source)
            .where(col(FetchEvent.source).in_(chunk), col(FetchEvent.outcome) == Outcome.ERROR.value)
            .distinct()
        )
        found.update(session.exec(query).all())
    return found


def retryable_urls(session: Session, *, source: str, max_attempts: int = 5, limit: int = 1000) -> list[str]:
    """Pages of `source` that failed transiently in earlier runs and were never settled since."""
    attempts = func.count().label("attempts")
    failed = (
        select(FetchEvent.url, attempts)
        .where(col(FetchEvent.source) == source, col(FetchEvent.outcome) == Outcome.ERROR.value)
        .group_by(col(FetchEvent.url))
        .having(attempts < max_attempts)
        .limit(limit * 2)
    )
    candidates = [url for url, _ in session.exec(failed).all()]
    settled = settled_urls(session, urls=candidates)
    return [url for url in candidates if url not in settled][:limit]


@dataclass(frozen=True, slots=True)
class SourceHistory:
    """How a source has been doing: its source_health row and its fetch_event counts since a time."""

    consecutive_failures: int = 0
    blocked: bool = False
    last_success_at: datetime | None = None
    last_failure_at: datetime | None = None
    last_error: str | None = None
    outcomes: dict[str, int] | None = None  # fetch_event rows by outcome since `since`


def source_history(session: Session, *, source: str, since: datetime) -> SourceHistory:
    """The source's health row (defaults when it never ran) and its fetch_event outcomes since `since`."""
    counts = session.exec(
        select(FetchEvent.outcome, func.count())
        .where(col(FetchEvent.source) == source, col(FetchEvent.at) >= since)
        .group_by(col(FetchEvent.outcome))
    ).all()
    outcomes = {str(outcome): int(count) for outcome, count in counts}
    health = session.get(SourceHealth, source)
    if health is None:
        return SourceHistory(outcomes=outcomes)
    return SourceHistory(
        consecutive_failures=health.consecutive_failures,
        blocked=health.blocked,
        last_success_at=health.last_success_at,
        last_failure_at=health.last_failure_at,
        last_error=health.last_error,
        outcomes=outcomes,
    )
