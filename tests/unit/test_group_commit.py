"""Write transactions of many threads committed together, each with its own result or error."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import text
from sqlmodel import Session

from newsflow.storage.db import session_scope
from newsflow.storage.group_commit import GroupCommit


def test_jobs_queued_while_one_commits_go_in_one_transaction_each_with_its_result(
    migrated_database: str,
) -> None:
    group = GroupCommit(migrated_database)
    first_running, release = threading.Event(), threading.Event()
    sessions: dict[int, Session] = {}  # kept alive: a dead session's id() may be reused

    def job(n: int) -> int:
        def work(session: Session) -> int:
            if n == 0:  # the first leader holds its transaction until the others have queued
                first_running.set()
                release.wait(10)
            session.execute(
                text(
                    "INSERT INTO source_health (source, consecutive_failures, blocked) VALUES (:s, :n, false)"
                ),
                {"s": f"s{n}", "n": n},
            )
            sessions[n] = session
            return n * 10

        return group.run(work, budget=5)

    with ThreadPoolExecutor(max_workers=9) as pool:
        first = pool.submit(job, 0)
        assert first_running.wait(10)
        rest = [pool.submit(job, n) for n in range(1, 9)]
        while group.queued < 8:  # all eight wait behind the first
            threading.Event().wait(0.01)
        release.set()
        assert [f.result() for f in [first, *rest]] == [n * 10 for n in range(9)]
    assert all(sessions[n] is sessions[1] for n in range(2, 9)) and sessions[0] is not sessions[1]
    with session_scope(migrated_database) as session:
        count = session.execute(text("SELECT count(*) FROM source_health")).scalar()
    assert count == 9


def test_a_failing_job_fails_alone(migrated_database: str) -> None:
    group = GroupCommit(migrated_database)
    first_running, release = threading.Event(), threading.Event()

    def insert(name: str, *, hold: bool = False, fail: bool = False) -> str:
        def work(session: Session) -> str:
            if hold:
                first_running.set()
                release.wait(10)
            session.execute(
                text(
                    "INSERT INTO source_health (source, consecutive_failures, blocked) VALUES (:s, 0, false)"
                ),
                {"s": name},
            )
            if fail:
                raise ValueError(f"{name} is wrong")
            return name

        return group.run(work, budget=5)

    with ThreadPoolExecutor(max_workers=4) as pool:
        held = pool.submit(insert, "held", hold=True)
        assert first_running.wait(10)
        good = pool.submit(insert, "good")
        bad = pool.submit(insert, "bad", fail=True)
        other = pool.submit(insert, "other")
        while group.queued < 3:
            threading.Event().wait(0.01)
        release.set()
        assert (held.result(), good.result(), other.result()) == ("held", "good", "other")
        with pytest.raises(ValueError, match="bad is wrong"):
            bad.result()
    with session_scope(migrated_database) as session:
        stored = set(session.execute(text("SELECT source FROM source_health")).scalars())
    assert stored == {"held", "good", "other"}
