"""Reading stored articles (storage.articles) against a real database: filters, full-text search
kept current by the database on insert, update and delete, streaming, one article, statistics."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from newsflow.dedupe.fingerprint import fingerprint
from newsflow.errors import StorageError
from newsflow.records import ExtractedArticle, ProcessedArticle
from newsflow.selection import ArticleFilter, parse_filter
from newsflow.storage.articles import duplicates_of, find_article, iter_articles, known_sources, source_stats
from newsflow.storage.db import HEAD_REVISION, read_scope, require_schema, session_scope, upgrade
from newsflow.storage.repository import store_articles, update_source_health

BODIES = [
    v["articleBody"]
    for v in json.loads(
        (Path(__file__).parents[1] / "fixtures" / "aeb" / "ground-truth.json").read_text(encoding="utf-8")
    ).values()
]
NOW = datetime(2025, 6, 3, 12, 0, tzinfo=UTC)


def _item(
    url: str,
    body: str,
    *,
    title: str,
    source: str = "daily",
    published: datetime | None = None,
    language: str | None = "en",
    authors: tuple[str, ...] = (),
) -> ProcessedArticle:
    article = ExtractedArticle(
        url=url, title=title, text=body, authors=authors, published_at=published, language=language
    )
    return ProcessedArticle(article, fingerprint(body), fetched_url=url, source=source)


@pytest.fixture
def stored(migrated_database: str) -> str:
    with session_scope(migrated_database) as session:
        store_articles(
            session,
            items=[
                _item(
                    "https://a.test/harbour",
                    "The harbour authority approved the lighthouse restoration.\n" + BODIES[0],
                    title="Lighthouse saved",
                    published=NOW - timedelta(days=2),
                    authors=("Ann Lee",),
                ),
                _item(
                    "https://a.test/budget",
                    "Die Stadt beschließt den Haushalt.\n" + BODIES[1],
                    title="Haushalt",
                    published=NOW - timedelta(days=1),
                    language="de",
                ),
                _item("https://a.test/undated", BODIES[2], title="Undated piece", published=None),
                _item(
                    "https://b.test/copy",
                    "The harbour authority approved the lighthouse restoration.\n" + BODIES[0],
                    title="Lighthouse saved (copy)",
                    source="mirror",
                    published=NOW,
                ),
            ],
            threshold=0.7,
            now=NOW,
        )
        update_source_health(session, source="mirror", ok=False, blocked=True, error="403 wall", now=NOW)
    return migrated_database


def _urls(database_url: str, filters: ArticleFilter) -> list[str]:
    with read_scope(database_url) as session:
        return [r.url for r in iter_articles(session, filters=filters)]


def test_filters_narrow_and_default_to_originals_newest_first(stored: str) -> None:
    assert _urls(stored, ArticleFilter()) == [
        "https://a.test/budget",
        "https://a.test/harbour",
        "https://a.test/undated",
    ]
    assert _urls(stored, ArticleFilter(duplicates=True))[0] == "https://b.test/copy"
    assert _urls(stored, parse_filter(languages=["DE"])) == ["https://a.test/budget"]
    day = (NOW - timedelta(days=2)).strftime("%Y-%m-%d")
    assert _urls(stored, parse_filter(since=day, until=day)) == ["https://a.test/harbour"]
    assert _urls(stored, parse_filter(sources=["mirror"], duplicates=True)) == ["https://b.test/copy"]
    assert _urls(stored, parse_filter(limit="1")) == ["https://a.test/budget"]


def test_search_finds_every_word_in_title_or_text(stored: str) -> None:
    assert _urls(stored, parse_filter(search="lighthouse HARBOUR")) == ["https://a.test/harbour"]
    assert _urls(stored, parse_filter(search="lighthouse harbour", duplicates=True)) == [
        "https://b.test/copy",
        "https://a.test/harbour",
    ]
    assert _urls(stored, parse_filter(search="haushalt")) == ["https://a.test/budget"]  # the title
    assert _urls(stored, parse_filter(search="lighthouse zeppelin")) == []
    # Operators of either search syntax are words, not syntax.
    assert _urls(stored, parse_filter(search='lighthouse OR "NEAR(" -harbour*')) == []


def test_search_index_follows_updates_and_deletes_by_any_writer(stored: str) -> None:
    # Plain SQL, as a re-extraction or an operator would write: the database keeps the index.
    with session_scope(stored) as session:
        session.execute(
            text("UPDATE article SET text = :body, title = 'Zeppelin' WHERE url = 'https://a.test/harbour'"),
            {"body": "A zeppelin landed beside the pier."},
        )
    assert _urls(stored, parse_filter(search="zeppelin pier")) == ["https://a.test/harbour"]
    assert _urls(stored, parse_filter(search="lighthouse")) == []  # the copy is a duplicate
    assert _urls(stored, parse_filter(search="lighthouse", duplicates=True)) == ["https://b.test/copy"]
    with session_scope(stored) as session:
        session.execute(text("DELETE FROM article WHERE url = 'https://b.test/copy'"))
    assert _urls(stored, parse_filter(search="lighthouse", duplicates=True)) == []


def test_migration_indexes_articles_stored_before_it(database_url: str) -> None:
    upgrade(database_url, "0004")
    with session_scope(database_url) as session:  # a row written by a newsflow of revision 0004
        session.execute(
            text(
                "INSERT INTO article (url, fetched_url, source, title, text, authors, tags, content_hash,"
                " minhash, first_seen_at, updated_at) VALUES ('https://a.test/old', 'https://a.test/old',"
                " 'daily', 'Old', :text, '[]', '[]', 'h', :minhash, :now, :now)"
            ),
            {"text": "An old story about a walrus.\n" + BODIES[3], "minhash": b"\0", "now": NOW},
        )
    upgrade(database_url)
    assert _urls(database_url, parse_filter(search="walrus")) == ["https://a.test/old"]


def test_streaming_reads_every_row_in_batches(stored: str) -> None:
    with read_scope(stored) as session:
        rows = list(iter_articles(session, filters=ArticleFilter(duplicates=True), order="id", batch=1))
    assert [r.id for r in rows] == sorted(r.id for r in rows) and len(rows) == 4
    assert rows[0].authors == ("Ann Lee",) and rows[0].published_at == NOW - timedelta(days=2)
    assert rows[0].published_at.tzinfo is not None


def test_one_article_by_id_or_url_and_its_duplicates(stored: str) -> None:
    with read_scope(stored) as session:
        original = find_article(session, key="https://a.test/harbour")
        assert original is not None
        assert find_article(session, key=str(original.id)) == original
        [copy] = duplicates_of(session, article_id=original.id)
        assert copy.url == "https://b.test/copy" and copy.duplicate_kind == "exact"
        assert find_article(session, key="https://nowhere.test/") is None
        assert known_sources(session) == ["daily", "mirror"]


def test_source_stats_count_rows_and_read_health(stored: str) -> None:
    with read_scope(stored) as session:
        daily, mirror = source_stats(session)
    assert (daily.source, daily.articles, daily.duplicates, daily.dated, daily.with_authors) == (
        "daily",
        3,
        0,
        2,
        1,
    )
    assert daily.languages == (("en", 2), ("de", 1))
    assert (mirror.articles, mirror.duplicates, mirror.blocked, mirror.consecutive_failures) == (
        0,
        1,
        True,
        1,
    )
    assert mirror.last_success_at is None and daily.last_success_at is None


def test_require_schema_names_the_missing_step(database_url: str, tmp_path: Path) -> None:
    with pytest.raises(StorageError, match=r"no database at .*nothing\.db: run `newsflow ingest` first"):
        require_schema(f"sqlite:///{tmp_path / 'nothing.db'}")
    assert not (tmp_path / "nothing.db").exists()
    with pytest.raises(StorageError, match="has no newsflow schema: run `newsflow db upgrade`"):
        with session_scope(database_url) as session:
            session.execute(text("CREATE TABLE unrelated (id INTEGER)"))
        require_schema(database_url)
    upgrade(database_url, "0004")
    with pytest.raises(StorageError, match=f"has schema revision 0004, this newsflow reads {HEAD_REVISION}"):
        require_schema(database_url)
    upgrade(database_url)
    require_schema(database_url)
