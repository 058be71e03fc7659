"""Scale out: an ingest split by host into shards, each a flow run of its own, one summary.

In-process (no deployment: the shards run as subflows, one after another) under the session's
test harness, and on a real Prefect server with a process work pool and two workers, where the
scheduled run starts each shard as a run of the `ingest/shard` deployment.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from prefect.client.schemas.filters import (
    ArtifactFilter,
    ArtifactFilterFlowRunId,
    ArtifactFilterKey,
    FlowRunFilter,
    FlowRunFilterParentFlowRunId,
)
from sqlmodel import select

from newsflow.flows.ingest import ingest
from newsflow.flows.summary import RunSummary
from newsflow.records import Source
from newsflow.shards import source_hosts, split_by_host
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article
from tests.e2e.test_prefect_server import BIN, REPO_ROOT, SHARED_SERVER, PrefectServer, stop_process
from tests.site import NewsSite, load_fixture_articles

# Loopback addresses are hosts of their own; with 2 shards these fall into both.
ADDRESSES = ("127.0.0.1", "127.0.0.2", "127.0.0.3", "127.0.0.7")


def site_on(address: str) -> type[NewsSite]:
    return type(f"NewsSite_{address.replace('.', '_')}", (NewsSite,), {"address": address})


class Fleet:
    """Sites on four hosts; the first host has two sources (two feeds), the others one each."""

    def __init__(self, stack: ExitStack) -> None:
        articles = load_fixture_articles()[:10]
        self.sites: list[NewsSite] = []
        self.sources: dict[str, str] = {}  # name -> feed URL
        self.pages: dict[str, list[str]] = {}  # name -> article URLs
        chunks = [articles[0:2], articles[2:4], articles[4:6], articles[6:8], articles[8:10]]
        for index, address in enumerate(ADDRESSES):
            own = chunks[index] + (chunks[4] if index == 0 else [])
            site = stack.enter_context(site_on(address).start(articles=own, widget=False))
            self.sites.append(site)
            groups = [chunks[index], chunks[4]] if index == 0 else [chunks[index]]
            for number, group in enumerate(groups):
                name = f"host{index + 1}-{'ab'[number]}"
                urls = [site.url(f"/news/{a.id}.html") for a in group]
                self.sources[name] = site.add_feed(f"/{name}.xml", urls=urls)
                self.pages[name] = urls

    def write(self, path: Path) -> Path:
        lines = ["sources:"]
        for name, feed in self.sources.items():
            lines += [f"  - name: {name}", f'    feeds: ["{feed}"]']
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    def split(self, shards: int) -> list[set[str]]:
        sources = [Source(name, feeds=(feed,)) for name, feed in self.sources.items()]
        return [{s.name for s in group} for group in split_by_host(sources, shards)]

    def hosts_of(self, names: set[str]) -> set[str]:
        return {h for n in names for h in source_hosts(Source(n, feeds=(self.sources[n],)))}

    def article_requests(self) -> dict[str, int]:
        """How often each article page was requested, over every site."""
        counts: dict[str, int] = {}
        for site in self.sites:
            for request in site.requests:
                if request.path.startswith("/news/"):
                    url = site.url(request.path)
                    counts[url] = counts.get(url, 0) + 1
        return counts


@pytest.fixture
def fleet() -> Iterator[Fleet]:
    with ExitStack() as stack:
        yield Fleet(stack)


def stored_urls(database_url: str) -> list[str]:
    with session_scope(database_url) as session:
        return sorted(session.exec(select(Article.fetched_url)).all())


def check_ingested_once(fleet: Fleet, database_url: str) -> None:
    every_page = sorted(url for urls in fleet.pages.values() for url in urls)
    assert stored_urls(database_url) == every_page
    assert fleet.article_requests() == dict.fromkeys(every_page, 1)


@pytest.mark.usefixtures("prefect_harness")
def test_shards_run_as_subflows_with_one_summary_and_every_source_once(
    fleet: Fleet, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    split = fleet.split(2)
    assert all(split) and not fleet.hosts_of(split[0]) & fleet.hosts_of(split[1])
    assert {"host1-a", "host1-b"} <= split[0] or {"host1-a", "host1-b"} <= split[1]

    state = ingest(sources_path=str(fleet.write(tmp_path / "sources.yaml")), shards=2, return_state=True)

    assert state.is_completed(), state.message
    summary = state.result()
    assert isinstance(summary, RunSummary)
    assert [r.source for r in summary.reports] == list(fleet.sources)
    assert {r.source: r.new for r in summary.reports} == {n: len(p) for n, p in fleet.pages.items()}
    assert state.message == "10 new, 0 duplicate, 0 failed, 0 skipped"
    check_ingested_once(fleet, database_url)
    from prefect.client.orchestration import get_client

    with get_client(sync_client=True) as client:
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(
                parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[state.state_details.flow_run_id])
            )
        )
    assert sorted(run.name.rsplit("-shard-", 1)[1] for run in children) == ["1-of-2", "2-of-2"]
    assert sorted(run.parameters["shard"] for run in children) == [0, 1]


def test_shard_out_of_range_fails_with_one_line(prefect_harness: None) -> None:
    state = ingest(shards=2, shard=2, return_state=True)
    assert state.is_failed() and state.message == "shard 2 is not one of the 2 shards (0 to 1)"


# On a real server, with a process work pool and two workers.


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[PrefectServer]:
    with SHARED_SERVER.use(tmp_path_factory) as server:
        yield server


def _ok(result: subprocess.CompletedProcess[str]) -> None:
    assert result.returncode == 0, result.stdout + result.stderr


def _summary_rows(server: PrefectServer, flow_run_id: Any) -> list[dict[str, Any]]:
    with server.client() as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(
                key=ArtifactFilterKey(any_=["ingest-summary"]),
                flow_run_id=ArtifactFilterFlowRunId(any_=[flow_run_id]),
            )
        )
    rows = json.loads(artifact.data) if isinstance(artifact.data, str) else artifact.data
    assert isinstance(rows, list)
    return rows


def test_a_sharded_scheduled_ingest_runs_its_shards_on_two_workers(
    fleet: Fleet, prefect_server: PrefectServer, tmp_path: Path, database_url: str
) -> None:
    deployer = prefect_server.env()
    # The pool may exist already (tests/e2e/test_worker.py uses the same server).
    prefect_server.run(
        ["prefect", "work-pool", "create", "newsflow", "--type", "process", "--overwrite"],
        env=deployer,
        cwd=REPO_ROOT,
    )
    deploy = ["prefect", "--no-prompt", "deploy", "--prefect-file", "deployments.yaml", "--all"]
    _ok(prefect_server.run(deploy, env=deployer, cwd=REPO_ROOT))
    sources = fleet.write(tmp_path / "sources.yaml")
    with prefect_server.client() as client:
        scheduled = client.read_deployment_by_name("ingest/scheduled")
        parent = client.create_flow_run_from_deployment(scheduled.id, parameters={"shards": 2})

    worker_env = prefect_server.env(
        NEWSFLOW_HOME=str(REPO_ROOT),
        NEWSFLOW_SOURCES=str(sources),
        DATABASE_URL=database_url,
        # A shard's process once died of "double free or corruption" (SIGABRT): should it happen
        # again, the log below says in which code each thread was.
        PYTHONFAULTHANDLER="1",
        # The shards are created while the workers wait: polling every 2 s, not 10, spares the test
        # most of a polling interval.
        PREFECT_WORKER_QUERY_SECONDS="2",
    )
    workers = []
    for number in (1, 2):
        machine = tmp_path / f"machine-{number}"
        machine.mkdir()
        log = (tmp_path / f"worker-{number}.log").open("w")
        command = [str(BIN / "prefect"), "worker", "start", "--pool", "newsflow", "--name", f"w{number}"]
        workers.append(
            subprocess.Popen(
                command,
                env=worker_env,
                cwd=machine,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        )
    try:
        deadline = time.monotonic() + 300
        while True:
            with prefect_server.client() as client:
                run = client.read_flow_run(parent.id)
            if run.state is not None and run.state.is_final():
                break
            assert time.monotonic() < deadline, f"the sharded run did not finish: {run.state}"
            time.sleep(1)
    finally:
        for worker in workers:
            stop_process(worker)
    logs = "".join((tmp_path / f"worker-{n}.log").read_text() for n in (1, 2))
    assert run.state.is_completed(), f"{run.state}\n{logs[-4000:]}"

    with prefect_server.client() as client:
        shard_deployment = client.read_deployment_by_name("ingest/shard")
        children = client.read_flow_runs(
            flow_run_filter=FlowRunFilter(parent_flow_run_id=FlowRunFilterParentFlowRunId(any_=[parent.id]))
        )
    # What to look at when the counts are off: each shard run's state and table, the workers' logs.
    shard_runs = "\n".join(f"{c.name}: {c.state!r} {c.parameters}" for c in children)
    explain = f"{run.state.message}\n{shard_runs}\n{logs[-6000:]}"

    # One summary for the whole ingest, every source once, in the file's order.
    rows = _summary_rows(prefect_server, parent.id)
    assert [row["source"] for row in rows] == list(fleet.sources), explain
    new = {row["source"]: row["new"] for row in rows}
    assert new == {n: len(p) for n, p in fleet.pages.items()}, f"{rows}\n{explain}"
    assert run.state.message == "10 new, 0 duplicate, 0 failed, 0 skipped"

    # Two shard runs of ingest/shard, their sources disjoint and as split, no host in both.
    assert len(children) == 2
    by_shard: dict[int, set[str]] = {}
    for child in children:
        assert child.deployment_id == shard_deployment.id and child.state is not None
        assert child.state.is_completed(), child.state
        assert child.name.startswith("ingest-")
        assert child.name.endswith(f"-shard-{child.parameters['shard'] + 1}-of-2")
        by_shard[child.parameters["shard"]] = {
            row["source"] for row in _summary_rows(prefect_server, child.id)
        }
    assert [by_shard[0], by_shard[1]] == fleet.split(2)
    assert not fleet.hosts_of(by_shard[0]) & fleet.hosts_of(by_shard[1])
    check_ingested_once(fleet, database_url)
