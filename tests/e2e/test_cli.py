"""The `newsflow` command as a user runs it: exit codes and one-line errors, no tracebacks."""

from __future__ import annotations

import os
import pty
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from newsflow.flows.cli import app
from tests.site import NewsSite, load_fixture_articles

REPO_ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def cli_env(prefect_harness: None, database_url: str) -> Iterator[dict[str, str]]:
    """Environment for a CLI subprocess: the session's Prefect server, a fresh database."""
    from prefect.settings import PREFECT_API_URL

    env = {k: v for k, v in os.environ.items() if not k.startswith("NEWSFLOW_") and k != "DATABASE_URL"}
    env.update({"PREFECT_API_URL": str(PREFECT_API_URL.value()), "DATABASE_URL": database_url})
    yield env


def _newsflow(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "newsflow.flows.cli", *args],
        env=env,
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=180,
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.mark.parametrize(
    ("sources", "message"),
    [
        (None, "sources file sources.yaml not found; pass --sources PATH or set NEWSFLOW_SOURCES"),
        ("sources:\n  - name: Bad Name\n    feeds: ['https://a.example/rss']\n", "'name' must be a slug"),
        ("sources:\n  - name: a\n    feeds: ['gopher://a.example/rss']\n", "source 'a': 'feeds' has"),
    ],
)
def test_bad_configuration_exits_2_with_one_line(
    sources: str | None, message: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    if sources is not None:
        (tmp_path / "sources.yaml").write_text(sources, encoding="utf-8")
    result = CliRunner().invoke(app, ["ingest"])
    assert result.exit_code == 2, result.output
    assert message in result.stderr
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_unknown_source_name_and_bad_dates_exit_2(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "sources.yaml").write_text("sources:\n  - name: a\n    feeds: ['https://a.example/rss']\n")
    result = CliRunner().invoke(app, ["ingest", "--source", "b"])
    assert result.exit_code == 2
    assert "no source named b" in result.stderr
    result = CliRunner().invoke(app, ["backfill", "--since", "2025-06-07", "--until", "2025-06-01"])
    assert result.exit_code == 2
    assert "--until 2025-06-01 is before --since 2025-06-07" in result.stderr
    result = CliRunner().invoke(app, ["backfill", "--since", "June 1", "--until", "2025-06-01"])
    assert result.exit_code == 2
    assert "--since 'June 1' is not a date; use YYYY-MM-DD" in result.stderr


@pytest.mark.parametrize(
    ("command", "database_url", "shown"),
    [
        (["ingest"], "garbage", "'garbage' is not a database URL"),
        (["ingest"], "", "empty is not a database URL"),
        (["ingest"], "mysql://bob:secret@db.example/news", "not mysql"),
        (["ingest"], "sqlite:///", "'sqlite:///' is not a database URL"),
        (["ingest"], "sqlite:////proc/newsflow/news.db", "cannot create the folder /proc/newsflow"),
        (["db", "upgrade"], "garbage", "'garbage' is not a database URL"),
        (["db", "upgrade"], "sqlite:////proc/newsflow/news.db", "cannot create the folder /proc/newsflow"),
    ],
)
def test_every_bad_database_url_exits_2_with_one_line_naming_the_variable(
    cli_env: dict[str, str], tmp_path: Path, database_url: str, shown: str, command: list[str]
) -> None:
    (tmp_path / "sources.yaml").write_text("sources:\n  - name: a\n    feeds: ['https://a.example/rss']\n")
    cli_env["DATABASE_URL"] = database_url
    result = _newsflow(*command, env=cli_env, cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("newsflow: DATABASE_URL: ") and shown in line, line
    if "cannot create" not in shown:
        assert "sqlite:///" in line and "postgresql://" in line  # the accepted forms
    assert "secret" not in line


def test_unreachable_database_exits_1(cli_env: dict[str, str], tmp_path: Path) -> None:
    (tmp_path / "sources.yaml").write_text("sources:\n  - name: a\n    feeds: ['https://a.example/rss']\n")
    cli_env["DATABASE_URL"] = f"postgresql+psycopg://nobody@127.0.0.1:{_closed_port()}/nothing"
    result = _newsflow("ingest", env=cli_env, cwd=tmp_path)
    assert result.returncode == 1
    assert "cannot open or migrate the database" in result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("command", [["ingest"], ["serve"]])
def test_a_prefect_server_that_does_not_answer_exits_1_with_one_line(
    cli_env: dict[str, str], tmp_path: Path, command: list[str]
) -> None:
    (tmp_path / "sources.yaml").write_text("sources:\n  - name: a\n    feeds: ['https://a.example/rss']\n")
    shutil.copy(REPO_ROOT / "deployments.yaml", tmp_path / "deployments.yaml")
    url = f"http://127.0.0.1:{_closed_port()}/api"
    cli_env["PREFECT_API_URL"] = url
    result = _newsflow(*command, env=cli_env, cwd=tmp_path)
    assert result.returncode == 1, result.stderr[-3000:]
    [line] = result.stderr.strip().splitlines()
    assert line.startswith(f"newsflow: PREFECT_API_URL: no Prefect server answers at {url}"), line
    assert "prefect server start" in line and "unset PREFECT_API_URL" in line


def test_every_source_unreachable_exits_1_with_a_line_per_source(
    cli_env: dict[str, str], tmp_path: Path
) -> None:
    port = _closed_port()
    (tmp_path / "sources.yaml").write_text(
        f"sources:\n  - name: down\n    feeds: ['http://127.0.0.1:{port}/rss']\n"
        "  - name: nowhere\n    feeds: ['https://news.invalid/rss']\n",
        encoding="utf-8",
    )
    cli_env["NEWSFLOW_MAX_RETRIES"] = "0"
    result = _newsflow("ingest", env=cli_env, cwd=tmp_path)
    assert result.returncode == 1, result.stderr
    lines = [line for line in result.stderr.splitlines() if line.startswith(("down:", "nowhere:"))]
    assert len(lines) == 2
    assert (
        f"down: FAILED: every feed and sitemap failed: http://127.0.0.1:{port}/rss: cannot connect"
        in lines[0]
    )
    assert "nowhere: FAILED: every feed and sitemap failed: https://news.invalid/rss:" in lines[1]
    assert "every source failed" in result.stderr
    assert "Traceback" not in result.stderr + result.stdout


def test_ingest_then_db_upgrade(cli_env: dict[str, str], tmp_path: Path) -> None:
    with NewsSite.start(articles=load_fixture_articles()[:3], widget=False) as site:
        (tmp_path / "my-sources.yaml").write_text(
            f"sources:\n  - name: daily\n    feeds: ['{site.url('/feed.xml')}']\n", encoding="utf-8"
        )
        cli_env["NEWSFLOW_SOURCES"] = str(tmp_path / "my-sources.yaml")
        result = _newsflow("ingest", env=cli_env, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "daily: 3 discovered, 3 fetched, 3 new, 0 duplicate" in result.stdout
    assert "━" not in result.stdout + result.stderr  # no progress bars when output is not a terminal
    upgraded = _newsflow("db", "upgrade", env=cli_env, cwd=tmp_path)
    assert upgraded.returncode == 0 and "database is up to date" in upgraded.stdout


def _newsflow_in_terminal(*args: str, env: dict[str, str], cwd: Path) -> tuple[int, str]:
    """Run the CLI with a pseudo-terminal as its stdin, stdout and stderr, as from a shell."""
    main, terminal = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "newsflow.flows.cli", *args],
        env={**env, "COLUMNS": "120", "TERM": "xterm-256color"},
        cwd=cwd,
        stdin=terminal,
        stdout=terminal,
        stderr=terminal,
    )
    os.close(terminal)
    chunks: list[bytes] = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # the terminal closed: every process holding it has exited
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return process.wait(timeout=180), b"".join(chunks).decode("utf-8", "replace")


_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
_LOG_LINE = re.compile(r"\d\d:\d\d:\d\d\.\d{3} \| (?:INFO|WARNING|ERROR)")


@pytest.mark.parametrize("progress", [None, "false"])
def test_in_a_terminal_log_lines_print_above_the_bars_and_never_across_them(
    cli_env: dict[str, str], tmp_path: Path, progress: str | None
) -> None:
    with NewsSite.start(articles=load_fixture_articles()[:6], widget=False, crawl_delay=0.2) as site:
        (tmp_path / "sources.yaml").write_text(
            f"sources:\n  - name: daily\n    feeds: ['{site.url('/feed.xml')}']\n", encoding="utf-8"
        )
        if progress is not None:
            cli_env["NEWSFLOW_PROGRESS"] = progress
        code, screen = _newsflow_in_terminal("ingest", env=cli_env, cwd=tmp_path)
    assert code == 0, screen
    # What the terminal shows, line by line: a carriage return starts a line over too.
    lines = re.split(r"[\r\n]+", _ESCAPE.sub("", screen))
    logs = [line for line in lines if _LOG_LINE.search(line)]
    assert any("Finished in state Completed" in line for line in logs), screen
    assert not [line for line in logs if not _LOG_LINE.match(line)], "a log line printed across other output"
    bars = [line for line in lines if line.startswith("daily ━")]
    if progress == "false":
        assert bars == []
    else:
        assert bars and bars[-1].split()[-2] == "6/6", bars
    assert "6 new, 0 duplicate, 0 failed, 0 skipped" in lines  # the last line, whole
