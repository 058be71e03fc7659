"""The database goes away in the middle of `newsflow ingest`: a restart is ridden out, a longer
outage ends the run with one line, and nothing is lost or stored twice either way.

PostgreSQL here is a private cluster of this test (tests/support/pg_cluster.py), never the shared
server; SQLite's outage is another connection holding the write lock past busy_timeout.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import httpx
import psycopg
import pytest
from prefect.client.orchestration import get_client
from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterState, FlowRunFilterStateType
from prefect.client.schemas.objects import StateType

from newsflow.storage.db import dispose_engine
from tests.e2e.test_crash_resume import (
    assert_every_page_stored_once,
    cli_environment,
    slow_site,
    start_ingest,
    stored_count,
)
from tests.site import NewsSite, Response, load_fixture_articles
from tests.support.pg_cluster import PgCluster, find_pg_bin, private_cluster

pytestmark = pytest.mark.usefixtures("prefect_harness")

ARTICLES = load_fixture_articles()
SMALL_BATCHES = {"NEWSFLOW_BATCH_SIZE": "2", "NEWSFLOW_FETCH_CONCURRENCY": "2"}
OUTAGE = 2.5  # seconds: the database is away this long in the restart tests
GIVE_UP = re.compile(
    r"newsflow: database unreachable for 3 s: OperationalError: .+; nothing lost, run again when it is back"
)


@pytest.fixture(scope="module")
def cluster() -> Iterator[PgCluster]:
    if find_pg_bin() is None:
        pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    with private_cluster() as running:
        yield running


def _admin(cluster: PgCluster, statement: str) -> None:
    # A connection of its own each time: a pooled one would not survive the test's restarts.
    with psycopg.connect(f"host=127.0.0.1 port={cluster.port} user=postgres", autocommit=True) as admin:
        admin.execute(statement.encode())


@pytest.fixture
def pg_database(cluster: PgCluster) -> Iterator[str]:
    """A fresh database on the private cluster, which is running again afterwards whatever happened."""
    name = f"newsflow_outage_{uuid.uuid4().hex[:12]}"
    _admin(cluster, f'CREATE DATABASE "{name}"')
    try:
        yield cluster.url(name)
    finally:
        if not cluster.running():
            cluster.start()
        dispose_engine(cluster.url(name))
        _admin(cluster, f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def site() -> Iterator[NewsSite]:
    running = slow_site(ARTICLES)
    yield running
    running.stop()


def write_sources(folder: Path, site: NewsSite) -> Path:
    sources = folder / "sources.yaml"
    sources.write_text(
        f'sources:\n  - name: daily\n    feeds: ["{site.url("/feed.xml")}"]\n', encoding="utf-8"
    )
    return sources


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[bytes], seconds: float = 90) -> None:
    """Poll until `condition` holds while `process` still runs; fail with its stderr otherwise."""
    deadline = time.monotonic() + seconds
    while not condition() and process.poll() is None and time.monotonic() < deadline:
        time.sleep(0.05)  # polling the database, not standing in for an assertion
    assert process.poll() is None, process.communicate()[1].decode()[-3000:]
    assert condition(), "timed out"


def finish(process: subprocess.Popen[bytes], seconds: float = 120) -> tuple[int, str]:
    """Wait for the run; its exit code and its stdout and stderr together. Kills it on a timeout."""
    try:
        out, err = process.communicate(timeout=seconds)
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
    return process.returncode, out.decode() + err.decode()


def article_requests(site: NewsSite) -> int:
    return sum(1 for path in site.requested_paths() if path.startswith("/news/"))


def test_a_postgresql_restart_during_an_ingest_is_ridden_out(
    cluster: PgCluster, pg_database: str, site: NewsSite, tmp_path: Path
) -> None:
    env = cli_environment(
        pg_database, write_sources(tmp_path, site), NEWSFLOW_DB_RETRY_SECONDS="20", **SMALL_BATCHES
    )
    process = start_ingest(env, tmp_path)
    try:
        wait_for(lambda: stored_count(pg_database) >= 4, process)
        cluster.stop()
        requested_at_stop = article_requests(site)
        time.sleep(OUTAGE)  # the outage itself
        requested_while_down = article_requests(site) - requested_at_stop
        assert process.poll() is None, "the run ended while the database was down"
        cluster.start()
    finally:
        code, output = finish(process)
    assert code == 0, output[-3000:]
    assert "Traceback" not in output
    # Fetching waited for the database: at most the batch being fetched and the next one.
    assert requested_while_down <= 4
    assert_every_page_stored_once(pg_database, len(ARTICLES))


def failed_flow_run_messages() -> list[str | None]:
    failed = FlowRunFilter(state=FlowRunFilterState(type=FlowRunFilterStateType(any_=[StateType.FAILED])))
    with get_client(sync_client=True) as client:
        return [
            run.state.message if run.state else None for run in client.read_flow_runs(flow_run_filter=failed)
        ]


def test_a_postgresql_outage_past_the_budget_stops_the_run_with_one_line_and_the_rerun_completes(
    cluster: PgCluster, pg_database: str, site: NewsSite, tmp_path: Path
) -> None:
    sources = write_sources(tmp_path, site)
    env = cli_environment(pg_database, sources, NEWSFLOW_DB_RETRY_SECONDS="3", **SMALL_BATCHES)
    process = start_ingest(env, tmp_path)
    try:
        wait_for(lambda: stored_count(pg_database) >= 2, process)
        cluster.stop()
        code, output = finish(process, seconds=90)
    finally:
        if not cluster.running():
            cluster.start()
    assert code == 1, output[-3000:]
    assert "Traceback" not in output
    ours = [line for line in output.splitlines() if line.startswith("newsflow:")]
    assert len(ours) == 1 and GIVE_UP.fullmatch(ours[0]), output[-3000:]
    assert ours[0].removeprefix("newsflow: ") in failed_flow_run_messages()
    assert stored_count(pg_database) < len(ARTICLES)

    rerun = start_ingest(cli_environment(pg_database, sources, **SMALL_BATCHES), tmp_path)
    code, output = finish(rerun)
    assert code == 0, output[-3000:]
    assert_every_page_stored_once(pg_database, len(ARTICLES))


def test_a_backfill_stops_on_an_outage_with_the_same_one_line(
    cluster: PgCluster, pg_database: str, site: NewsSite, tmp_path: Path
) -> None:
    feed = httpx.get(site.url("/feed.xml")).content
    listed, go_on = threading.Event(), threading.Event()

    def gated_feed(request: object) -> Response:
        listed.set()
        go_on.wait(60)  # the database goes away while the run waits for its listing
        return Response(body=feed, content_type="application/rss+xml")

    site.route("/gated/feed.xml", gated_feed)
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f'sources:\n  - name: daily\n    feeds: ["{site.url("/gated/feed.xml")}"]\n', encoding="utf-8"
    )
    env = cli_environment(pg_database, sources, NEWSFLOW_DB_RETRY_SECONDS="3")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "newsflow.flows.cli",
            "backfill",
            "--since",
            "2019-11-19",
            "--until",
            "2019-11-20",
        ],
        env=env,
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        wait_for(listed.is_set, process)
        cluster.stop()
        go_on.set()
        code, output = finish(process, seconds=90)
    finally:
        go_on.set()
        if not cluster.running():
            cluster.start()
    assert code == 1, output[-3000:]
    assert "Traceback" not in output
    ours = [line for line in output.splitlines() if line.startswith("newsflow:")]
    assert len(ours) == 1 and GIVE_UP.fullmatch(ours[0]), output[-3000:]
    # The second day did not start: the first one's outage stopped the backfill.
    assert not [line for line in output.splitlines() if "backfill-day-2019-11-20" in line]


def sqlite_count(path: Path) -> int:
    if not path.exists():
        return 0
    with contextlib.closing(sqlite3.connect(path, timeout=10)) as connection:
        try:
            return int(connection.execute("SELECT count(*) FROM article").fetchone()[0])
        except sqlite3.OperationalError:
            return 0  # not migrated yet


def test_a_sqlite_lock_held_past_busy_timeout_is_waited_out(site: NewsSite, tmp_path: Path) -> None:
    path = tmp_path / "db" / "newsflow.db"
    # A half-second busy_timeout: the lock below outlasts it several times over.
    url = f"sqlite:///{path}?timeout=0.5"
    env = cli_environment(url, write_sources(tmp_path, site), NEWSFLOW_DB_RETRY_SECONDS="30", **SMALL_BATCHES)
    process = start_ingest(env, tmp_path)
    try:
        wait_for(lambda: sqlite_count(path) >= 4, process)
        with contextlib.closing(sqlite3.connect(path, timeout=10, isolation_level=None)) as locker:
            locker.execute("BEGIN EXCLUSIVE")
            requested_at_lock = article_requests(site)
            time.sleep(OUTAGE)
            requested_while_locked = article_requests(site) - requested_at_lock
            assert process.poll() is None, "the run ended while the database was locked"
            locker.execute("COMMIT")
    finally:
        code, output = finish(process)
    assert code == 0, output[-3000:]
    assert "Traceback" not in output
    assert requested_while_locked <= 4
    try:
        assert_every_page_stored_once(url, len(ARTICLES))
    finally:
        dispose_engine(url)
