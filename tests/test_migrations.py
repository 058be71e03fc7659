"""The schema is made by the migrations, and the migrations match the models."""

from __future__ import annotations

from datetime import UTC, datetime

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
from newsflow.fingerprint import fingerprint
from storage.db import HEAD_REVISION, MIGRATIONS, _alembic_config, get_engine, upgrade


def test_head_revision_constant_is_the_newest_migration() -> None:
    script = ScriptDirectory.from_config(_alembic_config("sqlite://"))
    assert script.get_current_head() == HEAD_REVISION
    assert (MIGRATIONS / "script.py.mako").read_text(encoding="utf-8").count("import sqlmodel") == 1


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    upgrade(database_url)
    with get_engine(database_url).connect() as connection:
        tables = set(inspect(connection).get_table_names())
        diff = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert {
        "article",
        "fetch_event",
        "article_lsh",
        "feed_state",
        "source_health",
        "alembic_version",
    } <= tables
    assert diff == [], f"models and migrations differ; write a migration: {diff}"


def test_upgrade_on_a_current_schema_is_a_no_op(database_url: str) -> None:
    upgrade(database_url)
    upgrade(database_url)
    with get_engine(database_url).connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == HEAD_REVISION


def test_the_lsh_index_survives_the_move_to_one_row_per_article(database_url: str) -> None:
    """0003 rebuilds the LSH index (10 bands, one row per original) from the stored signatures:
    articles stored under 0002 still catch near copies, and a downgrade gives back 16 band rows."""
    from alembic import command

    from newsflow.records import ExtractedArticle, ProcessedArticle
    from storage.db import session_scope
    from storage.repository import store_articles

    body = " ".join(f"word{i} in a sentence of the old article number {i % 7}" for i in range(120))
    print_ = fingerprint(body)
    upgrade(database_url, "0002")
    with get_engine(database_url).begin() as connection:
        connection.execute(
            text(
                "INSERT INTO article (url, fetched_url, source, text, authors, tags, content_hash, minhash,"
                " first_seen_at, updated_at) VALUES ('https://old.test/1', 'https://old.test/1', 'old',"
                " :body, '[]', '[]', :hash, :minhash, '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000')"
            ),
            {"body": body, "hash": print_.content_hash, "minhash": print_.signature},
        )
        article_id = connection.execute(text("SELECT id FROM article")).scalar_one()
        for band in range(16):  # what 0002 held; 0003 does not read it
            connection.execute(
                text("INSERT INTO article_band (article_id, band, hash) VALUES (:a, :b, 0)"),
                {"a": article_id, "b": band},
            )
    upgrade(database_url)
    copy = body + " Republished with permission from the old site."
    article = ExtractedArticle(url="https://new.test/1", title="T", text=copy)
    with session_scope(database_url) as session:
        (stored,) = store_articles(
            session,
            items=[ProcessedArticle(article, fingerprint(copy), "https://new.test/1", "new")],
            threshold=0.8,
            now=datetime(2025, 1, 2, tzinfo=UTC),
        )
    assert stored.verdict.kind.value == "near" and stored.verdict.of == article_id
    command.downgrade(_alembic_config(database_url), "0002")
    with get_engine(database_url).connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM article_band")).scalar_one() == 16
