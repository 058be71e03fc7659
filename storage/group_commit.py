"""Group commit: small write transactions of many threads, committed together.

Hundreds of sources finishing at once each write a few rows (their listing events, validators,
health). On SQLite every write transaction takes the one write lock: each thread then waits for
the lock while holding a pooled connection, and holds the lock while it waits for the GIL, and
a rerun of 500 sources spent a third of its sources' time in that queue. Here the first thread
to arrive commits whatever has queued meanwhile in one transaction, and the others take their
results from it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from concurrent.futures import Future
from typing import Any, TypeVar

from sqlmodel import Session

from newsflow.errors import DatabaseUnavailable
from newsflow.storage.retry import run_transaction

T = TypeVar("T")
MAX_GROUP = 32  # jobs per transaction: a group of big batches must not hold the write lock for long
_Job = tuple[Callable[[Session], Any], "Future[Any]"]


class GroupCommit:
    """Write transactions of one database, committed in groups (one leader at a time)."""

    def __init__(self, database_url: str) -> None:
        self._database_url = database_url
        self._leader = threading.Lock()  # held by the thread committing a group
        self._queue_lock = threading.Lock()
        self._queue: list[_Job] = []

    @property
    def queued(self) -> int:
        """Jobs waiting for the next group's transaction."""
        with self._queue_lock:
            return len(self._queue)

    def run(self, work: Callable[[Session], T], *, budget: float) -> T:
        """`work(session)` committed, alone or with others' work in the same transaction; its
        result, or its own exception (a failing job is run again alone, so it fails no other)."""
        done: Future[T] = Future()
        with self._queue_lock:
            self._queue.append((work, done))
        with self._leader:
            while not done.done():  # nobody took it yet: commit what queued, oldest first
                with self._queue_lock:
                    group, self._queue = self._queue[:MAX_GROUP], self._queue[MAX_GROUP:]
                self._commit(group, budget)
        return done.result()

    def _commit(self, group: list[_Job], budget: float) -> None:
        def together(session: Session) -> list[Any]:
            return [work(session) for work, _ in group]

        try:
            results = run_transaction(self._database_url, together, budget=budget)
        except DatabaseUnavailable as exc:  # the database is gone for every job alike
            for _, future in group:
                future.set_exception(exc)
        except Exception as exc:
            if len(group) == 1:
                group[0][1].set_exception(exc)
            else:  # one job's error: each alone, so that it fails no other
                for job in group:
                    self._commit([job], budget)
        except BaseException as exc:  # the leader's thread is going away: nobody may wait forever
            for _, future in group:
                if not future.done():
                    future.set_exception(exc)
            raise
        else:
            for (_, future), result in zip(group, results, strict=True):
                future.set_result(result)


_groups: dict[str, GroupCommit] = {}
_groups_lock = threading.Lock()


def commit_together(database_url: str, work: Callable[[Session], T], *, budget: float) -> T:
    """`work` in a write transaction shared with other threads' (GroupCommit), run again whole
    while the database restarts (storage.retry, within `budget` seconds)."""
    with _groups_lock:
        group = _groups.get(database_url)
        if group is None:
            group = _groups[database_url] = GroupCommit(database_url)
    return group.run(work, budget=budget)
