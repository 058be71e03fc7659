"""With no Prefect server configured, `newsflow ingest` starts Prefect's temporary API server itself,
first thing, and stops it at exit; Prefect's server package is never imported by the command."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from newsflow.errors import Interrupted
from newsflow.flows.temporary_server import TemporaryServer, use_or_stop
from newsflow.runtime.stop import request_stop, reset_stop
from tests.site import NewsSite, load_fixture_articles


def test_ingest_on_its_own_temporary_server_without_importing_prefects_server(
    tmp_path: Path, database_url: str
) -> None:
    with NewsSite.start(articles=load_fixture_articles()[:2], widget=False) as site:
        sources = tmp_path / "sources.yaml"
        sources.write_text(f'sources:\n  - name: daily\n    feeds: ["{site.url("/feed.xml")}"]\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
        env.update(
            DATABASE_URL=database_url,
            NEWSFLOW_SOURCES=str(sources),
            NEWSFLOW_PROGRESS="false",
            NEWSFLOW_EXTRACT_WORKERS="1",
            PREFECT_HOME=str(tmp_path / "prefect-home"),
        )
        result = subprocess.run(
            [sys.executable, "-X", "importtime", "-m", "newsflow.flows.cli", "ingest"],
            env=env,
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "2 new, 0 duplicate, 0 failed, 0 skipped" in result.stdout
    imported = re.findall(r"^import time:\s+\d+ \|\s+\d+ \|\s+(\S+)", result.stderr, re.MULTILINE)
    assert "prefect.flows" in imported  # the importtime lines are there to look at
    assert "prefect.server.api.server" not in imported
    [port] = re.findall(r"Starting temporary server on http://127\.0\.0\.1:(\d+)", output)
    assert f"Stopping temporary server on http://127.0.0.1:{port}" in output
    with pytest.raises(httpx.ConnectError):  # stopped at exit
        httpx.get(f"http://127.0.0.1:{port}/api/health", timeout=2)


def test_a_configured_server_wins_over_the_early_one(prefect_harness: None) -> None:
    server = TemporaryServer()
    try:
        use_or_stop(server)  # the harness's server is configured
        assert server.process.poll() is not None
    finally:
        server.stop()


def test_ctrl_c_while_the_server_starts_stops_it_and_starts_no_run() -> None:
    server = TemporaryServer()
    request_stop()
    try:
        with pytest.raises(Interrupted, match="interrupted: 0 stored"):
            server.wait_ready(60)
        assert server.process.poll() is not None
    finally:
        reset_stop()
        server.stop()


def test_a_bad_sources_file_is_one_line_though_the_server_was_started_early(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_API")}
    env.update(
        DATABASE_URL=f"sqlite:///{tmp_path / 'x.db'}",
        NEWSFLOW_SOURCES=str(tmp_path / "nope.yaml"),
        PREFECT_HOME=str(tmp_path / "prefect-home"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "newsflow.flows.cli", "ingest"],
        env=env,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        f"newsflow: sources file {tmp_path / 'nope.yaml'} not found; pass --sources PATH or set NEWSFLOW_SOURCES"
    ]
