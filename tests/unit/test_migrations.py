"""The schema is made by the migrations, and the migrations match the models."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect, text
from sqlmodel import SQLModel

from newsflow.dedupe.fingerprint import fingerprint
from newsflow.storage.db import (
    HEAD_REVISION,
    MIGRATIONS,
    _alembic_config,
    dispose_engine,
    get_engine,
    upgrade,
)
from newsflow.storage.models import managed_by_models  # registers the tables


def test_head_revision_constant_is_the_newest_migration() -> None:
    script = ScriptDirectory.from_config(_alembic_config("sqlite://"))
    assert script.get_current_head() == HEAD_REVISION
    assert (MIGRATIONS / "script.py.mako").read_text(encoding="utf-8").count("import sqlmodel") == 1


def test_migrated_schema_matches_the_models(database_url: str) -> None:
    upgrade(database_url)
    with get_engine(database_url).connect() as connection:
        tables = set(inspect(connection).get_table_names())
        context = MigrationContext.configure(connection, opts={"include_object": managed_by_models})
        diff = compare_metadata(context, SQLModel.metadata)
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


def test_0003_recomputes_signatures_and_rebuilds_the_lsh_index(database_url: str) -> None:
    """Articles stored under 0002 (old signature scheme, 16 band rows each) get new signatures
    from their text and one article_lsh row per original: they still catch near copies."""
    from alembic import command

    from newsflow.records import ExtractedArticle, ProcessedArticle
    from newsflow.storage.db import session_scope
    from newsflow.storage.repository import store_articles

    body = " ".join(f"word{i} in a sentence of the old article number {i % 7}" for i in range(120))
    insert = text(
        "INSERT INTO article (url, fetched_url, source, text, authors, tags, content_hash, minhash,"
        " duplicate_of, first_seen_at, updated_at) VALUES (:url, :url, 'old', :body, '[]', '[]', :hash,"
        " :minhash, :of, '2025-01-01 00:00:00.000000', '2025-01-01 00:00:00.000000')"
    )
    upgrade(database_url, "0002")
    with get_engine(database_url).begin() as connection:
        # Signatures of the old scheme: bytes that the new one never produces.
        old = {"body": body, "hash": "h", "minhash": bytes(512)}
        connection.execute(insert, {**old, "url": "https://old.test/1", "of": None})
        original = connection.execute(text("SELECT id FROM article")).scalar_one()
        connection.execute(insert, {**old, "url": "https://old.test/1-copy", "of": original})
        for band in range(16):  # only originals are in the index
            connection.execute(
                text("INSERT INTO article_band (article_id, band, hash) VALUES (:a, :b, 0)"),
                {"a": original, "b": band},
            )
    upgrade(database_url)
    with get_engine(database_url).connect() as connection:
        assert connection.execute(text("SELECT article_id FROM article_lsh")).scalars().all() == [original]
        minhashes = connection.execute(text("SELECT minhash FROM article")).scalars().all()
        assert [bytes(m) for m in minhashes] == [fingerprint(body).signature] * 2
    copy = body + " Republished with permission from the old site."
    # A longer URL: of two undated copies on their own hosts the shorter URL is the original.
    article = ExtractedArticle(url="https://new.test/1-republished", title="T", text=copy)
    with session_scope(database_url) as session:
        (stored,) = store_articles(
            session,
            items=[ProcessedArticle(article, fingerprint(copy), "https://new.test/1-republished", "new")],
            threshold=0.8,
            now=datetime(2025, 1, 2, tzinfo=UTC),
        )
    assert stored.verdict.kind.value == "near" and stored.verdict.of == original
    command.downgrade(_alembic_config(database_url), "0002")
    with get_engine(database_url).connect() as connection:
        bands = connection.execute(text("SELECT DISTINCT article_id FROM article_band")).scalars().all()
        assert bands == [original]
        assert connection.execute(text("SELECT COUNT(*) FROM article_band")).scalar_one() == 16
        minhashes = connection.execute(text("SELECT minhash FROM article")).scalars().all()
        assert fingerprint(body).signature not in [bytes(m) for m in minhashes]


def test_0009_backfills_published_day_with_the_utc_day_of_published_at(database_url: str) -> None:
    """Rows stored before 0009 know only the UTC instant: their day is its UTC day (reextract
    later puts the page's own day there); an undated row stays NULL."""
    upgrade(database_url, "0008")
    engine = get_engine(database_url)
    # 04:00 UTC on March 6 is March 5 in New York: the backfill cannot know, it takes March 6.
    when = "'2025-03-06 04:00:00.000000" + ("+00:00'" if engine.dialect.name == "postgresql" else "'")
    with engine.begin() as connection:
        for url, published in (("https://old.test/dated", when), ("https://old.test/undated", "NULL")):
            connection.execute(
                text(
                    "INSERT INTO article (url, fetched_url, source, text, authors, tags, content_hash,"
                    f" minhash, published_at, first_seen_at, updated_at) VALUES (:url, :url, 'old', 'x',"
                    f" '[]', '[]', 'h', :minhash, {published}, {when}, {when})"
                ),
                {"url": url, "minhash": bytes(512)},
            )
    upgrade(database_url)
    with get_engine(database_url).connect() as connection:
        rows = connection.execute(text("SELECT url, published_day FROM article ORDER BY url")).all()
    days = {url: day if isinstance(day, date | None) else date.fromisoformat(day) for url, day in rows}
    assert days == {"https://old.test/dated": date(2025, 3, 6), "https://old.test/undated": None}
    from alembic import command

    command.downgrade(_alembic_config(database_url), "0008")
    with get_engine(database_url).connect() as connection:
        assert "published_day" not in {c["name"] for c in inspect(connection).get_columns("article")}
        if connection.dialect.name == "sqlite":  # the column went, the search triggers stayed
            triggers = (
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'article_fts%'"
            )
            assert connection.execute(text(triggers)).scalar_one() == 3


def test_downgrades_down_to_the_search_index_keep_it_and_upgrade_back(database_url: str) -> None:
    # On SQLite, Alembic's batch mode drops a column by copying the table, which loses the
    # full-text search triggers of 0005; the downgrades after 0005 must drop columns in place.
    upgrade(database_url)
    command.downgrade(_alembic_config(database_url), "0005")
    with get_engine(database_url).connect() as connection:
        columns = {c["name"] for c in inspect(connection).get_columns("article")}
        assert not {"warc_file", "etag", "refresh_due_at", "published_day"} & columns
        if connection.dialect.name == "sqlite":
            triggers = (
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'article_fts%'"
            )
            assert connection.execute(text(triggers)).scalar_one() == 3
    upgrade(database_url)
    with get_engine(database_url).connect() as connection:
        context = MigrationContext.configure(connection, opts={"include_object": managed_by_models})
        assert compare_metadata(context, SQLModel.metadata) == []


# An upgrade in a process of its own that pauses after each commit, the moment another process
# waiting for the write lock can take it (a scheduler's luck, made certain).
_UPGRADE_IN_A_PROCESS = """
import sys, time
from newsflow.storage.db import get_engine, upgrade
dialect = get_engine(sys.argv[1]).dialect
commit = dialect.do_commit
def commit_then_pause(connection):
    commit(connection)
    time.sleep(0.3)
dialect.do_commit = commit_then_pause
print("ready", flush=True)
upgrade(sys.argv[1])
"""


def test_two_processes_upgrading_a_new_sqlite_file_at_once_apply_each_migration_once(tmp_path: Path) -> None:
    """Two `newsflow ingest` started together on a new file (seen once in CI): Alembic commits
    SQLite's migrations one by one, so the process that took the write lock between two of the
    other's commits read a revision the other had planned past, and one of them applied a migration
    again ("duplicate column name: published_at"). Both start here behind a lock the test holds."""
    path = tmp_path / "race.db"
    blocker = sqlite3.connect(path, isolation_level=None)
    blocker.execute("PRAGMA journal_mode=WAL")  # as newsflow opens it: readers pass a writer
    blocker.execute("BEGIN IMMEDIATE")
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", _UPGRADE_IN_A_PROCESS, f"sqlite:///{path}"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        for process in processes:
            assert process.stdout is not None and process.stdout.readline().strip() == "ready"
        time.sleep(1)  # both are waiting for the write lock (busy_timeout)
        assert all(process.poll() is None for process in processes)
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    for process in processes:
        _out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-2000:]
    url = f"sqlite:///{path}"
    with get_engine(url).connect() as connection:
        assert MigrationContext.configure(connection).get_current_revision() == HEAD_REVISION
    dispose_engine(url)


def test_a_new_sqlite_file_locked_by_another_process_is_waited_for(tmp_path: Path) -> None:
    # Switching a file to WAL needs it alone, and SQLite refuses at once while another connection
    # holds a lock, without its busy handler: the second of two runs opening a new file failed
    # with "database is locked" (CI, test_concurrent_runs). It now waits as long as busy_timeout.
    path = tmp_path / "new.db"
    other = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    other.execute("CREATE TABLE held (x INTEGER)")
    other.execute("BEGIN IMMEDIATE")
    other.execute("INSERT INTO held VALUES (1)")
    release = threading.Timer(0.5, other.execute, ("COMMIT",))
    release.start()
    url = f"sqlite:///{path}"
    try:
        upgrade(url)
        with get_engine(url).connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert (
                connection.execute(text("SELECT version_num FROM alembic_version")).scalar() == HEAD_REVISION
            )
    finally:
        release.join()
        other.close()
        dispose_engine(url)
