"""A real `prefect server start`: run `newsflow ingest` against it and read the run back through its API.

tests/e2e/test_serve.py and tests/e2e/test_worker.py use the same server (`SHARED_SERVER`): starting one
costs seconds.
"""

from __future__ import annotations

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from prefect.client.orchestration import SyncPrefectClient, get_client
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    FlowFilter,
    FlowFilterName,
    FlowRunFilter,
    FlowRunFilterStartTime,
    TaskRunFilter,
    TaskRunFilterFlowRunId,
)
from prefect.client.schemas.objects import FlowRun
from prefect.settings import PREFECT_API_URL, temporary_settings
from sqlmodel import select

from newsflow.flows.summary import COLUMNS
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article
from tests.site import NewsSite, load_fixture_articles

BIN = Path(sys.executable).parent
REPO_ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT = 90.0


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def stop_process(process: subprocess.Popen[bytes], *, grace: float = 15) -> None:
    """Stop a process started with start_new_session=True, and everything it started."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        with suppress(subprocess.TimeoutExpired):
            process.wait(timeout=grace)
    with suppress(ProcessLookupError):  # children may outlive their parent: end the whole group
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=15)


@dataclass(frozen=True)
class PrefectServer:
    """A `prefect server start` subprocess on 127.0.0.1, and how to talk to it."""

    api_url: str
    home: Path

    def env(self, **extra: str) -> dict[str, str]:
        """An environment for a subprocess that talks to this server, free of developer settings."""
        env = {
            name: value
            for name, value in os.environ.items()
            if not name.startswith(("NEWSFLOW_", "PREFECT_")) and name != "DATABASE_URL"
        }
        env.update(
            PREFECT_API_URL=self.api_url,
            PREFECT_HOME=str(self.home / "client"),
            PREFECT_SERVER_ANALYTICS_ENABLED="false",
            DO_NOT_TRACK="1",
            NO_PROXY="*",
            NEWSFLOW_MAX_RETRIES="0",
            NEWSFLOW_EXTRACT_WORKERS="1",
        )
        env.update(extra)
        return env

    @contextmanager
    def client(self) -> Iterator[SyncPrefectClient]:
        with temporary_settings(updates={PREFECT_API_URL: self.api_url}), get_client(sync_client=True) as c:
            yield c

    def run(
        self, args: Sequence[str], *, env: dict[str, str], cwd: Path, timeout: float = 120
    ) -> subprocess.CompletedProcess[str]:
        """Run a console script of this venv (`newsflow`, `prefect`) to completion."""
        return subprocess.run(
            [str(BIN / args[0]), *args[1:]],
            env=env,
            cwd=cwd,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )


def _wait_until_healthy(process: subprocess.Popen[bytes], url: str, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"prefect server exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"prefect server did not answer within {STARTUP_TIMEOUT:g} s:\n{log.read_text()}")


@contextmanager
def running_prefect_server(home: Path) -> Iterator[PrefectServer]:
    """`prefect server start` on a free port, its database a SQLite file in `home` (its PREFECT_HOME)."""
    port = free_port()
    server = PrefectServer(api_url=f"http://127.0.0.1:{port}/api", home=home)
    env = server.env(
        PREFECT_HOME=str(home),
        PREFECT_API_DATABASE_CONNECTION_URL=f"sqlite+aiosqlite:///{home / 'prefect.db'}",
    )
    del env["PREFECT_API_URL"]
    log = home / "server.log"
    # No scheduler: the tests trigger every run themselves, so no 15-minute run starts on its own.
    command = ["server", "start", "--host", "127.0.0.1", "--port", str(port), "--no-ui", "--no-scheduler"]
    with log.open("wb") as output:
        process = subprocess.Popen(
            [str(BIN / "prefect"), *command],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_healthy(process, server.api_url, log)
            yield server
        finally:
            # Its database is a throwaway file: no need to wait for a graceful shutdown.
            stop_process(process, grace=2)


class SharedServer:
    """One server for every module that asks for it; the last user to finish stops it."""

    def __init__(self) -> None:
        self._users = 0
        self._stack = ExitStack()
        self._server: PrefectServer | None = None

    @contextmanager
    def use(self, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
        if self._users == 0:
            home = tmp_path_factory.mktemp("prefect-server")
            self._server = self._stack.enter_context(running_prefect_server(home))
        assert self._server is not None
        self._users += 1
        try:
            yield self._server
        finally:
            self._users -= 1
            if self._users == 0:
                self._server = None
                self._stack.close()


SHARED_SERVER = SharedServer()


# Each module that uses the server defines this same session fixture; all share SHARED_SERVER.
@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    with SHARED_SERVER.use(tmp_path_factory) as server:
        yield server


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite.start(articles=load_fixture_articles()[:3], widget=False) as news:
        news.add_feed("/listing/faults.xml", urls=["/fault/500?run=server", "/fault/404"])
        yield news


def _sources(path: Path, site: NewsSite) -> Path:
    path.write_text(
        "sources:\n"
        f'  - name: daily\n    feeds: ["{site.url("/feed.xml")}"]\n'
        f'  - name: faulty\n    feeds: ["{site.url("/listing/faults.xml")}"]\n'
        f'  - name: broken\n    feeds: ["{site.url("/fault/410")}"]\n',
        encoding="utf-8",
    )
    return path


def _ingest_run(client: SyncPrefectClient, since: datetime) -> FlowRun:
    runs = client.read_flow_runs(
        flow_filter=FlowFilter(name=FlowFilterName(any_=["ingest"])),
        flow_run_filter=FlowRunFilter(start_time=FlowRunFilterStartTime(after_=since)),
    )
    assert len(runs) == 1, [r.name for r in runs]
    return runs[0]


def _artifacts(client: SyncPrefectClient, run: FlowRun) -> dict[str, Any]:
    artifacts = client.read_artifacts(
        artifact_filter=ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[run.id]))
    )
    return {a.key: a for a in artifacts if a.key}


def test_an_ingest_run_reads_back_with_its_name_tags_tasks_message_and_artifacts(
    prefect_server: PrefectServer, site: NewsSite, tmp_path: Path, database_url: str
) -> None:
    sources = _sources(tmp_path / "sources.yaml", site)
    started = datetime.now(UTC)
    result = prefect_server.run(
        ["newsflow", "ingest", "--sources", str(sources)],
        env=prefect_server.env(DATABASE_URL=database_url),
        cwd=tmp_path,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "broken: FAILED" in result.stderr

    with prefect_server.client() as client:
        run = _ingest_run(client, started)
        tasks = client.read_task_runs(
            task_run_filter=TaskRunFilter(flow_run_id=TaskRunFilterFlowRunId(any_=[run.id]))
        )
        artifacts = _artifacts(client, run)

    assert re.fullmatch(r"ingest-\d{4}-\d\d-\d\dT\d\d-\d\d", run.name), run.name
    assert {"newsflow", "ingest"} <= set(run.tags)
    assert run.state is not None and run.state.is_completed()
    message = run.state.message or ""
    assert "1 pages failed and will be retried next run" in message and "unhealthy: broken" in message

    assert sorted(t.name for t in tasks) == ["ingest-broken", "ingest-daily", "ingest-faulty"]
    for task in tasks:
        assert task.tags == []  # a tagged task run costs a concurrency-slot round trip (flows/run.py)
        assert task.state is not None
        if task.name == "ingest-broken":  # the dashboard counts a failed source as a failed run
            assert task.state.is_failed(), task.state
            assert (task.state.message or "").startswith("broken: every feed and sitemap failed")
        else:
            assert task.state.is_completed(), task.state
    assert "ingest-progress" in artifacts

    table = artifacts["ingest-summary"]
    assert table.type == "table"
    rows = {row["source"]: row for row in json.loads(table.data)}
    assert set(rows) == {"daily", "faulty", "broken"}
    assert all(set(COLUMNS) <= set(row) for row in rows.values())
    assert (rows["daily"]["new"], rows["daily"]["failed"], rows["daily"]["status"]) == (3, 0, "ok")
    assert (rows["faulty"]["failed"], rows["faulty"]["skipped"], rows["faulty"]["new"]) == (1, 1, 0)
    assert rows["broken"]["status"] == "failed"
    assert (
        rows["broken"]["reason"].startswith("every feed and sitemap failed: ")
        and rows["daily"]["reason"] == ""
    )
    stats = artifacts["ingest-stats"]  # everything stored so far, as `newsflow stats` shows it
    assert stats.type == "table"
    by_source = {row["source"]: row for row in json.loads(stats.data)}
    assert set(by_source) == {"daily", "faulty", "broken"}
    assert (by_source["daily"]["articles"], by_source["daily"]["duplicates"]) == (3, 0)
    assert by_source["daily"]["last_success"] != "never" and by_source["daily"]["blocked"] == "no"
    assert (by_source["broken"]["articles"], by_source["broken"]["consecutive_failures"]) == (0, 1)
    assert by_source["broken"]["last_success"] == "never"
    failures = artifacts["ingest-failures"]
    assert failures.type == "markdown"
    assert "/fault/500?run=server" in failures.data and "## broken" in failures.data

    with session_scope(database_url) as session:
        assert len(session.exec(select(Article)).all()) == 3


def test_a_run_where_every_source_failed_is_failed_in_the_api(
    prefect_server: PrefectServer, site: NewsSite, tmp_path: Path, database_url: str
) -> None:
    sources = _sources(tmp_path / "sources.yaml", site)
    started = datetime.now(UTC)
    result = prefect_server.run(
        ["newsflow", "ingest", "--sources", str(sources), "--source", "broken"],
        env=prefect_server.env(DATABASE_URL=database_url),
        cwd=tmp_path,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    with prefect_server.client() as client:
        run = _ingest_run(client, started)
        artifacts = _artifacts(client, run)
    assert run.state is not None and run.state.is_failed()
    assert (run.state.message or "").startswith("every source failed")
    assert [row["source"] for row in json.loads(artifacts["ingest-summary"].data)] == ["broken"]
