"""`newsflow serve` against a real Prefect server: both deployments registered, a backfill run from the CLI."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest
from prefect.client.orchestration import SyncPrefectClient
from prefect.client.schemas.filters import (
    DeploymentFilter,
    DeploymentFilterId,
    FlowRunFilter,
    FlowRunFilterId,
)
from prefect.client.schemas.objects import ConcurrencyLimitStrategy, FlowRun
from prefect.client.schemas.responses import DeploymentResponse
from prefect.client.schemas.schedules import IntervalSchedule
from prefect.exceptions import ObjectNotFound, PrefectHTTPStatusError
from sqlmodel import select

from newsflow.storage.db import session_scope
from newsflow.storage.models import Article
from tests.e2e.test_prefect_server import BIN, REPO_ROOT, SHARED_SERVER, PrefectServer, stop_process
from tests.site import NewsSite, load_fixture_articles

# Two fixture pages published on 2019-11-19 (UTC), by their listing and by their own metadata.
DAY = "2019-11-19"
PAGES = ("06e5123e4e", "7dfc3e359d")
REGISTER_TIMEOUT = 60.0


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    with SHARED_SERVER.use(tmp_path_factory) as server:
        yield server


@pytest.fixture
def site() -> Iterator[NewsSite]:
    pages = [a for a in load_fixture_articles() if a.id[:10] in PAGES]
    with NewsSite.start(articles=pages, widget=False) as news:
        yield news


def _deployment(client: SyncPrefectClient, name: str) -> DeploymentResponse | None:
    try:
        return client.read_deployment_by_name(name)
    except ObjectNotFound:
        return None


def _default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def _wait_for_deployments(
    server: PrefectServer, process: subprocess.Popen[bytes], log: Path
) -> dict[str, DeploymentResponse]:
    deadline = time.monotonic() + REGISTER_TIMEOUT
    with server.client() as client:
        while time.monotonic() < deadline:
            assert process.poll() is None, f"newsflow serve exited:\n{log.read_text()}"
            found = {n: _deployment(client, n) for n in ("ingest/scheduled", "backfill/by-date")}
            # Serve registers, then polls; "last_polled" says its runner is up and watching.
            if all(d is not None and d.last_polled is not None for d in found.values()):
                return {n: d for n, d in found.items() if d is not None}
            time.sleep(0.5)
    pytest.fail(f"newsflow serve did not register both deployments:\n{log.read_text()}")


def _final(server: PrefectServer, run_id: UUID) -> FlowRun:
    deadline = time.monotonic() + REGISTER_TIMEOUT
    with server.client() as client:
        while time.monotonic() < deadline:
            run = client.read_flow_run(run_id)
            if run.state is not None and run.state.is_final():
                return run
            time.sleep(0.5)
    pytest.fail(f"flow run {run_id} did not finish: {run.state}")


def test_serve_registers_both_deployments_and_runs_a_backfill_triggered_from_the_cli(
    prefect_server: PrefectServer, site: NewsSite, tmp_path: Path, database_url: str
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f'sources:\n  - name: gazette\n    feeds: ["{site.url("/feed.xml")}"]\n', encoding="utf-8"
    )
    # Served runs read their settings from the serve process's environment and the .env of its folder.
    env = prefect_server.env(NEWSFLOW_SOURCES=str(sources), PREFECT_RUNNER_POLL_FREQUENCY="1")
    log = tmp_path / "serve.log"
    elsewhere = tmp_path / "cwd"  # not the checkout
    elsewhere.mkdir()
    (elsewhere / ".env").write_text(f"DATABASE_URL={database_url}\n", encoding="utf-8")
    with log.open("wb") as output:
        serve = subprocess.Popen(
            [str(BIN / "newsflow"), "serve", "--deployments", str(REPO_ROOT / "deployments.yaml")],
            env=env,
            cwd=elsewhere,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            # As from a terminal: a suite started in the background by a non-interactive shell
            # inherits SIGINT ignored, and Python then never turns Ctrl-C into KeyboardInterrupt.
            preexec_fn=_default_sigint,
        )
        try:
            deployments = _wait_for_deployments(prefect_server, serve, log)
            scheduled, by_date = deployments["ingest/scheduled"], deployments["backfill/by-date"]
            [schedule] = scheduled.schedules
            assert isinstance(schedule.schedule, IntervalSchedule) and schedule.active
            assert schedule.schedule.interval == timedelta(minutes=15)
            assert scheduled.concurrency_options is not None
            assert scheduled.concurrency_options.collision_strategy is ConcurrencyLimitStrategy.CANCEL_NEW
            assert by_date.schedules == [] and by_date.work_pool_name is None
            properties = by_date.parameter_openapi_schema or {}
            assert properties["properties"]["since"]["format"] == "date"

            with prefect_server.client() as client:
                with pytest.raises(PrefectHTTPStatusError, match="409"):
                    # The server checks parameter types against the flow's schema (not date formats).
                    client.create_flow_run_from_deployment(by_date.id, parameters={"since": 5, "until": DAY})
                # A string the flow cannot read as a date is accepted, and fails its run.
                bad = client.create_flow_run_from_deployment(
                    by_date.id, parameters={"since": "soon", "until": DAY}
                )

            run = ["prefect", "deployment", "run", "backfill/by-date", "--watch", "--watch-timeout", "120"]
            result = prefect_server.run(
                [*run, "--param", f"since={DAY}", "--param", f"until={DAY}"],
                env=env,
                cwd=elsewhere,
                timeout=180,
            )
            assert result.returncode == 0, result.stdout + result.stderr + log.read_text()
            assert "finished successfully" in result.stdout

            failed = _final(prefect_server, bad.id)
            assert failed.state is not None and failed.state.is_failed()
            assert "since" in (failed.state.message or ""), failed.state.message
            with prefect_server.client() as client:
                [good] = client.read_flow_runs(
                    deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[by_date.id])),
                    flow_run_filter=FlowRunFilter(id=FlowRunFilterId(not_any_=[bad.id])),
                )
            assert good.name == f"backfill-{DAY}-to-{DAY}"
            assert {"newsflow", "backfill"} <= set(good.tags)
            assert good.state is not None and good.state.is_completed(), good.state
            with session_scope(database_url) as session:
                stored = {a.fetched_url for a in session.exec(select(Article)).all()}
            assert stored == set(site.article_urls())

            # Ctrl-C: the runner stops, the schedule stays on for the next `newsflow serve`.
            serve.send_signal(signal.SIGINT)
            serve.wait(timeout=30)
            with prefect_server.client() as client:
                after = client.read_deployment_by_name("ingest/scheduled")
            assert not after.paused and all(s.active for s in after.schedules)
            assert serve.returncode == 0
            assert "stopped serving; the schedules stay on" in log.read_text()
        finally:
            stop_process(serve)
