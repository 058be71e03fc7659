"""Prefect events against a real `prefect server start`: what an ingest emits, the README's
deployment trigger running the downstream flow, and the README's silent-source automation firing."""

from __future__ import annotations

import json
import re
import subprocess
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import httpx
import pytest
import yaml
from prefect.client.schemas.filters import DeploymentFilter, DeploymentFilterId
from prefect.exceptions import ObjectNotFound
from sqlmodel import select

from newsflow.storage.db import session_scope
from newsflow.storage.models import Article
from tests.e2e.test_prefect_server import BIN, REPO_ROOT, SHARED_SERVER, PrefectServer, stop_process
from tests.site import NewsSite, load_fixture_articles

T = TypeVar("T")
WAIT = 120.0  # generous: a loaded 2-core machine; every wait ends as soon as its event is seen


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    with SHARED_SERVER.use(tmp_path_factory) as server:
        yield server


@pytest.fixture
def site() -> Iterator[NewsSite]:
    with NewsSite.start(articles=load_fixture_articles()[:3], widget=False) as news:
        yield news


def _wait_for(what: str, probe: Callable[[], T | None]) -> T:
    deadline = time.monotonic() + WAIT
    while time.monotonic() < deadline:
        found = probe()
        if found:
            return found
        time.sleep(0.5)
    pytest.fail(f"waited {WAIT:g} s for {what}")


def _events(server: PrefectServer, *, since: datetime, prefix: str) -> list[dict[str, Any]]:
    body = {
        "filter": {
            "occurred": {
                "since": since.isoformat(),
                "until": (datetime.now(UTC) + timedelta(minutes=5)).isoformat(),
            },
            "event": {"prefix": [prefix]},
        },
        "limit": 50,
    }
    response = httpx.post(f"{server.api_url}/events/filter", json=body, timeout=30)
    response.raise_for_status()
    events: list[dict[str, Any]] = response.json()["events"]
    return events


def _readme_block(marker: str) -> str:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    found = re.search(rf"<!-- example: {marker}[^\n]*-->\n```yaml\n(.*?)```", readme, re.S)
    assert found, f"README has no YAML block marked 'example: {marker}'"
    return found.group(1)


def _ingest(server: PrefectServer, sources: Path, database_url: str, cwd: Path) -> None:
    result = server.run(
        ["newsflow", "ingest", "--sources", str(sources)], env=server.env(DATABASE_URL=database_url), cwd=cwd
    )
    assert result.returncode in (0, 1), result.stdout + result.stderr


def test_an_ingest_emits_stored_batches_and_unhealthy_sources(
    prefect_server: PrefectServer, site: NewsSite, tmp_path: Path, database_url: str
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f'sources:\n  - name: daily\n    feeds: ["{site.url("/feed.xml")}"]\n'
        f'  - name: gone\n    feeds: ["{site.url("/fault/410")}"]\n',
        encoding="utf-8",
    )
    started = datetime.now(UTC)
    _ingest(prefect_server, sources, database_url, tmp_path)
    with session_scope(database_url) as session:
        ids = sorted(a.id for a in session.exec(select(Article)).all() if a.id is not None)
    assert len(ids) == 3

    def stored_events() -> list[dict[str, Any]] | None:
        events = _events(prefect_server, since=started, prefix="newsflow.articles.stored")
        return events if sum(e["payload"]["stored"] for e in events) >= 3 else None

    stored = stored_events_ = _wait_for("newsflow.articles.stored events of 3 articles", stored_events)
    assert stored_events_ is stored
    for event in stored:
        assert event["resource"]["prefect.resource.id"] == "newsflow.source.daily"
        assert event["resource"]["prefect.resource.name"] == "daily"
        payload = event["payload"]
        assert payload["source"] == "daily" and payload["run_kind"] == "ingest"
        assert payload["stored"] == payload["new"] + payload["duplicates"]
        assert payload["first_id"] <= payload["last_id"]
        roles = {r["prefect.resource.role"] for r in event["related"]}
        assert {"flow-run", "task-run"} <= roles, event["related"]
    assert sum(e["payload"]["new"] for e in stored) == 3
    covered = {i for e in stored for i in range(e["payload"]["first_id"], e["payload"]["last_id"] + 1)}
    assert set(ids) <= covered and min(covered) == ids[0] and max(covered) == ids[-1]

    [unhealthy] = _wait_for(
        "a newsflow.source.unhealthy event",
        lambda: _events(prefect_server, since=started, prefix="newsflow.source.unhealthy"),
    )
    assert unhealthy["resource"]["prefect.resource.id"] == "newsflow.source.gone"
    assert unhealthy["payload"]["error"].startswith("every feed and sitemap failed")
    assert unhealthy["payload"]["consecutive_failures"] == 1 and unhealthy["payload"]["blocked"] is False


def test_the_readme_deployment_trigger_runs_the_downstream_flow_on_new_articles(
    prefect_server: PrefectServer, site: NewsSite, tmp_path: Path, database_url: str
) -> None:
    deployments = tmp_path / "deployments.yaml"
    deployments.write_text(_readme_block("deployment trigger"), encoding="utf-8")
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f'sources:\n  - name: wire\n    feeds: ["{site.url("/feed.xml")}"]\n', encoding="utf-8"
    )
    env = prefect_server.env(
        NEWSFLOW_SOURCES=str(sources), DATABASE_URL=database_url, PREFECT_RUNNER_POLL_FREQUENCY="1"
    )
    log = tmp_path / "serve.log"
    with log.open("wb") as output:
        serve = subprocess.Popen(
            [str(BIN / "newsflow"), "serve", "--deployments", str(deployments)],
            env=env,
            cwd=tmp_path,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            with prefect_server.client() as client:

                def registered() -> Any:
                    assert serve.poll() is None, log.read_text()
                    try:
                        deployment = client.read_deployment_by_name("new-articles/on-new-articles")
                    except ObjectNotFound:
                        return None
                    automations = client.read_resource_related_automations(
                        f"prefect.deployment.{deployment.id}"
                    )
                    return deployment if deployment.last_polled and automations else None

                deployment = _wait_for("the served deployment and its trigger", registered)
                started = datetime.now(UTC)
                _ingest(prefect_server, sources, database_url, tmp_path)

                def finished_runs() -> list[Any] | None:
                    runs = client.read_flow_runs(
                        deployment_filter=DeploymentFilter(id=DeploymentFilterId(any_=[deployment.id]))
                    )
                    done = [r for r in runs if r.state is not None and r.state.is_final()]
                    return done if done and len(done) == len(runs) else None

                runs = _wait_for("the triggered runs of new-articles to finish", finished_runs)
                events = _events(prefect_server, since=started, prefix="newsflow.articles.stored")
                artifacts = {
                    run.id: json.loads(a.data)
                    for run in runs
                    for a in client.read_artifacts()
                    if a.key == "new-articles" and a.flow_run_id == run.id
                }
        finally:
            stop_process(serve)
    with session_scope(database_url) as session:
        stored = {a.id: a.url for a in session.exec(select(Article)).all()}
    assert len(runs) == len(events) >= 1, log.read_text()
    assert all(r.state is not None and r.state.is_completed() for r in runs), [r.state for r in runs]
    assert sorted((r.parameters["first_id"], r.parameters["last_id"]) for r in runs) == sorted(
        (e["payload"]["first_id"], e["payload"]["last_id"]) for e in events
    )
    assert {r.parameters["source"] for r in runs} == {"wire"}
    listed = {row["id"]: row["url"] for rows in artifacts.values() for row in rows}
    assert listed == stored and len(stored) == 3


def test_the_readme_silent_source_automation_fires_when_a_source_stops_storing(
    prefect_server: PrefectServer, site: NewsSite, tmp_path: Path, database_url: str
) -> None:
    """The README's automation, with a 10-second window (the shortest Prefect allows) and no
    notification block: after the source's one batch, nothing more comes, and it fires."""
    automation = yaml.safe_load(_readme_block("silent source automation"))
    automation["name"] = f"silent-{tmp_path.name}"
    automation["trigger"]["within"] = 10
    automation["trigger"]["match"] = {"prefect.resource.id": "newsflow.source.quiet"}
    automation["actions"] = [{"type": "do-nothing"}]
    spec = tmp_path / "silent-source.yaml"
    spec.write_text(yaml.safe_dump(automation), encoding="utf-8")
    created = prefect_server.run(
        ["prefect", "automation", "create", "--from-file", str(spec)], env=prefect_server.env(), cwd=tmp_path
    )
    assert created.returncode == 0, created.stdout + created.stderr
    automation_id = re.search(r"with id\s+([0-9a-f-]{36})", created.stdout)
    assert automation_id, created.stdout
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f'sources:\n  - name: quiet\n    feeds: ["{site.url("/feed.xml")}"]\n', encoding="utf-8"
    )
    started = datetime.now(UTC)
    _ingest(prefect_server, sources, database_url, tmp_path)

    def triggered() -> list[dict[str, Any]]:
        return [
            e
            for e in _events(prefect_server, since=started, prefix="prefect.automation.triggered")
            if e["resource"]["prefect.resource.id"] == f"prefect.automation.{automation_id.group(1)}"
        ]

    [fired] = _wait_for("the silent-source automation to fire", triggered)
    [stored] = _events(prefect_server, since=started, prefix="newsflow.articles.stored")
    assert stored["resource"]["prefect.resource.id"] == "newsflow.source.quiet"
    # It fired on the silence after that batch, not on the batch itself.
    assert datetime.fromisoformat(fired["occurred"]) >= datetime.fromisoformat(
        stored["occurred"]
    ) + timedelta(seconds=10)
