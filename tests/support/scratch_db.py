"""Scratch databases for the storage benchmarks: a fresh SQLite file, or a PostgreSQL database
created for the run and dropped after it (other databases on the server are never touched)."""

from __future__ import annotations

import contextlib
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from newsflow.storage.db import dispose_engine, upgrade

DEFAULT_POSTGRES = "postgresql+psycopg://postgres@127.0.0.1:5432/test"


@contextlib.contextmanager
def scratch_database(kind: str, postgres_admin_url: str = DEFAULT_POSTGRES) -> Iterator[str]:
    """Yield the URL of a new, migrated database of `kind` ('sqlite' or 'postgresql')."""
    if kind == "sqlite":
        with tempfile.TemporaryDirectory(prefix="newsflow-bench-") as folder:
            url = f"sqlite:///{Path(folder) / 'bench.db'}"
            upgrade(url)
            try:
                yield url
            finally:
                dispose_engine(url)
        return
    with scratch_postgres(postgres_admin_url, prefix="newsflow_bench_") as url:
        upgrade(url)
        yield url


@contextlib.contextmanager
def scratch_postgres(admin_url: str, *, prefix: str) -> Iterator[str]:
    """Yield the URL of a new, empty PostgreSQL database, dropped (connections and all) afterwards."""
    admin = make_url(admin_url)
    name = f"{prefix}{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin, isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    url = admin.set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        dispose_engine(url)
        with engine.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        engine.dispose()
