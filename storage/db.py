"""Engines and sessions: SQLite pragmas, PostgreSQL driver choice, and Alembic upgrades."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, event, inspect, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import StaticPool
from sqlmodel import Session, create_engine

from newsflow.errors import ConfigError, StorageError

MIGRATIONS = Path(__file__).parent / "migrations"
# The newest revision in migrations/versions (tests/unit/test_migrations.py keeps this in step).
HEAD_REVISION = "0009"
_upgrade_lock = threading.Lock()


def normalize_database_url(url: str) -> str:
    """Pick the installed PostgreSQL driver (psycopg 3) for plain postgresql:// URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


_WAL_RETRY_SECONDS = 0.05


def _use_wal(cursor: sqlite3.Cursor, busy_timeout: float) -> None:
    """Put the database in WAL mode, waiting up to `busy_timeout` for another connection's lock.

    The switch needs the database to itself, and SQLite refuses it at once ("database is locked"),
    without the busy handler, while another process holds a lock: two runs opening a new file
    together failed so. The mode is stored in the file, so a database in WAL already needs none.
    """
    deadline = time.monotonic() + busy_timeout
    while True:
        try:
            if cursor.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                cursor.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() >= deadline:
                raise
            time.sleep(_WAL_RETRY_SECONDS)


def _sqlite_setup(engine: Engine, busy_timeout: float) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not pysqlite, decide when transactions begin (see below).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        _use_wal(cursor, busy_timeout)
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Checkpoint the WAL every 32 MiB instead of every 4 MiB: each checkpoint costs two
        # fsyncs, and a batch of articles dirties a few MiB of index pages (BENCHMARKS.md).
        cursor.execute("PRAGMA wal_autocheckpoint=8192")
        cursor.execute("PRAGMA journal_size_limit=67108864")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        # IMMEDIATE takes the write lock up front, so two writers queue on busy_timeout
        # instead of failing with "database is locked" when a read turns into a write. A
        # read-only transaction (session_scope(read_only=True)) takes no lock: in WAL mode it
        # reads a snapshot beside the writer, so many sources' lookups (and a long export) do not queue
        # behind it.
        read_only = connection.get_execution_options().get(_READ_ONLY, False)
        connection.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


_READ_ONLY = "newsflow_read_only"  # an execution option: the transaction only reads
_engines: dict[str, Engine] = {}
_readers: dict[str, Engine] = {}
_engines_lock = threading.Lock()


def get_engine(database_url: str) -> Engine:
    """One engine per database URL per process; creates the SQLite folder if needed."""
    with _engines_lock:
        engine = _engines.get(database_url)
        if engine is None:
            engine = _engines[database_url] = _create_engine(database_url)
        return engine


def get_reader(database_url: str) -> Engine:
    """The engine of `database_url` (the same pool) for transactions that only read."""
    engine = get_engine(database_url)
    with _engines_lock:
        reader = _readers.get(database_url)
        if reader is None or reader.pool is not engine.pool:
            reader = _readers[database_url] = engine.execution_options(**{_READ_ONLY: True})
        return reader


def _create_engine(database_url: str) -> Engine:
    url = make_url(normalize_database_url(database_url))
    if url.get_backend_name() == "sqlite":
        if url.database and url.database != ":memory:":
            folder = Path(url.database).parent
            try:
                folder.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ConfigError(
                    f"DATABASE_URL: cannot create the folder {folder} for the SQLite file "
                    f"({exc.strerror}); point DATABASE_URL at a writable place"
                ) from exc
        # Pooled connections keep their page cache and spare each transaction a connect, the
        # PRAGMAs and the WAL checkpoint SQLite runs when the last connection closes.
        in_memory = url.database in (None, "", ":memory:")
        # How long a writer waits for another's lock before "database is locked" (then storage.retry
        # waits on): 30 s, or the URL's ?timeout=SECONDS, as sqlite3.connect names it.
        timeout = url.query.get("timeout", "30")
        busy_timeout = float(timeout if isinstance(timeout, str) else timeout[-1])
        engine = create_engine(
            url,
            connect_args={"timeout": busy_timeout, "check_same_thread": False},
            # An in-memory database lives and dies with its one connection.
            **({"poolclass": StaticPool} if in_memory else {"pool_size": 4, "max_overflow": 12}),
        )
        _sqlite_setup(engine, busy_timeout)
        return engine
    # psycopg 3 prepares a statement on the server after its fifth run, and PostgreSQL may then
    # keep one generic plan for it. The URL and content-hash lookups got theirs while the tables
    # were small, a sequential scan, and kept it as the tables grew: every batch then read every
    # stored row (BENCHMARKS.md, fourth session: 39 ms a batch of 64 at 8,000 rows, 12 ms without).
    connect_args = {"prepare_threshold": None} if url.get_driver_name() == "psycopg" else {}
    return create_engine(url, pool_pre_ping=True, pool_size=8, max_overflow=8, connect_args=connect_args)


def checkpoint(database_url: str) -> None:
    """Fold SQLite's write-ahead log into the database file and empty it, so that the .db file
    alone holds every committed article (a copy of it is complete); nothing to do on PostgreSQL."""
    engine = get_engine(database_url)
    if engine.dialect.name != "sqlite":
        return
    # On the driver's connection, outside any transaction (SQLAlchemy's would BEGIN IMMEDIATE
    # first, and a checkpoint inside a transaction cannot fold the log). A reader still open in
    # another process makes it partial; the next run's checkpoint finishes the job.
    connection = engine.raw_connection()
    try:
        cursor = connection.cursor()
        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cursor.close()
    finally:
        connection.close()


def dispose_engine(database_url: str) -> None:
    """Close and forget the engine of `database_url` (before dropping a database, say)."""
    with _engines_lock:
        engine = _engines.pop(database_url, None)
    if engine is not None:
        engine.dispose()


@contextmanager
def session_scope(database_url: str, *, read_only: bool = False) -> Iterator[Session]:
    """A session that commits on success and rolls back on error; `read_only` when it only reads
    (on SQLite it then takes no write lock; a write in it fails with "database is locked")."""
    bind = get_reader(database_url) if read_only else get_engine(database_url)
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


@contextmanager
def read_scope(database_url: str) -> Iterator[Session]:
    """A session for reading only (never commits); on SQLite it does not take the write lock, so
    it reads one snapshot while ingests go on writing."""
    with Session(get_reader(database_url), expire_on_commit=False) as session:
        try:
            yield session
        finally:
            session.rollback()


def _where(database_url: str) -> str:
    return make_url(normalize_database_url(database_url)).render_as_string(hide_password=True)


def require_schema(database_url: str) -> None:
    """For the commands that only read: StorageError saying what to run when there is no database
    yet or its schema is not the current one (they never create or migrate one)."""
    url = make_url(normalize_database_url(database_url))
    on_file = url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:")
    if on_file and not Path(str(url.database)).is_file():
        raise StorageError(
            f"no database at {url.database}: run `newsflow ingest` first, or check DATABASE_URL"
        )
    try:
        with get_engine(database_url).connect() as connection:
            revision = _current_revision(connection)
    except SQLAlchemyError as exc:
        raise StorageError(
            f"cannot open the database at {_where(database_url)}: "
            f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}. "
            "Check DATABASE_URL and that the server is running."
        ) from exc
    if revision is None:
        raise StorageError(
            f"the database at {_where(database_url)} has no newsflow schema: "
            "run `newsflow db upgrade` (or `newsflow ingest`), or check DATABASE_URL"
        )
    if revision != HEAD_REVISION:
        raise StorageError(
            f"the database at {_where(database_url)} has schema revision {revision}, "
            f"this newsflow reads {HEAD_REVISION}: run `newsflow db upgrade`"
        )


def _alembic_config(database_url: str) -> Any:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", normalize_database_url(database_url).replace("%", "%%"))
    return config


def _current_revision(connection: Connection) -> str | None:
    if not inspect(connection).has_table("alembic_version"):
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def upgrade(database_url: str, revision: str = "head") -> None:
    """Bring the schema up to `revision` with Alembic; StorageError with a reason if it cannot."""
    engine = get_engine(database_url)
    with _upgrade_lock:
        try:
            with engine.connect() as connection:
                # Every run starts here: when the schema is current, skip loading Alembic
                # (a quarter of a second of imports) altogether.
                if revision == "head" and _current_revision(connection) == HEAD_REVISION:
                    return
                connection.rollback()
                if connection.dialect.name == "postgresql":
                    # Two runs starting at once must not both create the tables.
                    connection.execute(text("SELECT pg_advisory_lock(734501)"))
                else:
                    # SQLite: Alembic commits each migration on its own (it takes SQLite's DDL for
                    # non-transactional), so a second run that planned from the same revision applied
                    # them again ("duplicate column name"). One transaction, begun with BEGIN
                    # IMMEDIATE (_on_begin), holds the write lock over the whole upgrade, and Alembic
                    # reads the revision inside it.
                    connection.begin()
                try:
                    from alembic import command

                    config = _alembic_config(database_url)
                    config.attributes["connection"] = connection
                    command.upgrade(config, revision)
                finally:
                    if connection.dialect.name == "postgresql":
                        connection.execute(text("SELECT pg_advisory_unlock(734501)"))
                connection.commit()
        except SQLAlchemyError as exc:
            where = make_url(normalize_database_url(database_url)).render_as_string(hide_password=True)
            raise StorageError(
                f"cannot open or migrate the database at {where}: "
                f"{exc.__class__.__name__}: {str(exc).splitlines()[0]}. "
                "Check DATABASE_URL and that the server is running."
            ) from exc
