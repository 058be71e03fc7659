"""Two `newsflow ingest` processes at once on one database: no duplicate rows, no unhandled errors."""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import select

from newsflow.storage.db import session_scope
from newsflow.storage.models import Article, FetchEvent
from tests.e2e.test_crash_resume import cli_environment, start_ingest
from tests.site import NewsSite, Request, Response, article_path, load_fixture_articles

pytestmark = pytest.mark.usefixtures("prefect_harness")

ARTICLES = load_fixture_articles()[:8]
AGENTS = ("newsflow-a/1 (+mailto:a@example.org)", "newsflow-b/1 (+mailto:b@example.org)")


def test_two_runs_at_once_store_each_article_once(tmp_path: Path, database_url: str) -> None:
    with NewsSite.start(articles=ARTICLES, widget=False) as site:
        seen: set[str] = set()
        both_fetching = threading.Event()
        lock = threading.Lock()
        processes: list[subprocess.Popen[bytes]] = []

        def released() -> bool:
            # A run that died early releases the pages, so the test fails on its output, not on
            # a two-minute timeout.
            return both_fetching.wait(0.2) or any(p.poll() is not None for p in processes)

        for article in ARTICLES:

            def handler(request: Request, html: bytes = article.html) -> Response:
                # Hold every page until both runs are fetching pages, so they truly overlap.
                with lock:
                    seen.add(request.headers.get("user-agent", ""))
                    if seen >= set(AGENTS):
                        both_fetching.set()
                deadline = time.monotonic() + 60
                while not released() and time.monotonic() < deadline:
                    pass
                return Response(body=html)

            site.route(article_path(article), handler)
        sources = tmp_path / "sources.yaml"
        sources.write_text(
            f'sources:\n  - name: daily\n    feeds: ["{site.url("/feed.xml")}"]\n', encoding="utf-8"
        )
        processes += [
            start_ingest(
                cli_environment(database_url, sources, NEWSFLOW_USER_AGENT=agent, NEWSFLOW_BATCH_SIZE="4"),
                tmp_path,
            )
            for agent in AGENTS
        ]
        results = [process.communicate(timeout=120) for process in processes]

    for process, (stdout, stderr) in zip(processes, results, strict=True):
        output = stdout.decode() + stderr.decode()
        assert process.returncode == 0, output[-3000:]
        assert "Traceback" not in output and "could not be stored" not in output, output[-3000:]
    assert both_fetching.is_set()
    with session_scope(database_url) as session:
        articles = session.exec(select(Article)).all()
        events = session.exec(select(FetchEvent)).all()
    assert len(articles) == len(ARTICLES)
    assert max(Counter(a.url for a in articles).values()) == 1
    pages = [e for e in events if "/news/" in e.url]
    assert {e.outcome for e in pages} <= {"ok", "duplicate"}, [(e.outcome, e.error) for e in pages]
    # Each page is stored by exactly one of the runs; the other saw it already there.
    assert Counter(e.url for e in pages if e.outcome == "ok") == Counter(a.fetched_url for a in articles)
