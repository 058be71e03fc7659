"""Storage against a real database (SQLite, or PostgreSQL under NEWSFLOW_TEST_DATABASE_URL)."""

from __future__ import annotations

import json
import random
import threading
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import text
from sqlmodel import select

from newsflow.dedupe.fingerprint import fingerprint
from newsflow.dedupe.verdict import DuplicateKind
from newsflow.records import ExtractedArticle, FetchOutcome, Outcome, ProcessedArticle
from newsflow.storage.db import session_scope, upgrade
from newsflow.storage.models import Article, FetchEvent, SourceHealth
from newsflow.storage.repository import (
    ANALYZE_AT_ROWS,
    analyze_dedup_tables,
    count_articles,
    get_feed_state,
    record_outcomes,
    retryable_urls,
    save_feed_state,
    settled_urls,
    sources_with_failed_pages,
    store_articles,
    update_source_health,
)

BODIES = [
    v["articleBody"]
    for v in json.loads(
        (Path(__file__).parents[1] / "fixtures" / "aeb" / "ground-truth.json").read_text(encoding="utf-8")
    ).values()
]
NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)


def _item(url: str, text: str, source: str = "daily", published: datetime | None = None) -> ProcessedArticle:
    article = ExtractedArticle(url=url, title="T", text=text, authors=("Ann Lee",), published_at=published)
    return ProcessedArticle(article, fingerprint(text), fetched_url=url + "?from=feed", source=source)


def test_upgrade_is_idempotent(migrated_database: str) -> None:
    upgrade(migrated_database)
    with session_scope(migrated_database) as session:
        assert count_articles(session) == 0


def test_store_dedupes_within_a_batch_and_across_batches(migrated_database: str) -> None:
    syndicated = "Another headline\n" + BODIES[1] + "\nRepublished with permission."
    with session_scope(migrated_database) as session:
        results = store_articles(
            session,
            items=[
                _item("https://a.test/1", BODIES[0]),
                _item("https://a.test/2", BODIES[1]),
                _item("https://b.test/1", BODIES[0], source="mirror"),
                _item("https://b.test/2", syndicated, source="mirror"),
                _item("https://a.test/1", BODIES[2]),
            ],
            threshold=0.7,
            now=NOW,
        )
    first, second, exact, near, same_url = results
    assert first.verdict.kind is DuplicateKind.NONE and second.verdict.kind is DuplicateKind.NONE
    assert exact.verdict.kind is DuplicateKind.EXACT and exact.verdict.of == first.article_id
    assert near.verdict.kind is DuplicateKind.NEAR and near.verdict.of == second.article_id
    assert same_url.already_stored and same_url.article_id is None
    with session_scope(migrated_database) as session:
        later = store_articles(
            session, items=[_item("https://c.test/9", syndicated, source="other")], threshold=0.7, now=NOW
        )
        # Duplicates always point at the original, never at another duplicate.
        assert later[0].verdict.kind is DuplicateKind.NEAR
        assert later[0].verdict.of == second.article_id
        assert count_articles(session) == 5
        assert count_articles(session, originals_only=True) == 2


def test_dates_come_back_in_utc(migrated_database: str) -> None:
    published = datetime(2025, 6, 3, 10, 15, tzinfo=timezone(timedelta(hours=4)))
    with session_scope(migrated_database) as session:
        store_articles(
            session, items=[_item("https://a.test/d", BODIES[3], published=published)], threshold=0.7, now=NOW
        )
    with session_scope(migrated_database) as session:
        article = session.exec(select(Article).where(Article.url == "https://a.test/d")).one()
        assert article.published_at == datetime(2025, 6, 3, 6, 15, tzinfo=UTC)
        assert article.published_at.tzinfo is not None
        assert article.first_seen_at == NOW
        assert article.authors == ["Ann Lee"]


def test_settled_and_retryable_urls(migrated_database: str) -> None:
    outcomes = [
        FetchOutcome("https://a.test/ok", "daily", Outcome.OK, NOW, 200),
        FetchOutcome("https://a.test/gone", "daily", Outcome.SKIPPED, NOW, 404, "HTTP 404"),
        FetchOutcome("https://a.test/flaky", "daily", Outcome.ERROR, NOW, 503, "HTTP 503"),
        FetchOutcome("https://a.test/late", "daily", Outcome.ERROR, NOW, None, "timed out"),
        FetchOutcome("https://a.test/late", "daily", Outcome.OK, NOW, 200),
    ]
    with session_scope(migrated_database) as session:
        record_outcomes(session, outcomes=outcomes, run_id="run-1")
    with session_scope(migrated_database) as session:
        urls = ["https://a.test/ok", "https://a.test/gone", "https://a.test/flaky", "https://a.test/new"]
        assert settled_urls(session, urls=urls) == {"https://a.test/ok", "https://a.test/gone"}
        assert retryable_urls(session, source="daily") == ["https://a.test/flaky"]
        assert retryable_urls(session, source="other") == []
        assert sources_with_failed_pages(session, sources=["daily", "other"]) == {"daily"}
        assert len(session.exec(select(FetchEvent)).all()) == 5


def test_two_runs_saving_one_feed_and_one_source_at_once_do_not_collide(migrated_database: str) -> None:
    # Run A has written its feed state and source health but not committed when run B writes the
    # same rows: B waits for A, then updates what A inserted (a read-then-insert failed here).
    errors: list[BaseException] = []

    def run_b() -> None:
        try:
            with session_scope(migrated_database) as session:
                save_feed_state(session, url="https://a.test/feed", etag='"b"', last_modified=None, now=NOW)
                update_source_health(session, source="s", ok=False, blocked=False, error="B", now=NOW)
        except BaseException as exc:
            errors.append(exc)

    with session_scope(migrated_database) as session:
        save_feed_state(session, url="https://a.test/feed", etag='"a"', last_modified=None, now=NOW)
        update_source_health(session, source="s", ok=False, blocked=False, error="A", now=NOW)
        session.flush()
        other = threading.Thread(target=run_b)
        other.start()
        other.join(0.5)  # B is now blocked on A's rows (PostgreSQL) or on the write lock (SQLite)
    other.join(30)
    assert not other.is_alive() and errors == []
    with session_scope(migrated_database) as session:
        assert get_feed_state(session, url="https://a.test/feed").etag == '"b"'  # type: ignore[union-attr]
        health = session.get(SourceHealth, "s")
        assert health is not None and health.consecutive_failures == 2 and health.last_error == "B"


def test_source_health_counts_consecutive_failures(migrated_database: str) -> None:
    with session_scope(migrated_database) as session:
        update_source_health(session, source="s", ok=False, blocked=True, error="HTTP 403", now=NOW)
    with session_scope(migrated_database) as session:
        assert (
            update_source_health(session, source="s", ok=False, blocked=True, error="HTTP 403", now=NOW) == 2
        )
        health = session.get(SourceHealth, "s")
        assert health is not None and health.consecutive_failures == 2 and health.blocked
    with session_scope(migrated_database) as session:
        assert update_source_health(session, source="s", ok=True, blocked=False, error=None, now=NOW) == 0
        health = session.get(SourceHealth, "s", populate_existing=True)
        assert health is not None and health.consecutive_failures == 0 and not health.blocked
        assert health.last_success_at is not None and health.last_success_at.replace(tzinfo=UTC) == NOW


def test_an_earlier_published_copy_becomes_the_original(migrated_database: str) -> None:
    early = datetime(2025, 6, 3, 8, 0, tzinfo=UTC)
    late = early + timedelta(hours=6)
    with session_scope(migrated_database) as session:
        first = store_articles(
            session,
            items=[
                _item("https://mirror.test/1", BODIES[5] + "\nRepublished with permission.", "mirror", late),
                _item("https://mirror.test/1-again", BODIES[5] + "\nRepublished.", "mirror2", late),
            ],
            threshold=0.7,
            now=NOW,
        )
    assert first[1].verdict.of == first[0].article_id
    with session_scope(migrated_database) as session:
        (origin,) = store_articles(
            session, items=[_item("https://origin.test/1", BODIES[5], "daily", early)], threshold=0.7, now=NOW
        )
        assert origin.verdict.kind is DuplicateKind.NONE
    with session_scope(migrated_database) as session:
        rows = {a.url: a for a in session.exec(select(Article)).all()}
        assert rows["https://origin.test/1"].duplicate_of is None
        assert rows["https://mirror.test/1"].duplicate_of == origin.article_id
        assert rows["https://mirror.test/1-again"].duplicate_of == origin.article_id
        assert count_articles(session, originals_only=True) == 1
    with session_scope(migrated_database) as session:
        # The demoted copy left the near-duplicate index: a later copy points at the new original.
        (later,) = store_articles(
            session,
            items=[_item("https://late.test/1", BODIES[5] + "\nRepublished, again.", "other", late)],
            threshold=0.7,
            now=NOW,
        )
        assert later.verdict.kind is DuplicateKind.NEAR and later.verdict.of == origin.article_id
        indexed = session.exec(text("SELECT article_id FROM article_lsh")).all()
        assert [row[0] for row in indexed] == [origin.article_id]


def test_postgres_dedup_tables_get_statistics_once_they_fill(migrated_database: str) -> None:
    words = [f"w{n}" for n in range(5000)]
    rng = random.Random(3)
    items = [
        _item(f"https://daily.example/{n}", " ".join(rng.choice(words) for _ in range(120)))
        for n in range(ANALYZE_AT_ROWS + 20)
    ]
    with session_scope(migrated_database) as session:
        postgres = session.connection().dialect.name == "postgresql"
        if postgres:
            before = (
                session.connection()
                .exec_driver_sql("SELECT reltuples FROM pg_class WHERE oid = 'article_lsh'::regclass")
                .scalar()
            )
            assert before is not None and before <= 0  # a new database: never analyzed
    for start in range(0, len(items), 100):
        with session_scope(migrated_database) as session:
            store_articles(session, items=items[start : start + 100], threshold=0.8, now=NOW)
    with session_scope(migrated_database) as session:
        assert count_articles(session, originals_only=True) == len(items)
        if postgres:
            reltuples = (
                session.connection()
                .exec_driver_sql("SELECT reltuples FROM pg_class WHERE oid = 'article_lsh'::regclass")
                .scalar()
            )
            assert reltuples is not None and ANALYZE_AT_ROWS <= reltuples <= len(items)
        assert analyze_dedup_tables(session) is False  # done once (PostgreSQL), or never needed


def test_postgres_lookups_are_never_served_a_stale_cached_plan(migrated_database: str) -> None:
    # psycopg prepares a statement after its fifth run; PostgreSQL then kept the plan made for a
    # small table (a sequential scan) while the table grew, so each batch read every stored row.
    rng = random.Random(5)
    words = [f"v{n}" for n in range(5000)]
    for batch in range(8):
        items = [
            _item(f"https://daily.example/p{batch}-{n}", " ".join(rng.choice(words) for _ in range(120)))
            for n in range(10)
        ]
        with session_scope(migrated_database) as session:
            store_articles(session, items=items, threshold=0.8, now=NOW)
            settled_urls(session, urls=[item.article.url for item in items])
    with session_scope(migrated_database) as session:
        assert count_articles(session) == 80
        if session.connection().dialect.name == "postgresql":
            prepared = session.connection().exec_driver_sql("SELECT count(*) FROM pg_prepared_statements")
            assert prepared.scalar() == 0


def test_paywalled_is_stored_true_false_or_unknown(migrated_database: str) -> None:
    items = []
    for n, paywalled in enumerate((True, False, None)):
        article = ExtractedArticle(url=f"https://p.test/{n}", title="T", text=BODIES[n], paywalled=paywalled)
        items.append(
            ProcessedArticle(article, fingerprint(BODIES[n]), fetched_url=article.url, source="daily")
        )
    with session_scope(migrated_database) as session:
        store_articles(session, items=items, threshold=0.8, now=NOW)
    with session_scope(migrated_database) as session:
        stored = {a.url: a.paywalled for a in session.exec(select(Article)).all()}
    assert stored == {"https://p.test/0": True, "https://p.test/1": False, "https://p.test/2": None}


def test_the_copy_fetched_from_its_own_host_takes_over_the_row_a_mirror_stored_under_its_url(
    migrated_database: str,
) -> None:
    # A mirror's page declares the origin's canonical URL: its copy is stored under that URL first.
    origin_url = "https://origin.test/2025/06/story"
    mirror_text = BODIES[6] + "\nRepublished by The Mirror."
    mirror = ProcessedArticle(
        ExtractedArticle(url=origin_url, title="Mirror: story", text=mirror_text, authors=("Mirror Desk",)),
        fingerprint(mirror_text),
        fetched_url="https://mirror.test/copies/story",
        source="mirror",
    )
    with session_scope(migrated_database) as session:
        (stored,) = store_articles(session, items=[mirror], threshold=0.8, now=NOW)
    with session_scope(migrated_database) as session:
        # The origin's listing still names the URL: it is fetched from home; the mirror's is not.
        assert settled_urls(session, urls=[origin_url, mirror.fetched_url]) == {mirror.fetched_url}

    home = ProcessedArticle(
        ExtractedArticle(url=origin_url, title="Story", text=BODIES[6], authors=("Ann Lee",)),
        fingerprint(BODIES[6]),
        fetched_url=origin_url,
        source="daily",
    )
    later = NOW + timedelta(hours=1)
    with session_scope(migrated_database) as session:
        (taken,) = store_articles(session, items=[home], threshold=0.8, now=later)
    assert (taken.article_id, taken.already_stored) == (stored.article_id, False)
    with session_scope(migrated_database) as session:
        [row] = session.exec(select(Article)).all()
        assert (row.source, row.fetched_url, row.title, row.text) == ("daily", origin_url, "Story", BODIES[6])
        assert row.authors == ["Ann Lee"] and row.content_hash == home.fingerprint.content_hash
        assert row.first_seen_at == NOW and row.updated_at == later
        bands = session.exec(text("SELECT * FROM article_lsh")).one()
        assert tuple(bands[1:]) == tuple(int(b) for b in home.fingerprint.bands)
        assert settled_urls(session, urls=[origin_url]) == {origin_url}
    with session_scope(migrated_database) as session:  # once at home, the URL is simply stored
        (again,) = store_articles(session, items=[home], threshold=0.8, now=later)
    assert again.already_stored
