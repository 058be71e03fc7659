"""The real ingest flow against a local news site and a mirror that republishes some of it."""

from __future__ import annotations

import shutil
import sqlite3
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlmodel import select

from newsflow.flows.ingest import ingest
from newsflow.flows.summary import RunSummary
from newsflow.storage.db import session_scope, upgrade
from newsflow.storage.models import Article, FetchEvent, SourceHealth
from newsflow.tasks.progress import reporting_progress_to
from tests.site import MirrorSite, NewsSite, load_fixture_articles
from tests.support.scoring import score_page, score_pages

pytestmark = pytest.mark.usefixtures("prefect_harness")


@pytest.fixture
def sites() -> Iterator[tuple[NewsSite, MirrorSite]]:
    with NewsSite.start() as site, MirrorSite.start(origin=site) as mirror:
        yield site, mirror


def _write_sources(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def _run(sources: Path, monkeypatch: pytest.MonkeyPatch, database_url: str, **params: Any) -> Any:
    monkeypatch.setenv("DATABASE_URL", database_url)
    return ingest(sources_path=str(sources), return_state=True, **params)


def test_ingest_stores_each_article_once_clean_and_dated(
    sites: tuple[NewsSite, MirrorSite], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    site, mirror = sites
    sources = _write_sources(
        tmp_path / "sources.yaml",
        f"""
sources:
  - name: daily
    feeds: ["{site.url("/feed.xml")}"]
    sitemaps: ["{site.url("/sitemap_index.xml")}"]
  - name: mirror
    feeds: ["{mirror.url("/feed.xml")}"]
""",
    )
    state = _run(sources, monkeypatch, database_url)
    assert state.is_completed(), state.message
    summary = state.result()
    assert isinstance(summary, RunSummary)

    with session_scope(database_url) as session:
        articles = session.exec(select(Article)).all()
        events = session.exec(select(FetchEvent)).all()
    originals = [a for a in articles if a.duplicate_of is None]
    pages = site.article_urls()
    # Every page of the site once as an original; mirror copies are duplicates, not originals.
    assert len(originals) == len(pages) == len(site.articles) + 1
    assert len(articles) == len(pages) + len(mirror.copies)
    by_id = {a.id: a for a in articles}
    for copy in mirror.syndicated:
        row = next(a for a in articles if a.fetched_url == copy.url)
        assert row.duplicate_of is not None and row.duplicate_kind == "near"
        assert by_id[row.duplicate_of].fetched_url == copy.origin_url
    exact = mirror.exact_copy
    assert exact is not None
    pair = [a for a in articles if a.fetched_url in (exact.url, exact.origin_url)]
    assert sorted(a.duplicate_kind or "" for a in pair) == ["", "exact"]
    # Tracking-parameter variants were never fetched as separate pages nor stored.
    assert not [e.url for e in events if "utm_" in e.url or "fbclid" in e.url]
    assert not [a.url for a in articles if "utm_" in a.url or "fbclid" in a.url]
    assert all(e.outcome in ("ok", "duplicate") for e in events if "/news/" in e.url)

    # The seed page: the date and font-size widget is gone, the date went to published_at.
    widget = next(a for a in articles if a.fetched_url == site.url(site.widget_path))
    assert widget.text.startswith("On June 3, during his official visit")
    assert "↺" not in widget.text and "16 px" not in widget.text and "date 2025-06-03" not in widget.text
    assert widget.published_at is not None and widget.published_at.isoformat() == "2025-06-03T06:15:00+00:00"
    assert widget.published_at.tzinfo is not None

    dated = [a for a in originals if a.published_at is not None]
    assert len(dated) >= 0.9 * len(originals)
    # Never a date in the future, never the fetch time standing in for a missing date.
    assert all(
        a.published_at is None or a.published_at < a.first_seen_at - timedelta(days=1) for a in articles
    )

    rows = {a.fetched_url: a for a in articles}
    score = score_pages(
        score_page(page.body, rows[site.url(f"/news/{page.id}.html")].text) for page in site.articles
    )
    assert score.f1 >= 0.95, score

    with session_scope(database_url) as session:
        health = {h.source: h for h in session.exec(select(SourceHealth)).all()}
    assert health["daily"].consecutive_failures == 0 and health["daily"].last_success_at is not None

    if database_url.startswith("sqlite:///"):
        # The run checkpointed its write-ahead log: a copy of the .db file alone is complete.
        copy = tmp_path / "copy.db"
        shutil.copyfile(database_url.removeprefix("sqlite:///"), copy)
        with sqlite3.connect(copy) as copied:
            assert copied.execute("SELECT count(*) FROM article").fetchone() == (len(articles),)


def test_a_second_run_fetches_no_article_again_and_adds_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    *first_batch, late = load_fixture_articles()[:8]
    with NewsSite.start(articles=first_batch) as site:
        sources = _write_sources(
            tmp_path / "sources.yaml",
            f'sources:\n  - name: daily\n    feeds: ["{site.url("/feed.xml")}"]\n',
        )
        assert _run(sources, monkeypatch, database_url).is_completed()
        with session_scope(database_url) as session:
            first = len(session.exec(select(Article)).all())
        assert first == len(site.article_urls())
        site.reset_requests()

        state = _run(sources, monkeypatch, database_url)
        assert state.is_completed()
        paths = site.requested_paths()
        assert not [p for p in paths if p.startswith("/news/")], paths
        feed_requests = [r for r in site.requests if r.path.startswith("/feed.xml")]
        assert feed_requests and all("if-none-match" in r.headers for r in feed_requests)
        report = state.result().reports[0]
        assert (report.not_modified, report.new, report.fetched) == (1, 0, 0)
        with session_scope(database_url) as session:
            assert len(session.exec(select(Article)).all()) == first

        # A newly published article is picked up by the next run, and only it is fetched.
        site.reset_requests()
        new_url = site.publish(late)
        state = _run(sources, monkeypatch, database_url)
        assert state.is_completed()
        assert [p for p in site.requested_paths() if p.startswith("/news/")] == [
            new_url.split(site.base_url, 1)[1]
        ]
        with session_scope(database_url) as session:
            assert len(session.exec(select(Article)).all()) == first + 1


def test_source_concurrency_one_runs_sources_one_after_another(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    with NewsSite.start(articles=load_fixture_articles()[:4], widget=False) as site:
        sources = _write_sources(
            tmp_path / "sources.yaml",
            f'sources:\n  - name: rss\n    feeds: ["{site.url("/feed.xml")}"]\n'
            f'  - name: atom\n    feeds: ["{site.url("/atom.xml")}"]\n',
        )
        monkeypatch.setenv("NEWSFLOW_SOURCE_CONCURRENCY", "1")
        state = _run(sources, monkeypatch, database_url)
        assert state.is_completed(), state.message
        paths = site.requested_paths()
    article_requests = [i for i, p in enumerate(paths) if p.startswith("/news/")]
    atom_request = paths.index("/atom.xml")
    assert len(article_requests) == 4
    # The second source starts only after the first has fetched all its pages.
    assert atom_request > max(article_requests)
    assert [r.source for r in state.result().reports] == ["rss", "atom"]


def test_progress_reaches_every_source_task_as_a_parameter(
    sites: tuple[NewsSite, MirrorSite], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    site, mirror = sites
    sources = _write_sources(
        tmp_path / "sources.yaml",
        f'sources:\n  - {{name: daily, feeds: ["{site.url("/feed.xml")}"]}}\n'
        f'  - {{name: mirror, feeds: ["{mirror.url("/feed.xml")}"]}}\n',
    )
    calls: list[tuple[str, int, int]] = []
    with reporting_progress_to(lambda source, done, total: calls.append((source, done, total))):
        state = _run(sources, monkeypatch, database_url)
    assert state.is_completed(), state.message
    finals = {source: (done, total) for source, done, total in calls}
    assert set(finals) == {"daily", "mirror"}
    assert all(done == total > 0 for done, total in finals.values()), finals
    assert calls[0][1] == 0  # each bar starts at zero
    # The UI's view of the same: the flow run's progress artifact ends at 100 %.
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import (
        ArtifactFilter,
        ArtifactFilterKey,
        FlowRunFilter,
        FlowRunFilterId,
    )

    with get_client(sync_client=True) as client:
        [artifact] = client.read_artifacts(
            artifact_filter=ArtifactFilter(key=ArtifactFilterKey(any_=["ingest-progress"])),
            flow_run_filter=FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id])),
        )
    assert artifact.type == "progress" and float(artifact.data) == 100.0  # type: ignore[arg-type]
    # Outside the block, a flow run reports to nobody.
    calls.clear()
    _run(sources, monkeypatch, database_url)
    assert calls == []


def test_the_same_copies_become_originals_whichever_source_is_fetched_first(
    sites: tuple[NewsSite, MirrorSite], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, database_url: str
) -> None:
    site, mirror = sites
    daily = _write_sources(
        tmp_path / "daily.yaml", f'sources:\n  - {{name: daily, feeds: ["{site.url("/feed.xml")}"]}}\n'
    )
    copies = _write_sources(
        tmp_path / "mirror.yaml", f'sources:\n  - {{name: mirror, feeds: ["{mirror.url("/feed.xml")}"]}}\n'
    )

    def originals_after(*runs: Path) -> dict[str, str]:
        """For every stored page, the fetched URL of its group's original."""
        upgrade(database_url)
        with session_scope(database_url) as session:
            for table in ("article_lsh", "article", "fetch_event", "feed_state", "source_health"):
                session.execute(text(f"DELETE FROM {table}"))
        for sources in runs:
            state = _run(sources, monkeypatch, database_url)
            assert state.is_completed(), state.message
        with session_scope(database_url) as session:
            rows = session.exec(select(Article)).all()
        by_id = {row.id: row for row in rows}
        return {row.fetched_url: by_id[row.duplicate_of or row.id].fetched_url for row in rows}

    mirror_first = originals_after(copies, daily)
    daily_first = originals_after(daily, copies)
    assert mirror_first == daily_first
    for copy in mirror.syndicated:  # published two days later: the origin is the original
        assert mirror_first[copy.url] == copy.origin_url
