"""The schema is made by the migrations, and the migrations match the models."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlmodel import SQLModel

import storage.models  # noqa: F401  (registers the tables)
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
        "article_band",
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
