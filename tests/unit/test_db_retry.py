"""Which database errors are waited out, and how long: storage.retry with a fake clock."""

from __future__ import annotations

import sqlite3
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from psycopg import errors as pg
from sqlalchemy.exc import DataError, IntegrityError, OperationalError, ProgrammingError
from sqlmodel import Session

from newsflow.errors import DatabaseUnavailable, StorageError
from newsflow.storage.db import dispose_engine, get_engine
from newsflow.storage.retry import (
    Backoff,
    Retrier,
    is_transient,
    reason,
    run_transaction,
    unavailable_message,
)


def wrapped(orig: BaseException, *, invalidated: bool = False) -> OperationalError:
    """An error as SQLAlchemy raises it: the driver's error in `.orig`."""
    return OperationalError("SELECT 1", {}, orig, connection_invalidated=invalidated)


REFUSED = psycopg.OperationalError(
    'connection failed: connection to server at "127.0.0.1", port 5433 failed: Connection refused\n'
    "\tIs the server running on that host and accepting TCP/IP connections?"
)


@pytest.mark.parametrize(
    "error",
    [
        REFUSED,
        psycopg.OperationalError(
            'connection failed: connection to server at "127.0.0.1", port 5433 failed: '
            "FATAL:  the database system is shutting down"
        ),
        psycopg.OperationalError("connection failed: FATAL:  the database system is starting up"),
        psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly"),
        psycopg.OperationalError("the connection is closed"),
        pg.AdminShutdown("terminating connection due to administrator command"),
        pg.CannotConnectNow("the database system is starting up"),
        pg.SerializationFailure("could not serialize access due to concurrent update"),
        pg.DeadlockDetected("deadlock detected"),
        pg.ConnectionFailure("connection failure"),
        sqlite3.OperationalError("database is locked"),
        sqlite3.OperationalError("database table is locked"),
    ],
    ids=repr,
)
def test_outages_and_locks_are_transient_raw_and_wrapped(error: Exception) -> None:
    assert is_transient(error)
    assert is_transient(wrapped(error))


@pytest.mark.parametrize(
    "error",
    [
        psycopg.OperationalError(
            'connection failed: FATAL:  password authentication failed for user "newsflow"'
        ),
        psycopg.OperationalError('connection failed: FATAL:  database "nope" does not exist'),
        pg.UndefinedTable('relation "article" does not exist'),
        pg.UniqueViolation("duplicate key value violates unique constraint"),
        sqlite3.OperationalError("no such table: article"),
        ValueError("not a database error"),
    ],
    ids=repr,
)
def test_bad_queries_credentials_and_constraints_are_not(error: Exception) -> None:
    assert not is_transient(error)
    assert not is_transient(wrapped(error))


def test_sqlalchemy_errors_judged_by_their_driver_error() -> None:
    assert not is_transient(IntegrityError("INSERT", {}, pg.UniqueViolation("duplicate key")))
    assert not is_transient(DataError("INSERT", {}, pg.StringDataRightTruncation("too long")))
    assert not is_transient(ProgrammingError("SELECT", {}, pg.SyntaxError("syntax error")))
    # SQLAlchemy saw the connection die: whatever the driver said, the pool reconnects next time.
    assert is_transient(wrapped(psycopg.OperationalError("SSL error: unexpected eof"), invalidated=True))


def test_an_error_raised_while_handling_an_outage_is_transient() -> None:
    try:
        try:
            raise wrapped(REFUSED)
        except OperationalError:
            raise RuntimeError("rollback failed too") from None
    except RuntimeError as error:
        assert is_transient(error)


def test_a_spent_budget_is_not_retried_again_by_an_outer_retry() -> None:
    error = DatabaseUnavailable("database unreachable for 1 s")
    error.__cause__ = wrapped(REFUSED)
    assert not is_transient(error)
    assert isinstance(error, StorageError)


def test_reason_and_message_are_one_line_in_the_drivers_words() -> None:
    assert reason(wrapped(REFUSED)) == (
        'OperationalError: connection failed: connection to server at "127.0.0.1", '
        "port 5433 failed: Connection refused"
    )
    assert unavailable_message(60, wrapped(sqlite3.OperationalError("database is locked"))) == (
        "database unreachable for 60 s: OperationalError: database is locked; "
        "nothing lost, run again when it is back"
    )
    assert "\n" not in unavailable_message(2.5, wrapped(REFUSED))
    assert unavailable_message(2.5, wrapped(REFUSED)).startswith("database unreachable for 2.5 s: ")


def test_backoff_doubles_up_to_its_cap_with_jitter_between_half_and_whole() -> None:
    backoff = Backoff(first=0.25, cap=5.0)
    assert [backoff.delay(n, 0.999999) for n in range(7)] == pytest.approx([0.25, 0.5, 1, 2, 4, 5, 5])
    assert backoff.delay(3, 0.0) == pytest.approx(1.0)
    assert backoff.delay(10_000, 0.5) == pytest.approx(3.75)


class FakeClock:
    """time.monotonic and time.sleep for a test: sleeping advances the clock, nothing waits."""

    def __init__(self) -> None:
        self.now = 100.0
        self.sleeps: list[float] = []

    def clock(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Flaky:
    """A transaction that fails with `errors` in turn, then returns "done"; counts its attempts."""

    def __init__(self, *errors: Exception, cost: float = 0.0, clock: FakeClock | None = None) -> None:
        self.errors = list(errors)
        self.attempts = 0
        self.cost, self.fake = cost, clock

    def __call__(self) -> str:
        self.attempts += 1
        if self.fake is not None:
            self.fake.now += self.cost  # each attempt takes time too (a connect timeout, say)
        if self.errors:
            raise self.errors.pop(0)
        return "done"


def retrier(fake: FakeClock, budget: float) -> Retrier:
    # Jitter 0 halves each pause: 0.25, 0.5, 1, 2, 4, 4, ...
    return Retrier(budget, Backoff(first=0.5, cap=8.0), fake.clock, fake.sleep, lambda: 0.0)


def test_a_restart_within_the_budget_is_ridden_out() -> None:
    fake = FakeClock()
    work = Flaky(*[wrapped(REFUSED)] * 5)
    assert retrier(fake, budget=60).call(work) == "done"
    assert work.attempts == 6
    assert fake.sleeps == pytest.approx([0.25, 0.5, 1, 2, 4])


def test_an_outage_longer_than_the_budget_gives_up_with_the_one_line() -> None:
    fake = FakeClock()
    work = Flaky(*[wrapped(REFUSED)] * 1000)
    with pytest.raises(DatabaseUnavailable) as raised:
        retrier(fake, budget=10).call(work)
    assert str(raised.value) == unavailable_message(10, wrapped(REFUSED))
    # 0.25 + 0.5 + 1 + 2 + 4 = 7.75 s, then only the 2.25 s left, then one last attempt.
    assert fake.sleeps == pytest.approx([0.25, 0.5, 1, 2, 4, 2.25])
    assert sum(fake.sleeps) == pytest.approx(10)
    assert work.attempts == 7


def test_the_budget_counts_the_attempts_time_too() -> None:
    fake = FakeClock()
    work = Flaky(*[wrapped(REFUSED)] * 1000, cost=3.0, clock=fake)
    with pytest.raises(DatabaseUnavailable):
        retrier(fake, budget=10).call(work)
    # The clock starts at the first failure (t=3): attempts end at 6.25, 9.75 and 13.75; the last
    # one began inside the budget, so the give-up comes at most one attempt past it.
    assert fake.now - 100.0 == pytest.approx(13.75)
    assert fake.sleeps == pytest.approx([0.25, 0.5, 1])
    assert work.attempts == 4


def test_a_zero_budget_gives_up_at_the_first_transient_error() -> None:
    fake = FakeClock()
    with pytest.raises(DatabaseUnavailable):
        retrier(fake, budget=0).call(Flaky(wrapped(REFUSED)))
    assert fake.sleeps == []


def test_other_errors_propagate_at_once() -> None:
    fake = FakeClock()
    work = Flaky(wrapped(REFUSED), IntegrityError("INSERT", {}, pg.UniqueViolation("duplicate key")))
    with pytest.raises(IntegrityError):
        retrier(fake, budget=60).call(work)
    assert work.attempts == 2


@pytest.fixture
def locked_sqlite(tmp_path: Path) -> Iterator[tuple[str, sqlite3.Connection]]:
    """A SQLite database with a 0.1 s busy timeout, and another connection holding its write lock."""
    path = tmp_path / "locked.db"
    url = f"sqlite:///{path}?timeout=0.1"
    run_transaction(url, lambda session: session.connection().exec_driver_sql("CREATE TABLE t (x)"), budget=0)
    locker = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    locker.execute("BEGIN EXCLUSIVE")
    yield url, locker
    locker.close()
    dispose_engine(url)


def test_the_url_sets_sqlites_busy_timeout(locked_sqlite: tuple[str, sqlite3.Connection]) -> None:
    url, _ = locked_sqlite
    connection = get_engine(url).raw_connection()  # no transaction: the lock is held elsewhere
    try:
        assert connection.cursor().execute("PRAGMA busy_timeout").fetchone() == (100,)
    finally:
        connection.close()


def test_a_sqlite_lock_past_the_budget_gives_up(locked_sqlite: tuple[str, sqlite3.Connection]) -> None:
    url, _ = locked_sqlite
    started = time.monotonic()
    with pytest.raises(DatabaseUnavailable, match=r"^database unreachable for 0.5 s: .*database is locked; "):
        run_transaction(
            url, lambda session: session.connection().exec_driver_sql("INSERT INTO t VALUES (1)"), budget=0.5
        )
    assert time.monotonic() - started < 5


def test_a_sqlite_lock_released_within_the_budget_is_waited_out(
    locked_sqlite: tuple[str, sqlite3.Connection],
) -> None:
    url, locker = locked_sqlite
    release = threading.Timer(0.6, locker.execute, ["COMMIT"])  # six busy timeouts later
    release.start()
    try:
        run_transaction(
            url, lambda session: session.connection().exec_driver_sql("INSERT INTO t VALUES (1)"), budget=10
        )
    finally:
        release.join()
    rows = run_transaction(
        url, lambda session: session.connection().exec_driver_sql("SELECT count(*) FROM t").scalar(), budget=0
    )
    assert rows == 1


def test_a_read_only_transaction_reads_beside_a_writer_that_holds_the_lock(
    locked_sqlite: tuple[str, sqlite3.Connection],
) -> None:
    url, _ = locked_sqlite

    def count(session: Session) -> int:
        return int(session.connection().exec_driver_sql("SELECT count(*) FROM t").scalar() or 0)

    started = time.monotonic()
    assert run_transaction(url, count, budget=0, read_only=True) == 0
    assert time.monotonic() - started < 0.1 * 5  # no busy wait: it took no write lock
    # The same lookup as a read-write transaction queues behind the writer.
    with pytest.raises(DatabaseUnavailable, match="database is locked"):
        run_transaction(url, count, budget=0)
