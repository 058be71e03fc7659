"""Refresh's storage against a real database (SQLite, or PostgreSQL under
NEWSFLOW_TEST_DATABASE_URL): what is due, in which order, and what a refetch writes."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import col, select

from newsflow.dedupe.fingerprint import fingerprint
from newsflow.records import DiscoveredUrl, ExtractedArticle, FetchOutcome, Outcome, ProcessedArticle
from newsflow.refresh import DueArticle, parse_refresh_ages
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article, ArticleRevision
from newsflow.storage.refresh import apply_refresh, due_articles, sources_with_due_articles
from newsflow.storage.repository import store_articles

BODIES = [
    v["articleBody"]
    for v in json.loads(
        (Path(__file__).parents[1] / "fixtures" / "aeb" / "ground-truth.json").read_text(encoding="utf-8")
    ).values()
]
NOW = datetime(2026, 11, 30, 8, 0, tzinfo=UTC)
H = timedelta(hours=1)
AGES = parse_refresh_ages("1h,6h,24h,72h")


def _item(n: int, text: str, title: str = "T") -> ProcessedArticle:
    url = f"https://a.test/{n}"
    article = ExtractedArticle(url=url, title=title, text=text, authors=("Ann Lee",))
    return ProcessedArticle(article, fingerprint(text), fetched_url=url, source="daily")


def _store(database_url: str, items: list[ProcessedArticle], *, at: datetime = NOW) -> None:
    with session_scope(database_url) as session:
        store_articles(session, items=items, threshold=0.8, now=at, refresh_ages=AGES)


def _due(
    database_url: str, now: datetime, limit: int = 100, listed: list[DiscoveredUrl] | None = None
) -> list[DueArticle]:
    with session_scope(database_url) as session:
        return due_articles(session, source="daily", now=now, limit=limit, listed=listed or [])


def _refresh(
    database_url: str,
    due: list[DueArticle],
    items: list[ProcessedArticle],
    now: datetime,
    outcomes: list[FetchOutcome] | None = None,
) -> list[FetchOutcome]:
    with session_scope(database_url) as session:
        return apply_refresh(
            session,
            due=due,
            articles=items,
            outcomes=outcomes or [],
            ages=AGES,
            threshold=0.8,
            now=now,
            run_id="r",
        ).outcomes


def _rows(database_url: str) -> dict[str, Article]:
    with session_scope(database_url) as session:
        return {a.url: a for a in session.exec(select(Article)).all()}


def test_due_oldest_first_within_the_limit_never_removed_and_listed_changes_first(
    migrated_database: str,
) -> None:
    _store(migrated_database, [_item(1, BODIES[1])], at=NOW)
    _store(migrated_database, [_item(2, BODIES[2])], at=NOW - 2 * H)
    _store(migrated_database, [_item(3, BODIES[3])], at=NOW - H)
    _store(migrated_database, [_item(4, BODIES[4])], at=NOW + 10 * H)  # not due for hours
    assert _due(migrated_database, NOW - 61 * timedelta(minutes=1)) == []  # no first age (1 h) passed yet
    at = NOW + 90 * timedelta(minutes=1)
    assert [d.url for d in _due(migrated_database, at)] == [
        "https://a.test/2",
        "https://a.test/3",
        "https://a.test/1",
    ]
    assert [d.url for d in _due(migrated_database, at, limit=2)] == ["https://a.test/2", "https://a.test/3"]
    # A listing dated after our last fetch puts the article first, due or not.
    listed = [DiscoveredUrl("https://a.test/4", "daily", "feed", updated_at=NOW + 11 * H)]
    assert [d.url for d in _due(migrated_database, at, limit=2, listed=listed)] == [
        "https://a.test/4",
        "https://a.test/2",
    ]
    stale = [DiscoveredUrl("https://a.test/4", "daily", "feed", updated_at=NOW + 9 * H)]
    assert "https://a.test/4" not in [d.url for d in _due(migrated_database, at, listed=stale)]
    # Gone: never due again.
    [two] = [d for d in _due(migrated_database, at) if d.url.endswith("/2")]
    removed = FetchOutcome(two.url, "daily", Outcome.REMOVED, at, 410)
    assert _refresh(migrated_database, [two], [], at, [removed]) == [removed]
    assert "https://a.test/2" not in [d.url for d in _due(migrated_database, at + 100 * H)]
    assert _rows(migrated_database)["https://a.test/2"].removed_at == at


def test_a_group_reads_which_sources_have_articles_due_and_skips_the_others(migrated_database: str) -> None:
    _store(migrated_database, [_item(1, BODIES[1])], at=NOW)  # "daily": due from NOW + 1 h
    at = NOW + 90 * timedelta(minutes=1)
    with session_scope(migrated_database) as session:
        assert sources_with_due_articles(session, sources=["daily", "other"], now=NOW) == set()
        assert sources_with_due_articles(session, sources=["daily", "other"], now=at) == {"daily"}
        # Known to have none due: only the listing's changes are looked up.
        assert due_articles(session, source="daily", now=at, limit=10, scheduled=False) == []
        assert [d.url for d in due_articles(session, source="daily", now=at, limit=10)] == [
            "https://a.test/1"
        ]


def test_a_page_flipping_between_versions_keeps_each_once_and_dedup_follows_the_text(
    migrated_database: str,
) -> None:
    first, second = _item(1, BODIES[1], title="First"), _item(2, BODIES[2])
    _store(migrated_database, [first, second])
    ids = {url: a.id for url, a in _rows(migrated_database).items()}
    now = NOW + 2 * H
    # Article 2 now carries article 1's text: it becomes its exact duplicate.
    [due2] = [d for d in _due(migrated_database, now) if d.url.endswith("/2")]
    copy = replace(_item(2, BODIES[1]), fetched_url=due2.url)
    [outcome] = _refresh(migrated_database, [due2], [copy], now)
    assert outcome.outcome is Outcome.UPDATED
    row = _rows(migrated_database)["https://a.test/2"]
    assert (
        row.duplicate_of == ids["https://a.test/1"]
        and row.content_hash == fingerprint(BODIES[1]).content_hash
    )
    # Article 1 flips between two titles: A→B→A→B→A keeps A and B once each.
    titles = ["Second", "First", "Second", "First"]
    for step, title in enumerate(titles):
        at = now + (step + 1) * H
        [due1] = [d for d in _due(migrated_database, at + 100 * H) if d.url.endswith("/1")]
        _refresh(migrated_database, [due1], [_item(1, BODIES[1], title=title)], at)
    with session_scope(migrated_database) as session:
        kept = session.exec(
            select(ArticleRevision).where(col(ArticleRevision.article_id) == ids["https://a.test/1"])
        ).all()
        assert sorted(r.title or "" for r in kept) == ["First", "Second"]
        assert all(r.summary == "title changed" for r in kept)
    # The same version again: unchanged, no revision, the schedule moves on.
    [due1] = [d for d in _due(migrated_database, NOW + 100 * H) if d.url.endswith("/1")]
    [same] = _refresh(migrated_database, [due1], [_item(1, BODIES[1], title="First")], NOW + 100 * H)
    assert same.outcome is Outcome.UNCHANGED
    assert _rows(migrated_database)["https://a.test/1"].refresh_due_at is None  # every age passed


def test_a_failed_refetch_keeps_the_version_and_waits_for_the_next_age(migrated_database: str) -> None:
    _store(migrated_database, [_item(1, BODIES[1])])
    at = NOW + 2 * H
    [due] = _due(migrated_database, at)
    failed = FetchOutcome(due.url, "daily", Outcome.ERROR, at, 503, "HTTP 503")
    # Recorded as refresh_failed: `error` would make it a never-stored page for the retry list.
    assert _refresh(migrated_database, [due], [], at, [failed]) == [
        replace(failed, outcome=Outcome.REFRESH_FAILED)
    ]
    row = _rows(migrated_database)["https://a.test/1"]
    assert row.text == BODIES[1] and row.fetched_at == NOW and row.removed_at is None
    assert (row.refreshes_done, row.refresh_due_at) == (1, NOW + 6 * H)
