"""kill -9 in the middle of `newsflow ingest`; the next run finishes the work, with nothing doubled or torn."""

from __future__ import annotations

import contextlib
import itertools
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import select

from newsflow.flows.cli import STOPPING
from newsflow.flows.ingest import ingest
from newsflow.storage.db import session_scope
from newsflow.storage.models import Article, FetchEvent
from newsflow.storage.repository import count_articles
from tests.site import FixtureArticle, NewsSite, Response, article_path, load_fixture_articles

pytestmark = pytest.mark.usefixtures("prefect_harness")

ARTICLES = load_fixture_articles()[:10]
PAGE_DELAY = 0.3


def slow_site(articles: list[FixtureArticle]) -> NewsSite:
    site = NewsSite.start(articles=articles, widget=False)
    for article in articles:

        def handler(request: object, html: bytes = article.html) -> Response:
            site.stopping.wait(PAGE_DELAY)
            return Response(body=html)

        site.route(article_path(article), handler)
    return site


def cli_environment(database_url: str, sources: Path, **settings: str) -> dict[str, str]:
    """The environment of a `newsflow ingest` subprocess that reports to this session's Prefect server."""
    from prefect.settings import PREFECT_API_URL

    env = dict(os.environ)
    env.update(
        DATABASE_URL=database_url,
        NEWSFLOW_SOURCES=str(sources),
        NEWSFLOW_PROGRESS="false",
        NEWSFLOW_EXTRACT_WORKERS="1",  # extract inline: a kill leaves no worker processes behind
        PREFECT_API_URL=str(PREFECT_API_URL.value()),
        **settings,
    )
    return env


def start_ingest(env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "newsflow.flows.cli", "ingest"],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,  # its own process group, so nothing it started outlives the test
    )


def start_held_ingest(
    site: NewsSite, tmp_path: Path, database_url: str, release: threading.Event
) -> subprocess.Popen[bytes]:
    """`newsflow ingest` as a user runs it (extraction workers, Prefect's temporary API server: no
    server set), on a site that serves three pages at once and holds the others until `release`
    (however long a loaded machine takes to store the first batch)."""
    served = itertools.count()
    for article in ARTICLES:

        def handler(request: object, html: bytes = article.html) -> Response:
            if next(served) >= 3:
                release.wait(300)
            return Response(body=html)

        site.route(article_path(article), handler)
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f'sources:\n  - name: daily\n    feeds: ["{site.url("/feed.xml")}"]\n', encoding="utf-8"
    )
    env = cli_environment(database_url, sources, NEWSFLOW_BATCH_SIZE="4", NEWSFLOW_FETCH_CONCURRENCY="2")
    del env["PREFECT_API_URL"]
    env.update(NEWSFLOW_EXTRACT_WORKERS="2", PREFECT_HOME=str(tmp_path / "prefect-home"))
    return start_ingest(env, tmp_path)


def stored_count(database_url: str) -> int:
    try:
        with session_scope(database_url) as session:
            return count_articles(session)
    except SQLAlchemyError:
        return 0  # not migrated yet


@pytest.fixture
def site() -> Iterator[NewsSite]:
    running = slow_site(ARTICLES)
    yield running
    running.stop()


def test_a_killed_run_is_completed_by_the_next_without_duplicates_or_torn_rows(
    site: NewsSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    sources = tmp_path / "sources.yaml"
    sources.write_text(
        f'sources:\n  - name: daily\n    feeds: ["{site.url("/feed.xml")}"]\n', encoding="utf-8"
    )
    env = cli_environment(database_url, sources, NEWSFLOW_BATCH_SIZE="2", NEWSFLOW_FETCH_CONCURRENCY="2")
    process = start_ingest(env, tmp_path)
    try:
        deadline = time.monotonic() + 90
        while stored_count(database_url) < 2 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the database, not standing in for an assertion
        assert process.poll() is None, process.communicate()[1].decode()[-2000:]
        os.kill(process.pid, signal.SIGKILL)
        assert process.wait(10) == -signal.SIGKILL
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
    before = stored_count(database_url)
    assert 2 <= before < len(ARTICLES)

    site.reset_requests()
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSFLOW_EXTRACT_WORKERS", "1")
    state = ingest(sources_path=str(sources), return_state=True)
    assert state.is_completed(), state.message

    # Only what the killed run had not stored is fetched again.
    refetched = [path for path in site.requested_paths() if path.startswith("/news/")]
    assert len(refetched) == len(set(refetched)) == len(ARTICLES) - before
    assert_every_page_stored_once(database_url, len(ARTICLES))


def assert_every_page_stored_once(database_url: str, count: int) -> None:
    """`count` articles with a text, each URL once, each with the one fetch event that stored
    it, and no page failed."""
    with session_scope(database_url) as session:
        articles = session.exec(select(Article)).all()
        events = session.exec(select(FetchEvent)).all()
    assert len(articles) == count
    assert max(Counter(a.url for a in articles).values()) == 1
    assert max(Counter(a.fetched_url for a in articles).values()) == 1
    stored_events = Counter(e.url for e in events if e.outcome in ("ok", "duplicate"))
    for article in articles:
        assert article.text.strip() and article.content_hash
        assert stored_events[article.fetched_url] == 1, article.fetched_url
    assert not [e for e in events if e.outcome == "error"]


@pytest.mark.parametrize(
    ("signum", "to_group"),
    [
        (signal.SIGINT, True),  # Ctrl-C: the terminal signals every process of the foreground group
        # A service manager stopping the whole process group; the main process is answered as to
        # `kill PID` or `docker stop`, and the children started in sessions of their own must not
        # see it (the run still needs them).
        (signal.SIGTERM, True),
    ],
    ids=["ctrl-c", "sigterm-to-group"],
)
def test_ctrl_c_stores_the_batch_in_flight_exits_130_with_one_line_and_the_rerun_resumes(
    site: NewsSite,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    database_url: str,
    signum: signal.Signals,
    to_group: bool,
) -> None:
    # The first three pages come at once, the others only after Ctrl-C: the run is surely midway
    # when it is interrupted, however slow the machine.
    interrupted = threading.Event()
    process = start_held_ingest(site, tmp_path, database_url, interrupted)
    sources = tmp_path / "sources.yaml"  # as start_held_ingest wrote it, for the rerun
    lines: list[str] = []
    heard = threading.Event()

    def read_stderr() -> None:
        assert process.stderr is not None
        for raw in process.stderr:
            lines.append(raw.decode())
            if STOPPING.strip() in raw.decode():  # a log line may share its line
                heard.set()

    reader = threading.Thread(target=read_stderr, daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 150
        while stored_count(database_url) < 1 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the database, not standing in for an assertion
        assert process.poll() is None, "".join(lines)[-2000:]
        if to_group:
            os.killpg(process.pid, signum)
        else:
            os.kill(process.pid, signum)
        interrupted_at = time.monotonic()
        # The held pages are answered once the command says it heard the signal (released at
        # once, a loaded machine could fetch them all before its handler ran).
        assert heard.wait(30), (
            f"no acknowledgement of the signal (exit code {process.poll()}):\n" + "".join(lines)[-3000:]
        )
        interrupted.set()
        code = process.wait(30)
        took = time.monotonic() - interrupted_at
    finally:
        interrupted.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        reader.join(10)
    stdout = process.communicate()[0].decode()
    stderr = "".join(lines)
    output = stdout + stderr
    assert code == 130, output[-3000:]
    assert took < 5, f"took {took:.1f} s to stop"
    before = stored_count(database_url)
    assert f"interrupted: {before} stored; run the same command to resume" in stderr.splitlines()
    for noise in (
        "Traceback",
        "Crash detected",
        "BrokenProcessPool",
        "Connection refused",
        "KeyboardInterrupt",
    ):
        assert noise not in output, output[-3000:]
    assert 1 <= before < len(ARTICLES), output[-3000:]

    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("NEWSFLOW_EXTRACT_WORKERS", "1")
    state = ingest(sources_path=str(sources), return_state=True)
    assert state.is_completed(), state.message
    with session_scope(database_url) as session:
        articles = session.exec(select(Article)).all()
    assert len(articles) == len(ARTICLES)
    assert max(Counter(a.fetched_url for a in articles).values()) == 1


def _descendants(pid: int) -> dict[int, str]:
    """Every process started under `pid`, however deep, with its command line (Linux /proc)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            with contextlib.suppress(OSError):
                parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
                children.setdefault(parent, []).append(int(entry.name))
    found: dict[int, str] = {}
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            with contextlib.suppress(OSError):
                found[child] = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:120]
            todo.append(child)
    return found


def _running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads the process tree from /proc")
def test_a_second_ctrl_c_quits_at_once_and_takes_its_helper_processes_with_it(
    site: NewsSite, tmp_path: Path, database_url: str
) -> None:
    # The temporary API server and the extraction workers run in sessions of their own, out of the
    # terminal's reach: quitting at once must not leave them running without their parent.
    released = threading.Event()  # the run is still fetching when both Ctrl-Cs come
    process = start_held_ingest(site, tmp_path, database_url, released)
    helpers: dict[int, str] = {}
    try:
        deadline = time.monotonic() + 150
        while stored_count(database_url) < 1 and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.05)  # polling the database, not standing in for an assertion
        assert process.poll() is None, process.communicate()[1].decode()[-2000:]
        helpers = _descendants(process.pid)
        assert any("uvicorn" in command for command in helpers.values()), helpers  # the API server
        assert any("forkserver" in command for command in helpers.values()), helpers
        os.killpg(process.pid, signal.SIGINT)
        time.sleep(0.5)
        os.killpg(process.pid, signal.SIGINT)
        code = process.wait(10)
        deadline = time.monotonic() + 10
        while any(_running(pid) for pid in helpers) and time.monotonic() < deadline:
            time.sleep(0.1)  # the helpers are told to stop; give them a moment to go
        left = {pid: command for pid, command in helpers.items() if _running(pid)}
    finally:
        released.set()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        for pid in helpers:  # what the test itself started, should the assertion below fail
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        out, err = process.communicate()  # until every process holding the pipes is gone
    assert code == 130
    assert left == {}, f"left running after a second Ctrl-C: {left}"
    output = (out + err).decode()
    for noise in ("Traceback", "Warning", "leaked"):
        assert noise not in output, output[-3000:]
