"""Riding out a database restart: which errors are transient, and running a transaction again.

A managed PostgreSQL restarts or fails over for seconds to a minute, and SQLite answers
"database is locked" once another writer holds it past busy_timeout. Neither loses committed
data, so a transaction that failed with one of these is run again, whole, with capped
exponential backoff, until the retry budget is spent; then `DatabaseUnavailable` stops the run.
"""

from __future__ import annotations

import random
import sqlite3
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import TypeVar

import psycopg
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session

from newsflow.errors import DatabaseUnavailable
from newsflow.storage.db import session_scope

T = TypeVar("T")

# SQLSTATEs that a retry can cure: connection exceptions (class 08), the server shutting down or
# starting up (57P01 admin_shutdown, 57P02 crash_shutdown, 57P03 cannot_connect_now), too many
# connections while a failover settles (53300), serialization failures and deadlocks.
_TRANSIENT_SQLSTATES = frozenset({"57P01", "57P02", "57P03", "53300", "40001", "40P01"})
# libpq reports a failed connect or a dropped connection as text, without a SQLSTATE.
_TRANSIENT_MESSAGES = (
    "connection refused",
    "connection reset",
    "could not connect",
    "server closed the connection",
    "connection is closed",
    "connection is lost",
    "no connection to the server",
    "consuming input failed",
    "could not receive data",
    "could not send data",
    "terminating connection",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
    "not yet accepting connections",
    "timeout expired",
    "ssl syscall error",
)
# SQLITE_BUSY and SQLITE_LOCKED: another connection holds the lock past busy_timeout.
_SQLITE_BUSY_CODES = frozenset({5, 6})


def _chain(exc: BaseException) -> Iterator[BaseException]:
    """`exc`, the driver error SQLAlchemy wraps, and their causes, each once."""
    seen: set[int] = set()
    todo: list[BaseException | None] = [exc]
    while todo:
        item = todo.pop()
        if item is None or id(item) in seen:
            continue
        seen.add(id(item))
        yield item
        orig = getattr(item, "orig", None)
        todo.extend([item.__context__, item.__cause__, orig if isinstance(orig, BaseException) else None])


def _transient_one(exc: BaseException) -> bool:
    if isinstance(exc, DBAPIError) and exc.connection_invalidated:
        return True
    if isinstance(exc, psycopg.Error):
        if exc.sqlstate is not None:
            return exc.sqlstate.startswith("08") or exc.sqlstate in _TRANSIENT_SQLSTATES
        message = str(exc).lower()
        return isinstance(exc, psycopg.OperationalError) and any(m in message for m in _TRANSIENT_MESSAGES)
    if isinstance(exc, sqlite3.OperationalError):
        code = getattr(exc, "sqlite_errorcode", None)
        if code is not None:
            return code & 0xFF in _SQLITE_BUSY_CODES
        return "database is locked" in str(exc) or "database table is locked" in str(exc)
    return False


def is_transient(exc: BaseException) -> bool:
    """Whether `exc` is a database outage or lock a later attempt can get past (not a bad query,
    a bad password or a constraint)."""
    if isinstance(exc, DatabaseUnavailable):
        return False  # an inner retry already spent the budget
    return any(_transient_one(item) for item in _chain(exc))


def reason(exc: BaseException) -> str:
    """The driver's own words for `exc`, on one line: what the give-up message quotes."""
    driver = next((e for e in _chain(exc) if isinstance(e, psycopg.Error | sqlite3.Error)), exc)
    first = next((line.strip() for line in str(driver).splitlines() if line.strip()), "")
    return f"{type(driver).__name__}: {first}" if first else type(driver).__name__


def unavailable_message(budget: float, exc: BaseException) -> str:
    """The one line a run that gave up on the database ends with."""
    return f"database unreachable for {budget:g} s: {reason(exc)}; nothing lost, run again when it is back"


@dataclass(frozen=True, slots=True)
class Backoff:
    """Capped exponential backoff: first, 2×first, 4×first, … up to `cap` seconds, each scaled by
    a jitter in [0.5, 1) so that sources waiting on the same restart do not reconnect in step."""

    first: float = 0.25
    cap: float = 5.0

    def delay(self, attempt: int, jitter: float) -> float:
        """The pause after failed attempt number `attempt` (0 for the first); jitter in [0, 1)."""
        return min(self.cap, self.first * 2.0 ** min(attempt, 32)) * (0.5 + jitter / 2)


@dataclass(frozen=True, slots=True)
class Retrier:
    """Runs a call again on transient database errors for up to `budget` seconds; clock, sleep and
    jitter are injected so the budget logic is tested without waiting."""

    budget: float
    backoff: Backoff = Backoff()
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    jitter: Callable[[], float] = random.random

    def call(self, attempt_once: Callable[[], T]) -> T:
        """The result of `attempt_once()`, attempted again after each transient error until the
        budget is spent; then DatabaseUnavailable. Other errors propagate at once."""
        started: float | None = None
        attempt = 0
        while True:
            try:
                return attempt_once()
            except Exception as exc:
                if not is_transient(exc):
                    raise
                now = self.clock()
                started = now if started is None else started
                left = self.budget - (now - started)
                if left <= 0:
                    raise DatabaseUnavailable(unavailable_message(self.budget, exc)) from exc
                self.sleep(min(left, self.backoff.delay(attempt, self.jitter())))
                attempt += 1


def run_transaction(
    database_url: str, work: Callable[[Session], T], *, budget: float, read_only: bool = False
) -> T:
    """`work(session)` in one transaction, run again whole (a fresh session) after a transient error:
    a transaction that failed committed nothing, so nothing is half-written or written twice.
    `read_only` when `work` only reads (see session_scope)."""

    def attempt_once() -> T:
        with session_scope(database_url, read_only=read_only) as session:
            return work(session)

    return Retrier(budget).call(attempt_once)
