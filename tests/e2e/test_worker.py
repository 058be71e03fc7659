"""The scale-out path: a process work pool, `prefect deploy --prefect-file deployments.yaml --all`, a worker."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import UTC
from pathlib import Path

import pytest
from sqlmodel import select

from newsflow.storage.db import session_scope
from newsflow.storage.models import Article
from tests.e2e.test_prefect_server import REPO_ROOT, SHARED_SERVER, PrefectServer
from tests.site import NewsSite, load_fixture_articles


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    with SHARED_SERVER.use(tmp_path_factory) as server:
        yield server


def _ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_deployed_ingest_runs_on_a_process_worker_from_its_own_checkout(
    prefect_server: PrefectServer, tmp_path: Path, database_url: str
) -> None:
    machine = tmp_path / "worker-machine"  # where the worker is started: not the checkout
    machine.mkdir()
    with NewsSite.start(articles=load_fixture_articles()[:2], widget=False) as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            f'sources:\n  - name: daily\n    feeds: ["{site.url("/feed.xml")}"]\n', encoding="utf-8"
        )
        # Deployed from the checkout with NEWSFLOW_HOME unset, so each worker resolves its own.
        deployer = prefect_server.env()
        _ok(
            prefect_server.run(
                ["prefect", "work-pool", "create", "newsflow", "--type", "process", "--overwrite"],
                env=deployer,
                cwd=REPO_ROOT,
            )
        )
        deploy = ["prefect", "--no-prompt", "deploy", "--prefect-file", "deployments.yaml", "--all"]
        _ok(prefect_server.run(deploy, env=deployer, cwd=REPO_ROOT))

        with prefect_server.client() as client:
            scheduled = client.read_deployment_by_name("ingest/scheduled")
            by_date = client.read_deployment_by_name("backfill/by-date")
        assert scheduled.work_pool_name == by_date.work_pool_name == "newsflow"
        assert scheduled.pull_steps == [
            {"prefect.deployments.steps.set_working_directory": {"directory": "{{ $NEWSFLOW_HOME }}"}}
        ]
        [schedule] = scheduled.schedules
        assert schedule.active and scheduled.concurrency_options is not None
        assert by_date.schedules == [] and set(by_date.tags) >= {"newsflow", "backfill"}
        assert (by_date.parameter_openapi_schema or {})["properties"]["until"]["format"] == "date"

        with prefect_server.client() as client:
            due = client.create_flow_run_from_deployment(scheduled.id)
        worker_env = prefect_server.env(
            NEWSFLOW_HOME=str(REPO_ROOT), NEWSFLOW_SOURCES=str(sources), DATABASE_URL=database_url
        )
        # --run-once: poll once, run what is due, wait for it to finish, exit.
        worker = ["prefect", "worker", "start", "--pool", "newsflow", "--run-once", "--limit", "1"]
        result = prefect_server.run(worker, env=worker_env, cwd=machine, timeout=180)
        _ok(result)

    with prefect_server.client() as client:
        run = client.read_flow_run(due.id)
    assert run.state is not None and run.state.is_completed(), f"{run.state}\n{result.stdout}{result.stderr}"
    assert run.work_pool_name == "newsflow" and run.expected_start_time is not None
    # Named for the slot it was scheduled in, in UTC.
    assert run.name == f"ingest-{run.expected_start_time.astimezone(UTC):%Y-%m-%dT%H-%M}"
    assert {"newsflow", "ingest"} <= set(run.tags)
    with session_scope(database_url) as session:
        assert len(session.exec(select(Article)).all()) == 2
